//! Editing the ledger over the API, on both databases: create → change → stale version (409
//! with `current_version`), the scope of a unit's liaison, delete before work started and retire
//! after, the audit entry of each change, and the figures that follow at once.

mod common;

use axum::http::StatusCode;
use common::Client;
use rectify_auth::Clock;
use rectify_domain::roles::Role;
use rectify_domain::workflow::Action;
use rectify_server::demo::demo_ledger;
use rectify_server::{AppState, router};
use rectify_storage::{Acting, AuditFilter, Page, RoleGrant, Store};
use serde_json::{Value, json};

struct Fixture {
    store: Store,
    office: Client,
    /// The liaison of the demo unit.
    liaison: Client,
    demo: i64,
}

async fn fixture(store: Store) -> Fixture {
    let clock = common::clock();
    let demo = store.import_ledger(&demo_ledger(clock.now().date_naive())).await.unwrap();
    common::account(&store, "office", RoleGrant::everywhere(Role::InspectionOffice), clock.as_ref()).await;
    let liaison = RoleGrant { inspection_id: Some(demo), ..RoleGrant::everywhere(Role::UnitLiaison) };
    common::account(&store, "liaison", liaison, clock.as_ref()).await;
    let app = router(AppState::new(store.clone()).with_clock(clock));
    Fixture { office: Client::new(&app, "office").await, liaison: Client::new(&app, "liaison").await, store, demo }
}

