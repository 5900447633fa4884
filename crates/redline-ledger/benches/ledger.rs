//! Benchmarks of the ledger core: appending JSON-sized entries (leaf hashing, tree, tiles and
//! bundles in memory) and inclusion proofs on a 10,000,000-entry tree.
//!
//! Run with `cargo bench -p redline-ledger`. Before divan runs, `main` also prints latency
//! percentiles (p50/p99/max) of 100,000 single inclusion proofs, which divan does not report.

use std::sync::OnceLock;
use std::time::Instant;

use divan::Bencher;
use divan::counter::ItemsCount;
use redline_ledger::checkpoint::open_checkpoint;
use redline_ledger::hash::leaf_hash;
use redline_ledger::log::TiledLog;
use redline_ledger::note::Ed25519NoteSigner;
use redline_ledger::proof::verify_inclusion;
use redline_ledger::storage::MemoryTileStorage;
use redline_ledger::tree::MerkleTree;

const ORIGIN: &str = "redline.example/log";
const APPENDED_ENTRIES: usize = 100_000;
const LARGE_TREE_SIZE: u64 = 10_000_000;

/// A log entry as the node writes them: a small JSON record with a SHA-256 of the object.
fn json_entry(index: u64) -> Vec<u8> {
    format!(
        r#"{{"kind":"notification","party":"state-{:03}","subject":"0192f3a4-7b1c-7d2e-9f00-{index:012x}","time":"2026-11-22T02:00:00Z","sha256":"{}"}}"#,
        index % 193,
        leaf_hash(&index.to_be_bytes()).to_hex()
    )
    .into_bytes()
}

fn entries() -> &'static [Vec<u8>] {
    static ENTRIES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    ENTRIES.get_or_init(|| (0..APPENDED_ENTRIES as u64).map(json_entry).collect())
}

fn large_tree() -> &'static MerkleTree {
    static TREE: OnceLock<MerkleTree> = OnceLock::new();
    TREE.get_or_init(|| {
        let started = Instant::now();
        let mut tree = MerkleTree::new();
        for index in 0..LARGE_TREE_SIZE {
            tree.append_entry(&index.to_be_bytes());
        }
        eprintln!(
            "built a {LARGE_TREE_SIZE}-leaf tree in {:.2?}",
            started.elapsed()
        );
        tree
    })
}

/// A small xorshift generator so indices are spread over the tree without a dependency.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn print_inclusion_proof_percentiles(tree_size: u64) {
    let tree = large_tree();
    let mut random = Xorshift(0x9e37_79b9_7f4a_7c15);
    let mut latencies_ns = Vec::with_capacity(100_000);
    for _ in 0..100_000 {
        let index = random.next() % tree_size;
        let started = Instant::now();
        let proof = tree.inclusion_proof(index, tree_size);
        let elapsed = started.elapsed();
        divan::black_box(proof).ok();
        latencies_ns.push(elapsed.as_nanos());
    }
    latencies_ns.sort_unstable();
    let percentile =
        |fraction: f64| latencies_ns[((latencies_ns.len() - 1) as f64 * fraction) as usize];
    println!(
        "inclusion proof, tree size {tree_size}: p50 {} ns, p99 {} ns, p99.9 {} ns, max {} ns (100,000 random leaves)",
        percentile(0.50),
        percentile(0.99),
        percentile(0.999),
        latencies_ns[latencies_ns.len() - 1]
    );
}

fn main() {
    print_inclusion_proof_percentiles(1_000_000);
    print_inclusion_proof_percentiles(LARGE_TREE_SIZE);
    divan::main();
}

/// Append 100,000 JSON entries and publish every tile and bundle to in-memory storage.
#[divan::bench(sample_count = 20)]
fn append_100_000_entries_and_publish_tiles(bencher: Bencher) {
    let entries = entries();
    bencher.counter(ItemsCount::new(entries.len())).bench(|| {
        let mut log = TiledLog::new(ORIGIN);
        let mut storage = MemoryTileStorage::new();
        for entry in entries {
            log.append(entry).ok();
        }
        log.publish(&mut storage).ok();
        (log, storage)
    });
}

