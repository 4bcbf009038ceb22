//! The workflow in the pages: a step pressed on a measure page or in the inbox, the progress
//! form with its evidence upload, and the closure of a problem.

use axum::Form;
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::error::AppError;
use crate::http::extract::safe_next;
use crate::ids::{MeasureId, ProblemId};
use crate::service::session::Principal;
use crate::service::{AppState, workflow};

#[derive(Debug, Deserialize)]
pub(crate) struct ActionForm {
    action: String,
    version: i64,
    #[serde(default)]
    reason: Option<String>,
    /// 审核意见 of an approval (optional).
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    new_deadline: Option<String>,
    #[serde(default)]
    next: Option<String>,
}

/// `POST /measures/{id}/actions`: one step, then back to the measure (or to `next`).
pub(crate) async fn measure_action(
    State(state): State<AppState>,
    principal: Principal,
    id: MeasureId,
    Form(form): Form<ActionForm>,
) -> Result<Response, AppError> {
    let action = workflow::action_from(
        &form.action,
        form.reason.as_deref(),
        form.comment.as_deref(),
        form.new_deadline.as_deref(),
    )?;
    workflow::apply_action(&state, &principal, id, action, form.version).await?;
    let to = match form.next.as_deref() {
        Some(next) => safe_next(Some(next)),
        None => format!("/measures/{id}?done={}", form.action),
    };
    Ok(Redirect::to(&to).into_response())
}

/// `POST /measures/{id}/progress` (multipart): a progress entry with an optional evidence file.
pub(crate) async fn progress(
    State(state): State<AppState>,
    principal: Principal,
    id: MeasureId,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let input = super::form::read_progress_form(multipart).await?;
    workflow::record_progress(&state, &principal, id, input).await?;
    Ok(Redirect::to(&format!("/measures/{id}?done=progress")).into_response())
}

/// `POST /problems/{id}/close`: 销号 of a problem whose measures are all closed.
pub(crate) async fn close_problem(
    State(state): State<AppState>,
    principal: Principal,
    id: ProblemId,
) -> Result<Response, AppError> {
    workflow::close_problem(&state, &principal, id).await?;
    Ok(Redirect::to(&format!("/problems/{id}?done=close")).into_response())
}
