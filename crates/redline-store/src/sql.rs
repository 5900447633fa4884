//! The SQL store: one implementation of [`Store`] for SQLite and PostgreSQL over sqlx's `Any`
//! driver. The SQL text is shared (`$N` placeholders, BIGINT microsecond times, JSON kept as
//! TEXT so the exact bytes come back); each backend has its own migrations and connection setup.

use std::{collections::BTreeMap, path::Path, str::FromStr, sync::Arc, time::Duration};

use async_trait::async_trait;
use sqlx::{
    AnyConnection, Connection, Row,
    any::{AnyConnectOptions, AnyPoolOptions},
};

use crate::{
    Credential, IncidentPage, IncidentQuery, IncidentWrite, NormsAdoption, Store, StoreError,
    StoredAssessment, StoredNormsDocument,
    writer::{WriteCommand, Writer},
};
use redline_model::{Incident, IncidentId, Party, PartyId, PartyKey, Timestamp};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The database behind a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Tuning of a [`SqlStore`].
#[derive(Debug, Clone)]
pub struct SqlStoreOptions {
    /// Connections for reads (writes use one connection of their own).
    pub maximum_read_connections: u32,
    /// The most writes committed together in one transaction.
    pub maximum_write_batch: usize,
}

impl Default for SqlStoreOptions {
    fn default() -> Self {
        Self {
            maximum_read_connections: 8,
            maximum_write_batch: 256,
        }
    }
}

/// The store on SQLite or PostgreSQL.
pub struct SqlStore {
    pub(crate) backend: Backend,
    pub(crate) pool: sqlx::AnyPool,
    writer: Writer,
    /// SQLite only: moves the WAL into the database file off the writer's path.
    checkpointer: Option<tokio::task::JoinHandle<()>>,
    /// The database's file (SQLite) or URL without its parameters, for error messages.
    location: String,
    /// SQLite: when the last readiness check ran and what `PRAGMA quick_check` found (`Err`:
    /// the findings). Held across a check, so only one runs at a time.
    last_quick_check: tokio::sync::Mutex<Option<(std::time::Instant, Result<(), String>)>>,
}

/// How long a readiness check's `PRAGMA quick_check` verdict is answered again instead of
/// reading the whole file once more (readiness probes are frequent and need no authentication).
const QUICK_CHECK_REUSE: Duration = Duration::from_secs(10);

/// How many of `PRAGMA quick_check`'s findings an error quotes.
const QUICK_CHECK_FINDINGS_QUOTED: usize = 5;

/// SQLite's result codes for a damaged file: `SQLITE_CORRUPT` and `SQLITE_NOTADB`.
const SQLITE_CORRUPT: i64 = 11;
const SQLITE_NOTADB: i64 = 26;

/// An error from SQLite while opening or checking `file`: the file's damage in the store's own
/// words, anything else as it came.
fn sqlite_error_of_file(error: sqlx::Error, file: &str) -> StoreError {
    if let sqlx::Error::Database(database_error) = &error {
        let primary_code = database_error
            .code()
            .and_then(|code| code.parse::<i64>().ok())
            .map(|code| code & 0xff);
        if matches!(primary_code, Some(SQLITE_CORRUPT | SQLITE_NOTADB)) {
            return StoreError::CorruptDatabase {
                file: file.to_string(),
                findings: database_error.message().to_string(),
            };
        }
    }
    StoreError::Database(format!("{file}: {error}"))
}

/// Runs SQLite's `PRAGMA quick_check` (every page and index b-tree read and checked, in time
/// linear in the file's size): `Ok` if it answers `ok`, else [`StoreError::CorruptDatabase`]
/// quoting what it found.
async fn quick_check(connection: &mut AnyConnection, file: &str) -> Result<(), StoreError> {
    let rows = sqlx::query("PRAGMA quick_check")
        .fetch_all(&mut *connection)
        .await
        .map_err(|error| sqlite_error_of_file(error, file))?;
    let findings: Vec<String> = rows
        .iter()
        .map(|row| row.try_get::<String, _>(0).unwrap_or_default())
        .collect();
    if findings.len() == 1 && findings[0] == "ok" {
        return Ok(());
    }
    let mut quoted = findings
        .iter()
        .take(QUICK_CHECK_FINDINGS_QUOTED)
        .map(|finding| format!("`{}`", finding.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    if findings.len() > QUICK_CHECK_FINDINGS_QUOTED {
        quoted.push_str(&format!(
            " and {} more",
            findings.len() - QUICK_CHECK_FINDINGS_QUOTED
        ));
    }
    if findings.is_empty() {
        quoted = "no answer at all".into();
    }
    Err(StoreError::CorruptDatabase {
        file: file.to_string(),
        findings: quoted,
    })
}

/// How often the WAL is checkpointed in the background (SQLite).
const WAL_CHECKPOINT_INTERVAL: Duration = Duration::from_millis(2000);

/// From this many WAL frames (about 1 GiB) on, the writer finishes a checkpoint itself when its
/// queue is empty; from four times as many, between any two batches.
pub(crate) const WAL_RESTART_FRAMES: i64 = 262_144;

/// Copies the WAL into the database file in the background, off the writer's path, and tells
/// the writer how many frames the WAL holds (`wal_frames`). SQLite starts the WAL over from its
/// beginning only when a write begins with every frame copied; a writer that never pauses
/// always commits again before a background checkpoint has caught up, so the WAL grows for as
/// long as the load lasts (6 GB in a 1,000,000-object ingest, a quarter of whose CPU went to
/// zeroing the new pages of the growing file). Once the WAL passes 1 GiB the writer therefore
/// runs a checkpoint between two batches (it copies what came since the last background pass),
/// and its next transaction starts the WAL over. Every request queued behind it waits, and the
/// copy competes with the writer's own fsyncs, so it is kept rare: at 32 MiB or 256 MiB, or with
/// a background pass every 50 ms, it doubled or tripled the p99 of submissions.
async fn checkpoint_wal_periodically(
    pool: sqlx::AnyPool,
    wal_frames: Arc<std::sync::atomic::AtomicI64>,
) {
    let mut interval = tokio::time::interval(WAL_CHECKPOINT_INTERVAL);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        if pool.is_closed() {
            return;
        }
        match sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&pool)
            .await
        {
            Ok(row) => {
                // (busy, frames in the WAL, frames copied)
                let frames: i64 = row.try_get(1).unwrap_or(0);
                wal_frames.store(frames, std::sync::atomic::Ordering::Relaxed);
            }
            Err(error) => tracing::debug!(%error, "WAL checkpoint skipped"),
        }
    }
}

const SQLITE_CONNECTION_SETUP: [&str; 4] = [
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 10000",
];

async fn prepare_connection(
    connection: &mut AnyConnection,
    backend: Backend,
) -> Result<(), sqlx::Error> {
    if backend == Backend::Sqlite {
        for statement in SQLITE_CONNECTION_SETUP {
            sqlx::query(statement).execute(&mut *connection).await?;
        }
    }
    Ok(())
}

