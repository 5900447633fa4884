//! The append-only RFC 6962 Merkle tree held in memory.
//!
//! [`MerkleTree`] keeps the hash of every *complete* (perfect) subtree, level by level: level
//! `h` holds the hashes of the subtrees of `2^h` leaves, in order. Appending a leaf pushes its
//! hash on level 0 and then completes at most one parent per level, so the hashing cost is
//! amortised O(1) per leaf (one leaf hash and, on average, one node hash). The root of any
//! size up to the current one, any inclusion proof and any consistency proof are then
//! O(log n) lookups plus at most O(log n) node hashes for the one incomplete subtree on the
//! right border. Level `8·L` is exactly the content of the tlog-tiles level-`L` tiles, so
//! tiles are slices of this store (see [`MerkleTree::hash_tile`]).
//!
//! Memory: about 64 bytes per leaf (32 for the leaf hash, 32 for the interior nodes above it).

use crate::hash::{EMPTY_TREE_HASH, Hash, leaf_hash, node_hash};

/// Why the tree could not answer a question about sizes or indices.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    #[error("tree size {requested_size} is larger than the tree, which has {current_size} leaves")]
    SizeBeyondTree {
        requested_size: u64,
        current_size: u64,
    },
    #[error("leaf index {leaf_index} is not in a tree of size {tree_size}")]
    LeafIndexOutOfRange { leaf_index: u64, tree_size: u64 },
    #[error(
        "a consistency proof needs 0 < old size <= new size, got old size {old_size} and new size {new_size}"
    )]
    InvalidConsistencySizes { old_size: u64, new_size: u64 },
}

/// An append-only Merkle tree storing every complete subtree hash.
#[derive(Clone, Default)]
pub struct MerkleTree {
    /// `levels[h][k]` is the hash of leaves `[k·2^h, (k+1)·2^h)`. Only complete subtrees are
    /// stored, so `levels[h].len() == size >> h`.
    levels: Vec<Vec<Hash>>,
}

impl std::fmt::Debug for MerkleTree {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("MerkleTree")
            .field("size", &self.size())
            .field("root", &self.root())
            .finish()
    }
}

/// The largest power of two strictly smaller than `n`; `n` must be at least 2.
fn largest_power_of_two_below(n: u64) -> u64 {
    1u64 << (63 - (n - 1).leading_zeros())
}

impl MerkleTree {
    pub fn new() -> MerkleTree {
        MerkleTree {
            levels: vec![Vec::new()],
        }
    }

