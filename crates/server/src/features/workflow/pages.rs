//! The workflow in the pages: a step pressed on a measure page or in the inbox, the progress
//! form with its evidence upload, and the closure of a problem.

use axum::Form;
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use minijinja::context;

use crate::error::AppError;
use crate::http::error::page_text;
use crate::http::extract::safe_next;
use crate::http::page::PageContext;
use crate::ids::{MeasureId, ProblemId};
use crate::render::{Crumb, render};
use crate::service::session::Principal;
use crate::service::{AppState, EVIDENCE_LIMIT_BYTES, workflow};

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
///
/// A refused file or entry (wrong type, too large, refused by the rules) shows the form again
/// with the reason and what was typed, instead of a dead-end error page that loses the text.
pub(crate) async fn progress(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    id: MeasureId,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let (input, read_error) = super::form::read_progress_form_kept(multipart).await;
    let typed = context! {
        measure_id => id.get(),
        version => input.version,
        date => input.date.clone().unwrap_or_else(|| page.today.to_string()),
        text => input.text.clone(),
        title => input.title.clone().unwrap_or_default(),
        limit_mb => EVIDENCE_LIMIT_BYTES / (1024 * 1024),
    };
    let outcome = match read_error {
        Some(e) => Err(e),
        None => workflow::record_progress(&state, &principal, id, input).await.map(drop),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/measures/{id}?done=progress")).into_response()),
        Err(
            e @ (AppError::TooLarge(_)
            | AppError::UnsupportedMedia(_)
            | AppError::Invalid(_)
            | AppError::Refused { .. }
            | AppError::BadRequest { .. }),
        ) => {
            let text = page_text(&e);
            let chrome = page.chrome(
                "ledger",
                "报送整改进展",
                vec![
                    Crumb::link("首页", "/"),
                    Crumb::link("整改措施", format!("/measures/{id}")),
                    Crumb::here("报送进展"),
                ],
                None,
            );
            let fields = context! { heading => text.heading, message => text.message, ..typed };
            Ok((text.status, render("progress_retry.html", &chrome, fields)?).into_response())
        }
        Err(e) => Err(e),
    }
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
