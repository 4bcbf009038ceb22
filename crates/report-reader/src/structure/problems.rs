//! Problems and aspects read from a problem-list region.

use rectify_domain::{Aspect, NonEmptyText, PartialDate, Problem, Status};

use crate::extract;
use crate::paragraphs::Para;
use crate::{AspectSpan, ProblemSpan};

use super::headings::*;
use super::measures::*;
use super::sections::*;

/// The working state of one problem while its body is read.
pub(super) struct ProblemDraft {
    pub(super) line: usize,
    pub(super) token: Option<String>,
    pub(super) number: Option<u32>,
    pub(super) number_text: Option<String>,
    pub(super) title: String,
    /// Body paragraphs (with line offsets).
    pub(super) body: Vec<Para>,
}

pub(super) struct AspectDraft {
    pub(super) line: Option<usize>,
    pub(super) token: Option<String>,
    pub(super) number: Option<String>,
    pub(super) title: Option<String>,
    pub(super) problems: Vec<ProblemDraft>,
}

/// Reads the problems of one aspect's paragraphs.
pub(super) fn problems_of(
    paras: Vec<Para>,
    kind: Option<ProblemKind>,
    aspect_title: Option<&str>,
) -> Vec<ProblemDraft> {
    let paras = if kind == Some(ProblemKind::Arabic) { split_glued(paras) } else { paras };
    let Some(kind) = kind else {
        let Some(first) = paras.first() else { return Vec::new() };
        let title = aspect_title.map(str::to_string).unwrap_or_else(|| split_title(&first.text).0);
        return vec![ProblemDraft {
            line: first.line(),
            token: None,
            number: None,
            number_text: None,
            title,
            body: paras,
        }];
    };
    let mut drafts: Vec<ProblemDraft> = Vec::new();
    let mut current: Option<ProblemDraft> = None;
    let mut pending_title = false;
    for i in 0..paras.len() {
        let p = &paras[i];
        if is_problem_start(kind, &paras, i)
            && let Some(h) = heading_of(kind, &p.text)
        {
            if let Some(done) = current.take() {
                drafts.push(done);
            }
            let (title, rest) =
                if kind == ProblemKind::Bare { (h.rest.clone(), String::new()) } else { split_title(&h.rest) };
            let mut body = Vec::new();
            if !rest.is_empty() {
                let offset = p.text.len().saturating_sub(rest.len()).max(h.rest_at);
                body.push(Para { text: rest, segs: vec![(0, p.line_at(offset))] });
            }
            pending_title = title.is_empty();
            current = Some(ProblemDraft {
                line: p.line(),
                token: h.token,
                number: h.number,
                number_text: h.number_text,
                title,
                body,
            });
            continue;
        }
        match current.as_mut() {
            Some(d) if pending_title => {
                let (title, rest) = split_title(&p.text);
                d.title = title;
                if !rest.is_empty() {
                    d.body.push(Para { text: rest, segs: vec![(0, p.line())] });
                }
                pending_title = false;
            }
            Some(d) => d.body.push(p.clone()),
            None => {} // an aspect's introduction before its first problem
        }
    }
    drafts.extend(current);
    drafts
}