    /// Builds a tree from leaf hashes, in order.
    pub fn from_leaf_hashes(leaf_hashes: impl IntoIterator<Item = Hash>) -> MerkleTree {
        let mut tree = MerkleTree::new();
        for leaf in leaf_hashes {
            tree.append_leaf_hash(leaf);
        }
        tree
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |level| level.len() as u64)
    }

    pub fn is_empty(&self) -> bool {
        self.size() == 0
    }

    /// Appends an entry (hashing it as a leaf) and returns its index.
    pub fn append_entry(&mut self, entry: &[u8]) -> u64 {
        self.append_leaf_hash(leaf_hash(entry))
    }

    /// Appends a leaf hash and returns its index.
    pub fn append_leaf_hash(&mut self, leaf: Hash) -> u64 {
        if self.levels.is_empty() {
            self.levels.push(Vec::new());
        }
        let leaf_index = self.levels[0].len() as u64;
        self.levels[0].push(leaf);
        let mut height = 0;
        while self.levels[height].len().is_multiple_of(2) {
            let level = &self.levels[height];
            let parent = node_hash(&level[level.len() - 2], &level[level.len() - 1]);
            if self.levels.len() == height + 1 {
                self.levels.push(Vec::new());
            }
            self.levels[height + 1].push(parent);
            height += 1;
        }
        leaf_index
    }

    /// Drops every leaf from `size` on (nothing when the tree is not larger): the tree is as it
    /// was when it had `size` leaves.
    pub fn truncate(&mut self, size: u64) {
        for (height, level) in self.levels.iter_mut().enumerate() {
            let kept = usize::try_from(size >> height).unwrap_or(usize::MAX);
            level.truncate(kept);
        }
    }

    /// The leaf hash at `leaf_index`, if the tree has it.
    pub fn leaf_hash(&self, leaf_index: u64) -> Option<Hash> {
        self.perfect_subtree_hash(0, leaf_index)
    }

    /// The hash of the complete subtree of height `height` (covering `2^height` leaves) at
    /// position `index` on its level, if that subtree is complete.
    pub fn perfect_subtree_hash(&self, height: u32, index: u64) -> Option<Hash> {
        let level = self.levels.get(usize::try_from(height).ok()?)?;
        level.get(usize::try_from(index).ok()?).copied()
    }

    /// All complete subtree hashes of height `height`, in order.
    pub fn level(&self, height: u32) -> &[Hash] {
        usize::try_from(height)
            .ok()
            .and_then(|height| self.levels.get(height))
            .map_or(&[], Vec::as_slice)
    }

    /// The hashes of tlog-tiles tile `tile_index` at tile level `tile_level`, `width` of them
    /// (256 for a full tile), or `None` if the tree does not have them all yet.
    pub fn hash_tile(&self, tile_level: u8, tile_index: u64, width: u16) -> Option<&[Hash]> {
        let level = self.level(u32::from(tile_level) * 8);
        let start = usize::try_from(tile_index.checked_mul(256)?).ok()?;
        let end = start.checked_add(usize::from(width))?;
        level.get(start..end)
    }

    /// The root at the current size.
    pub fn root(&self) -> Hash {
        let size = self.size();
        if size == 0 {
            EMPTY_TREE_HASH
        } else {
            self.range_hash(0, size)
        }
    }

    /// The root the tree had when it had `tree_size` leaves.
    pub fn root_at(&self, tree_size: u64) -> Result<Hash, TreeError> {
        self.check_size(tree_size)?;
        if tree_size == 0 {
            return Ok(EMPTY_TREE_HASH);
        }
        Ok(self.range_hash(0, tree_size))
    }

    fn check_size(&self, tree_size: u64) -> Result<(), TreeError> {
        let current_size = self.size();
        if tree_size > current_size {
            return Err(TreeError::SizeBeyondTree {
                requested_size: tree_size,
                current_size,
            });
        }
        Ok(())
    }

    /// The hash of leaves `[start, end)`. The range must be non-empty, inside the tree, and
    /// `start` must be a multiple of the largest power of two not above `end - start`
    /// (always the case for the ranges RFC 6962 recursion produces).
    fn range_hash(&self, start: u64, end: u64) -> Hash {
        let width = end - start;
        if width.is_power_of_two() {
            let height = width.trailing_zeros() as usize;
            return self.levels[height][(start >> height) as usize];
        }
        // Split the range into complete subtrees, largest (leftmost) first, then fold them
        // from the right: MTH of a left-packed range is H(left, MTH(rest)).
        let mut pieces = [Hash::default(); 64];
        let mut piece_count = 0;
        let mut position = start;
        let mut remaining = width;
        while remaining != 0 {
            let height = 63 - remaining.leading_zeros() as usize;
            pieces[piece_count] = self.levels[height][(position >> height) as usize];
            piece_count += 1;
            position += 1 << height;
            remaining &= !(1u64 << height);
        }
        let mut accumulated = pieces[piece_count - 1];
        for piece in pieces[..piece_count - 1].iter().rev() {
            accumulated = node_hash(piece, &accumulated);
        }
        accumulated
    }

    /// The RFC 6962 §2.1.1 audit path of leaf `leaf_index` in the tree of size `tree_size`,
    /// leaf sibling first.
    pub fn inclusion_proof(&self, leaf_index: u64, tree_size: u64) -> Result<Vec<Hash>, TreeError> {
        self.check_size(tree_size)?;
        if leaf_index >= tree_size {
            return Err(TreeError::LeafIndexOutOfRange {
                leaf_index,
                tree_size,
            });
        }
        let mut proof = Vec::with_capacity(64);
        let (mut start, mut end) = (0u64, tree_size);
        while end - start > 1 {
            let split = start + largest_power_of_two_below(end - start);
            if leaf_index < split {
                proof.push(self.range_hash(split, end));
                end = split;
            } else {
                proof.push(self.range_hash(start, split));
                start = split;
            }
        }
        proof.reverse();
        Ok(proof)
    }

    /// The RFC 6962 §2.1.2 consistency proof from `old_size` to `new_size`. Empty when the
    /// sizes are equal. An old size of 0 is refused: there is nothing to prove.
    pub fn consistency_proof(&self, old_size: u64, new_size: u64) -> Result<Vec<Hash>, TreeError> {
        self.check_size(new_size)?;
        if old_size == 0 || old_size > new_size {
            return Err(TreeError::InvalidConsistencySizes { old_size, new_size });
        }
        let mut proof = Vec::with_capacity(64);
        let (mut start, mut end) = (0u64, new_size);
        let mut old_tree_is_whole_subtree = true;
        loop {
            if old_size == end {
                if !old_tree_is_whole_subtree {
                    proof.push(self.range_hash(start, end));
                }
                break;
            }
            let split = start + largest_power_of_two_below(end - start);
            if old_size <= split {
                proof.push(self.range_hash(split, end));
                end = split;
            } else {
                proof.push(self.range_hash(start, split));
                start = split;
                old_tree_is_whole_subtree = false;
            }
        }
        proof.reverse();
        Ok(proof)
    }
}
