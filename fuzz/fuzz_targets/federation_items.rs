//! Fuzz what a node reads from its peers: relay items and party statements
//! (`redline_hotline::federation`), and gossiped checkpoints (`redline_ledger::split_view`).
//! Any input must give a value or a typed refusal, never a panic; nothing the fuzzer writes may
//! open as signed by a node key it does not hold, nor count as split-view evidence.

#![no_main]

use ed25519_dalek::SigningKey;
use libfuzzer_sys::fuzz_target;
use redline_hotline::federation::{claimed_relay_sender, open_party_statement, open_relay_item};
use redline_ledger::note::Ed25519NoteSigner;
use redline_ledger::split_view::compare_seen_checkpoints;

fuzz_target!(|data: &[u8]| {
    let node_key = SigningKey::from_bytes(&[3; 32]).verifying_key();
    let _ = claimed_relay_sender(data);
    assert!(open_relay_item(data, "north.example/log", &node_key, "south.example/log").is_err());
    assert!(open_party_statement(data, "north.example/log", &node_key).is_err());
    if let (Ok(text), Ok(signer)) = (
        std::str::from_utf8(data),
        Ed25519NoteSigner::from_seed("north.example/log", &[3; 32]),
    ) {
        let verifier = signer.verifier();
        let (first, second) = text.split_at(text.len() / 2);
        assert!(!matches!(
            compare_seen_checkpoints(&verifier, first, second),
            Ok(Some(_))
        ));
    }
});
