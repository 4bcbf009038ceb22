//! `duplicate_text`: a sentence repeated verbatim, usually a measure pasted from one problem into
//! another or a paragraph pasted twice.

use std::collections::{HashMap, HashSet};

use crate::structure::{Outline, re};
use crate::text::{Doc, is_chinese};
use crate::{Defect, DefectKind};
use regex::Regex;
use std::sync::LazyLock;

/// Shorter sentences (对相关责任人进行通报批评) repeat naturally between problems.
const MIN_CHARS: usize = 15;

static SENTENCE: LazyLock<Regex> = LazyLock::new(|| re(r"[^。；;！？!?\n]+"));
/// Openers that differ between otherwise equal sentences: 整改情况：, 一是, （一）, 1.
static OPENER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^(?:整改情况[:：]|[一二三四五六七八九十]{1,3}是|[（(][一二三四五六七八九十0-9]{1,3}[）)]|[0-9]{1,3}[.．、])+")
});

/// The sentence with spaces, markup, opener and punctuation variants removed.
fn normalise(sentence: &str) -> String {
    let compact: String = sentence.chars().filter(|c| !c.is_whitespace() && *c != '*').collect();
    let body = OPENER.find(&compact).map_or(compact.as_str(), |m| compact.get(m.end()..).unwrap_or_default());
    body.chars()
        .map(|c| match c {
            ',' => '，',
            ':' => '：',
            '(' => '（',
            ')' => '）',
            _ => c,
        })
        .collect::<String>()
        .trim_end_matches(|c: char| !is_chinese(c) || matches!(c, '，' | '、' | '：'))
        .to_string()
}

pub(crate) fn check(doc: &Doc, outline: &Outline, out: &mut Vec<Defect>) {
    // normalised sentence → 1-based line of its first appearance
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut reported_lines: HashSet<usize> = HashSet::new();
    for (index, line) in doc.lines().iter().enumerate() {
        // Titles and headings without sentence punctuation repeat on purpose (a page title above
        // the document's own title).
        if !line.contains(['。', '；', '，', ',', ';']) {
            continue;
        }
        let start = doc.line_start(index);
        for m in SENTENCE.find_iter(line) {
            let key = normalise(m.as_str());
            if key.chars().count() < MIN_CHARS {
                continue;
            }
            let number = index + 1;
            match seen.get(&key) {
                Some(&first_line) => {
                    if reported_lines.contains(&number) {
                        continue;
                    }
                    let offset = start + m.start() + (m.len() - m.as_str().trim_start().len());
                    let place = if first_line == number {
                        "earlier on this line".to_string()
                    } else {
                        format!("on line {first_line}")
                    };
                    let hint = if outline.problems.len() > 1 {
                        "check that the measure really applies to both"
                    } else {
                        "remove the repetition or check that it is meant"
                    };
                    out.push(Defect::new(
                        DefectKind::DuplicateText,
                        number,
                        doc.excerpt_at(offset),
                        format!("this sentence repeats word for word one {place}; {hint}"),
                    ));
                    reported_lines.insert(number);
                }
                None => {
                    seen.insert(key, number);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn openers_and_variants_are_ignored() {
        assert_eq!(normalise("整改情况:一是主要领导开展批评,深刻反思"), "主要领导开展批评，深刻反思");
        assert_eq!(normalise(" 二是**主要领导**开展批评，深刻反思，"), "主要领导开展批评，深刻反思");
    }
}
