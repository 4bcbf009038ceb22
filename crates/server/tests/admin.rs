//! The three administrators (三员分立) at work: each does their own job over the API and the
//! pages and is refused the others'; role sets that combine administrators are refused; the
//! security policy can only be tightened, and a tightened policy applies at once and after a
//! restart; a password reset ends the sessions and forces a change at the next sign-in; a lost
//! or unreadable second factor is reset by the system administrator; every change lands in the
//! audit trail.

mod common;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::Duration;
use common::{Answer, Signed, send};
use rectify_auth::{Clock, FixedClock};
use rectify_domain::roles::Role;
use rectify_server::demo::demo_ledger;
use rectify_server::users::DEMO_PASSWORD;
use rectify_server::{AppState, router};
use rectify_storage::{RoleGrant, Store};
use serde_json::{Value, json};

struct World {
    app: Router,
    store: Store,
    clock: Arc<FixedClock>,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite:{}", dir.path().join("admin.sqlite").display())).await.unwrap();
    world_on(store, dir).await
}

/// The four accounts (the administrators enrolled in TOTP) on `store`.
async fn world_on(store: Store, dir: tempfile::TempDir) -> World {
    let clock = common::clock();
    for (name, role) in [
        ("sysadmin", Role::SystemAdmin),
        ("secadmin", Role::SecurityAdmin),
        ("auditor", Role::AuditAdmin),
        ("office", Role::InspectionOffice),
    ] {
        common::account(&store, name, RoleGrant::everywhere(role), clock.as_ref()).await;
    }
    let app = router(AppState::new(store.clone()).with_clock(clock.clone()));
    World { app, store, clock, _dir: dir }
}

impl World {
    async fn sign_in(&self, name: &str) -> Signed {
        // A fresh TOTP step for every administrator sign-in (codes cannot be replayed).
        self.clock.advance(Duration::seconds(30));
        let admin = name != "office" && !name.starts_with("new");
        common::signed(&self.app, name, admin.then(|| self.clock.now())).await
    }

    async fn call(&self, method: &str, uri: &str, who: &Signed, body: Option<Value>) -> Answer {
        let builder = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::COOKIE, &who.cookie)
            .header("x-csrf-token", &who.csrf);
        let request = match body {
            Some(b) => builder.header(header::CONTENT_TYPE, "application/json").body(Body::from(b.to_string())),
            None => builder.body(Body::empty()),
        };
        send(&self.app, request.unwrap()).await
    }

    async fn form(&self, uri: &str, who: &Signed, fields: &str) -> Answer {
        let request = Request::post(uri)
            .header(header::COOKIE, &who.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf_token={}&{fields}", who.csrf)))
            .unwrap();
        send(&self.app, request).await
    }

    async fn page(&self, uri: &str, who: &Signed) -> Answer {
        let request = Request::get(uri).header(header::COOKIE, &who.cookie).body(Body::empty()).unwrap();
        send(&self.app, request).await
    }

    async fn id_of(&self, name: &str) -> i64 {
        self.store.find_user_by_username(name).await.unwrap().unwrap().id
    }

    async fn actions(&self) -> Vec<String> {
        let filter = rectify_storage::AuditFilter::default();
        let page = rectify_storage::Page { offset: 0, limit: 500 };
        self.store.list_audit(&filter, page).await.unwrap().into_iter().map(|e| e.action).collect()
    }
}

const NEW_PASSWORD: &str = "Xin#Zhanghao2026";

