//! Latency of the hotline from `POST /api/v1/messages` to delivery on the recipient's
//! server-sent-event stream, over real HTTP on 127.0.0.1, at a fixed offered rate.
//!
//! Starts a node in this process (SQLite in a temp directory, `synchronous=FULL`, the
//! transparency log on as in `redline serve`; `BENCH_LOG=0` turns it off), registers two
//! states with Ed25519 keys, opens the recipient's
//! `/api/v1/stream`, then sends `BENCH_MESSAGES` signed notifications at `BENCH_RATE` per second
//! (open loop: each message leaves at its scheduled instant whatever the answers before it).
//! Each message is timed from just before its POST to the moment its event is read from the
//! stream; the signature is checked and the message stored durably before the stream sees it.
//! Every message must be answered 201 and arrive exactly once, or the run fails.
//!
//!   cargo bench -p redline-http --bench hotline_latency
//!   BENCH_RATE=1000 BENCH_MESSAGES=20000 cargo bench -p redline-http --bench hotline_latency

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use base64::Engine;
use ed25519_dalek::SigningKey;
use hdrhistogram::Histogram;
use redline_hotline::message::NotificationBody;
use redline_hotline::{HotlineMessage, MessageBody, sign_message};
use redline_http::HttpConfig;
use redline_model::{PartyId, PartyKind, Timestamp, Tlp};
use redline_node::{Caller, NewParty, Node, SystemClock};
use redline_store::{SqlStore, SqlStoreOptions};
use uuid::Uuid;

fn environment_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rate = environment_number("BENCH_RATE", 500).max(1);
    let messages = environment_number("BENCH_MESSAGES", 15_000) as usize;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(run(rate, messages));
}

