//! Sign-in rules over HTTP with a fixed clock: lockout and unlock, idle timeout and lifetime,
//! the forced change at first sign-in, TOTP for administrators, cookie attributes, security
//! events in the audit trail, and the CSRF check on every state-changing browser request.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use chrono::Duration;
use common::{account, send, sign_in};
use rectify_auth::{Clock, FixedClock, allows};
use rectify_domain::roles::Role;
use rectify_server::authz::{Access, table};
use rectify_server::users::{DEMO_PASSWORD, create_user};
use rectify_server::{AppState, router};
use rectify_storage::{AuditFilter, Page, RoleGrant, Store};

struct Fixture {
    app: Router,
    store: Store,
    clock: Arc<FixedClock>,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite:{}", dir.path().join("auth.sqlite").display())).await.unwrap();
    let clock = common::clock();
    let app = router(AppState::new(store.clone()).with_clock(clock.clone()));
    Fixture { app, store, clock, _dir: dir }
}

async fn get(app: &Router, uri: &str, cookie: &str) -> common::Answer {
    send(app, Request::get(uri).header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await
}

fn session_of(a: &common::Answer) -> String {
    let set = a.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

async fn actions(store: &Store) -> Vec<(String, String)> {
    let entries = store.list_audit(&AuditFilter::default(), Page { offset: 0, limit: 500 }).await.unwrap();
    entries.into_iter().rev().map(|e| (e.action, e.result)).collect()
}

#[tokio::test]
async fn the_fifth_failure_locks_for_thirty_minutes() {
    let f = fixture().await;
    account(&f.store, "zhang", RoleGrant::everywhere(Role::InspectionOffice), f.clock.as_ref()).await;
    for _ in 0..4 {
        let a = sign_in(&f.app, "zhang", "Wrong#Pass1", None).await;
        assert_eq!((a.status, a.json()["error"].clone()), (StatusCode::UNAUTHORIZED, "bad_credentials".into()));
    }
    let a = sign_in(&f.app, "zhang", "Wrong#Pass1", None).await;
    assert_eq!(a.json()["error"], "locked", "the fifth failure locks");
    assert!(a.json()["message_zh"].as_str().unwrap().contains("锁定"));
    // The right password does not open a locked account, until the 30 minutes are over.
    assert_eq!(sign_in(&f.app, "zhang", DEMO_PASSWORD, None).await.json()["error"], "locked");
    f.clock.advance(Duration::minutes(30) - Duration::seconds(1));
    assert_eq!(sign_in(&f.app, "zhang", DEMO_PASSWORD, None).await.json()["error"], "locked");
    f.clock.advance(Duration::seconds(1));
    assert_eq!(sign_in(&f.app, "zhang", DEMO_PASSWORD, None).await.status, StatusCode::OK);
    let trail = actions(&f.store).await;
    assert_eq!(trail.iter().filter(|(a, _)| a == "login.failed").count(), 4 + 2);
    assert_eq!(trail.iter().filter(|(a, _)| a == "login.locked").count(), 1);
    assert_eq!(trail.last().map(|(a, _)| a.as_str()), Some("login.ok"));
}

#[tokio::test]
async fn unknown_names_get_the_same_answer_and_are_recorded() {
    let f = fixture().await;
    account(&f.store, "zhang", RoleGrant::everywhere(Role::InspectionOffice), f.clock.as_ref()).await;
    let unknown = sign_in(&f.app, "nobody", DEMO_PASSWORD, None).await;
    let wrong = sign_in(&f.app, "zhang", "Wrong#Pass1", None).await;
    assert_eq!(unknown.status, wrong.status);
    assert_eq!(unknown.json(), wrong.json());
    assert!(actions(&f.store).await.contains(&("login.failed".into(), "refused: unknown user".into())));
}

#[tokio::test]
async fn sessions_end_after_thirty_idle_minutes_and_at_their_lifetime() {
    let f = fixture().await;
    account(&f.store, "zhang", RoleGrant::everywhere(Role::InspectionOffice), f.clock.as_ref()).await;
    let cookie = session_of(&sign_in(&f.app, "zhang", DEMO_PASSWORD, None).await);
    f.clock.advance(Duration::minutes(29));
    assert_eq!(get(&f.app, "/api/me", &cookie).await.status, StatusCode::OK, "29 idle minutes are fine");
    f.clock.advance(Duration::minutes(30));
    let a = get(&f.app, "/api/me", &cookie).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED, "30 idle minutes end the session");
    let page = get(&f.app, "/inbox", &cookie).await;
    assert_eq!((page.status, page.location()), (StatusCode::SEE_OTHER, "/login?next=%2Finbox".into()));
    assert!(actions(&f.store).await.iter().any(|(a, _)| a == "session.idle_timeout"));

    // Busy all day, a session still ends at the policy's lifetime (12 hours).
    let cookie = session_of(&sign_in(&f.app, "zhang", DEMO_PASSWORD, None).await);
    for _ in 0..35 {
        f.clock.advance(Duration::minutes(20));
        assert_eq!(get(&f.app, "/api/me", &cookie).await.status, StatusCode::OK);
    }
    f.clock.advance(Duration::minutes(20));
    assert_eq!(get(&f.app, "/api/me", &cookie).await.status, StatusCode::UNAUTHORIZED, "12 hours after sign-in");
}

#[tokio::test]
async fn first_sign_in_forces_a_password_change_under_the_policy() {
    let f = fixture().await;
    let grant = RoleGrant::everywhere(Role::InspectionOffice);
    create_user(&f.store, "li", "李某某", DEMO_PASSWORD, vec![grant], true, f.clock.as_ref()).await.unwrap();
    let a = sign_in(&f.app, "li", DEMO_PASSWORD, None).await;
    assert_eq!(a.json()["restriction"], "password_change_required");
    let cookie = session_of(&a);
    let token = a.json()["csrf_token"].as_str().unwrap().to_owned();
    let api = get(&f.app, "/api/inspections", &cookie).await;
    assert_eq!((api.status, api.json()["error"].clone()), (StatusCode::FORBIDDEN, "password_change_required".into()));
    let page = get(&f.app, "/", &cookie).await;
    assert_eq!((page.status, page.location()), (StatusCode::SEE_OTHER, "/account/password".into()));
    assert!(get(&f.app, "/account/password", &cookie).await.text().contains("首次登录或口令已到期"));

    let change = |new: &str| {
        let body = format!("csrf_token={token}&current={}&new={new}&confirm={new}", encode(DEMO_PASSWORD));
        Request::post("/account/password")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let reused = send(&f.app, change(&encode(DEMO_PASSWORD))).await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reused.text().contains("不得使用最近5次用过的口令"), "{}", reused.text());
    let weak = send(&f.app, change("abcdefgh")).await;
    assert!(weak.text().contains("至少3类"));
    let done = send(&f.app, change("Zhenggai%232025ok")).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    let renewed = session_of(&done);
    assert_eq!(get(&f.app, "/api/me", &renewed).await.json()["restriction"], serde_json::Value::Null);
    assert_eq!(get(&f.app, "/api/me", &cookie).await.status, StatusCode::UNAUTHORIZED, "old sessions end");
    assert_eq!(sign_in(&f.app, "li", "Zhenggai#2025ok", None).await.status, StatusCode::OK);
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { char::from(b).to_string() } else { format!("%{b:02X}") })
        .collect()
}

