//! The ledger exported as filtered (the page's filters carried into the export link) and the
//! print views of the ledger and the dashboard, on SQLite and PostgreSQL.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Signed, send};
use rectify_auth::Clock;
use rectify_server::demo::demo_ledger;
use rectify_server::{AppState, router, seed_demo_users};
use rectify_storage::{AuditFilter, Page, Store};
use rectify_workbook::{ImportOptions, read_ledger_xlsx};

async fn get(app: &Router, who: &Signed, uri: &str) -> common::Answer {
    send(app, Request::get(uri).header(header::COOKIE, &who.cookie).body(Body::empty()).unwrap()).await
}

async fn app_on(store: &Store) -> (Router, i64) {
    let clock = common::clock();
    let inspection = store.import_ledger(&demo_ledger(clock.now().date_naive())).await.unwrap();
    seed_demo_users(store, inspection, clock.as_ref()).await.unwrap();
    (router(AppState::new(store.clone()).with_clock(clock)), inspection)
}

/// (problems, measures) of an exported workbook, read back.
fn counts(bytes: &[u8]) -> (usize, usize) {
    let ledger = read_ledger_xlsx(bytes, &ImportOptions::default()).expect("the export reads back").ledger;
    let problems: Vec<_> = ledger.problems().collect();
    (problems.len(), problems.iter().map(|p| p.measures.len()).sum())
}

#[tokio::test]
async fn the_export_link_carries_the_filters_and_exports_only_the_rows_shown() {
    for (backend, store, _dir) in common::backends().await {
        let (app, id) = app_on(&store).await;
        let office = common::signed(&app, "office", None).await;
        let api = get(&app, &office, &format!("/api/inspections/{id}/supervision")).await.json();
        let flagged = api["measures"].as_array().unwrap();
        let red_measures = flagged.iter().filter(|m| m["light"] == "red").count();
        let mut red_problems: Vec<i64> =
            flagged.iter().filter(|m| m["light"] == "red").map(|m| m["problem_id"].as_i64().unwrap()).collect();
        red_problems.dedup();
        assert!(red_measures > 0, "{backend}: the demo has overdue measures");

        let page = get(&app, &office, &format!("/inspections/{id}/ledger?light=red")).await.text();
        assert!(
            page.contains(&format!("href=\"/inspections/{id}/export/ledger.xlsx?light=red\"")),
            "{backend}: {page}"
        );
        assert!(page.contains("下载筛选结果（Excel）"), "{backend}");
        let unfiltered = get(&app, &office, &format!("/inspections/{id}/ledger")).await.text();
        assert!(unfiltered.contains(&format!("href=\"/inspections/{id}/export/ledger.xlsx\"")), "{backend}");

        // Without a filter, the whole ledger (with its outcomes sheet) is exported.
        let whole = get(&app, &office, &format!("/inspections/{id}/export/ledger.xlsx")).await;
        assert_eq!(whole.status, StatusCode::OK, "{backend}: {}", whole.text());
        let red = get(&app, &office, &format!("/inspections/{id}/export/ledger.xlsx?light=red")).await;
        assert_eq!(red.status, StatusCode::OK, "{backend}: {}", red.text());
        let (all_p, all_m) =
            (store.list_problems(id).await.unwrap().len(), store.list_measures(id, None).await.unwrap().len());
        let (red_p, red_m) = counts(&red.body);
        assert_eq!(red_m, red_measures, "{backend}: only the red measures");
        assert!(red_p < all_p && red_m < all_m, "{backend}: {red_p}/{all_p} problems, {red_m}/{all_m} measures");
        let mut distinct = red_problems.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(red_p, distinct.len(), "{backend}: the problems of the red measures");

        // A filter that matches nothing gives an empty, still readable workbook.
        let none = get(
            &app,
            &office,
            &format!("/inspections/{id}/export/ledger.xlsx?q=%E4%B8%8D%E5%AD%98%E5%9C%A8%E7%9A%84%E8%AF%8Dxyz"),
        )
        .await;
        assert_eq!(none.status, StatusCode::OK, "{backend}");
        assert_eq!(counts(&none.body), (0, 0), "{backend}");

        let filter = AuditFilter { action: Some("export.ledger.xlsx".into()), ..AuditFilter::default() };
        let audit = store.list_audit(&filter, Page::default()).await.unwrap();
        assert_eq!(audit.len(), 3, "{backend}: every export audited");
        assert!(
            audit.iter().any(|e| e.after_json.as_deref().is_some_and(|a| a.contains("\"light\":\"red\""))),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn print_views_show_the_filtered_ledger_and_the_dashboard_without_navigation() {
    for (backend, store, _dir) in common::backends().await {
        let (app, id) = app_on(&store).await;
        let office = common::signed(&app, "office", None).await;
        let page = get(&app, &office, &format!("/inspections/{id}/ledger?light=red")).await.text();
        assert!(
            page.contains(&format!("href=\"/inspections/{id}/ledger?light=red&amp;print=1\"")),
            "{backend}: the print link keeps the filters"
        );

        let print = get(&app, &office, &format!("/inspections/{id}/ledger?light=red&print=1")).await;
        assert_eq!(print.status, StatusCode::OK, "{backend}");
        let html = print.text();
        assert!(html.contains("class=\"print-view\""), "{backend}");
        assert!(!html.contains("class=\"top\"") && !html.contains("class=\"crumbs\""), "{backend}: no navigation");
        assert!(html.contains("筛选条件：预警："), "{backend}: {html}");
        let api = get(&app, &office, &format!("/api/inspections/{id}/supervision")).await.json();
        let red = api["measures"].as_array().unwrap().iter().filter(|m| m["light"] == "red").count();
        assert_eq!(html.matches("<td>红色预警（逾期）</td>").count(), red, "{backend}: one row per red measure");

        let dashboard = get(&app, &office, &format!("/inspections/{id}/dashboard")).await.text();
        assert!(dashboard.contains(&format!("href=\"/inspections/{id}/dashboard?print=1\"")), "{backend}");
        let printed = get(&app, &office, &format!("/inspections/{id}/dashboard?print=1")).await.text();
        assert!(printed.contains("class=\"print-view\"") && printed.contains("整改总体情况"), "{backend}");
        assert!(!printed.contains("class=\"top\""), "{backend}: no navigation");
    }
}
