//! `redline taxii`: manage the local node's TAXII collections and pull another TAXII 2.1
//! server's collection into one of them, incrementally by `added_after` and resumable (the
//! position is kept in the data directory after every page).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use redline_model::PartyId;
use redline_node::Caller;
use sha2::{Digest, Sha256};

use crate::{config::Settings, output::Format};

const TAXII: &str = "application/taxii+json;version=2.1";

#[derive(Debug, clap::Subcommand)]
pub enum TaxiiCommand {
    /// Create a collection on the local node; prints its id.
    AddCollection {
        title: String,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        alias: Option<String>,
    },
    /// Give a party read and/or write access to a collection (both off revokes it).
    Grant {
        collection: String,
        party: String,
        #[arg(long)]
        read: bool,
        #[arg(long)]
        write: bool,
    },
    /// List the local node's collections.
    Collections {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Pull a collection of another TAXII 2.1 server into a local collection, from where the
    /// last pull stopped.
    Pull {
        /// The API root URL of the other server (for example http://host/taxii2/api/).
        url: String,
        /// The collection id on the other server.
        collection: String,
        /// HTTP Basic user name on the other server.
        #[arg(long, env = "REDLINE_TAXII_USER")]
        user: Option<String>,
        /// HTTP Basic password (or API token) on the other server.
        #[arg(long, env = "REDLINE_TAXII_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// The local collection to store into (default: the shared collection).
        #[arg(long)]
        into: Option<String>,
        /// Objects per request.
        #[arg(long, default_value_t = 1000)]
        limit: u32,
        /// `table` (one sentence for people) or `json` (the counts, for programs).
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// What `taxii pull --format json` prints.
#[derive(Debug, serde::Serialize)]
struct PullOutcome<'a> {
    into: &'a str,
    stored: u64,
    refused_or_already_there: u64,
    /// The `added_after` the next pull starts from (none: from the start).
    resume_point: Option<&'a str>,
}

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct PullState {
    url: String,
    collection: String,
    /// The `X-TAXII-Date-Added-Last` of the last page stored.
    added_after: Option<String>,
    pulled: u64,
}

fn state_path(data: &Path, url: &str, collection: &str) -> PathBuf {
    let digest = Sha256::digest(format!("{url}\n{collection}").as_bytes());
    let name = hex::encode(&digest[..8]);
    data.join("taxii-pull").join(format!("{name}.json"))
}

fn save_state(path: &Path, state: &PullState) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let temporary = path.with_extension("json.tmp");
    std::fs::write(&temporary, serde_json::to_vec_pretty(state)?)
        .with_context(|| format!("writing {}", temporary.display()))?;
    std::fs::rename(&temporary, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

pub async fn run(settings: &Settings, command: TaxiiCommand) -> anyhow::Result<()> {
    let node = super::open_local_node(settings).await?;
    let result = run_with(settings, &node, command).await;
    node.close().await;
    result
}

async fn run_with(
    settings: &Settings,
    node: &redline_node::Node,
    command: TaxiiCommand,
) -> anyhow::Result<()> {
    let operator = Caller::Operator;
    match command {
        TaxiiCommand::AddCollection {
            title,
            description,
            alias,
        } => {
            let collection = node
                .create_collection(
                    &operator,
                    None,
                    &title,
                    description.as_deref(),
                    alias.as_deref(),
                )
                .await?;
            println!("{}", collection.id);
            Ok(())
        }
        TaxiiCommand::Grant {
            collection,
            party,
            read,
            write,
        } => {
            let party = PartyId::parse(&party)
                .map_err(|message| redline_node::NodeError::invalid("party", message))?;
            node.grant_collection_access(&operator, &collection, &party, read, write)
                .await?;
            Ok(())
        }
        TaxiiCommand::Collections { format } => {
            let collections = node.list_collections(&operator).await?;
            if format == Format::Json {
                return crate::output::print_json(&collections);
            }
            for collection in collections {
                println!("{}\t{}", collection.id, collection.title);
            }
            Ok(())
        }
        TaxiiCommand::Pull {
            url,
            collection,
            user,
            password,
            into,
            limit,
            format,
        } => {
            let _ = rustls::crypto::ring::default_provider().install_default();
            let into = match into {
                Some(into) => into,
                None => node.ensure_shared_collection(&operator, &[]).await?.id,
            };
            let api_root = if url.ends_with('/') {
                url.clone()
            } else {
                format!("{url}/")
            };
            let path = state_path(&settings.data, &api_root, &collection);
            let mut state: PullState = match std::fs::read(&path) {
                Ok(bytes) => serde_json::from_slice(&bytes)
                    .with_context(|| format!("reading the pull state {}", path.display()))?,
                Err(_) => PullState {
                    url: api_root.clone(),
                    collection: collection.clone(),
                    ..Default::default()
                },
            };
            let client = reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(120))
                .build()?;
            let objects_url = format!("{api_root}collections/{collection}/objects/");
            let mut stored = 0u64;
            let mut failed = 0u64;
            let progress = crate::output::progress_spinner(format!("pulling {objects_url}"));
            loop {
                let mut request = client
                    .get(&objects_url)
                    .header(reqwest::header::ACCEPT, TAXII)
                    .query(&[("limit", limit.to_string())]);
                if let Some(after) = &state.added_after {
                    request = request.query(&[("added_after", after.as_str())]);
                }
                if let Some(user) = &user {
                    request = request.basic_auth(user, password.as_ref());
                }
                let response = request
                    .send()
                    .await
                    .with_context(|| format!("GET {objects_url}"))?;
                let status = response.status();
                let last = response
                    .headers()
                    .get("X-TAXII-Date-Added-Last")
                    .and_then(|value| value.to_str().ok())
                    .map(str::to_string);
                let body: serde_json::Value = response
                    .json()
                    .await
                    .with_context(|| format!("reading the answer of {objects_url}"))?;
                if !status.is_success() {
                    bail!("{objects_url} answered {status}: {body}");
                }
                let objects = body
                    .get("objects")
                    .and_then(serde_json::Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                if objects.is_empty() {
                    break;
                }
                let Some(last) = last else {
                    bail!(
                        "{objects_url} sent objects without X-TAXII-Date-Added-Last, so a pull cannot resume"
                    );
                };
                let count = objects.len() as u64;
                let envelope = serde_json::json!({ "objects": objects });
                let outcome = node
                    .add_objects(&operator, &into, &serde_json::to_vec(&envelope)?)
                    .await?;
                stored += outcome.success_count as u64;
                failed += outcome.failure_count as u64;
                for failure in &outcome.failures {
                    progress.suspend(|| {
                        eprintln!(
                            "{}: {}",
                            failure.id,
                            failure.message.as_deref().unwrap_or("refused")
                        );
                    });
                }
                state.added_after = Some(last);
                state.pulled += count;
                save_state(&path, &state)?;
                progress.set_message(format!(
                    "pulling {objects_url}: {stored} stored, {failed} refused"
                ));
                let more = body
                    .get("more")
                    .and_then(serde_json::Value::as_bool)
                    .unwrap_or(false);
                if !more && count < u64::from(limit) {
                    break;
                }
            }
            progress.finish_and_clear();
            let outcome = PullOutcome {
                into: &into,
                stored,
                refused_or_already_there: failed,
                resume_point: state.added_after.as_deref(),
            };
            match format {
                Format::Json => crate::output::print_json(&outcome),
                Format::Table => {
                    println!(
                        "pulled into {}: {} stored, {} refused or already there; resume point {}",
                        outcome.into,
                        outcome.stored,
                        outcome.refused_or_already_there,
                        outcome.resume_point.unwrap_or("(start)")
                    );
                    Ok(())
                }
            }
        }
    }
}
