//! Focused checks of the engine: the NCISS weights and test vectors of `standards.md` §5.3 as
//! data in the baseline, explicit overrides, the prior-consultation precondition, and that no
//! condition of a shipped document fails at run time on the documented incidents.
#![allow(clippy::unwrap_used)]

mod common;

use redline_model::nciss::{FunctionalImpact, NcissOverrides};
use redline_norms::{Circumstances, NormsDocument, assess, assess_with};

fn weighted_mean(document: &NormsDocument, values: [u32; 8]) -> f64 {
    let categories = &document.severity.categories;
    let weighted: f64 = categories
        .iter()
        .zip(values)
        .map(|(category, value)| f64::from(category.weight) * f64::from(value))
        .sum();
    let total: f64 = categories
        .iter()
        .map(|category| f64::from(category.weight))
        .sum();
    (weighted / total * 100.0).round() / 100.0
}

#[test]
fn baseline_weights_reproduce_the_nciss_test_vectors() {
    let document = common::shipped("baseline");
    let weights: Vec<u32> = document
        .severity
        .categories
        .iter()
        .map(|c| c.weight)
        .collect();
    assert_eq!(weights, [6, 5, 4, 4, 2, 4, 3, 6]);
    assert_eq!(weighted_mean(&document, [100; 8]), 100.0);
    assert_eq!(weighted_mean(&document, [0, 0, 30, 20, 0, 20, 15, 0]), 9.56);
    assert_eq!(
        weighted_mean(&document, [100, 100, 90, 100, 100, 60, 100, 100]),
        94.12
    );
    assert_eq!(
        weighted_mean(&document, [20, 80, 60, 80, 50, 40, 40, 50]),
        51.76
    );
    assert_eq!(
        weighted_mean(&document, [35, 70, 30, 20, 0, 20, 40, 25]),
        32.65
    );
    // Spot checks of option values (standards.md §5.2).
    let location = &document.severity.categories[2];
    assert_eq!(location.value_of("safety-systems"), 100);
    let dependency = &document.severity.categories[6];
    assert_eq!(dependency.value_of("energy"), 100);
    assert_eq!(dependency.value_of("nuclear"), 15);
}

#[test]
fn explicit_nciss_overrides_are_honoured() {
    let document = common::shipped("baseline");
    let mut report = common::incident("07-colonial-pipeline-2021");
    let derived = assess(&report, &document);
    report.nciss = Some(NcissOverrides {
        functional_impact: Some(FunctionalImpact::NoImpact),
        ..report.nciss.clone().unwrap_or_default()
    });
    let overridden = assess(&report, &document);
    assert!(overridden.severity.score < derived.severity.score);
    let entry = overridden
        .trace
        .iter()
        .find(|entry| &*entry.rule == "severity.functional_impact")
        .unwrap();
    assert!(entry.why.contains("`no-impact`") && entry.why.contains("set by the reporter"));
}

#[test]
fn countermeasures_need_a_prior_hotline_consultation() {
    let document = common::shipped("baseline");
    let report = common::incident("05-notpetya-2017");
    let without = assess(&report, &document);
    assert!(
        without
            .responses
            .recommended
            .iter()
            .all(|rung| rung.rung != 12)
    );
    let with = assess_with(
        &report,
        &document,
        &Circumstances {
            prior_consultation: true,
        },
    );
    assert!(
        with.responses
            .recommended
            .iter()
            .any(|rung| rung.rung == 12)
    );
    assert_eq!(with.responses.ceiling, without.responses.ceiling);
}

#[test]
fn no_condition_fails_at_run_time_on_the_documented_incidents() {
    for shipped in redline_norms::SHIPPED_DOCUMENTS {
        let document = common::shipped(shipped.name);
        for file in common::INCIDENT_FILES {
            let assessment = assess(&common::incident(file), &document);
            for entry in &assessment.trace {
                assert!(
                    !entry.why.contains("could not be evaluated"),
                    "{} {file}: {} {}",
                    shipped.name,
                    entry.rule,
                    entry.why
                );
            }
        }
    }
}

#[test]
fn a_document_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<NormsDocument>();
}

#[test]
fn the_hash_is_of_the_exact_document_bytes() {
    let text = redline_norms::baseline();
    let document = NormsDocument::parse(text, "norms/baseline.toml").unwrap();
    let with_trailing_space = format!("{text} ");
    let other = NormsDocument::parse(&with_trailing_space, "norms/baseline.toml").unwrap();
    assert_ne!(document.sha256, other.sha256);
    assert_eq!(document.sha256.len(), 64);
}

#[test]
fn condition_errors_point_into_the_when_string() {
    let text = redline_norms::baseline().replace(
        "when = \"espionage_only\"",
        "when = \"espionage_only && report.targets.exists(t, t.sectr == \\\"healthcare\\\")\"",
    );
    let errors = NormsDocument::parse(&text, "x.toml").unwrap_err();
    assert_eq!(errors.errors.len(), 1);
    let error = &errors.errors[0];
    let line = text.lines().nth(error.line - 1).unwrap();
    let from_column: String = line.chars().skip(error.column - 1).collect();
    assert!(from_column.starts_with(".sectr"), "{error}: {from_column}");
    assert!(error.message.contains("no field `sectr`"), "{error}");
}
