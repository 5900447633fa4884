//! Signed records as every area receives them (attribution, commitments, disclosure,
//! supply-chain notices): the envelope opened as its payload type, with the payload, its digest
//! and the envelope's text as stored; and the one author rule — a party signs and sends only in
//! its own name (the operator may relay), with a key of its own current when it signed, never
//! in the future.

use redline_hotline::{check_signed_by_author, open_signed_record, payload_digest};
use redline_model::{PartyId, Timestamp};

use crate::{Caller, Node, NodeError};

/// A signed record, opened: the envelope's JSON as stored, the payload, its digest.
pub(crate) struct OpenedRecord {
    pub(crate) envelope_text: String,
    pub(crate) payload: Vec<u8>,
    pub(crate) digest: String,
}

/// Opens `bytes` as a signed record of `payload_type`: the envelope parses and names the type;
/// the payload is left for the area to parse.
pub(crate) fn open_record(bytes: &[u8], payload_type: &str) -> Result<OpenedRecord, NodeError> {
    let envelope = open_signed_record(bytes, payload_type)
        .map_err(|error| NodeError::invalid("envelope", error.to_string()))?;
    let envelope_text = String::from_utf8(envelope.to_json_bytes())
        .map_err(|error| NodeError::Internal(error.to_string()))?;
    Ok(OpenedRecord {
        digest: payload_digest(&envelope.payload),
        payload: envelope.payload,
        envelope_text,
    })
}

impl Node {
    /// The author acts for itself (or the operator relays it), signed with a key of its own
    /// that was current when it signed, and not signed in the future. `path` names the author's
    /// field in the payload, `time_path` the field of the time it signed (`signed_at`, or
    /// `sent_at` for a message).
    pub(crate) async fn check_author(
        &self,
        caller: &Caller,
        author: &PartyId,
        bytes: &[u8],
        signed_at: Timestamp,
        path: &str,
        time_path: &str,
    ) -> Result<(), NodeError> {
        if let Caller::Party(party) = caller
            && party != author
        {
            return Err(NodeError::Forbidden(format!(
                "{party} cannot sign or send a record in the name of {author}"
            )));
        }
        let now = self.now();
        if signed_at.as_microseconds()
            > now.as_microseconds()
                + redline_model::incident::ALLOWED_FUTURE_SKEW_SECONDS * 1_000_000
        {
            return Err(NodeError::invalid(
                time_path,
                format!("{signed_at} is in the future (the node's clock reads {now})"),
            ));
        }
        let party = self.store.get_party(author).await?.ok_or_else(|| {
            NodeError::invalid(path, format!("{author} is not a party of this node"))
        })?;
        let envelope = redline_hotline::Envelope::parse(bytes)
            .map_err(|error| NodeError::invalid("envelope", error.to_string()))?;
        check_signed_by_author(&envelope, author.as_str(), &party.keys, signed_at)
            .map_err(|error| NodeError::invalid("envelope.signatures", error.to_string()))
    }
}
