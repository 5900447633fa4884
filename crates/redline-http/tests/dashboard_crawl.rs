#![allow(clippy::unwrap_used)]
//! Restricted incidents never reach a public page: seeds `amber`, `amber+strict`, `red` (and
//! `green`, which is for signed-in parties only) incidents with marker strings, crawls every
//! public page from `/dashboard` by following every link on the node, in every language, and
//! finds none of their titles, descriptions, references or ids — nor anything of the amber and
//! red hotline threads about them (free text, thread ids), though the public scorecards count
//! their timeliness. Attribution claims too: a restricted claim, a `clear` claim filed but not
//! published and a consultation's positions reach no public page; a published one does, with
//! its co-signer, and its named state is counted on the scorecards. The public feeds (Atom,
//! JSON Feed, CSV), linked from the overview, are crawled like pages.

mod support;

use std::collections::{BTreeSet, VecDeque};

use reqwest::StatusCode;

/// Every `href="…"` of a page that stays on this node (no external links, no API writes).
fn links(body: &str) -> Vec<String> {
    body.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|href| href.replace("&amp;", "&"))
        .filter(|href| href.starts_with('/') && !href.starts_with("//"))
        .collect()
}

/// Claims about a public incident: returns the markers that must stay off public pages and the
/// published claim's id and statement, which must be on them.
async fn seed_claims(node: &support::DashboardNode) -> (Vec<String>, String, String) {
    use redline_hotline::{ConsultationRequest, Remedy, payload_digest, sign_record};
    use redline_model::attribution::{
        CLAIM_DECISION_PAYLOAD_TYPE, CLAIM_PAYLOAD_TYPE, COSIGNATURE_PAYLOAD_TYPE,
    };
    use redline_model::{
        AttributionBasis, AttributionClaim, AttributionRelationship, ClaimAction, ClaimCosignature,
        ClaimDecision, Confidence, CountryCode, EvidenceReference, IncidentId, NamedState, PartyId,
        Tlp,
    };
    use redline_node::Caller;
    let party = |id: &str| PartyId::parse(id).unwrap();
    let now = node.node.now();
    let claim =
        |id: u128, tlp: Tlp, named: &str, named_party: bool, statement: String| AttributionClaim {
            v: 1,
            id: uuid::Uuid::from_u128(id),
            version: 1,
            incident: IncidentId::parse(&node.public_ids[0]).unwrap(),
            claimant: party("EE"),
            named: NamedState {
                state: CountryCode::parse(named).unwrap(),
                party: named_party.then(|| party(named)),
                actor: None,
            },
            relationship: AttributionRelationship::StateOrgan,
            confidence: Confidence::VeryLikely,
            analytic_confidence: None,
            basis: vec![AttributionBasis::Technical],
            evidence: vec![EvidenceReference {
                reference: format!("sha256:{}", "12".repeat(32)),
                description: None,
            }],
            statement,
            tlp,
            shared_with: if tlp.is_restricted() {
                vec![party("GB")]
            } else {
                vec![]
            },
            signed_at: now,
        };
    let as_ee = Caller::Party(party("EE"));
    let file = |claim: &AttributionClaim| {
        sign_record(
            CLAIM_PAYLOAD_TYPE,
            claim.to_payload_bytes(),
            &support::key_of("EE"),
        )
    };
    let amber = claim(1, Tlp::Amber, "RU", true, "SECRETCLAIM-amber".into());
    node.node.file_claim(&as_ee, &file(&amber)).await.unwrap();
    let unpublished = claim(2, Tlp::Clear, "RU", true, "SECRETCLAIM-unpublished".into());
    node.node
        .file_claim(&as_ee, &file(&unpublished))
        .await
        .unwrap();
    let request = ConsultationRequest {
        v: 1,
        id: uuid::Uuid::from_u128(20),
        claim: unpublished.id,
        from: party("EE"),
        to: party("RU"),
        facts: "SECRETCLAIM-facts".into(),
        legal_view: "SECRETCLAIM-legal-view".into(),
        remedies: vec![Remedy::Cessation],
        mediator: None,
        sent_at: now,
    };
    node.node
        .request_consultation(
            &as_ee,
            &sign_record(
                redline_hotline::consultation::CONSULTATION_REQUEST_PAYLOAD_TYPE,
                request.to_payload_bytes(),
                &support::key_of("EE"),
            ),
        )
        .await
        .unwrap();
    // Published: it names a state that is not a party, so no consultation is owed.
    let published = claim(3, Tlp::Clear, "CN", false, "PUBLICCLAIM-statement".into());
    node.node
        .file_claim(&as_ee, &file(&published))
        .await
        .unwrap();
    let digest = payload_digest(&published.to_payload_bytes());
    let cosignature = ClaimCosignature {
        v: 1,
        claim: published.id,
        version: 1,
        claim_digest: digest.clone(),
        party: party("GB"),
        confidence: Confidence::Likely,
        statement: None,
        signed_at: now,
    };
    node.node
        .cosign_claim(
            &Caller::Party(party("GB")),
            &sign_record(
                COSIGNATURE_PAYLOAD_TYPE,
                cosignature.to_payload_bytes(),
                &support::key_of("GB"),
            ),
        )
        .await
        .unwrap();
    let decision = ClaimDecision {
        v: 1,
        claim: published.id,
        version: 1,
        claim_digest: digest,
        party: party("EE"),
        action: ClaimAction::Publish,
        reason: None,
        signed_at: now,
    };
    node.node
        .decide_claim(
            &as_ee,
            &sign_record(
                CLAIM_DECISION_PAYLOAD_TYPE,
                decision.to_payload_bytes(),
                &support::key_of("EE"),
            ),
        )
        .await
        .unwrap();
    (
        vec![
            "SECRETCLAIM".to_string(),
            amber.id.to_string(),
            unpublished.id.to_string(),
        ],
        published.id.to_string(),
        "PUBLICCLAIM-statement".to_string(),
    )
}

