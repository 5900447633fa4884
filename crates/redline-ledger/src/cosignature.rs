//! C2SP tlog-cosignature/v1 (<https://c2sp.org/tlog-cosignature@v1.0.1>), Ed25519 only:
//! a witness's timestamped signature line on a checkpoint. Verifying cosignatures from the
//! witnesses we trust, and producing them when our node acts as a witness.
//!
//! Key id: `SHA-256(name || 0x0A || 0x04 || public key)[:4]`. Signature payload after the key
//! id: big-endian `u64` POSIX seconds, then the 64-byte Ed25519 signature over
//! `cosignature/v1\ntime <seconds>\n<checkpoint body>`.

use ed25519_dalek::Signer as _;

use crate::note::{
    KeyId, KeyParseError, NamedEd25519Key, NoteSignature, NoteVerifier, named_key_id,
};

/// Signature type byte of Ed25519 `cosignature/v1`.
pub const COSIGNATURE_V1_TYPE: u8 = 0x04;
/// Length of a cosignature payload after the key id: timestamp and signature.
pub const COSIGNATURE_V1_SIGNATURE_LENGTH: usize = 8 + 64;
/// Largest timestamp the format allows.
pub const MAX_COSIGNATURE_TIMESTAMP: u64 = (1 << 63) - 1;

/// Why a cosignature was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CosignatureError {
    #[error("cosignature by {key_name:?} is for another key (name or key id differs)")]
    NotThisKey { key_name: String },
    #[error(
        "cosignature by {key_name:?} is {length} bytes after the key id, expected {COSIGNATURE_V1_SIGNATURE_LENGTH}"
    )]
    WrongLength { key_name: String, length: usize },
    #[error("cosignature by {key_name:?} has timestamp {timestamp}, above 2^63-1")]
    TimestampOutOfRange { key_name: String, timestamp: u64 },
    #[error("cosignature by {key_name:?} (time {timestamp}) does not verify")]
    InvalidSignature { key_name: String, timestamp: u64 },
}

/// The exact message a `cosignature/v1` signs.
pub fn cosigned_message(checkpoint_body: &str, timestamp: u64) -> Vec<u8> {
    format!("cosignature/v1\ntime {timestamp}\n{checkpoint_body}").into_bytes()
}

/// Verifies Ed25519 `cosignature/v1` lines of one witness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosignatureVerifier {
    key: NamedEd25519Key,
}

impl CosignatureVerifier {
    pub fn new(
        key_name: &str,
        verifying_key: ed25519_dalek::VerifyingKey,
    ) -> Result<Self, KeyParseError> {
        Ok(CosignatureVerifier {
            key: NamedEd25519Key::new(key_name, COSIGNATURE_V1_TYPE, verifying_key)?,
        })
    }

    /// Parses a verifier key string `<name>+<hex id>+<base64(0x04 || key)>`.
    pub fn from_vkey(vkey: &str) -> Result<Self, KeyParseError> {
        Ok(CosignatureVerifier {
            key: NamedEd25519Key::from_vkey(vkey, COSIGNATURE_V1_TYPE)?,
        })
    }

    pub fn to_vkey(&self) -> String {
        self.key.to_vkey(COSIGNATURE_V1_TYPE)
    }

    pub fn key_name(&self) -> &str {
        &self.key.key_name
    }

    pub fn key_id(&self) -> KeyId {
        self.key.key_id
    }

    /// Checks `signature` over `checkpoint_body` and returns its timestamp.
    pub fn verify_cosignature(
        &self,
        checkpoint_body: &str,
        signature: &NoteSignature,
    ) -> Result<u64, CosignatureError> {
        if signature.key_name != self.key.key_name || signature.key_id != self.key.key_id {
            return Err(CosignatureError::NotThisKey {
                key_name: signature.key_name.clone(),
            });
        }
        self.verify_payload(checkpoint_body, &signature.signature)
    }