impl SqlStore {
    /// Opens (creating if needed) the SQLite database file at `path`.
    pub async fn open_sqlite_file(
        path: &Path,
        options: SqlStoreOptions,
    ) -> Result<Self, StoreError> {
        let url = format!("sqlite://{}?mode=rwc", path.display());
        Self::open(&url, options).await
    }

    /// Opens the database at `url` (`sqlite://FILE?mode=rwc` or `postgres://…`) and brings its
    /// schema up to date.
    pub async fn open(url: &str, options: SqlStoreOptions) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url).ok_or_else(|| {
            StoreError::Database(format!(
                "unsupported database URL `{}`: use sqlite://FILE or postgres://…",
                url.split('?').next().unwrap_or(url)
            ))
        })?;
        let connect_options = AnyConnectOptions::from_str(url)?;
        let location = database_location(url);

        let mut write_connection = AnyConnection::connect_with(&connect_options).await?;
        if backend == Backend::Sqlite {
            // A damaged file is refused here, with what is wrong, rather than served with
            // errors on the reads that touch the damaged pages.
            prepare_connection(&mut write_connection, backend)
                .await
                .map_err(|error| sqlite_error_of_file(error, &location))?;
            quick_check(&mut write_connection, &location).await?;
        } else {
            prepare_connection(&mut write_connection, backend).await?;
        }
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&mut write_connection)
            .await
            .map_err(|error| StoreError::Database(format!("migrating the schema: {error}")))?;

        let pool = AnyPoolOptions::new()
            .max_connections(options.maximum_read_connections.max(1))
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |connection, _metadata| {
                Box::pin(async move { prepare_connection(connection, backend).await })
            })
            .connect_with(connect_options)
            .await?;
        let wal_frames = Arc::new(std::sync::atomic::AtomicI64::new(0));
        let checkpointer = (backend == Backend::Sqlite).then(|| {
            tokio::spawn(checkpoint_wal_periodically(
                pool.clone(),
                wal_frames.clone(),
            ))
        });
        if backend == Backend::Sqlite {
            // The writer never stops to checkpoint on commit; the task above does it.
            sqlx::query("PRAGMA wal_autocheckpoint = 0")
                .execute(&mut write_connection)
                .await?;
        }
        let writer =
            Writer::start(write_connection, options.maximum_write_batch, wal_frames).await?;
        Ok(Self {
            backend,
            pool,
            writer,
            checkpointer,
            location,
            last_quick_check: tokio::sync::Mutex::new(None),
        })
    }
}

/// The file of a `sqlite:` URL, or any URL without its parameters (which may hold a password).
fn database_location(url: &str) -> String {
    let without_parameters = url.split('?').next().unwrap_or(url);
    match without_parameters
        .strip_prefix("sqlite://")
        .or_else(|| without_parameters.strip_prefix("sqlite:"))
    {
        Some(file) => file.to_string(),
        None => match without_parameters.split_once('@') {
            // postgres://user:password@host/database → postgres://host/database
            Some((credentials, rest)) => {
                let scheme = credentials.split("://").next().unwrap_or("postgres");
                format!("{scheme}://{rest}")
            }
            None => without_parameters.to_string(),
        },
    }
}

pub(crate) fn corrupt(what: impl Into<String>, message: impl ToString) -> StoreError {
    StoreError::Corrupt {
        what: what.into(),
        message: message.to_string(),
    }
}

pub(crate) fn timestamp_from_column(
    what: &str,
    microseconds: i64,
) -> Result<Timestamp, StoreError> {
    Timestamp::from_microseconds(microseconds).map_err(|message| corrupt(what, message))
}

pub(crate) fn to_json_text<T: serde::Serialize>(
    what: &str,
    value: &T,
) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|error| corrupt(what, error))
}

pub(crate) fn from_json_text<T: serde::de::DeserializeOwned>(
    what: &str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|error| corrupt(what, error))
}

/// Turns database refusals into the store's own words.
pub(crate) fn classify(error: sqlx::Error, what: impl Fn() -> String) -> StoreError {
    if let sqlx::Error::Database(database_error) = &error {
        if database_error.is_unique_violation() {
            return StoreError::Conflict(format!("{} exists already", what()));
        }
        if database_error.is_foreign_key_violation() {
            return StoreError::NotFound(format!(
                "{} refers to a record that does not exist",
                what()
            ));
        }
    }
    StoreError::from(error)
}

const INSERT_PARTY: &str =
    "INSERT INTO parties (id, kind, record, created_at_us) VALUES ($1, $2, $3, $4)";
const INSERT_PARTY_KEY: &str = "INSERT INTO party_keys (party_id, key_id, public_key, added_at_us, revoked_at_us, revocation_reason) VALUES ($1, $2, $3, $4, $5, $6)";
const INSERT_CREDENTIAL: &str = "INSERT INTO credentials (token_id, party_id, secret_hash, label, created_at_us, revoked_at_us) VALUES ($1, $2, $3, $4, $5, $6)";
const REVOKE_CREDENTIAL: &str =
    "UPDATE credentials SET revoked_at_us = $2 WHERE token_id = $1 AND revoked_at_us IS NULL";
/// The columns of an incident row, in the order [`bind_incident_columns`] binds them: the
/// report's own, then the dashboard's summary of its latest assessment (migration 0008).
const INCIDENT_COLUMNS: &str = "id, version, reported_by, victim, status, restricted, first_observed_us, updated_at_us, record, \
     tlp, suspected_state, latest_severity_level, latest_severity_name, latest_severity_colour, latest_red_line_count, latest_legal_certainty";
/// How many values [`bind_incident_columns`] binds.
const INCIDENT_COLUMN_COUNT: usize = 16;
const INSERT_INCIDENT: &str = "INSERT INTO incidents (id, version, reported_by, victim, status, restricted, first_observed_us, updated_at_us, record, \
     tlp, suspected_state, latest_severity_level, latest_severity_name, latest_severity_colour, latest_red_line_count, latest_legal_certainty) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";
/// An update without an assessment keeps the summary of the latest one ($17 says which).
const UPDATE_INCIDENT: &str = "UPDATE incidents SET version = $2, reported_by = $3, victim = $4, status = $5, restricted = $6, first_observed_us = $7, updated_at_us = $8, record = $9, \
     tlp = $10, suspected_state = $11, \
     latest_severity_level = CASE WHEN $17 = 1 THEN $12 ELSE latest_severity_level END, \
     latest_severity_name = CASE WHEN $17 = 1 THEN $13 ELSE latest_severity_name END, \
     latest_severity_colour = CASE WHEN $17 = 1 THEN $14 ELSE latest_severity_colour END, \
     latest_red_line_count = CASE WHEN $17 = 1 THEN $15 ELSE latest_red_line_count END, \
     latest_legal_certainty = CASE WHEN $17 = 1 THEN $16 ELSE latest_legal_certainty END \
     WHERE id = $1 AND version = $18";
