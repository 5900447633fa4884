//! Where tiles and entry bundles are kept: the small [`TileStorage`] trait the log writes
//! through, and [`MemoryTileStorage`], an in-memory implementation that injects faults so tests
//! can check that a failed or torn write never breaks the log. The filesystem implementation
//! lives in redline-store.
//!
//! Trust: tile storage is *untrusted* for integrity (anything read back is re-hashed and
//! checked against a signed checkpoint) but must be durable once a write returned `Ok`.

use std::collections::BTreeMap;

use crate::tiles::TileAddress;

/// A tile storage failure, naming the resource.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileStorageError {
    #[error("writing {path} failed: {reason}")]
    WriteFailed { path: String, reason: String },
    #[error("reading {path} failed: {reason}")]
    ReadFailed { path: String, reason: String },
    #[error("deleting {path} failed: {reason}")]
    DeleteFailed { path: String, reason: String },
}

/// Stores tlog-tiles resources by address. Writes must be durable when they return `Ok`;
/// writing the same full tile twice must be harmless (the content is the same).
pub trait TileStorage {
    fn write_tile(
        &mut self,
        address: &TileAddress,
        contents: &[u8],
    ) -> Result<(), TileStorageError>;
    /// `Ok(None)` when the resource does not exist.
    fn read_tile(&self, address: &TileAddress) -> Result<Option<Vec<u8>>, TileStorageError>;
    fn delete_tile(&mut self, address: &TileAddress) -> Result<(), TileStorageError>;
}

/// What a planned fault does to a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteFault {
    /// The write fails and nothing is stored.
    FailWithoutPersisting,
    /// The write is stored but reported as failed (the crash came after the write).
    FailAfterPersisting,
    /// Only the first `kept_bytes` bytes are stored and the write is reported as failed.
    Torn { kept_bytes: usize },
    /// Only the first `kept_bytes` bytes are stored but the write is reported as done: a
    /// storage that lies. Reading back must detect it.
    SilentlyTorn { kept_bytes: usize },
}

/// An in-memory tile storage with fault injection.
#[derive(Debug, Clone, Default)]
pub struct MemoryTileStorage {
    tiles: BTreeMap<TileAddress, Vec<u8>>,
    /// Number of write calls so far, counted from 1, faulty ones included.
    write_count: u64,
    /// Faults keyed by the number of the write call they hit.
    planned_write_faults: BTreeMap<u64, WriteFault>,
    /// When set, every read fails (a storage that is down).
    reads_fail: bool,
}

impl MemoryTileStorage {
    pub fn new() -> MemoryTileStorage {
        MemoryTileStorage::default()
    }

    /// Makes write call number `write_number` (counted from 1 over the storage's lifetime)
    /// fail with `fault`.
    pub fn plan_write_fault(&mut self, write_number: u64, fault: WriteFault) {
        self.planned_write_faults.insert(write_number, fault);
    }

    /// Makes the next write call fail with `fault`.
    pub fn fail_next_write(&mut self, fault: WriteFault) {
        self.plan_write_fault(self.write_count + 1, fault);
    }

    /// Makes every read fail (or succeed again).
    pub fn set_reads_fail(&mut self, reads_fail: bool) {
        self.reads_fail = reads_fail;
    }

    /// Number of write calls so far.
    pub fn write_count(&self) -> u64 {
        self.write_count
    }

    /// All stored resources.
    pub fn tiles(&self) -> &BTreeMap<TileAddress, Vec<u8>> {
        &self.tiles
    }

    /// Overwrites a stored resource directly (to simulate tampering).
    pub fn tamper(&mut self, address: TileAddress, contents: Vec<u8>) {
        self.tiles.insert(address, contents);
    }
}

impl TileStorage for MemoryTileStorage {
    fn write_tile(
        &mut self,
        address: &TileAddress,
        contents: &[u8],
    ) -> Result<(), TileStorageError> {
        self.write_count += 1;
        let failure = |reason: &str| TileStorageError::WriteFailed {
            path: address.path(),
            reason: reason.to_owned(),
        };
        match self.planned_write_faults.remove(&self.write_count) {
            None => {
                self.tiles.insert(*address, contents.to_vec());
                Ok(())
            }
            Some(WriteFault::FailWithoutPersisting) => {
                Err(failure("injected fault: not persisted"))
            }
            Some(WriteFault::FailAfterPersisting) => {
                self.tiles.insert(*address, contents.to_vec());
                Err(failure("injected fault: persisted, then failed"))
            }
            Some(WriteFault::Torn { kept_bytes }) => {
                let kept = &contents[..kept_bytes.min(contents.len())];
                self.tiles.insert(*address, kept.to_vec());
                Err(failure("injected fault: torn write"))
            }
            Some(WriteFault::SilentlyTorn { kept_bytes }) => {
                let kept = &contents[..kept_bytes.min(contents.len())];
                self.tiles.insert(*address, kept.to_vec());
                Ok(())
            }
        }
    }

    fn read_tile(&self, address: &TileAddress) -> Result<Option<Vec<u8>>, TileStorageError> {
        if self.reads_fail {
            return Err(TileStorageError::ReadFailed {
                path: address.path(),
                reason: "injected fault: reads fail".to_owned(),
            });
        }
        Ok(self.tiles.get(address).cloned())
    }

    fn delete_tile(&mut self, address: &TileAddress) -> Result<(), TileStorageError> {
        self.tiles.remove(address);
        Ok(())
    }
}
