//! Federation between nodes in the SQL store (migration 0015 on SQLite, 0016 on PostgreSQL):
//! parties homed on peers (`party_homes`, with the peer's signed statement), the relay outbox
//! and inbox, the resumable sync of peers' TAXII collections, public incidents synced from
//! peers, the latest checkpoint of each peer's log and the alarms raised about peers' logs.
//! Whom to relay to, what a statement means and when a log forked are the core's and the node's
//! decisions; the store keeps the rows. Every change is a [`FederationWrite`], applied in the
//! writer's transaction (a relay row in the same transaction as the message it carries).

use async_trait::async_trait;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use redline_model::{PartyId, Timestamp};

use crate::StoreError;
use crate::sql_helpers::{classify, corrupt, timestamp_from_column};

/// What the store keeps of federation.
#[async_trait]
pub trait FederationStore: Send + Sync {
    /// Every party homed on a peer, with its home node.
    async fn party_homes(&self) -> Result<Vec<PartyHome>, StoreError>;
    /// The next relay items for `peer` not yet delivered, oldest first.
    async fn pending_relay_items(
        &self,
        peer: &str,
        limit: u32,
    ) -> Result<Vec<RelayOutboxItem>, StoreError>;
    /// Whether an item with this subject from `peer` was accepted already.
    async fn relay_inbox_contains(&self, peer: &str, subject: &str) -> Result<bool, StoreError>;
    /// The relay's figures per peer: pending, delivered, delays of the latest deliveries.
    async fn relay_figures(&self, recent: u32) -> Result<Vec<RelayFigures>, StoreError>;
    /// The sync state of every peer collection.
    async fn peer_sync_states(&self) -> Result<Vec<PeerSyncState>, StoreError>;
    /// Public incidents synced from peers, newest first.
    async fn peer_incidents(&self, limit: u32) -> Result<Vec<PeerIncident>, StoreError>;
    /// The latest checkpoint of `origin` this node checked.
    async fn peer_checkpoint(&self, origin: &str) -> Result<Option<PeerCheckpoint>, StoreError>;
    /// Every peer checkpoint this node checked.
    async fn peer_checkpoints(&self) -> Result<Vec<PeerCheckpoint>, StoreError>;
    /// The alarms about peers' logs, newest first.
    async fn federation_alarms(&self) -> Result<Vec<FederationAlarm>, StoreError>;
}

/// A party homed on a peer node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyHome {
    pub party: PartyId,
    /// The home node's name (its log origin).
    pub node: String,
    /// The node's signed statement, verbatim.
    pub statement: String,
    pub updated_at: Timestamp,
}

/// One item to relay to a peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayOutboxItem {
    /// Assigned by the store (0 when enqueuing).
    pub id: i64,
    pub peer: String,
    /// `message:<id>` or `delivery:<message id>:<party>`: one per peer.
    pub subject: String,
    pub thread_id: Uuid,
    /// The signed relay envelope.
    pub body: String,
    pub enqueued_at: Timestamp,
    pub attempts: u32,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
    pub delivered_at: Option<Timestamp>,
}

/// How the relay to one peer is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayFigures {
    pub peer: String,
    pub pending: u64,
    pub delivered: u64,
    pub oldest_pending_since: Option<Timestamp>,
    pub last_error: Option<String>,
    pub last_delivered_at: Option<Timestamp>,
    /// Enqueue-to-delivery delays of the latest deliveries, in microseconds.
    pub recent_delays_us: Vec<i64>,
}

/// The resumable sync of one peer collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerSyncState {
    pub peer: String,
    pub collection: String,
    /// The TAXII `X-TAXII-Date-Added-Last` reached: the next pull asks for what came after.
    pub added_after: Option<String>,
    pub objects: u64,
    pub last_attempt_at: Option<Timestamp>,
    pub last_success_at: Option<Timestamp>,
    pub last_error: Option<String>,
}

/// A public incident synced from a peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerIncident {
    pub peer: String,
    pub stix_id: String,
    pub name: String,
    pub modified: String,
    /// The STIX object, verbatim.
    pub object: String,
    pub synced_at: Timestamp,
}

