//! Headings of problems and aspects: the numbering forms of the genre (（一）, 1., （1）,
//! 问题一：, 针对…的问题, bare title lines) and how a title is cut from its paragraph.

use std::sync::LazyLock;

use regex::Regex;

use crate::extract::number;
use crate::paragraphs::{Para, is_date_only, is_marker_start};

use super::re;

// The heading patterns match the numbering token only (the title is the text after `t`): a
// pattern that also captured the rest of the paragraph (`(?P<rest>.*)$`) made every test of a
// paragraph read it to its end, which was a fifth of the time of parsing.
pub(super) static PART: LazyLock<Regex> = LazyLock::new(|| re(r"^(?P<t>(?P<n>[一二三四五六七八九十]{1,3})[、.])"));
pub(super) static CN_PAREN: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?P<t>[（(](?P<n>[一二三四五六七八九十]{1,3})[）)])"));
/// `1.` or `1、` not followed by another digit (1.5万元 is an amount).
pub(super) static ARABIC: LazyLock<Regex> = LazyLock::new(|| re(r"^(?P<t>(?P<n>\d{1,3})[.、])(?:[^\d]|$)"));
pub(super) static AR_PAREN: LazyLock<Regex> = LazyLock::new(|| re(r"^(?P<t>[（(](?P<n>\d{1,3})[）)])"));
pub(super) static LABELLED: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?P<t>(?:【)?(?:反馈)?问题(?P<n>[一二三四五六七八九十\d]{1,3})(?:】)?[：、.]?)"));
pub(super) static GLUED: LazyLock<Regex> = LazyLock::new(|| re(r"[。；！？.](?P<n>\d{1,3})[.、][^\d]"));
pub(super) static BODY_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:整改情况|整改措施|整改进展情况|整改进展|整改落实情况|落实情况|主要措施|采取措施|具体措施|工作措施|整改成效|整改举措)：",
    )
});

/// Where a paragraph's kind of problem heading comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ProblemKind {
    CnParen,
    Arabic,
    Labelled,
    Targeted,
    ArParen,
    Bare,
}

/// A problem heading found at the start of a paragraph.
#[derive(Debug, Clone)]
pub(super) struct Heading {
    pub(super) token: Option<String>,
    pub(super) number: Option<u32>,
    /// The numeral as printed (`1`, `一`).
    pub(super) number_text: Option<String>,
    /// The text after the token.
    pub(super) rest: String,
    /// Byte offset of `rest` in the paragraph.
    pub(super) rest_at: usize,
}

pub(super) fn heading_of(kind: ProblemKind, text: &str) -> Option<Heading> {
    let from = |re: &Regex| {
        re.captures(text).map(|c| {
            let t = c.name("t").map_or("", |m| m.as_str());
            let rest_at = c.name("t").map_or(text.len(), |m| m.end());
            let rest = (text.get(rest_at..).unwrap_or_default().to_string(), rest_at);
            Heading {
                token: Some(t.to_string()),
                number: c.name("n").and_then(|n| number(n.as_str())),
                number_text: c.name("n").map(|n| n.as_str().to_string()),
                rest: rest.0,
                rest_at: rest.1,
            }
        })
    };
    match kind {
        ProblemKind::CnParen => from(&CN_PAREN),
        ProblemKind::Arabic => from(&ARABIC),
        ProblemKind::ArParen => from(&AR_PAREN),
        ProblemKind::Labelled => from(&LABELLED),
        ProblemKind::Targeted => is_targeted(text).then(|| Heading {
            token: None,
            number: None,
            number_text: None,
            rest: text.to_string(),
            rest_at: 0,
        }),
        ProblemKind::Bare => {
            Some(Heading { token: None, number: None, number_text: None, rest: text.to_string(), rest_at: 0 })
        }
    }
}

/// `针对…的问题。` opening a paragraph: the first clause names a problem.
pub(super) fn is_targeted(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("针对") else { return false };
    let clause_end = rest.find(['。', '：', '；', '，']).unwrap_or(rest.len());
    let clause = &rest[..clause_end];
    let delimiter = rest[clause_end..].chars().next();
    clause.ends_with("问题") && delimiter != Some('，') && clause.chars().count() <= 80
}

