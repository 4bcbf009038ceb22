//! The unit's side of the portal: publishing and withdrawing the public report, and reading and
//! answering citizens' feedback of the units in the account's scope.

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use rectify_storage::FeedbackStatus;
use serde::Deserialize;

use crate::error::AppError;
use crate::http::page::PageContext;
use crate::http::page::no_store;
use crate::ids::{FeedbackId, InspectionId, PublicationId};
use crate::render::{Crumb, format, render};
use crate::service::session::Principal;
use crate::service::{AppState, portal};
use crate::text::clean_text;

/// `POST /inspections/{id}/publish`.
pub(crate) async fn publish(
    State(state): State<AppState>,
    principal: Principal,
    id: InspectionId,
) -> Result<Response, AppError> {
    let published = portal::publish(&state, &principal, id).await?;
    // Back to the ledger, which confirms the publication and links to the public page.
    Ok(Redirect::to(&format!("/inspections/{id}/ledger?published={published}")).into_response())
}

/// `POST /published/{id}/withdraw`.
pub(crate) async fn withdraw(
    State(state): State<AppState>,
    principal: Principal,
    id: PublicationId,
) -> Result<Response, AppError> {
    portal::withdraw(&state, &principal, id).await?;
    Ok(Redirect::to("/public").into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct InboxQuery {
    unit: Option<String>,
    status: Option<String>,
}

/// `GET /feedback?unit=…&status=…`: a unit's feedback, newest first.
pub(crate) async fn inbox(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    query: Result<Query<InboxQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let query = query.map(|Query(q)| q).unwrap_or(InboxQuery { unit: None, status: None });
    let units = portal::units_in_scope(&state, &principal).await?;
    let unit = match query.unit {
        Some(u) if units.contains(&u) => Some(u),
        _ if units.len() == 1 => units.first().cloned(),
        _ => None,
    };
    let status = query.status.as_deref().and_then(FeedbackStatus::from_name);
    let items: Vec<Value> = match &unit {
        Some(unit) => portal::list_feedback(&state, unit, status)
            .await?
            .into_iter()
            .map(|f| {
                context! {
                    id => f.id,
                    subject => f.subject,
                    submitted => format::beijing(&f.submitted_at, false),
                    anonymous => f.anonymous,
                    status => f.status.label_zh(),
                }
            })
            .collect(),
        None => Vec::new(),
    };
    let statuses: Vec<Value> = FeedbackStatus::ALL
        .iter()
        .map(|s| context! { key => s.as_str(), label => s.label_zh(), selected => Some(*s) == status })
        .collect();
    let crumbs = vec![Crumb::link("首页", "/"), Crumb::here("意见建议办理")];
    let chrome = page.chrome("feedback", "意见建议办理", crumbs, None);
    let slug = unit.as_deref().map(format::encode);
    let fields = context! { units, unit, slug, statuses, items };
    Ok(render("portal_inbox.html", &chrome, fields)?.into_response())
}

async fn item_page(
    state: &AppState,
    page: &PageContext,
    principal: &Principal,
    id: FeedbackId,
    error: Option<&str>,
    draft: Option<&str>,
) -> Result<Response, AppError> {
    let f = portal::feedback(state, principal, id).await?;
    let inbox_href = format!("/feedback?unit={}", format::encode(&f.unit));
    let crumbs =
        vec![Crumb::link("首页", "/"), Crumb::link("意见建议办理", inbox_href), Crumb::here(f.subject.clone())];
    let chrome = page.chrome("feedback", "意见建议办理", crumbs, f.inspection_id);
    let fields = context! {
        id => f.id,
        unit => f.unit,
        subject => f.subject,
        body => f.body,
        submitted => format::beijing(&f.submitted_at, false),
        anonymous => f.anonymous,
        name => f.name,
        contact => f.contact,
        status => f.status.label_zh(),
        received => f.status == FeedbackStatus::Received,
        answer => draft.map(str::to_owned).or(f.answer),
        answered_at => f.answered_at.map(|t| format::beijing(&t, false)),
        error,
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(no_store((status, render("portal_item.html", &chrome, fields)?).into_response()))
}

/// `GET /feedback/{id}`: one feedback with the answer form.
pub(crate) async fn item(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    id: FeedbackId,
) -> Result<Response, AppError> {
    item_page(&state, &page, &principal, id, None, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct AnswerForm {
    answer: String,
}

/// `POST /feedback/{id}/answer`.
pub(crate) async fn answer(
    State(state): State<AppState>,
    principal: Principal,
    page: PageContext,
    id: FeedbackId,
    form: Result<Form<AnswerForm>, FormRejection>,
) -> Result<Response, AppError> {
    let text = form.map(|Form(f)| clean_text(&f.answer)).unwrap_or_default();
    if portal::answer(&state, &principal, id, &text).await? {
        return Ok(Redirect::to(&format!("/feedback/{id}")).into_response());
    }
    item_page(&state, &page, &principal, id, Some("请填写答复内容"), Some(&text)).await
}

/// `POST /feedback/{id}/processing`: 开始办理.
pub(crate) async fn processing(
    State(state): State<AppState>,
    principal: Principal,
    id: FeedbackId,
) -> Result<Response, AppError> {
    portal::mark_processing(&state, &principal, id).await?;
    Ok(Redirect::to(&format!("/feedback/{id}")).into_response())
}
