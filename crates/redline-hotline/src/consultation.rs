//! Consultation before naming, and the right of reply: the request a claimant sends to the state
//! its attribution claim names, that state's reply, a mediator's part, and the recorded outcome.
//!
//! OSCE CBM 3 asks states to hold consultations to reduce the risk of misperception; GGE 2015
//! para. 13(b) and its 2021 guidance ask states to weigh an incident's wider context and point to
//! consultation and peaceful settlement; ILC ARSIWA Art. 52(1) requires a call to comply and an
//! offer to negotiate before countermeasures (Tallinn 2.0 Rule 21 commentary). Each record is the
//! payload of a DSSE envelope signed with its author's hotline key, like a hotline message.
//!
//! Owns the three payloads, their parsing with a JSON path on every error, the state table
//! (requested → replied → concluded; a mediator may be invited on the way), the reply deadline
//! from the norms document's `consultation-reply` duty, and the facts the code of conduct reads.

use jiff::SignedDuration;
use redline_model::error::parse_json_with_path;
use redline_model::error::valid_or_invalid;
use redline_model::{ClaimId, ModelError, PartyId, Timestamp, ValidationIssue};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::deadline::{DutiesTable, DutyKind, deadline_for};

/// DSSE payload type of a consultation request.
pub const CONSULTATION_REQUEST_PAYLOAD_TYPE: &str =
    "application/vnd.redline.consultation-request+json";
/// DSSE payload type of a named state's reply.
pub const CONSULTATION_REPLY_PAYLOAD_TYPE: &str = "application/vnd.redline.consultation-reply+json";
/// DSSE payload type of a consultation's outcome.
pub const CONSULTATION_OUTCOME_PAYLOAD_TYPE: &str =
    "application/vnd.redline.consultation-outcome+json";
/// The payload version this module reads and writes.
pub const CONSULTATION_PAYLOAD_VERSION: u8 = 1;
/// The longest free-text position, in characters.
pub const MAXIMUM_POSITION_CHARACTERS: usize = 20_000;

/// A consultation's id.
pub type ConsultationId = Uuid;

redline_model::vocabulary! {
    /// What the requesting state asks of the named state (ILC ARSIWA Arts 30 and 31: cessation,
    /// assurances and guarantees of non-repetition, reparation; GGE 2015 13(h): cooperation).
    Remedy {
        Cessation => "cessation",
        Assurances => "assurances",
        Reparation => "reparation",
        Cooperation => "cooperation",
    }
}

redline_model::vocabulary! {
    /// The named state's answer.
    ReplyPosition {
        Deny => "deny",
        Acknowledge => "acknowledge",
        Explain => "explain",
        OfferJointInvestigation => "offer-joint-investigation",
        Cooperate => "cooperate",
    }
}

redline_model::vocabulary! {
    /// How a consultation ended.
    ConsultationOutcomeKind {
        Resolved => "resolved",
        JointInvestigationAgreed => "joint-investigation-agreed",
        ReferredToMediation => "referred-to-mediation",
        Failed => "failed",
    }
}

redline_model::vocabulary! {
    /// Where a consultation stands.
    ConsultationState {
        Requested => "requested",
        Replied => "replied",
        InMediation => "in-mediation",
        Concluded => "concluded",
    }
}

/// The claimant's request for consultation, with its structured positions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsultationRequest {
    pub v: u8,
    pub id: ConsultationId,
    pub claim: ClaimId,
    pub from: PartyId,
    /// The named state's party.
    pub to: PartyId,
    /// The facts as the requester sees them.
    pub facts: String,
    /// The requester's legal view.
    pub legal_view: String,
    pub remedies: Vec<Remedy>,
    /// A mediator invited from the start (the secretariat, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mediator: Option<PartyId>,
    pub sent_at: Timestamp,
}

/// The named state's reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsultationReply {
    pub v: u8,
    pub consultation: ConsultationId,
    pub from: PartyId,
    pub position: ReplyPosition,
    pub statement: String,
    pub sent_at: Timestamp,
}

/// The recorded outcome, by the requester or the mediator; `referred-to-mediation` names the
/// mediator and leaves the consultation open for the mediator's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsultationOutcome {
    pub v: u8,
    pub consultation: ConsultationId,
    pub from: PartyId,
    pub outcome: ConsultationOutcomeKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mediator: Option<PartyId>,
    pub statement: String,
    pub sent_at: Timestamp,
}

