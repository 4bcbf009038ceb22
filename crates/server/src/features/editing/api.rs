//! Editing the ledger over the API. A create answers 201 with the new item's `id` and `version`;
//! a change carries the item's `version` (409 with `current_version` when stale) and answers the
//! new one. Refusals carry `message_zh`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rectify_storage::{Created, ItemKind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::AppError;
use crate::http::error::ErrorBody;
use crate::http::extract::{JsonBody, QueryOf};
use crate::ids::{AspectId, InspectionId, MeasureId, ProblemId};
use crate::service::AppState;
use crate::service::editing::{self, InspectionInput, ItemPatch};
use crate::service::session::Principal;

/// A created item.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedDto {
    pub id: i64,
    /// The version to send with the item's first change.
    pub version: i64,
    pub inspection_id: i64,
}

impl From<Created> for CreatedDto {
    fn from(c: Created) -> Self {
        CreatedDto { id: c.id, version: c.version, inspection_id: c.inspection_id }
    }
}

/// A changed item and its new version.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionDto {
    pub id: i64,
    pub version: i64,
}

/// A new inspection for a unit (it starts as a draft, 草稿).
#[derive(Debug, Deserialize, ToSchema)]
pub struct InspectionRequest {
    /// 被巡察单位, as the unit's accounts are scoped to it.
    pub unit: String,
    /// 巡察轮次: joins the round of that name (created when new).
    #[serde(default)]
    pub round: Option<String>,
    /// 巡察类型 (常规巡察, 专项巡察, 机动巡察, …).
    #[serde(default)]
    pub kind: Option<String>,
    /// 巡察组.
    #[serde(default)]
    pub inspector: Option<String>,
    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub end: Option<String>,
    #[serde(default)]
    pub feedback_date: Option<String>,
    /// The feedback document's title (反馈意见).
    #[serde(default)]
    pub feedback_document: Option<String>,
}

/// Retiring (作废) a problem or measure on which work has started.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RetireRequest {
    pub version: i64,
    /// Why (required): kept with the item and shown beside it.
    pub reason: String,
}

/// Splitting a measure in two: it keeps `first`, a new measure right after it gets `second`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SplitRequest {
    pub version: i64,
    pub first: String,
    pub second: String,
}

/// Merging a duplicate problem into this one.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MergeRequest {
    /// This problem's version.
    pub version: i64,
    /// The duplicate: its measures move here, and it is retired.
    pub duplicate_id: i64,
    pub duplicate_version: i64,
}

/// The version a deletion was decided on.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    version: i64,
}

/// The answer of a split: the measure's new version and the new measure.
#[derive(Debug, Serialize, ToSchema)]
pub struct SplitDto {
    pub id: i64,
    pub version: i64,
    pub created: CreatedDto,
}

type CreatedAnswer = Result<(StatusCode, Json<CreatedDto>), AppError>;

fn created(c: Created) -> (StatusCode, Json<CreatedDto>) {
    (StatusCode::CREATED, Json(c.into()))
}

/// Creates an inspection for a unit: the inspection office for any unit of its scope, a unit's
/// liaison for its own unit. It starts as a draft (草稿) and goes live with `go-live`.
#[utoipa::path(post, path = "/api/inspections", tag = "editing", request_body = InspectionRequest,
    params(("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 201, body = CreatedDto),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "Invalid input or a unit outside the caller's scope (with `message_zh`)", body = ErrorBody)
    ))]
pub(crate) async fn create_inspection(
    State(state): State<AppState>,
    principal: Principal,
    JsonBody(request): JsonBody<InspectionRequest>,
) -> CreatedAnswer {
    let input = InspectionInput {
        unit: request.unit,
        round: request.round,
        kind: request.kind,
        inspector: request.inspector,
        start: request.start,
        end: request.end,
        feedback_date: request.feedback_date,
        feedback_document: request.feedback_document,
    };
    Ok(created(editing::create_inspection(&state, &principal, input).await?))
}

/// Adds an aspect (方面: `number`, `title`) at the end of an inspection's aspects.
#[utoipa::path(post, path = "/api/inspections/{id}/aspects", tag = "editing",
    request_body(content = Object, description = "`{\"number\": \"一\", \"title\": \"…\"}`"),
    params(("id" = i64, Path, description = "Inspection id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 201, body = CreatedDto),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)
    ))]
pub(crate) async fn add_aspect(
    State(state): State<AppState>,
    principal: Principal,
    id: InspectionId,
    JsonBody(patch): JsonBody<ItemPatch>,
) -> CreatedAnswer {
    Ok(created(editing::add_aspect(&state, &principal, id, &patch).await?))
}

