//! proptest strategies for ledgers: the one generator behind the property tests of every crate
//! (enable the `arbitrary` feature in dev-dependencies).
//!
//! [`ledger`] varies every field of a [`Ledger`] and always passes [`Ledger::check`]: the
//! inspection ends after it starts, the feedback comes after the end, deadlines fall on or after
//! the feedback, progress is in date order, outcomes point at problems and measures that exist
//! and never name more persons than they count. Its text is what every format must carry
//! unchanged (genre phrases, trimmed, no list separators). [`ledger_with`] widens it for the
//! crates that promise more: SQL-special text and the extreme values of the column types.

use std::ops::RangeInclusive;

use chrono::{Datelike, Days, NaiveDate};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

use crate::date::PartialDate;
use crate::ledger::*;
use crate::money::WanYuan;
use crate::status::{Disclosure, MeasureKind, ProblemScope, Status};
use crate::supervision::{LightPolicy, LightRecipients};

/// Which characters free text may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextStyle {
    /// Phrases of the genre: never blank, no leading or trailing whitespace and none of the list
    /// separators (、 , ， ; ； newline) that a workbook cell splits on.
    #[default]
    Plain,
    /// Plain phrases mixed with [`text_with_specials`]: quotes, `%`, `_`, `\`, `$`, `?`, `;`,
    /// `--`, newlines, tabs, surrounding spaces, empty strings and characters outside the BMP.
    WithSpecials,
}

/// What [`ledger_with`] generates beyond the plain ledger of [`ledger`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LedgerConfig {
    pub text: TextStyle,
    /// Also the limits of the column types: `u32::MAX` counts, `i64::MAX` 分 with up to six
    /// decimals, `i64::MAX` byte sizes, dates over the whole accepted range (1949–2200), claimed
    /// rates of full `f64` precision and any rate precision (`u8`). Not for JSON, which carries
    /// money and rates as `f64`.
    pub extremes: bool,
}

impl LedgerConfig {
    /// Everything a database column must hold: special text and extreme values.
    pub const STORAGE: LedgerConfig = LedgerConfig { text: TextStyle::WithSpecials, extremes: true };
}

/// Short Chinese phrases built from a small vocabulary, so generated text reads like the genre
/// and exercises multi-byte handling.
pub fn phrase() -> impl Strategy<Value = String> {
    const WORDS: &[&str] = &[
        "学习", "制度", "整改", "落实", "责任", "监督", "检查", "党组", "会议", "规范", "管理", "资金", "台账", "干部",
        "培训", "专项", "排查", "完善", "机制", "工程", "档案", "采购", "预算", "宣传",
    ];
    vec(select(WORDS), 2..8).prop_map(|w| w.concat())
}

/// Text that breaks naive SQL, escaping and trimming; may be empty. Never holds NUL, which no
/// PostgreSQL text column accepts.
pub fn text_with_specials() -> impl Strategy<Value = String> {
    const SAMPLES: &[&str] = &[
        "'; DROP TABLE problems; --",
        "O'Brien \"quoted\"",
        "100% a_b",
        "C:\\path\\file",
        "$1 ? :name",
        " 前后有空格 ",
        "第一行\n第二行",
        "\t",
        "𠀀𪚥",
        "/* 注释 */",
    ];
    prop_oneof![
        4 => "[a-zA-Z0-9一-龥《》（）、，。；;: '\"%_\\\\$?*/\\-\n\t𠀀]{0,16}",
        1 => select(SAMPLES).prop_map(str::to_string),
        1 => Just(String::new()),
    ]
}

/// Free text of one field under `style`.
pub fn text(style: TextStyle) -> BoxedStrategy<String> {
    match style {
        TextStyle::Plain => phrase().boxed(),
        TextStyle::WithSpecials => prop_oneof![1 => phrase(), 3 => text_with_specials()].boxed(),
    }
}

/// Non-blank plain text.
pub fn non_empty_text() -> impl Strategy<Value = NonEmptyText> {
    non_empty(TextStyle::Plain)
}