async fn run(rate: u64, count: usize) {
    let directory = tempfile::tempdir().expect("a temp directory");
    let store = SqlStore::open_sqlite_file(
        &directory.path().join("hotline.sqlite"),
        SqlStoreOptions::default(),
    )
    .await
    .expect("the SQLite store");
    let node = Arc::new(Node::new(Arc::new(store), Arc::new(SystemClock)));
    if environment_number("BENCH_LOG", 1) != 0 {
        let log = redline_node::log::NodeLog::open(redline_node::log::LogConfig::new(
            directory.path().join("log"),
            "bench.redline.example/log",
            [5; 32],
        ))
        .expect("the transparency log");
        node.attach_log(log).await.expect("the log attached");
    }
    node.load_norms().await.expect("the shipped norms");
    let sender_key = SigningKey::from_bytes(&[11; 32]);
    let mut tokens = HashMap::new();
    for (id, key) in [
        ("EE", sender_key.clone()),
        ("UA", SigningKey::from_bytes(&[12; 32])),
    ] {
        let party = PartyId::parse(id).expect("a party id");
        node.add_party(
            &Caller::Operator,
            NewParty {
                id: party.clone(),
                kind: PartyKind::State,
                name: format!("State {id}"),
                languages: vec!["en".into()],
                public_keys: vec![
                    base64::engine::general_purpose::STANDARD
                        .encode(key.verifying_key().as_bytes()),
                ],
            },
        )
        .await
        .expect("a party");
        let issued = node
            .issue_token(&Caller::Operator, &party, "bench")
            .await
            .expect("a token");
        tokens.insert(id, issued.token);
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    let config = HttpConfig {
        rate_limit_per_second: 0,
        ..HttpConfig::default()
    };
    let (_shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(redline_http::run(
        listener,
        node.clone(),
        config,
        async move {
            let _ = stopped.await;
        },
    ));

    // Sign everything first: the client's signing time is not the node's latency.
    let messages: Vec<(Uuid, Vec<u8>)> = (0..count)
        .map(|index| {
            let message = HotlineMessage {
                id: Uuid::new_v4(),
                thread: Uuid::new_v4(),
                from: PartyId::parse("EE").expect("a party id"),
                to: vec![PartyId::parse("UA").expect("a party id")],
                sent_at: Timestamp::from_jiff(jiff::Timestamp::now()),
                incident: None,
                tlp: Tlp::Green,
                lang: "en".into(),
                exercise: false,
                body: MessageBody::Notification(NotificationBody {
                    summary: format!("Benchmark notification {index}: outage at a substation"),
                    severity_level: Some(3),
                    requested_actions: vec!["Confirm receipt".into()],
                }),
            };
            (message.id, sign_message(&message, &sender_key))
        })
        .collect();

    let sent_at: Arc<Mutex<HashMap<String, Instant>>> =
        Arc::new(Mutex::new(HashMap::with_capacity(count)));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .expect("an HTTP client");

    // The recipient's stream.
    let mut stream = client
        .get(format!("{base}/api/v1/stream"))
        .bearer_auth(&tokens["UA"])
        .header("accept", "text/event-stream")
        .send()
        .await
        .expect("the stream");
    assert_eq!(stream.status().as_u16(), 200, "the stream was refused");
    let receiver = {
        let sent_at = sent_at.clone();
        tokio::spawn(async move {
            let mut latencies =
                Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("a histogram");
            let mut seen = std::collections::HashSet::with_capacity(count);
            let mut duplicates = 0u64;
            let mut buffer = String::new();
            while seen.len() < count {
                let chunk =
                    match tokio::time::timeout(Duration::from_secs(30), stream.chunk()).await {
                        Ok(Ok(Some(chunk))) => chunk,
                        _ => break,
                    };
                let arrived = Instant::now();
                buffer.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buffer.find("\n\n") {
                    let block: String = buffer.drain(..end + 2).collect();
                    if !block.lines().any(|line| line == "event: message") {
                        continue;
                    }
                    let Some(data) = block.lines().find_map(|line| line.strip_prefix("data: "))
                    else {
                        continue;
                    };
                    let event: serde_json::Value =
                        serde_json::from_str(data).expect("event data is JSON");
                    let Some(id) = event["message"].as_str() else {
                        continue;
                    };
                    if !seen.insert(id.to_string()) {
                        duplicates += 1;
                        continue;
                    }
                    // The POST's start is recorded before it is sent, so it is there unless
                    // the event outran the bookkeeping by nanoseconds.
                    let started = loop {
                        if let Some(started) = sent_at.lock().expect("no poison").get(id) {
                            break *started;
                        }
                        tokio::task::yield_now().await;
                    };
                    let micros = arrived.duration_since(started).as_micros() as u64;
                    latencies.saturating_record(micros.max(1));
                }
            }
            (latencies, seen.len(), duplicates)
        })
    };

    // Open loop: message i leaves at start + i / rate.
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let start = tokio::time::Instant::now() + Duration::from_millis(200);
    let mut posts = Vec::with_capacity(count);
    let started_wall = Instant::now();
    for (index, (id, envelope)) in messages.into_iter().enumerate() {
        let client = client.clone();
        let token = tokens["EE"].clone();
        let base = base.clone();
        let sent_at = sent_at.clone();
        posts.push(tokio::spawn(async move {
            tokio::time::sleep_until(start + interval * index as u32).await;
            sent_at
                .lock()
                .expect("no poison")
                .insert(id.to_string(), Instant::now());
            let posted = Instant::now();
            let response = client
                .post(format!("{base}/api/v1/messages"))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(envelope)
                .send()
                .await
                .expect("the node answers");
            (response.status().as_u16(), posted.elapsed())
        }));
    }
    let mut refused = 0;
    let mut answers = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("a histogram");
    for post in posts {
        let (status, took) = post.await.expect("a sender");
        if status != 201 {
            refused += 1;
        }
        answers.saturating_record((took.as_micros() as u64).max(1));
    }
    let sending_seconds = started_wall.elapsed().as_secs_f64() - 0.2;
    let (latencies, delivered, duplicates) = receiver.await.expect("the receiver");
    let millis = |quantile: f64| latencies.value_at_quantile(quantile) as f64 / 1000.0;
    let logged = match node.log() {
        Some(log) => {
            node.settle_log().await.expect("the log settles");
            let size = log.checkpoint().expect("a checkpoint").tree_size;
            // Two parties and their keys, then one entry per message.
            assert!(size >= count as u64, "the log holds {size} entries");
            format!("transparency log on ({size} entries)")
        }
        None => "transparency log off".to_string(),
    };
    println!(
        "hotline POST -> stream, SQLite durable, signature checked, {logged}: {count} messages \
         offered at {rate}/s (achieved {:.0}/s)",
        count as f64 / sending_seconds
    );
    println!(
        "  delivered {delivered}/{count}, refused {refused}, duplicates {duplicates}; latency ms: \
         p50 {:.2}  p90 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}",
        millis(0.50),
        millis(0.90),
        millis(0.99),
        millis(0.999),
        latencies.max() as f64 / 1000.0
    );
    let answer_millis = |quantile: f64| answers.value_at_quantile(quantile) as f64 / 1000.0;
    println!(
        "  POST answered (201, durable) ms: p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
        answer_millis(0.50),
        answer_millis(0.90),
        answer_millis(0.99),
        answers.max() as f64 / 1000.0
    );
    assert_eq!(refused, 0, "messages were refused");
    assert_eq!(delivered, count, "messages were lost");
    assert_eq!(duplicates, 0, "messages were delivered twice");
}
