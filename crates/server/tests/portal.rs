//! The public portal through the whole router, without a session: published reports (frozen
//! public version), the feedback form with its checks and limits, the receipt-code lookup and
//! the per-unit QR codes.

mod common;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use chrono::NaiveDate;
use http_body_util::BodyExt;
use rectify_domain::Ledger;
use rectify_domain::roles::Role;
use rectify_server::demo::demo_ledger;
use rectify_server::{AppState, PortalConfig, RateLimit, publish_inspection, router};
use rectify_storage::{Acting, FeedbackStatus, Store};
use tower::ServiceExt;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn liaison() -> Acting {
    Acting { user_id: None, user_name: "联络员".into(), role: Role::UnitLiaison, address: None }
}

struct Fixture {
    app: Router,
    state: AppState,
    store: Store,
    ledger: Ledger,
    inspection: i64,
    unit: String,
    _dir: tempfile::TempDir,
}

/// Generous limits, so that only the rate-limit test meets them.
fn roomy() -> PortalConfig {
    PortalConfig {
        public_base_url: None,
        submissions_per_address: RateLimit::new(100, Duration::from_secs(600)),
        submissions_per_unit: RateLimit::new(100, Duration::from_secs(3600)),
        proof_bits: 8,
        lookups_per_address: RateLimit::new(100, Duration::from_secs(600)),
        trust_forwarded_for: false,
    }
}

async fn fixture_with(config: PortalConfig) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite:{}", dir.path().join("portal.sqlite").display())).await.unwrap();
    let ledger = demo_ledger(today());
    let inspection = store.import_ledger(&ledger).await.unwrap();
    let state = AppState::new(store.clone()).with_today(today()).with_portal(config);
    let app = router(state.clone());
    let unit = ledger.unit.clone().unwrap();
    Fixture { app, state, store, ledger, inspection, unit, _dir: dir }
}

/// A fixture whose unit has a published report: only such a unit is on the portal and takes
/// feedback (issue 13, finding 2).
async fn published_fixture(config: PortalConfig) -> Fixture {
    let f = fixture_with(config).await;
    publish_inspection(&f.state, f.inspection, &liaison()).await.unwrap();
    f
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    /// The body, with the `&#x2f;` the template engine writes for every slash turned back.
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).replace("&#x2f;", "/")
    }
    fn header(&self, name: header::HeaderName) -> String {
        self.headers.get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
    }
    /// The nonce the server handed out in a cookie and the form token of the page's form.
    fn csrf(&self) -> FormToken {
        let nonce = self
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| c.strip_prefix("rectify_csrf="))
            .map(|c| c.split(';').next().unwrap().to_string())
            .expect("a CSRF cookie");
        let token = common::hidden_token(&self.text()).expect("a form token in the page");
        assert_ne!(token, nonce, "the form token is not the cookie's value");
        FormToken { nonce, token }
    }
}

async fn send(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes().to_vec();
    Answer { status, headers, body }
}

async fn get(app: &Router, uri: &str) -> Answer {
    send(app, Request::get(uri).header(header::HOST, "portal.test").body(Body::empty()).unwrap()).await
}

/// Percent-encodes everything but unreserved ASCII (a form value or a path segment).
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

fn form(fields: &[(&str, &str)]) -> String {
    fields.iter().map(|(k, v)| format!("{k}={}", enc(v))).collect::<Vec<_>>().join("&")
}

/// A browser's form cookie (the nonce) and the token its pages carry.
struct FormToken {
    nonce: String,
    token: String,
}

/// Posts a form with the CSRF cookie and field, from `address` (as a trusted proxy reports it).
async fn post(app: &Router, uri: &str, csrf: &FormToken, fields: &[(&str, &str)], address: &str) -> Answer {
    let mut all = vec![("csrf_token", csrf.token.as_str())];
    all.extend_from_slice(fields);
    let request = Request::post(uri)
        .header(header::HOST, "portal.test")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("rectify_csrf={}", csrf.nonce))
        .header("x-forwarded-for", address)
        .body(Body::from(form(&all)))
        .unwrap();
    send(app, request).await
}

fn feedback_uri(unit: &str) -> String {
    format!("/public/units/{}/feedback", enc(unit))
}

const BODY: &str = "小区加装电梯的整改承诺至今没有落实，希望尽快推进。";

/// A receipt code as the thank-you page prints it: three groups of four.
fn receipt_of(html: &str) -> String {
    let start = html.find("id=\"receipt-code\">").expect("the receipt code") + "id=\"receipt-code\">".len();
    html[start..start + 14].to_string()
}

