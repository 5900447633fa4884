//! Witnessing, both ways. As a **witness** the node cosigns other logs' checkpoints
//! (tlog-witness `add-checkpoint`): it checks the log's signature and the consistency proof
//! from the size it last cosigned for that origin, remembers the new checkpoint durably
//! (compare-and-swap on the old size, one file per origin under the witness directory), and
//! only then answers with its `cosignature/v1` line. As a **log** the node asks its configured
//! witnesses to cosign each new checkpoint and adds their cosignatures to the checkpoint it
//! serves; whether a checkpoint is *witnessed* (k of n) is the ledger's
//! [`WitnessPolicy`], built once from the configured witnesses and quorum.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use redline_ledger::checkpoint::Checkpoint;
use redline_ledger::cosignature::{CosignatureSigner, CosignatureVerifier};
use redline_ledger::note::{Ed25519NoteVerifier, Note, NoteVerifier};
use redline_ledger::witness::{AddCheckpointRequest, check_add_checkpoint};
use redline_ledger::witness_policy::WitnessPolicy;

use crate::Node;

/// A log this node witnesses: its origin is the key name of its verifier key.
#[derive(Debug, Clone)]
pub struct WitnessedLog {
    pub verifier: Ed25519NoteVerifier,
}

/// A witness this node asks to cosign its own checkpoints.
#[derive(Debug, Clone)]
pub struct ConfiguredWitness {
    /// Base URL of the witness; the request goes to `<url>/add-checkpoint`.
    pub url: String,
    pub verifier: CosignatureVerifier,
}

/// The node's witness role and its witness policy.
#[derive(Debug, Clone)]
pub struct WitnessConfig {
    /// Where the last cosigned checkpoint of each origin is kept.
    pub directory: PathBuf,
    /// The cosigning key (never the log key).
    pub cosigner: CosignatureSigner,
    pub witnessed_logs: Vec<WitnessedLog>,
    /// Witnesses of this node's own log, and how many must cosign for "witnessed" (see
    /// [`WitnessPolicy`] for what a quorum of 0 means).
    pub own_witnesses: Vec<ConfiguredWitness>,
    pub quorum: usize,
}

/// Why the witness refuses, with the tlog-witness HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessRefusal {
    pub status: u16,
    pub message: String,
    /// For a 409: the size this witness last cosigned.
    pub latest_size: Option<u64>,
}

impl WitnessRefusal {
    fn new(status: u16, message: impl Into<String>) -> Self {
        WitnessRefusal {
            status,
            message: message.into(),
            latest_size: None,
        }
    }
}

/// The witness's state.
pub(crate) struct Witness {
    config: WitnessConfig,
    /// The k-of-n policy over `config.own_witnesses` and `config.quorum`.
    policy: WitnessPolicy,
    /// Serialises the read–check–write of each origin's state (the compare-and-swap).
    update: tokio::sync::Mutex<()>,
}

fn state_file_name(origin: &str) -> String {
    hex::encode(redline_ledger::hash::sha256(origin.as_bytes()))
}

impl Witness {
    pub(crate) fn new(config: WitnessConfig) -> std::io::Result<Witness> {
        std::fs::create_dir_all(&config.directory)?;
        let policy = WitnessPolicy::new(
            config
                .own_witnesses
                .iter()
                .map(|witness| witness.verifier.clone())
                .collect(),
            config.quorum,
        );
        Ok(Witness {
            config,
            policy,
            update: tokio::sync::Mutex::new(()),
        })
    }

    /// The witness policy of the node's own log (for the dashboard).
    pub(crate) fn policy(&self) -> &WitnessPolicy {
        &self.policy
    }

    fn latest(&self, origin: &str) -> Result<Option<Checkpoint>, WitnessRefusal> {
        let path = self.config.directory.join(state_file_name(origin));
        match std::fs::read_to_string(&path) {
            Ok(text) => Checkpoint::parse_body(&text).map(Some).map_err(|error| {
                WitnessRefusal::new(500, format!("the witness state is corrupt: {error}"))
            }),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(WitnessRefusal::new(
                500,
                format!("reading the witness state: {error}"),
            )),
        }
    }

