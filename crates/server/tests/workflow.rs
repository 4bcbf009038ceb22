//! The closure workflow over HTTP, by the right roles: progress with evidence, the claim, the
//! three reviews to 销号; stale versions, refusals, evidence type and size checks, the scoped
//! evidence download, reminders and supervision.

mod common;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Signed, send};
use rectify_auth::{Clock, FixedClock};
use rectify_server::demo::demo_ledger;
use rectify_server::{AppState, router, seed_demo_users};
use rectify_storage::{EvidenceStore, Store};
use serde_json::{Value, json};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

struct Fixture {
    app: Router,
    store: Store,
    clock: Arc<FixedClock>,
    inspection: i64,
    measure: i64,
    other_department: String,
    _dir: tempfile::TempDir,
}

async fn fixture(max_evidence: u64) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite:{}", dir.path().join("wf.sqlite").display())).await.unwrap();
    let clock = common::clock();
    let inspection = store.import_ledger(&demo_ledger(clock.now().date_naive())).await.unwrap();
    seed_demo_users(&store, inspection, clock.as_ref()).await.unwrap();
    let shared = common::shared_measure(&store, inspection, clock.as_ref()).await;
    let files = EvidenceStore::new(dir.path().join("evidence")).with_max_bytes(max_evidence);
    let state = AppState::new(store.clone()).with_clock(clock.clone()).with_evidence_store(files);
    Fixture {
        app: router(state),
        store,
        clock,
        inspection,
        measure: shared.measure,
        other_department: shared.other_department,
        _dir: dir,
    }
}

impl Fixture {
    async fn login(&self, name: &str) -> Signed {
        common::signed(&self.app, name, None).await
    }

    async fn get(&self, who: Option<&Signed>, uri: &str) -> common::Answer {
        let mut r = Request::get(uri);
        if let Some(s) = who {
            r = r.header(header::COOKIE, &s.cookie);
        }
        send(&self.app, r.body(Body::empty()).unwrap()).await
    }

    async fn post_json(&self, who: &Signed, uri: &str, body: Value) -> common::Answer {
        let r = Request::post(uri)
            .header(header::COOKIE, &who.cookie)
            .header("x-csrf-token", &who.csrf)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        send(&self.app, r).await
    }

    async fn version(&self) -> i64 {
        self.store.measure_workflow(self.measure).await.unwrap().unwrap().version
    }

    async fn act(&self, who: &Signed, action: Value) -> common::Answer {
        let mut body = action;
        body["version"] = json!(self.version().await);
        self.post_json(who, &format!("/api/measures/{}/actions", self.measure), body).await
    }

