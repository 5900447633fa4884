//! `redline log`: the node's transparency log from the outside. `key` prints the log's C2SP
//! verifier key; `verify` audits a log (a node's `/log/` URL or a directory of tiles): the
//! checkpoint signature and cosignatures, the whole tree recomputed from the tiles and entry
//! bundles, consistency with every checkpoint seen before (kept in `--state`), and receipts;
//! `mirror` copies a log's checkpoint, tiles and bundles into a directory. Also opens the log
//! and the witness for a local node (`attach`) and collects cosignatures while serving.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use redline_ledger::checkpoint::{Checkpoint, open_checkpoint};
use redline_ledger::cosignature::{CosignatureSigner, CosignatureVerifier};
use redline_ledger::hash::leaf_hash;
use redline_ledger::log::{TiledLog, verify_storage};
use redline_ledger::monitor::{CheckpointMonitor, SeenCheckpoint};
use redline_ledger::note::{Ed25519NoteVerifier, NoteVerifier};
use redline_ledger::receipt::TlogProof;
use redline_ledger::storage::TileStorage;
use redline_ledger::tiles::{TileAddress, parse_entry_bundle_of_width, tile_inventory};
use redline_ledger::witness_policy::WitnessPolicy;
use redline_node::Node;
use redline_node::log::{LogConfig, NodeLog};
use redline_node::log_witness::{ConfiguredWitness, WitnessConfig, WitnessedLog};
use redline_store::FileTileStorage;
use serde::{Deserialize, Serialize};

use crate::{config::Settings, output::Format};

#[derive(Debug, clap::Subcommand)]
pub enum LogCommand {
    /// Print the node's log verifier key (C2SP vkey) and its witness cosigner key.
    Key,
    /// Audit a log: signature, cosignatures, every tile and entry, consistency with the
    /// checkpoints seen before, receipts. Exit 0 only if everything holds.
    Verify(VerifyArguments),
    /// Copy a log (checkpoint, tiles, entry bundles) from a node into a directory.
    Mirror(MirrorArguments),
}

