//! The Chinese web UI through the router: pages, filters, escaping, the import flow with its
//! CSRF check and limits, and the downloads.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use chrono::NaiveDate;
use http_body_util::BodyExt;
use rectify_domain::calendar::CALENDAR;
use rectify_domain::supervision::{Light, LightPolicy, light};
use rectify_domain::{Ledger, NonEmptyText, Status};
use rectify_server::AppState;
use rectify_server::demo::demo_ledger;
use rectify_storage::Store;
use tower::ServiceExt;

mod common;

/// A fictional report, shared with the browser tests.
const REPORT: &str = include_str!("../../../tests/e2e/fixtures/report.txt");

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

struct Fixture {
    app: Router,
    store: Store,
    ledger: Ledger,
    id: i64,
    _dir: tempfile::TempDir,
}

async fn fixture_with(ledger: Ledger) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite:{}", dir.path().join("ui.sqlite").display())).await.unwrap();
    let id = store.import_ledger(&ledger).await.unwrap();
    let app = common::office_app(AppState::new(store.clone()).with_today(today())).await;
    Fixture { app, store, ledger, id, _dir: dir }
}

async fn fixture() -> Fixture {
    fixture_with(demo_ledger(today())).await
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn header(&self, name: header::HeaderName) -> String {
        self.headers.get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
    }
    fn location(&self) -> String {
        self.header(header::LOCATION)
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
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

/// Number of problem rows in a ledger page.
fn rows(html: &str) -> usize {
    html.matches("class=\"ptitle\"").count()
}

#[tokio::test]
async fn every_page_answers_in_chinese() {
    let f = fixture().await;
    let problem = f.store.list_problems(f.id).await.unwrap()[0].clone();
    let measure = f.store.list_measures(f.id, Some(problem.id)).await.unwrap()[0].clone();
    let unit = f.ledger.unit.clone().unwrap();
    let pages = [
        (
            "/".to_string(),
            vec!["<title>巡察整改管理系统</title>", "需要关注", "待核验销号", "整改完成率", unit.as_str()],
        ),
        (
            format!("/inspections/{}/ledger", f.id),
            vec!["<title>整改台账", "责任领导", "预警灯", "整改类型", "第 1/2 页"],
        ),
        (
            format!("/inspections/{}/dashboard", f.id),
            vec!["<title>统计分析", "chart-data", "各方面问题整改完成情况", "资金（按类别）"],
        ),
        (
            format!("/problems/{}", problem.id),
            vec!["整改措施（", "整改进展", "整改成效", problem.problem.title.as_str()],
        ),
        (format!("/measures/{}", measure.id), vec!["完成时限", "整改进展", "责任部门", "一是"]),
        ("/documents".to_string(), vec!["<title>文档导入导出", "上传并预览", "党内通报版", "下载 .docx"]),
    ];
    for (uri, needles) in pages {
        let a = get(&f.app, &uri).await;
        assert_eq!(a.status, StatusCode::OK, "{uri}");
        assert!(a.header(header::CONTENT_TYPE).starts_with("text/html"), "{uri}");
        let csp = a.header(header::CONTENT_SECURITY_POLICY);
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe"), "{uri}: {csp}");
        let html = a.text();
        assert!(html.contains("<html lang=\"zh-CN\">") && html.contains("巡察整改管理系统"), "{uri}");
        for needle in needles {
            assert!(html.contains(needle), "{uri} lacks {needle}");
        }
        // Every form control has a label.
        for id in html.match_indices("<select id=\"").map(|(i, _)| &html[i + 12..]) {
            let id = &id[..id.find('"').unwrap()];
            assert!(html.contains(&format!("<label for=\"{id}\"")), "{uri}: select {id} has no label");
        }
    }
}

#[tokio::test]
async fn the_home_page_states_the_headline_figures() {
    let f = fixture().await;
    let html = get(&f.app, "/").await.text();
    let s = f.ledger.statistics();
    let percent = s.completion.percent(f.ledger.policy.rate_decimals).unwrap();
    assert!(html.contains(&format!("{percent}%（{}/{}）", s.completion.numerator, s.completion.denominator)));
    assert!(html.contains(&format!("<dd>{}<small>个</small></dd>", s.problems.total)));
    assert!(html.contains(&format!("<dd>{}<small>条</small></dd>", s.measures_total)));
    assert!(html.contains(&s.funds_total().to_dashboard_text()), "万元 with two decimals");
    // The progress bar is drawn in percent, not as a fraction or a multiple of it.
    let at = html.find("class=\"ratebar\"").unwrap();
    let value = &html[at..];
    let value = &value[value.find("value=\"").unwrap() + 7..];
    let value: f64 = value[..value.find('"').unwrap()].parse().unwrap();
    let expected = f64::from(s.completion.numerator) * 100.0 / f64::from(s.completion.denominator);
    assert!((value - expected).abs() < 0.01, "{value} vs {expected}");
    // The overdue count is the number of open measures past their deadline today.
    let overdue = f
        .ledger
        .problems()
        .flat_map(|p| p.measures.iter().map(move |m| (p, m)))
        .filter(|(p, m)| {
            light(Some(m.status.unwrap_or(p.status)), m.deadline, today(), &LightPolicy::default(), &CALENDAR)
                == Light::Red
        })
        .count();
    assert!(overdue > 0, "the demo has overdue measures");
    assert!(html.contains(&format!("逾期 {overdue}</span>")), "overdue {overdue}");
}

/// An inspection office watching many units reads them side by side, the furthest behind first.
#[tokio::test]
async fn with_many_units_the_home_page_ranks_them_by_completion() {
    let f = fixture().await;
    let variant = |unit: &str, status: Status| {
        let mut ledger = demo_ledger(today());
        ledger.unit = Some(unit.into());
        for aspect in &mut ledger.aspects {
            for problem in &mut aspect.problems {
                problem.status = status;
            }
        }
        ledger
    };
    f.store.import_ledger(&variant("甲单位党组", Status::Completed)).await.unwrap();
    f.store.import_ledger(&variant("乙单位党组", Status::InProgress)).await.unwrap();
    f.store.import_ledger(&variant("丙单位党组", Status::Completed)).await.unwrap();
    let html = get(&f.app, "/").await.text();
    assert!(html.contains("各单位整改进展"), "{html}");
    assert!(!html.contains("class=\"card-head\""), "no cards beside the table");
    let demo_unit = f.ledger.unit.clone().unwrap();
    let at = |name: &str| html.find(&format!(">{name}</a>")).unwrap_or_else(|| panic!("{name} is listed"));
    // 0 % (乙), then the demo's rate, then the two at 100 % in the order they were imported.
    assert!(at("乙单位党组") < at(&demo_unit));
    assert!(at(&demo_unit) < at("甲单位党组"));
    assert!(at("甲单位党组") < at("丙单位党组"));
    let s = f.ledger.statistics();
    let problems = 4 * s.problems.total;
    let completed = 2 * s.problems.total + s.problems.completed;
    assert!(html.contains(&format!("共 4 个单位、{problems} 个问题，已完成 {completed} 个")), "{html}");
}

#[tokio::test]
async fn filters_paging_and_search_change_the_rows() {
    let f = fixture().await;
    let base = format!("/inspections/{}/ledger", f.id);
    let total = f.ledger.problems().count();
    assert!(total > 20, "the demo fills more than one page");
    assert_eq!(rows(&get(&f.app, &base).await.text()), 20);
    let second = get(&f.app, &format!("{base}?page=2")).await.text();
    assert_eq!(rows(&second), total - 20);
    assert!(second.contains("第 2/2 页"));
    // Past the last page shows the last page rather than nothing.
    assert_eq!(rows(&get(&f.app, &format!("{base}?page=99")).await.text()), total - 20);

    let completed = f.ledger.problems().filter(|p| p.status == Status::Completed).count();
    let html = get(&f.app, &format!("{base}?status=completed")).await.text();
    assert_eq!(rows(&html), completed);
    assert!(html.contains(&format!("筛选出 <strong>{completed}</strong> 个问题")));

    let red = f
        .ledger
        .problems()
        .filter(|p| {
            p.measures.iter().any(|m| {
                light(Some(m.status.unwrap_or(p.status)), m.deadline, today(), &LightPolicy::default(), &CALENDAR)
                    == Light::Red
            })
        })
        .count();
    assert_eq!(rows(&get(&f.app, &format!("{base}?light=red")).await.text()), red);

    // Search: a word from one problem's measure text, URL-encoded as a browser sends it.
    let word = "制度";
    let expected = f
        .ledger
        .problems()
        .filter(|p| {
            p.title.contains(word)
                || p.description.as_deref().is_some_and(|d| d.contains(word))
                || p.measures.iter().any(|m| m.text.contains(word))
        })
        .count();
    assert!(expected > 0 && expected < total);
    let html = get(&f.app, &format!("{base}?q=%E5%88%B6%E5%BA%A6")).await.text();
    assert_eq!(rows(&html), expected.min(20));
    assert!(html.contains("value=\"制度\""), "the search box keeps the word");

    let nothing = get(&f.app, &format!("{base}?q=%E4%B8%8D%E5%AD%98%E5%9C%A8%E7%9A%84%E8%AF%8D")).await.text();
    assert_eq!(rows(&nothing), 0);
    assert!(nothing.contains("没有符合条件的问题"));

    // Nonsense parameters are ignored, not errors.
    assert_eq!(get(&f.app, &format!("{base}?status=bogus&light=x&page=-1&sort=z")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn sorting_by_light_puts_overdue_problems_first() {
    let f = fixture().await;
    let html = get(&f.app, &format!("/inspections/{}/ledger?sort=light", f.id)).await.text();
    let first_row = &html[html.find("<tbody>").unwrap()..];
    let first_row = &first_row[..first_row.find("</tr>").unwrap()];
    assert!(first_row.contains("class=\"light red\""), "{first_row}");
}

#[tokio::test]
async fn htmx_requests_get_the_table_alone() {
    let f = fixture().await;
    let request = Request::get(format!("/inspections/{}/ledger?status=completed", f.id))
        .header("HX-Request", "true")
        .body(Body::empty())
        .unwrap();
    let a = send(&f.app, request).await;
    assert_eq!(a.status, StatusCode::OK);
    let html = a.text();
    assert!(html.trim_start().starts_with("<section id=\"ledger-results\""), "{}", &html[..200.min(html.len())]);
    assert!(!html.contains("<html"));
    assert!(a.header(header::VARY).contains("HX-Request"));
}

#[tokio::test]
async fn stored_markup_is_escaped_everywhere() {
    let mut ledger = demo_ledger(today());
    let evil = "<script>alert(1)</script>";
    ledger.unit = Some(format!("{evil}单位"));
    let problem = &mut ledger.aspects[0].problems[0];
    problem.title = NonEmptyText::new(format!("{evil}问题")).unwrap();
    problem.measures[0].text = NonEmptyText::new(format!("一是{evil}措施\"引号'")).unwrap();
    let f = fixture_with(ledger).await;
    let problem = f.store.list_problems(f.id).await.unwrap()[0].clone();
    let measure = f.store.list_measures(f.id, Some(problem.id)).await.unwrap()[0].clone();
    for uri in [
        "/".to_string(),
        format!("/inspections/{}/ledger", f.id),
        format!("/inspections/{}/ledger?q=%3Cscript%3E", f.id),
        format!("/inspections/{}/dashboard", f.id),
        format!("/problems/{}", problem.id),
        format!("/measures/{}", measure.id),
        "/documents".to_string(),
    ] {
        let html = get(&f.app, &uri).await.text();
        assert!(!html.contains("<script>alert"), "{uri} lets markup through");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;") || html.contains("&lt;script&gt;alert(1)"),
            "{uri}"
        );
    }
    // Inside the chart JSON a closing tag cannot end the script element.
    let dashboard = get(&f.app, &format!("/inspections/{}/dashboard", f.id)).await.text();
    let json = &dashboard[dashboard.find("id=\"chart-data\">").unwrap()..];
    assert!(!json[..json.find("</script>").unwrap()].contains("</"));
}

#[tokio::test]
async fn unknown_pages_are_chinese_404s() {
    let f = fixture().await;
    for uri in ["/problems/999999", "/measures/abc", "/inspections/77/ledger", "/no/such/page", "/documents/preview/x"]
    {
        let a = get(&f.app, uri).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(a.header(header::CONTENT_TYPE).starts_with("text/html"), "{uri}");
        assert!(a.text().contains("返回首页"), "{uri}");
    }
}

#[tokio::test]
async fn an_empty_system_points_to_the_import() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite:{}", dir.path().join("e.sqlite").display())).await.unwrap();
    let app = common::office_app(AppState::new(store)).await;
    let html = get(&app, "/").await.text();
    assert!(html.contains("尚无巡察整改台账") && html.contains("href=\"/documents\""));
    let a = get(&app, "/ledger").await;
    assert_eq!((a.status, a.location()), (StatusCode::SEE_OTHER, "/documents".to_string()));
}

/// The token of the signed-in office's forms, as its browser reads it from a page: the session's
/// own token (no cookie of its own, so none can be planted).
async fn session(app: &Router) -> String {
    let a = get(app, "/documents").await;
    assert!(!a.header(header::SET_COOKIE).contains("rectify_csrf"), "a session needs no form cookie");
    let token = common::hidden_token(&a.text()).expect("the upload form carries its token");
    assert_eq!(common::hidden_token(&get(app, "/").await.text()), Some(token.clone()), "one token per session");
    token
}

/// A cookie value planted by another site, repeated in the form (the double-submit attack).
const PLANTED: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn multipart(token: Option<&str>, name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----rectifytestboundary";
    let mut body = Vec::new();
    if let Some(token) = token {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n").bytes(),
        );
    }
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(app: &Router, cookie: Option<&str>, token: Option<&str>, name: &str, bytes: &[u8]) -> Answer {
    let (content_type, body) = multipart(token, name, bytes);
    let mut request = Request::post("/documents/upload").header(header::CONTENT_TYPE, content_type);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    send(app, request.body(Body::from(body)).unwrap()).await
}

async fn confirm(app: &Router, csrf: &str, upload_token: &str) -> Answer {
    let request = Request::post("/documents/confirm")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("csrf_token={csrf}&token={upload_token}")))
        .unwrap();
    send(app, request).await
}

#[tokio::test]
async fn a_report_is_previewed_and_imported_only_on_confirmation() {
    let f = fixture().await;
    let csrf = session(&f.app).await;
    let a = upload(&f.app, None, Some(&csrf), "青石县报告.txt", REPORT.as_bytes()).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let preview_uri = a.location();
    assert!(preview_uri.starts_with("/documents/preview/"), "{preview_uri}");
    assert_eq!(f.store.list_inspections().await.unwrap().len(), 1, "nothing stored before confirmation");

    let html = get(&f.app, &preview_uri).await.text();
    // The fixture has two aspects with two problems each and nine enumerated measures.
    assert!(
        html.contains("<strong>2</strong> 个方面、<strong>4</strong> 个问题、<strong>9</strong> 条整改措施"),
        "{html}"
    );
    assert!(html.contains("针对文物保护工作推进不力的问题"));
    assert!(html.contains("半角标点"), "the linter's finding, in Chinese");
    // How each part was read, the least sure first, so that a clerk sees what to check.
    assert!(html.contains("识别说明（按把握程度由低到高）"), "{html}");
    let levels: Vec<&str> =
        ["confidence-low", "confidence-medium", "confidence-high"].into_iter().filter(|l| html.contains(l)).collect();
    assert!(!levels.is_empty(), "{html}");
    let first = |l: &str| html.find(l).unwrap_or(usize::MAX);
    assert!(first("confidence-low") <= first("confidence-high"), "low before high");
    assert!(html.contains("确认导入"));

    let token = preview_uri.rsplit('/').next().unwrap();
    // A wrong or missing CSRF token changes nothing.
    assert_eq!(confirm(&f.app, &"0".repeat(64), token).await.status, StatusCode::FORBIDDEN);
    let planted = Request::post("/documents/confirm")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("rectify_csrf={PLANTED}"))
        .body(Body::from(format!("csrf_token={PLANTED}&token={token}")))
        .unwrap();
    assert_eq!(send(&f.app, planted).await.status, StatusCode::FORBIDDEN, "a planted cookie value");
    assert_eq!(f.store.list_inspections().await.unwrap().len(), 1);

    let a = confirm(&f.app, &csrf, token).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let list = f.store.list_inspections().await.unwrap();
    assert_eq!(list.len(), 2);
    let new = list.iter().map(|s| s.id).max().unwrap();
    assert_eq!(a.location(), format!("/inspections/{new}/ledger?imported=1"));
    let stored = f.store.export_ledger(new).await.unwrap();
    assert_eq!(stored.problems().count(), 4);
    assert_eq!(stored.measures().count(), 9);
    assert!(get(&f.app, &a.location()).await.text().contains("导入成功"));

    // The upload is gone once imported: a second confirmation cannot import it twice.
    assert_eq!(confirm(&f.app, &csrf, token).await.status, StatusCode::NOT_FOUND);
    assert_eq!(f.store.list_inspections().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_ledger_workbook_round_trips_through_the_import() {
    let f = fixture().await;
    let xlsx = get(&f.app, &format!("/inspections/{}/export/ledger.xlsx", f.id)).await.body;
    let csrf = session(&f.app).await;
    let a = upload(&f.app, None, Some(&csrf), "台账.xlsx", &xlsx).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let html = get(&f.app, &a.location()).await.text();
    assert!(html.contains("整改台账（Excel）"), "{html}");
    assert!(html.contains("<dt>检查类别</dt><dd>巡察</dd>"), "the kind of inspection is shown: {html}");
    let token = a.location().rsplit('/').next().unwrap().to_string();
    let done = confirm(&f.app, &csrf, &token).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    let new = f.store.list_inspections().await.unwrap().iter().map(|s| s.id).max().unwrap();
    assert_eq!(f.store.export_ledger(new).await.unwrap().problems().count(), f.ledger.problems().count());
}

#[tokio::test]
async fn uploads_without_a_valid_token_are_refused() {
    let f = fixture().await;
    let csrf = session(&f.app).await;
    let planted = format!("rectify_csrf={PLANTED}");
    assert_ne!(csrf, PLANTED);
    for (cookie, token) in [(None, None), (None, Some("f00")), (Some(planted.as_str()), Some(PLANTED))] {
        let a = upload(&f.app, cookie, token, "r.txt", REPORT.as_bytes()).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN);
        assert!(a.text().contains("安全校验"));
    }
}

#[tokio::test]
async fn too_large_and_unknown_files_are_refused_in_chinese() {
    let f = fixture().await;
    let csrf = session(&f.app).await;
    let limit = rectify_server::UPLOAD_LIMIT_BYTES;
    // Just over the limit: refused by the form, with the message next to the field.
    let a = upload(&f.app, None, Some(&csrf), "big.txt", &vec![b'a'; limit + 1]).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    let html = a.text();
    assert!(html.contains("id=\"file-error\"") && html.contains("文件过大（上限10MB）"), "{}", &html[..300]);
    // Far over: refused before the form is read.
    let a = upload(&f.app, None, Some(&csrf), "huge.txt", &vec![b'a'; limit + 200_000]).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(a.text().contains("文件过大（上限10MB）"));

    let png = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', 0, 0, 0, 0x0d, b'I', b'H', b'D', b'R', 0xff, 0xfe];
    let a = upload(&f.app, None, Some(&csrf), "photo.txt", &png).await;
    assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(a.text().contains("无法识别的文件类型，请上传 .txt、.docx 或 .xlsx"));
    let a = upload(&f.app, None, Some(&csrf), "fake.docx", b"PK\x03\x04 not really a zip").await;
    assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let a = upload(&f.app, None, Some(&csrf), "empty.txt", b"").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(f.store.list_inspections().await.unwrap().len(), 1);
}

#[tokio::test]
async fn downloads_have_the_right_headers_and_bytes() {
    let f = fixture().await;
    let cases = [
        ("report.docx", "", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "attachment"),
        (
            "report.docx",
            "?audience=internal",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "attachment",
        ),
        ("report.md", "", "text/markdown; charset=utf-8", "attachment"),
        ("report.html", "?inline=1", "text/html; charset=utf-8", "inline"),
        ("ledger.xlsx", "", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "attachment"),
    ];
    for (file, query, content_type, disposition) in cases {
        let uri = format!("/inspections/{}/export/{file}{query}", f.id);
        let a = get(&f.app, &uri).await;
        assert_eq!(a.status, StatusCode::OK, "{uri}");
        assert_eq!(a.header(header::CONTENT_TYPE), content_type, "{uri}");
        let cd = a.header(header::CONTENT_DISPOSITION);
        assert!(cd.starts_with(disposition), "{uri}: {cd}");
        assert!(cd.contains(&format!("filename=\"{file}\"")) && cd.contains("filename*=UTF-8''"), "{uri}: {cd}");
        if file.ends_with(".docx") || file.ends_with(".xlsx") {
            assert!(a.body.starts_with(b"PK\x03\x04"), "{uri}: not a zip");
        } else {
            assert!(std::str::from_utf8(&a.body).is_ok());
        }
    }
    // The UTF-8 name decodes to the unit's report, public or internal.
    let cd = get(&f.app, &format!("/inspections/{}/export/report.docx?audience=internal", f.id))
        .await
        .header(header::CONTENT_DISPOSITION);
    let encoded = cd.split("filename*=UTF-8''").nth(1).unwrap();
    let decoded = percent_decode(encoded);
    assert!(
        decoded.starts_with(f.ledger.unit.as_deref().unwrap()) && decoded.ends_with("（党内通报版）.docx"),
        "{decoded}"
    );
    let html = get(&f.app, &format!("/inspections/{}/export/report.html?inline=1", f.id)).await.text();
    assert!(html.contains(f.ledger.unit.as_deref().unwrap()));
    assert_eq!(get(&f.app, &format!("/inspections/{}/export/secrets.txt", f.id)).await.status, StatusCode::NOT_FOUND);
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap(), 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn assets_are_embedded_and_cached() {
    let f = fixture().await;
    for (path, needle) in [
        ("/assets/app.css", ":root"),
        ("/assets/app.js", "chart-data"),
        ("/assets/vendor/htmx.min.js", "htmx"),
        ("/assets/vendor/echarts.common.min.js", "echarts"),
    ] {
        let a = get(&f.app, path).await;
        assert_eq!(a.status, StatusCode::OK, "{path}");
        assert!(a.header(header::CACHE_CONTROL).contains("max-age=31536000"), "{path}");
        assert!(a.text().contains(needle), "{path}");
    }
    assert_eq!(get(&f.app, "/assets/../Cargo.toml").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_rounds_own_light_thresholds_decide_the_lights() {
    let mut ledger = demo_ledger(today());
    // A round that warns in yellow four months ahead, as some offices do for long projects.
    ledger.policy.lights = LightPolicy { green_within: None, yellow_within: 120, working_days: false };
    let yellow = |policy: &LightPolicy| {
        ledger
            .problems()
            .filter(|p| {
                p.measures.iter().any(|m| {
                    light(Some(m.status.unwrap_or(p.status)), m.deadline, today(), policy, &CALENDAR) == Light::Yellow
                })
            })
            .count()
    };
    let expected = yellow(&ledger.policy.lights);
    assert_ne!(expected, yellow(&LightPolicy::default()), "the round's thresholds must change something here");
    let f = fixture_with(ledger.clone()).await;
    let html = get(&f.app, &format!("/inspections/{}/ledger?light=yellow", f.id)).await.text();
    assert_eq!(rows(&html), expected.min(20));
}
