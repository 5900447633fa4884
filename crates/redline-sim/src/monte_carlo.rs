//! The seeded, parallel Monte Carlo driver.
//!
//! Run `i` draws from `ChaCha8Rng::seed_from_u64(seed)` with `set_stream(i)`: one independent
//! stream per run index, so a run's outcome depends only on the seed and its index. Runs are
//! grouped into fixed chunks of [`CHUNK_RUNS`] indices (the grouping never depends on the thread
//! count); rayon tallies the chunks in parallel, the tallies are collected in chunk order and
//! merged sequentially, so every floating-point sum is taken in index order. The same seed
//! therefore gives bit-identical summaries with any number of threads.
//!
//! The driver does no I/O: it reports progress through a callback that receives the number of
//! runs just finished, which the CLI forwards to a progress bar.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::ladder::Ladder;
use crate::levers::Levers;
use crate::model::CompiledModel;
use crate::scenario::Scenario;
use crate::summary::{Summary, Tally};

/// Runs per chunk: the unit of parallel work and of progress reports.
pub const CHUNK_RUNS: u64 = 4096;

/// How many runs to make and from which seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonteCarloConfig {
    pub runs: u64,
    pub seed: u64,
}

/// The name of the random number generator and stream scheme, recorded in every result.
pub const RNG_DESCRIPTION: &str =
    "ChaCha8Rng (rand_chacha 0.10), seed_from_u64(seed), stream = run index";

/// A progress callback that ignores its argument.
pub fn no_progress(_runs_done: u64) {}

/// Runs `config.runs` seeded runs of a scenario on the current rayon thread pool and summarises
/// them. `progress` is called from worker threads with the number of runs each finished chunk
/// held; the calls' sum is `config.runs`.
pub fn run_monte_carlo(
    scenario: &Scenario,
    ladder: &Ladder,
    levers: &Levers,
    config: &MonteCarloConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Summary {
    let model = CompiledModel::new(scenario, ladder, levers);
    let base = ChaCha8Rng::seed_from_u64(config.seed);
    let n_chunks = config.runs.div_ceil(CHUNK_RUNS);
    let tallies: Vec<Tally> = (0..n_chunks)
        .into_par_iter()
        .map(|chunk_index| {
            let start = chunk_index * CHUNK_RUNS;
            let end = (start + CHUNK_RUNS).min(config.runs);
            let mut tally = Tally::new(ladder.len(), usize::try_from(end - start).unwrap_or(0));
            for run_index in start..end {
                let mut rng = base.clone();
                rng.set_stream(run_index);
                let outcome = model.simulate_run(&mut rng);
                tally.add(&outcome, &model);
            }
            progress(end - start);
            tally
        })
        .collect();
    let mut total = Tally::new(ladder.len(), 0);
    for tally in tallies {
        total.merge(tally);
    }
    Summary::from_tally(total, scenario, ladder, levers, config)
}

/// Simulates one run by its index, for tests and debugging.
pub fn simulate_single_run(
    scenario: &Scenario,
    ladder: &Ladder,
    levers: &Levers,
    seed: u64,
    run_index: u64,
) -> crate::model::RunOutcome {
    let model = CompiledModel::new(scenario, ladder, levers);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(run_index);
    model.simulate_run(&mut rng)
}
