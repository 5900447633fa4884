//! Notification subscriptions and their delivery log in the SQL store (migration 0012 on
//! SQLite, 0013 on PostgreSQL): `notification_subscriptions` (a party's webhooks and e-mail
//! addresses, each with a cursor over the party's hotline events), `notification_deliveries`
//! (one event for one subscription, claimed by one sender at a time) and
//! `notification_attempts` (every try, for the party's delivery log). Which events a
//! subscription gets, when to retry and who may read what are the node's decisions; the store
//! keeps the rows, moves a cursor only from the value the node read and claims only what no
//! live claim holds.

use async_trait::async_trait;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use redline_model::{PartyId, Timestamp};

use crate::StoreError;
use crate::sql_helpers::{classify, corrupt, timestamp_from_column};

/// A party's webhooks and e-mail addresses and what was sent to them.
#[async_trait]
pub trait NotificationStore: Send + Sync {
    /// Stores a new subscription, its cursor at the party's latest event (only later events
    /// notify; `after_event` is ignored); conflict if its id exists.
    async fn insert_notification_subscription(
        &self,
        subscription: &NotificationSubscription,
    ) -> Result<(), StoreError>;
    /// Marks a subscription removed at `at` and cancels its deliveries not yet made; not found
    /// if no subscription with this id is live.
    async fn remove_notification_subscription(
        &self,
        id: Uuid,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// A subscription by id, removed or not.
    async fn get_notification_subscription(
        &self,
        id: Uuid,
    ) -> Result<Option<NotificationSubscription>, StoreError>;
    /// The live subscriptions of `party` (of every party with `None`), oldest first.
    async fn list_notification_subscriptions(
        &self,
        party: Option<&PartyId>,
    ) -> Result<Vec<NotificationSubscription>, StoreError>;
    /// Creates deliveries and moves the subscription's cursor, only if the cursor is still
    /// `feed.expected_after` (another process may have fed it first: then nothing changes).
    async fn feed_notification_deliveries(&self, feed: &DeliveryFeed) -> Result<(), StoreError>;
    /// Claims up to `claim.limit` deliveries due at `claim.now` that no live claim holds, for
    /// `claim.claimed_by` until `claim.until`, and returns them with their subscriptions.
    async fn claim_notification_deliveries(
        &self,
        claim: &DeliveryClaim,
    ) -> Result<Vec<ClaimedDelivery>, StoreError>;
    /// Records one attempt and the delivery's new state, only while `claimed_by` holds it.
    async fn record_notification_attempt(&self, record: &AttemptRecord) -> Result<(), StoreError>;
    /// The newest deliveries of `party` (of every party with `None`) with every attempt.
    async fn list_notification_deliveries(
        &self,
        party: Option<&PartyId>,
        limit: u32,
    ) -> Result<Vec<NotificationDelivery>, StoreError>;
    /// When the earliest pending delivery is due.
    async fn next_notification_due(&self) -> Result<Option<Timestamp>, StoreError>;
}

redline_model::vocabulary! {
    /// Where a subscription sends.
    NotificationChannel {
        Webhook => "webhook",
        Email => "email",
    }
}

/// One webhook or e-mail address of a party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationSubscription {
    pub id: Uuid,
    pub party: PartyId,
    pub channel: NotificationChannel,
    /// The webhook's URL or the e-mail address.
    pub target: String,
    /// The event kinds it gets.
    pub event_kinds: Vec<String>,
    /// A webhook's HMAC key (hex); the node signs with it, nobody reads it back.
    pub secret: Option<String>,
    pub created_at: Timestamp,
    /// Events of the party up to this sequence have their deliveries.
    pub after_event: i64,
    pub removed_at: Option<Timestamp>,
}

/// A delivery to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    pub event_sequence: i64,
    pub event_kind: String,
}

/// Deliveries for the events of one subscription past its cursor, with the cursor's new value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryFeed {
    pub subscription_id: Uuid,
    pub party: PartyId,
    pub expected_after: i64,
    pub new_after: i64,
    pub deliveries: Vec<NewDelivery>,
    pub at: Timestamp,
}

/// Which deliveries a sender takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryClaim {
    /// Unique per pass of one sender.
    pub claimed_by: String,
    pub now: Timestamp,
    /// The claim lapses then (a sender that died leaves its deliveries to the next).
    pub until: Timestamp,
    pub limit: u32,
}

/// A claimed delivery with what sending it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedDelivery {
    pub delivery: NotificationDelivery,
    pub subscription: NotificationSubscription,
}

