//! The figures of a round's units: the order (furthest behind first), the sums, the rate.

use rectify_domain::Rate;
use rectify_storage::RoundUnit;

use crate::error::AppError;

/// Closed ÷ fed back as printed (two decimals, the domain's half-up rounding); `None` for 0/0.
pub(super) fn percent_text(closed: u32, problems: u32) -> Option<String> {
    Rate { numerator: closed, denominator: problems }.percent(2)
}

/// [`percent_text`] as a number, for JSON.
pub(super) fn percent(closed: u32, problems: u32) -> Option<f64> {
    percent_text(closed, problems).and_then(|p| p.parse().ok())
}

/// A round's id from the path.
pub(super) fn round_id(raw: &str) -> Result<i64, AppError> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| AppError::BadId { what: "round id", value: raw.chars().take(40).collect() })
}

/// The units furthest behind first: the lowest completion rate, then the most overdue measures
/// (ranked by outcomes, never by activity).
pub(super) fn ranked(mut units: Vec<RoundUnit>) -> Vec<RoundUnit> {
    units.sort_by(|a, b| {
        let rate = |u: &RoundUnit| u.rate().as_f64().unwrap_or(100.0);
        rate(a).total_cmp(&rate(b)).then(b.red.cmp(&a.red)).then(a.inspection_id.cmp(&b.inspection_id))
    });
    units
}

/// (units, problems, closed) over the units.
pub(super) fn totals(units: &[RoundUnit]) -> (u32, u32, u32) {
    let count = u32::try_from(units.len()).unwrap_or(u32::MAX);
    units.iter().fold((count, 0, 0), |(n, p, c), u| (n, p + u.problems, c + u.closed))
}
