//! The single writer: every write of a store goes through one connection, in batches.
//!
//! Writes queue up while a batch is being committed; the next batch takes everything queued (up
//! to a limit) into one transaction and commits once; if one request of the batch is refused,
//! the batch is rolled back and each request retried alone, so one failure does not undo the
//! others. A request may carry several writes (they commit or fail together) and the
//! transparency-log entries they cause, which go into the log outbox in the same transaction.
//! A caller is answered only after that commit returns, so an answered write is durable
//! (SQLite runs with `synchronous=FULL`; PostgreSQL commits synchronously). One fsync then
//! covers many writes: group commit.
//!
//! On SQLite the writer hands out the outbox ids itself (it is the only writer), starting after
//! the largest id stored when it starts; ids of a rolled-back batch are simply never used. On
//! PostgreSQL several processes write, each with a writer like this one: the ids come from the
//! `log_outbox_ids` sequence, and every transaction first takes the transaction-scoped
//! [`WRITE_ORDER_LOCK_KEY`] advisory lock, so commits from all processes happen one at a time
//! and sequence-numbered rows (events, outbox entries) become visible in the order of their
//! numbers.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use sqlx::{AnyConnection, Connection};

use tokio::sync::{mpsc, oneshot};

use crate::StoreError;
use crate::cluster::WRITE_ORDER_LOCK_KEY;
use crate::incidents::insert_incidents_together;
use crate::log_outbox::{insert_log_outbox, largest_log_outbox_id};
use crate::sql_helpers::Backend;
use crate::writes::{WriteCommand, apply_command};

/// From this many WAL frames (about 1 GiB) on, the writer finishes a checkpoint itself when its
/// queue is empty; from four times as many, between any two batches (see `sql.rs`,
/// `checkpoint_wal_periodically`).
pub(crate) const WAL_RESTART_FRAMES: i64 = 262_144;

struct WriteRequest {
    commands: Vec<WriteCommand>,
    /// Transparency-log entries to put in the outbox in the same transaction.
    log_entries: Vec<String>,
    /// `None` for a write nobody waits for (see [`Writer::queue_detached`]).
    reply: Option<oneshot::Sender<Result<Vec<i64>, StoreError>>>,
}

