//! 整改评估 in the browser: the ranking of a round with tiers and veto marks, the score sheet
//! form (the office), a unit's own evaluation sheet with the office's adjustments and the
//! adjustment form (the office), and the downloads (.docx per unit, .xlsx per round).

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use rectify_auth::Permission;
use rectify_domain::Rate;
use rectify_domain::evaluation::{
    Deduction, DeductionKind, Indicator, IndicatorKind, Points, ScoreSheet, ScoreSheetSpec, SheetError, Tiers,
};
use rectify_report_writer::{EvaluationSheet, SheetAdjustment, SheetLine, render_evaluation_sheet};
use rectify_workbook::{EvaluationRow, write_evaluation_xlsx};

use super::figures::{deduction_detail, indicator_detail, parse_signed, signed, signed_text};
use crate::error::AppError;
use crate::http::extract::form_field;
use crate::http::page::PageContext;
use crate::ids::{InspectionId, RoundId};
use crate::render::format::{beijing, chinese_date, encode};
use crate::render::{Crumb, render, ser};
use crate::service::AppState;
use crate::service::evaluations::{self, AdjustmentRequest, RoundEvaluation, UnitEvaluation};
use crate::service::session::Principal;

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn can_evaluate(principal: &Principal) -> bool {
    principal.may(&[Permission::EvaluateRectification])
}

fn rate_text(u: &UnitEvaluation) -> Option<String> {
    Rate { numerator: u.outcomes.closed, denominator: u.outcomes.problems }.percent(2)
}

fn row(u: &UnitEvaluation) -> Value {
    context! {
        id => u.inspection_id,
        rank => u.rank,
        name => u.unit.clone(),
        rate => rate_text(u),
        overdue => u.outcomes.overdue_measures,
        relapses => u.outcomes.relapses,
        late_feedback => u.outcomes.feedback_unanswered_late,
        sent_back => u.outcomes.sent_back,
        computed => u.computed.score.to_string(),
        adjustment => (u.adjustment.tenths != 0).then(|| signed_text(u.adjustment.tenths)),
        score => u.verdict.score.to_string(),
        tier => u.verdict.tier.label_zh(),
        tier_code => ser(u.verdict.tier),
        vetoed => u.verdict.vetoed,
    }
}

/// The sheet's fields as the form shows them (typed text kept when refused).
fn sheet_fields(sheet: &ScoreSheet) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    for kind in IndicatorKind::ALL {
        let weight = sheet.indicators().iter().find(|i| i.kind == kind).map_or(0, |i| i.weight);
        fields.insert(format!("w_{}", kind.as_str()), weight.to_string());
    }
    for kind in DeductionKind::ALL {
        let d = sheet.deductions().iter().find(|d| d.kind == kind);
        fields.insert(format!("d_{}", kind.as_str()), d.map(|d| d.per_item.to_string()).unwrap_or_default());
        fields.insert(format!("c_{}", kind.as_str()), d.and_then(|d| d.cap).map(|c| c.to_string()).unwrap_or_default());
    }
    fields.insert("grace_days".into(), sheet.feedback_grace_days().to_string());
    fields.insert("veto_relapses".into(), sheet.veto_relapses().map(|n| n.to_string()).unwrap_or_default());
    let t = sheet.tiers();
    fields.insert("tier_good".into(), t.good.to_string());
    fields.insert("tier_fairly_good".into(), t.fairly_good.to_string());
    fields.insert("tier_fair".into(), t.fair.to_string());
    fields
}

fn sheet_view(sheet: &ScoreSheet) -> Value {
    let indicators: Vec<Value> = IndicatorKind::ALL
        .iter()
        .map(|k| {
            context! { code => k.as_str(), name => k.label_zh(),
            weight => sheet.indicators().iter().find(|i| i.kind == *k).map(|i| i.weight) }
        })
        .collect();
    let deductions: Vec<Value> = DeductionKind::ALL
        .iter()
        .map(|k| {
            let d = sheet.deductions().iter().find(|d| d.kind == *k);
            context! { code => k.as_str(), name => k.label_zh(),
            per_item => d.map(|d| d.per_item.to_string()), cap => d.and_then(|d| d.cap).map(|c| c.to_string()) }
        })
        .collect();
    let t = sheet.tiers();
    context! {
        indicators, deductions,
        grace_days => sheet.feedback_grace_days(),
        veto_relapses => sheet.veto_relapses(),
        good => t.good.to_string(), fairly_good => t.fairly_good.to_string(), fair => t.fair.to_string(),
    }
}

