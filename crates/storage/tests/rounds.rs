//! Rounds: imports join the round their ledger names; the office's overview counts each unit's
//! problems, closures, lights and claims, and follows every change of a unit of the round.

use chrono::NaiveDate;
use rectify_domain::Ledger;
use rectify_storage::Page;

mod common;

use common::backends;

fn ledger(round: Option<&str>, unit: &str) -> Ledger {
    let mut ledger = demo_ledger();
    ledger.unit = Some(unit.to_owned());
    ledger.inspection.round = round.map(str::to_owned);
    ledger
}

/// The demo ledger of the server crate, read as JSON (storage does not depend on the server).
fn demo_ledger() -> Ledger {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../server/demo/demo-ledger.json"))
        .expect("the demo ledger is in the repository");
    Ledger::from_json(&text).expect("the demo ledger is valid")
}

#[tokio::test]
async fn imports_join_their_round_and_the_overview_counts_each_unit() {
    let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
    for db in backends().await {
        let store = &db.store;
        let a = store.import_ledger(&ledger(Some("区委第五轮巡察"), "甲局")).await.unwrap();
        let b = store.import_ledger(&ledger(Some("区委第五轮巡察"), "乙局")).await.unwrap();
        let c = store.import_ledger(&ledger(Some("区委第六轮巡察"), "丙局")).await.unwrap();
        store.import_ledger(&ledger(None, "丁局")).await.unwrap();
        let (rounds, total) = store.list_rounds(Page { offset: 0, limit: 50 }).await.unwrap();
        assert_eq!(total, 2, "{:?}", store.backend());
        let fifth = rounds.iter().find(|r| r.name == "区委第五轮巡察").unwrap();
        assert_eq!(fifth.inspections, 2);
        let summaries = store.list_inspections().await.unwrap();
        let round_of = |id: i64| summaries.iter().find(|s| s.id == id).unwrap().round_id;
        assert_eq!(round_of(a), Some(fifth.id));
        assert_eq!(round_of(b), Some(fifth.id));
        assert_ne!(round_of(c), Some(fifth.id));

        let units = store.round_units(fifth.id, today).await.unwrap();
        assert_eq!(units.iter().map(|u| u.inspection_id).collect::<Vec<_>>(), [a, b]);
        let expected = ledger(None, "x");
        let stats = expected.statistics();
        for unit in units.iter() {
            assert_eq!(unit.problems, stats.problems.total);
            assert_eq!(unit.closed, stats.problems.completed);
            assert_eq!(unit.measures as usize, expected.measures().count());
            assert!(unit.last_progress.is_some());
        }
        // The same day and no change: the very same remembered overview.
        let again = store.round_units(fifth.id, today).await.unwrap();
        assert!(std::sync::Arc::ptr_eq(&units, &again));
        // A unit leaving or joining the round is seen at once, not the remembered overview.
        store.delete_inspection(b).await.unwrap();
        let after = store.round_units(fifth.id, today).await.unwrap();
        assert_eq!(after.len(), 1, "a deleted unit leaves the round");
        let d = store.import_ledger(&ledger(Some("区委第五轮巡察"), "戊局")).await.unwrap();
        let joined = store.round_units(fifth.id, today).await.unwrap();
        assert_eq!(joined.iter().map(|u| u.inspection_id).collect::<Vec<_>>(), [a, d]);
        db.finish().await;
    }
}

#[tokio::test]
async fn paging_rounds_past_the_end_is_an_empty_page() {
    for db in backends().await {
        db.store.import_ledger(&ledger(Some("第一轮"), "甲")).await.unwrap();
        let (items, total) = db.store.list_rounds(Page { offset: 1_000_000_000, limit: 500 }).await.unwrap();
        assert!(items.is_empty());
        assert_eq!(total, 1);
        db.finish().await;
    }
}

/// Every round at once (the province's home page) reads the same units as each round alone,
/// and follows a change of one unit like [`Store::round_units`] does.
#[tokio::test]
async fn every_round_at_once_equals_each_round_alone() {
    let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
    for db in backends().await {
        let store = &db.store;
        store.import_ledger(&ledger(Some("区委第五轮巡察"), "甲局")).await.unwrap();
        store.import_ledger(&ledger(Some("区委第五轮巡察"), "乙局")).await.unwrap();
        let c = store.import_ledger(&ledger(Some("区委第六轮巡察"), "丙局")).await.unwrap();
        store.import_ledger(&ledger(None, "丁局")).await.unwrap();
        let check = async || {
            let all = store.rounds_with_units(today).await.unwrap();
            let (rounds, _) = store.list_rounds(Page { offset: 0, limit: 50 }).await.unwrap();
            assert_eq!(all.iter().map(|(r, _)| r.clone()).collect::<Vec<_>>(), rounds, "{:?}", store.backend());
            for (round, units) in &all {
                assert_eq!(**units, *store.round_units(round.id, today).await.unwrap(), "{}", round.name);
                assert_eq!(units.len() as u32, round.inspections);
            }
            all
        };
        let before = check().await;
        // The sixth round's only unit goes: the remembered rows of that round are read again.
        store.delete_inspection(c).await.unwrap();
        let after = check().await;
        let sixth = |all: &Vec<(rectify_storage::RoundSummary, std::sync::Arc<Vec<rectify_storage::RoundUnit>>)>| {
            all.iter().find(|(r, _)| r.name == "区委第六轮巡察").map(|(_, u)| u.len())
        };
        assert_eq!((sixth(&before), sixth(&after)), (Some(1), Some(0)));
        db.finish().await;
    }
}

