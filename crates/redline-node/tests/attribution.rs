#![allow(clippy::unwrap_used)]
//! Attribution with a code of conduct at the node, on a real SQLite store with real Ed25519
//! signatures: a claim is filed, refused publication for each clause it fails (naming the
//! clause), co-signed, consulted on; the consultation deadline passing on the node's clock
//! allows publication; the published claim moves the incident's assessment (the trace names the
//! claim) and reaches the public list and counts with the named state's reply; a restricted or
//! unpublished claim reaches nothing public; a revoked key, an altered byte, another party's
//! name and a replay are refused and change nothing.

use base64::Engine;
use redline_hotline::consultation::{
    CONSULTATION_OUTCOME_PAYLOAD_TYPE, CONSULTATION_REPLY_PAYLOAD_TYPE,
    CONSULTATION_REQUEST_PAYLOAD_TYPE,
};
use redline_hotline::{
    ConsultationOutcome, ConsultationOutcomeKind, ConsultationReply, ConsultationRequest, Remedy,
    ReplyPosition, payload_digest, sign_record,
};
use redline_model::attribution::{
    CLAIM_DECISION_PAYLOAD_TYPE, CLAIM_PAYLOAD_TYPE, COSIGNATURE_PAYLOAD_TYPE,
};
use redline_model::{
    AttributionBasis, AttributionClaim, AttributionRelationship, ClaimAction, ClaimCosignature,
    ClaimDecision, ClaimStatus, Confidence, CountryCode, EvidenceReference, IncidentId, NamedState,
    PartyId, PartyKind, Timestamp, Tlp,
};
use redline_node::{Caller, NodeError};
use uuid::Uuid;

mod support;

use support::{PartyNode, at, party};

/// The parties and their keys, and the incident every claim is about.
struct World {
    parties: PartyNode,
    incident: IncidentId,
}

impl std::ops::Deref for World {
    type Target = PartyNode;

    fn deref(&self) -> &PartyNode {
        &self.parties
    }
}

const START: &str = "2026-12-01T10:00:00Z";

/// A ministry's network disrupted for two days, reported by UA without naming anyone.
const REPORT: &str = r#"{
  "title": "Ministry network disrupted by a wiper",
  "reported_by": "UA",
  "victim": "UA",
  "first_observed": "2026-11-30T08:00:00Z",
  "status": "confirmed",
  "tlp": "clear",
  "targets": [{ "sector": "government-national", "country": "UA", "essential_service": true }],
  "effects": [{ "kind": "destruction", "reversible": false, "scale": "national" }],
  "access": "remote"
}"#;

async fn world() -> World {
    let parties = PartyNode::start(
        "attribution.sqlite",
        START,
        &[
            ("UA", PartyKind::State),
            ("RU", PartyKind::State),
            ("LV", PartyKind::State),
            ("FR", PartyKind::State),
            ("osce", PartyKind::Organisation),
        ],
        11,
    )
    .await;
    let incident = parties
        .node
        .submit_incident_json(&Caller::Party(party("UA")), REPORT.as_bytes())
        .await
        .unwrap();
    World {
        parties,
        incident: incident.id,
    }
}

impl World {
    fn claim(&self, id: Uuid, version: u32, tlp: Tlp) -> AttributionClaim {
        AttributionClaim {
            v: 1,
            id,
            version,
            incident: self.incident.clone(),
            claimant: party("UA"),
            named: NamedState {
                state: CountryCode::parse("RU").unwrap(),
                party: Some(party("RU")),
                actor: Some("Sandworm Team".into()),
            },
            relationship: AttributionRelationship::StateOrgan,
            confidence: Confidence::VeryLikely,
            analytic_confidence: None,
            basis: vec![AttributionBasis::Technical, AttributionBasis::Intelligence],
            evidence: vec![EvidenceReference {
                reference: format!("sha256:{}", "ab".repeat(32)),
                description: Some("wiper sample".into()),
            }],
            statement: "GRU unit 74455 carried out the wiper attack.".into(),
            tlp,
            shared_with: if tlp.is_restricted() {
                vec![party("LV")]
            } else {
                vec![]
            },
            signed_at: self.now(),
        }
    }

    fn sign(&self, signer: &str, payload_type: &str, payload: Vec<u8>) -> Vec<u8> {
        sign_record(payload_type, payload, self.key_of(signer))
    }

