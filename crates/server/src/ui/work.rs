//! The workflow in the pages: the buttons of a measure page (only those the signed-in account
//! may press now), the progress form with evidence upload, the 待办/审核 inbox, bulk actions on
//! ledger rows, problem closure and the audit administrator's page.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use minijinja::{Value, context};
use rectify_domain::roles::Role;
use rectify_domain::workflow::{self, Action, MeasureFacts, MeasureState, ReviewStage, WorkflowError};
use rectify_domain::{PartialDate, Responsibility, Status};
use rectify_storage::workflow::workflow_actor;
use rectify_storage::{MeasureRecord, MeasureWorkflowView, ReminderTarget, ResponsibilityTarget, Snapshot};
use serde::{Deserialize, Serialize};

use super::account::safe_next;
use super::csrf::CsrfToken;
use super::pages::{chrome, inspection_name};
use super::{Crumb, UiError, render, ser};
use crate::auth::Principal;
use crate::authz::{Visibility, summary};
use crate::workflow::{AuditQuery, apply_action, read_progress_form, record_progress, reminders_for, send_reminder};
use crate::{ApiError, AppState};

fn api(e: ApiError) -> UiError {
    UiError::Api(e)
}

/// A button of the measure page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ActionButton {
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
pub(crate) fn state_label(state: MeasureState) -> &'static str {
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
pub(crate) fn buttons(
    principal: &Principal,
    view: &MeasureWorkflowView,
    today: chrono::NaiveDate,
) -> Vec<ActionButton> {
    let facts = facts_of(view);
    let actors: Vec<_> = principal.roles().into_iter().filter_map(workflow_actor).collect();
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

/// The workflow panel of the measure page.
pub(crate) async fn panel(state: &AppState, principal: &Principal, record: &MeasureRecord) -> Result<Value, UiError> {
    let Some(view) = state.store().measure_workflow(record.id).await? else { return Ok(Value::UNDEFINED) };
    let roles = principal.roles();
    let may_report = [Role::Department, Role::UnitLiaison].iter().any(|r| roles.contains(r));
    let may_remind = rectify_auth::allows_any(&roles, rectify_auth::Permission::SendReminder);
    Ok(context! {
        version => view.version,
        state_label => state_label(view.state),
        evidence => view.evidence,
        pending_extension => view.pending_extension.as_ref().map(|e| context! {
            new_deadline => e.new_deadline.to_chinese(),
            reason => e.reason.clone(),
        }),
        buttons => ser(buttons(principal, &view, state.today())),
        progress_form => may_report && view.state != MeasureState::Closed,
        remind_form => may_remind && view.state != MeasureState::Closed,
        today => state.today().to_string(),
        limit_mb => crate::EVIDENCE_LIMIT_BYTES / (1024 * 1024),
    })
}

#[derive(Debug, Deserialize)]
pub(crate) struct ActionForm {
    action: String,
    version: i64,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    new_deadline: Option<String>,
    #[serde(default)]
    next: Option<String>,
}

fn action_from(form: &ActionForm) -> Result<Action, ApiError> {
    let reason = form.reason.clone().unwrap_or_default();
    Ok(match form.action.as_str() {
        "start" => Action::Start,
        "mark_basically_completed" => Action::MarkBasicallyCompleted,
        "resume" => Action::Resume,
        "claim" => Action::Claim,
        "approve" => Action::Approve,
        "send_back" => Action::SendBack { reason },
        "request_extension" => {
            let text = form.new_deadline.as_deref().map(str::trim).unwrap_or_default();
            let new_deadline = text.parse::<PartialDate>().map_err(|e| ApiError::Invalid(e.to_string()))?;
            Action::RequestExtension { new_deadline, reason }
        }
        "approve_extension" => Action::ApproveExtension,
        "decline_extension" => Action::DeclineExtension { reason },
        "declare_long_term" => Action::DeclareLongTerm,
        "close_stage" => Action::CloseStage,
        "close_long_term" => Action::CloseLongTerm,
        other => return Err(ApiError::Invalid(format!("unknown action {other:?}"))),
    })
}

fn path_id(raw: &str) -> Result<i64, UiError> {
    raw.trim().parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| UiError::not_found("measure", raw))
}

