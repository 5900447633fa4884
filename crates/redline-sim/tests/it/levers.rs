//! Switching on a confidence-building measure never raises P(kinetic) beyond the interval.

use proptest::prelude::*;
use redline_sim::{Ladder, Lever, Levers, MonteCarloConfig, no_progress, run_monte_carlo};

use crate::shipped_scenarios;

/// Runs per regime in the property test (debug builds are slow; the interval accounts for it).
const RUNS: u64 = 6_000;

fn check_lever_does_not_raise_kinetic(seed: u64, scenario_index: usize, lever: Lever) {
    let scenarios = shipped_scenarios();
    let scenario = &scenarios[scenario_index % scenarios.len()];
    let ladder = Ladder::default_ladder();
    let config = MonteCarloConfig { runs: RUNS, seed };
    let none = run_monte_carlo(scenario, &ladder, &Levers::NONE, &config, &no_progress);
    let with = run_monte_carlo(
        scenario,
        &ladder,
        &Levers::only(lever),
        &config,
        &no_progress,
    );
    let baseline = none.probabilities.kinetic;
    let treated = with.probabilities.kinetic;
    assert!(
        treated.estimate <= baseline.high,
        "{} with {}: P(kinetic) {:.5} above the no-lever interval [{:.5}, {:.5}] (seed {seed})",
        scenario.header.id,
        lever.as_str(),
        treated.estimate,
        baseline.low,
        baseline.high
    );
}

fn any_lever() -> impl Strategy<Value = Lever> {
    prop::sample::select(Lever::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn no_lever_raises_p_kinetic_beyond_the_interval(
        seed in any::<u64>(),
        scenario_index in 0usize..64,
        lever in any_lever(),
    ) {
        check_lever_does_not_raise_kinetic(seed, scenario_index, lever);
    }
}

/// The same property, exhaustively over every shipped scenario and every lever at one seed.
#[test]
fn every_lever_on_every_shipped_scenario() {
    for scenario_index in 0..shipped_scenarios().len() {
        for &lever in Lever::ALL {
            check_lever_does_not_raise_kinetic(11, scenario_index, lever);
        }
    }
}

/// With every lever on, kinetic outcomes fall well below the baseline in wartime.
#[test]
fn all_levers_cut_wartime_p_kinetic() {
    let scenario = crate::load("armed-conflict-crisis");
    let ladder = Ladder::default_ladder();
    let config = MonteCarloConfig {
        runs: 10_000,
        seed: 5,
    };
    let none = run_monte_carlo(&scenario, &ladder, &Levers::NONE, &config, &no_progress);
    let all = run_monte_carlo(&scenario, &ladder, &Levers::ALL, &config, &no_progress);
    assert!(all.probabilities.kinetic.high < none.probabilities.kinetic.low);
}

#[test]
fn lever_labels() {
    assert_eq!(Levers::NONE.label(), "none");
    assert_eq!(Levers::ALL.label(), "all");
    assert_eq!(
        Levers::only(Lever::SharedAttribution).label(),
        "shared-attribution"
    );
    let mut two = Levers::only(Lever::Hotline);
    two.set(Lever::Restraint, true);
    assert_eq!(two.label(), "hotline+restraint");
}
