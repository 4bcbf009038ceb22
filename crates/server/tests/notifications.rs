//! Notifications end to end, on SQLite and (when `RECTIFY_TEST_POSTGRES_URL` is set) PostgreSQL:
//! a reminder and a send-back reach the notification centre of the accounts whose scope holds
//! the measure and nobody else's; copies go out by mail to a local SMTP sink and to a local
//! webhook receiver that fails once (retried after the backoff); deadline notices are stored
//! once a day; the administrator's settings and the queue status over the API.

mod common;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use common::{Signed, send};
use rectify_auth::{Clock, FixedClock};
use rectify_domain::roles::Role;
use rectify_server::authz::Visibility;
use rectify_server::demo::demo_ledger;
use rectify_server::notifications::{backoff, deadline_notices, deliver_due, spawn_worker};
use rectify_server::{AppState, router, seed_demo_users};
use rectify_storage::{Acting, RoleGrant, Store};
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Connection};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// The stores to run on: a SQLite file, and a fresh PostgreSQL database when configured.
async fn stores(dir: &std::path::Path) -> Vec<Store> {
    let mut out = vec![Store::connect(&format!("sqlite:{}", dir.join("n.sqlite").display())).await.unwrap()];
    if let Some(admin) = std::env::var("RECTIFY_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()) {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = format!("notify_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
        let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
        let (base, _) = admin.rsplit_once('/').unwrap();
        let options = rectify_storage::ConnectOptions {
            audit_keys: rectify_storage::AuditKeys::File(dir.join(format!("{name}.keys"))),
            data_keys: rectify_storage::DataKeys::File(dir.join(format!("{name}.data-keys"))),
        };
        out.push(Store::connect_with(&format!("{base}/{name}"), options).await.unwrap());
    }
    out
}

/// One SMTP session as the sink saw it.
#[derive(Debug, Clone, Default)]
struct Mail {
    rcpt: Vec<String>,
    data: String,
}

/// A tiny SMTP server on 127.0.0.1: enough of RFC 5321 for a client that sends one message.
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<Mail>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mails: Arc<Mutex<Vec<Mail>>> = Arc::default();
    let seen = mails.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read);
                write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut mail = Mail::default();
                let mut line = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
                    let answer: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 sink\r\n",
                        "MAIL" | "RSET" | "NOOP" => b"250 OK\r\n",
                        "RCPT" => {
                            mail.rcpt.push(line.trim().to_owned());
                            b"250 OK\r\n"
                        }
                        "DATA" => {
                            write.write_all(b"354 go ahead\r\n").await.unwrap();
                            loop {
                                line.clear();
                                lines.read_line(&mut line).await.unwrap();
                                if line == ".\r\n" {
                                    break;
                                }
                                mail.data.push_str(&line);
                            }
                            seen.lock().unwrap().push(std::mem::take(&mut mail));
                            b"250 queued\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            return;
                        }
                        _ => b"502 not here\r\n",
                    };
                    write.write_all(answer).await.unwrap();
                }
            });
        }
    });
    (port, mails)
}

