//! Supervision (督办) over the API: reminders (催办) and the overdue and at-risk measures of an
//! inspection by leader and department.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rectify_domain::roles::Role;
use rectify_domain::supervision::Light;
use rectify_storage::ReminderTarget;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::AppError;
use crate::http::error::ErrorBody;
use crate::http::extract::{JsonBody, Paging, QueryOf};
use crate::http::paged::Paged;
use crate::ids::{InspectionId, MeasureId};
use crate::service::session::Principal;
use crate::service::{AppState, supervision};

/// A reminder (催办) to send.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReminderRequest {
    pub message: String,
    /// A role (`department`, `leader_in_charge`, …) within the inspection; default `department`.
    #[serde(default)]
    pub to_role: Option<String>,
    /// One user instead of a role.
    #[serde(default)]
    pub to_user_id: Option<i64>,
}

/// Sends a reminder about a measure, at most once per the policy's interval.
#[utoipa::path(post, path = "/api/measures/{id}/reminders", tag = "supervision", request_body = ReminderRequest,
    params(("id" = i64, Path, description = "Measure id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses((status = 201, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 429, description = "Sent too recently", body = ErrorBody)))]
pub(crate) async fn remind(
    State(state): State<AppState>,
    principal: Principal,
    id: MeasureId,
    JsonBody(request): JsonBody<ReminderRequest>,
) -> Result<(StatusCode, Json<serde_json::Value>), AppError> {
    let to = match (request.to_user_id, request.to_role.as_deref()) {
        (Some(user), _) => ReminderTarget::User(user),
        (None, Some(name)) => ReminderTarget::Role(
            Role::from_name(name).ok_or_else(|| AppError::Invalid(format!("unknown role {name:?}")))?,
        ),
        (None, None) => ReminderTarget::Role(Role::Department),
    };
    let reminder = supervision::send_reminder(&state, &principal, id, to, &request.message).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "reminder_id": reminder }))))
}

/// A reminder received.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderDto {
    pub id: i64,
    pub measure_id: i64,
    pub from: String,
    pub message: String,
    pub sent_at: String,
}

/// The reminders (催办) the signed-in account received, newest first.
#[utoipa::path(get, path = "/api/me/reminders", tag = "supervision", params(Paging),
    responses((status = 200, description = "`{\"items\": [ReminderDto], \"total\": N}`", body = Object),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(crate) async fn my_reminders(
    State(state): State<AppState>,
    principal: Principal,
    QueryOf(paging): QueryOf<Paging>,
) -> Result<Json<Paged<ReminderDto>>, AppError> {
    // A person's reminders are few (those about their own measures): read, then paged.
    let reminders = supervision::reminders_for(&state, &principal).await?;
    let total = reminders.len() as u64;
    let items = paging
        .slice(&reminders)
        .into_iter()
        .map(|r| ReminderDto {
            id: r.id,
            measure_id: r.measure_id,
            from: r.from_name,
            message: r.message,
            sent_at: r.sent_at,
        })
        .collect();
    Ok(Json(Paged { items, total }))
}

/// One overdue or at-risk measure.
#[derive(Debug, Serialize, ToSchema)]
pub struct FlaggedDto {
    pub measure_id: i64,
    pub problem_id: i64,
    /// `red` (overdue), `yellow`, `green`.
    pub light: String,
    pub deadline: Option<String>,
    pub leader: Option<String>,
    pub departments: Vec<String>,
}

/// Counts of flagged measures for one leader or department.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct LightCounts {
    pub name: String,
    pub red: u32,
    pub yellow: u32,
    pub green: u32,
}

/// Supervision (督办) of one inspection.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupervisionDto {
    pub inspection_id: i64,
    pub unit: Option<String>,
    pub today: String,
    pub measures: Vec<FlaggedDto>,
    pub by_leader: Vec<LightCounts>,
    pub by_department: Vec<LightCounts>,
}

fn count_into(list: &mut Vec<LightCounts>, name: &str, light: Light) {
    let index = match list.iter().position(|c| c.name == name) {
        Some(i) => i,
        None => {
            list.push(LightCounts { name: name.to_owned(), ..LightCounts::default() });
            list.len() - 1
        }
    };
    if let Some(c) = list.get_mut(index) {
        match light {
            Light::Red => c.red += 1,
            Light::Yellow => c.yellow += 1,
            Light::Green => c.green += 1,
            Light::None | Light::Grey => {}
        }
    }
}

/// Overdue and at-risk measures of an inspection, by leader and by department (within scope).
#[utoipa::path(get, path = "/api/inspections/{id}/supervision", tag = "supervision",
    params(("id" = i64, Path, description = "Inspection id")),
    responses((status = 200, body = SupervisionDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub(crate) async fn supervision(
    State(state): State<AppState>,
    principal: Principal,
    id: InspectionId,
) -> Result<Json<SupervisionDto>, AppError> {
    let found = supervision::supervision(&state, &principal, id).await?;
    let mut dto = SupervisionDto {
        inspection_id: found.inspection_id,
        unit: found.unit,
        today: found.today.to_string(),
        measures: Vec::new(),
        by_leader: Vec::new(),
        by_department: Vec::new(),
    };
    for flagged in found.measures {
        count_into(&mut dto.by_leader, flagged.leader.as_deref().unwrap_or("未明确"), flagged.light);
        for d in &flagged.departments {
            count_into(&mut dto.by_department, d, flagged.light);
        }
        dto.measures.push(FlaggedDto {
            measure_id: flagged.measure_id,
            problem_id: flagged.problem_id,
            light: flagged.light.as_str().to_owned(),
            deadline: flagged.deadline,
            leader: flagged.leader,
            departments: flagged.departments,
        });
    }
    Ok(Json(dto))
}
