//! More defects a new user met (issue 12), on both databases: the dashboard's cumulative line,
//! money and accountability figures; who decides a pending extension; people's names and
//! Beijing time in the operation records, the audit list and the look-back page.

mod common;

use std::collections::BTreeSet;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::FixedOffset;
use common::{Answer, send};
use rectify_auth::Clock;
use rectify_domain::roles::Role;
use rectify_domain::workflow::MeasureState;
use rectify_server::authz::Visibility;
use rectify_server::demo::demo_ledger;
use rectify_server::{AppState, router, seed_demo_users};
use rectify_storage::{RoleGrant, Store};
use serde_json::{Value, json};

struct Fixture {
    app: Router,
    store: Store,
    inspection: i64,
}

/// The demo ledger with the demo accounts (whose display names differ from their logins).
async fn fixture(store: Store) -> Fixture {
    fixture_with(store, demo_ledger(common::clock().now().date_naive())).await
}

async fn fixture_with(store: Store, ledger: rectify_domain::Ledger) -> Fixture {
    let clock = common::clock();
    let inspection = store.import_ledger(&ledger).await.unwrap();
    seed_demo_users(&store, inspection, clock.as_ref()).await.unwrap();
    // An audit administrator with an enrolled authenticator (the demo's enrols at first sign-in).
    common::account(&store, "aud", RoleGrant::everywhere(Role::AuditAdmin), clock.as_ref()).await;
    let app = router(AppState::new(store.clone()).with_clock(clock));
    Fixture { app, store, inspection }
}

/// A signed-in browser: its cookie on every request, its form token at hand.
struct Browser {
    app: Router,
    csrf: String,
}

impl Browser {
    async fn new(f: &Fixture, username: &str) -> Browser {
        let code_at = (username == "aud").then(|| common::clock().now());
        let s = common::signed(&f.app, username, code_at).await;
        Browser { app: common::with_cookie(f.app.clone(), s.cookie), csrf: s.csrf }
    }

    async fn get(&self, uri: &str) -> Answer {
        send(&self.app, Request::get(uri).body(Body::empty()).unwrap()).await
    }

    async fn post_form(&self, uri: &str, fields: &[(&str, &str)]) -> Answer {
        let mut body = format!("csrf_token={}", self.csrf);
        for (k, v) in fields {
            body.push_str(&format!("&{k}={}", url_encode(v)));
        }
        let request = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        send(&self.app, request).await
    }

    async fn post_json(&self, uri: &str, body: Value) -> Answer {
        let request = Request::post(uri)
            .header("x-csrf-token", &self.csrf)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        send(&self.app, request).await
    }
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An open measure that both the demo department and the demo leader in charge see.
async fn shared_open_measure(f: &Fixture) -> i64 {
    let grants = |name: &'static str| {
        let store = f.store.clone();
        async move { rectify_server::auth::grants_of(&store.find_user_by_username(name).await.unwrap().unwrap()) }
    };
    let (dept, leader) = (grants("dept").await, grants("leader").await);
    let summary = f.store.list_inspections().await.unwrap().remove(0);
    let problems = f.store.list_problems(f.inspection).await.unwrap();
    let measures = f.store.list_measures(f.inspection, None).await.unwrap();
    let seen = |g: &[rectify_auth::Grant]| -> BTreeSet<i64> {
        Visibility::new(g).records(&summary, problems.clone(), measures.clone()).1.iter().map(|m| m.id).collect()
    };
    for id in seen(&dept).intersection(&seen(&leader)) {
        let state = f.store.measure_workflow(*id).await.unwrap().unwrap().state;
        if matches!(state, MeasureState::NotStarted | MeasureState::InProgress) {
            return *id;
        }
    }
    panic!("no open measure of the demo department and leader");
}

