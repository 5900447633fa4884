#![allow(clippy::unwrap_used)]
//! The hotline over real HTTP on a loopback port, with real Ed25519 signatures and a real
//! SQLite store: three parties from notification to closure, each step seen live on the
//! recipient's server-sent-event stream; a reconnecting stream that resumes with
//! `Last-Event-ID` and sees every later event exactly once; every refusal answering the right
//! status with a code and storing nothing; and the hotline in the OpenAPI document.

use std::{collections::BTreeMap, time::Duration};

use base64::Engine;
use ed25519_dalek::SigningKey;
use redline_hotline::message::{
    AcknowledgementBody, ClarificationRequestBody, ClosureBody, NotificationBody, ResponseBody,
};
use redline_hotline::{HotlineMessage, MessageBody, sign_message};
use redline_http::HttpConfig;
use redline_model::{PartyId, Timestamp, Tlp};
use serde_json::Value;
use uuid::Uuid;

mod support;

const PARTIES: [&str; 3] = ["EE", "UA", "GB"];

struct HotlineNode {
    base: String,
    tokens: BTreeMap<String, String>,
    keys: BTreeMap<String, SigningKey>,
    client: reqwest::Client,
    _shutdown: tokio::sync::oneshot::Sender<()>,
    _directory: tempfile::TempDir,
}

async fn start(config: HttpConfig) -> HotlineNode {
    let directory = tempfile::tempdir().unwrap();
    let node = support::kit::sqlite_node(directory.path()).await;
    let mut tokens = BTreeMap::new();
    let mut keys = BTreeMap::new();
    for (index, id) in PARTIES.into_iter().enumerate() {
        let key = SigningKey::from_bytes(&[index as u8 + 7; 32]);
        let public_key =
            base64::engine::general_purpose::STANDARD.encode(key.verifying_key().as_bytes());
        tokens.insert(
            id.to_string(),
            support::kit::add_state(&node, id, vec![public_key]).await,
        );
        keys.insert(id.to_string(), key);
    }
    let (base, shutdown) = support::kit::serve(node, config).await;
    HotlineNode {
        base,
        tokens,
        keys,
        client: reqwest::Client::new(),
        _shutdown: shutdown,
        _directory: directory,
    }
}

fn party(id: &str) -> PartyId {
    PartyId::parse(id).unwrap()
}

fn message(from: &str, to: &[&str], thread: Uuid, body: MessageBody) -> HotlineMessage {
    HotlineMessage {
        id: Uuid::new_v4(),
        thread,
        from: party(from),
        to: to.iter().map(|id| party(id)).collect(),
        sent_at: Timestamp::from_jiff(jiff::Timestamp::now()),
        incident: None,
        tlp: Tlp::Green,
        lang: "en".into(),
        exercise: false,
        body,
    }
}

fn notification(summary: &str) -> MessageBody {
    MessageBody::Notification(NotificationBody {
        summary: summary.into(),
        severity_level: Some(3),
        requested_actions: vec!["Confirm receipt".into()],
    })
}

impl HotlineNode {
    fn signed(&self, message: &HotlineMessage) -> Vec<u8> {
        sign_message(message, &self.keys[message.from.as_str()])
    }

    async fn post_bytes(&self, as_party: &str, bytes: Vec<u8>) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}/api/v1/messages", self.base))
            .bearer_auth(&self.tokens[as_party])
            .header("content-type", "application/json")
            .body(bytes)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body = response.json::<Value>().await.unwrap_or(Value::Null);
        (status, body)
    }

    async fn send(&self, message: &HotlineMessage) -> Value {
        let (status, body) = self
            .post_bytes(message.from.as_str(), self.signed(message))
            .await;
        assert_eq!(status, 201, "{body}");
        body
    }

    async fn get(&self, as_party: &str, path: &str) -> (u16, Value) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.tokens[as_party])
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (
            status,
            response.json::<Value>().await.unwrap_or(Value::Null),
        )
    }

    async fn events_of(&self, as_party: &str) -> Vec<Value> {
        let (status, body) = self
            .get(as_party, "/api/v1/events?after=0&limit=1000")
            .await;
        assert_eq!(status, 200, "{body}");
        body["events"].as_array().unwrap().clone()
    }

    async fn open_stream(&self, as_party: &str, last_event_id: Option<i64>) -> EventStream {
        let mut request = self
            .client
            .get(format!("{}/api/v1/stream", self.base))
            .bearer_auth(&self.tokens[as_party])
            .header("accept", "text/event-stream");
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id.to_string());
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        EventStream {
            response,
            buffer: String::new(),
        }
    }
}

/// One server-sent event as the wire carries it.
#[derive(Debug, Clone)]
struct StreamEvent {
    id: i64,
    event: String,
    data: Value,
}

