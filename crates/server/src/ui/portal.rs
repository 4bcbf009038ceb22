//! 公开通报与意见建议: the public portal, open without signing in.
//!
//! - `/public`: the published reports (公开通报), grouped by unit, and every unit's feedback
//!   channel. A report page shows the frozen public snapshot taken at publication, never the
//!   live ledger, so withheld problems and names cannot appear.
//! - `/public/units/{unit}/feedback`: the feedback form (意见建议), anonymous or real-name, with a
//!   CSRF token, a honeypot field and rate limits; the thank-you page gives a receipt code.
//! - `/public/feedback/lookup`: the citizen enters the code and sees status and answer.
//! - `/public/units/{unit}/qr.svg` and `/public/units/{unit}/qr`: the QR code of the unit's
//!   feedback page, alone and on a printable A4 sheet.
//!
//! Rate limits (the choice the brief asked to document): per network address the limits live
//! in this process's memory only, keyed by the address (IPv6 by its /64 prefix), and are never
//! written to the database or the log; they reset when the server restarts, which is acceptable
//! for a single-instance deployment. The per-unit limit counts the stored submissions, which
//! needs no personal data. Nothing about an anonymous sender is kept.
//!
//! The unit's side (publishing, withdrawing, the feedback inbox and its answer form) is in
//! [`routes_private`]: the sign-in layer mounts it behind its permission checks and puts the
//! signed-in user's [`Acting`] into the request extensions; without one, those pages refuse.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use chrono::{DateTime, FixedOffset, Utc};
use minijinja::{Value, context};
use rectify_report_writer::{Block, ReportOptions, build_blocks, render_html, render_markdown};
use rectify_storage::portal::{
    FeedbackField, FeedbackProblem, FieldIssue, PublicationId, RECEIPT_ALPHABET, format_receipt_code,
    normalize_receipt_code,
};
use rectify_storage::{Acting, FeedbackError, FeedbackStatus, NewFeedback, NewPublication, StorageError, Submitter};
use serde::{Deserialize, Serialize};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use super::csrf::{self, CsrfToken};
use super::pages::{chrome, encode};
use super::{Crumb, assets, error_page, ser};
use crate::AppState;
use crate::auth::Principal;
use crate::authz::Visibility;

/// Public pages load nothing but this site's style sheets and images: no scripts at all.
const PUBLIC_CSP: &str = "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; \
     object-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The frozen standalone report carries its own inline style sheet and nothing else.
const ORIGINAL_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; \
     base-uri 'none'; form-action 'none'";

/// A feedback form is a few kilobytes; anything much larger is not a citizen typing.
const PUBLIC_BODY_LIMIT_BYTES: usize = 64 * 1024;

/// Address maps above this size are swept of expired entries, bounding the limiter's memory.
const LIMITER_SWEEP_AT: usize = 4096;

/// The style of the portal: the system's `app.css` plus what only the portal needs (the report
/// typography, the printable QR sheet, the hidden honeypot).
const PORTAL_CSS: &str = r#"
.portal .brand small { font-size: 13px; font-weight: normal; opacity: .85; margin-left: 6px; }
.lead { color: var(--muted); margin: 0 0 16px; }
.unit-group { margin-bottom: 16px; }
.unit-group h2 { display: flex; flex-wrap: wrap; gap: 4px 16px; align-items: baseline; }
.unit-group h2 a { font-size: 14px; font-weight: normal; }
.reports { list-style: none; margin: 0; padding: 0; }
.reports li { padding: 8px 0; border-top: 1px solid var(--line); display: flex; justify-content: space-between; gap: 16px; flex-wrap: wrap; }
.reports li:first-child { border-top: 0; }
.channels { display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 12px; list-style: none; padding: 0; margin: 0; }
.channels li { border: 1px solid var(--line); border-radius: var(--radius); padding: 12px 16px; }
.channels .links { display: flex; gap: 14px; margin-top: 6px; font-size: 14px; }
.report-meta { display: flex; flex-wrap: wrap; gap: 4px 20px; color: var(--muted); font-size: 14px; margin: 0 0 12px; }
.report-paper { background: #fff; border: 1px solid var(--line); padding: 48px 56px; margin: 0 auto 16px; max-width: 210mm; color: #000;
  font: 16pt/1.8 "仿宋_GB2312", "仿宋", FangSong, STFangsong, "Noto Serif CJK SC", "Source Han Serif SC", serif; }
.report-paper h1 { text-align: center; font-weight: normal; font-size: 22pt; line-height: 1.4; margin: 0 0 1em;
  font-family: "方正小标宋简体", "华文中宋", STZhongsong, "Noto Serif CJK SC", "Source Han Serif SC", serif; }