#[tokio::test]
async fn public_pages_answer_without_a_session() {
    let f = fixture_with(roomy()).await;
    let published = publish_inspection(&f.state, f.inspection, &liaison()).await.unwrap();
    let unit = enc(&f.unit);
    let pages = [
        ("/public".to_string(), "text/html", vec!["公开通报", f.unit.as_str(), "意见建议反映渠道"]),
        (format!("/public/reports/{published}"), "text/html", vec![f.unit.as_str(), "对本通报反映意见建议"]),
        (format!("/public/reports/{published}/original.html"), "text/html", vec!["<main>"]),
        (format!("/public/units/{unit}/feedback"), "text/html", vec!["反映意见建议", "匿名反映", "实名反映"]),
        (format!("/public/units/{unit}/qr"), "text/html", vec!["扫码反映巡察整改意见建议"]),
        (format!("/public/units/{unit}/qr.svg"), "image/svg+xml", vec!["<svg"]),
        ("/public/feedback/lookup".to_string(), "text/html", vec!["办理情况查询", "查询码"]),
        ("/public/portal.css".to_string(), "text/css", vec!["@media print"]),
    ];
    for (uri, content_type, needles) in pages {
        let a = get(&f.app, &uri).await;
        assert_eq!(a.status, StatusCode::OK, "{uri}: {}", a.text());
        assert!(a.header(header::CONTENT_TYPE).starts_with(content_type), "{uri}");
        let text = a.text();
        for needle in needles {
            assert!(text.contains(needle), "{uri} lacks {needle}");
        }
        let cookies: Vec<_> = a.headers.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap()).collect();
        assert!(cookies.iter().all(|c| c.starts_with("rectify_csrf=")), "{uri} set {cookies:?}");
        if content_type == "text/html" && !uri.ends_with("original.html") {
            assert!(text.contains("<html lang=\"zh-CN\">"), "{uri}");
            let csp = a.header(header::CONTENT_SECURITY_POLICY);
            assert!(csp.contains("script-src 'none'") && !csp.contains("unsafe"), "{uri}: {csp}");
        }
    }
    // The list links the report under its unit.
    let index = get(&f.app, "/public").await.text();
    assert!(index.contains(&format!("href=\"/public/reports/{published}\"")));
    assert!(index.contains("关于巡察整改进展情况的通报"), "the report's title is listed");
    // Unknown things are 404, not errors.
    for uri in
        ["/public/reports/999", "/public/reports/abc", "/public/units/%E6%97%A0%E6%AD%A4%E5%8D%95%E4%BD%8D/feedback"]
    {
        assert_eq!(get(&f.app, uri).await.status, StatusCode::NOT_FOUND, "{uri}");
    }
    assert_eq!(get(&f.app, &format!("/public/units/{}/qr.svg", enc("无此单位"))).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_report_page_is_the_frozen_public_version() {
    let f = fixture_with(roomy()).await;
    let published = publish_inspection(&f.state, f.inspection, &liaison()).await.unwrap();
    let mut withheld = Vec::new();
    let mut shown = Vec::new();
    let mut names = Vec::new();
    for problem in f.ledger.aspects.iter().flat_map(|a| &a.problems) {
        let title = problem.title.to_string();
        let core = title.trim_start_matches("针对").trim_end_matches("的问题").to_string();
        if problem.disclosure.is_public() {
            shown.push(core)
        } else {
            withheld.push(core)
        }
        let r = &problem.responsibility;
        names.extend([r.first_responsible.clone(), r.leader.clone(), r.liaison.clone()].into_iter().flatten());
    }
    names.extend(f.ledger.outcomes.accountability.iter().flat_map(|a| a.persons.clone()));
    names.sort();
    names.dedup();
    assert!(!withheld.is_empty() && !names.is_empty(), "the demo must withhold something and name someone");

    let page = get(&f.app, &format!("/public/reports/{published}")).await.text();
    let original = get(&f.app, &format!("/public/reports/{published}/original.html")).await.text();
    for html in [&page, &original] {
        for title in &withheld {
            assert!(!html.contains(title.as_str()), "a withheld problem is shown: {title}");
        }
        for name in &names {
            assert!(!html.contains(name.as_str()), "a name is shown: {name}");
        }
        assert!(html.contains(shown[0].as_str()), "a public problem is missing: {}", shown[0]);
    }
    assert!(!page.contains(" style=\""), "inline styles would break the page's CSP");

    // Frozen: deleting the inspection does not change what was published.
    assert!(f.store.delete_inspection(f.inspection).await.unwrap());
    let after = get(&f.app, &format!("/public/reports/{published}")).await;
    assert_eq!(after.status, StatusCode::OK);
    assert!(after.text().contains(shown[0].as_str()));

    // Withdrawn: gone from the list, and the page says so.
    f.store.withdraw_published(published, &liaison(), chrono::Utc::now()).await.unwrap();
    let gone = get(&f.app, &format!("/public/reports/{published}")).await;
    assert_eq!(gone.status, StatusCode::GONE);
    assert!(gone.text().contains("已撤回"));
    assert_eq!(get(&f.app, &format!("/public/reports/{published}/original.html")).await.status, StatusCode::GONE);
    assert!(!get(&f.app, "/public").await.text().contains(&format!("/public/reports/{published}\"")));
}

#[tokio::test]
async fn feedback_is_checked_field_by_field_in_chinese() {
    let f = published_fixture(roomy()).await;
    let uri = feedback_uri(&f.unit);
    let csrf = get(&f.app, &uri).await.csrf();
    let a = post(
        &f.app,
        &uri,
        &csrf,
        &[("identity", "real_name"), ("name", "张三"), ("contact", " "), ("subject", ""), ("body", "太短了")],
        "198.51.100.1",
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = a.text();
    for message in ["请填写标题", "内容不能少于10个字", "实名反映请填写联系方式"] {
        assert!(html.contains(message), "missing message {message}");
    }
    assert!(html.contains("提交未成功，请修改以下3处"), "the summary counts the problems");
    assert!(html.contains("id=\"subject-error\"") && html.contains("aria-invalid=\"true\""));
    assert!(html.contains("value=\"张三\"") && html.contains(">太短了</textarea>"), "what was typed is kept");

    let long = "标".repeat(51);
    let a = post(&f.app, &uri, &csrf, &[("identity", "anonymous"), ("subject", &long), ("body", BODY)], "198.51.100.1")
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.text().contains("标题不能超过50个字"));
    let a = post(&f.app, &uri, &csrf, &[("subject", "无方式"), ("body", BODY)], "198.51.100.1").await;
    assert!(a.text().contains("请选择匿名反映或实名反映"));
    assert!(f.store.list_feedback(&f.unit, None).await.unwrap().is_empty(), "nothing stored");
}

#[tokio::test]
async fn feedback_needs_the_csrf_token_and_an_empty_honeypot() {
    let f = published_fixture(roomy()).await;
    let uri = feedback_uri(&f.unit);
    let fields = [("identity", "anonymous"), ("subject", "电梯"), ("body", BODY)];
    let bare = Request::post(&uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form(&fields)))
        .unwrap();
    assert_eq!(send(&f.app, bare).await.status, StatusCode::FORBIDDEN, "no cookie, no token");
    let csrf = get(&f.app, &uri).await.csrf();
    let mismatched = Request::post(&uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("rectify_csrf={}", csrf.nonce))
        .body(Body::from(format!("csrf_token={}&{}", "0".repeat(64), form(&fields))))
        .unwrap();
    assert_eq!(send(&f.app, mismatched).await.status, StatusCode::FORBIDDEN, "a token that is not the cookie's");
    // A value planted in the cookie and repeated in the form (the double-submit attack) fails:
    // the token must be the server's MAC of the nonce.
    let planted = "0123456789abcdef".repeat(4);
    let planted = FormToken { nonce: planted.clone(), token: planted };
    let a = post(&f.app, &uri, &planted, &fields, "198.51.100.2").await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "a planted cookie value repeated in the form");
    let mut baited = fields.to_vec();
    baited.push(("hp_note", "http://spam.example"));
    let bot = post(&f.app, &uri, &csrf, &baited, "198.51.100.2").await;
    assert_eq!(bot.status, StatusCode::BAD_REQUEST);
    assert!(!bot.text().contains("receipt-code"));
    assert!(f.store.list_feedback(&f.unit, None).await.unwrap().is_empty(), "nothing stored");

    let ok = post(&f.app, &uri, &csrf, &fields, "198.51.100.2").await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    assert_eq!(f.store.list_feedback(&f.unit, None).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_receipt_code_shows_status_and_answer_but_no_personal_data() {
    let f = published_fixture(roomy()).await;
    let uri = format!("{}?inspection={}", feedback_uri(&f.unit), f.inspection);
    let page = get(&f.app, &uri).await;
    assert!(page.text().contains(&format!("name=\"inspection\" value=\"{}\"", f.inspection)));
    let csrf = page.csrf();
    let fields = [
        ("identity", "real_name"),
        ("name", "王五"),
        ("contact", "13800000000"),
        ("subject", "加装电梯"),
        ("body", BODY),
        ("inspection", &f.inspection.to_string()),
    ];
    let thanks = post(&f.app, &feedback_uri(&f.unit), &csrf, &fields, "198.51.100.3").await;
    assert_eq!(thanks.status, StatusCode::OK);
    assert_eq!(thanks.header(header::CACHE_CONTROL), "no-store");
    let code = receipt_of(&thanks.text());
    let groups: Vec<&str> = code.split('-').collect();
    assert_eq!(groups.len(), 3, "{code}");
    assert!(groups.iter().all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())));
    assert!(!code.contains(['0', '1', 'I', 'O']), "{code}");
    let stored = f.store.list_feedback(&f.unit, None).await.unwrap();
    assert_eq!(stored[0].inspection_id, Some(f.inspection));

    let lookup = get(&f.app, "/public/feedback/lookup").await;
    let csrf = lookup.csrf();
    let typed = code.to_lowercase().replace('-', " ");
    let seen = post(&f.app, "/public/feedback/lookup", &csrf, &[("code", &typed)], "198.51.100.3").await;
    assert_eq!(seen.status, StatusCode::OK);
    let html = seen.text();
    assert!(html.contains("已受理") && html.contains("加装电梯") && html.contains("尚未答复"));
    assert!(!html.contains("王五") && !html.contains("13800000000"), "the lookup shows no personal data");

    f.store
        .answer_feedback(stored[0].id, "已督促责任部门于本月底前完成。", &liaison(), chrono::Utc::now())
        .await
        .unwrap();
    let html = post(&f.app, "/public/feedback/lookup", &csrf, &[("code", &code)], "198.51.100.3").await.text();
    assert!(html.contains("已答复") && html.contains("已督促责任部门于本月底前完成。"));

    let bad = post(&f.app, "/public/feedback/lookup", &csrf, &[("code", "12345")], "198.51.100.3").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("查询码为12位字母和数字"));
    let unknown = post(&f.app, "/public/feedback/lookup", &csrf, &[("code", "ABCD-EFGH-JKMN")], "198.51.100.3").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.text().contains("未找到与该查询码对应的意见建议"));
}

