//! The comparison report: JSON, three SVG charts and one self-contained HTML page, all rendered
//! as strings (the CLI writes the files).
//!
//! The charts are drawn with `redline-charts` (the one chart module, shared with the
//! dashboard): every chart has a title, a description, labelled axes and a legend, and the HTML
//! page (the askama template `templates/comparison.html`, which escapes every value) repeats
//! each chart's numbers in a data table so nothing is only readable from a picture. The page
//! loads nothing from outside.

use askama::Template;
use redline_charts::{Figure, nice_ceiling, palette_colour};

use crate::compare::Comparison;
use crate::summary::{PathShare, Proportion, Summary, format_path};

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("could not serialise the comparison as JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("could not render the report page: {0}")]
    Template(#[from] askama::Error),
}

/// The rendered report files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The whole comparison as pretty-printed JSON.
    pub json: String,
    /// Distribution of the highest rung reached, per regime.
    pub highest_rung_svg: String,
    /// P(kinetic) with 95 % intervals, per regime.
    pub kinetic_svg: String,
    /// The most frequent escalation paths without and with all measures.
    pub paths_svg: String,
    /// A self-contained page tying the charts and tables together.
    pub html: String,
}

impl Report {
    /// The suggested file name and content of every file, in a fixed order.
    pub fn files(&self) -> [(&'static str, &str); 5] {
        [
            ("comparison.json", self.json.as_str()),
            ("highest-rung.svg", self.highest_rung_svg.as_str()),
            ("kinetic.svg", self.kinetic_svg.as_str()),
            ("paths.svg", self.paths_svg.as_str()),
            ("index.html", self.html.as_str()),
        ]
    }
}

/// Renders every report file for a comparison.
pub fn render_report(comparison: &Comparison) -> Result<Report, ReportError> {
    let mut json = serde_json::to_string_pretty(comparison)?;
    json.push('\n');
    let highest_rung_svg = highest_rung_chart(comparison);
    let kinetic_svg = kinetic_chart(comparison);
    let paths_svg = paths_chart(comparison);
    let html = ComparisonPage::new(comparison, &highest_rung_svg, &kinetic_svg, &paths_svg)
        .render_page()?;
    Ok(Report {
        json,
        highest_rung_svg,
        kinetic_svg,
        paths_svg,
        html,
    })
}

/// The smallest share drawn on the logarithmic axis of the highest-rung chart.
const LOG_FLOOR: f64 = 1e-5;

/// Grouped bars: for each rung, the share of runs that peaked there in each regime, on a
/// logarithmic axis.
fn highest_rung_chart(comparison: &Comparison) -> String {
    let n_rungs = comparison
        .regimes
        .first()
        .map(|summary| summary.highest_rung.len())
        .unwrap_or(0)
        .max(1);
    let n_regimes = comparison.regimes.len().max(1);
    let (left, right, top, bottom) = (70.0, 170.0, 50.0, 60.0);
    let plot_width = 60.0 * n_rungs as f64;
    let plot_height = 300.0;
    let width = left + plot_width + right;
    let height = top + plot_height + bottom;
    let title = format!("Highest rung reached — {}", comparison.scenario_title);
    let mut figure = Figure::new(
        width,
        height,
        &title,
        "Share of runs whose highest rung was each rung, one bar per confidence-building regime, logarithmic scale.",
    );
    // Logarithmic y axis from LOG_FLOOR to 1.
    let decades = -LOG_FLOOR.log10();
    let y_of = |share: f64| {
        let clamped = share.clamp(LOG_FLOOR, 1.0);
        top + plot_height * (-clamped.log10() / decades)
    };
    for exponent in 0..=(decades as i32) {
        let share = 10f64.powi(-exponent);
        let y = y_of(share);
        figure.line((left, y), (left + plot_width, y), "#dddddd", 1.0);
        let label = if exponent == 0 {
            "1".to_owned()
        } else {
            format!("1e-{exponent}")
        };
        figure.text((left - 6.0, y + 4.0), "end", &label);
    }
    draw_axes(&mut figure, (left, top), (plot_width, plot_height));
    let group_width = plot_width / n_rungs as f64;
    let bar_width = (group_width - 8.0) / n_regimes as f64;
    for (regime_index, summary) in comparison.regimes.iter().enumerate() {
        for rung in &summary.highest_rung {
            if rung.share.count == 0 {
                continue;
            }
            let x =
                left + group_width * f64::from(rung.number) + 4.0 + bar_width * regime_index as f64;
            let y = y_of(rung.share.estimate);
            let tooltip = format!(
                "{}: rung {} {} — {:.5}",
                summary.levers_label, rung.number, rung.id, rung.share.estimate
            );
            figure.rect(
                (x, y),
                (bar_width, (top + plot_height - y).max(0.0)),
                palette_colour(regime_index),
                &tooltip,
            );
        }
    }
    if let Some(summary) = comparison.regimes.first() {
        for rung in &summary.highest_rung {
            let x = left + group_width * (f64::from(rung.number) + 0.5);
            figure.text(
                (x, top + plot_height + 16.0),
                "middle",
                &rung.number.to_string(),
            );
        }
    }
    figure.text(
        (left + plot_width / 2.0, height - 18.0),
        "middle",
        "highest rung reached (ladder rung number)",
    );
    figure.rotated_text((18.0, top + plot_height / 2.0), "share of runs (log scale)");
    let labels: Vec<String> = comparison
        .regimes
        .iter()
        .map(|summary| summary.levers_label.clone())
        .collect();
    figure.legend((left + plot_width + 20.0, top + 10.0), &labels);
    figure.finish()
}

/// The vertical and horizontal axis lines of a plot whose top left corner is `(left, top)`.
fn draw_axes(figure: &mut Figure, (left, top): (f64, f64), (plot_width, plot_height): (f64, f64)) {
    figure.line((left, top), (left, top + plot_height), "#000000", 1.0);
    figure.line(
        (left, top + plot_height),
        (left + plot_width, top + plot_height),
        "#000000",
        1.0,
    );
}

/// One row per regime: the P(kinetic) estimate as a point and its interval as a bar.
fn kinetic_chart(comparison: &Comparison) -> String {
    let n_regimes = comparison.regimes.len().max(1);
    let (left, right, top, bottom) = (160.0, 40.0, 50.0, 60.0);
    let row_height = 34.0;
    let plot_width = 520.0;
    let plot_height = row_height * n_regimes as f64;
    let width = left + plot_width + right;
    let height = top + plot_height + bottom;
    let title = format!("P(kinetic) by regime — {}", comparison.scenario_title);
    let mut figure = Figure::new(
        width,
        height,
        &title,
        "Probability that a run reached a kinetic rung, with 95% Wilson score intervals, one row per confidence-building regime.",
    );
    let maximum = comparison
        .regimes
        .iter()
        .map(|summary| summary.probabilities.kinetic.high)
        .fold(0.0, f64::max);
    let axis_max = nice_ceiling(maximum);
    let x_of = |value: f64| left + plot_width * (value / axis_max).clamp(0.0, 1.0);
    for tick in 0..=5 {
        let value = axis_max * f64::from(tick) / 5.0;
        let x = x_of(value);
        figure.line((x, top), (x, top + plot_height), "#dddddd", 1.0);
        figure.text(
            (x, top + plot_height + 16.0),
            "middle",
            &format_probability(value),
        );
    }
    draw_axes(&mut figure, (left, top), (plot_width, plot_height));
    for (index, summary) in comparison.regimes.iter().enumerate() {
        let kinetic = &summary.probabilities.kinetic;
        let colour = palette_colour(index);
        let y = top + row_height * (index as f64 + 0.5);
        figure.text((left - 8.0, y + 4.0), "end", &summary.levers_label);
        let tooltip = format!(
            "{}: {:.5} [{:.5}, {:.5}]",
            summary.levers_label, kinetic.estimate, kinetic.low, kinetic.high
        );
        let (low, high) = (x_of(kinetic.low), x_of(kinetic.high));
        figure.line((low, y), (high, y), colour, 2.0);
        figure.line((low, y - 6.0), (low, y + 6.0), colour, 2.0);
        figure.line((high, y - 6.0), (high, y + 6.0), colour, 2.0);
        figure.circle((x_of(kinetic.estimate), y), 5.0, colour, &tooltip);
    }
    figure.text(
        (left + plot_width / 2.0, height - 18.0),
        "middle",
        "P(kinetic): estimate and 95% Wilson interval",
    );
    figure.rotated_text((18.0, top + plot_height / 2.0), "regime");
    figure.finish()
}

fn format_probability(value: f64) -> String {
    if value == 0.0 {
        "0".to_owned()
    } else if value >= 0.01 {
        format!("{value:.3}")
    } else {
        format!("{value:.1e}")
    }
}

/// The baseline and all-measures summaries, which the paths chart contrasts.
fn baseline_and_all(comparison: &Comparison) -> Vec<&Summary> {
    let mut chosen = Vec::new();
    if let Some(first) = comparison.regimes.first() {
        chosen.push(first);
    }
    if let Some(last) = comparison.regimes.last()
        && comparison.regimes.len() > 1
    {
        chosen.push(last);
    }
    chosen
}

/// Horizontal bars: the most frequent escalation paths without and with all measures.
fn paths_chart(comparison: &Comparison) -> String {
    let chosen = baseline_and_all(comparison);
    let n_paths = 8usize;
    let (left, right, top) = (230.0, 90.0, 50.0);
    let row_height = 20.0;
    let section_gap = 36.0;
    let plot_width = 420.0;
    let section_height = row_height * n_paths as f64;
    let height = top + (section_height + section_gap) * chosen.len() as f64 + 50.0;
    let width = left + plot_width + right;
    let title = format!(
        "Most frequent escalation paths — {}",
        comparison.scenario_title
    );
    let mut figure = Figure::new(
        width,
        height,
        &title,
        "For runs with an exchange: the most frequent sequences of rungs, move by move, as a share of all runs; without measures and with all measures.",
    );
    let maximum = chosen
        .iter()
        .flat_map(|summary| summary.top_exchange_paths.iter())
        .map(|path| path.share.estimate)
        .fold(0.0, f64::max);
    let axis_max = nice_ceiling(maximum);
    let x_of = |value: f64| left + plot_width * (value / axis_max).clamp(0.0, 1.0);
    let colour_indices = [0usize, comparison.regimes.len().saturating_sub(1)];
    for (section, summary) in chosen.iter().enumerate() {
        let section_top = top + (section_height + section_gap) * section as f64;
        figure.heading(
            (left, section_top + 12.0),
            &format!("regime: {}", summary.levers_label),
        );
        let rows_top = section_top + 20.0;
        for (row, path) in summary.top_exchange_paths.iter().take(n_paths).enumerate() {
            let y = rows_top + row_height * row as f64;
            let label = format_path(&path.rungs);
            figure.text((left - 8.0, y + 13.0), "end", &label);
            let tooltip = format!(
                "{}: {} — {:.5}",
                summary.levers_label, label, path.share.estimate
            );
            figure.rect(
                (left, y + 2.0),
                (
                    (x_of(path.share.estimate) - left).max(0.5),
                    row_height - 4.0,
                ),
                palette_colour(colour_indices[section.min(1)]),
                &tooltip,
            );
            figure.text(
                (x_of(path.share.estimate) + 4.0, y + 13.0),
                "start",
                &format!("{:.5}", path.share.estimate),
            );
        }
        figure.line(
            (left, rows_top),
            (left, rows_top + section_height),
            "#000000",
            1.0,
        );
    }
    let axis_y = height - 40.0;
    figure.line((left, axis_y), (left + plot_width, axis_y), "#000000", 1.0);
    for tick in 0..=4 {
        let value = axis_max * f64::from(tick) / 4.0;
        let x = x_of(value);
        figure.line((x, axis_y), (x, axis_y + 4.0), "#000000", 1.0);
        figure.text((x, axis_y + 16.0), "middle", &format_probability(value));
    }
    figure.text(
        (left + plot_width / 2.0, height - 8.0),
        "middle",
        "share of all runs following the path (rung of each move)",
    );
    figure.rotated_text((18.0, (top + axis_y) / 2.0), "path");
    figure.finish()
}

/// A proportion as the page's tables show it: the estimate and its interval, to four places.
struct ProportionCell {
    estimate: String,
    low: String,
    high: String,
}

impl ProportionCell {
    fn new(proportion: &Proportion) -> ProportionCell {
        ProportionCell {
            estimate: format!("{:.4}", proportion.estimate),
            low: format!("{:.4}", proportion.low),
            high: format!("{:.4}", proportion.high),
        }
    }
}

/// One regime's row of the outcomes table.
struct OutcomeRow {
    regime: String,
    proportions: [ProportionCell; 5],
    median_duration: String,
    median_attribution_lag: String,
}

/// One rung's row of the highest-rung table: its share in every regime.
struct RungRow {
    number: u8,
    id: String,
    shares: Vec<String>,
}

/// One regime's row of the P(kinetic) table.
struct KineticRow {
    regime: String,
    count: u64,
    estimate: String,
    low: String,
    high: String,
}

/// One escalation path's row.
struct PathRow {
    path: String,
    runs: u64,
    share: String,
}

/// The paths table of one regime, under its heading.
struct PathSection {
    regime: String,
    runs_with_exchange: u64,
    mean_moves_after_peak: String,
    paths: Vec<PathRow>,
}

/// One severity level's row of the response-rate table.
struct SeverityRow {
    level: u8,
    runs: u64,
    response: ProportionCell,
}

/// The report page: the comparison's figures, formatted, and the three charts.
#[derive(Template)]
#[template(path = "comparison.html")]
struct ComparisonPage<'a> {
    title: String,
    comparison: &'a Comparison,
    outcome_rows: Vec<OutcomeRow>,
    regime_labels: Vec<&'a str>,
    rung_rows: Vec<RungRow>,
    kinetic_rows: Vec<KineticRow>,
    path_sections: Vec<PathSection>,
    /// Without measures; `None` for a comparison without regimes.
    severity_rows: Option<Vec<SeverityRow>>,
    highest_rung_svg: &'a str,
    kinetic_svg: &'a str,
    paths_svg: &'a str,
}

