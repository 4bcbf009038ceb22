//! The reading pages: home, ledger, problem, measure and dashboard.

use std::sync::Arc;

use axum::Extension;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use rectify_domain::{Counting, Ledger, MeasureRef, ProblemRef, RuleAction};
use rectify_storage::{
    AuditEntry, AuditFilter, InspectionSummary, MeasureRecord, Page, ProblemRecord, Snapshot, Store,
};
use serde::Serialize;

use super::csrf::CsrfToken;
use super::view::{self, LedgerQuery, PAGE_SIZE, ProblemRow};
use super::{Chrome, Crumb, UiError, assets, render, ser};
use crate::AppState;
use crate::auth::Principal;
use crate::authz::Visibility;

/// Everything a page about one inspection needs, read in one go.
struct Loaded {
    summary: InspectionSummary,
    ledger: Arc<Ledger>,
    rows: Vec<ProblemRow>,
}

/// Loads what the principal sees of an inspection (a department only its measures, a leader
/// only their problems; figures describe the visible part).
async fn load(state: &AppState, principal: &Principal, id: i64) -> Result<Loaded, UiError> {
    let summary = state
        .store()
        .list_inspections()
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| UiError::not_found("inspection", id.to_string()))?;
    load_summarised(state, principal, summary, &state.store().snapshot_of(id).await?).await
}

/// [`load`] for an inspection whose summary the caller has already read, through a snapshot of
/// the versions (the home page reads them all once, not once per unit and list).
async fn load_summarised(
    state: &AppState,
    principal: &Principal,
    summary: InspectionSummary,
    snapshot: &Snapshot,
) -> Result<Loaded, UiError> {
    let id = summary.id;
    let visibility = Visibility::new(&principal.grants);
    let full = snapshot.ledger(id).await?;
    let lights = full.policy.lights;
    let ledger =
        visibility.shared_ledger(&summary, full).ok_or_else(|| UiError::not_found("inspection", id.to_string()))?;
    let (problems, measures) =
        visibility.shared_records(&summary, snapshot.problems(id).await?, snapshot.measures(id).await?);
    let rows = view::rows(&problems, &measures, view::LightsOn { today: state.today(), policy: &lights });
    Ok(Loaded { summary, ledger, rows })
}

/// A positive id from the path, or the not-found page (a typo is not a server error).
fn path_id(what: &'static str, raw: &str) -> Result<i64, UiError> {
    raw.trim().parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| UiError::not_found(what, raw))
}

pub(crate) fn chrome(
    state: &AppState,
    nav: &'static str,
    title: &str,
    crumbs: Vec<Crumb>,
    id: Option<i64>,
    csrf: &CsrfToken,
) -> Chrome {
    Chrome {
        nav,
        title: title.to_string(),
        crumbs,
        inspection_id: id,
        csrf: csrf.0.clone(),
        today: state.today().format("%Y年%-m月%-d日").to_string(),
        asset_version: assets::version(),
    }
}

/// The name an inspection goes by on screen.
pub(crate) fn inspection_name(s: &InspectionSummary) -> String {
    s.unit.clone().or_else(|| s.title.clone()).unwrap_or_else(|| format!("巡察台账{}", s.id))
}

/// The headline figures of a report, ready to print.
#[derive(Debug, Serialize)]
pub(crate) struct Figures {
    aspects: u32,
    problems: u32,
    completed: u32,
    in_progress: u32,
    long_term: u32,
    rate: Option<String>,
    rate_numerator: u32,
    rate_denominator: u32,
    rate_value: f64,
    measures: u32,
    measures_completed: u32,
    rules: u32,
    rules_made: u32,
    rules_revised: u32,
    funds: String,
    funds_by_kind: Vec<(String, String)>,
    accountability: String,
    accountability_by_kind: Vec<(String, String)>,
    meetings: Vec<(String, u32)>,
    meetings_total: u32,
}

