//! `redline backup` and `redline restore`: an online backup of a local node's data directory,
//! and restoring one into an empty directory followed by a check of the restored node.
//!
//! A backup is a directory: `redline.sqlite` (SQLite's `VACUUM INTO`, a consistent copy taken
//! while the node serves), `log/` (the transparency log: its checkpoint first, then exactly the
//! tiles and entry bundles that checkpoint covers — they are immutable, so the copy is
//! consistent), every other file of the data directory (the node's key, the witness key and
//! state, the configuration, demo credentials), and `backup.json` describing it. The log is
//! copied before the database, so every entry of the copied log has its record in the copied
//! database; changes committed in between are in the database and their entries, if still in
//! the log outbox, are appended when the restored node opens its log.
//!
//! The check after a restore: the log verifies as `redline log verify` verifies it (checkpoint
//! signature, every tile and bundle), then every log entry's subject is looked up in the
//! restored database and its SHA-256 compared with the entry's digest. Mismatches are printed
//! by entry index, kind and subject, and the command fails.
//!
//! PostgreSQL is not backed up here: the operator runs `pg_dump` / `pg_restore` (the refusal
//! prints the commands) and copies the data directory's files alongside.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use redline_ledger::checkpoint::Checkpoint;
use redline_ledger::hash::sha256;
use redline_ledger::storage::TileStorage;
use redline_ledger::tiles::{TileAddress, parse_entry_bundle_of_width, tile_inventory};
use redline_model::{IncidentId, PartyId};
use redline_node::log::{LogEntry, LogEntryKind};
use redline_store::{FileTileStorage, SqlStore, Store};
use serde::{Deserialize, Serialize};

use crate::config::{GlobalOptions, Settings};

/// The file describing a backup, at the root of its directory.
const MANIFEST_FILE: &str = "backup.json";
/// The database's file name, in a backup and in a data directory.
const DATABASE_FILE: &str = "redline.sqlite";
/// The transparency log's directory, in a backup and in a data directory.
const LOG_DIRECTORY: &str = "log";
const MANIFEST_FORMAT: &str = "redline-backup-1";

#[derive(Debug, clap::Args)]
#[command(
    after_help = "The backup is a directory (not an archive): the database (SQLite's VACUUM INTO), \
                  the transparency log's checkpoint and the tiles it covers, the node's keys, \
                  configuration and other files of the data directory. It is taken online: the \
                  node may keep serving. Pack it with tar if you need one file. For PostgreSQL, \
                  use pg_dump (the command says how)."
)]
pub struct BackupArguments {
    /// The directory to write the backup to (must not exist, or be empty).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Restores into the data directory given with --data, which must be empty or \
                  missing, then checks the restored node: the log verifies, and every log \
                  entry's record is in the database with the logged SHA-256. Exit 0 only if \
                  everything holds."
)]
pub struct RestoreArguments {
    /// The backup directory written by `redline backup`.
    #[arg(long, value_name = "DIR")]
    pub from: PathBuf,
}

/// What `backup.json` says.
#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: String,
    created_at: jiff::Timestamp,
    /// The size of the copied log's checkpoint (0 without a log).
    log_tree_size: u64,
    database: String,
}

/// `redline backup --out DIR`.
pub async fn backup(settings: &Settings, arguments: BackupArguments) -> anyhow::Result<()> {
    let url = settings.database_url();
    refuse_postgres(&url)?;
    let out = prepare_empty_directory(&arguments.out)?;
    refuse_backup_inside_data(settings, &out)?;
    let log_tree_size = copy_log(&settings.data.join(LOG_DIRECTORY), &out.join(LOG_DIRECTORY))?;
    copy_database(&url, &out.join(DATABASE_FILE)).await?;
    let other_files = copy_data_files(&settings.data, &out, &database_file_names(&url))?;
    write_manifest(&out, log_tree_size)?;
    println!("backup written to {}", out.display());
    println!("  database: {DATABASE_FILE}");
    println!("  log: {log_tree_size} entries");
    println!("  other files: {other_files}");
    println!(
        "restore with: redline restore --from {} --data NEW_DIR",
        out.display()
    );
    Ok(())
}

