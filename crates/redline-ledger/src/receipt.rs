//! C2SP tlog-proof (<https://c2sp.org/tlog-proof>): the receipt a submitter keeps for an
//! entry — leaf index, inclusion path and the signed, cosigned checkpoint — checkable offline.
//!
//! ```text
//! c2sp.org/tlog-proof@v1
//! extra <base64>            (optional, unauthenticated application data)
//! index <decimal>
//! <base64 hash>             (zero or more, leaf sibling first)
//!
//! <checkpoint note, verbatim>
//! ```

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64_STANDARD;

use crate::checkpoint::{Checkpoint, CheckpointParseError, parse_decimal_u64};
use crate::cosignature::CosignatureVerifier;
use crate::hash::{Hash, leaf_hash};
use crate::note::{Note, NoteParseError, NoteVerifier, NoteVerifyError};
use crate::proof::{InclusionProofError, MAX_PROOF_LENGTH, verify_inclusion};
use crate::witness_policy::WitnessPolicy;

/// First line of every receipt.
pub const TLOG_PROOF_HEADER: &str = "c2sp.org/tlog-proof@v1";

/// A tlog-proof receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogProof {
    pub extra: Option<Vec<u8>>,
    pub leaf_index: u64,
    pub inclusion_proof: Vec<Hash>,
    pub checkpoint_note: Note,
}

/// Why a receipt could not be parsed. Line numbers count from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptParseError {
    #[error("the receipt is not valid UTF-8")]
    InvalidUtf8,
    #[error("line 1 must be {TLOG_PROOF_HEADER:?}")]
    MissingHeader,
    #[error("line {line}: extra data is not standard base64: {reason}")]
    InvalidExtra { line: usize, reason: String },
    #[error("line {line}: expected \"index <decimal>\"")]
    MissingIndex { line: usize },
    #[error("line {line}: index {text:?} is not a decimal number that fits in 64 bits")]
    InvalidIndex { line: usize, text: String },
    #[error("line {line}: proof hash is invalid: {reason}")]
    InvalidProofHash { line: usize, reason: String },
    #[error("the inclusion proof has more than {MAX_PROOF_LENGTH} hashes")]
    ProofTooLong,
    #[error("the receipt ends before the blank line and the checkpoint")]
    MissingCheckpoint,
    #[error("the checkpoint note is malformed: {0}")]
    CheckpointNote(#[from] NoteParseError),
}

/// Why a receipt did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptVerifyError {
    #[error("the checkpoint body is malformed: {0}")]
    CheckpointBody(#[from] CheckpointParseError),
    #[error("the checkpoint is for origin {found:?}, expected {expected:?}")]
    WrongOrigin { expected: String, found: String },
    #[error("the checkpoint signatures do not verify: {0}")]
    Signature(#[from] NoteVerifyError),
    #[error("no valid signature from the log key")]
    NoLogSignature,
    #[error("{valid_cosignatures} witnesses cosigned, {required} are required")]
    WitnessQuorumNotMet {
        valid_cosignatures: usize,
        required: usize,
    },
    #[error("the entry is not included at index {leaf_index}: {source}")]
    Inclusion {
        leaf_index: u64,
        source: InclusionProofError,
    },
}

/// What a verified receipt proves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedReceipt {
    pub checkpoint: Checkpoint,
    /// Names of the witnesses whose cosignatures verified.
    pub cosigned_by: Vec<String>,
}

impl TlogProof {
    /// A receipt from parts.
    pub fn new(leaf_index: u64, inclusion_proof: Vec<Hash>, checkpoint_note: Note) -> TlogProof {
        TlogProof {
            extra: None,
            leaf_index,
            inclusion_proof,
            checkpoint_note,
        }
    }