/// Reads one problems region into aspects; returns them with the number of preface paragraphs.
pub(super) fn read_region(
    region: Vec<Para>,
    part: Option<usize>,
    parts: &[Part],
    all: &[Para],
    report_date: Option<PartialDate>,
    context_year: Option<i32>,
) -> (Vec<(Aspect, AspectSpan)>, usize) {
    let paren_at: Vec<usize> = (0..region.len()).filter(|&i| CN_PAREN.is_match(&region[i].text)).collect();
    let paren_titles: Vec<String> = paren_at
        .iter()
        .filter_map(|&i| heading_of(ProblemKind::CnParen, &region[i].text))
        .map(|h| split_title(&h.rest).0)
        .collect();
    let lower_problems = paren_at.first().is_some_and(|&f| {
        region[f..].iter().any(|p| ARABIC.is_match(&p.text) || is_targeted(&p.text) || LABELLED.is_match(&p.text))
    });
    let paren_are_aspects =
        part.is_none() && !paren_at.is_empty() && (lower_problems || paren_titles.iter().any(|t| t.contains("方面")));

    let mut drafts: Vec<AspectDraft> = Vec::new();
    let preface;
    if paren_are_aspects {
        preface = paren_at.first().copied().unwrap_or(0);
        for (k, &i) in paren_at.iter().enumerate() {
            let end = paren_at.get(k + 1).copied().unwrap_or(region.len());
            let head = &region[i];
            let h = heading_of(ProblemKind::CnParen, &head.text);
            let (title, rest) = h.as_ref().map(|h| split_title(&h.rest)).unwrap_or_default();
            let mut body: Vec<Para> = Vec::new();
            if !rest.is_empty() {
                body.push(Para { text: rest, segs: vec![(0, head.line())] });
            }
            body.extend(region[i + 1..end].iter().cloned());
            let kind = problem_kind_of(&body);
            let title_ref = (!title.is_empty()).then_some(title.as_str());
            let problems = problems_of(body, kind, title_ref);
            drafts.push(AspectDraft {
                line: Some(head.line()),
                token: h.as_ref().and_then(|h| h.token.clone()),
                number: h.as_ref().and_then(|h| h.number).map(rectify_domain::numerals::to_chinese),
                title: title_ref.map(str::to_string),
                problems,
            });
        }
    } else {
        let kind = if part.is_some() || !paren_at.is_empty() {
            if paren_at.is_empty() || lower_problems { problem_kind_of(&region) } else { Some(ProblemKind::CnParen) }
        } else {
            problem_kind_of(&region)
        };
        preface = match kind {
            Some(k) => (0..region.len()).find(|&i| is_problem_start(k, &region, i)).unwrap_or(region.len()),
            None => 0,
        };
        let (line, token, number, title) = match part.and_then(|k| parts.get(k)) {
            Some(p) => (
                Some(all.get(p.index).map_or(0, Para::line)),
                Some(p.token.clone()),
                Some(rectify_domain::numerals::to_chinese(p.number)),
                Some(p.title.clone()),
            ),
            None => (None, None, None, None),
        };
        let body: Vec<Para> = region.into_iter().skip(preface).collect();
        // A region without any problem heading is narrative (an audit aspect summarised in a
        // paragraph, a cut text): no problem is made up from it.
        let problems = if kind.is_some() { problems_of(body, kind, title.as_deref()) } else { Vec::new() };
        drafts.push(AspectDraft { line, token, number, title, problems });
    }
    let aspects = drafts
        .into_iter()
        .filter(|a| !a.problems.is_empty() || a.line.is_some())
        .map(|a| finish_aspect(a, report_date, context_year))
        .collect();
    (aspects, preface)
}

pub(super) fn finish_aspect(
    a: AspectDraft,
    report_date: Option<PartialDate>,
    context_year: Option<i32>,
) -> (Aspect, AspectSpan) {
    let mut problems = Vec::new();
    let mut spans = Vec::new();
    for d in a.problems {
        let mut title = d.title.trim().to_string();
        let mut status = None;
        if let Some(c) = STATUS_SUFFIX.captures(&title)
            && let (Some(whole), Some(v)) = (c.get(0), c.name("v"))
        {
            status = status_from_text(v.as_str()).map(|s| (s, d.line));
            title.truncate(whole.start());
        }
        let title_amounts = extract::find_amounts(&title);
        let read = read_body(&d.body, report_date, context_year);
        let status = read.status.or(status);
        let fallback_title = d.token.clone().unwrap_or_else(|| "问题".to_string());
        let title = NonEmptyText::new(title.trim_end_matches(['。', '；', '，', ' '])).unwrap_or_else(|_| {
            NonEmptyText::new(fallback_title).unwrap_or_else(|_| unreachable!("fallback title is not blank"))
        });
        let number = d.number_text.clone();
        let mut problem = Problem::new(number, title, status.map_or(Status::Unknown, |s| s.0));
        problem.description = read.lead_in;
        let (measures, measure_spans): (Vec<_>, Vec<_>) = read.measures.into_iter().unzip();
        problem.measures = measures;
        problems.push(problem);
        spans.push(ProblemSpan {
            line: d.line,
            token: d.token,
            number: d.number,
            status_line: status.map(|s| s.1),
            title_amounts_wan_yuan: title_amounts,
            measures: measure_spans,
        });
    }
    let aspect = Aspect { number: a.number, title: a.title, problems };
    (aspect, AspectSpan { line: a.line, token: a.token, problems: spans })
}
