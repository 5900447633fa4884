//! Load test of incident submission over real HTTP on 127.0.0.1, with durable commits.
//!
//! Starts a node in this process on a loopback port (SQLite in a temp directory with
//! `synchronous=FULL`, or PostgreSQL at `BENCH_POSTGRES_URL`), then sends `BENCH_REQUESTS`
//! POST /api/v1/incidents from `BENCH_CONCURRENCY` concurrent clients and prints throughput and
//! latency percentiles. Every request must answer 201; a single failure fails the run.
//!
//!   cargo bench -p redline-http --bench submit_load
//!   BENCH_DATABASE=postgres BENCH_POSTGRES_URL=postgres://… cargo bench -p redline-http --bench submit_load

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use redline_http::HttpConfig;
use redline_model::{PartyId, PartyKind};
use redline_node::{Caller, NewParty, Node, SystemClock};
use redline_store::{SqlStore, SqlStoreOptions};

fn environment_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn report_body(index: u64) -> String {
    serde_json::json!({
        "title": format!("Load test incident {index}: ransomware at a regional hospital"),
        "description": "Encrypted patient-record systems; ambulances diverted for six hours. Reported for the load benchmark.",
        "reported_by": "EE",
        "victim": "EE",
        "first_observed": "2026-11-01T08:00:00.123456Z",
        "last_observed": "2026-11-01T14:00:00Z",
        "status": "confirmed",
        "tlp": if index.is_multiple_of(4) { "amber" } else { "green" },
        "targets": [
            { "sector": "healthcare", "country": "EE", "essential_service": true, "people_affected": 12000 + index },
            { "sector": "emergency-services", "country": "EE", "essential_service": true }
        ],
        "effects": [
            { "kind": "disruption", "duration_hours": 6, "reversible": true, "scale": "regional" },
            { "kind": "data-destruction", "reversible": false, "scale": "local" }
        ],
        "techniques": ["T1486", "T1566.001"],
        "access": "remote",
        "suspected_origin": { "state": "RU", "confidence": "roughly-even", "basis": ["technical"] },
        "cross_border": true,
        "shared_with": ["FI"]
    })
    .to_string()
}

async fn open_store(directory: &std::path::Path) -> (SqlStore, String) {
    match std::env::var("BENCH_DATABASE").as_deref() {
        Ok("postgres") => {
            let url = std::env::var("BENCH_POSTGRES_URL")
                .expect("BENCH_DATABASE=postgres needs BENCH_POSTGRES_URL (a fresh database)");
            let store = SqlStore::open(&url, SqlStoreOptions::default())
                .await
                .expect("open PostgreSQL");
            (store, "postgres".into())
        }
        _ => {
            let store = SqlStore::open_sqlite_file(
                &directory.join("bench.sqlite"),
                SqlStoreOptions::default(),
            )
            .await
            .expect("open SQLite");
            (store, "sqlite (WAL, synchronous=FULL)".into())
        }
    }
}

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let requests = environment_number("BENCH_REQUESTS", 20_000);
        let concurrency = environment_number("BENCH_CONCURRENCY", 32);
        let directory = tempfile::tempdir().expect("temp dir");
        let (store, database) = open_store(directory.path()).await;
        let node = Arc::new(Node::new(Arc::new(store), Arc::new(SystemClock)));
        // As a real node: every submission is assessed against the baseline and the assessment
        // is stored with it.
        node.load_norms().await.expect("load norms");
        let mut token = String::new();
        for id in ["EE", "FI"] {
            let party = PartyId::parse(id).expect("party id");
            let added = node
                .add_party(
                    &Caller::Operator,
                    NewParty {
                        id: party.clone(),
                        kind: PartyKind::State,
                        name: id.into(),
                        languages: vec![],
                        public_keys: vec![],
                    },
                )
                .await;
            if let Err(error) = added {
                panic!("adding {id}: {error} (use a fresh database)");
            }
            let issued = node
                .issue_token(&Caller::Operator, &party, "bench")
                .await
                .expect("token");
            if id == "EE" {
                token = issued.token;
            }
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!(
            "http://{}/api/v1/incidents",
            listener.local_addr().expect("address")
        );
        let config = HttpConfig {
            rate_limit_per_second: 0,
            ..HttpConfig::default()
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(redline_http::run(
            listener,
            node.clone(),
            config,
            async move {
                let _ = stopped.await;
            },
        ));

        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(concurrency as usize)
            .build()
            .expect("client");
        let bodies: Arc<Vec<String>> = Arc::new((0..requests).map(report_body).collect());
        let next = Arc::new(std::sync::atomic::AtomicU64::new(0));
        // Warm up: authenticate once (Argon2) and open connections.
        for _ in 0..concurrency {
            let response = client
                .post(&url)
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(report_body(0))
                .send()
                .await
                .expect("warm-up request");
            assert_eq!(response.status().as_u16(), 201);
        }
        let started = Instant::now();
        let mut workers = Vec::new();
        for _ in 0..concurrency {
            let client = client.clone();
            let url = url.clone();
            let token = token.clone();
            let bodies = bodies.clone();
            let next = next.clone();
            workers.push(tokio::spawn(async move {
                let mut histogram =
                    hdrhistogram::Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)
                        .expect("histogram");
                loop {
                    let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if index >= bodies.len() as u64 {
                        break;
                    }
                    let sent = Instant::now();
                    let response = client
                        .post(&url)
                        .bearer_auth(&token)
                        .header("content-type", "application/json")
                        .body(bodies[index as usize].clone())
                        .send()
                        .await
                        .expect("request");
                    let status = response.status().as_u16();
                    let _ = response.bytes().await;
                    assert_eq!(status, 201, "request {index} answered {status}");
                    let micros = u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX);
                    histogram.record(micros.max(1)).expect("record");
                }
                histogram
            }));
        }
        let mut histogram =
            hdrhistogram::Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram");
        for worker in workers {
            histogram.add(worker.await.expect("worker")).expect("merge");
        }
        let elapsed = started.elapsed();
        let stored = node.store().count_incidents().await.expect("count");
        assert_eq!(stored, requests + concurrency, "every 201 must be stored");
        let _ = stop.send(());
        let _ = tokio::time::timeout(Duration::from_secs(10), server).await;
        node.close().await;
        let millis = |quantile: f64| histogram.value_at_quantile(quantile) as f64 / 1000.0;
        println!("submit_load: database {database}");
        println!(
            "  {requests} submissions, {concurrency} concurrent clients, {:.2} s: {:.0} submits/s",
            elapsed.as_secs_f64(),
            requests as f64 / elapsed.as_secs_f64()
        );
        println!(
            "  latency ms: p50 {:.2}  p90 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}",
            millis(0.50),
            millis(0.90),
            millis(0.99),
            millis(0.999),
            histogram.max() as f64 / 1000.0
        );
        println!("  stored and counted after the run: {stored}");
    });
}
