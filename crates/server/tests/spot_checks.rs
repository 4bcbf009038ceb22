//! 双随机、一公开 spot checks on both databases: the registries imported from Excel (all rows or
//! none, bad rows named by number), the reproducible draw (same seed, same draw; a later change
//! of the registry leaves a past draw as it was), hazards made into a 专项检查 ledger that the
//! statistics count, publication on the portal, and the data scope of every call.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Answer, Client, send};
use rectify_auth::Clock;
use rectify_domain::InspectionKind;
use rectify_domain::roles::Role;
use rectify_domain::spot_check::{Candidates, DrawSize, draw_round};
use rectify_server::demo::demo_ledger;
use rectify_server::{AppState, router};
use rectify_storage::{AuditFilter, RoleGrant, Store};
use serde_json::{Value, json};

impl Client {
    async fn upload(&self, path: &str, file: &[u8]) -> Answer {
        let boundary = "----spotboundary";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"registry.xlsx\"\r\n\
                 Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = Request::post(path)
            .header("x-csrf-token", &self.csrf)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
        send(&self.app, request).await
    }
}

/// A workbook with a title row above the header, as offices write them.
fn workbook(headers: &[&str], rows: &[Vec<&str>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "人防工程名录（2026年）").unwrap();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if let Ok(n) = v.parse::<f64>() {
                sheet.write_number(r as u32 + 2, c as u16, n).unwrap();
            } else if !v.is_empty() {
                sheet.write_string(r as u32 + 2, c as u16, *v).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

const OBJECT_HEADERS: [&str; 7] =
    ["序号", "工程名称", "坐落位置", "产权/使用单位", "建筑面积（㎡）", "使用状态", "工程类别"];

struct World {
    store: Store,
    office: Client,
    liaison: Client,
    other: Client,
    public: Router,
    unit: String,
    _dir: tempfile::TempDir,
}

async fn world(store: Store, dir: tempfile::TempDir) -> World {
    let clock = common::clock();
    let today = clock.now().date_naive();
    let ledger = demo_ledger(today);
    let unit = ledger.unit.clone().unwrap();
    let demo = store.import_ledger(&ledger).await.unwrap();
    let mut other_ledger = demo_ledger(today);
    other_ledger.unit = Some("某某区另一局".into());
    let other = store.import_ledger(&other_ledger).await.unwrap();
    common::account(&store, "office", RoleGrant::everywhere(Role::InspectionOffice), clock.as_ref()).await;
    for (name, id) in [("liaison", demo), ("other", other)] {
        let grant = RoleGrant { inspection_id: Some(id), ..RoleGrant::everywhere(Role::UnitLiaison) };
        common::account(&store, name, grant, clock.as_ref()).await;
    }
    let app = router(AppState::new(store.clone()).with_clock(clock.clone()));
    World {
        office: Client::new(&app, "office").await,
        liaison: Client::new(&app, "liaison").await,
        other: Client::new(&app, "other").await,
        public: app,
        store,
        unit,
        _dir: dir,
    }
}

async fn actions(store: &Store, action: &str) -> u64 {
    let filter = AuditFilter { action: Some(action.to_owned()), ..AuditFilter::default() };
    store.count_audit(&filter).await.unwrap()
}

async fn public_get(app: &Router, path: &str) -> Answer {
    send(app, Request::get(path).body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn registries_import_from_excel_all_or_nothing_within_the_units_scope() {
    for (backend, store, dir) in common::backends().await {
        let w = world(store, dir).await;
        let good = workbook(
            &OBJECT_HEADERS,
            &[
                vec!["1", "人民广场地下人防工程", "新华路1号", "市城投公司", "1200.5", "平时使用", "单建工程"],
                vec!["2", "市一中人防地下室", "学府路8号", "市第一中学", "3500", "在用", "结建工程"],
                vec!["3", "老城区早期人防洞库", "南山北麓", "", "", "闲置", "早期人防工程"],
                vec!["", "", "", "", "", "", ""],
                vec!["4", "商贸城地下车库", "商贸大道66号", "商贸城物业公司", "800", "在建", "结建工程"],
            ],
        );
        let a = w.liaison.upload("/api/spot-checks/objects/import", &good).await;
        assert_eq!(a.status, StatusCode::CREATED, "{backend}: {}", a.text());
        assert_eq!(a.json()["imported"], 4, "{backend}");
        let list = w.liaison.call("GET", "/api/spot-checks/objects?limit=2", None).await.json();
        assert_eq!(list["total"], 4, "{backend}: {list}");
        assert_eq!(list["items"].as_array().unwrap().len(), 2);
        let first = &list["items"][0];
        assert_eq!(
            (&first["name"], &first["area_m2"], &first["status_label"], &first["unit"]),
            (&json!("人民广场地下人防工程"), &json!("1200.5"), &json!("在用"), &json!(w.unit)),
            "{backend}"
        );

        // Two bad rows: both named by their Excel row numbers, nothing stored.
        let bad = workbook(
            &OBJECT_HEADERS,
            &[
                vec!["1", "新建人防工程", "东路2号", "甲公司", "500", "在用", ""],
                vec!["2", "", "西路3号", "乙公司", "600", "在用", ""],
                vec!["3", "某某地下室", "北路4号", "丙公司", "很大", "在用", ""],
            ],
        );
        let a = w.liaison.upload("/api/spot-checks/objects/import", &bad).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {}", a.text());
        let message = a.json()["message_zh"].as_str().unwrap().to_owned();
        assert!(message.contains("第4行：请填写名称") && message.contains("第5行：面积“很大”"), "{backend}: {message}");
        assert!(!message.contains("第3行"), "{backend}: {message}");
        assert_eq!(w.liaison.call("GET", "/api/spot-checks/objects", None).await.json()["total"], 4);
        let a = w.liaison.upload("/api/spot-checks/objects/import", b"not a workbook").await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(a.json()["message_zh"].as_str().unwrap().contains("Excel"));

        // Inspectors, with a 在岗 column.
        let people = workbook(
            &["姓名", "所在科室", "执法证号", "是否在岗"],
            &[
                vec!["张三", "工程管理科", "鄂人防0001", "在岗"],
                vec!["李四", "市城投公司", "", "是"],
                vec!["王五", "指挥通信科", "鄂人防0003", "调离"],
            ],
        );
        let a = w.liaison.upload("/api/spot-checks/inspectors/import", &people).await;
        assert_eq!(a.status, StatusCode::CREATED, "{backend}: {}", a.text());
        let list = w.liaison.call("GET", "/api/spot-checks/inspectors", None).await.json();
        let active: Vec<bool> =
            list["items"].as_array().unwrap().iter().map(|i| i["active"].as_bool().unwrap()).collect();
        assert_eq!(active, vec![true, true, false], "{backend}: {list}");
        assert_eq!(actions(&w.store, "spot_object.import").await, 1, "{backend}");
        assert_eq!(actions(&w.store, "spot_inspector.import").await, 1, "{backend}");

        // Another unit's liaison sees none of it and changes none of it; the office reads it.
        assert_eq!(w.other.call("GET", "/api/spot-checks/objects", None).await.json()["total"], 0, "{backend}");
        let id = first["id"].as_i64().unwrap();
        let change = json!({"name": "改名", "status": "idle"});
        let a = w.other.call("PUT", &format!("/api/spot-checks/objects/{id}"), Some(change.clone())).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{backend}: {}", a.text());
        let a = w.other.call("POST", "/api/spot-checks/objects", Some(json!({"unit": w.unit, "name": "越权"}))).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {}", a.text());
        assert_eq!(w.office.call("GET", "/api/spot-checks/objects", None).await.json()["total"], 4, "{backend}");
        let a = w.office.call("POST", "/api/spot-checks/objects", Some(json!({"name": "巡察办不管理名录"}))).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{backend}");
        let a = w.liaison.call("PUT", &format!("/api/spot-checks/objects/{id}"), Some(change)).await;
        assert_eq!((a.status, &a.json()["status_label"]), (StatusCode::OK, &json!("闲置")), "{backend}");
        let a = w.liaison.call("POST", &format!("/api/spot-checks/objects/{id}/retire"), None).await;
        assert_eq!(a.json()["retired"], true, "{backend}");
        assert_eq!(w.liaison.call("GET", "/api/spot-checks/objects", None).await.json()["total"], 3);
        assert_eq!(w.liaison.call("GET", "/api/spot-checks/objects?retired=true", None).await.json()["total"], 4);

        // The page shows the registry.
        let page = send(&w.liaison.app, Request::get("/spot-checks?tab=objects").body(Body::empty()).unwrap()).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("市一中人防地下室") && page.text().contains("已注销"), "{backend}");
    }
}

/// Registers `n` objects owned by 甲单位 or 乙单位 in turn, and four inspectors, two of whom
/// belong to those owners.
async fn registry(w: &World, n: usize) {
    for i in 0..n {
        let owner = if i % 2 == 0 { "甲单位" } else { "乙单位" };
        let body = json!({"name": format!("人防工程{i:02}"), "address": format!("人民路{i}号"), "owner": owner, "area_m2": 100 + i});
        let a = w.liaison.call("POST", "/api/spot-checks/objects", Some(body)).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    }
    for (name, department) in [("赵一", "甲单位"), ("钱二", "乙单位"), ("孙三", "工程管理科"), ("李四", "指挥通信科")]
    {
        let body = json!({"name": name, "department": department, "certificate": format!("证{name}")});
        let a = w.liaison.call("POST", "/api/spot-checks/inspectors", Some(body)).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    }
}

async fn new_round(w: &World, name: &str, objects: u32, per_object: u32) -> i64 {
    let body =
        json!({"name": name, "check_date": "2026-11-20", "objects": objects, "inspectors_per_object": per_object});
    let a = w.liaison.call("POST", "/api/spot-checks/rounds", Some(body)).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    a.json()["id"].as_i64().unwrap()
}

/// (object id, inspector ids) of each drawn item.
fn drawn(round: &Value) -> Vec<(i64, Vec<i64>)> {
    round["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let ids = i["inspector_ids"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
            (i["object_id"].as_i64().unwrap(), ids)
        })
        .collect()
}

#[tokio::test]
async fn the_draw_is_reproducible_and_a_past_draw_survives_registry_changes() {
    for (backend, store, dir) in common::backends().await {
        let w = world(store, dir).await;
        registry(&w, 8).await;
        let first = new_round(&w, "2026年第一批", 4, 2).await;
        let a = w
            .liaison
            .call("POST", &format!("/api/spot-checks/rounds/{first}/draw"), Some(json!({"seed": "2026-第1批"})))
            .await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
        let round = a.json();
        let picked = drawn(&round);
        assert_eq!(picked.len(), 4, "{backend}");
        // 回避: nobody inspects an object of their own unit.
        let objects = w.liaison.call("GET", "/api/spot-checks/objects", None).await.json();
        let inspectors = w.liaison.call("GET", "/api/spot-checks/inspectors", None).await.json();
        let owner =
            |id: i64| objects["items"].as_array().unwrap().iter().find(|o| o["id"] == id).unwrap()["owner"].clone();
        let department = |id: i64| {
            inspectors["items"].as_array().unwrap().iter().find(|o| o["id"] == id).unwrap()["department"].clone()
        };
        for (object, people) in &picked {
            assert_eq!(people.len(), 2);
            assert!(people.iter().all(|p| department(*p) != owner(*object)), "{backend}: {picked:?}");
        }
        // Anyone can re-run it from the published seed and candidates.
        let candidates: Candidates = serde_json::from_value(round["candidates"].clone()).unwrap();
        assert_eq!((candidates.objects.len(), candidates.inspectors.len()), (8, 4));
        let again = draw_round("2026-第1批", &candidates, DrawSize::new(4, 2).unwrap()).unwrap();
        assert_eq!(again.iter().map(|a| (a.object, a.inspectors.clone())).collect::<Vec<_>>(), picked, "{backend}");
        // The same seed on the same registry draws the same; another seed almost surely not.
        let second = new_round(&w, "2026年第一批（复核）", 4, 2).await;
        let same = w
            .liaison
            .call("POST", &format!("/api/spot-checks/rounds/{second}/draw"), Some(json!({"seed": "2026-第1批"})))
            .await;
        assert_eq!(drawn(&same.json()), picked, "{backend}");
        // A round is drawn once.
        let a = w
            .liaison
            .call("POST", &format!("/api/spot-checks/rounds/{first}/draw"), Some(json!({"seed": "再抽一次"})))
            .await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(a.json()["message_zh"].as_str().unwrap().contains("已抽取"));

        // The registry changes afterwards: objects added and renamed, a drawn one retired, an
        // inspector leaves. The past draw reads the same and still re-runs to itself.
        registry(&w, 3).await;
        let (object, people) = &picked[0];
        w.liaison.call("POST", &format!("/api/spot-checks/objects/{object}/retire"), None).await;
        let rename = json!({"name": "改名后的工程", "owner": "丙单位"});
        w.liaison.call("PUT", &format!("/api/spot-checks/objects/{}", picked[1].0), Some(rename)).await;
        let leave = json!({"name": "赵一", "department": "甲单位", "active": false});
        w.liaison.call("PUT", &format!("/api/spot-checks/inspectors/{}", people[0]), Some(leave)).await;
        let later = w.liaison.call("GET", &format!("/api/spot-checks/rounds/{first}"), None).await.json();
        assert_eq!(drawn(&later), picked, "{backend}");
        assert_eq!(later["items"], round["items"], "{backend}: names are as drawn");
        assert_eq!(later["seed"], "2026-第1批");
        let kept: Candidates = serde_json::from_value(later["candidates"].clone()).unwrap();
        assert_eq!(kept, candidates, "{backend}");
        let page =
            send(&w.liaison.app, Request::get(format!("/spot-checks/rounds/{first}")).body(Body::empty()).unwrap())
                .await;
        assert!(page.text().contains("结果一致"), "{backend}");
        // A new round with the same seed now draws from the changed registry.
        let third = new_round(&w, "2026年第二批", 4, 2).await;
        let now = w
            .liaison
            .call("POST", &format!("/api/spot-checks/rounds/{third}/draw"), Some(json!({"seed": "2026-第1批"})))
            .await
            .json();
        let now_candidates: Candidates = serde_json::from_value(now["candidates"].clone()).unwrap();
        assert_eq!((now_candidates.objects.len(), now_candidates.inspectors.len()), (10, 7), "{backend}");
        assert!(drawn(&now).iter().all(|(o, _)| o != object), "{backend}: a retired object is drawn");
        // Without a seed the system picks one and publishes it.
        let fourth = new_round(&w, "2026年第三批", 2, 1).await;
        let random =
            w.liaison.call("POST", &format!("/api/spot-checks/rounds/{fourth}/draw"), Some(json!({}))).await.json();
        assert_eq!(random["seed"].as_str().unwrap().len(), 16, "{backend}");
        // Too few inspectors left after 回避: refused, nothing drawn.
        let fifth = new_round(&w, "人员不足", 2, 6).await;
        let a =
            w.liaison.call("POST", &format!("/api/spot-checks/rounds/{fifth}/draw"), Some(json!({"seed": "x"}))).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {}", a.text());
        assert!(a.json()["message_zh"].as_str().unwrap().contains("检查人员不足"));
        assert_eq!(actions(&w.store, "spot_round.draw").await, 4, "{backend}");
        // Another unit neither reads nor draws the rounds.
        assert_eq!(
            w.other.call("GET", &format!("/api/spot-checks/rounds/{first}"), None).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(w.other.call("GET", "/api/spot-checks/rounds", None).await.json()["total"], 0);
        assert_eq!(w.office.call("GET", "/api/spot-checks/rounds", None).await.json()["total"], 5, "{backend}");
    }
}

#[tokio::test]
async fn hazards_become_a_spot_check_ledger_and_the_portal_shows_only_what_is_published() {
    for (backend, store, dir) in common::backends().await {
        let w = world(store, dir).await;
        registry(&w, 5).await;
        let id = new_round(&w, "2026年人防工程专项抽查", 3, 1).await;
        let round = w
            .liaison
            .call("POST", &format!("/api/spot-checks/rounds/{id}/draw"), Some(json!({"seed": "公开种子42"})))
            .await
            .json();
        let items: Vec<i64> = round["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
        let results = format!("/api/spot-checks/rounds/{id}/results");
        let record = |item: i64, hazards: Value| {
            w.liaison.call("POST", &results, Some(json!({"item_id": item, "hazards": hazards})))
        };
        // A deadline before the check is refused.
        let a = record(items[0], json!([{"text": "防护密闭门锈蚀", "deadline": "2026-11-01"}])).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {}", a.text());
        let a = record(items[0], json!([{"text": "防护密闭门锈蚀，启闭困难", "deadline": "2026-12-31"}, {"text": "通风设备未定期维护", "deadline": "2027-01-31"}])).await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
        // The ledger waits for every finding.
        let a = w.office.call("POST", &format!("/api/spot-checks/rounds/{id}/ledger"), None).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {}", a.text());
        record(items[1], json!([])).await;
        let a = record(items[2], json!([{"text": "平时使用改变用途未备案", "deadline": "2026-12-15"}])).await;
        let figures = &a.json()["figures"];
        assert_eq!((&figures["recorded"], &figures["clear"], &figures["hazards"]), (&json!(3), &json!(1), &json!(3)));
        // The list counts them too (it once showed a drawn round as having found nothing).
        let listed = w.liaison.call("GET", "/api/spot-checks/rounds", None).await.json();
        let listed = listed["items"].as_array().unwrap().iter().find(|r| r["id"] == id).cloned().unwrap();
        assert_eq!((&listed["figures"]["drawn"], &listed["figures"]["hazards"]), (&json!(3), &json!(3)), "{backend}");
        let page = send(&w.liaison.app, Request::get("/spot-checks").body(Body::empty()).unwrap()).await.text();
        assert!(page.contains("<td>3个</td>") && page.contains("检查完毕"), "{backend}: {page}");

        // A liaison limited to its own inspection creates no new inspection; the office does, once.
        let a = w.liaison.call("POST", &format!("/api/spot-checks/rounds/{id}/ledger"), None).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {}", a.text());
        // Two clicks at once make one ledger: one answer made it, the other names the same.
        let path = format!("/api/spot-checks/rounds/{id}/ledger");
        let (a, b) = tokio::join!(w.office.call("POST", &path, None), w.office.call("POST", &path, None));
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::CREATED], "{backend}: {} / {}", a.text(), b.text());
        let inspection = a.json()["inspection_id"].as_i64().unwrap();
        assert_eq!(b.json()["inspection_id"], inspection, "{backend}");
        let a = w.office.call("POST", &format!("/api/spot-checks/rounds/{id}/ledger"), None).await;
        assert_eq!(
            (a.status, &a.json()["inspection_id"], &a.json()["created"]),
            (StatusCode::OK, &json!(inspection), &json!(false))
        );
        assert_eq!(actions(&w.store, "spot_round.ledger").await, 1, "{backend}");
        let ledger = w.store.export_ledger(inspection).await.unwrap();
        assert_eq!(ledger.inspection.kind, Some(InspectionKind::SpotCheck), "{backend}");
        assert_eq!(ledger.unit.as_deref(), Some(w.unit.as_str()));
        assert_eq!(ledger.aspects.len(), 1);
        let problems: Vec<_> = ledger.problems().collect();
        assert_eq!(problems.len(), 3, "{backend}");
        assert!(problems.iter().all(|p| p.measures.len() == 1 && p.measures[0].deadline.is_some()));
        assert!(problems[0].title.as_str().contains("防护密闭门锈蚀"), "{}", problems[0].title.as_str());
        // The statistics count it like any ledger, and the office's list shows it live.
        let stats = w.office.call("GET", &format!("/api/inspections/{inspection}/statistics"), None).await.json();
        assert_eq!(
            (&stats["completion"]["denominator"], &stats["statistics"]["measures_total"]),
            (&json!(3), &json!(3)),
            "{backend}: {stats}"
        );
        let list = w.office.call("GET", "/api/inspections?limit=500", None).await.json();
        let row = list["items"].as_array().unwrap().iter().find(|i| i["id"] == inspection).unwrap().clone();
        assert_eq!((&row["draft"], &row["problems"]), (&json!(false), &json!(3)), "{backend}: {row}");
        // Findings are closed once the ledger exists.
        let a = record(items[1], json!([{"text": "补记", "deadline": "2026-12-31"}])).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");

        // 一公开: nothing before publication, the draw and results after, nothing after withdrawal.
        let before = public_get(&w.public, &format!("/public/spot-checks/{id}")).await;
        assert_eq!(before.status, StatusCode::NOT_FOUND, "{backend}");
        assert!(!public_get(&w.public, "/public/spot-checks").await.text().contains("2026年人防工程专项抽查"));
        let a = w.other.call("POST", &format!("/api/spot-checks/rounds/{id}/publish"), Some(json!({}))).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{backend}");
        let a = w.liaison.call("POST", &format!("/api/spot-checks/rounds/{id}/publish"), Some(json!({}))).await;
        assert_eq!((a.status, &a.json()["published"]), (StatusCode::OK, &json!(true)), "{backend}: {}", a.text());
        let shown = public_get(&w.public, &format!("/public/spot-checks/{id}")).await;
        assert_eq!(shown.status, StatusCode::OK, "{backend}");
        let html = shown.text();
        let first_inspector = round["items"][0]["inspectors"][0].as_str().unwrap();
        let first_object = round["items"][0]["object_name"].as_str().unwrap();
        for expected in [
            "公开种子42",
            "2026年11月20日",
            first_inspector,
            first_object,
            "防护密闭门锈蚀",
            "未发现问题",
            "已责令限期整改",
        ] {
            assert!(html.contains(expected), "{backend}: the public page lacks {expected}");
        }
        assert!(!html.contains("证赵一"), "{backend}: certificate numbers are not published");
        assert!(public_get(&w.public, "/public/spot-checks").await.text().contains("2026年人防工程专项抽查"));
        w.office
            .call("POST", &format!("/api/spot-checks/rounds/{id}/publish"), Some(json!({"published": false})))
            .await;
        assert_eq!(public_get(&w.public, &format!("/public/spot-checks/{id}")).await.status, StatusCode::NOT_FOUND);
        assert_eq!(actions(&w.store, "spot_round.publish").await, 1, "{backend}");
        assert_eq!(actions(&w.store, "spot_round.withdraw").await, 1, "{backend}");
        assert_eq!(public_get(&w.public, "/public/spot-checks/abc").await.status, StatusCode::NOT_FOUND);
    }
}

/// 一公开 publishes results: a drawn round whose findings are not all recorded is not published
/// (the API refuses with the reason in Chinese, the page shows the button disabled with it);
/// once every drawn object has its finding it is; withdrawing is always allowed.
#[tokio::test]
async fn a_round_is_published_only_once_every_drawn_object_has_its_result() {
    for (backend, store, dir) in common::backends().await {
        let w = world(store, dir).await;
        registry(&w, 5).await;
        let id = new_round(&w, "2026年结果未齐的一批", 3, 1).await;
        let publish = format!("/api/spot-checks/rounds/{id}/publish");
        let a = w.liaison.call("POST", &publish, Some(json!({}))).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: not drawn: {}", a.text());
        let round = w
            .liaison
            .call("POST", &format!("/api/spot-checks/rounds/{id}/draw"), Some(json!({"seed": "未齐"})))
            .await
            .json();
        let items: Vec<i64> = round["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
        let results = format!("/api/spot-checks/rounds/{id}/results");
        let a = w.liaison.call("POST", &results, Some(json!({"item_id": items[0], "hazards": []}))).await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());

        // Drawn, one of three recorded: refused, with the reason; nothing on the portal.
        let reason = "该批次还有2个抽查对象未记录检查结果，全部记录后才能向社会公开";
        let a = w.liaison.call("POST", &publish, Some(json!({}))).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {}", a.text());
        assert_eq!(a.json()["message_zh"], reason, "{backend}");
        assert_eq!(public_get(&w.public, &format!("/public/spot-checks/{id}")).await.status, StatusCode::NOT_FOUND);
        assert_eq!(actions(&w.store, "spot_round.publish").await, 0, "{backend}");
        let page = format!("/spot-checks/rounds/{id}");
        let html = send(&w.liaison.app, Request::get(&page).body(Body::empty()).unwrap()).await.text();
        assert!(
            html.contains(
                "<button class=\"btn\" type=\"submit\" disabled aria-disabled=\"true\" \
                 aria-describedby=\"publish-blocked\">向社会公开</button>"
            ),
            "{backend}: the button is shown disabled: {html}"
        );
        assert!(html.contains(&format!("<span class=\"hint\" id=\"publish-blocked\">{reason}</span>")), "{backend}");
        // The form, posted anyway, is refused the same way.
        let a = w.liaison.form(&format!("/spot-checks/rounds/{id}/publish"), &[]).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(a.text().contains(reason), "{backend}");
        // Withdrawing is always allowed (here: nothing to withdraw).
        let a = w.liaison.call("POST", &publish, Some(json!({"published": false}))).await;
        assert_eq!((a.status, &a.json()["published"]), (StatusCode::OK, &json!(false)), "{backend}: {}", a.text());

        // Every result in: the button is live and the round is published.
        for item in &items[1..] {
            let a = w.liaison.call("POST", &results, Some(json!({"item_id": item, "hazards": []}))).await;
            assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
        }
        let html = send(&w.liaison.app, Request::get(&page).body(Body::empty()).unwrap()).await.text();
        assert!(!html.contains("publish-blocked") && html.contains("确定向社会公开吗"), "{backend}: {html}");
        let a = w.liaison.call("POST", &publish, Some(json!({}))).await;
        assert_eq!((a.status, &a.json()["published"]), (StatusCode::OK, &json!(true)), "{backend}: {}", a.text());
        assert_eq!(public_get(&w.public, &format!("/public/spot-checks/{id}")).await.status, StatusCode::OK);
        let a = w.liaison.call("POST", &publish, Some(json!({"published": false}))).await;
        assert_eq!((a.status, &a.json()["published"]), (StatusCode::OK, &json!(false)), "{backend}: {}", a.text());
        assert_eq!(public_get(&w.public, &format!("/public/spot-checks/{id}")).await.status, StatusCode::NOT_FOUND);
    }
}
