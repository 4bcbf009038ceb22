//! Progress updates through the whole HTTP stack by 50 concurrent clients, each on its own
//! measure: session lookup, route table and data-scope checks, CSRF, the multipart form, the
//! workflow write with its audit entry, the JSON answer. In process (the router called through
//! `tower::ServiceExt::oneshot`), so no sockets: what is measured is the server, not loopback.
//! The baseline, in the same run, is one client alone. The ledger has 500 measures and the
//! clients share them out, each working through its own in turn, so that a measure collects a
//! realistic number of progress entries (20 at the end). On SQLite and, when
//! `RECTIFY_TEST_POSTGRES_URL` is set, on PostgreSQL (a fresh database per run).
//!
//! `cargo bench -p rectify-server --bench progress` (or under `scripts/with-postgres.sh`)

use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use http_body_util::BodyExt;
use rectify_domain::roles::Role;
use rectify_server::users::{DEMO_PASSWORD, create_user};
use rectify_server::{AppState, router};
use rectify_storage::{RoleGrant, Store};
use tower::ServiceExt;

/// The allocator of the `rectify` binary, so that the figures are the product's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../../storage/benches/support/closed_loop.rs"]
mod closed_loop;

const CLIENTS: usize = 50;
const MEASURES: usize = 500;
const UPDATES: usize = 10_000;

fn updates() -> usize {
    std::env::var("BENCH_UPDATES").ok().and_then(|v| v.parse().ok()).unwrap_or(UPDATES)
}

/// The session cookie and CSRF token of `username`.
async fn sign_in(app: &Router, username: &str) -> (String, String) {
    let body = serde_json::json!({ "username": username, "password": DEMO_PASSWORD });
    let request = Request::post("/api/session")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    (cookie, json["csrf_token"].as_str().unwrap().to_owned())
}

fn progress_request(measure: i64, version: i64, i: usize, cookie: &str, csrf: &str) -> Request<Body> {
    let boundary = "----benchboundary";
    let mut body = String::new();
    for (name, value) in [("version", version.to_string()), ("text", format!("第{i}次推进：召开专题会议部署整改"))]
    {
        body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    Request::post(format!("/api/measures/{measure}/progress"))
        .header(header::COOKIE, cookie)
        .header("x-csrf-token", csrf)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .unwrap()
}

/// A fresh database: a SQLite file in `dir`, or with `postgres` (the server's URL) a new database
/// on it, named after `clients`, with what [`closed_loop::drop_database`] needs to drop it.
async fn fresh_store(
    dir: &std::path::Path,
    postgres: Option<&str>,
    clients: usize,
) -> (Store, Option<(sqlx::PgConnection, String)>) {
    let Some(admin) = postgres else {
        return (Store::connect(&format!("sqlite:{}", dir.join("bench.db").display())).await.unwrap(), None);
    };
    let name = format!("bench_progress_{}_{clients}", std::process::id());
    let (url, server) = closed_loop::create_database(admin, &name).await;
    (Store::connect(&url).await.unwrap(), Some((server, name)))
}

async fn run(clients: usize, postgres: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let (store, made) = fresh_store(dir.path(), postgres, clients).await;
    let inspection = store.import_ledger(&closed_loop::ledger(MEASURES)).await.unwrap();
    let grant = RoleGrant { inspection_id: Some(inspection), ..RoleGrant::everywhere(Role::UnitLiaison) };
    create_user(&store, "bench", "基准联络员", DEMO_PASSWORD, vec![grant], false, &rectify_auth::SystemClock)
        .await
        .unwrap();
    let app = router(AppState::new(store.clone()).with_evidence_dir(dir.path().join("evidence")));
    let (cookie, csrf) = sign_in(&app, "bench").await;
    let measures: Vec<i64> = store.list_measures(inspection, None).await.unwrap().iter().map(|m| m.id).collect();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for own in measures.chunks(MEASURES / clients) {
        let (app, cookie, csrf, own) = (app.clone(), cookie.clone(), csrf.clone(), own.to_vec());
        tasks.push(tokio::spawn(async move {
            let mut versions = vec![0; own.len()];
            let mut latencies = Vec::with_capacity(updates() / clients);
            for i in 0..updates() / clients {
                let k = i % own.len();
                let (measure, version) = (own[k], versions[k]);
                let t = Instant::now();
                let response =
                    app.clone().oneshot(progress_request(measure, version, i, &cookie, &csrf)).await.unwrap();
                let status = response.status();
                let body = response.into_body().collect().await.unwrap().to_bytes();
                latencies.push(t.elapsed());
                assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
                let view: serde_json::Value = serde_json::from_slice(&body).unwrap();
                versions[k] = view["version"].as_i64().unwrap();
            }
            latencies
        }));
    }
    let backend = if postgres.is_some() { "HTTP stack, PostgreSQL" } else { "HTTP stack, SQLite" };
    closed_loop::report(backend, "client(s)", clients, started, tasks).await;
    // One audit entry per update, besides the import, the account and the sign-in.
    let entries = store.verify_audit().await.unwrap().entries as usize;
    assert!(entries > updates(), "{entries} audit entries");
    store.close().await;
    if let Some((mut server, name)) = made {
        closed_loop::drop_database(&mut server, &name).await;
    }
}

fn main() {
    // `cargo test --benches` runs bench binaries without `--bench`: do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let postgres = std::env::var("RECTIFY_TEST_POSTGRES_URL").ok().filter(|url| !url.is_empty());
    rt.block_on(async {
        run(1, None).await;
        run(CLIENTS, None).await;
        if let Some(postgres) = postgres.as_deref() {
            run(1, Some(postgres)).await;
            run(CLIENTS, Some(postgres)).await;
        }
    });
}
