//! The node's transparency log: one public, append-only tlog-tiles log per node, signed with the
//! node's Ed25519 key, recording *that* something happened (norms documents added and adopted,
//! parties and their keys, incident submissions and updates, assessments, and — through
//! [`Node::append_to_log`] — hotline messages and communication checks) but never the content
//! of an amber or red object: an entry is a small JSON record of kind, party, subject id, time
//! and the SHA-256 of the full object.
//!
//! Writing: one thread owns the [`TiledLog`] and the [`FileTileStorage`]. It takes every queued
//! entry (waiting at most the batch interval, up to the batch size), appends them, publishes the
//! tiles with one `syncfs`, signs a checkpoint after a compare-and-swap against the last signed
//! one (never two different trees of one size), writes it durably, and only then hands each
//! caller its [`LogReceipt`]. After a crash the log is rebuilt from the tiles the last
//! checkpoint covers; anything newer was never acknowledged.
//!
//! The use cases do not wait for the log. A change and the entries it causes commit in one
//! database transaction (the entries into the store's log outbox, [`Node::commit_logged`]); the
//! node answers after that commit and hands the entries to the writer, which appends them and
//! then has their outbox rows deleted. When the log is attached ([`Node::attach_log`]) every
//! entry still in the outbox is appended, except those the log already holds byte for byte
//! (the checkpoint was written but the rows not yet deleted). So a stored change is always
//! logged, exactly once, and one durable point (the database commit) answers a request. Readers
//! that must see their own writes in the log wait for it first ([`NodeLog::settle`]).
//!
//! The tile directory is the log's store (the checkpoint file is the commit point); the
//! subject-id index is rebuilt from the entry bundles at start.
//!
//! Several processes over one PostgreSQL database ([`NodeLog::open_shared`], [`LogRole`]): the
//! tile directory is shared storage, and the log's one mutable pointer is the checkpoint note
//! in the database, moved by compare-and-swap. One process leads ([`NodeLog::lead`]): it
//! recovers the log at the stored pointer, takes every entry from the outbox (`cluster.rs`)
//! and publishes each checkpoint by swapping the pointer, then writes the checkpoint file as a
//! copy for tools reading the directory. The others follow ([`NodeLog::follow_pointer`]): they
//! extend their tree from the tiles the new pointer covers and check its root, so every
//! process answers the same proofs; they never write to the directory.
//!
//! What a process serves (its checkpoint, and the tiles and proofs under it) only moves forward
//! ([`served_checkpoint_moves_to`]), and never stays behind the pointer it last read: every
//! process of a shared deployment, the leader included, reads the pointer before it serves and
//! moves to it ([`NodeLog::follow_pointer`]). The leader needs this too: its writer serves a
//! checkpoint only after the compare-and-swap commits, so for a moment the pointer (which a
//! follower may already serve) is ahead of it; it then serves the pointer, which its own tree
//! gives. A pointer older than what is served is a read that lost a race with a newer one, and
//! is ignored.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use redline_ledger::checkpoint::{Checkpoint, open_checkpoint};
use redline_ledger::hash::sha256;
use redline_ledger::log::TiledLog;
use redline_ledger::note::{Ed25519NoteSigner, Ed25519NoteVerifier, Note};
use redline_ledger::proof::verify_consistency;
use redline_ledger::tiles::{TileAddress, parse_entry_bundle_of_width};
use redline_model::Timestamp;
use redline_store::FileTileStorage;
use serde::{Deserialize, Serialize};

use crate::{Node, NodeError};

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogEntryKind {
    NormsDocumentAdded,
    NormsDocumentAdopted,
    PartyAdded,
    PartyKeyAdded,
    PartyKeyRevoked,
    IncidentSubmitted,
    IncidentUpdated,
    Assessment,
    HotlineMessage,
    CommunicationCheck,
    /// A tabletop exercise was created (always marked `exercise`).
    ExerciseStarted,
    /// A player recorded the response rung it chose in an exercise.
    ExerciseDecision,
    /// A version of an attribution claim was filed (its signed envelope's hash).
    AttributionClaim,
    /// A party co-signed a claim version.
    AttributionCosignature,
    /// A claimant published or withdrew a claim.
    AttributionDecision,
    /// A consultation request, reply or outcome about a claim.
    Consultation,
    /// A peer node vouched for a party homed there, or changed its keys (the hash of the
    /// peer's signed statement).
    PartyHomed,
    /// A party's signed adoption or withdrawal of a norms document.
    NormsAdoptionStatement,
    /// A version of a national implementation report.
    ImplementationReport,
    /// A peer-review round's opening, review, answer or closing.
    PeerReview,
    /// A version of a capacity-building request or offer.
    CapacityBuilding,
    /// A version of a disclosure case (the digest of its signed envelope only).
    DisclosureCase,
    /// An action on a disclosure case.
    DisclosureAction,
    /// A change of a disclosure case's embargo end.
    DisclosureEmbargo,
    /// A supply-chain notice to every party (GGE 13(i); the digest of its signed envelope).
    SupplyChainNotice,
    /// A party's acknowledgement of a supply-chain notice.
    SupplyChainAcknowledgement,
}

/// One log entry: who did what to which object, when, and the SHA-256 of the object's full
/// bytes (so its holder can prove later what was logged; the object itself stays private).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogEntry {
    pub kind: LogEntryKind,
    /// The acting party, if a party acted (the operator is `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
    /// The id of the object: an incident id, a party id, a norms document's SHA-256, a message
    /// id.
    pub subject: String,
    pub time: Timestamp,
    /// Lowercase hex SHA-256 of the object's full bytes.
    pub sha256: String,
    /// Set for what an exercise did (an exercise incident, message or decision), so a reader
    /// of the log never takes it for a real event. Written only when true: every other entry
    /// keeps its exact bytes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exercise: bool,
}

impl LogEntry {
    /// An entry for `object_bytes` (only their hash is kept).
    pub fn new(
        kind: LogEntryKind,
        party: Option<String>,
        subject: impl Into<String>,
        time: Timestamp,
        object_bytes: &[u8],
    ) -> LogEntry {
        LogEntry {
            kind,
            party,
            subject: subject.into(),
            time,
            sha256: hex::encode(sha256(object_bytes)),
            exercise: false,
        }
    }

    /// The same entry, marked as part of an exercise when `exercise` is true.
    pub fn exercise(mut self, exercise: bool) -> LogEntry {
        self.exercise = exercise;
        self
    }

    /// The exact bytes appended to the log.
    pub fn to_bytes(&self) -> Result<Vec<u8>, NodeError> {
        self.to_text().map(String::into_bytes)
    }

    /// The exact text appended to the log (JSON).
    pub fn to_text(&self) -> Result<String, NodeError> {
        serde_json::to_string(self)
            .map_err(|error| NodeError::Internal(format!("encoding a log entry: {error}")))
    }
}

/// What a caller gets back once its entry is durable: the entry's index and a C2SP
/// `tlog-proof` receipt (inclusion proof to a signed checkpoint), checkable offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogReceipt {
    pub leaf_index: u64,
    /// The entry bytes as logged (JSON).
    pub entry: String,
    /// The `c2sp.org/tlog-proof@v1` text.
    pub tlog_proof: String,
}

/// How the node's log is set up.
#[derive(Debug, Clone)]
pub struct LogConfig {
    /// The tile directory (served as is under `/log/`).
    pub directory: PathBuf,
    /// The log's origin line, e.g. `redline.example.org/log`; also the key name.
    pub origin: String,
    /// The 32-byte Ed25519 seed of the node's key.
    pub signing_seed: [u8; 32],
    /// How long the writer waits for more entries after the first of a batch while a caller
    /// waits (for a receipt, or in [`NodeLog::settle`]).
    pub batch_interval: Duration,
    /// How long it gathers entries nobody waits for (those of answered writes, from the
    /// outbox) before it signs: fewer checkpoints and syncs, at most this much later.
    pub sequencing_interval: Duration,
    /// The most entries in one batch.
    pub batch_entries: usize,
}

impl LogConfig {
    pub fn new(directory: impl Into<PathBuf>, origin: impl Into<String>, seed: [u8; 32]) -> Self {
        LogConfig {
            directory: directory.into(),
            origin: origin.into(),
            signing_seed: seed,
            batch_interval: Duration::from_millis(2),
            sequencing_interval: Duration::from_millis(100),
            batch_entries: 65_536,
        }
    }
}

