//! The single writer: every write of a store goes through one connection, in batches.
//!
//! Writes queue up while a batch is being committed; the next batch takes everything queued (up
//! to a limit) into one transaction and commits once; if one write of the batch is refused, the
//! batch is rolled back and each write retried alone, so one failure does not undo the others. A caller is answered only after that commit returns, so an
//! answered write is durable (SQLite runs with `synchronous=FULL`; PostgreSQL commits
//! synchronously). One fsync then covers many writes: group commit.

use std::sync::Mutex;

use sqlx::{AnyConnection, Connection};

use tokio::sync::{mpsc, oneshot};

use crate::{
    Credential, IncidentWrite, NormsAdoption, StoreError, StoredAssessment, StoredNormsDocument,
};
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
    InsertNormsDocument(StoredNormsDocument),
    InsertNormsAdoption(NormsAdoption),
    PutAssessment(StoredAssessment),
    // --- hotline ---
    RevokePartyKey {
        party: PartyId,
        key_id: String,
        at: Timestamp,
        reason: String,
    },
    Hotline(Box<crate::hotline::HotlineWrite>),
    // --- end hotline ---
    // --- STIX objects and TAXII collections (issue 8) -----------------------------------------
    InsertTaxiiCollection(crate::TaxiiCollection),
    PutCollectionAccess(crate::CollectionAccess),
    InsertStixObjects {
        objects: Vec<crate::StixObjectWrite>,
        outcome: crate::stix::InsertOutcome,
    },
    InsertTaxiiStatus(crate::TaxiiStatusRecord),
    // --- end of STIX objects and TAXII collections --------------------------------------------
    // Tabletop exercises (issue 6 item 6).
    InsertExerciseRecord(crate::ExerciseRecord),
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

/// Runs a batch in one transaction. The fast path applies every write and commits once; if any
/// write fails, the transaction is rolled back (nothing of the batch is stored) and each write
/// is retried in its own transaction, so one refusal never takes the others down with it.
async fn execute_batch(
    connection: &mut AnyConnection,
    commands: &[&WriteCommand],
) -> Vec<Result<(), StoreError>> {
    match execute_together(connection, commands).await {
        Ok(()) => commands.iter().map(|_| Ok(())).collect(),
        Err(_) if commands.len() > 1 => {
            let mut results = Vec::with_capacity(commands.len());
            for command in commands {
                results.push(execute_together(connection, &[*command]).await);
            }
            results
        }
        Err(error) => vec![Err(error)],
    }
}

async fn execute_together(
    connection: &mut AnyConnection,
    commands: &[&WriteCommand],
) -> Result<(), StoreError> {
    let mut transaction = connection.begin().await?;
    for command in commands {
        if let Err(error) = crate::sql::apply_write(&mut transaction, command).await {
            if let Err(rollback_error) = transaction.rollback().await {
                tracing::warn!(%rollback_error, "rolling back a failed batch failed");
            }
            return Err(error);
        }
    }
    transaction.commit().await?;
    Ok(())
}
