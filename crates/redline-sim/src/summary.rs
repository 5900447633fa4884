//! Outcome statistics over many runs, with a Wilson score interval on every probability.
//!
//! [`Tally`] is the mergeable accumulator the Monte Carlo driver fills chunk by chunk;
//! [`Summary`] is the finished, serialisable result; [`render_summary_table`] prints it as the
//! plain-text table of `redline sim run`.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::ladder::Ladder;
use crate::levers::Levers;
use crate::model::{CompiledModel, Ending, Path, RunOutcome};
use crate::monte_carlo::{MonteCarloConfig, RNG_DESCRIPTION};
use crate::scenario::Scenario;

/// The normal quantile for a two-sided 95 % interval.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// How many of the most frequent escalation paths a summary keeps.
pub const TOP_PATHS: usize = 10;

/// A count out of a total, with its estimate and 95 % Wilson score interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Proportion {
    pub count: u64,
    pub total: u64,
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

impl Proportion {
    /// The Wilson score interval: centre `(p̂ + z²/2n) / (1 + z²/n)`, half-width
    /// `z·sqrt(p̂(1−p̂)/n + z²/4n²) / (1 + z²/n)`. With no trials the interval is [0, 1].
    pub fn wilson(count: u64, total: u64) -> Proportion {
        if total == 0 {
            return Proportion {
                count,
                total,
                estimate: 0.0,
                low: 0.0,
                high: 1.0,
            };
        }
        let n = total as f64;
        let estimate = count as f64 / n;
        let z2 = Z_95 * Z_95;
        let denominator = 1.0 + z2 / n;
        let centre = (estimate + z2 / (2.0 * n)) / denominator;
        let half_width =
            Z_95 * (estimate * (1.0 - estimate) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
        // The endpoints at 0 and n are exactly 0 and 1; rounding must not move them.
        let low = if count == 0 {
            0.0
        } else {
            (centre - half_width).max(0.0)
        };
        let high = if count >= total {
            1.0
        } else {
            (centre + half_width).min(1.0)
        };
        Proportion {
            count,
            total,
            estimate,
            low,
            high,
        }
    }
}

/// The mergeable accumulator of run outcomes. Integer counts merge exactly; floating-point sums
/// are merged in chunk order by the driver.
#[derive(Debug, Clone)]
pub struct Tally {
    runs: u64,
    highest_rung: Vec<u64>,
    political_or_legal_response: u64,
    military: u64,
    kinetic: u64,
    wrong_state_any: u64,
    wrong_state_total: u64,
    attributed: u64,
    attribution_correct: u64,
    wrongly_accused: u64,
    red_line_avoided: u64,
    duration_sum: f64,
    durations: Vec<f32>,
    attribution_lags: Vec<f32>,
    by_severity: [[u64; 2]; 6],
    endings: [u64; 4],
    exchanges: u64,
    steps_down_sum: u64,
    paths: HashMap<Path, u64>,
    exchange_paths: HashMap<Path, u64>,
}

impl Tally {
    /// An empty tally for a ladder of `n_rungs` rungs, with room for `capacity` runs.
    pub fn new(n_rungs: usize, capacity: usize) -> Tally {
        Tally {
            runs: 0,
            highest_rung: vec![0; n_rungs],
            political_or_legal_response: 0,
            military: 0,
            kinetic: 0,
            wrong_state_any: 0,
            wrong_state_total: 0,
            attributed: 0,
            attribution_correct: 0,
            wrongly_accused: 0,
            red_line_avoided: 0,
            duration_sum: 0.0,
            durations: Vec::with_capacity(capacity),
            attribution_lags: Vec::with_capacity(capacity),
            by_severity: [[0; 2]; 6],
            endings: [0; 4],
            exchanges: 0,
            steps_down_sum: 0,
            paths: HashMap::new(),
            exchange_paths: HashMap::new(),
        }
    }