/// The latest checkpoint of a peer's log this node checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerCheckpoint {
    pub origin: String,
    pub tree_size: u64,
    pub note: String,
    pub seen_at: Timestamp,
}

/// A peer log's rollback, fork or split view, with the two signed notes that show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederationAlarm {
    pub origin: String,
    /// `split-view`, `fork` or `rollback`.
    pub kind: String,
    pub detail: String,
    pub first_note: String,
    pub second_note: String,
    /// Which node saw the other checkpoint (this node's name when it saw both itself).
    pub reported_by: String,
    pub detected_at: Timestamp,
}

/// A change to federation records.
#[derive(Debug, Clone)]
pub enum FederationWrite {
    /// Marks `party` homed on `node`, replacing the statement kept.
    PutPartyHome(PartyHome),
    /// An item to relay (in the transaction of the record it carries); nothing if the peer has
    /// this subject already.
    EnqueueRelay(RelayOutboxItem),
    /// An item accepted from a peer; conflict if it was accepted before.
    RecordRelayReceived {
        peer: String,
        subject: String,
        accepted_at: Timestamp,
        received_at: Timestamp,
    },
    /// One attempt to relay an item: delivered, or to try again at `next_attempt_at`.
    RecordRelayAttempt {
        id: i64,
        at: Timestamp,
        delivered: bool,
        error: Option<String>,
        next_attempt_at: Timestamp,
    },
    PutPeerSyncState(PeerSyncState),
    PutPeerIncidents(Vec<PeerIncident>),
    PutPeerCheckpoint(PeerCheckpoint),
    /// Nothing if the same alarm (origin, kind, notes) is kept already.
    RaiseAlarm(FederationAlarm),
}

pub(crate) async fn apply(
    connection: &mut AnyConnection,
    write: &FederationWrite,
) -> Result<(), StoreError> {
    match write {
        FederationWrite::PutPartyHome(home) => put_party_home(connection, home).await,
        FederationWrite::EnqueueRelay(item) => enqueue_relay(connection, item).await,
        FederationWrite::RecordRelayReceived {
            peer,
            subject,
            accepted_at,
            received_at,
        } => {
            sqlx::query(
                "INSERT INTO relay_inbox (peer, subject, accepted_at_us, received_at_us) VALUES ($1, $2, $3, $4)",
            )
            .bind(peer.as_str())
            .bind(subject.as_str())
            .bind(accepted_at.as_microseconds())
            .bind(received_at.as_microseconds())
            .execute(&mut *connection)
            .await
            .map_err(|error| classify(error, || format!("relayed {subject} from {peer}")))?;
            Ok(())
        }
        FederationWrite::RecordRelayAttempt {
            id,
            at,
            delivered,
            error,
            next_attempt_at,
        } => {
            sqlx::query(
                "UPDATE relay_outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at_us = $2, delivered_at_us = $3 WHERE id = $4 AND delivered_at_us IS NULL",
            )
            .bind(error.clone())
            .bind(next_attempt_at.as_microseconds())
            .bind(delivered.then_some(at.as_microseconds()))
            .bind(*id)
            .execute(&mut *connection)
            .await?;
            Ok(())
        }
        FederationWrite::PutPeerSyncState(state) => put_peer_sync_state(connection, state).await,
        FederationWrite::PutPeerIncidents(incidents) => {
            for incident in incidents {
                put_peer_incident(connection, incident).await?;
            }
            Ok(())
        }
        FederationWrite::PutPeerCheckpoint(checkpoint) => {
            sqlx::query(
                "INSERT INTO peer_checkpoints (origin, tree_size, note, seen_at_us) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (origin) DO UPDATE SET tree_size = excluded.tree_size, note = excluded.note, seen_at_us = excluded.seen_at_us",
            )
            .bind(checkpoint.origin.as_str())
            .bind(size_column(checkpoint.tree_size)?)
            .bind(checkpoint.note.as_str())
            .bind(checkpoint.seen_at.as_microseconds())
            .execute(&mut *connection)
            .await?;
            Ok(())
        }
        FederationWrite::RaiseAlarm(alarm) => {
            sqlx::query(
                "INSERT INTO federation_alarms (origin, kind, detail, first_note, second_note, reported_by, detected_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (origin, kind, first_note, second_note) DO NOTHING",
            )
            .bind(alarm.origin.as_str())
            .bind(alarm.kind.as_str())
            .bind(alarm.detail.as_str())
            .bind(alarm.first_note.as_str())
            .bind(alarm.second_note.as_str())
            .bind(alarm.reported_by.as_str())
            .bind(alarm.detected_at.as_microseconds())
            .execute(&mut *connection)
            .await?;
            Ok(())
        }
    }
}

