//! The report's outline (一、 / （一） / 1. / （1） headings), numbered sequences, problem blocks
//! and their enumerated measures (一是、二是…). Feeds `numbering_gap`, `broken_enumeration`, the
//! glued-heading `page_break_artifact` and the counts compared with claimed figures.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::text::{Doc, is_ideograph, number};
use crate::{Defect, DefectKind};

/// Heading levels of GB/T 9704 bodies: 一、 then （一） then 1. then （1）.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Level {
    Part,
    Section,
    Item,
    Sub,
}

impl Level {
    const ALL: [Level; 4] = [Level::Part, Level::Section, Level::Item, Level::Sub];

    fn index(self) -> usize {
        self as usize
    }

    fn label(self, n: u32) -> String {
        let zh = rectify_domain::numerals::to_chinese(n);
        match self {
            Level::Part => format!("{zh}、"),
            Level::Section => format!("（{zh}）"),
            Level::Item => format!("{n}."),
            Level::Sub => format!("（{n}）"),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Level::Part => "part headings (一、二、…)",
            Level::Section => "section headings (（一）（二）…)",
            Level::Item => "numbered items (1. 2. …)",
            Level::Sub => "sub-items (（1）（2）…)",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Heading {
    pub level: Level,
    pub number: u32,
    /// Offset in the flat text where the heading starts.
    pub offset: usize,
    /// The heading starts in the middle of a line, after the previous item's last sentence.
    pub glued: bool,
}

/// One problem of the problems part: a numbered item, or the body of an aspect that has none.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub range: Range<usize>,
    pub numbered: bool,
}

/// An enumeration marker 一是/二是… (or a broken one such as 三加强…) at `offset`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Marker {
    pub offset: usize,
    /// Where the numeral ends (the enumeration resumes after it).
    pub end: usize,
    pub ordinal: u32,
    pub broken: bool,
}

pub(crate) struct Outline {
    pub headings: Vec<Heading>,
    pub problems: Vec<Problem>,
    /// Section headings (aspects) of the part that holds the problems.
    pub aspects: usize,
    /// Offset of the first problem; the headline figures are stated before it.
    pub summary_end: usize,
    pub markers: Vec<Marker>,
    pub enumeration_gaps: Vec<EnumerationGap>,
}

const INDENT: &str = r"[ \t\u{3000}]*(?:\*\*)?";

static PART: LazyLock<Regex> = LazyLock::new(|| re(&format!(r"^{INDENT}([一二三四五六七八九十]{{1,3}})[ \t]*、")));
static SECTION: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"^{INDENT}[（(][ \t]*([一二三四五六七八九十]{{1,3}})[ \t]*[）)]")));
static ITEM: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"^{INDENT}([0-9]{{1,3}})[ \t]*[.．、](?:\*\*)?[ \t]*(?:[^0-9\s]|$)")));
static SUB: LazyLock<Regex> = LazyLock::new(|| re(&format!(r"^{INDENT}[（(]([0-9]{{1,3}})[）)]")));
/// An item number right after the end of the previous sentence on the same line.
static GLUED: LazyLock<Regex> =
    LazyLock::new(|| re(r"[。；;！？!?][ \t\u{3000}]*([0-9]{1,3})[ \t]*[.．][ \t]*[^0-9\s]"));
/// 一是、二是… after a boundary; the boundary keeps 统一是 or 唯一是 out.
static MARKER: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?m)(?:^|[。；;：:，,、\s*（(])([一二三四五六七八九十]{1,3})是"));
/// A numeral opening a sentence; compared with the marker the enumeration expects next.
static SENTENCE_NUMERAL: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?m)(?:^|[。；;：:])[ \t\u{3000}]*(?:\*\*)?([一二三四五六七八九十]{1,3})(.)"));

pub(crate) fn re(pattern: &str) -> Regex {
    // The patterns are constants of this crate; a typo is caught by every test run.
    Regex::new(pattern).unwrap_or_else(|e| panic!("invalid built-in pattern {pattern}: {e}"))
}

/// Characters that, after a numeral, make it a quantity (三年、三个、三项) rather than a
/// mis-typed enumeration marker.
fn is_quantity_char(c: char) -> bool {
    "是要个年月日天周项条次名人家位处份件所批类级点种十百千万亿届期轮方重大小中〇零者手套把番层倍".contains(c)
        || !is_ideograph(c)
}