/// `POST /measures/{id}/actions`: one step, then back to the measure (or to `next`).
pub(crate) async fn measure_action(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> Result<Response, UiError> {
    let id = path_id(&id)?;
    let action = action_from(&form).map_err(api)?;
    apply_action(&state, &principal, id, action, form.version).await.map_err(api)?;
    let to = match form.next.as_deref() {
        Some(next) => safe_next(Some(next)),
        None => format!("/measures/{id}?done={}", form.action),
    };
    Ok(Redirect::to(&to).into_response())
}

/// `POST /measures/{id}/progress` (multipart): a progress entry with an optional evidence file.
pub(crate) async fn progress(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<Response, UiError> {
    let id = path_id(&id)?;
    let input = read_progress_form(multipart).await.map_err(api)?;
    record_progress(&state, &principal, id, input).await.map_err(api)?;
    Ok(Redirect::to(&format!("/measures/{id}?done=progress")).into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct RemindForm {
    message: String,
}

/// `POST /measures/{id}/remind`: a reminder to the responsible department.
pub(crate) async fn remind(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    Form(form): Form<RemindForm>,
) -> Result<Response, UiError> {
    let id = path_id(&id)?;
    send_reminder(&state, &principal, id, ReminderTarget::Role(Role::Department), &form.message).await.map_err(api)?;
    Ok(Redirect::to(&format!("/measures/{id}?done=remind")).into_response())
}

/// `POST /problems/{id}/close`: 销号 of a problem whose measures are all closed.
pub(crate) async fn close_problem(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = path_id(&id)?;
    crate::workflow::close_problem_as(&state, &principal, id).await.map_err(api)?;
    Ok(Redirect::to(&format!("/problems/{id}?done=close")).into_response())
}

/// The selected problems of a bulk form that belong to the inspection and are visible.
async fn selected(
    state: &AppState,
    principal: &Principal,
    inspection: i64,
    fields: &[(String, String)],
) -> Result<(Vec<rectify_storage::ProblemRecord>, Vec<MeasureRecord>), UiError> {
    let s = summary(state, inspection)
        .await
        .map_err(api)?
        .ok_or_else(|| UiError::not_found("inspection", inspection.to_string()))?;
    let store = state.store();
    let (problems, measures) = Visibility::new(&principal.grants).records(
        &s,
        store.list_problems(inspection).await?,
        store.list_measures(inspection, None).await?,
    );
    let ids: Vec<i64> = fields.iter().filter(|(k, _)| k == "p").filter_map(|(_, v)| v.trim().parse().ok()).collect();
    let chosen: Vec<_> = problems.into_iter().filter(|p| ids.contains(&p.id)).collect();
    let measures = measures.into_iter().filter(|m| chosen.iter().any(|p| p.id == m.problem_id)).collect();
    Ok((chosen, measures))
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
}

/// `POST /inspections/{id}/bulk/remind`: reminds the departments of every open measure of the
/// selected problems (one audited reminder per measure; recently reminded ones are skipped).
pub(crate) async fn bulk_remind(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let id = path_id(&id)?;
    let message = field(&fields, "message").unwrap_or("请抓紧推进整改，按时报送进展").to_owned();
    let (_, measures) = selected(&state, &principal, id, &fields).await?;
    let (mut sent, mut skipped) = (0, 0);
    for m in measures.iter().filter(|m| !matches!(m.measure.status, Some(Status::Completed))) {
        match send_reminder(&state, &principal, m.id, ReminderTarget::Role(Role::Department), &message).await {
            Ok(_) => sent += 1,
            Err(ApiError::TooSoon(_)) => skipped += 1,
            Err(e) => return Err(api(e)),
        }
    }
    Ok(Redirect::to(&format!("/inspections/{id}/ledger?bulk=remind&sent={sent}&skipped={skipped}")).into_response())
}

/// `POST /inspections/{id}/bulk/assign`: hands the selected problems to another leader and/or
/// department (each hand-over audited with before and after).
pub(crate) async fn bulk_assign(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let id = path_id(&id)?;
    let leader = field(&fields, "leader").map(str::to_owned);
    let department = field(&fields, "department").map(str::to_owned);
    if leader.is_none() && department.is_none() {
        return Err(api(ApiError::Invalid("name a leader or a department".into())));
    }
    let role = [Role::UnitLiaison, Role::LeadingGroup, Role::InspectionOffice]
        .into_iter()
        .find(|r| principal.has_role(*r))
        .unwrap_or(Role::UnitLiaison);
    let acting = principal.acting_as(role);
    let (problems, _) = selected(&state, &principal, id, &fields).await?;
    for p in &problems {
        let old = &p.problem.responsibility;
        let new = Responsibility {
            leader: leader.clone().or_else(|| old.leader.clone()),
            departments: department.clone().map_or_else(|| old.departments.clone(), |d| vec![d]),
            ..old.clone()
        };
        state
            .store()
            .reassign_responsibility(ResponsibilityTarget::Problem(p.id), &new, &acting, state.now())
            .await
            .map_err(|e| api(e.into()))?;
    }
    Ok(Redirect::to(&format!("/inspections/{id}/ledger?bulk=assign&sent={}", problems.len())).into_response())
}

/// One item of the inbox or of a task list.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Task {
    pub measure_id: i64,
    pub problem_id: i64,
    pub inspection: String,
    pub problem: String,
    pub text: String,
    pub deadline: Option<String>,
    pub state: &'static str,
    pub version: i64,
    pub buttons: Vec<ActionButton>,
}

fn short(text: &str, n: usize) -> String {
    let mut out: String = text.chars().take(n).collect();
    if text.chars().nth(n).is_some() {
        out.push('…');
    }
    out
}

/// The visible measures with their workflow, per inspection, filtered by `keep`.
pub(crate) async fn tasks(
    state: &AppState,
    principal: &Principal,
    snapshot: &Snapshot,
    keep: impl Fn(&MeasureRecord, &MeasureWorkflowView, &[ActionButton]) -> bool,
) -> Result<Vec<Task>, UiError> {
    let store = state.store();
    let visibility = Visibility::new(&principal.grants);
    let mut out = Vec::new();
    for s in visibility.inspections(store.list_inspections().await?) {
        let (problems, measures) =
            visibility.shared_records(&s, snapshot.problems(s.id).await?, snapshot.measures(s.id).await?);
        let workflows = snapshot.workflows(s.id).await?;
        for m in measures.iter() {
            let Some(view) = workflows.get(&m.id) else { continue };
            let buttons = buttons(principal, view, state.today());
            if !keep(m, view, &buttons) {
                continue;
            }
            let problem = problems.iter().find(|p| p.id == m.problem_id);
            out.push(Task {
                measure_id: m.id,
                problem_id: m.problem_id,
                inspection: inspection_name(&s),
                problem: problem.map(|p| short(p.problem.title.as_str(), 40)).unwrap_or_default(),
                text: short(m.measure.text.as_str(), 80),
                deadline: m.measure.deadline.map(|d| d.to_chinese()),
                state: state_label(view.state),
                version: view.version,
                buttons,
            });
        }
    }
    Ok(out)
}

/// Whether a task is a review decision (approve or send back, or decide an extension).
fn is_review(buttons: &[ActionButton]) -> bool {
    buttons.iter().any(|b| matches!(b.action, "approve" | "send_back" | "approve_extension" | "decline_extension"))
}

/// `GET /inbox`: what waits for the reviewer's decision.
pub(crate) async fn inbox(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(csrf): Extension<CsrfToken>,
) -> Result<Response, UiError> {
    let items = tasks(&state, &principal, &state.store().snapshot().await?, |_, view, buttons| {
        (matches!(view.state, MeasureState::UnderReview { .. }) || view.pending_extension.is_some())
            && is_review(buttons)
    })
    .await?;
    let chrome =
        chrome(&state, "inbox", "待办审核", vec![Crumb::link("首页", "/"), Crumb::here("待办审核")], None, &csrf);
    Ok(render("inbox.html", &chrome, context! { items => ser(&items) })?.into_response())
}

/// The home page's personal part: what needs this account now, read through the page's snapshot.
pub(crate) async fn my_work(state: &AppState, principal: &Principal, snapshot: &Snapshot) -> Result<Value, UiError> {
    let roles = principal.roles();
    let reports = roles.iter().any(|r| matches!(r, Role::Department | Role::UnitLiaison));
    let reviews = rectify_auth::allows_any(&roles, rectify_auth::Permission::ReviewAssignedProblems)
        || rectify_auth::allows_any(&roles, rectify_auth::Permission::ConfirmClosure)
        || rectify_auth::allows_any(&roles, rectify_auth::Permission::VerifyClosure);
    let reads = crate::authz::READ.iter().any(|p| rectify_auth::allows_any(&roles, *p));
    let to_update = if reports {
        let mut list = tasks(state, principal, snapshot, |_, view, _| {
            matches!(view.state, MeasureState::NotStarted | MeasureState::InProgress | MeasureState::BasicallyCompleted)
        })
        .await?;
        list.sort_by_key(|t| t.deadline.is_none());
        list
    } else {
        Vec::new()
    };
    let to_review = if reviews {
        tasks(state, principal, snapshot, |_, view, buttons| {
            matches!(view.state, MeasureState::UnderReview { .. }) && is_review(buttons)
        })
        .await?
    } else {
        Vec::new()
    };
    let reminders = if reads { reminders_for(state, principal).await.map_err(api)? } else { Vec::new() };
    Ok(context! {
        reports,
        reviews,
        audit => roles.contains(&Role::AuditAdmin),
        admin => roles.iter().any(|r| matches!(r, Role::SystemAdmin | Role::SecurityAdmin)),
        to_update_total => to_update.len(),
        to_update => ser(to_update.into_iter().take(20).collect::<Vec<_>>()),
        to_review_total => to_review.len(),
        to_review => ser(to_review.into_iter().take(10).collect::<Vec<_>>()),
        reminders => ser(reminders.into_iter().take(10).collect::<Vec<_>>()),
    })
}

/// `GET /audit`: the audit trail with filters, CSV export and the chain check.
pub(crate) async fn audit(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, UiError> {
    let pairs = query.map(|Query(q)| q).unwrap_or_default();
    let text = |name: &str| field(&pairs, name).map(str::to_owned);
    let f = AuditQuery {
        actor: text("actor").and_then(|v| v.parse().ok()),
        action: text("action"),
        target_kind: text("target_kind"),
        target_id: text("target_id"),
        from: text("from"),
        until: text("until"),
        offset: text("offset").and_then(|v| v.parse().ok()),
        limit: text("limit").and_then(|v| v.parse().ok()),
    };
    let filter = f.filter().map_err(api)?;
    let page = f.page();
    let entries = state.store().list_audit(&filter, page).await?;
    let verified = match text("verify") {
        Some(_) => Some(ser(crate::workflow::verify(&state).await.map_err(api)?)),
        None => None,
    };
    let mut pairs: Vec<(&str, String)> = Vec::new();
    for (key, value) in [
        ("action", &f.action),
        ("target_kind", &f.target_kind),
        ("target_id", &f.target_id),
        ("from", &f.from),
        ("until", &f.until),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            pairs.push((key, v.to_owned()));
        }
    }
    if let Some(actor) = f.actor {
        pairs.push(("actor", actor.to_string()));
    }
    let qs = pairs.iter().map(|(k, v)| format!("{k}={}", super::encode(v))).collect::<Vec<_>>().join("&");
    let next_offset = (entries.len() == page.limit as usize).then(|| page.offset + u64::from(page.limit));
    let chrome =
        chrome(&state, "audit", "审计日志", vec![Crumb::link("首页", "/"), Crumb::here("审计日志")], None, &csrf);
    let ctx = context! {
        entries => ser(&entries),
        q => context! {
            action => f.action.clone(), target_kind => f.target_kind.clone(), target_id => f.target_id.clone(),
            from => f.from.clone(), until => f.until.clone(), actor => f.actor,
        },
        export_href => if qs.is_empty() { "/api/audit/export.csv".to_owned() } else { format!("/api/audit/export.csv?{qs}") },
        verify_href => if qs.is_empty() { "/audit?verify=1".to_owned() } else { format!("/audit?{qs}&verify=1") },
        next_href => next_offset.map(|o| if qs.is_empty() { format!("/audit?offset={o}") } else { format!("/audit?{qs}&offset={o}") }),
        verified,
    };
    Ok(render("audit.html", &chrome, ctx)?.into_response())
}
