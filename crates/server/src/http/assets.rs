//! Serves the embedded assets of [`crate::render::assets`] with year-long cache headers: their
//! URLs carry a version derived from the content, so a new build is fetched at once.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::render::assets::{APP_CSS, APP_JS, ECHARTS_JS, ECHARTS_LICENSE, FAVICON, HTMX_JS, HTMX_LICENSE};

const CACHE_FOREVER: &str = "public, max-age=31536000, immutable";

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