    async fn file(
        &self,
        claim: &AttributionClaim,
    ) -> Result<redline_node::attribution::ClaimView, NodeError> {
        let bytes = self.sign("UA", CLAIM_PAYLOAD_TYPE, claim.to_payload_bytes());
        self.node
            .file_claim(&Caller::Party(party("UA")), &bytes)
            .await
    }

    fn cosignature(&self, signer: &str, claim: &AttributionClaim) -> Vec<u8> {
        let cosignature = ClaimCosignature {
            v: 1,
            claim: claim.id,
            version: claim.version,
            claim_digest: payload_digest(&claim.to_payload_bytes()),
            party: party(signer),
            confidence: Confidence::Likely,
            statement: None,
            signed_at: self.now(),
        };
        self.sign(
            signer,
            COSIGNATURE_PAYLOAD_TYPE,
            cosignature.to_payload_bytes(),
        )
    }

    /// `signer` co-signs `claim`, signed-in as itself.
    async fn cosign(
        &self,
        signer: &str,
        claim: &AttributionClaim,
    ) -> Result<redline_node::attribution::ClaimView, NodeError> {
        self.node
            .cosign_claim(
                &Caller::Party(party(signer)),
                &self.cosignature(signer, claim),
            )
            .await
    }

    /// `signer`, signed-in as itself, sends `request` signed with its key.
    async fn request_consultation(
        &self,
        signer: &str,
        request: &ConsultationRequest,
    ) -> Result<redline_node::attribution::ClaimView, NodeError> {
        let bytes = self.sign(
            signer,
            CONSULTATION_REQUEST_PAYLOAD_TYPE,
            request.to_payload_bytes(),
        );
        self.node
            .request_consultation(&Caller::Party(party(signer)), &bytes)
            .await
    }

    async fn decide(
        &self,
        claim: &AttributionClaim,
        action: ClaimAction,
    ) -> Result<redline_node::attribution::ClaimView, NodeError> {
        let decision = ClaimDecision {
            v: 1,
            claim: claim.id,
            version: claim.version,
            claim_digest: payload_digest(&claim.to_payload_bytes()),
            party: party("UA"),
            action,
            reason: None,
            signed_at: self.now(),
        };
        let bytes = self.sign(
            "UA",
            CLAIM_DECISION_PAYLOAD_TYPE,
            decision.to_payload_bytes(),
        );
        self.node
            .decide_claim(&Caller::Party(party("UA")), &bytes)
            .await
    }

    async fn assessment_trace(&self) -> String {
        let stored = self
            .node
            .store()
            .get_latest_assessment(&self.incident)
            .await
            .unwrap()
            .unwrap();
        stored.assessment_json
    }
}

fn failed_clauses(error: NodeError) -> Vec<String> {
    match error {
        NodeError::Invalid(issues) => issues.into_iter().map(|issue| issue.path).collect(),
        other => panic!("expected a refusal naming clauses, got {other:?}"),
    }
}

