//! 双随机抽查 in the browser: the registries and the rounds on one page with three tabs, and a
//! page per round (draw, findings, ledger, publication). Forms post and come back to the page
//! with a notice; a refusal is shown on the page with its reason.

use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use rectify_domain::spot_check::{Finding, InspectorInput, ObjectInput, ObjectStatus};
use rectify_storage::SpotRound;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::http::page::PageContext;
use crate::ids::{SpotInspectorId, SpotObjectId, SpotRoundId};
use crate::render::format::{beijing, chinese_date, encode};
use crate::render::{Crumb, render, ser};
use crate::service::AppState;
use crate::service::session::Principal;
use crate::service::spot_checks::{self as spot, FindingInput, MANAGE, PUBLISH, RoundInput};

/// Rows a registry tab shows at once.
const PAGE_ROWS: u32 = 100;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct IndexQuery {
    tab: Option<String>,
    unit: Option<String>,
    offset: Option<u64>,
    done: Option<String>,
}

fn notice(done: Option<&str>) -> Option<String> {
    Some(
        match done? {
            "object" => "已登记监管对象。",
            "object_updated" => "已修改监管对象。",
            "object_retired" => "已注销该监管对象：今后不再被抽取，以往抽查记录保留。",
            "inspector" => "已登记检查人员。",
            "inspector_updated" => "已修改检查人员信息。",
            "round" => "已新建抽查批次，请抽取检查对象和检查人员。",
            "drawn" => "已随机抽取。随机种子和抽取结果已记录，任何人可凭种子复核。",
            "recorded" => "已记录检查结果。",
            "ledger" => "已生成专项检查整改台账，问题将按整改流程办理。",
            "ledger_exists" => "本批次的整改台账已生成过，未重复生成。",
            "published" => "已在公开栏目公布抽查情况。",
            "withdrawn" => "已撤回公开。",
            d if d.starts_with("imported-") => return Some(format!("已导入{}条记录。", &d[9..])),
            _ => return None,
        }
        .to_owned(),
    )
}

#[derive(Debug, Serialize)]
struct ObjectRow {
    id: i64,
    unit: String,
    name: String,
    address: String,
    owner: String,
    area: String,
    status: &'static str,
    status_label: &'static str,
    category: String,
    retired: bool,
}

#[derive(Debug, Serialize)]
struct InspectorRow {
    id: i64,
    unit: String,
    name: String,
    department: String,
    certificate: String,
    active: bool,
}

#[derive(Debug, Serialize)]
struct RoundRow {
    id: i64,
    unit: String,
    name: String,
    check_date: String,
    size: String,
    state: &'static str,
    figures: spot::RoundFigures,
    published: bool,
    inspection_id: Option<i64>,
}

fn round_state(round: &SpotRound) -> &'static str {
    let f = spot::figures(round);
    if round.inspection_id.is_some() {
        "已生成整改台账"
    } else if round.draw.is_none() {
        "待抽取"
    } else if f.recorded < f.drawn {
        "检查中"
    } else {
        "检查完毕"
    }
}

fn round_row(round: &SpotRound) -> RoundRow {
    RoundRow {
        id: round.id,
        unit: round.unit.clone(),
        name: round.name.clone(),
        check_date: chinese_date(round.check_date),
        size: format!("{}个对象，每个对象{}名检查人员", round.size.objects, round.size.inspectors_per_object),
        state: round_state(round),
        figures: spot::figures(round),
        published: round.published_at.is_some(),
        inspection_id: round.inspection_id,
    }
}