impl<'a> ComparisonPage<'a> {
    fn new(
        comparison: &'a Comparison,
        highest_rung_svg: &'a str,
        kinetic_svg: &'a str,
        paths_svg: &'a str,
    ) -> ComparisonPage<'a> {
        ComparisonPage {
            title: format!(
                "Confidence-building measures compared — {}",
                comparison.scenario_title
            ),
            comparison,
            outcome_rows: comparison.regimes.iter().map(outcome_row).collect(),
            regime_labels: comparison
                .regimes
                .iter()
                .map(|summary| summary.levers_label.as_str())
                .collect(),
            rung_rows: rung_rows(comparison),
            kinetic_rows: comparison.regimes.iter().map(kinetic_row).collect(),
            path_sections: baseline_and_all(comparison)
                .into_iter()
                .map(path_section)
                .collect(),
            severity_rows: comparison.regimes.first().map(severity_rows),
            highest_rung_svg,
            kinetic_svg,
            paths_svg,
        }
    }

    /// The page, ending with a newline like every file of the report.
    fn render_page(&self) -> Result<String, askama::Error> {
        let mut html = self.render()?;
        html.push('\n');
        Ok(html)
    }
}

fn outcome_row(summary: &Summary) -> OutcomeRow {
    let p = &summary.probabilities;
    OutcomeRow {
        regime: summary.levers_label.clone(),
        proportions: [
            ProportionCell::new(&p.political_or_legal_response),
            ProportionCell::new(&p.military),
            ProportionCell::new(&p.kinetic),
            ProportionCell::new(&p.wrong_state_response),
            ProportionCell::new(&p.stepped_down),
        ],
        median_duration: format!("{:.1}", summary.duration_days.median),
        median_attribution_lag: format!("{:.1}", summary.attribution_lag_days.median),
    }
}

