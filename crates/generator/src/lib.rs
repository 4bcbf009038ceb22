//! Deterministic, realistic rectification ledgers (整改台账) at province scale: demo data, load
//! tests and benchmarks.
//!
//! [`generate`] yields one [`Ledger`] per unit: [`PROBLEMS_PER_UNIT`] problems (问题) in 4–6
//! aspects (方面), [`MEASURES_PER_PROBLEM`] measures (整改措施) each, [`PROGRESS_PER_MEASURE`]
//! progress entries (整改进展) per measure with evidence metadata (佐证材料), responsibility
//! (责任领导, 责任部门), outcomes (建章立制, 资金, 问责, 会议) and the headline figures a report
//! states. The text is composed from phrase tables of the genre (see `phrases.rs`); places and
//! people are invented.
//!
//! Everything is relative to `today`: rounds lie in the past, and the deadlines of open measures
//! are spread around `today` so that the deadline lights (预警) come out red, yellow and green.
//! Each unit draws from its own stream seeded by `(seed, index)`, so unit 1,234 is the same
//! whether 2,000 or 5,000 units are generated.

mod dice;
mod org;
mod phrases;

use chrono::{Datelike, NaiveDate};
use rectify_domain::{
    Accountability, Aspect, Claimed, Contacts, Counting, Disclosure, DocumentTitle, Evidence, FormerName, Fund,
    FundKind, Inspection, Ledger, Measure, MeasureKind, MeasureRef, Meeting, Member, NonEmptyText, Organisation,
    Outcomes, PartialDate, Problem, ProblemRef, ProblemScope, ProgressEntry, Responsibility, RoundPolicy, Rule,
    RuleAction, Status, Tally, WanYuan,
};
use sha2::{Digest, Sha256};

use crate::dice::Dice;
use crate::org::{Level, Org};
use crate::phrases::*;

pub const PROBLEMS_PER_UNIT: usize = 30;
pub const MEASURES_PER_PROBLEM: usize = 4;
pub const PROGRESS_PER_MEASURE: usize = 5;

/// `today` must lie in this range for every generated date to be a valid ledger date (the
/// domain accepts 1949–2200; rounds reach three years back and deadlines one year ahead).
pub const SUPPORTED_YEARS: std::ops::RangeInclusive<i32> = 1955..=2195;

const SALT_UNIT: u64 = 0x0_0001;

/// The ledgers of `units` units for `seed`, as of `today`.
pub fn generate(seed: u64, units: usize, today: NaiveDate) -> impl Iterator<Item = Ledger> {
    (0..units).map(move |index| generate_unit(seed, index, today))
}

/// The ledger of unit `index` (0-based): the same as the `index`-th item of [`generate`].
pub fn generate_unit(seed: u64, index: usize, today: NaiveDate) -> Ledger {
    Builder::new(seed, index, today).ledger()
}

/// The kind of inspection (`inspection.kind`), which decides the wording.
use rectify_domain::InspectionKind as Kind;

struct Round {
    kind: Kind,
    name: String,
    inspector: String,
    start: NaiveDate,
    end: NaiveDate,
    feedback: NaiveDate,
}

struct Builder {
    seed: u64,
    index: usize,
    today: NaiveDate,
    dice: Dice,
    org: Org,
    round: Round,
    /// Secretary, deputies (分管领导), liaison, members — all distinct surnames.
    people: Vec<String>,
    evidence_counter: u64,
}

fn days(date: NaiveDate, n: i64) -> NaiveDate {
    date.checked_add_signed(chrono::TimeDelta::days(n)).unwrap_or(date)
}

/// Text the generator composed; its tables hold no blank entry.
fn text(s: String) -> NonEmptyText {
    NonEmptyText::new(s).expect("generated text is never blank")
}

fn member(role: &str, name: &str) -> Member {
    Member { role: text(role.to_string()), name: text(name.to_string()) }
}

impl Builder {
    fn new(seed: u64, index: usize, today: NaiveDate) -> Self {
        let mut dice = Dice::new(seed, SALT_UNIT, index as u64);
        let org = org::org(seed, index);
        let round = round(&mut dice, &org, today);
        let people = dice.sample(&SURNAMES, 12).into_iter().map(|s| format!("{s}某某")).collect();
        Builder { seed, index, today, dice, org, round, people, evidence_counter: 0 }
    }

