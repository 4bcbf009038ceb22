//! A round (巡察轮次) across its units: the figures of the aggregate report (汇总报告), as plain
//! data that the writers render and the storage fills.

use chrono::NaiveDate;
use serde::Serialize;

use crate::date::PartialDate;
pub use crate::kind::{InspectionKind, UnknownInspectionKind};
use crate::limits::{self, TooLong};
use crate::money::WanYuan;
use crate::stats::{AccountabilityTotal, FundTotal, MeetingTotal, Rate};

/// At most this many groups (巡察组) in one round: real rounds send 3–10.
pub const MAX_GROUPS: usize = 50;

/// One inspection group (巡察组) of a round: its name, its leader (组长) and the units it
/// inspected (their inspections' ids).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InspectionGroup {
    name: String,
    leader: Option<String>,
    units: Vec<i64>,
}

impl InspectionGroup {
    /// A group, checked: the name one line, not blank, within [`limits::NAME`]; the leader
    /// likewise (blank is none); the units without repeats.
    pub fn new(name: &str, leader: Option<&str>, units: Vec<i64>) -> Result<Self, RoundDetailsError> {
        let name = one_line(name).ok_or(RoundDetailsError::GroupWithoutName)?;
        limits::NAME.check(&name).map_err(|e| RoundDetailsError::TooLong { field: "巡察组名称", error: e })?;
        let leader = leader.and_then(one_line);
        limits::NAME
            .check_opt(leader.as_deref())
            .map_err(|e| RoundDetailsError::TooLong { field: "巡察组组长", error: e })?;
        let mut units = units;
        units.sort_unstable();
        units.dedup();
        Ok(InspectionGroup { name, leader, units })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn leader(&self) -> Option<&str> {
        self.leader.as_deref()
    }

    /// The inspections the group inspected, by id.
    pub fn units(&self) -> &[i64] {
        &self.units
    }
}

/// The record of a round beyond its name: the committee that ran it, its groups, and the dates
/// of the on-site inspection (进驻) and of the feedback (反馈). Every field may be unknown;
/// what is known is consistent (dates in order, groups named once).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RoundDetails {
    committee: Option<String>,
    start: Option<PartialDate>,
    end: Option<PartialDate>,
    feedback_date: Option<PartialDate>,
    groups: Vec<InspectionGroup>,
}

/// Why a round's record was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoundDetailsError {
    #[error("the {field} is too long: {error}")]
    TooLong { field: &'static str, error: TooLong },
    #[error("a group has no name")]
    GroupWithoutName,
    #[error("two groups are named {0:?}")]
    GroupTwice(String),
    #[error("more than {MAX_GROUPS} groups")]
    TooManyGroups,
    /// `earlier` is after `later` (e.g. the on-site inspection ends before it starts).
    #[error("the {earlier} ({earlier_date}) is after the {later} ({later_date})")]
    DatesOutOfOrder { earlier: &'static str, earlier_date: PartialDate, later: &'static str, later_date: PartialDate },
}

impl RoundDetailsError {
    /// The refusal as the office reads it.
    pub fn message_zh(&self) -> String {
        match self {
            RoundDetailsError::TooLong { field, error } => {
                format!("{field}过长（{}字），最多{}字。", error.chars, error.limit.max_chars)
            }
            RoundDetailsError::GroupWithoutName => "巡察组名称不能为空。".to_string(),
            RoundDetailsError::GroupTwice(name) => format!("巡察组“{name}”重复填写。"),
            RoundDetailsError::TooManyGroups => format!("一个轮次最多填写{MAX_GROUPS}个巡察组。"),
            RoundDetailsError::DatesOutOfOrder { earlier, earlier_date, later, later_date } => {
                format!("{earlier}（{}）不能晚于{later}（{}）。", earlier_date.to_chinese(), later_date.to_chinese())
            }
        }
    }
}

/// The text trimmed, its inner runs of white space made one space; `None` when blank.
fn one_line(text: &str) -> Option<String> {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!line.is_empty()).then_some(line)
}

impl RoundDetails {
    /// A round's record, checked: the committee within [`limits::NAME`] (blank is none); the
    /// on-site inspection starts no later than it ends and ends no later than the feedback
    /// (partial dates are in order when they can be: 2024-03 before 2024-03-15 is); at most
    /// [`MAX_GROUPS`] groups, each named once.
    pub fn new(
        committee: Option<&str>,
        start: Option<PartialDate>,
        end: Option<PartialDate>,
        feedback_date: Option<PartialDate>,
        groups: Vec<InspectionGroup>,
    ) -> Result<Self, RoundDetailsError> {
        let committee = committee.and_then(one_line);
        limits::NAME
            .check_opt(committee.as_deref())
            .map_err(|e| RoundDetailsError::TooLong { field: "派出巡察的党组织", error: e })?;
        let order = [("进驻开始日期", start), ("进驻结束日期", end), ("反馈日期", feedback_date)];
        for (i, (earlier, a)) in order.iter().enumerate() {
            for (later, b) in &order[i + 1..] {
                if let (Some(a), Some(b)) = (a, b)
                    && a.earliest() > b.latest()
                {
                    return Err(RoundDetailsError::DatesOutOfOrder {
                        earlier,
                        earlier_date: *a,
                        later,
                        later_date: *b,
                    });
                }
            }
        }
        if groups.len() > MAX_GROUPS {
            return Err(RoundDetailsError::TooManyGroups);
        }
        for (i, g) in groups.iter().enumerate() {
            if groups[..i].iter().any(|other| other.name == g.name) {
                return Err(RoundDetailsError::GroupTwice(g.name.clone()));
            }
        }
        Ok(RoundDetails { committee, start, end, feedback_date, groups })
    }

