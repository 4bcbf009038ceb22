//! Every endpoint, called through the router on a temporary SQLite database holding the demo.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::NaiveDate;
use http_body_util::BodyExt;
use rectify_domain::Ledger;
use rectify_server::AppState;
use rectify_server::demo::demo_ledger;
use rectify_storage::Store;
use serde_json::Value;
use tower::ServiceExt;

mod common;

struct Fixture {
    app: Router,
    ledger: Ledger,
    id: i64,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("api.sqlite").display());
    let store = Store::connect(&url).await.unwrap();
    let ledger = demo_ledger(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
    let id = store.import_ledger(&ledger).await.unwrap();
    Fixture { app: common::office_app(AppState::new(store)).await, ledger, id, _dir: dir }
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

async fn get(app: &Router, uri: &str) -> Answer {
    let response = app.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes().to_vec();
    Answer { status, headers, body }
}

fn assert_error(answer: &Answer, status: StatusCode, code: &str) {
    assert_eq!(answer.status, status, "{}", answer.text());
    let body = answer.json();
    assert_eq!(body["error"], code);
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn healthz_reports_the_database() {
    let f = fixture().await;
    let a = get(&f.app, "/healthz").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json(), serde_json::json!({ "status": "ok", "database": "sqlite" }));
    assert_eq!(a.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(a.headers.contains_key(header::REFERRER_POLICY));
}

#[tokio::test]
async fn inspections_list_and_detail() {
    let f = fixture().await;
    let list = get(&f.app, "/api/inspections").await;
    assert_eq!(list.status, StatusCode::OK);
    let list = list.json();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], f.id);
    assert_eq!(items[0]["unit"], f.ledger.unit.clone().unwrap());
    assert_eq!(items[0]["aspects"], f.ledger.aspects.len());
    assert_eq!(items[0]["problems"], f.ledger.problems().count());
    assert_eq!(items[0]["measures"], f.ledger.measures().count());

    let detail = get(&f.app, &format!("/api/inspections/{}", f.id)).await;
    assert_eq!(detail.status, StatusCode::OK);
    let detail = detail.json();
    assert_eq!(detail["summary"]["id"], f.id);
    assert_eq!(detail["summary"]["problems"], f.ledger.problems().count());
    // The ledger comes back in the interchange shape and equal to what was stored.
    let mut back = Ledger::from_json(&detail["ledger"].to_string()).unwrap();
    let mut expected = f.ledger.clone();
    // The test reads the body through serde_json::Value, whose objects sort their keys: compare the
    // claimed accountability (a JSON object) without its order.
    back.claimed.accountability.0.sort();
    expected.claimed.accountability.0.sort();
    assert_eq!(back, expected);
}

#[tokio::test]
async fn lists_are_paged_and_bad_paging_is_cheap() {
    let f = fixture().await;
    let all = get(&f.app, &format!("/api/inspections/{}/problems", f.id)).await.json();
    let total = all["total"].as_u64().unwrap();
    assert_eq!(total as usize, f.ledger.problems().count());
    let page = get(&f.app, &format!("/api/inspections/{}/problems?limit=2&offset=1", f.id)).await.json();
    assert_eq!(page["total"], total);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["items"][0]["id"], all["items"][1]["id"]);
    // Page 10⁹ and a limit of 10⁹ are answered at once: empty, and clamped to 500.
    let far = get(&f.app, &format!("/api/inspections/{}/problems?offset=1000000000000", f.id)).await;
    assert_eq!(far.status, StatusCode::OK);
    assert_eq!(far.json()["items"], serde_json::json!([]));
    let big = get(&f.app, "/api/inspections?limit=1000000000").await;
    assert_eq!(big.status, StatusCode::OK);
    let bad = get(&f.app, "/api/inspections?limit=abc").await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn problems_and_one_problem() {
    let f = fixture().await;
    let a = get(&f.app, &format!("/api/inspections/{}/problems", f.id)).await;
    assert_eq!(a.status, StatusCode::OK);
    let problems = a.json();
    let problems = problems["items"].as_array().unwrap();
    assert_eq!(problems.len(), f.ledger.problems().count());
    let titles: Vec<&str> = problems.iter().map(|p| p["problem"]["title"].as_str().unwrap()).collect();
    let expected: Vec<&str> = f.ledger.problems().map(|p| p.title.as_str()).collect();
    assert_eq!(titles, expected, "ledger order");
    let measures: u64 = problems.iter().map(|p| p["measure_count"].as_u64().unwrap()).sum();
    assert_eq!(measures as usize, f.ledger.measures().count());

    let second = &problems[1];
    let one = get(&f.app, &format!("/api/problems/{}", second["id"])).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(&one.json(), second);
}

