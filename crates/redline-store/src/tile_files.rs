//! [`FileTileStorage`]: the transparency log's tiles, entry bundles and checkpoint as plain files
//! in a directory laid out exactly like the C2SP tlog-tiles URL space (`checkpoint`,
//! `tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]`), so a static file server or `redline log
//! mirror` can serve or copy it as is.
//!
//! Durability: every file is written to a temporary name, synced and renamed into place, and
//! the directory is synced. In *batch* mode ([`FileTileStorage::set_batched`]) the per-file
//! syncs are skipped and [`FileTileStorage::sync`] makes the whole batch durable at once — the
//! log writer calls it once per batch, before it writes the checkpoint. On Linux that is one
//! `syncfs` of the file system; elsewhere (`syncfs` is Linux only) each file written since the
//! last sync is synced, then each directory it was renamed into. On Windows directories cannot
//! be opened to be synced; NTFS journals the renames itself, so directory syncs are skipped. The
//! checkpoint is always written last and fully synced ([`FileTileStorage::write_checkpoint`]),
//! so after a crash every tile the last checkpoint covers is on disk; anything newer is
//! rewritten by the next publish.
//!
//! Full tiles are immutable: writing a full tile that exists with other content is refused.

use std::collections::BTreeSet;
use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use redline_ledger::storage::{TileStorage, TileStorageError};
use redline_ledger::tiles::TileAddress;

/// Name of the checkpoint file at the root of the log directory.
pub const CHECKPOINT_FILE_NAME: &str = "checkpoint";
const TEMPORARY_DIRECTORY_NAME: &str = ".tmp";

/// A tile storage in a directory.
#[derive(Debug)]
pub struct FileTileStorage {
    root: PathBuf,
    batched: bool,
    /// The files written in batch mode since the last [`FileTileStorage::sync`]: Linux syncs
    /// them with one `syncfs`, other systems one by one.
    unsynced: Vec<PathBuf>,
    temporary_counter: AtomicU64,
}

impl FileTileStorage {
    /// Opens (creating it if needed) the log directory `root`; leftover temporary files of a
    /// crashed write are removed.
    pub fn open(root: impl Into<PathBuf>) -> std::io::Result<FileTileStorage> {
        let root = root.into();
        fs::create_dir_all(root.join("tile"))?;
        let temporary = root.join(TEMPORARY_DIRECTORY_NAME);
        if temporary.exists() {
            fs::remove_dir_all(&temporary)?;
        }
        fs::create_dir_all(&temporary)?;
        sync_directory(&root)?;
        Ok(FileTileStorage {
            root,
            batched: false,
            unsynced: Vec::new(),
            temporary_counter: AtomicU64::new(0),
        })
    }

