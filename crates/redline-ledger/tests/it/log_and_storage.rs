//! The log writer over the fault-injecting memory storage: publishing, recovery after every
//! kind of failed write, storage audits, and receipts end to end.

use redline_ledger::checkpoint::Checkpoint;
use redline_ledger::cosignature::CosignatureSigner;
use redline_ledger::log::{RecoveryError, TiledLog, verify_storage};
use redline_ledger::note::{Ed25519NoteSigner, NoteSignature};
use redline_ledger::receipt::{ReceiptVerifyError, TlogProof};
use redline_ledger::storage::{MemoryTileStorage, TileStorage, WriteFault};
use redline_ledger::tiles::{TileAddress, tiles_to_publish};

const ORIGIN: &str = "redline.example/log";

fn entry(index: u64) -> Vec<u8> {
    format!(
        r#"{{"kind":"notification","party":"state-{}","index":{index}}}"#,
        index % 7
    )
    .into_bytes()
}

fn append_range(log: &mut TiledLog, start: u64, end: u64) {
    for index in start..end {
        assert_eq!(log.append(&entry(index)).unwrap(), index);
    }
}

/// The invariants checked after every step, as Sunlight's `CheckLog` does.
fn check_log(log: &TiledLog, storage: &MemoryTileStorage) {
    let checkpoint = log.checkpoint();
    verify_storage(storage, &checkpoint).unwrap();
    let recovered = TiledLog::recover(storage, &checkpoint).unwrap();
    assert_eq!(recovered.checkpoint(), checkpoint);
}

#[test]
fn publishing_in_batches_keeps_storage_consistent_across_tile_boundaries() {
    let mut log = TiledLog::new(ORIGIN);
    let mut storage = MemoryTileStorage::new();
    check_log(&log, &storage);
    let mut size = 0;
    for batch in [1u64, 2, 253, 1, 255, 256, 257, 3, 65_536 - 1_028, 1, 700] {
        append_range(&mut log, size, size + batch);
        size += batch;
        assert_eq!(log.publish(&mut storage).unwrap(), size);
        check_log(&log, &storage);
    }
    assert!(storage.tiles().contains_key(&TileAddress::Hashes {
        level: 2,
        index: 0,
        width: 1
    }));
}

#[test]
fn the_published_tiles_match_the_tree() {
    let mut log = TiledLog::new(ORIGIN);
    let mut storage = MemoryTileStorage::new();
    append_range(&mut log, 0, 70_000);
    log.publish(&mut storage).unwrap();
    // The spec's size-70,000 example: 273 full level-0 tiles and a partial of 112, one full
    // level-1 tile and a partial of 17, a level-2 partial of 1.
    let tiles = storage.tiles();
    assert!(tiles.contains_key(&TileAddress::Hashes {
        level: 0,
        index: 273,
        width: 112
    }));
    assert!(tiles.contains_key(&TileAddress::Hashes {
        level: 1,
        index: 0,
        width: 256
    }));
    assert!(tiles.contains_key(&TileAddress::Hashes {
        level: 1,
        index: 1,
        width: 17
    }));
    assert!(tiles.contains_key(&TileAddress::Hashes {
        level: 2,
        index: 0,
        width: 1
    }));
    assert!(tiles.contains_key(&TileAddress::EntryBundle {
        index: 273,
        width: 112
    }));
    check_log(&log, &storage);
}

#[test]
fn an_oversized_entry_is_refused_and_changes_nothing() {
    let mut log = TiledLog::new(ORIGIN);
    append_range(&mut log, 0, 3);
    let before = log.tree().root();
    assert!(log.append(&vec![0u8; 65_536]).is_err());
    assert_eq!(log.size(), 3);
    assert_eq!(log.tree().root(), before);
    assert_eq!(log.append(&vec![0u8; 65_535]).unwrap(), 3);
    let mut storage = MemoryTileStorage::new();
    log.publish(&mut storage).unwrap();
    check_log(&log, &storage);
}

#[test]
fn every_failed_write_of_a_publish_leaves_the_last_checkpoint_recoverable() {
    let faults = [
        WriteFault::FailWithoutPersisting,
        WriteFault::FailAfterPersisting,
        WriteFault::Torn { kept_bytes: 0 },
        WriteFault::Torn { kept_bytes: 33 },
    ];
    let (first_size, second_size) = (300u64, 1_100u64);
    let writes_in_second_publish = tiles_to_publish(first_size, second_size).len() as u64;
    for fault in faults {
        for failing_write in 1..=writes_in_second_publish {
            let mut log = TiledLog::new(ORIGIN);
            let mut storage = MemoryTileStorage::new();
            append_range(&mut log, 0, first_size);
            log.publish(&mut storage).unwrap();
            let old_checkpoint = log.checkpoint();

            append_range(&mut log, first_size, second_size);
            storage.plan_write_fault(storage.write_count() + failing_write, fault);
            assert!(
                log.publish(&mut storage).is_err(),
                "{fault:?} at write {failing_write}"
            );
            assert_eq!(log.published_size(), first_size);
            assert_eq!(log.checkpoint(), old_checkpoint);
            // A node killed now restarts from its last signed checkpoint.
            verify_storage(&storage, &old_checkpoint).unwrap();
            let mut recovered = TiledLog::recover(&storage, &old_checkpoint).unwrap();
            append_range(&mut recovered, first_size, second_size);
            recovered.publish(&mut storage).unwrap();
            check_log(&recovered, &storage);
            // The node that kept running simply retries.
            log.publish(&mut storage).unwrap();
            assert_eq!(log.checkpoint(), recovered.checkpoint());
        }
    }
}

