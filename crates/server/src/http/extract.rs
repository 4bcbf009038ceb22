//! Extractors: typed ids from the path, JSON bodies and query strings that fail as [`AppError`]
//! (400 with a message, never axum's plain-text rejection), the client's address, whether the
//! request came over TLS, and the signed-in [`Principal`].

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Query, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use rectify_auth::session::session_token_from_cookie_header;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::ids::{
    AspectId, FeedbackId, InspectionId, LookbackItemId, MeasureId, NotificationId, ProblemId, PublicationId, UserId,
};
use crate::service::AppState;
use crate::service::session::Principal;

/// The client's address as the socket reports it (a proxy's forwarded headers are not trusted).
pub(crate) fn client_address(extensions: &axum::http::Extensions) -> Option<String> {
    extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip().to_string())
}

/// The session token of the request's cookie, if any.
pub(crate) fn session_token(headers: &HeaderMap) -> Option<&str> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(session_token_from_cookie_header)
}

/// The client's address, for the audit trail (absent when served without connection info).
pub(crate) struct ClientAddress(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(client_address(&parts.extensions)))
    }
}

/// Whether the session cookie gets `Secure`: always when configured, else when the request came
/// over TLS (directly, or as a TLS-terminating proxy says; the header can only make cookies
/// stricter, so trusting it is safe).
pub(crate) struct SecureCookies(pub bool);

impl FromRequestParts<AppState> for SecureCookies {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let proxied = parts
            .headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"));
        Ok(SecureCookies(state.secure_cookies() || parts.uri.scheme_str() == Some("https") || proxied))
    }
}

/// The signed-in account the authorization layer put into the request. A route whose rule
/// requires an account always has one; elsewhere the extractor refuses with 401.
impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Principal>().cloned().ok_or(AppError::Unauthorized)
    }
}

/// The value of path parameter `name`.
async fn path_param<S: Send + Sync>(parts: &mut Parts, state: &S, name: &str) -> Option<String> {
    let params = RawPathParams::from_request_parts(parts, state).await.ok()?;
    params.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_owned())
}

/// Each typed id is extracted from the route's `{id}` parameter.
macro_rules! id_from_path {
    ($($id:ty),*) => {$(
        impl<S: Send + Sync> FromRequestParts<S> for $id {
            type Rejection = AppError;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
                let raw = path_param(parts, state, "id").await.unwrap_or_default();
                <$id>::parse(&raw)
            }
        }
    )*};
}

id_from_path!(
    InspectionId,
    AspectId,
    ProblemId,
    MeasureId,
    UserId,
    LookbackItemId,
    PublicationId,
    FeedbackId,
    NotificationId
);

/// A JSON body; a malformed one is 400 with what is wrong in it.
pub(crate) struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = request.into_parts();
        let bytes = match axum::body::Bytes::from_request(Request::from_parts(parts.clone(), body), state).await {
            Ok(bytes) => bytes,
            Err(e) => return Err(AppError::Invalid(e.body_text())),
        };
        if json_has_nul(&bytes) {
            return Err(AppError::Invalid(NUL_REFUSED.to_owned()));
        }
        match Json::<T>::from_request(Request::from_parts(parts, axum::body::Body::from(bytes)), state).await {
            Ok(Json(value)) => Ok(JsonBody(value)),
            Err(e) => Err(AppError::Invalid(e.body_text())),
        }
    }
}

/// Why a request with a NUL character is refused: no text holds one (PostgreSQL cannot store it,
/// and SQLite would keep what PostgreSQL refuses), so it is refused on the way in, alike on both.
pub(crate) const NUL_REFUSED: &str = "the request contains a NUL character";

/// Whether a JSON text has a string with a NUL character: JSON can only write one as the escape
/// `\u0000` (a backslash that is not itself escaped), since raw control characters are invalid.
pub(crate) fn json_has_nul(bytes: &[u8]) -> bool {
    let mut backslashes = 0usize;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\\' {
            backslashes += 1;
            continue;
        }
        if backslashes % 2 == 1 && b == b'u' && bytes.get(i + 1..i + 5) == Some(b"0000") {
            return true;
        }
        backslashes = 0;
    }
    false
}

/// Whether URL-encoded text (a path, a query, a form body) decodes to a NUL character.
pub(crate) fn urlencoded_has_nul(text: &[u8]) -> bool {
    text.contains(&0) || text.windows(3).any(|w| w == b"%00")
}

/// A query string; a malformed one is 400.
pub(crate) struct QueryOf<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryOf<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(QueryOf(value)),
            Err(e) => Err(AppError::BadQuery(e.body_text())),
        }
    }
}

/// `limit` (default 50, at most 500) and `offset` of a list; larger values are clamped, so a
/// request for page 10⁹ is answered at once with an empty page.
#[derive(Debug, Clone, Copy, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// How many items (default 50, at most 500).
    pub limit: Option<u64>,
    /// How many items to skip.
    pub offset: Option<u64>,
}

impl Paging {
    pub const DEFAULT_LIMIT: u32 = 50;
    pub const MAX_LIMIT: u32 = 500;

    /// The page to read.
    pub fn page(self) -> rectify_storage::Page {
        let limit = self.limit.map_or(Self::DEFAULT_LIMIT, |l| {
            u32::try_from(l.clamp(1, u64::from(Self::MAX_LIMIT))).unwrap_or(Self::MAX_LIMIT)
        });
        rectify_storage::Page { offset: self.offset.unwrap_or(0).min(i64::MAX as u64), limit }
    }

    /// The page's part of a list read whole.
    pub fn slice<T: Clone>(self, all: &[T]) -> Vec<T> {
        let page = self.page();
        let start = usize::try_from(page.offset).unwrap_or(usize::MAX).min(all.len());
        all[start..].iter().take(page.limit as usize).cloned().collect()
    }
}

/// A non-empty field of a form read as pairs (bulk forms repeat names; filters may be blank).
pub(crate) fn form_field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
}

/// Where to go after a form: only a path of this site (never `//host` or a scheme).
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next.map(str::trim) {
        Some(n)
            if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && !n.chars().any(char::is_control) =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_is_found_only_where_it_decodes_to_one() {
        assert!(json_has_nul(br#"{"a":"\u0000"}"#));
        assert!(json_has_nul(br#"{"a":"x\\\u0000"}"#), "an escaped backslash, then the escape");
        assert!(!json_has_nul(br#"{"a":"\\u0000"}"#), "the text \\u0000, not a NUL");
        assert!(!json_has_nul(br#"{"a":"\u0041\u1000"}"#));
        assert!(!json_has_nul(b"{}"));
        assert!(urlencoded_has_nul(b"a=%00") && urlencoded_has_nul(b"a\0") && !urlencoded_has_nul(b"a=%2500"));
    }

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/inbox?x=1")), "/inbox?x=1");
        for bad in ["//evil.example/", "https://evil.example/", "/\\evil", "javascript:alert(1)", "", "/a\nb"] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
