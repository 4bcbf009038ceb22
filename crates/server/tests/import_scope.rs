//! An import stays inside the importer's data scope, and an imported ledger opens no public
//! channel until its report is published (issue 13, finding 2). On SQLite and PostgreSQL.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use rectify_domain::roles::Role;
use rectify_server::demo::demo_ledger;
use rectify_server::{AppState, publish_inspection, router};
use rectify_storage::{Acting, RoleGrant, Store};

mod common;

use common::{Answer, Signed, account, backends, send, signed};

/// A report of 中共青石县文化和旅游局党组.
const REPORT: &str = include_str!("../../../tests/e2e/fixtures/report.txt");
const REPORT_UNIT: &str = "中共青石县文化和旅游局党组";

fn multipart(token: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----rectifyscopeboundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"report.txt\"\r\n\
         Content-Type: text/plain\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Uploads the report as `who` and returns the preview page and the upload's token.
async fn upload(app: &Router, who: &Signed) -> (String, String) {
    let (content_type, body) = multipart(&who.csrf, REPORT.as_bytes());
    let request = Request::post("/documents/upload")
        .header(header::CONTENT_TYPE, content_type)
        .header(header::COOKIE, &who.cookie)
        .body(Body::from(body))
        .unwrap();
    let a = send(app, request).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let preview = a.location();
    let page = get(app, Some(who), &preview).await;
    assert_eq!(page.status, StatusCode::OK);
    (page.text(), preview.rsplit('/').next().unwrap().to_owned())
}

async fn confirm(app: &Router, who: &Signed, token: &str) -> Answer {
    let request = Request::post("/documents/confirm")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &who.cookie)
        .body(Body::from(format!("csrf_token={}&token={token}", who.csrf)))
        .unwrap();
    send(app, request).await
}

async fn get(app: &Router, who: Option<&Signed>, uri: &str) -> Answer {
    let mut request = Request::get(uri).header(header::HOST, "portal.test");
    if let Some(who) = who {
        request = request.header(header::COOKIE, &who.cookie);
    }
    send(app, request.body(Body::empty()).unwrap()).await
}

fn enc(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { char::from(b).to_string() } else { format!("%{b:02X}") })
        .collect()
}

async fn inspections_of(store: &Store, unit: &str) -> usize {
    store.list_inspections().await.unwrap().iter().filter(|s| s.unit.as_deref() == Some(unit)).count()
}

#[tokio::test]
async fn a_liaison_imports_only_its_own_units_ledger_and_an_import_opens_no_public_channel() {
    for (backend, store, _dir) in backends().await {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let own = store.import_ledger(&demo_ledger(today)).await.unwrap();
        let clock = rectify_auth::SystemClock;
        let grant = |role, inspection| RoleGrant { inspection_id: Some(inspection), ..RoleGrant::everywhere(role) };
        account(&store, "liaison", grant(Role::UnitLiaison, own), &clock).await;
        account(&store, "office", RoleGrant::everywhere(Role::InspectionOffice), &clock).await;
        let app = router(AppState::new(store.clone()));
        let liaison = signed(&app, "liaison", None).await;
        let office = signed(&app, "office", None).await;

        // The liaison of another unit: the preview says why, and confirming imports nothing.
        let (page, token) = upload(&app, &liaison).await;
        assert!(page.contains("不在本账号的数据范围内"), "{backend}: {page}");
        let refused = confirm(&app, &liaison, &token).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(refused.text().contains(&format!("“{REPORT_UNIT}”不在本账号的数据范围内")), "{backend}");
        assert_eq!(inspections_of(&store, REPORT_UNIT).await, 0, "{backend}: nothing imported");

        // The inspection office imports any unit's ledger.
        let (page, token) = upload(&app, &office).await;
        assert!(!page.contains("不在本账号的数据范围内"), "{backend}");
        let imported = confirm(&app, &office, &token).await;
        assert_eq!(imported.status, StatusCode::SEE_OTHER, "{backend}: {}", imported.text());
        assert_eq!(inspections_of(&store, REPORT_UNIT).await, 1, "{backend}");
        let theirs = store.list_inspections().await.unwrap().into_iter().map(|s| s.id).max().unwrap();

        // That unit's own liaison may import a ledger of its unit.
        account(&store, "qingshi", grant(Role::UnitLiaison, theirs), &clock).await;
        let qingshi = signed(&app, "qingshi", None).await;
        let (_, token) = upload(&app, &qingshi).await;
        assert_eq!(confirm(&app, &qingshi, &token).await.status, StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(inspections_of(&store, REPORT_UNIT).await, 2, "{backend}");

        // Imported but unpublished: not on the portal, and its feedback form is not found.
        let feedback = format!("/public/units/{}/feedback", enc(REPORT_UNIT));
        assert!(!get(&app, None, "/public").await.text().contains(REPORT_UNIT), "{backend}");
        assert_eq!(get(&app, None, &feedback).await.status, StatusCode::NOT_FOUND, "{backend}");
        assert_eq!(
            get(&app, None, &format!("/public/units/{}/qr", enc(REPORT_UNIT))).await.status,
            StatusCode::NOT_FOUND
        );
        // Published: listed, with its feedback channel.
        let acting =
            Acting { user_id: None, user_name: "领导小组".into(), role: Role::LeadingGroup, address: None };
        publish_inspection(&AppState::new(store.clone()), theirs, &acting).await.unwrap();
        assert!(get(&app, None, "/public").await.text().contains(REPORT_UNIT), "{backend}");
        assert_eq!(get(&app, None, &feedback).await.status, StatusCode::OK, "{backend}");
    }
}