/// `redline restore --from BACKUP --data DIR`.
pub async fn restore(settings: &Settings, arguments: RestoreArguments) -> anyhow::Result<()> {
    refuse_postgres(&settings.database_url())?;
    let manifest = read_manifest(&arguments.from)?;
    let target = prepare_empty_directory(&settings.data)?;
    copy_tree(&arguments.from, &target, &|relative| {
        relative == Path::new(MANIFEST_FILE)
    })?;
    rewrite_configuration(&target)?;
    println!(
        "restored the backup of {} into {}",
        manifest.created_at,
        target.display()
    );
    let restored_settings = settings_of_restored(&target)?;
    check_restored_node(&restored_settings).await
}

/// Refuses a PostgreSQL database, saying how to back it up instead.
fn refuse_postgres(url: &str) -> anyhow::Result<()> {
    if url.starts_with("sqlite:") {
        return Ok(());
    }
    anyhow::bail!(crate::exit::UsageError(format!(
        "the database is PostgreSQL ({}); back it up with its own tools:\n  \
         pg_dump --format=custom --file=redline.dump \"$DATABASE_URL\"\n\
         and restore it into an empty database with:\n  \
         pg_restore --no-owner --dbname=\"$NEW_DATABASE_URL\" redline.dump\n\
         copy the data directory's files (keys, log/, witness/, redline.toml) alongside, \
         the log's checkpoint before its tiles and both before pg_dump starts",
        super::redact_url(url)
    )))
}

/// Creates `directory` if missing; refuses one that holds anything. Returns its absolute path.
fn prepare_empty_directory(directory: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(directory)
        .with_context(|| format!("creating {}", directory.display()))?;
    let mut entries =
        std::fs::read_dir(directory).with_context(|| format!("reading {}", directory.display()))?;
    if entries.next().is_some() {
        anyhow::bail!(crate::exit::UsageError(format!(
            "{} is not empty; give a new or empty directory",
            directory.display()
        )));
    }
    std::path::absolute(directory).with_context(|| format!("resolving {}", directory.display()))
}

/// A backup inside the data directory would copy itself.
fn refuse_backup_inside_data(settings: &Settings, out: &Path) -> anyhow::Result<()> {
    let data = std::path::absolute(&settings.data)
        .with_context(|| format!("resolving {}", settings.data.display()))?;
    if out.starts_with(&data) {
        anyhow::bail!(crate::exit::UsageError(format!(
            "{} is inside the data directory {}; write the backup elsewhere",
            out.display(),
            data.display()
        )));
    }
    Ok(())
}

/// Copies the log's checkpoint, then every tile and entry bundle it covers, then its key file.
/// Returns the checkpoint's tree size (0 when the node has no log yet).
fn copy_log(source: &Path, target: &Path) -> anyhow::Result<u64> {
    let from = FileTileStorage::open_for_reading(source);
    let Some(checkpoint_bytes) = from
        .read_checkpoint()
        .with_context(|| format!("reading the checkpoint in {}", source.display()))?
    else {
        return Ok(0);
    };
    let checkpoint = parse_checkpoint(&checkpoint_bytes)?;
    let mut to =
        FileTileStorage::open(target).with_context(|| format!("creating {}", target.display()))?;
    to.set_batched(true);
    for address in covered_tiles(checkpoint.tree_size) {
        let bytes = from
            .read_tile(&address)
            .with_context(|| format!("reading {}", address.path()))?
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "{} is missing from the log the checkpoint covers",
                    address.path()
                )
            })?;
        to.write_tile(&address, &bytes)
            .with_context(|| format!("writing {}", address.path()))?;
    }
    to.sync().context("syncing the copied log")?;
    to.write_checkpoint(&checkpoint_bytes)
        .context("writing the copied checkpoint")?;
    let key_path = source.join("key");
    if key_path.exists() {
        let key =
            std::fs::read(&key_path).with_context(|| format!("reading {}", key_path.display()))?;
        to.write_file("key", &key)?;
    }
    Ok(checkpoint.tree_size)
}

