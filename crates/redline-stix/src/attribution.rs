//! Attribution claims ↔ STIX 2.1: a claim version, its co-signatures and the named state's reply
//! as the objects STIX 2.1 suggests for a public attribution (next-capabilities.md §4.4), and
//! those objects read back as plain facts.
//!
//! What a claim version becomes ([`claim_to_stix`]):
//! - a `report` by the claimant's `identity` (`report_types` `["threat-actor"]`, `description`
//!   the statement, `published` when the claim was published, or for a claim only filed when it
//!   was signed: STIX requires `published`, and a filed claim is out to its readers from then).
//!   Its `object_refs` are, in this order, the incident, the intrusion set or campaign, the
//!   threat actor, the named state's identity, the two `attributed-to` relationships, then every
//!   evidence reference that is a STIX id. An `incident` has no suggested `attributed-to` in
//!   core STIX 2.1 (the validator warns on one), so the report is what links the incident to
//!   the attribution;
//! - an `intrusion-set` named after `named.actor` when the claim names an actor, otherwise a
//!   `campaign` standing for the operation behind the incident;
//! - a `threat-actor` of type `nation-state`, named after the actor or `State actor of <state>`;
//! - `intrusion-set`/`campaign attributed-to threat-actor` and `threat-actor attributed-to
//!   identity` (the named state), each with the claim's likelihood as its `confidence`
//!   ([`stix_confidence_for_likelihood`], the STIX "DNI scale");
//! - evidence digests as `external_references` of the report (`source_name` `redline-evidence`,
//!   `external_id` the `sha256:` reference, `hashes` `{"SHA-256": hex}`); STIX ids of evidence go
//!   into `object_refs` (where a reference has no room for a description, which is not kept);
//! - the claim's id and version as the report's `redline-attribution-claim` external reference,
//!   the ILC ARSIWA relationship, the bases and the ICD 203 analytic confidence as report
//!   `labels` (`attribution-relationship:state-organ`, `attribution-basis:technical`,
//!   `analytic-confidence:high`); ICD 203 keeps analytic confidence apart from likelihood, so it
//!   does not enter the STIX `confidence`;
//! - each co-signature as an `opinion` by the co-signer's identity ([`cosignature_opinion`]) with
//!   the co-signer's own likelihood as its `confidence`, and the named state's reply as an
//!   `opinion` by that party's identity ([`reply_opinion`], the exact position as a
//!   `reply-position:<position>` label, the statement as `explanation`); both refer to the report
//!   and the two relationships;
//! - the parties' `identity` objects exactly as the incident export derives them
//!   ([`crate::mapping::party_identity_id`]: the same party has the same identity everywhere),
//!   redline's own identity and the claim's TLP 2.0 marking-definition.
//!
//! Every object of the claim carries the claim's TLP marking; the identities are redline's
//! shared public definitions and stay unmarked, as in the incident export. Ids are derived from
//! the claim id, the version and the object's role ([`crate::common::derived_identifier`]), so
//! exporting the same claim version twice gives the same bytes. `created` and `modified` are the
//! claim's `signed_at` (a co-signature's or reply's own time for its opinion). A withdrawn claim
//! revokes its report and relationships: `revoked: true` with `modified` the withdrawal's time,
//! a new version of each (the same `modified` with other content would be a conflicting copy).
//!
//! Pure: no I/O, no clock.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use redline_model::{
    AnalyticConfidence, AttributionBasis, AttributionClaim, AttributionRelationship,
    ClaimCosignature, ClaimId, ClaimStatus, Confidence, CountryCode, EvidenceReference, PartyId,
    Timestamp, Tlp,
};
use serde_json::{Map, Value, json};

use crate::{
    common::{
        Extensions, SPEC_VERSION, StixExternalReference, StixIdentifier, StixTimestamp,
        derived_identifier,
    },
    extension::redline_identity,
    mapping::{party_identity, party_identity_id},
    marking::{tlp_from_marking_id, tlp_marking_definition},
    objects::{Identity, IntrusionSet, Opinion, Relationship, Report, StixObject, ThreatActor},
};

/// `report_types` of a claim's report.
pub const CLAIM_REPORT_TYPE: &str = "threat-actor";
/// `source_name` of the report's external reference naming the claim (`<uuid>:<version>`).
pub const CLAIM_REFERENCE_SOURCE: &str = "redline-attribution-claim";
/// `source_name` of an evidence digest's external reference.
pub const EVIDENCE_REFERENCE_SOURCE: &str = "redline-evidence";
/// Label prefix of the ILC ARSIWA relationship on the report.
pub const RELATIONSHIP_LABEL_PREFIX: &str = "attribution-relationship:";
/// Label prefix of each basis on the report.
pub const BASIS_LABEL_PREFIX: &str = "attribution-basis:";
/// Label prefix of the ICD 203 analytic confidence on the report.
pub const ANALYTIC_CONFIDENCE_LABEL_PREFIX: &str = "analytic-confidence:";
/// Label prefix of the reply's exact position on the reply's opinion.
pub const REPLY_POSITION_LABEL_PREFIX: &str = "reply-position:";
/// The STIX type of the object standing for the operation when the claim names no actor.
pub const CAMPAIGN_TYPE: &str = "campaign";

/// Where a claim version stands, with the times STIX needs: when it was published (the report's
/// `published`) and when it was withdrawn (`modified` of the revoked objects).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimStanding {
    /// Filed: visible to its readers, not yet published.
    Filed,
    Published {
        published_at: Timestamp,
    },
    Withdrawn {
        /// When it had been published, if it was.
        published_at: Option<Timestamp>,
        withdrawn_at: Timestamp,
    },
}

