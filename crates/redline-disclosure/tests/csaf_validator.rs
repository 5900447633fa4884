//! Every advisory the corpus generates passes the BSI CSAF validator
//! (`@secvisogram/csaf-validator-lib` 2.0.10: the strict schema, every mandatory test and the
//! optional tests), run from `tests/csaf/validate.mjs` with Node; and a broken field fails it.
//!
//! `CSAF_VALIDATOR_MODULES` names the `node_modules` directory holding the library
//! (`scripts/test` installs it). Without it, or without Node, these tests FAIL: an independent
//! check that silently does not run proves nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use redline_disclosure::{AdvisoryFacts, AdvisoryPublisher, CsafVersion, render_csaf};
use serde_json::Value;

fn validator_modules() -> PathBuf {
    let Some(modules) = std::env::var_os("CSAF_VALIDATOR_MODULES") else {
        panic!(
            "CSAF_VALIDATOR_MODULES is not set: it must name a node_modules directory with @secvisogram/csaf-validator-lib@2.0.10 (scripts/test installs it; by hand: npm install --prefix DIR @secvisogram/csaf-validator-lib@2.0.10 and set CSAF_VALIDATOR_MODULES=DIR/node_modules)"
        );
    };
    let modules = PathBuf::from(modules);
    assert!(
        modules
            .join("@secvisogram/csaf-validator-lib/validateStrict.js")
            .is_file(),
        "CSAF_VALIDATOR_MODULES={} holds no @secvisogram/csaf-validator-lib",
        modules.display()
    );
    modules
}

/// Runs the validator on `files`; answers whether all were valid and what it printed.
fn validate(files: &[PathBuf]) -> (bool, String) {
    let modules = validator_modules();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/csaf/validate.mjs");
    let output = Command::new(std::env::var_os("NODE").unwrap_or_else(|| "node".into()))
        .arg(&script)
        .arg(&modules)
        .args(files)
        .output()
        .expect("node runs (install Node.js: scripts/test does)");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    match output.status.code() {
        Some(0) => (true, printed),
        Some(1) => (false, printed),
        other => panic!("the validator could not run ({other:?}):\n{printed}"),
    }
}

fn publisher() -> AdvisoryPublisher {
    AdvisoryPublisher {
        name: "CERT-EU".into(),
        namespace: "https://redline.example.org".into(),
    }
}

fn advisories() -> Vec<Value> {
    support::corpus()
        .iter()
        .map(|state| {
            render_csaf(
                &AdvisoryFacts::of_case(state, &publisher()),
                CsafVersion::V2_0,
            )
        })
        .collect()
}

fn write(directory: &Path, name: &str, advisory: &Value) -> PathBuf {
    let path = directory.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(advisory).unwrap()).unwrap();
    path
}

#[test]
fn every_corpus_advisory_passes_the_bsi_validator() {
    let corpus = support::corpus();
    assert!(corpus.len() >= 10, "the corpus has at least ten cases");
    let multi_vendor = corpus
        .iter()
        .filter(|state| state.case.vendors.len() > 1)
        .count();
    assert!(
        multi_vendor >= 5,
        "several cases have more than one vendor ({multi_vendor})"
    );
    let directory = tempfile_directory("valid");
    let directory = directory.path();
    let files: Vec<PathBuf> = advisories()
        .iter()
        .enumerate()
        .map(|(index, advisory)| write(directory, &format!("case-{index:02}.json"), advisory))
        .collect();
    let (valid, printed) = validate(&files);
    assert!(
        valid,
        "the validator refused a generated advisory:\n{printed}"
    );
    assert_eq!(
        printed.matches(" valid (").count(),
        files.len(),
        "{printed}"
    );
    // Only errors fail a document. The one warning allowed is optional test 6.2.3 ("missing
    // score") for an affected product of a case with no CVSS 3.1 vector: CSAF 2.0 cannot carry
    // the CVSS 4.0 score, which is in a note instead.
    for line in printed.lines().filter(|line| line.starts_with("WARN ")) {
        assert!(
            line.contains("optionalTest_6_2_3") && line.ends_with("missing score"),
            "the validator warned:\n{line}\n\n{printed}"
        );
    }
}

#[test]
fn a_broken_field_fails_the_validator() {
    let directory = tempfile_directory("broken");
    let directory = directory.path();
    let advisories = advisories();
    // The first case has a CVSS 3.1 score: a wrong base score fails mandatory test 6.1.9.
    let mut wrong_score = advisories[0].clone();
    wrong_score["vulnerabilities"][0]["scores"][0]["cvss_v3"]["baseScore"] = 5.0.into();
    // A product id no product has fails 6.1.1.
    let mut undefined_product = advisories[1].clone();
    undefined_product["vulnerabilities"][0]["product_status"]["known_affected"]
        .as_array_mut()
        .unwrap()
        .push("CSAFPID-9999".into());
    // A CVSS 4.0 object where CSAF 2.0 has none fails the strict schema.
    let mut cvss_v4_in_scores = advisories[0].clone();
    cvss_v4_in_scores["vulnerabilities"][0]["scores"][0]["cvss_v4"] =
        serde_json::json!({"version": "4.0"});
    for (name, advisory, test) in [
        ("wrong-score.json", wrong_score, "mandatoryTest_6_1_9"),
        (
            "undefined-product.json",
            undefined_product,
            "mandatoryTest_6_1_1",
        ),
        (
            "cvss-v4-in-scores.json",
            cvss_v4_in_scores,
            "csaf_2_0_strict",
        ),
    ] {
        let file = write(directory, name, &advisory);
        let (valid, printed) = validate(std::slice::from_ref(&file));
        assert!(!valid, "{name} passed:\n{printed}");
        assert!(
            printed.contains(&format!("ERROR {} {test}", file.display())),
            "{name}: expected {test}:\n{printed}"
        );
    }
}

fn tempfile_directory(label: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("redline-csaf-{label}-"))
        .tempdir()
        .unwrap()
}
