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
}
