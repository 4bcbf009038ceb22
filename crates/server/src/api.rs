//! The JSON API and its OpenAPI description.
//!
//! Responses are the server's own types rather than the storage records, so that the published
//! shape (and its schema) changes only when this file does. The domain objects inside them
//! (ledger, problem, measure, statistics) are the interchange shapes of `contracts.md`.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::IntoResponse;
use rectify_domain::{Ledger, Measure, Problem, Statistics};
use rectify_storage::{InspectionSummary, MeasureRecord, ProblemRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::AppState;
use crate::auth::Principal;
use crate::authz::Visibility;
use crate::error::{ApiError, ErrorBody, parse_id};
use axum::Extension;

/// JSON is never rendered as a page, so it may load nothing and be framed nowhere.
pub(crate) const JSON_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "rectify — 巡察整改管理系统 API",
        description = "The rectification ledgers (整改台账) and their closure workflow. Sign in with \
                       `POST /api/session` (sets the HttpOnly session cookie); every other call but `/healthz` and \
                       this document needs it, and state-changing calls repeat the session's `csrf_token` in the \
                       `X-CSRF-Token` header. 401 means not signed in, 403 outside the role or data scope."
    ),
    paths(
        crate::ui::pages::home,
        healthz,
        openapi_json,
        list_inspections,
        get_inspection,
        list_problems,
        list_measures,
        statistics,
        get_problem,
        get_measure,
        crate::workflow::sign_in,
        crate::workflow::sign_out,
        crate::workflow::me,
        crate::workflow::my_reminders,
        crate::workflow::measure_action,
        crate::workflow::add_progress,
        crate::workflow::evidence,
        crate::workflow::close_problem,
        crate::workflow::reopen_problem,
        crate::workflow::remind,
        crate::workflow::supervision,
        crate::workflow::schedule_lookback,
        crate::workflow::record_lookback,
        crate::workflow::audit_list,
        crate::workflow::audit_export,
        crate::workflow::audit_verify,
        crate::ui::admin::list_users,
        crate::ui::admin::create_user,
        crate::ui::admin::disable_user,
        crate::ui::admin::enable_user,
        crate::ui::admin::reset_password,
        crate::ui::admin::set_roles,
        crate::ui::admin::get_policy,
        crate::ui::admin::put_policy
    ),
    components(schemas(
        Health,
        InspectionDto,
        InspectionDetail,
        ProblemDto,
        MeasureDto,
        StatisticsDto,
        CompletionDto,
        ErrorBody,
        crate::ui::admin::UserDto,
        crate::ui::admin::RoleGrantDto,
        crate::ui::admin::NewUserRequest,
        crate::ui::admin::ResetPasswordRequest,
        crate::ui::admin::RolesRequest,
        crate::workflow::LoginRequest,
        crate::workflow::MeDto,
        crate::workflow::RoleDto,
        crate::workflow::ActionRequest,
        crate::workflow::ReasonRequest,
        crate::workflow::ReminderRequest,
        crate::workflow::ReminderDto,
        crate::workflow::FlaggedDto,
        crate::workflow::LightCounts,
        crate::workflow::SupervisionDto,
        crate::workflow::LookbackRequest,
        crate::workflow::LookbackResultRequest,
        crate::workflow::AuditVerifyDto
    ))
)]
pub struct ApiDoc;

/// Answer of `/healthz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
    /// `sqlite` or `postgres`.
    #[schema(example = "sqlite")]
    pub database: String,
}

/// One stored inspection (one ledger) with the counts of what it lists.
#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionDto {
    pub id: i64,
    pub title: Option<String>,
    /// The inspected organisation under its current name.
    pub unit: Option<String>,
    /// 巡察组.
    pub inspector: Option<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub feedback_date: Option<String>,
    pub report_date: Option<String>,
    pub aspects: u32,
    pub problems: u32,
    pub measures: u32,
    /// RFC 3339, UTC.
    pub imported_at: String,
}

impl From<InspectionSummary> for InspectionDto {
    fn from(s: InspectionSummary) -> Self {
        Self {
            id: s.id,
            title: s.title,
            unit: s.unit,
            inspector: s.inspector,
            feedback_date: s.feedback_date,
            report_date: s.report_date,
            aspects: s.aspects,
            problems: s.problems,
            measures: s.measures,
            imported_at: s.imported_at,
        }
    }
}

/// An inspection with its whole ledger in the interchange shape.
#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionDetail {
    pub summary: InspectionDto,
    /// The ledger JSON of `contracts.md` (every key present).
    #[schema(value_type = Object)]
    pub ledger: Ledger,
}

