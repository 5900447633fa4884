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
    let report = common::incident("04-wannacry-2017");
    let is_countermeasure =
        |rung: &redline_norms::RecommendedRung| rung.id == "cyber-countermeasure";
    let without = assess(&report, &document);
    assert!(!without.responses.available.iter().any(is_countermeasure));
    let with = assess_with(
        &report,
        &document,
        &Circumstances {
            prior_consultation: true,
            ..Circumstances::default()
        },
    );
    assert!(with.responses.available.iter().any(is_countermeasure));
    // Only the injured state may take it.
    assert!(
        !with
            .responses
            .recommended_to_other_states
            .iter()
            .any(is_countermeasure)
    );
    assert_eq!(with.responses.ceiling, without.responses.ceiling);
}

#[test]
fn in_armed_conflict_the_countermeasure_logic_gives_way_to_ihl() {
    let document = common::shipped("baseline");
    let mut report = common::incident("04-wannacry-2017");
    report.armed_conflict = true;
    let assessment = assess_with(
        &report,
        &document,
        &Circumstances {
            prior_consultation: true,
            ..Circumstances::default()
        },
    );
    assert_eq!(assessment.legal.frame, "armed-conflict");
    assert!(
        !assessment
            .responses
            .available
            .iter()
            .any(|rung| rung.id == "cyber-countermeasure")
    );
    assert!(
        assessment
            .responses
            .recommended
            .iter()
            .any(|rung| rung.id == "ihl-accountability")
    );
    assert!(
        assessment
            .legal
            .because
            .iter()
            .any(|line| line.starts_with("Armed conflict: international humanitarian law governs"))
    );
}

#[test]
fn a_political_basis_alone_or_territory_only_establishes_no_state_act() {
    use redline_model::{AttributionBasis, AttributionRelationship};
    let document = common::shipped("baseline");
    let mut political = common::incident("04-wannacry-2017");
    if let Some(origin) = &mut political.suspected_origin {
        origin.basis = vec![AttributionBasis::Political];
    }
    assert_eq!(
        assess(&political, &document).legal.category,
        redline_norms::LegalCategory::NoStateNexus
    );
    // Colonial Pipeline: DarkSide, a criminal group operating from Russia's territory.
    let mut territory = common::incident("07-colonial-pipeline-2021");
    territory.cross_border = true;
    territory.suspected_origin = Some(redline_model::SuspectedOrigin {
        state: redline_model::CountryCode::parse("RU").unwrap(),
        confidence: redline_model::Confidence::Likely,
        basis: vec![AttributionBasis::Intelligence],
        relationship: AttributionRelationship::TerritoryOnly,
    });
    let assessment = assess(&territory, &document);
    assert_eq!(
        assessment.legal.category,
        redline_norms::LegalCategory::NoStateNexus
    );
    assert!(
        assessment
            .gge_norms
            .iter()
            .any(|engaged| engaged.norm == "13(c)")
    );
    let state = territory
        .suspected_origin
        .as_ref()
        .unwrap()
        .state
        .as_str()
        .to_string();
    assert!(
        assessment
            .legal
            .because
            .iter()
            .any(|line| line.contains("13(c)") && line.contains(&state)),
        "{:?}",
        assessment.legal.because
    );
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
        "when = \"espionage_only && !close_access\"",
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

/// Every `basis` the shipped documents cite, one per line with where it is used, kept as a
/// snapshot so that a change to any citation is seen in review (the closing note says how
/// each was checked).
#[test]
fn every_basis_of_the_shipped_documents() {
    let mut lines = Vec::new();
    for shipped in redline_norms::SHIPPED_DOCUMENTS {
        let document = common::shipped(shipped.name);
        let name = shipped.name;
        lines.push(format!(
            "{name} [attribution]: {}",
            document.attribution.basis
        ));
        lines.push(format!("{name} [responses]: {}", document.responses.basis));
        for class in &document.protected {
            lines.push(format!("{name} {}: {}", class.id, class.basis));
        }
        for rule in &document.rules {
            lines.push(format!("{name} {}: {}", rule.id, rule.basis));
        }
        for red_line in &document.red_lines {
            lines.push(format!("{name} {}: {}", red_line.id, red_line.basis));
        }
        for rung in &document.rungs {
            lines.push(format!("{name} rung.{}: {}", rung.id, rung.basis));
        }
        for duty in &document.duties {
            lines.push(format!(
                "{name} duty.{}.{}: {}",
                duty.kind.as_str(),
                duty.from_level,
                duty.basis
            ));
        }
        for clause in &document.code_of_conduct.clauses {
            lines.push(format!("{name} conduct.{}: {}", clause.id, clause.basis));
        }
    }
    for line in &lines {
        assert!(!line.trim_end().ends_with(':'), "an empty basis: {line}");
    }
    insta::assert_snapshot!(lines.join("\n"));
}

/// The `{suspected_state}` placeholder of the documents' explanations never reaches an
/// assessment: it becomes the state's code, or "the suspected state" when withheld.
#[test]
fn no_placeholder_reaches_an_assessment() {
    for shipped in redline_norms::SHIPPED_DOCUMENTS {
        let document = common::shipped(shipped.name);
        for file in common::INCIDENT_FILES {
            for withhold in [false, true] {
                let assessment = assess_with(
                    &common::incident(file),
                    &document,
                    &Circumstances {
                        withhold_suspected_state: withhold,
                        ..Circumstances::default()
                    },
                );
                let json = String::from_utf8(assessment.to_json_bytes()).unwrap();
                assert!(
                    !json.contains("{suspected_state}"),
                    "{} {file}",
                    shipped.name
                );
            }
        }
    }
}
