//! The unit's routing of public feedback in the pages: approving or returning a reply that waits
//! for approval (答复需审核), the unit's choice that replies need it, forwarding (转办) to a
//! department and linking to a problem of the ledger.

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::staff::{Typed, item_page};
use crate::error::AppError;
use crate::http::page::PageContext;
use crate::ids::{FeedbackId, ProblemId};
use crate::render::format;
use crate::service::session::Principal;
use crate::service::{AppState, feedback_routing};
use crate::text::clean_text;

fn back(id: FeedbackId, done: &str) -> Response {
    Redirect::to(&format!("/feedback/{id}?done={done}")).into_response()
}

/// `POST /feedback/{id}/approve`: the waiting reply becomes public (not by its author).
pub(crate) async fn approve(
    State(state): State<AppState>,
    principal: Principal,
    id: FeedbackId,
) -> Result<Response, AppError> {
    feedback_routing::approve_answer(&state, &principal, id).await?;
    Ok(back(id, "approved"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ReturnForm {
    reason: String,
}

/// `POST /feedback/{id}/return`: the waiting reply goes back to the replier with a reason.
pub(crate) async fn return_answer(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    id: FeedbackId,
    form: Result<Form<ReturnForm>, FormRejection>,
) -> Result<Response, AppError> {
    let reason = form.map(|Form(f)| clean_text(&f.reason)).unwrap_or_default();
    if reason.trim().is_empty() {
        let typed = Typed { error: Some("退回答复须填写理由"), ..Typed::default() };
        return item_page(&state, &page, &principal, id, typed).await;
    }
    feedback_routing::return_answer(&state, &principal, id, &reason).await?;
    Ok(back(id, "returned"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ForwardForm {
    department: String,
    note: String,
}

/// `POST /feedback/{id}/forward`: 转办 to a responsible department of the unit, with a note.
pub(crate) async fn forward(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    id: FeedbackId,
    form: Result<Form<ForwardForm>, FormRejection>,
) -> Result<Response, AppError> {
    let form = form.map(|Form(f)| f).unwrap_or_default();
    if form.department.trim().is_empty() {
        let typed = Typed { error: Some("请选择转办的责任部门"), ..Typed::default() };
        return item_page(&state, &page, &principal, id, typed).await;
    }
    feedback_routing::forward(&state, &principal, id, &form.department, &clean_text(&form.note)).await?;
    Ok(back(id, "forwarded"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct LinkForm {
    /// A problem's id; empty removes the link.
    problem: String,
}

/// `POST /feedback/{id}/link`: links the feedback to a problem of its unit's ledger.
pub(crate) async fn link(
    State(state): State<AppState>,
    principal: Principal,
    id: FeedbackId,
    form: Result<Form<LinkForm>, FormRejection>,
) -> Result<Response, AppError> {
    let text = form.map(|Form(f)| f.problem).unwrap_or_default();
    let problem = match text.trim() {
        "" => None,
        given => Some(ProblemId::parse(given)?),
    };
    feedback_routing::link_problem(&state, &principal, id, problem).await?;
    Ok(back(id, "linked"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct SettingsForm {
    unit: String,
    /// `1` turns 答复需审核 on; absent (an unticked box) turns it off.
    answers_need_approval: Option<String>,
}

/// `POST /feedback/settings`: whether the unit's replies need approval (答复需审核).
pub(crate) async fn settings(
    State(state): State<AppState>,
    principal: Principal,
    form: Result<Form<SettingsForm>, FormRejection>,
) -> Result<Response, AppError> {
    let form = form.map(|Form(f)| f).unwrap_or_default();
    let on = form.answers_need_approval.as_deref() == Some("1");
    feedback_routing::set_answers_need_approval(&state, &principal, &form.unit, on).await?;
    Ok(Redirect::to(&format!("/feedback?unit={}", format::encode(form.unit.trim()))).into_response())
}
