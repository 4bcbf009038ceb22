//! The closure workflow over the API: steps on measures under optimistic locking, progress with
//! evidence uploads, evidence downloads, problem closure and reopening.

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rectify_domain::workflow::Action;
use rectify_storage::MeasureWorkflowView;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::http::error::ErrorBody;
use crate::http::extract::JsonBody;
use crate::ids::{MeasureId, ProblemId};
use crate::service::session::Principal;
use crate::service::{AppState, workflow};

/// A step with the version the caller saw.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ActionRequest {
    /// `start`, `mark_basically_completed`, `resume`, `claim`, `approve` (optional `comment`,
    /// 审核意见, kept in the measure's history), `send_back` (needs `reason`),
    /// `request_extension` (needs `new_deadline`, `reason`), `approve_extension` (optional
    /// `comment`), `decline_extension` (needs `reason`), `declare_long_term`, `close_stage`,
    /// `close_long_term`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub action: Action,
    /// The `version` of the measure's workflow as last read.
    pub version: i64,
}

/// Takes one step of the closure (销号) workflow on a measure.
#[utoipa::path(post, path = "/api/measures/{id}/actions", tag = "workflow", request_body = ActionRequest,
    params(("id" = i64, Path, description = "Measure id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 200, description = "The measure's workflow after the step", body = Object),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Stale version; `current_version` says the current one", body = ErrorBody),
        (status = 422, description = "The rules refuse the step (English and Chinese message)", body = ErrorBody)
    ))]
pub(crate) async fn measure_action(
    State(state): State<AppState>,
    principal: Principal,
    id: MeasureId,
    JsonBody(request): JsonBody<ActionRequest>,
) -> Result<Json<MeasureWorkflowView>, AppError> {
    Ok(Json(workflow::apply_action(&state, &principal, id, request.action, request.version).await?))
}

/// Reports progress on a measure, optionally with one evidence file (multipart: `version`,
/// `text`, `date`, `file`, `title`, `kind`). The file's type is decided by its content (PDF,
/// images, Word, Excel); it is stored outside the web root under its SHA-256.
#[utoipa::path(post, path = "/api/measures/{id}/progress", tag = "workflow",
    params(("id" = i64, Path, description = "Measure id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    request_body(content_type = "multipart/form-data", content = Object),
    responses(
        (status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, description = "The file is too large", body = ErrorBody),
        (status = 415, description = "The file's content is not an accepted type", body = ErrorBody)
    ))]
pub(crate) async fn add_progress(
    State(state): State<AppState>,
    principal: Principal,
    id: MeasureId,
    multipart: Multipart,
) -> Result<Json<MeasureWorkflowView>, AppError> {
    let input = super::form::read_progress_form(multipart).await?;
    Ok(Json(workflow::record_progress(&state, &principal, id, input).await?))
}

/// Downloads an evidence file, only for accounts that may see a measure it belongs to.
#[utoipa::path(get, path = "/api/evidence/{sha256}", tag = "workflow",
    params(("sha256" = String, Path, description = "The file's SHA-256 (64 hex digits)")),
    responses(
        (status = 200, description = "The file, as an attachment", content_type = "application/octet-stream"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)
    ))]
pub(crate) async fn evidence(
    State(state): State<AppState>,
    Path(sha256): Path<String>,
    uri: Uri,
) -> Result<Response, AppError> {
    // `?inline=1` shows an image or a PDF in the browser (evidence preview); anything else is
    // always downloaded.
    let wants_inline = uri.query().is_some_and(|q| q.split('&').any(|p| p == "inline=1"));
    let sha256 = sha256.to_ascii_lowercase();
    let (bytes, media_type) = workflow::evidence_file(&state, &sha256).await?;
    let extension = match media_type {
        "application/pdf" => "pdf",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        t if t.contains("wordprocessingml") => "docx",
        t if t.contains("spreadsheetml") => "xlsx",
        _ => "bin",
    };
    let short = sha256.get(..12).unwrap_or(&sha256);
    let inline = wants_inline && (media_type == "application/pdf" || media_type.starts_with("image/"));
    let disposition =
        format!("{}; filename=\"evidence-{short}.{extension}\"", if inline { "inline" } else { "attachment" });
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if inline {
        // An uploaded file shown in the browser runs no script and reaches nothing of the site.
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; default-src 'none'"));
    }
    Ok(response)
}

/// Closes (销号) a problem whose measures are all closed: the inspection office.
#[utoipa::path(post, path = "/api/problems/{id}/close", tag = "workflow",
    params(("id" = i64, Path, description = "Problem id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses((status = 204, description = "Closed"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, description = "Measures are still open", body = ErrorBody)))]
pub(crate) async fn close_problem(
    State(state): State<AppState>,
    principal: Principal,
    id: ProblemId,
) -> Result<StatusCode, AppError> {
    workflow::close_problem(&state, &principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Why a closed problem is reopened.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReasonRequest {
    pub reason: String,
}

/// Reopens a closed problem (反弹) with its closed measures: the inspection office.
#[utoipa::path(post, path = "/api/problems/{id}/reopen", tag = "workflow", request_body = ReasonRequest,
    params(("id" = i64, Path, description = "Problem id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses((status = 200, description = "How many measures were reopened", body = Object),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn reopen_problem(
    State(state): State<AppState>,
    principal: Principal,
    id: ProblemId,
    JsonBody(request): JsonBody<ReasonRequest>,
) -> Result<Json<serde_json::Value>, AppError> {
    let reopened = workflow::reopen_problem(&state, &principal, id, &request.reason).await?;
    Ok(Json(serde_json::json!({ "problem_id": id, "measures_reopened": reopened })))
}
