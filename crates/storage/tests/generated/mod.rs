//! Generated ledgers for the round-trip property: every field of the ledger varies, including
//! the extremes the columns must hold (u32::MAX counts, i64::MAX sizes, six decimals of money),
//! and every generated ledger passes `Ledger::check`.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use rectify_domain::*;

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9一-龥《》（）、，。 '\"%_\\\\$?]{0,16}"
}

fn non_empty() -> impl Strategy<Value = NonEmptyText> {
    "[一-龥a-z][一-龥a-z0-9《》，。 ']{0,16}".prop_map(|s| NonEmptyText::new(s).unwrap())
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    option::of(text())
}

fn date_in(years: std::ops::Range<i32>) -> impl Strategy<Value = PartialDate> {
    prop_oneof![
        years.clone().prop_map(|y| PartialDate::year(y).unwrap()),
        (years.clone(), 1u32..=12).prop_map(|(y, m)| PartialDate::month(y, m).unwrap()),
        (years, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| PartialDate::day(y, m, d).unwrap()),
    ]
}

fn date() -> impl Strategy<Value = PartialDate> {
    date_in(1949..2200)
}

fn money() -> impl Strategy<Value = WanYuan> {
    (prop_oneof![0i64..1_000_000_000, Just(i64::MAX)], 0u8..=6).prop_map(|(fen, d)| WanYuan::from_fen(fen, d).unwrap())
}

fn count() -> impl Strategy<Value = u32> {
    prop_oneof![0u32..200, Just(u32::MAX)]
}

fn responsibility() -> impl Strategy<Value = Responsibility> {
    (opt_text(), opt_text(), vec(text(), 0..3), opt_text()).prop_map(
        |(first_responsible, leader, departments, liaison)| Responsibility {
            first_responsible,
            leader,
            departments,
            liaison,
        },
    )
}

fn evidence() -> impl Strategy<Value = Evidence> {
    (non_empty(), opt_text(), option::of(date()), opt_text(), option::of(0..=i64::MAX as u64), opt_text()).prop_map(
        |(title, kind, date, media_type, size_bytes, sha256)| Evidence {
            title,
            kind,
            date,
            media_type,
            size_bytes,
            sha256,
        },
    )
}

