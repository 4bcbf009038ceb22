//! 回头看 (look-back) in the pages: the inspection office draws a reproducible random sample of
//! closed problems, records for each whether the rectification held (已巩固) or the problem came
//! back (反弹, which reopens it), and reopens a closed problem by hand (反弹重办) from its page.
//!
//! Storage draws the sample and reopens problems; this module only validates the forms, shows
//! the errors next to their fields and lists the look-backs of an inspection.

use std::collections::{BTreeMap, HashMap};

use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use minijinja::context;
use rectify_domain::Status;
use rectify_storage::{Lookback, LookbackResult, ProblemRecord};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::http::page::PageContext;
use crate::ids::{InspectionId, LookbackItemId, ProblemId};
use crate::render::format::{beijing, chinese_date};
use crate::render::{Crumb, render, ser};
use crate::service::session::Principal;
use crate::service::{AppState, accounts, ledger, lookback, scope, workflow};

/// The largest sample one draw may take.
const MAX_SAMPLE: u32 = 500;

/// `?lookback=…&recorded=…` after a draw or a result.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PageQuery {
    lookback: Option<i64>,
    recorded: Option<String>,
}

/// The draw form as submitted (kept as text so that a mistake is shown back as typed).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub(crate) struct DrawForm {
    #[serde(default)]
    sample_size: String,
    #[serde(default)]
    seed: String,
    #[serde(default)]
    scheduled_for: String,
}

/// What is wrong with each field of the draw form.
#[derive(Debug, Default, Serialize)]
struct DrawErrors {
    sample_size: Option<&'static str>,
    seed: Option<&'static str>,
    scheduled_for: Option<&'static str>,
}

impl DrawErrors {
    fn any(&self) -> bool {
        self.sample_size.is_some() || self.seed.is_some() || self.scheduled_for.is_some()
    }
}

/// A valid draw request.
#[derive(Debug, PartialEq, Eq)]
struct Draw {
    sample_size: u32,
    seed: String,
    scheduled_for: NaiveDate,
}

fn validate_draw(form: &DrawForm) -> Result<Draw, DrawErrors> {
    let mut errors = DrawErrors::default();
    let sample_size = form.sample_size.trim().parse::<u32>().ok().filter(|n| (1..=MAX_SAMPLE).contains(n));
    if sample_size.is_none() {
        errors.sample_size = Some("请填写1至500之间的抽查数量");
    }
    let seed = form.seed.trim();
    if seed.is_empty() {
        errors.seed = Some("请填写抽样种子（如当天日期）");
    } else if seed.chars().count() > 100 {
        errors.seed = Some("抽样种子不超过100个字");
    }
    let scheduled_for = form.scheduled_for.trim().parse::<NaiveDate>().ok();
    if scheduled_for.is_none() {
        errors.scheduled_for = Some("请按“年-月-日”填写复查日期，如2025-03-31");
    }
    match (sample_size, scheduled_for) {
        (Some(sample_size), Some(scheduled_for)) if !errors.any() => {
            Ok(Draw { sample_size, seed: seed.to_owned(), scheduled_for })
        }
        _ => Err(errors),
    }
}

/// The result form of one sampled problem.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub(crate) struct ResultForm {
    #[serde(default)]
    result: String,
    #[serde(default)]
    note: String,
}

/// What the second look found, or why the form cannot be accepted.
fn validate_result(form: &ResultForm) -> Result<LookbackResult, &'static str> {
    match form.result.trim() {
        "consolidated" => Ok(LookbackResult::Consolidated),
        "relapsed" if form.note.trim().is_empty() => Err("认定反弹须写明反弹情况"),
        "relapsed" => Ok(LookbackResult::Relapsed),
        _ => Err("请选择复查结论：已巩固或反弹"),
    }
}

/// A sampled problem as the page shows it.
#[derive(Debug, Serialize)]
struct ItemView {
    id: i64,
    problem_id: i64,
    title: String,
    status_label: &'static str,
    result: &'static str,
    result_label: &'static str,
    note: Option<String>,
    checked_at: Option<String>,
    /// Who recorded the result, by name.
    checked_by: Option<String>,
    /// The refused form of this item, shown back with its error.
    error: Option<&'static str>,
    form: ResultForm,
}

/// A look-back as the page shows it.
#[derive(Debug, Serialize)]
struct LookbackView {
    id: i64,
    scheduled_for: String,
    seed: String,
    sample_size: u32,
    created_by_name: String,
    created_at: String,
    pending: usize,
    consolidated: usize,
    relapsed: usize,
    selected: bool,
    items: Vec<ItemView>,
}

fn result_label(result: LookbackResult) -> &'static str {
    match result {
        LookbackResult::Pending => "待复查",
        LookbackResult::Consolidated => "已巩固",
        LookbackResult::Relapsed => "反弹",
    }
}

/// An item's refused form, to show back next to its fields.
struct ItemError {
    item: i64,
    message: &'static str,
    form: ResultForm,
}

