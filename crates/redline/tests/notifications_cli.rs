#![allow(clippy::unwrap_used)]
//! Notifications at the command line, against a real demo node: `redline inbox --follow` prints
//! an event sent after it started, keeps following while the node restarts (reconnecting with
//! `Last-Event-ID`, printing no event twice) and stops cleanly on Ctrl-C; and the operator's
//! `redline notifications` commands apply the node's rules (a private webhook target refused
//! unless configured, the secret printed once, list and remove).

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

mod support;
use support::{DemoNode, redline, stderr, succeeded, write_demo_data};

/// Waits for a printed event whose message is `message`; returns every line seen meanwhile.
fn wait_for_message(lines: &mpsc::Receiver<String>, message: &str, seen: &mut Vec<Value>) {
    let started = Instant::now();
    loop {
        let remaining = Duration::from_secs(60).saturating_sub(started.elapsed());
        assert!(
            !remaining.is_zero(),
            "{message} never printed; saw {seen:?}"
        );
        let Ok(line) = lines.recv_timeout(remaining) else {
            panic!("{message} never printed; saw {seen:?}");
        };
        let event: Value =
            serde_json::from_str(&line).unwrap_or_else(|error| panic!("{error}: {line}"));
        seen.push(event.clone());
        if event["kind"] == "message" && event["message"] == message {
            return;
        }
    }
}

fn notify(url: &str, from: &support::Party, incident: &str, summary: &str) -> String {
    let notified = succeeded(redline(&[
        "notify",
        "--incident",
        incident,
        "--to",
        "UA",
        "--summary",
        summary,
        "--url",
        url,
        "--token",
        &from.token,
        "--key",
        &from.key,
    ]));
    support::field(&notified, "message:")
}

#[test]
fn inbox_follow_prints_new_events_and_resumes_after_the_node_restarts() {
    let directory = tempfile::tempdir().unwrap();
    let data_path = directory.path().join("demo-data");
    let data = write_demo_data(&data_path);
    let node = DemoNode::serve(&data_path);
    let url = node.url.clone();
    let ee = node.party("EE");
    let ua = node.party("UA");
    let (status, listing) = support::get(&format!("{url}/api/v1/incidents"), &ee.token).unwrap();
    assert_eq!(status, 200);
    let incident = listing["incidents"][0]["id"].as_str().unwrap().to_string();

    let mut follower = Command::new(env!("CARGO_BIN_EXE_redline"))
        .args([
            "inbox", "--follow", "--format", "json", "--url", &url, "--token", &ua.token,
        ])
        .env("REDLINE_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (sender, lines) = mpsc::channel();
    let stdout = follower.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    // Give the follower its connection before the event is sent.
    std::thread::sleep(Duration::from_millis(500));
    let mut seen = Vec::new();
    let first = notify(&url, &ee, &incident, "Sent while following");
    wait_for_message(&lines, &first, &mut seen);

    // The node restarts; the follower reconnects and prints what comes next.
    let port = node.port;
    node.stop();
    // While it is down: the operator's commands on the same data.
    let refused = redline(&[
        "notifications",
        "add-webhook",
        "--party",
        "UA",
        "--url",
        "http://127.0.0.1:9/hook",
        "--data",
        &data,
    ]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("url"), "{}", stderr(&refused));
    let added = Command::new(env!("CARGO_BIN_EXE_redline"))
        .args([
            "notifications",
            "add-webhook",
            "--party",
            "UA",
            "--url",
            "http://127.0.0.1:9/hook",
            "--event",
            "message",
            "--format",
            "json",
            "--data",
            &data,
        ])
        .env("REDLINE_NOTIFICATION_ALLOW_PRIVATE_TARGETS", "true")
        .env("REDLINE_LOG", "warn")
        .output()
        .unwrap();
    let added: Value = serde_json::from_str(&succeeded(added)).unwrap();
    let id = added["subscription"]["id"].as_str().unwrap().to_string();
    assert_eq!(added["secret"].as_str().unwrap().len(), 64);
    let listed = succeeded(redline(&[
        "notifications",
        "list",
        "--party",
        "UA",
        "--format",
        "json",
        "--data",
        &data,
    ]));
    assert!(listed.contains(&id) && !listed.contains(added["secret"].as_str().unwrap()));
    succeeded(redline(&["notifications", "remove", &id, "--data", &data]));
    let listed = succeeded(redline(&[
        "notifications",
        "list",
        "--format",
        "json",
        "--data",
        &data,
    ]));
    assert!(!listed.contains(&id), "{listed}");

    let node = DemoNode::serve_on(&data_path, port);
    let second = notify(&url, &ee, &incident, "Sent after the restart");
    wait_for_message(&lines, &second, &mut seen);
    // No event printed twice, and in order.
    let sequences: Vec<i64> = seen
        .iter()
        .map(|event| event["sequence"].as_i64().unwrap())
        .collect();
    assert!(
        sequences.windows(2).all(|pair| pair[0] < pair[1]),
        "{sequences:?}"
    );

    // Ctrl-C ends it cleanly.
    let _ = Command::new("kill")
        .args(["-INT", &follower.id().to_string()])
        .status();
    let output = follower.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("reconnecting"), "{said}");
    node.stop();
}
