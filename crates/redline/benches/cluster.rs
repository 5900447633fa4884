//! Several `redline serve` processes over one PostgreSQL database, measured with the real
//! binary (figures in BENCHMARKS.md):
//!
//! 1. incident submissions per second, clients spread round robin over the processes;
//! 2. hotline POST-to-stream latency: signed notifications at a fixed rate, spread over the
//!    processes, each timed from the moment its POST is sent until its `message` event arrives
//!    on the recipient's stream (held on the first process, so most messages cross processes);
//! 3. failover time: the leader SIGKILLed `BENCH_KILLS` times (and restarted), each time from
//!    the kill until another process answers `/readyz` as the leader.
//!
//! `BENCH_PROCESSES=3 BENCH_SECONDS=20 BENCH_CONCURRENCY=16 BENCH_RATE=200 BENCH_KILLS=10
//!  TEST_POSTGRES_URL=… cargo bench -p redline --bench cluster`
//! The load generator shares the machine's cores with the processes and PostgreSQL.
#![allow(clippy::unwrap_used)]

#[path = "../tests/support/cluster.rs"]
mod cluster;

use std::{
    path::PathBuf,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use cluster::{
    Cluster, SeenEvent, credentials, notification, read_events, redline, wait_for_leader,
    wait_until_healthy,
};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .unwrap_or(0)
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

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let processes = setting("BENCH_PROCESSES", 3) as usize;
    let seconds = setting("BENCH_SECONDS", 20);
    let concurrency = setting("BENCH_CONCURRENCY", 16) as usize;
    let rate = setting("BENCH_RATE", 200);
    let kills = setting("BENCH_KILLS", 0);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let database = runtime
        .block_on(redline_store::testing::fresh_postgres_database(
            "cluster_bench",
        ))
        .expect("the PostgreSQL server")
        .expect("set TEST_POSTGRES_URL to a PostgreSQL server");
    let root = tempfile::tempdir().expect("a temporary directory");
    let data = root.path().join("data");
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_redline"));
    redline(&binary, &["demo", "--no-serve"], &data, &database);
    let parties = Arc::new(credentials(&data));
    let mut cluster = Cluster {
        data: data.clone(),
        database: database.clone(),
        ports: (0..processes).map(|_| free_port()).collect(),
        children: (0..processes).map(|_| None).collect(),
        binary,
    };
    for index in 0..processes {
        cluster.start(index);
    }
    let bases: Vec<String> = (0..processes).map(|index| cluster.base(index)).collect();
    let http = reqwest::Client::new();
    println!(
        "{processes} process(es) over PostgreSQL; {seconds} s per phase, {concurrency} submitting \
         clients, notifications at {rate}/s"
    );
    runtime.block_on(async {
        for base in &bases {
            wait_until_healthy(&http, base).await;
        }
        let all: Vec<usize> = (0..processes).collect();
        let (mut leader, _) = wait_for_leader(&http, &bases, &all, Duration::from_secs(10))
            .await
            .expect("a leader");

        // 1. Submissions.
        let report = serde_json::from_slice::<serde_json::Value>(
            &std::fs::read(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../../demo/incidents/01-estonia-2007.json"),
            )
            .expect("the demo incident"),
        )
        .expect("its JSON");
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let latencies = Arc::new(Mutex::new(Vec::new()));
        let clients: Vec<_> = (0..concurrency)
            .map(|client| {
                let (http, bases, token, latencies, mut report) = (
                    http.clone(),
                    bases.clone(),
                    parties["EE"].token.clone(),
                    latencies.clone(),
                    report.clone(),
                );
                tokio::spawn(async move {
                    let mut index = client;
                    let mut failures = 0;
                    while Instant::now() < deadline {
                        index += concurrency;
                        report["title"] = serde_json::json!(format!("bench report {index}"));
                        report["reported_by"] = serde_json::json!("EE");
                        let started = Instant::now();
                        let answered = http
                            .post(format!("{}/api/v1/incidents", bases[index % bases.len()]))
                            .bearer_auth(&token)
                            .json(&report)
                            .send()
                            .await
                            .map(|response| response.status().as_u16());
                        match answered {
                            Ok(201) => latencies.lock().unwrap().push(started.elapsed()),
                            _ => failures += 1,
                        }
                    }
                    failures
                })
            })
            .collect();
        let mut failures = 0;
        for client in clients {
            failures += client.await.expect("a client");
        }
        let mut latencies = latencies.lock().unwrap().clone();
        latencies.sort();
        println!(
            "submissions: {:.0}/s answered ({} in {seconds} s, {failures} failed), p50 {}, p99 {}",
            latencies.len() as f64 / seconds as f64,
            latencies.len(),
            milliseconds(percentile(&latencies, 0.5)),
            milliseconds(percentile(&latencies, 0.99)),
        );

        // 2. Hotline: POST to the recipient's stream.
        let seen: Arc<Mutex<Vec<SeenEvent>>> = Arc::default();
        let arrivals: Arc<Mutex<std::collections::HashMap<String, Instant>>> = Arc::default();
        let stream = http
            .get(format!("{}/api/v1/stream", bases[0]))
            .bearer_auth(&parties["UA"].token)
            .header("accept", "text/event-stream")
            .send()
            .await
            .expect("the stream");
        {
            // Skip what the stream replays from the demo; time only what is sent below.
            let (seen, arrivals) = (seen.clone(), arrivals.clone());
            tokio::spawn(async move {
                let watcher = {
                    let seen = seen.clone();
                    tokio::spawn(async move { read_events(stream, &seen).await })
                };
                let mut read = 0;
                loop {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    let now = Instant::now();
                    let events = seen.lock().unwrap();
                    for event in &events[read..] {
                        if let Some(message) = &event.message {
                            arrivals.lock().unwrap().insert(message.clone(), now);
                        }
                    }
                    read = events.len();
                    if watcher.is_finished() {
                        return;
                    }
                }
            });
        }
        let sent: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
        let interval = Duration::from_secs_f64(1.0 / rate.max(1) as f64);
        let total = rate * seconds;
        let mut ticker = tokio::time::interval(interval);
        let mut posts = Vec::new();
        for index in 0..total {
            ticker.tick().await;
            let message = notification(format!("bench {index}"));
            let envelope = redline_hotline::sign_message(&message, &parties["EE"].key);
            let (http, base, token, sent) = (
                http.clone(),
                bases[index as usize % bases.len()].clone(),
                parties["EE"].token.clone(),
                sent.clone(),
            );
            posts.push(tokio::spawn(async move {
                let started = Instant::now();
                let answered = http
                    .post(format!("{base}/api/v1/messages"))
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(envelope)
                    .send()
                    .await
                    .map(|response| response.status().as_u16());
                if matches!(answered, Ok(201)) {
                    sent.lock().unwrap().push((message.id.to_string(), started));
                }
            }));
        }
        for post in posts {
            post.await.expect("a post");
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
        let sent = sent.lock().unwrap().clone();
        let arrivals = arrivals.lock().unwrap().clone();
        let mut delays: Vec<Duration> = sent
            .iter()
            .filter_map(|(id, started)| {
                arrivals
                    .get(id)
                    .map(|arrived| arrived.saturating_duration_since(*started))
            })
            .collect();
        delays.sort();
        println!(
            "hotline: {} of {} accepted messages reached the stream; POST to stream p50 {}, \
             p99 {}, max {}",
            delays.len(),
            sent.len(),
            milliseconds(percentile(&delays, 0.5)),
            milliseconds(percentile(&delays, 0.99)),
            milliseconds(delays.last().copied().unwrap_or_default()),
        );

        // 3. Failover.
        let mut failovers = Vec::new();
        for _ in 0..kills {
            if processes < 2 {
                break;
            }
            cluster.kill(leader);
            let alive: Vec<usize> = (0..processes).filter(|index| *index != leader).collect();
            let (next, took) = wait_for_leader(&http, &bases, &alive, Duration::from_secs(30))
                .await
                .expect("a new leader");
            failovers.push(took);
            cluster.start(leader);
            wait_until_healthy(&http, &bases[leader]).await;
            leader = next;
        }
        if !failovers.is_empty() {
            failovers.sort();
            println!(
                "failover over {} kills: median {}, max {} (kill to another process answering \
                 /readyz as leader, polled every 50 ms)",
                failovers.len(),
                milliseconds(percentile(&failovers, 0.5)),
                milliseconds(*failovers.last().unwrap_or(&Duration::ZERO)),
            );
        }
    });
}