fn parse_checkpoint(bytes: &[u8]) -> anyhow::Result<Checkpoint> {
    let note = redline_ledger::note::Note::parse(bytes)
        .map_err(|error| anyhow::anyhow!("the log's checkpoint is malformed: {error}"))?;
    Checkpoint::parse_body(note.text())
        .map_err(|error| anyhow::anyhow!("the log's checkpoint is malformed: {error}"))
}

/// Every hash tile and entry bundle a tree of `tree_size` entries is made of.
fn covered_tiles(tree_size: u64) -> Vec<TileAddress> {
    let mut addresses = Vec::new();
    for inventory in tile_inventory(tree_size) {
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
    addresses
}

/// SQLite's online copy of the database (`VACUUM INTO` through a read-only connection: the
/// serving node holds the database's lock, a reader needs none).
async fn copy_database(url: &str, target: &Path) -> anyhow::Result<()> {
    let file = database_file_of(url);
    SqlStore::backup_sqlite_file(Path::new(file), target)
        .await
        .with_context(|| format!("copying the database {file} into {}", target.display()))
}

/// The file of a `sqlite:` URL.
fn database_file_of(url: &str) -> &str {
    url.split('?')
        .next()
        .unwrap_or(url)
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
}

/// The database's own files (with the WAL and shared-memory files), skipped when copying the
/// rest of the data directory.
fn database_file_names(url: &str) -> Vec<String> {
    let name = Path::new(database_file_of(url)).file_name().map_or_else(
        || DATABASE_FILE.to_string(),
        |name| name.to_string_lossy().into_owned(),
    );
    vec![
        name.clone(),
        format!("{name}-wal"),
        format!("{name}-shm"),
        format!("{name}-journal"),
        format!("{name}.lock"),
    ]
}

/// Copies every file of the data directory except the database's and the log's (copied on
/// their own). Returns how many files.
fn copy_data_files(data: &Path, out: &Path, database_files: &[String]) -> anyhow::Result<usize> {
    copy_tree(data, out, &|relative| {
        relative.starts_with(LOG_DIRECTORY)
            || database_files
                .iter()
                .any(|name| relative == Path::new(name))
    })
}

/// Copies the files under `source` into `target`, keeping their permissions, except those whose
/// path relative to `source` `skip` refuses. Returns how many files were copied.
fn copy_tree(source: &Path, target: &Path, skip: &dyn Fn(&Path) -> bool) -> anyhow::Result<usize> {
    let mut copied = 0;
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let directory = source.join(&relative);
        let entries = std::fs::read_dir(&directory)
            .with_context(|| format!("reading {}", directory.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("reading {}", directory.display()))?;
            let relative_path = relative.join(entry.file_name());
            if skip(&relative_path) {
                continue;
            }
            let file_type = entry
                .file_type()
                .with_context(|| format!("reading {}", entry.path().display()))?;
            let destination = target.join(&relative_path);
            if file_type.is_dir() {
                std::fs::create_dir_all(&destination)
                    .with_context(|| format!("creating {}", destination.display()))?;
                pending.push(relative_path);
            } else if file_type.is_file() {
                std::fs::copy(entry.path(), &destination).with_context(|| {
                    format!(
                        "copying {} to {}",
                        entry.path().display(),
                        destination.display()
                    )
                })?;
                copied += 1;
            }
        }
    }
    Ok(copied)
}

fn write_manifest(out: &Path, log_tree_size: u64) -> anyhow::Result<()> {
    let manifest = Manifest {
        format: MANIFEST_FORMAT.to_string(),
        created_at: jiff::Timestamp::now(),
        log_tree_size,
        database: DATABASE_FILE.to_string(),
    };
    let path = out.join(MANIFEST_FILE);
    std::fs::write(&path, serde_json::to_vec_pretty(&manifest)?)
        .with_context(|| format!("writing {}", path.display()))
}

