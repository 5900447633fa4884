//! Console sessions in the SQL store (`console_sessions`, migration 0011): one row per
//! signed-in browser, found by the SHA-256 of the session's secret (never the secret), naming
//! the party and the id of the API token it was opened with (never the token's secret). Which
//! sessions to end and whether a session is still good are the node's decisions; the store keeps
//! the rows and counts them.

use async_trait::async_trait;
use sqlx::{AnyConnection, Row};

use redline_model::{PartyId, Timestamp};

use crate::StoreError;
use crate::sql_helpers::classify;

/// Console sessions: opened, read on every request, closed.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Stores a new session, ending `opening.ending` and every session expired by
    /// `opening.session.created_at` in the same transaction.
    async fn open_session(&self, opening: &SessionOpening) -> Result<(), StoreError>;
    /// The session whose secret has this SHA-256 (hex), expired or not.
    async fn get_session(&self, secret_sha256: &str) -> Result<Option<StoredSession>, StoreError>;
    /// How many sessions not expired at `now` there are in all and from `client_address`.
    async fn count_live_sessions(
        &self,
        client_address: Option<&str>,
        now: Timestamp,
    ) -> Result<LiveSessionCounts, StoreError>;
    /// The secret digests of `party`'s sessions not expired at `now`, oldest first.
    async fn list_live_sessions_of_party(
        &self,
        party: &PartyId,
        now: Timestamp,
    ) -> Result<Vec<String>, StoreError>;
    /// Records that a session was used at `at`.
    async fn touch_session(&self, secret_sha256: &str, at: Timestamp) -> Result<(), StoreError>;
    /// Ends the sessions with these secret digests (those already gone are ignored).
    async fn close_sessions(&self, secret_sha256s: &[String]) -> Result<(), StoreError>;
    /// Ends every session opened with the API token `token_id`.
    async fn close_sessions_of_token(&self, token_id: &str) -> Result<(), StoreError>;
}

/// One console session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// Hex SHA-256 of the session's secret.
    pub secret_sha256: String,
    pub party: PartyId,
    /// The id of the API token the session was opened with.
    pub token_id: String,
    /// The client address that signed in, when the server knew it.
    pub client_address: Option<String>,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
}

/// A session to store and the sessions its opening ends (the party's own oldest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionOpening {
    pub session: StoredSession,
    /// Secret digests of sessions ended to make room.
    pub ending: Vec<String>,
}

/// Sessions not expired, in all and from one client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LiveSessionCounts {
    pub total: u64,
    pub from_address: u64,
}

pub(crate) async fn insert(
    connection: &mut AnyConnection,
    opening: &SessionOpening,
) -> Result<(), StoreError> {
    let session = &opening.session;
    sqlx::query("DELETE FROM console_sessions WHERE expires_at_us <= $1")
        .bind(session.created_at.as_microseconds())
        .execute(&mut *connection)
        .await?;
    delete(connection, &opening.ending).await?;
    sqlx::query(
        "INSERT INTO console_sessions (secret_sha256, party_id, token_id, client_address, created_at_us, last_seen_at_us, expires_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(session.secret_sha256.as_str())
    .bind(session.party.as_str())
    .bind(session.token_id.as_str())
    .bind(session.client_address.clone())
    .bind(session.created_at.as_microseconds())
    .bind(session.last_seen_at.as_microseconds())
    .bind(session.expires_at.as_microseconds())
    .execute(&mut *connection)
    .await
    .map_err(|error| classify(error, || format!("a console session of {}", session.party)))?;
    Ok(())
}

pub(crate) async fn delete(
    connection: &mut AnyConnection,
    secret_sha256s: &[String],
) -> Result<(), StoreError> {
    for secret_sha256 in secret_sha256s {
        sqlx::query("DELETE FROM console_sessions WHERE secret_sha256 = $1")
            .bind(secret_sha256.as_str())
            .execute(&mut *connection)
            .await?;
    }
    Ok(())
}

pub(crate) async fn delete_of_token(
    connection: &mut AnyConnection,
    token_id: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM console_sessions WHERE token_id = $1")
        .bind(token_id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

pub(crate) async fn touch(
    connection: &mut AnyConnection,
    secret_sha256: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE console_sessions SET last_seen_at_us = $1 WHERE secret_sha256 = $2")
        .bind(at.as_microseconds())
        .bind(secret_sha256)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

fn session_from_row(row: &sqlx::any::AnyRow) -> Result<StoredSession, StoreError> {
    let corrupt = |message: String| StoreError::Corrupt {
        what: "console session".to_string(),
        message,
    };
    let time = |column: &str| -> Result<Timestamp, StoreError> {
        let microseconds: i64 = row.try_get(column)?;
        Timestamp::from_microseconds(microseconds).map_err(corrupt)
    };
    let party: String = row.try_get("party_id")?;
    Ok(StoredSession {
        secret_sha256: row.try_get("secret_sha256")?,
        party: PartyId::parse(&party).map_err(corrupt)?,
        token_id: row.try_get("token_id")?,
        client_address: row.try_get("client_address")?,
        created_at: time("created_at_us")?,
        last_seen_at: time("last_seen_at_us")?,
        expires_at: time("expires_at_us")?,
    })
}

pub(crate) async fn get(
    pool: &sqlx::AnyPool,
    secret_sha256: &str,
) -> Result<Option<StoredSession>, StoreError> {
    let row = sqlx::query(
        "SELECT secret_sha256, party_id, token_id, client_address, created_at_us, last_seen_at_us, expires_at_us FROM console_sessions WHERE secret_sha256 = $1",
    )
    .bind(secret_sha256)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(session_from_row).transpose()
}

pub(crate) async fn count_live(
    pool: &sqlx::AnyPool,
    client_address: Option<&str>,
    now: Timestamp,
) -> Result<LiveSessionCounts, StoreError> {
    let total: i64 =
        sqlx::query("SELECT COUNT(*) AS total FROM console_sessions WHERE expires_at_us > $1")
            .bind(now.as_microseconds())
            .fetch_one(pool)
            .await?
            .try_get("total")?;
    let from_address: i64 = match client_address {
        Some(address) => sqlx::query(
            "SELECT COUNT(*) AS total FROM console_sessions WHERE client_address = $1 AND expires_at_us > $2",
        )
        .bind(address)
        .bind(now.as_microseconds())
        .fetch_one(pool)
        .await?
        .try_get("total")?,
        None => 0,
    };
    Ok(LiveSessionCounts {
        total: u64::try_from(total).unwrap_or(0),
        from_address: u64::try_from(from_address).unwrap_or(0),
    })
}

pub(crate) async fn list_live_of_party(
    pool: &sqlx::AnyPool,
    party: &PartyId,
    now: Timestamp,
) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query(
        "SELECT secret_sha256 FROM console_sessions WHERE party_id = $1 AND expires_at_us > $2 ORDER BY created_at_us, sequence",
    )
    .bind(party.as_str())
    .bind(now.as_microseconds())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| Ok(row.try_get("secret_sha256")?))
        .collect()
}
