//! The transparency log's outbox in the SQL store: the [`LogOutboxStore`] area. A use case's
//! writes and the log entries they cause commit in one transaction (the entries into
//! `log_outbox`, migration 0007); the node's log writer reads the pending entries and has the
//! outbox rows of durable entries deleted.

use async_trait::async_trait;
use sqlx::{AnyConnection, Row};

use crate::sql_helpers::{ROWS_PER_STATEMENT, value_placeholders};
use crate::{StoreError, StoreWrite};

/// Committing a use case's writes with the log entries they cause, and the outbox of entries
/// not yet known to be in the log.
#[async_trait]
pub trait LogOutboxStore: Send + Sync {
    /// Applies `writes` in one transaction (all or nothing) and, in the same transaction, puts
    /// `log_entries` into the transparency log's outbox. Answers the entries' outbox ids, in
    /// order, once durable.
    async fn commit(
        &self,
        writes: Vec<StoreWrite>,
        log_entries: Vec<String>,
    ) -> Result<Vec<i64>, StoreError>;
    /// The log outbox's entries with ids after `after` (`0`: all of them), committed but not
    /// yet known to be in the log, in id order. Ids become visible in increasing order (one
    /// writer on SQLite; on PostgreSQL every write transaction takes the write-order lock), so
    /// a reader that saw id `n` never later finds a new entry below it.
    async fn pending_log_entries(&self, after: i64) -> Result<Vec<(i64, String)>, StoreError>;
    /// Deletes outbox rows whose entries are durable in the log. Does not wait (the delete
    /// commits with the next batch of writes) and never blocks; `false` if it could not be
    /// queued. Losing it is harmless: at start the node finds those entries in the log already.
    fn forget_log_entries(&self, ids: Vec<i64>) -> bool;
}

/// Puts log entries into the outbox under the ids the writer chose.
pub(crate) async fn insert_log_outbox(
    connection: &mut AnyConnection,
    rows: &[(i64, &str)],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let statement = format!(
            "INSERT INTO log_outbox (id, entry) VALUES {}",
            value_placeholders(connection, chunk.len(), 2)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(statement));
        for (id, entry) in chunk {
            query = query.bind(*id).bind(*entry);
        }
        query.execute(&mut *connection).await?;
    }
    Ok(())
}

/// Deletes the outbox rows of entries durable in the log.
pub(crate) async fn delete_log_outbox(
    connection: &mut AnyConnection,
    ids: &[i64],
) -> Result<(), StoreError> {
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        let placeholders = value_placeholders(connection, chunk.len(), 1);
        let statement = format!("DELETE FROM log_outbox WHERE id IN ({placeholders})");
        let mut query = sqlx::query(sqlx::AssertSqlSafe(statement));
        for id in chunk {
            query = query.bind(*id);
        }
        query.execute(&mut *connection).await?;
    }
    Ok(())
}

/// The largest outbox id stored, so the writer hands out ids after it.
pub(crate) async fn largest_log_outbox_id(
    connection: &mut AnyConnection,
) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query("SELECT MAX(id) FROM log_outbox")
        .fetch_one(&mut *connection)
        .await?
        .try_get(0)?)
}

pub(crate) async fn pending_log_entries(
    pool: &sqlx::AnyPool,
    after: i64,
) -> Result<Vec<(i64, String)>, StoreError> {
    let rows = sqlx::query("SELECT id, entry FROM log_outbox WHERE id > $1 ORDER BY id")
        .bind(after)
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect()
}
