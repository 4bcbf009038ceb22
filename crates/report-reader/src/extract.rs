//! Facts inside sentences: dates, amounts, named documents, headline figures, inspection facts
//! and contact channels. All patterns are compiled once.

use std::sync::LazyLock;

use rectify_domain::numerals::parse_chinese;
use rectify_domain::{PartialDate, WanYuan};
use regex::{Captures, Regex};

use crate::ClaimedFigure;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("static regex {pattern}: {e}"))
}

/// A number written in Arabic digits or Chinese numerals.
pub(crate) fn number(text: &str) -> Option<u32> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse().ok();
    }
    parse_chinese(t)
}

const CN_DIGITS: &str = "〇零○OoＯ一二三四五六七八九";

/// `2024年7月23日`, `2024年7月`, `7月23日`, `7月`, Chinese-numeral forms with a year
/// (二〇二四年七月二十三日), and `2024-07-23` / `2024.7.23` / `2024/7/23`.
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        concat!(
            r"(?:^|[^\d.])(?:(?P<y>\d{{4}})年(?:度)?(?:(?P<m>\d{{1,2}})月(?:(?P<d>\d{{1,2}})[日号])?)?",
            r"|(?P<cy>[{cn}]{{4}})年(?P<cm>[一二三四五六七八九十]{{1,2}})月(?:(?P<cd>[一二三四五六七八九十]{{1,3}})[日号])?",
            r"|(?P<sy>\d{{4}})[-./](?P<sm>\d{{1,2}})(?:[-./](?P<sd>\d{{1,2}}))?",
            r"|(?P<m2>\d{{1,2}})月(?:(?P<d2>\d{{1,2}})[日号])?)"
        ),
        cn = CN_DIGITS
    ))
});

/// A date found in text: the value (year inferred when missing) and where it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FoundDate {
    pub date: PartialDate,
    /// Whether the year was written.
    pub explicit_year: bool,
    pub start: usize,
    pub end: usize,
}

fn cn_year(s: &str) -> Option<u32> {
    let digits: String = s
        .chars()
        .map(|c| match c {
            '〇' | '零' | '○' | 'O' | 'o' | 'Ｏ' => '〇',
            other => other,
        })
        .collect();
    parse_chinese(&digits)
}

/// Finds the dates in `text`; a month and day without a year take the latest explicit year
/// seen before them (in this text or, via `context_year`, earlier text), else `fallback_year`.
/// Updates `context_year` with every explicit year.
pub(crate) fn find_dates(text: &str, context_year: &mut Option<i32>, fallback_year: Option<i32>) -> Vec<FoundDate> {
    let mut out = Vec::new();
    for caps in DATE.captures_iter(text) {
        let Some(whole) = caps.get(0) else { continue };
        let num = |name: &str| caps.name(name).and_then(|m| number(m.as_str()));
        let (year, month, day, explicit, start) = if let Some(y) = caps.name("y") {
            (y.as_str().parse::<i32>().ok(), num("m"), num("d"), true, y.start())
        } else if let Some(y) = caps.name("cy") {
            (cn_year(y.as_str()).map(|v| v as i32), num("cm"), num("cd"), true, y.start())
        } else if let Some(y) = caps.name("sy") {
            // 2022-2023年 is a span of years, 85.71% a number: not dates.
            if text[whole.end()..].starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == '%') {
                continue;
            }
            (y.as_str().parse::<i32>().ok(), num("sm"), num("sd"), true, y.start())
        } else if let Some(m) = caps.name("m2") {
            if text[..m.start()].ends_with(['个', '第', '每']) {
                continue;
            }
            ((*context_year).or(fallback_year), num("m2"), num("d2"), false, m.start())
        } else {
            continue;
        };
        let Some(year) = year else { continue };
        let date = match (month, day) {
            (Some(m), Some(d)) => PartialDate::day(year, m, d),
            (Some(m), None) => PartialDate::month(year, m),
            _ => PartialDate::year(year),
        };
        if let Ok(date) = date {
            if explicit {
                *context_year = Some(year);
            }
            out.push(FoundDate { date, explicit_year: explicit, start, end: whole.end() });
        }
    }
    out
}