/// Takes a draft live once it is complete (every measure with a kind, a deadline unless
/// long-term, and a responsible department); 422 lists what is missing.
#[utoipa::path(post, path = "/api/inspections/{id}/go-live", tag = "editing",
    params(("id" = i64, Path, description = "Inspection id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 204, description = "Live"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "Not a draft, or not complete (what is missing in `message_zh`)", body = ErrorBody)
    ))]
pub(crate) async fn go_live(
    State(state): State<AppState>,
    principal: Principal,
    id: InspectionId,
) -> Result<StatusCode, AppError> {
    editing::go_live(&state, &principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes an aspect (`number`, `title`) or moves it (`position`, 0-based); needs `version`.
#[utoipa::path(patch, path = "/api/aspects/{id}", tag = "editing",
    request_body(content = Object, description = "`version` and any of `number`, `title`, `position`"),
    params(("id" = i64, Path, description = "Aspect id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 200, body = VersionDto),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Stale version; `current_version` says the current one", body = ErrorBody),
        (status = 422, body = ErrorBody)
    ))]
pub(crate) async fn update_aspect(
    State(state): State<AppState>,
    principal: Principal,
    id: AspectId,
    JsonBody(patch): JsonBody<ItemPatch>,
) -> Result<Json<VersionDto>, AppError> {
    let version = editing::update_aspect(&state, &principal, id, &patch).await?;
    Ok(Json(VersionDto { id: id.get(), version }))
}

/// Deletes an aspect that holds no problem.
#[utoipa::path(delete, path = "/api/aspects/{id}", tag = "editing",
    params(("id" = i64, Path, description = "Aspect id"), VersionQuery, ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, description = "The aspect still holds problems", body = ErrorBody)
    ))]
pub(crate) async fn delete_aspect(
    State(state): State<AppState>,
    principal: Principal,
    id: AspectId,
    QueryOf(query): QueryOf<VersionQuery>,
) -> Result<StatusCode, AppError> {
    editing::delete_aspect(&state, &principal, id, query.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a problem to an aspect: `title` (required), `number`, `category`, `scope`,
/// `description`, `disclosure`, `first_responsible`, `leader`, `departments`, `liaison`.
#[utoipa::path(post, path = "/api/aspects/{id}/problems", tag = "editing",
    request_body(content = Object, description = "The problem's fields; `title` is required"),
    params(("id" = i64, Path, description = "Aspect id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 201, body = CreatedDto),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)
    ))]
pub(crate) async fn add_problem(
    State(state): State<AppState>,
    principal: Principal,
    id: AspectId,
    JsonBody(patch): JsonBody<ItemPatch>,
) -> CreatedAnswer {
    Ok(created(editing::add_problem(&state, &principal, id, &patch).await?))
}

/// Changes a problem (any of its fields; a field left out stays, `null` clears it) or moves it
/// within its aspect (`position`); needs `version`.
#[utoipa::path(patch, path = "/api/problems/{id}", tag = "editing",
    request_body(content = Object, description = "`version` and any of the problem's fields, or `position`"),
    params(("id" = i64, Path, description = "Problem id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 200, body = VersionDto),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Stale version; `current_version` says the current one", body = ErrorBody),
        (status = 422, description = "Invalid input, or the problem is retired", body = ErrorBody)
    ))]
pub(crate) async fn update_problem(
    State(state): State<AppState>,
    principal: Principal,
    id: ProblemId,
    JsonBody(patch): JsonBody<ItemPatch>,
) -> Result<Json<VersionDto>, AppError> {
    let version = editing::update_problem(&state, &principal, id, &patch).await?;
    Ok(Json(VersionDto { id: id.get(), version }))
}

/// Deletes a problem on which no work has started (422 otherwise: retire it instead).
#[utoipa::path(delete, path = "/api/problems/{id}", tag = "editing",
    params(("id" = i64, Path, description = "Problem id"), VersionQuery, ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, description = "Work has started", body = ErrorBody)
    ))]
