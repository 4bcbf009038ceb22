//! Evaluation (整改评估): the score sheet (评分表) the inspection office sets for a round, and the
//! score of one unit from its outcomes.
//!
//! A unit earns the weights of the sheet's indicators in proportion to its outcomes (指标得分),
//! loses points per counted failure (扣分项, each optionally capped), and is vetoed (一票否决)
//! when a rule of the sheet or the office says so. A vetoed unit is rated 差 whatever its score.
//! Only outcomes enter: closures, deadlines met, relapses, answers to the public, claims sent
//! back — never activity counts such as progress entries or sign-ins, which a unit could inflate.
//!
//! Points are kept in tenths ([`Points`]) so that sums and comparisons are exact.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A number of points with one decimal (`Points(25)` is 2.5分), never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Points(u32);

/// The full score of a sheet: 100分.
pub const FULL_SCORE: Points = Points(1_000);

impl Points {
    pub const ZERO: Points = Points(0);

    /// Points from tenths (`25` → 2.5分).
    pub const fn from_tenths(tenths: u32) -> Points {
        Points(tenths)
    }

    /// Whole points (`3` → 3分).
    pub const fn whole(points: u32) -> Points {
        Points(points * 10)
    }

    pub const fn tenths(self) -> u32 {
        self.0
    }

    /// Parses a number of points as people write it (`2`, `2.5`, `0.5`): one decimal at most,
    /// not negative, at most 100.
    pub fn parse(text: &str) -> Result<Points, SheetError> {
        let text = text.trim();
        let bad = || SheetError::BadPoints(text.chars().take(20).collect());
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || whole.len() > 3 {
            return Err(bad());
        }
        let tenth = match fraction.len() {
            0 if !text.ends_with('.') => 0,
            1 if fraction.as_bytes()[0].is_ascii_digit() => u32::from(fraction.as_bytes()[0] - b'0'),
            _ => return Err(bad()),
        };
        let whole: u32 = whole.parse().map_err(|_| bad())?;
        let points = Points(whole * 10 + tenth);
        if points > FULL_SCORE {
            return Err(bad());
        }
        Ok(points)
    }

    /// The value as a number, for JSON (`2.5`).
    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 10.0
    }
}

impl fmt::Display for Points {
    /// `2.5`, `3` (no trailing `.0`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 % 10 {
            0 => write!(f, "{}", self.0 / 10),
            t => write!(f, "{}.{t}", self.0 / 10),
        }
    }
}

impl Serialize for Points {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.as_f64())
    }
}

impl<'de> Deserialize<'de> for Points {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = f64::deserialize(d)?;
        let tenths = value * 10.0;
        if !value.is_finite() || value < 0.0 || (tenths - tenths.round()).abs() > 1e-6 || tenths.round() > 1_000.0 {
            return Err(serde::de::Error::custom(format!(
                "points must be between 0 and 100 with at most one decimal, not {value}"
            )));
        }
        Ok(Points(tenths.round() as u32))
    }
}

/// An indicator (评分指标): a share of the full score earned in proportion to an outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorKind {
    /// 整改完成率: problems closed ÷ problems fed back.
    CompletionRate,
    /// 措施按期率: measures not overdue ÷ measures.
    MeasuresOnTime,
    /// 回头看巩固率: look-back items found consolidated ÷ items checked.
    LookbackConsolidated,
    /// 群众意见答复率: public feedback answered ÷ feedback received.
    FeedbackAnswered,
}

impl IndicatorKind {
    pub const ALL: [IndicatorKind; 4] = [
        IndicatorKind::CompletionRate,
        IndicatorKind::MeasuresOnTime,
        IndicatorKind::LookbackConsolidated,
        IndicatorKind::FeedbackAnswered,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            IndicatorKind::CompletionRate => "整改完成率",
            IndicatorKind::MeasuresOnTime => "措施按期完成率",
            IndicatorKind::LookbackConsolidated => "回头看巩固率",
            IndicatorKind::FeedbackAnswered => "群众意见答复率",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            IndicatorKind::CompletionRate => "completion_rate",
            IndicatorKind::MeasuresOnTime => "measures_on_time",
            IndicatorKind::LookbackConsolidated => "lookback_consolidated",
            IndicatorKind::FeedbackAnswered => "feedback_answered",
        }
    }

    /// (achieved, out of) for this indicator.
    fn ratio(self, o: &Outcomes) -> (u32, u32) {
        match self {
            IndicatorKind::CompletionRate => (o.closed.min(o.problems), o.problems),
            IndicatorKind::MeasuresOnTime => (o.measures.saturating_sub(o.overdue_measures), o.measures),
            IndicatorKind::LookbackConsolidated => (o.lookback_checked.saturating_sub(o.relapses), o.lookback_checked),
            IndicatorKind::FeedbackAnswered => (o.feedback_answered.min(o.feedback), o.feedback),
        }
    }
}

