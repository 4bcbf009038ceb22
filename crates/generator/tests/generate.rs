//! The generator's promises: the same seed gives the same bytes, every ledger is valid, the
//! counts are exact, and the data varies the way a province's ledgers do.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rectify_domain::calendar::CALENDAR;
use rectify_domain::supervision::{Light, light};
use rectify_domain::{Ledger, MeasureKind, Status};
use rectify_generator::{MEASURES_PER_PROBLEM, PROBLEMS_PER_UNIT, PROGRESS_PER_MEASURE, generate, generate_unit};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 18).expect("a real date")
}

fn json(ledger: &Ledger) -> String {
    serde_json::to_string(ledger).expect("a ledger serialises")
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let a: Vec<String> = generate(42, 12, today()).map(|l| json(&l)).collect();
    let b: Vec<String> = generate(42, 12, today()).map(|l| json(&l)).collect();
    assert_eq!(a, b);
    let other: Vec<String> = generate(43, 12, today()).map(|l| json(&l)).collect();
    assert!(a.iter().zip(&other).all(|(x, y)| x != y), "another seed gives other ledgers");
}

#[test]
fn a_unit_does_not_depend_on_how_many_are_generated() {
    let seventh = generate(9, 10, today()).nth(7).expect("ten units");
    assert_eq!(json(&seventh), json(&generate_unit(9, 7, today())));
}

#[test]
fn every_ledger_reads_back_valid_and_equal() {
    let days = [
        today(),
        NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
        NaiveDate::from_ymd_opt(2030, 12, 31).unwrap(),
        NaiveDate::from_ymd_opt(1955, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2195, 12, 31).unwrap(),
    ];
    for (seed, day) in [0u64, 1, 42, 7_777, u64::MAX].into_iter().zip(days) {
        for (i, ledger) in generate(seed, 25, day).enumerate() {
            let text = json(&ledger);
            let back = Ledger::from_json(&text)
                .unwrap_or_else(|e| panic!("seed {seed} unit {i} on {day}: {} at {}", e.message, e.path));
            assert_eq!(back, ledger, "seed {seed} unit {i} reads back equal");
        }
    }
}

#[test]
fn every_unit_has_thirty_problems_of_four_measures_of_five_reports() {
    for ledger in generate(3, 40, today()) {
        assert!((4..=6).contains(&ledger.aspects.len()), "{} aspects", ledger.aspects.len());
        assert_eq!(ledger.problems().count(), PROBLEMS_PER_UNIT);
        for p in ledger.problems() {
            assert_eq!(p.measures.len(), MEASURES_PER_PROBLEM);
            for m in &p.measures {
                assert_eq!(m.progress.len(), PROGRESS_PER_MEASURE);
                assert!(m.deadline.is_some() && m.kind.is_some() && m.status.is_some());
                assert!(m.responsibility.leader.is_some() && !m.responsibility.departments.is_empty());
            }
        }
        let titles: BTreeSet<&str> = ledger.problems().map(|p| p.title.as_str()).collect();
        assert_eq!(titles.len(), PROBLEMS_PER_UNIT, "no problem twice in one unit");
        assert_eq!(ledger.claimed.problems, Some(PROBLEMS_PER_UNIT as u32));
    }
}

#[test]
fn the_data_varies_like_a_province() {
    let ledgers: Vec<Ledger> = generate(2024, 200, today()).collect();
    let units: BTreeSet<&str> = ledgers.iter().filter_map(|l| l.unit.as_deref()).collect();
    assert_eq!(units.len(), ledgers.len(), "every unit has its own name");
    for kind in ["局党组", "委员会党组", "街道工作委员会", "有限公司委员会", "学院委员会", "院委员会"]
    {
        assert!(units.iter().any(|u| u.ends_with(kind)), "some unit ends with {kind}");
    }

    let rounds: BTreeSet<&str> = ledgers.iter().filter_map(|l| l.inspection.round.as_deref()).collect();
    assert!(rounds.len() >= 8, "{rounds:?}");
    let mut kinds = BTreeMap::new();
    for l in &ledgers {
        *kinds.entry(l.inspection.kind.map(|k| k.as_str()).unwrap_or_default()).or_insert(0) += 1;
    }
    assert!(kinds.get("巡察").copied().unwrap_or(0) > ledgers.len() / 2, "{kinds:?}");
    assert!(kinds.len() >= 3, "{kinds:?}");

    let mut statuses = BTreeMap::new();
    for p in ledgers.iter().flat_map(|l| l.problems()) {
        *statuses.entry(p.status).or_insert(0usize) += 1;
    }
    let total: usize = statuses.values().sum();
    for s in [Status::Completed, Status::InProgress, Status::LongTerm, Status::NotStarted, Status::PendingVerification]
    {
        assert!(statuses.contains_key(&s), "some problem is {s:?}: {statuses:?}");
    }
    assert!(statuses[&Status::Completed] * 2 > total, "most problems are completed: {statuses:?}");

    let mut lights = BTreeMap::new();
    let mut measure_kinds = BTreeSet::new();
    for l in &ledgers {
        for m in l.measures() {
            let colour = light(m.status, m.deadline, today(), &l.policy.lights, &CALENDAR);
            *lights.entry(colour).or_insert(0usize) += 1;
            measure_kinds.insert(m.kind.map(MeasureKind::as_str));
        }
    }
    for colour in [Light::Red, Light::Yellow, Light::Green, Light::Grey, Light::None] {
        assert!(lights.contains_key(&colour), "some measure is {colour:?}: {lights:?}");
    }
    assert_eq!(measure_kinds.len(), 3, "{measure_kinds:?}");

    let with = |f: &dyn Fn(&Ledger) -> bool| ledgers.iter().filter(|l| f(l)).count();
    assert!(with(&|l| !l.outcomes.rules.is_empty()) > 150, "most units made rules");
    assert!(with(&|l| !l.outcomes.funds.is_empty()) > 50, "many units dealt with money");
    assert!(with(&|l| !l.outcomes.accountability.is_empty()) > 50, "many units held people to account");
    let evidence: Vec<_> =
        ledgers.iter().flat_map(|l| l.measures()).flat_map(|m| &m.progress).flat_map(|e| &e.evidence).collect();
    assert!(evidence.iter().all(|e| e.sha256.as_ref().is_some_and(|h| h.len() == 64) && e.size_bytes.is_some()));
    assert!(evidence.len() > 200 * 100, "{} pieces of evidence", evidence.len());
}
