//! 审计日志: the audit administrator's page over the trail, with filters, the CSV export and the
//! check of the chain.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use minijinja::context;

use super::api::AuditQuery;
use crate::error::AppError;
use crate::http::extract::form_field as field;
use crate::http::page::PageContext;
use crate::render::{Crumb, format, labels, render, ser};
use crate::service::{AppState, audit};

/// `GET /audit`: the audit trail with filters, CSV export and the chain check.
pub(crate) async fn audit(
    State(state): State<AppState>,
    context: PageContext,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, AppError> {
    let pairs = query.map(|Query(q)| q).unwrap_or_default();
    let text = |name: &str| field(&pairs, name).map(str::to_owned);
    let f = AuditQuery {
        actor: text("actor").and_then(|v| v.parse().ok()),
        action: text("action"),
        target_kind: text("target_kind"),
        target_id: text("target_id"),
        from: text("from"),
        until: text("until"),
        offset: text("offset").and_then(|v| v.parse().ok()),
        limit: text("limit").and_then(|v| v.parse().ok()),
    };
    let filter = f.filter()?;
    let page = f.page();
    let entries = audit::list(&state, &filter, page).await?;
    // People by their names, as the log's readers know them; the login name stays beside.
    let people = audit::People::of(&state, &entries).await?;
    let rows: Vec<minijinja::Value> = entries
        .iter()
        .map(|e| {
            context! {
                seq => e.seq,
                at => format::beijing(&e.at, false),
                person => people.name(e),
                login => e.actor_name.clone(),
                address => e.address.clone(),
                action => labels::action_zh(&e.action),
                code => e.action.clone(),
                target => labels::target_zh(&e.target_kind).to_owned(),
                target_id => e.target_id.clone(),
                result => labels::result_zh(&e.result),
            }
        })
        .collect();
    let verified = match text("verify") {
        Some(_) => Some(ser(super::api::verify(&state).await?)),
        None => None,
    };
    let mut pairs: Vec<(&str, String)> = Vec::new();
    for (key, value) in [
        ("action", &f.action),
        ("target_kind", &f.target_kind),
        ("target_id", &f.target_id),
        ("from", &f.from),
        ("until", &f.until),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            pairs.push((key, v.to_owned()));
        }
    }
    if let Some(actor) = f.actor {
        pairs.push(("actor", actor.to_string()));
    }
    let qs = pairs.iter().map(|(k, v)| format!("{k}={}", format::encode(v))).collect::<Vec<_>>().join("&");
    let next_offset = (entries.len() == page.limit as usize).then(|| page.offset + u64::from(page.limit));
    let chrome = context.chrome("audit", "审计日志", vec![Crumb::link("首页", "/"), Crumb::here("审计日志")], None);
    let ctx = context! {
        entries => rows,
        q => context! {
            action => f.action.clone(), target_kind => f.target_kind.clone(), target_id => f.target_id.clone(),
            from => f.from.clone(), until => f.until.clone(), actor => f.actor,
        },
        export_href => if qs.is_empty() { "/api/audit/export.csv".to_owned() } else { format!("/api/audit/export.csv?{qs}") },
        verify_href => if qs.is_empty() { "/audit?verify=1".to_owned() } else { format!("/audit?{qs}&verify=1") },
        next_href => next_offset.map(|o| if qs.is_empty() { format!("/audit?offset={o}") } else { format!("/audit?{qs}&offset={o}") }),
        verified,
    };
    Ok(render("audit.html", &chrome, ctx)?.into_response())
}