impl ClaimStanding {
    /// The status word of the model.
    pub fn status(&self) -> ClaimStatus {
        match self {
            ClaimStanding::Filed => ClaimStatus::Filed,
            ClaimStanding::Published { .. } => ClaimStatus::Published,
            ClaimStanding::Withdrawn { .. } => ClaimStatus::Withdrawn,
        }
    }

    fn published_at(&self) -> Option<Timestamp> {
        match self {
            ClaimStanding::Filed => None,
            ClaimStanding::Published { published_at } => Some(*published_at),
            ClaimStanding::Withdrawn { published_at, .. } => *published_at,
        }
    }

    fn withdrawn_at(&self) -> Option<Timestamp> {
        match self {
            ClaimStanding::Withdrawn { withdrawn_at, .. } => Some(*withdrawn_at),
            _ => None,
        }
    }
}

redline_model::vocabulary! {
    /// The named state's answer to a consultation, in the words of the hotline's `ReplyPosition`
    /// (this crate does not depend on the hotline; [`ReplyStance::parse`] reads its `as_str`).
    ReplyStance {
        Deny => "deny",
        Acknowledge => "acknowledge",
        Explain => "explain",
        OfferJointInvestigation => "offer-joint-investigation",
        Cooperate => "cooperate",
    }
}

/// The named state's reply, as a plain struct (the hotline's `ConsultationReply` without the
/// consultation id and payload version).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedStateReply {
    /// The replying party (the named state's party).
    pub from: PartyId,
    pub position: ReplyStance,
    pub statement: String,
    pub sent_at: Timestamp,
}

/// Everything one claim version exports from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimExport {
    pub claim: AttributionClaim,
    pub standing: ClaimStanding,
    /// The co-signatures of this version (any of another claim or version is left out).
    pub cosignatures: Vec<ClaimCosignature>,
    pub reply: Option<NamedStateReply>,
    /// The STIX id of the claim's incident.
    pub incident: StixIdentifier,
}

redline_model::vocabulary! {
    /// The values of the STIX `opinion-enum`.
    OpinionValue {
        StronglyDisagree => "strongly-disagree",
        Disagree => "disagree",
        Neutral => "neutral",
        Agree => "agree",
        StronglyAgree => "strongly-agree",
    }
}

/// ICD 203 likelihood as a STIX `confidence`, by the "DNI scale" of the STIX 2.1 confidence
/// appendix (as `stix2` 3.0.2 implements it): remote ("almost no chance") 5, very-unlikely 15,
/// unlikely 30, roughly-even 50, likely 70, very-likely 85, almost-certain 95. The scale's
/// numbers are not ICD 203's percentage bands (next-capabilities.md §4.4); what matters is that
/// every consumer reading the DNI scale gets the word back.
pub fn stix_confidence_for_likelihood(likelihood: Confidence) -> u8 {
    match likelihood {
        Confidence::Remote => 5,
        Confidence::VeryUnlikely => 15,
        Confidence::Unlikely => 30,
        Confidence::RoughlyEven => 50,
        Confidence::Likely => 70,
        Confidence::VeryLikely => 85,
        Confidence::AlmostCertain => 95,
    }
}

/// A STIX `confidence` as an ICD 203 likelihood, by the "DNI scale": 0–9 remote, 10–19
/// very-unlikely, 20–39 unlikely, 40–59 roughly-even, 60–79 likely, 80–89 very-likely, 90–100
/// almost-certain; `None` above 100.
pub fn likelihood_for_stix_confidence(confidence: u8) -> Option<Confidence> {
    Some(match confidence {
        0..=9 => Confidence::Remote,
        10..=19 => Confidence::VeryUnlikely,
        20..=39 => Confidence::Unlikely,
        40..=59 => Confidence::RoughlyEven,
        60..=79 => Confidence::Likely,
        80..=89 => Confidence::VeryLikely,
        90..=100 => Confidence::AlmostCertain,
        _ => return None,
    })
}

/// A co-signature's opinion of the claim. Co-signing joins the claim, so it never disagrees; its
/// strength follows the co-signer's own likelihood: very-likely and almost-certain strongly
/// agree, any lower word agrees (the opinion's `confidence` keeps the exact word).
pub fn cosignature_opinion(likelihood: Confidence) -> OpinionValue {
    match likelihood {
        Confidence::VeryLikely | Confidence::AlmostCertain => OpinionValue::StronglyAgree,
        _ => OpinionValue::Agree,
    }
}

/// The named state's reply as an opinion of the attribution:
/// - `deny` → `strongly-disagree`: the state rejects the attribution;
/// - `acknowledge` → `strongly-agree`: the state accepts it (ILC ARSIWA Art. 11);
/// - `explain`, `cooperate`, `offer-joint-investigation` → `neutral`: none of them accepts or
///   rejects the attribution. An explanation may justify the conduct (which presupposes it) or
///   give another account of events; reading it as disagreement would put words in the state's
///   mouth. The exact position travels as the `reply-position:` label, the words as
///   `explanation`.
pub fn reply_opinion(stance: ReplyStance) -> OpinionValue {
    match stance {
        ReplyStance::Deny => OpinionValue::StronglyDisagree,
        ReplyStance::Acknowledge => OpinionValue::StronglyAgree,
        ReplyStance::Explain | ReplyStance::Cooperate | ReplyStance::OfferJointInvestigation => {
            OpinionValue::Neutral
        }
    }
}

/// The derived id of the object playing `role` in one claim version.
pub fn claim_object_id(
    object_type: &str,
    claim: ClaimId,
    version: u32,
    role: &str,
) -> StixIdentifier {
    derived_identifier(
        object_type,
        &format!("attribution-claim:{}:{version}:{role}", claim.hyphenated()),
    )
}

