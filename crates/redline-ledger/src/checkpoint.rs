//! C2SP tlog-checkpoint (<https://c2sp.org/tlog-checkpoint@v1.0.0>): the note body a log
//! signs for each tree head — origin, decimal tree size, base64 root hash, then optional
//! extension lines — and opening a signed checkpoint with the log's key.

use crate::hash::{Hash, HashDecodeError};
use crate::note::{
    Note, NoteParseError, NoteSigner, NoteVerification, NoteVerifier, NoteVerifyError,
};

/// A checkpoint body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's identity; by convention a schema-less URL, equal to the log key's name.
    pub origin: String,
    pub tree_size: u64,
    pub root_hash: Hash,
    /// Opaque extra lines after the root hash; not recommended, our log writes none.
    pub extension_lines: Vec<String>,
}

/// Why a checkpoint body could not be parsed. Line numbers count from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointParseError {
    #[error("the checkpoint does not end with a newline")]
    MissingFinalNewline,
    #[error("the checkpoint has {line_count} lines; it needs origin, tree size and root hash")]
    TooFewLines { line_count: usize },
    #[error("line 1: the origin is empty")]
    EmptyOrigin,
    #[error(
        "line 2: tree size {text:?} is not a decimal number without leading zeros that fits in 64 bits"
    )]
    InvalidTreeSize { text: String },
    #[error("line 3: root hash {text:?} is invalid: {source}")]
    InvalidRootHash {
        text: String,
        source: HashDecodeError,
    },
    #[error("line {line}: extension lines must not be empty")]
    EmptyExtensionLine { line: usize },
    #[error("line {line}: extension lines are not accepted here")]
    ExtensionLinesNotAllowed { line: usize },
    #[error("line {line}: control character in the checkpoint")]
    ControlCharacter { line: usize },
}

/// Why a signed checkpoint could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointOpenError {
    #[error("the checkpoint note is malformed: {0}")]
    Note(#[from] NoteParseError),
    #[error("the checkpoint body is malformed: {0}")]
    Body(#[from] CheckpointParseError),
    #[error("the checkpoint signature does not verify: {0}")]
    Signature(#[from] NoteVerifyError),
    #[error("the checkpoint is for origin {found:?}, expected {expected:?}")]
    WrongOrigin { expected: String, found: String },
}

/// Parses a decimal `u64` without sign, without leading zeros (except "0" itself).
pub fn parse_decimal_u64(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    if text.len() > 1 && text.starts_with('0') {
        return None;
    }
    text.parse::<u64>().ok()
}

impl Checkpoint {
    /// A checkpoint without extension lines.
    pub fn new(origin: impl Into<String>, tree_size: u64, root_hash: Hash) -> Checkpoint {
        Checkpoint {
            origin: origin.into(),
            tree_size,
            root_hash,
            extension_lines: Vec::new(),
        }
    }

    /// Parses a checkpoint body (the note text), accepting extension lines.
    pub fn parse_body(text: &str) -> Result<Checkpoint, CheckpointParseError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(CheckpointParseError::MissingFinalNewline)?;
        let lines: Vec<&str> = body.split('\n').collect();
        for (position, line) in lines.iter().enumerate() {
            if line.chars().any(|character| character.is_ascii_control()) {
                return Err(CheckpointParseError::ControlCharacter { line: position + 1 });
            }
        }
        if lines.len() < 3 {
            return Err(CheckpointParseError::TooFewLines {
                line_count: lines.len(),
            });
        }
        let origin = lines[0];
        if origin.is_empty() {
            return Err(CheckpointParseError::EmptyOrigin);
        }
        let tree_size =
            parse_decimal_u64(lines[1]).ok_or_else(|| CheckpointParseError::InvalidTreeSize {
                text: lines[1].to_owned(),
            })?;
        let root_hash = Hash::from_base64(lines[2]).map_err(|source| {
            CheckpointParseError::InvalidRootHash {
                text: lines[2].to_owned(),
                source,
            }
        })?;
        let mut extension_lines = Vec::new();
        for (position, line) in lines.iter().enumerate().skip(3) {
            if line.is_empty() {
                return Err(CheckpointParseError::EmptyExtensionLine { line: position + 1 });
            }
            extension_lines.push((*line).to_owned());
        }
        Ok(Checkpoint {
            origin: origin.to_owned(),
            tree_size,
            root_hash,
            extension_lines,
        })
    }

    /// Parses a checkpoint body and refuses extension lines (our own policy for logs we
    /// witness and for our own log).
    pub fn parse_body_without_extensions(text: &str) -> Result<Checkpoint, CheckpointParseError> {
        let checkpoint = Checkpoint::parse_body(text)?;
        if !checkpoint.extension_lines.is_empty() {
            return Err(CheckpointParseError::ExtensionLinesNotAllowed { line: 4 });
        }
        Ok(checkpoint)
    }

    /// The note text: origin, size, base64 root, extension lines, each ending in a newline.
    pub fn to_body(&self) -> String {
        let mut body = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.tree_size,
            self.root_hash.to_base64()
        );
        for line in &self.extension_lines {
            body.push_str(line);
            body.push('\n');
        }
        body
    }

    /// A note over this checkpoint, signed by `log_signer`.
    pub fn sign(&self, log_signer: &dyn NoteSigner) -> Result<Note, NoteParseError> {
        let mut note = Note::new(self.to_body())?;
        note.sign(log_signer);
        Ok(note)
    }
}

/// A checkpoint whose log signature verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedCheckpoint {
    pub checkpoint: Checkpoint,
    pub note: Note,
    pub verification: NoteVerification,
}

/// Parses a signed checkpoint note, checks its origin and its signature by one of
/// `log_verifiers`.
pub fn open_checkpoint(
    note_bytes: &[u8],
    expected_origin: &str,
    log_verifiers: &[&dyn NoteVerifier],
) -> Result<OpenedCheckpoint, CheckpointOpenError> {
    let note = Note::parse(note_bytes)?;
    let checkpoint = Checkpoint::parse_body(note.text())?;
    if checkpoint.origin != expected_origin {
        return Err(CheckpointOpenError::WrongOrigin {
            expected: expected_origin.to_owned(),
            found: checkpoint.origin,
        });
    }
    let verification = note.verify(log_verifiers)?;
    Ok(OpenedCheckpoint {
        checkpoint,
        note,
        verification,
    })
}
