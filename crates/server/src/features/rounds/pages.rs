//! 巡察轮次 in the browser: the rounds, and the overview of every unit of a round — the furthest
//! behind first, totals on top, each unit a link into its ledger.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use rectify_domain::{PartialDate, RoundDetails};
use rectify_storage::{RoundRecord, RoundUnit};
use rectify_workbook::{Cell, Sheet};
use serde::Deserialize;

use super::figures::{OverviewQuery, percent, percent_text, shown, totals};
use crate::error::AppError;
use crate::http::extract::{Paging, QueryOf};
use crate::http::page::PageContext;
use crate::ids::RoundId;
use crate::render::format;
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

fn unit_name(u: &RoundUnit) -> String {
    u.unit.clone().or_else(|| u.title.clone()).unwrap_or_else(|| format!("巡察台账{}", u.inspection_id))
}

/// `?print=1` asks for the print view of the overview.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PrintQuery {
    print: Option<String>,
}

/// The overview's own query string, for the links that keep what is shown (export, print).
fn query_string(q: &OverviewQuery) -> String {
    let pairs = [("only", &q.only), ("q", &q.q), ("sort", &q.sort), ("dir", &q.dir)];
    pairs
        .iter()
        .filter_map(|(k, v)| {
            v.as_deref().filter(|v| !v.trim().is_empty()).map(|v| format!("{k}={}", format::encode(v)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// `GET /rounds/{id}`: every unit of the round the account sees, filtered and ordered as asked
/// (the furthest behind first by default); `?print=1` without the site's navigation.
pub(crate) async fn overview(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    Path(id): Path<String>,
    QueryOf(query): QueryOf<OverviewQuery>,
    QueryOf(print): QueryOf<PrintQuery>,
) -> Result<Response, AppError> {
    let id = RoundId::parse(&id)?.get();
    let view = query.view()?;
    let round = rounds::record(&state, id).await?;
    let all = rounds::units(&state, &principal, id).await?;
    let names: HashMap<i64, String> = all.iter().map(|u| (u.inspection_id, unit_name(u))).collect();
    let details = details_view(&round, &names);
    let units = shown(all, &view);
    let (count, problems, closed) = totals(&units);
    let red: u32 = units.iter().map(|u| u.red).sum();
    let yellow: u32 = units.iter().map(|u| u.yellow).sum();
    let awaiting: u32 = units.iter().map(|u| u.awaiting_verification).sum();
    let rows: Vec<Value> = units
        .iter()
        .map(|u| {
            context! {
                id => u.inspection_id,
                name => unit_name(u),
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
    let filters = context! {
        only => query.only.clone().unwrap_or_default(),
        q => query.q.clone().unwrap_or_default(),
        sort => query.sort.clone().unwrap_or_else(|| "rate".into()),
        dir => query.dir.clone().unwrap_or_default(),
        qs => query_string(&query),
        keep => query_string(&OverviewQuery { sort: None, dir: None, ..query.clone() }),
    };
    let manage = principal.may(&[rectify_auth::Permission::ManageRounds]);
    let others: Vec<Value> = if manage {
        rounds::list(&state, Paging { limit: Some(500), offset: None }.page())
            .await?
            .0
            .into_iter()
            .filter(|r| r.id != id)
            .map(|r| context! { id => r.id, name => r.name })
            .collect()
    } else {
        Vec::new()
    };
    let fields = context! {
        id,
        others,
        reports => principal.may(&[rectify_auth::Permission::GenerateReports]),
        name => round.name,
        details,
        rows,
        filters,
        manage,
        totals => context! { units => count, problems, closed, rate => percent_text(closed, problems), red, yellow, awaiting },
    };
    let template = if print.print.as_deref() == Some("1") { "round_print.html" } else { "round.html" };
    Ok(render(template, &chrome, fields)?.into_response())
}

fn attachment(body: Vec<u8>, content_type: &'static str, name: &str, ascii: &str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", format::encode(name));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A round's name fit for a file name.
fn file_stem(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | '"' | ':' | '*' | '?' | '<' | '>' | '|'))
        .take(60)
        .collect();
    if cleaned.trim().is_empty() { "巡察轮次".to_string() } else { cleaned }
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `GET /rounds/{id}/overview.xlsx`: exactly the rows the overview shows with the same query.
pub(crate) async fn overview_xlsx(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    QueryOf(query): QueryOf<OverviewQuery>,
) -> Result<Response, AppError> {
    let id = RoundId::parse(&id)?.get();
    let view = query.view()?;
    let round = rounds::round(&state, id).await?;
    let units = shown(rounds::units(&state, &principal, id).await?, &view);
    let rows = units
        .iter()
        .map(|u| {
            vec![
                Cell::text(unit_name(u)),
                Cell::count(u.problems),
                Cell::count(u.closed),
                Cell::count(u.problems.saturating_sub(u.closed)),
                Cell::percent(u.rate()),
                Cell::count(u.red),
                Cell::count(u.yellow),
                Cell::count(u.awaiting_verification),
                u.last_progress.clone().map_or(Cell::Empty, Cell::Text),
            ]
        })
        .collect();
    let header = ["单位", "问题", "已完成", "整改中", "整改完成率（%）", "逾期", "临期", "待核验", "最近报送"];
    let sheet =
        Sheet { name: "整改进展总览".into(), header: header.iter().map(|h| h.to_string()).collect(), rows };
    let bytes = rectify_workbook::write_sheets(&[sheet]).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(attachment(bytes, XLSX, &format!("{}整改进展总览.xlsx", file_stem(&round.name)), "overview.xlsx"))
}

/// `?format=` of the aggregate report.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReportQuery {
    format: Option<String>,
}

/// `GET /rounds/{id}/report?format=docx|md|html|xlsx`: the round's aggregate report over the
/// units the account sees, counted now.
pub(crate) async fn report(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    QueryOf(query): QueryOf<ReportQuery>,
) -> Result<Response, AppError> {
    let id = RoundId::parse(&id)?.get();
    let format = query.format.as_deref().map(str::trim).filter(|f| !f.is_empty()).unwrap_or("docx");
    let content_type: &'static str = match format {
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "md" => "text/markdown; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "xlsx" => XLSX,
        other => {
            return Err(AppError::BadQuery(format!(
                "unknown format {:?} (docx, md, html or xlsx)",
                other.chars().take(20).collect::<String>()
            )));
        }
    };
    let report = rounds::report(&state, &principal, id).await?;
    let bytes = match format {
        "md" => rectify_report_writer::render_round_markdown(&report).into_bytes(),
        "html" => rectify_report_writer::render_round_html(&report).into_bytes(),
        "xlsx" => rectify_workbook::write_round_xlsx(&report).map_err(|e| AppError::Internal(e.to_string()))?,
        _ => rectify_report_writer::render_round_docx(&report).map_err(|e| AppError::Internal(e.to_string()))?,
    };
    let name = format!("{}整改情况汇总报告.{format}", file_stem(&report.kind.after(&report.name)));
    Ok(attachment(bytes, content_type, &name, &format!("round-report.{format}")))
}

/// The rename form.
#[derive(Debug, Deserialize)]
pub(crate) struct RenameForm {
    name: String,
}

/// `POST /rounds/{id}/rename`.
pub(crate) async fn rename(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    Form(form): Form<RenameForm>,
) -> Result<Response, AppError> {
    let id = RoundId::parse(&id)?.get();
    rounds::rename(&state, &principal, id, &form.name).await?;
    Ok(Redirect::to(&format!("/rounds/{id}")).into_response())
}

/// The merge form: the round that stays.
#[derive(Debug, Deserialize)]
pub(crate) struct MergeForm {
    into: String,
}

/// `POST /rounds/{id}/merge`: this round goes into the chosen one, which is shown next.
pub(crate) async fn merge(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    Form(form): Form<MergeForm>,
) -> Result<Response, AppError> {
    let from = RoundId::parse(&id)?.get();
    let into = RoundId::parse(&form.into)?.get();
    rounds::merge(&state, &principal, from, into).await?;
    Ok(Redirect::to(&format!("/rounds/{into}")).into_response())
}

/// The move form: which unit of this round goes to which round.
#[derive(Debug, Deserialize)]
pub(crate) struct MoveForm {
    inspection_id: String,
    into: String,
}

/// `POST /rounds/{id}/move`: one inspection of this round to another round.
pub(crate) async fn move_inspection(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    Form(form): Form<MoveForm>,
) -> Result<Response, AppError> {
    let id = RoundId::parse(&id)?.get();
    let into = RoundId::parse(&form.into)?.get();
    let inspection = crate::ids::InspectionId::parse(&form.inspection_id)
        .map_err(|_| AppError::BadId { what: "inspection id", value: form.inspection_id.chars().take(40).collect() })?;
    // Only a unit of this round moves from this page.
    if !rounds::units(&state, &principal, id).await?.iter().any(|u| u.inspection_id == inspection.get()) {
        return Err(AppError::not_found("inspection in round", inspection.get()));
    }
    rounds::move_inspection(&state, &principal, inspection.get(), into).await?;
    Ok(Redirect::to(&format!("/rounds/{id}")).into_response())
}

/// Blank group rows the edit form offers beyond the round's groups.
const SPARE_GROUP_ROWS: usize = 2;

/// The round's record for a page: committee, dates in Chinese, groups with the names of the
/// units the account sees.
fn details_view(record: &RoundRecord, names: &HashMap<i64, String>) -> Value {
    let d = &record.details;
    let chinese = |x: Option<PartialDate>| x.map(|x| x.to_chinese());
    let groups: Vec<Value> = d
        .groups()
        .iter()
        .map(|g| {
            let units: Vec<String> = g.units().iter().filter_map(|u| names.get(u).cloned()).collect();
            context! { name => g.name(), leader => g.leader(), units }
        })
        .collect();
    context! {
        committee => d.committee(),
        start => chinese(d.start()),
        end => chinese(d.end()),
        feedback => chinese(d.feedback_date()),
        groups,
        known => d != &RoundDetails::default(),
    }
}

/// `GET /rounds/{id}/edit`: the office's form for the round's name, committee, dates and groups.
pub(crate) async fn edit_page(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = RoundId::parse(&id)?.get();
    let record = rounds::record(&state, id).await?;
    let units = rounds::units(&state, &principal, id).await?;
    let d = &record.details;
    let text = |x: Option<PartialDate>| x.map(|x| x.to_string()).unwrap_or_default();
    let mut groups: Vec<Value> = d
        .groups()
        .iter()
        .map(|g| context! { name => g.name(), leader => g.leader().unwrap_or_default(), units => g.units().to_vec() })
        .collect();
    groups.extend((0..SPARE_GROUP_ROWS).map(|_| context! { name => "", leader => "", units => Vec::<i64>::new() }));
    let units: Vec<Value> = units.iter().map(|u| context! { id => u.inspection_id, name => unit_name(u) }).collect();
    let title = format!("{} · 轮次信息", record.name);
    let chrome =
        page.chrome("rounds", &title, Crumb::under_round(id, record.name.clone(), [Crumb::here("轮次信息")]), None);
    let fields = context! {
        id,
        version => record.version,
        name => record.name,
        committee => d.committee().unwrap_or_default(),
        start => text(d.start()),
        end => text(d.end()),
        feedback_date => text(d.feedback_date()),
        groups,
        units,
        max_name => rectify_domain::limits::NAME.max_chars,
    };
    Ok(render("round_edit.html", &chrome, fields)?.into_response())
}

/// `POST /rounds/{id}/edit`: the form's fields as pairs (a group's units come as repeated
/// `group{i}_unit` fields of a multiple select); blank group rows are left out.
pub(crate) async fn edit(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let id = RoundId::parse(&id)?.get();
    let field = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let version = field("version").and_then(|v| v.trim().parse::<i64>().ok());
    let mut groups: Vec<rounds::GroupInput> = Vec::new();
    for i in 0..=rectify_domain::round::MAX_GROUPS + SPARE_GROUP_ROWS {
        let (name, leader) = (field(&format!("group{i}_name")), field(&format!("group{i}_leader")));
        let unit_key = format!("group{i}_unit");
        let units = pairs
            .iter()
            .filter(|(k, _)| *k == unit_key)
            .map(|(_, v)| {
                v.trim()
                    .parse::<i64>()
                    .map_err(|_| AppError::BadId { what: "inspection id", value: v.chars().take(40).collect() })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let name = name.unwrap_or_default();
        let leader = leader.filter(|l| !l.trim().is_empty());
        if name.trim().is_empty() && leader.is_none() && units.is_empty() {
            continue;
        }
        groups.push(rounds::GroupInput { name, leader, units });
    }
    let patch = rounds::RoundPatch {
        version,
        name: field("name"),
        committee: Some(field("committee")),
        start: Some(field("start")),
        end: Some(field("end")),
        feedback_date: Some(field("feedback_date")),
        groups: Some(groups),
    };
    rounds::update(&state, &principal, id, &patch).await?;
    Ok(Redirect::to(&format!("/rounds/{id}")).into_response())
}
