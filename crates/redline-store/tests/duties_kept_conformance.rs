//! The store conformance suite for duties kept (migration SQLite 0016, PostgreSQL 0017): each
//! recipient's own first reply, the rows of assistance and mitigation requests with their
//! outcomes moved only from the outcome read, status-update times, and the reporter's notify
//! duties per affected party — the same checks against SQLite and PostgreSQL.
//!
//! PostgreSQL runs when `TEST_POSTGRES_URL` names a server we may create databases on; with
//! `REQUIRE_POSTGRES=1` (as in CI) a missing URL fails the suite instead of skipping it.
#![allow(clippy::unwrap_used)]

use redline_hotline::{MessageKind, RequestOutcomeKind, ThreadState};
use redline_model::{
    DutyKind, Incident, IncidentId, Party, PartyId, PartyKind, Timestamp, Tlp,
    parse_incident_report,
};
use redline_store::{
    HotlineRequestQuery, HotlineRequestRow, HotlineWrite, IncidentWrite, NotifiedParties,
    NotifyDutyRow, RequestAnswer, Store, StoreError, StoreWrite, StoredMessage, StoredThread,
    ThreadChange,
};
use uuid::Uuid;

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_microseconds(1_790_000_000_000_000 + seconds * 1_000_000).unwrap()
}

fn id(text: &str) -> PartyId {
    PartyId::parse(text).unwrap()
}

fn party(text: &str) -> Party {
    Party {
        id: id(text),
        kind: PartyKind::State,
        name: format!("Party {text}"),
        languages: vec!["en".into()],
        keys: Vec::new(),
        created_at: at(0),
    }
}

fn message(
    number: u128,
    thread: Uuid,
    from: &str,
    to: &[&str],
    kind: MessageKind,
    second: i64,
) -> StoredMessage {
    StoredMessage {
        sequence: 0,
        id: Uuid::from_u128(number),
        thread_id: thread,
        from: id(from),
        recipients: to.iter().map(|party| id(party)).collect(),
        kind: kind.as_str().to_string(),
        sent_at: at(second),
        received_at: at(second),
        incident_id: None,
        tlp: "amber".to_string(),
        exercise: false,
        envelope: format!(r#"{{"n":{number}}}"#),
    }
}

fn thread(number: u128, exercise: bool) -> StoredThread {
    StoredThread {
        id: Uuid::from_u128(number),
        opened_by: id("EE"),
        opening_message_id: Uuid::from_u128(number + 1),
        opening_kind: MessageKind::Notification,
        incident_id: Some("incident--00000000-0000-4000-8000-000000000001".to_string()),
        tlp: Tlp::Amber,
        exercise,
        state: ThreadState::Sent,
        severity_level: 3,
        norms_sha256: "a".repeat(64),
        opened_at: at(0),
        updated_at: at(0),
        acknowledge_by: Some(at(100)),
        respond_by: Some(at(1000)),
        delivered_at: None,
        acknowledged_at: None,
        answered_at: None,
        closed_at: None,
        acknowledgement_overdue_at: None,
        response_overdue_at: None,
        participants: vec![id("EE"), id("FI"), id("LV")],
    }
}

fn write(message: StoredMessage, thread: ThreadChange) -> HotlineWrite {
    HotlineWrite::of_message(message, thread, Vec::new())
}

/// The thread moved to `state` from `from`, nothing else changed.
fn moved(thread: &StoredThread, from: ThreadState, state: ThreadState) -> ThreadChange {
    ThreadChange::Update {
        thread: StoredThread {
            state,
            ..thread.clone()
        },
        expected_state: from,
    }
}

fn request_row(request: u128, party: &str, thread: &StoredThread) -> HotlineRequestRow {
    HotlineRequestRow {
        request_id: Uuid::from_u128(request),
        party: id(party),
        thread_id: thread.id,
        kind: MessageKind::AssistanceRequest,
        from: id("EE"),
        exercise: thread.exercise,
        requested_at: at(200),
        answer_by: Some(at(1200)),
        answer_duty: Some(DutyKind::InitialReply),
        answered_at: None,
        outcome: None,
        outcome_at: None,
    }
}

fn outcome(
    party: &str,
    second: i64,
    outcome: RequestOutcomeKind,
    expected: Option<RequestOutcomeKind>,
) -> RequestAnswer {
    RequestAnswer {
        request_id: Uuid::from_u128(50),
        party: id(party),
        at: at(second),
        outcome: Some((outcome, expected)),
    }
}

fn incident() -> Incident {
    let json = r#"{"title":"Grid outage","reported_by":"EE","victim":"EE",
        "first_observed":"2026-09-01T08:00:00Z","status":"confirmed","tlp":"amber",
        "targets":[{"sector":"energy","country":"LV"},{"sector":"energy","country":"FI"}],
        "effects":[{"kind":"disruption","duration_hours":2.5}]}"#;
    let mut report = parse_incident_report(json.as_bytes(), at(0)).unwrap();
    let incident_id = IncidentId::parse("incident--00000000-0000-4000-8000-000000000001").unwrap();
    report.id = Some(incident_id.clone());
    Incident {
        id: incident_id,
        version: 1,
        submitted_by: id("EE"),
        received_at: at(0),
        updated_at: at(0),
        report,
    }
}

