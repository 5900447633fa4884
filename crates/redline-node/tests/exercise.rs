#![allow(clippy::unwrap_used)]
//! A tabletop exercise played on a node (real SQLite store, real Ed25519 signatures, a fixed
//! clock): the shipped exercise `scenarios/exercises/baltic-grid-blackout.toml`, run by its
//! facilitator, with two scripted players. Finland acknowledges in time and chooses a
//! recommended rung; Latvia misses its acknowledgement deadline and chooses a rung above the
//! ceiling. The after-action report says exactly that, everything the exercise wrote is marked
//! exercise, and the public dashboard does not count the exercise incident.

use std::sync::Arc;

use base64::Engine;
use ed25519_dalek::SigningKey;
use redline_hotline::message::AcknowledgementBody;
use redline_hotline::{HotlineMessage, MessageBody, sign_message};
use redline_model::{IncidentId, PartyId, PartyKind, Timestamp, Tlp};
use redline_node::exercise::{
    NewDecision, render_html, render_html_in, render_markdown, render_markdown_in,
};
use redline_node::log::{LogConfig, NodeLog};
use redline_node::{Caller, FixedClock, NewParty, Node, NodeError};
use redline_store::{SqlStore, SqlStoreOptions};
use uuid::Uuid;

const EXERCISE: &str = include_str!("../../../scenarios/exercises/baltic-grid-blackout.toml");
const FILE: &str = "scenarios/exercises/baltic-grid-blackout.toml";

fn party(id: &str) -> PartyId {
    PartyId::parse(id).unwrap()
}

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn plus_minutes(time: Timestamp, minutes: i64) -> Timestamp {
    time.plus_seconds(minutes * 60).unwrap()
}

struct World {
    node: Node,
    clock: Arc<FixedClock>,
    keys: Vec<(PartyId, SigningKey)>,
    directory: tempfile::TempDir,
}

async fn world() -> World {
    let directory = tempfile::tempdir().unwrap();
    let store = SqlStore::open_sqlite_file(
        &directory.path().join("exercise.sqlite"),
        SqlStoreOptions::default(),
    )
    .await
    .unwrap();
    let clock = Arc::new(FixedClock::new(at("2026-11-22T09:00:00Z")));
    let node = Node::new(Arc::new(store), clock.clone());
    node.attach_log(
        NodeLog::open(LogConfig::new(
            directory.path().join("log"),
            "exercise.example/log",
            [9; 32],
        ))
        .unwrap(),
    )
    .await
    .unwrap();
    node.load_norms().await.unwrap();
    let mut keys = Vec::new();
    for (index, id) in ["EE", "FI", "LV"].into_iter().enumerate() {
        let signing_key = SigningKey::from_bytes(&[index as u8 + 11; 32]);
        let public = base64::engine::general_purpose::STANDARD
            .encode(signing_key.verifying_key().as_bytes());
        node.add_party(
            &Caller::Operator,
            NewParty {
                id: party(id),
                kind: PartyKind::State,
                name: format!("State {id}"),
                languages: vec![],
                public_keys: vec![public],
            },
        )
        .await
        .unwrap();
        keys.push((party(id), signing_key));
    }
    node.add_party(
        &Caller::Operator,
        NewParty {
            id: party("white-cell"),
            kind: PartyKind::Organisation,
            name: "Exercise control".into(),
            languages: vec![],
            public_keys: vec![],
        },
    )
    .await
    .unwrap();
    World {
        node,
        clock,
        keys,
        directory,
    }
}

impl World {
    fn key_of(&self, id: &PartyId) -> &SigningKey {
        &self.keys.iter().find(|(party, _)| party == id).unwrap().1
    }

    fn set_time(&self, time: Timestamp) {
        self.clock.set(time);
    }

