//! Commitments at the command line:
//! `redline commitments adopt|send|report|round|show|survey|duties`.
//!
//! `adopt` builds a party's adoption (or, with `--withdraw`, withdrawal) of a norms document;
//! `send` takes a record's JSON from a file (an implementation report, a round's opening, a
//! review, an answer, a closing), fills in `v`, the signer's party and `signed_at` where they are
//! left out, checks it with the model's parser (a mistake is named by its field before anything
//! is signed), signs it with the party's key into a DSSE envelope and sends it — over HTTP with
//! `--url` and `--token`, or to the local node as its operator (which checks the signature
//! against the signer's registered key). `report`, `round` and `show` read back what the node
//! holds (JSON: the same as the REST API); `survey` prints the questions a report answers in one
//! of the six UN languages; `duties` lists a party's hotline duties kept, one record per duty
//! (JSON, as `GET /api/v1/parties/{id}/duties`). The node decides everything.

use std::path::PathBuf;

use redline_model::commitments::{
    ADOPTION_PAYLOAD_TYPE, AdoptionStatement, IMPLEMENTATION_REPORT_PAYLOAD_TYPE,
    ImplementationReport, PEER_REVIEW_PAYLOAD_TYPE, PeerReview, REVIEW_ANSWER_PAYLOAD_TYPE,
    REVIEW_ROUND_CLOSING_PAYLOAD_TYPE, REVIEW_ROUND_OPENING_PAYLOAD_TYPE, ReviewAnswer,
    ReviewRoundClosing, ReviewRoundOpening,
};
use redline_model::implementation_survey::{
    GGE_2015_SOURCE, GgeNorm, SurveyItem, UNIDIR_SURVEY_SOURCE,
};
use redline_model::{Language, ModelError};
use redline_node::{Caller, NodeError};
use serde_json::Value;
use uuid::Uuid;

use super::RemoteOptions;
use super::hotline::{Signer, SignerOptions, Target};
use crate::config::Settings;

#[derive(Debug, clap::Subcommand)]
pub enum CommitmentsCommand {
    /// Adopt a norms document the node holds (or withdraw your adoption with --withdraw),
    /// signed with your party's key.
    Adopt(AdoptArguments),
    /// Sign and send a commitment record written as JSON in FILE (`-` for standard input).
    Send(SendArguments),
    /// An implementation report with every version you may read.
    Report(ShowArguments),
    /// A peer-review round as a participant sees it.
    Round(ShowArguments),
    /// The record of every party's commitments (the comparison; `--public` for the public one).
    Show(CompareArguments),
    /// The questions a report answers (the 11 norms and the survey's items) in one language.
    Survey(SurveyArguments),
    /// A party's hotline duties kept, one record each — notify, acknowledge, initial-reply,
    /// status-update, assistance-answer — per incident, thread and request, met, late, missed
    /// or pending on the node's clock (your own party's only, over HTTP).
    Duties(DutiesArguments),
    /// Record the notify duties of incidents stored before this node kept them (after an
    /// upgrade), as owed when each was reported and met at the reporter's first notification.
    /// Runs on the local node's database, as its operator; running it again changes nothing.
    BackfillNotifyDuties,
}

/// The kinds of record `send` signs, as `--kind` spells them.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum RecordKind {
    ImplementationReport,
    RoundOpening,
    PeerReview,
    ReviewAnswer,
    RoundClosing,
}

