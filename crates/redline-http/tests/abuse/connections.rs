//! Abuse cases: connections and what every answer carries — clients that hold connections
//! without finishing a request (slow headers, idle keep-alive, more connections than the cap),
//! the security headers of pages and API answers, query strings the API refuses, page sizes,
//! and readiness. Timeouts are set small in the test node's `HttpConfig`; every wait for the
//! server to act is bounded and generous, and no test asserts how long anything took.

use std::time::Duration;

use redline_hotline::{MessageBody, message::NotificationBody};
use redline_http::HttpConfig;
use redline_model::Tlp;
use reqwest::StatusCode;
use serde_json::Value;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use super::support;

/// How long a test waits for the server to close a connection past its timeout before it
/// calls the rule broken: far more than any timeout set here, so a slow machine passes.
const CLOSE_WAIT: Duration = Duration::from_secs(20);

/// A request head cut off before its blank line: the server must wait for the rest.
const UNFINISHED_HEAD: &[u8] = b"GET / HTTP/1.1\r\nHost: x\r\n";

fn small_timeouts(header_read_timeout: Duration, idle_timeout: Duration) -> HttpConfig {
    HttpConfig {
        header_read_timeout,
        idle_timeout,
        ..HttpConfig::default()
    }
}

fn address_of(node: &support::DashboardNode) -> String {
    node.base.trim_start_matches("http://").to_string()
}

async fn connect(node: &support::DashboardNode) -> TcpStream {
    TcpStream::connect(address_of(node)).await.unwrap()
}

/// Reads (and drops) whatever the server sends until it closes the connection; `true` if it
/// did within `wait`.
async fn closed_by_server_within(stream: &mut TcpStream, wait: Duration) -> bool {
    let until_closed = async {
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(wait, until_closed).await.is_ok()
}

/// Reads one response to a request on a kept-alive connection: its status line and body,
/// which is `Content-Length` bytes long.
async fn read_response(stream: &mut TcpStream) -> (String, String) {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        if let Some(end) = received.windows(4).position(|window| window == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&received[..end]).to_string();
            let length: usize = head
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                })
                .expect("a response with a Content-Length");
            while received.len() < end + 4 + length {
                let read = stream.read(&mut buffer).await.unwrap();
                assert!(read > 0, "the connection closed inside a response");
                received.extend_from_slice(&buffer[..read]);
            }
            let body = String::from_utf8_lossy(&received[end + 4..end + 4 + length]).to_string();
            let status_line = head.lines().next().unwrap_or_default().to_string();
            return (status_line, body);
        }
        let read = stream.read(&mut buffer).await.unwrap();
        assert!(read > 0, "the connection closed before a response");
        received.extend_from_slice(&buffer[..read]);
    }
}

async fn healthz_answers(node: &support::DashboardNode) -> bool {
    match reqwest::get(format!("{}/healthz", node.base)).await {
        Ok(response) => response.status() == StatusCode::OK,
        Err(_) => false,
    }
}

/// Unfinished requests hold nothing for long: 200 connections that each send a request head
/// without its blank line and then nothing are all closed by the server after the header-read
/// timeout, and `/healthz` answers all along.
#[tokio::test]
async fn unfinished_request_heads_are_all_closed_after_the_header_timeout_while_healthz_answers() {
    let node = support::start_with(small_timeouts(
        Duration::from_secs(1),
        Duration::from_secs(600),
    ))
    .await;
    let mut holders = tokio::task::JoinSet::new();
    for _ in 0..200 {
        let mut stream = connect(&node).await;
        stream.write_all(UNFINISHED_HEAD).await.unwrap();
        holders.spawn(async move { closed_by_server_within(&mut stream, CLOSE_WAIT).await });
    }
    let mut health_checks = 0;
    while !holders.is_empty() {
        assert!(
            healthz_answers(&node).await,
            "/healthz did not answer while unfinished requests were open"
        );
        health_checks += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
        while let Some(closed) = holders.try_join_next() {
            assert!(
                closed.unwrap(),
                "a connection with an unfinished request head was still open after {CLOSE_WAIT:?}"
            );
        }
    }
    assert!(health_checks > 0);
}