fn read_manifest(backup: &Path) -> anyhow::Result<Manifest> {
    let path = backup.join(MANIFEST_FILE);
    let bytes = std::fs::read(&path).map_err(|error| {
        crate::exit::UsageError(format!(
            "{} is not a redline backup ({}: {error})",
            backup.display(),
            path.display()
        ))
    })?;
    let manifest: Manifest = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a backup manifest", path.display()))?;
    if manifest.format != MANIFEST_FORMAT {
        anyhow::bail!(
            "{}: unknown backup format {:?}",
            path.display(),
            manifest.format
        );
    }
    Ok(manifest)
}

/// Points the restored configuration file (if the backup has one) at its new directory: its
/// `data` becomes the restored directory and an SQLite `database` elsewhere is dropped, so the
/// restored database is used.
fn rewrite_configuration(target: &Path) -> anyhow::Result<()> {
    let path = target.join(super::init::CONFIG_FILE);
    if !path.exists() {
        return Ok(());
    }
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut table: toml::Table = text
        .parse()
        .with_context(|| format!("{} is not TOML", path.display()))?;
    table.insert(
        "data".to_string(),
        toml::Value::String(target.display().to_string()),
    );
    let database_is_sqlite = table
        .get("database")
        .and_then(toml::Value::as_str)
        .is_some_and(|database| database.starts_with("sqlite:"));
    if database_is_sqlite {
        table.remove("database");
    }
    let body = toml::to_string_pretty(&table).context("writing the configuration")?;
    let restored = format!(
        "# redline node configuration (restored from a backup; `data` points here).\n\n{body}"
    );
    std::fs::write(&path, restored).with_context(|| format!("writing {}", path.display()))
}

/// The restored directory's settings: its configuration file, its data directory, its SQLite
/// database (whatever the environment names).
fn settings_of_restored(target: &Path) -> anyhow::Result<Settings> {
    let config = target.join(super::init::CONFIG_FILE);
    let options = GlobalOptions {
        config: config.exists().then_some(config),
        data: Some(target.to_path_buf()),
        database: None,
        log: None,
    };
    let mut settings = crate::config::load(&options)?;
    settings.database = None;
    Ok(settings)
}

/// Verifies the restored log, then opens the node and checks every entry against its record.
async fn check_restored_node(settings: &Settings) -> anyhow::Result<()> {
    let log_directory = settings.data.join(LOG_DIRECTORY);
    let has_log = log_directory.join("checkpoint").exists();
    if has_log {
        verify_restored_log(settings, &log_directory).await?;
    }
    let node = super::open_local_node(settings).await?;
    let checked = check_entries_against_records(&node, &log_directory).await;
    node.close().await;
    let report = checked?;
    println!(
        "records: {} log entries checked against the database, {} match{}",
        report.checked,
        report.matching,
        not_checked_note(&report.not_checked)
    );
    if !report.problems.is_empty() {
        // Exit 1, as a log audit that does not hold.
        return Err(super::log::VerificationFailed(format!(
            "the restored node does not match its log:\n{}",
            report.problems.join("\n")
        ))
        .into());
    }
    println!("ok: the restored node matches its log");
    Ok(())
}

/// `redline log verify` on the restored log, pinned to the restored node's own key.
async fn verify_restored_log(settings: &Settings, log_directory: &Path) -> anyhow::Result<()> {
    let key_path = settings.data.join(super::init::NODE_KEY_FILE);
    let key = crate::keys::read_key_file(&key_path)
        .with_context(|| format!("reading the node key {}", key_path.display()))?;
    let signer =
        redline_ledger::note::Ed25519NoteSigner::from_seed(&settings.log_origin, &key.to_bytes())
            .map_err(|error| anyhow::anyhow!("the log origin {:?}: {error}", settings.log_origin))?;
    print!("log: ");
    let verify = super::log::VerifyArguments {
        source: log_directory.display().to_string(),
        key: Some(signer.verifier().to_vkey()),
        state: None,
        receipts: Vec::new(),
        witnesses: Vec::new(),
        quorum: 0,
        peers: Vec::new(),
        format: crate::output::Format::Table,
    };
    let verified = super::log::run(settings, super::log::LogCommand::Verify(verify)).await;
    if verified.is_err() {
        println!("failed");
    }
    verified
}

