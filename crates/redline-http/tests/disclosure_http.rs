#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Coordinated vulnerability disclosure over HTTP, on SQLite and on PostgreSQL (with
//! `REQUIRE_POSTGRES=1` a missing server fails the test): a coordinator opens a case with a
//! vendor party, an outside vendor and an anonymous reporter; the vendor reads it without the
//! reporter or contacts, a party outside it gets 404; contacts, acknowledgement, statuses,
//! embargo changes and the CVE are recorded as signed actions; a replay is refused; nothing of
//! the case is public before the embargo's end by the node's clock, and its advisory (CSAF) is
//! after; every record — every embargo change in particular — is in the transparency log as a
//! digest; once public, an incident naming the case is linked both ways on the public pages.
//! Missed vendor deadlines remind the vendor and escalate to the coordinator, once.

use std::sync::Arc;

use base64::Engine;
use ed25519_dalek::SigningKey;
use redline_disclosure::{ACTION_PAYLOAD_TYPE, CASE_PAYLOAD_TYPE};
use redline_hotline::sign_record;
use redline_model::{PartyId, PartyKind, Timestamp};
use redline_node::log::{LogConfig, LogEntry, LogEntryKind, NodeLog};
use redline_node::{Caller, FixedClock, NewParty, Node};
use redline_store::{SqlStore, SqlStoreOptions, Store};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

const ORIGIN: &str = "test.redline.example/log";

/// `(party, kind)`: the coordinator, two vendor parties, the reporter, a bystander.
const PARTIES: [(&str, PartyKind); 5] = [
    ("cert-eu", PartyKind::Cert),
    ("vendor-acme", PartyKind::Organisation),
    ("vendor-globex", PartyKind::Organisation),
    ("EE", PartyKind::State),
    ("GB", PartyKind::State),
];

fn key_of(party: &str) -> SigningKey {
    let index = PARTIES.iter().position(|(id, _)| *id == party).unwrap();
    SigningKey::from_bytes(&[index as u8 + 40; 32])
}

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

pub struct DisclosureNode {
    pub base: String,
    pub node: Arc<Node>,
    pub clock: Arc<FixedClock>,
    pub tokens: std::collections::BTreeMap<String, String>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
    _directory: tempfile::TempDir,
}

/// A node on `store` with a transparency log and a fixed clock at `now`, serving HTTP.
pub async fn start(store: Arc<dyn Store>, now: Timestamp) -> DisclosureNode {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let directory = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(now));
    let node = Node::new(store, clock.clone());
    node.attach_log(
        NodeLog::open(LogConfig::new(
            directory.path().join("log"),
            ORIGIN,
            [9; 32],
        ))
        .unwrap(),
    )
    .await
    .unwrap();
    node.load_norms().await.unwrap();
    let node = Arc::new(node);
    let mut tokens = std::collections::BTreeMap::new();
    for (id, kind) in PARTIES {
        let party = PartyId::parse(id).unwrap();
        node.add_party(
            &Caller::Operator,
            NewParty {
                id: party.clone(),
                kind,
                name: format!("Party {id}"),
                languages: vec!["en".into()],
                public_keys: vec![
                    base64::engine::general_purpose::STANDARD
                        .encode(key_of(id).verifying_key().as_bytes()),
                ],
            },
        )
        .await
        .unwrap();
        let token = node
            .issue_token(&Caller::Operator, &party, "test")
            .await
            .unwrap()
            .token;
        tokens.insert(id.to_string(), token);
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let config = redline_http::HttpConfig {
        public_url: Some("https://redline.example.org".into()),
        ..Default::default()
    };
    tokio::spawn(redline_http::run(
        listener,
        node.clone(),
        config,
        async move {
            let _ = stopped.await;
        },
    ));
    DisclosureNode {
        base,
        node,
        clock,
        tokens,
        _shutdown: shutdown,
        _directory: directory,
    }
}

