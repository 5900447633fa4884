//! Fuzz the tlog-tiles and proof parsers of redline-ledger: tile paths, hash tiles, entry
//! bundles, tlog-proof receipts and the proof verifiers. Any input must give a value or a typed
//! error, never a panic; what parses must serialise back to the same bytes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use redline_ledger::hash::leaf_hash;
use redline_ledger::proof::{verify_consistency, verify_inclusion, verify_subtree_consistency};
use redline_ledger::receipt::TlogProof;
use redline_ledger::tiles::{TileAddress, build_entry_bundle, parse_entry_bundle, parse_hash_tile};

fn u64_at(data: &[u8], offset: usize) -> u64 {
    let mut bytes = [0u8; 8];
    for (position, byte) in bytes.iter_mut().enumerate() {
        *byte = data.get(offset + position).copied().unwrap_or(0);
    }
    u64::from_be_bytes(bytes)
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(address) = TileAddress::parse_path(text) {
            assert_eq!(address.path(), text, "a parsed tile path must be canonical");
        }
    }
    if let Ok(entries) = parse_entry_bundle(data) {
        if let Ok(rebuilt) = build_entry_bundle(&entries) {
            assert_eq!(
                rebuilt, data,
                "a parsed entry bundle must rebuild to its input"
            );
        }
    }
    let width = u16::from(data.first().copied().unwrap_or(0)) + 1;
    let _ = parse_hash_tile(data.get(1..).unwrap_or(&[]), width);
    if let Ok(receipt) = TlogProof::parse(data) {
        assert_eq!(
            receipt.to_text().as_bytes(),
            data,
            "a parsed receipt must serialise to its input"
        );
        let _ = receipt.verify(b"entry", "example.com/log", &[], &[], 0);
    }

    // Proof verifiers over sizes and hashes taken from the input.
    let (first, second, third) = (u64_at(data, 0), u64_at(data, 8), u64_at(data, 16));
    let hashes: Vec<&[u8]> = data.get(24..).unwrap_or(&[]).chunks(32).collect();
    let leaf = leaf_hash(data);
    let root = hashes.first().copied().unwrap_or(&[]);
    let _ = verify_inclusion(first, second, leaf.as_ref(), &hashes, root);
    let _ = verify_consistency(first, second, &hashes, root, leaf.as_ref());
    let _ = verify_subtree_consistency(first, second, third, &hashes, root, leaf.as_ref());
});
