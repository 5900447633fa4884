#![allow(clippy::unwrap_used)]
//! The hotline at the node, on a real SQLite store with real Ed25519 signatures: a thread
//! between three parties from notification to closure, a thread that turns overdue exactly once
//! with its reminder and alert, a communication check with a silent party, and every rejection
//! leaving nothing stored.

use base64::Engine;
use ed25519_dalek::SigningKey;
use redline_hotline::message::{
    AcknowledgementBody, CheckReplyBody, ClarificationRequestBody, ClosureBody,
    CommunicationCheckBody, NotificationBody, ResponseBody,
};
use redline_hotline::{HotlineMessage, MessageBody, sign_message};
use redline_model::{Timestamp, Tlp};
use redline_node::{Caller, Node, NodeError};
use uuid::Uuid;

mod support;

use support::{PartyNode as World, party};

async fn world() -> World {
    World::of_states(
        "hotline.sqlite",
        "2026-11-22T10:00:00Z",
        &["EE", "UA", "GB"],
        1,
    )
    .await
}

impl World {
    fn message(&self, from: &str, to: &[&str], thread: Uuid, body: MessageBody) -> HotlineMessage {
        HotlineMessage {
            id: Uuid::new_v4(),
            thread,
            from: party(from),
            to: to.iter().map(|id| party(id)).collect(),
            sent_at: self.clock_now(),
            incident: None,
            tlp: Tlp::Green,
            lang: "en".into(),
            exercise: false,
            body,
        }
    }

    fn clock_now(&self) -> Timestamp {
        redline_node::Clock::now(self.clock.as_ref())
    }

    async fn send(
        &self,
        message: &HotlineMessage,
    ) -> Result<redline_node::AcceptedMessage, NodeError> {
        let bytes = sign_message(message, self.key_of(message.from.as_str()));
        self.node
            .accept_message(&Caller::Party(message.from.clone()), &bytes)
            .await
    }

    async fn state_of(&self, thread: Uuid) -> String {
        self.node
            .get_thread_view(&Caller::Operator, thread)
            .await
            .unwrap()
            .thread
            .state
    }

    fn advance_to(&self, at: Timestamp) {
        self.clock.set(at);
    }
}

fn notification(summary: &str) -> MessageBody {
    MessageBody::Notification(NotificationBody {
        summary: summary.into(),
        severity_level: Some(3),
        requested_actions: vec![],
    })
}