/// Reads a text that is only a date (a signature date), Arabic or Chinese numerals.
pub(crate) fn date_only(text: &str) -> Option<PartialDate> {
    let t = text.trim_matches(|c: char| c == '（' || c == '）' || c == '(' || c == ')' || c.is_whitespace());
    let mut ctx = None;
    let found = find_dates(t, &mut ctx, None);
    match found.as_slice() {
        [one] if one.explicit_year && one.start == 0 && one.end == t.len() => Some(one.date),
        _ => None,
    }
}

static AMOUNT: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:^|[^\d.])(?P<n>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<u>亿|万)?余?元"));

/// Amounts of money in the text, converted to 万元 (元 and 亿元 too).
pub(crate) fn find_amounts(text: &str) -> Vec<WanYuan> {
    AMOUNT
        .captures_iter(text)
        .filter_map(|caps| {
            let n = caps.name("n")?.as_str().replace(',', "");
            match caps.name("u").map(|m| m.as_str()) {
                Some("万") => WanYuan::parse_wan_yuan(&n).ok(),
                Some(_) => {
                    let w = WanYuan::parse_wan_yuan(&n).ok()?;
                    WanYuan::from_fen(w.fen().checked_mul(10_000)?, w.decimals().saturating_sub(4)).ok()
                }
                None => WanYuan::from_yuan_text(&n).ok(),
            }
        })
        .collect()
}

static DOCUMENT: LazyLock<Regex> = LazyLock::new(|| re(r"《[^《》\n]{1,120}》"));

/// Documents named with book-title marks, in order, each once.
pub(crate) fn find_documents(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in DOCUMENT.find_iter(text) {
        if !out.iter().any(|d| d == m.as_str()) {
            out.push(m.as_str().to_string());
        }
    }
    out
}

const NUM: &str = r"\d+|[一二三四五六七八九十百两]+";

/// The kinds of accountability a report counts, longest first so that 诫勉谈话 wins over 诫勉.
const ACCOUNTABILITY: [&str; 24] = [
    "责令作出书面检查",
    "党纪政务处分",
    "移送司法机关",
    "通报批评",
    "批评教育",
    "诫勉谈话",
    "提醒谈话",
    "谈话提醒",
    "责令检查",
    "书面检查",
    "组织处理",
    "党纪处分",
    "政务处分",
    "纪律处分",
    "批评帮助",
    "追责问责",
    "立案审查",
    "函询",
    "约谈",
    "诫勉",
    "问责",
    "警告",
    "免职",
    "降职",
];

/// A headline figure found in a sentence.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Claim {
    pub figure: ClaimedFigure,
    pub value: ClaimValue,
    pub start: usize,
    pub excerpt: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ClaimValue {
    Count(u32),
    Percent(f64),
    Money(WanYuan),
}

struct ClaimPattern {
    figure: fn(&Captures) -> Option<ClaimedFigure>,
    regex: Regex,
}

