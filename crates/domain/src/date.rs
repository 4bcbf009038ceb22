//! Dates as precise as the source gives them: a year, a month, or a day.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar date known to the year, the month or the day (`2023`, `2023-11`, `2023-11-05`).
///
/// Reports often say only "2023年11月" or "年底前"; storing a full date there would invent a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartialDate {
    Year(i32),
    Month(i32, u32),
    Day(NaiveDate),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid date {0:?}: expected YYYY, YYYY-MM or YYYY-MM-DD with a real calendar date")]
pub struct InvalidDate(pub String);

/// Years outside this range are typing errors in this field, not history.
const YEARS: std::ops::RangeInclusive<i32> = 1949..=2200;

impl PartialDate {
    pub fn year(y: i32) -> Result<Self, InvalidDate> {
        if YEARS.contains(&y) { Ok(Self::Year(y)) } else { Err(InvalidDate(y.to_string())) }
    }

    pub fn month(y: i32, m: u32) -> Result<Self, InvalidDate> {
        if YEARS.contains(&y) && (1..=12).contains(&m) {
            Ok(Self::Month(y, m))
        } else {
            Err(InvalidDate(format!("{y}-{m}")))
        }
    }

    pub fn day(y: i32, m: u32, d: u32) -> Result<Self, InvalidDate> {
        match NaiveDate::from_ymd_opt(y, m, d) {
            Some(date) if YEARS.contains(&y) => Ok(Self::Day(date)),
            _ => Err(InvalidDate(format!("{y}-{m}-{d}"))),
        }
    }

    pub fn year_number(&self) -> i32 {
        match *self {
            Self::Year(y) | Self::Month(y, _) => y,
            Self::Day(d) => d.year(),
        }
    }

    /// The first day the date can mean.
    pub fn earliest(&self) -> NaiveDate {
        match *self {
            Self::Year(y) => first_day(y, 1),
            Self::Month(y, m) => first_day(y, m),
            Self::Day(d) => d,
        }
    }

    /// The last day the date can mean: a deadline "2023-11" runs to 30 November.
    pub fn latest(&self) -> NaiveDate {
        match *self {
            Self::Year(y) => last_day(y, 12),
            Self::Month(y, m) => last_day(y, m),
            Self::Day(d) => d,
        }
    }

    /// The form official documents use: `2024年7月23日`, no zero padding (GB/T 9704).
    pub fn to_chinese(&self) -> String {
        match *self {
            Self::Year(y) => format!("{y}年"),
            Self::Month(y, m) => format!("{y}年{m}月"),
            Self::Day(d) => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        }
    }
}

fn first_day(y: i32, m: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(NaiveDate::MIN)
}

fn last_day(y: i32, m: u32) -> NaiveDate {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    first_day(ny, nm).pred_opt().unwrap_or(NaiveDate::MAX)
}

impl From<NaiveDate> for PartialDate {
    fn from(d: NaiveDate) -> Self {
        Self::Day(d)
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Year(y) => write!(f, "{y:04}"),
            Self::Month(y, m) => write!(f, "{y:04}-{m:02}"),
            Self::Day(d) => write!(f, "{}", d.format("%Y-%m-%d")),
        }
    }
}

impl FromStr for PartialDate {
    type Err = InvalidDate;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || InvalidDate(s.to_string());
        let parts: Vec<&str> = s.split('-').collect();
        let num = |p: &str, len: usize| -> Result<u32, InvalidDate> {
            if p.len() == len && p.bytes().all(|b| b.is_ascii_digit()) {
                p.parse().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        match parts.as_slice() {
            [y] => Self::year(num(y, 4)? as i32).map_err(|_| bad()),
            [y, m] => Self::month(num(y, 4)? as i32, num(m, 2)?).map_err(|_| bad()),
            [y, m, d] => Self::day(num(y, 4)? as i32, num(m, 2)?, num(d, 2)?).map_err(|_| bad()),
            _ => Err(bad()),
        }
    }
}

impl PartialOrd for PartialDate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Ordered by the first day each date can mean, then by precision (coarser first).
impl Ord for PartialDate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.earliest().cmp(&other.earliest()).then_with(|| self.latest().cmp(&other.latest()).reverse())
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_three_precisions_and_prints_them_back() {
        for s in ["2023", "2023-11", "2024-02-29"] {
            let d: PartialDate = s.parse().expect(s);
            assert_eq!(d.to_string(), s);
        }
    }

    #[test]
    fn refuses_impossible_or_malformed_dates() {
        for s in ["2023-02-29", "2023-13", "23-01-01", "2023-1-5", "", "2023-01-01-01", "１９９９"] {
            assert!(s.parse::<PartialDate>().is_err(), "{s} should be refused");
        }
    }

    #[test]
    fn month_deadline_runs_to_the_end_of_the_month() {
        let d: PartialDate = "2024-02".parse().unwrap();
        assert_eq!(d.latest(), NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
        assert_eq!(d.earliest(), NaiveDate::from_ymd_opt(2024, 2, 1).unwrap());
    }

    #[test]
    fn chinese_form_has_no_zero_padding() {
        let d: PartialDate = "2024-07-03".parse().unwrap();
        assert_eq!(d.to_chinese(), "2024年7月3日");
        assert_eq!("2023-09".parse::<PartialDate>().unwrap().to_chinese(), "2023年9月");
    }
}
