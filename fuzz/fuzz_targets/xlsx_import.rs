//! Any bytes, read as an Excel ledger: must never panic, with or without skipping bad rows.
#![no_main]

use std::sync::Once;

use libfuzzer_sys::fuzz_target;
use rectify_workbook::{ImportOptions, read_ledger_xlsx};

static HOOK: Once = Once::new();

fuzz_target!(|data: &[u8]| {
    // calamine overflows on some cell references when overflow checks are on (as in fuzz
    // builds); the workbook crate catches that panic and refuses the file as damaged
    // (crates/workbook/src/read/grid.rs). Only those panics may unwind to it: any other panic
    // aborts as libFuzzer's own hook would.
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            if info.location().is_some_and(|l| l.file().contains("/calamine-")) {
                return;
            }
            eprintln!("{info}");
            std::process::abort();
        }));
    });
    let _ = read_ledger_xlsx(data, &ImportOptions { skip_bad_rows: false });
    let _ = read_ledger_xlsx(data, &ImportOptions { skip_bad_rows: true });
});
