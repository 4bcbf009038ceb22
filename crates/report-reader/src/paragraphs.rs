//! From lines to logical paragraphs: strips website chrome and page numbers, and joins lines
//! that belong together (hard-wrapped PDF text, words split across a page break).

use std::sync::LazyLock;

use regex::Regex;

use crate::Document;
use crate::normalize::{display_width, has_open_bracket, is_page_number, normalize_line};

/// A logical paragraph of normalised text, with the input line of each piece.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Para {
    pub text: String,
    /// `(byte offset in text, 1-based line)` of every joined piece, offsets increasing.
    pub segs: Vec<(usize, usize)>,
}

impl Para {
    pub fn new(text: String, line: usize) -> Self {
        Para { text, segs: vec![(0, line)] }
    }

    /// The line where the paragraph starts.
    pub fn line(&self) -> usize {
        self.segs.first().map_or(0, |s| s.1)
    }

    /// The line holding byte `offset` of the text.
    pub fn line_at(&self, offset: usize) -> usize {
        let idx = self.segs.partition_point(|&(o, _)| o <= offset);
        self.segs.get(idx.saturating_sub(1)).map_or(0, |s| s.1)
    }

    /// The part of the paragraph from `offset` on, as a paragraph of its own.
    pub fn split_off(&mut self, offset: usize) -> Para {
        let text = self.text.split_off(offset);
        let first_line = self.line_at(offset);
        let mut segs = vec![(0, first_line)];
        segs.extend(self.segs.iter().filter(|&&(o, _)| o > offset).map(|&(o, l)| (o - offset, l)));
        self.segs.retain(|&(o, _)| o < offset || o == 0);
        Para { text, segs }
    }
}

/// The paragraphs of a document, and the removed web-page lines that carry metadata (a
/// publication date) the parser may fall back on.
#[derive(Debug, Default)]
pub(crate) struct Prepared {
    pub paras: Vec<Para>,
    pub meta: Vec<(usize, String)>,
    /// For a text in traditional script: each paragraph as printed (the paragraphs themselves
    /// are folded to simplified script, with the same byte layout). Empty otherwise.
    pub originals: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Content,
    Blank,
    PageNumber,
    Chrome,
}

/// Lines whose start shows they begin something new: headings, enumerations, labels.
static MARKER_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:[一二三四五六七八九十百]+[、.]",
        r"|[（(][一二三四五六七八九十百]+[）)]",
        r"|\d{1,3}[.、](?:[^\d]|$)",
        r"|[（(]\d{1,3}[）)]",
        r"|[①-⑳]",
        r"|[一二三四五六七八九十]+是",
        r"|第[一二三四五六七八九十]+[，、是：]",
        r"|[^，。；：\s]{1,8}：",
        r"|针对|附件|【)"
    ))
    .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// A line that holds a date and nothing else (the date under a signature).
static DATE_ONLY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[（(]?(?:\d{4}|[〇零○Oo一二三四五六七八九]{4})年[0-9一二三四五六七八九十]{1,3}月[0-9一二三四五六七八九十]{1,3}[日号][）)]?$")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

const STRONG_CHROME: [&str; 22] = [
    "ICP备",
    "公网安备",
    "网站标识码",
    "网站地图",
    "版权所有",
    "Copyright",
    "©",
    "浏览次数",
    "【打印】",
    "【关闭】",
    "打印本页",
    "关闭窗口",
    "当前位置",
    "您现在的位置",
    "分享到",
    "扫一扫",
    "上一篇",
    "下一篇",
    "政府网站找错",
    "【字体",
    "【大】",
    "【收藏】",
];

const WEAK_CHROME: [&str; 14] = [
    "主办单位",
    "承办单位",
    "技术支持",
    "阅读次数",
    "访问次数",
    "点击数",
    "浏览量",
    "阅读量",
    "责任编辑",
    "发布时间",
    "发布日期",
    "信息来源",
    "字号：",
    "无障碍",
];

