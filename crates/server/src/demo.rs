//! The built-in demo: a fictional district housing bureau (青禾市河西区住房和城乡建设局) six
//! months into the rectification of an inspection round.
//!
//! The data lives in `demo/demo-ledger.json` with fixed dates. Its report date is the anchor:
//! [`demo_ledger`] moves every date — structured fields and dates written in the prose — by the
//! whole number of months between the anchor and `today`, so that whenever the demo runs some
//! deadlines have passed, some fall in the current month and some lie ahead. Shifting by months
//! rather than days keeps month-precise dates (`2024-05`) month-precise.

use chrono::{Datelike, Months, NaiveDate};
use rectify_domain::{DocumentTitle, Ledger, NonEmptyText, PartialDate};

/// The demo ledger as stored, with its anchor dates.
pub const DEMO_LEDGER_JSON: &str = include_str!("../demo/demo-ledger.json");

/// The demo ledger with its dates moved so that its report date falls in the month of `today`.
///
/// # Panics
///
/// Only if the embedded JSON is invalid, which the crate's tests rule out.
pub fn demo_ledger(today: NaiveDate) -> Ledger {
    let mut ledger = Ledger::from_json(DEMO_LEDGER_JSON).expect("the embedded demo ledger is valid");
    let months = match ledger.report_date {
        Some(anchor) => months_between(anchor.earliest(), today),
        None => 0,
    };
    shift_ledger(&mut ledger, months);
    ledger
}

