#![allow(clippy::unwrap_used)]
//! The node's transparency log: use cases log what they store, receipts verify against the
//! signed checkpoint, a restart recovers the same log, and entries never carry content.

use std::sync::Arc;

use redline_ledger::checkpoint::Checkpoint;
use redline_ledger::note::Note;
use redline_ledger::proof::verify_consistency;
use redline_ledger::receipt::TlogProof;
use redline_model::{PartyId, PartyKind};
use redline_node::log::{LogConfig, LogEntry, LogEntryKind, NodeLog};
use redline_node::{Caller, NewParty, Node, SystemClock};
use redline_store::{SqlStore, SqlStoreOptions};

const ORIGIN: &str = "test.redline.example/log";
const SEED: [u8; 32] = [7; 32];

async fn node_with_log(directory: &std::path::Path) -> Arc<Node> {
    let store =
        SqlStore::open_sqlite_file(&directory.join("db.sqlite"), SqlStoreOptions::default())
            .await
            .unwrap();
    let node = Node::new(Arc::new(store), Arc::new(SystemClock));
    node.attach_log(NodeLog::open(LogConfig::new(directory.join("log"), ORIGIN, SEED)).unwrap())
        .await
        .unwrap();
    node.load_norms().await.unwrap();
    Arc::new(node)
}

fn verify_receipt(node: &Node, receipt: &redline_node::log::LogReceipt) {
    let log = node.log().unwrap();
    let proof = TlogProof::parse(receipt.tlog_proof.as_bytes()).unwrap();
    proof
        .verify(receipt.entry.as_bytes(), ORIGIN, &[log.verifier()], &[], 0)
        .unwrap();
}

#[tokio::test]
async fn use_cases_are_logged_and_receipts_verify_across_a_restart() {
    let directory = tempfile::tempdir().unwrap();
    let node = node_with_log(directory.path()).await;
    for id in ["EE", "UA"] {
        node.add_party(
            &Caller::Operator,
            NewParty {
                id: PartyId::parse(id).unwrap(),
                kind: PartyKind::State,
                name: format!("State {id}"),
                languages: vec![],
                public_keys: vec![],
            },
        )
        .await
        .unwrap();
    }
    let report = std::fs::read("../../demo/incidents/01-estonia-2007.json").unwrap();
    let incident = node
        .submit_incident_json(&Caller::Operator, &report)
        .await
        .unwrap();
    // Use cases answer once their change and its entries are committed; the log catches up.
    node.settle_log().await.unwrap();
    let log = node.log().unwrap().clone();
    let leaves = log.leaves_of_subject(incident.id.as_str());
    assert_eq!(leaves.len(), 2, "submission and assessment: {leaves:?}");
    // The shipped baseline, which assessments name by its SHA-256, is logged when first stored.
    let baseline = node.list_norms_documents().await.unwrap()[0].sha256.clone();
    assert_eq!(log.leaves_of_subject(&baseline).len(), 1);
    let before = log.checkpoint().unwrap();
    assert!(before.tree_size >= 4, "{before:?}");

    let receipt = node
        .append_to_log(LogEntry::new(
            LogEntryKind::HotlineMessage,
            Some("EE".into()),
            "message--1",
            node.now(),
            b"secret amber message body",
        ))
        .await
        .unwrap();
    verify_receipt(&node, &receipt);
    assert!(!receipt.entry.contains("secret"), "{}", receipt.entry);
    let entry: serde_json::Value = serde_json::from_str(&receipt.entry).unwrap();
    assert_eq!(entry["kind"], "hotline-message");
    assert_eq!(entry["sha256"].as_str().unwrap().len(), 64);

    // Many concurrent appends share batches; each receipt verifies.
    let mut tasks = Vec::new();
    for number in 0..300 {
        let node = node.clone();
        tasks.push(tokio::spawn(async move {
            node.append_to_log(LogEntry::new(
                LogEntryKind::CommunicationCheck,
                None,
                format!("check--{number}"),
                node.now(),
                b"{}",
            ))
            .await
            .unwrap()
        }));
    }
    let mut receipts = Vec::new();
    for task in tasks {
        receipts.push(task.await.unwrap());
    }
    for receipt in &receipts {
        verify_receipt(&node, receipt);
    }
    let last = log.checkpoint().unwrap();
    node.close().await;
    drop(log);
    drop(node);

    // A restart recovers the same log, consistent with what was published before.
    let node = node_with_log(directory.path()).await;
    let log = node.log().unwrap().clone();
    let recovered = log.checkpoint().unwrap();
    assert_eq!(recovered, last);
    let (_, proof) = log.consistency_proof(before.tree_size, None).unwrap();
    verify_consistency(
        before.tree_size,
        last.tree_size,
        &proof,
        before.root_hash.as_ref(),
        last.root_hash.as_ref(),
    )
    .unwrap();
    assert_eq!(log.leaves_of_subject(incident.id.as_str()), leaves);
    assert_eq!(
        log.leaves_of_subject(&baseline).len(),
        1,
        "not logged again"
    );
    for receipt in &receipts {
        let text = log.receipt(receipt.leaf_index).unwrap();
        let proof = TlogProof::parse(text.as_bytes()).unwrap();
        proof
            .verify(receipt.entry.as_bytes(), ORIGIN, &[log.verifier()], &[], 0)
            .unwrap();
    }
    // A second writer on the same directory is refused.
    let error =
        NodeLog::open(LogConfig::new(directory.path().join("log"), ORIGIN, SEED)).unwrap_err();
    assert!(error.to_string().contains("held by another"), "{error}");
    node.close().await;
}

