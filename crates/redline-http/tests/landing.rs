#![allow(clippy::unwrap_used)]
//! The first hour of a visitor: `/` sends them to the public overview, and every link on it
//! resolves; the public feeds (Atom, JSON Feed, CSV) and the public TAXII collection carry the
//! public record and nothing restricted; the public collection is read-only and opens no other
//! collection to an anonymous visitor.
//!
//! The interop check reads the feeds with Python's `feedparser` and `jsonschema` (against
//! `testdata/jsonfeed/jsonfeed-1.1.schema.json`) and the public collection with taxii2-client,
//! without credentials. It needs a Python with those: `TAXII_PYTHON`, else the workspace's
//! `.venv/bin/python` (scripts/test makes it). With `REQUIRE_INTEROP=1` a missing Python fails
//! the test instead of skipping it.

mod support;

use std::path::PathBuf;

use redline_model::{IncidentId, PartyId};
use redline_node::{Caller, sharing::PUBLIC_COLLECTION_ID};
use reqwest::{StatusCode, header, redirect};
use serde_json::{Value, json};

const TAXII: &str = "application/taxii+json;version=2.1";

/// Every `href="…"` of a page that stays on this node.
fn links(body: &str) -> Vec<String> {
    body.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|href| href.replace("&amp;", "&"))
        .filter(|href| href.starts_with('/') && !href.starts_with("//"))
        .collect()
}

/// The restricted incidents' ids and marker strings: nothing public may contain them.
fn forbidden(node: &support::DashboardNode) -> Vec<String> {
    let mut forbidden = node.secrets.clone();
    forbidden.extend(node.restricted_ids.iter().cloned());
    forbidden
}

fn assert_nothing_forbidden(node: &support::DashboardNode, where_: &str, text: &str) {
    for secret in forbidden(node) {
        assert!(!text.contains(&secret), "{where_} contains `{secret}`");
    }
}

