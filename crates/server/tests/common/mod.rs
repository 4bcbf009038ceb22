//! Helpers shared by the integration tests: accounts, sign-in through the API, and a router
//! that sends a signed-in session with every request.
#![allow(dead_code)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use chrono::{DateTime, Utc};
use http_body_util::BodyExt;
use rectify_auth::{Clock, FixedClock, TotpSecret};
use rectify_domain::roles::Role;
use rectify_server::users::{DEMO_PASSWORD, create_user};
use rectify_server::{AppState, router};
use rectify_storage::{Acting, RoleGrant, Store};
use tower::ServiceExt;

/// The TOTP key of the administrators the tests enrol (the RFC 6238 test key).
pub fn admin_secret() -> TotpSecret {
    TotpSecret::from_bytes(b"12345678901234567890").unwrap()
}

pub fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T01:00:00Z").unwrap().to_utc()
}

pub fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(start()))
}

/// A signed-in browser: its cookie header and the session's CSRF token, which the API takes in
/// `X-CSRF-Token` and the forms in their `csrf_token` field (the one token of the session).
#[derive(Debug, Clone)]
pub struct Signed {
    pub cookie: String,
    pub csrf: String,
}

/// The form token a page hands out to the browser with `cookie` (its hidden `csrf_token` field).
pub async fn page_token(app: &Router, cookie: &str, path: &str) -> String {
    let request = Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).unwrap();
    let page = send(app, request).await;
    hidden_token(&page.text()).unwrap_or_else(|| panic!("no form token on {path}: {}", page.text()))
}

/// The value of the first hidden `csrf_token` field of a page.
pub fn hidden_token(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf_token\" value=\"")? + "name=\"csrf_token\" value=\"".len();
    html[at..].split('"').next().map(str::to_owned)
}

/// A browser without a session as the sign-in page leaves it: the nonce cookie the server set
/// and the form token of that nonce.
pub async fn anonymous_form(app: &Router) -> (String, String) {
    let page = send(app, Request::get("/login").body(Body::empty()).unwrap()).await;
    let set = page.headers.get(header::SET_COOKIE).expect("the sign-in page sets the form cookie");
    let cookie = set.to_str().unwrap().split(';').next().unwrap().to_owned();
    let token = hidden_token(&page.text()).expect("the sign-in form carries its token");
    (cookie, token)
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn location(&self) -> String {
        self.headers.get(header::LOCATION).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
    }
}

pub async fn send(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes().to_vec();
    Answer { status, headers, body }
}

/// Creates an account with one grant and the demo password, ready to use (no forced change).
pub async fn account(store: &Store, username: &str, grant: RoleGrant, clock: &dyn Clock) -> i64 {
    let admin = grant.role.is_admin();
    let id = create_user(store, username, username, DEMO_PASSWORD, vec![grant], false, clock).await.unwrap();
    if admin {
        let acting = Acting { user_id: None, user_name: "test".into(), role: Role::SystemAdmin, address: None };
        store.set_totp(id, Some(&admin_secret().to_base32()), &acting, clock.now()).await.unwrap();
    }
    id
}

/// Signs in through `POST /api/session` (with the current TOTP code for administrators).
pub async fn sign_in(app: &Router, username: &str, password: &str, totp: Option<String>) -> Answer {
    let body = serde_json::json!({ "username": username, "password": password, "totp": totp });
    let request = Request::post("/api/session")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    send(app, request).await
}

/// Signs in and returns the browser's session cookie and the session's CSRF token.
pub async fn signed(app: &Router, username: &str, admin_code_at: Option<DateTime<Utc>>) -> Signed {
    let code = admin_code_at.map(|at| rectify_auth::totp::totp_code(&admin_secret(), at).unwrap());
    let a = sign_in(app, username, DEMO_PASSWORD, code).await;
    assert_eq!(a.status, StatusCode::OK, "sign-in of {username}: {}", a.text());
    let set = a.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    let session = set.split(';').next().unwrap().to_owned();
    Signed { cookie: session, csrf: a.json()["csrf_token"].as_str().unwrap().to_owned() }
}

/// The router, with every request carrying `cookie` (added to any cookie the test sends).
pub fn with_cookie(app: Router, cookie: String) -> Router {
    app.layer(axum::middleware::map_request(move |mut request: Request| {
        let cookie = cookie.clone();
        async move {
            let joined = match request.headers().get(header::COOKIE).and_then(|v| v.to_str().ok()) {
                Some(existing) => format!("{existing}; {cookie}"),
                None => cookie,
            };
            if let Ok(value) = HeaderValue::from_str(&joined) {
                request.headers_mut().insert(header::COOKIE, value);
            }
            request
        }
    }))
}

