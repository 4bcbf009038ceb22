//! Deadlines as ledgers write them: real date cells, Excel serial numbers, "2023年6月30日",
//! "2023.6", "2023/06", "6月底前" (year from context), and the words 立行立改 / 长期坚持.

use chrono::{Datelike, NaiveDate};
use rectify_domain::{MeasureKind, PartialDate};

/// What a 完成时限 cell says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Deadline {
    Date(PartialDate),
    /// A kind of rectification written instead of a date (立行立改, 长期坚持).
    Kind(MeasureKind),
}

/// Where the year of "6月底前" comes from.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct YearContext {
    pub feedback: Option<PartialDate>,
    pub previous: Option<PartialDate>,
}

impl YearContext {
    /// Deadlines follow the feedback: a month earlier in the year than the feedback month
    /// falls in the next year. Without a feedback date the previous deadline's year is used.
    fn year_for(&self, month: u32) -> Option<i32> {
        match self.feedback {
            Some(PartialDate::Year(y)) => Some(y),
            Some(PartialDate::Month(y, m)) => Some(if month >= m { y } else { y + 1 }),
            Some(PartialDate::Day(d)) => Some(if month >= d.month() { d.year() } else { d.year() + 1 }),
            None => self.previous.map(|p| p.year_number()),
        }
    }
}

/// Why a date could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DateError {
    Unreadable,
    NoYear,
}

impl DateError {
    pub(crate) fn message(&self, text: &str) -> String {
        match self {
            DateError::Unreadable => format!("cannot read {text:?} as a date"),
            DateError::NoYear => {
                format!(
                    "{text:?} gives no year, and the workbook has no feedback date or earlier deadline to take it from"
                )
            }
        }
    }
}

/// The day an Excel serial number stands for (1900 date system, including Excel's phantom
/// 29 February 1900).
pub(crate) fn serial_to_date(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    let days = if days < 61 { days + 1 } else { days };
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_signed(chrono::Duration::days(days))
}

/// A number in a date cell: a year (2023), a dotted month typed as a number (2023.6) or a serial.
pub(crate) fn parse_number(value: f64, ctx: YearContext) -> Result<PartialDate, DateError> {
    if value.fract() == 0.0 && (1949.0..=2200.0).contains(&value) {
        return PartialDate::year(value as i32).map_err(|_| DateError::Unreadable);
    }
    if (1949.0..2201.0).contains(&value) {
        return parse_text(&value.to_string(), ctx);
    }
    if value >= 10_000.0 {
        return serial_to_date(value).map(PartialDate::Day).ok_or(DateError::Unreadable);
    }
    Err(DateError::Unreadable)
}

/// Words that stand for a kind instead of a date.
fn kind_word(text: &str) -> Option<MeasureKind> {
    match text {
        "立行立改" | "即知即改" | "立巡立改" | "立即整改" => Some(MeasureKind::Immediate),
        "长期坚持" | "长期" | "持续推进" | "持续整改" | "长期整改" | "常态化" | "长期推进" => {
            Some(MeasureKind::LongTerm)
        }
        _ => None,
    }
}

/// Reads a deadline written as text.
pub(crate) fn parse_deadline_text(text: &str, ctx: YearContext) -> Result<Deadline, DateError> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let compact = compact.trim_matches(|c: char| "。.，,；;".contains(c));
    if let Some(kind) = kind_word(compact) {
        return Ok(Deadline::Kind(kind));
    }
    parse_text(compact, ctx).map(Deadline::Date)
}