/// Reads server-sent events from a live response, chunk by chunk.
struct EventStream {
    response: reqwest::Response,
    buffer: String,
}

impl EventStream {
    async fn next(&mut self) -> StreamEvent {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut id = None;
                let mut event = String::from("message");
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("id:") {
                        id = value.trim().parse().ok();
                    } else if let Some(value) = line.strip_prefix("event:") {
                        event = value.trim().to_string();
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push_str(value.trim_start());
                    }
                }
                // Keep-alive comments carry no id.
                if let Some(id) = id {
                    return StreamEvent {
                        id,
                        event,
                        data: serde_json::from_str(&data).unwrap(),
                    };
                }
                continue;
            }
            let chunk = tokio::time::timeout(Duration::from_secs(10), self.response.chunk())
                .await
                .expect("no event within 10 s")
                .unwrap()
                .expect("the stream ended");
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// The next event that is about `message`, skipping thread-state and other events.
    async fn next_about_message(&mut self, message: Uuid) -> StreamEvent {
        loop {
            let event = self.next().await;
            if event.event == "message" && event.data["message"] == message.to_string() {
                return event;
            }
        }
    }
}

#[tokio::test]
async fn three_parties_run_a_thread_over_http_and_watch_it_live_on_their_streams() {
    let node = start(HttpConfig::default()).await;
    let mut ukraine_stream = node.open_stream("UA", None).await;
    let mut estonia_stream = node.open_stream("EE", None).await;
    let thread = Uuid::new_v4();

    // A notifies B.
    let notice = message("EE", &["UA"], thread, notification("Grid outage in Narva"));
    let accepted = node.send(&notice).await;
    assert_eq!(accepted["thread"], thread.to_string());
    assert!(accepted["acknowledge_by"].is_string());
    let received = ukraine_stream.next_about_message(notice.id).await;
    assert_eq!(received.data["thread"], thread.to_string());

    // B acknowledges; A sees it live.
    let acknowledgement = message(
        "UA",
        &["EE"],
        thread,
        MessageBody::Acknowledgement(AcknowledgementBody { of: notice.id }),
    );
    assert_eq!(
        node.send(&acknowledgement).await["thread_state"],
        "acknowledged"
    );
    estonia_stream.next_about_message(acknowledgement.id).await;

    // B asks for clarification, A answers, B answers and closes.
    let question = message(
        "UA",
        &["EE"],
        thread,
        MessageBody::ClarificationRequest(ClarificationRequestBody {
            questions: vec!["Which substations?".into()],
        }),
    );
    node.send(&question).await;
    estonia_stream.next_about_message(question.id).await;
    let answer = message(
        "EE",
        &["UA"],
        thread,
        MessageBody::Response(ResponseBody {
            to: question.id,
            text: "Narva-1 and Narva-2.".into(),
        }),
    );
    node.send(&answer).await;
    ukraine_stream.next_about_message(answer.id).await;
    let response = message(
        "UA",
        &["EE"],
        thread,
        MessageBody::Response(ResponseBody {
            to: notice.id,
            text: "We see no activity from our networks.".into(),
        }),
    );
    assert_eq!(node.send(&response).await["thread_state"], "answered");
    let closure = message(
        "UA",
        &["EE"],
        thread,
        MessageBody::Closure(ClosureBody {
            reason: "Clarified.".into(),
        }),
    );
    assert_eq!(node.send(&closure).await["thread_state"], "closed");
    estonia_stream.next_about_message(closure.id).await;

    // The thread as each participant sees it; the third party sees nothing of it.
    let (status, view) = node.get("EE", &format!("/api/v1/threads/{thread}")).await;
    assert_eq!(status, 200);
    assert_eq!(view["thread"]["state"], "closed");
    assert_eq!(view["messages"].as_array().unwrap().len(), 6);
    let (status, _) = node.get("GB", &format!("/api/v1/threads/{thread}")).await;
    assert_eq!(
        status, 404,
        "a non-participant must not learn the thread exists"
    );
    let (status, _) = node
        .get("GB", &format!("/api/v1/messages/{}", notice.id))
        .await;
    assert_eq!(status, 404);
    assert!(node.events_of("GB").await.is_empty());
    let (status, inbox) = node.get("UA", "/api/v1/inbox").await;
    assert_eq!(status, 200);
    assert_eq!(inbox["threads"][0]["id"], thread.to_string());

    // The standard form, in the recipient's language.
    let (status, form) = node
        .get(
            "UA",
            &format!("/api/v1/messages/{}/form?lang=ar", notice.id),
        )
        .await;
    assert_eq!(status, 200, "{form}");
    assert_eq!(form["direction"], "rtl");
    assert!(
        form["plain_text"]
            .as_str()
            .unwrap()
            .contains("Grid outage in Narva"),
        "free text stays as written"
    );
}