    /// 派出巡察的党组织 or its leading group, e.g. 区委巡察工作领导小组.
    pub fn committee(&self) -> Option<&str> {
        self.committee.as_deref()
    }

    /// The first day of the on-site inspection (进驻).
    pub fn start(&self) -> Option<PartialDate> {
        self.start
    }

    /// The last day of the on-site inspection.
    pub fn end(&self) -> Option<PartialDate> {
        self.end
    }

    /// The day the findings were fed back (反馈).
    pub fn feedback_date(&self) -> Option<PartialDate> {
        self.feedback_date
    }

    pub fn groups(&self) -> &[InspectionGroup] {
        &self.groups
    }

    /// This record with what it does not know taken from `other` (an imported ledger's
    /// metadata): a field the office entered is never replaced, a group of a name already
    /// present only gains `other`'s units. `None` when the result would be inconsistent (an
    /// imported date out of order with an entered one): then nothing is taken.
    pub fn filled_from(&self, other: &RoundDetails) -> Option<RoundDetails> {
        let mut groups = self.groups.clone();
        for g in &other.groups {
            match groups.iter_mut().find(|mine| mine.name == g.name) {
                Some(mine) => {
                    mine.units.extend(&g.units);
                    mine.units.sort_unstable();
                    mine.units.dedup();
                }
                None => groups.push(g.clone()),
            }
        }
        RoundDetails::new(
            self.committee().or(other.committee()),
            self.start.or(other.start),
            self.end.or(other.end),
            self.feedback_date.or(other.feedback_date),
            groups,
        )
        .ok()
    }
}

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
    /// The committee, the groups and the dates, as far as they are known.
    pub details: RoundDetails,
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
            details: RoundDetails::default(),
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

    fn day(text: &str) -> Option<PartialDate> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn a_record_keeps_its_dates_in_order_and_its_names_within_limits() {
        let ok = RoundDetails::new(
            Some("  区委巡察工作\n领导小组 "),
            day("2024-03"),
            day("2024-03-20"),
            day("2024-05"),
            vec![],
        );
        let ok = ok.unwrap();
        assert_eq!(ok.committee(), Some("区委巡察工作 领导小组"));
        // A month and a day of it are in order either way round.
        assert!(RoundDetails::new(None, day("2024-03-20"), day("2024-03"), None, vec![]).is_ok());
        let late = RoundDetails::new(None, day("2024-03-20"), day("2024-03-19"), None, vec![]).unwrap_err();
        assert_eq!(late.message_zh(), "进驻开始日期（2024年3月20日）不能晚于进驻结束日期（2024年3月19日）。");
        let early_feedback = RoundDetails::new(None, day("2024-03-01"), None, day("2024-02"), vec![]).unwrap_err();
        assert!(matches!(early_feedback, RoundDetailsError::DatesOutOfOrder { later: "反馈日期", .. }));
        assert_eq!(RoundDetails::new(Some("   "), None, None, None, vec![]).unwrap().committee(), None);
        let long = "委".repeat(limits::NAME.max_chars + 1);
        assert!(matches!(
            RoundDetails::new(Some(&long), None, None, None, vec![]),
            Err(RoundDetailsError::TooLong { field: "派出巡察的党组织", .. })
        ));
        assert_eq!(InspectionGroup::new(" \t", None, vec![]), Err(RoundDetailsError::GroupWithoutName));
        assert!(InspectionGroup::new("第一巡察组", Some(&long), vec![]).is_err());
        let g = InspectionGroup::new("第一巡察组", Some("  "), vec![3, 1, 3]).unwrap();
        assert_eq!((g.leader(), g.units()), (None, &[1, 3][..]));
        let twice = RoundDetails::new(None, None, None, None, vec![g.clone(), g.clone()]).unwrap_err();
        assert_eq!(twice.message_zh(), "巡察组“第一巡察组”重复填写。");
        let many = (0..=MAX_GROUPS).map(|i| InspectionGroup::new(&format!("第{i}组"), None, vec![]).unwrap()).collect();
        assert_eq!(RoundDetails::new(None, None, None, None, many), Err(RoundDetailsError::TooManyGroups));
    }

    #[test]
    fn an_import_fills_what_is_missing_and_never_replaces_what_was_entered() {
        let first = InspectionGroup::new("区委第一巡察组", Some("张三"), vec![1]).unwrap();
        let entered = RoundDetails::new(Some("区委"), day("2024-03-04"), None, None, vec![first]).unwrap();
        let imported = RoundDetails::new(
            None,
            day("2024-02-01"),
            day("2024-05-20"),
            day("2024-07-15"),
            vec![
                InspectionGroup::new("区委第一巡察组", None, vec![2]).unwrap(),
                InspectionGroup::new("区委第二巡察组", None, vec![3]).unwrap(),
            ],
        )
        .unwrap();
        let filled = entered.filled_from(&imported).unwrap();
        assert_eq!(filled.committee(), Some("区委"));
        assert_eq!(filled.start(), day("2024-03-04"), "the entered start stays");
        assert_eq!((filled.end(), filled.feedback_date()), (day("2024-05-20"), day("2024-07-15")));
        assert_eq!(filled.groups().len(), 2);
        assert_eq!((filled.groups()[0].leader(), filled.groups()[0].units()), (Some("张三"), &[1, 2][..]));
        // An imported end before the entered start would make the record inconsistent.
        let odd = RoundDetails::new(None, None, day("2024-01-10"), None, vec![]).unwrap();
        assert_eq!(entered.filled_from(&odd), None);
    }
}
