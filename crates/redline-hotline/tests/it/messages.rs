//! The message payload: its exact wire form, and errors that name their JSON path.

use redline_hotline::{HotlineMessage, MessageKind};

use crate::support::*;

#[test]
fn the_wire_form_follows_the_design_document() {
    let message = sample_message(MessageKind::Notification);
    insta::assert_snapshot!(String::from_utf8(message.to_json_bytes()).unwrap());
}

#[test]
fn every_kind_parses_back_to_itself() {
    for &kind in MessageKind::ALL {
        let mut message = sample_message(kind);
        message.exercise = kind == MessageKind::CommunicationCheck;
        let parsed = HotlineMessage::parse(&message.to_json_bytes()).unwrap();
        assert_eq!(parsed, message);
        assert_eq!(parsed.kind(), kind);
        let kind_json = serde_json::to_string(&kind).unwrap();
        assert_eq!(kind_json, format!("\"{}\"", kind.as_str()));
    }
}

/// The path of the first problem when `from` in the notification's JSON becomes `to`.
fn path_after_replacing(from: &str, to: &str) -> String {
    let json =
        String::from_utf8(sample_message(MessageKind::Notification).to_json_bytes()).unwrap();
    assert!(json.contains(from), "{from} not in {json}");
    let changed = json.replacen(from, to, 1);
    HotlineMessage::parse(changed.as_bytes())
        .unwrap_err()
        .path()
}

#[test]
fn errors_name_their_json_path() {
    let cases = [
        ("\"tlp\":\"amber\"", "\"tlp\":\"purple\"", "tlp"),
        (
            "\"lang\":\"en\"",
            "\"lang\":\"en\",\"priority\":1",
            "priority",
        ),
        ("\"v\":1", "\"v\":2", "v"),
        ("\"to\":[\"RU\"]", "\"to\":[\"RU\",\"XX\"]", "to[1]"),
        ("\"to\":[\"RU\"]", "\"to\":[\"RU\",\"RU\"]", "to[1]"),
        ("\"to\":[\"RU\"]", "\"to\":[\"EE\"]", "to[0]"),
        ("\"to\":[\"RU\"]", "\"to\":[]", "to"),
        ("\"lang\":\"en\"", "\"lang\":\"e n\"", "lang"),
        (
            "\"kind\":\"notification\"",
            "\"kind\":\"ultimatum\"",
            "kind",
        ),
        (
            "\"kind\":\"notification\"",
            "\"kind\":\"closure\"",
            "body.summary",
        ),
        (
            "\"severity_level\":4",
            "\"severity_level\":6",
            "body.severity_level",
        ),
        (
            "\"severity_level\":4",
            "\"severity_level\":\"high\"",
            "body.severity_level",
        ),
        (
            "\"Preserve logs of AS64500\"",
            "\" \"",
            "body.requested_actions[1]",
        ),
        (
            "\"incident\":\"incident--",
            "\"incident\":\"case--",
            "incident",
        ),
        (
            "\"sent_at\":\"2026-11-22T10:00:00Z\"",
            "\"sent_at\":\"2026-11-22 10:00\"",
            "sent_at",
        ),
    ];
    for (from, to, expected_path) in cases {
        assert_eq!(path_after_replacing(from, to), expected_path, "{to}");
    }
}

#[test]
fn a_missing_field_is_named() {
    let json = r#"{"v":1,"id":"0192f3a4-7b1c-4d2e-9f00-000000000001","thread":"0192f3a4-7b1c-4d2e-9f00-000000000002","from":"EE","to":["RU"],"kind":"acknowledgement","sent_at":"2026-11-22T10:00:00Z","lang":"en","body":{"of":"0192f3a4-7b1c-4d2e-9f00-000000000003"}}"#;
    assert_eq!(
        HotlineMessage::parse(json.as_bytes()).unwrap_err().path(),
        "tlp"
    );
    let json = json.replace(r#""lang":"en""#, r#""tlp":"clear","lang":"en""#);
    let without_body_field = json.replace(r#"{"of":"0192f3a4-7b1c-4d2e-9f00-000000000003"}"#, "{}");
    assert_eq!(
        HotlineMessage::parse(without_body_field.as_bytes())
            .unwrap_err()
            .path(),
        "body.of"
    );
}

#[test]
fn a_clarification_request_needs_a_question() {
    let mut message = sample_message(MessageKind::ClarificationRequest);
    if let redline_hotline::MessageBody::ClarificationRequest(body) = &mut message.body {
        body.questions.clear();
    }
    let error = HotlineMessage::parse(&message.to_json_bytes()).unwrap_err();
    assert_eq!(error.path(), "body.questions");
}

/// A request outcome's body, as a table: the body's JSON → the paths of its problems (none when
/// it parses). A decline needs a reason, a partial outcome what is done and what is not; a field
/// that belongs to another outcome is refused where it stands.
#[test]
fn a_request_outcome_body_gives_exactly_the_fields_of_its_outcome() {
    fn check(body: &str, expect: &[&str]) {
        let json =
            String::from_utf8(sample_message(MessageKind::RequestOutcome).to_json_bytes()).unwrap();
        let start = json.find("\"body\":").unwrap();
        let changed = format!("{}\"body\":{body}}}", &json[..start]);
        let paths: Vec<String> = match HotlineMessage::parse(changed.as_bytes()) {
            Ok(_) => Vec::new(),
            Err(error) => error
                .issues()
                .iter()
                .map(|issue| issue.path.clone())
                .collect(),
        };
        assert_eq!(paths, expect, "{body}");
    }
    let request = "\"request\":\"0192f3a4-7b1c-4d2e-9f00-0000000003eb\"";
    check(&format!("{{{request},\"outcome\":\"accepted\"}}"), &[]);
    check(
        &format!(
            "{{{request},\"outcome\":\"accepted\",\"summary\":\"Two analysts from Monday.\"}}"
        ),
        &[],
    );
    check(
        &format!("{{{request},\"outcome\":\"declined\",\"reason\":\"No capacity.\"}}"),
        &[],
    );
    check(
        &format!("{{{request},\"outcome\":\"declined\"}}"),
        &["body.reason"],
    );
    check(
        &format!("{{{request},\"outcome\":\"declined\",\"reason\":\"  \"}}"),
        &["body.reason"],
    );
    check(
        &format!(
            "{{{request},\"outcome\":\"partly\",\"done\":\"Blocked 2 of 3.\",\"not_done\":\"The CDN address.\"}}"
        ),
        &[],
    );
    check(
        &format!("{{{request},\"outcome\":\"partly\",\"done\":\"Blocked 2 of 3.\"}}"),
        &["body.not_done"],
    );
    check(&format!("{{{request},\"outcome\":\"completed\"}}"), &[]);
    check(
        &format!("{{{request},\"outcome\":\"completed\",\"reason\":\"Done.\"}}"),
        &["body.reason"],
    );
    check(
        &format!("{{{request},\"outcome\":\"accepted\",\"done\":\"x\",\"not_done\":\"y\"}}"),
        &["body.done", "body.not_done"],
    );
    check(
        &format!("{{{request},\"outcome\":\"rejected\",\"reason\":\"x\"}}"),
        &["body.outcome"],
    );
    check(
        &format!("{{{request},\"outcome\":\"accepted\",\"priority\":1}}"),
        &["body.priority"],
    );
    check("{\"outcome\":\"accepted\"}", &["body.request"]);
}
