//! Approvals and publishing (issue 12), on SQLite and PostgreSQL: a comment on approving kept in
//! the measure's history (page and API); publishing only through a preview that is exactly the
//! public page, confirmed; replies to public feedback that wait for a second person's approval;
//! forwarding (转办) feedback to a department and linking it to a problem of the unit's ledger.

mod common;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Answer, Signed, send};
use rectify_auth::{Clock, FixedClock};
use rectify_domain::roles::Role;
use rectify_domain::workflow::MeasureState;
use rectify_server::demo::demo_ledger;
use rectify_server::{AppState, publish_inspection, router, seed_demo_users};
use rectify_storage::{Acting, NewFeedback, Store, Submitter};
use serde_json::{Value, json};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

struct World {
    name: &'static str,
    app: Router,
    state: AppState,
    store: Store,
    clock: Arc<FixedClock>,
    inspection: i64,
    unit: String,
    /// A measure the demo department and leader both see, not yet closed.
    measure: i64,
    /// The demo department's own department.
    department: String,
    _dir: tempfile::TempDir,
}

async fn worlds() -> Vec<World> {
    let mut out = Vec::new();
    for (name, store, dir) in common::backends().await {
        let clock = common::clock();
        let ledger = demo_ledger(clock.now().date_naive());
        let inspection = store.import_ledger(&ledger).await.unwrap();
        seed_demo_users(&store, inspection, clock.as_ref()).await.unwrap();
        let shared = common::shared_measure(&store, inspection, clock.as_ref()).await;
        let state =
            AppState::new(store.clone()).with_clock(clock.clone()).with_evidence_dir(dir.path().join("evidence"));
        out.push(World {
            name,
            app: router(state.clone()),
            state,
            store,
            clock,
            inspection,
            unit: ledger.unit.clone().unwrap(),
            measure: shared.measure,
            department: shared.department,
            _dir: dir,
        });
    }
    out
}

/// Percent-encodes a form value.
fn enc(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

impl World {
    async fn login(&self, name: &str) -> Signed {
        common::signed(&self.app, name, None).await
    }

    async fn get(&self, who: &Signed, uri: &str) -> Answer {
        let r = Request::get(uri).header(header::COOKIE, &who.cookie).body(Body::empty()).unwrap();
        send(&self.app, r).await
    }

    async fn form(&self, who: &Signed, uri: &str, fields: &[(&str, &str)]) -> Answer {
        let mut body = format!("csrf_token={}", enc(&who.csrf));
        for (k, v) in fields {
            body.push_str(&format!("&{k}={}", enc(v)));
        }
        let r = Request::post(uri)
            .header(header::COOKIE, &who.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        send(&self.app, r).await
    }

    async fn json(&self, who: &Signed, uri: &str, body: Value) -> Answer {
        let r = Request::post(uri)
            .header(header::COOKIE, &who.cookie)
            .header("x-csrf-token", &who.csrf)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        send(&self.app, r).await
    }

    async fn version(&self) -> i64 {
        self.store.measure_workflow(self.measure).await.unwrap().unwrap().version
    }

    async fn act(&self, who: &Signed, mut action: Value) -> Answer {
        action["version"] = json!(self.version().await);
        self.json(who, &format!("/api/measures/{}/actions", self.measure), action).await
    }

    /// Brings the measure to the leader's review: started, with evidence, claimed by the department.
    async fn claimed(&self) {
        let dept = self.login("dept").await;
        if self.store.measure_workflow(self.measure).await.unwrap().unwrap().state == MeasureState::NotStarted {
            assert_eq!(self.act(&dept, json!({"action": "start"})).await.status, StatusCode::OK, "{}", self.name);
        }
        let boundary = "----apboundary";
        let mut body = Vec::new();
        for (k, v) in [("version", self.version().await.to_string()), ("text", "召开专题会议部署整改".to_owned())]
        {
            body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").bytes());
        }
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"纪要.pdf\"\r\nContent-Type: application/pdf\r\n\r\n")
                .bytes(),
        );
        body.extend_from_slice(PDF);
        body.extend(format!("\r\n--{boundary}--\r\n").bytes());
        let r = Request::post(format!("/api/measures/{}/progress", self.measure))
            .header(header::COOKIE, &dept.cookie)
            .header("x-csrf-token", &dept.csrf)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
        let a = send(&self.app, r).await;
        assert_eq!(a.status, StatusCode::OK, "{}: {}", self.name, a.text());
        let a = self.act(&dept, json!({"action": "claim"})).await;
        assert_eq!(a.status, StatusCode::OK, "{}: {}", self.name, a.text());
    }

    /// Makes the unit a portal unit and stores a citizen's real-name feedback; its id and code.
    async fn feedback(&self) -> (i64, String) {
        let acting = Acting { user_id: None, user_name: "测试".into(), role: Role::LeadingGroup, address: None };
        if self.store.list_published(None).await.unwrap().is_empty() {
            publish_inspection(&self.state, self.inspection, &acting).await.unwrap();
        }
        let new = NewFeedback {
            unit: self.unit.clone(),
            inspection_id: Some(self.inspection),
            submitter: Submitter::RealName { name: "王五".into(), contact: "13800000000".into() },
            subject: "小区电梯".into(),
            body: "小区加装电梯的整改承诺至今没有落实，希望尽快推进。".into(),
        };
        let receipt = self.store.submit_feedback(&new, self.clock.now()).await.unwrap();
        (receipt.id, receipt.code)
    }
}

