#![allow(clippy::unwrap_used)]
//! The transparency log over real HTTP: the tlog-tiles read path with cache headers, proofs by
//! index and by subject, receipts, and witnessing between two nodes (one cosigns the other's
//! checkpoints through `POST /log/add-checkpoint`; k of n).

use std::collections::HashMap;
use std::sync::Arc;

use redline_http::HttpConfig;
use redline_ledger::checkpoint::Checkpoint;
use redline_ledger::cosignature::CosignatureSigner;
use redline_ledger::hash::leaf_hash;
use redline_ledger::note::{Ed25519NoteVerifier, Note, NoteVerifier};
use redline_ledger::proof::verify_inclusion;
use redline_ledger::receipt::TlogProof;
use redline_ledger::witness::AddCheckpointRequest;
use redline_node::log::{LogConfig, LogEntry, LogEntryKind, NodeLog};
use redline_node::log_witness::{ConfiguredWitness, WitnessConfig, WitnessedLog};
use redline_node::{Node, SystemClock};
use redline_store::{SqlStore, SqlStoreOptions};

struct Running {
    base: String,
    node: Arc<Node>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

async fn node(directory: &std::path::Path, origin: &str, seed: u8) -> Arc<Node> {
    std::fs::create_dir_all(directory).unwrap();
    let store =
        SqlStore::open_sqlite_file(&directory.join("db.sqlite"), SqlStoreOptions::default())
            .await
            .unwrap();
    let node = Node::new(Arc::new(store), Arc::new(SystemClock));
    node.attach_log(
        NodeLog::open(LogConfig::new(directory.join("log"), origin, [seed; 32])).unwrap(),
    )
    .await
    .unwrap();
    Arc::new(node)
}

async fn serve(node: Arc<Node>) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
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
    Running {
        base,
        node,
        _shutdown: shutdown,
    }
}

