//! Attribution claims ↔ STIX: the mapping tables, the shape of a claim's objects, claim → STIX →
//! facts over TAXII envelope bytes (fixed and generated claims), errors naming the object and
//! property, no panic on any input, and (when `STIX_VALIDATOR` is set) the OASIS validator with
//! no error and no warning.

use std::process::Command;

use proptest::prelude::*;
use redline_model::{
    AnalyticConfidence, AttributionBasis, AttributionClaim, AttributionRelationship,
    ClaimCosignature, Confidence, CountryCode, EvidenceReference, IncidentId, NamedState, PartyId,
    Timestamp, Tlp,
};
use redline_stix::{
    Bundle, StixIdentifier, StixObject,
    attribution::{
        ClaimExport, ClaimImportError, ClaimStanding, ImportedClaim, ImportedOpinion,
        NamedStateReply, OpinionValue, ReplyStance, claim_to_stix, claims_from_stix,
        cosignature_opinion, country_of_identity, likelihood_for_stix_confidence, reply_opinion,
        stix_confidence_for_likelihood,
    },
    common::derived_uuid,
    mapping::{is_redline_definition, party_identity_id},
    marking::tlp_marking_id,
    taxii::parse_taxii_envelope,
};
use serde_json::{Value, json};

use crate::repository_root;

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn party(text: &str) -> PartyId {
    PartyId::parse(text).unwrap()
}

fn country(text: &str) -> CountryCode {
    CountryCode::parse(text).unwrap()
}

const DIGEST: &str = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const INDICATOR: &str = "indicator--6f1c7e8a-3b9d-4c1e-8f2a-1d2e3f4a5b6c";

fn sample_claim() -> AttributionClaim {
    AttributionClaim {
        v: 1,
        id: uuid::Uuid::parse_str("6f1c7e8a-3b9d-4c1e-8f2a-1d2e3f4a5b6c").unwrap(),
        version: 2,
        incident: IncidentId::parse("incident--0b1c7e8a-3b9d-4c1e-8f2a-1d2e3f4a5b6c").unwrap(),
        claimant: party("EE"),
        named: NamedState {
            state: country("RU"),
            party: Some(party("RU")),
            actor: Some("APT28".to_string()),
        },
        relationship: AttributionRelationship::StateOrgan,
        confidence: Confidence::VeryLikely,
        analytic_confidence: Some(AnalyticConfidence::High),
        basis: vec![AttributionBasis::Technical, AttributionBasis::Intelligence],
        evidence: vec![
            EvidenceReference {
                reference: DIGEST.to_string(),
                description: Some("Implant sample shared under TLP:AMBER".to_string()),
            },
            EvidenceReference {
                reference: INDICATOR.to_string(),
                description: None,
            },
        ],
        statement: "The operation was carried out by GRU unit 26165.".to_string(),
        tlp: Tlp::Clear,
        shared_with: Vec::new(),
        signed_at: at("2026-12-01T10:00:00Z"),
    }
}

fn cosignature(claim: &AttributionClaim, by: &str, confidence: Confidence) -> ClaimCosignature {
    ClaimCosignature {
        v: 1,
        claim: claim.id,
        version: claim.version,
        claim_digest: DIGEST.to_string(),
        party: party(by),
        confidence,
        statement: Some(format!("{by} joins the attribution.")),
        signed_at: at("2026-12-02T08:00:00.5Z"),
    }
}

fn sample_export() -> ClaimExport {
    let claim = sample_claim();
    ClaimExport {
        cosignatures: vec![
            cosignature(&claim, "LV", Confidence::AlmostCertain),
            cosignature(&claim, "cert-eu", Confidence::Likely),
        ],
        reply: Some(NamedStateReply {
            from: party("RU"),
            position: ReplyStance::Deny,
            statement: "The Russian Federation rejects these groundless accusations.".to_string(),
            sent_at: at("2026-12-05T12:00:00Z"),
        }),
        incident: StixIdentifier::parse(claim.incident.as_str()).unwrap(),
        standing: ClaimStanding::Published {
            published_at: at("2026-12-03T09:00:00Z"),
        },
        claim,
    }
}

fn as_json(objects: &[StixObject]) -> Vec<Value> {
    objects
        .iter()
        .map(|object| serde_json::to_value(object).unwrap())
        .collect()
}

fn by_type<'a>(objects: &'a [Value], object_type: &str) -> Vec<&'a Value> {
    objects
        .iter()
        .filter(|object| object["type"] == object_type)
        .collect()
}