    /// Adds one run.
    pub fn add(&mut self, outcome: &RunOutcome, model: &CompiledModel) {
        self.runs += 1;
        if let Some(slot) = self.highest_rung.get_mut(usize::from(outcome.highest_rung)) {
            *slot += 1;
        }
        self.political_or_legal_response += u64::from(outcome.political_or_legal_response);
        self.military += u64::from(outcome.highest_rung >= model.first_military_rung());
        self.kinetic += u64::from(outcome.highest_rung >= model.first_kinetic_rung());
        self.wrong_state_any += u64::from(outcome.wrong_state_responses > 0);
        self.wrong_state_total += u64::from(outcome.wrong_state_responses);
        self.attributed += u64::from(outcome.attributed);
        self.attribution_correct += u64::from(outcome.attribution_correct);
        self.wrongly_accused += u64::from(outcome.wrongly_accused);
        self.red_line_avoided += u64::from(outcome.red_line_avoided);
        self.duration_sum += outcome.duration_days;
        self.durations.push(outcome.duration_days as f32);
        self.attribution_lags
            .push(outcome.attribution_lag_days as f32);
        if let Some(row) = self.by_severity.get_mut(usize::from(outcome.true_severity)) {
            row[0] += 1;
            row[1] += u64::from(outcome.political_or_legal_response);
        }
        self.endings[outcome.ending.index()] += 1;
        if matches!(outcome.ending, Ending::SteppedDown | Ending::Unresolved) {
            self.exchanges += 1;
            let rungs = outcome.path.rungs();
            let peak_position = rungs
                .iter()
                .position(|rung| *rung == outcome.highest_rung)
                .unwrap_or(0);
            self.steps_down_sum += (rungs.len().saturating_sub(1 + peak_position)) as u64;
            *self.exchange_paths.entry(outcome.path).or_insert(0) += 1;
        }
        *self.paths.entry(outcome.path).or_insert(0) += 1;
    }

    /// Appends another tally (the next chunk, in index order).
    pub fn merge(&mut self, other: Tally) {
        self.runs += other.runs;
        for (mine, theirs) in self.highest_rung.iter_mut().zip(&other.highest_rung) {
            *mine += theirs;
        }
        self.political_or_legal_response += other.political_or_legal_response;
        self.military += other.military;
        self.kinetic += other.kinetic;
        self.wrong_state_any += other.wrong_state_any;
        self.wrong_state_total += other.wrong_state_total;
        self.attributed += other.attributed;
        self.attribution_correct += other.attribution_correct;
        self.wrongly_accused += other.wrongly_accused;
        self.red_line_avoided += other.red_line_avoided;
        self.duration_sum += other.duration_sum;
        self.durations.extend_from_slice(&other.durations);
        self.attribution_lags
            .extend_from_slice(&other.attribution_lags);
        for (mine, theirs) in self.by_severity.iter_mut().zip(&other.by_severity) {
            mine[0] += theirs[0];
            mine[1] += theirs[1];
        }
        for (mine, theirs) in self.endings.iter_mut().zip(&other.endings) {
            *mine += theirs;
        }
        self.exchanges += other.exchanges;
        self.steps_down_sum += other.steps_down_sum;
        for (path, count) in other.paths {
            *self.paths.entry(path).or_insert(0) += count;
        }
        for (path, count) in other.exchange_paths {
            *self.exchange_paths.entry(path).or_insert(0) += count;
        }
    }
}

/// The share of runs whose highest rung was this rung.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RungShare {
    pub number: u8,
    pub id: String,
    pub title: String,
    pub kind: String,
    pub share: Proportion,
}

/// The political or legal response rate at one true severity level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeverityResponse {
    pub level: u8,
    pub response: Proportion,
}

/// How many runs ended one way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndingShare {
    pub ending: String,
    pub share: Proportion,
}

/// One of the most frequent sequences of rungs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathShare {
    pub rungs: Vec<u8>,
    pub share: Proportion,
}

/// Quantiles of a duration in days.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DurationStatistics {
    pub mean: f64,
    pub p25: f64,
    pub median: f64,
    pub p75: f64,
    pub p90: f64,
}