/// One problem (问题) with its place in the ledger; its measures come from the measures list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemDto {
    pub id: i64,
    pub inspection_id: i64,
    /// 0-based position of the aspect (方面) in the ledger.
    pub aspect_index: usize,
    pub aspect_number: Option<String>,
    pub aspect_title: Option<String>,
    /// 0-based position within the aspect.
    pub position: usize,
    pub measure_count: u32,
    /// The problem in the interchange shape; its `measures` list is empty here.
    #[schema(value_type = Object)]
    pub problem: Problem,
}

impl From<ProblemRecord> for ProblemDto {
    fn from(r: ProblemRecord) -> Self {
        Self {
            id: r.id,
            inspection_id: r.inspection_id,
            aspect_index: r.aspect_index,
            aspect_number: r.aspect_number,
            aspect_title: r.aspect_title,
            position: r.position,
            measure_count: r.measure_count,
            problem: r.problem,
        }
    }
}

/// One measure (整改措施) with responsibility, progress and evidence.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureDto {
    pub id: i64,
    pub problem_id: i64,
    pub inspection_id: i64,
    /// 0-based position within the problem.
    pub position: usize,
    #[schema(value_type = Object)]
    pub measure: Measure,
}

impl From<MeasureRecord> for MeasureDto {
    fn from(r: MeasureRecord) -> Self {
        Self {
            id: r.id,
            problem_id: r.problem_id,
            inspection_id: r.inspection_id,
            position: r.position,
            measure: r.measure,
        }
    }
}

/// The completion rate (整改完成率) as printed, with the counts it comes from.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionDto {
    /// Percentage rounded half-up to `decimals` places, e.g. `"54.17"`; null when there are no problems.
    #[schema(example = "54.17")]
    pub percent: Option<String>,
    pub decimals: u8,
    /// Completed problems (and long-term ones when the round counts them).
    pub numerator: u32,
    /// All problems fed back.
    pub denominator: u32,
    pub long_term_counts_as_completed: bool,
}

/// The figures of one inspection.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatisticsDto {
    pub inspection_id: i64,
    pub completion: CompletionDto,
    /// Problem counts by status, measures, rules, funds by kind, accountability, meetings.
    #[schema(value_type = Object)]
    pub statistics: Statistics,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeasureFilter {
    /// Only the measures of this problem (its id).
    #[param(value_type = Option<i64>)]
    problem: Option<String>,
}

/// Liveness and database check.
#[utoipa::path(get, path = "/healthz", tag = "system",
    responses(
        (status = 200, description = "The server runs and the database answers", body = Health),
        (status = 500, description = "The database does not answer", body = ErrorBody)
    ))]
pub(crate) async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.store().is_empty().await?;
    Ok(Json(Health { status: "ok".to_string(), database: state.database_name().to_string() }))
}

/// This description (OpenAPI 3.1).
#[utoipa::path(get, path = "/api/openapi.json", tag = "system",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json")))]
pub(crate) async fn openapi_json() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}

/// All stored inspections.
#[utoipa::path(get, path = "/api/inspections", tag = "inspections",
    responses(
        (status = 200, description = "Inspections, oldest first", body = Vec<InspectionDto>),
        (status = 500, body = ErrorBody)
    ))]
pub(crate) async fn list_inspections(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<Vec<InspectionDto>>, ApiError> {
    let list = Visibility::new(&principal.grants).inspections(state.store().list_inspections().await?);
    Ok(Json(list.into_iter().map(InspectionDto::from).collect()))
}

/// One inspection with its full ledger.
#[utoipa::path(get, path = "/api/inspections/{id}", tag = "inspections",
    params(("id" = i64, Path, description = "Inspection id")),
    responses(
        (status = 200, body = InspectionDetail),
        (status = 400, description = "The id is not a positive integer", body = ErrorBody),
        (status = 404, description = "No such inspection", body = ErrorBody),
        (status = 500, body = ErrorBody)
    ))]
pub(crate) async fn get_inspection(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<InspectionDetail>, ApiError> {
    let inspection = require_inspection(&state, &id).await?;
    let full = state.store().export_ledger(inspection.id).await?;
    let ledger = Visibility::new(&principal.grants)
        .ledger(&inspection, &full)
        .ok_or_else(|| ApiError::Forbidden("outside the account's data scope".into()))?;
    Ok(Json(InspectionDetail { summary: inspection.into(), ledger }))
}

/// The problems of one inspection, in ledger order.
#[utoipa::path(get, path = "/api/inspections/{id}/problems", tag = "problems",
    params(("id" = i64, Path, description = "Inspection id")),
    responses(
        (status = 200, body = Vec<ProblemDto>),
        (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 500, body = ErrorBody)
    ))]
