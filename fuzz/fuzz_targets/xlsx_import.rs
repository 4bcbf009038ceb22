//! Any bytes, read as an Excel ledger: must never panic, with or without skipping bad rows.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rectify_workbook::{ImportOptions, read_ledger_xlsx};

fuzz_target!(|data: &[u8]| {
    let _ = read_ledger_xlsx(data, &ImportOptions { skip_bad_rows: false });
    let _ = read_ledger_xlsx(data, &ImportOptions { skip_bad_rows: true });
});
