//! rectify-server: the HTTP API over the stored ledgers, the web UI in Chinese (server-rendered
//! pages with htmx and ECharts, all served from the binary), and the built-in demo data.
//!
//! The API answers JSON (errors too, as `{"error": "...", "message": "..."}`) and describes
//! itself at `/api/openapi.json`. Everything but the public pages needs a signed-in session
//! (argon2id passwords, lockout, TOTP for the administrators, idle timeout): [`authz`] maps every
//! route to a permission and a data scope in one table. The closure workflow (progress, evidence,
//! review, 销号, reminders, look-back) runs over the API and in the pages, and every change and
//! security event lands in the tamper-evident audit trail.

mod api;
pub mod auth;
pub mod authz;
pub mod demo;
mod error;
mod ui;
pub mod users;
mod workflow;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware;
use axum::routing::{get, post, put};
use chrono::{DateTime, NaiveDate, Utc};
use rectify_auth::{Clock, SecurityPolicy, SystemClock};
use rectify_storage::{Backend, EvidenceStore, Store};
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use api::ApiDoc;
pub use error::{ApiError, ErrorBody};
pub use ui::portal::{PortalConfig, PortalError, RateLimit, publish_inspection};
pub use users::{DemoLogin, UserSetupError, create_admin, create_user, seed_demo_users};

/// JSON requests carry no body worth more than a few kilobytes.
const BODY_LIMIT_BYTES: usize = 16 * 1024;

pub use ui::UPLOAD_LIMIT_BYTES;

/// The largest evidence file accepted (scans and photos of minutes fit; videos do not belong here).
pub const EVIDENCE_LIMIT_BYTES: usize = 10 * 1024 * 1024;

/// How long graceful shutdown waits for requests in flight before the server gives up on them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Where evidence files go when nothing else is configured: beside the default data directory of
/// `rectify demo`, outside any directory the server serves.
const DEFAULT_EVIDENCE_DIR: &str = "rectify-data/evidence";

