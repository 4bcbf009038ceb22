//! The figures every published report states, computed from the ledger (never stored twice).

use serde::Serialize;

use crate::ledger::{Counting, FundKind, Ledger, MAX_RATE_DECIMALS, RuleAction};
use crate::money::WanYuan;
use crate::status::Status;

/// Problem counts by status. `total` is the number of problems fed back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ProblemCounts {
    pub total: u32,
    pub completed: u32,
    pub in_progress: u32,
    pub not_started: u32,
    pub basically_completed: u32,
    pub pending_verification: u32,
    pub extended: u32,
    pub long_term: u32,
    pub not_done: u32,
    pub unknown: u32,
}

impl ProblemCounts {
    fn count(&mut self, status: Status) {
        self.total += 1;
        let slot = match status {
            Status::Completed => &mut self.completed,
            Status::InProgress => &mut self.in_progress,
            Status::NotStarted => &mut self.not_started,
            Status::BasicallyCompleted => &mut self.basically_completed,
            Status::PendingVerification => &mut self.pending_verification,
            Status::Extended => &mut self.extended,
            Status::LongTerm => &mut self.long_term,
            Status::NotDone => &mut self.not_done,
            Status::Unknown => &mut self.unknown,
        };
        *slot += 1;
    }

    /// Problems still being worked on, the "正在整改" a report prints beside "已完成":
    /// everything that is neither completed, long-term, extended, not done nor unknown.
    pub fn still_in_progress(&self) -> u32 {
        self.in_progress + self.not_started + self.basically_completed + self.pending_verification
    }
}

/// A rate kept as its two counts, so the printed percentage can always be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rate {
    pub numerator: u32,
    pub denominator: u32,
}