async fn index_page(
    state: &AppState,
    context: &PageContext,
    principal: &Principal,
    q: &IndexQuery,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let tab = match q.tab.as_deref() {
        Some("objects") => "objects",
        Some("inspectors") => "inspectors",
        _ => "rounds",
    };
    let page = rectify_storage::Page { offset: q.offset.unwrap_or(0).min(i64::MAX as u64), limit: PAGE_ROWS };
    let unit = q.unit.as_deref().filter(|u| !u.trim().is_empty());
    let (mut objects, mut inspectors, mut rounds) = (Vec::new(), Vec::new(), Vec::new());
    let total = match tab {
        "objects" => {
            let (items, total) = spot::objects(state, principal, unit, true, page).await?;
            objects = items
                .into_iter()
                .map(|o| ObjectRow {
                    id: o.id,
                    unit: o.unit,
                    name: o.fields.name,
                    address: o.fields.address.unwrap_or_default(),
                    owner: o.fields.owner.unwrap_or_default(),
                    area: o.fields.area.map(|a| a.to_string()).unwrap_or_default(),
                    status: o.fields.status.as_str(),
                    status_label: o.fields.status.label_zh(),
                    category: o.fields.category.unwrap_or_default(),
                    retired: o.retired,
                })
                .collect();
            total
        }
        "inspectors" => {
            let (items, total) = spot::inspectors(state, principal, unit, page).await?;
            inspectors = items
                .into_iter()
                .map(|i| InspectorRow {
                    id: i.id,
                    unit: i.unit,
                    name: i.fields.name,
                    department: i.fields.department.unwrap_or_default(),
                    certificate: i.fields.certificate.unwrap_or_default(),
                    active: i.fields.active,
                })
                .collect();
            total
        }
        _ => {
            let (items, total) = spot::rounds(state, principal, unit, page).await?;
            rounds = items.iter().map(round_row).collect();
            total
        }
    };
    let next = (page.offset + u64::from(PAGE_ROWS) < total).then(|| page.offset + u64::from(PAGE_ROWS));
    let units = spot::managed_units(state, principal).await?;
    // The unit column says nothing to a liaison whose every row is of their own single unit.
    let row_units =
        objects.iter().map(|o| &o.unit).chain(inspectors.iter().map(|i| &i.unit)).chain(rounds.iter().map(|r| &r.unit));
    let own_unit_only = units.len() == 1 && row_units.into_iter().all(|u| Some(u) == units.first());
    let statuses: Vec<(&str, &str)> = ObjectStatus::ALL.iter().map(|s| (s.as_str(), s.label_zh())).collect();
    let chrome =
        context.chrome("spot_checks", "双随机抽查", vec![Crumb::link("首页", "/"), Crumb::here("双随机抽查")], None);
    let page = context! {
        tab,
        unit => unit.unwrap_or_default(),
        unit_query => unit.map(|u| format!("&unit={}", encode(u))).unwrap_or_default(),
        units,
        show_unit => !own_unit_only,
        can_manage => principal.may(MANAGE),
        total,
        next,
        objects => ser(&objects),
        inspectors => ser(&inspectors),
        rounds => ser(&rounds),
        statuses,
        today => context.today.format("%Y-%m-%d").to_string(),
        notice => notice(q.done.as_deref()),
        error,
    };
    Ok((status, render("spot_checks.html", &chrome, page)?).into_response())
}

/// `GET /spot-checks`: the rounds, the objects and the inspectors of the caller's units.
pub(crate) async fn index(
    State(state): State<AppState>,
    context: PageContext,
    principal: Principal,
    query: Result<Query<IndexQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let q = query.map(|Query(q)| q).unwrap_or_default();
    index_page(&state, &context, &principal, &q, None, StatusCode::OK).await
}