    async fn progress(&self, who: &Signed, file: Option<(&str, &[u8])>) -> common::Answer {
        let boundary = "----wfboundary";
        let mut body = Vec::new();
        for (name, value) in
            [("version", self.version().await.to_string()), ("text", "召开专题会议部署整改".to_owned())]
        {
            body.extend(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").bytes(),
            );
        }
        if let Some((name, bytes)) = file {
            body.extend(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n")
                    .bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{boundary}--\r\n").bytes());
        let r = Request::post(format!("/api/measures/{}/progress", self.measure))
            .header(header::COOKIE, &who.cookie)
            .header("x-csrf-token", &who.csrf)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
        send(&self.app, r).await
    }
}

#[tokio::test]
async fn a_measure_goes_to_closure_through_the_right_hands() {
    let f = fixture(1024 * 1024).await;
    let dept = f.login("dept").await;
    if f.store.measure_workflow(f.measure).await.unwrap().unwrap().state
        == rectify_domain::workflow::MeasureState::NotStarted
    {
        assert_eq!(f.act(&dept, json!({"action": "start"})).await.status, StatusCode::OK);
    }
    // A claim needs evidence first.
    let early = f.act(&dept, json!({"action": "claim"})).await;
    if f.store.measure_workflow(f.measure).await.unwrap().unwrap().evidence == 0 {
        assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(early.json()["message_zh"], "申请销号须至少上传一份佐证材料");
    }
    if early.status != StatusCode::OK {
        let a = f.progress(&dept, Some(("会议纪要.pdf", PDF))).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        assert_eq!(f.act(&dept, json!({"action": "claim"})).await.status, StatusCode::OK);
    }
    // The department cannot approve its own claim; the leading group cannot skip the leader.
    let group = f.login("group").await;
    let skip = f.act(&group, json!({"action": "approve"})).await;
    assert_eq!(skip.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(skip.json()["message_zh"].as_str().unwrap().contains("分管领导"), "{}", skip.text());
    let leader = f.login("leader").await;
    let no_reason = f.act(&leader, json!({"action": "send_back", "reason": " "})).await;
    assert_eq!(
        (no_reason.status, no_reason.json()["message_zh"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, "请填写理由".into())
    );
    let a = f.act(&leader, json!({"action": "approve"})).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    // The leading group approves through its inbox page.
    let inbox = f.get(Some(&group), "/inbox").await.text();
    assert!(inbox.contains(&format!("/measures/{}\"", f.measure)), "the claim waits in the group's inbox");
    let form = format!("csrf_token={}&action=approve&version={}&next=%2Finbox", group.csrf, f.version().await);
    let r = Request::post(format!("/measures/{}/actions", f.measure))
        .header(header::COOKIE, &group.cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    let a = send(&f.app, r).await;
    assert_eq!((a.status, a.location()), (StatusCode::SEE_OTHER, "/inbox".into()), "{}", a.text());
    let office = f.login("office").await;
    let page = f.get(Some(&office), &format!("/measures/{}", f.measure)).await.text();
    assert!(page.contains("核验通过并销号") && page.contains("退回重办"), "the verifier's buttons");
    let closed = f.act(&office, json!({"action": "approve"})).await;
    assert_eq!(closed.status, StatusCode::OK);
    assert_eq!(closed.json()["state"]["state"], "closed");
    assert_eq!(closed.json()["status"], "completed");
    // The trail holds each step with its actor.
    let trail = f.store.list_audit(&Default::default(), rectify_storage::Page { offset: 0, limit: 200 }).await.unwrap();
    let steps: Vec<(&str, &str)> = trail
        .iter()
        .filter(|e| e.target_id.as_deref() == Some(&f.measure.to_string()) && e.result == "ok")
        .map(|e| (e.action.as_str(), e.actor_name.as_str()))
        .collect();
    for step in [
        ("measure.claim", "dept"),
        ("measure.approve", "leader"),
        ("measure.approve", "group"),
        ("measure.approve", "office"),
    ] {
        assert!(steps.contains(&step), "{step:?} missing from {steps:?}");
    }
    // Closing the problem needs every measure closed.
    let problem = f.store.get_measure(f.measure).await.unwrap().unwrap().problem_id;
    let all_closed = f
        .store
        .list_measures(f.inspection, Some(problem))
        .await
        .unwrap()
        .iter()
        .all(|m| matches!(m.measure.status, Some(rectify_domain::Status::Completed)));
    let a = f.post_json(&office, &format!("/api/problems/{problem}/close"), json!({})).await;
    assert_eq!(
        a.status,
        if all_closed { StatusCode::NO_CONTENT } else { StatusCode::UNPROCESSABLE_ENTITY },
        "{}",
        a.text()
    );
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_with_the_current_one() {
    let f = fixture(1024 * 1024).await;
    let dept = f.login("dept").await;
    let seen = f.version().await;
    assert_eq!(f.progress(&dept, None).await.status, StatusCode::OK, "the version moves on");
    let body = json!({"action": "request_extension", "new_deadline": "2099-12", "reason": "施工期长", "version": seen});
    let a = f.post_json(&dept, &format!("/api/measures/{}/actions", f.measure), body).await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    assert_eq!(a.json()["error"], "conflict");
    assert_eq!(a.json()["current_version"], seen + 1);
}

#[tokio::test]
async fn evidence_is_checked_by_content_and_size_and_served_only_within_scope() {
    let f = fixture(2048).await;
    let dept = f.login("dept").await;
    let text = f.progress(&dept, Some(("伪装.pdf", b"just text, not a pdf"))).await;
    assert_eq!(text.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", text.text());
    let big = [PDF, &[b'x'; 4096][..]].concat();
    assert_eq!(f.progress(&dept, Some(("大文件.pdf", &big))).await.status, StatusCode::PAYLOAD_TOO_LARGE);
    let a = f.progress(&dept, Some(("纪要.pdf", PDF))).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let record = f.store.get_measure(f.measure).await.unwrap().unwrap();
    let sha = record.measure.progress.iter().flat_map(|e| &e.evidence).find_map(|e| e.sha256.clone()).unwrap();
    let uri = format!("/api/evidence/{sha}");
    let mine = f.get(Some(&dept), &uri).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert_eq!(mine.body, PDF);
    // On disk the file is sealed with SM4: none of its bytes in the clear.
    let on_disk = std::fs::read(f._dir.path().join("evidence").join(&sha[..2]).join(&sha[2..])).unwrap();
    assert!(on_disk.starts_with(rectify_storage::sealed::FILE_MAGIC));
    assert!(!on_disk.windows(PDF.len().min(16)).any(|w| PDF.windows(w.len()).any(|p| p == w)), "no plaintext on disk");
    assert_eq!(mine.headers[header::CONTENT_TYPE], "application/pdf");
    assert!(mine.headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment;"));
    assert_eq!(mine.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let other = f.login("dept2").await;
    assert_eq!(f.get(Some(&other), &uri).await.status, StatusCode::FORBIDDEN, "{} sees none of it", f.other_department);
    assert_eq!(f.get(None, &uri).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(f.get(Some(&dept), &format!("/api/evidence/{}", "0".repeat(64))).await.status, StatusCode::NOT_FOUND);
    // The measure page links the file.
    let page = f.get(Some(&dept), &format!("/measures/{}", f.measure)).await.text();
    assert!(
        page.contains(&format!("href=\"&#x2f;api&#x2f;evidence&#x2f;{sha}\"")) || page.contains(&uri),
        "download link"
    );
    // A PDF can be previewed: shown inline, sandboxed, and only when asked for.
    assert!(page.contains(&format!("{uri}?inline=1")) && page.contains("预览"), "preview link");
    let shown = f.get(Some(&dept), &format!("{uri}?inline=1")).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("inline;"));
    assert!(shown.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().starts_with("sandbox"));
    assert_eq!(f.get(Some(&other), &format!("{uri}?inline=1")).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn reminders_are_rate_limited_and_reach_the_department() {
    let f = fixture(1024 * 1024).await;
    let office = f.login("office").await;
    let uri = format!("/api/measures/{}/reminders", f.measure);
    assert_eq!(f.post_json(&office, &uri, json!({"message": "请于本周内报送进展"})).await.status, StatusCode::CREATED);
    assert_eq!(f.post_json(&office, &uri, json!({"message": "再次催办"})).await.status, StatusCode::TOO_MANY_REQUESTS);
    let dept = f.login("dept").await;
    let list = f.get(Some(&dept), "/api/me/reminders").await.json();
    assert!(list["items"].as_array().unwrap().iter().any(|r| r["message"] == "请于本周内报送进展"), "{list}");
    assert_eq!(list["total"], 1, "{list}");
    assert!(f.get(Some(&dept), "/").await.text().contains("请于本周内报送进展"), "shown on the home page");
    let other = f.login("dept2").await;
    let theirs = f.get(Some(&other), "/api/me/reminders").await.json();
    assert!(theirs["items"].as_array().unwrap().is_empty(), "not about their measures: {theirs}");
    assert_eq!(theirs["total"], 0, "{theirs}");
    let sup = f.get(Some(&office), &format!("/api/inspections/{}/supervision", f.inspection)).await.json();
    assert!(!sup["measures"].as_array().unwrap().is_empty());
    assert!(
        sup["by_leader"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["red"].as_u64().unwrap() + c["yellow"].as_u64().unwrap() + c["green"].as_u64().unwrap() > 0)
    );
    let _ = f.clock.now();
}

/// Issue 13, finding 7: a reminder to an account that does not exist is not found (not a 500),
/// and one to an administrator (who holds no business role) is refused in Chinese.
#[tokio::test]
async fn reminders_go_to_existing_business_accounts_only() {
    let f = fixture(1024 * 1024).await;
    let office = f.login("office").await;
    let uri = format!("/api/measures/{}/reminders", f.measure);
    let a = f.post_json(&office, &uri, json!({"message": "请报送", "to_user_id": 999_999})).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.text());
    let sysadmin = f.store.find_user_by_username("sysadmin").await.unwrap().unwrap().id;
    for body in
        [json!({"message": "请报送", "to_user_id": sysadmin}), json!({"message": "请报送", "to_role": "audit_admin"})]
    {
        let a = f.post_json(&office, &uri, body).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text());
        assert!(a.json()["message_zh"].as_str().unwrap().starts_with("不能向管理员账号催办"), "{}", a.text());
    }
    // Nothing was stored: a reminder to the department still goes out at once.
    assert_eq!(f.post_json(&office, &uri, json!({"message": "请于本周内报送进展"})).await.status, StatusCode::CREATED);
}

/// People by their names, not their logins: a reminder names its sender by the account's
/// display name (resolved when read, by a join), on the home page and in the API; a sender whose
/// account is gone falls back to the name stored with the reminder. Both backends.
#[tokio::test]
async fn a_reminder_names_its_sender_by_display_name_not_login() {
    for (backend, store, _dir) in common::backends().await {
        let clock = common::clock();
        let (inspection, _) = common::demo_with_accounts(&store, &clock).await;
        let shared = common::shared_measure(&store, inspection, &clock).await;
        let app = router(AppState::new(store.clone()).with_clock(clock.clone()));
        let office = common::Client::new(&app, "office").await;
        let uri = format!("/api/measures/{}/reminders", shared.measure);
        let a = office.call("POST", &uri, Some(json!({"message": "请于本周内报送进展"}))).await;
        assert_eq!(a.status, StatusCode::CREATED, "{backend}: {}", a.text());
        let dept = common::Client::new(&app, "dept").await;
        let list = dept.call("GET", "/api/me/reminders", None).await.json();
        assert_eq!(list["items"][0]["from"], "演示巡察办", "{backend}: {list}");
        let home = send(&dept.app, Request::get("/").body(Body::empty()).unwrap()).await.text();
        assert!(home.contains("<span class=\"muted\">演示巡察办 · "), "{backend}: {home}");
        assert!(!home.contains("<span class=\"muted\">office · "), "{backend}: the login is shown");

        // The account gone (the reference cleared, as ON DELETE SET NULL does): the stored name.
        sqlx::query("UPDATE reminders SET from_user_id = NULL").execute(store.pool()).await.unwrap();
        let list = dept.call("GET", "/api/me/reminders", None).await.json();
        assert_eq!(list["items"][0]["from"], "office", "{backend}: {list}");
    }
}
