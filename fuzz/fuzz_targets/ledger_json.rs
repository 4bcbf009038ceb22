//! Any text, read as a ledger JSON document (the contract's shape, checked by its rules): must
//! never panic; a ledger it accepts must have figures, and written back as JSON must read back
//! as the same ledger.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rectify_domain::Ledger;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(ledger) = Ledger::from_json(text) else { return };
    let stats = ledger.statistics();
    for decimals in 0..=rectify_domain::ledger::MAX_RATE_DECIMALS {
        let _ = stats.completion_percent(decimals);
    }
    let written = serde_json::to_string(&ledger).expect("an accepted ledger serialises");
    let again = Ledger::from_json(&written).expect("a written ledger reads back");
    assert_eq!(again, ledger, "a ledger changes on its way through JSON");
});