.report-paper h2, .report-paper h3, .report-paper h4, .report-paper p { font-size: 16pt; font-weight: normal; margin: 0; text-indent: 2em; text-align: justify; }
.report-paper h2 { font-family: "黑体", SimHei, "Noto Sans CJK SC", sans-serif; }
.report-paper h3 { font-family: "楷体_GB2312", "楷体", KaiTi, STKaiti, "Noto Serif CJK SC", serif; }
.report-paper p.signature, .report-paper p.date { text-indent: 0; text-align: right; padding-right: 2em; }
.report-paper p.signature { margin-top: 1.8em; }
.report-actions { display: flex; flex-wrap: wrap; gap: 10px; margin: 0 0 16px; }
.form { display: flex; flex-direction: column; gap: 16px; max-width: 720px; }
.form input[type=text], .form input[type=tel], .form textarea { width: 100%; font: inherit; padding: 8px 10px; border: 1px solid #8c9199; border-radius: var(--radius); background: #fff; color: var(--ink); }
.form textarea { min-height: 12em; resize: vertical; }
.form label, .form legend { font-size: 15px; color: var(--ink); font-weight: 600; }
.form fieldset { border: 1px solid var(--line); border-radius: var(--radius); padding: 12px 16px; margin: 0; }
.form .choice { display: flex; gap: 24px; flex-wrap: wrap; }
.form .choice label { font-weight: normal; display: inline-flex; gap: 6px; align-items: center; margin: 0; }
.hint { color: var(--muted); font-size: 14px; margin: 4px 0 0; }
.required { color: #a8071a; margin-left: 2px; }
.form .has-error input, .form .has-error textarea { border-color: #cf1322; border-width: 2px; }
.error-summary { border: 2px solid #cf1322; border-radius: var(--radius); padding: 12px 16px; background: #fff2f0; }
.error-summary h2 { font-size: 16px; margin: 0 0 6px; color: #a8071a; }
.error-summary ul { margin: 0; padding-left: 1.2em; }
.hp { position: absolute; left: -10000px; top: auto; width: 1px; height: 1px; overflow: hidden; }
.receipt { font: 600 28px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; letter-spacing: 3px; color: var(--accent); margin: 8px 0; }
.status-tag { display: inline-block; padding: 2px 10px; border-radius: 12px; font-size: 14px; background: var(--accent-soft); color: var(--accent-dark); }
.status-tag.answered { background: #f6ffed; color: #237804; }
.qa dt { font-weight: 600; margin-top: 12px; }
.qa dd { margin: 4px 0 0; white-space: pre-wrap; }
.sheet { background: #fff; width: 210mm; min-height: 297mm; margin: 16px auto; padding: 28mm 20mm; text-align: center; border: 1px solid var(--line);
  display: flex; flex-direction: column; align-items: center; gap: 10mm; color: #000; }
.sheet .unit { font-size: 24pt; font-weight: 600; margin: 0; line-height: 1.4; }
.sheet .call { font-size: 30pt; font-weight: 700; color: var(--accent); margin: 0; letter-spacing: 2px; }
.sheet img { width: 120mm; height: 120mm; image-rendering: pixelated; }
.sheet .url { font: 16pt/1.5 ui-monospace, Menlo, Consolas, monospace; word-break: break-all; max-width: 170mm; margin: 0; }
.sheet .note { font-size: 13pt; color: #333; max-width: 160mm; margin: 0; }
.sheet-tools { text-align: center; margin: 12px auto 0; }
@media print {
  @page { size: A4; margin: 0; }
  body { background: #fff; }
  .top, .crumbs, .foot, .skip, .report-actions, .sheet-tools, .no-print { display: none !important; }
  main.wrap { max-width: none; padding: 0; }
  .report-paper { border: 0; padding: 0; margin: 0; max-width: none; }
  .sheet { border: 0; margin: 0; width: auto; min-height: 0; height: 297mm; }
}
@media (max-width: 640px) { .report-paper { padding: 20px 16px; font-size: 13pt; } .report-paper h1 { font-size: 18pt; } .report-paper h2, .report-paper h3, .report-paper h4, .report-paper p { font-size: 13pt; } }
"#;

/// How many requests of one kind one key may make within a sliding window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max: u32,
    pub window: Duration,
}

impl RateLimit {
    pub const fn new(max: u32, window: Duration) -> Self {
        RateLimit { max, window }
    }
}

/// The portal's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalConfig {
    /// The address the public reaches the site at (`https://xxgk.example.gov.cn`), which the QR
    /// codes encode. `None`: taken from the request's `Host` header.
    pub public_base_url: Option<String>,
    /// Submissions per network address (default 3 per 10 minutes).
    pub submissions_per_address: RateLimit,
    /// Submissions per unit from everyone (default 20 per hour), against floods.
    pub submissions_per_unit: RateLimit,
    /// Receipt-code lookups per network address (default 30 per 10 minutes).
    pub lookups_per_address: RateLimit,
    /// Behind a reverse proxy: the client is the last address of `X-Forwarded-For`. Only
    /// enable when a proxy sets it, or any client could pick its own address.
    pub trust_forwarded_for: bool,
}

impl Default for PortalConfig {
    fn default() -> Self {
        PortalConfig {
            public_base_url: None,
            submissions_per_address: RateLimit::new(3, Duration::from_secs(10 * 60)),
            submissions_per_unit: RateLimit::new(20, Duration::from_secs(60 * 60)),
            lookups_per_address: RateLimit::new(30, Duration::from_secs(10 * 60)),
            trust_forwarded_for: false,
        }
    }
}

impl PortalConfig {
    /// The defaults, with `RECTIFY_PUBLIC_BASE_URL` and `RECTIFY_TRUST_FORWARDED_FOR=1` from the
    /// environment, so that `rectify serve` can be configured without new flags.
    pub fn from_env() -> Self {
        let base = std::env::var("RECTIFY_PUBLIC_BASE_URL").ok().map(|u| u.trim().trim_end_matches('/').to_owned());
        PortalConfig {
            public_base_url: base.filter(|u| u.starts_with("http://") || u.starts_with("https://")),
            trust_forwarded_for: std::env::var("RECTIFY_TRUST_FORWARDED_FOR").is_ok_and(|v| v == "1"),
            ..PortalConfig::default()
        }
    }
}

/// The portal's share of the application state: its settings and the in-memory limiters.
#[derive(Debug, Clone)]
pub(crate) struct Portal {
    config: Arc<PortalConfig>,
    submissions: Arc<Limiter>,
    lookups: Arc<Limiter>,
}

impl Portal {
    pub(crate) fn new(config: PortalConfig) -> Self {
        Portal { config: Arc::new(config), submissions: Arc::default(), lookups: Arc::default() }
    }
}

impl Default for Portal {
    fn default() -> Self {
        Portal::new(PortalConfig::from_env())
    }
}

/// Sliding-window counters per network address, in memory only.
#[derive(Debug, Default)]
struct Limiter {
    hits: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl Limiter {
    /// Counts a request of `key` unless it already made `limit.max` within the window; on
    /// refusal, how long until the oldest of them expires.
    fn hit(&self, key: IpAddr, limit: RateLimit, now: Instant) -> Result<(), Duration> {
        let mut hits = self.hits.lock().unwrap_or_else(PoisonError::into_inner);
        let live = |t: &Instant| now.saturating_duration_since(*t) < limit.window;
        if hits.len() >= LIMITER_SWEEP_AT {
            hits.retain(|_, queue| queue.back().is_some_and(live));
        }
        let queue = hits.entry(key).or_default();
        while queue.front().is_some_and(|t| !live(t)) {
            queue.pop_front();
        }
        if queue.len() >= limit.max as usize {
            let oldest = queue.front().map_or(Duration::ZERO, |t| now.saturating_duration_since(*t));
            return Err(limit.window.saturating_sub(oldest));
        }
        queue.push_back(now);
        Ok(())
    }
}

/// The key a client is limited by: its address, an IPv6 one cut to its /64 network (one
/// subscriber usually holds a whole /64). Unknown clients share one key.
fn client_key(config: &PortalConfig, connected: Option<SocketAddr>, headers: &HeaderMap) -> IpAddr {
    let forwarded = config
        .trust_forwarded_for
        .then(|| headers.get("x-forwarded-for")?.to_str().ok()?.rsplit(',').next()?.trim().parse::<IpAddr>().ok())
        .flatten();
    match forwarded.or(connected.map(|a| a.ip())).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)) {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(v6.to_bits() & !u128::from(u64::MAX))),
        },
        v4 => v4,
    }
}

/// Why a portal page or action failed.
#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("the inspection names no unit, so its report cannot be published")]
    NoUnit,
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Feedback(#[from] FeedbackError),
    #[error("template failed: {0:#}")]
    Template(#[from] minijinja::Error),
    #[error("the QR code could not be made: {0}")]
    Qr(#[from] qrcode::types::QrError),
    #[error("the feedback belongs to a unit outside the account's scope")]
    OutOfScope,
}

impl IntoResponse for PortalError {
    fn into_response(self) -> Response {
        match self {
            PortalError::NotFound(_) | PortalError::Storage(StorageError::NotFound(_)) => public_error(
                StatusCode::NOT_FOUND,
                "未找到该页面",
                "要查看的内容不存在或已撤回，请从公开通报栏目重新进入。",
            ),
            PortalError::OutOfScope => error_page(
                StatusCode::FORBIDDEN,
                "无权访问",
                "该意见建议不属于您负责的单位。如有需要，请联系安全管理员分配权限。",
            ),
            PortalError::NoUnit => public_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "无法发布",
                "该巡察台账未填写被巡察单位名称，补充后才能公开发布。",
            ),
            other => {
                tracing::error!(error = %other, "portal page failed");
                public_error(StatusCode::INTERNAL_SERVER_ERROR, "系统繁忙", "页面暂时无法显示，请稍后重试。")
            }
        }
    }
}

/// What the portal's layout reads.
#[derive(Debug, Serialize)]
struct Site {
    /// `reports`, `lookup` or empty.
    nav: &'static str,
    title: String,
    asset_version: &'static str,
}

fn site(nav: &'static str, title: impl Into<String>) -> Site {
    Site { nav, title: title.into(), asset_version: assets::version() }
}

fn render(name: &str, page: Value) -> Result<Html<String>, PortalError> {
    Ok(Html(super::TEMPLATES.get_template(name)?.render(page)?))
}

fn public_error(status: StatusCode, heading: &str, message: &str) -> Response {
    let page = context! { site => ser(site("", heading)), heading, message };
    match render("portal_error.html", page) {
        Ok(html) => (status, html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "portal error page could not be rendered");
            (status, format!("{heading}：{message}")).into_response()
        }
    }
}

/// Pages holding a form or a receipt code must not be kept by caches or the back button.
fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The routes open to everyone, with the CSRF check and a small body limit.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/public", get(index))
        .route("/public/", get(|| async { Redirect::permanent("/public") }))
        .route("/public/portal.css", get(stylesheet))
        .route("/public/reports/{id}", get(report))
        .route("/public/reports/{id}/original.html", get(original))
        .route("/public/units/{unit}/feedback", get(feedback_form).post(submit))
        .route("/public/units/{unit}/qr.svg", get(qr_svg))
        .route("/public/units/{unit}/qr", get(qr_sheet))
        .route("/public/u/{code}", get(short_link))
        .route("/public/feedback/lookup", get(lookup_form).post(lookup))
        .layer(middleware::from_fn(csrf::check))
        .layer(RequestBodyLimitLayer::new(PUBLIC_BODY_LIMIT_BYTES))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PUBLIC_CSP),
        ))
}

