//! Evaluation over the API: the ranked units of a round, one unit's sheet, the round's score
//! sheet, and the office's adjustments.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rectify_domain::evaluation::{ScoreSheet, ScoreSheetSpec};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::figures::{deduction_detail, indicator_detail, signed};
use crate::error::AppError;
use crate::http::error::ErrorBody;
use crate::http::extract::{JsonBody, Paging, QueryOf};
use crate::http::paged::Paged;
use crate::ids::{InspectionId, RoundId};
use crate::service::AppState;
use crate::service::evaluations::{self, UnitEvaluation};
use crate::service::session::Principal;

/// One earned indicator.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorDto {
    /// `completion_rate`, `measures_on_time`, `lookback_consolidated` or `feedback_answered`.
    pub kind: String,
    pub name: String,
    pub achieved: u32,
    pub out_of: u32,
    pub points: f64,
    pub detail: String,
}

/// One deduction.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeductionDto {
    /// `overdue_measure`, `relapse`, `unanswered_feedback` or `sent_back`.
    pub kind: String,
    pub name: String,
    pub count: u32,
    /// Points taken off (not negative).
    pub points: f64,
}

/// One unit of a round, evaluated.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvaluationDto {
    pub inspection_id: i64,
    pub unit: String,
    /// The final score (0–100): computed plus the office's adjustment.
    pub score: f64,
    /// 好, 较好, 一般 or 差 (差 whenever vetoed).
    pub tier: String,
    /// `good`, `fairly_good`, `fair` or `poor`.
    pub tier_code: String,
    /// 一票否决, by the sheet's rule or by the office.
    pub vetoed: bool,
    pub vetoed_by_rule: bool,
    /// 1 is best, among every unit of the round; equal results share a rank.
    pub rank: u32,
    /// The score the outcomes earn by the sheet.
    pub computed: f64,
    /// The office's adjustment in points (signed).
    pub adjustment: f64,
    pub indicators: Vec<IndicatorDto>,
    pub deductions: Vec<DeductionDto>,
}

pub(super) fn dto(u: &UnitEvaluation) -> EvaluationDto {
    EvaluationDto {
        inspection_id: u.inspection_id,
        unit: u.unit.clone(),
        score: u.verdict.score.as_f64(),
        tier: u.verdict.tier.label_zh().to_owned(),
        tier_code: serde_json::to_value(u.verdict.tier)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        vetoed: u.verdict.vetoed,
        vetoed_by_rule: u.computed.vetoed_by_rule,
        rank: u.rank,
        computed: u.computed.score.as_f64(),
        adjustment: signed(u.adjustment.tenths),
        indicators: u
            .computed
            .indicators
            .iter()
            .map(|i| IndicatorDto {
                kind: i.kind.as_str().to_owned(),
                name: i.kind.label_zh().to_owned(),
                achieved: i.achieved,
                out_of: i.out_of,
                points: i.points.as_f64(),
                detail: indicator_detail(i),
            })
            .collect(),
        deductions: u
            .computed
            .deductions
            .iter()
            .map(|d| DeductionDto {
                kind: d.kind.as_str().to_owned(),
                name: format!("{}（{}）", d.kind.label_zh(), deduction_detail(d)),
                count: d.count,
                points: d.points.as_f64(),
            })
            .collect(),
    }
}

/// The units of a round the account sees, best first, a page of them.
#[utoipa::path(get, path = "/api/rounds/{id}/evaluations", tag = "evaluations",
    params(("id" = i64, Path, description = "Round id"), Paging),
    responses((status = 200, description = "`{\"items\": [EvaluationDto], \"total\": N}`", body = Object),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    QueryOf(paging): QueryOf<Paging>,
) -> Result<Json<Paged<EvaluationDto>>, AppError> {
    let id = RoundId::parse(&id)?.get();
    let evaluation = evaluations::visible(&state, &principal, id).await?;
    let total = evaluation.units.len() as u64;
    let items = paging.slice(&evaluation.units).iter().map(dto).collect();
    Ok(Json(Paged { items, total }))
}

/// A round's score sheet.
#[derive(Debug, Serialize)]
pub struct SheetDto {
    pub round_id: i64,
    /// `true` when the office set none and the default applies.
    pub default: bool,
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
    pub sheet: ScoreSheetSpec,
}

