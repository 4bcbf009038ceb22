//! Work queues as data: the measures an account can act on now, per inspection, with the steps
//! it may take — the 待办 of the home page and the review inbox.

use rectify_domain::roles::Role;
use rectify_domain::workflow::{Actor, MeasureState, ReviewStage};
use rectify_storage::{MeasureRecord, MeasureWorkflowView, Snapshot};

use super::scope::visible_inspections;
use super::session::Principal;
use super::state::AppState;
use super::workflow::{ActionButton, buttons, is_review};
use crate::error::AppError;
use crate::text::short;

/// One item of the inbox or of a task list.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Task {
    pub measure_id: i64,
    pub problem_id: i64,
    /// The inspection's name on screen (its unit).
    pub inspection: String,
    pub problem: String,
    pub text: String,
    pub deadline: Option<String>,
    /// Past its deadline (the latest day the deadline allows) and not yet done.
    pub overdue: bool,
    pub state: &'static str,
    pub version: i64,
    pub buttons: Vec<ActionButton>,
}

/// The visible measures with their workflow, over every inspection the account sees, kept when
/// `keep` says so.
async fn tasks(
    state: &AppState,
    principal: &Principal,
    snapshot: &Snapshot,
    only_decisions: bool,
    keep: impl Fn(&MeasureRecord, &MeasureWorkflowView, &[ActionButton]) -> bool,
) -> Result<Vec<Task>, AppError> {
    let visibility = super::scope::Visibility::new(&principal.grants);
    let mut inspections = visible_inspections(state, &principal.grants).await?;
    // A reviewer's queue: only the measures that await a decision (an index search), so only
    // the units holding one are read.
    let mut queue: Option<std::collections::HashSet<i64>> = None;
    if only_decisions {
        let actors: Vec<Actor> = principal.roles().into_iter().filter_map(Role::default_workflow_actor).collect();
        let stages: Vec<ReviewStage> =
            [ReviewStage::AwaitingLeader, ReviewStage::AwaitingLeadingGroup, ReviewStage::AwaitingVerifier]
                .into_iter()
                .filter(|s| actors.contains(&s.reviewer()))
                .collect();
        let extensions = principal.may(&[rectify_auth::Permission::ApproveExtension]);
        let pending = state.store().review_queue(&stages, extensions).await?;
        inspections.retain(|s| pending.binary_search_by_key(&s.id, |(i, _)| *i).is_ok());
        queue = Some(pending.into_iter().map(|(_, m)| m).collect());
    }
    let today = state.today();
    let mut out = Vec::new();
    for s in inspections {
        let (problems, measures) =
            visibility.shared_records(&s, snapshot.problems(s.id).await?, snapshot.measures(s.id).await?);
        let workflows = snapshot.workflows(s.id).await?;
        let name = super::scope::inspection_name(&s);
        for m in measures.iter().filter(|m| queue.as_ref().is_none_or(|q| q.contains(&m.id))) {
            let Some(view) = workflows.get(&m.id) else { continue };
            let buttons = buttons(principal, view);
            if !keep(m, view, &buttons) {
                continue;
            }
            let problem = problems.iter().find(|p| p.id == m.problem_id);
            out.push(Task {
                measure_id: m.id,
                problem_id: m.problem_id,
                inspection: name.clone(),
                problem: problem.map(|p| short(p.problem.title.as_str(), 40)).unwrap_or_default(),
                text: short(m.measure.text.as_str(), 80),
                deadline: m.measure.deadline.map(|d| d.to_chinese()),
                overdue: overdue(view, today),
                state: view.state.label_zh(),
                version: view.version,
                buttons,
            });
        }
    }
    Ok(out)
}

/// Whether a measure still being worked is past its deadline (long-term measures have stage
/// targets, not a deadline to be late against).
fn overdue(view: &MeasureWorkflowView, today: chrono::NaiveDate) -> bool {
    matches!(view.state, MeasureState::NotStarted | MeasureState::InProgress | MeasureState::BasicallyCompleted)
        && view.deadline.is_some_and(|d| d.latest() < today)
}

/// What waits for the reviewer's decision: claims under review and pending extensions.
pub async fn reviews(state: &AppState, principal: &Principal, snapshot: &Snapshot) -> Result<Vec<Task>, AppError> {
    tasks(state, principal, snapshot, true, |_, view, buttons| {
        (matches!(view.state, MeasureState::UnderReview { .. }) || view.pending_extension.is_some())
            && is_review(buttons)
    })
    .await
}

/// Measures the account reports on that are still being worked, the overdue first, then those
/// with a deadline.
pub async fn to_update(state: &AppState, principal: &Principal, snapshot: &Snapshot) -> Result<Vec<Task>, AppError> {
    let mut list = tasks(state, principal, snapshot, false, |_, view, _| {
        matches!(view.state, MeasureState::NotStarted | MeasureState::InProgress | MeasureState::BasicallyCompleted)
    })
    .await?;
    // The overdue first, then those with a deadline.
    list.sort_by_key(|t| (!t.overdue, t.deadline.is_none()));
    Ok(list)
}

/// Claims under review that the account decides.
pub async fn to_review(state: &AppState, principal: &Principal, snapshot: &Snapshot) -> Result<Vec<Task>, AppError> {
    tasks(state, principal, snapshot, true, |_, view, buttons| {
        matches!(view.state, MeasureState::UnderReview { .. }) && is_review(buttons)
    })
    .await
}
