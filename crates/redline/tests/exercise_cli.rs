#![allow(clippy::unwrap_used)]
//! A tabletop exercise from the command line, with the real binary against a real demo node on
//! a loopback port: US (not a player) runs `scenarios/exercises/demo-grid-blackout.toml` at
//! `--speed 600`, playing Estonia with EE's key; GB acknowledges with `redline ack` and chooses
//! a recommended rung with `exercise decide`; DE stays silent past its deadline and chooses a
//! rung above the ceiling; `exercise report --output DIR` writes the three files and the
//! Markdown names the deadlines and the decisions. `list`, `show` and every `--help` work.
//!
//! The demo's norms are changed for the test: EE (the victim, whose adopted document applies)
//! adopts a copy of the baseline whose acknowledgement duties are a few seconds, so DE's
//! deadline passes while the test waits.

use std::time::{Duration, Instant};

use serde_json::Value;

mod support;
use support::*;

/// Every acknowledgement duty of the drill document, in seconds.
const DRILL_SECONDS: u64 = 15;

#[test]
fn a_facilitator_runs_an_exercise_and_players_act_through_the_cli() {
    let directory = tempfile::tempdir().unwrap();
    let data_path = directory.path().join("demo-data");
    let data = write_demo_data(&data_path);
    adopt_drill_document(
        directory.path(),
        &data,
        &[(0, "PT24H"), (2, "PT4H"), (3, "PT2H"), (4, "PT1H")],
        DRILL_SECONDS,
        &["EE"],
    );

    let node = DemoNode::serve(&data_path);
    let url = node.url.clone();
    let ee = node.party("EE");
    let us = node.party("US");
    let gb = node.party("GB");
    let de = node.party("DE");
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scenarios/exercises/demo-grid-blackout.toml"
    );
    let ee_key = format!("EE={}", ee.key);

    // Without EE's key the run is refused before anything is created.
    let refused = node.as_party(&us, &["exercise", "run", file, "--speed", "600"]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("--key EE=FILE"),
        "{}",
        stderr(&refused)
    );
    // A player cannot run it.
    let refused = node.as_party(
        &gb,
        &["exercise", "run", file, "--speed", "600", "--key", &ee_key],
    );
    assert_eq!(refused.status.code(), Some(4), "{}", stderr(&refused));

    // US runs it: three injects, a progress line for each on standard error.
    let started = Instant::now();
    let output = node.as_party(
        &us,
        &["exercise", "run", file, "--speed", "600", "--key", &ee_key],
    );
    let progress = stderr(&output);
    let printed = succeeded(output);
    assert!(started.elapsed() < Duration::from_secs(30));
    for inject in ["blackout", "notify-gb", "notify-de"] {
        assert!(progress.contains(&format!("{inject} (")), "{progress}");
    }
    let id = field(&printed, "exercise ");
    assert!(id.starts_with("exercise--"), "{printed}");

    // GB sees the exercise, acknowledges its notification with the ordinary `ack`.
    let view: Value = serde_json::from_str(&succeeded(
        node.as_party(&gb, &["exercise", "show", &id, "--format", "json"]),
    ))
    .unwrap();
    let incident = view["injects"][0]["delivered"]["incident"]
        .as_str()
        .unwrap()
        .to_string();
    let message = view["injects"][1]["delivered"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    succeeded(node.as_party(&gb, &["ack", &message, "--key", &gb.key]));
    let shown = succeeded(node.as_party(&gb, &["exercise", "show", &id]));
    assert!(shown.contains("notify-gb"), "{shown}");
    let listed = succeeded(node.as_party(&us, &["exercise", "list"]));
    assert!(listed.contains(&id), "{listed}");

    // Decisions: GB within the recommendation, DE above the ceiling.
    let (status, assessment) = get(
        &format!("{url}/api/v1/incidents/{incident}/assessment"),
        &gb.token,
    )
    .unwrap();
    assert_eq!(status, 200, "{assessment}");
    let ceiling = assessment["responses"]["ceiling"].as_u64().unwrap();
    let recommended = assessment["responses"]["recommended"][0]["rung"]
        .as_u64()
        .unwrap();
    let decided = succeeded(node.as_party(
        &gb,
        &[
            "exercise",
            "decide",
            &id,
            "--incident",
            &incident,
            "--rung",
            &recommended.to_string(),
            "--note",
            "Observe and offer our CERT",
        ],
    ));
    assert!(decided.contains("within the recommendation"), "{decided}");
    let decided = succeeded(node.as_party(
        &de,
        &[
            "exercise",
            "decide",
            &id,
            "--incident",
            &incident,
            "--rung",
            &(ceiling + 1).to_string(),
        ],
    ));
    assert!(decided.contains("above the ceiling"), "{decided}");
    // A player decides for itself only: exit 4, nothing stored.
    let refused = node.as_party(
        &de,
        &[
            "exercise",
            "decide",
            &id,
            "--incident",
            &incident,
            "--rung",
            "1",
            "--party",
            "GB",
        ],
    );
    assert_eq!(refused.status.code(), Some(4), "{}", stderr(&refused));

    // DE never acknowledges: wait for the demo's scheduler to fire its deadline.
    let report_url = format!("{url}/api/v1/exercises/{id}/report");
    let waited = Instant::now();
    loop {
        let (status, report) = get(&report_url, &us.token).unwrap();
        assert_eq!(status, 200, "{report}");
        let missed = report["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|deadline| {
                deadline["party"] == "DE"
                    && deadline["duty"] == "acknowledgement"
                    && deadline["outcome"] == "missed"
            });
        if missed {
            break;
        }
        assert!(waited.elapsed() < Duration::from_secs(90), "{report:#}");
        std::thread::sleep(Duration::from_millis(500));
    }

    // The report: three files, and the Markdown names the deadlines and the decisions.
    let out = directory.path().join("aar");
    succeeded(node.as_party(
        &us,
        &["exercise", "report", &id, "--output", out.to_str().unwrap()],
    ));
    let markdown = std::fs::read_to_string(out.join("report.md")).unwrap();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let json: Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert!(
        markdown.contains("EXERCISE — EXERCISE — EXERCISE"),
        "{markdown}"
    );
    assert!(
        markdown.contains("acknowledgement of GB due by"),
        "{markdown}"
    );
    assert!(
        markdown.contains("acknowledgement of DE due by"),
        "{markdown}"
    );
    assert!(markdown.contains("GB chose rung"), "{markdown}");
    assert!(markdown.contains("within the recommendation"), "{markdown}");
    assert!(markdown.contains("above the ceiling"), "{markdown}");
    assert!(html.contains("<p class=\"banner\">EXERCISE"), "{html}");
    assert_eq!(json["exercise"], true);
    assert_eq!(json["decisions"].as_array().unwrap().len(), 2);
    let counts = |id: &str| {
        let entry = json["parties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["party"] == id)
            .unwrap();
        (
            entry["met"].as_u64().unwrap(),
            entry["missed"].as_u64().unwrap(),
        )
    };
    assert_eq!(counts("GB"), (1, 0), "{json:#}");
    assert_eq!(counts("DE"), (0, 1), "{json:#}");
    // Without --output the Markdown is printed.
    let printed = succeeded(node.as_party(&de, &["exercise", "report", &id]));
    assert!(printed.contains("DE chose rung"), "{printed}");
    // In Arabic, through the node's API (`?lang=ar`): the fixed words translated, the page right
    // to left, what was recorded as written.
    let arabic = directory.path().join("aar-ar");
    succeeded(node.as_party(
        &us,
        &[
            "exercise",
            "report",
            &id,
            "--lang",
            "ar",
            "--output",
            arabic.to_str().unwrap(),
        ],
    ));
    let arabic_markdown = std::fs::read_to_string(arabic.join("report.md")).unwrap();
    let arabic_html = std::fs::read_to_string(arabic.join("report.html")).unwrap();
    assert!(
        arabic_markdown.contains("تقرير ما بعد التمرين")
            && arabic_markdown.contains("DE chose rung"),
        "{arabic_markdown}"
    );
    assert!(
        arabic_html.contains("<html lang=\"ar\" dir=\"rtl\">"),
        "{arabic_html}"
    );
    let refused = node.as_party(&de, &["exercise", "report", &id, "--lang", "de"]);
    assert_eq!(refused.status.code(), Some(2), "not a UN language");

    node.stop();
}

#[test]
fn every_exercise_command_explains_itself() {
    for command in [
        &["exercise", "run", "--help"][..],
        &["exercise", "decide", "--help"],
        &["exercise", "report", "--help"],
        &["exercise", "list", "--help"],
        &["exercise", "show", "--help"],
    ] {
        let help = succeeded(redline(command));
        assert!(help.contains("Example"), "{command:?}: {help}");
    }
    // A command that needs a node, given none: exit 2 and say how to name one.
    let directory = tempfile::tempdir().unwrap();
    let empty = directory.path().join("no-node");
    let output = redline(&["exercise", "list", "--data", empty.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("--url"), "{}", stderr(&output));
}