/// The claim's objects through TAXII envelope bytes, read back as a TAXII server reads them.
fn through_taxii_bytes(export: &ClaimExport) -> Vec<Result<ImportedClaim, ClaimImportError>> {
    let envelope = json!({ "objects": claim_to_stix(export) });
    let bytes = serde_json::to_vec(&envelope).unwrap();
    let raw = parse_taxii_envelope(&bytes).unwrap();
    let objects: Vec<StixObject> = raw
        .into_iter()
        .map(|value| StixObject::from_json_value(value).unwrap())
        .collect();
    claims_from_stix(&objects)
}

/// The facts a claim export must read back as.
fn expected_facts(export: &ClaimExport) -> ImportedClaim {
    let claim = &export.claim;
    let claim_of = |object_type: &str, role: &str| {
        redline_stix::attribution::claim_object_id(object_type, claim.id, claim.version, role)
    };
    let named_identity = party_identity_id(&PartyId::from(claim.named.state.clone()));
    let (published_at, withdrawn_at) = match export.standing {
        ClaimStanding::Filed => (None, None),
        ClaimStanding::Published { published_at } => (Some(published_at), None),
        ClaimStanding::Withdrawn {
            published_at,
            withdrawn_at,
        } => (published_at, Some(withdrawn_at.max(claim.signed_at))),
    };
    let mut evidence: Vec<EvidenceReference> = claim
        .evidence
        .iter()
        .filter(|evidence| evidence.is_digest())
        .cloned()
        .collect();
    evidence.extend(
        claim
            .evidence
            .iter()
            .filter(|evidence| !evidence.is_digest())
            .map(|evidence| EvidenceReference {
                reference: evidence.reference.clone(),
                description: None,
            }),
    );
    let mut seen = std::collections::BTreeSet::new();
    let opinions = export
        .cosignatures
        .iter()
        .filter(|cosignature| cosignature.claim == claim.id && cosignature.version == claim.version)
        .filter(|cosignature| seen.insert(cosignature.party.clone()))
        .map(|cosignature| ImportedOpinion {
            id: claim_of("opinion", &format!("cosignature:{}", cosignature.party)),
            author_identity: party_identity_id(&cosignature.party),
            author: Some(cosignature.party.clone()),
            opinion: cosignature_opinion(cosignature.confidence),
            likelihood: Some(cosignature.confidence),
            explanation: cosignature.statement.clone(),
            reply_position: None,
            at: cosignature.signed_at,
        })
        .collect();
    let reply = export.reply.as_ref().map(|reply| ImportedOpinion {
        id: claim_of("opinion", "reply"),
        author_identity: party_identity_id(&reply.from),
        author: Some(reply.from.clone()),
        opinion: reply_opinion(reply.position),
        likelihood: None,
        explanation: Some(reply.statement.clone()),
        reply_position: Some(reply.position),
        at: reply.sent_at,
    });
    ImportedClaim {
        report: claim_of("report", "report"),
        claim: Some((claim.id, claim.version)),
        claimant_identity: party_identity_id(&claim.claimant),
        claimant: Some(claim.claimant.clone()),
        incident: export.incident.clone(),
        named_state_identity: named_identity,
        named_state: Some(claim.named.state.clone()),
        actor: claim.named.actor.clone(),
        likelihood: claim.confidence,
        relationship: Some(claim.relationship),
        basis: claim.basis.clone(),
        analytic_confidence: claim.analytic_confidence,
        statement: Some(claim.statement.clone()),
        evidence,
        tlp: claim.tlp,
        signed_at: claim.signed_at,
        published: published_at.unwrap_or(claim.signed_at),
        withdrawn_at,
        opinions,
        reply,
    }
}

// ---------------------------------------------------------------------------------------------
// The mapping tables.

#[test]
fn likelihood_maps_to_the_dni_scale_and_back() {
    let table = [
        (Confidence::Remote, 5),
        (Confidence::VeryUnlikely, 15),
        (Confidence::Unlikely, 30),
        (Confidence::RoughlyEven, 50),
        (Confidence::Likely, 70),
        (Confidence::VeryLikely, 85),
        (Confidence::AlmostCertain, 95),
    ];
    assert_eq!(table.len(), Confidence::ALL.len());
    for (likelihood, number) in table {
        assert_eq!(stix_confidence_for_likelihood(likelihood), number);
        assert_eq!(likelihood_for_stix_confidence(number), Some(likelihood));
    }
    let bands = [
        (0, Confidence::Remote),
        (9, Confidence::Remote),
        (10, Confidence::VeryUnlikely),
        (19, Confidence::VeryUnlikely),
        (20, Confidence::Unlikely),
        (39, Confidence::Unlikely),
        (40, Confidence::RoughlyEven),
        (59, Confidence::RoughlyEven),
        (60, Confidence::Likely),
        (79, Confidence::Likely),
        (80, Confidence::VeryLikely),
        (89, Confidence::VeryLikely),
        (90, Confidence::AlmostCertain),
        (100, Confidence::AlmostCertain),
    ];
    for (number, likelihood) in bands {
        assert_eq!(
            likelihood_for_stix_confidence(number),
            Some(likelihood),
            "{number}"
        );
    }
    assert_eq!(likelihood_for_stix_confidence(101), None);
    assert_eq!(likelihood_for_stix_confidence(u8::MAX), None);
}

