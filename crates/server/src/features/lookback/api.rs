//! Look-back (回头看) over the API: scheduling a reproducible sample, recording each result.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use rectify_storage::LookbackResult;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::http::error::ErrorBody;
use crate::http::extract::JsonBody;
use crate::ids::{InspectionId, LookbackItemId};
use crate::service::session::Principal;
use crate::service::{AppState, lookback};

/// A look-back (回头看) to schedule.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LookbackRequest {
    /// `YYYY-MM-DD`.
    pub scheduled_for: String,
    pub sample_size: u32,
    /// The seed of the reproducible draw; by default the inspection id and the current instant.
    #[serde(default)]
    pub seed: Option<String>,
}

/// Schedules a look-back of a reproducible sample of closed problems.
#[utoipa::path(post, path = "/api/inspections/{id}/lookbacks", tag = "lookback", request_body = LookbackRequest,
    params(("id" = i64, Path, description = "Inspection id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses((status = 201, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn schedule_lookback(
    State(state): State<AppState>,
    principal: Principal,
    id: InspectionId,
    JsonBody(request): JsonBody<LookbackRequest>,
) -> Result<(StatusCode, Json<rectify_storage::Lookback>), AppError> {
    let date: NaiveDate = request
        .scheduled_for
        .trim()
        .parse()
        .map_err(|_| AppError::Invalid("scheduled_for must be YYYY-MM-DD".into()))?;
    let seed = request.seed.unwrap_or_else(|| format!("{id}-{}", state.now().to_rfc3339()));
    let lookback = lookback::schedule(&state, &principal, id, date, request.sample_size, &seed).await?;
    Ok((StatusCode::CREATED, Json(lookback)))
}

/// What the second look found.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LookbackResultRequest {
    /// `consolidated` (巩固) or `relapsed` (反弹: reopens the problem).
    pub result: String,
    #[serde(default)]
    pub note: String,
}

/// Records the result of one look-back item.
#[utoipa::path(post, path = "/api/lookback-items/{id}", tag = "lookback", request_body = LookbackResultRequest,
    params(("id" = i64, Path, description = "Look-back item id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses((status = 204, description = "Recorded"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn record_lookback(
    State(state): State<AppState>,
    principal: Principal,
    id: LookbackItemId,
    JsonBody(request): JsonBody<LookbackResultRequest>,
) -> Result<StatusCode, AppError> {
    let result = match request.result.as_str() {
        "consolidated" => LookbackResult::Consolidated,
        "relapsed" => LookbackResult::Relapsed,
        other => return Err(AppError::Invalid(format!("result must be consolidated or relapsed, not {other:?}"))),
    };
    lookback::record(&state, &principal, id, result, &request.note).await?;
    Ok(StatusCode::NO_CONTENT)
}