pub(crate) struct Writer {
    sender: Mutex<Option<mpsc::Sender<WriteRequest>>>,
    task: tokio::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Writer {
    /// `wal_frames` (SQLite): the WAL's size as the background checkpoint last saw it; once it
    /// is very large the writer checkpoints between two batches so the WAL starts over.
    pub(crate) async fn start(
        mut connection: AnyConnection,
        backend: Backend,
        maximum_batch: usize,
        wal_frames: Arc<AtomicI64>,
    ) -> Result<Self, StoreError> {
        let largest_outbox_id = largest_log_outbox_id(&mut connection).await?;
        let outbox_ids = match backend {
            Backend::Sqlite => OutboxIds::Counter(largest_outbox_id.unwrap_or(0).saturating_add(1)),
            Backend::Postgres => OutboxIds::Sequence,
        };
        let (sender, receiver) = mpsc::channel(maximum_batch.max(1) * 4);
        let task = tokio::spawn(run_writer(
            connection,
            receiver,
            maximum_batch.max(1),
            outbox_ids,
            wal_frames,
        ));
        Ok(Self {
            sender: Mutex::new(Some(sender)),
            task: tokio::sync::Mutex::new(Some(task)),
        })
    }

    fn sender(&self) -> Result<mpsc::Sender<WriteRequest>, StoreError> {
        match self.sender.lock() {
            Ok(guard) => guard.clone().ok_or(StoreError::Closed),
            Err(_) => Err(StoreError::Closed),
        }
    }

    /// Queues a write and waits until it is committed (or failed).
    pub(crate) async fn submit(&self, command: WriteCommand) -> Result<(), StoreError> {
        self.submit_all(vec![command], Vec::new()).await.map(drop)
    }

    /// Queues writes that commit together with `log_entries` (into the log outbox) and waits
    /// until they are committed (or failed); answers the outbox ids of the entries in order.
    pub(crate) async fn submit_all(
        &self,
        commands: Vec<WriteCommand>,
        log_entries: Vec<String>,
    ) -> Result<Vec<i64>, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.sender()?
            .send(WriteRequest {
                commands,
                log_entries,
                reply: Some(reply),
            })
            .await
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    /// Queues a write nobody waits for; it commits with the next batch. Never blocks: when the
    /// queue is full or the store closed the write is dropped and `false` answered (for
    /// housekeeping whose loss is harmless, such as forgetting logged outbox rows).
    pub(crate) fn queue_detached(&self, command: WriteCommand) -> bool {
        self.sender().is_ok_and(|sender| {
            sender
                .try_send(WriteRequest {
                    commands: vec![command],
                    log_entries: Vec::new(),
                    reply: None,
                })
                .is_ok()
        })
    }

    /// Stops taking writes, lets the queued ones commit, and closes the connection.
    pub(crate) async fn close(&self) {
        if let Ok(mut guard) = self.sender.lock() {
            guard.take();
        }
        let task = self.task.lock().await.take();
        if let Some(task) = task
            && let Err(error) = task.await
        {
            tracing::error!(%error, "the store's writer task ended abnormally");
        }
    }
}

async fn run_writer(
    mut connection: AnyConnection,
    mut receiver: mpsc::Receiver<WriteRequest>,
    maximum_batch: usize,
    mut outbox_ids: OutboxIds,
    wal_frames: Arc<AtomicI64>,
) {
    while let Some(first) = receiver.recv().await {
        let mut batch = vec![first];
        while batch.len() < maximum_batch {
            match receiver.try_recv() {
                Ok(request) => batch.push(request),
                Err(_) => break,
            }
        }
        let requests: Vec<&WriteRequest> = batch.iter().collect();
        let results = execute_batch(&mut connection, &requests, &mut outbox_ids).await;
        for (request, result) in batch.into_iter().zip(results) {
            // The caller may have gone away (a dropped request); the write stands regardless.
            match request.reply {
                Some(reply) => {
                    let _ = reply.send(result);
                }
                None => {
                    if let Err(error) = result {
                        tracing::debug!(%error, "a detached write failed");
                    }
                }
            }
        }
        let frames = wal_frames.load(Ordering::Relaxed);
        let restart = frames >= WAL_RESTART_FRAMES
            && (receiver.is_empty() || frames >= 4 * WAL_RESTART_FRAMES);
        if restart {
            wal_frames.store(0, Ordering::Relaxed);
            if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&mut connection)
                .await
            {
                tracing::debug!(%error, "the writer's WAL checkpoint was skipped");
            }
        }
    }
    if let Err(error) = connection.close().await {
        tracing::warn!(%error, "closing the store's writer connection failed");
    }
}

/// Runs a batch in one transaction. The fast path applies every request and commits once; if
/// any request fails, the transaction is rolled back (nothing of the batch is stored) and each
/// request is retried in its own transaction, so one refusal never takes the others down.
async fn execute_batch(
    connection: &mut AnyConnection,
    requests: &[&WriteRequest],
    outbox_ids: &mut OutboxIds,
) -> Vec<Result<Vec<i64>, StoreError>> {
    match execute_together(connection, requests, outbox_ids).await {
        Ok(outbox_ids) => outbox_ids.into_iter().map(Ok).collect(),
        Err(_) if requests.len() > 1 => {
            let mut results = Vec::with_capacity(requests.len());
            for request in requests {
                results.push(
                    execute_together(connection, &[*request], outbox_ids)
                        .await
                        .map(|mut ids| ids.pop().unwrap_or_default()),
                );
            }
            results
        }
        Err(error) => vec![Err(error)],
    }
}