/// Non-blank text under `style`.
pub fn non_empty(style: TextStyle) -> BoxedStrategy<NonEmptyText> {
    text(style).prop_filter_map("blank", |s| NonEmptyText::new(s).ok()).boxed()
}

fn document_title(style: TextStyle) -> BoxedStrategy<DocumentTitle> {
    text(style).prop_filter_map("not a document title", |s| DocumentTitle::new(&s).ok()).boxed()
}

/// A document named in text, with its 《》 under the plain style.
fn document(style: TextStyle) -> BoxedStrategy<String> {
    match style {
        TextStyle::Plain => phrase().prop_map(|p| format!("《{p}》")).boxed(),
        TextStyle::WithSpecials => text(style),
    }
}

/// A person's name (anonymised as the published reports do).
fn name(style: TextStyle) -> BoxedStrategy<String> {
    let names = select(&["王某", "李某某", "张某", "刘某某", "陈某", "赵某"][..]).prop_map(str::to_string);
    match style {
        TextStyle::Plain => names.boxed(),
        TextStyle::WithSpecials => prop_oneof![names, text(style)].boxed(),
    }
}

/// One of `plain`, or any text under the special style.
fn pick(style: TextStyle, plain: &'static [&'static str]) -> BoxedStrategy<String> {
    match style {
        TextStyle::Plain => select(plain).prop_map(str::to_string).boxed(),
        TextStyle::WithSpecials => prop_oneof![select(plain).prop_map(str::to_string), text(style)].boxed(),
    }
}

/// The years a ledger's dates fall in: recent ones, or every year [`PartialDate`] accepts.
fn years(config: LedgerConfig) -> RangeInclusive<i32> {
    if config.extremes { 1949..=2200 } else { 2000..=2035 }
}

fn days_from_ce(y: i32, m: u32, d: u32) -> i32 {
    NaiveDate::from_ymd_opt(y, m, d).map_or(0, |x| x.num_days_from_ce())
}

/// A day in `years`.
fn day_in(years: RangeInclusive<i32>) -> impl Strategy<Value = NaiveDate> {
    (days_from_ce(*years.start(), 1, 1)..=days_from_ce(*years.end(), 12, 31))
        .prop_filter_map("day", NaiveDate::from_num_days_from_ce_opt)
}

/// `day` as a source may write it: the year, the month or the day itself. The result still
/// contains `day`, so any order between days holds between their coarsenings.
fn coarsen(day: NaiveDate) -> impl Strategy<Value = PartialDate> {
    prop_oneof![
        1 => Just(PartialDate::Year(day.year())),
        2 => Just(PartialDate::Month(day.year(), day.month())),
        3 => Just(PartialDate::Day(day)),
    ]
}

fn date_in(years: RangeInclusive<i32>) -> impl Strategy<Value = PartialDate> {
    day_in(years).prop_flat_map(coarsen)
}

/// A date of 2015–2029 at any precision.
pub fn partial_date() -> impl Strategy<Value = PartialDate> {
    date_in(2015..=2029)
}

/// A date on or after `from` (and within the accepted years).
fn date_from(from: NaiveDate, within_days: u64) -> impl Strategy<Value = PartialDate> {
    let last = NaiveDate::from_ymd_opt(2200, 12, 31).unwrap_or(NaiveDate::MAX);
    (0..=within_days).prop_flat_map(move |n| coarsen(from.checked_add_days(Days::new(n)).unwrap_or(last).min(last)))
}

/// An amount as a source prints it: up to 50 000 万元 with as many decimals as its value needs
/// or more, and never more than four.
pub fn wan_yuan() -> impl Strategy<Value = WanYuan> {
    (0i64..50_000_000_000, 0u8..=4).prop_filter_map("amount", |(fen, decimals)| {
        // Keep only amounts whose printed decimals can hold their value, as a source would print them.
        let step = 10i64.pow(6 - decimals as u32);
        WanYuan::from_fen(fen / step * step, decimals).ok()
    })
}

