//! Authorization of every request, decided in ONE place: [`ROUTES`] maps each method and route
//! pattern to who may call it (a permission of `permissions.tsv`, or public) and to what the
//! route's id names (an inspection, a problem, a measure…), whose data scope is checked before
//! any handler runs.
//!
//! Without a valid session, API calls get 401 JSON and pages a redirect to `/login?next=…`;
//! outside the role or the scope, 403 JSON or a Chinese 403 page — never data. A route missing
//! from the table is refused (fail closed), except the public portal under `/public`.
//! Handlers of lists (inspections, problems, measures, the ledger) narrow what they return with
//! [`Visibility`].

use axum::extract::{FromRequestParts, MatchedPath, RawPathParams, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use rectify_auth::scope::{any_sees_inspection, any_sees_measure, any_sees_problem};
use rectify_auth::{Grant, InspectionRef, Permission, allows_any, csrf_matches};
use rectify_domain::roles::Role;
use rectify_domain::{Ledger, Problem};
use std::sync::Arc;

use rectify_storage::{InspectionSummary, MeasureRecord, ProblemInScope, ProblemRecord};

use crate::AppState;
use crate::auth::{Principal, client_address, resolve};
use crate::error::ApiError;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account, even one that must first change its password or enrol its
    /// authenticator (the pages that lift those restrictions, and signing out).
    Account,
    /// Any signed-in account without a pending restriction.
    SignedIn,
    /// A signed-in account holding at least one of the permissions.
    AnyOf(&'static [Permission]),
}

/// What the route's path parameter names, whose data scope must reach the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Nothing (lists narrow their content themselves).
    None,
    /// `{id}` is an inspection.
    Inspection,
    /// `{id}` is a problem.
    Problem,
    /// `{id}` is a measure.
    Measure,
    /// `{sha256}` is an evidence file: some measure it belongs to must be visible.
    Evidence,
    /// `{id}` is a look-back item.
    LookbackItem,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteRule {
    pub method: &'static str,
    /// The route pattern exactly as the router declares it.
    pub path: &'static str,
    pub access: Access,
    pub target: Target,
}

use Permission as P;

/// Reading a ledger within one's scope.
pub const READ: &[Permission] = &[P::ReadOwnUnitLedger, P::ReadAllUnits];
/// Taking a step of the closure workflow (the state machine decides which step).
pub const WORKFLOW: &[Permission] = &[
    P::UpdateOwnMeasures,
    P::EditLedger,
    P::RequestExtension,
    P::ReviewAssignedProblems,
    P::ConfirmClosure,
    P::VerifyClosure,
    P::ApproveExtension,
];
/// Recording progress and evidence.
pub const REPORT_PROGRESS: &[Permission] = &[P::UpdateOwnMeasures, P::EditLedger];
/// Reviewing claimed closures (the 待办/审核 inbox).
pub const REVIEW: &[Permission] =
    &[P::ReviewAssignedProblems, P::ConfirmClosure, P::VerifyClosure, P::ApproveExtension];
/// Handing responsibility over (the unit's liaison, its leading group, the inspection office).
pub const REASSIGN: &[Permission] = &[P::EditLedger, P::ConfirmClosure, P::VerifyClosure];
/// The documents page: import, generate or export.
pub const DOCUMENTS: &[Permission] = &[P::ImportDocuments, P::GenerateReports, P::ExportLedger];

const fn rule(method: &'static str, path: &'static str, access: Access, target: Target) -> RouteRule {
    RouteRule { method, path, access, target }
}

use Access::{Account, AnyOf, Public, SignedIn};

/// Every route of the application with its access rule. `tests/authz.rs` calls each one as every
/// role and as an anonymous visitor and checks the answers against this table.
pub const ROUTES: &[RouteRule] = &[
    // System and assets
    rule("GET", "/healthz", Public, Target::None),
    rule("GET", "/api/openapi.json", Public, Target::None),
    rule("GET", "/assets/{*path}", Public, Target::None),
    rule("GET", "/favicon.ico", Public, Target::None),
    // Sign-in
    rule("GET", "/login", Public, Target::None),
    rule("POST", "/login", Public, Target::None),
    rule("POST", "/api/session", Public, Target::None),
    rule("DELETE", "/api/session", Account, Target::None),
    rule("POST", "/logout", Account, Target::None),
    rule("GET", "/api/me", Account, Target::None),
    rule("GET", "/account/password", AnyOf(&[P::ChangeOwnPassword]), Target::None),
    rule("POST", "/account/password", AnyOf(&[P::ChangeOwnPassword]), Target::None),
    rule("GET", "/account/totp", AnyOf(&[P::ManageOwnSecondFactor]), Target::None),
    rule("POST", "/account/totp", AnyOf(&[P::ManageOwnSecondFactor]), Target::None),
    // Reading the ledger (JSON)
    rule("GET", "/api/inspections", AnyOf(READ), Target::None),
    rule("GET", "/api/inspections/{id}", AnyOf(READ), Target::Inspection),
    rule("GET", "/api/inspections/{id}/problems", AnyOf(READ), Target::Inspection),
    rule("GET", "/api/inspections/{id}/measures", AnyOf(READ), Target::Inspection),
    rule("GET", "/api/inspections/{id}/statistics", AnyOf(READ), Target::Inspection),
    rule("GET", "/api/inspections/{id}/supervision", AnyOf(READ), Target::Inspection),
    rule("GET", "/api/problems/{id}", AnyOf(READ), Target::Problem),
    rule("GET", "/api/measures/{id}", AnyOf(READ), Target::Measure),
    rule("GET", "/api/evidence/{sha256}", AnyOf(READ), Target::Evidence),
    rule("GET", "/api/me/reminders", SignedIn, Target::None),
    // The workflow (JSON)
    rule("POST", "/api/measures/{id}/actions", AnyOf(WORKFLOW), Target::Measure),
    rule("POST", "/api/measures/{id}/progress", AnyOf(REPORT_PROGRESS), Target::Measure),
    rule("POST", "/api/measures/{id}/reminders", AnyOf(&[P::SendReminder]), Target::Measure),
    rule("POST", "/api/problems/{id}/close", AnyOf(&[P::VerifyClosure]), Target::Problem),
    rule("POST", "/api/problems/{id}/reopen", AnyOf(&[P::VerifyClosure, P::RunLookBack]), Target::Problem),
    rule("POST", "/api/inspections/{id}/lookbacks", AnyOf(&[P::RunLookBack]), Target::Inspection),
    rule("POST", "/api/lookback-items/{id}", AnyOf(&[P::RunLookBack]), Target::LookbackItem),
    // The audit trail: the audit administrator only
    rule("GET", "/api/audit", AnyOf(&[P::ReadAuditTrail]), Target::None),
    rule("GET", "/api/audit/export.csv", AnyOf(&[P::ExportAuditTrail]), Target::None),
    rule("GET", "/api/audit/verify", AnyOf(&[P::ReadAuditTrail]), Target::None),
    // Administration (三员分立): accounts by the system administrator, roles and the security
    // policy by the security administrator. Disabling is listed before enabling on purpose.
    rule("GET", "/api/users", AnyOf(&[P::ManageUsers]), Target::None),
    rule("POST", "/api/users", AnyOf(&[P::ManageUsers]), Target::None),
    rule("POST", "/api/users/{id}/disable", AnyOf(&[P::ManageUsers]), Target::None),
    rule("POST", "/api/users/{id}/enable", AnyOf(&[P::ManageUsers]), Target::None),
    rule("POST", "/api/users/{id}/reset-password", AnyOf(&[P::ManageUsers]), Target::None),
    rule("PUT", "/api/users/{id}/roles", AnyOf(&[P::ManageRoles]), Target::None),
    rule("GET", "/api/security-policy", AnyOf(&[P::ManageSecurityPolicy]), Target::None),
    rule("PUT", "/api/security-policy", AnyOf(&[P::ManageSecurityPolicy]), Target::None),
    rule("GET", "/admin/users", AnyOf(&[P::ManageUsers]), Target::None),
    rule("POST", "/admin/users", AnyOf(&[P::ManageUsers]), Target::None),
    rule("POST", "/admin/users/{id}/status", AnyOf(&[P::ManageUsers]), Target::None),
    rule("POST", "/admin/users/{id}/password", AnyOf(&[P::ManageUsers]), Target::None),
    rule("GET", "/admin/roles", AnyOf(&[P::ManageRoles]), Target::None),
    rule("POST", "/admin/roles/{id}", AnyOf(&[P::ManageRoles]), Target::None),
    rule("GET", "/admin/policy", AnyOf(&[P::ManageSecurityPolicy]), Target::None),
    rule("POST", "/admin/policy", AnyOf(&[P::ManageSecurityPolicy]), Target::None),
    // Pages
    rule("GET", "/", SignedIn, Target::None),
    rule("GET", "/ledger", AnyOf(READ), Target::None),
    rule("GET", "/dashboard", AnyOf(READ), Target::None),
    rule("GET", "/inspections/{id}", AnyOf(READ), Target::Inspection),
    rule("GET", "/inspections/{id}/ledger", AnyOf(READ), Target::Inspection),
    rule("GET", "/inspections/{id}/dashboard", AnyOf(READ), Target::Inspection),
    rule("GET", "/inspections/{id}/export/{file}", AnyOf(&[P::ExportLedger, P::GenerateReports]), Target::Inspection),
    rule("POST", "/inspections/{id}/bulk/remind", AnyOf(&[P::SendReminder]), Target::Inspection),
    rule("POST", "/inspections/{id}/bulk/assign", AnyOf(REASSIGN), Target::Inspection),
    rule("GET", "/problems/{id}", AnyOf(READ), Target::Problem),
    rule("POST", "/problems/{id}/close", AnyOf(&[P::VerifyClosure]), Target::Problem),
    // 回头看 and 反弹重办: the inspection office, within its scope like the look-back API.
    rule("POST", "/problems/{id}/reopen", AnyOf(&[P::RunLookBack]), Target::Problem),
    rule("GET", "/inspections/{id}/lookback", AnyOf(&[P::RunLookBack]), Target::Inspection),
    rule("POST", "/inspections/{id}/lookback", AnyOf(&[P::RunLookBack]), Target::Inspection),
    rule("POST", "/lookback-items/{id}", AnyOf(&[P::RunLookBack]), Target::LookbackItem),
    rule("GET", "/measures/{id}", AnyOf(READ), Target::Measure),
    rule("POST", "/measures/{id}/actions", AnyOf(WORKFLOW), Target::Measure),
    rule("POST", "/measures/{id}/progress", AnyOf(REPORT_PROGRESS), Target::Measure),
    rule("POST", "/measures/{id}/remind", AnyOf(&[P::SendReminder]), Target::Measure),
    rule("GET", "/inbox", AnyOf(REVIEW), Target::None),
    rule("GET", "/audit", AnyOf(&[P::ReadAuditTrail]), Target::None),
    rule("GET", "/documents", AnyOf(DOCUMENTS), Target::None),
    rule("POST", "/documents/upload", AnyOf(&[P::ImportDocuments]), Target::None),
    rule("GET", "/documents/preview/{token}", AnyOf(&[P::ImportDocuments]), Target::None),
    rule("POST", "/documents/confirm", AnyOf(&[P::ImportDocuments]), Target::None),
    // The portal's private routes (its public ones live under `/public`); the feedback handlers
    // narrow to the units of the inspections the account sees.
    rule("POST", "/inspections/{id}/publish", AnyOf(&[P::PublishReport]), Target::Inspection),
    rule("POST", "/published/{id}/withdraw", AnyOf(&[P::PublishReport]), Target::None),
    rule("GET", "/feedback", AnyOf(&[P::ReadFeedback]), Target::None),
    rule("GET", "/feedback/{id}", AnyOf(&[P::ReadFeedback]), Target::None),
    rule("POST", "/feedback/{id}/answer", AnyOf(&[P::AnswerFeedback]), Target::None),
    rule("POST", "/feedback/{id}/processing", AnyOf(&[P::AnswerFeedback]), Target::None),
];

/// The rule of a method and a route pattern (`HEAD` follows `GET`).
pub fn rule_for(method: &Method, pattern: &str) -> Option<&'static RouteRule> {
    let method = if method == Method::HEAD { "GET" } else { method.as_str() };
    ROUTES.iter().find(|r| r.method == method && r.path == pattern)
}

