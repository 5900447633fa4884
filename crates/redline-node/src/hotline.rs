//! The hotline at the node: accepting signed messages, threads and their state, delivery to
//! each party's event stream, inboxes, and key rotation.
//!
//! Acceptance reads what the pure check needs from the store (the sender's keys, whether the id
//! was seen, the thread, the recipients), runs `redline_hotline::verify_message`, applies the
//! node's own rules (the incident exists and the sender may see it; exercise threads stay
//! exercise threads; a closed thread takes nothing more), and stores the message, the thread's
//! new state and every recipient's event in one transaction before it answers. Subscribers of
//! the stream are told after the commit; they read the events from the store, so an event is
//! never lost between the commit and the notice, and a client resuming from an event id sees
//! each event once.

use redline_hotline::federation::RelayedThreadTimes;
use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
};

use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use redline_hotline::deadline::{DeadlineOutcome, deadline_outcome};
use redline_hotline::thread::{ReplyDraft, ThreadFacts, ThreadMessageFacts, draft_reply};
use redline_hotline::{
    DutiesTable, DutyKind, DutyRule, HotlineMessage, MessageBody, MessageKind, PrefetchedLookups,
    Rejection, ThreadEvent, ThreadState, VerificationContext, read_unverified_message,
    verify_message,
};
use redline_model::{PartyId, PartyKey, Timestamp, Tlp};
use redline_norms::NormsDocument;
use redline_store::{
    CheckChange, CheckTarget, CommunicationCheck, HotlineEvent, HotlineRequestQuery,
    HotlineRequestRow, HotlineWrite, NotifiedParties, RequestAnswer, StoreWrite, StoredMessage,
    StoredThread, ThreadChange,
};

use crate::{
    Caller, Node, NodeError,
    paging::{MAXIMUM_EVENTS_PAGE_SIZE, MAXIMUM_PAGE_SIZE, checked_page_size},
};

/// How the node runs its hotline.
#[derive(Debug, Clone)]
pub struct HotlineSettings {
    /// How far a message's `sent_at` may be from the node's clock, either way.
    pub allowed_clock_skew: SignedDuration,
}

impl Default for HotlineSettings {
    fn default() -> Self {
        Self {
            allowed_clock_skew: SignedDuration::from_mins(5),
        }
    }
}

/// Which parties have new events; subscribers read the events themselves from the store.
#[derive(Debug, Clone)]
pub struct HotlineNotice {
    pub parties: Vec<PartyId>,
}

/// How many (thread, party) deliveries the node remembers before it starts over.
const DELIVERED_MEMO_LIMIT: usize = 65_536;

/// The node's live hotline state (the records themselves are in the store).
pub(crate) struct HotlineRuntime {
    pub(crate) settings: Mutex<HotlineSettings>,
    pub(crate) notices: tokio::sync::broadcast::Sender<Arc<HotlineNotice>>,
    pub(crate) scheduler_wakeup: tokio::sync::Notify,
    /// Threads known to be delivered to a party, so reads do not write each time.
    delivered: Mutex<HashSet<(Uuid, PartyId)>>,
    /// Set when the node shuts down, so open event streams end and the server can stop.
    streams_closed: tokio::sync::watch::Sender<bool>,
}

impl Default for HotlineRuntime {
    fn default() -> Self {
        let (notices, _) = tokio::sync::broadcast::channel(4096);
        Self {
            settings: Mutex::new(HotlineSettings::default()),
            notices,
            scheduler_wakeup: tokio::sync::Notify::new(),
            delivered: Mutex::default(),
            streams_closed: tokio::sync::watch::Sender::new(false),
        }
    }
}

/// What a relayed message brings besides its envelope (`federation`).
#[derive(Debug, Clone)]
pub(crate) struct RelayedAcceptance {
    /// The sending node.
    pub(crate) peer: String,
    /// The relay's subject, recorded so the relay is idempotent.
    pub(crate) subject: String,
    /// When the sender's home node accepted the message.
    pub(crate) accepted_at: Timestamp,
    pub(crate) thread: RelayedThreadTimes,
}

/// What the node answers when it accepted a message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AcceptedMessage {
    pub id: Uuid,
    pub thread: Uuid,
    pub received_at: Timestamp,
    pub thread_state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledge_by: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub respond_by: Option<Timestamp>,
}

/// What a participant owes in a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Awaiting {
    Acknowledgement,
    Response,
}

impl Awaiting {
    pub fn as_str(&self) -> &'static str {
        match self {
            Awaiting::Acknowledgement => "acknowledgement",
            Awaiting::Response => "response",
        }
    }

    /// What a recipient owes in a thread in `state`: an acknowledgement until it acknowledged,
    /// then a response until it answered; nothing once answered or closed.
    pub fn in_state(state: ThreadState) -> Option<Awaiting> {
        match state {
            ThreadState::Sent | ThreadState::Delivered | ThreadState::AcknowledgementOverdue => {
                Some(Awaiting::Acknowledgement)
            }
            ThreadState::Acknowledged | ThreadState::ResponseOverdue => Some(Awaiting::Response),
            ThreadState::Answered | ThreadState::Closed => None,
        }
    }
}

impl std::fmt::Display for Awaiting {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A thread as a participant sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ThreadSummary {
    pub id: Uuid,
    pub opened_by: PartyId,
    /// The opening message's kind, as the hotline spells it.
    pub opening_kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    pub tlp: Tlp,
    pub exercise: bool,
    pub state: String,
    pub severity_level: u8,
    pub norms_sha256: String,
    pub participants: Vec<PartyId>,
    pub opened_at: Timestamp,
    pub updated_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledge_by: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub respond_by: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledgement_overdue_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_overdue_at: Option<Timestamp>,
    /// What the viewer owes in this thread: `acknowledgement`, `response` or nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub awaiting_from_you: Option<Awaiting>,
}

/// A message as a participant sees it: the decoded payload beside the exact envelope.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MessageView {
    pub sequence: i64,
    pub id: Uuid,
    pub thread: Uuid,
    pub from: PartyId,
    pub to: Vec<PartyId>,
    pub kind: String,
    pub sent_at: Timestamp,
    pub received_at: Timestamp,
    pub exercise: bool,
    pub tlp: String,
    /// The signed payload, decoded.
    pub payload: serde_json::Value,
    /// The DSSE envelope exactly as received, so anyone can check the signature again.
    pub envelope: serde_json::Value,
}

/// A thread with its messages, and where each assistance or mitigation request of the thread
/// stands for each of its recipients (their structured outcomes, replayed from the messages,
/// with the deadline of each recipient's answer).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ThreadView {
    pub thread: ThreadSummary,
    pub messages: Vec<MessageView>,
    #[serde(default)]
    pub requests: Vec<RequestView>,
}

/// One request of a thread and where each recipient stands on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    pub request: Uuid,
    /// `assistance-request` or `mitigation-request`.
    pub kind: String,
    pub from: PartyId,
    pub requested_at: Timestamp,
    pub recipients: Vec<RequestRecipientView>,
}

/// One recipient of a request: its latest outcome, every outcome it gave, its offers, and by
/// when it had to answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRecipientView {
    pub party: PartyId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<redline_hotline::RequestOutcomeKind>,
    pub steps: Vec<redline_hotline::request_outcome::OutcomeStep>,
    pub offers: Vec<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_by: Option<Timestamp>,
    /// The duty of the norms document that set `answer_by`: `assistance-answer`, or
    /// `initial-reply` where the document defines no assistance-answer duty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_duty: Option<DutyKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<Timestamp>,
}

impl ThreadView {
    /// Who a reply of `kind` by `party` goes to and which message it answers, by the hotline's
    /// rule (`redline_hotline::thread::draft_reply`): the one conversion of a thread view into
    /// the facts the rule reads, for the console and the command line alike.
    pub fn draft_reply(&self, party: &PartyId, kind: MessageKind) -> ReplyDraft {
        let messages: Vec<ThreadMessageFacts<'_>> = self
            .messages
            .iter()
            .map(|message| ThreadMessageFacts {
                id: message.id,
                from: &message.from,
                to: &message.to,
                kind: &message.kind,
            })
            .collect();
        let thread = ThreadFacts {
            opened_by: &self.thread.opened_by,
            opening_kind: &self.thread.opening_kind,
            participants: &self.thread.participants,
        };
        draft_reply(&thread, &messages, party, kind)
    }
}