/// Every object one claim version exports to, in a fixed order: the marking definition,
/// identities, the threat actor, the intrusion set or campaign, the relationships, the report,
/// then the opinions. See the module header for the mapping.
pub fn claim_to_stix(export: &ClaimExport) -> Vec<StixObject> {
    let plan = ClaimPlan::new(export);
    let mut collector = Collector::default();
    collector.push(StixObject::MarkingDefinition(Box::new(
        tlp_marking_definition(export.claim.tlp),
    )));
    collector.push(StixObject::Identity(Box::new(redline_identity())));
    for party in plan.identity_parties(export) {
        collector.push(StixObject::Identity(Box::new(party_identity(&party))));
    }
    collector.push(StixObject::ThreatActor(Box::new(plan.threat_actor(export))));
    collector.push(plan.actor_object(export));
    collector.push(StixObject::Relationship(Box::new(
        plan.actor_relationship(export),
    )));
    collector.push(StixObject::Relationship(Box::new(
        plan.state_relationship(export),
    )));
    collector.push(StixObject::Report(Box::new(plan.report(export))));
    for cosignature in plan.cosignatures_of_this_version(export) {
        collector.push(StixObject::Opinion(Box::new(
            plan.cosignature_opinion_object(cosignature),
        )));
    }
    if let Some(reply) = &export.reply {
        collector.push(StixObject::Opinion(Box::new(
            plan.reply_opinion_object(reply),
        )));
    }
    collector.objects
}

#[derive(Default)]
struct Collector {
    seen: BTreeSet<String>,
    objects: Vec<StixObject>,
}

impl Collector {
    fn push(&mut self, object: StixObject) {
        if self.seen.insert(object.id_text().to_string()) {
            self.objects.push(object);
        }
    }
}

/// The ids, times and marking shared by the objects of one claim version.
struct ClaimPlan {
    claim_id: ClaimId,
    version: u32,
    claimant_identity: StixIdentifier,
    named_identity: StixIdentifier,
    report_id: StixIdentifier,
    threat_actor_id: StixIdentifier,
    actor_object_id: StixIdentifier,
    actor_relationship_id: StixIdentifier,
    state_relationship_id: StixIdentifier,
    signed: StixTimestamp,
    /// `modified` of the objects a withdrawal revokes.
    revocable_modified: StixTimestamp,
    revoked: Option<bool>,
    marking_refs: Vec<StixIdentifier>,
}

impl ClaimPlan {
    fn new(export: &ClaimExport) -> Self {
        let claim = &export.claim;
        let id = |object_type: &str, role: &str| {
            claim_object_id(object_type, claim.id, claim.version, role)
        };
        let actor_object_type = if claim.named.actor.is_some() {
            IntrusionSet::TYPE
        } else {
            CAMPAIGN_TYPE
        };
        let signed = StixTimestamp(claim.signed_at);
        let withdrawn_at = export.standing.withdrawn_at();
        Self {
            claim_id: claim.id,
            version: claim.version,
            claimant_identity: party_identity_id(&claim.claimant),
            named_identity: party_identity_id(&PartyId::from(claim.named.state.clone())),
            report_id: id(Report::TYPE, "report"),
            threat_actor_id: id(ThreatActor::TYPE, "threat-actor"),
            actor_object_id: id(actor_object_type, actor_object_type),
            actor_relationship_id: id(Relationship::TYPE, "attributed-to:actor"),
            state_relationship_id: id(Relationship::TYPE, "attributed-to:state"),
            signed,
            revocable_modified: withdrawn_at
                .map_or(signed, |at| StixTimestamp(at.max(claim.signed_at))),
            revoked: withdrawn_at.map(|_| true),
            marking_refs: vec![tlp_marking_definition(claim.tlp).id],
        }
    }

    /// The parties whose identities the objects refer to, each once, in order of appearance.
    fn identity_parties(&self, export: &ClaimExport) -> Vec<PartyId> {
        let mut parties = vec![
            export.claim.claimant.clone(),
            PartyId::from(export.claim.named.state.clone()),
        ];
        parties.extend(
            self.cosignatures_of_this_version(export)
                .map(|cosignature| cosignature.party.clone()),
        );
        parties.extend(export.reply.iter().map(|reply| reply.from.clone()));
        let mut seen = BTreeSet::new();
        parties.retain(|party| seen.insert(party.clone()));
        parties
    }

