//! Acceptance: the round trip for every kind, and each rejection in its own test.

use ed25519_dalek::SigningKey;
use redline_hotline::{
    Envelope, HotlineMessage, MESSAGE_PAYLOAD_TYPE, MessageBody, MessageKind, Rejection,
    VerifiedMessage, party_key_for, read_unverified_message, sign_message, verify_message,
};
use redline_model::{PartyKey, Timestamp};
use uuid::Uuid;

use crate::support::*;

fn verify_from_estonia_at(
    envelope_bytes: &[u8],
    now: Timestamp,
) -> Result<VerifiedMessage, Rejection> {
    let estonia = party("EE");
    let keys = estonia_keys();
    let lookups = lookups();
    verify_message(
        envelope_bytes,
        &context_for_estonia(&estonia, &keys, &lookups, now),
    )
}

fn verify_from_estonia(envelope_bytes: &[u8]) -> Result<VerifiedMessage, Rejection> {
    verify_from_estonia_at(envelope_bytes, sent_at())
}

fn signed(message: &HotlineMessage, key: &SigningKey) -> Vec<u8> {
    sign_message(message, key)
}

fn notification() -> HotlineMessage {
    sample_message(MessageKind::Notification)
}

#[test]
fn every_kind_round_trips_through_sign_and_verify() {
    for &kind in MessageKind::ALL {
        let message = sample_message(kind);
        let bytes = signed(&message, &estonia_key());
        let verified = verify_from_estonia(&bytes)
            .unwrap_or_else(|rejection| panic!("{}: {rejection}", kind.as_str()));
        assert_eq!(verified.message, message);
        assert_eq!(verified.envelope.payload, message.to_json_bytes());
        assert_eq!(
            verified.signing_key_ids,
            vec![estonia_keys()[0].key_id.clone()]
        );
        assert_eq!(read_unverified_message(&bytes).unwrap(), message);
    }
}

#[test]
fn a_tampered_payload_is_rejected() {
    let bytes = signed(&notification(), &estonia_key());
    let mut envelope = Envelope::parse(&bytes).unwrap();
    let text = String::from_utf8(envelope.payload.clone()).unwrap();
    envelope.payload = text.replace("3 substations", "9 substations").into_bytes();
    assert_ne!(envelope.payload, notification().to_json_bytes());
    let rejection = verify_from_estonia(&envelope.to_json_bytes()).unwrap_err();
    assert!(
        matches!(
            rejection,
            Rejection::BadSignature {
                signature_index: 0,
                ..
            }
        ),
        "{rejection}"
    );
}

#[test]
fn a_signature_by_an_unknown_key_is_rejected() {
    let rejection = verify_from_estonia(&signed(&notification(), &stray_key())).unwrap_err();
    assert!(
        matches!(rejection, Rejection::UnknownKey { .. }),
        "{rejection}"
    );
}

#[test]
fn a_signature_by_a_revoked_key_is_rejected() {
    let rejection =
        verify_from_estonia(&signed(&notification(), &estonia_revoked_key())).unwrap_err();
    assert_eq!(
        rejection,
        Rejection::RevokedKey {
            signature_index: 0,
            key_id: estonia_keys()[1].key_id.clone(),
            revoked_at: time("2026-11-22T09:00:00Z"),
        }
    );
}

#[test]
fn a_key_revoked_at_the_moment_of_sending_is_rejected() {
    let estonia = party("EE");
    let mut keys: Vec<PartyKey> = estonia_keys();
    keys[0].revoked_at = Some(sent_at());
    let lookups = lookups();
    let now = sent_at().plus_seconds(-60).unwrap();
    let rejection = verify_message(
        &signed(&notification(), &estonia_key()),
        &context_for_estonia(&estonia, &keys, &lookups, now),
    )
    .unwrap_err();
    assert!(
        matches!(rejection, Rejection::RevokedKey { .. }),
        "{rejection}"
    );
}

#[test]
fn a_message_signed_before_its_key_is_revoked_is_accepted() {
    let estonia = party("EE");
    let mut keys = estonia_keys();
    keys[0].revoked_at = sent_at().plus_seconds(60);
    let lookups = lookups();
    let verified = verify_message(
        &signed(&notification(), &estonia_key()),
        &context_for_estonia(&estonia, &keys, &lookups, sent_at()),
    );
    assert!(verified.is_ok(), "{verified:?}");
}

#[test]
fn a_signature_by_another_partys_key_is_rejected() {
    let rejection = verify_from_estonia(&signed(&notification(), &russia_key())).unwrap_err();
    assert_eq!(
        rejection,
        Rejection::KeyOfAnotherParty {
            signature_index: 0,
            key_id: party_key_for(&russia_key().verifying_key(), sent_at()).key_id,
            owner: party("RU"),
            sender: party("EE"),
        }
    );
}

