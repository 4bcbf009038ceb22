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
/// A 、 list followed by the number of its items: 问题、任务、责任三张清单.
static LIST_COUNT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"((?:[\p{Han}--[一二两三四五六七八九十百千万]]{2,6}、)+[\p{Han}--[一二两三四五六七八九十百千万]]{2,6})[”’\x22]?([一二两三四五六七八九十])(张|个|项|类|条|方面|大)",
    )
});
/// A total of problems and how many are done and open: 共50项问题…已整改40项…正在整改10项.
static TOTAL: LazyLock<Regex> =
    LazyLock::new(|| re(r"([0-9]{1,5})[ \t]*(?:项|个|条)[ \t]*(?:具体|反馈|审计发现的?|主要)?问题"));
static DONE_COUNT: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:已整改|已完成整改|已完成|整改完成|已销号)[ \t]*([0-9]{1,5})[ \t]*(?:项|个|条)"));
static OPEN_COUNT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?:正在整改|部分整改|未整改|未完成整改|尚未完成|整改中|持续整改)[ \t]*([0-9]{1,5})[ \t]*(?:项|个|条)")
});

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
    check_lists(doc, out);
    check_totals(doc, out);
}

/// A count right after a 、 list must be the number of its items (三张清单 after three).
fn check_lists(doc: &Doc, out: &mut Vec<Defect>) {
    for (index, line) in doc.lines().iter().enumerate() {
        for caps in LIST_COUNT.captures_iter(line) {
            let (Some(list), Some(numeral)) = (caps.get(1), caps.get(2)) else { continue };
            // 甲、乙等三个 names examples, not all items.
            if list.as_str().ends_with('等') || list.as_str().contains("等") {
                continue;
            }
            let items = list.as_str().matches('、').count() + 1;
            let Some(stated) = number(if numeral.as_str() == "两" { "二" } else { numeral.as_str() }) else {
                continue;
            };
            if stated as usize != items {
                let offset = doc.line_start(index) + numeral.start();
                out.push(Defect::new(
                    DefectKind::CountMismatch,
                    index + 1,
                    doc.excerpt_at(offset),
                    format!("the list before \"{}\" names {items} items, not {stated}", numeral.as_str()),
                ));
            }
        }
    }
}

/// In one paragraph, the problems done and those still open must add up to the stated total.
fn check_totals(doc: &Doc, out: &mut Vec<Defect>) {
    for (index, line) in doc.lines().iter().enumerate() {
        let Some((total, at, end)) = TOTAL.captures(line).and_then(|c| {
            let m = c.get(1)?;
            Some((m.as_str().parse::<u64>().ok()?, m.start(), c.get(0)?.end()))
        }) else {
            continue;
        };
        // The done and open counts of this total, before the next total starts.
        let scope = TOTAL.find_at(line, end).map_or(line.as_str(), |next| line.get(..next.start()).unwrap_or_default());
        let first = |pattern: &Regex, from: usize| {
            pattern.captures_at(scope, from).and_then(|c| {
                let m = c.get(1)?;
                Some((m.as_str().parse::<u64>().ok()?, m.start()))
            })
        };
        let (Some((done, _)), Some((open, open_at))) = (first(&DONE_COUNT, at), first(&OPEN_COUNT, at)) else {
            continue;
        };
        if done + open != total {
            let offset = doc.line_start(index) + open_at;
            out.push(Defect::new(
                DefectKind::CountMismatch,
                index + 1,
                doc.excerpt_at(offset),
                format!("{done} problems done and {open} still open make {}, but the text states {total}", done + open),
            ));
        }
    }
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
