//! Defects a new user met (issue 12), on both databases: the import preview groups the
//! linter's findings, an import outside the importer's scope lands on a page that says so.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Answer, send};
use rectify_auth::Clock;
use rectify_domain::roles::Role;
use rectify_domain::{Ledger, Status};
use rectify_server::demo::demo_ledger;
use rectify_server::{AppState, router};
use rectify_storage::{RoleGrant, Store};

/// A fictional report, shared with the browser tests.
const REPORT: &str = include_str!("../../../tests/e2e/fixtures/report.txt");

struct Fixture {
    app: Router,
    store: Store,
    demo: i64,
}

async fn fixture(store: Store) -> Fixture {
    fixture_with(store, demo_ledger(common::clock().now().date_naive())).await
}

async fn fixture_with(store: Store, ledger: Ledger) -> Fixture {
    let clock = common::clock();
    let demo = store.import_ledger(&ledger).await.unwrap();
    common::account(&store, "office", RoleGrant::everywhere(Role::InspectionOffice), clock.as_ref()).await;
    let liaison = RoleGrant { inspection_id: Some(demo), ..RoleGrant::everywhere(Role::UnitLiaison) };
    common::account(&store, "liaison", liaison, clock.as_ref()).await;
    let app = router(AppState::new(store.clone()).with_clock(clock));
    Fixture { app, store, demo }
}

struct Browser {
    app: Router,
    csrf: String,
}

impl Browser {
    async fn new(app: &Router, username: &str) -> Browser {
        let s = common::signed(app, username, None).await;
        Browser { app: common::with_cookie(app.clone(), s.cookie), csrf: s.csrf }
    }

    async fn get(&self, uri: &str) -> Answer {
        send(&self.app, Request::get(uri).body(Body::empty()).unwrap()).await
    }

    /// Uploads a file; answers the preview's address.
    async fn upload(&self, name: &str, bytes: &[u8]) -> String {
        let boundary = "----rectifytestboundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n",
            self.csrf
        )
        .into_bytes();
        body.extend_from_slice(bytes);
        body.extend(format!("\r\n--{boundary}--\r\n").bytes());
        let request = Request::post("/documents/upload")
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
        let a = send(&self.app, request).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
        a.location()
    }

    async fn confirm(&self, preview: &str) -> Answer {
        let token = preview.rsplit('/').next().unwrap();
        let request = Request::post("/documents/confirm")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf_token={}&token={token}", self.csrf)))
            .unwrap();
        send(&self.app, request).await
    }
}

/// The fixture report with every full-width comma made half-width.
fn report_with_halfwidth_commas() -> String {
    REPORT.replace('，', ",")
}

/// The number of half-width punctuation defects the linter finds in a report, and of all.
fn halfwidth_defects(text: &str) -> (usize, usize) {
    let doc = rectify_report_reader::read_bytes(text.as_bytes(), Some("r.txt")).unwrap();
    let parsed = rectify_report_reader::parse(&doc);
    let all = rectify_report_lint::lint(&doc, &parsed);
    let halfwidth = all.iter().filter(|d| d.kind == rectify_report_lint::DefectKind::HalfwidthPunctuation).count();
    (halfwidth, all.len())
}

#[tokio::test]
async fn the_preview_groups_the_linters_findings_by_kind() {
    for (backend, store, _dir) in common::backends().await {
        let f = fixture(store).await;
        let office = Browser::new(&f.app, "office").await;
        let text = report_with_halfwidth_commas();
        let (marks, all) = halfwidth_defects(&text);
        assert!(marks > 3, "{backend}: the report has several half-width marks ({marks})");
        let html = office.get(&office.upload("report.txt", text.as_bytes()).await).await.text();
        let table = &html[html.find("class=\"mini data findings\"").expect("the findings table")..];
        let table = &table[..table.find("</table>").unwrap()];
        // One row for the kind, with its count, not one row per mark.
        assert_eq!(table.matches("处半角标点").count(), 1, "{backend}: {table}");
        assert!(table.contains(&format!("{marks} 处半角标点")), "{backend}: {table}");
        assert!(table.contains("应改为全角标点"), "{backend}: the hint");
        // The heading counts every defect; a row per kind.
        assert!(html.contains(&format!("检查发现的问题（{all}处）")), "{backend}: {html}");
        assert!(table.matches("<tr>").count() - 1 < all - marks + 2, "{backend}: {table}");
    }
}

