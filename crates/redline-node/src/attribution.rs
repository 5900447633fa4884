//! Attribution with a code of conduct: the use cases of filing, co-signing, publishing and
//! withdrawing an attribution claim, and of the consultation before naming (request, the named
//! state's reply, mediation, outcome).
//!
//! Every record is a DSSE envelope signed by its author's hotline key
//! (`redline_hotline::signed_record`), stored byte for byte with a summary row, and logged as the
//! hash of its envelope — in one commit. A claim is read under the TLP rule of its latest
//! version (`AttributionClaim::readership`, plus the consultation's mediators); a reader outside
//! it is told "not found". A claim is published only when the code of conduct of the applicable
//! norms document allows it (`redline_norms::code_of_conduct`), evaluated on the node's clock;
//! a refusal names each failed clause. Publishing, withdrawing, a reply and an outcome
//! re-assess the incident: the strongest published claim replaces the reporter's suspicion, and
//! an answered (or unanswered past its deadline) consultation counts as the prior consultation
//! the consultation-gated rungs need.

use std::collections::BTreeSet;

use redline_hotline::{
    ConsultationOutcome, ConsultationRecord, ConsultationReply, ConsultationRequest,
    ConsultationState, reply_deadline,
};
use redline_model::{
    AttributionClaim, ClaimAction, ClaimCosignature, ClaimDecision, ClaimId, ClaimStatus, Incident,
    IncidentId, PartyId, Reader, SuspectedOrigin, Timestamp,
    attribution::{CLAIM_DECISION_PAYLOAD_TYPE, CLAIM_PAYLOAD_TYPE, COSIGNATURE_PAYLOAD_TYPE},
};
use redline_norms::code_of_conduct::{
    ConductClaim, ConductConsultation, ConductCosigner, ConductDecision, ConductInput,
};
use redline_store::{
    AttributionRecord, AttributionRecordKind, ClaimQuery, ClaimSummary, PublishedClaimCount,
    StoreWrite,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::log::{LogEntry, LogEntryKind};
use crate::signed_records::{OpenedRecord, open_record};
use crate::{Caller, Node, NodeError};

/// Attribution writes of this process, one at a time: each reads a claim's records and writes
/// its summary, so two co-signatures must not both count from the same starting point.
static ATTRIBUTION_WRITES: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// One version of a claim as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimVersionView {
    pub claim: AttributionClaim,
    pub payload_digest: String,
    pub recorded_at: Timestamp,
    /// The signed envelope, so any reader can check the signature offline.
    pub envelope: serde_json::Value,
}

/// One co-signature as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CosignatureView {
    pub cosignature: ClaimCosignature,
    pub recorded_at: Timestamp,
    pub envelope: serde_json::Value,
}

/// One consultation with where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsultationView {
    pub id: Uuid,
    pub state: ConsultationState,
    pub record: ConsultationRecord,
}

/// A claim with its whole record, as a reader may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimView {
    pub id: ClaimId,
    pub status: ClaimStatus,
    pub published_at: Option<Timestamp>,
    /// Oldest first; the last is the current version.
    pub versions: Vec<ClaimVersionView>,
    /// Co-signatures of the current version.
    pub cosignatures: Vec<CosignatureView>,
    pub decisions: Vec<ClaimDecision>,
    pub consultations: Vec<ConsultationView>,
    /// What the code of conduct says of the current version now.
    pub code_of_conduct: Option<ConductDecision>,
}

impl ClaimView {
    /// The current version.
    pub fn current(&self) -> Option<&AttributionClaim> {
        self.versions.last().map(|version| &version.claim)
    }

    /// The named state's reply, from the latest consultation that has one.
    pub fn reply(&self) -> Option<&ConsultationReply> {
        self.consultations
            .iter()
            .rev()
            .find_map(|consultation| consultation.record.reply.as_ref())
    }
}

/// Whose assessment reads the claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClaimVisibility<'a> {
    /// The public pages: `clear` claims only.
    Public,
    /// The stored assessment, read by every reader of the incident: `clear` and `green`.
    EveryParty,
    /// One party's own view: also the restricted claims it may read.
    Reader(&'a PartyId),
}

/// A claim as lists show it (no envelopes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimSummaryView {
    pub id: ClaimId,
    pub incident: IncidentId,
    pub claimant: PartyId,
    pub named_state: redline_model::CountryCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub named_party: Option<PartyId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    pub version: u32,
    pub confidence: redline_model::Confidence,
    pub tlp: redline_model::Tlp,
    pub status: ClaimStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<Timestamp>,
    pub cosigners: u32,
    pub updated_at: Timestamp,
}

impl From<ClaimSummary> for ClaimSummaryView {
    fn from(summary: ClaimSummary) -> Self {
        Self {
            id: summary.claim_id,
            incident: summary.incident_id,
            claimant: summary.claimant,
            named_state: summary.named_state,
            named_party: summary.named_party,
            actor: summary.actor,
            version: summary.latest_version,
            confidence: summary.confidence,
            tlp: summary.tlp,
            status: summary.status,
            published_at: summary.published_at,
            cosigners: summary.cosigner_count,
            updated_at: summary.updated_at,
        }
    }
}

/// A named state's published `clear` claims, for the public scorecards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedStateCount {
    pub state: redline_model::CountryCode,
    pub published_claims: u64,
    /// Claims joined by at least one co-signer.
    pub joint_claims: u64,
}

impl From<PublishedClaimCount> for NamedStateCount {
    fn from(count: PublishedClaimCount) -> Self {
        Self {
            state: count.named_state,
            published_claims: count.claims,
            joint_claims: count.joint_claims,
        }
    }
}

/// What one claim's records say, rebuilt from the store.
struct ClaimRecords {
    versions: Vec<ClaimVersionView>,
    cosignatures: Vec<CosignatureView>,
    decisions: Vec<ClaimDecision>,
    consultations: Vec<ConsultationRecord>,
}

impl ClaimRecords {
    fn current(&self) -> Option<&ClaimVersionView> {
        self.versions.last()
    }

    fn status(&self) -> (ClaimStatus, Option<Timestamp>) {
        let Some(current) = self.current() else {
            return (ClaimStatus::Filed, None);
        };
        if self
            .decisions
            .iter()
            .any(|decision| decision.action == ClaimAction::Withdraw)
        {
            let published_at = self
                .decisions
                .iter()
                .find(|decision| decision.action == ClaimAction::Publish)
                .map(|decision| decision.signed_at);
            return (ClaimStatus::Withdrawn, published_at);
        }
        match self.decisions.iter().rev().find(|decision| {
            decision.action == ClaimAction::Publish && decision.version == current.claim.version
        }) {
            Some(decision) => (ClaimStatus::Published, Some(decision.signed_at)),
            None => (ClaimStatus::Filed, None),
        }
    }

