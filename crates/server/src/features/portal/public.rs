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

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use minijinja::{Value, context};
use rectify_storage::portal::{
    FeedbackField, FeedbackProblem, FieldIssue, format_receipt_code, normalize_receipt_code,
};
use rectify_storage::{FeedbackStatus, NewFeedback, Submitter};
use serde::Deserialize;

use crate::error::AppError;
use crate::http::csrf::CsrfToken;
use crate::http::error;
use crate::http::page::no_store;
use crate::ids::{InspectionId, PublicationId};
use crate::render::{format, render_public, ser, site};
use crate::service::AppState;
use crate::service::portal::{self, PortalConfig, Proof, Submission, unit_code};
use crate::text::clean_text;

/// The frozen standalone report carries its own inline style sheet and nothing else.
const ORIGINAL_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; \
     base-uri 'none'; form-action 'none'";

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
.preview-bar { position: sticky; top: 0; z-index: 5; background: #fffbe6; border: 2px dashed #d48806; border-radius: 4px; padding: 12px 16px; margin: 12px 0 16px; box-shadow: 0 2px 6px rgba(0,0,0,.08); }
.preview-bar h1 { font-size: 18px; margin: 0 0 6px; display: flex; align-items: center; gap: 8px; }
.preview-bar p { margin: 4px 0; }
.preview-badge { background: #d48806; color: #fff; font-size: 14px; padding: 2px 10px; border-radius: 3px; letter-spacing: 2px; }
.preview-changed { color: #a8071a; font-weight: 600; }
.preview-actions { display: flex; flex-wrap: wrap; gap: 10px; margin-top: 8px; }
.report-actions [aria-disabled=true] { opacity: .6; cursor: default; }
"#;

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

/// The feedback form's policy while it carries a proof-of-work challenge: the site's own script.
const PROOF_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'none'; object-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The proof-of-work script: finds a nonce such that SHA-256(challenge ":" nonce) starts with the
/// required zero bits (Web Crypto), puts it in the form and enables the submit button.
const PROOF_JS: &str = r#"(function () {
  var form = document.querySelector("form[data-pow-challenge]");
  if (!form || !window.crypto || !crypto.subtle) { return; }
  var challenge = form.getAttribute("data-pow-challenge");
  var bits = parseInt(form.getAttribute("data-pow-bits"), 10) || 0;
  var field = form.querySelector("input[name=pow_nonce]");
  var status = document.getElementById("pow-status");
  var button = form.querySelector("button[type=submit]");
  if (button) { button.disabled = true; }
  var encoder = new TextEncoder();
  function zeros(buffer) {
    var bytes = new Uint8Array(buffer), n = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) { n += 8; continue; }
      var b = bytes[i];
      while ((b & 0x80) === 0) { n++; b <<= 1; }
      return n;
    }
    return n;
  }
  function attempt(nonce) {
    var batch = [];
    for (var i = 0; i < 256; i++) {
      batch.push(crypto.subtle.digest("SHA-256", encoder.encode(challenge + ":" + (nonce + i))));
    }
    Promise.all(batch).then(function (digests) {
      for (var i = 0; i < digests.length; i++) {
        if (zeros(digests[i]) >= bits) {
          field.value = String(nonce + i);
          if (status) { status.textContent = "安全验证已完成，请点击提交。"; }
          if (button) { button.disabled = false; }
          return;
        }
      }
      attempt(nonce + 256);
    });
  }
  attempt(0);
})();
"#;

/// `GET /public/pow.js`.
pub(crate) async fn proof_script() -> Response {
    let mut response = PROOF_JS.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response
}

/// `GET /public/portal.css`.
pub(crate) async fn stylesheet() -> Response {
    let mut response = PORTAL_CSS.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response
}

fn unit_path(unit: &str) -> String {
    format!("/public/units/{}", format::encode(unit))
}

