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
        // The imports filled the round's on-site dates from the ledgers.
        let on_site = ledger("x", "y").inspection.start.unwrap().to_chinese();
        assert!(md.contains(&format!("区委第五轮巡察于{on_site}至")), "{md}");
        assert!(md.contains("共对2家单位开展巡察"), "{md}");
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
        let version = get(&w.app, &format!("/api/rounds/{}", w.sixth)).await.json()["version"].clone();
        let renamed = json_call(
            &w,
            "PATCH",
            &format!("/api/rounds/{}", w.sixth),
            json!({"version": version, "name": "  区委第六轮巡察（补充） "}),
        )
        .await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text());
        assert_eq!(renamed.json()["name"], "区委第六轮巡察（补充）");
        let exported = w.store.export_ledger(w.units[2]).await.unwrap();
        assert_eq!(
            exported.inspection.round.as_deref(),
            Some("区委第六轮巡察（补充）"),
            "the ledger follows its round"
        );
        let version = renamed.json()["version"].clone();
        for bad in [
            json!({"version": version, "name": "   "}),
            json!({"version": version, "name": "轮".repeat(201)}),
            json!({"version": version, "name": "区委第五轮巡察"}),
            json!({"name": "无版本号"}),
        ] {
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
        for action in ["round.update", "inspection.move_round", "round.merge"] {
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
            .body(Body::from(json!({"version": 0, "name": "别的名字"}).to_string()))
            .unwrap();
        assert_eq!(send(&app, request).await.status, StatusCode::FORBIDDEN);
        w.store.close().await;
    })
    .await;
}