fn heading_at_line_start(line: &str) -> Option<(Level, u32)> {
    let patterns: [(&Regex, Level); 4] =
        [(&PART, Level::Part), (&SECTION, Level::Section), (&ITEM, Level::Item), (&SUB, Level::Sub)];
    patterns.iter().find_map(|(pattern, level)| {
        let n = pattern.captures(line)?.get(1)?.as_str();
        Some((*level, number(n)?))
    })
}

/// Whether `line` starts with a heading number of any level.
pub(crate) fn starts_with_heading(line: &str) -> bool {
    heading_at_line_start(line).is_some()
}

impl Outline {
    pub(crate) fn new(doc: &Doc) -> Self {
        let headings = scan_headings(doc);
        let segments = segments(doc, &headings);
        let mut markers = Vec::new();
        let mut enumeration_gaps = Vec::new();
        for segment in &segments {
            let (found, gaps) = enumeration(doc, segment.clone());
            markers.extend(found);
            enumeration_gaps.extend(gaps);
        }
        let (problems, aspects) = problems(doc, &headings);
        let summary_end = problems.first().map_or(doc.text().len(), |p| p.range.start);
        Self { headings, problems, aspects, summary_end, markers, enumeration_gaps }
    }

    /// Enumerated measures of one problem: its markers (broken ones included), or one measure
    /// for an un-enumerated text.
    pub(crate) fn measures_in(&self, problem: &Problem) -> usize {
        self.markers.iter().filter(|m| problem.range.contains(&m.offset)).count().max(1)
    }

    /// The text of the part heading the offset stands under, if any.
    pub(crate) fn part_heading_before<'d>(&self, doc: &'d Doc, offset: usize) -> Option<&'d str> {
        let heading = self.headings.iter().rev().find(|h| h.level == Level::Part && h.offset <= offset)?;
        doc.lines().get(doc.line_index(heading.offset)).map(String::as_str)
    }

    pub(crate) fn check(&self, doc: &Doc, out: &mut Vec<Defect>) {
        self.check_numbering(doc, out);
        for heading in self.headings.iter().filter(|h| h.glued) {
            out.push(Defect::new(
                DefectKind::PageBreakArtifact,
                doc.line_number(heading.offset),
                doc.excerpt_at(heading.offset),
                format!(
                    "item {} starts in the middle of a line, glued to the end of item {}: a lost line break; \
                     start it on a line of its own",
                    heading.number,
                    heading.number.saturating_sub(1)
                ),
            ));
        }
        for gap in &self.enumeration_gaps {
            let zh = rectify_domain::numerals::to_chinese;
            let missing = if gap.found == gap.expected + 1 {
                format!("{}是", zh(gap.expected))
            } else {
                format!("{}是–{}是", zh(gap.expected), zh(gap.found - 1))
            };
            out.push(Defect::new(
                DefectKind::NumberingGap,
                doc.line_number(gap.offset),
                doc.excerpt_at(gap.offset),
                format!(
                    "the enumeration 一是、二是… goes on with {}是 where {} was expected ({missing} not printed). \
                     A public report may leave out what it cannot disclose; otherwise a measure was lost or \
                     misnumbered",
                    zh(gap.found),
                    format_args!("{}是", zh(gap.expected))
                ),
            ));
        }
        for marker in self.markers.iter().filter(|m| m.broken) {
            let expected = rectify_domain::numerals::to_chinese(marker.ordinal);
            out.push(Defect::new(
                DefectKind::BrokenEnumeration,
                doc.line_number(marker.offset),
                doc.excerpt_at(marker.offset),
                format!(
                    "the enumeration 一是、二是… continues with \"{expected}\" but without 是: \
                     a word is missing (expected \"{expected}是\")"
                ),
            ));
        }
    }

    fn check_numbering(&self, doc: &Doc, out: &mut Vec<Defect>) {
        let mut last: [Option<u32>; 4] = [None; 4];
        // The last number of the previous group at each level: many reports number problems
        // straight through all aspects (（一）1. 2. （二）3. 4.), which is no gap.
        let mut previous_group: [Option<u32>; 4] = [None; 4];
        let mut parent: [Option<String>; 4] = Default::default();
        for heading in &self.headings {
            let i = heading.level.index();
            let scope = parent
                .iter()
                .take(i)
                .flatten()
                .last()
                .map_or(String::from("at the top level"), |p| format!("under {p}"));
            let continues_previous_group =
                last[i].is_none() && previous_group[i].is_some_and(|n| heading.number == n + 1);
            let expected = if continues_previous_group { heading.number } else { last[i].map_or(1, |n| n + 1) };
            let what = heading.level.describe();
            let message = if heading.number > expected {
                let missing = if heading.number == expected + 1 {
                    expected.to_string()
                } else {
                    format!("{expected}–{}", heading.number - 1)
                };
                let jump = match last[i] {
                    Some(prev) => format!("jump from {prev} to {}", heading.number),
                    None => format!("start at {} instead of 1", heading.number),
                };
                Some(format!(
                    "{what} {scope} {jump} ({missing} not printed). A public report may leave out items it \
                     cannot disclose while the others keep their original numbers; confirm the omission is \
                     intended and, if so, say so in the text"
                ))
            } else if heading.number < expected {
                Some(format!(
                    "{what} {scope}: {} follows {}, so the sequence repeats or goes back",
                    heading.number,
                    expected - 1
                ))
            } else {
                None
            };
            if let Some(message) = message {
                out.push(Defect::new(
                    DefectKind::NumberingGap,
                    doc.line_number(heading.offset),
                    doc.excerpt_at(heading.offset),
                    message,
                ));
            }
            last[i] = Some(heading.number);
            parent[i] = Some(heading.level.label(heading.number));
            for lower in Level::ALL.iter().filter(|l| **l > heading.level) {
                if last[lower.index()].is_some() {
                    previous_group[lower.index()] = last[lower.index()];
                }
                last[lower.index()] = None;
                parent[lower.index()] = None;
            }
        }
    }
}

