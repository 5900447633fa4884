//! A monitor of transparency logs: the checkpoints seen so far, per origin, and the check every
//! new checkpoint must pass — it never rolls a log back (a smaller size than one seen), never
//! forks it (a different root at a size seen), and its tree contains every tree seen before
//! (shown by a consistency proof from the latest one seen, or by the new tree's own roots at
//! the earlier sizes when the monitor has recomputed the whole tree). `redline log verify`
//! keeps one in its `--state` file.

use std::collections::BTreeMap;

use crate::checkpoint::Checkpoint;
use crate::hash::Hash;
use crate::proof::verify_consistency;

/// A checkpoint the monitor has accepted: its size and root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeenCheckpoint {
    pub tree_size: u64,
    pub root_hash: Hash,
}

impl From<&Checkpoint> for SeenCheckpoint {
    fn from(checkpoint: &Checkpoint) -> SeenCheckpoint {
        SeenCheckpoint {
            tree_size: checkpoint.tree_size,
            root_hash: checkpoint.root_hash,
        }
    }
}

/// Why a new checkpoint cannot follow the ones seen. The messages name the sizes and the roots
/// (base64) involved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MonitorAlarm {
    #[error("rolled back: the checkpoint has size {size}, but size {seen_size} was seen before")]
    RolledBack { size: u64, seen_size: u64 },
    #[error(
        "fork: the checkpoint of size {size} has root {}, but root {} was seen before at that size",
        root.to_base64(),
        seen_root.to_base64()
    )]
    ForkedAtSameSize {
        size: u64,
        root: Hash,
        seen_root: Hash,
    },
    #[error(
        "fork: the log's root at size {seen_size} is {}, but a checkpoint seen before says {}",
        root.to_base64(),
        seen_root.to_base64()
    )]
    ForkedBefore {
        seen_size: u64,
        root: Hash,
        seen_root: Hash,
    },
    #[error("the new tree's root at size {seen_size} is unknown: {reason}")]
    RootUnavailable { seen_size: u64, reason: String },
    #[error(
        "fork: the checkpoint of size {size} is not consistent with the one of size {seen_size} seen before: {reason}"
    )]
    Inconsistent {
        size: u64,
        seen_size: u64,
        reason: String,
    },
}

/// The checkpoints seen, per log origin, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckpointMonitor {
    seen: BTreeMap<String, Vec<SeenCheckpoint>>,
}

impl CheckpointMonitor {
    pub fn new() -> CheckpointMonitor {
        CheckpointMonitor::default()
    }

    /// Every checkpoint of `origin` seen, in the order they were recorded.
    pub fn seen(&self, origin: &str) -> &[SeenCheckpoint] {
        self.seen.get(origin).map_or(&[], Vec::as_slice)
    }

    /// The largest checkpoint of `origin` seen.
    pub fn latest(&self, origin: &str) -> Option<SeenCheckpoint> {
        self.seen(origin)
            .iter()
            .max_by_key(|seen| seen.tree_size)
            .copied()
    }

    /// Remembers `seen` for `origin` unless a checkpoint of that size is already remembered.
    /// Call it only for a checkpoint that passed the checks.
    pub fn record(&mut self, origin: &str, seen: SeenCheckpoint) {
        let checkpoints = self.seen.entry(origin.to_owned()).or_default();
        if !checkpoints
            .iter()
            .any(|known| known.tree_size == seen.tree_size)
        {
            checkpoints.push(seen);
        }
    }

    /// The size rules against every checkpoint of the same origin seen: never smaller, never a
    /// different root at the same size.
    pub fn check_size_and_root(&self, checkpoint: &Checkpoint) -> Result<(), MonitorAlarm> {
        for seen in self.seen(&checkpoint.origin) {
            if seen.tree_size > checkpoint.tree_size {
                return Err(MonitorAlarm::RolledBack {
                    size: checkpoint.tree_size,
                    seen_size: seen.tree_size,
                });
            }
            if seen.tree_size == checkpoint.tree_size && seen.root_hash != checkpoint.root_hash {
                return Err(MonitorAlarm::ForkedAtSameSize {
                    size: checkpoint.tree_size,
                    root: checkpoint.root_hash,
                    seen_root: seen.root_hash,
                });
            }
        }
        Ok(())
    }

    /// For a monitor that recomputed the new tree: every checkpoint seen is the new tree at that
    /// size (`root_at` answers the new tree's root at an earlier size).
    pub fn check_contains_seen<E: std::fmt::Display>(
        &self,
        checkpoint: &Checkpoint,
        root_at: impl Fn(u64) -> Result<Hash, E>,
    ) -> Result<(), MonitorAlarm> {
        for seen in self.seen(&checkpoint.origin) {
            let root = root_at(seen.tree_size).map_err(|error| MonitorAlarm::RootUnavailable {
                seen_size: seen.tree_size,
                reason: error.to_string(),
            })?;
            if root != seen.root_hash {
                return Err(MonitorAlarm::ForkedBefore {
                    seen_size: seen.tree_size,
                    root,
                    seen_root: seen.root_hash,
                });
            }
        }
        Ok(())
    }

