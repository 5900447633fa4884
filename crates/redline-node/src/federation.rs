//! Federation: this node among its peers. Operators configure peer nodes (URL and the peer
//! log's verifier key, which names the peer and carries its node key); every party has one home
//! node. This module answers what a peer asks of this node — the signed statements vouching for
//! the parties homed here (`party_statements`), relayed items (`accept_relayed`), the
//! checkpoints this node has seen (`seen_checkpoints`) — and decides what this node must relay
//! (`relay_writes_for_message`, `relay_writes_for_delivery`, in the transaction of the record
//! they carry). The background work that talks to peers (the relay sender, the sync of party
//! statements, TAXII collections, public incidents and log checkpoints) is in
//! `federation/peers.rs`. The rules themselves are the core's: `redline_hotline::federation`
//! (statements, relay items, where to relay) and `redline_ledger::split_view`.

mod peers;

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;

use ed25519_dalek::SigningKey;
use redline_hotline::HotlineMessage;
use redline_hotline::federation::{
    PartyStatement, RelayItem, RelayedDelivery, RelayedMessage, RelayedThreadTimes,
    claimed_relay_sender, open_party_statement, open_relay_item, relay_targets,
    sign_party_statement, sign_relay_item,
};
use redline_ledger::note::Ed25519NoteVerifier;
use redline_model::{Party, PartyId, Timestamp};
use redline_store::{
    FederationAlarm, FederationWrite, PartyHome, PeerCheckpoint, PeerIncident, PeerSyncState,
    RelayFigures, RelayOutboxItem, StoreWrite, StoredThread,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::log::{LogEntry, LogEntryKind};
use crate::{Node, NodeError};

/// One peer node as the operator configures it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerSettings {
    /// The node's base URL (`https://north.example`).
    pub url: String,
    /// The peer log's verifier key (C2SP vkey, `/log/key` on the peer): its origin is the
    /// peer's name, its key checks the peer's statements, relays and checkpoints.
    pub log_key: String,
    /// A token the peer issued to this node, for its TAXII collections.
    #[serde(default)]
    pub taxii_token: Option<String>,
    /// The peer's TAXII collections to sync into this node's shared collection.
    #[serde(default)]
    pub collections: Vec<String>,
    /// Whether to sync the peer's public incidents (its public TAXII collection).
    #[serde(default = "default_true")]
    pub public_incidents: bool,
}

fn default_true() -> bool {
    true
}

/// The node's federation settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederationSettings {
    pub peers: Vec<PeerSettings>,
    /// How often each peer's statements, collections and checkpoint are pulled.
    pub sync_interval: Duration,
    /// The longest wait between two attempts to relay to a peer that does not answer.
    pub relay_retry_ceiling: Duration,
}

impl Default for FederationSettings {
    fn default() -> Self {
        FederationSettings {
            peers: Vec::new(),
            sync_interval: Duration::from_secs(30),
            relay_retry_ceiling: Duration::from_secs(30),
        }
    }
}

/// A configured peer, its key read.
#[derive(Debug, Clone)]
pub(crate) struct Peer {
    /// The peer's name: its log origin.
    pub(crate) node: String,
    /// The base URL without a trailing slash.
    pub(crate) url: String,
    pub(crate) verifier: Ed25519NoteVerifier,
    pub(crate) settings: PeerSettings,
}

/// What federation keeps in memory: the peers, their settings and the relay sender's wake-up.
#[derive(Default)]
pub(crate) struct FederationRuntime {
    peers: OnceLock<Vec<Peer>>,
    settings: OnceLock<FederationSettings>,
    pub(crate) relay_wakeup: tokio::sync::Notify,
}

/// Statements of the parties homed on a node, as its peers fetch them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartyStatementsView {
    pub node: String,
    /// Each a DSSE envelope (JSON) signed with the node's key.
    pub statements: Vec<serde_json::Value>,
}

/// What a node answers for a relayed item.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RelayReceipt {
    pub subject: String,
    /// `accepted`, or `duplicate` when the item was accepted before.
    pub outcome: String,
}

/// The checkpoints a node has seen: its own log's latest and each peer's.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SeenCheckpointsView {
    pub node: String,
    /// Signed checkpoint notes, verbatim.
    pub checkpoints: Vec<String>,
}