impl DisclosureNode {
    pub async fn send(
        &self,
        party: Option<&str>,
        method: reqwest::Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> (StatusCode, Value, String) {
        let mut request = reqwest::Client::new().request(method, format!("{}{path}", self.base));
        if let Some(party) = party {
            request = request.bearer_auth(&self.tokens[party]);
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

    pub async fn get(&self, party: Option<&str>, path: &str) -> (StatusCode, Value, String) {
        self.send(party, reqwest::Method::GET, path, None).await
    }

    pub async fn post(
        &self,
        party: &str,
        path: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value, String) {
        self.send(Some(party), reqwest::Method::POST, path, Some(body))
            .await
    }
}

pub fn case_payload(id: Uuid, version: u32, signed_at: Timestamp) -> Value {
    json!({
        "v": 1,
        "id": id,
        "version": version,
        "title": "EMBARGOED-TITLE remote takeover of the Acme gateway",
        "description": "EMBARGOED-DESCRIPTION an unauthenticated request reaches the management API.",
        "coordinator": "cert-eu",
        "reporter": {"name": "ANONYMOUS-RESEARCHER", "anonymous_to_vendors": true},
        "vendors": [
            {"id": "acme", "name": "Acme Networks", "party": "vendor-acme", "products": [
                {"id": "gw-420", "name": "Gateway 4.2.0", "identifier": {"purl": "pkg:generic/acme/gateway@4.2.0"}},
                {"id": "gw-421", "name": "Gateway 4.2.1", "identifier": {"purl": "pkg:generic/acme/gateway@4.2.1"}}
            ]},
            {"id": "initech", "name": "Initech", "contact": "SECRET-CONTACT@initech.example", "products": [
                {"id": "tps", "name": "TPS Server", "identifier": {"cpe": "cpe:2.3:a:initech:tps_server:2.0:*:*:*:*:*:*:*"}}
            ]}
        ],
        "cvss_v4": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/SC:N/VI:H/SI:N/VA:H/SA:N",
        "cvss_v3": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "cwe": {"id": "CWE-306", "name": "Missing Authentication for Critical Function"},
        "reported_at": "2026-09-01T08:00:00Z",
        "embargo_end": "2026-11-30T08:00:00Z",
        "signed_at": signed_at,
    })
}

pub fn signed_case(payload: &Value) -> Vec<u8> {
    sign_record(
        CASE_PAYLOAD_TYPE,
        serde_json::to_vec(payload).unwrap(),
        &key_of(payload["coordinator"].as_str().unwrap()),
    )
}

pub fn signed_action(case: Uuid, author: &str, action: Value, signed_at: Timestamp) -> Vec<u8> {
    let payload = json!({"v": 1, "id": Uuid::new_v4(), "case": case, "author": author, "action": action, "signed_at": signed_at});
    sign_record(
        ACTION_PAYLOAD_TYPE,
        serde_json::to_vec(&payload).unwrap(),
        &key_of(author),
    )
}

/// The log entry the node writes for a signed record: a digest of the envelope as stored.
fn expected_entry(
    kind: LogEntryKind,
    party: &str,
    case: Uuid,
    time: Timestamp,
    signed: &[u8],
) -> Vec<u8> {
    let stored = redline_hotline::Envelope::parse(signed)
        .unwrap()
        .to_json_bytes();
    LogEntry::new(kind, Some(party.into()), case.to_string(), time, &stored)
        .to_bytes()
        .unwrap()
}

/// Whether `entry` is one of the logged leaves about `case`.
fn logged(node: &Node, case: Uuid, entry: &[u8]) -> bool {
    let log = node.log().unwrap();
    log.leaves_of_subject(&case.to_string())
        .into_iter()
        .any(|leaf| {
            let text = log.receipt(leaf).unwrap();
            redline_ledger::receipt::TlogProof::parse(text.as_bytes())
                .unwrap()
                .verify(entry, ORIGIN, &[log.verifier()], &[], 0)
                .is_ok()
        })
}

/// A console page as `party` sees it (signed in with its token): status and body.
async fn console_page(node: &DisclosureNode, party: &str, path: &str) -> (StatusCode, String) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let signed = http
        .post(format!("{}/console/sign-in", node.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={}", node.tokens[party]))
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
    let response = http
        .get(format!("{}{path}", node.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

/// The STIX `vulnerability` objects in the shared TAXII collection, as the operator reads them.
async fn shared_vulnerabilities(node: &DisclosureNode) -> Vec<Value> {
    let filter = redline_node::sharing::ObjectFilter {
        types: vec!["vulnerability".into()],
        ..Default::default()
    };
    node.node
        .query_objects(
            &Caller::Operator,
            redline_node::sharing::SHARED_COLLECTION_ID,
            &filter,
            false,
        )
        .await
        .unwrap()
        .objects
        .iter()
        .map(|object| serde_json::from_str(&object.record).unwrap())
        .collect()
}

async fn run_workflow(node: &DisclosureNode) {
    let parties: Vec<PartyId> = PARTIES
        .iter()
        .map(|(id, _)| PartyId::parse(id).unwrap())
        .collect();
    node.node
        .ensure_shared_collection(&Caller::Operator, &parties)
        .await
        .unwrap();
    let case = Uuid::from_u128(0xC0FFEE);
    let path = format!("/api/v1/disclosure/cases/{case}");
    let start = at("2026-09-01T09:00:00Z");
    let case_bytes = signed_case(&case_payload(case, 1, start));
    let (status, opened, text) = node
        .post("cert-eu", "/api/v1/disclosure/cases", case_bytes.clone())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    // Stored in canonical order, scored.
    assert_eq!(
        opened["cvss_v4"]["vector"],
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
    );
    assert_eq!(opened["cvss_v4"]["score"], 9.3);
    assert_eq!(
        opened["vendors"][0]["products"][0]["status"],
        "not-contacted"
    );
    assert_eq!(
        opened["vendors"][1]["contact"],
        "SECRET-CONTACT@initech.example"
    );
    assert_eq!(opened["reporter"]["name"], "ANONYMOUS-RESEARCHER");
    let mut logged_records = vec![expected_entry(
        LogEntryKind::DisclosureCase,
        "cert-eu",
        case,
        start,
        &case_bytes,
    )];

    // A replay of the same signed version is refused.
    let (status, _, _) = node
        .post("cert-eu", "/api/v1/disclosure/cases", case_bytes.clone())
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // The vendor reads it without the anonymous reporter and without contacts; a party outside
    // the case and an anonymous visitor learn nothing.
    let (status, as_vendor, text) = node.get(Some("vendor-acme"), &path).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(as_vendor["reporter"], Value::Null);
    assert!(
        !text.contains("ANONYMOUS-RESEARCHER") && !text.contains("SECRET-CONTACT"),
        "{text}"
    );
    let (status, _, text) = node.get(Some("GB"), &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{text}");
    assert!(!text.contains("EMBARGOED"));
    for public in [
        format!("/api/v1/public/advisories/{case}"),
        format!("/api/v1/public/advisories/{case}/csaf"),
    ] {
        let (status, _, text) = node.get(None, &public).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{public}: {text}");
    }
    let (_, listed, _) = node.get(None, "/api/v1/public/advisories").await;
    assert_eq!(listed["advisories"], json!([]));
    let (_, listed, _) = node.get(Some("GB"), "/api/v1/disclosure/cases").await;
    assert_eq!(listed["cases"], json!([]));
    let (_, listed, _) = node
        .get(Some("vendor-globex"), "/api/v1/disclosure/cases")
        .await;
    assert_eq!(listed["cases"], json!([]), "not a vendor of this case");

    // A vendor may not act for the coordinator.
    let day = |n: i64| start.plus_seconds(86_400 * n).unwrap();
    let (status, _, text) = node
        .post(
            "vendor-acme",
            &format!("{path}/actions"),
            signed_action(
                case,
                "vendor-acme",
                json!({"kind": "vendor-contacted", "vendor": "acme"}),
                start,
            ),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{text}");

    let steps: Vec<(&str, Value, LogEntryKind)> = vec![
        (
            "cert-eu",
            json!({"kind": "vendor-contacted", "vendor": "acme"}),
            LogEntryKind::DisclosureAction,
        ),
        (
            "cert-eu",
            json!({"kind": "vendor-contacted", "vendor": "initech"}),
            LogEntryKind::DisclosureAction,
        ),
        (
            "vendor-acme",
            json!({"kind": "vendor-acknowledged", "vendor": "acme"}),
            LogEntryKind::DisclosureAction,
        ),
        (
            "vendor-acme",
            json!({"kind": "product-status", "vendor": "acme", "product": "gw-420", "status": "affected", "statement": "Update to 4.2.1."}),
            LogEntryKind::DisclosureAction,
        ),
        (
            "vendor-acme",
            json!({"kind": "product-status", "vendor": "acme", "product": "gw-421", "status": "fixed"}),
            LogEntryKind::DisclosureAction,
        ),
        (
            "cert-eu",
            json!({"kind": "product-status", "vendor": "initech", "product": "tps", "status": "not-affected", "statement": "The management API is not shipped."}),
            LogEntryKind::DisclosureAction,
        ),
        (
            "cert-eu",
            json!({"kind": "embargo-changed", "embargo_end": "2026-12-15T12:00:00Z", "reason": "Acme needs two more weeks to ship."}),
            LogEntryKind::DisclosureEmbargo,
        ),
        (
            "cert-eu",
            json!({"kind": "embargo-changed", "embargo_end": "2026-12-10T12:00:00Z", "reason": "Acme shipped early."}),
            LogEntryKind::DisclosureEmbargo,
        ),
        (
            "cert-eu",
            json!({"kind": "cve-assigned", "cve": "CVE-2026-40001"}),
            LogEntryKind::DisclosureAction,
        ),
    ];
    let mut embargo_entries = Vec::new();
    for (index, (author, action, kind)) in steps.into_iter().enumerate() {
        let when = day(index as i64 + 1);
        node.clock.set(when);
        let bytes = signed_action(case, author, action.clone(), when);
        let (status, _, text) = node
            .post(author, &format!("{path}/actions"), bytes.clone())
            .await;
        assert_eq!(status, StatusCode::OK, "{action}: {text}");
        let entry = expected_entry(kind, author, case, when, &bytes);
        if kind == LogEntryKind::DisclosureEmbargo {
            embargo_entries.push(entry.clone());
        }
        logged_records.push(entry);
    }
    let (_, shown, text) = node.get(Some("cert-eu"), &path).await;
    assert_eq!(shown["embargo_end"], "2026-12-10T12:00:00Z", "{text}");
    assert_eq!(shown["embargo_changes"].as_array().unwrap().len(), 2);
    assert_eq!(shown["vendors"][0]["products"][0]["status"], "affected");
    assert_eq!(
        shown["vendors"][0]["products"][0]["answered_at"],
        "2026-09-05T09:00:00Z"
    );
    assert_eq!(
        shown["vendors"][0]["products"][0]["contacted_at"],
        "2026-09-02T09:00:00Z"
    );
    assert_eq!(shown["cve"], "CVE-2026-40001");
    assert_eq!(shown["records"].as_array().unwrap().len(), 10);

    // The console's vendor status matrix: the coordinator sees contacts and deadlines and the
    // embargo end as a <time> the script shows in local time; the vendor sees neither contact
    // nor anonymous reporter; a party outside the case finds nothing.
    let matrix_path = format!("/console/disclosure/{case}");
    let (status, page) = console_page(node, "cert-eu", &matrix_path).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("id=\"vendor-matrix\"") && page.contains("SECRET-CONTACT"),
        "{page}"
    );
    assert!(
        page.contains("<time id=\"embargo-end\" datetime=\"2026-12-10T12:00:00Z\">"),
        "{page}"
    );
    assert!(
        page.contains("Acknowledge by"),
        "the coordinator sees the deadlines"
    );
    let (status, page) = console_page(node, "vendor-acme", &matrix_path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("status-affected") && page.contains("status-not-affected"),
        "{page}"
    );
    assert!(
        !page.contains("SECRET-CONTACT") && !page.contains("ANONYMOUS-RESEARCHER"),
        "{page}"
    );
    let (status, page) = console_page(node, "GB", &matrix_path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!page.contains("EMBARGOED"));
    let (_, page) = console_page(node, "GB", "/console/disclosure").await;
    assert!(!page.contains(&case.to_string()));
    let (_, page) = console_page(node, "vendor-acme", "/console/disclosure").await;
    assert!(
        page.contains(&format!("/console/disclosure/{case}")),
        "{page}"
    );

    // Every record, each embargo change among them, is in the log as a digest.
    node.node.settle_log().await.unwrap();
    for entry in &logged_records {
        assert!(
            logged(&node.node, case, entry),
            "not logged: {}",
            String::from_utf8_lossy(entry)
        );
    }
    assert_eq!(embargo_entries.len(), 2);
    for entry in &embargo_entries {
        let text = String::from_utf8_lossy(entry);
        assert!(
            text.contains("\"kind\":\"disclosure-embargo\"")
                && !text.contains("EMBARGOED")
                && !text.contains("two more weeks"),
            "{text}"
        );
    }

    // Just before the embargo ends by the node's clock: still nothing public, nothing on TAXII.
    node.clock.set(at("2026-12-10T11:59:59Z"));
    node.node.fire_due_disclosure_deadlines().await.unwrap();
    assert!(shared_vulnerabilities(node).await.is_empty());
    for version in ["", "?version=2.0", "?version=2.1"] {
        let (status, _, _) = node
            .get(
                None,
                &format!("/api/v1/public/advisories/{case}/csaf{version}"),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{version}");
    }
    // After: the advisory is public, without the contact or the anonymous reporter, and the
    // scheduler shares the case's vulnerability over TAXII, once.
    node.clock.set(at("2026-12-10T12:00:00Z"));
    assert_eq!(
        node.node.next_deadline().await.unwrap(),
        Some(at("2026-12-10T12:00:00Z"))
    );
    node.clock.set(at("2026-12-10T12:00:01Z"));
    assert!(node.node.fire_due_disclosure_deadlines().await.unwrap() >= 1);
    node.node.fire_due_disclosure_deadlines().await.unwrap();
    let shared = shared_vulnerabilities(node).await;
    assert_eq!(shared.len(), 1, "{shared:?}");
    assert_eq!(shared[0]["name"], "CVE-2026-40001");
    assert!(
        !shared[0].to_string().contains("SECRET-CONTACT")
            && !shared[0].to_string().contains("ANONYMOUS-RESEARCHER")
    );
    let (status, csaf, text) = node
        .get(None, &format!("/api/v1/public/advisories/{case}/csaf"))
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(csaf["document"]["category"], "csaf_security_advisory");
    assert_eq!(
        csaf["document"]["publisher"]["namespace"],
        "https://redline.example.org"
    );
    assert_eq!(csaf["vulnerabilities"][0]["cve"], "CVE-2026-40001");
    assert_eq!(
        csaf["vulnerabilities"][0]["product_status"]["known_affected"],
        json!(["CSAFPID-0001"])
    );
    assert_eq!(
        csaf["vulnerabilities"][0]["product_status"]["fixed"],
        json!(["CSAFPID-0002"])
    );
    assert_eq!(
        csaf["vulnerabilities"][0]["product_status"]["known_not_affected"],
        json!(["CSAFPID-0003"])
    );
    assert!(
        !text.contains("ANONYMOUS-RESEARCHER") && !text.contains("SECRET-CONTACT"),
        "{text}"
    );
    assert_eq!(csaf["document"]["csaf_version"], "2.0");
    let (status, explicit, _) = node
        .get(
            None,
            &format!("/api/v1/public/advisories/{case}/csaf?version=2.0"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(explicit, csaf, "2.0 is the default");
    // The same advisory in CSAF 2.1 carries the CVSS 4.0 vector and its score natively.
    let (status, csaf_2_1, text) = node
        .get(
            None,
            &format!("/api/v1/public/advisories/{case}/csaf?version=2.1"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(csaf_2_1["document"]["csaf_version"], "2.1");
    assert_eq!(
        csaf_2_1["document"]["distribution"]["tlp"]["label"],
        "CLEAR"
    );
    assert_eq!(
        csaf_2_1["document"]["tracking"]["id"],
        csaf["document"]["tracking"]["id"]
    );
    let metric = &csaf_2_1["vulnerabilities"][0]["metrics"][0];
    assert_eq!(
        metric["content"]["cvss_v4"],
        json!({
            "version": "4.0",
            "vectorString": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            "baseScore": 9.3,
            "baseSeverity": "CRITICAL",
        })
    );
    assert_eq!(metric["content"]["cvss_v3"]["baseScore"], 9.8);
    assert_eq!(metric["products"], json!(["CSAFPID-0001"]));
    assert_eq!(csaf_2_1["vulnerabilities"][0]["cwes"][0]["id"], "CWE-306");
    assert_eq!(
        csaf_2_1["vulnerabilities"][0]["product_status"]["known_affected"],
        json!(["CSAFPID-0001"])
    );
    assert!(
        !text.contains("ANONYMOUS-RESEARCHER") && !text.contains("SECRET-CONTACT"),
        "{text}"
    );
    // A version redline does not write is refused by name, on both CSAF routes.
    for path in [
        format!("/api/v1/public/advisories/{case}/csaf?version=3"),
        format!("/api/v1/public/advisories/{case}/csaf?version="),
    ] {
        let (status, refused, text) = node.get(None, &path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {text}");
        assert_eq!(refused["error"]["path"], "version", "{text}");
        assert!(
            refused["error"]["message"]
                .as_str()
                .unwrap()
                .contains("2.0 (the default) or 2.1"),
            "{text}"
        );
    }
    let (status, refused, text) = node
        .get(Some("cert-eu"), &format!("{path}/csaf?version=2.2"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert_eq!(refused["error"]["path"], "version", "{text}");
    // The OpenAPI document names the parameter on both CSAF routes.
    let (status, openapi, _) = node.get(None, "/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    for csaf_path in [
        "/api/v1/disclosure/cases/{id}/csaf",
        "/api/v1/public/advisories/{id}/csaf",
    ] {
        let parameters = openapi["paths"][csaf_path]["get"]["parameters"]
            .as_array()
            .unwrap();
        assert!(
            parameters
                .iter()
                .any(|parameter| parameter["name"] == "version" && parameter["in"] == "query"),
            "{csaf_path}: {parameters:?}"
        );
        assert!(openapi["paths"][csaf_path]["get"]["responses"]["400"].is_object());
    }
    let (status, public, text) = node
        .get(None, &format!("/api/v1/public/advisories/{case}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(public["public"], true);
    assert!(
        !text.contains("ANONYMOUS-RESEARCHER") && !text.contains("SECRET-CONTACT"),
        "{text}"
    );
    let (_, listed, _) = node.get(None, "/api/v1/public/advisories").await;
    assert_eq!(listed["advisories"][0]["id"], case.to_string());
    // The coordinator, a CNA, takes the CVE record; a bad organisation id is refused by name.
    let cve_path =
        format!("{path}/cve?org_id=b3476cb9-2e3d-41a6-98d0-0f47421a65b6&short_name=CERT-EU");
    let (status, record, text) = node.get(Some("cert-eu"), &cve_path).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(record["cveMetadata"]["cveId"], "CVE-2026-40001");
    assert_eq!(
        record["containers"]["cna"]["affected"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert!(
        !text.contains("ANONYMOUS-RESEARCHER") && !text.contains("SECRET-CONTACT"),
        "{text}"
    );
    let (status, refused, _) = node
        .get(
            Some("cert-eu"),
            &format!("{path}/cve?org_id=00000000-0000-0000-0000-000000000001&short_name=CERT-EU"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused["error"]["path"], "org_id");
    // Now public, the case may be named by a public incident; the incident page links the
    // advisory and the advisory lists the incident, both ways on the public record.
    let report = json!({
        "title": "Gateway exploited at the ministry", "reported_by": "EE", "victim": "EE",
        "first_observed": "2026-12-01T00:00:00Z", "status": "confirmed", "tlp": "clear",
        "targets": [{"sector": "government-national", "country": "EE"}],
        "effects": [{"kind": "data-theft", "scale": "national"}],
        "exploited_vulnerabilities": [{"cve": "CVE-2026-40001", "case": case}],
    });
    let (status, incident, text) = node
        .post(
            "EE",
            "/api/v1/incidents",
            serde_json::to_vec(&report).unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let incident_id = incident["id"].as_str().unwrap().to_string();
    let (status, _, page) = node
        .get(None, &format!("/dashboard/incidents/{incident_id}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("CVE-2026-40001"), "{page}");
    assert!(
        page.contains(&format!("/dashboard/advisories/{case}")),
        "{page}"
    );
    let (status, _, page) = node
        .get(None, &format!("/dashboard/advisories/{case}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!("/dashboard/incidents/{incident_id}")),
        "{page}"
    );
    let (_, public, _) = node
        .get(None, &format!("/api/v1/public/advisories/{case}"))
        .await;
    assert_eq!(public["incidents"][0]["id"], incident_id.as_str());
    assert_eq!(public["policy"]["embargo_days"], 90);
    // The policy a coordinator's next case follows: the baseline's, stated in it.
    let (status, policy, text) = node.get(Some("cert-eu"), "/api/v1/disclosure/policy").await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(
        (
            &policy["acknowledge_days"],
            &policy["status_days"],
            &policy["embargo_days"],
            &policy["document_id"]
        ),
        (&json!(7), &json!(30), &json!(90), &json!("baseline"))
    );
    // A public case cannot be embargoed again.
    let (status, _, _) = node
        .post("cert-eu", &format!("{path}/actions"), signed_action(case, "cert-eu", json!({"kind": "embargo-changed", "embargo_end": "2027-01-10T12:00:00Z", "reason": "again"}), at("2026-12-10T12:00:00Z")))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_runs_its_workflow_over_http_on_sqlite() {
    let directory = tempfile::tempdir().unwrap();
    let store = SqlStore::open_sqlite_file(
        &directory.path().join("db.sqlite"),
        SqlStoreOptions::default(),
    )
    .await
    .unwrap();
    let node = start(Arc::new(store), at("2026-09-01T09:00:00Z")).await;
    run_workflow(&node).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_runs_its_workflow_over_http_on_postgresql() {
    let Some(url) = redline_store::testing::fresh_postgres_database("disclosure")
        .await
        .unwrap()
    else {
        println!("SKIPPED: set TEST_POSTGRES_URL to run the PostgreSQL half");
        return;
    };
    let store = SqlStore::open(&url, SqlStoreOptions::default())
        .await
        .unwrap();
    let node = start(Arc::new(store), at("2026-09-01T09:00:00Z")).await;
    run_workflow(&node).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missed_vendor_deadlines_remind_the_vendor_and_escalate_to_the_coordinator_once() {
    let directory = tempfile::tempdir().unwrap();
    let store = SqlStore::open_sqlite_file(
        &directory.path().join("db.sqlite"),
        SqlStoreOptions::default(),
    )
    .await
    .unwrap();
    let start_at = at("2026-09-01T09:00:00Z");
    let node = start(Arc::new(store), start_at).await;
    let case = Uuid::from_u128(0xDEAD);
    let path = format!("/api/v1/disclosure/cases/{case}");
    let (status, _, text) = node
        .post(
            "cert-eu",
            "/api/v1/disclosure/cases",
            signed_case(&case_payload(case, 1, start_at)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let (status, _, text) = node
        .post(
            "cert-eu",
            &format!("{path}/actions"),
            signed_action(
                case,
                "cert-eu",
                json!({"kind": "vendor-contacted", "vendor": "acme"}),
                start_at,
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(
        node.node.next_deadline().await.unwrap(),
        Some(at("2026-09-08T09:00:00Z"))
    );
    node.clock.set(at("2026-09-08T09:00:00Z"));
    assert_eq!(
        node.node.fire_due_disclosure_deadlines().await.unwrap(),
        0,
        "not before the deadline"
    );
    node.clock.set(at("2026-09-08T09:00:01Z"));
    assert_eq!(
        node.node.fire_due_disclosure_deadlines().await.unwrap(),
        1,
        "the acknowledgement deadline"
    );
    assert_eq!(
        node.node.fire_due_disclosure_deadlines().await.unwrap(),
        0,
        "once"
    );
    let kinds = |events: &Value| -> Vec<String> {
        events["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|event| event["kind"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, vendor_events, _) = node
        .get(Some("vendor-acme"), "/api/v1/events?after=0&limit=1000")
        .await;
    assert_eq!(
        kinds(&vendor_events)
            .iter()
            .filter(|kind| *kind == "disclosure-reminder")
            .count(),
        1,
        "{vendor_events}"
    );
    let (_, coordinator_events, _) = node
        .get(Some("cert-eu"), "/api/v1/events?after=0&limit=1000")
        .await;
    assert_eq!(
        kinds(&coordinator_events)
            .iter()
            .filter(|kind| *kind == "disclosure-escalation")
            .count(),
        1,
        "{coordinator_events}"
    );
    // The status deadline (30 days) fires next; an answer meets it.
    assert_eq!(
        node.node.next_deadline().await.unwrap(),
        Some(at("2026-10-01T09:00:00Z"))
    );
    node.clock.set(at("2026-09-20T09:00:00Z"));
    for (product, status) in [("gw-420", "affected"), ("gw-421", "fixed")] {
        let (code, _, text) = node
            .post("vendor-acme", &format!("{path}/actions"), signed_action(case, "vendor-acme", json!({"kind": "product-status", "vendor": "acme", "product": product, "status": status}), at("2026-09-20T09:00:00Z")))
            .await;
        assert_eq!(code, StatusCode::OK, "{text}");
    }
    // What remains is the embargo's end, when the case is shared.
    assert_eq!(
        node.node.next_deadline().await.unwrap(),
        Some(at("2026-11-30T08:00:00Z"))
    );
    node.clock.set(at("2026-10-02T09:00:00Z"));
    assert_eq!(
        node.node.fire_due_disclosure_deadlines().await.unwrap(),
        0,
        "met"
    );
}
