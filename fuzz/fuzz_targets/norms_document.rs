//! Fuzz target: the norms document parser and validator must never panic on any input, and a
//! document it accepts must assess a fixed report without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    if let Ok(document) = redline_norms::NormsDocument::parse(text, "fuzz.toml") {
        let _ = redline_norms::render_document_summary(&document);
    }
});
