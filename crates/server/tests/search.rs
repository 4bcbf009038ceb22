//! Full-text search and common problems, on SQLite and (when `RECTIFY_TEST_POSTGRES_URL` is
//! set, see scripts/with-postgres.sh) on PostgreSQL: the same hits on both, only within the
//! caller's data scope, snippets escaped, pages clamped; clusters of a made-up round.

use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::NaiveDate;
use rectify_domain::roles::Role;
use rectify_domain::{Ledger, NonEmptyText, PartialDate, ProgressEntry};
use rectify_server::AppState;
use rectify_server::demo::demo_ledger;
use rectify_storage::{Acting, NewFeedback, RoleGrant, Store, Submitter};
use sqlx::{AssertSqlSafe, Connection};

mod common;

use common::{Answer, account, send, signed, with_cookie};

/// The stores to test on: SQLite always, PostgreSQL when configured.
async fn stores() -> Vec<(Store, tempfile::TempDir)> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Store::connect(&format!("sqlite:{}", dir.path().join("search.db").display())).await.unwrap();
    let mut out = vec![(sqlite, dir)];
    if let Some(admin) = std::env::var("RECTIFY_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()) {
        let name = format!("search_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
        let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
        let (base, _) = admin.rsplit_once('/').unwrap();
        let dir = tempfile::tempdir().unwrap();
        let options = rectify_storage::ConnectOptions {
            audit_keys: rectify_storage::AuditKeys::File(dir.path().join("audit-keys")),
            data_keys: rectify_storage::DataKeys::File(dir.path().join("data-keys")),
        };
        let store = Store::connect_with(&format!("{base}/{name}"), options).await.unwrap();
        out.push((store, dir));
    }
    out
}

const XSS: &str = "<script>alert(1)</script>";

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// A small ledger of `unit` in `round`, its problems titled `titles` (each with the demo's
/// first problem's measures).
fn ledger(unit: &str, round: &str, titles: &[&str]) -> Ledger {
    let mut ledger = demo_ledger(day());
    ledger.unit = Some(unit.to_owned());
    ledger.title = Some(format!("{unit}巡察整改台账"));
    ledger.inspection.round = Some(round.to_owned());
    ledger.outcomes = Default::default();
    let mut template = ledger.aspects[0].problems[0].clone();
    template.status = rectify_domain::Status::InProgress;
    for m in &mut template.measures {
        m.status = Some(rectify_domain::Status::InProgress);
    }
    ledger.aspects.truncate(1);
    ledger.aspects[0].problems = titles
        .iter()
        .map(|t| rectify_domain::Problem { title: NonEmptyText::new(*t).unwrap(), ..template.clone() })
        .collect();
    ledger
}

async fn get(app: &Router, uri: &str) -> Answer {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

async fn app_as(store: &Store, username: &str, grant: RoleGrant) -> Router {
    let clock = rectify_auth::SystemClock;
    account(store, username, grant, &clock).await;
    let app = rectify_server::router(AppState::new(store.clone()));
    let s = signed(&app, username, None).await;
    with_cookie(app, s.cookie.split(';').next().unwrap_or_default().to_owned())
}

fn hits(answer: &Answer) -> Vec<(String, i64, Option<i64>)> {
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    answer.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["kind"].as_str().unwrap().to_owned(), h["id"].as_i64().unwrap(), h["inspection_id"].as_i64()))
        .collect()
}

