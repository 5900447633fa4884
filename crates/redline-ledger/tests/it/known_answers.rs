//! Known-answer tests over every vector in `testdata/tlog/`. Each test walks its folder, so a
//! vector added there becomes a test case.

use redline_ledger::checkpoint::{Checkpoint, open_checkpoint};
use redline_ledger::cosignature::{CosignatureSigner, CosignatureVerifier, cosigned_message};
use redline_ledger::hash::{EMPTY_TREE_HASH, Hash, leaf_hash, node_hash_of_bytes};
use redline_ledger::note::{Ed25519NoteSigner, Ed25519NoteVerifier, Note, NoteVerifier};
use redline_ledger::proof::{
    verify_consistency, verify_inclusion, verify_subtree_consistency, verify_subtree_inclusion,
};
use redline_ledger::tiles::{
    TileAddress, encode_tile_index, entry_bundle_for_leaf, node_to_tile,
    parse_entry_bundle_of_width, parse_hash_tile, parse_level_and_index, tile_inventory,
};
use redline_ledger::tree::MerkleTree;
use redline_ledger::witness::AddCheckpointRequest;

use crate::support::*;

fn file_name(path: &std::path::Path) -> String {
    path.strip_prefix(testdata_directory())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn merkle_inclusion_vectors() {
    let files = json_files_below("merkle/inclusion");
    let mut failures = Vec::new();
    for path in &files {
        let vector = read_json_file(path);
        let result = verify_inclusion(
            u64_field(&vector, "leafIdx"),
            u64_field(&vector, "treeSize"),
            &base64_field(&vector, "leafHash"),
            &base64_list(&vector, "proof"),
            &base64_field(&vector, "root"),
        );
        if result.is_err() != vector["wantErr"].as_bool().unwrap() {
            failures.push(format!("{}: got {result:?}", file_name(path)));
        }
    }
    assert_no_failures(&failures, files.len());
}

#[test]
fn merkle_consistency_vectors() {
    let files = json_files_below("merkle/consistency");
    let mut failures = Vec::new();
    for path in &files {
        let vector = read_json_file(path);
        let result = verify_consistency(
            u64_field(&vector, "size1"),
            u64_field(&vector, "size2"),
            &base64_list(&vector, "proof"),
            &base64_field(&vector, "root1"),
            &base64_field(&vector, "root2"),
        );
        if result.is_err() != vector["wantErr"].as_bool().unwrap() {
            failures.push(format!("{}: got {result:?}", file_name(path)));
        }
    }
    assert_no_failures(&failures, files.len());
}

#[test]
fn merkle_subtree_inclusion_vectors() {
    let files = json_files_below("merkle/subtreeinclusion");
    let mut failures = Vec::new();
    for path in &files {
        let vector = read_json_file(path);
        let result = verify_subtree_inclusion(
            u64_field(&vector, "leafIdx"),
            u64_field(&vector, "start"),
            u64_field(&vector, "end"),
            &base64_field(&vector, "leafHash"),
            &base64_list(&vector, "proof"),
            &base64_field(&vector, "root"),
        );
        if result.is_err() != vector["wantErr"].as_bool().unwrap() {
            failures.push(format!("{}: got {result:?}", file_name(path)));
        }
    }
    assert_no_failures(&failures, files.len());
}

#[test]
fn merkle_subtree_consistency_vectors() {
    let files = json_files_below("merkle/subtreeconsistency");
    let mut failures = Vec::new();
    for path in &files {
        let vector = read_json_file(path);
        let result = verify_subtree_consistency(
            u64_field(&vector, "start"),
            u64_field(&vector, "end"),
            u64_field(&vector, "size"),
            &base64_list(&vector, "proof"),
            &base64_field(&vector, "root1"),
            &base64_field(&vector, "root2"),
        );
        if result.is_err() != vector["wantErr"].as_bool().unwrap() {
            failures.push(format!("{}: got {result:?}", file_name(path)));
        }
    }
    assert_no_failures(&failures, files.len());
}

fn reference_tree() -> (serde_json::Value, MerkleTree) {
    let vectors = read_json("rfc6962/reference-tree.json");
    let mut tree = MerkleTree::new();
    for leaf in hex_list(&vectors["leaves"]) {
        tree.append_entry(&leaf);
    }
    (vectors, tree)
}

fn hashes_from_hex(value: &serde_json::Value) -> Vec<Hash> {
    hex_list(value)
        .iter()
        .map(|bytes| Hash::from_slice(bytes).unwrap())
        .collect()
}

#[test]
fn rfc6962_reference_tree_roots_nodes_and_proofs_are_generated_exactly() {
    let (vectors, tree) = reference_tree();
    for root in vectors["roots"].as_array().unwrap() {
        let size = u64_field(root, "tree_size");
        assert_eq!(
            tree.root_at(size).unwrap().to_hex(),
            str_field(root, "root"),
            "root at size {size}"
        );
    }
    for (height, level) in vectors["node_hashes"]["levels"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        assert_eq!(
            tree.level(height as u32),
            hashes_from_hex(level).as_slice(),
            "level {height}"
        );
    }
    for case in vectors["inclusion_proofs"].as_array().unwrap() {
        let (index, size) = (u64_field(case, "leaf_index"), u64_field(case, "tree_size"));
        let proof = tree.inclusion_proof(index, size).unwrap();
        assert_eq!(
            proof,
            hashes_from_hex(&case["proof"]),
            "inclusion of {index} in {size}"
        );
        let leaf = tree.leaf_hash(index).unwrap();
        verify_inclusion(
            index,
            size,
            leaf.as_ref(),
            &proof,
            tree.root_at(size).unwrap().as_ref(),
        )
        .unwrap();
    }
    for case in vectors["consistency_proofs"].as_array().unwrap() {
        let (old_size, new_size) = (u64_field(case, "size1"), u64_field(case, "size2"));
        let proof = tree.consistency_proof(old_size, new_size).unwrap();
        assert_eq!(
            proof,
            hashes_from_hex(&case["proof"]),
            "consistency {old_size} -> {new_size}"
        );
        let (old_root, new_root) = (
            tree.root_at(old_size).unwrap(),
            tree.root_at(new_size).unwrap(),
        );
        verify_consistency(
            old_size,
            new_size,
            &proof,
            old_root.as_ref(),
            new_root.as_ref(),
        )
        .unwrap();
    }
    for case in vectors["subtree_consistency_proofs"]["cases"]
        .as_array()
        .unwrap()
    {
        let (start, end, size) = (
            u64_field(case, "start"),
            u64_field(case, "end"),
            u64_field(case, "size"),
        );
        assert_eq!(start, 0);
        let expected = hashes_from_hex(&case["proof"]);
        if end < size {
            assert_eq!(
                tree.consistency_proof(end, size).unwrap(),
                expected,
                "subtree [0, {end}) in {size}"
            );
        }
        let (subtree_root, root) = (tree.root_at(end).unwrap(), tree.root_at(size).unwrap());
        verify_subtree_consistency(
            start,
            end,
            size,
            &expected,
            subtree_root.as_ref(),
            root.as_ref(),
        )
        .unwrap();
    }
}

#[test]
fn rfc6962_hasher_vectors() {
    let vectors = read_json("rfc6962/hasher.json");
    for case in vectors["cases"].as_array().unwrap() {
        let computed = match str_field(case, "op") {
            "empty_root" => EMPTY_TREE_HASH,
            "leaf" => leaf_hash(&hex::decode(str_field(case, "input")).unwrap()),
            "node" => node_hash_of_bytes(
                &hex::decode(str_field(case, "left")).unwrap(),
                &hex::decode(str_field(case, "right")).unwrap(),
            ),
            other => panic!("unknown op {other}"),
        };
        assert_eq!(
            computed.to_hex(),
            str_field(case, "expected"),
            "{}",
            str_field(case, "name")
        );
    }
    assert_eq!(MerkleTree::new().root(), EMPTY_TREE_HASH);
}

#[test]
fn ct_argon2020_real_log_proofs_verify() {
    let vectors = read_json("ct-argon2020/vectors.json");
    let sth = read_json("ct-argon2020/get-sth.json");
    let tree_size = u64_field(&vectors, "tree_size");
    let root = base64_field(&vectors, "root");
    assert_eq!(u64_field(&sth, "tree_size"), tree_size);
    assert_eq!(base64_field(&sth, "sha256_root_hash"), root);

    let inclusion = &vectors["inclusion"];
    let entries = read_json(&format!(
        "ct-argon2020/{}",
        str_field(inclusion, "entry_file")
    ));
    let leaf_input = base64_field(&entries["entries"][0], "leaf_input");
    let leaf = leaf_hash(&leaf_input);
    assert_eq!(
        leaf.as_ref(),
        base64_field(inclusion, "leaf_hash").as_slice()
    );
    let proof_file = read_json(&format!(
        "ct-argon2020/{}",
        str_field(inclusion, "proof_file")
    ));
    let leaf_index = u64_field(inclusion, "leaf_index");
    assert_eq!(u64_field(&proof_file, "leaf_index"), leaf_index);
    let audit_path = base64_list(&proof_file, "audit_path");
    verify_inclusion(leaf_index, tree_size, leaf.as_ref(), &audit_path, &root).unwrap();
    assert!(
        verify_inclusion(leaf_index + 1, tree_size, leaf.as_ref(), &audit_path, &root).is_err()
    );

    let consistency = &vectors["consistency"];
    let proof_file = read_json(&format!(
        "ct-argon2020/{}",
        str_field(consistency, "proof_file")
    ));
    let proof = base64_list(&proof_file, "consistency");
    let (old_size, new_size) = (
        u64_field(consistency, "old_size"),
        u64_field(consistency, "new_size"),
    );
    let (old_root, new_root) = (
        base64_field(consistency, "old_root"),
        base64_field(consistency, "new_root"),
    );
    verify_consistency(old_size, new_size, &proof, &old_root, &new_root).unwrap();
    assert!(verify_consistency(old_size - 1, new_size, &proof, &old_root, &new_root).is_err());
}

#[test]
fn c2sp_signed_note_examples() {
    let vectors = read_json("signed-note/c2sp-spec-examples.json");
    for case in vectors["signed_note_verify"].as_array().unwrap() {
        let verifier = Ed25519NoteVerifier::from_vkey(str_field(case, "vkey")).unwrap();
        assert_eq!(hex::encode(verifier.key_id()), str_field(case, "key_id"));
        assert_eq!(verifier.to_vkey(), str_field(case, "vkey"));
        let note = Note::parse(str_field(case, "note").as_bytes()).unwrap();
        assert_eq!(note.text(), str_field(case, "text"));
        note.verify(&[&verifier]).unwrap();
        assert_eq!(note.to_text(), str_field(case, "note"));
    }
    for case in vectors["signed_note_parse"].as_array().unwrap() {
        let note = Note::parse(str_field(case, "note").as_bytes()).unwrap();
        assert_eq!(note.text(), str_field(case, "expected_text"));
        check_signature_summaries(&note, &case["expected_signatures"]);
    }
    for case in vectors["checkpoint_parse"].as_array().unwrap() {
        let note = Note::parse(str_field(case, "note").as_bytes()).unwrap();
        let checkpoint = Checkpoint::parse_body(note.text()).unwrap();
        check_checkpoint(&checkpoint, &case["expected"]);
        check_signature_summaries(&note, &case["expected_signatures"]);
    }
    for case in vectors["cosignature"].as_array().unwrap() {
        let note = Note::parse(str_field(case, "note").as_bytes()).unwrap();
        let line = &case["cosignature_line"];
        let signature = note
            .signatures()
            .iter()
            .find(|signature| signature.key_name == str_field(line, "key_name"))
            .unwrap();
        assert_eq!(
            4 + signature.signature.len(),
            u64_field(line, "payload_length") as usize
        );
        assert_eq!(hex::encode(signature.key_id), str_field(line, "key_id"));
        let timestamp = u64::from_be_bytes(signature.signature[..8].try_into().unwrap());
        assert_eq!(timestamp, u64_field(line, "timestamp"));
        assert_eq!(
            hex::encode(&signature.signature[8..]),
            str_field(line, "signature_hex")
        );
        assert_eq!(
            cosigned_message(note.text(), timestamp),
            str_field(case, "signed_message").as_bytes()
        );
    }
    for case in vectors["witness_add_checkpoint_parse"].as_array().unwrap() {
        let body = str_field(case, "body");
        let request = AddCheckpointRequest::parse(body.as_bytes()).unwrap();
        assert_eq!(request.to_text(), body);
        let expected = &case["expected"];
        assert_eq!(request.old_size, u64_field(expected, "old_size"));
        let expected_proof: Vec<String> = expected["consistency_proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(|hash| hash.as_str().unwrap().to_owned())
            .collect();
        let proof: Vec<String> = request
            .consistency_proof
            .iter()
            .map(Hash::to_base64)
            .collect();
        assert_eq!(proof, expected_proof);
        let note = &request.checkpoint_note;
        let checkpoint = Checkpoint::parse_body(note.text()).unwrap();
        assert_eq!(checkpoint.origin, str_field(expected, "checkpoint_origin"));
        assert_eq!(
            checkpoint.tree_size,
            u64_field(expected, "checkpoint_tree_size")
        );
        assert_eq!(
            note.signatures().len() as u64,
            u64_field(expected, "checkpoint_signature_count")
        );
    }
}

fn check_signature_summaries(note: &Note, expected: &serde_json::Value) {
    let expected = expected.as_array().unwrap();
    assert_eq!(note.signatures().len(), expected.len());
    for (signature, expected) in note.signatures().iter().zip(expected) {
        assert_eq!(signature.key_name, str_field(expected, "key_name"));
        assert_eq!(hex::encode(signature.key_id), str_field(expected, "key_id"));
        assert_eq!(
            signature.signature.len() as u64,
            u64_field(expected, "signature_length")
        );
    }
}

fn check_checkpoint(checkpoint: &Checkpoint, expected: &serde_json::Value) {
    assert_eq!(checkpoint.origin, str_field(expected, "origin"));
    assert_eq!(checkpoint.tree_size, u64_field(expected, "tree_size"));
    assert_eq!(
        checkpoint.root_hash.to_base64(),
        str_field(expected, "root_hash")
    );
    let extension_lines: Vec<String> = match &expected["extension_lines"] {
        serde_json::Value::Array(lines) => lines
            .iter()
            .map(|line| line.as_str().unwrap().to_owned())
            .collect(),
        _ => Vec::new(),
    };
    assert_eq!(checkpoint.extension_lines, extension_lines);
}

#[test]
fn go_sumdb_note_vectors() {
    let vectors = read_json("signed-note/go-sumdb-note.json");
    let mut verifiers = std::collections::BTreeMap::new();
    for key in vectors["keys"].as_array().unwrap() {
        let vkey = str_field(key, "vkey");
        let verifier = Ed25519NoteVerifier::from_vkey(vkey).unwrap();
        assert_eq!(verifier.to_vkey(), vkey);
        assert_eq!(hex::encode(verifier.key_id()), str_field(key, "key_id"));
        assert_eq!(
            hex::encode(verifier.verifying_key().as_bytes()),
            str_field(key, "public_key_hex")
        );
        let signer = Ed25519NoteSigner::from_go_signer_key(str_field(key, "skey")).unwrap();
        assert_eq!(signer.verifier(), verifier);
        let seed: [u8; 32] = hex::decode(str_field(key, "seed_hex"))
            .unwrap()
            .try_into()
            .unwrap();
        assert_eq!(
            Ed25519NoteSigner::from_seed(str_field(key, "key_name"), &seed)
                .unwrap()
                .verifier(),
            verifier
        );
        // Every proper prefix and suffix, and every one-byte increment, must be rejected.
        for cut in 1..vkey.len() {
            if vkey.is_char_boundary(cut) {
                assert!(
                    Ed25519NoteVerifier::from_vkey(&vkey[..cut]).is_err(),
                    "prefix {}",
                    &vkey[..cut]
                );
                assert!(
                    Ed25519NoteVerifier::from_vkey(&vkey[cut..]).is_err(),
                    "suffix {}",
                    &vkey[cut..]
                );
            }
        }
        for position in 0..vkey.len() {
            let mut mangled = vkey.as_bytes().to_vec();
            mangled[position] = mangled[position].wrapping_add(1);
            if let Ok(mangled) = String::from_utf8(mangled) {
                assert!(
                    Ed25519NoteVerifier::from_vkey(&mangled).is_err(),
                    "mangled {mangled}"
                );
            }
        }
        verifiers.insert(str_field(key, "key_name").to_owned(), verifier);
    }
    for case in vectors["sign"].as_array().unwrap() {
        let signer = Ed25519NoteSigner::from_go_signer_key(str_field(case, "skey")).unwrap();
        let mut note = match case["existing_note"].as_str() {
            Some(existing) => Note::parse(existing.as_bytes()).unwrap(),
            None => Note::new(str_field(case, "text")).unwrap(),
        };
        note.sign(&signer);
        assert_eq!(
            note.to_text(),
            str_field(case, "expected_note"),
            "{}",
            str_field(case, "name")
        );
    }
    let mut failures = Vec::new();
    let cases = vectors["open"].as_array().unwrap();
    for case in cases {
        let name = str_field(case, "name");
        let bytes = base64_field(case, "note_base64");
        let trusted: Vec<&dyn NoteVerifier> = case["verifier_keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|key_name| &verifiers[key_name.as_str().unwrap()] as &dyn NoteVerifier)
            .collect();
        let parsed = Note::parse(&bytes);
        match (str_field(case, "expect"), &parsed) {
            ("malformed", Err(_)) => {}
            ("malformed", Ok(_)) => failures.push(format!("{name}: parsed a malformed note")),
            (_, Err(error)) => failures.push(format!("{name}: did not parse: {error}")),
            ("error", Ok(note)) => {
                if note.verify(&trusted).is_ok() {
                    failures.push(format!("{name}: verified, expected an error"));
                }
            }
            ("valid", Ok(note)) => match note.verify(&trusted) {
                Err(error) => failures.push(format!("{name}: {error}")),
                Ok(verification) => {
                    assert_eq!(note.text(), str_field(case, "expected_text"));
                    let summary = |signatures: &[redline_ledger::note::NoteSignature]| {
                        signatures
                            .iter()
                            .map(|signature| {
                                (signature.key_name.clone(), hex::encode(signature.key_id))
                            })
                            .collect::<Vec<_>>()
                    };
                    let expected = |field: &str| {
                        case[field]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|item| {
                                (
                                    str_field(item, "key_name").to_owned(),
                                    str_field(item, "key_id").to_owned(),
                                )
                            })
                            .collect::<Vec<_>>()
                    };
                    assert_eq!(
                        summary(&verification.verified),
                        expected("verified"),
                        "{name}"
                    );
                    assert_eq!(
                        summary(&verification.unverified),
                        expected("unverified"),
                        "{name}"
                    );
                }
            },
            (other, _) => failures.push(format!("{name}: unknown expectation {other}")),
        }
    }
    assert_no_failures(&failures, cases.len());
    for case in vectors["invalid_vkeys"].as_array().unwrap() {
        assert!(
            Ed25519NoteVerifier::from_vkey(str_field(case, "vkey")).is_err(),
            "{}",
            str_field(case, "reason")
        );
    }
}

#[test]
fn sigsum_checkpoints_and_cosignatures() {
    let vectors = read_json("sigsum/checkpoints-cosignatures.json");
    let checkpoints = vectors["checkpoints"].as_array().unwrap();

    let signed = &checkpoints[0];
    let seed: [u8; 32] = hex::decode(str_field(signed, "signer_seed_hex"))
        .unwrap()
        .try_into()
        .unwrap();
    let signer = Ed25519NoteSigner::from_seed(str_field(signed, "key_name"), &seed).unwrap();
    let note_text = str_field(signed, "note");
    let opened = open_checkpoint(
        note_text.as_bytes(),
        str_field(signed, "key_name"),
        &[&signer.verifier()],
    )
    .unwrap();
    assert_eq!(
        opened.checkpoint.sign(&signer).unwrap().to_text(),
        note_text
    );

    let golang = &checkpoints[1];
    let verifier = Ed25519NoteVerifier::from_vkey(str_field(golang, "vkey")).unwrap();
    let opened = open_checkpoint(
        str_field(golang, "note").as_bytes(),
        "go.sum database tree",
        &[&verifier],
    )
    .unwrap();
    check_checkpoint(&opened.checkpoint, &golang["expected"]);

    let bare = &checkpoints[2];
    let public_key: [u8; 32] = hex::decode(str_field(bare, "public_key_hex"))
        .unwrap()
        .try_into()
        .unwrap();
    let verifying_key = ed25519_dalek::VerifyingKey::from_bytes(&public_key).unwrap();
    let body = str_field(bare, "body");
    let checkpoint = Checkpoint::parse_body(body).unwrap();
    let signature = hex::decode(str_field(bare, "signature_hex")).unwrap();
    let verifier = Ed25519NoteVerifier::new(&checkpoint.origin, verifying_key).unwrap();
    assert!(verifier.verify(checkpoint.to_body().as_bytes(), &signature));
    let mutated = Checkpoint {
        tree_size: checkpoint.tree_size + 1,
        ..checkpoint
    };
    assert!(!verifier.verify(mutated.to_body().as_bytes(), &signature));

    for case in vectors["cosignatures"].as_array().unwrap() {
        let body = str_field(case, "checkpoint_body");
        let timestamp = u64_field(case, "timestamp");
        assert_eq!(
            cosigned_message(body, timestamp),
            str_field(case, "signed_message").as_bytes()
        );
        let Some(expected_line) = case["expected_line"].as_str() else {
            continue;
        };
        let seed: [u8; 32] = hex::decode(str_field(case, "cosigner_seed_hex"))
            .unwrap()
            .try_into()
            .unwrap();
        let cosigner =
            CosignatureSigner::from_seed(str_field(case, "cosigner_name"), &seed).unwrap();
        let line = cosigner.cosign(body, timestamp).unwrap();
        assert_eq!(line.to_line(), format!("{expected_line}\n"));
        let witness: CosignatureVerifier = cosigner.verifier();
        assert_eq!(witness.verify_cosignature(body, &line).unwrap(), timestamp);
        assert_eq!(
            CosignatureVerifier::from_vkey(&witness.to_vkey()).unwrap(),
            witness
        );
        // Lines for other keys are ignored by note verification; a bad one for this key fails.
        let log_signer = Ed25519NoteSigner::from_seed("example.org/log", &[7; 32]).unwrap();
        for bad in case["lines_to_ignore_or_reject"].as_array().unwrap() {
            let bad_line = str_field(bad, "line");
            let why = str_field(bad, "why");
            let mut note = Note::new(body).unwrap();
            note.sign(&log_signer);
            let note_text = format!("{}{bad_line}\n", note.to_text());
            let parsed = Note::parse(note_text.as_bytes());
            let outcome = parsed
                .as_ref()
                .map(|note| note.verify(&[&log_signer.verifier(), &witness]));
            let must_fail = why.contains("must fail") || why.contains("wrong length");
            match outcome {
                Err(_) => assert!(must_fail, "{why}: did not parse"),
                Ok(Err(_)) => assert!(must_fail, "{why}: rejected"),
                Ok(Ok(verification)) => {
                    assert!(!must_fail, "{why}: accepted");
                    assert_eq!(verification.verified.len(), 1, "{why}");
                }
            }
        }
    }
}

#[test]
fn checkpoint_text_vectors() {
    let vectors = read_json("checkpoint/checkpoint-text.json");
    for case in vectors["format"].as_array().unwrap() {
        let mut checkpoint = Checkpoint::new(
            str_field(case, "origin"),
            u64_field(case, "tree_size"),
            Hash::from_base64(str_field(case, "root_hash")).unwrap(),
        );
        if let Some(lines) = case["extension_lines"].as_array() {
            checkpoint.extension_lines = lines
                .iter()
                .map(|line| line.as_str().unwrap().to_owned())
                .collect();
        }
        assert_eq!(
            checkpoint.to_body(),
            str_field(case, "expected_text"),
            "{}",
            str_field(case, "name")
        );
    }
    for case in vectors["valid"].as_array().unwrap() {
        let text = str_field(case, "text");
        let checkpoint = Checkpoint::parse_body(text).unwrap();
        check_checkpoint(&checkpoint, &case["expected"]);
        assert_eq!(checkpoint.to_body(), text);
        let strict = Checkpoint::parse_body_without_extensions(text);
        assert_eq!(
            strict.is_err(),
            case["has_extension_lines"].as_bool().unwrap(),
            "{}",
            str_field(case, "name")
        );
    }
    for case in vectors["invalid"].as_array().unwrap() {
        assert!(
            Checkpoint::parse_body(str_field(case, "text")).is_err(),
            "{}",
            str_field(case, "name")
        );
    }
    let trailing =
        "example.com/origin\n123\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n\nHello world";
    assert!(Checkpoint::parse_body(trailing).is_err());
}

#[test]
fn tlog_tiles_path_vectors() {
    let vectors = read_json("tlog-tiles/paths.json");
    let width = |case: &serde_json::Value| match u64_field(case, "partial_width") {
        0 => 256,
        width => width as u16,
    };
    for case in vectors["index_encoding"].as_array().unwrap() {
        assert_eq!(
            encode_tile_index(u64_field(case, "n")),
            str_field(case, "encoded")
        );
    }
    for case in vectors["tile_paths"].as_array().unwrap() {
        let address = TileAddress::hashes(
            u64_field(case, "level") as u8,
            u64_field(case, "index"),
            width(case),
        )
        .unwrap();
        assert_eq!(address.path(), str_field(case, "path"));
        assert_eq!(
            TileAddress::parse_path(str_field(case, "path")).unwrap(),
            address
        );
    }
    for case in vectors["entry_bundle_paths"].as_array().unwrap() {
        let address = TileAddress::entry_bundle(u64_field(case, "index"), width(case)).unwrap();
        assert_eq!(address.path(), str_field(case, "path"));
        assert_eq!(
            TileAddress::parse_path(str_field(case, "path")).unwrap(),
            address
        );
    }
    for case in vectors["entry_bundle_for_leaf"]["cases"]
        .as_array()
        .unwrap()
    {
        let address =
            entry_bundle_for_leaf(u64_field(case, "leaf_index"), u64_field(case, "tree_size"))
                .unwrap();
        assert_eq!(address.path(), str_field(case, "path"));
    }
    for case in vectors["parse_tile_level_and_index"]["cases"]
        .as_array()
        .unwrap()
    {
        let parsed = parse_level_and_index(str_field(case, "level"), str_field(case, "index"));
        match &case["expected"] {
            serde_json::Value::String(error) if error == "error" => {
                assert!(parsed.is_err(), "{case}: parsed as {parsed:?}");
            }
            expected => {
                let expected_width = match u64_field(expected, "partial_width") {
                    0 => 256,
                    width => width as u16,
                };
                assert_eq!(
                    parsed.unwrap(),
                    (
                        u64_field(expected, "level") as u8,
                        u64_field(expected, "index"),
                        expected_width
                    ),
                    "{case}"
                );
            }
        }
    }
    for case in vectors["node_to_tile"]["cases"].as_array().unwrap() {
        let node = node_to_tile(
            u64_field(case, "tree_level") as u32,
            u64_field(case, "tree_index"),
        );
        assert_eq!(
            (
                node.tile_level as u64,
                node.tile_index,
                node.node_level as u64,
                node.node_index
            ),
            (
                u64_field(case, "tile_level"),
                u64_field(case, "tile_index"),
                u64_field(case, "node_level"),
                u64_field(case, "node_index")
            ),
            "{case}"
        );
    }
    for case in vectors["tiles_for_tree_size"]["cases"].as_array().unwrap() {
        let inventory = tile_inventory(u64_field(case, "tree_size"));
        let expected = case["levels"].as_array().unwrap();
        assert_eq!(inventory.len(), expected.len());
        for (level, expected) in inventory.iter().zip(expected) {
            assert_eq!(u64::from(level.level), u64_field(expected, "level"));
            assert_eq!(level.full_tiles, u64_field(expected, "full_tiles"));
            assert_eq!(
                u64::from(level.partial_width),
                u64_field(expected, "partial_width")
            );
        }
    }
}

#[test]
fn tessera_log_checkpoints_tiles_and_bundles() {
    let key = read_json("tessera/log-key.json");
    let origin = str_field(&key, "origin");
    let verifier = Ed25519NoteVerifier::from_vkey(str_field(&key, "vkey")).unwrap();
    let signer = Ed25519NoteSigner::from_go_signer_key(str_field(&key, "skey")).unwrap();
    assert_eq!(signer.verifier(), verifier);
    let entries: Vec<String> = key["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry.as_str().unwrap().to_owned())
        .collect();
    let log_directory = testdata_directory().join("tessera/log");

    // Every checkpoint file, found by listing the folder.
    let mut checkpoint_files: Vec<_> = std::fs::read_dir(&log_directory)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .collect();
    checkpoint_files.sort();
    assert!(checkpoint_files.len() >= 16);
    let mut tree = MerkleTree::new();
    let mut roots = vec![tree.root()];
    for entry in &entries {
        tree.append_entry(entry.as_bytes());
        roots.push(tree.root());
    }
    let mut opened_checkpoints = Vec::new();
    for path in &checkpoint_files {
        let bytes = std::fs::read(path).unwrap();
        let opened = open_checkpoint(&bytes, origin, &[&verifier]).unwrap();
        let size = opened.checkpoint.tree_size;
        assert_eq!(
            opened.checkpoint.root_hash,
            roots[size as usize],
            "{}",
            path.display()
        );
        assert_eq!(
            opened
                .checkpoint
                .sign(&signer)
                .unwrap()
                .to_text()
                .as_bytes(),
            bytes.as_slice()
        );
        opened_checkpoints.push(opened.checkpoint);
    }
    for old in &opened_checkpoints {
        for new in &opened_checkpoints {
            if old.tree_size == 0 || old.tree_size > new.tree_size {
                continue;
            }
            let proof = tree
                .consistency_proof(old.tree_size, new.tree_size)
                .unwrap();
            verify_consistency(
                old.tree_size,
                new.tree_size,
                &proof,
                old.root_hash.as_ref(),
                new.root_hash.as_ref(),
            )
            .unwrap();
        }
    }

    // Every tile and bundle, found by listing the folders.
    for kind in ["0", "entries"] {
        let directory = log_directory.join("tile").join(kind).join("000.p");
        let mut count = 0;
        for file in std::fs::read_dir(&directory).unwrap() {
            let path = file.unwrap().path();
            let relative = path
                .strip_prefix(&log_directory)
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            let address = TileAddress::parse_path(&relative).unwrap();
            assert_eq!(address.path(), relative);
            let bytes = std::fs::read(&path).unwrap();
            let width = address.width();
            match address {
                TileAddress::Hashes {
                    level: 0, index: 0, ..
                } => {
                    assert_eq!(
                        parse_hash_tile(&bytes, width).unwrap(),
                        tree.hash_tile(0, 0, width).unwrap()
                    );
                }
                TileAddress::EntryBundle { index: 0, .. } => {
                    let bundle = parse_entry_bundle_of_width(&bytes, width).unwrap();
                    let expected: Vec<&[u8]> = entries[..usize::from(width)]
                        .iter()
                        .map(|entry| entry.as_bytes())
                        .collect();
                    assert_eq!(bundle, expected);
                }
                other => panic!("unexpected resource {other}"),
            }
            count += 1;
        }
        assert_eq!(count, entries.len(), "{kind}");
    }
}

/// Fails when a vector file appears where no test above looks, so none is silently skipped.
#[test]
fn every_vector_file_is_read_by_a_test() {
    const WALKED_FOLDERS: &[&str] = &["merkle/", "tessera/log/", "LICENSES/"];
    const READ_FILES: &[&str] = &[
        "README.md",
        "rfc6962/reference-tree.json",
        "rfc6962/hasher.json",
        "ct-argon2020/vectors.json",
        "ct-argon2020/get-sth.json",
        "ct-argon2020/get-entries-10000.json",
        "ct-argon2020/get-proof-by-hash-10000.json",
        "ct-argon2020/get-sth-consistency-3654490-961984011.json",
        "signed-note/c2sp-spec-examples.json",
        "signed-note/go-sumdb-note.json",
        "sigsum/checkpoints-cosignatures.json",
        "checkpoint/checkpoint-text.json",
        "tlog-tiles/paths.json",
        "tessera/log-key.json",
    ];
    let root = testdata_directory();
    let mut pending = vec![root.clone()];
    let mut unread = Vec::new();
    let mut file_count = 0;
    while let Some(directory) = pending.pop() {
        for entry in std::fs::read_dir(&directory).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            file_count += 1;
            let relative = path
                .strip_prefix(&root)
                .unwrap()
                .to_str()
                .unwrap()
                .replace('\\', "/");
            let read = READ_FILES.contains(&relative.as_str())
                || WALKED_FOLDERS
                    .iter()
                    .any(|folder| relative.starts_with(folder));
            if !read {
                unread.push(relative);
            }
        }
    }
    assert!(file_count > 500);
    assert!(unread.is_empty(), "vector files no test reads: {unread:?}");
}
