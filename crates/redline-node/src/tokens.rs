//! API tokens: issued once in the clear, stored only as an Argon2id hash.
//!
//! A token reads `rl_<token id>_<secret>`. The token id finds the credential; the secret is
//! checked against its Argon2id hash. Argon2 is slow on purpose, so a token that verified once is
//! remembered by its SHA-256 for the life of the process. Revocation through this node takes
//! effect at once; the credential is re-read from the store at least every
//! [`REVOCATION_RECHECK`], so a revocation made by another process (the operator's CLI on the
//! same database) takes effect within that time.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use argon2::{
    Argon2,
    password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash},
};
use base64::Engine;
use sha2::{Digest, Sha256};

use redline_model::PartyId;
use redline_store::Credential;

use crate::{Caller, Node, NodeError, random_bytes};

const TOKEN_PREFIX: &str = "rl_";
const MAXIMUM_CACHED_TOKENS: usize = 100_000;
/// How long a verified token is trusted before its credential is read again.
pub const REVOCATION_RECHECK: Duration = Duration::from_secs(1);

/// A freshly issued token. `token` is shown once and never stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IssuedToken {
    pub party: PartyId,
    pub token_id: String,
    pub token: String,
    pub label: String,
}

struct VerifiedToken {
    digest: [u8; 32],
    party: PartyId,
    checked_at: Instant,
}

