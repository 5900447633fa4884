//! Abuse cases: notifications (`/api/v1/notifications/webhooks…`, `…/email…`,
//! `…/deliveries`).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Actor, request, support};

/// Lets webhooks reach loopback addresses (the receivers of these tests), so that only the
/// rule under test refuses.
fn allow_private_targets(node: &support::DashboardNode) {
    node.node
        .set_notification_settings(redline_node::NotificationSettings {
            allow_private_targets: true,
            ..Default::default()
        });
}

async fn add_webhook(node: &support::DashboardNode, party: &str, url: &str) -> (StatusCode, Value) {
    request(
        node,
        Actor::Party(party),
        Method::POST,
        "/api/v1/notifications/webhooks",
        Some(&json!({ "url": url, "events": ["message"] })),
        &[],
    )
    .await
}

async fn webhooks_of(node: &support::DashboardNode, party: &str) -> Vec<Value> {
    let (status, answer) = request(
        node,
        Actor::Party(party),
        Method::GET,
        "/api/v1/notifications/webhooks",
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer["subscriptions"].as_array().unwrap().clone()
}

/// Rule: a party's subscriptions and delivery log are its own: an anonymous visitor and a
/// revoked (or never issued) token are refused (401); another party cannot list them (it sees
/// its own, empty list), delete one (404, as if there were none), or read the log (it sees its
/// own); nothing changes.
#[tokio::test]
async fn only_the_party_itself_manages_its_subscriptions_and_reads_its_delivery_log() {
    let node = support::start().await;
    allow_private_targets(&node);
    let (status, created) = add_webhook(&node, "EE", "http://127.0.0.1:9/hook").await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let secret = created["secret"].as_str().unwrap().to_string();
    assert_eq!(secret.len(), 64);
    let id = created["subscription"]["id"].as_str().unwrap().to_string();
    // The secret is shown once: never in a listing.
    let listed = webhooks_of(&node, "EE").await;
    assert_eq!(listed.len(), 1);
    assert!(!listed[0].to_string().contains(&secret));

    let revoked = node.tokens["KP"].clone();
    let token_id = revoked.split('_').nth(1).unwrap().to_string();
    node.node
        .revoke_token(&redline_node::Caller::Operator, &token_id)
        .await
        .unwrap();
    let routes = [
        (Method::GET, "/api/v1/notifications/webhooks".to_string()),
        (Method::POST, "/api/v1/notifications/webhooks".to_string()),
        (
            Method::DELETE,
            format!("/api/v1/notifications/webhooks/{id}"),
        ),
        (Method::GET, "/api/v1/notifications/email".to_string()),
        (Method::POST, "/api/v1/notifications/email".to_string()),
        (Method::DELETE, format!("/api/v1/notifications/email/{id}")),
        (Method::GET, "/api/v1/notifications/deliveries".to_string()),
    ];
    let body = json!({ "url": "http://127.0.0.1:9/other", "address": "x@example.org" });
    for (method, path) in &routes {
        for actor in [
            Actor::Anonymous,
            Actor::Token(&revoked),
            Actor::Token("rl_x_y"),
        ] {
            let with_body = (method == Method::POST).then_some(&body);
            let (status, answer) =
                request(&node, actor, method.clone(), path, with_body, &[]).await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{actor:?} {method} {path}: {answer}"
            );
        }
    }

    // Another party: its own (empty) lists, and EE's subscription is not found to it.
    assert!(webhooks_of(&node, "UA").await.is_empty());
    for path in [
        format!("/api/v1/notifications/webhooks/{id}"),
        format!("/api/v1/notifications/email/{id}"),
    ] {
        let (status, answer) =
            request(&node, Actor::Party("UA"), Method::DELETE, &path, None, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {answer}");
    }
    let (status, answer) = request(
        &node,
        Actor::Party("UA"),
        Method::GET,
        "/api/v1/notifications/deliveries",
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["deliveries"], json!([]));
    // A body cannot name another party either: unknown fields are refused.
    let (status, answer) = request(
        &node,
        Actor::Party("UA"),
        Method::POST,
        "/api/v1/notifications/webhooks",
        Some(&json!({ "url": "http://127.0.0.1:9/x", "party": "EE" })),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    // Nothing changed: EE still has its one webhook, and may delete it.
    assert_eq!(webhooks_of(&node, "EE").await.len(), 1);
    let (status, answer) = request(
        &node,
        Actor::Party("EE"),
        Method::DELETE,
        &format!("/api/v1/notifications/webhooks/{id}"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{answer}");
    assert!(webhooks_of(&node, "EE").await.is_empty());
}

/// Rule (SSRF): a webhook URL is `http` or `https` without credentials, and reaches neither the
/// node itself (its listening address, by any loopback name) nor — unless the operator allows
/// private targets — a loopback, private, link-local (cloud metadata) or carrier-grade NAT
/// address; unspecified, multicast and broadcast addresses never. Each refusal names `url`.
#[tokio::test]
async fn webhooks_to_the_node_itself_other_schemes_and_private_addresses_are_refused() {
    let node = support::start().await;
    let port = node.base.rsplit(':').next().unwrap().trim_end_matches('/');
    let refused_always = [
        "file:///etc/passwd".to_string(),
        "gopher://127.0.0.1:70/".to_string(),
        "ftp://example.org/".to_string(),
        "javascript:alert(1)".to_string(),
        "http://user:password@93.184.216.34/hook".to_string(),
        "http://0.0.0.0/hook".to_string(),
        "http://224.0.0.1/hook".to_string(),
        format!("http://127.0.0.1:{port}/api/v1/messages"),
        format!("http://localhost:{port}/healthz"),
        format!("http://[::1]:{port}/healthz"),
        "not a url".to_string(),
    ];
    let private = [
        "http://127.0.0.1:9/hook",
        "http://10.0.0.1/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]:9/hook",
        "http://100.64.0.1/hook",
    ];
    for url in refused_always.iter().map(String::as_str).chain(private) {
        let (status, answer) = add_webhook(&node, "EE", url).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {answer}");
        assert_eq!(
            answer["error"]["issues"][0]["path"], "url",
            "{url}: {answer}"
        );
    }
    allow_private_targets(&node);
    for url in refused_always.iter() {
        let (status, answer) = add_webhook(&node, "EE", url).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {answer}");
    }
    for url in private {
        let (status, answer) = add_webhook(&node, "EE", url).await;
        assert_eq!(status, StatusCode::CREATED, "{url}: {answer}");
    }
    // Unknown event kinds are refused by name.
    let (status, answer) = request(
        &node,
        Actor::Party("EE"),
        Method::POST,
        "/api/v1/notifications/webhooks",
        Some(&json!({ "url": "http://127.0.0.1:9/x", "events": ["message", "everything"] })),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(
        answer["error"]["issues"][0]["path"], "events[1]",
        "{answer}"
    );
}
