//! rectify-server: the HTTP API over the stored ledgers, the web UI in Chinese (server-rendered
//! pages with htmx and ECharts, all served from the binary), and the built-in demo data.
//!
//! The API is read-only and answers JSON (errors too, as `{"error": "...", "message": "..."}`)
//! and describes itself at `/api/openapi.json`. The UI adds the one write path of this stage:
//! importing a report or a ledger workbook after a preview, behind a CSRF check.

mod api;
pub mod demo;
mod error;
mod ui;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::get;
use chrono::NaiveDate;
use rectify_storage::{Backend, Store};
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use api::ApiDoc;
pub use error::{ApiError, ErrorBody};

/// The API only reads, so requests carry no body worth more than a few kilobytes.
const BODY_LIMIT_BYTES: usize = 16 * 1024;

pub use ui::UPLOAD_LIMIT_BYTES;

/// How long graceful shutdown waits for requests in flight before the server gives up on them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// What every handler shares. Cloning is cheap: the store is a connection pool.
#[derive(Debug, Clone)]
pub struct AppState {
    store: Store,
    uploads: ui::Uploads,
    today: Option<NaiveDate>,
}

impl AppState {
    pub fn new(store: Store) -> Self {
        Self { store, uploads: ui::Uploads::default(), today: None }
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
        self.today.unwrap_or_else(|| chrono::Local::now().date_naive())
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
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES));
    Router::new()
        .merge(api)
        .merge(ui::routes())
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

/// Like [`serve`] on a listener already bound, e.g. to port 0 in tests and benchmarks.
pub async fn serve_on(
    store: Store,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let local = listener.local_addr()?;
    let state = AppState::new(store);
    tracing::info!(%local, database = state.database_name(), "serving");
    let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        shutdown.await;
        tracing::info!("shutting down; finishing requests in flight");
        let _ = stopping_tx.send(());
    };
    let server = axum::serve(listener, router(state)).with_graceful_shutdown(signal);
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
