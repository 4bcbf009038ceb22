//! The reading pages of a ledger: the ledger table (filterable, sortable, paged), one problem,
//! one measure with its workflow panel, and the dashboard.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use rectify_auth::Permission;
use rectify_domain::{Counting, Ledger, MeasureRef, ProblemRef, RuleAction};
use rectify_storage::{AuditEntry, InspectionSummary, MeasureRecord};
use serde::Serialize;

use crate::error::AppError;
use crate::http::page::PageContext;
use crate::ids::{InspectionId, MeasureId, ProblemId};
use crate::render::rows::{self, LedgerQuery, PAGE_SIZE, ProblemRow};
use crate::render::{Crumb, figures, format, labels, panel, render, ser};
use crate::service::scope::sets::REASSIGN;
use crate::service::session::Principal;
use crate::service::{AppState, audit, ledger, scope, workflow};

/// Everything a page about one inspection needs, read in one go.
struct Loaded {
    summary: InspectionSummary,
    ledger: Arc<Ledger>,
    rows: Vec<ProblemRow>,
}

/// What the principal sees of an inspection, as rows with their lights.
async fn load(state: &AppState, principal: &Principal, id: InspectionId) -> Result<Loaded, AppError> {
    let visible = ledger::visible(state, principal, id).await?;
    let rows = rows::of_visible(&visible, state.today());
    Ok(Loaded { summary: visible.summary, ledger: visible.ledger, rows })
}

/// `/inspections/{id}`: an inspection opens on its ledger.
pub(crate) async fn inspection(id: InspectionId) -> Redirect {
    Redirect::to(&format!("/inspections/{id}/ledger"))
}

/// 整改台账 — filterable, sortable, paged; htmx requests get the table alone.
pub(crate) async fn ledger(
    State(state): State<AppState>,
    principal: Principal,
    context: PageContext,
    id: InspectionId,
    query: Result<Query<LedgerQuery>, QueryRejection>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let headers_query = uri.query().unwrap_or_default().to_owned();
    let loaded = load(&state, &principal, id).await?;
    let can_remind = principal.may(&[Permission::SendReminder]);
    let can_assign = principal.may(REASSIGN);
    let choices = rows::choices(&loaded.rows);
    let all_measures: usize = loaded.rows.iter().map(|r| r.measures.len()).sum();
    let mut rows = rows::filter(loaded.rows, &query);
    rows::sort(&mut rows, query.sort_key());
    let total = rows.len();
    if print_requested(&headers_query) {
        return ledger_print(&state, &context, &loaded.summary, id, rows, &query);
    }
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = query.page().min(pages);
    let shown: Vec<ProblemRow> = rows.into_iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE).collect();
    let shown_measures: usize = shown.iter().map(|r| r.measures.len()).sum();
    let base = format!("/inspections/{id}/ledger");
    let with_sort = format::query_string(&query.pairs(true));
    let page_href = |p: usize| {
        let mut pairs = query.pairs(true);
        if p > 1 {
            pairs.push(("page", p.to_string()));
        }
        let qs = format::query_string(&pairs);
        if qs.is_empty() { base.clone() } else { format!("{base}?{qs}") }
    };
    let sort_href = |key: &str| {
        let mut pairs = query.pairs(false);
        if key != "number" {
            pairs.push(("sort", key.to_string()));
        }
        let qs = format::query_string(&pairs);
        if qs.is_empty() { base.clone() } else { format!("{base}?{qs}") }
    };
    let sorts: Vec<Value> = [("number", "按序号"), ("light", "按预警"), ("deadline", "按时限"), ("status", "按状态")]
        .into_iter()
        .map(|(key, label)| context! { key, label, href => sort_href(key), current => key == query.sort_key() })
        .collect();
    let name = scope::inspection_name(&loaded.summary);
    // htmx asks for the table only; a history restore needs the whole page.
    let partial = headers.contains_key("hx-request") && !headers.contains_key("hx-history-restore-request");
    let page_ctx = context! {
        inspection_id => id.get(),
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
        sort_qs => with_sort.clone(),
        imported => query.imported.is_some(),
        can_remind,
        can_assign,
        bulk => can_remind || can_assign,
        can_export => principal.may(&[Permission::ExportLedger]),
        filter_qs => format::query_string(&query.pairs(false)),
        bulk_done => bulk_notice(&headers_query),
        can_publish => principal.may(&[Permission::PublishReport]),
        published_id => published_notice(&headers_query),
        draft => loaded.summary.draft,
        can_edit => crate::service::editing::may_edit(&principal, &loaded.summary),
        partial,
    };
    let chrome = context.chrome(
        "ledger",
        &format!("整改台账 · {}", scope::inspection_name(&loaded.summary)),
        vec![Crumb::link("首页", "/"), Crumb::here(format!("{} · 整改台账", scope::inspection_name(&loaded.summary)))],
        Some(id.get()),
    );
    let template = if partial { "ledger_table.html" } else { "ledger.html" };
    let mut response = render(template, &chrome, page_ctx)?.into_response();
    response.headers_mut().insert(header::VARY, HeaderValue::from_static("HX-Request"));
    Ok(response)
}

