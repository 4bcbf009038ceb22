//! The results page of a search (`/search`): the form with its filters, one hit a row linking
//! to its problem, measure or feedback, the words found marked, paged.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use minijinja::{Value, context};
use rectify_domain::Status;
use rectify_storage::SearchKind;

use super::params::SearchParams;
use crate::error::AppError;
use crate::http::extract::{Paging, QueryOf};
use crate::http::page::PageContext;
use crate::render::{Crumb, render};
use crate::service::session::Principal;
use crate::service::{AppState, rounds, scope, search as service};

/// Hits per page.
const PER_PAGE: u64 = 20;

fn kind_zh(kind: SearchKind) -> &'static str {
    match kind {
        SearchKind::Problem => "问题",
        SearchKind::Measure => "整改措施",
        SearchKind::Progress => "整改进展",
        SearchKind::Evidence => "佐证材料",
        SearchKind::Feedback => "群众意见",
    }
}

/// `GET /search?q=…`: the hits within the account's scope.
pub(crate) async fn search(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    QueryOf(mut params): QueryOf<SearchParams>,
) -> Result<Response, AppError> {
    params.limit = Some(PER_PAGE);
    let request = params.request()?;
    let searched = !request.text.is_empty();
    let (hits, total) = if searched { service::search(&state, &principal, &request).await? } else { (Vec::new(), 0) };
    let rows: Vec<Value> = hits
        .iter()
        .map(|h| {
            let pieces: Vec<Value> =
                h.snippet.iter().map(|p| context! { text => p.text.clone(), found => p.found }).collect();
            context! {
                kind => kind_zh(h.kind),
                title => h.title.clone(),
                unit => h.unit.clone(),
                inspection_id => h.inspection_id,
                href => h.href(),
                pieces,
            }
        })
        .collect();
    let all_rounds = if scope::sees_every_unit(&principal) {
        rounds::list(&state, Paging { limit: Some(500), offset: None }.page()).await?.0
    } else {
        rounds::visible(&state, &principal).await?
    };
    let round_options: Vec<Value> =
        all_rounds.iter().map(|r| context! { id => r.id, name => r.name.clone() }).collect();
    let kinds: Vec<Value> =
        SearchKind::ALL.iter().map(|k| context! { value => k.as_str(), label => kind_zh(*k) }).collect();
    let statuses: Vec<Value> =
        Status::ALL.iter().map(|s| context! { value => s.as_str(), label => s.label_zh() }).collect();
    let offset = request.page.offset;
    let (total, total_exact) = service::shown_total(total);
    let chrome = page.chrome("search", "全文检索", vec![Crumb::link("首页", "/"), Crumb::here("全文检索")], None);
    let fields = context! {
        q => request.text,
        searched,
        total,
        total_exact,
        rows,
        from => offset + 1,
        to => offset + hits.len() as u64,
        prev => (offset > 0).then(|| offset.saturating_sub(PER_PAGE)),
        next => (offset + PER_PAGE < total).then_some(offset + PER_PAGE),
        round => request.round,
        inspection => request.inspection,
        kind => request.kind.map(SearchKind::as_str),
        status => request.status.map(Status::as_str),
        round_options,
        kinds,
        statuses,
    };
    Ok(render("search.html", &chrome, fields)?.into_response())
}
