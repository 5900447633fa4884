#![allow(clippy::unwrap_used)]
//! Duties kept and request outcomes at the node, on a real SQLite store with real Ed25519
//! signatures and the node's clock (a `FixedClock` the tests move) driving every deadline:
//!
//! - an assistance or mitigation request's outcomes follow the table, only from a recipient of
//!   a request of the same thread; a refused outcome (a wrong step, a decline without a reason,
//!   the requester's own, another thread's request, a notification, a revoked key) stores
//!   nothing; the thread shows where each recipient stands;
//! - each of the five duties — notify, acknowledge, initial reply, status update, answer to
//!   assistance — is met, late, missed (only once its deadline passed on the node's clock) or
//!   pending, per party and incident; exercises owe nothing; a party reads only its own.

use ed25519_dalek::SigningKey;
use redline_hotline::message::{
    AcknowledgementBody, AssistanceOfferBody, AssistanceRequestBody, MitigationRequestBody,
    NotificationBody, RequestOutcomeBody, ResponseBody,
};
use redline_hotline::{
    HotlineMessage, MessageBody, Rejection, RequestOutcomeKind, party_key_for, sign_message,
};
use redline_model::{IncidentId, Tlp};
use redline_node::commitments::HotlineDutyView;
use redline_node::{Caller, NodeError};
use uuid::Uuid;

mod support;

use support::{PartyNode as World, at, party};

const START: &str = "2026-12-01T10:00:00Z";

async fn world() -> World {
    World::of_states("duties.sqlite", START, &["EE", "FI", "LV", "UA", "RU"], 61).await
}

impl World {
    fn message(
        &self,
        from: &str,
        to: &[&str],
        thread: Uuid,
        incident: Option<&IncidentId>,
        body: MessageBody,
    ) -> HotlineMessage {
        HotlineMessage {
            id: Uuid::new_v4(),
            thread,
            from: party(from),
            to: to.iter().map(|id| party(id)).collect(),
            sent_at: self.node.now(),
            incident: incident.cloned(),
            tlp: Tlp::Amber,
            lang: "en".into(),
            exercise: false,
            body,
        }
    }

    /// Signs `message` with its sender's key and sends it as the sender.
    async fn send(&self, message: &HotlineMessage) -> Result<Uuid, NodeError> {
        self.send_signed_by(message, self.key_of(message.from.as_str()))
            .await
    }

    async fn send_signed_by(
        &self,
        message: &HotlineMessage,
        key: &SigningKey,
    ) -> Result<Uuid, NodeError> {
        let bytes = sign_message(message, key);
        self.node
            .accept_message(&Caller::Party(message.from.clone()), &bytes)
            .await
            .map(|accepted| accepted.id)
    }

    async fn messages_in(&self, thread: Uuid) -> usize {
        self.node
            .get_thread_view(&Caller::Operator, thread)
            .await
            .unwrap()
            .messages
            .len()
    }

    async fn duties_of(&self, id: &str) -> Vec<HotlineDutyView> {
        self.node
            .hotline_duties_of(&Caller::Party(party(id)), &party(id))
            .await
            .unwrap()
    }
}

fn outcome(request: Uuid, outcome: RequestOutcomeKind) -> MessageBody {
    use RequestOutcomeKind::{Declined, Partly};
    MessageBody::RequestOutcome(RequestOutcomeBody {
        request,
        outcome,
        reason: (outcome == Declined).then(|| "All responders are deployed at home.".to_string()),
        done: (outcome == Partly).then(|| "Two of three hosts are blocked.".to_string()),
        not_done: (outcome == Partly).then(|| "The third is a CDN address.".to_string()),
        summary: None,
    })
}

fn assistance_request() -> MessageBody {
    MessageBody::AssistanceRequest(AssistanceRequestBody {
        summary: "Our grid operator needs incident responders.".into(),
        needs: vec!["Two ICS forensic analysts".into()],
    })
}

