//! The command-line test harness shared by the CLI tests: the real `redline` binary, a real
//! demo node on a loopback port, and helpers to read what they print.
#![allow(dead_code)]

use std::{
    path::Path,
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
