#![allow(clippy::unwrap_used)]
//! `redline backup` and `redline restore` with the real binary: a backup taken while a demo node
//! takes incidents and hotline messages restores to a node whose log verifies and whose records
//! match its log, with every incident and message answered before the backup started; a backup
//! with one byte changed in an incident row, or in the log's entry bundle, fails the check
//! naming what was changed.

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

mod support;
use support::*;

/// What the background writer got answered, with when.
#[derive(Default)]
struct Answered {
    incidents: Vec<(Instant, String)>,
    messages: Vec<(Instant, String)>,
}

fn report(number: usize) -> String {
    serde_json::json!({
        "title": format!("Backup drill {number}"),
        "reported_by": "EE",
        "victim": "EE",
        "first_observed": "2026-01-01T00:00:00Z",
        "status": "confirmed",
        "tlp": "clear",
        "targets": [{"sector": "utilities", "country": "EE"}],
        "effects": [{"kind": "disruption"}],
    })
    .to_string()
}

/// Submits incidents and sends notifications as EE until `stop`, recording each answer.
fn write_until_stopped(
    root: PathBuf,
    url: String,
    ee: Party,
    incident: String,
    stop: Arc<AtomicBool>,
    answered: Arc<Mutex<Answered>>,
) {
    let mut number = 0;
    while !stop.load(Ordering::Acquire) {
        number += 1;
        let report_path = root.join(format!("report-{number}.json"));
        std::fs::write(&report_path, report(number)).unwrap();
        let submitted = json_of(redline(&[
            "incident",
            "submit",
            report_path.to_str().unwrap(),
            "--url",
            &url,
            "--token",
            &ee.token,
        ]));
        let id = submitted["id"].as_str().unwrap().to_string();
        answered
            .lock()
            .unwrap()
            .incidents
            .push((Instant::now(), id));
        let notified = succeeded(redline(&[
            "notify",
            "--incident",
            &incident,
            "--to",
            "UA",
            "--summary",
            &format!("Backup drill notification {number}"),
            "--url",
            &url,
            "--token",
            &ee.token,
            "--key",
            &ee.key,
        ]));
        let message = field(&notified, "message:");
        answered
            .lock()
            .unwrap()
            .messages
            .push((Instant::now(), message));
    }
}

/// `sqlite3 FILE SQL`, its output.
fn sqlite(file: &Path, sql: &str) -> String {
    let output = Command::new("sqlite3").arg(file).arg(sql).output().unwrap();
    assert!(
        output.status.success(),
        "sqlite3 {sql}: {}",
        stderr(&output)
    );
    stdout(&output).trim().to_string()
}

