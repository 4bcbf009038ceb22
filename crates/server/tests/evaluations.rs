//! 整改评估 through the router: the contract list of a round, the unit's own sheet (and only its
//! own), the office's sheet and adjustments (audited, refused without a reason or with a sheet
//! that does not add up), the pages, and the downloads read back (.docx text, .xlsx cells).

use std::io::Read;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use common::{Signed, account, send, signed};
use rectify_domain::roles::Role;
use rectify_server::demo::demo_ledger;
use rectify_server::users::{DEMO_PASSWORD, create_user};
use rectify_server::{AppState, router};
use rectify_storage::{AuditFilter, Page, RoleGrant, Store};
use serde_json::json;

mod common;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

struct World {
    app: Router,
    store: Store,
    round: i64,
    a: i64,
    b: i64,
    office: Signed,
    liaison: Signed,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite:{}", dir.path().join("eval.sqlite").display())).await.unwrap();
    let mut ledger = demo_ledger(today());
    ledger.inspection.round = Some("区委第九轮巡察".into());
    ledger.unit = Some("中共某某区甲局党组".into());
    let a = store.import_ledger(&ledger).await.unwrap();
    ledger.unit = Some("中共某某区乙局党组".into());
    let b = store.import_ledger(&ledger).await.unwrap();
    let round = store.list_inspections().await.unwrap().iter().find(|s| s.id == a).unwrap().round_id.unwrap();
    let clock = common::clock();
    let office = vec![RoleGrant::everywhere(Role::InspectionOffice)];
    create_user(&store, "office", "巡察办张三", DEMO_PASSWORD, office, false, clock.as_ref()).await.unwrap();
    let grant = RoleGrant { role: Role::UnitLiaison, inspection_id: Some(a), department: None, leader_name: None };
    account(&store, "liaison_a", grant, clock.as_ref()).await;
    let app = router(AppState::new(store.clone()).with_clock(clock).with_today(today()));
    let office = signed(&app, "office", None).await;
    let liaison = signed(&app, "liaison_a", None).await;
    World { app, store, round, a, b, office, liaison, _dir: dir }
}

fn get(uri: &str, who: &Signed) -> Request<Body> {
    Request::get(uri).header(header::COOKIE, &who.cookie).body(Body::empty()).unwrap()
}

fn json_request(method: &str, uri: &str, who: &Signed, body: serde_json::Value) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::COOKIE, &who.cookie)
        .header("x-csrf-token", &who.csrf)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn form(uri: &str, who: &Signed, fields: &str) -> Request<Body> {
    Request::post(uri)
        .header(header::COOKIE, &who.cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("csrf_token={}&{fields}", who.csrf)))
        .unwrap()
}