    /// The facilitator's script: deliver every due inject, signing notifications with the
    /// sending party's key (the white cell plays that party).
    async fn deliver_due(&self, facilitator: &Caller, exercise: &str) -> Vec<String> {
        let mut delivered = Vec::new();
        loop {
            let due = self
                .node
                .exercise_due_injects(facilitator, exercise)
                .await
                .unwrap();
            let Some(next) = due.first() else {
                return delivered;
            };
            let envelope = next.payload.as_ref().map(|payload| {
                redline_hotline::sign_exercise_payload(
                    &next.kind,
                    &serde_json::to_vec(payload).unwrap(),
                    self.key_of(next.sign_as.as_ref().unwrap()),
                )
                .unwrap()
            });
            self.node
                .deliver_exercise_inject(facilitator, exercise, &next.id, envelope.as_deref())
                .await
                .unwrap();
            delivered.push(next.id.clone());
        }
    }

    /// Every entry of the node's log, decoded, once it holds every answered write.
    async fn log_entries(&self) -> Vec<serde_json::Value> {
        self.node.settle_log().await.unwrap();
        let log = self.node.log().unwrap();
        let size = log.checkpoint().unwrap().tree_size;
        let mut entries = Vec::new();
        let mut leaf = 0;
        while leaf < size {
            let address = redline_ledger::tiles::entry_bundle_for_leaf(leaf, size).unwrap();
            let bytes =
                std::fs::read(self.directory.path().join("log").join(address.path())).unwrap();
            let bundle = redline_ledger::tiles::parse_entry_bundle(&bytes).unwrap();
            leaf += bundle.len() as u64;
            entries.extend(
                bundle
                    .into_iter()
                    .map(|entry| serde_json::from_slice::<serde_json::Value>(entry).unwrap()),
            );
        }
        entries
    }
}

fn acknowledgement(
    from: &str,
    to: &PartyId,
    thread: Uuid,
    of: Uuid,
    now: Timestamp,
) -> HotlineMessage {
    HotlineMessage {
        id: Uuid::new_v4(),
        thread,
        from: party(from),
        to: vec![to.clone()],
        sent_at: now,
        incident: None,
        tlp: Tlp::Green,
        lang: "en".into(),
        exercise: true,
        body: MessageBody::Acknowledgement(AcknowledgementBody { of }),
    }
}

