//! Parties, their signing keys and their API credentials in the SQL store: the [`PartyStore`]
//! area. A party is kept as its JSON record without keys; its keys are rows of their own (added,
//! revoked, never deleted), so a key's owner is found without reading any party.

use std::collections::BTreeMap;

use async_trait::async_trait;
use sqlx::{AnyConnection, Row};

use crate::sql_helpers::{classify, corrupt, from_json_text, timestamp_from_column, to_json_text};
use crate::{Credential, StoreError};
use redline_model::{Party, PartyId, PartyKey, Timestamp};

/// The parties of a node, their keys and their API credentials.
#[async_trait]
pub trait PartyStore: Send + Sync {
    async fn insert_party(&self, party: &Party) -> Result<(), StoreError>;
    async fn get_party(&self, id: &PartyId) -> Result<Option<Party>, StoreError>;
    async fn list_parties(&self) -> Result<Vec<Party>, StoreError>;
    /// Which of `ids` are not parties of this node, in the order given.
    async fn missing_parties(&self, ids: &[PartyId]) -> Result<Vec<PartyId>, StoreError>;
    async fn add_party_key(&self, party: &PartyId, key: &PartyKey) -> Result<(), StoreError>;
    /// Marks a key of a party revoked at `at` for `reason`. Not found if it is not a current
    /// key of that party.
    async fn revoke_party_key(
        &self,
        party: &PartyId,
        key_id: &str,
        at: Timestamp,
        reason: &str,
    ) -> Result<(), StoreError>;
    /// Which party registered a key id, if any.
    async fn key_owner(&self, key_id: &str) -> Result<Option<PartyId>, StoreError>;

    async fn insert_credential(&self, credential: &Credential) -> Result<(), StoreError>;
    async fn get_credential(&self, token_id: &str) -> Result<Option<Credential>, StoreError>;
    async fn revoke_credential(&self, token_id: &str, at: Timestamp) -> Result<(), StoreError>;
}

const INSERT_PARTY: &str =
    "INSERT INTO parties (id, kind, record, created_at_us) VALUES ($1, $2, $3, $4)";
const INSERT_PARTY_KEY: &str = "INSERT INTO party_keys (party_id, key_id, public_key, added_at_us, revoked_at_us, revocation_reason) VALUES ($1, $2, $3, $4, $5, $6)";
const REVOKE_PARTY_KEY: &str = "UPDATE party_keys SET revoked_at_us = $3, revocation_reason = $4 WHERE party_id = $1 AND key_id = $2 AND revoked_at_us IS NULL";
const INSERT_CREDENTIAL: &str = "INSERT INTO credentials (token_id, party_id, secret_hash, label, created_at_us, revoked_at_us) VALUES ($1, $2, $3, $4, $5, $6)";
const REVOKE_CREDENTIAL: &str =
    "UPDATE credentials SET revoked_at_us = $2 WHERE token_id = $1 AND revoked_at_us IS NULL";
const SELECT_PARTY_KEYS: &str = "SELECT party_id, key_id, public_key, added_at_us, revoked_at_us, revocation_reason FROM party_keys";

// ------------------------------------------------------------------------------------------
// Writes, inside the writer's transaction

pub(crate) async fn insert_party(
    connection: &mut AnyConnection,
    party: &Party,
) -> Result<(), StoreError> {
    let party_without_keys = Party {
        keys: Vec::new(),
        ..party.clone()
    };
    let what = || format!("party {}", party.id);
    sqlx::query(INSERT_PARTY)
        .bind(party.id.as_str())
        .bind(party.kind.as_str())
        .bind(to_json_text("party", &party_without_keys)?)
        .bind(party.created_at.as_microseconds())
        .execute(&mut *connection)
        .await
        .map_err(|error| classify(error, what))?;
    for key in &party.keys {
        insert_party_key(connection, &party.id, key).await?;
    }
    Ok(())
}

pub(crate) async fn insert_party_key(
    connection: &mut AnyConnection,
    party: &PartyId,
    key: &PartyKey,
) -> Result<(), StoreError> {
    sqlx::query(INSERT_PARTY_KEY)
        .bind(party.as_str())
        .bind(key.key_id.as_str())
        .bind(key.public_key.as_str())
        .bind(key.added_at.as_microseconds())
        .bind(key.revoked_at.map(|at| at.as_microseconds()))
        .bind(key.revocation_reason.as_deref())
        .execute(&mut *connection)
        .await
        .map_err(|error| classify(error, || format!("key {} of party {party}", key.key_id)))?;
    Ok(())
}

pub(crate) async fn revoke_party_key(
    connection: &mut AnyConnection,
    party: &PartyId,
    key_id: &str,
    at: Timestamp,
    reason: &str,
) -> Result<(), StoreError> {
    let result = sqlx::query(REVOKE_PARTY_KEY)
        .bind(party.as_str())
        .bind(key_id)
        .bind(at.as_microseconds())
        .bind(reason)
        .execute(&mut *connection)
        .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!(
            "no current key {key_id} of party {party}"
        )));
    }
    Ok(())
}