/// The chrome words as one automaton each: one pass over a line instead of one search per word.
static STRONG_CHROME_ANY: LazyLock<Regex> = LazyLock::new(|| literals(&STRONG_CHROME));
static WEAK_CHROME_ANY: LazyLock<Regex> = LazyLock::new(|| literals(&WEAK_CHROME));

fn literals(words: &[&str]) -> Regex {
    let pattern = words.iter().map(|w| regex::escape(w)).collect::<Vec<_>>().join("|");
    Regex::new(&pattern).unwrap_or_else(|e| unreachable!("static regex: {e}"))
}

/// Whether a normalised line is part of the web page around the report, not the report.
pub(crate) fn is_chrome(line: &str) -> bool {
    let chars = line.chars().count();
    if chars > 300 {
        return false;
    }
    if STRONG_CHROME_ANY.is_match(line) {
        return true;
    }
    if chars <= 80 && WEAK_CHROME_ANY.is_match(line) {
        return true;
    }
    if chars <= 80 && line.starts_with("来源：") {
        return true;
    }
    let breadcrumb = ['>', '»', '›', '＞', '〉'];
    line.starts_with("首页") && line.contains(breadcrumb)
}

pub(crate) fn is_marker_start(s: &str) -> bool {
    MARKER_START.is_match(s)
}

pub(crate) fn is_date_only(s: &str) -> bool {
    DATE_ONLY.is_match(s)
}

/// Whether a paragraph ends a sentence (closing quotes and brackets after the mark count).
pub(crate) fn ends_terminal(s: &str) -> bool {
    let trimmed = s.trim_end_matches(['”', '’', '）', ')', '】', '」', '》']);
    trimmed.ends_with(['。', '！', '？', '；', '：', '…', '!', '?', ';'])
}

/// A title, heading, label or signature: short and without sentence punctuation.
fn heading_ish(s: &str) -> bool {
    let chars = s.chars().count();
    let sentence_punct = s.contains(['，', '。', '；', '！', '？']);
    (chars <= 40 && !sentence_punct) || (is_marker_start(s) && chars <= 60 && !s.contains('。'))
}

/// How much of a printed line a text fills: its width on the page, or its character count
/// when the extractor wrapped by characters (ASCII-heavy lines then look narrow).
fn fullness(text: &str) -> usize {
    display_width(text).max(text.chars().count() * 2)
}

/// The widest lines of hard-wrapped text (PDF extraction) are all about as wide; returns that
/// width when most lines share it.
fn wrap_width(lines: &[(usize, String, LineKind)]) -> Option<usize> {
    let widths: Vec<usize> =
        lines.iter().filter(|(_, _, k)| *k == LineKind::Content).map(|(_, t, _)| fullness(t)).collect();
    if widths.len() < 8 {
        return None;
    }
    let max = widths.iter().copied().max().unwrap_or(0).min(400);
    let mut hist = vec![0usize; max + 1];
    for &w in &widths {
        if let Some(h) = hist.get_mut(w) {
            *h += 1;
        }
    }
    let window = |w: usize| hist[w.saturating_sub(4)..=w].iter().sum::<usize>();
    let best = (20..=max).max_by_key(|&w| (window(w), w))?;
    (window(best) * 2 >= widths.len()).then_some(best)
}