#[tokio::test]
async fn the_office_ranks_adjusts_and_sets_the_sheet_and_a_unit_sees_only_itself() {
    let w = world().await;
    let list = format!("/api/rounds/{}/evaluations", w.round);
    let all = send(&w.app, get(&list, &w.office)).await.json();
    assert_eq!(all["total"], 2, "{all}");
    for item in all["items"].as_array().unwrap() {
        for key in ["inspection_id", "unit", "score", "tier", "vetoed"] {
            assert!(item.get(key).is_some(), "{key} missing in {item}");
        }
        assert!(["好", "较好", "一般", "差"].contains(&item["tier"].as_str().unwrap()), "{item}");
    }
    // The same ledger twice: the same outcomes, the same score, the same rank.
    assert_eq!(all["items"][0]["score"], all["items"][1]["score"]);
    assert_eq!(all["items"][0]["rank"], 1);
    assert_eq!(all["items"][1]["rank"], 1);
    let paged = send(&w.app, get(&format!("{list}?limit=1&offset=1"), &w.office)).await.json();
    assert_eq!((paged["total"].as_u64(), paged["items"].as_array().unwrap().len()), (Some(2), 1));

    // The unit's liaison sees its own unit only, here and on its sheet.
    let mine = send(&w.app, get(&list, &w.liaison)).await.json();
    assert_eq!(mine["total"], 1, "{mine}");
    assert_eq!(mine["items"][0]["inspection_id"], w.a);
    let own = send(&w.app, get(&format!("/api/inspections/{}/evaluation", w.a), &w.liaison)).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text());
    assert_eq!(own.json()["evaluation"]["unit"], "中共某某区甲局党组");
    let other = send(&w.app, get(&format!("/api/inspections/{}/evaluation", w.b), &w.liaison)).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    assert!(!other.text().contains("乙局"));
    let refused = send(
        &w.app,
        json_request(
            "POST",
            &format!("/api/inspections/{}/evaluation/adjustments", w.a),
            &w.liaison,
            json!({ "points": 5, "reason": "自评" }),
        ),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "a unit does not adjust its own score");

    // The office raises 乙 with a reason (audited) and is refused without one.
    let adjust = format!("/api/inspections/{}/evaluation/adjustments", w.b);
    let before =
        all["items"].as_array().unwrap().iter().find(|i| i["inspection_id"] == w.b).unwrap()["score"].as_f64().unwrap();
    let no_reason =
        send(&w.app, json_request("POST", &adjust, &w.office, json!({ "points": 2, "reason": "  " }))).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", no_reason.text());
    assert!(no_reason.json()["message_zh"].as_str().unwrap().contains("理由"));
    let too_much =
        send(&w.app, json_request("POST", &adjust, &w.office, json!({ "points": 25, "reason": "表现突出" }))).await;
    assert_eq!(too_much.status, StatusCode::UNPROCESSABLE_ENTITY);
    let added = send(
        &w.app,
        json_request("POST", &adjust, &w.office, json!({ "points": -1.5, "reason": "整改材料报送不及时" })),
    )
    .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    let entries = w
        .store
        .list_audit(
            &AuditFilter { action: Some("evaluation.adjust".into()), ..AuditFilter::default() },
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].actor_name, "office");
    assert!(entries[0].after_json.as_deref().unwrap_or_default().contains("整改材料报送不及时"));
    let sheet_b = send(&w.app, get(&format!("/api/inspections/{}/evaluation", w.b), &w.office)).await.json();
    assert_eq!(sheet_b["evaluation"]["adjustment"], -1.5);
    assert_eq!(
        sheet_b["evaluation"]["computed"].as_f64().unwrap(),
        before,
        "the computed score stays beside the adjustment"
    );
    assert!((sheet_b["evaluation"]["score"].as_f64().unwrap() - (before - 1.5).max(0.0)).abs() < 1e-9);
    assert_eq!(sheet_b["adjustments"][0]["reason"], "整改材料报送不及时");
    let ranked = send(&w.app, get(&list, &w.office)).await.json();
    assert_eq!(ranked["items"][0]["inspection_id"], w.a, "the lowered unit ranks second: {ranked}");
    assert_eq!(ranked["items"][1]["rank"], 2);

    // A veto by the office: 差 whatever the score.
    let veto = send(
        &w.app,
        json_request(
            "POST",
            &format!("/api/inspections/{}/evaluation/adjustments", w.a),
            &w.office,
            json!({ "veto": true, "reason": "整改弄虚作假" }),
        ),
    )
    .await;
    assert_eq!(veto.status, StatusCode::CREATED, "{}", veto.text());
    let vetoed = send(&w.app, get(&format!("/api/inspections/{}/evaluation", w.a), &w.liaison)).await.json();
    assert_eq!(
        (vetoed["evaluation"]["vetoed"].as_bool(), vetoed["evaluation"]["tier"].as_str()),
        (Some(true), Some("差"))
    );

    // The sheet: the default until the office sets one; one that does not add up is refused.
    let sheet_uri = format!("/api/rounds/{}/score-sheet", w.round);
    let default = send(&w.app, get(&sheet_uri, &w.liaison)).await.json();
    assert_eq!(default["default"], true);
    let mut spec = default["sheet"].clone();
    spec["indicators"][0]["weight"] = json!(40);
    let bad = send(&w.app, json_request("PUT", &sheet_uri, &w.office, spec.clone())).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text());
    assert!(bad.json()["message_zh"].as_str().unwrap().contains("合计应为100分"), "{}", bad.text());
    spec["indicators"] = json!([{ "kind": "completion_rate", "weight": 100 }]);
    spec["deductions"] = json!([]);
    let good = send(&w.app, json_request("PUT", &sheet_uri, &w.office, spec)).await;
    assert_eq!(good.status, StatusCode::OK, "{}", good.text());
    assert_eq!(good.json()["default"], false);
    let forbidden = send(&w.app, json_request("PUT", &sheet_uri, &w.liaison, default["sheet"].clone())).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    // Completion rate only: the score is the rate (closed ÷ fed back) of the unit.
    let rescored = send(&w.app, get(&format!("/api/inspections/{}/evaluation", w.b), &w.office)).await.json();
    let indicator = &rescored["evaluation"]["indicators"][0];
    let rate = indicator["achieved"].as_f64().unwrap() / indicator["out_of"].as_f64().unwrap() * 100.0;
    assert!(
        (rescored["evaluation"]["computed"].as_f64().unwrap() - (rate * 10.0).round() / 10.0).abs() < 1e-9,
        "{rescored}"
    );
}

