//! The one route list: every feature's routes, from which the router, the authorization table
//! and the OpenAPI description are all built, so that none of them can miss a route.

use axum::Router;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;

use crate::error::AppError;
use crate::features;
use crate::http;
use crate::http::page::PageContext;
use crate::http::route::{Access, Route, RouteRule, Target};
use crate::render::{Crumb, apidoc, render, ser};
use crate::route;
use crate::service::AppState;

/// The routes of the application, feature by feature.
const FEATURES: &[&[Route]] = &[
    OWN,
    features::system::ROUTES,
    features::accounts::ROUTES,
    features::ledger::ROUTES,
    features::editing::ROUTES,
    features::home::ROUTES,
    features::workflow::ROUTES,
    features::supervision::ROUTES,
    features::lookback::ROUTES,
    features::audit::ROUTES,
    features::admin::ROUTES,
    features::documents::ROUTES,
    features::portal::ROUTES,
    features::rounds::ROUTES,
    features::evaluations::ROUTES,
    features::search::ROUTES,
    features::common_problems::ROUTES,
    features::notifications::ROUTES,
    features::indicators::ROUTES,
    features::spot_checks::ROUTES,
];

/// This module's own route: the description of all the others.
const OWN: &[Route] = &[
    route!(GET "/api/openapi.json", openapi_json, Access::Public, Target::None, Api, doc = __path_openapi_json),
    route!(GET "/api/docs", api_docs, Access::Public, Target::None, Page, doc = __path_api_docs),
];

/// Every route.
pub fn all() -> impl Iterator<Item = &'static Route> {
    FEATURES.iter().flat_map(|routes| routes.iter())
}

/// The access rule of every route, in the order the features list them.
pub fn table() -> Vec<RouteRule> {
    all().map(|r| r.rule).collect()
}

/// The rule of a method and a route pattern (`HEAD` follows `GET`).
pub fn rule_for(method: &Method, pattern: &str) -> Option<RouteRule> {
    let method = if method == Method::HEAD { "GET" } else { method.as_str() };
    all().map(|r| r.rule).find(|r| r.method == method && r.path == pattern)
}

/// The routes of the application on `state`, each behind its rule.
pub fn router(state: &AppState) -> Router<AppState> {
    all().fold(Router::new(), |router, route| router.route(route.rule.path, route.method_router(state)))
}

