//! Any bytes, read as a report (text in any encoding, or .docx) and parsed: must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = rectify_report_reader::read_bytes(data, None) {
        let parsed = rectify_report_reader::parse(&doc);
        let _ = rectify_report_reader::outline(&parsed);
    }
});
