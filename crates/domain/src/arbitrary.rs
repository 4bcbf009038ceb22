//! proptest strategies for ledgers, shared by the property tests of every crate
//! (enable the `arbitrary` feature in dev-dependencies).

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

use crate::date::PartialDate;
use crate::ledger::*;
use crate::money::WanYuan;
use crate::status::{Disclosure, MeasureKind, ProblemScope, Status};

/// Short Chinese phrases built from a small vocabulary, so generated text reads like the genre
/// and exercises multi-byte handling.
pub fn phrase() -> impl Strategy<Value = String> {
    const WORDS: &[&str] = &[
        "学习", "制度", "整改", "落实", "责任", "监督", "检查", "党组", "会议", "规范", "管理", "资金", "台账", "干部",
        "培训", "专项", "排查", "完善", "机制", "工程", "档案", "采购", "预算", "宣传",
    ];
    vec(proptest::sample::select(WORDS), 2..8).prop_map(|w| w.concat())
}

pub fn non_empty_text() -> impl Strategy<Value = NonEmptyText> {
    phrase().prop_filter_map("non-empty", |s| NonEmptyText::new(s).ok())
}

pub fn partial_date() -> impl Strategy<Value = PartialDate> {
    prop_oneof![
        (2015i32..2030).prop_filter_map("year", |y| PartialDate::year(y).ok()),
        (2015i32..2030, 1u32..=12).prop_filter_map("month", |(y, m)| PartialDate::month(y, m).ok()),
        (2015i32..2030, 1u32..=12, 1u32..=28).prop_filter_map("day", |(y, m, d)| PartialDate::day(y, m, d).ok()),
    ]
}

pub fn wan_yuan() -> impl Strategy<Value = WanYuan> {
    (0i64..50_000_000_000, 0u8..=4).prop_filter_map("amount", |(fen, decimals)| {
        // Keep only amounts whose printed decimals can hold their value, as a source would print them.
        let step = 10i64.pow(6 - decimals as u32);
        WanYuan::from_fen(fen / step * step, decimals).ok()
    })
}

pub fn status() -> impl Strategy<Value = Status> {
    proptest::sample::select(Status::ALL.to_vec())
}

fn measure_kind() -> impl Strategy<Value = MeasureKind> {
    prop_oneof![Just(MeasureKind::Immediate), Just(MeasureKind::TimeLimited), Just(MeasureKind::LongTerm)]
}

fn name() -> impl Strategy<Value = String> {
    proptest::sample::select(vec!["王某", "李某某", "张某", "刘某某", "陈某"]).prop_map(str::to_string)
}

pub fn responsibility() -> impl Strategy<Value = Responsibility> {
    (option::of(name()), option::of(name()), vec(phrase().prop_map(|p| format!("{p}科")), 0..3), option::of(name()))
        .prop_map(|(first_responsible, leader, departments, liaison)| Responsibility {
            first_responsible,
            leader,
            departments,
            liaison,
        })
}

fn evidence() -> impl Strategy<Value = Evidence> {
    (non_empty_text(), option::of(phrase()), option::of(partial_date()), option::of(0u64..10_000_000)).prop_map(
        |(title, kind, date, size_bytes)| Evidence {
            title,
            kind,
            date,
            media_type: size_bytes.map(|_| "application/pdf".to_string()),
            size_bytes,
            sha256: None,
        },
    )
}

pub fn measure() -> impl Strategy<Value = Measure> {
    (
        non_empty_text(),
        vec(partial_date(), 0..3),
        vec(wan_yuan(), 0..2),
        vec(phrase().prop_map(|p| format!("《{p}》")), 0..2),
        option::of(measure_kind()),
        option::of(status()),
        responsibility(),
        vec((partial_date(), non_empty_text(), vec(evidence(), 0..2)), 0..3),
        vec(evidence(), 0..2),
    )
        .prop_map(|(text, dates, amounts, documents, kind, status, responsibility, progress, evidence)| {
            let mut progress: Vec<ProgressEntry> =
                progress.into_iter().map(|(date, text, evidence)| ProgressEntry { date, text, evidence }).collect();
            progress.sort_by_key(|e| e.date);
            Measure {
                text,
                dates,
                amounts_wan_yuan: amounts,
                documents,
                kind,
                deadline: None,
                status,
                responsibility,
                progress,
                evidence,
            }
        })
}

pub fn problem() -> impl Strategy<Value = Problem> {
    (
        option::of((1u32..40).prop_map(|n| n.to_string())),
        non_empty_text(),
        status(),
        vec(measure(), 0..5),
        option::of(phrase()),
        option::of(prop_oneof![Just(ProblemScope::General), Just(ProblemScope::Specific)]),
        prop_oneof![4 => Just(Disclosure::Public), 1 => Just(Disclosure::WithheldPendingCase)],
        responsibility(),
    )
        .prop_map(|(number, title, status, measures, category, scope, disclosure, responsibility)| Problem {
            number,
            title,
            status,
            measures,
            category,
            scope,
            description: None,
            disclosure,
            responsibility,
        })
}

/// A valid ledger: 1–4 aspects of 0–5 problems, with outcomes that reference existing items.
pub fn ledger() -> impl Strategy<Value = Ledger> {
    (
        option::of(phrase()),
        option::of(phrase()),
        vec((option::of(1u32..10), option::of(phrase()), vec(problem(), 0..5)), 1..4),
        option::of(partial_date()),
        vec((phrase(), 0u32..20), 0..3),
        any::<bool>(),
        0u8..=2,
    )
        .prop_map(|(title, unit, aspects, report_date, tally, long_term, rate_decimals)| {
            let mut ledger = Ledger::empty();
            ledger.title = title;
            ledger.unit = unit;
            ledger.report_date = report_date;
            ledger.aspects = aspects
                .into_iter()
                .map(|(n, title, problems)| Aspect { number: n.map(crate::numerals::to_chinese), title, problems })
                .collect();
            for (k, c) in tally {
                ledger.claimed.accountability.add(&k, c);
            }
            ledger.policy = RoundPolicy { long_term_counts_as_completed: long_term, rate_decimals };
            if let Some((ai, pi)) = ledger
                .aspects
                .iter()
                .enumerate()
                .find_map(|(ai, a)| a.problems.iter().position(|p| !p.measures.is_empty()).map(|pi| (ai, pi)))
            {
                ledger.outcomes.rules.push(Rule {
                    title: DocumentTitle::new("《整改工作制度》").unwrap_or_else(|_| unreachable!()),
                    action: RuleAction::Made,
                    date: None,
                    measure: Some(MeasureRef { aspect: ai, problem: pi, measure: 0 }),
                });
                ledger.outcomes.meetings.push(Meeting {
                    kind: NonEmptyText::new("专题会议").unwrap_or_else(|_| unreachable!()),
                    date: None,
                    title: None,
                    decisions: vec![],
                    problems: vec![ProblemRef { aspect: ai, problem: pi }],
                });
            }
            ledger
        })
}