#[test]
fn a_storage_that_silently_tears_a_write_is_caught_by_the_audit() {
    let mut log = TiledLog::new(ORIGIN);
    let mut storage = MemoryTileStorage::new();
    append_range(&mut log, 0, 600);
    storage.plan_write_fault(3, WriteFault::SilentlyTorn { kept_bytes: 100 });
    log.publish(&mut storage).unwrap();
    let checkpoint = log.checkpoint();
    assert!(matches!(
        verify_storage(&storage, &checkpoint),
        Err(RecoveryError::CorruptTile { .. })
    ));
}

#[test]
fn tampered_or_missing_tiles_are_refused_at_recovery() {
    let mut log = TiledLog::new(ORIGIN);
    let mut storage = MemoryTileStorage::new();
    append_range(&mut log, 0, 513);
    log.publish(&mut storage).unwrap();
    let checkpoint = log.checkpoint();

    let mut tampered = storage.clone();
    let address = TileAddress::Hashes {
        level: 0,
        index: 1,
        width: 256,
    };
    let mut bytes = tampered.read_tile(&address).unwrap().unwrap();
    bytes[5] ^= 1;
    tampered.tamper(address, bytes);
    assert!(matches!(
        TiledLog::recover(&tampered, &checkpoint),
        Err(RecoveryError::RootMismatch { .. })
    ));

    let mut tampered = storage.clone();
    let bundle = TileAddress::EntryBundle { index: 2, width: 1 };
    tampered.tamper(
        bundle,
        redline_ledger::tiles::build_entry_bundle(&[b"forged"]).unwrap(),
    );
    assert!(matches!(
        TiledLog::recover(&tampered, &checkpoint),
        Err(RecoveryError::EntryDoesNotMatchTile { .. })
    ));

    let mut missing = storage.clone();
    missing
        .delete_tile(&TileAddress::Hashes {
            level: 0,
            index: 0,
            width: 256,
        })
        .unwrap();
    assert!(matches!(
        TiledLog::recover(&missing, &checkpoint),
        Err(RecoveryError::MissingTile { .. })
    ));

    let mut down = storage.clone();
    down.set_reads_fail(true);
    assert!(matches!(
        TiledLog::recover(&down, &checkpoint),
        Err(RecoveryError::Storage(_))
    ));

    let wrong_root = Checkpoint {
        root_hash: redline_ledger::hash::leaf_hash(b"x"),
        ..checkpoint
    };
    assert!(TiledLog::recover(&storage, &wrong_root).is_err());
}