/// Whether the query asks for the print view (`print=1`).
fn print_requested(query: &str) -> bool {
    query.split('&').any(|pair| pair == "print=1")
}

/// When the page was printed, in Beijing time.
fn printed_at(state_now: chrono::DateTime<chrono::Utc>) -> String {
    format::beijing(&state_now.to_rfc3339(), false)
}

/// The ledger as filtered, every row on one page, without the site's navigation.
fn ledger_print(
    state: &AppState,
    context: &PageContext,
    summary: &InspectionSummary,
    id: InspectionId,
    rows: Vec<ProblemRow>,
    query: &LedgerQuery,
) -> Result<Response, AppError> {
    let name = scope::inspection_name(summary);
    let labels: [(&str, &str); 7] = [
        ("aspect", "方面"),
        ("status", "状态"),
        ("light", "预警"),
        ("kind", "类型"),
        ("leader", "责任领导"),
        ("dept", "责任部门"),
        ("q", "搜索"),
    ];
    // Aspect, status, light and kind are codes in the query: name them as the rows do.
    let shown_value = |key: &str, value: &str| -> String {
        match key {
            "aspect" => rows.iter().find(|r| r.aspect_index.to_string() == value).map(|r| r.aspect_label.clone()),
            "status" => rows.iter().find(|r| r.status == value).map(|r| r.status_label.to_owned()),
            "light" => {
                rows.iter().flat_map(|r| &r.measures).find(|m| m.light == value).map(|m| m.light_label.to_owned())
            }
            "kind" => rows
                .iter()
                .flat_map(|r| &r.measures)
                .find(|m| m.kind == Some(value))
                .and_then(|m| m.kind_label.map(str::to_owned)),
            _ => None,
        }
        .unwrap_or_else(|| value.to_owned())
    };
    let filters_text = query
        .pairs(false)
        .iter()
        .map(|(k, v)| {
            let label = labels.iter().find(|(key, _)| key == k).map_or(*k, |(_, l)| l);
            format!("{label}：{}", shown_value(k, v))
        })
        .collect::<Vec<_>>()
        .join("；");
    let shown_measures: usize = rows.iter().map(|r| r.measures.len()).sum();
    let chrome = context.chrome("ledger", &format!("整改台账 · {name}"), Vec::new(), Some(id.get()));
    let fields = context! {
        name,
        total => rows.len(),
        total_problems => summary.problems,
        shown_measures,
        filtered => query.is_filtered(),
        filters_text,
        rows => ser(&rows),
        printed_at => printed_at(state.now()),
    };
    Ok(render("ledger_print.html", &chrome, fields)?.into_response())
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

/// The confirmation after a bulk action (`?bulk=remind&sent=3&skipped=1&unassigned=2`), in Chinese.
fn bulk_notice(query: &str) -> Option<String> {
    let get =
        |key: &str| query.split('&').filter_map(|pair| pair.split_once('=')).find(|(k, _)| *k == key).map(|(_, v)| v);
    let number = |key: &str| get(key).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0);
    match get("bulk")? {
        "remind" => {
            let mut text = format!("已发出催办{}条；近期已催办而跳过{}条", number("sent"), number("skipped"));
            if number("unassigned") > 0 {
                text.push_str(&format!("；{}条措施尚未明确责任部门，未催办", number("unassigned")));
            }
            text.push('。');
            Some(text)
        }
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
    evidence: Vec<rows::EvidenceView>,
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
                evidence: e.evidence.iter().map(rows::EvidenceView::from).collect(),
            })
        })
        .collect();
    entries.sort_by_key(|e| e.sort_key);
    entries
}

