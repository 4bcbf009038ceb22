//! Evaluation (整改评估): a small made-up round whose overdue measures, relapses, late public
//! feedback and claims sent back are known, counted per unit by the round's grouped queries,
//! scored by the default sheet (worked out by hand below), with the office's sheet and
//! adjustments audited. On SQLite and, when configured, on PostgreSQL.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rectify_domain::evaluation::{Adjustment, Outcomes, Points, ScoreSheet, Tier, Verdict};
use rectify_domain::roles::Role;
use rectify_domain::workflow::Action;
use rectify_domain::{Evidence, Ledger, NonEmptyText};
use rectify_storage::*;
use serde_json::json;

mod common;

use common::backends;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-07-01T02:00:00Z").unwrap().with_timezone(&Utc)
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 7, 1).unwrap()
}

fn acting(role: Role) -> Acting {
    Acting { user_id: None, user_name: format!("{}甲", role.label_zh()), role, address: None }
}

/// Three problems: one open with an overdue and a far measure, two closed with closed measures.
fn ledger(unit: &str, round: &str) -> Ledger {
    let measure = |text: &str, deadline: &str, status: &str| json!({ "text": text, "dates": [], "amounts_wan_yuan": [], "documents": [], "deadline": deadline, "status": status });
    let doc = json!({
        "title": null, "unit": unit, "report_date": "2024-06",
        "inspection": { "inspector": "县委第一巡察组", "start": null, "end": null, "feedback_date": "2023-12", "round": round },
        "claimed": { "aspects": null, "problems": null, "measures": null, "completed": null, "in_progress": null,
                     "completion_rate_percent": null, "rules_made_or_revised": null,
                     "funds_recovered_wan_yuan": null, "accountability": {} },
        "aspects": [{ "number": null, "title": null, "problems": [
            { "number": "1", "title": "针对学习不深入的问题", "status": "in_progress", "measures": [
                measure("制定学习计划。", "2024-05-01", "in_progress"),
                measure("建立长效机制。", "2030-01-01", "in_progress") ] },
            { "number": "2", "title": "针对制度不健全的问题", "status": "completed", "measures": [
                measure("修订制度。", "2024-01", "completed") ] },
            { "number": "3", "title": "针对公车私用的问题", "status": "completed", "measures": [
                measure("清理公车。", "2024-02", "completed") ] }
        ] }],
        "named_documents": [],
        "contacts": { "phones": [], "emails": [], "addresses": [], "postcodes": [] }
    });
    Ledger::from_json(&doc.to_string()).unwrap()
}

fn feedback(unit: &str, inspection: InspectionId) -> NewFeedback {
    NewFeedback {
        unit: unit.to_owned(),
        inspection_id: Some(inspection),
        submitter: Submitter::Anonymous,
        subject: "整改意见".into(),
        body: "建议加快整改进度，及时公开整改结果。".into(),
    }
}