#[tokio::test]
async fn a_thread_between_three_parties_runs_from_notification_to_closure() {
    let world = world().await;
    let thread = Uuid::new_v4();
    let notice = world.message("EE", &["UA"], thread, notification("grid outage"));
    let accepted = world.send(&notice).await.unwrap();
    assert_eq!(accepted.thread_state, "sent");
    assert!(accepted.acknowledge_by.is_some() && accepted.respond_by.is_some());

    // B receives it on its stream; receiving it is delivery.
    let events = world.node.list_events(&party("UA"), 0, 100).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, "message");
    assert_eq!(events[0].message, Some(notice.id));
    assert_eq!(world.state_of(thread).await, "delivered");
    // C is no participant: it sees nothing of the thread.
    assert!(
        world
            .node
            .list_events(&party("GB"), 0, 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        world
            .node
            .get_thread_view(&Caller::Party(party("GB")), thread)
            .await,
        Err(NodeError::NotFound(_))
    ));

    let acknowledgement = world.message(
        "UA",
        &["EE"],
        thread,
        MessageBody::Acknowledgement(AcknowledgementBody { of: notice.id }),
    );
    assert_eq!(
        world.send(&acknowledgement).await.unwrap().thread_state,
        "acknowledged"
    );
    let question = world.message(
        "UA",
        &["EE"],
        thread,
        MessageBody::ClarificationRequest(ClarificationRequestBody {
            questions: vec!["Which substations?".into()],
        }),
    );
    assert_eq!(
        world.send(&question).await.unwrap().thread_state,
        "acknowledged"
    );
    let answer = world.message(
        "EE",
        &["UA"],
        thread,
        MessageBody::Response(ResponseBody {
            to: question.id,
            text: "Three in the north.".into(),
        }),
    );
    // The opener's own reply does not count as the recipient's answer.
    assert_eq!(
        world.send(&answer).await.unwrap().thread_state,
        "acknowledged"
    );
    let response = world.message(
        "UA",
        &["EE"],
        thread,
        MessageBody::Response(ResponseBody {
            to: notice.id,
            text: "We are looking into it.".into(),
        }),
    );
    assert_eq!(
        world.send(&response).await.unwrap().thread_state,
        "answered"
    );
    let closure = world.message(
        "UA",
        &["EE"],
        thread,
        MessageBody::Closure(ClosureBody {
            reason: "resolved".into(),
        }),
    );
    assert_eq!(world.send(&closure).await.unwrap().thread_state, "closed");

    let view = world
        .node
        .get_thread_view(&Caller::Party(party("EE")), thread)
        .await
        .unwrap();
    assert_eq!(view.messages.len(), 6);
    assert!(view.thread.closed_at.is_some());
    // A closed thread takes nothing more.
    let late = world.message(
        "UA",
        &["EE"],
        thread,
        MessageBody::Response(ResponseBody {
            to: notice.id,
            text: "one more thing".into(),
        }),
    );
    assert!(matches!(
        world.send(&late).await,
        Err(NodeError::Conflict(_))
    ));

    // The stream replays from any event id, each event once and in order.
    let all = world.node.list_events(&party("EE"), 0, 100).await.unwrap();
    let after_second = world
        .node
        .list_events(&party("EE"), all[1].sequence, 100)
        .await
        .unwrap();
    assert_eq!(after_second.len(), all.len() - 2);
    assert!(
        all.windows(2)
            .all(|pair| pair[0].sequence < pair[1].sequence)
    );

    // The form in the recipient's language.
    let form = world
        .node
        .render_message_form(&Caller::Party(party("UA")), notice.id, &["ar".into()])
        .await
        .unwrap();
    assert_eq!(form.direction.as_html_dir(), "rtl");
}

#[tokio::test]
async fn an_unanswered_thread_turns_overdue_once_with_reminder_and_alert() {
    let world = world().await;
    let thread = Uuid::new_v4();
    let notice = world.message("EE", &["GB"], thread, notification("unanswered"));
    let accepted = world.send(&notice).await.unwrap();
    let acknowledge_by = accepted.acknowledge_by.unwrap();
    let respond_by = accepted.respond_by.unwrap();
    assert!(acknowledge_by < respond_by);

    // At the deadline instant the duty is still met.
    world.advance_to(acknowledge_by);
    assert_eq!(world.node.fire_due_deadlines().await.unwrap(), 0);
    assert_eq!(
        world.node.next_deadline().await.unwrap(),
        Some(acknowledge_by)
    );
    world.advance_to(Timestamp::from_microseconds(acknowledge_by.as_microseconds() + 1).unwrap());
    assert_eq!(world.node.fire_due_deadlines().await.unwrap(), 1);
    assert_eq!(world.state_of(thread).await, "acknowledgement-overdue");
    // Nothing fires twice.
    assert_eq!(world.node.fire_due_deadlines().await.unwrap(), 0);

    let recipient_events = world.node.list_events(&party("GB"), 0, 100).await.unwrap();
    let reminders: Vec<_> = recipient_events
        .iter()
        .filter(|event| event.kind == "reminder")
        .collect();
    assert_eq!(reminders.len(), 1);
    assert_eq!(reminders[0].detail["duty"], "acknowledgement");
    let sender_events = world.node.list_events(&party("EE"), 0, 100).await.unwrap();
    assert_eq!(
        sender_events
            .iter()
            .filter(|event| event.kind == "overdue-alert")
            .count(),
        1
    );

    world.advance_to(Timestamp::from_microseconds(respond_by.as_microseconds() + 1).unwrap());
    assert_eq!(world.node.fire_due_deadlines().await.unwrap(), 1);
    assert_eq!(world.state_of(thread).await, "response-overdue");
    assert_eq!(world.node.fire_due_deadlines().await.unwrap(), 0);
    assert_eq!(world.node.next_deadline().await.unwrap(), None);
}

