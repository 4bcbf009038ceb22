//! What a route is: its method and pattern, who may call it, what its path names, what kind of
//! answer it gives — and its handler and OpenAPI operation. Every feature lists its routes as
//! [`Route`] values; `crate::routes` gathers them into the one list that builds the router, the
//! authorization table and the OpenAPI description, so that none of the three can miss a route.

use std::convert::Infallible;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::middleware;
use axum::routing::MethodRouter;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use super::csp::{JSON_CSP, PAGE_CSP, PUBLIC_CSP};
pub use super::rule::{Access, Kind, RouteRule, Target};
use super::{authz, csrf, error};
use crate::service::{AppState, EVIDENCE_LIMIT_BYTES};

/// A route with its handler and, for the JSON API, its OpenAPI operation.
#[derive(Clone, Copy)]
pub struct Route {
    pub rule: RouteRule,
    /// The handler as a method router (`get(handler)` …).
    pub handler: fn() -> MethodRouter<AppState>,
    /// The OpenAPI operation of the handler (`#[utoipa::path]`), for JSON routes.
    pub doc: Option<fn() -> utoipa::openapi::path::Paths>,
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Route").field("rule", &self.rule).field("documented", &self.doc.is_some()).finish()
    }
}

/// The OpenAPI operation of a `#[utoipa::path]` handler, for [`Route::doc`].
pub fn doc_of<P: utoipa::Path>() -> utoipa::openapi::path::Paths {
    utoipa::openapi::path::PathsBuilder::new().path_from::<P>().build()
}

/// Declares a [`Route`]: `route!(GET "/api/x", handler, AnyOf(READ), Target::None, Api, doc = __path_handler)`.
#[macro_export]
#[doc(hidden)]
macro_rules! route {
    ($method:ident $path:literal, $handler:path, $access:expr, $target:expr, $kind:ident $(, doc = $doc:ty)?) => {
        $crate::http::route::Route {
            rule: $crate::http::route::RouteRule {
                method: $crate::route!(@name $method),
                path: $path,
                access: $access,
                target: $target,
                kind: $crate::http::route::Kind::$kind,
            },
            handler: || $crate::route!(@method $method)($handler),
            doc: $crate::route!(@doc $($doc)?),
        }
    };
    (@name GET) => { "GET" };
    (@name POST) => { "POST" };
    (@name PUT) => { "PUT" };
    (@name PATCH) => { "PATCH" };
    (@name DELETE) => { "DELETE" };
    (@method GET) => { axum::routing::get };
    (@method POST) => { axum::routing::post };
    (@method PUT) => { axum::routing::put };
    (@method PATCH) => { axum::routing::patch };
    (@method DELETE) => { axum::routing::delete };
    (@doc) => { None };
    (@doc $doc:ty) => { Some($crate::http::route::doc_of::<$doc>) };
}

/// JSON requests carry no body worth more than a few kilobytes.
const JSON_BODY_LIMIT: usize = 16 * 1024;
/// Forms of the portal and of feedback handling are small.
const FORM_BODY_LIMIT: usize = 64 * 1024;
/// Evidence uploads over the API: the file plus the multipart framing and the other fields.
const EVIDENCE_BODY_LIMIT: usize = EVIDENCE_LIMIT_BYTES + 64 * 1024;

impl Route {
    /// The handler with the layers of its kind, behind the authorization of its rule (the
    /// outermost layer, so that nothing runs for a caller the table refuses).
    pub fn method_router(&self, state: &AppState) -> MethodRouter<AppState> {
        let handler = (self.handler)();
        let csp = |policy: &'static str| -> SetResponseHeaderLayer<HeaderValue> {
            SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy))
        };
        let layered = match self.rule.kind {
            Kind::Api => handler
                .layer::<_, Infallible>(RequestBodyLimitLayer::new(JSON_BODY_LIMIT))
                .layer::<_, Infallible>(csp(JSON_CSP)),
            Kind::ApiUpload => handler
                .layer::<_, Infallible>(DefaultBodyLimit::max(EVIDENCE_BODY_LIMIT))
                .layer::<_, Infallible>(RequestBodyLimitLayer::new(EVIDENCE_BODY_LIMIT))
                .layer::<_, Infallible>(csp(JSON_CSP)),
            Kind::Page => handler
                .layer::<_, Infallible>(middleware::from_fn_with_state(state.clone(), csrf::check))
                // The CSRF check buffers the body itself (bounded); the multipart parser must accept it.
                .layer::<_, Infallible>(DefaultBodyLimit::max(csrf::BODY_LIMIT_BYTES))
                .layer::<_, Infallible>(middleware::from_fn(error::staff_pages))
                .layer::<_, Infallible>(csp(PAGE_CSP)),
            Kind::Form => handler
                .layer::<_, Infallible>(middleware::from_fn_with_state(state.clone(), csrf::check))
                .layer::<_, Infallible>(RequestBodyLimitLayer::new(FORM_BODY_LIMIT))
                .layer::<_, Infallible>(middleware::from_fn(error::staff_pages))
                .layer::<_, Infallible>(csp(PAGE_CSP)),
            Kind::Public => handler
                .layer::<_, Infallible>(middleware::from_fn_with_state(state.clone(), csrf::check))
                .layer::<_, Infallible>(RequestBodyLimitLayer::new(FORM_BODY_LIMIT))
                .layer::<_, Infallible>(middleware::from_fn(error::public_pages))
                .layer::<_, Infallible>(csp(PUBLIC_CSP)),
        };
        layered.layer::<_, Infallible>(middleware::from_fn_with_state((state.clone(), self.rule), authz::authorize))
    }
}
