//! The writer never fails on long cells (issue 13 item 3): Excel holds at most 32,767 characters
//! in a cell, so longer texts are cut with a visible marker instead of failing the export.

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use rectify_domain::{Aspect, Ledger, Measure, NonEmptyText, PartialDate, Problem, ProgressEntry, Status};
use rectify_workbook::{ImportOptions, read_ledger_xlsx, write_ledger_xlsx};

const LIMIT: usize = 32_767;
const MARKER: &str = "…（全文见系统）";

fn ledger_with(progress: &str, measure: &str, unit: &str) -> Ledger {
    let mut ledger = Ledger::empty();
    let mut problem = Problem::new(None, NonEmptyText::new("问题甲").expect("non-empty"), Status::InProgress);
    problem.measures.push(Measure::from_text(NonEmptyText::new("措施甲").expect("non-empty")));
    ledger.aspects.push(Aspect { number: None, title: None, problems: vec![problem] });
    ledger.unit = Some(unit.to_string());
    let m = &mut ledger.aspects[0].problems[0].measures[0];
    m.text = NonEmptyText::new(measure).expect("non-empty");
    m.progress.push(ProgressEntry {
        date: PartialDate::day(2024, 3, 5).expect("a day"),
        text: NonEmptyText::new(progress).expect("non-empty"),
        evidence: Vec::new(),
    });
    ledger
}

fn cell(bytes: &[u8], sheet: &str, row: u32, col: u32) -> String {
    let mut x: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("a workbook");
    let range = x.worksheet_range(sheet).expect("the sheet");
    match range.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        other => panic!("expected text at {sheet} ({row}, {col}), got {other:?}"),
    }
}

#[test]
fn a_nine_megabyte_progress_text_is_cut_with_a_marker() {
    // 3 million CJK characters: 9 MB of UTF-8.
    let huge = "整改进展".repeat(750_000);
    assert_eq!(huge.len(), 9_000_000);
    let ledger = ledger_with(&huge, "措施甲", "示例单位");
    let today = NaiveDate::from_ymd_opt(2024, 5, 1).expect("a day");
    let bytes = write_ledger_xlsx(&ledger, today).expect("the writer never fails on long cells");
    // 任务清单: row 3 (index 2), column K (整改进展, index 10).
    let text = cell(&bytes, "任务清单", 2, 10);
    assert!(text.ends_with(MARKER), "{}", &text[text.len() - 40..]);
    assert_eq!(text.encode_utf16().count(), LIMIT);
    assert!(huge.starts_with(text.trim_end_matches(MARKER)));
    // The cut workbook still reads back; the progress entry keeps its date and the cut text.
    let back = read_ledger_xlsx(&bytes, &ImportOptions::default()).expect("reads back");
    let entry = &back.ledger.aspects[0].problems[0].measures[0].progress[0];
    assert_eq!(entry.date, PartialDate::day(2024, 3, 5).expect("a day"));
    assert_eq!(entry.text.as_str(), text);
}

#[test]
fn long_titles_and_characters_outside_the_basic_plane_are_cut_at_a_character_boundary() {
    // Characters outside the basic plane take two UTF-16 units each, as Excel counts them.
    let wide = "𠀀".repeat(20_000);
    let unit = "单".repeat(40_000);
    let ledger = ledger_with("进展", &wide, &unit);
    let today = NaiveDate::from_ymd_opt(2024, 5, 1).expect("a day");
    let bytes = write_ledger_xlsx(&ledger, today).expect("never fails");
    let measure = cell(&bytes, "任务清单", 2, 3);
    assert!(measure.ends_with(MARKER));
    assert!(measure.encode_utf16().count() <= LIMIT);
    assert!(measure.trim_end_matches(MARKER).chars().all(|c| c == '𠀀'));
    let title = cell(&bytes, "问题清单", 0, 0);
    assert!(title.ends_with(MARKER) && title.encode_utf16().count() <= LIMIT);
}

#[test]
fn a_text_exactly_at_the_limit_is_kept_whole() {
    let exact = "字".repeat(LIMIT);
    let ledger = ledger_with(&exact, "措施甲", "示例单位");
    let today = NaiveDate::from_ymd_opt(2024, 5, 1).expect("a day");
    let bytes = write_ledger_xlsx(&ledger, today).expect("never fails");
    assert_eq!(cell(&bytes, "任务清单", 2, 10), exact);
}