fn not_checked_note(not_checked: &HashMap<String, u64>) -> String {
    if not_checked.is_empty() {
        return String::new();
    }
    let mut kinds: Vec<String> = not_checked
        .iter()
        .map(|(kind, count)| format!("{count} {kind}"))
        .collect();
    kinds.sort();
    format!(
        " (not compared, no record kept by digest: {})",
        kinds.join(", ")
    )
}

/// What checking the entries found.
#[derive(Debug, Default)]
struct EntryCheckReport {
    checked: u64,
    matching: u64,
    not_checked: HashMap<String, u64>,
    problems: Vec<String>,
}

/// One entry's verdict.
enum EntryFinding {
    Matches,
    NotChecked,
    Problem(String),
}

/// Reads every entry of the log (up to its checkpoint) and looks up its record.
async fn check_entries_against_records(
    node: &redline_node::Node,
    log_directory: &Path,
) -> anyhow::Result<EntryCheckReport> {
    node.settle_log()
        .await
        .context("waiting for the restored log")?;
    let entries = read_log_entries(log_directory)?;
    let last_assessment = last_assessment_entries(&entries);
    let store = node.store().as_ref();
    let mut report = EntryCheckReport::default();
    for (index, entry) in entries.iter().enumerate() {
        let Some(entry) = entry else {
            report
                .problems
                .push(format!("entry {index}: not a log entry this node writes"));
            continue;
        };
        report.checked += 1;
        let is_last_assessment = last_assessment.get(entry.subject.as_str()) == Some(&index);
        match check_entry(store, entry, is_last_assessment).await {
            Ok(EntryFinding::Matches) => report.matching += 1,
            Ok(EntryFinding::NotChecked) => {
                *report.not_checked.entry(kind_name(entry.kind)).or_default() += 1;
            }
            Ok(EntryFinding::Problem(problem)) => report.problems.push(format!(
                "entry {index} ({} {}): {problem}",
                kind_name(entry.kind),
                entry.subject
            )),
            Err(error) => report.problems.push(format!(
                "entry {index} ({} {}): reading its record failed: {error}",
                kind_name(entry.kind),
                entry.subject
            )),
        }
    }
    Ok(report)
}

/// Every entry of the log at its checkpoint, in order (`None` for one that does not parse).
fn read_log_entries(log_directory: &Path) -> anyhow::Result<Vec<Option<LogEntry>>> {
    let storage = FileTileStorage::open_for_reading(log_directory);
    let Some(checkpoint_bytes) = storage
        .read_checkpoint()
        .with_context(|| format!("reading {}", log_directory.display()))?
    else {
        return Ok(Vec::new());
    };
    let tree_size = parse_checkpoint(&checkpoint_bytes)?.tree_size;
    let mut entries = Vec::new();
    for index in 0..tree_size.div_ceil(256) {
        let width = u16::try_from((tree_size - index * 256).min(256)).unwrap_or(256);
        let address = TileAddress::EntryBundle { index, width };
        let bundle = storage
            .read_tile(&address)
            .with_context(|| format!("reading {}", address.path()))?
            .ok_or_else(|| anyhow::anyhow!("{} is missing", address.path()))?;
        let parsed = parse_entry_bundle_of_width(&bundle, width)
            .map_err(|error| anyhow::anyhow!("{}: {error}", address.path()))?;
        entries.extend(
            parsed
                .iter()
                .map(|bytes| serde_json::from_slice::<LogEntry>(bytes).ok()),
        );
    }
    Ok(entries)
}

/// The index of the newest assessment entry of each incident: only the newest assessment is
/// kept in the database, so only its digest can be compared.
fn last_assessment_entries(entries: &[Option<LogEntry>]) -> HashMap<&str, usize> {
    entries
        .iter()
        .enumerate()
        .filter_map(|(index, entry)| {
            entry
                .as_ref()
                .filter(|entry| entry.kind == LogEntryKind::Assessment)
                .map(|entry| (entry.subject.as_str(), index))
        })
        .collect()
}

fn kind_name(kind: LogEntryKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|value| value.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{kind:?}"))
}

fn hex_sha256(bytes: &[u8]) -> String {
    hex::encode(sha256(bytes))
}