    /// The exclusive lock on `<witness directory>/.lock`, held while a request reads, checks
    /// and writes the state (released when the file is dropped, or by the OS if the process
    /// dies).
    async fn lock_state(&self) -> Result<std::fs::File, WitnessRefusal> {
        let refusal = |error: std::io::Error| {
            WitnessRefusal::new(500, format!("the witness state's lock: {error}"))
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.config.directory.join(".lock"))
            .map_err(refusal)?;
        let started = std::time::Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(file),
                Err(std::fs::TryLockError::WouldBlock) if started.elapsed().as_secs() < 10 => {
                    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(WitnessRefusal::new(
                        503,
                        "another process holds the witness state; try again",
                    ));
                }
                Err(std::fs::TryLockError::Error(error)) => return Err(refusal(error)),
            }
        }
    }

    fn remember(&self, checkpoint: &Checkpoint) -> Result<(), WitnessRefusal> {
        let mut storage = redline_store::FileTileStorage::open(&self.config.directory)
            .map_err(|error| WitnessRefusal::new(500, format!("witness state: {error}")))?;
        storage
            .write_file(
                &state_file_name(&checkpoint.origin),
                checkpoint.to_body().as_bytes(),
            )
            .map_err(|error| WitnessRefusal::new(500, format!("witness state: {error}")))
    }

    async fn add_checkpoint(
        &self,
        body: &[u8],
        now_seconds: u64,
    ) -> Result<String, WitnessRefusal> {
        let request = AddCheckpointRequest::parse(body)
            .map_err(|error| WitnessRefusal::new(400, error.to_string()))?;
        let origin = Checkpoint::parse_body(request.checkpoint_note.text())
            .map_err(|error| WitnessRefusal::new(400, error.to_string()))?
            .origin;
        let log = self
            .config
            .witnessed_logs
            .iter()
            .find(|log| log.verifier.key_name() == origin)
            .ok_or_else(|| WitnessRefusal::new(404, format!("unknown log origin {origin:?}")))?;
        let _guard = self.update.lock().await;
        // Several processes over one PostgreSQL database share the witness directory: the
        // read-check-write below holds its lock file, so no two of them cosign from one state.
        let _across_processes = self.lock_state().await?;
        let latest = self.latest(&origin)?;
        let checkpoint = check_add_checkpoint(
            &request,
            &origin,
            &[&log.verifier as &dyn NoteVerifier],
            latest.as_ref(),
        )
        .map_err(|rejection| WitnessRefusal {
            status: rejection.http_status(),
            message: rejection.to_string(),
            latest_size: match rejection {
                redline_ledger::witness::WitnessRejection::OldSizeMismatch {
                    latest_size, ..
                } => Some(latest_size),
                _ => None,
            },
        })?;
        // Durable before answered: the next request must prove consistency from this one.
        if latest.as_ref().map(|latest| latest.tree_size) != Some(checkpoint.tree_size) {
            self.remember(&checkpoint)?;
        }
        let signature = self
            .config
            .cosigner
            .cosign(request.checkpoint_note.text(), now_seconds)
            .map_err(|error| WitnessRefusal::new(500, error.to_string()))?;
        Ok(signature.to_line())
    }
}

impl Node {
    /// Attaches the witness role and the witness policy of the node's own log.
    pub fn attach_witness(&self, config: WitnessConfig) -> Result<(), crate::NodeError> {
        let witness = Witness::new(config)
            .map_err(|error| crate::NodeError::Internal(format!("witness state: {error}")))?;
        self.witness
            .set(Arc::new(witness))
            .map_err(|_| crate::NodeError::Conflict("the node already has a witness".into()))
    }

    /// tlog-witness `add-checkpoint`: the cosignature line(s) to return, or the refusal.
    pub async fn witness_add_checkpoint(&self, body: &[u8]) -> Result<String, WitnessRefusal> {
        let witness = self
            .witness
            .get()
            .ok_or_else(|| WitnessRefusal::new(404, "this node is not a witness"))?;
        let now = u64::try_from(self.now().as_microseconds() / 1_000_000).unwrap_or(0);
        witness.add_checkpoint(body, now).await
    }