fn size_column(size: u64) -> Result<i64, StoreError> {
    i64::try_from(size).map_err(|_| corrupt("peer checkpoint", "tree size too large"))
}

async fn put_party_home(
    connection: &mut AnyConnection,
    home: &PartyHome,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO party_homes (party_id, node, statement, updated_at_us) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (party_id) DO UPDATE SET node = excluded.node, statement = excluded.statement, updated_at_us = excluded.updated_at_us",
    )
    .bind(home.party.as_str())
    .bind(home.node.as_str())
    .bind(home.statement.as_str())
    .bind(home.updated_at.as_microseconds())
    .execute(&mut *connection)
    .await
    .map_err(|error| classify(error, || format!("home of party {}", home.party)))?;
    Ok(())
}

async fn enqueue_relay(
    connection: &mut AnyConnection,
    item: &RelayOutboxItem,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO relay_outbox (peer, subject, thread_id, body, enqueued_at_us, attempts, next_attempt_at_us, last_error, delivered_at_us) \
         VALUES ($1, $2, $3, $4, $5, 0, $5, NULL, NULL) ON CONFLICT (peer, subject) DO NOTHING",
    )
    .bind(item.peer.as_str())
    .bind(item.subject.as_str())
    .bind(item.thread_id.to_string())
    .bind(item.body.as_str())
    .bind(item.enqueued_at.as_microseconds())
    .execute(&mut *connection)
    .await?;
    Ok(())
}

async fn put_peer_sync_state(
    connection: &mut AnyConnection,
    state: &PeerSyncState,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO peer_sync (peer, collection, added_after, objects, last_attempt_at_us, last_success_at_us, last_error) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (peer, collection) DO UPDATE SET added_after = excluded.added_after, objects = excluded.objects, last_attempt_at_us = excluded.last_attempt_at_us, last_success_at_us = excluded.last_success_at_us, last_error = excluded.last_error",
    )
    .bind(state.peer.as_str())
    .bind(state.collection.as_str())
    .bind(state.added_after.clone())
    .bind(i64::try_from(state.objects).unwrap_or(i64::MAX))
    .bind(state.last_attempt_at.map(|at| at.as_microseconds()))
    .bind(state.last_success_at.map(|at| at.as_microseconds()))
    .bind(state.last_error.clone())
    .execute(&mut *connection)
    .await?;
    Ok(())
}

async fn put_peer_incident(
    connection: &mut AnyConnection,
    incident: &PeerIncident,
) -> Result<(), StoreError> {
    // A newer version replaces an older one; an older version arriving late changes nothing.
    sqlx::query(
        "INSERT INTO peer_incidents (peer, stix_id, name, modified, object, synced_at_us) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (peer, stix_id) DO UPDATE SET name = excluded.name, modified = excluded.modified, object = excluded.object, synced_at_us = excluded.synced_at_us \
         WHERE excluded.modified > peer_incidents.modified",
    )
    .bind(incident.peer.as_str())
    .bind(incident.stix_id.as_str())
    .bind(incident.name.as_str())
    .bind(incident.modified.as_str())
    .bind(incident.object.as_str())
    .bind(incident.synced_at.as_microseconds())
    .execute(&mut *connection)
    .await?;
    Ok(())
}

fn optional_timestamp(what: &str, value: Option<i64>) -> Result<Option<Timestamp>, StoreError> {
    value
        .map(|microseconds| timestamp_from_column(what, microseconds))
        .transpose()
}

fn unsigned(what: &str, value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| corrupt(what, format!("negative count {value}")))
}