#[tokio::test]
async fn an_import_outside_the_importers_scope_lands_on_a_notice_not_a_403() {
    for (backend, store, _dir) in common::backends().await {
        let f = fixture(store).await;
        let liaison = Browser::new(&f.app, "liaison").await;
        // A new report of the liaison's own unit (another unit's is refused at preview): it
        // becomes a new inspection, which the liaison's grant does not name.
        let own = f.store.list_inspections().await.unwrap().into_iter().find(|s| s.id == f.demo).unwrap();
        let report = REPORT.replace("中共青石县文化和旅游局党组", own.unit.as_deref().unwrap());
        let preview = liaison.upload("report.txt", report.as_bytes()).await;
        let done = liaison.confirm(&preview).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{backend}: {}", done.text());
        let new = f.store.list_inspections().await.unwrap().iter().map(|s| s.id).max().unwrap();
        assert_ne!(new, f.demo, "{backend}: imported");
        // The liaison's grant names the demo inspection only: the new ledger is outside it.
        assert_eq!(done.location(), "/documents?imported=outside", "{backend}");
        let page = liaison.get(&done.location()).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        assert!(page.text().contains("导入成功，但新台账不在本账号的数据范围内"), "{backend}: {}", page.text());
        assert_eq!(liaison.get(&format!("/inspections/{new}/ledger")).await.status, StatusCode::FORBIDDEN);

        // The office sees every ledger: it lands on the ledger just imported.
        let office = Browser::new(&f.app, "office").await;
        let done = office.confirm(&office.upload("report.txt", REPORT.as_bytes()).await).await;
        let new = f.store.list_inspections().await.unwrap().iter().map(|s| s.id).max().unwrap();
        assert_eq!(done.location(), format!("/inspections/{new}/ledger?imported=1"), "{backend}");
        assert!(office.get(&done.location()).await.text().contains("导入成功"), "{backend}");
        // The page without the notice says nothing of it.
        assert!(!office.get("/documents").await.text().contains("不在本账号的数据范围内"), "{backend}");
    }
}

/// The measure ids of a list's items, with whether each carries the overdue marker.
fn marked_items(html: &str, list_class: &str) -> Vec<(i64, bool)> {
    let Some(start) = html.find(&format!("class=\"items {list_class}\"")) else { return Vec::new() };
    let list = &html[start..];
    let list = &list[..list.find("</ul>").unwrap()];
    list.split("<li")
        .skip(1)
        .map(|item| {
            let at = item.find("/measures/").unwrap() + "/measures/".len();
            let id: String = item[at..].chars().take_while(char::is_ascii_digit).collect();
            (id.parse().unwrap(), item.contains("<span class=\"light red\">逾期</span>"))
        })
        .collect()
}

#[tokio::test]
async fn overdue_measures_on_the_home_list_carry_a_red_marker() {
    for (backend, store, _dir) in common::backends().await {
        let f = fixture(store).await;
        let today = common::clock().now().date_naive();
        let liaison = Browser::new(&f.app, "liaison").await;
        let home = liaison.get("/").await.text();
        let items = marked_items(&home, "todo-update");
        assert!(!items.is_empty(), "{backend}: {home}");
        let measures = f.store.list_measures(f.demo, None).await.unwrap();
        let late = |id: i64| {
            let m = measures.iter().find(|m| m.id == id).unwrap();
            m.measure.deadline.is_some_and(|d| d.latest() < today)
        };
        for (id, marked) in &items {
            assert_eq!(*marked, late(*id), "{backend}: measure {id}");
        }
        // The demo has passed deadlines: the overdue come first.
        assert!(items.first().is_some_and(|(_, marked)| *marked), "{backend}: {items:?}");
        let first_unmarked = items.iter().position(|(_, m)| !m).unwrap_or(items.len());
        assert!(items[first_unmarked..].iter().all(|(_, m)| !m), "{backend}: overdue first: {items:?}");
    }
}