#[tokio::test]
async fn administrators_enrol_totp_and_then_need_a_fresh_code() {
    let f = fixture().await;
    let grant = RoleGrant::everywhere(Role::AuditAdmin);
    create_user(&f.store, "shen", "审计员", DEMO_PASSWORD, vec![grant], false, f.clock.as_ref()).await.unwrap();
    let a = sign_in(&f.app, "shen", DEMO_PASSWORD, None).await;
    assert_eq!(a.json()["restriction"], "totp_enrolment_required");
    let cookie = session_of(&a);
    assert_eq!(get(&f.app, "/audit", &cookie).await.location(), "/account/totp");
    let page = get(&f.app, "/account/totp", &cookie).await.text();
    let at = page.find("id=\"totp-secret\">").unwrap() + 17;
    let secret = page[at..].split('<').next().unwrap().to_owned();
    assert!(page.contains("otpauth:&#x2f;&#x2f;totp&#x2f;"), "the enrolment URI is shown");
    let key = rectify_auth::TotpSecret::from_base32(&secret).unwrap();
    let code = rectify_auth::totp::totp_code(&key, f.clock.now()).unwrap();
    let enrol = Request::post("/account/totp")
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("csrf_token={}&secret={secret}&code={code}", common::hidden_token(&page).unwrap())))
        .unwrap();
    assert_eq!(send(&f.app, enrol).await.status, StatusCode::SEE_OTHER);
    assert_eq!(get(&f.app, "/audit", &cookie).await.status, StatusCode::OK, "enrolled: the trail opens");

    assert_eq!(sign_in(&f.app, "shen", DEMO_PASSWORD, None).await.json()["error"], "second_factor_required");
    f.clock.advance(Duration::seconds(30));
    let code = rectify_auth::totp::totp_code(&key, f.clock.now()).unwrap();
    assert_eq!(sign_in(&f.app, "shen", DEMO_PASSWORD, Some(code.clone())).await.status, StatusCode::OK);
    let replay = sign_in(&f.app, "shen", DEMO_PASSWORD, Some(code)).await;
    assert_eq!(replay.json()["error"], "bad_second_factor", "a code is accepted once");

    // Issue 13, finding 8: replacing the enrolled authenticator takes the password and a current
    // code of it, not the session alone.
    f.clock.advance(Duration::seconds(60));
    let page = get(&f.app, "/account/totp", &cookie).await.text();
    assert!(page.contains("name=\"password\"") && page.contains("name=\"current_code\""), "{page}");
    let at = page.find("id=\"totp-secret\">").unwrap() + 17;
    let fresh = page[at..].split('<').next().unwrap().to_owned();
    let new_key = rectify_auth::TotpSecret::from_base32(&fresh).unwrap();
    let new_code = rectify_auth::totp::totp_code(&new_key, f.clock.now()).unwrap();
    let current = rectify_auth::totp::totp_code(&key, f.clock.now()).unwrap();
    let token = common::hidden_token(&page).unwrap();
    let reenrol = |extra: String| {
        Request::post("/account/totp")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf_token={token}&secret={fresh}&code={new_code}{extra}")))
            .unwrap()
    };
    let password = encode(DEMO_PASSWORD);
    for (extra, message) in [
        (String::new(), "当前登录口令不正确"),
        (format!("&password=Wrong%231234&current_code={current}"), "当前登录口令不正确"),
        (format!("&password={password}&current_code=000000"), "原验证器的动态口令不正确"),
    ] {
        let a = send(&f.app, reenrol(extra)).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(a.text().contains(message), "{message}");
    }
    let stored = f.store.find_user_by_username("shen").await.unwrap().unwrap();
    let stored = f.store.open_totp_secret(&stored).unwrap();
    assert_eq!(stored.as_deref(), Some(key.to_base32().as_str()), "the old authenticator stays");
    let a = send(&f.app, reenrol(format!("&password={password}&current_code={current}"))).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let stored = f.store.find_user_by_username("shen").await.unwrap().unwrap();
    let stored = f.store.open_totp_secret(&stored).unwrap();
    assert_eq!(stored.as_deref(), Some(new_key.to_base32().as_str()), "replaced");
}

