//! redline-hotline: the pure core of the signed hotline between parties.
//!
//! Owns the DSSE envelope and its Ed25519 signatures (`envelope`), the message payload and its
//! eleven kinds (`message`), the complete acceptance check as one pure function (`verify`), the
//! thread state machine (`thread`), the outcomes of assistance and mitigation requests and their
//! steps (`request_outcome`), deadline arithmetic from a duties table (`deadline`), which duties
//! were kept (`duties_kept`), the standard forms in the six UN languages (`forms`), and what a
//! notification of a hotline event says and how it is signed (`notification`). It does no I/O, reads no clock and draws
//! no randomness: ids, keys and times are passed in by the node.

pub mod consultation;
pub mod deadline;
pub mod duties_kept;
pub mod envelope;
// Relays, party statements and the rules of federation between nodes.
pub mod federation;
pub mod forms;
pub mod keys;
pub mod message;
pub mod notification;
pub mod request_outcome;
pub mod signed_record;
pub mod thread;
pub mod verify;

pub use consultation::{
    ConsultationFacts, ConsultationId, ConsultationOutcome, ConsultationOutcomeKind,
    ConsultationRecord, ConsultationRefusal, ConsultationReply, ConsultationRequest,
    ConsultationState, Remedy, ReplyPosition, reply_deadline,
};
pub use deadline::{
    DutiesTable, DutyKind, DutyRule, ThreadDeadlines, deadline_for, due_deadline_event, is_overdue,
};
pub use envelope::{
    EXERCISE_REPORT_PAYLOAD_TYPE, Envelope, EnvelopeError, EnvelopeSignature, MESSAGE_PAYLOAD_TYPE,
    key_id_for, party_key_for, pre_authentication_encoding, verifying_key_of,
};
pub use forms::{FormError, FormLanguage, FreeTextField, RenderedForm, TextDirection, render_form};
pub use keys::{
    KeyChangeError, check_key_not_claimed, key_is_current_at, register_key, revoke_key, rotate_key,
};
pub use message::{HotlineMessage, MessageBody, MessageKind, hotline_message_json_schema};
pub use request_outcome::{
    InvalidOutcomeTransition, OUTCOME_TRANSITIONS, RequestOutcomeKind, RequestStatus, next_outcome,
    requests_of_thread,
};
pub use signed_record::{
    SignedRecordError, check_signed_by_author, open_signed_record, payload_digest, sign_record,
};
pub use thread::{InvalidTransition, TRANSITIONS, ThreadEvent, ThreadState, transition};
pub use verify::{
    MessageLookups, PrefetchedLookups, ReferencedMessage, Rejection, VerificationContext,
    VerifiedMessage, read_unverified_message, verify_message,
};

use ed25519_dalek::SigningKey;

/// Serialises `message` and signs it as a hotline envelope; returns the envelope bytes to send.
pub fn sign_message(message: &HotlineMessage, signing_key: &SigningKey) -> Vec<u8> {
    Envelope::sign(MESSAGE_PAYLOAD_TYPE, message.to_json_bytes(), signing_key).to_json_bytes()
}

/// Signs what a due exercise inject asks its `sign_as` party to sign: for an `incident`
/// inject, the report it becomes (payload type `EXERCISE_REPORT_PAYLOAD_TYPE`); for a
/// `notification` inject, the hotline message. `payload` is the due entry's payload as JSON.
pub fn sign_exercise_payload(
    inject_kind: &str,
    payload: &[u8],
    signing_key: &SigningKey,
) -> Result<Vec<u8>, redline_model::ModelError> {
    if inject_kind == "incident" {
        return Ok(
            Envelope::sign(EXERCISE_REPORT_PAYLOAD_TYPE, payload.to_vec(), signing_key)
                .to_json_bytes(),
        );
    }
    let message = HotlineMessage::parse(payload)?;
    Ok(sign_message(&message, signing_key))
}