/// The application as the inspection office (巡察办, who reads every ledger, imports and
/// exports) sees it: the state given, an `office` account, and its session on every request.
pub async fn office_app(state: AppState) -> Router {
    let store = state.store().clone();
    let clock = rectify_auth::SystemClock;
    if store.find_user_by_username("office").await.unwrap().is_none() {
        account(&store, "office", RoleGrant::everywhere(Role::InspectionOffice), &clock).await;
    }
    let app = router(state);
    let s = signed(&app, "office", None).await;
    with_cookie(app, s.cookie)
}

/// One database of each configured backend: SQLite always (a temporary file), PostgreSQL when
/// `RECTIFY_TEST_POSTGRES_URL` names an admin connection (a fresh database, left for the
/// throw-away cluster of `scripts/with-postgres.sh` to remove). The folder holds the files.
pub async fn backends() -> Vec<(&'static str, Store, tempfile::TempDir)> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("rectify.db").display());
    let mut out = vec![("sqlite", Store::connect(&url).await.unwrap(), dir)];
    if let Some(admin) = std::env::var("RECTIFY_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()) {
        use sqlx::Connection;
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let name = format!(
            "s_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos()
        );
        let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
        let (base, _) = admin.rsplit_once('/').expect("the admin URL ends in /DATABASE");
        let dir = tempfile::tempdir().unwrap();
        let options = rectify_storage::ConnectOptions {
            audit_keys: rectify_storage::AuditKeys::File(dir.path().join("audit-keys")),
            data_keys: rectify_storage::DataKeys::File(dir.path().join("data-keys")),
        };
        let store = Store::connect_with(&format!("{base}/{name}"), options).await.unwrap();
        out.push(("postgres", store, dir));
    }
    out
}

/// A minimal PDF, enough for the content check of the evidence store.
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

/// The demo's ledger and accounts in `store`, the three administrators enrolled in TOTP with
/// [`admin_secret`]: where tests that call every route as every role start. Returns the
/// inspection's id and the ledger.
pub async fn demo_with_accounts(store: &Store, clock: &FixedClock) -> (i64, rectify_domain::Ledger) {
    let ledger = rectify_server::demo::demo_ledger(clock.now().date_naive());
    let inspection = store.import_ledger(&ledger).await.unwrap();
    rectify_server::seed_demo_users(store, inspection, clock).await.unwrap();
    let system = Acting { user_id: None, user_name: "test".into(), role: Role::SystemAdmin, address: None };
    for name in ["sysadmin", "secadmin", "auditor"] {
        let id = store.find_user_by_username(name).await.unwrap().unwrap().id;
        store.set_totp(id, Some(&admin_secret().to_base32()), &system, clock.now()).await.unwrap();
    }
    (inspection, ledger)
}

/// What routes naming evidence or a look-back item need: a progress entry with a PDF on
/// `measure`, recorded as the demo department would, and a look-back of the inspection scheduled
/// by the demo office (`label` its seed). Returns the file's SHA-256 and the look-back's items.
pub async fn evidence_and_lookback(
    store: &Store,
    evidence_dir: &std::path::Path,
    clock: &FixedClock,
    inspection: i64,
    measure: i64,
    label: &str,
) -> (String, Vec<i64>) {
    use rectify_domain::{Evidence, NonEmptyText, PartialDate, ProgressEntry};
    let stored = rectify_storage::EvidenceStore::new(evidence_dir.to_owned()).store(PDF, "minutes.pdf").unwrap();
    let acting_as = |name: &str, role: Role| {
        let (store, name) = (store.clone(), name.to_owned());
        async move {
            let user = store.find_user_by_username(&name).await.unwrap().unwrap();
            Acting { user_id: Some(user.id), user_name: name, role, address: None }
        }
    };
    let version = store.measure_workflow(measure).await.unwrap().unwrap().version;
    let entry = ProgressEntry {
        date: PartialDate::day(2026, 11, 20).unwrap(),
        text: NonEmptyText::new("会议研究部署").unwrap(),
        evidence: vec![Evidence {
            title: NonEmptyText::new("会议纪要").unwrap(),
            kind: None,
            date: None,
            media_type: Some(stored.media_type.to_owned()),
            size_bytes: Some(stored.size),
            sha256: Some(stored.sha256.clone()),
        }],
    };
    let dept = acting_as("dept", Role::Department).await;
    store.add_progress(measure, &dept, &entry, version, clock.now()).await.unwrap();
    let office = acting_as("office", Role::InspectionOffice).await;
    let lookback =
        store.schedule_lookback(inspection, clock.now().date_naive(), 2, label, &office, clock.now()).await.unwrap();
    (stored.sha256, lookback.items.iter().map(|i| i.id).collect())
}

