//! Editing the ledger in the browser: the inspection's structure (aspects and problems, the
//! draft's gaps and 上线), one problem with its measures, and the form that creates an
//! inspection. Every form posts back here; a refusal shows the same page again with the message
//! beside the form and the typed text kept.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use rectify_domain::{MeasureKind, Status};
use rectify_storage::{AspectRecord, ItemKind, MeasureRecord, ProblemRecord};
use serde::Serialize;

use crate::error::AppError;
use crate::http::extract::form_field;
use crate::http::page::PageContext;
use crate::ids::{AspectId, InspectionId, MeasureId, ProblemId};
use crate::render::{Crumb, format, render, ser};
use crate::service::editing::{self, InspectionInput, ItemPatch};
use crate::service::session::Principal;
use crate::service::{AppState, ledger, scope};

type Fields = Vec<(String, String)>;

/// A refused form: which one, why, and what was typed.
#[derive(Debug, Default, Serialize)]
struct Refusal {
    form: String,
    message: String,
    vals: std::collections::BTreeMap<String, String>,
}

impl Refusal {
    fn of(form: impl Into<String>, e: &AppError, fields: &Fields) -> Option<Refusal> {
        let message = match e {
            AppError::Refused { message_zh, .. } => message_zh.clone(),
            AppError::Conflict { .. } => {
                "提交前该内容已被他人修改，未保存。下面是最新内容，请核对后重新填写提交。".to_owned()
            }
            AppError::Invalid(_) | AppError::BadQuery(_) => "提交的内容格式有误，请检查后重新提交。".to_owned(),
            _ => return None,
        };
        let vals = fields.iter().filter(|(k, _)| k != "csrf_token").cloned().collect();
        Some(Refusal { form: form.into(), message, vals })
    }
}

/// A list typed in one box: separated by 、，, ; or new lines.
fn list(text: &str) -> Vec<String> {
    text.split(['、', '，', ',', '；', ';', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// The patch a form gives: every field it carries is set (an empty one clears the field).
fn patch_of(fields: &Fields) -> ItemPatch {
    let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| Some(v.trim().to_owned()));
    let get_list = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| Some(list(v)));
    ItemPatch {
        version: form_field(fields, "version").and_then(|v| v.parse().ok()),
        position: None,
        number: get("number"),
        title: get("title"),
        category: get("category"),
        scope: get("scope"),
        description: get("description"),
        disclosure: get("disclosure"),
        text: get("text"),
        kind: get("kind"),
        deadline: get("deadline"),
        documents: get_list("documents"),
        first_responsible: get("first_responsible"),
        leader: get("leader"),
        departments: get_list("departments"),
        liaison: get("liaison"),
    }
}

fn version(fields: &Fields) -> Result<i64, AppError> {
    form_field(fields, "version")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| AppError::refused("the form lacks the version", "表单缺少版本号，请刷新页面后重新提交"))
}

fn op(fields: &Fields) -> &str {
    form_field(fields, "op").unwrap_or_default()
}

/// The place one up or down from `position`.
fn moved(position: usize, fields: &Fields) -> Option<usize> {
    match op(fields) {
        "up" => Some(position.saturating_sub(1)),
        "down" => Some(position + 1),
        _ => None,
    }
}

#[derive(Debug, Serialize)]
struct ProblemLine {
    id: i64,
    number: Option<String>,
    title: String,
    version: i64,
    measures: u32,
    status: &'static str,
}

#[derive(Debug, Serialize)]
struct AspectView {
    #[serde(flatten)]
    aspect: AspectRecord,
    problems: Vec<ProblemLine>,
}

/// `GET /inspections/{id}/edit`.
pub(crate) async fn inspection_page(
    State(state): State<AppState>,
    principal: Principal,
    context: PageContext,
    id: InspectionId,
) -> Result<Response, AppError> {
    inspection_view(&state, &principal, &context, id, StatusCode::OK, None, None).await
}

