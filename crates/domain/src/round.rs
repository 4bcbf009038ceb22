//! A round (巡察轮次) across its units: the kind of inspection and the figures of the aggregate
//! report (汇总报告), as plain data that the writers render and the storage fills.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::money::WanYuan;
use crate::stats::{AccountabilityTotal, FundTotal, MeetingTotal, Rate};

/// The kind of inspection (检查类别) whose findings a ledger rectifies; it decides the wording
/// of the reports (巡察整改 / 审计整改 …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum InspectionKind {
    /// 巡视: by the Central Committee or a provincial committee.
    Xunshi,
    /// 巡察: by a city or county committee, or an institution over its own sub-units.
    #[default]
    Xuncha,
    /// 审计: the state audit track (审计机关 → 被审计单位).
    Audit,
    /// 专项检查: special checks such as the 双随机、一公开 spot checks.
    SpotCheck,
}

/// Text that names none of the four kinds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的检查类别「{0}」，应为 巡视、巡察、审计 或 专项检查")]
pub struct UnknownInspectionKind(pub String);

impl InspectionKind {
    pub const ALL: [InspectionKind; 4] =
        [InspectionKind::Xunshi, InspectionKind::Xuncha, InspectionKind::Audit, InspectionKind::SpotCheck];

    /// The Chinese name, which is also the stored and the JSON form.
    pub fn as_str(self) -> &'static str {
        match self {
            InspectionKind::Xunshi => "巡视",
            InspectionKind::Xuncha => "巡察",
            InspectionKind::Audit => "审计",
            InspectionKind::SpotCheck => "专项检查",
        }
    }

    /// Reads the kind from imported text: the four names, and the longer forms reports use
    /// (常规巡察, 专项巡视, 经济责任审计, 双随机、一公开检查 …). Blank text is no kind (`None`
    /// inside `Ok`); anything else is an error that names the four kinds.
    pub fn parse_text(text: &str) -> Result<Option<Self>, UnknownInspectionKind> {
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if t.is_empty() {
            return Ok(None);
        }
        // 巡视 before 巡察: "巡视巡察" (a combined office's wording) reads as the higher level.
        // Traditional characters too, as the report reader accepts them.
        let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
        let kind = if has(&["巡视", "巡視"]) {
            InspectionKind::Xunshi
        } else if has(&["巡察"]) {
            InspectionKind::Xuncha
        } else if has(&["审计", "審計"]) {
            InspectionKind::Audit
        } else if has(&["双随机", "雙隨機", "检查", "檢查", "抽查"]) {
            InspectionKind::SpotCheck
        } else {
            return Err(UnknownInspectionKind(t.chars().take(40).collect()));
        };
        Ok(Some(kind))
    }

    /// `{name}{kind}` without saying the kind twice: 第三轮 + 巡察 → 第三轮巡察, but
    /// 区委第三轮巡察 stays as it is.
    pub fn after(self, name: &str) -> String {
        let name = name.trim();
        if name.ends_with(self.as_str()) { name.to_string() } else { format!("{name}{}", self.as_str()) }
    }

    /// The office that reports on a round: 巡察工作领导小组办公室; `None` for audits and spot
    /// checks, whose office differs from place to place.
    pub fn office(self) -> Option<String> {
        matches!(self, InspectionKind::Xunshi | InspectionKind::Xuncha)
            .then(|| format!("{}工作领导小组办公室", self.as_str()))
    }
}

impl fmt::Display for InspectionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for InspectionKind {
    type Err = UnknownInspectionKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        InspectionKind::parse_text(s)?.ok_or_else(|| UnknownInspectionKind(String::new()))
    }
}

impl Serialize for InspectionKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for InspectionKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
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

    #[test]
    fn kinds_read_from_report_wording() {
        let read = |t: &str| InspectionKind::parse_text(t);
        assert_eq!(read("巡察"), Ok(Some(InspectionKind::Xuncha)));
        assert_eq!(read(" 常规巡察 "), Ok(Some(InspectionKind::Xuncha)));
        assert_eq!(read("专项巡视"), Ok(Some(InspectionKind::Xunshi)));
        assert_eq!(read("巡視"), Ok(Some(InspectionKind::Xunshi)));
        assert_eq!(read("经济责任审计"), Ok(Some(InspectionKind::Audit)));
        assert_eq!(read("双随机、一公开"), Ok(Some(InspectionKind::SpotCheck)));
        assert_eq!(read("专项检查"), Ok(Some(InspectionKind::SpotCheck)));
        assert_eq!(read("  "), Ok(None));
        let err = read("座谈").unwrap_err();
        assert!(err.to_string().contains("座谈") && err.to_string().contains("专项检查"), "{err}");
    }

    #[test]
    fn the_name_is_the_parse_of_its_own_text_and_its_json() {
        for kind in InspectionKind::ALL {
            assert_eq!(kind.as_str().parse::<InspectionKind>(), Ok(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(serde_json::from_str::<InspectionKind>(&json).unwrap(), kind);
        }
        assert!(serde_json::from_str::<InspectionKind>("\"座谈\"").is_err());
    }

    #[test]
    fn the_kind_is_not_said_twice_after_a_round_name() {
        assert_eq!(InspectionKind::Xuncha.after("区委第三轮巡察"), "区委第三轮巡察");
        assert_eq!(InspectionKind::Xuncha.after("七届区委第一轮"), "七届区委第一轮巡察");
        assert_eq!(InspectionKind::Audit.after("2023年度预算执行"), "2023年度预算执行审计");
    }

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