pub(crate) async fn insert_credential(
    connection: &mut AnyConnection,
    credential: &Credential,
) -> Result<(), StoreError> {
    sqlx::query(INSERT_CREDENTIAL)
        .bind(credential.token_id.as_str())
        .bind(credential.party_id.as_str())
        .bind(credential.secret_hash.as_str())
        .bind(credential.label.as_str())
        .bind(credential.created_at.as_microseconds())
        .bind(credential.revoked_at.map(|at| at.as_microseconds()))
        .execute(&mut *connection)
        .await
        .map_err(|error| classify(error, || format!("credential {}", credential.token_id)))?;
    Ok(())
}

pub(crate) async fn revoke_credential(
    connection: &mut AnyConnection,
    token_id: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let result = sqlx::query(REVOKE_CREDENTIAL)
        .bind(token_id)
        .bind(at.as_microseconds())
        .execute(&mut *connection)
        .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!(
            "no active credential {token_id}"
        )));
    }
    Ok(())
}

// ------------------------------------------------------------------------------------------
// Reads

fn party_key_from_row(row: &sqlx::any::AnyRow) -> Result<(String, PartyKey), StoreError> {
    let party_id: String = row.try_get("party_id")?;
    let revoked_at = match row.try_get::<Option<i64>, _>("revoked_at_us")? {
        Some(microseconds) => Some(timestamp_from_column("party key", microseconds)?),
        None => None,
    };
    Ok((
        party_id,
        PartyKey {
            key_id: row.try_get("key_id")?,
            public_key: row.try_get("public_key")?,
            added_at: timestamp_from_column("party key", row.try_get("added_at_us")?)?,
            revoked_at,
            revocation_reason: row.try_get("revocation_reason")?,
        },
    ))
}

pub(crate) async fn get_party(
    pool: &sqlx::AnyPool,
    id: &PartyId,
) -> Result<Option<Party>, StoreError> {
    let Some(record): Option<String> =
        sqlx::query_scalar("SELECT record FROM parties WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(pool)
            .await?
    else {
        return Ok(None);
    };
    let mut party: Party = from_json_text("party", &record)?;
    let rows = sqlx::query(
        "SELECT party_id, key_id, public_key, added_at_us, revoked_at_us, revocation_reason FROM party_keys WHERE party_id = $1 ORDER BY added_at_us, key_id",
    )
    .bind(id.as_str())
    .fetch_all(pool)
    .await?;
    for row in &rows {
        party.keys.push(party_key_from_row(row)?.1);
    }
    Ok(Some(party))
}

pub(crate) async fn list_parties(pool: &sqlx::AnyPool) -> Result<Vec<Party>, StoreError> {
    let records: Vec<String> = sqlx::query_scalar("SELECT record FROM parties ORDER BY id")
        .fetch_all(pool)
        .await?;
    let mut parties = BTreeMap::new();
    for record in records {
        let party: Party = from_json_text("party", &record)?;
        parties.insert(party.id.as_str().to_string(), party);
    }
    let rows = sqlx::query(SELECT_PARTY_KEYS).fetch_all(pool).await?;
    let mut keys: Vec<(String, PartyKey)> = rows
        .iter()
        .map(party_key_from_row)
        .collect::<Result<_, _>>()?;
    keys.sort_by(|left, right| {
        (left.1.added_at, &left.1.key_id).cmp(&(right.1.added_at, &right.1.key_id))
    });
    for (party_id, key) in keys {
        if let Some(party) = parties.get_mut(&party_id) {
            party.keys.push(key);
        }
    }
    Ok(parties.into_values().collect())
}

pub(crate) async fn missing_parties(
    pool: &sqlx::AnyPool,
    ids: &[PartyId],
) -> Result<Vec<PartyId>, StoreError> {
    let mut missing = Vec::new();
    for id in ids {
        let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM parties WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(pool)
            .await?;
        if found.is_none() {
            missing.push(id.clone());
        }
    }
    Ok(missing)
}

pub(crate) async fn key_owner(
    pool: &sqlx::AnyPool,
    key_id: &str,
) -> Result<Option<PartyId>, StoreError> {
    let owner: Option<String> =
        sqlx::query_scalar("SELECT party_id FROM party_keys WHERE key_id = $1 LIMIT 1")
            .bind(key_id)
            .fetch_optional(pool)
            .await?;
    owner
        .map(|text| PartyId::parse(&text).map_err(|message| corrupt("party key", message)))
        .transpose()
}

pub(crate) async fn get_credential(
    pool: &sqlx::AnyPool,
    token_id: &str,
) -> Result<Option<Credential>, StoreError> {
    let row = sqlx::query(
        "SELECT token_id, party_id, secret_hash, label, created_at_us, revoked_at_us FROM credentials WHERE token_id = $1",
    )
    .bind(token_id)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let party_text: String = row.try_get("party_id")?;
    let party_id = PartyId::parse(&party_text).map_err(|message| corrupt("credential", message))?;
    let revoked_at = match row.try_get::<Option<i64>, _>("revoked_at_us")? {
        Some(microseconds) => Some(timestamp_from_column("credential", microseconds)?),
        None => None,
    };
    Ok(Some(Credential {
        token_id: row.try_get("token_id")?,
        party_id,
        secret_hash: row.try_get("secret_hash")?,
        label: row.try_get("label")?,
        created_at: timestamp_from_column("credential", row.try_get("created_at_us")?)?,
        revoked_at,
    }))
}
