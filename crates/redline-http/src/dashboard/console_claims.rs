//! The console's attribution claims: the claims the signed-in party may read, a form to file a
//! new claim, and one claim with its versions, co-signatures, consultations, the named state's
//! reply and the code of conduct's current verdict, with the records the party may sign next
//! (co-sign, request consultation, reply, outcome, publish, withdraw).
//!
//! Signing stays with the user, as for the hotline (`threads.rs`): an action is first
//! *prepared* — the server builds the exact payload (fresh ids, the claim's current version and
//! digest, the node's time) and checks it against the model's rules, so a mistake is named on
//! its field before anything is signed — and shown with its payload type and the command that
//! signs it. The user signs it outside the server and pastes the envelope, which is posted here
//! and handed to the node's use case (`file_claim`, `cosign_claim`, `decide_claim`,
//! `request_consultation`, `reply_to_consultation`, `record_consultation_outcome`) as the
//! session's party. Every decision is the node's; a refusal is shown with each problem's field
//! (a failed code-of-conduct clause is `code_of_conduct.<clause>`). The server never holds a
//! party's private key.

use std::collections::HashMap;

use askama::Template;
use axum::{
    Extension, Form,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use base64::Engine;
use redline_hotline::consultation::{
    CONSULTATION_OUTCOME_PAYLOAD_TYPE, CONSULTATION_REPLY_PAYLOAD_TYPE,
    CONSULTATION_REQUEST_PAYLOAD_TYPE,
};
use redline_hotline::{
    ConsultationOutcome, ConsultationOutcomeKind, ConsultationReply, ConsultationRequest,
    ConsultationState, Remedy, ReplyPosition,
};
use redline_model::attribution::{
    CLAIM_DECISION_PAYLOAD_TYPE, CLAIM_PAYLOAD_TYPE, COSIGNATURE_PAYLOAD_TYPE,
};
use redline_model::{
    AttributionBasis, AttributionClaim, AttributionRelationship, ClaimCosignature, ClaimDecision,
    ClaimStatus, Confidence, ModelError, PartyId, Tlp, ValidationIssue,
};
use redline_node::attribution::{ClaimSummaryView, ClaimView};
use redline_node::{Caller, Node, NodeError};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    Page, PageError, ShownTime,
    console::{Choice, Sessions, SignedInParty, constant_time_equal, same_origin, signed_in},
    render,
};
use crate::AppState;

/// The most claims the console lists.
const LISTED_CLAIMS: u32 = 200;

// --- the records a party signs ---------------------------------------------------------------

/// A record of a claim that the console prepares and sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RecordKind {
    Claim,
    Cosignature,
    ConsultationRequest,
    ConsultationReply,
    ConsultationOutcome,
    Publish,
    Withdraw,
}

impl RecordKind {
    const ALL: [RecordKind; 7] = [
        RecordKind::Claim,
        RecordKind::Cosignature,
        RecordKind::ConsultationRequest,
        RecordKind::ConsultationReply,
        RecordKind::ConsultationOutcome,
        RecordKind::Publish,
        RecordKind::Withdraw,
    ];

    /// The kind as forms and URLs spell it.
    fn as_str(self) -> &'static str {
        match self {
            RecordKind::Claim => "claim",
            RecordKind::Cosignature => "cosign",
            RecordKind::ConsultationRequest => "consultation",
            RecordKind::ConsultationReply => "reply",
            RecordKind::ConsultationOutcome => "outcome",
            RecordKind::Publish => "publish",
            RecordKind::Withdraw => "withdraw",
        }
    }

    fn parse(text: &str) -> Option<RecordKind> {
        RecordKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text.trim())
    }

    /// The DSSE payload type the record is signed as.
    fn payload_type(self) -> &'static str {
        match self {
            RecordKind::Claim => CLAIM_PAYLOAD_TYPE,
            RecordKind::Cosignature => COSIGNATURE_PAYLOAD_TYPE,
            RecordKind::ConsultationRequest => CONSULTATION_REQUEST_PAYLOAD_TYPE,
            RecordKind::ConsultationReply => CONSULTATION_REPLY_PAYLOAD_TYPE,
            RecordKind::ConsultationOutcome => CONSULTATION_OUTCOME_PAYLOAD_TYPE,
            RecordKind::Publish | RecordKind::Withdraw => CLAIM_DECISION_PAYLOAD_TYPE,
        }
    }

    /// The label of the action that prepares this record, in the reader's language.
    fn label(self, page: &Page) -> String {
        page.t(&format!("console-claim-action-{}", self.as_str()))
    }
}

/// Hands a signed envelope to the node's use case for its kind, as `caller`.
async fn send_to_node(
    node: &Node,
    caller: &Caller,
    kind: RecordKind,
    envelope: &[u8],
) -> Result<ClaimView, NodeError> {
    match kind {
        RecordKind::Claim => node.file_claim(caller, envelope).await,
        RecordKind::Cosignature => node.cosign_claim(caller, envelope).await,
        RecordKind::ConsultationRequest => node.request_consultation(caller, envelope).await,
        RecordKind::ConsultationReply => node.reply_to_consultation(caller, envelope).await,
        RecordKind::ConsultationOutcome => node.record_consultation_outcome(caller, envelope).await,
        RecordKind::Publish | RecordKind::Withdraw => node.decide_claim(caller, envelope).await,
    }
}