/// Why the log cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum LogOpenError {
    #[error("the log directory {directory}: {source}")]
    Io {
        directory: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the log directory {directory} is held by another redline process (a running `redline serve`? send the command to it with --url)"
    )]
    Locked { directory: PathBuf },
    #[error("the log key: {0}")]
    Key(String),
    #[error("the stored checkpoint in {directory}: {reason}")]
    Checkpoint { directory: PathBuf, reason: String },
    #[error("recovering the log from {directory}: {reason}")]
    Recovery { directory: PathBuf, reason: String },
}

/// An entry for the writer thread.
struct AppendRequest {
    entry: Vec<u8>,
    /// The entry's row in the store's log outbox, deleted once the entry is durable.
    outbox_id: Option<i64>,
    /// Answered once the entry is durable; `None` when nobody waits.
    respond: Option<tokio::sync::oneshot::Sender<Result<DurableEntry, NodeError>>>,
}

/// What the writer thread takes.
enum WriterRequest {
    Append(AppendRequest),
    /// Answered once everything queued before it is durable. An `urgent` barrier closes the
    /// batch it joins within the short interval; another waits for the batch's own time, so a
    /// public reader cannot make the log sign more checkpoints than it would anyway.
    Barrier {
        respond: tokio::sync::oneshot::Sender<Result<(), NodeError>>,
        urgent: bool,
    },
}

/// Told the outbox ids of entries that became durable.
type LoggedCallback = Box<dyn Fn(Vec<i64>) + Send + Sync>;

/// What the writer hands back once an entry is durable under a signed checkpoint. The receipt
/// (an inclusion proof and its text) is built from it in the caller's task, not in the writer
/// thread, and only by callers that want one.
struct DurableEntry {
    entry: Vec<u8>,
    leaf_index: u64,
    tree_size: u64,
    note: Arc<Note>,
}

/// What readers (HTTP, proofs) see, updated by the writer after each durable checkpoint.
pub(crate) struct LogShared {
    pub(crate) log: RwLock<TiledLog>,
    /// The last signed checkpoint note (with any cosignatures collected so far).
    pub(crate) checkpoint_note: RwLock<Note>,
    /// Leaf indices of each subject id, for published entries.
    pub(crate) subjects: RwLock<HashMap<String, Vec<u64>>>,
    /// A writer failure that stops the log (e.g. a failed compare-and-swap).
    pub(crate) failed: Mutex<Option<String>>,
    /// Told which outbox rows are durable in the log (set when the log is attached to a node).
    on_logged: std::sync::OnceLock<LoggedCallback>,
    /// Tests only: run by the writer between publishing a checkpoint (the pointer swapped) and
    /// serving it, the window in which the pointer is ahead of the leader.
    #[cfg(test)]
    pub(crate) between_publishing_and_serving: std::sync::OnceLock<Box<dyn Fn() + Send + Sync>>,
}

impl LogShared {
    fn new(log: TiledLog, note: Note, subjects: HashMap<String, Vec<u64>>) -> LogShared {
        LogShared {
            log: RwLock::new(log),
            checkpoint_note: RwLock::new(note),
            subjects: RwLock::new(subjects),
            failed: Mutex::new(None),
            on_logged: std::sync::OnceLock::new(),
            #[cfg(test)]
            between_publishing_and_serving: std::sync::OnceLock::new(),
        }
    }

    /// Serves `next` if it is newer than the checkpoint served now (the one rule every path
    /// that changes the served checkpoint goes through: the writer, a follower, a leader
    /// catching up with its own pointer). Answers whether it did.
    fn serve(&self, next: Note) -> Result<bool, String> {
        let next_checkpoint =
            Checkpoint::parse_body(next.text()).map_err(|error| error.to_string())?;
        let mut served = self
            .checkpoint_note
            .write()
            .map_err(|_| "checkpoint lock poisoned".to_owned())?;
        let served_checkpoint =
            Checkpoint::parse_body(served.text()).map_err(|error| error.to_string())?;
        if served_checkpoint_moves_to(&served_checkpoint, &next_checkpoint)
            != ServedCheckpointMove::Forward
        {
            return Ok(false);
        }
        *served = next;
        Ok(true)
    }

    /// Records why the log (or this process's view of it) stopped.
    fn stop(&self, reason: &str) {
        if let Ok(mut failed) = self.failed.lock() {
            failed.get_or_insert_with(|| reason.to_owned());
        }
    }
}

/// Where a checkpoint (the pointer just read, or one just signed) stands against the one a
/// process serves: the functional core of "the log never goes back".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ServedCheckpointMove {
    /// A larger tree: serve it (once this process's tree gives its root).
    Forward,
    /// The same tree: nothing to do.
    Same,
    /// A smaller tree: a read that lost a race with a newer one; never served.
    Behind,
    /// Another root at the same size: two histories, which the log never serves.
    Fork,
}

/// Whether a process serving `served` may move to `next` (see [`ServedCheckpointMove`]).
pub(crate) fn served_checkpoint_moves_to(
    served: &Checkpoint,
    next: &Checkpoint,
) -> ServedCheckpointMove {
    use std::cmp::Ordering;
    match next.tree_size.cmp(&served.tree_size) {
        Ordering::Greater => ServedCheckpointMove::Forward,
        Ordering::Less => ServedCheckpointMove::Behind,
        Ordering::Equal if next.root_hash == served.root_hash => ServedCheckpointMove::Same,
        Ordering::Equal => ServedCheckpointMove::Fork,
    }
}

/// Who writes the tiles a process's log reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogRole {
    /// The only process (SQLite): it writes, and its checkpoint file is the pointer.
    OnlyWriter,
    /// Another process writes; this one follows the pointer in the database.
    Follower,
    /// This process leads: it writes, and publishes by compare-and-swap in the database.
    Leader,
}

/// The node's log: a handle on the writer thread and the shared view.
pub struct NodeLog {
    origin: String,
    directory: PathBuf,
    verifier: Ed25519NoteVerifier,
    pub(crate) shared: Arc<LogShared>,
    sender: Mutex<Option<mpsc::Sender<WriterRequest>>>,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// How it was set up (the key and the batch intervals, for a follower that comes to lead).
    config: LogConfig,
    role: Mutex<LogRole>,
    /// One refresh of a follower's view at a time.
    following: Mutex<()>,
    /// Held for the life of the log when it is the only writer: one writer per directory.
    _lock_file: Option<std::fs::File>,
}

impl std::fmt::Debug for NodeLog {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("NodeLog")
            .field("origin", &self.origin)
            .field("directory", &self.directory)
            .finish_non_exhaustive()
    }
}

impl NodeLog {
    /// Opens (or creates) the log in `config.directory`, recovering it from the tiles the
    /// stored checkpoint covers, and starts the writer thread.
    pub fn open(config: LogConfig) -> Result<NodeLog, LogOpenError> {
        let directory = config.directory.clone();
        let io = |source: std::io::Error| LogOpenError::Io {
            directory: directory.clone(),
            source,
        };
        std::fs::create_dir_all(&directory).map_err(io)?;
        let lock_file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(directory.join(".lock"))
            .map_err(io)?;
        if lock_file.try_lock().is_err() {
            return Err(LogOpenError::Locked {
                directory: directory.clone(),
            });
        }
        let signer = Ed25519NoteSigner::from_seed(&config.origin, &config.signing_seed)
            .map_err(|error| LogOpenError::Key(error.to_string()))?;
        let verifier = signer.verifier();
        let mut storage = FileTileStorage::open(&directory).map_err(io)?;
        let checkpoint_failure = |reason: String| LogOpenError::Checkpoint {
            directory: directory.clone(),
            reason,
        };
        let (log, note) = match storage.read_checkpoint().map_err(io)? {
            Some(bytes) => {
                let opened = open_checkpoint(&bytes, &config.origin, &[&verifier])
                    .map_err(|error| checkpoint_failure(error.to_string()))?;
                let log = TiledLog::recover(&storage, &opened.checkpoint).map_err(|error| {
                    LogOpenError::Recovery {
                        directory: directory.clone(),
                        reason: error.to_string(),
                    }
                })?;
                storage
                    .discard_full_tiles_beyond(opened.checkpoint.tree_size)
                    .map_err(io)?;
                (log, opened.note)
            }
            None => {
                let log = TiledLog::new(config.origin.clone());
                let note = log
                    .signed_checkpoint(&signer)
                    .map_err(|error| checkpoint_failure(error.to_string()))?;
                storage
                    .write_checkpoint(note.to_text().as_bytes())
                    .map_err(io)?;
                (log, note)
            }
        };
        let subjects = index_subjects(&storage, log.published_size()).map_err(|reason| {
            LogOpenError::Recovery {
                directory: directory.clone(),
                reason,
            }
        })?;
        let shared = Arc::new(LogShared::new(log, note, subjects));
        let node_log = NodeLog {
            origin: config.origin.clone(),
            directory,
            verifier,
            shared,
            sender: Mutex::new(None),
            writer: Mutex::new(None),
            config,
            role: Mutex::new(LogRole::OnlyWriter),
            following: Mutex::new(()),
            _lock_file: Some(lock_file),
        };
        node_log.start_writer(storage, signer, CheckpointPointer::File)?;
        Ok(node_log)
    }

