//! Key registration, revocation and rotation, and what verification makes of them.

use redline_hotline::{
    KeyChangeError, MessageKind, Rejection, key_is_current_at, party_key_for, register_key,
    revoke_key, rotate_key, sign_message, verify_message,
};

use crate::support::*;

#[test]
fn rotation_adds_the_new_key_and_revokes_the_old_one() {
    let added_at = time("2026-01-01T00:00:00Z");
    let rotation_time = time("2026-11-22T09:30:00Z");
    let keys = vec![party_key_for(&stray_key().verifying_key(), added_at)];
    let new_key = party_key_for(&estonia_key().verifying_key(), rotation_time);
    let rotated = rotate_key(
        &keys,
        new_key.clone(),
        &keys[0].key_id,
        "scheduled yearly rotation",
        rotation_time,
    )
    .unwrap();
    assert_eq!(rotated.len(), 2);
    assert_eq!(rotated[0].revoked_at, Some(rotation_time));
    assert_eq!(
        rotated[0].revocation_reason.as_deref(),
        Some("scheduled yearly rotation")
    );
    assert!(!key_is_current_at(&rotated[0], rotation_time));
    assert!(key_is_current_at(&rotated[0], time("2026-11-22T09:29:59Z")));
    assert!(key_is_current_at(&rotated[1], rotation_time));

    // After rotation, the old key's signature is refused and the new key's accepted.
    let estonia = party("EE");
    let lookups = lookups();
    let context = context_for_estonia(&estonia, &rotated, &lookups, sent_at());
    let message = sample_message(MessageKind::Notification);
    let old = verify_message(&sign_message(&message, &stray_key()), &context).unwrap_err();
    assert!(matches!(old, Rejection::RevokedKey { .. }), "{old}");
    assert!(verify_message(&sign_message(&message, &estonia_key()), &context).is_ok());
}

#[test]
fn key_changes_are_refused_with_a_reason() {
    let added_at = time("2026-01-01T00:00:00Z");
    let key = party_key_for(&estonia_key().verifying_key(), added_at);
    let keys = register_key(&[], key.clone()).unwrap();

    assert!(matches!(
        register_key(&keys, key.clone()),
        Err(KeyChangeError::AlreadyRegistered { .. })
    ));
    let mut wrong_id = party_key_for(&russia_key().verifying_key(), added_at);
    wrong_id.key_id = "0000000000000000".to_string();
    assert!(matches!(
        register_key(&keys, wrong_id),
        Err(KeyChangeError::KeyIdDoesNotMatch { .. })
    ));
    let mut not_a_key = party_key_for(&russia_key().verifying_key(), added_at);
    not_a_key.public_key = "AAAA".to_string();
    assert!(matches!(
        register_key(&keys, not_a_key),
        Err(KeyChangeError::UnusablePublicKey { .. })
    ));
    assert_eq!(
        revoke_key(&keys, &key.key_id, "  ", added_at),
        Err(KeyChangeError::ReasonRequired)
    );
    assert!(matches!(
        revoke_key(&keys, "ffffffffffffffff", "lost", added_at),
        Err(KeyChangeError::UnknownKey { .. })
    ));
    assert!(matches!(
        revoke_key(&keys, &key.key_id, "lost", time("2025-01-01T00:00:00Z")),
        Err(KeyChangeError::RevokedBeforeAdded { .. })
    ));
    let revoked = revoke_key(&keys, &key.key_id, "lost", sent_at()).unwrap();
    assert!(matches!(
        revoke_key(&revoked, &key.key_id, "lost again", sent_at()),
        Err(KeyChangeError::AlreadyRevoked { .. })
    ));
}
