//! China's working-day calendar: public holidays and the weekend days that are worked in
//! exchange (调休), so that deadlines counted in working days come out as offices count them.

use std::collections::{BTreeSet, HashSet};
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate, Weekday};

const DATA: &str = include_str!("../data/cn-workdays.txt");

/// The calendar shipped with the program (see `data/cn-workdays.txt` for its sources).
pub static CALENDAR: LazyLock<WorkCalendar> =
    LazyLock::new(|| WorkCalendar::parse(DATA).unwrap_or_else(|e| panic!("built-in calendar data is invalid: {e}")));

#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    years: BTreeSet<i32>,
    days_off: HashSet<NaiveDate>,
    extra_workdays: HashSet<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("calendar line {line}: {message}")]
pub struct CalendarError {
    pub line: usize,
    pub message: String,
}

impl WorkCalendar {
    /// Reads the `year` / `off FIRST [LAST]` / `work DAY` format.
    pub fn parse(text: &str) -> Result<Self, CalendarError> {
        let mut cal = WorkCalendar::default();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let err = |message: String| CalendarError { line: i + 1, message };
            let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| err(format!("{s}: {e}")));
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["year", y] => {
                    cal.years.insert(y.parse().map_err(|_| err(format!("bad year {y}")))?);
                }
                ["off", first] => {
                    cal.days_off.insert(date(first)?);
                }
                ["off", first, last] => {
                    let (first, last) = (date(first)?, date(last)?);
                    if last < first {
                        return Err(err("range ends before it starts".into()));
                    }
                    cal.days_off.extend(first.iter_days().take_while(|d| *d <= last));
                }
                ["work", day] => {
                    let day = date(day)?;
                    if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                        return Err(err(format!("{day} is not a weekend day")));
                    }
                    cal.extra_workdays.insert(day);
                }
                _ => return Err(err(format!("cannot read {line:?}"))),
            }
        }
        Ok(cal)
    }

    /// Whether the calendar knows the holidays of `year` (otherwise Monday–Friday is assumed).
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.extra_workdays.contains(&day) {
            return true;
        }
        if self.days_off.contains(&day) {
            return false;
        }
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// Working days from `from` (exclusive) to `to` (inclusive); negative when `to` is earlier.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let (a, b, sign) = if to >= from { (from, to, 1) } else { (to, from, -1) };
        let count = a.iter_days().skip(1).take_while(|d| *d <= b).filter(|d| self.is_working_day(*d)).count() as i64;
        sign * count
    }

    /// The day `n` working days after `from` (e.g. a plan due "within 10 working days").
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> NaiveDate {
        let mut day = from;
        let mut left = n;
        while left > 0 {
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn holidays_and_make_up_days() {
        let c = &*CALENDAR;
        assert!(!c.is_working_day(d("2024-10-03")), "National Day week");
        assert!(c.is_working_day(d("2024-10-12")), "a Saturday worked in exchange");
        assert!(!c.is_working_day(d("2024-10-13")), "an ordinary Sunday");
        assert!(c.is_working_day(d("2024-10-14")));
        assert!(!c.is_working_day(d("2025-01-29")), "Spring Festival");
        assert!(c.is_working_day(d("2025-02-08")));
        assert!(c.covers(2025) && !c.covers(2040));
    }

    #[test]
    fn ten_working_days_after_a_feedback_before_national_day() {
        // Feedback on Friday 27 September 2024: the worked Sunday 29 September counts, the
        // holiday week does not.
        let c = &*CALENDAR;
        assert_eq!(c.add_working_days(d("2024-09-27"), 1), d("2024-09-29"));
        assert_eq!(c.add_working_days(d("2024-09-27"), 2), d("2024-09-30"));
        // 29 Sep, 30 Sep, 8–11 Oct, the worked Saturday 12 Oct, 14–16 Oct.
        assert_eq!(c.add_working_days(d("2024-09-27"), 10), d("2024-10-16"));
        assert_eq!(c.working_days_between(d("2024-09-27"), d("2024-10-16")), 10);
        assert_eq!(c.working_days_between(d("2024-10-16"), d("2024-09-27")), -10);
    }

    #[test]
    fn malformed_data_is_refused_with_its_line() {
        let e = WorkCalendar::parse("year 2024\nwork 2024-10-14\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(WorkCalendar::parse("off 2024-10-07 2024-10-01").is_err());
    }
}