    /// Opens the log of a node whose processes share one PostgreSQL database, as a follower:
    /// its view is the tiles `stored_note` (the pointer in the database, `None` before the
    /// first checkpoint) covers; it writes nothing until it leads ([`NodeLog::lead`]).
    pub fn open_shared(
        config: LogConfig,
        stored_note: Option<&str>,
    ) -> Result<NodeLog, LogOpenError> {
        let directory = config.directory.clone();
        let signer = Ed25519NoteSigner::from_seed(&config.origin, &config.signing_seed)
            .map_err(|error| LogOpenError::Key(error.to_string()))?;
        let verifier = signer.verifier();
        let empty = TiledLog::new(config.origin.clone());
        let empty_note =
            empty
                .signed_checkpoint(&signer)
                .map_err(|error| LogOpenError::Checkpoint {
                    directory: directory.clone(),
                    reason: error.to_string(),
                })?;
        let node_log = NodeLog {
            origin: config.origin.clone(),
            directory: directory.clone(),
            verifier,
            shared: Arc::new(LogShared::new(empty, empty_note, HashMap::new())),
            sender: Mutex::new(None),
            writer: Mutex::new(None),
            config,
            role: Mutex::new(LogRole::Follower),
            following: Mutex::new(()),
            _lock_file: None,
        };
        node_log
            .follow_pointer(stored_note)
            .map_err(|error| LogOpenError::Recovery {
                directory,
                reason: error.to_string(),
            })?;
        Ok(node_log)
    }

