//! Rounds over the API: the list of rounds and the overview of every unit of one.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use rectify_storage::{RoundRecord, RoundUnit};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::figures::{OverviewQuery, percent, shown, totals};
use crate::error::AppError;
use crate::http::error::ErrorBody;
use crate::http::extract::{JsonBody, Paging, QueryOf};
use crate::http::paged::Paged;
use crate::ids::{InspectionId, RoundId};
use crate::service::rounds::RoundPatch;
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

/// Every unit of a round the account sees, the furthest behind first, with the totals (of the
/// units shown when a filter is given).
#[utoipa::path(get, path = "/api/rounds/{id}/overview", tag = "rounds",
    params(("id" = i64, Path, description = "Round id"), OverviewQuery),
    responses((status = 200, body = OverviewDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub(crate) async fn overview(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    QueryOf(query): QueryOf<OverviewQuery>,
) -> Result<Json<OverviewDto>, AppError> {
    let id = RoundId::parse(&id)?.get();
    let view = query.view()?;
    let units = shown(rounds::units(&state, &principal, id).await?, &view);
    let (count, problems, closed) = totals(&units);
    Ok(Json(OverviewDto {
        units: units.iter().map(row).collect(),
        totals: TotalsDto { units: count, problems, closed, completion_rate_percent: percent(closed, problems) },
    }))
}

/// One unit a group inspected.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupUnitDto {
    pub inspection_id: i64,
    pub unit: Option<String>,
}

/// An inspection group (巡察组) of a round.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupDto {
    pub name: String,
    /// 组长.
    pub leader: Option<String>,
    /// The units it inspected that the caller sees.
    pub units: Vec<GroupUnitDto>,
}

/// A round with its record: the committee that ran it, its groups and its dates.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoundDetailDto {
    pub id: i64,
    pub name: String,
    pub inspections: u32,
    /// The version a change names (409 with `current_version` when stale).
    pub version: i64,
    /// 派出巡察的党组织 or its leading group, e.g. 区委巡察工作领导小组.
    pub committee: Option<String>,
    /// The on-site inspection (进驻): first and last day, `YYYY-MM-DD` or coarser.
    pub start: Option<String>,
    pub end: Option<String>,
    /// 反馈日期.
    pub feedback_date: Option<String>,
    pub groups: Vec<GroupDto>,
}

/// The record as the caller may see it: group members outside the caller's scope left out.
async fn detail_dto(state: &AppState, principal: &Principal, r: RoundRecord) -> Result<RoundDetailDto, AppError> {
    let visible: HashMap<i64, Option<String>> = rounds::units(state, principal, r.id)
        .await?
        .into_iter()
        .map(|u| (u.inspection_id, u.unit.or(u.title)))
        .collect();
    let d = &r.details;
    Ok(RoundDetailDto {
        id: r.id,
        name: r.name,
        inspections: r.inspections,
        version: r.version,
        committee: d.committee().map(str::to_owned),
        start: d.start().map(|x| x.to_string()),
        end: d.end().map(|x| x.to_string()),
        feedback_date: d.feedback_date().map(|x| x.to_string()),
        groups: d
            .groups()
            .iter()
            .map(|g| GroupDto {
                name: g.name().to_owned(),
                leader: g.leader().map(str::to_owned),
                units: g
                    .units()
                    .iter()
                    .filter_map(|id| {
                        visible.get(id).map(|unit| GroupUnitDto { inspection_id: *id, unit: unit.clone() })
                    })
                    .collect(),
            })
            .collect(),
    })
}

/// One round with its record (committee, groups with their leaders and units, dates).
#[utoipa::path(get, path = "/api/rounds/{id}", tag = "rounds",
    params(("id" = i64, Path, description = "Round id")),
    responses((status = 200, body = RoundDetailDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub(crate) async fn round(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<RoundDetailDto>, AppError> {
    let id = RoundId::parse(&id)?.get();
    let record = rounds::record(&state, id).await?;
    Ok(Json(detail_dto(&state, &principal, record).await?))
}

/// Changes a round (the inspection office; audited as `round.update`): `version` (required) and
/// any of `name`, `committee`, `start`, `end`, `feedback_date` (`YYYY-MM-DD`, `YYYY-MM` or
/// `YYYY`; `null` clears) and `groups` (`[{"name", "leader", "units": [inspection ids]}]`,
/// replacing every group). Dates must be in order: start ≤ end ≤ feedback.
#[utoipa::path(patch, path = "/api/rounds/{id}", tag = "rounds",
    request_body(content = Object, description = "`version` and any of `name`, `committee`, `start`, `end`, `feedback_date`, `groups`"),
    params(("id" = i64, Path, description = "Round id"), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses((status = 200, body = RoundDetailDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Stale version; `current_version` says the current one", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub(crate) async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<RoundPatch>,
) -> Result<Json<RoundDetailDto>, AppError> {
    let id = RoundId::parse(&id)?.get();
    let record = rounds::update(&state, &principal, id, &patch).await?;
    Ok(Json(detail_dto(&state, &principal, record).await?))
}

/// The round to merge into.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MergeDto {
    pub into: i64,
}

/// What a merge did.
#[derive(Debug, Serialize, ToSchema)]
pub struct MergedDto {
    pub into: i64,
    /// Inspections moved.
    pub moved: u64,
}

/// The round an inspection moves to.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MoveDto {
    pub round_id: i64,
}

/// Where an inspection now is.
#[derive(Debug, Serialize, ToSchema)]
pub struct MovedDto {
    pub inspection_id: i64,
    pub round_id: i64,
}

/// Merges the round into another: its inspections move, the emptied round is removed (audited
/// as `round.merge`).
#[utoipa::path(post, path = "/api/rounds/{id}/merge", tag = "rounds", request_body = MergeDto,
    params(("id" = i64, Path, description = "The round that is merged away")),
    responses((status = 200, body = MergedDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn merge(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<MergeDto>,
) -> Result<Json<MergedDto>, AppError> {
    let from = RoundId::parse(&id)?.get();
    let into = RoundId::checked(body.into)?.get();
    let moved = rounds::merge(&state, &principal, from, into).await?;
    Ok(Json(MergedDto { into, moved }))
}

/// Moves an inspection to another round (audited as `inspection.move_round`).
#[utoipa::path(put, path = "/api/inspections/{id}/round", tag = "rounds", request_body = MoveDto,
    params(("id" = i64, Path, description = "Inspection id")),
    responses((status = 200, body = MovedDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub(crate) async fn move_inspection(
    State(state): State<AppState>,
    principal: Principal,
    id: InspectionId,
    JsonBody(body): JsonBody<MoveDto>,
) -> Result<Json<MovedDto>, AppError> {
    let into = RoundId::checked(body.round_id)?.get();
    rounds::move_inspection(&state, &principal, id.get(), into).await?;
    Ok(Json(MovedDto { inspection_id: id.get(), round_id: into }))
}
