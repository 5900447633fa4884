//! How results are printed: tables for people, JSON for programs (one `--format table|json`
//! flag with one meaning on every command that prints results), and progress bars on stderr
//! that are drawn only on a terminal, so pipes and tests see neither bars nor escape codes.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use redline_model::Incident;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns and sentences for people.
    // `text`, the older name of `assess --format`, is still accepted but not documented.
    #[value(alias = "text")]
    Table,
    /// JSON for programs.
    Json,
}

/// Whether a progress bar may be drawn: only when stderr is a terminal.
fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// Where progress bars draw: stderr on a terminal, nowhere otherwise.
fn progress_draw_target() -> ProgressDrawTarget {
    if stderr_is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    }
}

/// A progress bar of `total` steps on stderr (hidden when stderr is not a terminal); the
/// template names what is counted, such as `{bar:40} {pos}/{len} tiles`.
pub fn progress_bar(total: u64, template: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), progress_draw_target());
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

/// A spinner with a message, for work of unknown length (hidden when stderr is not a
/// terminal).
pub fn progress_spinner(message: impl Into<String>) -> ProgressBar {
    let spinner = ProgressBar::with_draw_target(None, progress_draw_target());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
        spinner.set_style(style);
    }
    spinner.set_message(message.into());
    if stderr_is_terminal() {
        spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    }
    spinner
}

/// Prints `value` as one pretty JSON document on stdout. A reader that stops early (`| head`)
/// is not an error.
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    use std::io::Write;
    let text = serde_json::to_string_pretty(value)?;
    match writeln!(std::io::stdout().lock(), "{text}") {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(error.into()),
        _ => Ok(()),
    }
}

fn shorten(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let kept: String = text.chars().take(width.saturating_sub(1)).collect();
        format!("{kept}…")
    }
}

pub fn print_incident_table(incidents: &[Incident]) {
    println!(
        "{:<46} {:>3} {:<6} {:<10} {:<12} {:<20} TITLE",
        "ID", "V", "VICTIM", "STATUS", "TLP", "FIRST OBSERVED"
    );
    for incident in incidents {
        let report = &incident.report;
        println!(
            "{:<46} {:>3} {:<6} {:<10} {:<12} {:<20} {}",
            incident.id.as_str(),
            incident.version,
            report.victim.as_str(),
            report.status.as_str(),
            report.tlp.as_str(),
            report.first_observed.to_string(),
            shorten(&report.title, 60)
        );
    }
}
