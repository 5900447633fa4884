//! Acceptance of a hotline message: the complete check, as a pure function.
//!
//! `verify_message` takes the envelope bytes exactly as received and a `VerificationContext`
//! the node fills from its store, and either returns the `VerifiedMessage` or one `Rejection`
//! naming exactly what failed. Checks run in DSSE order — the signature before the payload is
//! parsed — and then the hotline rules:
//!
//! 1. the envelope parses and its payload type is `application/vnd.redline.message+json`;
//! 2. every signature names (`keyid`) a key of the authenticated sender that was not revoked at
//!    `now`, and verifies with `verify_strict`;
//! 3. the payload parses as a message;
//! 4. `from` is the authenticated sender, and no signing key was revoked at or before `sent_at`;
//! 5. `sent_at` lies within the allowed skew of `now`, either way;
//! 6. the message id was never seen;
//! 7. every recipient is a known party;
//! 8. a message into an existing thread comes from one of its participants; a message into a
//!    thread that does not exist must be of a kind that opens one;
//! 9. a message that refers to another (an acknowledgement's `of`, a response's `to`, an
//!    assistance offer's `request`) names a message of the same thread, and an acknowledgement
//!    or a response one that was addressed to the sender: no one acknowledges its own
//!    notification, or a message of another thread, or one that was never sent; a request
//!    outcome's `request` names an assistance or mitigation request of the thread addressed to
//!    the sender (only a recipient answers for itself);
//! 10. a request outcome follows the sender's latest outcome of that request by a step of
//!     `request_outcome::OUTCOME_TRANSITIONS` (declined and completed are final).
//!
//! `now` is the time of reception. Lookups that depend on the payload (seen ids, threads) go
//! through the `MessageLookups` trait; `PrefetchedLookups` holds them as plain data for a node
//! that reads its store first (using `read_unverified_message` to learn the ids to fetch).

use std::collections::{BTreeMap, BTreeSet};

use jiff::SignedDuration;
use redline_model::{ModelError, PartyId, PartyKey, Timestamp, ValidationIssue};
use uuid::Uuid;

use crate::envelope::{Envelope, EnvelopeError, MESSAGE_PAYLOAD_TYPE, verifying_key_of};
use crate::message::{HotlineMessage, MessageBody, MessageKind};
use crate::request_outcome::{RequestOutcomeKind, next_outcome, takes_an_outcome};

/// Answers about the world that depend on the message itself.
pub trait MessageLookups {
    /// Whether a message with this id was accepted before.
    fn has_seen_message(&self, message_id: Uuid) -> bool;
    /// Whether a party with this id is registered.
    fn party_exists(&self, party: &PartyId) -> bool;
    /// The participants of a thread (its opener and every party addressed in it), or `None`
    /// when no thread with this id exists yet.
    fn thread_participants(&self, thread_id: Uuid) -> Option<Vec<PartyId>>;
    /// Which party registered a key id, if any; used only to say "another party's key" rather
    /// than "unknown key" in a rejection.
    fn key_owner(&self, key_id: &str) -> Option<PartyId>;
    /// The message with this id, if one was accepted: what a reference to it is checked
    /// against.
    fn referenced_message(&self, message_id: Uuid) -> Option<ReferencedMessage>;
    /// The latest outcome `party` gave the request `request_id`, if it gave one (rule 10).
    fn latest_request_outcome(
        &self,
        request_id: Uuid,
        party: &PartyId,
    ) -> Option<RequestOutcomeKind>;
}

/// What a message that refers to another needs to know of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferencedMessage {
    pub thread: Uuid,
    pub from: PartyId,
    pub to: Vec<PartyId>,
    pub kind: MessageKind,
}

/// Everything acceptance needs besides the bytes.
pub struct VerificationContext<'context> {
    /// The party the request's credentials (token) belong to.
    pub authenticated_sender: &'context PartyId,
    /// Every key the authenticated sender ever registered, with revocation times.
    pub sender_keys: &'context [PartyKey],
    /// The time of reception.
    pub now: Timestamp,
    /// How far `sent_at` may differ from `now`, in either direction.
    pub allowed_clock_skew: SignedDuration,
    pub lookups: &'context dyn MessageLookups,
}

/// An accepted message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedMessage {
    pub message: HotlineMessage,
    pub envelope: Envelope,
    /// The key ids whose signatures verified, in signature order.
    pub signing_key_ids: Vec<String>,
}

