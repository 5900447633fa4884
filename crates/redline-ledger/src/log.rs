//! [`TiledLog`]: the log writer the node drives. It appends entries to the Merkle tree,
//! publishes the changed tiles and entry bundles to a [`TileStorage`], makes checkpoints of
//! the published size, answers proofs, and recovers its state from storage after a restart.
//!
//! The protocol the node follows for each batch: `append` entries, `publish` (all tiles
//! durable), sign `checkpoint()` and store it with compare-and-swap, then hand out receipts.
//! A failed `publish` changes nothing visible: the published size stays where it was and the
//! next `publish` rewrites every tile from there (rewriting a tile with the same content is
//! harmless).

use crate::checkpoint::Checkpoint;
use crate::hash::{Hash, leaf_hash};
use crate::note::{Note, NoteParseError, NoteSigner};
use crate::receipt::TlogProof;
use crate::storage::{TileStorage, TileStorageError};
use crate::tiles::{
    EntryTooLarge, TileAddress, TileContentError, append_to_entry_bundle, build_hash_tile,
    parse_entry_bundle_of_width, parse_hash_tile, tiles_to_publish,
};
use crate::tree::{MerkleTree, TreeError};

/// Why publishing failed. Nothing is published: the published size is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublishError {
    #[error("tile storage failed while publishing tree size {tree_size}: {source}")]
    Storage {
        tree_size: u64,
        source: TileStorageError,
    },
}

