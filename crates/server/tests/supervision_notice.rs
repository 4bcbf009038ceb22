//! The 督办单 in the browser: the page of the red and yellow measures, the .docx download, and
//! recording it as sent (audited, listed), on SQLite and PostgreSQL.

mod common;

use std::io::Read;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Signed, send, urlencode};
use rectify_auth::Clock;
use rectify_server::demo::demo_ledger;
use rectify_server::{AppState, router, seed_demo_users};
use rectify_storage::{AuditFilter, Page, Store};

async fn get(app: &Router, who: &Signed, uri: &str) -> common::Answer {
    send(app, Request::get(uri).header(header::COOKIE, &who.cookie).body(Body::empty()).unwrap()).await
}

async fn post_form(app: &Router, who: &Signed, uri: &str, fields: &[(&str, &str)]) -> common::Answer {
    let mut body = format!("csrf_token={}", who.csrf);
    for (k, v) in fields {
        body.push_str(&format!("&{k}={}", urlencode(v)));
    }
    let request = Request::post(uri)
        .header(header::COOKIE, &who.cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    send(app, request).await
}

fn docx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a .docx is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
    xml
}

async fn app_on(store: &Store) -> (Router, i64) {
    let clock = common::clock();
    let inspection = store.import_ledger(&demo_ledger(clock.now().date_naive())).await.unwrap();
    seed_demo_users(store, inspection, clock.as_ref()).await.unwrap();
    (router(AppState::new(store.clone()).with_clock(clock)), inspection)
}

#[tokio::test]
async fn the_leading_group_downloads_and_records_a_notice() {
    for (backend, store, _dir) in common::backends().await {
        let (app, id) = app_on(&store).await;
        let group = common::signed(&app, "group", None).await;

        // The flagged measures, as the API counts them, are the ones the notice names.
        let api = get(&app, &group, &format!("/api/inspections/{id}/supervision")).await.json();
        let lights: Vec<&str> =
            api["measures"].as_array().unwrap().iter().map(|m| m["light"].as_str().unwrap()).collect();
        let red = lights.iter().filter(|l| **l == "red").count();
        let yellow = lights.iter().filter(|l| **l == "yellow").count();
        assert!(red + yellow > 0, "{backend}: the demo ledger has measures to chase");

        let ledger = get(&app, &group, &format!("/inspections/{id}/ledger")).await.text();
        assert!(ledger.contains(&format!("/inspections/{id}/supervision\"")), "{backend}: the ledger links the notice");
        let page = get(&app, &group, &format!("/inspections/{id}/supervision")).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}: {}", page.text());
        let html = page.text();
        assert!(html.contains(&format!("<strong>{red}</strong> 项整改措施已逾期")), "{backend}: {html}");
        assert!(html.contains(&format!("<strong>{yellow}</strong> 项临近完成时限")), "{backend}");
        assert!(html.contains("尚未发送督办单"), "{backend}");

        let docx = get(
            &app,
            &group,
            &format!(
                "/inspections/{id}/supervision/notice.docx?issuer={}&serial={}",
                urlencode("某单位整改领导小组"),
                urlencode("〔2026〕7号")
            ),
        )
        .await;
        assert_eq!(docx.status, StatusCode::OK, "{backend}: {}", docx.text());
        assert!(docx.headers[header::CONTENT_TYPE].to_str().unwrap().contains("wordprocessingml"));
        assert!(docx.headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment"));
        let xml = docx_text(&docx.body);
        for expected in ["巡察整改督办单", "督办编号：〔2026〕7号", "某单位整改领导小组"] {
            assert!(xml.contains(expected), "{backend}: the notice lacks {expected}");
        }
        assert_eq!(xml.matches("督办等级：").count(), red + yellow, "{backend}: one item per flagged measure");

        // No issuer: refused, the page again with the serial as typed, nothing recorded.
        let refused = post_form(
            &app,
            &group,
            &format!("/inspections/{id}/supervision/sent"),
            &[("issuer", " "), ("serial", "〔2026〕8号")],
        )
        .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(refused.text().contains("请填写督办单位"), "{backend}: {}", refused.text());
        assert!(refused.text().contains("value=\"〔2026〕8号\""), "{backend}: the typed serial stays");
        assert!(store.list_notices_sent(id).await.unwrap().is_empty(), "{backend}");

        let sent = post_form(
            &app,
            &group,
            &format!("/inspections/{id}/supervision/sent"),
            &[("issuer", "某单位整改领导小组"), ("serial", "〔2026〕7号")],
        )
        .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{backend}: {}", sent.text());
        let notices = store.list_notices_sent(id).await.unwrap();
        assert_eq!(notices.len(), 1, "{backend}");
        assert_eq!(sent.location(), format!("/inspections/{id}/supervision?sent={}", notices[0].id));
        assert_eq!((notices[0].red, notices[0].yellow), (red as i64, yellow as i64), "{backend}");
        assert_eq!(notices[0].serial.as_deref(), Some("〔2026〕7号"));
        let filter = AuditFilter { action: Some("supervision_notice.send".into()), ..AuditFilter::default() };
        let audit = store.list_audit(&filter, Page::default()).await.unwrap();
        assert_eq!(audit.len(), 1, "{backend}: one audit entry");
        assert_eq!(audit[0].target_id.as_deref(), Some(id.to_string().as_str()));

        let after = get(&app, &group, &sent.location()).await.text();
        assert!(after.contains("督办单已登记为已发送"), "{backend}");
        assert!(after.contains("演示整改领导小组"), "{backend}: the sender by display name");
    }
}

#[tokio::test]
async fn departments_neither_see_nor_send_notices() {
    for (backend, store, _dir) in common::backends().await {
        let (app, id) = app_on(&store).await;
        let dept = common::signed(&app, "dept", None).await;
        for uri in [format!("/inspections/{id}/supervision"), format!("/inspections/{id}/supervision/notice.docx")] {
            assert_eq!(get(&app, &dept, &uri).await.status, StatusCode::FORBIDDEN, "{backend}: {uri}");
        }
        let posted =
            post_form(&app, &dept, &format!("/inspections/{id}/supervision/sent"), &[("issuer", "某部门")]).await;
        assert_eq!(posted.status, StatusCode::FORBIDDEN, "{backend}");
        assert!(!get(&app, &dept, &format!("/inspections/{id}/ledger")).await.text().contains("/supervision\""));
        assert!(store.list_notices_sent(id).await.unwrap().is_empty(), "{backend}");
    }
}
