#![allow(clippy::unwrap_used)]
//! The federation area of the store, the same checks on SQLite and PostgreSQL: a relay row is
//! idempotent per peer and subject and stays queued in id order until an attempt delivers it;
//! an item received twice is a conflict (so a relay applies once); a party's home is replaced by
//! a newer statement; a sync state and a peer checkpoint are replaced; a peer incident is
//! replaced only by a newer version; an alarm is kept once. Needs `TEST_POSTGRES_URL` for the
//! PostgreSQL half (`REQUIRE_POSTGRES=1` makes its absence a failure).

use redline_model::{Party, PartyId, PartyKind, Timestamp};
use redline_store::{
    FederationAlarm, FederationWrite, PartyHome, PeerCheckpoint, PeerIncident, PeerSyncState,
    RelayOutboxItem, Store, StoreError, StoreWrite,
};
use uuid::Uuid;

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_microseconds(1_800_000_000_000_000 + seconds * 1_000_000).unwrap()
}

fn federation(write: FederationWrite) -> StoreWrite {
    StoreWrite::Federation(Box::new(write))
}

async fn apply(store: &dyn Store, write: FederationWrite) -> Result<(), StoreError> {
    store
        .commit(vec![federation(write)], Vec::new())
        .await
        .map(|_| ())
}

fn relay(subject: &str, enqueued: i64) -> RelayOutboxItem {
    RelayOutboxItem {
        id: 0,
        peer: "south.test/log".into(),
        subject: subject.into(),
        thread_id: Uuid::nil(),
        body: format!("{{\"relay\":\"{subject}\"}}"),
        enqueued_at: at(enqueued),
        attempts: 0,
        next_attempt_at: at(enqueued),
        last_error: None,
        delivered_at: None,
    }
}