/// The unit's side: publish and withdraw reports, read and answer feedback. To be mounted
/// behind sign-in and the "answer feedback" / "publish" permissions, which put the user's
/// [`Acting`] into the request extensions.
pub fn routes_private() -> Router<AppState> {
    Router::new()
        .route("/inspections/{id}/publish", post(publish))
        .route("/published/{id}/withdraw", post(withdraw))
        .route("/feedback", get(inbox))
        .route("/feedback/{id}", get(item))
        .route("/feedback/{id}/answer", post(answer))
        .route("/feedback/{id}/processing", post(processing))
        .layer(middleware::from_fn(csrf::check))
        .layer(RequestBodyLimitLayer::new(PUBLIC_BODY_LIMIT_BYTES))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(super::PAGE_CSP),
        ))
}

/// `GET /public/portal.css`.
async fn stylesheet() -> Response {
    let mut response = PORTAL_CSS.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response
}

/// A UTC timestamp as Beijing time, `2024年8月1日 17:00`; `date_only` drops the time.
fn beijing(timestamp: &str, date_only: bool) -> String {
    let (Ok(at), Some(offset)) = (DateTime::parse_from_rfc3339(timestamp), FixedOffset::east_opt(8 * 3600)) else {
        return timestamp.to_owned();
    };
    let local = at.with_timezone(&offset);
    local.format(if date_only { "%Y年%-m月%-d日" } else { "%Y年%-m月%-d日 %H:%M" }).to_string()
}

fn unit_path(unit: &str) -> String {
    format!("/public/units/{}", encode(unit))
}

fn positive_id(raw: &str) -> Option<i64> {
    raw.trim().parse::<i64>().ok().filter(|id| *id > 0)
}

/// `GET /public`: the reports on show, grouped by unit, and every unit's feedback channel.
async fn index(State(state): State<AppState>) -> Result<Response, PortalError> {
    let store = state.store();
    let reports = store.list_published(None).await?;
    let mut groups: Vec<(String, Vec<Value>)> = Vec::new();
    for r in &reports {
        let entry = context! {
            title => r.title.clone(),
            id => r.id,
            published => beijing(&r.published_at, true),
        };
        match groups.iter_mut().find(|(unit, _)| *unit == r.unit) {
            Some((_, list)) => list.push(entry),
            None => groups.push((r.unit.clone(), vec![entry])),
        }
    }
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    let groups: Vec<Value> =
        groups.into_iter().map(|(unit, reports)| context! { slug => encode(&unit), unit, reports }).collect();
    let channels: Vec<Value> = store
        .portal_units()
        .await?
        .into_iter()
        .map(|unit| {
            context! { slug => encode(&unit), unit }
        })
        .collect();
    let page = context! { site => ser(site("reports", "公开通报")), groups, channels };
    Ok(render("portal_index.html", page)?.into_response())
}

/// The inside of the snapshot's `<main>`, without `style` attributes (the page's CSP admits
/// only the site's style sheets; the portal's CSS sets the same layout). The snapshot was
/// rendered by the report writer, which escapes every text, so it is trusted markup.
fn report_fragment(html: &str) -> String {
    let inner = html
        .split_once("<main>")
        .and_then(|(_, rest)| rest.rsplit_once("</main>"))
        .map(|(inner, _)| inner)
        .unwrap_or_default();
    let mut out = String::with_capacity(inner.len());
    let mut rest = inner;
    while let Some(start) = rest.find(" style=\"") {
        out.push_str(&rest[..start]);
        let after = &rest[start + " style=\"".len()..];
        rest = after.find('"').map_or("", |end| &after[end + 1..]);
    }
    out.push_str(rest);
    out
}

/// A published report, or the page saying it was withdrawn.
async fn published(
    state: &AppState,
    raw: &str,
) -> Result<Result<rectify_storage::PublishedReport, Response>, PortalError> {
    let id = positive_id(raw).ok_or(PortalError::NotFound("report"))?;
    let report = state.store().get_published(id).await?.ok_or(PortalError::NotFound("report"))?;
    if report.summary.withdrawn_at.is_some() {
        return Ok(Err(public_error(StatusCode::GONE, "该通报已撤回", "该通报已由发布单位撤回，不再公开。")));
    }
    Ok(Ok(report))
}

