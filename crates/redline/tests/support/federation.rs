//! Federated nodes for the federation test and benchmark: `redline serve` processes on
//! loopback, each with its own data directory, SQLite database and party, configured as each
//! other's peers through TCP proxies the caller can cut (`Link`), and the helpers that drive
//! them (signed messages sent until accepted, events read, waits with a deadline).
#![allow(dead_code, clippy::unwrap_used)]

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use ed25519_dalek::SigningKey;
use redline_model::{PartyId, Timestamp};
use serde_json::Value;
use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .unwrap()
}

pub const NODES: [(&str, &str, &str); 3] = [
    ("north", "EE", "Estonia"),
    ("south", "FI", "Finland"),
    ("west", "LV", "Latvia"),
];

pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_redline"))
}

pub struct TestNode {
    pub name: &'static str,
    pub data: PathBuf,
    pub config: PathBuf,
    pub port: u16,
    pub child: Option<Child>,
    pub token: String,
    pub key: SigningKey,
    pub log_key: String,
    pub witness_key: String,
}

impl TestNode {
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn command(&self, arguments: &[&str]) -> String {
        let output = Command::new(binary())
            .arg("--config")
            .arg(&self.config)
            .args(arguments)
            .env("REDLINE_LOG", "warn")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{} redline {arguments:?}: {}",
            self.name,
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    pub fn start(&mut self) {
        let child = Command::new(binary())
            .arg("--config")
            .arg(&self.config)
            .arg("serve")
            .env("REDLINE_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        self.child = Some(child);
    }

    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }
}

impl Drop for TestNode {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A TCP proxy for one direction of a link: `cut` drops every connection and refuses new
/// ones until it is healed.
pub struct Link {
    pub port: u16,
    pub cut: tokio::sync::watch::Sender<bool>,
}

pub async fn start_link(target: u16) -> Link {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (cut, cut_receiver) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        loop {
            let Ok((mut inbound, _)) = listener.accept().await else {
                return;
            };
            if *cut_receiver.borrow() {
                drop(inbound);
                continue;
            }
            let mut cut_receiver = cut_receiver.clone();
            tokio::spawn(async move {
                let Ok(mut outbound) = TcpStream::connect(("127.0.0.1", target)).await else {
                    return;
                };
                tokio::select! {
                    _ = copy_bidirectional(&mut inbound, &mut outbound) => {}
                    _ = cut_receiver.wait_for(|cut| *cut) => {}
                }
            });
        }
    });
    Link { port, cut }
}

pub fn write_config(node: &TestNode, peers: &[(String, String, String)]) {
    let mut text = format!(
        "data = {:?}\nlisten = \"127.0.0.1:{}\"\nlog_origin = \"{}.test/log\"\nrate_limit_per_second = 0\nfederation_sync_interval_seconds = 1\nfederation_relay_retry_ceiling_seconds = 1\nlog_witness_quorum = 1\n",
        node.data.display(),
        node.port,
        node.name
    );
    for (url, log_key, witness_key) in peers {
        text.push_str(&format!(
            "\n[[peers]]\nurl = \"{url}\"\nlog_key = \"{log_key}\"\nwitness_key = \"{witness_key}\"\n"
        ));
    }
    std::fs::write(&node.config, text).unwrap();
}

pub fn set_up_node(root: &Path, index: usize) -> TestNode {
    let (name, party, party_name) = NODES[index];
    let data = root.join(name);
    std::fs::create_dir_all(&data).unwrap();
    let mut node = TestNode {
        name,
        config: root.join(format!("{name}.toml")),
        data,
        port: free_port(),
        child: None,
        token: String::new(),
        key: SigningKey::from_bytes(&[index as u8 + 11; 32]),
        log_key: String::new(),
        witness_key: String::new(),
    };
    write_config(&node, &[]);
    node.command(&["init"]);
    let public_key = base64_of(node.key.verifying_key().as_bytes());
    let added = node.command(&[
        "party",
        "add",
        "--id",
        party,
        "--name",
        party_name,
        "--public-key",
        &public_key,
        "--token",
    ]);
    node.token = added
        .lines()
        .find_map(|line| line.strip_prefix("API token (shown once): "))
        .unwrap()
        .trim()
        .to_string();
    let keys = node.command(&["log", "key"]);
    let mut lines = keys.lines();
    node.log_key = lines.next().unwrap().trim().to_string();
    node.witness_key = lines.next().unwrap().trim().to_string();
    node
}

pub fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn now() -> Timestamp {
    Timestamp::from_jiff(jiff::Timestamp::now())
}

pub fn party(id: &str) -> PartyId {
    PartyId::parse(id).unwrap()
}

pub async fn get_json(http: &reqwest::Client, url: &str, token: Option<&str>) -> Option<Value> {
    let mut request = http.get(url).timeout(Duration::from_secs(5));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.ok()?;
    if !response.status().is_success() {
        return None;
    }
    response.json().await.ok()
}

/// Sends a signed message to the sender's home node until it is accepted (the node may be
/// down meanwhile); a 409 "replayed" after a lost answer counts as accepted.
pub async fn send_until_accepted(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    envelope: Vec<u8>,
) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(90) {
        let sent = http
            .post(format!("{base}/api/v1/messages"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(envelope.clone())
            .timeout(Duration::from_secs(10))
            .send()
            .await;
        match sent {
            Ok(response) if response.status().as_u16() == 201 => return,
            Ok(response) if response.status().as_u16() == 409 => {
                let body = response.text().await.unwrap_or_default();
                assert!(body.contains("replay"), "refused: {body}");
                return;
            }
            Ok(response) if response.status().is_client_error() => {
                panic!(
                    "{base} refused a message: {}",
                    response.text().await.unwrap_or_default()
                );
            }
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    panic!("{base} did not accept a message within 90 s");
}

/// Every event of the token's party (reading them also records delivery).
pub async fn events_of(http: &reqwest::Client, base: &str, token: &str) -> Vec<Value> {
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let Some(page) = get_json(
            http,
            &format!("{base}/api/v1/events?after={after}&limit=1000"),
            Some(token),
        )
        .await
        else {
            return all;
        };
        let batch = page["events"].as_array().cloned().unwrap_or_default();
        if batch.is_empty() {
            return all;
        }
        after = batch.last().unwrap()["sequence"].as_i64().unwrap();
        all.extend(batch);
    }
}

pub async fn wait_for<F, Fut>(what: &str, within: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while started.elapsed() < within {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{what}: not within {within:?}");
}

pub fn copy_directory(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_directory(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Waits until the node's federation status (`/api/v1/federation`) meets `check`.
pub async fn wait_for_status(
    http: &reqwest::Client,
    base: &str,
    what: &str,
    within: Duration,
    check: impl Fn(&Value) -> bool,
) {
    let started = Instant::now();
    while started.elapsed() < within {
        if let Some(status) = get_json(http, &format!("{base}/api/v1/federation"), None).await
            && check(&status)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{what}: not within {within:?}");
}
