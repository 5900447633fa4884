//! The command-line test harness shared by the CLI tests: the real `redline` binary, a real
//! demo node on a loopback port, and helpers to read what they print.
#![allow(dead_code)]

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Output, Stdio},
    time::{Duration, Instant},
};

use serde_json::Value;

pub mod cluster;
pub mod federation;

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn redline(arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_redline"))
        .args(arguments)
        .env_remove("REDLINE_URL")
        .env_remove("REDLINE_TOKEN")
        .env_remove("REDLINE_KEY")
        .env("REDLINE_LOG", "warn")
        .output()
        .unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[track_caller]
pub fn succeeded(output: Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        stdout(&output),
        stderr(&output)
    );
    stdout(&output)
}

#[track_caller]
pub fn json_of(output: Output) -> Value {
    let text = succeeded(output);
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{error}: {text}"))
}

pub fn start_demo(data: &Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_redline"))
        .args(["demo", "--port", &port.to_string(), "--data"])
        .arg(data)
        .env("REDLINE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

pub fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

pub fn get(url: &str, token: &str) -> Option<(u16, Value)> {
    block_on(async {
        let response = reqwest::Client::new()
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .ok()?;
        let status = response.status().as_u16();
        Some((status, response.json().await.unwrap_or_default()))
    })
}

pub fn wait_until_healthy(port: u16) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        let answered = block_on(async {
            reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
                .await
                .map(|response| response.status().is_success())
                .unwrap_or(false)
        });
        if answered {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the demo node did not answer /healthz within 60 s");
}

pub fn stop(mut child: Child) {
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let status = child.wait().unwrap();
    assert!(status.success(), "the demo exited with {status}");
}

/// A party of the demo: its token and key file.
pub struct Party {
    pub token: String,
    pub key: String,
}

pub fn party(credentials: &Value, id: &str) -> Party {
    Party {
        token: credentials[id]["token"].as_str().unwrap().to_string(),
        key: credentials[id]["key_file"].as_str().unwrap().to_string(),
    }
}

/// The value after `label` on the line that starts with it.
#[track_caller]
pub fn field(text: &str, label: &str) -> String {
    text.lines()
        .find_map(|line| line.strip_prefix(label))
        .map(|rest| {
            rest.split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .unwrap_or_else(|| panic!("no `{label}` in:\n{text}"))
}

/// Writes the demo's data to `data_path` without serving it, so that a test can change it (adopt
/// a document, add a subscription) before the node starts. Returns the path as text, for
/// `--data`.
pub fn write_demo_data(data_path: &Path) -> String {
    let data = data_path.to_str().unwrap().to_string();
    succeeded(redline(&["demo", "--no-serve", "--data", &data]));
    data
}

/// Adds a drill document to the demo data and has `parties` adopt it: the baseline with the
/// acknowledgement duties of `levels` (each the baseline's level and its `within`) shortened to
/// `seconds`, so that a deadline passes while the test waits. `root` holds the document file.
pub fn adopt_drill_document(
    root: &Path,
    data: &str,
    levels: &[(u8, &str)],
    seconds: u64,
    parties: &[&str],
) {
    let baseline = include_str!("../../../../norms/baseline.toml");
    let mut drill = baseline.replacen("id = \"baseline\"", "id = \"drill\"", 1);
    for (level, within) in levels {
        let duty = format!("kind = \"acknowledge\"\nfrom_level = {level}\nwithin = \"{within}\"");
        assert!(drill.contains(&duty), "the baseline changed: {duty}");
        drill = drill.replacen(
            &duty,
            &format!("kind = \"acknowledge\"\nfrom_level = {level}\nwithin = \"PT{seconds}S\""),
            1,
        );
    }
    let path = root.join("drill.toml");
    std::fs::write(&path, drill).unwrap();
    let added = succeeded(redline(&[
        "norms",
        "add",
        path.to_str().unwrap(),
        "--data",
        data,
    ]));
    let sha256 = added.split("sha256 ").nth(1).unwrap().trim().to_string();
    let mut adopt = vec!["norms", "adopt", &sha256, "--data", data];
    for party in parties {
        adopt.extend_from_slice(&["--party", party]);
    }
    succeeded(redline(&adopt));
}

/// The demo's parties' tokens and key files, as `redline demo` wrote them.
pub fn demo_credentials(data_path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(data_path.join("demo-credentials.json")).unwrap())
        .unwrap()
}

/// A demo node served by the real binary on a loopback port, and its parties.
pub struct DemoNode {
    pub data_path: PathBuf,
    pub port: u16,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    pub credentials: Value,
    child: Child,
}

impl DemoNode {
    /// Serves the demo from `data_path` (writing its data there first if there is none) and
    /// waits until it answers `/healthz`.
    pub fn serve(data_path: &Path) -> DemoNode {
        DemoNode::serve_on(data_path, free_port())
    }

    /// The same on `port` (a node restarted where its clients expect it).
    pub fn serve_on(data_path: &Path, port: u16) -> DemoNode {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let child = start_demo(data_path, port);
        wait_until_healthy(port);
        DemoNode {
            data_path: data_path.to_path_buf(),
            port,
            url: format!("http://127.0.0.1:{port}"),
            credentials: demo_credentials(data_path),
            child,
        }
    }

    /// The demo party `id` (`"EE"`, `"UA"`, …).
    pub fn party(&self, id: &str) -> Party {
        party(&self.credentials, id)
    }

    /// Runs `redline ARGUMENTS --url URL --token TOKEN` as `who`.
    pub fn as_party(&self, who: &Party, arguments: &[&str]) -> Output {
        let mut all: Vec<&str> = arguments.to_vec();
        all.extend_from_slice(&["--url", &self.url, "--token", &who.token]);
        redline(&all)
    }

    /// Runs `redline ARGUMENTS --url URL --token TOKEN --key KEY` as `who`, signing with its key.
    pub fn signed(&self, who: &Party, arguments: &[&str]) -> Output {
        let mut all: Vec<&str> = arguments.to_vec();
        all.extend_from_slice(&["--key", &who.key]);
        self.as_party(who, &all)
    }

    /// `GET URL/PATH` with `who`'s token: the status and the JSON body.
    pub fn get(&self, who: &Party, path: &str) -> (u16, Value) {
        get(&format!("{}{path}", self.url), &who.token).unwrap()
    }

    /// Stops the node and checks that it exited cleanly.
    pub fn stop(self) {
        stop(self.child)
    }
}

/// Adds the party `id` (of `kind`, named `name`) to the local node at `data` with a key that
/// `redline keygen` writes under `directory`; returns the key file.
pub fn add_party_with_new_key(
    data: &str,
    directory: &Path,
    id: &str,
    kind: &str,
    name: &str,
) -> String {
    let key = directory.join(format!("{id}.pem"));
    let key = key.to_str().unwrap().to_string();
    let public_key = succeeded(redline(&["keygen", "--output", &key]));
    let public_key = public_key.lines().next().unwrap().trim().to_string();
    succeeded(redline(&[
        "--data",
        data,
        "party",
        "add",
        "--id",
        id,
        "--kind",
        kind,
        "--name",
        name,
        "--public-key",
        &public_key,
    ]));
    key
}
