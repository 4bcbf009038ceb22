//! Outbound delivery of notifications, configured by the system administrator: mail over SMTP
//! (plain or STARTTLS, optional sign-in) and a group robot's webhook (企业微信/钉钉, their
//! `{"msgtype":"text",…}` or `markdown` JSON). Deliveries wait in a queue table; the worker
//! sends what is due, and a failed attempt is retried with a growing pause until it is given up.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{Request, Uri, header};
use chrono::TimeDelta;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rectify_storage::{Channel, Delivery, DeliveryCounts, DeliveryStatus, Outbound, Page};
use serde::{Deserialize, Serialize};

use super::session::Principal;
use super::state::AppState;
use crate::error::AppError;

/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: u32 = 6;

/// The pause before the next attempt: 1, 2, 4, … minutes after the failed one.
pub fn backoff(attempts_made: u32) -> TimeDelta {
    TimeDelta::minutes(1_i64 << attempts_made.saturating_sub(1).min(10))
}

/// Longest wait for a receiver (connect, TLS, answer).
const TIMEOUT: Duration = Duration::from_secs(20);

/// How mail reaches the SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Unencrypted (a relay inside the network).
    Plain,
    /// Upgraded with STARTTLS before anything else is sent.
    Starttls,
}

/// The SMTP server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// The sender, e.g. `整改系统 <zhenggai@example.gov.cn>`.
    pub from: String,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
}

/// The message format of the group robot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookFormat {
    Text,
    Markdown,
}

/// The group robot's webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookSettings {
    /// `webhook_url` (not `url`) so that the audit trail leaves the robot's key out.
    pub webhook_url: String,
    pub format: WebhookFormat,
}

/// Where notifications are copied to; each channel is off while unset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliverySettings {
    #[serde(default)]
    pub smtp: Option<SmtpSettings>,
    #[serde(default)]
    pub webhook: Option<WebhookSettings>,
}

fn refused(en: &str, zh: &str) -> AppError {
    AppError::refused(en, zh)
}

impl DeliverySettings {
    /// Checks every field; the error names the field in Chinese.
    pub fn validate(&self) -> Result<(), AppError> {
        if let Some(smtp) = &self.smtp {
            let host = smtp.host.trim();
            if host.is_empty() || host.len() > 253 || host.chars().any(|c| c.is_whitespace() || c == '/') {
                return Err(refused("the SMTP host is not a host name", "邮件服务器地址应为主机名或 IP 地址"));
            }
            if smtp.port == 0 {
                return Err(refused("the SMTP port must be 1–65535", "邮件服务器端口应在 1–65535 之间"));
            }
            if smtp.from.parse::<Mailbox>().is_err() {
                return Err(refused(
                    "the sender is not a mail address",
                    "发件人应为邮箱地址，如 整改系统 <zhenggai@example.gov.cn>",
                ));
            }
            if smtp.password.as_deref().is_some_and(|p| !p.is_empty())
                && smtp.username.as_deref().is_none_or(|u| u.trim().is_empty())
            {
                return Err(refused("a password needs a user name", "填写了密码时须同时填写用户名"));
            }
        }
        if let Some(webhook) = &self.webhook {
            let ok = webhook
                .webhook_url
                .parse::<Uri>()
                .is_ok_and(|u| matches!(u.scheme_str(), Some("http" | "https")) && u.host().is_some());
            if !ok || webhook.webhook_url.len() > 2000 {
                return Err(refused(
                    "the webhook is not an http(s) address",
                    "机器人 Webhook 地址应以 https:// 或 http:// 开头",
                ));
            }
        }
        Ok(())
    }
}

/// The stored settings (none stored: both channels off). Stored text that no longer parses
/// counts as none, with a warning: the in-app notifications go on regardless.
pub async fn settings(state: &AppState) -> Result<DeliverySettings, AppError> {
    Ok(match state.store().notification_delivery().await? {
        None => DeliverySettings::default(),
        Some(text) => serde_json::from_str(&text).unwrap_or_else(|error| {
            tracing::warn!(%error, "stored notification delivery settings do not parse; delivery is off");
            DeliverySettings::default()
        }),
    })
}

