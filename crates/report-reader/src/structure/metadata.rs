//! Facts around the problems: title, unit, report date, the kind of text and of inspection.

use std::ops::Range;
use std::sync::LazyLock;

use rectify_domain::{InspectionKind, PartialDate};
use regex::Regex;

use super::re;
use crate::Genre;
use crate::extract;
use crate::paragraphs::{Para, is_marker_start};

/// Collects the facts that come before and after the problems.
pub(super) struct Frame {
    pub(super) title: Option<(String, usize)>,
    pub(super) unit: Option<(String, usize)>,
    pub(super) report_date: Option<(PartialDate, usize)>,
}

pub(super) const UNIT_SUFFIXES: [&str; 14] = [
    "党组",
    "党委",
    "党工委",
    "党总支",
    "党支部",
    "委员会",
    "办公室",
    "局",
    "委",
    "院",
    "中心",
    "公司",
    "集团",
    "学校",
];

pub(super) fn looks_like_unit(s: &str) -> bool {
    let n = s.chars().count();
    (4..=40).contains(&n) && UNIT_SUFFIXES.iter().any(|x| s.ends_with(x)) && !s.contains(['，', '。', '：'])
}

pub(super) fn frame(paras: &[Para], header: &Range<usize>, trailer: &Range<usize>, meta: &[(usize, String)]) -> Frame {
    let title_words = ["通报", "报告", "情况", "公告", "公示", "公开"];
    let mut title = None;
    for i in header.clone() {
        let t = &paras[i].text;
        if t.contains(['，', '。']) || is_marker_start(t) || t.chars().count() > 80 {
            continue;
        }
        if title_words.iter().any(|w| t.contains(w)) {
            let mut text = t.clone();
            let mut line = paras[i].line();
            if let Some(prev) = i.checked_sub(1).filter(|&j| j >= header.start).map(|j| &paras[j])
                && t.starts_with("关于")
                && looks_like_unit(&prev.text)
            {
                text = format!("{}{}", prev.text, t);
                line = prev.line();
            }
            title = Some((text, line));
            break;
        }
    }
    let date_in = |range: Range<usize>, last: bool| {
        let mut it = range.filter_map(|i| extract::date_only(&paras[i].text).map(|d| (d, i)));
        if last { it.next_back() } else { it.next() }
    };
    let dated = date_in(trailer.clone(), true).or_else(|| date_in(header.clone(), false));
    let report_date = dated.map(|(d, i)| (d, paras[i].line())).or_else(|| {
        meta.iter().find_map(|(line, text)| {
            let mut ctx = None;
            extract::find_dates(text, &mut ctx, None).into_iter().find(|d| d.explicit_year).map(|d| (d.date, *line))
        })
    });
    let signature = dated
        .and_then(|(_, i)| i.checked_sub(1))
        .and_then(|j| paras.get(j))
        .filter(|p| looks_like_unit(&p.text))
        .map(|p| (p.text.clone(), p.line()));
    let from_title = title.as_ref().and_then(|(t, line)| {
        let pos = t.find("关于").filter(|&p| p > 0)?;
        let unit = t[..pos].trim();
        looks_like_unit(unit).then(|| (unit.to_string(), *line))
    });
    Frame { title, unit: from_title.or(signature), report_date }
}

pub(super) fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split(['。', '；']).filter(|s| !s.trim().is_empty())
}

/// A line telling the session an audit report was delivered at (——2021年12月23日在…人民代表大会
/// 常务委员会…会议上), with a date that may have lost its 年/月 (`--20211228日`).
fn session_date(text: &str) -> Option<PartialDate> {
    static COMPACT: LazyLock<Regex> = LazyLock::new(|| re(r"(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)日"));
    let t = text.trim_start_matches(['—', '-', '－', ' ']);
    let session = ["会议", "会上", "人民代表大会", "常务委员会", "人大常委会"];
    // Without its dash the line still opens with the date and says where: 2018年11月22日在…会议上
    // (a short line, not a sentence of the report that tells of a session).
    let dashed = t.len() != text.len();
    let bare = t.starts_with(|c: char| c.is_ascii_digit())
        && t.contains("日在")
        && !t.contains('。')
        && t.chars().count() <= 60;
    if !(dashed || bare) || !session.iter().any(|w| t.contains(w)) {
        return None;
    }
    let mut ctx = None;
    let found = extract::find_dates(t, &mut ctx, None).into_iter().find(|d| d.explicit_year).map(|d| d.date);
    found.or_else(|| {
        let c = COMPACT.captures(t)?;
        let n = |k: &str| c.name(k).and_then(|m| m.as_str().parse::<u32>().ok());
        PartialDate::day(i32::try_from(n("y")?).ok()?, n("m")?, n("d")?).ok()
    })
}

