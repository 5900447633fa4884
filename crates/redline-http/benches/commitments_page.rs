#![allow(clippy::unwrap_used)]
//! Server time of the commitments comparison page for 50 parties and the 11 norms of the 2015
//! GGE report. Every party adopts the baseline with a signed adoption and files a `TLP:CLEAR`
//! implementation report answering all 11 norms and the eight survey items; every fourth party
//! also files an `amber` report with a public summary; five peer-review rounds (ten reviewed
//! parties and five reviewers each) are run to their published summaries. All records are real
//! DSSE envelopes through the node's use cases on SQLite in a temporary directory. Then
//! `/dashboard/commitments` (and its JSON export and one party's page) are requested
//! `COMMITMENTS_BENCH_REQUESTS` times (default 100) over HTTP on 127.0.0.1, one at a time, and
//! the median and 95th percentile of the full request time are printed.
//!
//! cargo bench -p redline-http --bench commitments_page

use std::{sync::Arc, time::Instant};

use base64::Engine;
use ed25519_dalek::SigningKey;
use redline_hotline::sign_record;
use redline_http::HttpConfig;
use redline_model::commitments::{
    ADOPTION_PAYLOAD_TYPE, IMPLEMENTATION_REPORT_PAYLOAD_TYPE, PEER_REVIEW_PAYLOAD_TYPE,
    REVIEW_ROUND_CLOSING_PAYLOAD_TYPE, REVIEW_ROUND_OPENING_PAYLOAD_TYPE,
};
use redline_model::implementation_survey::{GgeNorm, SurveyItem};
use redline_model::{PartyId, PartyKind};
use redline_node::{Caller, NewParty, Node, SystemClock};
use redline_store::{SqlStore, SqlStoreOptions, Store};
use serde_json::{Value, json};

const PARTIES: [&str; 50] = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "NO", "IS", "CH", "GB", "US",
    "CA", "AU", "NZ", "JP", "KR", "SG", "IN", "BR", "MX", "CL", "ZA", "KE", "NG", "GH", "EG", "MA",
    "UA", "GE",
];
const LEVELS: [&str; 5] = [
    "implemented",
    "partly-implemented",
    "planned",
    "not-implemented",
    "not-applicable",
];

fn key_of(index: usize) -> SigningKey {
    SigningKey::from_bytes(&[index as u8 + 1; 32])
}

