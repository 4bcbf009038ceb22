//! Notifications over the API: the account's notification centre and mail address; the system
//! administrator's delivery settings, test message and queue status.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rectify_storage::{Delivery, DeliveryStatus, Notification};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::AppError;
use crate::http::error::ErrorBody;
use crate::http::extract::{JsonBody, Paging, QueryOf};
use crate::ids::NotificationId;
use crate::service::delivery::{self, DeliverySettings, SmtpSecurity, SmtpSettings, WebhookFormat, WebhookSettings};
use crate::service::session::Principal;
use crate::service::{AppState, notify};

/// One notification.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationDto {
    pub id: i64,
    /// `awaiting`, `sent_back`, `reminder`, `deadline`, `overdue`, `feedback` or `extension`.
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub title: String,
    pub body: String,
    /// The page it is about.
    pub link: Option<String>,
    pub measure_id: Option<i64>,
    pub created_at: String,
    pub read: bool,
}

impl NotificationDto {
    pub(crate) fn of(n: &Notification) -> Self {
        NotificationDto {
            id: n.id,
            kind: n.kind.as_str(),
            kind_label: n.kind.label_zh(),
            title: n.title.clone(),
            body: n.body.clone(),
            link: n.link.clone(),
            measure_id: n.measure_id,
            created_at: n.created_at.clone(),
            read: n.read_at.is_some(),
        }
    }
}

/// A page of notifications, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationsDto {
    pub items: Vec<NotificationDto>,
    pub total: u64,
    pub unread: u64,
}