#[derive(Debug, clap::Args)]
pub struct VerifyArguments {
    /// The log: a URL such as http://127.0.0.1:8080/log, or a directory of tiles.
    pub source: String,
    /// The log's verifier key; default: the one pinned in --state, else the log's own `key`
    /// (trusted on first use).
    #[arg(long, value_name = "VKEY")]
    pub key: Option<String>,
    /// A file remembering the key and every checkpoint verified before (created if missing,
    /// updated when everything holds).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Receipts to check: C2SP tlog-proof text, or the node's JSON receipt.
    #[arg(long = "receipt", value_name = "FILE")]
    pub receipts: Vec<PathBuf>,
    /// Witness cosigner keys (C2SP vkey) whose cosignatures count.
    #[arg(long = "witness", value_name = "VKEY")]
    pub witnesses: Vec<String>,
    /// How many of the witnesses must have cosigned the checkpoint (0: none required).
    #[arg(long, default_value_t = 0)]
    pub quorum: usize,
    /// A redline node whose checkpoints seen (`/federation/v1/checkpoints`) are compared with
    /// this log (repeat for more): a checkpoint of this log it was shown, signed by the log,
    /// whose root differs from the log's own at that size is a split view.
    #[arg(long = "peer", value_name = "URL")]
    pub peers: Vec<String>,
    /// `table` (one sentence for people) or `json` (the verified facts, for programs).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, clap::Args)]
pub struct MirrorArguments {
    /// The log URL, such as http://127.0.0.1:8080/log.
    pub url: String,
    /// The directory to copy into (created if missing).
    pub directory: PathBuf,
    /// `table` (one sentence for people) or `json` (what was mirrored, for programs).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// What `log verify --format json` prints when everything holds.
#[derive(Debug, Serialize)]
struct VerifiedLog {
    origin: String,
    tree_size: u64,
    /// Base64, as in the checkpoint.
    root_hash: String,
    witness_cosignatures: usize,
    receipts: usize,
    earlier_checkpoints: usize,
}

/// What `log mirror --format json` prints.
#[derive(Debug, Serialize)]
struct MirroredLog {
    origin: String,
    tree_size: u64,
    /// Base64, as in the checkpoint.
    root_hash: String,
    directory: PathBuf,
}

/// A verification failure: the message says exactly what does not hold.
#[derive(Debug, thiserror::Error)]
#[error("log verification failed: {0}")]
pub struct VerificationFailed(pub String);

fn failed(message: impl Into<String>) -> anyhow::Error {
    VerificationFailed(message.into()).into()
}

pub async fn run(settings: &Settings, command: LogCommand) -> anyhow::Result<()> {
    match command {
        LogCommand::Key => {
            let (seed, origin) = log_key(settings)?;
            let signer = redline_ledger::note::Ed25519NoteSigner::from_seed(&origin, &seed)
                .map_err(|error| anyhow::anyhow!("the log origin {origin:?}: {error}"))?;
            println!("{}", signer.verifier().to_vkey());
            let cosigner = cosigner(settings)?;
            println!("{}", cosigner.verifier().to_vkey());
            Ok(())
        }
        LogCommand::Verify(arguments) => verify(arguments).await,
        LogCommand::Mirror(arguments) => {
            let checkpoint = mirror(&arguments.url, &arguments.directory, None).await?;
            match arguments.format {
                Format::Json => crate::output::print_json(&MirroredLog {
                    origin: checkpoint.origin.clone(),
                    tree_size: checkpoint.tree_size,
                    root_hash: checkpoint.root_hash.to_base64(),
                    directory: arguments.directory,
                }),
                Format::Table => {
                    println!(
                        "mirrored {} entries of {} into {}",
                        checkpoint.tree_size,
                        checkpoint.origin,
                        arguments.directory.display()
                    );
                    Ok(())
                }
            }
        }
    }
}

/// The node key's seed and the log origin.
fn log_key(settings: &Settings) -> anyhow::Result<([u8; 32], String)> {
    let path = settings.data.join(super::init::NODE_KEY_FILE);
    if !path.exists() {
        std::fs::create_dir_all(&settings.data)
            .with_context(|| format!("creating {}", settings.data.display()))?;
        crate::keys::generate_key_file(&path)?;
    }
    let key = crate::keys::read_key_file(&path)?;
    Ok((key.to_bytes(), settings.log_origin.clone()))
}

/// The witness cosigner key (its own file: a cosigner never reuses the log key).
fn cosigner(settings: &Settings) -> anyhow::Result<CosignatureSigner> {
    let directory = settings.data.join("keys");
    std::fs::create_dir_all(&directory)
        .with_context(|| format!("creating {}", directory.display()))?;
    let path = directory.join("witness-key.pem");
    if !path.exists() {
        crate::keys::generate_key_file(&path)?;
    }
    let key = crate::keys::read_key_file(&path)?;
    let name = format!("{}/witness", settings.log_origin);
    CosignatureSigner::from_seed(&name, &key.to_bytes())
        .map_err(|error| anyhow::anyhow!("the witness name {name:?}: {error}"))
}

/// Opens the node's log (in `<data>/log`) and its witness role, and attaches them.
pub async fn attach(node: &Node, settings: &Settings) -> anyhow::Result<()> {
    let (seed, origin) = log_key(settings)?;
    let mut config = LogConfig::new(settings.data.join("log"), origin, seed);
    config.batch_interval = Duration::from_millis(settings.log_batch_interval_ms);
    config.sequencing_interval = Duration::from_millis(settings.log_sequencing_interval_ms);
    config.batch_entries = settings.log_batch_entries;
    // Several processes over PostgreSQL share the tile directory and follow the pointer in the
    // database until one of them leads (`redline serve`); SQLite's one process writes it.
    let log = if node.is_shared() {
        node.open_shared_log(config)
            .await
            .context("opening the shared transparency log")?
    } else {
        NodeLog::open(config).context("opening the transparency log")?
    };
    let appended = node
        .attach_log(log)
        .await
        .context("appending the log entries committed before the last stop")?;
    if appended > 0 {
        tracing::info!(appended, "log entries from before the last stop appended");
    }
    let mut witnessed_logs = Vec::new();
    for (position, vkey) in settings.all_witnessed_logs().iter().enumerate() {
        let verifier = Ed25519NoteVerifier::from_vkey(vkey.trim()).map_err(|error| {
            anyhow::anyhow!("witnessed_logs[{position}] (or a peer's log_key): {error}")
        })?;
        witnessed_logs.push(WitnessedLog { verifier });
    }
    let mut own_witnesses = Vec::new();
    for (position, witness) in settings.all_log_witnesses().iter().enumerate() {
        let verifier = CosignatureVerifier::from_vkey(witness.vkey.trim()).map_err(|error| {
            anyhow::anyhow!("log_witnesses[{position}].vkey (or a peer's witness_key): {error}")
        })?;
        own_witnesses.push(ConfiguredWitness {
            url: witness.url.clone(),
            verifier,
        });
    }
    node.attach_witness(WitnessConfig {
        directory: settings.data.join("witness"),
        cosigner: cosigner(settings)?,
        witnessed_logs,
        own_witnesses,
        quorum: settings.log_witness_quorum,
    })?;
    // Federation: the peers, now that the node key (the log's) is there.
    node.attach_federation(settings.federation_settings())
        .context("the peers")?;
    Ok(())
}

/// While serving: asks the configured witnesses to cosign each new checkpoint.
pub fn spawn_cosignature_collector(node: Arc<Node>, settings: &Settings) {
    if settings.all_log_witnesses().is_empty() {
        return;
    }
    tokio::spawn(async move {
        let http = reqwest::Client::new();
        let mut old_sizes = HashMap::new();
        let mut last_body = String::new();
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let Some(log) = node.log() else { return };
            let body = log.checkpoint_note().text().to_owned();
            if body == last_body {
                continue;
            }
            match node.collect_cosignatures(&http, &mut old_sizes).await {
                Ok((cosigned, witnessed)) => {
                    tracing::info!(cosigned, witnessed, "checkpoint cosignatures collected");
                    last_body = body;
                }
                Err(error) => tracing::warn!(%error, "collecting cosignatures"),
            }
        }
    });
}

/// What `--state` remembers.
#[derive(Debug, Default, Serialize, Deserialize)]
struct VerifierState {
    origin: Option<String>,
    key: Option<String>,
    /// Every checkpoint verified so far: size and base64 root.
    checkpoints: Vec<SeenCheckpointText>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SeenCheckpointText {
    tree_size: u64,
    root_hash: String,
}

fn is_url(source: &str) -> bool {
    source.starts_with("http://") || source.starts_with("https://")
}

async fn fetch(http: &reqwest::Client, url: &str) -> anyhow::Result<Option<Vec<u8>>> {
    let response = http
        .get(url)
        .send()
        .await
        .with_context(|| format!("fetching {url}"))?;
    if response.status() == reqwest::StatusCode::NOT_FOUND {
        return Ok(None);
    }
    if !response.status().is_success() {
        anyhow::bail!("fetching {url}: {}", response.status());
    }
    Ok(Some(
        response
            .bytes()
            .await
            .with_context(|| format!("reading {url}"))?
            .to_vec(),
    ))
}

/// Copies the checkpoint, every tile and bundle it covers into `directory`. Full tiles already
/// there are kept. With `expected_checkpoint`, that checkpoint is used instead of fetching.
async fn mirror(
    url: &str,
    directory: &Path,
    expected_checkpoint: Option<&[u8]>,
) -> anyhow::Result<Checkpoint> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let base = url.trim_end_matches('/');
    let checkpoint_bytes = match expected_checkpoint {
        Some(bytes) => bytes.to_vec(),
        None => fetch(&http, &format!("{base}/checkpoint"))
            .await?
            .ok_or_else(|| anyhow::anyhow!("{base}/checkpoint: not found"))?,
    };
    let note = redline_ledger::note::Note::parse(&checkpoint_bytes)
        .map_err(|error| failed(format!("{base}/checkpoint is malformed: {error}")))?;
    let checkpoint = Checkpoint::parse_body(note.text())
        .map_err(|error| failed(format!("{base}/checkpoint is malformed: {error}")))?;
    let mut storage = FileTileStorage::open(directory)
        .with_context(|| format!("opening {}", directory.display()))?;
    storage.set_batched(true);
    let mut addresses = Vec::new();
    for inventory in tile_inventory(checkpoint.tree_size) {
        let full = (0..inventory.full_tiles).map(|index| (index, 256u16));
        let partial = (inventory.partial_width > 0)
            .then_some((inventory.full_tiles, inventory.partial_width));
        for (index, width) in full.chain(partial) {
            addresses.push(TileAddress::Hashes {
                level: inventory.level,
                index,
                width,
            });
            if inventory.level == 0 {
                addresses.push(TileAddress::EntryBundle { index, width });
            }
        }
    }
    let progress = crate::output::progress_bar(
        addresses.len() as u64,
        "{bar:40} {pos}/{len} tiles and bundles mirrored ({eta} left)",
    );
    for address in addresses {
        progress.inc(1);
        if !address.is_partial() && storage.read_tile(&address)?.is_some() {
            continue;
        }
        let path = address.path();
        let bytes = fetch(&http, &format!("{base}/{path}"))
            .await?
            .ok_or_else(|| failed(format!("{base}/{path} is missing")))?;
        storage
            .write_tile(&address, &bytes)
            .map_err(|error| failed(error.to_string()))?;
    }
    progress.finish_and_clear();
    storage.write_checkpoint(&checkpoint_bytes)?;
    if let Some(key) = fetch(&http, &format!("{base}/key")).await? {
        storage.write_file("key", &key)?;
    }
    Ok(checkpoint)
}

async fn verify(arguments: VerifyArguments) -> anyhow::Result<()> {
    let mut state: VerifierState = match &arguments.state {
        Some(path) if path.exists() => serde_json::from_slice(
            &std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
        )
        .with_context(|| format!("{} is not a verifier state file", path.display()))?,
        _ => VerifierState::default(),
    };
    // Fetch a URL into a scratch mirror; a directory is verified in place.
    let scratch;
    let directory: PathBuf = if is_url(&arguments.source) {
        scratch = tempfile::tempdir().context("creating a scratch directory")?;
        mirror(&arguments.source, scratch.path(), None).await?;
        scratch.path().to_path_buf()
    } else {
        PathBuf::from(&arguments.source)
    };
    let checkpoint_path = directory.join("checkpoint");
    let checkpoint_bytes = std::fs::read(&checkpoint_path)
        .map_err(|error| failed(format!("{}: {error}", checkpoint_path.display())))?;
    let key_text = match (&arguments.key, &state.key) {
        (Some(key), Some(pinned)) if key != pinned => {
            return Err(failed(format!(
                "--key differs from the key pinned in the state file ({pinned})"
            )));
        }
        (Some(key), _) => key.clone(),
        (None, Some(pinned)) => pinned.clone(),
        (None, None) => {
            let path = directory.join("key");
            let text = std::fs::read_to_string(&path).map_err(|_| {
                failed("no key: pass --key VKEY (or a --state file that pinned one)")
            })?;
            eprintln!(
                "note: trusting the log's own key on first use: {}",
                text.trim()
            );
            text.trim().to_owned()
        }
    };
    let verifier = Ed25519NoteVerifier::from_vkey(&key_text)
        .map_err(|error| failed(format!("the log key {key_text:?}: {error}")))?;
    let origin = verifier.key_name().to_owned();
    let mut witnesses = Vec::new();
    for vkey in &arguments.witnesses {
        witnesses.push(
            CosignatureVerifier::from_vkey(vkey)
                .map_err(|error| failed(format!("--witness {vkey:?}: {error}")))?,
        );
    }
    let witness_policy = WitnessPolicy::new(witnesses, arguments.quorum);
    let mut all_verifiers: Vec<&dyn NoteVerifier> = vec![&verifier];
    all_verifiers.extend(
        witness_policy
            .witnesses()
            .iter()
            .map(|witness| witness as &dyn NoteVerifier),
    );
    let opened = open_checkpoint(&checkpoint_bytes, &origin, &all_verifiers).map_err(|error| {
        failed(format!(
            "the checkpoint {}: {error}",
            checkpoint_path.display()
        ))
    })?;
    if !opened.verification.verified.iter().any(|signature| {
        signature.key_name == verifier.key_name() && signature.key_id == verifier.key_id()
    }) {
        return Err(failed(
            "the checkpoint carries no valid signature of the log key",
        ));
    }
    let decision = witness_policy.decide(&opened.note);
    let cosigned = decision.valid_cosignatures;
    if !decision.satisfied {
        return Err(failed(format!(
            "the checkpoint is cosigned by {cosigned} of the given witnesses, {} required",
            witness_policy.cosignatures_needed()
        )));
    }
    let checkpoint = opened.checkpoint;
    let mut monitor = CheckpointMonitor::new();
    for seen in &state.checkpoints {
        let root_hash = redline_ledger::Hash::from_base64(&seen.root_hash).map_err(|error| {
            failed(format!(
                "the state file's checkpoint of size {} has no valid root: {error}",
                seen.tree_size
            ))
        })?;
        monitor.record(
            &origin,
            SeenCheckpoint {
                tree_size: seen.tree_size,
                root_hash,
            },
        );
    }
    // Consistency with every checkpoint seen before (checked first: a rollback or a fork is
    // reported as such even when the tiles are consistent with the new checkpoint).
    monitor
        .check_size_and_root(&checkpoint)
        .map_err(|alarm| failed(alarm.to_string()))?;
    let storage = FileTileStorage::open(&directory)
        .with_context(|| format!("opening {}", directory.display()))?;
    check_entries_then_tiles(&storage, &checkpoint)?;
    verify_storage(&storage, &checkpoint)
        .map_err(|error| failed(format!("the tiles do not match the checkpoint: {error}")))?;
    let log = TiledLog::recover(&storage, &checkpoint)
        .map_err(|error| failed(format!("the tiles do not match the checkpoint: {error}")))?;
    monitor
        .check_contains_seen(&checkpoint, |size| log.tree().root_at(size))
        .map_err(|alarm| failed(alarm.to_string()))?;
    // A receipt's checkpoint may be older than the witnesses' cosignatures: its cosignatures
    // by the given witnesses must verify, but no quorum is required of it.
    check_against_peers(&arguments.peers, &verifier, &checkpoint, &log).await?;
    let receipt_policy = WitnessPolicy::new(witness_policy.witnesses().to_vec(), 0);
    for path in &arguments.receipts {
        verify_receipt(path, &storage, &log, &verifier, &origin, &receipt_policy)?;
    }
    if let Some(path) = &arguments.state {
        state.origin = Some(origin.clone());
        state.key = Some(key_text.clone());
        monitor.record(&origin, SeenCheckpoint::from(&checkpoint));
        state.checkpoints = monitor
            .seen(&origin)
            .iter()
            .map(|seen| SeenCheckpointText {
                tree_size: seen.tree_size,
                root_hash: seen.root_hash.to_base64(),
            })
            .collect();
        let bytes = serde_json::to_vec_pretty(&state)?;
        let temporary = path.with_extension("tmp");
        std::fs::write(&temporary, bytes)
            .and_then(|()| std::fs::rename(&temporary, path))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let verified = VerifiedLog {
        origin,
        tree_size: checkpoint.tree_size,
        root_hash: checkpoint.root_hash.to_base64(),
        witness_cosignatures: cosigned,
        receipts: arguments.receipts.len(),
        earlier_checkpoints: state.checkpoints.len().saturating_sub(1),
    };
    match arguments.format {
        Format::Json => crate::output::print_json(&verified),
        Format::Table => {
            println!(
                "ok: {} at size {} (root {}), {} witness cosignature(s), {} receipt(s), consistent with {} earlier checkpoint(s)",
                verified.origin,
                verified.tree_size,
                verified.root_hash,
                verified.witness_cosignatures,
                verified.receipts,
                verified.earlier_checkpoints
            );
            Ok(())
        }
    }
}

/// Split views: every checkpoint of this log a peer node says it saw, signed by the log, must
/// have the root this log's tree has at its size. One shown another history is the proof that
/// the log forked; a checkpoint newer than the one verified cannot be judged here (say so).
async fn check_against_peers(
    peers: &[String],
    verifier: &Ed25519NoteVerifier,
    checkpoint: &Checkpoint,
    log: &TiledLog,
) -> anyhow::Result<()> {
    if peers.is_empty() {
        return Ok(());
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let origin = verifier.key_name();
    for peer in peers {
        let url = format!("{}/federation/v1/checkpoints", peer.trim_end_matches('/'));
        let bytes = fetch(&http, &url)
            .await?
            .ok_or_else(|| failed(format!("{url}: not found (is it a redline node?)")))?;
        let seen: SeenCheckpoints = serde_json::from_slice(&bytes)
            .map_err(|error| failed(format!("{url}: not a list of checkpoints: {error}")))?;
        for note in seen
            .checkpoints
            .iter()
            .filter(|note| note.lines().next() == Some(origin))
        {
            let Ok(shown) = redline_ledger::split_view::open_gossiped_checkpoint(note, verifier)
            else {
                eprintln!(
                    "note: {url} lists a checkpoint of {origin} not signed by its key (no evidence)"
                );
                continue;
            };
            let size = shown.checkpoint.tree_size;
            if size > checkpoint.tree_size {
                eprintln!(
                    "note: {url} saw {origin} at size {size}, newer than the checkpoint verified ({}): verify again later",
                    checkpoint.tree_size
                );
                continue;
            }
            let root = log
                .tree()
                .root_at(size)
                .map_err(|error| failed(format!("the log's root at size {size}: {error}")))?;
            if root != shown.checkpoint.root_hash {
                return Err(failed(format!(
                    "split view: {} was shown {origin} at size {size} with root {}, signed by the log; this log's root at that size is {}",
                    seen.node,
                    shown.checkpoint.root_hash.to_base64(),
                    root.to_base64()
                )));
            }
        }
    }
    Ok(())
}

/// What `/federation/v1/checkpoints` answers.
#[derive(Deserialize)]
struct SeenCheckpoints {
    node: String,
    checkpoints: Vec<String>,
}

#[derive(Deserialize)]
struct JsonReceipt {
    entry: String,
    tlog_proof: String,
}

fn verify_receipt(
    path: &Path,
    storage: &FileTileStorage,
    log: &TiledLog,
    verifier: &Ed25519NoteVerifier,
    origin: &str,
    witness_policy: &WitnessPolicy,
) -> anyhow::Result<()> {
    let name = path.display();
    let bytes = std::fs::read(path).with_context(|| format!("reading the receipt {name}"))?;
    let (claimed_entry, proof_text) = if bytes.first() == Some(&b'{') {
        let receipt: JsonReceipt = serde_json::from_slice(&bytes)
            .map_err(|error| failed(format!("receipt {name}: {error}")))?;
        (
            Some(receipt.entry.into_bytes()),
            receipt.tlog_proof.into_bytes(),
        )
    } else {
        (None, bytes)
    };
    let proof = TlogProof::parse(&proof_text)
        .map_err(|error| failed(format!("receipt {name}: {error}")))?;
    let receipt_checkpoint = Checkpoint::parse_body(proof.checkpoint_note.text())
        .map_err(|error| failed(format!("receipt {name}: {error}")))?;
    let tree_size = log.published_size();
    if proof.leaf_index >= tree_size {
        return Err(failed(format!(
            "receipt {name}: entry {} is not in the log of size {tree_size}",
            proof.leaf_index
        )));
    }
    let bundle_index = proof.leaf_index / 256;
    let width = (tree_size - bundle_index * 256).min(256) as u16;
    let address = TileAddress::EntryBundle {
        index: bundle_index,
        width,
    };
    let bundle = storage
        .read_tile(&address)?
        .ok_or_else(|| failed(format!("receipt {name}: {} is missing", address.path())))?;
    let entries = parse_entry_bundle_of_width(&bundle, width)
        .map_err(|error| failed(format!("receipt {name}: {}: {error}", address.path())))?;
    let logged = entries
        .get((proof.leaf_index % 256) as usize)
        .ok_or_else(|| failed(format!("receipt {name}: entry missing from the bundle")))?;
    if let Some(claimed) = &claimed_entry
        && claimed.as_slice() != *logged
    {
        return Err(failed(format!(
            "receipt {name}: entry {} in the log differs from the entry in the receipt",
            proof.leaf_index
        )));
    }
    proof
        .verify_with_policy(logged, origin, &[verifier], witness_policy)
        .map_err(|error| failed(format!("receipt {name}: {error}")))?;
    // The receipt's checkpoint must be one of this log's trees.
    let root = log
        .tree()
        .root_at(receipt_checkpoint.tree_size)
        .map_err(|error| failed(format!("receipt {name}: {error}")))?;
    if root != receipt_checkpoint.root_hash {
        return Err(failed(format!(
            "receipt {name}: its checkpoint of size {} is not consistent with the log (fork)",
            receipt_checkpoint.tree_size
        )));
    }
    if leaf_hash(logged) != log.tree().leaf_hash(proof.leaf_index).unwrap_or_default() {
        return Err(failed(format!("receipt {name}: the leaf hash differs")));
    }
    Ok(())
}

/// Recomputes the tree from the entry bundles alone and compares it with the checkpoint, then
/// compares every level-0 hash tile with it, so a failure names the resource that was changed:
/// a bundle when the entries do not give the signed root, a hash tile when they do.
fn check_entries_then_tiles(
    storage: &FileTileStorage,
    checkpoint: &Checkpoint,
) -> anyhow::Result<()> {
    let tree_size = checkpoint.tree_size;
    let mut tree = redline_ledger::tree::MerkleTree::new();
    let mut first_differing_bundle = None;
    let bundles = tree_size.div_ceil(256);
    let progress = crate::output::progress_bar(
        bundles,
        "{bar:40} {pos}/{len} entry bundles verified ({eta} left)",
    );
    for index in 0..bundles {
        progress.inc(1);
        let width = (tree_size - index * 256).min(256) as u16;
        let bundle_address = TileAddress::EntryBundle { index, width };
        let bundle = storage
            .read_tile(&bundle_address)?
            .ok_or_else(|| failed(format!("{} is missing", bundle_address.path())))?;
        let entries = parse_entry_bundle_of_width(&bundle, width)
            .map_err(|error| failed(format!("{}: {error}", bundle_address.path())))?;
        let tile_address = TileAddress::Hashes {
            level: 0,
            index,
            width,
        };
        let tile = storage.read_tile(&tile_address)?;
        for (position, entry) in entries.iter().enumerate() {
            let hash = leaf_hash(entry);
            let in_tile = tile
                .as_ref()
                .and_then(|tile| tile.get(position * 32..position * 32 + 32));
            if first_differing_bundle.is_none() && in_tile != Some(hash.as_ref()) {
                first_differing_bundle = Some((bundle_address, index * 256 + position as u64));
            }
            tree.append_leaf_hash(hash);
        }
    }
    progress.finish_and_clear();
    let root = tree.root();
    if root != checkpoint.root_hash {
        return Err(failed(match first_differing_bundle {
            Some((address, leaf_index)) => format!(
                "{}: entry {leaf_index} was changed or removed (the entries give root {}, the checkpoint says {})",
                address.path(),
                root.to_base64(),
                checkpoint.root_hash.to_base64()
            ),
            None => format!(
                "the entries give root {} at size {tree_size}, the signed checkpoint says {}",
                root.to_base64(),
                checkpoint.root_hash.to_base64()
            ),
        }));
    }
    for index in 0..tree_size.div_ceil(256) {
        let width = (tree_size - index * 256).min(256) as u16;
        let address = TileAddress::Hashes {
            level: 0,
            index,
            width,
        };
        let expected =
            redline_ledger::tiles::build_hash_tile(tree.hash_tile(0, index, width).unwrap_or(&[]));
        match storage.read_tile(&address)? {
            None => return Err(failed(format!("{} is missing", address.path()))),
            Some(stored) if stored != expected => {
                return Err(failed(format!(
                    "{}: the hash tile was changed (it does not match the signed entries)",
                    address.path()
                )));
            }
            Some(_) => {}
        }
    }
    Ok(())
}