#[tokio::test]
async fn the_aggregate_report_sums_the_stored_ledgers_of_the_units_kept() {
    let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
    let one = ledger(None, "x").statistics();
    assert!(one.rules_total() > 0 && one.funds_total().fen() > 0, "the demo ledger records outcomes");
    for db in backends().await {
        let store = &db.store;
        let mut audit = ledger(Some("区委第七轮巡察"), "甲局");
        audit.inspection.kind = Some(rectify_domain::InspectionKind::Audit);
        let a = store.import_ledger(&audit).await.unwrap();
        let b = store.import_ledger(&ledger(Some("区委第七轮巡察"), "乙局")).await.unwrap();
        let mut third = ledger(Some("区委第七轮巡察"), "丙局");
        third.inspection.kind = Some(rectify_domain::InspectionKind::Xuncha);
        let c = store.import_ledger(&third).await.unwrap();
        let round = store.list_inspections().await.unwrap().iter().find(|s| s.id == a).unwrap().round_id.unwrap();

        let report = store.round_report(round, today, |_| true).await.unwrap().unwrap();
        assert_eq!(report.name, "区委第七轮巡察");
        assert_eq!(report.as_of, today);
        assert_eq!(report.units.len(), 3, "{:?}", store.backend());
        assert_eq!(report.problems(), 3 * one.problems.total);
        assert_eq!(report.closed(), 3 * one.completion.numerator);
        assert_eq!(report.rules_made, 3 * one.rules_made);
        assert_eq!(report.rules_revised, 3 * one.rules_revised);
        assert_eq!(report.funds_total().fen(), 3 * one.funds_total().fen());
        for (got, want) in report.funds.iter().zip(&one.funds) {
            assert_eq!((got.kind, got.amount.fen()), (want.kind, 3 * want.amount.fen()));
        }
        let persons = |a: &[rectify_domain::stats::AccountabilityTotal]| -> u32 {
            a.iter().map(|t| t.persons + t.person_times).sum()
        };
        assert_eq!(persons(&report.accountability), 3 * persons(&one.accountability));
        let meetings: u32 = report.meetings.iter().map(|m| m.count).sum();
        assert_eq!(meetings, 3 * one.meetings.iter().map(|m| m.count).sum::<u32>());
        let per_unit = report.units.iter().find(|u| u.inspection_id == b).unwrap();
        assert_eq!(per_unit.rules, one.rules_total());
        assert_eq!(per_unit.funds.fen(), one.funds_total().fen());
        // Two of the three say 巡察 (the demo ledger's own kind or the one set), one 审计.
        assert_eq!(report.kind, rectify_domain::InspectionKind::Xuncha);

        // Only the units kept count: the totals are theirs, not the round's.
        let kept = store.round_report(round, today, |u| u.inspection_id == c).await.unwrap().unwrap();
        assert_eq!(kept.units.iter().map(|u| u.inspection_id).collect::<Vec<_>>(), [c]);
        assert_eq!(kept.funds_total().fen(), one.funds_total().fen());
        assert_eq!(kept.rules_made, one.rules_made);

        assert!(store.round_report(round + 1000, today, |_| true).await.unwrap().is_none());
        db.finish().await;
    }
}

fn day(text: &str) -> Option<rectify_domain::PartialDate> {
    Some(text.parse().unwrap())
}