/// Two units' ledgers, a progress report and a feedback written after the import; returns the
/// inspection ids.
async fn fill(store: &Store) -> (i64, i64) {
    let a = store
        .import_ledger(&ledger(
            "甲单位",
            "第一轮",
            &[&format!("{XSS}落实两个责任不到位，整改销号把关不严"), "违规发放津贴补贴问题"],
        ))
        .await
        .unwrap();
    let b = store
        .import_ledger(&ledger("乙单位", "第一轮", &["整改销号把关不严，立行立改落实不够", "三重一大制度执行不到位"]))
        .await
        .unwrap();
    // A progress report written later is found at once (the index is kept in the same transaction).
    let measure = store.list_measures(b, None).await.unwrap()[0].id;
    let view = store.measure_workflow(measure).await.unwrap().unwrap();
    let entry = ProgressEntry {
        date: PartialDate::Day(day()),
        text: NonEmptyText::new("开展回头看，逐项对账销号").unwrap(),
        evidence: vec![],
    };
    let liaison = Acting { user_id: None, user_name: "乙联络员".into(), role: Role::UnitLiaison, address: None };
    store.add_progress(measure, &liaison, &entry, view.version, chrono::Utc::now()).await.unwrap();
    // Only a unit with a published report takes feedback.
    rectify_server::publish_inspection(&AppState::new(store.clone()), b, &liaison).await.unwrap();
    store
        .submit_feedback(
            &NewFeedback {
                unit: "乙单位".into(),
                inspection_id: Some(b),
                submitter: Submitter::Anonymous,
                subject: "销号不实".into(),
                body: "反映该单位开展回头看走过场，整改不实".into(),
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    (a, b)
}

#[tokio::test]
async fn both_backends_find_the_same_hits_and_a_unit_sees_only_its_own() {
    let mut answers = Vec::new();
    for (store, _dir) in stores().await {
        let (a, b) = fill(&store).await;
        let office = app_as(&store, "office", RoleGrant::everywhere(Role::InspectionOffice)).await;
        let all = hits(&get(&office, "/api/search?q=%E9%94%80%E5%8F%B7&limit=500").await); // 销号
        let kinds: std::collections::BTreeSet<&str> = all.iter().map(|h| h.0.as_str()).collect();
        assert!(kinds.is_superset(&["problem", "progress", "feedback"].into()), "{all:?}");
        assert!(all.iter().any(|h| h.2 == Some(a)) && all.iter().any(|h| h.2 == Some(b)));
        // Problems come first.
        assert_eq!(all[0].0, "problem");

        let grant = RoleGrant { inspection_id: Some(a), ..RoleGrant::everywhere(Role::UnitLiaison) };
        let unit = app_as(&store, "jia", grant).await;
        let own = hits(&get(&unit, "/api/search?q=%E9%94%80%E5%8F%B7&limit=500").await);
        assert!(!own.is_empty());
        assert!(own.iter().all(|h| h.2 == Some(a)), "a unit saw another unit's hits: {own:?}");
        assert!(own.len() < all.len());
        // 回头看 is also in unit 乙's progress report and feedback, which 甲 does not see.
        let lookback = hits(&get(&unit, "/api/search?q=%E5%9B%9E%E5%A4%B4%E7%9C%8B").await);
        assert!(lookback.iter().all(|h| h.2 == Some(a) && h.0 != "feedback"), "{lookback:?}");
        let everyone = hits(&get(&office, "/api/search?q=%E5%9B%9E%E5%A4%B4%E7%9C%8B").await);
        assert!(everyone.iter().any(|h| h.0 == "progress" && h.2 == Some(b)), "{everyone:?}");

        // Filters: kind, unit (inspection), status, round.
        let only = hits(&get(&office, "/api/search?q=%E9%94%80%E5%8F%B7&kind=feedback").await);
        assert_eq!(only.len(), 1);
        assert_eq!(only[0].0, "feedback");
        let of_b = hits(&get(&office, &format!("/api/search?q=%E9%94%80%E5%8F%B7&inspection={b}&limit=500")).await);
        assert!(!of_b.is_empty() && of_b.iter().all(|h| h.2 == Some(b)));
        // Every problem here has the demo's first problem's status: all but the feedback.
        let status = ledger("x", "y", &["z"]).aspects[0].problems[0].status.as_str();
        let by_status =
            hits(&get(&office, &format!("/api/search?q=%E9%94%80%E5%8F%B7&status={status}&limit=500")).await);
        let ledger_hits: Vec<_> = all.iter().filter(|h| h.0 != "feedback").cloned().collect();
        assert_eq!(by_status, ledger_hits);
        let bad = get(&office, "/api/search?q=x&kind=memo").await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        answers.push(all);
    }
    if let [sqlite, postgres] = answers.as_slice() {
        assert_eq!(sqlite, postgres, "SQLite and PostgreSQL found different hits");
    }
}

#[tokio::test]
async fn snippets_are_escaped_and_marked_and_pages_are_clamped() {
    for (store, _dir) in stores().await {
        fill(&store).await;
        let office = app_as(&store, "office", RoleGrant::everywhere(Role::InspectionOffice)).await;
        // 两个责任 (a domain word) finds the problem whose title holds the script.
        let json = get(&office, "/api/search?q=%E4%B8%A4%E4%B8%AA%E8%B4%A3%E4%BB%BB").await.json();
        let item = &json["items"][0];
        assert_eq!(item["kind"], "problem");
        let snippet = item["snippet"].as_str().unwrap();
        assert!(snippet.contains("</script>"), "the JSON snippet is plain text: {snippet}");
        let [start, end] = [item["highlights"][0][0].as_u64().unwrap(), item["highlights"][0][1].as_u64().unwrap()];
        let marked: String = snippet.chars().skip(start as usize).take((end - start) as usize).collect();
        assert_eq!(marked, "两个责任");

        let page = get(&office, "/search?q=%E4%B8%A4%E4%B8%AA%E8%B4%A3%E4%BB%BB").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let html = page.text();
        assert!(
            !html.contains("<script>alert") && !html.contains("script>落实"),
            "the page shows the script unescaped"
        );
        assert!(html.contains("&lt;script&gt;alert(1)"), "{html}");
        assert!(html.contains("<mark>两个责任</mark>"), "{html}");
        // The template engine escapes the slashes of the link too.
        assert!(html.contains("href=\"&#x2f;problems&#x2f;"), "a hit links to its problem: {html}");

        let all = get(&office, "/api/search?q=%E9%94%80%E5%8F%B7").await.json();
        let total = all["total"].as_u64().unwrap();
        assert!(total >= 3);
        let one = get(&office, "/api/search?q=%E9%94%80%E5%8F%B7&limit=1&offset=1").await.json();
        assert_eq!(one["total"].as_u64(), Some(total));
        assert_eq!(one["items"].as_array().unwrap().len(), 1);
        assert_eq!(one["items"][0], all["items"][1]);
        let beyond = get(&office, &format!("/api/search?q=%E9%94%80%E5%8F%B7&offset={}", total + 5)).await.json();
        assert_eq!((beyond["items"].as_array().unwrap().len(), beyond["total"].as_u64()), (0, Some(total)));
        let huge = get(&office, "/api/search?q=%E9%94%80%E5%8F%B7&limit=100000").await;
        assert_eq!(huge.status, StatusCode::OK);
        let huge = huge.json();
        assert_eq!(huge["total"].as_u64(), Some(total));
        assert_eq!(huge["items"].as_array().unwrap().len() as u64, total.min(500));
        // No words (punctuation only): no hits, not an error.
        assert_eq!(all["total_exact"], true);
        let empty = get(&office, "/api/search?q=%EF%BC%8C%E3%80%82").await.json();
        assert_eq!(empty, serde_json::json!({ "items": [], "total": 0, "total_exact": true }));
        let long = get(&office, &format!("/api/search?q={}", "a".repeat(201))).await;
        assert_eq!(long.status, StatusCode::BAD_REQUEST);
    }
}

#[tokio::test]
async fn a_database_filled_before_the_index_is_indexed_when_found_empty() {
    for (store, _dir) in stores().await {
        fill(&store).await;
        sqlx::query("DELETE FROM search_index").execute(store.pool()).await.unwrap();
        assert_eq!(store.ensure_search_index().await.unwrap().map(|n| n > 0), Some(true));
        assert_eq!(store.ensure_search_index().await.unwrap(), None, "a filled index is left alone");
        let office = app_as(&store, "office", RoleGrant::everywhere(Role::InspectionOffice)).await;
        assert!(!hits(&get(&office, "/api/search?q=%E9%94%80%E5%8F%B7").await).is_empty());
    }
}

#[tokio::test]
async fn common_problems_cluster_alike_problems_of_several_units() {
    for (store, _dir) in stores().await {
        let round = "第二轮";
        let units = [
            ("丙单位", ["落实中央八项规定精神不严格，违规发放津贴补贴", "意识形态工作责任制落实不力"]),
            ("丁单位", ["违规发放津贴补贴，落实中央八项规定精神不严格", "三重一大决策制度执行不到位"]),
            ("戊单位", ["落实中央八项规定精神不严格", "三重一大决策制度执行不到位"]),
        ];
        for (unit, titles) in &units {
            store.import_ledger(&ledger(unit, round, titles)).await.unwrap();
        }
        let rounds = store.list_rounds(rectify_storage::Page::default()).await.unwrap().0;
        let id = rounds.iter().find(|r| r.name == round).unwrap().id;
        let office = app_as(&store, "office", RoleGrant::everywhere(Role::InspectionOffice)).await;
        let answer = get(&office, &format!("/api/rounds/{id}/common-problems")).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        let clusters = answer.json()["clusters"].clone();
        let shape: Vec<(u64, u64)> = clusters
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["problems"].as_u64().unwrap(), c["units"].as_u64().unwrap()))
            .collect();
        assert_eq!(shape, vec![(3, 3), (2, 2)], "{clusters}");
        assert_eq!(clusters[1]["title"], "三重一大决策制度执行不到位");
        let strict = get(&office, &format!("/api/rounds/{id}/common-problems?threshold=1")).await.json();
        // At 1 only the same words (in any order) are alike: 戊's shorter title leaves the first cluster.
        let shape: Vec<(u64, u64)> = strict["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["problems"].as_u64().unwrap(), c["units"].as_u64().unwrap()))
            .collect();
        assert_eq!(shape, vec![(2, 2), (2, 2)], "{strict}");
        let bad = get(&office, &format!("/api/rounds/{id}/common-problems?threshold=2")).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert_eq!(get(&office, "/api/rounds/999999/common-problems").await.status, StatusCode::NOT_FOUND);

        let page = get(&office, &format!("/rounds/{id}/common-problems")).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        assert!(html.contains("涉及 3 家单位") && html.contains("丁单位"), "{html}");
        let round_page = get(&office, &format!("/rounds/{id}")).await.text();
        assert!(round_page.contains(&format!("/rounds/{id}/common-problems")));
    }
}
