//! Every CVE JSON 5 record the corpus generates passes the CVE Program's bundled schema (as
//! `cvelib` 1.8.0 ships it, draft-7 validation through its `CveRecord.validate`), and a broken
//! record fails it.
//!
//! `CVE_VALIDATOR_PYTHON` names a Python with `cvelib` (`scripts/test` installs it into the
//! interop virtualenv). Without it these tests FAIL: a check that silently does not run proves
//! nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use redline_disclosure::{CveAssigner, CveId, cve_record};
use serde_json::Value;
use uuid::Uuid;

fn validate(files: &[PathBuf]) -> (bool, String) {
    let Some(python) = std::env::var_os("CVE_VALIDATOR_PYTHON") else {
        panic!(
            "CVE_VALIDATOR_PYTHON is not set: it must name a Python with cvelib==1.8.0 (scripts/test installs it into .venv)"
        );
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cve/validate.py");
    let output = Command::new(&python)
        .arg(&script)
        .args(files)
        .output()
        .expect("CVE_VALIDATOR_PYTHON runs");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    match output.status.code() {
        Some(0) => (true, printed),
        Some(1) => (false, printed),
        other => panic!("the CVE validator could not run ({other:?}):\n{printed}"),
    }
}

fn records() -> Vec<Value> {
    let assigner = CveAssigner::new(
        Uuid::parse_str("b3476cb9-2e3d-41a6-98d0-0f47421a65b6").unwrap(),
        "CERT-EU",
    )
    .unwrap();
    assert!(
        CveAssigner::new(Uuid::from_u128(1), "CERT-EU").is_err(),
        "not a v4 UUID"
    );
    support::corpus()
        .into_iter()
        .enumerate()
        .map(|(index, mut state)| {
            if state.cve.is_none() {
                state.cve = Some(CveId::parse(&format!("CVE-2026-{:05}", 20_000 + index)).unwrap());
            }
            cve_record(
                &state,
                &assigner,
                &format!(
                    "https://redline.example.org/dashboard/advisories/{}",
                    state.case.id
                ),
            )
            .expect("a case with a CVE has a record")
        })
        .collect()
}

fn write(directory: &Path, name: &str, record: &Value) -> PathBuf {
    let path = directory.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(record).unwrap()).unwrap();
    path
}

#[test]
fn every_corpus_record_passes_the_cve_schema() {
    let directory = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = records()
        .iter()
        .enumerate()
        .map(|(index, record)| write(directory.path(), &format!("cve-{index:02}.json"), record))
        .collect();
    assert!(files.len() >= 10);
    let (valid, printed) = validate(&files);
    assert!(
        valid,
        "the CVE schema refused a generated record:\n{printed}"
    );
    assert_eq!(
        printed.matches(" valid\n").count(),
        files.len(),
        "{printed}"
    );
}

#[test]
fn a_broken_record_fails_the_cve_schema() {
    let directory = tempfile::tempdir().unwrap();
    let record = records().remove(0);
    let mut no_description = record.clone();
    no_description["containers"]["cna"]
        .as_object_mut()
        .unwrap()
        .remove("descriptions");
    let mut shuffled_vector = record.clone();
    shuffled_vector["containers"]["cna"]["metrics"][0]["cvssV4_0"]["vectorString"] =
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/SC:N/VI:H/SI:N/VA:H/SA:N".into();
    let mut bad_id = record;
    bad_id["cveMetadata"]["cveId"] = "CVE-26-1".into();
    for (name, broken) in [
        ("no-description.json", no_description),
        ("shuffled-vector.json", shuffled_vector),
        ("bad-id.json", bad_id),
    ] {
        let file = write(directory.path(), name, &broken);
        let (valid, printed) = validate(std::slice::from_ref(&file));
        assert!(!valid, "{name} passed:\n{printed}");
    }
}

/// The CVSS 4.0 `baseScore` of a record is the base metrics' score (CVSS-B), as in the CSAF 2.1
/// advisory, also for a vector that carries threat metrics and scores otherwise.
#[test]
fn the_cvss_4_base_score_is_the_base_metrics_score() {
    let corpus = support::corpus();
    let mut with_threat_metrics = 0;
    for (record, state) in records().iter().zip(&corpus) {
        let metric = &record["containers"]["cna"]["metrics"][0]["cvssV4_0"];
        assert_eq!(
            metric["baseScore"],
            state.case.cvss_v4.base_score(),
            "{metric}"
        );
        assert_eq!(
            metric["baseSeverity"],
            state.case.cvss_v4.base_severity(),
            "{metric}"
        );
        if state.case.cvss_v4.base_score() != state.case.cvss_v4.score() {
            with_threat_metrics += 1;
        }
    }
    assert!(
        with_threat_metrics >= 1,
        "the corpus has a vector with threat metrics"
    );
}