#[tokio::test]
async fn a_checkpoint_on_disk_that_is_not_ours_stops_the_writer() {
    let directory = tempfile::tempdir().unwrap();
    let node = node_with_log(directory.path()).await;
    node.append_to_log(LogEntry::new(
        LogEntryKind::CommunicationCheck,
        None,
        "a",
        node.now(),
        b"1",
    ))
    .await
    .unwrap();
    // Someone replaces the checkpoint behind the writer's back (another tree of the same size).
    let path = directory.path().join("log/checkpoint");
    let note = Note::parse(&std::fs::read(&path).unwrap()).unwrap();
    let checkpoint = Checkpoint::parse_body(note.text()).unwrap();
    let signer = redline_ledger::note::Ed25519NoteSigner::from_seed(ORIGIN, &SEED).unwrap();
    let forged = Checkpoint::new(ORIGIN, checkpoint.tree_size, redline_ledger::Hash([9; 32]))
        .sign(&signer)
        .unwrap();
    std::fs::write(&path, forged.to_text()).unwrap();
    let error = node
        .append_to_log(LogEntry::new(
            LogEntryKind::CommunicationCheck,
            None,
            "b",
            node.now(),
            b"2",
        ))
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("not the one this writer signed"),
        "{error}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), forged.to_text().into_bytes());
}

#[tokio::test]
async fn key_rotation_and_revocation_are_logged() {
    use base64::Engine;
    let directory = tempfile::tempdir().unwrap();
    let node = node_with_log(directory.path()).await;
    let public = |seed: u8| {
        base64::engine::general_purpose::STANDARD.encode(
            ed25519_dalek::SigningKey::from_bytes(&[seed; 32])
                .verifying_key()
                .as_bytes(),
        )
    };
    let estonia = PartyId::parse("EE").unwrap();
    node.add_party(
        &Caller::Operator,
        NewParty {
            id: estonia.clone(),
            kind: PartyKind::State,
            name: "Estonia".into(),
            languages: vec![],
            public_keys: vec![public(1)],
        },
    )
    .await
    .unwrap();
    let first_key = node.get_party(&estonia).await.unwrap().keys[0]
        .key_id
        .clone();
    let second = node
        .rotate_party_key(
            &Caller::Party(estonia.clone()),
            &estonia,
            &public(2),
            &first_key,
            "scheduled rotation",
        )
        .await
        .unwrap();
    node.revoke_party_key(&Caller::Operator, &estonia, &second.key_id, "device lost")
        .await
        .unwrap();

    node.settle_log().await.unwrap();
    let log = node.log().unwrap().clone();
    let leaves = log.leaves_of_subject("EE");
    for leaf in &leaves {
        let receipt = log.receipt(*leaf).unwrap();
        assert_eq!(
            TlogProof::parse(receipt.as_bytes()).unwrap().leaf_index,
            *leaf
        );
    }
    // The party (with its first key), the rotation's new key and its revocation of the
    // first, and the revocation of the second.
    assert_eq!(leaves.len(), 4, "{leaves:?}");
    let bundle_entries = redline_node_log_entries(&directory.path().join("log"));
    let revocations: Vec<&serde_json::Value> = bundle_entries
        .iter()
        .filter(|entry| entry["kind"] == "party-key-revoked")
        .collect();
    assert_eq!(revocations.len(), 2, "{bundle_entries:?}");
    assert!(revocations.iter().all(|entry| entry["subject"] == "EE"));
    node.close().await;
}

