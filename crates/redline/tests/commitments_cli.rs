#![allow(clippy::unwrap_used)]
//! Commitments from the command line, with the real binary against a real `redline demo` on a
//! loopback port: the survey's questions print in Arabic with their sources; UA adopts the
//! baseline with its signature; UA files an implementation report from a JSON file (its party
//! and time filled in), and a broken one is refused naming the field, exit 1, nothing sent; GB
//! opens a peer-review round of UA; `show --public` has UA's adoption signed and its norm
//! levels; `round` shows the round to a participant; the operator's backfill of notify duties
//! runs on the stopped node and records nothing twice.

mod support;
use support::*;

#[test]
fn adopt_report_and_open_a_round_through_the_cli() {
    let survey = succeeded(redline(&["commitments", "survey", "--lang", "ar"]));
    assert!(survey.contains("13(k)") && survey.contains("A/70/174") && survey.contains("UNIDIR"));
    assert!(survey.contains("هل"), "the questions are in Arabic");

    let directory = tempfile::tempdir().unwrap();
    let data_path = directory.path().join("demo-data");
    let node = DemoNode::serve(&data_path);
    let url = node.url.clone();
    let ua = node.party("UA");
    let gb = node.party("GB");
    let (_, norms) = get(&format!("{url}/api/v1/norms"), &ua.token).unwrap();
    let baseline = norms
        .as_array()
        .or_else(|| norms["documents"].as_array())
        .unwrap()
        .iter()
        .find(|document| {
            document["id"]
                .as_str()
                .unwrap_or_default()
                .contains("baseline")
        })
        .unwrap()["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let adopted = json_of(node.signed(&ua, &["commitments", "adopt", "--document", &baseline]));
    assert_eq!(adopted["signature"], "signed");

    let report = directory.path().join("report.json");
    std::fs::write(
        &report,
        serde_json::to_vec(&serde_json::json!({
            "id": uuid::Uuid::new_v4(), "version": 1, "period": "2026",
            "norms": [{"norm": "13(h)", "level": "implemented", "measures": "A 24/7 desk."}],
            "tlp": "clear"
        }))
        .unwrap(),
    )
    .unwrap();
    let filed = json_of(node.signed(
        &ua,
        &[
            "commitments",
            "send",
            "--kind",
            "implementation-report",
            report.to_str().unwrap(),
        ],
    ));
    assert_eq!(filed["versions"][0]["record"]["party"], "UA");
    let broken = directory.path().join("broken.json");
    std::fs::write(&broken, br#"{"id": "6f1c2b4e-9d7a-4c55-8e0f-0a1b2c3d4e5f", "version": 1, "period": "2026", "norms": [{"norm": "13(z)", "level": "implemented", "measures": "x"}], "tlp": "clear"}"#).unwrap();
    let refused = node.signed(
        &ua,
        &[
            "commitments",
            "send",
            "--kind",
            "implementation-report",
            broken.to_str().unwrap(),
        ],
    );
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("norms[0].norm"),
        "{}",
        stderr(&refused)
    );

    let round = directory.path().join("round.json");
    let round_id = uuid::Uuid::new_v4();
    std::fs::write(
        &round,
        serde_json::to_vec(&serde_json::json!({
            "round": round_id, "title": "CLI round", "reviewed": ["UA"], "reviewers": ["EE"],
            "norms": ["13(h)"], "deadline": "2099-01-01T00:00:00Z"
        }))
        .unwrap(),
    )
    .unwrap();
    let opened = json_of(node.signed(
        &gb,
        &[
            "commitments",
            "send",
            "--kind",
            "round-opening",
            round.to_str().unwrap(),
        ],
    ));
    assert_eq!(opened["status"], "open");
    let read = json_of(redline(&[
        "commitments",
        "round",
        &round_id.to_string(),
        "--url",
        &url,
        "--token",
        &ua.token,
    ]));
    assert_eq!(read["opening"]["record"]["title"], "CLI round");

    let public = json_of(redline(&[
        "commitments",
        "show",
        "--public",
        "--url",
        &url,
        "--token",
        &ua.token,
    ]));
    let ua_view = public["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|view| view["party"] == "UA")
        .unwrap();
    assert!(
        ua_view["adoptions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|adoption| adoption["signature"] == "signed" && adoption["in_force"] == true),
        "{ua_view}"
    );
    let level = ua_view["norms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["norm"] == "13(h)")
        .unwrap();
    assert_eq!(level["level"], "implemented");
    node.stop();

    // The operator's backfill of notify duties, on the stopped node's database: the demo's
    // incidents had theirs recorded when reported, so it records none, and says so.
    let data = data_path.to_str().unwrap();
    for _ in 0..2 {
        let backfilled = json_of(redline(&[
            "--data",
            data,
            "commitments",
            "backfill-notify-duties",
        ]));
        assert_eq!(backfilled, serde_json::json!({ "recorded": 0 }));
    }
}