/// A webhook receiver on 127.0.0.1 that answers the robots' `{"errcode":0}` (and 500 to its
/// first request if `fail_first`); it keeps every body.
async fn webhook_receiver(fail_first: bool) -> (u16, Arc<Mutex<Vec<Value>>>) {
    let bodies: Arc<Mutex<Vec<Value>>> = Arc::default();
    let seen = bodies.clone();
    let app = Router::new().route(
        "/robot",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let seen = seen.clone();
            async move {
                let mut all = seen.lock().unwrap();
                all.push(body);
                if fail_first && all.len() == 1 {
                    (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(json!({"errcode": -1})))
                } else {
                    (StatusCode::OK, axum::Json(json!({"errcode": 0, "errmsg": "ok"})))
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (port, bodies)
}

/// The text of a mail as the sink received it: headers, and the body decoded from base64.
fn mail_text(mail: &Mail) -> String {
    let (head, body) = mail.data.split_once("\r\n\r\n").unwrap();
    let body = if head.to_ascii_lowercase().contains("content-transfer-encoding: base64") {
        let compact: String = body.split_whitespace().collect();
        String::from_utf8(base64::engine::general_purpose::STANDARD.decode(compact).unwrap()).unwrap()
    } else {
        body.to_owned()
    };
    // Header words in RFC 2047 form (`=?utf-8?b?…?=`), as lettre writes a Chinese subject.
    let mut head_text = String::new();
    for word in head.split_whitespace() {
        match word.strip_prefix("=?utf-8?b?").and_then(|w| w.strip_suffix("?=")) {
            Some(encoded) => head_text.push_str(
                &String::from_utf8(base64::engine::general_purpose::STANDARD.decode(encoded).unwrap()).unwrap(),
            ),
            None => {
                head_text.push(' ');
                head_text.push_str(word);
            }
        }
    }
    format!("{head_text}\n\n{body}")
}

struct World {
    app: Router,
    state: AppState,
    store: Store,
    clock: Arc<FixedClock>,
    inspection: i64,
    /// An open measure the demo department and leader see and `dept2` does not.
    measure: i64,
}

async fn world(store: Store) -> World {
    let clock = common::clock();
    let inspection = store.import_ledger(&demo_ledger(clock.now().date_naive())).await.unwrap();
    seed_demo_users(&store, inspection, clock.as_ref()).await.unwrap();
    let system = Acting { user_id: None, user_name: "test".into(), role: Role::SystemAdmin, address: None };
    let admin = store.find_user_by_username("sysadmin").await.unwrap().unwrap().id;
    store.set_totp(admin, Some(&common::admin_secret().to_base32()), &system, clock.now()).await.unwrap();
    let dept = rectify_server::auth::grants_of(&store.find_user_by_username("dept").await.unwrap().unwrap());
    let own = dept[0].scope.department.clone().unwrap();
    let summary = store.list_inspections().await.unwrap().remove(0);
    let problems = store.list_problems(inspection).await.unwrap();
    let measures = store.list_measures(inspection, None).await.unwrap();
    let other = measures
        .iter()
        .flat_map(|m| m.measure.responsibility.departments.clone())
        .find(|d| *d != own)
        .expect("the demo has several departments");
    let grant = RoleGrant {
        inspection_id: Some(inspection),
        department: Some(other),
        ..RoleGrant::everywhere(Role::Department)
    };
    let dept2 = common::account(&store, "dept2", grant, clock.as_ref()).await;
    let dept2 = rectify_server::auth::grants_of(&store.get_user(dept2).await.unwrap().unwrap());
    let seen = |g: &[rectify_auth::Grant]| -> BTreeSet<i64> {
        Visibility::new(g).records(&summary, problems.clone(), measures.clone()).1.iter().map(|m| m.id).collect()
    };
    let leader = rectify_server::auth::grants_of(&store.find_user_by_username("leader").await.unwrap().unwrap());
    let (mine, theirs, leaders) = (seen(&dept), seen(&dept2), seen(&leader));
    let measure =
        common::first_open_measure(&store, mine.difference(&theirs).filter(|id| leaders.contains(id)).copied()).await;
    let state = AppState::new(store.clone()).with_clock(clock.clone());
    World {
        app: router(state.clone()),
        state,
        store,
        clock,
        inspection,
        measure: measure.expect("an open measure of the demo department only"),
    }
}

impl World {
    async fn login(&self, name: &str) -> Signed {
        let admin = matches!(name, "sysadmin").then(|| self.clock.now());
        common::signed(&self.app, name, admin).await
    }

    async fn call(&self, who: &Signed, method: &str, uri: &str, body: Option<Value>) -> common::Answer {
        let mut r = Request::builder().method(method).uri(uri).header(header::COOKIE, &who.cookie);
        if method != "GET" {
            r = r.header("x-csrf-token", &who.csrf);
        }
        let body = match body {
            Some(v) => {
                r = r.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        send(&self.app, r.body(body).unwrap()).await
    }

    async fn notifications(&self, who: &Signed) -> Value {
        let a = self.call(who, "GET", "/api/notifications?limit=500", None).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        a.json()
    }
}

#[tokio::test]
async fn notices_reach_the_scope_in_app_by_mail_and_webhook_with_a_retry() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(dir.path()).await {
        let (smtp_port, mails) = smtp_sink().await;
        let (hook_port, hooks) = webhook_receiver(true).await;
        let w = world(store).await;
        let admin = w.login("sysadmin").await;
        let (dept, dept2, office) = (w.login("dept").await, w.login("dept2").await, w.login("office").await);

        // Settings: a non-admin may neither read nor write them; the administrator may.
        let settings = json!({
            "smtp": { "host": "127.0.0.1", "port": smtp_port, "security": "plain",
                      "from": "整改系统 <zhenggai@example.test>", "username": null, "password": null },
            "webhook": { "url": format!("http://127.0.0.1:{hook_port}/robot"), "format": "text" },
        });
        assert_eq!(
            w.call(&dept, "PUT", "/api/notification-settings", Some(settings.clone())).await.status,
            StatusCode::FORBIDDEN
        );
        let bad = json!({ "smtp": { "host": "127.0.0.1", "port": 25, "security": "plain", "from": "nobody" } });
        let a = w.call(&admin, "PUT", "/api/notification-settings", Some(bad)).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text());
        assert!(a.json()["message_zh"].as_str().unwrap().contains("发件人"), "{}", a.text());
        let a = w.call(&admin, "PUT", "/api/notification-settings", Some(settings)).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        assert_eq!(a.json()["smtp"]["port"], json!(smtp_port));

        // Both departments give a mail address; a malformed one is refused.
        let a = w.call(&dept, "PUT", "/api/me/notification-email", Some(json!({"email": "not an address"}))).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text());
        for (who, email) in [(&dept, "dept@example.test"), (&dept2, "dept2@example.test")] {
            let a = w.call(who, "PUT", "/api/me/notification-email", Some(json!({ "email": email }))).await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        }

        // The office reminds the departments about a measure of the demo department only.
        let a = w
            .call(
                &office,
                "POST",
                &format!("/api/measures/{}/reminders", w.measure),
                Some(json!({"message": "请本周内报送进展"})),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());

        let mine = w.notifications(&dept).await;
        assert_eq!(mine["total"], json!(1), "{mine}");
        assert_eq!(mine["unread"], json!(1));
        let item = &mine["items"][0];
        assert_eq!(item["kind"], json!("reminder"));
        assert_eq!(item["measure_id"], json!(w.measure));
        assert!(item["body"].as_str().unwrap().contains("请本周内报送进展"), "{item}");
        let theirs = w.notifications(&dept2).await;
        assert_eq!(theirs["total"], json!(0), "dept2 is outside the measure's scope: {theirs}");
        // The header of every page shows the unread count.
        let page = w.call(&dept, "GET", "/notifications", None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("1条未读"), "{}", page.text());
        assert!(page.text().contains("请本周内报送进展"));

        // First round: the mail goes out, the webhook answers 500 and is rescheduled.
        let round = deliver_due(&w.state).await.unwrap();
        assert_eq!((round.sent, round.retried, round.failed), (1, 1, 0));
        {
            let mails = mails.lock().unwrap();
            assert_eq!(mails.len(), 1, "{mails:?}");
            assert_eq!(mails[0].rcpt, vec!["RCPT TO:<dept@example.test>".to_owned()]);
            let text = mail_text(&mails[0]);
            assert!(text.contains("请本周内报送进展") && text.contains("督办催办"), "{text}");
        }
        let queue = w.call(&admin, "GET", "/api/notification-deliveries?status=pending", None).await.json();
        assert_eq!(queue["pending"], json!(1), "{queue}");
        assert_eq!(queue["sent"], json!(1));
        assert_eq!(queue["items"][0]["attempts"], json!(1));
        assert!(queue["items"][0]["last_error"].as_str().unwrap().contains("500"), "{queue}");

        // Not due yet: nothing happens; after the backoff it is sent.
        assert_eq!(deliver_due(&w.state).await.unwrap().sent, 0);
        w.clock.advance(backoff(1) + chrono::TimeDelta::seconds(1));
        assert_eq!(deliver_due(&w.state).await.unwrap().sent, 1);
        {
            let hooks = hooks.lock().unwrap();
            assert_eq!(hooks.len(), 2, "{hooks:?}");
            assert_eq!(hooks[1]["msgtype"], json!("text"));
            let content = hooks[1]["text"]["content"].as_str().unwrap();
            assert!(content.contains("督办催办") && content.contains("请本周内报送进展"), "{content}");
        }
        let queue = w.call(&admin, "GET", "/api/notification-deliveries", None).await.json();
        assert_eq!(
            (queue["pending"].clone(), queue["sent"].clone(), queue["failed"].clone()),
            (json!(0), json!(2), json!(0))
        );
        assert_eq!(w.call(&dept, "GET", "/api/notification-deliveries", None).await.status, StatusCode::FORBIDDEN);
        // The administrator's page shows the queue in Chinese; nobody else reaches it.
        let page = w.call(&admin, "GET", "/admin/notifications", None).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        assert!(html.contains("已发送 2 条") && html.contains("群机器人") && html.contains("127.0.0.1"), "{html}");
        assert_eq!(w.call(&dept, "GET", "/admin/notifications", None).await.status, StatusCode::FORBIDDEN);

        // Reading: another account's notification is 404; one's own becomes read.
        let id = item["id"].as_i64().unwrap();
        assert_eq!(
            w.call(&dept2, "POST", &format!("/api/notifications/{id}/read"), None).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            w.call(&dept, "POST", &format!("/api/notifications/{id}/read"), None).await.status,
            StatusCode::NO_CONTENT
        );
        let mine = w.notifications(&dept).await;
        assert_eq!((mine["unread"].clone(), mine["items"][0]["read"].clone()), (json!(0), json!(true)));

        // Deadline notices: stored once a day, each to accounts that see the measure.
        let first = deadline_notices(&w.state).await.unwrap();
        assert!(first > 0, "the demo ledger has measures due within days or overdue");
        assert_eq!(deadline_notices(&w.state).await.unwrap(), 0, "a second run the same day adds nothing");
        let summary = w.store.list_inspections().await.unwrap().remove(0);
        let problems = w.store.list_problems(w.inspection).await.unwrap();
        let measures = w.store.list_measures(w.inspection, None).await.unwrap();
        for name in ["dept", "dept2", "liaison"] {
            let user = w.store.find_user_by_username(name).await.unwrap().unwrap();
            let visible: BTreeSet<i64> = Visibility::new(&rectify_server::auth::grants_of(&user))
                .records(&summary, problems.clone(), measures.clone())
                .1
                .iter()
                .map(|m| m.id)
                .collect();
            let who = w.login(name).await;
            let list = w.notifications(&who).await;
            for n in list["items"].as_array().unwrap() {
                let id = n["measure_id"].as_i64().unwrap();
                assert!(visible.contains(&id), "{name} was told about measure {id} outside its scope: {n}");
                let kind = n["kind"].as_str().unwrap();
                assert!(matches!(kind, "reminder" | "deadline" | "overdue"), "{n}");
            }
        }
        // The mark-all of the page.
        let a = w.call(&dept2, "POST", "/api/notifications/read-all", None).await;
        assert_eq!(a.status, StatusCode::OK);
        assert_eq!(w.notifications(&dept2).await["unread"], json!(0));
        assert!(w.store.verify_audit().await.is_ok());
    }
}

#[tokio::test]
async fn a_send_back_tells_the_department_the_reason_and_a_claim_tells_the_reviewer() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(dir.path()).await {
        let w = world(store).await;
        let (dept, leader) = (w.login("dept").await, w.login("leader").await);
        let version = |w: &World| {
            let store = w.store.clone();
            let id = w.measure;
            async move { store.measure_workflow(id).await.unwrap().unwrap().version }
        };
        let evidence = rectify_domain::Evidence {
            title: rectify_domain::NonEmptyText::new("会议纪要").unwrap(),
            kind: None,
            date: None,
            media_type: None,
            size_bytes: None,
            sha256: None,
        };
        let dept_user = w.store.find_user_by_username("dept").await.unwrap().unwrap();
        let acting =
            Acting { user_id: Some(dept_user.id), user_name: "dept".into(), role: Role::Department, address: None };
        let entry = rectify_domain::ProgressEntry {
            date: rectify_domain::PartialDate::day(2026, 11, 20).unwrap(),
            text: rectify_domain::NonEmptyText::new("已完成整改").unwrap(),
            evidence: vec![evidence],
        };
        w.store.add_progress(w.measure, &acting, &entry, version(&w).await, w.clock.now()).await.unwrap();
        // The department claims completion: the leader in charge, who reviews first, hears of it.
        let state = w.store.measure_workflow(w.measure).await.unwrap().unwrap().state;
        if matches!(state, rectify_domain::workflow::MeasureState::NotStarted) {
            let a = w
                .call(
                    &dept,
                    "POST",
                    &format!("/api/measures/{}/actions", w.measure),
                    Some(json!({"action": "start", "version": version(&w).await})),
                )
                .await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        }
        // A step the store refuses (a stale version) leaves no notice: they share its transaction.
        let stale = w
            .call(
                &dept,
                "POST",
                &format!("/api/measures/{}/actions", w.measure),
                Some(json!({"action": "claim", "version": -1})),
            )
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text());
        assert_eq!(w.notifications(&leader).await["total"], json!(0));
        let a = w
            .call(
                &dept,
                "POST",
                &format!("/api/measures/{}/actions", w.measure),
                Some(json!({"action": "claim", "version": version(&w).await})),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        let waiting = w.notifications(&leader).await;
        let awaiting: Vec<&Value> =
            waiting["items"].as_array().unwrap().iter().filter(|n| n["kind"] == "awaiting").collect();
        assert_eq!(awaiting.len(), 1, "{waiting}");
        assert_eq!(awaiting[0]["measure_id"], json!(w.measure));
        // The department's own claim tells the department nothing.
        assert_eq!(w.notifications(&dept).await["total"], json!(0));

        {
            let a = w
                .call(
                    &leader,
                    "POST",
                    &format!("/api/measures/{}/actions", w.measure),
                    Some(json!({"action": "send_back", "reason": "佐证材料不足", "version": version(&w).await})),
                )
                .await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.text());
            let mine = w.notifications(&dept).await;
            let sent_back = &mine["items"][0];
            assert_eq!(sent_back["kind"], json!("sent_back"), "{mine}");
            assert!(sent_back["body"].as_str().unwrap().contains("佐证材料不足"), "{sent_back}");
            assert_eq!(w.notifications(&w.login("dept2").await).await["total"], json!(0));
        }
    }
}