impl RecordKind {
    fn payload_type(self) -> &'static str {
        match self {
            RecordKind::ImplementationReport => IMPLEMENTATION_REPORT_PAYLOAD_TYPE,
            RecordKind::RoundOpening => REVIEW_ROUND_OPENING_PAYLOAD_TYPE,
            RecordKind::PeerReview => PEER_REVIEW_PAYLOAD_TYPE,
            RecordKind::ReviewAnswer => REVIEW_ANSWER_PAYLOAD_TYPE,
            RecordKind::RoundClosing => REVIEW_ROUND_CLOSING_PAYLOAD_TYPE,
        }
    }

    /// The field that names the signing party.
    fn author_field(self) -> &'static str {
        match self {
            RecordKind::ImplementationReport | RecordKind::ReviewAnswer => "party",
            RecordKind::RoundOpening | RecordKind::RoundClosing => "secretariat",
            RecordKind::PeerReview => "reviewer",
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct AdoptArguments {
    /// The document's SHA-256 (as `redline norms list` shows it).
    #[arg(long, value_name = "SHA256")]
    document: String,
    /// Withdraw your adoption instead.
    #[arg(long)]
    withdraw: bool,
    #[command(flatten)]
    signer: SignerOptions,
    #[command(flatten)]
    remote: RemoteOptions,
}

#[derive(Debug, clap::Args)]
pub struct SendArguments {
    #[arg(long, value_enum)]
    kind: RecordKind,
    /// The record's JSON (`-` for standard input).
    file: PathBuf,
    #[command(flatten)]
    signer: SignerOptions,
    #[command(flatten)]
    remote: RemoteOptions,
}

#[derive(Debug, clap::Args)]
pub struct ShowArguments {
    id: Uuid,
    #[command(flatten)]
    remote: RemoteOptions,
}

#[derive(Debug, clap::Args)]
pub struct CompareArguments {
    /// Only what anyone may read (the public pages' record).
    #[arg(long)]
    public: bool,
    #[command(flatten)]
    remote: RemoteOptions,
}

#[derive(Debug, clap::Args)]
pub struct DutiesArguments {
    /// The party whose duties to list.
    party: String,
    #[command(flatten)]
    remote: RemoteOptions,
}

#[derive(Debug, clap::Args)]
pub struct SurveyArguments {
    /// ar, zh, en, fr, ru or es.
    #[arg(long, default_value = "en")]
    lang: String,
}

/// Whether `payload_type` is a commitment record's (for `redline sign --payload-type`).
pub fn is_commitment_payload_type(payload_type: &str) -> bool {
    [
        ADOPTION_PAYLOAD_TYPE,
        IMPLEMENTATION_REPORT_PAYLOAD_TYPE,
        REVIEW_ROUND_OPENING_PAYLOAD_TYPE,
        PEER_REVIEW_PAYLOAD_TYPE,
        REVIEW_ANSWER_PAYLOAD_TYPE,
        REVIEW_ROUND_CLOSING_PAYLOAD_TYPE,
    ]
    .contains(&payload_type)
}

/// Checks `bytes` read as the commitment record `payload_type` names.
pub fn check_payload(payload_type: &str, bytes: &[u8]) -> Result<(), ModelError> {
    match payload_type {
        ADOPTION_PAYLOAD_TYPE => AdoptionStatement::parse(bytes).map(|_| ()),
        IMPLEMENTATION_REPORT_PAYLOAD_TYPE => ImplementationReport::parse(bytes).map(|_| ()),
        REVIEW_ROUND_OPENING_PAYLOAD_TYPE => ReviewRoundOpening::parse(bytes).map(|_| ()),
        PEER_REVIEW_PAYLOAD_TYPE => PeerReview::parse(bytes).map(|_| ()),
        REVIEW_ANSWER_PAYLOAD_TYPE => ReviewAnswer::parse(bytes).map(|_| ()),
        _ => ReviewRoundClosing::parse(bytes).map(|_| ()),
    }
}

pub async fn run(settings: &Settings, command: CommitmentsCommand) -> anyhow::Result<()> {
    match command {
        CommitmentsCommand::Adopt(arguments) => adopt(settings, arguments).await,
        CommitmentsCommand::Send(arguments) => send(settings, arguments).await,
        CommitmentsCommand::Report(arguments) => show_report(settings, arguments).await,
        CommitmentsCommand::Round(arguments) => show_round(settings, arguments).await,
        CommitmentsCommand::Show(arguments) => compare(settings, arguments).await,
        CommitmentsCommand::Survey(arguments) => survey(arguments),
        CommitmentsCommand::Duties(arguments) => duties(settings, arguments).await,
        CommitmentsCommand::BackfillNotifyDuties => backfill_notify_duties(settings).await,
    }
}

async fn backfill_notify_duties(settings: &Settings) -> anyhow::Result<()> {
    let node = super::open_local_node(settings).await?;
    let recorded = node.backfill_notify_duties(&Caller::Operator).await;
    node.close().await;
    let recorded = recorded?;
    crate::output::print_json(&serde_json::json!({ "recorded": recorded }))
}

async fn duties(settings: &Settings, arguments: DutiesArguments) -> anyhow::Result<()> {
    let party = redline_model::PartyId::parse(&arguments.party)
        .map_err(|message| NodeError::invalid("PARTY", message))?;
    let target = Target::open(settings, &arguments.remote, "commitments duties").await?;
    let answer = match &target {
        Target::Remote(client) => {
            client
                .get(&format!("/api/v1/parties/{party}/duties"), &[])
                .await
        }
        Target::Local(node) => node
            .hotline_duties_of(&Caller::Operator, &party)
            .await
            .map(|duties| serde_json::json!({ "duties": duties }))
            .map_err(anyhow::Error::from),
    };
    target.close().await;
    crate::output::print_json(&answer?)
}

fn to_json<T: serde::Serialize>(result: Result<T, NodeError>) -> anyhow::Result<Value> {
    Ok(serde_json::to_value(result?)?)
}

/// Sends a signed record of `payload_type` to the node; answers the node's JSON.
async fn deliver(target: &Target, payload_type: &str, envelope: Vec<u8>) -> anyhow::Result<Value> {
    let round_of = || -> Option<Uuid> {
        let envelope = redline_hotline::Envelope::parse(&envelope).ok()?;
        let payload: Value = serde_json::from_slice(&envelope.payload).ok()?;
        payload.get("round")?.as_str()?.parse().ok()
    };
    match target {
        Target::Remote(client) => {
            let path = match payload_type {
                ADOPTION_PAYLOAD_TYPE => "/api/v1/adoptions".to_string(),
                IMPLEMENTATION_REPORT_PAYLOAD_TYPE => "/api/v1/implementation-reports".to_string(),
                REVIEW_ROUND_OPENING_PAYLOAD_TYPE => "/api/v1/review-rounds".to_string(),
                PEER_REVIEW_PAYLOAD_TYPE => format!(
                    "/api/v1/review-rounds/{}/reviews",
                    round_of().unwrap_or_default()
                ),
                REVIEW_ANSWER_PAYLOAD_TYPE => format!(
                    "/api/v1/review-rounds/{}/answers",
                    round_of().unwrap_or_default()
                ),
                _ => format!(
                    "/api/v1/review-rounds/{}/closing",
                    round_of().unwrap_or_default()
                ),
            };
            client.post_json(&path, envelope).await
        }
        Target::Local(node) => {
            let caller = Caller::Operator;
            match payload_type {
                ADOPTION_PAYLOAD_TYPE => {
                    to_json(node.record_adoption_statement(&caller, &envelope).await)
                }
                IMPLEMENTATION_REPORT_PAYLOAD_TYPE => {
                    to_json(node.file_implementation_report(&caller, &envelope).await)
                }
                REVIEW_ROUND_OPENING_PAYLOAD_TYPE => {
                    to_json(node.open_review_round(&caller, &envelope).await)
                }
                PEER_REVIEW_PAYLOAD_TYPE => {
                    to_json(node.submit_peer_review(&caller, &envelope).await)
                }
                REVIEW_ANSWER_PAYLOAD_TYPE => {
                    to_json(node.answer_peer_review(&caller, &envelope).await)
                }
                _ => to_json(node.close_review_round(&caller, &envelope).await),
            }
        }
    }
}

async fn adopt(settings: &Settings, arguments: AdoptArguments) -> anyhow::Result<()> {
    let target = Target::open(settings, &arguments.remote, "commitments adopt").await?;
    let signer = Signer::resolve(&target, &arguments.signer).await?;
    let statement = serde_json::json!({
        "v": 1,
        "party": signer.party,
        "document": arguments.document.trim(),
        "action": if arguments.withdraw { "withdraw" } else { "adopt" },
        "signed_at": target.now(),
    });
    let bytes = serde_json::to_vec(&statement)?;
    AdoptionStatement::parse(&bytes)
        .map_err(|error| rename_path(error, "document", "--document"))?;
    let envelope = redline_hotline::sign_record(ADOPTION_PAYLOAD_TYPE, bytes, &signer.key);
    let answer = deliver(&target, ADOPTION_PAYLOAD_TYPE, envelope).await;
    target.close().await;
    crate::output::print_json(&answer?)
}

/// A model error about `field` named by the flag that set it.
fn rename_path(error: ModelError, field: &str, flag: &str) -> NodeError {
    let issues = error
        .issues()
        .into_iter()
        .map(|mut issue| {
            if issue.path == field {
                issue.path = flag.to_string();
            }
            issue
        })
        .collect();
    NodeError::Invalid(issues)
}

async fn send(settings: &Settings, arguments: SendArguments) -> anyhow::Result<()> {
    let text = if arguments.file.as_os_str() == "-" {
        let mut text = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut text)?;
        text
    } else {
        std::fs::read(&arguments.file)
            .map_err(|error| anyhow::anyhow!("cannot read {}: {error}", arguments.file.display()))?
    };
    let target = Target::open(settings, &arguments.remote, "commitments send").await?;
    let signer = Signer::resolve(&target, &arguments.signer).await?;
    let mut bytes = text.clone();
    if let Ok(Value::Object(mut object)) = serde_json::from_slice::<Value>(&text) {
        object.entry("v").or_insert(Value::from(1));
        object
            .entry(arguments.kind.author_field())
            .or_insert(Value::String(signer.party.to_string()));
        object
            .entry("signed_at")
            .or_insert(serde_json::to_value(target.now())?);
        bytes = serde_json::to_vec(&Value::Object(object))?;
    }
    let payload_type = arguments.kind.payload_type();
    check_payload(payload_type, &bytes).map_err(NodeError::from)?;
    let envelope = redline_hotline::sign_record(payload_type, bytes, &signer.key);
    let answer = deliver(&target, payload_type, envelope).await;
    target.close().await;
    crate::output::print_json(&answer?)
}

