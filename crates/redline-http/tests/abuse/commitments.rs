//! Abuse cases: commitments (`/api/v1/adoptions`, `/api/v1/implementation-reports…`,
//! `/api/v1/review-rounds…`, `/api/v1/commitments`, `/api/v1/public/commitments…`): an anonymous
//! visitor, another party, a revoked token, a revoked key and a non-reader or non-participant
//! each try what they must not.

use base64::Engine;
use redline_hotline::sign_record;
use redline_model::commitments::{
    ADOPTION_PAYLOAD_TYPE, IMPLEMENTATION_REPORT_PAYLOAD_TYPE, PEER_REVIEW_PAYLOAD_TYPE,
    REVIEW_ROUND_CLOSING_PAYLOAD_TYPE, REVIEW_ROUND_OPENING_PAYLOAD_TYPE,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Actor, request, support};

const SECRET: &str = "report-secret-91c4";

fn envelope(signer: &str, payload_type: &str, payload: &Value) -> Value {
    serde_json::from_slice(&sign_record(
        payload_type,
        serde_json::to_vec(payload).unwrap(),
        &support::key_of(signer),
    ))
    .unwrap()
}

fn report(node: &support::DashboardNode, id: Uuid, party: &str, tlp: &str) -> Value {
    let mut report = json!({
        "v": 1, "id": id, "version": 1, "party": party, "period": "2026",
        "norms": [{"norm": "13(k)", "level": "implemented", "measures": format!("CERT protected ({SECRET})")}],
        "tlp": tlp, "signed_at": node.node.now()
    });
    if tlp == "amber" {
        report["shared_with"] = json!(["GB"]);
    }
    report
}

