//! Verification of Merkle proofs: inclusion and consistency per RFC 9162 §2.1.3.2 and
//! §2.1.4.2, and the subtree variants of draft-ietf-plants-merkle-tree-certs (used by
//! `subtree/v1` cosignatures).
//!
//! The verifiers take hashes as byte slices so they can follow the public known-answer vectors
//! exactly (some of them deliberately carry hashes that are not 32 bytes); pass
//! [`Hash`](struct@crate::Hash) values with `.as_ref()`. Semantics, in the order they are checked:
//!
//! - inclusion: `index < size`, then every hash is 32 bytes, then the proof has exactly the
//!   length the sizes imply, then the computed root equals the expected one;
//! - consistency: `size1 <= size2`, `size1 > 0` (a proof from the empty tree is meaningless),
//!   equal sizes need an empty proof and byte-identical roots, otherwise the proof is not
//!   empty, every hash is 32 bytes, the length is exact and both roots recompute.

use crate::hash::{HASH_LENGTH, Hash, node_hash_of_bytes};

/// The longest proof any tree of `u64` size can need.
pub const MAX_PROOF_LENGTH: usize = 64;

/// Which hash of a proof problem was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofHashRole {
    LeafHash,
    Root,
    OldRoot,
    NewRoot,
    SubtreeRoot,
    ProofElement { position: usize },
}

impl std::fmt::Display for ProofHashRole {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProofHashRole::LeafHash => formatter.write_str("leaf hash"),
            ProofHashRole::Root => formatter.write_str("root hash"),
            ProofHashRole::OldRoot => formatter.write_str("old root hash"),
            ProofHashRole::NewRoot => formatter.write_str("new root hash"),
            ProofHashRole::SubtreeRoot => formatter.write_str("subtree hash"),
            ProofHashRole::ProofElement { position } => {
                write!(formatter, "proof hash at position {position}")
            }
        }
    }
}

/// Why an inclusion proof was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InclusionProofError {
    #[error("leaf index {leaf_index} is not below tree size {tree_size}")]
    LeafIndexOutOfRange { leaf_index: u64, tree_size: u64 },
    #[error("the {role} is {length} bytes, a hash is {HASH_LENGTH}")]
    WrongHashLength { role: ProofHashRole, length: usize },
    #[error(
        "the proof has {actual} hashes, leaf {leaf_index} of a tree of size {tree_size} needs {expected}"
    )]
    WrongProofLength {
        leaf_index: u64,
        tree_size: u64,
        expected: usize,
        actual: usize,
    },
    #[error("the proof leads to root {computed}, not to the expected root")]
    RootMismatch { computed: Hash },
    #[error("subtree [{start}, {end}) is not a valid subtree")]
    InvalidSubtree { start: u64, end: u64 },
}

/// Why a consistency proof was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsistencyProofError {
    #[error("old size {old_size} is larger than new size {new_size}")]
    OldSizeLarger { old_size: u64, new_size: u64 },
    #[error("a consistency proof from the empty tree proves nothing")]
    OldTreeEmpty,
    #[error("sizes are equal ({size}) but the proof has {proof_length} hashes instead of none")]
    EqualSizesWithNonEmptyProof { size: u64, proof_length: usize },
    #[error("sizes are equal ({size}) but the roots differ")]
    EqualSizesWithDifferentRoots { size: u64 },
    #[error("the proof is empty but the sizes differ")]
    EmptyProof,
    #[error("the {role} is {length} bytes, a hash is {HASH_LENGTH}")]
    WrongHashLength { role: ProofHashRole, length: usize },
    #[error("the proof has {actual} hashes, {expected} are needed")]
    WrongProofLength { expected: usize, actual: usize },
    #[error("the proof does not lead to the old root (it gives {computed})")]
    OldRootMismatch { computed: Hash },
    #[error("the proof does not lead to the new root (it gives {computed})")]
    NewRootMismatch { computed: Hash },
    #[error("the proof does not lead to the subtree hash (it gives {computed})")]
    SubtreeHashMismatch { computed: Hash },
    #[error("subtree [{start}, {end}) is not a valid subtree of a tree of size {size}")]
    InvalidSubtree { start: u64, end: u64, size: u64 },
    #[error("the subtree is empty, so its hash must be SHA-256(\"\") and the proof empty")]
    InvalidEmptySubtree,
}