    fn verify_payload(
        &self,
        checkpoint_body: &str,
        payload: &[u8],
    ) -> Result<u64, CosignatureError> {
        let key_name = self.key.key_name.clone();
        let Some((timestamp_bytes, signature_bytes)) = payload.split_first_chunk::<8>() else {
            return Err(CosignatureError::WrongLength {
                key_name,
                length: payload.len(),
            });
        };
        if payload.len() != COSIGNATURE_V1_SIGNATURE_LENGTH {
            return Err(CosignatureError::WrongLength {
                key_name,
                length: payload.len(),
            });
        }
        let timestamp = u64::from_be_bytes(*timestamp_bytes);
        if timestamp > MAX_COSIGNATURE_TIMESTAMP {
            return Err(CosignatureError::TimestampOutOfRange {
                key_name,
                timestamp,
            });
        }
        let message = cosigned_message(checkpoint_body, timestamp);
        let valid = ed25519_dalek::Signature::from_slice(signature_bytes)
            .map(|signature| {
                self.key
                    .verifying_key
                    .verify_strict(&message, &signature)
                    .is_ok()
            })
            .unwrap_or(false);
        if !valid {
            return Err(CosignatureError::InvalidSignature {
                key_name,
                timestamp,
            });
        }
        Ok(timestamp)
    }
}

/// Lets cosignature verifiers take part in [`crate::note::Note::verify`]: the note text is the
/// checkpoint body.
impl NoteVerifier for CosignatureVerifier {
    fn key_name(&self) -> &str {
        &self.key.key_name
    }
    fn key_id(&self) -> KeyId {
        self.key.key_id
    }
    fn verify(&self, text: &[u8], signature: &[u8]) -> bool {
        match std::str::from_utf8(text) {
            Ok(body) => self.verify_payload(body, signature).is_ok(),
            Err(_) => false,
        }
    }
}

/// Produces `cosignature/v1` lines when our node acts as a witness.
#[derive(Clone)]
pub struct CosignatureSigner {
    key_name: String,
    key_id: KeyId,
    signing_key: ed25519_dalek::SigningKey,
}

impl std::fmt::Debug for CosignatureSigner {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("CosignatureSigner")
            .field("key_name", &self.key_name)
            .field("key_id", &hex::encode(self.key_id))
            .finish_non_exhaustive()
    }
}

impl CosignatureSigner {
    /// A cosigner from a 32-byte Ed25519 seed. Never reuse a log or another cosigner's key:
    /// the signed message does not bind the cosigner name.
    pub fn from_seed(key_name: &str, seed: &[u8; 32]) -> Result<Self, KeyParseError> {
        let signing_key = ed25519_dalek::SigningKey::from_bytes(seed);
        let key_id = named_key_id(
            key_name,
            COSIGNATURE_V1_TYPE,
            signing_key.verifying_key().as_bytes(),
        )?;
        Ok(CosignatureSigner {
            key_name: key_name.to_owned(),
            key_id,
            signing_key,
        })
    }

    pub fn verifier(&self) -> CosignatureVerifier {
        CosignatureVerifier {
            key: NamedEd25519Key {
                key_name: self.key_name.clone(),
                key_id: self.key_id,
                verifying_key: self.signing_key.verifying_key(),
            },
        }
    }

    /// Cosigns `checkpoint_body` as of `timestamp` (POSIX seconds, passed in by the caller).
    pub fn cosign(
        &self,
        checkpoint_body: &str,
        timestamp: u64,
    ) -> Result<NoteSignature, CosignatureError> {
        if timestamp > MAX_COSIGNATURE_TIMESTAMP {
            return Err(CosignatureError::TimestampOutOfRange {
                key_name: self.key_name.clone(),
                timestamp,
            });
        }
        let signature = self
            .signing_key
            .sign(&cosigned_message(checkpoint_body, timestamp));
        let mut payload = Vec::with_capacity(COSIGNATURE_V1_SIGNATURE_LENGTH);
        payload.extend_from_slice(&timestamp.to_be_bytes());
        payload.extend_from_slice(&signature.to_bytes());
        Ok(NoteSignature {
            key_name: self.key_name.clone(),
            key_id: self.key_id,
            signature: payload,
        })
    }
}