#[tokio::test]
async fn the_system_admin_creates_an_account_without_roles_that_must_change_its_password() {
    let w = world().await;
    let sys = w.sign_in("sysadmin").await;
    let body = json!({ "username": "newclerk", "display_name": "新办事员", "password": NEW_PASSWORD });
    let a = w.call("POST", "/api/users", &sys, Some(body.clone())).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let created = a.json();
    assert_eq!(created["username"], "newclerk");
    assert_eq!(created["must_change_password"], true);
    assert_eq!(created["roles"], json!([]));
    assert!(created.get("password_phc").is_none() && !a.text().contains("argon2"));
    // The same name twice is refused in Chinese.
    let again = w.call("POST", "/api/users", &sys, Some(body)).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.json()["message_zh"].as_str().unwrap().contains("已被使用"), "{}", again.text());
    // A password weaker than the policy is refused.
    let weak = json!({ "username": "newweak", "display_name": "x", "password": "short1" });
    let a = w.call("POST", "/api/users", &sys, Some(weak)).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text());
    let list = w.call("GET", "/api/users", &sys, None).await.json();
    assert_eq!(list["total"], 5, "{list}");
    let names: Vec<&str> = list["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["auditor", "newclerk", "office", "secadmin", "sysadmin"]);
    let page = w.call("GET", "/api/users?limit=2&offset=1", &sys, None).await.json();
    let names: Vec<&str> = page["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!((names, &page["total"]), (vec!["newclerk", "office"], &serde_json::json!(5)));
    let far = w.call("GET", "/api/users?offset=1000000000000", &sys, None).await.json();
    assert_eq!(far["items"], serde_json::json!([]));
    assert_eq!(w.call("GET", "/api/users?limit=abc", &sys, None).await.status, StatusCode::BAD_REQUEST);
    // Without a role the new account cannot use the system yet.
    let a = common::sign_in(&w.app, "newclerk", NEW_PASSWORD, None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.json()["restriction"], "password_change_required");
    assert!(w.actions().await.contains(&"user.create".to_owned()));
}

#[tokio::test]
async fn each_admin_is_refused_the_others_work() {
    let w = world().await;
    let (sys, sec, aud, office) = (
        w.sign_in("sysadmin").await,
        w.sign_in("secadmin").await,
        w.sign_in("auditor").await,
        w.sign_in("office").await,
    );
    let target = w.id_of("office").await;
    let create = json!({ "username": "newx", "display_name": "x", "password": NEW_PASSWORD });
    let roles = json!({ "roles": [{ "role": "inspection_office" }] });
    let policy = json!({ "password_min_length": 10 });
    let reset = json!({ "password": NEW_PASSWORD });
    let calls: Vec<(&str, String, Option<Value>, &str)> = vec![
        ("GET", "/api/users".into(), None, "sys"),
        ("POST", "/api/users".into(), Some(create), "sys"),
        ("POST", format!("/api/users/{target}/disable"), None, "sys"),
        ("POST", format!("/api/users/{target}/enable"), None, "sys"),
        ("POST", format!("/api/users/{target}/reset-password"), Some(reset), "sys"),
        ("PUT", format!("/api/users/{target}/roles"), Some(roles), "sec"),
        ("GET", "/api/security-policy".into(), None, "sec"),
        ("PUT", "/api/security-policy".into(), Some(policy), "sec"),
    ];
    for (method, uri, body, owner) in calls {
        for (who, signed) in [("sys", &sys), ("sec", &sec), ("aud", &aud), ("office", &office)] {
            if who == owner {
                continue;
            }
            let a = w.call(method, &uri, signed, body.clone()).await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{method} {uri} as {who}: {}", a.text());
            assert_eq!(a.json()["error"], "forbidden");
        }
    }
    for (uri, owner) in [("/admin/users", "sys"), ("/admin/roles", "sec"), ("/admin/policy", "sec")] {
        for (who, signed) in [("sys", &sys), ("sec", &sec), ("aud", &aud), ("office", &office)] {
            let a = w.page(uri, signed).await;
            let expected = if who == owner { StatusCode::OK } else { StatusCode::FORBIDDEN };
            assert_eq!(a.status, expected, "{uri} as {who}");
        }
    }
    // Each administrator's navigation links to their own pages only.
    let sys_home = w.page("/", &sys).await.text();
    assert!(sys_home.contains("href=\"/admin/users\"") && !sys_home.contains("href=\"/admin/roles\""));
    let sec_home = w.page("/", &sec).await.text();
    assert!(sec_home.contains("href=\"/admin/roles\"") && sec_home.contains("href=\"/admin/policy\""));
    assert!(!sec_home.contains("href=\"/admin/users\""));
    let aud_home = w.page("/", &aud).await.text();
    assert!(!aud_home.contains("href=\"/admin/"));
    // Nothing was changed by the refused calls.
    let office_user = w.store.get_user(target).await.unwrap().unwrap();
    assert!(!office_user.disabled && !office_user.must_change_password);
    assert!(w.store.security_policy().await.unwrap().is_none());
}

#[tokio::test]
async fn the_security_admin_grants_scoped_roles_but_never_combined_admin_roles() {
    let w = world().await;
    let sys = w.sign_in("sysadmin").await;
    let body = json!({ "username": "newdept", "display_name": "部门账号", "password": NEW_PASSWORD });
    let id = w.call("POST", "/api/users", &sys, Some(body)).await.json()["id"].as_i64().unwrap();
    let sec = w.sign_in("secadmin").await;
    let missing = json!({ "roles": [{ "role": "department", "inspection_id": 999 }] });
    let a = w.call("PUT", &format!("/api/users/{id}/roles"), &sec, Some(missing)).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text());
    assert!(a.json()["message_zh"].as_str().unwrap().contains("不存在"));
    let inspection = w.store.import_ledger(&demo_ledger(w.clock.now().date_naive())).await.unwrap();
    let grant = json!({ "roles": [{ "role": "department", "inspection_id": inspection, "department": "财务科" }] });
    let a = w.call("PUT", &format!("/api/users/{id}/roles"), &sec, Some(grant)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let stored = w.store.get_user(id).await.unwrap().unwrap();
    assert_eq!(
        stored.roles,
        [RoleGrant {
            role: Role::Department,
            inspection_id: Some(inspection),
            department: Some("财务科".into()),
            leader_name: None
        }]
    );
    for (roles, expected) in [
        (json!([{ "role": "system_admin" }, { "role": "audit_admin" }]), "不能同时担任"),
        (json!([{ "role": "security_admin" }, { "role": "department" }]), "不能同时承担业务角色"),
    ] {
        let a = w.call("PUT", &format!("/api/users/{id}/roles"), &sec, Some(json!({ "roles": roles }))).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text());
        let message = a.json()["message_zh"].as_str().unwrap().to_owned();
        assert!(message.contains("三员分立") && message.contains(expected), "{message}");
    }
    // Issue 13, finding 1: the probe's account (department, leader in charge, leading group and
    // inspection office) is refused, as is any two stages of the closure chain.
    let probe = json!([
        { "role": "department", "inspection_id": inspection, "department": "财务科" },
        { "role": "leader_in_charge" }, { "role": "leading_group" }, { "role": "inspection_office" }
    ]);
    for roles in [probe, json!([{ "role": "leading_group" }, { "role": "inspection_office" }])] {
        let a = w.call("PUT", &format!("/api/users/{id}/roles"), &sec, Some(json!({ "roles": roles }))).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text());
        let message = a.json()["message_zh"].as_str().unwrap().to_owned();
        assert!(message.starts_with("职责分离：同一账号不能同时承担整改销号链条中的两个环节"), "{message}");
    }
    // The refused calls left the grant as it was.
    assert_eq!(w.store.get_user(id).await.unwrap().unwrap().roles.len(), 1);
    // The page assigns one scoped role at a time and explains refusals in Chinese.
    let uri = format!("/admin/roles/{id}");
    let a = w.form(&uri, &sec, "role=leader_in_charge&inspection_id=999&leader_name=%E5%BC%A0%E4%B8%89").await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.text().contains("巡察台账（编号999）不存在"));
    let fields = format!("role=leader_in_charge&inspection_id={inspection}&department=&leader_name=%E5%BC%A0%E4%B8%89");
    let a = w.form(&uri, &sec, &fields).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let stored = w.store.get_user(id).await.unwrap().unwrap().roles;
    assert_eq!(stored.len(), 1);
    assert_eq!((stored[0].role, stored[0].department.as_deref()), (Role::LeaderInCharge, None));
    assert_eq!(stored[0].leader_name.as_deref(), Some("张三"));
    let page = w.page("/admin/roles?done=roles", &sec).await.text();
    assert!(page.contains("角色已更新") && page.contains("（张三）"));
    // Nobody changes their own roles.
    let own = w.form(&format!("/admin/roles/{}", w.id_of("secadmin").await), &sec, "role=").await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(own.text().contains("不能在此修改本人账号"));
    assert!(w.actions().await.contains(&"user.set_roles".to_owned()));
}

