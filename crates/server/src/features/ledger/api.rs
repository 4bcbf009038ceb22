//! The ledger over the API: inspections, problems, measures and the figures, each narrowed to
//! the caller's data scope. Answers are this feature's own types; the domain objects inside them
//! (ledger, problem, measure, statistics) are the interchange shapes of `contracts.md`.

use axum::Json;
use axum::extract::State;
use rectify_domain::{Ledger, Measure, Problem, Statistics};
use rectify_storage::{InspectionSummary, MeasureRecord, ProblemRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::AppError;
use crate::http::error::ErrorBody;
use crate::http::extract::{Paging, QueryOf};
use crate::http::paged::Paged;
use crate::ids::{InspectionId, MeasureId, ProblemId};
use crate::render::labels;
use crate::service::session::Principal;
use crate::service::{AppState, audit, ledger, scope};

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
    /// A draft (草稿) the unit still completes before it goes live.
    pub draft: bool,
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
            draft: s.draft,
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
    /// The version to send with a change (`PATCH /api/problems/{id}`).
    pub version: i64,
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
            version: r.version,
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
    /// The version to send with a change (`PATCH /api/measures/{id}`).
    pub version: i64,
}

impl From<MeasureRecord> for MeasureDto {
    fn from(r: MeasureRecord) -> Self {
        Self {
            id: r.id,
            problem_id: r.problem_id,
            inspection_id: r.inspection_id,
            position: r.position,
            measure: r.measure,
            version: r.version,
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

/// All stored inspections.
#[utoipa::path(get, path = "/api/inspections", tag = "inspections", params(Paging),
    responses(
        (status = 200, description = "`{\"items\": [InspectionDto], \"total\": N}`, oldest first", body = Object),
        (status = 500, body = ErrorBody)
    ))]
pub(crate) async fn list_inspections(
    State(state): State<AppState>,
    principal: Principal,
    QueryOf(paging): QueryOf<Paging>,
) -> Result<Json<Paged<InspectionDto>>, AppError> {
    let list = scope::visible_inspections(&state, &principal.grants).await?;
    let total = list.len() as u64;
    Ok(Json(Paged { items: paging.slice(&list).into_iter().map(InspectionDto::from).collect(), total }))
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
    principal: Principal,
    id: InspectionId,
) -> Result<Json<InspectionDetail>, AppError> {
    let (summary, ledger) = ledger::visible_ledger(&state, &principal, id).await?;
    Ok(Json(InspectionDetail { summary: summary.into(), ledger }))
}

/// The problems of one inspection, in ledger order.
#[utoipa::path(get, path = "/api/inspections/{id}/problems", tag = "problems",
    params(("id" = i64, Path, description = "Inspection id"), Paging),
    responses(
        (status = 200, description = "`{\"items\": [ProblemDto], \"total\": N}` in ledger order", body = Object),
        (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 500, body = ErrorBody)
    ))]
pub(crate) async fn list_problems(
    State(state): State<AppState>,
    principal: Principal,
    id: InspectionId,
    QueryOf(paging): QueryOf<Paging>,
) -> Result<Json<Paged<ProblemDto>>, AppError> {
    let (problems, _) = ledger::visible_records(&state, &principal, id).await?;
    let total = problems.len() as u64;
    Ok(Json(Paged { items: paging.slice(&problems).into_iter().map(ProblemDto::from).collect(), total }))
}

/// The measures of one inspection, or of one of its problems.
#[utoipa::path(get, path = "/api/inspections/{id}/measures", tag = "measures",
    params(("id" = i64, Path, description = "Inspection id"), MeasureFilter, Paging),
    responses(
        (status = 200, description = "`{\"items\": [MeasureDto], \"total\": N}` in ledger order", body = Object),
        (status = 400, body = ErrorBody),
        (status = 404, description = "No such inspection, or the problem is not one of it", body = ErrorBody),
        (status = 500, body = ErrorBody)
    ))]
