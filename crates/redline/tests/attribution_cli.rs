#![allow(clippy::unwrap_used)]
//! Attribution from the command line, with the real binary against a real `redline demo` on a
//! loopback port: UA files a claim naming Russia (the party RU) for the Viasat incident; GB
//! co-signs; publishing before RU has replied to a consultation is refused, naming the clause
//! `consultation-before-naming`, and exits 1 like any rejected input; UA consults RU, RU replies,
//! UA publishes; `list` and `show --format json` show the published, co-signed claim with RU's
//! reply; UA withdraws it. Then every action is in the transparency log under the claim's id
//! (read from the node's log tiles, mirrored by `redline log mirror`), refusals are not, and
//! `redline log verify` against the demo, and against the mirror, is clean.

use std::path::Path;

use redline_ledger::tiles::{entry_bundle_for_leaf, parse_entry_bundle};
use serde_json::Value;

mod support;
use support::*;

/// The clause a claim naming a state that is a party fails until that party has been consulted.
const CONSULTATION_CLAUSE: &str = "consultation-before-naming";

/// The failed clauses of the code of conduct in a claim view, as `show --format json` prints it.
fn failed_clauses(view: &Value) -> Vec<String> {
    view["code_of_conduct"]["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|clause| clause["id"].as_str().unwrap().to_string())
        .collect()
}

/// A publish attempt that the code of conduct refuses: exit 1 (rejected input), the refusal
/// names the consultation clause, nothing on stdout.
#[track_caller]
fn assert_refused_for_consultation(output: &std::process::Output) {
    assert_eq!(output.status.code(), Some(1), "{}", stderr(output));
    assert!(
        stderr(output).contains(CONSULTATION_CLAUSE),
        "the refusal does not name {CONSULTATION_CLAUSE}: {}",
        stderr(output)
    );
    assert!(output.stdout.is_empty(), "{}", stdout(output));
}

/// The log entries (as JSON) at `leaves`, read from a mirror of a log of `tree_size` entries.
fn mirrored_entries(mirror: &Path, tree_size: u64, leaves: &[u64]) -> Vec<Value> {
    leaves
        .iter()
        .map(|leaf| {
            let address = entry_bundle_for_leaf(*leaf, tree_size).unwrap();
            let bundle = std::fs::read(mirror.join(address.path())).unwrap();
            let entries = parse_entry_bundle(&bundle).unwrap();
            let entry = entries[usize::try_from(leaf % 256).unwrap()];
            serde_json::from_slice(entry).unwrap()
        })
        .collect()
}

#[test]
fn a_claim_is_filed_cosigned_consulted_published_and_withdrawn_through_the_cli_and_logged() {
    let directory = tempfile::tempdir().unwrap();
    let data_path = directory.path().join("demo-data");
    let node = DemoNode::serve(&data_path);
    let url = node.url.clone();
    let ua = node.party("UA");
    let gb = node.party("GB");
    let ru = node.party("RU");

    // The demo's Viasat incident, reported by Ukraine.
    let (status, listing) = get(&format!("{url}/api/v1/incidents"), &ua.token).unwrap();
    assert_eq!(status, 200, "{listing}");
    let incident = listing["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|incident| {
            incident["report"]["reported_by"] == "UA"
                && incident["report"]["title"]
                    .as_str()
                    .is_some_and(|title| title.contains("Viasat") || title.contains("KA-SAT"))
        })
        .or_else(|| {
            listing["incidents"]
                .as_array()
                .unwrap()
                .iter()
                .find(|incident| incident["report"]["reported_by"] == "UA")
        })
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // UA files a claim naming Russia, a party of the node. Filing does not publish.
    let filed = json_of(node.signed(
        &ua,
        &[
            "attribution",
            "file",
            "--incident",
            &incident,
            "--named-state",
            "RU",
            "--named-party",
            "RU",
            "--actor",
            "Sandworm",
            "--relationship",
            "state-organ",
            "--confidence",
            "very-likely",
            "--analytic-confidence",
            "high",
            "--basis",
            "technical,intelligence",
            "--evidence",
            "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "--statement",
            "The AcidRain wiper against KA-SAT modems was deployed by the GRU's unit 74455.",
            "--format",
            "json",
        ],
    ));
    let claim = filed["id"].as_str().unwrap().to_string();
    assert_eq!(filed["status"], "filed", "{filed}");
    assert_eq!(filed["versions"][0]["claim"]["claimant"], "UA");
    assert_eq!(filed["versions"][0]["claim"]["named"]["party"], "RU");

    // Publishing before RU was consulted is refused, naming the clause.
    assert_refused_for_consultation(&node.signed(&ua, &["attribution", "publish", &claim]));

    // GB co-signs with its own likelihood; the table says so.
    let cosigned = succeeded(node.signed(
        &gb,
        &[
            "attribution",
            "cosign",
            &claim,
            "--confidence",
            "likely",
            "--statement",
            "The United Kingdom joins this attribution.",
        ],
    ));
    assert!(cosigned.contains("co-signed by GB (likely)"), "{cosigned}");

    // UA offers RU consultation; RU has not answered yet, so publishing is still refused.
    let consulted = json_of(node.signed(
        &ua,
        &[
            "attribution",
            "consult",
            &claim,
            "--facts",
            "AcidRain wiped KA-SAT modems across Europe on 24 February 2022.",
            "--legal-view",
            "A breach of sovereignty attributable to the Russian Federation.",
            "--remedy",
            "cessation,assurances",
            "--format",
            "json",
        ],
    ));
    let consultations = consulted["consultations"].as_array().unwrap();
    assert_eq!(consultations.len(), 1, "{consulted}");
    let consultation = consultations[0]["id"].as_str().unwrap().to_string();
    assert_eq!(consultations[0]["record"]["request"]["to"], "RU");
    assert_refused_for_consultation(&node.signed(&ua, &["attribution", "publish", &claim]));
    let waiting = json_of(node.as_party(&ua, &["attribution", "show", &claim, "--format", "json"]));
    assert_eq!(failed_clauses(&waiting), [CONSULTATION_CLAUSE], "{waiting}");

    // Only the named party replies (to anyone else the consultation is not found: exit 3);
    // RU does, and UA may then publish.
    let output = node.signed(
        &gb,
        &[
            "attribution",
            "reply",
            &consultation,
            "--position",
            "deny",
            "--statement",
            "Not ours.",
        ],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let replied = json_of(node.signed(
        &ru,
        &[
            "attribution",
            "reply",
            &consultation,
            "--position",
            "deny",
            "--statement",
            "The Russian Federation rejects this unfounded accusation.",
            "--format",
            "json",
        ],
    ));
    assert_eq!(
        replied["consultations"][0]["record"]["reply"]["position"], "deny",
        "{replied}"
    );
    let published = json_of(node.signed(
        &ua,
        &[
            "attribution",
            "publish",
            &claim,
            "--reason",
            "RU was consulted and replied.",
            "--format",
            "json",
        ],
    ));
    assert_eq!(published["status"], "published", "{published}");
    assert!(published["published_at"].is_string(), "{published}");

    // Any party lists it: published, one co-signer.
    let listed = succeeded(node.as_party(&gb, &["attribution", "list"]));
    let row = listed
        .lines()
        .find(|line| line.starts_with(&claim))
        .unwrap_or_else(|| panic!("{claim} not in:\n{listed}"));
    assert!(
        row.contains("published")
            && row.contains("UA names RU (Sandworm)")
            && row.contains("co-signers 1"),
        "{row}"
    );
    let listed = json_of(node.as_party(
        &ua,
        &[
            "attribution",
            "list",
            "--incident",
            &incident,
            "--format",
            "json",
        ],
    ));
    let summary = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|summary| summary["id"] == claim.as_str())
        .unwrap();
    assert_eq!(summary["status"], "published");
    assert_eq!(summary["cosigners"], 1);

    // The whole record: the version, GB's co-signature, the decision, RU's reply, the verdict.
    let shown = json_of(node.as_party(&ru, &["attribution", "show", &claim, "--format", "json"]));
    assert_eq!(shown["status"], "published", "{shown}");
    assert_eq!(shown["versions"].as_array().unwrap().len(), 1);
    assert_eq!(shown["cosignatures"][0]["cosignature"]["party"], "GB");
    assert_eq!(
        shown["cosignatures"][0]["cosignature"]["confidence"],
        "likely"
    );
    let decisions: Vec<&str> = shown["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|decision| decision["action"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, ["publish"], "{shown}");
    assert_eq!(
        shown["consultations"][0]["record"]["reply"]["from"], "RU",
        "{shown}"
    );
    assert!(failed_clauses(&shown).is_empty(), "{shown}");
    for envelope in [
        &shown["versions"][0]["envelope"],
        &shown["cosignatures"][0]["envelope"],
    ] {
        assert_eq!(envelope["signatures"].as_array().unwrap().len(), 1);
    }

    // The claimant withdraws it; it stays on record, marked withdrawn.
    let withdrawn = json_of(node.signed(
        &ua,
        &[
            "attribution",
            "withdraw",
            &claim,
            "--reason",
            "Superseded by a joint statement.",
            "--format",
            "json",
        ],
    ));
    assert_eq!(withdrawn["status"], "withdrawn", "{withdrawn}");
    // A second withdrawal conflicts (exit 5).
    let output = node.signed(&ua, &["attribution", "withdraw", &claim]);
    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));

    // Every action is in the log under the claim's id, with the party that signed it: the
    // version, the co-signature, the consultation request and reply, the publication and the
    // withdrawal — and none of the refused attempts. The inclusion route waits for the
    // log writer, so these are under the checkpoint the mirror copies.
    let (status, inclusion) = get(
        &format!("{url}/api/v1/log/inclusion?subject={claim}"),
        &ua.token,
    )
    .unwrap();
    assert_eq!(status, 200, "{inclusion}");
    let mut leaves: Vec<u64> = inclusion["proofs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|proof| proof["leaf_index"].as_u64().unwrap())
        .collect();
    leaves.sort_unstable();
    let mirror = directory.path().join("mirror");
    let log_url = format!("{url}/log");
    let mirrored = succeeded(redline(&[
        "log",
        "mirror",
        &log_url,
        mirror.to_str().unwrap(),
    ]));
    let tree_size: u64 = mirrored
        .strip_prefix("mirrored ")
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|count| count.parse().ok())
        .unwrap_or_else(|| panic!("{mirrored}"));
    let logged: Vec<(String, String)> = mirrored_entries(&mirror, tree_size, &leaves)
        .iter()
        .map(|entry| {
            assert_eq!(entry["subject"], claim.as_str(), "{entry}");
            assert_eq!(entry["sha256"].as_str().unwrap().len(), 64, "{entry}");
            (
                entry["kind"].as_str().unwrap().to_string(),
                entry["party"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("attribution-claim", "UA"),
        ("attribution-cosignature", "GB"),
        ("consultation", "UA"),
        ("consultation", "RU"),
        ("attribution-decision", "UA"),
        ("attribution-decision", "UA"),
    ]
    .iter()
    .map(|(kind, party)| (kind.to_string(), party.to_string()))
    .collect();
    assert_eq!(logged, expected);

    // `redline log verify` is clean against the running demo (pinning its key on first use)
    // and against the mirror with the same key.
    let state = directory.path().join("log-state.json");
    let state_text = state.to_str().unwrap();
    let verified = redline(&["log", "verify", &log_url, "--state", state_text]);
    assert!(
        verified.status.success(),
        "{}\n{}",
        stdout(&verified),
        stderr(&verified)
    );
    let verified = redline(&[
        "log",
        "verify",
        mirror.to_str().unwrap(),
        "--state",
        state_text,
    ]);
    assert!(
        verified.status.success(),
        "{}\n{}",
        stdout(&verified),
        stderr(&verified)
    );
    node.stop();
}