/// The text between `start` and the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html.find(start).unwrap_or_else(|| panic!("{start:?} not in the page")) + start.len();
    let rest = &html[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

#[tokio::test]
async fn an_approval_comment_is_kept_in_the_history_of_the_page_and_the_api() {
    for w in worlds().await {
        w.claimed().await;
        let leader = w.login("leader").await;
        let page = w.get(&leader, &format!("/measures/{}", w.measure)).await.text();
        assert!(page.contains("name=\"comment\""), "{}: the approval has a comment field", w.name);
        // Over its limit the comment is refused with the limit's Chinese name; nothing moves.
        let long = "意".repeat(1001);
        let a = w.act(&leader, json!({"action": "approve", "comment": long})).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}: {}", w.name, a.text());
        assert!(a.json()["message_zh"].as_str().unwrap().contains("审核意见"), "{}", a.text());
        // The leader approves over the API with a comment, the leading group in the page.
        let a = w.act(&leader, json!({"action": "approve", "comment": "  材料齐全，同意  "})).await;
        assert_eq!(a.status, StatusCode::OK, "{}: {}", w.name, a.text());
        let group = w.login("group").await;
        let version = w.version().await.to_string();
        let uri = format!("/measures/{}/actions", w.measure);
        let a = w
            .form(&group, &uri, &[("action", "approve"), ("version", &version), ("comment", "同意，报巡察办核验")])
            .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}: {}", w.name, a.text());
        // The verifier sends back with a reason; an approval without a comment has none.
        let office = w.login("office").await;
        let a = w.act(&office, json!({"action": "send_back", "reason": "佐证材料不完整"})).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());

        let history = w.get(&office, &format!("/api/measures/{}/history", w.measure)).await;
        assert_eq!(history.status, StatusCode::OK, "{}", history.text());
        let history = history.json();
        let items = history["items"].as_array().unwrap();
        assert_eq!(history["total"].as_u64(), Some(items.len() as u64));
        let approvals: Vec<(&str, &str)> = items
            .iter()
            .filter(|e| e["action"] == "measure.approve")
            .map(|e| (e["actor"].as_str().unwrap(), e["comment"].as_str().unwrap_or("")))
            .collect();
        assert_eq!(
            approvals,
            [("group", "同意，报巡察办核验"), ("leader", "材料齐全，同意")],
            "{}: newest first",
            w.name
        );
        let sent_back = items.iter().find(|e| e["action"] == "measure.send_back").unwrap();
        assert_eq!(
            (sent_back["label"].as_str(), sent_back["reason"].as_str()),
            (Some("退回重办"), Some("佐证材料不完整"))
        );
        assert!(sent_back["comment"].is_null());
        let claim = items.iter().find(|e| e["action"] == "measure.claim").unwrap();
        assert!(claim["comment"].is_null() && claim["reason"].is_null(), "{claim}");
        let paged = w.get(&office, &format!("/api/measures/{}/history?limit=1&offset=1", w.measure)).await.json();
        assert_eq!((paged["items"].as_array().unwrap().len(), &paged["total"]), (1, &history["total"]));
        assert_eq!(paged["items"][0], items[1]);

        let page = w.get(&w.login("dept").await, &format!("/measures/{}", w.measure)).await.text();
        let section = between(&page, "id=\"history-h\"", "</section>");
        assert!(section.contains("审核意见：材料齐全，同意"), "{}: {section}", w.name);
        assert!(section.contains("审核意见：同意，报巡察办核验"), "{section}");
        assert!(section.contains("理由：佐证材料不完整"), "{section}");
    }
}