impl ConsultationRequest {
    pub fn parse(bytes: &[u8]) -> Result<Self, ModelError> {
        let request: Self = parse_json_with_path(bytes)?;
        let mut issues = Vec::new();
        check_version(request.v, &mut issues);
        check_text("facts", &request.facts, &mut issues);
        check_text("legal_view", &request.legal_view, &mut issues);
        if request.remedies.is_empty() {
            issues.push(ValidationIssue::new(
                "remedies",
                "name at least one remedy sought (cessation, assurances, reparation, cooperation)",
            ));
        }
        if request.to == request.from {
            issues.push(ValidationIssue::new("to", "a party cannot consult itself"));
        }
        if request
            .mediator
            .as_ref()
            .is_some_and(|mediator| *mediator == request.from || *mediator == request.to)
        {
            issues.push(ValidationIssue::new(
                "mediator",
                "a mediator is a third party, neither the requester nor the named state",
            ));
        }
        valid_or_invalid(request, issues)
    }

    pub fn to_payload_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

impl ConsultationReply {
    pub fn parse(bytes: &[u8]) -> Result<Self, ModelError> {
        let reply: Self = parse_json_with_path(bytes)?;
        let mut issues = Vec::new();
        check_version(reply.v, &mut issues);
        check_text("statement", &reply.statement, &mut issues);
        valid_or_invalid(reply, issues)
    }

    pub fn to_payload_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

impl ConsultationOutcome {
    pub fn parse(bytes: &[u8]) -> Result<Self, ModelError> {
        let outcome: Self = parse_json_with_path(bytes)?;
        let mut issues = Vec::new();
        check_version(outcome.v, &mut issues);
        check_text("statement", &outcome.statement, &mut issues);
        let names_mediator = outcome.mediator.is_some();
        let referred = outcome.outcome == ConsultationOutcomeKind::ReferredToMediation;
        if referred != names_mediator {
            issues.push(ValidationIssue::new(
                "mediator",
                "`referred-to-mediation` names the mediator; other outcomes name none",
            ));
        }
        valid_or_invalid(outcome, issues)
    }

    pub fn to_payload_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// A consultation as recorded: the request, the reply if any, the outcomes in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsultationRecord {
    pub request: ConsultationRequest,
    pub reply_by: Option<Timestamp>,
    pub reply: Option<ConsultationReply>,
    pub outcomes: Vec<ConsultationOutcome>,
}

/// Why a consultation record was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsultationRefusal {
    #[error("only the named state's party `{expected}` may reply to this consultation")]
    NotTheNamedParty { expected: PartyId },
    #[error("this consultation already has a reply")]
    AlreadyReplied,
    #[error("the consultation is concluded ({outcome}); nothing more can be added")]
    Concluded { outcome: ConsultationOutcomeKind },
    #[error(
        "only the requester, or the mediator once one is invited, may record an outcome; `{party}` is neither"
    )]
    NotRequesterOrMediator { party: PartyId },
    #[error("a mediator is a third party, neither the requester nor the named state")]
    MediatorIsAParticipant,
}

/// The reply deadline of a request sent at `sent_at` about an incident of `severity_level`:
/// the document's `consultation-reply` duty, or its `initial-reply` duty where it has none.
pub fn reply_deadline(
    duties: &DutiesTable,
    sent_at: Timestamp,
    severity_level: u8,
) -> Option<Timestamp> {
    let within: SignedDuration = duties
        .duty_for(DutyKind::ConsultationReply, severity_level)
        .or_else(|| duties.duty_for(DutyKind::InitialReply, severity_level))?;
    deadline_for(sent_at, within)
}

impl ConsultationRecord {
    pub fn new(request: ConsultationRequest, reply_by: Option<Timestamp>) -> Self {
        Self {
            request,
            reply_by,
            reply: None,
            outcomes: Vec::new(),
        }
    }

    /// The mediator currently invited, if any (the latest referral, or the request's).
    pub fn mediator(&self) -> Option<&PartyId> {
        self.outcomes
            .iter()
            .rev()
            .find_map(|outcome| outcome.mediator.as_ref())
            .or(self.request.mediator.as_ref())
    }

