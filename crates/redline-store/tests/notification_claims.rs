//! Two notification senders over one PostgreSQL database (two stores, as two processes would
//! open it: a leader that has not yet noticed it lost, and the new one) claim deliveries at the
//! same time: each delivery is claimed by exactly one of them, and a subscription fed twice from
//! the same cursor gets its deliveries once. Needs PostgreSQL (`TEST_POSTGRES_URL`; with
//! `REQUIRE_POSTGRES=1` its absence fails the test).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use redline_model::{Party, PartyId, PartyKind, Timestamp};
use redline_store::{
    DeliveryClaim, DeliveryFeed, NewDelivery, NotificationChannel, NotificationStore,
    NotificationSubscription, PartyStore, SqlStore, SqlStoreOptions, Store,
};
use uuid::Uuid;

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_microseconds(1_790_000_000_000_000 + seconds * 1_000_000).unwrap()
}

const DELIVERIES: i64 = 300;

/// Claims in batches of 7 until nothing is left; the ids claimed.
async fn claim_all(store: &dyn Store, name: &str) -> Vec<i64> {
    let mut claimed = Vec::new();
    for pass in 0.. {
        let batch = store
            .claim_notification_deliveries(&DeliveryClaim {
                claimed_by: format!("{name}-{pass}"),
                now: at(2),
                until: at(600),
                limit: 7,
            })
            .await
            .unwrap();
        if batch.is_empty() {
            break;
        }
        claimed.extend(batch.into_iter().map(|claimed| claimed.delivery.id));
        tokio::task::yield_now().await;
    }
    claimed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_senders_never_claim_one_delivery_and_a_cursor_feeds_once() {
    let Some(url) = redline_store::testing::fresh_postgres_database("notification_claims")
        .await
        .unwrap()
    else {
        eprintln!("skipped: no PostgreSQL (set TEST_POSTGRES_URL)");
        return;
    };
    let first = SqlStore::open(&url, SqlStoreOptions::default())
        .await
        .unwrap();
    let second = SqlStore::open(&url, SqlStoreOptions::default())
        .await
        .unwrap();
    let party = PartyId::parse("EE").unwrap();
    first
        .insert_party(&Party {
            id: party.clone(),
            kind: PartyKind::State,
            name: "Estonia".into(),
            languages: vec!["en".into()],
            keys: Vec::new(),
            created_at: at(0),
        })
        .await
        .unwrap();
    let subscription = NotificationSubscription {
        id: Uuid::new_v4(),
        party: party.clone(),
        channel: NotificationChannel::Webhook,
        target: "https://receiver.example/hook".into(),
        event_kinds: vec!["message".into()],
        secret: Some("00".repeat(32)),
        created_at: at(0),
        after_event: 0,
        removed_at: None,
    };
    first
        .insert_notification_subscription(&subscription)
        .await
        .unwrap();
    let after_event = first
        .get_notification_subscription(subscription.id)
        .await
        .unwrap()
        .unwrap()
        .after_event;

    // Both feed the same events from the same cursor at once: one feed wins, none doubles.
    let feed = DeliveryFeed {
        subscription_id: subscription.id,
        party: party.clone(),
        expected_after: after_event,
        new_after: after_event + DELIVERIES,
        deliveries: (1..=DELIVERIES)
            .map(|offset| NewDelivery {
                event_sequence: after_event + offset,
                event_kind: "message".into(),
            })
            .collect(),
        at: at(1),
    };
    let (fed_first, fed_second) = tokio::join!(
        first.feed_notification_deliveries(&feed),
        second.feed_notification_deliveries(&feed)
    );
    fed_first.unwrap();
    fed_second.unwrap();
    assert_eq!(
        first
            .list_notification_deliveries(Some(&party), 1_000)
            .await
            .unwrap()
            .len(),
        DELIVERIES as usize
    );

    // Both claim, in small batches, until nothing is left.
    let (by_first, by_second) =
        tokio::join!(claim_all(&first, "first"), claim_all(&second, "second"));
    let first_set: BTreeSet<i64> = by_first.iter().copied().collect();
    let second_set: BTreeSet<i64> = by_second.iter().copied().collect();
    assert_eq!(
        first_set.len(),
        by_first.len(),
        "a sender claimed one delivery twice"
    );
    assert_eq!(
        second_set.len(),
        by_second.len(),
        "a sender claimed one delivery twice"
    );
    assert!(
        first_set.is_disjoint(&second_set),
        "claimed by both: {:?}",
        first_set.intersection(&second_set).collect::<Vec<_>>()
    );
    assert_eq!(first_set.len() + second_set.len(), DELIVERIES as usize);
    assert!(
        !by_first.is_empty() && !by_second.is_empty(),
        "one sender took everything ({} and {}): the race was not exercised",
        by_first.len(),
        by_second.len()
    );
    first.close().await;
    second.close().await;
}