/// What every handler shares. Cloning is cheap: the store is a connection pool.
#[derive(Clone)]
pub struct AppState {
    store: Store,
    uploads: ui::Uploads,
    today: Option<NaiveDate>,
    clock: Arc<dyn Clock>,
    /// Shared by every clone, so that a change by the security administrator reaches all requests.
    policy: Arc<RwLock<Arc<SecurityPolicy>>>,
    evidence: EvidenceStore,
    secure_cookies: bool,
    /// The public portal's settings and its in-memory rate limiters.
    portal: ui::portal::Portal,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.store)
            .field("today", &self.today)
            .field("now", &self.clock.now())
            .field("policy", &self.policy)
            .field("evidence", &self.evidence.root())
            .field("secure_cookies", &self.secure_cookies)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// The state with the system clock, the level-3 default policy, evidence under
    /// `$RECTIFY_EVIDENCE_DIR` (else `rectify-data/evidence`) and `Secure` cookies when
    /// `RECTIFY_SECURE_COOKIES=1`.
    pub fn new(store: Store) -> Self {
        let evidence_dir =
            std::env::var_os("RECTIFY_EVIDENCE_DIR").map_or_else(|| PathBuf::from(DEFAULT_EVIDENCE_DIR), PathBuf::from);
        Self {
            store,
            uploads: ui::Uploads::default(),
            today: None,
            clock: Arc::new(SystemClock),
            policy: Arc::new(RwLock::new(Arc::new(SecurityPolicy::default()))),
            evidence: EvidenceStore::new(evidence_dir).with_max_bytes(EVIDENCE_LIMIT_BYTES as u64),
            secure_cookies: std::env::var("RECTIFY_SECURE_COOKIES").is_ok_and(|v| v == "1"),
            portal: ui::portal::Portal::default(),
        }
    }

    /// Replaces the clock (tests use `rectify_auth::FixedClock` to reach timeouts exactly).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Replaces the security policy (callers validate it first; see `SecurityPolicy::validate`).
    #[must_use]
    pub fn with_policy(mut self, policy: SecurityPolicy) -> Self {
        self.policy = Arc::new(RwLock::new(Arc::new(policy)));
        self
    }

    /// Replaces the policy of this state and of every clone of it (after the security
    /// administrator saved a validated one).
    pub(crate) fn set_policy(&self, policy: SecurityPolicy) {
        *self.policy.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(policy);
    }

    /// Takes the policy the security administrator stored, if any, so that it survives restarts.
    /// A stored policy that no longer parses or validates is ignored with a warning (the level-3
    /// default or the one given to [`AppState::with_policy`] stays).
    pub async fn load_stored_policy(&self) -> Result<(), rectify_storage::StorageError> {
        let Some(text) = self.store.security_policy().await? else { return Ok(()) };
        match serde_json::from_str::<SecurityPolicy>(&text) {
            Ok(policy) if policy.validate().is_ok() => self.set_policy(policy),
            Ok(policy) => tracing::warn!(?policy, "the stored security policy is weaker than allowed; ignored"),
            Err(error) => tracing::warn!(%error, "the stored security policy does not parse; ignored"),
        }
        Ok(())
    }

    /// Stores evidence files under `dir` (created on the first upload), e.g. `DATA/evidence`.
    #[must_use]
    pub fn with_evidence_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.evidence = EvidenceStore::new(dir).with_max_bytes(EVIDENCE_LIMIT_BYTES as u64);
        self
    }

    /// Replaces the evidence store (e.g. with a smaller size limit).
    #[must_use]
    pub fn with_evidence_store(mut self, evidence: EvidenceStore) -> Self {
        self.evidence = evidence;
        self
    }

    /// Marks every session cookie `Secure`, for deployments behind TLS.
    #[must_use]
    pub fn with_secure_cookies(mut self, secure: bool) -> Self {
        self.secure_cookies = secure;
        self
    }

    /// Replaces the public portal's settings (public address for QR codes, rate limits); by
    /// default they come from `PortalConfig::from_env`.
    #[must_use]
    pub fn with_portal(mut self, config: PortalConfig) -> Self {
        self.portal = ui::portal::Portal::new(config);
        self
    }

    /// The current instant, from the injected clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The security policy in force (a snapshot: a concurrent change applies to later requests).
    pub fn policy(&self) -> Arc<SecurityPolicy> {
        Arc::clone(&self.policy.read().unwrap_or_else(PoisonError::into_inner))
    }

    pub fn evidence(&self) -> &EvidenceStore {
        &self.evidence
    }

    pub(crate) fn secure_cookies(&self) -> bool {
        self.secure_cookies
    }

    /// Pins the date the deadline lights are computed for (tests, reproducible screenshots);
    /// by default it is the local date of each request.
    #[must_use]
    pub fn with_today(mut self, today: NaiveDate) -> Self {
        self.today = Some(today);
        self
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The date deadline lights are computed for.
    pub fn today(&self) -> NaiveDate {
        self.today.unwrap_or_else(|| self.now().with_timezone(&chrono::Local).date_naive())
    }

    fn database_name(&self) -> &'static str {
        match self.store.backend() {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("the server stopped with an I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// The whole application: API, OpenAPI description, web UI, and the layers that log requests,
/// bound their bodies and set the security headers.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/healthz", get(api::healthz))
        .route("/api/openapi.json", get(api::openapi_json))
        .route("/api/inspections", get(api::list_inspections))
        .route("/api/inspections/{id}", get(api::get_inspection))
        .route("/api/inspections/{id}/problems", get(api::list_problems))
        .route("/api/inspections/{id}/measures", get(api::list_measures))
        .route("/api/inspections/{id}/statistics", get(api::statistics))
        .route("/api/problems/{id}", get(api::get_problem))
        .route("/api/measures/{id}", get(api::get_measure))
        .route("/api/session", post(workflow::sign_in).delete(workflow::sign_out))
        .route("/api/me", get(workflow::me))
        .route("/api/me/reminders", get(workflow::my_reminders))
        .route("/api/measures/{id}/actions", post(workflow::measure_action))
        .route("/api/measures/{id}/reminders", post(workflow::remind))
        .route("/api/evidence/{sha256}", get(workflow::evidence))
        .route("/api/problems/{id}/close", post(workflow::close_problem))
        .route("/api/problems/{id}/reopen", post(workflow::reopen_problem))
        .route("/api/inspections/{id}/supervision", get(workflow::supervision))
        .route("/api/inspections/{id}/lookbacks", post(workflow::schedule_lookback))
        .route("/api/lookback-items/{id}", post(workflow::record_lookback))
        .route("/api/audit", get(workflow::audit_list))
        .route("/api/audit/export.csv", get(workflow::audit_export))
        .route("/api/audit/verify", get(workflow::audit_verify))
        .route("/api/users", get(ui::admin::list_users).post(ui::admin::create_user))
        .route("/api/users/{id}/disable", post(ui::admin::disable_user))
        .route("/api/users/{id}/enable", post(ui::admin::enable_user))
        .route("/api/users/{id}/reset-password", post(ui::admin::reset_password))
        .route("/api/users/{id}/roles", put(ui::admin::set_roles))
        .route("/api/security-policy", get(ui::admin::get_policy).put(ui::admin::put_policy))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES));
    // Evidence uploads: the only API bodies that may be large.
    let uploads = Router::new()
        .route("/api/measures/{id}/progress", post(workflow::add_progress))
        .layer(DefaultBodyLimit::max(EVIDENCE_LIMIT_BYTES + 64 * 1024))
        .layer(RequestBodyLimitLayer::new(EVIDENCE_LIMIT_BYTES + 64 * 1024));
    Router::new()
        .merge(api)
        .merge(uploads)
        .merge(ui::routes())
        .merge(ui::portal::routes())
        .merge(ui::portal::routes_private())
        // Runs after routing, so it sees the matched route pattern of `authz::ROUTES`.
        .route_layer(middleware::from_fn_with_state(state.clone(), authz::authorize))
        .fallback(ui::fallback)
        .with_state(state)
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(api::JSON_CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        ))
        .layer(TraceLayer::new_for_http())
}