#[test]
fn another_partys_signature_under_the_senders_key_id_is_rejected() {
    let bytes = signed(&notification(), &russia_key());
    let mut envelope = Envelope::parse(&bytes).unwrap();
    envelope.signatures[0].key_id = Some(estonia_keys()[0].key_id.clone());
    let rejection = verify_from_estonia(&envelope.to_json_bytes()).unwrap_err();
    assert!(
        matches!(rejection, Rejection::BadSignature { .. }),
        "{rejection}"
    );
}

#[test]
fn a_signature_without_a_key_id_is_rejected() {
    let bytes = signed(&notification(), &estonia_key());
    let mut envelope = Envelope::parse(&bytes).unwrap();
    envelope.signatures[0].key_id = None;
    let rejection = verify_from_estonia(&envelope.to_json_bytes()).unwrap_err();
    assert_eq!(rejection, Rejection::MissingKeyId { signature_index: 0 });
}

#[test]
fn a_second_bad_signature_is_rejected_even_when_the_first_verifies() {
    let bytes = signed(&notification(), &estonia_key());
    let mut envelope = Envelope::parse(&bytes).unwrap();
    let mut second = envelope.signatures[0].clone();
    second.signature[0] ^= 1;
    envelope.signatures.push(second);
    let rejection = verify_from_estonia(&envelope.to_json_bytes()).unwrap_err();
    assert!(
        matches!(
            rejection,
            Rejection::BadSignature {
                signature_index: 1,
                ..
            }
        ),
        "{rejection}"
    );
}

#[test]
fn a_replayed_id_is_rejected() {
    let mut message = notification();
    message.id = seen_message_id();
    let rejection = verify_from_estonia(&signed(&message, &estonia_key())).unwrap_err();
    assert_eq!(
        rejection,
        Rejection::ReplayedMessage {
            message_id: seen_message_id()
        }
    );
}

#[test]
fn sent_at_too_old_is_rejected() {
    let now = sent_at().plus_seconds(5 * 60 + 1).unwrap();
    let rejection =
        verify_from_estonia_at(&signed(&notification(), &estonia_key()), now).unwrap_err();
    assert!(
        matches!(rejection, Rejection::SentTooLongAgo { .. }),
        "{rejection}"
    );
}

#[test]
fn sent_at_in_the_future_is_rejected() {
    let now = sent_at().plus_seconds(-(5 * 60 + 1)).unwrap();
    let rejection =
        verify_from_estonia_at(&signed(&notification(), &estonia_key()), now).unwrap_err();
    assert!(
        matches!(rejection, Rejection::SentInTheFuture { .. }),
        "{rejection}"
    );
}

#[test]
fn sent_at_exactly_at_the_skew_limit_is_accepted() {
    let bytes = signed(&notification(), &estonia_key());
    for seconds in [-300, 300] {
        let now = sent_at().plus_seconds(seconds).unwrap();
        assert!(verify_from_estonia_at(&bytes, now).is_ok(), "{seconds}");
    }
}

#[test]
fn a_reply_into_someone_elses_thread_is_rejected() {
    let mut message = sample_message(MessageKind::Response);
    message.thread = finland_sweden_thread();
    let rejection = verify_from_estonia(&signed(&message, &estonia_key())).unwrap_err();
    assert_eq!(
        rejection,
        Rejection::NotAThreadParticipant {
            thread: finland_sweden_thread(),
            sender: party("EE"),
        }
    );
}

#[test]
fn a_reply_into_a_thread_that_does_not_exist_is_rejected() {
    let mut message = sample_message(MessageKind::Acknowledgement);
    message.thread = uuid(6000);
    let rejection = verify_from_estonia(&signed(&message, &estonia_key())).unwrap_err();
    assert!(
        matches!(
            rejection,
            Rejection::ReplyToUnknownThread {
                kind: MessageKind::Acknowledgement,
                ..
            }
        ),
        "{rejection}"
    );
}

#[test]
fn a_sender_that_does_not_match_the_credentials_is_rejected() {
    let russia = party("RU");
    let keys = vec![party_key_for(&russia_key().verifying_key(), sent_at())];
    let lookups = lookups();
    let rejection = verify_message(
        &signed(&notification(), &russia_key()),
        &context_for_estonia(&russia, &keys, &lookups, sent_at()),
    )
    .unwrap_err();
    assert_eq!(
        rejection,
        Rejection::SenderMismatch {
            claimed: party("EE"),
            authenticated: party("RU"),
        }
    );
}

#[test]
fn an_unknown_recipient_is_rejected() {
    let mut message = notification();
    message.to.push(party("JP"));
    let rejection = verify_from_estonia(&signed(&message, &estonia_key())).unwrap_err();
    assert_eq!(
        rejection,
        Rejection::UnknownRecipient {
            recipient_index: 1,
            recipient: party("JP"),
        }
    );
}