/// 问题详情.
pub(crate) async fn problem(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    id: ProblemId,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let detail = ledger::problem_detail(&state, &principal, id).await?;
    let (record, all_measures, ledger, summary, measures) =
        (detail.record, detail.all_measures, detail.ledger, detail.summary, detail.visible_measures);
    let inspection = record.inspection_id;
    let all_closed = !all_measures.is_empty()
        && all_measures.iter().all(|m| matches!(m.measure.status, Some(rectify_domain::Status::Completed)));
    let can_close = all_closed
        && record.problem.status != rectify_domain::Status::Completed
        && principal.may(&[Permission::VerifyClosure]);
    let mut own: Vec<&MeasureRecord> = measures.iter().collect();
    own.sort_by_key(|m| m.position);
    let row =
        rows::problem_row(&record, &own, 0, rows::LightsOn { today: state.today(), policy: &ledger.policy.lights });
    let name = summary.as_ref().map(scope::inspection_name).unwrap_or_default();
    let outcomes = outcomes_for(&ledger, record.reference(), None, true);
    let evidence: Vec<rows::EvidenceView> =
        own.iter().flat_map(|m| m.measure.evidence.iter()).map(rows::EvidenceView::from).collect();
    let history = problem_history(&state, id.get(), &own).await?;
    let linked = crate::service::feedback_routing::linked_to(&state, &principal, id).await?;
    let linked_feedback = context! {
        count => linked.count,
        items => linked.readable.iter().map(|f| context! {
            id => f.id,
            subject => f.subject.clone(),
            submitted => format::beijing(&f.submitted_at, false),
        }).collect::<Vec<_>>(),
    };
    let title = format::short(&row.title, 24);
    let chrome = page.chrome(
        "ledger",
        &format!("问题 · {title}"),
        vec![
            Crumb::link("首页", "/"),
            Crumb::link(format!("{name} · 整改台账"), format!("/inspections/{inspection}/ledger")),
            Crumb::here(format!("问题：{title}")),
        ],
        Some(inspection),
    );
    let fields = context! {
        p => ser(&row),
        inspection_id => inspection,
        timeline => ser(timeline_of(&own)),
        outcomes => ser(&outcomes),
        evidence => ser(&evidence),
        disclosure_public => record.problem.disclosure.is_public(),
        history => ser(&history),
        linked_feedback,
        can_close,
        can_edit => summary.as_ref().is_some_and(|s| crate::service::editing::may_edit(&principal, s)),
        done => query.ok().and_then(|Query(q)| q.done),
    };
    Ok(render("problem.html", &chrome, fields)?.into_response())
}

/// `?done=…` after a step, to confirm it once.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct DoneQuery {
    done: Option<String>,
}

/// 整改措施详情, with the workflow steps the viewer may take.
pub(crate) async fn measure(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    id: MeasureId,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let (record, problem, ledger) = ledger::measure_detail(&state, id).await?;
    let lights = rows::LightsOn { today: state.today(), policy: &ledger.policy.lights };
    let m = rows::measure_row(&record, problem.problem.status, lights);
    let p = rows::problem_row(&problem, &[], 0, lights);
    let outcomes = outcomes_for(&ledger, problem.reference(), Some(record.position), true);
    let evidence: Vec<rows::EvidenceView> = record.measure.evidence.iter().map(rows::EvidenceView::from).collect();
    let inspection = record.inspection_id;
    let history = measure_history(&state, id.get()).await?;
    let problem_title = format::short(&p.title, 16);
    // A measure without departments of its own answers through its problem's.
    let has_department = !m.departments.is_empty() || !p.departments.is_empty();
    let chrome = page.chrome(
        "ledger",
        &format!("整改措施 · {}", format::short(&m.text, 24)),
        vec![
            Crumb::link("首页", "/"),
            Crumb::link("整改台账", format!("/inspections/{inspection}/ledger")),
            Crumb::link(format!("问题：{problem_title}"), format!("/problems/{}", problem.id)),
            Crumb::here(format!("措施{}", m.ordinal.trim_end_matches('是'))),
        ],
        Some(inspection),
    );
    let fields = context! {
        m => ser(&m),
        p => ser(&p),
        timeline => ser(timeline_of(&[&record])),
        outcomes => ser(&outcomes),
        evidence => ser(&evidence),
        documents => record.measure.documents.clone(),
        timeline_show_measure => false,
        history => ser(&history),
        wf => panel::panel(&principal, &workflow::workflow_of(&state, id).await?, has_department, page.today),
        done => query.ok().and_then(|Query(q)| q.done.filter(|d| d.len() <= 40)),
    };
    Ok(render("measure.html", &chrome, fields)?.into_response())
}

/// One line of an item's 操作记录 (audit history), as staff who can read the item see it.
#[derive(Debug, Serialize)]
struct HistoryEntry {
    seq: i64,
    /// Beijing time, `2024年8月1日 17:00`.
    at: String,
    actor: String,
    label: &'static str,
    /// The reason of a send-back, an extension or a reopening (理由).
    reason: Option<String>,
    /// The comment of an approval (审核意见).
    comment: Option<String>,
    /// `二是` when the entry is about one of a problem's measures.
    measure: Option<String>,
    measure_id: Option<i64>,
}