/// A deduction (扣分项): points taken off per counted failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeductionKind {
    /// 逾期未完成的整改措施.
    OverdueMeasure,
    /// 回头看发现的反弹问题.
    Relapse,
    /// 超过答复期限未答复的群众意见.
    UnansweredFeedback,
    /// 申请销号被退回重办.
    SentBack,
}

impl DeductionKind {
    pub const ALL: [DeductionKind; 4] = [
        DeductionKind::OverdueMeasure,
        DeductionKind::Relapse,
        DeductionKind::UnansweredFeedback,
        DeductionKind::SentBack,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            DeductionKind::OverdueMeasure => "逾期未完成整改措施",
            DeductionKind::Relapse => "回头看发现问题反弹",
            DeductionKind::UnansweredFeedback => "群众意见逾期未答复",
            DeductionKind::SentBack => "销号申请被退回",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DeductionKind::OverdueMeasure => "overdue_measure",
            DeductionKind::Relapse => "relapse",
            DeductionKind::UnansweredFeedback => "unanswered_feedback",
            DeductionKind::SentBack => "sent_back",
        }
    }

    fn count(self, o: &Outcomes) -> u32 {
        match self {
            DeductionKind::OverdueMeasure => o.overdue_measures,
            DeductionKind::Relapse => o.relapses,
            DeductionKind::UnansweredFeedback => o.feedback_unanswered_late,
            DeductionKind::SentBack => o.sent_back,
        }
    }
}

/// One indicator of a sheet with its weight in whole points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    pub kind: IndicatorKind,
    pub weight: u32,
}

/// One deduction of a sheet: `per_item` for each failure, at most `cap` in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deduction {
    pub kind: DeductionKind,
    pub per_item: Points,
    #[serde(default)]
    pub cap: Option<Points>,
}

/// The lowest score of each tier but the last (好 ≥ good > 较好 ≥ fairly_good > 一般 ≥ fair > 差).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tiers {
    pub good: Points,
    pub fairly_good: Points,
    pub fair: Points,
}

/// The rating (评定等次) of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Good,
    FairlyGood,
    Fair,
    Poor,
}

impl Tier {
    pub fn label_zh(self) -> &'static str {
        match self {
            Tier::Good => "好",
            Tier::FairlyGood => "较好",
            Tier::Fair => "一般",
            Tier::Poor => "差",
        }
    }
}

impl Tiers {
    pub fn tier(&self, score: Points) -> Tier {
        if score >= self.good {
            Tier::Good
        } else if score >= self.fairly_good {
            Tier::FairlyGood
        } else if score >= self.fair {
            Tier::Fair
        } else {
            Tier::Poor
        }
    }
}

