//! 首页 and 待办审核: every inspection the account sees with its headline figures (a card each,
//! or one row each when there are many), what needs the account now, and the review inbox.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use rectify_auth::Permission;
use rectify_domain::Rate;
use rectify_domain::roles::Role;
use rectify_storage::Snapshot;

use crate::error::AppError;
use crate::http::page::PageContext;
use crate::render::{Crumb, figures, format, render, rows, ser};
use crate::service::scope::sets::READ;
use crate::service::session::Principal;
use crate::service::{AppState, inbox, ledger, rounds, scope, supervision};

/// Up to this many inspections the home page shows a card for each; beyond, one table row each
/// (an inspection office watching dozens of units reads them side by side).
const CARDS_UP_TO: usize = 3;

/// Beyond this many units the home page summarises by round (巡察轮次) instead of one row per
/// unit: an office watching a province reads rounds, then a round's units on its own page.
const UNIT_ROWS_UP_TO: usize = 30;

/// One unit in the home page's overview table.
#[derive(Debug, serde::Serialize)]
struct OverviewRow {
    id: i64,
    name: String,
    inspector: Option<String>,
    report_date: Option<String>,
    figures: figures::Figures,
    overdue: usize,
    at_risk: usize,
    pending: usize,
    /// A draft (草稿): shown as such, not as a rate of 0.
    draft: bool,
}

/// The sums over the overview's units.
#[derive(Debug, Default, serde::Serialize)]
struct OverviewTotals {
    units: usize,
    problems: u32,
    completed: u32,
    overdue: usize,
    at_risk: usize,
    pending: usize,
}

impl OverviewTotals {
    fn of(rows: &[OverviewRow]) -> OverviewTotals {
        rows.iter().fold(OverviewTotals { units: rows.len(), ..OverviewTotals::default() }, |t, r| OverviewTotals {
            problems: t.problems + r.figures.problems,
            completed: t.completed + r.figures.completed,
            overdue: t.overdue + r.overdue,
            at_risk: t.at_risk + r.at_risk,
            pending: t.pending + r.pending,
            ..t
        })
    }
}

/// 首页 — every inspection (a card each, or a row each when there are many) with its headline
/// figures and what needs attention now.
pub(crate) async fn home(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
) -> Result<Response, AppError> {
    let summaries = scope::visible_inspections(&state, &principal.grants).await?;
    let by_round = summaries.len() > UNIT_ROWS_UP_TO;
    // By round, no unit's lists are read but the few of the account's queue: no versions ahead;
    // otherwise the versions of the account's own units only (not of every unit of a province).
    let snapshot = if by_round {
        ledger::lazy_snapshot(&state)
    } else {
        let ids: Vec<i64> = summaries.iter().map(|s| s.id).collect();
        ledger::snapshot_for(&state, &ids).await?
    };
    let mut cards = Vec::new();
    let mut overview = Vec::new();
    let rounds = if by_round { round_rows(&state, &principal).await? } else { Vec::new() };
    for s in summaries.iter().rev().filter(|_| !by_round) {
        let loaded = ledger::visible_in(&principal, s.clone(), &snapshot).await?;
        let rows = rows::of_visible(&loaded, page.today);
        let attention = rows::attention(&rows);
        let pending = rows::pending_verification(&rows);
        let overdue = attention.iter().filter(|(m, _)| m.light == "red").count();
        let figures = figures::figures(&loaded.ledger);
        if summaries.len() > CARDS_UP_TO {
            overview.push(OverviewRow {
                id: s.id,
                name: scope::inspection_name(s),
                inspector: loaded.ledger.inspection.inspector.clone(),
                report_date: loaded.ledger.report_date.map(|d| d.to_chinese()),
                figures,
                overdue,
                at_risk: attention.len() - overdue,
                pending: pending.len(),
                draft: s.draft,
            });
            continue;
        }
        cards.push(context! {
            id => s.id,
            name => scope::inspection_name(s),
            title => s.title.clone(),
            inspector => loaded.ledger.inspection.inspector.clone(),
            inspection_kind => loaded.ledger.inspection.kind.map(|k| k.as_str()),
            feedback_date => loaded.ledger.inspection.feedback_date.map(|d| d.to_chinese()),
            report_date => loaded.ledger.report_date.map(|d| d.to_chinese()),
            figures => ser(figures),
            overdue,
            at_risk => attention.len() - overdue,
            attention => ser(attention.iter().take(8).collect::<Vec<_>>()),
            attention_more => attention.len().saturating_sub(8),
            pending => ser(pending.iter().take(8).collect::<Vec<_>>()),
            pending_total => pending.len(),
            draft => s.draft,
        });
    }
    // The units furthest behind first: ranked by what was achieved, never by activity.
    overview.sort_by(|a, b| {
        a.draft
            .cmp(&b.draft)
            .then(a.figures.rate_value.total_cmp(&b.figures.rate_value))
            .then(b.overdue.cmp(&a.overdue))
            .then(a.id.cmp(&b.id))
    });
    // The menu's 整改台账 leads to the account's own unit; with several, to the chooser.
    let latest = if summaries.len() == 1 { summaries.first().map(|s| s.id) } else { None };
    let chrome = page.chrome("home", "首页", vec![Crumb::here("首页")], latest);
    let work = my_work(&state, &principal, &snapshot).await?;
    let can_read = principal.may(READ);
    let can_import = principal.may(&[Permission::ImportDocuments]);
    let overview_totals = OverviewTotals::of(&overview);
    let fields = context! {
        cards,
        overview => ser(&overview),
        overview_totals => ser(overview_totals),
        rounds,
        work,
        can_read,
        can_import,
    };
    Ok(render("home.html", &chrome, fields)?.into_response())
}

