//! Abuse cases: attribution claims and consultations (`/api/v1/claims…`,
//! `/api/v1/consultations…`, `/api/v1/public/claims…`).

use redline_hotline::sign_record;
use redline_model::attribution::{CLAIM_PAYLOAD_TYPE, COSIGNATURE_PAYLOAD_TYPE};
use redline_model::{
    AttributionBasis, AttributionClaim, AttributionRelationship, ClaimCosignature, Confidence,
    CountryCode, EvidenceReference, IncidentId, NamedState, PartyId, Timestamp, Tlp,
};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use uuid::Uuid;

use super::{Actor, request, support};

const SECRET: &str = "claim-secret-7f3a";

fn claim(node: &support::DashboardNode, id: u128, tlp: Tlp) -> AttributionClaim {
    AttributionClaim {
        v: 1,
        id: Uuid::from_u128(id),
        version: 1,
        incident: IncidentId::parse(&node.public_ids[0]).unwrap(),
        claimant: PartyId::parse("EE").unwrap(),
        named: NamedState {
            state: CountryCode::parse("RU").unwrap(),
            party: Some(PartyId::parse("RU").unwrap()),
            actor: None,
        },
        relationship: AttributionRelationship::StateOrgan,
        confidence: Confidence::Likely,
        analytic_confidence: None,
        basis: vec![AttributionBasis::Technical],
        evidence: vec![EvidenceReference {
            reference: format!("sha256:{}", "cd".repeat(32)),
            description: None,
        }],
        statement: format!("The operation was run by a state organ ({SECRET})."),
        tlp,
        shared_with: if tlp.is_restricted() {
            vec![PartyId::parse("GB").unwrap()]
        } else {
            vec![]
        },
        signed_at: node.node.now(),
    }
}

fn envelope(signer: &str, payload_type: &str, payload: Vec<u8>) -> Value {
    serde_json::from_slice(&sign_record(
        payload_type,
        payload,
        &support::key_of(signer),
    ))
    .unwrap()
}

async fn file(node: &support::DashboardNode, claim: &AttributionClaim) {
    let body = envelope("EE", CLAIM_PAYLOAD_TYPE, claim.to_payload_bytes());
    let (status, answer) = request(
        node,
        Actor::Party("EE"),
        Method::POST,
        "/api/v1/claims",
        Some(&body),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
}

/// Rule: a restricted claim is read only by its claimant, the named state and the parties it
/// is shared with; any other party and any visitor get 404, and no list, page or public answer
/// carries its content.
#[tokio::test]
async fn a_restricted_claim_reaches_no_one_outside_its_readers() {
    let node = support::start().await;
    let amber = claim(&node, 1, Tlp::Amber);
    file(&node, &amber).await;
    let path = format!("/api/v1/claims/{}", amber.id);
    for reader in ["EE", "RU", "GB"] {
        let (status, answer) =
            request(&node, Actor::Party(reader), Method::GET, &path, None, &[]).await;
        assert_eq!(status, StatusCode::OK, "{reader}: {answer}");
    }
    for outsider in ["UA", "US", "IR"] {
        let (status, answer) =
            request(&node, Actor::Party(outsider), Method::GET, &path, None, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{outsider}: {answer}");
        assert!(!answer.to_string().contains(SECRET));
        let (_, list) = request(
            &node,
            Actor::Party(outsider),
            Method::GET,
            "/api/v1/claims",
            None,
            &[],
        )
        .await;
        assert!(!list.to_string().contains(SECRET), "{outsider}: {list}");
    }
    for public in [
        "/api/v1/public/claims".to_string(),
        format!("/api/v1/public/claims/{}", amber.id),
    ] {
        let (_, answer) = request(&node, Actor::Anonymous, Method::GET, &public, None, &[]).await;
        assert!(!answer.to_string().contains(SECRET), "{public}: {answer}");
    }
}

/// Rule: a filed claim that is not published — even TLP:CLEAR — is on no public answer; a
/// published-only route says "not found" for it.
#[tokio::test]
async fn an_unpublished_claim_is_not_public() {
    let node = support::start().await;
    let clear = claim(&node, 2, Tlp::Clear);
    file(&node, &clear).await;
    let (status, _) = request(
        &node,
        Actor::Anonymous,
        Method::GET,
        &format!("/api/v1/public/claims/{}", clear.id),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, list) = request(
        &node,
        Actor::Anonymous,
        Method::GET,
        "/api/v1/public/claims",
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["claims"], serde_json::json!([]));
    assert_eq!(list["named_states"], serde_json::json!([]));
}

/// Rule: no party files, co-signs or publishes in another party's name, and a record is never
/// filed under another claim than the one it was signed for; nothing is stored.
#[tokio::test]
async fn no_party_acts_in_another_name_or_under_another_claim() {
    let node = support::start().await;
    let clear = claim(&node, 3, Tlp::Green);
    // UA sends EE's genuinely signed claim: 403; UA signs a claim in EE's name: refused.
    let genuine = envelope("EE", CLAIM_PAYLOAD_TYPE, clear.to_payload_bytes());
    let (status, _) = request(
        &node,
        Actor::Party("UA"),
        Method::POST,
        "/api/v1/claims",
        Some(&genuine),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let forged = envelope("UA", CLAIM_PAYLOAD_TYPE, clear.to_payload_bytes());
    let (status, answer) = request(
        &node,
        Actor::Party("EE"),
        Method::POST,
        "/api/v1/claims",
        Some(&forged),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["error"]["issues"][0]["path"], "envelope.signatures");
    let (_, list) = request(
        &node,
        Actor::Party("EE"),
        Method::GET,
        "/api/v1/claims",
        None,
        &[],
    )
    .await;
    assert_eq!(list["claims"], serde_json::json!([]));

    file(&node, &clear).await;
    let cosignature = ClaimCosignature {
        v: 1,
        claim: clear.id,
        version: 1,
        claim_digest: redline_hotline::payload_digest(&clear.to_payload_bytes()),
        party: PartyId::parse("GB").unwrap(),
        confidence: Confidence::Likely,
        statement: None,
        signed_at: Timestamp::parse("2026-01-01T00:00:00Z")
            .unwrap()
            .max(node.node.now()),
    };
    let body = envelope(
        "GB",
        COSIGNATURE_PAYLOAD_TYPE,
        cosignature.to_payload_bytes(),
    );
    let elsewhere = format!("/api/v1/claims/{}/cosignatures", Uuid::from_u128(99));
    let (status, answer) = request(
        &node,
        Actor::Party("GB"),
        Method::POST,
        &elsewhere,
        Some(&body),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let (status, answer) = request(
        &node,
        Actor::Party("US"),
        Method::POST,
        &format!("/api/v1/claims/{}/cosignatures", clear.id),
        Some(&body),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    let (_, view) = request(
        &node,
        Actor::Party("EE"),
        Method::GET,
        &format!("/api/v1/claims/{}", clear.id),
        None,
        &[],
    )
    .await;
    assert_eq!(view["cosignatures"], serde_json::json!([]));
    let (status, _) = request(
        &node,
        Actor::Party("GB"),
        Method::POST,
        &format!("/api/v1/claims/{}/cosignatures", clear.id),
        Some(&body),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
}