/// The score sheet of a round (the default when the office set none).
#[utoipa::path(get, path = "/api/rounds/{id}/score-sheet", tag = "evaluations",
    params(("id" = i64, Path, description = "Round id")),
    responses((status = 200, description = "`{\"round_id\", \"default\", \"updated_at\", \"updated_by\", \"sheet\": {indicators, deductions, feedback_grace_days, veto_relapses, tiers}}`", body = Object),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn get_sheet(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<SheetDto>, AppError> {
    let id = RoundId::parse(&id)?.get();
    crate::service::rounds::round(&state, id).await?;
    let (sheet, stored) = evaluations::sheet(&state, id).await?;
    Ok(Json(SheetDto {
        round_id: id,
        default: stored.is_none(),
        updated_at: stored.as_ref().map(|s| s.updated_at.clone()),
        updated_by: stored.map(|s| s.updated_by_name),
        sheet: sheet.spec().clone(),
    }))
}

/// Replaces the score sheet of a round (the inspection office). Refused (422, with
/// `message_zh`) when the weights do not sum to 100, the tiers do not fall, a deduction takes
/// nothing, ….
#[utoipa::path(put, path = "/api/rounds/{id}/score-sheet", tag = "evaluations", request_body = Object,
    params(("id" = i64, Path, description = "Round id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn put_sheet(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    JsonBody(spec): JsonBody<ScoreSheetSpec>,
) -> Result<Json<SheetDto>, AppError> {
    let id = RoundId::parse(&id)?.get();
    let sheet = ScoreSheet::new(spec).map_err(|e| AppError::refused(e.to_string(), e.message_zh()))?;
    evaluations::replace_sheet(&state, &principal, id, &sheet).await?;
    get_sheet(State(state), Path(id.to_string())).await
}

/// One adjustment by the office.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdjustmentDto {
    pub id: i64,
    /// Signed points.
    pub points: f64,
    /// `true` sets the veto (一票否决), `false` lifts it, null leaves it.
    pub veto: Option<bool>,
    pub reason: String,
    pub created_at: String,
    pub created_by: String,
}

/// A unit's evaluation sheet with the adjustments behind it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitEvaluationDto {
    pub round_id: i64,
    pub round: String,
    /// How many units the round has (ranks are among them).
    pub units_in_round: u32,
    pub evaluation: EvaluationDto,
    pub adjustments: Vec<AdjustmentDto>,
}

fn adjustment_dto(a: rectify_storage::AdjustmentRecord) -> AdjustmentDto {
    AdjustmentDto {
        id: a.id,
        points: signed(a.tenths),
        veto: a.veto,
        reason: a.reason,
        created_at: a.created_at,
        created_by: a.created_by_name,
    }
}

/// One unit's evaluation sheet (the unit itself may read it).
#[utoipa::path(get, path = "/api/inspections/{id}/evaluation", tag = "evaluations",
    params(("id" = i64, Path, description = "Inspection id")),
    responses((status = 200, body = UnitEvaluationDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn unit(State(state): State<AppState>, id: InspectionId) -> Result<Json<UnitEvaluationDto>, AppError> {
    let (round, unit, adjustments) = evaluations::of_unit(&state, id).await?;
    Ok(Json(UnitEvaluationDto {
        round_id: round.round.id,
        round: round.round.name,
        units_in_round: round.round.inspections,
        evaluation: dto(&unit),
        adjustments: adjustments.into_iter().map(adjustment_dto).collect(),
    }))
}

/// An adjustment of a unit's score by the office.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AdjustmentRequest {
    /// Signed points, one decimal at most, within ±20 (0 with a veto change only).
    #[serde(default)]
    pub points: f64,
    /// `true` sets the veto (一票否决), `false` lifts it; absent leaves it.
    #[serde(default)]
    pub veto: Option<bool>,
    pub reason: String,
}

/// Adds an adjustment (audited); answers it with 201.
#[utoipa::path(post, path = "/api/inspections/{id}/evaluation/adjustments", tag = "evaluations", request_body = AdjustmentRequest,
    params(("id" = i64, Path, description = "Inspection id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses((status = 201, body = AdjustmentDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn adjust(
    State(state): State<AppState>,
    principal: Principal,
    id: InspectionId,
    JsonBody(request): JsonBody<AdjustmentRequest>,
) -> Result<(StatusCode, Json<AdjustmentDto>), AppError> {
    let tenths = request.points * 10.0;
    if !tenths.is_finite() || (tenths - tenths.round()).abs() > 1e-6 || tenths.abs() > 1_000.0 {
        return Err(AppError::refused("points must have at most one decimal", "调整分值至多保留一位小数"));
    }
    let request =
        evaluations::AdjustmentRequest { tenths: tenths.round() as i32, veto: request.veto, reason: request.reason };
    let added = evaluations::adjust(&state, &principal, id, &request).await?;
    Ok((StatusCode::CREATED, Json(adjustment_dto(added))))
}
