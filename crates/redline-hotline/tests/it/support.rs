//! Fixed keys, parties, times and one sample message per kind.

use ed25519_dalek::SigningKey;
use jiff::SignedDuration;
use redline_hotline::message::{
    AcknowledgementBody, AssistanceOfferBody, AssistanceRequestBody, CheckReplyBody,
    ClarificationRequestBody, ClosureBody, CommunicationCheckBody, MitigationRequestBody,
    NotificationBody, RequestOutcomeBody, ResponseBody,
};
use redline_hotline::request_outcome::RequestOutcomeKind;
use redline_hotline::{
    HotlineMessage, MessageBody, MessageKind, PrefetchedLookups, ReferencedMessage,
    VerificationContext, party_key_for,
};
use redline_model::{IncidentId, PartyId, PartyKey, Timestamp, Tlp};
use uuid::Uuid;

pub fn party(text: &str) -> PartyId {
    PartyId::parse(text).unwrap()
}

pub fn time(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

pub fn uuid(last: u64) -> Uuid {
    Uuid::from_u128(0x0192_f3a4_7b1c_4d2e_9f00_0000_0000_0000 | u128::from(last))
}

/// The instant every sample message is sent and received.
pub fn sent_at() -> Timestamp {
    time("2026-11-22T10:00:00Z")
}

/// Estonia's current key.
pub fn estonia_key() -> SigningKey {
    SigningKey::from_bytes(&[1; 32])
}

/// Estonia's old key, revoked at 09:00 on the day of the sample messages.
pub fn estonia_revoked_key() -> SigningKey {
    SigningKey::from_bytes(&[2; 32])
}

/// Russia's key.
pub fn russia_key() -> SigningKey {
    SigningKey::from_bytes(&[3; 32])
}

/// A key no party registered.
pub fn stray_key() -> SigningKey {
    SigningKey::from_bytes(&[4; 32])
}

pub fn estonia_keys() -> Vec<PartyKey> {
    let added_at = time("2026-01-01T00:00:00Z");
    let current = party_key_for(&estonia_key().verifying_key(), added_at);
    let mut revoked = party_key_for(&estonia_revoked_key().verifying_key(), added_at);
    revoked.revoked_at = Some(time("2026-11-22T09:00:00Z"));
    revoked.revocation_reason = Some("rotated after a laptop was lost".to_string());
    vec![current, revoked]
}

/// The existing thread between Estonia and Russia, and one between Finland and Sweden.
pub fn estonia_russia_thread() -> Uuid {
    uuid(1000)
}

pub fn finland_sweden_thread() -> Uuid {
    uuid(2000)
}

/// Russia's assistance request to Estonia in the Estonia–Russia thread (no outcome yet).
pub fn assistance_request_to_estonia() -> Uuid {
    uuid(1003)
}

/// Russia's mitigation request to Estonia in that thread, which Estonia has accepted.
pub fn accepted_mitigation_request_to_estonia() -> Uuid {
    uuid(1004)
}

/// A message id already accepted.
pub fn seen_message_id() -> Uuid {
    uuid(999)
}

pub fn lookups() -> PrefetchedLookups {
    let mut lookups = PrefetchedLookups::default();
    for id in ["EE", "RU", "FI", "SE", "osce-secretariat"] {
        lookups.known_parties.insert(party(id));
    }
    lookups.seen_message_ids.insert(seen_message_id());
    lookups
        .thread_participants
        .insert(estonia_russia_thread(), vec![party("EE"), party("RU")]);
    lookups
        .thread_participants
        .insert(finland_sweden_thread(), vec![party("FI"), party("SE")]);
    // The message that opened the Estonia–Russia thread: Russia's, addressed to Estonia, so
    // Estonia may acknowledge and answer it.
    lookups.referenced_messages.insert(
        uuid(1001),
        ReferencedMessage {
            thread: estonia_russia_thread(),
            from: party("RU"),
            to: vec![party("EE")],
            kind: MessageKind::Notification,
        },
    );
    // Russia's request for assistance to Estonia in that thread, which Estonia may give an
    // outcome; and Russia's request to mitigate, which Estonia accepted already.
    lookups.referenced_messages.insert(
        assistance_request_to_estonia(),
        ReferencedMessage {
            thread: estonia_russia_thread(),
            from: party("RU"),
            to: vec![party("EE")],
            kind: MessageKind::AssistanceRequest,
        },
    );
    lookups.referenced_messages.insert(
        accepted_mitigation_request_to_estonia(),
        ReferencedMessage {
            thread: estonia_russia_thread(),
            from: party("RU"),
            to: vec![party("EE")],
            kind: MessageKind::MitigationRequest,
        },
    );
    lookups.request_outcomes.insert(
        (accepted_mitigation_request_to_estonia(), party("EE")),
        RequestOutcomeKind::Accepted,
    );
    // Estonia's own message in the same thread, and a message of another thread.
    lookups.referenced_messages.insert(
        uuid(1002),
        ReferencedMessage {
            thread: estonia_russia_thread(),
            from: party("EE"),
            to: vec![party("RU")],
            kind: MessageKind::AssistanceRequest,
        },
    );
    lookups.referenced_messages.insert(
        uuid(2001),
        ReferencedMessage {
            thread: finland_sweden_thread(),
            from: party("FI"),
            to: vec![party("EE"), party("SE")],
            kind: MessageKind::AssistanceRequest,
        },
    );
    let russia_key_record = party_key_for(&russia_key().verifying_key(), sent_at());
    lookups
        .key_owners
        .insert(russia_key_record.key_id, party("RU"));
    for key in estonia_keys() {
        lookups.key_owners.insert(key.key_id, party("EE"));
    }
    lookups
}

/// The context of a message received from Estonia at `now`, with five minutes of skew.
pub fn context_for_estonia<'context>(
    estonia: &'context PartyId,
    keys: &'context [PartyKey],
    lookups: &'context PrefetchedLookups,
    now: Timestamp,
) -> VerificationContext<'context> {
    VerificationContext {
        authenticated_sender: estonia,
        sender_keys: keys,
        now,
        allowed_clock_skew: SignedDuration::from_mins(5),
        lookups,
    }
}