/// Builds the paragraphs of a document.
pub(crate) fn prepare(doc: &Document) -> Prepared {
    let mut lines: Vec<(usize, String, LineKind)> = Vec::with_capacity(doc.lines.len());
    let mut meta = Vec::new();
    let mut originals: Vec<Option<String>> = Vec::with_capacity(doc.lines.len());
    for (i, raw) in doc.lines.iter().enumerate() {
        let normalized = normalize_line(raw);
        let mut text =
            if normalized.contains(['(', '（']) { crate::script::strip_glosses(&normalized) } else { normalized };
        if crate::script::has_traditional(&text) {
            let folded = crate::script::fold(&text);
            originals.push(Some(std::mem::replace(&mut text, folded)));
        } else {
            originals.push(None);
        }
        let kind = if text.is_empty() {
            LineKind::Blank
        } else if is_page_number(&text) {
            LineKind::PageNumber
        } else if is_chrome(&text) {
            LineKind::Chrome
        } else {
            LineKind::Content
        };
        if kind == LineKind::Chrome && (text.contains("发布") || text.contains("日期")) {
            meta.push((i + 1, text.clone()));
        }
        lines.push((i + 1, text, kind));
    }
    let width = wrap_width(&lines);

    let traditional = originals.iter().any(Option::is_some);
    let mut orig_paras: Vec<String> = Vec::new();
    let mut paras: Vec<Para> = Vec::new();
    let mut chrome_gap = false;
    let mut last_line_width = 0usize;
    let mut open = false;
    for (no, text, kind) in lines {
        match kind {
            LineKind::Blank | LineKind::PageNumber => continue,
            LineKind::Chrome => {
                chrome_gap = true;
                continue;
            }
            LineKind::Content => {}
        }
        let join = open
            && !chrome_gap
            && paras.last().is_some_and(|prev| should_join(&prev.text, last_line_width, &text, width));
        last_line_width = fullness(&text);
        chrome_gap = false;
        open = true;
        let original = || originals.get(no - 1).cloned().flatten().unwrap_or_else(|| text.clone());
        match paras.last_mut() {
            Some(prev) if join => {
                // No space at the seam: wrapped text breaks anywhere, even inside numbers and
                // e-mail addresses.
                if traditional && let Some(o) = orig_paras.last_mut() {
                    o.push_str(&original());
                }
                prev.segs.push((prev.text.len(), no));
                prev.text.push_str(&text);
            }
            _ => {
                if traditional {
                    orig_paras.push(original());
                }
                paras.push(Para::new(text, no));
            }
        }
    }
    Prepared { paras, meta, originals: orig_paras }
}

fn should_join(prev: &str, prev_line_width: usize, next: &str, width: Option<usize>) -> bool {
    if is_marker_start(next) || is_date_only(next) || is_date_only(prev) {
        return false;
    }
    match width {
        Some(w) => prev_line_width + 6 >= w || (has_open_bracket(prev) && !ends_terminal(prev)),
        None => !ends_terminal(prev) && (has_open_bracket(prev) || !heading_ish(prev)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paras(text: &str) -> Vec<String> {
        prepare(&Document::from_text(text)).paras.into_iter().map(|p| p.text).collect()
    }

    #[test]
    fn joins_a_word_split_by_a_page_break() {
        let p = paras("前文很长很长的一段话，建立“党\n\n组负总责”的机制。\n1.下一项。");
        assert_eq!(p, vec!["前文很长很长的一段话，建立“党组负总责”的机制。", "1.下一项。"]);
    }

    #[test]
    fn keeps_headings_apart() {
        let p = paras(
            "某某局党组关于巡察整改进展情况的通报\n\n根据统一部署，开展巡察。\n一、整改工作开展情况\n巡察反馈后，立即部署。",
        );
        assert_eq!(p.len(), 4);
    }

    #[test]
    fn strips_chrome_and_keeps_line_numbers() {
        let prep = prepare(&Document::from_text("首页 > 信息公开\n正文第一段。\n网站地图 ICP备123号"));
        assert_eq!(prep.paras.len(), 1);
        assert_eq!(prep.paras[0].line(), 2);
    }

    #[test]
    fn split_off_keeps_lines() {
        let mut p = Para { text: "甲乙丙丁".into(), segs: vec![(0, 1), (6, 2)] };
        let q = p.split_off(9);
        assert_eq!((p.text.as_str(), q.text.as_str(), q.line()), ("甲乙丙", "丁", 2));
        assert_eq!(p.line_at(7), 2);
    }
}