pub(crate) fn figures(ledger: &Ledger) -> Figures {
    let s = ledger.statistics();
    let persons: u32 = s.accountability.iter().map(|a| a.persons).sum();
    let times: u32 = s.accountability.iter().map(|a| a.person_times).sum();
    let accountability = match (persons, times) {
        (0, 0) => "0人".to_string(),
        (p, 0) => format!("{p}人"),
        (0, t) => format!("{t}人次"),
        (p, t) => format!("{p}人、{t}人次"),
    };
    let count = |p: u32, t: u32| match (p, t) {
        (p, 0) => format!("{p}人"),
        (0, t) => format!("{t}人次"),
        (p, t) => format!("{p}人、{t}人次"),
    };
    Figures {
        aspects: s.aspects,
        problems: s.problems.total,
        completed: s.problems.completed,
        in_progress: s.problems.still_in_progress(),
        long_term: s.problems.long_term,
        rate: s.completion.percent(ledger.policy.rate_decimals),
        rate_numerator: s.completion.numerator,
        rate_denominator: s.completion.denominator,
        rate_value: s.completion.as_f64().unwrap_or(0.0),
        measures: s.measures_total,
        measures_completed: s.measures_completed,
        rules: s.rules_total(),
        rules_made: s.rules_made,
        rules_revised: s.rules_revised,
        funds: s.funds_total().to_string(),
        funds_by_kind: s.funds.iter().map(|f| (f.kind.label_zh().to_string(), f.amount.to_string())).collect(),
        accountability,
        accountability_by_kind: s
            .accountability
            .iter()
            .map(|a| (a.kind.clone(), count(a.persons, a.person_times)))
            .collect(),
        meetings_total: s.meetings.iter().map(|m| m.count).sum(),
        meetings: s.meetings.iter().map(|m| (m.kind.clone(), m.count)).collect(),
    }
}

/// Up to this many inspections the home page shows a card for each; beyond, one table row each
/// (an inspection office watching dozens of units reads them side by side).
const CARDS_UP_TO: usize = 3;

/// One unit in the home page's overview table.
#[derive(Debug, serde::Serialize)]
struct OverviewRow {
    id: i64,
    name: String,
    inspector: Option<String>,
    report_date: Option<String>,
    figures: Figures,
    overdue: usize,
    at_risk: usize,
    pending: usize,
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

/// 首页 — every inspection (a card each, or a row each when there are many) with its headline figures and what needs attention now.
#[utoipa::path(get, path = "/", tag = "system",
    responses((status = 200, description = "Home page of the web UI in Chinese", content_type = "text/html")))]
