#![allow(clippy::unwrap_used)]
//! `redline log verify` with the real binary: it accepts an intact log and catches each kind
//! of tampering (a byte changed in a tile, in an entry bundle, in the checkpoint; an entry
//! dropped; a fork at the same size; a rolled-back checkpoint). And a crash test: `redline
//! serve` SIGKILLed during a burst of writes, restarted; every receipt handed out verifies
//! against the new checkpoint, which is consistent with every checkpoint published before.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use redline_ledger::note::Ed25519NoteSigner;
use redline_ledger::storage::TileStorage;
use redline_ledger::tiles::{TileAddress, parse_entry_bundle};
use redline_node::log::{LogConfig, LogEntry, LogEntryKind, NodeLog};

const ORIGIN: &str = "tamper.redline.example/log";
const SEED: [u8; 32] = [42; 32];

fn vkey() -> String {
    Ed25519NoteSigner::from_seed(ORIGIN, &SEED)
        .unwrap()
        .verifier()
        .to_vkey()
}

fn redline(arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_redline"))
        .args(arguments)
        .output()
        .unwrap()
}

fn verify(directory: &Path, extra: &[&str]) -> Output {
    let key = vkey();
    let mut arguments = vec!["log", "verify", directory.to_str().unwrap(), "--key", &key];
    arguments.extend_from_slice(extra);
    redline(&arguments)
}

fn assert_fails(output: &Output, expected: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert!(
        stderr.contains(expected),
        "expected {expected:?} in: {stderr}"
    );
}

/// A log of `count` entries written by the node's own log writer, with a label so two logs of
/// the same size can differ.
fn build_log(directory: &Path, count: u64, label: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let log = NodeLog::open(LogConfig::new(directory, ORIGIN, SEED)).unwrap();
        let mut entries = Vec::new();
        for number in 0..count {
            let entry = LogEntry::new(
                LogEntryKind::CommunicationCheck,
                Some("EE".into()),
                format!("check--{number}"),
                redline_model::Timestamp::parse("2026-11-22T05:00:00Z").unwrap(),
                format!("{label}-{number}").as_bytes(),
            );
            entries.push(entry.to_bytes().unwrap());
        }
        log.append_all(entries).await.unwrap();
        log.close();
    });
}