    fn secretary(&self) -> &str {
        &self.people[0]
    }

    fn deputies(&self) -> &[String] {
        &self.people[1..4]
    }

    fn liaison(&self) -> &str {
        &self.people[4]
    }

    fn ledger(mut self) -> Ledger {
        let kind = self.round.kind;
        let unit = self.org.unit.clone();
        let feedback_target = self.org.former.clone().filter(|_| self.dice.chance(40));
        let addressee = feedback_target.as_deref().unwrap_or(&unit).to_string();
        let feedback_document = match kind {
            Kind::Xuncha | Kind::Xunshi => format!("《关于对{addressee}{}情况的反馈意见》", kind.as_str()),
            Kind::Audit => format!("《关于{}主要负责人经济责任履行情况的审计报告》", self.org.body),
            Kind::SpotCheck => format!("《关于{}专项检查发现问题的反馈意见》", self.org.body),
        };
        let plan = format!("《{unit}{}整改工作方案》", kind.as_str());

        let mut outcomes = Outcomes::default();
        let aspects = self.aspects(&mut outcomes);
        outcomes.meetings = self.meetings(&aspects);

        let mut named_documents = vec![feedback_document.clone(), plan];
        for rule in &outcomes.rules {
            if !named_documents.iter().any(|d| d == rule.title.as_str()) {
                named_documents.push(rule.title.as_str().to_string());
            }
        }

        let former_names = match &feedback_target {
            Some(name) => vec![FormerName {
                name: text(name.clone()),
                until: Some(PartialDate::from(days(self.round.end, self.dice.days(1, 20)))),
            }],
            None => Vec::new(),
        };
        let organisation = Organisation {
            former_names,
            leading_group: [("组长", 0), ("副组长", 1), ("副组长", 2), ("成员", 3), ("成员", 5), ("成员", 6)]
                .iter()
                .map(|(role, i)| member(role, &self.people[*i]))
                .collect(),
            work_team: [("牵头人", 1), ("办公室主任", 4), ("成员", 7), ("成员", 8), ("成员", 9)]
                .iter()
                .map(|(role, i)| member(role, &self.people[*i]))
                .collect(),
            liaison: Some(self.liaison().to_string()),
        };
        let road = self.dice.pick(&ROADS);
        let contacts = Contacts {
            phones: vec![format!("0000-{}", self.dice.between(2_000_000, 8_999_999))],
            emails: vec![format!("zhenggai{:04}@example.org", self.index + 1)],
            addresses: vec![format!(
                "{}{}{road}{}号{}（信封请注明“{}整改意见建议”）",
                self.org.city,
                self.org.district.unwrap_or(""),
                self.dice.between(1, 399),
                self.org.short,
                kind.as_str()
            )],
            postcodes: vec![format!("000{:03}", self.dice.between(100, 999))],
        };
        let title = match kind {
            Kind::Xuncha | Kind::Xunshi => format!("{unit}关于{}整改进展情况的通报", kind.as_str()),
            Kind::Audit => format!("{unit}关于审计发现问题整改情况的报告"),
            Kind::SpotCheck => format!("{unit}关于专项检查发现问题整改情况的通报"),
        };

        let mut ledger = Ledger {
            title: Some(title),
            unit: Some(unit),
            report_date: Some(PartialDate::from(self.today)),
            inspection: Inspection {
                inspector: Some(self.round.inspector.clone()),
                start: Some(PartialDate::from(self.round.start)),
                end: Some(PartialDate::from(self.round.end)),
                feedback_date: Some(PartialDate::from(self.round.feedback)),
                round: Some(self.round.name.clone()),
                kind: Some(kind),
                feedback_document: Some(feedback_document),
            },
            claimed: Claimed::default(),
            aspects,
            named_documents,
            contacts,
            organisation,
            outcomes,
            policy: RoundPolicy::default(),
        };
        ledger.claimed = claimed(&ledger);
        ledger
    }

