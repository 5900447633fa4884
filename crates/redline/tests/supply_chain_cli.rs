#![allow(clippy::unwrap_used)]
//! Supply-chain notices through the command line, on a local node: Estonia notifies from a
//! JSON file (a broken indicator is named by its path before anything is signed, and nothing is
//! stored), Ukraine acknowledges with its exposure (an unknown exposure is refused by flag), and
//! `show` and `list` read the acknowledgement matrix back.

mod support;

use serde_json::json;
use support::{json_of, redline, stderr, stdout, succeeded};

fn add_state(data: &str, directory: &std::path::Path, id: &str) -> String {
    support::add_party_with_new_key(data, directory, id, "state", id)
}

#[test]
fn a_notice_is_issued_acknowledged_and_read_through_the_cli() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("data");
    let data = data.to_str().unwrap();
    let estonia = add_state(data, directory.path(), "EE");
    let ukraine = add_state(data, directory.path(), "UA");
    let notice = json!({
        "title": "Backdoored compression library in a Linux distribution's packages",
        "summary": "Release tarballs 5.6.0 and 5.6.1 carry an injected build step that backdoors sshd.",
        "compromise": "malicious-component",
        "products": [{"id": "xz", "vendor": "Tukaani", "name": "xz-utils",
                      "identifier": {"purl": "pkg:generic/tukaani/xz-utils@5.6.1"},
                      "versions": ["5.6.0", "5.6.1"]}],
        "indicators": [{"kind": "file-name", "value": "liblzma.so.5.6.1"}],
        "mitigation": "Downgrade to 5.4.6 and rebuild affected images.",
        "tlp": "green",
    });
    let mut broken = notice.clone();
    broken["indicators"][0] = json!({"kind": "sha256", "value": "not-a-hash"});
    let broken_file = directory.path().join("broken.json");
    std::fs::write(&broken_file, broken.to_string()).unwrap();
    let refused = redline(&[
        "--data",
        data,
        "supply-chain",
        "notify",
        "--file",
        broken_file.to_str().unwrap(),
        "--key",
        &estonia,
    ]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("indicators[0].value"),
        "{}",
        stderr(&refused)
    );
    let listed = json_of(redline(&[
        "--data",
        data,
        "supply-chain",
        "list",
        "--format",
        "json",
    ]));
    assert_eq!(listed, json!([]), "nothing stored");

    let file = directory.path().join("notice.json");
    std::fs::write(&file, notice.to_string()).unwrap();
    let issued = json_of(redline(&[
        "--data",
        data,
        "supply-chain",
        "notify",
        "--file",
        file.to_str().unwrap(),
        "--key",
        &estonia,
        "--format",
        "json",
    ]));
    let id = issued["notice"]["id"].as_str().unwrap().to_string();
    assert_eq!(issued["notice"]["notifying_party"], "EE");
    assert_eq!(issued["recipients"][0]["party"], "UA");
    assert_eq!(issued["recipients"][0]["standing"], "pending");

    let wrong = redline(&[
        "--data",
        data,
        "supply-chain",
        "acknowledge",
        "--notice",
        &id,
        "--exposure",
        "owned",
        "--key",
        &ukraine,
    ]);
    assert!(!wrong.status.success());
    assert!(stderr(&wrong).contains("--exposure"), "{}", stderr(&wrong));
    succeeded(redline(&[
        "--data",
        data,
        "supply-chain",
        "acknowledge",
        "--notice",
        &id,
        "--exposure",
        "affected",
        "--note",
        "Two build hosts had 5.6.1.",
        "--key",
        &ukraine,
    ]));
    let shown = json_of(redline(&[
        "--data",
        data,
        "supply-chain",
        "show",
        "--notice",
        &id,
        "--format",
        "json",
    ]));
    assert_eq!(shown["recipients"][0]["standing"], "on-time");
    assert_eq!(shown["recipients"][0]["exposure"], "affected");
    assert_eq!(shown["records"].as_array().unwrap().len(), 2);
    let table = stdout(&redline(&["--data", data, "supply-chain", "list"]));
    assert!(table.contains(&id) && table.contains("1/1"), "{table}");
}