pub(crate) async fn list_measures(
    State(state): State<AppState>,
    principal: Principal,
    id: InspectionId,
    QueryOf(filter): QueryOf<MeasureFilter>,
    QueryOf(paging): QueryOf<Paging>,
) -> Result<Json<Paged<MeasureDto>>, AppError> {
    let problem = filter.problem.as_deref().map(ProblemId::parse).transpose()?;
    if let Some(problem_id) = problem {
        // A problem of another inspection is not found here.
        if ledger::problem(&state, problem_id).await.ok().is_none_or(|p| p.inspection_id != id.get()) {
            return Err(AppError::not_found("problem", problem_id));
        }
    }
    let (_, measures) = ledger::visible_records(&state, &principal, id).await?;
    let measures: Vec<_> = measures.into_iter().filter(|m| problem.is_none_or(|p| m.problem_id == p.get())).collect();
    let total = measures.len() as u64;
    Ok(Json(Paged { items: paging.slice(&measures).into_iter().map(MeasureDto::from).collect(), total }))
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
    principal: Principal,
    id: InspectionId,
) -> Result<Json<StatisticsDto>, AppError> {
    // The figures of the part the principal sees (all of it for the unit's leading group and
    // the inspection office); the ledger also gives the round's policy (decimals of the rate).
    let (_, ledger) = ledger::visible_ledger(&state, &principal, id).await?;
    let id = id.get();
    let statistics = ledger.statistics();
    let policy = ledger.policy;
    Ok(Json(StatisticsDto {
        inspection_id: id,
        completion: CompletionDto {
            percent: statistics.completion.percent(policy.rate_decimals),
            decimals: policy.rate_decimals,
            numerator: statistics.completion.numerator,
            denominator: statistics.completion.denominator,
            long_term_counts_as_completed: policy.long_term_counts_as_completed,
        },
        statistics,
    }))
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
pub(crate) async fn get_problem(State(state): State<AppState>, id: ProblemId) -> Result<Json<ProblemDto>, AppError> {
    Ok(Json(ledger::problem(&state, id).await?.into()))
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
pub(crate) async fn get_measure(State(state): State<AppState>, id: MeasureId) -> Result<Json<MeasureDto>, AppError> {
    Ok(Json(ledger::measure(&state, id).await?.into()))
}

/// One step of a measure's history (操作记录), as its audit entry keeps it.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntryDto {
    /// The entry's place in the audit trail.
    pub seq: i64,
    /// RFC 3339, UTC.
    pub at: String,
    /// Who took the step (the name the trail records).
    pub actor: String,
    /// The audited action, e.g. `measure.approve`, `measure.send_back`.
    pub action: String,
    /// The action in Chinese, e.g. 审核通过, 退回重办.
    pub label: String,
    /// The reason of a send-back, an extension request or decision, a reopening.
    pub reason: Option<String>,
    /// The comment (审核意见) given with an approval.
    pub comment: Option<String>,
}

/// The history (操作记录) of one measure, newest first: the steps of its workflow with their
/// reasons and approval comments, progress, evidence, reminders and changes.
#[utoipa::path(get, path = "/api/measures/{id}/history", tag = "measures",
    params(("id" = i64, Path, description = "Measure id"), Paging),
    responses(
        (status = 200, description = "`{\"items\": [HistoryEntryDto], \"total\": N}`, newest first", body = Object),
        (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 500, body = ErrorBody)
    ))]
pub(crate) async fn measure_history(
    State(state): State<AppState>,
    id: MeasureId,
    QueryOf(paging): QueryOf<Paging>,
) -> Result<Json<Paged<HistoryEntryDto>>, AppError> {
    // 404 for a measure that does not exist (its trail may outlive it, but not its route).
    ledger::measure(&state, id).await?;
    let entries: Vec<HistoryEntryDto> = audit::measure_trail(&state, id.get())
        .await?
        .into_iter()
        .filter_map(|e| {
            let label = labels::item_action_zh(&e.action)?;
            let note = audit::note_of(&e);
            Some(HistoryEntryDto {
                seq: e.seq,
                at: e.at,
                actor: e.actor_name,
                action: e.action,
                label: label.to_owned(),
                reason: note.reason,
                comment: note.comment,
            })
        })
        .collect();
    let total = entries.len() as u64;
    let page = paging.page();
    let items = entries
        .into_iter()
        .skip(usize::try_from(page.offset).unwrap_or(usize::MAX))
        .take(page.limit as usize)
        .collect();
    Ok(Json(Paged { items, total }))
}