/// `GET path` without credentials: it must answer 200 with exactly the content type
/// `content_type`, and a body carrying nothing restricted; returns the body.
async fn public_text(node: &support::DashboardNode, path: &str, content_type: &str) -> String {
    let response = reqwest::get(format!("{}{path}", node.base)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let answered = response.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(answered, content_type, "{path}");
    let body = response.text().await.unwrap();
    assert_nothing_forbidden(node, path, &body);
    body
}

/// The public incidents' titles, as the public path shows them.
async fn public_titles(node: &support::DashboardNode) -> Vec<String> {
    let mut titles = Vec::new();
    for id in &node.public_ids {
        let incident = node
            .node
            .public_incident(&IncidentId::parse(id).unwrap())
            .await
            .unwrap();
        titles.push(incident.incident.report.title);
    }
    titles
}

#[tokio::test]
async fn the_root_redirects_to_the_public_overview_and_every_link_on_it_resolves() {
    let node = support::start().await;
    let not_following = reqwest::Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap();
    let response = not_following
        .get(format!("{}/", node.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], "/dashboard");

    let client = reqwest::Client::new();
    let response = client.get(format!("{}/", node.base)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.url().path(), "/dashboard");
    let overview = response.text().await.unwrap();
    assert!(
        overview.contains("id=\"public-incident-count\""),
        "{overview}"
    );
    assert!(overview.contains("id=\"record-links\""), "{overview}");
    assert!(overview.contains(
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Atom\" href=\"/feed.atom\">"
    ));
    assert!(overview.contains(
        "<link rel=\"alternate\" type=\"application/feed+json\" title=\"JSON Feed\" href=\"/feed.json\">"
    ));

    let found = links(&overview);
    for required in [
        "/dashboard",
        "/dashboard/incidents",
        "/dashboard/parties",
        "/dashboard/claims",
        "/dashboard/norms",
        "/dashboard/verify",
        "/api/openapi.json",
        "/feed.atom",
        "/feed.json",
        "/export/incidents.csv",
        "/taxii2/",
    ] {
        assert!(
            found.iter().any(|href| href == required),
            "the overview does not link to {required}: {found:?}"
        );
    }
    for href in found {
        let url = format!("{}{href}", node.base);
        if href.starts_with("/taxii2/") {
            // TAXII discovery is for parties: it asks an anonymous visitor to sign in, in
            // TAXII's own terms, and answers a signed-in one.
            let anonymous = client.get(&url).header(header::ACCEPT, TAXII);
            let response = anonymous.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{href}");
            assert_eq!(response.headers()[header::CONTENT_TYPE], TAXII, "{href}");
            let signed_in = client
                .get(&url)
                .header(header::ACCEPT, TAXII)
                .basic_auth("EE", Some(&node.tokens["EE"]));
            let response = signed_in.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{href}");
            continue;
        }
        if href == "/console" || href.starts_with("/console/") {
            // The console is for signed-in parties: it sends a visitor to its sign-in page.
            let response = client.get(&url).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{href}");
            assert!(response.url().path().starts_with("/console"), "{href}");
            continue;
        }
        let response = client.get(&url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{href} does not resolve");
    }
}

#[tokio::test]
async fn the_feeds_carry_the_public_record_and_nothing_restricted() {
    let node = support::start().await;
    let titles = public_titles(&node).await;
    assert!(!titles.is_empty());

    // JSON Feed: one item per public incident, newest first, each with its assessment.
    let body = public_text(&node, "/feed.json", "application/feed+json").await;
    let feed: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1");
    let items = feed["items"].as_array().unwrap();
    assert_eq!(items.len(), node.public_ids.len());
    for id in &node.public_ids {
        let url = format!("{}/dashboard/incidents/{id}", node.base);
        let item = items.iter().find(|item| item["url"] == url.as_str());
        let item = item.unwrap_or_else(|| panic!("no feed item links to {url}"));
        let summary = item["summary"].as_str().unwrap();
        assert!(summary.starts_with("Severity "), "{summary}");
        assert!(summary.contains("legal category"), "{summary}");
        assert!(
            summary.contains("recommended response ceiling"),
            "{summary}"
        );
    }
    let dates: Vec<&str> = items
        .iter()
        .map(|item| item["date_modified"].as_str().unwrap())
        .collect();
    let mut newest_first = dates.clone();
    newest_first.sort_by(|left, right| right.cmp(left));
    assert_eq!(dates, newest_first, "the feed is not newest first");

    // Atom: the same entries, escaped XML.
    let atom = public_text(&node, "/feed.atom", "application/atom+xml; charset=utf-8").await;
    assert!(atom.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
    assert_eq!(atom.matches("<entry>").count(), node.public_ids.len());

    // CSV: every public incident, one row each, under the header.
    let text = public_text(
        &node,
        "/export/incidents.csv",
        "text/csv; charset=utf-8; header=present",
    )
    .await;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        headers,
        [
            "id",
            "title",
            "reported_by",
            "victim",
            "first_observed",
            "updated_at",
            "severity_level",
            "severity_name",
            "legal_category",
            "legal_certainty",
            "recommended_ceiling",
            "url",
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), node.public_ids.len());
    for row in &rows {
        assert!(node.public_ids.iter().any(|id| id == &row[0]), "{row:?}");
        assert!(titles.iter().any(|title| title == &row[1]), "{row:?}");
        assert!(!row[6].is_empty() && !row[8].is_empty(), "{row:?}");
        assert_eq!(
            row[11],
            format!("{}/dashboard/incidents/{}", node.base, &row[0])
        );
    }
}

#[tokio::test]
async fn the_public_collection_is_read_only_and_opens_no_other() {
    let node = support::start().await;
    let parties: Vec<PartyId> = support::PARTIES
        .iter()
        .map(|id| PartyId::parse(id).unwrap())
        .collect();
    let shared = node
        .node
        .ensure_shared_collection(&Caller::Operator, &parties)
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let collection_url =
        |id: &str, tail: &str| format!("{}/taxii2/api/collections/{id}/{tail}", node.base);

    // Anyone reads the public collection: the public incidents, nothing restricted.
    let response = client
        .get(collection_url(PUBLIC_COLLECTION_ID, ""))
        .header(header::ACCEPT, TAXII)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let collection: Value = response.json().await.unwrap();
    assert_eq!(collection["can_read"], true);
    assert_eq!(collection["can_write"], false);
    let response = client
        .get(collection_url(PUBLIC_COLLECTION_ID, "objects/"))
        .header(header::ACCEPT, TAXII)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], TAXII);
    let body = response.text().await.unwrap();
    assert_nothing_forbidden(&node, "the public collection", &body);
    let envelope: Value = serde_json::from_str(&body).unwrap();
    let incident_names: Vec<&str> = envelope["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|object| object["type"] == "incident")
        .map(|object| object["name"].as_str().unwrap())
        .collect();
    assert_eq!(incident_names.len(), node.public_ids.len());
    // A reporter's suspicion is not public (no claim is published on this node): no
    // `attributed-to`, no threat actor, no suspected origin in the redline extension.
    for object in envelope["objects"].as_array().unwrap() {
        assert_ne!(object["type"], "threat-actor", "{object}");
        assert_ne!(object["relationship_type"], "attributed-to", "{object}");
    }
    assert!(!body.contains("suspected_origin"), "{body}");

    // Anonymous: no other collection, and no listing or discovery.
    for url in [
        collection_url(&shared.id, ""),
        collection_url(&shared.id, "objects/"),
        collection_url(&shared.id, "manifest/"),
        format!("{}/taxii2/api/collections/", node.base),
        format!("{}/taxii2/", node.base),
    ] {
        let response = client
            .get(&url)
            .header(header::ACCEPT, TAXII)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{url}");
    }
    // Wrong credentials are refused even for the public collection.
    let response = client
        .get(collection_url(PUBLIC_COLLECTION_ID, "objects/"))
        .header(header::ACCEPT, TAXII)
        .basic_auth("EE", Some("rl_nope_nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    // Nobody writes to it: anonymous is asked to sign in, a party is forbidden.
    let objects = json!({"objects": [envelope["objects"][0].clone()]}).to_string();
    let anonymous_write = client
        .post(collection_url(PUBLIC_COLLECTION_ID, "objects/"))
        .header(header::ACCEPT, TAXII)
        .header(header::CONTENT_TYPE, TAXII)
        .body(objects.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous_write.status(), StatusCode::UNAUTHORIZED);
    let party_write = client
        .post(collection_url(PUBLIC_COLLECTION_ID, "objects/"))
        .header(header::ACCEPT, TAXII)
        .header(header::CONTENT_TYPE, TAXII)
        .basic_auth("EE", Some(&node.tokens["EE"]))
        .body(objects)
        .send()
        .await
        .unwrap();
    assert_eq!(party_write.status(), StatusCode::FORBIDDEN);
}

fn interop_python() -> Option<PathBuf> {
    support::interop::interop_python(
        &["TAXII_PYTHON"],
        &["taxii2client", "feedparser", "jsonschema"],
        "public record interop",
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_clients_read_the_public_record_without_credentials() {
    let Some(python) = interop_python() else {
        return;
    };
    let node = support::start().await;
    let titles = public_titles(&node).await;
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let output = tokio::process::Command::new(python)
        .arg(manifest.join("tests/interop/public_record.py"))
        .env("REDLINE_BASE", &node.base)
        .env("REDLINE_PUBLIC_COLLECTION", PUBLIC_COLLECTION_ID)
        .env("REDLINE_PUBLIC_TITLES", json!(titles).to_string())
        .env("REDLINE_FORBIDDEN", json!(forbidden(&node)).to_string())
        .env(
            "REDLINE_JSON_FEED_SCHEMA",
            manifest.join("../../testdata/jsonfeed/jsonfeed-1.1.schema.json"),
        )
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "the public record interop failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("no bozo"), "{stdout}");
    assert!(stdout.contains("valid against JSON Feed 1.1"), "{stdout}");
    assert!(stdout.contains("read without credentials"), "{stdout}");
}

/// Every `src="…"` and `href="…"` of a page, wherever it points.
fn references(body: &str) -> Vec<String> {
    ["src=\"", "href=\""]
        .iter()
        .flat_map(|attribute| {
            body.split(attribute)
                .skip(1)
                .filter_map(|rest| rest.split('"').next())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test]
async fn the_api_viewer_and_its_assets_are_served_by_the_node_itself() {
    let node = support::start().await;
    let client = reqwest::Client::new();
    let overview = client
        .get(format!("{}/dashboard", node.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        overview.contains("href=\"/api/docs\""),
        "the overview links the viewer"
    );

    let response = client
        .get(format!("{}/api/docs", node.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/html; charset=utf-8"
    );
    let policy = response.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        policy.contains("script-src 'self';"),
        "the node's policy, unchanged: {policy}"
    );
    let page = response.text().await.unwrap();
    assert!(page.contains("spec-url=\"/api/openapi.json\""), "{page}");
    assert!(
        !page.contains("<script>") && page.matches("<script").count() == 1,
        "one script, loaded from a URL, none inline"
    );
    let assets = references(&page);
    assert!(!assets.is_empty());
    for asset in &assets {
        assert!(
            asset.starts_with('/') && !asset.starts_with("//"),
            "`{asset}` is not on this node"
        );
        let response = client
            .get(format!("{}{asset}", node.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{asset}");
        let content_type = response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_string();
        let cache = response
            .headers()
            .get(header::CACHE_CONTROL)
            .map(|value| value.to_str().unwrap().to_string())
            .unwrap_or_default();
        let expected = match asset.rsplit('.').next() {
            Some("js") => "text/javascript; charset=utf-8",
            Some("txt") => "text/plain; charset=utf-8",
            Some("json") => "application/json",
            _ => "text/html; charset=utf-8",
        };
        assert!(
            content_type.starts_with(expected),
            "{asset}: {content_type}"
        );
        let body = response.bytes().await.unwrap();
        if asset.ends_with(".js") {
            assert_eq!(cache, "public, max-age=31536000, immutable", "{asset}");
            assert!(
                body.starts_with(b"/*! RapiDoc 9.3.8"),
                "the vendored viewer, byte for byte"
            );
            assert!(body.len() > 800_000, "the whole bundle");
        }
    }
    assert!(
        assets.iter().any(|asset| asset.ends_with(".js")),
        "the viewer's script is among the assets: {assets:?}"
    );
    let license = client
        .get(format!("{}/api/docs/THIRD-PARTY-NOTICES.txt", node.base))
        .send()
        .await
        .unwrap();
    assert_eq!(license.status(), StatusCode::OK);
}
