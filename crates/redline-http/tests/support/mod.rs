//! A dashboard test node: a real SQLite database and a real HTTP server on a loopback port,
//! seeded with the eight documented demo incidents (TLP:CLEAR), restricted (`amber`, `red`)
//! incidents whose text must never reach a public page, and a second version of the baseline
//! norms document so the difference between versions can be shown; every party has an Ed25519
//! key, and amber and red hotline threads carry marker strings that must never reach a public
//! page either (one notification to UA is left unacknowledged for the console tests).
#![allow(dead_code)]

pub mod interop;
pub mod kit;

use std::{collections::BTreeMap, path::Path, sync::Arc};

use base64::Engine;
use ed25519_dalek::SigningKey;
use redline_hotline::message::{
    AcknowledgementBody, ClarificationRequestBody, NotificationBody, ResponseBody,
};
use redline_hotline::{HotlineMessage, MessageBody, sign_message};
use redline_http::HttpConfig;
use redline_model::{IncidentId, PartyId, Tlp};
use redline_node::{Caller, Node};
use serde_json::{Value, json};

pub struct DashboardNode {
    pub base: String,
    pub node: Arc<Node>,
    pub tokens: BTreeMap<String, String>,
    /// Strings that appear only in restricted incidents.
    pub secrets: Vec<String>,
    /// Ids of the restricted incidents.
    pub restricted_ids: Vec<String>,
    pub public_ids: Vec<String>,
    /// The notification EE sent UA that UA has not acknowledged yet.
    pub pending_thread: String,
    _shutdown: tokio::sync::oneshot::Sender<()>,
    _directory: tempfile::TempDir,
}

pub const PARTIES: [&str; 7] = ["EE", "IR", "UA", "GB", "US", "RU", "KP"];

/// The party's test signing key (a fixed seed per party).
pub fn key_of(id: &str) -> SigningKey {
    let index = PARTIES.iter().position(|party| *party == id).unwrap();
    SigningKey::from_bytes(&[index as u8 + 7; 32])
}

/// The party's key as `redline keygen` writes it (PKCS#8 PEM).
pub fn pem_of(id: &str) -> String {
    use ed25519_dalek::pkcs8::{EncodePrivateKey, spki::der::pem::LineEnding};
    key_of(id).to_pkcs8_pem(LineEnding::LF).unwrap().to_string()
}

/// Signs and sends a message; returns its id.
pub async fn send(
    node: &Node,
    from: &str,
    to: &[&str],
    thread: uuid::Uuid,
    incident: Option<&str>,
    tlp: Tlp,
    body: MessageBody,
) -> uuid::Uuid {
    let message = HotlineMessage {
        id: uuid::Uuid::new_v4(),
        thread,
        from: PartyId::parse(from).unwrap(),
        to: to.iter().map(|id| PartyId::parse(id).unwrap()).collect(),
        sent_at: node.now(),
        incident: incident.map(|id| IncidentId::parse(id).unwrap()),
        tlp,
        lang: "en".into(),
        exercise: false,
        body,
    };
    let bytes = sign_message(&message, &key_of(from));
    node.accept_message(&Caller::Party(message.from.clone()), &bytes)
        .await
        .unwrap();
    message.id
}

fn notification(summary: String) -> MessageBody {
    MessageBody::Notification(NotificationBody {
        summary,
        severity_level: Some(3),
        requested_actions: vec![],
    })
}