#[tokio::test]
async fn a_reminder_is_offered_only_for_a_measure_with_a_responsible_department() {
    for (backend, store, _dir) in common::backends().await {
        // One open problem, and its measures, with no department at all.
        let mut ledger = demo_ledger(common::clock().now().date_naive());
        let problem = ledger
            .aspects
            .iter_mut()
            .flat_map(|a| a.problems.iter_mut())
            .find(|p| p.status != Status::Completed && p.measures.iter().all(|m| m.status != Some(Status::Completed)))
            .expect("an open problem");
        problem.responsibility.departments.clear();
        for m in &mut problem.measures {
            m.responsibility.departments.clear();
        }
        let title = problem.title.to_string();
        let f = fixture_with(store, ledger).await;
        let problems = f.store.list_problems(f.demo).await.unwrap();
        let bare = problems.iter().find(|p| p.problem.title.as_str() == title).unwrap().id;
        let measures = f.store.list_measures(f.demo, None).await.unwrap();
        let office = Browser::new(&f.app, "office").await;

        let nobody = measures.iter().find(|m| m.problem_id == bare).unwrap().id;
        let page = office.get(&format!("/measures/{nobody}")).await.text();
        assert!(!page.contains(&format!("/measures/{nobody}/remind")), "{backend}: no reminder form");
        assert!(page.contains("尚未明确责任部门，暂不能催办"), "{backend}: {page}");

        let open = problems
            .iter()
            .filter(|p| p.id != bare && !p.problem.responsibility.departments.is_empty())
            .filter(|p| p.problem.status != Status::Completed)
            .find_map(|p| measures.iter().find(|m| m.problem_id == p.id && m.measure.status != Some(Status::Completed)))
            .expect("an open measure with a department")
            .id;
        let page = office.get(&format!("/measures/{open}")).await.text();
        assert!(page.contains(&format!("/measures/{open}/remind")), "{backend}: {page}");
        assert!(page.contains("催办责任部门") && !page.contains("暂不能催办"), "{backend}");

        // Ticked in the ledger's bulk form, the bare problem's open measures are left out and
        // counted as such; the other problem's are reminded.
        let other = measures.iter().find(|m| m.id == open).unwrap().problem_id;
        let bare_open =
            measures.iter().filter(|m| m.problem_id == bare && m.measure.status != Some(Status::Completed)).count();
        let request = Request::post(format!("/inspections/{}/bulk/remind", f.demo))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf_token={}&p={bare}&p={other}", office.csrf)))
            .unwrap();
        let done = send(&office.app, request).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{backend}: {}", done.text());
        assert!(done.location().contains(&format!("&unassigned={bare_open}")), "{backend}: {}", done.location());
        assert!(!done.location().contains("sent=0&"), "{backend}: the other problem's measures: {}", done.location());
        let notice = office.get(&done.location()).await.text();
        assert!(notice.contains(&format!("{bare_open}条措施尚未明确责任部门，未催办")), "{backend}");
    }
}

#[tokio::test]
async fn the_api_is_described_on_a_readable_page() {
    for (backend, store, _dir) in common::backends().await {
        let f = fixture(store).await;
        // Anyone may read it, as the JSON description.
        let page = send(&f.app, Request::get("/api/docs").body(Body::empty()).unwrap()).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}: {}", page.text());
        let csp = page.headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap().to_owned();
        assert!(!csp.starts_with("default-src 'none'"), "{backend}: the page's own policy, with its stylesheet: {csp}");
        let html = page.text();
        assert!(html.contains("数据接口说明") && html.contains("巡察台账"), "{backend}");
        assert!(!html.contains("src=\"http") && !html.contains("src=\"//"), "{backend}: nothing from elsewhere");
        let doc = send(&f.app, Request::get("/api/openapi.json").body(Body::empty()).unwrap()).await.json();
        let mut operations = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            let shown = html.contains(&format!("<code>{path}</code>"))
                || html.contains(&format!("<code>{}</code>", path.replace('/', "&#x2f;")));
            assert!(shown, "{backend}: {path} is listed");
            for method in item.as_object().unwrap().keys() {
                assert!(
                    html.contains(&format!("<code class=\"method\">{}</code>", method.to_uppercase())),
                    "{backend}: {method}"
                );
                operations += 1;
            }
        }
        assert_eq!(html.matches("class=\"apidoc-op\"").count(), operations, "{backend}");
        assert!(operations > 50, "{backend}: {operations}");
        // The parameters of a listing, with where they go.
        assert!(html.contains("<code>limit</code></td><td>查询</td>"), "{backend}");
        // The footer links to the page, not to the raw JSON.
        let login = send(&f.app, Request::get("/login").body(Body::empty()).unwrap()).await.text();
        assert!(login.contains("<a href=\"/api/docs\">数据接口说明</a>"), "{backend}");
    }
}