/// `GET /public/reports/{id}`: the frozen public version inside the portal's layout.
async fn report(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, PortalError> {
    let report = match published(&state, &id).await? {
        Ok(report) => report,
        Err(gone) => return Ok(gone),
    };
    let s = &report.summary;
    let page = context! {
        site => ser(site("reports", s.title.clone())),
        title => s.title.clone(),
        unit => s.unit.clone(),
        published => beijing(&s.published_at, true),
        id => s.id,
        slug => encode(&s.unit),
        inspection => s.inspection_id,
        fragment => report_fragment(&report.body_html),
    };
    Ok(render("portal_report.html", page)?.into_response())
}

/// `GET /public/reports/{id}/original.html`: the snapshot exactly as published (GB/T 9704
/// page layout, for printing or saving).
async fn original(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, PortalError> {
    let report = match published(&state, &id).await? {
        Ok(report) => report,
        Err(gone) => return Ok(gone),
    };
    let mut response = report.body_html.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(ORIGINAL_CSP));
    Ok(response)
}

/// The unit named in the path, when the portal serves it.
async fn known_unit(state: &AppState, unit: &str) -> Result<String, PortalError> {
    let unit = unit.trim();
    if unit.is_empty() || !state.store().is_portal_unit(unit).await? {
        return Err(PortalError::NotFound("unit"));
    }
    Ok(unit.to_owned())
}

/// What the feedback form posts. Every field defaults to empty, so that a missing field is a
/// message next to it rather than a rejected request.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FeedbackForm {
    /// `anonymous` or `real_name`.
    identity: String,
    name: String,
    contact: String,
    subject: String,
    body: String,
    /// The honeypot: hidden from people, filled by bots.
    hp_note: String,
    inspection: String,
}

#[derive(Debug, Deserialize)]
struct FeedbackQuery {
    inspection: Option<String>,
}

/// A field's message in Chinese, shown next to it.
fn problem_zh(problem: &FeedbackProblem) -> String {
    use FeedbackField as F;
    use FieldIssue as I;
    match (problem.field, problem.issue) {
        (F::Subject, I::Missing) => "请填写标题".to_owned(),
        (F::Subject, I::TooLong { max }) => format!("标题不能超过{max}个字"),
        (F::Body, I::Missing) => "请填写意见建议的内容".to_owned(),
        (F::Body, I::TooShort { min }) => format!("内容不能少于{min}个字，请把问题写具体"),
        (F::Body, I::TooLong { max }) => format!("内容不能超过{max}个字"),
        (F::Name, I::Missing) => "实名反映请填写姓名".to_owned(),
        (F::Name, I::TooLong { max }) => format!("姓名不能超过{max}个字"),
        (F::Contact, I::Missing) => "实名反映请填写联系方式（电话或电子邮箱），以便答复".to_owned(),
        (F::Contact, I::TooLong { max }) => format!("联系方式不能超过{max}个字"),
        (_, I::TooShort { min }) => format!("不能少于{min}个字"),
    }
}

/// The field's name as the form and the template know it.
fn field_key(field: FeedbackField) -> &'static str {
    match field {
        FeedbackField::Subject => "subject",
        FeedbackField::Body => "body",
        FeedbackField::Name => "name",
        FeedbackField::Contact => "contact",
    }
}

/// Line breaks as `\n`, and no other control characters.
fn clean_text(text: &str) -> String {
    text.replace("\r\n", "\n").chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t')).collect()
}