/// Routes outside the table that anyone may read: the public portal.
fn public_by_prefix(path: &str) -> bool {
    path == "/public" || path.starts_with("/public/")
}

tokio::task_local! {
    /// The signed-in account of the request being handled, for the page layout.
    static PRINCIPAL: Option<Principal>;
    /// The navigation's count of feedback awaiting an answer, for pages (`None`: no link).
    static NAV_FEEDBACK: Option<usize>;
}

/// For the 群众意见 link of every page: how much feedback in the account's scope awaits an
/// answer, or `None` when the account may not read feedback (or the request is not a page).
pub(crate) fn nav_feedback() -> Option<usize> {
    NAV_FEEDBACK.try_with(|n| *n).ok().flatten()
}

/// Whether a request is for a page, which shows the navigation.
fn shows_navigation(method: &Method, path: &str) -> bool {
    matches!(*method, Method::GET | Method::HEAD)
        && !is_api(path)
        && !path.starts_with("/assets/")
        && !path.starts_with("/evidence/")
        && !path.contains("/export/")
        && !public_by_prefix(path)
}

/// The signed-in account of the current request, if any (for rendering the layout).
pub(crate) fn current() -> Option<Principal> {
    PRINCIPAL.try_with(Clone::clone).ok().flatten()
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

fn denied_anonymous(path: &str, method: &Method, query: Option<&str>) -> Response {
    if is_api(path) {
        return ApiError::Unauthorized.into_response();
    }
    if matches!(*method, Method::GET | Method::HEAD) {
        let next = match query {
            Some(q) => format!("{path}?{q}"),
            None => path.to_owned(),
        };
        return Redirect::to(&format!("/login?next={}", crate::ui::encode(&next))).into_response();
    }
    crate::ui::error_page(StatusCode::UNAUTHORIZED, "请先登录", "登录已超时或尚未登录，操作未执行。请重新登录后再试。")
}

fn denied_forbidden(path: &str, why: &str) -> Response {
    if is_api(path) {
        return ApiError::Forbidden(why.to_owned()).into_response();
    }
    crate::ui::error_page(
        StatusCode::FORBIDDEN,
        "无权访问",
        "您的账号没有访问该内容的权限，或该内容不在您负责的范围内。如有需要，请联系安全管理员分配权限。",
    )
}

/// The middleware: resolves the session, applies the table, checks the data scope and, for
/// state-changing API calls, the session's CSRF token.
pub(crate) async fn authorize(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    let method = request.method().clone();
    let matched = request.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned());
    let table_rule = matched.as_deref().and_then(|m| rule_for(&method, m));
    let (access, target) = match table_rule {
        Some(r) => (r.access, r.target),
        None if public_by_prefix(&path) => (Access::Public, Target::None),
        // Not in the table: nobody may call it.
        None => (Access::AnyOf(&[]), Target::None),
    };
    let quiet = path.starts_with("/assets/") || path == "/favicon.ico" || path == "/healthz" || is_api(&path);
    let principal = if access == Access::Public && quiet {
        None
    } else {
        match resolve(&state, request.headers(), client_address(request.extensions())).await {
            Ok(p) => p,
            Err(e) => return e.into_response(),
        }
    };
    if access != Access::Public {
        let Some(principal) = principal.as_ref() else {
            return denied_anonymous(&path, &method, query.as_deref());
        };
        if let Some(restriction) = principal.restriction
            && !matches!(access, Access::Account)
            && !restriction_page(&path)
        {
            return if is_api(&path) {
                ApiError::AccountActionRequired(restriction.code()).into_response()
            } else {
                Redirect::to(restriction.page()).into_response()
            };
        }
        if let Access::AnyOf(permissions) = access
            && !permissions.iter().any(|p| allows_any(&principal.roles(), *p))
        {
            return denied_forbidden(&path, "the account's roles do not include this action");
        }
        let unsafe_method = !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
        if unsafe_method && is_api(&path) {
            let sent = request.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or_default();
            if !csrf_matches(&principal.csrf_token, sent) {
                return ApiError::Csrf.into_response();
            }
        }
    }
    let (mut parts, body) = request.into_parts();
    if target != Target::None
        && let Some(principal) = principal.as_ref()
    {
        let params = RawPathParams::from_request_parts(&mut parts, &state).await.ok();
        let param =
            |name: &str| params.as_ref().and_then(|p| p.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_owned()));
        let key = if target == Target::Evidence { param("sha256") } else { param("id") };
        match in_scope(&state, &principal.grants, target, key.as_deref()).await {
            Ok(true) => {}
            Ok(false) => return denied_forbidden(&path, "outside the account's data scope"),
            Err(e) => return e.into_response(),
        }
    }
    let mut request = Request::from_parts(parts, body);
    if let Some(p) = principal.clone() {
        request.extensions_mut().insert(p);
    }
    let nav_feedback = match principal.as_ref() {
        Some(p) if shows_navigation(&method, &path) => {
            // A count in the navigation must not cost the page: on an error, no badge.
            crate::ui::portal::unanswered_feedback(&state, p).await.unwrap_or_else(|error| {
                tracing::warn!(%error, "counting open feedback for the navigation failed");
                None
            })
        }
        _ => None,
    };
    let mut response = PRINCIPAL.scope(principal, NAV_FEEDBACK.scope(nav_feedback, next.run(request))).await;
    if !is_api(&path) && !path.starts_with("/assets/") {
        // Pages show personal data: never from a shared cache or the back button after sign-out.
        response.headers_mut().entry(header::CACHE_CONTROL).or_insert(header::HeaderValue::from_static("no-store"));
    }
    response
}