    fn cosignatures_of_this_version<'a>(
        &self,
        export: &'a ClaimExport,
    ) -> impl Iterator<Item = &'a ClaimCosignature> {
        let (claim_id, version) = (export.claim.id, export.claim.version);
        export.cosignatures.iter().filter(move |cosignature| {
            cosignature.claim == claim_id && cosignature.version == version
        })
    }

    fn threat_actor(&self, export: &ClaimExport) -> ThreatActor {
        let state = &export.claim.named.state;
        let name = export
            .claim
            .named
            .actor
            .clone()
            .unwrap_or_else(|| format!("State actor of {}", state_name(state)));
        ThreatActor {
            object_type: ThreatActor::TYPE.to_string(),
            spec_version: SPEC_VERSION.to_string(),
            id: self.threat_actor_id.clone(),
            created_by_ref: Some(self.claimant_identity.clone()),
            created: self.signed,
            modified: self.signed,
            name,
            description: Some(format!(
                "The actor behind the operation, for which {} holds {} responsible.",
                export.claim.claimant,
                state_name(state)
            )),
            threat_actor_types: vec!["nation-state".to_string()],
            aliases: Vec::new(),
            first_seen: None,
            last_seen: None,
            roles: Vec::new(),
            goals: Vec::new(),
            sophistication: None,
            resource_level: None,
            primary_motivation: None,
            secondary_motivations: Vec::new(),
            personal_motivations: Vec::new(),
            revoked: None,
            labels: Vec::new(),
            confidence: None,
            lang: None,
            external_references: Vec::new(),
            object_marking_refs: self.marking_refs.clone(),
            granular_markings: Vec::new(),
            extensions: Extensions::new(),
            additional_properties: Map::new(),
        }
    }

    /// The intrusion set named after the actor, or the campaign standing for the operation.
    fn actor_object(&self, export: &ClaimExport) -> StixObject {
        match &export.claim.named.actor {
            Some(actor) => StixObject::IntrusionSet(Box::new(IntrusionSet {
                object_type: IntrusionSet::TYPE.to_string(),
                spec_version: SPEC_VERSION.to_string(),
                id: self.actor_object_id.clone(),
                created_by_ref: Some(self.claimant_identity.clone()),
                created: self.signed,
                modified: self.signed,
                name: actor.clone(),
                description: None,
                aliases: Vec::new(),
                first_seen: None,
                last_seen: None,
                goals: Vec::new(),
                resource_level: None,
                primary_motivation: None,
                secondary_motivations: Vec::new(),
                revoked: None,
                labels: Vec::new(),
                confidence: None,
                lang: None,
                external_references: Vec::new(),
                object_marking_refs: self.marking_refs.clone(),
                granular_markings: Vec::new(),
                extensions: Extensions::new(),
                additional_properties: Map::new(),
            })),
            None => {
                let campaign = json!({
                    "type": CAMPAIGN_TYPE,
                    "spec_version": SPEC_VERSION,
                    "id": self.actor_object_id,
                    "created_by_ref": self.claimant_identity,
                    "created": self.signed,
                    "modified": self.signed,
                    "name": format!("The operation behind {}", export.incident),
                    "object_marking_refs": self.marking_refs,
                });
                match campaign {
                    Value::Object(map) => StixObject::Other(map),
                    _ => StixObject::Other(Map::new()),
                }
            }
        }
    }

    fn relationship(
        &self,
        id: &StixIdentifier,
        source: &StixIdentifier,
        target: &StixIdentifier,
        description: String,
        export: &ClaimExport,
    ) -> Relationship {
        Relationship {
            object_type: Relationship::TYPE.to_string(),
            spec_version: SPEC_VERSION.to_string(),
            id: id.clone(),
            created_by_ref: Some(self.claimant_identity.clone()),
            created: self.signed,
            modified: self.revocable_modified,
            relationship_type: "attributed-to".to_string(),
            description: Some(description),
            source_ref: source.clone(),
            target_ref: target.clone(),
            start_time: None,
            stop_time: None,
            revoked: self.revoked,
            labels: Vec::new(),
            confidence: Some(stix_confidence_for_likelihood(export.claim.confidence)),
            lang: None,
            external_references: Vec::new(),
            object_marking_refs: self.marking_refs.clone(),
            granular_markings: Vec::new(),
            extensions: Extensions::new(),
            additional_properties: Map::new(),
        }
    }

    fn actor_relationship(&self, export: &ClaimExport) -> Relationship {
        let description = format!(
            "{} attributes the operation to this actor: {} (ICD 203).",
            export.claim.claimant, export.claim.confidence
        );
        self.relationship(
            &self.actor_relationship_id,
            &self.actor_object_id,
            &self.threat_actor_id,
            description,
            export,
        )
    }

    fn state_relationship(&self, export: &ClaimExport) -> Relationship {
        let claim = &export.claim;
        let analytic = claim
            .analytic_confidence
            .map(|level| format!(", {level} analytic confidence"))
            .unwrap_or_default();
        let description = format!(
            "{} holds {} responsible: {} (ILC ARSIWA), {} (ICD 203){analytic}.",
            claim.claimant,
            state_name(&claim.named.state),
            claim.relationship,
            claim.confidence
        );
        self.relationship(
            &self.state_relationship_id,
            &self.threat_actor_id,
            &self.named_identity,
            description,
            export,
        )
    }

    fn report(&self, export: &ClaimExport) -> Report {
        let claim = &export.claim;
        let mut object_refs = vec![
            export.incident.clone(),
            self.actor_object_id.clone(),
            self.threat_actor_id.clone(),
            self.named_identity.clone(),
            self.actor_relationship_id.clone(),
            self.state_relationship_id.clone(),
        ];
        object_refs.extend(
            claim
                .evidence
                .iter()
                .filter(|evidence| !evidence.is_digest())
                .filter_map(|evidence| StixIdentifier::parse(&evidence.reference).ok()),
        );
        let mut external_references = vec![StixExternalReference {
            source_name: CLAIM_REFERENCE_SOURCE.to_string(),
            description: None,
            url: None,
            hashes: None,
            external_id: Some(format!("{}:{}", claim.id.hyphenated(), claim.version)),
        }];
        external_references.extend(claim.evidence.iter().filter_map(evidence_reference));
        let published = export.standing.published_at().unwrap_or(claim.signed_at);
        Report {
            object_type: Report::TYPE.to_string(),
            spec_version: SPEC_VERSION.to_string(),
            id: self.report_id.clone(),
            created_by_ref: Some(self.claimant_identity.clone()),
            created: self.signed,
            modified: self.revocable_modified,
            name: format!(
                "{} attributes {} to {}",
                claim.claimant,
                export.incident,
                state_name(&claim.named.state)
            ),
            description: Some(claim.statement.clone()),
            report_types: vec![CLAIM_REPORT_TYPE.to_string()],
            published: StixTimestamp(published),
            object_refs,
            revoked: self.revoked,
            labels: claim_labels(claim),
            confidence: None,
            lang: None,
            external_references,
            object_marking_refs: self.marking_refs.clone(),
            granular_markings: Vec::new(),
            extensions: Extensions::new(),
            additional_properties: Map::new(),
        }
    }

    fn opinion(
        &self,
        id: StixIdentifier,
        author: &PartyId,
        at: Timestamp,
        opinion: OpinionValue,
        explanation: Option<String>,
    ) -> Opinion {
        Opinion {
            object_type: Opinion::TYPE.to_string(),
            spec_version: SPEC_VERSION.to_string(),
            id,
            created_by_ref: Some(party_identity_id(author)),
            created: StixTimestamp(at),
            modified: StixTimestamp(at),
            explanation,
            authors: Vec::new(),
            opinion: opinion.as_str().to_string(),
            object_refs: vec![
                self.report_id.clone(),
                self.actor_relationship_id.clone(),
                self.state_relationship_id.clone(),
            ],
            revoked: None,
            labels: Vec::new(),
            confidence: None,
            lang: None,
            external_references: Vec::new(),
            object_marking_refs: self.marking_refs.clone(),
            granular_markings: Vec::new(),
            extensions: Extensions::new(),
            additional_properties: Map::new(),
        }
    }

    fn cosignature_opinion_object(&self, cosignature: &ClaimCosignature) -> Opinion {
        let id = claim_object_id(
            Opinion::TYPE,
            cosignature.claim,
            cosignature.version,
            &format!("cosignature:{}", cosignature.party),
        );
        let mut opinion = self.opinion(
            id,
            &cosignature.party,
            cosignature.signed_at,
            cosignature_opinion(cosignature.confidence),
            cosignature.statement.clone(),
        );
        opinion.confidence = Some(stix_confidence_for_likelihood(cosignature.confidence));
        opinion
    }

    fn reply_opinion_object(&self, reply: &NamedStateReply) -> Opinion {
        let id = claim_object_id(Opinion::TYPE, self.claim_id, self.version, "reply");
        let mut opinion = self.opinion(
            id,
            &reply.from,
            reply.sent_at,
            reply_opinion(reply.position),
            Some(reply.statement.clone()),
        );
        opinion.labels = vec![format!(
            "{REPLY_POSITION_LABEL_PREFIX}{}",
            reply.position.as_str()
        )];
        opinion
    }
}