/// 三员分立 (SECURITY.md): the security administrator grants an administrator role only to a fresh
/// account of the system administrator's, never to an account already in use.
#[tokio::test]
async fn administrator_roles_go_only_to_fresh_accounts() {
    let w = world().await;
    let sec = w.sign_in("secadmin").await;
    let office = w.id_of("office").await;
    let a = w
        .call(
            "PUT",
            &format!("/api/users/{office}/roles"),
            &sec,
            Some(json!({ "roles": [{ "role": "system_admin" }] })),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text());
    assert!(a.json()["message_zh"].as_str().unwrap().starts_with("三员分立：系统管理员角色只能授予"), "{}", a.text());
    assert_eq!(w.store.get_user(office).await.unwrap().unwrap().roles(), [Role::InspectionOffice]);
    let sys = w.sign_in("sysadmin").await;
    let body = json!({ "username": "newsys", "display_name": "新管理员", "password": NEW_PASSWORD });
    let id = w.call("POST", "/api/users", &sys, Some(body)).await.json()["id"].as_i64().unwrap();
    let a = w
        .call("PUT", &format!("/api/users/{id}/roles"), &sec, Some(json!({ "roles": [{ "role": "audit_admin" }] })))
        .await;
    assert_eq!(a.status, StatusCode::OK, "a fresh account: {}", a.text());
}

