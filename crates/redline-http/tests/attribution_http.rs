#![allow(clippy::unwrap_used)]
//! Attribution over HTTP: a claim naming a state that is not a party (so no consultation can be
//! held on the node) is filed, co-signed and published through the API; it then appears on the
//! public answers with its co-signer, in the OpenAPI document, and over TAXII as the report,
//! relationships and opinions STIX 2.1 suggests — read back into the same claim.

#[path = "support/mod.rs"]
mod support;

use redline_hotline::{payload_digest, sign_record};
use redline_model::attribution::{
    CLAIM_DECISION_PAYLOAD_TYPE, CLAIM_PAYLOAD_TYPE, COSIGNATURE_PAYLOAD_TYPE,
};
use redline_model::{
    AttributionBasis, AttributionClaim, AttributionRelationship, ClaimAction, ClaimCosignature,
    ClaimDecision, Confidence, CountryCode, EvidenceReference, IncidentId, NamedState, PartyId,
    Tlp,
};
use redline_node::Caller;
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

const TAXII: &str = "application/taxii+json;version=2.1";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_filed_cosigned_and_published_over_http_reaches_the_public_record_and_taxii() {
    let node = support::start().await;
    let parties: Vec<PartyId> = support::PARTIES
        .iter()
        .map(|id| PartyId::parse(id).unwrap())
        .collect();
    let collection = node
        .node
        .ensure_shared_collection(&Caller::Operator, &parties)
        .await
        .unwrap();
    let claim = AttributionClaim {
        v: 1,
        id: Uuid::from_u128(77),
        version: 1,
        incident: IncidentId::parse(&node.public_ids[0]).unwrap(),
        claimant: PartyId::parse("EE").unwrap(),
        named: NamedState {
            state: CountryCode::parse("CN").unwrap(),
            party: None,
            actor: Some("APT41".into()),
        },
        relationship: AttributionRelationship::DirectedOrControlled,
        confidence: Confidence::VeryLikely,
        analytic_confidence: None,
        basis: vec![AttributionBasis::Technical, AttributionBasis::Intelligence],
        evidence: vec![EvidenceReference {
            reference: format!("sha256:{}", "ef".repeat(32)),
            description: Some("loader sample".into()),
        }],
        statement: "APT41 ran the operation on the instructions of the state.".into(),
        tlp: Tlp::Clear,
        shared_with: vec![],
        signed_at: node.node.now(),
    };
    let key = |party: &str| support::key_of(party);
    let (status, filed) = node
        .post_json(
            "EE",
            "/api/v1/claims",
            sign_record(CLAIM_PAYLOAD_TYPE, claim.to_payload_bytes(), &key("EE")),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    assert_eq!(filed["status"], "filed");
    // The code of conduct's verdict is shown to readers before they publish.
    let (_, shown) = node
        .get_json(Some("GB"), &format!("/api/v1/claims/{}", claim.id))
        .await;
    assert_eq!(shown["code_of_conduct"]["failed"], serde_json::json!([]));

    let digest = payload_digest(&claim.to_payload_bytes());
    let cosignature = ClaimCosignature {
        v: 1,
        claim: claim.id,
        version: 1,
        claim_digest: digest.clone(),
        party: PartyId::parse("GB").unwrap(),
        confidence: Confidence::AlmostCertain,
        statement: Some("The United Kingdom joins this attribution.".into()),
        signed_at: node.node.now(),
    };
    let (status, answer) = node
        .post_json(
            "GB",
            &format!("/api/v1/claims/{}/cosignatures", claim.id),
            sign_record(
                COSIGNATURE_PAYLOAD_TYPE,
                cosignature.to_payload_bytes(),
                &key("GB"),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");

    let decision = ClaimDecision {
        v: 1,
        claim: claim.id,
        version: 1,
        claim_digest: digest,
        party: PartyId::parse("EE").unwrap(),
        action: ClaimAction::Publish,
        reason: None,
        signed_at: node.node.now(),
    };
    let (status, published) = node
        .post_json(
            "EE",
            &format!("/api/v1/claims/{}/decisions", claim.id),
            sign_record(
                CLAIM_DECISION_PAYLOAD_TYPE,
                decision.to_payload_bytes(),
                &key("EE"),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{published}");
    assert_eq!(published["status"], "published");

    // The public answers, without a token.
    let (status, public) = node.get_json(None, "/api/v1/public/claims").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(public["claims"][0]["id"], claim.id.to_string());
    assert_eq!(
        public["named_states"][0],
        serde_json::json!({"state": "CN", "published_claims": 1, "joint_claims": 1})
    );
    let (status, page) = node
        .get_json(None, &format!("/api/v1/public/claims/{}", claim.id))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["cosignatures"][0]["cosignature"]["party"], "GB");

    // The incident's assessment now rests on the claim.
    let (_, assessment) = node
        .get_json(
            Some("EE"),
            &format!("/api/v1/incidents/{}/assessment", node.public_ids[0]),
        )
        .await;
    assert!(
        assessment
            .to_string()
            .contains(&format!("attribution.claim {} v1", claim.id)),
        "{assessment}"
    );

    // Over TAXII: the report, relationships and the co-signer's opinion, read back as the claim.
    let response = reqwest::Client::new()
        .get(format!(
            "{}/taxii2/api/collections/{}/objects/",
            node.base, collection.id
        ))
        .basic_auth("UA", Some(&node.tokens["UA"]))
        .header("accept", TAXII)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let envelope: Value = response.json().await.unwrap();
    let objects: Vec<redline_stix::StixObject> =
        serde_json::from_value(envelope["objects"].clone()).unwrap();
    let imported: Vec<_> = redline_stix::claims_from_stix(&objects)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(imported.len(), 1);
    assert_eq!(
        imported[0].named_state.as_ref().map(|state| state.as_str()),
        Some("CN")
    );
    assert_eq!(imported[0].actor.as_deref(), Some("APT41"));
    assert_eq!(imported[0].likelihood, Confidence::VeryLikely);
    assert_eq!(imported[0].opinions.len(), 1);

    // The STIX export of the claim, and the OpenAPI document names every route.
    let (status, bundle) = node
        .get_json(Some("UA"), &format!("/api/v1/claims/{}/stix", claim.id))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bundle["type"], "bundle");
    let (_, openapi) = node.get_json(None, "/api/openapi.json").await;
    for path in [
        "/api/v1/claims",
        "/api/v1/claims/{id}/decisions",
        "/api/v1/consultations/{id}/replies",
        "/api/v1/public/claims",
    ] {
        assert!(
            openapi["paths"].get(path).is_some(),
            "{path} is missing from the OpenAPI document"
        );
    }
}