fn scan_headings(doc: &Doc) -> Vec<Heading> {
    let mut headings = Vec::new();
    let mut last_item: Option<u32> = None;
    for (index, line) in doc.lines().iter().enumerate() {
        let start = doc.line_start(index);
        if let Some((level, n)) = heading_at_line_start(line) {
            headings.push(Heading { level, number: n, offset: start, glued: false });
            match level {
                Level::Part | Level::Section => last_item = None,
                Level::Item => last_item = Some(n),
                Level::Sub => {}
            }
        }
        // Only the number the running sequence expects next counts as a glued item, so that a
        // figure such as "。2.5万元" or a list inside a sentence is not mistaken for one.
        for caps in GLUED.captures_iter(line) {
            let (Some(digits), Some(prev)) = (caps.get(1), last_item) else { continue };
            if number(digits.as_str()) == Some(prev + 1) && digits.start() > 0 {
                headings.push(Heading {
                    level: Level::Item,
                    number: prev + 1,
                    offset: start + digits.start(),
                    glued: true,
                });
                last_item = Some(prev + 1);
            }
        }
    }
    headings
}

/// The text between consecutive headings (and before the first one).
fn segments(doc: &Doc, headings: &[Heading]) -> Vec<Range<usize>> {
    let mut bounds: Vec<usize> = std::iter::once(0).chain(headings.iter().map(|h| h.offset)).collect();
    bounds.push(doc.text().len());
    bounds
        .windows(2)
        .filter_map(|w| match w {
            [a, b] if a < b => Some(*a..*b),
            _ => None,
        })
        .collect()
}

/// An enumeration 一是、二是… that skips an ordinal (一是、二是、四是).
#[derive(Debug, Clone, Copy)]
pub(crate) struct EnumerationGap {
    pub offset: usize,
    pub expected: u32,
    pub found: u32,
}

/// Whether only indentation or markup stands between the start of its line and `offset`.
fn starts_line(doc: &Doc, offset: usize) -> bool {
    let start = doc.line_start(doc.line_index(offset));
    doc.slice(start..offset).chars().all(|c| c.is_whitespace() || c == '*')
}

/// A sentence in `from..until` opening with the numeral `ordinal` but no 是 (三加强督查…).
fn broken_between(doc: &Doc, from: usize, until: usize, ordinal: u32) -> Option<Marker> {
    let gap = doc.text().get(from..until)?;
    SENTENCE_NUMERAL.captures_iter(gap).find_map(|caps| {
        let numeral = caps.get(1)?;
        let after = caps.get(2)?.as_str().chars().next()?;
        (number(numeral.as_str()) == Some(ordinal) && !is_quantity_char(after)).then_some(Marker {
            offset: from + numeral.start(),
            end: from + numeral.end(),
            ordinal,
            broken: true,
        })
    })
}