/// The successful audited actions on a problem and its (visible) measures, newest first,
/// labelled in Chinese: one query for them all.
async fn problem_history(
    state: &AppState,
    problem: i64,
    measures: &[&MeasureRecord],
) -> Result<Vec<HistoryEntry>, AppError> {
    let mut targets = vec![("problem", problem)];
    targets.extend(measures.iter().map(|m| ("measure", m.id)));
    let entries = audit::item_history(state, &targets).await?;
    let people = audit::People::of(state, &entries).await?;
    Ok(entries
        .iter()
        .filter_map(|e| {
            let measure = measures
                .iter()
                .find(|m| e.target_kind == "measure" && e.target_id.as_deref() == Some(m.id.to_string().as_str()));
            match measure {
                Some(m) => history_entry(e, &people, Some(&format::ordinal(m.position)), m.id),
                None => history_entry(e, &people, None, problem),
            }
        })
        .collect())
}

/// The successful audited actions on one measure, newest first, labelled in Chinese.
async fn measure_history(state: &AppState, id: i64) -> Result<Vec<HistoryEntry>, AppError> {
    let entries = audit::item_history(state, &[("measure", id)]).await?;
    let people = audit::People::of(state, &entries).await?;
    Ok(entries.iter().filter_map(|e| history_entry(e, &people, None, id)).collect())
}

fn history_entry(e: &AuditEntry, people: &audit::People, measure: Option<&str>, id: i64) -> Option<HistoryEntry> {
    let label = labels::item_action_zh(&e.action)?;
    let note = audit::note_of(e);
    Some(HistoryEntry {
        seq: e.seq,
        at: format::beijing(&e.at, false),
        actor: people.name(e),
        label,
        reason: note.reason,
        comment: note.comment,
        measure: measure.map(str::to_owned),
        measure_id: measure.map(|_| id),
    })
}

/// 统计分析 — the figures and the charts (data embedded as JSON, drawn by `app.js`).
pub(crate) async fn dashboard(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    id: InspectionId,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let print = print_requested(uri.query().unwrap_or_default());
    let loaded = load(&state, &principal, id).await?;
    let aspects = rows::by_aspect(&loaded.rows, &loaded.ledger);
    let leaders = rows::by_leader(&loaded.rows);
    let departments = rows::by_department(&loaded.rows);
    let lights: Vec<Value> = rows::light_counts(&loaded.rows)
        .into_iter()
        .map(|(l, n)| context! { key => l.as_str(), name => l.label_zh(), value => n })
        .collect();
    let stated_on = loaded.ledger.report_date.map_or_else(|| state.today(), |d| d.latest());
    let timeline = rows::timeline(&loaded.rows, stated_on);
    let charts = serde_json::json!({
        "aspects": aspects,
        "leaders": leaders,
        "departments": departments,
        "lights": rows::light_counts(&loaded.rows).into_iter()
            .map(|(l, n)| serde_json::json!({"key": l.as_str(), "name": l.label_zh(), "value": n}))
            .collect::<Vec<_>>(),
        "timeline": timeline,
    });
    let charts_json = crate::render::script_json(&charts);
    let indicators: Vec<Value> = crate::service::indicators::of_inspection(&state, id.get())
        .await?
        .iter()
        .map(|r| {
            let s = crate::service::indicators::summary(r);
            let readings: Vec<Value> = r
                .readings
                .iter()
                .rev()
                .map(|x| context! { date => format::chinese_date(x.date), value => s.with_unit(x.value), note => x.note.clone() })
                .collect();
            context! {
                id => r.id,
                name => s.name.clone(),
                unit_of_measure => s.unit_of_measure.clone(),
                baseline => s.with_unit(s.baseline),
                target => s.target.map(|t| s.with_unit(t)),
                latest => s.latest.map(|(_, v)| s.with_unit(v)),
                change => s.change(),
                readings,
            }
        })
        .collect();
    let edit_indicators = crate::service::editing::may_edit(&principal, &loaded.summary);
    let name = scope::inspection_name(&loaded.summary);
    let chrome = page.chrome(
        "dashboard",
        &format!("统计分析 · {name}"),
        vec![Crumb::link("首页", "/"), Crumb::here(format!("{name} · 统计分析"))],
        Some(id.get()),
    );
    let fields = context! {
        inspection_id => id.get(),
        name,
        figures => ser(figures::figures(&loaded.ledger)),
        draft => loaded.summary.draft,
        aspects => ser(&aspects),
        leaders => ser(&leaders),
        departments => ser(&departments),
        lights,
        timeline => ser(&timeline),
        charts_json,
        indicators,
        edit_indicators,
        today => state.today().to_string(),
        can_remind => principal.may(&[Permission::SendReminder]),
        print,
        printed_at => printed_at(state.now()),
    };
    Ok(render("dashboard.html", &chrome, fields)?.into_response())
}