#[tokio::test]
async fn measures_all_and_by_problem() {
    let f = fixture().await;
    let all = get(&f.app, &format!("/api/inspections/{}/measures?limit=500", f.id)).await;
    assert_eq!(all.status, StatusCode::OK);
    let all = all.json();
    assert_eq!(all["total"].as_u64().unwrap() as usize, f.ledger.measures().count());
    let all = all["items"].as_array().unwrap();
    assert_eq!(all.len(), f.ledger.measures().count());
    assert!(all.iter().all(|m| m["inspection_id"] == f.id));

    let problems = get(&f.app, &format!("/api/inspections/{}/problems", f.id)).await.json();
    let p = &problems["items"][2];
    let some = get(&f.app, &format!("/api/inspections/{}/measures?problem={}", f.id, p["id"])).await;
    assert_eq!(some.status, StatusCode::OK);
    let some = some.json();
    let some = some["items"].as_array().unwrap();
    assert_eq!(some.len() as u64, p["measure_count"].as_u64().unwrap());
    assert!(some.iter().all(|m| m["problem_id"] == p["id"]));
    let expected = &f.ledger.aspects[0].problems[2].measures;
    assert_eq!(some[0]["measure"]["text"], expected[0].text.as_str());

    let one = get(&f.app, &format!("/api/measures/{}", some[0]["id"])).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.json(), some[0]);
}

#[tokio::test]
async fn statistics_with_the_printed_rate() {
    let f = fixture().await;
    let a = get(&f.app, &format!("/api/inspections/{}/statistics", f.id)).await;
    assert_eq!(a.status, StatusCode::OK);
    let s = a.json();
    // The demo has 24 problems of which 13 are completed: 13/24 = 54.1666…% → "54.17".
    let claimed = &f.ledger.claimed;
    assert_eq!(s["completion"]["numerator"], claimed.completed.unwrap());
    assert_eq!(s["completion"]["denominator"], claimed.problems.unwrap());
    assert_eq!(s["completion"]["decimals"], 2);
    assert_eq!(s["completion"]["percent"], format!("{:.2}", claimed.completion_rate_percent.unwrap()));
    assert_eq!(s["statistics"]["measures_total"], claimed.measures.unwrap());
    assert_eq!(s["statistics"]["aspects"], claimed.aspects.unwrap());
    assert_eq!(s["statistics"]["problems"]["total"], claimed.problems.unwrap());
}

#[tokio::test]
async fn unknown_ids_are_404_and_bad_ids_400() {
    let f = fixture().await;
    for uri in [
        "/api/inspections/999".to_string(),
        "/api/inspections/999/problems".to_string(),
        "/api/inspections/999/measures".to_string(),
        "/api/inspections/999/statistics".to_string(),
        "/api/problems/999999".to_string(),
        "/api/measures/999999".to_string(),
        format!("/api/inspections/{}/measures?problem=999999", f.id),
        "/api/nothing-here".to_string(),
    ] {
        assert_error(&get(&f.app, &uri).await, StatusCode::NOT_FOUND, "not_found");
    }
    for uri in [
        "/api/inspections/abc".to_string(),
        "/api/inspections/0/problems".to_string(),
        "/api/problems/-1".to_string(),
        "/api/measures/1.5".to_string(),
        format!("/api/inspections/{}/measures?problem=x", f.id),
    ] {
        assert_error(&get(&f.app, &uri).await, StatusCode::BAD_REQUEST, "bad_request");
    }
}

