//! Property tests: no one-byte change to a signed envelope survives verification, and no input
//! makes the parsers panic.

use proptest::prelude::*;
use proptest::sample::Index;
use redline_hotline::{Envelope, HotlineMessage, MessageKind, sign_message, verify_message};

use crate::support::*;

fn signed_envelope(kind_index: &Index) -> Vec<u8> {
    let kind = MessageKind::ALL[kind_index.index(MessageKind::ALL.len())];
    sign_message(&sample_message(kind), &estonia_key())
}

fn verifies(envelope_bytes: &[u8]) -> bool {
    let estonia = party("EE");
    let keys = estonia_keys();
    let lookups = lookups();
    verify_message(
        envelope_bytes,
        &context_for_estonia(&estonia, &keys, &lookups, sent_at()),
    )
    .is_ok()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn any_one_byte_change_to_the_envelope_json_is_rejected(
        kind_index in any::<Index>(),
        byte_index in any::<Index>(),
        flip in 1u8..=255,
    ) {
        let mut bytes = signed_envelope(&kind_index);
        prop_assert!(verifies(&bytes));
        let position = byte_index.index(bytes.len());
        bytes[position] ^= flip;
        prop_assert!(!verifies(&bytes), "byte {} changed and the envelope still verifies", position);
    }

    #[test]
    fn any_one_byte_change_to_the_payload_is_rejected(
        kind_index in any::<Index>(),
        byte_index in any::<Index>(),
        flip in 1u8..=255,
    ) {
        let mut envelope = Envelope::parse(&signed_envelope(&kind_index)).unwrap();
        let position = byte_index.index(envelope.payload.len());
        envelope.payload[position] ^= flip;
        prop_assert!(!verifies(&envelope.to_json_bytes()));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = Envelope::parse(&bytes);
        let _ = HotlineMessage::parse(&bytes);
        let _ = verifies(&bytes);
    }

    #[test]
    fn arbitrary_text_in_a_signed_payload_never_panics(text in ".{0,300}") {
        let envelope = Envelope::sign(
            redline_hotline::MESSAGE_PAYLOAD_TYPE,
            text.into_bytes(),
            &estonia_key(),
        );
        let _ = verifies(&envelope.to_json_bytes());
    }

    /// A request outcome's body: any outcome word and any mix of its free-text fields parses,
    /// or is refused naming a field of the body — never a panic, never another path.
    #[test]
    fn request_outcome_bodies_parse_or_name_a_body_field(
        outcome in proptest::sample::select(vec!["accepted", "partly", "declined", "completed", "rejected", ""]),
        reason in proptest::option::of(".{0,40}"),
        done in proptest::option::of(".{0,40}"),
        not_done in proptest::option::of(".{0,40}"),
        summary in proptest::option::of(".{0,40}"),
    ) {
        let mut payload: serde_json::Value =
            serde_json::from_slice(&sample_message(MessageKind::RequestOutcome).to_json_bytes()).unwrap();
        let mut body = serde_json::json!({
            "request": assistance_request_to_estonia(),
            "outcome": outcome,
        });
        for (field, value) in [("reason", reason), ("done", done), ("not_done", not_done), ("summary", summary)] {
            if let Some(value) = value {
                body[field] = serde_json::Value::from(value);
            }
        }
        payload["body"] = body;
        match HotlineMessage::parse(&serde_json::to_vec(&payload).unwrap()) {
            Ok(message) => {
                let replayed = redline_hotline::requests_of_thread(&[(&message, sent_at())]);
                prop_assert!(replayed.is_empty(), "an outcome alone names no request of the thread");
            }
            Err(error) => {
                for issue in error.issues() {
                    prop_assert!(issue.path.starts_with("body."), "{}", issue);
                }
            }
        }
    }
}