#[tokio::test]
async fn anonymous_feedback_keeps_no_personal_identifier() {
    let f = published_fixture(roomy()).await;
    let uri = feedback_uri(&f.unit);
    let csrf = get(&f.app, &uri).await.csrf();
    // A name typed before choosing "anonymous" is dropped, not stored.
    let fields = [
        ("identity", "anonymous"),
        ("name", "赵六"),
        ("contact", "zhao@example.cn"),
        ("subject", "匿名"),
        ("body", BODY),
    ];
    let a = post(&f.app, &uri, &csrf, &fields, "198.51.100.4").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.text().contains("系统未保存您的姓名、联系方式或网络地址"));
    let stored = f.store.list_feedback(&f.unit, None).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(stored[0].anonymous && stored[0].name.is_none() && stored[0].contact.is_none());
    let dump: Vec<String> = sqlx::query_scalar("SELECT COALESCE(client_hash, '') || COALESCE(name, '') FROM feedback")
        .fetch_all(f.store.pool())
        .await
        .unwrap();
    assert_eq!(dump, vec![String::new()]);
    let audit = f.store.list_audit(&Default::default(), Default::default()).await.unwrap();
    let text = format!("{audit:?}");
    assert!(!text.contains("198.51.100.4") && !text.contains("赵六"), "the audit trail keeps no identifier");
}

