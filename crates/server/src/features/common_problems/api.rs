//! Common problems over the API.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::params::{ClusterParams, threshold_of};
use crate::error::AppError;
use crate::http::error::ErrorBody;
use crate::http::extract::{JsonBody, QueryOf};
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

/// The cluster to send to every unit of the round as a 举一反三 task.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CascadeDto {
    /// The cluster's title, as `GET /api/rounds/{id}/common-problems` gives it.
    pub title: String,
    /// The threshold the cluster was found at (default 0.5).
    pub threshold: Option<f64>,
}

/// What a send did.
#[derive(Debug, Serialize, ToSchema)]
pub struct CascadedDto {
    pub title: String,
    /// Units of the round (live ledgers the caller sees).
    pub units: usize,
    /// Units whose ledger received the task now.
    pub sent: usize,
    /// Units that had it already (sending again adds nothing).
    pub already: usize,
}

/// Sends a common problem to every unit of the round as a 举一反三 task: each unit's ledger gets,
/// in its aspect 举一反三 (added when missing), a problem titled after the cluster with a note of
/// where it came from (audited as `aspect.create` / `problem.create`). Idempotent.
#[utoipa::path(post, path = "/api/rounds/{id}/common-problems/cascade", tag = "rounds", request_body = CascadeDto,
    params(("id" = i64, Path, description = "Round id")),
    responses((status = 200, body = CascadedDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn cascade(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<CascadeDto>,
) -> Result<Json<CascadedDto>, AppError> {
    let id = RoundId::parse(&id)?.get();
    let threshold = threshold_of(body.threshold.map(|t| t.to_string()).as_deref())?;
    let outcome = common_problems::cascade(&state, &principal, id, threshold, &body.title).await?;
    Ok(Json(CascadedDto {
        title: body.title.trim().to_owned(),
        units: outcome.units,
        sent: outcome.sent,
        already: outcome.already,
    }))
}
