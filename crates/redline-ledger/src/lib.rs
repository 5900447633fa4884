//! redline-ledger: the pure core of redline's public, tamper-evident transparency log.
//!
//! Everything here is computation over bytes: no I/O, no clock (times are passed in), no
//! knowledge of HTTP, SQL or files. The shell crates (redline-store, redline-node,
//! redline-http) persist what this crate produces and serve it.
//!
//! Map of the crate:
//!
//! - [`hash`]: RFC 6962 leaf and node hashing, the [`Hash`](struct@Hash) newtype.
//! - [`tree`]: an append-only Merkle tree that keeps every complete subtree hash, so roots of
//!   any earlier size, inclusion and consistency proofs cost O(log n) lookups.
//! - [`proof`]: inclusion and consistency verification per RFC 9162 §2.1.3–2.1.4 (and the
//!   subtree variants of draft-ietf-plants-merkle-tree-certs).
//! - [`note`]: C2SP signed-note: parse, sign, verify; Ed25519 verifier and signer keys.
//! - [`checkpoint`]: C2SP tlog-checkpoint note bodies.
//! - [`cosignature`]: C2SP tlog-cosignature/v1 (Ed25519) signing and verification.
//! - [`tiles`]: C2SP tlog-tiles paths, hash tiles and entry bundles.
//! - [`receipt`]: C2SP tlog-proof receipts.
//! - [`storage`]: the small [`storage::TileStorage`] trait and an in-memory implementation
//!   that injects faults for tests.
//! - [`witness`]: C2SP tlog-witness `add-checkpoint` requests and the witness's decision.
//! - [`witness_policy`]: k of n — which cosignatures count and when a checkpoint is witnessed.
//! - [`monitor`]: the checkpoints seen per origin; rollback and fork detection.
//! - [`log`]: [`log::TiledLog`], the writer the node drives: append entries, publish tiles and
//!   bundles to a storage, recover from storage, answer proofs.

pub mod checkpoint;
pub mod cosignature;
pub mod hash;
pub mod log;
pub mod monitor;
pub mod note;
pub mod proof;
pub mod receipt;
pub mod split_view;
pub mod storage;
pub mod tiles;
pub mod tree;
pub mod witness;
pub mod witness_policy;

pub use hash::Hash;

/// The largest entry a tlog-tiles log can hold: entry bundles prefix each entry with a
/// big-endian `u16` length.
pub const MAX_ENTRY_LENGTH: usize = 65_535;