/// Why a score sheet was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    #[error("a score sheet needs at least one indicator")]
    NoIndicator,
    #[error("the indicator {0} appears twice")]
    DuplicateIndicator(&'static str),
    #[error("the indicator {0} has weight 0")]
    ZeroWeight(&'static str),
    #[error("the weights of the indicators sum to {0}, not 100")]
    WeightsNot100(u64),
    #[error("the deduction {0} appears twice")]
    DuplicateDeduction(&'static str),
    #[error("the deduction {0} takes 0 points per item")]
    ZeroDeduction(&'static str),
    #[error("the tier thresholds must fall strictly: 好 > 较好 > 一般 > 0, at most 100")]
    TiersNotOrdered,
    #[error("the veto by relapses needs at least 1 relapse")]
    ZeroVeto,
    #[error("the grace period of public feedback must be 1 to 365 days, not {0}")]
    BadGrace(u32),
    #[error("points must be a number from 0 to 100 with at most one decimal, not {0:?}")]
    BadPoints(String),
}

impl SheetError {
    /// The reason in Chinese, for the office's form.
    pub fn message_zh(&self) -> String {
        match self {
            SheetError::NoIndicator => "评分表至少需要一项评分指标".into(),
            SheetError::DuplicateIndicator(k) => format!("评分指标“{}”重复", indicator_zh(k)),
            SheetError::ZeroWeight(k) => format!("评分指标“{}”的分值不能为0", indicator_zh(k)),
            SheetError::WeightsNot100(sum) => format!("各项评分指标分值合计应为100分，现为{sum}分"),
            SheetError::DuplicateDeduction(k) => format!("扣分项“{}”重复", deduction_zh(k)),
            SheetError::ZeroDeduction(k) => format!("扣分项“{}”每项扣分不能为0", deduction_zh(k)),
            SheetError::TiersNotOrdered => "等次分数线应依次降低：好 > 较好 > 一般 > 0，且不超过100分".into(),
            SheetError::ZeroVeto => "一票否决的反弹问题数至少为1".into(),
            SheetError::BadGrace(d) => format!("群众意见答复期限应为1至365天，现为{d}天"),
            SheetError::BadPoints(t) => format!("分值“{t}”无效：应为0至100之间、至多一位小数的数"),
        }
    }
}

fn indicator_zh(code: &str) -> &'static str {
    IndicatorKind::ALL.iter().find(|k| k.as_str() == code).map_or("未知指标", |k| k.label_zh())
}

fn deduction_zh(code: &str) -> &'static str {
    DeductionKind::ALL.iter().find(|k| k.as_str() == code).map_or("未知扣分项", |k| k.label_zh())
}

/// The plain form of a sheet, as stored and as the API reads and writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreSheetSpec {
    pub indicators: Vec<Indicator>,
    #[serde(default)]
    pub deductions: Vec<Deduction>,
    /// Public feedback unanswered for more than this many days counts as a failure.
    pub feedback_grace_days: u32,
    /// 一票否决: vetoed when look-back finds at least this many relapses; `None`: no such rule.
    #[serde(default)]
    pub veto_relapses: Option<u32>,
    pub tiers: Tiers,
}

/// A score sheet (评分表) that holds together: indicators each once with weights summing to
/// 100, deductions each once and each taking something, tiers strictly falling, a sensible
/// grace period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ScoreSheetSpec", into = "ScoreSheetSpec")]
pub struct ScoreSheet(ScoreSheetSpec);

impl TryFrom<ScoreSheetSpec> for ScoreSheet {
    type Error = SheetError;

    fn try_from(spec: ScoreSheetSpec) -> Result<Self, SheetError> {
        ScoreSheet::new(spec)
    }
}

impl From<ScoreSheet> for ScoreSheetSpec {
    fn from(sheet: ScoreSheet) -> Self {
        sheet.0
    }
}

impl Default for ScoreSheet {
    /// The sheet of a round whose office configured none (documented in the README):
    /// 整改完成率 50, 措施按期完成率 30, 回头看巩固率 10, 群众意见答复率 10;
    /// −1 per overdue measure (at most −10), −3 per relapse (at most −15), −1 per feedback
    /// unanswered after 15 days (at most −5), −0.5 per claim sent back (at most −5);
    /// vetoed from 2 relapses; 好 ≥ 90, 较好 ≥ 80, 一般 ≥ 60, 差 below.
    fn default() -> Self {
        use DeductionKind as D;
        use IndicatorKind as I;
        let deduction = |kind, per_item, cap| Deduction { kind, per_item: Points(per_item), cap: Some(Points(cap)) };
        ScoreSheet(ScoreSheetSpec {
            indicators: vec![
                Indicator { kind: I::CompletionRate, weight: 50 },
                Indicator { kind: I::MeasuresOnTime, weight: 30 },
                Indicator { kind: I::LookbackConsolidated, weight: 10 },
                Indicator { kind: I::FeedbackAnswered, weight: 10 },
            ],
            deductions: vec![
                deduction(D::OverdueMeasure, 10, 100),
                deduction(D::Relapse, 30, 150),
                deduction(D::UnansweredFeedback, 10, 50),
                deduction(D::SentBack, 5, 50),
            ],
            feedback_grace_days: 15,
            veto_relapses: Some(2),
            tiers: Tiers { good: Points::whole(90), fairly_good: Points::whole(80), fair: Points::whole(60) },
        })
    }
}

