//! A cluster of `redline serve` processes over one PostgreSQL database, for the failover test
//! and the cluster benchmark: starting and SIGKILLing processes, the demo world's credentials,
//! signed notifications, reading event streams and asking each process for its role.
#![allow(dead_code, clippy::unwrap_used)]

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::Mutex,
    time::{Duration, Instant},
};

use ed25519_dalek::{SigningKey, pkcs8::DecodePrivateKey};
use redline_hotline::HotlineMessage;
use redline_hotline::MessageBody;
use redline_hotline::message::NotificationBody;
use redline_model::{PartyId, Timestamp, Tlp};
use serde_json::Value;
use uuid::Uuid;

pub struct Cluster {
    pub data: PathBuf,
    pub database: String,
    pub ports: Vec<u16>,
    pub children: Vec<Option<Child>>,
    /// The `redline` binary (the test's or the benchmark's build).
    pub binary: PathBuf,
}

impl Cluster {
    pub fn base(&self, index: usize) -> String {
        format!("http://127.0.0.1:{}", self.ports[index % self.ports.len()])
    }

    pub fn start(&mut self, index: usize) {
        let child = Command::new(&self.binary)
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{}", self.ports[index]),
            ])
            .arg("--data")
            .arg(&self.data)
            .args(["--database", &self.database])
            .env("REDLINE_LOG", "warn")
            .env("REDLINE_RATE_LIMIT_PER_SECOND", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        self.children[index] = Some(child);
    }

    pub fn kill(&mut self, index: usize) {
        if let Some(mut child) = self.children[index].take() {
            // SIGKILL: no graceful shutdown, no flush, the leader's lock left to PostgreSQL.
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for index in 0..self.children.len() {
            self.kill(index);
        }
    }
}

pub fn redline(binary: &Path, arguments: &[&str], data: &Path, database: &str) -> String {
    let output = Command::new(binary)
        .args(arguments)
        .arg("--data")
        .arg(data)
        .args(["--database", database])
        .env("REDLINE_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "redline {arguments:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub struct Credential {
    pub token: String,
    pub key: SigningKey,
}

pub fn credentials(data: &Path) -> BTreeMap<String, Credential> {
    let file: BTreeMap<String, Value> =
        serde_json::from_slice(&std::fs::read(data.join("demo-credentials.json")).unwrap())
            .unwrap();
    file.into_iter()
        .map(|(party, entry)| {
            let pem = std::fs::read_to_string(entry["key_file"].as_str().unwrap()).unwrap();
            (
                party,
                Credential {
                    token: entry["token"].as_str().unwrap().to_owned(),
                    key: SigningKey::from_pkcs8_pem(&pem).unwrap(),
                },
            )
        })
        .collect()
}

pub fn notification(summary: String) -> HotlineMessage {
    HotlineMessage {
        id: Uuid::new_v4(),
        thread: Uuid::new_v4(),
        from: PartyId::parse("EE").unwrap(),
        to: vec![PartyId::parse("UA").unwrap()],
        sent_at: Timestamp::from_jiff(jiff::Timestamp::now()),
        incident: None,
        tlp: Tlp::Green,
        lang: "en".into(),
        exercise: false,
        body: MessageBody::Notification(NotificationBody {
            summary,
            severity_level: Some(2),
            requested_actions: vec![],
        }),
    }
}

/// One event as a stream client saw it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SeenEvent {
    pub id: i64,
    pub kind: String,
    /// The `message` field of the event's data, when it has one.
    pub message: Option<String>,
}

/// Reads events into `seen` until the connection breaks or `stop` is set.
pub async fn read_events(mut response: reqwest::Response, seen: &Mutex<Vec<SeenEvent>>) {
    let mut buffer = String::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut id = None;
            let mut kind = String::new();
            let mut data = String::new();
            for line in block.lines() {
                if let Some(value) = line.strip_prefix("id:") {
                    id = value.trim().parse::<i64>().ok();
                } else if let Some(value) = line.strip_prefix("event:") {
                    kind = value.trim().to_owned();
                } else if let Some(value) = line.strip_prefix("data:") {
                    data.push_str(value.trim_start());
                }
            }
            let message = serde_json::from_str::<Value>(&data)
                .ok()
                .and_then(|data| data["message"].as_str().map(str::to_owned));
            if let Some(id) = id {
                seen.lock().unwrap().push(SeenEvent { id, kind, message });
            }
        }
    }
}

pub async fn role_of(http: &reqwest::Client, base: &str) -> Option<String> {
    let response = http
        .get(format!("{base}/readyz"))
        .timeout(Duration::from_secs(2))
        .send()
        .await
        .ok()?;
    let body: Value = response.json().await.ok()?;
    body["role"].as_str().map(str::to_owned)
}

/// The process that leads, waiting up to `within`; with the time it took.
pub async fn wait_for_leader(
    http: &reqwest::Client,
    cluster_bases: &[String],
    alive: &[usize],
    within: Duration,
) -> Option<(usize, Duration)> {
    let started = Instant::now();
    while started.elapsed() < within {
        for index in alive {
            if role_of(http, &cluster_bases[*index]).await.as_deref() == Some("leader") {
                return Some((*index, started.elapsed()));
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

pub async fn wait_until_healthy(http: &reqwest::Client, base: &str) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(120) {
        if let Ok(response) = http.get(format!("{base}/healthz")).send().await
            && response.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{base} did not answer /healthz within 120 s");
}

/// Every stored event of the token's party after event `after` (0: all), in order.
pub async fn all_events(http: &reqwest::Client, base: &str, token: &str, after: i64) -> Vec<Value> {
    let mut events = Vec::new();
    let mut after = after;
    loop {
        let page: Value = http
            .get(format!("{base}/api/v1/events?after={after}&limit=1000"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let batch = page["events"].as_array().unwrap().clone();
        if batch.is_empty() {
            return events;
        }
        after = batch.last().unwrap()["sequence"].as_i64().unwrap();
        events.extend(batch);
    }
}