pub(crate) async fn home(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(csrf): Extension<CsrfToken>,
) -> Result<Response, UiError> {
    let summaries = Visibility::new(&principal.grants).inspections(state.store().list_inspections().await?);
    let snapshot = state.store().snapshot().await?;
    let mut cards = Vec::new();
    let mut overview = Vec::new();
    for s in summaries.iter().rev() {
        let loaded = load_summarised(&state, &principal, s.clone(), &snapshot).await?;
        let attention = view::attention(&loaded.rows);
        let pending = view::pending_verification(&loaded.rows);
        let overdue = attention.iter().filter(|(m, _)| m.light == "red").count();
        let figures = figures(&loaded.ledger);
        if summaries.len() > CARDS_UP_TO {
            overview.push(OverviewRow {
                id: s.id,
                name: inspection_name(s),
                inspector: loaded.ledger.inspection.inspector.clone(),
                report_date: loaded.ledger.report_date.map(|d| d.to_chinese()),
                figures,
                overdue,
                at_risk: attention.len() - overdue,
                pending: pending.len(),
            });
            continue;
        }
        cards.push(context! {
            id => s.id,
            name => inspection_name(s),
            title => s.title.clone(),
            inspector => loaded.ledger.inspection.inspector.clone(),
            feedback_date => loaded.ledger.inspection.feedback_date.map(|d| d.to_chinese()),
            report_date => loaded.ledger.report_date.map(|d| d.to_chinese()),
            figures => ser(figures),
            overdue,
            at_risk => attention.len() - overdue,
            attention => ser(attention.iter().take(8).collect::<Vec<_>>()),
            attention_more => attention.len().saturating_sub(8),
            pending => ser(pending.iter().take(8).collect::<Vec<_>>()),
            pending_total => pending.len(),
        });
    }
    // The units furthest behind first: ranked by what was achieved, never by activity.
    overview.sort_by(|a, b| {
        a.figures.rate_value.total_cmp(&b.figures.rate_value).then(b.overdue.cmp(&a.overdue)).then(a.id.cmp(&b.id))
    });
    let latest = summaries.last().map(|s| s.id);
    let chrome = chrome(&state, "home", "首页", vec![Crumb::here("首页")], latest, &csrf);
    let work = super::work::my_work(&state, &principal, &snapshot).await?;
    let can_read = crate::authz::READ.iter().any(|p| rectify_auth::allows_any(&principal.roles(), *p));
    let can_import = rectify_auth::allows_any(&principal.roles(), rectify_auth::Permission::ImportDocuments);
    let overview_totals = OverviewTotals::of(&overview);
    let page = context! {
        cards,
        overview => ser(&overview),
        overview_totals => ser(overview_totals),
        work,
        can_read,
        can_import,
    };
    Ok(render("home.html", &chrome, page)?.into_response())
}

async fn latest(state: &AppState, principal: &Principal) -> Result<Option<i64>, UiError> {
    Ok(Visibility::new(&principal.grants).inspections(state.store().list_inspections().await?).last().map(|s| s.id))
}