/// The pages a restricted account may still open.
fn restriction_page(path: &str) -> bool {
    matches!(path, "/account/password" | "/account/totp" | "/logout")
}

/// Whether the object a route names lies in the grants' scope. An id that does not parse or
/// names nothing passes, so that the handler answers 400 or 404 as for everyone.
async fn in_scope(state: &AppState, grants: &[Grant], target: Target, key: Option<&str>) -> Result<bool, ApiError> {
    let Some(key) = key else { return Ok(true) };
    let id = key.trim().parse::<i64>().ok().filter(|id| *id > 0);
    let store = state.store();
    let visibility = Visibility::new(grants);
    match (target, id) {
        (Target::None, _) => Ok(true),
        (Target::Evidence, _) => {
            let measures = store.evidence_measure(key).await?;
            if measures.is_empty() {
                return Ok(true);
            }
            for measure in measures {
                if visibility.sees_measure_id(state, measure).await? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        (_, None) => Ok(true),
        (Target::Inspection, Some(id)) => match summary(state, id).await? {
            Some(s) => Ok(visibility.sees_inspection(&s)),
            None => Ok(true),
        },
        (Target::Problem, Some(id)) => match store.problem_with_measures(id).await? {
            Some(found) => Ok(visibility.sees_problem_in(&found)),
            None => Ok(true),
        },
        (Target::Measure, Some(id)) => match store.problem_of_measure(id).await? {
            Some((found, index)) => Ok(visibility.sees_measure_in(&found, index)),
            None => Ok(true),
        },
        (Target::LookbackItem, Some(id)) => {
            let inspection: Option<i64> = sqlx::query_scalar(
                "SELECT l.inspection_id FROM lookback_items i JOIN lookbacks l ON l.id = i.lookback_id WHERE i.id = $1",
            )
            .bind(id)
            .fetch_optional(store.pool())
            .await
            .map_err(rectify_storage::StorageError::from)?;
            match inspection {
                Some(inspection) => match summary(state, inspection).await? {
                    Some(s) => Ok(visibility.sees_inspection(&s)),
                    None => Ok(false),
                },
                None => Ok(true),
            }
        }
    }
}

/// The summary of one inspection.
pub(crate) async fn summary(state: &AppState, id: i64) -> Result<Option<InspectionSummary>, ApiError> {
    Ok(state.store().list_inspections().await?.into_iter().find(|s| s.id == id))
}

/// A problem record with its measures put back, as the scope rules need them.
pub(crate) fn with_measures(record: &ProblemRecord, measures: &[MeasureRecord]) -> Problem {
    let mut own: Vec<&MeasureRecord> = measures.iter().filter(|m| m.problem_id == record.id).collect();
    own.sort_by_key(|m| m.position);
    Problem { measures: own.into_iter().map(|m| m.measure.clone()).collect(), ..record.problem.clone() }
}

/// What an account's grants see: the union of its grants' scopes.
#[derive(Debug, Clone, Copy)]
pub struct Visibility<'a> {
    grants: &'a [Grant],
}

impl<'a> Visibility<'a> {
    pub fn new(grants: &'a [Grant]) -> Self {
        Visibility { grants }
    }

    fn reference(summary: &InspectionSummary) -> InspectionRef<'_> {
        InspectionRef { id: summary.id, unit: summary.unit.as_deref() }
    }

    pub fn sees_inspection(&self, summary: &InspectionSummary) -> bool {
        any_sees_inspection(self.grants, Self::reference(summary))
    }

    /// Whether some grant sees the whole inspection (not only some departments' or a leader's part).
    pub fn sees_everything_of(&self, summary: &InspectionSummary) -> bool {
        self.grants.iter().any(|g| {
            !matches!(g.role, Role::Department | Role::LeaderInCharge) && g.sees_inspection(Self::reference(summary))
        })
    }

    /// Whether the account sees a problem read with all its measures.
    fn sees_problem_in(&self, found: &ProblemInScope) -> bool {
        let inspection = InspectionRef { id: found.record.inspection_id, unit: found.unit.as_deref() };
        any_sees_problem(self.grants, inspection, &found.record.problem)
    }

    pub(crate) async fn sees_measure_id(&self, state: &AppState, measure_id: i64) -> Result<bool, ApiError> {
        match state.store().problem_of_measure(measure_id).await? {
            Some((found, index)) => Ok(self.sees_measure_in(&found, index)),
            None => Ok(false),
        }
    }

    /// Whether the account sees the measure at `index` of a problem read with its measures.
    fn sees_measure_in(&self, found: &ProblemInScope, index: usize) -> bool {
        let inspection = InspectionRef { id: found.record.inspection_id, unit: found.unit.as_deref() };
        let problem = &found.record.problem;
        problem.measures.get(index).is_some_and(|measure| any_sees_measure(self.grants, inspection, problem, measure))
    }

    /// The inspections the account sees.
    pub fn inspections(&self, all: Vec<InspectionSummary>) -> Vec<InspectionSummary> {
        all.into_iter().filter(|s| self.sees_inspection(s)).collect()
    }

    /// The problems and measures of one inspection the account sees.
    pub fn records(
        &self,
        summary: &InspectionSummary,
        problems: Vec<ProblemRecord>,
        measures: Vec<MeasureRecord>,
    ) -> (Vec<ProblemRecord>, Vec<MeasureRecord>) {
        if !self.sees_inspection(summary) {
            return (Vec::new(), Vec::new());
        }
        if self.sees_everything_of(summary) {
            return (problems, measures);
        }
        let inspection = Self::reference(summary);
        let full: Vec<(ProblemRecord, Problem)> = problems
            .into_iter()
            .map(|p| {
                let problem = with_measures(&p, &measures);
                (p, problem)
            })
            .filter(|(_, problem)| any_sees_problem(self.grants, inspection, problem))
            .collect();
        let measures = measures
            .into_iter()
            .filter(|m| {
                full.iter()
                    .find(|(p, _)| p.id == m.problem_id)
                    .is_some_and(|(_, problem)| any_sees_measure(self.grants, inspection, problem, &m.measure))
            })
            .collect();
        (full.into_iter().map(|(p, _)| p).collect(), measures)
    }

    /// The part of a ledger the account sees; see [`rectify_auth::scope::visible_ledger`].
    pub fn ledger(&self, summary: &InspectionSummary, ledger: &Ledger) -> Option<Ledger> {
        rectify_auth::scope::visible_ledger(self.grants, summary.id, ledger)
    }

    /// [`Visibility::ledger`] of a remembered (shared) ledger: the ledger itself when the account
    /// sees the whole inspection, no copy.
    pub fn shared_ledger(&self, summary: &InspectionSummary, ledger: Arc<Ledger>) -> Option<Arc<Ledger>> {
        if self.sees_everything_of(summary) { Some(ledger) } else { self.ledger(summary, &ledger).map(Arc::new) }
    }

    /// [`Visibility::records`] of remembered (shared) lists: the lists themselves when the account
    /// sees the whole inspection, filtered copies otherwise.
    pub fn shared_records(
        &self,
        summary: &InspectionSummary,
        problems: Arc<Vec<ProblemRecord>>,
        measures: Arc<Vec<MeasureRecord>>,
    ) -> (Arc<Vec<ProblemRecord>>, Arc<Vec<MeasureRecord>>) {
        if self.sees_everything_of(summary) {
            return (problems, measures);
        }
        let (problems, measures) = self.records(summary, Vec::clone(&problems), Vec::clone(&measures));
        (Arc::new(problems), Arc::new(measures))
    }
}