#[tokio::test]
async fn cookies_are_http_only_strict_and_secure_over_tls() {
    let f = fixture().await;
    account(&f.store, "zhang", RoleGrant::everywhere(Role::InspectionOffice), f.clock.as_ref()).await;
    let a = sign_in(&f.app, "zhang", DEMO_PASSWORD, None).await;
    let set = a.headers[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict") && !set.contains("Secure"), "{set}");
    let body = serde_json::json!({ "username": "zhang", "password": DEMO_PASSWORD }).to_string();
    let mut over_tls = Request::post("/api/session")
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-forwarded-proto", "https")
        .body(Body::from(body))
        .unwrap();
    over_tls.extensions_mut().insert(ConnectInfo("192.0.2.7:50000".parse::<SocketAddr>().unwrap()));
    let a = send(&f.app, over_tls).await;
    assert!(a.headers[header::SET_COOKIE].to_str().unwrap().ends_with("; Secure"));
    let entries = f.store.list_audit(&AuditFilter::default(), Page::default()).await.unwrap();
    assert_eq!(entries[0].action, "login.ok");
    assert_eq!(entries[0].address.as_deref(), Some("192.0.2.7"), "the client's address is recorded");
    // Sign-out clears the cookie and is recorded.
    let cookie = session_of(&a);
    let csrf = a.json()["csrf_token"].as_str().unwrap().to_owned();
    let out = Request::delete("/api/session")
        .header(header::COOKIE, &cookie)
        .header("x-csrf-token", csrf)
        .body(Body::empty());
    let out = send(&f.app, out.unwrap()).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert!(out.headers[header::SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(get(&f.app, "/api/me", &cookie).await.status, StatusCode::UNAUTHORIZED);
    assert!(actions(&f.store).await.iter().any(|(a, _)| a == "logout"));
}

#[tokio::test]
async fn every_state_changing_request_needs_its_csrf_token() {
    let f = fixture().await;
    let mut sessions = Vec::new();
    for role in [
        Role::UnitLiaison,
        Role::Department,
        Role::LeaderInCharge,
        Role::LeadingGroup,
        Role::InspectionOffice,
        Role::DisciplineInspection,
    ] {
        let name = role.as_str();
        account(&f.store, name, RoleGrant::everywhere(role), f.clock.as_ref()).await;
        let a = sign_in(&f.app, name, DEMO_PASSWORD, None).await;
        sessions.push((role, session_of(&a)));
    }
    let visitor = common::anonymous_form(&f.app).await;
    let mut checked = 0;
    for rule in table().iter().filter(|r| r.method != "GET") {
        let uri = rule.path.replace("{id}", "1");
        let cookie = match rule.access {
            Access::Public => visitor.0.clone(),
            Access::AnyOf(perms) => {
                match sessions.iter().find(|(role, _)| perms.iter().any(|p| allows(Some(*role), *p))) {
                    Some((_, c)) => c.clone(),
                    None => continue,
                }
            }
            _ => sessions[0].1.clone(),
        };
        if rule.path == "/api/session" && rule.method == "POST" {
            continue; // signing in has no session yet: it takes JSON only, which no form can send
        }
        let request = Request::builder()
            .method(rule.method)
            .uri(&uri)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("x=1"))
            .unwrap();
        let a = send(&f.app, request).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{} {uri} without a token: {}", rule.method, a.text());
        if rule.path.starts_with("/api/") {
            assert_eq!(a.json()["error"], "csrf");
        } else {
            assert!(a.text().contains("安全校验"), "{} {uri}", rule.method);
        }
        checked += 1;
    }
    assert!(checked >= 20, "{checked}");
}

/// Issue 13, finding 9: the form token is the session's (or, without one, the server's MAC of the
/// cookie's nonce), so a cookie value planted by another site and repeated in the form fails.
#[tokio::test]
async fn a_planted_form_cookie_no_longer_passes() {
    let f = fixture().await;
    account(&f.store, "zhang", RoleGrant::everywhere(Role::InspectionOffice), f.clock.as_ref()).await;
    account(&f.store, "wang", RoleGrant::everywhere(Role::InspectionOffice), f.clock.as_ref()).await;
    let zhang = common::signed(&f.app, "zhang", None).await;
    let wang = common::signed(&f.app, "wang", None).await;
    let planted = "0123456789abcdef".repeat(4);
    let post = |uri: &str, cookie: String, token: &str, extra: &str| {
        Request::post(uri)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf_token={token}{extra}")))
            .unwrap()
    };
    // Signed in: the page hands out the session's own token, the one the API takes.
    assert_eq!(common::page_token(&f.app, &zhang.cookie, "/").await, zhang.csrf);
    let with_planted = format!("{}; rectify_csrf={planted}", zhang.cookie);
    let a = send(&f.app, post("/logout", with_planted, &planted, "")).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "a planted pair");
    let a = send(&f.app, post("/logout", zhang.cookie.clone(), &wang.csrf, "")).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "another session's token");
    assert_eq!(get(&f.app, "/api/me", &zhang.cookie).await.status, StatusCode::OK, "still signed in");
    let a = send(&f.app, post("/logout", zhang.cookie.clone(), &zhang.csrf, "")).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "the session's token: {}", a.text());
    assert_eq!(get(&f.app, "/api/me", &zhang.cookie).await.status, StatusCode::UNAUTHORIZED);

    // Without a session (the sign-in form): the token is the server's MAC of the nonce.
    let login = format!("&username=wang&password={}", encode(DEMO_PASSWORD));
    let a = send(&f.app, post("/login", format!("rectify_csrf={planted}"), &planted, &login)).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "a planted nonce repeated in the form");
    let (cookie, token) = common::anonymous_form(&f.app).await;
    assert_ne!(cookie, format!("rectify_csrf={token}"));
    let a = send(&f.app, post("/login", cookie, &token, &login)).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "the handed-out pair signs in: {}", a.text());
}