/// One try at a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAttempt {
    pub attempt: u32,
    pub attempted_at: Timestamp,
    /// `delivered` or `failed`.
    pub outcome: String,
    /// The HTTP status a webhook answered.
    pub status_code: Option<u16>,
    pub error: Option<String>,
}

/// An attempt and the delivery's state after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    pub delivery_id: i64,
    pub claimed_by: String,
    pub attempt: DeliveryAttempt,
    /// `delivered`, `pending` (tried again at `next_attempt_at`) or `failed` (for good).
    pub status: String,
    pub next_attempt_at: Timestamp,
}

/// A delivery as its log shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationDelivery {
    pub id: i64,
    pub subscription_id: Uuid,
    pub party: PartyId,
    pub event_sequence: i64,
    pub event_kind: String,
    /// `pending`, `delivered`, `failed` or `cancelled`.
    pub status: String,
    pub attempts: u32,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub delivered_at: Option<Timestamp>,
    /// Every attempt, oldest first.
    pub attempt_log: Vec<DeliveryAttempt>,
}

const SUBSCRIPTION_COLUMNS: &str =
    "id, party_id, channel, target, event_kinds, secret, created_at_us, after_event, removed_at_us";
const DELIVERY_COLUMNS: &str = "id, subscription_id, party_id, event_sequence, event_kind, status, attempts, next_attempt_at_us, last_error, created_at_us, delivered_at_us";

fn party_of(text: &str, what: &str) -> Result<PartyId, StoreError> {
    PartyId::parse(text).map_err(|error| corrupt(what, error))
}

fn subscription_from_row(row: &sqlx::any::AnyRow) -> Result<NotificationSubscription, StoreError> {
    let what = "notification subscription";
    let id: String = row.try_get("id")?;
    let channel: String = row.try_get("channel")?;
    let kinds: String = row.try_get("event_kinds")?;
    let removed: Option<i64> = row.try_get("removed_at_us")?;
    Ok(NotificationSubscription {
        id: Uuid::parse_str(&id).map_err(|error| corrupt(what, error))?,
        party: party_of(&row.try_get::<String, _>("party_id")?, what)?,
        channel: NotificationChannel::parse(&channel)
            .ok_or_else(|| corrupt(what, format!("unknown channel {channel:?}")))?,
        target: row.try_get("target")?,
        event_kinds: serde_json::from_str(&kinds).map_err(|error| corrupt(what, error))?,
        secret: row.try_get("secret")?,
        created_at: timestamp_from_column(what, row.try_get("created_at_us")?)?,
        after_event: row.try_get("after_event")?,
        removed_at: removed
            .map(|microseconds| timestamp_from_column(what, microseconds))
            .transpose()?,
    })
}

fn delivery_from_row(row: &sqlx::any::AnyRow) -> Result<NotificationDelivery, StoreError> {
    let what = "notification delivery";
    let subscription: String = row.try_get("subscription_id")?;
    let attempts: i64 = row.try_get("attempts")?;
    let delivered: Option<i64> = row.try_get("delivered_at_us")?;
    Ok(NotificationDelivery {
        id: row.try_get("id")?,
        subscription_id: Uuid::parse_str(&subscription).map_err(|error| corrupt(what, error))?,
        party: party_of(&row.try_get::<String, _>("party_id")?, what)?,
        event_sequence: row.try_get("event_sequence")?,
        event_kind: row.try_get("event_kind")?,
        status: row.try_get("status")?,
        attempts: u32::try_from(attempts).map_err(|error| corrupt(what, error))?,
        next_attempt_at: timestamp_from_column(what, row.try_get("next_attempt_at_us")?)?,
        last_error: row.try_get("last_error")?,
        created_at: timestamp_from_column(what, row.try_get("created_at_us")?)?,
        delivered_at: delivered
            .map(|microseconds| timestamp_from_column(what, microseconds))
            .transpose()?,
        attempt_log: Vec::new(),
    })
}

pub(crate) async fn insert_subscription(
    connection: &mut AnyConnection,
    subscription: &NotificationSubscription,
) -> Result<(), StoreError> {
    let kinds = serde_json::to_string(&subscription.event_kinds)
        .map_err(|error| corrupt("notification subscription", error))?;
    sqlx::query(
        "INSERT INTO notification_subscriptions (id, party_id, channel, target, event_kinds, secret, created_at_us, after_event, removed_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT COALESCE(MAX(sequence), 0) FROM hotline_events WHERE party_id = $2), NULL)",
    )
    .bind(subscription.id.to_string())
    .bind(subscription.party.as_str())
    .bind(subscription.channel.as_str())
    .bind(subscription.target.as_str())
    .bind(kinds)
    .bind(subscription.secret.clone())
    .bind(subscription.created_at.as_microseconds())
    .execute(&mut *connection)
    .await
    .map_err(|error| classify(error, || format!("notification subscription {}", subscription.id)))?;
    Ok(())
}