/// The markers of one segment, with a broken marker where the sequence expects the next
/// ordinal and a sentence opens with that numeral but no 是 (三加强督查…), and the places where
/// the sequence skips an ordinal.
fn enumeration(doc: &Doc, segment: Range<usize>) -> (Vec<Marker>, Vec<EnumerationGap>) {
    let text = doc.slice(segment.clone());
    let found: Vec<Marker> = MARKER
        .captures_iter(text)
        .filter_map(|caps| {
            let numeral = caps.get(1)?;
            Some(Marker {
                offset: segment.start + numeral.start(),
                end: segment.start + numeral.end(),
                ordinal: number(numeral.as_str())?,
                broken: false,
            })
        })
        .collect();
    let mut markers = Vec::with_capacity(found.len());
    // An enumeration that seems to start at 二是: its 一 may have lost the 是.
    if let Some(first) = found.first().filter(|m| m.ordinal == 2)
        && let Some(broken) = broken_between(doc, segment.start, first.offset, 1)
    {
        markers.push(broken);
    }
    for (i, marker) in found.iter().enumerate() {
        markers.push(*marker);
        let next = found.get(i + 1);
        if next.is_some_and(|n| n.ordinal == marker.ordinal + 1) {
            continue;
        }
        let until = next.map_or(segment.end, |n| n.offset);
        let Some(broken) = broken_between(doc, marker.end, until, marker.ordinal + 1) else { continue };
        // Two markers in a row (or the skipped one followed by its successor), or paragraphs that
        // each open with their numeral, make it an enumeration for sure; a lone 一是 followed by
        // a sentence starting 二 somewhere in a paragraph is not enough.
        let confident = marker.ordinal >= 2
            || next.is_some_and(|n| n.ordinal == marker.ordinal + 2)
            || (starts_line(doc, marker.offset) && starts_line(doc, broken.offset));
        if confident {
            markers.push(broken);
        }
    }
    let mut gaps = Vec::new();
    let mut expected: Option<u32> = None;
    for marker in &markers {
        if marker.ordinal == 1 {
            expected = Some(2);
            continue;
        }
        let Some(want) = expected else { continue };
        if marker.ordinal > want {
            gaps.push(EnumerationGap { offset: marker.offset, expected: want, found: marker.ordinal });
        }
        expected = Some(marker.ordinal.max(want - 1) + 1);
    }
    (markers, gaps)
}

/// The problems of the part that holds the most numbered items, and that part's aspect count.
fn problems(doc: &Doc, headings: &[Heading]) -> (Vec<Problem>, usize) {
    // Parts as index ranges into `headings`; headings before the first part form their own.
    let mut parts: Vec<Range<usize>> = Vec::new();
    let mut start = 0;
    for (i, heading) in headings.iter().enumerate() {
        if heading.level == Level::Part && i > start {
            parts.push(start..i);
            start = i;
        }
    }
    parts.push(start..headings.len());
    let items = |part: &Range<usize>| {
        headings.get(part.clone()).map_or(0, |hs| hs.iter().filter(|h| h.level == Level::Item).count())
    };
    let Some(part) = parts.iter().filter(|p| items(p) > 0).max_by_key(|p| (items(p), std::cmp::Reverse(p.start)))
    else {
        return (Vec::new(), 0);
    };
    let end_of_text = doc.text().len();
    let next_offset = |from: usize, at_most: Level| {
        headings
            .get(from + 1..)
            .and_then(|rest| rest.iter().find(|h| h.level <= at_most))
            .map_or(end_of_text, |h| h.offset)
    };
    let mut problems = Vec::new();
    let mut aspects = 0;
    for i in part.clone() {
        let Some(heading) = headings.get(i) else { continue };
        match heading.level {
            Level::Item => {
                problems.push(Problem { range: heading.offset..next_offset(i, Level::Item), numbered: true })
            }
            Level::Section => {
                aspects += 1;
                let has_items = headings.get(i + 1..part.end).is_some_and(|rest| {
                    rest.iter().take_while(|h| h.level > Level::Section).any(|h| h.level == Level::Item)
                });
                if !has_items {
                    // The aspect's own title line is not a problem; text below it is.
                    let body_start = doc.line_start(doc.line_index(heading.offset) + 1);
                    let end = next_offset(i, Level::Section);
                    if body_start < end && doc.slice(body_start..end).chars().any(is_ideograph) {
                        problems.push(Problem { range: body_start..end, numbered: false });
                    }
                }
            }
            Level::Part | Level::Sub => {}
        }
    }
    (problems, aspects)
}
