//! Property tests: the tree against ct-merkle (an independent implementation) for random trees
//! up to 10,000 leaves, and parsers against arbitrary input.

use ct_merkle::mem_backed_tree::MemoryBackedTree;
use proptest::prelude::*;
use redline_ledger::hash::leaf_hash;
use redline_ledger::note::Note;
use redline_ledger::proof::{verify_consistency, verify_inclusion};
use redline_ledger::receipt::TlogProof;
use redline_ledger::tiles::{TileAddress, build_entry_bundle, parse_entry_bundle};
use redline_ledger::tree::MerkleTree;

type OracleTree = MemoryBackedTree<sha2::Sha256, Vec<u8>>;

fn entry(seed: u64, index: u64) -> Vec<u8> {
    format!("{{\"seed\":{seed},\"index\":{index}}}").into_bytes()
}

fn flatten(hashes: &[redline_ledger::Hash]) -> Vec<u8> {
    hashes.iter().flat_map(|hash| hash.0).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn a_truncated_tree_is_the_tree_it_was_at_that_size(
        tree_size in 1u64..=3_000,
        kept_fraction in 0.0f64..=1.0,
        seed in any::<u64>(),
    ) {
        let kept = (tree_size as f64 * kept_fraction) as u64;
        let mut grown = MerkleTree::new();
        let mut as_it_was = MerkleTree::new();
        for index in 0..tree_size {
            grown.append_entry(&entry(seed, index));
            if index < kept {
                as_it_was.append_entry(&entry(seed, index));
            }
        }
        grown.truncate(kept);
        prop_assert_eq!(grown.size(), kept);
        prop_assert_eq!(grown.root(), as_it_was.root());
        for height in 0..14 {
            prop_assert_eq!(grown.level(height), as_it_was.level(height));
        }
        // And it grows again as the other does.
        grown.append_entry(b"next");
        as_it_was.append_entry(b"next");
        prop_assert_eq!(grown.root(), as_it_was.root());
    }

    #[test]
    fn tree_matches_ct_merkle(
        tree_size in 1u64..=10_000,
        old_fraction in 0.0f64..=1.0,
        index_fraction in 0.0f64..1.0,
        seed in any::<u64>(),
    ) {
        let old_size = ((tree_size as f64 * old_fraction) as u64).clamp(1, tree_size);
        let leaf_index = ((tree_size as f64 * index_fraction) as u64).min(tree_size - 1);
        let mut tree = MerkleTree::new();
        let mut oracle = OracleTree::new();
        let mut old_oracle_root = None;
        for index in 0..tree_size {
            let value = entry(seed, index);
            tree.append_entry(&value);
            oracle.push(value);
            if index + 1 == old_size {
                old_oracle_root = Some(oracle.root());
            }
        }
        let old_oracle_root = old_oracle_root.unwrap();
        let new_oracle_root = oracle.root();
        prop_assert_eq!(tree.root().0.to_vec(), new_oracle_root.as_bytes().to_vec());
        prop_assert_eq!(tree.root_at(old_size).unwrap().0.to_vec(), old_oracle_root.as_bytes().to_vec());

        let proof = tree.inclusion_proof(leaf_index, tree_size).unwrap();
        let oracle_proof = oracle.prove_inclusion(leaf_index as usize);
        prop_assert_eq!(flatten(&proof), oracle_proof.as_bytes().to_vec());
        let value = entry(seed, leaf_index);
        prop_assert!(new_oracle_root.verify_inclusion(&value, leaf_index, &oracle_proof).is_ok());
        verify_inclusion(leaf_index, tree_size, leaf_hash(&value).as_ref(), &proof, tree.root().as_ref()).unwrap();
        if tree_size > 1 {
            prop_assert!(verify_inclusion(leaf_index, tree_size, leaf_hash(b"other").as_ref(), &proof, tree.root().as_ref()).is_err());
        }

        let consistency = tree.consistency_proof(old_size, tree_size).unwrap();
        let oracle_consistency = oracle.prove_consistency((tree_size - old_size) as usize);
        prop_assert_eq!(flatten(&consistency), oracle_consistency.as_bytes().to_vec());
        prop_assert!(new_oracle_root.verify_consistency(&old_oracle_root, &oracle_consistency).is_ok());
        let old_root = tree.root_at(old_size).unwrap();
        verify_consistency(old_size, tree_size, &consistency, old_root.as_ref(), tree.root().as_ref()).unwrap();
        if old_size < tree_size {
            prop_assert!(verify_consistency(old_size, tree_size, &consistency, tree.root().as_ref(), tree.root().as_ref()).is_err());
        }
    }

    #[test]
    fn every_proof_of_a_small_tree_verifies(tree_size in 1u64..=300, seed in any::<u64>()) {
        let tree = MerkleTree::from_leaf_hashes((0..tree_size).map(|index| leaf_hash(&entry(seed, index))));
        for size in 1..=tree_size {
            let root = tree.root_at(size).unwrap();
            let index = seed % size;
            let proof = tree.inclusion_proof(index, size).unwrap();
            verify_inclusion(index, size, tree.leaf_hash(index).unwrap().as_ref(), &proof, root.as_ref()).unwrap();
            let proof = tree.consistency_proof(size, tree_size).unwrap();
            verify_consistency(size, tree_size, &proof, root.as_ref(), tree.root().as_ref()).unwrap();
        }
    }

    #[test]
    fn tile_paths_round_trip(level in 0u8..=63, index in any::<u64>(), width in 1u16..=256) {
        let hashes = TileAddress::hashes(level, index, width).unwrap();
        prop_assert_eq!(TileAddress::parse_path(&hashes.path()).unwrap(), hashes);
        let bundle = TileAddress::entry_bundle(index, width).unwrap();
        prop_assert_eq!(TileAddress::parse_path(&bundle.path()).unwrap(), bundle);
    }

    #[test]
    fn entry_bundles_round_trip(entries in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 0..256)) {
        let bundle = build_entry_bundle(&entries).unwrap();
        let parsed = parse_entry_bundle(&bundle).unwrap();
        prop_assert_eq!(parsed, entries.iter().map(Vec::as_slice).collect::<Vec<_>>());
    }

    #[test]
    fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = Note::parse(&bytes);
        let _ = TlogProof::parse(&bytes);
        let _ = parse_entry_bundle(&bytes);
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let _ = TileAddress::parse_path(text);
            let _ = redline_ledger::checkpoint::Checkpoint::parse_body(text);
        }
    }
}

fn edge_u64() -> impl Strategy<Value = u64> {
    prop_oneof![
        any::<u64>(),
        0u64..40,
        (u64::MAX - 40)..=u64::MAX,
        ((1u64 << 63) - 20)..((1u64 << 63) + 20),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn verifiers_never_panic_on_any_sizes(
        index in edge_u64(),
        size in edge_u64(),
        start in edge_u64(),
        end in edge_u64(),
        proof_length in 0usize..70,
        root_length in prop_oneof![Just(32usize), 0usize..40],
    ) {
        use redline_ledger::proof::{verify_subtree_consistency, verify_subtree_inclusion};
        let proof = vec![[7u8; 32]; proof_length];
        let root = vec![9u8; root_length];
        let leaf = leaf_hash(b"leaf");
        let _ = verify_inclusion(index, size, leaf.as_ref(), &proof, &root);
        let _ = verify_consistency(index, size, &proof, &root, leaf.as_ref());
        let _ = verify_subtree_inclusion(index, start, end, leaf.as_ref(), &proof, &root);
        let _ = verify_subtree_consistency(start, end, size, &proof, &root, leaf.as_ref());
        let _ = verify_subtree_consistency(start, end, size, &proof, leaf.as_ref(), &root);
    }
}
