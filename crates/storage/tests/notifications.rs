//! Notifications in the store, on both backends: stored once per deduplication key, counted
//! unread per user, marked read only by their owner; the outbound queue's retries and give-up;
//! the measures due by a day.

mod common;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use common::backends;
use rectify_domain::Ledger;
use rectify_domain::roles::Role;
use rectify_storage::{
    Acting, Channel, DeliveryStatus, NewNotification, NewUser, NotificationKind, Outbound, Page, RoleGrant, Store,
};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T01:00:00Z").unwrap().to_utc()
}

async fn user(store: &Store, name: &str) -> i64 {
    let new = NewUser {
        username: name.into(),
        display_name: name.into(),
        password_phc: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into(),
        must_change_password: false,
        roles: vec![RoleGrant::everywhere(Role::UnitLiaison)],
    };
    store.create_user(&new, &Acting::system(), now()).await.unwrap()
}

fn notice(user_id: i64, dedup: Option<&str>, mail: bool) -> NewNotification {
    NewNotification {
        user_id,
        kind: NotificationKind::Deadline,
        title: "【临期】整改时限临近".into(),
        body: "还剩3天".into(),
        link: Some("/measures/1".into()),
        measure_id: None,
        dedup: dedup.map(str::to_owned),
        outbound: if mail {
            vec![Outbound {
                channel: Channel::Mail,
                address: "a@example.test".into(),
                subject: "s".into(),
                body: "b".into(),
            }]
        } else {
            Vec::new()
        },
    }
}

#[tokio::test]
async fn notifications_are_stored_once_per_key_and_read_by_their_owner_only() {
    for db in backends().await {
        let store = &db.store;
        let (a, b) = (user(store, "a").await, user(store, "b").await);
        let batch = [notice(a, Some("deadline:1:2026-11-23"), true), notice(b, Some("deadline:1:2026-11-23"), false)];
        assert_eq!(store.add_notifications(&batch, now()).await.unwrap(), 2);
        // The same keys again (the periodic task runs twice a day): nothing new, no second mail.
        assert_eq!(store.add_notifications(&batch, now()).await.unwrap(), 0);
        assert_eq!(store.add_notifications(&[notice(a, None, false), notice(a, None, false)], now()).await.unwrap(), 2);
        assert_eq!(store.delivery_counts().await.unwrap().pending, 1);

        let (items, total, unread) = store.notifications_for(a, Page { offset: 0, limit: 2 }).await.unwrap();
        assert_eq!((items.len(), total, unread), (2, 3, 3));
        assert!(items[0].id > items[1].id, "newest first");
        let first = items[0].id;
        assert!(!store.mark_notification_read(b, first, now()).await.unwrap(), "b cannot mark a's");
        assert_eq!(store.unread_notifications(a).await.unwrap(), 3);
        assert!(store.mark_notification_read(a, first, now()).await.unwrap());
        assert_eq!(store.unread_notifications(a).await.unwrap(), 2);
        assert_eq!(store.mark_all_notifications_read(a, now()).await.unwrap(), 2);
        assert_eq!(store.unread_notifications(a).await.unwrap(), 0);
        assert_eq!(store.unread_notifications(b).await.unwrap(), 1);
        db.finish().await;
    }
}

#[tokio::test]
async fn deliveries_are_retried_when_due_and_given_up_when_told() {
    for db in backends().await {
        let store = &db.store;
        let out = |subject: &str| Outbound {
            channel: Channel::Webhook,
            address: String::new(),
            subject: subject.into(),
            body: "正文".into(),
        };
        store.queue_deliveries(&[out("一"), out("二")], now()).await.unwrap();
        let due = store.due_deliveries(now(), 10).await.unwrap();
        assert_eq!(due.iter().map(|d| d.subject.as_str()).collect::<Vec<_>>(), ["一", "二"]);
        let later = now() + TimeDelta::minutes(2);
        store.delivery_failed(due[0].id, "接收方应答 HTTP 500", Some(later)).await.unwrap();
        store.delivery_failed(due[1].id, "无法连接", None).await.unwrap();
        assert!(store.due_deliveries(now(), 10).await.unwrap().is_empty(), "the retry is not due yet");
        let again = store.due_deliveries(later, 10).await.unwrap();
        assert_eq!((again.len(), again[0].attempts), (1, 1));
        assert_eq!(again[0].last_error.as_deref(), Some("接收方应答 HTTP 500"));
        store.delivery_sent(again[0].id, later).await.unwrap();
        let counts = store.delivery_counts().await.unwrap();
        assert_eq!((counts.pending, counts.sent, counts.failed), (0, 1, 1));
        let (failed, total) = store.list_deliveries(Some(DeliveryStatus::Failed), Page::default()).await.unwrap();
        assert_eq!((failed.len(), total, failed[0].subject.as_str()), (1, 1, "二"));
        let (all, total) = store.list_deliveries(None, Page::default()).await.unwrap();
        assert_eq!((all.len(), total), (2, 2));
        db.finish().await;
    }
}