fn lookback_view(
    lookback: Lookback,
    names: &HashMap<i64, String>,
    problems: &BTreeMap<i64, &ProblemRecord>,
    selected: Option<i64>,
    refused: Option<&ItemError>,
) -> LookbackView {
    let count = |r: LookbackResult| lookback.items.iter().filter(|i| i.result == r).count();
    let (pending, consolidated, relapsed) =
        (count(LookbackResult::Pending), count(LookbackResult::Consolidated), count(LookbackResult::Relapsed));
    let items = lookback
        .items
        .into_iter()
        .map(|item| {
            let problem = problems.get(&item.problem_id);
            let error = refused.filter(|e| e.item == item.id);
            ItemView {
                id: item.id,
                problem_id: item.problem_id,
                title: problem
                    .map(|p| p.problem.title.to_string())
                    .unwrap_or_else(|| format!("问题{}", item.problem_id)),
                status_label: problem.map_or("", |p| p.problem.status.label_zh()),
                result: item.result.as_str(),
                result_label: result_label(item.result),
                note: item.note,
                checked_at: item.checked_at.map(|t| beijing(&t, false)),
                checked_by: item.checked_by.and_then(|id| names.get(&id).cloned()),
                error: error.map(|e| e.message),
                form: error.map(|e| e.form.clone()).unwrap_or_default(),
            }
        })
        .collect();
    LookbackView {
        id: lookback.id,
        scheduled_for: chinese_date(lookback.scheduled_for),
        seed: lookback.seed,
        sample_size: lookback.sample_size,
        // The drawer by name; the login name only when the account is gone.
        created_by_name: lookback.created_by.and_then(|id| names.get(&id).cloned()).unwrap_or(lookback.created_by_name),
        created_at: beijing(&lookback.created_at, false),
        pending,
        consolidated,
        relapsed,
        selected: selected == Some(lookback.id),
        items,
    }
}

/// The look-backs of an inspection, newest first.
///
/// What the page shows besides the stored look-backs.
#[derive(Default)]
struct PageState {
    form: Option<DrawForm>,
    errors: DrawErrors,
    refused: Option<ItemError>,
    selected: Option<i64>,
    notice: Option<String>,
}

async fn render_page(
    state: &AppState,
    context: &PageContext,
    inspection: InspectionId,
    status: StatusCode,
    shown: PageState,
) -> Result<Response, AppError> {
    let s = scope::require_inspection(state, inspection).await?;
    let name = scope::inspection_name(&s);
    let (records, stored) = lookback::overview(state, inspection).await?;
    let closed = records.iter().filter(|p| p.problem.status == Status::Completed).count();
    let problems: BTreeMap<i64, &ProblemRecord> = records.iter().map(|p| (p.id, p)).collect();
    let people: Vec<i64> = stored
        .iter()
        .flat_map(|l| l.created_by.into_iter().chain(l.items.iter().filter_map(|i| i.checked_by)))
        .collect();
    let names = accounts::display_names(state, &people).await?;
    let lookbacks: Vec<LookbackView> = stored
        .into_iter()
        .map(|l| lookback_view(l, &names, &problems, shown.selected, shown.refused.as_ref()))
        .collect();
    let today = context.today.format("%Y-%m-%d").to_string();
    let form = shown.form.unwrap_or_else(|| DrawForm {
        sample_size: closed.clamp(1, 5).to_string(),
        seed: today.clone(),
        scheduled_for: today,
    });
    let chrome = context.chrome(
        "ledger",
        "回头看",
        vec![
            Crumb::link("首页", "/"),
            Crumb::link(format!("{name} · 整改台账"), format!("/inspections/{inspection}/ledger")),
            Crumb::here("回头看"),
        ],
        Some(inspection.get()),
    );
    let ctx = context! {
        mode => "lookback",
        name,
        inspection_id => inspection.get(),
        closed,
        form => ser(&form),
        errors => ser(&shown.errors),
        lookbacks => ser(&lookbacks),
        notice => shown.notice,
    };
    Ok((status, render("lookback.html", &chrome, ctx)?).into_response())
}

/// `GET /inspections/{id}/lookback`: the draw form and the look-backs of the inspection.
pub(crate) async fn page(
    State(state): State<AppState>,
    context: PageContext,
    id: InspectionId,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let notice = match q.recorded.as_deref() {
        Some("consolidated") => Some("已记录：整改成果已巩固。".to_owned()),
        Some("relapsed") => Some(
            "已记录为反弹：该问题已重新打开（反弹重办），状态恢复为“正在推进”，相关措施须重新整改销号。".to_owned(),
        ),
        _ if q.lookback.is_some() => Some("已抽取样本，请逐项复查并记录结论。".to_owned()),
        _ => None,
    };
    let shown = PageState { selected: q.lookback, notice, ..PageState::default() };
    render_page(&state, &context, id, StatusCode::OK, shown).await
}

