#![allow(clippy::unwrap_used)]
//! Crash safety of the hotline with the real binary: `redline demo` is SIGKILLed (not stopped)
//! while four senders post signed notifications and the recipient reads its event stream.
//! After a restart on the same data, every message that got a 2xx answer is there, and a
//! stream resuming with `Last-Event-ID` from the last event seen before the kill delivers each
//! later message exactly once — nothing acknowledged is lost, nothing is delivered twice.

use std::{
    collections::BTreeSet,
    path::Path,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use redline_hotline::sign_message;

mod support;

use support::cluster::{
    SeenEvent, all_events, credentials, notification, read_events, wait_until_healthy,
};
use support::free_port;

/// The `(event id, message id)` of each `message` event among `events`.
fn message_events(events: &[SeenEvent]) -> Vec<(i64, String)> {
    events
        .iter()
        .filter(|event| event.kind == "message")
        .filter_map(|event| event.message.clone().map(|message| (event.id, message)))
        .collect()
}

fn start_demo(data: &Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_redline"))
        .args(["demo", "--port", &port.to_string(), "--data"])
        .arg(data)
        .env("REDLINE_LOG", "warn")
        .env("REDLINE_RATE_LIMIT_PER_SECOND", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

async fn open_stream(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    last_event_id: Option<i64>,
) -> reqwest::Response {
    let mut request = http
        .get(format!("{base}/api/v1/stream"))
        .bearer_auth(token)
        .header("accept", "text/event-stream");
    if let Some(id) = last_event_id {
        request = request.header("last-event-id", id.to_string());
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    response
}

#[test]
fn a_node_killed_while_messages_arrive_keeps_every_acknowledged_one_and_streams_each_once() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let http = reqwest::Client::new();

    let mut child = start_demo(&data, port);
    runtime.block_on(wait_until_healthy(&http, &base));
    let parties = Arc::new(credentials(&data));

    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let streamed_before_kill: Arc<Mutex<Vec<SeenEvent>>> = Arc::default();
    runtime.block_on(async {
        let stream = open_stream(&http, &base, &parties["UA"].token, None).await;
        // The recipient reads for one second, then loses its connection; the senders go on
        // until the kill, so the resumed stream has a backlog written before the crash.
        let reader = {
            let seen = streamed_before_kill.clone();
            tokio::spawn(tokio::time::timeout(
                Duration::from_millis(1000),
                async move { read_events(stream, &seen).await },
            ))
        };
        let mut senders = Vec::new();
        for sender in 0..4 {
            let (http, base, parties, acknowledged) = (
                http.clone(),
                base.clone(),
                parties.clone(),
                acknowledged.clone(),
            );
            senders.push(tokio::spawn(async move {
                for index in 0.. {
                    let message = notification(format!(
                        "crash-test notification {}",
                        sender * 1_000_000 + index
                    ));
                    let envelope = sign_message(&message, &parties["EE"].key);
                    let Ok(response) = http
                        .post(format!("{base}/api/v1/messages"))
                        .bearer_auth(&parties["EE"].token)
                        .header("content-type", "application/json")
                        .body(envelope)
                        .send()
                        .await
                    else {
                        return;
                    };
                    match response.status().as_u16() {
                        201 => acknowledged.lock().unwrap().push(message.id.to_string()),
                        status => panic!("message refused with {status} before the kill"),
                    }
                }
            }));
        }
        tokio::time::sleep(Duration::from_millis(2500)).await;
        // SIGKILL in the middle of the burst: no graceful shutdown, no flush.
        child.kill().unwrap();
        child.wait().unwrap();
        for sender in senders {
            sender.await.unwrap();
        }
        let _ = reader.await;
    });
    let acknowledged = acknowledged.lock().unwrap().clone();
    let before_kill = message_events(&streamed_before_kill.lock().unwrap());
    assert!(
        acknowledged.len() > 20,
        "only {} messages were acknowledged before the kill",
        acknowledged.len()
    );
    assert!(
        !before_kill.is_empty(),
        "the stream saw nothing before the kill"
    );

    // Restart on the same data.
    let mut child = start_demo(&data, port);
    runtime.block_on(async {
        wait_until_healthy(&http, &base).await;
        // Every acknowledged message is there, for its sender and for its recipient.
        for id in &acknowledged {
            for party in ["EE", "UA"] {
                let response = http
                    .get(format!("{base}/api/v1/messages/{id}"))
                    .bearer_auth(&parties[party].token)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status().as_u16(), 200, "message {id} was lost");
            }
        }

        // Resume the stream after the last event seen before the kill.
        let last_seen = before_kill.iter().map(|(id, _)| *id).max().unwrap();
        let stored_after = all_events(&http, &base, &parties["UA"].token, last_seen).await;
        let expected_after = stored_after
            .iter()
            .filter(|event| event["kind"] == "message")
            .count();
        let resumed: Arc<Mutex<Vec<SeenEvent>>> = Arc::default();
        let stream = open_stream(&http, &base, &parties["UA"].token, Some(last_seen)).await;
        let reader = {
            let seen = resumed.clone();
            tokio::spawn(async move { read_events(stream, &seen).await })
        };
        let started = Instant::now();
        while message_events(&resumed.lock().unwrap()).len() < expected_after {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the resumed stream delivered {} of {expected_after} events",
                message_events(&resumed.lock().unwrap()).len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Give a duplicate the chance to show up.
        tokio::time::sleep(Duration::from_millis(500)).await;
        reader.abort();
        let resumed = message_events(&resumed.lock().unwrap());
        assert_eq!(
            resumed.len(),
            expected_after,
            "the resumed stream repeated events"
        );
        assert!(resumed.iter().all(|(id, _)| *id > last_seen));

        // Across the kill, each message reached the recipient's stream exactly once.
        let mut delivered = BTreeSet::new();
        for (_, message) in before_kill.iter().chain(resumed.iter()) {
            assert!(
                delivered.insert(message.clone()),
                "{message} was streamed twice"
            );
        }
        println!(
            "{} messages acknowledged before the kill; {} streamed before it, {} after resuming",
            acknowledged.len(),
            before_kill.len(),
            resumed.len()
        );
        let missing: Vec<_> = acknowledged
            .iter()
            .filter(|id| !delivered.contains(*id))
            .collect();
        assert!(
            missing.is_empty(),
            "acknowledged but never streamed: {missing:?}"
        );
    });
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let _ = child.wait();
}
