//! Records a party signs outside the hotline's message flow — attribution claims, their
//! co-signatures and decisions, consultation requests, replies and outcomes — checked the one
//! way: a DSSE envelope of the expected payload type, signed by a key of its author that was
//! current when it was signed, and the digest other records refer to it by.

use ed25519_dalek::SigningKey;
use redline_model::{PartyKey, Timestamp};
use sha2::{Digest, Sha256};

use crate::envelope::{Envelope, EnvelopeError};

/// Why a signed record was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignedRecordError {
    #[error("the envelope is not valid: {0}")]
    Envelope(#[from] EnvelopeError),
    #[error("the envelope's payloadType is `{found}`: expected `{expected}`")]
    WrongPayloadType { expected: String, found: String },
    #[error(
        "no signature is valid under a key of `{author}` that was current at {signed_at} (unknown, revoked or altered)"
    )]
    NotSignedByAuthor {
        author: String,
        signed_at: Timestamp,
    },
}

/// Signs `payload` as `payload_type`; returns the envelope bytes to send.
pub fn sign_record(payload_type: &str, payload: Vec<u8>, signing_key: &SigningKey) -> Vec<u8> {
    Envelope::sign(payload_type, payload, signing_key).to_json_bytes()
}

/// Parses an envelope and checks it carries `expected_payload_type`.
pub fn open_signed_record(
    bytes: &[u8],
    expected_payload_type: &str,
) -> Result<Envelope, SignedRecordError> {
    let envelope = Envelope::parse(bytes)?;
    if envelope.payload_type != expected_payload_type {
        return Err(SignedRecordError::WrongPayloadType {
            expected: expected_payload_type.to_string(),
            found: envelope.payload_type.clone(),
        });
    }
    Ok(envelope)
}

/// Checks that `envelope` is signed by one of `author_keys` current at `signed_at`.
pub fn check_signed_by_author(
    envelope: &Envelope,
    author: &str,
    author_keys: &[PartyKey],
    signed_at: Timestamp,
) -> Result<(), SignedRecordError> {
    if envelope.is_signed_by_one_of(author_keys, signed_at) {
        Ok(())
    } else {
        Err(SignedRecordError::NotSignedByAuthor {
            author: author.to_string(),
            signed_at,
        })
    }
}

/// `sha256:<hex>` of a payload: how co-signatures and decisions name the version they cover.
pub fn payload_digest(payload: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(payload)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::party_key_for;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).expect("timestamp")
    }

    #[test]
    fn a_record_is_accepted_only_with_its_type_and_its_authors_current_key() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let other = SigningKey::from_bytes(&[8; 32]);
        let party_key = party_key_for(&key.verifying_key(), at("2026-01-01T00:00:00Z"));
        let bytes = sign_record("application/x-test", b"{}".to_vec(), &key);
        let envelope = open_signed_record(&bytes, "application/x-test").expect("opens");
        check_signed_by_author(
            &envelope,
            "EE",
            std::slice::from_ref(&party_key),
            at("2026-06-01T00:00:00Z"),
        )
        .expect("signed by EE");
        assert!(matches!(
            open_signed_record(&bytes, "application/x-other"),
            Err(SignedRecordError::WrongPayloadType { .. })
        ));
        let forged = Envelope::parse(&sign_record("application/x-test", b"{}".to_vec(), &other))
            .expect("parses");
        assert!(
            check_signed_by_author(
                &forged,
                "EE",
                std::slice::from_ref(&party_key),
                at("2026-06-01T00:00:00Z")
            )
            .is_err()
        );
        let mut altered = envelope.clone();
        altered.payload = b"{ }".to_vec();
        assert!(
            check_signed_by_author(
                &altered,
                "EE",
                std::slice::from_ref(&party_key),
                at("2026-06-01T00:00:00Z")
            )
            .is_err()
        );
        let mut revoked = party_key;
        revoked.revoked_at = Some(at("2026-03-01T00:00:00Z"));
        assert!(
            check_signed_by_author(&envelope, "EE", &[revoked], at("2026-06-01T00:00:00Z"))
                .is_err()
        );
        assert_eq!(payload_digest(b"").len(), 7 + 64);
    }
}