/// `POST /inspections/{id}/lookback`: draws the sample, then shows it.
pub(crate) async fn draw(
    State(state): State<AppState>,
    principal: Principal,
    context: PageContext,
    id: InspectionId,
    Form(form): Form<DrawForm>,
) -> Result<Response, AppError> {
    let draw = match validate_draw(&form) {
        Ok(draw) => draw,
        Err(errors) => {
            let shown = PageState { form: Some(form), errors, ..PageState::default() };
            return render_page(&state, &context, id, StatusCode::UNPROCESSABLE_ENTITY, shown).await;
        }
    };
    let drawn = lookback::schedule(&state, &principal, id, draw.scheduled_for, draw.sample_size, &draw.seed).await?;
    Ok(Redirect::to(&format!("/inspections/{id}/lookback?lookback={}", drawn.id)).into_response())
}

/// `POST /lookback-items/{id}`: records 已巩固 or 反弹 (which reopens the problem).
pub(crate) async fn record(
    State(state): State<AppState>,
    principal: Principal,
    context: PageContext,
    item: LookbackItemId,
    Form(form): Form<ResultForm>,
) -> Result<Response, AppError> {
    let (lookback_id, inspection) = lookback::locate_item(&state, item).await?;
    let result = match validate_result(&form) {
        Ok(result) => result,
        Err(message) => {
            let shown = PageState {
                refused: Some(ItemError { item: item.get(), message, form }),
                selected: Some(lookback_id),
                ..PageState::default()
            };
            return render_page(&state, &context, inspection, StatusCode::UNPROCESSABLE_ENTITY, shown).await;
        }
    };
    lookback::record(&state, &principal, item, result, form.note.trim()).await?;
    let to = format!("/inspections/{inspection}/lookback?lookback={lookback_id}&recorded={}", result.as_str());
    Ok(Redirect::to(&to).into_response())
}

/// The 反弹重办 form of the problem page.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReopenForm {
    #[serde(default)]
    reason: String,
}

/// `POST /problems/{id}/reopen`: 反弹重办 of a closed problem, with a required reason.
pub(crate) async fn reopen(
    State(state): State<AppState>,
    principal: Principal,
    context: PageContext,
    id: ProblemId,
    Form(form): Form<ReopenForm>,
) -> Result<Response, AppError> {
    let reason = form.reason.trim();
    if reason.is_empty() {
        let record = ledger::problem(&state, id).await?;
        let chrome = context.chrome(
            "ledger",
            "反弹重办",
            vec![Crumb::link("首页", "/"), Crumb::link("问题详情", format!("/problems/{id}")), Crumb::here("反弹重办")],
            Some(record.inspection_id),
        );
        let ctx = context! {
            mode => "reopen",
            problem_id => id.get(),
            title => record.problem.title.to_string(),
            closed => record.problem.status == Status::Completed,
            reopen_error => "请填写反弹重办的理由",
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render("lookback.html", &chrome, ctx)?).into_response());
    }
    workflow::reopen_problem(&state, &principal, id, reason).await?;
    Ok(Redirect::to(&format!("/problems/{id}?done=reopen")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draw_form(n: &str, seed: &str, date: &str) -> DrawForm {
        DrawForm { sample_size: n.into(), seed: seed.into(), scheduled_for: date.into() }
    }

    #[test]
    fn a_complete_draw_form_is_accepted_with_trimmed_values() {
        let draw = validate_draw(&draw_form(" 3 ", " 2025-03-01 ", "2025-04-30")).unwrap();
        assert_eq!(
            draw,
            Draw {
                sample_size: 3,
                seed: "2025-03-01".into(),
                scheduled_for: NaiveDate::from_ymd_opt(2025, 4, 30).unwrap()
            }
        );
    }

    #[test]
    fn each_bad_field_of_the_draw_gets_its_own_error() {
        let errors = validate_draw(&draw_form("0", "  ", "2025-02-30")).unwrap_err();
        assert!(errors.sample_size.is_some() && errors.seed.is_some() && errors.scheduled_for.is_some());
        let errors = validate_draw(&draw_form("501", "s", "2025-02-28")).unwrap_err();
        assert!(errors.sample_size.is_some() && errors.seed.is_none() && errors.scheduled_for.is_none());
        let errors = validate_draw(&draw_form("abc", "s", "2025-02-28")).unwrap_err();
        assert!(errors.sample_size.is_some());
    }

    #[test]
    fn relapse_needs_a_note_and_the_result_must_be_known() {
        let form = |result: &str, note: &str| ResultForm { result: result.into(), note: note.into() };
        assert_eq!(validate_result(&form("consolidated", "")), Ok(LookbackResult::Consolidated));
        assert_eq!(validate_result(&form("relapsed", "又出现")), Ok(LookbackResult::Relapsed));
        assert!(validate_result(&form("relapsed", "  ")).is_err());
        assert!(validate_result(&form("pending", "x")).is_err());
        assert!(validate_result(&form("", "")).is_err());
    }
}