/// Any unknown path: JSON under `/api/`, a Chinese page elsewhere.
pub(crate) async fn fallback(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") || uri.path() == "/api" {
        AppError::NoRoute(uri.path().to_string()).into_response()
    } else {
        http::error::page(None, StatusCode::NOT_FOUND, "页面不存在", "您访问的页面不存在，可能链接有误或内容已被删除。")
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "rectify — 巡察整改管理系统 API",
        description = "The rectification ledgers (整改台账) and their closure workflow. Sign in with \
                       `POST /api/session` (sets the HttpOnly session cookie); every other call but `/healthz` and \
                       this document needs it, and state-changing calls repeat the session's `csrf_token` in the \
                       `X-CSRF-Token` header. 401 means not signed in, 403 outside the role or data scope."
    ),
    components(schemas(
        http::error::ErrorBody,
        features::system::Health,
        features::ledger::InspectionDto,
        features::ledger::InspectionDetail,
        features::ledger::ProblemDto,
        features::ledger::MeasureDto,
        features::ledger::StatisticsDto,
        features::ledger::CompletionDto,
        features::ledger::HistoryEntryDto,
        features::portal::PublicationPreviewDto,
        features::portal::PublishRequest,
        features::portal::PublishedDto,
        features::admin::UserDto,
        features::admin::RoleGrantDto,
        features::admin::NewUserRequest,
        features::admin::ResetPasswordRequest,
        features::admin::RolesRequest,
        features::accounts::LoginRequest,
        features::accounts::MeDto,
        features::accounts::RoleDto,
        features::workflow::ActionRequest,
        features::workflow::ReasonRequest,
        features::supervision::ReminderRequest,
        features::supervision::ReminderDto,
        features::supervision::FlaggedDto,
        features::supervision::LightCounts,
        features::supervision::SupervisionDto,
        features::lookback::LookbackRequest,
        features::lookback::LookbackResultRequest,
        features::audit::AuditVerifyDto,
        features::rounds::RoundDto,
        features::rounds::UnitRowDto,
        features::rounds::TotalsDto,
        features::rounds::OverviewDto,
        features::evaluations::EvaluationDto,
        features::evaluations::IndicatorDto,
        features::evaluations::DeductionDto,
        features::evaluations::UnitEvaluationDto,
        features::evaluations::AdjustmentDto,
        features::evaluations::AdjustmentRequest,
        features::editing::CreatedDto,
        features::editing::VersionDto,
        features::editing::InspectionRequest,
        features::editing::RetireRequest,
        features::editing::SplitRequest,
        features::editing::MergeRequest,
        features::search::SearchHitDto,
        features::search::SearchPageDto,
        features::common_problems::ClusterProblemDto,
        features::common_problems::ClusterDto,
        features::common_problems::CommonProblemsDto,
        features::common_problems::CascadeDto,
        features::common_problems::CascadedDto,
        features::indicators::IndicatorDto,
        features::indicators::ReadingDto,
        features::indicators::IndicatorRequest,
        features::indicators::ReadingRequest,
        features::rounds::RoundDetailDto,
        features::rounds::GroupDto,
        features::rounds::GroupUnitDto,
        features::rounds::MergeDto,
        features::rounds::MergedDto,
        features::rounds::MoveDto,
        features::rounds::MovedDto,
        features::notifications::NotificationDto,
        features::notifications::NotificationsDto,
        features::notifications::EmailRequest,
        features::notifications::SmtpDto,
        features::notifications::WebhookDto,
        features::notifications::DeliverySettingsDto,
        features::notifications::TestRequest,
        features::notifications::DeliveryDto,
        features::notifications::DeliveriesDto,
        features::spot_checks::SpotObjectDto,
        features::spot_checks::SpotObjectRequest,
        features::spot_checks::SpotInspectorDto,
        features::spot_checks::SpotInspectorRequest,
        features::spot_checks::HazardDto,
        features::spot_checks::SpotItemDto,
        features::spot_checks::SpotFiguresDto,
        features::spot_checks::SpotRoundDto,
        features::spot_checks::SpotRoundRequest,
        features::spot_checks::DrawRequest,
        features::spot_checks::SpotResultRequest,
        features::spot_checks::PublishRequest,
        features::spot_checks::SpotLedgerDto,
        features::spot_checks::ImportedDto
    ))
)]
struct Schemas;

/// The OpenAPI description: the schemas above and the operation of every documented route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = Schemas::openapi();
    for route in all() {
        if let Some(paths) = route.doc {
            doc.paths.merge(paths());
        }
    }
    doc
}

/// This description (OpenAPI 3.1).
#[utoipa::path(get, path = "/api/openapi.json", tag = "system",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json")))]
async fn openapi_json() -> impl IntoResponse {
    axum::Json(openapi())
}

/// This description as a page for people (数据接口说明), rendered on the server.
#[utoipa::path(get, path = "/api/docs", tag = "system",
    responses((status = 200, description = "The description as an HTML page", content_type = "text/html")))]
async fn api_docs(page: PageContext) -> Result<Response, AppError> {
    let doc = serde_json::to_value(openapi()).map_err(|e| AppError::Internal(e.to_string()))?;
    let groups = apidoc::groups(&doc);
    let chrome = page.chrome("", "数据接口说明", vec![Crumb::link("首页", "/"), Crumb::here("数据接口说明")], None);
    let fields = minijinja::context! {
        groups => ser(&groups),
        operations => groups.iter().map(|g| g.operations.len()).sum::<usize>(),
        version => doc.pointer("/info/version").and_then(serde_json::Value::as_str).map(str::to_owned),
    };
    Ok(render("api_docs.html", &chrome, fields)?.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_route_is_documented_at_its_own_method_and_path() {
        let doc = openapi();
        for route in all() {
            let rule = route.rule;
            let Some(paths) = route.doc else {
                assert!(
                    !rule.path.starts_with("/api/"),
                    "{} {} is JSON but has no OpenAPI operation",
                    rule.method,
                    rule.path
                );
                continue;
            };
            let paths = paths();
            assert_eq!(paths.paths.len(), 1, "{}", rule.path);
            assert!(paths.paths.contains_key(rule.path), "{} {} documents another path", rule.method, rule.path);
            assert!(doc.paths.paths.contains_key(rule.path));
        }
    }

    #[test]
    fn each_method_and_pattern_is_listed_once() {
        let mut seen = std::collections::BTreeSet::new();
        for rule in table() {
            assert!(seen.insert((rule.method, rule.path)), "{} {} appears twice", rule.method, rule.path);
        }
    }
}
