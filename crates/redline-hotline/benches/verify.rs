//! Benchmarks of accepting one hotline message: the full `verify_message` (envelope parse,
//! strict Ed25519 check over the PAE, payload parse and the hotline rules), and its two costly
//! parts alone.
//!
//! Run with `cargo bench -p redline-hotline --bench verify`.

use divan::Bencher;
use ed25519_dalek::SigningKey;
use jiff::SignedDuration;
use redline_hotline::message::NotificationBody;
use redline_hotline::{
    Envelope, HotlineMessage, MessageBody, PrefetchedLookups, VerificationContext, party_key_for,
    sign_message, verify_message, verifying_key_of,
};
use redline_model::{IncidentId, PartyId, PartyKey, Timestamp, Tlp};
use uuid::Uuid;

fn main() {
    divan::main();
}

struct Fixture {
    envelope_bytes: Vec<u8>,
    sender: PartyId,
    keys: Vec<PartyKey>,
    lookups: PrefetchedLookups,
    now: Timestamp,
}

/// A typical notification (about 600 bytes of payload) from EE to RU, signed with one key.
fn fixture() -> Option<Fixture> {
    let sender = PartyId::parse("EE").ok()?;
    let recipient = PartyId::parse("RU").ok()?;
    let now = Timestamp::parse("2026-11-22T10:00:00Z").ok()?;
    let signing_key = SigningKey::from_bytes(&[7; 32]);
    let message = HotlineMessage {
        id: Uuid::from_u128(1),
        thread: Uuid::from_u128(2),
        from: sender.clone(),
        to: vec![recipient.clone()],
        sent_at: now,
        incident: IncidentId::parse("incident--3f2c5b1e-8a1d-4f63-9d4b-2a8d1e7f0c11").ok(),
        tlp: Tlp::Amber,
        lang: "en".to_string(),
        exercise: false,
        body: MessageBody::Notification(NotificationBody {
            summary: "Wiper malware on the grid operator's SCADA servers; three substations \
                      offline since 08:40 UTC; command and control at 203.0.113.7 (AS64500)."
                .repeat(3),
            severity_level: Some(4),
            requested_actions: vec![
                "Block 203.0.113.7 at your national exchange".to_string(),
                "Preserve logs of AS64500 for 90 days".to_string(),
            ],
        }),
    };
    let mut lookups = PrefetchedLookups::default();
    lookups.known_parties.insert(sender.clone());
    lookups.known_parties.insert(recipient);
    Some(Fixture {
        envelope_bytes: sign_message(&message, &signing_key),
        keys: vec![party_key_for(&signing_key.verifying_key(), now)],
        sender,
        lookups,
        now,
    })
}

#[divan::bench]
fn verify_message_complete(bencher: Bencher) {
    let Some(fixture) = fixture() else { return };
    let context = VerificationContext {
        authenticated_sender: &fixture.sender,
        sender_keys: &fixture.keys,
        now: fixture.now,
        allowed_clock_skew: SignedDuration::from_mins(5),
        lookups: &fixture.lookups,
    };
    bencher.bench_local(|| verify_message(divan::black_box(&fixture.envelope_bytes), &context));
}

#[divan::bench]
fn parse_envelope_and_payload_only(bencher: Bencher) {
    let Some(fixture) = fixture() else { return };
    bencher.bench_local(|| {
        Envelope::parse(divan::black_box(&fixture.envelope_bytes))
            .ok()
            .map(|envelope| HotlineMessage::parse(&envelope.payload))
    });
}

#[divan::bench]
fn strict_signature_check_only(bencher: Bencher) {
    let Some(fixture) = fixture() else { return };
    let Ok(envelope) = Envelope::parse(&fixture.envelope_bytes) else {
        return;
    };
    let Some(Ok(key)) = fixture.keys.first().map(verifying_key_of) else {
        return;
    };
    bencher.bench_local(|| divan::black_box(&envelope).signature_is_valid(0, &key));
}
