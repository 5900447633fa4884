//! Load generator for the transparency log (numbers in BENCHMARKS.md).
//!
//! ```sh
//! log_bench generate FILE N          # N JSON entries, one per line (shared with pymerkle)
//! log_bench core FILE DIR            # ledger core: append all, publish tiles to DIR, one sync, signed checkpoint
//! log_bench writer DATA N TASKS      # durable appends through the node's batching writer, TASKS callers in flight
//! log_bench proofs DATA SAMPLES      # inclusion-proof latency (p50/p99) through NodeLog on DATA's log
//! ```
//! `DATA` is a node data directory: its `node-key.pem` signs, its `log/` is written, so
//! `redline serve --data DATA` serves the result.
//!
//! A measuring tool, not part of the node: its arguments and files are the benchmarker's own,
//! and any failure must stop the measurement at once, so it unwraps and panics with the place.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ed25519_dalek::pkcs8::DecodePrivateKey;
use redline_ledger::log::TiledLog;
use redline_ledger::note::Ed25519NoteSigner;
use redline_node::log::{LogConfig, NodeLog};
use redline_store::FileTileStorage;

const ORIGIN: &str = "redline.localhost/log";

fn json_entry(index: u64) -> String {
    format!(
        r#"{{"kind":"hotline-message","party":"state-{:03}","subject":"message--0192f3a4-7b1c-7d2e-9f00-{index:012x}","time":"2026-11-22T02:00:00Z","sha256":"{}"}}"#,
        index % 193,
        redline_ledger::hash::leaf_hash(&index.to_be_bytes()).to_hex()
    )
}

fn node_seed(data: &Path) -> [u8; 32] {
    let text = std::fs::read_to_string(data.join("node-key.pem")).unwrap();
    ed25519_dalek::SigningKey::from_pkcs8_pem(&text)
        .unwrap()
        .to_bytes()
}

fn main() {
    let arguments: Vec<String> = std::env::args().collect();
    match arguments.get(1).map(String::as_str) {
        Some("generate") => {
            let count: u64 = arguments[3].parse().unwrap();
            let mut file = std::io::BufWriter::new(std::fs::File::create(&arguments[2]).unwrap());
            for index in 0..count {
                writeln!(file, "{}", json_entry(index)).unwrap();
            }
        }
        Some("core") => {
            let file = std::io::BufReader::new(std::fs::File::open(&arguments[2]).unwrap());
            let entries: Vec<String> = file.lines().map(Result::unwrap).collect();
            let directory = Path::new(&arguments[3]);
            let _ = std::fs::remove_dir_all(directory);
            let signer = Ed25519NoteSigner::from_seed(ORIGIN, &[1; 32]).unwrap();
            let started = Instant::now();
            let mut storage = FileTileStorage::open(directory).unwrap();
            storage.set_batched(true);
            let mut log = TiledLog::new(ORIGIN);
            for entry in &entries {
                log.append(entry.as_bytes()).unwrap();
            }
            log.publish(&mut storage).unwrap();
            storage.sync().unwrap();
            let note = log.signed_checkpoint(&signer).unwrap();
            storage.write_checkpoint(note.to_text().as_bytes()).unwrap();
            let elapsed = started.elapsed();
            println!(
                "core: {} entries, tiles durable, in {:.1} ms ({:.0} entries/s); root {}",
                entries.len(),
                elapsed.as_secs_f64() * 1e3,
                entries.len() as f64 / elapsed.as_secs_f64(),
                log.checkpoint().root_hash.to_hex()
            );
        }
        Some("writer") => {
            let data = Path::new(&arguments[2]);
            let count: u64 = arguments[3].parse().unwrap();
            let tasks: u64 = arguments[4].parse().unwrap();
            let runtime = tokio::runtime::Runtime::new().unwrap();
            runtime.block_on(async {
                let mut config = LogConfig::new(data.join("log"), ORIGIN, node_seed(data));
                config.batch_interval = Duration::from_millis(2);
                let log = Arc::new(NodeLog::open(config).unwrap());
                let before = log.checkpoint().unwrap().tree_size;
                let started = Instant::now();
                let mut handles = Vec::new();
                for task in 0..tasks {
                    let log = log.clone();
                    handles.push(tokio::spawn(async move {
                        let mut index = task;
                        while index < count {
                            log.append(json_entry(before + index).into_bytes())
                                .await
                                .unwrap();
                            index += tasks;
                        }
                    }));
                }
                for handle in handles {
                    handle.await.unwrap();
                }
                let elapsed = started.elapsed();
                println!(
                    "writer: {count} durable appends ({tasks} in flight) in {:.2} s = {:.0} entries/s; size now {}",
                    elapsed.as_secs_f64(),
                    count as f64 / elapsed.as_secs_f64(),
                    log.checkpoint().unwrap().tree_size
                );
                log.close();
            });
        }
        Some("proofs") => {
            let data = Path::new(&arguments[2]);
            let samples: u64 = arguments[3].parse().unwrap();
            let started = Instant::now();
            let log =
                NodeLog::open(LogConfig::new(data.join("log"), ORIGIN, node_seed(data))).unwrap();
            let size = log.checkpoint().unwrap().tree_size;
            println!(
                "opened (recovered) a log of {size} entries in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            let mut histogram = hdrhistogram::Histogram::<u64>::new(3).unwrap();
            let mut state = 0x9e37_79b9_7f4a_7c15u64;
            for _ in 0..samples {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let leaf = state % size;
                let started = Instant::now();
                let proof = log.inclusion_proof(leaf, None).unwrap();
                histogram
                    .record(started.elapsed().as_nanos() as u64)
                    .unwrap();
                std::hint::black_box(proof);
            }
            println!(
                "inclusion proofs via NodeLog on {size} entries: p50 {:.2} µs, p99 {:.2} µs, p99.9 {:.2} µs, max {:.2} µs",
                histogram.value_at_quantile(0.5) as f64 / 1e3,
                histogram.value_at_quantile(0.99) as f64 / 1e3,
                histogram.value_at_quantile(0.999) as f64 / 1e3,
                histogram.max() as f64 / 1e3
            );
            log.close();
        }
        _ => eprintln!("usage: see the module documentation"),
    }
}
