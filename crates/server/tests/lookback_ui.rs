//! 回头看 and 反弹重办 in the pages: the inspection office draws a reproducible sample of closed
//! problems, records 已巩固 and 反弹 (which reopens the problem), and reopens a closed problem
//! from its page with a required reason; other roles and forms without the CSRF token are refused.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Signed, send};
use rectify_auth::Clock;
use rectify_domain::Status;
use rectify_server::demo::demo_ledger;
use rectify_server::{AppState, router, seed_demo_users};
use rectify_storage::{LookbackResult, Store};

/// Form encoding of a value: every byte outside the unreserved set as `%XX`.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

struct Fixture {
    app: Router,
    store: Store,
    inspection: i64,
    today: String,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite:{}", dir.path().join("lb.sqlite").display())).await.unwrap();
    let clock = common::clock();
    let inspection = store.import_ledger(&demo_ledger(clock.now().date_naive())).await.unwrap();
    seed_demo_users(&store, inspection, clock.as_ref()).await.unwrap();
    let state = AppState::new(store.clone()).with_clock(clock.clone());
    let today = state.today().format("%Y-%m-%d").to_string();
    Fixture { app: router(state), store, inspection, today, _dir: dir }
}

impl Fixture {
    async fn login(&self, name: &str) -> Signed {
        common::signed(&self.app, name, None).await
    }

    async fn get(&self, who: &Signed, uri: &str) -> common::Answer {
        let r = Request::get(uri).header(header::COOKIE, &who.cookie).body(Body::empty()).unwrap();
        send(&self.app, r).await
    }

    /// A form post; `fields` are sent URL-encoded, after the form token unless `csrf` is false.
    async fn post(&self, who: &Signed, uri: &str, fields: &[(&str, &str)], csrf: bool) -> common::Answer {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if csrf {
            pairs.push(("csrf_token", who.csrf.as_str()));
        }
        pairs.extend_from_slice(fields);
        let body = pairs.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&");
        let r = Request::post(uri)
            .header(header::COOKIE, &who.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        send(&self.app, r).await
    }

    async fn closed(&self) -> Vec<i64> {
        let problems = self.store.list_problems(self.inspection).await.unwrap();
        problems.iter().filter(|p| p.problem.status == Status::Completed).map(|p| p.id).collect()
    }

    async fn status(&self, problem: i64) -> Status {
        self.store.get_problem(problem).await.unwrap().unwrap().problem.status
    }

    /// Draws through the page and returns the new look-back's id from the redirect.
    async fn draw(&self, who: &Signed, n: &str, seed: &str) -> i64 {
        let uri = format!("/inspections/{}/lookback", self.inspection);
        let a =
            self.post(who, &uri, &[("sample_size", n), ("seed", seed), ("scheduled_for", "2027-01-15")], true).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
        let prefix = format!("{uri}?lookback=");
        let location = a.location();
        assert!(location.starts_with(&prefix), "{location}");
        location[prefix.len()..].parse().unwrap()
    }

    async fn sample(&self, lookback: i64) -> Vec<i64> {
        self.store.get_lookback(lookback).await.unwrap().unwrap().items.iter().map(|i| i.problem_id).collect()
    }
}

#[tokio::test]
async fn the_office_draws_a_sample_that_the_same_seed_reproduces() {
    let f = fixture().await;
    let office = f.login("office").await;
    let page = f.get(&office, &format!("/inspections/{}/lookback", f.inspection)).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("抽样可复现，便于复核"), "the page explains the reproducible draw");
    assert!(html.contains(&format!("name=\"seed\" type=\"text\" maxlength=\"100\" value=\"{}\"", f.today)));
    assert!(html.contains("尚未开展回头看"));

    let closed = f.closed().await;
    assert!(closed.len() >= 2, "the demo has {} closed problems", closed.len());
    let first = f.draw(&office, "2", "复核-甲").await;
    let again = f.draw(&office, "2", "复核-甲").await;
    assert_ne!(first, again, "each draw is its own look-back");
    let sample = f.sample(first).await;
    assert_eq!(sample.len(), 2);
    assert!(sample.iter().all(|id| closed.contains(id)), "only closed problems are drawn: {sample:?}");
    assert_eq!(sample, f.sample(again).await, "the same seed draws the same problems");
    // Asking for more than are closed draws all of them.
    let all = f.draw(&office, "500", "复核-乙").await;
    let mut every = f.sample(all).await;
    every.sort_unstable();
    assert_eq!(every, closed);

    let html = f.get(&office, &format!("/inspections/{}/lookback?lookback={first}", f.inspection)).await.text();
    assert!(html.contains("已抽取样本"), "the draw is confirmed");
    assert!(html.contains("复核-甲") && html.contains("2027年1月15日复查"));
    assert!(html.contains("回头看记录（3次）"));
    for id in &sample {
        assert!(html.contains(&format!("href=\"/problems/{id}\"")), "sampled problem {id} is listed");
    }
}

#[tokio::test]
async fn a_bad_draw_form_shows_the_errors_next_to_the_fields_and_draws_nothing() {
    let f = fixture().await;
    let office = f.login("office").await;
    let uri = format!("/inspections/{}/lookback", f.inspection);
    let a = f.post(&office, &uri, &[("sample_size", "0"), ("seed", " "), ("scheduled_for", "2027-02-30")], true).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = a.text();
    assert!(html.contains("id=\"sample_size-error\"") && html.contains("请填写1至500之间的抽查数量"));
    assert!(html.contains("id=\"seed-error\"") && html.contains("请填写抽样种子"));
    assert!(html.contains("id=\"scheduled_for-error\"") && html.contains("value=\"2027-02-30\""), "kept as typed");
    assert!(html.contains("尚未开展回头看"), "nothing was drawn");
}