    /// Opens the log directory `root` for reading only: nothing is created or removed, so it
    /// is safe beside the writer that owns the directory. Writing through it is a mistake.
    pub fn open_for_reading(root: impl Into<PathBuf>) -> FileTileStorage {
        FileTileStorage {
            root: root.into(),
            batched: false,
            unsynced: Vec::new(),
            temporary_counter: AtomicU64::new(0),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// In batch mode, writes are not durable until [`FileTileStorage::sync`] returns.
    pub fn set_batched(&mut self, batched: bool) {
        self.batched = batched;
    }

    /// Makes every write since the last sync durable: one `syncfs` of the file system on
    /// Linux, elsewhere a sync of each file written and of the directories they are in.
    pub fn sync(&mut self) -> std::io::Result<()> {
        if self.unsynced.is_empty() {
            return Ok(());
        }
        #[cfg(target_os = "linux")]
        sync_file_system(&self.root)?;
        #[cfg(not(target_os = "linux"))]
        sync_files_and_their_directories(&self.unsynced)?;
        self.unsynced.clear();
        Ok(())
    }

    /// The file that holds `address`.
    pub fn tile_path(&self, address: &TileAddress) -> PathBuf {
        self.root.join(address.path())
    }

    /// The signed checkpoint last written, if any.
    pub fn read_checkpoint(&self) -> std::io::Result<Option<Vec<u8>>> {
        read_if_exists(&self.root.join(CHECKPOINT_FILE_NAME))
    }

    /// Atomically replaces the checkpoint and makes it durable (whatever the batch mode).
    /// Call it only after the tiles it covers are durable.
    pub fn write_checkpoint(&mut self, note_bytes: &[u8]) -> std::io::Result<()> {
        self.sync()?;
        let target = self.root.join(CHECKPOINT_FILE_NAME);
        self.write_file_atomically(&target, note_bytes, true)
    }

    /// Removes full tiles and bundles that lie beyond `tree_size`: a crash after publishing but
    /// before the checkpoint can leave some, and the entries they hold were never acknowledged.
    /// Without this the log could not write the (different) tile that takes their place.
    pub fn discard_full_tiles_beyond(&mut self, tree_size: u64) -> std::io::Result<()> {
        // The directories files were removed from: their entries must be durable.
        let mut emptied = BTreeSet::new();
        for level in 0..=redline_ledger::tiles::MAX_TILE_LEVEL {
            let shift = u32::from(level) * 8;
            let hashes_at_level = if shift >= 64 { 0 } else { tree_size >> shift };
            let mut index = hashes_at_level / 256;
            let mut level_had_files = false;
            loop {
                let mut found = false;
                let mut addresses = vec![TileAddress::Hashes {
                    level,
                    index,
                    width: 256,
                }];
                if level == 0 {
                    addresses.push(TileAddress::EntryBundle { index, width: 256 });
                }
                for address in addresses {
                    let path = self.tile_path(&address);
                    match fs::remove_file(&path) {
                        Ok(()) => {
                            found = true;
                            if let Some(parent) = path.parent() {
                                emptied.insert(parent.to_path_buf());
                            }
                        }
                        Err(error) if error.kind() == ErrorKind::NotFound => {}
                        Err(error) => return Err(error),
                    }
                }
                if !found {
                    break;
                }
                level_had_files = true;
                index += 1;
            }
            if !level_had_files && hashes_at_level == 0 {
                break;
            }
        }
        if !emptied.is_empty() {
            #[cfg(target_os = "linux")]
            sync_file_system(&self.root)?;
            #[cfg(not(target_os = "linux"))]
            for directory in &emptied {
                sync_directory(directory)?;
            }
        }
        Ok(())
    }

    /// Atomically writes any other small file under the log directory (durably).
    pub fn write_file(&mut self, relative_path: &str, contents: &[u8]) -> std::io::Result<()> {
        let target = self.root.join(relative_path);
        self.write_file_atomically(&target, contents, true)
    }

    fn write_file_atomically(
        &self,
        target: &Path,
        contents: &[u8],
        durable: bool,
    ) -> std::io::Result<()> {
        let parent = target
            .parent()
            .ok_or_else(|| std::io::Error::other("a tile path has no parent directory"))?;
        fs::create_dir_all(parent)?;
        let number = self.temporary_counter.fetch_add(1, Ordering::Relaxed);
        let temporary = self
            .root
            .join(TEMPORARY_DIRECTORY_NAME)
            .join(format!("{}-{number}", std::process::id()));
        {
            let mut file = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(&temporary)?;
            file.write_all(contents)?;
            if durable {
                file.sync_all()?;
            }
        }
        fs::rename(&temporary, target)?;
        if durable {
            sync_directory(parent)?;
        }
        Ok(())
    }
}

fn read_if_exists(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(error) if error.kind() == ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}

/// Makes a directory's entries (creations, renames, removals) durable. Windows cannot open a
/// directory as a file, and NTFS journals its metadata, so there it does nothing.
fn sync_directory(path: &Path) -> std::io::Result<()> {
    #[cfg(not(windows))]
    fs::File::open(path)?.sync_all()?;
    #[cfg(windows)]
    let _ = path;
    Ok(())
}

/// Everything written to the file system that holds `root`, in one call (Linux only).
#[cfg(target_os = "linux")]
fn sync_file_system(root: &Path) -> std::io::Result<()> {
    let directory = fs::File::open(root)?;
    rustix::fs::syncfs(&directory).map_err(std::io::Error::from)
}

/// Without `syncfs`: each file (opened for writing, which Windows needs to flush it), then each
/// directory once. Built everywhere so Linux tests it too; only other systems call it in `sync`.
#[cfg_attr(all(target_os = "linux", not(test)), allow(dead_code))]
fn sync_files_and_their_directories(paths: &[PathBuf]) -> std::io::Result<()> {
    let mut directories = BTreeSet::new();
    for path in paths {
        match OpenOptions::new().write(true).open(path) {
            Ok(file) => file.sync_all()?,
            // Deleted since it was written (a partial tile replaced by its full tile): its
            // directory's sync makes the removal durable.
            Err(error) if error.kind() == ErrorKind::NotFound => {}
            Err(error) => return Err(error),
        }
        if let Some(parent) = path.parent() {
            directories.insert(parent);
        }
    }
    for directory in directories {
        sync_directory(directory)?;
    }
    Ok(())
}

impl TileStorage for FileTileStorage {
    fn write_tile(
        &mut self,
        address: &TileAddress,
        contents: &[u8],
    ) -> Result<(), TileStorageError> {
        let failure = |reason: String| TileStorageError::WriteFailed {
            path: address.path(),
            reason,
        };
        let target = self.tile_path(address);
        if !address.is_partial() {
            match read_if_exists(&target) {
                Ok(Some(existing)) if existing == contents => return Ok(()),
                Ok(Some(_)) => {
                    return Err(failure(
                        "a full tile is immutable and exists with other content".to_owned(),
                    ));
                }
                Ok(None) => {}
                Err(error) => return Err(failure(error.to_string())),
            }
        }
        let durable = !self.batched;
        self.write_file_atomically(&target, contents, durable)
            .map_err(|error| failure(error.to_string()))?;
        if !durable {
            self.unsynced.push(target);
        }
        Ok(())
    }

    fn read_tile(&self, address: &TileAddress) -> Result<Option<Vec<u8>>, TileStorageError> {
        read_if_exists(&self.tile_path(address)).map_err(|error| TileStorageError::ReadFailed {
            path: address.path(),
            reason: error.to_string(),
        })
    }

    fn delete_tile(&mut self, address: &TileAddress) -> Result<(), TileStorageError> {
        match fs::remove_file(self.tile_path(address)) {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == ErrorKind::NotFound => Ok(()),
            Err(error) => Err(TileStorageError::DeleteFailed {
                path: address.path(),
                reason: error.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use redline_ledger::checkpoint::Checkpoint;
    use redline_ledger::log::{TiledLog, verify_storage};

    fn entry(index: u64) -> Vec<u8> {
        format!("{{\"index\":{index}}}").into_bytes()
    }

    #[test]
    fn a_published_log_recovers_from_files_and_verifies() {
        let directory = tempfile::tempdir().expect("temporary directory");
        for batched in [false, true] {
            let root = directory.path().join(format!("log-{batched}"));
            let mut storage = FileTileStorage::open(&root).expect("open");
            storage.set_batched(batched);
            let mut log = TiledLog::new("example.org/log");
            for round in 0..5u64 {
                for index in 0..(97 * round + 3) {
                    log.append(&entry(round * 1000 + index)).expect("append");
                }
                log.publish(&mut storage).expect("publish");
                storage.sync().expect("sync");
                let checkpoint = log.checkpoint();
                storage
                    .write_checkpoint(checkpoint.to_body().as_bytes())
                    .expect("checkpoint");
                verify_storage(&storage, &checkpoint).expect("storage verifies");
            }
            let checkpoint_bytes = storage.read_checkpoint().expect("read").expect("present");
            let checkpoint =
                Checkpoint::parse_body(std::str::from_utf8(&checkpoint_bytes).expect("utf-8"))
                    .expect("parse");
            let reopened = FileTileStorage::open(&root).expect("reopen");
            let recovered = TiledLog::recover(&reopened, &checkpoint).expect("recover");
            assert_eq!(recovered.size(), log.size());
            assert_eq!(recovered.checkpoint(), log.checkpoint());
        }
    }

    #[test]
    fn a_batch_is_synced_file_by_file_where_there_is_no_syncfs() {
        let directory = tempfile::tempdir().expect("temporary directory");
        let mut storage = FileTileStorage::open(directory.path()).expect("open");
        storage.set_batched(true);
        let mut log = TiledLog::new("example.org/log");
        for index in 0..300 {
            log.append(&entry(index)).expect("append");
        }
        log.publish(&mut storage).expect("publish");
        assert!(
            storage.unsynced.len() >= 2,
            "the batch's files are remembered: {:?}",
            storage.unsynced
        );
        // What other systems do in `sync`, with one of the files (a partial tile) gone meanwhile.
        let written = storage.unsynced.clone();
        let partial = written
            .iter()
            .find(|path| path.to_string_lossy().contains(".p/"))
            .expect("300 entries leave a partial tile");
        fs::remove_file(partial).expect("remove");
        sync_files_and_their_directories(&written).expect("each file and directory synced");
        storage.sync().expect("sync");
        assert!(storage.unsynced.is_empty());
        // One more entry: the next publish writes the partial tiles of the new size.
        log.append(&entry(300)).expect("append");
        log.publish(&mut storage).expect("publish again");
        assert!(!storage.unsynced.is_empty());
        let checkpoint = log.checkpoint();
        storage
            .write_checkpoint(checkpoint.to_body().as_bytes())
            .expect("checkpoint");
        assert!(storage.unsynced.is_empty(), "the checkpoint syncs first");
        verify_storage(&storage, &checkpoint).expect("storage verifies");
    }

    #[test]
    fn a_full_tile_is_immutable() {
        let directory = tempfile::tempdir().expect("temporary directory");
        let mut storage = FileTileStorage::open(directory.path()).expect("open");
        let address = TileAddress::Hashes {
            level: 0,
            index: 3,
            width: 256,
        };
        storage.write_tile(&address, &[1u8; 8192]).expect("write");
        storage
            .write_tile(&address, &[1u8; 8192])
            .expect("same content again is harmless");
        let error = storage.write_tile(&address, &[2u8; 8192]).unwrap_err();
        assert!(error.to_string().contains("immutable"), "{error}");
        assert_eq!(
            storage.read_tile(&address).expect("read"),
            Some(vec![1u8; 8192])
        );
        let partial = TileAddress::Hashes {
            level: 0,
            index: 4,
            width: 2,
        };
        assert_eq!(storage.read_tile(&partial).expect("read"), None);
        assert!(storage.tile_path(&partial).ends_with("tile/0/004.p/2"));
    }
}
