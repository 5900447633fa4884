#![allow(clippy::unwrap_used)]
//! The hotline from the command line, with the real binary against a real demo node on a
//! loopback port: `keygen` writes a private key; EE `notify`s UA of a demo incident; UA sees it
//! in its `inbox`, `ack`s it and `reply`s; `thread show` lists the messages in order with the
//! thread's state after each; a `check start` to two parties, one answers, `check status`
//! shows one answered and one silent; the deadline scheduler marks an unanswered check overdue;
//! `sign` output POSTed to /api/v1/messages is accepted; bad input exits 1 naming its JSON path.
//!
//! The demo's norms are changed for the test: GB and DE adopt a copy of the baseline whose
//! level-0 acknowledgement duty is a few seconds, so a check's reply deadline passes while the
//! test waits.

use std::time::{Duration, Instant};

use serde_json::Value;

mod support;
use support::*;

/// The level-0 acknowledgement duty of the drill document, in seconds.
const DRILL_SECONDS: u64 = 8;

#[test]
fn keygen_writes_a_private_key_once_and_bad_input_names_its_path() {
    let directory = tempfile::tempdir().unwrap();
    let key = directory.path().join("ee.pem");
    let key_text = key.to_str().unwrap();

    let public = succeeded(redline(&["keygen", "--output", key_text]));
    let public = public.trim();
    assert_eq!(public.len(), 44, "{public}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let before = std::fs::read(&key).unwrap();
    let again = redline(&["keygen", "--output", key_text]);
    assert_eq!(again.status.code(), Some(5), "{}", stderr(&again));
    assert_eq!(std::fs::read(&key).unwrap(), before, "never overwritten");

    // A good message signs; the payload is the message as the node will read it.
    let message = directory.path().join("message.json");
    std::fs::write(
        &message,
        r#"{"v":1,"from":"EE","to":["UA"],"kind":"notification","tlp":"amber","lang":"en",
            "body":{"summary":"DDoS on government portals","severity_level":2}}"#,
    )
    .unwrap();
    let envelope: Value = serde_json::from_str(&succeeded(redline(&[
        "sign",
        message.to_str().unwrap(),
        "--key",
        key_text,
    ])))
    .unwrap();
    assert_eq!(
        envelope["payloadType"],
        "application/vnd.redline.message+json"
    );
    assert_eq!(envelope["signatures"].as_array().unwrap().len(), 1);

    // Bad messages exit 1 and name the JSON path.
    for (json, path) in [
        (
            r#"{"v":1,"from":"EE","to":["UA"],"kind":"notification","tlp":"amber","lang":"en",
                "body":{"summary":"x","severity_level":9}}"#,
            "body.severity_level",
        ),
        (
            r#"{"v":1,"from":"EE","to":["UA"],"kind":"notification","tlp":"amber","lang":"en",
                "body":{"summary":"x","colour":"red"}}"#,
            "body.colour",
        ),
        (
            r#"{"v":1,"from":"EE","to":["UA","EE"],"kind":"response","tlp":"amber","lang":"en",
                "body":{"to":"0b6c7b43-9a3b-4c43-8a8f-0e4f6f1c2a10","text":"yes"}}"#,
            "to[1]",
        ),
    ] {
        std::fs::write(&message, json).unwrap();
        let output = redline(&["sign", message.to_str().unwrap(), "--key", key_text]);
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        assert!(
            stderr(&output).contains(path),
            "{path}: {}",
            stderr(&output)
        );
        assert!(output.stdout.is_empty());
    }

    // A command that needs a node, given none: exit 2 and say how to name one.
    let empty = directory.path().join("no-node");
    let output = redline(&["inbox", "--data", empty.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("--url"), "{}", stderr(&output));

    // Every new command explains itself.
    for command in [
        &["keygen", "--help"][..],
        &["sign", "--help"],
        &["notify", "--help"],
        &["inbox", "--help"],
        &["ack", "--help"],
        &["reply", "--help"],
        &["thread", "show", "--help"],
        &["check", "start", "--help"],
        &["check", "status", "--help"],
    ] {
        let help = succeeded(redline(command));
        assert!(
            help.contains("Example") || help.contains("Outcomes"),
            "{command:?}: {help}"
        );
    }
}

