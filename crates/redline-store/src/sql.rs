//! The SQL store: [`SqlStore`], the one implementation of [`Store`] for SQLite and PostgreSQL
//! over sqlx's `Any` driver — opening and migrating the database, the readiness check, the
//! single writer, closing. The SQL text is shared (`$N` placeholders, BIGINT microsecond times,
//! JSON kept as TEXT so the exact bytes come back); each backend has its own migrations and
//! connection setup; a SQLite file is held by one process at a time (an exclusive lock on
//! `<file>.lock` beside it). Each area's statements live in the area's module (`parties`,
//! `incidents`, `hotline`, `stix`, `exercise`, `dashboard`, `log_outbox`, `sessions`, `notifications`); the child
//! modules here only wire the area traits to them: reads go to the pool, writes to the writer.

mod backup;
mod claim_store;
mod cluster_store;
mod commitment_store;
mod dashboard_store;
mod exercise_store;
mod federation_store;
mod hotline_store;
mod incident_store;
mod log_outbox_store;
mod notification_store;
mod party_store;
mod session_store;
mod sharing_store;
// Coordinated vulnerability disclosure.
mod disclosure_store;
// Supply-chain notices.
mod supply_chain_store;

use std::{path::Path, str::FromStr, sync::Arc, time::Duration};

use async_trait::async_trait;
use sqlx::{
    AnyConnection, Connection, Row,
    any::{AnyConnectOptions, AnyPoolOptions},
};

pub use crate::sql_helpers::Backend;
use crate::writer::Writer;
use crate::writes::WriteCommand;
use crate::{Store, StoreError, StoreWrite};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

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
    /// The URL as given (with its credentials and TLS parameters), for the dedicated
    /// connections of PostgreSQL's leader lock and notice listener; never shown.
    connect_url: String,
    /// SQLite: when the last readiness check ran and what `PRAGMA quick_check` found (`Err`:
    /// the findings). Held across a check, so only one runs at a time.
    last_quick_check: tokio::sync::Mutex<Option<(std::time::Instant, Result<(), String>)>>,
    /// SQLite: the lock file beside the database, locked while the store is open (released on
    /// close, and by the OS when the process ends, however it ends).
    database_lock: std::sync::Mutex<Option<std::fs::File>>,
}

/// The lock file of a SQLite database: `<file>.lock` beside it.
fn sqlite_lock_path(file: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(format!("{file}.lock"))
}

/// Whether a SQLite location names a file (not an in-memory database).
fn is_sqlite_file(location: &str, url: &str) -> bool {
    !location.is_empty() && !location.contains(":memory:") && !url.contains("mode=memory")
}

/// Takes the exclusive lock beside a SQLite database file and writes this process's id into it;
/// [`StoreError::DatabaseInUse`] naming the holder's process id when another holds it. An OS
/// lock, so one left by a killed process is gone with it: never stale.
fn lock_sqlite_database(file: &str) -> Result<std::fs::File, StoreError> {
    use std::io::{Read, Seek, Write};
    let lock_path = sqlite_lock_path(file);
    let io_error = |error: std::io::Error| {
        StoreError::Database(format!(
            "{file}: the lock file {}: {error}",
            lock_path.display()
        ))
    };
    let mut lock_file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&lock_path)
        .map_err(io_error)?;
    if lock_file.try_lock().is_err() {
        let mut holder = String::new();
        let _ = lock_file.read_to_string(&mut holder);
        return Err(StoreError::DatabaseInUse {
            file: file.to_string(),
            holder: holder.trim().parse().ok(),
        });
    }
    lock_file.set_len(0).map_err(io_error)?;
    lock_file.rewind().map_err(io_error)?;
    writeln!(lock_file, "{}", std::process::id()).map_err(io_error)?;
    lock_file.sync_all().map_err(io_error)?;
    Ok(lock_file)
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
        // SQLite serves one process: a second is refused before it touches the file.
        let database_lock = match backend {
            Backend::Sqlite if is_sqlite_file(&location, url) => {
                Some(lock_sqlite_database(&location)?)
            }
            _ => None,
        };

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
        let writer = Writer::start(
            write_connection,
            backend,
            options.maximum_write_batch,
            wal_frames,
        )
        .await?;
        Ok(Self {
            backend,
            pool,
            writer,
            checkpointer,
            location,
            connect_url: url.to_owned(),
            last_quick_check: tokio::sync::Mutex::new(None),
            database_lock: std::sync::Mutex::new(database_lock),
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

impl SqlStore {
    /// Queues one of the writes use cases commit and waits until it is durable.
    async fn write(&self, write: StoreWrite) -> Result<(), StoreError> {
        self.writer.submit(write.into()).await
    }

    /// Queues a writer command of its own (STIX ingest) and waits until it is durable.
    async fn write_command(&self, command: WriteCommand) -> Result<(), StoreError> {
        self.writer.submit(command).await
    }
}

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
        if let Ok(mut database_lock) = self.database_lock.lock() {
            database_lock.take();
        }
    }
}
