//! Console sessions, kept in the database so that a restart signs no one out and a session
//! opened on one process is good on every process over the same database.
//!
//! Signing in with an API token opens a session: a random 256-bit secret for the browser's
//! cookie, of which the store keeps only the SHA-256, with the party and the id of the token
//! (never the token's secret). Every request re-reads that token's credential, so a revoked
//! token ends its sessions on every process at once. The session's CSRF token is derived from
//! its secret, so it is never stored either. Limits: per client address (refused past it, never
//! evicting, since a proxy may put several parties behind one address), per party (that party's
//! own oldest session ends), per node (refused past it); no session of another party is ever
//! ended to make room.

use base64::Engine;
use sha2::{Digest, Sha256};

use redline_model::{PartyId, Timestamp};
use redline_store::{SessionOpening, StoredSession};

use crate::{Node, NodeError, random_bytes};

/// A session ends this long after sign-in.
pub const SESSION_LIFETIME_SECONDS: i64 = 8 * 3600;
/// The most sessions kept at once; past it, new sign-ins are refused until sessions end.
pub const MAXIMUM_SESSIONS: u64 = 10_000;
/// The most sessions one party keeps; a new sign-in past it ends that party's own oldest.
pub const MAXIMUM_SESSIONS_PER_PARTY: usize = 64;
/// The most sessions signed in from one client address; past it, sign-ins from it are refused.
pub const MAXIMUM_SESSIONS_PER_ADDRESS: u64 = 256;
/// A session's last use is written at most this often (seconds), not on every request.
const LAST_SEEN_RESOLUTION_SECONDS: i64 = 60;

/// A session just opened: `secret` goes into the cookie and is nowhere else.
#[derive(Debug, Clone)]
pub struct OpenedSession {
    pub secret: String,
    pub party: PartyId,
    pub csrf: String,
    pub expires_at: Timestamp,
}

/// The party of a current session and the CSRF token its forms carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionParty {
    pub party: PartyId,
    pub csrf: String,
}

/// Why no session was opened.
#[derive(Debug, thiserror::Error)]
pub enum SessionRefusal {
    /// The token is not a valid, current API token.
    #[error("{0}")]
    Unauthenticated(String),
    /// Too many sessions from this client address.
    #[error("too many console sessions from this address; sign out elsewhere or wait")]
    AddressFull,
    /// The node holds as many sessions as it keeps.
    #[error("the node holds as many console sessions as it keeps; try again later")]
    NodeFull,
    /// The store or the OS failed.
    #[error(transparent)]
    Node(NodeError),
}

impl From<NodeError> for SessionRefusal {
    fn from(error: NodeError) -> Self {
        match error {
            NodeError::Unauthenticated(message) => SessionRefusal::Unauthenticated(message),
            other => SessionRefusal::Node(other),
        }
    }
}

impl From<redline_store::StoreError> for SessionRefusal {
    fn from(error: redline_store::StoreError) -> Self {
        SessionRefusal::Node(error.into())
    }
}

/// The hex SHA-256 of a session secret: what the store finds a session by.
fn secret_digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// The CSRF token of a session, derived from its secret (a domain-separated SHA-256).
fn csrf_of_secret(secret: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"redline console csrf\n");
    hasher.update(secret.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hasher.finalize())
}

/// The token id of a token `authenticate` accepted (`rl_<token id>_<secret>`).
fn token_id_of(token: &str) -> Option<&str> {
    let rest = token.strip_prefix("rl_")?;
    rest.split_once('_').map(|(token_id, _)| token_id)
}

