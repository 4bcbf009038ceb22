//! Search over the API.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::params::SearchParams;
use crate::error::AppError;
use crate::http::error::ErrorBody;
use crate::http::extract::QueryOf;
use crate::service::session::Principal;
use crate::service::{AppState, search as service};

/// One hit.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHitDto {
    /// problem, measure, progress, evidence or feedback.
    pub kind: String,
    /// The id of the problem, measure, progress entry, evidence or feedback.
    pub id: i64,
    pub inspection_id: Option<i64>,
    pub unit: Option<String>,
    /// The problem's title (for a problem, measure or progress hit), the evidence's name or the
    /// feedback's subject.
    pub title: String,
    /// Plain text around the words found.
    pub snippet: String,
    /// The words found in `snippet`, as `[start, end)` character offsets.
    pub highlights: Vec<[usize; 2]>,
    pub problem_id: Option<i64>,
    pub measure_id: Option<i64>,
}

/// A page of hits and how many there are.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchPageDto {
    pub items: Vec<SearchHitDto>,
    /// How many hits, counted up to 10,000 (then 10,000 and `total_exact` false: narrow the
    /// query; pages end there).
    pub total: u64,
    pub total_exact: bool,
}

pub(crate) fn dto(hits: Vec<service::Hit>, total: u64) -> SearchPageDto {
    let items = hits
        .into_iter()
        .map(|h| SearchHitDto {
            kind: h.kind.as_str().to_owned(),
            id: h.id,
            inspection_id: h.inspection_id,
            snippet: h.snippet_text(),
            highlights: h.highlights(),
            problem_id: h.problem_id,
            measure_id: h.measure_id,
            unit: h.unit,
            title: h.title,
        })
        .collect();
    let (total, total_exact) = service::shown_total(total);
    SearchPageDto { items, total, total_exact }
}

/// The API's answer over everything stored, for the command line.
pub(crate) async fn everything(
    state: &AppState,
    text: &str,
    limit: Option<u64>,
    offset: Option<u64>,
) -> Result<serde_json::Value, AppError> {
    let params = SearchParams { q: Some(text.to_owned()), limit, offset, ..SearchParams::default() };
    let (hits, total) = service::search_everything(state, &params.request()?).await?;
    serde_json::to_value(dto(hits, total)).map_err(|e| AppError::Internal(e.to_string()))
}

/// Full-text search within the caller's data scope: hits must hold every word of `q`
/// (segmented as Chinese), problems first, then measures, progress, evidence and feedback.
#[utoipa::path(get, path = "/api/search", tag = "search", params(SearchParams),
    responses((status = 200, body = SearchPageDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(crate) async fn search(
    State(state): State<AppState>,
    principal: Principal,
    QueryOf(params): QueryOf<SearchParams>,
) -> Result<Json<SearchPageDto>, AppError> {
    let request = params.request()?;
    let (hits, total) = service::search(&state, &principal, &request).await?;
    Ok(Json(dto(hits, total)))
}