/// Reads a date written as text, as precise as written.
pub(crate) fn parse_text(text: &str, ctx: YearContext) -> Result<PartialDate, DateError> {
    let mut t: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '／' => '/',
            '－' | '—' => '-',
            _ => c,
        })
        .collect();
    for prefix in ["截至", "截止", "于", "在"] {
        if let Some(rest) = t.strip_prefix(prefix) {
            t = rest.to_string();
        }
    }
    // "6月底前", "2023年12月31日以前", "2024年上半年" are read by their date part.
    loop {
        let before = t.len();
        for suffix in ["以前", "之前", "前", "底", "末", "中旬", "上旬", "下旬", "左右", "完成", "内", "号"]
        {
            if let Some(rest) = t.strip_suffix(suffix) {
                t = rest.to_string();
            }
        }
        if t.len() == before {
            break;
        }
    }
    let month_marked = t.contains('月');
    if t.ends_with('号') || t.ends_with('日') || t.ends_with('月') || t.ends_with('年') {
        t.pop();
    }
    // Split into runs of digits; anything else must be a date separator.
    let mut numbers: Vec<&str> = Vec::new();
    let mut start = None;
    for (i, c) in t.char_indices() {
        if c.is_ascii_digit() {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            numbers.push(&t[s..i]);
        }
        if !matches!(c, '年' | '月' | '日' | '号' | '.' | '/' | '-') {
            return Err(DateError::Unreadable);
        }
    }
    if let Some(s) = start {
        numbers.push(&t[s..]);
    }
    let value = |s: &str| s.parse::<u32>().map_err(|_| DateError::Unreadable);
    let bad = |_| DateError::Unreadable;
    match numbers.as_slice() {
        [y] if y.len() == 4 => PartialDate::year(value(y)? as i32).map_err(bad),
        [y, m] if y.len() == 4 => PartialDate::month(value(y)? as i32, value(m)?).map_err(bad),
        [y, m, d] if y.len() == 4 => PartialDate::day(value(y)? as i32, value(m)?, value(d)?).map_err(bad),
        [m] if m.len() <= 2 && month_marked => {
            let m = value(m)?;
            let y = ctx.year_for(m).ok_or(DateError::NoYear)?;
            PartialDate::month(y, m).map_err(bad)
        }
        [m, d] if m.len() <= 2 && month_marked => {
            let m = value(m)?;
            let y = ctx.year_for(m).ok_or(DateError::NoYear)?;
            PartialDate::day(y, m, value(d)?).map_err(bad)
        }
        _ => Err(DateError::Unreadable),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> PartialDate {
        s.parse().unwrap()
    }

    fn ctx(feedback: &str) -> YearContext {
        YearContext { feedback: Some(d(feedback)), previous: None }
    }

    #[test]
    fn written_forms() {
        let none = YearContext::default();
        assert_eq!(parse_text("2023年6月30日", none), Ok(d("2023-06-30")));
        assert_eq!(parse_text("2023年6月30日前", none), Ok(d("2023-06-30")));
        assert_eq!(parse_text("2023.6", none), Ok(d("2023-06")));
        assert_eq!(parse_text("2023/06", none), Ok(d("2023-06")));
        assert_eq!(parse_text("2023/6/5", none), Ok(d("2023-06-05")));
        assert_eq!(parse_text("2023-06-30", none), Ok(d("2023-06-30")));
        assert_eq!(parse_text("2023年底前", none), Ok(d("2023")));
        assert_eq!(parse_text("２０２３年１２月", none), Ok(d("2023-12")));
        assert_eq!(parse_text("2023年2月30日", none), Err(DateError::Unreadable));
        assert_eq!(parse_text("下个月", none), Err(DateError::Unreadable));
        assert_eq!(parse_text("6月底前", none), Err(DateError::NoYear));
    }

    #[test]
    fn month_only_takes_its_year_from_the_feedback() {
        assert_eq!(parse_text("6月底前", ctx("2023-02-13")), Ok(d("2023-06")));
        assert_eq!(parse_text("1月底前", ctx("2023-02-13")), Ok(d("2024-01")));
        assert_eq!(parse_text("3月15日前", ctx("2023-02")), Ok(d("2023-03-15")));
        let prev = YearContext { feedback: None, previous: Some(d("2024-05")) };
        assert_eq!(parse_text("6月", prev), Ok(d("2024-06")));
    }

    #[test]
    fn numbers_and_serials() {
        let none = YearContext::default();
        assert_eq!(parse_number(2024.0, none), Ok(d("2024")));
        assert_eq!(parse_number(2023.6, none), Ok(d("2023-06")));
        // 45107 is 30 June 2023 in Excel's 1900 system.
        assert_eq!(parse_number(45107.0, none), Ok(d("2023-06-30")));
        assert_eq!(parse_number(12.0, none), Err(DateError::Unreadable));
    }

    #[test]
    fn kind_words() {
        let none = YearContext::default();
        assert_eq!(parse_deadline_text("立行立改", none), Ok(Deadline::Kind(MeasureKind::Immediate)));
        assert_eq!(parse_deadline_text(" 长期坚持 ", none), Ok(Deadline::Kind(MeasureKind::LongTerm)));
        assert_eq!(parse_deadline_text("2023.6", none), Ok(Deadline::Date(d("2023-06"))));
    }
}