/// `/ledger`: the ledger of the latest inspection, or the import page when there is none.
pub(crate) async fn latest_ledger(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Redirect, UiError> {
    Ok(match latest(&state, &principal).await? {
        Some(id) => Redirect::to(&format!("/inspections/{id}/ledger")),
        None => Redirect::to("/documents"),
    })
}

/// `/dashboard`: the dashboard of the latest inspection, or the import page.
pub(crate) async fn latest_dashboard(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Redirect, UiError> {
    Ok(match latest(&state, &principal).await? {
        Some(id) => Redirect::to(&format!("/inspections/{id}/dashboard")),
        None => Redirect::to("/documents"),
    })
}

/// `/inspections/{id}`: an inspection opens on its ledger.
pub(crate) async fn inspection(Path(id): Path<String>) -> Result<Redirect, UiError> {
    let id = path_id("inspection", &id)?;
    Ok(Redirect::to(&format!("/inspections/{id}/ledger")))
}

/// Percent-encodes a query component (everything but unreserved ASCII).
pub(crate) fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn query_string(pairs: &[(&str, String)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&")
}

/// 整改台账 — filterable, sortable, paged; htmx requests get the table alone.
pub(crate) async fn ledger(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
    query: Result<Query<LedgerQuery>, QueryRejection>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Result<Response, UiError> {
    let id = path_id("inspection", &id)?;
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let headers_query = uri.query().unwrap_or_default().to_owned();
    let loaded = load(&state, &principal, id).await?;
    let roles = principal.roles();
    let can_remind = rectify_auth::allows_any(&roles, rectify_auth::Permission::SendReminder);
    let can_assign = crate::authz::REASSIGN.iter().any(|p| rectify_auth::allows_any(&roles, *p));
    let choices = view::choices(&loaded.rows);
    let all_measures: usize = loaded.rows.iter().map(|r| r.measures.len()).sum();
    let mut rows = view::filter(loaded.rows, &query);
    view::sort(&mut rows, query.sort_key());
    let total = rows.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = query.page().min(pages);
    let shown: Vec<ProblemRow> = rows.into_iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE).collect();
    let shown_measures: usize = shown.iter().map(|r| r.measures.len()).sum();
    let base = format!("/inspections/{id}/ledger");
    let with_sort = query_string(&query.pairs(true));
    let page_href = |p: usize| {
        let mut pairs = query.pairs(true);
        if p > 1 {
            pairs.push(("page", p.to_string()));
        }
        let qs = query_string(&pairs);
        if qs.is_empty() { base.clone() } else { format!("{base}?{qs}") }
    };
    let sort_href = |key: &str| {
        let mut pairs = query.pairs(false);
        if key != "number" {
            pairs.push(("sort", key.to_string()));
        }
        let qs = query_string(&pairs);
        if qs.is_empty() { base.clone() } else { format!("{base}?{qs}") }
    };
    let sorts: Vec<Value> = [("number", "按序号"), ("light", "按预警"), ("deadline", "按时限"), ("status", "按状态")]
        .into_iter()
        .map(|(key, label)| context! { key, label, href => sort_href(key), current => key == query.sort_key() })
        .collect();
    let name = inspection_name(&loaded.summary);
    let page_ctx = context! {
        inspection_id => id,
        name,
        rows => ser(&shown),
        total,
        total_problems => loaded.summary.problems,
        all_measures,
        shown_measures,
        page,
        pages,
        prev_href => (page > 1).then(|| page_href(page - 1)),
        next_href => (page < pages).then(|| page_href(page + 1)),
        page_links => (1..=pages).map(|p| context! { n => p, href => page_href(p), current => p == page }).collect::<Vec<_>>(),
        sorts,
        choices => ser(&choices),
        q => ser(&query),
        filtered => query.is_filtered(),
        self_href => if with_sort.is_empty() { base.clone() } else { format!("{base}?{with_sort}") },
        imported => query.imported.is_some(),
        can_remind,
        can_assign,
        bulk => can_remind || can_assign,
        can_export => rectify_auth::allows_any(&roles, rectify_auth::Permission::ExportLedger),
        bulk_done => bulk_notice(&headers_query),
        can_publish => rectify_auth::allows_any(&roles, rectify_auth::Permission::PublishReport),
        published_id => published_notice(&headers_query),
    };
    // htmx asks for the table only; a history restore needs the whole page.
    let partial = headers.contains_key("hx-request") && !headers.contains_key("hx-history-restore-request");
    let chrome = chrome(
        &state,
        "ledger",
        &format!("整改台账 · {}", inspection_name(&loaded.summary)),
        vec![Crumb::link("首页", "/"), Crumb::here(format!("{} · 整改台账", inspection_name(&loaded.summary)))],
        Some(id),
        &csrf,
    );
    let template = if partial { "ledger_table.html" } else { "ledger.html" };
    let mut response = render(template, &chrome, page_ctx)?.into_response();
    response.headers_mut().insert(header::VARY, HeaderValue::from_static("HX-Request"));
    Ok(response)
}

/// The publication to confirm after `POST /inspections/{id}/publish` (`?published=7`).
fn published_notice(query: &str) -> Option<i64> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == "published")
        .and_then(|(_, v)| v.parse::<i64>().ok())
        .filter(|id| *id > 0)
}

/// The confirmation after a bulk action (`?bulk=remind&sent=3&skipped=1`), in Chinese.
fn bulk_notice(query: &str) -> Option<String> {
    let get =
        |key: &str| query.split('&').filter_map(|pair| pair.split_once('=')).find(|(k, _)| *k == key).map(|(_, v)| v);
    let number = |key: &str| get(key).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0);
    match get("bulk")? {
        "remind" => Some(format!("已发出催办{}条；近期已催办而跳过{}条。", number("sent"), number("skipped"))),
        "assign" => Some(format!("已调整{}个问题的责任领导或责任部门。", number("sent"))),
        _ => None,
    }
}

/// A linked outcome in words, for the problem and measure pages.
#[derive(Debug, Serialize)]
struct OutcomeView {
    kind: &'static str,
    text: String,
    date: Option<String>,
}