#[test]
fn receipts_round_trip_and_verify_with_witness_quorum() {
    let log_signer = Ed25519NoteSigner::from_seed(ORIGIN, &[1; 32]).unwrap();
    let witness_a = CosignatureSigner::from_seed("witness.example/a", &[2; 32]).unwrap();
    let witness_b = CosignatureSigner::from_seed("witness.example/b", &[3; 32]).unwrap();
    let mut log = TiledLog::new(ORIGIN);
    let mut storage = MemoryTileStorage::new();
    append_range(&mut log, 0, 1_000);
    log.publish(&mut storage).unwrap();

    let mut note = log.signed_checkpoint(&log_signer).unwrap();
    let body = note.text().to_owned();
    note.add_signature(witness_a.cosign(&body, 1_700_000_000).unwrap());
    let leaf_index = 777;
    let receipt = log.receipt(leaf_index, note.clone()).unwrap();
    assert_eq!(
        receipt,
        TlogProof::new(
            leaf_index,
            log.inclusion_proof(leaf_index, 1_000).unwrap(),
            note
        )
    );
    let text = receipt.to_text();
    let parsed = TlogProof::parse(text.as_bytes()).unwrap();
    assert_eq!(parsed, receipt);

    let log_verifier = log_signer.verifier();
    let (verifier_a, verifier_b) = (witness_a.verifier(), witness_b.verifier());
    let verified = parsed
        .verify(
            &entry(leaf_index),
            ORIGIN,
            &[&log_verifier],
            &[&verifier_a, &verifier_b],
            1,
        )
        .unwrap();
    assert_eq!(verified.cosigned_by, vec!["witness.example/a".to_owned()]);
    assert_eq!(verified.checkpoint.tree_size, 1_000);

    assert!(matches!(
        parsed.verify(
            &entry(leaf_index),
            ORIGIN,
            &[&log_verifier],
            &[&verifier_a, &verifier_b],
            2
        ),
        Err(ReceiptVerifyError::WitnessQuorumNotMet {
            valid_cosignatures: 1,
            required: 2
        })
    ));
    assert!(matches!(
        parsed.verify(&entry(leaf_index + 1), ORIGIN, &[&log_verifier], &[], 0),
        Err(ReceiptVerifyError::Inclusion { .. })
    ));
    assert!(
        parsed
            .verify(
                &entry(leaf_index),
                "other.example/log",
                &[&log_verifier],
                &[],
                0
            )
            .is_err()
    );

    // A cosignature from a known witness over another time fails the whole receipt.
    let mut forged = parsed.clone();
    let mut forged_line: NoteSignature = witness_a.cosign(&body, 1).unwrap();
    forged_line.signature[..8].copy_from_slice(&2u64.to_be_bytes());
    forged.checkpoint_note.add_signature(forged_line);
    assert!(
        forged
            .verify(
                &entry(leaf_index),
                ORIGIN,
                &[&log_verifier],
                &[&verifier_a],
                1
            )
            .is_err()
    );

    let mut with_extra = parsed;
    with_extra.extra = Some(b"application data".to_vec());
    assert_eq!(
        TlogProof::parse(with_extra.to_text().as_bytes()).unwrap(),
        with_extra
    );
}

#[test]
fn the_witness_cosigns_only_consistent_growth_from_the_size_it_last_cosigned() {
    use redline_ledger::witness::{AddCheckpointRequest, check_add_checkpoint};
    let log_signer = Ed25519NoteSigner::from_seed(ORIGIN, &[1; 32]).unwrap();
    let log_verifier = log_signer.verifier();
    let impostor = Ed25519NoteSigner::from_seed(ORIGIN, &[9; 32]).unwrap();
    let mut log = TiledLog::new(ORIGIN);
    let mut storage = MemoryTileStorage::new();
    let request = |log: &TiledLog, old_size: u64, signer: &Ed25519NoteSigner| {
        let consistency_proof = if old_size == 0 {
            Vec::new()
        } else {
            log.consistency_proof(old_size, log.published_size())
                .unwrap()
        };
        let request = AddCheckpointRequest {
            old_size,
            consistency_proof,
            checkpoint_note: log.signed_checkpoint(signer).unwrap(),
        };
        AddCheckpointRequest::parse(request.to_text().as_bytes()).unwrap()
    };
    let status =
        |result: Result<Checkpoint, redline_ledger::witness::WitnessRejection>| match result {
            Ok(_) => 200,
            Err(rejection) => rejection.http_status(),
        };

    append_range(&mut log, 0, 10);
    log.publish(&mut storage).unwrap();
    let first = check_add_checkpoint(
        &request(&log, 0, &log_signer),
        ORIGIN,
        &[&log_verifier],
        None,
    )
    .unwrap();
    assert_eq!(first.tree_size, 10);
    assert_eq!(
        status(check_add_checkpoint(
            &request(&log, 0, &impostor),
            ORIGIN,
            &[&log_verifier],
            None
        )),
        403
    );
    assert_eq!(
        status(check_add_checkpoint(
            &request(&log, 0, &log_signer),
            "other.example/log",
            &[&log_verifier],
            None
        )),
        404
    );

    append_range(&mut log, 10, 300);
    log.publish(&mut storage).unwrap();
    let grown = request(&log, 10, &log_signer);
    assert_eq!(
        status(check_add_checkpoint(
            &grown,
            ORIGIN,
            &[&log_verifier],
            Some(&first)
        )),
        200
    );
    assert_eq!(
        status(check_add_checkpoint(
            &request(&log, 5, &log_signer),
            ORIGIN,
            &[&log_verifier],
            Some(&first)
        )),
        409
    );
    let mut too_big = grown.clone();
    too_big.old_size = 301;
    assert_eq!(
        status(check_add_checkpoint(
            &too_big,
            ORIGIN,
            &[&log_verifier],
            Some(&first)
        )),
        400
    );
    let mut bad_proof = grown;
    bad_proof.consistency_proof[0] = redline_ledger::hash::leaf_hash(b"forged");
    assert_eq!(
        status(check_add_checkpoint(
            &bad_proof,
            ORIGIN,
            &[&log_verifier],
            Some(&first)
        )),
        422
    );
}