pub(crate) async fn delete_problem(
    State(state): State<AppState>,
    principal: Principal,
    id: ProblemId,
    QueryOf(query): QueryOf<VersionQuery>,
) -> Result<StatusCode, AppError> {
    editing::delete_item(&state, &principal, ItemKind::Problem, id.get(), query.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Retires (作废) a problem with its measures: kept and shown struck through, out of every count.
#[utoipa::path(post, path = "/api/problems/{id}/retire", tag = "editing", request_body = RetireRequest,
    params(("id" = i64, Path, description = "Problem id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 204, description = "Retired"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)
    ))]
pub(crate) async fn retire_problem(
    State(state): State<AppState>,
    principal: Principal,
    id: ProblemId,
    JsonBody(request): JsonBody<RetireRequest>,
) -> Result<StatusCode, AppError> {
    editing::retire_item(&state, &principal, ItemKind::Problem, id.get(), request.version, &request.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a measure to a problem: `text` (required), `kind`, `deadline`, `documents`,
/// `first_responsible`, `leader`, `departments`, `liaison`.
#[utoipa::path(post, path = "/api/problems/{id}/measures", tag = "editing",
    request_body(content = Object, description = "The measure's fields; `text` is required"),
    params(("id" = i64, Path, description = "Problem id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 201, body = CreatedDto),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)
    ))]
pub(crate) async fn add_measure(
    State(state): State<AppState>,
    principal: Principal,
    id: ProblemId,
    JsonBody(patch): JsonBody<ItemPatch>,
) -> CreatedAnswer {
    Ok(created(editing::add_measure(&state, &principal, id, &patch).await?))
}

/// Changes a measure (text, kind 立行立改/限期整改/长期坚持, deadline, documents, responsibility)
/// or moves it within its problem (`position`); needs `version`.
#[utoipa::path(patch, path = "/api/measures/{id}", tag = "editing",
    request_body(content = Object, description = "`version` and any of the measure's fields, or `position`"),
    params(("id" = i64, Path, description = "Measure id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 200, body = VersionDto),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Stale version; `current_version` says the current one", body = ErrorBody),
        (status = 422, body = ErrorBody)
    ))]
pub(crate) async fn update_measure(
    State(state): State<AppState>,
    principal: Principal,
    id: MeasureId,
    JsonBody(patch): JsonBody<ItemPatch>,
) -> Result<Json<VersionDto>, AppError> {
    let version = editing::update_measure(&state, &principal, id, &patch).await?;
    Ok(Json(VersionDto { id: id.get(), version }))
}

/// Deletes a measure on which no work has started (422 otherwise: retire it instead).
#[utoipa::path(delete, path = "/api/measures/{id}", tag = "editing",
    params(("id" = i64, Path, description = "Measure id"), VersionQuery, ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, description = "Work has started", body = ErrorBody)
    ))]
pub(crate) async fn delete_measure(
    State(state): State<AppState>,
    principal: Principal,
    id: MeasureId,
    QueryOf(query): QueryOf<VersionQuery>,
) -> Result<StatusCode, AppError> {
    editing::delete_item(&state, &principal, ItemKind::Measure, id.get(), query.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Retires (作废) a measure: kept and shown struck through, out of every count.
#[utoipa::path(post, path = "/api/measures/{id}/retire", tag = "editing", request_body = RetireRequest,
    params(("id" = i64, Path, description = "Measure id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 204, description = "Retired"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)
    ))]
pub(crate) async fn retire_measure(
    State(state): State<AppState>,
    principal: Principal,
    id: MeasureId,
    JsonBody(request): JsonBody<RetireRequest>,
) -> Result<StatusCode, AppError> {
    editing::retire_item(&state, &principal, ItemKind::Measure, id.get(), request.version, &request.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Splits a measure in two.
#[utoipa::path(post, path = "/api/measures/{id}/split", tag = "editing", request_body = SplitRequest,
    params(("id" = i64, Path, description = "Measure id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 200, body = SplitDto),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)
    ))]
pub(crate) async fn split_measure(
    State(state): State<AppState>,
    principal: Principal,
    id: MeasureId,
    JsonBody(request): JsonBody<SplitRequest>,
) -> Result<Json<SplitDto>, AppError> {
    let (version, new) =
        editing::split_measure(&state, &principal, id, request.version, Some(request.first), Some(request.second))
            .await?;
    Ok(Json(SplitDto { id: id.get(), version, created: new.into() }))
}

/// Merges a duplicate problem into this one: its measures move to the end of this one's, and
/// the duplicate is retired (作废) with a reason naming this problem.
#[utoipa::path(post, path = "/api/problems/{id}/merge", tag = "editing", request_body = MergeRequest,
    params(("id" = i64, Path, description = "The problem kept"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 200, body = VersionDto),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)
    ))]
pub(crate) async fn merge_problems(
    State(state): State<AppState>,
    principal: Principal,
    id: ProblemId,
    JsonBody(request): JsonBody<MergeRequest>,
) -> Result<Json<VersionDto>, AppError> {
    let duplicate =
        ProblemId::new(request.duplicate_id).ok_or_else(|| AppError::not_found("problem", request.duplicate_id))?;
    let version =
        editing::merge_problems(&state, &principal, id, request.version, duplicate, request.duplicate_version).await?;
    Ok(Json(VersionDto { id: id.get(), version }))
}