/// The `value` of the hidden input `name` of a page.
fn hidden(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))? + name.len() + 15;
    html[at..].split('"').next().map(str::to_owned)
}

/// Whether SHA-256(challenge ":" nonce) starts with `bits` zero bits, computed here on its own.
fn solves(challenge: &str, nonce: &str, bits: u32) -> bool {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("{challenge}:{nonce}").as_bytes());
    let zeros: u32 = digest
        .iter()
        .scan(true, |go, b| {
            if !*go {
                return None;
            }
            *go = *b == 0;
            Some(b.leading_zeros())
        })
        .sum();
    zeros >= bits
}

#[tokio::test]
async fn a_flooding_sender_must_prove_work_and_nobody_else_is_refused() {
    let config = PortalConfig {
        submissions_per_address: RateLimit::new(3, Duration::from_secs(600)),
        submissions_per_unit: RateLimit::new(20, Duration::from_secs(3600)),
        proof_bits: 8,
        trust_forwarded_for: true,
        ..roomy()
    };
    let f = published_fixture(config).await;
    let uri = feedback_uri(&f.unit);
    let csrf = get(&f.app, &uri).await.csrf();
    let fields = [("identity", "anonymous"), ("subject", "限流"), ("body", BODY)];
    // Seven addresses send three each: 21, over the unit's hourly threshold of 20.
    for sender in 1..=7 {
        for _ in 0..3 {
            let a = post(&f.app, &uri, &csrf, &fields, &format!("203.0.113.{sender}")).await;
            assert_eq!(a.status, StatusCode::OK, "sender {sender}: {}", a.text());
        }
    }
    // An eighth is not blocked, and needs no proof.
    let eighth = post(&f.app, &uri, &csrf, &fields, "203.0.113.8").await;
    assert_eq!(eighth.status, StatusCode::OK, "{}", eighth.text());
    assert_eq!(f.store.list_feedback(&f.unit, Some(FeedbackStatus::Received)).await.unwrap().len(), 22);
    // The staff were alerted once, when the threshold was crossed.
    let entries =
        f.store.list_audit(&Default::default(), rectify_storage::Page { offset: 0, limit: 500 }).await.unwrap();
    let surges: Vec<_> = entries.iter().filter(|e| e.action == "feedback.surge").collect();
    assert_eq!(surges.len(), 1);
    assert!(surges[0].after_json.as_deref().unwrap_or_default().contains(&f.unit));

    // The first sender's fourth gets a challenge and the site's script, nothing is stored.
    let challenged = post(&f.app, &uri, &csrf, &fields, "203.0.113.1").await;
    assert_eq!(challenged.status, StatusCode::TOO_MANY_REQUESTS);
    let page = challenged.text();
    assert!(page.contains("自动安全验证") && page.contains("<script src=\"/public/pow.js\""), "{page}");
    assert!(challenged.header(header::CONTENT_SECURITY_POLICY).contains("script-src 'self'"));
    let challenge = hidden(&page, "pow_challenge").expect("a challenge in the form");
    assert!(page.contains(&format!("data-pow-challenge=\"{challenge}\" data-pow-bits=\"8\"")));
    assert_eq!(f.store.list_feedback(&f.unit, None).await.unwrap().len(), 22);
    let script = get(&f.app, "/public/pow.js").await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.header(header::CONTENT_TYPE).starts_with("text/javascript"));
    assert!(script.text().contains("crypto.subtle.digest(\"SHA-256\""));

    // A wrong nonce is refused with a fresh challenge.
    let wrong = (0..).map(|n: u32| n.to_string()).find(|n| !solves(&challenge, n, 8)).unwrap();
    let with = |nonce: &str, challenge: &str| -> Vec<(&'static str, String)> {
        let mut all: Vec<(&str, String)> = fields.iter().map(|(k, v)| (*k, v.to_string())).collect();
        all.push(("pow_challenge", challenge.to_owned()));
        all.push(("pow_nonce", nonce.to_owned()));
        all
    };
    let refused_fields = with(&wrong, &challenge);
    let refs: Vec<(&str, &str)> = refused_fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = post(&f.app, &uri, &csrf, &refs, "203.0.113.1").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.text().contains("安全验证未通过"), "{}", refused.text());
    assert_ne!(hidden(&refused.text(), "pow_challenge").as_deref(), Some(challenge.as_str()), "a fresh challenge");
    assert_eq!(f.store.list_feedback(&f.unit, None).await.unwrap().len(), 22);

    // A right one is accepted, once.
    let right = (0..).map(|n: u32| n.to_string()).find(|n| solves(&challenge, n, 8)).unwrap();
    let accepted_fields = with(&right, &challenge);
    let refs: Vec<(&str, &str)> = accepted_fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let accepted = post(&f.app, &uri, &csrf, &refs, "203.0.113.1").await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text());
    assert!(accepted.text().contains("receipt-code"));
    assert_eq!(f.store.list_feedback(&f.unit, None).await.unwrap().len(), 23);
    let replayed = post(&f.app, &uri, &csrf, &refs, "203.0.113.1").await;
    assert_eq!(replayed.status, StatusCode::TOO_MANY_REQUESTS, "a challenge is spent once");
    assert_eq!(f.store.list_feedback(&f.unit, None).await.unwrap().len(), 23);
    // Meanwhile another address still posts without any proof.
    assert_eq!(post(&f.app, &uri, &csrf, &fields, "203.0.113.9").await.status, StatusCode::OK);
}

