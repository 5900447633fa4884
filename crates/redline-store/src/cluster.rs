//! Several node processes over one database: the [`ClusterStore`] area. On PostgreSQL any
//! number of `redline serve` processes share the database (migration 0012); this area gives
//! them PostgreSQL's own machinery and nothing home-made:
//!
//! - **Leadership**: a session-level advisory lock ([`LEADER_LOCK_KEY`]) held by one dedicated
//!   connection ([`LeadershipLease`]). The process holding it runs the deadline scheduler and the
//!   log writer; when that process dies its connection closes and PostgreSQL releases the lock
//!   at once, so another process's next attempt wins.
//! - **Notices**: `NOTIFY` on [`NOTICE_CHANNEL`] after a commit, `LISTEN` on a dedicated
//!   connection ([`NoticeListener`]) in every process. A notice only wakes readers: the tables
//!   stay the source of truth, and a listener that lost its connection says so
//!   ([`Notice::Resync`]) so its process re-reads everything instead of trusting it saw all.
//! - **The log's pointer**: the latest checkpoint note in `log_checkpoints`, moved only by
//!   compare-and-swap, with a `checkpoint` notice in the same transaction.
//!
//! On SQLite (one process) leadership is always granted, notices go nowhere and there is no
//! listener; the log's pointer is its checkpoint file.

use async_trait::async_trait;
use sqlx::{Connection, Row};

use crate::StoreError;

/// The advisory lock whose holder leads: `hashtext('redline leader')` would do as well; a fixed
/// number is easier to find in `pg_locks`.
pub const LEADER_LOCK_KEY: i64 = 0x7265_646c_696e_6501;
/// The transaction-scoped advisory lock every write transaction takes on PostgreSQL, so that
/// commits from several processes happen one at a time, as they do within one process: ids
/// from sequences (event ids, outbox ids) then grow in commit order, and a reader following
/// them never skips a row committed late.
pub const WRITE_ORDER_LOCK_KEY: i64 = 0x7265_646c_696e_6502;
/// The `LISTEN`/`NOTIFY` channel of a node's processes.
pub const NOTICE_CHANNEL: &str = "redline_notices";

/// What a notice says happened (its payload); see [`Notice::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// New hotline events for these parties (ids as stored).
    Events(Vec<String>),
    /// New entries in the log outbox: the leader's log writer has work.
    LogOutbox,
    /// The log's pointer moved: followers read the new checkpoint.
    Checkpoint,
    /// Norms documents or adoptions changed: every process reloads them.
    Norms,
    /// The listener lost its connection and reconnected: notices may have been missed, so
    /// re-read everything.
    Resync,
}

impl Notice {
    /// The payload sent with `NOTIFY` (at most a few hundred bytes: party ids are short).
    pub fn payload(&self) -> String {
        match self {
            Notice::Events(parties) => format!("events:{}", parties.join(",")),
            Notice::LogOutbox => "outbox".to_owned(),
            Notice::Checkpoint => "checkpoint".to_owned(),
            Notice::Norms => "norms".to_owned(),
            Notice::Resync => "resync".to_owned(),
        }
    }

    /// Reads a payload; an unknown one (from a newer version) is a resync, never an error.
    pub fn parse(payload: &str) -> Notice {
        match payload.split_once(':') {
            Some(("events", parties)) => Notice::Events(
                parties
                    .split(',')
                    .filter(|party| !party.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
            _ => match payload {
                "outbox" => Notice::LogOutbox,
                "checkpoint" => Notice::Checkpoint,
                "norms" => Notice::Norms,
                _ => Notice::Resync,
            },
        }
    }
}

/// Held by the leading process: the connection whose session holds [`LEADER_LOCK_KEY`].
pub struct LeadershipLease {
    /// `None` on SQLite (the lock file beside the database already makes its process the only
    /// one).
    connection: Option<sqlx::PgConnection>,
}

impl LeadershipLease {
    /// Whether the lease still holds: the connection answers (its session, and so its lock, is
    /// alive). A lease that fails this is lost for good; the process must stop leading.
    pub async fn confirm(&mut self) -> Result<(), StoreError> {
        let Some(connection) = self.connection.as_mut() else {
            return Ok(());
        };
        let held: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' \
             AND pid = pg_backend_pid() AND granted \
             AND ((classid::bigint << 32) | objid::bigint) = $1)",
        )
        .bind(LEADER_LOCK_KEY)
        .fetch_one(&mut *connection)
        .await?;
        if held {
            Ok(())
        } else {
            Err(StoreError::Database(
                "the leader's advisory lock is no longer held".into(),
            ))
        }
    }

    /// Gives the lease up (the lock goes with the connection).
    pub async fn release(mut self) {
        if let Some(connection) = self.connection.take()
            && let Err(error) = connection.close().await
        {
            tracing::debug!(%error, "closing the leader's connection");
        }
    }
}

/// Every process's listener on [`NOTICE_CHANNEL`] (PostgreSQL only).
pub struct NoticeListener {
    listener: sqlx::postgres::PgListener,
}

impl NoticeListener {
    /// The next notice. When the connection was lost the listener reconnects and answers
    /// [`Notice::Resync`] first; errors only when it cannot reconnect (try again later).
    pub async fn next(&mut self) -> Result<Notice, StoreError> {
        match self.listener.try_recv().await? {
            Some(notification) => Ok(Notice::parse(notification.payload())),
            None => Ok(Notice::Resync),
        }
    }
}

/// Several processes over one database.
#[async_trait]
pub trait ClusterStore: Send + Sync {
    /// Whether other processes may share this database (PostgreSQL).
    fn is_shared(&self) -> bool;
    /// Tries once to become the leader: `Some` when this process now holds the lease.
    async fn try_lead(&self) -> Result<Option<LeadershipLease>, StoreError>;
    /// Tells every process (this one included) that something happened. Nothing on SQLite.
    async fn publish_notice(&self, notice: &Notice) -> Result<(), StoreError>;
    /// Listens for notices from every process; `None` on SQLite.
    async fn listen_for_notices(&self) -> Result<Option<NoticeListener>, StoreError>;
    /// The log's latest checkpoint note for `origin`, as stored (PostgreSQL; `None` when the
    /// log has none yet, and always on SQLite, whose pointer is the checkpoint file).
    async fn log_checkpoint_note(&self, origin: &str) -> Result<Option<String>, StoreError>;
    /// Moves the log's pointer from `expected` (`None`: no pointer yet) to `next`, and notifies
    /// [`Notice::Checkpoint`] in the same transaction. `false` when the stored pointer is not
    /// `expected`: another writer published, and this one must stop.
    async fn swap_log_checkpoint_note(
        &self,
        origin: &str,
        expected: Option<&str>,
        next: &str,
        tree_size: u64,
        now_microseconds: i64,
    ) -> Result<bool, StoreError>;
    /// Whether no outbox entry with an id up to `outbox_id` is waiting: everything committed up
    /// to it is in the log.
    async fn log_outbox_settled_through(&self, outbox_id: i64) -> Result<bool, StoreError>;
}

/// Connects a dedicated PostgreSQL connection and tries the leader's lock on it.
pub(crate) async fn try_lead(url: &str) -> Result<Option<LeadershipLease>, StoreError> {
    let mut connection = sqlx::PgConnection::connect(url).await?;
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(LEADER_LOCK_KEY)
        .fetch_one(&mut connection)
        .await?;
    if locked {
        Ok(Some(LeadershipLease {
            connection: Some(connection),
        }))
    } else {
        if let Err(error) = connection.close().await {
            tracing::debug!(%error, "closing a connection that did not get the leader's lock");
        }
        Ok(None)
    }
}

/// The lease on SQLite: always granted.
pub(crate) fn single_process_lease() -> LeadershipLease {
    LeadershipLease { connection: None }
}

pub(crate) async fn publish_notice(
    pool: &sqlx::AnyPool,
    notice: &Notice,
) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(NOTICE_CHANNEL)
        .bind(notice.payload())
        .execute(pool)
        .await?;
    Ok(())
}