async fn round_page(
    state: &AppState,
    principal: &Principal,
    page: &PageContext,
    id: i64,
    status: StatusCode,
    refused: Option<(String, BTreeMap<String, String>)>,
) -> Result<Response, AppError> {
    let evaluation = evaluations::visible(state, principal, id).await?;
    let rows: Vec<Value> = evaluation.units.iter().map(row).collect();
    let mut tiers: BTreeMap<&str, u32> = BTreeMap::new();
    for u in &evaluation.units {
        *tiers.entry(u.verdict.tier.label_zh()).or_default() += 1;
    }
    let vetoed = evaluation.units.iter().filter(|u| u.verdict.vetoed).count();
    let (error, fields) = match refused {
        Some((message, fields)) => (Some(message), fields),
        None => (None, sheet_fields(&evaluation.sheet)),
    };
    let name = evaluation.round.name.clone();
    let title = format!("{name} · 整改评估");
    let chrome = page.chrome("rounds", &title, Crumb::under_round(id, name.clone(), [Crumb::here("整改评估")]), None);
    let fields = context! {
        id, name, rows,
        tiers => ["好", "较好", "一般", "差"].iter().map(|t| context! { name => *t, count => tiers.get(t).copied().unwrap_or(0) }).collect::<Vec<_>>(),
        vetoed,
        sheet => sheet_view(&evaluation.sheet),
        configured => evaluation.configured.as_ref().map(|(by, at)| format!("{by}于{}设置", beijing(at, false))),
        can_evaluate => can_evaluate(principal),
        error, form => fields,
    };
    Ok((status, render("evaluations.html", &chrome, fields)?).into_response())
}

/// `GET /rounds/{id}/evaluations`: the ranking of the units the account sees.
pub(crate) async fn round(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = RoundId::parse(&id)?.get();
    round_page(&state, &principal, &page, id, StatusCode::OK, None).await
}

/// Reads the sheet form: blank weights leave an indicator out, a blank per-item deduction
/// leaves a deduction out, a blank cap means none.
fn read_sheet(fields: &[(String, String)]) -> Result<ScoreSheet, String> {
    let bad_number = |label: &str| format!("“{label}”应填写整数");
    let mut indicators = Vec::new();
    for kind in IndicatorKind::ALL {
        if let Some(text) = form_field(fields, &format!("w_{}", kind.as_str())) {
            let weight: u32 = text.parse().map_err(|_| bad_number(kind.label_zh()))?;
            if weight > 0 {
                indicators.push(Indicator { kind, weight });
            }
        }
    }
    let points = |text: &str| Points::parse(text).map_err(|e| e.message_zh());
    let mut deductions = Vec::new();
    for kind in DeductionKind::ALL {
        if let Some(per) = form_field(fields, &format!("d_{}", kind.as_str())) {
            let cap = form_field(fields, &format!("c_{}", kind.as_str())).map(points).transpose()?;
            deductions.push(Deduction { kind, per_item: points(per)?, cap });
        }
    }
    let whole = |name: &str, label: &str| -> Result<Option<u32>, String> {
        form_field(fields, name).map(|t| t.parse::<u32>().map_err(|_| bad_number(label))).transpose()
    };
    let tier = |name: &str| -> Result<Points, String> {
        points(form_field(fields, name).ok_or_else(|| SheetError::TiersNotOrdered.message_zh())?)
    };
    let spec = ScoreSheetSpec {
        indicators,
        deductions,
        feedback_grace_days: whole("grace_days", "答复期限")?.ok_or_else(|| "请填写群众意见答复期限".to_owned())?,
        veto_relapses: whole("veto_relapses", "一票否决反弹问题数")?,
        tiers: Tiers { good: tier("tier_good")?, fairly_good: tier("tier_fairly_good")?, fair: tier("tier_fair")? },
    };
    ScoreSheet::new(spec).map_err(|e| e.message_zh())
}