    /// For a monitor that has only the checkpoint and a consistency proof from the latest
    /// checkpoint seen (empty when none was seen, or when the sizes are equal): the size rules,
    /// then the proof.
    pub fn check_consistency_proof(
        &self,
        checkpoint: &Checkpoint,
        proof: &[Hash],
    ) -> Result<(), MonitorAlarm> {
        self.check_size_and_root(checkpoint)?;
        let Some(latest) = self.latest(&checkpoint.origin) else {
            return Ok(());
        };
        if latest.tree_size == 0 {
            return Ok(());
        }
        verify_consistency(
            latest.tree_size,
            checkpoint.tree_size,
            proof,
            latest.root_hash.as_ref(),
            checkpoint.root_hash.as_ref(),
        )
        .map_err(|error| MonitorAlarm::Inconsistent {
            size: checkpoint.tree_size,
            seen_size: latest.tree_size,
            reason: error.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::tree::MerkleTree;

    const ORIGIN: &str = "log.example";

    /// A tree of `size` entries; `variant` changes every entry, so equal sizes give other roots.
    fn tree(size: u64, variant: u8) -> MerkleTree {
        let mut tree = MerkleTree::new();
        for index in 0..size {
            tree.append_leaf_hash(crate::hash::leaf_hash(&[variant, index as u8]));
        }
        tree
    }

    fn checkpoint(size: u64, variant: u8) -> Checkpoint {
        Checkpoint::new(ORIGIN, size, tree(size, variant).root())
    }

    fn alarm_name(alarm: &MonitorAlarm) -> &'static str {
        match alarm {
            MonitorAlarm::RolledBack { .. } => "rolled back",
            MonitorAlarm::ForkedAtSameSize { .. } => "fork at same size",
            MonitorAlarm::ForkedBefore { .. } => "fork before",
            MonitorAlarm::RootUnavailable { .. } => "root unavailable",
            MonitorAlarm::Inconsistent { .. } => "inconsistent",
        }
    }

    /// One row of the rule: checkpoints seen as (size, variant), the new one → the alarm of the
    /// check against the recomputed tree and of the check with a consistency proof (`ok`).
    fn check(seen: &[(u64, u8)], new: (u64, u8), expect_by_tree: &str, expect_by_proof: &str) {
        let mut monitor = CheckpointMonitor::new();
        for (seen_size, seen_variant) in seen {
            monitor.record(
                ORIGIN,
                SeenCheckpoint::from(&checkpoint(*seen_size, *seen_variant)),
            );
        }
        let (size, variant) = new;
        let new_checkpoint = checkpoint(size, variant);
        let new_tree = tree(size, variant);
        let by_tree = monitor
            .check_size_and_root(&new_checkpoint)
            .and_then(|()| monitor.check_contains_seen(&new_checkpoint, |at| new_tree.root_at(at)));
        assert_eq!(
            by_tree.as_ref().map_or_else(alarm_name, |()| "ok"),
            expect_by_tree,
            "seen {seen:?}, new {new:?}: {by_tree:?}"
        );
        let proof = match monitor.latest(ORIGIN) {
            Some(latest) if latest.tree_size > 0 && latest.tree_size < size => {
                new_tree.consistency_proof(latest.tree_size, size).unwrap()
            }
            _ => Vec::new(),
        };
        let by_proof = monitor.check_consistency_proof(&new_checkpoint, &proof);
        assert_eq!(
            by_proof.as_ref().map_or_else(alarm_name, |()| "ok"),
            expect_by_proof,
            "seen {seen:?}, new {new:?}: {by_proof:?}"
        );
    }

    #[test]
    fn monitor_table() {
        check(&[], (5, 0), "ok", "ok");
        check(&[(5, 0)], (5, 0), "ok", "ok");
        check(&[(5, 0)], (9, 0), "ok", "ok");
        check(&[(3, 0), (5, 0)], (9, 0), "ok", "ok");
        check(&[(5, 0)], (4, 0), "rolled back", "rolled back");
        check(&[(3, 0), (9, 0)], (5, 0), "rolled back", "rolled back");
        check(&[(5, 0)], (5, 1), "fork at same size", "fork at same size");
        check(&[(5, 0)], (9, 1), "fork before", "inconsistent");
        check(&[(3, 0), (5, 0)], (9, 1), "fork before", "inconsistent");
        check(&[(0, 0)], (9, 1), "ok", "ok");
        check(&[(0, 0), (5, 0)], (9, 0), "ok", "ok");
    }

    #[test]
    fn origins_are_kept_apart_and_a_size_is_recorded_once() {
        let mut monitor = CheckpointMonitor::new();
        monitor.record(ORIGIN, SeenCheckpoint::from(&checkpoint(5, 0)));
        monitor.record(ORIGIN, SeenCheckpoint::from(&checkpoint(5, 1)));
        assert_eq!(monitor.seen(ORIGIN).len(), 1);
        let other = Checkpoint::new("other.example", 1, tree(1, 0).root());
        assert_eq!(monitor.check_size_and_root(&other), Ok(()));
        assert_eq!(monitor.latest("other.example"), None);
    }
}