#[test]
fn cosignatures_agree_and_replies_take_a_position() {
    let cosignatures = [
        (Confidence::Remote, OpinionValue::Agree),
        (Confidence::VeryUnlikely, OpinionValue::Agree),
        (Confidence::Unlikely, OpinionValue::Agree),
        (Confidence::RoughlyEven, OpinionValue::Agree),
        (Confidence::Likely, OpinionValue::Agree),
        (Confidence::VeryLikely, OpinionValue::StronglyAgree),
        (Confidence::AlmostCertain, OpinionValue::StronglyAgree),
    ];
    for (likelihood, opinion) in cosignatures {
        assert_eq!(cosignature_opinion(likelihood), opinion, "{likelihood}");
    }
    let replies = [
        (ReplyStance::Deny, OpinionValue::StronglyDisagree),
        (ReplyStance::Acknowledge, OpinionValue::StronglyAgree),
        (ReplyStance::Explain, OpinionValue::Neutral),
        (ReplyStance::OfferJointInvestigation, OpinionValue::Neutral),
        (ReplyStance::Cooperate, OpinionValue::Neutral),
    ];
    assert_eq!(replies.len(), ReplyStance::ALL.len());
    for (stance, opinion) in replies {
        assert_eq!(reply_opinion(stance), opinion, "{}", stance.as_str());
        assert_eq!(ReplyStance::parse(stance.as_str()), Some(stance));
    }
    for &value in OpinionValue::ALL {
        assert_eq!(OpinionValue::parse(value.as_str()), Some(value));
        assert!(redline_stix::objects::OPINION_VALUES.contains(&value.as_str()));
    }
}

// ---------------------------------------------------------------------------------------------
// The shape of a claim's objects.

#[test]
fn a_claim_is_a_report_by_the_claimant_holding_the_attribution_chain() {
    let export = sample_export();
    let objects = as_json(&claim_to_stix(&export));
    let claimant = party_identity_id(&party("EE")).to_string();
    let russia = party_identity_id(&party("RU")).to_string();
    let clear = tlp_marking_id(Tlp::Clear);

    let [report] = by_type(&objects, "report")[..] else {
        panic!("one report")
    };
    let [intrusion_set] = by_type(&objects, "intrusion-set")[..] else {
        panic!("one intrusion set")
    };
    let [threat_actor] = by_type(&objects, "threat-actor")[..] else {
        panic!("one threat actor")
    };
    assert!(by_type(&objects, "campaign").is_empty());
    let relationships = by_type(&objects, "relationship");
    let [actor_edge, state_edge] = relationships[..] else {
        panic!("two relationships")
    };

    assert_eq!(report["created_by_ref"], claimant.as_str());
    assert_eq!(report["report_types"], json!(["threat-actor"]));
    assert_eq!(report["published"], "2026-12-03T09:00:00.000Z");
    assert_eq!(report["created"], "2026-12-01T10:00:00.000Z");
    assert_eq!(report["modified"], "2026-12-01T10:00:00.000Z");
    assert_eq!(report["description"], export.claim.statement.as_str());
    assert_eq!(
        report["object_refs"],
        json!([
            export.incident.as_str(),
            intrusion_set["id"],
            threat_actor["id"],
            russia.as_str(),
            actor_edge["id"],
            state_edge["id"],
            INDICATOR,
        ])
    );
    assert_eq!(
        report["labels"],
        json!([
            "attribution-relationship:state-organ",
            "attribution-basis:technical",
            "attribution-basis:intelligence",
            "analytic-confidence:high",
        ])
    );
    assert_eq!(
        report["external_references"],
        json!([
            {"source_name": "redline-attribution-claim",
             "external_id": "6f1c7e8a-3b9d-4c1e-8f2a-1d2e3f4a5b6c:2"},
            {"source_name": "redline-evidence",
             "description": "Implant sample shared under TLP:AMBER",
             "hashes": {"SHA-256": DIGEST.trim_start_matches("sha256:")},
             "external_id": DIGEST},
        ])
    );
    assert!(report.get("revoked").is_none());

    assert_eq!(intrusion_set["name"], "APT28");
    assert_eq!(threat_actor["name"], "APT28");
    assert_eq!(threat_actor["threat_actor_types"], json!(["nation-state"]));
    for (edge, source, target) in [
        (actor_edge, &intrusion_set["id"], &threat_actor["id"]),
        (state_edge, &threat_actor["id"], &json!(russia)),
    ] {
        assert_eq!(edge["relationship_type"], "attributed-to");
        assert_eq!(&edge["source_ref"], source);
        assert_eq!(&edge["target_ref"], target);
        assert_eq!(edge["confidence"], 85, "very-likely on the DNI scale");
        assert_eq!(edge["created_by_ref"], claimant.as_str());
    }

    let opinions = by_type(&objects, "opinion");
    let assessed = json!([report["id"], actor_edge["id"], state_edge["id"]]);
    let summary: Vec<(Value, Value, Value, Value)> = opinions
        .iter()
        .map(|opinion| {
            assert_eq!(opinion["object_refs"], assessed);
            (
                opinion["created_by_ref"].clone(),
                opinion["opinion"].clone(),
                opinion.get("confidence").cloned().unwrap_or(Value::Null),
                opinion.get("labels").cloned().unwrap_or(Value::Null),
            )
        })
        .collect();
    let identity = |id: &str| json!(party_identity_id(&party(id)).to_string());
    assert_eq!(
        summary,
        vec![
            (
                identity("LV"),
                json!("strongly-agree"),
                json!(95),
                Value::Null
            ),
            (identity("cert-eu"), json!("agree"), json!(70), Value::Null),
            (
                identity("RU"),
                json!("strongly-disagree"),
                Value::Null,
                json!(["reply-position:deny"])
            ),
        ]
    );
    let reply = opinions[2];
    assert_eq!(reply["created"], "2026-12-05T12:00:00.000Z");
    assert_eq!(
        reply["explanation"],
        "The Russian Federation rejects these groundless accusations."
    );

    for object in &objects {
        match object["type"].as_str() {
            Some("identity") | Some("marking-definition") => {
                assert!(object.get("object_marking_refs").is_none(), "{object}")
            }
            _ => assert_eq!(object["object_marking_refs"], json!([clear]), "{object}"),
        }
        if object["type"] != "marking-definition" {
            let uuid = object["id"].as_str().unwrap().split_once("--").unwrap().1;
            assert_eq!(&uuid[14..15], "4", "UUIDv4 form: {object}");
        }
    }
}

