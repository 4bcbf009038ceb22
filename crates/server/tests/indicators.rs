//! Unit indicators on both databases: the unit's liaison adds an indicator and dated readings
//! (validated, audited, only within its unit); the API, the dashboard and the unit's report
//! show the change from the baseline.

mod common;

use axum::http::StatusCode;
use common::Client;
use rectify_auth::Clock;
use rectify_domain::roles::Role;
use rectify_server::demo::demo_ledger;
use rectify_server::{AppState, router};
use rectify_storage::{AuditFilter, Page, RoleGrant};
use serde_json::{Value, json};

#[tokio::test]
async fn a_liaison_tracks_an_indicator_that_the_dashboard_and_the_report_show() {
    for (backend, store, _dir) in common::backends().await {
        let clock = common::clock();
        let today = clock.now().date_naive();
        let demo = store.import_ledger(&demo_ledger(today)).await.unwrap();
        let mut other_ledger = demo_ledger(today);
        other_ledger.unit = Some("某某区另一局".into());
        let other = store.import_ledger(&other_ledger).await.unwrap();
        common::account(&store, "office", RoleGrant::everywhere(Role::InspectionOffice), clock.as_ref()).await;
        common::account(
            &store,
            "liaison",
            RoleGrant { inspection_id: Some(demo), ..RoleGrant::everywhere(Role::UnitLiaison) },
            clock.as_ref(),
        )
        .await;
        let app = router(AppState::new(store.clone()).with_clock(clock.clone()));
        let (office, liaison) = (Client::new(&app, "office").await, Client::new(&app, "liaison").await);

        let path = format!("/api/inspections/{demo}/indicators");
        let good = json!({"name": "一网通办 全程网办率", "unit_of_measure": "%", "baseline": 70, "target": "90"});
        // Validation, in Chinese.
        for (body, words) in [
            (json!({"name": " ", "unit_of_measure": "%", "baseline": 70}), "请填写指标名称"),
            (json!({"name": "率", "unit_of_measure": "%", "baseline": "七十"}), "不是有效的数值"),
            (json!({"name": "率", "unit_of_measure": "%", "baseline": "1.23456"}), "最多四位小数"),
            (
                json!({"name": "率", "unit_of_measure": "一二三四五六七八九十一", "baseline": 1}),
                "计量单位不能超过10个字",
            ),
            (json!({"name": "率".repeat(61), "unit_of_measure": "%", "baseline": 1}), "指标名称不能超过60个字"),
        ] {
            let a = liaison.call("POST", &path, Some(body)).await;
            assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {}", a.text());
            assert!(a.json()["message_zh"].as_str().unwrap_or_default().contains(words), "{backend}: {}", a.text());
        }
        // Only the unit's liaison keeps its indicators.
        assert_eq!(office.call("POST", &path, Some(good.clone())).await.status, StatusCode::FORBIDDEN);
        let elsewhere = liaison.call("POST", &format!("/api/inspections/{other}/indicators"), Some(good.clone())).await;
        assert_eq!(elsewhere.status, StatusCode::FORBIDDEN, "{backend}: {}", elsewhere.text());

        let a = liaison.call("POST", &path, Some(good.clone())).await;
        assert_eq!(a.status, StatusCode::CREATED, "{backend}: {}", a.text());
        let created = a.json();
        let id = created["id"].as_i64().unwrap();
        assert_eq!((created["baseline"].as_str(), created["target"].as_str()), (Some("70"), Some("90")));
        assert_eq!(created["change"], Value::Null);

        let readings = format!("/api/indicators/{id}/readings");
        let tomorrow = (today + chrono::Days::new(1)).to_string();
        for (body, words) in [
            (json!({"date": tomorrow, "value": 80}), "不能晚于今天"),
            (json!({"date": "2026-02-30", "value": 80}), "日期“2026-02-30”无效"),
            (json!({"date": "2026-11-01", "value": "abc"}), "不是有效的数值"),
            (json!({"date": "2026-11-01", "value": 80, "note": "字".repeat(501)}), "说明不能超过500个字"),
        ] {
            let a = liaison.call("POST", &readings, Some(body)).await;
            assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {}", a.text());
            assert!(a.json()["message_zh"].as_str().unwrap_or_default().contains(words), "{backend}: {}", a.text());
        }
        assert_eq!(
            liaison
                .call("POST", "/api/indicators/999999/readings", Some(json!({"date": "2026-11-01", "value": 1})))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            office.call("POST", &readings, Some(json!({"date": "2026-11-01", "value": 1}))).await.status,
            StatusCode::FORBIDDEN
        );

        // Two readings, given out of order: the latest by date counts.
        let a = liaison
            .call("POST", &readings, Some(json!({"date": "2026-11-20", "value": "85.71", "note": "11月统计"})))
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{backend}: {}", a.text());
        let a = liaison.call("POST", &readings, Some(json!({"date": "2026-09-30", "value": 78.5}))).await;
        assert_eq!(a.status, StatusCode::CREATED, "{backend}: {}", a.text());

        // Read by the office over the API.
        let list = office.call("GET", &path, None).await;
        assert_eq!(list.status, StatusCode::OK, "{backend}: {}", list.text());
        let list = list.json();
        assert_eq!(list["total"], 1);
        let item = &list["items"][0];
        assert_eq!(item["latest"], "85.71");
        assert_eq!(item["change"], "+15.71个百分点");
        let dates: Vec<&str> =
            item["readings"].as_array().unwrap().iter().map(|r| r["date"].as_str().unwrap()).collect();
        assert_eq!(dates, ["2026-09-30", "2026-11-20"]);
        assert_eq!(item["readings"][1]["note"], "11月统计");
        assert_eq!(office.call("GET", &format!("/api/inspections/{other}/indicators"), None).await.json()["total"], 0);

        // The browser: the dashboard shows the change; its forms add indicators and readings.
        let page = liaison.call("GET", &format!("/inspections/{demo}/dashboard"), None).await.text();
        assert!(
            page.contains("一网通办 全程网办率") && page.contains("+15.71个百分点") && page.contains("85.71%"),
            "{page}"
        );
        assert!(page.contains("2026年11月20日") && page.contains("添加指标"), "{page}");
        let office_page = office.call("GET", &format!("/inspections/{demo}/dashboard"), None).await.text();
        assert!(office_page.contains("+15.71个百分点") && !office_page.contains("添加指标"));
        let a = liaison
            .form(
                &format!("/inspections/{demo}/indicators"),
                &[("name", "制度建设"), ("unit_of_measure", "项"), ("baseline", "3"), ("target", "")],
            )
            .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{backend}: {}", a.text());
        let second = office.call("GET", &path, None).await.json()["items"][1]["id"].as_i64().unwrap();
        let a = liaison
            .form(&format!("/indicators/{second}/readings"), &[("date", "2026-11-22"), ("value", "5"), ("note", "")])
            .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{backend}: {}", a.text());
        assert_eq!(a.location(), format!("/inspections/{demo}/dashboard#indicators"));
        let a = liaison.form(&format!("/indicators/{second}/readings"), &[("date", "x"), ("value", "5")]).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(office.call("GET", &path, None).await.json()["items"][1]["change"], "+2项");

        // The unit's report tells each indicator in a sentence.
        let report = office.call("GET", &format!("/inspections/{demo}/export/report.md"), None).await;
        assert_eq!(report.status, StatusCode::OK, "{backend}: {}", report.text());
        let report = report.text();
        assert!(
            report.contains("“一网通办 全程网办率”由整改前的70%提升至85.71%（截至2026年11月20日），目标90%。"),
            "{report}"
        );
        assert!(report.contains("“制度建设”由整改前的3项提升至5项（截至2026年11月22日）。"), "{report}");

        let entries = store.list_audit(&AuditFilter::default(), Page { offset: 0, limit: 200 }).await.unwrap();
        let count = |action: &str| entries.iter().filter(|e| e.action == action && e.actor_name == "liaison").count();
        assert_eq!((count("indicator.create"), count("indicator.reading")), (2, 3), "{backend}");
    }
}
