//! The office's page of a round's common problems: each cluster with its problems and units.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use minijinja::{Value, context};
use rectify_domain::Status;

use super::params::ClusterParams;
use crate::error::AppError;
use crate::http::extract::QueryOf;
use crate::http::page::PageContext;
use crate::ids::RoundId;
use crate::render::{Crumb, render};
use crate::service::session::Principal;
use crate::service::{AppState, common_problems, rounds};

/// `GET /rounds/{id}/common-problems`.
pub(crate) async fn common_problems(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    Path(id): Path<String>,
    QueryOf(params): QueryOf<ClusterParams>,
) -> Result<Response, AppError> {
    let id = RoundId::parse(&id)?.get();
    let threshold = params.threshold()?;
    let round = rounds::round(&state, id).await?;
    let clusters = common_problems::of_round(&state, &principal, id, threshold).await?;
    let rows: Vec<Value> = clusters
        .iter()
        .map(|c| {
            let members: Vec<Value> = c
                .problems
                .iter()
                .map(|p| {
                    context! {
                        id => p.problem_id,
                        unit => p.unit.clone().unwrap_or_else(|| format!("巡察台账{}", p.inspection_id)),
                        title => p.title.clone(),
                        status => Status::from_name(&p.status).map_or("未知", Status::label_zh),
                    }
                })
                .collect();
            context! { title => c.title.clone(), problems => c.problems.len(), units => c.units, members }
        })
        .collect();
    let title = format!("{} · 共性问题", round.name);
    let chrome = page.chrome(
        "rounds",
        &title,
        vec![
            Crumb::link("首页", "/"),
            Crumb::link("巡察轮次", "/rounds"),
            Crumb::link(round.name.clone(), format!("/rounds/{id}")),
            Crumb::here("共性问题"),
        ],
        None,
    );
    let fields = context! {
        id,
        name => round.name,
        clusters => rows,
        threshold => format!("{threshold}"),
    };
    Ok(render("common_problems.html", &chrome, fields)?.into_response())
}