#[tokio::test]
async fn a_weaker_policy_is_refused_and_a_stricter_one_applies_at_once_and_after_restart() {
    let w = world().await;
    let sec = w.sign_in("secadmin").await;
    let a = w.call("PUT", "/api/security-policy", &sec, Some(json!({ "password_min_length": 6 }))).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text());
    assert!(a.json()["message_zh"].as_str().unwrap().contains("弱于等保2.0第三级要求"), "{}", a.text());
    let a = w.call("PUT", "/api/security-policy", &sec, Some(json!({ "second_factor_for_admins": false }))).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let a = w.call("PUT", "/api/security-policy", &sec, Some(json!({ "no_such_field": 1 }))).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(w.store.security_policy().await.unwrap().is_none());

    let a = w.call("PUT", "/api/security-policy", &sec, Some(json!({ "password_min_length": 12 }))).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(w.call("GET", "/api/security-policy", &sec, None).await.json()["password_min_length"], 12);
    let sys = w.sign_in("sysadmin").await;
    // "Ab#4567890" has 10 characters in four classes: fine before, too short now.
    let ten = json!({ "username": "newten", "display_name": "x", "password": "Ab#4567890" });
    let a = w.call("POST", "/api/users", &sys, Some(ten)).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text());
    let twelve = json!({ "username": "newtwelve", "display_name": "x", "password": "Ab#456789012" });
    assert_eq!(w.call("POST", "/api/users", &sys, Some(twelve)).await.status, StatusCode::CREATED);

    // A restarted server loads the stored policy.
    let restarted = AppState::new(w.store.clone());
    assert_eq!(restarted.policy().password_min_length, 8);
    restarted.load_stored_policy().await.unwrap();
    assert_eq!(restarted.policy().password_min_length, 12);

    // The page shows the policy and refuses a weaker one with the Chinese message.
    let page = w.page("/admin/policy", &sec).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("value=\"12\""));
    let fields = "password_min_length=8&password_min_classes=3&password_max_age_days=180&password_history=5&\
                  lockout_threshold=5&lockout_minutes=30&session_idle_minutes=30&session_lifetime_hours=12&\
                  reminder_min_interval_hours=24&second_factor_for_admins=1";
    let a = w.form("/admin/policy", &sec, fields).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.text().contains("口令有效期（天）设为180"), "{}", a.text());
    let a = w.form("/admin/policy", &sec, &fields.replace("180", "60")).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(w.call("GET", "/api/security-policy", &sec, None).await.json()["password_max_age_days"], 60);
    let changes = w.actions().await.iter().filter(|a| *a == "settings.security_policy").count();
    assert_eq!(changes, 2);
}