impl ScoreSheet {
    pub fn new(spec: ScoreSheetSpec) -> Result<ScoreSheet, SheetError> {
        if spec.indicators.is_empty() {
            return Err(SheetError::NoIndicator);
        }
        let mut sum: u64 = 0;
        for (i, indicator) in spec.indicators.iter().enumerate() {
            if spec.indicators[..i].iter().any(|o| o.kind == indicator.kind) {
                return Err(SheetError::DuplicateIndicator(indicator.kind.as_str()));
            }
            if indicator.weight == 0 {
                return Err(SheetError::ZeroWeight(indicator.kind.as_str()));
            }
            sum += u64::from(indicator.weight);
        }
        if sum != 100 {
            return Err(SheetError::WeightsNot100(sum));
        }
        for (i, deduction) in spec.deductions.iter().enumerate() {
            if spec.deductions[..i].iter().any(|o| o.kind == deduction.kind) {
                return Err(SheetError::DuplicateDeduction(deduction.kind.as_str()));
            }
            if deduction.per_item == Points::ZERO || deduction.cap == Some(Points::ZERO) {
                return Err(SheetError::ZeroDeduction(deduction.kind.as_str()));
            }
        }
        let t = spec.tiers;
        if !(t.good <= FULL_SCORE && t.good > t.fairly_good && t.fairly_good > t.fair && t.fair > Points::ZERO) {
            return Err(SheetError::TiersNotOrdered);
        }
        if spec.veto_relapses == Some(0) {
            return Err(SheetError::ZeroVeto);
        }
        if !(1..=365).contains(&spec.feedback_grace_days) {
            return Err(SheetError::BadGrace(spec.feedback_grace_days));
        }
        Ok(ScoreSheet(spec))
    }

    pub fn spec(&self) -> &ScoreSheetSpec {
        &self.0
    }

    pub fn indicators(&self) -> &[Indicator] {
        &self.0.indicators
    }

    pub fn deductions(&self) -> &[Deduction] {
        &self.0.deductions
    }

    pub fn feedback_grace_days(&self) -> u32 {
        self.0.feedback_grace_days
    }

    pub fn veto_relapses(&self) -> Option<u32> {
        self.0.veto_relapses
    }

    pub fn tiers(&self) -> Tiers {
        self.0.tiers
    }

    /// The score a unit's outcomes earn before any adjustment by the office.
    pub fn score(&self, outcomes: &Outcomes) -> Computed {
        let indicators: Vec<IndicatorScore> = self
            .0
            .indicators
            .iter()
            .map(|i| {
                let (achieved, out_of) = i.kind.ratio(outcomes);
                IndicatorScore { kind: i.kind, achieved, out_of, points: share(i.weight, achieved, out_of) }
            })
            .collect();
        let deductions: Vec<DeductionScore> = self
            .0
            .deductions
            .iter()
            .map(|d| {
                let count = d.kind.count(outcomes);
                let raw = u64::from(count) * u64::from(d.per_item.0);
                let capped = d.cap.map_or(raw, |cap| raw.min(u64::from(cap.0)));
                let points = Points(u32::try_from(capped.min(u64::from(FULL_SCORE.0))).unwrap_or(FULL_SCORE.0));
                DeductionScore { kind: d.kind, count, points }
            })
            .collect();
        let earned: u32 = indicators.iter().map(|i| i.points.0).sum();
        let lost: u32 = deductions.iter().map(|d| d.points.0).sum();
        let vetoed = self.0.veto_relapses.is_some_and(|n| outcomes.relapses >= n);
        Computed { indicators, deductions, score: Points(earned.saturating_sub(lost)), vetoed_by_rule: vetoed }
    }
}

/// `weight` whole points × achieved ÷ out of, in tenths rounded half-up; full marks when there
/// was nothing to achieve (no feedback is not a failure to answer).
fn share(weight: u32, achieved: u32, out_of: u32) -> Points {
    if out_of == 0 {
        return Points(weight * 10);
    }
    let num = 2 * u64::from(weight) * 10 * u64::from(achieved.min(out_of)) + u64::from(out_of);
    Points(u32::try_from(num / (2 * u64::from(out_of))).unwrap_or(u32::MAX))
}

