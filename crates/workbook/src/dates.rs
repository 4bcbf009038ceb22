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
    /// A kind with a date beside it ("长期坚持，2024年6月底前见成效").
    Both(MeasureKind, PartialDate),
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
        "立行立改" | "即知即改" | "立巡立改" | "立即整改" | "即查即改" | "立查立改" | "立改立行" => {
            Some(MeasureKind::Immediate)
        }
        "长期坚持" | "长期" | "持续推进" | "持续整改" | "长期整改" | "常态化" | "长期推进" | "常态化推进"
        | "长期执行" | "持续坚持" => Some(MeasureKind::LongTerm),
        "限期整改" => Some(MeasureKind::TimeLimited),
        _ => None,
    }
}

/// A kind word at the start of the text and what follows it ("长期坚持，2024年底前…").
fn leading_kind(text: &str) -> Option<(MeasureKind, &str)> {
    let words = ["立行立改", "即知即改", "立即整改", "长期坚持", "持续整改", "长期整改", "常态化推进", "持续推进"];
    words.iter().find_map(|w| {
        let rest = text.strip_prefix(w)?;
        Some((kind_word(w)?, rest.trim_start_matches(|c: char| "，,；;、（(：: ".contains(c))))
    })
}

/// "2024年3月至6月", "2024.3—2024.6": the end of a span is the deadline.
fn span_end(text: &str) -> Option<(&str, &str)> {
    let (from, to) = text.split_once(['至', '~', '～', '—'])?;
    (!from.is_empty() && !to.is_empty()).then_some((from, to))
}

/// Reads a deadline written as text.
pub(crate) fn parse_deadline_text(text: &str, ctx: YearContext) -> Result<Deadline, DateError> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let compact = compact.trim_matches(|c: char| "。.，,；;".contains(c));
    if let Some(kind) = kind_word(compact) {
        return Ok(Deadline::Kind(kind));
    }
    if let Some((kind, rest)) = leading_kind(compact) {
        let rest = rest.trim_end_matches(|c: char| "）)".contains(c));
        return Ok(match parse_text(rest, ctx).ok().or_else(|| first_date_in(rest, ctx)) {
            Some(d) => Deadline::Both(kind, d),
            None => Deadline::Kind(kind),
        });
    }
    if let Some((from, to)) = span_end(compact) {
        // The end takes its year from the start when it gives none ("2024年3月至6月").
        let start = parse_text(from, ctx).ok();
        let ctx = YearContext { feedback: None, previous: start.or(ctx.previous) };
        if let Ok(end) = parse_text(to, ctx) {
            return Ok(Deadline::Date(end));
        }
    }
    parse_text(compact, ctx).map(Deadline::Date)
}

/// "上半年" and "一季度" as the month they end in.
fn part_of_year(text: &str) -> Option<(&str, u32)> {
    const PARTS: [(&str, u32); 10] = [
        ("上半年", 6),
        ("下半年", 12),
        ("第一季度", 3),
        ("第二季度", 6),
        ("第三季度", 9),
        ("第四季度", 12),
        ("一季度", 3),
        ("二季度", 6),
        ("三季度", 9),
        ("四季度", 12),
    ];
    PARTS.iter().find_map(|(word, month)| text.strip_suffix(word).map(|year| (year, *month)))
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
    if let Some((year, month)) = part_of_year(&t) {
        let year: String = year.chars().filter(char::is_ascii_digit).collect();
        return match year.parse::<i32>() {
            Ok(y) if year.len() == 4 => PartialDate::month(y, month).map_err(|_| DateError::Unreadable),
            _ => Err(DateError::Unreadable),
        };
    }
    // "20240305" typed without separators.
    if t.len() == 8 && t.chars().all(|c| c.is_ascii_digit()) {
        let n = |r: std::ops::Range<usize>| t.get(r).and_then(|s| s.parse::<u32>().ok()).ok_or(DateError::Unreadable);
        return PartialDate::day(n(0..4)? as i32, n(4..6)?, n(6..8)?).map_err(|_| DateError::Unreadable);
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

/// The first date written anywhere in a text ("…于2024年3月5日印发…", "截至2024.6.30").
pub(crate) fn first_date_in(text: &str, ctx: YearContext) -> Option<PartialDate> {
    let chars: Vec<char> = text.chars().collect();
    let is_digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    for start in 0..chars.len() {
        let starts_year = chars[start..].iter().take(4).filter(|c| is_digit(**c)).count() == 4
            && (start == 0 || !is_digit(chars[start - 1]))
            && chars.get(start + 4).is_some_and(|c| "年.-/．／".contains(*c));
        if !starts_year {
            continue;
        }
        // The longest run of date characters from here that reads as a date.
        let end = (start..chars.len())
            .take_while(|&i| is_digit(chars[i]) || "年月日号.-/．／".contains(chars[i]))
            .last()
            .map_or(start, |i| i + 1);
        for stop in (start + 4..=end).rev() {
            let candidate: String = chars[start..stop].iter().collect();
            if let Ok(d) = parse_text(&candidate, ctx) {
                return Some(d);
            }
        }
    }
    None
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
    fn dates_inside_texts() {
        let none = YearContext::default();
        assert_eq!(first_date_in("已于2024年3月5日印发制度。", none), Some(d("2024-03-05")));
        assert_eq!(first_date_in("示例局整改台账（截至2024.6.30）", none), Some(d("2024-06-30")));
        assert_eq!(first_date_in("2024年6月，召开会议", none), Some(d("2024-06")));
        assert_eq!(first_date_in("共12345项", none), None);
        assert_eq!(first_date_in("已完成", none), None);
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
        assert_eq!(parse_deadline_text("长期", none), Ok(Deadline::Kind(MeasureKind::LongTerm)));
        assert_eq!(
            parse_deadline_text("长期坚持，2024年6月底前见成效", none),
            Ok(Deadline::Both(MeasureKind::LongTerm, d("2024-06")))
        );
        assert_eq!(
            parse_deadline_text("立行立改（2024年3月5日）", none),
            Ok(Deadline::Both(MeasureKind::Immediate, d("2024-03-05")))
        );
    }

    #[test]
    fn every_common_written_form() {
        let none = YearContext::default();
        for (text, want) in [
            ("2024.3.5", "2024-03-05"),
            ("2024-3-5", "2024-03-05"),
            ("2024/3/5", "2024-03-05"),
            ("2024年3月5日", "2024-03-05"),
            ("2024年3月5号", "2024-03-05"),
            ("20240305", "2024-03-05"),
            ("2024年3月", "2024-03"),
            ("2024年3月底", "2024-03"),
            ("2024年3月底前完成", "2024-03"),
            ("2024.03", "2024-03"),
            ("2024年上半年", "2024-06"),
            ("2024年第三季度", "2024-09"),
            ("2024年", "2024"),
        ] {
            assert_eq!(parse_deadline_text(text, none), Ok(Deadline::Date(d(want))), "{text}");
        }
        assert_eq!(parse_deadline_text("3月底前", ctx("2024-01-10")), Ok(Deadline::Date(d("2024-03"))));
        assert_eq!(parse_deadline_text("2024年3月至6月", none), Ok(Deadline::Date(d("2024-06"))));
        assert_eq!(parse_deadline_text("2024.3～2024.9", none), Ok(Deadline::Date(d("2024-09"))));
        assert_eq!(parse_deadline_text("20241341", none), Err(DateError::Unreadable));
    }
}
