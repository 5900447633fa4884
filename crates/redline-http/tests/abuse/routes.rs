//! Abuse cases across every route family, as one table: who may not do what. An anonymous
//! visitor and a revoked token are refused (401) on every route that needs a party; a party that
//! is not a reader of a restricted record, or not a participant of a thread, is told "not found"
//! (404, never 403, so existence does not leak); and no actor outside the rule gets a 2xx.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{Actor, request, support};

/// The routes that need a signed-in party, with a body where they take one.
fn signed_in_routes(node: &support::DashboardNode, message: &str) -> Vec<(Method, String)> {
    let incident = &node.restricted_ids[0];
    let thread = &node.pending_thread;
    vec![
        (Method::GET, "/api/v1/incidents".into()),
        (Method::POST, "/api/v1/incidents".into()),
        (Method::GET, format!("/api/v1/incidents/{incident}")),
        (Method::PUT, format!("/api/v1/incidents/{incident}")),
        (
            Method::GET,
            format!("/api/v1/incidents/{incident}/versions"),
        ),
        (
            Method::GET,
            format!("/api/v1/incidents/{incident}/assessment"),
        ),
        (Method::POST, "/api/v1/incidents/with-notification".into()),
        (Method::GET, "/api/v1/parties".into()),
        (Method::GET, "/api/v1/parties/EE".into()),
        (Method::POST, "/api/v1/parties/EE/keys/rotate".into()),
        (Method::POST, "/api/v1/messages".into()),
        (Method::GET, format!("/api/v1/messages/{message}")),
        (Method::GET, format!("/api/v1/messages/{message}/form")),
        (Method::GET, format!("/api/v1/threads/{thread}")),
        (Method::GET, "/api/v1/inbox".into()),
        (Method::GET, "/api/v1/events".into()),
        (Method::GET, "/api/v1/exercises".into()),
        (Method::POST, "/api/v1/exercises".into()),
        (Method::GET, "/api/v1/disclosure/policy".into()),
        (Method::GET, "/api/v1/claims".into()),
        (Method::POST, "/api/v1/claims".into()),
        (
            Method::GET,
            "/api/v1/claims/00000000-0000-0000-0000-000000000001".into(),
        ),
        (
            Method::POST,
            "/api/v1/claims/00000000-0000-0000-0000-000000000001/cosignatures".into(),
        ),
        (
            Method::POST,
            "/api/v1/claims/00000000-0000-0000-0000-000000000001/decisions".into(),
        ),
        (
            Method::GET,
            "/api/v1/claims/00000000-0000-0000-0000-000000000001/stix".into(),
        ),
        (Method::POST, "/api/v1/consultations".into()),
        (
            Method::POST,
            "/api/v1/consultations/00000000-0000-0000-0000-000000000001/replies".into(),
        ),
        (
            Method::POST,
            "/api/v1/consultations/00000000-0000-0000-0000-000000000001/outcomes".into(),
        ),
    ]
}

/// The id of a message of the pending EE → UA thread, as EE reads it.
async fn a_message_of_the_pending_thread(node: &support::DashboardNode) -> String {
    let (status, view) = request(
        node,
        Actor::Party("EE"),
        Method::GET,
        &format!("/api/v1/threads/{}", node.pending_thread),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view["messages"][0]["id"].as_str().unwrap().to_string()
}

/// Rule: every route that needs a party refuses an anonymous visitor and a revoked token with
/// 401, and changes nothing.
#[tokio::test]
async fn anonymous_visitors_and_revoked_tokens_are_refused_on_every_party_route() {
    let node = support::start().await;
    let message = a_message_of_the_pending_thread(&node).await;
    let revoked = node.tokens["KP"].clone();
    let token_id = revoked.split('_').nth(1).unwrap().to_string();
    node.node
        .revoke_token(&redline_node::Caller::Operator, &token_id)
        .await
        .unwrap();
    let body = json!({});
    for (method, path) in signed_in_routes(&node, &message) {
        for actor in [
            Actor::Anonymous,
            Actor::Token(&revoked),
            Actor::Token("rl_x_y"),
        ] {
            let with_body = matches!(method, Method::POST | Method::PUT).then_some(&body);
            let (status, answer) =
                request(&node, actor, method.clone(), &path, with_body, &[]).await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{actor:?} {method} {path}: {answer}"
            );
        }
    }
}