#[test]
fn the_identities_are_the_ones_every_incident_export_derives() {
    let objects = claim_to_stix(&sample_export());
    let identities: Vec<&StixObject> = objects
        .iter()
        .filter(|object| object.object_type() == "identity")
        .collect();
    assert_eq!(identities.len(), 5, "redline, EE, RU, LV, cert-eu");
    for identity in identities {
        assert!(is_redline_definition(identity), "{identity:?}");
    }
    for code in ["EE", "RU", "LV", "KP"] {
        let id = party_identity_id(&party(code));
        assert_eq!(country_of_identity(&id), Some(country(code)));
    }
    assert_eq!(
        country_of_identity(&party_identity_id(&party("cert-eu"))),
        None
    );
}

#[test]
fn without_an_actor_the_report_holds_a_campaign_and_a_state_actor() {
    let mut export = sample_export();
    export.claim.named.actor = None;
    let objects = as_json(&claim_to_stix(&export));
    assert!(by_type(&objects, "intrusion-set").is_empty());
    let [campaign] = by_type(&objects, "campaign")[..] else {
        panic!("one campaign")
    };
    let [threat_actor] = by_type(&objects, "threat-actor")[..] else {
        panic!("one threat actor")
    };
    assert_eq!(
        threat_actor["name"],
        "State actor of The Russian Federation (RU)"
    );
    assert_eq!(campaign["spec_version"], "2.1");
    assert_eq!(
        campaign["created_by_ref"],
        party_identity_id(&party("EE")).to_string()
    );
    let actor_edge = by_type(&objects, "relationship")[0];
    assert_eq!(actor_edge["source_ref"], campaign["id"]);
    assert_eq!(actor_edge["target_ref"], threat_actor["id"]);
    let back = through_taxii_bytes(&export).remove(0).unwrap();
    assert_eq!(back.actor, None);
    assert_eq!(back, expected_facts(&export));
}

