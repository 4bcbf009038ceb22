//! The closure (销号) workflow of measures: steps under optimistic locking, progress with
//! evidence files, problem closure and reopening, and which steps an account may take now.

use rectify_domain::roles::Role;
use rectify_domain::workflow::{self, Action, Actor, MeasureFacts, MeasureState, ReviewStage, WorkflowError};
use rectify_domain::{Evidence, NonEmptyText, PartialDate, ProgressEntry};
use rectify_storage::{FileError, MeasureWorkflowView};
use serde::Serialize;

use super::session::Principal;
use super::state::AppState;
use crate::error::AppError;
use crate::ids::{MeasureId, ProblemId};

/// The step of the closure workflow a role takes, with the inspection office as the verifier.
fn actor_of(role: Role) -> Option<Actor> {
    role.workflow_actor(Role::InspectionOffice)
}

/// The role an account acts in for a step: the one whose part of the workflow the step is, so
/// that an account holding several roles acts as the right one.
pub(crate) fn role_for(principal: &Principal, action: &Action, state: MeasureState) -> Role {
    let wanted: &[Actor] = match action {
        Action::Start
        | Action::MarkBasicallyCompleted
        | Action::Resume
        | Action::Claim
        | Action::RequestExtension { .. } => &[Actor::Department, Actor::UnitLiaison],
        Action::Approve | Action::SendBack { .. } => match state {
            MeasureState::UnderReview { stage: ReviewStage::AwaitingLeader } => &[Actor::LeaderInCharge],
            MeasureState::UnderReview { stage: ReviewStage::AwaitingLeadingGroup } => &[Actor::LeadingGroup],
            _ => &[Actor::Verifier],
        },
        _ => &[Actor::Verifier],
    };
    let roles = principal.roles();
    roles
        .iter()
        .copied()
        .find(|r| actor_of(*r).is_some_and(|a| wanted.contains(&a)))
        .or_else(|| roles.iter().copied().find(|r| actor_of(*r).is_some()))
        .or_else(|| principal.primary_role())
        .unwrap_or(Role::AuditAdmin)
}

/// The role in which an account verifies, closes, reopens and looks back: the inspection office.
pub(crate) fn verifier_role(principal: &Principal) -> Role {
    if principal.has_role(Role::InspectionOffice) {
        Role::InspectionOffice
    } else {
        principal.primary_role().unwrap_or(Role::AuditAdmin)
    }
}

/// The role in which an account reports progress: the department, else the liaison.
fn reporter_role(principal: &Principal) -> Role {
    [Role::Department, Role::UnitLiaison]
        .into_iter()
        .find(|r| principal.has_role(*r))
        .or_else(|| principal.primary_role())
        .unwrap_or(Role::Department)
}

/// The workflow of one measure, or 404.
pub async fn workflow_of(state: &AppState, id: MeasureId) -> Result<MeasureWorkflowView, AppError> {
    state.store().measure_workflow(id.get()).await?.ok_or_else(|| AppError::not_found("measure", id))
}

/// Takes one step on a measure as the principal.
pub async fn apply_action(
    state: &AppState,
    principal: &Principal,
    measure: MeasureId,
    action: Action,
    version: i64,
) -> Result<MeasureWorkflowView, AppError> {
    let view = workflow_of(state, measure).await?;
    let role = role_for(principal, &action, view.state);
    Ok(state
        .store()
        .apply_measure_action(measure.get(), &principal.acting_as(role), action, version, state.now())
        .await?)
}

/// A progress entry as a form or an API call gives it.
#[derive(Debug, Default)]
pub struct ProgressInput {
    pub version: Option<i64>,
    pub date: Option<String>,
    pub text: String,
    pub title: Option<String>,
    pub kind: Option<String>,
    pub file: Option<(String, Vec<u8>)>,
}