    /// Applies a stored reply or outcome to its consultation while the records are read back
    /// (one the stored history no longer accepts means the database was altered).
    fn replay_on_consultation(
        &mut self,
        consultation: Uuid,
        what: &str,
        change: impl FnOnce(
            ConsultationRecord,
        ) -> Result<ConsultationRecord, redline_hotline::ConsultationRefusal>,
    ) -> Result<(), NodeError> {
        let Some(index) = self
            .consultations
            .iter()
            .position(|record| record.request.id == consultation)
        else {
            return Err(corrupt(
                what,
                format!("consultation {consultation} has no stored request before it"),
            ));
        };
        let record = self.consultations.remove(index);
        let changed = change(record).map_err(|error| corrupt(what, error))?;
        self.consultations.insert(index, changed);
        Ok(())
    }

    fn current_cosignatures(&self) -> Vec<&CosignatureView> {
        let Some(current) = self.current() else {
            return Vec::new();
        };
        self.cosignatures
            .iter()
            .filter(|cosignature| cosignature.cosignature.version == current.claim.version)
            .collect()
    }

    /// Readers of the current version: its TLP rule, plus every consultation's mediator.
    fn readers(&self) -> BTreeSet<PartyId> {
        let Some(current) = self.current() else {
            return BTreeSet::new();
        };
        let mut readers = current.claim.readership().addressed_to;
        for consultation in &self.consultations {
            readers.extend(consultation.participants());
        }
        readers
    }

    fn admits(&self, reader: Reader<'_>) -> bool {
        let Some(current) = self.current() else {
            return false;
        };
        let readership = redline_model::Readership::new(current.claim.tlp, self.readers());
        readership.admits(reader)
    }

    fn summary(&self, now: Timestamp) -> Option<ClaimSummary> {
        let current = &self.current()?.claim;
        let (status, published_at) = self.status();
        Some(ClaimSummary {
            claim_id: current.id,
            incident_id: current.incident.clone(),
            claimant: current.claimant.clone(),
            named_state: current.named.state.clone(),
            named_party: current.named.party.clone(),
            actor: current.named.actor.clone(),
            latest_version: current.version,
            confidence: current.confidence,
            tlp: current.tlp,
            readers: if current.tlp.is_restricted() {
                self.readers()
            } else {
                BTreeSet::new()
            },
            status,
            published_at,
            cosigner_count: u32::try_from(self.current_cosignatures().len()).unwrap_or(u32::MAX),
            updated_at: now,
        })
    }

    fn conduct_input(&self, now: Timestamp) -> Option<ConductInput> {
        let current = &self.current()?.claim;
        let consultation = self
            .consultations
            .iter()
            .rev()
            .find(|consultation| Some(&consultation.request.to) == current.named.party.as_ref())
            .map(|consultation| {
                let facts = consultation.facts(now);
                ConductConsultation {
                    offered: facts.offered,
                    answered: facts.answered,
                    deadline_passed: facts.deadline_passed,
                    reply_position: facts.reply_position.map(|word| word.as_str().to_string()),
                    outcome: facts.outcome.map(|word| word.as_str().to_string()),
                }
            })
            .unwrap_or_default();
        Some(ConductInput {
            claim: ConductClaim {
                confidence: current.confidence,
                analytic_confidence: current
                    .analytic_confidence
                    .map(|confidence| confidence.as_str().to_string()),
                basis: current.basis.clone(),
                relationship: current.relationship,
                named_state: current.named.state.as_str().to_string(),
                named_is_party: current.named.party.is_some(),
                actor: current.named.actor.clone(),
                evidence_count: current.evidence.len(),
                digest_evidence_count: current
                    .evidence
                    .iter()
                    .filter(|evidence| evidence.is_digest())
                    .count(),
                tlp: current.tlp,
                version: current.version,
            },
            cosigners: self
                .current_cosignatures()
                .iter()
                .map(|cosignature| ConductCosigner {
                    party: cosignature.cosignature.party.as_str().to_string(),
                    confidence: cosignature.cosignature.confidence,
                })
                .collect(),
            consultation,
        })
    }

    /// Whether the named party was consulted and answered, or let the deadline pass: the prior
    /// consultation that the consultation-gated rungs of the ladder need.
    fn consulted(&self, now: Timestamp) -> bool {
        self.conduct_input(now).is_some_and(|input| {
            input.consultation.offered
                && (input.consultation.answered || input.consultation.deadline_passed)
        })
    }
}

fn envelope_json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or(serde_json::Value::Null)
}

fn not_found(claim: impl std::fmt::Display) -> NodeError {
    NodeError::NotFound(format!("attribution claim {claim}"))
}

fn corrupt(what: &str, error: impl std::fmt::Display) -> NodeError {
    NodeError::Internal(format!("a stored {what} no longer parses: {error}"))
}

impl OpenedRecord {
    /// The row that keeps this record.
    fn into_record(
        self,
        claim_id: ClaimId,
        consultation_id: Option<Uuid>,
        kind: AttributionRecordKind,
        party: PartyId,
        recorded_at: Timestamp,
    ) -> AttributionRecord {
        AttributionRecord {
            sequence: 0,
            payload_digest: self.digest,
            claim_id,
            consultation_id,
            kind,
            party,
            recorded_at,
            envelope: self.envelope_text,
        }
    }
}

/// Which consultation a reply or an outcome amends, by whom, as what kind of record.
struct ConsultationAmendment {
    consultation: Uuid,
    author: PartyId,
    kind: AttributionRecordKind,
}

