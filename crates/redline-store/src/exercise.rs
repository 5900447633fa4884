//! Tabletop exercises in the SQL store: one append-only list of records per
//! exercise (`exercise_records`, migration 0006). The store keeps what the node decided; what a
//! record means (the exercise, a delivered inject, a player's decision) is the node's business.

use sqlx::{AnyConnection, Row};

use redline_model::{PartyId, Timestamp};

use async_trait::async_trait;

use crate::StoreError;
use crate::sql_helpers::classify;

/// Tabletop exercises: one append-only list of records per exercise.
#[async_trait]
pub trait ExerciseStore: Send + Sync {
    /// Appends a record to an exercise; a key the exercise already has is a conflict.
    async fn insert_exercise_record(&self, record: &ExerciseRecord) -> Result<(), StoreError>;
    /// Every record of an exercise, oldest first.
    async fn list_exercise_records(
        &self,
        exercise_id: &str,
    ) -> Result<Vec<ExerciseRecord>, StoreError>;
    /// The newest `limit` records of one kind across exercises, newest first.
    async fn list_exercise_records_of_kind(
        &self,
        kind: &str,
        limit: u32,
    ) -> Result<Vec<ExerciseRecord>, StoreError>;
}

/// One record of an exercise. `key` is unique within the exercise (`exercise`, `inject:<id>`,
/// `decision:<uuid>`): a second record with the same key is a conflict, so an inject is stored
/// as delivered once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExerciseRecord {
    /// Assigned by the store; 0 when writing.
    pub sequence: i64,
    pub exercise_id: String,
    pub key: String,
    /// `created`, `inject` or `decision`.
    pub kind: String,
    /// The party that acted, if a party did.
    pub party: Option<PartyId>,
    pub recorded_at: Timestamp,
    /// The record's JSON text, kept byte for byte.
    pub record: String,
}

pub(crate) async fn insert(
    connection: &mut AnyConnection,
    record: &ExerciseRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO exercise_records (exercise_id, record_key, kind, party_id, recorded_at_us, record) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(record.exercise_id.as_str())
    .bind(record.key.as_str())
    .bind(record.kind.as_str())
    .bind(record.party.as_ref().map(|party| party.as_str().to_string()))
    .bind(record.recorded_at.as_microseconds())
    .bind(record.record.as_str())
    .execute(&mut *connection)
    .await
    .map_err(|error| {
        classify(error, || {
            format!("exercise {} record {}", record.exercise_id, record.key)
        })
    })?;
    Ok(())
}

const SELECT_BY_EXERCISE: &str = "SELECT sequence, exercise_id, record_key, kind, party_id, recorded_at_us, record FROM exercise_records WHERE exercise_id = $1 ORDER BY sequence";

const SELECT_BY_KIND: &str = "SELECT sequence, exercise_id, record_key, kind, party_id, recorded_at_us, record FROM exercise_records WHERE kind = $1 ORDER BY sequence DESC LIMIT $2";

fn record_from_row(row: &sqlx::any::AnyRow) -> Result<ExerciseRecord, StoreError> {
    let corrupt = |message: String| StoreError::Corrupt {
        what: "exercise record".to_string(),
        message,
    };
    let party: Option<String> = row.try_get("party_id")?;
    let party = party
        .map(|text| PartyId::parse(&text).map_err(corrupt))
        .transpose()?;
    let recorded_at: i64 = row.try_get("recorded_at_us")?;
    Ok(ExerciseRecord {
        sequence: row.try_get("sequence")?,
        exercise_id: row.try_get("exercise_id")?,
        key: row.try_get("record_key")?,
        kind: row.try_get("kind")?,
        party,
        recorded_at: Timestamp::from_microseconds(recorded_at).map_err(corrupt)?,
        record: row.try_get("record")?,
    })
}

pub(crate) async fn list_records(
    pool: &sqlx::AnyPool,
    exercise_id: &str,
) -> Result<Vec<ExerciseRecord>, StoreError> {
    let rows = sqlx::query(SELECT_BY_EXERCISE)
        .bind(exercise_id)
        .fetch_all(pool)
        .await?;
    rows.iter().map(record_from_row).collect()
}

pub(crate) async fn list_records_of_kind(
    pool: &sqlx::AnyPool,
    kind: &str,
    limit: u32,
) -> Result<Vec<ExerciseRecord>, StoreError> {
    let rows = sqlx::query(SELECT_BY_KIND)
        .bind(kind)
        .bind(i64::from(limit.clamp(1, 10_000)))
        .fetch_all(pool)
        .await?;
    rows.iter().map(record_from_row).collect()
}
