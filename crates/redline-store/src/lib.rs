//! redline-store: where a node keeps its records.
//!
//! Owns the [`Store`] trait, its SQL implementation for SQLite (the default, one embedded file)
//! and PostgreSQL, the embedded migrations of both, and the writer that makes every write durable
//! before it answers. It holds no business rules: what is valid, who may read what and which
//! version comes next are decided by the model and the node; the store keeps and returns them.

mod exercise;
mod hotline;
mod sql;
mod stix;
mod writer;
// Transparency log: tiles, bundles and checkpoint as files.
pub mod testing;
pub mod tile_files;
// The dashboard's read-only aggregates.
mod dashboard;
pub use dashboard::{
    DashboardFingerprint, DashboardHotlineFigures, DashboardHotlineFingerprint,
    DashboardIncidentQuery, DashboardIncidentRow, PartyHotlineFigures, PartyIncidentCounts,
    SeverityCount,
};

use async_trait::async_trait;
use redline_model::{
    CountryCode, Incident, IncidentId, IncidentStatus, Party, PartyId, PartyKey, Sector, Timestamp,
};

pub use hotline::{
    CheckChange, CheckTarget, CommunicationCheck, HotlineEvent, HotlineWrite, StoredMessage,
    StoredThread, ThreadChange,
};
// Tabletop exercises.
pub use exercise::ExerciseRecord;
pub use sql::{Backend, SqlStore, SqlStoreOptions};
pub use stix::{
    CollectionAccess, StixObjectPage, StixObjectQuery, StixObjectWrite, StoredStixObject,
    TaxiiCollection, TaxiiStatusRecord, VersionSelection,
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
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        StoreError::Database(error.to_string())
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
}

/// Everything a node keeps. A write returns only once it is durable (committed with the
/// database's full synchronisation).
#[async_trait]
pub trait Store: Send + Sync {
    /// Which database is behind this store, for logs and health checks.
    fn backend(&self) -> Backend;
    /// Whether the database answers and, on SQLite, passes `PRAGMA quick_check` (damaged pages
    /// are [`StoreError::CorruptDatabase`]): the node's readiness.
    async fn check_health(&self) -> Result<(), StoreError>;

    /// Applies `writes` in one transaction (all or nothing) and, in the same transaction, puts
    /// `log_entries` into the transparency log's outbox. Answers the entries' outbox ids, in
    /// order, once durable.
    async fn commit(
        &self,
        writes: Vec<StoreWrite>,
        log_entries: Vec<String>,
    ) -> Result<Vec<i64>, StoreError>;
    /// The log outbox: entries committed but not yet known to be in the log, oldest first.
    async fn pending_log_entries(&self) -> Result<Vec<(i64, String)>, StoreError>;
    /// Deletes outbox rows whose entries are durable in the log. Does not wait (the delete
    /// commits with the next batch of writes) and never blocks; `false` if it could not be
    /// queued. Losing it is harmless: at start the node finds those entries in the log already.
    fn forget_log_entries(&self, ids: Vec<i64>) -> bool;

    async fn insert_party(&self, party: &Party) -> Result<(), StoreError>;
    async fn get_party(&self, id: &PartyId) -> Result<Option<Party>, StoreError>;
    async fn list_parties(&self) -> Result<Vec<Party>, StoreError>;
    /// Which of `ids` are not parties of this node, in the order given.
    async fn missing_parties(&self, ids: &[PartyId]) -> Result<Vec<PartyId>, StoreError>;
    async fn add_party_key(&self, party: &PartyId, key: &PartyKey) -> Result<(), StoreError>;

    async fn insert_credential(&self, credential: &Credential) -> Result<(), StoreError>;
    async fn get_credential(&self, token_id: &str) -> Result<Option<Credential>, StoreError>;
    async fn revoke_credential(&self, token_id: &str, at: Timestamp) -> Result<(), StoreError>;

    /// Stores version 1 of a new incident. Conflict if the id exists.
    async fn insert_incident(&self, write: &IncidentWrite) -> Result<(), StoreError>;
    /// Replaces the current version with `write` (whose version must be one more than
    /// `expected_version`), keeping every earlier version. Conflict if the stored version is not
    /// `expected_version`.
    async fn update_incident(
        &self,
        write: &IncidentWrite,
        expected_version: u32,
    ) -> Result<(), StoreError>;
    async fn get_incident(&self, id: &IncidentId) -> Result<Option<Incident>, StoreError>;
    /// Every stored version of an incident, oldest first.
    async fn list_incident_versions(&self, id: &IncidentId) -> Result<Vec<Incident>, StoreError>;
    async fn list_incidents(&self, query: &IncidentQuery) -> Result<IncidentPage, StoreError>;
    async fn count_incidents(&self) -> Result<u64, StoreError>;

    /// Stores a norms document. Conflict if a document with the same SHA-256 is stored.
    async fn insert_norms_document(&self, document: &StoredNormsDocument)
    -> Result<(), StoreError>;
    async fn get_norms_document(
        &self,
        sha256: &str,
    ) -> Result<Option<StoredNormsDocument>, StoreError>;
    /// Every stored document, oldest first.
    async fn list_norms_documents(&self) -> Result<Vec<StoredNormsDocument>, StoreError>;
    async fn insert_norms_adoption(&self, adoption: &NormsAdoption) -> Result<(), StoreError>;
    /// Every adoption, oldest first.
    async fn list_norms_adoptions(&self) -> Result<Vec<NormsAdoption>, StoreError>;
    /// Stores an assessment, replacing one of the same incident version and document.
    async fn put_assessment(&self, assessment: &StoredAssessment) -> Result<(), StoreError>;
    /// The assessment of the newest assessed version of an incident, newest first.
    async fn get_latest_assessment(
        &self,
        incident: &IncidentId,
    ) -> Result<Option<StoredAssessment>, StoreError>;