#[tokio::test]
async fn publishing_shows_the_public_page_as_a_preview_and_needs_its_confirmation() {
    for w in worlds().await {
        let group = w.login("group").await;
        let ledger = w.get(&group, &format!("/inspections/{}/ledger", w.inspection)).await.text();
        let button = between(&ledger, "class=\"panel publish", "</form>");
        assert!(button.contains("method=\"get\"") && !button.contains("method=\"post\""), "{button}");
        let uri = format!("/inspections/{}/publish", w.inspection);
        let preview = w.get(&group, &uri).await;
        assert_eq!(preview.status, StatusCode::OK, "{}: {}", w.name, preview.text());
        let preview = preview.text();
        assert!(preview.contains("预览") && preview.contains("确认发布"), "{preview}");
        let fingerprint = between(&preview, "name=\"confirm\" value=\"", "\"").to_owned();
        assert_eq!(fingerprint.len(), 64);
        // Without the confirmation, or with another report's, nothing is published.
        let a = w.form(&group, &uri, &[]).await;
        assert_eq!((a.status, a.location()), (StatusCode::SEE_OTHER, uri.clone()));
        let a = w.form(&group, &uri, &[("confirm", &"0".repeat(64))]).await;
        assert_eq!((a.status, a.location()), (StatusCode::SEE_OTHER, format!("{uri}?changed=1")));
        assert!(w.get(&group, &a.location()).await.text().contains("台账在您预览之后有变化"));
        assert!(w.store.list_published(None).await.unwrap().is_empty(), "{}", w.name);
        // Not the liaison's to publish, nor to preview.
        let liaison = w.login("liaison").await;
        assert_eq!(w.get(&liaison, &uri).await.status, StatusCode::FORBIDDEN);

        let a = w.form(&group, &uri, &[("confirm", &fingerprint)]).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
        let published = w.store.list_published(None).await.unwrap();
        assert_eq!(published.len(), 1);
        assert_eq!(a.location(), format!("/inspections/{}/ledger?published={}", w.inspection, published[0].id));
        // The preview showed exactly what the public now sees: title, unit and the report.
        let public =
            send(&w.app, Request::get(format!("/public/reports/{}", published[0].id)).body(Body::empty()).unwrap())
                .await
                .text();
        for (start, end) in [
            ("<article class=\"report-paper\"", "</article>"),
            ("<p class=\"report-meta\">", "</p>"),
            ("<nav class=\"crumbs\"", "</nav>"),
        ] {
            assert_eq!(between(&preview, start, end), between(&public, start, end), "{}: {start}", w.name);
        }
        assert!(!public.contains("确认发布") && !public.contains("预览"));
    }
}