#[tokio::test]
async fn a_problem_of_another_inspection_is_not_found_under_this_one() {
    let f = fixture().await;
    let problems = get(&f.app, &format!("/api/inspections/{}/problems", f.id)).await.json();
    let pid = &problems["items"][0]["id"];
    // Store a second ledger; the first one's problem does not belong to it.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite:{}", dir.path().join("two.sqlite").display())).await.unwrap();
    let first = store.import_ledger(&f.ledger).await.unwrap();
    let second = store.import_ledger(&f.ledger).await.unwrap();
    let app = common::office_app(AppState::new(store)).await;
    let first_problems = get(&app, &format!("/api/inspections/{first}/problems")).await.json();
    let foreign = &first_problems["items"][0]["id"];
    let a = get(&app, &format!("/api/inspections/{second}/measures?problem={foreign}")).await;
    assert_error(&a, StatusCode::NOT_FOUND, "not_found");
    assert!(pid.is_i64());
}

#[tokio::test]
async fn openapi_lists_every_path() {
    let f = fixture().await;
    let a = get(&f.app, "/api/openapi.json").await;
    assert_eq!(a.status, StatusCode::OK);
    let doc = a.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    let paths = doc["paths"].as_object().unwrap();
    // The HTML pages are not part of the API.
    assert!(!paths.contains_key("/"), "the home page is a page, not an API operation");
    for path in [
        "/healthz",
        "/api/openapi.json",
        "/api/inspections",
        "/api/inspections/{id}",
        "/api/inspections/{id}/problems",
        "/api/inspections/{id}/measures",
        "/api/inspections/{id}/statistics",
        "/api/problems/{id}",
        "/api/measures/{id}",
    ] {
        assert!(paths.contains_key(path), "{path} missing from the OpenAPI document");
    }
    // Every documented operation is in the authorization table (tests/authz.rs checks the rest).
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let method = axum::http::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            assert!(rectify_server::authz::rule_for(&method, path).is_some(), "{method} {path} has no access rule");
        }
    }
    let params = &doc["paths"]["/api/inspections/{id}/measures"]["get"]["parameters"];
    assert!(params.as_array().unwrap().iter().any(|p| p["name"] == "problem" && p["in"] == "query"));
    for schema in ["Health", "InspectionDto", "ProblemDto", "MeasureDto", "StatisticsDto", "ErrorBody"] {
        assert!(doc["components"]["schemas"].get(schema).is_some(), "schema {schema} missing");
    }
}

#[tokio::test]
async fn index_page_lists_the_inspection_in_chinese() {
    let f = fixture().await;
    let a = get(&f.app, "/").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    let csp = a.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    let html = a.text();
    assert!(html.contains("<title>巡察整改管理系统</title>"));
    assert!(html.contains(f.ledger.unit.as_deref().unwrap()));
    assert!(html.contains("54.17%（13/24）"), "headline rate with its counts");
    assert!(html.contains(&format!("href=\"/inspections/{}/dashboard\"", f.id)));
}

#[tokio::test]
async fn index_page_escapes_stored_text() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite:{}", dir.path().join("x.sqlite").display())).await.unwrap();
    let mut ledger = demo_ledger(NaiveDate::from_ymd_opt(2026, 1, 5).unwrap());
    ledger.title = Some("<script>alert(1)</script>通报".to_string());
    store.import_ledger(&ledger).await.unwrap();
    let html = get(&common::office_app(AppState::new(store)).await, "/").await.text();
    assert!(!html.contains("<script>"));
    // minijinja escapes the slash too.
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;通报"));
}

#[tokio::test]
async fn empty_database_gives_an_empty_list_and_a_page() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite:{}", dir.path().join("e.sqlite").display())).await.unwrap();
    let app = common::office_app(AppState::new(store)).await;
    let list = get(&app, "/api/inspections").await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json(), serde_json::json!({"items": [], "total": 0}));
    let page = get(&app, "/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("尚无"));
}

#[tokio::test]
async fn serve_answers_on_a_socket_and_stops_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite:{}", dir.path().join("s.sqlite").display())).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(rectify_server::serve_on(store, listener, async {
        let _ = stop_rx.await;
    }));
    // A bare HTTP/1.1 request, so the test needs no HTTP client.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    socket.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut reply = String::new();
    socket.read_to_string(&mut reply).await.unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains("\"database\":\"sqlite\""));
    stop_tx.send(()).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(5), server).await.unwrap().unwrap().unwrap();
}
