//! 举一反三 from common problems, on SQLite and (when configured) PostgreSQL: the office sends a
//! cluster of a round to every unit of the round; each ledger gets the task at once in its
//! aspect 举一反三, audited; sending again adds nothing; the confirm step counts the units.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::NaiveDate;
use common::{Answer, send, urlencode};
use rectify_domain::roles::Role;
use rectify_domain::{Ledger, NonEmptyText};
use rectify_server::AppState;
use rectify_server::demo::demo_ledger;
use rectify_storage::{AuditFilter, AuditKeys, ConnectOptions, Page, RoleGrant, Store};
use serde_json::{Value, json};
use sqlx::Connection;

async fn stores(dir: &std::path::Path) -> Vec<Store> {
    let mut out = vec![Store::connect(&format!("sqlite:{}", dir.join("c.sqlite").display())).await.unwrap()];
    if let Some(admin) = std::env::var("RECTIFY_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()) {
        let name = format!("t_cascade_{}", std::process::id());
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

/// A ledger of `unit` in `round` with one aspect whose problems are titled `titles`.
fn ledger(unit: &str, round: &str, titles: &[&str]) -> Ledger {
    let mut l = demo_ledger(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
    l.unit = Some(unit.to_owned());
    l.inspection.round = Some(round.to_owned());
    l.outcomes = Default::default();
    let template = l.aspects[0].problems[0].clone();
    l.aspects.truncate(1);
    l.aspects[0].problems = titles
        .iter()
        .map(|t| rectify_domain::Problem { title: NonEmptyText::new(*t).unwrap(), ..template.clone() })
        .collect();
    l
}

async fn get(app: &Router, uri: &str) -> Answer {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

async fn post(app: &Router, csrf: &str, uri: &str, content_type: &str, body: String) -> Answer {
    let request = Request::post(uri)
        .header(header::CONTENT_TYPE, content_type)
        .header("x-csrf-token", csrf)
        .body(Body::from(body))
        .unwrap();
    send(app, request).await
}

/// The number of problems in each aspect titled 举一反三 of an inspection.
async fn task_aspects(store: &Store, inspection: i64) -> Vec<u32> {
    store
        .list_aspects(inspection)
        .await
        .unwrap()
        .iter()
        .filter(|a| a.title.as_deref() == Some("举一反三"))
        .map(|a| a.problems)
        .collect()
}

const SHARED: &str = "三重一大决策制度执行不到位";

#[tokio::test]
async fn a_cluster_goes_to_every_unit_of_the_round_once_audited() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(dir.path()).await {
        let round = "区委第七轮巡察";
        let a = store.import_ledger(&ledger("甲局党组", round, &[SHARED, "意识形态工作责任制落实不力"])).await.unwrap();
        let b = store.import_ledger(&ledger("乙局党组", round, &[SHARED, "违规发放津贴补贴"])).await.unwrap();
        // 丙 does not share the problem, yet is a unit of the round: it gets the task too.
        let c = store.import_ledger(&ledger("丙局党组", round, &["基层党组织建设薄弱"])).await.unwrap();
        // Another round's unit is left alone.
        let other = store.import_ledger(&ledger("丁局党组", "区委第八轮巡察", &[SHARED])).await.unwrap();
        let (rounds, _) = store.list_rounds(Page { offset: 0, limit: 50 }).await.unwrap();
        let id = rounds.iter().find(|r| r.name == round).unwrap().id;
        let clock = rectify_auth::SystemClock;
        common::account(&store, "office", RoleGrant::everywhere(Role::InspectionOffice), &clock).await;
        let app = rectify_server::router(AppState::new(store.clone()));
        let s = common::signed(&app, "office", None).await;
        let app = common::with_cookie(app, s.cookie.clone());

        // The list links each cluster to its confirm step, which counts the units.
        let list = get(&app, &format!("/rounds/{id}/common-problems")).await.text();
        assert!(list.contains(&format!("/rounds/{id}/common-problems/cascade?title=")), "{list}");
        let confirm = get(&app, &format!("/rounds/{id}/common-problems/cascade?title={}", urlencode(SHARED))).await;
        assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.text());
        let html = confirm.text();
        assert!(
            html.contains("确认下发至 3 家单位") && html.contains("丙局党组") && !html.contains("丁局党组"),
            "{html}"
        );
        assert!(task_aspects(&store, a).await.is_empty(), "nothing is written before the office confirms");

        // The browser's send.
        let form = format!("title={}&threshold=0.5&csrf_token={}", urlencode(SHARED), s.csrf);
        let sent = post(
            &app,
            &s.csrf,
            &format!("/rounds/{id}/common-problems/cascade"),
            "application/x-www-form-urlencoded",
            form,
        )
        .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.text());
        let html = sent.text();
        assert!(html.contains("已下发 3 家单位") && html.contains("均已收到该任务"), "{html}");
        for unit in [a, b, c] {
            assert_eq!(task_aspects(&store, unit).await, vec![1], "unit {unit} holds the task once");
        }
        assert!(task_aspects(&store, other).await.is_empty());
        let exported = store.export_ledger(c).await.unwrap();
        let task = exported.aspects.iter().find(|x| x.title.as_deref() == Some("举一反三")).unwrap();
        assert_eq!(task.problems[0].title.as_str(), SHARED);
        let note = task.problems[0].description.clone().unwrap_or_default();
        assert!(note.contains(round) && note.contains("2家单位"), "{note}");

        // Sending again over the API adds nothing.
        let again = post(
            &app,
            &s.csrf,
            &format!("/api/rounds/{id}/common-problems/cascade"),
            "application/json",
            json!({"title": SHARED}).to_string(),
        )
        .await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.text());
        assert_eq!(again.json(), json!({"title": SHARED, "units": 3, "sent": 0, "already": 3}));
        for unit in [a, b, c] {
            assert_eq!(task_aspects(&store, unit).await, vec![1]);
        }

        // A unit that had lost the task (here: a new unit of the round) gets it on the next send,
        // in the aspect created for it.
        let e = store.import_ledger(&ledger("戊局党组", round, &["财务管理不规范"])).await.unwrap();
        let third: Value = post(
            &app,
            &s.csrf,
            &format!("/api/rounds/{id}/common-problems/cascade"),
            "application/json",
            json!({"title": SHARED, "threshold": 0.5}).to_string(),
        )
        .await
        .json();
        assert_eq!(
            (third["units"].as_u64(), third["sent"].as_u64(), third["already"].as_u64()),
            (Some(4), Some(1), Some(3)),
            "{third}"
        );
        assert_eq!(task_aspects(&store, e).await, vec![1]);

        let entries = store.list_audit(&AuditFilter::default(), Page { offset: 0, limit: 200 }).await.unwrap();
        let created = |action: &str| entries.iter().filter(|x| x.action == action && x.actor_name == "office").count();
        assert_eq!((created("aspect.create"), created("problem.create")), (4, 4));

        // A title that is no cluster of the round, a bad threshold, an unknown round.
        let none = post(
            &app,
            &s.csrf,
            &format!("/api/rounds/{id}/common-problems/cascade"),
            "application/json",
            json!({"title": "基层党组织建设薄弱"}).to_string(),
        )
        .await;
        assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", none.text());
        assert!(none.json()["message_zh"].as_str().unwrap_or_default().contains("没有这一共性问题"));
        let bad = post(
            &app,
            &s.csrf,
            &format!("/api/rounds/{id}/common-problems/cascade"),
            "application/json",
            json!({"title": SHARED, "threshold": 3}).to_string(),
        )
        .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        let missing = post(
            &app,
            &s.csrf,
            "/api/rounds/999999/common-problems/cascade",
            "application/json",
            json!({"title": SHARED}).to_string(),
        )
        .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
    }
}