/// A payload built from form fields as JSON, read by the model's own parser (so every problem
/// names its JSON path) and written back as the exact bytes to sign.
fn checked_payload<T>(
    value: &Value,
    parse: impl Fn(&[u8]) -> Result<T, ModelError>,
    payload_bytes: impl Fn(&T) -> Vec<u8>,
) -> Result<Vec<u8>, Vec<ValidationIssue>> {
    let bytes = serde_json::to_vec(value)
        .map_err(|error| vec![ValidationIssue::new(".", error.to_string())])?;
    parse(&bytes)
        .map(|record| payload_bytes(&record))
        .map_err(|error| error.issues())
}

/// The lines of a text area, trimmed, blank ones left out.
fn lines_of(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|line| !line.is_empty())
}

/// Party ids typed with commas, spaces or line breaks between them.
fn party_list(text: &str) -> Vec<&str> {
    text.split(|character: char| character == ',' || character.is_whitespace())
        .filter(|id| !id.is_empty())
        .collect()
}

/// A text field as JSON: absent when empty.
fn optional_text(text: &str) -> Option<Value> {
    let text = text.trim();
    (!text.is_empty()).then(|| Value::from(text))
}

/// A time as the payloads carry it.
fn timestamp_json(node: &Node) -> Value {
    serde_json::to_value(node.now()).unwrap_or(Value::Null)
}

/// Problems keyed by the form field they concern, and those tied to no field.
#[derive(Debug, Default)]
struct FieldProblems {
    by_field: HashMap<&'static str, Vec<String>>,
    general: Vec<String>,
}

impl FieldProblems {
    /// Sorts `issues` onto fields with `field_of_path`.
    fn sort(issues: &[ValidationIssue], field_of_path: fn(&str) -> Option<&'static str>) -> Self {
        let mut problems = FieldProblems::default();
        for issue in issues {
            match field_of_path(issue.path.trim_start_matches('.')) {
                Some(field) => problems
                    .by_field
                    .entry(field)
                    .or_default()
                    .push(issue.message.clone()),
                None => problems.general.push(issue.to_string()),
            }
        }
        problems
    }

    fn is_empty(&self) -> bool {
        self.by_field.is_empty() && self.general.is_empty()
    }

    fn of(&self, field: &str) -> &[String] {
        self.by_field.get(field).map_or(&[], Vec::as_slice)
    }
}

// --- the new-claim form -------------------------------------------------------------------------

/// The new-claim form's fields, all as text so that any input reaches the model, whose errors
/// name the JSON path.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub(crate) struct NewClaimFields {
    csrf: String,
    incident: String,
    named_state: String,
    named_party: String,
    actor: String,
    relationship: String,
    confidence: String,
    basis_technical: Option<String>,
    basis_intelligence: Option<String>,
    basis_political: Option<String>,
    basis_self_claimed: Option<String>,
    evidence: String,
    statement: String,
    tlp: String,
    shared_with: String,
}

impl NewClaimFields {
    /// The bases ticked, in the vocabulary's order.
    fn bases(&self) -> Vec<&'static str> {
        AttributionBasis::ALL
            .iter()
            .filter(|basis| self.basis_ticked(**basis))
            .map(AttributionBasis::as_str)
            .collect()
    }

    fn basis_ticked(&self, basis: AttributionBasis) -> bool {
        match basis {
            AttributionBasis::Technical => self.basis_technical.is_some(),
            AttributionBasis::Intelligence => self.basis_intelligence.is_some(),
            AttributionBasis::Political => self.basis_political.is_some(),
            AttributionBasis::SelfClaimed => self.basis_self_claimed.is_some(),
        }
    }
}

/// The form field of a JSON path of a claim; `None` for paths without a field.
fn claim_field_of_path(path: &str) -> Option<&'static str> {
    let head = path.split(['.', '[']).next().unwrap_or(path);
    let field = match (head, path) {
        (_, "named.state" | "named") => "named_state",
        (_, "named.party") => "named_party",
        (_, "named.actor") => "actor",
        ("incident", _) => "incident",
        ("relationship", _) => "relationship",
        ("confidence", _) => "confidence",
        ("basis", _) => "basis",
        ("evidence", _) => "evidence",
        ("statement", _) => "statement",
        ("tlp", _) => "tlp",
        ("shared_with", _) => "shared_with",
        _ => return None,
    };
    Some(field)
}

/// Evidence lines as references: the first word is the reference, the rest its description.
fn evidence_json(text: &str) -> Value {
    lines_of(text)
        .map(|line| {
            let (reference, description) = line
                .split_once(char::is_whitespace)
                .map_or((line, ""), |(reference, rest)| (reference, rest.trim()));
            let mut evidence = json!({ "reference": reference });
            if let Some(description) = optional_text(description) {
                evidence["description"] = description;
            }
            evidence
        })
        .collect()
}

/// The first version of a new claim by `party`, as JSON from the form.
fn new_claim_json(fields: &NewClaimFields, party: &PartyId, node: &Node) -> Value {
    let mut named = json!({ "state": fields.named_state.trim() });
    if let Some(named_party) = optional_text(&fields.named_party) {
        named["party"] = named_party;
    }
    if let Some(actor) = optional_text(&fields.actor) {
        named["actor"] = actor;
    }
    let mut claim = json!({
        "v": redline_model::attribution::ATTRIBUTION_PAYLOAD_VERSION,
        "id": Uuid::new_v4(),
        "version": 1,
        "incident": fields.incident.trim(),
        "claimant": party.as_str(),
        "named": named,
        "relationship": fields.relationship.trim(),
        "confidence": fields.confidence.trim(),
        "basis": fields.bases(),
        "evidence": evidence_json(&fields.evidence),
        "statement": fields.statement.trim(),
        "tlp": fields.tlp.trim(),
        "signed_at": timestamp_json(node),
    });
    let shared_with = party_list(&fields.shared_with);
    if !shared_with.is_empty() {
        claim["shared_with"] = json!(shared_with);
    }
    claim
}