#[tokio::test]
async fn a_worker_started_later_sends_what_an_earlier_process_queued() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(dir.path()).await {
        let (hook_port, hooks) = webhook_receiver(false).await;
        let w = world(store).await;
        let admin = w.login("sysadmin").await;
        let office = w.login("office").await;
        let settings =
            json!({ "webhook": { "url": format!("http://127.0.0.1:{hook_port}/robot"), "format": "markdown" } });
        assert_eq!(w.call(&admin, "PUT", "/api/notification-settings", Some(settings)).await.status, StatusCode::OK);
        let uri = format!("/api/measures/{}/reminders", w.measure);
        let a = w.call(&office, "POST", &uri, Some(json!({"message": "请抓紧整改"}))).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
        assert!(hooks.lock().unwrap().is_empty(), "nothing is sent while no worker runs");

        // A new process: another state on the same database, its worker started afresh.
        let state = AppState::new(w.store.clone());
        let worker = spawn_worker(state, std::time::Duration::from_millis(50));
        let mut waited = 0;
        while hooks.lock().unwrap().is_empty() && waited < 200 {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            waited += 1;
        }
        worker.abort();
        let hooks = hooks.lock().unwrap();
        assert_eq!(hooks.len(), 1, "{hooks:?}");
        assert_eq!(hooks[0]["msgtype"], json!("markdown"));
        assert!(hooks[0]["markdown"]["text"].as_str().unwrap().contains("请抓紧整改"), "{}", hooks[0]);
    }
}

