#![allow(clippy::unwrap_used)]
//! `redline demo` end to end: the real binary serves the demo world on a loopback port, a demo
//! token lists the eight incidents, and a second run reuses the data.

use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_demo(data: &std::path::Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_redline"))
        .args(["demo", "--port", &port.to_string(), "--data"])
        .arg(data)
        .env("REDLINE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

fn get(url: &str, token: Option<&str>) -> Option<(u16, serde_json::Value)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let mut request = client.get(url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.ok()?;
        let status = response.status().as_u16();
        Some((status, response.json().await.unwrap_or_default()))
    })
}

fn wait_until_healthy(port: u16) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if let Some((200, _)) = get(&format!("http://127.0.0.1:{port}/healthz"), None) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the demo node did not answer /healthz within 60 s");
}

fn stop(mut child: Child) {
    // SIGTERM, the way an operator stops it; the node shuts down gracefully.
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let status = child.wait().unwrap();
    assert!(status.success(), "the demo exited with {status}");
}

#[test]
fn demo_serves_the_eight_incidents_and_a_second_run_reuses_the_data() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("redline-data");
    let port = free_port();
    let child = start_demo(&data, port);
    wait_until_healthy(port);

    let credentials: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("demo-credentials.json")).unwrap())
            .unwrap();
    let states: Vec<&String> = credentials.as_object().unwrap().keys().collect();
    assert!(states.len() >= 6, "{states:?}");
    for (_, credential) in credentials.as_object().unwrap() {
        let key_file = std::path::Path::new(credential["key_file"].as_str().unwrap());
        assert!(key_file.exists());
    }
    let token = credentials["EE"]["token"].as_str().unwrap().to_string();
    let url = format!("http://127.0.0.1:{port}/api/v1/incidents");
    let (status, listing) = get(&url, Some(&token)).unwrap();
    assert_eq!(status, 200);
    let incidents = listing["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 8);
    for incident in incidents {
        let report = &incident["report"];
        assert!(report["description"].as_str().unwrap().contains("Sources:"));
        assert!(!report["references"].as_array().unwrap().is_empty());
    }
    let (status, _) = get(&url, None).unwrap();
    assert_eq!(status, 401);
    stop(child);

    // The second run reuses the data: same tokens, still eight incidents.
    let child = start_demo(&data, port);
    wait_until_healthy(port);
    let (status, listing) = get(&url, Some(&token)).unwrap();
    assert_eq!(status, 200);
    assert_eq!(listing["incidents"].as_array().unwrap().len(), 8);
    stop(child);
}

#[test]
fn help_and_schema_work_without_a_node() {
    let output = Command::new(env!("CARGO_BIN_EXE_redline"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(help.contains("Exit codes"));
    let output = Command::new(env!("CARGO_BIN_EXE_redline"))
        .args(["schema", "incident"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(schema["properties"]["effects"].is_object());
}

#[test]
fn a_bad_report_exits_1_and_names_the_path() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("data");
    let report = directory.path().join("report.json");
    std::fs::write(
        &report,
        r#"{"title":"t","reported_by":"EE","victim":"EE","first_observed":"2026-01-01T00:00:00Z",
            "status":"confirmed","tlp":"clear","targets":[{"sector":"power","country":"EE"}],
            "effects":[{"kind":"disruption"}]}"#,
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_redline"))
        .args(["incident", "submit"])
        .arg(&report)
        .arg("--data")
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("targets[0].sector"), "{stderr}");
}