#[test]
fn a_withdrawn_claim_revokes_its_report_and_relationships_in_a_new_version() {
    let mut export = sample_export();
    export.standing = ClaimStanding::Withdrawn {
        published_at: Some(at("2026-12-03T09:00:00Z")),
        withdrawn_at: at("2026-12-09T00:00:00Z"),
    };
    let objects = as_json(&claim_to_stix(&export));
    for object in &objects {
        let revocable = matches!(object["type"].as_str(), Some("report" | "relationship"));
        if revocable {
            assert_eq!(object["revoked"], true, "{object}");
            assert_eq!(object["modified"], "2026-12-09T00:00:00.000Z", "{object}");
            assert_eq!(object["created"], "2026-12-01T10:00:00.000Z", "{object}");
        } else {
            assert!(object.get("revoked").is_none(), "{object}");
        }
    }
    let back = through_taxii_bytes(&export).remove(0).unwrap();
    assert_eq!(back.withdrawn_at, Some(at("2026-12-09T00:00:00Z")));
    assert_eq!(back, expected_facts(&export));
}

#[test]
fn a_filed_claim_is_published_when_signed_and_exporting_twice_gives_the_same_bytes() {
    let mut export = sample_export();
    export.standing = ClaimStanding::Filed;
    export.claim.tlp = Tlp::Amber;
    export.claim.shared_with = vec![party("LV")];
    let first = serde_json::to_string(&claim_to_stix(&export)).unwrap();
    let second = serde_json::to_string(&claim_to_stix(&export)).unwrap();
    assert_eq!(first, second);
    let objects = as_json(&claim_to_stix(&export));
    let report = by_type(&objects, "report")[0];
    assert_eq!(report["published"], report["created"]);
    assert_eq!(
        report["object_marking_refs"],
        json!([tlp_marking_id(Tlp::Amber)])
    );
    let back = through_taxii_bytes(&export).remove(0).unwrap();
    assert_eq!(back.tlp, Tlp::Amber);
    assert_eq!(back, expected_facts(&export));
}

#[test]
fn cosignatures_of_another_version_are_left_out() {
    let mut export = sample_export();
    export.cosignatures[1].version = 1;
    let objects = as_json(&claim_to_stix(&export));
    assert_eq!(by_type(&objects, "opinion").len(), 2, "LV's and the reply");
    let back = through_taxii_bytes(&export).remove(0).unwrap();
    assert_eq!(back.opinions.len(), 1);
    assert_eq!(back, expected_facts(&export));
}

#[test]
fn the_sample_claim_snapshot() {
    let export = sample_export();
    let bundle = Bundle::new(
        StixIdentifier::from_parts("bundle", derived_uuid("attribution-claim-sample")),
        claim_to_stix(&export),
    );
    insta::assert_json_snapshot!("attribution_claim_bundle", bundle);
}

// ---------------------------------------------------------------------------------------------
// Round trips.

#[test]
fn the_sample_claim_survives_the_round_trip_for_every_reply() {
    for &stance in ReplyStance::ALL {
        let mut export = sample_export();
        if let Some(reply) = &mut export.reply {
            reply.position = stance;
        }
        let back = through_taxii_bytes(&export);
        assert_eq!(
            back,
            vec![Ok(expected_facts(&export))],
            "{}",
            stance.as_str()
        );
    }
    let mut export = sample_export();
    export.reply = None;
    export.cosignatures.clear();
    assert_eq!(
        through_taxii_bytes(&export),
        vec![Ok(expected_facts(&export))]
    );
}

const COUNTRIES: &[&str] = &["EE", "UA", "RU", "US", "GB", "IR", "KP", "CN", "DE", "FR"];
const SLUGS: &[&str] = &["cert-eu", "osce-secretariat", "observer-1"];

fn country_strategy() -> impl Strategy<Value = CountryCode> {
    prop::sample::select(COUNTRIES).prop_map(country)
}

fn party_strategy() -> impl Strategy<Value = PartyId> {
    prop_oneof![
        country_strategy().prop_map(PartyId::from),
        prop::sample::select(SLUGS).prop_map(party),
    ]
}

fn timestamp_strategy() -> impl Strategy<Value = Timestamp> {
    (631_152_000_000_000i64..1_893_456_000_000_000i64)
        .prop_map(|microseconds| Timestamp::from_microseconds(microseconds).unwrap())
}

fn text_strategy() -> impl Strategy<Value = String> {
    "[A-Za-z0-9 éü'\"<>&.,-]{1,40}".prop_filter("not blank", |text| !text.trim().is_empty())
}

fn evidence_strategy() -> impl Strategy<Value = EvidenceReference> {
    let reference = prop_oneof![
        "[0-9a-f]{64}".prop_map(|hex| format!("sha256:{hex}")),
        (
            prop::sample::select(vec!["indicator", "malware", "incident", "report"]),
            any::<u128>()
        )
            .prop_map(|(object_type, bits)| format!(
                "{object_type}--{}",
                uuid::Builder::from_random_bytes(bits.to_le_bytes()).into_uuid()
            )),
    ];
    (reference, prop::option::of(text_strategy())).prop_map(|(reference, description)| {
        EvidenceReference {
            reference,
            description,
        }
    })
}

