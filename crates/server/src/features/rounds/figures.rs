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

/// What the overview shows: a filter, a search in the unit's name and an order. Unknown values
/// are refused, so a mistyped link does not silently show something else.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct OverviewQuery {
    /// `rate` (the default: the furthest behind first), `unit`, `problems`, `overdue`, `yellow`
    /// or `awaiting`.
    pub sort: Option<String>,
    /// `asc` or `desc` (each order has its natural direction when not given).
    pub dir: Option<String>,
    /// `behind` (not done, or overdue), `red` (overdue measures), `yellow` or `awaiting`.
    pub only: Option<String>,
    /// Part of the unit's name.
    pub q: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SortKey {
    Rate,
    Unit,
    Problems,
    Overdue,
    Yellow,
    Awaiting,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Only {
    Behind,
    Red,
    Yellow,
    Awaiting,
}

/// The overview's choices, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct View {
    pub sort: SortKey,
    pub descending: bool,
    pub only: Option<Only>,
    pub q: Option<String>,
}

fn unknown(what: &str, value: &str) -> AppError {
    AppError::BadQuery(format!("unknown {what} {:?}", value.chars().take(40).collect::<String>()))
}

impl OverviewQuery {
    pub(super) fn view(&self) -> Result<View, AppError> {
        let blank = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        let sort = match blank(&self.sort).as_deref() {
            None | Some("rate") => SortKey::Rate,
            Some("unit") => SortKey::Unit,
            Some("problems") => SortKey::Problems,
            Some("overdue") => SortKey::Overdue,
            Some("yellow") => SortKey::Yellow,
            Some("awaiting") => SortKey::Awaiting,
            Some(other) => return Err(unknown("sort", other)),
        };
        // Counts read best largest first; rates and names smallest first.
        let natural_desc = !matches!(sort, SortKey::Rate | SortKey::Unit);
        let descending = match blank(&self.dir).as_deref() {
            None => natural_desc,
            Some("asc") => false,
            Some("desc") => true,
            Some(other) => return Err(unknown("dir", other)),
        };
        let only = match blank(&self.only).as_deref() {
            None | Some("all") => None,
            Some("behind") => Some(Only::Behind),
            Some("red") => Some(Only::Red),
            Some("yellow") => Some(Only::Yellow),
            Some("awaiting") => Some(Only::Awaiting),
            Some(other) => return Err(unknown("filter", other)),
        };
        let q = blank(&self.q).map(|q| q.chars().take(50).collect());
        Ok(View { sort, descending, only, q })
    }
}

fn name(u: &RoundUnit) -> String {
    u.unit.clone().or_else(|| u.title.clone()).unwrap_or_else(|| format!("巡察台账{}", u.inspection_id))
}

/// The units the view shows, in its order (ties keep the furthest-behind order).
pub(super) fn shown(units: Vec<RoundUnit>, view: &View) -> Vec<RoundUnit> {
    let mut units: Vec<RoundUnit> = ranked(units)
        .into_iter()
        .filter(|u| match view.only {
            None => true,
            Some(Only::Behind) => u.closed < u.problems || u.red > 0,
            Some(Only::Red) => u.red > 0,
            Some(Only::Yellow) => u.yellow > 0,
            Some(Only::Awaiting) => u.awaiting_verification > 0,
        })
        .filter(|u| view.q.as_deref().is_none_or(|q| name(u).contains(q)))
        .collect();
    let key = view.sort;
    if key != SortKey::Rate || view.descending {
        units.sort_by(|a, b| {
            let order = match key {
                SortKey::Rate => {
                    let rate = |u: &RoundUnit| u.rate().as_f64().unwrap_or(100.0);
                    rate(a).total_cmp(&rate(b))
                }
                SortKey::Unit => name(a).cmp(&name(b)),
                SortKey::Problems => a.problems.cmp(&b.problems),
                SortKey::Overdue => a.red.cmp(&b.red),
                SortKey::Yellow => a.yellow.cmp(&b.yellow),
                SortKey::Awaiting => a.awaiting_verification.cmp(&b.awaiting_verification),
            };
            if view.descending { order.reverse() } else { order }
        });
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: i64, name: &str, problems: u32, closed: u32, red: u32, awaiting: u32) -> RoundUnit {
        RoundUnit {
            inspection_id: id,
            unit: Some(name.into()),
            title: None,
            problems,
            closed,
            measures: 0,
            red,
            yellow: 0,
            awaiting_verification: awaiting,
            last_progress: None,
        }
    }

    fn ids(units: &[RoundUnit]) -> Vec<i64> {
        units.iter().map(|u| u.inspection_id).collect()
    }

    fn units() -> Vec<RoundUnit> {
        vec![
            unit(1, "甲局", 10, 10, 0, 0),
            unit(2, "乙局", 10, 5, 2, 1),
            unit(3, "丙局", 10, 8, 0, 3),
            unit(4, "丁局", 10, 5, 4, 0),
        ]
    }

    fn view(sort: &str, dir: &str, only: &str, q: &str) -> View {
        let s = |v: &str| (!v.is_empty()).then(|| v.to_owned());
        OverviewQuery { sort: s(sort), dir: s(dir), only: s(only), q: s(q) }.view().unwrap()
    }

    #[test]
    fn the_default_is_the_furthest_behind_first() {
        assert_eq!(ids(&shown(units(), &view("", "", "", ""))), [4, 2, 3, 1]);
        assert_eq!(ids(&shown(units(), &view("rate", "desc", "", ""))), [1, 3, 4, 2]);
    }

    #[test]
    fn filters_and_orders_combine() {
        assert_eq!(ids(&shown(units(), &view("", "", "behind", ""))), [4, 2, 3]);
        assert_eq!(ids(&shown(units(), &view("", "", "red", ""))), [4, 2]);
        assert_eq!(ids(&shown(units(), &view("awaiting", "", "", ""))), [3, 2, 4, 1]);
        assert_eq!(ids(&shown(units(), &view("overdue", "asc", "red", ""))), [2, 4]);
        assert_eq!(ids(&shown(units(), &view("", "", "", "丙"))), [3]);
    }

    #[test]
    fn unknown_choices_are_refused() {
        for q in [
            OverviewQuery { sort: Some("lights".into()), ..Default::default() },
            OverviewQuery { dir: Some("up".into()), ..Default::default() },
            OverviewQuery { only: Some("green".into()), ..Default::default() },
        ] {
            assert!(matches!(q.view(), Err(AppError::BadQuery(_))), "{q:?}");
        }
    }
}
