//! The web UI in Simplified Chinese: server-rendered minijinja templates, htmx for partial
//! refreshes and ECharts for the dashboard, every asset embedded in the binary.
//!
//! Pages compute what they show from the stored ledger on each request (no cache to go stale).
//! Every page works without JavaScript; htmx only saves full reloads. State changes are POST
//! forms behind the double-submit CSRF check of [`csrf`].

mod account;
pub(crate) mod admin;
mod assets;
mod csrf;
mod documents;
mod lookback;
pub(crate) mod pages;
pub(crate) mod portal;
mod uploads;
mod view;
mod work;

use std::sync::LazyLock;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::middleware;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use minijinja::{Environment, UndefinedBehavior, Value, context};
use rectify_storage::StorageError;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::AppState;

pub(crate) use pages::encode;
pub(crate) use uploads::Uploads;

/// The largest report or workbook accepted for import.
pub const UPLOAD_LIMIT_BYTES: usize = 10 * 1024 * 1024;

/// What a page may load: its own scripts and styles only (no inline code, no CDN).
const PAGE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; object-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Every template, embedded so that the binary needs no files beside it.
const TEMPLATES_SOURCES: [(&str, &str); 32] = [
    ("layout.html", include_str!("../../templates/layout.html")),
    ("home.html", include_str!("../../templates/home.html")),
    ("ledger.html", include_str!("../../templates/ledger.html")),
    ("ledger_table.html", include_str!("../../templates/ledger_table.html")),
    ("problem.html", include_str!("../../templates/problem.html")),
    ("measure.html", include_str!("../../templates/measure.html")),
    ("dashboard.html", include_str!("../../templates/dashboard.html")),
    ("documents.html", include_str!("../../templates/documents.html")),
    ("preview.html", include_str!("../../templates/preview.html")),
    ("error.html", include_str!("../../templates/error.html")),
    ("timeline.html", include_str!("../../templates/timeline.html")),
    ("history.html", include_str!("../../templates/history.html")),
    ("outcomes.html", include_str!("../../templates/outcomes.html")),
    ("login.html", include_str!("../../templates/login.html")),
    ("account.html", include_str!("../../templates/account.html")),
    ("inbox.html", include_str!("../../templates/inbox.html")),
    ("audit.html", include_str!("../../templates/audit.html")),
    ("workflow.html", include_str!("../../templates/workflow.html")),
    ("admin_users.html", include_str!("../../templates/admin_users.html")),
    ("admin_roles.html", include_str!("../../templates/admin_roles.html")),
    ("admin_policy.html", include_str!("../../templates/admin_policy.html")),
    ("portal_layout.html", include_str!("../../templates/portal_layout.html")),
    ("portal_index.html", include_str!("../../templates/portal_index.html")),
    ("portal_report.html", include_str!("../../templates/portal_report.html")),
    ("portal_feedback.html", include_str!("../../templates/portal_feedback.html")),
    ("portal_thanks.html", include_str!("../../templates/portal_thanks.html")),
    ("portal_lookup.html", include_str!("../../templates/portal_lookup.html")),
    ("portal_qr.html", include_str!("../../templates/portal_qr.html")),
    ("portal_error.html", include_str!("../../templates/portal_error.html")),
    ("portal_inbox.html", include_str!("../../templates/portal_inbox.html")),
    ("portal_item.html", include_str!("../../templates/portal_item.html")),
    ("lookback.html", include_str!("../../templates/lookback.html")),
];

/// Every template of the UI and the portal, compiled once.
pub(crate) static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    // Printing or looping over a missing value is a template bug; `{% if x %}` stays allowed.
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    for (name, source) in TEMPLATES_SOURCES {
        if let Err(e) = env.add_template(name, source) {
            tracing::error!(template = name, error = %e, "template does not compile");
        }
    }
    env
});

