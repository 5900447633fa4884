#![allow(clippy::unwrap_used)]
//! TLS to PostgreSQL: a node connects with `sslmode=require` and `sslmode=verify-full` (against
//! the certificate of the CA that signed the server's, named with `sslrootcert`), and refuses a server whose
//! certificate does not verify, with an error that says so. `scripts/test` starts the server with
//! TLS on loopback TCP and sets `TEST_POSTGRES_TLS_URL`, `TEST_POSTGRES_TLS_ROOT` (the server's
//! certificate) and `TEST_POSTGRES_TLS_OTHER_ROOT` (an unrelated one); with
//! `REQUIRE_POSTGRES=1` their absence fails the test.

use redline_store::{SqlStore, SqlStoreOptions, Store};

struct TlsServer {
    url: String,
    root: String,
    other_root: String,
}

fn tls_server() -> Option<TlsServer> {
    let variables = (
        std::env::var("TEST_POSTGRES_TLS_URL"),
        std::env::var("TEST_POSTGRES_TLS_ROOT"),
        std::env::var("TEST_POSTGRES_TLS_OTHER_ROOT"),
    );
    match variables {
        (Ok(url), Ok(root), Ok(other_root)) => Some(TlsServer {
            url,
            root,
            other_root,
        }),
        _ => {
            assert!(
                std::env::var("REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "REQUIRE_POSTGRES=1 but TEST_POSTGRES_TLS_URL, TEST_POSTGRES_TLS_ROOT or \
                 TEST_POSTGRES_TLS_OTHER_ROOT is not set (scripts/test sets them)"
            );
            None
        }
    }
}

fn with_parameters(url: &str, parameters: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{parameters}")
}

/// Whether a session opened with `url` is encrypted (PostgreSQL's `pg_stat_ssl`).
async fn session_is_encrypted(url: &str) -> bool {
    use sqlx::{Connection as _, Row as _};
    let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
    let row = sqlx::query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(&mut connection)
        .await
        .unwrap();
    row.get::<bool, _>(0)
}

#[tokio::test]
async fn a_node_connects_over_tls_and_refuses_a_certificate_that_does_not_verify() {
    let Some(server) = tls_server() else {
        eprintln!("skipped: no PostgreSQL with TLS");
        return;
    };

    // sslmode=require: encrypted, the certificate not checked.
    let store = SqlStore::open(
        &with_parameters(&server.url, "sslmode=require"),
        SqlStoreOptions::default(),
    )
    .await
    .unwrap();
    store.check_health().await.unwrap();
    store.close().await;

    // sslmode=verify-full with the server's certificate as the root: encrypted and verified.
    let verified = with_parameters(
        &server.url,
        &format!("sslmode=verify-full&sslrootcert={}", server.root),
    );
    let store = SqlStore::open(&verified, SqlStoreOptions::default())
        .await
        .unwrap();
    store.check_health().await.unwrap();
    store.close().await;
    assert!(
        session_is_encrypted(&verified).await,
        "the session is not encrypted"
    );
    assert!(
        !session_is_encrypted(&with_parameters(&server.url, "sslmode=disable")).await,
        "the probe cannot tell plain from encrypted sessions"
    );

    // verify-full against a root that did not sign the server's certificate: refused, and the
    // error says that the certificate did not verify.
    let refused = SqlStore::open(
        &with_parameters(
            &server.url,
            &format!("sslmode=verify-full&sslrootcert={}", server.other_root),
        ),
        SqlStoreOptions::default(),
    )
    .await;
    let error = match refused {
        Ok(_) => panic!("a server whose certificate does not verify was accepted"),
        Err(error) => error.to_string(),
    };
    assert!(
        error.contains("TLS") && error.contains("certificate"),
        "unclear error: {error}"
    );
}
