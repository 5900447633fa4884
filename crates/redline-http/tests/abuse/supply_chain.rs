//! Abuse cases: supply-chain notices (`/api/v1/supply-chain-notices…`,
//! `/api/v1/public/supply-chain-notices…`, `/dashboard/supply-chain…`, `/console/supply-chain…`).
//! An amber notice is not found by an anonymous visitor or a party it was not addressed to; a
//! revoked or unknown token is refused; a notice or acknowledgement in another party's name,
//! signed with a revoked key, by a party the notice was not addressed to, or naming another
//! notice is refused and changes nothing.

use base64::Engine;
use redline_disclosure::{NOTICE_ACKNOWLEDGEMENT_PAYLOAD_TYPE, NOTICE_PAYLOAD_TYPE};
use redline_hotline::sign_record;
use redline_model::{PartyId, PartyKind, Timestamp};
use redline_node::{Caller, NewParty};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Actor, request, support};

const SECRET: &str = "supply-chain-secret-7d21";

/// The signing key of a seeded party, or of `late-comer`.
fn key(signer: &str) -> ed25519_dalek::SigningKey {
    if signer == "late-comer" {
        ed25519_dalek::SigningKey::from_bytes(&[123; 32])
    } else {
        support::key_of(signer)
    }
}

fn envelope(payload_type: &str, payload: &Value, signer: &str) -> Value {
    serde_json::from_slice(&sign_record(
        payload_type,
        serde_json::to_vec(payload).unwrap(),
        &key(signer),
    ))
    .unwrap()
}

fn notice(id: Uuid, from: &str, tlp: &str, signed_at: Timestamp) -> Value {
    json!({
        "v": 1, "id": id, "notifying_party": from,
        "title": format!("{SECRET} compromised build server"),
        "summary": format!("{SECRET} summary"),
        "compromise": "build-system",
        "products": [{"id": "agent", "vendor": "Acme", "name": "Acme agent",
                      "identifier": {"purl": "pkg:generic/acme/agent@7.1.0"}}],
        "mitigation": "Rebuild from a clean tree.",
        "tlp": tlp,
        "signed_at": signed_at,
    })
}

fn acknowledgement(notice: Uuid, party: &str, exposure: &str, signed_at: Timestamp) -> Value {
    json!({"v": 1, "id": Uuid::new_v4(), "notice": notice, "party": party, "exposure": exposure, "signed_at": signed_at})
}