fn money(config: LedgerConfig) -> BoxedStrategy<WanYuan> {
    if !config.extremes {
        return wan_yuan().boxed();
    }
    let any_decimals =
        |fen: BoxedStrategy<i64>| (fen, 0u8..=6).prop_filter_map("amount", |(f, d)| WanYuan::from_fen(f, d).ok());
    prop_oneof![
        2 => wan_yuan(),
        2 => any_decimals((0i64..1_000_000_000).boxed()),
        1 => any_decimals(Just(i64::MAX).boxed()),
    ]
    .boxed()
}

fn count(config: LedgerConfig) -> BoxedStrategy<u32> {
    if config.extremes { prop_oneof![4 => 0u32..200, 1 => Just(u32::MAX)].boxed() } else { (0u32..200).boxed() }
}

fn size_bytes(config: LedgerConfig) -> BoxedStrategy<u64> {
    // Sizes stop at i64::MAX, the largest a SQL BIGINT column holds.
    let max = i64::MAX.unsigned_abs();
    if config.extremes {
        prop_oneof![3 => 0u64..10_000_000, 1 => 0..=max, 1 => Just(max)].boxed()
    } else {
        (0u64..10_000_000).boxed()
    }
}

/// Any problem status.
pub fn status() -> impl Strategy<Value = Status> {
    select(Status::ALL.to_vec())
}

fn measure_kind() -> impl Strategy<Value = MeasureKind> {
    select(vec![MeasureKind::Immediate, MeasureKind::TimeLimited, MeasureKind::LongTerm])
}

fn disclosure() -> impl Strategy<Value = Disclosure> {
    prop_oneof![
        4 => Just(Disclosure::Public),
        1 => Just(Disclosure::WithheldSecret),
        1 => Just(Disclosure::WithheldPendingCase),
        1 => Just(Disclosure::WithheldOther),
    ]
}

fn responsibility_with(style: TextStyle) -> impl Strategy<Value = Responsibility> {
    let department = match style {
        TextStyle::Plain => phrase().prop_map(|p| format!("{p}科")).boxed(),
        TextStyle::WithSpecials => text(style),
    };
    (option::of(name(style)), option::of(name(style)), vec(department, 0..3), option::of(name(style))).prop_map(
        |(first_responsible, leader, departments, liaison)| Responsibility {
            first_responsible,
            leader,
            departments,
            liaison,
        },
    )
}

/// Plain responsibility: anonymised names and departments, any part missing.
pub fn responsibility() -> impl Strategy<Value = Responsibility> {
    responsibility_with(TextStyle::Plain)
}

fn evidence(config: LedgerConfig) -> BoxedStrategy<Evidence> {
    const MEDIA_TYPES: &[&str] = &["application/pdf", "image/jpeg", "image/png", "application/msword"];
    let style = config.text;
    let sha256 = match style {
        TextStyle::Plain => "[0-9a-f]{64}".boxed(),
        TextStyle::WithSpecials => prop_oneof!["[0-9a-f]{64}", text(style)].boxed(),
    };
    (
        non_empty(style),
        option::of(pick(style, &["会议纪要", "制度文件", "通知", "照片", "台账"])),
        option::of(date_in(years(config))),
        option::of(pick(style, MEDIA_TYPES)),
        option::of(size_bytes(config)),
        option::of(sha256),
    )
        .prop_map(|(title, kind, date, media_type, size_bytes, sha256)| Evidence {
            title,
            kind,
            date,
            media_type,
            size_bytes,
            sha256,
        })
        .boxed()
}

