//! The inspection office's rounds through the router, on SQLite and (when configured)
//! PostgreSQL: the overview's filters and export, the aggregate report's download, and renaming,
//! merging and moving — each validated and audited, and refused to everyone but the office.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::NaiveDate;
use common::{Answer, send};
use rectify_domain::Ledger;
use rectify_domain::roles::Role;
use rectify_server::AppState;
use rectify_server::demo::demo_ledger;
use rectify_storage::{AuditFilter, AuditKeys, ConnectOptions, Page, RoleGrant, Store};
use serde_json::{Value, json};
use sqlx::Connection;

struct World {
    app: Router,
    store: Store,
    /// The rounds 区委第五轮巡察 (two units) and 第六轮 (one unit).
    fifth: i64,
    sixth: i64,
    units: [i64; 3],
    csrf: String,
    _dir: tempfile::TempDir,
}

async fn stores(dir: &std::path::Path) -> Vec<Store> {
    let mut out = vec![Store::connect(&format!("sqlite:{}", dir.join("r.sqlite").display())).await.unwrap()];
    if let Some(admin) = std::env::var("RECTIFY_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()) {
        let name = format!("t_rounds_{}_{}", std::process::id(), out.len());
        let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
        let (base, _) = admin.rsplit_once('/').unwrap();
        let options = ConnectOptions {
            audit_keys: AuditKeys::File(dir.join("pg-audit-keys")),
            data_keys: rectify_storage::DataKeys::File(dir.join("pg-data-keys")),
        };
        out.push(Store::connect_with(&format!("{base}/{name}"), options).await.unwrap());
    }
    out
}