impl Node {
    /// Signs in with an API token: a new session for its party within the limits (per address
    /// refused, per party its own oldest ended, per node refused).
    pub async fn open_session(
        &self,
        token: &str,
        client_address: Option<std::net::IpAddr>,
    ) -> Result<OpenedSession, SessionRefusal> {
        let party = self.authenticate(token).await?;
        let token_id = token_id_of(token)
            .ok_or_else(|| SessionRefusal::Unauthenticated("not a redline API token".into()))?
            .to_string();
        let now = self.now();
        let client_address = client_address.map(|address| address.to_string());
        let ending = self
            .sessions_to_end_for(&party, client_address.as_deref(), now)
            .await?;
        let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>()?);
        let expires_at = now
            .plus_seconds(SESSION_LIFETIME_SECONDS)
            .ok_or_else(|| NodeError::Internal("the session's end is out of range".into()))?;
        let opening = SessionOpening {
            session: StoredSession {
                secret_sha256: secret_digest(&secret),
                party: party.clone(),
                token_id,
                client_address,
                created_at: now,
                last_seen_at: now,
                expires_at,
            },
            ending,
        };
        self.store.open_session(&opening).await?;
        Ok(OpenedSession {
            csrf: csrf_of_secret(&secret),
            secret,
            party,
            expires_at,
        })
    }

    /// The sessions a new one of `party` ends (its own oldest, past the per-party limit), or why
    /// it may not open.
    async fn sessions_to_end_for(
        &self,
        party: &PartyId,
        client_address: Option<&str>,
        now: Timestamp,
    ) -> Result<Vec<String>, SessionRefusal> {
        let counts = self.store.count_live_sessions(client_address, now).await?;
        if client_address.is_some() && counts.from_address >= MAXIMUM_SESSIONS_PER_ADDRESS {
            return Err(SessionRefusal::AddressFull);
        }
        let own = self.store.list_live_sessions_of_party(party, now).await?;
        if own.len() >= MAXIMUM_SESSIONS_PER_PARTY {
            let surplus = own.len() + 1 - MAXIMUM_SESSIONS_PER_PARTY;
            return Ok(own.into_iter().take(surplus).collect());
        }
        if counts.total >= MAXIMUM_SESSIONS {
            return Err(SessionRefusal::NodeFull);
        }
        Ok(Vec::new())
    }

    /// The party of the session with this secret, if it is current and its token is neither
    /// revoked nor gone; an expired session, or every session of a revoked token, is ended.
    pub async fn session_party(&self, secret: &str) -> Result<Option<SessionParty>, NodeError> {
        let digest = secret_digest(secret);
        let Some(session) = self.store.get_session(&digest).await? else {
            return Ok(None);
        };
        let now = self.now();
        if session.expires_at <= now {
            self.store.close_sessions(&[digest]).await?;
            return Ok(None);
        }
        let credential = self.store.get_credential(&session.token_id).await?;
        let token_current = credential.is_some_and(|credential| {
            credential.revoked_at.is_none() && credential.party_id == session.party
        });
        if !token_current {
            self.store
                .close_sessions_of_token(&session.token_id)
                .await?;
            return Ok(None);
        }
        self.note_session_seen(&session, now).await?;
        Ok(Some(SessionParty {
            party: session.party,
            csrf: csrf_of_secret(secret),
        }))
    }

    /// Writes a session's last use, at most once a [`LAST_SEEN_RESOLUTION_SECONDS`].
    async fn note_session_seen(
        &self,
        session: &StoredSession,
        now: Timestamp,
    ) -> Result<(), NodeError> {
        let seen_long_ago = now.as_microseconds() - session.last_seen_at.as_microseconds()
            >= LAST_SEEN_RESOLUTION_SECONDS * 1_000_000;
        if seen_long_ago {
            self.store
                .touch_session(&session.secret_sha256, now)
                .await?;
        }
        Ok(())
    }

    /// Signs out: ends the session with this secret (nothing if there is none).
    pub async fn close_session(&self, secret: &str) -> Result<(), NodeError> {
        self.store.close_sessions(&[secret_digest(secret)]).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csrf_token_and_the_stored_digest_differ_from_the_secret_and_each_other() {
        let secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA";
        let digest = secret_digest(secret);
        let csrf = csrf_of_secret(secret);
        assert_eq!(digest.len(), 64);
        assert_ne!(csrf, secret);
        assert!(!digest.contains(secret) && !csrf.contains(&digest[..8]));
        assert_eq!(csrf, csrf_of_secret(secret));
    }

    #[test]
    fn token_ids_are_read_from_tokens() {
        assert_eq!(
            token_id_of("rl_0123456789abcdef_secret"),
            Some("0123456789abcdef")
        );
        assert_eq!(token_id_of("Bearer x"), None);
    }
}