prop_compose! {
    fn claim_strategy()(
        id in any::<u128>(),
        version in 1u32..5,
        incident in any::<[u8; 16]>(),
        claimant in party_strategy(),
        state in country_strategy(),
        named_party in any::<bool>(),
        actor in prop::option::of(text_strategy()),
        relationship in prop::sample::select(AttributionRelationship::ALL),
        confidence in prop::sample::select(Confidence::ALL),
        analytic_confidence in prop::option::of(prop::sample::select(AnalyticConfidence::ALL)),
        basis in prop::sample::subsequence(AttributionBasis::ALL, 1..=4),
        evidence in prop::collection::vec(evidence_strategy(), 0..4),
        statement in text_strategy(),
        tlp in prop::sample::select(Tlp::ALL),
        signed_at in timestamp_strategy(),
    ) -> AttributionClaim {
        AttributionClaim {
            v: 1,
            id: uuid::Uuid::from_u128(id),
            version,
            incident: IncidentId::from_random_bytes(incident),
            claimant,
            named: NamedState {
                party: named_party.then(|| PartyId::from(state.clone())),
                state,
                actor,
            },
            relationship,
            confidence,
            analytic_confidence,
            basis: basis.to_vec(),
            evidence,
            statement,
            tlp,
            shared_with: Vec::new(),
            signed_at,
        }
    }
}

fn standing_strategy() -> impl Strategy<Value = ClaimStanding> {
    prop_oneof![
        Just(ClaimStanding::Filed),
        timestamp_strategy().prop_map(|published_at| ClaimStanding::Published { published_at }),
        (prop::option::of(timestamp_strategy()), timestamp_strategy()).prop_map(
            |(published_at, withdrawn_at)| ClaimStanding::Withdrawn {
                published_at,
                withdrawn_at,
            }
        ),
    ]
}

prop_compose! {
    fn export_strategy()(
        claim in claim_strategy(),
        standing in standing_strategy(),
        cosigners in prop::collection::btree_map(
            party_strategy(),
            (prop::sample::select(Confidence::ALL), prop::option::of(text_strategy()), timestamp_strategy()),
            0..3,
        ),
        reply in prop::option::of((prop::sample::select(ReplyStance::ALL.to_vec()), text_strategy(), timestamp_strategy())),
    ) -> ClaimExport {
        let named_state = PartyId::from(claim.named.state.clone());
        let cosignatures = cosigners
            .into_iter()
            .filter(|(cosigner, _)| *cosigner != named_state)
            .map(|(cosigner, (confidence, statement, signed_at))| ClaimCosignature {
                v: 1,
                claim: claim.id,
                version: claim.version,
                claim_digest: DIGEST.to_string(),
                party: cosigner,
                confidence,
                statement,
                signed_at,
            })
            .collect();
        ClaimExport {
            incident: StixIdentifier::parse(claim.incident.as_str()).unwrap(),
            reply: reply.map(|(position, statement, sent_at)| NamedStateReply {
                from: named_state,
                position,
                statement,
                sent_at,
            }),
            standing,
            cosignatures,
            claim,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_claims_survive_the_round_trip(export in export_strategy()) {
        let back = through_taxii_bytes(&export);
        prop_assert_eq!(back, vec![Ok(expected_facts(&export))]);
    }
}

// ---------------------------------------------------------------------------------------------
// Errors.

/// Reads the sample claim's objects after `change`, expecting an error at `(object, field)`,
/// where `object` names the changed object by its type (`report`, `relationship:state`).
fn refused(change: impl FnOnce(&mut Vec<Value>)) -> ClaimImportError {
    let mut objects = as_json(&claim_to_stix(&sample_export()));
    change(&mut objects);
    let objects: Vec<StixObject> = objects
        .into_iter()
        .map(|value| StixObject::from_json_value(value).unwrap())
        .collect();
    match claims_from_stix(&objects).as_slice() {
        [Err(error)] => error.clone(),
        other => panic!("expected one refused claim, got {other:?}"),
    }
}

fn object_of_type<'a>(objects: &'a mut [Value], object_type: &str) -> &'a mut Value {
    objects
        .iter_mut()
        .find(|object| object["type"] == object_type)
        .unwrap()
}

fn state_edge(objects: &mut [Value]) -> &mut Value {
    objects
        .iter_mut()
        .find(|object| {
            object["type"] == "relationship"
                && object["target_ref"]
                    .as_str()
                    .unwrap()
                    .starts_with("identity--")
        })
        .unwrap()
}

