//! The witness policy, k of n: which cosignatures count (those of the configured witness keys
//! that verify), how many make a checkpoint *witnessed*, and whether a verifier must refuse a
//! checkpoint that is not. The one definition used by the node (collecting cosignatures), the
//! public dashboard, receipts and `redline log verify`.
//!
//! The meaning of the quorum `k`:
//!
//! - A checkpoint is **witnessed** when at least `max(k, 1)` distinct configured witnesses
//!   cosigned it. "Witnessed" always means somebody independent vouched for it, so with a
//!   quorum of 0, or with no witnesses configured, a checkpoint without a valid cosignature is
//!   never called witnessed.
//! - A quorum of 0 means the policy **does not require** witnessing: a verifier accepts a
//!   checkpoint whatever its cosignatures ([`WitnessPolicy::is_satisfied_by`]). With `k >= 1`, a
//!   verifier accepts exactly the witnessed checkpoints.
//! - Each configured witness counts once, however many of its cosignatures a note carries; the
//!   same key configured twice counts once.
//! - A quorum larger than the number of witnesses can never be met; that is the caller's
//!   configuration to check, not an error here.

use crate::cosignature::CosignatureVerifier;
use crate::note::Note;

/// Which witnesses' cosignatures count and how many are needed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WitnessPolicy {
    witnesses: Vec<CosignatureVerifier>,
    quorum: usize,
}

/// One configured witness and the timestamp (POSIX seconds) of its valid cosignature on a
/// checkpoint, if the note carries one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessCosignature {
    pub witness_name: String,
    pub cosigned_at_seconds: Option<u64>,
}

/// What the policy says about one checkpoint note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessDecision {
    /// Every configured witness, in configuration order, with its cosignature if valid.
    pub cosignatures: Vec<WitnessCosignature>,
    /// How many configured witnesses cosigned validly.
    pub valid_cosignatures: usize,
    /// At least `max(quorum, 1)` of them did.
    pub witnessed: bool,
    /// A verifier accepts the checkpoint: witnessing is not required (quorum 0), or it is
    /// witnessed.
    pub satisfied: bool,
}

impl WitnessDecision {
    /// Names of the witnesses whose cosignatures verified, in configuration order.
    pub fn cosigned_by(&self) -> Vec<String> {
        self.cosignatures
            .iter()
            .filter(|cosignature| cosignature.cosigned_at_seconds.is_some())
            .map(|cosignature| cosignature.witness_name.clone())
            .collect()
    }
}

impl WitnessPolicy {
    /// A policy over `witnesses` requiring `quorum` of them. A key listed twice (same name and
    /// key id) is kept once.
    pub fn new(witnesses: Vec<CosignatureVerifier>, quorum: usize) -> WitnessPolicy {
        let mut distinct: Vec<CosignatureVerifier> = Vec::with_capacity(witnesses.len());
        for witness in witnesses {
            let already = distinct.iter().any(|kept| {
                kept.key_name() == witness.key_name() && kept.key_id() == witness.key_id()
            });
            if !already {
                distinct.push(witness);
            }
        }
        WitnessPolicy {
            witnesses: distinct,
            quorum,
        }
    }

    /// No witnesses and no requirement: nothing is ever witnessed, everything is accepted.
    pub fn none() -> WitnessPolicy {
        WitnessPolicy::default()
    }

    pub fn witnesses(&self) -> &[CosignatureVerifier] {
        &self.witnesses
    }

    /// The configured quorum `k` (0: witnessing not required).
    pub fn quorum(&self) -> usize {
        self.quorum
    }

    /// How many valid cosignatures make a checkpoint witnessed: `max(quorum, 1)`.
    pub fn cosignatures_needed(&self) -> usize {
        self.quorum.max(1)
    }

    /// Whether the policy requires witnessing (a quorum of at least 1).
    pub fn requires_witnessing(&self) -> bool {
        self.quorum > 0
    }

    /// Whether `valid_cosignatures` distinct configured witnesses make a checkpoint witnessed.
    pub fn is_witnessed_by(&self, valid_cosignatures: usize) -> bool {
        valid_cosignatures >= self.cosignatures_needed()
    }

    /// Whether a verifier accepts a checkpoint with `valid_cosignatures` cosignatures.
    pub fn is_satisfied_by(&self, valid_cosignatures: usize) -> bool {
        !self.requires_witnessing() || self.is_witnessed_by(valid_cosignatures)
    }