/// The index again with a refusal shown on the tab the form was on.
async fn refused_on(
    state: &AppState,
    context: &PageContext,
    principal: &Principal,
    tab: &str,
    e: AppError,
) -> Result<Response, AppError> {
    match e {
        AppError::Refused { message_zh, .. } | AppError::BadRequest { message_zh, .. } => {
            let q = IndexQuery { tab: Some(tab.to_owned()), ..IndexQuery::default() };
            index_page(state, context, principal, &q, Some(message_zh), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        other => Err(other),
    }
}

fn back(tab: &str, done: &str) -> Response {
    Redirect::to(&format!("/spot-checks?tab={tab}&done={done}")).into_response()
}

/// The object form.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ObjectForm {
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    address: Option<String>,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    area: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    category: Option<String>,
}

impl ObjectForm {
    fn input(&self) -> ObjectInput {
        ObjectInput {
            name: self.name.clone(),
            address: self.address.clone(),
            owner: self.owner.clone(),
            area: self.area.clone(),
            status: self.status.clone(),
            category: self.category.clone(),
        }
    }
}

/// `POST /spot-checks/objects`.
pub(crate) async fn add_object(
    State(state): State<AppState>,
    context: PageContext,
    principal: Principal,
    Form(form): Form<ObjectForm>,
) -> Result<Response, AppError> {
    match spot::add_object(&state, &principal, form.unit.as_deref(), &form.input()).await {
        Ok(_) => Ok(back("objects", "object")),
        Err(e) => refused_on(&state, &context, &principal, "objects", e).await,
    }
}

/// `POST /spot-checks/objects/{id}`.
pub(crate) async fn update_object(
    State(state): State<AppState>,
    context: PageContext,
    principal: Principal,
    Path(id): Path<String>,
    Form(form): Form<ObjectForm>,
) -> Result<Response, AppError> {
    let id = SpotObjectId::parse(&id)?.get();
    match spot::update_object(&state, &principal, id, &form.input()).await {
        Ok(()) => Ok(back("objects", "object_updated")),
        Err(e) => refused_on(&state, &context, &principal, "objects", e).await,
    }
}

/// `POST /spot-checks/objects/{id}/retire`.
pub(crate) async fn retire_object(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    spot::retire_object(&state, &principal, SpotObjectId::parse(&id)?.get()).await?;
    Ok(back("objects", "object_retired"))
}

async fn import(
    state: &AppState,
    context: &PageContext,
    principal: &Principal,
    tab: &str,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    let read = match multipart {
        Ok(m) => super::api::read_import(m).await,
        Err(_) => {
            Err(AppError::BadRequest { message: "unreadable form".into(), message_zh: "表单无法读取".into() })
        }
    };
    let done = match read {
        Ok((unit, bytes)) if tab == "objects" => spot::import_objects(state, principal, unit.as_deref(), &bytes).await,
        Ok((unit, bytes)) => spot::import_inspectors(state, principal, unit.as_deref(), &bytes).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(n) => Ok(back(tab, &format!("imported-{n}"))),
        Err(e) => refused_on(state, context, principal, tab, e).await,
    }
}

/// `POST /spot-checks/objects/import` (multipart: `csrf_token`, `unit`, `file`).
pub(crate) async fn import_objects(
    State(state): State<AppState>,
    context: PageContext,
    principal: Principal,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    import(&state, &context, &principal, "objects", multipart).await
}

/// `POST /spot-checks/inspectors/import`.
pub(crate) async fn import_inspectors(
    State(state): State<AppState>,
    context: PageContext,
    principal: Principal,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    import(&state, &context, &principal, "inspectors", multipart).await
}

/// The inspector form (`active` is a checkbox: present means 在岗).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct InspectorForm {
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    department: Option<String>,
    #[serde(default)]
    certificate: Option<String>,
    #[serde(default)]
    active: Option<String>,
}

impl InspectorForm {
    fn input(&self, new: bool) -> InspectorInput {
        InspectorInput {
            name: self.name.clone(),
            department: self.department.clone(),
            certificate: self.certificate.clone(),
            active: Some(new || self.active.is_some()),
        }
    }
}

/// `POST /spot-checks/inspectors`.
pub(crate) async fn add_inspector(
    State(state): State<AppState>,
    context: PageContext,
    principal: Principal,
    Form(form): Form<InspectorForm>,
) -> Result<Response, AppError> {
    match spot::add_inspector(&state, &principal, form.unit.as_deref(), &form.input(true)).await {
        Ok(_) => Ok(back("inspectors", "inspector")),
        Err(e) => refused_on(&state, &context, &principal, "inspectors", e).await,
    }
}

/// `POST /spot-checks/inspectors/{id}`.
pub(crate) async fn update_inspector(
    State(state): State<AppState>,
    context: PageContext,
    principal: Principal,
    Path(id): Path<String>,
    Form(form): Form<InspectorForm>,
) -> Result<Response, AppError> {
    let id = SpotInspectorId::parse(&id)?.get();
    match spot::update_inspector(&state, &principal, id, &form.input(false)).await {
        Ok(()) => Ok(back("inspectors", "inspector_updated")),
        Err(e) => refused_on(&state, &context, &principal, "inspectors", e).await,
    }
}

/// The new-round form.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RoundForm {
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    check_date: String,
    #[serde(default)]
    objects: String,
    #[serde(default)]
    inspectors_per_object: String,
}