pub(crate) async fn remove_subscription(
    connection: &mut AnyConnection,
    id: Uuid,
    at: Timestamp,
) -> Result<(), StoreError> {
    let removed = sqlx::query(
        "UPDATE notification_subscriptions SET removed_at_us = $1 WHERE id = $2 AND removed_at_us IS NULL",
    )
    .bind(at.as_microseconds())
    .bind(id.to_string())
    .execute(&mut *connection)
    .await?;
    if removed.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!(
            "notification subscription {id}"
        )));
    }
    sqlx::query(
        "UPDATE notification_deliveries SET status = 'cancelled', claimed_by = NULL, claimed_until_us = NULL WHERE subscription_id = $1 AND status = 'pending'",
    )
    .bind(id.to_string())
    .execute(&mut *connection)
    .await?;
    Ok(())
}

pub(crate) async fn feed(
    connection: &mut AnyConnection,
    feed: &DeliveryFeed,
) -> Result<(), StoreError> {
    let moved = sqlx::query(
        "UPDATE notification_subscriptions SET after_event = $1 WHERE id = $2 AND after_event = $3 AND removed_at_us IS NULL",
    )
    .bind(feed.new_after)
    .bind(feed.subscription_id.to_string())
    .bind(feed.expected_after)
    .execute(&mut *connection)
    .await?;
    if moved.rows_affected() == 0 {
        // Fed by another process already, or removed: nothing to add.
        return Ok(());
    }
    for delivery in &feed.deliveries {
        sqlx::query(
            "INSERT INTO notification_deliveries (subscription_id, party_id, event_sequence, event_kind, status, attempts, next_attempt_at_us, claimed_by, claimed_until_us, last_error, created_at_us, delivered_at_us) VALUES ($1, $2, $3, $4, 'pending', 0, $5, NULL, NULL, NULL, $5, NULL) ON CONFLICT (subscription_id, event_sequence) DO NOTHING",
        )
        .bind(feed.subscription_id.to_string())
        .bind(feed.party.as_str())
        .bind(delivery.event_sequence)
        .bind(delivery.event_kind.as_str())
        .bind(feed.at.as_microseconds())
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

pub(crate) async fn claim(
    connection: &mut AnyConnection,
    claim: &DeliveryClaim,
) -> Result<(), StoreError> {
    // The outer conditions are checked again on the row itself: under PostgreSQL's read
    // committed, a row another transaction claimed meanwhile no longer qualifies.
    sqlx::query(
        "UPDATE notification_deliveries SET claimed_by = $1, claimed_until_us = $2 \
         WHERE status = 'pending' AND next_attempt_at_us <= $3 \
         AND (claimed_until_us IS NULL OR claimed_until_us <= $3) \
         AND id IN (SELECT id FROM notification_deliveries WHERE status = 'pending' \
         AND next_attempt_at_us <= $3 AND (claimed_until_us IS NULL OR claimed_until_us <= $3) \
         ORDER BY id LIMIT $4)",
    )
    .bind(claim.claimed_by.as_str())
    .bind(claim.until.as_microseconds())
    .bind(claim.now.as_microseconds())
    .bind(i64::from(claim.limit))
    .execute(&mut *connection)
    .await?;
    Ok(())
}

pub(crate) async fn record_attempt(
    connection: &mut AnyConnection,
    record: &AttemptRecord,
) -> Result<(), StoreError> {
    let attempt = &record.attempt;
    let delivered_at =
        (record.status == "delivered").then_some(attempt.attempted_at.as_microseconds());
    let updated = sqlx::query(
        "UPDATE notification_deliveries SET status = $1, attempts = $2, next_attempt_at_us = $3, last_error = $4, delivered_at_us = $5, claimed_by = NULL, claimed_until_us = NULL WHERE id = $6 AND claimed_by = $7",
    )
    .bind(record.status.as_str())
    .bind(i64::from(attempt.attempt))
    .bind(record.next_attempt_at.as_microseconds())
    .bind(attempt.error.clone())
    .bind(delivered_at)
    .bind(record.delivery_id)
    .bind(record.claimed_by.as_str())
    .execute(&mut *connection)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::Conflict(format!(
            "notification delivery {} is no longer claimed by this sender",
            record.delivery_id
        )));
    }
    sqlx::query(
        "INSERT INTO notification_attempts (delivery_id, attempt, attempted_at_us, outcome, status_code, error) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(record.delivery_id)
    .bind(i64::from(attempt.attempt))
    .bind(attempt.attempted_at.as_microseconds())
    .bind(attempt.outcome.as_str())
    .bind(attempt.status_code.map(i64::from))
    .bind(attempt.error.clone())
    .execute(&mut *connection)
    .await
    .map_err(|error| classify(error, || format!("attempt of notification delivery {}", record.delivery_id)))?;
    Ok(())
}

pub(crate) async fn get_subscription(
    pool: &sqlx::AnyPool,
    id: Uuid,
) -> Result<Option<NotificationSubscription>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM notification_subscriptions WHERE id = $1"
    )))
    .bind(id.to_string())
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(subscription_from_row).transpose()
}

