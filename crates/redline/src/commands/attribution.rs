//! Attribution at the command line: `redline attribution file|cosign|publish|withdraw|list|show`
//! and the consultation before naming, `redline attribution consult|reply|outcome`.
//!
//! Each record is built here from flags, checked by the model's parser (a mistake is named by
//! its field before anything is sent), signed with the party's key into a DSSE envelope and sent
//! to a node — over HTTP with `--url` and `--token`, or to the local node as its operator (which
//! checks the signature against the signer's registered key). The node decides the rest,
//! including the code of conduct, whose refusal names each failed clause.

use redline_hotline::consultation::{
    CONSULTATION_OUTCOME_PAYLOAD_TYPE, CONSULTATION_REPLY_PAYLOAD_TYPE,
    CONSULTATION_REQUEST_PAYLOAD_TYPE,
};
use redline_hotline::{
    ConsultationOutcome, ConsultationOutcomeKind, ConsultationReply, ConsultationRequest, Remedy,
    ReplyPosition, sign_record,
};
use redline_model::attribution::{
    CLAIM_DECISION_PAYLOAD_TYPE, CLAIM_PAYLOAD_TYPE, COSIGNATURE_PAYLOAD_TYPE,
};
use redline_model::{
    AnalyticConfidence, AttributionBasis, AttributionClaim, AttributionRelationship, ClaimAction,
    ClaimCosignature, ClaimDecision, Confidence, CountryCode, EvidenceReference, IncidentId,
    NamedState, PartyId, Tlp,
};
use redline_node::attribution::{ClaimSummaryView, ClaimView};
use redline_node::{Caller, NodeError};
use serde_json::Value;
use uuid::Uuid;

use super::RemoteOptions;
use super::hotline::Target;
use super::signed_records::{SignedCommandOptions, open_signed, sign_checked};
use crate::{config::Settings, output::Format};

#[derive(Debug, clap::Subcommand)]
pub enum AttributionCommand {
    /// File an attribution claim (version 1), or update yours (`--claim ID`): who is named, how,
    /// how likely, on what basis and evidence. Filing does not publish.
    File(FileArguments),
    /// Join a claim with your own signature over its current version and your own likelihood.
    Cosign(CosignArguments),
    /// Publish the current version of your claim; refused, naming each failed clause, unless
    /// the norms document's code of conduct allows it.
    Publish(DecisionArguments),
    /// Withdraw your claim (it stays on record, marked withdrawn).
    Withdraw(DecisionArguments),
    /// Claims you may read, newest first.
    List(ListArguments),
    /// A claim with its versions, co-signatures, decisions, consultations and the code of
    /// conduct's verdict now.
    Show(ShowArguments),
    /// Ask the named state's party for consultation on your claim, with your positions.
    Consult(ConsultArguments),
    /// As the named state, reply to a consultation.
    Reply(ReplyArguments),
    /// As the requester or the invited mediator, record a consultation's outcome.
    Outcome(OutcomeArguments),
}

#[derive(Debug, clap::Args)]
pub struct FileArguments {
    /// The incident the claim is about (incident--<uuid>).
    #[arg(long, value_name = "ID")]
    incident: String,
    /// The state named, ISO 3166-1 alpha-2 (RU).
    #[arg(long, value_name = "CODE")]
    named_state: String,
    /// The named state's party on this node, when it is one (it is then offered consultation).
    #[arg(long, value_name = "PARTY")]
    named_party: Option<String>,
    /// An actor or intrusion-set name (APT28).
    #[arg(long, value_name = "NAME")]
    actor: Option<String>,
    /// state-organ, directed-or-controlled, acknowledged, proxy-unverified, territory-only.
    #[arg(long, value_name = "RELATIONSHIP")]
    relationship: String,
    /// ICD 203 likelihood: remote … almost-certain.
    #[arg(long, value_name = "WORD")]
    confidence: String,
    /// ICD 203 analytic confidence: low, moderate, high.
    #[arg(long, value_name = "WORD")]
    analytic_confidence: Option<String>,
    /// technical, intelligence, political, self-claimed (comma-separated or repeated).
    #[arg(long, value_name = "BASIS", value_delimiter = ',', required = true)]
    basis: Vec<String>,
    /// Evidence a third party can check: sha256:<hex> of evidence shared under TLP, or a STIX
    /// id (repeat for more).
    #[arg(long, value_name = "REFERENCE")]
    evidence: Vec<String>,
    /// The claim in your words.
    #[arg(long, value_name = "TEXT")]
    statement: String,
    #[arg(long, default_value = "clear", value_name = "TLP")]
    tlp: String,
    /// The parties a restricted claim is addressed to (amber, amber+strict, red).
    #[arg(long, value_name = "PARTY", value_delimiter = ',')]
    share_with: Vec<String>,
    /// Update this claim of yours with its next version.
    #[arg(long, value_name = "CLAIM_ID")]
    claim: Option<Uuid>,
    #[command(flatten)]
    common: SignedCommandOptions,
}