#[tokio::test]
async fn pages_forms_and_downloads() {
    let w = world().await;
    let doc = send(&w.app, Request::get("/api/openapi.json").body(Body::empty()).unwrap()).await.json();
    for path in [
        "/api/rounds/{id}/evaluations",
        "/api/rounds/{id}/score-sheet",
        "/api/inspections/{id}/evaluation",
        "/api/inspections/{id}/evaluation/adjustments",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is not in the OpenAPI description");
    }
    let overview = send(&w.app, get(&format!("/rounds/{}", w.round), &w.office)).await.text();
    assert!(overview.contains(&format!("/rounds/{}/evaluations", w.round)), "the overview links to the evaluation");
    let page = send(&w.app, get(&format!("/rounds/{}/evaluations", w.round), &w.office)).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains("评估排名") && html.contains("甲局") && html.contains("乙局") && html.contains("保存评分标准")
    );
    let theirs = send(&w.app, get(&format!("/rounds/{}/evaluations", w.round), &w.liaison)).await.text();
    assert!(theirs.contains("甲局") && !theirs.contains("乙局"), "a unit sees only itself");
    assert!(!theirs.contains("保存评分标准"), "a unit does not edit the sheet");

    // The sheet form: weights that do not add up are shown back with the reason.
    let uri = format!("/rounds/{}/score-sheet", w.round);
    let fields =
        "w_completion_rate=60&w_measures_on_time=30&grace_days=15&tier_good=90&tier_fairly_good=80&tier_fair=60";
    let refused = send(&w.app, form(&uri, &w.office, fields)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text());
    assert!(refused.text().contains("合计应为100分，现为90分"), "{}", refused.text());
    let fields = "w_completion_rate=70&w_measures_on_time=30&d_overdue_measure=2&c_overdue_measure=10&grace_days=15&veto_relapses=&tier_good=90&tier_fairly_good=80&tier_fair=60";
    let saved = send(&w.app, form(&uri, &w.office, fields)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let api = send(&w.app, get(&format!("/api/rounds/{}/score-sheet", w.round), &w.office)).await.json();
    assert_eq!(
        api["sheet"]["indicators"],
        json!([{ "kind": "completion_rate", "weight": 70 }, { "kind": "measures_on_time", "weight": 30 }])
    );
    assert_eq!(api["sheet"]["deductions"][0]["per_item"], 2.0);
    assert_eq!(api["sheet"]["veto_relapses"], json!(null));

    // The adjustment form: a reason is required; with one, the adjustment shows on the sheet.
    let unit_uri = format!("/inspections/{}/evaluation", w.a);
    let missing = send(&w.app, form(&unit_uri, &w.office, "points=1")).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.text().contains("调整评分须写明理由"));
    let done = send(&w.app, form(&unit_uri, &w.office, "points=1.5&reason=%E4%B8%BB%E5%8A%A8%E5%85%AC%E5%BC%80")).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    let sheet = send(&w.app, get(&unit_uri, &w.liaison)).await.text();
    assert!(sheet.contains("+1.5分：主动公开"), "{sheet}");
    assert!(sheet.contains("巡察办张三"), "the office by its name, not its login: {sheet}");
    assert!(!sheet.contains("保存调整"), "a unit does not adjust");

    // The unit's sheet as .docx: the text is there.
    let docx = send(&w.app, get(&format!("/inspections/{}/evaluation.docx", w.a), &w.liaison)).await;
    assert_eq!(docx.status, StatusCode::OK);
    assert!(docx.headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains("attachment"));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx.body)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
    for text in ["区委第九轮巡察整改评估表", "被评估单位：中共某某区甲局党组", "整改完成率", "主动公开", "评定等次"]
    {
        assert!(xml.contains(text), "{text} missing from the docx");
    }
    let other = send(&w.app, get(&format!("/inspections/{}/evaluation.docx", w.b), &w.liaison)).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);

    // The round's workbook: one row per unit shown, best first.
    let xlsx = send(&w.app, get(&format!("/rounds/{}/evaluations.xlsx", w.round), &w.office)).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx.body)).unwrap();
    let range = book.worksheet_range("整改评估").unwrap();
    assert_eq!(range.get_value((0, 0)), Some(&Data::String("区委第九轮巡察整改评估汇总表".into())));
    assert_eq!(range.get_value((2, 1)), Some(&Data::String("中共某某区甲局党组".into())), "raised by 1.5, first");
    assert_eq!(range.get_value((3, 1)), Some(&Data::String("中共某某区乙局党组".into())));
    assert_eq!(range.get_value((4, 1)), None);
    assert_eq!(range.get_value((2, 10)), Some(&Data::Float(1.5)));
    let theirs = send(&w.app, get(&format!("/rounds/{}/evaluations.xlsx", w.round), &w.liaison)).await;
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(theirs.body)).unwrap();
    let range = book.worksheet_range("整改评估").unwrap();
    assert_eq!(range.get_value((3, 1)), None, "the unit's workbook holds the unit only");
}