/// The SVG's dark squares as a grey image for the decoder.
fn rasterise(svg: &str) -> (usize, Vec<u8>) {
    let attr = |name: &str| -> usize {
        let start = svg.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        svg[start..start + svg[start..].find('"').unwrap()].parse().unwrap()
    };
    let (width, height) = (attr("width"), attr("height"));
    assert_eq!(width, height);
    let mut pixels = vec![255u8; width * width];
    let path = &svg[svg.find(" d=\"").unwrap() + 4..];
    let path = &path[..path.find('"').unwrap()];
    // Each square is `M{x} {y}h{w}v{h}H{x}V{y}`.
    for cmd in path.split('M').filter(|c| !c.is_empty()) {
        let numbers: Vec<usize> =
            cmd.split(|c: char| !c.is_ascii_digit()).filter(|n| !n.is_empty()).map(|n| n.parse().unwrap()).collect();
        let (x, y, w, h) = (numbers[0], numbers[1], numbers[2], numbers[3]);
        for row in y..y + h {
            for col in x..x + w {
                pixels[row * width + col] = 0;
            }
        }
    }
    (width, pixels)
}

/// Decodes the one QR code of an SVG.
fn decode_svg(svg: &str) -> String {
    let (size, pixels) = rasterise(svg);
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(size, size, |x, y| pixels[y * size + x]);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().unwrap().1
}