    /// Parses a receipt.
    pub fn parse(bytes: &[u8]) -> Result<TlogProof, ReceiptParseError> {
        let text = std::str::from_utf8(bytes).map_err(|_| ReceiptParseError::InvalidUtf8)?;
        let (head, checkpoint_text) = text
            .split_once("\n\n")
            .ok_or(ReceiptParseError::MissingCheckpoint)?;
        let mut lines = head
            .split('\n')
            .enumerate()
            .map(|(position, line)| (position + 1, line));
        match lines.next() {
            Some((_, TLOG_PROOF_HEADER)) => {}
            _ => return Err(ReceiptParseError::MissingHeader),
        }
        let (mut line, mut line_text) = lines
            .next()
            .ok_or(ReceiptParseError::MissingIndex { line: 2 })?;
        let mut extra = None;
        if let Some(encoded) = line_text.strip_prefix("extra ") {
            extra = Some(BASE64_STANDARD.decode(encoded).map_err(|error| {
                ReceiptParseError::InvalidExtra {
                    line,
                    reason: error.to_string(),
                }
            })?);
            (line, line_text) = lines
                .next()
                .ok_or(ReceiptParseError::MissingIndex { line: line + 1 })?;
        }
        let index_text = line_text
            .strip_prefix("index ")
            .ok_or(ReceiptParseError::MissingIndex { line })?;
        let leaf_index =
            parse_decimal_u64(index_text).ok_or_else(|| ReceiptParseError::InvalidIndex {
                line,
                text: index_text.to_owned(),
            })?;
        let mut inclusion_proof = Vec::new();
        for (line, line_text) in lines {
            if inclusion_proof.len() == MAX_PROOF_LENGTH {
                return Err(ReceiptParseError::ProofTooLong);
            }
            let hash = Hash::from_base64(line_text).map_err(|error| {
                ReceiptParseError::InvalidProofHash {
                    line,
                    reason: error.to_string(),
                }
            })?;
            inclusion_proof.push(hash);
        }
        let checkpoint_note = Note::parse(checkpoint_text.as_bytes())?;
        Ok(TlogProof {
            extra,
            leaf_index,
            inclusion_proof,
            checkpoint_note,
        })
    }

    /// The receipt text.
    pub fn to_text(&self) -> String {
        let mut text = format!("{TLOG_PROOF_HEADER}\n");
        if let Some(extra) = &self.extra {
            text.push_str(&format!("extra {}\n", BASE64_STANDARD.encode(extra)));
        }
        text.push_str(&format!("index {}\n", self.leaf_index));
        for hash in &self.inclusion_proof {
            text.push_str(&hash.to_base64());
            text.push('\n');
        }
        text.push('\n');
        text.push_str(&self.checkpoint_note.to_text());
        text
    }

    /// Checks that `entry` is in the log `origin`: the checkpoint is signed by one of
    /// `log_verifiers`, cosigned by at least `witness_quorum` of `witnesses` (a known witness
    /// whose cosignature fails rejects the receipt), and the inclusion proof leads to its root.
    /// The quorum means what [`WitnessPolicy`] says (0: no cosignature required).
    pub fn verify(
        &self,
        entry: &[u8],
        origin: &str,
        log_verifiers: &[&dyn NoteVerifier],
        witnesses: &[&CosignatureVerifier],
        witness_quorum: usize,
    ) -> Result<VerifiedReceipt, ReceiptVerifyError> {
        let policy = WitnessPolicy::new(
            witnesses.iter().map(|witness| (*witness).clone()).collect(),
            witness_quorum,
        );
        self.verify_with_policy(entry, origin, log_verifiers, &policy)
    }

    /// [`TlogProof::verify`] with the witness policy given whole.
    pub fn verify_with_policy(
        &self,
        entry: &[u8],
        origin: &str,
        log_verifiers: &[&dyn NoteVerifier],
        witness_policy: &WitnessPolicy,
    ) -> Result<VerifiedReceipt, ReceiptVerifyError> {
        let checkpoint = Checkpoint::parse_body(self.checkpoint_note.text())?;
        if checkpoint.origin != origin {
            return Err(ReceiptVerifyError::WrongOrigin {
                expected: origin.to_owned(),
                found: checkpoint.origin,
            });
        }
        let mut all_verifiers: Vec<&dyn NoteVerifier> = log_verifiers.to_vec();
        all_verifiers.extend(
            witness_policy
                .witnesses()
                .iter()
                .map(|witness| witness as &dyn NoteVerifier),
        );
        let verification = self.checkpoint_note.verify(&all_verifiers)?;
        let signed_by = |verifier: &dyn NoteVerifier| {
            verification.verified.iter().any(|signature| {
                signature.key_name == verifier.key_name() && signature.key_id == verifier.key_id()
            })
        };
        if !log_verifiers.iter().any(|verifier| signed_by(*verifier)) {
            return Err(ReceiptVerifyError::NoLogSignature);
        }
        let decision = witness_policy.decide(&self.checkpoint_note);
        if !decision.satisfied {
            return Err(ReceiptVerifyError::WitnessQuorumNotMet {
                valid_cosignatures: decision.valid_cosignatures,
                required: witness_policy.cosignatures_needed(),
            });
        }
        let cosigned_by = decision.cosigned_by();
        verify_inclusion(
            self.leaf_index,
            checkpoint.tree_size,
            leaf_hash(entry).as_ref(),
            &self.inclusion_proof,
            checkpoint.root_hash.as_ref(),
        )
        .map_err(|source| ReceiptVerifyError::Inclusion {
            leaf_index: self.leaf_index,
            source,
        })?;
        Ok(VerifiedReceipt {
            checkpoint,
            cosigned_by,
        })
    }
}
