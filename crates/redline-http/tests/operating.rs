#![allow(clippy::unwrap_used)]
//! Operating a node: `/metrics` read by Prometheus's own text-format parser, routes counted by
//! their template, a request id on every answer, readiness when the database goes away, and the
//! node behind a reverse proxy — rate limits per forwarded client address (only from a trusted
//! proxy) and per party, and the console cookie `Secure` when the proxy says HTTPS.
//!
//! The parser test needs a Python with `prometheus_client`: `PROMETHEUS_PYTHON`, else
//! `TAXII_PYTHON`, else the workspace's `.venv/bin/python` (scripts/test makes it). With
//! `REQUIRE_INTEROP=1` a missing parser fails the test instead of skipping it.

use std::{path::PathBuf, sync::Arc, time::Duration};

use redline_http::{HttpConfig, TrustedProxies};
use redline_node::{Node, SystemClock};
use redline_store::{SqlStore, SqlStoreOptions};
use reqwest::{StatusCode, redirect::Policy};
use serde_json::Value;
use sqlx::Connection;

mod support;

/// At most this many requests are sent to empty a bucket (the burst is far smaller).
const REQUESTS_TO_EMPTY_A_BUCKET: usize = 40;

fn interop_python() -> Option<PathBuf> {
    support::interop::interop_python(
        &["PROMETHEUS_PYTHON", "TAXII_PYTHON"],
        &["prometheus_client.parser"],
        "Prometheus parser test",
    )
}