/// One event of a party's stream.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EventView {
    /// The stream's event id; resume after it with `Last-Event-ID`.
    pub sequence: i64,
    pub kind: String,
    pub thread: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Uuid>,
    pub created_at: Timestamp,
    pub detail: serde_json::Value,
}

impl From<HotlineEvent> for EventView {
    fn from(event: HotlineEvent) -> Self {
        Self {
            sequence: event.sequence,
            kind: event.kind,
            thread: event.thread_id,
            message: event.message_id,
            created_at: event.created_at,
            detail: serde_json::from_str(&event.detail).unwrap_or(serde_json::Value::Null),
        }
    }
}

/// The duties of a norms document as the hotline's table; a duration it cannot read is
/// skipped (the document parser already refused malformed ones).
pub fn duties_table_of(document: &NormsDocument) -> DutiesTable {
    let rules: Vec<DutyRule> = document
        .duties
        .iter()
        .filter_map(|duty| {
            let span: jiff::Span = duty.within.parse().ok()?;
            let within = span
                .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
                .ok()?;
            Some(DutyRule {
                kind: duty.kind,
                from_level: duty.from_level,
                within,
            })
        })
        .collect();
    if rules.is_empty() {
        DutiesTable::section_six_defaults()
    } else {
        DutiesTable { rules }
    }
}

pub(crate) fn summary_of(thread: &StoredThread, viewer: Option<&PartyId>) -> ThreadSummary {
    let awaiting_from_you = viewer.and_then(|viewer| {
        if viewer == &thread.opened_by || !thread.participants.contains(viewer) {
            return None;
        }
        Awaiting::in_state(thread.state)
    });
    ThreadSummary {
        id: thread.id,
        opened_by: thread.opened_by.clone(),
        opening_kind: thread.opening_kind.as_str().to_string(),
        incident: thread.incident_id.clone(),
        tlp: thread.tlp,
        exercise: thread.exercise,
        state: thread.state.as_str().to_string(),
        severity_level: thread.severity_level,
        norms_sha256: thread.norms_sha256.clone(),
        participants: thread.participants.clone(),
        opened_at: thread.opened_at,
        updated_at: thread.updated_at,
        acknowledge_by: thread.acknowledge_by,
        respond_by: thread.respond_by,
        delivered_at: thread.delivered_at,
        acknowledged_at: thread.acknowledged_at,
        answered_at: thread.answered_at,
        closed_at: thread.closed_at,
        acknowledgement_overdue_at: thread.acknowledgement_overdue_at,
        response_overdue_at: thread.response_overdue_at,
        awaiting_from_you,
    }
}

pub(crate) fn message_view(message: &StoredMessage) -> MessageView {
    let envelope: serde_json::Value =
        serde_json::from_str(&message.envelope).unwrap_or(serde_json::Value::Null);
    let payload = redline_hotline::Envelope::parse(message.envelope.as_bytes())
        .ok()
        .and_then(|envelope| serde_json::from_slice(&envelope.payload).ok())
        .unwrap_or(serde_json::Value::Null);
    MessageView {
        sequence: message.sequence,
        id: message.id,
        thread: message.thread_id,
        from: message.from.clone(),
        to: message.recipients.clone(),
        kind: message.kind.clone(),
        sent_at: message.sent_at,
        received_at: message.received_at,
        exercise: message.exercise,
        tlp: message.tlp.clone(),
        payload,
        envelope,
    }
}

/// Applies a thread event to a stored thread at `at`, recording when it happened.
pub(crate) fn apply_thread_event(
    thread: &StoredThread,
    event: ThreadEvent,
    at: Timestamp,
) -> Result<StoredThread, redline_hotline::InvalidTransition> {
    let next = redline_hotline::transition(thread.state, event)?;
    let mut updated = thread.clone();
    updated.state = next;
    updated.updated_at = at;
    let stamp = |slot: &mut Option<Timestamp>| {
        if slot.is_none() {
            *slot = Some(at);
        }
    };
    match event {
        ThreadEvent::Delivery => stamp(&mut updated.delivered_at),
        ThreadEvent::Acknowledgement => stamp(&mut updated.acknowledged_at),
        ThreadEvent::Response => stamp(&mut updated.answered_at),
        ThreadEvent::Closure => stamp(&mut updated.closed_at),
        ThreadEvent::AcknowledgementDeadlinePassed => {
            stamp(&mut updated.acknowledgement_overdue_at);
        }
        ThreadEvent::ResponseDeadlinePassed => stamp(&mut updated.response_overdue_at),
    }
    Ok(updated)
}

fn state_event(
    party: &PartyId,
    thread: &StoredThread,
    previous: ThreadState,
    at: Timestamp,
    cause: &str,
) -> HotlineEvent {
    HotlineEvent {
        sequence: 0,
        party: party.clone(),
        kind: "thread-state".to_string(),
        thread_id: thread.id,
        message_id: None,
        created_at: at,
        detail: json!({
            "state": thread.state.as_str(),
            "previous": previous.as_str(),
            "cause": cause,
            "exercise": thread.exercise,
        })
        .to_string(),
    }
}