/// The signed-in account's notifications, newest first, with the unread count.
#[utoipa::path(get, path = "/api/notifications", tag = "notifications", params(Paging),
    responses((status = 200, body = NotificationsDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    principal: Principal,
    QueryOf(paging): QueryOf<Paging>,
) -> Result<Json<NotificationsDto>, AppError> {
    let (items, total, unread) = notify::list(&state, &principal, paging.page()).await?;
    Ok(Json(NotificationsDto { items: items.iter().map(NotificationDto::of).collect(), total, unread }))
}

/// Marks one of the account's notifications read (404 for another account's).
#[utoipa::path(post, path = "/api/notifications/{id}/read", tag = "notifications",
    params(("id" = i64, Path), ("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn read(
    State(state): State<AppState>,
    principal: Principal,
    id: NotificationId,
) -> Result<StatusCode, AppError> {
    notify::mark_read(&state, &principal, id.get()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks all of the account's notifications read; answers how many were unread.
#[utoipa::path(post, path = "/api/notifications/read-all", tag = "notifications",
    params(("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody)))]
pub(crate) async fn read_all(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<serde_json::Value>, AppError> {
    let marked = notify::mark_all_read(&state, &principal).await?;
    Ok(Json(serde_json::json!({ "marked": marked })))
}

/// The account's own mail address for copies of its notifications (empty: none).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EmailRequest {
    pub email: String,
}

/// The account's mail address for notifications.
#[utoipa::path(get, path = "/api/me/notification-email", tag = "notifications",
    responses((status = 200, body = EmailRequest), (status = 401, body = ErrorBody)))]
pub(crate) async fn get_email(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<EmailRequest>, AppError> {
    Ok(Json(EmailRequest { email: notify::email(&state, &principal).await?.unwrap_or_default() }))
}

/// Sets (empty: removes) the account's mail address for notifications.
#[utoipa::path(put, path = "/api/me/notification-email", tag = "notifications", request_body = EmailRequest,
    params(("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses((status = 200, body = EmailRequest), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub(crate) async fn put_email(
    State(state): State<AppState>,
    principal: Principal,
    JsonBody(request): JsonBody<EmailRequest>,
) -> Result<Json<EmailRequest>, AppError> {
    let email = notify::set_email(&state, &principal, &request.email).await?;
    Ok(Json(EmailRequest { email: email.unwrap_or_default() }))
}

/// The SMTP server; the password is never answered, only whether one is stored.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SmtpDto {
    pub host: String,
    pub port: u16,
    /// `plain` or `starttls`.
    pub security: String,
    pub from: String,
    #[serde(default)]
    pub username: Option<String>,
    /// On writing: empty or left out keeps the stored password.
    #[serde(default, skip_serializing)]
    pub password: Option<String>,
    #[serde(default)]
    pub password_set: bool,
}

/// The group robot's webhook (企业微信 / 钉钉).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WebhookDto {
    pub url: String,
    /// `text` or `markdown`.
    pub format: String,
}

/// Where notifications are copied to; a channel left out is off.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeliverySettingsDto {
    #[serde(default)]
    pub smtp: Option<SmtpDto>,
    #[serde(default)]
    pub webhook: Option<WebhookDto>,
}

impl DeliverySettingsDto {
    pub(crate) fn of(s: &DeliverySettings) -> Self {
        DeliverySettingsDto {
            smtp: s.smtp.as_ref().map(|m| SmtpDto {
                host: m.host.clone(),
                port: m.port,
                security: match m.security {
                    SmtpSecurity::Plain => "plain",
                    SmtpSecurity::Starttls => "starttls",
                }
                .to_owned(),
                from: m.from.clone(),
                username: m.username.clone(),
                password: None,
                password_set: m.password.as_deref().is_some_and(|p| !p.is_empty()),
            }),
            webhook: s.webhook.as_ref().map(|w| WebhookDto {
                url: w.webhook_url.clone(),
                format: match w.format {
                    WebhookFormat::Text => "text",
                    WebhookFormat::Markdown => "markdown",
                }
                .to_owned(),
            }),
        }
    }

    pub(crate) fn into_settings(self) -> Result<DeliverySettings, AppError> {
        let smtp = match self.smtp {
            None => None,
            Some(m) => Some(SmtpSettings {
                host: m.host,
                port: m.port,
                security: match m.security.as_str() {
                    "plain" => SmtpSecurity::Plain,
                    "starttls" => SmtpSecurity::Starttls,
                    _ => {
                        return Err(AppError::refused(
                            "security is plain or starttls",
                            "加密方式应为不加密或 STARTTLS",
                        ));
                    }
                },
                from: m.from,
                username: m.username,
                password: m.password,
            }),
        };
        let webhook = match self.webhook {
            None => None,
            Some(w) => Some(WebhookSettings {
                webhook_url: w.url.trim().to_owned(),
                format: match w.format.as_str() {
                    "text" => WebhookFormat::Text,
                    "markdown" => WebhookFormat::Markdown,
                    _ => return Err(AppError::refused("format is text or markdown", "消息格式应为文本或 Markdown")),
                },
            }),
        };
        Ok(DeliverySettings { smtp, webhook })
    }
}

/// The delivery settings of notifications.
#[utoipa::path(get, path = "/api/notification-settings", tag = "notifications",
    responses((status = 200, body = DeliverySettingsDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn get_settings(State(state): State<AppState>) -> Result<Json<DeliverySettingsDto>, AppError> {
    Ok(Json(DeliverySettingsDto::of(&delivery::settings(&state).await?)))
}

/// Replaces the delivery settings (audited, without the password and the webhook's key).
#[utoipa::path(put, path = "/api/notification-settings", tag = "notifications", request_body = DeliverySettingsDto,
    params(("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses((status = 200, body = DeliverySettingsDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn put_settings(
    State(state): State<AppState>,
    principal: Principal,
    JsonBody(request): JsonBody<DeliverySettingsDto>,
) -> Result<Json<DeliverySettingsDto>, AppError> {
    let saved = delivery::save_settings(&state, &principal, request.into_settings()?).await?;
    Ok(Json(DeliverySettingsDto::of(&saved)))
}

/// Where a test message goes by mail (the webhook needs no address).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TestRequest {
    #[serde(default)]
    pub email: Option<String>,
}

/// Queues a test message on every configured channel; answers how many were queued.
#[utoipa::path(post, path = "/api/notification-settings/test", tag = "notifications", request_body = TestRequest,
    params(("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses((status = 202, body = Object), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub(crate) async fn test(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<TestRequest>,
) -> Result<(StatusCode, Json<serde_json::Value>), AppError> {
    let queued = delivery::send_test(&state, request.email.as_deref()).await?;
    Ok((StatusCode::ACCEPTED, Json(serde_json::json!({ "queued": queued }))))
}

/// One outbound delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryDto {
    pub id: i64,
    /// `mail` or `webhook`.
    pub channel: &'static str,
    pub address: String,
    pub subject: String,
    /// `pending`, `sent` or `failed`.
    pub status: &'static str,
    pub attempts: u32,
    pub next_at: String,
    pub last_error: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
}

impl DeliveryDto {
    pub(crate) fn of(d: &Delivery) -> Self {
        DeliveryDto {
            id: d.id,
            channel: d.channel.as_str(),
            address: d.address.clone(),
            subject: d.subject.clone(),
            status: d.status.as_str(),
            attempts: d.attempts,
            next_at: d.next_at.clone(),
            last_error: d.last_error.clone(),
            created_at: d.created_at.clone(),
            sent_at: d.sent_at.clone(),
        }
    }
}

/// A page of deliveries with the queue's counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveriesDto {
    pub items: Vec<DeliveryDto>,
    pub total: u64,
    pub pending: u64,
    pub sent: u64,
    pub failed: u64,
}

/// The filter of the delivery list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// `pending`, `sent` or `failed`.
    pub status: Option<String>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

/// The outbound queue: counts by status and a page of deliveries, newest first.
#[utoipa::path(get, path = "/api/notification-deliveries", tag = "notifications", params(DeliveryQuery),
    responses((status = 200, body = DeliveriesDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub(crate) async fn deliveries(
    State(state): State<AppState>,
    QueryOf(query): QueryOf<DeliveryQuery>,
) -> Result<Json<DeliveriesDto>, AppError> {
    let status = match query.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(name) => Some(
            DeliveryStatus::from_name(name)
                .ok_or_else(|| AppError::BadQuery(format!("status {name:?} is not pending, sent or failed")))?,
        ),
    };
    let paging = Paging { limit: query.limit, offset: query.offset };
    let (counts, items, total) = delivery::queue(&state, status, paging.page()).await?;
    Ok(Json(DeliveriesDto {
        items: items.iter().map(DeliveryDto::of).collect(),
        total,
        pending: counts.pending,
        sent: counts.sent,
        failed: counts.failed,
    }))
}
