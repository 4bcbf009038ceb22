//! Facts inside sentences: dates, amounts, named documents, headline figures, inspection facts
//! and contact channels. All patterns are compiled once.

use std::sync::LazyLock;

use rectify_domain::numerals::parse_chinese;
use rectify_domain::{PartialDate, WanYuan};
use regex::Regex;

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
    // Every form has an ASCII digit or 年; most sentences have neither.
    if !text.bytes().any(|b| b.is_ascii_digit()) && !text.contains('年') {
        return out;
    }
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
    if !text.contains('元') {
        return Vec::new();
    }
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
    if !text.contains('《') {
        return out;
    }
    for m in DOCUMENT.find_iter(text) {
        if !out.iter().any(|d| d == m.as_str()) {
            out.push(m.as_str().to_string());
        }
    }
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

/// An inspection team: its issuer (中央, 省委, 市委, 区委, 教育部 …), anything the issuer adds
/// (医疗卫生领域), its number and form (第五, 机动, 专项) and 巡视组 / 巡察组 / 巡察二组.
static INSPECTOR: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?P<issuer>中央|省委|市委|区委|县委|州委|盟委|旗委|党委|党组|部|厅|局|集团|公司|大学|学院|学校)",
        r"(?P<mid>[^，。；：、\s“”（(《》委和与及的对在]{0,20}?)",
        r"(?:第[一二三四五六七八九十\d]{1,3})?(?:专项|机动|联动|提级|交叉)?(?:巡察|巡视)(?:[一二三四五六七八九十\d]{1,3})?组"
    ))
});

/// Words after which a run of characters before an issuer is no longer part of its name.
pub(crate) const NAME_STOPS: [&str; 30] = [
    "根据", "按照", "落实", "确保", "迎接", "配合", "接受", "核实", "召开", "对", "由", "向", "在", "于", "据", "为",
    "经", "和", "与", "及", "的", "是", "将", "把", "被", "就", "了", "同", "受", "派",
];

/// A name without what a sentence put before it: `会议由院党委` → `院党委`.
pub(crate) fn trim_name_start(name: &str) -> &str {
    let cut = NAME_STOPS.iter().filter_map(|w| name.rfind(w).map(|i| i + w.len())).max().unwrap_or(0);
    let rest = &name[cut..];
    if rest.chars().count() >= 2 { rest } else { name }
}

/// The inspection teams named in a sentence, as printed, with a place name before a bare
/// issuer (`兴宁` + `市委机动巡察一组`) or the name of a department (`教育部` …) kept.
pub(crate) fn find_inspectors(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for c in INSPECTOR.captures_iter(s) {
        let (Some(whole), Some(issuer)) = (c.get(0), c.name("issuer")) else { continue };
        let needs_name = !matches!(issuer.as_str(), "中央");
        let mut start = whole.start();
        if needs_name {
            let before = &s[..start];
            let run_start = before
                .char_indices()
                .rev()
                .take_while(|&(_, ch)| crate::normalize::is_han(ch))
                .last()
                .map_or(start, |(i, _)| i);
            let run = &before[run_start..];
            if run.chars().count() <= 8 {
                let cut = NAME_STOPS.iter().filter_map(|w| run.rfind(w).map(|i| i + w.len())).max().unwrap_or(0);
                start = run_start + cut;
            }
        }
        let name = &s[start..whole.end()];
        let bare_issuer =
            start == whole.start() && matches!(issuer.as_str(), "部" | "厅" | "局" | "集团" | "公司" | "党委" | "党组");
        if !bare_issuer && name.chars().count() >= 4 {
            out.push(name.to_string());
        }
    }
    out
}

static PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?P<a>(?:\d{4}年)?\d{1,2}月(?:\d{1,2}[日号])?)(?:至|到|—|－|-|~|～)(?P<b>(?:\d{4}年)?\d{1,2}月(?:\d{1,2}[日号])?)",
    )
});
static ROUND: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?P<r>(?:[一二三四五六七八九十]{1,3}届)?(?:中央|省委|市委|区委|县委|州委|旗委|校党委|党委)?第[一二三四五六七八九十\d]{1,3}轮",
        r"|(?:中央|省委|市委|区委|县委|州委|旗委|党委)[一二三四五六七八九十](?:、[一二三四五六七八九十])+轮)"
    ))
});
static INSPECTED: LazyLock<Regex> = LazyLock::new(|| {
    re(r"对(?P<u>[^，。；、\s\d]{2,40}?)(?:进行了|开展了|进行|开展)[^，。；]{0,16}?(?:巡察|巡视|审计)")
});

/// Reads the inspection facts from the sentences of the text before the problems.
pub(crate) fn inspection_facts(sentences: &[&str]) -> InspectionFacts {
    let mut f = InspectionFacts::default();
    let relevant = |s: &&&str| s.contains("巡察") || s.contains("巡视") || s.contains("审计");
    // The team of the sentence that tells the inspection (…组对…进行了巡察) comes first; a team
    // only mentioned (落实市委巡察组反馈意见) is a fallback.
    let act = |s: &str| s.contains('对') && (s.contains("进行") || s.contains("开展"));
    let teams = |want_act: bool| {
        sentences
            .iter()
            .filter(relevant)
            .filter(|s| act(s) == want_act)
            .find_map(|s| find_inspectors(s).into_iter().next())
    };
    if let Some(g) = teams(true).or_else(|| teams(false)) {
        f.kind = ["巡视", "巡察"].iter().find(|k| g.contains(*k)).map(|k| k.to_string());
        f.inspector = Some(g);
    }
    for s in sentences.iter().filter(relevant) {
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