/// What a unit achieved in a round, as counted from its ledger, the look-back, the public
/// feedback and the workflow on the day of the evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Outcomes {
    /// Problems fed back.
    pub problems: u32,
    /// Problems closed (销号).
    pub closed: u32,
    pub measures: u32,
    /// Open measures past their deadline.
    pub overdue_measures: u32,
    /// Look-back items checked (consolidated or relapsed).
    pub lookback_checked: u32,
    /// Look-back items found relapsed (反弹).
    pub relapses: u32,
    /// Public feedback received.
    pub feedback: u32,
    pub feedback_answered: u32,
    /// Feedback still unanswered after the sheet's grace period.
    pub feedback_unanswered_late: u32,
    /// Claims of closure sent back (退回重办).
    pub sent_back: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IndicatorScore {
    pub kind: IndicatorKind,
    pub achieved: u32,
    pub out_of: u32,
    pub points: Points,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DeductionScore {
    pub kind: DeductionKind,
    pub count: u32,
    pub points: Points,
}

/// The score the sheet gives a unit's outcomes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Computed {
    pub indicators: Vec<IndicatorScore>,
    pub deductions: Vec<DeductionScore>,
    /// Earned minus deducted, never below 0.
    pub score: Points,
    /// A veto rule of the sheet applies.
    pub vetoed_by_rule: bool,
}

/// The office's adjustment of a unit (each with its reason, kept apart from the computed
/// score): tenths added or taken off, and whether the office vetoes the unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Adjustment {
    /// Signed tenths of a point.
    pub tenths: i32,
    pub veto: bool,
}

/// The final result of a unit: the computed score with the office's adjustment, the veto and the
/// tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub score: Points,
    pub vetoed: bool,
    pub tier: Tier,
}

impl Verdict {
    /// The computed score moved by the adjustment and kept within 0–100; a veto (by the sheet or
    /// the office) rates 差 whatever the score.
    pub fn new(sheet: &ScoreSheet, computed: &Computed, adjustment: Adjustment) -> Verdict {
        let moved = i64::from(computed.score.0) + i64::from(adjustment.tenths);
        let score = Points(u32::try_from(moved.clamp(0, i64::from(FULL_SCORE.0))).unwrap_or(0));
        let vetoed = computed.vetoed_by_rule || adjustment.veto;
        let tier = if vetoed { Tier::Poor } else { sheet.tiers().tier(score) };
        Verdict { score, vetoed, tier }
    }
}