/// What the closure-chain tests work on in the demo: a measure that the demo department and the
/// demo leader both see and that is not started or in progress, the demo department's own
/// department, and another department of the unit with an account `dept2` for it.
pub struct SharedMeasure {
    pub measure: i64,
    pub department: String,
    pub other_department: String,
}

/// Finds the [`SharedMeasure`] of the demo ledger imported as `inspection` and creates `dept2`.
pub async fn shared_measure(store: &Store, inspection: i64, clock: &FixedClock) -> SharedMeasure {
    use std::collections::BTreeSet;
    let grants = |user: &'static str| {
        let store = store.clone();
        async move { rectify_server::auth::grants_of(&store.find_user_by_username(user).await.unwrap().unwrap()) }
    };
    let (dept, leader) = (grants("dept").await, grants("leader").await);
    let summary = store.list_inspections().await.unwrap().remove(0);
    let problems = store.list_problems(inspection).await.unwrap();
    let measures = store.list_measures(inspection, None).await.unwrap();
    let seen = |g: &[rectify_auth::Grant]| -> BTreeSet<i64> {
        rectify_server::authz::Visibility::new(g)
            .records(&summary, problems.clone(), measures.clone())
            .1
            .iter()
            .map(|m| m.id)
            .collect()
    };
    let measure = first_open_measure(store, seen(&dept).intersection(&seen(&leader)).copied()).await;
    let department = dept[0].scope.department.clone().unwrap();
    let other_department = measures
        .iter()
        .flat_map(|m| m.measure.responsibility.departments.clone())
        .find(|d| *d != department)
        .expect("the demo names several departments");
    let other = RoleGrant {
        inspection_id: Some(inspection),
        department: Some(other_department.clone()),
        ..RoleGrant::everywhere(Role::Department)
    };
    account(store, "dept2", other, clock).await;
    SharedMeasure {
        measure: measure.expect("an open measure of the demo department and leader"),
        department,
        other_department,
    }
}

/// A signed-in client of the JSON API and the forms: its requests carry the session's cookie
/// and CSRF token.
pub struct Client {
    pub app: Router,
    pub csrf: String,
}

impl Client {
    pub async fn new(app: &Router, username: &str) -> Client {
        let s = signed(app, username, None).await;
        Client { app: with_cookie(app.clone(), s.cookie), csrf: s.csrf }
    }

    /// `method path` with `body` as JSON (or none).
    pub async fn call(&self, method: &str, path: &str, body: Option<serde_json::Value>) -> Answer {
        let mut request = Request::builder().method(method).uri(path).header("x-csrf-token", &self.csrf);
        if body.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
        send(&self.app, request.body(body).unwrap()).await
    }

    /// A page's form posted with the session's token.
    pub async fn form(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let mut body = format!("csrf_token={}", self.csrf);
        for (k, v) in fields {
            body.push_str(&format!("&{k}={}", urlencode(v)));
        }
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        send(&self.app, request).await
    }
}

/// Percent-encodes every byte but the unreserved letters, digits and `-_.`.
pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect()
}

/// The account of each role in `seed_demo_users`.
pub const DEMO_ACCOUNTS: [(&str, Role); 9] = [
    ("liaison", Role::UnitLiaison),
    ("dept", Role::Department),
    ("leader", Role::LeaderInCharge),
    ("group", Role::LeadingGroup),
    ("office", Role::InspectionOffice),
    ("jijian", Role::DisciplineInspection),
    ("sysadmin", Role::SystemAdmin),
    ("secadmin", Role::SecurityAdmin),
    ("auditor", Role::AuditAdmin),
];

/// The first of `ids` whose measure is still being worked (not started or in progress).
pub async fn first_open_measure(store: &Store, ids: impl IntoIterator<Item = i64>) -> Option<i64> {
    for id in ids {
        let state = store.measure_workflow(id).await.unwrap().unwrap().state;
        if matches!(
            state,
            rectify_domain::workflow::MeasureState::NotStarted | rectify_domain::workflow::MeasureState::InProgress
        ) {
            return Some(id);
        }
    }
    None
}
