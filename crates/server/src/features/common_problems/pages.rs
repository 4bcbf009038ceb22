//! The office's page of a round's common problems: each cluster with its problems and units.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use minijinja::{Value, context};
use rectify_domain::Status;

use super::params::{CascadeParams, ClusterParams};
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
    let chrome =
        page.chrome("rounds", &title, Crumb::under_round(id, round.name.clone(), [Crumb::here("共性问题")]), None);
    let fields = context! {
        id,
        name => round.name,
        clusters => rows,
        threshold => format!("{threshold}"),
        manage => principal.may(&[rectify_auth::Permission::ManageRounds]),
    };
    Ok(render("common_problems.html", &chrome, fields)?.into_response())
}

/// The confirm step (or, after a send, its outcome) of sending a cluster to every unit.
async fn cascade_page(
    state: &AppState,
    principal: &Principal,
    page: &PageContext,
    id: i64,
    params: &CascadeParams,
    sent: Option<common_problems::CascadeOutcome>,
) -> Result<Response, AppError> {
    let threshold = params.threshold()?;
    let round = rounds::round(state, id).await?;
    let plan = common_problems::cascade_plan(state, principal, id, threshold, &params.title).await?;
    let pending: Vec<String> = plan
        .targets
        .iter()
        .filter(|t| !t.has_problem)
        .map(|t| t.unit.clone().unwrap_or_else(|| format!("巡察台账{}", t.inspection_id)))
        .collect();
    let chrome = page.chrome(
        "rounds",
        "举一反三下发",
        Crumb::under_round(
            id,
            round.name.clone(),
            [Crumb::link("共性问题", format!("/rounds/{id}/common-problems")), Crumb::here("举一反三下发")],
        ),
        None,
    );
    let fields = context! {
        id,
        name => round.name,
        title => plan.cluster.title.clone(),
        cluster_units => plan.cluster.units,
        cluster_problems => plan.cluster.problems.len(),
        threshold => format!("{threshold}"),
        units => plan.targets.len(),
        already => plan.targets.len() - pending.len(),
        pending,
        aspect => common_problems::CASCADE_ASPECT,
        sent => sent.map(|o| o.sent),
    };
    Ok(render("common_problems_cascade.html", &chrome, fields)?.into_response())
}

/// `GET /rounds/{id}/common-problems/cascade?title=…&threshold=…`: how many units will receive
/// the task, before the office sends it.
pub(crate) async fn confirm_cascade(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    Path(id): Path<String>,
    QueryOf(params): QueryOf<CascadeParams>,
) -> Result<Response, AppError> {
    let id = RoundId::parse(&id)?.get();
    cascade_page(&state, &principal, &page, id, &params, None).await
}

/// `POST /rounds/{id}/common-problems/cascade`: sends, then shows where the task now is.
pub(crate) async fn cascade(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    Path(id): Path<String>,
    Form(params): Form<CascadeParams>,
) -> Result<Response, AppError> {
    let id = RoundId::parse(&id)?.get();
    let threshold = params.threshold()?;
    let outcome = common_problems::cascade(&state, &principal, id, threshold, &params.title).await?;
    cascade_page(&state, &principal, &page, id, &params, Some(outcome)).await
}
