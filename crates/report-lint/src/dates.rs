//! `date_after_report`: work described as done at a date later than the report's own date.

use std::sync::LazyLock;

use rectify_domain::PartialDate;
use regex::Regex;

use crate::structure::{Outline, re};
use crate::text::{Doc, number};
use crate::{Defect, DefectKind};

static DATE: LazyLock<Regex> =
    LazyLock::new(|| re(r"([0-9]{4})[ \t]*年(?:[ \t]*([0-9]{1,2})[ \t]*月(?:[ \t]*([0-9]{1,2})[ \t]*日)?)?"));
/// A signature date alone on its line, in Arabic or Chinese numerals (GB/T 9704 成文日期).
static DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^[ \t\u{3000}]*([0-9]{4}|[〇○零一二三四五六七八九]{4})[ \t]*年[ \t]*([0-9]{1,2}|[一二三四五六七八九十]{1,3})[ \t]*月[ \t]*([0-9]{1,2}|[一二三四五六七八九十]{1,3})[ \t]*日[ \t\u{3000}]*$",
    )
});

/// Words that make a sentence a plan or a deadline rather than a report of work done.
const PLANNED: [&str; 20] = [
    "计划",
    "时限",
    "截止",
    "时间节点",
    "拟",
    "将",
    "预计",
    "力争",
    "争取",
    "下一步",
    "目标",
    "预期",
    "准备",
    "期限",
    "力求",
    "要求",
    "确保",
    "之前",
    "以前",
    "以后",
];
/// Words that report work as done.
const DONE: [&str; 15] = [
    "完成", "已", "建成", "办结", "实现", "召开", "开展", "印发", "出台", "通过", "制定", "修订", "举办", "组织", "了",
];
/// Words right after a date that make it a deadline or a starting point (2024年9月底前, 2025年1月起).
const DEADLINE_AFTER: [&str; 9] = ["前", "底前", "起", "以前", "之前", "以后", "之后", "后", "内"];
/// Part headings whose whole text is about the future.
const FUTURE_PARTS: [&str; 5] = ["下一步", "计划", "打算", "展望", "安排"];

/// The signature date: the last date standing alone on a line near the end of the report.
pub(crate) fn report_date(doc: &Doc) -> Option<PartialDate> {
    doc.lines().iter().rev().filter(|l| !l.trim().is_empty()).take(12).find_map(|line| {
        let caps = DATE_LINE.captures(line)?;
        let part = |i: usize| caps.get(i).and_then(|m| number(m.as_str()));
        let year = i32::try_from(part(1)?).ok()?;
        PartialDate::day(year, part(2)?, part(3)?).ok()
    })
}

pub(crate) fn check(doc: &Doc, outline: &Outline, report_date: PartialDate, out: &mut Vec<Defect>) {
    let text = doc.text();
    let limit = report_date.latest();
    for caps in DATE.captures_iter(text) {
        let (Some(whole), Some(year)) = (caps.get(0), caps.get(1)) else { continue };
        let Ok(y) = year.as_str().parse::<i32>() else { continue };
        let month = caps.get(2).and_then(|m| m.as_str().parse::<u32>().ok());
        let day = caps.get(3).and_then(|m| m.as_str().parse::<u32>().ok());
        let before = text.get(..whole.start()).unwrap_or_default();
        let after = text.get(whole.end()..).unwrap_or_default();
        let date = match (month, day) {
            (Some(m), Some(d)) => PartialDate::day(y, m, d),
            (Some(m), None) => PartialDate::month(y, m),
            // A bare year is a date only in "于2025年完成"; "2025年度预算" names a budget year.
            (None, _) if before.ends_with('于') && !after.starts_with('度') => PartialDate::year(y),
            (None, _) => continue,
        };
        let Ok(date) = date else { continue };
        if date.earliest() <= limit {
            continue;
        }
        if outline.part_heading_before(doc, whole.start()).is_some_and(|h| FUTURE_PARTS.iter().any(|w| h.contains(w))) {
            continue;
        }
        let sentence = sentence_around(text, whole.start(), whole.end());
        let after = after.trim_start();
        let before = before.trim_end();
        // 到/至/在 2024年9月 set a deadline; 截至 2024年9月 reports a state at that date.
        let deadline = DEADLINE_AFTER.iter().any(|w| after.starts_with(w))
            || before.ends_with(['到', '在'])
            || (before.ends_with('至') && !before.ends_with("截至"));
        // A plan word before the date in its own clause makes it a plan (计划于2025年6月完成); one
        // elsewhere in the sentence only when the date's clause does not itself report the work as
        // done (统筹谋划发展规划，于2024年1月编制完成 reports a plan document finished).
        let clause = clause_around(text, whole.start(), whole.end());
        let clause_before = clause_before(text, whole.start());
        let planned = PLANNED.iter().any(|w| clause_before.contains(w))
            || (PLANNED.iter().any(|w| sentence.contains(w)) && !DONE.iter().any(|w| clause.contains(w)));
        if deadline || planned || !DONE.iter().any(|w| sentence.contains(w)) {
            continue;
        }
        out.push(Defect::new(
            DefectKind::DateAfterReport,
            doc.line_number(whole.start()),
            doc.excerpt_at(whole.start()),
            format!(
                "{} is later than the report date {} but the text gives the work as done; correct the date or \
                 word it as a plan",
                date.to_chinese(),
                report_date.to_chinese()
            ),
        ));
    }
}

/// The sentence (between 。；！？ or line breaks) holding `start..end`.
fn sentence_around(text: &str, start: usize, end: usize) -> &str {
    around(text, start, end, |c| matches!(c, '。' | '；' | ';' | '！' | '？' | '!' | '?' | '\n'))
}

/// The clause (between commas or sentence ends) holding `start..end`.
fn clause_around(text: &str, start: usize, end: usize) -> &str {
    around(text, start, end, |c| matches!(c, '。' | '；' | ';' | '！' | '？' | '!' | '?' | '\n' | '，' | ','))
}

/// The clause holding `start` up to `start`: the words that govern a date (计划于, 力争, 将).
fn clause_before(text: &str, start: usize) -> &str {
    let is_end = |c: char| matches!(c, '。' | '；' | ';' | '！' | '？' | '!' | '?' | '\n' | '，' | ',');
    let before = text.get(..start).unwrap_or_default();
    let from = before.char_indices().rev().find(|(_, c)| is_end(*c)).map_or(0, |(i, c)| i + c.len_utf8());
    before.get(from..).unwrap_or_default()
}

fn around(text: &str, start: usize, end: usize, is_end: impl Fn(char) -> bool) -> &str {
    let from = text
        .get(..start)
        .and_then(|b| b.char_indices().rev().find(|(_, c)| is_end(*c)))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let to = text.get(end..).and_then(|a| a.find(&is_end)).map_or(text.len(), |i| end + i);
    text.get(from..to).unwrap_or_default()
}
