//! A problem's body: its enumerated measures (一是/二是, 第一, （1）, ①, 1.), its status
//! (整改状态：…) and the facts inside each measure.

use std::sync::LazyLock;

use rectify_domain::{Measure, NonEmptyText, PartialDate, Status};
use regex::Regex;

use crate::MeasureSpan;
use crate::extract::{self, number};
use crate::paragraphs::Para;

use super::headings::*;
use super::re;

/// The label of a status line; the status is the rest of the line.
pub(super) static STATUS_LINE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?:整改状态|完成情况|整改进度|目前状态|当前状态|整改结果|状态|完成状态|进展情况)："));
pub(super) static STATUS_INLINE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:整改状态|整改进度|完成状态|完成情况)：(?P<v>[^，。；\n]{1,12})[，。；]?"));
pub(super) static STATUS_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"[（(【\[](?P<v>已完成整改|已完成|完成|已整改|已销号|整改中|正在整改|正在推进|持续推进|长期坚持|长期整改|持续整改|基本完成|阶段性完成|未完成)[）)】\]]$",
    )
});
pub(super) static ENUM: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?P<ord>[一二三四五六七八九十]{1,3})是",
        r"|第(?P<first>[一二三四五六七八九十]{1,3})[，、：是]",
        r"|[（(](?P<paren>\d{1,2})[）)]",
        r"|(?P<circ>[①-⑳])",
        r"|(?P<ar>\d{1,2})[.、][^\d]"
    ))
});

/// Maps status words onto the four statuses a parsed ledger uses.
pub(super) fn status_from_text(text: &str) -> Option<Status> {
    let t = text.trim();
    let exact = Status::from_chinese(t).or_else(|| {
        let first = t.split(['，', '。', '；', ',', ' ']).next().unwrap_or(t);
        Status::from_chinese(first)
    });
    let status = match exact {
        Some(s) => s,
        None if t.chars().count() > 16 => return None,
        None if t.contains("长期") => Status::LongTerm,
        None if t.contains("未完成") || t.contains("基本完成") || t.contains("阶段性") || t.contains("推进") => {
            Status::InProgress
        }
        None if t.contains("完成") || t.contains("销号") || t.contains("办结") => Status::Completed,
        None if t.contains("整改中") || t.contains("正在") => Status::InProgress,
        None => return None,
    };
    Some(match status {
        Status::Completed | Status::PendingVerification => Status::Completed,
        Status::LongTerm => Status::LongTerm,
        Status::Unknown => Status::Unknown,
        _ => Status::InProgress,
    })
}

/// The measures of a problem, its status (with the line it was stated on) and any
/// un-enumerated lead-in text.
pub(super) struct ReadBody {
    pub(super) measures: Vec<(Measure, MeasureSpan)>,
    pub(super) status: Option<(Status, usize)>,
    pub(super) lead_in: Option<String>,
}

pub(super) const NOT_AFTER_BROKEN_NUMERAL: &str =
    "是年个项条次名人家处份月日十百千万种类批轮方面重会张定大季级期位号届天周点层线区小中部支所套台辆本篇场";

pub(super) fn read_body(body: &[Para], report_date: Option<PartialDate>, context_year: Option<i32>) -> ReadBody {
    let mut status = None;
    let mut text = String::new();
    let mut segs: Vec<(usize, usize)> = Vec::new();
    for p in body {
        let mut t = p.text.as_str();
        let status_label = STATUS_LINE.find(t).map(|m| m.end());
        if let Some(at) = status_label
            && let Some(s) = status_from_text(t.get(at..).unwrap_or_default())
        {
            status = Some((s, p.line()));
            continue;
        }
        let skipped = BODY_LABEL.find(t).map(|m| m.end()).or(status_label).unwrap_or(0);
        t = &t[skipped..];
        if t.trim().is_empty() {
            continue;
        }
        if !text.is_empty() {
            text.push('\n');
        }
        for &(o, l) in &p.segs {
            segs.push((text.len() + o.saturating_sub(skipped), l));
        }
        text.push_str(t);
    }
    // Inline status statements are removed from the measure text.
    let mut cleaned = String::with_capacity(text.len());
    let mut last = 0;
    for c in STATUS_INLINE.captures_iter(&text) {
        let (Some(whole), Some(v)) = (c.get(0), c.name("v")) else { continue };
        if let Some(s) = status_from_text(v.as_str()) {
            let line = line_at(&segs, whole.start());
            status = Some((s, line));
            cleaned.push_str(&text[last..whole.start()]);
            cleaned.push_str(&" ".repeat(whole.len()));
            last = whole.end();
        }
    }
    cleaned.push_str(&text[last..]);
    let text = cleaned;

    let markers = enumeration(&text);
    let mut measures = Vec::new();
    let mut year = None;
    let fallback = context_year;
    let mut push = |start: usize, end: usize, token: Option<String>, number: Option<u32>| {
        let raw = text.get(start..end).unwrap_or_default();
        let cleaned: String = raw.chars().filter(|&c| c != '\n').collect();
        let cleaned = cleaned
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .trim_start_matches(['：', '，', '、', ' '])
            .trim_end_matches(['；', '，', '、', ' '])
            .to_string();
        let Ok(body) = NonEmptyText::new(cleaned) else { return };
        let mut m = Measure::from_text(body);
        m.dates = extract::find_dates(&m.text, &mut year, fallback)
            .into_iter()
            .map(|d| if d.explicit_year { d.date } else { not_after(d.date, report_date) })
            .collect();
        m.amounts_wan_yuan = extract::find_amounts(&m.text);
        m.documents = extract::find_documents(&m.text);
        let line = line_at(&segs, start);
        measures.push((m, MeasureSpan { line, token, number }));
    };
    let lead_end = markers.first().map_or(text.len(), |m| m.start);
    let lead = text.get(..lead_end).unwrap_or_default().trim().trim_end_matches(['：', '，']).trim();
    let lead_in = if markers.is_empty() {
        push(0, text.len(), None, None);
        None
    } else {
        (lead.chars().count() >= 2).then(|| lead.replace('\n', ""))
    };
    for (k, m) in markers.iter().enumerate() {
        let end = markers.get(k + 1).map_or(text.len(), |n| n.start);
        push(m.end, end, Some(m.token.clone()), Some(m.number));
    }
    ReadBody { measures, status, lead_in }
}