#[derive(Debug, clap::Args)]
pub struct CosignArguments {
    claim: Uuid,
    /// Your own ICD 203 likelihood.
    #[arg(long, value_name = "WORD")]
    confidence: String,
    #[arg(long, value_name = "TEXT")]
    statement: Option<String>,
    #[command(flatten)]
    common: SignedCommandOptions,
}

#[derive(Debug, clap::Args)]
pub struct DecisionArguments {
    claim: Uuid,
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
    #[command(flatten)]
    common: SignedCommandOptions,
}

#[derive(Debug, clap::Args)]
pub struct ListArguments {
    #[arg(long, value_name = "ID")]
    incident: Option<String>,
    #[arg(long, default_value_t = 100)]
    limit: u32,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(flatten)]
    remote: RemoteOptions,
}

#[derive(Debug, clap::Args)]
pub struct ShowArguments {
    claim: Uuid,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(flatten)]
    remote: RemoteOptions,
}

#[derive(Debug, clap::Args)]
pub struct ConsultArguments {
    claim: Uuid,
    /// The facts as you see them.
    #[arg(long, value_name = "TEXT")]
    facts: String,
    /// Your legal view.
    #[arg(long, value_name = "TEXT")]
    legal_view: String,
    /// cessation, assurances, reparation, cooperation (comma-separated or repeated).
    #[arg(
        long = "remedy",
        value_name = "REMEDY",
        value_delimiter = ',',
        required = true
    )]
    remedies: Vec<String>,
    /// A third party invited to mediate (the secretariat, say).
    #[arg(long, value_name = "PARTY")]
    mediator: Option<String>,
    #[command(flatten)]
    common: SignedCommandOptions,
}

#[derive(Debug, clap::Args)]
pub struct ReplyArguments {
    consultation: Uuid,
    /// deny, acknowledge, explain, offer-joint-investigation, cooperate.
    #[arg(long, value_name = "POSITION")]
    position: String,
    #[arg(long, value_name = "TEXT")]
    statement: String,
    #[command(flatten)]
    common: SignedCommandOptions,
}

#[derive(Debug, clap::Args)]
pub struct OutcomeArguments {
    consultation: Uuid,
    /// resolved, joint-investigation-agreed, referred-to-mediation, failed.
    #[arg(long, value_name = "OUTCOME")]
    outcome: String,
    /// The mediator, with referred-to-mediation.
    #[arg(long, value_name = "PARTY")]
    mediator: Option<String>,
    #[arg(long, value_name = "TEXT")]
    statement: String,
    #[command(flatten)]
    common: SignedCommandOptions,
}

pub async fn run(settings: &Settings, command: AttributionCommand) -> anyhow::Result<()> {
    match command {
        AttributionCommand::File(arguments) => file(settings, arguments).await,
        AttributionCommand::Cosign(arguments) => cosign(settings, arguments).await,
        AttributionCommand::Publish(arguments) => {
            decide(settings, arguments, ClaimAction::Publish).await
        }
        AttributionCommand::Withdraw(arguments) => {
            decide(settings, arguments, ClaimAction::Withdraw).await
        }
        AttributionCommand::List(arguments) => list(settings, arguments).await,
        AttributionCommand::Show(arguments) => show(settings, arguments).await,
        AttributionCommand::Consult(arguments) => consult(settings, arguments).await,
        AttributionCommand::Reply(arguments) => reply(settings, arguments).await,
        AttributionCommand::Outcome(arguments) => outcome(settings, arguments).await,
    }
}