fn measure() -> impl Strategy<Value = Measure> {
    let kind = option::of(select(vec![MeasureKind::Immediate, MeasureKind::TimeLimited, MeasureKind::LongTerm]));
    (
        (non_empty(), vec(date(), 0..3), vec(money(), 0..3), vec(text(), 0..3), kind),
        // Deadlines fall after every generated feedback date (see `ledger`).
        (option::of(date_in(2001..2200)), option::of(select(Status::ALL.to_vec())), responsibility()),
        (vec((date(), non_empty(), vec(evidence(), 0..2)), 0..3), vec(evidence(), 0..3)),
    )
        .prop_map(
            |((text, dates, amounts, documents, kind), (deadline, status, responsibility), (progress, evidence))| {
                let mut progress: Vec<ProgressEntry> =
                    progress.into_iter().map(|(date, text, evidence)| ProgressEntry { date, text, evidence }).collect();
                progress.sort_by_key(|e| e.date);
                Measure {
                    text,
                    dates,
                    amounts_wan_yuan: amounts,
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
    let disclosure = select(vec![
        Disclosure::Public,
        Disclosure::WithheldSecret,
        Disclosure::WithheldPendingCase,
        Disclosure::WithheldOther,
    ]);
    let scope = option::of(select(vec![ProblemScope::General, ProblemScope::Specific]));
    (
        (opt_text(), non_empty(), select(Status::ALL.to_vec()), vec(measure(), 0..4)),
        (opt_text(), scope, opt_text(), disclosure, responsibility()),
    )
        .prop_map(
            |((number, title, status, measures), (category, scope, description, disclosure, responsibility))| Problem {
                number,
                title,
                status,
                measures,
                category,
                scope,
                description,
                disclosure,
                responsibility,
            },
        )
}

fn aspects() -> impl Strategy<Value = Vec<Aspect>> {
    vec(
        (opt_text(), opt_text(), vec(problem(), 0..4)).prop_map(|(number, title, problems)| Aspect {
            number,
            title,
            problems,
        }),
        0..4,
    )
}

/// Raw outcome picks; indices are folded onto the items that exist once the aspects are known.
type RawOutcomes = (
    Vec<(DocumentTitle, bool, Option<PartialDate>, Option<usize>)>,
    Vec<(usize, WanYuan, Option<PartialDate>, Option<usize>, Option<String>)>,
    Vec<(NonEmptyText, u32, bool, Vec<String>, Option<PartialDate>, Option<usize>)>,
    Vec<(NonEmptyText, Option<PartialDate>, Option<String>, Vec<String>, Vec<usize>)>,
);

fn document_title() -> impl Strategy<Value = DocumentTitle> {
    "[一-龥a-z]{1,10}".prop_map(|s| DocumentTitle::new(&s).unwrap())
}

fn raw_outcomes() -> impl Strategy<Value = RawOutcomes> {
    let index = || option::of(0usize..1000);
    (
        vec((document_title(), any::<bool>(), option::of(date()), index()), 0..3),
        vec((0usize..3, money(), option::of(date()), index(), opt_text()), 0..3),
        vec((non_empty(), 0u32..50, any::<bool>(), vec(text(), 0..3), option::of(date()), index()), 0..3),
        vec((non_empty(), option::of(date()), opt_text(), vec(text(), 0..3), vec(0usize..1000, 0..3)), 0..3),
    )
}

fn resolve(ledger: &mut Ledger, (rules, funds, accountability, meetings): RawOutcomes) {
    let problems: Vec<ProblemRef> = ledger
        .aspects
        .iter()
        .enumerate()
        .flat_map(|(a, aspect)| (0..aspect.problems.len()).map(move |p| ProblemRef { aspect: a, problem: p }))
        .collect();
    let measures: Vec<MeasureRef> = problems
        .iter()
        .flat_map(|r| {
            let n = ledger.problem(*r).map_or(0, |p| p.measures.len());
            (0..n).map(|m| MeasureRef { aspect: r.aspect, problem: r.problem, measure: m })
        })
        .collect();
    let pick_problem = |i: usize| (!problems.is_empty()).then(|| problems[i % problems.len()]);
    let pick_measure = |i: Option<usize>| i.and_then(|i| (!measures.is_empty()).then(|| measures[i % measures.len()]));
    let outcomes = &mut ledger.outcomes;
    for (title, made, date, m) in rules {
        let action = if made { RuleAction::Made } else { RuleAction::Revised };
        outcomes.rules.push(Rule { title, action, date, measure: pick_measure(m) });
    }
    for (kind, amount, date, m, note) in funds {
        let kind = FundKind::ALL[kind % FundKind::ALL.len()];
        outcomes.funds.push(Fund { kind, amount_wan_yuan: amount, date, measure: pick_measure(m), note });
    }
    for (kind, count, persons_counting, persons, date, p) in accountability {
        let counting = if persons_counting { Counting::Persons } else { Counting::PersonTimes };
        let count = count.max(persons.len() as u32);
        outcomes.accountability.push(Accountability {
            kind,
            count,
            counting,
            persons,
            date,
            problem: p.and_then(pick_problem),
        });
    }
    for (kind, date, title, decisions, picks) in meetings {
        let problems = picks.into_iter().filter_map(pick_problem).collect();
        outcomes.meetings.push(Meeting { kind, date, title, decisions, problems });
    }
}

fn header() -> impl Strategy<Value = Ledger> {
    let inspection = (
        opt_text(),
        option::of(date_in(1949..1990)),
        option::of(date_in(1990..1995)),
        option::of(date_in(1995..2000)),
        (opt_text(), opt_text(), opt_text()),
    )
        .prop_map(|(inspector, start, end, feedback_date, (round, kind, feedback_document))| Inspection {
            inspector,
            start,
            end,
            feedback_date,
            round,
            kind,
            feedback_document,
        });
    let claimed = (
        (option::of(count()), option::of(count()), option::of(count()), option::of(count()), option::of(count())),
        (option::of(0.0f64..=100.0), option::of(count()), option::of(money())),
        vec((non_empty(), count()), 0..4),
    )
        .prop_map(|((aspects, problems, measures, completed, in_progress), (rate, rules, funds), tally)| {
            let mut accountability = Tally::default();
            for (name, n) in tally {
                if accountability.get(&name).is_none() {
                    accountability.add(&name, n);
                }
            }
            Claimed {
                aspects,
                problems,
                measures,
                completed,
                in_progress,
                completion_rate_percent: rate,
                rules_made_or_revised: rules,
                funds_recovered_wan_yuan: funds,
                accountability,
            }
        });
    let contacts = (vec(text(), 0..3), vec(text(), 0..2), vec(text(), 0..2), vec(text(), 0..2))
        .prop_map(|(phones, emails, addresses, postcodes)| Contacts { phones, emails, addresses, postcodes });
    let member = || (non_empty(), non_empty()).prop_map(|(role, name)| Member { role, name });
    let organisation = (
        vec((non_empty(), option::of(date())).prop_map(|(name, until)| FormerName { name, until }), 0..3),
        vec(member(), 0..3),
        vec(member(), 0..3),
        opt_text(),
    )
        .prop_map(|(former_names, leading_group, work_team, liaison)| Organisation {
            former_names,
            leading_group,
            work_team,
            liaison,
        });
    (
        (opt_text(), opt_text(), option::of(date())),
        inspection,
        claimed,
        vec(text(), 0..3),
        contacts,
        organisation,
        (any::<bool>(), any::<u8>()),
    )
        .prop_map(
            |((title, unit, report_date), inspection, claimed, named_documents, contacts, organisation, policy)| {
                Ledger {
                    title,
                    unit,
                    report_date,
                    inspection,
                    claimed,
                    aspects: Vec::new(),
                    named_documents,
                    contacts,
                    organisation,
                    outcomes: Outcomes::default(),
                    policy: RoundPolicy { long_term_counts_as_completed: policy.0, rate_decimals: policy.1 },
                }
            },
        )
}

/// A valid ledger in which every field varies.
pub fn ledger() -> impl Strategy<Value = Ledger> {
    (header(), aspects(), raw_outcomes()).prop_map(|(mut ledger, aspects, raw)| {
        ledger.aspects = aspects;
        resolve(&mut ledger, raw);
        assert_eq!(ledger.check(), Ok(()));
        ledger
    })
}