#[tokio::test]
async fn a_claim_is_published_only_through_the_code_and_then_moves_the_assessment() {
    let world = world().await;
    let before = world.assessment_trace().await;
    assert!(!before.contains("attribution.claim"));

    let claim = world.claim(Uuid::from_u128(1), 1, Tlp::Clear);
    let view = world.file(&claim).await.unwrap();
    assert_eq!(view.status, ClaimStatus::Filed);
    // Filed is not public.
    assert!(world.node.public_claims(100).await.unwrap().is_empty());
    assert!(world.node.public_claim(claim.id).await.is_err());

    // The named state is a party and was not consulted: refused, naming the clause.
    let refusal = world
        .decide(&claim, ClaimAction::Publish)
        .await
        .unwrap_err();
    assert_eq!(
        failed_clauses(refusal),
        vec!["code_of_conduct.consultation-before-naming"]
    );

    // LV joins; RU cannot co-sign a claim against itself; a second co-signature is a conflict.
    let cosigned = world.cosign("LV", &claim).await.unwrap();
    assert_eq!(cosigned.cosignatures.len(), 1);
    assert!(world.cosign("RU", &claim).await.is_err());
    assert!(matches!(
        world.cosign("LV", &claim).await,
        Err(NodeError::Conflict(_))
    ));

    // UA requests consultation, with the OSCE as mediator.
    let request = ConsultationRequest {
        v: 1,
        id: Uuid::from_u128(100),
        claim: claim.id,
        from: party("UA"),
        to: party("RU"),
        facts: "A wiper destroyed the ministry's servers on 30 November.".into(),
        legal_view: "A violation of Ukraine's sovereignty.".into(),
        remedies: vec![Remedy::Cessation, Remedy::Assurances],
        mediator: Some(party("osce")),
        sent_at: world.now(),
    };
    let view = world.request_consultation("UA", &request).await.unwrap();
    let reply_by = view.consultations[0].record.reply_by.unwrap();
    // LV, a co-signer but no participant, reads the claim without the consultation's positions.
    let for_lv = world
        .node
        .get_claim(&Caller::Party(party("LV")), claim.id)
        .await
        .unwrap();
    assert!(for_lv.consultations[0].record.request.facts.is_empty());
    let for_ru = world
        .node
        .get_claim(&Caller::Party(party("RU")), claim.id)
        .await
        .unwrap();
    assert!(!for_ru.consultations[0].record.request.facts.is_empty());
    // RU's duty officer is told on its event stream, with the deadline; UA, the author, is not.
    let events = world.node.list_events(&party("RU"), 0, 100).await.unwrap();
    let told = events
        .iter()
        .find(|event| event.kind == "consultation")
        .unwrap();
    assert_eq!(told.detail["action"], "requested");
    assert_eq!(told.detail["reply_by"], serde_json::json!(reply_by));
    assert!(
        world
            .node
            .list_events(&party("UA"), 0, 100)
            .await
            .unwrap()
            .iter()
            .all(|event| event.kind != "consultation")
    );
    // Still refused: asked, not answered, deadline not passed.
    let refusal = world
        .decide(&claim, ClaimAction::Publish)
        .await
        .unwrap_err();
    assert_eq!(
        failed_clauses(refusal),
        vec!["code_of_conduct.consultation-before-naming"]
    );

    // The deadline passes on the node's clock: now it may be published.
    world
        .clock
        .set(Timestamp::from_microseconds(reply_by.as_microseconds() + 1_000_000).unwrap());
    let published = world.decide(&claim, ClaimAction::Publish).await.unwrap();
    assert_eq!(published.status, ClaimStatus::Published);

    // The assessment now rests on the claim, and its trace says so.
    let after = world.assessment_trace().await;
    assert!(
        after.contains("attribution.claim 00000000-0000-0000-0000-000000000001 v1"),
        "{after}"
    );
    assert_ne!(before, after);
    let legal = |json: &str| -> String {
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        format!(
            "{} {}",
            value["legal"]["category"], value["responses"]["ceiling"]
        )
    };
    assert_ne!(
        legal(&before),
        legal(&after),
        "the category or the ceiling moves"
    );

    // On the public record with its co-signer; RU's late reply stands beside it.
    let public = world.node.public_claims(100).await.unwrap();
    assert_eq!(public.len(), 1);
    let counts = world.node.published_claim_counts().await.unwrap();
    assert_eq!(counts[0].state.as_str(), "RU");
    assert_eq!((counts[0].published_claims, counts[0].joint_claims), (1, 1));
    let reply = ConsultationReply {
        v: 1,
        consultation: request.id,
        from: party("RU"),
        position: ReplyPosition::Deny,
        statement: "The Russian Federation rejects the accusation.".into(),
        sent_at: world.now(),
    };
    world
        .node
        .reply_to_consultation(
            &Caller::Party(party("RU")),
            &world.sign(
                "RU",
                CONSULTATION_REPLY_PAYLOAD_TYPE,
                reply.to_payload_bytes(),
            ),
        )
        .await
        .unwrap();
    // RU's scorecard counts the consultation as due and answered late, never its content.
    let scorecard = world.node.public_scorecard(&party("RU")).await.unwrap();
    let consultations = scorecard.consultations.unwrap();
    assert_eq!((consultations.numerator, consultations.denominator), (0, 1));
    assert_eq!(scorecard.named_in_claims.unwrap().published_claims, 1);
    let public_view = world.node.public_claim(claim.id).await.unwrap();
    assert_eq!(public_view.reply().unwrap().position, ReplyPosition::Deny);
    assert!(
        public_view.consultations[0].record.request.facts.is_empty(),
        "positions stay with the participants"
    );

    // The mediator records the outcome; a party outside the consultation cannot.
    let outcome = |from: &str| ConsultationOutcome {
        v: 1,
        consultation: request.id,
        from: party(from),
        outcome: ConsultationOutcomeKind::Failed,
        mediator: None,
        statement: "No agreement.".into(),
        sent_at: world.now(),
    };
    assert!(
        world
            .node
            .record_consultation_outcome(
                &Caller::Party(party("FR")),
                &world.sign(
                    "FR",
                    CONSULTATION_OUTCOME_PAYLOAD_TYPE,
                    outcome("FR").to_payload_bytes()
                ),
            )
            .await
            .is_err()
    );
    world
        .node
        .record_consultation_outcome(
            &Caller::Party(party("osce")),
            &world.sign(
                "osce",
                CONSULTATION_OUTCOME_PAYLOAD_TYPE,
                outcome("osce").to_payload_bytes(),
            ),
        )
        .await
        .unwrap();

    // Withdrawn: off the counts, still on record as withdrawn.
    world.decide(&claim, ClaimAction::Withdraw).await.unwrap();
    assert!(
        world
            .node
            .published_claim_counts()
            .await
            .unwrap()
            .is_empty()
    );
    let withdrawn = world
        .node
        .get_claim(&Caller::Party(party("FR")), claim.id)
        .await
        .unwrap();
    assert_eq!(withdrawn.status, ClaimStatus::Withdrawn);
    let reassessed = world.assessment_trace().await;
    assert!(!reassessed.contains("attribution.claim"));
}