fn ledger(round: &str, unit: &str) -> Ledger {
    let mut l = demo_ledger(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
    l.unit = Some(unit.into());
    l.inspection.round = Some(round.into());
    l
}

async fn world(store: Store, dir: tempfile::TempDir) -> World {
    let a = store.import_ledger(&ledger("区委第五轮巡察", "甲局党组")).await.unwrap();
    let b = store.import_ledger(&ledger("区委第五轮巡察", "乙局党组")).await.unwrap();
    let c = store.import_ledger(&ledger("区委第六轮巡察", "丙局党组")).await.unwrap();
    let (rounds, _) = store.list_rounds(Page { offset: 0, limit: 50 }).await.unwrap();
    let id = |n: &str| rounds.iter().find(|r| r.name == n).unwrap().id;
    let clock = rectify_auth::SystemClock;
    common::account(&store, "office", RoleGrant::everywhere(Role::InspectionOffice), &clock).await;
    common::account(&store, "group", RoleGrant::everywhere(Role::LeadingGroup), &clock).await;
    let app = rectify_server::router(AppState::new(store.clone()));
    let s = common::signed(&app, "office", None).await;
    let app = common::with_cookie(app, s.cookie.clone());
    World {
        app,
        store,
        fifth: id("区委第五轮巡察"),
        sixth: id("区委第六轮巡察"),
        units: [a, b, c],
        csrf: s.csrf,
        _dir: dir,
    }
}

async fn get(app: &Router, uri: &str) -> Answer {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

async fn json_call(w: &World, method: &str, uri: &str, body: Value) -> Answer {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-csrf-token", &w.csrf)
        .body(Body::from(body.to_string()))
        .unwrap();
    send(&w.app, request).await
}

async fn each_backend(test: impl AsyncFn(World)) {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(dir.path()).await {
        let dir = tempfile::tempdir().unwrap();
        test(world(store, dir).await).await;
    }
}

#[tokio::test]
async fn the_overview_filters_and_exports_exactly_what_it_shows() {
    each_backend(async |w: World| {
        let all = get(&w.app, &format!("/api/rounds/{}/overview", w.fifth)).await.json();
        assert_eq!(all["units"].as_array().unwrap().len(), 2);
        for key in [
            "inspection_id",
            "unit",
            "problems",
            "closed",
            "completion_rate_percent",
            "overdue_measures",
            "red",
            "yellow",
            "awaiting_verification",
        ] {
            assert!(all["units"][0].get(key).is_some(), "{key}");
        }
        let one = get(&w.app, &format!("/api/rounds/{}/overview?q=%E4%B9%99", w.fifth)).await.json();
        assert_eq!(one["units"].as_array().unwrap().len(), 1, "{one}");
        assert_eq!(one["units"][0]["unit"], "乙局党组");
        assert_eq!(one["totals"]["units"], 1);
        let by_name = get(&w.app, &format!("/api/rounds/{}/overview?sort=unit&dir=desc", w.fifth)).await.json();
        let names: Vec<&str> =
            by_name["units"].as_array().unwrap().iter().map(|u| u["unit"].as_str().unwrap()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(names, sorted);
        let bad = get(&w.app, &format!("/api/rounds/{}/overview?only=green", w.fifth)).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text());

        let page = get(&w.app, &format!("/rounds/{}?q=%E4%B9%99", w.fifth)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("乙局党组") && !page.text().contains(">甲局党组<"), "filtered page");
        assert!(page.text().contains("overview.xlsx?q=%E4%B9%99"), "the export keeps the filter");
        let print = get(&w.app, &format!("/rounds/{}?print=1", w.fifth)).await.text();
        assert!(print.contains("甲局党组") && !print.contains("<nav"), "print view without navigation");

        let xlsx = get(&w.app, &format!("/rounds/{}/overview.xlsx?q=%E4%B9%99", w.fifth)).await;
        assert_eq!(xlsx.status, StatusCode::OK);
        assert!(xlsx.headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment"));
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.body.clone())).unwrap();
        let rows: Vec<Vec<calamine::Data>> =
            book.worksheet_range("整改进展总览").unwrap().rows().map(|r| r.to_vec()).collect();
        assert_eq!(rows.len(), 2, "the header and the one unit shown");
        assert_eq!(rows[1][0], calamine::Data::String("乙局党组".into()));
        w.store.close().await;
    })
    .await;
}

#[tokio::test]
async fn the_aggregate_report_downloads_in_every_format() {
    each_backend(async |w: World| {
        for (format, magic) in
            [("docx", &b"PK"[..]), ("xlsx", &b"PK"[..]), ("html", &b"<!DOCTYPE"[..]), ("md", &b"#"[..])]
        {
            let a = get(&w.app, &format!("/rounds/{}/report?format={format}", w.fifth)).await;
            assert_eq!(a.status, StatusCode::OK, "{format}: {}", a.text());
            assert!(a.body.starts_with(magic), "{format}");
            let disposition = a.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
            assert!(disposition.contains(&format!("round-report.{format}")), "{disposition}");
        }
        let md = get(&w.app, &format!("/rounds/{}/report?format=md", w.fifth)).await.text();
        assert!(md.starts_with("# 关于区委第五轮巡察整改情况的报告"), "{md}");
        assert!(md.contains("区委第五轮巡察共对2家单位开展巡察"), "{md}");
        assert_eq!(
            get(&w.app, &format!("/rounds/{}/report?format=pdf", w.fifth)).await.status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(get(&w.app, "/rounds/99999/report?format=md").await.status, StatusCode::NOT_FOUND);
        w.store.close().await;
    })
    .await;
}

#[tokio::test]
async fn the_office_renames_merges_and_moves_with_audit_and_checks() {
    each_backend(async |w: World| {
        let renamed =
            json_call(&w, "PATCH", &format!("/api/rounds/{}", w.sixth), json!({"name": "  区委第六轮巡察（补充） "}))
                .await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text());
        assert_eq!(renamed.json()["name"], "区委第六轮巡察（补充）");
        let exported = w.store.export_ledger(w.units[2]).await.unwrap();
        assert_eq!(
            exported.inspection.round.as_deref(),
            Some("区委第六轮巡察（补充）"),
            "the ledger follows its round"
        );
        for bad in [json!({"name": "   "}), json!({"name": "轮".repeat(201)}), json!({"name": "区委第五轮巡察"})]
        {
            let a = json_call(&w, "PATCH", &format!("/api/rounds/{}", w.sixth), bad.clone()).await;
            assert!(a.status.is_client_error(), "{bad}: {}", a.text());
            assert!(a.json()["message_zh"].as_str().is_some_and(|m| !m.is_empty()), "{}", a.text());
        }
        let itself = json_call(&w, "POST", &format!("/api/rounds/{}/merge", w.fifth), json!({"into": w.fifth})).await;
        assert!(itself.status.is_client_error(), "{}", itself.text());
        assert_eq!(
            json_call(&w, "POST", &format!("/api/rounds/{}/merge", w.fifth), json!({"into": 99999})).await.status,
            StatusCode::NOT_FOUND
        );

        let moved =
            json_call(&w, "PUT", &format!("/api/inspections/{}/round", w.units[0]), json!({"round_id": w.sixth})).await;
        assert_eq!(moved.status, StatusCode::OK, "{}", moved.text());
        assert_eq!(w.store.round(w.sixth).await.unwrap().unwrap().inspections, 2);

        let merged = json_call(&w, "POST", &format!("/api/rounds/{}/merge", w.fifth), json!({"into": w.sixth})).await;
        assert_eq!(merged.status, StatusCode::OK, "{}", merged.text());
        assert_eq!(merged.json()["moved"], 1);
        assert!(w.store.round(w.fifth).await.unwrap().is_none(), "the emptied round is removed");
        assert_eq!(w.store.round(w.sixth).await.unwrap().unwrap().inspections, 3);

        let entries = w.store.list_audit(&AuditFilter::default(), Page { offset: 0, limit: 100 }).await.unwrap();
        for action in ["round.rename", "inspection.move_round", "round.merge"] {
            assert!(entries.iter().any(|e| e.action == action), "{action} audited");
        }

        // Anyone but the office is refused.
        let app = rectify_server::router(AppState::new(w.store.clone()));
        let group = common::signed(&app, "group", None).await;
        let request = Request::builder()
            .method("PATCH")
            .uri(format!("/api/rounds/{}", w.sixth))
            .header(header::COOKIE, &group.cookie)
            .header("x-csrf-token", &group.csrf)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"name": "别的名字"}).to_string()))
            .unwrap();
        assert_eq!(send(&app, request).await.status, StatusCode::FORBIDDEN);
        w.store.close().await;
    })
    .await;
}
