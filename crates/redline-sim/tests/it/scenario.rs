//! Scenario parsing: the shipped files parse; bad files are rejected with where and why.

use redline_sim::{ScenarioError, parse_scenario};

use crate::shipped_scenarios;

const MINIMAL: &str = r#"[scenario]
id = "minimal"
title = "Minimal"
regime = "peace"
victim = "A"
usual_suspect = "B"

[[state]]
id = "A"
name = "Victim"
proportionality = 0.8
resolve = 0.5
risk_tolerance = 0.2

[[state]]
id = "B"
name = "Rival"
initiator_weight = 1.0
proportionality = 0.6
resolve = 0.5
risk_tolerance = 0.3

[incident]
severity_weights = [0.0, 0.2, 0.4, 0.3, 0.1, 0.0]
"#;

fn error_of(text: &str) -> ScenarioError {
    match parse_scenario(text) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(error) => error,
    }
}

#[test]
fn every_shipped_scenario_parses_and_the_five_named_ones_exist() {
    let scenarios = shipped_scenarios();
    let ids: Vec<&str> = scenarios
        .iter()
        .map(|scenario| scenario.header.id.as_str())
        .collect();
    for required in [
        "grid-outage-peacetime",
        "hospital-ransomware",
        "false-flag-disruption",
        "election-hack-and-leak",
        "armed-conflict-crisis",
    ] {
        assert!(ids.contains(&required), "missing scenario {required}");
    }
}

#[test]
fn minimal_scenario_takes_the_defaults() {
    let scenario = parse_scenario(MINIMAL).unwrap();
    assert_eq!(scenario.header.horizon_days, 730.0);
    assert_eq!(scenario.victim, 0);
    assert_eq!(scenario.usual_suspect, 1);
    assert_eq!(scenario.framed, 1);
    assert_eq!(scenario.perception.attribution_median_days, 180.0);
}

#[test]
fn unknown_field_names_line_column_and_the_expected_fields() {
    let text = MINIMAL.replace(
        "resolve = 0.5\nrisk_tolerance = 0.2",
        "resolve = 0.5\nrisk_tolerence = 0.2",
    );
    let error = error_of(&text);
    let ScenarioError::Syntax {
        line,
        column,
        message,
    } = &error
    else {
        panic!("expected a syntax error, got {error:?}");
    };
    assert_eq!((*line, *column), (13, 1));
    assert!(message.contains("risk_tolerence"), "{message}");
    assert!(message.contains("expected"), "{message}");
    assert!(error.to_string().starts_with("line 13, column 1: "));
}

#[test]
fn wrong_type_names_line_column_and_what_was_expected() {
    let text = MINIMAL.replace("proportionality = 0.6", "proportionality = \"high\"");
    let error = error_of(&text);
    let ScenarioError::Syntax {
        line,
        column,
        message,
    } = &error
    else {
        panic!("expected a syntax error, got {error:?}");
    };
    assert_eq!((*line, *column), (19, 19));
    assert!(message.contains("expected"), "{message}");
}

#[test]
fn bad_toml_syntax_names_line_and_column() {
    let text = MINIMAL.replace("title = \"Minimal\"", "title = \"Minimal");
    let error = error_of(&text);
    let ScenarioError::Syntax { line, .. } = &error else {
        panic!("expected a syntax error, got {error:?}");
    };
    assert_eq!(*line, 3);
}

#[test]
fn unknown_regime_lists_the_variants() {
    let text = MINIMAL.replace("regime = \"peace\"", "regime = \"cold-war\"");
    let error = error_of(&text);
    let ScenarioError::Syntax { line, message, .. } = &error else {
        panic!("expected a syntax error, got {error:?}");
    };
    assert_eq!(*line, 4);
    assert!(message.contains("competition"), "{message}");
}

#[test]
fn missing_field_is_named() {
    let text = MINIMAL.replace("title = \"Minimal\"\n", "");
    let error = error_of(&text);
    assert!(error.to_string().contains("title"), "{error}");
}

#[test]
fn probabilities_must_be_in_the_unit_interval() {
    let text = MINIMAL.replace(
        "resolve = 0.5\nrisk_tolerance = 0.3",
        "resolve = 1.5\nrisk_tolerance = 0.3",
    );
    assert_eq!(
        error_of(&text),
        ScenarioError::Invalid {
            field: "state[1].resolve".to_owned(),
            message: "must be a number in [0, 1], got 1.5".to_owned(),
            location: Some((20, 1)),
        }
    );
    assert_eq!(
        error_of(&text).to_string(),
        "line 20, column 1: state[1].resolve: must be a number in [0, 1], got 1.5"
    );
    let text = format!("{MINIMAL}\n[perception]\nmisread_probability = -0.1\n");
    assert!(matches!(
        error_of(&text),
        ScenarioError::Invalid { field, .. } if field == "perception.misread_probability"
    ));
    let text = format!("{MINIMAL}\n[levers.hotline]\nclarification = 2.0\n");
    assert!(matches!(
        error_of(&text),
        ScenarioError::Invalid { field, location: Some((line, 1)), .. }
            if field == "levers.hotline.clarification" && line == 27
    ));
    let text = format!("{MINIMAL}\n[perception]\nthreat_inflation = nan\n");
    assert!(matches!(
        error_of(&text),
        ScenarioError::Invalid { field, .. } if field == "perception.threat_inflation"
    ));
}