    /// The parties of the consultation: requester, named state, mediator.
    pub fn participants(&self) -> Vec<PartyId> {
        let mut participants = vec![self.request.from.clone(), self.request.to.clone()];
        if let Some(mediator) = self.mediator() {
            participants.push(mediator.clone());
        }
        participants
    }

    pub fn state(&self) -> ConsultationState {
        match self.outcomes.last().map(|outcome| outcome.outcome) {
            Some(ConsultationOutcomeKind::ReferredToMediation) => ConsultationState::InMediation,
            Some(_) => ConsultationState::Concluded,
            None if self.reply.is_some() => ConsultationState::Replied,
            None => ConsultationState::Requested,
        }
    }

    fn concluded_outcome(&self) -> Option<ConsultationOutcomeKind> {
        (self.state() == ConsultationState::Concluded)
            .then(|| self.outcomes.last().map(|outcome| outcome.outcome))
            .flatten()
    }

    /// Adds the named state's reply, or says why it cannot be added.
    pub fn with_reply(mut self, reply: ConsultationReply) -> Result<Self, ConsultationRefusal> {
        if let Some(outcome) = self.concluded_outcome() {
            return Err(ConsultationRefusal::Concluded { outcome });
        }
        if reply.from != self.request.to {
            return Err(ConsultationRefusal::NotTheNamedParty {
                expected: self.request.to.clone(),
            });
        }
        if self.reply.is_some() {
            return Err(ConsultationRefusal::AlreadyReplied);
        }
        self.reply = Some(reply);
        Ok(self)
    }

    /// Adds an outcome, or says why it cannot be added.
    pub fn with_outcome(
        mut self,
        outcome: ConsultationOutcome,
    ) -> Result<Self, ConsultationRefusal> {
        if let Some(concluded) = self.concluded_outcome() {
            return Err(ConsultationRefusal::Concluded { outcome: concluded });
        }
        let may_record =
            outcome.from == self.request.from || self.mediator() == Some(&outcome.from);
        if !may_record {
            return Err(ConsultationRefusal::NotRequesterOrMediator {
                party: outcome.from.clone(),
            });
        }
        if outcome
            .mediator
            .as_ref()
            .is_some_and(|mediator| *mediator == self.request.from || *mediator == self.request.to)
        {
            return Err(ConsultationRefusal::MediatorIsAParticipant);
        }
        self.outcomes.push(outcome);
        Ok(self)
    }

    /// What the code of conduct reads about this consultation at `now`.
    pub fn facts(&self, now: Timestamp) -> ConsultationFacts {
        ConsultationFacts {
            offered: true,
            answered: self.reply.is_some(),
            deadline_passed: self
                .reply_by
                .is_some_and(|deadline| crate::deadline::is_overdue(deadline, now)),
            reply_position: self.reply.as_ref().map(|reply| reply.position),
            outcome: self.outcomes.last().map(|outcome| outcome.outcome),
        }
    }
}

/// What the code of conduct reads about the consultation of a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConsultationFacts {
    pub offered: bool,
    pub answered: bool,
    pub deadline_passed: bool,
    pub reply_position: Option<ReplyPosition>,
    pub outcome: Option<ConsultationOutcomeKind>,
}

fn check_version(version: u8, issues: &mut Vec<ValidationIssue>) {
    if version != CONSULTATION_PAYLOAD_VERSION {
        issues.push(ValidationIssue::new(
            "v",
            format!("payload version {version} is not supported: expected {CONSULTATION_PAYLOAD_VERSION}"),
        ));
    }
}