/// The link printed under the code on the A4 sheet.
fn printed_link(sheet: &str) -> String {
    let start = sheet.find("<p class=\"url\">").expect("the printed link") + "<p class=\"url\">".len();
    sheet[start..start + sheet[start..].find("</p>").unwrap()].to_string()
}

#[tokio::test]
async fn the_qr_code_leads_to_the_units_feedback_page() {
    let f = published_fixture(roomy()).await;
    let unit = enc(&f.unit);
    let svg = get(&f.app, &format!("/public/units/{unit}/qr.svg")).await;
    assert_eq!(svg.header(header::CONTENT_TYPE), "image/svg+xml");
    let svg = svg.text();
    assert!(
        svg.starts_with("<?xml")
            && svg.contains("<svg xmlns=\"http://www.w3.org/2000/svg\"")
            && svg.ends_with("</svg>")
    );
    let encoded = decode_svg(&svg);

    let sheet = get(&f.app, &format!("/public/units/{unit}/qr")).await.text();
    assert!(sheet.contains(&f.unit) && sheet.contains("扫码反映巡察整改意见建议"));
    assert!(sheet.contains(&format!("src=\"/public/units/{unit}/qr.svg\"")));
    let link = printed_link(&sheet);
    assert_eq!(encoded, link, "the code encodes the printed link");
    let path = link.strip_prefix("http://portal.test").expect("the request's host");
    let code = path.strip_prefix("/public/u/").unwrap();
    assert!(code.len() == 8 && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()), "{code}");
    // Following the link (in any case) lands on the unit's feedback form.
    for path in [path.to_string(), path.to_lowercase()] {
        let hop = get(&f.app, &path).await;
        assert_eq!(hop.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(hop.header(header::LOCATION), feedback_uri(&f.unit));
    }
    let form = get(&f.app, &feedback_uri(&f.unit)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(get(&f.app, "/public/u/ZZZZZZZZ").await.status, StatusCode::NOT_FOUND);

    // With a configured public address, the code points there whatever the Host header says.
    let configured = PortalConfig { public_base_url: Some("https://xxgk.example.gov.cn".into()), ..roomy() };
    let g = published_fixture(configured).await;
    let sheet = get(&g.app, &format!("/public/units/{unit}/qr")).await.text();
    let link = printed_link(&sheet);
    assert_eq!(link, format!("https://xxgk.example.gov.cn/public/u/{code}"));
    assert_eq!(decode_svg(&get(&g.app, &format!("/public/units/{unit}/qr.svg")).await.text()), link);
}

/// A refusal: an error status, or a redirect to the sign-in page.
fn refused(a: &Answer) -> bool {
    if a.status.is_redirection() { a.header(header::LOCATION).starts_with("/login") } else { !a.status.is_success() }
}

#[tokio::test]
async fn the_units_side_is_closed_to_the_public() {
    let f = published_fixture(roomy()).await;
    let csrf = get(&f.app, &feedback_uri(&f.unit)).await.csrf();
    for uri in [format!("/inspections/{}/publish", f.inspection), "/feedback/1/answer".to_string()] {
        let a = post(&f.app, &uri, &csrf, &[("answer", "答复")], "198.51.100.9").await;
        assert!(refused(&a), "{uri}: {}", a.status);
    }
    for uri in ["/feedback", "/feedback/1"] {
        let a = get(&f.app, uri).await;
        assert!(refused(&a), "{uri}: {}", a.status);
    }
    assert_eq!(f.store.list_published(None).await.unwrap().len(), 1, "only the fixture's report is published");
}

/// GET `uri` as a signed-in browser.
async fn staff_get(f: &Fixture, who: &common::Signed, uri: &str) -> Answer {
    let request = Request::get(uri).header(header::COOKIE, &who.cookie).body(Body::empty()).unwrap();
    send(&f.app, request).await
}

async fn staff_accounts(f: &Fixture) {
    let clock = rectify_auth::SystemClock;
    for (name, role) in [("group", Role::LeadingGroup), ("liaison", Role::UnitLiaison), ("dept", Role::Department)] {
        // Unit roles are granted for one inspection (the scope rules refuse them otherwise).
        let grant = rectify_storage::RoleGrant {
            inspection_id: Some(f.inspection),
            ..rectify_storage::RoleGrant::everywhere(role)
        };
        common::account(&f.store, name, grant, &clock).await;
    }
}

#[tokio::test]
async fn the_leading_group_publishes_from_the_ledger_and_gets_a_link_to_the_public_page() {
    let f = fixture_with(roomy()).await;
    staff_accounts(&f).await;
    let ledger_uri = format!("/inspections/{}/ledger", f.inspection);
    let group = common::signed(&f.app, "group", None).await;
    let page = staff_get(&f, &group, &ledger_uri).await.text();
    assert!(page.contains(&format!("action=\"/inspections/{}/publish\"", f.inspection)), "{page}");
    assert!(page.contains("发布通报"));
    assert!(page.contains("<a href=\"/public\">公开通报</a>"), "the footer links the portal");

    // The button opens the preview; its 确认发布 carries the previewed report's fingerprint.
    let preview = staff_get(&f, &group, &format!("/inspections/{}/publish", f.inspection)).await.text();
    let at = preview.find("name=\"confirm\" value=\"").expect("the preview's confirm field") + 22;
    let fingerprint = preview[at..].split('"').next().unwrap().to_owned();
    let request = Request::post(format!("/inspections/{}/publish", f.inspection))
        .header(header::COOKIE, &group.cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("csrf_token={}&confirm={fingerprint}", group.csrf)))
        .unwrap();
    let a = send(&f.app, request).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let published = f.store.list_published(None).await.unwrap();
    assert_eq!(published.len(), 1);
    let location = a.header(header::LOCATION);
    assert_eq!(location, format!("{ledger_uri}?published={}", published[0].id));
    let page = staff_get(&f, &group, &location).await.text();
    assert!(page.contains("已公开发布"), "{page}");
    assert!(page.contains(&format!("href=\"/public/reports/{}\"", published[0].id)));

    // The liaison may not publish: no button; the department neither.
    for name in ["liaison", "dept"] {
        let who = common::signed(&f.app, name, None).await;
        let page = staff_get(&f, &who, &ledger_uri).await.text();
        assert!(!page.contains("/publish"), "{name} sees no publish button");
    }
}