static CLAIMS: LazyLock<Vec<ClaimPattern>> = LazyLock::new(|| {
    let fixed = |f: ClaimedFigure| -> fn(&Captures) -> Option<ClaimedFigure> {
        match f {
            ClaimedFigure::Aspects => |_| Some(ClaimedFigure::Aspects),
            ClaimedFigure::Problems => |_| Some(ClaimedFigure::Problems),
            ClaimedFigure::Measures => |_| Some(ClaimedFigure::Measures),
            ClaimedFigure::Completed => |_| Some(ClaimedFigure::Completed),
            ClaimedFigure::InProgress => |_| Some(ClaimedFigure::InProgress),
            ClaimedFigure::CompletionRate => |_| Some(ClaimedFigure::CompletionRate),
            ClaimedFigure::Rules => |_| Some(ClaimedFigure::Rules),
            ClaimedFigure::Funds => |_| Some(ClaimedFigure::Funds),
            ClaimedFigure::Accountability(_) => {
                |c| c.name("k").map(|k| ClaimedFigure::Accountability(k.as_str().to_string()))
            }
        }
    };
    let kinds = ACCOUNTABILITY.join("|");
    let unit = r"(?:个|项|条|件)";
    let specs: Vec<(ClaimedFigure, String)> = vec![
        (ClaimedFigure::Aspects, r"(?P<n>\d+|[一二三四五六七八九十两]+)\s*(?:个|大)方面|(?P<n2>\d+)方面".to_string()),
        (ClaimedFigure::Problems, format!(r"(?P<n>{NUM}){unit}(?:具体|反馈|突出|主要|存在)?问题")),
        (ClaimedFigure::Problems, format!(r"(?:反馈|具体)问题(?:共)?(?P<n>{NUM}){unit}")),
        (ClaimedFigure::Measures, format!(r"措施(?:共)?(?P<n>{NUM}){unit}")),
        (ClaimedFigure::Measures, format!(r"(?P<n>{NUM}){unit}(?:具体)?(?:整改)?措施")),
        (
            ClaimedFigure::Completed,
            format!(
                r"(?:已完成整改|完成整改|整改完成|已完成|已整改到位|已整改|整改到位|已销号|已办结)(?:问题)?(?P<n>{NUM}){unit}"
            ),
        ),
        (ClaimedFigure::Completed, format!(r"(?P<n>{NUM}){unit}(?:问题)?(?:已经|已)(?:完成|整改|销号|办结)")),
        (
            ClaimedFigure::InProgress,
            format!(
                r"(?:正在整改|正在推进|整改中|推进中|持续推进|正在落实|未完成|基本完成|阶段性完成)(?:问题)?(?P<n>{NUM}){unit}"
            ),
        ),
        (ClaimedFigure::InProgress, format!(r"(?P<n>{NUM}){unit}(?:问题)?(?:正在|仍在|持续)(?:整改|推进)")),
        (ClaimedFigure::CompletionRate, r"(?:完成率|整改率|销号率)(?:为|达|达到|是)?(?P<p>\d+(?:\.\d+)?)%".to_string()),
        (ClaimedFigure::Rules, format!(r"(?:规章制度|制度机制|制度)(?:共)?(?P<n>{NUM})(?:项|个|条|份|部|件)")),
        (
            ClaimedFigure::Funds,
            r"(?:清退|追缴|追回|收缴|挽回|清收|退还|退赔)[^。；，]{0,12}?(?P<a>\d+(?:\.\d+)?(?:亿|万)?余?元)"
                .to_string(),
        ),
        (ClaimedFigure::Accountability(String::new()), format!(r"(?P<k>{kinds})(?:处理)?(?P<n>{NUM})(?:人次|人|名)")),
        (
            ClaimedFigure::Accountability(String::new()),
            format!(r"(?P<n>{NUM})(?:人次|人|名)(?:干部)?(?:进行|受到|给予|予以|作出|被)?(?P<k>{kinds})"),
        ),
    ];
    specs.into_iter().map(|(f, p)| ClaimPattern { figure: fixed(f), regex: re(&p) }).collect()
});

/// The headline figures stated in one paragraph, in text order.
pub(crate) fn find_claims(text: &str) -> Vec<Claim> {
    let mut out: Vec<Claim> = Vec::new();
    for pattern in CLAIMS.iter() {
        for caps in pattern.regex.captures_iter(text) {
            let (Some(whole), Some(figure)) = (caps.get(0), (pattern.figure)(&caps)) else { continue };
            let value = if let Some(p) = caps.name("p") {
                match p.as_str().parse::<f64>() {
                    Ok(v) => ClaimValue::Percent(v),
                    Err(_) => continue,
                }
            } else if let Some(a) = caps.name("a") {
                match find_amounts(a.as_str()).first() {
                    Some(&w) => ClaimValue::Money(w),
                    None => continue,
                }
            } else if let Some(n) = caps.name("n").or_else(|| caps.name("n2")).and_then(|n| number(n.as_str())) {
                ClaimValue::Count(n)
            } else {
                continue;
            };
            let overlaps = out.iter().any(|c| c.start == whole.start() && c.figure == figure);
            if !overlaps {
                out.push(Claim { figure, value, start: whole.start(), excerpt: whole.as_str().to_string() });
            }
        }
    }
    out.sort_by_key(|c| c.start);
    out
}