fn digest_verdict(matched: bool, record: &str) -> EntryFinding {
    if matched {
        EntryFinding::Matches
    } else {
        EntryFinding::Problem(format!(
            "the {record} in the database does not have the logged SHA-256"
        ))
    }
}

fn missing(record: &str) -> EntryFinding {
    EntryFinding::Problem(format!("no {record} in the database"))
}

/// Looks up the record an entry is about and compares its SHA-256 with the entry's.
async fn check_entry(
    store: &dyn Store,
    entry: &LogEntry,
    is_last_assessment: bool,
) -> anyhow::Result<EntryFinding> {
    let digest = entry.sha256.as_str();
    Ok(match entry.kind {
        LogEntryKind::IncidentSubmitted | LogEntryKind::IncidentUpdated => {
            let Ok(id) = IncidentId::parse(&entry.subject) else {
                return Ok(EntryFinding::Problem(
                    "the subject is not an incident id".into(),
                ));
            };
            let versions = store.list_incident_versions(&id).await?;
            if versions.is_empty() {
                return Ok(missing("incident"));
            }
            let matched = versions.iter().any(|version| {
                serde_json::to_vec(&version.report).is_ok_and(|bytes| hex_sha256(&bytes) == digest)
            });
            digest_verdict(matched, "incident version")
        }
        LogEntryKind::Assessment => {
            let Ok(id) = IncidentId::parse(&entry.subject) else {
                return Ok(EntryFinding::Problem(
                    "the subject is not an incident id".into(),
                ));
            };
            match store.get_latest_assessment(&id).await? {
                None => missing("assessment"),
                Some(assessment) if is_last_assessment => digest_verdict(
                    hex_sha256(assessment.assessment_json.as_bytes()) == digest,
                    "latest assessment",
                ),
                // Superseded by a newer assessment, which is the one kept.
                Some(_) => EntryFinding::Matches,
            }
        }
        LogEntryKind::HotlineMessage => {
            let Ok(id) = uuid::Uuid::try_parse(&entry.subject) else {
                return Ok(EntryFinding::Problem(
                    "the subject is not a message id".into(),
                ));
            };
            match store.get_hotline_message(id).await? {
                None => missing("hotline message"),
                Some(message) => digest_verdict(
                    hex_sha256(message.envelope.as_bytes()) == digest,
                    "message envelope",
                ),
            }
        }
        LogEntryKind::AttributionClaim
        | LogEntryKind::AttributionCosignature
        | LogEntryKind::AttributionDecision
        | LogEntryKind::Consultation => {
            let Ok(id) = uuid::Uuid::try_parse(&entry.subject) else {
                return Ok(EntryFinding::Problem(
                    "the subject is not a claim id".into(),
                ));
            };
            let records = store.list_attribution_records(id).await?;
            if records.is_empty() {
                return Ok(missing("attribution record"));
            }
            let matched = records
                .iter()
                .any(|record| hex_sha256(record.envelope.as_bytes()) == digest);
            digest_verdict(matched, "attribution record")
        }
        // Coordinated vulnerability disclosure: the digest of a case's signed record, or of a
        // supply-chain notice's (kept in the same table).
        LogEntryKind::DisclosureCase
        | LogEntryKind::DisclosureAction
        | LogEntryKind::DisclosureEmbargo
        | LogEntryKind::SupplyChainNotice
        | LogEntryKind::SupplyChainAcknowledgement => {
            let Ok(id) = uuid::Uuid::try_parse(&entry.subject) else {
                return Ok(EntryFinding::Problem(
                    "the subject is not a disclosure case id".into(),
                ));
            };
            let records = store.list_disclosure_records(id).await?;
            if records.is_empty() {
                return Ok(missing("disclosure record"));
            }
            let matched = records
                .iter()
                .any(|record| hex_sha256(record.envelope.as_bytes()) == digest);
            digest_verdict(matched, "disclosure record")
        }
        LogEntryKind::NormsDocumentAdded => match store.get_norms_document(&entry.subject).await? {
            None => missing("norms document"),
            Some(document) => digest_verdict(
                hex_sha256(document.text.as_bytes()) == digest,
                "norms document",
            ),
        },
        LogEntryKind::NormsDocumentAdopted => {
            let adoptions = store.list_norms_adoptions().await?;
            let matched = adoptions.iter().any(|adoption| {
                adoption.document_sha256 == entry.subject && {
                    let parties: Vec<String> =
                        adoption.parties.iter().map(ToString::to_string).collect();
                    hex_sha256(parties.join("\n").as_bytes()) == digest
                }
            });
            if matched {
                EntryFinding::Matches
            } else {
                missing("adoption with the logged parties")
            }
        }
        LogEntryKind::PartyAdded | LogEntryKind::PartyKeyAdded | LogEntryKind::PartyKeyRevoked => {
            check_party_entry(store, entry).await?
        }
        LogEntryKind::PartyHomed => {
            let Ok(id) = PartyId::parse(&entry.subject) else {
                return Ok(EntryFinding::Problem(
                    "the subject is not a party id".into(),
                ));
            };
            let homes = store.party_homes().await?;
            match homes.iter().find(|home| home.party == id) {
                None => missing("home node statement"),
                // The latest statement is kept; an earlier one (before a key change) was
                // replaced by it, like a superseded assessment.
                Some(home) if hex_sha256(home.statement.as_bytes()) == digest => {
                    EntryFinding::Matches
                }
                Some(_) => EntryFinding::NotChecked,
            }
        }
        LogEntryKind::CommunicationCheck
        | LogEntryKind::ExerciseStarted
        | LogEntryKind::ExerciseDecision => EntryFinding::NotChecked,
        // Commitments: the signed envelope kept under the entry's subject.
        LogEntryKind::NormsAdoptionStatement
        | LogEntryKind::ImplementationReport
        | LogEntryKind::PeerReview
        | LogEntryKind::CapacityBuilding => {
            let records = store
                .list_commitment_records(&redline_store::CommitmentQuery {
                    subject: Some(entry.subject.clone()),
                    limit: 100_000,
                    ..Default::default()
                })
                .await?;
            if records.is_empty() {
                return Ok(missing("commitment record"));
            }
            let matched = records
                .iter()
                .any(|record| hex_sha256(record.envelope.as_bytes()) == digest);
            digest_verdict(matched, "commitment record")
        }
    })
}