/// Append 100,000 JSON entries and publish after every batch of 256 (a checkpoint per batch).
#[divan::bench(sample_count = 20)]
fn append_100_000_entries_publishing_every_256(bencher: Bencher) {
    let entries = entries();
    bencher.counter(ItemsCount::new(entries.len())).bench(|| {
        let mut log = TiledLog::new(ORIGIN);
        let mut storage = MemoryTileStorage::new();
        for batch in entries.chunks(256) {
            for entry in batch {
                log.append(entry).ok();
            }
            log.publish(&mut storage).ok();
        }
        (log, storage)
    });
}

/// The tree alone (leaf hash + amortised node hashing), the figure comparable to pymerkle.
#[divan::bench(sample_count = 20)]
fn append_100_000_entries_tree_only(bencher: Bencher) {
    let entries = entries();
    bencher.counter(ItemsCount::new(entries.len())).bench(|| {
        let mut tree = MerkleTree::new();
        for entry in entries {
            tree.append_entry(entry);
        }
        tree
    });
}

/// One inclusion proof for a random leaf; the tree has 10,000,000 leaves, the proof is for
/// the tree at the given size.
#[divan::bench(args = [1_000_000, 10_000_000])]
fn inclusion_proof(bencher: Bencher, tree_size: u64) {
    let tree = large_tree();
    let mut random = Xorshift(0x2545_f491_4f6c_dd1d);
    bencher.bench_local(|| {
        let index = random.next() % tree_size;
        tree.inclusion_proof(index, tree_size)
    });
}

/// Verifying one inclusion proof at size 10,000,000.
#[divan::bench]
fn verify_inclusion_proof(bencher: Bencher) {
    let tree = large_tree();
    let index = 7_654_321;
    let proof = tree
        .inclusion_proof(index, LARGE_TREE_SIZE)
        .ok()
        .unwrap_or_default();
    let leaf = tree.leaf_hash(index).unwrap_or_default();
    let root = tree.root();
    bencher.bench_local(|| {
        verify_inclusion(index, LARGE_TREE_SIZE, leaf.as_ref(), &proof, root.as_ref())
    });
}

/// Signing a checkpoint, and opening (parsing and verifying) it.
#[divan::bench]
fn sign_checkpoint(bencher: Bencher) {
    let signer = Ed25519NoteSigner::from_seed(ORIGIN, &[1; 32]).ok();
    let tree = large_tree();
    let checkpoint = redline_ledger::checkpoint::Checkpoint::new(ORIGIN, tree.size(), tree.root());
    bencher.bench_local(|| signer.as_ref().map(|signer| checkpoint.sign(signer)));
}

#[divan::bench]
fn open_signed_checkpoint(bencher: Bencher) {
    let Ok(signer) = Ed25519NoteSigner::from_seed(ORIGIN, &[1; 32]) else {
        return;
    };
    let checkpoint = redline_ledger::checkpoint::Checkpoint::new(ORIGIN, 42, leaf_hash(b"root"));
    let Ok(note) = checkpoint.sign(&signer) else {
        return;
    };
    let text = note.to_text();
    let verifier = signer.verifier();
    bencher.bench_local(|| open_checkpoint(text.as_bytes(), ORIGIN, &[&verifier]));
}

/// The hashing primitives, to see where append time goes.
#[divan::bench]
fn leaf_hash_of_one_json_entry(bencher: Bencher) {
    let entry = json_entry(12_345);
    bencher
        .counter(divan::counter::BytesCount::new(entry.len()))
        .bench_local(|| leaf_hash(divan::black_box(&entry)));
}

#[divan::bench]
fn node_hash_of_two_hashes(bencher: Bencher) {
    let (left, right) = (leaf_hash(b"left"), leaf_hash(b"right"));
    bencher.bench_local(|| {
        redline_ledger::hash::node_hash(divan::black_box(&left), divan::black_box(&right))
    });
}