pub(crate) async fn list_problems(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<Vec<ProblemDto>>, ApiError> {
    let inspection = require_inspection(&state, &id).await?;
    let store = state.store();
    let (problems, _) = Visibility::new(&principal.grants).records(
        &inspection,
        store.list_problems(inspection.id).await?,
        store.list_measures(inspection.id, None).await?,
    );
    Ok(Json(problems.into_iter().map(ProblemDto::from).collect()))
}

/// The measures of one inspection, or of one of its problems.
#[utoipa::path(get, path = "/api/inspections/{id}/measures", tag = "measures",
    params(("id" = i64, Path, description = "Inspection id"), MeasureFilter),
    responses(
        (status = 200, body = Vec<MeasureDto>),
        (status = 400, body = ErrorBody),
        (status = 404, description = "No such inspection, or the problem is not one of it", body = ErrorBody),
        (status = 500, body = ErrorBody)
    ))]
pub(crate) async fn list_measures(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    query: Result<Query<MeasureFilter>, QueryRejection>,
) -> Result<Json<Vec<MeasureDto>>, ApiError> {
    let Query(filter) = query.map_err(|e| ApiError::BadQuery(e.body_text()))?;
    let problem = filter.problem.as_deref().map(|p| parse_id("problem id", p)).transpose()?;
    let inspection = require_inspection(&state, &id).await?;
    if let Some(problem_id) = problem {
        let belongs = state.store().get_problem(problem_id).await?.is_some_and(|p| p.inspection_id == inspection.id);
        if !belongs {
            return Err(ApiError::NotFound { what: "problem", id: problem_id });
        }
    }
    let store = state.store();
    let (_, measures) = Visibility::new(&principal.grants).records(
        &inspection,
        store.list_problems(inspection.id).await?,
        store.list_measures(inspection.id, None).await?,
    );
    let measures = measures.into_iter().filter(|m| problem.is_none_or(|p| m.problem_id == p));
    Ok(Json(measures.map(MeasureDto::from).collect()))
}

/// The figures of one inspection, with the completion rate as printed.
#[utoipa::path(get, path = "/api/inspections/{id}/statistics", tag = "inspections",
    params(("id" = i64, Path, description = "Inspection id")),
    responses(
        (status = 200, body = StatisticsDto),
        (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 500, body = ErrorBody)
    ))]
pub(crate) async fn statistics(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<StatisticsDto>, ApiError> {
    let inspection = require_inspection(&state, &id).await?;
    Ok(Json(statistics_of(&state, &principal, &inspection).await?))
}

/// The statistics and the printed rate of the part of one (existing) inspection the principal
/// sees (all of it for the unit's leading group and the inspection office).
pub(crate) async fn statistics_of(
    state: &AppState,
    principal: &Principal,
    inspection: &InspectionSummary,
) -> Result<StatisticsDto, ApiError> {
    // `Store::statistics` derives the figures from the exported ledger too; exporting once here
    // also gives the round's policy (decimals of the rate).
    let full = state.store().export_ledger(inspection.id).await?;
    let id = inspection.id;
    let ledger = Visibility::new(&principal.grants)
        .ledger(inspection, &full)
        .ok_or_else(|| ApiError::Forbidden("outside the account's data scope".into()))?;
    let statistics = ledger.statistics();
    let policy = ledger.policy;
    Ok(StatisticsDto {
        inspection_id: id,
        completion: CompletionDto {
            percent: statistics.completion.percent(policy.rate_decimals),
            decimals: policy.rate_decimals,
            numerator: statistics.completion.numerator,
            denominator: statistics.completion.denominator,
            long_term_counts_as_completed: policy.long_term_counts_as_completed,
        },
        statistics,
    })
}

/// One problem.
#[utoipa::path(get, path = "/api/problems/{id}", tag = "problems",
    params(("id" = i64, Path, description = "Problem id")),
    responses(
        (status = 200, body = ProblemDto),
        (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 500, body = ErrorBody)
    ))]
pub(crate) async fn get_problem(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ProblemDto>, ApiError> {
    let id = parse_id("problem id", &id)?;
    let record = state.store().get_problem(id).await?.ok_or(ApiError::NotFound { what: "problem", id })?;
    Ok(Json(record.into()))
}

/// One measure with its progress and evidence.
#[utoipa::path(get, path = "/api/measures/{id}", tag = "measures",
    params(("id" = i64, Path, description = "Measure id")),
    responses(
        (status = 200, body = MeasureDto),
        (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 500, body = ErrorBody)
    ))]
pub(crate) async fn get_measure(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<MeasureDto>, ApiError> {
    let id = parse_id("measure id", &id)?;
    let record = state.store().get_measure(id).await?.ok_or(ApiError::NotFound { what: "measure", id })?;
    Ok(Json(record.into()))
}

/// Any other path: a JSON 404 rather than an empty body.
pub(crate) async fn no_route(uri: Uri) -> ApiError {
    ApiError::NoRoute(uri.path().to_string())
}

/// The summary of inspection `raw`, or 400 / 404.
async fn require_inspection(state: &AppState, raw: &str) -> Result<InspectionSummary, ApiError> {
    let id = parse_id("inspection id", raw)?;
    state
        .store()
        .list_inspections()
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(ApiError::NotFound { what: "inspection", id })
}