/// Serves the application on `addr` until `shutdown` completes, then lets requests in flight
/// finish (for at most a few seconds).
pub async fn serve(
    store: Store,
    addr: SocketAddr,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let listener = TcpListener::bind(addr).await.map_err(|source| ServeError::Bind { addr, source })?;
    serve_on(store, listener, shutdown).await
}

/// Like [`serve`] with a prepared state (evidence directory, policy, secure cookies), e.g.
/// `AppState::new(store).with_evidence_dir(data.join("evidence"))` for `rectify demo --data DATA`.
pub async fn serve_state(
    state: AppState,
    addr: SocketAddr,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let listener = TcpListener::bind(addr).await.map_err(|source| ServeError::Bind { addr, source })?;
    serve_state_on(state, listener, shutdown).await
}

/// Like [`serve`] on a listener already bound, e.g. to port 0 in tests and benchmarks.
pub async fn serve_on(
    store: Store,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    serve_state_on(AppState::new(store), listener, shutdown).await
}

/// Like [`serve_state`] on a listener already bound.
pub async fn serve_state_on(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let local = listener.local_addr()?;
    if let Err(error) = state.load_stored_policy().await {
        tracing::warn!(%error, "the stored security policy could not be read; the default applies");
    }
    tracing::info!(%local, database = state.database_name(), "serving");
    let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        shutdown.await;
        tracing::info!("shutting down; finishing requests in flight");
        let _ = stopping_tx.send(());
    };
    // The peer address goes into the audit trail of sign-ins and changes.
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let server = axum::serve(listener, app).with_graceful_shutdown(signal);
    let mut server = std::pin::pin!(server.into_future());
    tokio::select! {
        result = &mut server => result?,
        () = async {
            // Only once shutdown has begun does the grace period start counting.
            if stopping_rx.await.is_ok() {
                tokio::time::sleep(SHUTDOWN_GRACE).await;
            } else {
                std::future::pending::<()>().await;
            }
        } => tracing::warn!("requests still running after the grace period were dropped"),
    }
    Ok(())
}