#[test]
fn another_payload_type_is_rejected() {
    let envelope = Envelope::sign(
        "application/vnd.in-toto+json",
        notification().to_json_bytes(),
        &estonia_key(),
    );
    let rejection = verify_from_estonia(&envelope.to_json_bytes()).unwrap_err();
    assert!(
        matches!(rejection, Rejection::UnsupportedPayloadType { .. }),
        "{rejection}"
    );
}

#[test]
fn a_signed_payload_that_is_not_a_message_is_rejected_with_its_path() {
    let payload = String::from_utf8(notification().to_json_bytes())
        .unwrap()
        .replace(
            "\"severity_level\":4",
            "\"severity_level\":4,\"colour\":\"red\"",
        );
    let envelope = Envelope::sign(MESSAGE_PAYLOAD_TYPE, payload.into_bytes(), &estonia_key());
    let rejection = verify_from_estonia(&envelope.to_json_bytes()).unwrap_err();
    let Rejection::MalformedPayload { issues } = &rejection else {
        panic!("{rejection}");
    };
    assert_eq!(issues[0].path, "body.colour");
    assert_eq!(rejection.code(), "malformed-payload");
}

#[test]
fn a_malformed_envelope_is_rejected() {
    let rejection = verify_from_estonia(b"{\"payload\":").unwrap_err();
    assert!(
        matches!(rejection, Rejection::MalformedEnvelope(_)),
        "{rejection}"
    );
}

#[test]
fn every_rejection_says_what_failed() {
    let key_id = "0123456789abcdef".to_string();
    let rejections = [
        Rejection::MalformedEnvelope(redline_hotline::EnvelopeError::NoSignatures),
        Rejection::UnsupportedPayloadType {
            payload_type: "text/plain".to_string(),
        },
        Rejection::MissingKeyId { signature_index: 0 },
        Rejection::UnknownKey {
            signature_index: 0,
            key_id: key_id.clone(),
        },
        Rejection::KeyOfAnotherParty {
            signature_index: 0,
            key_id: key_id.clone(),
            owner: party("RU"),
            sender: party("EE"),
        },
        Rejection::RevokedKey {
            signature_index: 0,
            key_id: key_id.clone(),
            revoked_at: time("2026-11-22T09:00:00Z"),
        },
        Rejection::UnusableRegisteredKey {
            signature_index: 0,
            key_id: key_id.clone(),
            reason: "an Ed25519 public key is 32 bytes, not 3".to_string(),
        },
        Rejection::BadSignature {
            signature_index: 1,
            key_id,
        },
        Rejection::MalformedPayload {
            issues: vec![redline_model::ValidationIssue::new(
                "body.questions",
                "at least one entry is required",
            )],
        },
        Rejection::SenderMismatch {
            claimed: party("EE"),
            authenticated: party("RU"),
        },
        Rejection::SentTooLongAgo {
            sent_at: sent_at(),
            now: time("2026-11-22T10:06:00Z"),
            allowed_clock_skew: jiff::SignedDuration::from_mins(5),
        },
        Rejection::SentInTheFuture {
            sent_at: sent_at(),
            now: time("2026-11-22T09:54:00Z"),
            allowed_clock_skew: jiff::SignedDuration::from_mins(5),
        },
        Rejection::ReplayedMessage {
            message_id: seen_message_id(),
        },
        Rejection::UnknownRecipient {
            recipient_index: 1,
            recipient: party("JP"),
        },
        Rejection::NotAThreadParticipant {
            thread: finland_sweden_thread(),
            sender: party("EE"),
        },
        Rejection::ReplyToUnknownThread {
            thread: uuid(6000),
            kind: MessageKind::Closure,
        },
        Rejection::RefusedOutcome {
            request: assistance_request_to_estonia(),
            refusal: redline_hotline::InvalidOutcomeTransition {
                current: Some(redline_hotline::RequestOutcomeKind::Declined),
                next: redline_hotline::RequestOutcomeKind::Completed,
            },
        },
    ];
    let lines: Vec<String> = rejections
        .iter()
        .map(|rejection| format!("{}: {rejection}", rejection.code()))
        .collect();
    insta::assert_snapshot!(lines.join("\n"));
}

