//! Federation measured with the real binary (figures in BENCHMARKS.md): two `redline serve`
//! nodes on loopback, "north" (party EE) and "south" (party FI), each with its own data and
//! SQLite database, each the other's peer through a TCP proxy.
//!
//! 1. Cross-node delivery latency: EE sends signed notifications to FI at `BENCH_RATE` per
//!    second for `BENCH_SECONDS`, each to north; each is timed from the moment its POST is sent
//!    until its `message` event arrives on FI's event stream, held on south (accepted by north,
//!    relayed, checked and stored by south, streamed).
//! 2. Convergence after a healed cut: the north→south link is cut, `BENCH_BACKLOG` messages
//!    are sent at the same rate, the link is healed; timed from the heal until the last of them
//!    is on FI's stream (the relay retries with backoff up to its ceiling, 1 s here).
//!
//! `BENCH_RATE=100 BENCH_SECONDS=20 BENCH_BACKLOG=300 cargo bench -p redline --bench federation`
//! The load generator shares the machine's cores with both nodes.
#![allow(clippy::unwrap_used)]

#[path = "../tests/support/cluster.rs"]
mod cluster;
#[path = "../tests/support/federation.rs"]
mod federation;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use redline_hotline::message::NotificationBody;
use redline_hotline::{HotlineMessage, MessageBody, sign_message};
use redline_model::Tlp;
use uuid::Uuid;

use cluster::{SeenEvent, read_events};
use federation::{TestNode, get_json, now, party, set_up_node, start_link, write_config};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn milliseconds(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

fn notification(index: usize) -> HotlineMessage {
    HotlineMessage {
        id: Uuid::new_v4(),
        thread: Uuid::new_v4(),
        from: party("EE"),
        to: vec![party("FI")],
        sent_at: now(),
        incident: None,
        tlp: Tlp::Green,
        lang: "en".into(),
        exercise: false,
        body: MessageBody::Notification(NotificationBody {
            summary: format!("federation benchmark {index}"),
            severity_level: Some(1),
            requested_actions: vec![],
        }),
    }
}

/// Sends `count` notifications at `rate` per second to north; returns when each POST was sent.
async fn send_at_rate(
    http: &reqwest::Client,
    north: &str,
    token: &str,
    key: &ed25519_dalek::SigningKey,
    count: usize,
    rate: u64,
    offset: usize,
) -> HashMap<String, Instant> {
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let started = Instant::now();
    let mut sent = HashMap::new();
    let mut tasks = Vec::new();
    for index in 0..count {
        let due = started + interval * index as u32;
        tokio::time::sleep_until(due.into()).await;
        let mut message = notification(offset + index);
        message.sent_at = now();
        let envelope = sign_message(&message, key);
        sent.insert(message.id.to_string(), Instant::now());
        let (http, url, token) = (
            http.clone(),
            format!("{north}/api/v1/messages"),
            token.to_string(),
        );
        tasks.push(tokio::spawn(async move {
            let response = http
                .post(url)
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(envelope)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 201);
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    sent
}

/// When each message id was first seen on the stream.
fn arrivals(seen: &Mutex<Vec<(SeenEvent, Instant)>>) -> HashMap<String, Instant> {
    let mut first = HashMap::new();
    for (event, at) in seen.lock().unwrap().iter() {
        if let Some(message) = &event.message {
            first.entry(message.clone()).or_insert(*at);
        }
    }
    first
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rate = setting("BENCH_RATE", 100);
    let seconds = setting("BENCH_SECONDS", 20);
    let backlog = setting("BENCH_BACKLOG", 300) as usize;
    let root = tempfile::tempdir().unwrap();
    let mut nodes: Vec<TestNode> = (0..2)
        .map(|index| set_up_node(root.path(), index))
        .collect();
    let to_south = start_link(nodes[1].port).await;
    let to_north = start_link(nodes[0].port).await;
    write_config(
        &nodes[0],
        &[(
            format!("http://127.0.0.1:{}", to_south.port),
            nodes[1].log_key.clone(),
            nodes[1].witness_key.clone(),
        )],
    );
    write_config(
        &nodes[1],
        &[(
            format!("http://127.0.0.1:{}", to_north.port),
            nodes[0].log_key.clone(),
            nodes[0].witness_key.clone(),
        )],
    );
    for node in &mut nodes {
        node.start();
    }
    let http = reqwest::Client::new();
    let (north, south) = (nodes[0].base(), nodes[1].base());
    for base in [&north, &south] {
        cluster::wait_until_healthy(&http, base).await;
    }
    // Each node knows the other's party once its statement is imported.
    for base in [&north, &south] {
        let started = Instant::now();
        loop {
            let status = get_json(&http, &format!("{base}/api/v1/federation"), None).await;
            if status.is_some_and(|status| status["peers"][0]["parties_homed"] == 1) {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{base} never learned its peer's party"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    // FI's stream on south, timestamps taken as events arrive.
    let seen: Arc<Mutex<Vec<(SeenEvent, Instant)>>> = Arc::default();
    {
        let (http, url, token, seen) = (
            http.clone(),
            format!("{south}/api/v1/stream"),
            nodes[1].token.clone(),
            seen.clone(),
        );
        tokio::spawn(async move {
            let response = http.get(url).bearer_auth(token).send().await.unwrap();
            let events = Mutex::new(Vec::new());
            let reader = read_events(response, &events);
            tokio::pin!(reader);
            loop {
                tokio::select! {
                    () = &mut reader => return,
                    () = tokio::time::sleep(Duration::from_millis(1)) => {
                        let drained: Vec<SeenEvent> = events.lock().unwrap().drain(..).collect();
                        let now = Instant::now();
                        seen.lock().unwrap().extend(drained.into_iter().map(|event| (event, now)));
                    }
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    // 1. Latency at a steady rate.
    let count = (rate * seconds) as usize;
    let key = nodes[0].key.clone();
    let sent = send_at_rate(&http, &north, &nodes[0].token, &key, count, rate, 0).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while arrivals(&seen).len() < count && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let arrived = arrivals(&seen);
    let mut latencies: Vec<Duration> = sent
        .iter()
        .filter_map(|(id, at)| arrived.get(id).map(|seen| seen.duration_since(*at)))
        .collect();
    latencies.sort();
    println!(
        "cross-node delivery at {rate}/s for {seconds} s: {} of {count} delivered; p50 {}, p99 {}, max {}",
        latencies.len(),
        milliseconds(percentile(&latencies, 0.5)),
        milliseconds(percentile(&latencies, 0.99)),
        milliseconds(percentile(&latencies, 1.0)),
    );

    // 2. Convergence after a healed cut.
    to_south.cut.send_replace(true);
    let sent = send_at_rate(&http, &north, &nodes[0].token, &key, backlog, rate, count).await;
    let healed = Instant::now();
    to_south.cut.send_replace(false);
    let deadline = healed + Duration::from_secs(120);
    loop {
        let arrived = arrivals(&seen);
        let missing = sent.keys().filter(|id| !arrived.contains_key(*id)).count();
        if missing == 0 {
            let last = sent
                .keys()
                .filter_map(|id| arrived.get(id))
                .max()
                .copied()
                .unwrap();
            println!(
                "convergence after a healed cut: {backlog} messages queued during the cut, all on the recipient's stream {} after the heal",
                milliseconds(last.saturating_duration_since(healed))
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{missing} messages never arrived"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let status = get_json(&http, &format!("{north}/api/v1/federation"), None)
        .await
        .unwrap();
    println!(
        "north's relay figures: {}",
        serde_json::to_string(&status["peers"][0]["relay"]).unwrap()
    );
}
