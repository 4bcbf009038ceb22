//! Reading the ledgers: an inspection with what the account sees of it (a department only its
//! measures, a leader only their problems), single problems and measures, and the remembered
//! snapshot the pages about many units read through.

use std::sync::Arc;

use rectify_domain::Ledger;
use rectify_storage::{InspectionSummary, MeasureRecord, ProblemRecord, Snapshot};

use super::scope::{Visibility, require_inspection};
use super::session::Principal;
use super::state::AppState;
use crate::error::AppError;
use crate::ids::{InspectionId, MeasureId, ProblemId};

/// One inspection as an account sees it.
#[derive(Debug, Clone)]
pub struct VisibleInspection {
    pub summary: InspectionSummary,
    /// The part of the ledger the account sees (the remembered ledger itself when it sees all).
    pub ledger: Arc<Ledger>,
    pub problems: Arc<Vec<ProblemRecord>>,
    pub measures: Arc<Vec<MeasureRecord>>,
}

/// A snapshot that reads each unit's version when asked: for pages touching few of many units.
pub fn lazy_snapshot(state: &AppState) -> Snapshot {
    state.store().snapshot_lazy()
}

/// A snapshot of the versions of the given inspections only.
pub async fn snapshot_for(state: &AppState, ids: &[i64]) -> Result<Snapshot, AppError> {
    Ok(state.store().snapshot_for(ids).await?)
}

/// What the principal sees of inspection `id`, or 404.
pub async fn visible(state: &AppState, principal: &Principal, id: InspectionId) -> Result<VisibleInspection, AppError> {
    let summary = require_inspection(state, id).await?;
    visible_in(principal, summary, &state.store().snapshot_of(id.get()).await?).await
}

/// [`visible`] for an inspection whose summary the caller has already read, through a snapshot
/// of the versions (the home page reads them all once, not once per unit and list).
pub async fn visible_in(
    principal: &Principal,
    summary: InspectionSummary,
    snapshot: &Snapshot,
) -> Result<VisibleInspection, AppError> {
    let id = summary.id;
    let visibility = Visibility::new(&principal.grants);
    let full = snapshot.ledger(id).await?;
    let ledger = visibility.shared_ledger(&summary, full).ok_or_else(|| AppError::not_found("inspection", id))?;
    let (problems, measures) =
        visibility.shared_records(&summary, snapshot.problems(id).await?, snapshot.measures(id).await?);
    Ok(VisibleInspection { summary, ledger, problems, measures })
}

/// The part of an inspection's ledger the principal sees, with its summary.
pub async fn visible_ledger(
    state: &AppState,
    principal: &Principal,
    id: InspectionId,
) -> Result<(InspectionSummary, Ledger), AppError> {
    let summary = require_inspection(state, id).await?;
    let full = state.store().export_ledger(id.get()).await?;
    let ledger = Visibility::new(&principal.grants).ledger(&summary, &full).ok_or_else(AppError::out_of_scope)?;
    Ok((summary, ledger))
}

/// The problems and measures of an inspection the principal sees, in ledger order.
pub async fn visible_records(
    state: &AppState,
    principal: &Principal,
    id: InspectionId,
) -> Result<(Vec<ProblemRecord>, Vec<MeasureRecord>), AppError> {
    let summary = require_inspection(state, id).await?;
    let snapshot = state.store().snapshot_of(id.get()).await?;
    let (problems, measures) = Visibility::new(&principal.grants).shared_records(
        &summary,
        snapshot.problems(id.get()).await?,
        snapshot.measures(id.get()).await?,
    );
    Ok((Vec::clone(&problems), Vec::clone(&measures)))
}

/// One problem, or 404.
pub async fn problem(state: &AppState, id: ProblemId) -> Result<ProblemRecord, AppError> {
    state.store().get_problem(id.get()).await?.ok_or_else(|| AppError::not_found("problem", id))
}

/// One measure, or 404.
pub async fn measure(state: &AppState, id: MeasureId) -> Result<MeasureRecord, AppError> {
    state.store().get_measure(id.get()).await?.ok_or_else(|| AppError::not_found("measure", id))
}

/// A problem as its page shows it: the record, all its measures, those the principal sees,
/// the inspection's ledger (for outcomes and lights) and its summary.
#[derive(Debug)]
pub struct ProblemDetail {
    pub record: ProblemRecord,
    pub all_measures: Vec<MeasureRecord>,
    pub visible_measures: Vec<MeasureRecord>,
    /// The remembered ledger, shared (not copied for every request).
    pub ledger: Arc<Ledger>,
    pub summary: Option<InspectionSummary>,
}

/// The data of a problem's page.
pub async fn problem_detail(state: &AppState, principal: &Principal, id: ProblemId) -> Result<ProblemDetail, AppError> {
    let record = problem(state, id).await?;
    let store = state.store();
    let inspection = record.inspection_id;
    // The unit's remembered lists at its current version: no read of the rows again.
    let snapshot = store.snapshot_of(inspection).await?;
    let all_measures: Vec<MeasureRecord> =
        snapshot.measures(inspection).await?.iter().filter(|m| m.problem_id == id.get()).cloned().collect();
    let ledger = snapshot.ledger(inspection).await?;
    let summary = match InspectionId::new(inspection) {
        Some(i) => super::scope::inspection(state, i).await?,
        None => None,
    };
    let visible_measures = match summary.as_ref() {
        Some(s) => Visibility::new(&principal.grants).records(s, vec![record.clone()], all_measures.clone()).1,
        None => Vec::new(),
    };
    Ok(ProblemDetail { record, all_measures, visible_measures, ledger, summary })
}

/// A measure as its page shows it: the record, its problem and the inspection's ledger.
pub async fn measure_detail(
    state: &AppState,
    id: MeasureId,
) -> Result<(MeasureRecord, ProblemRecord, Ledger), AppError> {
    let record = measure(state, id).await?;
    let store = state.store();
    let problem =
        store.get_problem(record.problem_id).await?.ok_or_else(|| AppError::not_found("problem", record.problem_id))?;
    let ledger = store.export_ledger(record.inspection_id).await?;
    Ok((record, problem, ledger))
}
