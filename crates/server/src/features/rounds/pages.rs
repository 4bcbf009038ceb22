//! 巡察轮次 in the browser: the rounds, and the overview of every unit of a round — the furthest
//! behind first, totals on top, each unit a link into its ledger.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use minijinja::{Value, context};

use super::figures::{percent, percent_text, ranked, round_id, totals};
use crate::error::AppError;
use crate::http::extract::Paging;
use crate::http::page::PageContext;
use crate::render::{Crumb, render};
use crate::service::session::Principal;
use crate::service::{AppState, rounds, scope};

/// `GET /rounds`: the rounds the account sees.
pub(crate) async fn list(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
) -> Result<Response, AppError> {
    let all = if scope::sees_every_unit(&principal) {
        rounds::list(&state, Paging { limit: Some(500), offset: None }.page()).await?.0
    } else {
        rounds::visible(&state, &principal).await?
    };
    let items: Vec<Value> =
        all.iter().map(|r| context! { id => r.id, name => r.name.clone(), units => r.inspections }).collect();
    let chrome = page.chrome("rounds", "巡察轮次", vec![Crumb::link("首页", "/"), Crumb::here("巡察轮次")], None);
    Ok(render("rounds.html", &chrome, context! { rounds => items })?.into_response())
}

/// `GET /rounds/{id}`: every unit of the round the account sees.
pub(crate) async fn overview(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = round_id(&id)?;
    let round = rounds::round(&state, id).await?;
    let units = ranked(rounds::units(&state, &principal, id).await?);
    let (count, problems, closed) = totals(&units);
    let red: u32 = units.iter().map(|u| u.red).sum();
    let yellow: u32 = units.iter().map(|u| u.yellow).sum();
    let awaiting: u32 = units.iter().map(|u| u.awaiting_verification).sum();
    let rows: Vec<Value> = units
        .iter()
        .map(|u| {
            context! {
                id => u.inspection_id,
                name => u.unit.clone().or_else(|| u.title.clone()).unwrap_or_else(|| format!("巡察台账{}", u.inspection_id)),
                problems => u.problems,
                closed => u.closed,
                in_progress => u.problems.saturating_sub(u.closed),
                rate => percent_text(u.closed, u.problems),
                rate_value => percent(u.closed, u.problems).unwrap_or(0.0),
                red => u.red,
                yellow => u.yellow,
                awaiting => u.awaiting_verification,
                last_progress => u.last_progress.clone(),
            }
        })
        .collect();
    let title = format!("{} · 整改进展总览", round.name);
    let chrome = page.chrome(
        "rounds",
        &title,
        vec![Crumb::link("首页", "/"), Crumb::link("巡察轮次", "/rounds"), Crumb::here(round.name.clone())],
        None,
    );
    let fields = context! {
        id,
        name => round.name,
        rows,
        totals => context! { units => count, problems, closed, rate => percent_text(closed, problems), red, yellow, awaiting },
    };
    Ok(render("round.html", &chrome, fields)?.into_response())
}
