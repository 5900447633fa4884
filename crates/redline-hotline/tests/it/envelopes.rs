//! The DSSE envelope: known answers from the DSSE specification, and precise parse errors.

use redline_hotline::{Envelope, EnvelopeError, MESSAGE_PAYLOAD_TYPE, pre_authentication_encoding};

use crate::support::{estonia_key, russia_key};

/// secure-systems-lab/dsse, protocol.md v1.0.0, "Test Vectors".
#[test]
fn pre_authentication_encoding_matches_the_dsse_specification() {
    assert_eq!(
        pre_authentication_encoding("http://example.com/HelloWorld", b"hello world"),
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    );
    assert_eq!(pre_authentication_encoding("", b""), b"DSSEv1 0  0 ");
    assert_eq!(
        pre_authentication_encoding(MESSAGE_PAYLOAD_TYPE, b"{}"),
        b"DSSEv1 36 application/vnd.redline.message+json 2 {}"
    );
}

/// The envelope of the same test vector parses: its payload decodes to the signed body, and a
/// missing `keyid` is allowed by DSSE (redline's verification then refuses it).
#[test]
fn the_dsse_specification_example_envelope_parses() {
    let example = br#"{"payload": "aGVsbG8gd29ybGQ=",
 "payloadType": "http://example.com/HelloWorld",
 "signatures": [{"sig": "A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA=="}]}"#;
    let envelope = Envelope::parse(example).unwrap();
    assert_eq!(envelope.payload, b"hello world");
    assert_eq!(envelope.payload_type, "http://example.com/HelloWorld");
    assert_eq!(envelope.signatures.len(), 1);
    assert_eq!(envelope.signatures[0].key_id, None);
    assert_eq!(
        envelope.pre_authentication_encoding(),
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    );
}

/// Ed25519 is deterministic: a fixed key and payload always give the same envelope bytes.
#[test]
fn signing_is_deterministic_and_round_trips() {
    let envelope = Envelope::sign(
        "http://example.com/HelloWorld",
        b"hello world".to_vec(),
        &estonia_key(),
    );
    let bytes = envelope.to_json_bytes();
    insta::assert_snapshot!(String::from_utf8(bytes.clone()).unwrap());
    let parsed = Envelope::parse(&bytes).unwrap();
    assert_eq!(parsed, envelope);
    assert!(parsed.signature_is_valid(0, &estonia_key().verifying_key()));
    assert!(!parsed.signature_is_valid(0, &russia_key().verifying_key()));
    assert!(!parsed.signature_is_valid(1, &estonia_key().verifying_key()));
}

fn parse_error(text: &str) -> EnvelopeError {
    Envelope::parse(text.as_bytes()).unwrap_err()
}

const SIGNATURE: &str =
    "A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA==";

#[test]
fn a_missing_field_is_named() {
    let error = parse_error(&format!(
        r#"{{"payload":"e30=","signatures":[{{"sig":"{SIGNATURE}"}}]}}"#
    ));
    assert_eq!(error.field(), "payloadType", "{error}");
}

#[test]
fn an_unknown_field_is_named_with_its_signature() {
    let error = parse_error(&format!(
        r#"{{"payload":"e30=","payloadType":"t","signatures":[{{"sig":"{SIGNATURE}","cert":"x"}}]}}"#
    ));
    assert_eq!(error.field(), "signatures[0].cert", "{error}");
}

#[test]
fn a_payload_that_is_not_base64_is_named() {
    let error = parse_error(&format!(
        r#"{{"payload":"not base64!","payloadType":"t","signatures":[{{"sig":"{SIGNATURE}"}}]}}"#
    ));
    assert!(matches!(error, EnvelopeError::NotBase64 { .. }), "{error}");
    assert_eq!(error.field(), "payload");
}

#[test]
fn url_safe_base64_is_refused() {
    let url_safe = SIGNATURE.replace('+', "-");
    let error = parse_error(&format!(
        r#"{{"payload":"e30=","payloadType":"t","signatures":[{{"sig":"{url_safe}"}}]}}"#
    ));
    assert_eq!(error.field(), "signatures[0].sig", "{error}");
}

#[test]
fn unpadded_base64_is_refused() {
    let error = parse_error(&format!(
        r#"{{"payload":"e30","payloadType":"t","signatures":[{{"sig":"{SIGNATURE}"}}]}}"#
    ));
    assert_eq!(error.field(), "payload", "{error}");
}

#[test]
fn the_second_signature_is_named_when_it_is_bad() {
    let error = parse_error(&format!(
        r#"{{"payload":"e30=","payloadType":"t","signatures":[{{"sig":"{SIGNATURE}"}},{{"keyid":"k","sig":"%%"}}]}}"#
    ));
    assert_eq!(error.field(), "signatures[1].sig", "{error}");
}

#[test]
fn a_signature_of_the_wrong_length_is_refused() {
    let error = parse_error(
        r#"{"payload":"e30=","payloadType":"t","signatures":[{"keyid":"k","sig":"AAAA"}]}"#,
    );
    assert_eq!(
        error,
        EnvelopeError::WrongSignatureLength {
            signature_index: 0,
            length: 3
        }
    );
}

#[test]
fn an_envelope_without_signatures_is_refused() {
    let error = parse_error(r#"{"payload":"e30=","payloadType":"t","signatures":[]}"#);
    assert_eq!(error, EnvelopeError::NoSignatures);
}

#[test]
fn an_envelope_with_too_many_signatures_is_refused() {
    let one = format!(r#"{{"sig":"{SIGNATURE}"}}"#);
    let five = vec![one; 5].join(",");
    let error = parse_error(&format!(
        r#"{{"payload":"e30=","payloadType":"t","signatures":[{five}]}}"#
    ));
    assert!(matches!(
        error,
        EnvelopeError::TooManySignatures { count: 5, .. }
    ));
}

#[test]
fn malformed_json_names_line_and_column() {
    let error = parse_error("{\"payload\":\n");
    assert!(
        matches!(error, EnvelopeError::MalformedJson { line: 2, .. }),
        "{error}"
    );
}

#[test]
fn trailing_bytes_after_the_envelope_are_refused() {
    let envelope = Envelope::sign("t", b"{}".to_vec(), &estonia_key());
    let mut bytes = envelope.to_json_bytes();
    bytes.extend_from_slice(b" x");
    assert!(Envelope::parse(&bytes).is_err());
}

#[test]
fn an_oversized_envelope_is_refused_before_parsing() {
    let bytes = vec![b' '; redline_hotline::envelope::MAXIMUM_ENVELOPE_BYTES + 1];
    assert!(matches!(
        Envelope::parse(&bytes),
        Err(EnvelopeError::TooLarge { .. })
    ));
}
