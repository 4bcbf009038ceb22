//! Common problems over the API.

use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use utoipa::ToSchema;

use super::params::ClusterParams;
use crate::error::AppError;
use crate::http::error::ErrorBody;
use crate::http::extract::QueryOf;
use crate::ids::RoundId;
use crate::service::session::Principal;
use crate::service::{AppState, common_problems};

/// A member of a cluster.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterProblemDto {
    pub id: i64,
    pub inspection_id: i64,
    pub unit: Option<String>,
    pub title: String,
    pub status: String,
}

/// A cluster of alike problems across units.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterDto {
    /// The most typical member's title.
    pub title: String,
    /// How many problems.
    pub problems: usize,
    /// How many distinct units.
    pub units: usize,
    pub members: Vec<ClusterProblemDto>,
}

/// The clusters, largest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommonProblemsDto {
    pub clusters: Vec<ClusterDto>,
    /// The similarity threshold used.
    pub threshold: f64,
}

/// Problems shared by several units of a round (共性问题), clustered by the TF-IDF cosine of
/// their segmented titles; only the units the caller sees; most units first.
#[utoipa::path(get, path = "/api/rounds/{id}/common-problems", tag = "rounds",
    params(("id" = i64, Path, description = "Round id"), ClusterParams),
    responses((status = 200, body = CommonProblemsDto), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn common_problems(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    QueryOf(params): QueryOf<ClusterParams>,
) -> Result<Json<CommonProblemsDto>, AppError> {
    let id = RoundId::parse(&id)?.get();
    let threshold = params.threshold()?;
    let clusters = common_problems::of_round(&state, &principal, id, threshold).await?;
    let clusters = clusters
        .into_iter()
        .map(|c| ClusterDto {
            problems: c.problems.len(),
            units: c.units,
            members: c
                .problems
                .into_iter()
                .map(|p| ClusterProblemDto {
                    id: p.problem_id,
                    inspection_id: p.inspection_id,
                    unit: p.unit,
                    title: p.title,
                    status: p.status,
                })
                .collect(),
            title: c.title,
        })
        .collect();
    Ok(Json(CommonProblemsDto { clusters, threshold }))
}