async fn inspection_view(
    state: &AppState,
    principal: &Principal,
    context: &PageContext,
    id: InspectionId,
    status: StatusCode,
    refusal: Option<Refusal>,
    notice: Option<&str>,
) -> Result<Response, AppError> {
    let (summary, _) = editing::require_editor(state, principal, id.get()).await?;
    let aspects = editing::aspects(state, id).await?;
    let problems = state.store().list_problems(id.get()).await?;
    let gaps = if summary.draft { editing::draft_gaps(state, id).await? } else { Vec::new() };
    let views: Vec<AspectView> = aspects
        .into_iter()
        .map(|aspect| {
            let problems = problems
                .iter()
                .filter(|p| p.aspect_id == aspect.id)
                .map(|p| ProblemLine {
                    id: p.id,
                    number: p.problem.number.clone(),
                    title: p.problem.title.as_str().to_owned(),
                    version: p.version,
                    measures: p.measure_count,
                    status: p.problem.status.label_zh(),
                })
                .collect();
            AspectView { aspect, problems }
        })
        .collect();
    let retired: Vec<_> = editing::retired(state, id)
        .await?
        .into_iter()
        .map(|r| {
            context! {
                kind => if r.kind == ItemKind::Problem { "问题" } else { "整改措施" },
                text => r.text,
                reason => r.retirement.reason,
                at => chrono::DateTime::parse_from_rfc3339(&r.retirement.at)
                    .map(|t| format::chinese_date(t.with_timezone(&crate::service::BEIJING).date_naive()))
                    .unwrap_or(r.retirement.at),
            }
        })
        .collect();
    let name = scope::inspection_name(&summary);
    let chrome = context.chrome(
        "ledger",
        &format!("编辑台账 · {name}"),
        vec![
            Crumb::link("首页", "/"),
            Crumb::link(format!("{name} · 整改台账"), format!("/inspections/{id}/ledger")),
            Crumb::here("编辑台账"),
        ],
        Some(id.get()),
    );
    let ctx = context! {
        inspection_id => id.get(),
        name,
        draft => summary.draft,
        gaps,
        aspects => ser(&views),
        retired,
        refusal => ser(&refusal),
        notice,
    };
    Ok((status, render("ledger_edit.html", &chrome, ctx)?).into_response())
}

/// After a form of the inspection page: back to it, or the page again with the refusal.
async fn after_inspection_form(
    state: &AppState,
    principal: &Principal,
    context: &PageContext,
    inspection: i64,
    form: String,
    fields: &Fields,
    result: Result<(), AppError>,
) -> Result<Response, AppError> {
    let id = InspectionId::new(inspection).ok_or_else(|| AppError::not_found("inspection", inspection))?;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/inspections/{id}/edit#{form}")).into_response()),
        Err(e) => match Refusal::of(form, &e, fields) {
            Some(refusal) => {
                let status = if matches!(e, AppError::Conflict { .. }) {
                    StatusCode::CONFLICT
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                inspection_view(state, principal, context, id, status, Some(refusal), None).await
            }
            None => Err(e),
        },
    }
}

/// `POST /inspections/{id}/aspects`: adds an aspect.
pub(crate) async fn add_aspect(
    State(state): State<AppState>,
    principal: Principal,
    context: PageContext,
    id: InspectionId,
    Form(fields): Form<Fields>,
) -> Result<Response, AppError> {
    let result = editing::add_aspect(&state, &principal, id, &patch_of(&fields)).await.map(|_| ());
    after_inspection_form(&state, &principal, &context, id.get(), "new-aspect".into(), &fields, result).await
}

/// `POST /inspections/{id}/go-live`: takes a complete draft live.
pub(crate) async fn go_live(
    State(state): State<AppState>,
    principal: Principal,
    context: PageContext,
    id: InspectionId,
    Form(fields): Form<Fields>,
) -> Result<Response, AppError> {
    match editing::go_live(&state, &principal, id).await {
        Ok(()) => Ok(Redirect::to(&format!("/inspections/{id}/ledger")).into_response()),
        Err(e) => after_inspection_form(&state, &principal, &context, id.get(), "draft".into(), &fields, Err(e)).await,
    }
}

