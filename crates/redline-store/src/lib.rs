//! redline-store: where a node keeps its records.
//!
//! Owns the [`Store`] trait, its SQL implementation for SQLite (the default, one embedded file)
//! and PostgreSQL, the embedded migrations of both, and the writer that makes every write durable
//! before it answers. It holds no business rules: what is valid, who may read what and which
//! version comes next are decided by the model and the node; the store keeps and returns them.
//!
//! [`Store`] is the sum of one trait per area — [`PartyStore`], [`IncidentStore`],
//! [`HotlineStore`], [`SharingStore`], [`ExerciseStore`], [`DashboardStore`],
//! [`LogOutboxStore`], [`SessionStore`], [`NotificationStore`] — each defined with its records and statements in the
//! area's module.
//! Modules depend one way: `sql_helpers` ← the areas ← `writes` (the one dispatch of every
//! write) ← `writer` ← `sql` (`SqlStore`, wiring the area traits); no area imports another.

mod claims;
// Commitments and their record: adoptions, implementation reports, peer review.
mod commitments;
// Several processes over one PostgreSQL database.
pub mod cluster;
mod exercise;
// Federation between nodes.
mod federation;
mod hotline;
mod incidents;
mod log_outbox;
mod notifications;
mod parties;
mod sessions;
mod sql;
mod sql_helpers;
mod stix;
mod writer;
mod writes;
// Transparency log: tiles, bundles and checkpoint as files.
pub mod testing;
pub mod tile_files;
// Coordinated vulnerability disclosure.
mod disclosure;
pub use disclosure::{
    DisclosureCaseQuery, DisclosureCaseSummary, DisclosureDeadlineFiring, DisclosureRecord,
    DisclosureRecordKind, DisclosureStore,
};
// Supply-chain notices (GGE 13(i)).
mod supply_chain;
pub use supply_chain::{
    NoticeRecipientRow, SupplyChainNoticeQuery, SupplyChainNoticeSummary, SupplyChainStore,
};
// The dashboard's read-only aggregates.
mod dashboard;
pub use dashboard::{
    DashboardFingerprint, DashboardHotlineFigures, DashboardHotlineFingerprint,
    DashboardIncidentQuery, DashboardIncidentRow, DashboardStore, PartyHotlineFigures,
    PartyIncidentCounts, SeverityCount,
};

use async_trait::async_trait;
use redline_model::{
    CountryCode, Incident, IncidentId, IncidentStatus, Party, PartyId, PartyKey, Sector, Timestamp,
};

pub use claims::{
    AttributionRecord, AttributionRecordKind, ClaimQuery, ClaimStore, ClaimSummary,
    ConsultationSummary, PartyConsultationFigures, PublishedClaimCount,
};
pub use cluster::{ClusterStore, LeadershipLease, Notice, NoticeListener};
pub use commitments::{
    CommitmentDeadline, CommitmentQuery, CommitmentRecord, CommitmentRecordKind, CommitmentStore,
    HotlineDutyRow, NotifyDutyRow, PublicReportSummary, StatusUpdateTime,
};
pub use federation::{
    FederationAlarm, FederationStore, FederationWrite, PartyHome, PeerCheckpoint, PeerIncident,
    PeerSyncState, RelayFigures, RelayOutboxItem,
};
pub use hotline::{
    CheckChange, CheckTarget, CommunicationCheck, HotlineEvent, HotlineRequestQuery,
    HotlineRequestRow, HotlineStore, HotlineWrite, NotifiedParties, RequestAnswer, StoredMessage,
    StoredThread, ThreadChange,
};
pub use incidents::IncidentStore;
pub use log_outbox::LogOutboxStore;
// Notifications of hotline events to a party's webhooks and e-mail addresses.
pub use notifications::{
    AttemptRecord, ClaimedDelivery, DeliveryAttempt, DeliveryClaim, DeliveryFeed, NewDelivery,
    NotificationChannel, NotificationDelivery, NotificationStore, NotificationSubscription,
};
pub use parties::PartyStore;
// The console's sessions.
pub use sessions::{LiveSessionCounts, SessionOpening, SessionStore, StoredSession};
// Tabletop exercises.
pub use exercise::{ExerciseRecord, ExerciseStore};
pub use sql::{Backend, SqlStore, SqlStoreOptions};
pub use stix::{
    CollectionAccess, SharingStore, StixObjectPage, StixObjectQuery, StixObjectWrite,
    StoredStixObject, TaxiiCollection, TaxiiStatusRecord, VersionSelection,
};
// Transparency log.
pub use tile_files::FileTileStorage;

/// An API credential: a token id in the clear and the Argon2 hash of its secret, never the
/// secret itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub token_id: String,
    pub party_id: PartyId,
    /// The PHC string of the Argon2id hash of the token's secret part.
    pub secret_hash: String,
    pub label: String,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