async fn run_suite(store: &dyn Store) {
    for text in ["EE", "FI", "LV"] {
        store.insert_party(&party(text)).await.unwrap();
    }
    // The reporter's notify duties, written with the incident.
    let notify = |party: &str| NotifyDutyRow {
        incident_id: "incident--00000000-0000-4000-8000-000000000001".to_string(),
        party: id(party),
        reported_by: id("EE"),
        reported_at: at(0),
        severity_level: 3,
        due_at: at(86_400),
        notified_at: None,
    };
    store
        .commit(
            vec![
                StoreWrite::InsertIncident(IncidentWrite::new(incident())),
                StoreWrite::InsertNotifyDuties(vec![notify("FI"), notify("LV")]),
            ],
            Vec::new(),
        )
        .await
        .unwrap();

    // A thread EE opens with a notification to FI and LV: LV's duty to be notified is done;
    // FI's is done by a later notification; a notification by someone else does nothing.
    let opened = thread(10, false);
    let mut opening = message(11, opened.id, "EE", &["LV"], MessageKind::Notification, 10);
    opening.incident_id = opened.incident_id.clone();
    let mut first = write(opening, ThreadChange::Open(opened.clone()));
    first.notified = Some(NotifiedParties {
        incident_id: "incident--00000000-0000-4000-8000-000000000001".to_string(),
        reported_by: id("EE"),
        parties: vec![id("LV")],
        at: at(10),
    });
    store.apply_hotline_write(&first).await.unwrap();
    let mut by_other = write(
        message(
            12,
            opened.id,
            "LV",
            &["EE", "FI"],
            MessageKind::Notification,
            20,
        ),
        moved(&opened, ThreadState::Sent, ThreadState::Sent),
    );
    by_other.notified = Some(NotifiedParties {
        incident_id: "incident--00000000-0000-4000-8000-000000000001".to_string(),
        reported_by: id("LV"),
        parties: vec![id("EE"), id("FI")],
        at: at(20),
    });
    store.apply_hotline_write(&by_other).await.unwrap();
    let mut again = write(
        message(
            13,
            opened.id,
            "EE",
            &["FI", "LV"],
            MessageKind::Notification,
            30,
        ),
        moved(&opened, ThreadState::Sent, ThreadState::Sent),
    );
    again.notified = Some(NotifiedParties {
        incident_id: "incident--00000000-0000-4000-8000-000000000001".to_string(),
        reported_by: id("EE"),
        parties: vec![id("FI"), id("LV")],
        at: at(30),
    });
    store.apply_hotline_write(&again).await.unwrap();
    let notified: Vec<(String, Option<Timestamp>)> = store
        .notify_duty_rows(Some(&id("EE")))
        .await
        .unwrap()
        .into_iter()
        .map(|row| (row.party.to_string(), row.notified_at))
        .collect();
    assert_eq!(
        notified,
        vec![
            ("FI".to_string(), Some(at(30))),
            ("LV".to_string(), Some(at(10)))
        ]
    );
    assert!(
        store
            .notify_duty_rows(Some(&id("LV")))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.notify_duty_rows(None).await.unwrap().len(), 2);

    // What a backfill of notify duties reads: the reporter's notifications about an incident
    // (not another sender's, not those naming no incident), and the incidents with no notify
    // duty recorded, after a given row.
    let first_incident = "incident--00000000-0000-4000-8000-000000000001";
    let about: Vec<Uuid> = store
        .notifications_about_incident(first_incident, &id("EE"))
        .await
        .unwrap()
        .into_iter()
        .map(|message| message.id)
        .collect();
    assert_eq!(about, vec![Uuid::from_u128(11)]);
    assert!(
        store
            .notifications_about_incident(first_incident, &id("LV"))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .incidents_without_notify_duties(0, 100)
            .await
            .unwrap()
            .is_empty()
    );
    let mut earlier = incident();
    earlier.id = IncidentId::parse("incident--00000000-0000-4000-8000-000000000002").unwrap();
    earlier.report.id = Some(earlier.id.clone());
    store
        .commit(
            vec![StoreWrite::InsertIncident(IncidentWrite::new(earlier))],
            Vec::new(),
        )
        .await
        .unwrap();
    let without = store.incidents_without_notify_duties(0, 100).await.unwrap();
    assert_eq!(
        without
            .iter()
            .map(|(_, id)| id.as_str())
            .collect::<Vec<_>>(),
        ["incident--00000000-0000-4000-8000-000000000002"]
    );
    assert!(
        store
            .incidents_without_notify_duties(without[0].0, 100)
            .await
            .unwrap()
            .is_empty()
    );

    // LV answers first (its own initial reply), FI never does: the reply is per recipient.
    let mut answer = write(
        message(
            14,
            opened.id,
            "LV",
            &["EE", "FI"],
            MessageKind::Response,
            40,
        ),
        moved(&opened, ThreadState::Sent, ThreadState::Answered),
    );
    answer.answered_by = Some(id("LV"));
    store.apply_hotline_write(&answer).await.unwrap();
    let mut later = write(
        message(
            15,
            opened.id,
            "LV",
            &["EE", "FI"],
            MessageKind::Response,
            60,
        ),
        moved(&opened, ThreadState::Answered, ThreadState::Answered),
    );
    later.answered_by = Some(id("LV"));
    store.apply_hotline_write(&later).await.unwrap();
    let rows = store.hotline_duty_rows(None).await.unwrap();
    let replies: Vec<(String, Option<Timestamp>)> = rows
        .iter()
        .map(|row| (row.party.to_string(), row.answered_at))
        .collect();
    assert_eq!(
        replies,
        vec![("FI".to_string(), None), ("LV".to_string(), Some(at(40)))]
    );
    assert_eq!(rows[0].severity_level, 3);
    assert_eq!(rows[0].opening_kind, "notification");
    assert_eq!(rows[0].norms_sha256, "a".repeat(64));
    assert_eq!(rows[0].respond_by, Some(at(1000)));

    // An assistance request to FI and LV: one row per recipient with its answer deadline.
    let mut asked = write(
        message(
            50,
            opened.id,
            "EE",
            &["FI", "LV"],
            MessageKind::AssistanceRequest,
            200,
        ),
        moved(&opened, ThreadState::Answered, ThreadState::Answered),
    );
    asked.requests = vec![
        request_row(50, "FI", &opened),
        request_row(50, "LV", &opened),
    ];
    store.apply_hotline_write(&asked).await.unwrap();
    // The same request twice is a conflict and changes nothing.
    let mut twice = write(
        message(
            51,
            opened.id,
            "EE",
            &["FI"],
            MessageKind::AssistanceRequest,
            201,
        ),
        moved(&opened, ThreadState::Answered, ThreadState::Answered),
    );
    twice.requests = vec![request_row(50, "FI", &opened)];
    assert!(matches!(
        store.apply_hotline_write(&twice).await,
        Err(StoreError::Conflict(_))
    ));
    // LV accepts, then has done part; an outcome from a stale read is a conflict and changes
    // nothing; FI answers with an offer only.
    let step = |number: u128, party: &str, second: i64, answer: RequestAnswer| {
        let mut step = write(
            message(
                number,
                opened.id,
                party,
                &["EE"],
                MessageKind::RequestOutcome,
                second,
            ),
            moved(&opened, ThreadState::Answered, ThreadState::Answered),
        );
        step.request_answer = Some(answer);
        step
    };
    store
        .apply_hotline_write(&step(
            60,
            "LV",
            300,
            outcome("LV", 300, RequestOutcomeKind::Accepted, None),
        ))
        .await
        .unwrap();
    assert!(matches!(
        store
            .apply_hotline_write(&step(
                61,
                "LV",
                310,
                outcome("LV", 310, RequestOutcomeKind::Declined, None),
            ))
            .await,
        Err(StoreError::Conflict(_))
    ));
    store
        .apply_hotline_write(&step(
            62,
            "LV",
            400,
            outcome(
                "LV",
                400,
                RequestOutcomeKind::Partly,
                Some(RequestOutcomeKind::Accepted),
            ),
        ))
        .await
        .unwrap();
    let mut offered = write(
        message(
            63,
            opened.id,
            "FI",
            &["EE"],
            MessageKind::AssistanceOffer,
            500,
        ),
        moved(&opened, ThreadState::Answered, ThreadState::Answered),
    );
    offered.request_answer = Some(RequestAnswer {
        request_id: Uuid::from_u128(50),
        party: id("FI"),
        at: at(500),
        outcome: None,
    });
    store.apply_hotline_write(&offered).await.unwrap();
    let requests = store
        .list_hotline_requests(&HotlineRequestQuery {
            thread: Some(opened.id),
            ..Default::default()
        })
        .await
        .unwrap();
    let standing: Vec<(String, Option<Timestamp>, Option<RequestOutcomeKind>)> = requests
        .iter()
        .map(|row| (row.party.to_string(), row.answered_at, row.outcome))
        .collect();
    assert_eq!(
        standing,
        vec![
            ("FI".to_string(), Some(at(500)), None),
            (
                "LV".to_string(),
                Some(at(300)),
                Some(RequestOutcomeKind::Partly)
            ),
        ]
    );
    assert_eq!(requests[1].outcome_at, Some(at(400)));
    assert_eq!(requests[1].answer_duty, Some(DutyKind::InitialReply));
    assert_eq!(requests[1].kind, MessageKind::AssistanceRequest);
    let of_lv = store
        .list_hotline_requests(&HotlineRequestQuery {
            party: Some(id("LV")),
            request: Some(Uuid::from_u128(50)),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(of_lv.len(), 1);

    // Status updates: the recipients' responses, offers and outcomes, not the opener's.
    let updates: Vec<(String, Timestamp)> = store
        .status_update_times(None)
        .await
        .unwrap()
        .into_iter()
        .map(|update| (update.party.to_string(), update.at))
        .collect();
    assert_eq!(
        updates,
        vec![
            ("LV".to_string(), at(40)),
            ("LV".to_string(), at(60)),
            ("LV".to_string(), at(300)),
            ("LV".to_string(), at(400)),
            ("FI".to_string(), at(500)),
        ]
    );
    assert_eq!(
        store
            .status_update_times(Some(&id("FI")))
            .await
            .unwrap()
            .len(),
        1
    );

    // An exercise thread owes nothing: its rows are left out unless asked for.
    let exercise = thread(70, true);
    let mut drill = write(
        message(
            71,
            exercise.id,
            "EE",
            &["LV"],
            MessageKind::AssistanceRequest,
            600,
        ),
        ThreadChange::Open(exercise.clone()),
    );
    drill.message.as_mut().unwrap().exercise = true;
    drill.requests = vec![request_row(71, "LV", &exercise)];
    store.apply_hotline_write(&drill).await.unwrap();
    let mut drill_answer = write(
        message(72, exercise.id, "LV", &["EE"], MessageKind::Response, 610),
        moved(&exercise, ThreadState::Sent, ThreadState::Answered),
    );
    drill_answer.message.as_mut().unwrap().exercise = true;
    drill_answer.answered_by = Some(id("LV"));
    store.apply_hotline_write(&drill_answer).await.unwrap();
    assert_eq!(store.hotline_duty_rows(None).await.unwrap().len(), 2);
    assert_eq!(store.status_update_times(None).await.unwrap().len(), 5);
    let every = store
        .list_hotline_requests(&HotlineRequestQuery::default())
        .await
        .unwrap();
    assert_eq!(every.len(), 2);
    let with_exercises = store
        .list_hotline_requests(&HotlineRequestQuery {
            include_exercises: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(with_exercises.len(), 3);
    assert!(with_exercises[2].exercise);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duties_kept_conformance_on_sqlite() {
    redline_store::testing::run_on_sqlite(run_suite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duties_kept_conformance_on_postgres() {
    redline_store::testing::run_on_postgres("duties kept store suite", run_suite).await;
}