    fn aspects(&mut self, outcomes: &mut Outcomes) -> Vec<Aspect> {
        // Political, duty and two-responsibilities aspects always; one to three of the others.
        let mut chosen = vec![0usize, 2, 3];
        let extra = self.dice.between(1, 3) as usize;
        chosen.extend(self.dice.sample(&[1usize, 4, 5], extra));
        chosen.sort_unstable();
        let counts = self.spread(PROBLEMS_PER_UNIT, chosen.len());
        let restart_numbers = self.dice.chance(50);
        let mut number = 0;
        let mut aspects = Vec::with_capacity(chosen.len());
        for (ai, (&which, &count)) in chosen.iter().zip(&counts).enumerate() {
            let phrase = &ASPECTS[which];
            if restart_numbers {
                number = 0;
            }
            let pool = self.problem_pool(phrase);
            let picked = self.dice.sample(&pool, count);
            let mut problems = Vec::with_capacity(count);
            for (pi, (title, topic, rule, money)) in picked.into_iter().enumerate() {
                number += 1;
                let at = ProblemRef { aspect: ai, problem: pi };
                problems.push(self.problem(phrase, at, number, &title, &topic, rule, money, outcomes));
            }
            aspects.push(Aspect {
                number: Some(CHINESE_NUMBERS[ai].to_string()),
                title: Some(format!("{}的整改", phrase.title)),
                problems,
            });
        }
        aspects
    }

    /// `total` spread over `parts`, each within two of the mean.
    fn spread(&mut self, total: usize, parts: usize) -> Vec<usize> {
        let mut counts = vec![total / parts; parts];
        for c in counts.iter_mut().take(total % parts) {
            *c += 1;
        }
        for _ in 0..parts {
            let from = self.dice.index(parts);
            let to = self.dice.index(parts);
            if counts[from] > total / parts - 1 && counts[to] < total / parts + 2 {
                counts[from] -= 1;
                counts[to] += 1;
            }
        }
        counts
    }

    /// The aspect's problems, plus those about the unit's own line of work.
    #[allow(clippy::type_complexity)]
    fn problem_pool(&self, phrase: &AspectPhrase) -> Vec<(String, String, Option<String>, Option<Money>)> {
        let mut pool: Vec<_> = phrase
            .problems
            .iter()
            .map(|p| (p.title.to_string(), p.topic.to_string(), p.rule.map(str::to_string), p.money))
            .collect();
        for pattern in phrase.business {
            for b in &self.org.business {
                pool.push((pattern.replace("{}", b), b.to_string(), Some(format!("{b}管理办法")), None));
            }
        }
        pool
    }