/// Rule: a party that is not a reader of a restricted incident, or not a participant of a
/// thread, gets 404 on every route that would show it — the same answer as for an id that does
/// not exist.
#[tokio::test]
async fn non_readers_and_non_participants_are_told_not_found() {
    let node = support::start().await;
    let message = a_message_of_the_pending_thread(&node).await;
    let amber = &node.restricted_ids[0];
    let red = &node.restricted_ids[2];
    let thread = &node.pending_thread;
    let unknown_incident = "incident--00000000-0000-4000-8000-000000000000";
    for (path, outsider) in [
        (format!("/api/v1/incidents/{amber}"), "RU"),
        (format!("/api/v1/incidents/{red}"), "GB"),
        (format!("/api/v1/incidents/{red}/versions"), "RU"),
        (format!("/api/v1/incidents/{red}/assessment"), "US"),
        (format!("/api/v1/threads/{thread}"), "RU"),
        (format!("/api/v1/messages/{message}"), "GB"),
        (format!("/api/v1/messages/{message}/form"), "KP"),
        (format!("/api/v1/incidents/{unknown_incident}"), "RU"),
    ] {
        let (status, answer) =
            request(&node, Actor::Party(outsider), Method::GET, &path, None, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{outsider} {path}: {answer}");
        // Nothing restricted in the answer beyond the id the caller sent itself.
        for secret in node
            .secrets
            .iter()
            .filter(|secret| !path.contains(secret.as_str()))
        {
            assert!(
                !answer.to_string().contains(secret.as_str()),
                "{path} leaked {secret}"
            );
        }
    }
    // A non-reader cannot update a restricted incident either, whatever If-Match it guesses.
    let (status, _) = request(
        &node,
        Actor::Party("RU"),
        Method::PUT,
        &format!("/api/v1/incidents/{red}"),
        Some(&json!({ "title": "taken over" })),
        &[("if-match", "\"v1\"")],
    )
    .await;
    assert!(
        status == StatusCode::NOT_FOUND || status == StatusCode::UNPROCESSABLE_ENTITY,
        "{status}"
    );
    let (status, stored) = request(
        &node,
        Actor::Party("UA"),
        Method::GET,
        &format!("/api/v1/incidents/{red}"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(stored["version"], 1, "{stored}");
}

/// Rule: another party cannot act in a party's name — rotate its keys, revoke them, or send a
/// message as it.
#[tokio::test]
async fn another_party_cannot_act_in_a_partys_name() {
    let node = support::start().await;
    let (_, estonia) = request(
        &node,
        Actor::Party("EE"),
        Method::GET,
        "/api/v1/parties/EE",
        None,
        &[],
    )
    .await;
    let key_id = estonia["keys"][0]["key_id"].as_str().unwrap().to_string();
    let (status, _) = request(
        &node,
        Actor::Party("RU"),
        Method::POST,
        &format!("/api/v1/parties/EE/keys/{key_id}/revoke"),
        Some(&json!({ "reason": "probe" })),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, after) = request(
        &node,
        Actor::Party("EE"),
        Method::GET,
        "/api/v1/parties/EE",
        None,
        &[],
    )
    .await;
    assert_eq!(estonia["keys"], after["keys"]);
    // A message signed with EE's key but sent on RU's token is refused as a sender mismatch.
    let message = redline_hotline::HotlineMessage {
        id: uuid::Uuid::new_v4(),
        thread: uuid::Uuid::new_v4(),
        from: redline_model::PartyId::parse("EE").unwrap(),
        to: vec![redline_model::PartyId::parse("UA").unwrap()],
        sent_at: node.node.now(),
        incident: None,
        tlp: redline_model::Tlp::Green,
        lang: "en".into(),
        exercise: false,
        body: redline_hotline::MessageBody::Notification(
            redline_hotline::message::NotificationBody {
                summary: "forged".into(),
                severity_level: Some(1),
                requested_actions: vec![],
            },
        ),
    };
    let bytes = redline_hotline::sign_message(&message, &support::key_of("EE"));
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/messages", node.base))
        .bearer_auth(&node.tokens["RU"])
        .header("content-type", "application/json")
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}