/// Saves the settings. A password left empty keeps the stored one, so that the page need not
/// show it.
pub async fn save_settings(
    state: &AppState,
    principal: &Principal,
    mut new: DeliverySettings,
) -> Result<DeliverySettings, AppError> {
    new.validate()?;
    if let Some(smtp) = &mut new.smtp {
        smtp.host = smtp.host.trim().to_owned();
        smtp.username = smtp.username.take().map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
        if smtp.password.as_deref().is_none_or(str::is_empty) {
            let old = settings(state).await?;
            smtp.password = old.smtp.and_then(|s| s.password).filter(|_| smtp.username.is_some());
        }
    }
    let json = serde_json::to_string(&new).map_err(|e| AppError::Internal(e.to_string()))?;
    let acting = principal.acting_as(rectify_domain::roles::Role::SystemAdmin);
    state.store().set_notification_delivery(&json, &acting, state.now()).await?;
    Ok(new)
}

/// Queues a test message on every configured channel (mail to `to`, if given).
pub async fn send_test(state: &AppState, to: Option<&str>) -> Result<usize, AppError> {
    let settings = settings(state).await?;
    let subject = "【整改系统】测试消息".to_owned();
    let body = "这是一条测试消息：消息推送配置可用。".to_owned();
    let mut out = Vec::new();
    if let (Some(_), Some(to)) = (&settings.smtp, to.map(str::trim).filter(|t| !t.is_empty())) {
        check_address(to)?;
        out.push(Outbound {
            channel: Channel::Mail,
            address: to.to_owned(),
            subject: subject.clone(),
            body: body.clone(),
        });
    }
    if settings.webhook.is_some() {
        out.push(Outbound { channel: Channel::Webhook, address: String::new(), subject, body });
    }
    state.store().queue_deliveries(&out, state.now()).await?;
    Ok(out.len())
}

/// Checks a mail address's form.
pub fn check_address(address: &str) -> Result<(), AppError> {
    let ok = address.len() <= 254 && address.parse::<lettre::Address>().is_ok();
    if ok { Ok(()) } else { Err(refused("not a mail address", "邮箱地址格式不正确")) }
}

/// How the queue stands, with a page of its deliveries.
pub async fn queue(
    state: &AppState,
    status: Option<DeliveryStatus>,
    page: Page,
) -> Result<(DeliveryCounts, Vec<Delivery>, u64), AppError> {
    let counts = state.store().delivery_counts().await?;
    let (items, total) = state.store().list_deliveries(status, page).await?;
    Ok((counts, items, total))
}

/// What one round of the worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: u32,
    pub retried: u32,
    pub failed: u32,
}

/// Sends every delivery due now, once each; failures are rescheduled or given up.
pub async fn deliver_due(state: &AppState) -> Result<Round, AppError> {
    let settings = settings(state).await?;
    let mut round = Round::default();
    loop {
        let due = state.store().due_deliveries(state.now(), 50).await?;
        if due.is_empty() {
            return Ok(round);
        }
        for delivery in due {
            let outcome = match (delivery.channel, &settings) {
                (Channel::Mail, DeliverySettings { smtp: Some(smtp), .. }) => send_mail(smtp, &delivery).await,
                (Channel::Webhook, DeliverySettings { webhook: Some(hook), .. }) => post_webhook(hook, &delivery).await,
                (Channel::Mail, _) => Err("未配置邮件服务器".to_owned()),
                (Channel::Webhook, _) => Err("未配置机器人 Webhook".to_owned()),
            };
            let now = state.now();
            match outcome {
                Ok(()) => {
                    state.store().delivery_sent(delivery.id, now).await?;
                    round.sent += 1;
                }
                Err(error) => {
                    let made = delivery.attempts + 1;
                    let retry = (made < MAX_ATTEMPTS).then(|| now + backoff(made));
                    tracing::warn!(id = delivery.id, channel = delivery.channel.as_str(), %error, "delivery failed");
                    state.store().delivery_failed(delivery.id, &error, retry).await?;
                    if retry.is_some() {
                        round.retried += 1;
                    } else {
                        round.failed += 1;
                    }
                }
            }
        }
    }
}

