//! Several app servers on one database, as a province deploys them behind a proxy: a session
//! signed in on one is valid on the other, signing out on one ends it on both, and a write
//! through one is seen on the next request to the other — also where the other remembers a
//! read (the list of inspections by the catalog version, a unit's lists by its version).
//!
//! SQLite always (two stores on one file, as two processes on one machine would open it);
//! PostgreSQL when `RECTIFY_TEST_POSTGRES_URL` names an admin connection (see
//! `scripts/with-postgres.sh`): a fresh database of its own, dropped at the end.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::NaiveDate;
use common::{Signed, send};
use rectify_domain::roles::Role;
use rectify_domain::workflow::MeasureState;
use rectify_server::demo::demo_ledger;
use rectify_server::{AppState, router};
use rectify_storage::{AuditKeys, ConnectOptions, RoleGrant, Store};
use sqlx::{AssertSqlSafe, Connection};

mod common;

/// One database and what is needed to open it again, and to drop it (PostgreSQL).
struct Database {
    url: String,
    keys: PathBuf,
    drop_after: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl Database {
    fn sqlite() -> Database {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("rectify.db").display());
        Database { url, keys: dir.path().join("audit-keys"), drop_after: None, _dir: dir }
    }

    async fn postgres() -> Option<Database> {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let admin = std::env::var("RECTIFY_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty())?;
        let name = format!("cluster_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
        let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
        let (base, _) = admin.rsplit_once('/').expect("the admin URL ends in /DATABASE");
        let dir = tempfile::tempdir().unwrap();
        Some(Database {
            url: format!("{base}/{name}"),
            keys: dir.path().join("audit-keys"),
            drop_after: Some((admin, name)),
            _dir: dir,
        })
    }

    /// A store of its own on the database, as one server process holds it (own pool, own
    /// remembered reads); every server shares the audit key ring.
    async fn server_store(&self) -> Store {
        let options = ConnectOptions {
            audit_keys: AuditKeys::File(self.keys.clone()),
            data_keys: rectify_storage::DataKeys::File(self.keys.with_file_name("data-keys")),
        };
        Store::connect_with(&self.url, options).await.unwrap()
    }

    async fn finish(self) {
        if let Some((admin, name)) = self.drop_after {
            let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
            sqlx::raw_sql(AssertSqlSafe(format!("DROP DATABASE {name} WITH (FORCE)")))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }
}

async fn get(app: &Router, who: &Signed, uri: &str) -> common::Answer {
    send(app, Request::get(uri).header(header::COOKIE, &who.cookie).body(Body::empty()).unwrap()).await
}

/// A progress entry through the API (multipart, as the browser sends it).
async fn progress(app: &Router, who: &Signed, measure: i64, version: i64, text: &str) -> common::Answer {
    let boundary = "----clusterboundary";
    let mut body = String::new();
    for (name, value) in [("version", version.to_string()), ("text", text.to_owned())] {
        body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    let request = Request::post(format!("/api/measures/{measure}/progress"))
        .header(header::COOKIE, &who.cookie)
        .header("x-csrf-token", &who.csrf)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .unwrap();
    send(app, request).await
}

async fn two_servers_answer_the_same_users(db: &Database) {
    let first = db.server_store().await;
    let second = db.server_store().await;
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let inspection = first.import_ledger(&demo_ledger(today)).await.unwrap();
    let clock = rectify_auth::SystemClock;
    common::account(&first, "office", RoleGrant::everywhere(Role::InspectionOffice), &clock).await;
    let liaison = RoleGrant { inspection_id: Some(inspection), ..RoleGrant::everywhere(Role::UnitLiaison) };
    common::account(&first, "liaison", liaison, &clock).await;
    // Each server takes the form key the database holds, as `serve` does at start.
    let mut state_a = AppState::new(first.clone()).with_today(today);
    state_a.load_shared_form_key().await.unwrap();
    let mut state_b = AppState::new(second.clone()).with_today(today);
    state_b.load_shared_form_key().await.unwrap();
    let a = router(state_a);
    let b = router(state_b);

    // The sign-in form served by A signs in on B (no session yet: the token is the shared key's).
    let (cookie, token) = common::anonymous_form(&a).await;
    let login = Request::post("/login")
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("csrf_token={token}&username=office&password=Demo%23Zhenggai2024")))
        .unwrap();
    let signed_in = send(&b, login).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "A's form on B: {}", signed_in.text());

    // Signed in on A, the session is valid on B.
    let office = common::signed(&a, "office", None).await;
    let list = get(&b, &office, "/api/inspections").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text());
    assert_eq!(list.json()["total"], 1);

    // B now remembers the list of inspections; a unit imported through A's store raises the
    // catalog version, and B's next request shows it.
    let mut other = demo_ledger(today);
    other.unit = Some("另一单位党委".into());
    first.import_ledger(&other).await.unwrap();
    let list = get(&b, &office, "/api/inspections").await.json();
    assert_eq!(list["total"], 2, "{list}");

    // B remembers a measure's lists; a progress entry through A is on B's next answer.
    let measures = get(&b, &office, &format!("/api/inspections/{inspection}/measures?limit=500")).await.json();
    let mut open = None;
    for id in measures["items"].as_array().unwrap().iter().filter_map(|m| m["id"].as_i64()) {
        let state = first.measure_workflow(id).await.unwrap().unwrap().state;
        if matches!(state, MeasureState::NotStarted | MeasureState::InProgress) {
            open = Some(id);
            break;
        }
    }
    let measure = open.expect("the demo has a measure still being worked");
    let before = get(&b, &office, &format!("/api/measures/{measure}")).await.json();
    let entries = before["measure"]["progress"].as_array().map_or(0, Vec::len);
    let version = first.measure_workflow(measure).await.unwrap().unwrap().version;
    let liaison = common::signed(&b, "liaison", None).await;
    let written = progress(&a, &liaison, measure, version, "两台服务器共用一个数据库的进展").await;
    assert_eq!(written.status, StatusCode::OK, "{}", written.text());
    let after = get(&b, &office, &format!("/api/measures/{measure}")).await.json();
    let texts: Vec<&str> =
        after["measure"]["progress"].as_array().unwrap().iter().filter_map(|p| p["text"].as_str()).collect();
    assert_eq!(texts.len(), entries + 1, "{after}");
    assert!(texts.contains(&"两台服务器共用一个数据库的进展"), "{texts:?}");
    let page = get(&b, &office, &format!("/measures/{measure}")).await.text();
    assert!(page.contains("两台服务器共用一个数据库的进展"), "the page of B shows the entry written through A");

    // Signed out on B, the session is gone on A too.
    let out = send(
        &b,
        Request::delete("/api/session")
            .header(header::COOKIE, &office.cookie)
            .header("x-csrf-token", &office.csrf)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(out.status.is_success(), "{} {}", out.status, out.text());
    assert_eq!(get(&a, &office, "/api/inspections").await.status, StatusCode::UNAUTHORIZED);

    first.close().await;
    second.close().await;
}

#[tokio::test]
async fn two_servers_on_one_sqlite_file() {
    let db = Database::sqlite();
    two_servers_answer_the_same_users(&db).await;
    db.finish().await;
}

#[tokio::test]
async fn two_servers_on_one_postgresql() {
    let Some(db) = Database::postgres().await else { return };
    two_servers_answer_the_same_users(&db).await;
    db.finish().await;
}