/// Parses `text` with `prometheus_client.parser.text_string_to_metric_families`; returns the
/// families as `{name: {type, samples: [[name, labels, value]]}}`.
fn parse_with_prometheus(python: &PathBuf, text: &str) -> Value {
    use std::io::Write;
    let script = r#"
import json, sys
from prometheus_client.parser import text_string_to_metric_families
families = {}
for family in text_string_to_metric_families(sys.stdin.read()):
    families[family.name] = {
        "type": family.type,
        "samples": [[s.name, s.labels, s.value] for s in family.samples],
    }
print(json.dumps(families))
"#;
    let mut child = std::process::Command::new(python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "the Prometheus parser refused /metrics: {}\n{text}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn samples<'a>(families: &'a Value, family: &str) -> &'a Vec<Value> {
    families[family]["samples"]
        .as_array()
        .unwrap_or_else(|| panic!("no family {family} in {families}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_prometheus_text_counted_by_route_template_and_parse_with_prometheus() {
    let node = support::start_with(HttpConfig {
        rate_limit_per_second: 0,
        ..HttpConfig::default()
    })
    .await;
    let client = reqwest::Client::new();
    let id = &node.public_ids[0];
    let shown = client
        .get(format!("{}/api/v1/incidents/{id}", node.base))
        .bearer_auth(&node.tokens["EE"])
        .send()
        .await
        .unwrap();
    assert_eq!(shown.status(), StatusCode::OK);
    let missing = client
        .get(format!("{}/no/such/page/{id}", node.base))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let response = client
        .get(format!("{}/metrics", node.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = response.text().await.unwrap();
    assert!(
        text.contains(r#"route="/api/v1/incidents/{id}",status="200""#),
        "{text}"
    );
    assert!(text.contains(r#"route="unmatched",status="404""#), "{text}");
    assert!(
        !text.contains(id.as_str()),
        "a raw id reached /metrics:\n{text}"
    );
    assert!(
        text.contains("redline_hotline_deadlines_due{duty=\"acknowledgement\"}"),
        "{text}"
    );
    // One SQLite process: it leads.
    assert!(
        text.lines().any(|line| line == "redline_cluster_leader 1"),
        "{text}"
    );

    let Some(python) = interop_python() else {
        return;
    };
    let families = parse_with_prometheus(&python, &text);
    assert_eq!(
        families["redline_http_requests"]["type"], "counter",
        "{families}"
    );
    assert_eq!(
        families["redline_http_request_duration_seconds"]["type"], "histogram",
        "{families}"
    );
    assert_eq!(
        families["redline_hotline_deadlines_due"]["type"], "gauge",
        "{families}"
    );
    let shown_count = samples(&families, "redline_http_requests")
        .iter()
        .find(|sample| {
            sample[1]["route"] == "/api/v1/incidents/{id}" && sample[1]["status"] == "200"
        })
        .unwrap_or_else(|| panic!("no sample for the incident route in {families}"));
    assert_eq!(shown_count[2], 1.0, "{families}");
    let buckets = samples(&families, "redline_http_request_duration_seconds")
        .iter()
        .filter(|sample| sample[0] == "redline_http_request_duration_seconds_bucket")
        .count();
    assert!(buckets > 0, "{families}");
}

#[tokio::test]
async fn every_answer_carries_a_request_id_and_a_given_one_is_echoed() {
    let node = support::start().await;
    let client = reqwest::Client::new();
    let generated = client
        .get(format!("{}/healthz", node.base))
        .send()
        .await
        .unwrap();
    let id = generated.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    let echoed = client
        .get(format!("{}/no/such/page", node.base))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "trace-me-42");
}

/// A node that trusts the loopback proxy (the test client connects from 127.0.0.1), with a
/// small burst.
fn behind_a_proxy(trusted: &[&str]) -> HttpConfig {
    HttpConfig {
        rate_limit_per_second: 1,
        rate_limit_burst: 3,
        trusted_proxies: TrustedProxies::parse(trusted.iter().copied()).unwrap(),
        ..HttpConfig::default()
    }
}

/// Sends `/healthz` requests from the forwarded address `forwarded_for` (a new one each time
/// when `None`) until one is refused with 429; `true` if one was.
async fn empties_a_bucket(
    client: &reqwest::Client,
    base: &str,
    forwarded_for: Option<&str>,
) -> bool {
    for attempt in 0..REQUESTS_TO_EMPTY_A_BUCKET {
        let address =
            forwarded_for.map_or_else(|| format!("198.51.100.{}", attempt + 1), str::to_string);
        let response = client
            .get(format!("{base}/healthz"))
            .header("x-forwarded-for", address)
            .send()
            .await
            .unwrap();
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            return true;
        }
    }
    false
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket() {
    let node = support::start_with(behind_a_proxy(&["127.0.0.1", "::1"])).await;
    let client = reqwest::Client::new();
    assert!(empties_a_bucket(&client, &node.base, Some("203.0.113.7")).await);
    let other = client
        .get(format!("{}/healthz", node.base))
        .header("x-forwarded-for", "203.0.113.8")
        .send()
        .await
        .unwrap();
    assert_eq!(
        other.status(),
        StatusCode::OK,
        "another client shares no bucket"
    );
    // The client's own entries to the left of the proxy's are not believed.
    let spoofed = client
        .get(format!("{}/healthz", node.base))
        .header("x-forwarded-for", "192.0.2.55, 203.0.113.7")
        .send()
        .await
        .unwrap();
    assert_eq!(spoofed.status(), StatusCode::TOO_MANY_REQUESTS);
    let metrics = client
        .get(format!("{}/metrics", node.base))
        .header("x-forwarded-for", "203.0.113.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("redline_http_requests_rate_limited_total"),
        "{metrics}"
    );
}

#[tokio::test]
async fn from_an_untrusted_peer_a_forged_forwarded_for_is_ignored() {
    let node = support::start_with(behind_a_proxy(&["10.0.0.0/8"])).await;
    let client = reqwest::Client::new();
    // A different forged address on every request: all are charged to the peer's bucket.
    assert!(empties_a_bucket(&client, &node.base, None).await);
}

#[tokio::test]
async fn a_party_signed_in_has_its_own_bucket_once_its_token_is_known() {
    let node = support::start_with(behind_a_proxy(&["127.0.0.1", "::1"])).await;
    let client = reqwest::Client::new();
    let token = &node.tokens["EE"];
    // The first request with the token is charged to the address, and teaches the limiter
    // whose the token is.
    let first = client
        .get(format!("{}/api/v1/inbox", node.base))
        .header("x-forwarded-for", "203.0.113.20")
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert!(empties_a_bucket(&client, &node.base, Some("203.0.113.20")).await);
    let signed_in = client
        .get(format!("{}/api/v1/inbox", node.base))
        .header("x-forwarded-for", "203.0.113.20")
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        signed_in.status(),
        StatusCode::OK,
        "the party's bucket is its own"
    );
    // A made-up token opens no bucket of its own.
    let made_up = client
        .get(format!("{}/healthz", node.base))
        .header("x-forwarded-for", "203.0.113.20")
        .bearer_auth("rl_madeup_secret")
        .send()
        .await
        .unwrap();
    assert_eq!(made_up.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// Signs in to the console as `party` with `headers`; returns the session's `Set-Cookie`.
async fn session_cookie(
    node: &support::DashboardNode,
    party: &str,
    headers: &[(&str, &str)],
) -> String {
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let token: String = node.tokens[party]
        .bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect();
    let mut request = client
        .post(format!("{}/console/sign-in", node.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={token}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("redline_session="))
        .unwrap_or_else(|| panic!("no session cookie: {}", response.status()))
        .to_string()
}

fn is_secure(cookie: &str) -> bool {
    cookie
        .split(';')
        .any(|attribute| attribute.trim().eq_ignore_ascii_case("secure"))
}

#[tokio::test]
async fn the_session_cookie_is_secure_when_a_trusted_proxy_says_https_and_not_otherwise() {
    let trusted = support::start_with(behind_a_proxy(&["127.0.0.1", "::1"])).await;
    let over_https = session_cookie(&trusted, "EE", &[("x-forwarded-proto", "https")]).await;
    assert!(is_secure(&over_https), "{over_https}");
    let over_http = session_cookie(&trusted, "EE", &[]).await;
    assert!(!is_secure(&over_http), "{over_http}");
    let untrusted = support::start_with(behind_a_proxy(&["10.0.0.0/8"])).await;
    let forged = session_cookie(&untrusted, "EE", &[("x-forwarded-proto", "https")]).await;
    assert!(
        !is_secure(&forged),
        "an untrusted peer cannot claim HTTPS: {forged}"
    );
    let public_https = support::start_with(HttpConfig {
        public_url: Some("https://redline.example.org".into()),
        ..HttpConfig::default()
    })
    .await;
    let configured = session_cookie(&public_https, "EE", &[]).await;
    assert!(is_secure(&configured), "{configured}");
}

/// `/readyz` is 503 naming the database once the database is gone (PostgreSQL: the test
/// database is dropped with its connections terminated).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_fails_when_the_database_is_stopped() {
    let Some(url) = redline_store::testing::fresh_postgres_database("readyz")
        .await
        .unwrap()
    else {
        println!("PostgreSQL SKIPPED: TEST_POSTGRES_URL is not set");
        return;
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let store = SqlStore::open(&url, SqlStoreOptions::default())
        .await
        .unwrap();
    let node = Arc::new(Node::new(Arc::new(store), Arc::new(SystemClock)));
    let (base, _stop) = support::kit::serve(node, HttpConfig::default()).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);

    let admin_url = std::env::var("TEST_POSTGRES_URL").unwrap();
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    let without_query = url.split('?').next().unwrap();
    let name = without_query.rsplit_once('/').unwrap().1.to_string();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE {name} WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await
    .unwrap();
    let _ = admin.close().await;

    let stopped = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(stopped.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = stopped.json().await.unwrap();
    assert_eq!(body["status"], "unavailable", "{body}");
    assert_eq!(body["failing"][0], "database", "{body}");
    assert_eq!(body["checks"]["database"], "failing", "{body}");
}
