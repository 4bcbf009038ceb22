//! The web UI in Simplified Chinese: server-rendered minijinja templates, htmx for partial
//! refreshes and ECharts for the dashboard, every asset embedded in the binary.
//!
//! Pages compute what they show from the stored ledger on each request (no cache to go stale).
//! Every page works without JavaScript; htmx only saves full reloads. State changes are POST
//! forms behind the double-submit CSRF check of [`csrf`].

mod assets;
mod csrf;
mod documents;
pub(crate) mod pages;
mod uploads;
mod view;

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

pub(crate) use uploads::Uploads;

/// The largest report or workbook accepted for import.
pub const UPLOAD_LIMIT_BYTES: usize = 10 * 1024 * 1024;

/// What a page may load: its own scripts and styles only (no inline code, no CDN).
const PAGE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; object-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Every template, embedded so that the binary needs no files beside it.
const TEMPLATES_SOURCES: [(&str, &str); 12] = [
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
    ("outcomes.html", include_str!("../../templates/outcomes.html")),
];

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
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

/// A serialisable value as a template value.
pub(crate) fn ser<T: serde::Serialize>(value: T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

/// Renders template `name` with the layout fields and `page`.
pub(crate) fn render(name: &str, chrome: &Chrome, page: Value) -> Result<Html<String>, UiError> {
    let template = TEMPLATES.get_template(name)?;
    let html = template.render(context! { chrome => ser(chrome), ..page })?;
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
}

impl UiError {
    pub(crate) fn not_found(what: &'static str, id: impl Into<String>) -> Self {
        UiError::NotFound { what, id: id.into() }
    }
}

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
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
