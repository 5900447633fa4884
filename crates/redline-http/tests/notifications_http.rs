#![allow(clippy::unwrap_used)]
//! Notifications end to end, with real receivers: a webhook receiver (axum on a loopback port)
//! that fails the first delivery with 500, so the node retries and the delivery log shows both
//! attempts, each signed with HMAC-SHA256 under the secret the party was given; an SMTP server
//! (Python's `aiosmtpd`, a real one) that receives the mail of an amber message without its
//! content; and the routes in the OpenAPI document.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::{body::Bytes, extract::State, http::HeaderMap, http::StatusCode, routing::post};
use redline_hotline::MessageBody;
use redline_hotline::message::NotificationBody;
use redline_hotline::notification::verify_webhook_signature;
use redline_model::Tlp;
use serde_json::{Value, json};

mod support;

/// What the receiver got: each request's headers and body, in order.
#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<(HeaderMap, Bytes)>>>);

async fn receive(State(received): State<Received>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let mut all = received.0.lock().unwrap();
    all.push((headers, body));
    // The first delivery fails: the node must try again.
    if all.len() == 1 {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::NO_CONTENT
    }
}

/// Starts the sender of `node` until the returned sender is dropped.
fn start_sender(node: &support::DashboardNode) -> tokio::sync::oneshot::Sender<()> {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(node.node.clone().run_notification_sender(async move {
        let _ = stopped.await;
    }));
    stop
}

fn notification(summary: &str) -> MessageBody {
    MessageBody::Notification(NotificationBody {
        summary: summary.into(),
        severity_level: Some(3),
        requested_actions: vec![],
    })
}