#[tokio::test]
async fn the_navigation_counts_unanswered_feedback_for_those_who_read_it() {
    let f = published_fixture(roomy()).await;
    staff_accounts(&f).await;
    let new = |subject: &str| rectify_storage::NewFeedback {
        unit: f.unit.clone(),
        inspection_id: None,
        submitter: rectify_storage::Submitter::Anonymous,
        subject: subject.into(),
        body: "整改通报所述情况与实际不符，请核实处理。".into(),
    };
    f.store.submit_feedback(&new("第一件"), chrono::Utc::now()).await.unwrap();
    let second = f.store.submit_feedback(&new("第二件"), chrono::Utc::now()).await.unwrap();
    let staff = common::signed(&f.app, "liaison", None).await;
    let link = |n: usize| format!("群众意见<span class=\"count\" aria-label=\"{n}条待答复\">{n}</span>");
    assert!(staff_get(&f, &staff, "/").await.text().contains(&link(2)));
    f.store.answer_feedback(second.id, "已核实并整改。", &liaison(), chrono::Utc::now()).await.unwrap();
    assert!(staff_get(&f, &staff, "/").await.text().contains(&link(1)), "answered items are not counted");
    let inbox = staff_get(&f, &staff, "/feedback").await.text();
    assert!(inbox.contains(&link(1)) && inbox.contains("aria-current=\"page\">群众意见"));
    let slug = f.unit.bytes().map(|b| format!("%{b:02X}")).collect::<String>();
    assert!(inbox.contains(&format!("href=\"/public/units/{slug}/qr\"")), "the inbox links the QR sheet");
    // Every page of the system shows it, not only some.
    let problem = f.store.list_problems(f.inspection).await.unwrap()[0].id;
    let measure = f.store.list_measures(f.inspection, None).await.unwrap()[0].id;
    let id = f.inspection;
    for page in [
        format!("/inspections/{id}/ledger"),
        format!("/inspections/{id}/dashboard"),
        format!("/problems/{problem}"),
        format!("/measures/{measure}"),
        "/documents".to_owned(),
        "/account/password".to_owned(),
    ] {
        let response = staff_get(&f, &staff, &page).await;
        assert_eq!(response.status, 200, "{page}");
        assert!(response.text().contains(&link(1)), "{page} shows the count");
    }

    let dept = common::signed(&f.app, "dept", None).await;
    assert!(!staff_get(&f, &dept, "/").await.text().contains("群众意见"), "the department reads no feedback");
}

