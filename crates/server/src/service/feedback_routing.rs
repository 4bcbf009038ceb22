//! Routing public feedback inside the unit: the unit's choice that replies need approval
//! (答复需审核) and the approval or return of a waiting reply by a second person of the unit's
//! leading group; forwarding (转办) to a responsible department of the unit; and linking a
//! feedback to a problem of the unit's ledger.

use rectify_domain::roles::Role;
use rectify_storage::{Feedback, FeedbackError, FeedbackSettings, InspectionSummary};

use super::portal;
use super::session::Principal;
use super::state::AppState;
use crate::error::AppError;
use crate::ids::{FeedbackId, ProblemId};

/// The inspections of a feedback's unit: the one it was sent about, or every one of the unit.
async fn inspections_of(state: &AppState, f: &Feedback) -> Result<Vec<InspectionSummary>, AppError> {
    let all = state.store().inspections_shared().await?;
    Ok(all
        .iter()
        .filter(|s| match f.inspection_id {
            Some(id) => s.id == id,
            None => s.unit.as_deref().map(str::trim) == Some(f.unit.trim()),
        })
        .cloned()
        .collect())
}

/// The responsible departments (责任部门) the unit's ledgers name, sorted: where a feedback may be
/// forwarded.
pub async fn departments_of(state: &AppState, f: &Feedback) -> Result<Vec<String>, AppError> {
    let mut out = std::collections::BTreeSet::new();
    for summary in inspections_of(state, f).await? {
        let ledger = state.store().snapshot_of(summary.id).await?.ledger(summary.id).await?;
        for problem in ledger.aspects.iter().flat_map(|a| &a.problems) {
            out.extend(problem.responsibility.departments.iter().map(|d| d.trim().to_owned()));
            for measure in &problem.measures {
                out.extend(measure.responsibility.departments.iter().map(|d| d.trim().to_owned()));
            }
        }
    }
    out.remove("");
    Ok(out.into_iter().collect())
}

/// A problem a feedback may be linked to: its id and how the page names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemChoice {
    pub id: i64,
    pub title: String,
}

/// The problems of the unit's ledgers, in ledger order: what a feedback may be linked to.
pub async fn problems_of(state: &AppState, f: &Feedback) -> Result<Vec<ProblemChoice>, AppError> {
    let mut out = Vec::new();
    for summary in inspections_of(state, f).await? {
        for p in state.store().snapshot_of(summary.id).await?.problems(summary.id).await?.iter() {
            if p.retired.is_none() {
                out.push(ProblemChoice { id: p.id, title: p.problem.title.as_str().to_owned() });
            }
        }
    }
    Ok(out)
}

/// The unit's feedback settings; the unit must be one whose feedback the principal reads.
pub async fn settings(state: &AppState, principal: &Principal, unit: &str) -> Result<FeedbackSettings, AppError> {
    in_scope(state, principal, unit).await?;
    Ok(state.store().feedback_settings(unit).await?)
}

async fn in_scope(state: &AppState, principal: &Principal, unit: &str) -> Result<(), AppError> {
    if portal::units_in_scope(state, principal).await?.iter().any(|u| u == unit) {
        Ok(())
    } else {
        Err(AppError::Forbidden("the unit is outside the account's scope".into()))
    }
}

/// Sets whether the unit's replies need approval (答复需审核): the unit's leading group.
pub async fn set_answers_need_approval(
    state: &AppState,
    principal: &Principal,
    unit: &str,
    on: bool,
) -> Result<(), AppError> {
    let unit = unit.trim();
    if unit.is_empty() {
        return Err(AppError::Invalid("the form names no unit".into()));
    }
    in_scope(state, principal, unit).await?;
    let acting = principal.acting_as(Role::LeadingGroup);
    Ok(state.store().set_answers_need_approval(unit, on, &acting, state.now()).await?)
}

/// Approves the reply waiting for approval (not one's own): the citizen sees it from now on.
pub async fn approve_answer(state: &AppState, principal: &Principal, id: FeedbackId) -> Result<(), AppError> {
    portal::feedback(state, principal, id).await?;
    let acting = principal.acting_as(Role::LeadingGroup);
    Ok(state.store().approve_answer(id.get(), &acting, state.now()).await?)
}

/// Returns the waiting reply (退回) with a reason (not one's own).
pub async fn return_answer(
    state: &AppState,
    principal: &Principal,
    id: FeedbackId,
    reason: &str,
) -> Result<(), AppError> {
    portal::feedback(state, principal, id).await?;
    let acting = principal.acting_as(Role::LeadingGroup);
    Ok(state.store().return_answer(id.get(), reason, &acting, state.now()).await?)
}

/// Forwards (转办) a feedback to one of the responsible departments its unit's ledgers name.
pub async fn forward(
    state: &AppState,
    principal: &Principal,
    id: FeedbackId,
    department: &str,
    note: &str,
) -> Result<(), AppError> {
    let f = portal::feedback(state, principal, id).await?;
    let department = department.trim();
    if department.is_empty() {
        return Err(AppError::Invalid("the form names no department".into()));
    }
    if !departments_of(state, &f).await?.iter().any(|d| d == department) {
        return Err(AppError::refused(
            format!("{department:?} is not a responsible department of the unit's ledger"),
            "只能转办给本单位台账中的责任部门",
        ));
    }
    state.store().forward_feedback(id.get(), department, note, &principal.acting(), state.now()).await?;
    super::notify::after_forward(state, principal, &f, department).await;
    Ok(())
}

/// Links a feedback to a problem of its unit's ledger (`None` removes the link). A problem of
/// another unit is refused.
pub async fn link_problem(
    state: &AppState,
    principal: &Principal,
    id: FeedbackId,
    problem: Option<ProblemId>,
) -> Result<(), AppError> {
    portal::feedback(state, principal, id).await?;
    let linked = state
        .store()
        .link_feedback_problem(id.get(), problem.map(ProblemId::get), &principal.acting(), state.now())
        .await;
    match linked {
        Err(FeedbackError::OtherUnit(p)) => Err(AppError::refused(
            format!("problem {p} is not in a ledger of the feedback's unit"),
            "只能关联本单位台账中的问题",
        )),
        other => Ok(other?),
    }
}

/// The feedback linked to a problem: how many, and those the principal may open.
#[derive(Debug, Clone, Default)]
pub struct Linked {
    pub count: usize,
    pub readable: Vec<Feedback>,
}

/// The feedback linked to a problem (the caller has checked the problem is in scope).
pub async fn linked_to(state: &AppState, principal: &Principal, problem: ProblemId) -> Result<Linked, AppError> {
    let all = state.store().feedback_of_problem(problem.get()).await?;
    let count = all.len();
    let mut readable = Vec::new();
    if principal.may(&[rectify_auth::Permission::ReadFeedback]) {
        for f in all {
            if let Some(id) = FeedbackId::new(f.id)
                && let Ok((f, _)) = portal::feedback_reached(state, principal, id).await
            {
                readable.push(f);
            }
        }
    }
    Ok(Linked { count, readable })
}

/// The name a page shows for the replier of a waiting reply: the account's display name, else
/// the name the reply was stored with.
pub async fn replier_name(state: &AppState, pending: &rectify_storage::PendingAnswer) -> Result<String, AppError> {
    let account = match pending.by {
        Some(id) => state.store().get_user(id).await?,
        None => None,
    };
    Ok(account.map_or_else(|| pending.by_name.clone(), |u| u.display_name))
}