async fn append(node: &Node, count: usize) {
    for number in 0..count {
        node.append_to_log(LogEntry::new(
            LogEntryKind::CommunicationCheck,
            Some("EE".into()),
            format!("check--{}", number % 7),
            node.now(),
            format!("{number}").as_bytes(),
        ))
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn tiles_checkpoint_key_and_proofs_are_served() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let directory = tempfile::tempdir().unwrap();
    let running = serve(node(directory.path(), "a.example/log", 1).await).await;
    let log = running.node.log().unwrap().clone();
    let entries: Vec<Vec<u8>> = (0..300)
        .map(|number| {
            LogEntry::new(
                LogEntryKind::HotlineMessage,
                None,
                format!("m-{number}"),
                running.node.now(),
                b"x",
            )
            .to_bytes()
            .unwrap()
        })
        .collect();
    log.append_all(entries.clone()).await.unwrap();
    let http = reqwest::Client::new();

    let key = http
        .get(format!("{}/log/key", running.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let verifier = Ed25519NoteVerifier::from_vkey(key.trim()).unwrap();
    let checkpoint_text = http
        .get(format!("{}/log/checkpoint", running.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let note = Note::parse(checkpoint_text.as_bytes()).unwrap();
    note.verify(&[&verifier as &dyn NoteVerifier]).unwrap();
    let checkpoint = Checkpoint::parse_body(note.text()).unwrap();
    assert_eq!(checkpoint.tree_size, 300);

    let full = http
        .get(format!("{}/log/tile/0/000", running.base))
        .send()
        .await
        .unwrap();
    assert_eq!(full.status(), 200);
    assert!(
        full.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert_eq!(full.bytes().await.unwrap().len(), 256 * 32);
    let partial = http
        .get(format!("{}/log/tile/entries/001.p/44", running.base))
        .send()
        .await
        .unwrap();
    assert_eq!(partial.status(), 200);
    assert!(
        !partial.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    // Beyond the checkpoint, or not a tile path: 404.
    for path in [
        "tile/0/001",
        "tile/entries/001.p/45",
        "tile/0/x/1",
        "tile/entries/abc",
    ] {
        let response = http
            .get(format!("{}/log/{path}", running.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{path}");
    }

    let answer: serde_json::Value = http
        .get(format!("{}/api/v1/log/inclusion?index=257", running.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let proof: Vec<redline_ledger::Hash> = answer["proofs"][0]["inclusion_proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hash| redline_ledger::Hash::from_base64(hash.as_str().unwrap()).unwrap())
        .collect();
    verify_inclusion(
        257,
        300,
        leaf_hash(&entries[257]).as_ref(),
        &proof,
        checkpoint.root_hash.as_ref(),
    )
    .unwrap();
    let by_subject: serde_json::Value = http
        .get(format!(
            "{}/api/v1/log/inclusion?subject=m-12",
            running.base
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(by_subject["proofs"][0]["leaf_index"], 12);
    let bad = http
        .get(format!("{}/api/v1/log/inclusion?index=300", running.base))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let bad = http
        .get(format!("{}/api/v1/log/inclusion", running.base))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let consistency = http
        .get(format!(
            "{}/api/v1/log/consistency?old_size=100",
            running.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(consistency.status(), 200);
    let receipt = http
        .get(format!("{}/api/v1/log/receipts/299", running.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    TlogProof::parse(receipt.as_bytes())
        .unwrap()
        .verify(&entries[299], "a.example/log", &[&verifier], &[], 0)
        .unwrap();
    let openapi: serde_json::Value = http
        .get(format!("{}/api/openapi.json", running.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(openapi["paths"]["/api/v1/log/inclusion"].is_object());
}

#[tokio::test]
async fn a_node_witnesses_another_and_the_log_collects_a_quorum() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let directory = tempfile::tempdir().unwrap();
    let log_node = node(&directory.path().join("log-node"), "b.example/log", 2).await;
    let witness_node = node(&directory.path().join("witness-node"), "w.example/log", 3).await;
    let log_verifier = log_node.log().unwrap().verifier().clone();
    let cosigner = CosignatureSigner::from_seed("w.example/witness", &[4; 32]).unwrap();
    witness_node
        .attach_witness(WitnessConfig {
            directory: directory.path().join("witness-node/witness"),
            cosigner: cosigner.clone(),
            witnessed_logs: vec![WitnessedLog {
                verifier: log_verifier.clone(),
            }],
            own_witnesses: vec![],
            quorum: 0,
        })
        .unwrap();
    let witness = serve(witness_node.clone()).await;
    log_node
        .attach_witness(WitnessConfig {
            directory: directory.path().join("log-node/witness"),
            cosigner: CosignatureSigner::from_seed("b.example/witness", &[5; 32]).unwrap(),
            witnessed_logs: vec![],
            own_witnesses: vec![ConfiguredWitness {
                url: format!("{}/log", witness.base),
                verifier: cosigner.verifier(),
            }],
            quorum: 1,
        })
        .unwrap();
    let http = reqwest::Client::new();
    let mut old_sizes = HashMap::new();
    append(&log_node, 10).await;
    assert_eq!(
        log_node
            .collect_cosignatures(&http, &mut old_sizes)
            .await
            .unwrap(),
        (1, true)
    );
    append(&log_node, 10).await;
    assert_eq!(
        log_node
            .collect_cosignatures(&http, &mut old_sizes)
            .await
            .unwrap(),
        (1, true)
    );
    let note = log_node.log().unwrap().checkpoint_note();
    let verification = note
        .verify(&[&log_verifier as &dyn NoteVerifier, &cosigner.verifier()])
        .unwrap();
    assert_eq!(
        verification.verified.len(),
        2,
        "log signature and cosignature"
    );

    // A stale old size gets 409 with the size the witness knows; a forged tree gets 422.
    let log = log_node.log().unwrap();
    let stale = AddCheckpointRequest {
        old_size: 10,
        consistency_proof: log.consistency_proof(10, None).unwrap().1,
        checkpoint_note: note.clone(),
    };
    let response = http
        .post(format!("{}/log/add-checkpoint", witness.base))
        .body(stale.to_text())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 409);
    assert_eq!(response.text().await.unwrap().trim(), "20");
    let signer =
        redline_ledger::note::Ed25519NoteSigner::from_seed("b.example/log", &[2; 32]).unwrap();
    let forged = Checkpoint::new("b.example/log", 21, redline_ledger::Hash([1; 32]))
        .sign(&signer)
        .unwrap();
    let forged_request = AddCheckpointRequest {
        old_size: 20,
        consistency_proof: vec![redline_ledger::Hash([2; 32])],
        checkpoint_note: forged,
    };
    let response = http
        .post(format!("{}/log/add-checkpoint", witness.base))
        .body(forged_request.to_text())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let unknown = http
        .post(format!("{}/log/add-checkpoint", witness.base))
        .body("old 0\n\nnobody.example/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— nobody.example/log AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n")
        .send()
        .await
        .unwrap();
    assert!(
        matches!(unknown.status().as_u16(), 400 | 404),
        "{}",
        unknown.status()
    );
}