/// Inspection facts from the opening sentences.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct InspectionFacts {
    pub inspector: Option<String>,
    pub start: Option<PartialDate>,
    pub end: Option<PartialDate>,
    pub feedback: Option<PartialDate>,
    pub round: Option<String>,
    pub kind: Option<String>,
    pub feedback_document: Option<String>,
    pub inspected: Option<String>,
}

static INSPECTOR: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?P<g>[^，。；、：\s“”（）()]{0,14}?(?:第[一二三四五六七八九十\d]+)?(?:专项|机动|联动|提级)?(?:巡察|巡视|审计|督查|督导)(?:工作)?组)",
    )
});
static PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?P<a>(?:\d{4}年)?\d{1,2}月(?:\d{1,2}[日号])?)(?:至|到|—|－|-|~|～)(?P<b>(?:\d{4}年)?\d{1,2}月(?:\d{1,2}[日号])?)",
    )
});
static ROUND: LazyLock<Regex> = LazyLock::new(|| re(r"(?P<r>[^，。；、\s]{0,10}第[一二三四五六七八九十\d]+轮)"));
static INSPECTED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"对(?P<u>[^，。；、\s]{2,40}?)(?:进行了|开展了|进行|开展)(?:为期[^，。]{1,8})?(?:常规|专项|机动|提级|联动)?(?:巡察|巡视|审计)",
    )
});

/// Reads the inspection facts from the sentences of the text before the problems.
pub(crate) fn inspection_facts(sentences: &[&str]) -> InspectionFacts {
    let mut f = InspectionFacts::default();
    let relevant = |s: &&&str| s.contains("巡察") || s.contains("巡视") || s.contains("审计");
    for s in sentences.iter().filter(relevant) {
        if f.inspector.is_none()
            && let Some(m) = INSPECTOR.captures(s).and_then(|c| c.name("g"))
        {
            let g = m.as_str().trim_start_matches(['由', '在', '据']);
            let issuer = ["委", "第", "中央", "省", "市", "区", "县", "局", "厅", "集团", "公司", "大学", "学院"];
            if g.chars().count() >= 3 && issuer.iter().any(|k| g.contains(k)) {
                f.inspector = Some(g.to_string());
                f.kind =
                    ["巡视", "巡察", "审计", "督查", "督导"].iter().find(|k| g.contains(*k)).map(|k| k.to_string());
            }
        }
        if f.round.is_none()
            && let Some(m) = ROUND.captures(s).and_then(|c| c.name("r"))
        {
            f.round = Some(m.as_str().to_string());
        }
        if f.inspected.is_none()
            && let Some(m) = INSPECTED.captures(s).and_then(|c| c.name("u"))
        {
            f.inspected = Some(m.as_str().to_string());
        }
        if f.start.is_none()
            && let Some(c) = PERIOD.captures(s)
        {
            let mut ctx = None;
            let a = c.name("a").map(|m| find_dates(m.as_str(), &mut ctx, None));
            let b = c.name("b").map(|m| find_dates(m.as_str(), &mut ctx, None));
            if let (Some([a]), Some([b])) = (a.as_deref(), b.as_deref())
                && a.explicit_year
            {
                f.start = Some(a.date);
                f.end = Some(b.date);
            }
        }
        if f.feedback.is_none()
            && let Some(pos) = s.find("反馈")
        {
            let mut ctx = f.end.map(|d| d.year_number());
            let dates = find_dates(s, &mut ctx, None);
            let period_end = PERIOD.find(s).map_or(0, |m| m.end());
            let before = dates.iter().rev().find(|d| d.end <= pos && d.start >= period_end);
            let after = dates.iter().find(|d| d.start >= pos);
            f.feedback = before.or(after).map(|d| d.date);
        }
        if f.feedback_document.is_none() {
            f.feedback_document = find_documents(s).into_iter().find(|d| d.contains("反馈"));
        }
    }
    if f.kind.is_none() {
        let text_has = |k: &str| sentences.iter().any(|s| s.contains(k));
        f.kind = ["巡视", "巡察", "审计"].iter().find(|k| text_has(k)).map(|k| k.to_string());
    }
    f
}