/// `value >> bits`, and 0 when `bits` is 64 (a full-width shift, which `>>` refuses).
fn shift_right(value: u64, bits: u32) -> u64 {
    value.checked_shr(bits).unwrap_or(0)
}

fn bit_length(value: u64) -> u32 {
    64 - value.leading_zeros()
}

fn check_hash_length(bytes: &[u8], role: ProofHashRole) -> Result<(), (ProofHashRole, usize)> {
    if bytes.len() == HASH_LENGTH {
        Ok(())
    } else {
        Err((role, bytes.len()))
    }
}

fn check_proof_hash_lengths<P: AsRef<[u8]>>(proof: &[P]) -> Result<(), (ProofHashRole, usize)> {
    for (position, element) in proof.iter().enumerate() {
        check_hash_length(element.as_ref(), ProofHashRole::ProofElement { position })?;
    }
    Ok(())
}

/// Hashes `seed` up along the path of the node at `index`: a zero bit means the proof hash is
/// the right sibling, a one bit the left sibling.
fn chain_inner<P: AsRef<[u8]>>(seed: Hash, proof: &[P], index: u64) -> Hash {
    let mut result = seed;
    for (level, sibling) in proof.iter().enumerate() {
        if (index >> level) & 1 == 0 {
            result = node_hash_of_bytes(&result.0, sibling.as_ref());
        } else {
            result = node_hash_of_bytes(sibling.as_ref(), &result.0);
        }
    }
    result
}

/// Like [`chain_inner`] but skips right siblings: the result is the hash of the older, smaller
/// version of the same subtree.
fn chain_inner_left_siblings_only<P: AsRef<[u8]>>(seed: Hash, proof: &[P], index: u64) -> Hash {
    let mut result = seed;
    for (level, sibling) in proof.iter().enumerate() {
        if (index >> level) & 1 == 1 {
            result = node_hash_of_bytes(sibling.as_ref(), &result.0);
        }
    }
    result
}

/// Hashes `seed` up the right border of the tree, where every proof hash is a left sibling.
fn chain_border<P: AsRef<[u8]>>(seed: Hash, proof: &[P]) -> Hash {
    let mut result = seed;
    for sibling in proof {
        result = node_hash_of_bytes(sibling.as_ref(), &result.0);
    }
    result
}

/// Splits the inclusion path of `index` in a tree of `size` into the part below the level
/// where the paths to `index` and `size - 1` meet (`inner`) and the part along the right
/// border above it (`border`). `index < size`.
fn inclusion_path_shape(index: u64, size: u64) -> (usize, usize) {
    let inner = bit_length(index ^ (size - 1));
    let border = shift_right(index, inner).count_ones();
    (inner as usize, border as usize)
}

/// Computes the root an inclusion proof leads to.
pub fn root_from_inclusion_proof<P: AsRef<[u8]>>(
    leaf_index: u64,
    tree_size: u64,
    leaf_hash: &[u8],
    proof: &[P],
) -> Result<Hash, InclusionProofError> {
    if leaf_index >= tree_size {
        return Err(InclusionProofError::LeafIndexOutOfRange {
            leaf_index,
            tree_size,
        });
    }
    let wrong_length = |(role, length)| InclusionProofError::WrongHashLength { role, length };
    check_hash_length(leaf_hash, ProofHashRole::LeafHash).map_err(wrong_length)?;
    let (inner, border) = inclusion_path_shape(leaf_index, tree_size);
    if proof.len() != inner + border {
        return Err(InclusionProofError::WrongProofLength {
            leaf_index,
            tree_size,
            expected: inner + border,
            actual: proof.len(),
        });
    }
    check_proof_hash_lengths(proof).map_err(wrong_length)?;
    let seed = Hash::from_slice(leaf_hash).map_err(|_| InclusionProofError::WrongHashLength {
        role: ProofHashRole::LeafHash,
        length: leaf_hash.len(),
    })?;
    let below_border = chain_inner(seed, &proof[..inner], leaf_index);
    Ok(chain_border(below_border, &proof[inner..]))
}

