//! The static assets, embedded in the binary and served with year-long cache headers: their
//! URLs carry a version derived from the content, so a new build is fetched at once.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

const APP_CSS: &str = include_str!("../../assets/app.css");
const APP_JS: &str = include_str!("../../assets/app.js");
const FAVICON: &str = include_str!("../../assets/favicon.svg");
const HTMX_JS: &str = include_str!("../../assets/vendor/htmx.min.js");
const ECHARTS_JS: &str = include_str!("../../assets/vendor/echarts.common.min.js");
const HTMX_LICENSE: &str = include_str!("../../assets/vendor/htmx.LICENSE");
const ECHARTS_LICENSE: &str = include_str!("../../assets/vendor/echarts.LICENSE");

const CACHE_FOREVER: &str = "public, max-age=31536000, immutable";

/// A short hash of every asset, appended to asset URLs as `?v=…`.
static VERSION: LazyLock<String> = LazyLock::new(|| {
    // FNV-1a: stable across builds and platforms, unlike `DefaultHasher`.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [APP_CSS, APP_JS, HTMX_JS, ECHARTS_JS] {
        for byte in part.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{:08x}", hash >> 32)
});

pub(crate) fn version() -> &'static str {
    VERSION.as_str()
}

/// `GET /favicon.ico`, which browsers ask for on their own.
pub(crate) async fn favicon() -> Response {
    serve(Path("favicon.svg".to_string())).await
}

/// `GET /assets/{path}`.
pub(crate) async fn serve(Path(path): Path<String>) -> Response {
    let (body, content_type) = match path.as_str() {
        "app.css" => (APP_CSS, "text/css; charset=utf-8"),
        "app.js" => (APP_JS, "text/javascript; charset=utf-8"),
        "favicon.svg" => (FAVICON, "image/svg+xml"),
        "vendor/htmx.min.js" => (HTMX_JS, "text/javascript; charset=utf-8"),
        "vendor/echarts.common.min.js" => (ECHARTS_JS, "text/javascript; charset=utf-8"),
        "vendor/htmx.LICENSE" => (HTMX_LICENSE, "text/plain; charset=utf-8"),
        "vendor/echarts.LICENSE" => (ECHARTS_LICENSE, "text/plain; charset=utf-8"),
        _ => return (StatusCode::NOT_FOUND, "not found").into_response(),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE_FOREVER));
    response
}