/// `POST /aspects/{id}/edit`: saves, moves (`op=up|down`) or deletes (`op=delete`) an aspect.
pub(crate) async fn edit_aspect(
    State(state): State<AppState>,
    principal: Principal,
    context: PageContext,
    id: AspectId,
    Form(fields): Form<Fields>,
) -> Result<Response, AppError> {
    let inspection =
        state.store().aspect_inspection(id.get()).await?.ok_or_else(|| AppError::not_found("aspect", id))?;
    let result = async {
        let version = version(&fields)?;
        match op(&fields) {
            "delete" => editing::delete_aspect(&state, &principal, id, version).await,
            "save" => editing::update_aspect(&state, &principal, id, &patch_of(&fields)).await.map(|_| ()),
            "up" | "down" => {
                let aspects = state.store().list_aspects(inspection).await?;
                let position = aspects.iter().find(|a| a.id == id.get()).map_or(0, |a| a.position);
                let patch =
                    ItemPatch { version: Some(version), position: moved(position, &fields), ..ItemPatch::default() };
                editing::update_aspect(&state, &principal, id, &patch).await.map(|_| ())
            }
            _ => Err(AppError::refused("unknown operation", "未知的操作")),
        }
    }
    .await;
    after_inspection_form(&state, &principal, &context, inspection, format!("a-{id}"), &fields, result).await
}

/// `POST /aspects/{id}/problems`: adds a problem to an aspect.
pub(crate) async fn add_problem(
    State(state): State<AppState>,
    principal: Principal,
    context: PageContext,
    id: AspectId,
    Form(fields): Form<Fields>,
) -> Result<Response, AppError> {
    let inspection =
        state.store().aspect_inspection(id.get()).await?.ok_or_else(|| AppError::not_found("aspect", id))?;
    let result = editing::add_problem(&state, &principal, id, &patch_of(&fields)).await;
    match result {
        Ok(created) => Ok(Redirect::to(&format!("/problems/{}/edit?created=1", created.id)).into_response()),
        Err(e) => {
            after_inspection_form(&state, &principal, &context, inspection, format!("add-{id}"), &fields, Err(e)).await
        }
    }
}

/// `GET /problems/{id}/edit`: the problem's fields and its measures.
pub(crate) async fn problem_page(
    State(state): State<AppState>,
    principal: Principal,
    context: PageContext,
    id: ProblemId,
    query: axum::extract::RawQuery,
) -> Result<Response, AppError> {
    let notice = match query.0.as_deref() {
        Some(q) if q.contains("created=1") => Some("问题已添加，请补充整改措施、责任和完成时限。"),
        Some(q) if q.contains("saved=1") => Some("已保存。"),
        _ => None,
    };
    problem_view(&state, &principal, &context, id, StatusCode::OK, None, notice).await
}

#[derive(Debug, Serialize)]
struct MeasureView {
    id: i64,
    version: i64,
    position: usize,
    ordinal: String,
    text: String,
    kind: Option<&'static str>,
    deadline: Option<String>,
    documents: String,
    first_responsible: Option<String>,
    leader: Option<String>,
    departments: String,
    liaison: Option<String>,
    retired_reason: Option<String>,
}

fn measure_view(m: &MeasureRecord) -> MeasureView {
    let r = &m.measure.responsibility;
    MeasureView {
        id: m.id,
        version: m.version,
        position: m.position,
        ordinal: format!("{}是", rectify_domain::numerals::to_chinese(m.position as u32 + 1)),
        text: m.measure.text.as_str().to_owned(),
        kind: m.measure.kind.map(MeasureKind::as_str),
        deadline: m.measure.deadline.map(|d| d.to_string()),
        documents: m.measure.documents.join("、"),
        first_responsible: r.first_responsible.clone(),
        leader: r.leader.clone(),
        departments: r.departments.join("、"),
        liaison: r.liaison.clone(),
        retired_reason: m.retired.as_ref().map(|r| r.reason.clone()),
    }
}