#[tokio::test]
async fn a_reply_that_needs_approval_is_public_only_once_a_second_person_approves_it() {
    for w in worlds().await {
        let (id, code) = w.feedback().await;
        let (liaison, group) = (w.login("liaison").await, w.login("group").await);
        // The liaison may not switch the approval off or on; the leading group may.
        let settings = [("unit", w.unit.as_str()), ("answers_need_approval", "1")];
        assert_eq!(w.form(&liaison, "/feedback/settings", &settings).await.status, StatusCode::FORBIDDEN);
        let a = w.form(&group, "/feedback/settings", &settings).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}: {}", w.name, a.text());
        assert!(w.store.feedback_settings(&w.unit).await.unwrap().answers_need_approval);

        let a = w.form(&liaison, &format!("/feedback/{id}/answer"), &[("answer", "已督促物业公司限期完成。")]).await;
        assert_eq!(a.location(), format!("/feedback/{id}?done=submitted"), "{}: {}", w.name, a.text());
        let seen = w.store.find_feedback_by_code(&code).await.unwrap().unwrap();
        assert_eq!((seen.answer, seen.status.as_str()), (None, "processing"), "{}: not public yet", w.name);
        let inbox = w.get(&group, &format!("/feedback?status=pending_approval&unit={}", enc(&w.unit))).await.text();
        assert!(inbox.contains(&format!("/feedback/{id}\"")) && inbox.contains("待审核"), "{inbox}");
        let notices = w.get(&group, "/api/notifications").await.json();
        assert!(notices.to_string().contains("答复待审核"), "{}: the approver is told: {notices}", w.name);

        // The replier cannot approve: not by role over HTTP, not as the same person in storage.
        assert_eq!(w.form(&liaison, &format!("/feedback/{id}/approve"), &[]).await.status, StatusCode::FORBIDDEN);
        let replier = w.store.find_user_by_username("liaison").await.unwrap().unwrap();
        let same =
            Acting { user_id: Some(replier.id), user_name: "liaison".into(), role: Role::LeadingGroup, address: None };
        assert!(matches!(
            w.store.approve_answer(id, &same, w.clock.now()).await,
            Err(rectify_storage::FeedbackError::OwnAnswer)
        ));

        // Returned with a reason: still not public; the liaison sees why.
        let a = w.form(&group, &format!("/feedback/{id}/return"), &[("reason", "请写明完成时限")]).await;
        assert_eq!(a.location(), format!("/feedback/{id}?done=returned"), "{}", a.text());
        assert!(w.get(&liaison, &format!("/feedback/{id}")).await.text().contains("请写明完成时限"));
        assert_eq!(w.store.find_feedback_by_code(&code).await.unwrap().unwrap().answer, None);
        let a =
            w.form(&liaison, &format!("/feedback/{id}/answer"), &[("answer", "已督促物业公司于12月底前完成。")]).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER);
        let a = w.form(&group, &format!("/feedback/{id}/approve"), &[]).await;
        assert_eq!(a.location(), format!("/feedback/{id}?done=approved"), "{}", a.text());
        let seen = w.store.find_feedback_by_code(&code).await.unwrap().unwrap();
        assert_eq!(seen.answer.as_deref(), Some("已督促物业公司于12月底前完成。"), "{}", w.name);
        let trail =
            w.store.list_audit(&Default::default(), rectify_storage::Page { offset: 0, limit: 100 }).await.unwrap();
        let actions: Vec<&str> =
            trail.iter().filter(|e| e.target_kind == "feedback").map(|e| e.action.as_str()).collect();
        for action in ["feedback.answer_submit", "feedback.answer_return", "feedback.answer_approve"] {
            assert!(actions.contains(&action), "{action} in {actions:?}");
        }
        let unit_trail: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
        assert!(unit_trail.contains(&"feedback.settings"));
    }
}

