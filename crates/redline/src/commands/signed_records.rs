//! What the commands for signed records (`redline disclosure`, `supply-chain`, `attribution`)
//! do alike: the signer, output and node flags; opening the node and the signer; a payload file
//! read as a JSON object; a payload checked by the core's parser before it is signed (so a
//! mistake is named by its JSON path first); an envelope posted to the node, or a record read,
//! over HTTP or from the local node as its operator; and a list printed as JSON or as a table.
//! Each command keeps its own payload, paths and node calls.

use std::{future::Future, path::Path, sync::Arc};

use anyhow::Context;
use redline_hotline::sign_record;
use redline_node::{Node, NodeError};
use serde::Serialize;
use serde_json::{Map, Value};

use super::RemoteOptions;
use super::hotline::{Signer, SignerOptions, Target};
use crate::{config::Settings, output::Format};

/// The flags of a command that signs a record and sends it.
#[derive(Debug, clap::Args)]
pub struct SignedCommandOptions {
    #[command(flatten)]
    pub(crate) signer: SignerOptions,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
    #[command(flatten)]
    pub(crate) remote: RemoteOptions,
}

/// The node `options` name (else the local node) and the signer of the record, for `command`
/// (named in errors).
pub(crate) async fn open_signed(
    settings: &Settings,
    options: &SignedCommandOptions,
    command: &str,
) -> anyhow::Result<(Target, Signer)> {
    let target = Target::open(settings, &options.remote, command).await?;
    let signer = Signer::resolve(&target, &options.signer).await?;
    Ok((target, signer))
}

/// The JSON object in `file`, for the command to complete before signing: not JSON is refused
/// at the file's name, anything but an object at `.` as "`what` is a JSON object".
pub(crate) fn read_payload_object(file: &Path, what: &str) -> anyhow::Result<Map<String, Value>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let payload: Value = serde_json::from_str(&text).map_err(|error| {
        NodeError::invalid(file.display().to_string(), format!("not JSON: {error}"))
    })?;
    match payload {
        Value::Object(object) => Ok(object),
        _ => Err(NodeError::invalid(".", format!("{what} is a JSON object")).into()),
    }
}

/// `payload` checked by the core's parser `check` (a mistake is named by its JSON path before
/// anything is signed), then signed with the signer's key as a DSSE envelope of `payload_type`.
pub(crate) fn sign_checked<Parsed, ParseError>(
    payload_type: &str,
    payload: Vec<u8>,
    signer: &Signer,
    check: impl FnOnce(&[u8]) -> Result<Parsed, ParseError>,
) -> anyhow::Result<Vec<u8>>
where
    NodeError: From<ParseError>,
{
    check(&payload).map_err(NodeError::from)?;
    Ok(sign_record(payload_type, payload, &signer.key))
}

/// An envelope sent to the node: `POST path` over HTTP, or `local` on the local node (as its
/// operator). The node's answer as JSON.
pub(crate) async fn post_envelope<View, Sent>(
    target: &Target,
    path: &str,
    envelope: Vec<u8>,
    local: impl FnOnce(Arc<Node>, Vec<u8>) -> Sent,
) -> anyhow::Result<Value>
where
    View: Serialize,
    Sent: Future<Output = Result<View, NodeError>>,
{
    match target {
        Target::Remote(client) => client.post_json(path, envelope).await,
        Target::Local(node) => Ok(serde_json::to_value(
            local(Arc::clone(node), envelope).await?,
        )?),
    }
}

/// A record read from the node: `GET path?query` over HTTP, or `local` on the local node (as its
/// operator). The record as JSON.
pub(crate) async fn read_record<View, Read>(
    target: &Target,
    path: &str,
    query: &[(&str, String)],
    local: impl FnOnce(Arc<Node>) -> Read,
) -> anyhow::Result<Value>
where
    View: Serialize,
    Read: Future<Output = Result<View, NodeError>>,
{
    match target {
        Target::Remote(client) => client.get(path, query).await,
        Target::Local(node) => Ok(serde_json::to_value(local(Arc::clone(node)).await?)?),
    }
}

/// At most `limit` records from the node: the array under `key` of `GET path?limit=` over HTTP
/// (none when the answer has no such key), or `local` on the local node (as its operator).
pub(crate) async fn list_records<View, Read>(
    target: &Target,
    path: &str,
    limit: u32,
    key: &str,
    local: impl FnOnce(Arc<Node>) -> Read,
) -> anyhow::Result<Value>
where
    View: Serialize,
    Read: Future<Output = Result<View, NodeError>>,
{
    match target {
        Target::Remote(client) => Ok(client
            .get(path, &[("limit", limit.to_string())])
            .await?
            .get(key)
            .cloned()
            .unwrap_or(Value::Array(Vec::new()))),
        Target::Local(node) => Ok(serde_json::to_value(local(Arc::clone(node)).await?)?),
    }
}

/// A list as JSON, or as a table: the `header` line, then one line a record.
pub(crate) fn print_records(
    records: &Value,
    format: Format,
    header: &str,
    line: impl Fn(&Value) -> String,
) -> anyhow::Result<()> {
    match format {
        Format::Json => crate::output::print_json(records),
        Format::Table => {
            println!("{header}");
            for record in records.as_array().into_iter().flatten() {
                println!("{}", line(record));
            }
            Ok(())
        }
    }
}