/// The report's labels: the ARSIWA relationship, each basis, the analytic confidence.
fn claim_labels(claim: &AttributionClaim) -> Vec<String> {
    let mut labels = vec![format!("{RELATIONSHIP_LABEL_PREFIX}{}", claim.relationship)];
    labels.extend(
        claim
            .basis
            .iter()
            .map(|basis| format!("{BASIS_LABEL_PREFIX}{basis}")),
    );
    labels.extend(
        claim
            .analytic_confidence
            .map(|level| format!("{ANALYTIC_CONFIDENCE_LABEL_PREFIX}{level}")),
    );
    labels
}

/// An evidence digest as an external reference (`None` for a STIX id, which goes to
/// `object_refs`).
fn evidence_reference(evidence: &EvidenceReference) -> Option<StixExternalReference> {
    let hex = evidence.reference.strip_prefix("sha256:")?;
    let mut hashes = Map::new();
    hashes.insert("SHA-256".to_string(), Value::String(hex.to_string()));
    Some(StixExternalReference {
        source_name: EVIDENCE_REFERENCE_SOURCE.to_string(),
        description: evidence.description.clone(),
        url: None,
        hashes: Some(hashes),
        external_id: Some(evidence.reference.clone()),
    })
}

fn state_name(state: &CountryCode) -> String {
    format!("{} ({state})", state.english_name())
}

// ---------------------------------------------------------------------------------------------
// Reading back.

/// Why a claim's objects could not be read back: the object, the property and the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{object}: `{field}`: {problem}")]
pub struct ClaimImportError {
    /// The id of the object at fault.
    pub object: String,
    /// The property at fault (`object_refs`, `confidence`, `labels`, `external_references[2]`).
    pub field: String,
    pub problem: String,
}

impl ClaimImportError {
    fn new(object: &StixIdentifier, field: &str, problem: impl Into<String>) -> Self {
        Self {
            object: object.to_string(),
            field: field.to_string(),
            problem: problem.into(),
        }
    }
}

/// An opinion of a claim: a co-signer's, the named state's reply, or anyone else's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedOpinion {
    pub id: StixIdentifier,
    /// `created_by_ref`.
    pub author_identity: StixIdentifier,
    /// The party that identity stands for, when it is a redline party's identity.
    pub author: Option<PartyId>,
    pub opinion: OpinionValue,
    /// The opinion's `confidence` read as ICD 203 (a co-signer's own likelihood).
    pub likelihood: Option<Confidence>,
    pub explanation: Option<String>,
    /// The reply's exact position (its `reply-position:` label).
    pub reply_position: Option<ReplyStance>,
    /// `created`.
    pub at: Timestamp,
}

/// What a claim's objects say, as plain facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedClaim {
    pub report: StixIdentifier,
    /// The claim id and version, from the `redline-attribution-claim` reference.
    pub claim: Option<(ClaimId, u32)>,
    pub claimant_identity: StixIdentifier,
    /// The party the claimant's identity stands for, when it is a redline party's identity.
    pub claimant: Option<PartyId>,
    pub incident: StixIdentifier,
    pub named_state_identity: StixIdentifier,
    /// The country of the named state's identity, when it is a state's redline identity.
    pub named_state: Option<CountryCode>,
    /// The intrusion set's name (`None` when the claim holds a campaign).
    pub actor: Option<String>,
    /// The `threat-actor attributed-to identity` confidence, as ICD 203.
    pub likelihood: Confidence,
    pub relationship: Option<AttributionRelationship>,
    pub basis: Vec<AttributionBasis>,
    pub analytic_confidence: Option<AnalyticConfidence>,
    /// The report's `description`.
    pub statement: Option<String>,
    /// Evidence digests, then evidence STIX ids (without descriptions), each in claim order.
    pub evidence: Vec<EvidenceReference>,
    pub tlp: Tlp,
    /// The report's `created`.
    pub signed_at: Timestamp,
    pub published: Timestamp,
    /// `modified` of the revoked report, when it is revoked.
    pub withdrawn_at: Option<Timestamp>,
    /// Opinions other than the named state's reply (co-signers' and others'), in bundle order.
    pub opinions: Vec<ImportedOpinion>,
    pub reply: Option<ImportedOpinion>,
}

