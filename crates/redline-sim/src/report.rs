//! The comparison report: JSON, three SVG charts and one self-contained HTML page, all rendered
//! as strings (the CLI writes the files).
//!
//! The charts are drawn by the small SVG writer in this module, not a chart crate: every chart
//! has a title, labelled axes and a legend, and the HTML page repeats each chart's numbers in a
//! data table so nothing is only readable from a picture. The page loads nothing from outside.

use std::fmt::Write as _;

use crate::compare::Comparison;
use crate::summary::{PathShare, Proportion, Summary, format_path};

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("could not serialise the comparison as JSON: {0}")]
    Json(#[from] serde_json::Error),
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
    let html = html_page(comparison, &highest_rung_svg, &kinetic_svg, &paths_svg);
    Ok(Report {
        json,
        highest_rung_svg,
        kinetic_svg,
        paths_svg,
        html,
    })
}

/// Okabe–Ito colours, distinguishable with the common colour-vision deficiencies.
const PALETTE: [&str; 8] = [
    "#000000", "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#CC79A7", "#0072B2", "#999999",
];

fn colour(index: usize) -> &'static str {
    PALETTE[index % PALETTE.len()]
}

/// Escapes text for XML and HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(character),
        }
    }
    out
}

/// A minimal SVG writer: shapes are appended as text.
struct Svg {
    out: String,
}

impl Svg {
    fn new(width: f64, height: f64, title: &str, description: &str) -> Svg {
        let mut out = String::new();
        let _ = writeln!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" role="img" font-family="system-ui, sans-serif" font-size="12">"#
        );
        let _ = writeln!(out, "<title>{}</title>", escape(title));
        let _ = writeln!(out, "<desc>{}</desc>", escape(description));
        let _ = writeln!(
            out,
            r##"<rect x="0" y="0" width="{width:.0}" height="{height:.0}" fill="#ffffff"/>"##
        );
        let _ = writeln!(
            out,
            r#"<text x="{:.1}" y="24" font-size="16" font-weight="bold" text-anchor="middle">{}</text>"#,
            width / 2.0,
            escape(title)
        );
        Svg { out }
    }

    fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str, width: f64) {
        let _ = writeln!(
            self.out,
            r#"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="{stroke}" stroke-width="{width:.1}"/>"#
        );
    }

    fn rect(&mut self, x: f64, y: f64, width: f64, height: f64, fill: &str, tooltip: &str) {
        let _ = writeln!(
            self.out,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{width:.1}" height="{height:.1}" fill="{fill}"><title>{}</title></rect>"#,
            escape(tooltip)
        );
    }

    fn circle(&mut self, x: f64, y: f64, radius: f64, fill: &str, tooltip: &str) {
        let _ = writeln!(
            self.out,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="{radius:.1}" fill="{fill}"><title>{}</title></circle>"#,
            escape(tooltip)
        );
    }

    fn text(&mut self, x: f64, y: f64, anchor: &str, content: &str) {
        let _ = writeln!(
            self.out,
            r#"<text x="{x:.1}" y="{y:.1}" text-anchor="{anchor}">{}</text>"#,
            escape(content)
        );
    }

    fn rotated_text(&mut self, x: f64, y: f64, content: &str) {
        let _ = writeln!(
            self.out,
            r#"<text x="{x:.1}" y="{y:.1}" text-anchor="middle" transform="rotate(-90 {x:.1} {y:.1})">{}</text>"#,
            escape(content)
        );
    }

    fn legend(&mut self, x: f64, y: f64, labels: &[String]) {
        for (index, label) in labels.iter().enumerate() {
            let row_y = y + 18.0 * index as f64;
            self.rect(x, row_y - 10.0, 12.0, 12.0, colour(index), label);
            self.text(x + 18.0, row_y, "start", label);
        }
    }

    fn finish(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }
}

