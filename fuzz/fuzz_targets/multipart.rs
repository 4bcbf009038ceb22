//! Any bytes, sent as the body of a multipart upload (the progress form with its evidence, and a
//! document import): parsing the form and typing each file by its content must never panic.
//! The first line of the input is the boundary, so that the fuzzer can find well-formed forms.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (boundary, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&b"X"[..], data),
    };
    let mut content_type = b"multipart/form-data; boundary=".to_vec();
    content_type.extend_from_slice(boundary);
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("a runtime");
    runtime.block_on(rectify_server::fuzzing::read_uploads(&content_type, body));
});