/// A web page's publication stamp inside the text: `2022-03-04 10:01:31`, `2021年04月21日07:25`.
fn stamp_date(text: &str) -> Option<PartialDate> {
    static STAMP: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?P<d>\d{4}-\d{1,2}-\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日)\s*\d{1,2}:\d{2}"));
    if text.chars().count() > 100 {
        return None;
    }
    let d = STAMP.captures(text)?.name("d")?;
    let mut ctx = None;
    extract::find_dates(d.as_str(), &mut ctx, None).into_iter().find(|d| d.explicit_year).map(|d| d.date)
}

/// The day a news item opens with (7月7日下午，…), its year taken from the dates the text
/// writes out: the event is told after them (an inspection of 2020年11月 makes 7月7日 fall in
/// 2021). `None` when the text writes no year (虎年 is outside knowledge).
fn opening_date(paras: &[Para]) -> Option<(PartialDate, usize)> {
    static OPENING: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?:^|，)(?P<m>\d{1,2})月(?P<d>\d{1,2})日(?:上午|下午|晚上|晚|早上)?[，,]"));
    static DOC_YEAR: LazyLock<Regex> = LazyLock::new(|| re(r"[〔\[［](?P<y>(?:19|20)\d{2})[〕\]］]"));
    let first = paras.iter().position(|p| p.text.contains('。'))?;
    let p = &paras[first];
    let first_sentence = p.text.split('。').next().unwrap_or_default();
    let c = OPENING.captures(first_sentence)?;
    let n = |k: &str| c.name(k).and_then(|m| m.as_str().parse::<u32>().ok());
    let (m, d) = (n("m")?, n("d")?);
    let mut latest: Option<PartialDate> = None;
    for q in paras {
        let mut ctx = None;
        let explicit =
            extract::find_dates(&q.text, &mut ctx, None).into_iter().filter(|d| d.explicit_year).map(|d| d.date);
        let doc_years = DOC_YEAR
            .captures_iter(&q.text)
            .filter_map(|c| c.name("y").and_then(|y| y.as_str().parse::<i32>().ok()))
            .filter_map(|y| PartialDate::year(y).ok());
        for date in explicit.chain(doc_years) {
            if latest.is_none_or(|l| date.earliest() > l.earliest()) {
                latest = Some(date);
            }
        }
    }
    let latest = latest?;
    let year = latest.year_number();
    let date = PartialDate::day(year, m, d).ok()?;
    let date = if date.latest() < latest.earliest() { PartialDate::day(year + 1, m, d).ok()? } else { date };
    Some((date, p.line()))
}

/// More places a report date is written: an audit report's session line, a publication stamp,
/// the day a news item opens with. With the source, for the explanation.
pub(super) fn other_report_date(paras: &[Para], header: &Range<usize>) -> Option<(PartialDate, usize, &'static str)> {
    let early = &paras[..paras.len().min(header.end.max(6))];
    early
        .iter()
        .find_map(|p| session_date(&p.text).map(|d| (d, p.line(), "审计报告的会议行")))
        .or_else(|| early.iter().find_map(|p| stamp_date(&p.text).map(|d| (d, p.line(), "网页发布时间"))))
        .or_else(|| opening_date(paras).map(|(d, line)| (d, line, "新闻开头的日期（年份取自文中所写日期）")))
}

/// Lexical cues of a report across many units: counted units (11家市属国有企业), inspected
/// organisations in the plural, the audit bodies of a whole region.
static AGGREGATE: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"\d+家[^，。；\d]{0,12}?(?:单位|企业|国企)",
        r"|被巡察党组织和单位|被巡视党组织和单位|各被巡察|各被巡视",
        r"|审计机关累计|全(?:区|市|省|县|国)审计机关",
        r"|\d+个(?:中央和国家机关|地方、单位|地方和单位)"
    ))
});

/// Lexical cues of an audit report to a people's congress.
fn is_audit_report(paras: &[Para], title: Option<&str>) -> bool {
    let early = &paras[..paras.len().min(8)];
    title.is_some_and(|t| t.contains("审计") && t.contains("报告"))
        || early.iter().any(|p| {
            let t = &p.text;
            (t.contains("审计查出") || t.contains("审计工作报告") || t.contains("审计发现"))
                && (t.contains("整改情况") || t.contains("人大常委会"))
                || (t.contains("人民代表大会") && t.contains("会议"))
                || session_date(t).is_some()
        })
}

