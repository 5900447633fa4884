//! A party's signing keys over time: registration, revocation and rotation, as pure updates.
//!
//! A party signs with one or more Ed25519 keys (`PartyKey` of redline-model). Rotation adds a new
//! key and revokes an old one, with a reason and a time, in one step. Keys are never deleted:
//! old messages stay verifiable and the record shows when each key stopped being trusted.
//! Verification (`verify`) refuses a signature by a key revoked at or before the message's
//! `sent_at` or the time of reception. The node stores the returned list; nothing here reads a
//! clock.

use redline_model::{PartyId, PartyKey, Timestamp};

use crate::envelope::{key_id_for, verifying_key_of};

/// The longest revocation reason, in characters.
pub const MAXIMUM_REVOCATION_REASON_CHARACTERS: usize = 500;

/// Why a key change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyChangeError {
    #[error("public_key: not a usable Ed25519 public key: {reason}")]
    UnusablePublicKey { reason: String },
    #[error("key_id: `{stated}` does not match the public key, whose key id is `{expected}`")]
    KeyIdDoesNotMatch { stated: String, expected: String },
    #[error("key `{key_id}` is already registered")]
    AlreadyRegistered { key_id: String },
    #[error(
        "public_key: key `{key_id}` belongs to another party; a public key may belong to one party only"
    )]
    KeyOfAnotherParty { key_id: String },
    #[error("key `{key_id}` is not registered")]
    UnknownKey { key_id: String },
    #[error("key `{key_id}` was already revoked at {revoked_at}")]
    AlreadyRevoked {
        key_id: String,
        revoked_at: Timestamp,
    },
    #[error(
        "revocation_reason: a reason of 1 to {MAXIMUM_REVOCATION_REASON_CHARACTERS} characters is required"
    )]
    ReasonRequired,
    #[error("revoked_at: {revoked_at} is before the key was added ({added_at})")]
    RevokedBeforeAdded {
        revoked_at: Timestamp,
        added_at: Timestamp,
    },
}

/// A public key belongs to one party only: `party` may register `key_id` unless another party
/// registered it first (`current_owner`, who registered it if anyone). Otherwise a signature
/// could be read as either party's, and a refusal would name the wrong owner.
pub fn check_key_not_claimed(
    party: &PartyId,
    key_id: &str,
    current_owner: Option<&PartyId>,
) -> Result<(), KeyChangeError> {
    match current_owner {
        Some(owner) if owner != party => Err(KeyChangeError::KeyOfAnotherParty {
            key_id: key_id.to_string(),
        }),
        _ => Ok(()),
    }
}

/// Whether a key may sign at `at`: it was added at or before `at` and not revoked by then.
pub fn key_is_current_at(key: &PartyKey, at: Timestamp) -> bool {
    key.added_at <= at && key.revoked_at.is_none_or(|revoked_at| at < revoked_at)
}

/// `keys` with `new_key` added, after checking its public key and key id.
pub fn register_key(keys: &[PartyKey], new_key: PartyKey) -> Result<Vec<PartyKey>, KeyChangeError> {
    let verifying_key = verifying_key_of(&new_key)
        .map_err(|reason| KeyChangeError::UnusablePublicKey { reason })?;
    let expected = key_id_for(&verifying_key);
    if new_key.key_id != expected {
        return Err(KeyChangeError::KeyIdDoesNotMatch {
            stated: new_key.key_id,
            expected,
        });
    }
    if keys.iter().any(|key| key.key_id == new_key.key_id) {
        return Err(KeyChangeError::AlreadyRegistered {
            key_id: new_key.key_id,
        });
    }
    let mut updated = keys.to_vec();
    updated.push(PartyKey {
        revoked_at: None,
        revocation_reason: None,
        ..new_key
    });
    Ok(updated)
}

/// `keys` with `key_id` revoked at `revoked_at` for `reason`.
pub fn revoke_key(
    keys: &[PartyKey],
    key_id: &str,
    reason: &str,
    revoked_at: Timestamp,
) -> Result<Vec<PartyKey>, KeyChangeError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAXIMUM_REVOCATION_REASON_CHARACTERS {
        return Err(KeyChangeError::ReasonRequired);
    }
    let mut updated = keys.to_vec();
    let key = updated
        .iter_mut()
        .find(|key| key.key_id == key_id)
        .ok_or_else(|| KeyChangeError::UnknownKey {
            key_id: key_id.to_string(),
        })?;
    if let Some(already) = key.revoked_at {
        return Err(KeyChangeError::AlreadyRevoked {
            key_id: key_id.to_string(),
            revoked_at: already,
        });
    }
    if revoked_at < key.added_at {
        return Err(KeyChangeError::RevokedBeforeAdded {
            revoked_at,
            added_at: key.added_at,
        });
    }
    key.revoked_at = Some(revoked_at);
    key.revocation_reason = Some(reason.to_string());
    Ok(updated)
}

/// Rotation: registers `new_key` and revokes `old_key_id` at `at`, both or neither.
pub fn rotate_key(
    keys: &[PartyKey],
    new_key: PartyKey,
    old_key_id: &str,
    reason: &str,
    at: Timestamp,
) -> Result<Vec<PartyKey>, KeyChangeError> {
    let with_new_key = register_key(keys, new_key)?;
    revoke_key(&with_new_key, old_key_id, reason, at)
}