async fn problem_view(
    state: &AppState,
    principal: &Principal,
    context: &PageContext,
    id: ProblemId,
    status: StatusCode,
    refusal: Option<Refusal>,
    notice: Option<&str>,
) -> Result<Response, AppError> {
    let record: ProblemRecord = ledger::problem(state, id).await?;
    let (summary, _) = editing::require_editor(state, principal, record.inspection_id).await?;
    let measures = state.store().list_measures(record.inspection_id, Some(id.get())).await?;
    let (live, retired): (Vec<_>, Vec<_>) = measures.iter().partition(|m| m.retired.is_none());
    let p = &record.problem;
    let r = &p.responsibility;
    let name = scope::inspection_name(&summary);
    let inspection = record.inspection_id;
    let chrome = context.chrome(
        "ledger",
        &format!("编辑问题 · {}", p.title.as_str()),
        vec![
            Crumb::link("首页", "/"),
            Crumb::link(format!("{name} · 整改台账"), format!("/inspections/{inspection}/ledger")),
            Crumb::link("编辑台账", format!("/inspections/{inspection}/edit")),
            Crumb::here("编辑问题"),
        ],
        Some(inspection),
    );
    let ctx = context! {
        inspection_id => inspection,
        p => context! {
            id => record.id,
            version => record.version,
            aspect => record.aspect_title.clone().or(record.aspect_number.clone()),
            number => p.number.clone(),
            title => p.title.as_str(),
            category => p.category.clone(),
            description => p.description.clone(),
            disclosure => ser(p.disclosure),
            first_responsible => r.first_responsible.clone(),
            leader => r.leader.clone(),
            departments => r.departments.join("、"),
            liaison => r.liaison.clone(),
            status => p.status.label_zh(),
            started => p.status != Status::NotStarted && p.status != Status::Unknown,
            retired_reason => record.retired.as_ref().map(|r| r.reason.clone()),
        },
        measures => ser(live.iter().map(|m| measure_view(m)).collect::<Vec<_>>()),
        retired => ser(retired.iter().map(|m| measure_view(m)).collect::<Vec<_>>()),
        kinds => [MeasureKind::Immediate, MeasureKind::TimeLimited, MeasureKind::LongTerm]
            .map(|k| context! { value => k.as_str(), label => k.label_zh() }),
        refusal => ser(&refusal),
        notice,
    };
    Ok((status, render("problem_edit.html", &chrome, ctx)?).into_response())
}

/// After a form of the problem page: back to it (or to the inspection page when the problem is
/// gone), or the page again with the refusal.
async fn after_problem_form(
    state: &AppState,
    principal: &Principal,
    context: &PageContext,
    problem: ProblemId,
    form: String,
    fields: &Fields,
    result: Result<(), AppError>,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/problems/{problem}/edit?saved=1#{form}")).into_response()),
        Err(e) => match Refusal::of(form, &e, fields) {
            Some(refusal) => {
                let status = if matches!(e, AppError::Conflict { .. }) {
                    StatusCode::CONFLICT
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                problem_view(state, principal, context, problem, status, Some(refusal), None).await
            }
            None => Err(e),
        },
    }
}

/// `POST /problems/{id}/edit`: saves, moves, deletes or retires (`op=retire`, `reason`) a problem.
pub(crate) async fn edit_problem(
    State(state): State<AppState>,
    principal: Principal,
    context: PageContext,
    id: ProblemId,
    Form(fields): Form<Fields>,
) -> Result<Response, AppError> {
    let record = ledger::problem(&state, id).await?;
    let from_inspection = form_field(&fields, "back") == Some("inspection");
    let result = async {
        let version = version(&fields)?;
        match op(&fields) {
            "save" => editing::update_problem(&state, &principal, id, &patch_of(&fields)).await.map(|_| ()),
            "up" | "down" => {
                let patch = ItemPatch {
                    version: Some(version),
                    position: moved(record.position, &fields),
                    ..ItemPatch::default()
                };
                editing::update_problem(&state, &principal, id, &patch).await.map(|_| ())
            }
            "delete" => editing::delete_item(&state, &principal, ItemKind::Problem, id.get(), version).await,
            "retire" => {
                let reason = form_field(&fields, "reason").unwrap_or_default();
                editing::retire_item(&state, &principal, ItemKind::Problem, id.get(), version, reason).await
            }
            _ => Err(AppError::refused("unknown operation", "未知的操作")),
        }
    }
    .await;
    let gone = result.is_ok() && matches!(op(&fields), "delete" | "retire");
    if from_inspection || gone {
        let form = if gone { "retired".to_owned() } else { format!("p-{id}") };
        return after_inspection_form(&state, &principal, &context, record.inspection_id, form, &fields, result).await;
    }
    after_problem_form(&state, &principal, &context, id, "problem".into(), &fields, result).await
}