#[tokio::test]
async fn a_communication_check_measures_each_party_and_names_the_silent_one() {
    let world = world().await;
    let thread = Uuid::new_v4();
    let check_id = Uuid::new_v4();
    let check = world.message(
        "EE",
        &["UA", "GB"],
        thread,
        MessageBody::CommunicationCheck(CommunicationCheckBody { check_id }),
    );
    world.send(&check).await.unwrap();
    world.advance_to(Timestamp::parse("2026-11-22T10:03:00Z").unwrap());
    let reply = world.message(
        "UA",
        &["EE"],
        thread,
        MessageBody::CheckReply(CheckReplyBody { check_id }),
    );
    world.send(&reply).await.unwrap();
    let status = world
        .node
        .get_communication_check(&Caller::Operator, check_id)
        .await
        .unwrap();
    let outcome = |id: &str| {
        status
            .targets
            .iter()
            .find(|target| target.party.as_str() == id)
            .unwrap()
            .outcome
            .clone()
    };
    assert_eq!(outcome("UA"), "answered");
    assert_eq!(outcome("GB"), "waiting");
    world.advance_to(Timestamp::from_microseconds(status.reply_by.as_microseconds() + 1).unwrap());
    let status = world
        .node
        .get_communication_check(&Caller::Operator, check_id)
        .await
        .unwrap();
    let ukraine = status
        .targets
        .iter()
        .find(|t| t.party.as_str() == "UA")
        .unwrap();
    assert_eq!(ukraine.reply_seconds, Some(180.0));
    assert_eq!(
        status
            .targets
            .iter()
            .find(|t| t.party.as_str() == "GB")
            .unwrap()
            .outcome,
        "silent"
    );
    let results = world.node.communication_check_results().await.unwrap();
    let of = |id: &str| results.iter().find(|row| row.party.as_str() == id).unwrap();
    assert_eq!((of("UA").checks_received, of("UA").answered), (1, 1));
    assert_eq!((of("GB").checks_received, of("GB").answered), (1, 0));
    // A party that was not asked cannot answer.
    let stranger = world.message(
        "GB",
        &["EE"],
        thread,
        MessageBody::CheckReply(CheckReplyBody { check_id }),
    );
    // GB was asked, so it may still answer late; the answer counts as late.
    world.send(&stranger).await.unwrap();
    let status = world
        .node
        .get_communication_check(&Caller::Operator, check_id)
        .await
        .unwrap();
    assert_eq!(
        status
            .targets
            .iter()
            .find(|t| t.party.as_str() == "GB")
            .unwrap()
            .outcome,
        "late"
    );
}

async fn assert_rejected_and_nothing_stored(
    world: &World,
    message: &HotlineMessage,
    bytes: Vec<u8>,
    sender: &str,
    code: &str,
) {
    // Reading events records delivery (a thread-state event), so count message events only.
    let message_events = || async {
        world
            .node
            .list_events(&party("UA"), 0, 1000)
            .await
            .unwrap()
            .iter()
            .filter(|event| event.kind == "message")
            .count()
    };
    let before = message_events().await;
    let result = world
        .node
        .accept_message(&Caller::Party(party(sender)), &bytes)
        .await;
    match result {
        Err(NodeError::Rejected(rejection)) => assert_eq!(rejection.code(), code, "{rejection}"),
        other => panic!("expected a {code} rejection, got {other:?}"),
    }
    assert!(
        world
            .node
            .get_message(&Caller::Operator, message.id)
            .await
            .is_err()
            || code == "replayed-message"
    );
    let after = message_events().await;
    assert_eq!(
        before, after,
        "a rejected message ({code}) left events behind"
    );
}