/// The probabilities every summary reports, each with its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Probabilities {
    /// Any rung at or above the first political or legal response rung.
    pub political_or_legal_response: Proportion,
    /// Highest rung military or above.
    pub military: Proportion,
    /// Highest rung kinetic.
    pub kinetic: Proportion,
    /// At least one response aimed at a state that did not do it.
    pub wrong_state_response: Proportion,
    /// Formal attribution within the horizon.
    pub attributed: Proportion,
    /// Formal attribution named the true state initiator.
    pub attribution_correct: Proportion,
    /// Formal attribution named a state that did not do it.
    pub wrongly_accused: Proportion,
    /// A deliberate initiator scaled back below a published red line.
    pub red_line_avoided: Proportion,
    /// Among runs with an exchange: it stepped back down below the first response rung.
    pub stepped_down: Proportion,
}

/// The path back down after the peak, over runs with an exchange.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DeEscalation {
    pub runs_with_exchange: u64,
    /// Mean number of moves after the peak.
    pub mean_moves_after_peak: f64,
}

/// The summary of a set of runs with one lever setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub scenario_id: String,
    pub scenario_title: String,
    pub tension_regime: String,
    pub levers: Levers,
    pub levers_label: String,
    pub runs: u64,
    pub seed: u64,
    pub rng: String,
    pub simulator_version: String,
    pub probabilities: Probabilities,
    pub highest_rung: Vec<RungShare>,
    pub duration_days: DurationStatistics,
    pub attribution_lag_days: DurationStatistics,
    pub mean_wrong_state_responses: f64,
    pub response_by_severity: Vec<SeverityResponse>,
    pub endings: Vec<EndingShare>,
    pub de_escalation: DeEscalation,
    pub top_paths: Vec<PathShare>,
    /// The most frequent paths among runs with an exchange (shares of all runs).
    pub top_exchange_paths: Vec<PathShare>,
}

impl Summary {
    /// Finishes a tally into a summary.
    pub fn from_tally(
        tally: Tally,
        scenario: &Scenario,
        ladder: &Ladder,
        levers: &Levers,
        config: &MonteCarloConfig,
    ) -> Summary {
        let runs = tally.runs;
        let share = |count: u64| Proportion::wilson(count, runs);
        let probabilities = probabilities_of(&tally);
        let highest_rung = highest_rung_shares(&tally, ladder);
        let response_by_severity = tally
            .by_severity
            .iter()
            .enumerate()
            .map(|(level, row)| SeverityResponse {
                level: u8::try_from(level).unwrap_or(0),
                response: Proportion::wilson(row[1], row[0]),
            })
            .collect();
        let endings = Ending::ALL
            .iter()
            .map(|ending| EndingShare {
                ending: ending.as_str().to_owned(),
                share: share(tally.endings[ending.index()]),
            })
            .collect();
        let top_paths = most_frequent(tally.paths, runs);
        let top_exchange_paths = most_frequent(tally.exchange_paths, runs);
        let mean_duration = mean(tally.duration_sum, runs);
        // Summed in index order.
        let attribution_mean = mean(
            tally
                .attribution_lags
                .iter()
                .map(|lag| f64::from(*lag))
                .sum::<f64>(),
            runs,
        );
        Summary {
            scenario_id: scenario.header.id.clone(),
            scenario_title: scenario.header.title.clone(),
            tension_regime: scenario.header.regime.as_str().to_owned(),
            levers: *levers,
            levers_label: levers.label(),
            runs,
            seed: config.seed,
            rng: RNG_DESCRIPTION.to_owned(),
            simulator_version: env!("CARGO_PKG_VERSION").to_owned(),
            probabilities,
            highest_rung,
            duration_days: quantiles(tally.durations, mean_duration),
            attribution_lag_days: quantiles(tally.attribution_lags, attribution_mean),
            mean_wrong_state_responses: mean(tally.wrong_state_total as f64, runs),
            response_by_severity,
            endings,
            de_escalation: DeEscalation {
                runs_with_exchange: tally.exchanges,
                mean_moves_after_peak: mean(tally.steps_down_sum as f64, tally.exchanges),
            },
            top_paths,
            top_exchange_paths,
        }
    }
}

/// `sum / count`, or 0 when nothing was counted.
fn mean(sum: f64, count: u64) -> f64 {
    if count == 0 { 0.0 } else { sum / count as f64 }
}

