//! A damaged SQLite database: the store refuses to open it, with an error naming the file and
//! what `PRAGMA quick_check` found (never a panic, never a node that starts and then answers
//! 500 on the reads that touch the damaged pages), and a sound one passes the health check.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use redline_model::{Party, PartyId, PartyKind, Timestamp};
use redline_store::{
    LogOutboxStore, PartyStore, SqlStore, SqlStoreOptions, Store, StoreError, StoreWrite,
};
use sqlx::{ConnectOptions, sqlite::SqliteConnectOptions};

/// SQLite's default page size, which the store does not change.
const PAGE_BYTES: usize = 4096;

fn party(number: usize) -> Party {
    Party {
        id: PartyId::parse(&format!("organisation-{number}")).unwrap(),
        kind: PartyKind::Organisation,
        name: format!("Organisation {number} {}", "with a long name ".repeat(30)),
        languages: vec!["en".into()],
        keys: Vec::new(),
        created_at: Timestamp::parse("2026-11-22T10:00:00Z").unwrap(),
    }
}

/// A database the store wrote, a few dozen pages long, with its WAL folded into the file.
async fn write_database(file: &Path) {
    let store = SqlStore::open_sqlite_file(file, SqlStoreOptions::default())
        .await
        .unwrap();
    let writes = (0..400).map(|number| StoreWrite::InsertParty(party(number)));
    store.commit(writes.collect(), Vec::new()).await.unwrap();
    store.check_health().await.unwrap();
    drop(store);
    let mut connection = SqliteConnectOptions::new()
        .filename(file)
        .connect()
        .await
        .unwrap();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut connection)
        .await
        .unwrap();
    sqlx::Connection::close(connection).await.unwrap();
}

#[tokio::test]
async fn a_database_with_pages_overwritten_in_the_middle_is_refused_naming_the_file_and_the_damage()
{
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("damaged.sqlite");
    write_database(&file).await;

    let mut bytes = std::fs::read(&file).unwrap();
    let pages = bytes.len() / PAGE_BYTES;
    assert!(pages >= 40, "the test database has only {pages} pages");
    for page in pages / 2..pages / 2 + 4 {
        bytes[page * PAGE_BYTES..(page + 1) * PAGE_BYTES].fill(0xA5);
    }
    std::fs::write(&file, bytes).unwrap();

    let error = match SqlStore::open_sqlite_file(&file, SqlStoreOptions::default()).await {
        Ok(_) => panic!("a database with overwritten pages was opened"),
        Err(error) => error,
    };
    assert!(
        matches!(error, StoreError::CorruptDatabase { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains(&file.display().to_string()),
        "the error does not name the file: {message}"
    );
    assert!(
        message.contains("quick_check"),
        "the error does not say what found the damage: {message}"
    );
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_refused_naming_the_file() {
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("not-a-database.sqlite");
    std::fs::write(&file, vec![0x5A; 16 * PAGE_BYTES]).unwrap();

    let error = match SqlStore::open_sqlite_file(&file, SqlStoreOptions::default()).await {
        Ok(_) => panic!("a file of noise was opened as a database"),
        Err(error) => error,
    };
    assert!(
        matches!(error, StoreError::CorruptDatabase { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains(&file.display().to_string()),
        "{error}"
    );
}

#[tokio::test]
async fn a_sound_database_passes_the_health_check_again_after_reopening() {
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("sound.sqlite");
    write_database(&file).await;
    let store = SqlStore::open_sqlite_file(&file, SqlStoreOptions::default())
        .await
        .unwrap();
    store.check_health().await.unwrap();
    assert_eq!(store.list_parties().await.unwrap().len(), 400);
}
