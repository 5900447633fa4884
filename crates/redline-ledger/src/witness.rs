//! C2SP tlog-witness (<https://c2sp.org/tlog-witness@v1.0.0>), the pure part: parsing an
//! `add-checkpoint` request body and deciding whether our node, acting as a witness, may
//! cosign it. Persisting the new state (atomically, before answering) and signing with
//! [`crate::cosignature::CosignatureSigner`] are the caller's job.
//!
//! Request body: `old <size>\n`, zero to 63 base64 consistency-proof lines, an empty line,
//! then the signed checkpoint.

use crate::checkpoint::{Checkpoint, CheckpointParseError, parse_decimal_u64};
use crate::hash::{EMPTY_TREE_HASH, Hash};
use crate::note::{Note, NoteParseError, NoteVerifier};
use crate::proof::verify_consistency;

/// Most consistency-proof lines a request may carry.
pub const MAX_CONSISTENCY_PROOF_LINES: usize = 63;

/// A parsed `add-checkpoint` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpointRequest {
    pub old_size: u64,
    pub consistency_proof: Vec<Hash>,
    pub checkpoint_note: Note,
}

/// Why a request body could not be parsed (HTTP 400). Line numbers count from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddCheckpointParseError {
    #[error("the request is not valid UTF-8")]
    InvalidUtf8,
    #[error("line 1 must be \"old <decimal size>\"")]
    MissingOldSize,
    #[error("line 1: old size {text:?} is not a decimal number that fits in 64 bits")]
    InvalidOldSize { text: String },
    #[error("line {line}: consistency proof hash is invalid: {reason}")]
    InvalidProofHash { line: usize, reason: String },
    #[error("the consistency proof has more than {MAX_CONSISTENCY_PROOF_LINES} lines")]
    ProofTooLong,
    #[error("the request ends before the empty line and the checkpoint")]
    MissingCheckpoint,
    #[error("the checkpoint note is malformed: {0}")]
    CheckpointNote(#[from] NoteParseError),
}

impl AddCheckpointRequest {
    pub fn parse(bytes: &[u8]) -> Result<AddCheckpointRequest, AddCheckpointParseError> {
        let text = std::str::from_utf8(bytes).map_err(|_| AddCheckpointParseError::InvalidUtf8)?;
        let (head, note_text) = text
            .split_once("\n\n")
            .ok_or(AddCheckpointParseError::MissingCheckpoint)?;
        let mut lines = head.split('\n');
        let old_text = lines
            .next()
            .and_then(|line| line.strip_prefix("old "))
            .ok_or(AddCheckpointParseError::MissingOldSize)?;
        let old_size =
            parse_decimal_u64(old_text).ok_or_else(|| AddCheckpointParseError::InvalidOldSize {
                text: old_text.to_owned(),
            })?;
        let mut consistency_proof = Vec::new();
        for (position, line) in lines.enumerate() {
            if consistency_proof.len() == MAX_CONSISTENCY_PROOF_LINES {
                return Err(AddCheckpointParseError::ProofTooLong);
            }
            let hash = Hash::from_base64(line).map_err(|error| {
                AddCheckpointParseError::InvalidProofHash {
                    line: position + 2,
                    reason: error.to_string(),
                }
            })?;
            consistency_proof.push(hash);
        }
        let checkpoint_note = Note::parse(note_text.as_bytes())?;
        Ok(AddCheckpointRequest {
            old_size,
            consistency_proof,
            checkpoint_note,
        })
    }

    /// The request body.
    pub fn to_text(&self) -> String {
        let mut text = format!("old {}\n", self.old_size);
        for hash in &self.consistency_proof {
            text.push_str(&hash.to_base64());
            text.push('\n');
        }
        text.push('\n');
        text.push_str(&self.checkpoint_note.to_text());
        text
    }
}

/// Why the witness refuses to cosign, with the HTTP status tlog-witness prescribes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WitnessRejection {
    #[error("the checkpoint body is malformed: {0}")]
    MalformedCheckpoint(#[from] CheckpointParseError),
    #[error("this witness does not know origin {origin:?}")]
    UnknownOrigin { origin: String },
    #[error("no trusted log signature verifies, or a trusted key's signature fails")]
    NotSignedByLog,
    #[error("old size {old_size} is larger than the checkpoint size {checkpoint_size}")]
    OldSizeBeyondCheckpoint { old_size: u64, checkpoint_size: u64 },
    #[error("old size {old_size} is not the size this witness last cosigned, {latest_size}")]
    OldSizeMismatch { old_size: u64, latest_size: u64 },
    #[error("the checkpoint is not consistent with the one this witness last cosigned: {reason}")]
    Inconsistent { reason: String },
}

impl WitnessRejection {
    /// The HTTP status code of the rejection (400, 403, 404, 409 or 422).
    pub fn http_status(&self) -> u16 {
        match self {
            WitnessRejection::MalformedCheckpoint(_)
            | WitnessRejection::OldSizeBeyondCheckpoint { .. } => 400,
            WitnessRejection::NotSignedByLog => 403,
            WitnessRejection::UnknownOrigin { .. } => 404,
            WitnessRejection::OldSizeMismatch { .. } => 409,
            WitnessRejection::Inconsistent { .. } => 422,
        }
    }
}

/// Decides whether to cosign `request` for the log `origin` trusted through `log_verifiers`,
/// given the checkpoint this witness last cosigned for that origin (`None` if never). On
/// success returns the checkpoint to persist (atomically, comparing the old size) and cosign.
pub fn check_add_checkpoint(
    request: &AddCheckpointRequest,
    origin: &str,
    log_verifiers: &[&dyn NoteVerifier],
    latest_cosigned: Option<&Checkpoint>,
) -> Result<Checkpoint, WitnessRejection> {
    let checkpoint = Checkpoint::parse_body(request.checkpoint_note.text())?;
    if checkpoint.origin != origin {
        return Err(WitnessRejection::UnknownOrigin {
            origin: checkpoint.origin,
        });
    }
    let verification = request
        .checkpoint_note
        .verify(log_verifiers)
        .map_err(|_| WitnessRejection::NotSignedByLog)?;
    if verification.verified.is_empty() {
        return Err(WitnessRejection::NotSignedByLog);
    }
    let old_size = request.old_size;
    if old_size > checkpoint.tree_size {
        return Err(WitnessRejection::OldSizeBeyondCheckpoint {
            old_size,
            checkpoint_size: checkpoint.tree_size,
        });
    }
    let (latest_size, latest_root) = latest_cosigned.map_or((0, EMPTY_TREE_HASH), |latest| {
        (latest.tree_size, latest.root_hash)
    });
    if old_size != latest_size {
        return Err(WitnessRejection::OldSizeMismatch {
            old_size,
            latest_size,
        });
    }
    let proof = &request.consistency_proof;
    let inconsistent = |reason: &str| WitnessRejection::Inconsistent {
        reason: reason.to_owned(),
    };
    if old_size == 0 {
        if !proof.is_empty() {
            return Err(inconsistent("a proof from size 0 must be empty"));
        }
        if checkpoint.tree_size == 0 && checkpoint.root_hash != EMPTY_TREE_HASH {
            return Err(inconsistent(
                "a size-0 checkpoint must have the empty-tree root",
            ));
        }
        return Ok(checkpoint);
    }
    verify_consistency(
        old_size,
        checkpoint.tree_size,
        proof,
        latest_root.as_ref(),
        checkpoint.root_hash.as_ref(),
    )
    .map_err(|error| inconsistent(&error.to_string()))?;
    Ok(checkpoint)
}
