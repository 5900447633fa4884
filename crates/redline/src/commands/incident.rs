//! `redline incident`: submit, list and show incident reports, on the local node (as its
//! operator) or on a running node over HTTP (as the party whose token is given).

use std::path::PathBuf;

use anyhow::Context;
use redline_model::{
    CountryCode, Incident, IncidentId, IncidentStatus, PartyId, Sector, Timestamp,
};
use redline_node::{Caller, IncidentFilter, NodeError, incidents::IncidentListing};

use super::RemoteOptions;
use crate::{config::Settings, output::Format};

#[derive(Debug, clap::Subcommand)]
pub enum IncidentCommand {
    /// Submit an incident report (a JSON file, or - for standard input).
    Submit {
        file: PathBuf,
        #[command(flatten)]
        remote: RemoteOptions,
    },
    /// List incidents, newest first.
    List {
        /// Only this victim state (ISO 3166-1 alpha-2).
        #[arg(long)]
        victim: Option<String>,
        /// Only this sector (STIX 2.1 industry sector, or elections).
        #[arg(long)]
        sector: Option<String>,
        /// Only this status: suspected, confirmed, contained, resolved.
        #[arg(long)]
        status: Option<String>,
        /// Only incidents first observed at or after this time (RFC 3339).
        #[arg(long)]
        since: Option<String>,
        /// Only incidents first observed before this time (RFC 3339).
        #[arg(long)]
        until: Option<String>,
        /// Page size (1 to 500).
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Continue after a previous page (its next_cursor).
        #[arg(long)]
        cursor: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[command(flatten)]
        remote: RemoteOptions,
    },
    /// Show one incident as JSON.
    Show {
        id: String,
        #[command(flatten)]
        remote: RemoteOptions,
    },
}

fn read_input(file: &PathBuf) -> anyhow::Result<Vec<u8>> {
    if file.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
            .context("reading the report from standard input")?;
        Ok(bytes)
    } else {
        std::fs::read(file).with_context(|| format!("reading {}", file.display()))
    }
}

fn parse_option<T>(
    name: &str,
    value: &Option<String>,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<Option<T>, NodeError> {
    value
        .as_deref()
        .map(|text| parse(text).map_err(|message| NodeError::invalid(name, message)))
        .transpose()
}

/// Prints the reasons a report was refused, one per line with its path.
fn explain(error: anyhow::Error) -> anyhow::Error {
    if let Some(NodeError::Invalid(issues)) = error.downcast_ref::<NodeError>() {
        for issue in issues {
            eprintln!("  at {}: {}", issue.path, issue.message);
        }
    }
    error
}

pub async fn run(settings: &Settings, command: IncidentCommand) -> anyhow::Result<()> {
    match command {
        IncidentCommand::Submit { file, remote } => {
            let bytes = read_input(&file)?;
            if let Some(client) = remote.remote()? {
                let incident = client.post_json("/api/v1/incidents", bytes).await?;
                return crate::output::print_json(&incident);
            }
            let node = super::open_local_node(settings).await?;
            let outcome = node.submit_incident_json(&Caller::Operator, &bytes).await;
            node.close().await;
            let incident = outcome.map_err(|error| explain(error.into()))?;
            crate::output::print_json(&incident)
        }
        IncidentCommand::List {
            victim,
            sector,
            status,
            since,
            until,
            limit,
            cursor,
            format,
            remote,
        } => {
            let listing: IncidentListing = if let Some(client) = remote.remote()? {
                let mut query = vec![("limit", limit.to_string())];
                for (name, value) in [
                    ("victim", &victim),
                    ("sector", &sector),
                    ("status", &status),
                    ("since", &since),
                    ("until", &until),
                    ("cursor", &cursor),
                ] {
                    if let Some(value) = value {
                        query.push((name, value.clone()));
                    }
                }
                let json = client.get("/api/v1/incidents", &query).await?;
                let incidents: Vec<Incident> = serde_json::from_value(json["incidents"].clone())
                    .context("the node's answer is not a list of incidents")?;
                IncidentListing {
                    incidents,
                    next_cursor: json["next_cursor"].as_str().map(str::to_string),
                }
            } else {
                let filter = IncidentFilter {
                    victim: parse_option("victim", &victim, CountryCode::parse)?,
                    reported_by: None::<PartyId>,
                    sector: parse_option("sector", &sector, |text| {
                        Sector::parse(text).ok_or_else(|| format!("`{text}` is not a sector"))
                    })?,
                    status: parse_option("status", &status, |text| {
                        IncidentStatus::parse(text)
                            .ok_or_else(|| format!("`{text}` is not an incident status"))
                    })?,
                    observed_since: parse_option("since", &since, Timestamp::parse)?,
                    observed_until: parse_option("until", &until, Timestamp::parse)?,
                    cursor,
                    limit: Some(limit),
                };
                let node = super::open_local_node(settings).await?;
                let outcome = node.list_incidents(&Caller::Operator, &filter).await;
                node.close().await;
                outcome?
            };
            match format {
                Format::Json => crate::output::print_json(&listing),
                Format::Table => {
                    crate::output::print_incident_table(&listing.incidents);
                    if let Some(cursor) = &listing.next_cursor {
                        println!("more: --cursor {cursor}");
                    }
                    Ok(())
                }
            }
        }
        IncidentCommand::Show { id, remote } => {
            if let Some(client) = remote.remote()? {
                let incident = client.get(&format!("/api/v1/incidents/{id}"), &[]).await?;
                return crate::output::print_json(&incident);
            }
            let id = IncidentId::parse(&id).map_err(|message| NodeError::invalid("id", message))?;
            let node = super::open_local_node(settings).await?;
            let outcome = node.get_incident(&Caller::Operator, &id).await;
            node.close().await;
            crate::output::print_json(&outcome?)
        }
    }
}
