//! The built-in demo ledger: valid, large enough, covering every status and kind, and
//! consistent with the figures it claims.

use chrono::{Datelike, NaiveDate};
use rectify_domain::{Counting, Ledger, MeasureKind, PartialDate, Status};
use rectify_server::demo::{DEMO_LEDGER_JSON, demo_ledger};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Days the demo may run on: the anchor month itself, and dates before and long after it.
fn todays() -> Vec<NaiveDate> {
    vec![day(2024, 7, 1), day(2024, 7, 31), day(2026, 11, 23), day(2027, 2, 28), day(2031, 12, 31), day(2023, 3, 15)]
}

fn open(m: &rectify_domain::Measure) -> bool {
    matches!(m.status, Some(Status::InProgress | Status::NotStarted | Status::Extended | Status::BasicallyCompleted))
}

#[test]
fn embedded_json_parses_and_has_every_key() {
    let ledger = Ledger::from_json(DEMO_LEDGER_JSON).unwrap();
    assert_eq!(ledger.report_date, Some("2024-07-01".parse().unwrap()), "the anchor is the report date");
    // Every key is present in the file: writing it back gives the same keys.
    let stored: serde_json::Value = serde_json::from_str(DEMO_LEDGER_JSON).unwrap();
    let written = serde_json::to_value(&ledger).unwrap();
    fn keys(v: &serde_json::Value, path: &str, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    let p = format!("{path}.{k}");
                    out.push(p.clone());
                    if k != "accountability" || !path.ends_with("claimed") {
                        keys(x, &p, out);
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| keys(x, &format!("{path}[]"), out)),
            _ => {}
        }
    }
    let (mut a, mut b) = (Vec::new(), Vec::new());
    keys(&stored, "", &mut a);
    keys(&written, "", &mut b);
    a.sort();
    a.dedup();
    b.sort();
    b.dedup();
    assert_eq!(a, b);
}

#[test]
fn large_enough_for_a_realistic_demo() {
    let ledger = demo_ledger(day(2026, 11, 23));
    assert!(ledger.aspects.len() >= 4);
    assert!(ledger.problems().count() >= 20);
    assert!(ledger.measures().count() >= 80);
    assert!(ledger.problems().all(|p| !p.measures.is_empty() && !p.responsibility.is_empty()));
    assert!(ledger.measures().all(|m| m.deadline.is_some() && m.kind.is_some() && m.status.is_some()));
    assert!(ledger.problems().filter(|p| !p.disclosure.is_public()).count() >= 1);
    assert!(!ledger.organisation.former_names.is_empty());
    assert!(ledger.organisation.leading_group.iter().any(|m| m.role.as_str() == "组长"));
    assert!(!ledger.organisation.work_team.is_empty());
    let c = &ledger.contacts;
    assert!(!c.phones.is_empty() && !c.emails.is_empty() && !c.addresses.is_empty() && !c.postcodes.is_empty());
    assert!(c.emails.iter().all(|e| e.ends_with("@example.org")), "contacts must be fictional");
    assert!(c.phones.iter().all(|p| p.starts_with("0000-")), "contacts must be fictional");
}

#[test]
fn every_status_and_kind_occurs() {
    let ledger = demo_ledger(day(2026, 11, 23));
    for status in Status::ALL.into_iter().filter(|s| *s != Status::Unknown) {
        assert!(ledger.problems().any(|p| p.status == status), "no problem is {status:?}");
        assert!(ledger.measures().any(|m| m.status == Some(status)), "no measure is {status:?}");
    }
    for kind in [MeasureKind::Immediate, MeasureKind::TimeLimited, MeasureKind::LongTerm] {
        assert!(ledger.measures().any(|m| m.kind == Some(kind)), "no measure is {kind:?}");
    }
}

#[test]
fn deadlines_are_overdue_due_now_and_later_whenever_the_demo_runs() {
    for today in todays() {
        let ledger = demo_ledger(today);
        let overdue = ledger
            .measures()
            .filter(|m| open(m) && m.status != Some(Status::Extended))
            .filter(|m| m.deadline.is_some_and(|d| d.latest() < today))
            .count();
        assert!(overdue >= 3, "{today}: only {overdue} overdue measures");
        let later = ledger.measures().filter(|m| open(m) && m.deadline.is_some_and(|d| d.earliest() > today)).count();
        assert!(later >= 3, "{today}: only {later} measures due later");
        let this_month = ledger
            .measures()
            .filter(|m| open(m) && m.deadline.is_some_and(|d| d.earliest() <= today && today <= d.latest()))
            .count();
        assert!(this_month >= 1, "{today}: nothing due this month");
        // Nothing has been reported from the future.
        // The report date lands in the month of `today`, never after it.
        let report = ledger.report_date.unwrap().latest();
        assert!(report <= today && (report.year(), report.month()) == (today.year(), today.month()));
        for m in ledger.measures() {
            for e in &m.progress {
                assert!(e.date.latest() <= report, "{today}: progress on {} after the report date", e.date);
            }
        }
    }
}

