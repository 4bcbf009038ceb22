//! The headline figures of a ledger as people read them: counts, the completion rate as printed,
//! rules, funds in 万元, accountability in 人 and 人次 apart, meetings.

use rectify_domain::Ledger;
use serde::Serialize;

/// The headline figures of a report, ready to print.
#[derive(Debug, Serialize)]
pub(crate) struct Figures {
    pub aspects: u32,
    pub problems: u32,
    pub completed: u32,
    in_progress: u32,
    long_term: u32,
    rate: Option<String>,
    rate_numerator: u32,
    rate_denominator: u32,
    pub rate_value: f64,
    measures: u32,
    measures_completed: u32,
    rules: u32,
    rules_made: u32,
    rules_revised: u32,
    funds: String,
    funds_by_kind: Vec<(String, String)>,
    accountability: String,
    accountability_by_kind: Vec<(String, String)>,
    meetings: Vec<(String, u32)>,
    meetings_total: u32,
}

pub(crate) fn figures(ledger: &Ledger) -> Figures {
    let s = ledger.statistics();
    let persons: u32 = s.accountability.iter().map(|a| a.persons).sum();
    let times: u32 = s.accountability.iter().map(|a| a.person_times).sum();
    let accountability = match (persons, times) {
        (0, 0) => "0人".to_string(),
        (p, 0) => format!("{p}人"),
        (0, t) => format!("{t}人次"),
        (p, t) => format!("{p}人、{t}人次"),
    };
    let count = |p: u32, t: u32| match (p, t) {
        (p, 0) => format!("{p}人"),
        (0, t) => format!("{t}人次"),
        (p, t) => format!("{p}人、{t}人次"),
    };
    Figures {
        aspects: s.aspects,
        problems: s.problems.total,
        completed: s.problems.completed,
        in_progress: s.problems.still_in_progress(),
        long_term: s.problems.long_term,
        rate: s.completion.percent(ledger.policy.rate_decimals),
        rate_numerator: s.completion.numerator,
        rate_denominator: s.completion.denominator,
        rate_value: s.completion.as_f64().unwrap_or(0.0),
        measures: s.measures_total,
        measures_completed: s.measures_completed,
        rules: s.rules_total(),
        rules_made: s.rules_made,
        rules_revised: s.rules_revised,
        funds: s.funds_total().to_string(),
        funds_by_kind: s.funds.iter().map(|f| (f.kind.label_zh().to_string(), f.amount.to_string())).collect(),
        accountability,
        accountability_by_kind: s
            .accountability
            .iter()
            .map(|a| (a.kind.clone(), count(a.persons, a.person_times)))
            .collect(),
        meetings_total: s.meetings.iter().map(|m| m.count).sum(),
        meetings: s.meetings.iter().map(|m| (m.kind.clone(), m.count)).collect(),
    }
}