/// The smallest share drawn on the logarithmic axis of the highest-rung chart.
const LOG_FLOOR: f64 = 1e-5;

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
    let mut svg = Svg::new(
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
        svg.line(left, y, left + plot_width, y, "#dddddd", 1.0);
        let label = if exponent == 0 {
            "1".to_owned()
        } else {
            format!("1e-{exponent}")
        };
        svg.text(left - 6.0, y + 4.0, "end", &label);
    }
    svg.line(left, top, left, top + plot_height, "#000000", 1.0);
    svg.line(
        left,
        top + plot_height,
        left + plot_width,
        top + plot_height,
        "#000000",
        1.0,
    );
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
            svg.rect(
                x,
                y,
                bar_width,
                (top + plot_height - y).max(0.0),
                colour(regime_index),
                &tooltip,
            );
        }
    }
    if let Some(summary) = comparison.regimes.first() {
        for rung in &summary.highest_rung {
            let x = left + group_width * (f64::from(rung.number) + 0.5);
            svg.text(
                x,
                top + plot_height + 16.0,
                "middle",
                &rung.number.to_string(),
            );
        }
    }
    svg.text(
        left + plot_width / 2.0,
        height - 18.0,
        "middle",
        "highest rung reached (ladder rung number)",
    );
    svg.rotated_text(18.0, top + plot_height / 2.0, "share of runs (log scale)");
    let labels: Vec<String> = comparison
        .regimes
        .iter()
        .map(|summary| summary.levers_label.clone())
        .collect();
    svg.legend(left + plot_width + 20.0, top + 10.0, &labels);
    svg.finish()
}

/// A "nice" upper bound for a linear axis: 1, 2 or 5 times a power of ten.
fn nice_ceiling(value: f64) -> f64 {
    if value <= 0.0 || !value.is_finite() {
        return 1e-3;
    }
    let exponent = value.log10().floor();
    let base = 10f64.powf(exponent);
    for step in [1.0, 2.0, 5.0, 10.0] {
        if value <= step * base {
            return step * base;
        }
    }
    10.0 * base
}

fn kinetic_chart(comparison: &Comparison) -> String {
    let n_regimes = comparison.regimes.len().max(1);
    let (left, right, top, bottom) = (160.0, 40.0, 50.0, 60.0);
    let row_height = 34.0;
    let plot_width = 520.0;
    let plot_height = row_height * n_regimes as f64;
    let width = left + plot_width + right;
    let height = top + plot_height + bottom;
    let title = format!("P(kinetic) by regime — {}", comparison.scenario_title);
    let mut svg = Svg::new(
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
        svg.line(x, top, x, top + plot_height, "#dddddd", 1.0);
        svg.text(
            x,
            top + plot_height + 16.0,
            "middle",
            &format_probability(value),
        );
    }
    svg.line(left, top, left, top + plot_height, "#000000", 1.0);
    svg.line(
        left,
        top + plot_height,
        left + plot_width,
        top + plot_height,
        "#000000",
        1.0,
    );
    for (index, summary) in comparison.regimes.iter().enumerate() {
        let kinetic = &summary.probabilities.kinetic;
        let y = top + row_height * (index as f64 + 0.5);
        svg.text(left - 8.0, y + 4.0, "end", &summary.levers_label);
        let tooltip = format!(
            "{}: {:.5} [{:.5}, {:.5}]",
            summary.levers_label, kinetic.estimate, kinetic.low, kinetic.high
        );
        svg.line(
            x_of(kinetic.low),
            y,
            x_of(kinetic.high),
            y,
            colour(index),
            2.0,
        );
        svg.line(
            x_of(kinetic.low),
            y - 6.0,
            x_of(kinetic.low),
            y + 6.0,
            colour(index),
            2.0,
        );
        svg.line(
            x_of(kinetic.high),
            y - 6.0,
            x_of(kinetic.high),
            y + 6.0,
            colour(index),
            2.0,
        );
        svg.circle(x_of(kinetic.estimate), y, 5.0, colour(index), &tooltip);
    }
    svg.text(
        left + plot_width / 2.0,
        height - 18.0,
        "middle",
        "P(kinetic): estimate and 95% Wilson interval",
    );
    svg.rotated_text(18.0, top + plot_height / 2.0, "regime");
    svg.finish()
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
    let mut svg = Svg::new(
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
        let _ = writeln!(
            svg.out,
            r#"<text x="{left:.1}" y="{:.1}" font-weight="bold">{}</text>"#,
            section_top + 12.0,
            escape(&format!("regime: {}", summary.levers_label))
        );
        let rows_top = section_top + 20.0;
        for (row, path) in summary.top_exchange_paths.iter().take(n_paths).enumerate() {
            let y = rows_top + row_height * row as f64;
            let label = format_path(&path.rungs);
            svg.text(left - 8.0, y + 13.0, "end", &label);
            let tooltip = format!(
                "{}: {} — {:.5}",
                summary.levers_label, label, path.share.estimate
            );
            svg.rect(
                left,
                y + 2.0,
                (x_of(path.share.estimate) - left).max(0.5),
                row_height - 4.0,
                colour(colour_indices[section.min(1)]),
                &tooltip,
            );
            svg.text(
                x_of(path.share.estimate) + 4.0,
                y + 13.0,
                "start",
                &format!("{:.5}", path.share.estimate),
            );
        }
        svg.line(
            left,
            rows_top,
            left,
            rows_top + section_height,
            "#000000",
            1.0,
        );
    }
    let axis_y = height - 40.0;
    svg.line(left, axis_y, left + plot_width, axis_y, "#000000", 1.0);
    for tick in 0..=4 {
        let value = axis_max * f64::from(tick) / 4.0;
        let x = x_of(value);
        svg.line(x, axis_y, x, axis_y + 4.0, "#000000", 1.0);
        svg.text(x, axis_y + 16.0, "middle", &format_probability(value));
    }
    svg.text(
        left + plot_width / 2.0,
        height - 8.0,
        "middle",
        "share of all runs following the path (rung of each move)",
    );
    svg.rotated_text(18.0, (top + axis_y) / 2.0, "path");
    svg.finish()
}

