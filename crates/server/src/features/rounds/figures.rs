//! The figures of a round's units: the order (furthest behind first), the sums, the rate.

use rectify_storage::RoundUnit;

use crate::error::AppError;

/// A rate in percent rounded half-up to two decimals.
pub(super) fn percent(closed: u32, problems: u32) -> Option<f64> {
    (problems > 0).then(|| (f64::from(closed) * 10_000.0 / f64::from(problems)).round() / 100.0)
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
        let rate = |u: &RoundUnit| u.completion().unwrap_or(1.0);
        rate(a).total_cmp(&rate(b)).then(b.red.cmp(&a.red)).then(a.inspection_id.cmp(&b.inspection_id))
    });
    units
}

/// (units, problems, closed) over the units.
pub(super) fn totals(units: &[RoundUnit]) -> (u32, u32, u32) {
    let count = u32::try_from(units.len()).unwrap_or(u32::MAX);
    units.iter().fold((count, 0, 0), |(n, p, c), u| (n, p + u.problems, c + u.closed))
}