/// Rule 9, as a table: what an acknowledgement, a response or an assistance offer may refer
/// to (the referenced message, whether it is accepted).
#[test]
fn a_reference_names_a_message_of_the_thread_addressed_to_the_sender() {
    fn check(kind: MessageKind, referenced: Uuid, accepted: bool) {
        let mut message = sample_message(kind);
        match &mut message.body {
            MessageBody::Acknowledgement(body) => body.of = referenced,
            MessageBody::Response(body) => body.to = referenced,
            MessageBody::AssistanceOffer(body) => body.request = Some(referenced),
            MessageBody::RequestOutcome(body) => body.request = referenced,
            _ => unreachable!("only kinds with a reference"),
        }
        message.thread = estonia_russia_thread();
        let verdict = verify_from_estonia(&signed(&message, &estonia_key()));
        match (verdict, accepted) {
            (Ok(_), true) => {}
            (Err(Rejection::BadReference { .. }), false) => {}
            (other, _) => panic!("{kind:?} referring to {referenced}: {other:?}"),
        }
    }
    let addressed_to_estonia = uuid(1001);
    let estonias_own = uuid(1002);
    let of_another_thread = uuid(2001);
    let never_received = uuid(424242);
    for kind in [MessageKind::Acknowledgement, MessageKind::Response] {
        check(kind, addressed_to_estonia, true);
        check(kind, estonias_own, false);
        check(kind, of_another_thread, false);
        check(kind, never_received, false);
    }
    // An assistance offer may answer any request of its thread, not only one sent to it.
    check(MessageKind::AssistanceOffer, addressed_to_estonia, true);
    check(MessageKind::AssistanceOffer, estonias_own, true);
    check(MessageKind::AssistanceOffer, of_another_thread, false);
    check(MessageKind::AssistanceOffer, never_received, false);
    // A request outcome: only of a request of the thread sent to its sender, never of a
    // notification, of its own request or of another thread's.
    check(
        MessageKind::RequestOutcome,
        assistance_request_to_estonia(),
        true,
    );
    check(MessageKind::RequestOutcome, addressed_to_estonia, false);
    check(MessageKind::RequestOutcome, estonias_own, false);
    check(MessageKind::RequestOutcome, of_another_thread, false);
    check(MessageKind::RequestOutcome, never_received, false);
}

/// Rule 10, as a table: the outcome Estonia gives a request, after what it gave before →
/// accepted or refused. One row per step of the table and per refused step.
#[test]
fn an_outcome_follows_the_senders_latest_outcome_by_a_step_of_the_table() {
    use redline_hotline::RequestOutcomeKind::{self, Accepted, Completed, Declined, Partly};
    use redline_hotline::message::RequestOutcomeBody;
    fn check(before: Option<RequestOutcomeKind>, outcome: RequestOutcomeKind, accepted: bool) {
        let mut message = sample_message(MessageKind::RequestOutcome);
        message.body = MessageBody::RequestOutcome(RequestOutcomeBody {
            request: assistance_request_to_estonia(),
            outcome,
            reason: (outcome == Declined).then(|| "No capacity.".to_string()),
            done: (outcome == Partly).then(|| "Blocked two addresses.".to_string()),
            not_done: (outcome == Partly).then(|| "The third is a CDN.".to_string()),
            summary: None,
        });
        let estonia = party("EE");
        let keys = estonia_keys();
        let mut lookups = lookups();
        if let Some(before) = before {
            lookups
                .request_outcomes
                .insert((assistance_request_to_estonia(), party("EE")), before);
        }
        let verdict = verify_message(
            &signed(&message, &estonia_key()),
            &context_for_estonia(&estonia, &keys, &lookups, sent_at()),
        );
        match (verdict, accepted) {
            (Ok(_), true) => {}
            (Err(Rejection::RefusedOutcome { request, .. }), false) => {
                assert_eq!(request, assistance_request_to_estonia());
            }
            (other, _) => panic!("{before:?} → {outcome:?}: {other:?}"),
        }
    }
    check(None, Accepted, true);
    check(None, Declined, true);
    check(None, Partly, false);
    check(None, Completed, false);
    check(Some(Accepted), Partly, true);
    check(Some(Accepted), Completed, true);
    check(Some(Accepted), Accepted, false);
    check(Some(Accepted), Declined, false);
    check(Some(Partly), Completed, true);
    check(Some(Partly), Partly, false);
    check(Some(Partly), Declined, false);
    check(Some(Declined), Accepted, false);
    check(Some(Declined), Completed, false);
    check(Some(Completed), Partly, false);
    check(Some(Completed), Completed, false);
}

/// Each recipient answers for itself: another recipient's outcome does not move Estonia's.
#[test]
fn outcomes_are_kept_per_recipient() {
    let mut lookups = lookups();
    lookups.request_outcomes.insert(
        (assistance_request_to_estonia(), party("FI")),
        redline_hotline::RequestOutcomeKind::Declined,
    );
    let estonia = party("EE");
    let keys = estonia_keys();
    let message = sample_message(MessageKind::RequestOutcome);
    verify_message(
        &signed(&message, &estonia_key()),
        &context_for_estonia(&estonia, &keys, &lookups, sent_at()),
    )
    .unwrap();
}
