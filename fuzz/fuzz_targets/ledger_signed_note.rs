//! Fuzz the signed-note, checkpoint, witness-request and key parsers of redline-ledger: any input must give a
//! value or a typed error, never a panic. A parsed note must serialise back to the same bytes,
//! and verifying it (with a log key and a witness key) must not panic either.

#![no_main]

use libfuzzer_sys::fuzz_target;
use redline_ledger::checkpoint::{Checkpoint, open_checkpoint};
use redline_ledger::cosignature::CosignatureSigner;
use redline_ledger::note::{Ed25519NoteSigner, Ed25519NoteVerifier, Note, NoteVerifier};

fuzz_target!(|data: &[u8]| {
    if let Ok(note) = Note::parse(data) {
        assert_eq!(
            note.to_text().as_bytes(),
            data,
            "a parsed note must serialise to its input"
        );
        let Ok(log_signer) = Ed25519NoteSigner::from_seed("example.com/log", &[1; 32]) else {
            return;
        };
        let Ok(witness) = CosignatureSigner::from_seed("example.com/witness", &[2; 32]) else {
            return;
        };
        let log_verifier = log_signer.verifier();
        let witness_verifier = witness.verifier();
        let verifiers: [&dyn NoteVerifier; 2] = [&log_verifier, &witness_verifier];
        let _ = note.verify(&verifiers);
        if let Ok(checkpoint) = Checkpoint::parse_body(note.text()) {
            assert_eq!(
                checkpoint.to_body(),
                note.text(),
                "a parsed checkpoint must serialise to its text"
            );
            for signature in note.signatures() {
                let _ = witness_verifier.verify_cosignature(note.text(), signature);
            }
        }
        let _ = open_checkpoint(data, "example.com/log", &[&log_verifier]);
    }
    if let Ok(request) = redline_ledger::witness::AddCheckpointRequest::parse(data) {
        assert_eq!(
            request.to_text().as_bytes(),
            data,
            "a parsed request must serialise to its input"
        );
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Checkpoint::parse_body(text);
        let _ = Checkpoint::parse_body_without_extensions(text);
        let _ = Ed25519NoteVerifier::from_vkey(text);
        let _ = Ed25519NoteSigner::from_go_signer_key(text);
        let _ = redline_ledger::cosignature::CosignatureVerifier::from_vkey(text);
    }
});