/// Commitments: an `amber` and a `green` implementation report with markers (the amber one with
/// a public summary, which must be shown), an open round and a closed one whose reviews and
/// answer carry markers; returns the markers that must stay off public pages, the texts that
/// must be on them, and the closed round's id.
async fn seed_commitments(node: &support::DashboardNode) -> (Vec<String>, Vec<String>, String) {
    use redline_hotline::sign_record;
    use redline_model::commitments::{
        IMPLEMENTATION_REPORT_PAYLOAD_TYPE, PEER_REVIEW_PAYLOAD_TYPE, REVIEW_ANSWER_PAYLOAD_TYPE,
        REVIEW_ROUND_CLOSING_PAYLOAD_TYPE, REVIEW_ROUND_OPENING_PAYLOAD_TYPE,
    };
    use redline_node::Caller;
    use serde_json::json;
    let now = node.node.now();
    let deadline = now.plus_seconds(7 * 86_400).unwrap();
    let signed = |kind: &str, signer: &str, payload: serde_json::Value| {
        sign_record(
            kind,
            serde_json::to_vec(&payload).unwrap(),
            &support::key_of(signer),
        )
    };
    let as_party = |id: &str| Caller::Party(redline_model::PartyId::parse(id).unwrap());
    for (number, tlp) in [(1u128, "amber"), (2, "green")] {
        let mut report = json!({
            "v": 1, "id": uuid::Uuid::from_u128(100 + number), "version": 1, "party": "EE",
            "period": format!("SECRETREPORT-period-{tlp}"),
            "norms": [{"norm": "13(g)", "level": "partly-implemented", "measures": format!("SECRETREPORT-measures-{tlp}")}],
            "tlp": tlp, "signed_at": now
        });
        if tlp == "amber" {
            report["shared_with"] = json!(["GB"]);
            report["public_summary"] = json!({"text": "PUBLICSUMMARY-ee", "norms": [{"norm": "13(g)", "level": "partly-implemented"}]});
        }
        node.node
            .file_implementation_report(
                &as_party("EE"),
                &signed(IMPLEMENTATION_REPORT_PAYLOAD_TYPE, "EE", report),
            )
            .await
            .unwrap();
    }
    let open_round = uuid::Uuid::from_u128(200);
    let closed_round = uuid::Uuid::from_u128(201);
    for (round, title) in [
        (open_round, "SECRETROUND-open"),
        (closed_round, "PUBLICROUND-title"),
    ] {
        node.node
            .open_review_round(
                &as_party("GB"),
                &signed(
                    REVIEW_ROUND_OPENING_PAYLOAD_TYPE,
                    "GB",
                    json!({
                        "v": 1, "round": round, "secretariat": "GB", "title": title,
                        "reviewed": ["EE"], "reviewers": ["UA"], "norms": ["13(g)"],
                        "deadline": deadline, "signed_at": now
                    }),
                ),
            )
            .await
            .unwrap();
    }
    node.node
        .submit_peer_review(&as_party("UA"), &signed(PEER_REVIEW_PAYLOAD_TYPE, "UA", json!({
            "v": 1, "round": closed_round, "reviewer": "UA", "reviewed": "EE",
            "ratings": [{"norm": "13(g)", "rating": "partly-meets", "comment": "SECRETREVIEW-comment"}],
            "signed_at": now
        })))
        .await
        .unwrap();
    node.node
        .answer_peer_review(
            &as_party("EE"),
            &signed(
                REVIEW_ANSWER_PAYLOAD_TYPE,
                "EE",
                json!({
                    "v": 1, "round": closed_round, "party": "EE",
                    "answers": [{"norm": "13(g)", "text": "SECRETREVIEW-answer"}], "signed_at": now
                }),
            ),
        )
        .await
        .unwrap();
    node.node
        .close_review_round(
            &as_party("GB"),
            &signed(
                REVIEW_ROUND_CLOSING_PAYLOAD_TYPE,
                "GB",
                json!({
                    "v": 1, "round": closed_round, "secretariat": "GB",
                    "summary": "PUBLICROUND-summary", "signed_at": now
                }),
            ),
        )
        .await
        .unwrap();
    (
        vec![
            "SECRETREPORT".to_string(),
            "SECRETROUND".to_string(),
            "SECRETREVIEW".to_string(),
            open_round.to_string(),
        ],
        vec![
            "PUBLICSUMMARY-ee".to_string(),
            "PUBLICROUND-summary".to_string(),
        ],
        closed_round.to_string(),
    )
}