#[tokio::test]
async fn consolidated_and_relapsed_are_recorded_and_a_relapse_reopens_the_problem() {
    let f = fixture().await;
    let office = f.login("office").await;
    let lookback = f.draw(&office, "2", "复核-丙").await;
    let items = f.store.get_lookback(lookback).await.unwrap().unwrap().items;
    let (held, back) = (&items[0], &items[1]);

    let a = f
        .post(&office, &format!("/lookback-items/{}", held.id), &[("result", "consolidated"), ("note", "")], true)
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    assert!(a.location().ends_with("&recorded=consolidated"), "{}", a.location());
    assert_eq!(f.status(held.problem_id).await, Status::Completed, "a consolidated problem stays closed");

    // A relapse without a note is refused next to the note field, and changes nothing.
    let uri = format!("/lookback-items/{}", back.id);
    let a = f.post(&office, &uri, &[("result", "relapsed"), ("note", "  ")], true).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        a.text().contains(&format!("id=\"note-{}-error\"", back.id)) && a.text().contains("认定反弹须写明反弹情况")
    );
    assert_eq!(f.status(back.problem_id).await, Status::Completed);
    let a = f.post(&office, &uri, &[("note", "x")], true).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "a result must be chosen");

    let a = f.post(&office, &uri, &[("result", "relapsed"), ("note", "复查发现同类问题再次出现")], true).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    assert_eq!(f.status(back.problem_id).await, Status::InProgress, "the relapsed problem is open again");

    let stored = f.store.get_lookback(lookback).await.unwrap().unwrap().items;
    assert_eq!(stored[0].result, LookbackResult::Consolidated);
    assert_eq!(stored[1].result, LookbackResult::Relapsed);
    assert_eq!(stored[1].note.as_deref(), Some("复查发现同类问题再次出现"));
    let html = f.get(&office, &a.location()).await.text();
    assert!(html.contains("已记录为反弹") && html.contains("反弹重办"), "the page says the problem was reopened");
    assert!(html.contains("已巩固1个、反弹1个"));
    // An item is decided once.
    let a = f.post(&office, &uri, &[("result", "consolidated")], true).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_problem_page_reopens_a_closed_problem_with_a_required_reason() {
    let f = fixture().await;
    let office = f.login("office").await;
    let problem = f.closed().await[0];
    let page = f.get(&office, &format!("/problems/{problem}")).await.text();
    assert!(page.contains(&format!("action=\"/problems/{problem}/reopen\"")), "the office sees the reopen form");
    let jijian = f.login("jijian").await;
    let page = f.get(&jijian, &format!("/problems/{problem}")).await.text();
    assert!(!page.contains("/reopen\""), "the discipline inspection reads but does not reopen");

    let uri = format!("/problems/{problem}/reopen");
    let a = f.post(&office, &uri, &[("reason", "   ")], true).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.text().contains("id=\"reason-error\"") && a.text().contains("请填写反弹重办的理由"));
    assert_eq!(f.status(problem).await, Status::Completed, "an empty reason reopens nothing");

    let a = f.post(&office, &uri, &[("reason", "群众反映问题反弹")], true).await;
    assert_eq!((a.status, a.location()), (StatusCode::SEE_OTHER, format!("/problems/{problem}?done=reopen")));
    assert_eq!(f.status(problem).await, Status::InProgress);
    let page = f.get(&office, &a.location()).await.text();
    assert!(page.contains("该问题已反弹重办"));
    assert!(!page.contains(&format!("action=\"/problems/{problem}/reopen\"")), "an open problem cannot be reopened");
}

#[tokio::test]
async fn other_roles_are_refused_and_forms_without_the_token_are_refused() {
    let f = fixture().await;
    let office = f.login("office").await;
    let lookback = f.draw(&office, "1", "复核-丁").await;
    let item = f.store.get_lookback(lookback).await.unwrap().unwrap().items[0].clone();
    let page = format!("/inspections/{}/lookback", f.inspection);
    let draw = [("sample_size", "1"), ("seed", "x"), ("scheduled_for", "2027-01-15")];
    let item_uri = format!("/lookback-items/{}", item.id);
    let reopen = format!("/problems/{}/reopen", item.problem_id);
    for name in ["liaison", "dept", "leader", "group", "jijian"] {
        let who = f.login(name).await;
        assert_eq!(f.get(&who, &page).await.status, StatusCode::FORBIDDEN, "{name} GET");
        assert_eq!(f.post(&who, &page, &draw, true).await.status, StatusCode::FORBIDDEN, "{name} draws");
        let a = f.post(&who, &item_uri, &[("result", "relapsed"), ("note", "x")], true).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{name} records");
        let a = f.post(&who, &reopen, &[("reason", "x")], true).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{name} reopens");
    }
    // The office itself, without the form token.
    assert_eq!(f.post(&office, &page, &draw, false).await.status, StatusCode::FORBIDDEN);
    let a = f.post(&office, &item_uri, &[("result", "relapsed"), ("note", "x")], false).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(f.post(&office, &reopen, &[("reason", "x")], false).await.status, StatusCode::FORBIDDEN);
    // Nothing changed.
    assert_eq!(f.status(item.problem_id).await, Status::Completed);
    let stored = f.store.get_lookback(lookback).await.unwrap().unwrap();
    assert_eq!(stored.items[0].result, LookbackResult::Pending);
    let html = f.get(&office, &page).await.text();
    assert!(html.contains("回头看记录（1次）"), "no other draw was made");
}
