#![allow(clippy::unwrap_used)]
//! Crash safety of the hotline with the real binary: `redline demo` is SIGKILLed (not stopped)
//! while four senders post signed notifications and the recipient reads its event stream.
//! After a restart on the same data, every message that got a 2xx answer is there, and a
//! stream resuming with `Last-Event-ID` from the last event seen before the kill delivers each
//! later message exactly once — nothing acknowledged is lost, nothing is delivered twice.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use ed25519_dalek::{SigningKey, pkcs8::DecodePrivateKey};
use redline_hotline::message::NotificationBody;
use redline_hotline::{HotlineMessage, MessageBody, sign_message};
use redline_model::{PartyId, Timestamp, Tlp};
use serde_json::Value;
use uuid::Uuid;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
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

async fn wait_until_healthy(http: &reqwest::Client, base: &str) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(120) {
        if let Ok(response) = http.get(format!("{base}/healthz")).send().await
            && response.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the node did not answer /healthz within 120 s");
}

struct Credential {
    token: String,
    key: SigningKey,
}

fn credentials(data: &Path) -> BTreeMap<String, Credential> {
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

fn notification(index: usize) -> HotlineMessage {
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
            summary: format!("crash-test notification {index}"),
            severity_level: Some(2),
            requested_actions: vec![],
        }),
    }
}

/// Reads `(event id, message id)` of every `message` event of a server-sent-event response
/// into `seen` until the connection breaks.
async fn read_message_events(
    mut response: reqwest::Response,
    seen: Arc<Mutex<Vec<(i64, String)>>>,
) {
    let mut buffer = String::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut id = None;
            let mut kind = "";
            let mut data = String::new();
            for line in block.lines() {
                if let Some(value) = line.strip_prefix("id:") {
                    id = value.trim().parse::<i64>().ok();
                } else if let Some(value) = line.strip_prefix("event:") {
                    kind = if value.trim() == "message" {
                        "message"
                    } else {
                        "other"
                    };
                } else if let Some(value) = line.strip_prefix("data:") {
                    data.push_str(value.trim_start());
                }
            }
            if let (Some(id), "message") = (id, kind) {
                let event: Value = serde_json::from_str(&data).unwrap();
                seen.lock()
                    .unwrap()
                    .push((id, event["message"].as_str().unwrap().to_owned()));
            }
        }
    }
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
    let streamed_before_kill = Arc::new(Mutex::new(Vec::<(i64, String)>::new()));
    runtime.block_on(async {
        let stream = open_stream(&http, &base, &parties["UA"].token, None).await;
        // The recipient reads for one second, then loses its connection; the senders go on
        // until the kill, so the resumed stream has a backlog written before the crash.
        let reader = tokio::spawn(tokio::time::timeout(
            Duration::from_millis(1000),
            read_message_events(stream, streamed_before_kill.clone()),
        ));
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
                    let message = notification(sender * 1_000_000 + index);
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
    let before_kill = streamed_before_kill.lock().unwrap().clone();
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
        let stored_after: Vec<Value> = {
            let mut events = Vec::new();
            let mut after = last_seen;
            loop {
                let page: Value = http
                    .get(format!("{base}/api/v1/events?after={after}&limit=1000"))
                    .bearer_auth(&parties["UA"].token)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let batch = page["events"].as_array().unwrap().clone();
                if batch.is_empty() {
                    break events;
                }
                after = batch.last().unwrap()["sequence"].as_i64().unwrap();
                events.extend(batch);
            }
        };
        let expected_after = stored_after
            .iter()
            .filter(|event| event["kind"] == "message")
            .count();
        let resumed = Arc::new(Mutex::new(Vec::<(i64, String)>::new()));
        let stream = open_stream(&http, &base, &parties["UA"].token, Some(last_seen)).await;
        let reader = tokio::spawn(read_message_events(stream, resumed.clone()));
        let started = Instant::now();
        while resumed.lock().unwrap().len() < expected_after {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the resumed stream delivered {} of {expected_after} events",
                resumed.lock().unwrap().len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Give a duplicate the chance to show up.
        tokio::time::sleep(Duration::from_millis(500)).await;
        reader.abort();
        let resumed = resumed.lock().unwrap().clone();
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