fn proportion_cell(proportion: &Proportion) -> String {
    format!(
        "{:.4} <span class=\"ci\">[{:.4}, {:.4}]</span>",
        proportion.estimate, proportion.low, proportion.high
    )
}

fn html_page(
    comparison: &Comparison,
    rung_svg: &str,
    kinetic_svg: &str,
    paths_svg: &str,
) -> String {
    let mut out = String::new();
    let title = format!(
        "Confidence-building measures compared — {}",
        comparison.scenario_title
    );
    let _ = writeln!(out, "<!DOCTYPE html>");
    let _ = writeln!(out, "<html lang=\"en\">");
    let _ = writeln!(out, "<head>");
    let _ = writeln!(out, "<meta charset=\"utf-8\">");
    let _ = writeln!(out, "<title>{}</title>", escape(&title));
    let _ = writeln!(
        out,
        "<style>body{{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#111}}table{{border-collapse:collapse;margin:1em 0}}th,td{{border:1px solid #ccc;padding:4px 8px;text-align:right}}th:first-child,td:first-child{{text-align:left}}.ci{{color:#555;font-size:90%}}figure{{margin:2em 0}}svg{{max-width:100%;height:auto}}.note{{background:#f5f5f5;padding:0.5em 1em}}</style>"
    );
    let _ = writeln!(out, "</head>");
    let _ = writeln!(out, "<body>");
    let _ = writeln!(out, "<h1>{}</h1>", escape(&title));
    let _ = writeln!(out, "<p>{}</p>", escape(&comparison.scenario_description));
    let _ = writeln!(
        out,
        "<p>Scenario <code>{}</code>, tension regime {}, {} runs per regime, seed {}, {}, redline-sim {}.</p>",
        escape(&comparison.scenario_id),
        escape(&comparison.tension_regime),
        comparison.runs_per_regime,
        comparison.seed,
        escape(&comparison.rng),
        escape(&comparison.simulator_version)
    );
    let _ = writeln!(
        out,
        "<p class=\"note\">These are relative effects of confidence-building measures under the stated assumptions of the model (docs/simulator.md), not forecasts. Every regime uses the same seed, so run <em>i</em> faces the same incident in every regime. Intervals are 95% Wilson score intervals.</p>"
    );

    let _ = writeln!(out, "<h2>Outcomes by regime</h2>");
    let _ = writeln!(out, "<table>");
    let _ = writeln!(
        out,
        "<tr><th>regime</th><th>political or legal response</th><th>military rung</th><th>kinetic</th><th>response at the wrong state</th><th>stepped back down (of exchanges)</th><th>median duration (days)</th><th>median attribution lag (days)</th></tr>"
    );
    for summary in &comparison.regimes {
        let p = &summary.probabilities;
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1}</td><td>{:.1}</td></tr>",
            escape(&summary.levers_label),
            proportion_cell(&p.political_or_legal_response),
            proportion_cell(&p.military),
            proportion_cell(&p.kinetic),
            proportion_cell(&p.wrong_state_response),
            proportion_cell(&p.stepped_down),
            summary.duration_days.median,
            summary.attribution_lag_days.median
        );
    }
    let _ = writeln!(out, "</table>");

    let _ = writeln!(out, "<h2>Highest rung reached</h2>");
    let _ = writeln!(out, "<figure>{rung_svg}</figure>");
    let _ = writeln!(out, "<table>");
    let _ = write!(out, "<tr><th>rung</th><th>id</th>");
    for summary in &comparison.regimes {
        let _ = write!(out, "<th>{}</th>", escape(&summary.levers_label));
    }
    let _ = writeln!(out, "</tr>");
    if let Some(first) = comparison.regimes.first() {
        for (rung_index, rung) in first.highest_rung.iter().enumerate() {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td>",
                rung.number,
                escape(&rung.id)
            );
            for summary in &comparison.regimes {
                let cell = summary
                    .highest_rung
                    .get(rung_index)
                    .map(|share| format!("{:.5}", share.share.estimate))
                    .unwrap_or_default();
                let _ = write!(out, "<td>{cell}</td>");
            }
            let _ = writeln!(out, "</tr>");
        }
    }
    let _ = writeln!(out, "</table>");

    let _ = writeln!(out, "<h2>P(kinetic) with 95% intervals</h2>");
    let _ = writeln!(out, "<figure>{kinetic_svg}</figure>");
    let _ = writeln!(out, "<table>");
    let _ = writeln!(
        out,
        "<tr><th>regime</th><th>runs kinetic</th><th>estimate</th><th>low</th><th>high</th></tr>"
    );
    for summary in &comparison.regimes {
        let kinetic = &summary.probabilities.kinetic;
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{:.6}</td><td>{:.6}</td><td>{:.6}</td></tr>",
            escape(&summary.levers_label),
            kinetic.count,
            kinetic.estimate,
            kinetic.low,
            kinetic.high
        );
    }
    let _ = writeln!(out, "</table>");

    let _ = writeln!(out, "<h2>Escalation paths</h2>");
    let _ = writeln!(out, "<figure>{paths_svg}</figure>");
    for summary in baseline_and_all(comparison) {
        let _ = writeln!(
            out,
            "<h3>Regime {}: moves after the peak (mean over {} exchanges) {:.2}</h3>",
            escape(&summary.levers_label),
            summary.de_escalation.runs_with_exchange,
            summary.de_escalation.mean_moves_after_peak
        );
        write_path_table(&mut out, &summary.top_exchange_paths);
    }

    let _ = writeln!(out, "<h2>Response rate by true severity (no measures)</h2>");
    if let Some(first) = comparison.regimes.first() {
        let _ = writeln!(out, "<table>");
        let _ = writeln!(
            out,
            "<tr><th>PPD-41 level</th><th>runs</th><th>political or legal response</th></tr>"
        );
        for row in &first.response_by_severity {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                row.level,
                row.response.total,
                proportion_cell(&row.response)
            );
        }
        let _ = writeln!(out, "</table>");
    }
    let _ = writeln!(out, "</body>");
    let _ = writeln!(out, "</html>");
    out
}

fn write_path_table(out: &mut String, paths: &[PathShare]) {
    let _ = writeln!(out, "<table>");
    let _ = writeln!(
        out,
        "<tr><th>path (rung of each move)</th><th>runs</th><th>share</th></tr>"
    );
    for path in paths {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{:.5}</td></tr>",
            escape(&format_path(&path.rungs)),
            path.share.count,
            path.share.estimate
        );
    }
    let _ = writeln!(out, "</table>");
}