fn environment_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn signed(payload_type: &str, index: usize, payload: &Value) -> Vec<u8> {
    sign_record(
        payload_type,
        serde_json::to_vec(payload).unwrap(),
        &key_of(index),
    )
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let requests = environment_number("COMMITMENTS_BENCH_REQUESTS", 100);
    let directory = tempfile::tempdir().unwrap();
    let store = SqlStore::open_sqlite_file(
        &directory.path().join("db.sqlite"),
        SqlStoreOptions::default(),
    )
    .await
    .unwrap();
    let store: Arc<dyn Store> = Arc::new(store);
    let node = Arc::new(Node::new(store, Arc::new(SystemClock)));
    node.load_norms().await.unwrap();
    let baseline = node.list_norms_documents().await.unwrap()[0].sha256.clone();
    let started = Instant::now();
    for (index, id) in PARTIES.into_iter().enumerate() {
        node.add_party(
            &Caller::Operator,
            NewParty {
                id: PartyId::parse(id).unwrap(),
                kind: PartyKind::State,
                name: format!("State {id}"),
                languages: vec!["en".into()],
                public_keys: vec![
                    base64::engine::general_purpose::STANDARD
                        .encode(key_of(index).verifying_key().as_bytes()),
                ],
            },
        )
        .await
        .unwrap();
        let caller = Caller::Party(PartyId::parse(id).unwrap());
        node.record_adoption_statement(
            &caller,
            &signed(ADOPTION_PAYLOAD_TYPE, index, &json!({
                "v": 1, "party": id, "document": baseline, "action": "adopt", "signed_at": node.now()
            })),
        )
        .await
        .unwrap();
        let norms: Vec<Value> = GgeNorm::ALL
            .iter()
            .enumerate()
            .map(|(number, norm)| {
                json!({
                    "norm": norm, "level": LEVELS[(index + number) % LEVELS.len()],
                    "measures": format!("Measures of {id} for norm {norm}."),
                    "evidence": [format!("https://example.org/{id}/{number}")]
                })
            })
            .collect();
        let survey: Vec<Value> = SurveyItem::ALL
            .iter()
            .map(|item| json!({"item": item, "level": "implemented", "measures": "In law."}))
            .collect();
        for (tlp, version_id) in [
            ("clear", index as u128 + 1),
            ("amber", index as u128 + 1001),
        ] {
            if tlp == "amber" && index % 4 != 0 {
                continue;
            }
            let mut report = json!({
                "v": 1, "id": uuid::Uuid::from_u128(version_id), "version": 1, "party": id,
                "period": "2025-2026", "norms": norms, "survey": survey, "tlp": tlp,
                "signed_at": node.now()
            });
            if tlp == "amber" {
                report["public_summary"] = json!({"text": format!("{id} reports yearly."), "norms": [{"norm": "13(a)", "level": "implemented"}]});
            }
            node.file_implementation_report(
                &caller,
                &signed(IMPLEMENTATION_REPORT_PAYLOAD_TYPE, index, &report),
            )
            .await
            .unwrap();
        }
    }
    let secretariat = 0;
    let secretariat_caller = Caller::Party(PartyId::parse(PARTIES[secretariat]).unwrap());
    for round_number in 0..5usize {
        let round = uuid::Uuid::from_u128(5000 + round_number as u128);
        let reviewed: Vec<&str> = (0..10)
            .map(|offset| PARTIES[1 + round_number * 5 + offset])
            .collect();
        let reviewers: Vec<usize> = (0..5)
            .map(|offset| 40 + (round_number + offset) % 10)
            .collect();
        let reviewer_ids: Vec<&str> = reviewers.iter().map(|index| PARTIES[*index]).collect();
        node.open_review_round(
            &secretariat_caller,
            &signed(
                REVIEW_ROUND_OPENING_PAYLOAD_TYPE,
                secretariat,
                &json!({
                    "v": 1, "round": round, "secretariat": PARTIES[secretariat],
                    "title": format!("Round {round_number}"), "reviewed": reviewed,
                    "reviewers": reviewer_ids, "norms": ["13(f)", "13(g)", "13(h)"],
                    "deadline": node.now().plus_seconds(86_400).unwrap(), "signed_at": node.now()
                }),
            ),
        )
        .await
        .unwrap();
        for reviewer in &reviewers {
            for party in &reviewed {
                node.submit_peer_review(
                    &Caller::Party(PartyId::parse(PARTIES[*reviewer]).unwrap()),
                    &signed(PEER_REVIEW_PAYLOAD_TYPE, *reviewer, &json!({
                        "v": 1, "round": round, "reviewer": PARTIES[*reviewer], "reviewed": party,
                        "ratings": [{"norm": "13(f)", "rating": "meets", "comment": "ok"}],
                        "signed_at": node.now()
                    })),
                )
                .await
                .unwrap();
            }
        }
        node.close_review_round(
            &secretariat_caller,
            &signed(
                REVIEW_ROUND_CLOSING_PAYLOAD_TYPE,
                secretariat,
                &json!({
                    "v": 1, "round": round, "secretariat": PARTIES[secretariat],
                    "summary": "Closed.", "signed_at": node.now()
                }),
            ),
        )
        .await
        .unwrap();
    }
    eprintln!(
        "seeded 50 parties, {} reports and 5 rounds in {:.1} s",
        50 + 13,
        started.elapsed().as_secs_f64()
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (_shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let config = HttpConfig {
        rate_limit_per_second: 0,
        ..HttpConfig::default()
    };
    tokio::spawn(redline_http::run(
        listener,
        node.clone(),
        config,
        async move {
            let _ = stopped.await;
        },
    ));
    let http = reqwest::Client::new();
    println!("| page | median ms | p95 ms | bytes |");
    println!("| --- | ---: | ---: | ---: |");
    for page in [
        "/dashboard/commitments",
        "/dashboard/commitments?lang=ar",
        "/api/v1/public/commitments",
        "/dashboard/commitments/EE",
    ] {
        let mut times = Vec::with_capacity(requests);
        let mut bytes = 0;
        for _ in 0..requests.max(1) {
            let started = Instant::now();
            let response = http.get(format!("{base}{page}")).send().await.unwrap();
            assert!(
                response.status().is_success(),
                "{page}: {}",
                response.status()
            );
            bytes = response.bytes().await.unwrap().len();
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let median = times[times.len() / 2];
        let p95 = times[(times.len() * 95 / 100).min(times.len() - 1)];
        println!("| `{page}` | {median:.1} | {p95:.1} | {bytes} |");
    }
}
