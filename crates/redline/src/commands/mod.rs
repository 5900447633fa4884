//! One module per command group; each gathers input, calls the node and prints.

pub mod attribution;
// Backups: `redline backup` and `redline restore`.
pub mod backup;
// Commitments: adoptions, implementation reports, peer review.
pub mod commitments;
// Shell completions and manual pages from the clap definitions.
pub mod completions;
pub mod demo;
// Tabletop exercises: run, decide, report, list, show.
pub mod exercise;
// The hotline: keygen, sign, notify, inbox, ack, reply, thread, check.
pub mod hotline;
pub mod incident;
pub mod init;
// Transparency log.
pub mod log;
pub mod norms;
// Webhooks and e-mail for parties' hotline events.
pub mod notifications;
pub mod party;
pub mod schema;
pub mod serve;
// What the signed-record commands (disclosure, supply chain, attribution) do alike.
pub mod signed_records;
pub mod sim;
// STIX and TAXII.
pub mod stix;
pub mod taxii;
// Coordinated vulnerability disclosure.
pub mod disclosure;
pub mod supply_chain;

use std::sync::Arc;

use anyhow::Context;
use redline_node::{Node, SystemClock};
use redline_store::{SqlStore, SqlStoreOptions};

use crate::config::Settings;

/// Opens the local node's database (creating the data directory for SQLite).
pub async fn open_local_node(settings: &Settings) -> anyhow::Result<Arc<Node>> {
    let url = settings.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&settings.data)
            .with_context(|| format!("creating the data directory {}", settings.data.display()))?;
    }
    let store = SqlStore::open(&url, SqlStoreOptions::default())
        .await
        .with_context(|| format!("opening the database {}", redact_url(&url)))?;
    let node = Node::new(Arc::new(store), Arc::new(SystemClock));
    node.set_hotline_settings(redline_node::HotlineSettings {
        allowed_clock_skew: jiff::SignedDuration::from_secs(
            i64::try_from(settings.hotline_allowed_clock_skew_seconds).unwrap_or(86_400),
        ),
    });
    node.set_notification_settings(settings.notification_settings());
    node.set_commitment_settings(settings.commitment_settings());
    // Transparency log: one per node, in <data>/log, with the node's key.
    log::attach(&node, settings).await?;
    node.load_norms()
        .await
        .context("loading the norms documents")?;
    Ok(Arc::new(node))
}

/// A node's answer read back as the node's own view type (`redline_node`'s views derive
/// `Deserialize`), so the commands print typed fields instead of picking at JSON.
pub(crate) fn read_answer<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
    what: &str,
) -> anyhow::Result<T> {
    serde_json::from_value(value)
        .map_err(|error| anyhow::anyhow!("the node's answer is not {what}: {error}"))
}

/// A database URL without its password, for messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Where a command sends its work: the local data directory, or a node over HTTP.
#[derive(Debug, Clone, clap::Args)]
pub struct RemoteOptions {
    /// URL of a running node; without it the command works on the local data directory.
    #[arg(long, env = "REDLINE_URL", value_name = "URL")]
    pub url: Option<String>,
    /// API token of the party to act as (with --url).
    #[arg(
        long,
        env = "REDLINE_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
}

impl RemoteOptions {
    pub fn remote(&self) -> anyhow::Result<Option<crate::client::Remote>> {
        match (&self.url, &self.token) {
            (None, _) => Ok(None),
            (Some(url), Some(token)) => Ok(Some(crate::client::Remote::new(url, token)?)),
            (Some(_), None) => Err(crate::client::RemoteError {
                status: Some(reqwest::StatusCode::UNAUTHORIZED),
                message:
                    "--url needs --token (or REDLINE_TOKEN): the API token of the party to act as"
                        .into(),
            }
            .into()),
        }
    }
}
