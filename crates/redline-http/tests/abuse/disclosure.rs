//! Abuse cases: coordinated vulnerability disclosure (`/api/v1/disclosure/cases…`,
//! `/api/v1/public/advisories…`, `/dashboard/advisories…`). An embargoed case is not found by
//! an anonymous visitor or a party outside it; a revoked token is refused; a record signed with
//! a revoked key, in another party's name, or an action its author may not take is refused and
//! changes nothing. Through incidents (`exploited_vulnerabilities`): a party that may not read an
//! embargoed case cannot name it (the answer of a missing case), and an anonymous visitor of a
//! public incident learns neither the id nor the title of an embargoed case.

use base64::Engine;
use redline_disclosure::{ACTION_PAYLOAD_TYPE, CASE_PAYLOAD_TYPE};
use redline_hotline::sign_record;
use redline_model::{PartyId, PartyKind, Timestamp};
use redline_node::{Caller, NewParty};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Actor, request, support};

const SECRET: &str = "disclosure-secret-51c9";

fn coordinator_key() -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&[91; 32])
}

fn envelope(payload_type: &str, payload: &Value, key: &ed25519_dalek::SigningKey) -> Value {
    serde_json::from_slice(&sign_record(
        payload_type,
        serde_json::to_vec(payload).unwrap(),
        key,
    ))
    .unwrap()
}

fn action(case: Uuid, author: &str, body: Value, signed_at: Timestamp) -> Value {
    json!({"v": 1, "id": Uuid::new_v4(), "case": case, "author": author, "action": body, "signed_at": signed_at})
}