fn outcomes_for(
    ledger: &Ledger,
    problem: ProblemRef,
    measure: Option<usize>,
    internal_names: bool,
) -> Vec<OutcomeView> {
    let o = &ledger.outcomes;
    let hits = |m: &Option<MeasureRef>| {
        m.is_some_and(|m| {
            m.aspect == problem.aspect && m.problem == problem.problem && measure.is_none_or(|k| k == m.measure)
        })
    };
    let mut out = Vec::new();
    for r in o.rules.iter().filter(|r| hits(&r.measure)) {
        let action = match r.action {
            RuleAction::Made => "制定",
            RuleAction::Revised => "修订",
        };
        out.push(OutcomeView {
            kind: "建章立制",
            text: format!("{action}{}", r.title.as_str()),
            date: r.date.map(|d| d.to_chinese()),
        });
    }
    for f in o.funds.iter().filter(|f| hits(&f.measure)) {
        let note = f.note.as_deref().map(|n| format!("（{n}）")).unwrap_or_default();
        out.push(OutcomeView {
            kind: "资金",
            text: format!("{}{}{note}", f.kind.label_zh(), f.amount_wan_yuan),
            date: f.date.map(|d| d.to_chinese()),
        });
    }
    if measure.is_none() {
        for a in o.accountability.iter().filter(|a| a.problem == Some(problem)) {
            let unit = match a.counting {
                Counting::Persons => "人",
                Counting::PersonTimes => "人次",
            };
            let persons = if internal_names && !a.persons.is_empty() {
                format!("：{}", a.persons.join("、"))
            } else {
                String::new()
            };
            out.push(OutcomeView {
                kind: "问责",
                text: format!("{}{}{unit}{persons}", a.kind, a.count),
                date: a.date.map(|d| d.to_chinese()),
            });
        }
        for m in o.meetings.iter().filter(|m| m.problems.contains(&problem)) {
            let title = m.title.as_deref().map(|t| format!("：{t}")).unwrap_or_default();
            out.push(OutcomeView {
                kind: "会议",
                text: format!("{}{title}", m.kind),
                date: m.date.map(|d| d.to_chinese()),
            });
        }
    }
    out
}

#[derive(Debug, Serialize)]
struct TimelineEntry {
    date: String,
    sort_key: chrono::NaiveDate,
    measure: String,
    measure_id: i64,
    text: String,
    evidence: Vec<view::EvidenceView>,
}

fn timeline_of(records: &[&MeasureRecord]) -> Vec<TimelineEntry> {
    let mut entries: Vec<TimelineEntry> = records
        .iter()
        .flat_map(|m| {
            m.measure.progress.iter().map(move |e| TimelineEntry {
                date: e.date.to_chinese(),
                sort_key: e.date.earliest(),
                measure: format!("{}是", rectify_domain::numerals::to_chinese(m.position as u32 + 1)),
                measure_id: m.id,
                text: e.text.to_string(),
                evidence: e.evidence.iter().map(view::EvidenceView::from).collect(),
            })
        })
        .collect();
    entries.sort_by_key(|e| e.sort_key);
    entries
}