fn check_text(path: &str, text: &str, issues: &mut Vec<ValidationIssue>) {
    redline_model::text::check_text(path, text, 1, MAXIMUM_POSITION_CHARACTERS, issues);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn party(id: &str) -> PartyId {
        PartyId::parse(id).expect("party id")
    }

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).expect("timestamp")
    }

    fn request() -> ConsultationRequest {
        ConsultationRequest {
            v: 1,
            id: Uuid::from_u128(1),
            claim: Uuid::from_u128(2),
            from: party("EE"),
            to: party("RU"),
            facts: "facts".into(),
            legal_view: "a breach of sovereignty".into(),
            remedies: vec![Remedy::Cessation],
            mediator: None,
            sent_at: at("2026-12-01T00:00:00Z"),
        }
    }

    fn reply(from: &str) -> ConsultationReply {
        ConsultationReply {
            v: 1,
            consultation: Uuid::from_u128(1),
            from: party(from),
            position: ReplyPosition::Deny,
            statement: "not us".into(),
            sent_at: at("2026-12-02T00:00:00Z"),
        }
    }

    fn outcome(
        from: &str,
        kind: ConsultationOutcomeKind,
        mediator: Option<&str>,
    ) -> ConsultationOutcome {
        ConsultationOutcome {
            v: 1,
            consultation: Uuid::from_u128(1),
            from: party(from),
            outcome: kind,
            mediator: mediator.map(party),
            statement: "recorded".into(),
            sent_at: at("2026-12-03T00:00:00Z"),
        }
    }

    #[test]
    fn the_state_table() {
        let record = ConsultationRecord::new(request(), Some(at("2026-12-08T00:00:00Z")));
        assert_eq!(record.state(), ConsultationState::Requested);
        assert_eq!(
            record.clone().with_reply(reply("LV")),
            Err(ConsultationRefusal::NotTheNamedParty {
                expected: party("RU")
            })
        );
        let replied = record
            .with_reply(reply("RU"))
            .expect("the named party replies");
        assert_eq!(replied.state(), ConsultationState::Replied);
        assert_eq!(
            replied.clone().with_reply(reply("RU")),
            Err(ConsultationRefusal::AlreadyReplied)
        );
        assert_eq!(
            replied
                .clone()
                .with_outcome(outcome("RU", ConsultationOutcomeKind::Resolved, None)),
            Err(ConsultationRefusal::NotRequesterOrMediator { party: party("RU") })
        );
        let mediated = replied
            .with_outcome(outcome(
                "EE",
                ConsultationOutcomeKind::ReferredToMediation,
                Some("osce"),
            ))
            .expect("the requester refers to mediation");
        assert_eq!(mediated.state(), ConsultationState::InMediation);
        assert_eq!(
            mediated.participants(),
            vec![party("EE"), party("RU"), party("osce")]
        );
        let concluded = mediated
            .with_outcome(outcome(
                "osce",
                ConsultationOutcomeKind::JointInvestigationAgreed,
                None,
            ))
            .expect("the mediator records the outcome");
        assert_eq!(concluded.state(), ConsultationState::Concluded);
        assert!(matches!(
            concluded.with_outcome(outcome("EE", ConsultationOutcomeKind::Failed, None)),
            Err(ConsultationRefusal::Concluded { .. })
        ));
    }

    #[test]
    fn the_reply_deadline_comes_from_the_documents_duty_and_passes_on_the_node_clock() {
        let mut duties = DutiesTable::default();
        duties.rules.push(crate::DutyRule {
            kind: DutyKind::ConsultationReply,
            from_level: 0,
            within: SignedDuration::from_hours(24 * 7),
        });
        let deadline = reply_deadline(&duties, at("2026-12-01T00:00:00Z"), 3);
        assert_eq!(deadline, Some(at("2026-12-08T00:00:00Z")));
        let record = ConsultationRecord::new(request(), deadline);
        assert!(!record.facts(at("2026-12-08T00:00:00Z")).deadline_passed);
        assert!(record.facts(at("2026-12-08T00:00:01Z")).deadline_passed);
        // Without a consultation-reply duty, the initial-reply duty applies.
        let fallback = reply_deadline(&DutiesTable::default(), at("2026-12-01T00:00:00Z"), 3);
        assert_eq!(fallback, Some(at("2026-12-02T00:00:00Z")));
    }

    #[test]
    fn a_request_names_what_is_wrong() {
        let mut bad = request();
        bad.remedies.clear();
        bad.mediator = Some(party("RU"));
        bad.facts = " ".into();
        let error = ConsultationRequest::parse(&bad.to_payload_bytes()).expect_err("invalid");
        let paths: Vec<String> = error.issues().into_iter().map(|issue| issue.path).collect();
        assert_eq!(paths, vec!["facts", "remedies", "mediator"]);
    }
}