#[test]
fn duty_officers_notify_acknowledge_reply_and_check_through_the_cli() {
    let directory = tempfile::tempdir().unwrap();
    let data_path = directory.path().join("demo-data");
    let data = write_demo_data(&data_path);
    adopt_drill_document(
        directory.path(),
        &data,
        &[(0, "PT24H")],
        DRILL_SECONDS,
        &["GB", "DE"],
    );

    let node = DemoNode::serve(&data_path);
    let url = node.url.clone();
    let ee = node.party("EE");
    let ua = node.party("UA");
    let gb = node.party("GB");
    let de = node.party("DE");

    // A demo incident EE can see, preferably one about Ukraine.
    let (status, listing) = get(&format!("{url}/api/v1/incidents"), &ee.token).unwrap();
    assert_eq!(status, 200);
    let incidents = listing["incidents"].as_array().unwrap();
    let incident = incidents
        .iter()
        .find(|incident| incident["report"]["victim"] == "UA")
        .unwrap_or(&incidents[0])["id"]
        .as_str()
        .unwrap()
        .to_string();

    // EE notifies UA; the sender is the party EE's key is registered to.
    let notified = succeeded(node.signed(
        &ee,
        &[
            "notify",
            "--incident",
            &incident,
            "--to",
            "UA",
            "--summary",
            "Wiper malware on the grid operators' networks",
            "--action",
            "Block the listed C2 addresses",
        ],
    ));
    let thread = field(&notified, "thread:");
    let notification = field(&notified, "message:");
    assert_eq!(field(&notified, "thread state:"), "sent");
    assert!(notified.contains("acknowledge by:"), "{notified}");
    assert!(notified.contains("respond by:"), "{notified}");

    // UA's inbox has it, awaiting UA's acknowledgement.
    let inbox = succeeded(node.as_party(&ua, &["inbox"]));
    let row = inbox
        .lines()
        .find(|line| line.starts_with(&thread))
        .unwrap_or_else(|| panic!("{thread} not in:\n{inbox}"));
    assert!(
        row.contains("sent") && row.contains("ack") && row.contains("EE"),
        "{row}"
    );
    let inbox = json_of(node.as_party(&ua, &["inbox", "--format", "json"]));
    let listed = inbox["threads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|listed| listed["id"] == thread.as_str())
        .unwrap();
    assert_eq!(listed["awaiting_from_you"], "acknowledgement");
    assert_eq!(listed["incident"], incident.as_str());

    // UA acknowledges and answers.
    let acknowledged = succeeded(node.signed(&ua, &["ack", &notification]));
    assert_eq!(field(&acknowledged, "thread state:"), "acknowledged");
    assert_eq!(field(&acknowledged, "thread:"), thread);
    let answered = succeeded(node.signed(
        &ua,
        &[
            "reply",
            &thread,
            "--text",
            "Confirmed; blocking at the border",
        ],
    ));
    assert_eq!(field(&answered, "thread state:"), "answered");

    // The thread in order, with its state after each message, and the forms in French.
    let shown = succeeded(node.as_party(&ee, &["thread", "show", &thread, "--lang", "fr"]));
    let positions: Vec<usize> = [
        "#1  notification  EE -> UA",
        "#2  acknowledgement  UA -> EE",
        "#3  response  UA -> EE",
    ]
    .iter()
    .map(|header| {
        shown
            .find(header)
            .unwrap_or_else(|| panic!("no `{header}` in:\n{shown}"))
    })
    .collect();
    assert!(
        positions.windows(2).all(|pair| pair[0] < pair[1]),
        "{shown}"
    );
    assert!(shown.contains("state: answered"), "{shown}");
    assert!(shown.contains("Notification d'incident"), "{shown}");
    assert!(shown.contains("Wiper malware on the grid operators' networks"));
    let view = json_of(node.as_party(&ee, &["thread", "show", &thread, "--format", "json"]));
    let steps: Vec<(&str, &str)> = view["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|message| {
            (
                message["kind"].as_str().unwrap(),
                message["thread_state_after"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("notification", "sent"),
            ("acknowledgement", "acknowledged"),
            ("response", "answered")
        ]
    );
    assert_eq!(view["messages"][0]["form"]["language"], "en");

    // EE asks UA for assistance; UA says where it stands with a structured outcome: a decline
    // without its reason is refused naming the field, then declined with one.
    succeeded(node.signed(
        &ee,
        &[
            "reply",
            &thread,
            "--kind",
            "assistance-request",
            "--text",
            "Two forensic analysts for the grid operator",
        ],
    ));
    let output = node.signed(
        &ua,
        &[
            "reply",
            &thread,
            "--kind",
            "request-outcome",
            "--outcome",
            "declined",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("body.reason"),
        "{}",
        stderr(&output)
    );
    succeeded(node.signed(
        &ua,
        &[
            "reply",
            &thread,
            "--kind",
            "request-outcome",
            "--outcome",
            "declined",
            "--reason",
            "Our analysts are deployed at home",
        ],
    ));
    let shown = succeeded(node.as_party(&ee, &["thread", "show", &thread]));
    assert!(
        shown.contains("UA: declined")
            && shown.contains("reason: Our analysts are deployed at home"),
        "{shown}"
    );
    let view = json_of(node.as_party(&ee, &["thread", "show", &thread, "--format", "json"]));
    assert_eq!(view["requests"][0]["recipients"][0]["outcome"], "declined");
    // UA's duties kept: its answer to the request, met, and its acknowledgement.
    let duties = json_of(node.as_party(&ua, &["commitments", "duties", "UA"]));
    let kinds: Vec<(&str, &str)> = duties["duties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|duty| {
            (
                duty["duty"].as_str().unwrap(),
                duty["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(kinds.contains(&("assistance-answer", "met")), "{duties}");
    assert!(kinds.contains(&("acknowledge", "met")), "{duties}");

    // A communication check to GB and DE (both apply the drill document): GB answers.
    let started = json_of(node.signed(
        &ee,
        &["check", "start", "--to", "GB,DE", "--format", "json"],
    ));
    let check = started["check_id"].as_str().unwrap().to_string();
    let check_thread = started["thread"].as_str().unwrap().to_string();
    succeeded(node.signed(&gb, &["reply", &check_thread, "--kind", "check-reply"]));
    // DE is silent once the deadline has passed.
    let deadline = Instant::now() + Duration::from_secs(DRILL_SECONDS + 30);
    let status = loop {
        let status = json_of(node.as_party(&ee, &["check", "status", &check, "--format", "json"]));
        let outcome_of = |party: &str| {
            status["targets"]
                .as_array()
                .unwrap()
                .iter()
                .find(|target| target["party"] == party)
                .unwrap()["outcome"]
                .as_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(outcome_of("GB"), "answered", "{status}");
        if outcome_of("DE") == "silent" {
            break status;
        }
        assert_eq!(outcome_of("DE"), "waiting", "{status}");
        assert!(
            Instant::now() < deadline,
            "DE never turned silent: {status}"
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    assert!(
        status["targets"][0]["reply_seconds"].as_f64().is_some()
            || status["targets"][1]["reply_seconds"].as_f64().is_some()
    );
    let table = succeeded(node.as_party(&de, &["check", "status", &check]));
    let gb_row = table.lines().find(|line| line.starts_with("GB ")).unwrap();
    let de_row = table.lines().find(|line| line.starts_with("DE ")).unwrap();
    assert!(
        gb_row.contains("answered") && gb_row.contains(" s"),
        "{table}"
    );
    assert!(de_row.contains("silent"), "{table}");
    assert!(table.contains("1 answered, 1 silent"), "{table}");

    // The deadline scheduler runs in the demo: an unanswered check thread becomes overdue.
    let started = json_of(node.signed(
        &ee,
        &[
            "check",
            "start",
            "--to",
            "DE",
            "--exercise",
            "--format",
            "json",
        ],
    ));
    let lonely_thread = started["thread"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(DRILL_SECONDS + 30);
    loop {
        let inbox = json_of(node.as_party(&ee, &["inbox", "--format", "json"]));
        let state = inbox["threads"]
            .as_array()
            .unwrap()
            .iter()
            .find(|listed| listed["id"] == lonely_thread.as_str())
            .unwrap()["state"]
            .as_str()
            .unwrap()
            .to_string();
        if state == "response-overdue" {
            break;
        }
        assert_eq!(state, "sent");
        assert!(
            Instant::now() < deadline,
            "the scheduler never marked the check thread overdue"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let inbox = succeeded(node.as_party(&de, &["inbox"]));
    let row = inbox
        .lines()
        .find(|line| line.starts_with(&lonely_thread))
        .unwrap();
    assert!(
        row.contains("response-overdue") && row.contains("EXERCISE"),
        "{row}"
    );

    // What `sign` prints is what POST /api/v1/messages accepts.
    let message = directory.path().join("message.json");
    std::fs::write(
        &message,
        r#"{"v":1,"from":"EE","to":["UA"],"kind":"notification","tlp":"green","lang":"en",
            "body":{"summary":"Phishing wave against ministries","requested_actions":["Share indicators"]}}"#,
    )
    .unwrap();
    let envelope = succeeded(redline(&[
        "sign",
        message.to_str().unwrap(),
        "--key",
        &ee.key,
    ]));
    let (status, accepted) = block_on(async {
        let response = reqwest::Client::new()
            .post(format!("{url}/api/v1/messages"))
            .bearer_auth(&ee.token)
            .header("content-type", "application/json")
            .body(envelope.trim_end().to_string())
            .send()
            .await
            .unwrap();
        (
            response.status().as_u16(),
            response.json::<Value>().await.unwrap(),
        )
    });
    assert_eq!(status, 201, "{accepted}");
    assert_eq!(accepted["thread_state"], "sent");

    // Refusals keep the exit codes of the other commands.
    let unknown = "0b6c7b43-9a3b-4c43-8a8f-0e4f6f1c2a10";
    let output = node.as_party(&ua, &["thread", "show", unknown]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let output = node.signed(&ua, &["ack", unknown]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    // GB is no participant of EE and UA's thread: not found, never forbidden.
    let output = node.signed(&gb, &["reply", &thread, "--text", "me too"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    // A reply needs its text.
    let output = node.signed(&ua, &["reply", &thread]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    // Signing as EE with UA's key: the node refuses (403 → 4).
    let output = node.as_party(
        &ee,
        &[
            "reply", &thread, "--text", "x", "--key", &ua.key, "--from", "EE",
        ],
    );
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    node.stop();

    // The operator of the local node reads the same check without a token.
    let local = succeeded(redline(&["check", "status", &check, "--data", &data]));
    assert!(local.contains("1 answered, 1 silent"), "{local}");
}