/// Ranks of verdicts (1 is best): units not vetoed before vetoed ones, then by score; equal
/// verdicts share a rank (1, 2, 2, 4). Only the verdict decides — outcomes, never activity.
pub fn ranks(verdicts: &[Verdict]) -> Vec<u32> {
    let key = |v: &Verdict| (v.vetoed, std::cmp::Reverse(v.score));
    let mut order: Vec<usize> = (0..verdicts.len()).collect();
    order.sort_by_key(|&i| key(&verdicts[i]));
    let mut out = vec![0u32; verdicts.len()];
    for (position, &i) in order.iter().enumerate() {
        let shared = position > 0 && key(&verdicts[order[position - 1]]) == key(&verdicts[i]);
        out[i] = if shared { out[order[position - 1]] } else { u32::try_from(position + 1).unwrap_or(u32::MAX) };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn outcomes() -> impl Strategy<Value = Outcomes> {
        (0u32..50, 0u32..50, 0u32..80, 0u32..80, 0u32..10, 0u32..10, 0u32..20, 0u32..20, 0u32..20, 0u32..20).prop_map(
            |(problems, closed, measures, overdue, checked, relapses, feedback, answered, late, sent_back)| Outcomes {
                problems,
                closed: closed.min(problems),
                measures,
                overdue_measures: overdue.min(measures),
                lookback_checked: checked.max(relapses),
                relapses,
                feedback,
                feedback_answered: answered.min(feedback),
                feedback_unanswered_late: late.min(feedback - answered.min(feedback)),
                sent_back,
            },
        )
    }

    fn sheets() -> impl Strategy<Value = ScoreSheet> {
        (1u32..99, 0u32..1000, 1u32..200, 1u32..5, 2u32..1000, 1u32..999).prop_map(|(w, per, cap, veto, a, b)| {
            let (hi, lo) = (a.max(b), a.min(b));
            ScoreSheet::new(ScoreSheetSpec {
                indicators: vec![
                    Indicator { kind: IndicatorKind::CompletionRate, weight: w },
                    Indicator { kind: IndicatorKind::MeasuresOnTime, weight: 100 - w },
                ],
                deductions: DeductionKind::ALL
                    .iter()
                    .map(|&kind| Deduction { kind, per_item: Points(per % 100 + 1), cap: Some(Points(cap)) })
                    .collect(),
                feedback_grace_days: 15,
                veto_relapses: Some(veto),
                tiers: Tiers { good: Points(hi + 1), fairly_good: Points(hi.max(lo + 1)), fair: Points(lo.max(1)) },
            })
            .unwrap_or_default()
        })
    }

    fn example() -> Outcomes {
        Outcomes {
            problems: 20,
            closed: 18,
            measures: 40,
            overdue_measures: 2,
            lookback_checked: 4,
            relapses: 1,
            feedback: 5,
            feedback_answered: 3,
            feedback_unanswered_late: 1,
            sent_back: 3,
        }
    }

    #[test]
    fn the_default_sheet_scores_an_example_by_hand() {
        let c = ScoreSheet::default().score(&example());
        // 50×18/20 = 45; 30×38/40 = 28.5; 10×3/4 = 7.5; 10×3/5 = 6 → 87.
        let points: Vec<u32> = c.indicators.iter().map(|i| i.points.tenths()).collect();
        assert_eq!(points, [450, 285, 75, 60]);
        // −2 overdue, −3 relapse, −1 feedback, −1.5 sent back → −7.5.
        let lost: Vec<u32> = c.deductions.iter().map(|d| d.points.tenths()).collect();
        assert_eq!(lost, [20, 30, 10, 15]);
        assert_eq!(c.score, Points(795));
        assert!(!c.vetoed_by_rule, "one relapse is below the veto of two");
        let v = Verdict::new(&ScoreSheet::default(), &c, Adjustment::default());
        assert_eq!((v.score.to_string(), v.tier), ("79.5".to_owned(), Tier::Fair));
        let raised = Verdict::new(&ScoreSheet::default(), &c, Adjustment { tenths: 5, veto: false });
        assert_eq!((raised.score.to_string(), raised.tier), ("80".to_owned(), Tier::FairlyGood));
    }

    #[test]
    fn caps_limit_a_deduction_and_nothing_to_do_earns_full_marks() {
        let many = Outcomes { measures: 100, overdue_measures: 100, ..Outcomes::default() };
        let c = ScoreSheet::default().score(&many);
        assert_eq!(c.deductions[0].points, Points::whole(10), "−1 × 100 capped at −10");
        // Everything else is 0 of 0: full marks there; on-time earns 0 of 30.
        assert_eq!(c.score, Points::whole(70 - 10));
        assert_eq!(ScoreSheet::default().score(&Outcomes::default()).score, FULL_SCORE);
    }

    #[test]
    fn invalid_sheets_are_refused() {
        let good = ScoreSheet::default().spec().clone();
        let mut s = good.clone();
        s.indicators[0].weight = 40;
        assert_eq!(ScoreSheet::new(s), Err(SheetError::WeightsNot100(90)));
        let mut s = good.clone();
        s.indicators[1].kind = IndicatorKind::CompletionRate;
        assert_eq!(ScoreSheet::new(s), Err(SheetError::DuplicateIndicator("completion_rate")));
        let mut s = good.clone();
        s.tiers.fairly_good = s.tiers.good;
        assert_eq!(ScoreSheet::new(s), Err(SheetError::TiersNotOrdered));
        let mut s = good.clone();
        s.deductions[2].per_item = Points::ZERO;
        assert_eq!(ScoreSheet::new(s), Err(SheetError::ZeroDeduction("unanswered_feedback")));
        let mut s = good.clone();
        s.veto_relapses = Some(0);
        assert_eq!(ScoreSheet::new(s), Err(SheetError::ZeroVeto));
        let mut s = good;
        s.indicators.clear();
        assert_eq!(ScoreSheet::new(s), Err(SheetError::NoIndicator));
        // The same checks guard deserialisation.
        let json = r#"{"indicators":[{"kind":"completion_rate","weight":60}],"feedback_grace_days":15,
            "tiers":{"good":90,"fairly_good":80,"fair":60}}"#;
        assert!(serde_json::from_str::<ScoreSheet>(json).unwrap_err().to_string().contains("sum to 60"));
        let negative = r#"{"indicators":[{"kind":"completion_rate","weight":100}],"feedback_grace_days":15,
            "deductions":[{"kind":"relapse","per_item":-1}],"tiers":{"good":90,"fairly_good":80,"fair":60}}"#;
        assert!(serde_json::from_str::<ScoreSheet>(negative).is_err());
    }

    #[test]
    fn points_parse_as_people_write_them() {
        assert_eq!(Points::parse("2.5"), Ok(Points(25)));
        assert_eq!(Points::parse(" 3 "), Ok(Points(30)));
        assert_eq!(Points::parse("100"), Ok(FULL_SCORE));
        for bad in ["", "-1", "2.55", "1e2", "100.1", "3.", ".5", "２"] {
            assert!(Points::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ranks_share_equal_verdicts_and_put_vetoes_last() {
        let v = |score, vetoed| Verdict { score: Points(score), vetoed, tier: Tier::Good };
        assert_eq!(ranks(&[v(900, false), v(950, true), v(900, false), v(800, false)]), [1, 4, 1, 3]);
    }

    proptest! {
        #[test]
        fn scores_stay_within_0_and_100(sheet in sheets(), o in outcomes(), adj in -2000i32..2000, veto: bool) {
            let c = sheet.score(&o);
            prop_assert!(c.score <= FULL_SCORE);
            let v = Verdict::new(&sheet, &c, Adjustment { tenths: adj, veto });
            prop_assert!(v.score <= FULL_SCORE);
            prop_assert_eq!(v.vetoed, veto || c.vetoed_by_rule);
            if v.vetoed { prop_assert_eq!(v.tier, Tier::Poor); }
        }

        #[test]
        fn more_failures_never_raise_the_score(sheet in sheets(), o in outcomes(), which in 0usize..4) {
            let mut worse = o;
            match which {
                0 => { worse.overdue_measures = (o.overdue_measures + 1).min(o.measures); }
                1 => { worse.relapses += 1; worse.lookback_checked = worse.lookback_checked.max(worse.relapses); }
                2 => { worse.feedback += 1; worse.feedback_unanswered_late += 1; }
                _ => { worse.sent_back += 1; }
            }
            let (a, b) = (sheet.score(&o), sheet.score(&worse));
            prop_assert!(b.score <= a.score, "{:?} → {:?}", a.score, b.score);
            prop_assert!(!a.vetoed_by_rule || b.vetoed_by_rule);
        }

        #[test]
        fn closing_a_problem_never_lowers_the_score(sheet in sheets(), o in outcomes()) {
            prop_assume!(o.closed < o.problems);
            let better = Outcomes { closed: o.closed + 1, ..o };
            prop_assert!(sheet.score(&better).score >= sheet.score(&o).score);
        }

        #[test]
        fn tiers_follow_the_score(sheet in sheets(), a in 0u32..=1000, b in 0u32..=1000) {
            let t = sheet.tiers();
            let (lo, hi) = (a.min(b), a.max(b));
            // Tier::Good < … < Tier::Poor: a higher score never gets a worse tier.
            prop_assert!(t.tier(Points(hi)) <= t.tier(Points(lo)));
        }

        #[test]
        fn a_sheet_reads_back_from_its_json(sheet in sheets()) {
            let json = serde_json::to_string(&sheet).unwrap();
            prop_assert_eq!(serde_json::from_str::<ScoreSheet>(&json).unwrap(), sheet);
        }

        #[test]
        fn points_print_and_parse_back(tenths in 0u32..=1000) {
            prop_assert_eq!(Points::parse(&Points(tenths).to_string()), Ok(Points(tenths)));
        }

        #[test]
        fn a_better_verdict_never_ranks_worse(scores in proptest::collection::vec((0u32..=1000, any::<bool>()), 1..20)) {
            let verdicts: Vec<Verdict> =
                scores.iter().map(|&(s, vetoed)| Verdict { score: Points(s), vetoed, tier: Tier::Good }).collect();
            let r = ranks(&verdicts);
            for i in 0..verdicts.len() {
                for j in 0..verdicts.len() {
                    let (a, b) = (verdicts[i], verdicts[j]);
                    if !a.vetoed && b.vetoed { prop_assert!(r[i] < r[j]); }
                    if a.vetoed == b.vetoed && a.score > b.score { prop_assert!(r[i] < r[j]); }
                    if a.vetoed == b.vetoed && a.score == b.score { prop_assert_eq!(r[i], r[j]); }
                }
            }
        }
    }
}