    /// Which part this process plays for the log.
    pub fn role(&self) -> LogRole {
        match self.role.lock() {
            Ok(role) => *role,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }

    /// Brings what this process serves up to `stored_note`, the pointer just read from the
    /// database (`None` before the first checkpoint), so that it never serves less than the
    /// pointer it read. A follower extends its tree from the tiles the pointer covers, checks the
    /// new root and indexes the new entries' subjects; the leader, whose writer has published
    /// the pointer but not yet served it, checks the root against its own tree. A pointer older
    /// than what is served (a read that lost a race with a newer one) is ignored. Answers
    /// whether the served checkpoint moved; an error when this process cannot serve the pointer
    /// (the tiles or its tree do not give it: its view of the log stops). The only writer
    /// (SQLite) has no pointer to read: nothing to do.
    pub fn follow_pointer(&self, stored_note: Option<&str>) -> Result<bool, NodeError> {
        let Some(stored_note) = stored_note else {
            return Ok(false);
        };
        let _one_at_a_time = self
            .following
            .lock()
            .map_err(|_| NodeError::Internal("the log's follow lock is poisoned".into()))?;
        let role = self.role();
        if role == LogRole::OnlyWriter {
            return Ok(false);
        }
        let opened = open_checkpoint(stored_note.as_bytes(), &self.origin, &[&self.verifier])
            .map_err(|error| {
                NodeError::Internal(format!("the log's stored checkpoint: {error}"))
            })?;
        let pointer = &opened.checkpoint;
        match served_checkpoint_moves_to(&self.checkpoint()?, pointer) {
            ServedCheckpointMove::Forward => {}
            ServedCheckpointMove::Same | ServedCheckpointMove::Behind => return Ok(false),
            ServedCheckpointMove::Fork => {
                return Err(self.stop_view(format!(
                    "the log's pointer has another root at size {} than the checkpoint served",
                    pointer.tree_size
                )));
            }
        }
        match role {
            LogRole::Leader => self.check_own_tree_gives(pointer)?,
            LogRole::Follower => self.extend_from_tiles(pointer)?,
            LogRole::OnlyWriter => return Ok(false),
        }
        self.shared
            .serve(opened.note)
            .map_err(|reason| NodeError::Internal(format!("serving the pointer: {reason}")))
    }

    /// Whether `stored_note`, the pointer just read, would move what this process serves (a
    /// larger tree, or a fork to refuse): only then is [`NodeLog::follow_pointer`] needed. No
    /// lock and no tile is read, so async callers decide here and follow off their thread.
    pub fn pointer_moves_what_is_served(&self, stored_note: &str) -> Result<bool, NodeError> {
        let opened = open_checkpoint(stored_note.as_bytes(), &self.origin, &[&self.verifier])
            .map_err(|error| {
                NodeError::Internal(format!("the log's stored checkpoint: {error}"))
            })?;
        Ok(matches!(
            served_checkpoint_moves_to(&self.checkpoint()?, &opened.checkpoint),
            ServedCheckpointMove::Forward | ServedCheckpointMove::Fork
        ))
    }

    /// The leader's side of [`NodeLog::follow_pointer`]: a pointer ahead of what it serves is a
    /// checkpoint its writer published and is about to serve, so its own tree gives the root;
    /// anything else was published by another process, and this one no longer writes the log.
    fn check_own_tree_gives(&self, pointer: &Checkpoint) -> Result<(), NodeError> {
        let own_root = {
            let log = self
                .shared
                .log
                .read()
                .map_err(|_| NodeError::Internal("log lock poisoned".into()))?;
            log.tree().root_at(pointer.tree_size).ok()
        };
        if own_root == Some(pointer.root_hash) {
            Ok(())
        } else {
            Err(self.stop_view(format!(
                "another process published the log's checkpoint of size {}: this one no longer writes it",
                pointer.tree_size
            )))
        }
    }

    /// The follower's side of [`NodeLog::follow_pointer`]: the leaf hashes of the tiles the
    /// pointer covers, its root checked, the new entries' subjects indexed.
    /// The new entries' subjects are read first: a bundle that cannot be read leaves the tree
    /// where it was (the next read tries again) instead of moving it without its subjects.
    /// The caller holds the follow lock, so the size read here is the size followed from.
    fn extend_from_tiles(&self, pointer: &Checkpoint) -> Result<(), NodeError> {
        let storage = FileTileStorage::open_for_reading(&self.directory);
        let old_size = self
            .shared
            .log
            .read()
            .map_err(|_| NodeError::Internal("log lock poisoned".into()))?
            .size();
        let mut new_subjects: HashMap<String, Vec<u64>> = HashMap::new();
        index_subjects_between(&storage, old_size, pointer.tree_size, &mut new_subjects)
            .map_err(|reason| NodeError::Internal(format!("reading the shared log: {reason}")))?;
        {
            let mut log = self
                .shared
                .log
                .write()
                .map_err(|_| NodeError::Internal("log lock poisoned".into()))?;
            if let Err(error) = log.follow(&storage, pointer) {
                return Err(self.stop_view(format!(
                    "the shared tiles do not give the stored checkpoint of size {}: {error}",
                    pointer.tree_size
                )));
            }
        }
        if let Ok(mut subjects) = self.shared.subjects.write() {
            for (subject, leaves) in new_subjects {
                subjects.entry(subject).or_default().extend(leaves);
            }
        }
        Ok(())
    }

    /// This process's view of the log stops for `reason` (logged, kept for
    /// [`NodeLog::failure`], and answered as an error).
    fn stop_view(&self, reason: String) -> NodeError {
        tracing::error!(%reason, "the log's view stops");
        self.shared.stop(&reason);
        NodeError::Internal(reason)
    }

    /// A follower becomes the log's writer: recovers the log from the shared tiles at
    /// `stored_note` (the pointer, read after this process took the lead; `None` before the
    /// first checkpoint, which it then signs and stores), discards tiles a dead leader wrote
    /// past it, and starts the writer, which publishes through `pointer` by compare-and-swap.
    pub(crate) fn lead(
        &self,
        stored_note: Option<String>,
        pointer: DatabasePointer,
    ) -> Result<(), NodeError> {
        let _one_at_a_time = self
            .following
            .lock()
            .map_err(|_| NodeError::Internal("the log's follow lock is poisoned".into()))?;
        if self.role() != LogRole::Follower {
            return Err(NodeError::Conflict(
                "this process writes the log already".into(),
            ));
        }
        let failure =
            |reason: String| NodeError::Internal(format!("taking over the log: {reason}"));
        let signer = Ed25519NoteSigner::from_seed(&self.origin, &self.config.signing_seed)
            .map_err(|error| failure(error.to_string()))?;
        let mut storage = FileTileStorage::open(&self.directory)
            .map_err(|error| failure(format!("{}: {error}", self.directory.display())))?;
        let (log, note) = match stored_note {
            Some(text) => {
                let opened = open_checkpoint(text.as_bytes(), &self.origin, &[&self.verifier])
                    .map_err(|error| failure(format!("the stored checkpoint: {error}")))?;
                let log = TiledLog::recover(&storage, &opened.checkpoint)
                    .map_err(|error| failure(error.to_string()))?;
                (log, opened.note)
            }
            None => {
                // The first leader: the checkpoint file of a node that ran alone on this
                // database before, else an empty log.
                let from_file = match storage
                    .read_checkpoint()
                    .map_err(|error| failure(error.to_string()))?
                {
                    Some(bytes) => {
                        let opened = open_checkpoint(&bytes, &self.origin, &[&self.verifier])
                            .map_err(|error| failure(format!("the checkpoint file: {error}")))?;
                        let log = TiledLog::recover(&storage, &opened.checkpoint)
                            .map_err(|error| failure(error.to_string()))?;
                        Some((log, opened.note))
                    }
                    None => None,
                };
                let (log, note) = match from_file {
                    Some(found) => found,
                    None => {
                        let log = TiledLog::new(self.origin.clone());
                        let note = log
                            .signed_checkpoint(&signer)
                            .map_err(|error| failure(error.to_string()))?;
                        (log, note)
                    }
                };
                pointer.swap(None, note.to_text().as_bytes(), log.published_size())?;
                (log, note)
            }
        };
        // The pointer was read after this process took the lead; if it is older than what this
        // process served, another process published since and may still be writing: its tiles
        // must not be discarded, nor the served checkpoint moved back.
        let recovered = Checkpoint::parse_body(note.text())
            .map_err(|error| failure(format!("the stored checkpoint: {error}")))?;
        let served = self.checkpoint()?;
        if matches!(
            served_checkpoint_moves_to(&served, &recovered),
            ServedCheckpointMove::Behind | ServedCheckpointMove::Fork
        ) {
            return Err(failure(format!(
                "the log's pointer (size {}) is behind the checkpoint this process served (size {}): another process still publishes",
                recovered.tree_size, served.tree_size
            )));
        }
        storage
            .discard_full_tiles_beyond(log.published_size())
            .map_err(|error| failure(error.to_string()))?;
        storage
            .write_checkpoint(note.to_text().as_bytes())
            .map_err(|error| failure(error.to_string()))?;
        let subjects = index_subjects(&storage, log.published_size()).map_err(failure)?;
        *self
            .shared
            .log
            .write()
            .map_err(|_| NodeError::Internal("log lock poisoned".into()))? = log;
        *self
            .shared
            .subjects
            .write()
            .map_err(|_| NodeError::Internal("log lock poisoned".into()))? = subjects;
        self.shared.serve(note).map_err(failure)?;
        self.start_writer(storage, signer, CheckpointPointer::Database(pointer))
            .map_err(|error| failure(error.to_string()))?;
        if let Ok(mut role) = self.role.lock() {
            *role = LogRole::Leader;
        }
        Ok(())
    }

    /// Starts the writer thread over `storage`, publishing through `pointer`.
    fn start_writer(
        &self,
        mut storage: FileTileStorage,
        signer: Ed25519NoteSigner,
        pointer: CheckpointPointer,
    ) -> Result<(), LogOpenError> {
        storage.set_batched(true);
        let (sender, receiver) = mpsc::channel();
        let writer_shared = self.shared.clone();
        let intervals = BatchIntervals {
            waited_for: self.config.batch_interval,
            background: self
                .config
                .sequencing_interval
                .max(self.config.batch_interval),
        };
        let batch_entries = self.config.batch_entries.max(1);
        let writer = std::thread::Builder::new()
            .name("redline-log-writer".into())
            .spawn(move || {
                run_writer(
                    receiver,
                    writer_shared,
                    storage,
                    WriterSetup {
                        signer,
                        pointer,
                        intervals,
                        batch_entries,
                    },
                );
            })
            .map_err(|source| LogOpenError::Io {
                directory: self.directory.clone(),
                source,
            })?;
        if let Ok(mut slot) = self.sender.lock() {
            *slot = Some(sender);
        }
        if let Ok(mut slot) = self.writer.lock() {
            *slot = Some(writer);
        }
        Ok(())
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The tile directory.
    pub fn directory(&self) -> &Path {
        &self.directory
    }

    /// The log's C2SP verifier key (`<name>+<hex id>+<base64>`).
    pub fn verifier_key(&self) -> String {
        self.verifier.to_vkey()
    }

    /// The node's Ed25519 key (the log's): what the node signs federation statements and
    /// relays with, so peers check them with the log's verifier key.
    pub(crate) fn node_signing_key(&self) -> ed25519_dalek::SigningKey {
        ed25519_dalek::SigningKey::from_bytes(&self.config.signing_seed)
    }

    pub fn verifier(&self) -> &Ed25519NoteVerifier {
        &self.verifier
    }

    /// Hands requests to the writer thread.
    fn send_to_writer(
        &self,
        requests: impl IntoIterator<Item = WriterRequest>,
    ) -> Result<(), NodeError> {
        let sender = self
            .sender
            .lock()
            .map_err(|_| NodeError::Internal("the log writer lock is poisoned".into()))?;
        let sender = sender
            .as_ref()
            .ok_or_else(|| NodeError::Internal("the log is closed".into()))?;
        for request in requests {
            sender
                .send(request)
                .map_err(|_| NodeError::Internal("the log writer has stopped".into()))?;
        }
        Ok(())
    }

    /// Queues entries for appending and waits until each is durable.
    async fn append_and_wait(&self, entries: Vec<Vec<u8>>) -> Result<Vec<DurableEntry>, NodeError> {
        let mut answers = Vec::with_capacity(entries.len());
        let mut requests = Vec::with_capacity(entries.len());
        for entry in entries {
            let (respond, answer) = tokio::sync::oneshot::channel();
            requests.push(WriterRequest::Append(AppendRequest {
                entry,
                outbox_id: None,
                respond: Some(respond),
            }));
            answers.push(answer);
        }
        self.send_to_writer(requests)?;
        let mut durable = Vec::with_capacity(answers.len());
        for answer in answers {
            durable.push(
                answer
                    .await
                    .map_err(|_| NodeError::Internal("the log writer has stopped".into()))??,
            );
        }
        Ok(durable)
    }

    /// Appends `entry` and waits until it is durable under a signed checkpoint.
    pub async fn append(&self, entry: Vec<u8>) -> Result<LogReceipt, NodeError> {
        let durable = self
            .append_and_wait(vec![entry])
            .await?
            .pop()
            .ok_or_else(|| NodeError::Internal("the log writer answered nothing".into()))?;
        self.receipt_of(durable)
    }

    /// Queues entries committed to the store's log outbox (with their outbox ids); does not
    /// wait. Their rows are deleted once they are durable.
    pub(crate) fn enqueue_from_outbox(
        &self,
        entries: impl IntoIterator<Item = (i64, Vec<u8>)>,
    ) -> Result<(), NodeError> {
        self.send_to_writer(entries.into_iter().map(|(outbox_id, entry)| {
            WriterRequest::Append(AppendRequest {
                entry,
                outbox_id: Some(outbox_id),
                respond: None,
            })
        }))
    }

    /// Why the log stopped (its writer failed, or a follower's view could not follow the
    /// pointer), if it did.
    pub fn failure(&self) -> Option<String> {
        self.shared
            .failed
            .lock()
            .ok()
            .and_then(|failed| failed.clone())
    }

    /// Has the outbox rows of entries found in the log already deleted (the callback set when
    /// the log was attached).
    pub(crate) fn forget_outbox_rows(&self, outbox_ids: Vec<i64>) {
        if !outbox_ids.is_empty()
            && let Some(on_logged) = self.shared.on_logged.get()
        {
            on_logged(outbox_ids);
        }
    }

    /// Waits until every entry queued before this call is durable under a signed checkpoint
    /// (at once when nothing is pending), hurrying the writer: the batch closes within the
    /// short interval. For the node itself and for tests.
    pub async fn settle(&self) -> Result<(), NodeError> {
        self.barrier(true).await
    }

    /// Waits, without hurrying the writer, until every entry queued before this call is under a
    /// signed checkpoint (at most the sequencing interval; at once when nothing is pending): a
    /// reader of proofs sees the entries of the writes it was answered for.
    pub async fn catch_up(&self) -> Result<(), NodeError> {
        self.barrier(false).await
    }

    async fn barrier(&self, urgent: bool) -> Result<(), NodeError> {
        let (respond, answer) = tokio::sync::oneshot::channel();
        self.send_to_writer([WriterRequest::Barrier { respond, urgent }])?;
        answer
            .await
            .map_err(|_| NodeError::Internal("the log writer has stopped".into()))?
    }

    /// Whether the log holds exactly these entry bytes under the latest checkpoint (found
    /// through the entry's subject).
    pub(crate) fn contains_entry(&self, entry: &[u8]) -> Result<bool, NodeError> {
        let Some(subject) = subject_of(entry) else {
            return Ok(false);
        };
        let leaves = self.leaves_of_subject(&subject);
        if leaves.is_empty() {
            return Ok(false);
        }
        let tree_size = self.checkpoint()?.tree_size;
        let reading = |error: String| NodeError::Internal(format!("reading the log: {error}"));
        // Read only: the writer thread owns the directory (and its temporary files).
        let storage = FileTileStorage::open_for_reading(&self.directory);
        let mut bundles: HashMap<u64, Vec<Vec<u8>>> = HashMap::new();
        for leaf in leaves {
            let bundle_index = leaf / 256;
            if let std::collections::hash_map::Entry::Vacant(slot) = bundles.entry(bundle_index) {
                slot.insert(read_entry_bundle(&storage, bundle_index, tree_size).map_err(reading)?);
            }
            if bundles
                .get(&bundle_index)
                .and_then(|entries| entries.get((leaf % 256) as usize))
                .is_some_and(|logged| logged.as_slice() == entry)
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The receipt of an entry the writer made durable: its inclusion proof to the checkpoint
    /// that covered it.
    fn receipt_of(&self, durable: DurableEntry) -> Result<LogReceipt, NodeError> {
        let proof = {
            let log = self
                .shared
                .log
                .read()
                .map_err(|_| NodeError::Internal("log lock poisoned".into()))?;
            log.inclusion_proof(durable.leaf_index, durable.tree_size)
                .map_err(|error| NodeError::Internal(format!("making a receipt: {error}")))?
        };
        let tlog_proof = redline_ledger::receipt::TlogProof::new(
            durable.leaf_index,
            proof,
            (*durable.note).clone(),
        );
        Ok(LogReceipt {
            leaf_index: durable.leaf_index,
            entry: String::from_utf8_lossy(&durable.entry).into_owned(),
            tlog_proof: tlog_proof.to_text(),
        })
    }

    /// The last signed checkpoint (with the cosignatures collected so far).
    pub fn checkpoint_note(&self) -> Note {
        match self.shared.checkpoint_note.read() {
            Ok(note) => note.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The parsed body of the last signed checkpoint.
    pub fn checkpoint(&self) -> Result<Checkpoint, NodeError> {
        Checkpoint::parse_body(self.checkpoint_note().text())
            .map_err(|error| NodeError::Internal(format!("own checkpoint: {error}")))
    }

    /// Whether the tile at `address` is covered by the last signed checkpoint (only those are
    /// served: anything newer is not yet durable and acknowledged).
    pub fn covers(&self, address: &TileAddress) -> bool {
        let Ok(checkpoint) = self.checkpoint() else {
            return false;
        };
        tile_is_covered(address, checkpoint.tree_size)
    }

    /// Inclusion proof of `leaf_index` against the signed checkpoint size `tree_size` (the
    /// latest when `None`); returns the size used and the proof.
    pub fn inclusion_proof(
        &self,
        leaf_index: u64,
        tree_size: Option<u64>,
    ) -> Result<(u64, Vec<redline_ledger::Hash>), NodeError> {
        let latest = self.checkpoint()?.tree_size;
        let tree_size = tree_size.unwrap_or(latest);
        if tree_size > latest {
            return Err(NodeError::invalid(
                "tree_size",
                format!("the latest checkpoint has size {latest}"),
            ));
        }
        let log = self
            .shared
            .log
            .read()
            .map_err(|_| NodeError::Internal("log lock poisoned".into()))?;
        let proof = log
            .inclusion_proof(leaf_index, tree_size)
            .map_err(|error| NodeError::invalid("leaf_index", error.to_string()))?;
        Ok((tree_size, proof))
    }

    /// Consistency proof between two sizes no larger than the latest checkpoint.
    pub fn consistency_proof(
        &self,
        old_size: u64,
        new_size: Option<u64>,
    ) -> Result<(u64, Vec<redline_ledger::Hash>), NodeError> {
        let latest = self.checkpoint()?.tree_size;
        let new_size = new_size.unwrap_or(latest);
        if new_size > latest {
            return Err(NodeError::invalid(
                "new_size",
                format!("the latest checkpoint has size {latest}"),
            ));
        }
        let log = self
            .shared
            .log
            .read()
            .map_err(|_| NodeError::Internal("log lock poisoned".into()))?;
        let proof = log
            .consistency_proof(old_size, new_size)
            .map_err(|error| NodeError::invalid("old_size", error.to_string()))?;
        Ok((new_size, proof))
    }

    /// Leaf indices of the entries about `subject` under the latest checkpoint.
    pub fn leaves_of_subject(&self, subject: &str) -> Vec<u64> {
        let latest = self.checkpoint().map(|c| c.tree_size).unwrap_or(0);
        match self.shared.subjects.read() {
            Ok(subjects) => subjects
                .get(subject)
                .map(|leaves| {
                    leaves
                        .iter()
                        .copied()
                        .filter(|leaf| *leaf < latest)
                        .collect()
                })
                .unwrap_or_default(),
            Err(_) => Vec::new(),
        }
    }

    /// A tlog-proof receipt of `leaf_index` against the latest checkpoint.
    pub fn receipt(&self, leaf_index: u64) -> Result<String, NodeError> {
        let note = self.checkpoint_note();
        let log = self
            .shared
            .log
            .read()
            .map_err(|_| NodeError::Internal("log lock poisoned".into()))?;
        let proof = log
            .receipt(leaf_index, note)
            .map_err(|error| NodeError::invalid("leaf_index", error.to_string()))?;
        Ok(proof.to_text())
    }

    /// Adds a witness's cosignature line to the served checkpoint if it is for the current
    /// checkpoint body.
    pub fn add_cosignature(
        &self,
        checkpoint_body: &str,
        signature: redline_ledger::note::NoteSignature,
    ) {
        if let Ok(mut note) = self.shared.checkpoint_note.write()
            && note.text() == checkpoint_body
            && !note
                .signatures()
                .iter()
                .any(|existing| existing.key_id == signature.key_id)
        {
            note.add_signature(signature);
        }
    }

    /// Tests only: has the writer run `pause` between publishing each checkpoint and serving
    /// it (set once).
    #[cfg(test)]
    pub(crate) fn pause_between_publishing_and_serving(&self, pause: Box<dyn Fn() + Send + Sync>) {
        let _ = self.shared.between_publishing_and_serving.set(pause);
    }

    /// Stops the writer after the queued entries are written.
    pub fn close(&self) {
        if let Ok(mut sender) = self.sender.lock() {
            sender.take();
        }
        if let Ok(mut writer) = self.writer.lock()
            && let Some(handle) = writer.take()
        {
            let _ = handle.join();
        }
    }
}

impl Drop for NodeLog {
    fn drop(&mut self) {
        self.close();
    }
}

/// Whether `address` is fully inside a tree of `tree_size`.
pub fn tile_is_covered(address: &TileAddress, tree_size: u64) -> bool {
    let (level, index, width) = match *address {
        TileAddress::Hashes {
            level,
            index,
            width,
        } => (u32::from(level), index, width),
        TileAddress::EntryBundle { index, width } => (0, index, width),
    };
    let hashes_at_level = if level * 8 >= 64 {
        0
    } else {
        tree_size >> (level * 8)
    };
    index
        .checked_mul(256)
        .and_then(|start| start.checked_add(u64::from(width)))
        .is_some_and(|end| end <= hashes_at_level)
}

/// The entries of entry bundle `bundle_index` of a tree of `tree_size` entries, as stored.
fn read_entry_bundle(
    storage: &FileTileStorage,
    bundle_index: u64,
    tree_size: u64,
) -> Result<Vec<Vec<u8>>, String> {
    use redline_ledger::storage::TileStorage as _;
    let width = tree_size.saturating_sub(bundle_index * 256).min(256) as u16;
    let address = TileAddress::EntryBundle {
        index: bundle_index,
        width,
    };
    let bytes = storage
        .read_tile(&address)
        .map_err(|error| error.to_string())?
        .ok_or_else(|| format!("{} is missing", address.path()))?;
    let entries = parse_entry_bundle_of_width(&bytes, width)
        .map_err(|error| format!("{}: {error}", address.path()))?;
    Ok(entries.into_iter().map(<[u8]>::to_vec).collect())
}

/// Reads every entry bundle up to `tree_size` and indexes the entries by subject.
fn index_subjects(
    storage: &FileTileStorage,
    tree_size: u64,
) -> Result<HashMap<String, Vec<u64>>, String> {
    let mut subjects: HashMap<String, Vec<u64>> = HashMap::new();
    index_subjects_between(storage, 0, tree_size, &mut subjects)?;
    Ok(subjects)
}

/// Adds the subjects of entries `from..tree_size` to `subjects` (in leaf order).
fn index_subjects_between(
    storage: &FileTileStorage,
    from: u64,
    tree_size: u64,
    subjects: &mut HashMap<String, Vec<u64>>,
) -> Result<(), String> {
    for bundle_index in from / 256..tree_size.div_ceil(256) {
        let entries = read_entry_bundle(storage, bundle_index, tree_size)?;
        for (position, entry) in entries.iter().enumerate() {
            let leaf_index = bundle_index * 256 + position as u64;
            if leaf_index < from {
                continue;
            }
            if let Some(subject) = subject_of(entry) {
                subjects.entry(subject).or_default().push(leaf_index);
            }
        }
    }
    Ok(())
}

fn subject_of(entry: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct SubjectOnly {
        subject: String,
    }
    serde_json::from_slice::<SubjectOnly>(entry)
        .ok()
        .map(|parsed| parsed.subject)
}

/// How long a batch gathers: briefly while someone waits for it, longer otherwise.
#[derive(Debug, Clone, Copy)]
struct BatchIntervals {
    waited_for: Duration,
    background: Duration,
}

/// Where the writer publishes each checkpoint it signs, comparing against the one it signed
/// last so two writers can never both publish.
pub(crate) enum CheckpointPointer {
    /// The checkpoint file (the only writer, on SQLite).
    File,
    /// The pointer in the shared database; the file is then written as a copy.
    Database(DatabasePointer),
}

/// The log's pointer in the shared PostgreSQL database, used from the writer thread.
pub(crate) struct DatabasePointer {
    pub(crate) store: Arc<dyn redline_store::Store>,
    pub(crate) clock: Arc<dyn crate::Clock>,
    pub(crate) origin: String,
    /// The node's runtime: the writer thread is not one of its workers, so it may block on it.
    pub(crate) runtime: tokio::runtime::Handle,
}

impl DatabasePointer {
    /// Moves the pointer from `previous` (`None`: there is none yet) to `next`; an error when
    /// another process moved it (this one no longer writes the log) or the database failed.
    pub(crate) fn swap(
        &self,
        previous: Option<&[u8]>,
        next: &[u8],
        tree_size: u64,
    ) -> Result<(), NodeError> {
        let previous = previous.map(|bytes| String::from_utf8_lossy(bytes).into_owned());
        let next = String::from_utf8_lossy(next);
        let now = self.clock.now().as_microseconds();
        let swapped = self.runtime.block_on(self.store.swap_log_checkpoint_note(
            &self.origin,
            previous.as_deref(),
            &next,
            tree_size,
            now,
        ))?;
        if swapped {
            Ok(())
        } else {
            Err(NodeError::Conflict(
                "another process published a checkpoint of this log: this one no longer writes it"
                    .into(),
            ))
        }
    }
}

/// What the writer thread needs besides its queue, the shared view and the storage.
struct WriterSetup {
    signer: Ed25519NoteSigner,
    pointer: CheckpointPointer,
    intervals: BatchIntervals,
    batch_entries: usize,
}

fn run_writer(
    receiver: mpsc::Receiver<WriterRequest>,
    shared: Arc<LogShared>,
    mut storage: FileTileStorage,
    setup: WriterSetup,
) {
    let WriterSetup {
        signer,
        pointer,
        intervals,
        batch_entries,
    } = setup;
    let mut last_signed_bytes = match shared.checkpoint_note.read() {
        Ok(note) => note.to_text().into_bytes(),
        Err(_) => return,
    };
    while let Ok(first) = receiver.recv() {
        let mut batch = Vec::new();
        let mut barriers = Vec::new();
        let take = |request: WriterRequest,
                    batch: &mut Vec<AppendRequest>,
                    barriers: &mut Vec<_>| match request {
            WriterRequest::Append(append) => batch.push(append),
            WriterRequest::Barrier { respond, urgent } => barriers.push((respond, urgent)),
        };
        take(first, &mut batch, &mut barriers);
        // Gather only while there are entries (a lone barrier is answered at once): for the
        // short interval once someone waits for this batch, else for the long one.
        let started = Instant::now();
        loop {
            let gathered = batch.len();
            if gathered >= batch_entries {
                break;
            }
            match receiver.try_recv() {
                Ok(request) => take(request, &mut batch, &mut barriers),
                Err(mpsc::TryRecvError::Disconnected) => break,
                Err(mpsc::TryRecvError::Empty) => {
                    let now = Instant::now();
                    let waited_for = barriers.iter().any(|(_, urgent)| *urgent)
                        || batch.iter().any(|request| request.respond.is_some());
                    let deadline = started
                        + if waited_for {
                            intervals.waited_for
                        } else {
                            intervals.background
                        };
                    if gathered == 0 || now >= deadline {
                        break;
                    }
                    match receiver.recv_timeout(deadline - now) {
                        Ok(request) => take(request, &mut batch, &mut barriers),
                        Err(_) => break,
                    }
                }
            }
        }
        if batch.is_empty() {
            for (respond, _) in barriers {
                let _ = respond.send(Ok(()));
            }
            continue;
        }
        let outcome = write_batch(
            &batch,
            &shared,
            &mut storage,
            (&signer, &pointer),
            &last_signed_bytes,
        );
        match outcome {
            Ok((note_bytes, outcomes)) => {
                last_signed_bytes = note_bytes;
                let mut logged_outbox_ids = Vec::new();
                for (request, outcome) in batch.into_iter().zip(outcomes) {
                    if outcome.is_ok()
                        && let Some(outbox_id) = request.outbox_id
                    {
                        logged_outbox_ids.push(outbox_id);
                    }
                    if let Some(respond) = request.respond {
                        let answer = outcome.map(|(leaf_index, tree_size, note)| DurableEntry {
                            entry: request.entry,
                            leaf_index,
                            tree_size,
                            note,
                        });
                        let _ = respond.send(answer);
                    }
                }
                for (respond, _) in barriers {
                    let _ = respond.send(Ok(()));
                }
                if !logged_outbox_ids.is_empty()
                    && let Some(on_logged) = shared.on_logged.get()
                {
                    on_logged(logged_outbox_ids);
                }
            }
            Err(reason) => {
                tracing::error!(%reason, "the transparency log writer failed; log writes stop");
                if let Ok(mut failed) = shared.failed.lock() {
                    *failed = Some(reason.clone());
                }
                let failure =
                    || NodeError::Internal(format!("the transparency log failed: {reason}"));
                let refuse = |request: WriterRequest| match request {
                    WriterRequest::Append(append) => {
                        if let Some(respond) = append.respond {
                            let _ = respond.send(Err(failure()));
                        }
                    }
                    WriterRequest::Barrier { respond, .. } => {
                        let _ = respond.send(Err(failure()));
                    }
                };
                batch
                    .into_iter()
                    .map(WriterRequest::Append)
                    .chain(
                        barriers
                            .into_iter()
                            .map(|(respond, urgent)| WriterRequest::Barrier { respond, urgent }),
                    )
                    .for_each(refuse);
                // Refuse everything after a failure: a partial state is never acknowledged,
                // and the node must be restarted to recover from the tiles (entries from the
                // outbox stay there and are appended then).
                receiver.iter().for_each(refuse);
                return;
            }
        }
    }
}

type BatchOutcome = (Vec<u8>, Vec<Result<(u64, u64, Arc<Note>), NodeError>>);

fn write_batch(
    batch: &[AppendRequest],
    shared: &LogShared,
    storage: &mut FileTileStorage,
    (signer, pointer): (&Ed25519NoteSigner, &CheckpointPointer),
    last_signed_bytes: &[u8],
) -> Result<BatchOutcome, String> {
    let mut indices: Vec<Result<u64, NodeError>> = Vec::with_capacity(batch.len());
    let checkpoint = {
        let mut log = shared
            .log
            .write()
            .map_err(|_| "log lock poisoned".to_owned())?;
        for request in batch {
            indices.push(log.append(&request.entry).map_err(|error| {
                NodeError::invalid("entry", format!("the log entry is too large: {error}"))
            }));
        }
        log.publish(storage).map_err(|error| error.to_string())?;
        log.checkpoint()
    };
    storage
        .sync()
        .map_err(|error| format!("syncing the tiles: {error}"))?;
    // Compare-and-swap: the checkpoint file (or, shared, the database's pointer) must still be
    // the one this writer signed last, and the new tree must extend it.
    if matches!(pointer, CheckpointPointer::File) {
        let on_disk = storage
            .read_checkpoint()
            .map_err(|error| format!("reading the checkpoint: {error}"))?
            .unwrap_or_default();
        if on_disk != last_signed_bytes {
            return Err("the checkpoint on disk is not the one this writer signed last".to_owned());
        }
    }
    let previous_note =
        Note::parse(last_signed_bytes).map_err(|error| format!("last checkpoint: {error}"))?;
    let previous = Checkpoint::parse_body(previous_note.text())
        .map_err(|error| format!("last checkpoint: {error}"))?;
    check_extends(&previous, &checkpoint, shared)?;
    let note = checkpoint
        .sign(signer)
        .map_err(|error| format!("signing the checkpoint: {error}"))?;
    // The new entries' subjects are indexed before the checkpoint is published: lookups only
    // see leaves under the served checkpoint, and a leader's reader may serve the published
    // pointer before this thread does.
    {
        let mut subjects = shared
            .subjects
            .write()
            .map_err(|_| "subject index lock poisoned".to_owned())?;
        for (request, index) in batch.iter().zip(&indices) {
            if let (Ok(index), Some(subject)) = (index, subject_of(&request.entry)) {
                subjects.entry(subject).or_default().push(*index);
            }
        }
    }
    let note_bytes = note.to_text().into_bytes();
    match pointer {
        CheckpointPointer::File => storage
            .write_checkpoint(&note_bytes)
            .map_err(|error| format!("writing the checkpoint: {error}"))?,
        CheckpointPointer::Database(database) => database
            .swap(Some(last_signed_bytes), &note_bytes, checkpoint.tree_size)
            .map_err(|error| format!("publishing the checkpoint: {error}"))?,
    }
    #[cfg(test)]
    if let Some(pause) = shared.between_publishing_and_serving.get() {
        pause();
    }
    // Published: now served. (The leader's readers may have served it already, from the
    // pointer: `NodeLog::follow_pointer`.)
    shared.serve(note.clone())?;
    // Shared: the copy for tools that read the directory, written after this process serves
    // the new checkpoint; the database's pointer is the truth.
    if matches!(pointer, CheckpointPointer::Database(_))
        && let Err(error) = storage.write_checkpoint(&note_bytes)
    {
        tracing::warn!(%error, "the checkpoint file copy was not written");
    }
    let tree_size = checkpoint.tree_size;
    let note = Arc::new(note);
    let outcomes = indices
        .into_iter()
        .map(|index| index.map(|index| (index, tree_size, Arc::clone(&note))))
        .collect();
    Ok((note_bytes, outcomes))
}

/// The new checkpoint must not be smaller than the last one, must have the same root at the
/// same size, and must be consistent with it.
fn check_extends(
    previous: &Checkpoint,
    next: &Checkpoint,
    shared: &LogShared,
) -> Result<(), String> {
    if next.tree_size < previous.tree_size {
        return Err(format!(
            "refusing to sign size {} after size {}",
            next.tree_size, previous.tree_size
        ));
    }
    if next.tree_size == previous.tree_size {
        return if next.root_hash == previous.root_hash {
            Ok(())
        } else {
            Err(format!(
                "refusing to sign a second tree of size {}",
                next.tree_size
            ))
        };
    }
    if previous.tree_size == 0 {
        return Ok(());
    }
    let log = shared
        .log
        .read()
        .map_err(|_| "log lock poisoned".to_owned())?;
    let proof = log
        .consistency_proof(previous.tree_size, next.tree_size)
        .map_err(|error| error.to_string())?;
    verify_consistency(
        previous.tree_size,
        next.tree_size,
        &proof,
        previous.root_hash.as_ref(),
        next.root_hash.as_ref(),
    )
    .map_err(|error| format!("the new tree is not consistent with the last checkpoint: {error}"))
}

/// Deletes outbox rows whose entries are durable in the log. The store's writer refuses a
/// delete when its queue is full; the ids are then kept and offered again with the next ones, so
/// the outbox does not grow while the node runs (a delete lost in a crash only means the next
/// start finds those entries in the log already).
struct OutboxForgetter {
    store: Arc<dyn redline_store::Store>,
    waiting: Mutex<Vec<i64>>,
}

impl OutboxForgetter {
    fn forget(&self, outbox_ids: Vec<i64>) {
        let Ok(mut waiting) = self.waiting.lock() else {
            return;
        };
        waiting.extend(outbox_ids);
        if waiting.is_empty() {
            return;
        }
        let ids = std::mem::take(&mut *waiting);
        if !self.store.forget_log_entries(ids.clone()) {
            *waiting = ids;
        }
    }
}

impl Node {
    /// Attaches the node's transparency log (once; later calls are refused), then appends
    /// every entry still in the store's log outbox that the log does not hold yet (a crash or
    /// a stop came between a commit and its entries' checkpoint) and waits until they are
    /// durable. Answers how many entries it appended.
    ///
    /// A shared log ([`NodeLog::open_shared`]) is only attached: the leader appends what the
    /// outbox holds (`cluster.rs`).
    pub async fn attach_log(&self, log: NodeLog) -> Result<usize, NodeError> {
        let log = Arc::new(log);
        let shared = log.role() != LogRole::OnlyWriter;
        // What the outbox holds before this node logs anything: committed earlier (a write
        // before the log is attached is not logged at all), so nothing in it is queued twice.
        let pending = if shared {
            Vec::new()
        } else {
            self.store.pending_log_entries(0).await?
        };
        let forgetter = Arc::new(OutboxForgetter {
            store: Arc::clone(&self.store),
            waiting: Mutex::new(Vec::new()),
        });
        let forgets = Arc::clone(&forgetter);
        let installed = log
            .shared
            .on_logged
            .set(Box::new(move |outbox_ids: Vec<i64>| {
                forgets.forget(outbox_ids)
            }));
        if installed.is_err() {
            return Err(NodeError::Conflict("this log is attached already".into()));
        }
        self.log
            .set(Arc::clone(&log))
            .map_err(|_| NodeError::Conflict("the node already has a log".into()))?;
        let mut logged_already = Vec::new();
        let mut to_append = Vec::new();
        for (outbox_id, entry) in pending {
            if log.contains_entry(entry.as_bytes())? {
                logged_already.push(outbox_id);
            } else {
                to_append.push((outbox_id, entry.into_bytes()));
            }
        }
        let appended = to_append.len();
        forgetter.forget(logged_already);
        if appended > 0 {
            tracing::info!(
                entries = appended,
                "appending log entries committed before the last stop"
            );
            log.enqueue_from_outbox(to_append)?;
            log.settle().await?;
        }
        Ok(appended)
    }

    /// Commits `writes` and the log entries they cause in one store transaction, then hands
    /// the entries to the log without waiting for it (see the module's notes). Without a log,
    /// only the writes are committed.
    pub(crate) async fn commit_logged(
        &self,
        writes: Vec<redline_store::StoreWrite>,
        entries: Vec<LogEntry>,
    ) -> Result<(), NodeError> {
        let Some(log) = self.log.get() else {
            self.store.commit(writes, Vec::new()).await?;
            return Ok(());
        };
        let mut encoded = Vec::with_capacity(entries.len());
        for entry in &entries {
            encoded.push(entry.to_text()?);
        }
        let outbox_ids = self.store.commit(writes, encoded.clone()).await?;
        if log.role() != LogRole::OnlyWriter {
            // Shared: the leader (perhaps this process) takes the entries from the outbox.
            if let Some(largest) = outbox_ids.iter().max() {
                self.cluster
                    .last_committed_outbox_id
                    .fetch_max(*largest, std::sync::atomic::Ordering::SeqCst);
                self.cluster.outbox_wakeup.notify_one();
                self.publish_notice(redline_store::Notice::LogOutbox).await;
            }
            return Ok(());
        }
        // The entries are durable in the outbox: if the log cannot take them now, they are
        // appended when the log is next attached, so the write stands either way.
        if let Err(error) = log.enqueue_from_outbox(
            outbox_ids
                .into_iter()
                .zip(encoded.into_iter().map(String::into_bytes)),
        ) {
            tracing::error!(%error, "log entries stay in the outbox until the next start");
        }
        Ok(())
    }

    /// Waits until the log holds the entries of every write answered so far (no-op without a
    /// log).
    pub async fn settle_log(&self) -> Result<(), NodeError> {
        match self.log.get() {
            Some(log) if log.role() == LogRole::OnlyWriter => log.settle().await,
            Some(_) => self.wait_for_shared_log(Self::SHARED_LOG_PATIENCE).await,
            None => Ok(()),
        }
    }

    /// How long a reader in a shared deployment waits for the leader to log what this process
    /// committed before it answers with an error.
    pub const SHARED_LOG_PATIENCE: Duration = Duration::from_secs(10);

    /// Like [`Node::settle_log`] without hurrying the writer: a reader of proofs sees the
    /// entries of the writes it was answered for (`NodeLog::catch_up`; in a shared deployment,
    /// once the leader has logged them and this process's view has moved).
    pub async fn catch_up_log(&self, patience: Duration) -> Result<(), NodeError> {
        match self.log.get() {
            Some(log) if log.role() == LogRole::OnlyWriter => log.catch_up().await,
            Some(_) => self.wait_for_shared_log(patience).await,
            None => Ok(()),
        }
    }

    /// The node's log, if one is attached.
    pub fn log(&self) -> Option<&Arc<NodeLog>> {
        self.log.get()
    }

    /// Appends `entry` to the node's transparency log and returns its receipt once durable.
    /// For the hotline (messages, communication-check results) and every use case that logs.
    /// A node without a log answers `NotFound`.
    pub async fn append_to_log(&self, entry: LogEntry) -> Result<LogReceipt, NodeError> {
        let log = self
            .log
            .get()
            .ok_or_else(|| NodeError::NotFound("this node has no transparency log".into()))?;
        log.append(entry.to_bytes()?).await
    }
}

impl NodeLog {
    /// Appends several entries in one go (they usually share a batch) and waits for all.
    pub async fn append_all(&self, entries: Vec<Vec<u8>>) -> Result<Vec<LogReceipt>, NodeError> {
        self.append_and_wait(entries)
            .await?
            .into_iter()
            .map(|durable| self.receipt_of(durable))
            .collect()
    }

    /// Appends `entries` and waits until all are durable under a signed checkpoint, without
    /// building receipts.
    pub async fn append_all_durably(&self, entries: Vec<Vec<u8>>) -> Result<(), NodeError> {
        self.append_and_wait(entries).await.map(drop)
    }
}

/// The SHA-256 input for an object: its canonical JSON as serde writes it.
fn json_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// Log entries for a stored incident version and its assessment.
pub(crate) fn incident_entries(
    kind: LogEntryKind,
    caller: &crate::Caller,
    incident: &redline_model::Incident,
    assessment: Option<&redline_store::StoredAssessment>,
) -> Vec<LogEntry> {
    let party = caller.party().map(ToString::to_string);
    let mut entries = vec![
        LogEntry::new(
            kind,
            party.clone(),
            incident.id.to_string(),
            incident.updated_at,
            &json_bytes(&incident.report),
        )
        .exercise(incident.report.exercise),
    ];
    if let Some(assessment) = assessment {
        entries.push(assessment_entry(party, assessment).exercise(incident.report.exercise));
    }
    entries
}

pub(crate) fn assessment_entry(
    party: Option<String>,
    assessment: &redline_store::StoredAssessment,
) -> LogEntry {
    LogEntry::new(
        LogEntryKind::Assessment,
        party,
        assessment.incident_id.to_string(),
        assessment.assessed_at,
        assessment.assessment_json.as_bytes(),
    )
}

pub(crate) fn party_entry(party: &redline_model::Party) -> LogEntry {
    LogEntry::new(
        LogEntryKind::PartyAdded,
        None,
        party.id.to_string(),
        party.created_at,
        &json_bytes(party),
    )
}

pub(crate) fn party_key_entry(
    party: &redline_model::PartyId,
    key: &redline_model::PartyKey,
) -> LogEntry {
    LogEntry::new(
        LogEntryKind::PartyKeyAdded,
        None,
        party.to_string(),
        key.added_at,
        key.public_key.as_bytes(),
    )
}

/// A key revoked (alone, or by a rotation): the revoked key's bytes are hashed together with the
/// time and the reason, so the revocation itself can be proven later.
pub(crate) fn party_key_revocation_entry(
    party: &redline_model::PartyId,
    key: &redline_model::PartyKey,
) -> LogEntry {
    let at = key.revoked_at.unwrap_or(key.added_at);
    let record = serde_json::json!({
        "key_id": key.key_id,
        "public_key": key.public_key,
        "revoked_at": at,
        "reason": key.revocation_reason,
    });
    LogEntry::new(
        LogEntryKind::PartyKeyRevoked,
        None,
        party.to_string(),
        at,
        &json_bytes(&record),
    )
}

#[cfg(test)]
mod tests {
    use redline_ledger::checkpoint::Checkpoint;
    use redline_ledger::hash::Hash;

    use super::{ServedCheckpointMove, served_checkpoint_moves_to};

    fn checkpoint(tree_size: u64, root: u8) -> Checkpoint {
        Checkpoint {
            origin: "example.org/log".into(),
            tree_size,
            root_hash: Hash([root; 32]),
            extension_lines: Vec::new(),
        }
    }

    #[test]
    fn the_served_checkpoint_only_moves_to_a_larger_tree() {
        let served = checkpoint(513, 1);
        let table = [
            (checkpoint(514, 2), ServedCheckpointMove::Forward),
            (checkpoint(513, 1), ServedCheckpointMove::Same),
            (checkpoint(499, 3), ServedCheckpointMove::Behind),
            (checkpoint(0, 0), ServedCheckpointMove::Behind),
            (checkpoint(513, 4), ServedCheckpointMove::Fork),
        ];
        for (next, expected) in table {
            assert_eq!(
                served_checkpoint_moves_to(&served, &next),
                expected,
                "size {} root {:?}",
                next.tree_size,
                next.root_hash
            );
        }
    }
}