/// Why a message was refused; each variant names exactly what failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Rejection {
    #[error("not a DSSE envelope: {0}")]
    MalformedEnvelope(#[from] EnvelopeError),
    #[error("payloadType `{payload_type}` is not `{MESSAGE_PAYLOAD_TYPE}`")]
    UnsupportedPayloadType { payload_type: String },
    #[error("signatures[{signature_index}]: no keyid; redline signatures must name their key")]
    MissingKeyId { signature_index: usize },
    #[error("signatures[{signature_index}]: key `{key_id}` is not a key of any known party")]
    UnknownKey {
        signature_index: usize,
        key_id: String,
    },
    #[error(
        "signatures[{signature_index}]: key `{key_id}` belongs to `{owner}`, not to the sender `{sender}`"
    )]
    KeyOfAnotherParty {
        signature_index: usize,
        key_id: String,
        owner: PartyId,
        sender: PartyId,
    },
    #[error("signatures[{signature_index}]: key `{key_id}` was revoked at {revoked_at}")]
    RevokedKey {
        signature_index: usize,
        key_id: String,
        revoked_at: Timestamp,
    },
    #[error("signatures[{signature_index}]: registered key `{key_id}` is unusable: {reason}")]
    UnusableRegisteredKey {
        signature_index: usize,
        key_id: String,
        reason: String,
    },
    #[error("signatures[{signature_index}]: the signature by key `{key_id}` does not verify")]
    BadSignature {
        signature_index: usize,
        key_id: String,
    },
    /// The payload is not a valid message; every problem with its JSON path.
    #[error("payload: {}", issues.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    MalformedPayload { issues: Vec<ValidationIssue> },
    #[error(
        "from: the message says `{claimed}` but the credentials are those of `{authenticated}`"
    )]
    SenderMismatch {
        claimed: PartyId,
        authenticated: PartyId,
    },
    #[error("sent_at: {sent_at} is more than {allowed_clock_skew:#} before now ({now})")]
    SentTooLongAgo {
        sent_at: Timestamp,
        now: Timestamp,
        allowed_clock_skew: SignedDuration,
    },
    #[error("sent_at: {sent_at} is more than {allowed_clock_skew:#} after now ({now})")]
    SentInTheFuture {
        sent_at: Timestamp,
        now: Timestamp,
        allowed_clock_skew: SignedDuration,
    },
    #[error("id: message {message_id} was already received")]
    ReplayedMessage { message_id: Uuid },
    #[error("to[{recipient_index}]: `{recipient}` is not a registered party")]
    UnknownRecipient {
        recipient_index: usize,
        recipient: PartyId,
    },
    #[error("thread: `{sender}` is not a participant of thread {thread}")]
    NotAThreadParticipant { thread: Uuid, sender: PartyId },
    #[error("thread: thread {thread} does not exist, and a {kind} cannot open one", kind = kind.as_str())]
    ReplyToUnknownThread { thread: Uuid, kind: MessageKind },
    #[error("{field}: {reason}")]
    BadReference {
        field: &'static str,
        referenced: Uuid,
        reason: String,
    },
    #[error("body.outcome: request {request}: {refusal}")]
    RefusedOutcome {
        request: Uuid,
        refusal: crate::request_outcome::InvalidOutcomeTransition,
    },
}

impl Rejection {
    /// A short, stable name for the rejection, for counters, logs and API error codes.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::MalformedEnvelope(_) => "malformed-envelope",
            Rejection::UnsupportedPayloadType { .. } => "unsupported-payload-type",
            Rejection::MissingKeyId { .. } => "missing-key-id",
            Rejection::UnknownKey { .. } => "unknown-key",
            Rejection::KeyOfAnotherParty { .. } => "key-of-another-party",
            Rejection::RevokedKey { .. } => "revoked-key",
            Rejection::UnusableRegisteredKey { .. } => "unusable-registered-key",
            Rejection::BadSignature { .. } => "bad-signature",
            Rejection::MalformedPayload { .. } => "malformed-payload",
            Rejection::SenderMismatch { .. } => "sender-mismatch",
            Rejection::SentTooLongAgo { .. } => "sent-too-long-ago",
            Rejection::SentInTheFuture { .. } => "sent-in-the-future",
            Rejection::ReplayedMessage { .. } => "replayed-message",
            Rejection::UnknownRecipient { .. } => "unknown-recipient",
            Rejection::NotAThreadParticipant { .. } => "not-a-thread-participant",
            Rejection::ReplyToUnknownThread { .. } => "reply-to-unknown-thread",
            Rejection::BadReference { .. } => "bad-reference",
            Rejection::RefusedOutcome { .. } => "refused-outcome",
        }
    }
}