pub(crate) async fn list_subscriptions(
    pool: &sqlx::AnyPool,
    party: Option<&PartyId>,
) -> Result<Vec<NotificationSubscription>, StoreError> {
    let rows = match party {
        Some(party) => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {SUBSCRIPTION_COLUMNS} FROM notification_subscriptions WHERE party_id = $1 AND removed_at_us IS NULL ORDER BY created_at_us, id"
            )))
            .bind(party.as_str())
            .fetch_all(pool)
            .await?
        }
        None => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {SUBSCRIPTION_COLUMNS} FROM notification_subscriptions WHERE removed_at_us IS NULL ORDER BY created_at_us, id"
            )))
            .fetch_all(pool)
            .await?
        }
    };
    rows.iter().map(subscription_from_row).collect()
}

async fn attach_attempts(
    pool: &sqlx::AnyPool,
    deliveries: &mut [NotificationDelivery],
) -> Result<(), StoreError> {
    for delivery in deliveries.iter_mut() {
        let rows = sqlx::query(
            "SELECT attempt, attempted_at_us, outcome, status_code, error FROM notification_attempts WHERE delivery_id = $1 ORDER BY attempt",
        )
        .bind(delivery.id)
        .fetch_all(pool)
        .await?;
        delivery.attempt_log = rows
            .iter()
            .map(|row| {
                let what = "notification attempt";
                let attempt: i64 = row.try_get("attempt")?;
                let status_code: Option<i64> = row.try_get("status_code")?;
                Ok(DeliveryAttempt {
                    attempt: u32::try_from(attempt).map_err(|error| corrupt(what, error))?,
                    attempted_at: timestamp_from_column(what, row.try_get("attempted_at_us")?)?,
                    outcome: row.try_get("outcome")?,
                    status_code: status_code.and_then(|code| u16::try_from(code).ok()),
                    error: row.try_get("error")?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
    }
    Ok(())
}

pub(crate) async fn claimed(
    pool: &sqlx::AnyPool,
    claimed_by: &str,
) -> Result<Vec<ClaimedDelivery>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DELIVERY_COLUMNS} FROM notification_deliveries WHERE claimed_by = $1 ORDER BY id"
    )))
    .bind(claimed_by)
    .fetch_all(pool)
    .await?;
    let mut claimed = Vec::with_capacity(rows.len());
    for row in &rows {
        let delivery = delivery_from_row(row)?;
        let subscription = get_subscription(pool, delivery.subscription_id)
            .await?
            .ok_or_else(|| {
                corrupt(
                    "notification delivery",
                    format!("subscription {} is missing", delivery.subscription_id),
                )
            })?;
        claimed.push(ClaimedDelivery {
            delivery,
            subscription,
        });
    }
    Ok(claimed)
}

pub(crate) async fn list_deliveries(
    pool: &sqlx::AnyPool,
    party: Option<&PartyId>,
    limit: u32,
) -> Result<Vec<NotificationDelivery>, StoreError> {
    let rows = match party {
        Some(party) => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {DELIVERY_COLUMNS} FROM notification_deliveries WHERE party_id = $1 ORDER BY id DESC LIMIT $2"
            )))
            .bind(party.as_str())
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        }
        None => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {DELIVERY_COLUMNS} FROM notification_deliveries ORDER BY id DESC LIMIT $1"
            )))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        }
    };
    let mut deliveries = rows
        .iter()
        .map(delivery_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    attach_attempts(pool, &mut deliveries).await?;
    Ok(deliveries)
}

pub(crate) async fn next_due(pool: &sqlx::AnyPool) -> Result<Option<Timestamp>, StoreError> {
    let due: Option<i64> = sqlx::query(
        "SELECT MIN(next_attempt_at_us) AS due FROM notification_deliveries WHERE status = 'pending'",
    )
    .fetch_one(pool)
    .await?
    .try_get("due")?;
    due.map(|microseconds| timestamp_from_column("notification delivery", microseconds))
        .transpose()
}
