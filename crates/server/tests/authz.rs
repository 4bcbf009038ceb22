//! The authorization table, checked end to end: every route of `authz::table()` is called as every
//! role and as an anonymous visitor, and the answer must match the table and `permissions.tsv`:
//! 401 (or the sign-in redirect) without a session, 403 outside the role, neither when allowed —
//! and never any ledger data in a refusal. The table must also cover every route of the router
//! (read from the source) and every operation of the OpenAPI document.

mod common;

use std::collections::BTreeSet;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::Duration;
use common::{Signed, send};
use rectify_auth::{Clock, Permission, allows};
use rectify_domain::roles::Role;
use rectify_server::authz::{Access, RouteRule, Target, Visibility, table};
use rectify_server::{AppState, router};
use rectify_storage::Store;

struct World {
    app: Router,
    clock: std::sync::Arc<rectify_auth::FixedClock>,
    inspection: i64,
    problem: i64,
    measure: i64,
    sha256: String,
    lookback_item: i64,
    aspect: i64,
    /// Text that must never appear in a refusal.
    secrets: Vec<String>,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite:{}", dir.path().join("authz.sqlite").display())).await.unwrap();
    let clock = common::clock();
    let (inspection, ledger) = common::demo_with_accounts(&store, &clock).await;
    // A measure both the demo department and the demo leader see, not closed.
    let grants = |name: &str| {
        let store = store.clone();
        let name = name.to_owned();
        async move { rectify_server::auth::grants_of(&store.find_user_by_username(&name).await.unwrap().unwrap()) }
    };
    let (dept, leader) = (grants("dept").await, grants("leader").await);
    let summary = store.list_inspections().await.unwrap().into_iter().next().unwrap();
    let problems = store.list_problems(inspection).await.unwrap();
    let measures = store.list_measures(inspection, None).await.unwrap();
    let seen_by = |g: &[rectify_auth::Grant]| -> BTreeSet<i64> {
        Visibility::new(g).records(&summary, problems.clone(), measures.clone()).1.iter().map(|m| m.id).collect()
    };
    let both: BTreeSet<i64> = seen_by(&dept).intersection(&seen_by(&leader)).copied().collect();
    let record = measures
        .iter()
        .find(|m| both.contains(&m.id) && !matches!(m.measure.status, Some(rectify_domain::Status::Completed)))
        .expect("the demo department and leader share an open measure");
    // Evidence on it, stored as the department would, and a look-back.
    let (sha256, lookback_items) =
        common::evidence_and_lookback(&store, &dir.path().join("evidence"), &clock, inspection, record.id, "authz")
            .await;
    let lookback_item = *lookback_items.first().expect("the demo has closed problems to look back at");
    let state = AppState::new(store.clone()).with_clock(clock.clone()).with_evidence_dir(dir.path().join("evidence"));
    World {
        app: router(state),
        clock,
        inspection,
        problem: record.problem_id,
        measure: record.id,
        sha256,
        lookback_item,
        aspect: store.list_aspects(inspection).await.unwrap()[0].id,
        secrets: vec![ledger.unit.clone().unwrap(), record.measure.text.as_str().chars().take(20).collect()],
        _dir: dir,
    }
}

impl World {
    fn uri(&self, rule: &RouteRule) -> String {
        let id = match rule.target {
            Target::Inspection => self.inspection.to_string(),
            Target::Aspect => self.aspect.to_string(),
            Target::Problem => self.problem.to_string(),
            Target::Measure => self.measure.to_string(),
            Target::LookbackItem => self.lookback_item.to_string(),
            Target::Evidence | Target::None => "1".to_owned(),
        };
        rule.path
            .replace("{id}", &id)
            .replace("{sha256}", &self.sha256)
            .replace("{token}", "no-such-upload")
            .replace("{file}", "ledger.xlsx")
            .replace("{*path}", "app.css")
    }

    async fn sign_in(&self, username: &str, role: Role) -> Signed {
        // A fresh TOTP step for each administrator sign-in (codes cannot be replayed).
        self.clock.advance(Duration::seconds(30));
        let at = role.is_admin().then(|| self.clock.now());
        common::signed(&self.app, username, at).await
    }
}