/// The complete acceptance check of one received envelope; see the module header for the order.
pub fn verify_message(
    envelope_bytes: &[u8],
    context: &VerificationContext<'_>,
) -> Result<VerifiedMessage, Rejection> {
    let envelope = Envelope::parse(envelope_bytes)?;
    if envelope.payload_type != MESSAGE_PAYLOAD_TYPE {
        return Err(Rejection::UnsupportedPayloadType {
            payload_type: envelope.payload_type,
        });
    }
    let signing_keys = check_signatures(&envelope, context)?;
    let message = HotlineMessage::parse(&envelope.payload).map_err(malformed_payload)?;

    if message.from != *context.authenticated_sender {
        return Err(Rejection::SenderMismatch {
            claimed: message.from,
            authenticated: context.authenticated_sender.clone(),
        });
    }
    for (signature_index, key) in signing_keys.iter().enumerate() {
        if let Some(revoked_at) = key.revoked_at
            && revoked_at <= message.sent_at
        {
            return Err(Rejection::RevokedKey {
                signature_index,
                key_id: key.key_id.clone(),
                revoked_at,
            });
        }
    }
    check_sent_at(message.sent_at, context)?;
    if context.lookups.has_seen_message(message.id) {
        return Err(Rejection::ReplayedMessage {
            message_id: message.id,
        });
    }
    for (recipient_index, recipient) in message.to.iter().enumerate() {
        if !context.lookups.party_exists(recipient) {
            return Err(Rejection::UnknownRecipient {
                recipient_index,
                recipient: recipient.clone(),
            });
        }
    }
    match context.lookups.thread_participants(message.thread) {
        Some(participants) if !participants.contains(&message.from) => {
            return Err(Rejection::NotAThreadParticipant {
                thread: message.thread,
                sender: message.from,
            });
        }
        Some(_) => {}
        None if !message.kind().opens_thread() => {
            return Err(Rejection::ReplyToUnknownThread {
                thread: message.thread,
                kind: message.kind(),
            });
        }
        None => {}
    }
    check_reference(&message, context.lookups)?;
    check_request_outcome(&message, context.lookups)?;
    Ok(VerifiedMessage {
        signing_key_ids: signing_keys.iter().map(|key| key.key_id.clone()).collect(),
        message,
        envelope,
    })
}

/// Rule 9: a reference names a message of the same thread, addressed to the sender where the
/// kind answers something addressed to it.
fn check_reference(
    message: &HotlineMessage,
    lookups: &dyn MessageLookups,
) -> Result<(), Rejection> {
    let Some(reference) = message.body.reference() else {
        return Ok(());
    };
    let refuse = |reason: String| Rejection::BadReference {
        field: reference.field,
        referenced: reference.id,
        reason,
    };
    let Some(referenced) = lookups.referenced_message(reference.id) else {
        return Err(refuse(format!(
            "message {} was never received by this node",
            reference.id
        )));
    };
    if referenced.thread != message.thread {
        return Err(refuse(format!(
            "message {} belongs to another thread, not {}",
            reference.id, message.thread
        )));
    }
    if reference.must_be_addressed_to_sender && !referenced.to.contains(&message.from) {
        return Err(refuse(format!(
            "message {} was sent by {} and not addressed to {}",
            reference.id, referenced.from, message.from
        )));
    }
    if message.kind() == MessageKind::RequestOutcome && !takes_an_outcome(referenced.kind) {
        return Err(refuse(format!(
            "message {} is a {}, not an assistance or mitigation request",
            reference.id,
            referenced.kind.as_str()
        )));
    }
    Ok(())
}

/// Rule 10: an outcome follows the sender's latest outcome of the request by a step of the
/// table.
fn check_request_outcome(
    message: &HotlineMessage,
    lookups: &dyn MessageLookups,
) -> Result<(), Rejection> {
    let MessageBody::RequestOutcome(body) = &message.body else {
        return Ok(());
    };
    let current = lookups.latest_request_outcome(body.request, &message.from);
    next_outcome(current, body.outcome).map_err(|refusal| Rejection::RefusedOutcome {
        request: body.request,
        refusal,
    })?;
    Ok(())
}

