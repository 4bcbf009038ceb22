//! The public portal's storage: published reports and citizens' feedback with receipt codes.
//! Every test runs on SQLite and, when configured, on PostgreSQL.

use std::collections::HashSet;

use chrono::{DateTime, TimeDelta, Utc};
use rectify_domain::Ledger;
use rectify_domain::roles::Role;
use rectify_storage::portal::{
    FeedbackField, FeedbackProblem, FieldIssue, RECEIPT_ALPHABET, RECEIPT_LEN, format_receipt_code,
};
use rectify_storage::*;
use serde_json::json;
use sqlx::Row;

mod common;

use common::backends;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-08-01T09:00:00Z").unwrap().with_timezone(&Utc)
}

const UNIT: &str = "中共示例县样本局党组";

fn liaison() -> Acting {
    Acting {
        user_id: None, user_name: "联络员甲".into(), role: Role::UnitLiaison, address: Some("192.0.2.9".into())
    }
}

fn ledger(unit: &str) -> Ledger {
    let doc = json!({
        "title": "关于巡察整改进展情况的通报", "unit": unit, "report_date": "2024-07",
        "inspection": { "inspector": "县委第一巡察组", "start": null, "end": null, "feedback_date": "2023-12" },
        "claimed": { "aspects": 1, "problems": 1, "measures": null, "completed": null, "in_progress": null,
                     "completion_rate_percent": null, "rules_made_or_revised": null,
                     "funds_recovered_wan_yuan": null, "accountability": {} },
        "aspects": [ { "number": "一", "title": "关于落实主体责任方面", "problems": [
            { "number": "1", "title": "针对学习不深入的问题", "status": "completed",
              "measures": [ { "text": "制定学习计划。", "dates": [], "amounts_wan_yuan": [], "documents": [] } ] }
        ] } ],
        "named_documents": [],
        "contacts": { "phones": [], "emails": [], "addresses": [], "postcodes": [] }
    });
    Ledger::from_json(&doc.to_string()).unwrap()
}

fn publication(inspection_id: InspectionId, title: &str) -> NewPublication {
    NewPublication {
        inspection_id,
        unit: UNIT.into(),
        title: title.into(),
        body_html: format!("<!DOCTYPE html><html><body><main><h1>{title}</h1></main></body></html>"),
        body_markdown: format!("# {title}\n"),
    }
}

fn anonymous(subject: &str) -> NewFeedback {
    NewFeedback {
        unit: UNIT.into(),
        inspection_id: None,
        submitter: Submitter::Anonymous,
        subject: subject.into(),
        body: "建议公开整改台账的完成时限和责任部门。".into(),
    }
}

/// Imports the ledger of `UNIT` and publishes its report: only then does the portal serve the
/// unit and take its feedback (issue 13, finding 2).
async fn open_channel(store: &Store) -> InspectionId {
    let inspection = store.import_ledger(&ledger(UNIT)).await.unwrap();
    store.publish_report(&publication(inspection, "整改进展情况的通报"), &liaison(), now()).await.unwrap();
    inspection
}

async fn audit_actions(store: &Store) -> Vec<(String, Option<String>, String)> {
    let mut entries = store.list_audit(&AuditFilter::default(), Page { offset: 0, limit: 500 }).await.unwrap();
    entries.reverse();
    entries.into_iter().map(|e| (e.action, e.target_id, e.after_json.unwrap_or_default())).collect()
}