/// Stores the evidence file (type checked by content) and appends the progress entry.
pub async fn record_progress(
    state: &AppState,
    principal: &Principal,
    measure: MeasureId,
    input: ProgressInput,
) -> Result<MeasureWorkflowView, AppError> {
    let version = input.version.ok_or_else(|| AppError::Invalid("the form needs the measure's version".into()))?;
    let text = NonEmptyText::new(input.text.trim())
        .map_err(|_| AppError::Invalid("the progress text must not be empty".into()))?;
    let date = match input.date.as_deref() {
        Some(d) => d.trim().parse::<PartialDate>().map_err(|e| AppError::Invalid(e.to_string()))?,
        None => {
            let today = state.today();
            PartialDate::day(
                chrono::Datelike::year(&today),
                chrono::Datelike::month(&today),
                chrono::Datelike::day(&today),
            )
            .map_err(|e| AppError::Invalid(e.to_string()))?
        }
    };
    let mut evidence = Vec::new();
    if let Some((name, bytes)) = input.file {
        let files = state.evidence().clone();
        let original = name.clone();
        let stored = super::state::blocking(move || files.store(&bytes, &original)).await?.map_err(|e| match e {
            FileError::TooLarge { .. } => AppError::TooLarge(e.to_string()),
            FileError::UnsupportedType { .. } | FileError::Empty => AppError::UnsupportedMedia(e.to_string()),
            other => AppError::Internal(other.to_string()),
        })?;
        let title = input.title.unwrap_or_else(|| clean_file_name(&name));
        evidence.push(Evidence {
            title: NonEmptyText::new(title.trim()).unwrap_or_else(|_| text.clone()),
            kind: input.kind,
            date: Some(date),
            media_type: Some(stored.media_type.to_owned()),
            size_bytes: Some(stored.size),
            sha256: Some(stored.sha256),
        });
    }
    let entry = ProgressEntry { date, text, evidence };
    let acting = principal.acting_as(reporter_role(principal));
    Ok(state.store().add_progress(measure.get(), &acting, &entry, version, state.now()).await?)
}

/// The last path component of an uploaded file's name, without control characters.
fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(100).collect();
    if cleaned.trim().is_empty() { "佐证材料".to_owned() } else { cleaned }
}

/// An evidence file's bytes and its media type (decided by content), if some measure holds it.
pub async fn evidence_file(state: &AppState, sha256: &str) -> Result<(Vec<u8>, &'static str), AppError> {
    let missing = || AppError::NoRoute(format!("/api/evidence/{sha256}"));
    if state.store().evidence_measure(sha256).await?.is_empty() {
        return Err(missing());
    }
    let files = state.evidence().clone();
    let address = sha256.to_owned();
    let read = super::state::blocking(move || -> Result<(Vec<u8>, &'static str), FileError> {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut files.open(&address)?, &mut bytes)?;
        let media_type = rectify_storage::files::sniff(&bytes).unwrap_or("application/octet-stream");
        Ok((bytes, media_type))
    })
    .await?;
    match read {
        Ok(found) => Ok(found),
        Err(FileError::NotFound(_) | FileError::BadAddress(_)) => Err(missing()),
        Err(e) => Err(AppError::Internal(e.to_string())),
    }
}

/// Closes (销号) a problem whose measures are all closed, as the verifier.
pub async fn close_problem(state: &AppState, principal: &Principal, id: ProblemId) -> Result<(), AppError> {
    let acting = principal.acting_as(verifier_role(principal));
    Ok(state.store().close_problem(id.get(), &acting, state.now()).await?)
}

/// Reopens a closed problem (反弹) with its closed measures; returns how many were reopened.
pub async fn reopen_problem(
    state: &AppState,
    principal: &Principal,
    id: ProblemId,
    reason: &str,
) -> Result<u32, AppError> {
    let acting = principal.acting_as(verifier_role(principal));
    Ok(state.store().reopen_problem(id.get(), &acting, reason, state.now()).await?)
}

/// A step the account may take on a measure now (or one shown blocked, with the reason).
#[derive(Debug, Clone, Serialize)]
pub struct ActionButton {
    pub action: &'static str,
    pub label: String,
    pub needs_reason: bool,
    pub needs_deadline: bool,
    /// Shown but not pressable, with the reason.
    pub blocked: Option<&'static str>,
    pub danger: bool,
}

/// The candidate steps, with placeholder fields where a step takes input from the form.
fn candidates(facts: &MeasureFacts, today: chrono::NaiveDate) -> Vec<Action> {
    let year = facts.deadline.map_or(chrono::Datelike::year(&today), |d| d.year_number());
    let later = PartialDate::year(year.saturating_add(5)).unwrap_or(PartialDate::Year(year));
    let reason = "—".to_owned();
    vec![
        Action::Start,
        Action::MarkBasicallyCompleted,
        Action::Resume,
        Action::Claim,
        Action::Approve,
        Action::SendBack { reason: reason.clone() },
        Action::RequestExtension { new_deadline: later, reason: reason.clone() },
        Action::ApproveExtension,
        Action::DeclineExtension { reason },
        Action::DeclareLongTerm,
        Action::CloseStage,
        Action::CloseLongTerm,
    ]
}