/// Applies `requests` in one transaction; answers each request's outbox ids.
async fn execute_together(
    connection: &mut AnyConnection,
    requests: &[&WriteRequest],
    outbox_ids: &mut OutboxIds,
) -> Result<Vec<Vec<i64>>, StoreError> {
    let mut transaction = connection.begin().await?;
    if matches!(outbox_ids, OutboxIds::Sequence) {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITE_ORDER_LOCK_KEY)
            .execute(&mut *transaction)
            .await?;
    }
    match apply_requests(&mut transaction, requests, outbox_ids).await {
        Ok(outbox_ids) => {
            transaction.commit().await?;
            Ok(outbox_ids)
        }
        Err(error) => {
            if let Err(rollback_error) = transaction.rollback().await {
                tracing::warn!(%rollback_error, "rolling back a failed batch failed");
            }
            Err(error)
        }
    }
}

/// The new incident a request stores, when that is all it does.
fn plain_incident_insert(request: &WriteRequest) -> Option<&crate::IncidentWrite> {
    match request.commands.as_slice() {
        [command] => command.plain_incident_insert(),
        _ => None,
    }
}

/// Applies every request of a batch inside the caller's transaction. Each statement is a
/// round trip to the database's connection, so what can be grouped is: a batch's new incidents
/// go in with a few multi-row statements, and every request's log entries with one. Requests
/// of one batch arrived concurrently, so any order among them is a valid one.
async fn apply_requests(
    connection: &mut AnyConnection,
    requests: &[&WriteRequest],
    outbox_ids: &mut OutboxIds,
) -> Result<Vec<Vec<i64>>, StoreError> {
    let new_incidents: Vec<&crate::IncidentWrite> = requests
        .iter()
        .filter_map(|request| plain_incident_insert(request))
        .collect();
    let grouped = new_incidents.len() > 1;
    if grouped {
        insert_incidents_together(connection, &new_incidents).await?;
    }
    let entry_count = requests
        .iter()
        .map(|request| request.log_entries.len())
        .sum();
    let mut fresh_ids = outbox_ids.take(connection, entry_count).await?.into_iter();
    let mut ids_per_request = Vec::with_capacity(requests.len());
    let mut outbox_rows: Vec<(i64, &str)> = Vec::new();
    for request in requests {
        if !(grouped && plain_incident_insert(request).is_some()) {
            for command in &request.commands {
                apply_command(connection, command).await?;
            }
        }
        let mut ids = Vec::with_capacity(request.log_entries.len());
        for entry in &request.log_entries {
            let id = fresh_ids
                .next()
                .ok_or_else(|| StoreError::Database("too few log outbox ids".into()))?;
            ids.push(id);
            outbox_rows.push((id, entry.as_str()));
        }
        ids_per_request.push(ids);
    }
    insert_log_outbox(connection, &outbox_rows).await?;
    Ok(ids_per_request)
}

/// Where the log outbox's ids come from.
enum OutboxIds {
    /// SQLite: the next id of this, the only, writer.
    Counter(i64),
    /// PostgreSQL: the `log_outbox_ids` sequence, shared by every process's writer.
    Sequence,
}

impl OutboxIds {
    /// `count` fresh ids.
    async fn take(
        &mut self,
        connection: &mut AnyConnection,
        count: usize,
    ) -> Result<Vec<i64>, StoreError> {
        if count == 0 {
            return Ok(Vec::new());
        }
        match self {
            OutboxIds::Counter(next) => {
                let first = *next;
                *next = first.saturating_add(count as i64);
                Ok((first..first.saturating_add(count as i64)).collect())
            }
            OutboxIds::Sequence => {
                let rows =
                    sqlx::query("SELECT nextval('log_outbox_ids') FROM generate_series(1, $1)")
                        .bind(count as i64)
                        .fetch_all(&mut *connection)
                        .await?;
                rows.iter()
                    .map(|row| sqlx::Row::try_get::<i64, _>(row, 0).map_err(StoreError::from))
                    .collect()
            }
        }
    }
}