#[tokio::test]
async fn reports_are_published_listed_and_withdrawn() {
    for db in backends().await {
        let store = &db.store;
        let inspection = store.import_ledger(&ledger(UNIT)).await.unwrap();
        let other = store.import_ledger(&ledger("中共示例县另一局党组")).await.unwrap();
        assert!(store.list_published(None).await.unwrap().is_empty());

        let first = store.publish_report(&publication(inspection, "第一次通报"), &liaison(), now()).await.unwrap();
        let later = now() + TimeDelta::days(30);
        let second = store.publish_report(&publication(inspection, "第二次通报"), &liaison(), later).await.unwrap();
        let mut elsewhere = publication(other, "另一单位的通报");
        elsewhere.unit = "中共示例县另一局党组".into();
        let third = store.publish_report(&elsewhere, &liaison(), now()).await.unwrap();

        let all = store.list_published(None).await.unwrap();
        assert_eq!(all.iter().map(|p| p.id).collect::<Vec<_>>(), vec![second, third, first], "newest first");
        let mine = store.list_published(Some(UNIT)).await.unwrap();
        assert_eq!(mine.iter().map(|p| p.title.as_str()).collect::<Vec<_>>(), vec!["第二次通报", "第一次通报"]);
        assert_eq!(mine[1].published_at, "2024-08-01T09:00:00.000000Z");

        let got = store.get_published(first).await.unwrap().unwrap();
        assert_eq!(got.summary.inspection_id, Some(inspection));
        assert_eq!(got.body_html, publication(inspection, "第一次通报").body_html);
        assert_eq!(got.body_markdown, "# 第一次通报\n");
        assert!(store.get_published(9999).await.unwrap().is_none());

        assert!(store.withdraw_published(first, &liaison(), later).await.unwrap());
        assert!(!store.withdraw_published(first, &liaison(), later).await.unwrap(), "already withdrawn");
        assert!(matches!(store.withdraw_published(9999, &liaison(), later).await, Err(StorageError::NotFound(_))));
        let mine = store.list_published(Some(UNIT)).await.unwrap();
        assert_eq!(mine.iter().map(|p| p.id).collect::<Vec<_>>(), vec![second]);
        let withdrawn = store.get_published(first).await.unwrap().unwrap();
        assert_eq!(withdrawn.summary.withdrawn_at.as_deref(), Some("2024-08-31T09:00:00.000000Z"));

        // The snapshot outlives its inspection.
        assert!(store.delete_inspection(inspection).await.unwrap());
        let kept = store.get_published(second).await.unwrap().unwrap();
        assert_eq!((kept.summary.inspection_id, kept.summary.title.as_str()), (None, "第二次通报"));

        let actions = audit_actions(store).await;
        let publishing: Vec<_> = actions.iter().filter(|(a, _, _)| a == "report.publish").collect();
        assert_eq!(publishing.len(), 3);
        assert_eq!(publishing[0].1.as_deref(), Some(first.to_string().as_str()));
        assert!(publishing[0].2.contains("第一次通报"), "{}", publishing[0].2);
        assert_eq!(actions.iter().filter(|(a, _, _)| a == "report.withdraw").count(), 1, "only the real withdrawal");
        // Two imports, three publications, one withdrawal and the deletion of the inspection.
        assert_eq!(store.verify_audit().await.unwrap().entries, 7);
        db.finish().await;
    }
}