/// The dashboard's chart data, as the page embeds it for its script.
fn chart_data(html: &str) -> Value {
    let start = html.find("id=\"chart-data\">").expect("the chart data") + "id=\"chart-data\">".len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

/// Every amount written before 万元 on a page (those with digits: not a placeholder's word).
fn amounts(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("万元") {
        let before: String =
            rest[..at].chars().rev().take_while(|c| c.is_ascii_digit() || *c == '.').collect::<String>();
        let number: String = before.chars().rev().collect();
        if number.chars().any(|c| c.is_ascii_digit()) {
            out.push(number);
        }
        rest = &rest[at + "万元".len()..];
    }
    out
}

#[tokio::test]
async fn the_dashboard_line_ends_at_the_completed_measures_with_money_in_two_decimals() {
    for (backend, store, _dir) in common::backends().await {
        let f = fixture(store).await;
        let stats = demo_ledger(common::clock().now().date_naive()).statistics();
        let office = Browser::new(&f, "office").await;
        let html = office.get(&format!("/inspections/{}/dashboard", f.inspection)).await.text();
        let timeline = &chart_data(&html)["timeline"];
        let undated = timeline["undated"].as_u64().unwrap();
        assert!(undated > 0, "{backend}: the demo has completed measures without progress entries");
        let line: Vec<u64> = timeline["cumulative"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
        assert_eq!(line.last().copied(), Some(u64::from(stats.measures_completed)), "{backend}: {timeline}");
        assert!(line.windows(2).all(|w| w[0] <= w[1]), "{backend}: cumulative: {line:?}");
        assert!(html.contains(&format!("其中 {undated} 条已完成措施没有进展记录，按通报所述计入")), "{backend}");
        assert!(html.contains(&format!("<dt>措施已完成</dt><dd>{}<small>", stats.measures_completed)), "{backend}");

        // Money: 万元 with two decimals everywhere on the dashboard (the demo's sources carry three).
        let money = amounts(&html);
        assert!(money.len() >= 4, "{backend}: {money:?}");
        for m in &money {
            let (_, decimals) = m.split_once('.').unwrap_or((m, ""));
            assert_eq!(decimals.len(), 2, "{backend}: {m}万元 in {money:?}");
        }
        assert!(html.contains(&format!("<dd>{}</dd>", stats.funds_total().to_dashboard_text())), "{backend}");

        // 问责 in 人次 over every kind, never fewer than the 人 within it; each kind in its own unit.
        let total = stats.accountability_person_times();
        let persons = stats.accountability_persons_counted();
        assert!(persons > 0 && total > persons, "{backend}: the demo counts both ways ({persons}, {total})");
        assert!(html.contains(&format!("<th scope=\"row\">合计</th><td>{total}人次</td>")), "{backend}");
        assert!(html.contains(&format!("其中按人数统计的{persons}人各计1人次")), "{backend}");
        let home = office.get("/").await.text();
        let figure = home.find("<dt>问责</dt>").map(|i| &home[i..i + 200]).expect("the 问责 figure");
        assert!(figure.contains(&format!(">{total}人次</dd>")), "{backend}: {figure}");
        assert!(!home.contains(&format!("{persons}人、")), "{backend}: no 人 beside 人次 in one figure");
    }
}

#[tokio::test]
async fn a_pending_extension_names_who_decides_it_and_only_the_verifier_can() {
    for (backend, store, _dir) in common::backends().await {
        let f = fixture(store).await;
        let measure = shared_open_measure(&f).await;
        let page = format!("/measures/{measure}");
        let dept = Browser::new(&f, "dept").await;
        // The department asks for more time, from its page's own form.
        let html = dept.get(&page).await.text();
        assert!(html.contains("class=\"wf-extension\"") && html.contains("延期须经巡察办审批"), "{backend}: {html}");
        let version = f.store.measure_workflow(measure).await.unwrap().unwrap().version.to_string();
        let asked = dept
            .post_form(
                &format!("{page}/actions"),
                &[
                    ("version", &version),
                    ("action", "request_extension"),
                    ("new_deadline", "2099-12-31"),
                    ("reason", "涉及上级审批"),
                ],
            )
            .await;
        assert_eq!(asked.status, StatusCode::SEE_OTHER, "{backend}: {}", asked.text());

        // The leader in charge sees the request, is told the office decides, and cannot.
        let leader = Browser::new(&f, "leader").await;
        let html = leader.get(&page).await.text();
        assert!(html.contains("延期申请待巡察办审批"), "{backend}: {html}");
        assert!(html.contains("由巡察办决定是否同意，您无需办理"), "{backend}");
        assert!(!html.contains("value=\"approve_extension\""), "{backend}: no button for the leader");
        assert!(
            !leader.get("/inbox").await.text().contains(&format!("href=\"{page}\"")),
            "{backend}: not in the inbox"
        );
        let version = f.store.measure_workflow(measure).await.unwrap().unwrap().version;
        let refused = leader
            .post_json(
                &format!("/api/measures/{measure}/actions"),
                json!({"action": "approve_extension", "version": version}),
            )
            .await;
        assert!(refused.status.is_client_error(), "{backend}: {} {}", refused.status, refused.text());
        let wf = f.store.measure_workflow(measure).await.unwrap().unwrap();
        assert!(wf.pending_extension.is_some(), "{backend}: still waiting");

        // The office decides it from the page where it sees it.
        let office = Browser::new(&f, "office").await;
        let html = office.get(&page).await.text();
        assert!(html.contains("延期申请待您审批"), "{backend}: {html}");
        assert!(
            html.contains("value=\"approve_extension\"") && html.contains("value=\"decline_extension\""),
            "{backend}"
        );
        let decided = office
            .post_form(
                &format!("{page}/actions"),
                &[("version", &wf.version.to_string()), ("action", "approve_extension")],
            )
            .await;
        assert_eq!(decided.status, StatusCode::SEE_OTHER, "{backend}: {}", decided.text());
        let wf = f.store.measure_workflow(measure).await.unwrap().unwrap();
        assert!(wf.pending_extension.is_none(), "{backend}");
        assert_eq!(wf.deadline.map(|d| d.to_string()).as_deref(), Some("2099-12-31"), "{backend}");
    }
}

#[tokio::test]
async fn records_and_the_look_back_name_people_in_beijing_time() {
    for (backend, store, _dir) in common::backends().await {
        let f = fixture(store).await;
        let measure = shared_open_measure(&f).await;
        let dept = Browser::new(&f, "dept").await;
        let version = f.store.measure_workflow(measure).await.unwrap().unwrap().version.to_string();
        let started = dept
            .post_form(&format!("/measures/{measure}/actions"), &[("version", &version), ("action", "start")])
            .await;
        assert_eq!(started.status, StatusCode::SEE_OTHER, "{backend}: {}", started.text());
        let beijing = common::clock().now().with_timezone(&FixedOffset::east_opt(8 * 3600).unwrap());
        let when = beijing.format("%Y年%-m月%-d日 %H:%M").to_string();

        // 操作记录 on the measure's and its problem's pages.
        let office = Browser::new(&f, "office").await;
        let problem = f.store.get_measure(measure).await.unwrap().unwrap().problem_id;
        for page in [format!("/measures/{measure}"), format!("/problems/{problem}")] {
            let html = office.get(&page).await.text();
            let history = &html[html.find("id=\"history-h\"").unwrap_or_else(|| panic!("{backend}: {page}"))..];
            assert!(history.contains("演示责任部门"), "{backend}: {page}: {history}");
            assert!(!history.contains(">dept<"), "{backend}: {page}: no login name");
            assert!(history.contains(&when) && history.contains("开始整改"), "{backend}: {page}: {history}");
        }

        // The audit list: names and Beijing time, Chinese action names.
        let auditor = Browser::new(&f, "aud").await;
        let trail = auditor.get("/audit").await.text();
        assert!(trail.contains("演示责任部门"), "{backend}: {trail}");
        assert!(trail.contains(&when) && trail.contains("开始整改"), "{backend}");

        // The look-back page: who drew and who checked by name, when in Beijing time, and the
        // seed explained rather than a bare 随机种子.
        let lookback = format!("/inspections/{}/lookback", f.inspection);
        let today = common::clock().now().date_naive().to_string();
        let drawn =
            office.post_form(&lookback, &[("sample_size", "1"), ("seed", "复核-1"), ("scheduled_for", &today)]).await;
        assert!(drawn.status.is_redirection(), "{backend}: {} {}", drawn.status, drawn.text());
        let html = office.get(&lookback).await.text();
        assert!(html.contains(&format!("演示巡察办于{when}抽取")), "{backend}: {html}");
        assert!(html.contains("抽样种子（可复现）") && !html.contains("随机种子"), "{backend}");
        assert!(html.contains("复核时输入同一种子即可重现同一样本"), "{backend}: the hint");
        assert!(!html.contains("office于") && !html.contains("T0") && !html.contains("+00:00"), "{backend}");
        let item = html.split("action=\"/lookback-items/").nth(1).expect("an item to check");
        let item: String = item.chars().take_while(char::is_ascii_digit).collect();
        let checked =
            office.post_form(&format!("/lookback-items/{item}"), &[("result", "consolidated"), ("note", "")]).await;
        assert!(checked.status.is_redirection(), "{backend}: {} {}", checked.status, checked.text());
        let html = office.get(&lookback).await.text();
        assert!(html.contains(&format!("演示巡察办于{when}复查")), "{backend}: {html}");
    }
}

#[tokio::test]
async fn a_refused_evidence_file_shows_the_form_again_with_the_typed_text() {
    for (backend, store, _dir) in common::backends().await {
        let f = fixture(store).await;
        let measure = shared_open_measure(&f).await;
        let dept = Browser::new(&f, "dept").await;
        let version = f.store.measure_workflow(measure).await.unwrap().unwrap().version.to_string();
        let typed = "召开专题会议研究部署，制定整改方案";
        let boundary = "----daybound";
        let mut body = String::new();
        for (name, value) in [
            ("csrf_token", dept.csrf.as_str()),
            ("version", &version),
            ("date", "2026-11-20"),
            ("text", typed),
            ("title", "会议纪要"),
        ] {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"纪要.pdf\"\r\n\
             Content-Type: application/pdf\r\n\r\njust text, not a pdf\r\n--{boundary}--\r\n"
        ));
        let request = Request::post(format!("/measures/{measure}/progress"))
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
        let answer = send(&dept.app, request).await;
        assert_eq!(answer.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{backend}");
        let csp = answer.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
        assert!(csp.contains("style-src 'self'"), "{backend}: the page keeps its stylesheet: {csp}");
        let html = answer.text();
        assert!(html.contains("佐证材料须为 PDF"), "{backend}: the reason");
        assert!(html.contains(&format!(">{typed}</textarea>")), "{backend}: the typed text stays: {html}");
        assert!(html.contains("value=\"2026-11-20\"") && html.contains("value=\"会议纪要\""), "{backend}");
        assert!(
            html.contains(&format!("action=\"/measures/{measure}/progress\"")),
            "{backend}: the form to send again"
        );
        assert!(html.contains(&format!("name=\"version\" value=\"{version}\"")), "{backend}");
        let view = f.store.measure_workflow(measure).await.unwrap().unwrap();
        assert_eq!(view.version.to_string(), version, "{backend}: nothing was written");
    }
}

#[tokio::test]
async fn the_ledger_menu_leads_to_the_accounts_own_unit_or_a_chooser_never_the_latest_import() {
    for (backend, store, _dir) in common::backends().await {
        // Two units in no round (with rounds, the rounds are the chooser), the second imported
        // last.
        let mut demo = demo_ledger(common::clock().now().date_naive());
        demo.inspection.round = None;
        let f = fixture_with(store, demo.clone()).await;
        let mut other = demo;
        other.unit = Some("中共青禾市河西区文化和旅游局党组".into());
        let latest = f.store.import_ledger(&other).await.unwrap();
        assert_ne!(latest, f.inspection, "{backend}");
        // The liaison's grant names the demo unit: its own ledger, not the latest import.
        let liaison = Browser::new(&f, "liaison").await;
        for page in ["ledger", "dashboard"] {
            let a = liaison.get(&format!("/{page}")).await;
            assert_eq!(a.location(), format!("/inspections/{}/{page}", f.inspection), "{backend}: {page}");
        }
        // The office sees both: the home page lists them to choose from, not the latest import.
        let office = Browser::new(&f, "office").await;
        for page in ["ledger", "dashboard"] {
            let a = office.get(&format!("/{page}")).await;
            assert_eq!((a.status, a.location()), (StatusCode::SEE_OTHER, "/".to_owned()), "{backend}: {page}");
        }
        let home = office.get("/").await.text();
        for id in [f.inspection, latest] {
            assert!(home.contains(&format!("href=\"/inspections/{id}/ledger\"")), "{backend}: unit {id} to choose");
        }
    }
}