/// A round's record (committee, groups, dates): imports fill what is unknown and never replace
/// what the office entered; the office's edits are checked, versioned and audited; a unit that
/// moves leaves its group, and a merge brings the groups along.
#[tokio::test]
async fn the_round_record_is_filled_by_imports_and_kept_as_the_office_entered_it() {
    use rectify_domain::{InspectionGroup, RoundDetails};
    use rectify_storage::{Acting, AuditFilter, RoundChangeError, RoundEdit};
    let now = chrono::Utc::now();
    for db in backends().await {
        let store = &db.store;
        // The demo ledger names 区委第三巡察组, on site 2023-09-11 to 2023-11-17, fed back 2024-01-16.
        let a = store.import_ledger(&ledger(Some("第五轮"), "甲局")).await.unwrap();
        let (rounds, _) = store.list_rounds(Page { offset: 0, limit: 50 }).await.unwrap();
        let id = rounds[0].id;
        let r = store.round_record(id).await.unwrap().unwrap();
        let d = &r.details;
        assert_eq!((d.start(), d.end(), d.feedback_date()), (day("2023-09-11"), day("2023-11-17"), day("2024-01-16")));
        assert_eq!(d.committee(), None, "no ledger names the committee");
        assert_eq!(d.groups().len(), 1);
        assert_eq!((d.groups()[0].name(), d.groups()[0].units()), ("区委第三巡察组", &[a][..]));
        let filled_version = r.version;
        assert!(filled_version > 0, "filling raises the version");

        // The office enters its own record; an import afterwards only adds its unit to its group.
        let entered = RoundDetails::new(
            Some("区委巡察工作领导小组"),
            day("2023-09-12"),
            None,
            None,
            vec![InspectionGroup::new("区委第三巡察组", Some("张三"), vec![a]).unwrap()],
        )
        .unwrap();
        let office = Acting::system();
        let edit = RoundEdit { version: filled_version, name: None, details: entered.clone() };
        let v = store.update_round(id, &edit, &office, now).await.unwrap();
        assert_eq!(v, filled_version + 1);
        // The same edit again is stale.
        match store.update_round(id, &edit, &office, now).await {
            Err(RoundChangeError::Conflict { current_version }) => assert_eq!(current_version, v),
            other => panic!("expected a conflict, got {other:?}"),
        }
        let mut other = ledger(Some("第五轮"), "乙局");
        other.inspection.start = day("2023-08-01");
        other.inspection.inspector = Some("区委第四巡察组".into());
        let b = store.import_ledger(&other).await.unwrap();
        let c = store.import_ledger(&ledger(Some("第五轮"), "丙局")).await.unwrap();
        let r = store.round_record(id).await.unwrap().unwrap();
        let d = &r.details;
        assert_eq!(d.committee(), Some("区委巡察工作领导小组"));
        assert_eq!(d.start(), day("2023-09-12"), "the entered start stays");
        assert_eq!((d.end(), d.feedback_date()), (day("2023-11-17"), day("2024-01-16")), "what was missing is filled");
        let groups: Vec<(&str, Option<&str>, &[i64])> =
            d.groups().iter().map(|g| (g.name(), g.leader(), g.units())).collect();
        assert_eq!(
            groups,
            [("区委第三巡察组", Some("张三"), &[a, c][..]), ("区委第四巡察组", None, &[b][..])],
            "{:?}",
            store.backend()
        );

        // A group may only list units of the round.
        let stray = store.import_ledger(&ledger(Some("第六轮"), "丁局")).await.unwrap();
        let bad =
            RoundDetails::new(None, None, None, None, vec![InspectionGroup::new("组", None, vec![stray]).unwrap()])
                .unwrap();
        let edit = RoundEdit { version: r.version, name: None, details: bad };
        assert!(
            matches!(store.update_round(id, &edit, &office, now).await, Err(RoundChangeError::NotInRound(x)) if x == stray)
        );
        assert_eq!(store.round_record(id).await.unwrap().unwrap(), r, "nothing half-written");

        // A unit that moves leaves its group; a merge brings the other round's groups along.
        let (rounds, _) = store.list_rounds(Page { offset: 0, limit: 50 }).await.unwrap();
        let sixth = rounds.iter().find(|x| x.name == "第六轮").unwrap().id;
        store.move_inspection_to_round(c, sixth, &office, now).await.unwrap();
        let r = store.round_record(id).await.unwrap().unwrap();
        assert_eq!(r.details.groups()[0].units(), &[a]);
        store.merge_rounds(sixth, id, &office, now).await.unwrap();
        let r = store.round_record(id).await.unwrap().unwrap();
        // 丙局 moved to 第六轮 outside any group; 丁局 came with 第六轮's 区委第三巡察组.
        assert_eq!(r.details.groups()[0].units(), &[a, stray], "the merged round's group joins the same-named one");
        assert_eq!(r.details.start(), day("2023-09-12"));

        let audit = store.list_audit(&AuditFilter::default(), Page { offset: 0, limit: 100 }).await.unwrap();
        let update = audit.iter().find(|e| e.action == "round.update").expect("round.update audited");
        assert!(update.after_json.as_deref().unwrap().contains("区委巡察工作领导小组"));
        let imports: Vec<serde_json::Value> = audit
            .iter()
            .filter(|e| e.action == "inspection.import")
            .map(|e| serde_json::from_str(e.after_json.as_deref().unwrap()).unwrap())
            .collect();
        assert!(imports.iter().any(|after| after["round"]["group"] == "区委第四巡察组"), "{imports:?}");
        db.finish().await;
    }
}