/// A message of `kind` from Estonia to Russia in the Estonia–Russia thread (a new thread for the
/// kinds that open one).
pub fn sample_message(kind: MessageKind) -> HotlineMessage {
    let opening_message = uuid(1001);
    let body = match kind {
        MessageKind::Notification => MessageBody::Notification(NotificationBody {
            summary: "Wiper malware on the grid operator's SCADA servers; 3 substations offline since 08:40 UTC.".to_string(),
            severity_level: Some(4),
            requested_actions: vec![
                "Block 203.0.113.7 at your national exchange".to_string(),
                "Preserve logs of AS64500".to_string(),
            ],
        }),
        MessageKind::Acknowledgement => {
            MessageBody::Acknowledgement(AcknowledgementBody { of: opening_message })
        }
        MessageKind::ClarificationRequest => {
            MessageBody::ClarificationRequest(ClarificationRequestBody {
                questions: vec![
                    "Which substations are affected?".to_string(),
                    "Do you have samples of the wiper?".to_string(),
                ],
            })
        }
        MessageKind::Response => MessageBody::Response(ResponseBody {
            to: opening_message,
            text: "We are investigating; the address belongs to a hosting provider.".to_string(),
        }),
        MessageKind::AssistanceRequest => MessageBody::AssistanceRequest(AssistanceRequestBody {
            summary: "Our grid operator needs incident responders on site.".to_string(),
            needs: vec!["Two ICS forensic analysts for a week".to_string()],
        }),
        MessageKind::AssistanceOffer => MessageBody::AssistanceOffer(AssistanceOfferBody {
            request: Some(opening_message),
            offer: "CERT-EE can send one analyst from tomorrow.".to_string(),
        }),
        MessageKind::MitigationRequest => MessageBody::MitigationRequest(MitigationRequestBody {
            activity: "Command-and-control traffic to 203.0.113.7 (AS64500), hosted in your territory.".to_string(),
            from_territory_of: party("RU"),
            indicators: vec!["203.0.113.7".to_string(), "update-check.example".to_string()],
        }),
        MessageKind::CommunicationCheck => {
            MessageBody::CommunicationCheck(CommunicationCheckBody { check_id: uuid(77) })
        }
        MessageKind::CheckReply => MessageBody::CheckReply(CheckReplyBody { check_id: uuid(77) }),
        MessageKind::Closure => MessageBody::Closure(ClosureBody {
            reason: "Activity stopped; no further action needed.".to_string(),
        }),
        MessageKind::RequestOutcome => MessageBody::RequestOutcome(RequestOutcomeBody {
            request: assistance_request_to_estonia(),
            outcome: RequestOutcomeKind::Declined,
            reason: Some("Our responders are all deployed at home this week.".to_string()),
            done: None,
            not_done: None,
            summary: None,
        }),
    };
    HotlineMessage {
        id: uuid(u64::try_from(kind as usize).unwrap() + 1),
        thread: if kind.opens_thread() {
            uuid(5000)
        } else {
            estonia_russia_thread()
        },
        from: party("EE"),
        to: vec![party("RU")],
        sent_at: sent_at(),
        incident: Some(
            IncidentId::parse("incident--3f2c5b1e-8a1d-4f63-9d4b-2a8d1e7f0c11").unwrap(),
        ),
        tlp: Tlp::Amber,
        lang: "en".to_string(),
        exercise: false,
        body,
    }
}
