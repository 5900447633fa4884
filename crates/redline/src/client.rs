//! Talking to a running node over HTTP, for commands given `--url` and `--token`.

use std::fmt;

use reqwest::StatusCode;

use crate::exit;

/// A refusal or failure from a remote node, with its error body when it sent one.
#[derive(Debug)]
pub struct RemoteError {
    pub status: Option<StatusCode>,
    pub message: String,
}

impl fmt::Display for RemoteError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(formatter, "the node answered {status}: {}", self.message),
            None => write!(formatter, "{}", self.message),
        }
    }
}

impl std::error::Error for RemoteError {}

impl RemoteError {
    pub fn exit_code(&self) -> u8 {
        match self.status {
            None => exit::UNREACHABLE,
            Some(StatusCode::NOT_FOUND) => exit::NOT_FOUND,
            Some(StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) => exit::NOT_ALLOWED,
            Some(StatusCode::CONFLICT) => exit::CONFLICT,
            Some(status) if status.is_client_error() => exit::FAILED,
            Some(_) => exit::INTERNAL,
        }
    }
}

/// A client of one node, signed in with one party's token.
pub struct Remote {
    http: reqwest::Client,
    base_url: String,
    token: String,
}

/// Installs the TLS crypto provider once, so `https://` nodes work.
fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl Remote {
    pub fn new(base_url: &str, token: &str) -> anyhow::Result<Self> {
        install_crypto_provider();
        let http = reqwest::Client::builder()
            .user_agent(concat!("redline/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            token: token.to_string(),
        })
    }

    async fn answer(
        response: Result<reqwest::Response, reqwest::Error>,
    ) -> anyhow::Result<serde_json::Value> {
        let response = response.map_err(|error| RemoteError {
            status: None,
            message: format!("cannot reach the node: {error}"),
        })?;
        let status = response.status();
        let body = response.bytes().await.map_err(|error| RemoteError {
            status: Some(status),
            message: format!("reading the answer failed: {error}"),
        })?;
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_else(
            |_| serde_json::json!({ "error": { "message": String::from_utf8_lossy(&body) } }),
        );
        if status.is_success() {
            return Ok(json);
        }
        let error = &json["error"];
        let mut message = error["message"]
            .as_str()
            .unwrap_or("no details")
            .to_string();
        if let Some(path) = error["path"].as_str() {
            message = format!("{message} (at {path})");
        }
        Err(RemoteError {
            status: Some(status),
            message,
        }
        .into())
    }

    pub async fn get(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> anyhow::Result<serde_json::Value> {
        let request = self
            .http
            .get(format!("{}{path}", self.base_url))
            .bearer_auth(&self.token)
            .query(query);
        Self::answer(request.send().await).await
    }

    /// A GET whose successful answer is text (Markdown, HTML), not JSON; errors as `get`.
    pub async fn get_text(&self, path: &str, query: &[(&str, String)]) -> anyhow::Result<String> {
        let response = self
            .http
            .get(format!("{}{path}", self.base_url))
            .bearer_auth(&self.token)
            .query(query)
            .send()
            .await;
        match response {
            Ok(response) if response.status().is_success() => {
                let status = response.status();
                response.text().await.map_err(|error| {
                    RemoteError {
                        status: Some(status),
                        message: format!("reading the answer failed: {error}"),
                    }
                    .into()
                })
            }
            other => Self::answer(other).await.map(|value| value.to_string()),
        }
    }

    /// Opens a server-sent event stream at `path`, resuming after `last_event_id`. A refusal
    /// is a [`RemoteError`] with its status; a node that cannot be reached one without.
    pub async fn open_stream(
        &self,
        path: &str,
        last_event_id: Option<i64>,
    ) -> anyhow::Result<reqwest::Response> {
        let mut request = self
            .http
            .get(format!("{}{path}", self.base_url))
            .bearer_auth(&self.token)
            .header(reqwest::header::ACCEPT, "text/event-stream");
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        let response = request.send().await;
        match response {
            Ok(response) if response.status().is_success() => Ok(response),
            other => Err(Self::answer(other)
                .await
                .err()
                .unwrap_or_else(|| anyhow::anyhow!("the stream did not open"))),
        }
    }

    pub async fn post_json(&self, path: &str, body: Vec<u8>) -> anyhow::Result<serde_json::Value> {
        let request = self
            .http
            .post(format!("{}{path}", self.base_url))
            .bearer_auth(&self.token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        Self::answer(request.send().await).await
    }
}
