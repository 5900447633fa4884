//! The outputs people read: snapshot tests of the summary table, the SVG charts and the HTML page.

use redline_sim::{
    Ladder, Levers, MonteCarloConfig, no_progress, render_report, render_summary_table,
    run_comparison, run_monte_carlo,
};

use crate::load;

fn small_comparison() -> redline_sim::Comparison {
    let scenario = load("grid-outage-peacetime");
    run_comparison(
        &scenario,
        &Ladder::default_ladder(),
        &MonteCarloConfig {
            runs: 3_000,
            seed: 7,
        },
        &no_progress,
    )
}

#[test]
fn summary_table_snapshot() {
    let scenario = load("grid-outage-peacetime");
    let summary = run_monte_carlo(
        &scenario,
        &Ladder::default_ladder(),
        &Levers::NONE,
        &MonteCarloConfig {
            runs: 5_000,
            seed: 7,
        },
        &no_progress,
    );
    insta::assert_snapshot!("summary_table_grid_outage", render_summary_table(&summary));
}

#[test]
fn report_snapshots() {
    let report = render_report(&small_comparison()).unwrap();
    insta::assert_snapshot!("highest_rung_svg", report.highest_rung_svg);
    insta::assert_snapshot!("kinetic_svg", report.kinetic_svg);
    insta::assert_snapshot!("paths_svg", report.paths_svg);
    insta::assert_snapshot!("report_html", report.html);
}

#[test]
fn report_is_self_contained_and_well_formed() {
    let report = render_report(&small_comparison()).unwrap();
    for (name, content) in report.files() {
        assert!(!content.is_empty(), "{name} is empty");
    }
    // No external resources: no scripts, stylesheets, images or fonts loaded from anywhere.
    for forbidden in ["<script", "<link", "src=", "@import", "url("] {
        assert!(
            !report.html.contains(forbidden),
            "HTML contains {forbidden}"
        );
    }
    // The only http URL is the SVG namespace.
    let without_namespace = report.html.replace("http://www.w3.org/2000/svg", "");
    assert!(!without_namespace.contains("http"));
    for svg in [
        &report.highest_rung_svg,
        &report.kinetic_svg,
        &report.paths_svg,
    ] {
        assert!(svg.starts_with("<svg "));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("<title>"));
        assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
    }
    let json: serde_json::Value = serde_json::from_str(&report.json).unwrap();
    assert_eq!(json["regimes"].as_array().unwrap().len(), 7);
    assert_eq!(json["regimes"][0]["levers_label"], "none");
    assert_eq!(json["regimes"][6]["levers_label"], "all");
    assert_eq!(json["seed"], 7);
}

#[test]
fn text_is_escaped() {
    let mut comparison = small_comparison();
    comparison.scenario_title = "<a href=\"x\">&'</a>".into();
    let report = render_report(&comparison).unwrap();
    for svg in [
        &report.highest_rung_svg,
        &report.kinetic_svg,
        &report.paths_svg,
    ] {
        assert!(!svg.contains("<a href"), "{svg}");
        assert!(svg.contains("&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"));
    }
    let page_without_charts = [
        &report.highest_rung_svg,
        &report.kinetic_svg,
        &report.paths_svg,
    ]
    .into_iter()
    .fold(report.html.clone(), |page, svg| {
        page.replace(svg.as_str(), "")
    });
    assert!(!page_without_charts.contains("<a href"));
    assert!(page_without_charts.contains("&#60;a href=&#34;x&#34;&#62;&#38;&#39;&#60;/a&#62;"));
}
