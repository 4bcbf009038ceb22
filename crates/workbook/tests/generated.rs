//! Property test: every generated ledger survives the workbook round trip.

use chrono::NaiveDate;
use proptest::prelude::*;
use rectify_domain::*;
use rectify_workbook::{ImportOptions, read_ledger_xlsx, write_ledger_xlsx};

fn text() -> impl Strategy<Value = String> {
    "[甲乙丙丁戊己庚辛壬癸子丑寅卯]{1,6}"
}

fn nonempty() -> impl Strategy<Value = NonEmptyText> {
    text().prop_map(|t| NonEmptyText::new(t).unwrap())
}

fn date() -> impl Strategy<Value = PartialDate> {
    prop_oneof![
        (2000i32..2030).prop_map(|y| PartialDate::year(y).unwrap()),
        (2000i32..2030, 1u32..=12).prop_map(|(y, m)| PartialDate::month(y, m).unwrap()),
        (2000i32..2030, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| PartialDate::day(y, m, d).unwrap()),
    ]
}

fn amount() -> impl Strategy<Value = WanYuan> {
    "[0-9]{1,4}(\\.[0-9]{1,4})?".prop_map(|s| WanYuan::parse_wan_yuan(&s).unwrap())
}

fn status() -> impl Strategy<Value = Status> {
    prop::sample::select(Status::ALL.to_vec())
}

fn responsibility() -> impl Strategy<Value = Responsibility> {
    (prop::option::of(text()), prop::option::of(text()), prop::collection::vec(text(), 0..3), prop::option::of(text()))
        .prop_map(|(first_responsible, leader, departments, liaison)| Responsibility {
            first_responsible,
            leader,
            departments,
            liaison,
        })
}

fn evidence() -> impl Strategy<Value = Evidence> {
    (
        nonempty(),
        prop::option::of(text()),
        prop::option::of(date()),
        prop::option::of(text()),
        prop::option::of(0u64..u64::MAX),
        prop::option::of("[0-9a-f]{8}"),
    )
        .prop_map(|(title, kind, date, media_type, size_bytes, sha256)| Evidence {
            title,
            kind,
            date,
            media_type,
            size_bytes,
            sha256,
        })
}

fn measure() -> impl Strategy<Value = Measure> {
    let progress = (date(), nonempty(), prop::collection::vec(evidence(), 0..2))
        .prop_map(|(date, text, evidence)| ProgressEntry { date, text, evidence });
    (
        nonempty(),
        prop::collection::vec(date(), 0..3),
        prop::collection::vec(amount(), 0..3),
        prop::collection::vec(text().prop_map(|t| format!("《{t}》")), 0..2),
        prop::option::of(prop::sample::select(vec![
            MeasureKind::Immediate,
            MeasureKind::TimeLimited,
            MeasureKind::LongTerm,
        ])),
        prop::option::of(date()),
        prop::option::of(status()),
        responsibility(),
        prop::collection::vec(progress, 0..3),
        prop::collection::vec(evidence(), 0..2),
    )
        .prop_map(
            |(text, dates, amounts_wan_yuan, documents, kind, deadline, status, responsibility, progress, evidence)| {
                Measure {
                    text,
                    dates,
                    amounts_wan_yuan,
                    documents,
                    kind,
                    deadline,
                    status,
                    responsibility,
                    progress,
                    evidence,
                }
            },
        )
}

fn problem() -> impl Strategy<Value = Problem> {
    (
        prop::option::of("[0-9一二三]{1,2}"),
        nonempty(),
        status(),
        prop::collection::vec(measure(), 0..3),
        prop::option::of(text()),
        prop::option::of(prop::sample::select(vec![ProblemScope::General, ProblemScope::Specific])),
        prop::option::of(text()),
        prop::sample::select(vec![
            Disclosure::Public,
            Disclosure::WithheldSecret,
            Disclosure::WithheldPendingCase,
            Disclosure::WithheldOther,
        ]),
        responsibility(),
    )
        .prop_map(|(number, title, status, measures, category, scope, description, disclosure, responsibility)| {
            Problem { number, title, status, measures, category, scope, description, disclosure, responsibility }
        })
}

fn aspect() -> impl Strategy<Value = Aspect> {
    (prop::option::of("[一二三四]"), prop::option::of(text()), prop::collection::vec(problem(), 0..4))
        .prop_map(|(number, title, problems)| Aspect { number, title, problems })
}