#[tokio::test]
async fn a_consultation_answered_allows_publication_and_every_failed_clause_is_named() {
    let world = world().await;
    // A weak claim: roughly even, political only, no evidence.
    let mut weak = world.claim(Uuid::from_u128(2), 1, Tlp::Clear);
    weak.confidence = Confidence::RoughlyEven;
    weak.basis = vec![AttributionBasis::Political];
    weak.evidence.clear();
    weak.relationship = AttributionRelationship::TerritoryOnly;
    world.file(&weak).await.unwrap();
    let refusal = world.decide(&weak, ClaimAction::Publish).await.unwrap_err();
    assert_eq!(
        failed_clauses(refusal),
        vec![
            "code_of_conduct.confidence-at-least-likely",
            "code_of_conduct.basis-beyond-political",
            "code_of_conduct.territory-is-not-attribution",
            "code_of_conduct.evidence-to-corroborate",
            "code_of_conduct.consultation-before-naming",
        ]
    );
    // Version 2 mends it; a version out of order is refused.
    let mut skipped = world.claim(Uuid::from_u128(2), 3, Tlp::Clear);
    skipped.statement = "skipped".into();
    assert!(world.file(&skipped).await.is_err());
    let better = world.claim(Uuid::from_u128(2), 2, Tlp::Clear);
    world.file(&better).await.unwrap();
    let request = ConsultationRequest {
        v: 1,
        id: Uuid::from_u128(200),
        claim: better.id,
        from: party("UA"),
        to: party("RU"),
        facts: "facts".into(),
        legal_view: "view".into(),
        remedies: vec![Remedy::Cooperation],
        mediator: None,
        sent_at: world.now(),
    };
    world.request_consultation("UA", &request).await.unwrap();
    // Only RU may reply, and only in its own name.
    let reply = ConsultationReply {
        v: 1,
        consultation: request.id,
        from: party("RU"),
        position: ReplyPosition::OfferJointInvestigation,
        statement: "We propose a joint investigation.".into(),
        sent_at: world.now(),
    };
    let reply_bytes = world.sign(
        "RU",
        CONSULTATION_REPLY_PAYLOAD_TYPE,
        reply.to_payload_bytes(),
    );
    assert!(matches!(
        world
            .node
            .reply_to_consultation(&Caller::Party(party("LV")), &reply_bytes)
            .await,
        Err(NodeError::Forbidden(_))
    ));
    world
        .node
        .reply_to_consultation(&Caller::Party(party("RU")), &reply_bytes)
        .await
        .unwrap();
    let published = world.decide(&better, ClaimAction::Publish).await.unwrap();
    assert_eq!(published.status, ClaimStatus::Published);
}

