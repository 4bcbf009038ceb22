//! Unit indicators over the API.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::AppError;
use crate::http::error::ErrorBody;
use crate::http::extract::{JsonBody, Paging, QueryOf};
use crate::http::paged::Paged;
use crate::ids::{IndicatorId, InspectionId};
use crate::service::AppState;
use crate::service::indicators::{self, IndicatorInput, ReadingInput};
use crate::service::session::Principal;

/// A reading of an indicator.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadingDto {
    pub id: i64,
    /// YYYY-MM-DD.
    pub date: String,
    /// The value as a decimal string (at most four places), e.g. "85.71".
    pub value: String,
    pub note: Option<String>,
}

/// An indicator with its readings, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorDto {
    pub id: i64,
    pub inspection_id: i64,
    pub name: String,
    /// %, 个, 万元….
    pub unit_of_measure: String,
    pub baseline: String,
    pub target: Option<String>,
    /// The latest reading's value.
    pub latest: Option<String>,
    /// The latest reading against the baseline, e.g. "+15.71个百分点".
    pub change: Option<String>,
    /// The sentence reports print.
    pub sentence: String,
    pub readings: Vec<ReadingDto>,
}

/// A number typed as JSON number or string.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum NumberText {
    Number(serde_json::Number),
    Text(String),
}

impl NumberText {
    fn text(&self) -> String {
        match self {
            NumberText::Number(n) => n.to_string(),
            NumberText::Text(t) => t.clone(),
        }
    }
}

/// A new indicator.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IndicatorRequest {
    pub name: String,
    pub unit_of_measure: String,
    /// 整改前: a number or a decimal string, at most four places.
    #[schema(value_type = String)]
    pub baseline: NumberText,
    /// 目标值 (optional).
    #[schema(value_type = Option<String>)]
    pub target: Option<NumberText>,
}

/// A new reading.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReadingRequest {
    /// YYYY-MM-DD, not after today.
    pub date: String,
    /// A number or a decimal string, at most four places.
    #[schema(value_type = String)]
    pub value: NumberText,
    /// 说明 (optional, at most 500 characters).
    pub note: Option<String>,
}

pub(crate) fn dto(record: rectify_storage::IndicatorRecord) -> IndicatorDto {
    let summary = indicators::summary(&record);
    IndicatorDto {
        id: record.id,
        inspection_id: record.inspection_id,
        latest: summary.latest.map(|(_, v)| v.to_string()),
        change: summary.change(),
        sentence: summary.sentence(),
        name: record.fields.name,
        unit_of_measure: record.fields.unit_of_measure,
        baseline: record.fields.baseline.to_string(),
        target: record.fields.target.map(|t| t.to_string()),
        readings: record
            .readings
            .into_iter()
            .map(|r| ReadingDto { id: r.id, date: r.date.to_string(), value: r.value.to_string(), note: r.note })
            .collect(),
    }
}

/// A unit's indicators (整改指标), in the order they were added.
#[utoipa::path(get, path = "/api/inspections/{id}/indicators", tag = "inspections",
    params(("id" = i64, Path, description = "Inspection id"), Paging),
    responses((status = 200, description = "`{\"items\": [IndicatorDto], \"total\": N}`", body = Object),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    Path(id): Path<String>,
    QueryOf(paging): QueryOf<Paging>,
) -> Result<Json<Paged<IndicatorDto>>, AppError> {
    let id = InspectionId::parse(&id)?.get();
    let all = indicators::of_inspection(&state, id).await?;
    let total = all.len() as u64;
    Ok(Json(Paged { items: paging.slice(&all).into_iter().map(dto).collect(), total }))
}

/// Adds an indicator to a unit (its liaison; audited as `indicator.create`).
#[utoipa::path(post, path = "/api/inspections/{id}/indicators", tag = "inspections", request_body = IndicatorRequest,
    params(("id" = i64, Path, description = "Inspection id")),
    responses((status = 201, body = IndicatorDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<IndicatorRequest>,
) -> Result<(axum::http::StatusCode, Json<IndicatorDto>), AppError> {
    let inspection = InspectionId::parse(&id)?.get();
    let input = IndicatorInput {
        name: body.name,
        unit_of_measure: body.unit_of_measure,
        baseline: body.baseline.text(),
        target: body.target.map(|t| t.text()),
    };
    let new = indicators::create(&state, &principal, inspection, &input).await?;
    one(&state, inspection, new).await.map(|d| (axum::http::StatusCode::CREATED, d))
}

async fn one(state: &AppState, inspection: i64, id: i64) -> Result<Json<IndicatorDto>, AppError> {
    let record = indicators::of_inspection(state, inspection)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| AppError::not_found("indicator", id))?;
    Ok(Json(dto(record)))
}

/// Records a dated reading of an indicator (the unit's liaison; audited as `indicator.reading`);
/// answers the indicator.
#[utoipa::path(post, path = "/api/indicators/{id}/readings", tag = "inspections", request_body = ReadingRequest,
    params(("id" = i64, Path, description = "Indicator id")),
    responses((status = 201, body = IndicatorDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn add_reading(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ReadingRequest>,
) -> Result<(axum::http::StatusCode, Json<IndicatorDto>), AppError> {
    let indicator = IndicatorId::parse(&id)?.get();
    let input = ReadingInput { date: body.date, value: body.value.text(), note: body.note };
    let (_, inspection) = indicators::add_reading(&state, &principal, indicator, &input).await?;
    one(&state, inspection, indicator).await.map(|d| (axum::http::StatusCode::CREATED, d))
}
