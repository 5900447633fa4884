#![allow(clippy::unwrap_used)]
//! `redline assess --lang`: the assessment text in the six UN languages, the engine's and the
//! document's words as written, and a language that is not one of them refused.

mod support;

use std::path::PathBuf;

use support::{redline, succeeded};

fn report() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../demo/incidents/03-ukraine-grid-2015.json")
        .display()
        .to_string()
}

#[test]
fn the_assessment_text_is_printed_in_the_language_asked_for() {
    let english = succeeded(redline(&["assess", &report()]));
    assert!(english.starts_with("Assessment of"), "{english}");
    assert_eq!(
        succeeded(redline(&["assess", &report(), "--lang", "en"])),
        english
    );
    for (tag, heading) in [
        ("fr", "1. Qualification juridique"),
        ("es", "1. Calificación jurídica"),
        ("ru", "1. Правовая квалификация"),
        ("zh", "1. 法律定性"),
        ("ar", "1. التكييف القانوني"),
    ] {
        let text = succeeded(redline(&["assess", &report(), "--lang", tag]));
        assert!(text.contains(heading), "{tag}: {text}");
        // The document's legal citations, as written.
        assert!(
            text.contains("Tallinn 2.0 Rule 4 (territorial integrity)"),
            "{tag}: {text}"
        );
    }
    let refused = redline(&["assess", &report(), "--lang", "de"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("six UN languages"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}