    /// Each configured witness with its valid cosignature on `note` (a checkpoint note), if any.
    /// Signatures by other keys, and invalid ones, are ignored here; a caller that must refuse
    /// a note carrying an invalid cosignature by a known witness checks the note with
    /// [`Note::verify`] first.
    pub fn cosignatures(&self, note: &Note) -> Vec<WitnessCosignature> {
        self.witnesses
            .iter()
            .map(|witness| WitnessCosignature {
                witness_name: witness.key_name().to_owned(),
                cosigned_at_seconds: note
                    .signatures()
                    .iter()
                    .find_map(|signature| witness.verify_cosignature(note.text(), signature).ok()),
            })
            .collect()
    }

    /// The policy's decision on `note`.
    pub fn decide(&self, note: &Note) -> WitnessDecision {
        let cosignatures = self.cosignatures(note);
        let valid_cosignatures = cosignatures
            .iter()
            .filter(|cosignature| cosignature.cosigned_at_seconds.is_some())
            .count();
        WitnessDecision {
            cosignatures,
            valid_cosignatures,
            witnessed: self.is_witnessed_by(valid_cosignatures),
            satisfied: self.is_satisfied_by(valid_cosignatures),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::checkpoint::Checkpoint;
    use crate::cosignature::CosignatureSigner;
    use crate::hash::Hash;
    use crate::note::Ed25519NoteSigner;

    fn witness(index: u8) -> CosignatureSigner {
        CosignatureSigner::from_seed(&format!("witness.example/{index}"), &[index; 32]).unwrap()
    }

    /// A checkpoint note signed by the log and cosigned by witnesses `cosigned_by` (indexes).
    fn note_cosigned_by(cosigned_by: &[u8]) -> Note {
        let log = Ed25519NoteSigner::from_seed("log.example", &[200; 32]).unwrap();
        let mut note = Checkpoint::new("log.example", 10, Hash([7; 32]))
            .sign(&log)
            .unwrap();
        let body = note.text().to_owned();
        for index in cosigned_by {
            note.add_signature(witness(*index).cosign(&body, 1_700_000_000).unwrap());
        }
        note
    }

    /// One row of the rule: witnesses configured (seeds), quorum, witnesses that cosigned →
    /// (valid cosignatures, witnessed, accepted by a verifier).
    fn check(configured: &[u8], quorum: usize, cosigned_by: &[u8], expect: (usize, bool, bool)) {
        let policy = WitnessPolicy::new(
            configured
                .iter()
                .map(|index| witness(*index).verifier())
                .collect(),
            quorum,
        );
        let decision = policy.decide(&note_cosigned_by(cosigned_by));
        assert_eq!(
            (
                decision.valid_cosignatures,
                decision.witnessed,
                decision.satisfied
            ),
            expect,
            "configured {configured:?}, quorum {quorum}, cosigned by {cosigned_by:?}"
        );
        assert_eq!(
            policy.is_witnessed_by(decision.valid_cosignatures),
            decision.witnessed
        );
    }

    #[test]
    fn witness_policy_table() {
        // No witnesses configured: never witnessed; accepted only without a requirement.
        check(&[], 0, &[], (0, false, true));
        check(&[], 1, &[], (0, false, false));
        check(&[], 0, &[1], (0, false, true)); // an unknown cosigner does not count
        // Quorum 0: not required, but "witnessed" still needs one cosignature.
        check(&[1, 2], 0, &[], (0, false, true));
        check(&[1, 2], 0, &[2], (1, true, true));
        // k of n.
        check(&[1, 2], 1, &[], (0, false, false));
        check(&[1, 2], 1, &[1], (1, true, true));
        check(&[1, 2, 3], 2, &[3], (1, false, false));
        check(&[1, 2, 3], 2, &[1, 3], (2, true, true));
        check(&[1, 2, 3], 2, &[1, 2, 3], (3, true, true));
        check(&[1, 2, 3], 2, &[4, 5], (0, false, false)); // strangers do not count
        // A witness counts once, even configured twice or cosigning twice.
        check(&[1, 1], 2, &[1], (1, false, false));
        check(&[1], 2, &[1, 1], (1, false, false));
        // A quorum above n can never be met.
        check(&[1], 2, &[1], (1, false, false));
    }

    #[test]
    fn cosignatures_name_every_configured_witness_in_order_with_its_time() {
        let policy = WitnessPolicy::new(vec![witness(1).verifier(), witness(2).verifier()], 1);
        let decision = policy.decide(&note_cosigned_by(&[2]));
        assert_eq!(
            decision.cosignatures,
            vec![
                WitnessCosignature {
                    witness_name: "witness.example/1".into(),
                    cosigned_at_seconds: None
                },
                WitnessCosignature {
                    witness_name: "witness.example/2".into(),
                    cosigned_at_seconds: Some(1_700_000_000)
                },
            ]
        );
        assert_eq!(decision.cosigned_by(), vec!["witness.example/2".to_owned()]);
    }
}