pub(crate) async fn listen_for_notices(url: &str) -> Result<NoticeListener, StoreError> {
    let mut listener = sqlx::postgres::PgListener::connect(url).await?;
    listener.listen(NOTICE_CHANNEL).await?;
    Ok(NoticeListener { listener })
}

pub(crate) async fn log_checkpoint_note(
    pool: &sqlx::AnyPool,
    origin: &str,
) -> Result<Option<String>, StoreError> {
    let row = sqlx::query("SELECT note FROM log_checkpoints WHERE origin = $1")
        .bind(origin)
        .fetch_optional(pool)
        .await?;
    Ok(match row {
        Some(row) => Some(row.try_get(0)?),
        None => None,
    })
}

pub(crate) async fn swap_log_checkpoint_note(
    pool: &sqlx::AnyPool,
    origin: &str,
    expected: Option<&str>,
    next: &str,
    tree_size: u64,
    now_microseconds: i64,
) -> Result<bool, StoreError> {
    let tree_size = i64::try_from(tree_size)
        .map_err(|_| StoreError::Database(format!("tree size {tree_size} is too large")))?;
    let mut transaction = pool.begin().await?;
    let swapped = match expected {
        None => sqlx::query(
            "INSERT INTO log_checkpoints (origin, note, tree_size, updated_at_us) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (origin) DO NOTHING",
        )
        .bind(origin)
        .bind(next)
        .bind(tree_size)
        .bind(now_microseconds)
        .execute(&mut *transaction)
        .await?
        .rows_affected(),
        Some(expected) => sqlx::query(
            "UPDATE log_checkpoints SET note = $1, tree_size = $2, updated_at_us = $3 \
             WHERE origin = $4 AND note = $5",
        )
        .bind(next)
        .bind(tree_size)
        .bind(now_microseconds)
        .bind(origin)
        .bind(expected)
        .execute(&mut *transaction)
        .await?
        .rows_affected(),
    } == 1;
    if !swapped {
        transaction.rollback().await?;
        return Ok(false);
    }
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(NOTICE_CHANNEL)
        .bind(Notice::Checkpoint.payload())
        .execute(&mut *transaction)
        .await?;
    transaction.commit().await?;
    Ok(true)
}

pub(crate) async fn log_outbox_settled_through(
    pool: &sqlx::AnyPool,
    outbox_id: i64,
) -> Result<bool, StoreError> {
    let waiting: i64 = sqlx::query("SELECT COUNT(*) FROM log_outbox WHERE id <= $1")
        .bind(outbox_id)
        .fetch_one(pool)
        .await?
        .try_get(0)?;
    Ok(waiting == 0)
}

#[cfg(test)]
mod tests {
    use super::Notice;

    fn check(payload: &str, expect: Notice) {
        assert_eq!(Notice::parse(payload), expect, "{payload}");
        if expect != Notice::Resync || payload == "resync" {
            assert_eq!(Notice::parse(&expect.payload()), expect);
        }
    }

    #[test]
    fn notices_read_back_and_unknown_ones_resync() {
        check(
            "events:EE,UA",
            Notice::Events(vec!["EE".into(), "UA".into()]),
        );
        check("events:", Notice::Events(vec![]));
        check("outbox", Notice::LogOutbox);
        check("checkpoint", Notice::Checkpoint);
        check("norms", Notice::Norms);
        check("resync", Notice::Resync);
        check("something-newer", Notice::Resync);
        check("", Notice::Resync);
    }
}
