//! Abuse cases: the hotline (`/api/v1/messages`, threads, communication checks, party keys).

use base64::Engine;
use redline_hotline::message::{
    AcknowledgementBody, CommunicationCheckBody, NotificationBody, ResponseBody,
};
use redline_hotline::{HotlineMessage, MessageBody};
use redline_model::{PartyId, Tlp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Actor, request, support};

fn message(
    node: &support::DashboardNode,
    from: &str,
    to: &[&str],
    thread: Uuid,
    tlp: Tlp,
    body: MessageBody,
) -> HotlineMessage {
    HotlineMessage {
        id: Uuid::new_v4(),
        thread,
        from: PartyId::parse(from).unwrap(),
        to: to.iter().map(|id| PartyId::parse(id).unwrap()).collect(),
        sent_at: node.node.now(),
        incident: None,
        tlp,
        lang: "en".into(),
        exercise: false,
        body,
    }
}

async fn thread_state(node: &support::DashboardNode, party: &str, thread: Uuid) -> String {
    let (status, view) = request(
        node,
        Actor::Party(party),
        Method::GET,
        &format!("/api/v1/threads/{thread}"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view["thread"]["state"].as_str().unwrap().to_string()
}

fn notification(summary: &str) -> MessageBody {
    MessageBody::Notification(NotificationBody {
        summary: summary.into(),
        severity_level: Some(3),
        requested_actions: vec![],
    })
}

/// Rule: an acknowledgement names a message of its own thread that was addressed to the
/// acknowledging party (finding 16.9): not a random id, not a message of another thread, not
/// the sender's own notification. Each refusal changes nothing.
#[tokio::test]
async fn an_acknowledgement_must_name_a_message_of_the_thread_addressed_to_its_sender() {
    let node = support::start().await;
    let first = Uuid::new_v4();
    let notice = message(&node, "EE", &["UA"], first, Tlp::Amber, notification("T1"));
    assert_eq!(node.post_message(&notice).await.0, StatusCode::CREATED);
    let other = Uuid::new_v4();
    let other_notice = message(&node, "EE", &["UA"], other, Tlp::Amber, notification("T2"));
    assert_eq!(
        node.post_message(&other_notice).await.0,
        StatusCode::CREATED
    );
    let before = thread_state(&node, "UA", first).await;

    let acknowledge = |from: &str, to: &str, of: Uuid| {
        message(
            &node,
            from,
            &[to],
            first,
            Tlp::Amber,
            MessageBody::Acknowledgement(AcknowledgementBody { of }),
        )
    };
    for (case, probe) in [
        ("a random id", acknowledge("UA", "EE", Uuid::new_v4())),
        (
            "another thread's message",
            acknowledge("UA", "EE", other_notice.id),
        ),
        ("its own notification", acknowledge("EE", "UA", notice.id)),
    ] {
        let (status, answer) = node.post_message(&probe).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{case}: {answer}");
        assert_eq!(answer["error"]["path"], "body.of", "{case}: {answer}");
        assert_eq!(thread_state(&node, "UA", first).await, before, "{case}");
    }
    // A response likewise answers only what was sent to its sender.
    let response = message(
        &node,
        "UA",
        &["EE"],
        first,
        Tlp::Amber,
        MessageBody::Response(ResponseBody {
            to: other_notice.id,
            text: "answer".into(),
        }),
    );
    let (status, answer) = node.post_message(&response).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    // The real acknowledgement still works.
    assert_eq!(
        node.post_message(&acknowledge("UA", "EE", notice.id))
            .await
            .0,
        StatusCode::CREATED
    );
    assert_eq!(thread_state(&node, "UA", first).await, "acknowledged");
}

/// Rule: the public listing of communication checks shows a visitor only `clear` checks, a
/// party also `green` ones and the restricted ones it takes part in (finding 16.6); the public
/// figures still count every check.
#[tokio::test]
async fn restricted_communication_checks_are_listed_to_their_participants_only() {
    let node = support::start().await;
    let check = |from: &str, to: &str, tlp: Tlp| {
        message(
            &node,
            from,
            &[to],
            Uuid::new_v4(),
            tlp,
            MessageBody::CommunicationCheck(CommunicationCheckBody {
                check_id: Uuid::new_v4(),
            }),
        )
    };
    let red = check("US", "RU", Tlp::Red);
    let clear = check("US", "GB", Tlp::Clear);
    for probe in [&red, &clear] {
        let (status, answer) = node.post_message(probe).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }
    let listed = |answer: &Value| -> Vec<String> {
        answer["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|check| check["thread"].as_str().unwrap().to_string())
            .collect()
    };
    let red_thread = red.thread.to_string();
    let clear_thread = clear.thread.to_string();
    for (actor, sees_red) in [
        (Actor::Anonymous, false),
        (Actor::Party("GB"), false),
        (Actor::Party("UA"), false),
        (Actor::Party("RU"), true),
        (Actor::Party("US"), true),
    ] {
        let (status, answer) =
            request(&node, actor, Method::GET, "/api/v1/checks", None, &[]).await;
        assert_eq!(status, StatusCode::OK, "{actor:?}");
        let threads = listed(&answer);
        assert_eq!(
            threads.contains(&red_thread),
            sees_red,
            "{actor:?}: {answer}"
        );
        assert!(threads.contains(&clear_thread), "{actor:?}: {answer}");
        assert!(
            !answer.to_string().contains(&red.id.to_string()),
            "{actor:?}"
        );
    }
    // A revoked token is refused, not read as a visitor.
    let (status, _) = request(
        &node,
        Actor::Token("rl_deadbeef_notatoken"),
        Method::GET,
        "/api/v1/checks",
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, results) = request(
        &node,
        Actor::Anonymous,
        Method::GET,
        "/api/v1/checks/results",
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let ru = results["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|party| party["party"] == "RU")
        .cloned();
    assert!(ru.is_none() || !ru.unwrap().to_string().contains(&red_thread));
}

/// Rule: a public key belongs to one party only (finding 16.10): rotating to another party's
/// key is refused and changes nothing; so is registering it for a new party.
#[tokio::test]
async fn a_party_cannot_take_another_partys_public_key() {
    let node = support::start().await;
    let ua_key = base64::engine::general_purpose::STANDARD
        .encode(support::key_of("UA").verifying_key().as_bytes());
    let (_, ru_before) = request(
        &node,
        Actor::Party("RU"),
        Method::GET,
        "/api/v1/parties/RU",
        None,
        &[],
    )
    .await;
    let ru_key_id = ru_before["keys"][0]["key_id"].as_str().unwrap().to_string();
    let (status, answer) = request(
        &node,
        Actor::Party("RU"),
        Method::POST,
        "/api/v1/parties/RU/keys/rotate",
        Some(&json!({ "public_key": ua_key, "old_key_id": ru_key_id, "reason": "probe" })),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("belongs to another party"),
        "{answer}"
    );
    let (_, ru_after) = request(
        &node,
        Actor::Party("RU"),
        Method::GET,
        "/api/v1/parties/RU",
        None,
        &[],
    )
    .await;
    assert_eq!(ru_before["keys"], ru_after["keys"]);
    // Another party cannot rotate RU's keys at all.
    let (status, _) = request(
        &node,
        Actor::Party("UA"),
        Method::POST,
        "/api/v1/parties/RU/keys/rotate",
        Some(&json!({ "public_key": ua_key, "old_key_id": ru_key_id, "reason": "probe" })),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The operator cannot register it for a new party either.
    let refused = node
        .node
        .add_party(
            &redline_node::Caller::Operator,
            redline_node::NewParty {
                id: PartyId::parse("FR").unwrap(),
                kind: redline_model::PartyKind::State,
                name: "France".into(),
                languages: vec!["fr".into()],
                public_keys: vec![ua_key],
            },
        )
        .await;
    assert!(
        matches!(refused, Err(redline_node::NodeError::Invalid(_))),
        "{refused:?}"
    );
}

fn assistance_request() -> MessageBody {
    MessageBody::AssistanceRequest(redline_hotline::message::AssistanceRequestBody {
        summary: "Responders needed at the grid operator".into(),
        needs: vec![],
    })
}

fn outcome(request: Uuid, kind: redline_hotline::RequestOutcomeKind) -> MessageBody {
    MessageBody::RequestOutcome(redline_hotline::message::RequestOutcomeBody {
        request,
        outcome: kind,
        reason: (kind == redline_hotline::RequestOutcomeKind::Declined)
            .then(|| "No capacity OUTCOME-SECRET-7Q".to_string()),
        done: None,
        not_done: None,
        summary: None,
    })
}

/// Rule: only a recipient of an assistance or mitigation request gives it an outcome, in the
/// request's own thread (`verify_message` rules 9 and 10): the requester itself, a party outside
/// the thread and a participant the request was not sent to are refused, and each refusal
/// stores nothing. The outcomes are read by the thread's participants only: another party and
/// an anonymous visitor are told nothing.
#[tokio::test]
async fn only_a_recipient_gives_an_outcome_and_only_the_threads_participants_read_it() {
    use redline_hotline::RequestOutcomeKind::{Accepted, Declined};
    let node = support::start().await;
    let thread = Uuid::new_v4();
    let asked = message(
        &node,
        "EE",
        &["UA"],
        thread,
        Tlp::Amber,
        assistance_request(),
    );
    let (status, _) = node.post_message(&asked).await;
    assert_eq!(status, StatusCode::CREATED);
    // GB joins the thread through a message addressed to it, but the request was not.
    let (status, _) = node
        .post_message(&message(
            &node,
            "EE",
            &["GB"],
            thread,
            Tlp::Amber,
            notification("For your information"),
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let messages_before = node
        .node
        .get_thread_view(&redline_node::Caller::Operator, thread)
        .await
        .unwrap()
        .messages
        .len();
    for (from, to, expected_status, code) in [
        (
            "EE",
            "UA",
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad-reference",
        ),
        (
            "GB",
            "EE",
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad-reference",
        ),
        (
            "RU",
            "EE",
            StatusCode::FORBIDDEN,
            "not-a-thread-participant",
        ),
    ] {
        let (status, body) = node
            .post_message(&message(
                &node,
                from,
                &[to],
                thread,
                Tlp::Amber,
                outcome(asked.id, Accepted),
            ))
            .await;
        assert_eq!(status, expected_status, "{from}: {body}");
        assert_eq!(body["error"]["code"], code, "{from}: {body}");
    }
    let after = node
        .node
        .get_thread_view(&redline_node::Caller::Operator, thread)
        .await
        .unwrap();
    assert_eq!(
        after.messages.len(),
        messages_before,
        "refusals store nothing"
    );
    assert_eq!(after.requests[0].recipients[0].outcome, None);

    // UA, the recipient, declines with a reason: its participants read it.
    let (status, body) = node
        .post_message(&message(
            &node,
            "UA",
            &["EE"],
            thread,
            Tlp::Amber,
            outcome(asked.id, Declined),
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let path = format!("/api/v1/threads/{thread}");
    let (status, view) = request(&node, Actor::Party("EE"), Method::GET, &path, None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["requests"][0]["recipients"][0]["outcome"], "declined");
    // Another party and an anonymous visitor learn nothing of it.
    let (status, body) = request(&node, Actor::Party("KP"), Method::GET, &path, None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.to_string().contains("OUTCOME-SECRET-7Q"));
    let (status, _) = request(&node, Actor::Anonymous, Method::GET, &path, None, &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let outcome_message = view["messages"].as_array().unwrap().last().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = request(
        &node,
        Actor::Party("KP"),
        Method::GET,
        &format!("/api/v1/messages/{outcome_message}"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Rule: an outcome signed with a revoked key is refused like any message (rule 2), and stores
/// nothing; a refused step of the outcome table names where the request stands.
#[tokio::test]
async fn a_revoked_keys_outcome_and_a_step_the_table_lacks_are_refused() {
    use redline_hotline::RequestOutcomeKind::{Accepted, Completed};
    let node = support::start().await;
    let thread = Uuid::new_v4();
    let asked = message(
        &node,
        "EE",
        &["US"],
        thread,
        Tlp::Green,
        assistance_request(),
    );
    assert_eq!(node.post_message(&asked).await.0, StatusCode::CREATED);
    // A step the table lacks: completed before accepted.
    let (status, body) = node
        .post_message(&message(
            &node,
            "US",
            &["EE"],
            thread,
            Tlp::Green,
            outcome(asked.id, Completed),
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "refused-outcome");
    assert_eq!(body["error"]["path"], "body.outcome");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("the first outcome is accepted or declined"),
        "{body}"
    );
    // US's key is revoked; an outcome signed with it is refused.
    let old_key = support::key_of("US");
    let key_id = redline_hotline::party_key_for(&old_key.verifying_key(), node.node.now()).key_id;
    node.node
        .revoke_party_key(
            &redline_node::Caller::Operator,
            &PartyId::parse("US").unwrap(),
            &key_id,
            "compromised",
        )
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let (status, body) = node
        .post_message(&message(
            &node,
            "US",
            &["EE"],
            thread,
            Tlp::Green,
            outcome(asked.id, Accepted),
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "revoked-key");
    let view = node
        .node
        .get_thread_view(&redline_node::Caller::Operator, thread)
        .await
        .unwrap();
    assert_eq!(view.messages.len(), 1);
    assert_eq!(view.requests[0].recipients[0].outcome, None);
}