/// Trickling a request head in keeps nothing open: a client that adds a header line every
/// 200 ms, never finishing, is closed at the header-read timeout (bytes do not reset it).
#[tokio::test]
async fn a_request_head_trickled_in_a_line_at_a_time_is_closed_at_the_header_timeout() {
    let node = support::start_with(small_timeouts(
        Duration::from_secs(1),
        Duration::from_secs(600),
    ))
    .await;
    let stream = connect(&node).await;
    let (mut reader, mut writer) = stream.into_split();
    writer.write_all(UNFINISHED_HEAD).await.unwrap();
    let trickle = tokio::spawn(async move {
        // Far longer than CLOSE_WAIT at this pace: the server must cut it, not the client.
        for line in 0..1000 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if writer
                .write_all(format!("X-Trickle-{line}: 1\r\n").as_bytes())
                .await
                .is_err()
            {
                return;
            }
        }
    });
    let until_closed = async {
        let mut buffer = [0u8; 1024];
        loop {
            match reader.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    let closed = tokio::time::timeout(CLOSE_WAIT, until_closed).await.is_ok();
    trickle.abort();
    assert!(
        closed,
        "a trickled request head kept its connection open for {CLOSE_WAIT:?}"
    );
}

/// An idle keep-alive connection is closed: after its response, a connection that sends no
/// further request is closed at the idle timeout (the header timeout here is far longer).
#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_at_the_idle_timeout() {
    let node = support::start_with(small_timeouts(
        Duration::from_secs(600),
        Duration::from_secs(1),
    ))
    .await;
    let mut stream = connect(&node).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let (status_line, body) = read_response(&mut stream).await;
    assert!(status_line.contains(" 200 "), "{status_line}");
    assert!(body.contains("\"ok\""), "{body}");
    assert!(
        closed_by_server_within(&mut stream, CLOSE_WAIT).await,
        "an idle keep-alive connection was still open after {CLOSE_WAIT:?}"
    );
}

