#![allow(clippy::unwrap_used)]
//! `redline sign --payload-type`: the console's prepared attribution and consultation payloads
//! signed byte for byte offline, checked against their type first, and refused with the field
//! named when they do not read as that record.

mod support;

use support::{redline, stderr, succeeded};

const CLAIM_TYPE: &str = "application/vnd.redline.attribution-claim+json";

fn claim_payload() -> String {
    serde_json::json!({
        "v": 1,
        "id": "6f1c7e8a-3b9d-4c1e-8f2a-1d2e3f4a5b6c",
        "version": 1,
        "incident": "incident--0b1c7e8a-3b9d-4c1e-8f2a-1d2e3f4a5b6c",
        "claimant": "EE",
        "named": {"state": "RU"},
        "relationship": "state-organ",
        "confidence": "likely",
        "basis": ["technical"],
        "statement": "A state organ ran the operation.",
        "tlp": "clear",
        "signed_at": "2026-12-01T10:00:00Z"
    })
    .to_string()
}

#[test]
fn a_prepared_record_is_signed_byte_for_byte_and_a_wrong_one_is_refused_naming_its_field() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let key = directory.path().join("ee.pem");
    succeeded(redline(&[
        "keygen",
        "--output",
        key.to_str().expect("utf-8 path"),
    ]));
    let payload = directory.path().join("payload.json");
    std::fs::write(&payload, claim_payload()).expect("written");
    let envelope = succeeded(redline(&[
        "sign",
        "--payload-type",
        CLAIM_TYPE,
        "--key",
        key.to_str().expect("utf-8 path"),
        payload.to_str().expect("utf-8 path"),
    ]));
    let envelope: serde_json::Value = serde_json::from_str(envelope.trim()).expect("JSON");
    assert_eq!(envelope["payloadType"], CLAIM_TYPE);
    use base64::Engine;
    let signed = base64::engine::general_purpose::STANDARD
        .decode(envelope["payload"].as_str().expect("payload"))
        .expect("base64");
    assert_eq!(
        signed,
        claim_payload().into_bytes(),
        "the bytes shown are the bytes signed"
    );

    std::fs::write(&payload, claim_payload().replace("\"likely\"", "\"sure\"")).expect("written");
    let refused = redline(&[
        "sign",
        "--payload-type",
        CLAIM_TYPE,
        "--key",
        key.to_str().expect("utf-8 path"),
        payload.to_str().expect("utf-8 path"),
    ]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("confidence"),
        "{}",
        stderr(&refused)
    );

    let unknown = redline(&[
        "sign",
        "--payload-type",
        "application/x-unknown",
        "--key",
        key.to_str().expect("utf-8 path"),
        payload.to_str().expect("utf-8 path"),
    ]);
    assert!(!unknown.status.success());
    assert!(stderr(&unknown).contains("--payload-type"));
}