impl Node {
    /// Every record of a claim, parsed.
    async fn claim_records(&self, claim_id: ClaimId) -> Result<ClaimRecords, NodeError> {
        let rows = self.store.list_attribution_records(claim_id).await?;
        // Each consultation's reply deadline as it was set when requested (the duty then), not
        // recomputed from today's document and severity.
        let reply_deadlines = self.store.consultation_reply_deadlines(claim_id).await?;
        let mut records = ClaimRecords {
            versions: Vec::new(),
            cosignatures: Vec::new(),
            decisions: Vec::new(),
            consultations: Vec::new(),
        };
        for row in rows {
            let envelope = redline_hotline::Envelope::parse(row.envelope.as_bytes())
                .map_err(|error| corrupt("attribution envelope", error))?;
            let payload = envelope.payload.as_slice();
            match row.kind {
                AttributionRecordKind::Claim => records.versions.push(ClaimVersionView {
                    claim: AttributionClaim::parse(payload)
                        .map_err(|error| corrupt("claim", error))?,
                    payload_digest: row.payload_digest,
                    recorded_at: row.recorded_at,
                    envelope: envelope_json(&row.envelope),
                }),
                AttributionRecordKind::Cosignature => records.cosignatures.push(CosignatureView {
                    cosignature: ClaimCosignature::parse(payload)
                        .map_err(|error| corrupt("co-signature", error))?,
                    recorded_at: row.recorded_at,
                    envelope: envelope_json(&row.envelope),
                }),
                AttributionRecordKind::Decision => records.decisions.push(
                    ClaimDecision::parse(payload).map_err(|error| corrupt("decision", error))?,
                ),
                AttributionRecordKind::ConsultationRequest => {
                    let request = ConsultationRequest::parse(payload)
                        .map_err(|error| corrupt("consultation request", error))?;
                    let reply_by = *reply_deadlines.get(&request.id).ok_or_else(|| {
                        corrupt(
                            "consultation request",
                            format!("consultation {} has no stored deadline", request.id),
                        )
                    })?;
                    records
                        .consultations
                        .push(ConsultationRecord::new(request, reply_by));
                }
                AttributionRecordKind::ConsultationReply => {
                    let reply = ConsultationReply::parse(payload)
                        .map_err(|error| corrupt("consultation reply", error))?;
                    records.replay_on_consultation(
                        reply.consultation,
                        "consultation reply",
                        |record| record.with_reply(reply),
                    )?;
                }
                AttributionRecordKind::ConsultationOutcome => {
                    let outcome = ConsultationOutcome::parse(payload)
                        .map_err(|error| corrupt("consultation outcome", error))?;
                    records.replay_on_consultation(
                        outcome.consultation,
                        "consultation outcome",
                        |record| record.with_outcome(outcome),
                    )?;
                }
            }
        }
        Ok(records)
    }

    /// The reply deadline of a consultation request: the applicable document's
    /// `consultation-reply` duty at the incident's assessed severity.
    async fn consultation_deadline(&self, request: &ConsultationRequest) -> Option<Timestamp> {
        let claim = self.store.get_claim_summary(request.claim).await.ok()??;
        let incident = self.store.get_incident(&claim.incident_id).await.ok()??;
        let document = self.applicable_document(&incident.report).await?;
        let severity_level = self
            .store
            .get_latest_assessment(&claim.incident_id)
            .await
            .ok()
            .flatten()
            .and_then(|stored| {
                let json: serde_json::Value = serde_json::from_str(&stored.assessment_json).ok()?;
                json.pointer("/severity/level")?.as_u64()
            })
            .and_then(|level| u8::try_from(level).ok())
            .unwrap_or(0);
        reply_deadline(
            &crate::hotline::duties_table_of(&document),
            request.sent_at,
            severity_level,
        )
    }

    /// The claim `claim_id` as `party` reads it, when `party` is its claimant; `action` says
    /// what only the claimant may do, for the refusal.
    async fn claimant_records(
        &self,
        party: &PartyId,
        claim_id: ClaimId,
        action: &str,
    ) -> Result<ClaimRecords, NodeError> {
        let records = self
            .readable_claim(&Caller::Party(party.clone()), claim_id)
            .await?;
        let current = records.current().ok_or_else(|| not_found(claim_id))?;
        if &current.claim.claimant != party {
            return Err(NodeError::Forbidden(format!(
                "only the claimant {} {action}",
                current.claim.claimant
            )));
        }
        Ok(records)
    }

    /// The records of a claim the caller may read, or "not found".
    async fn readable_claim(
        &self,
        caller: &Caller,
        claim_id: ClaimId,
    ) -> Result<ClaimRecords, NodeError> {
        let records = self.claim_records(claim_id).await?;
        if records.current().is_none() || !records.admits(caller.reader()) {
            return Err(not_found(claim_id));
        }
        Ok(records)
    }

    /// Stores one record with the claim's new summary and the record's log entry, in one
    /// commit; then re-assesses the incident when `reassess` says so.
    async fn commit_attribution_record(
        &self,
        record: AttributionRecord,
        log_kind: LogEntryKind,
        records_after: &ClaimRecords,
        reassess: bool,
    ) -> Result<(), NodeError> {
        let now = self.now();
        let summary = records_after
            .summary(now)
            .ok_or_else(|| NodeError::Internal("a claim without a version".into()))?;
        let entry = LogEntry::new(
            log_kind,
            Some(record.party.as_str().to_string()),
            record.claim_id.to_string(),
            now,
            record.envelope.as_bytes(),
        );
        let consultation_timing = record
            .consultation_id
            .and_then(|consultation| consultation_timing(records_after, consultation));
        let consultation_events = consultation_events(records_after, &record, now);
        let told: Vec<PartyId> = consultation_events
            .iter()
            .map(|event| event.party.clone())
            .collect();
        let mut writes = vec![
            StoreWrite::InsertAttributionRecord(record),
            StoreWrite::PutClaimSummary(summary.clone()),
        ];
        writes.extend(consultation_timing.map(StoreWrite::PutConsultationSummary));
        if !consultation_events.is_empty() {
            writes.push(StoreWrite::InsertHotlineEvents(consultation_events));
        }
        let mut entries = vec![entry];
        if reassess
            && let Some(incident) = self.store.get_incident(&summary.incident_id).await?
            && let Some(assessment) = self
                .assessment_with_pending_claim(&incident, &summary, records_after)
                .await?
        {
            entries.push(crate::log::assessment_entry(None, &assessment));
            writes.push(StoreWrite::PutAssessment(assessment));
        }
        self.commit_logged(writes, entries)
            .await
            .map_err(|error| match error {
                NodeError::Conflict(_) => NodeError::Conflict(
                    "this signed record is stored already (a replay)".to_string(),
                ),
                other => other,
            })?;
        if !told.is_empty() {
            self.announce(told).await;
        }
        Ok(())
    }

