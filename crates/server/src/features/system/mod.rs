//! The system's own routes: liveness, the embedded assets.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::http::assets;
use crate::http::error::ErrorBody;
use crate::http::route::{Access::Public, Route, Target};
use crate::route;
use crate::service::AppState;

pub(crate) const ROUTES: &[Route] = &[
    route!(GET "/healthz", healthz, Public, Target::None, Api, doc = __path_healthz),
    route!(GET "/assets/{*path}", assets::serve, Public, Target::None, Page),
    route!(GET "/favicon.ico", assets::favicon, Public, Target::None, Page),
];

/// Answer of `/healthz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
    /// `sqlite` or `postgres`.
    #[schema(example = "sqlite")]
    pub database: String,
}

/// Liveness and database check.
#[utoipa::path(get, path = "/healthz", tag = "system",
    responses(
        (status = 200, description = "The server runs and the database answers", body = Health),
        (status = 500, description = "The database does not answer", body = ErrorBody)
    ))]
pub(crate) async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, AppError> {
    state.check_database().await?;
    Ok(Json(Health { status: "ok".to_string(), database: state.database_name().to_string() }))
}