/// `POST /spot-checks/rounds`: creates the round and opens it.
pub(crate) async fn create_round(
    State(state): State<AppState>,
    context: PageContext,
    principal: Principal,
    Form(form): Form<RoundForm>,
) -> Result<Response, AppError> {
    let input = RoundInput {
        unit: form.unit,
        name: form.name,
        check_date: form.check_date,
        objects: form.objects,
        inspectors_per_object: form.inspectors_per_object,
    };
    match spot::create_round(&state, &principal, &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/spot-checks/rounds/{id}?done=round")).into_response()),
        Err(e) => refused_on(&state, &context, &principal, "rounds", e).await,
    }
}

#[derive(Debug, Serialize)]
struct HazardView {
    text: String,
    deadline: String,
}

#[derive(Debug, Serialize)]
struct ItemView {
    id: i64,
    position: usize,
    object_name: String,
    object_address: String,
    object_owner: String,
    object_category: String,
    inspectors: String,
    outcome: &'static str,
    hazards: Vec<HazardView>,
    hazards_text: String,
    deadline: String,
    recorded: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RoundQuery {
    done: Option<String>,
}

async fn round_page(
    state: &AppState,
    context: &PageContext,
    principal: &Principal,
    id: i64,
    error: Option<String>,
    done: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let round = spot::round(state, principal, id).await?;
    let f = spot::figures(&round);
    let reproduced = round.redraw().map(|again| {
        again.len() == round.items.len()
            && again.iter().zip(&round.items).all(|(a, i)| a.object == i.object_id && a.inspectors == i.inspector_ids)
    });
    // A round stores logins; people read display names. A handful of distinct people per round.
    let logins: Vec<String> = round
        .draw
        .iter()
        .map(|d| d.drawn_by_name.clone())
        .chain(round.items.iter().filter_map(|i| i.recorded_by_name.clone()))
        .collect();
    let names = spot::display_names(state, &logins).await?;
    let name_of = |login: &str| names.get(login).cloned().unwrap_or_else(|| login.to_owned());
    let items: Vec<ItemView> = round
        .items
        .iter()
        .enumerate()
        .map(|(n, i)| {
            let hazards: Vec<HazardView> = i
                .finding
                .as_ref()
                .map(Finding::hazards)
                .unwrap_or_default()
                .iter()
                .map(|h| HazardView { text: h.text.clone(), deadline: chinese_date(h.deadline) })
                .collect();
            let raw = i.finding.as_ref().map(Finding::hazards).unwrap_or_default();
            ItemView {
                id: i.id,
                position: n + 1,
                object_name: i.object_name.clone(),
                object_address: i.object_address.clone().unwrap_or_default(),
                object_owner: i.object_owner.clone().unwrap_or_default(),
                object_category: i.object_category.clone().unwrap_or_default(),
                inspectors: i.inspector_names.join("、"),
                outcome: super::api::outcome(i.finding.as_ref()),
                hazards_text: raw.iter().map(|h| h.text.as_str()).collect::<Vec<_>>().join("\n"),
                deadline: raw.first().map(|h| h.deadline.to_string()).unwrap_or_default(),
                hazards,
                recorded: match (&i.recorded_by_name, &i.recorded_at) {
                    (Some(who), Some(at)) => format!("{}于{}记录", name_of(who), beijing(at, false)),
                    _ => String::new(),
                },
            }
        })
        .collect();
    let may_ledger = crate::service::editing::creator_role(principal, &round.unit).is_some();
    let chrome = context.chrome(
        "spot_checks",
        &round.name,
        vec![Crumb::link("首页", "/"), Crumb::link("双随机抽查", "/spot-checks"), Crumb::here(round.name.clone())],
        None,
    );
    let page = context! {
        id => round.id,
        unit => round.unit.clone(),
        name => round.name.clone(),
        check_date => chinese_date(round.check_date),
        size => format!("抽取{}个检查对象，每个对象{}名检查人员", round.size.objects, round.size.inspectors_per_object),
        state => round_state(&round),
        drawn => round.draw.is_some(),
        seed => round.draw.as_ref().map(|d| d.seed.clone()),
        candidate_objects => round.draw.as_ref().map(|d| d.candidates.objects.len()),
        candidate_inspectors => round.draw.as_ref().map(|d| d.candidates.inspectors.len()),
        drawn_at => round.draw.as_ref().map(|d| format!("{}于{}抽取", name_of(&d.drawn_by_name), beijing(&d.drawn_at, false))),
        reproduced,
        figures => ser(f),
        items => ser(&items),
        inspection_id => round.inspection_id,
        published => round.published_at.is_some(),
        published_at => round.published_at.as_deref().map(|t| beijing(t, false)),
        can_manage => principal.may(MANAGE) && round.inspection_id.is_none(),
        can_publish => principal.may(PUBLISH),
        publish_blocked => spot::publish_blocked(&round),
        can_ledger => may_ledger && round.inspection_id.is_none() && f.drawn > 0 && f.recorded == f.drawn && f.hazards > 0,
        open => f.drawn - f.recorded,
        check_date_iso => round.check_date.to_string(),
        notice => notice(done),
        error,
    };
    Ok((status, render("spot_round.html", &chrome, page)?).into_response())
}

/// `GET /spot-checks/rounds/{id}`.
pub(crate) async fn round(
    State(state): State<AppState>,
    context: PageContext,
    principal: Principal,
    Path(id): Path<String>,
    query: Result<Query<RoundQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let id = SpotRoundId::parse(&id)?.get();
    let q = query.map(|Query(q)| q).unwrap_or_default();
    round_page(&state, &context, &principal, id, None, q.done.as_deref(), StatusCode::OK).await
}

/// The round again with a refusal, or back to it with a notice.
async fn after(
    state: &AppState,
    context: &PageContext,
    principal: &Principal,
    id: i64,
    result: Result<&str, AppError>,
) -> Result<Response, AppError> {
    match result {
        Ok(done) => Ok(Redirect::to(&format!("/spot-checks/rounds/{id}?done={done}")).into_response()),
        Err(AppError::Refused { message_zh, .. } | AppError::BadRequest { message_zh, .. }) => {
            round_page(state, context, principal, id, Some(message_zh), None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DrawForm {
    #[serde(default)]
    seed: Option<String>,
}

/// `POST /spot-checks/rounds/{id}/draw`.
pub(crate) async fn draw(
    State(state): State<AppState>,
    context: PageContext,
    principal: Principal,
    Path(id): Path<String>,
    Form(form): Form<DrawForm>,
) -> Result<Response, AppError> {
    let id = SpotRoundId::parse(&id)?.get();
    let result = spot::draw(&state, &principal, id, form.seed.as_deref()).await.map(|_| "drawn");
    after(&state, &context, &principal, id, result).await
}

/// The finding form of one object: one hazard per line, one deadline for them all; no line
/// means 未发现问题.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ResultForm {
    #[serde(default)]
    item: String,
    #[serde(default)]
    hazards: String,
    #[serde(default)]
    deadline: String,
}

/// `POST /spot-checks/rounds/{id}/results`.
pub(crate) async fn record(
    State(state): State<AppState>,
    context: PageContext,
    principal: Principal,
    Path(id): Path<String>,
    Form(form): Form<ResultForm>,
) -> Result<Response, AppError> {
    let id = SpotRoundId::parse(&id)?.get();
    let item = form.item.trim().parse::<i64>().map_err(|_| AppError::not_found("spot-check item", &form.item))?;
    let hazards: Vec<(String, String)> = form
        .hazards
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| (l.to_owned(), form.deadline.clone()))
        .collect();
    let result = spot::record(&state, &principal, id, &FindingInput { item, hazards }).await.map(|()| "recorded");
    after(&state, &context, &principal, id, result).await
}

/// `POST /spot-checks/rounds/{id}/ledger`.
pub(crate) async fn ledger(
    State(state): State<AppState>,
    context: PageContext,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = SpotRoundId::parse(&id)?.get();
    let result = spot::make_ledger(&state, &principal, id)
        .await
        .map(|(_, created)| if created { "ledger" } else { "ledger_exists" });
    after(&state, &context, &principal, id, result).await
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct PublishForm {
    #[serde(default)]
    withdraw: Option<String>,
}

/// `POST /spot-checks/rounds/{id}/publish` (`withdraw=1` withdraws).
pub(crate) async fn publish(
    State(state): State<AppState>,
    context: PageContext,
    principal: Principal,
    Path(id): Path<String>,
    Form(form): Form<PublishForm>,
) -> Result<Response, AppError> {
    let id = SpotRoundId::parse(&id)?.get();
    let publish = form.withdraw.is_none();
    let result =
        spot::publish(&state, &principal, id, publish).await.map(|()| if publish { "published" } else { "withdrawn" });
    after(&state, &context, &principal, id, result).await
}
