//! Split views: a log that shows one history to some and another to others. Nodes exchange the
//! checkpoints they have seen ("gossip"); two checkpoints of one origin at one size with
//! different roots, *both signed by the log's key*, are proof that the log forked — nobody but
//! the log can make such a pair, so the pair is the evidence ([`SplitViewEvidence`]), kept and
//! shown as it is. A checkpoint not signed by the log proves nothing and is refused.
//! `compare_seen_checkpoints` is the one check; the node's gossip, the dashboard and
//! `redline log verify --gossip` all use it.

use crate::checkpoint::{Checkpoint, open_checkpoint};
use crate::note::{Ed25519NoteVerifier, NoteVerifier};

/// Two checkpoint notes of one log at one size with different roots, both signed by the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitViewEvidence {
    pub origin: String,
    pub tree_size: u64,
    /// The two signed notes, verbatim.
    pub first_note: String,
    pub second_note: String,
}

/// Why a gossiped checkpoint cannot be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GossipError {
    #[error("the {which} checkpoint is not a checkpoint of `{origin}` signed by its key: {reason}")]
    NotSignedByLog {
        which: &'static str,
        origin: String,
        reason: String,
    },
}

/// A checkpoint whose log signature verified, with its note text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    pub checkpoint: Checkpoint,
    pub note: String,
}

/// Opens a gossiped note: it must be a checkpoint of the verifier's origin with a valid
/// signature by the log's key.
pub fn open_gossiped_checkpoint(
    note: &str,
    log_verifier: &Ed25519NoteVerifier,
) -> Result<SignedCheckpoint, String> {
    let origin = log_verifier.key_name().to_string();
    let opened = open_checkpoint(note.as_bytes(), &origin, &[log_verifier])
        .map_err(|error| error.to_string())?;
    if opened.verification.verified.is_empty() {
        return Err("no signature by the log's key".into());
    }
    Ok(SignedCheckpoint {
        checkpoint: opened.checkpoint,
        note: note.to_string(),
    })
}

/// Compares two notes of one log: `Some(evidence)` when they are a split view (same size,
/// different roots, both signed by the log), `None` when they agree or are of different sizes
/// (which only a consistency proof can settle, `monitor`'s job).
pub fn compare_seen_checkpoints(
    log_verifier: &Ed25519NoteVerifier,
    first_note: &str,
    second_note: &str,
) -> Result<Option<SplitViewEvidence>, GossipError> {
    let origin = log_verifier.key_name().to_string();
    let first = open_gossiped_checkpoint(first_note, log_verifier).map_err(|reason| {
        GossipError::NotSignedByLog {
            which: "first",
            origin: origin.clone(),
            reason,
        }
    })?;
    let second = open_gossiped_checkpoint(second_note, log_verifier).map_err(|reason| {
        GossipError::NotSignedByLog {
            which: "second",
            origin: origin.clone(),
            reason,
        }
    })?;
    let same_size = first.checkpoint.tree_size == second.checkpoint.tree_size;
    if same_size && first.checkpoint.root_hash != second.checkpoint.root_hash {
        return Ok(Some(SplitViewEvidence {
            origin,
            tree_size: first.checkpoint.tree_size,
            first_note: first.note,
            second_note: second.note,
        }));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::Hash;
    use crate::note::Ed25519NoteSigner;

    fn signed(signer: &Ed25519NoteSigner, size: u64, root: u8) -> String {
        Checkpoint::new("north.example/log", size, Hash([root; 32]))
            .sign(signer)
            .expect("signs")
            .to_text()
    }

    #[test]
    fn two_signed_roots_at_one_size_are_a_split_view_and_nothing_else_is() {
        let signer = Ed25519NoteSigner::from_seed("north.example/log", &[1; 32]).expect("key");
        let verifier = signer.verifier();
        let evidence =
            compare_seen_checkpoints(&verifier, &signed(&signer, 5, 1), &signed(&signer, 5, 2))
                .expect("compares")
                .expect("split view");
        assert_eq!(evidence.tree_size, 5);
        assert_eq!(evidence.origin, "north.example/log");
        // The same checkpoint twice, or two sizes: no evidence here.
        assert_eq!(
            compare_seen_checkpoints(&verifier, &signed(&signer, 5, 1), &signed(&signer, 5, 1)),
            Ok(None)
        );
        assert_eq!(
            compare_seen_checkpoints(&verifier, &signed(&signer, 5, 1), &signed(&signer, 6, 2)),
            Ok(None)
        );
    }

    #[test]
    fn a_note_not_signed_by_the_log_is_no_evidence() {
        let signer = Ed25519NoteSigner::from_seed("north.example/log", &[1; 32]).expect("key");
        let impostor = Ed25519NoteSigner::from_seed("north.example/log", &[2; 32]).expect("key");
        let result = compare_seen_checkpoints(
            &signer.verifier(),
            &signed(&signer, 5, 1),
            &signed(&impostor, 5, 2),
        );
        assert!(matches!(
            result,
            Err(GossipError::NotSignedByLog {
                which: "second",
                ..
            })
        ));
    }
}