    /// Files a claim version: the first (version 1, a new id) or an update by its claimant
    /// (the next version of a claim not withdrawn). The claimant must read the incident.
    pub async fn file_claim(&self, caller: &Caller, bytes: &[u8]) -> Result<ClaimView, NodeError> {
        let opened = open_record(bytes, CLAIM_PAYLOAD_TYPE)?;
        let claim = AttributionClaim::parse(&opened.payload)?;
        self.check_author(
            caller,
            &claim.claimant,
            bytes,
            claim.signed_at,
            "claimant",
            "signed_at",
        )
        .await?;
        let _guard = ATTRIBUTION_WRITES.lock().await;
        self.check_claim_subject(&claim).await?;
        let mut records = self.claim_records(claim.id).await?;
        match records.current() {
            None if claim.version != 1 => {
                return Err(NodeError::invalid(
                    "version",
                    format!(
                        "claim {} does not exist yet: its first version is 1",
                        claim.id
                    ),
                ));
            }
            None => {}
            Some(current) => {
                if current.claim.claimant != claim.claimant {
                    return Err(not_found(claim.id));
                }
                if records.status().0 == ClaimStatus::Withdrawn {
                    return Err(NodeError::Conflict(format!(
                        "claim {} is withdrawn; file a new claim instead",
                        claim.id
                    )));
                }
                if claim.version != current.claim.version + 1 {
                    return Err(NodeError::invalid(
                        "version",
                        format!(
                            "the next version of claim {} is {}, not {}",
                            claim.id,
                            current.claim.version + 1,
                            claim.version
                        ),
                    ));
                }
                if claim.incident != current.claim.incident {
                    return Err(NodeError::invalid(
                        "incident",
                        "a claim stays about one incident; file a new claim for another",
                    ));
                }
            }
        }
        let now = self.now();
        records.versions.push(ClaimVersionView {
            claim: claim.clone(),
            payload_digest: opened.digest.clone(),
            recorded_at: now,
            envelope: envelope_json(&opened.envelope_text),
        });
        let record = opened.into_record(
            claim.id,
            None,
            AttributionRecordKind::Claim,
            claim.claimant.clone(),
            now,
        );
        // An update of a published claim takes it off the public record until it is
        // published again (the code of conduct is checked anew): re-assess.
        let was_published = claim.version > 1;
        self.commit_attribution_record(
            record,
            LogEntryKind::AttributionClaim,
            &records,
            was_published,
        )
        .await?;
        tracing::info!(claim = %claim.id, version = claim.version, "attribution claim filed");
        self.claim_view(records, now)
    }