async fn file_amber_report(node: &support::DashboardNode) -> Uuid {
    let id = Uuid::new_v4();
    let body = envelope(
        "EE",
        IMPLEMENTATION_REPORT_PAYLOAD_TYPE,
        &report(node, id, "EE", "amber"),
    );
    let (status, answer) = request(
        node,
        Actor::Party("EE"),
        Method::POST,
        "/api/v1/implementation-reports",
        Some(&body),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    id
}

/// Rule: a restricted report is read only by its author and the parties it is shared with;
/// anyone else (a non-reader, an anonymous visitor, a revoked token) gets 404 or 401 and no
/// content, on the report, the lists and the comparisons.
#[tokio::test]
async fn a_restricted_report_reaches_no_one_outside_its_readers() {
    let node = support::start().await;
    let id = file_amber_report(&node).await;
    let path = format!("/api/v1/implementation-reports/{id}");
    for reader in ["EE", "GB"] {
        let (status, body) =
            request(&node, Actor::Party(reader), Method::GET, &path, None, &[]).await;
        assert_eq!(status, StatusCode::OK, "{reader}");
        assert!(body.to_string().contains(SECRET));
    }
    let (status, body) = request(&node, Actor::Party("UA"), Method::GET, &path, None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a non-reader");
    assert!(!body.to_string().contains(SECRET));
    let (status, _) = request(&node, Actor::Anonymous, Method::GET, &path, None, &[]).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "anonymous on the signed-in route"
    );
    let revoked = node.tokens["KP"].clone();
    let token_id = revoked.split('_').nth(1).unwrap().to_string();
    node.node
        .revoke_token(&redline_node::Caller::Operator, &token_id)
        .await
        .unwrap();
    let (status, _) = request(&node, Actor::Token(&revoked), Method::GET, &path, None, &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a revoked token");
    for (actor, route) in [
        (
            Actor::Anonymous,
            format!("/api/v1/public/implementation-reports/{id}"),
        ),
        (Actor::Anonymous, "/api/v1/public/commitments".to_string()),
        (
            Actor::Anonymous,
            "/api/v1/public/commitments/EE".to_string(),
        ),
        (Actor::Party("UA"), "/api/v1/commitments".to_string()),
        (
            Actor::Party("UA"),
            "/api/v1/implementation-reports".to_string(),
        ),
        (Actor::Anonymous, "/dashboard/commitments/EE".to_string()),
    ] {
        let client = reqwest::Client::new();
        let mut builder = client.get(format!("{}{route}", node.base));
        if let Actor::Party(party) = actor {
            builder = builder.bearer_auth(&node.tokens[party]);
        }
        let text = builder.send().await.unwrap().text().await.unwrap();
        assert!(
            !text.contains(SECRET),
            "{route} as {actor:?} shows the report"
        );
    }
}

/// Rule: no party files, adopts or opens in another party's name, and a record signed by a
/// revoked key or altered by one byte is refused and changes nothing.
#[tokio::test]
async fn no_party_signs_in_another_name_and_revoked_keys_and_altered_bytes_are_refused() {
    let node = support::start().await;
    let id = Uuid::new_v4();
    // UA sends EE's report, signed by EE: forbidden; signed by UA in EE's name: refused.
    let ee_signed = envelope(
        "EE",
        IMPLEMENTATION_REPORT_PAYLOAD_TYPE,
        &report(&node, id, "EE", "clear"),
    );
    let (status, _) = request(
        &node,
        Actor::Party("UA"),
        Method::POST,
        "/api/v1/implementation-reports",
        Some(&ee_signed),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let ua_signed = envelope(
        "UA",
        IMPLEMENTATION_REPORT_PAYLOAD_TYPE,
        &report(&node, id, "EE", "clear"),
    );
    let (status, body) = request(
        &node,
        Actor::Party("EE"),
        Method::POST,
        "/api/v1/implementation-reports",
        Some(&ua_signed),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["path"], "envelope.signatures");
    // One byte of the payload altered.
    let mut altered = ee_signed.clone();
    let mut payload = base64::engine::general_purpose::STANDARD
        .decode(altered["payload"].as_str().unwrap())
        .unwrap();
    let position = payload.iter().position(|byte| *byte == b'2').unwrap();
    payload[position] = b'3';
    altered["payload"] = json!(base64::engine::general_purpose::STANDARD.encode(&payload));
    let (status, body) = request(
        &node,
        Actor::Party("EE"),
        Method::POST,
        "/api/v1/implementation-reports",
        Some(&altered),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // An adoption in another's name.
    let baseline = node.node.list_norms_documents().await.unwrap()[0]
        .sha256
        .clone();
    let adoption = envelope(
        "EE",
        ADOPTION_PAYLOAD_TYPE,
        &json!({"v": 1, "party": "EE", "document": baseline, "action": "adopt", "signed_at": node.node.now()}),
    );
    let (status, _) = request(
        &node,
        Actor::Party("UA"),
        Method::POST,
        "/api/v1/adoptions",
        Some(&adoption),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = request(
        &node,
        Actor::Anonymous,
        Method::POST,
        "/api/v1/adoptions",
        Some(&adoption),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // EE's key revoked: its next signed record is refused.
    let ee = node
        .node
        .get_party(&redline_model::PartyId::parse("EE").unwrap())
        .await
        .unwrap();
    node.node
        .revoke_party_key(
            &redline_node::Caller::Operator,
            &ee.id,
            &ee.keys[0].key_id,
            "compromised",
        )
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let after = envelope(
        "EE",
        IMPLEMENTATION_REPORT_PAYLOAD_TYPE,
        &report(&node, Uuid::new_v4(), "EE", "clear"),
    );
    let (status, body) = request(
        &node,
        Actor::Party("EE"),
        Method::POST,
        "/api/v1/implementation-reports",
        Some(&after),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["path"], "envelope.signatures");
    let (status, body) = request(
        &node,
        Actor::Party("EE"),
        Method::GET,
        "/api/v1/implementation-reports",
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["reports"].as_array().unwrap().len(),
        0,
        "nothing was stored"
    );
}

/// Rule: a round's working records are read by its participants only; a non-participant
/// neither reads nor reviews, a reviewed party does not close, and nothing is public before
/// closing.
#[tokio::test]
async fn a_non_participant_neither_reads_nor_acts_in_a_round_and_nothing_is_public_before_closing()
{
    let node = support::start().await;
    let round = Uuid::new_v4();
    let now = node.node.now();
    let opening = envelope(
        "GB",
        REVIEW_ROUND_OPENING_PAYLOAD_TYPE,
        &json!({
            "v": 1, "round": round, "secretariat": "GB", "title": "Round",
            "reviewed": ["EE"], "reviewers": ["UA"], "norms": ["13(k)"],
            "deadline": now.plus_seconds(86_400).unwrap(), "signed_at": now
        }),
    );
    let (status, body) = request(
        &node,
        Actor::Party("GB"),
        Method::POST,
        "/api/v1/review-rounds",
        Some(&opening),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let path = format!("/api/v1/review-rounds/{round}");
    let (status, _) = request(&node, Actor::Party("RU"), Method::GET, &path, None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a non-participant");
    let (status, _) = request(
        &node,
        Actor::Anonymous,
        Method::GET,
        &format!("/api/v1/public/review-rounds/{round}"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not public before closing");
    let review = |reviewer: &str| {
        envelope(
            reviewer,
            PEER_REVIEW_PAYLOAD_TYPE,
            &json!({
                "v": 1, "round": round, "reviewer": reviewer, "reviewed": "EE",
                "ratings": [{"norm": "13(k)", "rating": "meets", "comment": "fine"}], "signed_at": now
            }),
        )
    };
    let (status, _) = request(
        &node,
        Actor::Party("RU"),
        Method::POST,
        &format!("{path}/reviews"),
        Some(&review("RU")),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a non-participant reviews");
    // A review posted under another round's path is refused.
    let (status, body) = request(
        &node,
        Actor::Party("UA"),
        Method::POST,
        &format!("/api/v1/review-rounds/{}/reviews", Uuid::new_v4()),
        Some(&review("UA")),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["path"], "round");
    let closing = |signer: &str| {
        envelope(
            signer,
            REVIEW_ROUND_CLOSING_PAYLOAD_TYPE,
            &json!({
                "v": 1, "round": round, "secretariat": signer, "summary": "done", "signed_at": now
            }),
        )
    };
    let (status, _) = request(
        &node,
        Actor::Party("EE"),
        Method::POST,
        &format!("{path}/closing"),
        Some(&closing("EE")),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the reviewed party closes");
    let (status, _) = request(
        &node,
        Actor::Anonymous,
        Method::POST,
        &format!("{path}/closing"),
        Some(&closing("GB")),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "anonymous closes");
}

/// Rule: a `green` capacity-building entry is read by every signed-in party but by no anonymous
/// visitor, and no party records an entry in another party's name.
#[tokio::test]
async fn a_green_register_entry_is_not_public_and_nobody_writes_in_another_name() {
    use redline_model::commitments::CAPACITY_BUILDING_PAYLOAD_TYPE;
    let node = support::start().await;
    let entry = |signer: &str| {
        envelope(
            signer,
            CAPACITY_BUILDING_PAYLOAD_TYPE,
            &json!({
                "v": 1, "id": Uuid::from_u128(77), "version": 1, "party": "EE", "kind": "offer",
                "norms": ["13(k)"], "description": format!("CSIRT exchange ({SECRET})"),
                "status": "open", "tlp": "green", "signed_at": node.node.now()
            }),
        )
    };
    let (status, _) = request(
        &node,
        Actor::Party("UA"),
        Method::POST,
        "/api/v1/capacity-building",
        Some(&entry("EE")),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "UA sends EE's entry");
    let (status, body) = request(
        &node,
        Actor::Party("EE"),
        Method::POST,
        "/api/v1/capacity-building",
        Some(&entry("EE")),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = request(
        &node,
        Actor::Party("UA"),
        Method::GET,
        "/api/v1/capacity-building",
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.to_string().contains(SECRET),
        "a signed-in party reads green"
    );
    for route in [
        "/api/v1/public/capacity-building",
        "/api/v1/public/commitments",
        "/dashboard/commitments/EE",
    ] {
        let text = reqwest::get(format!("{}{route}", node.base))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !text.contains(SECRET),
            "{route} shows a green entry to anyone"
        );
    }
    let (status, _) = request(
        &node,
        Actor::Anonymous,
        Method::GET,
        "/api/v1/capacity-building",
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// Rule: a party's duties kept per incident, thread and request are read by that party only
/// (and the operator): another party is told not found, an anonymous visitor must sign in, and
/// the public record — the JSON export and the party's page — counts duties by month and kind
/// without naming an incident, a thread or a request (one TLP rule for duties: counts only).
#[tokio::test]
async fn duties_kept_are_read_per_incident_by_their_party_only_and_counted_in_public() {
    use redline_hotline::message::{AssistanceRequestBody, RequestOutcomeBody};
    use redline_hotline::{HotlineMessage, MessageBody, RequestOutcomeKind, sign_message};
    let node = support::start().await;
    let thread = Uuid::new_v4();
    let post = |from: &str, to: &str, body: MessageBody| {
        let message = HotlineMessage {
            id: Uuid::new_v4(),
            thread,
            from: redline_model::PartyId::parse(from).unwrap(),
            to: vec![redline_model::PartyId::parse(to).unwrap()],
            sent_at: node.node.now(),
            incident: None,
            tlp: redline_model::Tlp::Red,
            lang: "en".into(),
            exercise: false,
            body,
        };
        let bytes = sign_message(&message, &support::key_of(from));
        let token = node.tokens[from].clone();
        let base = node.base.clone();
        async move {
            let response = reqwest::Client::new()
                .post(format!("{base}/api/v1/messages"))
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(bytes)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::CREATED);
            message.id
        }
    };
    let asked = post(
        "GB",
        "IR",
        MessageBody::AssistanceRequest(AssistanceRequestBody {
            summary: "Help with DUTY-SECRET-3K".into(),
            needs: vec![],
        }),
    )
    .await;
    post(
        "IR",
        "GB",
        MessageBody::RequestOutcome(RequestOutcomeBody {
            request: asked,
            outcome: RequestOutcomeKind::Accepted,
            reason: None,
            done: None,
            not_done: None,
            summary: None,
        }),
    )
    .await;
    let path = "/api/v1/parties/IR/duties";
    let (status, own) = request(&node, Actor::Party("IR"), Method::GET, path, None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{own}");
    let answer = own["duties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|duty| duty["duty"] == "assistance-answer")
        .unwrap();
    assert_eq!(answer["outcome"], "met");
    assert_eq!(answer["request"], asked.to_string());
    assert_eq!(answer["request_outcome"], "accepted");
    for actor in [Actor::Party("GB"), Actor::Party("KP")] {
        let (status, body) = request(&node, actor, Method::GET, path, None, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{actor:?}: {body}");
    }
    let (status, _) = request(&node, Actor::Anonymous, Method::GET, path, None, &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, public) = request(
        &node,
        Actor::Anonymous,
        Method::GET,
        "/api/v1/public/commitments/IR",
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{public}");
    assert!(
        public["duties_kept"]
            .as_array()
            .unwrap()
            .iter()
            .any(|row| row["duty"] == "assistance-answer" && row["met"] == 1),
        "{public}"
    );
    let page = reqwest::get(format!("{}/dashboard/commitments/IR", node.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for text in [public.to_string(), page] {
        for secret in [
            thread.to_string(),
            asked.to_string(),
            "DUTY-SECRET-3K".to_string(),
        ] {
            assert!(!text.contains(&secret), "the public record names {secret}");
        }
    }
}