/// A measure whose deadline and progress fall on or after `not_before` (the feedback day).
fn measure_from(config: LedgerConfig, not_before: NaiveDate) -> BoxedStrategy<Measure> {
    let style = config.text;
    let progress = (date_from(not_before, 1500), non_empty(style), vec(evidence(config), 0..2))
        .prop_map(|(date, text, evidence)| ProgressEntry { date, text, evidence });
    (
        (non_empty(style), vec(date_in(years(config)), 0..3), vec(money(config), 0..3), vec(document(style), 0..3)),
        (option::of(measure_kind()), option::of(date_from(not_before, 1500)), option::of(status())),
        (responsibility_with(style), vec(progress, 0..3), vec(evidence(config), 0..3)),
    )
        .prop_map(
            |(
                (text, dates, amounts, documents),
                (kind, deadline, status),
                (responsibility, mut progress, evidence),
            )| {
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
        .boxed()
}

/// A plain measure of recent years.
pub fn measure() -> impl Strategy<Value = Measure> {
    measure_from(LedgerConfig::default(), NaiveDate::from_ymd_opt(2015, 1, 1).unwrap_or_default())
}

fn problem_from(config: LedgerConfig, not_before: NaiveDate) -> BoxedStrategy<Problem> {
    let style = config.text;
    let number = match style {
        TextStyle::Plain => {
            prop_oneof![(1u32..40).prop_map(|n| n.to_string()), (1u32..40).prop_map(crate::numerals::to_chinese)]
                .boxed()
        }
        TextStyle::WithSpecials => text(style),
    };
    let scope = option::of(prop_oneof![Just(ProblemScope::General), Just(ProblemScope::Specific)]);
    (
        (option::of(number), non_empty(style), status(), vec(measure_from(config, not_before), 0..4)),
        (option::of(text(style)), scope, option::of(text(style)), disclosure(), responsibility_with(style)),
    )
        .prop_map(|((number, title, status, measures), (category, scope, description, disclosure, responsibility))| {
            Problem { number, title, status, measures, category, scope, description, disclosure, responsibility }
        })
        .boxed()
}

/// A plain problem of recent years.
pub fn problem() -> impl Strategy<Value = Problem> {
    problem_from(LedgerConfig::default(), NaiveDate::from_ymd_opt(2015, 1, 1).unwrap_or_default())
}

fn aspects(config: LedgerConfig, not_before: NaiveDate) -> BoxedStrategy<Vec<Aspect>> {
    let style = config.text;
    let number = match style {
        TextStyle::Plain => (1u32..10).prop_map(crate::numerals::to_chinese).boxed(),
        TextStyle::WithSpecials => text(style),
    };
    vec(
        (option::of(number), option::of(text(style)), vec(problem_from(config, not_before), 0..4))
            .prop_map(|(number, title, problems)| Aspect { number, title, problems }),
        0..4,
    )
    .boxed()
}

/// The inspection's days: it ends after it starts and the feedback comes after the end.
#[derive(Debug, Clone, Copy)]
struct Timeline {
    start: NaiveDate,
    end: NaiveDate,
    feedback: NaiveDate,
}

fn timeline(config: LedgerConfig) -> impl Strategy<Value = Timeline> {
    let years = years(config);
    // Leave room after the start for the rest of the round within the accepted years.
    let last_start = (*years.end() - 8).max(*years.start());
    (day_in(*years.start()..=last_start), 0u64..120, 0u64..90).prop_map(|(start, run, wait)| {
        let end = start.checked_add_days(Days::new(run)).unwrap_or(start);
        let feedback = end.checked_add_days(Days::new(wait)).unwrap_or(end);
        Timeline { start, end, feedback }
    })
}

fn inspection(config: LedgerConfig, t: Timeline) -> BoxedStrategy<Inspection> {
    let style = config.text;
    let inspector = pick(style, &["县委第一巡察组", "区委第五巡察组", "市委第二巡察组", "省委第三巡视组"]);
    let feedback_document = match style {
        TextStyle::Plain => phrase().prop_map(|p| format!("《关于{p}巡察情况的反馈意见》")).boxed(),
        TextStyle::WithSpecials => text(style),
    };
    (
        option::of(inspector),
        (option::of(coarsen(t.start)), option::of(coarsen(t.end)), option::of(coarsen(t.feedback))),
        option::of(pick(style, &["十四届县委第三轮", "七届区委第一轮", "十二届市委第五轮"])),
        option::of(proptest::sample::select(crate::kind::InspectionKind::ALL.to_vec())),
        option::of(feedback_document),
    )
        .prop_map(|(inspector, (start, end, feedback_date), round, kind, feedback_document)| Inspection {
            inspector,
            start,
            end,
            feedback_date,
            round,
            kind,
            feedback_document,
        })
        .boxed()
}

fn claimed(config: LedgerConfig) -> BoxedStrategy<Claimed> {
    let rate = prop_oneof![4 => printed_rate(), 1 => Just(0.0), 1 => Just(100.0)];
    let rate = if config.extremes { prop_oneof![rate, 0.0f64..=100.0].boxed() } else { rate.boxed() };
    (
        (option::of(count(config)), option::of(count(config)), option::of(count(config))),
        (option::of(count(config)), option::of(count(config)), option::of(rate)),
        (option::of(count(config)), option::of(money(config)), vec((non_empty(config.text), count(config)), 0..4)),
    )
        .prop_map(|((aspects, problems, measures), (completed, in_progress, rate), (rules, funds, tally))| {
            let mut accountability = Tally::default();
            for (name, n) in tally {
                // A source names each kind once; adding twice would sum (and saturate) counts.
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
        })
        .boxed()
}

/// A rate as a report prints it, with up to four decimals (96.81). Any other `f64` is an extreme:
/// serde_json without its `float_roundtrip` feature may read it back one ulp off.
fn printed_rate() -> impl Strategy<Value = f64> {
    (0u32..=1_000_000, 0u32..=4).prop_map(|(n, decimals)| {
        let step = 10u32.pow(4 - decimals);
        f64::from(n / step * step) / 10_000.0
    })
}

fn contacts(style: TextStyle) -> impl Strategy<Value = Contacts> {
    let (phone, email, address, postcode) = match style {
        TextStyle::Plain => (
            "0[1-9][0-9]{1,2}-[1-9][0-9]{6,7}".boxed(),
            "[a-z]{3,8}@[a-z]{2,6}\\.gov\\.cn".boxed(),
            phrase().prop_map(|p| format!("某某县{p}路1号")).boxed(),
            "[1-8][0-9]{5}".boxed(),
        ),
        TextStyle::WithSpecials => (text(style), text(style), text(style), text(style)),
    };
    (vec(phone, 0..3), vec(email, 0..2), vec(address, 0..2), vec(postcode, 0..2))
        .prop_map(|(phones, emails, addresses, postcodes)| Contacts { phones, emails, addresses, postcodes })
}

fn organisation(config: LedgerConfig) -> BoxedStrategy<Organisation> {
    let style = config.text;
    let role = match style {
        TextStyle::Plain => {
            select(&["组长", "副组长", "成员"][..]).prop_filter_map("blank", |r| NonEmptyText::new(r).ok()).boxed()
        }
        TextStyle::WithSpecials => non_empty(style),
    };
    let member = (role, name(style).prop_filter_map("blank", |n| NonEmptyText::new(n).ok()))
        .prop_map(|(role, name)| Member { role, name });
    let unit = match style {
        TextStyle::Plain => {
            phrase().prop_filter_map("blank", |p| NonEmptyText::new(format!("某某县{p}局")).ok()).boxed()
        }
        TextStyle::WithSpecials => non_empty(style),
    };
    (
        vec((unit, option::of(date_in(years(config)))).prop_map(|(name, until)| FormerName { name, until }), 0..3),
        vec(member.clone(), 0..3),
        vec(member, 0..3),
        option::of(name(style)),
    )
        .prop_map(|(former_names, leading_group, work_team, liaison)| Organisation {
            former_names,
            leading_group,
            work_team,
            liaison,
        })
        .boxed()
}

/// Raw outcome picks; indices are folded onto the items that exist once the aspects are known.
type RawOutcomes = (
    Vec<(DocumentTitle, bool, Option<PartialDate>, Option<usize>)>,
    Vec<(usize, WanYuan, Option<PartialDate>, Option<usize>, Option<String>)>,
    Vec<(NonEmptyText, u32, bool, Vec<String>, Option<PartialDate>, Option<usize>)>,
    Vec<(NonEmptyText, Option<PartialDate>, Option<String>, Vec<String>, Vec<usize>)>,
);

fn raw_outcomes(config: LedgerConfig, t: Timeline) -> BoxedStrategy<RawOutcomes> {
    let style = config.text;
    let index = || option::of(0usize..1000);
    let after = || option::of(date_from(t.feedback, 1500));
    let accountability_kind = match style {
        TextStyle::Plain => select(&["批评教育", "诫勉", "党纪处分", "政务处分", "组织处理"][..])
            .prop_filter_map("blank", |k| NonEmptyText::new(k).ok())
            .boxed(),
        TextStyle::WithSpecials => non_empty(style),
    };
    let meeting_kind = match style {
        TextStyle::Plain => select(&["专题会议", "民主生活会", "调度会", "党组会议"][..])
            .prop_filter_map("blank", |k| NonEmptyText::new(k).ok())
            .boxed(),
        TextStyle::WithSpecials => non_empty(style),
    };
    (
        vec((document_title(style), any::<bool>(), after(), index()), 0..3),
        vec((0usize..3, money(config), after(), index(), option::of(text(style))), 0..3),
        vec((accountability_kind, count(config), any::<bool>(), vec(name(style), 0..3), after(), index()), 0..3),
        vec((meeting_kind, after(), option::of(text(style)), vec(text(style), 0..3), vec(0usize..1000, 0..3)), 0..3),
    )
        .boxed()
}

/// Adds the outcomes to `ledger`, pointing their picks at problems and measures that exist.
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
    let pick_problem = |i: usize| problems.get(i.checked_rem(problems.len())?).copied();
    let pick_measure = |i: Option<usize>| measures.get(i?.checked_rem(measures.len())?).copied();
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
        // No more persons named than counted.
        let count = count.max(u32::try_from(persons.len()).unwrap_or(u32::MAX));
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

fn header(config: LedgerConfig, t: Timeline) -> BoxedStrategy<Ledger> {
    let style = config.text;
    let unit = match style {
        TextStyle::Plain => phrase().prop_map(|p| format!("中共某某县{p}局党组")).boxed(),
        TextStyle::WithSpecials => text(style),
    };
    let title = match style {
        TextStyle::Plain => phrase().prop_map(|p| format!("关于{p}巡察整改进展情况的通报")).boxed(),
        TextStyle::WithSpecials => text(style),
    };
    let rate_decimals = if config.extremes { (0u8..=MAX_RATE_DECIMALS).boxed() } else { (0u8..=4).boxed() };
    (
        (option::of(title), option::of(unit), option::of(date_from(t.feedback, 700))),
        inspection(config, t),
        claimed(config),
        vec(document(style), 0..3),
        contacts(style),
        organisation(config),
        (any::<bool>(), rate_decimals, light_policy()),
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
                    policy: RoundPolicy {
                        long_term_counts_as_completed: policy.0,
                        rate_decimals: policy.1,
                        lights: policy.2.0,
                        light_recipients: policy.2.1,
                    },
                }
            },
        )
        .boxed()
}

/// Valid light thresholds (green, when set, starts no later than yellow) and recipients.
fn light_policy() -> impl Strategy<Value = (LightPolicy, LightRecipients)> {
    let roles = || proptest::sample::subsequence(crate::roles::Role::ALL.to_vec(), 0..4);
    ((0u32..=30), proptest::option::of(0u32..=30), any::<bool>(), roles(), roles(), roles()).prop_map(
        |(yellow_within, green_extra, working_days, green, yellow, red)| {
            (
                LightPolicy { green_within: green_extra.map(|g| yellow_within + g), yellow_within, working_days },
                LightRecipients { green, yellow, red },
            )
        },
    )
}

/// A valid ledger in which every field varies, with plain text and ordinary values.
pub fn ledger() -> impl Strategy<Value = Ledger> {
    ledger_with(LedgerConfig::default())
}

/// A valid ledger in which every field varies, widened by `config`.
pub fn ledger_with(config: LedgerConfig) -> impl Strategy<Value = Ledger> {
    timeline(config)
        .prop_flat_map(move |t| (header(config, t), aspects(config, t.feedback), raw_outcomes(config, t)))
        .prop_map(|(mut ledger, aspects, raw)| {
            ledger.aspects = aspects;
            resolve(&mut ledger, raw);
            debug_assert_eq!(ledger.check(), Ok(()), "the generator made an invalid ledger");
            ledger
        })
}

#[cfg(test)]
mod tests {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    use super::*;

    /// Every string of a ledger as JSON, keys included.
    fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(items) => items.iter().for_each(|x| strings(x, out)),
            serde_json::Value::Object(map) => {
                for (k, x) in map {
                    out.push(k.clone());
                    strings(x, out);
                }
            }
            _ => {}
        }
    }

    fn all_strings(ledger: &Ledger) -> Vec<String> {
        let mut out = Vec::new();
        strings(&serde_json::to_value(ledger).unwrap(), &mut out);
        out
    }

    /// `n` ledgers drawn with a fixed seed, so that coverage claims are reproducible.
    fn sample(config: LedgerConfig, n: usize) -> Vec<Ledger> {
        let mut runner = TestRunner::deterministic();
        let strategy = ledger_with(config);
        (0..n).map(|_| strategy.new_tree(&mut runner).unwrap().current()).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn every_configuration_makes_valid_ledgers(
            l in prop_oneof![
                ledger_with(LedgerConfig { text: TextStyle::Plain, extremes: false }),
                ledger_with(LedgerConfig { text: TextStyle::Plain, extremes: true }),
                ledger_with(LedgerConfig { text: TextStyle::WithSpecials, extremes: false }),
                ledger_with(LedgerConfig::STORAGE),
            ]
        ) {
            prop_assert_eq!(l.check(), Ok(()));
        }

        #[test]
        fn plain_text_is_trimmed_and_has_no_list_separators(l in ledger()) {
            for s in all_strings(&l) {
                prop_assert!(!s.is_empty() && s.trim() == s, "{:?}", s);
                prop_assert!(!s.contains(['、', ',', '，', ';', '；', '\n']), "{:?}", s);
            }
        }

        #[test]
        fn special_text_survives_json(l in ledger_with(LedgerConfig { text: TextStyle::WithSpecials, extremes: false })) {
            let back = Ledger::from_json(&serde_json::to_string(&l).unwrap()).unwrap();
            prop_assert_eq!(back, l);
        }
    }

    #[test]
    fn the_storage_configuration_reaches_specials_and_extremes() {
        let ledgers = sample(LedgerConfig::STORAGE, 64);
        let text: Vec<String> = ledgers.iter().flat_map(all_strings).collect();
        for special in ["'", "\"", "%", "_", "\\", "\n", "𠀀"] {
            assert!(text.iter().any(|s| s.contains(special)), "no text holds {special:?}");
        }
        assert!(text.iter().any(String::is_empty), "no empty text");
        assert!(text.iter().any(|s| s.trim() != s && !s.trim().is_empty()), "no padded text");
        let amounts: Vec<WanYuan> =
            ledgers.iter().flat_map(|l| l.measures().flat_map(|m| m.amounts_wan_yuan.iter().copied())).collect();
        assert!(amounts.iter().any(|a| a.fen() == i64::MAX), "no i64::MAX amount");
        assert!(amounts.iter().any(|a| a.decimals() == 6), "no amount with six decimals");
        assert!(ledgers.iter().any(|l| l.claimed.problems == Some(u32::MAX)), "no u32::MAX count");
        let mut sizes =
            ledgers.iter().flat_map(|l| l.measures().flat_map(|m| &m.evidence)).filter_map(|e| e.size_bytes);
        assert!(sizes.any(|s| s == i64::MAX.unsigned_abs()), "no i64::MAX size");
        let years: Vec<i32> = ledgers.iter().filter_map(|l| l.report_date).map(|d| d.year_number()).collect();
        assert!(years.iter().any(|y| *y < 2000) && years.iter().any(|y| *y > 2100), "years {years:?}");
    }

    #[test]
    fn the_default_ledger_fills_every_part() {
        let ledgers = sample(LedgerConfig::default(), 48);
        let any = |f: &dyn Fn(&Ledger) -> bool| ledgers.iter().any(f);
        assert!(any(&|l| l.inspection.feedback_date.is_some() && l.measures().any(|m| m.deadline.is_some())));
        assert!(any(&|l| l.measures().any(|m| m.progress.len() > 1)));
        assert!(any(&|l| l.problems().any(|p| p.description.is_some() && p.disclosure != Disclosure::Public)));
        assert!(any(&|l| !l.contacts.emails.is_empty() && !l.organisation.work_team.is_empty()));
        assert!(any(&|l| !l.claimed.accountability.is_empty() && l.claimed.completion_rate_percent.is_some()));
        assert!(any(&|l| l.outcomes.rules.iter().any(|r| r.measure.is_some())));
        assert!(any(&|l| l.outcomes.funds.iter().any(|f| f.measure.is_some())));
        assert!(any(&|l| l.outcomes.accountability.iter().any(|a| a.problem.is_some() && !a.persons.is_empty())));
        assert!(any(&|l| l.outcomes.meetings.iter().any(|m| !m.problems.is_empty())));
    }
}