async fn show_report(settings: &Settings, arguments: ShowArguments) -> anyhow::Result<()> {
    let target = Target::open(settings, &arguments.remote, "commitments report").await?;
    let answer = match &target {
        Target::Remote(client) => {
            client
                .get(
                    &format!("/api/v1/implementation-reports/{}", arguments.id),
                    &[],
                )
                .await
        }
        Target::Local(node) => to_json(
            node.get_implementation_report(&Caller::Operator, arguments.id)
                .await,
        ),
    };
    target.close().await;
    crate::output::print_json(&answer?)
}

async fn show_round(settings: &Settings, arguments: ShowArguments) -> anyhow::Result<()> {
    let target = Target::open(settings, &arguments.remote, "commitments round").await?;
    let answer = match &target {
        Target::Remote(client) => {
            client
                .get(&format!("/api/v1/review-rounds/{}", arguments.id), &[])
                .await
        }
        Target::Local(node) => {
            to_json(node.get_review_round(&Caller::Operator, arguments.id).await)
        }
    };
    target.close().await;
    crate::output::print_json(&answer?)
}

async fn compare(settings: &Settings, arguments: CompareArguments) -> anyhow::Result<()> {
    let target = Target::open(settings, &arguments.remote, "commitments show").await?;
    let answer = match &target {
        Target::Remote(client) => {
            let path = if arguments.public {
                "/api/v1/public/commitments"
            } else {
                "/api/v1/commitments"
            };
            client.get(path, &[]).await
        }
        Target::Local(node) => {
            let caller = Caller::Operator;
            let reader = (!arguments.public).then_some(&caller);
            to_json(node.commitments_comparison(reader).await)
        }
    };
    target.close().await;
    crate::output::print_json(&answer?)
}

fn survey(arguments: SurveyArguments) -> anyhow::Result<()> {
    let language = Language::from_tag(&arguments.lang).ok_or_else(|| {
        NodeError::invalid(
            "--lang",
            format!(
                "`{}` is not one of the six UN languages (ar, zh, en, fr, ru, es)",
                arguments.lang
            ),
        )
    })?;
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for norm in GgeNorm::ALL {
        writeln!(out, "{norm}  {}", norm.title(language))?;
    }
    writeln!(out, "\n{}\n", GgeNorm::question(language))?;
    for item in SurveyItem::ALL {
        writeln!(
            out,
            "{item} (part {}): {}",
            item.survey_part(),
            item.question(language)
        )?;
    }
    writeln!(out, "\n{GGE_2015_SOURCE}\n{UNIDIR_SURVEY_SOURCE}")?;
    Ok(())
}