    #[allow(clippy::too_many_arguments)]
    fn problem(
        &mut self,
        aspect: &AspectPhrase,
        at: ProblemRef,
        number: usize,
        title: &str,
        topic: &str,
        rule: Option<String>,
        money: Option<Money>,
        outcomes: &mut Outcomes,
    ) -> Problem {
        let status = self.problem_status();
        let which = self.dice.index(3);
        let leader = self.deputies()[which].clone();
        let how_many = self.dice_between(1, 2);
        let departments = self.dice.sample(&self.org.offices, how_many);
        let liaison = self.people[self.dice.between(5, 11) as usize].clone();
        let statuses = self.measure_statuses(status);

        // The measures' actions: a rule, money or accountability when the problem calls for it.
        let mut plans: Vec<Plan> = vec![Plan::Action(self.dice.index(3))];
        if let Some(rule) = rule.filter(|_| self.dice.chance(60)) {
            plans.push(Plan::Rule(rule));
        }
        if let Some(m) = money.filter(|_| self.dice.chance(70)) {
            plans.push(Plan::Money(m));
        }
        if self.dice.chance(20) {
            plans.push(Plan::Accountability);
        }
        let mut actions: Vec<usize> = (3..MEASURE_ACTIONS.len()).collect();
        self.dice.shuffle(&mut actions);
        let mut actions = actions.into_iter();
        while plans.len() < MEASURES_PER_PROBLEM {
            plans.push(Plan::Action(actions.next().unwrap_or(3)));
        }

        let mut measures = Vec::with_capacity(MEASURES_PER_PROBLEM);
        for (mi, (plan, mstatus)) in plans.into_iter().zip(statuses).enumerate() {
            let at = MeasureRef { aspect: at.aspect, problem: at.problem, measure: mi };
            let responsibility = Responsibility {
                first_responsible: None,
                leader: Some(leader.clone()),
                departments: vec![self.dice.pick(&departments).to_string()],
                liaison: Some(liaison.clone()),
            };
            measures.push(self.measure(at, mi, topic, plan, mstatus, responsibility, outcomes));
        }

        let observation_a = self.dice.pick(&OBSERVATIONS);
        let observation_b = self.dice.pick(&OBSERVATIONS);
        let description = if observation_a == observation_b {
            format!("经查，{}在{topic}方面{observation_a}。", self.org.short)
        } else {
            format!("经查，{}在{topic}方面{observation_a}；{observation_b}。", self.org.short)
        };
        let disclosure = match self.dice.weighted(&[96, 3, 1]) {
            0 => Disclosure::Public,
            1 => Disclosure::WithheldOther,
            _ => Disclosure::WithheldPendingCase,
        };
        Problem {
            number: Some(number.to_string()),
            title: text(format!("针对{title}的问题")),
            status,
            measures,
            category: Some(aspect.category.to_string()),
            scope: Some(if self.dice.chance(70) { ProblemScope::General } else { ProblemScope::Specific }),
            description: Some(description),
            disclosure,
            responsibility: Responsibility {
                first_responsible: Some(self.secretary().to_string()),
                leader: Some(leader),
                departments: departments.iter().map(|d| d.to_string()).collect(),
                liaison: Some(liaison),
            },
        }
    }

    fn dice_between(&mut self, low: u32, high: u32) -> usize {
        self.dice.between(low, high) as usize
    }

    /// Older rounds are further along: about half the problems of the latest round are done,
    /// nearly all of a round two years back.
    fn problem_status(&mut self) -> Status {
        let age = (self.today - self.round.feedback).num_days().max(0);
        let completed = (40 + age / 10).clamp(40, 95) as u32;
        if self.dice.between(0, 99) < completed {
            return Status::Completed;
        }
        let not_started = if age < 300 { 12 } else { 2 };
        match self.dice.weighted(&[30, 40, not_started, 10, 8]) {
            0 => Status::LongTerm,
            1 => Status::InProgress,
            2 => Status::NotStarted,
            3 => Status::PendingVerification,
            _ => Status::Extended,
        }
    }