#[derive(Default)]
pub(crate) struct VerifiedTokenCache {
    verified: Mutex<HashMap<String, VerifiedToken>>,
    /// One gate per token id being verified, so that a burst of requests with a token not yet
    /// verified runs Argon2 once, not once per request (each run is about 20 ms of CPU).
    gates: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl VerifiedTokenCache {
    /// The party of a token verified earlier, if its digest matches.
    fn lookup(&self, token_id: &str, digest: &[u8; 32]) -> Option<(PartyId, Instant)> {
        let map = self.verified.lock().ok()?;
        let entry = map.get(token_id)?;
        (entry.digest == *digest).then(|| (entry.party.clone(), entry.checked_at))
    }

    /// The gate that verifications of `token_id` pass one at a time.
    fn gate(&self, token_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        match self.gates.lock() {
            Ok(mut gates) => {
                if gates.len() >= MAXIMUM_CACHED_TOKENS {
                    gates.clear();
                }
                Arc::clone(gates.entry(token_id.to_string()).or_default())
            }
            Err(_) => Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    fn remember(&self, token_id: &str, digest: [u8; 32], party: PartyId) {
        if let Ok(mut map) = self.verified.lock() {
            if map.len() >= MAXIMUM_CACHED_TOKENS {
                map.clear();
            }
            map.insert(
                token_id.to_string(),
                VerifiedToken {
                    digest,
                    party,
                    checked_at: Instant::now(),
                },
            );
        }
    }

    fn forget(&self, token_id: &str) {
        if let Ok(mut map) = self.verified.lock() {
            map.remove(token_id);
        }
    }
}

fn split_token(token: &str) -> Option<(&str, &str)> {
    let rest = token.strip_prefix(TOKEN_PREFIX)?;
    let (token_id, secret) = rest.split_once('_')?;
    let id_ok = token_id.len() == 16 && token_id.bytes().all(|byte| byte.is_ascii_hexdigit());
    let secret_ok = (20..=100).contains(&secret.len())
        && secret
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
    (id_ok && secret_ok).then_some((token_id, secret))
}

impl Node {
    /// Issues a new API token for a party (operator only). The returned token is the only copy.
    pub async fn issue_token(
        &self,
        caller: &Caller,
        party: &PartyId,
        label: &str,
    ) -> Result<IssuedToken, NodeError> {
        Self::require_operator_for_tokens(caller)?;
        self.get_party(party).await?;
        let token_id = hex::encode(random_bytes::<8>()?);
        let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>()?);
        let secret_for_hash = secret.clone();
        let secret_hash = tokio::task::spawn_blocking(move || {
            Argon2::default()
                .hash_password(secret_for_hash.as_bytes())
                .map(|hash| hash.to_string())
        })
        .await
        .map_err(|error| NodeError::Internal(format!("hashing task failed: {error}")))?
        .map_err(|error| NodeError::Internal(format!("hashing the token failed: {error}")))?;
        let credential = Credential {
            token_id: token_id.clone(),
            party_id: party.clone(),
            secret_hash,
            label: label.to_string(),
            created_at: self.now(),
            revoked_at: None,
        };
        self.store.insert_credential(&credential).await?;
        tracing::info!(party = %party, token_id, "API token issued");
        Ok(IssuedToken {
            party: party.clone(),
            token: format!("{TOKEN_PREFIX}{token_id}_{secret}"),
            token_id,
            label: label.to_string(),
        })
    }

    fn require_operator_for_tokens(caller: &Caller) -> Result<(), NodeError> {
        match caller {
            Caller::Operator => Ok(()),
            Caller::Party(party) => Err(NodeError::Forbidden(format!(
                "only the node's operator may issue or revoke tokens; {party} is a party"
            ))),
        }
    }

    /// Revokes a token (operator only); it stops working at once.
    pub async fn revoke_token(&self, caller: &Caller, token_id: &str) -> Result<(), NodeError> {
        Self::require_operator_for_tokens(caller)?;
        self.store.revoke_credential(token_id, self.now()).await?;
        self.verified_tokens.forget(token_id);
        Ok(())
    }

    /// Finds the party a bearer token belongs to.
    pub async fn authenticate(&self, token: &str) -> Result<PartyId, NodeError> {
        let Some((token_id, secret)) = split_token(token) else {
            return Err(NodeError::Unauthenticated(
                "the token is not a redline API token (rl_<id>_<secret>)".into(),
            ));
        };
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let cached = self.verified_tokens.lookup(token_id, &digest);
        if let Some((party, checked_at)) = &cached
            && checked_at.elapsed() < REVOCATION_RECHECK
        {
            return Ok(party.clone());
        }
        let credential = self
            .store
            .get_credential(token_id)
            .await?
            .ok_or_else(|| NodeError::Unauthenticated("unknown or invalid token".into()))?;
        if credential.revoked_at.is_some() {
            self.verified_tokens.forget(token_id);
            return Err(NodeError::Unauthenticated("the token was revoked".into()));
        }
        // Requests that arrive together with the same new token wait here for the first one's
        // verification instead of each running Argon2; the gate is held until it is remembered.
        let gate;
        let _verifying;
        if cached.is_none() {
            gate = self.verified_tokens.gate(token_id);
            _verifying = gate.lock().await;
            if self.verified_tokens.lookup(token_id, &digest).is_some() {
                return Ok(credential.party_id);
            }
            let secret = secret.to_string();
            let stored_hash = credential.secret_hash.clone();
            let verified = tokio::task::spawn_blocking(move || {
                PasswordHash::new(&stored_hash)
                    .map(|hash| {
                        Argon2::default()
                            .verify_password(secret.as_bytes(), &hash)
                            .is_ok()
                    })
                    .unwrap_or(false)
            })
            .await
            .map_err(|error| NodeError::Internal(format!("verification task failed: {error}")))?;
            if !verified {
                return Err(NodeError::Unauthenticated(
                    "unknown or invalid token".into(),
                ));
            }
        }
        self.verified_tokens
            .remember(token_id, digest, credential.party_id.clone());
        Ok(credential.party_id)
    }
}

#[cfg(test)]
mod tests {
    use super::split_token;

    #[test]
    fn token_shape_is_checked_before_any_lookup() {
        assert!(
            split_token("rl_0123456789abcdef_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
                .is_some()
        );
        for bad in [
            "",
            "rl_",
            "Bearer x",
            "rl_0123_abc",
            "rl_0123456789abcdef_short",
            "rl_0123456789abcdeg_abcdefghijklmnopqrstuvwxyz",
        ] {
            assert!(split_token(bad).is_none(), "{bad}");
        }
    }
}
