//! Benchmarks: simulated runs per second on the grid-outage scenario (single thread), and a full
//! CBM comparison of 1,000,000 runs per regime on the default rayon pool.
//!
//! Run with `cargo bench -p redline-sim`.

use redline_sim::{Ladder, Levers, MonteCarloConfig, Scenario, no_progress};

fn main() {
    divan::main();
}

fn grid_outage() -> Scenario {
    let text = include_str!("../../../scenarios/grid-outage-peacetime.toml");
    match Scenario::from_toml_str(text) {
        Ok(scenario) => scenario,
        Err(error) => panic!("shipped scenario does not parse: {error}"),
    }
}

/// 100,000 runs with no lever on a one-thread pool; divan reports runs per second.
#[divan::bench(sample_count = 10)]
fn runs_single_thread(bencher: divan::Bencher) {
    let scenario = grid_outage();
    let ladder = Ladder::default_ladder();
    let pool = match rayon::ThreadPoolBuilder::new().num_threads(1).build() {
        Ok(pool) => pool,
        Err(error) => panic!("thread pool: {error}"),
    };
    let config = MonteCarloConfig {
        runs: 100_000,
        seed: 1,
    };
    bencher
        .counter(divan::counter::ItemsCount::new(config.runs))
        .bench_local(|| {
            pool.install(|| {
                redline_sim::run_monte_carlo(
                    &scenario,
                    &ladder,
                    &Levers::NONE,
                    &config,
                    &no_progress,
                )
            })
        });
}

/// 100,000 runs with every lever on, one thread.
#[divan::bench(sample_count = 10)]
fn runs_single_thread_all_levers(bencher: divan::Bencher) {
    let scenario = grid_outage();
    let ladder = Ladder::default_ladder();
    let pool = match rayon::ThreadPoolBuilder::new().num_threads(1).build() {
        Ok(pool) => pool,
        Err(error) => panic!("thread pool: {error}"),
    };
    let config = MonteCarloConfig {
        runs: 100_000,
        seed: 1,
    };
    bencher
        .counter(divan::counter::ItemsCount::new(config.runs))
        .bench_local(|| {
            pool.install(|| {
                redline_sim::run_monte_carlo(
                    &scenario,
                    &ladder,
                    &Levers::ALL,
                    &config,
                    &no_progress,
                )
            })
        });
}

/// The full comparison (7 regimes × 1,000,000 runs) on the global rayon pool (all cores).
#[divan::bench(sample_count = 1, sample_size = 1)]
fn compare_one_million_runs(bencher: divan::Bencher) {
    let scenario = grid_outage();
    let ladder = Ladder::default_ladder();
    let config = MonteCarloConfig {
        runs: 1_000_000,
        seed: 1,
    };
    bencher
        .counter(divan::counter::ItemsCount::new(config.runs * 7))
        .bench_local(|| redline_sim::run_comparison(&scenario, &ladder, &config, &no_progress));
}