#[tokio::test]
async fn forged_altered_revoked_and_replayed_records_are_refused_and_change_nothing() {
    let world = world().await;
    let claim = world.claim(Uuid::from_u128(3), 1, Tlp::Green);
    // A state that is a party cannot be named without naming its party (no skipping the
    // consultation clause).
    let mut unnamed_party = claim.clone();
    unnamed_party.named.party = None;
    let refused = world
        .node
        .file_claim(
            &Caller::Party(party("UA")),
            &world.sign("UA", CLAIM_PAYLOAD_TYPE, unnamed_party.to_payload_bytes()),
        )
        .await;
    match refused {
        Err(NodeError::Invalid(issues)) => assert_eq!(issues[0].path, "named.party"),
        other => panic!("expected a refusal naming named.party, got {other:?}"),
    }
    // Signed by LV in UA's name.
    let forged = world.sign("LV", CLAIM_PAYLOAD_TYPE, claim.to_payload_bytes());
    assert!(
        world
            .node
            .file_claim(&Caller::Operator, &forged)
            .await
            .is_err()
    );
    // Sent by LV in UA's name, signed by UA.
    let genuine = world.sign("UA", CLAIM_PAYLOAD_TYPE, claim.to_payload_bytes());
    assert!(matches!(
        world
            .node
            .file_claim(&Caller::Party(party("LV")), &genuine)
            .await,
        Err(NodeError::Forbidden(_))
    ));
    // One byte altered in the payload after signing.
    let mut envelope: serde_json::Value = serde_json::from_slice(&genuine).unwrap();
    let payload = base64::engine::general_purpose::STANDARD
        .decode(envelope["payload"].as_str().unwrap())
        .unwrap();
    let mut altered = payload.clone();
    let position = altered.iter().position(|byte| *byte == b'G').unwrap();
    altered[position] = b'H';
    envelope["payload"] = base64::engine::general_purpose::STANDARD
        .encode(&altered)
        .into();
    assert!(
        world
            .node
            .file_claim(
                &Caller::Party(party("UA")),
                &serde_json::to_vec(&envelope).unwrap()
            )
            .await
            .is_err()
    );
    assert!(
        world
            .node
            .list_claims(&Caller::Operator, None, 100)
            .await
            .unwrap()
            .is_empty()
    );

    world
        .node
        .file_claim(&Caller::Party(party("UA")), &genuine)
        .await
        .unwrap();
    // A replay of the same signed claim.
    assert!(
        world
            .node
            .file_claim(&Caller::Party(party("UA")), &genuine)
            .await
            .is_err()
    );

    // LV's key is revoked; a co-signature signed with it afterwards is refused.
    let lv = world.node.get_party(&party("LV")).await.unwrap();
    world
        .node
        .revoke_party_key(
            &Caller::Party(party("LV")),
            &party("LV"),
            &lv.keys[0].key_id,
            "compromised",
        )
        .await
        .unwrap();
    world.clock.set(at("2026-12-01T10:00:05Z"));
    let refused = world.cosign("LV", &claim).await;
    assert!(refused.is_err(), "{refused:?}");
    // A co-signature over another digest is refused too.
    let mut wrong = ClaimCosignature::parse(
        &serde_json::from_slice::<serde_json::Value>(&world.cosignature("FR", &claim))
            .map(|value| {
                base64::engine::general_purpose::STANDARD
                    .decode(value["payload"].as_str().unwrap())
                    .unwrap()
            })
            .unwrap(),
    )
    .unwrap();
    wrong.claim_digest = format!("sha256:{}", "0".repeat(64));
    let wrong_bytes = world.sign("FR", COSIGNATURE_PAYLOAD_TYPE, wrong.to_payload_bytes());
    assert!(
        world
            .node
            .cosign_claim(&Caller::Party(party("FR")), &wrong_bytes)
            .await
            .is_err()
    );
    let view = world
        .node
        .get_claim(&Caller::Operator, claim.id)
        .await
        .unwrap();
    assert!(view.cosignatures.is_empty());
    assert_eq!(view.versions.len(), 1);
}

