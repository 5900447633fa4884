#![allow(clippy::unwrap_used)]
//! SQLite serves one process: a second store on the same file is refused while the first is
//! open (in this process too), with a message naming the file and the holder's process id, and
//! opens again once the first is closed.

use redline_store::{SqlStore, SqlStoreOptions, Store, StoreError};

#[tokio::test]
async fn a_second_store_on_an_open_sqlite_file_is_refused_until_the_first_closes() {
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("db.sqlite");
    let first = SqlStore::open_sqlite_file(&file, SqlStoreOptions::default())
        .await
        .unwrap();
    let refusal = match SqlStore::open_sqlite_file(&file, SqlStoreOptions::default()).await {
        Ok(_) => panic!("a second store opened the same SQLite file"),
        Err(error) => error,
    };
    assert!(
        matches!(&refusal, StoreError::DatabaseInUse { holder: Some(pid), .. } if *pid == std::process::id()),
        "{refusal:?}"
    );
    let message = refusal.to_string();
    assert!(
        message.starts_with(&format!(
            "another redline process (pid {}) is serving {}",
            std::process::id(),
            file.display()
        )),
        "{message}"
    );
    assert!(
        message.ends_with("move to PostgreSQL to run several"),
        "{message}"
    );

    first.close().await;
    let reopened = SqlStore::open_sqlite_file(&file, SqlStoreOptions::default())
        .await
        .unwrap();
    reopened.close().await;
}