/// Which incidents to list. Every filter is optional; `visible_to` applies TLP: `None` lists
/// everything (the node's own operator), `Some(party)` only what that party may read.
#[derive(Debug, Clone, Default)]
pub struct IncidentQuery {
    pub visible_to: Option<PartyId>,
    pub victim: Option<CountryCode>,
    pub reported_by: Option<PartyId>,
    pub sector: Option<Sector>,
    pub status: Option<IncidentStatus>,
    /// Only incidents first observed at or after this time.
    pub observed_since: Option<Timestamp>,
    /// Only incidents first observed before this time.
    pub observed_until: Option<Timestamp>,
    /// Continue after the page that ended at this cursor.
    pub after_cursor: Option<i64>,
    pub limit: u32,
}

/// Which incidents name a vulnerability: those whose current version names the disclosure case
/// `case_id`, or the CVE id `cve` (the case's, once it has one), as exploited. `visible_to`
/// applies TLP as in [`IncidentQuery`]; `tlp` keeps only incidents of that label (the node's
/// public label, for anonymous visitors).
#[derive(Debug, Clone)]
pub struct IncidentsNamingVulnerabilityQuery {
    pub case_id: uuid::Uuid,
    pub cve: Option<redline_model::CveId>,
    pub visible_to: Option<PartyId>,
    pub tlp: Option<redline_model::Tlp>,
    pub limit: u32,
}

/// One page of incidents, newest first, with the cursor of the next page if there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentPage {
    pub incidents: Vec<Incident>,
    pub next_cursor: Option<i64>,
}

/// An incident to store, with the parties that may read it when its label is restricted (the
/// node computes them with [`redline_model::IncidentReport::readers`]), and its assessment when
/// the node made one: both are written in the same transaction.
#[derive(Debug, Clone)]
pub struct IncidentWrite {
    pub incident: Incident,
    /// `None`: every signed-in party may read it.
    pub readers: Option<Vec<PartyId>>,
    pub assessment: Option<StoredAssessment>,
}

impl IncidentWrite {
    pub fn new(incident: Incident) -> Self {
        let readers = incident
            .report
            .readers()
            .map(|readers| readers.into_iter().collect());
        Self {
            incident,
            readers,
            assessment: None,
        }
    }

    pub fn with_assessment(mut self, assessment: StoredAssessment) -> Self {
        self.assessment = Some(assessment);
        self
    }
}

/// A norms document as added to the node: its exact text, named by the SHA-256 of its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredNormsDocument {
    pub sha256: String,
    pub document_id: String,
    pub version: String,
    pub title: String,
    pub file_name: String,
    pub text: String,
    pub added_at: Timestamp,
}

/// A group of parties adopting a norms document. The latest adoption naming a party is the one
/// that applies to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormsAdoption {
    /// Assigned by the store; ignored on insert.
    pub sequence: i64,
    pub document_sha256: String,
    pub parties: Vec<PartyId>,
    pub adopted_at: Timestamp,
    /// Whether the adopting parties' signatures were verified (the hotline's DSSE signing).
    pub signed: bool,
}

/// The assessment of one version of an incident against one norms document, as JSON bytes
/// exactly as the norms engine produced them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAssessment {
    pub incident_id: IncidentId,
    pub incident_version: u32,
    pub norms_sha256: String,
    pub assessed_at: Timestamp,
    pub assessment_json: String,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record exists already, or a concurrent update got there first.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A record the write refers to does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The database could not be reached or answered with an error.
    #[error("database error: {0}")]
    Database(String),
    /// A stored record could not be read back (the database was altered by hand, or a bug).
    #[error("corrupt record {what}: {message}")]
    Corrupt { what: String, message: String },
    /// The store is shutting down or its writer stopped.
    #[error("the store is closed")]
    Closed,
    /// The database file failed SQLite's integrity check (`PRAGMA quick_check`): some of its
    /// pages are damaged, so reads would fail or answer wrongly.
    #[error(
        "the database {file} is corrupt: SQLite's quick_check found {findings}; restore it from a backup"
    )]
    CorruptDatabase { file: String, findings: String },
    /// Another process (or another store in this one) holds the SQLite database: SQLite serves
    /// one process; several run over PostgreSQL.
    #[error(
        "another redline process{} is serving {file}; stop it, or move to PostgreSQL to run several",
        .holder.map(|pid| format!(" (pid {pid})")).unwrap_or_default()
    )]
    DatabaseInUse {
        file: String,
        /// The process id the lock file names, when it names one.
        holder: Option<u32>,
    },
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        let said = error.to_string();
        let about_tls = matches!(error, sqlx::Error::Tls(_)) || said.contains("certificate");
        if about_tls {
            StoreError::Database(format!(
                "TLS to the database failed: {said}. With sslmode=verify-full (or verify-ca) \
                 the server's certificate must be signed by the certificate in sslrootcert (or a \
                 system root) and, for verify-full, name the host in the URL"
            ))
        } else {
            StoreError::Database(said)
        }
    }
}

