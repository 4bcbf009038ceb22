//! A round (巡察轮次) across its units: the figures of the aggregate report (汇总报告), as plain
//! data that the writers render and the storage fills.

use chrono::NaiveDate;
use serde::Serialize;

pub use crate::kind::{InspectionKind, UnknownInspectionKind};
use crate::money::WanYuan;
use crate::stats::{AccountabilityTotal, FundTotal, MeetingTotal, Rate};

/// One unit of a round in the aggregate report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundUnitFigures {
    pub inspection_id: i64,
    /// The inspected organisation (or the ledger's title when it names none).
    pub unit: String,
    /// Problems fed back (the denominator of the completion rate).
    pub problems: u32,
    /// Problems closed (销号), with long-term ones where the unit's policy counts them.
    pub closed: u32,
    /// Open measures past their deadline.
    pub overdue_measures: u32,
    /// Measures claimed closed and awaiting verification.
    pub awaiting_verification: u32,
    /// Rules made or revised (建立完善制度).
    pub rules: u32,
    /// Every fund kind summed.
    pub funds: WanYuan,
    /// People held to account (persons and person-times together).
    pub accountability: u32,
    pub meetings: u32,
}

impl RoundUnitFigures {
    pub fn rate(&self) -> Rate {
        Rate { numerator: self.closed, denominator: self.problems }
    }
}

/// The aggregate report of a round: every figure is counted from the stored ledgers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundReport {
    /// The round's name, e.g. 区委第三轮巡察.
    pub name: String,
    pub kind: InspectionKind,
    /// The day the figures were counted.
    pub as_of: NaiveDate,
    /// The units in the order the report lists them (the furthest behind first).
    pub units: Vec<RoundUnitFigures>,
    pub rules_made: u32,
    pub rules_revised: u32,
    /// Every fund kind in a fixed order, zero included.
    pub funds: Vec<FundTotal>,
    pub accountability: Vec<AccountabilityTotal>,
    pub meetings: Vec<MeetingTotal>,
}

impl RoundReport {
    pub fn problems(&self) -> u32 {
        self.units.iter().map(|u| u.problems).sum()
    }

    pub fn closed(&self) -> u32 {
        self.units.iter().map(|u| u.closed).sum()
    }

    /// Closed ÷ fed back over the whole round (not the mean of the units' rates).
    pub fn rate(&self) -> Rate {
        Rate { numerator: self.closed(), denominator: self.problems() }
    }

    pub fn overdue_measures(&self) -> u32 {
        self.units.iter().map(|u| u.overdue_measures).sum()
    }

    pub fn funds_total(&self) -> WanYuan {
        self.funds.iter().fold(WanYuan::ZERO, |acc, f| acc.checked_add(f.amount).unwrap_or(acc))
    }

    /// The units that are not done yet (open problems or overdue measures), the furthest
    /// behind first, at most `n`.
    pub fn furthest_behind(&self, n: usize) -> Vec<&RoundUnitFigures> {
        let mut behind: Vec<&RoundUnitFigures> =
            self.units.iter().filter(|u| u.closed < u.problems || u.overdue_measures > 0).collect();
        behind.sort_by(|a, b| behind_first(a, b));
        behind.truncate(n);
        behind
    }

    /// Puts the units in the report's order, the furthest behind first.
    pub fn rank_units(&mut self) {
        self.units.sort_by(behind_first);
    }
}

/// The furthest behind first: the lowest completion rate (none fed back counts as done), then
/// the most overdue measures — outcomes only, never activity.
fn behind_first(a: &RoundUnitFigures, b: &RoundUnitFigures) -> std::cmp::Ordering {
    let rate = |u: &RoundUnitFigures| u.rate().as_f64().unwrap_or(100.0);
    rate(a)
        .total_cmp(&rate(b))
        .then(b.overdue_measures.cmp(&a.overdue_measures))
        .then(a.inspection_id.cmp(&b.inspection_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: i64, problems: u32, closed: u32, overdue: u32) -> RoundUnitFigures {
        RoundUnitFigures {
            inspection_id: id,
            unit: format!("单位{id}"),
            problems,
            closed,
            overdue_measures: overdue,
            awaiting_verification: 0,
            rules: 0,
            funds: WanYuan::ZERO,
            accountability: 0,
            meetings: 0,
        }
    }

    #[test]
    fn the_round_rate_is_over_all_problems_and_the_laggards_come_lowest_first() {
        let report = RoundReport {
            name: "第一轮".into(),
            kind: InspectionKind::Xuncha,
            as_of: NaiveDate::from_ymd_opt(2024, 6, 30).unwrap(),
            units: vec![unit(1, 10, 10, 0), unit(2, 4, 1, 0), unit(3, 2, 1, 3), unit(4, 1, 1, 2)],
            rules_made: 0,
            rules_revised: 0,
            funds: Vec::new(),
            accountability: Vec::new(),
            meetings: Vec::new(),
        };
        // 13/17, not the mean of 100%, 25%, 50% and 100%.
        assert_eq!(report.rate().percent(2).as_deref(), Some("76.47"));
        let ids: Vec<i64> = report.furthest_behind(10).iter().map(|u| u.inspection_id).collect();
        assert_eq!(ids, vec![2, 3, 4]);
        assert_eq!(report.furthest_behind(1).len(), 1);
    }
}