/// A checkbox of a form.
pub(crate) struct Checkbox {
    pub(crate) name: String,
    pub(crate) value: &'static str,
    pub(crate) checked: bool,
}

fn choices(values: impl Iterator<Item = &'static str>, current: &str) -> Vec<Choice> {
    values
        .map(|value| Choice {
            value,
            selected: value == current.trim(),
        })
        .collect()
}

/// One claim as the console lists it.
pub(crate) struct ClaimListRow {
    pub(crate) id: String,
    pub(crate) incident: String,
    pub(crate) claimant: String,
    pub(crate) named_state: String,
    pub(crate) actor: String,
    pub(crate) confidence: &'static str,
    pub(crate) tlp: &'static str,
    pub(crate) status: &'static str,
    pub(crate) cosigners: u32,
    pub(crate) updated: ShownTime,
}

fn list_row(summary: &ClaimSummaryView) -> ClaimListRow {
    ClaimListRow {
        id: summary.id.to_string(),
        incident: summary.incident.to_string(),
        claimant: summary.claimant.to_string(),
        named_state: summary.named_state.as_str().to_string(),
        actor: summary.actor.clone().unwrap_or_default(),
        confidence: summary.confidence.as_str(),
        tlp: summary.tlp.as_str(),
        status: summary.status.as_str(),
        cosigners: summary.cosigners,
        updated: ShownTime::from_microseconds(summary.updated_at.as_microseconds()),
    }
}

#[derive(Template)]
#[template(path = "dashboard/console_claims.html")]
struct ConsoleClaimsTemplate {
    page: Page,
    csrf: String,
    claims: Vec<ClaimListRow>,
    fields: NewClaimFields,
    problems: FieldProblems,
    relationships: Vec<Choice>,
    confidences: Vec<Choice>,
    labels: Vec<Choice>,
    bases: Vec<Checkbox>,
}

impl ConsoleClaimsTemplate {
    fn new(
        page: Page,
        csrf: String,
        claims: Vec<ClaimListRow>,
        fields: NewClaimFields,
        problems: FieldProblems,
    ) -> Self {
        ConsoleClaimsTemplate {
            relationships: choices(
                AttributionRelationship::ALL
                    .iter()
                    .map(AttributionRelationship::as_str),
                &fields.relationship,
            ),
            confidences: choices(
                Confidence::ALL.iter().map(Confidence::as_str),
                &fields.confidence,
            ),
            labels: choices(Tlp::ALL.iter().map(Tlp::as_str), &fields.tlp),
            bases: AttributionBasis::ALL
                .iter()
                .map(|basis| Checkbox {
                    name: format!("basis_{}", basis.as_str().replace('-', "_")),
                    value: basis.as_str(),
                    checked: fields.basis_ticked(*basis),
                })
                .collect(),
            page,
            csrf,
            claims,
            fields,
            problems,
        }
    }

    fn field_errors(&self, field: &str) -> &[String] {
        self.problems.of(field)
    }

    fn invalid(&self, field: &str) -> bool {
        !self.problems.of(field).is_empty()
    }
}

/// The signed-in party, or the sign-in page.
async fn signed_in_or_redirect(
    state: &AppState,
    sessions: &Sessions,
    headers: &HeaderMap,
    page: &mut Page,
) -> Result<SignedInParty, Response> {
    let signed = signed_in(state, sessions, headers)
        .await
        .ok_or_else(|| Redirect::to("/console/sign-in").into_response())?;
    page.signed_in = Some(signed.party.to_string());
    Ok(signed)
}

/// A form post's session and CSRF token: the sign-in page without a session, 403 for a post
/// from another site or without the session's token.
async fn signed_in_form_post(
    state: &AppState,
    sessions: &Sessions,
    headers: &HeaderMap,
    page: &mut Page,
    csrf: &str,
) -> Result<SignedInParty, Response> {
    let signed = signed_in_or_redirect(state, sessions, headers, page).await?;
    if !same_origin(headers) || !constant_time_equal(&signed.csrf, csrf) {
        return Err((
            StatusCode::FORBIDDEN,
            "the form's CSRF token is missing or wrong",
        )
            .into_response());
    }
    Ok(signed)
}