/// Percent-encodes everything but unreserved ASCII.
fn enc(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn public_feedback_tells_the_units_liaison_and_no_department() {
    let dir = tempfile::tempdir().unwrap();
    for store in stores(dir.path()).await {
        let w = world(store).await;
        let summary = w.store.list_inspections().await.unwrap().remove(0);
        let unit = summary.unit.unwrap();
        // Only a unit with a published report takes feedback.
        let group = Acting { user_id: None, user_name: "领导小组".into(), role: Role::LeadingGroup, address: None };
        rectify_server::publish_inspection(&AppState::new(w.store.clone()), summary.id, &group).await.unwrap();
        let uri = format!("/public/units/{}/feedback", enc(&unit));
        let page = send(&w.app, Request::get(&uri).body(Body::empty()).unwrap()).await;
        assert_eq!(page.status, StatusCode::OK);
        // The nonce cookie the page set, and the form's own token (the server's MAC of it).
        let cookie = page
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("rectify_csrf="))
            .map(|c| c.split(';').next().unwrap().to_owned())
            .unwrap();
        let csrf = common::hidden_token(&page.text()).expect("the feedback form carries its token");
        let fields = [
            ("csrf_token", csrf.as_str()),
            ("identity", "anonymous"),
            ("subject", "加装电梯进度"),
            ("body", "小区加装电梯的整改承诺至今没有落实，希望尽快推进。"),
        ];
        let body = fields.iter().map(|(k, v)| format!("{k}={}", enc(v))).collect::<Vec<_>>().join("&");
        let request = Request::post(&uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookie)
            .body(Body::from(body))
            .unwrap();
        let a = send(&w.app, request).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());

        let liaison = w.notifications(&w.login("liaison").await).await;
        assert_eq!(liaison["total"], json!(1), "{liaison}");
        assert_eq!(liaison["items"][0]["kind"], json!("feedback"));
        assert!(liaison["items"][0]["body"].as_str().unwrap().contains("加装电梯进度"));
        // The citizen's text itself stays on the feedback page.
        assert!(!liaison["items"][0]["body"].as_str().unwrap().contains("整改承诺至今没有落实"));
        assert_eq!(w.notifications(&w.login("dept").await).await["total"], json!(0));
    }
}