/// Where 整改台账 and 统计分析 lead without a unit in view: the account's own unit when it sees
/// one, the rounds (or, outside rounds, the home page's list of units) to choose from when it
/// sees many, the import page when it sees none.
async fn chooser(state: &AppState, principal: &Principal, page: &str) -> Result<Redirect, AppError> {
    let visible = scope::visible_inspections(state, &principal.grants).await?;
    Ok(match visible.as_slice() {
        [] => Redirect::to("/documents"),
        [one] => Redirect::to(&format!("/inspections/{}/{page}", one.id)),
        _ if visible.iter().any(|s| s.round_id.is_some()) => Redirect::to("/rounds"),
        // Several units outside rounds: the home page lists them all, never the latest import.
        _ => Redirect::to("/"),
    })
}

/// `/ledger`: the ledger of the account's unit, or the chooser.
pub(crate) async fn latest_ledger(State(state): State<AppState>, principal: Principal) -> Result<Redirect, AppError> {
    chooser(&state, &principal, "ledger").await
}

/// `/dashboard`: the dashboard of the account's unit, or the chooser.
pub(crate) async fn latest_dashboard(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Redirect, AppError> {
    chooser(&state, &principal, "dashboard").await
}

/// One row per round the account sees, with the sums over its units (aggregate reads of every
/// round at once, remembered while the round's data stands: no unit's ledger is read), the
/// rounds furthest behind first.
async fn round_rows(state: &AppState, principal: &Principal) -> Result<Vec<Value>, AppError> {
    let mut rows = Vec::new();
    for (round, units) in rounds::all_with_units(state).await? {
        let seen: Vec<&rectify_storage::RoundUnit> = units.iter().filter(|u| rounds::sees_unit(principal, u)).collect();
        if seen.is_empty() {
            continue;
        }
        let problems: u32 = seen.iter().map(|u| u.problems).sum();
        let closed: u32 = seen.iter().map(|u| u.closed).sum();
        let rate = Rate { numerator: closed, denominator: problems };
        rows.push((
            rate.as_f64().unwrap_or(100.0),
            context! {
                id => round.id,
                name => round.name,
                units => seen.len(),
                problems,
                closed,
                rate => rate.percent(2),
                rate_value => rate.as_f64().unwrap_or(0.0),
                red => seen.iter().map(|u| u.red).sum::<u32>(),
                yellow => seen.iter().map(|u| u.yellow).sum::<u32>(),
                awaiting => seen.iter().map(|u| u.awaiting_verification).sum::<u32>(),
            },
        ));
    }
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(rows.into_iter().map(|(_, row)| row).collect())
}

/// The home page's personal part: what needs this account now, read through the page's snapshot.
async fn my_work(state: &AppState, principal: &Principal, snapshot: &Snapshot) -> Result<Value, AppError> {
    let roles = principal.roles();
    let reports = roles.iter().any(|r| matches!(r, Role::Department | Role::UnitLiaison));
    let reviews =
        principal.may(&[Permission::ReviewAssignedProblems, Permission::ConfirmClosure, Permission::VerifyClosure]);
    let to_update = if reports { inbox::to_update(state, principal, snapshot).await? } else { Vec::new() };
    let to_review = if reviews { inbox::to_review(state, principal, snapshot).await? } else { Vec::new() };
    let reminders = if principal.may(READ) { supervision::reminders_for(state, principal).await? } else { Vec::new() };
    let reminders: Vec<Value> = reminders
        .into_iter()
        .take(10)
        .map(|r| {
            context! { id => r.id, measure_id => r.measure_id, from => r.from_name, message => r.message,
            sent_at => format::beijing(&r.sent_at, true) }
        })
        .collect();
    Ok(context! {
        reports,
        reviews,
        audit => roles.contains(&Role::AuditAdmin),
        admin => roles.iter().any(|r| matches!(r, Role::SystemAdmin | Role::SecurityAdmin)),
        to_update_total => to_update.len(),
        to_update => ser(to_update.into_iter().take(20).collect::<Vec<_>>()),
        to_review_total => to_review.len(),
        to_review => ser(to_review.into_iter().take(10).collect::<Vec<_>>()),
        reminders,
    })
}

/// `GET /inbox`: what waits for the reviewer's decision.
pub(crate) async fn inbox(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
) -> Result<Response, AppError> {
    let items = inbox::reviews(&state, &principal, &ledger::lazy_snapshot(&state)).await?;
    let chrome = page.chrome("inbox", "待办审核", vec![Crumb::link("首页", "/"), Crumb::here("待办审核")], None);
    Ok(render("inbox.html", &chrome, context! { items => ser(&items) })?.into_response())
}