async fn check_federation(store: &dyn Store) {
    // The relay outbox: idempotent per subject, in id order, delivered once.
    for (subject, second) in [("message:a", 1), ("message:b", 2), ("message:a", 3)] {
        apply(store, FederationWrite::EnqueueRelay(relay(subject, second)))
            .await
            .unwrap();
    }
    let pending = store
        .pending_relay_items("south.test/log", 10)
        .await
        .unwrap();
    let subjects: Vec<&str> = pending.iter().map(|item| item.subject.as_str()).collect();
    assert_eq!(subjects, ["message:a", "message:b"]);
    assert_eq!(pending[0].enqueued_at, at(1), "the first enqueue stands");
    apply(
        store,
        FederationWrite::RecordRelayAttempt {
            id: pending[0].id,
            at: at(4),
            delivered: false,
            error: Some("refused".into()),
            next_attempt_at: at(6),
        },
    )
    .await
    .unwrap();
    let retried = store
        .pending_relay_items("south.test/log", 10)
        .await
        .unwrap();
    assert_eq!(retried[0].attempts, 1);
    assert_eq!(retried[0].next_attempt_at, at(6));
    assert_eq!(retried[0].last_error.as_deref(), Some("refused"));
    apply(
        store,
        FederationWrite::RecordRelayAttempt {
            id: pending[0].id,
            at: at(7),
            delivered: true,
            error: None,
            next_attempt_at: at(7),
        },
    )
    .await
    .unwrap();
    let left = store
        .pending_relay_items("south.test/log", 10)
        .await
        .unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].subject, "message:b");
    let figures = store.relay_figures(10).await.unwrap();
    assert_eq!(figures.len(), 1);
    assert_eq!((figures[0].pending, figures[0].delivered), (1, 1));
    assert_eq!(figures[0].recent_delays_us, vec![6_000_000]);
    assert_eq!(figures[0].oldest_pending_since, Some(at(2)));

    // The inbox: an item is received once.
    let received = FederationWrite::RecordRelayReceived {
        peer: "north.test/log".into(),
        subject: "message:c".into(),
        accepted_at: at(1),
        received_at: at(2),
    };
    apply(store, received.clone()).await.unwrap();
    assert!(matches!(
        apply(store, received).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(
        store
            .relay_inbox_contains("north.test/log", "message:c")
            .await
            .unwrap()
    );
    assert!(
        !store
            .relay_inbox_contains("north.test/log", "message:d")
            .await
            .unwrap()
    );

    // A party's home, replaced by a newer statement.
    let party = Party {
        id: PartyId::parse("LV").unwrap(),
        kind: PartyKind::State,
        name: "Latvia".into(),
        languages: vec![],
        keys: vec![],
        created_at: at(0),
    };
    store.insert_party(&party).await.unwrap();
    for (statement, second) in [("first", 1), ("second", 2)] {
        apply(
            store,
            FederationWrite::PutPartyHome(PartyHome {
                party: party.id.clone(),
                node: "west.test/log".into(),
                statement: statement.into(),
                updated_at: at(second),
            }),
        )
        .await
        .unwrap();
    }
    let homes = store.party_homes().await.unwrap();
    assert_eq!(homes.len(), 1);
    assert_eq!(homes[0].statement, "second");

    // Sync state and checkpoints: replaced.
    for objects in [3, 5] {
        apply(
            store,
            FederationWrite::PutPeerSyncState(PeerSyncState {
                peer: "north.test/log".into(),
                collection: "public-incidents".into(),
                added_after: Some(format!("2026-01-0{objects}T00:00:00Z")),
                objects,
                last_attempt_at: Some(at(objects as i64)),
                last_success_at: Some(at(objects as i64)),
                last_error: None,
            }),
        )
        .await
        .unwrap();
    }
    let states = store.peer_sync_states().await.unwrap();
    assert_eq!(states.len(), 1);
    assert_eq!(states[0].objects, 5);
    for size in [10u64, 12] {
        apply(
            store,
            FederationWrite::PutPeerCheckpoint(PeerCheckpoint {
                origin: "north.test/log".into(),
                tree_size: size,
                note: format!("note {size}"),
                seen_at: at(size as i64),
            }),
        )
        .await
        .unwrap();
    }
    let checkpoint = store
        .peer_checkpoint("north.test/log")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (checkpoint.tree_size, checkpoint.note.as_str()),
        (12, "note 12")
    );

    // Peer incidents: only a newer version replaces.
    let incident = |modified: &str, name: &str| PeerIncident {
        peer: "north.test/log".into(),
        stix_id: "incident--0a1b".into(),
        name: name.into(),
        modified: modified.into(),
        object: "{}".into(),
        synced_at: at(1),
    };
    for (modified, name) in [
        ("2026-01-02T00:00:00Z", "second"),
        ("2026-01-01T00:00:00Z", "first, late"),
    ] {
        apply(
            store,
            FederationWrite::PutPeerIncidents(vec![incident(modified, name)]),
        )
        .await
        .unwrap();
    }
    let incidents = store.peer_incidents(10).await.unwrap();
    assert_eq!(incidents.len(), 1);
    assert_eq!(incidents[0].name, "second");

    // An alarm is kept once.
    let alarm = FederationAlarm {
        origin: "north.test/log".into(),
        kind: "fork".into(),
        detail: "fork at 12".into(),
        first_note: "note a".into(),
        second_note: "note b".into(),
        reported_by: "south.test/log".into(),
        detected_at: at(9),
    };
    apply(store, FederationWrite::RaiseAlarm(alarm.clone()))
        .await
        .unwrap();
    apply(store, FederationWrite::RaiseAlarm(alarm.clone()))
        .await
        .unwrap();
    assert_eq!(store.federation_alarms().await.unwrap(), vec![alarm]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn federation_conformance_on_sqlite() {
    redline_store::testing::run_on_sqlite(check_federation).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn federation_conformance_on_postgres() {
    redline_store::testing::run_on_postgres("federation conformance", check_federation).await;
}