async fn statistics(client: &Client, inspection: i64) -> Value {
    let a = client.call("GET", &format!("/api/inspections/{inspection}/statistics"), None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    a.json()
}

async fn audited(store: &Store, action: &str, id: i64) -> Vec<rectify_storage::AuditEntry> {
    let filter = AuditFilter { action: Some(action.into()), target_id: Some(id.to_string()), ..Default::default() };
    store.list_audit(&filter, Page::default()).await.unwrap()
}

#[tokio::test]
async fn a_new_inspection_is_built_changed_under_locking_and_counted_on_both_databases() {
    for (backend, store, _dir) in common::backends().await {
        let f = fixture(store).await;
        // The office creates the inspection; it starts as a draft.
        let body = json!({"unit": "某某区测试局", "round": "第九轮巡察", "kind": "常规巡察",
            "inspector": "区委第一巡察组", "start": "2026-03-01", "end": "2026-05-10",
            "feedback_date": "2026-07-01", "feedback_document": "关于巡察某某区测试局党组的反馈意见"});
        let a = f.office.call("POST", "/api/inspections", Some(body)).await;
        assert_eq!(a.status, StatusCode::CREATED, "{backend}: {}", a.text());
        let inspection = a.json()["id"].as_i64().unwrap();
        assert!(a.json()["version"].is_i64());
        let listed = f.office.call("GET", &format!("/api/inspections/{inspection}"), None).await.json();
        assert_eq!(listed["summary"]["draft"], true, "{backend}");
        assert_eq!(listed["ledger"]["inspection"]["round"], "第九轮巡察");
        assert_eq!(listed["ledger"]["inspection"]["feedback_date"], "2026-07-01");
        assert_eq!(audited(&f.store, "inspection.create", inspection).await.len(), 1, "{backend}");

        // Its liaison builds the ledger.
        let grant = RoleGrant { inspection_id: Some(inspection), ..RoleGrant::everywhere(Role::UnitLiaison) };
        common::account(&f.store, "liaison2", grant, &rectify_auth::SystemClock).await;
        let app = router(AppState::new(f.store.clone()).with_clock(common::clock()));
        let liaison = Client::new(&app, "liaison2").await;
        let a = liaison
            .call(
                "POST",
                &format!("/api/inspections/{inspection}/aspects"),
                Some(json!({"number": "一", "title": "政治建设方面"})),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{backend}: {}", a.text());
        let aspect = a.json()["id"].as_i64().unwrap();
        let a = liaison
            .call(
                "POST",
                &format!("/api/aspects/{aspect}/problems"),
                Some(json!({"title": "学习贯彻不够深入", "departments": ["办公室"]})),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{backend}: {}", a.text());
        let (problem, version) = (a.json()["id"].as_i64().unwrap(), a.json()["version"].as_i64().unwrap());

        // A change answers the new version; the old one is refused with the current one.
        let a = liaison
            .call(
                "PATCH",
                &format!("/api/problems/{problem}"),
                Some(json!({"version": version, "title": "理论学习不够深入"})),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
        let new_version = a.json()["version"].as_i64().unwrap();
        assert_eq!(new_version, version + 1);
        let a = liaison
            .call("PATCH", &format!("/api/problems/{problem}"), Some(json!({"version": version, "title": "别的标题"})))
            .await;
        assert_eq!(a.status, StatusCode::CONFLICT, "{backend}: {}", a.text());
        assert_eq!(a.json()["current_version"], new_version);
        let read = liaison.call("GET", &format!("/api/problems/{problem}"), None).await.json();
        assert_eq!(read["problem"]["title"], "理论学习不够深入", "the stale change left no trace");
        assert_eq!(read["problem"]["responsibility"]["departments"], json!(["办公室"]), "untouched fields stay");
        let entries = audited(&f.store, "problem.update", problem).await;
        assert_eq!(entries.len(), 1, "{backend}: one entry for the one change");
        assert!(entries[0].before_json.as_deref().unwrap().contains("学习贯彻不够深入"));
        assert!(entries[0].after_json.as_deref().unwrap().contains("理论学习不够深入"));

        // Validation in Chinese.
        let a = liaison
            .call(
                "POST",
                &format!("/api/problems/{problem}/measures"),
                Some(json!({"text": "建立学习制度", "deadline": "明年"})),
            )
            .await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {}", a.text());
        assert!(a.json()["message_zh"].as_str().unwrap().contains("完成时限"), "{}", a.text());
        let a = liaison
            .call("POST", &format!("/api/problems/{problem}/measures"), Some(json!({"text": "进".repeat(5001)})))
            .await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {}", a.text());
        assert!(a.json()["message_zh"].as_str().unwrap().contains("最多5000字"), "{}", a.text());

        // A draft goes live only when complete.
        let a = liaison.call("POST", &format!("/api/inspections/{inspection}/go-live"), None).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {}", a.text());
        assert!(a.json()["message_zh"].as_str().unwrap().contains("尚无整改措施"), "{}", a.text());
        let measure = json!({"text": "建立理论学习中心组学习制度", "kind": "限期整改", "deadline": "2026-12-31",
            "documents": ["《理论学习中心组学习制度》"]});
        let a = liaison.call("POST", &format!("/api/problems/{problem}/measures"), Some(measure)).await;
        assert_eq!(a.status, StatusCode::CREATED, "{backend}: {}", a.text());
        let measure = a.json()["id"].as_i64().unwrap();
        let read = liaison.call("GET", &format!("/api/measures/{measure}"), None).await.json();
        assert_eq!(read["measure"]["kind"], "time_limited");
        assert_eq!(read["measure"]["deadline"], "2026-12-31");
        let a = liaison.call("POST", &format!("/api/inspections/{inspection}/go-live"), None).await;
        assert_eq!(a.status, StatusCode::NO_CONTENT, "{backend}: {}", a.text());
        let listed = liaison.call("GET", &format!("/api/inspections/{inspection}"), None).await.json();
        assert_eq!(listed["summary"]["draft"], false, "{backend}");
        assert_eq!(listed["summary"]["problems"], 1);
        assert_eq!(listed["summary"]["measures"], 1);
        let stats = statistics(&liaison, inspection).await;
        assert_eq!(stats["completion"]["denominator"], 1, "{backend}: the new problem is counted at once");

        // Scope: the liaison of one unit cannot touch another's ledger, nor create one.
        let a =
            liaison.call("POST", &format!("/api/inspections/{}/aspects", f.demo), Some(json!({"title": "x"}))).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{backend}: {}", a.text());
        let demo_problem = f.store.list_problems(f.demo).await.unwrap()[0].clone();
        let a = liaison
            .call(
                "PATCH",
                &format!("/api/problems/{}", demo_problem.id),
                Some(json!({"version": demo_problem.version, "title": "x"})),
            )
            .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{backend}: {}", a.text());
        let a = liaison.call("POST", "/api/inspections", Some(json!({"unit": "别的单位"}))).await;
        assert!(
            matches!(a.status, StatusCode::FORBIDDEN | StatusCode::UNPROCESSABLE_ENTITY),
            "{backend}: {}",
            a.text()
        );
        // The office reads every ledger but does not edit a unit's.
        let a = f
            .office
            .call("PATCH", &format!("/api/problems/{problem}"), Some(json!({"version": new_version, "title": "x"})))
            .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{backend}: {}", a.text());
    }
}

#[tokio::test]
async fn an_item_is_deleted_before_work_starts_and_only_retired_after() {
    for (backend, store, _dir) in common::backends().await {
        let f = fixture(store).await;
        let before = statistics(&f.liaison, f.demo).await;
        let problems = f.store.list_problems(f.demo).await.unwrap();
        let measures = f.store.list_measures(f.demo, None).await.unwrap();

        // A new measure nobody has worked on can be deleted.
        let problem = &problems[0];
        let a = f
            .liaison
            .call("POST", &format!("/api/problems/{}/measures", problem.id), Some(json!({"text": "补充措施"})))
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{backend}: {}", a.text());
        let fresh = a.json()["id"].as_i64().unwrap();
        let a = f.liaison.call("DELETE", &format!("/api/measures/{fresh}?version=0"), None).await;
        assert_eq!(a.status, StatusCode::NO_CONTENT, "{backend}: {}", a.text());
        assert!(f.store.get_measure(fresh).await.unwrap().is_none());
        assert_eq!(audited(&f.store, "measure.delete", fresh).await.len(), 1);

        // Once work has started it is refused, and retiring needs a reason.
        let started = f
            .liaison
            .call("POST", &format!("/api/problems/{}/measures", problem.id), Some(json!({"text": "另一措施"})))
            .await;
        let started = started.json()["id"].as_i64().unwrap();
        let dept = Acting { user_id: None, user_name: "dept".into(), role: Role::Department, address: None };
        f.store.apply_measure_action(started, &dept, Action::Start, 0, common::start()).await.unwrap();
        let a = f.liaison.call("DELETE", &format!("/api/measures/{started}?version=0"), None).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {}", a.text());
        assert!(a.json()["message_zh"].as_str().unwrap().contains("作废"), "{}", a.text());
        let a = f
            .liaison
            .call("POST", &format!("/api/measures/{started}/retire"), Some(json!({"version": 0, "reason": " "})))
            .await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {}", a.text());
        let a = f
            .liaison
            .call(
                "POST",
                &format!("/api/measures/{started}/retire"),
                Some(json!({"version": 0, "reason": "与第一项措施重复"})),
            )
            .await;
        assert_eq!(a.status, StatusCode::NO_CONTENT, "{backend}: {}", a.text());
        let kept = f.store.get_measure(started).await.unwrap().expect("a retired measure is kept");
        assert_eq!(kept.retired.as_ref().unwrap().reason, "与第一项措施重复");
        let listed =
            f.liaison.call("GET", &format!("/api/inspections/{}/measures?limit=500", f.demo), None).await.json();
        assert_eq!(listed["total"].as_u64().unwrap() as usize, measures.len(), "{backend}: out of the lists");
        let a = f
            .liaison
            .call("PATCH", &format!("/api/measures/{started}"), Some(json!({"version": 1, "text": "改"})))
            .await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: a retired measure stays as it was");
        let a = f
            .liaison
            .call("POST", &format!("/api/measures/{started}/actions"), Some(json!({"action": "resume", "version": 1})))
            .await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: no more work on it: {}", a.text());
        assert!(a.json()["message_zh"].as_str().unwrap().contains("已作废"), "{}", a.text());

        // A started problem (the demo's first is under way) is retired, and leaves the rate.
        let target = problems
            .iter()
            .find(|p| p.problem.status != rectify_domain::Status::Completed)
            .expect("the demo has an open problem");
        let a =
            f.liaison.call("DELETE", &format!("/api/problems/{}?version={}", target.id, target.version), None).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {}", a.text());
        let a = f
            .liaison
            .call(
                "POST",
                &format!("/api/problems/{}/retire", target.id),
                Some(json!({"version": target.version, "reason": "经核实不属于本单位问题"})),
            )
            .await;
        assert_eq!(a.status, StatusCode::NO_CONTENT, "{backend}: {}", a.text());
        assert_eq!(audited(&f.store, "problem.retire", target.id).await.len(), 1);
        let after = statistics(&f.liaison, f.demo).await;
        assert_eq!(
            after["completion"]["denominator"].as_u64().unwrap() + 1,
            before["completion"]["denominator"].as_u64().unwrap(),
            "{backend}: a retired problem is out of the fed-back count"
        );
        assert_eq!(after["completion"]["numerator"], before["completion"]["numerator"]);
        let summary = f.liaison.call("GET", "/api/inspections", None).await.json();
        assert_eq!(summary["items"][0]["problems"].as_u64().unwrap() as usize, problems.len() - 1, "{backend}");
        let retired = f.store.retired_items(f.demo).await.unwrap();
        assert!(retired.iter().any(|r| r.id == target.id), "{backend}: listed as retired");
    }
}

#[tokio::test]
async fn problems_and_measures_are_reordered_and_a_measure_is_split() {
    for (backend, store, _dir) in common::backends().await {
        let f = fixture(store).await;
        let problems = f.store.list_problems(f.demo).await.unwrap();
        let aspect0: Vec<_> = problems.iter().filter(|p| p.aspect_index == 0).collect();
        assert!(aspect0.len() >= 2, "the demo's first aspect has several problems");
        let (first, second) = (aspect0[0], aspect0[1]);
        let a = f
            .liaison
            .call(
                "PATCH",
                &format!("/api/problems/{}", second.id),
                Some(json!({"version": second.version, "position": 0})),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
        let now: Vec<i64> =
            f.store.list_problems(f.demo).await.unwrap().iter().filter(|p| p.aspect_index == 0).map(|p| p.id).collect();
        assert_eq!(&now[..2], &[second.id, first.id], "{backend}");
        assert_eq!(f.store.export_ledger(f.demo).await.unwrap().aspects[0].problems[0].title, second.problem.title);

        let measures = f.store.list_measures(f.demo, Some(first.id)).await.unwrap();
        let m = &measures[0];
        let a = f
            .liaison
            .call(
                "POST",
                &format!("/api/measures/{}/split", m.id),
                Some(json!({"version": m.version, "first": "第一部分", "second": "第二部分"})),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
        let after = f.store.list_measures(f.demo, Some(first.id)).await.unwrap();
        assert_eq!(after.len(), measures.len() + 1);
        assert_eq!(after[0].measure.text.as_str(), "第一部分");
        assert_eq!(after[1].measure.text.as_str(), "第二部分");
        assert_eq!(after[1].measure.responsibility, m.measure.responsibility, "the new half keeps who answers for it");
        if measures.len() > 1 {
            assert_eq!(after[2].id, measures[1].id, "{backend}: the rest move down one place");
        }

        // Merging a duplicate: its measures move over, it is retired, the count drops by one.
        let kept = f.store.get_problem(second.id).await.unwrap().unwrap();
        let gone = f.store.get_problem(first.id).await.unwrap().unwrap();
        let before = statistics(&f.liaison, f.demo).await;
        let (kept_measures, gone_measures) = (kept.measure_count, gone.measure_count);
        let body = json!({"version": kept.version, "duplicate_id": gone.id, "duplicate_version": gone.version});
        let a = f.liaison.call("POST", &format!("/api/problems/{}/merge", kept.id), Some(body)).await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
        let merged = f.store.get_problem(kept.id).await.unwrap().unwrap();
        assert_eq!(merged.measure_count, kept_measures + gone_measures, "{backend}");
        let moved = f.store.list_measures(f.demo, Some(kept.id)).await.unwrap();
        let positions: Vec<usize> = moved.iter().filter(|m| m.retired.is_none()).map(|m| m.position).collect();
        assert_eq!(positions, (0..positions.len()).collect::<Vec<_>>(), "{backend}: numbered one after another");
        assert!(f.store.get_problem(gone.id).await.unwrap().unwrap().retired.unwrap().reason.contains("已合并"));
        let after = statistics(&f.liaison, f.demo).await;
        assert_eq!(
            after["completion"]["denominator"].as_u64().unwrap() + 1,
            before["completion"]["denominator"].as_u64().unwrap(),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn the_pages_edit_the_ledger_and_keep_the_typed_text_on_a_refusal() {
    let (_, store, _dir) = common::backends().await.remove(0);
    let f = fixture(store).await;
    // The office creates an inspection in the browser; it lands on its (draft) ledger.
    let page = f.office.call("GET", "/inspections/new", None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let a = f.office.form("/inspections/new", &[("unit", "某某区新建局"), ("start", "2026-13-01")]).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.text().contains("进驻") || a.text().contains("格式有误"), "{}", a.text());
    assert!(a.text().contains("value=\"某某区新建局\""), "the typed unit is kept");
    let a = f.office.form("/inspections/new", &[("unit", "某某区新建局"), ("round", "第九轮巡察")]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let ledger = f.office.call("GET", &a.location(), None).await;
    assert!(ledger.text().contains("草稿 · 待完善"), "a new ledger is shown as a draft, not as a failure");

    // The demo's liaison edits the demo ledger.
    let page = f.liaison.call("GET", &format!("/inspections/{}/edit", f.demo), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("添加方面"));
    let aspect = f.store.list_aspects(f.demo).await.unwrap()[0].clone();
    let a = f.liaison.form(&format!("/aspects/{}/problems", aspect.id), &[("number", "9"), ("title", " ")]).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.text().contains("请填写问题标题"), "{}", a.text());
    assert!(a.text().contains("value=\"9\""), "the typed number is kept");
    let a = f
        .liaison
        .form(&format!("/aspects/{}/problems", aspect.id), &[("number", "9"), ("title", "新发现的问题")])
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let edit = f.liaison.call("GET", &a.location(), None).await;
    assert_eq!(edit.status, StatusCode::OK, "{}", edit.text());
    assert!(edit.text().contains("新发现的问题") && edit.text().contains("添加整改措施"));
    let problem = f
        .store
        .list_problems(f.demo)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.problem.title.as_str() == "新发现的问题")
        .unwrap();

    // A measure added, then a stale save keeps what was typed and says why.
    let a = f
        .liaison
        .form(
            &format!("/problems/{}/measures", problem.id),
            &[
                ("text", "建立台账"),
                ("kind", "immediate"),
                ("deadline", "2026-12-31"),
                ("departments", "办公室、财务科"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let measure = f.store.list_measures(f.demo, Some(problem.id)).await.unwrap().remove(0);
    assert_eq!(measure.measure.responsibility.departments, ["办公室", "财务科"]);
    let a = f
        .liaison
        .form(&format!("/problems/{}/edit", problem.id), &[("op", "save"), ("version", "0"), ("title", "改过的标题")])
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let a = f
        .liaison
        .form(&format!("/problems/{}/edit", problem.id), &[("op", "save"), ("version", "0"), ("title", "又一次修改")])
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.text());
    assert!(a.text().contains("已被他人修改") && a.text().contains("又一次修改"), "{}", a.text());

    // Retired from the page: struck through on the inspection page.
    let a = f
        .liaison
        .form(
            &format!("/problems/{}/edit", problem.id),
            &[("op", "retire"), ("version", "1"), ("reason", "与第一个问题重复")],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let page = f.liaison.call("GET", &format!("/inspections/{}/edit", f.demo), None).await.text();
    assert!(page.contains("<del>问题：改过的标题</del>") && page.contains("与第一个问题重复"), "{page}");
}

/// Found by the API fuzz (tests/fuzz_api.rs): a measure form without `op` rendered the edit page
/// with an undefined value and answered 500.
#[tokio::test]
async fn a_measure_form_without_an_operation_is_refused_on_the_edit_page() {
    for (backend, store, _dir) in common::backends().await {
        let f = fixture(store).await;
        let measure = f.store.list_measures(f.demo, None).await.unwrap().remove(0);
        let a = f.liaison.form(&format!("/measures/{}/edit", measure.id), &[("version", "0")]).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {}", a.text());
        assert!(a.text().contains("未知的操作"), "{backend}: {}", a.text());
    }
}