    // The hotline.
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
    /// Applies one hotline change atomically.
    async fn apply_hotline_write(&self, write: &HotlineWrite) -> Result<(), StoreError>;
    async fn hotline_message_exists(&self, id: uuid::Uuid) -> Result<bool, StoreError>;
    async fn get_hotline_message(
        &self,
        id: uuid::Uuid,
    ) -> Result<Option<StoredMessage>, StoreError>;
    /// The messages of a thread, in the order received.
    async fn list_thread_messages(
        &self,
        thread: uuid::Uuid,
    ) -> Result<Vec<StoredMessage>, StoreError>;
    async fn get_thread(&self, id: uuid::Uuid) -> Result<Option<StoredThread>, StoreError>;
    /// Threads, newest activity first: those `party` takes part in, or all for `None`.
    async fn list_threads(
        &self,
        party: Option<&PartyId>,
        limit: u32,
    ) -> Result<Vec<StoredThread>, StoreError>;
    /// Threads with a deadline that still awaits firing and falls at or before `due_by`.
    async fn threads_with_deadlines_due(
        &self,
        due_by: Timestamp,
    ) -> Result<Vec<StoredThread>, StoreError>;
    /// The earliest deadline of any thread that still awaits firing.
    async fn earliest_awaited_deadline(&self) -> Result<Option<Timestamp>, StoreError>;
    /// A party's events after `after_sequence`, oldest first.
    async fn list_hotline_events(
        &self,
        party: &PartyId,
        after_sequence: i64,
        limit: u32,
    ) -> Result<Vec<HotlineEvent>, StoreError>;
    async fn get_communication_check(
        &self,
        id: uuid::Uuid,
    ) -> Result<Option<CommunicationCheck>, StoreError>;
    /// The newest checks `reader` may read first, each with its thread's label.
    async fn list_communication_checks(
        &self,
        reader: redline_model::Reader<'_>,
        limit: u32,
    ) -> Result<Vec<(CommunicationCheck, redline_model::Tlp)>, StoreError>;

    // Tabletop exercises.
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

    // STIX objects and TAXII collections.
    /// Creates a collection. Conflict if its id or alias exists.
    async fn insert_taxii_collection(&self, collection: &TaxiiCollection)
    -> Result<(), StoreError>;
    async fn get_taxii_collection(&self, id: &str) -> Result<Option<TaxiiCollection>, StoreError>;
    /// Every collection, oldest first.
    async fn list_taxii_collections(&self) -> Result<Vec<TaxiiCollection>, StoreError>;
    /// Sets (or replaces) what a party may do with a collection.
    async fn put_collection_access(&self, access: &CollectionAccess) -> Result<(), StoreError>;
    /// Every party's rights to every collection (`collection` = `None`) or to one.
    async fn list_collection_access(
        &self,
        collection: Option<&str>,
    ) -> Result<Vec<CollectionAccess>, StoreError>;
    /// Stores object versions in one transaction; answers, for each, whether it was new
    /// (`false`: that id and version were in the collection already, and nothing changed).
    async fn insert_stix_objects(
        &self,
        objects: &[StixObjectWrite],
    ) -> Result<Vec<bool>, StoreError>;
    async fn list_stix_objects(
        &self,
        query: &StixObjectQuery,
    ) -> Result<StixObjectPage, StoreError>;
    /// The latest `date_added` of any stored object, so a node keeps them increasing.
    async fn latest_stix_added_at(&self) -> Result<Option<Timestamp>, StoreError>;
    async fn insert_taxii_status(&self, status: &TaxiiStatusRecord) -> Result<(), StoreError>;
    async fn get_taxii_status(&self, id: &str) -> Result<Option<TaxiiStatusRecord>, StoreError>;

    // The dashboard: read-only aggregates over incidents of one TLP label.
    /// Changes whenever an incident or an assessment is written (for caches).
    async fn dashboard_fingerprint(&self) -> Result<DashboardFingerprint, StoreError>;
    /// Incidents labelled `tlp`, counted by the severity of their latest assessment.
    async fn dashboard_counts_by_severity(
        &self,
        tlp: &str,
    ) -> Result<Vec<SeverityCount>, StoreError>;
    /// Incidents labelled `tlp`, counted by the month (`YYYY-MM`, UTC) they were first observed.
    async fn dashboard_counts_by_month(&self, tlp: &str) -> Result<Vec<(String, u64)>, StoreError>;
    /// Incidents labelled `tlp`, counted by reporter and by suspected state.
    async fn dashboard_counts_by_party(
        &self,
        tlp: &str,
    ) -> Result<std::collections::BTreeMap<String, PartyIncidentCounts>, StoreError>;
    /// A page of incidents with the fields a dashboard listing shows, newest first.
    async fn dashboard_list_incidents(
        &self,
        query: &DashboardIncidentQuery,
    ) -> Result<Vec<DashboardIncidentRow>, StoreError>;
    /// Changes whenever the hotline writes (for caches of its figures).
    async fn dashboard_hotline_fingerprint(
        &self,
    ) -> Result<DashboardHotlineFingerprint, StoreError>;
    /// Acknowledgement and communication-check timeliness at `now_us`: counts and times only.
    async fn dashboard_hotline_figures(
        &self,
        now_us: i64,
    ) -> Result<DashboardHotlineFigures, StoreError>;
    /// The sequence of a party's newest hotline event, 0 when it has none.
    async fn dashboard_latest_event_sequence(&self, party: &str) -> Result<i64, StoreError>;

    /// Waits for pending writes and closes the database.
    async fn close(&self);
}