/// The round's record over the API and the form: committee, dates and groups checked, the
/// version guarding against a stale edit, audited, shown on the round page and in the opening
/// sentence of the aggregate report.
#[tokio::test]
async fn the_office_keeps_the_round_record_with_versions_checks_and_audit() {
    each_backend(async |w: World| {
        let uri = format!("/api/rounds/{}", w.fifth);
        // The imports filled what the demo ledger names: its group and its dates.
        let r = get(&w.app, &uri).await.json();
        assert_eq!(r["name"], "区委第五轮巡察");
        assert_eq!(r["inspections"], 2);
        let demo = ledger("x", "y").inspection;
        let text = |d: Option<rectify_domain::PartialDate>| json!(d.unwrap().to_string());
        assert_eq!((&r["start"], &r["end"]), (&text(demo.start), &text(demo.end)), "{r}");
        assert_eq!(r["feedback_date"], text(demo.feedback_date));
        assert_eq!(r["committee"], Value::Null);
        assert_eq!(r["groups"][0]["name"], "区委第三巡察组");
        let members: Vec<i64> =
            r["groups"][0]["units"].as_array().unwrap().iter().map(|u| u["inspection_id"].as_i64().unwrap()).collect();
        assert_eq!(members, [w.units[0], w.units[1]]);
        assert_eq!(r["groups"][0]["units"][0]["unit"], "甲局党组");
        let version = r["version"].as_i64().unwrap();

        let change = json!({
            "version": version,
            "committee": " 区委巡察工作领导小组 ",
            "start": "2023-09-12",
            "end": "2023-11-17",
            "feedback_date": "2024-01-16",
            "groups": [
                {"name": "区委第三巡察组", "leader": "张某某", "units": [w.units[0]]},
                {"name": "区委第四巡察组", "units": [w.units[1]]}
            ]
        });
        let changed = json_call(&w, "PATCH", &uri, change.clone()).await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
        let c = changed.json();
        assert_eq!(c["version"], version + 1);
        assert_eq!(c["committee"], "区委巡察工作领导小组");
        assert_eq!(
            (c["start"].as_str(), c["end"].as_str()),
            (Some("2023-09-12"), Some("2023-11-17")),
            "left-out fields stay"
        );
        assert_eq!(c["groups"][1]["units"][0]["unit"], "乙局党组");
        assert_eq!(c["groups"][0]["leader"], "张某某");

        // The same change again is stale: 409 with the current version, nothing changed.
        let stale = json_call(&w, "PATCH", &uri, change).await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text());
        assert_eq!(stale.json()["current_version"], version + 1);

        let v = version + 1;
        // A field left out stays as it is.
        let kept = json_call(&w, "PATCH", &uri, json!({"version": v, "feedback_date": null})).await.json();
        assert_eq!(kept["feedback_date"], Value::Null, "null clears");
        assert_eq!((&kept["start"], kept["groups"].as_array().unwrap().len()), (&json!("2023-09-12"), 2), "{kept}");
        let v = v + 1;
        for (bad, says) in [
            (json!({"version": v, "start": "2023-12-01"}), "不能晚于"),
            (json!({"version": v, "feedback_date": "2023-10"}), "不能晚于"),
            (json!({"version": v, "end": "2023-13-01"}), "格式不正确"),
            (json!({"version": v, "committee": "委".repeat(201)}), "最多200字"),
            (json!({"version": v, "groups": [{"name": "  "}]}), "巡察组名称不能为空"),
            (json!({"version": v, "groups": [{"name": "甲"}, {"name": "甲"}]}), "重复"),
            (json!({"version": v, "groups": [{"name": "甲", "units": [w.units[2]]}]}), "不属于本轮次"),
            (json!({"version": v, "groups": [{"name": "甲", "leader": "组".repeat(201)}]}), "巡察组组长过长"),
        ] {
            let a = json_call(&w, "PATCH", &uri, bad.clone()).await;
            assert!(a.status.is_client_error(), "{bad}: {}", a.text());
            let message = a.json()["message_zh"].as_str().unwrap_or_default().to_owned();
            assert!(message.contains(says), "{bad}: {message}");
        }
        assert_eq!(get(&w.app, &uri).await.json()["version"], v, "nothing stored by a refusal");
        assert_eq!(get(&w.app, "/api/rounds/99999").await.status, StatusCode::NOT_FOUND);

        // The round page shows it; the form saves it; a stale form is refused.
        let page = get(&w.app, &format!("/rounds/{}", w.fifth)).await.text();
        assert!(
            page.contains("区委巡察工作领导小组") && page.contains("区委第三巡察组（组长：张某某）：甲局党组"),
            "{page}"
        );
        let form = get(&w.app, &format!("/rounds/{}/edit", w.fifth)).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.text().contains(&format!("name=\"version\" value=\"{v}\"")), "{}", form.text());
        let body = format!(
            "csrf_token={}&version={v}&name=%E5%8C%BA%E5%A7%94%E7%AC%AC%E4%BA%94%E8%BD%AE%E5%B7%A1%E5%AF%9F\
             &committee=%E5%8C%BA%E5%A7%94&start=2023-09-11&end=2023-11-17&feedback_date=2024-01-16\
             &group0_name=%E7%AC%AC%E4%B8%80%E7%BB%84&group0_leader=&group0_unit={}&group0_unit={}\
             &group1_name=&group1_leader=",
            w.csrf, w.units[0], w.units[1]
        );
        let post = |body: String| {
            Request::post(format!("/rounds/{}/edit", w.fifth))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap()
        };
        let saved = send(&w.app, post(body.clone())).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
        let r = get(&w.app, &uri).await.json();
        assert_eq!(r["committee"], "区委");
        assert_eq!(r["groups"].as_array().unwrap().len(), 1, "the blank row is not a group: {r}");
        assert_eq!(r["groups"][0]["units"].as_array().unwrap().len(), 2);
        assert_eq!(r["groups"][0]["leader"], Value::Null);
        assert!(send(&w.app, post(body)).await.status.is_client_error(), "the same form again is stale");

        // The report opens with the committee and the dates.
        let md = get(&w.app, &format!("/rounds/{}/report?format=md", w.fifth)).await.text();
        assert!(
            md.contains(
                "根据区委统一部署，区委第五轮巡察于2023年9月11日至11月17日共对2家单位开展巡察，2024年1月16日反馈问题"
            ),
            "{md}"
        );

        let entries = w.store.list_audit(&AuditFilter::default(), Page { offset: 0, limit: 100 }).await.unwrap();
        assert_eq!(entries.iter().filter(|e| e.action == "round.update").count(), 3, "one entry per saved change");
        w.store.close().await;
    })
    .await;
}
