//! Headline figures the report states about itself (三个方面15个问题, 整改措施48条, 完成率) compared
//! with what it actually lists: `count_mismatch` and `rate_mismatch`.

use std::sync::LazyLock;

use regex::Regex;

use crate::structure::{Outline, re};
use crate::text::{Doc, number};
use crate::{Defect, DefectKind};

const NUM: &str = r"([0-9]{1,4}|[一二三四五六七八九十百]{1,5})";

static ASPECTS: LazyLock<Regex> = LazyLock::new(|| re(&format!(r"{NUM}[ \t]*个[ \t]*方面")));
static PROBLEMS: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(r"{NUM}[ \t]*(?:个|项|条)[ \t]*(?:具体|反馈|主要)?问题|问题[ \t]*{NUM}[ \t]*(?:个|项|条)"))
});
static MEASURES: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(r"措施[ \t]*{NUM}[ \t]*(?:条|项|个)|{NUM}[ \t]*(?:条|项)[ \t]*(?:具体)?(?:整改)?措施"))
});
static COMPLETED: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"(?:已|共)(?:整改)?完成(?:整改)?(?:问题)?[ \t]*{NUM}[ \t]*(?:个|项|条)")));
static RATE: LazyLock<Regex> =
    LazyLock::new(|| re(r"完成率[^0-9%％。；\n]{0,8}?([0-9]{1,3}(?:\.[0-9]{1,4})?)[ \t]*[%％]"));
static SENTENCE: LazyLock<Regex> = LazyLock::new(|| re(r"[^。；;！？!?\n]+"));

/// A figure stated in the text and where.
#[derive(Debug, Clone, Copy)]
struct Claim {
    value: u32,
    offset: usize,
}

fn first_claim(pattern: &Regex, text: &str, base: usize) -> Option<Claim> {
    pattern.captures_iter(text).find_map(|caps| {
        let m = caps.iter().skip(1).flatten().next()?;
        Some(Claim { value: number(m.as_str())?, offset: base + m.start() })
    })
}

pub(crate) fn check(doc: &Doc, outline: &Outline, out: &mut Vec<Defect>) {
    let summary = doc.slice(0..outline.summary_end);
    let problems_claim = first_claim(&PROBLEMS, summary, 0);
    if !outline.problems.is_empty() {
        check_counts(doc, outline, summary, problems_claim, out);
    }
    check_rate(doc, summary, problems_claim, out);
}

fn check_counts(doc: &Doc, outline: &Outline, summary: &str, problems_claim: Option<Claim>, out: &mut Vec<Defect>) {
    let mut mismatch = |claim: Claim, message: String| {
        out.push(Defect::new(
            DefectKind::CountMismatch,
            doc.line_number(claim.offset),
            doc.excerpt_at(claim.offset),
            message,
        ));
    };
    if let Some(claim) = first_claim(&ASPECTS, summary, 0)
        && outline.aspects > 0
        && claim.value as usize != outline.aspects
    {
        mismatch(
            claim,
            format!("the report claims {} aspects but lists {} aspect headings", claim.value, outline.aspects),
        );
    }
    if let Some(claim) = problems_claim {
        let listed = outline.problems.len();
        let numbered = outline.problems.iter().filter(|p| p.numbered).count();
        let detail = if numbered == listed {
            String::new()
        } else {
            let unnumbered = listed - numbered;
            let plural = if unnumbered == 1 { "" } else { "s" };
            format!(" ({numbered} numbered items and {unnumbered} unnumbered paragraph{plural})")
        };
        let claimed = claim.value as usize;
        if claimed > listed {
            mismatch(
                claim,
                format!(
                    "the report claims {claimed} problems but lists {listed}{detail}. A public report may withhold \
                     items that cannot be disclosed; if so, say how many were withheld"
                ),
            );
        } else if claimed < listed {
            mismatch(claim, format!("the report claims {claimed} problems but lists {listed}{detail}"));
        }
    }
    if let Some(claim) = first_claim(&MEASURES, summary, 0) {
        let listed: usize = outline.problems.iter().map(|p| outline.measures_in(p)).sum();
        if claim.value as usize != listed {
            mismatch(
                claim,
                format!(
                    "the report claims {} measures but its problems enumerate {listed} (一是、二是… markers, or one \
                     measure for a problem without them)",
                    claim.value
                ),
            );
        }
    }
}

/// A stated completion rate must follow from the stated counts: completed ÷ problems.
fn check_rate(doc: &Doc, summary: &str, problems_claim: Option<Claim>, out: &mut Vec<Defect>) {
    for sentence in SENTENCE.find_iter(doc.text()) {
        let Some(caps) = RATE.captures(sentence.as_str()) else { continue };
        let Some(rate) = caps.get(1) else { continue };
        let Ok(stated) = rate.as_str().parse::<f64>() else { continue };
        let base = sentence.start();
        let completed =
            first_claim(&COMPLETED, sentence.as_str(), base).or_else(|| first_claim(&COMPLETED, summary, 0));
        let total = first_claim(&PROBLEMS, sentence.as_str(), base).or(problems_claim);
        let (Some(completed), Some(total)) = (completed, total) else { continue };
        if total.value == 0 || completed.value > total.value {
            continue;
        }
        let decimals = rate.as_str().split_once('.').map_or(0, |(_, d)| d.len());
        let exact = f64::from(completed.value) * 100.0 / f64::from(total.value);
        let tolerance = 0.5 * 10f64.powi(-i32::try_from(decimals).unwrap_or(0)) + 1e-9;
        if (exact - stated).abs() > tolerance {
            let offset = base + rate.start();
            out.push(Defect::new(
                DefectKind::RateMismatch,
                doc.line_number(offset),
                doc.excerpt_at(offset),
                format!(
                    "the stated completion rate {stated}% does not follow from the stated counts: {} of {} \
                     problems completed is {exact:.prec$}%",
                    completed.value,
                    total.value,
                    prec = decimals.max(1)
                ),
            ));
        }
        break;
    }
}