/// Why a receipt could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptBuildError {
    #[error("the checkpoint body is malformed: {0}")]
    CheckpointBody(#[from] crate::checkpoint::CheckpointParseError),
    #[error("the checkpoint is for origin {found:?}, this log is {expected:?}")]
    WrongOrigin { expected: String, found: String },
    #[error("the checkpoint's root is not this log's root at size {tree_size}")]
    RootMismatch { tree_size: u64 },
    #[error(transparent)]
    Tree(#[from] TreeError),
}

/// Why the log could not be rebuilt from storage, or storage does not match a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecoveryError {
    #[error("checkpoint is for origin {found:?}, this log is {expected:?}")]
    WrongOrigin { expected: String, found: String },
    #[error("tile storage failed: {0}")]
    Storage(#[from] TileStorageError),
    #[error("{path} is missing from tile storage")]
    MissingTile { path: String },
    #[error("{path} is corrupt: {source}")]
    CorruptTile {
        path: String,
        source: TileContentError,
    },
    #[error("entry {leaf_index} in {path} does not hash to the leaf hash in the level-0 tile")]
    EntryDoesNotMatchTile { path: String, leaf_index: u64 },
    #[error("hash {position} of {path} does not match the tiles below it")]
    TileDoesNotMatchTree { path: String, position: usize },
    #[error("the tiles give root {computed} at size {tree_size}, the checkpoint says {expected}")]
    RootMismatch {
        tree_size: u64,
        computed: Hash,
        expected: Hash,
    },
}

/// The append-only tiled log of one origin.
#[derive(Debug, Clone)]
pub struct TiledLog {
    origin: String,
    tree: MerkleTree,
    /// Size up to which every tile and bundle is durably in storage; checkpoints are only
    /// made for this size.
    published_size: u64,
    /// Index of the first entry kept in `unpublished_bundle_bytes`: the start of the bundle
    /// that holds entry `published_size` (a multiple of 256).
    first_kept_entry: u64,
    /// Length-prefixed entries from `first_kept_entry` to the tree size: the bytes of the
    /// bundles that still have to be (re)written.
    unpublished_bundle_bytes: Vec<u8>,
    /// Byte offset in `unpublished_bundle_bytes` where each kept entry starts.
    kept_entry_offsets: Vec<usize>,
}

impl TiledLog {
    /// An empty log for `origin`.
    pub fn new(origin: impl Into<String>) -> TiledLog {
        TiledLog {
            origin: origin.into(),
            tree: MerkleTree::new(),
            published_size: 0,
            first_kept_entry: 0,
            unpublished_bundle_bytes: Vec::new(),
            kept_entry_offsets: Vec::new(),
        }
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Number of entries appended, published or not.
    pub fn size(&self) -> u64 {
        self.tree.size()
    }

    /// Number of entries durably published.
    pub fn published_size(&self) -> u64 {
        self.published_size
    }

    pub fn tree(&self) -> &MerkleTree {
        &self.tree
    }

    /// Appends an entry (at most 65,535 bytes) and returns its index. It is not durable until
    /// [`TiledLog::publish`] returns.
    pub fn append(&mut self, entry: &[u8]) -> Result<u64, EntryTooLarge> {
        self.kept_entry_offsets
            .push(self.unpublished_bundle_bytes.len());
        if let Err(error) = append_to_entry_bundle(&mut self.unpublished_bundle_bytes, entry) {
            self.kept_entry_offsets.pop();
            return Err(error);
        }
        Ok(self.tree.append_entry(entry))
    }

    /// The bytes of entries `[start, end)` from the kept bundle bytes.
    fn kept_entries_bytes(&self, start: u64, end: u64) -> &[u8] {
        let first = (start - self.first_kept_entry) as usize;
        let last = (end - self.first_kept_entry) as usize;
        let from = self.kept_entry_offsets[first];
        let to = self
            .kept_entry_offsets
            .get(last)
            .copied()
            .unwrap_or(self.unpublished_bundle_bytes.len());
        &self.unpublished_bundle_bytes[from..to]
    }

    /// The content of a resource this log can produce at its current size.
    fn tile_contents(&self, address: &TileAddress) -> Vec<u8> {
        match *address {
            TileAddress::EntryBundle { index, width } => {
                let start = index * 256;
                self.kept_entries_bytes(start, start + u64::from(width))
                    .to_vec()
            }
            TileAddress::Hashes {
                level,
                index,
                width,
            } => build_hash_tile(self.tree.hash_tile(level, index, width).unwrap_or(&[])),
        }
    }

    /// Writes every bundle and tile that changed since the last publish, data first, and
    /// returns the new published size.
    pub fn publish(&mut self, storage: &mut dyn TileStorage) -> Result<u64, PublishError> {
        let tree_size = self.tree.size();
        for address in tiles_to_publish(self.published_size, tree_size) {
            let contents = self.tile_contents(&address);
            storage
                .write_tile(&address, &contents)
                .map_err(|source| PublishError::Storage { tree_size, source })?;
        }
        self.published_size = tree_size;
        self.forget_published_full_bundles();
        Ok(tree_size)
    }

    fn forget_published_full_bundles(&mut self) {
        let new_first = (self.published_size / 256) * 256;
        let dropped_entries = (new_first - self.first_kept_entry) as usize;
        if dropped_entries == 0 {
            return;
        }
        let dropped_bytes = self
            .kept_entry_offsets
            .get(dropped_entries)
            .copied()
            .unwrap_or(self.unpublished_bundle_bytes.len());
        self.unpublished_bundle_bytes.drain(..dropped_bytes);
        self.kept_entry_offsets.drain(..dropped_entries);
        for offset in &mut self.kept_entry_offsets {
            *offset -= dropped_bytes;
        }
        self.first_kept_entry = new_first;
    }

    /// The checkpoint of the published size.
    pub fn checkpoint(&self) -> Checkpoint {
        let root_hash = self.tree.root_at(self.published_size).unwrap_or_default();
        Checkpoint::new(self.origin.clone(), self.published_size, root_hash)
    }

    /// The checkpoint of the published size, signed by the log key.
    pub fn signed_checkpoint(&self, log_signer: &dyn NoteSigner) -> Result<Note, NoteParseError> {
        self.checkpoint().sign(log_signer)
    }

    /// The inclusion proof of `leaf_index` at `tree_size`, which must be a published size:
    /// nothing is proved before it is durable.
    pub fn inclusion_proof(&self, leaf_index: u64, tree_size: u64) -> Result<Vec<Hash>, TreeError> {
        self.check_published(tree_size)?;
        self.tree.inclusion_proof(leaf_index, tree_size)
    }

    /// The consistency proof between two published sizes.
    pub fn consistency_proof(&self, old_size: u64, new_size: u64) -> Result<Vec<Hash>, TreeError> {
        self.check_published(new_size)?;
        self.tree.consistency_proof(old_size, new_size)
    }

    fn check_published(&self, tree_size: u64) -> Result<(), TreeError> {
        if tree_size > self.published_size {
            return Err(TreeError::SizeBeyondTree {
                requested_size: tree_size,
                current_size: self.published_size,
            });
        }
        Ok(())
    }

    /// The tlog-proof receipt of entry `leaf_index` against `checkpoint_note`, a signed (and
    /// usually cosigned) checkpoint of this log. Checks that the note is for this log's
    /// origin and that its root is this log's root at its size.
    pub fn receipt(
        &self,
        leaf_index: u64,
        checkpoint_note: Note,
    ) -> Result<TlogProof, ReceiptBuildError> {
        let checkpoint = Checkpoint::parse_body(checkpoint_note.text())?;
        if checkpoint.origin != self.origin {
            return Err(ReceiptBuildError::WrongOrigin {
                expected: self.origin.clone(),
                found: checkpoint.origin,
            });
        }
        self.check_published(checkpoint.tree_size)?;
        let root = self.tree.root_at(checkpoint.tree_size)?;
        if root != checkpoint.root_hash {
            return Err(ReceiptBuildError::RootMismatch {
                tree_size: checkpoint.tree_size,
            });
        }
        let proof = self
            .tree
            .inclusion_proof(leaf_index, checkpoint.tree_size)?;
        Ok(TlogProof::new(leaf_index, proof, checkpoint_note))
    }

    /// Rebuilds the log from storage at the size of `checkpoint` (the last one the node
    /// signed), checking the level-0 tiles, the last partial bundle and the root.
    pub fn recover(
        storage: &dyn TileStorage,
        checkpoint: &Checkpoint,
    ) -> Result<TiledLog, RecoveryError> {
        let mut log = TiledLog::new(checkpoint.origin.clone());
        log.follow(storage, checkpoint)?;
        Ok(log)
    }

    /// Brings a log that only reads (a follower: another process writes the tiles) up to
    /// `checkpoint`, a later checkpoint of the same log: appends the leaf hashes of the level-0
    /// tiles past its size and checks the new root against the checkpoint. After an error the
    /// log must not be used (its tree may hold part of the new leaves): recover it afresh.
    pub fn follow(
        &mut self,
        storage: &dyn TileStorage,
        checkpoint: &Checkpoint,
    ) -> Result<(), RecoveryError> {
        let old_size = self.tree.size();
        let tree_size = checkpoint.tree_size;
        if tree_size < old_size {
            return Err(RecoveryError::RootMismatch {
                tree_size,
                computed: self.tree.root(),
                expected: checkpoint.root_hash,
            });
        }
        // All or nothing: a tile that cannot be read or a root the tiles do not give leaves the
        // tree as it was, so a later follow starts from the size it really has.
        if let Err(error) = self.append_followed_leaves(storage, old_size, checkpoint) {
            self.tree.truncate(old_size);
            return Err(error);
        }
        self.unpublished_bundle_bytes.clear();
        self.kept_entry_offsets.clear();
        self.keep_partial_bundle(storage, tree_size)
    }

    /// Appends the leaves from `old_size` to the checkpoint's size, read from the level-0 tiles,
    /// and checks the root they give against the checkpoint's.
    fn append_followed_leaves(
        &mut self,
        storage: &dyn TileStorage,
        old_size: u64,
        checkpoint: &Checkpoint,
    ) -> Result<(), RecoveryError> {
        let tree_size = checkpoint.tree_size;
        for tile_index in old_size / 256..tree_size.div_ceil(256) {
            let width = (tree_size - tile_index * 256).min(256) as u16;
            let address = TileAddress::Hashes {
                level: 0,
                index: tile_index,
                width,
            };
            let hashes = read_hash_tile(storage, &address)?;
            let already = old_size.saturating_sub(tile_index * 256) as usize;
            for hash in hashes.into_iter().skip(already) {
                self.tree.append_leaf_hash(hash);
            }
        }
        let computed = self.tree.root();
        if computed != checkpoint.root_hash {
            return Err(RecoveryError::RootMismatch {
                tree_size,
                computed,
                expected: checkpoint.root_hash,
            });
        }
        Ok(())
    }

    /// Marks everything up to `tree_size` published and keeps the entries of its partial
    /// bundle (checked against the tree), which the next publish rewrites with new entries.
    fn keep_partial_bundle(
        &mut self,
        storage: &dyn TileStorage,
        tree_size: u64,
    ) -> Result<(), RecoveryError> {
        self.published_size = tree_size;
        self.first_kept_entry = (tree_size / 256) * 256;
        let partial_width = (tree_size % 256) as u16;
        if partial_width > 0 {
            let address = TileAddress::EntryBundle {
                index: tree_size / 256,
                width: partial_width,
            };
            let bytes = read_required(storage, &address)?;
            let entries = parse_entry_bundle_of_width(&bytes, partial_width).map_err(|source| {
                RecoveryError::CorruptTile {
                    path: address.path(),
                    source,
                }
            })?;
            for (position, entry) in entries.iter().enumerate() {
                let leaf_index = self.first_kept_entry + position as u64;
                if self.tree.leaf_hash(leaf_index) != Some(leaf_hash(entry)) {
                    return Err(RecoveryError::EntryDoesNotMatchTile {
                        path: address.path(),
                        leaf_index,
                    });
                }
            }
            self.unpublished_bundle_bytes = bytes.clone();
            let mut offset = 0;
            for entry in entries {
                self.kept_entry_offsets.push(offset);
                offset += 2 + entry.len();
            }
        }
        Ok(())
    }
}

fn read_required(
    storage: &dyn TileStorage,
    address: &TileAddress,
) -> Result<Vec<u8>, RecoveryError> {
    storage
        .read_tile(address)?
        .ok_or_else(|| RecoveryError::MissingTile {
            path: address.path(),
        })
}

fn read_hash_tile(
    storage: &dyn TileStorage,
    address: &TileAddress,
) -> Result<Vec<Hash>, RecoveryError> {
    let bytes = read_required(storage, address)?;
    parse_hash_tile(&bytes, address.width()).map_err(|source| RecoveryError::CorruptTile {
        path: address.path(),
        source,
    })
}

/// Re-checks everything storage holds for `checkpoint`: every entry bundle hashes to its
/// level-0 tile, every higher tile hashes from the tiles below, and the root matches. The
/// audit a monitor (or a test after every step) runs.
pub fn verify_storage(
    storage: &dyn TileStorage,
    checkpoint: &Checkpoint,
) -> Result<(), RecoveryError> {
    let tree_size = checkpoint.tree_size;
    let mut tree = MerkleTree::new();
    for tile_index in 0..tree_size.div_ceil(256) {
        let width = (tree_size - tile_index * 256).min(256) as u16;
        let tile_address = TileAddress::Hashes {
            level: 0,
            index: tile_index,
            width,
        };
        let hashes = read_hash_tile(storage, &tile_address)?;
        let bundle_address = TileAddress::EntryBundle {
            index: tile_index,
            width,
        };
        let bundle = read_required(storage, &bundle_address)?;
        let entries = parse_entry_bundle_of_width(&bundle, width).map_err(|source| {
            RecoveryError::CorruptTile {
                path: bundle_address.path(),
                source,
            }
        })?;
        for (position, (entry, hash)) in entries.iter().zip(&hashes).enumerate() {
            if leaf_hash(entry) != *hash {
                return Err(RecoveryError::EntryDoesNotMatchTile {
                    path: bundle_address.path(),
                    leaf_index: tile_index * 256 + position as u64,
                });
            }
        }
        for hash in hashes {
            tree.append_leaf_hash(hash);
        }
    }
    let computed = tree.root();
    if computed != checkpoint.root_hash {
        return Err(RecoveryError::RootMismatch {
            tree_size,
            computed,
            expected: checkpoint.root_hash,
        });
    }
    for inventory in crate::tiles::tile_inventory(tree_size).into_iter().skip(1) {
        let full = (0..inventory.full_tiles).map(|index| (index, 256u16));
        let partial = (inventory.partial_width > 0)
            .then_some((inventory.full_tiles, inventory.partial_width));
        for (index, width) in full.chain(partial) {
            let address = TileAddress::Hashes {
                level: inventory.level,
                index,
                width,
            };
            let stored = read_hash_tile(storage, &address)?;
            let expected = tree.hash_tile(inventory.level, index, width).unwrap_or(&[]);
            if let Some(position) = (0..stored.len())
                .find(|position| expected.get(*position) != Some(&stored[*position]))
            {
                return Err(RecoveryError::TileDoesNotMatchTree {
                    path: address.path(),
                    position,
                });
            }
        }
    }
    Ok(())
}
