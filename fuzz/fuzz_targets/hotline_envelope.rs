//! Fuzz the hotline envelope parser, the message parser (every kind's body, a request outcome's
//! among them) and the full acceptance check of redline-hotline: any input must give a value or
//! a typed rejection, never a panic. A parsed envelope must serialise and parse back to itself, a
//! parsed message replays into its thread's requests without a panic, and the check must accept
//! nothing that no registered key signed.

#![no_main]

use std::sync::OnceLock;

use ed25519_dalek::SigningKey;
use jiff::SignedDuration;
use libfuzzer_sys::fuzz_target;
use redline_hotline::{
    Envelope, HotlineMessage, PrefetchedLookups, VerificationContext, party_key_for,
    requests_of_thread, verify_message,
};
use redline_model::{PartyId, PartyKey, Timestamp};

struct World {
    sender: PartyId,
    keys: Vec<PartyKey>,
    lookups: PrefetchedLookups,
    now: Timestamp,
}

fn world() -> Option<&'static World> {
    static WORLD: OnceLock<Option<World>> = OnceLock::new();
    WORLD
        .get_or_init(|| {
            let sender = PartyId::parse("EE").ok()?;
            let now = Timestamp::parse("2026-11-22T10:00:00Z").ok()?;
            let key = SigningKey::from_bytes(&[1; 32]);
            let keys = vec![party_key_for(&key.verifying_key(), now)];
            let mut lookups = PrefetchedLookups::default();
            lookups.known_parties.insert(sender.clone());
            lookups.known_parties.insert(PartyId::parse("RU").ok()?);
            Some(World {
                sender,
                keys,
                lookups,
                now,
            })
        })
        .as_ref()
}

fuzz_target!(|data: &[u8]| {
    if let Ok(envelope) = Envelope::parse(data) {
        let bytes = envelope.to_json_bytes();
        assert_eq!(
            Envelope::parse(&bytes).ok().as_ref(),
            Some(&envelope),
            "a parsed envelope must round-trip"
        );
        if let Ok(message) = HotlineMessage::parse(&envelope.payload) {
            assert!(
                HotlineMessage::parse(&message.to_json_bytes()).is_ok(),
                "a parsed message must serialise to a message"
            );
        }
    }
    let Some(world) = world() else {
        return;
    };
    if let Ok(message) = HotlineMessage::parse(data) {
        let _ = requests_of_thread(&[(&message, world.now)]);
    }
    let context = VerificationContext {
        authenticated_sender: &world.sender,
        sender_keys: &world.keys,
        now: world.now,
        allowed_clock_skew: SignedDuration::from_mins(5),
        lookups: &world.lookups,
    };
    // The fuzzer cannot forge an Ed25519 signature, so nothing it writes may be accepted.
    assert!(verify_message(data, &context).is_err());
});
