//! 消息 in the browser: the account's notification centre (paged, mark read, mark all read, the
//! mail address for copies), and 消息推送 of the system administrator (SMTP and the robot's
//! webhook, a test message, the queue's status). Each form calls the same service function as
//! the API.

use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Deserialize;

use super::api::{DeliverySettingsDto, SmtpDto, WebhookDto};
use crate::error::AppError;
use crate::http::extract::{Paging, form_field, safe_next};
use crate::http::page::PageContext;
use crate::ids::NotificationId;
use crate::render::{Crumb, format, render};
use crate::service::session::Principal;
use crate::service::{AppState, delivery, notify};

/// The confirmation shown after a redirect (a fixed list: the query is not echoed).
fn done_zh(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "read" => "已全部标为已读。",
        "email" => "接收邮箱已保存。",
        "saved" => "消息推送设置已保存并记入审计日志。",
        "test" => "测试消息已排入发送队列，稍后可在下方查看发送结果。",
        _ => return None,
    })
}

fn pairs(query: Result<Query<Vec<(String, String)>>, QueryRejection>) -> Vec<(String, String)> {
    query.map(|Query(q)| q).unwrap_or_default()
}

/// `GET /notifications`: the account's notifications, newest first.
pub(crate) async fn centre(
    State(state): State<AppState>,
    principal: Principal,
    context: PageContext,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, AppError> {
    let pairs = pairs(query);
    let paging = Paging { limit: None, offset: form_field(&pairs, "offset").and_then(|v| v.parse().ok()) };
    let page = paging.page();
    let (items, total, unread) = notify::list(&state, &principal, page).await?;
    let rows: Vec<minijinja::Value> = items
        .iter()
        .map(|n| {
            context! {
                id => n.id, kind => n.kind.as_str(), label => n.kind.label_zh(), title => n.title.clone(),
                body => n.body.clone(), link => n.link.clone(), at => format::beijing(&n.created_at, false),
                read => n.read_at.is_some(),
            }
        })
        .collect();
    let next = page.offset + u64::from(page.limit);
    let chrome = context.chrome("notifications", "消息", vec![Crumb::link("首页", "/"), Crumb::here("消息")], None);
    let ctx = context! {
        items => rows, total, unread,
        email => notify::email(&state, &principal).await?,
        notice => done_zh(form_field(&pairs, "done")),
        next_href => (next < total).then(|| format!("/notifications?offset={next}")),
        prev_href => (page.offset > 0).then(|| format!("/notifications?offset={}", page.offset.saturating_sub(u64::from(page.limit)))),
    };
    Ok(render("notifications.html", &chrome, ctx)?.into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct ReadForm {
    #[serde(default)]
    next: Option<String>,
}

/// `POST /notifications/{id}/read`: marks it read and opens what it is about.
pub(crate) async fn read(
    State(state): State<AppState>,
    principal: Principal,
    id: NotificationId,
    Form(form): Form<ReadForm>,
) -> Result<Response, AppError> {
    notify::mark_read(&state, &principal, id.get()).await?;
    let next = form.next.as_deref().filter(|n| !n.trim().is_empty()).unwrap_or("/notifications");
    Ok(Redirect::to(&safe_next(Some(next))).into_response())
}

/// `POST /notifications/read-all`.
pub(crate) async fn read_all(State(state): State<AppState>, principal: Principal) -> Result<Response, AppError> {
    notify::mark_all_read(&state, &principal).await?;
    Ok(Redirect::to("/notifications?done=read").into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct EmailForm {
    #[serde(default)]
    email: String,
}

/// `POST /notifications/email`: the account's mail address for copies.
pub(crate) async fn email(
    State(state): State<AppState>,
    principal: Principal,
    Form(form): Form<EmailForm>,
) -> Result<Response, AppError> {
    notify::set_email(&state, &principal, &form.email).await?;
    Ok(Redirect::to("/notifications?done=email").into_response())
}

/// The administrator's page, with a refusal shown above the form.
async fn admin_view(
    state: &AppState,
    context: &PageContext,
    notice: Option<&'static str>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let settings = DeliverySettingsDto::of(&delivery::settings(state).await?);
    let (counts, recent, _) = delivery::queue(state, None, Paging { limit: Some(20), offset: None }.page()).await?;
    let rows: Vec<minijinja::Value> = recent
        .iter()
        .map(|d| {
            context! {
                channel => match d.channel { rectify_storage::Channel::Mail => "邮件", rectify_storage::Channel::Webhook => "群机器人" },
                address => d.address.clone(), subject => d.subject.clone(),
                status => match d.status {
                    rectify_storage::DeliveryStatus::Pending => "待发送",
                    rectify_storage::DeliveryStatus::Sent => "已发送",
                    rectify_storage::DeliveryStatus::Failed => "发送失败",
                },
                attempts => d.attempts, error => d.last_error.clone(),
                at => format::beijing(&d.created_at, false),
                next_at => format::beijing(&d.next_at, false),
            }
        })
        .collect();
    let chrome = context.chrome(
        "admin_notifications",
        "消息推送",
        vec![Crumb::link("首页", "/"), Crumb::here("消息推送")],
        None,
    );
    let ctx = context! {
        smtp => settings.smtp.as_ref().map(|s| context! {
            host => s.host.clone(), port => s.port, security => s.security.clone(), from => s.from.clone(),
            username => s.username.clone(), password_set => s.password_set,
        }),
        webhook => settings.webhook.as_ref().map(|w| context! { url => w.url.clone(), format => w.format.clone() }),
        counts => context! { pending => counts.pending, sent => counts.sent, failed => counts.failed },
        deliveries => rows, notice, error,
    };
    let mut response = render("admin_notifications.html", &chrome, ctx)?.into_response();
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /admin/notifications`.
pub(crate) async fn admin(
    State(state): State<AppState>,
    context: PageContext,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, AppError> {
    let pairs = pairs(query);
    admin_view(&state, &context, done_zh(form_field(&pairs, "done")), None, StatusCode::OK).await
}

/// A refusal as the form shows it; anything else stays an error page.
fn form_error(error: AppError) -> Result<String, AppError> {
    match error {
        AppError::Refused { message_zh, .. } => Ok(message_zh),
        other => Err(other),
    }
}

/// `POST /admin/notifications`: the settings as the form gives them (a channel with an empty
/// address is off).
pub(crate) async fn admin_save(
    State(state): State<AppState>,
    principal: Principal,
    context: PageContext,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let text = |name: &str| form_field(&fields, name).map(str::to_owned);
    // A port that is not a number becomes 0, which the settings' check refuses by name.
    let smtp = text("smtp_host").map(|host| SmtpDto {
        host,
        port: text("smtp_port").map_or(25, |p| p.parse::<u16>().unwrap_or(0)),
        security: text("smtp_security").unwrap_or_else(|| "plain".to_owned()),
        from: text("smtp_from").unwrap_or_default(),
        username: text("smtp_username"),
        password: text("smtp_password"),
        password_set: false,
    });
    let webhook = text("webhook_url")
        .map(|url| WebhookDto { url, format: text("webhook_format").unwrap_or_else(|| "text".to_owned()) });
    let saved = match (DeliverySettingsDto { smtp, webhook }).into_settings() {
        Ok(settings) => delivery::save_settings(&state, &principal, settings).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => Ok(Redirect::to("/admin/notifications?done=saved").into_response()),
        Err(e) => admin_view(&state, &context, None, Some(form_error(e)?), StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

/// `POST /admin/notifications/test`.
pub(crate) async fn admin_test(
    State(state): State<AppState>,
    context: PageContext,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    match delivery::send_test(&state, form_field(&fields, "email")).await {
        Ok(_) => Ok(Redirect::to("/admin/notifications?done=test").into_response()),
        Err(e) => admin_view(&state, &context, None, Some(form_error(e)?), StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}
