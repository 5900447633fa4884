//! redline-hotline: the pure core of the signed hotline between parties.
//!
//! Owns the DSSE envelope and its Ed25519 signatures (`envelope`), the message payload and its
//! ten kinds (`message`), the complete acceptance check as one pure function (`verify`), the
//! thread state machine (`thread`), deadline arithmetic from a duties table (`deadline`) and the
//! standard forms in the six UN languages (`forms`). It does no I/O, reads no clock and draws
//! no randomness: ids, keys and times are passed in by the node.

pub mod deadline;
pub mod envelope;
pub mod forms;
pub mod keys;
pub mod message;
pub mod thread;
pub mod verify;

pub use deadline::{
    DutiesTable, DutyKind, DutyRule, ThreadDeadlines, deadline_for, due_deadline_event, is_overdue,
};
pub use envelope::{
    Envelope, EnvelopeError, EnvelopeSignature, MESSAGE_PAYLOAD_TYPE, key_id_for, party_key_for,
    pre_authentication_encoding, verifying_key_of,
};
pub use forms::{FormError, FormLanguage, FreeTextField, RenderedForm, TextDirection, render_form};
pub use keys::{KeyChangeError, key_is_current_at, register_key, revoke_key, rotate_key};
pub use message::{HotlineMessage, MessageBody, MessageKind};
pub use thread::{InvalidTransition, TRANSITIONS, ThreadEvent, ThreadState, transition};
pub use verify::{
    MessageLookups, PrefetchedLookups, Rejection, VerificationContext, VerifiedMessage,
    read_unverified_message, verify_message,
};

use ed25519_dalek::SigningKey;

/// Serialises `message` and signs it as a hotline envelope; returns the envelope bytes to send.
pub fn sign_message(message: &HotlineMessage, signing_key: &SigningKey) -> Vec<u8> {
    Envelope::sign(MESSAGE_PAYLOAD_TYPE, message.to_json_bytes(), signing_key).to_json_bytes()
}
