//! Rounds over the API: the list of rounds and the overview of every unit of one.

use axum::Json;
use axum::extract::{Path, State};
use rectify_storage::RoundUnit;
use serde::Serialize;
use utoipa::ToSchema;

use super::figures::{percent, ranked, round_id, totals};
use crate::error::AppError;
use crate::http::error::ErrorBody;
use crate::http::extract::{Paging, QueryOf};
use crate::http::paged::Paged;
use crate::service::session::Principal;
use crate::service::{AppState, rounds, scope};

/// A round and how many inspections (units) it holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoundDto {
    pub id: i64,
    pub name: String,
    pub inspections: u32,
}

/// One unit of a round.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitRowDto {
    pub inspection_id: i64,
    pub unit: Option<String>,
    /// Problems fed back.
    pub problems: u32,
    /// Problems closed (销号).
    pub closed: u32,
    /// Closed ÷ fed back, in percent with two decimals; null when nothing was fed back.
    pub completion_rate_percent: Option<f64>,
    /// Open measures past their deadline.
    pub overdue_measures: u32,
    pub red: u32,
    pub yellow: u32,
    /// Measures claimed closed and awaiting verification.
    pub awaiting_verification: u32,
    /// The date of the latest progress entry.
    pub last_progress: Option<String>,
}

/// The sums over the units shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotalsDto {
    pub units: u32,
    pub problems: u32,
    pub closed: u32,
    pub completion_rate_percent: Option<f64>,
}

/// Every unit of a round, the furthest behind first, with the totals.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverviewDto {
    pub units: Vec<UnitRowDto>,
    pub totals: TotalsDto,
}

fn row(u: &RoundUnit) -> UnitRowDto {
    UnitRowDto {
        inspection_id: u.inspection_id,
        unit: u.unit.clone().or_else(|| u.title.clone()),
        problems: u.problems,
        closed: u.closed,
        completion_rate_percent: percent(u.closed, u.problems),
        overdue_measures: u.red,
        red: u.red,
        yellow: u.yellow,
        awaiting_verification: u.awaiting_verification,
        last_progress: u.last_progress.clone(),
    }
}

/// The rounds whose units the account sees, by name.
#[utoipa::path(get, path = "/api/rounds", tag = "rounds", params(Paging),
    responses((status = 200, description = "`{\"items\": [RoundDto], \"total\": N}`", body = Object),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(crate) async fn list_rounds(
    State(state): State<AppState>,
    principal: Principal,
    QueryOf(paging): QueryOf<Paging>,
) -> Result<Json<Paged<RoundDto>>, AppError> {
    let dto = |r: rectify_storage::RoundSummary| RoundDto { id: r.id, name: r.name, inspections: r.inspections };
    if scope::sees_every_unit(&principal) {
        let (items, total) = rounds::list(&state, paging.page()).await?;
        return Ok(Json(Paged { items: items.into_iter().map(dto).collect(), total }));
    }
    let mine = rounds::visible(&state, &principal).await?;
    let total = mine.len() as u64;
    Ok(Json(Paged { items: paging.slice(&mine).into_iter().map(dto).collect(), total }))
}

/// Every unit of a round the account sees, the furthest behind first, with the totals.
#[utoipa::path(get, path = "/api/rounds/{id}/overview", tag = "rounds",
    params(("id" = i64, Path, description = "Round id")),
    responses((status = 200, body = OverviewDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn overview(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<OverviewDto>, AppError> {
    let id = round_id(&id)?;
    let units = ranked(rounds::units(&state, &principal, id).await?);
    let (count, problems, closed) = totals(&units);
    Ok(Json(OverviewDto {
        units: units.iter().map(row).collect(),
        totals: TotalsDto { units: count, problems, closed, completion_rate_percent: percent(closed, problems) },
    }))
}