/// Each probability of the summary with its Wilson interval.
fn probabilities_of(tally: &Tally) -> Probabilities {
    let share = |count: u64| Proportion::wilson(count, tally.runs);
    Probabilities {
        political_or_legal_response: share(tally.political_or_legal_response),
        military: share(tally.military),
        kinetic: share(tally.kinetic),
        wrong_state_response: share(tally.wrong_state_any),
        attributed: share(tally.attributed),
        attribution_correct: Proportion::wilson(tally.attribution_correct, tally.attributed),
        wrongly_accused: Proportion::wilson(tally.wrongly_accused, tally.attributed),
        red_line_avoided: share(tally.red_line_avoided),
        stepped_down: Proportion::wilson(
            tally.endings[Ending::SteppedDown.index()],
            tally.exchanges,
        ),
    }
}

/// How often each rung of the ladder was the highest a run reached.
fn highest_rung_shares(tally: &Tally, ladder: &Ladder) -> Vec<RungShare> {
    ladder
        .rungs()
        .iter()
        .map(|rung| RungShare {
            number: rung.number,
            id: rung.id.clone(),
            title: rung.title.clone(),
            kind: rung.kind.name().to_owned(),
            share: Proportion::wilson(
                tally
                    .highest_rung
                    .get(usize::from(rung.number))
                    .copied()
                    .unwrap_or(0),
                tally.runs,
            ),
        })
        .collect()
}

/// The [`TOP_PATHS`] most frequent paths, ties broken by the path itself so the order is
/// deterministic.
fn most_frequent(paths: HashMap<Path, u64>, runs: u64) -> Vec<PathShare> {
    let mut paths: Vec<(Path, u64)> = paths.into_iter().collect();
    paths.sort_by(|left, right| right.1.cmp(&left.1).then_with(|| left.0.cmp(&right.0)));
    paths
        .iter()
        .take(TOP_PATHS)
        .map(|(path, count)| PathShare {
            rungs: path.rungs().to_vec(),
            share: Proportion::wilson(*count, runs),
        })
        .collect()
}

fn quantiles(mut values: Vec<f32>, mean: f64) -> DurationStatistics {
    values.sort_unstable_by(f32::total_cmp);
    let at = |fraction: f64| -> f64 {
        if values.is_empty() {
            return 0.0;
        }
        let index = ((values.len() - 1) as f64 * fraction).round() as usize;
        f64::from(values[index.min(values.len() - 1)])
    };
    DurationStatistics {
        mean,
        p25: at(0.25),
        median: at(0.5),
        p75: at(0.75),
        p90: at(0.9),
    }
}

/// Formats a path of rungs as `3 → 5 → 4 → 2`.
pub fn format_path(rungs: &[u8]) -> String {
    let parts: Vec<String> = rungs.iter().map(|rung| rung.to_string()).collect();
    parts.join(" → ")
}

fn format_proportion(proportion: &Proportion) -> String {
    format!(
        "{:.4}  [{:.4}, {:.4}]",
        proportion.estimate, proportion.low, proportion.high
    )
}

/// Renders a summary as the plain-text table `redline sim run` prints. The output depends only on
/// the summary, so the same seed prints the same bytes.
pub fn render_summary_table(summary: &Summary) -> String {
    let mut out = String::new();
    write_summary_header(&mut out, summary);
    write_probabilities(&mut out, summary);
    write_day_statistics(&mut out, summary);
    write_highest_rungs(&mut out, summary);
    write_response_by_severity(&mut out, summary);
    write_endings(&mut out, summary);
    let _ = writeln!(out);
    write_path_table(
        &mut out,
        "most frequent paths (rung of each move)",
        &summary.top_paths,
    );
    let _ = writeln!(out);
    write_path_table(
        &mut out,
        "most frequent escalation paths (runs with an exchange)",
        &summary.top_exchange_paths,
    );
    out
}

