//! Abuse cases: the duty officer's console (`/console…`) and its sessions.

use reqwest::{StatusCode, redirect::Policy};

use super::support;

/// Signs in with `party`'s token; returns the status and the session cookie, if one was set.
async fn sign_in(node: &support::DashboardNode, party: &str) -> (StatusCode, Option<String>) {
    support::ConsoleSession::try_sign_in(node, party).await
}

/// Whether the session behind `cookie` still opens the console.
async fn is_signed_in(node: &support::DashboardNode, cookie: &str) -> bool {
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let response = client
        .get(format!("{}/console", node.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    response.status() == StatusCode::OK
}

/// Rule: sign-ins are limited per party and per address, and no one's session is ended to
/// make room for another party's (finding 16.7): a party that signs in again and again ends
/// only its own oldest sessions, and past the per-address limit sign-ins are refused.
#[tokio::test]
async fn mass_sign_ins_never_sign_another_party_out() {
    let node = support::start().await;
    let (status, ua_cookie) = sign_in(&node, "UA").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let ua_cookie = ua_cookie.unwrap();
    let (_, first_ru) = sign_in(&node, "RU").await;
    let first_ru = first_ru.unwrap();
    for _ in 0..100 {
        let (status, _) = sign_in(&node, "RU").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
    assert!(is_signed_in(&node, &ua_cookie).await, "UA was signed out");
    assert!(
        !is_signed_in(&node, &first_ru).await,
        "RU's own oldest session should have ended"
    );
    // Every party from this one address: the per-address limit refuses, never evicts.
    let mut refused = 0;
    for round in 0..80 {
        for party in ["EE", "IR", "GB", "US", "KP", "RU"] {
            let (status, _) = sign_in(&node, party).await;
            if status == StatusCode::TOO_MANY_REQUESTS {
                refused += 1;
            } else {
                assert_eq!(status, StatusCode::SEE_OTHER, "round {round} {party}");
            }
        }
    }
    assert!(refused > 0, "the per-address limit never applied");
    assert!(is_signed_in(&node, &ua_cookie).await, "UA was signed out");
}

// --- attribution claims in the console (`/console/claims…`) ----------------------------------

const CLAIM_SECRET: &str = "console-claim-secret-5d1e";

/// A first claim version by EE naming RU about the first public incident.
fn claim_by_estonia(
    node: &support::DashboardNode,
    id: u128,
    tlp: redline_model::Tlp,
) -> redline_model::AttributionClaim {
    use redline_model::{
        AttributionBasis, AttributionClaim, AttributionRelationship, Confidence, CountryCode,
        EvidenceReference, IncidentId, NamedState, PartyId,
    };
    AttributionClaim {
        v: 1,
        id: uuid::Uuid::from_u128(id),
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
            reference: format!("sha256:{}", "ef".repeat(32)),
            description: None,
        }],
        statement: format!("A state organ ran the operation ({CLAIM_SECRET})."),
        tlp,
        shared_with: if tlp.is_restricted() {
            vec![PartyId::parse("GB").unwrap()]
        } else {
            vec![]
        },
        signed_at: node.node.now(),
    }
}

/// Files `claim` as EE, signed with EE's key, straight through the node.
async fn file_as_estonia(node: &support::DashboardNode, claim: &redline_model::AttributionClaim) {
    let envelope = redline_hotline::sign_record(
        redline_model::attribution::CLAIM_PAYLOAD_TYPE,
        claim.to_payload_bytes(),
        &support::key_of("EE"),
    );
    node.node
        .file_claim(
            &redline_node::Caller::Party(claim.claimant.clone()),
            &envelope,
        )
        .await
        .unwrap();
}

/// A console request with the session `cookie` (or none); returns the status, the `Location`
/// and the body.
async fn console_request(
    node: &support::DashboardNode,
    cookie: Option<&str>,
    method: reqwest::Method,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let mut builder = client.request(method, format!("{}{path}", node.base));
    if let Some(cookie) = cookie {
        builder = builder.header("cookie", cookie);
    }
    if !form.is_empty() {
        let body = support::form_body(form);
        builder = builder
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
    }
    let response = builder.send().await.unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, location, response.text().await.unwrap())
}

