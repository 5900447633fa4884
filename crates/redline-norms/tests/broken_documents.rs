//! The corpus of broken norms documents in `testdata/norms/broken/`: each must be rejected with
//! a precise message (file:line:column and what was expected), kept as a snapshot.
#![allow(clippy::unwrap_used)]

use redline_norms::NormsDocument;

fn corpus() -> Vec<(String, String)> {
    let directory =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/norms/broken");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&directory)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "toml")
        })
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn the_corpus_has_at_least_fifteen_documents() {
    assert!(corpus().len() >= 15, "{}", corpus().len());
}

#[test]
fn every_broken_document_is_rejected_with_a_precise_message() {
    for (name, text) in corpus() {
        let file_name = format!("testdata/norms/broken/{name}.toml");
        let errors = match NormsDocument::parse(&text, &file_name) {
            Ok(_) => panic!("{name} was accepted"),
            Err(errors) => errors,
        };
        assert!(!errors.errors.is_empty(), "{name}");
        for error in &errors.errors {
            assert_eq!(error.file, file_name);
            assert!(error.line >= 1 && error.column >= 1, "{name}: {error}");
            assert!(!error.message.is_empty(), "{name}");
        }
        insta::assert_snapshot!(name.clone(), errors.to_string());
    }
}

#[test]
fn shipped_documents_are_valid() {
    for shipped in redline_norms::SHIPPED_DOCUMENTS {
        NormsDocument::parse(shipped.text, shipped.file_name)
            .unwrap_or_else(|errors| panic!("{errors}"));
    }
}

#[test]
fn garbage_never_panics() {
    for text in [
        "",
        "\u{0}",
        "[document]",
        "[[rule]]\nwhen = 3",
        "severity = []",
        "a = [[[",
        "[severity]\nband = 3",
    ] {
        assert!(
            NormsDocument::parse(text, "garbage.toml").is_err(),
            "{text:?}"
        );
    }
}

mod mutations {
    use proptest::prelude::*;
    use redline_norms::NormsDocument;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// A poor man's fuzzer for `cargo test`: cut and splice the baseline anywhere; the
        /// parser must answer with errors or a document, never panic.
        #[test]
        fn mutated_baselines_never_panic(
            start in 0usize..30_000,
            length in 0usize..200,
            insert in "[a-z\"\\[\\]=. \n{}()&|!<>0-9]{0,12}",
        ) {
            let text = redline_norms::baseline();
            let start = start.min(text.len());
            let end = (start + length).min(text.len());
            if text.is_char_boundary(start) && text.is_char_boundary(end) {
                let mutated = format!("{}{insert}{}", &text[..start], &text[end..]);
                match NormsDocument::parse(&mutated, "mutated.toml") {
                    Ok(document) => {
                        let _ = redline_norms::render_document_summary(&document);
                    }
                    Err(errors) => prop_assert!(!errors.errors.is_empty()),
                }
            }
        }
    }
}