/// Checks that the leaf with hash `leaf_hash` is at `leaf_index` in the tree of size
/// `tree_size` whose root is `root` (RFC 9162 §2.1.3.2).
pub fn verify_inclusion<P: AsRef<[u8]>>(
    leaf_index: u64,
    tree_size: u64,
    leaf_hash: &[u8],
    proof: &[P],
    root: &[u8],
) -> Result<(), InclusionProofError> {
    let computed = root_from_inclusion_proof(leaf_index, tree_size, leaf_hash, proof)?;
    if computed.0.as_slice() != root {
        return Err(InclusionProofError::RootMismatch { computed });
    }
    Ok(())
}

/// Whether `[start, end)` is a subtree in the sense of draft-ietf-plants-merkle-tree-certs:
/// non-empty, and `start` a multiple of the smallest power of two at least `end - start`.
pub fn is_valid_subtree(start: u64, end: u64) -> bool {
    if start >= end {
        return false;
    }
    match (end - start).checked_next_power_of_two() {
        Some(alignment) => start.is_multiple_of(alignment),
        None => false,
    }
}

/// Checks that the leaf with hash `leaf_hash` is at `leaf_index` inside the subtree
/// `[start, end)` whose hash is `subtree_hash`.
pub fn verify_subtree_inclusion<P: AsRef<[u8]>>(
    leaf_index: u64,
    start: u64,
    end: u64,
    leaf_hash: &[u8],
    proof: &[P],
    subtree_hash: &[u8],
) -> Result<(), InclusionProofError> {
    if !is_valid_subtree(start, end) {
        return Err(InclusionProofError::InvalidSubtree { start, end });
    }
    if leaf_index < start || leaf_index >= end {
        return Err(InclusionProofError::LeafIndexOutOfRange {
            leaf_index,
            tree_size: end,
        });
    }
    verify_inclusion(
        leaf_index - start,
        end - start,
        leaf_hash,
        proof,
        subtree_hash,
    )
}

/// Checks that the tree of size `old_size` with root `old_root` is a prefix of the tree of
/// size `new_size` with root `new_root` (RFC 9162 §2.1.4.2).
pub fn verify_consistency<P: AsRef<[u8]>>(
    old_size: u64,
    new_size: u64,
    proof: &[P],
    old_root: &[u8],
    new_root: &[u8],
) -> Result<(), ConsistencyProofError> {
    if old_size > new_size {
        return Err(ConsistencyProofError::OldSizeLarger { old_size, new_size });
    }
    if old_size == 0 {
        return Err(ConsistencyProofError::OldTreeEmpty);
    }
    if old_size == new_size {
        if !proof.is_empty() {
            return Err(ConsistencyProofError::EqualSizesWithNonEmptyProof {
                size: old_size,
                proof_length: proof.len(),
            });
        }
        if old_root != new_root {
            return Err(ConsistencyProofError::EqualSizesWithDifferentRoots { size: old_size });
        }
        return Ok(());
    }
    if proof.is_empty() {
        return Err(ConsistencyProofError::EmptyProof);
    }
    let computed = root_from_grown_subtree(0, old_size, new_size, proof, old_root, true)?;
    check_new_root(computed, new_root)
}

fn check_new_root(computed: Hash, new_root: &[u8]) -> Result<(), ConsistencyProofError> {
    let wrong_length = |(role, length)| ConsistencyProofError::WrongHashLength { role, length };
    check_hash_length(new_root, ProofHashRole::NewRoot).map_err(wrong_length)?;
    if computed.0.as_slice() != new_root {
        return Err(ConsistencyProofError::NewRootMismatch { computed });
    }
    Ok(())
}

/// Checks that the subtree `[start, end)` with hash `subtree_hash` is part of the tree of size
/// `tree_size` with root `root`.
pub fn verify_subtree_consistency<P: AsRef<[u8]>>(
    start: u64,
    end: u64,
    tree_size: u64,
    proof: &[P],
    subtree_hash: &[u8],
    root: &[u8],
) -> Result<(), ConsistencyProofError> {
    if start == end && end <= tree_size {
        // The empty subtree is trivially part of every tree.
        if proof.is_empty() && subtree_hash == crate::hash::EMPTY_TREE_HASH.0.as_slice() {
            return Ok(());
        }
        return Err(ConsistencyProofError::InvalidEmptySubtree);
    }
    if !is_valid_subtree(start, end) || end > tree_size {
        return Err(ConsistencyProofError::InvalidSubtree {
            start,
            end,
            size: tree_size,
        });
    }
    if start == 0 && end == tree_size {
        if !proof.is_empty() {
            return Err(ConsistencyProofError::EqualSizesWithNonEmptyProof {
                size: end,
                proof_length: proof.len(),
            });
        }
        if subtree_hash != root {
            return Err(ConsistencyProofError::EqualSizesWithDifferentRoots { size: end });
        }
        return Ok(());
    }
    if proof.is_empty() {
        return Err(ConsistencyProofError::EmptyProof);
    }
    let computed = root_from_grown_subtree(start, end, tree_size, proof, subtree_hash, false)?;
    check_new_root(computed, root)
}