/// Every entry in the log's entry bundles, parsed.
fn redline_node_log_entries(directory: &std::path::Path) -> Vec<serde_json::Value> {
    use redline_ledger::storage::TileStorage as _;
    let storage = redline_store::FileTileStorage::open(directory).unwrap();
    let size = Checkpoint::parse_body(
        Note::parse(&storage.read_checkpoint().unwrap().unwrap())
            .unwrap()
            .text(),
    )
    .unwrap()
    .tree_size;
    let mut entries = Vec::new();
    for bundle in 0..size.div_ceil(256) {
        let width = (size - bundle * 256).min(256) as u16;
        let bytes = storage
            .read_tile(&redline_ledger::tiles::TileAddress::EntryBundle {
                index: bundle,
                width,
            })
            .unwrap()
            .unwrap();
        for entry in redline_ledger::tiles::parse_entry_bundle_of_width(&bytes, width).unwrap() {
            entries.push(serde_json::from_slice(entry).unwrap());
        }
    }
    entries
}

/// How many times each of `entries` is in the log under `directory`.
fn times_logged(directory: &std::path::Path, entries: &[&LogEntry]) -> Vec<usize> {
    let logged = redline_node_log_entries(&directory.join("log"));
    entries
        .iter()
        .map(|entry| {
            let expected = serde_json::to_value(entry).unwrap();
            logged.iter().filter(|logged| **logged == expected).count()
        })
        .collect()
}

#[tokio::test]
async fn entries_left_in_the_outbox_are_logged_once_at_the_next_start() {
    let directory = tempfile::tempdir().unwrap();
    let entry = |subject: &str| {
        LogEntry::new(
            LogEntryKind::CommunicationCheck,
            Some("EE".into()),
            subject,
            redline_model::Timestamp::from_microseconds(1_790_000_000_000_000).unwrap(),
            subject.as_bytes(),
        )
    };
    // `unlogged`: committed with its change, then the node died before the log took it.
    // `logged`: the log's checkpoint covered it, then the node died before its outbox row was
    // deleted.
    let (unlogged, logged) = (entry("check--unlogged"), entry("check--logged"));
    {
        let store = SqlStore::open_sqlite_file(
            &directory.path().join("db.sqlite"),
            SqlStoreOptions::default(),
        )
        .await
        .unwrap();
        let log =
            NodeLog::open(LogConfig::new(directory.path().join("log"), ORIGIN, SEED)).unwrap();
        log.append(logged.to_bytes().unwrap()).await.unwrap();
        drop(log);
        redline_store::LogOutboxStore::commit(
            &store,
            Vec::new(),
            vec![unlogged.to_text().unwrap(), logged.to_text().unwrap()],
        )
        .await
        .unwrap();
        redline_store::Store::close(&store).await;
    }
    assert_eq!(
        times_logged(directory.path(), &[&unlogged, &logged]),
        [0, 1]
    );

    // The start appends what the log lacks, skips what it has, and empties the outbox.
    let node = node_with_log(directory.path()).await;
    assert_eq!(
        times_logged(directory.path(), &[&unlogged, &logged]),
        [1, 1]
    );
    node.close().await;
    drop(node);
    let node = node_with_log(directory.path()).await;
    assert!(
        node.store()
            .pending_log_entries(0)
            .await
            .unwrap()
            .is_empty()
    );
    node.close().await;
    drop(node);
    assert_eq!(
        times_logged(directory.path(), &[&unlogged, &logged]),
        [1, 1]
    );
}

#[tokio::test]
async fn a_write_is_answered_before_the_log_takes_it_and_logged_once_it_settles() {
    let directory = tempfile::tempdir().unwrap();
    let node = node_with_log(directory.path()).await;
    let party = node
        .add_party(
            &Caller::Operator,
            NewParty {
                id: PartyId::parse("EE").unwrap(),
                kind: PartyKind::State,
                name: "Estonia".into(),
                languages: vec![],
                public_keys: vec![],
            },
        )
        .await
        .unwrap();
    node.settle_log().await.unwrap();
    let log = node.log().unwrap().clone();
    assert_eq!(log.leaves_of_subject("EE").len(), 1);
    // The outbox row goes once the entry is durable (with the next batch of writes, or at the
    // latest when the node closes).
    node.close().await;
    let store = SqlStore::open_sqlite_file(
        &directory.path().join("db.sqlite"),
        SqlStoreOptions::default(),
    )
    .await
    .unwrap();
    assert!(
        redline_store::LogOutboxStore::pending_log_entries(&store, 0)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(party.id.as_str(), "EE");
}