#[tokio::test]
async fn a_restricted_claim_is_read_only_by_its_readers_and_never_public() {
    let world = world().await;
    let claim = world.claim(Uuid::from_u128(4), 1, Tlp::Amber);
    world.file(&claim).await.unwrap();
    for reader in ["UA", "RU", "LV"] {
        world
            .node
            .get_claim(&Caller::Party(party(reader)), claim.id)
            .await
            .unwrap();
        assert_eq!(
            world
                .node
                .list_claims(&Caller::Party(party(reader)), None, 10)
                .await
                .unwrap()
                .len(),
            1
        );
    }
    assert!(matches!(
        world
            .node
            .get_claim(&Caller::Party(party("FR")), claim.id)
            .await,
        Err(NodeError::NotFound(_))
    ));
    assert!(
        world
            .node
            .list_claims(&Caller::Party(party("FR")), None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // FR cannot co-sign what it cannot read: "not found", not "forbidden".
    assert!(matches!(
        world.cosign("FR", &claim).await,
        Err(NodeError::NotFound(_))
    ));
    // Even published, an amber claim stays off every public list and count.
    world.clock.set(at("2027-01-01T00:00:00Z"));
    let request = ConsultationRequest {
        v: 1,
        id: Uuid::from_u128(400),
        claim: claim.id,
        from: party("UA"),
        to: party("RU"),
        facts: "facts".into(),
        legal_view: "view".into(),
        remedies: vec![Remedy::Cessation],
        mediator: None,
        sent_at: world.now(),
    };
    world.request_consultation("UA", &request).await.unwrap();
    world.clock.set(at("2027-02-01T00:00:00Z"));
    world.decide(&claim, ClaimAction::Publish).await.unwrap();
    assert!(world.node.public_claims(100).await.unwrap().is_empty());
    assert!(
        world
            .node
            .published_claim_counts()
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        world.node.public_claim(claim.id).await,
        Err(NodeError::NotFound(_))
    ));
    // And it does not move the assessment others read; its readers see it in theirs.
    assert!(!world.assessment_trace().await.contains("attribution.claim"));
    let assessment_of = |reader: &'static str| {
        let node = world.node.clone();
        let incident = world.incident.clone();
        async move {
            node.get_assessment_json(&Caller::Party(party(reader)), &incident)
                .await
                .unwrap()
        }
    };
    assert!(assessment_of("LV").await.contains("attribution.claim"));
    assert!(!assessment_of("FR").await.contains("attribution.claim"));
}

/// A consultation keeps the reply deadline it was requested with: a document adopted later with
/// another `consultation-reply` duty applies to later requests, not to this one.
#[tokio::test]
async fn a_consultation_keeps_the_deadline_it_was_requested_with() {
    let world = world().await;
    let claim = world.claim(Uuid::from_u128(3), 1, Tlp::Clear);
    world.file(&claim).await.unwrap();
    let request = ConsultationRequest {
        v: 1,
        id: Uuid::from_u128(300),
        claim: claim.id,
        from: party("UA"),
        to: party("RU"),
        facts: "A wiper destroyed the ministry's servers.".into(),
        legal_view: "A violation of Ukraine's sovereignty.".into(),
        remedies: vec![Remedy::Cessation],
        mediator: None,
        sent_at: world.now(),
    };
    let requested = world.request_consultation("UA", &request).await.unwrap();
    let reply_by = requested.consultations[0].record.reply_by.unwrap();

    // Every party adopts a document whose consultation replies are due within one hour.
    let hasty = redline_norms::baseline()
        .replace("version = \"2.0.0\"", "version = \"2.0.1\"")
        .replace("within = \"PT336H\"", "within = \"PT1H\"")
        .replace("within = \"PT168H\"", "within = \"PT1H\"");
    let document = world
        .node
        .add_norms_document(&Caller::Operator, &hasty, "hasty.toml")
        .await
        .unwrap();
    let everyone: Vec<PartyId> = ["UA", "RU", "LV", "FR", "osce"]
        .into_iter()
        .map(party)
        .collect();
    world
        .node
        .adopt_norms_document(&Caller::Operator, &document.sha256, &everyone)
        .await
        .unwrap();

    let read_back = world
        .node
        .get_claim(&Caller::Party(party("RU")), claim.id)
        .await
        .unwrap();
    assert_eq!(read_back.consultations[0].record.reply_by, Some(reply_by));
    assert!(
        reply_by.as_microseconds() - request.sent_at.as_microseconds() > 3_600_000_000,
        "the first deadline was already an hour"
    );
}