/// A node with a CERT coordinator (`cert-eu`, its token added to `tokens`) and an embargoed
/// case naming UA as a vendor.
async fn node_with_embargoed_case() -> (support::DashboardNode, Uuid) {
    let mut node = support::start().await;
    let party = PartyId::parse("cert-eu").unwrap();
    node.node
        .add_party(
            &Caller::Operator,
            NewParty {
                id: party.clone(),
                kind: PartyKind::Cert,
                name: "CERT-EU".into(),
                languages: vec!["en".into()],
                public_keys: vec![
                    base64::engine::general_purpose::STANDARD
                        .encode(coordinator_key().verifying_key().as_bytes()),
                ],
            },
        )
        .await
        .unwrap();
    let token = node
        .node
        .issue_token(&Caller::Operator, &party, "test")
        .await
        .unwrap()
        .token;
    node.tokens.insert("cert-eu".into(), token);
    let now = node.node.now();
    let case = Uuid::from_u128(0xAB05E);
    let payload = json!({
        "v": 1, "id": case, "version": 1,
        "title": format!("Gateway takeover {SECRET}"),
        "description": "An unauthenticated request reaches the management API.",
        "coordinator": "cert-eu",
        "reporter": {"party": "EE", "anonymous_to_vendors": true},
        "vendors": [
            {"id": "ua", "name": "Ukrainian vendor", "party": "UA", "products": [
                {"id": "gw", "name": "Gateway", "identifier": {"purl": "pkg:generic/ua/gateway@1.0"}}]},
            {"id": "initech", "name": "Initech", "contact": "security@initech.example", "products": [
                {"id": "tps", "name": "TPS", "identifier": {"purl": "pkg:generic/initech/tps@2.0"}}]}
        ],
        "cvss_v4": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        "reported_at": now.plus_seconds(-86_400).unwrap(),
        "embargo_end": now.plus_seconds(30 * 86_400).unwrap(),
        "signed_at": now,
    });
    let (status, answer) = request(
        &node,
        Actor::Party("cert-eu"),
        Method::POST,
        "/api/v1/disclosure/cases",
        Some(&envelope(CASE_PAYLOAD_TYPE, &payload, &coordinator_key())),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    (node, case)
}

/// Rule: before its embargo ends, a case is "not found" to an anonymous visitor and to every
/// party outside it (not the coordinator, the reporter or a vendor party) — on the API, the
/// public API, the CSAF draft and the public pages — and lists do not name it.
#[tokio::test]
async fn an_embargoed_case_is_not_found_by_outsiders_and_anonymous_visitors() {
    let (node, case) = node_with_embargoed_case().await;
    for (actor, path, expected) in [
        (
            Actor::Anonymous,
            format!("/api/v1/disclosure/cases/{case}"),
            StatusCode::UNAUTHORIZED,
        ),
        (
            Actor::Anonymous,
            "/api/v1/disclosure/cases".to_string(),
            StatusCode::UNAUTHORIZED,
        ),
        (
            Actor::Anonymous,
            format!("/api/v1/public/advisories/{case}"),
            StatusCode::NOT_FOUND,
        ),
        (
            Actor::Anonymous,
            format!("/api/v1/public/advisories/{case}/csaf"),
            StatusCode::NOT_FOUND,
        ),
        (
            Actor::Anonymous,
            format!("/dashboard/advisories/{case}"),
            StatusCode::NOT_FOUND,
        ),
        (
            Actor::Party("GB"),
            format!("/api/v1/disclosure/cases/{case}"),
            StatusCode::NOT_FOUND,
        ),
        (
            Actor::Party("GB"),
            format!("/api/v1/disclosure/cases/{case}/csaf"),
            StatusCode::NOT_FOUND,
        ),
        (
            Actor::Party("RU"),
            format!("/api/v1/public/advisories/{case}"),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let (status, answer) = request(&node, actor, Method::GET, &path, None, &[]).await;
        assert_eq!(status, expected, "{actor:?} {path}: {answer}");
        assert!(
            !answer.to_string().contains(SECRET),
            "{actor:?} {path}: {answer}"
        );
    }
    for (actor, path) in [
        (Actor::Party("GB"), "/api/v1/disclosure/cases"),
        (Actor::Anonymous, "/api/v1/public/advisories"),
    ] {
        let (status, answer) = request(&node, actor, Method::GET, path, None, &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            !answer.to_string().contains(&case.to_string()),
            "{actor:?} {path}: {answer}"
        );
    }
    // The readers do read it: the vendor without the anonymous reporter, the reporter itself.
    let (status, as_vendor) = request(
        &node,
        Actor::Party("UA"),
        Method::GET,
        &format!("/api/v1/disclosure/cases/{case}"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(as_vendor["reporter"], Value::Null);
    assert_eq!(as_vendor["vendors"][1]["contact"], Value::Null);
    let (status, as_reporter) = request(
        &node,
        Actor::Party("EE"),
        Method::GET,
        &format!("/api/v1/disclosure/cases/{case}"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(as_reporter["reporter"]["party"], "EE");
}

/// Rule: a party outside an embargoed case cannot act on it (it is not found), and nobody can
/// send a record in another party's name (403); a vendor cannot take the coordinator's actions
/// or answer for another vendor (403). Nothing changes.
#[tokio::test]
async fn another_party_cannot_act_on_a_case_or_in_anothers_name() {
    let (node, case) = node_with_embargoed_case().await;
    let path = format!("/api/v1/disclosure/cases/{case}/actions");
    let now = node.node.now();
    let (_, before) = request(
        &node,
        Actor::Party("cert-eu"),
        Method::GET,
        &format!("/api/v1/disclosure/cases/{case}"),
        None,
        &[],
    )
    .await;
    // An action in `author`'s name, signed with `key`.
    let signed = |author: &str, body: Value, key: &ed25519_dalek::SigningKey| {
        envelope(ACTION_PAYLOAD_TYPE, &action(case, author, body, now), key)
    };
    let attempts = [
        // GB is outside the case: its own signed action finds nothing.
        (
            "GB",
            signed(
                "GB",
                json!({"kind": "vendor-contacted", "vendor": "ua"}),
                &support::key_of("GB"),
            ),
            StatusCode::NOT_FOUND,
        ),
        // GB relays a record in the coordinator's name.
        (
            "GB",
            signed(
                "cert-eu",
                json!({"kind": "vendor-contacted", "vendor": "ua"}),
                &coordinator_key(),
            ),
            StatusCode::FORBIDDEN,
        ),
        // The vendor moves the embargo, or answers for another vendor.
        (
            "UA",
            signed(
                "UA",
                json!({"kind": "embargo-changed", "embargo_end": now.plus_seconds(86_400).unwrap(), "reason": "publish early"}),
                &support::key_of("UA"),
            ),
            StatusCode::FORBIDDEN,
        ),
        (
            "UA",
            signed(
                "UA",
                json!({"kind": "product-status", "vendor": "initech", "product": "tps", "status": "not-affected"}),
                &support::key_of("UA"),
            ),
            StatusCode::FORBIDDEN,
        ),
        // A record in UA's name signed with another key.
        (
            "UA",
            signed(
                "UA",
                json!({"kind": "vendor-acknowledged", "vendor": "ua"}),
                &support::key_of("GB"),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (sender, body, expected) in attempts {
        let (status, answer) = request(
            &node,
            Actor::Party(sender),
            Method::POST,
            &path,
            Some(&body),
            &[],
        )
        .await;
        assert_eq!(status, expected, "{sender}: {answer}");
        assert!(!answer.to_string().contains(SECRET), "{answer}");
    }
    // Only the coordinator files versions of its case.
    let (status, _) = request(
        &node,
        Actor::Party("UA"),
        Method::POST,
        "/api/v1/disclosure/cases",
        Some(&envelope(
            CASE_PAYLOAD_TYPE,
            &json!({"v": 1}),
            &support::key_of("UA"),
        )),
        &[],
    )
    .await;
    assert!(
        status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST,
        "{status}"
    );
    let (_, after) = request(
        &node,
        Actor::Party("cert-eu"),
        Method::GET,
        &format!("/api/v1/disclosure/cases/{case}"),
        None,
        &[],
    )
    .await;
    assert_eq!(before, after, "a refused record changed the case");
}

/// Rule: a revoked token is refused on every disclosure route (401, never read as a visitor),
/// and a record signed with a revoked key is refused (422 naming the signature) and changes
/// nothing.
#[tokio::test]
async fn a_revoked_token_or_key_is_refused() {
    let (node, case) = node_with_embargoed_case().await;
    let issued = node
        .node
        .issue_token(
            &Caller::Operator,
            &PartyId::parse("UA").unwrap(),
            "to revoke",
        )
        .await
        .unwrap();
    node.node
        .revoke_token(&Caller::Operator, &issued.token_id)
        .await
        .unwrap();
    for (method, path) in [
        (Method::GET, "/api/v1/disclosure/cases".to_string()),
        (Method::POST, "/api/v1/disclosure/cases".to_string()),
        (Method::GET, format!("/api/v1/disclosure/cases/{case}")),
        (
            Method::POST,
            format!("/api/v1/disclosure/cases/{case}/actions"),
        ),
        (Method::GET, format!("/api/v1/disclosure/cases/{case}/csaf")),
    ] {
        for token in [issued.token.as_str(), "rl_deadbeef_notatoken"] {
            let (status, _) = request(
                &node,
                Actor::Token(token),
                method.clone(),
                &path,
                Some(&json!({})),
                &[],
            )
            .await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
        }
    }
    let ua = PartyId::parse("UA").unwrap();
    let key_id = node
        .node
        .store()
        .get_party(&ua)
        .await
        .unwrap()
        .unwrap()
        .keys[0]
        .key_id
        .clone();
    node.node
        .revoke_party_key(&Caller::Operator, &ua, &key_id, "compromised")
        .await
        .unwrap();
    let (_, before) = request(
        &node,
        Actor::Party("cert-eu"),
        Method::GET,
        &format!("/api/v1/disclosure/cases/{case}"),
        None,
        &[],
    )
    .await;
    let later = node.node.now().plus_seconds(1).unwrap();
    let body = envelope(
        ACTION_PAYLOAD_TYPE,
        &action(
            case,
            "UA",
            json!({"kind": "vendor-acknowledged", "vendor": "ua"}),
            later,
        ),
        &support::key_of("UA"),
    );
    let (status, answer) = request(
        &node,
        Actor::Party("UA"),
        Method::POST,
        &format!("/api/v1/disclosure/cases/{case}/actions"),
        Some(&body),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        answer.to_string().contains("envelope.signatures"),
        "{answer}"
    );
    let (_, after) = request(
        &node,
        Actor::Party("cert-eu"),
        Method::GET,
        &format!("/api/v1/disclosure/cases/{case}"),
        None,
        &[],
    )
    .await;
    assert_eq!(before, after);
}

/// An incident report by `reporter` against `victim` with label `tlp`, naming `vulnerabilities`.
fn report(
    reporter: &str,
    victim: &str,
    tlp: &str,
    shared_with: &[&str],
    vulnerabilities: Value,
) -> Value {
    json!({
        "title": format!("Gateway exploited at {victim}"),
        "reported_by": reporter, "victim": victim,
        "first_observed": "2026-01-10T00:00:00Z", "status": "confirmed", "tlp": tlp,
        "targets": [{"sector": "government-national", "country": victim}],
        "effects": [{"kind": "data-theft", "scale": "national"}],
        "shared_with": shared_with,
        "exploited_vulnerabilities": vulnerabilities,
    })
}

/// Rule: a party that may not read an embargoed case cannot name it in a report, on submit or
/// on update, and is told exactly what it is told for a case that does not exist (422 at
/// `exploited_vulnerabilities[i].case`, "no disclosure case … you can read"); nothing is
/// stored and nothing of the case is in the answer.
#[tokio::test]
async fn a_party_that_may_not_read_an_embargoed_case_cannot_name_it_and_learns_nothing() {
    let (node, case) = node_with_embargoed_case().await;
    let missing = Uuid::from_u128(0x0155_1234);
    let answer_naming =
        |named: Uuid, answer: &Value| answer.to_string().replace(&named.to_string(), "<case>");
    let mut answers = Vec::new();
    for named in [case, missing] {
        let (status, answer) = request(
            &node,
            Actor::Party("GB"),
            Method::POST,
            "/api/v1/incidents",
            Some(&report("GB", "GB", "red", &[], json!([{"case": named}]))),
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(
            answer["error"]["issues"],
            json!([{
                "path": "exploited_vulnerabilities[0].case",
                "message": format!("no disclosure case {named} you can read"),
            }]),
            "{answer}"
        );
        assert!(!answer.to_string().contains(SECRET), "{answer}");
        answers.push(answer_naming(named, &answer));
    }
    assert_eq!(
        answers[0], answers[1],
        "an embargoed case answers like a missing one"
    );
    // Nothing was stored: GB's own listing has no such report.
    let (_, listing) = request(
        &node,
        Actor::Party("GB"),
        Method::GET,
        "/api/v1/incidents?reported_by=GB&limit=500",
        None,
        &[],
    )
    .await;
    assert!(
        !listing.to_string().contains("Gateway exploited"),
        "{listing}"
    );
    // Nor on update: GB's report, updated to name the case, is refused the same way and stays
    // at version 1.
    let (status, created) = request(
        &node,
        Actor::Party("GB"),
        Method::POST,
        "/api/v1/incidents",
        Some(&report("GB", "GB", "red", &[], json!([]))),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let path = format!("/api/v1/incidents/{}", created["id"].as_str().unwrap());
    let (status, answer) = request(
        &node,
        Actor::Party("GB"),
        Method::PUT,
        &path,
        Some(&report(
            "GB",
            "GB",
            "red",
            &[],
            json!([{"cve": "CVE-2026-1111", "case": case}]),
        )),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(
        answer["error"]["issues"][0]["path"],
        "exploited_vulnerabilities[0].case"
    );
    assert!(!answer.to_string().contains(SECRET), "{answer}");
    let (_, stored) = request(&node, Actor::Party("GB"), Method::GET, &path, None, &[]).await;
    assert_eq!(stored["version"], 1);
}

/// Rule: an anonymous visitor of a public incident learns neither the id nor the title of an
/// embargoed case through the incident: a public (or green) report cannot name the case while
/// it is embargoed, not even by its reporter; a public report naming the case's CVE id shows
/// the id as its reporter wrote it, with no case, on the incident page, the feeds, the CSV
/// export and the public TAXII collection; and the case's readers see the link from the case.
#[tokio::test]
async fn an_anonymous_visitor_learns_no_embargoed_case_through_a_public_incident() {
    let (node, case) = node_with_embargoed_case().await;
    let now = node.node.now();
    // EE reported the case and may read it, yet may not put it on the public record.
    for tlp in ["clear", "green"] {
        let (status, answer) = request(
            &node,
            Actor::Party("EE"),
            Method::POST,
            "/api/v1/incidents",
            Some(&report("EE", "EE", tlp, &[], json!([{"case": case}]))),
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{tlp}: {answer}");
        let message = answer["error"]["issues"][0]["message"].as_str().unwrap();
        assert!(message.contains("is under embargo until"), "{message}");
    }
    // The coordinator records the CVE id; EE's public report names that CVE id.
    let cve = "CVE-2026-31337";
    let assigned = envelope(
        ACTION_PAYLOAD_TYPE,
        &action(
            case,
            "cert-eu",
            json!({"kind": "cve-assigned", "cve": cve}),
            now,
        ),
        &coordinator_key(),
    );
    let (status, answer) = request(
        &node,
        Actor::Party("cert-eu"),
        Method::POST,
        &format!("/api/v1/disclosure/cases/{case}/actions"),
        Some(&assigned),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, public) = request(
        &node,
        Actor::Party("EE"),
        Method::POST,
        "/api/v1/incidents",
        Some(&report("EE", "EE", "clear", &[], json!([{"cve": cve}]))),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{public}");
    let public_id = public["id"].as_str().unwrap().to_string();
    let client = reqwest::Client::new();
    for path in [
        format!("/dashboard/incidents/{public_id}"),
        "/feed.json".to_string(),
        "/feed.atom".to_string(),
        "/export/incidents.csv".to_string(),
        format!(
            "/taxii2/api/collections/{}/objects/",
            redline_node::sharing::PUBLIC_COLLECTION_ID
        ),
    ] {
        let response = client
            .get(format!("{}{path}", node.base))
            .header("accept", "application/taxii+json;version=2.1")
            .send()
            .await
            .unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {text}");
        assert!(!text.contains(SECRET), "{path} shows the case's title");
        assert!(!text.contains(&case.to_string()), "{path} names the case");
        if path.starts_with("/dashboard/") {
            assert!(text.contains(cve), "{path} shows the reporter's CVE id");
            assert!(
                !text.contains("/dashboard/advisories/"),
                "{path} links a case"
            );
        }
    }
    // The case itself stays not found to the visitor; its readers see the incident in it.
    let (status, _) = request(
        &node,
        Actor::Anonymous,
        Method::GET,
        &format!("/api/v1/public/advisories/{case}"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, as_vendor) = request(
        &node,
        Actor::Party("UA"),
        Method::GET,
        &format!("/api/v1/disclosure/cases/{case}"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(as_vendor["incidents"][0]["id"], public_id.as_str());
}
