//! Supervision in the pages: a reminder from a measure page, and the bulk actions of the ledger
//! page (remind the departments of the selected problems, hand them to another leader or
//! department), and the 督办单 of the red and yellow measures (download, record as sent).

use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use rectify_domain::roles::Role;
use rectify_domain::supervision::Light;
use rectify_storage::ReminderTarget;
use serde::Deserialize;

use crate::error::AppError;
use crate::http::extract::form_field as field;
use crate::http::page::PageContext;
use crate::ids::{InspectionId, MeasureId};
use crate::render::{Crumb, format, render};
use crate::service::session::Principal;
use crate::service::{AppState, scope, supervision};

#[derive(Debug, Deserialize)]
pub(crate) struct RemindForm {
    message: String,
}

/// `POST /measures/{id}/remind`: a reminder to the responsible department.
pub(crate) async fn remind(
    State(state): State<AppState>,
    principal: Principal,
    id: MeasureId,
    Form(form): Form<RemindForm>,
) -> Result<Response, AppError> {
    supervision::send_reminder(&state, &principal, id, ReminderTarget::Role(Role::Department), &form.message).await?;
    Ok(Redirect::to(&format!("/measures/{id}?done=remind")).into_response())
}

/// The problem ids ticked in a bulk form (`p=…`).
fn ticked(fields: &[(String, String)]) -> Vec<i64> {
    fields.iter().filter(|(k, _)| k == "p").filter_map(|(_, v)| v.trim().parse().ok()).collect()
}

/// `POST /inspections/{id}/bulk/remind`: reminds the departments of every open measure of the
/// selected problems (one audited reminder per measure; recently reminded ones are skipped).
pub(crate) async fn bulk_remind(
    State(state): State<AppState>,
    principal: Principal,
    id: InspectionId,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let message = field(&fields, "message").unwrap_or("请抓紧推进整改，按时报送进展");
    let done = supervision::remind_problems(&state, &principal, id, &ticked(&fields), message).await?;
    let to = format!(
        "/inspections/{id}/ledger?bulk=remind&sent={}&skipped={}&unassigned={}",
        done.sent, done.recent, done.unassigned
    );
    Ok(Redirect::to(&to).into_response())
}

/// `POST /inspections/{id}/bulk/assign`: hands the selected problems to another leader and/or
/// department (each hand-over audited with before and after).
pub(crate) async fn bulk_assign(
    State(state): State<AppState>,
    principal: Principal,
    id: InspectionId,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let leader = field(&fields, "leader").map(str::to_owned);
    let department = field(&fields, "department").map(str::to_owned);
    let moved = supervision::reassign_problems(&state, &principal, id, &ticked(&fields), leader, department).await?;
    Ok(Redirect::to(&format!("/inspections/{id}/ledger?bulk=assign&sent={moved}")).into_response())
}

/// The issuer and serial of a 督办单, from the page's form or the download link.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct NoticeForm {
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    serial: Option<String>,
}

/// How the 督办单 page comes: fresh (perhaps after a notice was recorded), or refused with why.
enum Outcome {
    Shown { sent: Option<i64> },
    Refused(String),
}