#[test]
fn references_to_states_must_resolve() {
    let text = MINIMAL.replace("usual_suspect = \"B\"", "usual_suspect = \"Z\"");
    let error = error_of(&text);
    assert_eq!(
        error.to_string(),
        "line 6, column 1: scenario.usual_suspect: unknown state \"Z\"; expected one of A, B"
    );
    let text = MINIMAL.replace("usual_suspect = \"B\"", "usual_suspect = \"A\"");
    assert!(
        matches!(error_of(&text), ScenarioError::Invalid { field, .. } if field == "scenario.usual_suspect")
    );
}

#[test]
fn weights_must_allow_an_incident() {
    let text = MINIMAL.replace(
        "severity_weights = [0.0, 0.2, 0.4, 0.3, 0.1, 0.0]",
        "severity_weights = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]",
    );
    assert!(
        matches!(error_of(&text), ScenarioError::Invalid { field, .. } if field == "incident.severity_weights")
    );
    let text = MINIMAL.replace(
        "severity_weights = [0.0, 0.2, 0.4, 0.3, 0.1, 0.0]",
        "severity_weights = [0.2, 0.4]",
    );
    assert!(matches!(error_of(&text), ScenarioError::Syntax { .. }));
    let text = MINIMAL.replace("initiator_weight = 1.0\n", "");
    assert!(matches!(
        error_of(&text),
        ScenarioError::Invalid { field, location: Some((22, 1)), .. } if field == "incident"
    ));
}

#[test]
fn garbage_never_panics() {
    for text in [
        "",
        "\u{0}",
        "[scenario",
        "[[state]]\n[[state]]",
        "é = 1",
        "[incident]\nseverity_weights = [1e400]",
    ] {
        let _ = parse_scenario(text);
    }
}

mod robustness {
    use proptest::prelude::*;
    use redline_sim::{
        Ladder, Levers, MonteCarloConfig, no_progress, parse_scenario, run_monte_carlo,
    };

    use super::MINIMAL;

    fn number() -> impl Strategy<Value = f64> {
        prop_oneof![
            -1.0..2.0f64,
            0.0..1.0f64,
            Just(0.0),
            Just(1.0),
            Just(1e300),
            Just(-0.0),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Any numbers in any field: either a validation error or a scenario that simulates
        /// without panicking, with outcomes inside the ladder.
        #[test]
        fn any_numbers_parse_or_fail_cleanly_and_simulate(
            values in proptest::collection::vec(number(), 12),
            regime in prop::sample::select(vec!["peace", "competition", "crisis", "war"]),
            max_exchanges in 0u8..16,
        ) {
            let text = format!(
                "{MINIMAL}\n[perception]\nthreat_inflation = {}\nseverity_noise = {}\nattribution_accuracy = {}\nfalse_flag_detection = {}\nstate_blame = {}\nmisread_probability = {}\ndetection_median_days = {}\n\n[policy]\nde_escalation = {}\nreciprocity = {}\n\n[levers.red_lines]\navoidance = {}\n\n[levers.restraint]\ncompliance = {}\n",
                values[0] + 1.0, values[1], values[2], values[3], values[4], values[5], values[6],
                values[7], values[8], values[9], values[10],
            )
            .replace("regime = \"peace\"", &format!("regime = \"{regime}\""))
            .replace("usual_suspect = \"B\"", &format!("usual_suspect = \"B\"\nmax_exchanges = {max_exchanges}"))
            .replace("resolve = 0.5\nrisk_tolerance = 0.3", &format!("resolve = 0.5\nrisk_tolerance = {}", values[11]));
            if let Ok(scenario) = parse_scenario(&text) {
                let ladder = Ladder::default_ladder();
                let config = MonteCarloConfig { runs: 64, seed: 9 };
                for levers in [Levers::NONE, Levers::ALL] {
                    let summary = run_monte_carlo(&scenario, &ladder, &levers, &config, &no_progress);
                    prop_assert_eq!(summary.runs, 64);
                    let total: u64 = summary.highest_rung.iter().map(|rung| rung.share.count).sum();
                    prop_assert_eq!(total, 64);
                }
            }
        }
    }
}