/// The shared core of consistency and subtree consistency: checks the proof against the hash
/// of `[start, end)` and returns the root of the tree of size `tree_size` it leads to.
/// Requires a valid subtree, `end < tree_size` or `start > 0`, and a non-empty proof.
fn root_from_grown_subtree<P: AsRef<[u8]>>(
    start: u64,
    end: u64,
    tree_size: u64,
    proof: &[P],
    subtree_hash: &[u8],
    subtree_is_old_tree: bool,
) -> Result<Hash, ConsistencyProofError> {
    let wrong_length = |(role, length)| ConsistencyProofError::WrongHashLength { role, length };
    let subtree_role = if subtree_is_old_tree {
        ProofHashRole::OldRoot
    } else {
        ProofHashRole::SubtreeRoot
    };
    check_hash_length(subtree_hash, subtree_role).map_err(wrong_length)?;
    let subtree_root =
        Hash::from_slice(subtree_hash).map_err(|_| ConsistencyProofError::WrongHashLength {
            role: subtree_role,
            length: subtree_hash.len(),
        })?;
    let subtree_mismatch = |computed: Hash| {
        if subtree_is_old_tree {
            ConsistencyProofError::OldRootMismatch { computed }
        } else {
            ConsistencyProofError::SubtreeHashMismatch { computed }
        }
    };

    if end == tree_size {
        // The subtree ends on the right border: its ancestors only need left siblings.
        let subtree_height = bit_length((end - 1) ^ start);
        let expected = shift_right(start, subtree_height).count_ones() as usize;
        if proof.len() != expected {
            return Err(ConsistencyProofError::WrongProofLength {
                expected,
                actual: proof.len(),
            });
        }
        check_proof_hash_lengths(proof).map_err(wrong_length)?;
        return Ok(chain_border(subtree_root, proof));
    }

    let (fork_level, border) = inclusion_path_shape(end - 1, tree_size);
    // Height of the rightmost complete subtree inside [start, end): the proof starts there.
    let shift = (end - start).trailing_zeros() as usize;
    let inner = fork_level - shift;
    let subtree_is_complete = (end - start) == 1u64 << shift;
    let proof_start = if subtree_is_complete { 0 } else { 1 };
    let expected = proof_start + inner + border;
    if proof.len() != expected {
        return Err(ConsistencyProofError::WrongProofLength {
            expected,
            actual: proof.len(),
        });
    }
    check_proof_hash_lengths(proof).map_err(wrong_length)?;
    let seed = if subtree_is_complete {
        subtree_root
    } else {
        Hash::from_slice(proof[0].as_ref()).map_err(|_| ConsistencyProofError::WrongHashLength {
            role: ProofHashRole::ProofElement { position: 0 },
            length: proof[0].as_ref().len(),
        })?
    };
    let path = &proof[proof_start..];
    let mask = (end - 1) >> shift;

    // Recompute the subtree hash from the part of the path that lies inside it. When the
    // subtree is complete the seed is the subtree hash itself and there is nothing to check.
    if !subtree_is_complete {
        let subtree_height = bit_length((end - 1) ^ start) as usize;
        let inner_inside = subtree_height.min(fork_level) - shift;
        let border_inside = border
            .saturating_sub(shift_right(end - 1, subtree_height as u32).count_ones() as usize);
        let recomputed = chain_inner_left_siblings_only(seed, &path[..inner_inside], mask);
        let recomputed = chain_border(recomputed, &path[inner..inner + border_inside]);
        if recomputed != subtree_root {
            return Err(subtree_mismatch(recomputed));
        }
    }

    let grown = chain_inner(seed, &path[..inner], mask);
    Ok(chain_border(grown, &path[inner..]))
}