fn copy_directory(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_directory(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn flip_byte(path: &Path, position: usize) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[position] ^= 0x01;
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn verify_accepts_an_intact_log_and_catches_each_tampering() {
    let root = tempfile::tempdir().unwrap();
    let original = root.path().join("original");
    build_log(&original, 300, "a");
    let state = root.path().join("state.json");
    let state_argument = state.to_str().unwrap().to_owned();

    let output = verify(&original, &["--state", &state_argument]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("at size 300"));

    let tampered = |name: &str| {
        let directory = root.path().join(name);
        copy_directory(&original, &directory);
        directory
    };

    // A byte changed in a full hash tile.
    let directory = tampered("tile-byte");
    flip_byte(&directory.join("tile/0/000"), 100);
    assert_fails(&verify(&directory, &[]), "tile/0/000");

    // A byte changed in an entry bundle (inside an entry).
    let directory = tampered("bundle-byte");
    flip_byte(&directory.join("tile/entries/000"), 10);
    assert_fails(&verify(&directory, &[]), "tile/entries/000");

    // A byte changed in the checkpoint (the root hash line).
    let directory = tampered("checkpoint-byte");
    let checkpoint = std::fs::read_to_string(directory.join("checkpoint")).unwrap();
    let root_line_start = checkpoint.find("\n300\n").unwrap() + 5;
    let mut bytes = checkpoint.into_bytes();
    bytes[root_line_start + 3] = if bytes[root_line_start + 3] == b'A' {
        b'B'
    } else {
        b'A'
    };
    std::fs::write(directory.join("checkpoint"), bytes).unwrap();
    assert_fails(&verify(&directory, &[]), "signature");

    // An entry dropped from the last (partial) bundle.
    let directory = tampered("entry-dropped");
    let address = TileAddress::EntryBundle {
        index: 1,
        width: 44,
    };
    let path = directory.join(address.path());
    let bundle = std::fs::read(&path).unwrap();
    let entries = parse_entry_bundle(&bundle).unwrap();
    let mut without_one = Vec::new();
    for (position, entry) in entries.iter().enumerate() {
        if position != 7 {
            without_one.extend_from_slice(&(entry.len() as u16).to_be_bytes());
            without_one.extend_from_slice(entry);
        }
    }
    std::fs::write(&path, without_one).unwrap();
    assert_fails(&verify(&directory, &[]), "tile/entries/001.p/44");

    // A fork: another, validly signed tree of the same size.
    let directory = root.path().join("fork");
    build_log(&directory, 300, "b");
    let output = verify(&directory, &["--state", &state_argument]);
    assert_fails(&output, "fork");

    // A rollback: a validly signed, smaller checkpoint of the same entries.
    let directory = root.path().join("rollback");
    build_log(&directory, 200, "a");
    assert_fails(
        &verify(&directory, &["--state", &state_argument]),
        "rolled back",
    );

    // The intact log still verifies against the state, and a grown one is consistent with it.
    let output = verify(&original, &["--state", &state_argument]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    build_log(&original, 5, "c");
    let output = verify(&original, &["--state", &state_argument]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("at size 305"));
}

// ---------------------------------------------------------------------------------------------
// Crash test.

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn serve(data: &Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_redline"))
        .args(["--data", data.to_str().unwrap(), "serve", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .env("REDLINE_LOG", "warn")
        .env("REDLINE_RATE_LIMIT_PER_SECOND", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

async fn wait_until_healthy(http: &reqwest::Client, base: &str) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if let Ok(response) = http.get(format!("{base}/healthz")).send().await
            && response.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the node did not answer /healthz within 60 s");
}

#[derive(Debug, serde::Serialize)]
struct SeenCheckpoint {
    tree_size: u64,
    root_hash: String,
}

#[test]
fn a_node_killed_during_a_burst_restarts_consistent_with_every_receipt() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let data_argument = data.to_str().unwrap().to_owned();
    let added = redline(&[
        "--data",
        &data_argument,
        "party",
        "add",
        "--id",
        "EE",
        "--name",
        "Estonia",
        "--token",
    ]);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let token = String::from_utf8_lossy(&added.stdout)
        .lines()
        .find_map(|line| {
            line.strip_prefix("API token (shown once): ")
                .map(str::to_owned)
        })
        .unwrap();
    let key_output = redline(&["--data", &data_argument, "log", "key"]);
    let log_key = String::from_utf8_lossy(&key_output.stdout)
        .lines()
        .next()
        .unwrap()
        .to_owned();

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = serve(&data, port);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let report: serde_json::Value = serde_json::from_slice(
        &std::fs::read("../../demo/incidents/01-estonia-2007.json").unwrap(),
    )
    .unwrap();
    let (receipts, checkpoints, acknowledged) = runtime.block_on(async {
        let http = reqwest::Client::new();
        wait_until_healthy(&http, &base).await;
        let receipts = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let checkpoints = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        // Every incident the node answered 201 for, in the middle of the burst or not.
        let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let mut writers = Vec::new();
        for _ in 0..8 {
            let (http, base, token, report) =
                (http.clone(), base.clone(), token.clone(), report.clone());
            let (receipts, acknowledged) = (receipts.clone(), acknowledged.clone());
            writers.push(tokio::spawn(async move {
                loop {
                    let Ok(response) = http
                        .post(format!("{base}/api/v1/incidents"))
                        .bearer_auth(&token)
                        .json(&report)
                        .send()
                        .await
                    else {
                        return;
                    };
                    if response.status() != 201 {
                        return;
                    }
                    let Ok(incident) = response.json::<serde_json::Value>().await else {
                        return;
                    };
                    let id = incident["id"].as_str().unwrap().to_owned();
                    acknowledged.lock().unwrap().push(id.clone());
                    let Ok(response) = http
                        .get(format!("{base}/api/v1/log/inclusion?subject={id}"))
                        .send()
                        .await
                    else {
                        return;
                    };
                    let Ok(proofs) = response.json::<serde_json::Value>().await else {
                        return;
                    };
                    for proof in proofs["proofs"].as_array().unwrap() {
                        let leaf = proof["leaf_index"].as_u64().unwrap();
                        let Ok(response) = http
                            .get(format!("{base}/api/v1/log/receipts/{leaf}"))
                            .send()
                            .await
                        else {
                            return;
                        };
                        if let Ok(text) = response.text().await {
                            receipts.lock().unwrap().push(text);
                        }
                    }
                }
            }));
        }
        let watcher = {
            let (http, base, checkpoints) = (http.clone(), base.clone(), checkpoints.clone());
            tokio::spawn(async move {
                loop {
                    if let Ok(response) = http.get(format!("{base}/log/checkpoint")).send().await
                        && let Ok(text) = response.text().await
                    {
                        checkpoints.lock().unwrap().push(text);
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        };
        tokio::time::sleep(Duration::from_millis(2500)).await;
        // SIGKILL in the middle of the burst.
        child.kill().unwrap();
        child.wait().unwrap();
        for writer in writers {
            let _ = writer.await;
        }
        watcher.abort();
        let receipts = receipts.lock().unwrap().clone();
        let checkpoints = checkpoints.lock().unwrap().clone();
        let acknowledged = acknowledged.lock().unwrap().clone();
        (receipts, checkpoints, acknowledged)
    });
    assert!(receipts.len() > 20, "only {} receipts", receipts.len());

    // Every checkpoint published before the kill goes into the verifier's state.
    let mut seen = Vec::new();
    for text in &checkpoints {
        let note = redline_ledger::note::Note::parse(text.as_bytes()).unwrap();
        let checkpoint = redline_ledger::checkpoint::Checkpoint::parse_body(note.text()).unwrap();
        seen.push(SeenCheckpoint {
            tree_size: checkpoint.tree_size,
            root_hash: checkpoint.root_hash.to_base64(),
        });
    }
    seen.sort_by_key(|checkpoint| checkpoint.tree_size);
    seen.dedup_by_key(|checkpoint| checkpoint.tree_size);
    let state = root.path().join("state.json");
    std::fs::write(
        &state,
        serde_json::to_vec(&serde_json::json!({
            "origin": null, "key": log_key, "checkpoints": seen,
        }))
        .unwrap(),
    )
    .unwrap();
    let mut receipt_files: Vec<PathBuf> = Vec::new();
    for (position, receipt) in receipts.iter().enumerate() {
        let path = root.path().join(format!("receipt-{position}.txt"));
        std::fs::write(&path, receipt).unwrap();
        receipt_files.push(path);
    }

    // Restart on the same data; verify over HTTP with the real binary.
    let mut child = serve(&data, port);
    runtime.block_on(async {
        wait_until_healthy(&reqwest::Client::new(), &base).await;
    });
    let url = format!("{base}/log");
    let state_argument = state.to_str().unwrap().to_owned();
    let mut arguments = vec![
        "log",
        "verify",
        url.as_str(),
        "--state",
        state_argument.as_str(),
    ];
    for path in &receipt_files {
        arguments.push("--receipt");
        arguments.push(path.to_str().unwrap());
    }
    let output = redline(&arguments);
    // Every incident answered with 201 is in the log exactly once with its assessment: the
    // ones whose entries were still in the outbox at the kill were appended at the restart,
    // and none was appended twice.
    let entries_per_incident: Vec<(String, usize)> = runtime.block_on(async {
        let http = reqwest::Client::new();
        let mut counts = Vec::new();
        for id in &acknowledged {
            let proofs: serde_json::Value = http
                .get(format!("{base}/api/v1/log/inclusion?subject={id}"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            counts.push((id.clone(), proofs["proofs"].as_array().unwrap().len()));
        }
        counts
    });
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let _ = child.wait();
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    println!("{}", String::from_utf8_lossy(&output.stdout));
    assert!(
        acknowledged.len() > 20,
        "only {} acknowledged",
        acknowledged.len()
    );
    let wrong: Vec<&(String, usize)> = entries_per_incident
        .iter()
        .filter(|(_, entries)| *entries != 2)
        .collect();
    assert!(
        wrong.is_empty(),
        "acknowledged incidents without exactly their two log entries: {wrong:?}"
    );
}

#[test]
fn tile_storage_reads_back_what_the_node_wrote() {
    let root = tempfile::tempdir().unwrap();
    build_log(root.path(), 3, "x");
    let storage = redline_store::FileTileStorage::open(root.path()).unwrap();
    let bundle = storage
        .read_tile(&TileAddress::EntryBundle { index: 0, width: 3 })
        .unwrap()
        .unwrap();
    assert_eq!(parse_entry_bundle(&bundle).unwrap().len(), 3);
}