/// `POST /rounds/{id}/score-sheet`: replaces the round's sheet (the office).
pub(crate) async fn save_sheet(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let id = RoundId::parse(&id)?.get();
    match read_sheet(&fields) {
        Ok(sheet) => {
            evaluations::replace_sheet(&state, &principal, id, &sheet).await?;
            Ok(Redirect::to(&format!("/rounds/{id}/evaluations?saved=1")).into_response())
        }
        Err(message) => {
            // Every field of the form, as typed (blank when not sent).
            let mut typed: BTreeMap<String, String> =
                sheet_fields(&ScoreSheet::default()).into_keys().map(|k| (k, String::new())).collect();
            for (k, v) in fields {
                if let Some(slot) = typed.get_mut(&k) {
                    *slot = v.chars().take(20).collect();
                }
            }
            round_page(&state, &principal, &page, id, StatusCode::UNPROCESSABLE_ENTITY, Some((message, typed))).await
        }
    }
}

fn download(bytes: Vec<u8>, content_type: &'static str, ascii: &str, name: &str) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", encode(name));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /rounds/{id}/evaluations.xlsx`: the ranking shown, as a workbook.
pub(crate) async fn round_xlsx(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = RoundId::parse(&id)?.get();
    let evaluation = evaluations::visible(&state, &principal, id).await?;
    let rows: Vec<EvaluationRow> = evaluation
        .units
        .iter()
        .map(|u| EvaluationRow {
            rank: u.rank,
            unit: u.unit.clone(),
            problems: u.outcomes.problems,
            closed: u.outcomes.closed,
            completion_rate: rate_text(u).map(|r| format!("{r}%")),
            overdue_measures: u.outcomes.overdue_measures,
            relapses: u.outcomes.relapses,
            unanswered_feedback: u.outcomes.feedback_unanswered_late,
            sent_back: u.outcomes.sent_back,
            computed: u.computed.score.as_f64(),
            adjustment: signed(u.adjustment.tenths),
            score: u.verdict.score.as_f64(),
            tier: u.verdict.tier.label_zh().to_owned(),
            vetoed: u.verdict.vetoed,
        })
        .collect();
    let title = format!("{}整改评估汇总表", evaluation.round.name);
    let bytes = write_evaluation_xlsx(&title, &rows)?;
    Ok(download(bytes, XLSX, "evaluations.xlsx", &format!("{title}.xlsx")))
}

fn unit_view(round: &RoundEvaluation, u: &UnitEvaluation, adjustments: &[rectify_storage::AdjustmentRecord]) -> Value {
    let weight = |k: IndicatorKind| round.sheet.indicators().iter().find(|i| i.kind == k).map_or(0, |i| i.weight);
    context! {
        id => u.inspection_id,
        name => u.unit.clone(),
        round_id => round.round.id,
        round => round.round.name.clone(),
        units_in_round => round.round.inspections,
        indicators => u.computed.indicators.iter().map(|i| context! {
            name => i.kind.label_zh(), detail => indicator_detail(i), points => i.points.to_string(), weight => weight(i.kind),
        }).collect::<Vec<_>>(),
        deductions => u.computed.deductions.iter().map(|d| context! {
            name => d.kind.label_zh(), detail => deduction_detail(d), points => d.points.to_string(),
        }).collect::<Vec<_>>(),
        adjustments => adjustments.iter().map(|a| context! {
            change => signed_text(a.tenths),
            veto => a.veto.map(|v| if v { "一票否决" } else { "撤销一票否决" }),
            reason => a.reason.clone(),
            by => a.created_by_name.clone(),
            at => beijing(&a.created_at, false),
        }).collect::<Vec<_>>(),
        computed => u.computed.score.to_string(),
        adjustment => signed_text(u.adjustment.tenths),
        score => u.verdict.score.to_string(),
        tier => u.verdict.tier.label_zh(),
        tier_code => ser(u.verdict.tier),
        vetoed => u.verdict.vetoed,
        vetoed_by_rule => u.computed.vetoed_by_rule,
        veto_relapses => round.sheet.veto_relapses(),
        rank => u.rank,
    }
}

async fn unit_page(
    state: &AppState,
    principal: &Principal,
    page: &PageContext,
    id: InspectionId,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, AppError> {
    let (round, unit, adjustments) = evaluations::of_unit(state, id).await?;
    let title = format!("{} · 整改评估", unit.unit);
    let mut crumbs = vec![Crumb::link("首页", "/")];
    if crate::service::scope::sees_every_unit(principal) {
        crumbs.push(Crumb::link(round.round.name.clone(), format!("/rounds/{}/evaluations", round.round.id)));
    }
    crumbs.push(Crumb::here("整改评估"));
    let chrome = page.chrome("rounds", &title, crumbs, Some(id.get()));
    let fields =
        context! { unit => unit_view(&round, &unit, &adjustments), can_evaluate => can_evaluate(principal), error };
    Ok((status, render("evaluation.html", &chrome, fields)?).into_response())
}

/// `GET /inspections/{id}/evaluation`: a unit's evaluation sheet.
pub(crate) async fn unit(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    id: InspectionId,
) -> Result<Response, AppError> {
    unit_page(&state, &principal, &page, id, StatusCode::OK, None).await
}

/// `POST /inspections/{id}/evaluation`: the office adjusts the unit's score with a reason.
pub(crate) async fn adjust(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    id: InspectionId,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let tenths = match form_field(&fields, "points") {
        None => Some(0),
        Some(text) => parse_signed(text),
    };
    let veto = match form_field(&fields, "veto") {
        Some("set") => Some(true),
        Some("lift") => Some(false),
        _ => None,
    };
    let Some(tenths) = tenths else {
        let message = "调整分值应为至多一位小数的数，如 1.5 或 -2".to_owned();
        return unit_page(&state, &principal, &page, id, StatusCode::UNPROCESSABLE_ENTITY, Some(message)).await;
    };
    let request =
        AdjustmentRequest { tenths, veto, reason: form_field(&fields, "reason").unwrap_or_default().to_owned() };
    match evaluations::adjust(&state, &principal, id, &request).await {
        Ok(_) => Ok(Redirect::to(&format!("/inspections/{id}/evaluation")).into_response()),
        Err(AppError::Refused { message_zh, .. }) => {
            unit_page(&state, &principal, &page, id, StatusCode::UNPROCESSABLE_ENTITY, Some(message_zh)).await
        }
        Err(e) => Err(e),
    }
}

/// `GET /inspections/{id}/evaluation.docx`: the unit's evaluation sheet as a document.
pub(crate) async fn unit_docx(State(state): State<AppState>, id: InspectionId) -> Result<Response, AppError> {
    let (round, unit, adjustments) = evaluations::of_unit(&state, id).await?;
    let weight = |k: IndicatorKind| round.sheet.indicators().iter().find(|i| i.kind == k).map_or(0, |i| i.weight);
    let veto = unit.verdict.vetoed.then(|| {
        let office = adjustments.iter().rev().find(|a| a.veto.is_some()).filter(|a| a.veto == Some(true));
        match (unit.computed.vetoed_by_rule, office) {
            (_, Some(a)) => a.reason.clone(),
            _ => format!("回头看发现反弹问题{}个，达到一票否决条件", unit.outcomes.relapses),
        }
    });
    let sheet = EvaluationSheet {
        round: round.round.name.clone(),
        unit: unit.unit.clone(),
        issuer: "巡察工作领导小组办公室".to_owned(),
        date: state.today(),
        indicators: unit
            .computed
            .indicators
            .iter()
            .map(|i| SheetLine {
                name: format!("{}（{}分）", i.kind.label_zh(), weight(i.kind)),
                detail: indicator_detail(i),
                points: i.points.to_string(),
            })
            .collect(),
        deductions: unit
            .computed
            .deductions
            .iter()
            .map(|d| SheetLine {
                name: d.kind.label_zh().to_owned(),
                detail: deduction_detail(d),
                points: if d.points == Points::ZERO { "0".to_owned() } else { format!("-{}", d.points) },
            })
            .collect(),
        computed: unit.computed.score.to_string(),
        adjustments: adjustments
            .iter()
            .map(|a| SheetAdjustment {
                change: {
                    let veto = a.veto.map(|v| if v { "一票否决" } else { "撤销一票否决" });
                    match (veto, a.tenths) {
                        (Some(veto), 0) => veto.to_owned(),
                        (Some(veto), t) => format!("{veto}，{}分", signed_text(t)),
                        (None, t) => format!("{}分", signed_text(t)),
                    }
                },
                reason: a.reason.clone(),
                by: format!("{}，{}", a.created_by_name, beijing(&a.created_at, true)),
            })
            .collect(),
        score: unit.verdict.score.to_string(),
        tier: unit.verdict.tier.label_zh().to_owned(),
        veto,
        rank: Some((unit.rank, round.round.inspections)),
    };
    let bytes = render_evaluation_sheet(&sheet)?;
    let name = format!("{}整改评估表（{}）.docx", unit.unit, chinese_date(state.today()));
    Ok(download(bytes, DOCX, "evaluation.docx", &name))
}
