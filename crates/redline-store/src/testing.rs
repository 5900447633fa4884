//! For test suites, here and in the crates above the store: a fresh PostgreSQL database per run
//! on the server `TEST_POSTGRES_URL` names, so runs never see each other's rows; with
//! `REQUIRE_POSTGRES=1` a missing server is an error rather than a skip (CI sets it).

use sqlx::Connection;

/// The URL of a new, empty database named `<prefix>_<random>` on the test server; `Ok(None)`
/// when no server is configured and none is required (the suite then skips PostgreSQL).
pub async fn fresh_postgres_database(prefix: &str) -> Result<Option<String>, String> {
    let Ok(admin_url) = std::env::var("TEST_POSTGRES_URL") else {
        if std::env::var("REQUIRE_POSTGRES").as_deref() == Ok("1") {
            return Err("REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set: the PostgreSQL half of the suite cannot run".into());
        }
        return Ok(None);
    };
    let name = format!(
        "{prefix}_{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    let mut admin = sqlx::PgConnection::connect(&admin_url)
        .await
        .map_err(|error| format!("connecting to TEST_POSTGRES_URL: {error}"))?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .map_err(|error| format!("creating database {name}: {error}"))?;
    let _ = admin.close().await;
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base.to_string(), format!("?{query}")),
        None => (admin_url.clone(), String::new()),
    };
    let without_database = base
        .rsplit_once('/')
        .map_or(base.as_str(), |(head, _)| head);
    Ok(Some(format!("{without_database}/{name}{query}")))
}

/// Runs `suite` on a store in a new SQLite file (removed afterwards), then closes the store.
pub async fn run_on_sqlite(suite: impl AsyncFnOnce(&dyn crate::Store)) {
    let directory = std::env::temp_dir().join(format!(
        "redline-store-suite-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&directory).expect("a temporary directory for the suite");
    // Removed when the suite ends, passed or failed (a failing check panics).
    let _removed = RemovedOnDrop(directory.clone());
    let store = crate::SqlStore::open_sqlite_file(
        &directory.join("redline.sqlite"),
        crate::SqlStoreOptions::default(),
    )
    .await
    .expect("a new SQLite store");
    suite(&store).await;
    crate::Store::close(&store).await;
}

/// A directory removed when dropped.
struct RemovedOnDrop(std::path::PathBuf);

impl Drop for RemovedOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `suite` on a store in a fresh PostgreSQL database (see [`fresh_postgres_database`]),
/// then closes the store. Without a configured server, `suite_name` is reported SKIPPED, unless
/// `REQUIRE_POSTGRES=1`, when it fails.
pub async fn run_on_postgres(suite_name: &str, suite: impl AsyncFnOnce(&dyn crate::Store)) {
    // PostgreSQL keeps 63 bytes of a name: the prefix leaves room for the random part.
    let prefix: String = format!("redline_{}", suite_name.replace([' ', '-'], "_"))
        .chars()
        .take(40)
        .collect();
    let Some(url) = fresh_postgres_database(&prefix)
        .await
        .unwrap_or_else(|error| panic!("{suite_name}: {error}"))
    else {
        println!("{suite_name}: PostgreSQL SKIPPED (set TEST_POSTGRES_URL to run it)");
        return;
    };
    let store = crate::SqlStore::open(&url, crate::SqlStoreOptions::default())
        .await
        .expect("a store on the fresh database");
    suite(&store).await;
    crate::Store::close(&store).await;
}
