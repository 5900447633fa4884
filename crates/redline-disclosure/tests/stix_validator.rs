//! Every corpus case, exported as a STIX 2.1 bundle (`vulnerability` and its TLP 2.0 marking),
//! passes the OASIS stix2-validator 3.2.0 through `scripts/validate-stix` (redline's extension
//! schemas, TLP 2.0), and a broken object fails it.
//!
//! `STIX_VALIDATOR` names the `stix2_validator` executable (`scripts/test` sets it). Without it
//! these tests FAIL rather than skip.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use redline_disclosure::case_bundle;
use serde_json::Value;

fn validate(file: &Path) -> (bool, String) {
    let Some(validator) = std::env::var_os("STIX_VALIDATOR") else {
        panic!(
            "STIX_VALIDATOR is not set: it must name stix2_validator 3.2.0 (scripts/test installs it)"
        );
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/validate-stix");
    let output = Command::new("bash")
        .arg(&script)
        .arg(file)
        .env("STIX_VALIDATOR", &validator)
        .output()
        .expect("bash runs");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    match output.status.code() {
        Some(0) => (true, printed),
        Some(3) | None => panic!("the STIX validator could not run:\n{printed}"),
        Some(_) => (false, printed),
    }
}

fn bundles() -> Vec<Value> {
    support::corpus()
        .iter()
        .map(|state| {
            case_bundle(
                state,
                &format!(
                    "https://redline.example.org/dashboard/advisories/{}",
                    state.case.id
                ),
            )
        })
        .collect()
}

fn write(directory: &Path, name: &str, bundle: &Value) -> PathBuf {
    let path = directory.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(bundle).unwrap()).unwrap();
    path
}

#[test]
fn every_corpus_case_exports_a_valid_stix_vulnerability() {
    let directory = tempfile::tempdir().unwrap();
    for (index, bundle) in bundles().iter().enumerate() {
        let vulnerability = &bundle["objects"][1];
        assert_eq!(vulnerability["type"], "vulnerability");
        let file = write(directory.path(), &format!("case-{index:02}.json"), bundle);
        let (valid, printed) = validate(&file);
        assert!(valid, "case {index}:\n{printed}");
        assert!(
            !printed.contains("[!] Warning"),
            "case {index} warned:\n{printed}"
        );
    }
}

#[test]
fn a_broken_vulnerability_fails_the_stix_validator() {
    let directory = tempfile::tempdir().unwrap();
    let mut broken = bundles().remove(0);
    broken["objects"][1]["created"] = "yesterday".into();
    let file = write(directory.path(), "broken.json", &broken);
    let (valid, printed) = validate(&file);
    assert!(
        !valid,
        "a vulnerability with `created: yesterday` passed:\n{printed}"
    );
}
