//! Supervision in the pages: a reminder from a measure page, and the bulk actions of the ledger
//! page (remind the departments of the selected problems, hand them to another leader or
//! department).

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use rectify_domain::roles::Role;
use rectify_storage::ReminderTarget;
use serde::Deserialize;

use crate::error::AppError;
use crate::http::extract::form_field as field;
use crate::ids::{InspectionId, MeasureId};
use crate::service::session::Principal;
use crate::service::{AppState, supervision};

#[derive(Debug, Deserialize)]
pub(crate) struct RemindForm {
    message: String,
}

/// `POST /measures/{id}/remind`: a reminder to the responsible department.
pub(crate) async fn remind(
    State(state): State<AppState>,
    principal: Principal,
    id: MeasureId,
    Form(form): Form<RemindForm>,
) -> Result<Response, AppError> {
    supervision::send_reminder(&state, &principal, id, ReminderTarget::Role(Role::Department), &form.message).await?;
    Ok(Redirect::to(&format!("/measures/{id}?done=remind")).into_response())
}

/// The problem ids ticked in a bulk form (`p=…`).
fn ticked(fields: &[(String, String)]) -> Vec<i64> {
    fields.iter().filter(|(k, _)| k == "p").filter_map(|(_, v)| v.trim().parse().ok()).collect()
}

/// `POST /inspections/{id}/bulk/remind`: reminds the departments of every open measure of the
/// selected problems (one audited reminder per measure; recently reminded ones are skipped).
pub(crate) async fn bulk_remind(
    State(state): State<AppState>,
    principal: Principal,
    id: InspectionId,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let message = field(&fields, "message").unwrap_or("请抓紧推进整改，按时报送进展");
    let (sent, skipped) = supervision::remind_problems(&state, &principal, id, &ticked(&fields), message).await?;
    Ok(Redirect::to(&format!("/inspections/{id}/ledger?bulk=remind&sent={sent}&skipped={skipped}")).into_response())
}

/// `POST /inspections/{id}/bulk/assign`: hands the selected problems to another leader and/or
/// department (each hand-over audited with before and after).
pub(crate) async fn bulk_assign(
    State(state): State<AppState>,
    principal: Principal,
    id: InspectionId,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let leader = field(&fields, "leader").map(str::to_owned);
    let department = field(&fields, "department").map(str::to_owned);
    let moved = supervision::reassign_problems(&state, &principal, id, &ticked(&fields), leader, department).await?;
    Ok(Redirect::to(&format!("/inspections/{id}/ledger?bulk=assign&sent={moved}")).into_response())
}