/// Amber and red threads about restricted incidents, with marker strings in every free-text
/// field; their ids are secrets too. Returns the pending thread's id.
async fn seed_hotline(node: &Node, restricted_ids: &[String], secrets: &mut Vec<String>) -> String {
    let amber = uuid::Uuid::new_v4();
    let notice = send(
        node,
        "UA",
        &["EE"],
        amber,
        Some(&restricted_ids[0]),
        Tlp::Amber,
        notification("Amber notification SECRETMSG0ZQX".into()),
    )
    .await;
    send(
        node,
        "EE",
        &["UA"],
        amber,
        None,
        Tlp::Amber,
        MessageBody::Acknowledgement(AcknowledgementBody { of: notice }),
    )
    .await;
    let red = uuid::Uuid::new_v4();
    send(
        node,
        "UA",
        &["EE"],
        red,
        Some(&restricted_ids[2]),
        Tlp::Red,
        notification("Red notification SECRETMSG1ZQX".into()),
    )
    .await;
    let question = send(
        node,
        "EE",
        &["UA"],
        red,
        None,
        Tlp::Red,
        MessageBody::ClarificationRequest(ClarificationRequestBody {
            questions: vec!["Which hospitals SECRETMSG2ZQX?".into()],
        }),
    )
    .await;
    send(
        node,
        "UA",
        &["EE"],
        red,
        None,
        Tlp::Red,
        MessageBody::Response(ResponseBody {
            to: question,
            text: "Three in the east SECRETMSG3ZQX".into(),
        }),
    )
    .await;
    let pending = uuid::Uuid::new_v4();
    send(
        node,
        "EE",
        &["UA"],
        pending,
        None,
        Tlp::Amber,
        notification("Pending notification SECRETMSG4ZQX".into()),
    )
    .await;
    for index in 0..5 {
        secrets.push(format!("SECRETMSG{index}ZQX"));
    }
    secrets.extend([amber.to_string(), red.to_string(), pending.to_string()]);
    pending.to_string()
}

fn restricted_report(reporter: &str, tlp: &str, marker: &str, shared_with: &[&str]) -> Value {
    json!({
        "title": format!("Restricted {tlp} incident {marker}"),
        "description": format!("Only readers may see {marker}-description."),
        "reported_by": reporter,
        "victim": reporter,
        "first_observed": "2026-03-01T08:00:00Z",
        "status": "confirmed",
        "tlp": tlp,
        "targets": [{ "sector": "healthcare", "country": reporter, "essential_service": true, "people_affected": 12000 }],
        "effects": [{ "kind": "destruction", "duration_hours": 300, "reversible": false, "scale": "national" }],
        "suspected_origin": { "state": "RU", "confidence": "very-likely", "basis": ["technical"] },
        "shared_with": shared_with,
        "references": [{ "source_name": format!("{marker}-reference"), "url": format!("https://example.invalid/{marker}") }]
    })
}

pub async fn start() -> DashboardNode {
    start_with(HttpConfig::default()).await
}

/// The same seeded node, served with `config` (small timeouts or limits, say).
pub async fn start_with(config: HttpConfig) -> DashboardNode {
    start_with_clock(config, Arc::new(redline_node::SystemClock)).await
}

/// The same seeded node reading the time from `clock` (a `FixedClock` a test moves).
pub async fn start_with_clock(
    config: HttpConfig,
    clock: Arc<dyn redline_node::Clock>,
) -> DashboardNode {
    let directory = tempfile::tempdir().unwrap();
    let node = kit::sqlite_node_with_clock(directory.path(), clock).await;
    let mut tokens = BTreeMap::new();
    for id in PARTIES {
        let key =
            base64::engine::general_purpose::STANDARD.encode(key_of(id).verifying_key().as_bytes());
        tokens.insert(id.to_string(), kit::add_state(&node, id, vec![key]).await);
    }
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/incidents");
    let mut files: Vec<_> = std::fs::read_dir(&demo)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    let mut public_ids = Vec::new();
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let incident = node
            .submit_incident_json(&Caller::Operator, &bytes)
            .await
            .unwrap();
        public_ids.push(incident.id.to_string());
    }
    let mut secrets = Vec::new();
    let mut restricted_ids = Vec::new();
    for (index, tlp) in ["amber", "amber+strict", "red", "green"].iter().enumerate() {
        let marker = format!("SECRET{index}ZQX");
        let report = restricted_report("UA", tlp, &marker, &["EE"]);
        let incident = node
            .submit_incident_json(&Caller::Operator, report.to_string().as_bytes())
            .await
            .unwrap();
        secrets.push(marker);
        restricted_ids.push(incident.id.to_string());
    }
    let pending_thread = seed_hotline(&node, &restricted_ids, &mut secrets).await;
    // A second version of the baseline, adopted by Ukraine, so versions can be compared.
    let second =
        redline_norms::baseline().replacen("version = \"2.0.0\"", "version = \"2.1.0\"", 1);
    let second = format!("{second}\n# 2.1.0: a comment added to show the difference.\n");
    let added = node
        .add_norms_document(&Caller::Operator, &second, "norms/baseline-1.1.toml")
        .await
        .unwrap();
    node.adopt_norms_document(
        &Caller::Operator,
        &added.sha256,
        &[PartyId::parse("UA").unwrap()],
    )
    .await
    .unwrap();

    let (base, shutdown) = kit::serve(node.clone(), config).await;
    DashboardNode {
        base,
        node,
        tokens,
        secrets,
        restricted_ids,
        public_ids,
        pending_thread,
        _shutdown: shutdown,
        _directory: directory,
    }
}