/// A short line that reads like a problem's title: no sentence inside, not a label.
pub(super) fn is_bare_title(text: &str) -> bool {
    let t = text.trim_end_matches(['。', '；']);
    let chars = t.chars().count();
    (4..=60).contains(&chars)
        && !t.contains(['。', '；', '：'])
        && !is_marker_start(text)
        && !is_date_only(text)
        && !BODY_LABEL.is_match(text)
}

/// Title and the text after it: the title ends at the first sentence end outside brackets.
pub(super) fn split_title(text: &str) -> (String, String) {
    let mut depth = 0i32;
    for (i, c) in text.char_indices() {
        match c {
            '“' | '（' | '《' | '【' | '(' | '‘' => depth += 1,
            '”' | '）' | '》' | '】' | ')' | '’' => depth -= 1,
            '。' | '！' | '？' | '；' | '：' if depth <= 0 => {
                let end = i + c.len_utf8();
                return (text[..i].trim().to_string(), text[end..].trim().to_string());
            }
            _ => {}
        }
    }
    (text.trim().trim_end_matches(['.', '，']).to_string(), String::new())
}

/// Splits `1.…。20.…` where a heading was glued to the previous paragraph's end.
pub(super) fn split_glued(paras: Vec<Para>) -> Vec<Para> {
    let mut out: Vec<Para> = Vec::with_capacity(paras.len());
    let mut last: Option<u32> = None;
    for mut p in paras {
        if let Some(c) = ARABIC.captures(&p.text) {
            last = c.name("n").and_then(|n| number(n.as_str()));
        } else if CN_PAREN.is_match(&p.text) {
            last = None;
        }
        while let Some(expected) = last.map(|n| n + 1) {
            let found = GLUED.captures_iter(&p.text).find_map(|c| {
                let n = c.name("n")?;
                (number(n.as_str()) == Some(expected)).then_some(n.start())
            });
            let Some(at) = found else { break };
            let tail = p.split_off(at);
            out.push(p);
            p = tail;
            last = Some(expected);
        }
        out.push(p);
    }
    out
}

pub(super) fn problem_kind_of(paras: &[Para]) -> Option<ProblemKind> {
    let count = |f: &dyn Fn(&str) -> bool| paras.iter().filter(|p| f(&p.text)).count();
    let arabic = count(&|t| ARABIC.is_match(t));
    let targeted = count(&|t| is_targeted(t));
    let labelled = count(&|t| LABELLED.is_match(t));
    if arabic > 0 {
        // `针对…问题` paragraphs with numbered measures under each: numbering restarts at 1.
        let restarts = count(&|t| ARABIC.captures(t).and_then(|c| c.name("n")).is_some_and(|n| n.as_str() == "1"));
        if targeted >= 2 && restarts >= targeted {
            return Some(ProblemKind::Targeted);
        }
        return Some(ProblemKind::Arabic);
    }
    if labelled > 0 {
        return Some(ProblemKind::Labelled);
    }
    if targeted > 0 {
        return Some(ProblemKind::Targeted);
    }
    if count(&|t| AR_PAREN.is_match(t)) > 0 {
        return Some(ProblemKind::ArParen);
    }
    let bare_followed = paras.windows(2).filter(|w| is_bare_title(&w[0].text) && !is_bare_title(&w[1].text)).count();
    let labels = count(&|t| BODY_LABEL.is_match(t));
    if bare_followed >= 2 || (bare_followed >= 1 && labels >= 1) {
        return Some(ProblemKind::Bare);
    }
    None
}

pub(super) fn is_problem_start(kind: ProblemKind, paras: &[Para], i: usize) -> bool {
    let Some(p) = paras.get(i) else { return false };
    match kind {
        ProblemKind::CnParen => CN_PAREN.is_match(&p.text),
        ProblemKind::Arabic => ARABIC.is_match(&p.text),
        ProblemKind::Labelled => LABELLED.is_match(&p.text),
        ProblemKind::Targeted => is_targeted(&p.text),
        ProblemKind::ArParen => AR_PAREN.is_match(&p.text),
        ProblemKind::Bare => is_bare_title(&p.text) && paras.get(i + 1).is_some_and(|q| !is_bare_title(&q.text)),
    }
}