/// Reads every attribution claim among `objects` back as facts, one result per claim report.
/// A claim report is a `report` with `report_types` `threat-actor` that carries the
/// `redline-attribution-claim` reference or refers to an `attributed-to` relationship among
/// `objects`; other reports are not claims and are passed over. Never panics on any input.
pub fn claims_from_stix(objects: &[StixObject]) -> Vec<Result<ImportedClaim, ClaimImportError>> {
    let index = ObjectIndex::new(objects);
    objects
        .iter()
        .filter_map(|object| match object {
            StixObject::Report(report) if index.is_claim_report(report) => {
                Some(import_claim(report, &index))
            }
            _ => None,
        })
        .collect()
}

/// The objects by id (the first object of an id wins).
struct ObjectIndex<'a> {
    by_id: HashMap<&'a str, &'a StixObject>,
    opinions: Vec<&'a Opinion>,
}

impl<'a> ObjectIndex<'a> {
    fn new(objects: &'a [StixObject]) -> Self {
        let mut by_id = HashMap::new();
        let mut opinions = Vec::new();
        for object in objects {
            by_id.entry(object.id_text()).or_insert(object);
            if let StixObject::Opinion(opinion) = object {
                opinions.push(opinion.as_ref());
            }
        }
        Self { by_id, opinions }
    }

    fn relationship(&self, id: &StixIdentifier) -> Option<&'a Relationship> {
        match self.by_id.get(id.as_str()) {
            Some(StixObject::Relationship(relationship)) => Some(relationship.as_ref()),
            _ => None,
        }
    }

    fn is_claim_report(&self, report: &Report) -> bool {
        let has_type = report
            .report_types
            .iter()
            .any(|report_type| report_type == CLAIM_REPORT_TYPE);
        let has_claim_reference = report
            .external_references
            .iter()
            .any(|reference| reference.source_name == CLAIM_REFERENCE_SOURCE);
        let refers_to_attribution = report.object_refs.iter().any(|reference| {
            self.relationship(reference)
                .is_some_and(|relationship| relationship.relationship_type == "attributed-to")
        });
        has_type && (has_claim_reference || refers_to_attribution)
    }

    /// The party an identity id stands for: a state's identity by its derived id, or an
    /// `identity` object among the objects whose name is a party with that derived id.
    fn party_of_identity(&self, identity: &StixIdentifier) -> Option<PartyId> {
        if let Some(country) = country_of_identity(identity) {
            return Some(PartyId::from(country));
        }
        match self.by_id.get(identity.as_str()) {
            Some(StixObject::Identity(object)) => PartyId::parse(&object.name)
                .ok()
                .filter(|party| party_identity_id(party) == *identity),
            _ => None,
        }
    }
}

/// The country whose state identity has this id ([`party_identity_id`] of the country).
pub fn country_of_identity(identity: &StixIdentifier) -> Option<CountryCode> {
    static STATE_IDENTITIES: std::sync::LazyLock<BTreeMap<String, CountryCode>> =
        std::sync::LazyLock::new(|| {
            (b'A'..=b'Z')
                .flat_map(|first| (b'A'..=b'Z').map(move |second| [first, second]))
                .filter_map(|letters| {
                    std::str::from_utf8(&letters)
                        .ok()
                        .and_then(|code| CountryCode::parse(code).ok())
                })
                .map(|country| {
                    let id = party_identity_id(&PartyId::from(country.clone()));
                    (id.to_string(), country)
                })
                .collect()
        });
    STATE_IDENTITIES.get(identity.as_str()).cloned()
}

/// The chain the report's relationships form: (actor object) → threat actor → named identity.
struct AttributionChain<'a> {
    state_edge: &'a Relationship,
    actor_edge: Option<&'a Relationship>,
}

fn import_claim(
    report: &Report,
    index: &ObjectIndex<'_>,
) -> Result<ImportedClaim, ClaimImportError> {
    let tlp = single_tlp(report)?;
    let claimant_identity = report.created_by_ref.clone().ok_or_else(|| {
        ClaimImportError::new(
            &report.id,
            "created_by_ref",
            "missing: the claimant's identity",
        )
    })?;
    let incident = report
        .object_refs
        .iter()
        .find(|reference| reference.object_type() == "incident")
        .cloned()
        .ok_or_else(|| ClaimImportError::new(&report.id, "object_refs", "refers to no incident"))?;
    let chain = attribution_chain(report, index)?;
    let likelihood = edge_likelihood(chain.state_edge)?;
    let actor = chain_actor(report, &chain, index)?;
    let (relationship, basis, analytic_confidence) = read_labels(report)?;
    let evidence = read_evidence(report, &incident, &chain)?;
    let named_state_identity = chain.state_edge.target_ref.clone();
    let (opinions, reply) = read_opinions(report, &chain, &named_state_identity, index)?;
    Ok(ImportedClaim {
        report: report.id.clone(),
        claim: read_claim_reference(report)?,
        claimant: index.party_of_identity(&claimant_identity),
        claimant_identity,
        incident,
        named_state: country_of_identity(&named_state_identity),
        named_state_identity,
        actor,
        likelihood,
        relationship,
        basis,
        analytic_confidence,
        statement: report.description.clone(),
        evidence,
        tlp,
        signed_at: report.created.as_timestamp(),
        published: report.published.as_timestamp(),
        withdrawn_at: (report.revoked == Some(true)).then(|| report.modified.as_timestamp()),
        opinions,
        reply,
    })
}