#[tokio::test]
async fn the_measures_due_by_a_day_are_the_open_ones_with_an_early_enough_deadline() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../server/demo/demo-ledger.json")).unwrap();
    let ledger = Ledger::from_json(&text).unwrap();
    for db in backends().await {
        let store = &db.store;
        let inspection = store.import_ledger(&ledger).await.unwrap();
        let measures = store.list_measures(inspection, None).await.unwrap();
        let horizon = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
        let due = store.measures_due_by(horizon).await.unwrap();
        for d in &due {
            let record = measures.iter().find(|m| m.id == d.measure_id).unwrap();
            assert_eq!(record.measure.deadline, Some(d.deadline));
            assert!(d.deadline.earliest() <= horizon);
            let state = store.measure_workflow(d.measure_id).await.unwrap().unwrap().state;
            assert!(
                matches!(
                    state,
                    rectify_domain::workflow::MeasureState::NotStarted
                        | rectify_domain::workflow::MeasureState::InProgress
                        | rectify_domain::workflow::MeasureState::BasicallyCompleted
                ),
                "{state:?}"
            );
        }
        // Every open measure with a deadline is due by a far day; none by a day before them all.
        let open_with_deadline = {
            let mut n = 0;
            for m in &measures {
                let state = store.measure_workflow(m.id).await.unwrap().unwrap().state;
                if m.measure.deadline.is_some()
                    && matches!(
                        state,
                        rectify_domain::workflow::MeasureState::NotStarted
                            | rectify_domain::workflow::MeasureState::InProgress
                            | rectify_domain::workflow::MeasureState::BasicallyCompleted
                    )
                {
                    n += 1;
                }
            }
            n
        };
        assert!(open_with_deadline > 0);
        assert_eq!(due.len(), open_with_deadline);
        assert!(store.measures_due_by(NaiveDate::from_ymd_opt(1990, 1, 1).unwrap()).await.unwrap().is_empty());
        db.finish().await;
    }
}

#[tokio::test]
async fn old_notifications_and_finished_deliveries_are_pruned() {
    for db in backends().await {
        let store = &db.store;
        let a = user(store, "a").await;
        let old = now() - TimeDelta::days(400);
        let month_ago = now() - TimeDelta::days(30);
        // Unread from long ago, read a month ago, unread a month ago, and today's.
        store.add_notifications(&[notice(a, Some("1"), true)], old).await.unwrap();
        store.add_notifications(&[notice(a, Some("2"), false), notice(a, Some("3"), false)], month_ago).await.unwrap();
        let (items, _, _) = store.notifications_for(a, Page::default()).await.unwrap();
        let second =
            items.iter().find(|n| n.created_at.starts_with(&month_ago.format("%Y-%m-%d").to_string())).unwrap().id;
        store.mark_notification_read(a, second, month_ago).await.unwrap();
        store.add_notifications(&[notice(a, Some("4"), true)], now()).await.unwrap();
        let old_mail = store.due_deliveries(now(), 10).await.unwrap();
        store.delivery_sent(old_mail[0].id, old).await.unwrap();

        let deleted =
            store.prune_notifications(now() - TimeDelta::days(7), now() - TimeDelta::days(365)).await.unwrap();
        assert_eq!(deleted, 2, "the year-old one and the one read a month ago");
        let (items, total, unread) = store.notifications_for(a, Page::default()).await.unwrap();
        assert_eq!((total, unread), (2, 2));
        assert!(items.iter().all(|n| n.read_at.is_none()));
        let counts = store.delivery_counts().await.unwrap();
        assert_eq!((counts.pending, counts.sent), (1, 0), "today's mail waits; the old sent one is gone");
        db.finish().await;
    }
}