/// Whole months from the month of `from` to the month of `to` (negative when `to` is earlier).
fn months_between(from: NaiveDate, to: NaiveDate) -> i32 {
    (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32
}

/// Moves every date of the ledger, in fields and in prose, by `months`.
fn shift_ledger(ledger: &mut Ledger, months: i32) {
    if months == 0 {
        return;
    }
    let d = |date: &mut PartialDate| *date = shift_date(*date, months);
    let od = |date: &mut Option<PartialDate>| {
        if let Some(x) = date {
            *x = shift_date(*x, months);
        }
    };
    let t = |text: &mut String| *text = shift_text(text, months);
    let ne = |text: &mut NonEmptyText| {
        if let Ok(shifted) = NonEmptyText::new(shift_text(text, months)) {
            *text = shifted;
        }
    };
    let ot = |text: &mut Option<String>| {
        if let Some(x) = text {
            *x = shift_text(x, months);
        }
    };

    ot(&mut ledger.title);
    od(&mut ledger.report_date);
    let insp = &mut ledger.inspection;
    od(&mut insp.start);
    od(&mut insp.end);
    od(&mut insp.feedback_date);
    ot(&mut insp.feedback_document);
    ledger.named_documents.iter_mut().for_each(t);
    for name in &mut ledger.organisation.former_names {
        od(&mut name.until);
    }
    for aspect in &mut ledger.aspects {
        ot(&mut aspect.title);
        for problem in &mut aspect.problems {
            ne(&mut problem.title);
            ot(&mut problem.description);
            for measure in &mut problem.measures {
                ne(&mut measure.text);
                measure.dates.iter_mut().for_each(d);
                measure.documents.iter_mut().for_each(t);
                od(&mut measure.deadline);
                for entry in &mut measure.progress {
                    d(&mut entry.date);
                    ne(&mut entry.text);
                    for evidence in &mut entry.evidence {
                        ne(&mut evidence.title);
                        od(&mut evidence.date);
                    }
                }
                for evidence in &mut measure.evidence {
                    ne(&mut evidence.title);
                    od(&mut evidence.date);
                }
            }
        }
    }
    let outcomes = &mut ledger.outcomes;
    for rule in &mut outcomes.rules {
        od(&mut rule.date);
        if let Ok(title) = DocumentTitle::new(&shift_text(rule.title.as_str(), months)) {
            rule.title = title;
        }
    }
    for fund in &mut outcomes.funds {
        od(&mut fund.date);
        ot(&mut fund.note);
    }
    for a in &mut outcomes.accountability {
        od(&mut a.date);
    }
    for meeting in &mut outcomes.meetings {
        od(&mut meeting.date);
        ot(&mut meeting.title);
        meeting.decisions.iter_mut().for_each(t);
    }
}

/// Moves a date by whole months. A day that does not exist in the target month becomes the
/// month's last day; a year-only date moves like 1 January of that year. Dates that would leave
/// the supported range stay as they are.
fn shift_date(date: PartialDate, months: i32) -> PartialDate {
    let shifted = match date {
        PartialDate::Day(day) => {
            let step = Months::new(months.unsigned_abs());
            let moved = if months >= 0 { day.checked_add_months(step) } else { day.checked_sub_months(step) };
            moved.and_then(|x| PartialDate::day(x.year(), x.month(), x.day()).ok())
        }
        PartialDate::Month(year, month) => {
            let (y, m) = add_months(year, month, months);
            PartialDate::month(y, m).ok()
        }
        PartialDate::Year(year) => PartialDate::year(add_months(year, 1, months).0).ok(),
    };
    shifted.unwrap_or(date)
}

fn add_months(year: i32, month: u32, months: i32) -> (i32, u32) {
    let index = year * 12 + month as i32 - 1 + months;
    (index.div_euclid(12), index.rem_euclid(12) as u32 + 1)
}

/// Rewrites the dates written in Chinese prose (`2024年1月19日`, `2024年5月`, `2024年`) by
/// `months`, in the unpadded form official documents use. A month or day written without its
/// year is left alone, so the demo data always writes the year.
fn shift_text(text: &str, months: i32) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let starts_number = chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_digit());
        if starts_number && let Some((date, len)) = read_chinese_date(&chars[i..]) {
            out.push_str(&shift_date(date, months).to_chinese());
            i += len;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Reads `YYYY年[M月[D日]]` at the start of `chars`; returns the date and the characters used.
fn read_chinese_date(chars: &[char]) -> Option<(PartialDate, usize)> {
    let (year, mut used) = read_number(chars, 4, 4)?;
    if chars.get(used) != Some(&'年') {
        return None;
    }
    used += 1;
    let Some((month, month_len)) =
        read_number(&chars[used..], 1, 2).filter(|&(_, n)| chars.get(used + n) == Some(&'月'))
    else {
        return Some((PartialDate::year(year as i32).ok()?, used));
    };
    let month_end = used + month_len + 1;
    let day = read_number(&chars[month_end..], 1, 2).filter(|&(_, n)| chars.get(month_end + n) == Some(&'日'));
    match day {
        Some((day, day_len)) => Some((PartialDate::day(year as i32, month, day).ok()?, month_end + day_len + 1)),
        None => Some((PartialDate::month(year as i32, month).ok()?, month_end)),
    }
}

/// Reads a run of `min..=max` ASCII digits that is not followed by another digit.
fn read_number(chars: &[char], min: usize, max: usize) -> Option<(u32, usize)> {
    let len = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    if !(min..=max).contains(&len) {
        return None;
    }
    let value = chars[..len].iter().try_fold(0u32, |acc, c| Some(acc * 10 + c.to_digit(10)?))?;
    Some((value, len))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn months_between_counts_calendar_months() {
        assert_eq!(months_between(day(2024, 7, 1), day(2026, 11, 23)), 28);
        assert_eq!(months_between(day(2024, 7, 31), day(2024, 7, 1)), 0);
        assert_eq!(months_between(day(2024, 7, 1), day(2023, 12, 31)), -7);
    }

    #[test]
    fn dates_shift_by_whole_months_and_clamp_to_month_end() {
        let d = |s: &str| s.parse::<PartialDate>().unwrap();
        assert_eq!(shift_date(d("2024-01-31"), 1), d("2024-02-29"));
        assert_eq!(shift_date(d("2024-11"), 3), d("2025-02"));
        assert_eq!(shift_date(d("2024-02"), -2), d("2023-12"));
        assert_eq!(shift_date(d("2024"), 11), d("2024"));
        assert_eq!(shift_date(d("2024"), 12), d("2025"));
    }

    /// Dates known to the month or the day, the precisions the demo uses.
    fn fine_date() -> impl Strategy<Value = PartialDate> {
        prop_oneof![
            (1990..2100i32, 1..=12u32).prop_map(|(y, m)| PartialDate::month(y, m).unwrap()),
            (1990..2100i32, 1..=12u32, 1..=31u32)
                .prop_filter_map("a real day", |(y, m, d)| PartialDate::day(y, m, d).ok()),
        ]
    }

    fn any_date() -> impl Strategy<Value = PartialDate> {
        prop_oneof![fine_date(), (1990..2100i32).prop_map(|y| PartialDate::year(y).unwrap())]
    }

    proptest! {
        /// Shifting never reorders two month- or day-precise dates, so deadlines stay after the
        /// feedback and progress entries stay in order. (A year-only date moves by whole years,
        /// so against finer dates its order is only approximate; the demo has none.)
        #[test]
        fn shifting_keeps_the_order(a in fine_date(), b in fine_date(), months in -120..120i32) {
            let (x, y) = (shift_date(a, months), shift_date(b, months));
            if a.earliest() <= b.earliest() {
                prop_assert!(x.earliest() <= y.earliest(), "{a} {b} → {x} {y}");
            }
            if a.latest() < b.earliest() {
                prop_assert!(x.latest() <= y.earliest(), "{a} {b} → {x} {y}");
            }
        }

        /// A date written in prose moves exactly like the same date in a field.
        #[test]
        fn prose_and_fields_agree(d in any_date(), months in -120..120i32) {
            let text = format!("于{}完成", d.to_chinese());
            prop_assert_eq!(shift_text(&text, months), format!("于{}完成", shift_date(d, months).to_chinese()));
        }
    }

    #[test]
    fn prose_dates_shift_with_the_fields() {
        assert_eq!(
            shift_text("2024年1月19日召开党组会，2024年5月底完成", 13),
            "2025年2月19日召开党组会，2025年6月底完成"
        );
        assert_eq!(shift_text("于2024年完成", 12), "于2025年完成");
        // Numbers that are not dates, and a month without its year, stay as written.
        assert_eq!(shift_text("检查场所426家，12024年，5月", 12), "检查场所426家，12024年，5月");
        assert_eq!(shift_text("2024年2月30日", 1), "2024年2月30日");
    }
}