/// `GET /public`: the reports on show, grouped by unit, and every unit's feedback channel.
pub(crate) async fn index(State(state): State<AppState>) -> Result<Response, AppError> {
    let reports = portal::published_reports(&state).await?;
    let mut groups: Vec<(String, Vec<Value>)> = Vec::new();
    for r in &reports {
        let entry = context! {
            title => r.title.clone(),
            id => r.id,
            published => format::beijing(&r.published_at, true),
        };
        match groups.iter_mut().find(|(unit, _)| *unit == r.unit) {
            Some((_, list)) => list.push(entry),
            None => groups.push((r.unit.clone(), vec![entry])),
        }
    }
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    let groups: Vec<Value> =
        groups.into_iter().map(|(unit, reports)| context! { slug => format::encode(&unit), unit, reports }).collect();
    let channels: Vec<Value> = portal::units(&state)
        .await?
        .into_iter()
        .map(|unit| {
            context! { slug => format::encode(&unit), unit }
        })
        .collect();
    let page = context! { site => ser(site("reports", "公开通报")), groups, channels };
    Ok(render_public("portal_index.html", page)?.into_response())
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

/// A report as the portal shows it: the values of `portal_report.html`. The public page and the
/// staff's preview before publishing (with `preview` set) both render through here, so that the
/// preview is exactly what the public will see.
pub(super) struct ReportView<'a> {
    pub title: &'a str,
    pub unit: &'a str,
    /// RFC 3339, UTC: when it was (or, in a preview, would now be) published.
    pub published_at: &'a str,
    /// The publication; `None` in a preview.
    pub id: Option<i64>,
    pub inspection: Option<i64>,
    pub body_html: &'a str,
}

impl ReportView<'_> {
    /// The page, with `preview` (the confirmation form's values) for the staff's preview.
    pub(super) fn render(&self, preview: Option<Value>) -> Result<Response, AppError> {
        let window = match preview {
            Some(_) => format!("预览：{}", self.title),
            None => self.title.to_owned(),
        };
        let page = context! {
            site => ser(site("reports", window)),
            title => self.title,
            unit => self.unit,
            published => format::beijing(self.published_at, true),
            id => self.id,
            slug => format::encode(self.unit),
            inspection => self.inspection,
            fragment => report_fragment(self.body_html),
            preview,
        };
        Ok(render_public("portal_report.html", page)?.into_response())
    }
}

/// `GET /public/reports/{id}`: the frozen public version inside the portal's layout.
pub(crate) async fn report(State(state): State<AppState>, id: PublicationId) -> Result<Response, AppError> {
    let report = portal::published(&state, id).await?;
    let s = &report.summary;
    ReportView {
        title: &s.title,
        unit: &s.unit,
        published_at: &s.published_at,
        id: Some(s.id),
        inspection: s.inspection_id,
        body_html: &report.body_html,
    }
    .render(None)
}

/// `GET /public/reports/{id}/original.html`: the snapshot exactly as published (GB/T 9704
/// page layout, for printing or saving).
pub(crate) async fn original(State(state): State<AppState>, id: PublicationId) -> Result<Response, AppError> {
    let report = portal::published(&state, id).await?;
    let mut response = report.body_html.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(ORIGINAL_CSP));
    Ok(response)
}

/// What the feedback form posts. Every field defaults to empty, so that a missing field is a
/// message next to it rather than a rejected request.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct FeedbackForm {
    /// `anonymous` or `real_name`.
    identity: String,
    name: String,
    contact: String,
    subject: String,
    body: String,
    /// The honeypot: hidden from people, filled by bots.
    hp_note: String,
    inspection: String,
    /// A proof-of-work challenge handed out with the form, and the nonce the page's script found.
    pow_challenge: String,
    pow_nonce: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct FeedbackQuery {
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
    proof: Option<(&str, u32)>,
) -> Result<Response, AppError> {
    let error_map: HashMap<&str, &str> = errors.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let summary: Vec<Value> = errors.iter().map(|(k, v)| context! { field => *k, message => v.clone() }).collect();
    let real_name = form.identity == "real_name";
    let page = context! {
        site => ser(site("", format!("{unit}意见建议"))),
        unit,
        slug => format::encode(unit),
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
        pow_challenge => proof.map(|(c, _)| c.to_owned()),
        pow_bits => proof.map(|(_, b)| b),
    };
    let mut response = no_store((status, render_public("portal_feedback.html", page)?).into_response());
    if proof.is_some() {
        // The proof of work runs in the site's own script; public pages otherwise run none.
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PROOF_CSP));
    }
    Ok(response)
}

