//! The unit's side of the portal: publishing and withdrawing the public report, and reading and
//! answering citizens' feedback of the units in the account's scope.

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use rectify_auth::Permission;
use rectify_storage::{AnswerOutcome, Feedback, FeedbackStatus};
use serde::Deserialize;

use crate::error::AppError;
use crate::http::page::PageContext;
use crate::http::page::no_store;
use crate::ids::{FeedbackId, InspectionId, ProblemId, PublicationId};
use crate::render::{Crumb, format, render};
use crate::service::session::Principal;
use crate::service::{AppState, feedback_routing, portal};
use crate::text::clean_text;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PreviewQuery {
    /// `1` after a confirmation that found the report changed since its preview.
    changed: Option<String>,
}

/// `GET /inspections/{id}/publish`: the report exactly as the public will see it (the public
/// page's template, marked 预览), with the 确认发布 form. Publishing goes only through here.
pub(crate) async fn preview(
    State(state): State<AppState>,
    page: PageContext,
    id: InspectionId,
    query: Result<Query<PreviewQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let publication = portal::render_publication(&state, id.get()).await?;
    let changed = query.ok().and_then(|Query(q)| q.changed).is_some_and(|c| c == "1");
    let now = state.now().to_rfc3339();
    let confirm = context! {
        inspection_id => id.get(),
        csrf => page.csrf.clone(),
        fingerprint => portal::fingerprint(&publication),
        changed,
    };
    let view = super::public::ReportView {
        title: &publication.title,
        unit: &publication.unit,
        published_at: &now,
        id: None,
        inspection: Some(id.get()),
        body_html: &publication.body_html,
    };
    Ok(no_store(view.render(Some(confirm))?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PublishForm {
    /// The fingerprint of the previewed report (the preview's 确认发布).
    confirm: String,
}

/// `POST /inspections/{id}/publish`: publishes the previewed report. Without the preview's
/// confirmation it publishes nothing and shows the preview; when the report changed since the
/// preview, it shows the new one to confirm again.
pub(crate) async fn publish(
    State(state): State<AppState>,
    principal: Principal,
    id: InspectionId,
    form: Result<Form<PublishForm>, FormRejection>,
) -> Result<Response, AppError> {
    let confirm = form.map(|Form(f)| f.confirm).unwrap_or_default();
    let preview = format!("/inspections/{id}/publish");
    if confirm.trim().is_empty() {
        return Ok(Redirect::to(&preview).into_response());
    }
    match portal::publish_confirmed(&state, &principal, id, &confirm).await? {
        // Back to the ledger, which confirms the publication and links to the public page.
        portal::Confirmation::Published(published) => {
            Ok(Redirect::to(&format!("/inspections/{id}/ledger?published={published}")).into_response())
        }
        portal::Confirmation::Changed => Ok(Redirect::to(&format!("{preview}?changed=1")).into_response()),
    }
}

/// `POST /published/{id}/withdraw`.
pub(crate) async fn withdraw(
    State(state): State<AppState>,
    principal: Principal,
    id: PublicationId,
) -> Result<Response, AppError> {
    portal::withdraw(&state, &principal, id).await?;
    Ok(Redirect::to("/public").into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct InboxQuery {
    unit: Option<String>,
    status: Option<String>,
}

/// The inbox's filter value of replies waiting for approval (not a stored status).
const AWAITING_APPROVAL: &str = "pending_approval";

/// How a feedback's state reads in the staff's lists: 待审核 while a reply waits for approval.
fn state_label(f: &Feedback) -> &'static str {
    if f.pending.is_some() { "待审核" } else { f.status.label_zh() }
}

fn inbox_row(f: Feedback) -> Value {
    context! {
        id => f.id,
        status => state_label(&f),
        pending => f.pending.is_some(),
        forwarded => f.forwarded.as_ref().map(|w| w.department.clone()),
        subject => f.subject,
        submitted => format::beijing(&f.submitted_at, false),
        anonymous => f.anonymous,
    }
}

/// `GET /feedback?unit=…&status=…`: a unit's feedback, newest first; for a department, the
/// feedback forwarded (转办) to it.
pub(crate) async fn inbox(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    query: Result<Query<InboxQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let query = query.map(|Query(q)| q).unwrap_or(InboxQuery { unit: None, status: None });
    let units = portal::units_in_scope(&state, &principal).await?;
    let unit = match query.unit {
        Some(u) if units.contains(&u) => Some(u),
        _ if units.len() == 1 => units.first().cloned(),
        _ => None,
    };
    let awaiting = query.status.as_deref() == Some(AWAITING_APPROVAL);
    let status = query.status.as_deref().and_then(FeedbackStatus::from_name);
    let items: Vec<Value> = match &unit {
        Some(unit) => portal::list_feedback(&state, unit, status)
            .await?
            .into_iter()
            .filter(|f| !awaiting || f.pending.is_some())
            .map(inbox_row)
            .collect(),
        None => Vec::new(),
    };
    let forwarded: Vec<Value> = portal::forwarded_to_me(&state, &principal).await?.into_iter().map(inbox_row).collect();
    let mut statuses: Vec<Value> = FeedbackStatus::ALL
        .iter()
        .map(|s| context! { key => s.as_str(), label => s.label_zh(), selected => Some(*s) == status })
        .collect();
    statuses.push(context! { key => AWAITING_APPROVAL, label => "待审核", selected => awaiting });
    let needs_approval = match &unit {
        Some(unit) => Some(feedback_routing::settings(&state, &principal, unit).await?.answers_need_approval),
        None => None,
    };
    let crumbs = vec![Crumb::link("首页", "/"), Crumb::here("意见建议办理")];
    let chrome = page.chrome("feedback", "意见建议办理", crumbs, None);
    let slug = unit.as_deref().map(format::encode);
    let fields = context! {
        whole_units => portal::reads_whole_units(&principal),
        units, unit, slug, statuses, items, forwarded, needs_approval,
        can_set_approval => principal.may(&[Permission::ApproveFeedbackAnswer]),
    };
    Ok(render("portal_inbox.html", &chrome, fields)?.into_response())
}

/// What an item page shows besides the feedback: an error with the text typed in.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Typed<'a> {
    pub error: Option<&'a str>,
    pub draft: Option<&'a str>,
    /// `submitted`: a reply waits for approval now; `approved`, `returned`, `forwarded`, `linked`.
    pub done: Option<&'a str>,
}

pub(super) async fn item_page(
    state: &AppState,
    page: &PageContext,
    principal: &Principal,
    id: FeedbackId,
    typed: Typed<'_>,
) -> Result<Response, AppError> {
    let (f, reach) = portal::feedback_reached(state, principal, id).await?;
    let whole = reach == portal::Reach::WholeUnit;
    let inbox_href = format!("/feedback?unit={}", format::encode(&f.unit));
    let crumbs =
        vec![Crumb::link("首页", "/"), Crumb::link("意见建议办理", inbox_href), Crumb::here(f.subject.clone())];
    let chrome = page.chrome("feedback", "意见建议办理", crumbs, f.inspection_id);
    let may_answer = whole && principal.may(&[Permission::AnswerFeedback]);
    let own_pending = f.pending.as_ref().is_some_and(|p| p.by == Some(principal.user.id));
    let (departments, problems) = if may_answer {
        (feedback_routing::departments_of(state, &f).await?, feedback_routing::problems_of(state, &f).await?)
    } else {
        (Vec::new(), Vec::new())
    };
    let problems: Vec<Value> =
        problems.into_iter().map(|p| context! { id => p.id, title => format::short(&p.title, 40) }).collect();
    let linked_title = match f.problem_id.and_then(ProblemId::new) {
        Some(p) => Some(
            crate::service::ledger::problem(state, p)
                .await
                .map(|r| r.problem.title.as_str().to_owned())
                .unwrap_or_default(),
        ),
        None => None,
    };
    let replier = match &f.pending {
        Some(p) => Some(feedback_routing::replier_name(state, p).await?),
        None => None,
    };
    let state_label = state_label(&f);
    let received = whole && f.status == FeedbackStatus::Received && may_answer;
    let fields = context! {
        id => f.id,
        unit => f.unit,
        subject => f.subject,
        body => f.body,
        submitted => format::beijing(&f.submitted_at, false),
        anonymous => f.anonymous,
        forwarded_only => !whole,
        name => f.name,
        contact => f.contact,
        status => state_label,
        received,
        // The form starts from what was typed, else the reply waiting for approval, else the public one.
        answer => typed.draft.map(str::to_owned).or(f.pending.as_ref().map(|p| p.text.clone())).or(f.answer.clone()),
        public_answer => f.answer,
        answered_at => f.answered_at.map(|t| format::beijing(&t, false)),
        pending => f.pending.as_ref().map(|p| context! {
            text => p.text.clone(),
            by => replier.clone().unwrap_or_else(|| p.by_name.clone()),
            at => format::beijing(&p.at, false),
        }),
        returned_reason => f.returned_reason,
        forwarded => f.forwarded.as_ref().map(|w| context! {
            department => w.department.clone(),
            note => w.note.clone(),
            at => format::beijing(&w.at, false),
        }),
        problem_id => f.problem_id,
        linked_title,
        may_answer,
        may_approve => whole && principal.may(&[Permission::ApproveFeedbackAnswer]) && f.pending.is_some() && !own_pending,
        own_pending => own_pending && principal.may(&[Permission::ApproveFeedbackAnswer]),
        departments,
        problems,
        error => typed.error,
        done => typed.done,
    };
    let status = if typed.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(no_store((status, render("portal_item.html", &chrome, fields)?).into_response()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ItemQuery {
    done: Option<String>,
}

/// `GET /feedback/{id}`: one feedback with the answer form.
pub(crate) async fn item(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    id: FeedbackId,
    query: Result<Query<ItemQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let done = query.ok().and_then(|Query(q)| q.done).filter(|d| d.len() <= 20);
    item_page(&state, &page, &principal, id, Typed { done: done.as_deref(), ..Typed::default() }).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct AnswerForm {
    answer: String,
}

/// `POST /feedback/{id}/answer`: the reply is public at once, or waits for approval when the
/// unit's replies need it.
pub(crate) async fn answer(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    id: FeedbackId,
    form: Result<Form<AnswerForm>, FormRejection>,
) -> Result<Response, AppError> {
    let text = form.map(|Form(f)| clean_text(&f.answer)).unwrap_or_default();
    match portal::answer(&state, &principal, id, &text).await? {
        Some(AnswerOutcome::AwaitingApproval) => {
            Ok(Redirect::to(&format!("/feedback/{id}?done=submitted")).into_response())
        }
        Some(AnswerOutcome::Published) => Ok(Redirect::to(&format!("/feedback/{id}")).into_response()),
        None => {
            let typed = Typed { error: Some("请填写答复内容"), draft: Some(&text), done: None };
            item_page(&state, &page, &principal, id, typed).await
        }
    }
}

/// `POST /feedback/{id}/processing`: 开始办理.
pub(crate) async fn processing(
    State(state): State<AppState>,
    principal: Principal,
    id: FeedbackId,
) -> Result<Response, AppError> {
    portal::mark_processing(&state, &principal, id).await?;
    Ok(Redirect::to(&format!("/feedback/{id}")).into_response())
}