async fn send_mail(smtp: &SmtpSettings, delivery: &Delivery) -> Result<(), String> {
    let from: Mailbox = smtp.from.parse().map_err(|e| format!("发件人地址有误：{e}"))?;
    let to: Mailbox = delivery.address.parse().map_err(|e| format!("收件人地址有误：{e}"))?;
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(delivery.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(delivery.body.clone())
        .map_err(|e| format!("邮件无法生成：{e}"))?;
    let builder = match smtp.security {
        SmtpSecurity::Plain => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host),
        SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
            .map_err(|e| format!("无法建立加密连接：{e}"))?,
    };
    let mut builder = builder.port(smtp.port).timeout(Some(TIMEOUT));
    if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    builder.build().send(message).await.map(|_| ()).map_err(|e| format!("邮件发送失败：{e}"))
}

/// The robot's JSON message.
fn robot_message(format: WebhookFormat, delivery: &Delivery) -> serde_json::Value {
    match format {
        WebhookFormat::Text => serde_json::json!({
            "msgtype": "text",
            "text": { "content": format!("{}\n{}", delivery.subject, delivery.body) },
        }),
        WebhookFormat::Markdown => serde_json::json!({
            "msgtype": "markdown",
            // 钉钉 needs a title; 企业微信 ignores it.
            "markdown": { "title": delivery.subject, "text": format!("### {}\n{}", delivery.subject, delivery.body),
                          "content": format!("### {}\n{}", delivery.subject, delivery.body) },
        }),
    }
}

/// The TLS client of the webhook: the public roots of webpki-roots, on ring. rustls marks
/// ring's provider deprecated (no post-quantum key exchange); ring is kept because aws-lc-rs
/// would add a C and CMake build to every clean build, and a robot's message is not long-lived secret.
#[allow(deprecated)]
static TLS: LazyLock<Result<tokio_rustls::TlsConnector, String>> = LazyLock::new(|| {
    use tokio_rustls::rustls;
    let roots = rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
});

async fn post_webhook(hook: &WebhookSettings, delivery: &Delivery) -> Result<(), String> {
    let uri: Uri = hook.webhook_url.parse().map_err(|e| format!("Webhook 地址有误：{e}"))?;
    let host = uri.host().ok_or("Webhook 地址缺少主机名")?.to_owned();
    let https = uri.scheme_str() == Some("https");
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let body = serde_json::to_vec(&robot_message(hook.format, delivery)).map_err(|e| e.to_string())?;
    let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    let authority = uri.authority().map_or(host.clone(), |a| a.as_str().to_owned());
    let request = Request::post(path)
        .header(header::HOST, authority)
        .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let exchange = async {
        let stream =
            tokio::net::TcpStream::connect((host.as_str(), port)).await.map_err(|e| format!("无法连接：{e}"))?;
        if https {
            let name = tokio_rustls::rustls::pki_types::ServerName::try_from(host.clone())
                .map_err(|e| format!("主机名有误：{e}"))?;
            let connector = TLS.as_ref().map_err(|e| format!("TLS 配置失败：{e}"))?;
            let tls = connector.connect(name, stream).await.map_err(|e| format!("TLS 握手失败：{e}"))?;
            exchange(TokioIo::new(tls), request).await
        } else {
            exchange(TokioIo::new(stream), request).await
        }
    };
    let (status, answer) = tokio::time::timeout(TIMEOUT, exchange).await.map_err(|_| "等待应答超时".to_owned())??;
    if !status.is_success() {
        return Err(format!("接收方应答 HTTP {}", status.as_u16()));
    }
    // Both robots answer 200 with {"errcode":0,…}; another errcode is a refusal (bad key, limit).
    match serde_json::from_slice::<serde_json::Value>(&answer).ok().and_then(|v| v.get("errcode")?.as_i64()) {
        Some(code) if code != 0 => Err(format!("机器人拒收：errcode {code}，{}", String::from_utf8_lossy(&answer))),
        _ => Ok(()),
    }
}

async fn exchange<I>(io: I, request: Request<Full<Bytes>>) -> Result<(axum::http::StatusCode, Bytes), String>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(io).await.map_err(|e| format!("HTTP 握手失败：{e}"))?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::debug!(%error, "webhook connection ended");
        }
    });
    let response = sender.send_request(request).await.map_err(|e| format!("请求失败：{e}"))?;
    let status = response.status();
    let body = response.into_body().collect().await.map_err(|e| format!("应答读取失败：{e}"))?.to_bytes();
    Ok((status, body))
}

