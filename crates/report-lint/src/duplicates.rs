//! `duplicate_text`: a sentence repeated verbatim in different problems, usually a measure
//! pasted from one item into another.

use std::collections::HashMap;

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
    // normalised sentence → (problem index, 1-based line) of its first appearance
    let mut seen: HashMap<String, (usize, usize)> = HashMap::new();
    for (index, problem) in outline.problems.iter().enumerate() {
        let text = doc.slice(problem.range.clone());
        let mut reported_here: Vec<String> = Vec::new();
        for m in SENTENCE.find_iter(text) {
            let key = normalise(m.as_str());
            if key.chars().count() < MIN_CHARS {
                continue;
            }
            let offset = problem.range.start + m.start() + (m.len() - m.as_str().trim_start().len());
            let line = doc.line_number(offset);
            match seen.get(&key) {
                Some(&(first_problem, first_line)) if first_problem != index => {
                    if !reported_here.contains(&key) {
                        out.push(Defect::new(
                            DefectKind::DuplicateText,
                            line,
                            doc.excerpt_at(offset),
                            format!(
                                "this sentence repeats word for word one in another problem (line {first_line}); \
                                 check that the measure really applies to both"
                            ),
                        ));
                        reported_here.push(key);
                    }
                }
                Some(_) => {}
                None => {
                    seen.insert(key, (index, line));
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
