//! Authorization of every request, decided in ONE place: each route's [`RouteRule`] says who may
//! call it (a permission of `permissions.tsv`, or public) and what the route's id names (an
//! inspection, a problem, a measure…), whose data scope is checked before any handler runs.
//!
//! Without a valid session, API calls get 401 JSON and pages a redirect to `/login?next=…`;
//! outside the role or the scope, 403 JSON or a Chinese 403 page — never data. Every route is
//! built from the table (`crate::routes`), so a route without a rule cannot exist. Handlers of
//! lists narrow what they return with [`crate::service::scope::Visibility`].

use axum::extract::{FromRequestParts, RawPathParams, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use rectify_auth::csrf_matches;

use super::extract::{NUL_REFUSED, client_address, session_token, urlencoded_has_nul};
use super::rule::{Access, Kind, RouteRule, Target};
use crate::error::AppError;
use crate::ids::{AspectId, InspectionId, LookbackItemId, MeasureId, ProblemId};
use crate::render;
use crate::service::AppState;
use crate::service::scope::{Named, in_scope};
use crate::service::session::{Principal, resolve};

fn denied_anonymous(rule: &RouteRule, path: &str, method: &Method, query: Option<&str>) -> Response {
    if matches!(rule.kind, Kind::Api | Kind::ApiUpload) {
        return AppError::Unauthorized.into_response();
    }
    if matches!(*method, Method::GET | Method::HEAD) {
        let next = match query {
            Some(q) => format!("{path}?{q}"),
            None => path.to_owned(),
        };
        return Redirect::to(&format!("/login?next={}", render::format::encode(&next))).into_response();
    }
    super::error::page(
        None,
        StatusCode::UNAUTHORIZED,
        "请先登录",
        "登录已超时或尚未登录，操作未执行。请重新登录后再试。",
    )
}

fn denied_forbidden(rule: &RouteRule, principal: &Principal, why: &str) -> Response {
    if matches!(rule.kind, Kind::Api | Kind::ApiUpload) {
        return AppError::Forbidden(why.to_owned()).into_response();
    }
    super::error::page(
        Some(principal),
        StatusCode::FORBIDDEN,
        "无权访问",
        "您的账号没有访问该内容的权限，或该内容不在您负责的范围内。如有需要，请联系安全管理员分配权限。",
    )
}

/// The middleware of one route: resolves the session, applies the route's rule, checks the data
/// scope and, for state-changing API calls, the session's CSRF token; then hands the
/// [`Principal`] to the handler in the request's extensions.
pub(crate) async fn authorize(
    State((state, rule)): State<(AppState, RouteRule)>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    let api = matches!(rule.kind, Kind::Api | Kind::ApiUpload);
    if urlencoded_has_nul(path.as_bytes()) || request.uri().query().is_some_and(|q| urlencoded_has_nul(q.as_bytes())) {
        return if api {
            AppError::BadQuery(NUL_REFUSED.to_owned()).into_response()
        } else {
            super::error::page(None, StatusCode::BAD_REQUEST, "链接有误", "链接中含有不允许的字符，请检查后重试。")
        };
    }
    // Public API calls and assets need no session; public pages read it for their header.
    let principal = if rule.access == Access::Public && (api || path.starts_with("/assets/") || path == "/favicon.ico")
    {
        None
    } else {
        match resolve(&state, session_token(request.headers()), client_address(request.extensions())).await {
            Ok(p) => p,
            Err(e) => return e.into_response(),
        }
    };
    if rule.access != Access::Public {
        let Some(principal) = principal.as_ref() else {
            return denied_anonymous(&rule, &path, &method, request.uri().query());
        };
        if let Some(restriction) = principal.restriction
            && !matches!(rule.access, Access::Account)
            && !restriction_page(&path)
        {
            return if api {
                AppError::AccountActionRequired(restriction.code()).into_response()
            } else {
                Redirect::to(restriction.page()).into_response()
            };
        }
        if let Access::AnyOf(permissions) = rule.access
            && !principal.may(permissions)
        {
            return denied_forbidden(&rule, principal, "the account's roles do not include this action");
        }
        let unsafe_method = !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
        if unsafe_method && api {
            let sent = request.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or_default();
            if !csrf_matches(&principal.csrf_token, sent) {
                return AppError::Csrf.into_response();
            }
        }
    }
    let (mut parts, body) = request.into_parts();
    if rule.target != Target::None
        && let Some(principal) = principal.as_ref()
    {
        let params = RawPathParams::from_request_parts(&mut parts, &state).await.ok();
        let param =
            |name: &str| params.as_ref().and_then(|p| p.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_owned()));
        let named = match rule.target {
            Target::None => None,
            Target::Evidence => param("sha256").map(|s| s.to_ascii_lowercase()),
            _ => param("id"),
        };
        // An id that does not parse names nothing: the handler answers 400 or 404 as for everyone.
        let named = named.as_deref().and_then(|raw| match rule.target {
            Target::None => None,
            Target::Evidence => Some(Named::Evidence(raw)),
            Target::Inspection => InspectionId::parse(raw).ok().map(Named::Inspection),
            Target::Aspect => AspectId::parse(raw).ok().map(Named::Aspect),
            Target::Problem => ProblemId::parse(raw).ok().map(Named::Problem),
            Target::Measure => MeasureId::parse(raw).ok().map(Named::Measure),
            Target::LookbackItem => LookbackItemId::parse(raw).ok().map(Named::LookbackItem),
        });
        if let Some(named) = named {
            match in_scope(&state, &principal.grants, named).await {
                Ok(true) => {}
                Ok(false) => return denied_forbidden(&rule, principal, "outside the account's data scope"),
                Err(e) => return e.into_response(),
            }
        }
    }
    let mut request = Request::from_parts(parts, body);
    if let Some(p) = principal {
        request.extensions_mut().insert(p);
    }
    let mut response = next.run(request).await;
    if !api && !path.starts_with("/assets/") {
        // Pages show personal data: never from a shared cache or the back button after sign-out.
        response.headers_mut().entry(header::CACHE_CONTROL).or_insert(header::HeaderValue::from_static("no-store"));
    }
    response
}

/// The pages a restricted account may still open.
fn restriction_page(path: &str) -> bool {
    matches!(path, "/account/password" | "/account/totp" | "/logout")
}
