//! rectify-server: the HTTP API over the stored ledgers, the web UI in Chinese (server-rendered
//! pages with htmx and ECharts, all served from the binary), the public portal, and the built-in
//! demo data.
//!
//! Layers (see ARCHITECTURE.md): `features/*` (routes, JSON handlers and DTOs, pages) → `http`
//! (route kinds and layers, authorization by the route table, CSRF, extractors, errors as JSON
//! or pages) → `render` (templates, layout, formatting) → `service` (the only callers of the
//! store) → the storage, auth and domain crates. `routes` gathers every feature's routes into
//! the one list that builds the router, the authorization table and the OpenAPI description.

pub mod demo;
mod error;
mod features;
mod http;
mod ids;
mod render;
mod routes;
mod service;
mod text;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use rectify_storage::Store;
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use error::AppError;
pub use http::error::ErrorBody;
pub use routes::openapi;

/// `rectify search`: the answer of `GET /api/search` over everything stored (no data scope),
/// building the index first if the database predates it.
pub async fn search_everything(
    store: rectify_storage::Store,
    text: &str,
    limit: Option<u64>,
    offset: Option<u64>,
) -> Result<serde_json::Value, AppError> {
    let state = AppState::new(store);
    service::search::ensure_index(&state).await?;
    features::search::everything(&state, text, limit, offset).await
}
pub use service::portal::{PortalConfig, RateLimit, publish_inspection};
pub use service::{AppState, EVIDENCE_LIMIT_BYTES, UPLOAD_LIMIT_BYTES};

/// Accounts: the first administrator and the demo's accounts.
pub mod users {
    pub use crate::service::accounts::{
        DEMO_PASSWORD, DemoLogin, UserSetupError, create_admin, create_user, seed_demo_users,
    };
}
pub use users::{DemoLogin, UserSetupError, create_admin, create_user, seed_demo_users};

/// Sessions: the signed-in account and its data scopes.
pub mod auth {
    pub use crate::service::session::{Principal, Restriction, grants_of};
}

/// The authorization table, for embedding applications and the tests that walk it.
/// Notifications: the delivery worker's round and the daily deadline notices, for tests and tools.
pub mod notifications {
    pub use crate::service::delivery::{MAX_ATTEMPTS, Round, backoff, deliver_due, spawn_worker};
    pub use crate::service::notify::{DEADLINE_NOTICE_DAYS, deadline_notices};
}

pub mod authz {
    pub use crate::http::route::{Access, Kind, RouteRule, Target};
    pub use crate::routes::{rule_for, table};
    pub use crate::service::scope::Visibility;
}

/// The parsing of uploads on a raw request, for the fuzz target `fuzz/fuzz_targets/multipart.rs`:
/// the multipart form of a progress entry (evidence typed by content) and of a document import
/// (typed by `detect`). Whatever the bytes, each answers or refuses, never panics.
#[doc(hidden)]
pub mod fuzzing {
    use axum::body::Body;
    use axum::extract::{FromRequest, Multipart};
    use axum::http::{Request, header};

    /// Reads `body` (sent as `content_type`) the way both upload routes do, and types every file
    /// it finds; the number of files found, for the target to look at.
    pub async fn read_uploads(content_type: &[u8], body: &[u8]) -> usize {
        let request = || {
            Request::builder().method("POST").header(header::CONTENT_TYPE, content_type).body(Body::from(body.to_vec()))
        };
        let mut files = 0;
        if let Ok(req) = request()
            && let Ok(multipart) = Multipart::from_request(req, &()).await
            && let Ok(input) = crate::features::workflow::read_progress_form(multipart).await
            && let Some((_, bytes)) = input.file
        {
            let _ = rectify_storage::files::sniff(&bytes);
            files += 1;
        }
        if let Ok(req) = request()
            && let Ok((_, bytes)) =
                crate::features::documents::read_upload(Multipart::from_request(req, &()).await).await
        {
            let _ = crate::service::documents::detect(&bytes);
            files += 1;
        }
        files
    }
}

/// How long graceful shutdown waits for requests in flight before the server gives up on them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("the server stopped with an I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// The whole application: every route behind its rule, the fallback, and the layers that log
/// requests and set the security headers every answer carries.
pub fn router(state: AppState) -> Router {
    routes::router(&state)
        .fallback(routes::fallback)
        .with_state(state)
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        // Every route sets its own policy; anything else (a 405, a fallback) loads nothing.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(http::csp::JSON_CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        ))
        .layer(TraceLayer::new_for_http())
}

/// How often the delivery worker looks for due deliveries.
const DELIVERY_INTERVAL: std::time::Duration = std::time::Duration::from_secs(15);

/// Stops a background task when the server returns.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
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
    mut state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let local = listener.local_addr()?;
    if let Err(error) = state.load_stored_policy().await {
        tracing::warn!(%error, "the stored security policy could not be read; the default applies");
    }
    if let Err(error) = state.load_shared_form_key().await {
        tracing::warn!(%error, "the shared form key could not be read; forms of other app servers fail here");
    }
    if let Err(error) = service::search::ensure_index(&state).await {
        tracing::error!(%error, "the search index could not be built; searches miss what it lacks");
    }
    // Evidence files from before SM4 at rest are sealed while the server already serves: both
    // forms read the same meanwhile.
    let sealing = state.clone();
    tokio::spawn(async move {
        match service::workflow::seal_evidence_files(&sealing).await {
            Ok(done) if done.sealed > 0 => {
                tracing::info!(sealed = done.sealed, "sealed earlier evidence files with SM4")
            }
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "evidence files could not all be sealed; they stay readable"),
        }
    });
    tracing::info!(%local, database = state.database_name(), "serving");
    let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        shutdown.await;
        tracing::info!("shutting down; finishing requests in flight");
        let _ = stopping_tx.send(());
    };
    // Outbound notifications and the daily deadline notices, for as long as this server runs.
    let worker = service::delivery::spawn_worker(state.clone(), DELIVERY_INTERVAL);
    let _stop_worker = AbortOnDrop(worker);
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