/// `GET /public/units/{unit}/feedback`.
pub(crate) async fn feedback_form(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    Path(unit): Path<String>,
    query: Result<Query<FeedbackQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let unit = portal::known_unit(&state, &unit).await?;
    let inspection =
        query.ok().and_then(|Query(q)| q.inspection).and_then(|i| InspectionId::parse(&i).ok()).map(|i| i.to_string());
    let form = FeedbackForm {
        identity: "anonymous".to_owned(),
        inspection: inspection.unwrap_or_default(),
        ..FeedbackForm::default()
    };
    form_page(&unit, &csrf, &form, &[], StatusCode::OK, None)
}

/// A refusal for going too fast, with the time to wait.
fn too_many(wait: Duration, message: &str) -> Response {
    let minutes = wait.as_secs().div_ceil(60).max(1);
    let mut response = error::public_page(
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
pub(crate) async fn submit(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    connected: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Path(unit): Path<String>,
    form: Result<Form<FeedbackForm>, FormRejection>,
) -> Result<Response, AppError> {
    let unit = portal::known_unit(&state, &unit).await?;
    let Ok(Form(mut form)) = form else {
        return Ok(error::public_page(
            StatusCode::BAD_REQUEST,
            "提交未成功",
            "表单内容无法读取，请返回刷新页面后重新填写。",
        ));
    };
    if !form.hp_note.trim().is_empty() {
        // Only automated submitters fill the hidden field; tell them nothing useful.
        tracing::info!("feedback refused by the honeypot");
        return Ok(error::public_page(
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
        inspection_id: InspectionId::parse(&form.inspection).ok().map(InspectionId::get),
        submitter,
        subject: form.subject.clone(),
        body: form.body.clone(),
    };
    errors.extend(new.check().iter().map(|p| (field_key(p.field), problem_zh(p))));
    if !errors.is_empty() {
        return form_page(&unit, &csrf, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY, None);
    }
    let key = client_key(&state.portal().config, connected.map(|Extension(ConnectInfo(a))| a), &headers);
    let proof = Proof { challenge: form.pow_challenge.trim(), nonce: form.pow_nonce.trim() };
    let receipt = match portal::submit_feedback(&state, &new, key, Some(proof)).await? {
        Submission::Stored { code, submitted_at } => (code, submitted_at),
        Submission::Invalid(problems) => {
            let errors: Vec<_> = problems.iter().map(|p| (field_key(p.field), problem_zh(p))).collect();
            return form_page(&unit, &csrf, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY, None);
        }
        Submission::NeedsProof { challenge, bits, refused } => {
            let message = if refused {
                "安全验证未通过或已过期，请保持本页打开，待自动验证完成后再次提交。"
            } else {
                "您近期提交较多，为防止恶意刷屏，本次提交需先完成一次自动安全验证（约需数秒，无需操作），完成后请再次点击提交。"
            };
            let errors = [("pow", message.to_owned())];
            form.pow_nonce.clear();
            return form_page(&unit, &csrf, &form, &errors, StatusCode::TOO_MANY_REQUESTS, Some((&challenge, bits)));
        }
    };
    let anonymous = matches!(new.submitter, Submitter::Anonymous);
    let page = context! {
        site => ser(site("", "提交成功")),
        unit,
        code => format_receipt_code(&receipt.0),
        submitted => format::beijing(&receipt.1, false),
        anonymous,
    };
    Ok(no_store(render_public("portal_thanks.html", page)?.into_response()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct LookupForm {
    code: String,
}

fn lookup_page(
    csrf: &CsrfToken,
    code: &str,
    error: Option<&str>,
    found: Option<Value>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let page = context! {
        site => ser(site("lookup", "办理情况查询")),
        csrf => csrf.0.clone(),
        code,
        error,
        found,
    };
    Ok(no_store((status, render_public("portal_lookup.html", page)?).into_response()))
}

/// `GET /public/feedback/lookup`.
pub(crate) async fn lookup_form(Extension(csrf): Extension<CsrfToken>) -> Result<Response, AppError> {
    lookup_page(&csrf, "", None, None, StatusCode::OK)
}

/// `POST /public/feedback/lookup` (the code travels in the body, not in a URL that browsers
/// and logs keep).
pub(crate) async fn lookup(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    connected: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    form: Result<Form<LookupForm>, FormRejection>,
) -> Result<Response, AppError> {
    let typed = form.map(|Form(f)| one_line(&f.code)).unwrap_or_default();
    let typed = typed.trim();
    let key = client_key(&state.portal().config, connected.map(|Extension(ConnectInfo(a))| a), &headers);
    if let Err(wait) = portal::lookup_allowed(&state, key) {
        return Ok(too_many(wait, "查询过于频繁，"));
    }
    if typed.is_empty() {
        return lookup_page(&csrf, typed, Some("请输入查询码"), None, StatusCode::UNPROCESSABLE_ENTITY);
    }
    if normalize_receipt_code(typed).is_none() {
        let message = "查询码为12位字母和数字（不含0、1、I、O），请核对后重新输入";
        return lookup_page(&csrf, typed, Some(message), None, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let Some(found) = portal::find_by_code(&state, typed).await? else {
        let message = "未找到与该查询码对应的意见建议，请核对后重新输入";
        return lookup_page(&csrf, typed, Some(message), None, StatusCode::NOT_FOUND);
    };
    let found = context! {
        unit => found.unit,
        submitted => format::beijing(&found.submitted_at, false),
        anonymous => found.anonymous,
        subject => found.subject,
        body => found.body,
        status => found.status.label_zh(),
        answered => found.status == FeedbackStatus::Answered,
        answer => found.answer,
        answered_at => found.answered_at.map(|t| format::beijing(&t, false)),
    };
    lookup_page(&csrf, typed, None, Some(found), StatusCode::OK)
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
pub(crate) async fn short_link(State(state): State<AppState>, Path(code): Path<String>) -> Result<Response, AppError> {
    let unit = portal::unit_of_code(&state, &code).await?;
    Ok(Redirect::to(&format!("{}/feedback", unit_path(&unit))).into_response())
}

/// The QR code of `url` as SVG: error correction M (15 %) survives a worn or creased print.
fn qr_svg_of(url: &str) -> Result<String, AppError> {
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)?;
    Ok(code.render::<qrcode::render::svg::Color>().min_dimensions(256, 256).quiet_zone(true).build())
}

/// `GET /public/units/{unit}/qr.svg`.
pub(crate) async fn qr_svg(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(unit): Path<String>,
) -> Result<Response, AppError> {
    let unit = portal::known_unit(&state, &unit).await?;
    let svg = qr_svg_of(&qr_url(&state.portal().config, &headers, &unit))?;
    let mut response = svg.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}

/// `GET /public/units/{unit}/qr`: an A4 sheet to print and post up.
pub(crate) async fn qr_sheet(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(unit): Path<String>,
) -> Result<Response, AppError> {
    let unit = portal::known_unit(&state, &unit).await?;
    let url = qr_url(&state.portal().config, &headers, &unit);
    let page = context! {
        site => ser(site("", format!("{unit}意见建议二维码"))),
        slug => format::encode(&unit),
        unit,
        url,
    };
    Ok(render_public("portal_qr.html", page)?.into_response())
}

/// `GET /public/`: the portal's index without the slash.
pub(crate) async fn index_slash() -> Redirect {
    Redirect::permanent("/public")
}

#[cfg(test)]
mod tests {
    use rectify_storage::portal::RECEIPT_ALPHABET;

    use super::*;

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
    fn qr_links_come_from_the_configuration_or_the_host() {
        let code = unit_code("某局");
        assert_eq!(code.len(), 8);
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