#[tokio::test]
async fn forwarded_feedback_reaches_only_its_department_and_links_only_to_the_units_problems() {
    for w in worlds().await {
        let (id, _) = w.feedback().await;
        let (liaison, dept, dept2) = (w.login("liaison").await, w.login("dept").await, w.login("dept2").await);
        let item = format!("/feedback/{id}");
        assert_eq!(w.get(&dept, &item).await.status, StatusCode::FORBIDDEN, "{}: not forwarded yet", w.name);
        let a = w.form(&liaison, &format!("{item}/forward"), &[("department", "不存在的部门"), ("note", "")]).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text());
        let a = w
            .form(
                &liaison,
                &format!("{item}/forward"),
                &[("department", &w.department), ("note", "请核实后三日内回复")],
            )
            .await;
        assert_eq!(a.location(), format!("{item}?done=forwarded"), "{}: {}", w.name, a.text());

        let page = w.get(&dept, &item).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let page = page.text();
        assert!(page.contains("小区电梯") && page.contains("请核实后三日内回复"), "{page}");
        assert!(
            !page.contains("王五") && !page.contains("13800000000"),
            "{}: the department sees no personal data",
            w.name
        );
        assert!(!page.contains("action=\"/feedback/"), "the department answers nothing here");
        let inbox = w.get(&dept, "/feedback").await.text();
        assert!(inbox.contains(&format!("href=\"{item}\"")) && inbox.contains("转办给本部门"), "{inbox}");
        // The other department sees neither the item nor it in its list.
        assert_eq!(w.get(&dept2, &item).await.status, StatusCode::FORBIDDEN);
        assert!(!w.get(&dept2, "/feedback").await.text().contains(&format!("href=\"{item}\"")));
        let notices = w.get(&dept, "/api/notifications").await.text();
        assert!(notices.contains("转办"), "{}: {notices}", w.name);
        assert!(!w.get(&dept2, "/api/notifications").await.text().contains("转办"));

        // A problem of another unit's ledger is refused; one of its own is linked and shown.
        let mut other = demo_ledger(w.clock.now().date_naive());
        other.unit = Some("某某区另一单位党组".into());
        let other_id = w.store.import_ledger(&other).await.unwrap();
        let foreign = w.store.list_problems(other_id).await.unwrap()[0].id;
        let a = w.form(&liaison, &format!("{item}/link"), &[("problem", &foreign.to_string())]).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}: {}", w.name, a.text());
        assert!(a.text().contains("只能关联本单位台账中的问题"));
        let own = w.store.list_problems(w.inspection).await.unwrap()[0].id;
        let a = w.form(&liaison, &format!("{item}/link"), &[("problem", &own.to_string())]).await;
        assert_eq!(a.location(), format!("{item}?done=linked"));
        let problem = w.get(&liaison, &format!("/problems/{own}")).await.text();
        assert!(problem.contains("关联的群众意见建议") && problem.contains(&format!("href=\"{item}\"")), "{problem}");
        let trail =
            w.store.list_audit(&Default::default(), rectify_storage::Page { offset: 0, limit: 100 }).await.unwrap();
        let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
        assert!(actions.contains(&"feedback.forward") && actions.contains(&"feedback.link_problem"), "{actions:?}");
    }
}

#[tokio::test]
async fn the_api_publishes_only_a_confirmed_preview() {
    for w in worlds().await {
        let group = w.login("group").await;
        let preview = w.get(&group, &format!("/api/inspections/{}/publication-preview", w.inspection)).await;
        assert_eq!(preview.status, StatusCode::OK, "{}: {}", w.name, preview.text());
        let preview = preview.json();
        assert_eq!(preview["unit"], w.unit.as_str());
        assert!(w.store.list_published(None).await.unwrap().is_empty(), "a preview publishes nothing");
        let uri = format!("/api/inspections/{}/publications", w.inspection);
        let stale = w.json(&group, &uri, json!({"confirm": "0".repeat(64)})).await;
        assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", stale.text());
        assert!(stale.json()["message_zh"].as_str().unwrap().contains("重新预览"));
        let liaison = w.login("liaison").await;
        let refused = w.json(&liaison, &uri, json!({"confirm": preview["fingerprint"]})).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let done = w.json(&group, &uri, json!({"confirm": preview["fingerprint"]})).await;
        assert_eq!(done.status, StatusCode::CREATED, "{}", done.text());
        let id = done.json()["id"].as_i64().unwrap();
        assert_eq!(done.json()["url"], format!("/public/reports/{id}"));
        let stored = w.store.get_published(id).await.unwrap().unwrap();
        assert_eq!(
            (stored.summary.title.as_str(), stored.body_html.as_str()),
            (preview["title"].as_str().unwrap(), preview["body_html"].as_str().unwrap())
        );
    }
}
