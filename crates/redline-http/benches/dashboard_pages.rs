#![allow(clippy::unwrap_used)]
//! Server time per dashboard page on a node with many incidents (10,000 by default; set
//! `DASHBOARD_BENCH_INCIDENTS`). The incidents are generated from the eight demo reports with
//! varied dates, labels (a quarter restricted), victims and suspected states, submitted through
//! the node (so each is assessed), on SQLite in a temporary directory. Then every page is
//! requested `DASHBOARD_BENCH_REQUESTS` times (default 50) over HTTP on 127.0.0.1, one at a
//! time, and the median and 95th percentile of the full request time are printed per page.
//!
//! cargo bench -p redline-http --bench dashboard_pages

use std::{path::Path, sync::Arc, time::Instant};

use redline_http::HttpConfig;
use redline_model::{PartyId, PartyKind};
use redline_node::{Caller, NewParty, Node, SystemClock};
use redline_store::{SqlStore, SqlStoreOptions};

const STATES: [&str; 10] = ["EE", "IR", "UA", "GB", "US", "RU", "KP", "FI", "FR", "CN"];
const LABELS: [&str; 4] = ["clear", "clear", "clear", "amber"];

fn environment_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let incidents = environment_number("DASHBOARD_BENCH_INCIDENTS", 10_000);
    let requests = environment_number("DASHBOARD_BENCH_REQUESTS", 50);
    let directory = tempfile::tempdir().unwrap();
    let store = SqlStore::open_sqlite_file(
        &directory.path().join("db.sqlite"),
        SqlStoreOptions::default(),
    )
    .await
    .unwrap();
    let node = Arc::new(Node::new(Arc::new(store), Arc::new(SystemClock)));
    node.load_norms().await.unwrap();
    for id in STATES {
        node.add_party(
            &Caller::Operator,
            NewParty {
                id: PartyId::parse(id).unwrap(),
                kind: PartyKind::State,
                name: format!("State {id}"),
                languages: vec!["en".into()],
                public_keys: vec![],
            },
        )
        .await
        .unwrap();
    }
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/incidents");
    let mut templates: Vec<serde_json::Value> = std::fs::read_dir(&demo)
        .unwrap()
        .map(|entry| {
            serde_json::from_slice(&std::fs::read(entry.unwrap().path()).unwrap()).unwrap()
        })
        .collect();
    templates.sort_by_key(|report: &serde_json::Value| {
        report["title"].as_str().unwrap_or("").to_string()
    });

    let started = Instant::now();
    let mut first_clear = None;
    for chunk_start in (0..incidents).step_by(256) {
        let mut batch = Vec::new();
        for index in chunk_start..(chunk_start + 256).min(incidents) {
            let mut report = templates[index % templates.len()].clone();
            let state = STATES[index % STATES.len()];
            report["reported_by"] = state.into();
            report["victim"] = state.into();
            report["tlp"] = LABELS[index % LABELS.len()].into();
            report["title"] = format!("{} #{index}", report["title"].as_str().unwrap_or("")).into();
            let year = 2015 + (index / 12) % 11;
            let month = 1 + index % 12;
            report["first_observed"] = format!("{year}-{month:02}-15T12:00:00Z").into();
            report.as_object_mut().unwrap().remove("last_observed");
            if let Some(origin) = report.get_mut("suspected_origin") {
                origin["state"] = STATES[(index * 7 + 3) % STATES.len()].into();
            }
            if let Some(targets) = report["targets"].as_array_mut() {
                for target in targets {
                    target["country"] = state.into();
                }
            }
            let node = node.clone();
            batch.push(async move {
                node.submit_incident_json(&Caller::Operator, report.to_string().as_bytes())
                    .await
            });
        }
        for result in futures::future::join_all(batch).await {
            let incident = result.unwrap();
            if first_clear.is_none() && incident.report.tlp == redline_model::Tlp::Clear {
                first_clear = Some(incident.id.to_string());
            }
        }
    }
    eprintln!(
        "seeded {incidents} incidents in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (_shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let config = HttpConfig {
        rate_limit_per_second: 0,
        ..HttpConfig::default()
    };
    tokio::spawn(redline_http::run(
        listener,
        node.clone(),
        config,
        async move {
            let _ = stopped.await;
        },
    ));
    let baseline = node.list_norms_documents().await.unwrap()[0].sha256.clone();
    let pages = [
        "/dashboard".to_string(),
        "/dashboard?lang=ar".to_string(),
        "/dashboard/incidents".to_string(),
        format!("/dashboard/incidents/{}", first_clear.unwrap()),
        "/dashboard/parties".to_string(),
        "/dashboard/parties/RU".to_string(),
        "/dashboard/norms".to_string(),
        format!("/dashboard/norms/{baseline}"),
        "/dashboard/verify".to_string(),
    ];
    let http = reqwest::Client::new();
    println!("| page | median ms | p95 ms | first request ms |");
    println!("| --- | ---: | ---: | ---: |");
    for page in pages {
        let mut times = Vec::with_capacity(requests);
        let mut first = 0.0;
        for attempt in 0..requests.max(1) {
            let started = Instant::now();
            let response = http.get(format!("{base}{page}")).send().await.unwrap();
            assert!(
                response.status().is_success(),
                "{page}: {}",
                response.status()
            );
            let _ = response.bytes().await.unwrap();
            let milliseconds = started.elapsed().as_secs_f64() * 1000.0;
            if attempt == 0 {
                first = milliseconds;
            }
            times.push(milliseconds);
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let median = times[times.len() / 2];
        let p95 = times[(times.len() * 95 / 100).min(times.len() - 1)];
        println!("| `{page}` | {median:.1} | {p95:.1} | {first:.1} |");
    }
    node.close().await;
}
