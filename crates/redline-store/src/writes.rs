//! One path for every write: what the writer can be asked to do ([`WriteCommand`]) and the one
//! dispatch that applies it inside the writer's transaction, each area's statements in its own
//! module. Every change a use case makes is a [`StoreWrite`]; only the STIX ingest (which answers
//! per object whether it was new), the outbox's housekeeping and console sessions (never logged)
//! and notification deliveries (never logged; a claim and a cursor move are conditional) are
//! commands of their own.

use sqlx::AnyConnection;

use crate::stix::InsertOutcome;
use crate::{StixObjectWrite, StoreError, StoreWrite};
use crate::{
    claims, commitments, exercise, federation, hotline, incidents, log_outbox, notifications,
    parties, sessions, stix,
};

/// What the writer applies.
pub(crate) enum WriteCommand {
    /// One of the writes use cases commit, with or without log entries.
    Store(Box<StoreWrite>),
    /// STIX object versions; `outcome` receives, for each, whether it was new.
    InsertStixObjects {
        objects: Vec<StixObjectWrite>,
        outcome: InsertOutcome,
    },
    /// Log outbox rows whose entries are durable in the transparency log.
    ForgetLogEntries(Vec<i64>),
    /// A change to the console's sessions.
    Session(SessionWrite),
    /// A change to notification subscriptions or their deliveries.
    Notification(NotificationWrite),
}

/// A change to notification subscriptions and deliveries (`notifications`).
pub(crate) enum NotificationWrite {
    Subscribe(crate::NotificationSubscription),
    Remove {
        id: uuid::Uuid,
        at: redline_model::Timestamp,
    },
    Feed(crate::DeliveryFeed),
    Claim(crate::DeliveryClaim),
    Attempt(crate::AttemptRecord),
}

/// A change to the console's sessions (`sessions`).
pub(crate) enum SessionWrite {
    Open(crate::SessionOpening),
    Touch {
        secret_sha256: String,
        at: redline_model::Timestamp,
    },
    Close(Vec<String>),
    CloseOfToken(String),
}

impl From<StoreWrite> for WriteCommand {
    fn from(write: StoreWrite) -> Self {
        WriteCommand::Store(Box::new(write))
    }
}

impl WriteCommand {
    /// The new incident this command stores, when that is all it does (the writer groups those
    /// of a batch into a few multi-row statements).
    pub(crate) fn plain_incident_insert(&self) -> Option<&crate::IncidentWrite> {
        match self {
            WriteCommand::Store(write) => match write.as_ref() {
                StoreWrite::InsertIncident(incident) => Some(incident),
                _ => None,
            },
            _ => None,
        }
    }
}

/// Applies one command inside the writer's transaction (or savepoint).
pub(crate) async fn apply_command(
    connection: &mut AnyConnection,
    command: &WriteCommand,
) -> Result<(), StoreError> {
    match command {
        WriteCommand::Store(write) => apply_store_write(connection, write).await,
        WriteCommand::InsertStixObjects { objects, outcome } => {
            stix::insert_objects(connection, objects, outcome).await
        }
        WriteCommand::ForgetLogEntries(ids) => log_outbox::delete_log_outbox(connection, ids).await,
        WriteCommand::Session(write) => apply_session_write(connection, write).await,
        WriteCommand::Notification(write) => apply_notification_write(connection, write).await,
    }
}

/// Applies a change to notification subscriptions and deliveries.
async fn apply_notification_write(
    connection: &mut AnyConnection,
    write: &NotificationWrite,
) -> Result<(), StoreError> {
    match write {
        NotificationWrite::Subscribe(subscription) => {
            notifications::insert_subscription(connection, subscription).await
        }
        NotificationWrite::Remove { id, at } => {
            notifications::remove_subscription(connection, *id, *at).await
        }
        NotificationWrite::Feed(feed) => notifications::feed(connection, feed).await,
        NotificationWrite::Claim(claim) => notifications::claim(connection, claim).await,
        NotificationWrite::Attempt(record) => {
            notifications::record_attempt(connection, record).await
        }
    }
}

/// Applies a change to the console's sessions.
async fn apply_session_write(
    connection: &mut AnyConnection,
    write: &SessionWrite,
) -> Result<(), StoreError> {
    match write {
        SessionWrite::Open(opening) => sessions::insert(connection, opening).await,
        SessionWrite::Touch { secret_sha256, at } => {
            sessions::touch(connection, secret_sha256, *at).await
        }
        SessionWrite::Close(secret_sha256s) => sessions::delete(connection, secret_sha256s).await,
        SessionWrite::CloseOfToken(token_id) => {
            sessions::delete_of_token(connection, token_id).await
        }
    }
}