fn multipart(fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let boundary = "----authzboundary";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), body.into_bytes())
}

/// A request for the route with a harmless body: enough to pass the checks in front of the
/// handler, never enough to change what the other calls see in a way that matters here.
fn request(rule: &RouteRule, uri: &str, who: Option<&Signed>, visitor: &(String, String)) -> Request<Body> {
    let mut builder = Request::builder().method(rule.method).uri(uri);
    let form_token = who.map_or(visitor.1.as_str(), |s| s.csrf.as_str());
    builder = match who {
        Some(s) if rule.path.starts_with("/api/") => {
            builder.header(header::COOKIE, &s.cookie).header("x-csrf-token", &s.csrf)
        }
        // Pages repeat the form token in the body (the header would be compared with it).
        Some(s) => builder.header(header::COOKIE, &s.cookie),
        // A visitor's browser holds the form token too (the login form needs it).
        None => builder.header(header::COOKIE, &visitor.0),
    };
    let api = rule.path.starts_with("/api/");
    let (content_type, body): (&str, Vec<u8>) = match (rule.method, rule.path) {
        ("GET", _) | ("DELETE", _) => return builder.body(Body::empty()).unwrap(),
        (_, p) if p.ends_with("/progress") || p == "/documents/upload" => {
            let (ct, body) = multipart(&[("csrf_token", form_token), ("version", "-1"), ("text", "进展")]);
            return builder.header(header::CONTENT_TYPE, ct).body(Body::from(body)).unwrap();
        }
        (_, "/api/session") => ("application/json", br#"{"username":"nobody","password":"wrong"}"#.to_vec()),
        (_, "/api/measures/{id}/actions") => ("application/json", br#"{"action":"start","version":-1}"#.to_vec()),
        (_, "/api/measures/{id}/reminders") => ("application/json", r#"{"message":"请抓紧"}"#.as_bytes().to_vec()),
        (_, "/api/problems/{id}/reopen") => ("application/json", r#"{"reason":"复查"}"#.as_bytes().to_vec()),
        (_, "/api/inspections/{id}/lookbacks") => {
            ("application/json", br#"{"scheduled_for":"2027-01-05","sample_size":1}"#.to_vec())
        }
        (_, "/api/lookback-items/{id}") => ("application/json", br#"{"result":"unknown"}"#.to_vec()),
        // Complete requests, so that an allowed caller reaches the evaluation itself.
        (_, "/api/inspections/{id}/evaluation/adjustments") => {
            ("application/json", r#"{"points":1,"reason":"核查"}"#.as_bytes().to_vec())
        }
        (_, "/api/rounds/{id}/common-problems/cascade") => {
            ("application/json", r#"{"title":"不是共性问题"}"#.as_bytes().to_vec())
        }
        (_, "/api/rounds/{id}/score-sheet") => ("application/json", default_sheet().into_bytes()),
        (_, "/api/me/notification-email") => ("application/json", br#"{"email":""}"#.to_vec()),
        (_, "/api/notification-settings") => ("application/json", br#"{"smtp":null,"webhook":null}"#.to_vec()),
        _ if api => ("application/json", b"{}".to_vec()),
        (_, path) => {
            let extra = match path {
                "/login" => "&username=nobody&password=wrong",
                "/measures/{id}/actions" => "&action=start&version=-1",
                "/measures/{id}/remind" => "&message=%E8%AF%B7%E6%8A%93%E7%B4%A7",
                "/account/password" => "&current=wrong&new=x&confirm=x",
                "/account/totp" => "&secret=AAAA&code=000000",
                "/documents/confirm" => "&token=no-such-upload",
                "/rounds/{id}/common-problems/cascade" => "&title=x",
                "/feedback/{id}/answer" => "&answer=%E5%B7%B2%E5%A4%84%E7%90%86",
                "/inspections/{id}/evaluation" => "&points=1&reason=%E6%A0%B8%E6%9F%A5",
                "/notifications/email" => "&email=",
                "/notifications/{id}/read" => "&next=%2Fnotifications",
                _ => "",
            };
            ("application/x-www-form-urlencoded", format!("csrf_token={form_token}{extra}").into_bytes())
        }
    };
    builder.header(header::CONTENT_TYPE, content_type).body(Body::from(body)).unwrap()
}

/// The default score sheet as the API reads it.
fn default_sheet() -> String {
    serde_json::to_string(&rectify_domain::evaluation::ScoreSheet::default()).unwrap()
}

/// What the table says a caller gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Any,
    SignIn,
    Forbidden,
    Allowed,
}

fn expected(rule: &RouteRule, role: Option<Role>) -> Expect {
    match (rule.access, role) {
        (Access::Public, _) => Expect::Any,
        (_, None) => Expect::SignIn,
        (Access::Account | Access::SignedIn, Some(_)) => Expect::Allowed,
        (Access::AnyOf(permissions), Some(role)) => {
            if permissions.iter().any(|p| allows(Some(role), *p)) {
                Expect::Allowed
            } else {
                Expect::Forbidden
            }
        }
    }
}

/// Every Rust source file of the crate.
fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `(METHOD, pattern)` of every route declared anywhere in the crate's sources: a `route!(…)`
/// entry, or a `.route("…", …)` call that would bypass the table.
fn declared_routes() -> (BTreeSet<(String, String)>, Vec<String>) {
    let mut files = Vec::new();
    sources(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
    assert!(files.len() > 30, "the scan found only {} source files", files.len());
    let mut found = BTreeSet::new();
    let mut bypasses = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        // Doc comments may show the macro; only code declares routes.
        let code: String = source.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
        for chunk in code.split("route!(").skip(1) {
            let mut words = chunk.split_whitespace();
            let (Some(method), Some(path)) = (words.next(), words.next()) else { continue };
            if let Some(path) = path.strip_prefix('"').and_then(|p| p.split('"').next()) {
                found.insert((method.to_owned(), path.to_owned()));
            }
        }
        if code.contains(".route(\"") {
            bypasses.push(file.display().to_string());
        }
    }
    (found, bypasses)
}

#[test]
fn the_table_covers_every_route_declared_in_the_sources_once() {
    let (routes, bypasses) = declared_routes();
    assert!(bypasses.is_empty(), "routes outside the table in {bypasses:?}");
    assert!(routes.len() >= 70, "the source scan found only {} routes", routes.len());
    for (method, path) in &routes {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        assert!(rectify_server::authz::rule_for(&method, path).is_some(), "{method} {path} has no access rule");
    }
    let mut seen = BTreeSet::new();
    for rule in table() {
        assert!(seen.insert((rule.method, rule.path)), "{} {} appears twice", rule.method, rule.path);
        assert!(
            routes.contains(&(rule.method.to_owned(), rule.path.to_owned())),
            "{} {} is in the table but declared nowhere",
            rule.method,
            rule.path
        );
    }
}

#[tokio::test]
async fn every_route_as_every_role_and_anonymous_matches_the_table() {
    let w = world().await;
    // The OpenAPI document lists no operation the table does not know.
    let doc = send(&w.app, Request::get("/api/openapi.json").body(Body::empty()).unwrap()).await.json();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            assert!(
                rectify_server::authz::rule_for(&method, path).is_some(),
                "{method} {path} undocumented in the table"
            );
        }
    }
    // Signing out ends the session: those two go last, each with a session of its own.
    let ends_session = |r: &RouteRule| matches!((r.method, r.path), ("DELETE", "/api/session") | ("POST", "/logout"));
    let all = table();
    let rules: Vec<&RouteRule> = all.iter().collect();
    let mut checked = 0;
    // A visitor's browser holds the form cookie and token of the sign-in page.
    let visitor = common::anonymous_form(&w.app).await;
    let callers: Vec<Option<(&str, Role)>> =
        std::iter::once(None).chain(common::DEMO_ACCOUNTS.iter().copied().map(Some)).collect();
    for caller in callers {
        let mut session = match caller {
            Some((name, role)) => Some(w.sign_in(name, role).await),
            None => None,
        };
        let ordered = rules.iter().filter(|r| !ends_session(r)).chain(rules.iter().filter(|r| ends_session(r)));
        for rule in ordered {
            if ends_session(rule)
                && let Some((name, role)) = caller
            {
                session = Some(w.sign_in(name, role).await);
            }
            let uri = w.uri(rule);
            let a = send(&w.app, request(rule, &uri, session.as_ref(), &visitor)).await;
            let role = caller.map(|(_, r)| r);
            let what = format!(
                "{} {uri} as {role:?}: {} {}",
                rule.method,
                a.status,
                a.text().chars().take(200).collect::<String>()
            );
            match expected(rule, role) {
                Expect::Any => assert_ne!(a.status, StatusCode::FORBIDDEN, "{what}"),
                Expect::SignIn if rule.path.starts_with("/api/") => {
                    assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{what}");
                    assert_eq!(a.json()["error"], "unauthorized", "{what}");
                }
                Expect::SignIn if rule.method == "GET" => {
                    assert_eq!(a.status, StatusCode::SEE_OTHER, "{what}");
                    assert!(a.location().starts_with("/login?next=%2F"), "{what}");
                }
                Expect::SignIn => assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{what}"),
                Expect::Forbidden => {
                    assert_eq!(a.status, StatusCode::FORBIDDEN, "{what}");
                    if rule.path.starts_with("/api/") {
                        assert_eq!(a.json()["error"], "forbidden", "{what}");
                    } else {
                        assert!(a.text().contains("无权访问"), "{what}");
                    }
                }
                Expect::Allowed => {
                    assert!(![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&a.status), "{what}");
                    // What the table names exists; other ids (uploads, feedback) may not.
                    assert!(a.status != StatusCode::NOT_FOUND || rule.target == Target::None, "{what}");
                    // 重置动态口令 on account 1, the demo liaison, who has none: refused, so the
                    // administrators' own factors stay for the sign-ins that follow.
                    if matches!(rule.path, "/api/users/{id}/reset-second-factor" | "/admin/users/{id}/totp") {
                        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}");
                    }
                }
            }
            if matches!(expected(rule, role), Expect::SignIn | Expect::Forbidden) {
                let body = a.text();
                for secret in &w.secrets {
                    assert!(!body.contains(secret.as_str()), "a refusal leaks {secret:?}: {what}");
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, rules.len() * 10);
}

#[tokio::test]
async fn data_scope_limits_departments_and_leaders_and_the_audit_admin_sees_only_the_trail() {
    let w = world().await;
    let dept = w.sign_in("dept", Role::Department).await;
    let get = |uri: String, s: &Signed| {
        let request = Request::get(uri).header(header::COOKIE, &s.cookie).body(Body::empty()).unwrap();
        send(&w.app, request)
    };
    let mine = get(format!("/api/inspections/{}/measures?limit=500", w.inspection), &dept).await.json();
    let mine: Vec<i64> = mine["items"].as_array().unwrap().iter().map(|m| m["id"].as_i64().unwrap()).collect();
    let all = w.sign_in("office", Role::InspectionOffice).await;
    let every = get(format!("/api/inspections/{}/measures?limit=500", w.inspection), &all).await.json();
    let every: Vec<i64> = every["items"].as_array().unwrap().iter().map(|m| m["id"].as_i64().unwrap()).collect();
    assert!(!mine.is_empty() && mine.len() < every.len(), "department sees {} of {}", mine.len(), every.len());
    let other = every.iter().find(|id| !mine.contains(id)).unwrap();
    let a = get(format!("/api/measures/{other}"), &dept).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text());
    let a = get(format!("/measures/{other}"), &dept).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(a.text().contains("无权访问"));
    // The page of the ledger shows the department's problems only.
    let page = get(format!("/inspections/{}/ledger", w.inspection), &dept).await.text();
    assert!(page.contains(&format!("/measures/{}\"", w.measure)));
    assert!(!page.contains(&format!("/measures/{other}\"")));

    let auditor = w.sign_in("auditor", Role::AuditAdmin).await;
    assert_eq!(get("/api/inspections".into(), &auditor).await.status, StatusCode::FORBIDDEN);
    let trail = get("/api/audit?limit=500".into(), &auditor).await;
    assert_eq!(trail.status, StatusCode::OK);
    let trail = trail.json();
    let actions: Vec<String> =
        trail["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect();
    let total = trail["total"].as_u64().unwrap();
    assert!(total >= 2 && total >= actions.len() as u64, "{trail}");
    // Paged like every list: one entry with the same total, the next one at offset 1, and
    // page 10¹² or a limit of 10⁹ answered at once (empty; clamped to 500).
    let one = get("/api/audit?limit=1".into(), &auditor).await.json();
    assert_eq!((one["items"].as_array().unwrap().len(), &one["total"]), (1, &trail["total"]));
    let second = get("/api/audit?limit=1&offset=1".into(), &auditor).await.json();
    assert_eq!(second["items"][0]["seq"], trail["items"][1]["seq"]);
    let far = get("/api/audit?offset=1000000000000".into(), &auditor).await.json();
    assert_eq!((far["items"].as_array().unwrap().len(), &far["total"]), (0, &trail["total"]));
    let big = get("/api/audit?limit=1000000000".into(), &auditor).await;
    assert_eq!(big.status, StatusCode::OK);
    assert!(big.json()["items"].as_array().unwrap().len() <= 500);
    assert!(actions.iter().any(|a| a == "login.ok"), "{actions:?}");
    let verify = get("/api/audit/verify".into(), &auditor).await.json();
    assert_eq!(verify["intact"], true);
    let home = get("/".into(), &auditor).await.text();
    assert!(home.contains("审计日志") && !home.contains(&w.secrets[0]), "the audit admin's home shows no ledger");
    // The discipline inspection reads everything but takes no workflow step.
    assert!(!allows(Some(Role::DisciplineInspection), Permission::VerifyClosure));
}

#[tokio::test]
async fn the_ledger_is_edited_by_its_units_liaison_and_inspections_are_created_by_the_office() {
    let w = world().await;
    let call = |method: &str, uri: String, s: &Signed, body: serde_json::Value| {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::COOKIE, &s.cookie)
            .header("x-csrf-token", &s.csrf)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        send(&w.app, request)
    };
    let change = serde_json::json!({"version": 0, "description": "补充问题表现"});
    for (name, role, allowed) in [
        ("liaison", Role::UnitLiaison, true),
        ("dept", Role::Department, false),
        ("leader", Role::LeaderInCharge, false),
        ("group", Role::LeadingGroup, false),
        ("office", Role::InspectionOffice, false),
        ("jijian", Role::DisciplineInspection, false),
    ] {
        let s = w.sign_in(name, role).await;
        let a = call("PATCH", format!("/api/problems/{}", w.problem), &s, change.clone()).await;
        let expected = if allowed { StatusCode::OK } else { StatusCode::FORBIDDEN };
        assert_eq!(a.status, expected, "{name}: {}", a.text());
        if allowed {
            // The second time the version is stale.
            let a = call("PATCH", format!("/api/problems/{}", w.problem), &s, change.clone()).await;
            assert_eq!(a.status, StatusCode::CONFLICT, "{name}: {}", a.text());
            assert_eq!(a.json()["current_version"], 1);
        }
        let a = call("POST", "/api/inspections".to_owned(), &s, serde_json::json!({"unit": "某某区新单位"})).await;
        match role {
            Role::InspectionOffice => assert_eq!(a.status, StatusCode::CREATED, "{name}: {}", a.text()),
            // The route admits a liaison (for its own unit); a grant limited to one inspection reaches no new one.
            Role::UnitLiaison => assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {}", a.text()),
            _ => assert_eq!(a.status, StatusCode::FORBIDDEN, "{name}: {}", a.text()),
        }
    }
}