async fn readable_claims(
    state: &AppState,
    party: &PartyId,
) -> Result<Vec<ClaimListRow>, NodeError> {
    let claims = state
        .node
        .list_claims(&Caller::Party(party.clone()), None, LISTED_CLAIMS)
        .await?;
    Ok(claims.iter().map(list_row).collect())
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ClaimsQuery {
    incident: Option<String>,
}

/// The claims the party may read, and the form to file a new one (the incident prefilled from
/// `?incident=`).
pub(crate) async fn claims(
    State(state): State<AppState>,
    Extension(sessions): Extension<Sessions>,
    mut page: Page,
    headers: HeaderMap,
    Query(query): Query<ClaimsQuery>,
) -> Response {
    let signed = match signed_in_or_redirect(&state, &sessions, &headers, &mut page).await {
        Ok(signed) => signed,
        Err(response) => return response,
    };
    let claims = match readable_claims(&state, &signed.party).await {
        Ok(claims) => claims,
        Err(error) => return PageError::new(page, error).into_response(),
    };
    let fields = NewClaimFields {
        incident: query
            .incident
            .filter(|id| redline_model::IncidentId::parse(id).is_ok())
            .unwrap_or_default(),
        tlp: Tlp::Amber.as_str().to_string(),
        ..NewClaimFields::default()
    };
    render(&ConsoleClaimsTemplate::new(
        page,
        signed.csrf,
        claims,
        fields,
        FieldProblems::default(),
    ))
}

/// Prepares the first version of a new claim: the payload to sign, or the form again with
/// each problem on its field.
pub(crate) async fn prepare_new_claim(
    State(state): State<AppState>,
    Extension(sessions): Extension<Sessions>,
    mut page: Page,
    headers: HeaderMap,
    Form(fields): Form<NewClaimFields>,
) -> Response {
    let signed =
        match signed_in_form_post(&state, &sessions, &headers, &mut page, &fields.csrf).await {
            Ok(signed) => signed,
            Err(response) => return response,
        };
    let claim = new_claim_json(&fields, &signed.party, &state.node);
    match checked_payload(
        &claim,
        AttributionClaim::parse,
        AttributionClaim::to_payload_bytes,
    ) {
        Ok(payload) => render(&PreparedRecordTemplate::prepared(
            page,
            signed.csrf,
            claim["id"].as_str().unwrap_or_default().to_string(),
            RecordKind::Claim,
            &payload,
        )),
        Err(issues) => {
            let claims = match readable_claims(&state, &signed.party).await {
                Ok(claims) => claims,
                Err(error) => return PageError::new(page, error).into_response(),
            };
            let problems = FieldProblems::sort(&issues, claim_field_of_path);
            let mut response = render(&ConsoleClaimsTemplate::new(
                page,
                signed.csrf,
                claims,
                fields,
                problems,
            ));
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            response
        }
    }
}

// --- one claim ------------------------------------------------------------------------------

/// One version of the claim.
pub(crate) struct VersionRow {
    pub(crate) version: u32,
    pub(crate) digest: String,
    pub(crate) recorded: ShownTime,
    pub(crate) envelope: String,
}

/// One co-signature of the current version.
pub(crate) struct CosignatureRow {
    pub(crate) party: String,
    pub(crate) confidence: &'static str,
    pub(crate) statement: Option<String>,
    pub(crate) recorded: ShownTime,
}

/// One outcome of a consultation.
pub(crate) struct OutcomeRow {
    pub(crate) from: String,
    pub(crate) outcome: &'static str,
    pub(crate) mediator: Option<String>,
    pub(crate) statement: String,
}

/// The named state's reply in a consultation.
pub(crate) struct ReplyRow {
    pub(crate) from: String,
    pub(crate) position: &'static str,
    pub(crate) statement: String,
    pub(crate) sent: ShownTime,
}

/// One consultation.
pub(crate) struct ConsultationRow {
    pub(crate) id: String,
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) mediator: Option<String>,
    pub(crate) state: &'static str,
    pub(crate) reply_by: Option<ShownTime>,
    pub(crate) facts: String,
    pub(crate) legal_view: String,
    pub(crate) remedies: String,
    pub(crate) reply: Option<ReplyRow>,
    pub(crate) outcomes: Vec<OutcomeRow>,
}

fn shown(at: redline_model::Timestamp) -> ShownTime {
    ShownTime::from_microseconds(at.as_microseconds())
}