/// Applies one of the writes use cases commit, by the area it belongs to.
async fn apply_store_write(
    connection: &mut AnyConnection,
    write: &StoreWrite,
) -> Result<(), StoreError> {
    match write {
        // Parties, keys and credentials.
        StoreWrite::InsertParty(party) => parties::insert_party(connection, party).await,
        StoreWrite::AddPartyKey { party, key } => {
            parties::insert_party_key(connection, party, key).await
        }
        StoreWrite::RevokePartyKey {
            party,
            key_id,
            at,
            reason,
        } => parties::revoke_party_key(connection, party, key_id, *at, reason).await,
        StoreWrite::InsertCredential(credential) => {
            parties::insert_credential(connection, credential).await
        }
        StoreWrite::RevokeCredential { token_id, at } => {
            parties::revoke_credential(connection, token_id, *at).await
        }
        // Incidents, norms documents and assessments.
        StoreWrite::InsertIncident(write) => incidents::insert_incident(connection, write).await,
        StoreWrite::UpdateIncident {
            write,
            expected_version,
        } => incidents::update_incident(connection, write, *expected_version).await,
        StoreWrite::InsertNormsDocument(document) => {
            incidents::insert_norms_document(connection, document).await
        }
        StoreWrite::InsertNormsAdoption(adoption) => {
            incidents::insert_norms_adoption(connection, adoption).await
        }
        StoreWrite::PutAssessment(assessment) => {
            incidents::put_assessment(connection, assessment).await
        }
        // The hotline.
        StoreWrite::Hotline(write) => hotline::apply(connection, write).await,
        // Tabletop exercises.
        StoreWrite::InsertExerciseRecord(record) => exercise::insert(connection, record).await,
        // Attribution claims and consultations.
        StoreWrite::InsertAttributionRecord(record) => {
            claims::insert_record(connection, record).await
        }
        StoreWrite::PutClaimSummary(summary) => claims::put_summary(connection, summary).await,
        StoreWrite::InsertHotlineEvents(events) => hotline::insert_events(connection, events).await,
        StoreWrite::PutConsultationSummary(summary) => {
            claims::put_consultation(connection, summary).await
        }
        // STIX and TAXII.
        StoreWrite::InsertTaxiiCollection(collection) => {
            stix::insert_collection(connection, collection).await
        }
        StoreWrite::PutCollectionAccess(access) => stix::put_access(connection, access).await,
        StoreWrite::InsertTaxiiStatus(status) => stix::insert_status(connection, status).await,
        StoreWrite::Federation(write) => federation::apply(connection, write).await,
        // Commitments and their record.
        StoreWrite::InsertCommitmentRecord(record) => {
            commitments::insert_record(connection, record).await
        }
        StoreWrite::PutCommitmentDeadline(deadline) => {
            commitments::put_deadline(connection, deadline).await
        }
        StoreWrite::StampCommitmentDeadline {
            deadline,
            overdue,
            at,
        } => commitments::stamp_deadline(connection, deadline, *overdue, *at).await,
        StoreWrite::InsertNotifyDuties(rows) => {
            commitments::insert_notify_duties(connection, rows).await
        }
        // Coordinated vulnerability disclosure.
        StoreWrite::InsertDisclosureRecord(record) => {
            crate::disclosure::insert_record(connection, record).await
        }
        StoreWrite::PutDisclosureCaseSummary(summary) => {
            crate::disclosure::put_summary(connection, summary).await
        }
        StoreWrite::InsertDisclosureDeadlineFiring(firing) => {
            crate::disclosure::insert_firing(connection, firing).await
        }
        // Supply-chain notices.
        StoreWrite::InsertSupplyChainNotice(summary) => {
            crate::supply_chain::insert_notice(connection, summary).await
        }
        StoreWrite::RecordNoticeAcknowledgement {
            notice_id,
            party,
            exposure,
            at,
        } => {
            crate::supply_chain::record_acknowledgement(
                connection, *notice_id, party, exposure, *at,
            )
            .await
        }
        StoreWrite::MarkNoticeReminded {
            notice_id,
            parties,
            at,
        } => crate::supply_chain::mark_reminded(connection, *notice_id, parties, *at).await,
    }
}