/// The rungs of the first regime, each with its share in every regime.
fn rung_rows(comparison: &Comparison) -> Vec<RungRow> {
    let Some(first) = comparison.regimes.first() else {
        return Vec::new();
    };
    first
        .highest_rung
        .iter()
        .enumerate()
        .map(|(rung_index, rung)| RungRow {
            number: rung.number,
            id: rung.id.clone(),
            shares: comparison
                .regimes
                .iter()
                .map(|summary| {
                    summary
                        .highest_rung
                        .get(rung_index)
                        .map(|share| format!("{:.5}", share.share.estimate))
                        .unwrap_or_default()
                })
                .collect(),
        })
        .collect()
}

fn kinetic_row(summary: &Summary) -> KineticRow {
    let kinetic = &summary.probabilities.kinetic;
    KineticRow {
        regime: summary.levers_label.clone(),
        count: kinetic.count,
        estimate: format!("{:.6}", kinetic.estimate),
        low: format!("{:.6}", kinetic.low),
        high: format!("{:.6}", kinetic.high),
    }
}

fn path_section(summary: &Summary) -> PathSection {
    PathSection {
        regime: summary.levers_label.clone(),
        runs_with_exchange: summary.de_escalation.runs_with_exchange,
        mean_moves_after_peak: format!("{:.2}", summary.de_escalation.mean_moves_after_peak),
        paths: summary.top_exchange_paths.iter().map(path_row).collect(),
    }
}

fn path_row(path: &PathShare) -> PathRow {
    PathRow {
        path: format_path(&path.rungs),
        runs: path.share.count,
        share: format!("{:.5}", path.share.estimate),
    }
}

fn severity_rows(summary: &Summary) -> Vec<SeverityRow> {
    summary
        .response_by_severity
        .iter()
        .map(|row| SeverityRow {
            level: row.level,
            runs: row.response.total,
            response: ProportionCell::new(&row.response),
        })
        .collect()
}