/// The seeded node with an amber and a green notice from Estonia, and a party (`late-comer`,
/// token added) registered after both went out.
async fn node_with_notices() -> (support::DashboardNode, Uuid, Uuid) {
    let mut node = support::start().await;
    let now = node.node.now();
    let amber = Uuid::from_u128(0xA3B3);
    let green = Uuid::from_u128(0x6EE7);
    for (id, tlp) in [(amber, "amber"), (green, "green")] {
        let (status, answer) = request(
            &node,
            Actor::Party("EE"),
            Method::POST,
            "/api/v1/supply-chain-notices",
            Some(&envelope(
                NOTICE_PAYLOAD_TYPE,
                &notice(id, "EE", tlp, now),
                "EE",
            )),
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }
    let late_comer = PartyId::parse("late-comer").unwrap();
    node.node
        .add_party(
            &Caller::Operator,
            NewParty {
                id: late_comer.clone(),
                kind: PartyKind::Organisation,
                name: "Late comer".into(),
                languages: vec!["en".into()],
                public_keys: vec![
                    base64::engine::general_purpose::STANDARD
                        .encode(key("late-comer").verifying_key().as_bytes()),
                ],
            },
        )
        .await
        .unwrap();
    let token = node
        .node
        .issue_token(&Caller::Operator, &late_comer, "test")
        .await
        .unwrap()
        .token;
    node.tokens.insert("late-comer".into(), token);
    (node, amber, green)
}

/// Rule: an amber notice is "not found" to an anonymous visitor (API and pages) and to a party
/// it was not addressed to, and absent from their lists; the private routes want a token.
#[tokio::test]
async fn an_amber_notice_is_not_found_by_anonymous_visitors_or_parties_it_was_not_sent_to() {
    let (node, amber, green) = node_with_notices().await;
    for (actor, path, expected) in [
        (
            Actor::Anonymous,
            format!("/api/v1/public/supply-chain-notices/{amber}"),
            StatusCode::NOT_FOUND,
        ),
        (
            Actor::Anonymous,
            format!("/api/v1/public/supply-chain-notices/{green}"),
            StatusCode::NOT_FOUND,
        ),
        (
            Actor::Anonymous,
            format!("/dashboard/supply-chain/{amber}"),
            StatusCode::NOT_FOUND,
        ),
        (
            Actor::Anonymous,
            format!("/api/v1/supply-chain-notices/{amber}"),
            StatusCode::UNAUTHORIZED,
        ),
        (
            Actor::Anonymous,
            "/api/v1/supply-chain-notices".to_string(),
            StatusCode::UNAUTHORIZED,
        ),
        (
            Actor::Party("late-comer"),
            format!("/api/v1/supply-chain-notices/{amber}"),
            StatusCode::NOT_FOUND,
        ),
        (
            Actor::Party("late-comer"),
            format!("/api/v1/supply-chain-notices/{green}"),
            StatusCode::OK,
        ),
        (
            Actor::Party("UA"),
            format!("/api/v1/supply-chain-notices/{amber}"),
            StatusCode::OK,
        ),
    ] {
        let (status, answer) = request(&node, actor, Method::GET, &path, None, &[]).await;
        assert_eq!(status, expected, "{actor:?} {path}: {answer}");
        if expected == StatusCode::NOT_FOUND {
            assert!(!answer.to_string().contains(SECRET), "{path}: {answer}");
        }
    }
    for (actor, path) in [
        (Actor::Anonymous, "/api/v1/public/supply-chain-notices"),
        (Actor::Anonymous, "/dashboard/supply-chain"),
        (Actor::Party("late-comer"), "/api/v1/supply-chain-notices"),
    ] {
        let (status, answer) = request(&node, actor, Method::GET, path, None, &[]).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            !answer.to_string().contains(&amber.to_string()),
            "{path}: {answer}"
        );
    }
    // The public list and page hold no non-clear notice at all.
    let page = reqwest::get(format!("{}/dashboard/supply-chain", node.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains(SECRET), "{page}");
}

/// Rule: nobody acknowledges in another party's name, a party the notice was not addressed to
/// cannot acknowledge it (even one it may read), an acknowledgement names the notice it is
/// sent to, nobody issues a notice in another party's name; each refusal changes nothing.
#[tokio::test]
async fn nobody_acknowledges_or_notifies_in_anothers_name_or_out_of_turn() {
    let (node, amber, green) = node_with_notices().await;
    let now = node.node.now();
    let read = |id: Uuid| {
        let node = &node;
        async move {
            request(
                node,
                Actor::Party("EE"),
                Method::GET,
                &format!("/api/v1/supply-chain-notices/{id}"),
                None,
                &[],
            )
            .await
            .1
        }
    };
    let (amber_before, green_before) = (read(amber).await, read(green).await);
    // `party`'s acknowledgement of the notice `of`, signed by `signer`.
    let acknowledged = |of: Uuid, party: &str, exposure: &str, signer: &str| {
        envelope(
            NOTICE_ACKNOWLEDGEMENT_PAYLOAD_TYPE,
            &acknowledgement(of, party, exposure, now),
            signer,
        )
    };
    let cases = [
        // Britain sends Ukraine's acknowledgement, signed by Ukraine's key.
        (
            "GB",
            amber,
            acknowledged(amber, "UA", "affected", "UA"),
            StatusCode::FORBIDDEN,
        ),
        // Ukraine's acknowledgement signed with Britain's key.
        (
            "UA",
            amber,
            acknowledged(amber, "UA", "affected", "GB"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // The late comer may read the green notice but was not addressed: forbidden.
        (
            "late-comer",
            green,
            acknowledged(green, "late-comer", "received", "late-comer"),
            StatusCode::FORBIDDEN,
        ),
        // ... and the amber one does not exist for it.
        (
            "late-comer",
            amber,
            acknowledged(amber, "late-comer", "received", "late-comer"),
            StatusCode::NOT_FOUND,
        ),
        // The notifying party owes itself nothing.
        (
            "EE",
            amber,
            acknowledged(amber, "EE", "received", "EE"),
            StatusCode::FORBIDDEN,
        ),
        // An acknowledgement of the green notice sent to the amber one.
        (
            "UA",
            amber,
            acknowledged(green, "UA", "received", "UA"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // An acknowledgement signed as a notice.
        (
            "UA",
            amber,
            envelope(
                NOTICE_PAYLOAD_TYPE,
                &acknowledgement(amber, "UA", "received", now),
                "UA",
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (index, (sender, notice_id, body, expected)) in cases.into_iter().enumerate() {
        let (status, answer) = request(
            &node,
            Actor::Party(sender),
            Method::POST,
            &format!("/api/v1/supply-chain-notices/{notice_id}/acknowledgements"),
            Some(&body),
            &[],
        )
        .await;
        assert_eq!(status, expected, "case {index}: {answer}");
    }
    // Britain issues a notice in Estonia's name.
    let forged = Uuid::from_u128(0xF0F0);
    let (status, answer) = request(
        &node,
        Actor::Party("GB"),
        Method::POST,
        "/api/v1/supply-chain-notices",
        Some(&envelope(
            NOTICE_PAYLOAD_TYPE,
            &notice(forged, "EE", "green", now),
            "EE",
        )),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    let (status, _) = request(
        &node,
        Actor::Party("EE"),
        Method::GET,
        &format!("/api/v1/supply-chain-notices/{forged}"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(read(amber).await, amber_before);
    assert_eq!(read(green).await, green_before);
}

/// Rule: a revoked or unknown token is refused on every supply-chain route (401), and a notice
/// or acknowledgement signed with a revoked key is refused (422 naming the signature) and
/// changes nothing.
#[tokio::test]
async fn a_revoked_token_or_key_is_refused() {
    let (node, amber, _) = node_with_notices().await;
    let ua = PartyId::parse("UA").unwrap();
    let issued = node
        .node
        .issue_token(&Caller::Operator, &ua, "to revoke")
        .await
        .unwrap();
    node.node
        .revoke_token(&Caller::Operator, &issued.token_id)
        .await
        .unwrap();
    for (method, path) in [
        (Method::GET, "/api/v1/supply-chain-notices".to_string()),
        (Method::POST, "/api/v1/supply-chain-notices".to_string()),
        (Method::GET, format!("/api/v1/supply-chain-notices/{amber}")),
        (
            Method::POST,
            format!("/api/v1/supply-chain-notices/{amber}/acknowledgements"),
        ),
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
    let later = node.node.now().plus_seconds(1).unwrap();
    let (_, before) = request(
        &node,
        Actor::Party("EE"),
        Method::GET,
        &format!("/api/v1/supply-chain-notices/{amber}"),
        None,
        &[],
    )
    .await;
    let (status, answer) = request(
        &node,
        Actor::Party("UA"),
        Method::POST,
        &format!("/api/v1/supply-chain-notices/{amber}/acknowledgements"),
        Some(&envelope(
            NOTICE_ACKNOWLEDGEMENT_PAYLOAD_TYPE,
            &acknowledgement(amber, "UA", "affected", later),
            "UA",
        )),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        answer.to_string().contains("envelope.signatures"),
        "{answer}"
    );
    let revoked_notice = Uuid::from_u128(0x7E70);
    let (status, answer) = request(
        &node,
        Actor::Party("UA"),
        Method::POST,
        "/api/v1/supply-chain-notices",
        Some(&envelope(
            NOTICE_PAYLOAD_TYPE,
            &notice(revoked_notice, "UA", "green", later),
            "UA",
        )),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let (_, after) = request(
        &node,
        Actor::Party("EE"),
        Method::GET,
        &format!("/api/v1/supply-chain-notices/{amber}"),
        None,
        &[],
    )
    .await;
    assert_eq!(before, after);
    let (status, _) = request(
        &node,
        Actor::Party("EE"),
        Method::GET,
        &format!("/api/v1/supply-chain-notices/{revoked_notice}"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Rule: which party is exposed to a compromise is read by the notifying party, the party
/// itself and the operator only: not by another party, and not by the public even on a
/// `clear` notice (which shows only who acknowledged and when).
#[tokio::test]
async fn a_partys_exposure_is_read_only_by_the_notifying_party_and_itself() {
    let (node, _, _) = node_with_notices().await;
    let now = node.node.now();
    let clear = Uuid::from_u128(0xC1EA);
    let (status, answer) = request(
        &node,
        Actor::Party("EE"),
        Method::POST,
        "/api/v1/supply-chain-notices",
        Some(&envelope(
            NOTICE_PAYLOAD_TYPE,
            &notice(clear, "EE", "clear", now),
            "EE",
        )),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let mut ukraine = acknowledgement(clear, "UA", "affected", now);
    ukraine["note"] = json!("EXPOSURE-NOTE-UA three substations run it");
    let (status, answer) = request(
        &node,
        Actor::Party("UA"),
        Method::POST,
        &format!("/api/v1/supply-chain-notices/{clear}/acknowledgements"),
        Some(&envelope(
            NOTICE_ACKNOWLEDGEMENT_PAYLOAD_TYPE,
            &ukraine,
            "UA",
        )),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let ukraine_row = |view: &Value| -> Value {
        view["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["party"] == "UA")
            .cloned()
            .unwrap()
    };
    for (actor, path, reads) in [
        (
            Actor::Anonymous,
            format!("/api/v1/public/supply-chain-notices/{clear}"),
            false,
        ),
        (
            Actor::Party("GB"),
            format!("/api/v1/supply-chain-notices/{clear}"),
            false,
        ),
        (
            Actor::Party("EE"),
            format!("/api/v1/supply-chain-notices/{clear}"),
            true,
        ),
        (
            Actor::Party("UA"),
            format!("/api/v1/supply-chain-notices/{clear}"),
            true,
        ),
    ] {
        let (status, view) = request(&node, actor, Method::GET, &path, None, &[]).await;
        assert_eq!(status, StatusCode::OK, "{actor:?}");
        let row = ukraine_row(&view);
        assert_eq!(row["standing"], "on-time", "{actor:?}");
        assert_eq!(row["exposure"] == "affected", reads, "{actor:?}: {row}");
        assert_eq!(
            view.to_string().contains("EXPOSURE-NOTE-UA"),
            reads,
            "{actor:?}"
        );
    }
    let (_, public_list) = request(
        &node,
        Actor::Anonymous,
        Method::GET,
        "/api/v1/public/supply-chain-notices",
        None,
        &[],
    )
    .await;
    assert_eq!(public_list["notices"][0]["affected_count"], Value::Null);
    let page = reqwest::get(format!("{}/dashboard/supply-chain/{clear}", node.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("EXPOSURE-NOTE-UA") && !page.contains("exposure-affected"),
        "{page}"
    );
}