/// The kind of text, from lexical cues: an audit report; a unit's report (a unit in its title
/// or signature, or parts 一、二、); an aggregate of many units; else news.
pub(super) fn genre(paras: &[Para], title: Option<&str>, strong_unit: bool, has_parts: bool) -> (Genre, String) {
    if is_audit_report(paras, title) {
        return (Genre::AuditReport, "标题或开头有审计整改报告的用语（审计查出问题、人大常委会会议）".to_string());
    }
    if strong_unit {
        return (Genre::UnitReport, "标题或落款写明单位".to_string());
    }
    if let Some(m) = paras.iter().find_map(|p| AGGREGATE.find(&p.text)) {
        return (Genre::Aggregate, format!("涉及多个单位（“{}”）", m.as_str()));
    }
    if has_parts {
        return (Genre::UnitReport, "有“一、二、”部分标题".to_string());
    }
    (Genre::News, "无部分标题、无单位落款".to_string())
}

/// Where the unit of a text without a title or signature is named: the audit bureau of the
/// speaker line, the subject of a news item's opening (X党委召开…, X在…召开), the place a
/// check went to (到X镇开展…), a secretary's organisation (X党组书记).
pub(super) fn unit_in_text(paras: &[Para]) -> Option<(String, usize, &'static str)> {
    static SPEAKER: LazyLock<Regex> =
        LazyLock::new(|| re(r"^(?P<u>\p{Han}{1,20}?(?:审计局|审计厅|审计署))(?:党组书记、)?副?(?:局长|厅长|审计长)"));
    static CONVENER: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"^(?P<u>\p{Han}{2,20}?(?:党委|党组|党工委|党总支|镇|乡|街道|公司|集团|局|医院|学院))(?:在[^，。]{1,30}?)?召开",
        )
    });
    static VISITED: LazyLock<Regex> =
        LazyLock::new(|| re(r"到(?P<u>\p{Han}{2,12}?(?:镇|乡|街道|公司|集团|学院|医院))开展"));
    static SECRETARY: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?:^|[^\p{Han}])(?P<u>\p{Han}{4,24}?(?:党组|党委|党工委))书记"));
    let early = &paras[..paras.len().min(8)];
    let find = |re: &Regex, clauses: bool| {
        early.iter().find_map(|p| {
            let hit = if clauses {
                p.text.split(['，', '。', '；']).find_map(|c| re.captures(c.trim()).and_then(|c| c.name("u")))
            } else {
                re.captures(&p.text).and_then(|c| c.name("u"))
            };
            hit.map(|u| (extract::trim_name_start(u.as_str()).to_string(), p.line()))
        })
    };
    // The speaker opens a line (市审计局局长 李火生) or a clause (受省政府委托，11月24日，省审计厅厅长…作了报告).
    find(&SPEAKER, true)
        .map(|(u, l)| (u, l, "审计报告的报告人行"))
        .or_else(|| find(&CONVENER, true).map(|(u, l)| (u, l, "新闻开头召开会议的单位")))
        .or_else(|| find(&VISITED, false).map(|(u, l)| (u, l, "督查、回访所到的单位")))
        .or_else(|| find(&SECRETARY, false).map(|(u, l)| (u, l, "书记所在的党组织")))
}

/// 巡视, 巡察 or 审计: an audit report's; else the more frequent of 巡视 and 巡察 (the title
/// counts thrice); else 审计 when the text speaks of audits.
pub(super) fn kind_of(genre: Genre, paras: &[Para], title: Option<&str>) -> Option<InspectionKind> {
    if genre == Genre::AuditReport {
        return Some(InspectionKind::Audit);
    }
    // One pass over the text: 巡 followed by 视 or 察.
    let count = |t: &str, weight: usize, acc: &mut (usize, usize)| {
        for (i, _) in t.match_indices('巡') {
            match t[i + '巡'.len_utf8()..].chars().next() {
                Some('视') => acc.0 += weight,
                Some('察') => acc.1 += weight,
                _ => {}
            }
        }
    };
    let mut acc = (0, 0);
    for p in paras {
        count(&p.text, 1, &mut acc);
    }
    count(title.unwrap_or_default(), 2, &mut acc);
    let (xunshi, xuncha) = acc;
    if xunshi + xuncha > 0 {
        return Some(if xunshi > xuncha { InspectionKind::Xunshi } else { InspectionKind::Xuncha });
    }
    paras.iter().any(|p| p.text.contains("审计")).then_some(InspectionKind::Audit)
}