/// Runs the worker for the life of the process: every `every`, sends what is due and, once per
/// day (Beijing time), addresses the deadline notices. The queue lives in the database, so
/// whatever a stopped process left pending is sent by the next one.
pub fn spawn_worker(state: AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut noticed: Option<chrono::NaiveDate> = None;
        loop {
            ticks.tick().await;
            let today = state.today();
            if noticed != Some(today) {
                // Read notices go after 90 days, all after a year (see `prune_notifications`).
                let now = state.now();
                if let Err(error) =
                    state.store().prune_notifications(now - TimeDelta::days(90), now - TimeDelta::days(365)).await
                {
                    tracing::error!(%error, "pruning old notifications failed");
                }
                match super::notify::deadline_notices(&state).await {
                    Ok(n) => {
                        noticed = Some(today);
                        tracing::info!(stored = n, "deadline notices addressed");
                    }
                    Err(error) => tracing::error!(%error, "deadline notices failed"),
                }
            }
            if let Err(error) = deliver_due(&state).await {
                tracing::error!(%error, "delivery round failed");
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smtp() -> SmtpSettings {
        SmtpSettings {
            host: "smtp.example.test".into(),
            port: 587,
            security: SmtpSecurity::Starttls,
            from: "整改系统 <zhenggai@example.test>".into(),
            username: None,
            password: None,
        }
    }

    fn refusal(settings: DeliverySettings) -> String {
        match settings.validate() {
            Err(AppError::Refused { message_zh, .. }) => message_zh,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn settings_are_checked_field_by_field() {
        let ok = DeliverySettings {
            smtp: Some(smtp()),
            webhook: Some(WebhookSettings {
                webhook_url: "https://oapi.dingtalk.com/robot/send?access_token=x".into(),
                format: WebhookFormat::Markdown,
            }),
        };
        assert!(ok.validate().is_ok());
        assert!(DeliverySettings::default().validate().is_ok(), "both channels off");
        let with = |f: fn(&mut SmtpSettings)| {
            let mut s = smtp();
            f(&mut s);
            DeliverySettings { smtp: Some(s), webhook: None }
        };
        assert!(refusal(with(|s| s.host = " ".into())).contains("服务器地址"));
        assert!(refusal(with(|s| s.host = "a b".into())).contains("服务器地址"));
        assert!(refusal(with(|s| s.port = 0)).contains("端口"));
        assert!(refusal(with(|s| s.from = "zhenggai".into())).contains("发件人"));
        assert!(refusal(with(|s| s.password = Some("x".into()))).contains("用户名"));
        for url in ["ftp://robot.example/send", "robot.example/send", "https://", ""] {
            let hook = WebhookSettings { webhook_url: url.into(), format: WebhookFormat::Text };
            let settings = DeliverySettings { smtp: None, webhook: Some(hook) };
            assert!(refusal(settings).contains("Webhook"), "{url}");
        }
    }

    #[test]
    fn the_pause_doubles_from_a_minute() {
        let minutes: Vec<i64> = (1..=MAX_ATTEMPTS).map(|n| backoff(n).num_minutes()).collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32]);
        assert_eq!(backoff(u32::MAX).num_minutes(), 1024, "bounded");
    }

    #[test]
    fn robot_messages_have_the_group_robots_shapes() {
        let delivery = Delivery {
            id: 1,
            channel: Channel::Webhook,
            address: String::new(),
            subject: "【催办】督办催办".into(),
            body: "请抓紧".into(),
            status: DeliveryStatus::Pending,
            attempts: 0,
            next_at: String::new(),
            last_error: None,
            created_at: String::new(),
            sent_at: None,
        };
        let text = robot_message(WebhookFormat::Text, &delivery);
        assert_eq!(text, serde_json::json!({"msgtype": "text", "text": {"content": "【催办】督办催办\n请抓紧"}}));
        let markdown = robot_message(WebhookFormat::Markdown, &delivery);
        assert_eq!(markdown["msgtype"], "markdown");
        // 钉钉 reads title and text, 企业微信 reads content.
        assert_eq!(markdown["markdown"]["title"], "【催办】督办催办");
        assert_eq!(markdown["markdown"]["text"], "### 【催办】督办催办\n请抓紧");
        assert_eq!(markdown["markdown"]["content"], markdown["markdown"]["text"]);
    }
}
