//! Same seed, same bytes, whatever the thread count.

use std::sync::atomic::{AtomicU64, Ordering};

use redline_sim::{
    Ladder, Levers, MonteCarloConfig, no_progress, render_report, render_summary_table,
    run_comparison, run_monte_carlo,
};

use crate::load;

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

#[test]
fn comparison_report_is_identical_with_one_and_two_threads() {
    let scenario = load("grid-outage-peacetime");
    let ladder = Ladder::default_ladder();
    // Not a multiple of the chunk size, so the last chunk is partial.
    let config = MonteCarloConfig {
        runs: 9_000,
        seed: 20_261_122,
    };
    let report_with = |threads: usize| {
        pool(threads).install(|| {
            let comparison = run_comparison(&scenario, &ladder, &config, &no_progress);
            render_report(&comparison).unwrap()
        })
    };
    let one = report_with(1);
    let two = report_with(2);
    assert_eq!(one.json, two.json);
    assert_eq!(one.highest_rung_svg, two.highest_rung_svg);
    assert_eq!(one.kinetic_svg, two.kinetic_svg);
    assert_eq!(one.paths_svg, two.paths_svg);
    assert_eq!(one.html, two.html);
}

#[test]
fn summary_table_is_identical_with_one_and_two_threads() {
    let scenario = load("armed-conflict-crisis");
    let ladder = Ladder::default_ladder();
    let config = MonteCarloConfig {
        runs: 10_000,
        seed: 7,
    };
    let table_with = |threads: usize| {
        pool(threads).install(|| {
            let summary = run_monte_carlo(&scenario, &ladder, &Levers::ALL, &config, &no_progress);
            (render_summary_table(&summary), summary)
        })
    };
    let (one_table, one) = table_with(1);
    let (two_table, two) = table_with(2);
    assert_eq!(one_table, two_table);
    // Bit-identical floating point, not just equal after formatting.
    assert_eq!(
        one.duration_days.mean.to_bits(),
        two.duration_days.mean.to_bits()
    );
    assert_eq!(one, two);
}

#[test]
fn different_seeds_give_different_results() {
    let scenario = load("grid-outage-peacetime");
    let ladder = Ladder::default_ladder();
    let summary = |seed: u64| {
        run_monte_carlo(
            &scenario,
            &ladder,
            &Levers::NONE,
            &MonteCarloConfig { runs: 2_000, seed },
            &no_progress,
        )
    };
    assert_ne!(summary(1).duration_days.mean, summary(2).duration_days.mean);
}

#[test]
fn progress_callback_counts_every_run() {
    let scenario = load("hospital-ransomware");
    let ladder = Ladder::default_ladder();
    let counted = AtomicU64::new(0);
    let progress = |runs_done: u64| {
        counted.fetch_add(runs_done, Ordering::Relaxed);
    };
    let config = MonteCarloConfig {
        runs: 10_001,
        seed: 3,
    };
    let summary = run_monte_carlo(&scenario, &ladder, &Levers::NONE, &config, &progress);
    assert_eq!(summary.runs, 10_001);
    assert_eq!(counted.load(Ordering::Relaxed), 10_001);

    let counted_compare = AtomicU64::new(0);
    let progress_compare = |runs_done: u64| {
        counted_compare.fetch_add(runs_done, Ordering::Relaxed);
    };
    let config = MonteCarloConfig { runs: 100, seed: 3 };
    let comparison = run_comparison(&scenario, &ladder, &config, &progress_compare);
    assert_eq!(comparison.regimes.len(), 7);
    assert_eq!(counted_compare.load(Ordering::Relaxed), 700);
}

#[test]
fn zero_runs_give_an_empty_summary_without_panicking() {
    let scenario = load("hospital-ransomware");
    let ladder = Ladder::default_ladder();
    let config = MonteCarloConfig { runs: 0, seed: 3 };
    let summary = run_monte_carlo(&scenario, &ladder, &Levers::NONE, &config, &no_progress);
    assert_eq!(summary.runs, 0);
    assert_eq!(summary.probabilities.kinetic.high, 1.0);
    let _ = render_summary_table(&summary);
}
