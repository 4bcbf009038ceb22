//! The headline figures of a ledger as people read them: counts, the completion rate as printed,
//! rules, funds in 万元 with two decimals, accountability per kind in the unit it was counted in
//! (人 or 人次, as the report writer words it) and in total in 人次 (the domain's one rule), meetings.

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
    /// The total over every kind, in 人次.
    accountability: String,
    /// How the total was reached when some kinds were counted in 人 (each person one 人次).
    accountability_note: Option<String>,
    accountability_by_kind: Vec<(String, String)>,
    meetings: Vec<(String, u32)>,
    meetings_total: u32,
}

pub(crate) fn figures(ledger: &Ledger) -> Figures {
    let s = ledger.statistics();
    let total = s.accountability_person_times();
    let persons = s.accountability_persons_counted();
    let accountability = format!("{total}人次");
    let accountability_note = (persons > 0 && persons < total).then(|| format!("其中按人数统计的{persons}人各计1人次"));
    // A kind in the unit it was counted in; counted both ways, in 人次 by the same rule.
    let count = |a: &rectify_domain::stats::AccountabilityTotal| match (a.persons, a.person_times) {
        (p, 0) => format!("{p}人"),
        (0, t) => format!("{t}人次"),
        _ => format!("{}人次", a.person_times_total()),
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
        funds: s.funds_total().to_dashboard_text(),
        funds_by_kind: s.funds.iter().map(|f| (f.kind.label_zh().to_string(), f.amount.to_dashboard_text())).collect(),
        accountability,
        accountability_note,
        accountability_by_kind: s.accountability.iter().map(|a| (a.kind.clone(), count(a))).collect(),
        meetings_total: s.meetings.iter().map(|m| m.count).sum(),
        meetings: s.meetings.iter().map(|m| (m.kind.clone(), m.count)).collect(),
    }
}
