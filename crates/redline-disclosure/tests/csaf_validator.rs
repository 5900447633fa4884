//! Every advisory the corpus generates passes the BSI CSAF validator
//! (`@secvisogram/csaf-validator-lib` 2.0.10), run from `tests/csaf/validate.mjs` with Node, in
//! both versions redline writes; and a broken field fails it.
//!
//! - CSAF 2.0: the strict schema, every mandatory test and the optional tests.
//! - CSAF 2.1: the library's experimental `csaf_2_1/` tests: the strict 2.1 schema, every
//!   mandatory test and every recommended test but 6.2.20, which is still 2.0's and checks
//!   against the 2.0 schema (the script says how it works around the library's 2.1 gaps).
//!   Every 2.1 advisory passes with no warning at all.
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
    assert!(
        modules
            .join("@secvisogram/csaf-validator-lib/csaf_2_1/mandatoryTests.js")
            .is_file(),
        "CSAF_VALIDATOR_MODULES={} holds a @secvisogram/csaf-validator-lib without its CSAF 2.1 tests (2.0.10 has them)",
        modules.display()
    );
    modules
}

/// Runs the validator's tests of `version` on `files`; answers whether all were valid and what
/// it printed.
fn validate(version: CsafVersion, files: &[PathBuf]) -> (bool, String) {
    let modules = validator_modules();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/csaf/validate.mjs");
    let output = Command::new(std::env::var_os("NODE").unwrap_or_else(|| "node".into()))
        .arg(&script)
        .arg(version.as_str())
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

fn advisories(version: CsafVersion) -> Vec<Value> {
    support::corpus()
        .iter()
        .map(|state| render_csaf(&AdvisoryFacts::of_case(state, &publisher()), version))
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
    let files: Vec<PathBuf> = advisories(CsafVersion::V2_0)
        .iter()
        .enumerate()
        .map(|(index, advisory)| write(directory, &format!("case-{index:02}.json"), advisory))
        .collect();
    let (valid, printed) = validate(CsafVersion::V2_0, &files);
    assert!(
        valid,
        "the validator refused a generated advisory:\n{printed}"
    );
    assert_eq!(
        printed.matches(" valid (csaf 2.0, ").count(),
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
    let advisories = advisories(CsafVersion::V2_0);
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
    each_fails(
        CsafVersion::V2_0,
        directory,
        vec![
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
        ],
    );
}

#[test]
fn every_corpus_advisory_passes_the_bsi_validator_as_csaf_2_1() {
    let advisories = advisories(CsafVersion::V2_1);
    assert!(advisories.len() >= 10, "the corpus has at least ten cases");
    // Case 7's CVSS 4.0 base score is 8.2, which Ajv without multipleOfPrecision calls no
    // multiple of 0.1: the corpus keeps the validator script's workaround tested.
    assert!(
        advisories.iter().any(|advisory| {
            advisory["vulnerabilities"][0]["metrics"][0]["content"]["cvss_v4"]["baseScore"] == 8.2
        }),
        "a corpus advisory has the CVSS 4.0 base score 8.2"
    );
    let directory = tempfile_directory("valid-2-1");
    let directory = directory.path();
    let files: Vec<PathBuf> = advisories
        .iter()
        .enumerate()
        .map(|(index, advisory)| write(directory, &format!("case-{index:02}.json"), advisory))
        .collect();
    let (valid, printed) = validate(CsafVersion::V2_1, &files);
    assert!(
        valid,
        "the validator refused a generated CSAF 2.1 advisory:\n{printed}"
    );
    assert_eq!(
        printed.matches(" valid (csaf 2.1, ").count(),
        files.len(),
        "{printed}"
    );
    // The recommended tests pass too: not one warning.
    assert!(
        !printed.lines().any(|line| line.starts_with("WARN ")),
        "the validator warned:\n{printed}"
    );
}

#[test]
fn a_broken_field_fails_the_csaf_2_1_validator() {
    let directory = tempfile_directory("broken-2-1");
    let directory = directory.path();
    let advisories = advisories(CsafVersion::V2_1);
    // The first case: one affected product, CVSS 4.0 9.3 and 3.1 9.8, CWE-287.
    let first = &advisories[0];
    let mut wrong_base_score = first.clone();
    wrong_base_score["vulnerabilities"][0]["metrics"][0]["content"]["cvss_v4"]["baseScore"] =
        9.2.into();
    // Ajv's multipleOfPrecision (the script's workaround) still refuses a second decimal.
    let mut two_decimals = first.clone();
    two_decimals["vulnerabilities"][0]["metrics"][0]["content"]["cvss_v4"]["baseScore"] =
        9.25.into();
    let mut wrong_cwe_name = first.clone();
    wrong_cwe_name["vulnerabilities"][0]["cwes"][0]["name"] = "Improper Authorization".into();
    let mut undefined_product = advisories[1].clone();
    undefined_product["vulnerabilities"][0]["product_status"]["known_affected"]
        .as_array_mut()
        .unwrap()
        .push("CSAFPID-9999".into());
    // CSAF 2.0's scores[] is no 2.1 field.
    let mut scores_of_2_0 = first.clone();
    scores_of_2_0["vulnerabilities"][0]["scores"] = serde_json::json!([{
        "products": ["CSAFPID-0001"],
        "cvss_v3": {"version": "3.1", "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "baseScore": 9.8, "baseSeverity": "CRITICAL"},
    }]);
    // What CSAF 2.0 says of a fixed product with a statement, which 2.1 forbids: so redline
    // writes that statement as a note on the product instead.
    let mut vendor_fix_for_a_fixed_product = advisories[1].clone();
    vendor_fix_for_a_fixed_product["vulnerabilities"][0]["remediations"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"category": "vendor_fix", "details": "Update to 4.2.1.", "product_ids": ["CSAFPID-0002"]}));
    // A security advisory with no known-affected product: so redline writes such a case as
    // CSAF Base (the fourth case: one product under investigation).
    let mut security_advisory_without_affected = advisories[3].clone();
    assert_eq!(
        security_advisory_without_affected["document"]["category"],
        "csaf_base"
    );
    security_advisory_without_affected["document"]["category"] = "csaf_security_advisory".into();
    each_fails(
        CsafVersion::V2_1,
        directory,
        vec![
            (
                "wrong-base-score.json",
                wrong_base_score,
                "mandatoryTest_6_1_9",
            ),
            ("two-decimals.json", two_decimals, "csaf_2_1_strict"),
            (
                "wrong-cwe-name.json",
                wrong_cwe_name,
                "mandatoryTest_6_1_11",
            ),
            (
                "undefined-product.json",
                undefined_product,
                "mandatoryTest_6_1_1",
            ),
            ("scores-of-2-0.json", scores_of_2_0, "csaf_2_1_strict"),
            (
                "vendor-fix-for-a-fixed-product.json",
                vendor_fix_for_a_fixed_product,
                "mandatoryTest_6_1_36",
            ),
            (
                "security-advisory-without-affected.json",
                security_advisory_without_affected,
                "mandatoryTest_6_1_27_12",
            ),
        ],
    );
}

/// Writes each broken advisory, runs the validator once on them all, and checks that each is
/// invalid with an error of its test.
fn each_fails(version: CsafVersion, directory: &Path, broken: Vec<(&str, Value, &str)>) {
    let files: Vec<PathBuf> = broken
        .iter()
        .map(|(name, advisory, _)| write(directory, name, advisory))
        .collect();
    let (valid, printed) = validate(version, &files);
    assert!(!valid, "every broken advisory passed:\n{printed}");
    for ((name, _, test), file) in broken.iter().zip(&files) {
        assert!(
            printed.contains(&format!("RESULT {} invalid (", file.display())),
            "{name} passed:\n{printed}"
        );
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