/// A long-lived response is not idleness: an event stream open past both timeouts, with no
/// byte sent either way meanwhile, still delivers the next event.
#[tokio::test]
async fn an_event_stream_open_past_the_idle_timeout_still_delivers_events() {
    let node = support::start_with(small_timeouts(
        Duration::from_secs(1),
        Duration::from_secs(1),
    ))
    .await;
    let mut stream = reqwest::Client::new()
        .get(format!("{}/api/v1/stream", node.base))
        .bearer_auth(&node.tokens["GB"])
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    // Longer than both timeouts; the stream's keep-alive comment comes only every 15 s.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let thread = uuid::Uuid::new_v4();
    support::send(
        &node.node,
        "EE",
        &["GB"],
        thread,
        None,
        Tlp::Green,
        MessageBody::Notification(NotificationBody {
            summary: "sent after the idle timeout".into(),
            severity_level: Some(3),
            requested_actions: vec![],
        }),
    )
    .await;
    let mut received = String::new();
    let delivered = tokio::time::timeout(CLOSE_WAIT, async {
        while let Ok(Some(chunk)) = stream.chunk().await {
            received.push_str(&String::from_utf8_lossy(&chunk));
            if received.contains(&thread.to_string()) {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(
        delivered,
        Ok(true),
        "the event stream did not deliver the new event; it received: {received}"
    );
}

/// The cap on connections queues, and never starves: with the cap reached, a further
/// connection's request is not served; once one of the others closes, it is.
#[tokio::test]
async fn past_the_connection_cap_a_new_connection_waits_and_is_served_once_another_closes() {
    let node = support::start_with(HttpConfig {
        maximum_connections: 4,
        header_read_timeout: Duration::from_secs(600),
        idle_timeout: Duration::from_secs(600),
        ..HttpConfig::default()
    })
    .await;
    // Four kept-alive connections, each served once, so the server holds all four.
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut stream = connect(&node).await;
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let (status_line, _) = read_response(&mut stream).await;
        assert!(status_line.contains(" 200 "), "{status_line}");
        held.push(stream);
    }
    let mut waiting = connect(&node).await;
    waiting
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut first_byte = [0u8; 1];
    let early =
        tokio::time::timeout(Duration::from_millis(500), waiting.peek(&mut first_byte)).await;
    assert!(
        early.is_err(),
        "a connection past the cap was served while the cap was reached"
    );
    drop(held.pop());
    let (status_line, body) = tokio::time::timeout(CLOSE_WAIT, read_response(&mut waiting))
        .await
        .expect("the waiting connection was not served after another one closed");
    assert!(status_line.contains(" 200 "), "{status_line}");
    assert!(body.contains("\"ok\""), "{body}");
}

/// Graceful shutdown still works with the connection layer: the server stops with an event
/// stream and an idle keep-alive connection open (the stream is ended, the idle one closed).
#[tokio::test]
async fn a_graceful_shutdown_ends_open_streams_and_idle_connections_and_the_server_stops() {
    let node = support::start_with(HttpConfig::default()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(redline_http::run(
        listener,
        node.node.clone(),
        HttpConfig::default(),
        async move {
            let _ = stopped.await;
        },
    ));
    let mut stream = reqwest::Client::new()
        .get(format!("{base}/api/v1/stream"))
        .bearer_auth(&node.tokens["GB"])
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    let mut idle = TcpStream::connect(base.trim_start_matches("http://"))
        .await
        .unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    read_response(&mut idle).await;
    stop.send(()).unwrap();
    let ended = tokio::time::timeout(CLOSE_WAIT, server)
        .await
        .expect("the server did not stop");
    assert!(ended.unwrap().is_ok());
    let stream_ended = tokio::time::timeout(CLOSE_WAIT, async {
        while let Ok(Some(_)) = stream.chunk().await {}
    })
    .await;
    assert!(stream_ended.is_ok(), "the event stream was not ended");
    assert!(closed_by_server_within(&mut idle, CLOSE_WAIT).await);
}

/// Every answer carries the security headers: the landing page, the dashboard, the console's
/// sign-in page, API answers (a listing, a refusal, an unknown route) and `/healthz` each have
/// a content security policy that forbids framing and foreign scripts, `X-Frame-Options: DENY`,
/// `X-Content-Type-Options: nosniff` and a `Referrer-Policy` that sends no `Referer` to another
/// site (`same-origin`: the console's forms need their `Origin`, which `no-referrer` nulls).
#[tokio::test]
async fn every_page_and_api_answer_carries_the_security_headers() {
    let node = support::start().await;
    let client = reqwest::Client::new();
    let cases = [
        ("/", None),
        ("/dashboard", None),
        ("/console/sign-in", None),
        ("/api/v1/incidents", Some("EE")),
        ("/api/v1/incidents", None),
        ("/api/v1/no-such-route", None),
        ("/healthz", None),
    ];
    for (path, party) in cases {
        let mut request = client.get(format!("{}{path}", node.base));
        if let Some(party) = party {
            request = request.bearer_auth(&node.tokens[party]);
        }
        let response = request.send().await.unwrap();
        let headers = response.headers();
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let policy = header("content-security-policy");
        for directive in [
            "default-src 'self'",
            "script-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'none'",
        ] {
            assert!(
                policy.contains(directive),
                "{path}: the content security policy `{policy}` lacks `{directive}`"
            );
        }
        assert!(
            !policy.contains("script-src 'self' 'unsafe"),
            "{path}: {policy}"
        );
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "same-origin", "{path}");
    }
}

/// Sends `GET path` as `party`; returns the status, the content type and the JSON body
/// (`Value::Null` if it is not JSON).
async fn get_as(
    node: &support::DashboardNode,
    party: &str,
    path: &str,
) -> (StatusCode, String, Value) {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", node.base))
        .bearer_auth(&node.tokens[party])
        .send()
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let text = response.text().await.unwrap();
    (
        status,
        content_type,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

/// A query string the API cannot read is refused in the API's own words: 400 with
/// `{"error": {"code": "invalid", "message", "path"}}` as JSON, the path naming the parameter —
/// never axum's plain text — on every listing.
#[tokio::test]
async fn unreadable_query_parameters_on_listings_are_refused_as_json_naming_the_parameter() {
    let node = support::start().await;
    let cases = [
        ("/api/v1/inbox?limit=many", "limit"),
        ("/api/v1/inbox?limit=-1", "limit"),
        ("/api/v1/events?after=yesterday", "after"),
        ("/api/v1/events?limit=9999999999", "limit"),
        ("/api/v1/checks?limit=all", "limit"),
        ("/api/v1/incidents?limit=all", "limit"),
        ("/api/v1/incidents?colour=red", "colour"),
        ("/api/v1/log/consistency?old_size=big", "old_size"),
    ];
    for (path, parameter) in cases {
        let (status, content_type, body) = get_as(&node, "EE", path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert!(
            content_type.starts_with("application/json"),
            "{path}: answered as `{content_type}`"
        );
        assert_eq!(body["error"]["code"], "invalid", "{path}: {body}");
        assert_eq!(body["error"]["path"], parameter, "{path}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|message| message.contains(parameter)),
            "{path}: {body}"
        );
    }
}

/// Every listing applies one page-size rule: `limit=0` and a limit past the listing's maximum
/// are refused (422, `invalid`, path `limit`), never answered with a clamped page; 1 is served.
#[tokio::test]
async fn a_page_size_of_zero_or_past_the_maximum_is_refused_on_every_listing() {
    let node = support::start().await;
    let listings = [
        ("/api/v1/inbox", 500),
        ("/api/v1/events", 1000),
        ("/api/v1/checks", 500),
        ("/api/v1/incidents", 500),
    ];
    for (listing, maximum) in listings {
        for limit in [0, maximum + 1] {
            let path = format!("{listing}?limit={limit}");
            let (status, _, body) = get_as(&node, "EE", &path).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
            assert_eq!(body["error"]["code"], "invalid", "{path}: {body}");
            assert_eq!(body["error"]["path"], "limit", "{path}: {body}");
        }
        for limit in [1, maximum] {
            let path = format!("{listing}?limit={limit}");
            let (status, _, body) = get_as(&node, "EE", &path).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
        }
    }
}

/// Readiness is the database's: `/readyz` answers 200 with the database on a sound node
/// (a damaged SQLite file is refused at open, see redline-store's `tests/corruption.rs`).
#[tokio::test]
async fn readyz_answers_ready_with_the_database_on_a_sound_node() {
    let node = support::start().await;
    let response = reqwest::get(format!("{}/readyz", node.base)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ready", "{body}");
    assert_eq!(body["database"], "sqlite", "{body}");
}

/// `/metrics` is counts only: after the parties read their restricted incidents (and a
/// stranger probes them), neither a restricted incident's id nor any of its text appears in
/// `/metrics`, which anyone may read.
#[tokio::test]
async fn metrics_never_reveal_a_restricted_incident() {
    let node = support::start().await;
    let client = reqwest::Client::new();
    for id in &node.restricted_ids {
        for token in [Some(&node.tokens["UA"]), Some(&node.tokens["RU"]), None] {
            let mut request = client.get(format!("{}/api/v1/incidents/{id}", node.base));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            request.send().await.unwrap();
        }
        client
            .get(format!("{}/incidents/{id}", node.base))
            .send()
            .await
            .unwrap();
    }
    let metrics = client
        .get(format!("{}/metrics", node.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("redline_http_requests_total"), "{metrics}");
    for secret in node.restricted_ids.iter().chain(&node.secrets) {
        assert!(
            !metrics.contains(secret.as_str()),
            "{secret} reached /metrics"
        );
    }
}