#[tokio::test]
async fn an_unknown_name_locks_like_a_known_one() {
    let f = fixture().await;
    account(&f.store, "zhang", RoleGrant::everywhere(Role::InspectionOffice), f.clock.as_ref()).await;
    for attempt in 1..=6 {
        let unknown = sign_in(&f.app, "nobody", "Wrong#Pass1", None).await;
        let known = sign_in(&f.app, "zhang", "Wrong#Pass1", None).await;
        assert_eq!((unknown.status, unknown.json()), (known.status, known.json()), "attempt {attempt}");
        if attempt >= 5 {
            assert_eq!(known.json()["error"], "locked", "attempt {attempt}");
        }
    }
}

#[tokio::test]
async fn a_lockout_leaves_the_owners_sessions_alive() {
    let f = fixture().await;
    account(&f.store, "zhang", RoleGrant::everywhere(Role::InspectionOffice), f.clock.as_ref()).await;
    let cookie = session_of(&sign_in(&f.app, "zhang", DEMO_PASSWORD, None).await);
    for _ in 0..5 {
        sign_in(&f.app, "zhang", "Wrong#Pass1", None).await;
    }
    assert_eq!(sign_in(&f.app, "zhang", DEMO_PASSWORD, None).await.json()["error"], "locked");
    assert_eq!(get(&f.app, "/api/me", &cookie).await.status, StatusCode::OK, "the owner stays signed in");
}

