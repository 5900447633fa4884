//! The comparison of confidence-building regimes: no measure, each measure alone, all together.
//!
//! Every regime runs the same scenario with the same seed and the same number of runs, so run `i`
//! sees the same incident and the same random numbers in every regime (common random numbers)
//! and the differences between regimes are the lever effects, not sampling noise.

use serde::{Deserialize, Serialize};

use crate::ladder::Ladder;
use crate::levers::{Lever, Levers};
use crate::monte_carlo::{MonteCarloConfig, run_monte_carlo};
use crate::scenario::Scenario;
use crate::summary::Summary;

/// The regimes of a comparison, in report order: none, each lever alone, all.
pub fn comparison_regimes() -> Vec<Levers> {
    let mut regimes = vec![Levers::NONE];
    regimes.extend(Lever::ALL.iter().map(|lever| Levers::only(*lever)));
    regimes.push(Levers::ALL);
    regimes
}

/// The summaries of every regime for one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub scenario_id: String,
    pub scenario_title: String,
    pub scenario_description: String,
    pub tension_regime: String,
    pub runs_per_regime: u64,
    pub seed: u64,
    pub rng: String,
    pub simulator_version: String,
    /// One summary per regime, in [`comparison_regimes`] order.
    pub regimes: Vec<Summary>,
}

/// Runs every regime. `progress` receives finished runs across all regimes (total
/// `runs × regimes`).
pub fn run_comparison(
    scenario: &Scenario,
    ladder: &Ladder,
    config: &MonteCarloConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Comparison {
    let regimes = comparison_regimes()
        .iter()
        .map(|levers| run_monte_carlo(scenario, ladder, levers, config, progress))
        .collect();
    Comparison {
        scenario_id: scenario.header.id.clone(),
        scenario_title: scenario.header.title.clone(),
        scenario_description: scenario.header.description.clone(),
        tension_regime: scenario.header.regime.as_str().to_owned(),
        runs_per_regime: config.runs,
        seed: config.seed,
        rng: crate::monte_carlo::RNG_DESCRIPTION.to_owned(),
        simulator_version: env!("CARGO_PKG_VERSION").to_owned(),
        regimes,
    }
}