/// A new assessment of an incident's current version becomes its latest, unless one of that
/// version assessed later is stored already (the same order the dashboard used to compute).
const SET_LATEST_ASSESSMENT: &str = "UPDATE incidents SET latest_severity_level = $3, latest_severity_name = $4, latest_severity_colour = $5, \
     latest_red_line_count = $6, latest_legal_certainty = $7 WHERE id = $1 AND version = $2 \
     AND NOT EXISTS (SELECT 1 FROM assessments a WHERE a.incident_id = $1 AND a.incident_version = $2 AND a.assessed_at_us > $8)";
const INSERT_INCIDENT_VERSION: &str = "INSERT INTO incident_versions (incident_id, version, updated_at_us, record) VALUES ($1, $2, $3, $4)";

/// Applies one write inside the writer's transaction (or savepoint).
pub(crate) async fn apply_write(
    connection: &mut AnyConnection,
    command: &WriteCommand,
) -> Result<(), StoreError> {
    match command {
        WriteCommand::Store(write) => apply_store_write(connection, write).await,
        WriteCommand::InsertCredential(credential) => {
            sqlx::query(INSERT_CREDENTIAL)
                .bind(credential.token_id.as_str())
                .bind(credential.party_id.as_str())
                .bind(credential.secret_hash.as_str())
                .bind(credential.label.as_str())
                .bind(credential.created_at.as_microseconds())
                .bind(credential.revoked_at.map(|at| at.as_microseconds()))
                .execute(&mut *connection)
                .await
                .map_err(|error| {
                    classify(error, || format!("credential {}", credential.token_id))
                })?;
            Ok(())
        }
        WriteCommand::RevokeCredential { token_id, at } => {
            let result = sqlx::query(REVOKE_CREDENTIAL)
                .bind(token_id.as_str())
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
        WriteCommand::InsertTaxiiCollection(collection) => {
            crate::stix::insert_collection(connection, collection).await
        }
        WriteCommand::PutCollectionAccess(access) => {
            crate::stix::put_access(connection, access).await
        }
        WriteCommand::InsertStixObjects { objects, outcome } => {
            crate::stix::insert_objects(connection, objects, outcome).await
        }
        WriteCommand::InsertTaxiiStatus(status) => {
            crate::stix::insert_status(connection, status).await
        }
        WriteCommand::ForgetLogEntries(ids) => {
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
    }
}

/// Applies one of the writes use cases commit (see [`crate::StoreWrite`]).
async fn apply_store_write(
    connection: &mut AnyConnection,
    write: &crate::StoreWrite,
) -> Result<(), StoreError> {
    use crate::StoreWrite;
    match write {
        StoreWrite::InsertParty(party) => {
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
        StoreWrite::AddPartyKey { party, key } => insert_party_key(connection, party, key).await,
        StoreWrite::RevokePartyKey {
            party,
            key_id,
            at,
            reason,
        } => {
            let result = sqlx::query(
                "UPDATE party_keys SET revoked_at_us = $3, revocation_reason = $4 WHERE party_id = $1 AND key_id = $2 AND revoked_at_us IS NULL",
            )
            .bind(party.as_str())
            .bind(key_id.as_str())
            .bind(at.as_microseconds())
            .bind(reason.as_str())
            .execute(&mut *connection)
            .await?;
            if result.rows_affected() == 0 {
                return Err(StoreError::NotFound(format!(
                    "no current key {key_id} of party {party}"
                )));
            }
            Ok(())
        }
        StoreWrite::Hotline(write) => crate::hotline::apply(connection, write).await,
        StoreWrite::InsertIncident(write) => {
            let incident = &write.incident;
            let what = || format!("incident {}", incident.id);
            bind_incident_columns(sqlx::query(INSERT_INCIDENT), write)?
                .execute(&mut *connection)
                .await
                .map_err(|error| classify(error, what))?;
            insert_incident_details(connection, write).await
        }
        StoreWrite::UpdateIncident {
            write,
            expected_version,
        } => {
            let incident = &write.incident;
            let result = bind_incident_columns(sqlx::query(UPDATE_INCIDENT), write)?
                .bind(i64::from(write.assessment.is_some()))
                .bind(i64::from(*expected_version))
                .execute(&mut *connection)
                .await?;
            if result.rows_affected() == 0 {
                let stored: Option<i64> =
                    sqlx::query_scalar("SELECT version FROM incidents WHERE id = $1")
                        .bind(incident.id.as_str())
                        .fetch_optional(&mut *connection)
                        .await?;
                return Err(match stored {
                    None => StoreError::NotFound(format!("incident {}", incident.id)),
                    Some(version) => StoreError::Conflict(format!(
                        "incident {} is at version {version}, not {expected_version}",
                        incident.id
                    )),
                });
            }
            sqlx::query("DELETE FROM incident_sectors WHERE incident_id = $1")
                .bind(incident.id.as_str())
                .execute(&mut *connection)
                .await?;
            sqlx::query("DELETE FROM incident_readers WHERE incident_id = $1")
                .bind(incident.id.as_str())
                .execute(&mut *connection)
                .await?;
            insert_incident_details(connection, write).await
        }
        // Tabletop exercises.
        StoreWrite::InsertExerciseRecord(record) => {
            crate::exercise::insert(connection, record).await
        }
        StoreWrite::InsertNormsDocument(document) => {
            sqlx::query(INSERT_NORMS_DOCUMENT)
                .bind(document.sha256.as_str())
                .bind(document.document_id.as_str())
                .bind(document.version.as_str())
                .bind(document.title.as_str())
                .bind(document.file_name.as_str())
                .bind(document.text.as_str())
                .bind(document.added_at.as_microseconds())
                .execute(&mut *connection)
                .await
                .map_err(|error| {
                    classify(error, || format!("norms document {}", document.sha256))
                })?;
            Ok(())
        }
        StoreWrite::InsertNormsAdoption(adoption) => {
            let parties: Vec<&str> = adoption.parties.iter().map(PartyId::as_str).collect();
            sqlx::query(INSERT_NORMS_ADOPTION)
                .bind(adoption.document_sha256.as_str())
                .bind(to_json_text("adoption", &parties)?)
                .bind(adoption.adopted_at.as_microseconds())
                .bind(i64::from(adoption.signed))
                .execute(&mut *connection)
                .await
                .map_err(|error| {
                    classify(error, || {
                        format!("adoption of {}", adoption.document_sha256)
                    })
                })?;
            Ok(())
        }
        StoreWrite::PutAssessment(assessment) => put_assessment(connection, assessment).await,
    }
}

/// How many small rows (outbox entries, ids to delete, sector and reader pairs) one statement
/// writes or deletes.
const ROWS_PER_STATEMENT: usize = 400;

/// The placeholders of a statement whose parameters are `rows` groups of `per_row` values,
/// bound in order: `($1, $2), ($3, $4)` (without parentheses when `per_row` is 1).
///
/// On SQLite they are anonymous `?` instead. sqlx asks SQLite for every parameter's name when
/// it binds, and SQLite finds a name by walking the list of all named parameters, so binding
/// the `$N` parameters of one statement costs O(n²) in their number: 45% of a 100,000-object
/// TAXII ingest went there. Anonymous parameters have no names, and binding is linear.
pub(crate) fn value_placeholders(
    connection: &AnyConnection,
    rows: usize,
    per_row: usize,
) -> String {
    let anonymous = connection.backend_name() == "SQLite";
    (0..rows)
        .map(|row| {
            let columns: Vec<String> = (0..per_row)
                .map(|column| {
                    if anonymous {
                        "?".to_string()
                    } else {
                        format!("${}", 1 + row * per_row + column)
                    }
                })
                .collect();
            if per_row == 1 {
                columns.join(", ")
            } else {
                format!("({})", columns.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
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

/// How many incidents one multi-row statement inserts (16 parameters each: 3,200, under every
/// database's limit).
const INCIDENTS_PER_STATEMENT: usize = 200;

/// Stores new incidents (version 1, its details and assessment) with a few multi-row
/// statements: the writer's path for a batch of submissions. One failure (an id that exists,
/// say) fails the whole call; the writer then retries each write alone for its own answer.
pub(crate) async fn insert_incidents_together(
    connection: &mut AnyConnection,
    writes: &[&IncidentWrite],
) -> Result<(), StoreError> {
    let records: Vec<String> = writes
        .iter()
        .map(|write| to_json_text("incident", &write.incident))
        .collect::<Result<_, _>>()?;
    let conflict = || "an incident of this batch".to_string();
    for (chunk, chunk_records) in writes
        .chunks(INCIDENTS_PER_STATEMENT)
        .zip(records.chunks(INCIDENTS_PER_STATEMENT))
    {
        let statement = format!(
            "INSERT INTO incidents ({INCIDENT_COLUMNS}) VALUES {}",
            value_placeholders(connection, chunk.len(), INCIDENT_COLUMN_COUNT)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(statement));
        for (write, record) in chunk.iter().zip(chunk_records) {
            query = bind_incident_row(query, write, record.clone());
        }
        query
            .execute(&mut *connection)
            .await
            .map_err(|error| classify(error, conflict))?;

        let statement = format!(
            "INSERT INTO incident_versions (incident_id, version, updated_at_us, record) VALUES {}",
            value_placeholders(connection, chunk.len(), 4)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(statement));
        for (write, record) in chunk.iter().zip(chunk_records) {
            let incident = &write.incident;
            query = query
                .bind(incident.id.as_str())
                .bind(i64::from(incident.version))
                .bind(incident.updated_at.as_microseconds())
                .bind(record.as_str());
        }
        query
            .execute(&mut *connection)
            .await
            .map_err(|error| classify(error, conflict))?;

        let assessments: Vec<&StoredAssessment> = chunk
            .iter()
            .filter_map(|write| write.assessment.as_ref())
            .collect();
        if !assessments.is_empty() {
            let statement = format!(
                "INSERT INTO assessments (incident_id, incident_version, norms_sha256, assessed_at_us, assessment) VALUES {}",
                value_placeholders(connection, assessments.len(), 5)
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(statement));
            for assessment in assessments {
                query = query
                    .bind(assessment.incident_id.as_str())
                    .bind(i64::from(assessment.incident_version))
                    .bind(assessment.norms_sha256.as_str())
                    .bind(assessment.assessed_at.as_microseconds())
                    .bind(assessment.assessment_json.as_str());
            }
            query
                .execute(&mut *connection)
                .await
                .map_err(|error| classify(error, conflict))?;
        }

        let mut sector_rows: Vec<(&str, &'static str)> = Vec::new();
        let mut reader_rows: Vec<(&str, &str)> = Vec::new();
        for write in chunk {
            let id = write.incident.id.as_str();
            for sector in write.incident.report.sectors() {
                sector_rows.push((id, sector.as_str()));
            }
            for reader in write.readers.iter().flatten() {
                reader_rows.push((id, reader.as_str()));
            }
        }
        insert_incident_pairs(connection, "incident_sectors", "sector", &sector_rows).await?;
        insert_incident_pairs(connection, "incident_readers", "party_id", &reader_rows).await?;
    }
    Ok(())
}

/// Inserts `(incident_id, value)` rows of several incidents, a few hundred per statement.
async fn insert_incident_pairs(
    connection: &mut AnyConnection,
    table: &'static str,
    column: &'static str,
    rows: &[(&str, &str)],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let statement = format!(
            "INSERT INTO {table} (incident_id, {column}) VALUES {}",
            value_placeholders(connection, chunk.len(), 2)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(statement));
        for (incident_id, value) in chunk {
            query = query.bind(*incident_id).bind(*value);
        }
        query.execute(&mut *connection).await?;
    }
    Ok(())
}

const INSERT_NORMS_DOCUMENT: &str = "INSERT INTO norms_documents (sha256, document_id, version, title, file_name, text, added_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7)";
const INSERT_NORMS_ADOPTION: &str = "INSERT INTO norms_adoptions (document_sha256, parties, adopted_at_us, signed) VALUES ($1, $2, $3, $4)";
const PUT_ASSESSMENT: &str = "INSERT INTO assessments (incident_id, incident_version, norms_sha256, assessed_at_us, assessment) VALUES ($1, $2, $3, $4, $5) \
    ON CONFLICT (incident_id, incident_version, norms_sha256) DO UPDATE SET assessed_at_us = excluded.assessed_at_us, assessment = excluded.assessment";

async fn put_assessment(
    connection: &mut AnyConnection,
    assessment: &StoredAssessment,
) -> Result<(), StoreError> {
    insert_assessment(connection, assessment).await?;
    AssessmentSummary::of(&assessment.assessment_json)
        .bind(
            sqlx::query(SET_LATEST_ASSESSMENT)
                .bind(assessment.incident_id.as_str())
                .bind(i64::from(assessment.incident_version)),
        )
        .bind(assessment.assessed_at.as_microseconds())
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// Stores an assessment (the incident row's summary is the caller's business).
async fn insert_assessment(
    connection: &mut AnyConnection,
    assessment: &StoredAssessment,
) -> Result<(), StoreError> {
    sqlx::query(PUT_ASSESSMENT)
        .bind(assessment.incident_id.as_str())
        .bind(i64::from(assessment.incident_version))
        .bind(assessment.norms_sha256.as_str())
        .bind(assessment.assessed_at.as_microseconds())
        .bind(assessment.assessment_json.as_str())
        .execute(&mut *connection)
        .await
        .map_err(|error| {
            classify(error, || {
                format!(
                    "assessment of {} v{}",
                    assessment.incident_id, assessment.incident_version
                )
            })
        })?;
    Ok(())
}

fn norms_document_from_row(row: &sqlx::any::AnyRow) -> Result<StoredNormsDocument, StoreError> {
    Ok(StoredNormsDocument {
        sha256: row.try_get("sha256")?,
        document_id: row.try_get("document_id")?,
        version: row.try_get("version")?,
        title: row.try_get("title")?,
        file_name: row.try_get("file_name")?,
        text: row.try_get("text")?,
        added_at: timestamp_from_column("norms document", row.try_get("added_at_us")?)?,
    })
}

fn assessment_from_row(row: &sqlx::any::AnyRow) -> Result<StoredAssessment, StoreError> {
    let incident_text: String = row.try_get("incident_id")?;
    let version: i64 = row.try_get("incident_version")?;
    Ok(StoredAssessment {
        incident_id: IncidentId::parse(&incident_text)
            .map_err(|message| corrupt("assessment", message))?,
        incident_version: u32::try_from(version).map_err(|error| corrupt("assessment", error))?,
        norms_sha256: row.try_get("norms_sha256")?,
        assessed_at: timestamp_from_column("assessment", row.try_get("assessed_at_us")?)?,
        assessment_json: row.try_get("assessment")?,
    })
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

fn bind_incident_columns<'q>(
    query: AnyQuery<'q>,
    write: &'q IncidentWrite,
) -> Result<AnyQuery<'q>, StoreError> {
    let record = to_json_text("incident", &write.incident)?;
    Ok(bind_incident_row(query, write, record))
}

/// Binds the [`INCIDENT_COLUMNS`] of one incident row, its JSON `record` given.
fn bind_incident_row<'q>(
    query: AnyQuery<'q>,
    write: &'q IncidentWrite,
    record: String,
) -> AnyQuery<'q> {
    let incident = &write.incident;
    let summary = write
        .assessment
        .as_ref()
        .map(|assessment| AssessmentSummary::of(&assessment.assessment_json))
        .unwrap_or_default();
    summary.bind(
        query
            .bind(incident.id.as_str())
            .bind(i64::from(incident.version))
            .bind(incident.report.reported_by.as_str())
            .bind(incident.report.victim.as_str())
            .bind(incident.report.status.as_str())
            .bind(i64::from(write.readers.is_some()))
            .bind(incident.report.first_observed.as_microseconds())
            .bind(incident.updated_at.as_microseconds())
            .bind(record)
            .bind(incident.report.tlp.as_str())
            .bind(
                incident
                    .report
                    .suspected_origin
                    .as_ref()
                    .map(|origin| origin.state.as_str().to_string()),
            ),
    )
}

/// What the dashboard counts of an assessment (its severity, how many red lines it found
/// crossed, its legal certainty), read from the JSON once, when the assessment is stored.
#[derive(Debug, Default)]
struct AssessmentSummary {
    severity_level: Option<i64>,
    severity_name: Option<String>,
    severity_colour: Option<String>,
    red_line_count: Option<i64>,
    legal_certainty: Option<String>,
}

impl AssessmentSummary {
    /// Reads only the fields it needs (the writer runs this for every incident it stores, so
    /// it does not build the whole JSON tree of a 5 KB assessment).
    fn of(assessment_json: &str) -> AssessmentSummary {
        #[derive(serde::Deserialize)]
        struct Severity {
            level: Option<i64>,
            name: Option<String>,
            colour: Option<String>,
        }
        #[derive(serde::Deserialize)]
        struct Legal {
            certainty: Option<String>,
        }
        #[derive(serde::Deserialize)]
        struct Fields {
            severity: Option<Severity>,
            #[serde(default)]
            red_lines: Vec<serde::de::IgnoredAny>,
            legal: Option<Legal>,
        }
        let Ok(fields) = serde_json::from_str::<Fields>(assessment_json) else {
            return AssessmentSummary::default();
        };
        let severity = fields.severity;
        AssessmentSummary {
            severity_level: severity.as_ref().and_then(|severity| severity.level),
            severity_name: severity.as_ref().and_then(|severity| severity.name.clone()),
            severity_colour: severity.and_then(|severity| severity.colour),
            red_line_count: Some(fields.red_lines.len() as i64),
            legal_certainty: fields.legal.and_then(|legal| legal.certainty),
        }
    }

    /// Binds the five `latest_*` columns, in their order.
    fn bind<'q>(self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.severity_level)
            .bind(self.severity_name)
            .bind(self.severity_colour)
            .bind(self.red_line_count)
            .bind(self.legal_certainty)
    }
}

async fn insert_incident_details(
    connection: &mut AnyConnection,
    write: &IncidentWrite,
) -> Result<(), StoreError> {
    let incident = &write.incident;
    let what = || format!("version {} of incident {}", incident.version, incident.id);
    sqlx::query(INSERT_INCIDENT_VERSION)
        .bind(incident.id.as_str())
        .bind(i64::from(incident.version))
        .bind(incident.updated_at.as_microseconds())
        .bind(to_json_text("incident", incident)?)
        .execute(&mut *connection)
        .await
        .map_err(|error| classify(error, what))?;
    if let Some(assessment) = &write.assessment {
        // The incident row carries this assessment's summary already.
        insert_assessment(connection, assessment).await?;
    }
    let id = incident.id.as_str();
    let sectors: Vec<(&str, &str)> = incident
        .report
        .sectors()
        .into_iter()
        .map(|sector| (id, sector.as_str()))
        .collect();
    insert_incident_pairs(connection, "incident_sectors", "sector", &sectors).await?;
    let readers: Vec<(&str, &str)> = write
        .readers
        .iter()
        .flatten()
        .map(|reader| (id, reader.as_str()))
        .collect();
    insert_incident_pairs(connection, "incident_readers", "party_id", &readers).await?;
    Ok(())
}

async fn insert_party_key(
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

const SELECT_PARTY_KEYS: &str = "SELECT party_id, key_id, public_key, added_at_us, revoked_at_us, revocation_reason FROM party_keys";

const LIST_INCIDENTS: &str = "SELECT sequence, record FROM incidents \
    WHERE ($1 IS NULL OR victim = $1) \
      AND ($2 IS NULL OR reported_by = $2) \
      AND ($3 IS NULL OR status = $3) \
      AND ($4 IS NULL OR first_observed_us >= $4) \
      AND ($5 IS NULL OR first_observed_us < $5) \
      AND ($6 IS NULL OR sequence < $6) \
      AND ($7 IS NULL OR EXISTS (SELECT 1 FROM incident_sectors s WHERE s.incident_id = incidents.id AND s.sector = $7)) \
      AND ($8 IS NULL OR restricted = 0 OR EXISTS (SELECT 1 FROM incident_readers r WHERE r.incident_id = incidents.id AND r.party_id = $8)) \
    ORDER BY sequence DESC LIMIT $9";

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        self.backend
    }

    async fn check_health(&self) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT 1").fetch_one(&self.pool).await?;
            return Ok(());
        }
        let mut last = self.last_quick_check.lock().await;
        if let Some((checked_at, verdict)) = last.as_ref()
            && checked_at.elapsed() < QUICK_CHECK_REUSE
        {
            return verdict
                .clone()
                .map_err(|findings| StoreError::CorruptDatabase {
                    file: self.location.clone(),
                    findings,
                });
        }
        let mut connection = self
            .pool
            .acquire()
            .await
            .map_err(|error| sqlite_error_of_file(error, &self.location))?;
        let outcome = quick_check(&mut connection, &self.location).await;
        match &outcome {
            Ok(()) => *last = Some((std::time::Instant::now(), Ok(()))),
            Err(StoreError::CorruptDatabase { findings, .. }) => {
                *last = Some((std::time::Instant::now(), Err(findings.clone())));
            }
            // Not answering is not remembered: the next probe asks again.
            Err(_) => *last = None,
        }
        outcome
    }

    async fn insert_party(&self, party: &Party) -> Result<(), StoreError> {
        self.writer
            .submit(crate::StoreWrite::InsertParty(party.clone()).into())
            .await
    }

    async fn commit(
        &self,
        writes: Vec<crate::StoreWrite>,
        log_entries: Vec<String>,
    ) -> Result<Vec<i64>, StoreError> {
        self.writer
            .submit_all(writes.into_iter().map(Into::into).collect(), log_entries)
            .await
    }

    async fn pending_log_entries(&self) -> Result<Vec<(i64, String)>, StoreError> {
        let rows = sqlx::query("SELECT id, entry FROM log_outbox ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect()
    }

    fn forget_log_entries(&self, ids: Vec<i64>) -> bool {
        ids.is_empty()
            || self
                .writer
                .queue_detached(WriteCommand::ForgetLogEntries(ids))
    }

    async fn get_party(&self, id: &PartyId) -> Result<Option<Party>, StoreError> {
        let Some(record): Option<String> =
            sqlx::query_scalar("SELECT record FROM parties WHERE id = $1")
                .bind(id.as_str())
                .fetch_optional(&self.pool)
                .await?
        else {
            return Ok(None);
        };
        let mut party: Party = from_json_text("party", &record)?;
        let rows = sqlx::query(
            "SELECT party_id, key_id, public_key, added_at_us, revoked_at_us, revocation_reason FROM party_keys WHERE party_id = $1 ORDER BY added_at_us, key_id",
        )
        .bind(id.as_str())
        .fetch_all(&self.pool)
        .await?;
        for row in &rows {
            party.keys.push(party_key_from_row(row)?.1);
        }
        Ok(Some(party))
    }

    async fn list_parties(&self) -> Result<Vec<Party>, StoreError> {
        let records: Vec<String> = sqlx::query_scalar("SELECT record FROM parties ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        let mut parties = BTreeMap::new();
        for record in records {
            let party: Party = from_json_text("party", &record)?;
            parties.insert(party.id.as_str().to_string(), party);
        }
        let rows = sqlx::query(SELECT_PARTY_KEYS).fetch_all(&self.pool).await?;
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

    async fn missing_parties(&self, ids: &[PartyId]) -> Result<Vec<PartyId>, StoreError> {
        let mut missing = Vec::new();
        for id in ids {
            let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM parties WHERE id = $1")
                .bind(id.as_str())
                .fetch_optional(&self.pool)
                .await?;
            if found.is_none() {
                missing.push(id.clone());
            }
        }
        Ok(missing)
    }

    async fn add_party_key(&self, party: &PartyId, key: &PartyKey) -> Result<(), StoreError> {
        self.writer
            .submit(
                crate::StoreWrite::AddPartyKey {
                    party: party.clone(),
                    key: key.clone(),
                }
                .into(),
            )
            .await
    }

    async fn insert_credential(&self, credential: &Credential) -> Result<(), StoreError> {
        self.writer
            .submit(WriteCommand::InsertCredential(credential.clone()))
            .await
    }

    async fn get_credential(&self, token_id: &str) -> Result<Option<Credential>, StoreError> {
        let row = sqlx::query(
            "SELECT token_id, party_id, secret_hash, label, created_at_us, revoked_at_us FROM credentials WHERE token_id = $1",
        )
        .bind(token_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let party_text: String = row.try_get("party_id")?;
        let party_id =
            PartyId::parse(&party_text).map_err(|message| corrupt("credential", message))?;
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

    async fn revoke_credential(&self, token_id: &str, at: Timestamp) -> Result<(), StoreError> {
        self.writer
            .submit(WriteCommand::RevokeCredential {
                token_id: token_id.to_string(),
                at,
            })
            .await
    }

    async fn insert_incident(&self, write: &IncidentWrite) -> Result<(), StoreError> {
        self.writer
            .submit(crate::StoreWrite::InsertIncident(write.clone()).into())
            .await
    }

    async fn update_incident(
        &self,
        write: &IncidentWrite,
        expected_version: u32,
    ) -> Result<(), StoreError> {
        self.writer
            .submit(
                crate::StoreWrite::UpdateIncident {
                    write: write.clone(),
                    expected_version,
                }
                .into(),
            )
            .await
    }

    async fn get_incident(&self, id: &IncidentId) -> Result<Option<Incident>, StoreError> {
        let record: Option<String> =
            sqlx::query_scalar("SELECT record FROM incidents WHERE id = $1")
                .bind(id.as_str())
                .fetch_optional(&self.pool)
                .await?;
        record
            .map(|text| from_json_text("incident", &text))
            .transpose()
    }

    async fn list_incident_versions(&self, id: &IncidentId) -> Result<Vec<Incident>, StoreError> {
        let records: Vec<String> = sqlx::query_scalar(
            "SELECT record FROM incident_versions WHERE incident_id = $1 ORDER BY version",
        )
        .bind(id.as_str())
        .fetch_all(&self.pool)
        .await?;
        records
            .iter()
            .map(|text| from_json_text("incident version", text))
            .collect()
    }

    async fn list_incidents(&self, query: &IncidentQuery) -> Result<IncidentPage, StoreError> {
        let limit = query.limit.clamp(1, 1000);
        let rows = sqlx::query(LIST_INCIDENTS)
            .bind(
                query
                    .victim
                    .as_ref()
                    .map(|victim| victim.as_str().to_string()),
            )
            .bind(
                query
                    .reported_by
                    .as_ref()
                    .map(|party| party.as_str().to_string()),
            )
            .bind(query.status.map(|status| status.as_str()))
            .bind(query.observed_since.map(|at| at.as_microseconds()))
            .bind(query.observed_until.map(|at| at.as_microseconds()))
            .bind(query.after_cursor)
            .bind(query.sector.map(|sector| sector.as_str()))
            .bind(
                query
                    .visible_to
                    .as_ref()
                    .map(|party| party.as_str().to_string()),
            )
            .bind(i64::from(limit) + 1)
            .fetch_all(&self.pool)
            .await?;
        let mut incidents = Vec::with_capacity(rows.len().min(limit as usize));
        let mut next_cursor = None;
        for (index, row) in rows.iter().enumerate() {
            if index == limit as usize {
                break;
            }
            let record: String = row.try_get("record")?;
            incidents.push(from_json_text("incident", &record)?);
            if index + 1 == limit as usize && rows.len() > limit as usize {
                next_cursor = Some(row.try_get::<i64, _>("sequence")?);
            }
        }
        Ok(IncidentPage {
            incidents,
            next_cursor,
        })
    }

    async fn count_incidents(&self) -> Result<u64, StoreError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM incidents")
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn insert_norms_document(
        &self,
        document: &StoredNormsDocument,
    ) -> Result<(), StoreError> {
        self.writer
            .submit(crate::StoreWrite::InsertNormsDocument(document.clone()).into())
            .await
    }

    async fn get_norms_document(
        &self,
        sha256: &str,
    ) -> Result<Option<StoredNormsDocument>, StoreError> {
        let row = sqlx::query(
            "SELECT sha256, document_id, version, title, file_name, text, added_at_us FROM norms_documents WHERE sha256 = $1",
        )
        .bind(sha256)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(norms_document_from_row).transpose()
    }

    async fn list_norms_documents(&self) -> Result<Vec<StoredNormsDocument>, StoreError> {
        let rows = sqlx::query(
            "SELECT sha256, document_id, version, title, file_name, text, added_at_us FROM norms_documents ORDER BY added_at_us, sha256",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(norms_document_from_row).collect()
    }

    async fn insert_norms_adoption(&self, adoption: &NormsAdoption) -> Result<(), StoreError> {
        self.writer
            .submit(crate::StoreWrite::InsertNormsAdoption(adoption.clone()).into())
            .await
    }

    async fn list_norms_adoptions(&self) -> Result<Vec<NormsAdoption>, StoreError> {
        let rows = sqlx::query(
            "SELECT sequence, document_sha256, parties, adopted_at_us, signed FROM norms_adoptions ORDER BY sequence",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let parties_text: String = row.try_get("parties")?;
                let party_texts: Vec<String> = from_json_text("adoption", &parties_text)?;
                let parties = party_texts
                    .iter()
                    .map(|text| {
                        PartyId::parse(text).map_err(|message| corrupt("adoption", message))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let signed: i64 = row.try_get("signed")?;
                Ok(NormsAdoption {
                    sequence: row.try_get("sequence")?,
                    document_sha256: row.try_get("document_sha256")?,
                    parties,
                    adopted_at: timestamp_from_column("adoption", row.try_get("adopted_at_us")?)?,
                    signed: signed != 0,
                })
            })
            .collect()
    }

    async fn put_assessment(&self, assessment: &StoredAssessment) -> Result<(), StoreError> {
        self.writer
            .submit(crate::StoreWrite::PutAssessment(assessment.clone()).into())
            .await
    }

    async fn get_latest_assessment(
        &self,
        incident: &IncidentId,
    ) -> Result<Option<StoredAssessment>, StoreError> {
        let row = sqlx::query(
            "SELECT incident_id, incident_version, norms_sha256, assessed_at_us, assessment FROM assessments WHERE incident_id = $1 ORDER BY incident_version DESC, assessed_at_us DESC LIMIT 1",
        )
        .bind(incident.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(assessment_from_row).transpose()
    }

    // The hotline.
    async fn revoke_party_key(
        &self,
        party: &PartyId,
        key_id: &str,
        at: Timestamp,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.writer
            .submit(
                crate::StoreWrite::RevokePartyKey {
                    party: party.clone(),
                    key_id: key_id.to_string(),
                    at,
                    reason: reason.to_string(),
                }
                .into(),
            )
            .await
    }

    async fn key_owner(&self, key_id: &str) -> Result<Option<PartyId>, StoreError> {
        let owner: Option<String> =
            sqlx::query_scalar("SELECT party_id FROM party_keys WHERE key_id = $1 LIMIT 1")
                .bind(key_id)
                .fetch_optional(&self.pool)
                .await?;
        owner
            .map(|text| PartyId::parse(&text).map_err(|message| corrupt("party key", message)))
            .transpose()
    }

    async fn apply_hotline_write(&self, write: &crate::HotlineWrite) -> Result<(), StoreError> {
        self.writer
            .submit(crate::StoreWrite::Hotline(Box::new(write.clone())).into())
            .await
    }

    async fn hotline_message_exists(&self, id: uuid::Uuid) -> Result<bool, StoreError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT sequence FROM hotline_messages WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    async fn get_hotline_message(
        &self,
        id: uuid::Uuid,
    ) -> Result<Option<crate::StoredMessage>, StoreError> {
        let statement = format!(
            "SELECT {} FROM hotline_messages WHERE id = $1",
            crate::hotline::MESSAGE_COLUMNS
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(statement))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref()
            .map(crate::hotline::message_from_row)
            .transpose()
    }

    async fn list_thread_messages(
        &self,
        thread: uuid::Uuid,
    ) -> Result<Vec<crate::StoredMessage>, StoreError> {
        let statement = format!(
            "SELECT {} FROM hotline_messages WHERE thread_id = $1 ORDER BY sequence",
            crate::hotline::MESSAGE_COLUMNS
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(statement))
            .bind(thread.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(crate::hotline::message_from_row).collect()
    }

    async fn get_thread(&self, id: uuid::Uuid) -> Result<Option<crate::StoredThread>, StoreError> {
        crate::hotline::get_thread(&self.pool, id).await
    }

    async fn list_threads(
        &self,
        party: Option<&PartyId>,
        limit: u32,
    ) -> Result<Vec<crate::StoredThread>, StoreError> {
        crate::hotline::list_threads(&self.pool, party, limit).await
    }

    async fn threads_with_deadlines_due(
        &self,
        due_by: Timestamp,
    ) -> Result<Vec<crate::StoredThread>, StoreError> {
        crate::hotline::threads_with_deadlines_due(&self.pool, due_by).await
    }

    async fn earliest_awaited_deadline(&self) -> Result<Option<Timestamp>, StoreError> {
        crate::hotline::earliest_awaited_deadline(&self.pool).await
    }

    async fn list_hotline_events(
        &self,
        party: &PartyId,
        after_sequence: i64,
        limit: u32,
    ) -> Result<Vec<crate::HotlineEvent>, StoreError> {
        let statement = format!(
            "SELECT {} FROM hotline_events WHERE party_id = $1 AND sequence > $2 ORDER BY sequence LIMIT $3",
            crate::hotline::EVENT_COLUMNS
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(statement))
            .bind(party.as_str())
            .bind(after_sequence)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(crate::hotline::event_from_row).collect()
    }

    async fn get_communication_check(
        &self,
        id: uuid::Uuid,
    ) -> Result<Option<crate::CommunicationCheck>, StoreError> {
        crate::hotline::get_communication_check(&self.pool, id).await
    }

    async fn list_communication_checks(
        &self,
        reader: redline_model::Reader<'_>,
        limit: u32,
    ) -> Result<Vec<(crate::CommunicationCheck, redline_model::Tlp)>, StoreError> {
        crate::hotline::list_communication_checks(&self.pool, reader, limit).await
    }

    // STIX objects and TAXII collections.
    async fn insert_taxii_collection(
        &self,
        collection: &crate::TaxiiCollection,
    ) -> Result<(), StoreError> {
        self.writer
            .submit(WriteCommand::InsertTaxiiCollection(collection.clone()))
            .await
    }

    async fn get_taxii_collection(
        &self,
        id: &str,
    ) -> Result<Option<crate::TaxiiCollection>, StoreError> {
        let row = sqlx::query(
            "SELECT id, title, description, alias, created_at_us FROM taxii_collections WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref()
            .map(crate::stix::collection_from_row)
            .transpose()
    }

    async fn list_taxii_collections(&self) -> Result<Vec<crate::TaxiiCollection>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, title, description, alias, created_at_us FROM taxii_collections ORDER BY created_at_us, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(crate::stix::collection_from_row).collect()
    }

    async fn put_collection_access(
        &self,
        access: &crate::CollectionAccess,
    ) -> Result<(), StoreError> {
        self.writer
            .submit(WriteCommand::PutCollectionAccess(access.clone()))
            .await
    }

    async fn list_collection_access(
        &self,
        collection: Option<&str>,
    ) -> Result<Vec<crate::CollectionAccess>, StoreError> {
        let rows = sqlx::query(
            "SELECT collection_id, party_id, can_read, can_write FROM taxii_collection_access WHERE ($1 IS NULL OR collection_id = $1) ORDER BY collection_id, party_id",
        )
        .bind(collection)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(crate::stix::access_from_row).collect()
    }

    async fn insert_stix_objects(
        &self,
        objects: &[crate::StixObjectWrite],
    ) -> Result<Vec<bool>, StoreError> {
        if objects.is_empty() {
            return Ok(Vec::new());
        }
        let outcome = crate::stix::InsertOutcome::default();
        self.writer
            .submit(WriteCommand::InsertStixObjects {
                objects: objects.to_vec(),
                outcome: outcome.clone(),
            })
            .await?;
        Ok(outcome.take())
    }

    async fn list_stix_objects(
        &self,
        query: &crate::StixObjectQuery,
    ) -> Result<crate::StixObjectPage, StoreError> {
        crate::stix::list_objects(&self.pool, query).await
    }

    async fn latest_stix_added_at(&self) -> Result<Option<Timestamp>, StoreError> {
        let latest: Option<i64> = sqlx::query_scalar("SELECT MAX(added_at_us) FROM stix_objects")
            .fetch_one(&self.pool)
            .await?;
        latest
            .map(|microseconds| timestamp_from_column("STIX object", microseconds))
            .transpose()
    }

    async fn insert_taxii_status(
        &self,
        status: &crate::TaxiiStatusRecord,
    ) -> Result<(), StoreError> {
        self.writer
            .submit(WriteCommand::InsertTaxiiStatus(status.clone()))
            .await
    }

    async fn get_taxii_status(
        &self,
        id: &str,
    ) -> Result<Option<crate::TaxiiStatusRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT id, collection_id, requested_by, created_at_us, record FROM taxii_statuses WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(crate::stix::status_from_row).transpose()
    }

    // Tabletop exercises.
    async fn insert_exercise_record(
        &self,
        record: &crate::ExerciseRecord,
    ) -> Result<(), StoreError> {
        self.writer
            .submit(crate::StoreWrite::InsertExerciseRecord(record.clone()).into())
            .await
    }

    async fn list_exercise_records(
        &self,
        exercise_id: &str,
    ) -> Result<Vec<crate::ExerciseRecord>, StoreError> {
        let rows = sqlx::query(crate::exercise::SELECT_BY_EXERCISE)
            .bind(exercise_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(crate::exercise::record_from_row).collect()
    }

    async fn list_exercise_records_of_kind(
        &self,
        kind: &str,
        limit: u32,
    ) -> Result<Vec<crate::ExerciseRecord>, StoreError> {
        let rows = sqlx::query(crate::exercise::SELECT_BY_KIND)
            .bind(kind)
            .bind(i64::from(limit.clamp(1, 10_000)))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(crate::exercise::record_from_row).collect()
    }

    // The dashboard: the queries live in dashboard.rs.
    async fn dashboard_fingerprint(&self) -> Result<crate::DashboardFingerprint, StoreError> {
        self.dashboard_fingerprint_query().await
    }
    async fn dashboard_counts_by_severity(
        &self,
        tlp: &str,
    ) -> Result<Vec<crate::SeverityCount>, StoreError> {
        self.dashboard_counts_by_severity_query(tlp).await
    }
    async fn dashboard_counts_by_month(&self, tlp: &str) -> Result<Vec<(String, u64)>, StoreError> {
        self.dashboard_counts_by_month_query(tlp).await
    }
    async fn dashboard_counts_by_party(
        &self,
        tlp: &str,
    ) -> Result<BTreeMap<String, crate::PartyIncidentCounts>, StoreError> {
        self.dashboard_counts_by_party_query(tlp).await
    }
    async fn dashboard_list_incidents(
        &self,
        query: &crate::DashboardIncidentQuery,
    ) -> Result<Vec<crate::DashboardIncidentRow>, StoreError> {
        self.dashboard_list_incidents_query(query).await
    }
    async fn dashboard_hotline_fingerprint(
        &self,
    ) -> Result<crate::DashboardHotlineFingerprint, StoreError> {
        self.dashboard_hotline_fingerprint_query().await
    }
    async fn dashboard_hotline_figures(
        &self,
        now_us: i64,
    ) -> Result<crate::DashboardHotlineFigures, StoreError> {
        self.dashboard_hotline_figures_query(now_us).await
    }
    async fn dashboard_latest_event_sequence(&self, party: &str) -> Result<i64, StoreError> {
        self.dashboard_latest_event_sequence_query(party).await
    }

    async fn close(&self) {
        self.writer.close().await;
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.abort();
            if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await
            {
                tracing::warn!(%error, "final WAL checkpoint failed");
            }
        }
        self.pool.close().await;
    }
}
