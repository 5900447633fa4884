#![allow(clippy::unwrap_used)]
//! Server time of a disclosure case's pages at scale: one case with 200 vendors
//! (`DISCLOSURE_BENCH_VENDORS`) of two products each, half of them parties of the node, filed
//! with real signed envelopes through the node's use cases on SQLite in a temporary directory,
//! then every vendor contacted and most products answered (affected, fixed, not affected), a
//! tenth marked unresponsive, and two embargo changes: about 600 signed records, each replayed
//! on every read. Then the console's vendor status matrix (signed in as the coordinator), the
//! case over the API and, with the node's clock after the embargo, the public advisory page and
//! its CSAF document (2.0 and 2.1) are requested `DISCLOSURE_BENCH_REQUESTS` times (default 50) over HTTP on
//! 127.0.0.1, one at a time; the median and 95th percentile of the full request time are
//! printed per page.
//!
//! cargo bench -p redline-http --bench disclosure_pages

use std::{sync::Arc, time::Instant};

use base64::Engine;
use redline_disclosure::{ACTION_PAYLOAD_TYPE, CASE_PAYLOAD_TYPE};
use redline_hotline::sign_record;
use redline_http::HttpConfig;
use redline_model::{PartyId, PartyKind, Timestamp};
use redline_node::{Caller, FixedClock, NewParty, Node};
use redline_store::{SqlStore, SqlStoreOptions};
use serde_json::{Value, json};
use uuid::Uuid;

fn key_of(index: usize) -> ed25519_dalek::SigningKey {
    let mut seed = [7u8; 32];
    seed[..8].copy_from_slice(&(index as u64).to_le_bytes());
    ed25519_dalek::SigningKey::from_bytes(&seed)
}

fn environment_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