/// Signs `party` in; returns its session cookie and CSRF token.
async fn console_session(node: &support::DashboardNode, party: &str) -> (String, String) {
    let (_, cookie) = sign_in(node, party).await;
    let cookie = cookie.unwrap();
    let (_, _, page) = console_request(
        node,
        Some(&cookie),
        reqwest::Method::GET,
        "/console/claims",
        &[],
    )
    .await;
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker).unwrap() + marker.len();
    let csrf = page[start..].split('"').next().unwrap().to_string();
    (cookie, csrf)
}

/// Rule: every console claim page and form needs a session; an anonymous visitor is sent to
/// the sign-in page and nothing is prepared or sent.
#[tokio::test]
async fn an_anonymous_visitor_is_sent_to_sign_in_from_every_console_claim_route() {
    let node = support::start().await;
    let claim = claim_by_estonia(&node, 0xc1, redline_model::Tlp::Clear);
    file_as_estonia(&node, &claim).await;
    let envelope = String::from_utf8(redline_hotline::sign_record(
        redline_model::attribution::CLAIM_PAYLOAD_TYPE,
        claim_by_estonia(&node, 0xc2, redline_model::Tlp::Clear).to_payload_bytes(),
        &support::key_of("EE"),
    ))
    .unwrap();
    let routes = [
        (reqwest::Method::GET, "/console/claims".to_string(), vec![]),
        (
            reqwest::Method::GET,
            format!("/console/claims/{}", claim.id),
            vec![],
        ),
        (
            reqwest::Method::POST,
            "/console/claims".to_string(),
            vec![("statement", "x")],
        ),
        (
            reqwest::Method::POST,
            format!("/console/claims/{}/prepare", claim.id),
            vec![("kind", "publish")],
        ),
        (
            reqwest::Method::POST,
            "/console/claims/send".to_string(),
            vec![("kind", "claim"), ("envelope", envelope.as_str())],
        ),
    ];
    for (method, path, form) in routes {
        let (status, location, body) = console_request(&node, None, method, &path, &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{path}: {body}");
        assert_eq!(location, "/console/sign-in", "{path}");
        assert!(!body.contains(CLAIM_SECRET), "{path}");
    }
    let stored = node
        .node
        .get_claim(&redline_node::Caller::Operator, uuid::Uuid::from_u128(0xc2))
        .await;
    assert!(stored.is_err(), "the anonymous send stored nothing");
}

/// Rule: a console session acts only in its own party's name. An envelope signed by another
/// party is refused (403) and changes nothing; a record the console prepares always names the
/// session's party, whatever the form says, so GB cannot publish EE's claim; and a form without
/// the session's CSRF token is refused.
#[tokio::test]
async fn a_party_cannot_act_in_another_partys_name_through_the_console() {
    let node = support::start().await;
    let claim = claim_by_estonia(&node, 0xc3, redline_model::Tlp::Clear);
    file_as_estonia(&node, &claim).await;
    let (cookie, csrf) = console_session(&node, "GB").await;

    // EE's signed co-signature of its own claim, sent through GB's session.
    let digest = redline_hotline::payload_digest(&claim.to_payload_bytes());
    let decision = redline_model::ClaimDecision {
        v: 1,
        claim: claim.id,
        version: 1,
        claim_digest: digest,
        party: redline_model::PartyId::parse("EE").unwrap(),
        action: redline_model::ClaimAction::Withdraw,
        reason: None,
        signed_at: node.node.now(),
    };
    let envelope = String::from_utf8(redline_hotline::sign_record(
        redline_model::attribution::CLAIM_DECISION_PAYLOAD_TYPE,
        decision.to_payload_bytes(),
        &support::key_of("EE"),
    ))
    .unwrap();
    let (status, _, body) = console_request(
        &node,
        Some(&cookie),
        reqwest::Method::POST,
        "/console/claims/send",
        &[
            ("csrf", csrf.as_str()),
            ("kind", "withdraw"),
            ("claim", &claim.id.to_string()),
            ("envelope", envelope.as_str()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("id=\"refused\""), "{body}");
    // A new claim in EE's name, signed by EE, sent by GB: refused too.
    let forged = claim_by_estonia(&node, 0xc4, redline_model::Tlp::Clear);
    let envelope = String::from_utf8(redline_hotline::sign_record(
        redline_model::attribution::CLAIM_PAYLOAD_TYPE,
        forged.to_payload_bytes(),
        &support::key_of("EE"),
    ))
    .unwrap();
    let (status, _, _) = console_request(
        &node,
        Some(&cookie),
        reqwest::Method::POST,
        "/console/claims/send",
        &[
            ("csrf", csrf.as_str()),
            ("kind", "claim"),
            ("envelope", envelope.as_str()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let view = node
        .node
        .get_claim(&redline_node::Caller::Operator, claim.id)
        .await
        .unwrap();
    assert_eq!(
        view.status,
        redline_model::ClaimStatus::Filed,
        "not withdrawn"
    );
    assert!(view.decisions.is_empty());
    assert!(
        node.node
            .get_claim(&redline_node::Caller::Operator, forged.id)
            .await
            .is_err(),
        "the forged claim was not filed"
    );

    // What GB's session prepares names GB, even with another party in the form.
    let (status, _, prepared) = console_request(
        &node,
        Some(&cookie),
        reqwest::Method::POST,
        &format!("/console/claims/{}/prepare", claim.id),
        &[
            ("csrf", csrf.as_str()),
            ("kind", "publish"),
            ("party", "EE"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{prepared}");
    assert!(
        prepared.contains("&#34;party&#34;:&#34;GB&#34;")
            || prepared.contains("&quot;party&quot;:&quot;GB&quot;"),
        "{prepared}"
    );
    assert!(
        !prepared.contains("&#34;party&#34;:&#34;EE&#34;")
            && !prepared.contains("&quot;party&quot;:&quot;EE&quot;")
    );

    // Without the session's CSRF token nothing is prepared or sent.
    for (path, form) in [
        (
            format!("/console/claims/{}/prepare", claim.id),
            vec![
                ("csrf", "forged"),
                ("kind", "cosign"),
                ("confidence", "likely"),
            ],
        ),
        (
            "/console/claims/send".to_string(),
            vec![
                ("csrf", "forged"),
                ("kind", "withdraw"),
                ("envelope", envelope.as_str()),
            ],
        ),
        (
            "/console/claims".to_string(),
            vec![("csrf", "forged"), ("statement", "x")],
        ),
    ] {
        let (status, _, _) =
            console_request(&node, Some(&cookie), reqwest::Method::POST, &path, &form).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
}

/// Rule: a restricted claim is read in the console only by its readers; a party outside them
/// is told "not found" (404, never 403) on its page and its prepare form, and its list does not
/// carry it.
#[tokio::test]
async fn a_non_reader_sees_not_found_for_a_restricted_claim_in_the_console() {
    let node = support::start().await;
    let claim = claim_by_estonia(&node, 0xc5, redline_model::Tlp::Amber);
    file_as_estonia(&node, &claim).await;
    let path = format!("/console/claims/{}", claim.id);
    let (reader_cookie, _) = console_session(&node, "GB").await;
    let (status, _, page) = console_request(
        &node,
        Some(&reader_cookie),
        reqwest::Method::GET,
        &path,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "GB reads it");
    assert!(page.contains(CLAIM_SECRET));

    let (cookie, csrf) = console_session(&node, "UA").await;
    let (status, _, page) =
        console_request(&node, Some(&cookie), reqwest::Method::GET, &path, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!page.contains(CLAIM_SECRET));
    let (status, _, page) = console_request(
        &node,
        Some(&cookie),
        reqwest::Method::POST,
        &format!("{path}/prepare"),
        &[
            ("csrf", csrf.as_str()),
            ("kind", "cosign"),
            ("confidence", "likely"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!page.contains(CLAIM_SECRET));
    let (_, _, list) = console_request(
        &node,
        Some(&cookie),
        reqwest::Method::GET,
        "/console/claims",
        &[],
    )
    .await;
    assert!(!list.contains(&claim.id.to_string()));
    assert!(!list.contains(CLAIM_SECRET));
}