fn report_id(objects: &[Value]) -> String {
    objects
        .iter()
        .find(|object| object["type"] == "report")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn errors_name_the_object_and_the_property() {
    type Change = Box<dyn Fn(&mut Vec<Value>) -> (String, &'static str)>;
    let cases: Vec<Change> = vec![
        Box::new(|objects| {
            let report = object_of_type(objects, "report");
            report.as_object_mut().unwrap().remove("created_by_ref");
            (report["id"].as_str().unwrap().to_string(), "created_by_ref")
        }),
        Box::new(|objects| {
            let report = object_of_type(objects, "report");
            report["object_marking_refs"] = json!([]);
            (
                report["id"].as_str().unwrap().to_string(),
                "object_marking_refs",
            )
        }),
        Box::new(|objects| {
            let edge = state_edge(objects);
            edge.as_object_mut().unwrap().remove("confidence");
            (edge["id"].as_str().unwrap().to_string(), "confidence")
        }),
        Box::new(|objects| {
            let id = report_id(objects);
            objects.retain(|object| object["type"] != "intrusion-set");
            (id, "object_refs")
        }),
        Box::new(|objects| {
            let id = report_id(objects);
            let report = object_of_type(objects, "report");
            let refs: Vec<Value> = report["object_refs"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|reference| !reference.as_str().unwrap().starts_with("incident--"))
                .cloned()
                .collect();
            report["object_refs"] = Value::Array(refs);
            (id, "object_refs")
        }),
        Box::new(|objects| {
            let id = report_id(objects);
            let edge = state_edge(objects).clone();
            let mut second = edge.clone();
            second["id"] = json!("relationship--1d2f0f3c-7c6e-4b57-9a59-4f2f3c7d2a10");
            objects.push(second.clone());
            let report = object_of_type(objects, "report");
            report["object_refs"]
                .as_array_mut()
                .unwrap()
                .push(second["id"].clone());
            (id, "object_refs")
        }),
        Box::new(|objects| {
            let report = object_of_type(objects, "report");
            report["labels"] = json!(["attribution-relationship:friendly"]);
            (report["id"].as_str().unwrap().to_string(), "labels[0]")
        }),
        Box::new(|objects| {
            let report = object_of_type(objects, "report");
            report["external_references"][0]["external_id"] = json!("not-a-claim");
            (
                report["id"].as_str().unwrap().to_string(),
                "external_references[0].external_id",
            )
        }),
        Box::new(|objects| {
            let report = object_of_type(objects, "report");
            report["external_references"][1]["hashes"]["SHA-256"] = json!("abc");
            (
                report["id"].as_str().unwrap().to_string(),
                "external_references[1].hashes.SHA-256",
            )
        }),
        Box::new(|objects| {
            let opinion = object_of_type(objects, "opinion");
            opinion.as_object_mut().unwrap().remove("created_by_ref");
            (
                opinion["id"].as_str().unwrap().to_string(),
                "created_by_ref",
            )
        }),
        Box::new(|objects| {
            let opinion = objects
                .iter_mut()
                .rev()
                .find(|object| object["type"] == "opinion")
                .unwrap();
            opinion["labels"] = json!(["reply-position:shrug"]);
            (opinion["id"].as_str().unwrap().to_string(), "labels[0]")
        }),
    ];
    for (number, case) in cases.iter().enumerate() {
        let mut expected = None;
        let error = refused(|objects| expected = Some(case(objects)));
        let (object, field) = expected.unwrap();
        assert_eq!(
            (error.object.as_str(), error.field.as_str()),
            (object.as_str(), field),
            "case {number}: {error}"
        );
        assert!(error.to_string().starts_with(&object), "{error}");
    }
}

#[test]
fn reports_that_are_not_claims_are_passed_over() {
    let mut objects = as_json(&claim_to_stix(&sample_export()));
    let report = object_of_type(&mut objects, "report");
    report["report_types"] = json!(["campaign"]);
    let objects: Vec<StixObject> = objects
        .into_iter()
        .map(|value| StixObject::from_json_value(value).unwrap())
        .collect();
    assert!(claims_from_stix(&objects).is_empty());
    assert!(claims_from_stix(&[]).is_empty());
}

// ---------------------------------------------------------------------------------------------
// No panic on any input.

fn json_strategy() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        prop::sample::select(vec![
            "report",
            "relationship",
            "opinion",
            "threat-actor",
            "intrusion-set",
            "identity",
            "attributed-to",
            "threat-actor",
            "2.1",
            "2026-12-01T10:00:00Z",
            "strongly-agree",
            "reply-position:deny",
            "attribution-basis:technical",
            "redline-attribution-claim",
            "redline-evidence",
            "SHA-256",
            "relationship--1d2f0f3c-7c6e-4b57-9a59-4f2f3c7d2a10",
            "identity--1d2f0f3c-7c6e-4b57-9a59-4f2f3c7d2a10",
            "threat-actor--1d2f0f3c-7c6e-4b57-9a59-4f2f3c7d2a10",
        ])
        .prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "type",
                    "id",
                    "spec_version",
                    "created",
                    "modified",
                    "object_refs",
                    "report_types",
                    "labels",
                    "confidence",
                    "source_ref",
                    "target_ref",
                    "relationship_type",
                    "created_by_ref",
                    "opinion",
                    "external_references",
                    "hashes",
                    "external_id",
                    "published",
                    "name",
                    "object_marking_refs",
                ]),
                inner,
                0..8,
            )
            .prop_map(|map| Value::Object(
                map.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary JSON objects, read as STIX objects where they can be, never make the reader
    /// panic.
    #[test]
    fn arbitrary_json_objects_never_panic(values in prop::collection::vec(json_strategy(), 0..8)) {
        let objects: Vec<StixObject> = values
            .into_iter()
            .filter_map(|value| StixObject::from_json_value(value).ok())
            .collect();
        let _ = claims_from_stix(&objects);
    }

    /// A claim's objects with properties replaced by arbitrary JSON or removed never make the
    /// reader panic.
    #[test]
    fn mutated_claims_never_panic(
        export in export_strategy(),
        mutations in prop::collection::vec(
            (any::<prop::sample::Index>(), prop::sample::select(vec![
                "id", "created_by_ref", "object_refs", "labels", "confidence", "source_ref",
                "target_ref", "relationship_type", "opinion", "external_references",
                "object_marking_refs", "report_types", "revoked", "name", "published",
            ]), prop::option::of(json_strategy())),
            1..6,
        ),
    ) {
        let mut objects = as_json(&claim_to_stix(&export));
        for (index, property, value) in mutations {
            let position = index.index(objects.len());
            if let Some(object) = objects[position].as_object_mut() {
                match value {
                    Some(value) => object.insert(property.to_string(), value),
                    None => object.remove(property),
                };
            }
        }
        let objects: Vec<StixObject> = objects
            .into_iter()
            .filter_map(|value| StixObject::from_json_value(value).ok())
            .collect();
        let _ = claims_from_stix(&objects);
    }
}

// ---------------------------------------------------------------------------------------------
// The OASIS validator.

/// Claim exports covering each shape: an actor or not, every reply, every standing, every TLP.
fn validator_cases() -> Vec<(String, ClaimExport)> {
    let mut cases = vec![("sample".to_string(), sample_export())];
    for &stance in ReplyStance::ALL {
        let mut export = sample_export();
        export.claim.named.actor = None;
        if let Some(reply) = &mut export.reply {
            reply.position = stance;
        }
        cases.push((format!("campaign-{}", stance.as_str()), export));
    }
    for tlp in Tlp::ALL {
        let mut export = sample_export();
        export.claim.tlp = *tlp;
        export.standing = ClaimStanding::Withdrawn {
            published_at: None,
            withdrawn_at: at("2026-12-09T00:00:00.123456Z"),
        };
        cases.push((
            format!("withdrawn-{}", tlp.as_str().replace('+', "-")),
            export,
        ));
    }
    let mut filed = sample_export();
    filed.standing = ClaimStanding::Filed;
    filed.reply = None;
    filed.cosignatures.clear();
    filed.claim.analytic_confidence = None;
    filed.claim.evidence.clear();
    cases.push(("filed-bare".to_string(), filed));
    cases
}

#[test]
fn every_claim_shape_passes_the_oasis_validator_without_a_warning() {
    let Some(validator) =
        crate::interop_tools::interop_tool("STIX_VALIDATOR", "the OASIS validator")
    else {
        return;
    };
    let directory = tempfile::tempdir().unwrap();
    let script = repository_root().join("scripts/validate-stix");
    for (name, export) in validator_cases() {
        let bundle = Bundle::new(
            StixIdentifier::from_parts("bundle", derived_uuid(&format!("validator:{name}"))),
            claim_to_stix(&export),
        );
        let path = directory.path().join(format!("{name}.json"));
        std::fs::write(&path, bundle.to_json_pretty()).unwrap();
        // `--strict` makes every SHOULD check (warnings) an error as well; the output is still
        // read for any warning line.
        let output = Command::new("bash")
            .arg(&script)
            .arg(&path)
            .arg("--")
            .arg("--strict")
            .env("STIX_VALIDATOR", &validator)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        println!("{name}:\n{stdout}{stderr}");
        assert!(
            output.status.success(),
            "{name} failed validation:\n{stdout}\n{stderr}"
        );
        for line in stdout.lines().chain(stderr.lines()) {
            assert!(
                !line.contains("Warning") && !line.contains("[X]"),
                "{name}: validator warning or error: {line}"
            );
        }
    }
}