async fn add_party(
    node: &Node,
    id: &str,
    kind: PartyKind,
    key: &ed25519_dalek::SigningKey,
) -> String {
    let party = PartyId::parse(id).unwrap();
    node.add_party(
        &Caller::Operator,
        NewParty {
            id: party.clone(),
            kind,
            name: format!("Party {id}"),
            languages: vec!["en".into()],
            public_keys: vec![
                base64::engine::general_purpose::STANDARD.encode(key.verifying_key().as_bytes()),
            ],
        },
    )
    .await
    .unwrap();
    node.issue_token(&Caller::Operator, &party, "bench")
        .await
        .unwrap()
        .token
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let vendors = environment_number("DISCLOSURE_BENCH_VENDORS", 200);
    let requests = environment_number("DISCLOSURE_BENCH_REQUESTS", 50);
    let directory = tempfile::tempdir().unwrap();
    let store = SqlStore::open_sqlite_file(
        &directory.path().join("db.sqlite"),
        SqlStoreOptions::default(),
    )
    .await
    .unwrap();
    let start = Timestamp::parse("2026-09-01T09:00:00Z").unwrap();
    let clock = Arc::new(FixedClock::new(start));
    let node = Arc::new(Node::new(Arc::new(store), clock.clone()));
    node.load_norms().await.unwrap();
    let seeding = Instant::now();
    let coordinator_key = key_of(0);
    let token = add_party(&node, "cert-eu", PartyKind::Cert, &coordinator_key).await;
    let mut vendor_json = Vec::new();
    for index in 0..vendors {
        let id = format!("vendor-{index:03}");
        let mut vendor = json!({
            "id": id,
            "name": format!("Vendor {index:03} Networks"),
            "products": [
                {"id": "gw", "name": "Gateway 4.2", "identifier": {"purl": format!("pkg:generic/{id}/gateway@4.2.0")}},
                {"id": "fw", "name": "Firmware 7", "identifier": {"cpe": format!("cpe:2.3:o:{}:firmware:7.0:*:*:*:*:*:*:*", id.replace('-', "_"))}}
            ],
        });
        if index % 2 == 0 {
            add_party(&node, &id, PartyKind::Organisation, &key_of(index + 1)).await;
            vendor["party"] = json!(id);
        } else {
            vendor["contact"] = json!(format!("security@{id}.example"));
        }
        vendor_json.push(vendor);
    }
    let case = Uuid::from_u128(0xBE7C);
    let payload = json!({
        "v": 1, "id": case, "version": 1,
        "title": "Authentication bypass in a shared TLS library",
        "description": "A crafted handshake skips client certificate checks.",
        "coordinator": "cert-eu",
        "reporter": {"name": "Example Research Lab", "anonymous_to_vendors": false},
        "vendors": vendor_json,
        "cvss_v4": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        "cvss_v3": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "cwe": {"id": "CWE-287", "name": "Improper Authentication"},
        "reported_at": "2026-09-01T08:00:00Z",
        "embargo_end": "2026-11-30T08:00:00Z",
        "signed_at": start,
    });
    node.file_disclosure_case(
        &Caller::Operator,
        &sign_record(
            CASE_PAYLOAD_TYPE,
            serde_json::to_vec(&payload).unwrap(),
            &coordinator_key,
        ),
    )
    .await
    .unwrap();
    let act = |body: Value| {
        let payload = json!({"v": 1, "id": Uuid::new_v4(), "case": case, "author": "cert-eu", "action": body, "signed_at": start});
        sign_record(
            ACTION_PAYLOAD_TYPE,
            serde_json::to_vec(&payload).unwrap(),
            &coordinator_key,
        )
    };
    let mut records = 1;
    for index in 0..vendors {
        let vendor = format!("vendor-{index:03}");
        let mut actions = vec![json!({"kind": "vendor-contacted", "vendor": vendor})];
        match index % 10 {
            9 => actions.push(json!({"kind": "vendor-unresponsive", "vendor": vendor})),
            8 => actions.push(json!({"kind": "product-status", "vendor": vendor, "product": "gw", "status": "affected"})),
            _ => {
                actions.push(json!({"kind": "product-status", "vendor": vendor, "product": "gw", "status": "fixed", "statement": "Update to 4.2.1."}));
                actions.push(json!({"kind": "product-status", "vendor": vendor, "product": "fw", "status": "not-affected"}));
            }
        }
        for body in actions {
            node.record_disclosure_action(&Caller::Operator, case, &act(body))
                .await
                .unwrap();
            records += 1;
        }
    }
    for end in ["2026-12-15T08:00:00Z", "2026-12-10T08:00:00Z"] {
        node.record_disclosure_action(&Caller::Operator, case, &act(json!({"kind": "embargo-changed", "embargo_end": end, "reason": "vendors asked for time"})))
            .await
            .unwrap();
        records += 1;
    }
    println!(
        "seeded one case: {vendors} vendors, {} products, {records} signed records in {:.1} s",
        vendors * 2,
        seeding.elapsed().as_secs_f64()
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (_stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(redline_http::run(
        listener,
        node.clone(),
        HttpConfig::default(),
        async move {
            let _ = stopped.await;
        },
    ));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let signed = http
        .post(format!("{base}/console/sign-in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={token}"))
        .send()
        .await
        .unwrap();
    let cookie = signed
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("redline_session="))
        .and_then(|value| value.split(';').next())
        .unwrap()
        .to_string();
    println!("| page | median ms | p95 ms | first request ms | bytes |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    let pages: Vec<(String, Option<Timestamp>)> = vec![
        (format!("/console/disclosure/{case}"), None),
        (format!("/api/v1/disclosure/cases/{case}"), None),
        (
            format!("/dashboard/advisories/{case}"),
            Some(Timestamp::parse("2026-12-11T00:00:00Z").unwrap()),
        ),
        (
            format!("/api/v1/public/advisories/{case}/csaf"),
            Some(Timestamp::parse("2026-12-11T00:00:00Z").unwrap()),
        ),
        (
            format!("/api/v1/public/advisories/{case}/csaf?version=2.1"),
            Some(Timestamp::parse("2026-12-11T00:00:00Z").unwrap()),
        ),
    ];
    for (page, clock_at) in pages {
        if let Some(at) = clock_at {
            clock.set(at);
        }
        let mut times = Vec::with_capacity(requests);
        let mut first = 0.0;
        let mut bytes = 0;
        for attempt in 0..requests.max(1) {
            let started = Instant::now();
            let response = http
                .get(format!("{base}{page}"))
                .header("cookie", &cookie)
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert!(
                response.status().is_success(),
                "{page}: {}",
                response.status()
            );
            bytes = response.bytes().await.unwrap().len();
            let elapsed = started.elapsed().as_secs_f64() * 1000.0;
            if attempt == 0 {
                first = elapsed;
            }
            times.push(elapsed);
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let median = times[times.len() / 2];
        let p95 = times[(times.len() * 95 / 100).min(times.len() - 1)];
        println!("| `{page}` | {median:.1} | {p95:.1} | {first:.1} | {bytes} |");
    }
}