pub(crate) async fn party_homes(pool: &sqlx::AnyPool) -> Result<Vec<PartyHome>, StoreError> {
    let rows = sqlx::query(
        "SELECT party_id, node, statement, updated_at_us FROM party_homes ORDER BY party_id",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let party: String = row.try_get("party_id")?;
            Ok(PartyHome {
                party: PartyId::parse(&party).map_err(|error| corrupt("party home", error))?,
                node: row.try_get("node")?,
                statement: row.try_get("statement")?,
                updated_at: timestamp_from_column("party home", row.try_get("updated_at_us")?)?,
            })
        })
        .collect()
}

const RELAY_COLUMNS: &str = "id, peer, subject, thread_id, body, enqueued_at_us, attempts, next_attempt_at_us, last_error, delivered_at_us";

fn relay_item_from_row(row: &sqlx::any::AnyRow) -> Result<RelayOutboxItem, StoreError> {
    let what = "relay outbox item";
    let thread: String = row.try_get("thread_id")?;
    Ok(RelayOutboxItem {
        id: row.try_get("id")?,
        peer: row.try_get("peer")?,
        subject: row.try_get("subject")?,
        thread_id: Uuid::parse_str(&thread).map_err(|error| corrupt(what, error))?,
        body: row.try_get("body")?,
        enqueued_at: timestamp_from_column(what, row.try_get("enqueued_at_us")?)?,
        attempts: u32::try_from(row.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
        next_attempt_at: timestamp_from_column(what, row.try_get("next_attempt_at_us")?)?,
        last_error: row.try_get("last_error")?,
        delivered_at: optional_timestamp(what, row.try_get("delivered_at_us")?)?,
    })
}

pub(crate) async fn pending_relay_items(
    pool: &sqlx::AnyPool,
    peer: &str,
    limit: u32,
) -> Result<Vec<RelayOutboxItem>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {RELAY_COLUMNS} FROM relay_outbox WHERE peer = $1 AND delivered_at_us IS NULL ORDER BY id LIMIT $2"
    )))
    .bind(peer)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    rows.iter().map(relay_item_from_row).collect()
}

pub(crate) async fn relay_inbox_contains(
    pool: &sqlx::AnyPool,
    peer: &str,
    subject: &str,
) -> Result<bool, StoreError> {
    let row = sqlx::query("SELECT 1 AS found FROM relay_inbox WHERE peer = $1 AND subject = $2")
        .bind(peer)
        .bind(subject)
        .fetch_optional(pool)
        .await?;
    Ok(row.is_some())
}

pub(crate) async fn relay_figures(
    pool: &sqlx::AnyPool,
    recent: u32,
) -> Result<Vec<RelayFigures>, StoreError> {
    let what = "relay figures";
    let rows = sqlx::query(
        "SELECT peer, \
         SUM(CASE WHEN delivered_at_us IS NULL THEN 1 ELSE 0 END) AS pending, \
         SUM(CASE WHEN delivered_at_us IS NULL THEN 0 ELSE 1 END) AS delivered, \
         MIN(CASE WHEN delivered_at_us IS NULL THEN enqueued_at_us END) AS oldest_pending, \
         MAX(delivered_at_us) AS last_delivered \
         FROM relay_outbox GROUP BY peer ORDER BY peer",
    )
    .fetch_all(pool)
    .await?;
    let mut figures = Vec::with_capacity(rows.len());
    for row in &rows {
        let peer: String = row.try_get("peer")?;
        let delays = sqlx::query(
            "SELECT delivered_at_us - enqueued_at_us AS delay FROM relay_outbox WHERE peer = $1 AND delivered_at_us IS NOT NULL ORDER BY id DESC LIMIT $2",
        )
        .bind(peer.as_str())
        .bind(i64::from(recent))
        .fetch_all(pool)
        .await?
        .iter()
        .map(|row| row.try_get::<i64, _>("delay"))
        .collect::<Result<Vec<i64>, _>>()?;
        let last_error = sqlx::query(
            "SELECT last_error FROM relay_outbox WHERE peer = $1 AND delivered_at_us IS NULL AND last_error IS NOT NULL ORDER BY id LIMIT 1",
        )
        .bind(peer.as_str())
        .fetch_optional(pool)
        .await?
        .map(|row| row.try_get::<String, _>("last_error"))
        .transpose()?;
        figures.push(RelayFigures {
            pending: unsigned(what, row.try_get("pending")?)?,
            delivered: unsigned(what, row.try_get("delivered")?)?,
            oldest_pending_since: optional_timestamp(what, row.try_get("oldest_pending")?)?,
            last_delivered_at: optional_timestamp(what, row.try_get("last_delivered")?)?,
            last_error,
            recent_delays_us: delays,
            peer,
        });
    }
    Ok(figures)
}