#[tokio::test]
async fn outcomes_scores_sheet_and_adjustments_of_a_small_round() {
    for db in backends().await {
        let store = &db.store;
        let a = store.import_ledger(&ledger("甲局", "县委第一轮巡察")).await.unwrap();
        let b = store.import_ledger(&ledger("乙局", "县委第一轮巡察")).await.unwrap();
        let other = store.import_ledger(&ledger("丙局", "县委第二轮巡察")).await.unwrap();
        let round = store.list_inspections().await.unwrap().iter().find(|s| s.id == a).unwrap().round_id.unwrap();
        let office = acting(Role::InspectionOffice);

        // 甲: look-back finds problem 2 relapsed (reopening it and its measure, due 2024-01) and
        // problem 3 consolidated.
        let problems = store.list_problems(a).await.unwrap();
        let drawn = store.schedule_lookback(a, today(), 10, "评估", &office, now()).await.unwrap();
        for item in &drawn.items {
            let result =
                if item.problem_id == problems[1].id { LookbackResult::Relapsed } else { LookbackResult::Consolidated };
            store.record_lookback_result(item.id, result, "复查", &office, now()).await.unwrap();
        }
        // 甲: three pieces of feedback — one 30 days old and unanswered (late), one a day old
        // (not late yet), one 30 days old and answered.
        let old = now() - Duration::days(30);
        // Only a unit with a published report takes feedback.
        for (unit, inspection) in [("甲局", a), ("丙局", other)] {
            let report = NewPublication {
                inspection_id: inspection,
                unit: unit.into(),
                title: "整改进展情况的通报".into(),
                body_html: "<main></main>".into(),
                body_markdown: String::new(),
            };
            store.publish_report(&report, &acting(Role::LeadingGroup), old - Duration::days(1)).await.unwrap();
        }
        store.submit_feedback(&feedback("甲局", a), old).await.unwrap();
        store.submit_feedback(&feedback("甲局", a), now() - Duration::days(1)).await.unwrap();
        let answered = store.submit_feedback(&feedback("甲局", a), old).await.unwrap();
        store.answer_feedback(answered.id, "已整改。", &acting(Role::UnitLiaison), now()).await.unwrap();
        // Feedback about 丙 (another round) counts nowhere here.
        store.submit_feedback(&feedback("丙局", other), old).await.unwrap();
        // 甲: the far measure is claimed and sent back once; a refused second send-back does not count.
        let far = store
            .list_measures(a, None)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.measure.text.as_str() == "建立长效机制。")
            .unwrap();
        let evidence = Evidence {
            title: NonEmptyText::new("会议纪要").unwrap(),
            kind: None,
            date: None,
            media_type: Some("application/pdf".into()),
            size_bytes: Some(10),
            sha256: Some("ab".repeat(32)),
        };
        let v = store.attach_evidence(far.id, &evidence, &acting(Role::Department), now()).await.unwrap();
        let v = store
            .apply_measure_action(far.id, &acting(Role::Department), Action::Claim, v.version, now())
            .await
            .unwrap();
        let back = Action::SendBack { reason: "材料不全".into() };
        let v = store
            .apply_measure_action(far.id, &acting(Role::LeaderInCharge), back.clone(), v.version, now())
            .await
            .unwrap();
        assert!(
            store.apply_measure_action(far.id, &acting(Role::LeaderInCharge), back, v.version, now()).await.is_err()
        );

        let units = store.round_outcomes(round, today(), now() - Duration::days(15)).await.unwrap();
        assert_eq!(units.iter().map(|u| u.inspection_id).collect::<Vec<_>>(), [a, b], "{:?}", store.backend());
        let expected_a = Outcomes {
            problems: 3,
            closed: 1,
            measures: 4,
            // 制定学习计划 (due 2024-05-01) and the reopened 修订制度 (due 2024-01).
            overdue_measures: 2,
            lookback_checked: 2,
            relapses: 1,
            feedback: 3,
            feedback_answered: 1,
            feedback_unanswered_late: 1,
            sent_back: 1,
        };
        assert_eq!(units[0].outcomes, expected_a, "{:?}", store.backend());
        let expected_b = Outcomes { problems: 3, closed: 2, measures: 4, overdue_measures: 1, ..Outcomes::default() };
        assert_eq!(units[1].outcomes, expected_b);

        // The default sheet, by hand. 甲: 50×1/3 = 16.7, 30×2/4 = 15, 10×1/2 = 5, 10×1/3 = 3.3
        // → 40; −2 overdue, −3 relapse, −1 late feedback, −0.5 sent back → 33.5 (差).
        let sheet = ScoreSheet::default();
        let score_a = sheet.score(&units[0].outcomes);
        assert_eq!(score_a.score, Points::from_tenths(335));
        assert!(!score_a.vetoed_by_rule, "one relapse is below the default veto of two");
        // 乙: 50×2/3 = 33.3, 30×3/4 = 22.5, 10, 10 → 75.8; −1 overdue → 74.8 (一般).
        let score_b = sheet.score(&units[1].outcomes);
        assert_eq!(score_b.score, Points::from_tenths(748));
        assert_eq!(Verdict::new(&sheet, &score_b, Adjustment::default()).tier, Tier::Fair);

        // The office raises 乙 by 6 and vetoes 甲, each with a reason.
        store.add_evaluation_adjustment(b, 60, None, "主动公开整改情况，群众评价好", &office, now()).await.unwrap();
        store.add_evaluation_adjustment(a, 0, Some(true), "整改弄虚作假", &office, now()).await.unwrap();
        store.add_evaluation_adjustment(a, -10, None, "材料报送不及时", &office, now()).await.unwrap();
        let adjustments = store.round_adjustments(round).await.unwrap();
        assert_eq!(adjustments[&b], Adjustment { tenths: 60, veto: false });
        assert_eq!(adjustments[&a], Adjustment { tenths: -10, veto: true }, "a later row without a veto keeps it");
        let raised = Verdict::new(&sheet, &score_b, adjustments[&b]);
        assert_eq!((raised.score, raised.tier), (Points::from_tenths(808), Tier::FairlyGood));
        assert_eq!(Verdict::new(&sheet, &score_a, adjustments[&a]).tier, Tier::Poor);
        assert_eq!(store.evaluation_adjustments(a).await.unwrap().len(), 2);
        assert!(
            store.add_evaluation_adjustment(a, 10, None, "", &office, now()).await.is_err(),
            "a reason is required"
        );

        // The office's sheet replaces the default: a veto from one relapse.
        assert!(store.score_sheet(round).await.unwrap().is_none());
        let mut spec = sheet.spec().clone();
        spec.veto_relapses = Some(1);
        let strict = ScoreSheet::new(spec).unwrap();
        store.set_score_sheet(round, &strict, &office, now()).await.unwrap();
        let stored = store.score_sheet(round).await.unwrap().unwrap();
        assert_eq!(stored.sheet, strict);
        assert!(stored.sheet.score(&units[0].outcomes).vetoed_by_rule);
        assert!(matches!(
            store.set_score_sheet(999_999, &strict, &office, now()).await,
            Err(StorageError::NotFound(_))
        ));

        let audit = |action: &str| AuditFilter { action: Some(action.into()), ..AuditFilter::default() };
        assert_eq!(store.list_audit(&audit("evaluation.adjust"), Page::default()).await.unwrap().len(), 3);
        let sheets = store.list_audit(&audit("evaluation.sheet"), Page::default()).await.unwrap();
        assert_eq!(sheets.len(), 1);
        assert_eq!(sheets[0].target_id.as_deref(), Some(round.to_string().as_str()));
        store.verify_audit().await.unwrap();
        db.finish().await;
    }
}