/// The 督办单 page; a refusal keeps the typed fields and answers 400.
async fn notice_view(
    state: &AppState,
    principal: &Principal,
    page: &PageContext,
    id: InspectionId,
    form: &NoticeForm,
    outcome: Outcome,
) -> Result<Response, AppError> {
    let (status, error, sent) = match outcome {
        Outcome::Shown { sent } => (StatusCode::OK, None, sent),
        Outcome::Refused(why) => (StatusCode::BAD_REQUEST, Some(why), None),
    };
    let summary = scope::require_inspection(state, id).await?;
    let name = scope::inspection_name(&summary);
    let issuer = form
        .issuer
        .clone()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| supervision::default_issuer(principal, summary.unit.as_deref()));
    let serial = form.serial.clone().unwrap_or_default();
    // A typed issuer that is too long still shows the page (with the error), over the default.
    let draft = match supervision::notice_draft(state, principal, id, &issuer, Some(&serial)).await {
        Ok(d) => d,
        Err(AppError::BadRequest { .. }) => {
            supervision::notice_draft(state, principal, id, &supervision::default_issuer(principal, None), None).await?
        }
        Err(e) => return Err(e),
    };
    let items: Vec<Value> = draft
        .notice
        .as_ref()
        .map(|n| {
            n.items
                .iter()
                .map(|i| {
                    context! {
                        problem => &i.problem,
                        measure => &i.measure,
                        deadline => i.deadline.map(|d| d.to_chinese()),
                        light => i.light.as_str(),
                        light_label => i.light.label_zh(),
                        overdue_days => i.days_left.filter(|d| *d < 0).map(|d| -d),
                        days_left => i.days_left.filter(|d| *d >= 0),
                        leader => &i.leader,
                        departments => i.departments.join("、"),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let red = draft.flagged.iter().filter(|f| f.light == Light::Red).count();
    let sent_list: Vec<Value> = draft
        .sent
        .iter()
        .map(|n| {
            context! {
                serial => &n.serial,
                issuer => &n.issuer,
                red => n.red,
                yellow => n.yellow,
                by => &n.sent_by_name,
                at => format::beijing(&n.sent_at, false),
            }
        })
        .collect();
    let mut download = vec![("issuer", issuer.clone())];
    if !serial.trim().is_empty() {
        download.push(("serial", serial.clone()));
    }
    let chrome = page.chrome(
        "ledger",
        &format!("督办单 · {name}"),
        vec![
            Crumb::link("首页", "/"),
            Crumb::link(format!("{name} · 整改台账"), format!("/inspections/{id}/ledger")),
            Crumb::here("督办单"),
        ],
        Some(id.get()),
    );
    let fields = context! {
        inspection_id => id.get(),
        name,
        items,
        red,
        yellow => draft.flagged.len() - red,
        issuer,
        serial,
        download_href => format!("/inspections/{id}/supervision/notice.docx?{}", format::query_string(&download)),
        sent_list,
        sent,
        error,
    };
    let mut response = render("supervision_notice.html", &chrome, fields)?.into_response();
    *response.status_mut() = status;
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub(crate) struct SentQuery {
    #[serde(default)]
    sent: Option<i64>,
}

/// `GET /inspections/{id}/supervision`: the 督办单 of the unit's red and yellow measures, to
/// download and to record as sent.
pub(crate) async fn notice_page(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    id: InspectionId,
    query: Result<Query<SentQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let sent = query.ok().and_then(|Query(q)| q.sent);
    notice_view(&state, &principal, &page, id, &NoticeForm::default(), Outcome::Shown { sent }).await
}

/// `GET /inspections/{id}/supervision/notice.docx?issuer=…&serial=…`: the 督办单 as a Word file.
pub(crate) async fn notice_docx(
    State(state): State<AppState>,
    principal: Principal,
    id: InspectionId,
    query: Result<Query<NoticeForm>, QueryRejection>,
) -> Result<Response, AppError> {
    let form = query.map(|Query(q)| q).unwrap_or_default();
    let summary = scope::require_inspection(&state, id).await?;
    let issuer = form
        .issuer
        .clone()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| supervision::default_issuer(&principal, summary.unit.as_deref()));
    let bytes = supervision::notice_docx(&state, &principal, id, &issuer, form.serial.as_deref()).await?;
    let name = format!("{}巡察整改督办单.docx", scope::inspection_name(&summary));
    let disposition = format!("attachment; filename=\"notice.docx\"; filename*=UTF-8''{}", format::encode(&name));
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `POST /inspections/{id}/supervision/sent`: records today's 督办单 as sent (audited); a refusal
/// shows the page again with the typed issuer and serial.
pub(crate) async fn notice_sent(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    id: InspectionId,
    Form(form): Form<NoticeForm>,
) -> Result<Response, AppError> {
    let issuer = form.issuer.clone().unwrap_or_default();
    match supervision::record_notice_sent(&state, &principal, id, &issuer, form.serial.as_deref()).await {
        Ok(notice) => Ok(Redirect::to(&format!("/inspections/{id}/supervision?sent={notice}")).into_response()),
        Err(AppError::BadRequest { message_zh, .. }) => {
            notice_view(&state, &principal, &page, id, &form, Outcome::Refused(message_zh)).await
        }
        Err(e) => Err(e),
    }
}