    fn measure_statuses(&mut self, problem: Status) -> [Status; MEASURES_PER_PROBLEM] {
        let mut out = [problem; MEASURES_PER_PROBLEM];
        match problem {
            Status::LongTerm => {
                let open = self.dice_between(1, 2);
                for (i, s) in out.iter_mut().enumerate() {
                    *s = if i >= MEASURES_PER_PROBLEM - open { Status::LongTerm } else { Status::Completed };
                }
            }
            Status::InProgress => {
                for s in out.iter_mut() {
                    *s = match self.dice.weighted(&[40, 45, 15]) {
                        0 => Status::Completed,
                        1 => Status::InProgress,
                        _ => Status::NotStarted,
                    };
                }
                let i = self.dice.index(MEASURES_PER_PROBLEM);
                out[i] = Status::InProgress;
            }
            Status::PendingVerification | Status::Extended => {
                for s in out.iter_mut() {
                    *s = if self.dice.chance(50) { Status::Completed } else { problem };
                }
                let i = self.dice.index(MEASURES_PER_PROBLEM);
                out[i] = problem;
            }
            _ => {}
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn measure(
        &mut self,
        at: MeasureRef,
        position: usize,
        topic: &str,
        plan: Plan,
        status: Status,
        responsibility: Responsibility,
        outcomes: &mut Outcomes,
    ) -> Measure {
        let feedback = self.round.feedback;
        let today = self.today;
        let kind = match status {
            Status::LongTerm => MeasureKind::LongTerm,
            _ if position == 0 && self.dice.chance(35) => MeasureKind::Immediate,
            _ => MeasureKind::TimeLimited,
        };
        let closed = matches!(status, Status::Completed);
        // The deadline: met (or missed) in the past for closed measures; spread around today for
        // open ones, so that the lights vary; the end of the year for long-term work.
        let deadline = match (kind, status) {
            (MeasureKind::LongTerm, _) => {
                let year = if today.month() >= 11 { today.year() + 1 } else { today.year() };
                PartialDate::Month(year, 12)
            }
            (MeasureKind::Immediate, _) if closed => PartialDate::from(days(feedback, self.dice.days(5, 30))),
            (_, _) if closed => {
                let due = days(feedback, self.dice.days(30, 180));
                if self.dice.chance(60) { PartialDate::Month(due.year(), due.month()) } else { PartialDate::from(due) }
            }
            (_, Status::Extended) => {
                let offset = match self.dice.weighted(&[30, 20, 50]) {
                    0 => self.dice.days(0, 10),
                    1 => self.dice.days(11, 20),
                    _ => self.dice.days(21, 200),
                };
                PartialDate::from(days(today, offset))
            }
            _ => {
                let offset = match self.dice.weighted(&[35, 20, 15, 30]) {
                    0 => self.dice.days(-150, -1),
                    1 => self.dice.days(0, 10),
                    2 => self.dice.days(11, 20),
                    _ => self.dice.days(21, 240),
                };
                PartialDate::from(days(today, offset).max(feedback))
            }
        };
        // When the work ended (closed or declared done), else the last report.
        let finished = match status {
            Status::Completed => {
                let due = deadline.latest().min(today);
                let earliest = days(feedback, 2).min(today);
                let done = if self.dice.chance(8) {
                    days(due, self.dice.days(5, 40))
                } else {
                    // Mostly shortly before the deadline, never before the work could start.
                    let room = (due - earliest).num_days().clamp(0, 60);
                    days(due, -self.dice.days(0, room))
                };
                done.clamp(earliest, today)
            }
            _ => days(today, -self.dice.days(0, 20)).max(feedback),
        };

        let committee = self.org.committee;
        let n = self.dice.between(2, 12);
        let m = self.dice.between(20, 300);
        let mut dates = Vec::new();
        let mut amounts = Vec::new();
        let mut documents = Vec::new();
        let body = match plan {
            Plan::Action(i) => {
                let pattern = MEASURE_ACTIONS[i.min(MEASURE_ACTIONS.len() - 1)];
                if pattern.contains("{d}") {
                    dates.push(deadline);
                }
                pattern
                    .replace("{t}", topic)
                    .replace("{n}", &n.to_string())
                    .replace("{m}", &m.to_string())
                    .replace("{u}", if self.org.committee == "党组" { "本系统" } else { "本单位" })
                    .replace("{d}", &deadline.to_chinese())
            }
            Plan::Rule(rule) => {
                let which = self.dice.index(MEASURE_RULES.len());
                let name = format!("{}{}", self.org.short, rule.replace("党组", committee));
                let title = DocumentTitle::new(&name).expect("generated rule names carry no 《》");
                documents.push(title.as_str().to_string());
                if matches!(status, Status::Completed | Status::LongTerm | Status::PendingVerification) {
                    outcomes.rules.push(Rule {
                        title,
                        action: if which.is_multiple_of(2) { RuleAction::Made } else { RuleAction::Revised },
                        date: Some(PartialDate::from(finished)),
                        measure: Some(at),
                    });
                }
                MEASURE_RULES[which].replace("{r}", &name)
            }
            Plan::Money(money) => {
                let options: Vec<&str> =
                    MEASURE_MONEY.iter().filter(|(k, _)| *k == money).map(|(_, pattern)| *pattern).collect();
                let pattern = self.dice.pick(&options);
                // Hundredths of 万元 (100 yuan); never a trailing zero, so the JSON number keeps
                // exactly the digits of the text.
                let mut hundredths =
                    if money == Money::Loss { self.dice.between(500, 30_000) } else { self.dice.between(30, 8_000) };
                if hundredths.is_multiple_of(10) {
                    hundredths += 1;
                }
                let amount = WanYuan::from_fen(i64::from(hundredths) * 10_000, 2).unwrap_or(WanYuan::ZERO);
                amounts.push(amount);
                if matches!(status, Status::Completed | Status::PendingVerification) {
                    outcomes.funds.push(Fund {
                        kind: match money {
                            Money::Refund => FundKind::Refunded,
                            Money::Recover => FundKind::Recovered,
                            Money::Loss => FundKind::LossesAvoided,
                        },
                        amount_wan_yuan: amount,
                        date: Some(PartialDate::from(finished)),
                        measure: Some(at),
                        note: Some(format!("{topic}问题整改")),
                    });
                }
                pattern.replace("{a}", &format!("{}.{:02}", hundredths / 100, hundredths % 100))
            }
            Plan::Accountability => {
                let weights: Vec<u32> = ACCOUNTABILITY_KINDS.iter().map(|k| k.1).collect();
                let (name, _, low, high) = ACCOUNTABILITY_KINDS[self.dice.weighted(&weights)];
                let count = self.dice.between(low, high);
                if matches!(status, Status::Completed | Status::PendingVerification | Status::LongTerm) {
                    outcomes.accountability.push(Accountability {
                        kind: text(name.to_string()),
                        count,
                        counting: if name == "提醒谈话" && self.dice.chance(30) {
                            Counting::PersonTimes
                        } else {
                            Counting::Persons
                        },
                        persons: Vec::new(),
                        date: Some(PartialDate::from(finished)),
                        problem: Some(ProblemRef { aspect: at.aspect, problem: at.problem }),
                    });
                }
                let pattern = self.dice.pick(&MEASURE_ACCOUNTABILITY);
                pattern.replace("{n}", &count.to_string()).replace("{k}", name)
            }
        };
        let body = body.replace("党组（党委）", committee);
        let measure_text = format!("{}{body}。", ENUMERATION[position.min(ENUMERATION.len() - 1)]);

        let progress = self.progress(topic, status, finished, !amounts.is_empty());
        let evidence = if closed && self.dice.chance(20) {
            vec![self.evidence(
                "报告",
                "application/pdf",
                150_000,
                1_200_000,
                format!("{topic}整改销号申请表"),
                finished,
            )]
        } else {
            Vec::new()
        };
        Measure {
            text: text(measure_text),
            dates,
            amounts_wan_yuan: amounts,
            documents,
            kind: Some(kind),
            deadline: Some(deadline),
            status: Some(status),
            responsibility,
            progress,
            evidence,
        }
    }

    /// Five dated reports from soon after the feedback to `last`, in date order.
    fn progress(&mut self, topic: &str, status: Status, last: NaiveDate, money: bool) -> Vec<ProgressEntry> {
        let first = days(self.round.feedback, self.dice.days(1, 10)).min(last);
        let span = (last - first).num_days().max(0);
        let mut offsets: Vec<i64> = (0..PROGRESS_PER_MEASURE - 1).map(|_| self.dice.days(0, span)).collect();
        offsets.sort_unstable();
        let mut dates: Vec<NaiveDate> = offsets.into_iter().map(|o| days(first, o)).collect();
        dates.push(last);

        let committee = self.org.committee;
        let fill = |pattern: &str, dice: &mut Dice| {
            pattern
                .replace("{t}", topic)
                .replace("{n}", &dice.between(2, 15).to_string())
                .replace("{m}", &dice.between(10, 200).to_string())
                .replace("党组（党委）", committee)
        };
        let mut texts: Vec<String> = Vec::with_capacity(PROGRESS_PER_MEASURE);
        if status == Status::NotStarted {
            let mut order: Vec<usize> = (0..PROGRESS_NOT_STARTED.len()).collect();
            self.dice.shuffle(&mut order);
            for i in order.into_iter().take(PROGRESS_PER_MEASURE) {
                texts.push(fill(PROGRESS_NOT_STARTED[i], &mut self.dice));
            }
        } else {
            let opening = *self.dice.pick(&PROGRESS_START);
            texts.push(fill(opening, &mut self.dice));
            let middle = self.dice.sample(&PROGRESS_MIDDLE, PROGRESS_PER_MEASURE - 2);
            for pattern in middle {
                texts.push(fill(pattern, &mut self.dice));
            }
            let closing: &[&str] = match status {
                Status::Completed => &PROGRESS_DONE,
                Status::PendingVerification => &PROGRESS_PENDING,
                Status::LongTerm => &PROGRESS_LONG_TERM,
                Status::Extended => &PROGRESS_EXTENDED,
                _ => &PROGRESS_OPEN,
            };
            let closing = *self.dice.pick(closing);
            texts.push(fill(closing, &mut self.dice));
        }

        let mut entries = Vec::with_capacity(PROGRESS_PER_MEASURE);
        for (step, (date, entry_text)) in dates.into_iter().zip(texts).enumerate() {
            let closing = step == PROGRESS_PER_MEASURE - 1;
            let wanted = match status {
                Status::NotStarted => 0,
                Status::Completed | Status::PendingVerification if closing => 1 + usize::from(self.dice.chance(30)),
                _ => usize::from(self.dice.chance(15)),
            };
            let mut evidence = Vec::with_capacity(wanted);
            for _ in 0..wanted {
                // Payment vouchers only where money was dealt with.
                let kinds = if money { &EVIDENCE[..] } else { &EVIDENCE[..EVIDENCE.len() - 1] };
                let (kind, media, low, high, pattern) = *self.dice.pick(kinds);
                let title = pattern
                    .replace("{t}", topic)
                    .replace("{d}", &PartialDate::from(date).to_chinese())
                    .replace("{n}", &self.dice.between(3, 24).to_string());
                evidence.push(self.evidence(kind, media, low, high, title, date));
            }
            entries.push(ProgressEntry { date: PartialDate::from(date), text: text(entry_text), evidence });
        }
        entries
    }

    /// Evidence metadata with the content address of a made-up file (unique per piece).
    fn evidence(&mut self, kind: &str, media: &str, low: u64, high: u64, title: String, date: NaiveDate) -> Evidence {
        self.evidence_counter += 1;
        let size = low + self.dice.u64() % (high - low).max(1);
        let content = format!("rectify-generator {} {} {} {title}", self.seed, self.index, self.evidence_counter);
        let digest = Sha256::digest(content.as_bytes());
        let sha256 = digest.iter().map(|b| format!("{b:02x}")).collect::<String>();
        Evidence {
            title: text(title),
            kind: Some(kind.to_string()),
            date: Some(PartialDate::from(date)),
            media_type: Some(media.to_string()),
            size_bytes: Some(size),
            sha256: Some(sha256),
        }
    }

    /// The rectification's meetings: the committee's first meeting on the feedback, the special
    /// democratic-life meeting, and dispatch meetings (调度会) up to today.
    fn meetings(&mut self, aspects: &[Aspect]) -> Vec<Meeting> {
        let feedback = self.round.feedback;
        let committee = self.org.committee;
        let kind_name = self.round.kind.as_str();
        let refs: Vec<ProblemRef> = aspects
            .iter()
            .enumerate()
            .flat_map(|(a, aspect)| (0..aspect.problems.len()).map(move |p| ProblemRef { aspect: a, problem: p }))
            .collect();
        let mut meetings = Vec::new();
        let first = days(feedback, self.dice.days(2, 7)).min(self.today);
        meetings.push(Meeting {
            kind: text(format!("{committee}会")),
            date: Some(PartialDate::from(first)),
            title: Some(format!("传达学习{kind_name}反馈意见专题{committee}会")),
            decisions: vec![MEETING_DECISIONS[0].to_string(), MEETING_DECISIONS[1].to_string()],
            problems: self.dice.sample(&refs, 2),
        });
        let life = days(feedback, self.dice.days(20, 40)).min(self.today);
        meetings.push(Meeting {
            kind: text("专题民主生活会".to_string()),
            date: Some(PartialDate::from(life)),
            title: Some(format!("{kind_name}整改专题民主生活会")),
            decisions: vec!["班子成员逐一对照反馈问题开展批评与自我批评".to_string()],
            problems: self.dice.sample(&refs, 3),
        });
        let dispatches = self.dice.between(2, 6) as i64;
        let span = (self.today - feedback).num_days().max(1);
        for i in 1..=dispatches {
            let date = days(feedback, span * i / (dispatches + 1));
            let decisions = self.dice.sample(&MEETING_DECISIONS[2..], 2).into_iter().map(str::to_string).collect();
            meetings.push(Meeting {
                kind: text("调度会".to_string()),
                date: Some(PartialDate::from(date)),
                title: Some(format!("{kind_name}整改工作第{}次调度会", CHINESE_NUMBERS[(i as usize - 1).min(9)])),
                decisions,
                problems: self.dice.sample(&refs, 3),
            });
        }
        meetings
    }
}

/// What a measure is mainly about.
enum Plan {
    /// An index into [`MEASURE_ACTIONS`].
    Action(usize),
    /// Make or revise a rule of this name (without the unit's name).
    Rule(String),
    Money(Money),
    Accountability,
}

/// The round of the unit: mostly the city's or district's inspection rounds (six of each, 150
/// days apart, the latest with its feedback two to three months ago), some province inspections
/// (巡视), economic-responsibility audits and spot checks.
fn round(dice: &mut Dice, org: &Org, today: NaiveDate) -> Round {
    let kind = match dice.weighted(&[86, 6, 5, 3]) {
        1 if org.level == Level::City => Kind::Xunshi,
        2 => Kind::Audit,
        3 => Kind::SpotCheck,
        _ => Kind::Xuncha,
    };
    let (committee, term, shift) = match org.level {
        Level::City => ("市委", TERMS[2], 0),
        Level::District => ("区委", TERMS[1], 20),
    };
    let group = CHINESE_NUMBERS[dice.index(8)];
    let level_word = if org.level == Level::City { "市" } else { "区" };
    let (name, inspector, start) = match kind {
        Kind::Xuncha | Kind::Xunshi => {
            let (count, spacing, label, body) = match kind {
                Kind::Xunshi => (3, 240, "省委", "巡视"),
                _ => (6, 150, committee, "巡察"),
            };
            let n = dice.index(count);
            let term = if kind == Kind::Xunshi { TERMS[2] } else { term };
            let ago = 190 + shift + (count - 1 - n) as i64 * spacing;
            (
                format!("{term}届{label}第{}轮{body}", CHINESE_NUMBERS[n]),
                format!("{label}第{group}{body}组"),
                days(today, -ago),
            )
        }
        Kind::Audit => {
            let year = today.year() - 1 - dice.index(2) as i32;
            (
                format!("{year}年度经济责任审计"),
                format!("{level_word}审计局第{group}审计组"),
                NaiveDate::from_ymd_opt(year, 3, 1).unwrap_or(today),
            )
        }
        Kind::SpotCheck => {
            let year = today.year() - 1 - dice.index(2) as i32;
            (
                format!("{year}年度“双随机、一公开”专项检查"),
                format!("{level_word}纪委监委专项检查组"),
                NaiveDate::from_ymd_opt(year, 5, 10).unwrap_or(today),
            )
        }
    };
    let end = days(start, 60 + dice.days(0, 15));
    let feedback = days(end, 35 + dice.days(0, 20)).min(days(today, -30));
    Round { kind, name, inspector, start, end: end.min(feedback), feedback }
}

/// The figures the report states about itself, taken from what the ledger lists.
fn claimed(ledger: &Ledger) -> Claimed {
    let stats = ledger.statistics();
    let mut accountability = Tally::default();
    for a in &ledger.outcomes.accountability {
        if a.counting == Counting::Persons {
            accountability.add(a.kind.as_str(), a.count);
        }
    }
    let funds = stats.funds_total();
    Claimed {
        aspects: Some(stats.aspects),
        problems: Some(stats.problems.total),
        measures: Some(stats.measures_total),
        completed: Some(stats.problems.completed),
        in_progress: Some(stats.problems.still_in_progress()),
        completion_rate_percent: stats.completion_percent(2).and_then(|p| p.parse().ok()),
        rules_made_or_revised: Some(stats.rules_total()),
        funds_recovered_wan_yuan: (funds != WanYuan::ZERO).then_some(funds),
        accountability,
    }
}