/// 问题详情.
pub(crate) async fn problem(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Result<Response, UiError> {
    let id = path_id("problem", &id)?;
    let store = state.store();
    let record: ProblemRecord =
        store.get_problem(id).await?.ok_or_else(|| UiError::not_found("problem", id.to_string()))?;
    let inspection = record.inspection_id;
    let all_measures = store.list_measures(inspection, Some(id)).await?;
    let ledger = store.export_ledger(inspection).await?;
    let summary = store.list_inspections().await?.into_iter().find(|s| s.id == inspection);
    let measures = match summary.as_ref() {
        Some(s) => Visibility::new(&principal.grants).records(s, vec![record.clone()], all_measures.clone()).1,
        None => Vec::new(),
    };
    let all_closed = !all_measures.is_empty()
        && all_measures.iter().all(|m| matches!(m.measure.status, Some(rectify_domain::Status::Completed)));
    let can_close = all_closed
        && record.problem.status != rectify_domain::Status::Completed
        && rectify_auth::allows_any(&principal.roles(), rectify_auth::Permission::VerifyClosure);
    let mut own: Vec<&MeasureRecord> = measures.iter().collect();
    own.sort_by_key(|m| m.position);
    let row =
        view::problem_row(&record, &own, 0, view::LightsOn { today: state.today(), policy: &ledger.policy.lights });
    let name = summary.as_ref().map(inspection_name).unwrap_or_default();
    let outcomes = outcomes_for(&ledger, record.reference(), None, true);
    let evidence: Vec<view::EvidenceView> =
        own.iter().flat_map(|m| m.measure.evidence.iter()).map(view::EvidenceView::from).collect();
    let mut history = item_history(store, "problem", id, None).await?;
    for m in &own {
        history.extend(item_history(store, "measure", m.id, Some(ordinal(m))).await?);
    }
    history.sort_by_key(|h| std::cmp::Reverse(h.seq));
    let title = short(&row.title, 24);
    let chrome = chrome(
        &state,
        "ledger",
        &format!("问题 · {title}"),
        vec![
            Crumb::link("首页", "/"),
            Crumb::link(format!("{name} · 整改台账"), format!("/inspections/{inspection}/ledger")),
            Crumb::here(format!("问题：{title}")),
        ],
        Some(inspection),
        &csrf,
    );
    let page = context! {
        p => ser(&row),
        inspection_id => inspection,
        timeline => ser(timeline_of(&own)),
        outcomes => ser(&outcomes),
        evidence => ser(&evidence),
        disclosure_public => record.problem.disclosure.is_public(),
        history => ser(&history),
        can_close,
        done => query.ok().and_then(|Query(q)| q.done),
    };
    Ok(render("problem.html", &chrome, page)?.into_response())
}

/// `?done=…` after a step, to confirm it once.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct DoneQuery {
    done: Option<String>,
}