/// A month and day whose year was guessed from the report's year cannot lie after the report:
/// "11月" in a report of January 2024 means November 2023.
pub(super) fn not_after(date: PartialDate, report_date: Option<PartialDate>) -> PartialDate {
    let Some(report) = report_date else { return date };
    if date.earliest() <= report.latest() {
        return date;
    }
    let year = date.year_number() - 1;
    let earlier = match date {
        PartialDate::Year(_) => PartialDate::year(year),
        PartialDate::Month(_, m) => PartialDate::month(year, m),
        PartialDate::Day(d) => PartialDate::day(year, chrono::Datelike::month(&d), chrono::Datelike::day(&d)),
    };
    earlier.unwrap_or(date)
}

pub(super) fn line_at(segs: &[(usize, usize)], offset: usize) -> usize {
    let idx = segs.partition_point(|&(o, _)| o <= offset);
    segs.get(idx.saturating_sub(1)).or(segs.first()).map_or(0, |s| s.1)
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Marker {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) token: String,
    pub(super) number: u32,
    pub(super) family: u8,
}

pub(super) fn at_boundary(text: &str, pos: usize) -> bool {
    text[..pos].chars().next_back().is_none_or(|c| {
        matches!(c, '\n' | '。' | '；' | '，' | '：' | '！' | '？' | '）' | ' ' | ';' | ',' | ':' | '、')
    })
}

/// The enumeration markers of a body: one family (一是 / 第一 / （1） / ① / 1.), in sequence.
pub(super) fn enumeration(text: &str) -> Vec<Marker> {
    let mut candidates: Vec<Marker> = Vec::new();
    for c in ENUM.captures_iter(text) {
        let Some(whole) = c.get(0) else { continue };
        let (family, value, end) = if let Some(m) = c.name("ord") {
            (0, number(m.as_str()), whole.end())
        } else if let Some(m) = c.name("first") {
            (1, number(m.as_str()), whole.end())
        } else if let Some(m) = c.name("paren") {
            (2, number(m.as_str()), whole.end())
        } else if let Some(m) = c.name("circ") {
            let v = m.as_str().chars().next().map(|ch| ch as u32 - '①' as u32 + 1);
            (3, v, whole.end())
        } else if let Some(m) = c.name("ar") {
            let token_end = m.end() + text[m.end()..].chars().next().map_or(0, char::len_utf8);
            let at_para_start = whole.start() == 0 || text[..whole.start()].ends_with('\n');
            if !at_para_start {
                continue;
            }
            (4, number(m.as_str()), token_end)
        } else {
            continue;
        };
        let Some(value) = value else { continue };
        if family != 3 && !at_boundary(text, whole.start()) {
            continue;
        }
        let token = text.get(whole.start()..end).unwrap_or_default().to_string();
        candidates.push(Marker { start: whole.start(), end, token, number: value, family });
    }
    let Some(family) = candidates.iter().find(|m| m.number == 1).map(|m| m.family) else { return Vec::new() };
    let mut accepted: Vec<Marker> = Vec::new();
    for m in candidates.into_iter().filter(|m| m.family == family) {
        let last = accepted.last().map_or(0, |a| a.number);
        if m.number == last + 1 || (m.number == 1 && last > 0) || (last > 0 && m.number == last + 2) {
            accepted.push(m);
        }
    }
    if family == 0 {
        add_broken_ordinals(text, &mut accepted);
    }
    accepted
}

/// `二是…。三对应收未收…`: a numeral that continues the 一是/二是 sequence at a sentence start
/// but lost its 是 still starts a measure.
pub(super) fn add_broken_ordinals(text: &str, accepted: &mut Vec<Marker>) {
    let mut k = 0;
    while k < accepted.len() {
        let here = &accepted[k];
        let next_number = accepted.get(k + 1).map(|n| n.number);
        let want = here.number + 1;
        if next_number == Some(want) || next_number == Some(1) && k + 1 < accepted.len() {
            k += 1;
            continue;
        }
        let gap_end = accepted.get(k + 1).map_or(text.len(), |n| n.start);
        let numeral = rectify_domain::numerals::to_chinese(want);
        let gap = text.get(here.end..gap_end).unwrap_or_default();
        let found = gap.match_indices(numeral.as_str()).find(|&(i, _)| {
            let abs = here.end + i;
            let before = text[..abs].chars().next_back();
            let after = text[abs + numeral.len()..].chars().next();
            matches!(before, Some('。' | '；' | '\n'))
                && after.is_some_and(|c| crate::normalize::is_han(c) && !NOT_AFTER_BROKEN_NUMERAL.contains(c))
        });
        if let Some((i, _)) = found {
            let start = here.end + i;
            let m = Marker { start, end: start + numeral.len(), token: numeral, number: want, family: 0 };
            accepted.insert(k + 1, m);
        }
        k += 1;
    }
}