pub(crate) async fn peer_sync_states(
    pool: &sqlx::AnyPool,
) -> Result<Vec<PeerSyncState>, StoreError> {
    let what = "peer sync state";
    let rows = sqlx::query(
        "SELECT peer, collection, added_after, objects, last_attempt_at_us, last_success_at_us, last_error FROM peer_sync ORDER BY peer, collection",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(PeerSyncState {
                peer: row.try_get("peer")?,
                collection: row.try_get("collection")?,
                added_after: row.try_get("added_after")?,
                objects: unsigned(what, row.try_get("objects")?)?,
                last_attempt_at: optional_timestamp(what, row.try_get("last_attempt_at_us")?)?,
                last_success_at: optional_timestamp(what, row.try_get("last_success_at_us")?)?,
                last_error: row.try_get("last_error")?,
            })
        })
        .collect()
}

pub(crate) async fn peer_incidents(
    pool: &sqlx::AnyPool,
    limit: u32,
) -> Result<Vec<PeerIncident>, StoreError> {
    let rows = sqlx::query(
        "SELECT peer, stix_id, name, modified, object, synced_at_us FROM peer_incidents ORDER BY modified DESC, stix_id LIMIT $1",
    )
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(PeerIncident {
                peer: row.try_get("peer")?,
                stix_id: row.try_get("stix_id")?,
                name: row.try_get("name")?,
                modified: row.try_get("modified")?,
                object: row.try_get("object")?,
                synced_at: timestamp_from_column("peer incident", row.try_get("synced_at_us")?)?,
            })
        })
        .collect()
}

fn peer_checkpoint_from_row(row: &sqlx::any::AnyRow) -> Result<PeerCheckpoint, StoreError> {
    let what = "peer checkpoint";
    Ok(PeerCheckpoint {
        origin: row.try_get("origin")?,
        tree_size: unsigned(what, row.try_get("tree_size")?)?,
        note: row.try_get("note")?,
        seen_at: timestamp_from_column(what, row.try_get("seen_at_us")?)?,
    })
}

pub(crate) async fn peer_checkpoint(
    pool: &sqlx::AnyPool,
    origin: &str,
) -> Result<Option<PeerCheckpoint>, StoreError> {
    let row = sqlx::query(
        "SELECT origin, tree_size, note, seen_at_us FROM peer_checkpoints WHERE origin = $1",
    )
    .bind(origin)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(peer_checkpoint_from_row).transpose()
}

pub(crate) async fn peer_checkpoints(
    pool: &sqlx::AnyPool,
) -> Result<Vec<PeerCheckpoint>, StoreError> {
    let rows = sqlx::query(
        "SELECT origin, tree_size, note, seen_at_us FROM peer_checkpoints ORDER BY origin",
    )
    .fetch_all(pool)
    .await?;
    rows.iter().map(peer_checkpoint_from_row).collect()
}

pub(crate) async fn federation_alarms(
    pool: &sqlx::AnyPool,
) -> Result<Vec<FederationAlarm>, StoreError> {
    let rows = sqlx::query(
        "SELECT origin, kind, detail, first_note, second_note, reported_by, detected_at_us FROM federation_alarms ORDER BY id DESC",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(FederationAlarm {
                origin: row.try_get("origin")?,
                kind: row.try_get("kind")?,
                detail: row.try_get("detail")?,
                first_note: row.try_get("first_note")?,
                second_note: row.try_get("second_note")?,
                reported_by: row.try_get("reported_by")?,
                detected_at: timestamp_from_column(
                    "federation alarm",
                    row.try_get("detected_at_us")?,
                )?,
            })
        })
        .collect()
}