/// 整改措施详情, with the workflow steps the viewer may take.
pub(crate) async fn measure(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Result<Response, UiError> {
    let id = path_id("measure", &id)?;
    let store = state.store();
    let record = store.get_measure(id).await?.ok_or_else(|| UiError::not_found("measure", id.to_string()))?;
    let problem = store
        .get_problem(record.problem_id)
        .await?
        .ok_or_else(|| UiError::not_found("problem", record.problem_id.to_string()))?;
    let ledger = store.export_ledger(record.inspection_id).await?;
    let lights = view::LightsOn { today: state.today(), policy: &ledger.policy.lights };
    let m = view::measure_row(&record, problem.problem.status, lights);
    let p = view::problem_row(&problem, &[], 0, lights);
    let outcomes = outcomes_for(&ledger, problem.reference(), Some(record.position), true);
    let evidence: Vec<view::EvidenceView> = record.measure.evidence.iter().map(view::EvidenceView::from).collect();
    let inspection = record.inspection_id;
    let history = item_history(store, "measure", id, None).await?;
    let problem_title = short(&p.title, 16);
    let chrome = chrome(
        &state,
        "ledger",
        &format!("整改措施 · {}", short(&m.text, 24)),
        vec![
            Crumb::link("首页", "/"),
            Crumb::link("整改台账", format!("/inspections/{inspection}/ledger")),
            Crumb::link(format!("问题：{problem_title}"), format!("/problems/{}", problem.id)),
            Crumb::here(format!("措施{}", m.ordinal.trim_end_matches('是'))),
        ],
        Some(inspection),
        &csrf,
    );
    let page = context! {
        m => ser(&m),
        p => ser(&p),
        timeline => ser(timeline_of(&[&record])),
        outcomes => ser(&outcomes),
        evidence => ser(&evidence),
        documents => record.measure.documents.clone(),
        timeline_show_measure => false,
        history => ser(&history),
        wf => super::work::panel(&state, &principal, &record).await?,
        done => query.ok().and_then(|Query(q)| q.done.filter(|d| d.len() <= 40)),
    };
    Ok(render("measure.html", &chrome, page)?.into_response())
}

/// One line of an item's 操作记录 (audit history), as staff who can read the item see it.
#[derive(Debug, Serialize)]
struct HistoryEntry {
    seq: i64,
    /// Beijing time, `2024年8月1日 17:00`.
    at: String,
    actor: String,
    label: &'static str,
    /// `二是` when the entry is about one of a problem's measures.
    measure: Option<String>,
    measure_id: Option<i64>,
}

/// How many audit entries of one item the page shows; older ones are in the audit trail.
const HISTORY_LIMIT: u32 = 50;

/// The Chinese label of an audited action on a problem or measure. `None` for actions that do
/// not belong in an item's history (sign-in events, account changes, unknown codes).
fn action_label_zh(action: &str) -> Option<&'static str> {
    Some(match action {
        "measure.start" => "开始整改",
        "measure.mark_basically_completed" => "标记基本完成",
        "measure.resume" => "恢复整改",
        "measure.claim" => "申请销号",
        "measure.approve" => "审核通过",
        "measure.send_back" => "退回重办",
        "measure.request_extension" => "申请延期",
        "measure.approve_extension" => "同意延期",
        "measure.decline_extension" => "不同意延期",
        "measure.declare_long_term" => "列为长期整改",
        "measure.close_stage" => "阶段性销号",
        "measure.close_long_term" => "长期整改销号",
        "measure.reopen" => "重新整改",
        "measure.add_progress" => "报送进展",
        "measure.attach_evidence" => "上传佐证材料",
        "measure.remind" => "催办",
        "problem.close" => "问题销号",
        "problem.reopen" => "问题重新整改",
        _ => return None,
    })
}

fn ordinal(m: &MeasureRecord) -> String {
    format!("{}是", rectify_domain::numerals::to_chinese(m.position as u32 + 1))
}

/// The successful audited actions on one problem or measure, newest first, labelled in Chinese.
async fn item_history(
    store: &Store,
    kind: &str,
    id: i64,
    measure: Option<String>,
) -> Result<Vec<HistoryEntry>, UiError> {
    let filter =
        AuditFilter { target_kind: Some(kind.to_owned()), target_id: Some(id.to_string()), ..AuditFilter::default() };
    let entries = store.list_audit(&filter, Page { offset: 0, limit: HISTORY_LIMIT }).await?;
    Ok(entries.iter().filter(|e| e.result == "ok").filter_map(|e| history_entry(e, measure.as_deref(), id)).collect())
}

fn history_entry(e: &AuditEntry, measure: Option<&str>, id: i64) -> Option<HistoryEntry> {
    Some(HistoryEntry {
        seq: e.seq,
        at: beijing_minutes(&e.at),
        actor: e.actor_name.clone(),
        label: action_label_zh(&e.action)?,
        measure: measure.map(str::to_owned),
        measure_id: measure.map(|_| id),
    })
}

/// An RFC 3339 UTC timestamp as Beijing time to the minute (the text itself when unreadable).
fn beijing_minutes(timestamp: &str) -> String {
    let (Ok(at), Some(offset)) =
        (chrono::DateTime::parse_from_rfc3339(timestamp), chrono::FixedOffset::east_opt(8 * 3600))
    else {
        return timestamp.to_owned();
    };
    at.with_timezone(&offset).format("%Y年%-m月%-d日 %H:%M").to_string()
}

/// The first `n` characters of `text`, with an ellipsis when cut.
fn short(text: &str, n: usize) -> String {
    let mut out: String = text.chars().take(n).collect();
    if text.chars().nth(n).is_some() {
        out.push('…');
    }
    out
}

