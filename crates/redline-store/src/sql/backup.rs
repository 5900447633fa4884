//! Online backups of a SQLite database (`VACUUM INTO`): a consistent copy of the whole file,
//! taken in one read transaction while writers go on. Through an open store
//! ([`SqlStore::backup_to`]), or from another process through a read-only connection of its own
//! ([`SqlStore::backup_sqlite_file`]) — the serving node holds the database's lock, and a reader
//! needs none. PostgreSQL is refused: `pg_dump` backs it up.

use std::path::Path;

use sqlx::{AnyConnection, Connection};

use super::{Backend, SqlStore, sqlite_error_of_file};
use crate::StoreError;

/// How long the copy waits for a lock held by a checkpoint of the serving node.
const BUSY_TIMEOUT: &str = "PRAGMA busy_timeout = 10000";

impl SqlStore {
    /// SQLite only: writes a consistent copy of the whole database to the new file `target`.
    pub async fn backup_to(&self, target: &Path) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Err(postgres_refused());
        }
        let mut connection = self.pool.acquire().await?;
        vacuum_into(&mut connection, target)
            .await
            .map_err(|error| sqlite_error_of_file(error, &self.location))
    }

    /// Writes a consistent copy of the SQLite database `database_file` to the new file
    /// `target` through a read-only connection, without opening a store: safe while another
    /// process (the serving node) holds the database.
    pub async fn backup_sqlite_file(database_file: &Path, target: &Path) -> Result<(), StoreError> {
        sqlx::any::install_default_drivers();
        let location = database_file.display().to_string();
        let url = format!("sqlite://{location}?mode=ro");
        let mut connection = AnyConnection::connect(&url)
            .await
            .map_err(|error| sqlite_error_of_file(error, &location))?;
        let copied = vacuum_into(&mut connection, target)
            .await
            .map_err(|error| sqlite_error_of_file(error, &location));
        let _ = connection.close().await;
        copied
    }
}

async fn vacuum_into(connection: &mut AnyConnection, target: &Path) -> Result<(), sqlx::Error> {
    let target = target
        .to_str()
        .ok_or_else(|| sqlx::Error::Protocol(format!("{} is not UTF-8", target.display())))?;
    sqlx::query(BUSY_TIMEOUT).execute(&mut *connection).await?;
    sqlx::query("VACUUM INTO $1")
        .bind(target.to_string())
        .execute(&mut *connection)
        .await?;
    Ok(())
}

fn postgres_refused() -> StoreError {
    StoreError::Database(
        "an online backup through the store is for SQLite only; back up PostgreSQL with pg_dump"
            .into(),
    )
}