impl DashboardNode {
    /// GET `path` as `party` (its bearer token), or anonymously: the status and the JSON body
    /// (`null` when the body is not JSON).
    pub async fn get_json(&self, party: Option<&str>, path: &str) -> (reqwest::StatusCode, Value) {
        let mut request = reqwest::Client::new().get(format!("{}{path}", self.base));
        if let Some(party) = party {
            request = request.bearer_auth(&self.tokens[party]);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Signs `message` with its sender's key and posts it to the hotline as the sender: the
    /// status and the answer.
    pub async fn post_message(&self, message: &HotlineMessage) -> (reqwest::StatusCode, Value) {
        let body = sign_message(message, &key_of(message.from.as_str()));
        self.post_json(message.from.as_str(), "/api/v1/messages", body)
            .await
    }

    /// POST `body` (JSON, such as a signed envelope) to `path` as `party`: the status and the
    /// JSON body (`null` when the body is not JSON).
    pub async fn post_json(
        &self,
        party: &str,
        path: &str,
        body: Vec<u8>,
    ) -> (reqwest::StatusCode, Value) {
        let response = reqwest::Client::new()
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.tokens[party])
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

/// `application/x-www-form-urlencoded` text of `pairs`, as a browser sends a form.
pub fn form_body<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    let encode = |text: &str| {
        text.bytes()
            .map(|byte| match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (byte as char).to_string()
                }
                b' ' => "+".to_string(),
                other => format!("%{other:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(key, value)| format!("{}={}", encode(key.as_ref()), encode(value.as_ref())))
        .collect::<Vec<_>>()
        .join("&")
}

/// The `redline_session=…` pair an answer sets, if it sets one.
pub fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("redline_session="))
        .and_then(|value| value.split(';').next())
        .map(str::to_string)
}

/// A party's console session over plain HTTP, as a browser holds it: a client that does not
/// follow redirects, and the session cookie.
pub struct ConsoleSession {
    pub http: reqwest::Client,
    pub base: String,
    pub cookie: String,
}

impl ConsoleSession {
    /// Posts `party`'s token to the sign-in form: the answer's status and the session cookie
    /// it set, if any.
    pub async fn try_sign_in(
        node: &DashboardNode,
        party: &str,
    ) -> (reqwest::StatusCode, Option<String>) {
        ConsoleSession::try_sign_in_at(&node.base, &node.tokens[party]).await
    }

    /// The same against the node at `base`, with `token`.
    pub async fn try_sign_in_at(base: &str, token: &str) -> (reqwest::StatusCode, Option<String>) {
        let response = ConsoleSession::client()
            .post(format!("{base}/console/sign-in"))
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(form_body(&[("token", token)]))
            .send()
            .await
            .unwrap();
        (response.status(), session_cookie(&response))
    }

    /// Signs in as `party`, which must succeed (303 to the console, with a cookie).
    pub async fn sign_in(node: &DashboardNode, party: &str) -> ConsoleSession {
        ConsoleSession::sign_in_at(&node.base, &node.tokens[party]).await
    }

    /// The same against the node at `base`, with `token`.
    pub async fn sign_in_at(base: &str, token: &str) -> ConsoleSession {
        let (status, cookie) = ConsoleSession::try_sign_in_at(base, token).await;
        assert_eq!(
            status,
            reqwest::StatusCode::SEE_OTHER,
            "signing in at {base}"
        );
        ConsoleSession {
            http: ConsoleSession::client(),
            base: base.to_string(),
            cookie: cookie.unwrap_or_else(|| panic!("no session cookie from {base}")),
        }
    }

    fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }
}