/// The scenario, the regime and levers, the runs, the seed and the generator.
fn write_summary_header(out: &mut String, summary: &Summary) {
    let _ = writeln!(
        out,
        "scenario   {} — {}",
        summary.scenario_id, summary.scenario_title
    );
    let _ = writeln!(
        out,
        "regime     {}   levers {}   runs {}   seed {}",
        summary.tension_regime, summary.levers_label, summary.runs, summary.seed
    );
    let _ = writeln!(
        out,
        "rng        {}   redline-sim {}",
        summary.rng, summary.simulator_version
    );
}

/// Each probability with its 95% Wilson interval.
fn write_probabilities(out: &mut String, summary: &Summary) {
    let _ = writeln!(out);
    let _ = writeln!(out, "{:<44} {:>8}  95% interval", "probability", "estimate");
    let p = &summary.probabilities;
    let rows: [(&str, &Proportion); 9] = [
        (
            "political or legal response",
            &p.political_or_legal_response,
        ),
        ("reached a military rung", &p.military),
        ("turned kinetic", &p.kinetic),
        ("response aimed at the wrong state", &p.wrong_state_response),
        ("formal attribution within horizon", &p.attributed),
        (
            "attribution correct (of attributed)",
            &p.attribution_correct,
        ),
        ("wrong state accused (of attributed)", &p.wrongly_accused),
        ("initiator stopped short of a red line", &p.red_line_avoided),
        ("exchange stepped back down (of exchanges)", &p.stepped_down),
    ];
    for (label, proportion) in rows {
        let _ = writeln!(out, "{label:<44} {}", format_proportion(proportion));
    }
}

/// Duration and attribution lag in days: mean and quantiles.
fn write_day_statistics(out: &mut String, summary: &Summary) {
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<44} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "days", "mean", "p25", "median", "p75", "p90"
    );
    for (label, stats) in [
        ("duration", &summary.duration_days),
        ("attribution lag", &summary.attribution_lag_days),
    ] {
        let _ = writeln!(
            out,
            "{label:<44} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>8.1}",
            stats.mean, stats.p25, stats.median, stats.p75, stats.p90
        );
    }
    let _ = writeln!(
        out,
        "{:<44} {:>8.4}",
        "wrong-state responses per run (mean)", summary.mean_wrong_state_responses
    );
}

/// How often each rung was the highest reached.
fn write_highest_rungs(out: &mut String, summary: &Summary) {
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<5} {:<22} {:<12} {:>9}  share",
        "rung", "id", "kind", "runs"
    );
    for rung in &summary.highest_rung {
        let _ = writeln!(
            out,
            "{:<5} {:<22} {:<12} {:>9}  {}",
            rung.number,
            rung.id,
            rung.kind,
            rung.share.count,
            format_proportion(&rung.share)
        );
    }
}

/// The response rate at each true severity level.
fn write_response_by_severity(out: &mut String, summary: &Summary) {
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<14} {:>9}  response rate (political or legal)",
        "true severity", "runs"
    );
    for row in &summary.response_by_severity {
        let _ = writeln!(
            out,
            "{:<14} {:>9}  {}",
            row.level,
            row.response.total,
            format_proportion(&row.response)
        );
    }
}

/// How the runs ended, and the moves after the peak.
fn write_endings(out: &mut String, summary: &Summary) {
    let _ = writeln!(out);
    let _ = writeln!(out, "{:<14} {:>9}  share", "ending", "runs");
    for ending in &summary.endings {
        let _ = writeln!(
            out,
            "{:<14} {:>9}  {}",
            ending.ending,
            ending.share.count,
            format_proportion(&ending.share)
        );
    }
    let _ = writeln!(
        out,
        "moves after the peak, mean over {} exchanges: {:.2}",
        summary.de_escalation.runs_with_exchange, summary.de_escalation.mean_moves_after_peak
    );
}

/// The most frequent paths of rungs, under `title`.
fn write_path_table(out: &mut String, title: &str, paths: &[PathShare]) {
    let _ = writeln!(out, "{:>9}  {:<8}  {title}", "runs", "share");
    for path in paths {
        let _ = writeln!(
            out,
            "{:>9}  {:<8.4}  {}",
            path.share.count,
            path.share.estimate,
            format_path(&path.rungs)
        );
    }
}