/// `POST /problems/{id}/measures`: adds a measure.
pub(crate) async fn add_measure(
    State(state): State<AppState>,
    principal: Principal,
    context: PageContext,
    id: ProblemId,
    Form(fields): Form<Fields>,
) -> Result<Response, AppError> {
    let result = editing::add_measure(&state, &principal, id, &patch_of(&fields)).await.map(|_| ());
    after_problem_form(&state, &principal, &context, id, "new-measure".into(), &fields, result).await
}

/// `POST /measures/{id}/edit`: saves, moves, splits (`first`, `second`), deletes or retires a measure.
pub(crate) async fn edit_measure(
    State(state): State<AppState>,
    principal: Principal,
    context: PageContext,
    id: MeasureId,
    Form(fields): Form<Fields>,
) -> Result<Response, AppError> {
    let record = ledger::measure(&state, id).await?;
    let problem = ProblemId::new(record.problem_id).ok_or_else(|| AppError::not_found("problem", record.problem_id))?;
    let result = async {
        let version = version(&fields)?;
        match op(&fields) {
            "save" => editing::update_measure(&state, &principal, id, &patch_of(&fields)).await.map(|_| ()),
            "up" | "down" => {
                let patch = ItemPatch {
                    version: Some(version),
                    position: moved(record.position, &fields),
                    ..ItemPatch::default()
                };
                editing::update_measure(&state, &principal, id, &patch).await.map(|_| ())
            }
            "split" => {
                let part = |name: &str| form_field(&fields, name).map(str::to_owned);
                editing::split_measure(&state, &principal, id, version, part("first"), part("second")).await.map(|_| ())
            }
            "delete" => editing::delete_item(&state, &principal, ItemKind::Measure, id.get(), version).await,
            "retire" => {
                let reason = form_field(&fields, "reason").unwrap_or_default();
                editing::retire_item(&state, &principal, ItemKind::Measure, id.get(), version, reason).await
            }
            _ => Err(AppError::refused("unknown operation", "未知的操作")),
        }
    }
    .await;
    after_problem_form(&state, &principal, &context, problem, format!("m-{id}"), &fields, result).await
}

/// `GET /inspections/new`: the form that creates an inspection.
pub(crate) async fn new_page(context: PageContext) -> Result<Response, AppError> {
    new_view(&context, StatusCode::OK, None)
}

fn new_view(context: &PageContext, status: StatusCode, refusal: Option<Refusal>) -> Result<Response, AppError> {
    let chrome =
        context.chrome("documents", "新建巡察台账", vec![Crumb::link("首页", "/"), Crumb::here("新建巡察台账")], None);
    Ok((status, render("inspection_new.html", &chrome, context! { refusal => ser(&refusal) })?).into_response())
}

/// `POST /inspections/new`: creates the inspection and opens it for editing.
pub(crate) async fn create(
    State(state): State<AppState>,
    principal: Principal,
    context: PageContext,
    Form(fields): Form<Fields>,
) -> Result<Response, AppError> {
    let get = |name: &str| form_field(&fields, name).map(str::to_owned);
    let input = InspectionInput {
        unit: get("unit").unwrap_or_default(),
        round: get("round"),
        kind: get("kind"),
        inspector: get("inspector"),
        start: get("start"),
        end: get("end"),
        feedback_date: get("feedback_date"),
        feedback_document: get("feedback_document"),
    };
    match editing::create_inspection(&state, &principal, input).await {
        // The office creates; the unit's liaison (granted the new inspection) fills it in.
        Ok(created) => Ok(Redirect::to(&format!("/inspections/{}/ledger", created.id)).into_response()),
        Err(e) => match Refusal::of("new", &e, &fields) {
            Some(refusal) => new_view(&context, StatusCode::UNPROCESSABLE_ENTITY, Some(refusal)),
            None => Err(e),
        },
    }
}