#[tokio::test]
async fn a_reset_ends_the_sessions_and_forces_a_change_at_the_next_sign_in() {
    let w = world().await;
    let office = w.sign_in("office").await;
    assert_eq!(w.call("GET", "/api/me", &office, None).await.status, StatusCode::OK);
    let sys = w.sign_in("sysadmin").await;
    let id = w.id_of("office").await;
    let a = w.call("POST", &format!("/api/users/{id}/reset-password"), &sys, Some(json!({ "password": "x" }))).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "a temporary password obeys the policy too");
    let a = w
        .call("POST", &format!("/api/users/{id}/reset-password"), &sys, Some(json!({ "password": NEW_PASSWORD })))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.json()["must_change_password"], true);
    assert_eq!(w.call("GET", "/api/me", &office, None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(common::sign_in(&w.app, "office", DEMO_PASSWORD, None).await.status, StatusCode::UNAUTHORIZED);
    let a = common::sign_in(&w.app, "office", NEW_PASSWORD, None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json()["restriction"], "password_change_required");
    let actions = w.actions().await;
    assert!(actions.contains(&"user.reset_password".to_owned()) && actions.contains(&"user.set_password".to_owned()));
    // The system administrator cannot reset their own password here.
    let own = w
        .call(
            "POST",
            &format!("/api/users/{}/reset-password", w.id_of("sysadmin").await),
            &sys,
            Some(json!({ "password": NEW_PASSWORD })),
        )
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn disabling_ends_the_sessions_and_enabling_restores_sign_in_through_the_pages() {
    let w = world().await;
    let office = w.sign_in("office").await;
    let sys = w.sign_in("sysadmin").await;
    let id = w.id_of("office").await;
    let a = w.form(&format!("/admin/users/{id}/status"), &sys, "action=disable").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    assert_eq!(a.location(), "/admin/users?done=disabled");
    assert_eq!(w.call("GET", "/api/me", &office, None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(common::sign_in(&w.app, "office", DEMO_PASSWORD, None).await.status, StatusCode::UNAUTHORIZED);
    let page = w.page("/admin/users?done=disabled", &sys).await.text();
    assert!(page.contains("账号已停用") && page.contains("已停用"));
    let a = w.call("POST", &format!("/api/users/{id}/enable"), &sys, None).await;
    assert_eq!(a.json()["disabled"], false);
    assert_eq!(common::sign_in(&w.app, "office", DEMO_PASSWORD, None).await.status, StatusCode::OK);
    // A page form creates an account too; a weak initial password is refused in Chinese.
    let a = w.form("/admin/users", &sys, "username=newpage&display_name=%E6%96%B0&password=abc").await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let a = w.form("/admin/users", &sys, "username=newpage&display_name=%E6%96%B0&password=Xin%23Zhanghao2026").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert!(w.store.find_user_by_username("newpage").await.unwrap().unwrap().must_change_password);
    // Nobody disables their own account.
    let own = w.call("POST", &format!("/api/users/{}/disable", w.id_of("sysadmin").await), &sys, None).await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    let actions = w.actions().await;
    assert!(actions.contains(&"user.disable".to_owned()) && actions.contains(&"user.enable".to_owned()));
}

/// 重置动态口令: the security administrator lost the authenticator and, worse, the stored secret
/// no longer opens; only the system administrator clears it, never their own, never on an
/// account without one; the account's sessions end and it signs in with the password alone.
#[tokio::test]
async fn the_system_admin_resets_a_lost_or_unreadable_second_factor() {
    for (backend, store, dir) in common::backends().await {
        let w = world_on(store, dir).await;
        let (sec_id, office_id, sys_id) =
            (w.id_of("secadmin").await, w.id_of("office").await, w.id_of("sysadmin").await);
        let sec = w.sign_in("secadmin").await;
        // The stored secret no longer opens: the sign-in fails closed and sends them to us.
        sqlx::query("UPDATE users SET totp_secret = 'sm4:garbage' WHERE id = $1")
            .bind(sec_id)
            .execute(w.store.pool())
            .await
            .unwrap();
        w.clock.advance(Duration::seconds(30));
        let code = rectify_auth::totp::totp_code(&common::admin_secret(), w.clock.now()).unwrap();
        let a = common::sign_in(&w.app, "secadmin", DEMO_PASSWORD, Some(code)).await;
        assert_eq!(a.json()["error"], "second_factor_unreadable", "{backend}: {}", a.text());

        let (sys, aud, office) = (w.sign_in("sysadmin").await, w.sign_in("auditor").await, w.sign_in("office").await);
        let reset = |id: i64| format!("/api/users/{id}/reset-second-factor");
        // Other roles are refused, over the API and the page.
        for (who, signed) in [("sec", &sec), ("aud", &aud), ("office", &office)] {
            let a = w.call("POST", &reset(sec_id), signed, None).await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{backend} {who}: {}", a.text());
            let a = w.form(&format!("/admin/users/{sec_id}/totp"), signed, "").await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{backend} {who}: {}", a.text());
        }
        assert!(w.store.get_user(sec_id).await.unwrap().unwrap().totp_secret.is_some(), "{backend}");
        // Refusals, each said in Chinese: the caller's own account, an unknown one, one without a factor.
        for (id, status, said) in [
            (sys_id, StatusCode::UNPROCESSABLE_ENTITY, "不能在此修改本人账号"),
            (999_999, StatusCode::NOT_FOUND, "未找到该账号"),
            (office_id, StatusCode::UNPROCESSABLE_ENTITY, "office的账号未启用动态口令"),
        ] {
            let a = w.call("POST", &reset(id), &sys, None).await;
            assert_eq!(a.status, status, "{backend} {id}: {}", a.text());
            assert!(a.json()["message_zh"].as_str().unwrap().starts_with(said), "{backend}: {}", a.text());
        }
        assert!(w.store.get_user(sys_id).await.unwrap().unwrap().totp_secret.is_some(), "{backend}");

        // The users page marks the enrolled accounts and offers the reset, with a confirmation, only to them.
        let page = w.page("/admin/users", &sys).await.text();
        assert_eq!(page.matches("已启用动态口令").count(), 3, "{backend}: the three administrators");
        let form = format!(
            "action=\"/admin/users/{sec_id}/totp\" class=\"inline\" data-confirm=\"重置后，secadmin（secadmin）"
        );
        assert!(page.contains(&form), "{backend}: {page}");
        assert!(!page.contains(&format!("/admin/users/{office_id}/totp")), "{backend}");
        // One's own row offers nothing: those changes are refused here (and made elsewhere).
        for action in ["status", "password", "totp"] {
            assert!(!page.contains(&format!("/admin/users/{sys_id}/{action}\"")), "{backend}: {action}");
            assert!(page.contains(&format!("/admin/users/{sec_id}/{action}\"")), "{backend}: {action}");
        }
        assert!(page.contains("本人账号（由其他管理员操作）"), "{backend}");

        let a = w.call("POST", &reset(sec_id), &sys, None).await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
        assert_eq!((&a.json()["username"], &a.json()["second_factor"]), (&json!("secadmin"), &json!(false)));
        let stored = w.store.get_user(sec_id).await.unwrap().unwrap();
        assert!(stored.totp_secret.is_none() && stored.totp_last_step.is_none(), "{backend}");
        // Like a password reset, it ends the account's sessions; the password alone signs in,
        // and an administrator goes straight to enrol a new authenticator.
        assert_eq!(w.call("GET", "/api/me", &sec, None).await.status, StatusCode::UNAUTHORIZED, "{backend}");
        let a = common::sign_in(&w.app, "secadmin", DEMO_PASSWORD, None).await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
        assert_eq!(a.json()["restriction"], "totp_enrolment_required", "{backend}");
        // Done once, it is refused the second time.
        let a = w.call("POST", &reset(sec_id), &sys, None).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {}", a.text());

        // The page form, on a business account that had enrolled one of its own choice.
        let system = rectify_storage::Acting::system();
        w.store.set_totp(office_id, Some(&common::admin_secret().to_base32()), &system, w.clock.now()).await.unwrap();
        let a = w.form(&format!("/admin/users/{office_id}/totp"), &sys, "").await;
        assert_eq!((a.status, a.location()), (StatusCode::SEE_OTHER, "/admin/users?done=totp".to_owned()), "{backend}");
        assert!(w.store.get_user(office_id).await.unwrap().unwrap().totp_secret.is_none(), "{backend}");
        assert!(w.page("/admin/users?done=totp", &sys).await.text().contains("动态口令已重置"), "{backend}");
        let a = w.form(&format!("/admin/users/{office_id}/totp"), &sys, "").await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(a.text().contains("未启用动态口令，无需重置"), "{backend}");
        assert_eq!(common::sign_in(&w.app, "office", DEMO_PASSWORD, None).await.status, StatusCode::OK, "{backend}");

        // The trail says who cleared whose factor, and the audit administrator reads it in Chinese.
        let filter = rectify_storage::AuditFilter::default();
        let entries = w.store.list_audit(&filter, rectify_storage::Page { offset: 0, limit: 500 }).await.unwrap();
        let cleared: Vec<(Option<i64>, Option<String>)> = entries
            .iter()
            .filter(|e| e.action == "user.totp_clear")
            .map(|e| (e.actor_user_id, e.target_id.clone()))
            .collect();
        assert_eq!(cleared.len(), 2, "{backend}: {cleared:?}");
        for target in [sec_id, office_id] {
            assert!(cleared.contains(&(Some(sys_id), Some(target.to_string()))), "{backend}: {cleared:?}");
        }
        let resets: Vec<Value> = entries
            .iter()
            .filter(|e| e.action == "user.reset_second_factor" && e.actor_user_id == Some(sys_id))
            .map(|e| serde_json::from_str(e.after_json.as_deref().unwrap()).unwrap())
            .collect();
        // Newest first; each account had one session open.
        let said: Vec<(&Value, &Value)> = resets.iter().map(|r| (&r["username"], &r["sessions_ended"])).collect();
        assert_eq!(said, [(&json!("office"), &json!(1)), (&json!("secadmin"), &json!(1))], "{backend}");
        let trail = w.page("/audit", &aud).await.text();
        assert!(trail.contains("重置动态口令") && trail.contains("解除动态口令"), "{backend}");
    }
}
