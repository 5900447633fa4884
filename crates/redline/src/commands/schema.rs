//! `redline schema`: the JSON Schemas of redline's documents.

use redline_model::incident_report_json_schema;

#[derive(Debug, clap::Subcommand)]
pub enum SchemaCommand {
    /// The JSON Schema (draft 2020-12) of the incident report.
    Incident,
}

pub fn run(command: SchemaCommand) -> anyhow::Result<()> {
    match command {
        SchemaCommand::Incident => crate::output::print_json(&incident_report_json_schema()),
    }
}