fn one_line(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

/// Renders the form with what the citizen typed and the messages next to the fields.
fn form_page(
    unit: &str,
    csrf: &CsrfToken,
    form: &FeedbackForm,
    errors: &[(&'static str, String)],
    status: StatusCode,
) -> Result<Response, PortalError> {
    let error_map: HashMap<&str, &str> = errors.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let summary: Vec<Value> = errors.iter().map(|(k, v)| context! { field => *k, message => v.clone() }).collect();
    let real_name = form.identity == "real_name";
    let page = context! {
        site => ser(site("", format!("{unit}意见建议"))),
        unit,
        slug => encode(unit),
        csrf => csrf.0.clone(),
        values => context! {
            real_name,
            name => form.name.clone(),
            contact => form.contact.clone(),
            subject => form.subject.clone(),
            body => form.body.clone(),
            inspection => form.inspection.clone(),
        },
        errors => ser(error_map),
        summary,
        subject_max => rectify_storage::portal::SUBJECT_MAX_CHARS,
        body_min => rectify_storage::portal::BODY_MIN_CHARS,
        body_max => rectify_storage::portal::BODY_MAX_CHARS,
    };
    Ok(no_store((status, render("portal_feedback.html", page)?).into_response()))
}

/// `GET /public/units/{unit}/feedback`.
async fn feedback_form(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Path(unit): Path<String>,
    query: Result<Query<FeedbackQuery>, QueryRejection>,
) -> Result<Response, PortalError> {
    let unit = known_unit(&state, &unit).await?;
    let inspection = query.ok().and_then(|Query(q)| q.inspection).and_then(|i| positive_id(&i)).map(|i| i.to_string());
    let form = FeedbackForm {
        identity: "anonymous".to_owned(),
        inspection: inspection.unwrap_or_default(),
        ..FeedbackForm::default()
    };
    form_page(&unit, &csrf, &form, &[], StatusCode::OK)
}

/// A refusal for going too fast, with the time to wait.
fn too_many(wait: Duration, message: &str) -> Response {
    let minutes = wait.as_secs().div_ceil(60).max(1);
    let mut response = public_error(
        StatusCode::TOO_MANY_REQUESTS,
        "提交过于频繁",
        &format!("{message}请约{minutes}分钟后再试。如情况紧急，请通过通报中公布的电话或信函反映。"),
    );
    if let Ok(value) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// `POST /public/units/{unit}/feedback`: validate, limit, store, and show the receipt code.
async fn submit(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    connected: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Path(unit): Path<String>,
    form: Result<Form<FeedbackForm>, FormRejection>,
) -> Result<Response, PortalError> {
    let unit = known_unit(&state, &unit).await?;
    let Ok(Form(mut form)) = form else {
        return Ok(public_error(StatusCode::BAD_REQUEST, "提交未成功", "表单内容无法读取，请返回刷新页面后重新填写。"));
    };
    if !form.hp_note.trim().is_empty() {
        // Only automated submitters fill the hidden field; tell them nothing useful.
        tracing::info!("feedback refused by the honeypot");
        return Ok(public_error(
            StatusCode::BAD_REQUEST,
            "提交未成功",
            "提交内容未通过校验，请返回刷新页面后重新填写。",
        ));
    }
    form.subject = one_line(&form.subject);
    form.body = clean_text(&form.body);
    form.name = one_line(&form.name);
    form.contact = one_line(&form.contact);
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let submitter = match form.identity.as_str() {
        "anonymous" => Submitter::Anonymous,
        "real_name" => Submitter::RealName { name: form.name.clone(), contact: form.contact.clone() },
        _ => {
            errors.push(("identity", "请选择匿名反映或实名反映".to_owned()));
            Submitter::Anonymous
        }
    };
    let new = NewFeedback {
        unit: unit.clone(),
        inspection_id: positive_id(&form.inspection),
        submitter,
        subject: form.subject.clone(),
        body: form.body.clone(),
    };
    errors.extend(new.check().iter().map(|p| (field_key(p.field), problem_zh(p))));
    if !errors.is_empty() {
        return form_page(&unit, &csrf, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let portal = &state.portal;
    let key = client_key(&portal.config, connected.map(|Extension(ConnectInfo(a))| a), &headers);
    if let Err(wait) = portal.submissions.hit(key, portal.config.submissions_per_address, Instant::now()) {
        return Ok(too_many(wait, "您提交得过于频繁，"));
    }
    let unit_limit = portal.config.submissions_per_unit;
    let window = chrono::TimeDelta::from_std(unit_limit.window).unwrap_or(chrono::TimeDelta::hours(1));
    if state.store().count_feedback_since(&unit, Utc::now() - window).await? >= u64::from(unit_limit.max) {
        return Ok(too_many(unit_limit.window, "该单位近期收到的意见建议较多，系统暂停受理，"));
    }
    let receipt = match state.store().submit_feedback(&new, Utc::now()).await {
        Ok(receipt) => receipt,
        Err(FeedbackError::Invalid(problems)) => {
            let errors: Vec<_> = problems.iter().map(|p| (field_key(p.field), problem_zh(p))).collect();
            return form_page(&unit, &csrf, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(FeedbackError::UnknownUnit(_)) => return Err(PortalError::NotFound("unit")),
        Err(e) => return Err(e.into()),
    };
    let anonymous = matches!(new.submitter, Submitter::Anonymous);
    let page = context! {
        site => ser(site("", "提交成功")),
        unit,
        code => format_receipt_code(&receipt.code),
        submitted => beijing(&receipt.submitted_at, false),
        anonymous,
    };
    Ok(no_store(render("portal_thanks.html", page)?.into_response()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LookupForm {
    code: String,
}

fn lookup_page(
    csrf: &CsrfToken,
    code: &str,
    error: Option<&str>,
    found: Option<Value>,
    status: StatusCode,
) -> Result<Response, PortalError> {
    let page = context! {
        site => ser(site("lookup", "办理情况查询")),
        csrf => csrf.0.clone(),
        code,
        error,
        found,
    };
    Ok(no_store((status, render("portal_lookup.html", page)?).into_response()))
}

/// `GET /public/feedback/lookup`.
async fn lookup_form(Extension(csrf): Extension<CsrfToken>) -> Result<Response, PortalError> {
    lookup_page(&csrf, "", None, None, StatusCode::OK)
}

/// `POST /public/feedback/lookup` (the code travels in the body, not in a URL that browsers
/// and logs keep).
async fn lookup(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    connected: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    form: Result<Form<LookupForm>, FormRejection>,
) -> Result<Response, PortalError> {
    let typed = form.map(|Form(f)| one_line(&f.code)).unwrap_or_default();
    let typed = typed.trim();
    let portal = &state.portal;
    let key = client_key(&portal.config, connected.map(|Extension(ConnectInfo(a))| a), &headers);
    if let Err(wait) = portal.lookups.hit(key, portal.config.lookups_per_address, Instant::now()) {
        return Ok(too_many(wait, "查询过于频繁，"));
    }
    if typed.is_empty() {
        return lookup_page(&csrf, typed, Some("请输入查询码"), None, StatusCode::UNPROCESSABLE_ENTITY);
    }
    if normalize_receipt_code(typed).is_none() {
        let message = "查询码为12位字母和数字（不含0、1、I、O），请核对后重新输入";
        return lookup_page(&csrf, typed, Some(message), None, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let Some(found) = state.store().find_feedback_by_code(typed).await? else {
        let message = "未找到与该查询码对应的意见建议，请核对后重新输入";
        return lookup_page(&csrf, typed, Some(message), None, StatusCode::NOT_FOUND);
    };
    let found = context! {
        unit => found.unit,
        submitted => beijing(&found.submitted_at, false),
        anonymous => found.anonymous,
        subject => found.subject,
        body => found.body,
        status => found.status.label_zh(),
        answered => found.status == FeedbackStatus::Answered,
        answer => found.answer,
        answered_at => found.answered_at.map(|t| beijing(&t, false)),
    };
    lookup_page(&csrf, typed, None, Some(found), StatusCode::OK)
}

/// Characters of a unit's short code.
const UNIT_CODE_LEN: usize = 8;

/// A short, stable code for a unit's name (FNV-1a, 40 bits, in the receipt codes' unambiguous
/// alphabet). The QR link carries it instead of the percent-encoded name, which is some 200
/// characters: the short link makes a coarse code that still scans when printed small or worn,
/// and can be typed from the sheet. A renamed unit gets a new code, and needs a new sheet anyway.
fn unit_code(unit: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in unit.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (0..UNIT_CODE_LEN).map(|i| char::from(RECEIPT_ALPHABET[((hash >> (i * 5)) & 0x1f) as usize])).collect()
}

/// The address of a unit's QR link, as printed under the code: the configured public address,
/// else the scheme and host the request came with.
fn qr_url(config: &PortalConfig, headers: &HeaderMap, unit: &str) -> String {
    let base = match &config.public_base_url {
        Some(base) => base.clone(),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b)))
                .unwrap_or("localhost");
            let forwarded_https = config.trust_forwarded_for
                && headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https");
            format!("{}://{host}", if forwarded_https { "https" } else { "http" })
        }
    };
    format!("{base}/public/u/{}", unit_code(unit))
}

/// `GET /public/u/{code}`: where a unit's QR code leads, on to its feedback page.
async fn short_link(State(state): State<AppState>, Path(code): Path<String>) -> Result<Response, PortalError> {
    let code = code.trim().to_ascii_uppercase();
    let unit = state.store().portal_units().await?.into_iter().find(|u| unit_code(u) == code);
    let unit = unit.ok_or(PortalError::NotFound("unit"))?;
    Ok(Redirect::to(&format!("{}/feedback", unit_path(&unit))).into_response())
}

/// The QR code of `url` as SVG: error correction M (15 %) survives a worn or creased print.
fn qr_svg_of(url: &str) -> Result<String, PortalError> {
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)?;
    Ok(code.render::<qrcode::render::svg::Color>().min_dimensions(256, 256).quiet_zone(true).build())
}

/// `GET /public/units/{unit}/qr.svg`.
async fn qr_svg(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(unit): Path<String>,
) -> Result<Response, PortalError> {
    let unit = known_unit(&state, &unit).await?;
    let svg = qr_svg_of(&qr_url(&state.portal.config, &headers, &unit))?;
    let mut response = svg.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}

/// `GET /public/units/{unit}/qr`: an A4 sheet to print and post up.
async fn qr_sheet(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(unit): Path<String>,
) -> Result<Response, PortalError> {
    let unit = known_unit(&state, &unit).await?;
    let url = qr_url(&state.portal.config, &headers, &unit);
    let page = context! {
        site => ser(site("", format!("{unit}意见建议二维码"))),
        slug => encode(&unit),
        unit,
        url,
    };
    Ok(render("portal_qr.html", page)?.into_response())
}

/// Publishes the public version of an inspection's report, rendered now and frozen: later
/// changes of the ledger do not alter what was published. Returns the publication's id.
pub async fn publish_inspection(
    state: &AppState,
    inspection_id: i64,
    acting: &Acting,
) -> Result<PublicationId, PortalError> {
    let ledger = state.store().export_ledger(inspection_id).await?;
    let unit = ledger.unit.clone().filter(|u| !u.trim().is_empty()).ok_or(PortalError::NoUnit)?;
    let options = ReportOptions::for_ledger(&ledger);
    let title = build_blocks(&ledger, &options)
        .into_iter()
        .find_map(|b| if let Block::Title(t) = b { Some(t) } else { None })
        .or_else(|| ledger.title.clone())
        .unwrap_or_else(|| "关于巡察整改进展情况的通报".to_owned());
    let publication = NewPublication {
        inspection_id,
        unit,
        title,
        body_html: render_html(&ledger, &options),
        body_markdown: render_markdown(&ledger, &options),
    };
    Ok(state.store().publish_report(&publication, acting, Utc::now()).await?)
}

/// The signed-in staff member acting on the unit's side: the [`Principal`] the sign-in layer
/// put into the request (or a bare [`Acting`], as embedding applications and tests may), with the
/// units whose feedback they may handle (`None`: every unit).
struct Actor {
    acting: Acting,
    principal: Option<Principal>,
}

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        if let Some(principal) = parts.extensions.get::<Principal>() {
            return Ok(Actor { acting: principal.acting(), principal: Some(principal.clone()) });
        }
        match parts.extensions.get::<Acting>() {
            Some(acting) => Ok(Actor { acting: acting.clone(), principal: None }),
            None => {
                Err(error_page(StatusCode::FORBIDDEN, "需要登录", "此操作仅限已登录并有相应权限的工作人员，请先登录。"))
            }
        }
    }
}

impl Actor {
    /// The units whose feedback the actor may see: those of the inspections in their scope.
    async fn units(&self, state: &AppState) -> Result<Vec<String>, PortalError> {
        Ok(units_in_scope(state, self.principal.as_ref()).await?)
    }
}

/// The portal's units within `principal`'s data scope (`None`: an embedding application's bare
/// [`Acting`], which sees every unit).
async fn units_in_scope(state: &AppState, principal: Option<&Principal>) -> Result<Vec<String>, StorageError> {
    let all = state.store().portal_units().await?;
    let Some(principal) = principal else { return Ok(all) };
    let visibility = Visibility::new(&principal.grants);
    let seen: Vec<String> = state
        .store()
        .list_inspections()
        .await?
        .iter()
        .filter(|s| visibility.sees_inspection(s))
        .filter_map(|s| s.unit.clone())
        .collect();
    Ok(all.into_iter().filter(|u| seen.contains(u)).collect())
}

/// For the navigation's 群众意见 link: how many feedback items of the units in the principal's
/// scope still await an answer, or `None` when the principal may not read feedback at all.
pub(crate) async fn unanswered_feedback(
    state: &AppState,
    principal: &Principal,
) -> Result<Option<usize>, StorageError> {
    if !rectify_auth::allows_any(&principal.roles(), rectify_auth::Permission::ReadFeedback) {
        return Ok(None);
    }
    let open = state.store().open_feedback_by_unit().await?;
    let units = units_in_scope(state, Some(principal)).await?;
    let total: u64 = units.iter().filter_map(|unit| open.get(unit)).sum();
    Ok(Some(usize::try_from(total).unwrap_or(usize::MAX)))
}

/// `POST /inspections/{id}/publish`.
async fn publish(State(state): State<AppState>, actor: Actor, Path(id): Path<String>) -> Result<Response, PortalError> {
    let id = positive_id(&id).ok_or(PortalError::NotFound("inspection"))?;
    let published = publish_inspection(&state, id, &actor.acting).await?;
    // Back to the ledger, which confirms the publication and links to the public page.
    Ok(Redirect::to(&format!("/inspections/{id}/ledger?published={published}")).into_response())
}

/// `POST /published/{id}/withdraw`.
async fn withdraw(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, PortalError> {
    let id = positive_id(&id).ok_or(PortalError::NotFound("report"))?;
    let report = state.store().get_published(id).await?.ok_or(PortalError::NotFound("report"))?;
    if !actor.units(&state).await?.contains(&report.summary.unit) {
        return Err(PortalError::OutOfScope);
    }
    state.store().withdraw_published(id, &actor.acting, Utc::now()).await?;
    Ok(Redirect::to("/public").into_response())
}

#[derive(Debug, Deserialize)]
struct InboxQuery {
    unit: Option<String>,
    status: Option<String>,
}

/// Renders a page of the unit's side in the system's own layout.
fn staff_page(name: &str, chrome: super::Chrome, page: Value) -> Result<Html<String>, PortalError> {
    render(
        name,
        context! { chrome => ser(chrome), viewer => ser(super::viewer()), feedback_nav => crate::authz::nav_feedback(), ..page },
    )
}

/// `GET /feedback?unit=…&status=…`: a unit's feedback, newest first.
async fn inbox(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    actor: Actor,
    query: Result<Query<InboxQuery>, QueryRejection>,
) -> Result<Response, PortalError> {
    let query = query.map(|Query(q)| q).unwrap_or(InboxQuery { unit: None, status: None });
    let units = actor.units(&state).await?;
    let unit = match query.unit {
        Some(u) if units.contains(&u) => Some(u),
        _ if units.len() == 1 => units.first().cloned(),
        _ => None,
    };
    let status = query.status.as_deref().and_then(FeedbackStatus::from_name);
    let items: Vec<Value> = match &unit {
        Some(unit) => state
            .store()
            .list_feedback(unit, status)
            .await?
            .into_iter()
            .map(|f| {
                context! {
                    id => f.id,
                    subject => f.subject,
                    submitted => beijing(&f.submitted_at, false),
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
    let chrome = chrome(&state, "feedback", "意见建议办理", crumbs, None, &csrf);
    let slug = unit.as_deref().map(encode);
    let page = context! { units, unit, slug, statuses, items };
    Ok(staff_page("portal_inbox.html", chrome, page)?.into_response())
}

async fn item_page(
    state: &AppState,
    csrf: &CsrfToken,
    actor: &Actor,
    id: i64,
    error: Option<&str>,
    draft: Option<&str>,
) -> Result<Response, PortalError> {
    let f = state.store().get_feedback(id).await?.ok_or(PortalError::NotFound("feedback"))?;
    if !actor.units(state).await?.contains(&f.unit) {
        return Err(PortalError::OutOfScope);
    }
    let inbox_href = format!("/feedback?unit={}", encode(&f.unit));
    let crumbs =
        vec![Crumb::link("首页", "/"), Crumb::link("意见建议办理", inbox_href), Crumb::here(f.subject.clone())];
    let chrome = chrome(state, "feedback", "意见建议办理", crumbs, f.inspection_id, csrf);
    let page = context! {
        id => f.id,
        unit => f.unit,
        subject => f.subject,
        body => f.body,
        submitted => beijing(&f.submitted_at, false),
        anonymous => f.anonymous,
        name => f.name,
        contact => f.contact,
        status => f.status.label_zh(),
        received => f.status == FeedbackStatus::Received,
        answer => draft.map(str::to_owned).or(f.answer),
        answered_at => f.answered_at.map(|t| beijing(&t, false)),
        error,
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(no_store((status, staff_page("portal_item.html", chrome, page)?).into_response()))
}

/// `GET /feedback/{id}`: one feedback with the answer form.
async fn item(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, PortalError> {
    let id = positive_id(&id).ok_or(PortalError::NotFound("feedback"))?;
    item_page(&state, &csrf, &actor, id, None, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AnswerForm {
    answer: String,
}

/// The feedback `id` when the actor may handle it.
async fn handled_feedback(state: &AppState, actor: &Actor, raw: &str) -> Result<i64, PortalError> {
    let id = positive_id(raw).ok_or(PortalError::NotFound("feedback"))?;
    let f = state.store().get_feedback(id).await?.ok_or(PortalError::NotFound("feedback"))?;
    if !actor.units(state).await?.contains(&f.unit) {
        return Err(PortalError::OutOfScope);
    }
    Ok(id)
}

/// `POST /feedback/{id}/answer`.
async fn answer(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    actor: Actor,
    Path(id): Path<String>,
    form: Result<Form<AnswerForm>, FormRejection>,
) -> Result<Response, PortalError> {
    let id = handled_feedback(&state, &actor, &id).await?;
    let text = form.map(|Form(f)| clean_text(&f.answer)).unwrap_or_default();
    match state.store().answer_feedback(id, &text, &actor.acting, Utc::now()).await {
        Ok(()) => Ok(Redirect::to(&format!("/feedback/{id}")).into_response()),
        Err(FeedbackError::EmptyAnswer) => {
            item_page(&state, &csrf, &actor, id, Some("请填写答复内容"), Some(&text)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /feedback/{id}/processing`: 开始办理.
async fn processing(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, PortalError> {
    let id = handled_feedback(&state, &actor, &id).await?;
    state.store().mark_feedback_processing(id, &actor.acting, Utc::now()).await?;
    Ok(Redirect::to(&format!("/feedback/{id}")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limiter_slides_and_keeps_keys_apart() {
        let limiter = Limiter::default();
        let limit = RateLimit::new(2, Duration::from_secs(60));
        let (a, b) = (IpAddr::from([192, 0, 2, 1]), IpAddr::from([192, 0, 2, 2]));
        let t0 = Instant::now();
        assert!(limiter.hit(a, limit, t0).is_ok());
        assert!(limiter.hit(a, limit, t0 + Duration::from_secs(10)).is_ok());
        let wait = limiter.hit(a, limit, t0 + Duration::from_secs(20)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(40), "until the first hit leaves the window");
        assert!(limiter.hit(b, limit, t0 + Duration::from_secs(20)).is_ok(), "another address is not limited");
        assert!(limiter.hit(a, limit, t0 + Duration::from_secs(61)).is_ok(), "the first hit expired");
    }

    #[test]
    fn clients_are_keyed_by_address_and_ipv6_network() {
        let config = PortalConfig::default();
        let headers = HeaderMap::new();
        let v6: SocketAddr = "[2001:db8:1:2:aaaa::1]:443".parse().unwrap();
        let same_net: SocketAddr = "[2001:db8:1:2:bbbb::9]:443".parse().unwrap();
        assert_eq!(client_key(&config, Some(v6), &headers), client_key(&config, Some(same_net), &headers));
        assert_eq!(client_key(&config, Some(v6), &headers), "2001:db8:1:2::".parse::<IpAddr>().unwrap());
        let mapped: SocketAddr = "[::ffff:192.0.2.7]:80".parse().unwrap();
        assert_eq!(client_key(&config, Some(mapped), &headers), IpAddr::from([192, 0, 2, 7]));

        let mut forwarded = HeaderMap::new();
        forwarded.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.9, 198.51.100.4"));
        let direct: SocketAddr = "10.0.0.1:5000".parse().unwrap();
        assert_eq!(client_key(&config, Some(direct), &forwarded), IpAddr::from([10, 0, 0, 1]), "not trusted");
        let trusting = PortalConfig { trust_forwarded_for: true, ..PortalConfig::default() };
        assert_eq!(client_key(&trusting, Some(direct), &forwarded), IpAddr::from([198, 51, 100, 4]));
    }

    #[test]
    fn the_fragment_is_the_main_element_without_inline_styles() {
        let html = "<html><head><style>x</style></head><body><main>\n<h1>标题</h1>\n\
                    <p class=\"signature\" style=\"padding-right:4.00em\">某党组</p>\n</main></body></html>";
        assert_eq!(report_fragment(html), "\n<h1>标题</h1>\n<p class=\"signature\">某党组</p>\n");
        assert_eq!(report_fragment("no main here"), "");
    }

    #[test]
    fn timestamps_are_shown_in_beijing_time() {
        assert_eq!(beijing("2024-08-01T17:30:00.000000Z", false), "2024年8月2日 01:30");
        assert_eq!(beijing("2024-08-01T09:00:00.000000Z", true), "2024年8月1日");
        assert_eq!(beijing("garbage", true), "garbage");
    }

    #[test]
    fn qr_links_come_from_the_configuration_or_the_host() {
        let code = unit_code("某局");
        assert_eq!(code.len(), UNIT_CODE_LEN);
        assert!(code.bytes().all(|b| RECEIPT_ALPHABET.contains(&b)), "{code}");
        assert_eq!(code, unit_code("某局"), "stable");
        assert_ne!(code, unit_code("某局党组"));
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("portal.example:8080"));
        assert_eq!(
            qr_url(&PortalConfig::default(), &headers, "某局"),
            format!("http://portal.example:8080/public/u/{code}")
        );
        let configured =
            PortalConfig { public_base_url: Some("https://xxgk.example.gov.cn".into()), ..PortalConfig::default() };
        assert_eq!(qr_url(&configured, &headers, "某局"), format!("https://xxgk.example.gov.cn/public/u/{code}"));
        headers.insert(header::HOST, HeaderValue::from_static("evil\"><script>"));
        assert!(qr_url(&PortalConfig::default(), &headers, "某局").starts_with("http://localhost/public/u/"));
    }

    mod handlers {
        use axum::body::Body;
        use axum::http::Request;
        use http_body_util::BodyExt;
        use rectify_domain::roles::Role;
        use rectify_storage::Store;
        use tower::ServiceExt;

        use super::*;

        const CSRF: &str = "abababababababababababababababababababababababababababababababab";

        struct Fixture {
            app: Router,
            store: Store,
            inspection: i64,
            unit: String,
            _dir: tempfile::TempDir,
        }

        /// The unit's side with an [`Acting`] in the extensions, as an embedding application
        /// provides it (the sign-in layer provides a `Principal` instead).
        async fn fixture(signed_in: bool) -> Fixture {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::connect(&format!("sqlite:{}", dir.path().join("p.sqlite").display())).await.unwrap();
            let ledger = crate::demo::demo_ledger(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
            let inspection = store.import_ledger(&ledger).await.unwrap();
            let mut app = Router::new().merge(routes_private()).merge(routes());
            if signed_in {
                let acting =
                    Acting { user_id: None, user_name: "联络员乙".into(), role: Role::UnitLiaison, address: None };
                app = app.layer(Extension(acting));
            }
            let app = app.with_state(AppState::new(store.clone()));
            Fixture { app, store, inspection, unit: ledger.unit.unwrap_or_default(), _dir: dir }
        }

        async fn call(app: &Router, method: &str, uri: &str, body: &str) -> (StatusCode, String, String) {
            let request = Request::builder()
                .method(method)
                .uri(uri)
                .header(header::COOKIE, format!("rectify_csrf={CSRF}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("csrf_token={CSRF}&{body}")))
                .unwrap();
            let response = app.clone().oneshot(request).await.unwrap();
            let status = response.status();
            let location =
                response.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            (status, location, String::from_utf8_lossy(&bytes).into_owned())
        }

        fn real_name(unit: &str) -> NewFeedback {
            NewFeedback {
                unit: unit.to_owned(),
                inspection_id: None,
                submitter: Submitter::RealName { name: "钱七".into(), contact: "010-12345678".into() },
                subject: "停车难问题".into(),
                body: "小区周边停车难的问题整改后仍未改善。".into(),
            }
        }

        #[tokio::test]
        async fn publishing_freezes_the_public_version_and_is_audited() {
            let f = fixture(true).await;
            let (status, location, _) =
                call(&f.app, "POST", &format!("/inspections/{}/publish", f.inspection), "").await;
            assert_eq!(status, StatusCode::SEE_OTHER);
            let list = f.store.list_published(None).await.unwrap();
            assert_eq!(list.len(), 1);
            assert_eq!(location, format!("/inspections/{}/ledger?published={}", f.inspection, list[0].id));
            assert_eq!(list[0].unit, f.unit);
            let report = f.store.get_published(list[0].id).await.unwrap().unwrap();
            assert!(report.body_html.starts_with("<!DOCTYPE html>") && report.body_markdown.starts_with('#'));
            let audit = f.store.list_audit(&Default::default(), Default::default()).await.unwrap();
            assert!(audit.iter().any(|e| e.action == "report.publish" && e.actor_name == "联络员乙"));
            let (status, _, _) = call(&f.app, "POST", "/inspections/999/publish", "").await;
            assert_eq!(status, StatusCode::NOT_FOUND);

            let (status, location, _) = call(&f.app, "POST", &format!("/published/{}/withdraw", list[0].id), "").await;
            assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/public"));
            assert!(f.store.list_published(None).await.unwrap().is_empty());
        }

        #[tokio::test]
        async fn the_inbox_lists_and_answers_feedback() {
            let f = fixture(true).await;
            let receipt = f.store.submit_feedback(&real_name(&f.unit), Utc::now()).await.unwrap();
            let (status, _, html) = call(&f.app, "GET", "/feedback", "").await;
            assert_eq!(status, StatusCode::OK);
            assert!(html.contains("停车难问题") && html.contains("<td>实名</td><td>已受理</td>"), "{html}");
            let item = format!("/feedback/{}", receipt.id);
            let (_, _, html) = call(&f.app, "GET", &item, "").await;
            assert!(html.contains("钱七") && html.contains("010-12345678"), "staff see the real name");
            assert!(!html.contains(&receipt.code), "staff do not see the citizen's code");

            let (status, _, _) = call(&f.app, "POST", &format!("{item}/processing"), "").await;
            assert_eq!(status, StatusCode::SEE_OTHER);
            let (status, _, html) = call(&f.app, "POST", &format!("{item}/answer"), "answer=%20%20").await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(html.contains("请填写答复内容"));
            let answer = "已协调增设临时停车位。";
            let encoded: String = answer.bytes().map(|b| format!("%{b:02X}")).collect();
            let (status, location, _) =
                call(&f.app, "POST", &format!("{item}/answer"), &format!("answer={encoded}")).await;
            assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, item.as_str()));
            let seen = f.store.find_feedback_by_code(&receipt.code).await.unwrap().unwrap();
            assert_eq!((seen.status, seen.answer.as_deref()), (FeedbackStatus::Answered, Some(answer)));
            let (_, _, html) = call(&f.app, "GET", "/feedback?status=answered", "").await;
            assert!(html.contains("<td>实名</td><td>已答复</td>"), "{html}");
            let (_, _, html) = call(&f.app, "GET", "/feedback?status=received", "").await;
            assert!(html.contains("暂无符合条件的意见建议"));
        }

        #[tokio::test]
        async fn without_a_signed_in_user_the_units_side_refuses() {
            let f = fixture(false).await;
            let receipt = f.store.submit_feedback(&real_name(&f.unit), Utc::now()).await.unwrap();
            for (method, uri) in [
                ("GET", "/feedback".to_string()),
                ("GET", format!("/feedback/{}", receipt.id)),
                ("POST", format!("/feedback/{}/answer", receipt.id)),
                ("POST", format!("/inspections/{}/publish", f.inspection)),
            ] {
                let (status, _, html) = call(&f.app, method, &uri, "answer=x").await;
                assert_eq!(status, StatusCode::FORBIDDEN, "{uri}");
                assert!(!html.contains("钱七"), "{uri}");
            }
            assert!(f.store.list_published(None).await.unwrap().is_empty());
            assert_eq!(f.store.list_feedback(&f.unit, None).await.unwrap()[0].status, FeedbackStatus::Received);
        }
    }

    #[test]
    fn every_form_problem_has_a_chinese_message() {
        for field in [FeedbackField::Subject, FeedbackField::Body, FeedbackField::Name, FeedbackField::Contact] {
            for issue in [FieldIssue::Missing, FieldIssue::TooShort { min: 10 }, FieldIssue::TooLong { max: 50 }] {
                let message = problem_zh(&FeedbackProblem { field, issue });
                assert!(!message.is_empty() && !message.is_ascii(), "{field:?} {issue:?}");
            }
        }
    }
}