#[tokio::test]
async fn no_restricted_content_on_any_public_page() {
    let node = support::start().await;
    let (claim_secrets, published_claim, published_statement) = seed_claims(&node).await;
    let http = reqwest::Client::new();
    let mut forbidden: Vec<String> = node.secrets.clone();
    forbidden.extend(node.restricted_ids.iter().cloned());
    forbidden.extend(claim_secrets);
    // Commitments: restricted reports, reviews and an open round stay off public routes.
    let (commitment_secrets, commitment_public, closed_round) = seed_commitments(&node).await;
    forbidden.extend(commitment_secrets);
    let mut commitment_public_shown = BTreeSet::new();
    let mut shown_published_statement = false;
    let mut seen = BTreeSet::new();
    let mut queue: VecDeque<String> = ["/dashboard", "/console", "/console/sign-in"]
        .into_iter()
        .map(String::from)
        .collect();
    // Also start from each language, so every translated page is crawled.
    for language in ["en", "fr", "es", "ru", "zh", "ar"] {
        queue.push_back(format!("/dashboard?lang={language}"));
    }
    let mut pages = 0;
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let response = http
            .get(format!("{}{path}", node.base))
            .send()
            .await
            .unwrap();
        let status = response.status();
        assert!(
            status == StatusCode::OK,
            "{path} answered {status}; every link of a public page must work"
        );
        let body = response.text().await.unwrap();
        pages += 1;
        shown_published_statement |= body.contains(&published_statement);
        for text in &commitment_public {
            if body.contains(text.as_str()) {
                commitment_public_shown.insert(text.clone());
            }
        }
        for secret in &forbidden {
            assert!(
                !body.contains(secret.as_str()),
                "{path} shows restricted content {secret}"
            );
        }
        for link in links(&body) {
            // TAXII answers TAXII clients only (landing.rs reads the public collection).
            if !seen.contains(&link) && !link.starts_with("/taxii2/") {
                queue.push_back(link);
            }
        }
        assert!(pages < 2000, "the crawl does not end");
    }
    assert!(pages >= 20, "crawled only {pages} pages: {seen:?}");
    // The public feeds and the CSV export are linked from the overview, so crawled too.
    for feed in ["/feed.atom", "/feed.json", "/export/incidents.csv"] {
        assert!(seen.contains(feed), "the crawl did not reach {feed}");
    }
    // The published claim is an item of the feeds, linking to its public page.
    for feed in ["/feed.atom", "/feed.json"] {
        let body = http
            .get(format!("{}{feed}", node.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            body.contains(&format!("/dashboard/claims/{published_claim}")),
            "{feed} does not carry the published claim"
        );
    }
    assert!(
        forbidden
            .iter()
            .any(|secret| secret.starts_with("SECRETMSG")),
        "hotline markers are among the secrets"
    );
    // The hotline threads are counted publicly: EE acknowledged UA's amber notification and
    // answered the red one with a clarification request (which acknowledges it).
    let scorecard = http
        .get(format!("{}/dashboard/parties/EE", node.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        scorecard.contains("id=\"acknowledged-on-time\">2 / 2"),
        "EE's acknowledgements are counted"
    );
    assert!(
        seen.contains(&format!("/dashboard/claims/{published_claim}")),
        "the published claim's page was reached"
    );
    assert!(shown_published_statement, "the published claim is shown");
    // Commitments: the public summary and the closed round's summary were reached and shown,
    // through the pages and their JSON exports.
    assert_eq!(commitment_public_shown.len(), commitment_public.len());
    for reached in [
        "/dashboard/commitments".to_string(),
        "/dashboard/commitments/EE".to_string(),
        format!("/dashboard/review-rounds/{closed_round}"),
        "/api/v1/public/commitments".to_string(),
        format!("/api/v1/public/review-rounds/{closed_round}"),
    ] {
        assert!(seen.contains(&reached), "the crawl did not reach {reached}");
    }
    let scorecards = http
        .get(format!("{}/dashboard/parties", node.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!scorecards.contains("SECRETCLAIM"));
    for id in &node.public_ids {
        assert!(
            seen.contains(&format!("/dashboard/incidents/{id}")),
            "{id} was reached"
        );
    }
}

/// Every public page reachable from the dashboard's entry points (and the public feeds they
/// link), with its body. Every link must answer 200.
async fn crawl_public_pages(base: &str) -> Vec<(String, String)> {
    let http = reqwest::Client::new();
    let mut seen = BTreeSet::new();
    let mut queue: VecDeque<String> = ["/dashboard", "/console", "/console/sign-in"]
        .into_iter()
        .map(String::from)
        .collect();
    for language in ["en", "fr", "es", "ru", "zh", "ar"] {
        queue.push_back(format!("/dashboard?lang={language}"));
    }
    let mut pages = Vec::new();
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let response = http.get(format!("{base}{path}")).send().await.unwrap();
        let status = response.status();
        assert!(
            status == StatusCode::OK,
            "{path} answered {status}; every link of a public page must work"
        );
        let body = response.text().await.unwrap();
        for link in links(&body) {
            if !seen.contains(&link) && !link.starts_with("/taxii2/") {
                queue.push_back(link);
            }
        }
        pages.push((path, body));
        assert!(pages.len() < 3000, "the crawl does not end");
    }
    pages
}

/// Coordinated vulnerability disclosure: nothing of an embargoed case — its title,
/// description, products, identifiers, id — is on any public page, feed or public API answer
/// while the node's clock is before the embargo's end; once the clock passes it, the advisory
/// is linked from the dashboard and shows the case, still without the vendor's contact or the
/// anonymous reporter.
#[tokio::test]
async fn an_embargoed_case_is_on_no_public_route_before_its_end_and_is_after() {
    use std::sync::Arc;

    use base64::Engine;
    use redline_model::{PartyId, PartyKind};
    use redline_node::{Caller, Clock, FixedClock, NewParty};

    let start = redline_node::SystemClock.now();
    let clock = Arc::new(FixedClock::new(start));
    let node = support::start_with_clock(redline_http::HttpConfig::default(), clock.clone()).await;
    let coordinator_key = ed25519_dalek::SigningKey::from_bytes(&[77; 32]);
    node.node
        .add_party(
            &Caller::Operator,
            NewParty {
                id: PartyId::parse("cert-eu").unwrap(),
                kind: PartyKind::Cert,
                name: "CERT-EU".into(),
                languages: vec!["en".into()],
                public_keys: vec![
                    base64::engine::general_purpose::STANDARD
                        .encode(coordinator_key.verifying_key().as_bytes()),
                ],
            },
        )
        .await
        .unwrap();
    let case = uuid::Uuid::from_u128(0xE3BA_460E);
    let embargo_end = start.plus_seconds(30 * 86_400).unwrap();
    let payload = serde_json::json!({
        "v": 1, "id": case, "version": 1,
        "title": "EMBARGOTITLE remote takeover",
        "description": "EMBARGODESCRIPTION reaches the management API.",
        "coordinator": "cert-eu",
        "reporter": {"name": "EMBARGOREPORTER", "anonymous_to_vendors": true},
        "vendors": [
            {"id": "ua", "name": "EMBARGOVENDOR Ukraine", "party": "UA", "products": [
                {"id": "gw", "name": "EMBARGOPRODUCT gateway", "identifier": {"purl": "pkg:generic/embargoacme/embargogateway@4.2.0"}}]},
            {"id": "initech", "name": "Initech", "contact": "EMBARGOCONTACT@initech.example", "products": [
                {"id": "tps", "name": "TPS", "identifier": {"cpe": "cpe:2.3:a:initech:embargotps:2.0:*:*:*:*:*:*:*"}}]}
        ],
        "cvss_v4": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        "reported_at": start.plus_seconds(-86_400).unwrap(),
        "embargo_end": embargo_end,
        "signed_at": start,
    });
    node.node
        .file_disclosure_case(
            &Caller::Operator,
            &redline_hotline::sign_record(
                redline_disclosure::CASE_PAYLOAD_TYPE,
                serde_json::to_vec(&payload).unwrap(),
                &coordinator_key,
            ),
        )
        .await
        .unwrap();
    let shown_after = [
        "EMBARGOTITLE",
        "EMBARGODESCRIPTION",
        "EMBARGOPRODUCT",
        "embargogateway",
        "embargotps",
    ];
    let never_public = ["EMBARGOREPORTER", "EMBARGOCONTACT"];
    let case_id = case.to_string();

    // Before the embargo's end, by the node's clock: nowhere.
    clock.set(embargo_end.plus_seconds(-1).unwrap());
    let mut pages = crawl_public_pages(&node.base).await;
    let http = reqwest::Client::new();
    for path in [
        "/api/v1/public/advisories".to_string(),
        format!("/api/v1/public/advisories/{case}"),
        format!("/api/v1/public/advisories/{case}/csaf"),
        format!("/dashboard/advisories/{case}"),
        "/feed.atom".to_string(),
        "/feed.json".to_string(),
    ] {
        let response = http
            .get(format!("{}{path}", node.base))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        if path.contains(&case_id) {
            // Asked by its id: "not found", as for an id that does not exist (the answer names
            // only the id it was asked for).
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
            pages.push((path, body.replace(&case_id, "")));
        } else {
            pages.push((path, body));
        }
    }
    assert!(pages.len() >= 20, "crawled only {} pages", pages.len());
    for (path, body) in &pages {
        for marker in shown_after
            .iter()
            .chain(&never_public)
            .copied()
            .chain([case_id.as_str()])
        {
            assert!(
                !body.contains(marker),
                "{path} shows {marker} of an embargoed case"
            );
        }
    }

    // From the embargo's end: the advisory is linked and shown, contact and reporter are not.
    clock.set(embargo_end);
    let pages = crawl_public_pages(&node.base).await;
    let advisory_page = format!("/dashboard/advisories/{case}");
    let advisory = pages
        .iter()
        .find(|(path, _)| *path == advisory_page)
        .unwrap_or_else(|| panic!("the crawl did not reach {advisory_page}"));
    for marker in shown_after {
        assert!(
            advisory.1.contains(marker),
            "{advisory_page} does not show {marker}"
        );
    }
    assert!(
        pages
            .iter()
            .any(|(path, _)| *path == format!("/api/v1/public/advisories/{case}/csaf")),
        "the CSAF advisory is linked"
    );
    for (path, body) in &pages {
        for marker in never_public {
            assert!(!body.contains(marker), "{path} shows {marker}");
        }
    }
}