/// The routes of the UI, with the CSRF check and the upload-sized body limit.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/ledger", get(pages::latest_ledger))
        .route("/dashboard", get(pages::latest_dashboard))
        .route("/inspections/{id}", get(pages::inspection))
        .route("/inspections/{id}/ledger", get(pages::ledger))
        .route("/inspections/{id}/dashboard", get(pages::dashboard))
        .route("/inspections/{id}/export/{file}", get(documents::export))
        .route("/problems/{id}", get(pages::problem))
        .route("/measures/{id}", get(pages::measure))
        .route("/documents", get(documents::page))
        .route("/documents/upload", post(documents::upload))
        .route("/documents/preview/{token}", get(documents::preview))
        .route("/documents/confirm", post(documents::confirm))
        .route("/login", get(account::login_page).post(account::login))
        .route("/logout", post(account::logout))
        .route("/account/password", get(account::password_page).post(account::change_password))
        .route("/account/totp", get(account::totp_page).post(account::enrol_totp))
        .route("/measures/{id}/actions", post(work::measure_action))
        .route("/measures/{id}/progress", post(work::progress))
        .route("/measures/{id}/remind", post(work::remind))
        .route("/problems/{id}/close", post(work::close_problem))
        .route("/problems/{id}/reopen", post(lookback::reopen))
        .route("/inspections/{id}/lookback", get(lookback::page).post(lookback::draw))
        .route("/lookback-items/{id}", post(lookback::record))
        .route("/inspections/{id}/bulk/remind", post(work::bulk_remind))
        .route("/inspections/{id}/bulk/assign", post(work::bulk_assign))
        .route("/inbox", get(work::inbox))
        .route("/audit", get(work::audit))
        .route("/admin/users", get(admin::users_page).post(admin::create_user_form))
        .route("/admin/users/{id}/status", post(admin::status_form))
        .route("/admin/users/{id}/password", post(admin::reset_password_form))
        .route("/admin/roles", get(admin::roles_page))
        .route("/admin/roles/{id}", post(admin::roles_form))
        .route("/admin/policy", get(admin::policy_page).post(admin::policy_form))
        .route("/assets/{*path}", get(assets::serve))
        .route("/favicon.ico", get(assets::favicon))
        .layer(middleware::from_fn(csrf::check))
        // The CSRF check buffers the body itself (bounded); the multipart parser must accept it.
        .layer(DefaultBodyLimit::max(csrf::BODY_LIMIT_BYTES))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_CSP),
        ))
}

/// Any unknown path: JSON under `/api/`, a Chinese page elsewhere.
pub(crate) async fn fallback(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") || uri.path() == "/api" {
        crate::api::no_route(uri).await.into_response()
    } else {
        error_page(StatusCode::NOT_FOUND, "页面不存在", "您访问的页面不存在，可能链接有误或内容已被删除。")
    }
}

/// Fields every page's layout reads.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Chrome {
    /// Which navigation item is current: `home`, `ledger`, `dashboard` or `documents`.
    pub nav: &'static str,
    /// The page's own title, before the system name.
    pub title: String,
    /// Breadcrumb links above the title; the current page is the last entry, without href.
    pub crumbs: Vec<Crumb>,
    /// Where 整改台账 and 统计分析 lead: the inspection in view, else the latest one.
    pub inspection_id: Option<i64>,
    pub csrf: String,
    /// The date lights are computed for, in Chinese.
    pub today: String,
    pub asset_version: &'static str,
}

#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Crumb {
    pub label: String,
    pub href: Option<String>,
}

impl Crumb {
    pub(crate) fn link(label: impl Into<String>, href: impl Into<String>) -> Self {
        Crumb { label: label.into(), href: Some(href.into()) }
    }

    pub(crate) fn here(label: impl Into<String>) -> Self {
        Crumb { label: label.into(), href: None }
    }
}

/// Who is signed in, for the layout's navigation and account menu.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Viewer {
    pub name: String,
    pub roles: String,
    pub can_read: bool,
    pub can_documents: bool,
    pub can_inbox: bool,
    pub can_audit: bool,
    /// 系统管理员: accounts.
    pub can_manage_users: bool,
    /// 安全管理员: roles and the security policy.
    pub can_manage_roles: bool,
    pub can_manage_policy: bool,
    /// 巡察办: draws look-back samples and reopens closed problems (反弹重办).
    pub can_look_back: bool,
    /// Must change the password or enrol TOTP first: the navigation is hidden.
    pub restricted: bool,
}

fn viewer() -> Option<Viewer> {
    use crate::authz::{DOCUMENTS, READ, REVIEW};
    let p = crate::authz::current()?;
    let roles = p.roles();
    let any = |perms: &[rectify_auth::Permission]| perms.iter().any(|perm| rectify_auth::allows_any(&roles, *perm));
    Some(Viewer {
        name: p.user.display_name.clone(),
        roles: roles.iter().map(|r| r.label_zh()).collect::<Vec<_>>().join("、"),
        can_read: any(READ),
        can_documents: any(DOCUMENTS),
        can_inbox: any(REVIEW),
        can_audit: any(&[rectify_auth::Permission::ReadAuditTrail]),
        can_manage_users: any(&[rectify_auth::Permission::ManageUsers]),
        can_manage_roles: any(&[rectify_auth::Permission::ManageRoles]),
        can_manage_policy: any(&[rectify_auth::Permission::ManageSecurityPolicy]),
        can_look_back: any(&[rectify_auth::Permission::RunLookBack]),
        restricted: p.restriction.is_some(),
    })
}

/// A serialisable value as a template value.
pub(crate) fn ser<T: serde::Serialize>(value: T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

/// Renders template `name` with the layout fields and `page`.
pub(crate) fn render(name: &str, chrome: &Chrome, page: Value) -> Result<Html<String>, UiError> {
    let template = TEMPLATES.get_template(name)?;
    let html = template.render(context! {
        chrome => ser(chrome),
        viewer => ser(viewer()),
        feedback_nav => crate::authz::nav_feedback(),
        ..page
    })?;
    Ok(Html(html))
}

/// A page that says what went wrong, in Chinese, with the given status.
pub(crate) fn error_page(status: StatusCode, heading: &str, message: &str) -> Response {
    let chrome = Chrome {
        nav: "",
        title: heading.to_string(),
        crumbs: vec![Crumb::link("首页", "/"), Crumb::here(heading)],
        inspection_id: None,
        csrf: String::new(),
        today: String::new(),
        asset_version: assets::version(),
    };
    let page = context! { heading, message, status => status.as_u16() };
    match render("error.html", &chrome, page) {
        Ok(html) => (status, html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "error page could not be rendered");
            (status, format!("{heading}：{message}")).into_response()
        }
    }
}