#[test]
fn shifting_keeps_the_ledger_valid() {
    for today in todays() {
        let ledger = demo_ledger(today);
        ledger.check().unwrap_or_else(|e| panic!("{today}: {e}"));
        let fb = ledger.inspection.feedback_date.unwrap();
        assert!(ledger.measures().all(|m| m.deadline.unwrap().latest() >= fb.earliest()));
        // And it survives a JSON round trip, as an import would do.
        let json = serde_json::to_string(&ledger).unwrap();
        assert_eq!(Ledger::from_json(&json).unwrap(), ledger);
    }
}

#[test]
fn prose_dates_move_with_the_structured_dates() {
    let base = demo_ledger(day(2024, 7, 1));
    let later = demo_ledger(day(2025, 8, 9)); // 13 months later
    let texts = |l: &Ledger| l.measures().map(|m| (m.text.to_string(), m.dates.clone())).collect::<Vec<_>>();
    let mut dated = 0;
    for ((t0, d0), (t1, d1)) in texts(&base).into_iter().zip(texts(&later)) {
        assert_eq!(d0.len(), d1.len());
        for (a, b) in d0.iter().zip(&d1) {
            dated += 1;
            assert!(t0.contains(&a.to_chinese()), "{t0} should mention {}", a.to_chinese());
            assert!(t1.contains(&b.to_chinese()), "{t1} should mention {}", b.to_chinese());
            assert_eq!(b.earliest().month0(), (a.earliest().month0() + 13) % 12);
        }
    }
    assert!(dated >= 5, "the demo should write some dates in its measures");
    assert_eq!(later.report_date, Some(PartialDate::day(2025, 8, 1).unwrap()));
}

#[test]
fn claimed_figures_agree_with_the_data() {
    let ledger = demo_ledger(day(2026, 11, 23));
    let stats = ledger.statistics();
    let c = &ledger.claimed;
    assert_eq!(c.aspects, Some(stats.aspects));
    assert_eq!(c.problems, Some(stats.problems.total));
    assert_eq!(c.measures, Some(stats.measures_total));
    assert_eq!(c.completed, Some(stats.problems.completed));
    assert_eq!(c.in_progress, Some(stats.problems.still_in_progress()));
    let rate = stats.completion_percent(ledger.policy.rate_decimals).unwrap();
    assert_eq!(c.completion_rate_percent.map(|r| format!("{r:.2}")), Some(rate));
    assert_eq!(c.rules_made_or_revised, Some(stats.rules_total()));
    assert!(stats.rules_made > 0 && stats.rules_revised > 0);
    assert_eq!(c.funds_recovered_wan_yuan, Some(stats.funds_total()));
    assert!(stats.funds.iter().all(|f| f.amount.fen() > 0), "every fund kind has money");
    // The claimed tally counts people; the person-times kind stays out of it.
    let persons: Vec<(String, u32)> =
        stats.accountability.iter().filter(|a| a.persons > 0).map(|a| (a.kind.clone(), a.persons)).collect();
    assert_eq!(c.accountability.0, persons);
    assert!(ledger.outcomes.accountability.iter().any(|a| a.counting == Counting::PersonTimes));
    for kind in ["专题会议", "专题民主生活会", "调度会", "党组会"] {
        assert!(stats.meetings.iter().any(|m| m.kind == kind), "no {kind}");
    }
    // Every fund sits on a measure that names the amount.
    for f in &ledger.outcomes.funds {
        let m = ledger.measure(f.measure.unwrap()).unwrap();
        assert!(m.amounts_wan_yuan.contains(&f.amount_wan_yuan));
        assert!(m.text.contains(&f.amount_wan_yuan.to_string()), "{} lacks {}", m.text, f.amount_wan_yuan);
    }
    // Every rule made or revised is named in its measure and among the named documents.
    for r in &ledger.outcomes.rules {
        let m = ledger.measure(r.measure.unwrap()).unwrap();
        assert!(m.documents.iter().any(|d| d == r.title.as_str()));
        assert!(ledger.named_documents.iter().any(|d| d == r.title.as_str()));
    }
}