// ------------------------------------------------------------------------------------------
// Words from flags, each refusal naming its flag.

fn word<T: Copy>(
    flag: &str,
    text: &str,
    all: &[T],
    spell: fn(&T) -> &'static str,
) -> Result<T, NodeError> {
    let text = text.trim();
    all.iter()
        .find(|item| spell(item) == text)
        .copied()
        .ok_or_else(|| {
            let known: Vec<&str> = all.iter().map(spell).collect();
            NodeError::invalid(flag, format!("`{text}` is not one of {}", known.join(", ")))
        })
}

fn party(flag: &str, text: &str) -> Result<PartyId, NodeError> {
    PartyId::parse(text.trim()).map_err(|message| NodeError::invalid(flag, message))
}

// ------------------------------------------------------------------------------------------
// Talking to the node: the same JSON over HTTP or from the local node as its operator.

enum Action<'a> {
    File(&'a [u8]),
    Cosign(Uuid, &'a [u8]),
    Decide(Uuid, &'a [u8]),
    Consult(&'a [u8]),
    Reply(Uuid, &'a [u8]),
    Outcome(Uuid, &'a [u8]),
}

async fn send(target: &Target, action: Action<'_>) -> anyhow::Result<ClaimView> {
    match target {
        Target::Remote(client) => {
            let (path, body) = match action {
                Action::File(body) => ("/api/v1/claims".to_string(), body),
                Action::Cosign(id, body) => (format!("/api/v1/claims/{id}/cosignatures"), body),
                Action::Decide(id, body) => (format!("/api/v1/claims/{id}/decisions"), body),
                Action::Consult(body) => ("/api/v1/consultations".to_string(), body),
                Action::Reply(id, body) => (format!("/api/v1/consultations/{id}/replies"), body),
                Action::Outcome(id, body) => (format!("/api/v1/consultations/{id}/outcomes"), body),
            };
            Ok(serde_json::from_value(
                client.post_json(&path, body.to_vec()).await?,
            )?)
        }
        Target::Local(node) => {
            let caller = Caller::Operator;
            Ok(match action {
                Action::File(body) => node.file_claim(&caller, body).await?,
                Action::Cosign(_, body) => node.cosign_claim(&caller, body).await?,
                Action::Decide(_, body) => node.decide_claim(&caller, body).await?,
                Action::Consult(body) => node.request_consultation(&caller, body).await?,
                Action::Reply(_, body) => node.reply_to_consultation(&caller, body).await?,
                Action::Outcome(_, body) => node.record_consultation_outcome(&caller, body).await?,
            })
        }
    }
}

async fn fetch_claim(target: &Target, id: Uuid) -> anyhow::Result<ClaimView> {
    match target {
        Target::Remote(client) => Ok(serde_json::from_value(
            client.get(&format!("/api/v1/claims/{id}"), &[]).await?,
        )?),
        Target::Local(node) => Ok(node.get_claim(&Caller::Operator, id).await?),
    }
}

async fn finish(target: Target, view: &ClaimView, format: Format) -> anyhow::Result<()> {
    target.close().await;
    match format {
        Format::Json => crate::output::print_json(view),
        Format::Table => {
            print_claim(view);
            Ok(())
        }
    }
}

// ------------------------------------------------------------------------------------------
// The commands.

async fn file(settings: &Settings, arguments: FileArguments) -> anyhow::Result<()> {
    let (target, signer) = open_signed(settings, &arguments.common, "attribution file").await?;
    let (id, version) = match arguments.claim {
        Some(id) => {
            let current = fetch_claim(&target, id).await?;
            let latest = current.current().map_or(0, |claim| claim.version);
            (id, latest + 1)
        }
        None => (Uuid::new_v4(), 1),
    };
    let claim = AttributionClaim {
        v: 1,
        id,
        version,
        incident: IncidentId::parse(arguments.incident.trim())
            .map_err(|message| NodeError::invalid("--incident", message))?,
        claimant: signer.party.clone(),
        named: NamedState {
            state: CountryCode::parse(arguments.named_state.trim())
                .map_err(|message| NodeError::invalid("--named-state", message))?,
            party: arguments
                .named_party
                .as_deref()
                .map(|text| party("--named-party", text))
                .transpose()?,
            actor: arguments.actor.clone(),
        },
        relationship: word(
            "--relationship",
            &arguments.relationship,
            AttributionRelationship::ALL,
            AttributionRelationship::as_str,
        )?,
        confidence: word(
            "--confidence",
            &arguments.confidence,
            Confidence::ALL,
            Confidence::as_str,
        )?,
        analytic_confidence: arguments
            .analytic_confidence
            .as_deref()
            .map(|text| {
                word(
                    "--analytic-confidence",
                    text,
                    AnalyticConfidence::ALL,
                    AnalyticConfidence::as_str,
                )
            })
            .transpose()?,
        basis: arguments
            .basis
            .iter()
            .map(|text| {
                word(
                    "--basis",
                    text,
                    AttributionBasis::ALL,
                    AttributionBasis::as_str,
                )
            })
            .collect::<Result<_, _>>()?,
        evidence: arguments
            .evidence
            .iter()
            .map(|reference| EvidenceReference {
                reference: reference.trim().to_string(),
                description: None,
            })
            .collect(),
        statement: arguments.statement.clone(),
        tlp: word("--tlp", &arguments.tlp, Tlp::ALL, Tlp::as_str)?,
        shared_with: arguments
            .share_with
            .iter()
            .map(|text| party("--share-with", text))
            .collect::<Result<_, _>>()?,
        signed_at: target.now(),
    };
    // The model's own rules first, so a mistake is named before anything is signed.
    let envelope = sign_checked(
        CLAIM_PAYLOAD_TYPE,
        claim.to_payload_bytes(),
        &signer,
        AttributionClaim::parse,
    )?;
    let view = send(&target, Action::File(&envelope)).await?;
    finish(target, &view, arguments.common.format).await
}

/// The current version of a claim and its digest, for a co-signature or a decision.
async fn current_version(target: &Target, id: Uuid) -> anyhow::Result<(u32, String)> {
    let view = fetch_claim(target, id).await?;
    let current = view
        .versions
        .last()
        .ok_or_else(|| NodeError::NotFound(format!("attribution claim {id}")))?;
    Ok((current.claim.version, current.payload_digest.clone()))
}

async fn cosign(settings: &Settings, arguments: CosignArguments) -> anyhow::Result<()> {
    let (target, signer) = open_signed(settings, &arguments.common, "attribution cosign").await?;
    let (version, claim_digest) = current_version(&target, arguments.claim).await?;
    let cosignature = ClaimCosignature {
        v: 1,
        claim: arguments.claim,
        version,
        claim_digest,
        party: signer.party.clone(),
        confidence: word(
            "--confidence",
            &arguments.confidence,
            Confidence::ALL,
            Confidence::as_str,
        )?,
        statement: arguments.statement.clone(),
        signed_at: target.now(),
    };
    let envelope = sign_record(
        COSIGNATURE_PAYLOAD_TYPE,
        cosignature.to_payload_bytes(),
        &signer.key,
    );
    let view = send(&target, Action::Cosign(arguments.claim, &envelope)).await?;
    finish(target, &view, arguments.common.format).await
}

async fn decide(
    settings: &Settings,
    arguments: DecisionArguments,
    action: ClaimAction,
) -> anyhow::Result<()> {
    let command = format!("attribution {}", action.as_str());
    let (target, signer) = open_signed(settings, &arguments.common, &command).await?;
    let (version, claim_digest) = current_version(&target, arguments.claim).await?;
    let decision = ClaimDecision {
        v: 1,
        claim: arguments.claim,
        version,
        claim_digest,
        party: signer.party.clone(),
        action,
        reason: arguments.reason.clone(),
        signed_at: target.now(),
    };
    let envelope = sign_record(
        CLAIM_DECISION_PAYLOAD_TYPE,
        decision.to_payload_bytes(),
        &signer.key,
    );
    let view = send(&target, Action::Decide(arguments.claim, &envelope)).await?;
    finish(target, &view, arguments.common.format).await
}

async fn consult(settings: &Settings, arguments: ConsultArguments) -> anyhow::Result<()> {
    let (target, signer) = open_signed(settings, &arguments.common, "attribution consult").await?;
    let view = fetch_claim(&target, arguments.claim).await?;
    let named_party = view
        .current()
        .and_then(|claim| claim.named.party.clone())
        .ok_or_else(|| {
            NodeError::invalid(
                "claim",
                "the claim names no party: a state that is not a party of the node cannot be consulted here",
            )
        })?;
    let request = ConsultationRequest {
        v: 1,
        id: Uuid::new_v4(),
        claim: arguments.claim,
        from: signer.party.clone(),
        to: named_party,
        facts: arguments.facts.clone(),
        legal_view: arguments.legal_view.clone(),
        remedies: arguments
            .remedies
            .iter()
            .map(|text| word("--remedy", text, Remedy::ALL, Remedy::as_str))
            .collect::<Result<_, _>>()?,
        mediator: arguments
            .mediator
            .as_deref()
            .map(|text| party("--mediator", text))
            .transpose()?,
        sent_at: target.now(),
    };
    let envelope = sign_checked(
        CONSULTATION_REQUEST_PAYLOAD_TYPE,
        request.to_payload_bytes(),
        &signer,
        ConsultationRequest::parse,
    )?;
    let view = send(&target, Action::Consult(&envelope)).await?;
    finish(target, &view, arguments.common.format).await
}

async fn reply(settings: &Settings, arguments: ReplyArguments) -> anyhow::Result<()> {
    let (target, signer) = open_signed(settings, &arguments.common, "attribution reply").await?;
    let reply = ConsultationReply {
        v: 1,
        consultation: arguments.consultation,
        from: signer.party.clone(),
        position: word(
            "--position",
            &arguments.position,
            ReplyPosition::ALL,
            ReplyPosition::as_str,
        )?,
        statement: arguments.statement.clone(),
        sent_at: target.now(),
    };
    let envelope = sign_checked(
        CONSULTATION_REPLY_PAYLOAD_TYPE,
        reply.to_payload_bytes(),
        &signer,
        ConsultationReply::parse,
    )?;
    let view = send(&target, Action::Reply(arguments.consultation, &envelope)).await?;
    finish(target, &view, arguments.common.format).await
}

async fn outcome(settings: &Settings, arguments: OutcomeArguments) -> anyhow::Result<()> {
    let (target, signer) = open_signed(settings, &arguments.common, "attribution outcome").await?;
    let outcome = ConsultationOutcome {
        v: 1,
        consultation: arguments.consultation,
        from: signer.party.clone(),
        outcome: word(
            "--outcome",
            &arguments.outcome,
            ConsultationOutcomeKind::ALL,
            ConsultationOutcomeKind::as_str,
        )?,
        mediator: arguments
            .mediator
            .as_deref()
            .map(|text| party("--mediator", text))
            .transpose()?,
        statement: arguments.statement.clone(),
        sent_at: target.now(),
    };
    let envelope = sign_checked(
        CONSULTATION_OUTCOME_PAYLOAD_TYPE,
        outcome.to_payload_bytes(),
        &signer,
        ConsultationOutcome::parse,
    )?;
    let view = send(&target, Action::Outcome(arguments.consultation, &envelope)).await?;
    finish(target, &view, arguments.common.format).await
}

async fn list(settings: &Settings, arguments: ListArguments) -> anyhow::Result<()> {
    let target = Target::open(settings, &arguments.remote, "attribution list").await?;
    let incident = arguments
        .incident
        .as_deref()
        .map(|text| {
            IncidentId::parse(text.trim())
                .map_err(|message| NodeError::invalid("--incident", message))
        })
        .transpose()?;
    let claims: Vec<ClaimSummaryView> = match &target {
        Target::Remote(client) => {
            let mut query = vec![("limit", arguments.limit.to_string())];
            if let Some(incident) = &incident {
                query.push(("incident", incident.to_string()));
            }
            let answer: Value = client.get("/api/v1/claims", &query).await?;
            serde_json::from_value(answer["claims"].clone())?
        }
        Target::Local(node) => {
            node.list_claims(&Caller::Operator, incident, arguments.limit)
                .await?
        }
    };
    target.close().await;
    match arguments.format {
        Format::Json => crate::output::print_json(&claims),
        Format::Table => {
            if claims.is_empty() {
                println!("no claims");
            }
            for claim in &claims {
                println!(
                    "{}  v{}  {:<9}  {} names {}{}  {}  {}  co-signers {}",
                    claim.id,
                    claim.version,
                    claim.status.as_str(),
                    claim.claimant,
                    claim.named_state.as_str(),
                    claim
                        .actor
                        .as_deref()
                        .map(|actor| format!(" ({actor})"))
                        .unwrap_or_default(),
                    claim.confidence.as_str(),
                    claim.tlp.as_str(),
                    claim.cosigners,
                );
            }
            Ok(())
        }
    }
}

async fn show(settings: &Settings, arguments: ShowArguments) -> anyhow::Result<()> {
    let target = Target::open(settings, &arguments.remote, "attribution show").await?;
    let view = fetch_claim(&target, arguments.claim).await?;
    finish(target, &view, arguments.format).await
}

fn print_claim(view: &ClaimView) {
    let Some(claim) = view.current() else {
        println!("claim {} has no version", view.id);
        return;
    };
    println!(
        "claim {}  version {}  {}",
        view.id,
        claim.version,
        view.status.as_str()
    );
    println!(
        "  {} names {}{} ({}), {} on {} basis",
        claim.claimant,
        claim.named.state.as_str(),
        claim
            .named
            .actor
            .as_deref()
            .map(|actor| format!(", actor {actor}"))
            .unwrap_or_default(),
        claim.relationship.as_str(),
        claim.confidence.as_str(),
        claim
            .basis
            .iter()
            .map(|basis| basis.as_str())
            .collect::<Vec<_>>()
            .join(" and "),
    );
    println!(
        "  incident {}  TLP:{}",
        claim.incident,
        claim.tlp.as_str().to_uppercase()
    );
    println!("  {}", claim.statement);
    for evidence in &claim.evidence {
        println!("  evidence {}", evidence.reference);
    }
    for cosignature in &view.cosignatures {
        println!(
            "  co-signed by {} ({}) at {}",
            cosignature.cosignature.party,
            cosignature.cosignature.confidence.as_str(),
            cosignature.cosignature.signed_at
        );
    }
    for consultation in &view.consultations {
        let record = &consultation.record;
        println!(
            "  consultation {} with {}: {}{}",
            consultation.id,
            record.request.to,
            consultation.state.as_str(),
            record
                .reply_by
                .map(|deadline| format!(", reply by {deadline}"))
                .unwrap_or_default()
        );
        if let Some(reply) = &record.reply {
            println!(
                "    reply ({}): {}",
                reply.position.as_str(),
                reply.statement
            );
        }
        for outcome in &record.outcomes {
            println!(
                "    outcome {} by {}: {}",
                outcome.outcome.as_str(),
                outcome.from,
                outcome.statement
            );
        }
    }
    if let Some(verdict) = &view.code_of_conduct {
        if verdict.failed.is_empty() {
            println!("  code of conduct: every clause holds");
        }
        for clause in &verdict.failed {
            println!(
                "  code of conduct: {} fails — {}",
                clause.id, clause.refusal
            );
        }
    }
}
