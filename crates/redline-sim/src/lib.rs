//! redline-sim: an explicit Monte Carlo model of cyber-incident escalation between states, used
//! to compare what confidence-building measures (hotline, notification duties, shared
//! attribution, published red lines, restraint commitments) are worth.
//!
//! The crate is pure: no I/O, no clock, no printing. Scenarios come in as TOML text, results go
//! out as values and strings; the CLI reads and writes files and drives the progress bar through
//! a callback. Results are relative effects under stated assumptions, not forecasts
//! (`docs/simulator.md`).
//!
//! - [`ladder`]: the rung list (the default 15 + 1 rung ladder, or a norms document's ladder).
//! - [`scenario`]: strict TOML scenarios.
//! - [`levers`]: the measures and their effect parameters.
//! - [`model`]: one run, step by step.
//! - [`monte_carlo`]: seeded, parallel, reproducible whatever the thread count.
//! - [`summary`]: statistics with Wilson intervals, and the text table.
//! - [`compare`]: every regime on the same seed.
//! - [`report`]: JSON, three SVG charts and a self-contained HTML page, as strings.
//! - [`after_action`]: a tabletop exercise's after-action report from the records the node
//!   reads (timeline, deadlines met and missed, decisions), as JSON, Markdown and HTML.
//! - [`exercise`]: the tabletop exercise file (players and timed injects), checked; the node
//!   runs exercises on real parties, this crate only reads the file.

pub mod after_action;
pub mod compare;
pub mod exercise;
pub mod ladder;
pub mod levers;
pub mod model;
pub mod monte_carlo;
pub mod report;
pub mod scenario;
pub mod summary;

pub use compare::{Comparison, comparison_regimes, run_comparison};
pub use exercise::exercise_json_schema;
pub use ladder::{Ladder, LadderError, Rung, RungKind};
pub use levers::{Lever, LeverEffects, Levers};
pub use monte_carlo::{MonteCarloConfig, no_progress, run_monte_carlo};
pub use report::{Report, ReportError, render_report};
pub use scenario::{Scenario, ScenarioError, TensionRegime, scenario_json_schema};
pub use summary::{Proportion, Summary, render_summary_table};

/// Parses and validates a scenario file's text.
pub fn parse_scenario(text: &str) -> Result<Scenario, ScenarioError> {
    Scenario::from_toml_str(text)
}