    /// What a claim names must exist: the incident (readable by the claimant) and, when given,
    /// the named party, which must be the named state's own party when it is a state.
    async fn check_claim_subject(&self, claim: &AttributionClaim) -> Result<(), NodeError> {
        let incident = self
            .store
            .get_incident(&claim.incident)
            .await?
            .filter(|incident| incident.admits(Reader::Party(&claim.claimant)))
            .ok_or_else(|| NodeError::NotFound(format!("incident {}", claim.incident)))?;
        let _: &Incident = &incident;
        // A named state that is a party must be named as the party, so the code of conduct
        // offers it consultation: leaving `named.party` out cannot skip that clause.
        if claim.named.party.is_none()
            && let Ok(state_party) = PartyId::parse(claim.named.state.as_str())
            && self.store.get_party(&state_party).await?.is_some()
        {
            return Err(NodeError::invalid(
                "named.party",
                format!(
                    "{} is a party of this node: name it as `named.party` so it is offered consultation before naming",
                    claim.named.state.as_str()
                ),
            ));
        }
        if let Some(named_party) = &claim.named.party {
            let party = self.store.get_party(named_party).await?.ok_or_else(|| {
                NodeError::invalid(
                    "named.party",
                    format!("{named_party} is not a party of this node"),
                )
            })?;
            if let Some(country) = party.id.as_country()
                && country != claim.named.state
            {
                return Err(NodeError::invalid(
                    "named.party",
                    format!(
                        "party {} is the state {}, not the named state {}",
                        party.id,
                        country.as_str(),
                        claim.named.state.as_str()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A party joins the current version of a claim it may read, with its own signature over
    /// the claim digest and its own likelihood.
    pub async fn cosign_claim(
        &self,
        caller: &Caller,
        bytes: &[u8],
    ) -> Result<ClaimView, NodeError> {
        let opened = open_record(bytes, COSIGNATURE_PAYLOAD_TYPE)?;
        let cosignature = ClaimCosignature::parse(&opened.payload)?;
        self.check_author(
            caller,
            &cosignature.party,
            bytes,
            cosignature.signed_at,
            "party",
            "signed_at",
        )
        .await?;
        let _guard = ATTRIBUTION_WRITES.lock().await;
        let mut records = self
            .readable_claim(&Caller::Party(cosignature.party.clone()), cosignature.claim)
            .await?;
        let current = records
            .current()
            .ok_or_else(|| not_found(cosignature.claim))?;
        Self::check_covers_current(current, cosignature.version, &cosignature.claim_digest)?;
        if current.claim.claimant == cosignature.party {
            return Err(NodeError::invalid(
                "party",
                "the claimant cannot co-sign its own claim",
            ));
        }
        if current.claim.named.party.as_ref() == Some(&cosignature.party) {
            return Err(NodeError::invalid(
                "party",
                "the named state cannot co-sign a claim against itself; it answers through the consultation",
            ));
        }
        if records.status().0 == ClaimStatus::Withdrawn {
            return Err(NodeError::Conflict(format!(
                "claim {} is withdrawn",
                cosignature.claim
            )));
        }
        if records
            .current_cosignatures()
            .iter()
            .any(|existing| existing.cosignature.party == cosignature.party)
        {
            return Err(NodeError::Conflict(format!(
                "{} has co-signed version {} already",
                cosignature.party, cosignature.version
            )));
        }
        let now = self.now();
        records.cosignatures.push(CosignatureView {
            cosignature: cosignature.clone(),
            recorded_at: now,
            envelope: envelope_json(&opened.envelope_text),
        });
        let published = records.status().0 == ClaimStatus::Published;
        let record = opened.into_record(
            cosignature.claim,
            None,
            AttributionRecordKind::Cosignature,
            cosignature.party.clone(),
            now,
        );
        self.commit_attribution_record(
            record,
            LogEntryKind::AttributionCosignature,
            &records,
            published,
        )
        .await?;
        self.share_claim_in_taxii(&records).await;
        self.claim_view(records, now)
    }

    fn check_covers_current(
        current: &ClaimVersionView,
        version: u32,
        digest: &str,
    ) -> Result<(), NodeError> {
        if version != current.claim.version {
            return Err(NodeError::Conflict(format!(
                "version {version} is not the current version {} of the claim",
                current.claim.version
            )));
        }
        if digest != current.payload_digest {
            return Err(NodeError::invalid(
                "claim_digest",
                format!(
                    "{digest} is not the digest of version {version} ({})",
                    current.payload_digest
                ),
            ));
        }
        Ok(())
    }

    /// The claimant publishes the current version — only when the code of conduct allows it
    /// now; a refusal names every failed clause — or withdraws the claim.
    pub async fn decide_claim(
        &self,
        caller: &Caller,
        bytes: &[u8],
    ) -> Result<ClaimView, NodeError> {
        let opened = open_record(bytes, CLAIM_DECISION_PAYLOAD_TYPE)?;
        let decision = ClaimDecision::parse(&opened.payload)?;
        self.check_author(
            caller,
            &decision.party,
            bytes,
            decision.signed_at,
            "party",
            "signed_at",
        )
        .await?;
        let _guard = ATTRIBUTION_WRITES.lock().await;
        let mut records = self
            .claimant_records(
                &decision.party,
                decision.claim,
                "publishes or withdraws this claim",
            )
            .await?;
        let current = records.current().ok_or_else(|| not_found(decision.claim))?;
        Self::check_covers_current(current, decision.version, &decision.claim_digest)?;
        let now = self.now();
        let (status, _) = records.status();
        match (decision.action, status) {
            (_, ClaimStatus::Withdrawn) => {
                return Err(NodeError::Conflict(format!(
                    "claim {} is withdrawn already",
                    decision.claim
                )));
            }
            (ClaimAction::Publish, ClaimStatus::Published) => {
                return Err(NodeError::Conflict(format!(
                    "version {} of claim {} is published already",
                    decision.version, decision.claim
                )));
            }
            (ClaimAction::Publish, _) => {
                let verdict = self.code_of_conduct_verdict(&records, now).await?;
                if !verdict.allows_publication() {
                    return Err(NodeError::Invalid(
                        verdict
                            .failed
                            .iter()
                            .map(|clause| {
                                redline_model::ValidationIssue::new(
                                    format!("code_of_conduct.{}", clause.id),
                                    format!("{} [{}]", clause.refusal, clause.basis),
                                )
                            })
                            .collect(),
                    ));
                }
            }
            (ClaimAction::Withdraw, _) => {}
        }
        records.decisions.push(decision.clone());
        let record = opened.into_record(
            decision.claim,
            None,
            AttributionRecordKind::Decision,
            decision.party.clone(),
            now,
        );
        self.commit_attribution_record(record, LogEntryKind::AttributionDecision, &records, true)
            .await?;
        self.share_claim_in_taxii(&records).await;
        tracing::info!(claim = %decision.claim, action = decision.action.as_str(), "attribution claim decided");
        self.claim_view(records, now)
    }

    /// The code of conduct of the document that applies to the claim's incident.
    async fn code_of_conduct_verdict(
        &self,
        records: &ClaimRecords,
        now: Timestamp,
    ) -> Result<ConductDecision, NodeError> {
        let current = records
            .current()
            .ok_or_else(|| NodeError::Internal("no version".into()))?;
        let incident = self
            .store
            .get_incident(&current.claim.incident)
            .await?
            .ok_or_else(|| NodeError::NotFound(format!("incident {}", current.claim.incident)))?;
        let document = self
            .applicable_document(&incident.report)
            .await
            .ok_or_else(|| NodeError::Internal("no norms document is loaded".into()))?;
        let input = records
            .conduct_input(now)
            .ok_or_else(|| NodeError::Internal("no version".into()))?;
        Ok(document.code_of_conduct.decide(&input))
    }

    /// The claimant asks the named state's party for consultation, with its positions; the
    /// reply deadline comes from the applicable document's duties.
    pub async fn request_consultation(
        &self,
        caller: &Caller,
        bytes: &[u8],
    ) -> Result<ClaimView, NodeError> {
        let opened = open_record(
            bytes,
            redline_hotline::consultation::CONSULTATION_REQUEST_PAYLOAD_TYPE,
        )?;
        let request = ConsultationRequest::parse(&opened.payload)?;
        self.check_author(
            caller,
            &request.from,
            bytes,
            request.sent_at,
            "from",
            "sent_at",
        )
        .await?;
        let _guard = ATTRIBUTION_WRITES.lock().await;
        let mut records = self
            .claimant_records(
                &request.from,
                request.claim,
                "requests consultation on this claim",
            )
            .await?;
        let current = records.current().ok_or_else(|| not_found(request.claim))?;
        if current.claim.named.party.as_ref() != Some(&request.to) {
            return Err(NodeError::invalid(
                "to",
                format!(
                    "the consultation goes to the named state's party ({}), not {}",
                    current.claim.named.party.as_ref().map_or(
                        "none: the named state is not a party".to_string(),
                        ToString::to_string
                    ),
                    request.to
                ),
            ));
        }
        if let Some(mediator) = &request.mediator
            && self.store.get_party(mediator).await?.is_none()
        {
            return Err(NodeError::invalid(
                "mediator",
                format!("{mediator} is not a party of this node"),
            ));
        }
        if records
            .consultations
            .iter()
            .any(|consultation| consultation.request.id == request.id)
        {
            return Err(NodeError::Conflict(format!(
                "consultation {} exists already",
                request.id
            )));
        }
        if self
            .store
            .claim_of_consultation(request.id)
            .await?
            .is_some()
        {
            return Err(NodeError::Conflict(format!(
                "consultation {} exists already",
                request.id
            )));
        }
        let reply_by = self.consultation_deadline(&request).await;
        records
            .consultations
            .push(ConsultationRecord::new(request.clone(), reply_by));
        let now = self.now();
        let record = opened.into_record(
            request.claim,
            Some(request.id),
            AttributionRecordKind::ConsultationRequest,
            request.from.clone(),
            now,
        );
        self.commit_attribution_record(record, LogEntryKind::Consultation, &records, false)
            .await?;
        self.claim_view(records, now)
    }

    /// The named state's reply to a consultation.
    pub async fn reply_to_consultation(
        &self,
        caller: &Caller,
        bytes: &[u8],
    ) -> Result<ClaimView, NodeError> {
        let opened = open_record(
            bytes,
            redline_hotline::consultation::CONSULTATION_REPLY_PAYLOAD_TYPE,
        )?;
        let reply = ConsultationReply::parse(&opened.payload)?;
        self.check_author(caller, &reply.from, bytes, reply.sent_at, "from", "sent_at")
            .await?;
        let amendment = ConsultationAmendment {
            consultation: reply.consultation,
            author: reply.from.clone(),
            kind: AttributionRecordKind::ConsultationReply,
        };
        self.amend_consultation(amendment, opened, |record| {
            if record.request.to != reply.from {
                return Err(None);
            }
            record
                .with_reply(reply)
                .map_err(|refusal| Some(NodeError::Conflict(refusal.to_string())))
        })
        .await
    }

    /// The requester (or the invited mediator) records the consultation's outcome; a referral
    /// to mediation invites the mediator it names.
    pub async fn record_consultation_outcome(
        &self,
        caller: &Caller,
        bytes: &[u8],
    ) -> Result<ClaimView, NodeError> {
        let opened = open_record(
            bytes,
            redline_hotline::consultation::CONSULTATION_OUTCOME_PAYLOAD_TYPE,
        )?;
        let outcome = ConsultationOutcome::parse(&opened.payload)?;
        self.check_author(
            caller,
            &outcome.from,
            bytes,
            outcome.sent_at,
            "from",
            "sent_at",
        )
        .await?;
        if let Some(mediator) = &outcome.mediator
            && self.store.get_party(mediator).await?.is_none()
        {
            return Err(NodeError::invalid(
                "mediator",
                format!("{mediator} is not a party of this node"),
            ));
        }
        let amendment = ConsultationAmendment {
            consultation: outcome.consultation,
            author: outcome.from.clone(),
            kind: AttributionRecordKind::ConsultationOutcome,
        };
        self.amend_consultation(amendment, opened, |record| {
            if !record.participants().contains(&outcome.from) {
                return Err(None);
            }
            record
                .with_outcome(outcome)
                .map_err(|refusal| Some(NodeError::Forbidden(refusal.to_string())))
        })
        .await
    }

    /// A reply or an outcome added to a consultation: find its claim as the author may read
    /// it, apply `change` to the consultation (`Err(None)`: the author is no participant, told
    /// "not found"), then store, log, re-assess and share as one.
    async fn amend_consultation(
        &self,
        amendment: ConsultationAmendment,
        opened: OpenedRecord,
        change: impl FnOnce(ConsultationRecord) -> Result<ConsultationRecord, Option<NodeError>>,
    ) -> Result<ClaimView, NodeError> {
        let _guard = ATTRIBUTION_WRITES.lock().await;
        let unknown = || NodeError::NotFound(format!("consultation {}", amendment.consultation));
        let claim_id = self
            .store
            .claim_of_consultation(amendment.consultation)
            .await?
            .ok_or_else(unknown)?;
        let mut records = self
            .readable_claim(&Caller::Party(amendment.author.clone()), claim_id)
            .await
            .map_err(|_| unknown())?;
        let index = records
            .consultations
            .iter()
            .position(|record| record.request.id == amendment.consultation)
            .ok_or_else(unknown)?;
        let record = records.consultations.remove(index);
        let changed = change(record).map_err(|refusal| refusal.unwrap_or_else(unknown))?;
        records.consultations.insert(index, changed);
        let now = self.now();
        let stored = opened.into_record(
            claim_id,
            Some(amendment.consultation),
            amendment.kind,
            amendment.author,
            now,
        );
        self.commit_attribution_record(stored, LogEntryKind::Consultation, &records, true)
            .await?;
        self.share_claim_in_taxii(&records).await;
        self.claim_view(records, now)
    }

    fn claim_view(&self, records: ClaimRecords, now: Timestamp) -> Result<ClaimView, NodeError> {
        let current = records
            .current()
            .ok_or_else(|| NodeError::Internal("a claim without a version".into()))?;
        let id = current.claim.id;
        let (status, published_at) = records.status();
        let cosignatures = records
            .current_cosignatures()
            .into_iter()
            .cloned()
            .collect();
        let consultations = records
            .consultations
            .iter()
            .map(|record| ConsultationView {
                id: record.request.id,
                state: record.state(),
                record: record.clone(),
            })
            .collect();
        let _ = now;
        Ok(ClaimView {
            id,
            status,
            published_at,
            versions: records.versions,
            cosignatures,
            decisions: records.decisions,
            consultations,
            code_of_conduct: None,
        })
    }

    /// A claim with its whole record, or "not found" for a caller outside its readers.
    pub async fn get_claim(
        &self,
        caller: &Caller,
        claim_id: ClaimId,
    ) -> Result<ClaimView, NodeError> {
        let records = self.readable_claim(caller, claim_id).await?;
        let now = self.now();
        let verdict = self.code_of_conduct_verdict(&records, now).await.ok();
        let mut view = self.claim_view(records, now)?;
        view.code_of_conduct = verdict;
        // A consultation's positions are for its participants (and the operator); other
        // readers of the claim see where it stands and the reply.
        if let Caller::Party(party) = caller {
            for consultation in &mut view.consultations {
                if !consultation.record.participants().contains(party) {
                    consultation.record.request.facts = String::new();
                    consultation.record.request.legal_view = String::new();
                }
            }
        }
        Ok(view)
    }

    /// Claims the caller may read, newest first (TLP applied in the store).
    pub async fn list_claims(
        &self,
        caller: &Caller,
        incident: Option<IncidentId>,
        limit: u32,
    ) -> Result<Vec<ClaimSummaryView>, NodeError> {
        let visible_to = match caller {
            Caller::Operator => None,
            Caller::Party(party) => Some(Some(party.clone())),
        };
        Ok(self
            .store
            .list_claim_summaries(&ClaimQuery {
                visible_to,
                incident,
                limit,
                ..ClaimQuery::default()
            })
            .await?
            .into_iter()
            .map(ClaimSummaryView::from)
            .collect())
    }

    /// A published `clear` claim with its co-signers and the named state's reply, for the
    /// public claim page; anything else is "not found".
    pub async fn public_claim(&self, claim_id: ClaimId) -> Result<ClaimView, NodeError> {
        let records = self.claim_records(claim_id).await?;
        let (status, published_at) = records.status();
        let public = records
            .current()
            .is_some_and(|current| current.claim.tlp == redline_model::Tlp::Clear)
            && published_at.is_some()
            && status != ClaimStatus::Filed;
        if !public {
            return Err(not_found(claim_id));
        }
        let now = self.now();
        let mut view = self.claim_view(records, now)?;
        // Consultation content is for its participants: the public sees where it stands and
        // the reply the named state gave, not the requester's positions.
        for consultation in &mut view.consultations {
            consultation.record.request.facts = String::new();
            consultation.record.request.legal_view = String::new();
        }
        Ok(view)
    }

    /// Published `clear` claims, newest first, for the public pages.
    pub async fn public_claims(&self, limit: u32) -> Result<Vec<ClaimSummaryView>, NodeError> {
        Ok(self
            .store
            .list_claim_summaries(&ClaimQuery {
                visible_to: Some(None),
                limit,
                ..ClaimQuery::default()
            })
            .await?
            .into_iter()
            .map(ClaimSummaryView::from)
            .collect())
    }

    /// Published `clear` claims per named state, for the public scorecards.
    pub async fn published_claim_counts(&self) -> Result<Vec<NamedStateCount>, NodeError> {
        Ok(self
            .store
            .published_claim_counts()
            .await?
            .into_iter()
            .map(NamedStateCount::from)
            .collect())
    }

    /// What the assessment of an incident reads from its claims: the strongest published claim
    /// (highest likelihood, then most co-signers, then the earliest published) and whether its
    /// named state was consulted.
    /// `visibility` says whose assessment it is: the public pages read `clear` claims; the
    /// stored assessment, which every reader of the incident gets, reads `clear` and `green`
    /// ones; a party's own view adds the restricted claims it may read.
    pub(crate) async fn attribution_circumstances(
        &self,
        incident: &IncidentId,
        visibility: ClaimVisibility<'_>,
    ) -> Result<(Option<redline_norms::ClaimAttribution>, bool), NodeError> {
        self.attribution_circumstances_with(incident, visibility, None)
            .await
            .map(|(attribution, consulted, _)| (attribution, consulted))
    }

    /// The assessment `caller` reads for `incident` when a restricted claim it may read is the
    /// strongest: recomputed for that reader (the stored one, which others read, never rests on
    /// it). `None` when the stored assessment is the caller's too.
    pub(crate) async fn assessment_for_reader(
        &self,
        caller: &Caller,
        incident: &Incident,
    ) -> Result<Option<String>, NodeError> {
        let Caller::Party(party) = caller else {
            return Ok(None);
        };
        let (attribution_claim, prior_consultation, restricted) = self
            .attribution_circumstances_with(&incident.id, ClaimVisibility::Reader(party), None)
            .await?;
        if !restricted {
            return Ok(None);
        }
        let Some(document) = self.applicable_document(&incident.report).await else {
            return Ok(None);
        };
        let assessment = redline_norms::assess_with(
            &incident.report,
            &document,
            &redline_norms::Circumstances {
                prior_consultation,
                withhold_suspected_state: false,
                attribution_claim,
            },
        );
        Ok(Some(
            String::from_utf8_lossy(&assessment.to_json_bytes()).into_owned(),
        ))
    }

    /// The incident's assessment as it will be once `pending` (a claim's new summary and
    /// records, committed together with this assessment) is stored.
    async fn assessment_with_pending_claim(
        &self,
        incident: &Incident,
        pending: &ClaimSummary,
        pending_records: &ClaimRecords,
    ) -> Result<Option<redline_store::StoredAssessment>, NodeError> {
        let Some(document) = self.applicable_document(&incident.report).await else {
            return Ok(None);
        };
        let (attribution_claim, prior_consultation) = self
            .attribution_circumstances_with(
                &incident.id,
                ClaimVisibility::EveryParty,
                Some((pending, pending_records)),
            )
            .await
            .map(|(attribution, consulted, _)| (attribution, consulted))?;
        let assessment = redline_norms::assess_with(
            &incident.report,
            &document,
            &redline_norms::Circumstances {
                prior_consultation,
                withhold_suspected_state: false,
                attribution_claim,
            },
        );
        Ok(Some(redline_store::StoredAssessment {
            incident_id: incident.id.clone(),
            incident_version: incident.version,
            norms_sha256: document.sha256.clone(),
            assessed_at: self.now(),
            assessment_json: String::from_utf8_lossy(&assessment.to_json_bytes()).into_owned(),
        }))
    }

    async fn attribution_circumstances_with(
        &self,
        incident: &IncidentId,
        visibility: ClaimVisibility<'_>,
        pending: Option<(&ClaimSummary, &ClaimRecords)>,
    ) -> Result<(Option<redline_norms::ClaimAttribution>, bool, bool), NodeError> {
        let mut summaries = self
            .store
            .list_claim_summaries(&ClaimQuery {
                incident: Some(incident.clone()),
                status: Some(ClaimStatus::Published),
                limit: 1_000,
                ..ClaimQuery::default()
            })
            .await?;
        if let Some((pending_summary, _)) = pending {
            summaries.retain(|summary| summary.claim_id != pending_summary.claim_id);
            if pending_summary.status == ClaimStatus::Published {
                summaries.push(pending_summary.clone());
            }
        }
        let readable = |summary: &&ClaimSummary| match (summary.tlp, visibility) {
            (redline_model::Tlp::Clear, _) => true,
            (redline_model::Tlp::Green, visibility) => visibility != ClaimVisibility::Public,
            (_, ClaimVisibility::Reader(party)) => summary.readers.contains(party),
            _ => false,
        };
        let Some(strongest) = summaries.iter().filter(readable).max_by(|left, right| {
            left.confidence
                .cmp(&right.confidence)
                .then(left.cosigner_count.cmp(&right.cosigner_count))
                .then(right.published_at.cmp(&left.published_at))
        }) else {
            return Ok((None, false, false));
        };
        let restricted = strongest.tlp.is_restricted();
        let stored_records;
        let records = match pending {
            Some((pending_summary, pending_records))
                if pending_summary.claim_id == strongest.claim_id =>
            {
                pending_records
            }
            _ => {
                stored_records = self.claim_records(strongest.claim_id).await?;
                &stored_records
            }
        };
        let Some(current) = records.current() else {
            return Ok((None, false, false));
        };
        let claim = &current.claim;
        let attribution = redline_norms::ClaimAttribution {
            claim: format!("{} v{}", claim.id, claim.version),
            claimant: claim.claimant.to_string(),
            cosigners: records
                .current_cosignatures()
                .iter()
                .map(|cosignature| cosignature.cosignature.party.to_string())
                .collect(),
            origin: SuspectedOrigin {
                state: claim.named.state.clone(),
                confidence: claim.confidence,
                basis: claim.basis.clone(),
                relationship: claim.relationship,
            },
        };
        Ok((Some(attribution), records.consulted(self.now()), restricted))
    }

    // --- STIX ----------------------------------------------------------------------------------

    /// A claim the caller may read as STIX 2.1 (a report by the claimant holding the actor, the
    /// named state and the `attributed-to` relationships; co-signatures and the reply as
    /// opinions), in a bundle.
    pub async fn claim_stix_bundle(
        &self,
        caller: &Caller,
        claim_id: ClaimId,
    ) -> Result<redline_stix::Bundle, NodeError> {
        let records = self.readable_claim(caller, claim_id).await?;
        let export = stix_export(&records)?;
        let objects = redline_stix::claim_to_stix(&export);
        let bundle_id = redline_stix::attribution::claim_object_id(
            "bundle",
            claim_id,
            export.claim.version,
            "bundle",
        );
        Ok(redline_stix::Bundle::new(bundle_id, objects))
    }

    /// A published claim every party may read (`clear` or `green`) goes to the shared TAXII
    /// collection, so TAXII clients receive it; each later change adds its new object versions.
    /// A failure is logged: the claim stands either way.
    async fn share_claim_in_taxii(&self, records: &ClaimRecords) {
        let Some(current) = records.current() else {
            return;
        };
        let shareable = matches!(
            current.claim.tlp,
            redline_model::Tlp::Clear | redline_model::Tlp::Green
        );
        let (_, published_at) = records.status();
        if !shareable || published_at.is_none() {
            return;
        }
        let Ok(Some(_)) = self
            .store
            .get_taxii_collection(crate::sharing::SHARED_COLLECTION_ID)
            .await
        else {
            return;
        };
        let export = match stix_export(records) {
            Ok(export) => export,
            Err(error) => {
                tracing::error!(%error, "a claim could not be exported to STIX");
                return;
            }
        };
        let objects = redline_stix::claim_to_stix(&export);
        let envelope = serde_json::json!({ "objects": objects });
        if let Err(error) = self
            .add_objects(
                &Caller::Operator,
                crate::sharing::SHARED_COLLECTION_ID,
                envelope.to_string().as_bytes(),
            )
            .await
        {
            tracing::error!(%error, claim = %current.claim.id, "sharing a claim over TAXII failed");
        }
    }
}

/// The events a consultation record puts on its participants' streams (all but its author):
/// a request reaches the named state's duty officer like a hotline notification, with its
/// reply deadline; a reply or an outcome reaches the requester and the mediator.
fn consultation_events(
    records: &ClaimRecords,
    record: &AttributionRecord,
    now: Timestamp,
) -> Vec<redline_store::HotlineEvent> {
    let Some(consultation_id) = record.consultation_id else {
        return Vec::new();
    };
    let Some(consultation) = records
        .consultations
        .iter()
        .find(|consultation| consultation.request.id == consultation_id)
    else {
        return Vec::new();
    };
    let action = match record.kind {
        AttributionRecordKind::ConsultationRequest => "requested",
        AttributionRecordKind::ConsultationReply => "replied",
        AttributionRecordKind::ConsultationOutcome => "outcome",
        _ => return Vec::new(),
    };
    let detail = serde_json::json!({
        "consultation": consultation_id,
        "claim": consultation.request.claim,
        "action": action,
        "from": record.party,
        "state": consultation.state().as_str(),
        "reply_by": consultation.reply_by,
    })
    .to_string();
    consultation
        .participants()
        .into_iter()
        .filter(|party| *party != record.party)
        .map(|party| redline_store::HotlineEvent {
            sequence: 0,
            party,
            kind: "consultation".to_string(),
            thread_id: consultation_id,
            message_id: None,
            created_at: now,
            detail: detail.clone(),
        })
        .collect()
}

/// A consultation's timing row: when it was asked, due and answered (never its content).
fn consultation_timing(
    records: &ClaimRecords,
    consultation: Uuid,
) -> Option<redline_store::ConsultationSummary> {
    let record = records
        .consultations
        .iter()
        .find(|record| record.request.id == consultation)?;
    Some(redline_store::ConsultationSummary {
        consultation_id: consultation,
        claim_id: record.request.claim,
        requester: record.request.from.clone(),
        named_party: record.request.to.clone(),
        requested_at: record.request.sent_at,
        reply_by: record.reply_by,
        replied_at: record.reply.as_ref().map(|reply| reply.sent_at),
        outcome: record
            .outcomes
            .last()
            .map(|outcome| outcome.outcome.as_str().to_string()),
    })
}

/// What the STIX mapping needs of a claim's records.
fn stix_export(records: &ClaimRecords) -> Result<redline_stix::ClaimExport, NodeError> {
    let current = records
        .current()
        .ok_or_else(|| NodeError::Internal("a claim without a version".into()))?;
    let (status, published_at) = records.status();
    let standing = match (status, published_at) {
        (ClaimStatus::Filed, _) => redline_stix::attribution::ClaimStanding::Filed,
        (ClaimStatus::Published, Some(published_at)) => {
            redline_stix::attribution::ClaimStanding::Published { published_at }
        }
        (ClaimStatus::Published, None) => redline_stix::attribution::ClaimStanding::Filed,
        (ClaimStatus::Withdrawn, published_at) => {
            let withdrawn_at = records
                .decisions
                .iter()
                .rev()
                .find(|decision| decision.action == ClaimAction::Withdraw)
                .map_or(current.claim.signed_at, |decision| decision.signed_at);
            redline_stix::attribution::ClaimStanding::Withdrawn {
                published_at,
                withdrawn_at,
            }
        }
    };
    let reply = records
        .consultations
        .iter()
        .rev()
        .filter_map(|consultation| consultation.reply.as_ref())
        .find(|reply| Some(&reply.from) == current.claim.named.party.as_ref())
        .and_then(|reply| {
            Some(redline_stix::attribution::NamedStateReply {
                from: reply.from.clone(),
                position: redline_stix::attribution::ReplyStance::parse(reply.position.as_str())?,
                statement: reply.statement.clone(),
                sent_at: reply.sent_at,
            })
        });
    let incident = redline_stix::StixIdentifier::parse(current.claim.incident.as_str())
        .map_err(|error| NodeError::Internal(format!("the incident id as STIX: {error}")))?;
    Ok(redline_stix::ClaimExport {
        claim: current.claim.clone(),
        standing,
        cosignatures: records
            .current_cosignatures()
            .iter()
            .map(|cosignature| cosignature.cosignature.clone())
            .collect(),
        reply,
        incident,
    })
}