#[tokio::test]
async fn a_reconnecting_stream_resumes_after_last_event_id_and_sees_each_event_once() {
    let node = start(HttpConfig::default()).await;
    let mut sent = Vec::new();
    for index in 0..5 {
        let notice = message(
            "EE",
            &["UA"],
            Uuid::new_v4(),
            notification(&format!("notice {index}")),
        );
        node.send(&notice).await;
        sent.push(notice.id);
    }
    // Read the first two message events, then drop the connection.
    let mut stream = node.open_stream("UA", None).await;
    let first = stream.next_about_message(sent[0]).await;
    let second = stream.next_about_message(sent[1]).await;
    assert!(first.id < second.id);
    drop(stream);

    // While disconnected, more arrive.
    for index in 5..8 {
        let notice = message(
            "EE",
            &["UA"],
            Uuid::new_v4(),
            notification(&format!("notice {index}")),
        );
        node.send(&notice).await;
        sent.push(notice.id);
    }
    let mut resumed = node.open_stream("UA", Some(second.id)).await;
    let mut seen = Vec::new();
    let mut last_id = second.id;
    while seen.len() < sent.len() - 2 {
        let event = resumed.next().await;
        assert!(event.id > last_id, "events come in order, each once");
        last_id = event.id;
        if event.event == "message" {
            seen.push(event.data["message"].as_str().unwrap().to_string());
        }
    }
    let expected: Vec<String> = sent[2..].iter().map(Uuid::to_string).collect();
    assert_eq!(
        seen, expected,
        "every message after Last-Event-ID, exactly once"
    );

    // A live message after the replay arrives too, and nothing is repeated.
    let live = message("EE", &["UA"], Uuid::new_v4(), notification("live"));
    node.send(&live).await;
    let event = loop {
        let event = resumed.next().await;
        assert!(event.id > last_id);
        last_id = event.id;
        if event.event == "message" {
            break event;
        }
    };
    assert_eq!(event.data["message"], live.id.to_string());

    // A Last-Event-ID that is not a number is refused with the header named.
    let response = node
        .client
        .get(format!("{}/api/v1/stream", node.base))
        .bearer_auth(&node.tokens["UA"])
        .header("last-event-id", "yesterday")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["path"], "Last-Event-ID");
    // The stream needs a party token.
    let response = node
        .client
        .get(format!("{}/api/v1/stream", node.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
}

/// Posts `bytes` as `as_party`, expects `status` and `code`, and checks that the message was
/// not stored and that no party got an event.
async fn assert_refused(
    node: &HotlineNode,
    as_party: Option<&str>,
    bytes: Vec<u8>,
    message_id: Uuid,
    status: u16,
    code: &str,
) {
    let before: Vec<usize> = event_counts(node).await;
    let mut request = node
        .client
        .post(format!("{}/api/v1/messages", node.base))
        .header("content-type", "application/json")
        .body(bytes);
    if let Some(id) = as_party {
        request = request.bearer_auth(&node.tokens[id]);
    }
    let response = request.send().await.unwrap();
    let got_status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(got_status, status, "{code}: {body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|text| !text.is_empty())
    );
    if code != "replayed-message" {
        let (found, _) = node
            .get("EE", &format!("/api/v1/messages/{message_id}"))
            .await;
        assert_eq!(found, 404, "{code}: the refused message was stored");
    }
    assert_eq!(
        event_counts(node).await,
        before,
        "{code}: a refused message left events behind"
    );
}

async fn event_counts(node: &HotlineNode) -> Vec<usize> {
    let mut counts = Vec::new();
    // Reading events records delivery (a thread-state event), so count message events only.
    for id in PARTIES {
        let events = node.events_of(id).await;
        counts.push(
            events
                .iter()
                .filter(|event| event["kind"] == "message")
                .count(),
        );
    }
    counts
}

#[tokio::test]
async fn every_refusal_over_http_names_its_reason_and_stores_nothing() {
    let config = HttpConfig {
        maximum_body_bytes: 16 * 1024,
        ..HttpConfig::default()
    };
    let node = start(config).await;
    let thread = Uuid::new_v4();
    let opening = message("EE", &["UA"], thread, notification("opening"));
    node.send(&opening).await;

    // Tampered payload.
    let original = message("EE", &["UA"], Uuid::new_v4(), notification("original"));
    let mut envelope: Value = serde_json::from_slice(&node.signed(&original)).unwrap();
    let tampered = HotlineMessage {
        body: notification("tampered"),
        ..original.clone()
    };
    envelope["payload"] =
        Value::String(base64::engine::general_purpose::STANDARD.encode(tampered.to_json_bytes()));
    assert_refused(
        &node,
        Some("EE"),
        serde_json::to_vec(&envelope).unwrap(),
        original.id,
        422,
        "bad-signature",
    )
    .await;

    // A key nobody registered; another party's key; a token of another party.
    let stranger = message("EE", &["UA"], Uuid::new_v4(), notification("stranger"));
    assert_refused(
        &node,
        Some("EE"),
        sign_message(&stranger, &SigningKey::from_bytes(&[200; 32])),
        stranger.id,
        422,
        "unknown-key",
    )
    .await;
    let borrowed = message("EE", &["UA"], Uuid::new_v4(), notification("borrowed"));
    assert_refused(
        &node,
        Some("EE"),
        sign_message(&borrowed, &node.keys["GB"]),
        borrowed.id,
        403,
        "key-of-another-party",
    )
    .await;
    // GB signs with its own key a message that claims to come from EE.
    let impostor = message("EE", &["UA"], Uuid::new_v4(), notification("impostor"));
    assert_refused(
        &node,
        Some("GB"),
        sign_message(&impostor, &node.keys["GB"]),
        impostor.id,
        403,
        "sender-mismatch",
    )
    .await;

    // A replayed id.
    assert_refused(
        &node,
        Some("EE"),
        node.signed(&opening),
        opening.id,
        409,
        "replayed-message",
    )
    .await;

    // sent_at an hour old, and an hour ahead.
    let mut old = message("EE", &["UA"], Uuid::new_v4(), notification("old"));
    old.sent_at =
        Timestamp::from_jiff(jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1));
    assert_refused(
        &node,
        Some("EE"),
        node.signed(&old),
        old.id,
        422,
        "sent-too-long-ago",
    )
    .await;
    let mut future = message("EE", &["UA"], Uuid::new_v4(), notification("future"));
    future.sent_at =
        Timestamp::from_jiff(jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1));
    assert_refused(
        &node,
        Some("EE"),
        node.signed(&future),
        future.id,
        422,
        "sent-in-the-future",
    )
    .await;

    // A recipient that does not exist.
    let nobody = message("EE", &["UA", "FR"], Uuid::new_v4(), notification("nobody"));
    let (status, body) = node.post_bytes("EE", node.signed(&nobody)).await;
    assert_eq!(status, 422, "{body}");
    assert_refused(
        &node,
        Some("EE"),
        node.signed(&nobody),
        nobody.id,
        422,
        body["error"]["code"].as_str().unwrap(),
    )
    .await;
    assert!(body["error"]["message"].as_str().unwrap().contains("FR"));

    // A reply into a thread the sender is not in.
    let intruder = message(
        "GB",
        &["EE"],
        thread,
        MessageBody::Response(ResponseBody {
            to: opening.id,
            text: "let me in".into(),
        }),
    );
    assert_refused(
        &node,
        Some("GB"),
        node.signed(&intruder),
        intruder.id,
        403,
        "not-a-thread-participant",
    )
    .await;

    // A body over the limit: 413 before anything is parsed.
    let huge = message(
        "EE",
        &["UA"],
        Uuid::new_v4(),
        notification(&"x".repeat(32 * 1024)),
    );
    let (status, body) = node.post_bytes("EE", node.signed(&huge)).await;
    assert_eq!(status, 413, "{body}");
    let (found, _) = node
        .get("EE", &format!("/api/v1/messages/{}", huge.id))
        .await;
    assert_eq!(found, 404);

    // Not JSON at all; no token.
    let (status, body) = node.post_bytes("EE", b"{not json".to_vec()).await;
    assert!(status == 400 || status == 422, "{status} {body}");
    assert!(body["error"]["code"].is_string());
    let unsigned = message("EE", &["UA"], Uuid::new_v4(), notification("no token"));
    assert_refused(
        &node,
        None,
        node.signed(&unsigned),
        unsigned.id,
        401,
        "unauthenticated",
    )
    .await;
}

#[tokio::test]
async fn the_openapi_document_describes_the_hotline() {
    let node = start(HttpConfig::default()).await;
    let document: Value = node
        .client
        .get(format!("{}/api/openapi.json", node.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/messages",
        "/api/v1/messages/{id}",
        "/api/v1/messages/{id}/form",
        "/api/v1/threads/{id}",
        "/api/v1/inbox",
        "/api/v1/events",
        "/api/v1/stream",
        "/api/v1/checks",
        "/api/v1/checks/{id}",
        "/api/v1/checks/results",
        "/api/v1/incidents/with-notification",
        "/api/v1/parties/{id}/keys/rotate",
        "/api/v1/parties/{id}/keys/{key_id}/revoke",
    ] {
        assert!(
            document["paths"].get(path).is_some(),
            "{path} is missing from the OpenAPI document"
        );
    }
    // Sending needs a token; the public check figures do not.
    assert!(document["paths"]["/api/v1/messages"]["post"]["security"].is_array());
    assert!(
        document["paths"]["/api/v1/checks/results"]["get"]
            .get("security")
            .is_none()
    );
}