async fn deliveries_of(node: &support::DashboardNode, party: &str) -> Vec<Value> {
    let answer: Value = reqwest::Client::new()
        .get(format!("{}/api/v1/notifications/deliveries", node.base))
        .bearer_auth(&node.tokens[party])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["deliveries"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_webhook_that_fails_once_is_retried_signed_and_both_attempts_are_logged() {
    let node = support::start().await;
    node.node
        .set_notification_settings(redline_node::NotificationSettings {
            allow_private_targets: true,
            ..Default::default()
        });
    let received = Received::default();
    let receiver = axum::Router::new()
        .route("/hook", post(receive))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let receiver_address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, receiver).await.unwrap() });

    // UA registers its webhook over HTTP; the secret is answered once.
    let created: Value = reqwest::Client::new()
        .post(format!("{}/api/v1/notifications/webhooks", node.base))
        .bearer_auth(&node.tokens["UA"])
        .json(&json!({ "url": format!("http://{receiver_address}/hook"), "events": ["message", "reminder"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = created["secret"].as_str().unwrap().to_string();
    let subscription = created["subscription"]["id"].as_str().unwrap().to_string();
    let _sender = start_sender(&node);

    let thread = uuid::Uuid::new_v4();
    let marker = "webhook-content-marker-4471";
    let message = support::send(
        &node.node,
        "EE",
        &["UA"],
        thread,
        None,
        Tlp::Amber,
        notification(marker),
    )
    .await;

    let started = Instant::now();
    while received.0.lock().unwrap().len() < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the receiver got {} requests",
            received.0.lock().unwrap().len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let requests = received.0.lock().unwrap().clone();
    assert_eq!(requests.len(), 2, "one failure, one retry, nothing more");
    for (headers, body) in &requests {
        let header = |name: &str| headers.get(name).unwrap().to_str().unwrap().to_string();
        let timestamp: i64 = header("x-redline-timestamp").parse().unwrap();
        let now = jiff::Timestamp::now().as_second();
        verify_webhook_signature(
            secret.as_bytes(),
            timestamp,
            body,
            &header("x-redline-signature"),
            now,
            300,
        )
        .unwrap();
        // A signature under another secret does not verify.
        assert!(
            verify_webhook_signature(
                b"wrong",
                timestamp,
                body,
                &header("x-redline-signature"),
                now,
                300
            )
            .is_err()
        );
        let text = std::str::from_utf8(body).unwrap();
        assert!(
            !text.contains(marker),
            "no message content in a delivery: {text}"
        );
        let delivered: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(delivered["kind"], "message");
        assert_eq!(delivered["thread"], thread.to_string());
        assert_eq!(delivered["message"], message.to_string());
        assert_eq!(delivered["tlp"], "amber");
        assert_eq!(delivered["party"], "UA");
        assert!(delivered["event_id"].as_i64().unwrap() > 0);
    }
    // The same delivery both times (a receiver drops a repeat by this id).
    assert_eq!(
        requests[0].0.get("x-redline-delivery"),
        requests[1].0.get("x-redline-delivery")
    );

    // The delivery log: one delivery, delivered, with both attempts.
    let started = Instant::now();
    let log = loop {
        let log = deliveries_of(&node, "UA").await;
        if log
            .first()
            .is_some_and(|delivery| delivery["status"] == "delivered")
        {
            break log;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{log:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(log.len(), 1, "{log:?}");
    let delivery = &log[0];
    assert_eq!(delivery["subscription"], subscription);
    assert_eq!(delivery["kind"], "message");
    assert_eq!(delivery["attempts"], 2);
    assert!(delivery["delivered_at"].is_string());
    let attempts = delivery["attempt_log"].as_array().unwrap();
    assert_eq!(attempts.len(), 2, "{delivery}");
    assert_eq!(attempts[0]["outcome"], "failed");
    assert_eq!(attempts[0]["status_code"], 500);
    assert!(attempts[0]["error"].as_str().unwrap().contains("500"));
    assert_eq!(attempts[1]["outcome"], "delivered");
    assert_eq!(attempts[1]["status_code"], 204);
    // The retry waited the first backoff step (1 s).
    let first = redline_model::Timestamp::parse(attempts[0]["at"].as_str().unwrap()).unwrap();
    let second = redline_model::Timestamp::parse(attempts[1]["at"].as_str().unwrap()).unwrap();
    assert!(second.as_microseconds() - first.as_microseconds() >= 1_000_000);
    // EE's own log is empty: it subscribed to nothing.
    assert!(deliveries_of(&node, "EE").await.is_empty());
}

/// A free loopback port (bound, read and released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Python's aiosmtpd as an SMTP server writing each mail to `<directory>/<n>.eml` and its
/// recipients to `<n>.rcpt`. `None` (the test is skipped) when aiosmtpd is not installed,
/// unless `REQUIRE_INTEROP=1`, when that fails the test.
fn start_smtp_sink(directory: &std::path::Path, port: u16) -> Option<std::process::Child> {
    let python = std::env::var("SMTP_SINK_PYTHON").unwrap_or_else(|_| "python3".into());
    let has_aiosmtpd = std::process::Command::new(&python)
        .args(["-c", "import aiosmtpd"])
        .output()
        .is_ok_and(|output| output.status.success());
    if !has_aiosmtpd {
        assert!(
            std::env::var("REQUIRE_INTEROP").as_deref() != Ok("1"),
            "REQUIRE_INTEROP=1 but {python} cannot import aiosmtpd (scripts/test installs it)"
        );
        eprintln!("SKIPPED: {python} has no aiosmtpd (set SMTP_SINK_PYTHON)");
        return None;
    }
    let script = r#"
import itertools, pathlib, sys, time
from aiosmtpd.controller import Controller

class Sink:
    def __init__(self, directory):
        self.directory = pathlib.Path(directory)
        self.numbers = itertools.count()

    async def handle_DATA(self, server, session, envelope):
        number = next(self.numbers)
        (self.directory / f"{number}.rcpt").write_text("\n".join(envelope.rcpt_tos))
        temporary = self.directory / f"{number}.tmp"
        temporary.write_bytes(envelope.original_content)
        temporary.rename(self.directory / f"{number}.eml")
        return "250 OK"

controller = Controller(Sink(sys.argv[1]), hostname="127.0.0.1", port=int(sys.argv[2]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
"#;
    let mut child = std::process::Command::new(&python)
        .args(["-c", script, directory.to_str().unwrap(), &port.to_string()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut ready = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut ready,
    )
    .unwrap();
    assert_eq!(ready.trim(), "ready");
    Some(child)
}

#[tokio::test]
async fn an_amber_message_is_mailed_over_smtp_without_its_content() {
    let mails = tempfile::tempdir().unwrap();
    let port = free_port();
    let Some(mut sink) = start_smtp_sink(mails.path(), port) else {
        return;
    };
    let node = support::start().await;
    node.node
        .set_notification_settings(redline_node::NotificationSettings {
            smtp: Some(redline_node::SmtpSettings {
                host: "127.0.0.1".into(),
                port,
                security: redline_node::SmtpSecurity::None,
                from: "redline@node.example.org".into(),
                username: None,
                password: None,
            }),
            ..Default::default()
        });
    let created = reqwest::Client::new()
        .post(format!("{}/api/v1/notifications/email", node.base))
        .bearer_auth(&node.tokens["UA"])
        .json(&json!({ "address": "duty-officer@ua.example.org" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), reqwest::StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    assert!(
        created.get("secret").is_none(),
        "e-mail has no secret: {created}"
    );
    let _sender = start_sender(&node);

    let thread = uuid::Uuid::new_v4();
    let marker = "smtp-amber-content-marker-9913";
    support::send(
        &node.node,
        "EE",
        &["UA"],
        thread,
        None,
        Tlp::Amber,
        notification(marker),
    )
    .await;

    let mail_path = mails.path().join("0.eml");
    let started = Instant::now();
    while !mail_path.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no mail arrived"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let recipients = std::fs::read_to_string(mails.path().join("0.rcpt")).unwrap();
    assert_eq!(recipients.trim(), "duty-officer@ua.example.org");
    let mail = std::fs::read_to_string(&mail_path).unwrap();
    let subject = mail
        .lines()
        .find_map(|line| line.strip_prefix("Subject: "))
        .unwrap();
    assert!(subject.contains("message"), "{subject}");
    assert!(subject.contains(&thread.to_string()), "{subject}");
    assert!(mail.contains("From: redline@node.example.org"), "{mail}");
    assert!(mail.contains("TLP:      amber"), "{mail}");
    assert!(
        !mail.contains(marker),
        "the amber content reached the mail: {mail}"
    );
    let started = Instant::now();
    loop {
        let log = deliveries_of(&node, "UA").await;
        if log
            .first()
            .is_some_and(|delivery| delivery["status"] == "delivered")
        {
            assert_eq!(log[0]["attempts"], 1);
            assert_eq!(log[0]["attempt_log"][0]["status_code"], 250);
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{log:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(sink.stdin.take());
    let _ = sink.wait();
}

#[tokio::test]
async fn the_notification_routes_are_in_the_openapi_document() {
    let node = support::start().await;
    let document: Value = reqwest::get(format!("{}/api/openapi.json", node.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = &document["paths"];
    for (path, methods) in [
        ("/api/v1/notifications/webhooks", &["get", "post"][..]),
        ("/api/v1/notifications/webhooks/{id}", &["delete"][..]),
        ("/api/v1/notifications/email", &["get", "post"][..]),
        ("/api/v1/notifications/email/{id}", &["delete"][..]),
        ("/api/v1/notifications/deliveries", &["get"][..]),
    ] {
        for method in methods {
            assert!(
                paths[path][method]["operationId"].is_string(),
                "{method} {path} is missing from the OpenAPI document"
            );
        }
    }
}