/// Outcomes whose references point into the generated aspects (picked by index seeds).
fn with_outcomes(mut ledger: Ledger, seeds: Vec<(usize, usize, u32, bool)>) -> Ledger {
    let problems: Vec<ProblemRef> = ledger
        .aspects
        .iter()
        .enumerate()
        .flat_map(|(a, x)| (0..x.problems.len()).map(move |p| ProblemRef { aspect: a, problem: p }))
        .collect();
    let measures: Vec<MeasureRef> = problems
        .iter()
        .flat_map(|r| {
            let n = ledger.problem(*r).map_or(0, |p| p.measures.len());
            (0..n).map(move |m| MeasureRef { aspect: r.aspect, problem: r.problem, measure: m })
        })
        .collect();
    for (i, (a, b, n, flag)) in seeds.into_iter().enumerate() {
        let p = (!problems.is_empty() && flag).then(|| problems[a % problems.len()]);
        let m = (!measures.is_empty() && flag).then(|| measures[b % measures.len()]);
        let name = NonEmptyText::new(format!("事项{i}")).unwrap();
        let o = &mut ledger.outcomes;
        match i % 4 {
            0 => o.rules.push(Rule {
                title: DocumentTitle::new(&format!("制度{i}")).unwrap(),
                action: if flag { RuleAction::Made } else { RuleAction::Revised },
                date: None,
                measure: m,
            }),
            1 => o.funds.push(Fund {
                kind: FundKind::ALL[a % 3],
                amount_wan_yuan: WanYuan::parse_wan_yuan(&format!("{n}.{b}")).unwrap(),
                date: Some(PartialDate::month(2023, 1 + (b % 12) as u32).unwrap()),
                measure: m,
                note: flag.then(|| "说明".to_string()),
            }),
            2 => o.accountability.push(Accountability {
                kind: name,
                count: n,
                counting: if flag { Counting::Persons } else { Counting::PersonTimes },
                persons: vec!["某甲".into(); b % 3],
                date: None,
                problem: p,
            }),
            _ => o.meetings.push(Meeting {
                kind: name,
                date: Some(PartialDate::day(2023, 5, 1 + (a % 28) as u32).unwrap()),
                title: flag.then(|| "专题会".to_string()),
                decisions: vec!["决定".into(); a % 3],
                problems: p.into_iter().chain(problems.first().copied().filter(|_| b % 2 == 0)).collect(),
            }),
        }
    }
    ledger
}

fn ledger() -> impl Strategy<Value = Ledger> {
    let header = (
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::of(date()),
        prop::option::of(text()),
        prop::option::of(date()),
        prop::option::of(date()),
        prop::option::of(0u32..500),
        prop::option::of(0.0f64..100.0),
        prop::option::of(amount()),
        prop::collection::vec((text(), 0u32..50), 0..3),
    );
    let lists = (
        prop::collection::vec(text(), 0..3),
        prop::collection::vec(text(), 0..2),
        prop::collection::vec((nonempty(), prop::option::of(date())), 0..2),
        prop::collection::vec((nonempty(), nonempty()), 0..3),
        any::<bool>(),
        0u8..4,
    );
    (
        header,
        lists,
        prop::collection::vec(aspect(), 0..4),
        prop::collection::vec((0usize..50, 0usize..50, 0u32..100, any::<bool>()), 0..8),
    )
        .prop_map(|(h, l, aspects, seeds)| {
            let mut x = Ledger::empty();
            x.title = h.0;
            x.unit = h.1;
            x.report_date = h.2;
            x.inspection.inspector = h.3;
            x.inspection.start = h.4;
            x.inspection.feedback_date = h.5;
            x.claimed.problems = h.6;
            x.claimed.completion_rate_percent = h.7;
            x.claimed.funds_recovered_wan_yuan = h.8;
            for (k, n) in h.9 {
                x.claimed.accountability.add(&k, n);
            }
            x.named_documents = l.0.into_iter().map(|t| format!("《{t}》")).collect();
            x.contacts.phones = l.1;
            x.organisation.former_names = l.2.into_iter().map(|(name, until)| FormerName { name, until }).collect();
            x.organisation.leading_group = l.3.into_iter().map(|(role, name)| Member { role, name }).collect();
            x.policy.long_term_counts_as_completed = l.4;
            x.policy.rate_decimals = l.5;
            x.aspects = aspects;
            with_outcomes(x, seeds)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn generated_ledgers_round_trip(ledger in ledger()) {
        let today = NaiveDate::from_ymd_opt(2024, 1, 15).unwrap();
        let bytes = write_ledger_xlsx(&ledger, today).unwrap();
        let back = read_ledger_xlsx(&bytes, &ImportOptions::default()).unwrap();
        prop_assert_eq!(back.ledger, ledger);
    }
}
