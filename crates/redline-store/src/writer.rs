//! The single writer: every write of a store goes through one connection, in batches.
//!
//! Writes queue up while a batch is being committed; the next batch takes everything queued (up
//! to a limit) into one transaction, each write under its own savepoint so one failure does not
//! undo the others, and commits once. A caller is answered only after that commit returns, so an
//! answered write is durable (SQLite runs with `synchronous=FULL`; PostgreSQL commits
//! synchronously). One fsync then covers many writes: group commit.

use std::sync::Mutex;

use sqlx::{AnyConnection, Connection};
use tokio::sync::{mpsc, oneshot};

use crate::{Credential, IncidentWrite, StoreError};
use redline_model::{Party, PartyId, PartyKey, Timestamp};

pub(crate) enum WriteCommand {
    InsertParty(Party),
    AddPartyKey {
        party: PartyId,
        key: PartyKey,
    },
    InsertCredential(Credential),
    RevokeCredential {
        token_id: String,
        at: Timestamp,
    },
    InsertIncident(IncidentWrite),
    UpdateIncident {
        write: IncidentWrite,
        expected_version: u32,
    },
}

struct WriteRequest {
    command: WriteCommand,
    reply: oneshot::Sender<Result<(), StoreError>>,
}

pub(crate) struct Writer {
    sender: Mutex<Option<mpsc::Sender<WriteRequest>>>,
    task: tokio::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Writer {
    pub(crate) fn start(connection: AnyConnection, maximum_batch: usize) -> Self {
        let (sender, receiver) = mpsc::channel(maximum_batch.max(1) * 4);
        let task = tokio::spawn(run_writer(connection, receiver, maximum_batch.max(1)));
        Self {
            sender: Mutex::new(Some(sender)),
            task: tokio::sync::Mutex::new(Some(task)),
        }
    }

    /// Queues a write and waits until it is committed (or failed).
    pub(crate) async fn submit(&self, command: WriteCommand) -> Result<(), StoreError> {
        let sender = match self.sender.lock() {
            Ok(guard) => guard.clone(),
            Err(_) => None,
        };
        let Some(sender) = sender else {
            return Err(StoreError::Closed);
        };
        let (reply, answer) = oneshot::channel();
        sender
            .send(WriteRequest { command, reply })
            .await
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
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
) {
    while let Some(first) = receiver.recv().await {
        let mut batch = vec![first];
        while batch.len() < maximum_batch {
            match receiver.try_recv() {
                Ok(request) => batch.push(request),
                Err(_) => break,
            }
        }
        let commands: Vec<&WriteCommand> = batch.iter().map(|request| &request.command).collect();
        let results = execute_batch(&mut connection, &commands).await;
        for (request, result) in batch.into_iter().zip(results) {
            // The caller may have gone away (a dropped request); the write stands regardless.
            let _ = request.reply.send(result);
        }
    }
    if let Err(error) = connection.close().await {
        tracing::warn!(%error, "closing the store's writer connection failed");
    }
}

async fn execute_batch(
    connection: &mut AnyConnection,
    commands: &[&WriteCommand],
) -> Vec<Result<(), StoreError>> {
    let failed_all = |error: &sqlx::Error| {
        commands
            .iter()
            .map(|_| Err(StoreError::Database(error.to_string())))
            .collect()
    };
    let mut transaction = match connection.begin().await {
        Ok(transaction) => transaction,
        Err(error) => return failed_all(&error),
    };
    let mut results = Vec::with_capacity(commands.len());
    if let [only] = commands {
        // One write: the transaction itself is its savepoint.
        let outcome = crate::sql::apply_write(&mut transaction, only).await;
        if outcome.is_err() {
            if let Err(error) = transaction.rollback().await {
                tracing::warn!(%error, "rolling back a failed write failed");
            }
            return vec![outcome];
        }
        results.push(outcome);
    } else {
        for command in commands {
            let outcome = match Connection::begin(&mut *transaction).await {
                Ok(mut savepoint) => match crate::sql::apply_write(&mut savepoint, command).await {
                    Ok(()) => savepoint.commit().await.map_err(StoreError::from),
                    Err(error) => {
                        if let Err(rollback_error) = savepoint.rollback().await {
                            tracing::warn!(%rollback_error, "rolling back a savepoint failed");
                        }
                        Err(error)
                    }
                },
                Err(error) => Err(StoreError::from(error)),
            };
            results.push(outcome);
        }
    }
    match transaction.commit().await {
        Ok(()) => results,
        Err(error) => failed_all(&error),
    }
}