fn single_tlp(report: &Report) -> Result<Tlp, ClaimImportError> {
    let labels: Vec<Tlp> = report
        .object_marking_refs
        .iter()
        .filter_map(|marking| tlp_from_marking_id(marking.as_str()))
        .collect();
    match labels.as_slice() {
        [tlp] => Ok(*tlp),
        _ => Err(ClaimImportError::new(
            &report.id,
            "object_marking_refs",
            format!("expected exactly one TLP marking, found {}", labels.len()),
        )),
    }
}

/// The `attributed-to` relationships the report refers to: exactly one from a threat actor to
/// an identity, and at most one from an intrusion set or campaign to that threat actor.
fn attribution_chain<'a>(
    report: &Report,
    index: &ObjectIndex<'a>,
) -> Result<AttributionChain<'a>, ClaimImportError> {
    let attributions: Vec<&Relationship> = report
        .object_refs
        .iter()
        .filter_map(|reference| index.relationship(reference))
        .filter(|relationship| relationship.relationship_type == "attributed-to")
        .collect();
    let state_edges: Vec<&Relationship> = attributions
        .iter()
        .copied()
        .filter(|relationship| {
            relationship.source_ref.object_type() == ThreatActor::TYPE
                && relationship.target_ref.object_type() == Identity::TYPE
        })
        .collect();
    let state_edge = match state_edges.as_slice() {
        [edge] => *edge,
        [] => {
            return Err(ClaimImportError::new(
                &report.id,
                "object_refs",
                "refers to no `threat-actor attributed-to identity` relationship among the objects",
            ));
        }
        _ => {
            return Err(ClaimImportError::new(
                &report.id,
                "object_refs",
                "refers to more than one `threat-actor attributed-to identity` relationship",
            ));
        }
    };
    let actor_edges: Vec<&Relationship> = attributions
        .iter()
        .copied()
        .filter(|relationship| {
            matches!(
                relationship.source_ref.object_type(),
                IntrusionSet::TYPE | CAMPAIGN_TYPE
            ) && relationship.target_ref == state_edge.source_ref
        })
        .collect();
    let actor_edge = match actor_edges.as_slice() {
        [] => None,
        [edge] => Some(*edge),
        _ => {
            return Err(ClaimImportError::new(
                &report.id,
                "object_refs",
                "refers to more than one relationship attributing an intrusion set or campaign to the threat actor",
            ));
        }
    };
    Ok(AttributionChain {
        state_edge,
        actor_edge,
    })
}

fn edge_likelihood(edge: &Relationship) -> Result<Confidence, ClaimImportError> {
    let confidence = edge.confidence.ok_or_else(|| {
        ClaimImportError::new(
            &edge.id,
            "confidence",
            "missing: the likelihood that the named state is responsible",
        )
    })?;
    likelihood_for_stix_confidence(confidence).ok_or_else(|| {
        ClaimImportError::new(
            &edge.id,
            "confidence",
            format!("{confidence} is not a STIX confidence (0 to 100)"),
        )
    })
}

/// The intrusion set's name, when the chain starts at one.
fn chain_actor(
    report: &Report,
    chain: &AttributionChain<'_>,
    index: &ObjectIndex<'_>,
) -> Result<Option<String>, ClaimImportError> {
    let Some(edge) = chain.actor_edge else {
        return Ok(None);
    };
    if edge.source_ref.object_type() != IntrusionSet::TYPE {
        return Ok(None);
    }
    match index.by_id.get(edge.source_ref.as_str()) {
        Some(StixObject::IntrusionSet(intrusion_set)) => Ok(Some(intrusion_set.name.clone())),
        _ => Err(ClaimImportError::new(
            &report.id,
            "object_refs",
            format!(
                "the intrusion set `{}` is not among the objects",
                edge.source_ref
            ),
        )),
    }
}

type ClaimLabels = (
    Option<AttributionRelationship>,
    Vec<AttributionBasis>,
    Option<AnalyticConfidence>,
);

/// The ARSIWA relationship, bases and analytic confidence from the report's labels (labels
/// without these prefixes are someone else's and are passed over).
fn read_labels(report: &Report) -> Result<ClaimLabels, ClaimImportError> {
    let mut relationship = None;
    let mut basis = Vec::new();
    let mut analytic_confidence = None;
    for (position, label) in report.labels.iter().enumerate() {
        let field = format!("labels[{position}]");
        let unknown = |word: &str| {
            ClaimImportError::new(
                &report.id,
                &field,
                format!("`{word}` is not a known value of `{label}`"),
            )
        };
        if let Some(word) = label.strip_prefix(RELATIONSHIP_LABEL_PREFIX) {
            let value = AttributionRelationship::parse(word).ok_or_else(|| unknown(word))?;
            if relationship.replace(value).is_some() {
                return Err(ClaimImportError::new(
                    &report.id,
                    &field,
                    "a second relationship label",
                ));
            }
        } else if let Some(word) = label.strip_prefix(BASIS_LABEL_PREFIX) {
            basis.push(AttributionBasis::parse(word).ok_or_else(|| unknown(word))?);
        } else if let Some(word) = label.strip_prefix(ANALYTIC_CONFIDENCE_LABEL_PREFIX) {
            let value = AnalyticConfidence::parse(word).ok_or_else(|| unknown(word))?;
            if analytic_confidence.replace(value).is_some() {
                return Err(ClaimImportError::new(
                    &report.id,
                    &field,
                    "a second analytic confidence label",
                ));
            }
        }
    }
    Ok((relationship, basis, analytic_confidence))
}

