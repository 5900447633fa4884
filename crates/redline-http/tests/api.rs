#![allow(clippy::unwrap_used)]
//! The REST API over real HTTP on a loopback port, with a real SQLite database: what is
//! accepted, what is refused with which status and path, and that refusals store nothing.

use std::{sync::Arc, time::Duration};

use redline_http::HttpConfig;
use redline_node::{Caller, Node};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

mod support;

struct TestNode {
    base: String,
    node: Arc<Node>,
    tokens: std::collections::BTreeMap<&'static str, String>,
    http: reqwest::Client,
    _shutdown: tokio::sync::oneshot::Sender<()>,
    _directory: tempfile::TempDir,
}

async fn start(config: HttpConfig) -> TestNode {
    let directory = tempfile::tempdir().unwrap();
    let node = support::kit::sqlite_node(directory.path()).await;
    let mut tokens = std::collections::BTreeMap::new();
    for id in ["EE", "UA", "FI"] {
        tokens.insert(id, support::kit::add_state(&node, id, vec![]).await);
    }
    let (base, shutdown) = support::kit::serve(node.clone(), config).await;
    TestNode {
        base,
        node,
        tokens,
        http: reqwest::Client::new(),
        _shutdown: shutdown,
        _directory: directory,
    }
}

fn report(reporter: &str, tlp: &str) -> Value {
    json!({
        "title": "Hospital ransomware",
        "reported_by": reporter,
        "victim": reporter,
        "first_observed": "2026-11-01T08:00:00Z",
        "status": "confirmed",
        "tlp": tlp,
        "targets": [{ "sector": "healthcare", "country": reporter, "essential_service": true, "people_affected": 12000 }],
        "effects": [{ "kind": "disruption", "duration_hours": 30, "reversible": true, "scale": "regional" }]
    })
}