/// The duties of `kind` as (counterpart or thread, outcome), in deadline order.
fn outcomes_of(duties: &[HotlineDutyView], kind: &str) -> Vec<String> {
    duties
        .iter()
        .filter(|duty| duty.duty == kind)
        .map(|duty| duty.outcome.clone())
        .collect()
}

#[tokio::test]
async fn request_outcomes_follow_the_table_only_from_recipients_of_a_request_of_the_thread() {
    let world = world().await;
    let thread = Uuid::new_v4();
    let request = world
        .send(&world.message("EE", &["FI", "LV"], thread, None, assistance_request()))
        .await
        .unwrap();
    let step = |from: &str, kind: RequestOutcomeKind| {
        world.message(from, &["EE"], thread, None, outcome(request, kind))
    };
    // LV: accepted, then partly, then completed — each a step of the table.
    world
        .send(&step("LV", RequestOutcomeKind::Accepted))
        .await
        .unwrap();
    let refused_steps = [RequestOutcomeKind::Accepted, RequestOutcomeKind::Declined];
    for kind in refused_steps {
        let before = world.messages_in(thread).await;
        let refusal = world.send(&step("LV", kind)).await.unwrap_err();
        assert!(
            matches!(
                &refusal,
                NodeError::Rejected(Rejection::RefusedOutcome { request: named, .. }) if *named == request
            ),
            "{kind:?}: {refusal}"
        );
        assert!(
            refusal
                .to_string()
                .contains("the next outcome is partly or completed"),
            "{refusal}"
        );
        assert_eq!(
            world.messages_in(thread).await,
            before,
            "a refusal stores nothing"
        );
    }
    world
        .send(&step("LV", RequestOutcomeKind::Partly))
        .await
        .unwrap();
    world
        .send(&step("LV", RequestOutcomeKind::Completed))
        .await
        .unwrap();
    let refusal = world
        .send(&step("LV", RequestOutcomeKind::Partly))
        .await
        .unwrap_err();
    assert!(refusal.to_string().contains("final"), "{refusal}");

    // FI may not decline without a reason; with one it may, and then nothing follows.
    let mut bare = step("FI", RequestOutcomeKind::Declined);
    if let MessageBody::RequestOutcome(body) = &mut bare.body {
        body.reason = None;
    }
    let refusal = world.send(&bare).await.unwrap_err();
    assert!(
        matches!(&refusal, NodeError::Rejected(Rejection::MalformedPayload { issues }) if issues[0].path == "body.reason"),
        "{refusal}"
    );
    world
        .send(&step("FI", RequestOutcomeKind::Declined))
        .await
        .unwrap();

    // The requester is no recipient of its own request; a party outside the thread is refused
    // before anything else; a notification or another thread's request takes no outcome.
    let refusal = world
        .send(&world.message(
            "EE",
            &["FI"],
            thread,
            None,
            outcome(request, RequestOutcomeKind::Accepted),
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(refusal, NodeError::Rejected(Rejection::BadReference { .. })),
        "{refusal}"
    );
    let refusal = world
        .send(&world.message(
            "UA",
            &["EE"],
            thread,
            None,
            outcome(request, RequestOutcomeKind::Accepted),
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(
            refusal,
            NodeError::Rejected(Rejection::NotAThreadParticipant { .. })
        ),
        "{refusal}"
    );
    let other_thread = Uuid::new_v4();
    let notice = world
        .send(&world.message(
            "EE",
            &["FI"],
            other_thread,
            None,
            MessageBody::Notification(NotificationBody {
                summary: "Scanning from your networks.".into(),
                severity_level: Some(1),
                requested_actions: vec![],
            }),
        ))
        .await
        .unwrap();
    let refusal = world
        .send(&world.message(
            "FI",
            &["EE"],
            other_thread,
            None,
            outcome(notice, RequestOutcomeKind::Accepted),
        ))
        .await
        .unwrap_err();
    assert!(
        refusal
            .to_string()
            .contains("not an assistance or mitigation request"),
        "{refusal}"
    );
    let refusal = world
        .send(&world.message(
            "FI",
            &["EE"],
            other_thread,
            None,
            outcome(request, RequestOutcomeKind::Accepted),
        ))
        .await
        .unwrap_err();
    assert!(refusal.to_string().contains("another thread"), "{refusal}");

    // The thread shows where each recipient stands, with the answer's deadline and the duty
    // that set it (the baseline has no assistance-answer duty: its initial reply, 72 h at
    // level 0).
    let view = world
        .node
        .get_thread_view(&Caller::Party(party("EE")), thread)
        .await
        .unwrap();
    assert_eq!(view.requests.len(), 1);
    let standing: Vec<(String, Option<RequestOutcomeKind>, usize)> = view.requests[0]
        .recipients
        .iter()
        .map(|recipient| {
            (
                recipient.party.to_string(),
                recipient.outcome,
                recipient.steps.len(),
            )
        })
        .collect();
    assert_eq!(
        standing,
        vec![
            ("FI".to_string(), Some(RequestOutcomeKind::Declined), 1),
            ("LV".to_string(), Some(RequestOutcomeKind::Completed), 3),
        ]
    );
    let lv = &view.requests[0].recipients[1];
    assert_eq!(lv.answer_duty, Some(redline_model::DutyKind::InitialReply));
    assert_eq!(lv.answer_by, Some(at("2026-12-04T10:00:00Z")));
    assert_eq!(
        view.requests[0].recipients[0].steps[0].reason.as_deref(),
        Some("All responders are deployed at home.")
    );
    // Its JSON carries the outcomes (the API's thread).
    let json = serde_json::to_value(&view).unwrap();
    assert_eq!(json["requests"][0]["recipients"][1]["outcome"], "completed");
    assert_eq!(
        json["requests"][0]["recipients"][1]["answer_duty"],
        "initial-reply"
    );
}

#[tokio::test]
async fn a_revoked_keys_outcome_is_refused_and_a_mitigation_request_takes_outcomes_too() {
    let world = world().await;
    let thread = Uuid::new_v4();
    let request = world
        .send(&world.message(
            "EE",
            &["RU"],
            thread,
            None,
            MessageBody::MitigationRequest(MitigationRequestBody {
                activity: "C2 traffic from AS64500".into(),
                from_territory_of: party("RU"),
                indicators: vec!["203.0.113.7".into()],
            }),
        ))
        .await
        .unwrap();
    let old_key = world.key_of("RU").clone();
    let key_id = party_key_for(&old_key.verifying_key(), world.node.now()).key_id;
    world
        .node
        .revoke_party_key(&Caller::Operator, &party("RU"), &key_id, "lost laptop")
        .await
        .unwrap();
    world.wait_hours(0.01);
    let message = world.message(
        "RU",
        &["EE"],
        thread,
        None,
        outcome(request, RequestOutcomeKind::Accepted),
    );
    let before = world.messages_in(thread).await;
    let refusal = world.send_signed_by(&message, &old_key).await.unwrap_err();
    assert!(
        matches!(refusal, NodeError::Rejected(Rejection::RevokedKey { .. })),
        "{refusal}"
    );
    assert_eq!(world.messages_in(thread).await, before);
    let view = world
        .node
        .get_thread_view(&Caller::Operator, thread)
        .await
        .unwrap();
    assert_eq!(view.requests[0].kind, "mitigation-request");
    assert_eq!(view.requests[0].recipients[0].outcome, None);
}

/// UA's report of an incident whose targets are in FI and LV as well: it owes both a
/// notification, within the baseline's notify duty at the incident's severity.
fn grid_outage_across_three_networks() -> serde_json::Value {
    serde_json::json!({
        "title": "Grid outage across three networks",
        "reported_by": "UA",
        "victim": "UA",
        "first_observed": "2026-11-30T08:00:00Z",
        "status": "confirmed",
        "tlp": "amber",
        "shared_with": ["FI", "LV"],
        "targets": [
            { "sector": "utilities", "country": "UA", "essential_service": true, "people_affected": 225000 },
            { "sector": "utilities", "country": "FI", "essential_service": true, "people_affected": 20000 },
            { "sector": "utilities", "country": "LV", "essential_service": true, "people_affected": 20000 }
        ],
        "effects": [
            { "kind": "disruption", "duration_hours": 30, "reversible": true, "scale": "international" },
            { "kind": "physical-damage", "scale": "national" }
        ],
        "access": "remote",
        "cross_border": true,
        "nciss": { "functional_impact": "denial-of-critical-services" }
    })
}

/// A node upgraded with incidents already in it: their notify duties are recorded as they
/// were owed when each was reported, met at the reporter's first notification, once.
#[tokio::test]
async fn notify_duties_of_incidents_from_before_the_upgrade_are_recorded_as_owed_then() {
    let world = world().await;
    let report = grid_outage_across_three_networks();
    let incident = world
        .node
        .submit_incident_json(&Caller::Party(party("UA")), report.to_string().as_bytes())
        .await
        .unwrap();
    // UA notifies FI an hour later, and LV never.
    world.wait_hours(1.0);
    let notification = MessageBody::Notification(NotificationBody {
        summary: "Breakers opened remotely.".into(),
        severity_level: None,
        requested_actions: vec![],
    });
    world
        .send(&world.message(
            "UA",
            &["FI"],
            Uuid::new_v4(),
            Some(&incident.id),
            notification,
        ))
        .await
        .unwrap();
    let store = world.node.store();
    let as_kept = store.notify_duty_rows(None).await.unwrap();
    assert_eq!(as_kept.len(), 2, "{as_kept:?}");
    assert!(as_kept.iter().any(|duty| duty.notified_at.is_some()));

    // The database as it was before the node kept notify duties.
    let database = world.directory.path().join("duties.sqlite");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", database.display()))
        .await
        .unwrap();
    sqlx::query("DELETE FROM incident_notify_duties")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert!(store.notify_duty_rows(None).await.unwrap().is_empty());

    // Only the operator backfills; then the duties are as they were kept, and once only.
    assert!(matches!(
        world
            .node
            .backfill_notify_duties(&Caller::Party(party("UA")))
            .await,
        Err(NodeError::Forbidden(_))
    ));
    assert_eq!(
        world
            .node
            .backfill_notify_duties(&Caller::Operator)
            .await
            .unwrap(),
        2
    );
    assert_eq!(store.notify_duty_rows(None).await.unwrap(), as_kept);
    assert_eq!(
        world
            .node
            .backfill_notify_duties(&Caller::Operator)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        outcomes_of(&world.duties_of("UA").await, "notify"),
        ["met", "pending"]
    );
}

#[tokio::test]
async fn every_duty_is_met_late_or_missed_per_party_and_incident_on_the_node_clock() {
    let world = world().await;
    // UA reports an incident whose targets are in FI and LV as well: it owes both a
    // notification, within the baseline's notify duty at the incident's severity.
    let report = grid_outage_across_three_networks();
    let incident = world
        .node
        .submit_incident_json(&Caller::Party(party("UA")), report.to_string().as_bytes())
        .await
        .unwrap();
    let assessment: serde_json::Value = serde_json::from_str(
        &world
            .node
            .get_assessment_json(&Caller::Party(party("UA")), &incident.id)
            .await
            .unwrap(),
    )
    .unwrap();
    let level = assessment["severity"]["level"].as_u64().unwrap();
    assert!(
        level >= 3,
        "the incident must reach the status-update duty: {assessment}"
    );
    // The baseline: notify within 24 h at level 3, 6 h from level 4; acknowledge within 2 h at
    // level 3, 1 h from 4; initial reply within 24 h; status updates every 72 h.
    let notify_hours = if level >= 4 { 6.0 } else { 24.0 };
    let acknowledge_hours = if level >= 4 { 1.0 } else { 2.0 };

    let notify = world.duties_of("UA").await;
    assert_eq!(outcomes_of(&notify, "notify"), ["pending", "pending"]);
    assert!(
        notify
            .iter()
            .all(|duty| duty.incident.as_deref() == Some(incident.id.as_str()))
    );

    // UA notifies FI at once (met); LV only later (late, once the clock passed the deadline).
    let thread = Uuid::new_v4();
    let notification = MessageBody::Notification(NotificationBody {
        summary: "Breakers opened remotely at three distribution companies.".into(),
        severity_level: None,
        requested_actions: vec![],
    });
    let opening = world
        .send(&world.message(
            "UA",
            &["FI"],
            thread,
            Some(&incident.id),
            notification.clone(),
        ))
        .await
        .unwrap();
    // FI acknowledges and answers in time; it is asked for assistance and offers it.
    world.wait_hours(acknowledge_hours / 2.0);
    world
        .send(&world.message(
            "FI",
            &["UA"],
            thread,
            None,
            MessageBody::Acknowledgement(AcknowledgementBody { of: opening }),
        ))
        .await
        .unwrap();
    let request = world
        .send(&world.message("UA", &["FI"], thread, None, assistance_request()))
        .await
        .unwrap();
    world.wait_hours(1.0);
    world
        .send(&world.message(
            "FI",
            &["UA"],
            thread,
            None,
            MessageBody::Response(ResponseBody {
                to: opening,
                text: "Our operator saw the same tooling; indicators follow.".into(),
            }),
        ))
        .await
        .unwrap();
    world
        .send(&world.message(
            "FI",
            &["UA"],
            thread,
            None,
            MessageBody::AssistanceOffer(AssistanceOfferBody {
                request: Some(request),
                offer: "One ICS analyst from tomorrow.".into(),
            }),
        ))
        .await
        .unwrap();
    // Before any deadline passes, nothing is missed.
    let lv = world.duties_of("LV").await;
    assert!(lv.iter().all(|duty| duty.outcome != "missed"), "{lv:?}");

    // Past the notify deadline: LV's notification is missed until UA sends it, then late.
    world.wait_hours(notify_hours + 1.0);
    let ua = world.duties_of("UA").await;
    let notify: Vec<(String, String)> = ua
        .iter()
        .filter(|duty| duty.duty == "notify")
        .map(|duty| {
            (
                duty.counterpart.as_ref().unwrap().to_string(),
                duty.outcome.clone(),
            )
        })
        .collect();
    assert_eq!(
        notify,
        [
            ("FI".to_string(), "met".to_string()),
            ("LV".to_string(), "missed".to_string())
        ]
    );
    let lv_thread = Uuid::new_v4();
    let late_notice = world
        .send(&world.message("UA", &["LV"], lv_thread, Some(&incident.id), notification))
        .await
        .unwrap();
    // UA asks LV for assistance too; LV acknowledges late and never replies nor answers.
    let lv_request = world
        .send(&world.message("UA", &["LV"], lv_thread, None, assistance_request()))
        .await
        .unwrap();
    world.wait_hours(acknowledge_hours + 1.0);
    world
        .send(&world.message(
            "LV",
            &["UA"],
            lv_thread,
            None,
            MessageBody::Acknowledgement(AcknowledgementBody { of: late_notice }),
        ))
        .await
        .unwrap();
    let ua = world.duties_of("UA").await;
    assert_eq!(outcomes_of(&ua, "notify"), ["met", "late"]);

    // Over six days on: every deadline of LV's thread has passed on the node's clock, and FI's
    // second status-update period (due 144 h after the thread opened) too.
    world.wait_hours(150.0);
    let fi = world.duties_of("FI").await;
    assert_eq!(outcomes_of(&fi, "acknowledge"), ["met"]);
    assert_eq!(outcomes_of(&fi, "initial-reply"), ["met"]);
    assert_eq!(outcomes_of(&fi, "assistance-answer"), ["met"]);
    // FI's updates fell in the first 72 h; the second period passed without one.
    assert_eq!(outcomes_of(&fi, "status-update")[..2], ["met", "missed"]);
    let answer = fi
        .iter()
        .find(|duty| duty.duty == "assistance-answer")
        .unwrap();
    assert_eq!(answer.request, Some(request));
    assert_eq!(answer.counterpart, Some(party("UA")));
    assert_eq!(answer.deadline_from.as_deref(), Some("initial-reply"));

    let lv = world.duties_of("LV").await;
    assert_eq!(outcomes_of(&lv, "acknowledge"), ["late"]);
    assert_eq!(outcomes_of(&lv, "initial-reply"), ["missed"]);
    assert_eq!(outcomes_of(&lv, "assistance-answer"), ["missed"]);
    assert_eq!(outcomes_of(&lv, "status-update")[0], "missed");
    // LV accepts late: the answer is late, and the record carries its outcome.
    world
        .send(&world.message(
            "LV",
            &["UA"],
            lv_thread,
            None,
            outcome(lv_request, RequestOutcomeKind::Accepted),
        ))
        .await
        .unwrap();
    let lv = world.duties_of("LV").await;
    let answer = lv
        .iter()
        .find(|duty| duty.duty == "assistance-answer")
        .unwrap();
    assert_eq!(answer.outcome, "late");
    assert_eq!(answer.request_outcome, Some(RequestOutcomeKind::Accepted));

    // The public record counts them by month and kind, naming no incident, thread or request.
    let comparison = world.node.commitments_comparison(None).await.unwrap();
    let kinds: std::collections::BTreeSet<&str> = comparison
        .duties_over_time
        .iter()
        .map(|count| count.duty.as_str())
        .collect();
    for kind in [
        "notify",
        "acknowledge",
        "initial-reply",
        "status-update",
        "assistance-answer",
    ] {
        assert!(kinds.contains(kind), "{kind} is not counted: {kinds:?}");
    }
    let public = serde_json::to_string(&comparison).unwrap();
    for secret in [
        incident.id.to_string(),
        thread.to_string(),
        lv_thread.to_string(),
        request.to_string(),
    ] {
        assert!(
            !public.contains(&secret),
            "the public record names {secret}"
        );
    }

    // A party reads only its own duties; the operator reads anyone's.
    assert!(matches!(
        world
            .node
            .hotline_duties_of(&Caller::Party(party("FI")), &party("LV"))
            .await,
        Err(NodeError::NotFound(_))
    ));
    assert_eq!(
        world
            .node
            .hotline_duties_of(&Caller::Operator, &party("LV"))
            .await
            .unwrap(),
        lv
    );
}

#[tokio::test]
async fn exercises_owe_no_duty() {
    let world = world().await;
    let thread = Uuid::new_v4();
    let mut request = world.message("EE", &["FI"], thread, None, assistance_request());
    request.exercise = true;
    let request_id = world.send(&request).await.unwrap();
    let mut answer = world.message(
        "FI",
        &["EE"],
        thread,
        None,
        outcome(request_id, RequestOutcomeKind::Accepted),
    );
    answer.exercise = true;
    world.send(&answer).await.unwrap();
    world.wait_hours(200.0);
    assert!(world.duties_of("FI").await.is_empty());
    assert!(world.duties_of("EE").await.is_empty());
    // The exercise's thread still shows the outcome to its participants.
    let view = world
        .node
        .get_thread_view(&Caller::Party(party("FI")), thread)
        .await
        .unwrap();
    assert_eq!(
        view.requests[0].recipients[0].outcome,
        Some(RequestOutcomeKind::Accepted)
    );
}