/// Parses the payload of an envelope without checking anything but shape, so a node can learn
/// the ids, thread and recipients to prefetch. Never act on its result: call `verify_message`.
pub fn read_unverified_message(envelope_bytes: &[u8]) -> Result<HotlineMessage, Rejection> {
    let envelope = Envelope::parse(envelope_bytes)?;
    HotlineMessage::parse(&envelope.payload).map_err(malformed_payload)
}

fn malformed_payload(error: ModelError) -> Rejection {
    Rejection::MalformedPayload {
        issues: error.issues(),
    }
}

/// Every signature must name a key of the sender, not revoked at `now`, and verify strictly.
fn check_signatures<'context>(
    envelope: &Envelope,
    context: &VerificationContext<'context>,
) -> Result<Vec<&'context PartyKey>, Rejection> {
    let mut signing_keys = Vec::with_capacity(envelope.signatures.len());
    for (signature_index, signature) in envelope.signatures.iter().enumerate() {
        let Some(key_id) = signature.key_id.as_deref() else {
            return Err(Rejection::MissingKeyId { signature_index });
        };
        let Some(party_key) = context
            .sender_keys
            .iter()
            .find(|party_key| party_key.key_id == key_id)
        else {
            return Err(match context.lookups.key_owner(key_id) {
                Some(owner) if owner != *context.authenticated_sender => {
                    Rejection::KeyOfAnotherParty {
                        signature_index,
                        key_id: key_id.to_string(),
                        owner,
                        sender: context.authenticated_sender.clone(),
                    }
                }
                _ => Rejection::UnknownKey {
                    signature_index,
                    key_id: key_id.to_string(),
                },
            });
        };
        if let Some(revoked_at) = party_key.revoked_at
            && revoked_at <= context.now
        {
            return Err(Rejection::RevokedKey {
                signature_index,
                key_id: key_id.to_string(),
                revoked_at,
            });
        }
        let verifying_key =
            verifying_key_of(party_key).map_err(|reason| Rejection::UnusableRegisteredKey {
                signature_index,
                key_id: key_id.to_string(),
                reason,
            })?;
        if !envelope.signature_is_valid(signature_index, &verifying_key) {
            return Err(Rejection::BadSignature {
                signature_index,
                key_id: key_id.to_string(),
            });
        }
        signing_keys.push(party_key);
    }
    Ok(signing_keys)
}

fn check_sent_at(sent_at: Timestamp, context: &VerificationContext<'_>) -> Result<(), Rejection> {
    let difference = sent_at.as_jiff().duration_since(context.now.as_jiff());
    let skew = context.allowed_clock_skew.abs();
    if difference > skew {
        return Err(Rejection::SentInTheFuture {
            sent_at,
            now: context.now,
            allowed_clock_skew: skew,
        });
    }
    if difference < -skew {
        return Err(Rejection::SentTooLongAgo {
            sent_at,
            now: context.now,
            allowed_clock_skew: skew,
        });
    }
    Ok(())
}

/// `MessageLookups` held as plain data, for tests and for a node that fetches first.
#[derive(Debug, Clone, Default)]
pub struct PrefetchedLookups {
    pub seen_message_ids: BTreeSet<Uuid>,
    pub known_parties: BTreeSet<PartyId>,
    pub thread_participants: BTreeMap<Uuid, Vec<PartyId>>,
    pub key_owners: BTreeMap<String, PartyId>,
    pub referenced_messages: BTreeMap<Uuid, ReferencedMessage>,
    /// Each (request, recipient)'s latest outcome.
    pub request_outcomes: BTreeMap<(Uuid, PartyId), RequestOutcomeKind>,
}

impl MessageLookups for PrefetchedLookups {
    fn has_seen_message(&self, message_id: Uuid) -> bool {
        self.seen_message_ids.contains(&message_id)
    }

    fn party_exists(&self, party: &PartyId) -> bool {
        self.known_parties.contains(party)
    }

    fn thread_participants(&self, thread_id: Uuid) -> Option<Vec<PartyId>> {
        self.thread_participants.get(&thread_id).cloned()
    }

    fn key_owner(&self, key_id: &str) -> Option<PartyId> {
        self.key_owners.get(key_id).cloned()
    }

    fn referenced_message(&self, message_id: Uuid) -> Option<ReferencedMessage> {
        self.referenced_messages.get(&message_id).cloned()
    }

    fn latest_request_outcome(
        &self,
        request_id: Uuid,
        party: &PartyId,
    ) -> Option<RequestOutcomeKind> {
        self.request_outcomes
            .get(&(request_id, party.clone()))
            .copied()
    }
}