/// Strategies for the closure workflow: every state, facts around it, every actor and step.
pub mod workflow {
    use proptest::option;
    use proptest::prelude::*;
    use proptest::sample::select;

    use crate::workflow::{
        Action, ActionKind, Actor, ExtensionRequest, Hands, MeasureFacts, MeasureState, Person, ReviewStage,
    };

    pub fn actor() -> impl Strategy<Value = Actor> {
        select(Actor::ALL.to_vec())
    }

    /// One of four people, so that hands and actors often meet.
    pub fn person() -> impl Strategy<Value = Person> {
        (1i64..5).prop_map(Person)
    }

    /// Any hands of four people (the machine refuses what does not fit, so any is fine to try).
    pub fn hands() -> impl Strategy<Value = Hands> {
        (
            proptest::collection::btree_set(person(), 0..3),
            option::of(person()),
            proptest::collection::vec(person(), 0..3),
        )
            .prop_map(|(reporters, claimant, approvers)| Hands {
                reporters: reporters.into_iter().collect(),
                claimant,
                approvers,
            })
    }

    pub fn action_kind() -> impl Strategy<Value = ActionKind> {
        select(ActionKind::ALL.to_vec())
    }

    /// Every state, with few closed stages (0 matters: a long-term measure cannot close then).
    pub fn measure_state() -> impl Strategy<Value = MeasureState> {
        let stage =
            select(vec![ReviewStage::AwaitingLeader, ReviewStage::AwaitingLeadingGroup, ReviewStage::AwaitingVerifier]);
        prop_oneof![
            Just(MeasureState::NotStarted),
            Just(MeasureState::InProgress),
            Just(MeasureState::BasicallyCompleted),
            stage.prop_map(|stage| MeasureState::UnderReview { stage }),
            Just(MeasureState::Closed),
            (0u32..3).prop_map(|stages_closed| MeasureState::LongTerm { stages_closed }),
        ]
    }

    /// Facts in any state, with or without evidence, deadline and a pending extension (the
    /// machine refuses what does not fit, so combinations it never produces are fine to try).
    pub fn measure_facts() -> impl Strategy<Value = MeasureFacts> {
        let extension = (super::partial_date(), "[a-z]{0,3}")
            .prop_map(|(new_deadline, reason)| ExtensionRequest { new_deadline, reason });
        (
            measure_state(),
            option::of(super::partial_date()),
            prop_oneof![Just(0u32), 1u32..4],
            option::of(extension),
            hands(),
        )
            .prop_map(|(state, deadline, evidence, pending_extension, hands)| MeasureFacts {
                state,
                deadline,
                evidence,
                pending_extension,
                hands,
            })
    }

    /// A step of `kind` with well-formed input for `facts`: a non-blank reason and a deadline
    /// a year after the current one. `None` if no later deadline can be written.
    pub fn well_formed(kind: ActionKind, facts: &MeasureFacts) -> Option<Action> {
        let year = facts.deadline.map_or(2030, |d| d.year_number());
        let later = crate::date::PartialDate::year(year.checked_add(1)?).ok()?;
        Action::from_kind(kind, "理由".to_owned(), Some(later))
    }
}
