//! `redline sim`: Monte Carlo escalation runs and confidence-building comparisons.
//!
//! Results go to stdout (the same seed prints the same bytes); the progress bar and timings go
//! to stderr. The model itself lives in redline-sim; this module reads the scenario, drives the
//! progress bar and writes the report files.

use std::{path::PathBuf, time::Instant};

use crate::output::Format;
use anyhow::Context;
use indicatif::ProgressBar;
use redline_sim::{
    Ladder, Lever, Levers, MonteCarloConfig, comparison_regimes, parse_scenario, render_report,
    render_summary_table, run_comparison, run_monte_carlo,
};

#[derive(Debug, clap::Subcommand)]
pub enum SimCommand {
    /// Run one scenario and print a summary table.
    Run {
        /// Scenario file (TOML), such as scenarios/grid-outage-peacetime.toml.
        scenario: PathBuf,
        /// Number of simulated runs.
        #[arg(long, default_value_t = 100_000)]
        runs: u64,
        /// Master seed; the same seed gives the same result whatever the thread count.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Switch on a confidence-building measure (repeat for more): hotline, notification,
        /// shared-attribution, red-lines, restraint.
        #[arg(long = "lever", value_name = "LEVER")]
        levers: Vec<String>,
        /// Worker threads (default: one per core).
        #[arg(long)]
        threads: Option<usize>,
        /// Climb the ladder of this norms document's `[[rung]]` list (a shipped name such as
        /// baseline, or a file) instead of the simulator's default ladder.
        #[arg(long, value_name = "NAME|FILE")]
        norms: Option<String>,
        /// `table` (people) or `json` (the summary, for programs).
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Run every regime (no measure, each alone, all together) and write a report.
    Compare {
        scenario: PathBuf,
        /// Runs per regime.
        #[arg(long, default_value_t = 100_000)]
        runs: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Directory for comparison.json, the SVG charts and index.html.
        #[arg(long, default_value = "sim-report")]
        output: PathBuf,
        #[arg(long)]
        threads: Option<usize>,
        /// Climb the ladder of this norms document (a shipped name or a file).
        #[arg(long, value_name = "NAME|FILE")]
        norms: Option<String>,
    },
}

fn load_scenario(path: &PathBuf) -> anyhow::Result<redline_sim::Scenario> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the scenario {}", path.display()))?;
    parse_scenario(&text)
        .map_err(|error| {
            redline_node::NodeError::invalid(path.display().to_string(), error.to_string())
        })
        .with_context(|| format!("in the scenario {}", path.display()))
}

fn parse_levers(names: &[String]) -> anyhow::Result<Levers> {
    let mut levers = Levers::NONE;
    for name in names {
        let lever = Lever::parse(name).ok_or_else(|| {
            redline_node::NodeError::invalid(
                "--lever",
                format!(
                    "`{name}` is not one of {}",
                    Lever::ALL
                        .iter()
                        .map(Lever::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
        levers.set(lever, true);
    }
    Ok(levers)
}

fn progress_bar(total: u64) -> ProgressBar {
    crate::output::progress_bar(total, "{bar:40} {pos}/{len} runs ({per_sec}, {eta} left)")
}

fn thread_pool(threads: Option<usize>) -> anyhow::Result<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = threads {
        builder = builder.num_threads(threads.max(1));
    }
    builder.build().context("starting the worker threads")
}

/// The default ladder, or the `[[rung]]` list of a norms document.
fn ladder_of(norms: Option<&str>) -> anyhow::Result<Ladder> {
    let Some(name_or_path) = norms else {
        return Ok(Ladder::default_ladder());
    };
    if redline_norms::shipped_document(name_or_path).is_none()
        && !std::path::Path::new(name_or_path).exists()
    {
        return Err(redline_node::NodeError::invalid(
            "--norms",
            format!(
                "`{name_or_path}` is neither a shipped norms document (baseline, sovereignty-as-principle, sovereignty-strict) nor a file"
            ),
        )
        .into());
    }
    let (document, _) = crate::commands::norms::load_document(name_or_path)?;
    Ladder::from_norms_document(&document).map_err(|error| {
        redline_node::NodeError::invalid(
            "--norms",
            format!(
                "the rungs of {name_or_path} are not a ladder the simulator can climb: {error}"
            ),
        )
        .into()
    })
}

pub fn run(command: SimCommand) -> anyhow::Result<()> {
    match command {
        SimCommand::Run {
            scenario,
            runs,
            seed,
            levers,
            threads,
            norms,
            format,
        } => {
            let scenario = load_scenario(&scenario)?;
            let ladder = ladder_of(norms.as_deref())?;
            let levers = parse_levers(&levers)?;
            let config = MonteCarloConfig { runs, seed };
            let bar = progress_bar(runs);
            let started = Instant::now();
            let summary = thread_pool(threads)?.install(|| {
                run_monte_carlo(&scenario, &ladder, &levers, &config, &|done| bar.inc(done))
            });
            bar.finish_and_clear();
            eprintln!("{runs} runs in {:.2} s", started.elapsed().as_secs_f64());
            match format {
                Format::Json => crate::output::print_json(&summary),
                Format::Table => {
                    print!("{}", render_summary_table(&summary));
                    Ok(())
                }
            }
        }
        SimCommand::Compare {
            scenario,
            runs,
            seed,
            output,
            threads,
            norms,
        } => {
            let scenario = load_scenario(&scenario)?;
            let ladder = ladder_of(norms.as_deref())?;
            let config = MonteCarloConfig { runs, seed };
            let total = runs.saturating_mul(comparison_regimes().len() as u64);
            let bar = progress_bar(total);
            let started = Instant::now();
            let comparison = thread_pool(threads)?
                .install(|| run_comparison(&scenario, &ladder, &config, &|done| bar.inc(done)));
            bar.finish_and_clear();
            let report = render_report(&comparison).context("rendering the report")?;
            std::fs::create_dir_all(&output)
                .with_context(|| format!("creating {}", output.display()))?;
            for (name, contents) in report.files() {
                let path = output.join(name);
                std::fs::write(&path, contents)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            eprintln!(
                "{total} runs in {:.2} s; report in {}",
                started.elapsed().as_secs_f64(),
                output.display()
            );
            println!("{}", output.join("index.html").display());
            Ok(())
        }
    }
}
