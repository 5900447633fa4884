//! Where a hotline command sends its work: a running node over HTTP (`--url`, `--token`, as the
//! party of the token), or the local node in the data directory as its operator. Both answer
//! with the JSON of the REST API, so the commands print the same either way.

use std::sync::Arc;

use redline_model::{IncidentId, Party, Timestamp};
use redline_node::{Caller, Node, NodeError};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    client::Remote,
    commands::{RemoteOptions, init::NODE_KEY_FILE},
    config::Settings,
    exit::UsageError,
};

pub enum Target {
    Local(Arc<Node>),
    Remote(Remote),
}

impl Target {
    /// The node `remote` names, else the local node; a clear error when there is neither.
    pub async fn open(
        settings: &Settings,
        remote: &RemoteOptions,
        command: &str,
    ) -> anyhow::Result<Self> {
        if let Some(client) = remote.remote()? {
            return Ok(Target::Remote(client));
        }
        if !settings.data.join(NODE_KEY_FILE).exists() {
            return Err(UsageError(format!(
                "`redline {command}` talks to a node: give --url URL and --token TOKEN (or set \
                 REDLINE_URL and REDLINE_TOKEN) to act as your party on a running node. Without \
                 --url it works as the operator of the local node in {}, but there is no node \
                 there (see `redline init`)",
                settings.data.display()
            ))
            .into());
        }
        Ok(Target::Local(
            super::super::open_local_node(settings).await?,
        ))
    }

    /// Lets the local node finish its writes; nothing to do for a remote one.
    pub async fn close(self) {
        if let Target::Local(node) = self {
            node.close().await;
        }
    }

    pub fn is_local(&self) -> bool {
        matches!(self, Target::Local(_))
    }

    /// The time to put in `sent_at`: the local node's clock, or this machine's.
    pub fn now(&self) -> Timestamp {
        match self {
            Target::Local(node) => node.now(),
            Target::Remote(_) => Timestamp::from_jiff(jiff::Timestamp::now()),
        }
    }

    /// Sends a signed envelope; answers the node's `AcceptedMessage`.
    pub async fn send(&self, envelope: Vec<u8>) -> anyhow::Result<Value> {
        match self {
            Target::Remote(client) => client.post_json("/api/v1/messages", envelope).await,
            Target::Local(node) => to_json(node.accept_message(&Caller::Operator, &envelope).await),
        }
    }

    /// Threads, newest activity first.
    pub async fn inbox(&self, limit: u32) -> anyhow::Result<Value> {
        match self {
            Target::Remote(client) => {
                let answer = client
                    .get("/api/v1/inbox", &[("limit", limit.to_string())])
                    .await?;
                Ok(answer["threads"].clone())
            }
            Target::Local(node) => to_json(node.inbox(&Caller::Operator, limit).await),
        }
    }

    /// A thread with its messages (reading it counts as delivery to a party).
    pub async fn thread(&self, id: Uuid) -> anyhow::Result<Value> {
        match self {
            Target::Remote(client) => client.get(&format!("/api/v1/threads/{id}"), &[]).await,
            Target::Local(node) => to_json(node.get_thread_view(&Caller::Operator, id).await),
        }
    }

    pub async fn message(&self, id: Uuid) -> anyhow::Result<Value> {
        match self {
            Target::Remote(client) => client.get(&format!("/api/v1/messages/{id}"), &[]).await,
            Target::Local(node) => to_json(node.get_message(&Caller::Operator, id).await),
        }
    }

    /// A message's standard form in `language` (English when there is no form in it).
    pub async fn form(&self, id: Uuid, language: &str) -> anyhow::Result<Value> {
        match self {
            Target::Remote(client) => {
                client
                    .get(
                        &format!("/api/v1/messages/{id}/form"),
                        &[("lang", language.to_string())],
                    )
                    .await
            }
            Target::Local(node) => {
                let form = node
                    .render_message_form(&Caller::Operator, id, &[language.to_string()])
                    .await?;
                Ok(serde_json::json!({
                    "language": form.language.tag(),
                    "direction": form.direction.as_html_dir(),
                    "exercise_banner": form.exercise_banner,
                    "title": form.title,
                    "headers": form.headers,
                    "standard_text": form.standard_text,
                    "free_text": form
                        .free_text
                        .iter()
                        .map(|field| {
                            serde_json::json!({ "label": field.label, "entries": field.entries })
                        })
                        .collect::<Vec<_>>(),
                    "plain_text": form.to_plain_text(),
                }))
            }
        }
    }

    pub async fn check(&self, id: Uuid) -> anyhow::Result<Value> {
        match self {
            Target::Remote(client) => client.get(&format!("/api/v1/checks/{id}"), &[]).await,
            Target::Local(node) => {
                to_json(node.get_communication_check(&Caller::Operator, id).await)
            }
        }
    }

    pub async fn parties(&self) -> anyhow::Result<Vec<Party>> {
        match self {
            Target::Remote(client) => {
                let answer = client.get("/api/v1/parties", &[]).await?;
                serde_json::from_value(answer["parties"].clone()).map_err(|error| {
                    anyhow::anyhow!("the node's answer is not a list of parties: {error}")
                })
            }
            Target::Local(node) => Ok(node.list_parties().await?),
        }
    }

    pub async fn incident(&self, id: &IncidentId) -> anyhow::Result<Value> {
        match self {
            Target::Remote(client) => client.get(&format!("/api/v1/incidents/{id}"), &[]).await,
            Target::Local(node) => to_json(node.get_incident(&Caller::Operator, id).await),
        }
    }

    /// The incident's stored assessment, if it has one.
    pub async fn assessment(&self, id: &IncidentId) -> anyhow::Result<Option<Value>> {
        let answer = match self {
            Target::Remote(client) => {
                client
                    .get(&format!("/api/v1/incidents/{id}/assessment"), &[])
                    .await
            }
            Target::Local(node) => node
                .get_assessment_json(&Caller::Operator, id)
                .await
                .map_err(anyhow::Error::from)
                .and_then(|json| Ok(serde_json::from_str(&json)?)),
        };
        match answer {
            Ok(value) => Ok(Some(value)),
            Err(error) if crate::exit::code_for(&error) == crate::exit::NOT_FOUND => Ok(None),
            Err(error) => Err(error),
        }
    }
}

fn to_json<T: serde::Serialize>(outcome: Result<T, NodeError>) -> anyhow::Result<Value> {
    Ok(serde_json::to_value(outcome?)?)
}