fn copy_directory(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_directory(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The first file under `directory` (depth first, sorted).
fn first_file(directory: &Path) -> PathBuf {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(directory)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    let first = entries
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no file under {}", directory.display()));
    if first.is_dir() {
        first_file(&first)
    } else {
        first
    }
}

fn restore(backup: &Path, data: &Path) -> std::process::Output {
    redline(&[
        "restore",
        "--from",
        backup.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ])
}

#[test]
fn a_backup_taken_under_load_restores_to_a_node_that_matches_its_log() {
    let directory = tempfile::tempdir().unwrap();
    let root = directory.path().to_path_buf();
    let data_path = root.join("demo-data");
    let data = data_path.to_str().unwrap().to_string();
    succeeded(redline(&["demo", "--no-serve", "--data", &data]));
    let node = DemoNode::serve(&data_path);
    let url = node.url.clone();
    let ee = node.party("EE");
    let (status, listing) = get(&format!("{url}/api/v1/incidents"), &ee.token).unwrap();
    assert_eq!(status, 200);
    let incident = listing["incidents"][0]["id"].as_str().unwrap().to_string();

    // Writes go on in the background while the backup is taken.
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(Mutex::new(Answered::default()));
    let writer = {
        let (root, url, stop, answered) =
            (root.clone(), url.clone(), stop.clone(), answered.clone());
        let ee = node.party("EE");
        std::thread::spawn(move || write_until_stopped(root, url, ee, incident, stop, answered))
    };
    let waiting_since = Instant::now();
    while answered.lock().unwrap().messages.len() < 3 {
        assert!(
            waiting_since.elapsed() < Duration::from_secs(120),
            "the writes did not get going"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let backup = root.join("backup");
    let backup_started = Instant::now();
    let backed_up = succeeded(redline(&[
        "backup",
        "--out",
        backup.to_str().unwrap(),
        "--data",
        &data,
    ]));
    assert!(backed_up.contains("backup written to"), "{backed_up}");
    let after_backup = answered.lock().unwrap().messages.len();
    while answered.lock().unwrap().messages.len() < after_backup + 1 {
        std::thread::sleep(Duration::from_millis(100));
    }
    stop.store(true, Ordering::Release);
    writer.join().unwrap();
    node.stop();

    // The restored node's log verifies and every entry's record is there with its digest.
    let restored = root.join("restored");
    let checked = succeeded(restore(&backup, &restored));
    assert!(checked.contains("log: ok:"), "{checked}");
    assert!(
        checked.contains("ok: the restored node matches its log"),
        "{checked}"
    );

    // Everything answered before the backup started is in the restored node.
    let database = restored.join("redline.sqlite");
    let answered = answered.lock().unwrap();
    let before = |items: &[(Instant, String)]| -> Vec<String> {
        items
            .iter()
            .filter(|(at, _)| *at < backup_started)
            .map(|(_, id)| id.clone())
            .collect()
    };
    let incidents_before = before(&answered.incidents);
    let messages_before = before(&answered.messages);
    assert!(incidents_before.len() >= 3 && messages_before.len() >= 3);
    let matching: usize = field(&checked, "records:")
        .parse()
        .unwrap_or_else(|_| panic!("{checked}"));
    assert!(
        matching >= incidents_before.len() + messages_before.len(),
        "{checked}"
    );
    for id in &incidents_before {
        let shown = succeeded(redline(&[
            "incident",
            "show",
            id,
            "--data",
            restored.to_str().unwrap(),
        ]));
        assert!(shown.contains("Backup drill"), "{shown}");
    }
    for id in &messages_before {
        let found = sqlite(
            &database,
            &format!("SELECT count(*) FROM hotline_messages WHERE id = '{id}'"),
        );
        assert_eq!(found, "1", "message {id} is not in the restored node");
    }

    // One byte changed in an incident's stored version: the check names the entry.
    let tampered_row = root.join("backup-tampered-row");
    copy_directory(&backup, &tampered_row);
    let changed = &incidents_before[0];
    sqlite(
        &tampered_row.join("redline.sqlite"),
        &format!(
            "UPDATE incident_versions SET record = replace(record, 'Backup drill', 'Backup drilL') \
             WHERE incident_id = '{changed}'"
        ),
    );
    let failed = restore(&tampered_row, &root.join("restored-row"));
    assert_eq!(failed.status.code(), Some(1), "{}", stdout(&failed));
    let message = stderr(&failed);
    assert!(
        message.contains(&format!("incident-submitted {changed}"))
            && message.contains("does not have the logged SHA-256"),
        "{message}"
    );

    // One byte changed in the log's first entry bundle: the log check names the file.
    let tampered_log = root.join("backup-tampered-log");
    copy_directory(&backup, &tampered_log);
    let bundle = first_file(&tampered_log.join("log/tile/entries"));
    let mut bytes = std::fs::read(&bundle).unwrap();
    let position = bytes
        .windows(9)
        .position(|window| window == b"\"subject\"")
        .unwrap()
        + 12;
    bytes[position] ^= 0x01;
    std::fs::write(&bundle, bytes).unwrap();
    let failed = restore(&tampered_log, &root.join("restored-log"));
    assert_eq!(failed.status.code(), Some(1), "{}", stdout(&failed));
    let message = stderr(&failed);
    assert!(message.contains("tile/entries/"), "{message}");
}

#[test]
fn restore_refuses_a_directory_that_is_not_empty_and_a_directory_that_is_not_a_backup() {
    let directory = tempfile::tempdir().unwrap();
    let not_a_backup = directory.path().join("nothing");
    std::fs::create_dir_all(&not_a_backup).unwrap();
    let refused = restore(&not_a_backup, &directory.path().join("data"));
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("is not a redline backup"));

    let full = directory.path().join("full");
    std::fs::create_dir_all(&full).unwrap();
    std::fs::write(full.join("something"), "x").unwrap();
    let refused = redline(&[
        "backup",
        "--out",
        full.to_str().unwrap(),
        "--data",
        directory.path().join("data").to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("is not empty"));
}
