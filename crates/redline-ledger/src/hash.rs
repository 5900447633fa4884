//! RFC 6962 hashing: the [`Hash`](struct@Hash) newtype, leaf hashes, interior node hashes and the empty-tree
//! hash. SHA-256 with the `0x00` leaf prefix and the `0x01` node prefix (RFC 6962 §2.1).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64_STANDARD;
use sha2::{Digest, Sha256};

/// Length of every hash in the log, in bytes.
pub const HASH_LENGTH: usize = 32;

/// A SHA-256 hash: a leaf hash, an interior node hash or a tree root.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash(pub [u8; HASH_LENGTH]);

/// The root of the empty tree, `SHA-256("")`.
pub const EMPTY_TREE_HASH: Hash = Hash([
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
]);

/// Why bytes or text could not be read as a [`Hash`](struct@Hash).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashDecodeError {
    #[error("a hash must be {HASH_LENGTH} bytes, got {length}")]
    WrongLength { length: usize },
    #[error("a hash must be standard base64 with padding: {reason}")]
    InvalidBase64 { reason: String },
}

impl Hash {
    /// Reads a hash from exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Hash, HashDecodeError> {
        let array: [u8; HASH_LENGTH] =
            bytes.try_into().map_err(|_| HashDecodeError::WrongLength {
                length: bytes.len(),
            })?;
        Ok(Hash(array))
    }

    /// Reads a hash from standard base64 with padding (the encoding of checkpoints and
    /// tlog-proof lines).
    pub fn from_base64(text: &str) -> Result<Hash, HashDecodeError> {
        let bytes =
            BASE64_STANDARD
                .decode(text)
                .map_err(|error| HashDecodeError::InvalidBase64 {
                    reason: error.to_string(),
                })?;
        Hash::from_slice(&bytes)
    }

    /// Standard base64 with padding.
    pub fn to_base64(&self) -> String {
        BASE64_STANDARD.encode(self.0)
    }

    /// Lowercase hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    pub fn as_bytes(&self) -> &[u8; HASH_LENGTH] {
        &self.0
    }
}

impl AsRef<[u8]> for Hash {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<[u8; HASH_LENGTH]> for Hash {
    fn from(bytes: [u8; HASH_LENGTH]) -> Hash {
        Hash(bytes)
    }
}

impl std::fmt::Debug for Hash {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "Hash({})", self.to_hex())
    }
}

impl std::fmt::Display for Hash {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.to_hex())
    }
}

/// `SHA-256(0x00 || entry)`: the hash of a log entry.
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x00]);
    hasher.update(entry);
    Hash(hasher.finalize().into())
}

/// `SHA-256(0x01 || left || right)`: the hash of an interior node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    node_hash_of_bytes(&left.0, &right.0)
}

/// `SHA-256(0x01 || left || right)` over arbitrary byte strings. Proof verifiers use it so that
/// they can follow the public vectors exactly; everything else uses [`node_hash`].
pub fn node_hash_of_bytes(left: &[u8], right: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x01]);
    hasher.update(left);
    hasher.update(right);
    Hash(hasher.finalize().into())
}

/// `SHA-256(bytes)`, for key ids and origins.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}
