//! Unit indicators (整改指标): figures a unit tracks through its rectification, such as
//! 一网通办 全程网办率 rising from 70% to 85.71%, each with a baseline, an optional target and
//! dated readings.

use std::fmt;

use chrono::{Datelike, NaiveDate};

/// The longest indicator name, in characters.
pub const NAME_MAX: usize = 60;
/// The longest unit of measure (%, 个, 万元, 项…), in characters.
pub const UNIT_MAX: usize = 10;
/// The longest note of a reading, in characters.
pub const NOTE_MAX: usize = 500;
/// The largest magnitude of a value (a trillion).
const MAGNITUDE_MAX: i64 = 1_000_000_000_000 * SCALE;
const SCALE: i64 = 10_000;

/// 指标数值: a decimal with at most four places, held exactly as ten-thousandths so that both
/// databases store and compare it alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IndicatorValue(i64);

/// Why a typed value is no indicator value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadValue(pub String);

impl IndicatorValue {
    /// Reads `85.71`, `-3`, `1,200.5` (thousands commas and surrounding blanks ignored).
    pub fn parse(text: &str) -> Result<Self, BadValue> {
        let bad = || BadValue(format!("“{}”不是有效的数值（最多四位小数）。", text.trim()));
        let cleaned: String = text.trim().chars().filter(|c| *c != ',' && *c != '，').collect();
        let (negative, digits) = match cleaned.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, cleaned.strip_prefix('+').unwrap_or(&cleaned)),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() && fraction.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !fraction.bytes().all(|b| b.is_ascii_digit())
            || fraction.len() > 4
            || whole.len() > 13
        {
            return Err(bad());
        }
        let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
        let fraction: i64 = format!("{fraction:0<4}").parse().map_err(|_| bad())?;
        let magnitude = whole.checked_mul(SCALE).and_then(|w| w.checked_add(fraction)).ok_or_else(bad)?;
        if magnitude > MAGNITUDE_MAX {
            return Err(BadValue(format!("“{}”超出可记录的范围。", text.trim())));
        }
        Ok(IndicatorValue(if negative { -magnitude } else { magnitude }))
    }

    /// The value of a stored count of ten-thousandths, if in range.
    pub fn from_ten_thousandths(n: i64) -> Option<Self> {
        (n.abs() <= MAGNITUDE_MAX).then_some(IndicatorValue(n))
    }

    pub fn ten_thousandths(self) -> i64 {
        self.0
    }
}

impl fmt::Display for IndicatorValue {
    /// The shortest decimal: `85.71`, `70`, `-0.5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let (whole, fraction) = (self.0.abs() / SCALE, self.0.abs() % SCALE);
        if fraction == 0 {
            write!(f, "{sign}{whole}")
        } else {
            let fraction = format!("{fraction:04}");
            write!(f, "{sign}{whole}.{}", fraction.trim_end_matches('0'))
        }
    }
}

/// An indicator as reports tell it: its name, unit, baseline, target, and latest reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorSummary {
    pub name: String,
    /// 计量单位: %, 个, 万元….
    pub unit_of_measure: String,
    /// 整改前 (基线).
    pub baseline: IndicatorValue,
    /// 目标值.
    pub target: Option<IndicatorValue>,
    /// The latest reading, by date.
    pub latest: Option<(NaiveDate, IndicatorValue)>,
}

impl IndicatorSummary {
    /// A value with its unit: `85.71%`, `12个`.
    pub fn with_unit(&self, v: IndicatorValue) -> String {
        format!("{v}{}", self.unit_of_measure)
    }

    /// The change of the latest reading from the baseline, with its unit (a percentage's change
    /// is in 个百分点); None before the first reading.
    pub fn change(&self) -> Option<String> {
        let (_, latest) = self.latest?;
        let delta = IndicatorValue(latest.0 - self.baseline.0);
        let unit = if self.unit_of_measure == "%" { "个百分点".to_owned() } else { self.unit_of_measure.clone() };
        Some(match delta.0.signum() {
            1 => format!("+{delta}{unit}"),
            -1 => format!("{delta}{unit}"),
            _ => "持平".to_owned(),
        })
    }

    /// One sentence for a report, e.g. “一网通办全程网办率”由整改前的70%提升至85.71%（截至2026年11月20日），
    /// 目标90%。
    pub fn sentence(&self) -> String {
        let mut out = format!("“{}”", self.name);
        match self.latest {
            None => out.push_str(&format!("整改前为{}，尚无整改后数据", self.with_unit(self.baseline))),
            Some((date, value)) => {
                let verb = match value.cmp(&self.baseline) {
                    std::cmp::Ordering::Greater => "提升至",
                    std::cmp::Ordering::Less => "降至",
                    std::cmp::Ordering::Equal => "保持在",
                };
                out.push_str(&format!(
                    "由整改前的{}{verb}{}（截至{}年{}月{}日）",
                    self.with_unit(self.baseline),
                    self.with_unit(value),
                    date.year(),
                    date.month(),
                    date.day()
                ));
            }
        }
        if let Some(target) = self.target {
            out.push_str(&format!("，目标{}", self.with_unit(target)));
        }
        out.push('。');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> IndicatorValue {
        IndicatorValue::parse(text).unwrap()
    }

    #[test]
    fn values_read_and_print_exactly() {
        assert_eq!(v("85.71").ten_thousandths(), 857_100);
        assert_eq!(v(" 1,200.5 ").to_string(), "1200.5");
        assert_eq!(v("-0.25").to_string(), "-0.25");
        assert_eq!(v("70").to_string(), "70");
        assert_eq!(v(".5").to_string(), "0.5");
        for bad in ["", "-", ".", "abc", "1.23456", "1e5", "12.3.4", "99999999999999"] {
            assert!(IndicatorValue::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_sentence_tells_the_change_and_the_target() {
        let mut s = IndicatorSummary {
            name: "一网通办全程网办率".into(),
            unit_of_measure: "%".into(),
            baseline: v("70"),
            target: Some(v("90")),
            latest: None,
        };
        assert_eq!(s.sentence(), "“一网通办全程网办率”整改前为70%，尚无整改后数据，目标90%。");
        assert_eq!(s.change(), None);
        s.latest = Some((NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(), v("85.71")));
        assert_eq!(s.sentence(), "“一网通办全程网办率”由整改前的70%提升至85.71%（截至2026年11月20日），目标90%。");
        assert_eq!(s.change().as_deref(), Some("+15.71个百分点"));
        s.unit_of_measure = "个".into();
        s.latest = Some((NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(), v("60")));
        assert_eq!(s.change().as_deref(), Some("-10个"));
    }

    proptest::proptest! {
        #[test]
        fn printing_then_reading_gives_the_same_value(n in -MAGNITUDE_MAX..=MAGNITUDE_MAX) {
            let value = IndicatorValue(n);
            proptest::prop_assert_eq!(IndicatorValue::parse(&value.to_string()).unwrap(), value);
        }
    }
}