/// A party entry: the party as it was created (its keys of that moment, none revoked yet), a
/// key added (its public key), a key revoked (the revocation record).
async fn check_party_entry(store: &dyn Store, entry: &LogEntry) -> anyhow::Result<EntryFinding> {
    let Ok(id) = PartyId::parse(&entry.subject) else {
        return Ok(EntryFinding::Problem(
            "the subject is not a party id".into(),
        ));
    };
    let Some(party) = store.get_party(&id).await? else {
        return Ok(missing("party"));
    };
    let digest = entry.sha256.as_str();
    Ok(match entry.kind {
        LogEntryKind::PartyAdded => {
            let mut as_created = party.clone();
            as_created
                .keys
                .retain(|key| key.added_at <= party.created_at);
            for key in &mut as_created.keys {
                key.revoked_at = None;
                key.revocation_reason = None;
            }
            let matched = [&party, &as_created].iter().any(|candidate| {
                serde_json::to_vec(candidate).is_ok_and(|bytes| hex_sha256(&bytes) == digest)
            });
            digest_verdict(matched, "party")
        }
        LogEntryKind::PartyKeyAdded => digest_verdict(
            party
                .keys
                .iter()
                .any(|key| hex_sha256(key.public_key.as_bytes()) == digest),
            "party key",
        ),
        _ => {
            let matched = party.keys.iter().any(|key| {
                let record = serde_json::json!({
                    "key_id": key.key_id,
                    "public_key": key.public_key,
                    "revoked_at": key.revoked_at.unwrap_or(key.added_at),
                    "reason": key.revocation_reason,
                });
                serde_json::to_vec(&record).is_ok_and(|bytes| hex_sha256(&bytes) == digest)
            });
            digest_verdict(matched, "key revocation")
        }
    })
}
