//! `redline stix`: import a STIX 2.1 bundle into the local node (incidents become assessed
//! reports, other objects are stored with their versions in a TAXII collection) and export the
//! node's incidents as a bundle.

use std::path::PathBuf;

use anyhow::Context;
use redline_node::Caller;

use crate::config::Settings;

#[derive(Debug, clap::Subcommand)]
pub enum StixCommand {
    /// Import a STIX 2.1 bundle (a file, or - for standard input). Prints the per-object status;
    /// exits 1 if any object failed (the others are stored).
    Import {
        file: PathBuf,
        /// The collection to store the objects in (default: the shared collection, created if
        /// missing).
        #[arg(long)]
        collection: Option<String>,
    },
    /// Export every incident of the local node as one STIX 2.1 bundle.
    Export {
        /// Write the bundle here instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

pub async fn run(settings: &Settings, command: StixCommand) -> anyhow::Result<()> {
    let node = super::open_local_node(settings).await?;
    let result = match command {
        StixCommand::Import { file, collection } => {
            let bytes = if file.as_os_str() == "-" {
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
                    .context("reading the bundle from standard input")?;
                bytes
            } else {
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?
            };
            let collection = match collection {
                Some(collection) => collection,
                None => {
                    node.ensure_shared_collection(&Caller::Operator, &[])
                        .await?
                        .id
                }
            };
            let progress = crate::output::progress_spinner(format!(
                "importing {} ({} bytes)",
                file.display(),
                bytes.len()
            ));
            let imported = node
                .import_bundle(&Caller::Operator, &collection, &bytes)
                .await;
            progress.finish_and_clear();
            match imported {
                Ok(status) => {
                    println!("{}", serde_json::to_string_pretty(&status)?);
                    if status.failure_count > 0 {
                        Err(redline_node::NodeError::invalid(
                            "objects",
                            format!(
                                "{} of {} objects failed (listed under failures); the others were stored",
                                status.failure_count, status.total_count
                            ),
                        )
                        .into())
                    } else {
                        Ok(())
                    }
                }
                Err(error) => Err(error.into()),
            }
        }
        StixCommand::Export { output } => {
            let bundle = node.export_incidents_bundle(&Caller::Operator).await?;
            let text = bundle.to_json_pretty();
            match output {
                Some(path) => std::fs::write(&path, text.as_bytes())
                    .with_context(|| format!("writing {}", path.display())),
                None => {
                    println!("{text}");
                    Ok(())
                }
            }
        }
    };
    node.close().await;
    result
}