/// Public feedback channels.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct FoundContacts {
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub addresses: Vec<String>,
    pub postcodes: Vec<String>,
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| re(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"));
static PHONE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:（0\d{2,3}）|\(0\d{2,3}\)|0\d{2,3}[-—－ ]?)\d{7,8}(?:-\d{1,5})?|1[3-9]\d{9}|123\d{2}"));
static LABELLED_PHONE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:电话|热线|举报电话|传真)(?:号码)?(?:为|是)?：?(?P<p>\d{5,8})(?:[^\d]|$)"));
static POSTCODE: LazyLock<Regex> = LazyLock::new(|| re(r"(?:邮编|邮政编码)(?:为|是)?：?(?P<c>\d{6})(?:[^\d]|$)"));
static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?:通讯地址|通信地址|联系地址|来信地址|邮寄地址|信件地址|来信请寄|地址)(?:为|是)?：?(?P<a>[^，。；\n]+)")
});

/// Whether a paragraph looks like part of the contact block.
pub(crate) fn is_contact_text(text: &str) -> bool {
    ["电话", "热线", "邮箱", "电子信箱", "地址", "邮编", "邮政编码", "来信"].iter().any(|k| text.contains(k))
}

/// Adds the channels found in `text` to `out`, each once.
pub(crate) fn find_contacts(text: &str, out: &mut FoundContacts) {
    fn add(list: &mut Vec<String>, v: String) {
        if !v.is_empty() && !list.contains(&v) {
            list.push(v);
        }
    }
    let without_emails = EMAIL.replace_all(text, "　");
    for m in EMAIL.find_iter(text) {
        add(&mut out.emails, m.as_str().trim_end_matches('.').to_string());
    }
    for p in PHONE.find_iter(&without_emails) {
        let before = without_emails[..p.start()].chars().next_back();
        let after = without_emails[p.end()..].chars().next();
        let inside_number =
            before.is_some_and(|c| c.is_ascii_digit() || c == '-') || after.is_some_and(|c| c.is_ascii_digit());
        if !inside_number {
            add(&mut out.phones, p.as_str().replace(['—', '－'], "-").replace(['（', '）', '(', ')', ' '], ""));
        }
    }
    for caps in LABELLED_PHONE.captures_iter(&without_emails) {
        if let Some(p) = caps.name("p") {
            add(&mut out.phones, p.as_str().to_string());
        }
    }
    for caps in POSTCODE.captures_iter(text) {
        if let Some(c) = caps.name("c") {
            add(&mut out.postcodes, c.as_str().to_string());
        }
    }
    for caps in ADDRESS.captures_iter(&without_emails) {
        if let Some(a) = caps.name("a") {
            let mut addr = a.as_str();
            // An envelope note in brackets (信封上注明…) is not part of the address.
            if let Some(pos) = addr.find(['（', '(']).filter(|&p| p > 0) {
                addr = &addr[..pos];
            }
            let addr = addr.trim().trim_end_matches(['，', '、']);
            if addr.chars().count() >= 4 && !addr.starts_with(|c: char| c.is_ascii_digit() && addr.len() <= 6) {
                add(&mut out.addresses, addr.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_take_the_year_from_context() {
        let mut ctx = None;
        let found = find_dates("一是2024年4月完成立项；三是7月项目通过评审，10月30日召开会议", &mut ctx, Some(2020));
        let got: Vec<String> = found.iter().map(|d| d.date.to_string()).collect();
        assert_eq!(got, vec!["2024-04", "2024-07", "2024-10-30"]);
        let mut none = None;
        let found = find_dates("6月组织编制", &mut none, Some(2023));
        assert_eq!(found[0].date.to_string(), "2023-06");
        assert!(find_dates("为期3个月，每月一次", &mut None, Some(2023)).is_empty());
    }

    #[test]
    fn chinese_numeral_dates() {
        assert_eq!(date_only("二〇二四年七月二十三日").map(|d| d.to_string()).as_deref(), Some("2024-07-23"));
        assert_eq!(date_only("2024年7月23日").map(|d| d.to_string()).as_deref(), Some("2024-07-23"));
        assert_eq!(date_only("2024年7月23日召开"), None);
    }

    #[test]
    fn amounts_in_wan_yuan() {
        let a: Vec<String> =
            find_amounts("收缴6.1万元，支付3000元，共1.5亿元，约1,200元").iter().map(|w| w.to_string()).collect();
        assert_eq!(a, vec!["6.1万元", "0.3万元", "15000万元", "0.12万元"]);
    }

    #[test]
    fn claims_of_a_summary_sentence() {
        let claims = find_claims(
            "对照反馈的4个方面,30个具体问题，细化整改措施119条。通报批评3人，批评教育17人，整改完成率达95.5%",
        );
        let figures: Vec<_> = claims.iter().map(|c| (c.figure.clone(), c.value.clone())).collect();
        assert!(figures.contains(&(ClaimedFigure::Aspects, ClaimValue::Count(4))));
        assert!(figures.contains(&(ClaimedFigure::Problems, ClaimValue::Count(30))));
        assert!(figures.contains(&(ClaimedFigure::Measures, ClaimValue::Count(119))));
        assert!(figures.contains(&(ClaimedFigure::Accountability("通报批评".into()), ClaimValue::Count(3))));
        assert!(figures.contains(&(ClaimedFigure::Accountability("批评教育".into()), ClaimValue::Count(17))));
        assert!(figures.contains(&(ClaimedFigure::CompletionRate, ClaimValue::Percent(95.5))));
        let cn = find_claims("逐条梳理细化四个方面22个问题");
        assert_eq!(cn[0].value, ClaimValue::Count(4));
        assert!(find_claims("一方面加强学习，另一方面").is_empty());
    }

    #[test]
    fn inspection_from_the_opening_sentence() {
        let f = inspection_facts(&[
            "根据市委统一部署，市委第二巡察组于2021年11月1日至12月30日对中共某某局党组进行了巡察，并于2022年3月5日反馈了巡察意见",
        ]);
        assert_eq!(f.inspector.as_deref(), Some("市委第二巡察组"));
        assert_eq!(f.start.map(|d| d.to_string()).as_deref(), Some("2021-11-01"));
        assert_eq!(f.end.map(|d| d.to_string()).as_deref(), Some("2021-12-30"));
        assert_eq!(f.feedback.map(|d| d.to_string()).as_deref(), Some("2022-03-05"));
        assert_eq!(f.inspected.as_deref(), Some("中共某某局党组"));
    }

    #[test]
    fn contacts() {
        let mut c = FoundContacts::default();
        find_contacts(
            "联系电话：0123-5550101，0123-5550102，通讯地址：某某市某某路8号（信封上注明“意见建议”），电子邮箱12345678@qq.com，邮政编码：100001，举报电话12388",
            &mut c,
        );
        assert_eq!(c.phones, vec!["0123-5550101", "0123-5550102", "12388"]);
        assert_eq!(c.emails, vec!["12345678@qq.com"]);
        assert_eq!(c.addresses, vec!["某某市某某路8号"]);
        assert_eq!(c.postcodes, vec!["100001"]);
    }
}