impl Rate {
    /// The percentage rounded half-up to `decimals` places (at most [`MAX_RATE_DECIMALS`]),
    /// e.g. `98.71`; `None` for 0/0.
    pub fn percent(&self, decimals: u8) -> Option<String> {
        if self.denominator == 0 {
            return None;
        }
        let decimals = decimals.min(MAX_RATE_DECIMALS);
        let scale = 10u128.pow(decimals as u32);
        let num = self.numerator as u128 * 100 * scale;
        let den = self.denominator as u128;
        let rounded = (2 * num + den) / (2 * den);
        let whole = rounded / scale;
        if decimals == 0 {
            Some(whole.to_string())
        } else {
            Some(format!("{whole}.{:0width$}", rounded % scale, width = decimals as usize))
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        (self.denominator > 0).then(|| self.numerator as f64 * 100.0 / self.denominator as f64)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FundTotal {
    pub kind: FundKind,
    pub amount: WanYuan,
}

/// People held to account by one kind of measure; people and person-times are kept apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountabilityTotal {
    pub kind: String,
    pub persons: u32,
    pub person_times: u32,
}

impl AccountabilityTotal {
    /// 人次 of this kind: a person held to account in this way is one 人次 of it, and what was
    /// counted in 人次 stays as counted. So 人次 is never below 人.
    pub fn person_times_total(&self) -> u32 {
        self.persons.saturating_add(self.person_times)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeetingTotal {
    pub kind: String,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statistics {
    pub aspects: u32,
    pub problems: ProblemCounts,
    /// Closed problems ÷ all problems fed back (long-term ones count only if the round says so).
    pub completion: Rate,
    pub measures_total: u32,
    pub measures_completed: u32,
    pub rules_made: u32,
    pub rules_revised: u32,
    /// Every fund kind, in a fixed order, zero included.
    pub funds: Vec<FundTotal>,
    pub accountability: Vec<AccountabilityTotal>,
    pub meetings: Vec<MeetingTotal>,
}

impl Statistics {
    pub fn rules_total(&self) -> u32 {
        self.rules_made + self.rules_revised
    }

    pub fn funds_total(&self) -> WanYuan {
        self.funds.iter().fold(WanYuan::ZERO, |acc, f| acc.checked_add(f.amount).unwrap_or(acc))
    }

    /// 问责 over every kind, in 人次 (the one rule of every total of accountability): kinds
    /// cannot be added up as 人, since one person may be held to account in two ways.
    pub fn accountability_person_times(&self) -> u32 {
        self.accountability.iter().fold(0u32, |acc, a| acc.saturating_add(a.person_times_total()))
    }

    /// The people of the kinds that were counted in 人 (a part of the 人次 total, never more).
    pub fn accountability_persons_counted(&self) -> u32 {
        self.accountability.iter().fold(0u32, |acc, a| acc.saturating_add(a.persons))
    }

    pub fn completion_percent(&self, decimals: u8) -> Option<String> {
        self.completion.percent(decimals)
    }
}

impl Ledger {
    pub fn statistics(&self) -> Statistics {
        let mut problems = ProblemCounts::default();
        let mut measures_total = 0;
        let mut measures_completed = 0;
        for p in self.problems() {
            problems.count(p.status);
            for m in &p.measures {
                measures_total += 1;
                if m.status == Some(Status::Completed) {
                    measures_completed += 1;
                }
            }
        }
        let mut numerator = problems.completed;
        if self.policy.long_term_counts_as_completed {
            numerator += problems.long_term;
        }
        let o = &self.outcomes;
        let rules_made = o.rules.iter().filter(|r| r.action == RuleAction::Made).count() as u32;
        let rules_revised = o.rules.len() as u32 - rules_made;
        let funds = FundKind::ALL
            .into_iter()
            .map(|kind| FundTotal {
                kind,
                amount: o
                    .funds
                    .iter()
                    .filter(|f| f.kind == kind)
                    .fold(WanYuan::ZERO, |acc, f| acc.checked_add(f.amount_wan_yuan).unwrap_or(acc)),
            })
            .collect();
        let mut accountability: Vec<AccountabilityTotal> = Vec::new();
        for a in &o.accountability {
            let idx = match accountability.iter().position(|t| t.kind == a.kind.as_str()) {
                Some(i) => i,
                None => {
                    accountability.push(AccountabilityTotal { kind: a.kind.to_string(), persons: 0, person_times: 0 });
                    accountability.len() - 1
                }
            };
            let t = &mut accountability[idx];
            match a.counting {
                Counting::Persons => t.persons = t.persons.saturating_add(a.count),
                Counting::PersonTimes => t.person_times = t.person_times.saturating_add(a.count),
            }
        }
        let mut meetings: Vec<MeetingTotal> = Vec::new();
        for m in &o.meetings {
            match meetings.iter_mut().find(|t| t.kind == m.kind.as_str()) {
                Some(t) => t.count += 1,
                None => meetings.push(MeetingTotal { kind: m.kind.to_string(), count: 1 }),
            }
        }
        Statistics {
            aspects: self.aspects.len() as u32,
            problems,
            completion: Rate { numerator, denominator: problems.total },
            measures_total,
            measures_completed,
            rules_made,
            rules_revised,
            funds,
            accountability,
            meetings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_rates_reproduce() {
        // Figures from public bulletins quoted in the domain brief §2.2.
        assert_eq!(Rate { numerator: 688, denominator: 697 }.percent(2).unwrap(), "98.71");
        assert_eq!(Rate { numerator: 453, denominator: 471 }.percent(2).unwrap(), "96.18");
        assert_eq!(Rate { numerator: 19, denominator: 25 }.percent(0).unwrap(), "76");
        assert_eq!(Rate { numerator: 1148, denominator: 1157 }.percent(0).unwrap(), "99");
        assert_eq!(Rate { numerator: 685, denominator: 713 }.percent(2).unwrap(), "96.07");
        assert_eq!(Rate { numerator: 1, denominator: 8 }.percent(1).unwrap(), "12.5");
        assert_eq!(Rate { numerator: 1, denominator: 8 }.percent(0).unwrap(), "13"); // half-up
        assert_eq!(Rate { numerator: 0, denominator: 0 }.percent(2), None);
        // Huge counts and absurd precision neither overflow nor panic.
        assert_eq!(Rate { numerator: u32::MAX, denominator: u32::MAX }.percent(255).unwrap(), "100.000000");
    }

    fn kind(kind: &str, persons: u32, person_times: u32) -> AccountabilityTotal {
        AccountabilityTotal { kind: kind.into(), persons, person_times }
    }

    /// Issue 12: the home page read "21人、14人次" (people of some kinds beside person-times of
    /// another). Over every kind the total is in 人次, which never falls below the 人 in it.
    #[test]
    fn accountability_totals_are_person_times_and_never_below_the_persons() {
        let mut s = Statistics {
            aspects: 0,
            problems: ProblemCounts::default(),
            completion: Rate { numerator: 0, denominator: 0 },
            measures_total: 0,
            measures_completed: 0,
            rules_made: 0,
            rules_revised: 0,
            funds: Vec::new(),
            accountability: Vec::new(),
            meetings: Vec::new(),
        };
        s.accountability =
            vec![kind("批评教育", 9, 0), kind("诫勉", 12, 0), kind("约谈", 0, 14), kind("提醒谈话", 2, 3)];
        assert_eq!(s.accountability_persons_counted(), 23);
        assert_eq!(s.accountability_person_times(), 40);
        assert!(s.accountability.iter().all(|a| a.person_times_total() >= a.persons));
        s.accountability = vec![kind("诫勉", u32::MAX, 1)];
        assert_eq!(s.accountability_person_times(), u32::MAX, "saturates instead of wrapping");
        s.accountability.clear();
        assert_eq!(s.accountability_person_times(), 0);
    }
}
