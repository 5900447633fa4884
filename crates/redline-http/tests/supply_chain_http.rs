#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Supply-chain notices (GGE 13(i)) over HTTP, with the node's clock driving the deadline:
//! Estonia notifies every party that an update channel is compromised, linking one public and
//! one restricted incident; every other party gets a `supply-chain-notice` event; each
//! acknowledges with its exposure (Ukraine on time, Britain late, the United States never);
//! the deadline comes from the norms document's `acknowledge` duty; when it passes, the
//! scheduler reminds each party that missed it and tells Estonia, once; every signed record is
//! in the transparency log as a digest; a replay is refused; the pages show the matrix, and a
//! party that may not read the restricted incident sees it withheld. An amber notice is on no
//! public route; a clear one is reachable from the dashboard.

mod support;

use std::collections::{BTreeSet, VecDeque};
use std::sync::Arc;

use redline_disclosure::{NOTICE_ACKNOWLEDGEMENT_PAYLOAD_TYPE, NOTICE_PAYLOAD_TYPE};
use redline_hotline::sign_record;
use redline_model::Timestamp;
use redline_node::log::{LogConfig, LogEntry, LogEntryKind, NodeLog};
use redline_node::{Clock, FixedClock};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

async fn call(
    base: &str,
    token: Option<&str>,
    method: Method,
    path: &str,
    body: Option<Vec<u8>>,
) -> (StatusCode, Value, String) {
    let mut request = reqwest::Client::new().request(method, format!("{base}{path}"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
    )
}

fn notice_payload(
    id: Uuid,
    tlp: &str,
    marker: &str,
    incidents: &[&str],
    signed_at: Timestamp,
) -> Value {
    json!({
        "v": 1,
        "id": id,
        "notifying_party": "EE",
        "title": format!("{marker} trojanised update of the Orion platform"),
        "summary": format!("{marker}-summary: builds 2019.4 HF 5 to 2020.2.1 HF 1 carry a backdoor."),
        "compromise": "update-channel",
        "products": [
            {"id": "orion", "vendor": "SolarWinds", "name": "Orion Platform",
             "identifier": {"cpe": "cpe:2.3:a:solarwinds:orion_platform:2020.2.1:*:*:*:*:*:*:*"},
             "versions": ["2019.4 HF 5", "2020.2", "2020.2.1 HF 1"]}
        ],
        "update_channel": {"description": format!("{marker}-channel: the vendor's signed update packages")},
        "indicators": [
            {"kind": "domain", "value": "avsvmcloud.com", "note": "first-stage command and control"},
            {"kind": "sha256", "value": "32519b85c0b422e4656de6e6c41878e95fd95026267daab4215ee59c107d6c77"}
        ],
        "mitigation": format!("{marker}-mitigation: disconnect Orion hosts, rebuild from known-good media, rotate credentials."),
        "incidents": incidents,
        "tlp": tlp,
        "signed_at": signed_at,
    })
}

fn signed(payload_type: &str, payload: &Value, party: &str) -> Vec<u8> {
    sign_record(
        payload_type,
        serde_json::to_vec(payload).unwrap(),
        &support::key_of(party),
    )
}

fn acknowledgement(notice: Uuid, party: &str, exposure: &str, signed_at: Timestamp) -> Vec<u8> {
    signed(
        NOTICE_ACKNOWLEDGEMENT_PAYLOAD_TYPE,
        &json!({"v": 1, "id": Uuid::new_v4(), "notice": notice, "party": party, "exposure": exposure, "signed_at": signed_at}),
        party,
    )
}

/// Whether the node logged `entry` about `notice`.
fn logged(node: &redline_node::Node, notice: Uuid, entry: &[u8]) -> bool {
    let log = node.log().unwrap();
    log.leaves_of_subject(&notice.to_string())
        .into_iter()
        .any(|leaf| {
            let text = log.receipt(leaf).unwrap();
            redline_ledger::receipt::TlogProof::parse(text.as_bytes())
                .unwrap()
                .verify(entry, log.origin(), &[log.verifier()], &[], 0)
                .is_ok()
        })
}

fn expected_entry(
    kind: LogEntryKind,
    party: &str,
    notice: Uuid,
    time: Timestamp,
    signed: &[u8],
) -> Vec<u8> {
    let stored = redline_hotline::Envelope::parse(signed)
        .unwrap()
        .to_json_bytes();
    LogEntry::new(kind, Some(party.into()), notice.to_string(), time, &stored)
        .to_bytes()
        .unwrap()
}

async fn event_kinds(base: &str, token: &str) -> Vec<String> {
    let (_, events, _) = call(
        base,
        Some(token),
        Method::GET,
        "/api/v1/events?after=0&limit=1000",
        None,
    )
    .await;
    events["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["kind"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notice_reaches_every_party_and_each_acknowledgement_is_graded_by_the_clock() {
    let start = redline_node::SystemClock.now();
    let clock = Arc::new(FixedClock::new(start));
    let node = support::start_with_clock(redline_http::HttpConfig::default(), clock.clone()).await;
    let log_directory = tempfile::tempdir().unwrap();
    node.node
        .attach_log(
            NodeLog::open(LogConfig::new(
                log_directory.path().join("log"),
                "test.redline.example/log",
                [9; 32],
            ))
            .unwrap(),
        )
        .await
        .unwrap();
    let base = node.base.as_str();
    let token = |party: &str| node.tokens[party].clone();
    let public_incident = node.public_ids[0].clone();
    // Amber, reported by Ukraine and shared with Estonia only.
    let restricted_incident = node.restricted_ids[0].clone();
    let id = Uuid::from_u128(0x5C_0001);
    let payload = notice_payload(
        id,
        "amber",
        "NOTICE",
        &[&public_incident, &restricted_incident],
        start,
    );
    let bytes = signed(NOTICE_PAYLOAD_TYPE, &payload, "EE");

    // Another party cannot send it in Estonia's name; Estonia can.
    let (status, _, text) = call(
        base,
        Some(&token("GB")),
        Method::POST,
        "/api/v1/supply-chain-notices",
        Some(bytes.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
    let (status, issued, text) = call(
        base,
        Some(&token("EE")),
        Method::POST,
        "/api/v1/supply-chain-notices",
        Some(bytes.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let recipients: Vec<&str> = issued["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["party"].as_str().unwrap())
        .collect();
    assert_eq!(
        recipients,
        ["GB", "IR", "KP", "RU", "UA", "US"],
        "every other party, Estonia left out"
    );
    // The baseline's acknowledge duty from level 0: 24 hours.
    let due = start.plus_seconds(24 * 3_600).unwrap();
    assert_eq!(issued["acknowledge_by"], json!(due));
    assert_eq!(issued["readable_incidents"].as_array().unwrap().len(), 2);
    let (status, _, _) = call(
        base,
        Some(&token("EE")),
        Method::POST,
        "/api/v1/supply-chain-notices",
        Some(bytes.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "a notice is issued once");
    assert!(
        event_kinds(base, &token("US"))
            .await
            .contains(&"supply-chain-notice".to_string())
    );
    assert!(
        !event_kinds(base, &token("EE"))
            .await
            .contains(&"supply-chain-notice".to_string())
    );

    // A notice linking an incident its author cannot read is refused by path.
    let mut hidden = notice_payload(
        Uuid::from_u128(0x5C_0002),
        "green",
        "HIDDEN",
        &[&restricted_incident],
        start,
    );
    hidden["notifying_party"] = json!("GB");
    let (status, refused, text) = call(
        base,
        Some(&token("GB")),
        Method::POST,
        "/api/v1/supply-chain-notices",
        Some(signed(NOTICE_PAYLOAD_TYPE, &hidden, "GB")),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    assert_eq!(
        refused["error"]["issues"][0]["path"], "incidents[0]",
        "{text}"
    );

    // Ukraine on time, then again with a new exposure; Britain late; the US never.
    let path = format!("/api/v1/supply-chain-notices/{id}");
    clock.set(start.plus_seconds(3_600).unwrap());
    let ukraine = acknowledgement(id, "UA", "investigating", clock.now());
    let (status, _, text) = call(
        base,
        Some(&token("UA")),
        Method::POST,
        &format!("{path}/acknowledgements"),
        Some(ukraine.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let (status, _, _) = call(
        base,
        Some(&token("UA")),
        Method::POST,
        &format!("{path}/acknowledgements"),
        Some(ukraine.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "a replay");
    clock.set(start.plus_seconds(7_200).unwrap());
    let ukraine_again = acknowledgement(id, "UA", "affected", clock.now());
    let (status, _, text) = call(
        base,
        Some(&token("UA")),
        Method::POST,
        &format!("{path}/acknowledgements"),
        Some(ukraine_again.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(
        event_kinds(base, &token("EE"))
            .await
            .contains(&"supply-chain-acknowledgement".to_string())
    );

    // Before the deadline nothing fires; at it, each party that missed it is reminded, once.
    assert_eq!(
        node.node.next_deadline().await.unwrap().map(|at| at <= due),
        Some(true)
    );
    clock.set(due.plus_seconds(-1).unwrap());
    assert_eq!(
        node.node.fire_due_supply_chain_deadlines().await.unwrap(),
        0
    );
    clock.set(due);
    assert_eq!(
        node.node.fire_due_supply_chain_deadlines().await.unwrap(),
        5,
        "GB, IR, KP, RU, US"
    );
    assert_eq!(
        node.node.fire_due_supply_chain_deadlines().await.unwrap(),
        0,
        "once"
    );
    assert!(
        event_kinds(base, &token("US"))
            .await
            .contains(&"supply-chain-reminder".to_string())
    );
    assert!(
        !event_kinds(base, &token("UA"))
            .await
            .contains(&"supply-chain-reminder".to_string())
    );
    assert!(
        event_kinds(base, &token("EE"))
            .await
            .contains(&"supply-chain-missed".to_string())
    );
    clock.set(due.plus_seconds(600).unwrap());
    let britain = acknowledgement(id, "GB", "not-affected", clock.now());
    let (status, shown, text) = call(
        base,
        Some(&token("GB")),
        Method::POST,
        &format!("{path}/acknowledgements"),
        Some(britain.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let standing = |view: &Value, party: &str| -> (String, Value) {
        let row = view["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["party"] == party)
            .unwrap();
        (
            row["standing"].as_str().unwrap().to_string(),
            row["exposure"].clone(),
        )
    };
    // Britain reads its own exposure and every party's standing, not Ukraine's exposure;
    // Estonia, which notified, reads every exposure.
    assert_eq!(standing(&shown, "UA"), ("on-time".to_string(), Value::Null));
    assert_eq!(
        standing(&shown, "GB"),
        ("late".to_string(), json!("not-affected"))
    );
    assert_eq!(standing(&shown, "US"), ("missed".to_string(), Value::Null));
    let (_, notified, _) = call(base, Some(&token("EE")), Method::GET, &path, None).await;
    assert_eq!(
        standing(&notified, "UA"),
        ("on-time".to_string(), json!("affected"))
    );
    assert_eq!(notified["exposure_counts"]["affected"], 1);
    // Britain may read the notice but not the restricted incident: withheld, not named.
    assert_eq!(shown["withheld_incidents"], 1, "{text}");
    assert!(!text.contains(&restricted_incident), "{text}");
    let (_, listed, _) = call(
        base,
        Some(&token("US")),
        Method::GET,
        "/api/v1/supply-chain-notices",
        None,
    )
    .await;
    assert_eq!(listed["notices"][0]["acknowledged_count"], 2);
    assert_eq!(listed["notices"][0]["affected_count"], 1);

    // Every signed record is in the log as a digest.
    node.node.settle_log().await.unwrap();
    for entry in [
        expected_entry(LogEntryKind::SupplyChainNotice, "EE", id, start, &bytes),
        expected_entry(
            LogEntryKind::SupplyChainAcknowledgement,
            "UA",
            id,
            start.plus_seconds(3_600).unwrap(),
            &ukraine,
        ),
        expected_entry(
            LogEntryKind::SupplyChainAcknowledgement,
            "UA",
            id,
            start.plus_seconds(7_200).unwrap(),
            &ukraine_again,
        ),
        expected_entry(
            LogEntryKind::SupplyChainAcknowledgement,
            "GB",
            id,
            due.plus_seconds(600).unwrap(),
            &britain,
        ),
    ] {
        assert!(
            logged(&node.node, id, &entry),
            "not logged: {}",
            String::from_utf8_lossy(&entry)
        );
    }

    // The console page shows the matrix; the public page does not know an amber notice.
    let (status, _, page) = call(
        base,
        None,
        Method::GET,
        &format!("/dashboard/supply-chain/{id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{page}");
    let support::ConsoleSession { http, cookie, .. } =
        support::ConsoleSession::sign_in_at(base, &token("GB")).await;
    let console = http
        .get(format!("{base}/console/supply-chain/{id}"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(console.status(), StatusCode::OK);
    let console = console.text().await.unwrap();
    assert!(
        console.contains("id=\"acknowledgement-matrix\""),
        "{console}"
    );
    assert!(console.contains("avsvmcloud.com") && console.contains("NOTICE-mitigation"));
    assert!(console.contains("standing-late") && console.contains("standing-missed"));
    assert!(
        console.contains("exposure-not-affected") && !console.contains("exposure-affected"),
        "Britain sees its own exposure only"
    );
    assert!(!console.contains(&restricted_incident));
    let list = http
        .get(format!("{base}/console/supply-chain?lang=ar"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("إشعارات سلسلة الإمداد") && list.contains(&id.to_string()),
        "{list}"
    );
}

/// Every public page reachable from the dashboard, with its body (every link must answer 200).
async fn crawl_public_pages(base: &str) -> Vec<(String, String)> {
    let http = reqwest::Client::new();
    let mut seen = BTreeSet::new();
    let mut queue: VecDeque<String> = [
        "/dashboard".to_string(),
        "/dashboard/supply-chain".to_string(),
    ]
    .into();
    let mut pages = Vec::new();
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let response = http.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let body = response.text().await.unwrap();
        let mut rest = body.as_str();
        while let Some(start) = rest.find("href=\"/") {
            rest = &rest[start + 6..];
            let end = rest.find('"').unwrap();
            let link = rest[..end].replace("&amp;", "&");
            if (link.starts_with("/dashboard")
                || link.starts_with("/api/v1/public")
                || link.starts_with("/feed"))
                && !seen.contains(&link)
            {
                queue.push_back(link);
            }
            rest = &rest[end..];
        }
        pages.push((path, body));
        assert!(pages.len() < 3000, "the crawl does not end");
    }
    pages
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_amber_notice_is_on_no_public_route_and_a_clear_one_is_linked() {
    let start = redline_node::SystemClock.now();
    let clock = Arc::new(FixedClock::new(start));
    let node = support::start_with_clock(redline_http::HttpConfig::default(), clock.clone()).await;
    let base = node.base.as_str();
    let amber = Uuid::from_u128(0x5C_00A1);
    let clear = Uuid::from_u128(0x5C_00C1);
    for (id, tlp, marker, incidents) in [
        (
            amber,
            "amber",
            "AMBERNOTICEZQ",
            vec![node.restricted_ids[0].as_str()],
        ),
        (
            clear,
            "clear",
            "CLEARNOTICEZQ",
            vec![node.public_ids[0].as_str(), node.restricted_ids[0].as_str()],
        ),
    ] {
        let payload = notice_payload(id, tlp, marker, &incidents, start);
        let (status, _, text) = call(
            base,
            Some(&node.tokens["EE"]),
            Method::POST,
            "/api/v1/supply-chain-notices",
            Some(signed(NOTICE_PAYLOAD_TYPE, &payload, "EE")),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{text}");
    }
    let pages = crawl_public_pages(base).await;
    let reached: BTreeSet<&str> = pages.iter().map(|(path, _)| path.as_str()).collect();
    for path in [
        format!("/dashboard/supply-chain/{clear}"),
        format!("/api/v1/public/supply-chain-notices/{clear}"),
    ] {
        assert!(
            reached.contains(path.as_str()),
            "the crawl did not reach {path}: {reached:?}"
        );
    }
    let amber_id = amber.to_string();
    for (path, body) in &pages {
        for marker in [
            "AMBERNOTICEZQ",
            amber_id.as_str(),
            node.restricted_ids[0].as_str(),
        ] {
            assert!(!body.contains(marker), "{path} shows {marker}");
        }
    }
    for path in [
        format!("/dashboard/supply-chain/{amber}"),
        format!("/api/v1/public/supply-chain-notices/{amber}"),
    ] {
        let (status, _, _) = call(base, None, Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let clear_page = &pages
        .iter()
        .find(|(path, _)| *path == format!("/dashboard/supply-chain/{clear}"))
        .unwrap()
        .1;
    assert!(clear_page.contains("CLEARNOTICEZQ-mitigation"));
    // The public incident it links lists it; the amber notice is not listed anywhere public.
    let incident_page = &pages
        .iter()
        .find(|(path, _)| *path == format!("/dashboard/incidents/{}", node.public_ids[0]))
        .unwrap()
        .1;
    assert!(incident_page.contains(&format!("/dashboard/supply-chain/{clear}")));
    assert!(clear_page.contains(&format!("/dashboard/incidents/{}", node.public_ids[0])));
}