#[test]
fn nothing_is_proved_or_receipted_before_it_is_published() {
    let log_signer = Ed25519NoteSigner::from_seed(ORIGIN, &[1; 32]).unwrap();
    let mut log = TiledLog::new(ORIGIN);
    let mut storage = MemoryTileStorage::new();
    append_range(&mut log, 0, 10);
    log.publish(&mut storage).unwrap();
    let published_note = log.signed_checkpoint(&log_signer).unwrap();
    append_range(&mut log, 10, 20);
    assert!(log.inclusion_proof(12, 20).is_err());
    assert!(log.consistency_proof(10, 20).is_err());
    assert!(log.receipt(12, published_note.clone()).is_err());
    assert!(log.receipt(3, published_note).is_ok());

    let other_log = Checkpoint::new("other.example/log", 10, log.tree().root_at(10).unwrap());
    assert!(
        log.receipt(3, other_log.sign(&log_signer).unwrap())
            .is_err()
    );
    let wrong_root = Checkpoint::new(ORIGIN, 10, log.tree().root_at(9).unwrap());
    assert!(
        log.receipt(3, wrong_root.sign(&log_signer).unwrap())
            .is_err()
    );
}

/// A follower (another process reading the tiles one writer publishes) keeps up checkpoint by
/// checkpoint, across tile boundaries, and answers the writer's proofs; a checkpoint the tiles
/// do not give, or an older one, is refused.
#[test]
fn a_follower_keeps_up_with_the_writer_and_refuses_what_the_tiles_do_not_give() {
    let mut writer = TiledLog::new(ORIGIN);
    let mut storage = MemoryTileStorage::new();
    append_range(&mut writer, 0, 3);
    writer.publish(&mut storage).unwrap();
    let mut follower = TiledLog::recover(&storage, &writer.checkpoint()).unwrap();
    let mut size = 3;
    for batch in [1u64, 252, 1, 300, 256, 5] {
        append_range(&mut writer, size, size + batch);
        size += batch;
        writer.publish(&mut storage).unwrap();
        follower.follow(&storage, &writer.checkpoint()).unwrap();
        assert_eq!(follower.checkpoint(), writer.checkpoint());
        assert_eq!(
            follower.inclusion_proof(size / 2, size).unwrap(),
            writer.inclusion_proof(size / 2, size).unwrap()
        );
        assert_eq!(
            follower.consistency_proof(3, size).unwrap(),
            writer.consistency_proof(3, size).unwrap()
        );
    }
    // Following the same checkpoint again changes nothing.
    follower.follow(&storage, &writer.checkpoint()).unwrap();
    assert_eq!(follower.checkpoint(), writer.checkpoint());

    // A checkpoint whose root the tiles do not give (a second history) is refused.
    let mut other = TiledLog::recover(&storage, &writer.checkpoint()).unwrap();
    append_range(&mut writer, size, size + 10);
    writer.publish(&mut storage).unwrap();
    let mut forked = writer.checkpoint();
    forked.root_hash = redline_ledger::hash::leaf_hash(b"another history");
    assert!(matches!(
        other.follow(&storage, &forked),
        Err(RecoveryError::RootMismatch { .. })
    ));
    // The refusal left the follower as it was: it follows the true checkpoint next.
    other.follow(&storage, &writer.checkpoint()).unwrap();
    assert_eq!(other.checkpoint(), writer.checkpoint());

    // A leaf tile that gives another root (a writer that lost the lead overwrote it) is
    // refused, and takes nothing in: once the tile is right again, the same follower follows.
    let mut behind = TiledLog::recover(&storage, &writer.checkpoint()).unwrap();
    append_range(&mut writer, size + 10, size + 20);
    writer.publish(&mut storage).unwrap();
    let newest = writer.checkpoint();
    let last_tile = TileAddress::Hashes {
        level: 0,
        index: (newest.tree_size - 1) / 256,
        width: ((newest.tree_size - 1) % 256 + 1) as u16,
    };
    let true_tile = storage.read_tile(&last_tile).unwrap().unwrap();
    let mut wrong_tile = true_tile.clone();
    let last_byte = wrong_tile.len() - 1;
    wrong_tile[last_byte] ^= 1;
    storage.write_tile(&last_tile, &wrong_tile).unwrap();
    assert!(matches!(
        behind.follow(&storage, &newest),
        Err(RecoveryError::RootMismatch { .. })
    ));
    storage.write_tile(&last_tile, &true_tile).unwrap();
    behind.follow(&storage, &newest).unwrap();
    assert_eq!(behind.checkpoint(), newest);
    // And so is going back.
    let mut ahead = TiledLog::recover(&storage, &writer.checkpoint()).unwrap();
    let mut older = writer.checkpoint();
    older.tree_size -= 1;
    assert!(matches!(
        ahead.follow(&storage, &older),
        Err(RecoveryError::RootMismatch { .. })
    ));
}
