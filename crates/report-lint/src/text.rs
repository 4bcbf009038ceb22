//! The report as the checks see it: folded lines, one flat text with offsets, and character classes.

use std::ops::Range;

/// Excerpts stay short enough to sit on one terminal line next to the message.
pub(crate) const MAX_EXCERPT: usize = 40;

/// Characters of context an excerpt keeps before the spot it points at.
const LEAD: usize = 6;

/// Lines of website chrome (footer, record numbers) that come along when a report is copied
/// from a web page; they are not part of the report, so no check looks at them.
const BOILERPLATE: [&str; 8] =
    ["ICP备", "公网安备", "网站地图", "网站标识码", "主办单位", "版权所有", "技术支持", "访问量"];

/// The input lines, normalised so that checks can use plain ASCII patterns for digits, and
/// joined into one text so that checks spanning several lines (segments, sentences) can work on
/// byte ranges and still report 1-based line numbers.
pub(crate) struct Doc {
    lines: Vec<String>,
    text: String,
    starts: Vec<usize>,
}

impl Doc {
    pub(crate) fn new<S: AsRef<str>>(input: &[S]) -> Self {
        let lines: Vec<String> = input
            .iter()
            .map(|line| {
                let line = line.as_ref();
                if is_boilerplate(line) { String::new() } else { fold(line) }
            })
            .collect();
        let mut text = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
        let mut starts = Vec::with_capacity(lines.len());
        for line in &lines {
            starts.push(text.len());
            text.push_str(line);
            text.push('\n');
        }
        Self { lines, text, starts }
    }

    pub(crate) fn lines(&self) -> &[String] {
        &self.lines
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The slice of the flat text, empty when the range is not on character boundaries.
    pub(crate) fn slice(&self, range: Range<usize>) -> &str {
        self.text.get(range).unwrap_or_default()
    }

    /// Offset in the flat text where line `index` (0-based) starts.
    pub(crate) fn line_start(&self, index: usize) -> usize {
        self.starts.get(index).copied().unwrap_or(self.text.len())
    }

    /// 0-based index of the line holding `offset`.
    pub(crate) fn line_index(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset).saturating_sub(1)
    }

    /// 1-based line number of `offset`, as defects report it.
    pub(crate) fn line_number(&self, offset: usize) -> usize {
        self.line_index(offset) + 1
    }

    /// A short piece of the line around `offset`.
    pub(crate) fn excerpt_at(&self, offset: usize) -> String {
        let index = self.line_index(offset);
        let line = self.lines.get(index).map_or("", String::as_str);
        excerpt(line, offset.saturating_sub(self.line_start(index)))
    }
}

fn is_boilerplate(line: &str) -> bool {
    BOILERPLATE.iter().any(|marker| line.contains(marker))
}

/// Full-width digits become ASCII and embedded line breaks become spaces; every character maps
/// to exactly one character so excerpts read like the input.
fn fold(line: &str) -> String {
    line.chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '\r' | '\n' => ' ',
            _ => c,
        })
        .collect()
}

/// At most [`MAX_EXCERPT`] characters of `line`, starting a little before byte `at`.
pub(crate) fn excerpt(line: &str, at: usize) -> String {
    let before = line.get(..at).unwrap_or_default();
    let start = before.char_indices().rev().take(LEAD).last().map_or(before.len(), |(i, _)| i);
    let rest = line.get(start..).unwrap_or(line);
    rest.trim_start().chars().take(MAX_EXCERPT).collect::<String>().trim_end().to_string()
}

/// The first `n` characters of `s`.
pub(crate) fn head(s: &str, n: usize) -> String {
    s.trim().chars().take(n).collect()
}

/// The last `n` characters of `s`.
pub(crate) fn tail(s: &str, n: usize) -> String {
    let s = s.trim();
    let count = s.chars().count();
    s.chars().skip(count.saturating_sub(n)).collect()
}

/// Chinese characters (CJK ideographs, including extension A and compatibility forms, and 〇).
pub(crate) fn is_ideograph(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '〇')
}

/// Full-width punctuation used in Chinese text: 、。《》「」【】 and the forms block (，：；（）！？),
/// curly quotes, ellipsis, dash and middle dot.
pub(crate) fn is_cjk_punct(c: char) -> bool {
    matches!(
        c,
        '\u{3000}'..='\u{303F}'
            | '\u{FF01}'..='\u{FF0F}'
            | '\u{FF1A}'..='\u{FF20}'
            | '\u{FF3B}'..='\u{FF40}'
            | '\u{FF5B}'..='\u{FF65}'
            | '\u{2018}'..='\u{201F}'
            | '\u{2026}'
            | '\u{2014}'
            | '\u{00B7}'
    )
}

/// A character that only occurs in Chinese prose.
pub(crate) fn is_chinese(c: char) -> bool {
    is_ideograph(c) || is_cjk_punct(c)
}

/// Marks that end a sentence or a clause that may end a paragraph.
pub(crate) fn ends_sentence(c: char) -> bool {
    matches!(
        c,
        '。' | '！'
            | '？'
            | '；'
            | '：'
            | '…'
            | '”'
            | '’'
            | '》'
            | '）'
            | '」'
            | '】'
            | '.'
            | '!'
            | '?'
            | ';'
            | ':'
            | ')'
    )
}

/// Reads `一二三…十`, `二十一` or ASCII digits as a number.
pub(crate) fn number(text: &str) -> Option<u32> {
    if text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok()
    } else {
        rectify_domain::numerals::parse_chinese(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_back_to_lines() {
        let doc = Doc::new(&["甲乙", "", "丙"]);
        assert_eq!(doc.text(), "甲乙\n\n丙\n");
        assert_eq!(doc.line_number(0), 1);
        assert_eq!(doc.line_number(3), 1);
        assert_eq!(doc.line_number(7), 2);
        assert_eq!(doc.line_number(8), 3);
        assert_eq!(doc.line_start(2), 8);
    }

    #[test]
    fn excerpts_are_short_and_start_before_the_spot() {
        let line = "一二三四五六七八九十".repeat(10);
        let at = line.char_indices().nth(20).map(|(i, _)| i).unwrap_or(0);
        let e = excerpt(&line, at);
        assert_eq!(e.chars().count(), MAX_EXCERPT);
        assert!(e.starts_with("五六七"));
        assert_eq!(excerpt("abc", 99), "abc");
    }

    #[test]
    fn folding_keeps_one_character_per_character() {
        let doc = Doc::new(&["１２．５万元", "网站地图 鄂ICP备0000号"]);
        assert_eq!(doc.lines()[0], "12．5万元");
        assert_eq!(doc.lines()[1], "");
    }

    #[test]
    fn numbers_in_both_scripts() {
        assert_eq!(number("12"), Some(12));
        assert_eq!(number("二十二"), Some(22));
        assert_eq!(number("x"), None);
    }
}