/// TOTP secrets are sealed at rest (等保 数据保密性): the column holds no secret, sign-in works
/// with the sealed one and with one left in plaintext from before sealing (sealed by the
/// start-up pass), and a changed one fails closed with a clear message. Both backends.
#[tokio::test]
async fn sealed_totp_secrets_sign_in_and_a_changed_one_fails_closed() {
    for (backend, store, _dir) in common::backends().await {
        let clock = common::clock();
        let app = router(AppState::new(store.clone()).with_clock(clock.clone()));
        let id = account(&store, "shen", RoleGrant::everywhere(Role::AuditAdmin), clock.as_ref()).await;
        let secret = common::admin_secret().to_base32();
        let column = |store: Store| async move {
            sqlx::query_scalar::<_, String>("SELECT totp_secret FROM users WHERE id = $1")
                .bind(id)
                .fetch_one(store.pool())
                .await
                .unwrap()
        };
        let sealed = column(store.clone()).await;
        assert!(sealed.starts_with("sm4:") && !sealed.contains(&secret), "{backend}: {sealed}");
        let code = |at| Some(rectify_auth::totp::totp_code(&common::admin_secret(), at).unwrap());
        let a = sign_in(&app, "shen", DEMO_PASSWORD, code(clock.now())).await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());

        // A secret stored before sealing still signs in, and the start-up pass seals it.
        sqlx::query("UPDATE users SET totp_secret = $1 WHERE id = $2")
            .bind(secret.clone())
            .bind(id)
            .execute(store.pool())
            .await
            .unwrap();
        clock.advance(Duration::seconds(30));
        assert_eq!(sign_in(&app, "shen", DEMO_PASSWORD, code(clock.now())).await.status, StatusCode::OK, "{backend}");
        let system = rectify_storage::Acting::system();
        assert_eq!(store.seal_totp_secrets(&system, clock.now()).await.unwrap(), 1, "{backend}");
        let resealed = column(store.clone()).await;
        assert!(resealed.starts_with("sm4:") && !resealed.contains(&secret), "{backend}: {resealed}");
        clock.advance(Duration::seconds(30));
        assert_eq!(sign_in(&app, "shen", DEMO_PASSWORD, code(clock.now())).await.status, StatusCode::OK, "{backend}");

        // One hex digit of the ciphertext changed: refused, whatever the code, and said why.
        let last = resealed.chars().last().unwrap();
        let changed = format!("{}{}", &resealed[..resealed.len() - 1], if last == '0' { '1' } else { '0' });
        sqlx::query("UPDATE users SET totp_secret = $1 WHERE id = $2")
            .bind(changed)
            .bind(id)
            .execute(store.pool())
            .await
            .unwrap();
        clock.advance(Duration::seconds(30));
        let a = sign_in(&app, "shen", DEMO_PASSWORD, code(clock.now())).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{backend}");
        assert_eq!(a.json()["error"], "second_factor_unreadable", "{backend}");
        assert!(a.json()["message_zh"].as_str().unwrap().contains("篡改"), "{backend}: {}", a.text());
        assert!(a.headers.get(header::SET_COOKIE).is_none(), "{backend}: no session");
        let trail = actions(&store).await;
        assert_eq!(
            trail.last(),
            Some(&("login.failed".to_owned(), "refused: the enrolled TOTP secret does not open".to_owned())),
            "{backend}"
        );
        let entries = store.list_audit(&AuditFilter::default(), Page { offset: 0, limit: 500 }).await.unwrap();
        assert!(entries.iter().all(|e| !format!("{e:?}").contains(&secret)), "{backend}: the secret is in the trail");
    }
}
