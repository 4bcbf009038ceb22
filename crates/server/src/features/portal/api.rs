//! Publishing over the API, as in the pages: first the preview (the public version as it would
//! be published now, with its fingerprint), then the publication that confirms it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::AppError;
use crate::http::error::ErrorBody;
use crate::http::extract::JsonBody;
use crate::ids::InspectionId;
use crate::service::session::Principal;
use crate::service::{AppState, portal};

/// The public version of an inspection's report as publishing it now would freeze it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicationPreviewDto {
    pub inspection_id: i64,
    pub unit: String,
    pub title: String,
    /// The complete public HTML page (the public page shows its `<main>`).
    pub body_html: String,
    pub body_markdown: String,
    /// Send it back as `confirm` to publish exactly this.
    pub fingerprint: String,
}

/// Previews the public report of an inspection (nothing is published).
#[utoipa::path(get, path = "/api/inspections/{id}/publication-preview", tag = "portal",
    params(("id" = i64, Path, description = "Inspection id")),
    responses(
        (status = 200, body = PublicationPreviewDto),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "The ledger names no unit", body = ErrorBody)
    ))]
pub(crate) async fn preview(
    State(state): State<AppState>,
    id: InspectionId,
) -> Result<Json<PublicationPreviewDto>, AppError> {
    let p = portal::render_publication(&state, id.get()).await?;
    let fingerprint = portal::fingerprint(&p);
    Ok(Json(PublicationPreviewDto {
        inspection_id: p.inspection_id,
        unit: p.unit,
        title: p.title,
        body_html: p.body_html,
        body_markdown: p.body_markdown,
        fingerprint,
    }))
}

/// The confirmation of a previewed report.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PublishRequest {
    /// The `fingerprint` of the preview being confirmed.
    pub confirm: String,
}

/// A published report.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublishedDto {
    pub id: i64,
    /// The public page.
    pub url: String,
}

/// Publishes the previewed report (公开发布), if it is still what the preview showed.
#[utoipa::path(post, path = "/api/inspections/{id}/publications", tag = "portal", request_body = PublishRequest,
    params(("id" = i64, Path, description = "Inspection id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses(
        (status = 201, body = PublishedDto),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "The report differs from the preview (preview again), or the ledger names no unit", body = ErrorBody)
    ))]
pub(crate) async fn publish(
    State(state): State<AppState>,
    principal: Principal,
    id: InspectionId,
    JsonBody(request): JsonBody<PublishRequest>,
) -> Result<(StatusCode, Json<PublishedDto>), AppError> {
    match portal::publish_confirmed(&state, &principal, id, &request.confirm).await? {
        portal::Confirmation::Published(id) => {
            Ok((StatusCode::CREATED, Json(PublishedDto { id, url: format!("/public/reports/{id}") })))
        }
        portal::Confirmation::Changed => Err(AppError::refused(
            "the report differs from the preview that was confirmed; preview it again",
            "通报内容与确认时预览的不一致（台账已有变化），请重新预览后再确认发布",
        )),
    }
}
