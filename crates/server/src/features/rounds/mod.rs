//! Rounds (巡察轮次): the inspection office's view across the units of a round.

mod api;
mod pages;

use rectify_storage::RoundUnit;

use crate::error::AppError;
use crate::http::route::Access::AnyOf;
use crate::http::route::{Route, Target};
use crate::route;
use crate::service::scope::sets::READ;

pub(crate) use api::{OverviewDto, RoundDto, TotalsDto, UnitRowDto};

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/api/rounds", api::list_rounds, AnyOf(READ), Target::None, Api, doc = api::__path_list_rounds),
    route!(GET "/api/rounds/{id}/overview", api::overview, AnyOf(READ), Target::None, Api, doc = api::__path_overview),
    route!(GET "/rounds", pages::list, AnyOf(READ), Target::None, Page),
    route!(GET "/rounds/{id}", pages::overview, AnyOf(READ), Target::None, Page),
];

/// A round's id from the path.
fn round_id(raw: &str) -> Result<i64, AppError> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| AppError::BadId { what: "round id", value: raw.chars().take(40).collect() })
}

/// The units furthest behind first: the lowest completion rate, then the most overdue measures
/// (ranked by outcomes, never by activity).
fn ranked(mut units: Vec<RoundUnit>) -> Vec<RoundUnit> {
    units.sort_by(|a, b| {
        let rate = |u: &RoundUnit| u.completion().unwrap_or(1.0);
        rate(a).total_cmp(&rate(b)).then(b.red.cmp(&a.red)).then(a.inspection_id.cmp(&b.inspection_id))
    });
    units
}

/// (units, problems, closed) over the units.
fn totals(units: &[RoundUnit]) -> (u32, u32, u32) {
    let count = u32::try_from(units.len()).unwrap_or(u32::MAX);
    units.iter().fold((count, 0, 0), |(n, p, c), u| (n, p + u.problems, c + u.closed))
}