/// How federation is doing, per peer: for the status page and `/api/v1/federation`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FederationStatus {
    pub node: Option<String>,
    pub peers: Vec<PeerStatus>,
    pub alarms: Vec<AlarmView>,
    pub peer_incidents: Vec<PeerIncidentView>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeerStatus {
    pub node: String,
    pub url: String,
    pub relay: RelayStatus,
    pub syncs: Vec<SyncStatus>,
    pub checkpoint: Option<CheckpointStatus>,
    pub parties_homed: usize,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RelayStatus {
    pub pending: u64,
    pub delivered: u64,
    pub oldest_pending_since: Option<Timestamp>,
    pub last_delivered_at: Option<Timestamp>,
    pub last_error: Option<String>,
    /// Enqueue-to-delivery delay of the latest deliveries, in milliseconds.
    pub delay_p50_ms: Option<f64>,
    pub delay_p99_ms: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SyncStatus {
    /// A collection id, `party-statements` or `log-checkpoint`.
    pub what: String,
    pub resume_point: Option<String>,
    pub objects: u64,
    pub last_attempt_at: Option<Timestamp>,
    pub last_success_at: Option<Timestamp>,
    pub last_error: Option<String>,
    /// Seconds since the last success, at the time of asking.
    pub lag_seconds: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckpointStatus {
    pub tree_size: u64,
    pub seen_at: Timestamp,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AlarmView {
    pub origin: String,
    pub kind: String,
    pub detail: String,
    pub first_note: String,
    pub second_note: String,
    pub reported_by: String,
    pub detected_at: Timestamp,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeerIncidentView {
    pub origin_node: String,
    pub stix_id: String,
    pub name: String,
    pub modified: String,
}

/// The sync rows that are not TAXII collections.
pub(crate) const PARTY_STATEMENTS_SYNC: &str = "party-statements";
pub(crate) const LOG_CHECKPOINT_SYNC: &str = "log-checkpoint";

impl Node {
    /// Configures the peers (once, at start, after the log is attached: the log's key is the
    /// node key). Refuses a peer whose key cannot be read, a peer named like this node, and
    /// two peers of one name.
    pub fn attach_federation(&self, settings: FederationSettings) -> Result<(), NodeError> {
        let own = self.node_name();
        let mut peers: Vec<Peer> = Vec::with_capacity(settings.peers.len());
        for (index, peer) in settings.peers.iter().enumerate() {
            let verifier =
                Ed25519NoteVerifier::from_vkey(peer.log_key.trim()).map_err(|error| {
                    NodeError::invalid(format!("peers[{index}].log_key"), error.to_string())
                })?;
            let node = redline_ledger::note::NoteVerifier::key_name(&verifier).to_string();
            if own.as_deref() == Some(node.as_str()) {
                return Err(NodeError::invalid(
                    format!("peers[{index}].log_key"),
                    format!("`{node}` is this node's own log"),
                ));
            }
            if peers.iter().any(|known| known.node == node) {
                return Err(NodeError::invalid(
                    format!("peers[{index}].log_key"),
                    format!("peer `{node}` is configured twice"),
                ));
            }
            let url = peer.url.trim_end_matches('/').to_string();
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(NodeError::invalid(
                    format!("peers[{index}].url"),
                    format!("`{}` is not an http(s) URL", peer.url),
                ));
            }
            peers.push(Peer {
                node,
                url,
                verifier,
                settings: peer.clone(),
            });
        }
        let _ = self.federation.peers.set(peers);
        let _ = self.federation.settings.set(settings);
        Ok(())
    }

    /// This node's name among its peers: its log's origin (none without a log).
    pub fn node_name(&self) -> Option<String> {
        self.log.get().map(|log| log.origin().to_string())
    }

    pub(crate) fn peers(&self) -> &[Peer] {
        self.federation.peers.get().map_or(&[], Vec::as_slice)
    }

    pub(crate) fn federation_settings(&self) -> FederationSettings {
        self.federation.settings.get().cloned().unwrap_or_default()
    }

    fn peer_named(&self, node: &str) -> Option<&Peer> {
        self.peers().iter().find(|peer| peer.node == node)
    }

    fn node_signing_key(&self) -> Result<SigningKey, NodeError> {
        self.log
            .get()
            .map(|log| log.node_signing_key())
            .ok_or_else(|| NodeError::Internal("federation needs the node's log (its key)".into()))
    }

    /// Where each remote party is homed, read from the store each time: a small table, and the
    /// only way every process (PostgreSQL) sees an import the leader just made. (A cache here
    /// once went stale when a read raced an import, and the node then refused its own peer's
    /// statements as claims on a local party.)
    async fn party_home_map(&self) -> Result<HashMap<PartyId, String>, NodeError> {
        Ok(self
            .store
            .party_homes()
            .await?
            .into_iter()
            .map(|home| (home.party, home.node))
            .collect())
    }

    /// The home node of `party`: `None` when it is homed here.
    pub async fn home_of(&self, party: &PartyId) -> Result<Option<String>, NodeError> {
        if self.peers().is_empty() {
            return Ok(None);
        }
        Ok(self.party_home_map().await?.get(party).cloned())
    }

    // --- what peers ask of this node ----------------------------------------------------------

    /// The signed statements vouching for every party homed here.
    pub async fn party_statements(&self) -> Result<PartyStatementsView, NodeError> {
        let node = self
            .node_name()
            .ok_or_else(|| NodeError::Internal("federation needs the node's log".into()))?;
        let key = self.node_signing_key()?;
        // The parties first, their homes after: an imported party and its home are committed
        // together, so every party listed has its home in the map read after it. Read the other
        // way round, an import landing between the two reads made this node vouch for another
        // node's party, and a third node then recorded the wrong home for good.
        let parties = self.store.list_parties().await?;
        let homes = self.party_home_map().await?;
        let issued_at = self.now();
        let mut statements = Vec::new();
        for party in parties {
            if homes.contains_key(&party.id) {
                continue;
            }
            let statement = PartyStatement {
                node: node.clone(),
                party,
                issued_at,
            };
            let bytes = sign_party_statement(&statement, &key);
            let value: serde_json::Value = serde_json::from_slice(&bytes)
                .map_err(|error| NodeError::Internal(error.to_string()))?;
            statements.push(value);
        }
        Ok(PartyStatementsView { node, statements })
    }

    /// The checkpoints this node has seen: its own latest and each peer's latest checked.
    pub async fn seen_checkpoints(&self) -> Result<SeenCheckpointsView, NodeError> {
        let node = self.node_name().unwrap_or_default();
        let mut checkpoints = Vec::new();
        // Behind a load balancer, never a checkpoint older than one another process served: a
        // process that cannot follow the log's pointer leaves its own out.
        if let Some(log) = self.log.get() {
            match self.refresh_log_view().await {
                Ok(()) => checkpoints.push(log.checkpoint_note().to_text()),
                Err(error) => {
                    tracing::warn!(%error, "the seen checkpoints leave out this node's own: its pointer could not be followed");
                }
            }
        }
        for checkpoint in self.store.peer_checkpoints().await? {
            checkpoints.push(checkpoint.note);
        }
        Ok(SeenCheckpointsView { node, checkpoints })
    }

    /// Imports statements said to come from the peer named `node` (what a sync pass does with
    /// the peer's answer): refused unless `node` is a configured peer and every statement holds.
    pub async fn import_statements_from(
        &self,
        node: &str,
        view: &PartyStatementsView,
    ) -> Result<usize, NodeError> {
        let peer = self
            .peer_named(node)
            .cloned()
            .ok_or_else(|| NodeError::Forbidden(format!("`{node}` is not a peer of this node")))?;
        self.import_party_statements(&peer, view).await
    }

    /// Imports a peer's statements: each must be signed by the peer's node key and name a
    /// party that is not homed here or on another peer. New parties and keys are added, keys
    /// revoked at home are revoked here; each change is logged with the statement's hash.
    /// Returns how many statements changed something; the first refusal stops the import.
    pub(crate) async fn import_party_statements(
        &self,
        peer: &Peer,
        view: &PartyStatementsView,
    ) -> Result<usize, NodeError> {
        if view.node != peer.node {
            return Err(NodeError::invalid(
                "node",
                format!(
                    "the peer at {} says it is `{}`, not `{}`",
                    peer.url, view.node, peer.node
                ),
            ));
        }
        let homes = self.party_home_map().await?;
        let mut changed = 0;
        for (index, value) in view.statements.iter().enumerate() {
            let bytes = serde_json::to_vec(value)
                .map_err(|error| NodeError::Internal(error.to_string()))?;
            let statement = open_party_statement(&bytes, &peer.node, peer.verifier.verifying_key())
                .map_err(|error| {
                    NodeError::invalid(format!("statements[{index}]"), error.to_string())
                })?;
            let party_id = statement.party.id.clone();
            let existing = self.store.get_party(&party_id).await?;
            match (homes.get(&party_id), &existing) {
                (None, Some(_)) => {
                    return Err(NodeError::Conflict(format!(
                        "statements[{index}]: party {party_id} is homed on this node; `{}` may not vouch for it",
                        peer.node
                    )));
                }
                (Some(home), _) if home != &peer.node => {
                    return Err(NodeError::Conflict(format!(
                        "statements[{index}]: party {party_id} is homed on `{home}`; `{}` may not vouch for it",
                        peer.node
                    )));
                }
                _ => {}
            }
            let (writes, entries) =
                self.statement_changes(&statement, existing.as_ref(), &bytes)?;
            if writes.is_empty() {
                continue;
            }
            self.commit_logged(writes, entries).await?;
            changed += 1;
        }
        Ok(changed)
    }

    /// The writes and log entries one statement causes against the party as stored.
    fn statement_changes(
        &self,
        statement: &PartyStatement,
        existing: Option<&Party>,
        statement_bytes: &[u8],
    ) -> Result<(Vec<StoreWrite>, Vec<LogEntry>), NodeError> {
        let party = &statement.party;
        let mut writes = Vec::new();
        let mut entries = Vec::new();
        match existing {
            None => {
                writes.push(StoreWrite::InsertParty(party.clone()));
                entries.push(crate::log::party_entry(party));
            }
            Some(stored) => {
                for key in &party.keys {
                    let known = stored.keys.iter().find(|known| known.key_id == key.key_id);
                    match known {
                        None => {
                            writes.push(StoreWrite::AddPartyKey {
                                party: party.id.clone(),
                                key: key.clone(),
                            });
                            entries.push(crate::log::party_key_entry(&party.id, key));
                        }
                        Some(known) if known.revoked_at.is_none() && key.revoked_at.is_some() => {
                            writes.push(StoreWrite::RevokePartyKey {
                                party: party.id.clone(),
                                key_id: key.key_id.clone(),
                                at: key.revoked_at.unwrap_or(statement.issued_at),
                                reason: key
                                    .revocation_reason
                                    .clone()
                                    .unwrap_or_else(|| "revoked at its home node".into()),
                            });
                            entries.push(crate::log::party_key_revocation_entry(&party.id, key));
                        }
                        Some(_) => {}
                    }
                }
                if writes.is_empty() {
                    return Ok((writes, entries));
                }
            }
        }
        let text = String::from_utf8(statement_bytes.to_vec())
            .map_err(|error| NodeError::Internal(error.to_string()))?;
        writes.push(StoreWrite::Federation(Box::new(
            FederationWrite::PutPartyHome(PartyHome {
                party: party.id.clone(),
                node: statement.node.clone(),
                statement: text,
                updated_at: self.now(),
            }),
        )));
        entries.push(LogEntry::new(
            LogEntryKind::PartyHomed,
            None,
            party.id.to_string(),
            statement.issued_at,
            statement_bytes,
        ));
        Ok((writes, entries))
    }

    /// Accepts an item relayed by a peer: checked under the peer's node key, then (for a
    /// message) under its sender's own key by the hotline's acceptance, with the thread times
    /// the sender's home node set. An item accepted before is a `duplicate`, not an error. A
    /// message whose earlier messages have not arrived yet is a conflict the peer retries.
    pub async fn accept_relayed(&self, body: &[u8]) -> Result<RelayReceipt, NodeError> {
        let this_node = self
            .node_name()
            .ok_or_else(|| NodeError::Internal("federation needs the node's log".into()))?;
        let claimed = claimed_relay_sender(body)
            .map_err(|error| NodeError::invalid("", error.to_string()))?;
        let peer = self.peer_named(&claimed).ok_or_else(|| {
            NodeError::Forbidden(format!("`{claimed}` is not a peer of this node"))
        })?;
        let item = open_relay_item(body, &peer.node, peer.verifier.verifying_key(), &this_node)
            .map_err(|error| NodeError::invalid("", error.to_string()))?;
        let subject = item.subject();
        if self
            .store
            .relay_inbox_contains(&peer.node, &subject)
            .await?
        {
            return Ok(RelayReceipt {
                subject,
                outcome: "duplicate".into(),
            });
        }
        match item {
            RelayItem::Message(relayed) => {
                self.accept_relayed_message(peer, relayed, subject).await
            }
            RelayItem::Delivery(delivery) => {
                self.accept_relayed_delivery(peer, delivery, subject).await
            }
        }
    }

    async fn accept_relayed_message(
        &self,
        peer: &Peer,
        relayed: RelayedMessage,
        subject: String,
    ) -> Result<RelayReceipt, NodeError> {
        if self
            .store
            .hotline_message_exists(relayed.message_id)
            .await?
        {
            return Ok(RelayReceipt {
                subject,
                outcome: "duplicate".into(),
            });
        }
        let unverified = redline_hotline::read_unverified_message(relayed.envelope.as_bytes())
            .map_err(NodeError::Rejected)?;
        if unverified.id != relayed.message_id || unverified.thread != relayed.thread_id {
            return Err(NodeError::invalid(
                "message_id",
                "the relay names another message than the envelope it carries",
            ));
        }
        let sender_home = self.home_of(&unverified.from).await?;
        if sender_home.as_deref() != Some(peer.node.as_str()) {
            return Err(NodeError::Forbidden(format!(
                "{} is not homed on `{}`: only a sender's home node relays its messages",
                unverified.from, peer.node
            )));
        }
        self.check_relayed_message_is_next(&unverified, &relayed)
            .await?;
        let relay = crate::hotline::RelayedAcceptance {
            peer: peer.node.clone(),
            subject: subject.clone(),
            accepted_at: relayed.accepted_at,
            thread: relayed.thread.clone(),
        };
        self.accept_message_relayed(&unverified.from, relayed.envelope.as_bytes(), relay)
            .await?;
        Ok(RelayReceipt {
            subject,
            outcome: "accepted".into(),
        })
    }

    /// A relayed message comes after what it refers to: its referenced message, and the
    /// thread's opening message, must be here first (else the peer retries later).
    async fn check_relayed_message_is_next(
        &self,
        message: &HotlineMessage,
        relayed: &RelayedMessage,
    ) -> Result<(), NodeError> {
        if let Some(reference) = message.body.reference()
            && !self.store.hotline_message_exists(reference.id).await?
        {
            return Err(NodeError::Conflict(format!(
                "awaiting-earlier-message: message {} refers to {}, which has not arrived yet",
                message.id, reference.id
            )));
        }
        let thread = self.store.get_thread(message.thread).await?;
        if thread.is_none() && relayed.thread.opening_message_id != message.id {
            return Err(NodeError::Conflict(format!(
                "awaiting-earlier-message: thread {} opens with message {}, which has not arrived yet",
                message.thread, relayed.thread.opening_message_id
            )));
        }
        Ok(())
    }

    async fn accept_relayed_delivery(
        &self,
        peer: &Peer,
        delivery: RelayedDelivery,
        subject: String,
    ) -> Result<RelayReceipt, NodeError> {
        let recipient_home = self.home_of(&delivery.party).await?;
        if recipient_home.as_deref() != Some(peer.node.as_str()) {
            return Err(NodeError::Forbidden(format!(
                "{} is not homed on `{}`: only a party's home node reports its deliveries",
                delivery.party, peer.node
            )));
        }
        let Some(thread) = self.store.get_thread(delivery.thread_id).await? else {
            return Err(NodeError::Conflict(format!(
                "awaiting-earlier-message: thread {} has not arrived yet",
                delivery.thread_id
            )));
        };
        let received = StoreWrite::Federation(Box::new(FederationWrite::RecordRelayReceived {
            peer: peer.node.clone(),
            subject: subject.clone(),
            accepted_at: delivery.delivered_at,
            received_at: self.now(),
        }));
        self.apply_relayed_delivery(&thread, &delivery.party, delivery.delivered_at, received)
            .await?;
        Ok(RelayReceipt {
            subject,
            outcome: "accepted".into(),
        })
    }

    // --- what this node relays ------------------------------------------------------------------

    /// The relay rows for a message just accepted from a party homed here: one per other home
    /// node among the thread's participants, signed, written with the message.
    pub(crate) async fn relay_writes_for_message(
        &self,
        message: &HotlineMessage,
        envelope_bytes: &[u8],
        thread: &StoredThread,
        accepted_at: Timestamp,
    ) -> Result<Vec<StoreWrite>, NodeError> {
        if self.peers().is_empty() {
            return Ok(Vec::new());
        }
        let homes = self.party_home_map().await?;
        let sender_home = homes.get(&message.from).cloned();
        let targets = relay_targets(
            sender_home.as_deref(),
            thread.participants.iter().chain(message.to.iter()),
            |party| homes.get(party).cloned(),
        );
        if targets.is_empty() {
            return Ok(Vec::new());
        }
        let this_node = self.node_name().unwrap_or_default();
        let key = self.node_signing_key()?;
        let envelope = String::from_utf8(envelope_bytes.to_vec())
            .map_err(|_| NodeError::invalid("", "the envelope is not UTF-8 JSON"))?;
        let mut writes = Vec::with_capacity(targets.len());
        for target in targets {
            let item = RelayItem::Message(RelayedMessage {
                from_node: this_node.clone(),
                to_node: target.clone(),
                message_id: message.id,
                thread_id: message.thread,
                envelope: envelope.clone(),
                accepted_at,
                thread: relayed_thread_times(thread),
            });
            writes.push(relay_write(
                &target,
                &item,
                &key,
                message.thread,
                accepted_at,
            ));
        }
        Ok(writes)
    }

    /// The relay rows telling other home nodes that `party` (homed here) received thread
    /// `thread`'s messages.
    pub(crate) async fn relay_writes_for_delivery(
        &self,
        thread: &StoredThread,
        party: &PartyId,
        delivered_at: Timestamp,
    ) -> Result<Vec<StoreWrite>, NodeError> {
        if self.peers().is_empty() {
            return Ok(Vec::new());
        }
        let homes = self.party_home_map().await?;
        let targets = relay_targets(
            homes.get(party).map(String::as_str),
            thread.participants.iter(),
            |participant| homes.get(participant).cloned(),
        );
        let this_node = self.node_name().unwrap_or_default();
        let key = self.node_signing_key()?;
        Ok(targets
            .into_iter()
            .map(|target| {
                let item = RelayItem::Delivery(RelayedDelivery {
                    from_node: this_node.clone(),
                    to_node: target.clone(),
                    thread_id: thread.id,
                    message_id: thread.opening_message_id,
                    party: party.clone(),
                    delivered_at,
                });
                relay_write(&target, &item, &key, thread.id, delivered_at)
            })
            .collect())
    }

    /// The public (`TLP:CLEAR`) incidents synced from peers, newest first, with their origin
    /// node: what the public incident list shows beside this node's own.
    pub async fn public_peer_incidents(
        &self,
        limit: u32,
    ) -> Result<Vec<PeerIncidentView>, NodeError> {
        Ok(self
            .store
            .peer_incidents(limit)
            .await?
            .into_iter()
            .map(peer_incident_view)
            .collect())
    }

    // --- status -----------------------------------------------------------------------------------

    /// How federation is doing, per peer, with the alarms about peers' logs and the public
    /// incidents synced from peers.
    pub async fn federation_status(&self) -> Result<FederationStatus, NodeError> {
        let now = self.now();
        let relay: HashMap<String, RelayFigures> = self
            .store
            .relay_figures(1000)
            .await?
            .into_iter()
            .map(|figures| (figures.peer.clone(), figures))
            .collect();
        let syncs = self.store.peer_sync_states().await?;
        let checkpoints: HashMap<String, PeerCheckpoint> = self
            .store
            .peer_checkpoints()
            .await?
            .into_iter()
            .map(|checkpoint| (checkpoint.origin.clone(), checkpoint))
            .collect();
        let homes = self.party_home_map().await?;
        let peers = self
            .peers()
            .iter()
            .map(|peer| PeerStatus {
                node: peer.node.clone(),
                url: peer.url.clone(),
                relay: relay.get(&peer.node).map(relay_status).unwrap_or_default(),
                syncs: syncs
                    .iter()
                    .filter(|sync| sync.peer == peer.node)
                    .map(|sync| sync_status(sync, now))
                    .collect(),
                checkpoint: checkpoints
                    .get(&peer.node)
                    .map(|checkpoint| CheckpointStatus {
                        tree_size: checkpoint.tree_size,
                        seen_at: checkpoint.seen_at,
                    }),
                parties_homed: homes.values().filter(|home| **home == peer.node).count(),
            })
            .collect();
        let alarms = self
            .store
            .federation_alarms()
            .await?
            .into_iter()
            .map(alarm_view)
            .collect();
        let peer_incidents = self
            .store
            .peer_incidents(crate::dashboard::PUBLIC_PAGE_SIZE)
            .await?
            .into_iter()
            .map(peer_incident_view)
            .collect();
        Ok(FederationStatus {
            node: self.node_name(),
            peers,
            alarms,
            peer_incidents,
        })
    }
}

fn relayed_thread_times(thread: &StoredThread) -> RelayedThreadTimes {
    RelayedThreadTimes {
        opening_message_id: thread.opening_message_id,
        opened_at: thread.opened_at,
        severity_level: thread.severity_level,
        norms_sha256: thread.norms_sha256.clone(),
        acknowledge_by: thread.acknowledge_by,
        respond_by: thread.respond_by,
    }
}

fn relay_write(
    target: &str,
    item: &RelayItem,
    key: &SigningKey,
    thread_id: Uuid,
    at: Timestamp,
) -> StoreWrite {
    let body = String::from_utf8(sign_relay_item(item, key)).unwrap_or_default();
    StoreWrite::Federation(Box::new(FederationWrite::EnqueueRelay(RelayOutboxItem {
        id: 0,
        peer: target.to_string(),
        subject: item.subject(),
        thread_id,
        body,
        enqueued_at: at,
        attempts: 0,
        next_attempt_at: at,
        last_error: None,
        delivered_at: None,
    })))
}

/// The `q`-quantile of delays (microseconds), in milliseconds, by the nearest rank.
fn quantile_ms(delays: &[i64], q: f64) -> Option<f64> {
    if delays.is_empty() {
        return None;
    }
    let mut sorted = delays.to_vec();
    sorted.sort_unstable();
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1] as f64 / 1000.0)
}

fn relay_status(figures: &RelayFigures) -> RelayStatus {
    RelayStatus {
        pending: figures.pending,
        delivered: figures.delivered,
        oldest_pending_since: figures.oldest_pending_since,
        last_delivered_at: figures.last_delivered_at,
        last_error: figures.last_error.clone(),
        delay_p50_ms: quantile_ms(&figures.recent_delays_us, 0.5),
        delay_p99_ms: quantile_ms(&figures.recent_delays_us, 0.99),
    }
}

fn sync_status(sync: &PeerSyncState, now: Timestamp) -> SyncStatus {
    SyncStatus {
        what: sync.collection.clone(),
        resume_point: sync.added_after.clone(),
        objects: sync.objects,
        last_attempt_at: sync.last_attempt_at,
        last_success_at: sync.last_success_at,
        last_error: sync.last_error.clone(),
        lag_seconds: sync
            .last_success_at
            .map(|at| (now.as_microseconds() - at.as_microseconds()) / 1_000_000),
    }
}

fn alarm_view(alarm: FederationAlarm) -> AlarmView {
    AlarmView {
        origin: alarm.origin,
        kind: alarm.kind,
        detail: alarm.detail,
        first_note: alarm.first_note,
        second_note: alarm.second_note,
        reported_by: alarm.reported_by,
        detected_at: alarm.detected_at,
    }
}

fn peer_incident_view(incident: PeerIncident) -> PeerIncidentView {
    PeerIncidentView {
        origin_node: incident.peer,
        stix_id: incident.stix_id,
        name: incident.name,
        modified: incident.modified,
    }
}

#[cfg(test)]
mod tests {
    use super::quantile_ms;

    #[test]
    fn quantiles_are_nearest_rank() {
        let delays: Vec<i64> = (1..=100).map(|ms| ms * 1000).collect();
        assert_eq!(quantile_ms(&delays, 0.5), Some(50.0));
        assert_eq!(quantile_ms(&delays, 0.99), Some(99.0));
        assert_eq!(quantile_ms(&[], 0.5), None);
    }
}