#[tokio::test]
async fn every_rejection_leaves_nothing_stored() {
    let world = world().await;
    let thread = Uuid::new_v4();

    // Tampered payload: the signature no longer covers it.
    let message = world.message("EE", &["UA"], thread, notification("original"));
    let signed = sign_message(&message, world.key_of("EE"));
    let mut envelope: serde_json::Value = serde_json::from_slice(&signed).unwrap();
    let tampered = HotlineMessage {
        body: notification("tampered"),
        ..message.clone()
    };
    envelope["payload"] = serde_json::Value::String(
        base64::engine::general_purpose::STANDARD.encode(tampered.to_json_bytes()),
    );
    assert_rejected_and_nothing_stored(
        &world,
        &message,
        serde_json::to_vec(&envelope).unwrap(),
        "EE",
        "bad-signature",
    )
    .await;

    // Each refused message, signed as it is sent, by whom it is sent, and its rejection.
    let stranger_key = SigningKey::from_bytes(&[99; 32]);
    let sent_at = |text: &str, at: &str| HotlineMessage {
        sent_at: Timestamp::parse(at).unwrap(),
        ..world.message("EE", &["UA"], thread, notification(text))
    };
    let refused: [(HotlineMessage, &SigningKey, &str, &str); 6] = [
        // Signed by a key nobody registered.
        (
            world.message("EE", &["UA"], thread, notification("unknown key")),
            &stranger_key,
            "EE",
            "unknown-key",
        ),
        // Signed with another party's key.
        (
            world.message("EE", &["UA"], thread, notification("other key")),
            world.key_of("GB"),
            "EE",
            "key-of-another-party",
        ),
        // The sender in the payload is not the signed-in party, who signed with its own key.
        (
            world.message("EE", &["UA"], thread, notification("impostor")),
            world.key_of("GB"),
            "GB",
            "sender-mismatch",
        ),
        // sent_at too old, and in the future.
        (
            sent_at("old", "2026-11-22T09:00:00Z"),
            world.key_of("EE"),
            "EE",
            "sent-too-long-ago",
        ),
        (
            sent_at("future", "2026-11-22T11:00:00Z"),
            world.key_of("EE"),
            "EE",
            "sent-in-the-future",
        ),
        // A recipient that does not exist.
        (
            world.message("EE", &["UA", "FR"], thread, notification("nobody")),
            world.key_of("EE"),
            "EE",
            "unknown-recipient",
        ),
    ];
    for (message, key, sender, code) in refused {
        let bytes = sign_message(&message, key);
        assert_rejected_and_nothing_stored(&world, &message, bytes, sender, code).await;
    }

    // A replayed id.
    let message = world.message("EE", &["UA"], thread, notification("first"));
    world.send(&message).await.unwrap();
    assert_rejected_and_nothing_stored(
        &world,
        &message,
        sign_message(&message, world.key_of("EE")),
        "EE",
        "replayed-message",
    )
    .await;

    // A reply into someone else's thread.
    let intruder = world.message(
        "GB",
        &["EE"],
        thread,
        MessageBody::Response(ResponseBody {
            to: message.id,
            text: "let me in".into(),
        }),
    );
    assert_rejected_and_nothing_stored(
        &world,
        &intruder,
        sign_message(&intruder, world.key_of("GB")),
        "GB",
        "not-a-thread-participant",
    )
    .await;

    // A key revoked: messages signed with it afterwards are refused.
    let key_id = {
        let party_record = world.node.get_party(&party("EE")).await.unwrap();
        party_record.keys[0].key_id.clone()
    };
    world
        .node
        .revoke_party_key(&Caller::Operator, &party("EE"), &key_id, "compromised")
        .await
        .unwrap();
    world.advance_to(Timestamp::parse("2026-11-22T10:00:01Z").unwrap());
    let message = world.message(
        "EE",
        &["UA"],
        Uuid::new_v4(),
        notification("after revocation"),
    );
    assert_rejected_and_nothing_stored(
        &world,
        &message,
        sign_message(&message, world.key_of("EE")),
        "EE",
        "revoked-key",
    )
    .await;
}