#[tokio::test]
async fn publishing_needs_an_existing_inspection_and_a_unit() {
    for db in backends().await {
        let store = &db.store;
        let missing = store.publish_report(&publication(42, "无"), &liaison(), now()).await;
        assert!(matches!(missing, Err(StorageError::NotFound(_))), "{missing:?}");
        let inspection = store.import_ledger(&ledger(UNIT)).await.unwrap();
        let mut nameless = publication(inspection, "无单位");
        nameless.unit = "  ".into();
        assert!(matches!(store.publish_report(&nameless, &liaison(), now()).await, Err(StorageError::Invalid(_))));
        assert!(store.list_published(None).await.unwrap().is_empty());
        assert_eq!(
            store.verify_audit().await.unwrap().entries,
            1,
            "only the import: refused publications leave no entry"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn feedback_is_submitted_looked_up_and_answered() {
    for db in backends().await {
        let store = &db.store;
        let inspection = open_channel(store).await;
        assert_eq!(store.portal_units().await.unwrap(), vec![UNIT.to_string()]);

        let mut anon = anonymous("  关于整改时限的建议 ");
        anon.inspection_id = Some(inspection);
        let a = store.submit_feedback(&anon, now()).await.unwrap();
        let real = NewFeedback {
            submitter: Submitter::RealName { name: "王五".into(), contact: "13800000000".into() },
            subject: "食堂问题整改不到位".into(),
            inspection_id: Some(9999),
            ..anonymous("")
        };
        let r = store.submit_feedback(&real, now() + TimeDelta::minutes(5)).await.unwrap();
        assert_ne!(a.code, r.code);
        assert_eq!(a.submitted_at, "2024-08-01T09:00:00.000000Z");

        // Lookup by code, typed loosely; it never shows name or contact.
        let typed = format_receipt_code(&r.code).to_lowercase();
        let seen = store.find_feedback_by_code(&typed).await.unwrap().unwrap();
        assert_eq!(
            (seen.subject.as_str(), seen.status, seen.anonymous),
            ("食堂问题整改不到位", FeedbackStatus::Received, false)
        );
        assert_eq!(seen.answer, None);
        let json = serde_json::to_string(&seen).unwrap();
        assert!(!json.contains("王五") && !json.contains("13800000000"), "{json}");
        assert!(store.find_feedback_by_code("ABCD-EFGH-JKMN").await.unwrap().is_none());
        assert!(store.find_feedback_by_code("not a code").await.unwrap().is_none());

        // The inbox, newest first, by status.
        let inbox = store.list_feedback(UNIT, None).await.unwrap();
        assert_eq!(inbox.iter().map(|f| f.id).collect::<Vec<_>>(), vec![r.id, a.id]);
        assert_eq!(inbox[1].subject, "关于整改时限的建议", "stored trimmed");
        assert_eq!(inbox[1].inspection_id, Some(inspection));
        assert_eq!(inbox[0].inspection_id, None, "an unknown inspection is not linked");
        assert_eq!((inbox[0].name.as_deref(), inbox[0].contact.as_deref()), (Some("王五"), Some("13800000000")));
        assert!(store.list_feedback("别的单位", None).await.unwrap().is_empty());

        assert!(store.mark_feedback_processing(a.id, &liaison(), now()).await.unwrap());
        assert!(!store.mark_feedback_processing(a.id, &liaison(), now()).await.unwrap(), "only from received");
        let processing = store.list_feedback(UNIT, Some(FeedbackStatus::Processing)).await.unwrap();
        assert_eq!(processing.iter().map(|f| f.id).collect::<Vec<_>>(), vec![a.id]);

        let answered_at = now() + TimeDelta::days(3);
        store.answer_feedback(a.id, "  已纳入整改台账，限期完成。 ", &liaison(), answered_at).await.unwrap();
        assert!(matches!(
            store.answer_feedback(a.id, "   ", &liaison(), answered_at).await,
            Err(FeedbackError::EmptyAnswer)
        ));
        let limit = rectify_domain::limits::FEEDBACK_ANSWER;
        assert!(matches!(
            store.answer_feedback(a.id, &"复".repeat(limit.max_chars + 1), &liaison(), answered_at).await,
            Err(FeedbackError::TooLong(e)) if e.limit == limit
        ));
        assert!(matches!(
            store.answer_feedback(9999, "答复", &liaison(), answered_at).await,
            Err(FeedbackError::Storage(StorageError::NotFound(_)))
        ));
        let seen = store.find_feedback_by_code(&a.code).await.unwrap().unwrap();
        assert_eq!(seen.status, FeedbackStatus::Answered);
        assert_eq!(seen.answer.as_deref(), Some("已纳入整改台账，限期完成。"));
        assert_eq!(seen.answered_at.as_deref(), Some("2024-08-04T09:00:00.000000Z"));
        let answered = store.list_feedback(UNIT, Some(FeedbackStatus::Answered)).await.unwrap();
        assert_eq!(answered.len(), 1);
        assert_eq!(store.get_feedback(a.id).await.unwrap().unwrap().status, FeedbackStatus::Answered);

        // Audited: the import, the publication, two submissions, one step to processing, one
        // answer; no code, name or contact.
        let actions = audit_actions(store).await;
        let names: Vec<&str> = actions.iter().map(|(a, _, _)| a.as_str()).collect();
        assert_eq!(
            names,
            [
                "inspection.import",
                "report.publish",
                "feedback.submit",
                "feedback.submit",
                "feedback.processing",
                "feedback.answer"
            ]
        );
        let entries = store.list_audit(&AuditFilter::default(), Page::default()).await.unwrap();
        for e in &entries {
            let text = format!("{e:?}");
            for secret in [a.code.as_str(), r.code.as_str(), "王五", "13800000000"] {
                assert!(!text.contains(secret), "audit entry {} holds {secret}", e.seq);
            }
        }
        let submissions: Vec<_> = entries.iter().filter(|e| e.action == "feedback.submit").collect();
        assert!(submissions.iter().all(|e| e.address.is_none() && e.actor_user_id.is_none()));
        store.verify_audit().await.unwrap();
        db.finish().await;
    }
}

#[tokio::test]
async fn anonymous_rows_hold_no_personal_identifier() {
    for db in backends().await {
        let store = &db.store;
        open_channel(store).await;
        let receipt = store.submit_feedback(&anonymous("匿名反映"), now()).await.unwrap();
        let row = sqlx::query("SELECT anonymous, name, contact, client_hash FROM feedback WHERE id = $1")
            .bind(receipt.id)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(row.try_get::<i64, _>("anonymous").unwrap(), 1);
        for column in ["name", "contact", "client_hash"] {
            assert_eq!(row.try_get::<Option<String>, _>(column).unwrap(), None, "{column}");
        }
        // The database itself refuses an anonymous row that names someone.
        let smuggled = sqlx::query(
            "INSERT INTO feedback (unit, receipt_code, submitted_at, anonymous, name, subject, body) \
             VALUES ($1, 'ZZZZZZZZZZZZ', '2024-08-01T09:00:00.000000Z', 1, '张三', '主题', '内容内容内容内容内容')",
        )
        .bind(UNIT)
        .execute(store.pool())
        .await;
        assert!(smuggled.is_err(), "an anonymous row with a name was stored");
        let hashed = sqlx::query(
            "INSERT INTO feedback (unit, receipt_code, submitted_at, anonymous, client_hash, subject, body) \
             VALUES ($1, 'YYYYYYYYYYYY', '2024-08-01T09:00:00.000000Z', 1, 'abc', '主题', '内容内容内容内容内容')",
        )
        .bind(UNIT)
        .execute(store.pool())
        .await;
        assert!(hashed.is_err(), "an anonymous row with a client hash was stored");
        db.finish().await;
    }
}

#[tokio::test]
async fn receipt_codes_are_unique_and_well_formed() {
    for db in backends().await {
        let store = &db.store;
        open_channel(store).await;
        let mut codes = HashSet::new();
        for i in 0..60 {
            let receipt = store.submit_feedback(&anonymous(&format!("第{i}条")), now()).await.unwrap();
            assert_eq!(receipt.code.len(), RECEIPT_LEN);
            assert!(receipt.code.bytes().all(|b| RECEIPT_ALPHABET.contains(&b)), "{}", receipt.code);
            assert!(codes.insert(receipt.code), "a receipt code repeats");
        }
        let duplicate = sqlx::query(
            "INSERT INTO feedback (unit, receipt_code, submitted_at, anonymous, subject, body) \
             VALUES ($1, $2, '2024-08-01T09:00:00.000000Z', 1, '主题', '内容内容内容内容内容')",
        )
        .bind(UNIT)
        .bind(codes.iter().next().unwrap().clone())
        .execute(store.pool())
        .await;
        assert!(duplicate.is_err(), "the database took a receipt code twice");
        db.finish().await;
    }
}

#[tokio::test]
async fn invalid_or_misdirected_feedback_is_refused() {
    for db in backends().await {
        let store = &db.store;
        let nowhere = store.submit_feedback(&anonymous("主题"), now()).await;
        assert!(matches!(nowhere, Err(FeedbackError::UnknownUnit(ref u)) if u == UNIT), "{nowhere:?}");
        // An imported ledger whose report is not published opens no channel either.
        let inspection = store.import_ledger(&ledger(UNIT)).await.unwrap();
        let unpublished = store.submit_feedback(&anonymous("主题"), now()).await;
        assert!(matches!(unpublished, Err(FeedbackError::UnknownUnit(_))), "{unpublished:?}");
        assert!(!store.is_portal_unit(UNIT).await.unwrap());
        assert!(store.portal_units().await.unwrap().is_empty());
        store.publish_report(&publication(inspection, "整改进展情况的通报"), &liaison(), now()).await.unwrap();
        let invalid = NewFeedback {
            submitter: Submitter::RealName { name: "李四".into(), contact: String::new() },
            body: "太短".into(),
            ..anonymous("主题")
        };
        match store.submit_feedback(&invalid, now()).await {
            Err(FeedbackError::Invalid(problems)) => assert_eq!(
                problems,
                vec![
                    FeedbackProblem { field: FeedbackField::Contact, issue: FieldIssue::Missing },
                    FeedbackProblem { field: FeedbackField::Body, issue: FieldIssue::TooShort { min: 10 } },
                ]
            ),
            other => panic!("expected Invalid, got {other:?}"),
        }
        assert!(store.list_feedback(UNIT, None).await.unwrap().is_empty());
        // Only the import and the publication that set up the test are in the trail: refused
        // feedback leaves no entry.
        assert_eq!(store.verify_audit().await.unwrap().entries, 2);
        db.finish().await;
    }
}

#[tokio::test]
async fn feedback_is_counted_per_unit_and_window() {
    for db in backends().await {
        let store = &db.store;
        open_channel(store).await;
        for minutes in [0, 20, 50] {
            store.submit_feedback(&anonymous("计数"), now() + TimeDelta::minutes(minutes)).await.unwrap();
        }
        assert_eq!(store.count_feedback_since(UNIT, now()).await.unwrap(), 3);
        assert_eq!(store.count_feedback_since(UNIT, now() + TimeDelta::minutes(20)).await.unwrap(), 2, "inclusive");
        assert_eq!(store.count_feedback_since(UNIT, now() + TimeDelta::hours(1)).await.unwrap(), 0);
        assert_eq!(store.count_feedback_since("别的单位", now()).await.unwrap(), 0);
        assert!(store.is_portal_unit(UNIT).await.unwrap());
        assert!(!store.is_portal_unit("别的单位").await.unwrap());
        db.finish().await;
    }
}