fn consultation_row(consultation: &redline_node::attribution::ConsultationView) -> ConsultationRow {
    let record = &consultation.record;
    ConsultationRow {
        id: consultation.id.to_string(),
        from: record.request.from.to_string(),
        to: record.request.to.to_string(),
        mediator: record.mediator().map(ToString::to_string),
        state: consultation.state.as_str(),
        reply_by: record.reply_by.map(shown),
        facts: record.request.facts.clone(),
        legal_view: record.request.legal_view.clone(),
        remedies: record
            .request
            .remedies
            .iter()
            .map(Remedy::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        reply: record.reply.as_ref().map(|reply| ReplyRow {
            from: reply.from.to_string(),
            position: reply.position.as_str(),
            statement: reply.statement.clone(),
            sent: shown(reply.sent_at),
        }),
        outcomes: record
            .outcomes
            .iter()
            .map(|outcome| OutcomeRow {
                from: outcome.from.to_string(),
                outcome: outcome.outcome.as_str(),
                mediator: outcome.mediator.as_ref().map(ToString::to_string),
                statement: outcome.statement.clone(),
            })
            .collect(),
    }
}

/// A consultation an action may concern, as a choice: its id, and a short label that keeps
/// the form narrow on a phone (the first block of the id, who asked whom).
pub(crate) struct ConsultationChoice {
    pub(crate) id: String,
    pub(crate) label: String,
}

fn consultation_choice(
    consultation: &redline_node::attribution::ConsultationView,
) -> ConsultationChoice {
    let id = consultation.id.to_string();
    let label = format!(
        "{}… ({} → {})",
        id.split('-').next().unwrap_or_default(),
        consultation.record.request.from,
        consultation.record.request.to
    );
    ConsultationChoice { id, label }
}

/// An action the party may prepare on the claim page, with the consultations it may concern.
pub(crate) struct ActionView {
    pub(crate) kind: &'static str,
    pub(crate) label: String,
    pub(crate) consultations: Vec<ConsultationChoice>,
}

/// The consultations `party` may still answer as the named state.
fn consultations_to_answer(view: &ClaimView, party: &PartyId) -> Vec<ConsultationChoice> {
    view.consultations
        .iter()
        .filter(|consultation| {
            consultation.record.request.to == *party
                && consultation.record.reply.is_none()
                && consultation.state != ConsultationState::Concluded
        })
        .map(consultation_choice)
        .collect()
}

/// The open consultations whose outcome `party` may record (as requester or mediator).
fn consultations_to_conclude(view: &ClaimView, party: &PartyId) -> Vec<ConsultationChoice> {
    view.consultations
        .iter()
        .filter(|consultation| {
            let record = &consultation.record;
            consultation.state != ConsultationState::Concluded
                && (record.request.from == *party || record.mediator() == Some(party))
        })
        .map(consultation_choice)
        .collect()
}

/// The records the party could sign next on this claim: only what it may send in its own name
/// (the node decides whether it is accepted).
fn actions_for(view: &ClaimView, party: &PartyId, page: &Page) -> Vec<ActionView> {
    let Some(claim) = view.current() else {
        return Vec::new();
    };
    let withdrawn = view.status == ClaimStatus::Withdrawn;
    let claimant = claim.claimant == *party;
    let named = claim.named.party.as_ref() == Some(party);
    let cosigned = view
        .cosignatures
        .iter()
        .any(|cosignature| cosignature.cosignature.party == *party);
    let to_answer = consultations_to_answer(view, party);
    let to_conclude = consultations_to_conclude(view, party);
    let offered = [
        (
            RecordKind::Cosignature,
            !withdrawn && !claimant && !named && !cosigned,
            Vec::new(),
        ),
        (
            RecordKind::ConsultationRequest,
            !withdrawn && claimant && claim.named.party.is_some(),
            Vec::new(),
        ),
        (
            RecordKind::ConsultationReply,
            !to_answer.is_empty(),
            to_answer,
        ),
        (
            RecordKind::ConsultationOutcome,
            !to_conclude.is_empty(),
            to_conclude,
        ),
        (
            RecordKind::Publish,
            claimant && view.status == ClaimStatus::Filed,
            Vec::new(),
        ),
        (RecordKind::Withdraw, claimant && !withdrawn, Vec::new()),
    ];
    offered
        .into_iter()
        .filter(|(_, available, _)| *available)
        .map(|(kind, _, consultations)| ActionView {
            kind: kind.as_str(),
            label: kind.label(page),
            consultations,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "dashboard/console_claim.html")]
struct ConsoleClaimTemplate {
    page: Page,
    csrf: String,
    view: ClaimView,
    claim: AttributionClaim,
    published_at: Option<ShownTime>,
    versions: Vec<VersionRow>,
    cosignatures: Vec<CosignatureRow>,
    consultations: Vec<ConsultationRow>,
    actions: Vec<ActionView>,
    /// The kind of record just recorded, in words.
    recorded: Option<String>,
    /// The action whose preparation failed, and its problems.
    failed_action: Option<(&'static str, FieldProblems)>,
    confidences: Vec<Choice>,
    remedies: Vec<&'static str>,
    positions: Vec<&'static str>,
    outcomes: Vec<&'static str>,
}

impl ConsoleClaimTemplate {
    /// The claim page, or `None` for a claim without a version (the node never returns one).
    fn new(page: Page, csrf: String, view: ClaimView, party: &PartyId) -> Option<Self> {
        let claim = view.current()?.clone();
        Some(ConsoleClaimTemplate {
            actions: actions_for(&view, party, &page),
            published_at: view.published_at.map(shown),
            versions: view
                .versions
                .iter()
                .map(|version| VersionRow {
                    version: version.claim.version,
                    digest: version.payload_digest.clone(),
                    recorded: shown(version.recorded_at),
                    envelope: serde_json::to_string_pretty(&version.envelope).unwrap_or_default(),
                })
                .collect(),
            cosignatures: view
                .cosignatures
                .iter()
                .map(|cosignature| CosignatureRow {
                    party: cosignature.cosignature.party.to_string(),
                    confidence: cosignature.cosignature.confidence.as_str(),
                    statement: cosignature.cosignature.statement.clone(),
                    recorded: shown(cosignature.recorded_at),
                })
                .collect(),
            consultations: view.consultations.iter().map(consultation_row).collect(),
            confidences: choices(
                Confidence::ALL.iter().map(Confidence::as_str),
                claim.confidence.as_str(),
            ),
            remedies: Remedy::ALL.iter().map(Remedy::as_str).collect(),
            positions: ReplyPosition::ALL
                .iter()
                .map(ReplyPosition::as_str)
                .collect(),
            outcomes: ConsultationOutcomeKind::ALL
                .iter()
                .map(ConsultationOutcomeKind::as_str)
                .collect(),
            recorded: None,
            failed_action: None,
            claim,
            view,
            page,
            csrf,
        })
    }

    /// The problems of `field` in the action form `kind`, when that action failed.
    fn action_errors(&self, kind: &str, field: &str) -> &[String] {
        match &self.failed_action {
            Some((failed, problems)) if *failed == kind => problems.of(field),
            _ => &[],
        }
    }

    /// The problems of the action form `kind` tied to no field.
    fn action_general_errors(&self, kind: &str) -> &[String] {
        match &self.failed_action {
            Some((failed, problems)) if *failed == kind => problems.general.as_slice(),
            _ => &[],
        }
    }
}

fn parse_claim_id(text: &str) -> Option<Uuid> {
    Uuid::parse_str(text.trim()).ok()
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ClaimQuery {
    recorded: Option<String>,
}

/// One claim the party may read ("not found" otherwise), with what it may sign next.
pub(crate) async fn claim(
    State(state): State<AppState>,
    Extension(sessions): Extension<Sessions>,
    mut page: Page,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<ClaimQuery>,
) -> Response {
    let signed = match signed_in_or_redirect(&state, &sessions, &headers, &mut page).await {
        Ok(signed) => signed,
        Err(response) => return response,
    };
    let Some(id) = parse_claim_id(&id) else {
        return PageError::not_found(page).into_response();
    };
    let view = match state
        .node
        .get_claim(&Caller::Party(signed.party.clone()), id)
        .await
    {
        Ok(view) => view,
        Err(error) => return PageError::new(page, error).into_response(),
    };
    let recorded = query
        .recorded
        .as_deref()
        .and_then(RecordKind::parse)
        .map(|kind| kind.label(&page));
    match ConsoleClaimTemplate::new(page, signed.csrf, view, &signed.party) {
        Some(mut template) => {
            template.recorded = recorded;
            render(&template)
        }
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// What an action form of the claim page sends to be prepared.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct ClaimActionFields {
    csrf: String,
    kind: String,
    confidence: String,
    statement: String,
    facts: String,
    legal_view: String,
    remedy_cessation: Option<String>,
    remedy_assurances: Option<String>,
    remedy_reparation: Option<String>,
    remedy_cooperation: Option<String>,
    mediator: String,
    consultation: String,
    position: String,
    outcome: String,
    reason: String,
}

impl ClaimActionFields {
    fn remedies(&self) -> Vec<&'static str> {
        Remedy::ALL
            .iter()
            .filter(|remedy| match remedy {
                Remedy::Cessation => self.remedy_cessation.is_some(),
                Remedy::Assurances => self.remedy_assurances.is_some(),
                Remedy::Reparation => self.remedy_reparation.is_some(),
                Remedy::Cooperation => self.remedy_cooperation.is_some(),
            })
            .map(Remedy::as_str)
            .collect()
    }
}

/// The form field of a JSON path of an action's payload; `None` for paths without a field.
fn action_field_of_path(path: &str) -> Option<&'static str> {
    let head = path.split(['.', '[']).next().unwrap_or(path);
    let field = match head {
        "confidence" => "confidence",
        "statement" => "statement",
        "facts" => "facts",
        "legal_view" => "legal_view",
        "remedies" => "remedies",
        "mediator" => "mediator",
        "consultation" => "consultation",
        "position" => "position",
        "outcome" => "outcome",
        "reason" => "reason",
        _ => return None,
    };
    Some(field)
}

/// Builds the payload of action `kind` on the claim `view` by `party`: the exact bytes to
/// sign, or each problem with its JSON path.
fn action_payload(
    node: &Node,
    view: &ClaimView,
    party: &PartyId,
    kind: RecordKind,
    fields: &ClaimActionFields,
) -> Result<Vec<u8>, Vec<ValidationIssue>> {
    let current = view.versions.last().ok_or_else(|| {
        vec![ValidationIssue::new(
            "claim",
            "the claim has no version to act on",
        )]
    })?;
    let claim = &current.claim;
    let mut payload = match kind {
        RecordKind::Claim => {
            return Err(vec![ValidationIssue::new(
                "kind",
                "a new claim is filed from the list of claims",
            )]);
        }
        RecordKind::Cosignature => json!({
            "v": redline_model::attribution::ATTRIBUTION_PAYLOAD_VERSION,
            "claim": claim.id,
            "version": claim.version,
            "claim_digest": current.payload_digest,
            "party": party.as_str(),
            "confidence": fields.confidence.trim(),
        }),
        RecordKind::Publish | RecordKind::Withdraw => json!({
            "v": redline_model::attribution::ATTRIBUTION_PAYLOAD_VERSION,
            "claim": claim.id,
            "version": claim.version,
            "claim_digest": current.payload_digest,
            "party": party.as_str(),
            "action": if kind == RecordKind::Publish { "publish" } else { "withdraw" },
        }),
        RecordKind::ConsultationRequest => {
            let named_party = claim.named.party.as_ref().ok_or_else(|| {
                vec![ValidationIssue::new(
                    "to",
                    "the named state is not a party of this node: there is no one to consult",
                )]
            })?;
            json!({
                "v": redline_hotline::consultation::CONSULTATION_PAYLOAD_VERSION,
                "id": Uuid::new_v4(),
                "claim": claim.id,
                "from": party.as_str(),
                "to": named_party.as_str(),
                "facts": fields.facts.trim(),
                "legal_view": fields.legal_view.trim(),
                "remedies": fields.remedies(),
            })
        }
        RecordKind::ConsultationReply => json!({
            "v": redline_hotline::consultation::CONSULTATION_PAYLOAD_VERSION,
            "consultation": fields.consultation.trim(),
            "from": party.as_str(),
            "position": fields.position.trim(),
            "statement": fields.statement.trim(),
        }),
        RecordKind::ConsultationOutcome => json!({
            "v": redline_hotline::consultation::CONSULTATION_PAYLOAD_VERSION,
            "consultation": fields.consultation.trim(),
            "from": party.as_str(),
            "outcome": fields.outcome.trim(),
            "statement": fields.statement.trim(),
        }),
    };
    let time_field = match kind {
        RecordKind::Cosignature | RecordKind::Publish | RecordKind::Withdraw => "signed_at",
        _ => "sent_at",
    };
    payload[time_field] = timestamp_json(node);
    let optional = match kind {
        RecordKind::Cosignature => Some(("statement", &fields.statement)),
        RecordKind::Publish | RecordKind::Withdraw => Some(("reason", &fields.reason)),
        RecordKind::ConsultationRequest | RecordKind::ConsultationOutcome => {
            Some(("mediator", &fields.mediator))
        }
        _ => None,
    };
    if let Some((name, text)) = optional
        && let Some(value) = optional_text(text)
    {
        payload[name] = value;
    }
    match kind {
        RecordKind::Cosignature => checked_payload(
            &payload,
            ClaimCosignature::parse,
            ClaimCosignature::to_payload_bytes,
        ),
        RecordKind::Publish | RecordKind::Withdraw => checked_payload(
            &payload,
            ClaimDecision::parse,
            ClaimDecision::to_payload_bytes,
        ),
        RecordKind::ConsultationRequest => checked_payload(
            &payload,
            ConsultationRequest::parse,
            ConsultationRequest::to_payload_bytes,
        ),
        RecordKind::ConsultationReply => checked_payload(
            &payload,
            ConsultationReply::parse,
            ConsultationReply::to_payload_bytes,
        ),
        RecordKind::ConsultationOutcome => checked_payload(
            &payload,
            ConsultationOutcome::parse,
            ConsultationOutcome::to_payload_bytes,
        ),
        RecordKind::Claim => Err(Vec::new()),
    }
}

/// Prepares an action on a claim the party may read: the payload to sign, or the claim page
/// again with the problems on the action's fields.
pub(crate) async fn prepare_claim_action(
    State(state): State<AppState>,
    Extension(sessions): Extension<Sessions>,
    mut page: Page,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(fields): Form<ClaimActionFields>,
) -> Response {
    let signed =
        match signed_in_form_post(&state, &sessions, &headers, &mut page, &fields.csrf).await {
            Ok(signed) => signed,
            Err(response) => return response,
        };
    let Some(id) = parse_claim_id(&id) else {
        return PageError::not_found(page).into_response();
    };
    let view = match state
        .node
        .get_claim(&Caller::Party(signed.party.clone()), id)
        .await
    {
        Ok(view) => view,
        Err(error) => return PageError::new(page, error).into_response(),
    };
    let Some(kind) = RecordKind::parse(&fields.kind).filter(|kind| *kind != RecordKind::Claim)
    else {
        let problem = format!("`{}` is not an action on a claim", fields.kind);
        return PageError::new(page, NodeError::invalid("kind", problem)).into_response();
    };
    match action_payload(&state.node, &view, &signed.party, kind, &fields) {
        Ok(payload) => render(&PreparedRecordTemplate::prepared(
            page,
            signed.csrf,
            id.to_string(),
            kind,
            &payload,
        )),
        Err(issues) => {
            let problems = FieldProblems::sort(&issues, action_field_of_path);
            let Some(mut template) =
                ConsoleClaimTemplate::new(page, signed.csrf, view, &signed.party)
            else {
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            };
            template.failed_action = Some((kind.as_str(), problems));
            let mut response = render(&template);
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            response
        }
    }
}

// --- the prepared record, its envelope, and the node's answer ----------------------------------

/// One problem of a refusal: the field it names (a JSON path of the record, `envelope…` or
/// `code_of_conduct.<clause>`), if any, and what is wrong.
pub(crate) struct RefusalRow {
    pub(crate) field: Option<String>,
    pub(crate) message: String,
}

/// The node's refusal as rows: each issue of an invalid record with its path; any other
/// refusal as one row without a field.
fn refusal_rows(error: &NodeError) -> Vec<RefusalRow> {
    let issues = match error {
        NodeError::Invalid(issues) => issues.clone(),
        NodeError::Malformed(model_error) => model_error.issues(),
        NodeError::Conflict(message)
        | NodeError::Forbidden(message)
        | NodeError::NotFound(message) => {
            return vec![RefusalRow {
                field: None,
                message: message.clone(),
            }];
        }
        other => {
            return vec![RefusalRow {
                field: None,
                message: other.to_string(),
            }];
        }
    };
    issues
        .into_iter()
        .map(|issue| RefusalRow {
            field: Some(issue.path.trim_start_matches('.').to_string())
                .filter(|path| !path.is_empty()),
            message: issue.message,
        })
        .collect()
}

/// The status a refusal is answered with.
fn refusal_status(error: &NodeError) -> StatusCode {
    match error {
        NodeError::NotFound(_) => StatusCode::NOT_FOUND,
        NodeError::Forbidden(_) => StatusCode::FORBIDDEN,
        NodeError::Conflict(_) => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

#[derive(Template)]
#[template(path = "dashboard/console_claim_prepare.html")]
struct PreparedRecordTemplate {
    page: Page,
    csrf: String,
    /// The claim the record belongs to (for a new claim, the id it will have).
    claim: String,
    kind: &'static str,
    kind_label: String,
    payload_type: &'static str,
    payload: String,
    payload_base64: String,
    /// The node's refusal of the pasted envelope; empty when the record was just prepared.
    refusals: Vec<RefusalRow>,
    /// The pasted envelope, kept after a refusal.
    envelope: String,
    /// Whether the claim page exists to go back to.
    claim_exists: bool,
}

impl PreparedRecordTemplate {
    fn prepared(page: Page, csrf: String, claim: String, kind: RecordKind, payload: &[u8]) -> Self {
        PreparedRecordTemplate {
            kind_label: kind.label(&page),
            page,
            csrf,
            claim,
            kind: kind.as_str(),
            payload_type: kind.payload_type(),
            payload: String::from_utf8_lossy(payload).into_owned(),
            payload_base64: base64::engine::general_purpose::STANDARD.encode(payload),
            refusals: Vec::new(),
            envelope: String::new(),
            claim_exists: kind != RecordKind::Claim,
        }
    }

    /// The same record after the node refused `envelope`.
    fn refused(mut self, envelope: String, refusals: Vec<RefusalRow>) -> Self {
        self.envelope = envelope;
        self.refusals = refusals;
        self
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct SendRecordFields {
    csrf: String,
    kind: String,
    claim: String,
    envelope: String,
}

/// The payload an envelope carries, for showing it again beside a refusal (nothing is trusted).
fn payload_of_envelope(envelope: &str) -> Vec<u8> {
    redline_hotline::Envelope::parse(envelope.as_bytes())
        .map(|envelope| envelope.payload)
        .unwrap_or_default()
}

/// Sends a pasted envelope to the node as the signed-in party; the claim page on success, the
/// node's refusal with each problem's field otherwise.
pub(crate) async fn send_record(
    State(state): State<AppState>,
    Extension(sessions): Extension<Sessions>,
    mut page: Page,
    headers: HeaderMap,
    Form(fields): Form<SendRecordFields>,
) -> Response {
    let signed =
        match signed_in_form_post(&state, &sessions, &headers, &mut page, &fields.csrf).await {
            Ok(signed) => signed,
            Err(response) => return response,
        };
    let Some(kind) = RecordKind::parse(&fields.kind) else {
        let problem = format!("`{}` is not a record of a claim", fields.kind);
        return PageError::new(page, NodeError::invalid("kind", problem)).into_response();
    };
    let envelope = fields.envelope.trim();
    let caller = Caller::Party(signed.party.clone());
    match send_to_node(&state.node, &caller, kind, envelope.as_bytes()).await {
        Ok(view) => Redirect::to(&format!(
            "/console/claims/{}?recorded={}",
            view.id,
            kind.as_str()
        ))
        .into_response(),
        Err(NodeError::Internal(message)) => {
            PageError::new(page, NodeError::Internal(message)).into_response()
        }
        Err(error) => {
            let claim = parse_claim_id(&fields.claim)
                .map(|id| id.to_string())
                .unwrap_or_default();
            let template = PreparedRecordTemplate::prepared(
                page,
                signed.csrf,
                claim,
                kind,
                &payload_of_envelope(envelope),
            )
            .refused(envelope.to_string(), refusal_rows(&error));
            let mut response = render(&template);
            *response.status_mut() = refusal_status(&error);
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_record_kind_reads_back_from_its_spelling() {
        for kind in RecordKind::ALL {
            assert_eq!(RecordKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(RecordKind::parse("sign"), None);
    }

    #[test]
    fn claim_paths_map_to_fields() {
        assert_eq!(claim_field_of_path("named.state"), Some("named_state"));
        assert_eq!(claim_field_of_path("named.party"), Some("named_party"));
        assert_eq!(claim_field_of_path("named.actor"), Some("actor"));
        assert_eq!(
            claim_field_of_path("evidence[0].reference"),
            Some("evidence")
        );
        assert_eq!(claim_field_of_path("basis"), Some("basis"));
        assert_eq!(claim_field_of_path("v"), None);
        assert_eq!(
            action_field_of_path("code_of_conduct.evidence-to-corroborate"),
            None
        );
        assert_eq!(action_field_of_path("remedies"), Some("remedies"));
    }

    #[test]
    fn evidence_lines_are_a_reference_and_an_optional_description() {
        let digest = format!("sha256:{}", "a".repeat(64));
        let evidence = evidence_json(&format!("{digest}  loader sample \n\n indicator--x\n"));
        assert_eq!(
            evidence,
            json!([
                { "reference": digest, "description": "loader sample" },
                { "reference": "indicator--x" }
            ])
        );
    }

    #[test]
    fn party_lists_take_commas_spaces_and_lines() {
        assert_eq!(party_list("GB, LV\nUS  "), vec!["GB", "LV", "US"]);
        assert!(party_list(" , ").is_empty());
    }

    #[test]
    fn a_refusal_names_each_field() {
        let error = NodeError::Invalid(vec![
            ValidationIssue::new(
                "code_of_conduct.consultation-before-naming",
                "consult first",
            ),
            ValidationIssue::new(".", "no field"),
        ]);
        let rows = refusal_rows(&error);
        assert_eq!(
            rows[0].field.as_deref(),
            Some("code_of_conduct.consultation-before-naming")
        );
        assert_eq!(rows[1].field, None);
        assert_eq!(refusal_status(&error), StatusCode::UNPROCESSABLE_ENTITY);
        let forbidden = NodeError::Forbidden("GB cannot sign in the name of EE".into());
        assert_eq!(refusal_rows(&forbidden)[0].field, None);
        assert_eq!(refusal_status(&forbidden), StatusCode::FORBIDDEN);
    }
}