/// Why a page could not be shown.
#[derive(Debug, thiserror::Error)]
pub(crate) enum UiError {
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("template failed: {0:#}")]
    Template(#[from] minijinja::Error),
    #[error("the report could not be written: {0}")]
    Report(#[from] rectify_report_writer::WriteError),
    #[error("the workbook could not be written: {0}")]
    Workbook(#[from] rectify_workbook::WorkbookError),
    #[error(transparent)]
    Api(crate::ApiError),
}

impl UiError {
    pub(crate) fn not_found(what: &'static str, id: impl Into<String>) -> Self {
        UiError::NotFound { what, id: id.into() }
    }
}

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        if let UiError::Api(e) = &self
            && let Some((status, heading, message)) = api_error_page(e)
        {
            return error_page(status, heading, &message);
        }
        let missing = match &self {
            UiError::NotFound { what, .. } => Some(what_zh(what)),
            UiError::Storage(StorageError::NotFound(_)) => Some("记录"),
            _ => None,
        };
        match missing {
            Some(what) => error_page(
                StatusCode::NOT_FOUND,
                &format!("未找到该{what}"),
                "要查看的内容不存在，可能已被删除或链接有误。请从首页重新进入。",
            ),
            None => {
                tracing::error!(error = %self, "page failed");
                error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "系统内部错误",
                    "页面暂时无法显示，错误已记入日志。请稍后重试或联系管理员。",
                )
            }
        }
    }
}

/// The Chinese page for an API error a user can act on; `None` for server errors.
fn api_error_page(e: &crate::ApiError) -> Option<(StatusCode, &'static str, String)> {
    use crate::ApiError as E;
    Some(match e {
        E::NotFound { .. } | E::NoRoute(_) | E::Storage(StorageError::NotFound(_)) => {
            (StatusCode::NOT_FOUND, "未找到该记录", "要查看的内容不存在，可能已被删除或链接有误。".to_owned())
        }
        E::Forbidden(_) => (StatusCode::FORBIDDEN, "无权办理", "您的账号不能办理该事项。".to_owned()),
        E::Conflict { .. } => (
            StatusCode::CONFLICT,
            "内容已被他人更新",
            "您提交前该措施已被他人更新，操作未执行。请返回刷新页面后重新办理。".to_owned(),
        ),
        E::Refused { message_zh, .. } => (StatusCode::UNPROCESSABLE_ENTITY, "不能办理", message_zh.clone()),
        E::TooSoon(_) => {
            (StatusCode::TOO_MANY_REQUESTS, "催办过于频繁", "该措施近期已催办过，请稍后再催办。".to_owned())
        }
        E::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "文件过大", csrf::too_large_message()),
        E::UnsupportedMedia(_) => (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "文件类型不支持",
            "佐证材料须为 PDF、图片（PNG、JPEG、GIF、WebP）、Word（.docx）或 Excel（.xlsx）文件，以文件内容为准。"
                .to_owned(),
        ),
        E::Invalid(_) | E::BadId { .. } | E::BadQuery(_) => {
            (StatusCode::BAD_REQUEST, "填写有误", "提交的内容不完整或格式有误，请返回检查后重新提交。".to_owned())
        }
        E::Unauthorized | E::Csrf | E::AccountActionRequired(_) => {
            (StatusCode::FORBIDDEN, "请求未通过安全校验", "请重新登录后再试。".to_owned())
        }
        E::Internal(_) | E::Storage(_) => return None,
    })
}

fn what_zh(what: &str) -> &'static str {
    match what {
        "inspection" => "巡察台账",
        "problem" => "问题",
        "measure" => "整改措施",
        "upload" => "上传文件",
        _ => "记录",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES_SOURCES {
            env.add_template(name, source).unwrap_or_else(|e| panic!("{name}: {e:#}"));
        }
    }

    #[test]
    fn templates_escape_html() {
        let chrome = Chrome {
            nav: "home",
            title: "<b>x</b>".into(),
            crumbs: vec![Crumb::here("<i>")],
            inspection_id: None,
            csrf: String::new(),
            today: String::new(),
            asset_version: "1",
        };
        let html = render("error.html", &chrome, context! { heading => "<script>", message => "a&b", status => 404 })
            .unwrap()
            .0;
        assert!(!html.contains("<script>") && html.contains("&lt;script&gt;") && html.contains("a&amp;b"));
        assert!(!html.contains("<b>x</b>") && !html.contains("<i>"));
    }
}
