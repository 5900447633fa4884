//! `redline norms` and `redline assess`: check and read norms documents, add and adopt them on
//! the local node, and assess a report.

use std::path::{Path, PathBuf};

use anyhow::Context;
use redline_model::{Language, PartyId, Timestamp, parse_incident_report};
use redline_node::{Caller, NodeError};
use redline_norms::{NormsDocument, render_assessment_text_in, render_document_summary};

use crate::{config::Settings, output::Format};

/// What `redline norms new` writes: a small document that passes `norms check`, each table
/// explained in a comment and pointing at the shipped baseline for the full version.
pub(crate) const NORMS_DOCUMENT_TEMPLATE: &str = include_str!("templates/norms-document.toml");

#[derive(Debug, clap::Subcommand)]
pub enum NormsCommand {
    /// Check norms documents; exit 0 when all are valid, 1 with every error otherwise.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// `table` (a line per file for people) or `json` (the valid documents, for programs;
        /// the errors go to stderr either way).
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// A human summary of a document (a file, or a shipped name such as `baseline`).
    Show {
        document: String,
        /// `table` (the summary for people) or `json` (its facts, for programs).
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Add a document to the local node (operator).
    Add { file: PathBuf },
    /// Record that parties adopted a stored document (operator); their incidents are re-assessed.
    Adopt {
        /// The document's SHA-256 (printed by `norms add` and `norms list`).
        sha256: String,
        /// An adopting party (repeat for more).
        #[arg(long = "party", required = true)]
        parties: Vec<String>,
    },
    /// Write a commented starting norms document (to standard output, or a new file with --out)
    /// that passes `norms check`; the shipped baseline has the full version of every table.
    New {
        /// The file to create (never overwritten).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// The documents the local node holds and who applies them.
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// One valid file, as `norms check --format json` lists it.
#[derive(Debug, serde::Serialize)]
struct CheckedDocument {
    file: PathBuf,
    id: String,
    version: String,
    sha256: String,
}

/// What `norms show --format json` prints: the document's identity and the size of each part.
#[derive(Debug, serde::Serialize)]
struct NormsDocumentFacts<'a> {
    id: &'a str,
    version: &'a str,
    title: &'a str,
    file_name: &'a str,
    sha256: &'a str,
    adopted_by: &'a [String],
    review_by: Option<&'a str>,
    summary: Option<&'a str>,
    rule_ids: Vec<&'a str>,
    red_line_ids: Vec<&'a str>,
    rung_ids: Vec<&'a str>,
    duties: usize,
    positions: usize,
    /// The `[disclosure]` policy (redline's defaults when the document has none).
    disclosure: &'a redline_model::DisclosurePolicy,
}

impl<'a> NormsDocumentFacts<'a> {
    fn of(document: &'a NormsDocument) -> Self {
        Self {
            id: &document.id,
            version: &document.version,
            title: &document.title,
            file_name: &document.file_name,
            sha256: &document.sha256,
            adopted_by: &document.adopted_by,
            review_by: document.review_by.as_deref(),
            summary: document.summary.as_deref(),
            rule_ids: document.rules.iter().map(|rule| rule.id.as_str()).collect(),
            red_line_ids: document
                .red_lines
                .iter()
                .map(|red_line| red_line.id.as_str())
                .collect(),
            rung_ids: document.rungs.iter().map(|rung| rung.id.as_str()).collect(),
            duties: document.duties.len(),
            positions: document.positions.len(),
            disclosure: &document.disclosure.policy,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct AssessArguments {
    /// The incident report (JSON), or - for standard input.
    report: PathBuf,
    /// A shipped document (baseline, sovereignty-strict, sovereignty-as-principle) or a file.
    #[arg(long, default_value = "baseline")]
    norms: String,
    /// `table` (an explanation a legal adviser can follow rule by rule) or `json` (the
    /// assessment JSON of the contract).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// The language of the `table` text: en, fr, es, ru, zh or ar (the six UN languages). The
    /// engine's explanations, the document's titles and legal citations stay as written.
    #[arg(long, value_name = "LANG", default_value = "en", value_parser = parse_language)]
    lang: Language,
}

/// A `--lang` value: one of the six UN languages, by its code.
pub(crate) fn parse_language(tag: &str) -> Result<Language, String> {
    Language::from_tag(tag).ok_or_else(|| {
        format!("`{tag}` is not one of the six UN languages: en, fr, es, ru, zh, ar")
    })
}

/// Reads a document from a shipped name or a file; errors carry file, line and column.
pub(crate) fn load_document(name_or_path: &str) -> anyhow::Result<(NormsDocument, String)> {
    let (text, file_name) = match redline_norms::shipped_document(name_or_path) {
        Some(shipped) if !Path::new(name_or_path).exists() => {
            (shipped.text.to_string(), shipped.file_name.to_string())
        }
        _ => (
            std::fs::read_to_string(name_or_path)
                .with_context(|| format!("reading the norms document {name_or_path}"))?,
            name_or_path.to_string(),
        ),
    };
    let document = NormsDocument::parse(&text, &file_name).map_err(|errors| {
        for error in &errors.errors {
            eprintln!("{error}");
        }
        NodeError::Invalid(
            errors
                .errors
                .iter()
                .map(|error| {
                    redline_model::ValidationIssue::new(
                        format!("{}:{}:{}", error.file, error.line, error.column),
                        error.message.clone(),
                    )
                })
                .collect(),
        )
    })?;
    Ok((document, text))
}

pub async fn run(settings: &Settings, command: NormsCommand) -> anyhow::Result<()> {
    match command {
        NormsCommand::Check { files, format } => {
            let mut failed = 0;
            let mut valid = Vec::new();
            for file in &files {
                match load_document(&file.display().to_string()) {
                    Ok((document, _)) => valid.push(CheckedDocument {
                        file: file.clone(),
                        id: document.id,
                        version: document.version,
                        sha256: document.sha256,
                    }),
                    Err(_) => failed += 1,
                }
            }
            match format {
                Format::Json => crate::output::print_json(&valid)?,
                Format::Table => {
                    for checked in &valid {
                        println!(
                            "{}: valid ({} {}, sha256 {})",
                            checked.file.display(),
                            checked.id,
                            checked.version,
                            checked.sha256
                        );
                    }
                }
            }
            if failed > 0 {
                return Err(NodeError::invalid(
                    "norms",
                    format!("{failed} of {} documents are invalid", files.len()),
                )
                .into());
            }
            Ok(())
        }
        NormsCommand::Show { document, format } => {
            let (document, _) = load_document(&document)?;
            match format {
                Format::Json => crate::output::print_json(&NormsDocumentFacts::of(&document)),
                Format::Table => {
                    print!("{}", render_document_summary(&document));
                    Ok(())
                }
            }
        }
        NormsCommand::New { out } => write_template(out.as_deref()),
        NormsCommand::Add { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let node = super::open_local_node(settings).await?;
            let outcome = node
                .add_norms_document(&Caller::Operator, &text, &file.display().to_string())
                .await;
            node.close().await;
            let summary = outcome?;
            println!(
                "added {} {} ({}), sha256 {}",
                summary.id, summary.version, summary.title, summary.sha256
            );
            Ok(())
        }
        NormsCommand::Adopt { sha256, parties } => {
            let parties = parties
                .iter()
                .map(|text| {
                    PartyId::parse(text).map_err(|message| NodeError::invalid("party", message))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let node = super::open_local_node(settings).await?;
            let outcome = node
                .adopt_norms_document(&Caller::Operator, &sha256, &parties)
                .await;
            node.close().await;
            let reassessed = outcome?;
            println!(
                "adopted {sha256}; {reassessed} incidents re-assessed (adoption unsigned until hotline signing lands)"
            );
            Ok(())
        }
        NormsCommand::List { format } => {
            let node = super::open_local_node(settings).await?;
            let outcome = node.list_norms_documents().await;
            node.close().await;
            let documents = outcome?;
            if format == Format::Json {
                return crate::output::print_json(&documents);
            }
            for document in documents {
                let adopted: Vec<&str> = document.adopted_by.iter().map(PartyId::as_str).collect();
                println!(
                    "{}  {} {}  {}  adopted by: {}",
                    document.sha256,
                    document.id,
                    document.version,
                    document.title,
                    if adopted.is_empty() {
                        "-".to_string()
                    } else {
                        adopted.join(", ")
                    }
                );
            }
            Ok(())
        }
    }
}

/// Prints the template, or writes it to a new file (refusing to overwrite one).
fn write_template(out: Option<&Path>) -> anyhow::Result<()> {
    use std::io::Write;
    let Some(path) = out else {
        print!("{NORMS_DOCUMENT_TEMPLATE}");
        return Ok(());
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|error| {
            if error.kind() == std::io::ErrorKind::AlreadyExists {
                anyhow::Error::from(NodeError::Conflict(format!(
                    "{} exists; choose another --out (it is never overwritten)",
                    path.display()
                )))
            } else {
                anyhow::Error::from(error).context(format!("creating {}", path.display()))
            }
        })?;
    file.write_all(NORMS_DOCUMENT_TEMPLATE.as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    eprintln!(
        "wrote {}; check it with `redline norms check {}`",
        path.display(),
        path.display()
    );
    Ok(())
}

pub fn assess(arguments: AssessArguments) -> anyhow::Result<()> {
    let bytes = if arguments.report.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)?;
        bytes
    } else {
        std::fs::read(&arguments.report)
            .with_context(|| format!("reading {}", arguments.report.display()))?
    };
    let now = Timestamp::from_jiff(jiff::Timestamp::now());
    let report = parse_incident_report(&bytes, now).map_err(|error| {
        for issue in error.issues() {
            eprintln!("  at {}: {}", issue.path, issue.message);
        }
        NodeError::from(error)
    })?;
    let (document, _) = load_document(&arguments.norms)?;
    let assessment = redline_norms::assess(&report, &document);
    match arguments.format {
        Format::Json => {
            use std::io::Write;
            std::io::stdout().write_all(&assessment.to_json_bytes())?;
        }
        Format::Table => print!(
            "{}",
            render_assessment_text_in(&assessment, &document, arguments.lang)
        ),
    }
    Ok(())
}