#[tokio::test]
async fn problem_and_measure_pages_show_the_items_audit_history_in_chinese() {
    let f = fixture_with(roomy()).await;
    staff_accounts(&f).await;
    let measures = f.store.list_measures(f.inspection, None).await.unwrap();
    let mut chosen = None;
    for m in &measures {
        let view = f.store.measure_workflow(m.id).await.unwrap().unwrap();
        if view.state == rectify_domain::workflow::MeasureState::NotStarted {
            chosen = Some((m.clone(), view.version));
            break;
        }
    }
    let (measure, version) = chosen.expect("the demo has a measure not yet started");
    let worker = Acting { user_id: None, user_name: "责任部门甲".into(), role: Role::Department, address: None };
    let now = chrono::Utc::now();
    let view = f
        .store
        .apply_measure_action(measure.id, &worker, rectify_domain::workflow::Action::Start, version, now)
        .await
        .unwrap();
    // A refused step is audited too, but is no part of the item's history.
    let refused = f
        .store
        .apply_measure_action(
            measure.id,
            &worker,
            rectify_domain::workflow::Action::Approve { comment: None },
            view.version,
            now,
        )
        .await;
    assert!(refused.is_err());

    let office = common::signed(&f.app, "group", None).await;
    let page = staff_get(&f, &office, &format!("/measures/{}", measure.id)).await.text();
    let history = page.split("id=\"history-h\"").nth(1).expect("the measure page has a history section");
    assert!(history.contains("<b>开始整改</b>") && history.contains("责任部门甲"), "{history}");
    assert!(!history.contains("审核通过") && !history.contains("measure."), "{history}");

    let page = staff_get(&f, &office, &format!("/problems/{}", measure.problem_id)).await.text();
    let history = page.split("id=\"history-h\"").nth(1).expect("the problem page has a history section");
    assert!(history.contains("<b>开始整改</b>"), "the problem shows its measures' steps: {history}");
    assert!(history.contains(&format!("href=\"/measures/{}\"", measure.id)));

    // The public report never carries the internal history.
    let public = publish_inspection(&f.state, f.inspection, &liaison()).await.unwrap();
    let page = get(&f.app, &format!("/public/reports/{public}")).await.text();
    assert!(!page.contains("操作记录") && !page.contains("责任部门甲"));
}

#[tokio::test]
async fn a_citizens_name_and_contact_are_stored_sealed_and_shown_only_to_staff_who_read_feedback() {
    let f = published_fixture(roomy()).await;
    staff_accounts(&f).await;
    let uri = feedback_uri(&f.unit);
    let csrf = get(&f.app, &uri).await.csrf();
    let fields = [
        ("identity", "real_name"),
        ("name", "钱七"),
        ("contact", "qian7@example.cn"),
        ("subject", "公示栏"),
        ("body", BODY),
    ];
    let thanks = post(&f.app, &uri, &csrf, &fields, "198.51.100.7").await;
    assert_eq!(thanks.status, StatusCode::OK);
    let code = receipt_of(&thanks.text());
    // The database holds SM4 ciphertext, not the name or the contact.
    let row: (String, String, String) =
        sqlx::query_as("SELECT name, contact, sealed_key FROM feedback").fetch_one(f.store.pool()).await.unwrap();
    assert!(row.0.starts_with("sm4:") && row.1.starts_with("sm4:"), "{row:?}");
    assert!(!format!("{row:?}").contains("钱七") && !format!("{row:?}").contains("qian7"), "{row:?}");
    assert_eq!(row.2, f.store.data_keys().current_id());
    // Staff who read feedback see them, opened.
    let id = f.store.list_feedback(&f.unit, None).await.unwrap()[0].id;
    let staff = common::signed(&f.app, "liaison", None).await;
    let page = staff_get(&f, &staff, &format!("/feedback/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("钱七") && page.text().contains("qian7@example.cn"));
    // The department does not; nor does the public lookup by receipt code.
    let dept = common::signed(&f.app, "dept", None).await;
    let refused = staff_get(&f, &dept, &format!("/feedback/{id}")).await;
    assert!(!refused.text().contains("钱七") && !refused.text().contains("qian7"));
    let lookup = get(&f.app, "/public/feedback/lookup").await.csrf();
    let seen = post(&f.app, "/public/feedback/lookup", &lookup, &[("code", &code)], "198.51.100.7").await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(!seen.text().contains("钱七") && !seen.text().contains("qian7"));
}