    /// Asks every configured witness to cosign the current checkpoint of this node's log
    /// (`old_sizes` holds what each witness last cosigned, updated here) and adds the
    /// cosignatures that verify to the checkpoint the node serves. Returns how many witnesses
    /// cosigned and whether that makes the checkpoint witnessed under the node's policy.
    pub async fn collect_cosignatures(
        &self,
        http: &reqwest::Client,
        old_sizes: &mut HashMap<String, u64>,
    ) -> Result<(usize, bool), crate::NodeError> {
        let (Some(witness), Some(log)) = (self.witness.get(), self.log()) else {
            return Ok((0, false));
        };
        let note = log.checkpoint_note();
        let checkpoint = log.checkpoint()?;
        let mut cosigned = 0;
        for configured in &witness.config.own_witnesses {
            let old_size = old_sizes.get(&configured.url).copied().unwrap_or(0);
            let result = ask_witness(http, configured, log, &note, &checkpoint, old_size).await;
            match result {
                Ok(Some(signature)) => {
                    log.add_cosignature(note.text(), signature);
                    old_sizes.insert(configured.url.clone(), checkpoint.tree_size);
                    cosigned += 1;
                }
                Ok(None) => {}
                Err(WitnessAnswer::KnownSize(size)) => {
                    old_sizes.insert(configured.url.clone(), size);
                    if let Ok(Some(signature)) =
                        ask_witness(http, configured, log, &note, &checkpoint, size).await
                    {
                        log.add_cosignature(note.text(), signature);
                        old_sizes.insert(configured.url.clone(), checkpoint.tree_size);
                        cosigned += 1;
                    }
                }
                Err(WitnessAnswer::Failed(reason)) => {
                    tracing::warn!(witness = %configured.url, %reason, "witness did not cosign");
                }
            }
        }
        Ok((cosigned, witness.policy.is_witnessed_by(cosigned)))
    }
}

enum WitnessAnswer {
    KnownSize(u64),
    Failed(String),
}

async fn ask_witness(
    http: &reqwest::Client,
    configured: &ConfiguredWitness,
    log: &crate::log::NodeLog,
    note: &Note,
    checkpoint: &Checkpoint,
    old_size: u64,
) -> Result<Option<redline_ledger::note::NoteSignature>, WitnessAnswer> {
    let proof = if old_size == 0 || old_size >= checkpoint.tree_size {
        Vec::new()
    } else {
        log.consistency_proof(old_size, Some(checkpoint.tree_size))
            .map_err(|error| WitnessAnswer::Failed(error.to_string()))?
            .1
    };
    let request = AddCheckpointRequest {
        old_size,
        consistency_proof: proof,
        checkpoint_note: note.clone(),
    };
    let url = format!("{}/add-checkpoint", configured.url.trim_end_matches('/'));
    let response = http
        .post(&url)
        .body(request.to_text())
        .send()
        .await
        .map_err(|error| WitnessAnswer::Failed(error.to_string()))?;
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|error| WitnessAnswer::Failed(error.to_string()))?;
    if status.as_u16() == 409 {
        let size = body
            .trim()
            .parse::<u64>()
            .map_err(|_| WitnessAnswer::Failed(format!("409 without a size: {body:?}")))?;
        return Err(WitnessAnswer::KnownSize(size));
    }
    if !status.is_success() {
        return Err(WitnessAnswer::Failed(format!("{status}: {}", body.trim())));
    }
    // The answer is signature lines; keep the ones by this witness's key that verify.
    let mut with_signature = note.to_text();
    with_signature.push_str(&body);
    let answered = Note::parse(with_signature.as_bytes())
        .map_err(|error| WitnessAnswer::Failed(format!("malformed answer: {error}")))?;
    Ok(answered
        .signatures()
        .iter()
        .find(|signature| {
            signature.key_id == configured.verifier.key_id()
                && configured
                    .verifier
                    .verify(note.text().as_bytes(), &signature.signature)
        })
        .cloned())
}
