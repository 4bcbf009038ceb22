//! 一公开: the published spot-check rounds on the portal — the seed, the objects drawn, the
//! inspectors' names, the date and what the checks found. A round not published (or withdrawn)
//! answers 404 like one that does not exist. No citizen data is involved.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use rectify_domain::spot_check::Finding;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::http::extract::Paging;
use crate::ids::SpotRoundId;
use crate::render::format::{beijing, chinese_date};
use crate::render::{render_public, ser, site};
use crate::service::AppState;
use crate::service::spot_checks as spot;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    offset: Option<u64>,
}

#[derive(Debug, Serialize)]
struct RoundEntry {
    id: i64,
    unit: String,
    name: String,
    check_date: String,
    published: String,
    objects: u32,
}

/// `GET /public/spot-checks`: the published rounds, newest first.
pub(crate) async fn index(
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let offset = query.map(|Query(q)| q.offset).unwrap_or_default();
    let page = Paging { limit: Some(100), offset }.page();
    let (rounds, total) = spot::published(&state, page).await?;
    let entries: Vec<RoundEntry> = rounds
        .iter()
        .map(|r| RoundEntry {
            id: r.id,
            unit: r.unit.clone(),
            name: r.name.clone(),
            check_date: chinese_date(r.check_date),
            published: r.published_at.as_deref().map(|t| beijing(t, true)).unwrap_or_default(),
            objects: r.size.objects,
        })
        .collect();
    let next = (page.offset + u64::from(page.limit) < total).then(|| page.offset + u64::from(page.limit));
    let page = context! { site => ser(site("spot_checks", "双随机抽查公开")), mode => "list", rounds => ser(&entries), total, next };
    Ok(render_public("portal_spot_checks.html", page)?.into_response())
}

#[derive(Debug, Serialize)]
struct ItemEntry {
    position: usize,
    object_name: String,
    object_address: String,
    object_category: String,
    inspectors: String,
    outcome: &'static str,
    hazards: Vec<(String, String)>,
}

/// `GET /public/spot-checks/{id}`: one published round.
pub(crate) async fn round(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    let id = SpotRoundId::parse(&id).map_err(|_| AppError::not_found("spot-check round", &id))?.get();
    let round = spot::published_round(&state, id).await?;
    let f = spot::figures(&round);
    let items: Vec<ItemEntry> = round
        .items
        .iter()
        .enumerate()
        .map(|(n, i)| ItemEntry {
            position: n + 1,
            object_name: i.object_name.clone(),
            object_address: i.object_address.clone().unwrap_or_default(),
            object_category: i.object_category.clone().unwrap_or_default(),
            inspectors: i.inspector_names.join("、"),
            outcome: match &i.finding {
                None => "尚未检查",
                Some(Finding::Clear) => "未发现问题",
                Some(Finding::Hazards { .. }) => "发现问题",
            },
            hazards: i
                .finding
                .as_ref()
                .map(Finding::hazards)
                .unwrap_or_default()
                .iter()
                .map(|h| (h.text.clone(), chinese_date(h.deadline)))
                .collect(),
        })
        .collect();
    let page = context! {
        site => ser(site("spot_checks", round.name.clone())),
        mode => "round",
        unit => round.unit.clone(),
        name => round.name.clone(),
        check_date => chinese_date(round.check_date),
        published => round.published_at.as_deref().map(|t| beijing(t, true)),
        seed => round.draw.as_ref().map(|d| d.seed.clone()),
        candidate_objects => round.draw.as_ref().map(|d| d.candidates.objects.len()),
        candidate_inspectors => round.draw.as_ref().map(|d| d.candidates.inspectors.len()),
        per_object => round.size.inspectors_per_object,
        figures => ser(f),
        items => ser(&items),
        rectifying => round.inspection_id.is_some(),
    };
    Ok(render_public("portal_spot_checks.html", page)?.into_response())
}
