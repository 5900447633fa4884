#![allow(clippy::unwrap_used)]
//! SQLite serves one process: a second `redline` process on the same database is refused at
//! start with a message naming the file and the process that holds it, and the lock dies with
//! its process (a SIGKILLed node leaves nothing stale behind).

mod support;

use std::process::Command;

use support::{free_port, start_demo, wait_until_healthy};

fn kill_hard(child: &mut std::process::Child) {
    Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    let _ = child.wait();
}

/// Rule: a second process on a SQLite database is refused with a clear message; once the first
/// is killed (SIGKILL, no clean shutdown), the database opens again at once.
#[test]
fn a_second_process_on_the_same_sqlite_database_is_refused_until_the_first_is_gone() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut first = start_demo(data.path(), port);
    wait_until_healthy(port);

    let second_port = free_port().to_string();
    let second = Command::new(env!("CARGO_BIN_EXE_redline"))
        .args(["demo", "--port", &second_port, "--data"])
        .arg(data.path())
        .env("REDLINE_LOG", "warn")
        .output()
        .unwrap();
    let message = String::from_utf8_lossy(&second.stderr).into_owned();
    assert!(!second.status.success(), "the second process started");
    assert!(
        message.contains(&format!(
            "another redline process (pid {}) is serving",
            first.id()
        )),
        "{message}"
    );
    assert!(
        message.contains(&data.path().display().to_string()),
        "{message}"
    );
    assert!(message.contains("move to PostgreSQL"), "{message}");

    kill_hard(&mut first);
    let port = free_port();
    let mut restarted = start_demo(data.path(), port);
    wait_until_healthy(port);
    kill_hard(&mut restarted);
}