impl Node {
    pub fn hotline_settings(&self) -> HotlineSettings {
        match self.hotline.settings.lock() {
            Ok(settings) => settings.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn set_hotline_settings(&self, settings: HotlineSettings) {
        if let Ok(mut guard) = self.hotline.settings.lock() {
            *guard = settings;
        }
    }

    /// Subscribes to notices of new events; read them with [`Node::list_events`].
    pub fn subscribe_to_events(&self) -> tokio::sync::broadcast::Receiver<Arc<HotlineNotice>> {
        self.hotline.notices.subscribe()
    }

    /// Ends every open event stream (the server is shutting down).
    pub fn close_streams(&self) {
        self.hotline.streams_closed.send_replace(true);
    }

    /// Becomes `true` when the streams must end.
    pub fn streams_closed(&self) -> tokio::sync::watch::Receiver<bool> {
        self.hotline.streams_closed.subscribe()
    }

    /// Wakes the event streams of `parties` in this process and, in a shared deployment, in
    /// every other (after the commit of their events).
    pub(crate) async fn announce(&self, parties: Vec<PartyId>) {
        if self.is_shared() {
            self.publish_notice(redline_store::Notice::Events(
                parties.iter().map(ToString::to_string).collect(),
            ))
            .await;
        }
        self.announce_locally(parties);
    }

    /// Wakes the event streams of `parties` in this process only.
    pub(crate) fn announce_locally(&self, parties: Vec<PartyId>) {
        // No subscriber is not an error: the events wait in the store.
        let _ = self
            .hotline
            .notices
            .send(Arc::new(HotlineNotice { parties }));
    }

    /// Accepts a signed message (the exact envelope bytes) from `caller`. A party may send only
    /// as itself; the operator may submit a message signed by any party (the signature still
    /// has to verify with that party's key).
    pub async fn accept_message(
        &self,
        caller: &Caller,
        envelope_bytes: &[u8],
    ) -> Result<AcceptedMessage, NodeError> {
        let unverified = read_unverified_message(envelope_bytes).map_err(NodeError::Rejected)?;
        let sender = match caller {
            Caller::Party(party) => party.clone(),
            Caller::Operator => unverified.from.clone(),
        };
        // A party homed on a peer speaks through its home node, which relays (federation): its
        // home is authoritative for what it sends, acknowledgements included.
        if let Some(home) = self.home_of(&sender).await? {
            return Err(NodeError::Forbidden(format!(
                "{sender} is homed on `{home}`: its messages reach this node only relayed by its home node"
            )));
        }
        // A concurrent message into the same thread may win the race; read again and retry.
        for _ in 0..8 {
            match self
                .try_accept_message(&sender, envelope_bytes, &unverified, None)
                .await
            {
                Err(NodeError::Conflict(message)) if message.starts_with("retry:") => continue,
                other => return other,
            }
        }
        Err(NodeError::Conflict(
            "thread: too many concurrent changes to this thread; send again".into(),
        ))
    }

    /// Accepts a message relayed from the sender's home node (`federation`): the same
    /// acceptance, with the thread rules at the home node's acceptance time and its deadlines.
    pub(crate) async fn accept_message_relayed(
        &self,
        sender: &PartyId,
        envelope_bytes: &[u8],
        relay: RelayedAcceptance,
    ) -> Result<AcceptedMessage, NodeError> {
        let unverified = read_unverified_message(envelope_bytes).map_err(NodeError::Rejected)?;
        for _ in 0..8 {
            match self
                .try_accept_message(sender, envelope_bytes, &unverified, Some(&relay))
                .await
            {
                Err(NodeError::Conflict(message)) if message.starts_with("retry:") => continue,
                other => return other,
            }
        }
        Err(NodeError::Conflict(
            "thread: too many concurrent changes to this thread; send again".into(),
        ))
    }

    /// One attempt at accepting a message, as a pipeline: read what the pure check needs,
    /// verify, apply the node's own rules, compose the write (message, thread change, events,
    /// communication check, relays to other nodes), commit it with its log entries, announce.
    /// A relayed message (`relay`) is checked and applied at its home node's acceptance time.
    async fn try_accept_message(
        &self,
        sender: &PartyId,
        envelope_bytes: &[u8],
        unverified: &HotlineMessage,
        relay: Option<&RelayedAcceptance>,
    ) -> Result<AcceptedMessage, NodeError> {
        let received_at = self.now();
        let now = relay.map_or(received_at, |relay| relay.accepted_at);
        let sender_keys = self.sender_keys(sender).await?;
        let thread = self.store.get_thread(unverified.thread).await?;
        let lookups = self
            .prefetch_verification_lookups(
                unverified,
                thread.as_ref(),
                &sender_keys,
                envelope_bytes,
            )
            .await?;
        let message =
            self.verify_with_lookups(sender, &sender_keys, &lookups, envelope_bytes, now)?;
        let envelope_text = String::from_utf8(envelope_bytes.to_vec())
            .map_err(|_| NodeError::invalid("", "the envelope is not UTF-8 JSON"))?;
        self.enforce_node_message_rules(sender, &message, thread.as_ref(), relay.is_none())
            .await?;
        let check = self
            .check_change_for(&message, thread.as_ref(), now)
            .await?;
        let stored_message = Self::stored_message_of(&message, envelope_text, received_at);
        let mut events: Vec<HotlineEvent> = message
            .to
            .iter()
            .map(|party| Self::message_event(&message, party, now))
            .collect();
        let acknowledged_by =
            Self::recipient_replying(ThreadEvent::Acknowledgement, &message, thread.as_ref());
        let answered_by =
            Self::recipient_replying(ThreadEvent::Response, &message, thread.as_ref());
        let request_answer = Self::request_answer_of(&message, &lookups, now);
        let (thread_change, resulting, state_events) = self
            .thread_change_for(&message, thread, now, relay.map(|relay| &relay.thread))
            .await?;
        events.extend(state_events);
        let requests = self.request_rows_of(&message, &resulting, now).await;
        let write = HotlineWrite {
            message: Some(stored_message),
            thread: thread_change,
            events,
            check,
            acknowledged_by,
            answered_by,
            requests,
            request_answer,
            notified: Self::notified_parties_of(&message, now),
        };
        let mut announced: Vec<PartyId> = resulting.participants.clone();
        announced.sort();
        announced.dedup();
        let log_entries =
            Self::acceptance_log_entries(&message, write.check.as_ref(), envelope_bytes, now);
        let federation_writes = match relay {
            None => {
                self.relay_writes_for_message(&message, envelope_bytes, &resulting, now)
                    .await?
            }
            Some(relay) => vec![redline_store::StoreWrite::Federation(Box::new(
                redline_store::FederationWrite::RecordRelayReceived {
                    peer: relay.peer.clone(),
                    subject: relay.subject.clone(),
                    accepted_at: relay.accepted_at,
                    received_at,
                },
            ))],
        };
        self.commit_accepted_message(write, federation_writes, log_entries, message.id)
            .await?;
        if relay.is_none() && !self.peers().is_empty() {
            self.federation.relay_wakeup.notify_one();
        }
        tracing::info!(
            message = %message.id,
            thread = %message.thread,
            from = %message.from,
            kind = message.kind().as_str(),
            "hotline message accepted"
        );
        self.announce(announced).await;
        self.hotline.scheduler_wakeup.notify_one();
        Ok(AcceptedMessage {
            id: message.id,
            thread: message.thread,
            received_at,
            thread_state: resulting.state.as_str().to_string(),
            acknowledge_by: resulting.acknowledge_by,
            respond_by: resulting.respond_by,
        })
    }

    /// Acceptance, stage 1: the sender's registered keys (none for an unknown sender).
    async fn sender_keys(&self, sender: &PartyId) -> Result<Vec<PartyKey>, NodeError> {
        let sender_party = self.store.get_party(sender).await?;
        Ok(sender_party
            .as_ref()
            .map(|party| party.keys.clone())
            .unwrap_or_default())
    }

    /// Acceptance, stage 2: what the pure check needs from the store — whether the id was
    /// seen, which recipients exist, the thread's participants, the referenced message, and
    /// the owners of signing keys that are not the sender's.
    async fn prefetch_verification_lookups(
        &self,
        unverified: &HotlineMessage,
        thread: Option<&StoredThread>,
        sender_keys: &[PartyKey],
        envelope_bytes: &[u8],
    ) -> Result<PrefetchedLookups, NodeError> {
        let mut lookups = PrefetchedLookups::default();
        if self.store.hotline_message_exists(unverified.id).await? {
            lookups.seen_message_ids.insert(unverified.id);
        }
        let missing = self.missing_parties(&unverified.to).await?;
        lookups.known_parties.extend(
            unverified
                .to
                .iter()
                .filter(|party| !missing.contains(party))
                .cloned(),
        );
        if let Some(thread) = thread {
            lookups
                .thread_participants
                .insert(thread.id, thread.participants.clone());
        }
        if let Some(reference) = unverified.body.reference()
            && let Some(referenced) = self.store.get_hotline_message(reference.id).await?
        {
            let kind = MessageKind::parse(&referenced.kind).ok_or_else(|| {
                NodeError::Internal(format!(
                    "stored message {} has an unknown kind `{}`",
                    referenced.id, referenced.kind
                ))
            })?;
            lookups.referenced_messages.insert(
                reference.id,
                redline_hotline::ReferencedMessage {
                    thread: referenced.thread_id,
                    from: referenced.from,
                    to: referenced.recipients,
                    kind,
                },
            );
        }
        if let MessageBody::RequestOutcome(body) = &unverified.body {
            let rows = self
                .store
                .list_hotline_requests(&HotlineRequestQuery {
                    request: Some(body.request),
                    party: Some(unverified.from.clone()),
                    include_exercises: true,
                    ..Default::default()
                })
                .await?;
            if let Some(outcome) = rows.first().and_then(|row| row.outcome) {
                lookups
                    .request_outcomes
                    .insert((body.request, unverified.from.clone()), outcome);
            }
        }
        if let Ok(envelope) = redline_hotline::Envelope::parse(envelope_bytes) {
            for signature in &envelope.signatures {
                if let Some(key_id) = &signature.key_id
                    && !sender_keys.iter().any(|key| &key.key_id == key_id)
                    && let Some(owner) = self.store.key_owner(key_id).await?
                {
                    lookups.key_owners.insert(key_id.clone(), owner);
                }
            }
        }
        Ok(lookups)
    }

    /// Acceptance, stage 3: the pure check (`redline_hotline::verify_message`).
    fn verify_with_lookups(
        &self,
        sender: &PartyId,
        sender_keys: &[PartyKey],
        lookups: &PrefetchedLookups,
        envelope_bytes: &[u8],
        now: Timestamp,
    ) -> Result<HotlineMessage, NodeError> {
        let context = VerificationContext {
            authenticated_sender: sender,
            sender_keys,
            now,
            allowed_clock_skew: self.hotline_settings().allowed_clock_skew,
            lookups,
        };
        let verified = verify_message(envelope_bytes, &context).map_err(NodeError::Rejected)?;
        Ok(verified.message)
    }

    /// Acceptance, stage 4: the node's own rules — the incident exists and the sender may see
    /// it, exercise incidents and threads stay exercise ones, a check opens its own thread.
    async fn enforce_node_message_rules(
        &self,
        sender: &PartyId,
        message: &HotlineMessage,
        thread: Option<&StoredThread>,
        incident_is_here: bool,
    ) -> Result<(), NodeError> {
        // A relayed message's incident lives on its sender's home node, which checked it.
        if let Some(incident) = message.incident.as_ref().filter(|_| incident_is_here) {
            let found = self
                .get_incident(&Caller::Party(sender.clone()), incident)
                .await
                .map_err(|_| {
                    NodeError::invalid(
                        "incident",
                        format!("incident {incident} does not exist or you may not see it"),
                    )
                })?;
            // Tabletop exercises: an exercise incident is talked about in exercise messages only.
            if found.report.exercise != message.exercise {
                return Err(NodeError::invalid(
                    "exercise",
                    format!(
                        "incident {incident} is {}an exercise incident; a message about it must say exercise: {}",
                        if found.report.exercise { "" } else { "not " },
                        found.report.exercise
                    ),
                ));
            }
        }
        if let Some(thread) = thread {
            if thread.exercise != message.exercise {
                return Err(NodeError::invalid(
                    "exercise",
                    format!(
                        "thread {} is {}an exercise thread; every message in it must say exercise: {}",
                        thread.id,
                        if thread.exercise { "" } else { "not " },
                        thread.exercise
                    ),
                ));
            }
            if message.kind() == MessageKind::CommunicationCheck {
                return Err(NodeError::invalid(
                    "kind",
                    "a communication check opens a thread of its own; use a new thread id",
                ));
            }
        }
        Ok(())
    }

    /// Acceptance, stage 5: the message as stored.
    fn stored_message_of(
        message: &HotlineMessage,
        envelope_text: String,
        now: Timestamp,
    ) -> StoredMessage {
        StoredMessage {
            sequence: 0,
            id: message.id,
            thread_id: message.thread,
            from: message.from.clone(),
            recipients: message.to.clone(),
            kind: message.kind().as_str().to_string(),
            sent_at: message.sent_at,
            received_at: now,
            incident_id: message.incident.as_ref().map(|id| id.as_str().to_string()),
            tlp: message.tlp.as_str().to_string(),
            exercise: message.exercise,
            envelope: envelope_text,
        }
    }

    /// Acceptance, stage 5: the `message` event a recipient's stream gets.
    fn message_event(message: &HotlineMessage, party: &PartyId, now: Timestamp) -> HotlineEvent {
        HotlineEvent {
            sequence: 0,
            party: party.clone(),
            kind: "message".to_string(),
            thread_id: message.thread,
            message_id: Some(message.id),
            created_at: now,
            detail: json!({
                "from": message.from,
                "to": message.to,
                "kind": message.kind().as_str(),
                "sent_at": message.sent_at,
                "tlp": message.tlp.as_str(),
                "exercise": message.exercise,
                "incident": message.incident,
            })
            .to_string(),
        }
    }

    /// Acceptance, stage 5: the recipient whose reply of the kind `event` the message is, as the
    /// thread machine counts one (the opener's own messages never are). Kept per recipient:
    /// its acknowledgement for the public figures (in a thread with several recipients each
    /// acknowledges), its first substantive reply (a response, check reply, assistance offer or
    /// request outcome: `ThreadEvent::Response`) for its initial-reply duty.
    fn recipient_replying(
        event: ThreadEvent,
        message: &HotlineMessage,
        thread: Option<&StoredThread>,
    ) -> Option<PartyId> {
        thread
            .filter(|existing| message.from != existing.opened_by)
            .filter(|_| ThreadEvent::for_message_kind(message.kind()) == Some(event))
            .map(|_| message.from.clone())
    }

    /// Acceptance, stage 5: the answer a message gives a request — an outcome (moved only from
    /// the outcome verification read), or an offer naming the request.
    fn request_answer_of(
        message: &HotlineMessage,
        lookups: &PrefetchedLookups,
        now: Timestamp,
    ) -> Option<RequestAnswer> {
        use redline_hotline::MessageLookups;
        match &message.body {
            MessageBody::RequestOutcome(body) => Some(RequestAnswer {
                request_id: body.request,
                party: message.from.clone(),
                at: now,
                outcome: Some((
                    body.outcome,
                    lookups.latest_request_outcome(body.request, &message.from),
                )),
            }),
            MessageBody::AssistanceOffer(body) => body.request.map(|request| RequestAnswer {
                request_id: request,
                party: message.from.clone(),
                at: now,
                outcome: None,
            }),
            _ => None,
        }
    }

    /// Acceptance, stage 5: the rows of an assistance or mitigation request, one per recipient,
    /// each with the deadline of its answer from the thread's document and severity
    /// (`redline_hotline::duties_kept::assistance_answer_duty`: the document's assistance-answer
    /// duty, else its initial-reply duty).
    async fn request_rows_of(
        &self,
        message: &HotlineMessage,
        thread: &StoredThread,
        now: Timestamp,
    ) -> Vec<HotlineRequestRow> {
        if !redline_hotline::request_outcome::takes_an_outcome(message.kind()) {
            return Vec::new();
        }
        let duties = match self.norms_document_by_sha(&thread.norms_sha256).await {
            Some(document) => duties_table_of(&document),
            None => DutiesTable::default(),
        };
        let answer =
            redline_hotline::duties_kept::assistance_answer_duty(&duties, thread.severity_level);
        message
            .to
            .iter()
            .map(|party| HotlineRequestRow {
                request_id: message.id,
                party: party.clone(),
                thread_id: message.thread,
                kind: message.kind(),
                from: message.from.clone(),
                exercise: message.exercise,
                requested_at: now,
                answer_by: answer
                    .and_then(|(_, within)| redline_hotline::deadline_for(now, within)),
                answer_duty: answer.map(|(duty, _)| duty),
                answered_at: None,
                outcome: None,
                outcome_at: None,
            })
            .collect()
    }

    /// Acceptance, stage 5: a notification about an incident fulfils its reporter's notify
    /// duties to the parties it is addressed to (the store matches the reporter and the first
    /// notification only).
    fn notified_parties_of(message: &HotlineMessage, now: Timestamp) -> Option<NotifiedParties> {
        if message.kind() != MessageKind::Notification {
            return None;
        }
        message.incident.as_ref().map(|incident| NotifiedParties {
            incident_id: incident.as_str().to_string(),
            reported_by: message.from.clone(),
            parties: message.to.clone(),
            at: now,
        })
    }

    /// Acceptance, stage 6: the thread the message opens or moves, the thread as it results,
    /// and a `state` event for every participant when its state changes.
    async fn thread_change_for(
        &self,
        message: &HotlineMessage,
        thread: Option<StoredThread>,
        now: Timestamp,
        relayed_times: Option<&RelayedThreadTimes>,
    ) -> Result<(ThreadChange, StoredThread, Vec<HotlineEvent>), NodeError> {
        let Some(existing) = thread else {
            let mut opened = self.open_thread(message, now).await?;
            if let Some(times) = relayed_times {
                // The node that opened the thread set its duties: both nodes keep them.
                opened.opened_at = times.opened_at;
                opened.updated_at = times.opened_at;
                opened.severity_level = times.severity_level;
                opened.norms_sha256 = times.norms_sha256.clone();
                opened.acknowledge_by = times.acknowledge_by;
                opened.respond_by = times.respond_by;
            }
            return Ok((ThreadChange::Open(opened.clone()), opened, Vec::new()));
        };
        let mut updated = existing.clone();
        for recipient in &message.to {
            if !updated.participants.contains(recipient) {
                updated.participants.push(recipient.clone());
            }
        }
        updated.updated_at = now;
        let counts = match message.kind() {
            MessageKind::Closure => true,
            // Only a recipient can acknowledge or answer; the opener's own follow-ups
            // do not move the thread.
            _ => message.from != existing.opened_by,
        };
        if let Some(event) = ThreadEvent::for_message_kind(message.kind())
            && counts
        {
            updated = apply_thread_event(&updated, event, now)
                .map_err(|invalid| NodeError::Conflict(format!("thread: {invalid}")))?;
        }
        let mut state_events = Vec::new();
        if updated.state != existing.state {
            for participant in &updated.participants {
                state_events.push(state_event(
                    participant,
                    &updated,
                    existing.state,
                    now,
                    message.kind().as_str(),
                ));
            }
        }
        Ok((
            ThreadChange::Update {
                thread: updated.clone(),
                expected_state: existing.state,
            },
            updated,
            state_events,
        ))
    }

    /// Acceptance, stage 7: the log entries — the envelope's hash (never its content), and the
    /// communication check's start or answer when the message carries one.
    fn acceptance_log_entries(
        message: &HotlineMessage,
        check: Option<&CheckChange>,
        envelope_bytes: &[u8],
        now: Timestamp,
    ) -> Vec<crate::log::LogEntry> {
        let mut log_entries = vec![
            crate::log::LogEntry::new(
                crate::log::LogEntryKind::HotlineMessage,
                Some(message.from.as_str().to_string()),
                message.id.to_string(),
                now,
                envelope_bytes,
            )
            .exercise(message.exercise),
        ];
        if let Some(check) = check {
            let (check_id, record) = match check {
                CheckChange::Start(started) => (
                    started.id,
                    json!({"started": started.id, "by": started.started_by, "targets": started.targets.iter().map(|target| target.party.as_str()).collect::<Vec<_>>()}),
                ),
                CheckChange::Answer {
                    check_id,
                    party,
                    at,
                } => (
                    *check_id,
                    json!({"answered": check_id, "by": party, "at": at}),
                ),
            };
            log_entries.push(
                crate::log::LogEntry::new(
                    crate::log::LogEntryKind::CommunicationCheck,
                    Some(message.from.as_str().to_string()),
                    check_id.to_string(),
                    now,
                    record.to_string().as_bytes(),
                )
                .exercise(message.exercise),
            );
        }
        log_entries
    }

    /// Acceptance, stage 8: one commit of the write and its log entries. A conflict is a replay
    /// when the message id is now stored, and otherwise a lost race to retry.
    async fn commit_accepted_message(
        &self,
        write: HotlineWrite,
        federation_writes: Vec<StoreWrite>,
        log_entries: Vec<crate::log::LogEntry>,
        message_id: Uuid,
    ) -> Result<(), NodeError> {
        let mut writes = vec![StoreWrite::Hotline(Box::new(write))];
        writes.extend(federation_writes);
        match self.commit_logged(writes, log_entries).await {
            Ok(()) => Ok(()),
            Err(NodeError::Conflict(message_text)) => {
                if self.store.hotline_message_exists(message_id).await? {
                    return Err(NodeError::Rejected(Rejection::ReplayedMessage {
                        message_id,
                    }));
                }
                Err(NodeError::Conflict(format!("retry: {message_text}")))
            }
            Err(other) => Err(other),
        }
    }

    /// The thread a message opens, with its deadlines from the duties of the norms document
    /// that applies and the incident's assessed severity.
    async fn open_thread(
        &self,
        message: &HotlineMessage,
        now: Timestamp,
    ) -> Result<StoredThread, NodeError> {
        let (document, severity_level) = self.duties_context(message).await?;
        let duties = duties_table_of(&document);
        let deadlines = if message.kind() == MessageKind::CommunicationCheck {
            // A check asks for a reply within the acknowledgement duty.
            redline_hotline::ThreadDeadlines {
                acknowledge_by: None,
                respond_by: duties
                    .duty_for(DutyKind::Acknowledge, 0)
                    .and_then(|within| redline_hotline::deadline_for(now, within)),
            }
        } else {
            duties.thread_deadlines(now, severity_level)
        };
        let mut participants = vec![message.from.clone()];
        participants.extend(message.to.iter().cloned());
        participants.sort();
        participants.dedup();
        Ok(StoredThread {
            id: message.thread,
            opened_by: message.from.clone(),
            opening_message_id: message.id,
            opening_kind: message.kind(),
            incident_id: message.incident.as_ref().map(|id| id.as_str().to_string()),
            tlp: message.tlp,
            exercise: message.exercise,
            state: ThreadState::Sent,
            severity_level,
            norms_sha256: document.sha256.clone(),
            opened_at: now,
            updated_at: now,
            acknowledge_by: deadlines.acknowledge_by,
            respond_by: deadlines.respond_by,
            delivered_at: None,
            acknowledged_at: None,
            answered_at: None,
            closed_at: None,
            acknowledgement_overdue_at: None,
            response_overdue_at: None,
            participants,
        })
    }

    /// The norms document whose duties apply to a new thread, and the severity level: for an
    /// incident, its latest assessment; otherwise the document adopted by the first recipient
    /// and the level the sender states (0 if none).
    async fn duties_context(
        &self,
        message: &HotlineMessage,
    ) -> Result<(Arc<NormsDocument>, u8), NodeError> {
        let stated_level = match &message.body {
            MessageBody::Notification(body) => body.severity_level.unwrap_or(0),
            _ => 0,
        };
        if let Some(incident_id) = &message.incident
            && let Some(assessment) = self.store.get_latest_assessment(incident_id).await?
            && let Some(document) = self.norms_document_by_sha(&assessment.norms_sha256).await
        {
            let level = serde_json::from_str::<serde_json::Value>(&assessment.assessment_json)
                .ok()
                .and_then(|value| value.pointer("/severity/level")?.as_u64())
                .and_then(|level| u8::try_from(level).ok())
                .unwrap_or(stated_level);
            return Ok((document, level));
        }
        let document = match message.to.first() {
            Some(recipient) => self.document_adopted_by(recipient).await,
            None => None,
        };
        let document = match document {
            Some(document) => document,
            None => self.baseline_document().await.ok_or_else(|| {
                NodeError::Internal("the node has no baseline norms document loaded".into())
            })?,
        };
        Ok((document, stated_level))
    }

    /// The communication-check change a message causes, checking its references.
    async fn check_change_for(
        &self,
        message: &HotlineMessage,
        thread: Option<&StoredThread>,
        now: Timestamp,
    ) -> Result<Option<CheckChange>, NodeError> {
        match &message.body {
            MessageBody::CommunicationCheck(body) => {
                if self
                    .store
                    .get_communication_check(body.check_id)
                    .await?
                    .is_some()
                {
                    return Err(NodeError::Conflict(format!(
                        "body.check_id: communication check {} exists already",
                        body.check_id
                    )));
                }
                let (document, _) = self.duties_context(message).await?;
                let reply_within = duties_table_of(&document)
                    .duty_for(DutyKind::Acknowledge, 0)
                    .unwrap_or(SignedDuration::from_hours(1));
                let reply_by = redline_hotline::deadline_for(now, reply_within).unwrap_or(now);
                Ok(Some(CheckChange::Start(CommunicationCheck {
                    id: body.check_id,
                    thread_id: message.thread,
                    started_by: message.from.clone(),
                    started_at: now,
                    reply_by,
                    exercise: message.exercise,
                    targets: message
                        .to
                        .iter()
                        .map(|party| CheckTarget {
                            party: party.clone(),
                            answered_at: None,
                        })
                        .collect(),
                })))
            }
            MessageBody::CheckReply(body) => {
                let check = self.store.get_communication_check(body.check_id).await?;
                let Some(check) = check else {
                    return Err(NodeError::invalid(
                        "body.check_id",
                        format!("there is no communication check {}", body.check_id),
                    ));
                };
                if Some(check.thread_id) != thread.map(|thread| thread.id) {
                    return Err(NodeError::invalid(
                        "thread",
                        format!(
                            "the reply to check {} belongs in thread {}",
                            check.id, check.thread_id
                        ),
                    ));
                }
                if !check
                    .targets
                    .iter()
                    .any(|target| target.party == message.from)
                {
                    return Err(NodeError::Forbidden(format!(
                        "check {} was not sent to {}",
                        check.id, message.from
                    )));
                }
                Ok(Some(CheckChange::Answer {
                    check_id: check.id,
                    party: message.from.clone(),
                    at: now,
                }))
            }
            _ => Ok(None),
        }
    }

    fn require_participant(
        caller: &Caller,
        thread: &StoredThread,
    ) -> Result<Option<PartyId>, NodeError> {
        match caller {
            Caller::Operator => Ok(None),
            Caller::Party(party) if thread.participants.contains(party) => Ok(Some(party.clone())),
            Caller::Party(_) => Err(NodeError::NotFound(format!("thread {}", thread.id))),
        }
    }

    /// A thread with its messages, for its participants (and the operator). Reading it counts
    /// as delivery to the reader.
    pub async fn get_thread_view(
        &self,
        caller: &Caller,
        id: Uuid,
    ) -> Result<ThreadView, NodeError> {
        let thread = self
            .store
            .get_thread(id)
            .await?
            .ok_or_else(|| NodeError::NotFound(format!("thread {id}")))?;
        let viewer = Self::require_participant(caller, &thread)?;
        if let Some(viewer) = &viewer {
            self.note_delivery(viewer, &[thread.id]).await?;
        }
        let thread = self.store.get_thread(id).await?.unwrap_or(thread);
        let messages = self.store.list_thread_messages(id).await?;
        let requests = self.requests_of(&thread, &messages).await?;
        Ok(ThreadView {
            thread: summary_of(&thread, viewer.as_ref()),
            messages: messages.iter().map(message_view).collect(),
            requests,
        })
    }

    /// Where each request of a thread stands: the outcomes replayed from the signed messages
    /// (`redline_hotline::requests_of_thread`), with each recipient's answer deadline from the
    /// store.
    async fn requests_of(
        &self,
        thread: &StoredThread,
        messages: &[StoredMessage],
    ) -> Result<Vec<RequestView>, NodeError> {
        let has_requests = messages.iter().any(|message| {
            MessageKind::parse(&message.kind)
                .is_some_and(redline_hotline::request_outcome::takes_an_outcome)
        });
        if !has_requests {
            return Ok(Vec::new());
        }
        let mut parsed = Vec::with_capacity(messages.len());
        for message in messages {
            let envelope =
                redline_hotline::Envelope::parse(message.envelope.as_bytes()).map_err(|error| {
                    NodeError::Internal(format!(
                        "stored message {} no longer parses: {error}",
                        message.id
                    ))
                })?;
            let payload = HotlineMessage::parse(&envelope.payload).map_err(|error| {
                NodeError::Internal(format!(
                    "stored message {} no longer parses: {error}",
                    message.id
                ))
            })?;
            parsed.push((payload, message.received_at));
        }
        let replayed: Vec<(&HotlineMessage, Timestamp)> =
            parsed.iter().map(|(message, at)| (message, *at)).collect();
        let rows = self
            .store
            .list_hotline_requests(&HotlineRequestQuery {
                thread: Some(thread.id),
                include_exercises: true,
                ..Default::default()
            })
            .await?;
        Ok(redline_hotline::requests_of_thread(&replayed)
            .into_iter()
            .map(|status| RequestView {
                recipients: status
                    .recipients
                    .into_iter()
                    .map(|recipient| {
                        let row = rows.iter().find(|row| {
                            row.request_id == status.request && row.party == recipient.party
                        });
                        RequestRecipientView {
                            answer_by: row.and_then(|row| row.answer_by),
                            answer_duty: row.and_then(|row| row.answer_duty),
                            answered_at: row.and_then(|row| row.answered_at),
                            party: recipient.party,
                            outcome: recipient.outcome,
                            steps: recipient.steps,
                            offers: recipient.offers,
                        }
                    })
                    .collect(),
                request: status.request,
                kind: status.kind,
                from: status.from,
                requested_at: status.requested_at,
            })
            .collect())
    }

    /// One message, for the participants of its thread.
    pub async fn get_message(&self, caller: &Caller, id: Uuid) -> Result<MessageView, NodeError> {
        let message = self
            .store
            .get_hotline_message(id)
            .await?
            .ok_or_else(|| NodeError::NotFound(format!("message {id}")))?;
        let thread = self
            .store
            .get_thread(message.thread_id)
            .await?
            .ok_or_else(|| NodeError::NotFound(format!("message {id}")))?;
        Self::require_participant(caller, &thread)
            .map_err(|_| NodeError::NotFound(format!("message {id}")))?;
        Ok(message_view(&message))
    }

    /// A message rendered as its standard form in `language` (a BCP 47 tag; the six UN
    /// languages, English otherwise).
    pub async fn render_message_form(
        &self,
        caller: &Caller,
        id: Uuid,
        preferred_languages: &[String],
    ) -> Result<redline_hotline::RenderedForm, NodeError> {
        self.get_message(caller, id).await?;
        let stored = self
            .store
            .get_hotline_message(id)
            .await?
            .ok_or_else(|| NodeError::NotFound(format!("message {id}")))?;
        let message = read_unverified_message(stored.envelope.as_bytes()).map_err(|rejection| {
            NodeError::Internal(format!("stored message {id}: {rejection}"))
        })?;
        let language = redline_hotline::FormLanguage::choose(preferred_languages);
        redline_hotline::render_form(&message, language)
            .map_err(|error| NodeError::Internal(error.to_string()))
    }

    /// The threads a party takes part in (every thread for the operator), newest activity first.
    pub async fn inbox(
        &self,
        caller: &Caller,
        limit: u32,
    ) -> Result<Vec<ThreadSummary>, NodeError> {
        let limit = checked_page_size(limit, MAXIMUM_PAGE_SIZE)?;
        let threads = self.store.list_threads(caller.party(), limit).await?;
        Ok(threads
            .iter()
            .map(|thread| summary_of(thread, caller.party()))
            .collect())
    }

    /// A party's events after `after_sequence`, oldest first. Message events delivered here
    /// count as delivery of their thread to the party.
    pub async fn list_events(
        &self,
        party: &PartyId,
        after_sequence: i64,
        limit: u32,
    ) -> Result<Vec<EventView>, NodeError> {
        let events = self.read_events(party, after_sequence, limit).await?;
        self.record_delivery(party, &events).await?;
        Ok(events)
    }

    /// A party's events after `after_sequence`, oldest first, without recording delivery: for
    /// a stream that hands the events over first and then calls [`Node::record_delivery`], so
    /// that recording delivery never delays a message.
    pub async fn read_events(
        &self,
        party: &PartyId,
        after_sequence: i64,
        limit: u32,
    ) -> Result<Vec<EventView>, NodeError> {
        let events = self
            .store
            .list_hotline_events(
                party,
                after_sequence,
                checked_page_size(limit, MAXIMUM_EVENTS_PAGE_SIZE)?,
            )
            .await?;
        Ok(events.into_iter().map(EventView::from).collect())
    }

    /// Records that `party` received these events: each thread of a message event that is
    /// still `sent` becomes `delivered`.
    pub async fn record_delivery(
        &self,
        party: &PartyId,
        events: &[EventView],
    ) -> Result<(), NodeError> {
        let mut threads: Vec<Uuid> = events
            .iter()
            .filter(|event| event.kind == "message")
            .map(|event| event.thread)
            .collect();
        threads.sort_unstable();
        threads.dedup();
        if threads.is_empty() {
            return Ok(());
        }
        self.note_delivery(party, &threads).await
    }

    /// Records that `party` received the threads' messages: a thread still `sent` becomes
    /// `delivered` when a recipient first receives it. The threads are written concurrently,
    /// so the store's writer commits them together (one fsync for a burst, not one each).
    pub(crate) async fn note_delivery(
        &self,
        party: &PartyId,
        threads: &[Uuid],
    ) -> Result<(), NodeError> {
        let pending: Vec<Uuid> = match self.hotline.delivered.lock() {
            Ok(delivered) => threads
                .iter()
                .filter(|thread_id| !delivered.contains(&(**thread_id, party.clone())))
                .copied()
                .collect(),
            Err(_) => threads.to_vec(),
        };
        let outcomes = futures::future::join_all(
            pending
                .iter()
                .map(|thread_id| self.note_delivery_of_thread(party, *thread_id)),
        )
        .await;
        outcomes.into_iter().collect()
    }

    async fn note_delivery_of_thread(
        &self,
        party: &PartyId,
        thread_id: Uuid,
    ) -> Result<(), NodeError> {
        let key = (thread_id, party.clone());
        for _ in 0..4 {
            let Some(thread) = self.store.get_thread(thread_id).await? else {
                break;
            };
            if thread.state != ThreadState::Sent || &thread.opened_by == party {
                break;
            }
            let now = self.now();
            let relays = self.relay_writes_for_delivery(&thread, party, now).await?;
            match self.deliver_thread(&thread, now, relays).await {
                Ok(true) => break,
                Ok(false) => continue,
                Err(error) => return Err(error),
            }
        }
        if let Ok(mut delivered) = self.hotline.delivered.lock() {
            // A memo only (forgetting costs one read of the thread), so it stays bounded on a
            // node that runs for months.
            if delivered.len() >= DELIVERED_MEMO_LIMIT {
                delivered.clear();
            }
            delivered.insert(key);
        }
        Ok(())
    }

    /// Moves `thread` from `sent` to `delivered` at `at`, with `extra` writes in the same
    /// transaction (relays of the delivery, or the relay's receipt). `Ok(false)`: the thread
    /// changed meanwhile (read it again); `Ok(true)`: done, or nothing to do.
    async fn deliver_thread(
        &self,
        thread: &StoredThread,
        at: Timestamp,
        extra: Vec<StoreWrite>,
    ) -> Result<bool, NodeError> {
        let Ok(updated) = apply_thread_event(thread, ThreadEvent::Delivery, at) else {
            return Ok(true);
        };
        let events = updated
            .participants
            .iter()
            .map(|participant| state_event(participant, &updated, thread.state, at, "delivery"))
            .collect();
        let write = HotlineWrite::of(
            ThreadChange::Update {
                thread: updated.clone(),
                expected_state: thread.state,
            },
            events,
        );
        let outcome = if extra.is_empty() {
            self.store
                .apply_hotline_write(&write)
                .await
                .map_err(NodeError::from)
        } else {
            let mut writes = vec![StoreWrite::Hotline(Box::new(write))];
            writes.extend(extra);
            self.commit_logged(writes, Vec::new()).await
        };
        match outcome {
            Ok(()) => {
                self.announce(updated.participants.clone()).await;
                if !self.peers().is_empty() {
                    self.federation.relay_wakeup.notify_one();
                }
                Ok(true)
            }
            Err(NodeError::Conflict(_)) => Ok(false),
            Err(other) => Err(other),
        }
    }

    /// A delivery reported by the recipient's home node (`federation`): the thread becomes
    /// `delivered` at that node's time, with the relay's receipt in the same transaction.
    pub(crate) async fn apply_relayed_delivery(
        &self,
        thread: &StoredThread,
        party: &PartyId,
        delivered_at: Timestamp,
        received: StoreWrite,
    ) -> Result<(), NodeError> {
        let mut current = thread.clone();
        for _ in 0..4 {
            if current.state != ThreadState::Sent || &current.opened_by == party {
                // Nothing to move; the receipt alone makes the relay idempotent.
                return self.commit_logged(vec![received], Vec::new()).await;
            }
            if self
                .deliver_thread(&current, delivered_at, vec![received.clone()])
                .await?
            {
                return Ok(());
            }
            match self.store.get_thread(thread.id).await? {
                Some(fresh) => current = fresh,
                None => break,
            }
        }
        Err(NodeError::Conflict(format!(
            "thread {}: too many concurrent changes; send again",
            thread.id
        )))
    }

    /// A communication check with each target's answer and how fast it came.
    pub async fn get_communication_check(
        &self,
        caller: &Caller,
        id: Uuid,
    ) -> Result<CheckStatus, NodeError> {
        let check = self
            .store
            .get_communication_check(id)
            .await?
            .ok_or_else(|| NodeError::NotFound(format!("communication check {id}")))?;
        if let Caller::Party(party) = caller
            && party != &check.started_by
            && !check.targets.iter().any(|target| &target.party == party)
        {
            return Err(NodeError::NotFound(format!("communication check {id}")));
        }
        Ok(check_status(&check, self.now()))
    }

    /// The newest communication checks `reader` may read: `clear` checks for anyone, `green`
    /// for every party, restricted ones for their participants only (the TLP rule of
    /// `redline_model::readership`). Who answered in time is public only as counts
    /// (`communication_check_results`).
    pub async fn list_communication_checks(
        &self,
        reader: redline_model::Reader<'_>,
        limit: u32,
    ) -> Result<Vec<CheckStatus>, NodeError> {
        let now = self.now();
        Ok(self
            .store
            .list_communication_checks(reader, checked_page_size(limit, MAXIMUM_PAGE_SIZE)?)
            .await?
            .iter()
            .filter(|(check, tlp)| check_readership(check, *tlp).admits(reader))
            .map(|(check, _)| check_status(check, now))
            .collect())
    }

    /// Per party: checks received, answered, answered in time, and the median reply time.
    pub async fn communication_check_results(&self) -> Result<Vec<CheckResults>, NodeError> {
        let now = self.now();
        let checks: Vec<CommunicationCheck> = self
            .store
            .list_communication_checks(redline_model::Reader::Operator, 10_000)
            .await?
            .into_iter()
            .map(|(check, _)| check)
            .collect();
        let mut by_party: std::collections::BTreeMap<PartyId, (u32, u32, u32, Vec<i64>)> =
            std::collections::BTreeMap::new();
        for check in &checks {
            for target in &check.targets {
                let entry = by_party.entry(target.party.clone()).or_default();
                let outcome = deadline_outcome(check.reply_by, target.answered_at, now);
                if !outcome.is_due() {
                    continue;
                }
                entry.0 += 1;
                if let Some(answered_at) = target.answered_at {
                    entry.1 += 1;
                    if outcome == DeadlineOutcome::Met {
                        entry.2 += 1;
                    }
                    entry
                        .3
                        .push(answered_at.as_microseconds() - check.started_at.as_microseconds());
                }
            }
        }
        Ok(by_party
            .into_iter()
            .map(
                |(party, (checks_received, answered, answered_in_time, mut latencies))| {
                    latencies.sort_unstable();
                    let median_reply_seconds = (!latencies.is_empty())
                        .then(|| latencies[latencies.len() / 2] as f64 / 1_000_000.0);
                    CheckResults {
                        party,
                        checks_received,
                        answered,
                        answered_in_time,
                        median_reply_seconds,
                    }
                },
            )
            .collect())
    }

    /// Revokes one of a party's keys (the operator, or the party itself). Messages signed with
    /// it after `now` are refused from then on.
    pub async fn revoke_party_key(
        &self,
        caller: &Caller,
        party: &PartyId,
        key_id: &str,
        reason: &str,
    ) -> Result<PartyKey, NodeError> {
        Self::require_self_or_operator(caller, party, "revoke keys")?;
        let now = self.now();
        let current = self.get_party(party).await?;
        let updated = redline_hotline::revoke_key(&current.keys, key_id, reason, now)
            .map_err(|error| NodeError::invalid("key_id", error.to_string()))?;
        let revoked = updated
            .into_iter()
            .find(|key| key.key_id == key_id)
            .ok_or_else(|| NodeError::Internal("revoked key vanished".into()))?;
        self.commit_logged(
            vec![StoreWrite::RevokePartyKey {
                party: party.clone(),
                key_id: key_id.to_string(),
                at: now,
                reason: reason.trim().to_string(),
            }],
            vec![crate::log::party_key_revocation_entry(party, &revoked)],
        )
        .await?;
        tracing::info!(%party, key_id, "party key revoked");
        Ok(revoked)
    }

    /// Rotation: registers a new public key and revokes an old one, with a reason.
    pub async fn rotate_party_key(
        &self,
        caller: &Caller,
        party: &PartyId,
        new_public_key_base64: &str,
        old_key_id: &str,
        reason: &str,
    ) -> Result<PartyKey, NodeError> {
        Self::require_self_or_operator(caller, party, "rotate keys")?;
        let current = self.get_party(party).await?;
        let bytes = crate::parties::decode_public_key("public_key".into(), new_public_key_base64)
            .map_err(|issue| NodeError::Invalid(vec![issue]))?;
        let now = self.now();
        let new_key = PartyKey {
            key_id: crate::parties::key_id_for(&bytes),
            public_key: new_public_key_base64.to_string(),
            added_at: now,
            revoked_at: None,
            revocation_reason: None,
        };
        self.check_key_not_claimed(party, &new_key.key_id)
            .await?
            .map_err(|error| NodeError::invalid("public_key", error.to_string()))?;
        let rotated =
            redline_hotline::rotate_key(&current.keys, new_key.clone(), old_key_id, reason, now)
                .map_err(|error| NodeError::invalid("key", error.to_string()))?;
        let mut entries = vec![crate::log::party_key_entry(party, &new_key)];
        if let Some(revoked) = rotated.iter().find(|key| key.key_id == old_key_id) {
            entries.push(crate::log::party_key_revocation_entry(party, revoked));
        }
        // The new key and the old one's revocation commit together: a crash never leaves
        // both keys current.
        self.commit_logged(
            vec![
                StoreWrite::AddPartyKey {
                    party: party.clone(),
                    key: new_key.clone(),
                },
                StoreWrite::RevokePartyKey {
                    party: party.clone(),
                    key_id: old_key_id.to_string(),
                    at: now,
                    reason: reason.trim().to_string(),
                },
            ],
            entries,
        )
        .await?;
        tracing::info!(%party, new_key = %new_key.key_id, old_key = old_key_id, "party key rotated");
        Ok(new_key)
    }

    fn require_self_or_operator(
        caller: &Caller,
        party: &PartyId,
        action: &str,
    ) -> Result<(), NodeError> {
        match caller {
            Caller::Operator => Ok(()),
            Caller::Party(own) if own == party => Ok(()),
            Caller::Party(own) => Err(NodeError::Forbidden(format!(
                "{own} may not {action} of {party}"
            ))),
        }
    }

    /// Submits an incident and, in the same request, the signed notification that opens its
    /// thread to the affected states. The notification is verified before anything is stored;
    /// it must name the incident's id.
    pub async fn submit_incident_with_notification(
        &self,
        caller: &Caller,
        report_json: &[u8],
        envelope_bytes: &[u8],
    ) -> Result<(redline_model::Incident, AcceptedMessage), NodeError> {
        let report = redline_model::parse_incident_report(report_json, self.now())?;
        let unverified = read_unverified_message(envelope_bytes).map_err(NodeError::Rejected)?;
        if unverified.kind() != MessageKind::Notification {
            return Err(NodeError::invalid(
                "notification.payload.kind",
                "the message sent with an incident must be a notification",
            ));
        }
        let Some(incident_id) = unverified.incident.clone() else {
            return Err(NodeError::invalid(
                "notification.payload.incident",
                "the notification must name the incident it is about",
            ));
        };
        if report.id.as_ref() != Some(&incident_id) {
            return Err(NodeError::invalid(
                "incident.id",
                format!("the report must carry the id the notification names ({incident_id})"),
            ));
        }
        if let Caller::Party(party) = caller
            && party != &unverified.from
        {
            return Err(NodeError::Rejected(Rejection::SenderMismatch {
                claimed: unverified.from.clone(),
                authenticated: party.clone(),
            }));
        }
        // Check the signature before storing the incident: a bad notification stores nothing.
        let sender_keys = self
            .store
            .get_party(&unverified.from)
            .await?
            .map(|party| party.keys)
            .unwrap_or_default();
        {
            let lookups = PrefetchedLookups::default();
            let context = VerificationContext {
                authenticated_sender: &unverified.from,
                sender_keys: &sender_keys,
                now: self.now(),
                allowed_clock_skew: self.hotline_settings().allowed_clock_skew,
                lookups: &lookups,
            };
            // Only the envelope, the signature, the sender and the time are checked here;
            // recipients and the thread are checked for real when the message is accepted below.
            match verify_message(envelope_bytes, &context) {
                Ok(_)
                | Err(Rejection::UnknownRecipient { .. })
                | Err(Rejection::NotAThreadParticipant { .. })
                | Err(Rejection::ReplyToUnknownThread { .. }) => {}
                Err(rejection) => return Err(NodeError::Rejected(rejection)),
            }
        }
        let missing = self.missing_parties(&unverified.to).await?;
        if let Some(index) = unverified
            .to
            .iter()
            .position(|party| missing.contains(party))
        {
            return Err(NodeError::Rejected(Rejection::UnknownRecipient {
                recipient_index: index,
                recipient: unverified.to[index].clone(),
            }));
        }
        let incident = self.submit_incident(caller, report).await?;
        let accepted = self.accept_message(caller, envelope_bytes).await?;
        Ok((incident, accepted))
    }
}

/// A communication check's results.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckStatus {
    pub id: Uuid,
    pub thread: Uuid,
    pub started_by: PartyId,
    pub started_at: Timestamp,
    pub reply_by: Timestamp,
    pub exercise: bool,
    pub targets: Vec<CheckTargetStatus>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckTargetStatus {
    pub party: PartyId,
    /// `answered`, `late` (answered after the deadline), `waiting` or `silent` (deadline passed).
    pub outcome: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_seconds: Option<f64>,
}

/// Per-party communication-check results, for the dashboard.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckResults {
    pub party: PartyId,
    /// Checks whose answer is in or whose deadline has passed.
    pub checks_received: u32,
    pub answered: u32,
    pub answered_in_time: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median_reply_seconds: Option<f64>,
}

/// Who may read a check: its thread's label and participants (the starter and the targets).
fn check_readership(
    check: &CommunicationCheck,
    tlp: redline_model::Tlp,
) -> redline_model::Readership {
    redline_model::Readership::new(
        tlp,
        std::iter::once(check.started_by.clone())
            .chain(check.targets.iter().map(|target| target.party.clone())),
    )
}

fn check_status(check: &CommunicationCheck, now: Timestamp) -> CheckStatus {
    CheckStatus {
        id: check.id,
        thread: check.thread_id,
        started_by: check.started_by.clone(),
        started_at: check.started_at,
        reply_by: check.reply_by,
        exercise: check.exercise,
        targets: check
            .targets
            .iter()
            .map(|target| {
                // The check's own words for the hotline's deadline outcomes.
                let outcome = match deadline_outcome(check.reply_by, target.answered_at, now) {
                    DeadlineOutcome::Met => "answered",
                    DeadlineOutcome::Late => "late",
                    DeadlineOutcome::Missed => "silent",
                    DeadlineOutcome::Pending => "waiting",
                };
                CheckTargetStatus {
                    party: target.party.clone(),
                    outcome: outcome.to_string(),
                    answered_at: target.answered_at,
                    reply_seconds: target.answered_at.map(|at| {
                        (at.as_microseconds() - check.started_at.as_microseconds()) as f64
                            / 1_000_000.0
                    }),
                }
            })
            .collect(),
    }
}