#[tokio::test]
async fn a_scenario_played_by_two_scripted_players_produces_the_after_action_report() {
    let world = world().await;
    let node = &world.node;
    let facilitator = Caller::Party(party("white-cell"));
    let finland = Caller::Party(party("FI"));
    let latvia = Caller::Party(party("LV"));
    let start = at("2026-11-22T10:00:00Z");

    // A player cannot run the exercise; the facilitator can, and nothing is due before the start.
    let refused = node
        .create_exercise(&finland, EXERCISE, FILE, Some(start), None)
        .await
        .unwrap_err();
    assert!(matches!(refused, NodeError::Forbidden(_)), "{refused}");
    let exercise = node
        .create_exercise(&facilitator, EXERCISE, FILE, Some(start), None)
        .await
        .unwrap();
    let id = exercise.id.clone();
    assert_eq!(exercise.injects.len(), 3);
    assert!(world.deliver_due(&facilitator, &id).await.is_empty());

    // 10:00: the incident inject becomes a real incident report, marked exercise.
    world.set_time(start);
    assert_eq!(world.deliver_due(&facilitator, &id).await, ["blackout"]);
    let view = node.get_exercise(&finland, &id).await.unwrap();
    let incident_id: IncidentId = view.injects[0]
        .delivered
        .as_ref()
        .unwrap()
        .incident
        .clone()
        .unwrap();
    let incident = node.get_incident(&finland, &incident_id).await.unwrap();
    assert!(incident.report.exercise);
    assert_ne!(incident.report.tlp, Tlp::Clear);
    assert_eq!(incident.report.first_observed, start);
    // Not due yet: the notification waits for 10:05.
    world.set_time(plus_minutes(start, 4));
    assert!(world.deliver_due(&facilitator, &id).await.is_empty());

    // 10:05: the notification injects become signed hotline messages from EE to FI and to LV.
    world.set_time(plus_minutes(start, 5));
    assert_eq!(
        world.deliver_due(&facilitator, &id).await,
        ["notify-finland", "notify-latvia"]
    );
    let view = node.get_exercise(&facilitator, &id).await.unwrap();
    let delivered = view.injects[1].delivered.clone().unwrap();
    let (thread, notification) = (delivered.thread.unwrap(), delivered.message.unwrap());
    let delivered = view.injects[2].delivered.clone().unwrap();
    let (latvia_thread, latvia_notification) =
        (delivered.thread.unwrap(), delivered.message.unwrap());
    // Delivering again is refused; the inject is stored once.
    let again = node
        .deliver_exercise_inject(&facilitator, &id, "notify-finland", None)
        .await
        .unwrap_err();
    assert!(matches!(again, NodeError::Conflict(_)), "{again}");

    // Each player receives its own; the standard form carries the exercise banner.
    for (player, message) in [(&finland, notification), (&latvia, latvia_notification)] {
        let form = node
            .render_message_form(player, message, &["en".to_string()])
            .await
            .unwrap();
        assert!(
            form.to_plain_text().starts_with("EXERCISE"),
            "{}",
            form.to_plain_text()
        );
    }
    let thread_view = node.get_thread_view(&finland, thread).await.unwrap();
    assert!(thread_view.thread.exercise);
    let acknowledge_by = thread_view.thread.acknowledge_by.unwrap();
    assert!(acknowledge_by > plus_minutes(start, 20));

    // Finland, 10:20: acknowledges in time (through the ordinary hotline use case) and chooses
    // the first recommended rung.
    world.set_time(plus_minutes(start, 20));
    let ack = acknowledgement(
        "FI",
        &party("EE"),
        thread,
        notification,
        plus_minutes(start, 20),
    );
    node.accept_message(&finland, &sign_message(&ack, world.key_of(&party("FI"))))
        .await
        .unwrap();
    // A message about an exercise incident that does not say exercise is refused.
    let mut unmarked = acknowledgement(
        "FI",
        &party("EE"),
        Uuid::new_v4(),
        notification,
        plus_minutes(start, 20),
    );
    unmarked.body = MessageBody::Notification(redline_hotline::message::NotificationBody {
        summary: "about the blackout".into(),
        severity_level: None,
        requested_actions: vec![],
    });
    unmarked.exercise = false;
    unmarked.incident = Some(incident_id.clone());
    let error = node
        .accept_message(
            &finland,
            &sign_message(&unmarked, world.key_of(&party("FI"))),
        )
        .await
        .unwrap_err();
    assert!(error.to_string().contains("exercise"), "{error}");

    let assessment: serde_json::Value = serde_json::from_str(
        &node
            .get_assessment_json(&finland, &incident_id)
            .await
            .unwrap(),
    )
    .unwrap();
    let ceiling = assessment["responses"]["ceiling"].as_u64().unwrap() as u32;
    let recommended = assessment["responses"]["recommended"][0]["rung"]
        .as_u64()
        .unwrap() as u32;
    let finland_decision = node
        .record_exercise_decision(
            &finland,
            &id,
            NewDecision {
                party: None,
                incident: incident_id.clone(),
                rung: recommended,
                note: "Observe, defend our own networks, offer our CERT's help.".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(finland_decision.verdict, "recommended");

    // Latvia never acknowledges. The clock passes the deadline and the scheduler fires it.
    world.set_time(plus_minutes(acknowledge_by, 1));
    assert_eq!(node.fire_due_deadlines().await.unwrap(), 1);
    let latvia_decision = node
        .record_exercise_decision(
            &latvia,
            &id,
            NewDecision {
                party: None,
                incident: incident_id.clone(),
                rung: ceiling + 1,
                note: "Expel their diplomats.".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(latvia_decision.verdict, "above-ceiling");
    // A player decides only for itself, only on the exercise's incidents, only on the ladder.
    let error = node
        .record_exercise_decision(
            &latvia,
            &id,
            NewDecision {
                party: Some(party("FI")),
                incident: incident_id.clone(),
                rung: 1,
                note: String::new(),
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(error, NodeError::Forbidden(_)), "{error}");
    let error = node
        .record_exercise_decision(
            &latvia,
            &id,
            NewDecision {
                party: None,
                incident: incident_id.clone(),
                rung: 99,
                note: String::new(),
            },
        )
        .await
        .unwrap_err();
    assert!(error.to_string().contains("not on the ladder"), "{error}");

    // The after-action report.
    let report = node.exercise_report(&facilitator, &id).await.unwrap();
    let fi = report
        .parties
        .iter()
        .find(|p| p.party == party("FI"))
        .unwrap();
    let lv = report
        .parties
        .iter()
        .find(|p| p.party == party("LV"))
        .unwrap();
    assert_eq!((fi.met, fi.late, fi.missed), (1, 0, 0), "{fi:?}");
    assert_eq!((lv.met, lv.late, lv.missed), (0, 0, 1), "{lv:?}");
    let lv_deadline = report
        .deadlines
        .iter()
        .find(|deadline| deadline.party == party("LV") && deadline.duty == "acknowledgement")
        .unwrap();
    assert_eq!(lv_deadline.outcome, "missed");
    assert_eq!(
        lv_deadline.overdue_at,
        Some(plus_minutes(acknowledge_by, 1))
    );
    assert_eq!(report.decisions.len(), 2);
    let markdown = render_markdown(&report);
    assert!(markdown.contains("FI chose rung"), "{markdown}");
    assert!(markdown.contains("within the recommendation"), "{markdown}");
    assert!(markdown.contains("above the ceiling"), "{markdown}");
    assert!(
        markdown.contains("acknowledgement of LV due by"),
        "{markdown}"
    );
    let html = render_html(&report);
    assert!(html.contains("<p class=\"banner\">EXERCISE"), "{html}");
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["exercise"], true);

    let redacted = markdown
        .replace(&id, "[exercise]")
        .replace(incident_id.as_str(), "[incident]")
        .replace(&thread.to_string(), "[thread FI]")
        .replace(&latvia_thread.to_string(), "[thread LV]");
    insta::assert_snapshot!("after_action_report", redacted);

    // The same report in French and Arabic (Markdown), and as an Arabic page, right to left:
    // the fixed words translated, everything recorded (titles, roles, the timeline) as written.
    let redact = |text: String| {
        text.replace(&id, "[exercise]")
            .replace(incident_id.as_str(), "[incident]")
            .replace(&thread.to_string(), "[thread FI]")
            .replace(&latvia_thread.to_string(), "[thread LV]")
    };
    for language in [
        redline_model::Language::French,
        redline_model::Language::Arabic,
    ] {
        let translated = render_markdown_in(&report, language);
        assert!(translated.contains("FI chose rung"), "{translated}");
        insta::assert_snapshot!(
            format!("after_action_report_{}", language.tag()),
            redact(translated)
        );
    }
    let arabic_page = render_html_in(&report, redline_model::Language::Arabic);
    assert!(
        arabic_page.contains("<html lang=\"ar\" dir=\"rtl\">"),
        "{arabic_page}"
    );
    insta::assert_snapshot!("after_action_report_ar_html", redact(arabic_page));

    // Everything the exercise wrote is marked exercise: the messages of its thread ...
    let mut messages = node
        .get_thread_view(&Caller::Operator, thread)
        .await
        .unwrap()
        .messages;
    messages.extend(
        node.get_thread_view(&Caller::Operator, latvia_thread)
            .await
            .unwrap()
            .messages,
    );
    assert_eq!(messages.len(), 3);
    assert!(messages.iter().all(|message| message.exercise));
    assert!(
        messages
            .iter()
            .all(|message| message.payload["exercise"] == true)
    );
    // ... and every log entry about the incident, the messages, the exercise and the decisions.
    let entries = world.log_entries().await;
    let exercise_subjects: Vec<String> = [
        id.clone(),
        incident_id.to_string(),
        finland_decision.id.to_string(),
        latvia_decision.id.to_string(),
    ]
    .into_iter()
    .chain(messages.iter().map(|message| message.id.to_string()))
    .collect();
    let marked: Vec<&serde_json::Value> = entries
        .iter()
        .filter(|entry| exercise_subjects.contains(&entry["subject"].as_str().unwrap().to_string()))
        .collect();
    // exercise-started, incident-submitted, assessment, three messages, two decisions
    assert_eq!(marked.len(), 8, "{marked:#?}");
    assert!(
        marked.iter().all(|entry| entry["exercise"] == true),
        "{marked:#?}"
    );
    // Real entries keep their exact bytes: no `exercise` field at all.
    let parties: Vec<&serde_json::Value> = entries
        .iter()
        .filter(|entry| entry["kind"] == "party-added")
        .collect();
    assert_eq!(parties.len(), 4);
    assert!(parties.iter().all(|entry| entry.get("exercise").is_none()));

    // The exercise incident cannot be turned into a real (or public) one.
    let mut report_json = serde_json::to_value(&incident.report).unwrap();
    report_json.as_object_mut().unwrap().remove("exercise");
    let error = node
        .update_incident_json(
            &Caller::Operator,
            &incident_id,
            &serde_json::to_vec(&report_json).unwrap(),
            None,
        )
        .await
        .unwrap_err();
    assert!(error.to_string().contains("exercise"), "{error}");
    report_json["exercise"] = true.into();
    report_json["tlp"] = "clear".into();
    let error = node
        .update_incident_json(
            &Caller::Operator,
            &incident_id,
            &serde_json::to_vec(&report_json).unwrap(),
            None,
        )
        .await
        .unwrap_err();
    assert!(error.to_string().contains("exercise"), "{error}");

    // The public dashboard does not count the exercise incident as real.
    let overview = node.public_overview().await.unwrap();
    assert_eq!(overview.public_incidents, 0);
    // Nor its notifications, acknowledged on time or missed, in the public hotline figures.
    assert!(
        overview
            .acknowledgements
            .as_ref()
            .is_none_or(|rate| rate.denominator == 0),
        "exercise notifications counted in the public figures: {:?}",
        overview.acknowledgements
    );
    assert!(
        node.public_scorecards()
            .await
            .unwrap()
            .iter()
            .all(|card| card
                .acknowledgements
                .as_ref()
                .is_none_or(|rate| rate.denominator == 0)),
        "exercise notifications counted in a public scorecard"
    );
    assert!(node.public_incident(&incident_id).await.is_err());
    node.close().await;
}

#[test]
fn exercise_files_are_refused_with_file_line_and_column() {
    use redline_node::exercise::ExerciseDefinition;
    let cases = [
        (
            EXERCISE.replace("at_minutes = 5", "at_minutes = -5"),
            "at_minutes must be between 0",
        ),
        (
            EXERCISE.replace("to = [\"LV\"]", "to = [\"LV\", \"SE\"]"),
            "every recipient must be another party of this exercise",
        ),
        (
            EXERCISE.replacen("incident = \"blackout\"", "incident = \"nothing\"", 1),
            "is not an incident inject listed earlier",
        ),
        (
            EXERCISE.replacen("kind = \"notification\"", "kind = \"rumour\"", 1),
            "unknown inject kind `rumour`",
        ),
        (
            EXERCISE.replace(
                "role = \"neighbour, player\"\n\n[[party]]",
                "rol = \"x\"\n\n[[party]]",
            ),
            "unknown field `rol`",
        ),
    ];
    for (text, expected) in cases {
        let error = ExerciseDefinition::parse(&text, FILE).unwrap_err();
        let shown = error.to_string();
        assert!(shown.starts_with(&format!("{FILE}:")), "{shown}");
        assert!(shown.contains(expected), "{shown}");
        assert!(error.line > 1, "{shown}");
    }
    // The report is checked against the contract at the time the inject is due.
    let clear = EXERCISE.replace("\"tlp\": \"green\"", "\"tlp\": \"clear\"");
    let definition = ExerciseDefinition::parse(&clear, FILE).unwrap();
    let error = definition
        .incident_report(&definition.injects[0], at("2026-11-22T10:00:00Z"))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("report.tlp: an exercise report cannot be `clear`"),
        "{error}"
    );
}
