//! The closure (销号) workflow of measures: steps under optimistic locking, progress with
//! evidence files, problem closure and reopening, and which steps an account may take now.

use rectify_domain::roles::Role;
use rectify_domain::workflow::{Action, ActionKind, MeasureFacts, Person, Task, acting_role, available_actions_any};
use rectify_domain::{Evidence, NonEmptyText, PartialDate, ProgressEntry};
use rectify_storage::{FileError, MeasureWorkflowView};
use serde::Serialize;

use super::session::Principal;
use super::state::AppState;
use crate::error::AppError;
use crate::ids::{MeasureId, ProblemId};

/// The role an account acts in for a task: the one whose part of the workflow it is, so that an
/// account holding several roles acts as the right one (decided in the domain).
fn role_of(principal: &Principal, task: Task, otherwise: Role) -> Role {
    acting_role(&principal.roles(), task).unwrap_or(otherwise)
}

/// The role in which an account verifies, closes, reopens and looks back: the inspection office.
pub(crate) fn verifier_role(principal: &Principal) -> Role {
    role_of(principal, Task::Verification, Role::AuditAdmin)
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
    let role = role_of(principal, Task::Step { kind: action.kind(), state: view.state }, Role::AuditAdmin);
    let notices = match role.default_workflow_actor() {
        Some(actor) => super::notify::for_step(state, principal, measure, actor, &action, &view).await,
        None => Vec::new(),
    };
    Ok(state
        .store()
        .apply_measure_action_notifying(
            measure.get(),
            &principal.acting_as(role),
            action,
            version,
            state.now(),
            &notices,
        )
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
    let acting = principal.acting_as(role_of(principal, Task::Progress, Role::Department));
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
        let bytes = files.read(&address)?;
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

/// Seals the evidence files not yet sealed under the current data key (files from before SM4 at
/// rest, or of an older key), and records the key as one that sealed data. Run once at start.
pub async fn seal_evidence_files(state: &AppState) -> Result<rectify_storage::files::SealedFiles, AppError> {
    let files = state.evidence().clone();
    let done =
        super::state::blocking(move || files.seal_files()).await?.map_err(|e| AppError::Internal(e.to_string()))?;
    if done.sealed > 0 {
        state.store().register_current_data_key(state.now()).await?;
    }
    Ok(done)
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
    /// An approval, which may carry a comment (审核意见).
    pub takes_comment: bool,
    pub needs_deadline: bool,
    /// Shown but not pressable, with the reason.
    pub blocked: Option<&'static str>,
    pub danger: bool,
}

/// The steps the principal may take on a measure now (a claim without evidence is shown blocked).
pub fn buttons(principal: &Principal, view: &MeasureWorkflowView) -> Vec<ActionButton> {
    let facts = MeasureFacts {
        state: view.state,
        deadline: view.deadline,
        evidence: view.evidence,
        pending_extension: view.pending_extension.clone(),
        hands: view.hands.clone(),
    };
    let actors = principal.roles().into_iter().filter_map(Role::default_workflow_actor);
    available_actions_any(&facts, actors, Person(principal.user.id))
        .into_iter()
        // Reopening is the look-back's (反弹重办), not a button of the measure.
        .filter(|a| a.kind != ActionKind::Reopen)
        .map(|a| ActionButton {
            action: a.kind.name(),
            label: a.kind.label_zh(view.state).to_owned(),
            needs_reason: a.kind.needs_reason(),
            takes_comment: a.kind.takes_comment(),
            needs_deadline: a.kind.needs_deadline(),
            blocked: a.blocked.map(|b| b.label_zh()),
            danger: a.kind.is_danger(),
        })
        .collect()
}

/// Whether the buttons hold a review decision (approve or send back, or decide an extension).
pub fn is_review(buttons: &[ActionButton]) -> bool {
    buttons.iter().any(|b| matches!(b.action, "approve" | "send_back" | "approve_extension" | "decline_extension"))
}

/// Reads a step as a form names it (reopening is not a form's step): the reason of a step that
/// needs one, the comment (审核意见) of an approval.
pub fn action_from(
    name: &str,
    reason: Option<&str>,
    comment: Option<&str>,
    new_deadline: Option<&str>,
) -> Result<Action, AppError> {
    let kind = ActionKind::from_name(name)
        .filter(|k| *k != ActionKind::Reopen)
        .ok_or_else(|| AppError::Invalid(format!("unknown action {name:?}")))?;
    let text = if kind.takes_comment() { comment } else { reason };
    let new_deadline = match new_deadline.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => Some(text.parse::<PartialDate>().map_err(|e| AppError::Invalid(e.to_string()))?),
        None => None,
    };
    Action::from_kind(kind, text.unwrap_or_default().to_owned(), new_deadline)
        .ok_or_else(|| AppError::Invalid("the new deadline is missing".into()))
}