fn read_claim_reference(report: &Report) -> Result<Option<(ClaimId, u32)>, ClaimImportError> {
    let Some((position, reference)) = report
        .external_references
        .iter()
        .enumerate()
        .find(|(_, reference)| reference.source_name == CLAIM_REFERENCE_SOURCE)
    else {
        return Ok(None);
    };
    let field = format!("external_references[{position}].external_id");
    let text = reference.external_id.as_deref().unwrap_or_default();
    let parsed = text.split_once(':').and_then(|(uuid_text, version_text)| {
        let uuid = uuid::Uuid::try_parse(uuid_text).ok()?;
        let version = version_text
            .parse::<u32>()
            .ok()
            .filter(|version| *version > 0)?;
        Some((uuid, version))
    });
    parsed.map(Some).ok_or_else(|| {
        ClaimImportError::new(
            &report.id,
            &field,
            format!("`{text}` is not `<claim uuid>:<version>`"),
        )
    })
}

/// Evidence: the digests of the `redline-evidence` references (and of any reference with a
/// SHA-256 hash), then the `object_refs` that are not the claim's own structure.
fn read_evidence(
    report: &Report,
    incident: &StixIdentifier,
    chain: &AttributionChain<'_>,
) -> Result<Vec<EvidenceReference>, ClaimImportError> {
    let mut evidence = Vec::new();
    for (position, reference) in report.external_references.iter().enumerate() {
        let Some(hashes) = &reference.hashes else {
            continue;
        };
        let Some(value) = hashes.get("SHA-256") else {
            continue;
        };
        let hex = value
            .as_str()
            .map(str::to_ascii_lowercase)
            .filter(|hex| hex.len() == 64 && hex.bytes().all(|byte| byte.is_ascii_hexdigit()))
            .ok_or_else(|| {
                ClaimImportError::new(
                    &report.id,
                    &format!("external_references[{position}].hashes.SHA-256"),
                    format!("{value} is not 64 hex digits"),
                )
            })?;
        evidence.push(EvidenceReference {
            reference: format!("sha256:{hex}"),
            description: reference.description.clone(),
        });
    }
    let mut structure: Vec<&StixIdentifier> = vec![
        incident,
        &chain.state_edge.id,
        &chain.state_edge.source_ref,
        &chain.state_edge.target_ref,
    ];
    if let Some(edge) = chain.actor_edge {
        structure.extend([&edge.id, &edge.source_ref]);
    }
    for reference in &report.object_refs {
        match structure.iter().position(|own| *own == reference) {
            // Each structural id is passed over once; a repeat is evidence.
            Some(position) => {
                structure.remove(position);
            }
            None => evidence.push(EvidenceReference {
                reference: reference.to_string(),
                description: None,
            }),
        }
    }
    Ok(evidence)
}

/// The opinions of the report or its relationships: the named state's reply (labelled with a
/// reply position, or by the named state's identity) and everyone else's.
fn read_opinions(
    report: &Report,
    chain: &AttributionChain<'_>,
    named_state_identity: &StixIdentifier,
    index: &ObjectIndex<'_>,
) -> Result<(Vec<ImportedOpinion>, Option<ImportedOpinion>), ClaimImportError> {
    let mut assessed = vec![&report.id, &chain.state_edge.id];
    assessed.extend(chain.actor_edge.map(|edge| &edge.id));
    let mut opinions = Vec::new();
    let mut reply: Option<ImportedOpinion> = None;
    for opinion in &index.opinions {
        if !opinion
            .object_refs
            .iter()
            .any(|reference| assessed.contains(&reference))
        {
            continue;
        }
        let imported = import_opinion(opinion, index)?;
        let is_reply =
            imported.reply_position.is_some() || imported.author_identity == *named_state_identity;
        if !is_reply {
            opinions.push(imported);
        } else if reply.is_some() {
            return Err(ClaimImportError::new(
                &opinion.id,
                "created_by_ref",
                format!("a second reply of the named state to {}", report.id),
            ));
        } else {
            reply = Some(imported);
        }
    }
    Ok((opinions, reply))
}

fn import_opinion(
    opinion: &Opinion,
    index: &ObjectIndex<'_>,
) -> Result<ImportedOpinion, ClaimImportError> {
    let author_identity = opinion.created_by_ref.clone().ok_or_else(|| {
        ClaimImportError::new(
            &opinion.id,
            "created_by_ref",
            "missing: whose opinion this is",
        )
    })?;
    let value = OpinionValue::parse(&opinion.opinion).ok_or_else(|| {
        ClaimImportError::new(
            &opinion.id,
            "opinion",
            format!(
                "`{}` is not a value of the STIX opinion-enum",
                opinion.opinion
            ),
        )
    })?;
    let likelihood = match opinion.confidence {
        None => None,
        Some(confidence) => Some(likelihood_for_stix_confidence(confidence).ok_or_else(|| {
            ClaimImportError::new(
                &opinion.id,
                "confidence",
                format!("{confidence} is not a STIX confidence (0 to 100)"),
            )
        })?),
    };
    let mut reply_position = None;
    for (position, label) in opinion.labels.iter().enumerate() {
        if let Some(word) = label.strip_prefix(REPLY_POSITION_LABEL_PREFIX) {
            let stance = ReplyStance::parse(word).ok_or_else(|| {
                ClaimImportError::new(
                    &opinion.id,
                    &format!("labels[{position}]"),
                    format!("`{word}` is not a reply position"),
                )
            })?;
            if reply_position.replace(stance).is_some() {
                return Err(ClaimImportError::new(
                    &opinion.id,
                    &format!("labels[{position}]"),
                    "a second reply position",
                ));
            }
        }
    }
    Ok(ImportedOpinion {
        id: opinion.id.clone(),
        author: index.party_of_identity(&author_identity),
        author_identity,
        opinion: value,
        likelihood,
        explanation: opinion.explanation.clone(),
        reply_position,
        at: opinion.created.as_timestamp(),
    })
}
