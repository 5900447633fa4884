//! How results are printed: tables for people, JSON for programs.

use redline_model::Incident;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// JSON for programs.
    Json,
}

pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
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