/// 统计分析 — the figures and the charts (data embedded as JSON, drawn by `app.js`).
pub(crate) async fn dashboard(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(csrf): Extension<CsrfToken>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = path_id("inspection", &id)?;
    let loaded = load(&state, &principal, id).await?;
    let aspects = view::by_aspect(&loaded.rows, &loaded.ledger);
    let leaders = view::by_leader(&loaded.rows);
    let departments = view::by_department(&loaded.rows);
    let lights: Vec<Value> = view::light_counts(&loaded.rows)
        .into_iter()
        .map(|(l, n)| context! { key => view::light_key(l), name => l.label_zh(), value => n })
        .collect();
    let timeline = view::timeline(&loaded.rows);
    let charts = serde_json::json!({
        "aspects": aspects,
        "leaders": leaders,
        "departments": departments,
        "lights": view::light_counts(&loaded.rows).into_iter()
            .map(|(l, n)| serde_json::json!({"key": view::light_key(l), "name": l.label_zh(), "value": n}))
            .collect::<Vec<_>>(),
        "timeline": timeline,
    });
    // `</` inside a script element would end it early; JSON allows the escape.
    let charts_json = serde_json::to_string(&charts).unwrap_or_else(|_| "{}".into()).replace("</", "<\\/");
    let name = inspection_name(&loaded.summary);
    let chrome = chrome(
        &state,
        "dashboard",
        &format!("统计分析 · {name}"),
        vec![Crumb::link("首页", "/"), Crumb::here(format!("{name} · 统计分析"))],
        Some(id),
        &csrf,
    );
    let page = context! {
        inspection_id => id,
        name,
        figures => ser(figures(&loaded.ledger)),
        aspects => ser(&aspects),
        leaders => ser(&leaders),
        departments => ser(&departments),
        lights,
        timeline => ser(&timeline),
        charts_json,
    };
    Ok(render("dashboard.html", &chrome, page)?.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_components_are_percent_encoded() {
        assert_eq!(encode("整改 a&b=c"), "%E6%95%B4%E6%94%B9%20a%26b%3Dc");
        assert_eq!(query_string(&[("q", "x y".into()), ("page", "2".into())]), "q=x%20y&page=2");
    }

    proptest::proptest! {
        #[test]
        fn encoded_components_are_plain_ascii_and_decode_back(text in "\\PC{0,40}") {
            let encoded = encode(&text);
            proptest::prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)));
            let mut bytes = Vec::new();
            let mut rest = encoded.as_bytes();
            while let Some((&b, tail)) = rest.split_first() {
                if b == b'%' {
                    let hex = std::str::from_utf8(&tail[..2]).unwrap();
                    bytes.push(u8::from_str_radix(hex, 16).unwrap());
                    rest = &tail[2..];
                } else {
                    bytes.push(b);
                    rest = tail;
                }
            }
            proptest::prop_assert_eq!(String::from_utf8(bytes).unwrap(), text);
        }
    }

    #[test]
    fn history_labels_are_chinese_and_skip_sign_in_events() {
        assert_eq!(action_label_zh("measure.claim"), Some("申请销号"));
        assert_eq!(action_label_zh("measure.approve"), Some("审核通过"));
        assert_eq!(action_label_zh("measure.send_back"), Some("退回重办"));
        assert_eq!(action_label_zh("measure.add_progress"), Some("报送进展"));
        assert_eq!(action_label_zh("login.failed"), None);
        assert_eq!(action_label_zh("user.set_roles"), None);
        assert_eq!(beijing_minutes("2024-08-01T17:30:00.000000Z"), "2024年8月2日 01:30");
        assert_eq!(beijing_minutes("later"), "later");
    }

    #[test]
    fn short_cuts_by_characters() {
        assert_eq!(short("巡察整改管理", 4), "巡察整改…");
        assert_eq!(short("巡察", 4), "巡察");
    }
}
