//! Abuse cases: tabletop exercises (`/api/v1/exercises…`).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Actor, request, support};

/// An exercise run by RU in which EE "reports" an incident and GB plays.
fn exercise_file(tlp: &str, shared_with: &str) -> String {
    format!(
        r#"
[exercise]
id = "forged-reporter"
title = "Forged reporter probe"
description = "RU runs an exercise whose incident names EE as reporter."
scenario = "grid-outage-peacetime"
lang = "en"

[[party]]
id = "EE"
role = "victim"

[[party]]
id = "GB"
role = "player"

[[inject]]
id = "incident"
at_minutes = 0
kind = "incident"
text = "A report Estonia never made."
report = '''
{{
  "title": "An incident EE never reported",
  "reported_by": "EE",
  "victim": "EE",
  "status": "confirmed",
  "tlp": "{tlp}",
  "targets": [{{ "sector": "energy", "country": "EE", "essential_service": true }}],
  "effects": [{{ "kind": "disruption", "duration_hours": 6, "reversible": true, "scale": "national" }}],
  "shared_with": {shared_with}
}}
'''
"#
    )
}

async fn create(node: &support::DashboardNode, runner: Actor<'_>, text: &str) -> String {
    let (status, created) = request(
        node,
        runner,
        Method::POST,
        "/api/v1/exercises",
        Some(&json!({ "definition": text, "file": "probe.toml" })),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["id"].as_str().unwrap().to_string()
}

/// Rule: an exercise inject is reported by the facilitator, or by a party that signed it
/// (finding 16.2). RU cannot make EE "report" an incident; nothing is stored.
#[tokio::test]
async fn an_exercise_cannot_report_an_incident_in_another_partys_name() {
    let node = support::start().await;
    let id = create(&node, Actor::Party("RU"), &exercise_file("green", "[]")).await;
    let (status, due) = request(
        &node,
        Actor::Party("RU"),
        Method::GET,
        &format!("/api/v1/exercises/{id}/injects/due"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{due}");
    let entry = due
        .as_array()
        .or_else(|| due["injects"].as_array())
        .unwrap()[0]
        .clone();
    assert_eq!(entry["sign_as"], "EE", "{entry}");
    let incident_id =
        redline_model::IncidentId::parse(entry["payload"]["id"].as_str().unwrap()).unwrap();
    for body in [
        None,
        // Signed by RU's own key instead of EE's.
        Some(json!({ "envelope": serde_json::from_slice::<Value>(
            &redline_hotline::Envelope::sign(
                redline_hotline::EXERCISE_REPORT_PAYLOAD_TYPE,
                serde_json::to_vec(&entry["payload"]).unwrap(),
                &support::key_of("RU"),
            )
            .to_json_bytes(),
        )
        .unwrap() })),
    ] {
        let (status, answer) = request(
            &node,
            Actor::Party("RU"),
            Method::POST,
            &format!("/api/v1/exercises/{id}/injects/incident/deliver"),
            body.as_ref(),
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    }
    assert!(
        node.node
            .get_incident(&redline_node::Caller::Operator, &incident_id)
            .await
            .is_err(),
        "a refused inject stored its incident"
    );
    // Signed with EE's key (the facilitator holds it with EE's consent), it is delivered and
    // the incident is EE's.
    let envelope = redline_hotline::Envelope::sign(
        redline_hotline::EXERCISE_REPORT_PAYLOAD_TYPE,
        serde_json::to_vec(&entry["payload"]).unwrap(),
        &support::key_of("EE"),
    );
    let (status, answer) = request(
        &node,
        Actor::Party("RU"),
        Method::POST,
        &format!("/api/v1/exercises/{id}/injects/incident/deliver"),
        Some(&json!({ "envelope": serde_json::from_slice::<Value>(&envelope.to_json_bytes()).unwrap() })),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let stored = node
        .node
        .get_incident(&redline_node::Caller::Operator, &incident_id)
        .await
        .unwrap();
    assert_eq!(stored.report.reported_by.as_str(), "EE");
}

/// Rule: a player records decisions on, and reads the ceilings of, only the exercise
/// incidents it may read (finding 16, partial: the amber exercise incident).
#[tokio::test]
async fn a_player_who_may_not_read_an_exercise_incident_cannot_decide_on_it() {
    let node = support::start().await;
    // The operator runs it, so the report needs no signature; amber, not shared with GB.
    let id = node
        .node
        .create_exercise(
            &redline_node::Caller::Operator,
            &exercise_file("amber", "[]"),
            "probe.toml",
            None,
            None,
        )
        .await
        .unwrap()
        .id;
    let delivered = node
        .node
        .deliver_exercise_inject(&redline_node::Caller::Operator, &id, "incident", None)
        .await
        .unwrap();
    let incident = delivered.incident.unwrap().to_string();
    let (status, answer) = request(
        &node,
        Actor::Party("GB"),
        Method::POST,
        &format!("/api/v1/exercises/{id}/decisions"),
        Some(&json!({ "incident": incident, "rung": 1, "note": "probe" })),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    // EE (a reader and a player) decides; GB's report does not show that decision.
    let (status, answer) = request(
        &node,
        Actor::Party("EE"),
        Method::POST,
        &format!("/api/v1/exercises/{id}/decisions"),
        Some(&json!({ "incident": incident, "rung": 1, "note": "EE decides" })),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let (status, report) = request(
        &node,
        Actor::Party("GB"),
        Method::GET,
        &format!("/api/v1/exercises/{id}/report"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["decisions"], json!([]), "{report}");
    assert!(!report.to_string().contains("ceiling"), "{report}");
}
