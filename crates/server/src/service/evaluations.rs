//! Evaluation (整改评估) of the units of a round: the round's score sheet (or the default), every
//! unit scored from its outcomes with the office's adjustments, ranked by the result — and a
//! unit's own sheet, narrowed to what the account sees.

use chrono::Duration;
use rectify_auth::InspectionRef;
use rectify_auth::scope::any_sees_inspection;
use rectify_domain::evaluation::{Adjustment, Computed, Outcomes, ScoreSheet, Verdict, ranks};
use rectify_domain::roles::Role;
use rectify_storage::{AdjustmentRecord, RoundSummary, StoredSheet};

use super::session::Principal;
use super::state::AppState;
use crate::error::AppError;
use crate::ids::InspectionId;

/// The largest adjustment the office may make at once, in tenths (±20分).
pub const MAX_ADJUSTMENT_TENTHS: i32 = 200;

/// One unit's evaluation.
#[derive(Debug, Clone)]
pub struct UnitEvaluation {
    pub inspection_id: i64,
    /// The unit's name (the ledger's title when it names no unit).
    pub unit: String,
    pub outcomes: Outcomes,
    pub computed: Computed,
    pub adjustment: Adjustment,
    pub verdict: Verdict,
    /// 1 is best; equal results share a rank. Ranked over every unit of the round.
    pub rank: u32,
}

/// A round's evaluation: its sheet and its units, best first.
#[derive(Debug, Clone)]
pub struct RoundEvaluation {
    pub round: RoundSummary,
    pub sheet: ScoreSheet,
    /// Who set the sheet and when; `None`: the default sheet applies.
    pub configured: Option<(String, String)>,
    pub units: Vec<UnitEvaluation>,
}

fn unit_name(id: i64, unit: Option<&str>, title: Option<&str>) -> String {
    unit.or(title).map(str::to_owned).unwrap_or_else(|| format!("巡察台账{id}"))
}

/// The sheet of a round: the office's, or the default.
pub async fn sheet(state: &AppState, round: i64) -> Result<(ScoreSheet, Option<StoredSheet>), AppError> {
    let stored = state.store().score_sheet(round).await?;
    Ok((stored.as_ref().map(|s| s.sheet.clone()).unwrap_or_default(), stored))
}

/// Every unit of the round scored and ranked (rank order, then inspection order).
pub async fn evaluate(state: &AppState, round_id: i64) -> Result<RoundEvaluation, AppError> {
    let round = super::rounds::round(state, round_id).await?;
    let (sheet, stored) = sheet(state, round_id).await?;
    let cutoff = state.now() - Duration::days(i64::from(sheet.feedback_grace_days()));
    let outcomes = state.store().round_outcomes(round_id, state.today(), cutoff).await?;
    let adjustments = state.store().round_adjustments(round_id).await?;
    let mut units: Vec<UnitEvaluation> = outcomes
        .into_iter()
        .map(|u| {
            let computed = sheet.score(&u.outcomes);
            let adjustment = adjustments.get(&u.inspection_id).copied().unwrap_or_default();
            let verdict = Verdict::new(&sheet, &computed, adjustment);
            UnitEvaluation {
                inspection_id: u.inspection_id,
                unit: unit_name(u.inspection_id, u.unit.as_deref(), u.title.as_deref()),
                outcomes: u.outcomes,
                computed,
                adjustment,
                verdict,
                rank: 0,
            }
        })
        .collect();
    let verdicts: Vec<Verdict> = units.iter().map(|u| u.verdict).collect();
    for (unit, rank) in units.iter_mut().zip(ranks(&verdicts)) {
        unit.rank = rank;
    }
    units.sort_by_key(|u| (u.rank, u.inspection_id));
    let configured = match stored {
        // The store names the account by its display name (a join), as pages show people.
        Some(s) => Some((s.updated_by_name, s.updated_at)),
        None => None,
    };
    Ok(RoundEvaluation { round, sheet, configured, units })
}

