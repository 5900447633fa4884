#![allow(clippy::unwrap_used)]
//! `--format json` on every command that prints results, with the real binary: stdout is one
//! JSON document, and output to a pipe carries no escape codes (no colours, no progress bars)
//! on stdout or stderr. Commands that need no server run on their own; the others run against
//! one demo node started here, and the local-node commands on a fresh data directory.

mod support;

use std::path::PathBuf;
use std::process::Output;

use serde_json::Value;
use support::{DemoNode, redline, stderr, stdout};

const ESCAPE: u8 = 0x1b;

/// The demo's public TAXII collection, readable without a token.
const PUBLIC_COLLECTION_ID: &str = redline_node::sharing::PUBLIC_COLLECTION_ID;

/// Runs `arguments` (which end in `--format json`), asserts success, no escape byte on either
/// stream, and returns stdout parsed as one JSON document.
#[track_caller]
fn json_without_escape_codes(arguments: &[&str]) -> Value {
    let output: Output = redline(arguments);
    assert!(
        output.status.success(),
        "{arguments:?} exited {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        stdout(&output),
        stderr(&output)
    );
    assert!(
        !output.stdout.contains(&ESCAPE),
        "{arguments:?} wrote an escape code to stdout: {:?}",
        stdout(&output)
    );
    assert!(
        !output.stderr.contains(&ESCAPE),
        "{arguments:?} wrote an escape code to stderr: {:?}",
        stderr(&output)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "{arguments:?}: stdout is not one JSON document ({error}):\n{}",
            stdout(&output)
        )
    })
}

fn scenario(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn commands_without_a_server_print_one_json_document_and_no_escape_codes() {
    let schema = json_without_escape_codes(&["schema", "incident"]);
    assert!(schema.is_object(), "{schema}");

    let shown = json_without_escape_codes(&["norms", "show", "baseline", "--format", "json"]);
    assert_eq!(
        shown["id"].as_str().map(str::is_empty),
        Some(false),
        "{shown}"
    );
    assert_eq!(shown["sha256"].as_str().map(str::len), Some(64), "{shown}");
    assert!(shown["rung_ids"].is_array(), "{shown}");
    assert_eq!(shown["disclosure"]["embargo_days"], 90, "{shown}");

    let baseline = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../norms/baseline.toml");
    let checked = json_without_escape_codes(&[
        "norms",
        "check",
        baseline.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(checked[0]["id"], shown["id"], "{checked}");

    let scenario = scenario("grid-outage-peacetime.toml");
    let summary = json_without_escape_codes(&[
        "sim",
        "run",
        &scenario,
        "--runs",
        "200",
        "--threads",
        "1",
        "--format",
        "json",
    ]);
    assert!(summary.is_object(), "{summary}");

    // The same run printed for people is not JSON, and is the same run.
    let table = redline(&["sim", "run", &scenario, "--runs", "200", "--threads", "1"]);
    assert!(table.status.success(), "{}", stderr(&table));
    assert!(serde_json::from_slice::<Value>(&table.stdout).is_err());
    assert!(!table.stdout.contains(&ESCAPE) && !table.stderr.contains(&ESCAPE));
}

#[test]
fn text_is_only_another_name_for_table() {
    let table = redline(&["norms", "show", "baseline", "--format", "table"]);
    let text = redline(&["norms", "show", "baseline", "--format", "text"]);
    assert!(table.status.success(), "{}", stderr(&table));
    assert_eq!(stdout(&table), stdout(&text));
    let help = redline(&["norms", "show", "--help"]);
    assert!(stdout(&help).contains("table"), "{}", stdout(&help));
    assert!(!stdout(&help).contains("text"), "{}", stdout(&help));
}

#[test]
fn commands_against_a_node_print_one_json_document_and_no_escape_codes() {
    let directory = tempfile::tempdir().unwrap();
    let demo_data = directory.path().join("demo-data");
    let node = DemoNode::serve(&demo_data);
    let url = node.url.clone();
    let ua = node.party("UA");
    let remote = |arguments: &[&str]| {
        let mut all: Vec<&str> = arguments.to_vec();
        all.extend_from_slice(&["--format", "json", "--url", &url, "--token", &ua.token]);
        json_without_escape_codes(&all)
    };

    let incidents = remote(&["incident", "list"]);
    assert!(incidents["incidents"].is_array(), "{incidents}");
    let claims = remote(&["attribution", "list"]);
    assert!(claims.is_array() || claims.is_object(), "{claims}");
    let inbox = remote(&["inbox"]);
    assert!(inbox["threads"].is_array(), "{inbox}");

    let log_url = format!("{url}/log");
    let verified = json_without_escape_codes(&["log", "verify", &log_url, "--format", "json"]);
    assert!(
        verified["tree_size"].as_u64().is_some_and(|size| size > 0),
        "{verified}"
    );
    assert!(verified["root_hash"].is_string(), "{verified}");
    let mirror_directory = directory.path().join("mirror");
    let mirrored = json_without_escape_codes(&[
        "log",
        "mirror",
        &log_url,
        mirror_directory.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(mirrored["tree_size"], verified["tree_size"], "{mirrored}");

    // The local-node commands, on a fresh data directory of their own; `taxii pull` reads the
    // demo's public collection.
    let local_data = directory.path().join("local-data");
    let local = local_data.to_str().unwrap();
    let api_root = format!("{url}/taxii2/api/");
    let pulled = json_without_escape_codes(&[
        "taxii",
        "pull",
        &api_root,
        PUBLIC_COLLECTION_ID,
        "--data",
        local,
        "--format",
        "json",
    ]);
    assert!(pulled["stored"].is_u64(), "{pulled}");
    node.stop();
    let documents =
        json_without_escape_codes(&["norms", "list", "--data", local, "--format", "json"]);
    assert!(documents.is_array(), "{documents}");
    let collections =
        json_without_escape_codes(&["taxii", "collections", "--data", local, "--format", "json"]);
    assert!(collections.is_array(), "{collections}");
}