impl TestNode {
    async fn post(&self, party: &str, body: impl Into<reqwest::Body>) -> (StatusCode, Value) {
        let response = self
            .http
            .post(format!("{}/api/v1/incidents", self.base))
            .bearer_auth(&self.tokens[party])
            .header(header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, party: Option<&str>, path: &str) -> (StatusCode, Value) {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(party) = party {
            request = request.bearer_auth(&self.tokens[party]);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn stored_incidents(&self) -> u64 {
        self.node.store().count_incidents().await.unwrap()
    }
}

fn error_path(body: &Value) -> &str {
    body["error"]["path"].as_str().unwrap_or("")
}

#[tokio::test]
async fn submit_read_update_and_list() {
    let node = start(HttpConfig::default()).await;
    let response = node
        .http
        .post(format!("{}/api/v1/incidents", node.base))
        .bearer_auth(&node.tokens["EE"])
        .json(&report("EE", "green"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(response.headers()[header::ETAG], "\"v1\"");
    let created: Value = response.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("incident--"));
    assert_eq!(location, format!("/api/v1/incidents/{id}"));

    // Another party reads a green incident.
    let (status, read) = node.get(Some("FI"), &location).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["report"]["title"], "Hospital ransomware");

    // Update with If-Match; a stale If-Match is a conflict and changes nothing.
    let mut changed = report("EE", "green");
    changed["status"] = "contained".into();
    let update = |if_match: &'static str, body: Value| {
        node.http
            .put(format!("{}{location}", node.base))
            .bearer_auth(&node.tokens["EE"])
            .header(header::IF_MATCH, if_match)
            .json(&body)
            .send()
    };
    let response = update("\"v1\"", changed.clone()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::ETAG], "\"v2\"");
    let response = update("\"v1\"", changed.clone()).await.unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let (_, versions) = node.get(Some("EE"), &format!("{location}/versions")).await;
    assert_eq!(versions["versions"].as_array().unwrap().len(), 2);
    assert_eq!(versions["versions"][0]["report"]["status"], "confirmed");
    assert_eq!(versions["versions"][1]["report"]["status"], "contained");

    // Only the reporter may update.
    let response = node
        .http
        .put(format!("{}{location}", node.base))
        .bearer_auth(&node.tokens["FI"])
        .json(&changed)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // Listing with filters and cursor pagination.
    for _ in 0..4 {
        assert_eq!(
            node.post("UA", report("UA", "clear").to_string()).await.0,
            StatusCode::CREATED
        );
    }
    let (status, page) = node
        .get(Some("FI"), "/api/v1/incidents?victim=UA&limit=3")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["incidents"].as_array().unwrap().len(), 3);
    let cursor = page["next_cursor"].as_str().unwrap();
    let (_, rest) = node
        .get(
            Some("FI"),
            &format!("/api/v1/incidents?victim=UA&limit=3&cursor={cursor}"),
        )
        .await;
    assert_eq!(rest["incidents"].as_array().unwrap().len(), 1);
    assert!(rest.get("next_cursor").is_none());
    let (_, by_sector) = node
        .get(
            Some("FI"),
            "/api/v1/incidents?sector=healthcare&status=contained",
        )
        .await;
    assert_eq!(by_sector["incidents"].as_array().unwrap().len(), 1);
    let (_, by_time) = node
        .get(Some("FI"), "/api/v1/incidents?since=2026-11-02T00:00:00Z")
        .await;
    assert_eq!(by_time["incidents"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn bad_reports_are_refused_with_their_path_and_store_nothing() {
    let node = start(HttpConfig::default()).await;
    let cases: Vec<(Value, StatusCode, &str)> = vec![
        (
            {
                let mut r = report("EE", "clear");
                r["targets"][0]["colour"] = "red".into();
                r
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            "targets[0].colour",
        ),
        (
            {
                let mut r = report("EE", "clear");
                r["victim"] = "XX".into();
                r
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            "victim",
        ),
        (
            {
                let mut r = report("EE", "clear");
                r.as_object_mut().unwrap().remove("status");
                r
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            "status",
        ),
        (
            {
                let mut r = report("EE", "clear");
                r["effects"][0]["kind"] = "hack".into();
                r
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            "effects[0].kind",
        ),
        (
            {
                let mut r = report("EE", "clear");
                r["shared_with"] = json!(["SE"]);
                r
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            "shared_with[0]",
        ),
        (report("UA", "clear"), StatusCode::FORBIDDEN, ""),
    ];
    for (body, expected_status, expected_path) in cases {
        let (status, answer) = node.post("EE", body.to_string()).await;
        assert_eq!(status, expected_status, "{answer}");
        assert_eq!(error_path(&answer), expected_path, "{answer}");
        assert!(answer["error"]["message"].as_str().unwrap().len() > 5);
    }
    let (status, answer) = node.post("EE", "{\"title\": \"x\",").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"]["code"], "malformed_json");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("line 1")
    );

    let response = node
        .http
        .post(format!("{}/api/v1/incidents", node.base))
        .bearer_auth(&node.tokens["EE"])
        .header(header::CONTENT_TYPE, "text/plain")
        .body(report("EE", "clear").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(node.stored_incidents().await, 0);
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused() {
    let node = start(HttpConfig {
        maximum_body_bytes: 4096,
        ..HttpConfig::default()
    })
    .await;
    let mut big = report("EE", "clear");
    big["description"] = "x".repeat(5000).into();
    let (status, answer) = node.post("EE", big.to_string()).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer["error"]["code"], "payload_too_large");
    assert_eq!(node.stored_incidents().await, 0);
}

#[tokio::test]
async fn missing_or_wrong_tokens_are_refused() {
    let node = start(HttpConfig::default()).await;
    let (status, answer) = node.get(None, "/api/v1/incidents").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer["error"]["code"], "unauthenticated");
    for token in [
        "rl_0123456789abcdef_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG".to_string(),
        "not-a-token".to_string(),
        // A real token id with the wrong secret.
        format!("{}X", &node.tokens["EE"][..node.tokens["EE"].len() - 1]),
    ] {
        let response = node
            .http
            .post(format!("{}/api/v1/incidents", node.base))
            .bearer_auth(&token)
            .json(&report("EE", "clear"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{token}");
        assert!(response.headers().contains_key(header::WWW_AUTHENTICATE));
    }
    // A revoked token stops working at once, even after it was verified and cached.
    assert_eq!(
        node.get(Some("FI"), "/api/v1/incidents").await.0,
        StatusCode::OK
    );
    let token_id = node.tokens["FI"].split('_').nth(1).unwrap().to_string();
    node.node
        .revoke_token(&Caller::Operator, &token_id)
        .await
        .unwrap();
    assert_eq!(
        node.get(Some("FI"), "/api/v1/incidents").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(node.stored_incidents().await, 0);
}

#[tokio::test]
async fn restricted_incidents_are_visible_only_to_their_readers() {
    let node = start(HttpConfig::default()).await;
    let mut red = report("UA", "red");
    red["title"] = "Secret grid intrusion".into();
    red["shared_with"] = json!(["EE"]);
    let (status, created) = node.post("UA", red.to_string()).await;
    assert_eq!(status, StatusCode::CREATED);
    let path = format!("/api/v1/incidents/{}", created["id"].as_str().unwrap());

    // A third party gets 404 (not 403: existence is not leaked) and does not see it listed.
    let (status, answer) = node.get(Some("FI"), &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!answer.to_string().contains("Secret grid"));
    let (_, listing) = node.get(Some("FI"), "/api/v1/incidents").await;
    assert!(!listing.to_string().contains("Secret grid"));
    let (status, _) = node.get(Some("FI"), &format!("{path}/versions")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The victim and the party it was shared with see it.
    assert_eq!(node.get(Some("UA"), &path).await.0, StatusCode::OK);
    assert_eq!(node.get(Some("EE"), &path).await.0, StatusCode::OK);
    let (_, listing) = node.get(Some("EE"), "/api/v1/incidents").await;
    assert!(listing.to_string().contains("Secret grid"));
}

#[tokio::test]
async fn bad_query_parameters_name_the_parameter() {
    let node = start(HttpConfig::default()).await;
    for (query, parameter) in [
        ("victim=Ukraine", "victim"),
        ("sector=power", "sector"),
        ("since=yesterday", "since"),
        ("limit=0", "limit"),
        ("limit=many", "limit"),
        ("cursor=garbage", "cursor"),
    ] {
        let (status, answer) = node
            .get(Some("EE"), &format!("/api/v1/incidents?{query}"))
            .await;
        assert!(status.is_client_error(), "{query}: {status}");
        assert_eq!(error_path(&answer), parameter, "{query}: {answer}");
    }
    let (status, answer) = node.get(Some("EE"), "/api/v1/incidents?colour=red").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("colour")
    );
}

#[tokio::test]
async fn health_openapi_and_schema_are_served() {
    let node = start(HttpConfig::default()).await;
    let (status, health) = node.get(None, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["database"], "sqlite");
    let (status, openapi) = node.get(None, "/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(openapi["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/incidents",
        "/api/v1/incidents/{id}",
        "/api/v1/parties",
    ] {
        assert!(openapi["paths"][path].is_object(), "{path}");
    }
    // Every $ref in the document resolves.
    let text = openapi.to_string();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(
            openapi["components"]["schemas"][name].is_object(),
            "dangling $ref {name}"
        );
    }
    let (status, schema) = node.get(None, "/api/v1/schema/incident").await;
    assert_eq!(status, StatusCode::OK);
    assert!(schema["properties"]["targets"].is_object());
    let (status, answer) = node.get(None, "/no/such/thing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(answer["error"]["code"], "not_found");
}

#[tokio::test]
async fn clients_over_the_rate_limit_get_429() {
    let node = start(HttpConfig {
        rate_limit_per_second: 1,
        rate_limit_burst: 3,
        request_timeout: Duration::from_secs(5),
        ..HttpConfig::default()
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(node.get(None, "/healthz").await.0);
    }
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    assert_eq!(statuses[0], StatusCode::OK);
}

#[tokio::test]
async fn incidents_are_assessed_on_submit_and_on_demand() {
    let node = start(HttpConfig::default()).await;
    let (status, created) = node.post("EE", report("EE", "green").to_string()).await;
    assert_eq!(status, StatusCode::CREATED);
    let id = created["id"].as_str().unwrap();

    // The stored assessment of the new incident, against the baseline the node loaded.
    let (status, assessment) = node
        .get(Some("FI"), &format!("/api/v1/incidents/{id}/assessment"))
        .await;
    assert_eq!(status, StatusCode::OK, "{assessment}");
    assert_eq!(assessment["incident"], id);
    assert_eq!(assessment["norms"]["id"], "baseline");
    assert!(assessment["severity"]["level"].as_u64().is_some());
    assert!(
        assessment["protected"]
            .as_array()
            .unwrap()
            .iter()
            .any(|finding| finding["sector"] == "healthcare"),
        "{assessment}"
    );

    // On demand, without storing: the same bytes for the same report and document.
    let assess = |norms: &'static str| {
        node.http
            .post(format!("{}/api/v1/assess?norms={norms}", node.base))
            .bearer_auth(&node.tokens["EE"])
            .json(&report("EE", "green"))
            .send()
    };
    let first = assess("baseline").await.unwrap().bytes().await.unwrap();
    let second = assess("baseline").await.unwrap().bytes().await.unwrap();
    assert_eq!(first, second);
    let response = assess("no-such-document").await.unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(node.stored_incidents().await, 1);

    // The documents are public, and their text hashes to the advertised SHA-256.
    let (status, listing) = node.get(None, "/api/v1/norms").await;
    assert_eq!(status, StatusCode::OK);
    let sha256 = listing["documents"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let text = node
        .http
        .get(format!("{}/api/v1/norms/{sha256}", node.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("[document]"));
}
