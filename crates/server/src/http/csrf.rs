//! Cross-site request forgery protection of the pages and forms, bound to the session.
//!
//! A signed-in visitor's form token is the session's own CSRF token — the one JSON clients
//! repeat in `X-CSRF-Token` — kept server-side with the session: every form repeats it in a
//! hidden field (htmx in the header), and a state-changing request without it is refused with
//! 403 before any handler runs. A cookie planted by someone else cannot change it.
//!
//! A visitor without a session (the sign-in page, the public portal) gets a random nonce in a
//! `SameSite=Strict` cookie, and the form token is HMAC-SHA256 of that nonce under the server's
//! form key ([`rectify_auth::anonymous_form_token`]): a planted cookie value repeated in the form
//! no longer passes (issue 13, finding 9).

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use rectify_auth::{anonymous_form_token, csrf_matches};

use super::error::page;
use crate::service::documents::too_large_message;
use crate::service::session::Principal;
use crate::service::{AppState, UPLOAD_LIMIT_BYTES};

/// The cookie holding an anonymous visitor's nonce.
pub(crate) const COOKIE: &str = "rectify_csrf";
/// The form field repeating the token.
pub(crate) const FIELD: &str = "csrf_token";
/// The header htmx requests may use instead of the field.
const HEADER: &str = "x-csrf-token";
/// A request body may be an upload plus the multipart framing and the other fields.
pub(crate) const BODY_LIMIT_BYTES: usize = UPLOAD_LIMIT_BYTES + 64 * 1024;

/// The visitor's token, for the templates' hidden fields.
#[derive(Debug, Clone)]
pub(crate) struct CsrfToken(pub String);

/// 32 random bytes as hex.
///
/// # Panics
///
/// When the operating system has no entropy source, where no token could be trusted.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    if let Err(e) = getrandom::fill(&mut bytes) {
        // Without an entropy source no token can be trusted; a panic here surfaces as 500.
        panic!("the operating system provides no random numbers: {e}");
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The middleware (inside the authorization layer, which has put the [`Principal`] of a valid
/// session into the extensions): hands out tokens on safe requests and checks them on all others.
pub(crate) async fn check(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let session_token = request.extensions().get::<Principal>().map(|p| p.csrf_token.clone());
    let nonce = cookie_token(request.headers());
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        let (token, fresh_nonce) = match session_token {
            Some(token) => (token, None),
            None => {
                let fresh = nonce.is_none().then(random_token);
                let nonce = nonce.or_else(|| fresh.clone()).unwrap_or_default();
                (anonymous_form_token(state.form_key(), &nonce), fresh)
            }
        };
        request.extensions_mut().insert(CsrfToken(token));
        let mut response = next.run(request).await;
        if let Some(nonce) = fresh_nonce {
            let cookie = format!("{COOKIE}={nonce}; Path=/; HttpOnly; SameSite=Strict");
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
        }
        return response;
    }
    let expected = match session_token {
        Some(token) => token,
        None => match nonce {
            Some(nonce) => anonymous_form_token(state.form_key(), &nonce),
            None => return refused(),
        },
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT_BYTES).await else {
        return page(None, StatusCode::PAYLOAD_TOO_LARGE, "文件过大", &too_large_message());
    };
    let submitted = match parts.headers.get(HEADER).and_then(|v| v.to_str().ok()) {
        Some(value) => Some(value.to_string()),
        None => form_token(&parts, &bytes).await,
    };
    if !submitted.is_some_and(|s| csrf_matches(&expected, &s)) {
        return refused();
    }
    let urlencoded = parts
        .headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/x-www-form-urlencoded"));
    if urlencoded && super::extract::urlencoded_has_nul(&bytes) {
        return page(
            None,
            StatusCode::BAD_REQUEST,
            "提交的内容有误",
            "提交的内容中含有不允许的字符，请检查后重新提交。",
        );
    }
    let mut request = Request::from_parts(parts, Body::from(bytes));
    request.extensions_mut().insert(CsrfToken(expected));
    next.run(request).await
}

fn refused() -> Response {
    page(
        None,
        StatusCode::FORBIDDEN,
        "请求未通过安全校验",
        "页面已过期或请求来源无法确认，操作未执行。请返回刷新页面后重新提交。",
    )
}

/// The token of the cookie header, when it has the shape this module gives it.
fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim().to_string())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The token field of a URL-encoded or multipart form body.
async fn form_token(parts: &axum::http::request::Parts, bytes: &Bytes) -> Option<String> {
    let content_type = parts.headers.get(header::CONTENT_TYPE)?.to_str().ok()?.to_ascii_lowercase();
    // The same request again over the buffered body (the form extractor reads the body of a
    // POST only, and the multipart one needs the body limit kept in the extensions).
    let probe = Request::from_parts(parts.clone(), Body::from(bytes.clone()));
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let axum::Form(fields) = axum::Form::<Vec<(String, String)>>::from_request(probe, &()).await.ok()?;
        fields.into_iter().find(|(k, _)| k == FIELD).map(|(_, v)| v)
    } else if content_type.starts_with("multipart/form-data") {
        let mut multipart = Multipart::from_request(probe, &()).await.ok()?;
        while let Ok(Some(field)) = multipart.next_field().await {
            if field.name() == Some(FIELD) {
                return field.text().await.ok();
            }
        }
        None
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_hex() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_str(&format!("x=1; {COOKIE}={a}; y=2")).unwrap());
        assert_eq!(cookie_token(&headers), Some(a.clone()));
        headers.insert(header::COOKIE, HeaderValue::from_static("rectify_csrf=short"));
        assert_eq!(cookie_token(&headers), None);
    }
}