fn label(action: &Action, state: MeasureState) -> String {
    match action {
        Action::Start => "启动整改",
        Action::MarkBasicallyCompleted => "标记基本完成",
        Action::Resume => "恢复整改",
        Action::Claim => "申请销号",
        Action::Approve => match state {
            MeasureState::UnderReview { stage: ReviewStage::AwaitingLeader } => "审核通过",
            MeasureState::UnderReview { stage: ReviewStage::AwaitingLeadingGroup } => "确认整改完成",
            _ => "核验通过并销号",
        },
        Action::SendBack { .. } => "退回重办",
        Action::RequestExtension { .. } => "申请延期",
        Action::ApproveExtension => "批准延期",
        Action::DeclineExtension { .. } => "不予延期",
        Action::DeclareLongTerm => "转为长期坚持",
        Action::CloseStage => "阶段性核验通过",
        Action::CloseLongTerm => "长期措施销号",
        Action::Reopen { .. } => "重新打开",
    }
    .to_owned()
}

/// Where a measure stands in the workflow, in Chinese.
pub fn state_label(state: MeasureState) -> &'static str {
    match state {
        MeasureState::NotStarted => "未启动",
        MeasureState::InProgress => "正在整改",
        MeasureState::BasicallyCompleted => "基本完成",
        MeasureState::UnderReview { stage: ReviewStage::AwaitingLeader } => "已申请销号，待分管领导审核",
        MeasureState::UnderReview { stage: ReviewStage::AwaitingLeadingGroup } => "分管领导已审核，待整改领导小组确认",
        MeasureState::UnderReview { stage: ReviewStage::AwaitingVerifier } => "领导小组已确认，待巡察办核验销号",
        MeasureState::Closed => "已销号",
        MeasureState::LongTerm { .. } => "长期坚持",
    }
}

fn facts_of(view: &MeasureWorkflowView) -> MeasureFacts {
    MeasureFacts {
        state: view.state,
        deadline: view.deadline,
        evidence: view.evidence,
        pending_extension: view.pending_extension.clone(),
    }
}

/// The steps the principal may take on a measure now (a claim without evidence is shown blocked).
pub fn buttons(principal: &Principal, view: &MeasureWorkflowView, today: chrono::NaiveDate) -> Vec<ActionButton> {
    let facts = facts_of(view);
    let actors: Vec<_> = principal.roles().into_iter().filter_map(actor_of).collect();
    let mut out: Vec<ActionButton> = Vec::new();
    for action in candidates(&facts, today) {
        let name = action.name();
        let mut blocked = None;
        let allowed = actors.iter().any(|actor| match workflow::apply(&facts, *actor, &action) {
            Ok(_) => true,
            Err(WorkflowError::NoEvidence) => {
                blocked = Some("需先在下方上传佐证材料");
                false
            }
            Err(_) => false,
        });
        if (allowed || blocked.is_some()) && !out.iter().any(|b| b.action == name) {
            out.push(ActionButton {
                action: name,
                label: label(&action, view.state),
                needs_reason: matches!(
                    action,
                    Action::SendBack { .. } | Action::DeclineExtension { .. } | Action::RequestExtension { .. }
                ),
                needs_deadline: matches!(action, Action::RequestExtension { .. }),
                blocked: if allowed { None } else { blocked },
                danger: matches!(action, Action::SendBack { .. } | Action::DeclineExtension { .. }),
            });
        }
    }
    out
}

/// Whether the buttons hold a review decision (approve or send back, or decide an extension).
pub fn is_review(buttons: &[ActionButton]) -> bool {
    buttons.iter().any(|b| matches!(b.action, "approve" | "send_back" | "approve_extension" | "decline_extension"))
}

/// Reads a step as a form names it.
pub fn action_from(name: &str, reason: Option<&str>, new_deadline: Option<&str>) -> Result<Action, AppError> {
    let reason = reason.unwrap_or_default().to_owned();
    Ok(match name {
        "start" => Action::Start,
        "mark_basically_completed" => Action::MarkBasicallyCompleted,
        "resume" => Action::Resume,
        "claim" => Action::Claim,
        "approve" => Action::Approve,
        "send_back" => Action::SendBack { reason },
        "request_extension" => {
            let text = new_deadline.map(str::trim).unwrap_or_default();
            let new_deadline = text.parse::<PartialDate>().map_err(|e| AppError::Invalid(e.to_string()))?;
            Action::RequestExtension { new_deadline, reason }
        }
        "approve_extension" => Action::ApproveExtension,
        "decline_extension" => Action::DeclineExtension { reason },
        "declare_long_term" => Action::DeclareLongTerm,
        "close_stage" => Action::CloseStage,
        "close_long_term" => Action::CloseLongTerm,
        other => return Err(AppError::Invalid(format!("unknown action {other:?}"))),
    })
}