/// [`evaluate`], with only the units the principal sees (ranks stay those of the whole round).
pub async fn visible(state: &AppState, principal: &Principal, round_id: i64) -> Result<RoundEvaluation, AppError> {
    let mut evaluation = evaluate(state, round_id).await?;
    if !super::scope::sees_every_unit(principal) {
        let summaries = state.store().inspections_shared().await?;
        evaluation.units.retain(|u| {
            let unit = summaries
                .binary_search_by_key(&u.inspection_id, |s| s.id)
                .ok()
                .and_then(|i| summaries.get(i))
                .and_then(|s| s.unit.as_deref());
            any_sees_inspection(&principal.grants, InspectionRef { id: u.inspection_id, unit })
        });
    }
    Ok(evaluation)
}

/// One unit's evaluation in its round, with the office's adjustments of it (oldest first).
/// The route checks the unit lies in the account's scope.
pub async fn of_unit(
    state: &AppState,
    inspection: InspectionId,
) -> Result<(RoundEvaluation, UnitEvaluation, Vec<AdjustmentRecord>), AppError> {
    let summary = super::scope::require_inspection(state, inspection).await?;
    let round_id = summary
        .round_id
        .ok_or_else(|| AppError::refused("the inspection belongs to no round", "该台账未归入巡察轮次，无法评估"))?;
    let mut evaluation = evaluate(state, round_id).await?;
    let position = evaluation
        .units
        .iter()
        .position(|u| u.inspection_id == inspection.get())
        .ok_or_else(|| AppError::not_found("evaluation", inspection))?;
    let unit = evaluation.units.swap_remove(position);
    evaluation.units.clear();
    // Display names, resolved by the store's join, not one look-up per adjustment.
    let adjustments = state.store().evaluation_adjustments(inspection.get()).await?;
    Ok((evaluation, unit, adjustments))
}

/// Replaces the sheet of a round.
pub async fn replace_sheet(
    state: &AppState,
    principal: &Principal,
    round_id: i64,
    sheet: &ScoreSheet,
) -> Result<(), AppError> {
    super::rounds::round(state, round_id).await?;
    let acting = principal.acting_as(Role::InspectionOffice);
    Ok(state.store().set_score_sheet(round_id, sheet, &acting, state.now()).await?)
}

/// What the office asks to change of a unit's result.
#[derive(Debug, Clone)]
pub struct AdjustmentRequest {
    /// Signed tenths of a point.
    pub tenths: i32,
    pub veto: Option<bool>,
    pub reason: String,
}

/// Adds an adjustment of a unit's score: within ±20 points, changing something, with a reason.
pub async fn adjust(
    state: &AppState,
    principal: &Principal,
    inspection: InspectionId,
    request: &AdjustmentRequest,
) -> Result<AdjustmentRecord, AppError> {
    let summary = super::scope::require_inspection(state, inspection).await?;
    if summary.round_id.is_none() {
        return Err(AppError::refused("the inspection belongs to no round", "该台账未归入巡察轮次，无法评估"));
    }
    let reason = crate::text::clean_text(&request.reason).trim().to_owned();
    if reason.is_empty() {
        return Err(AppError::refused("an adjustment needs a reason", "调整评分须写明理由"));
    }
    if request.tenths.abs() > MAX_ADJUSTMENT_TENTHS {
        return Err(AppError::refused(
            "an adjustment moves the score by at most 20 points",
            "单次调整幅度不能超过20分",
        ));
    }
    if request.tenths == 0 && request.veto.is_none() {
        return Err(AppError::refused("the adjustment changes nothing", "请填写调整分值或设置一票否决"));
    }
    let acting = principal.acting_as(Role::InspectionOffice);
    Ok(state
        .store()
        .add_evaluation_adjustment(inspection.get(), request.tenths, request.veto, &reason, &acting, state.now())
        .await?)
}