/// The scheduler loop itself (`run_deadline_scheduler`), running in real time against the
/// node's clock: it wakes for a deadline just after it passes, fires it once with the
/// reminder and the alert, fires a deadline that passed while no scheduler ran as soon as one
/// starts, and a restarted scheduler fires nothing again.
///
/// tokio's paused clock cannot drive this: with time paused, tokio advances the clock whenever
/// the runtime waits, including while SQLite's worker thread answers a query, so sqlx's pool
/// times out (`PoolTimedOut`). The node's clock is therefore a [`FixedClock`] moved by the test;
/// the scheduler sleeps in real time until the deadline by that clock (plus 1 ms), so with the
/// clock set just before a deadline it looks again every millisecond.
#[tokio::test]
async fn the_scheduler_loop_fires_each_deadline_once_and_survives_a_restart() {
    use std::time::Duration;
    let world = world().await;
    let node = world.node.clone();
    let thread = Uuid::new_v4();
    let notice = world.message("EE", &["GB"], thread, notification("nobody answers"));
    let accepted = world.send(&notice).await.unwrap();
    let acknowledge_by = accepted.acknowledge_by.unwrap();
    let respond_by = accepted.respond_by.unwrap();
    let just_before =
        |at: Timestamp| Timestamp::from_microseconds(at.as_microseconds() - 1).unwrap();
    let just_after =
        |at: Timestamp| Timestamp::from_microseconds(at.as_microseconds() + 1).unwrap();
    let count_of = |events: &[redline_node::EventView], kind: &str| {
        events.iter().filter(|event| event.kind == kind).count()
    };
    async fn wait_for(node: &Node, party_id: &str, kind: &str, count: usize) {
        let started = std::time::Instant::now();
        loop {
            let events = node.list_events(&party(party_id), 0, 1000).await.unwrap();
            if events.iter().filter(|event| event.kind == kind).count() >= count {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "no {kind} for {party_id} within 10 s"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    // A microsecond before the acknowledgement deadline the scheduler fires nothing.
    world.advance_to(just_before(acknowledge_by));
    let (stop_first, first_stopped) = tokio::sync::oneshot::channel::<()>();
    let first = tokio::spawn(node.clone().run_deadline_scheduler(async move {
        let _ = first_stopped.await;
    }));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let events = node.list_events(&party("GB"), 0, 1000).await.unwrap();
    assert_eq!(
        count_of(&events, "reminder"),
        0,
        "fired before the deadline"
    );
    assert_eq!(world.state_of(thread).await, "delivered");

    // Just after it, while the scheduler runs: one reminder for the recipient, one alert for
    // the sender, the thread overdue.
    world.advance_to(just_after(acknowledge_by));
    wait_for(&node, "GB", "reminder", 1).await;
    wait_for(&node, "EE", "overdue-alert", 1).await;
    assert_eq!(world.state_of(thread).await, "acknowledgement-overdue");
    let reminder = node
        .list_events(&party("GB"), 0, 1000)
        .await
        .unwrap()
        .into_iter()
        .find(|event| event.kind == "reminder")
        .unwrap();
    assert_eq!(reminder.created_at, just_after(acknowledge_by));
    assert_eq!(reminder.detail["duty"], "acknowledgement");

    // Stop the scheduler; the response deadline passes while none runs.
    stop_first.send(()).unwrap();
    first.await.unwrap();
    world.advance_to(just_after(respond_by));
    let events = node.list_events(&party("GB"), 0, 1000).await.unwrap();
    assert_eq!(count_of(&events, "reminder"), 1);

    // A new scheduler (a restart) fires the missed deadline at once, and the first one never
    // again.
    let (stop_second, second_stopped) = tokio::sync::oneshot::channel::<()>();
    let second = tokio::spawn(node.clone().run_deadline_scheduler(async move {
        let _ = second_stopped.await;
    }));
    wait_for(&node, "GB", "reminder", 2).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let recipient = node.list_events(&party("GB"), 0, 1000).await.unwrap();
    let sender = node.list_events(&party("EE"), 0, 1000).await.unwrap();
    assert_eq!(count_of(&recipient, "reminder"), 2);
    assert_eq!(count_of(&sender, "overdue-alert"), 2);
    assert_eq!(world.state_of(thread).await, "response-overdue");
    assert_eq!(node.next_deadline().await.unwrap(), None);
    stop_second.send(()).unwrap();
    second.await.unwrap();
}