/// One change of a [`Store::commit`]: the writes a use case makes together with the
/// transparency-log entries they cause.
#[derive(Debug, Clone)]
pub enum StoreWrite {
    InsertParty(Party),
    AddPartyKey {
        party: PartyId,
        key: PartyKey,
    },
    /// Not found if `key_id` is not a current key of `party`.
    RevokePartyKey {
        party: PartyId,
        key_id: String,
        at: Timestamp,
        reason: String,
    },
    /// Conflict if the id exists.
    InsertIncident(IncidentWrite),
    /// Conflict if the stored version is not `expected_version`.
    UpdateIncident {
        write: IncidentWrite,
        expected_version: u32,
    },
    /// Conflict if a document with the same SHA-256 is stored.
    InsertNormsDocument(StoredNormsDocument),
    InsertNormsAdoption(NormsAdoption),
    PutAssessment(StoredAssessment),
    Hotline(Box<HotlineWrite>),
    InsertExerciseRecord(ExerciseRecord),
    /// Conflict if the same signed payload is stored already.
    InsertAttributionRecord(AttributionRecord),
    /// Creates or replaces a claim's summary and readers.
    PutClaimSummary(ClaimSummary),
    /// Creates or replaces a consultation's timing row.
    PutConsultationSummary(ConsultationSummary),
    /// Events on parties' streams outside a hotline thread (a consultation's request, reply,
    /// outcome).
    InsertHotlineEvents(Vec<HotlineEvent>),
    /// Conflict if the token id exists.
    InsertCredential(Credential),
    /// Not found if no active credential has this token id.
    RevokeCredential {
        token_id: String,
        at: Timestamp,
    },
    /// Conflict if its id or alias exists.
    InsertTaxiiCollection(TaxiiCollection),
    PutCollectionAccess(CollectionAccess),
    InsertTaxiiStatus(TaxiiStatusRecord),
    /// Federation between nodes: party homes, relays, sync, peers' checkpoints and alarms.
    Federation(Box<FederationWrite>),
    /// Conflict if the same signed payload is stored already.
    InsertCommitmentRecord(CommitmentRecord),
    /// Creates or replaces a duty's deadline row.
    PutCommitmentDeadline(CommitmentDeadline),
    /// Stamps a duty reminded (or overdue when `overdue`); conflict if stamped already or done.
    StampCommitmentDeadline {
        deadline: CommitmentDeadline,
        overdue: bool,
        at: Timestamp,
    },
    /// The reporter's notify duties of a newly reported incident, one per affected party.
    InsertNotifyDuties(Vec<NotifyDutyRow>),
    /// Conflict if the same signed payload is stored already.
    InsertDisclosureRecord(DisclosureRecord),
    /// Creates or replaces a disclosure case's summary and readers.
    PutDisclosureCaseSummary(DisclosureCaseSummary),
    /// Conflict if this deadline fired already.
    InsertDisclosureDeadlineFiring(DisclosureDeadlineFiring),
    /// A new supply-chain notice's row and its addressed parties; conflict if it exists.
    InsertSupplyChainNotice(SupplyChainNoticeSummary),
    /// An addressed party acknowledged (the first time stays); not found if it was not
    /// addressed.
    RecordNoticeAcknowledgement {
        notice_id: uuid::Uuid,
        party: PartyId,
        exposure: String,
        at: Timestamp,
    },
    /// The missed-acknowledgement reminders of these parties fired; conflict if one fired
    /// already or the party acknowledged meanwhile.
    MarkNoticeReminded {
        notice_id: uuid::Uuid,
        parties: Vec<PartyId>,
        at: Timestamp,
    },
}

/// Everything a node keeps: every area's trait, plus what concerns the database as a whole. A
/// write returns only once it is durable (committed with the database's full synchronisation).
#[async_trait]
pub trait Store:
    PartyStore
    + IncidentStore
    + HotlineStore
    + SharingStore
    + ExerciseStore
    + ClaimStore
    + DashboardStore
    + LogOutboxStore
    + SessionStore
    + NotificationStore
    + FederationStore
    + CommitmentStore
    + cluster::ClusterStore
    + DisclosureStore
    + SupplyChainStore
    + Send
    + Sync
{
    /// Which database is behind this store, for logs and health checks.
    fn backend(&self) -> Backend;
    /// Whether the database answers and, on SQLite, passes `PRAGMA quick_check` (damaged pages
    /// are [`StoreError::CorruptDatabase`]): the node's readiness.
    async fn check_health(&self) -> Result<(), StoreError>;
    /// Waits for pending writes and closes the database.
    async fn close(&self);
}
