#![allow(clippy::unwrap_used)]
//! Duties kept and request outcomes over real HTTP, on the node's clock (a `FixedClock` the
//! tests move): an assistance request gets its outcomes through the console (prepared by the
//! server, signed with the party's key outside it, pasted) and through the API; the thread's
//! JSON and its console page show where each recipient stands; the party's duties carry the
//! answer with its outcome; and the party's public commitments page draws its duties kept by
//! kind over time — snapshotted, in English and in Arabic.

#[path = "support/mod.rs"]
mod support;

use std::sync::Arc;

use redline_hotline::message::{AssistanceRequestBody, RequestOutcomeBody};
use redline_hotline::{
    Envelope, HotlineMessage, MESSAGE_PAYLOAD_TYPE, MessageBody, RequestOutcomeKind,
};
use redline_http::HttpConfig;
use redline_model::{PartyId, Timestamp, Tlp};
use redline_node::FixedClock;
use reqwest::{StatusCode, header};
use serde_json::Value;
use uuid::Uuid;

const START: &str = "2026-12-01T10:00:00Z";

async fn node_at_start() -> (support::DashboardNode, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(Timestamp::parse(START).unwrap()));
    let node = support::start_with_clock(HttpConfig::default(), clock.clone()).await;
    (node, clock)
}

fn wait_hours(node: &support::DashboardNode, clock: &FixedClock, hours: i64) {
    let later = node.node.now().as_microseconds() + hours * 3_600_000_000;
    clock.set(Timestamp::from_microseconds(later).unwrap());
}

fn message(
    node: &support::DashboardNode,
    from: &str,
    to: &[&str],
    thread: Uuid,
    body: MessageBody,
) -> HotlineMessage {
    HotlineMessage {
        id: Uuid::new_v4(),
        thread,
        from: PartyId::parse(from).unwrap(),
        to: to.iter().map(|id| PartyId::parse(id).unwrap()).collect(),
        sent_at: node.node.now(),
        incident: None,
        tlp: Tlp::Amber,
        lang: "en".into(),
        exercise: false,
        body,
    }
}

/// A console session of one party: its cookie and CSRF token.
struct Session {
    http: reqwest::Client,
    base: String,
    cookie: String,
}

impl Session {
    async fn sign_in(node: &support::DashboardNode, party: &str) -> Session {
        let console = support::ConsoleSession::sign_in(node, party).await;
        Session {
            http: console.http,
            base: console.base,
            cookie: console.cookie,
        }
    }

    async fn page(&self, path: &str) -> String {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header(header::COOKIE, &self.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        response.text().await.unwrap()
    }

    /// Posts a form as the page's script does (JSON answers).
    async fn post_form(&self, path: &str, pairs: &[(&str, &str)]) -> (StatusCode, Value) {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header(header::COOKIE, &self.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .body(support::form_body(pairs))
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

/// The value of the first `attribute="…"` in `body`.
fn attribute_of(body: &str, attribute: &str) -> String {
    let marker = format!("{attribute}=\"");
    let start = body.find(&marker).unwrap() + marker.len();
    body[start..].split('"').next().unwrap().to_string()
}

fn assistance_request() -> MessageBody {
    MessageBody::AssistanceRequest(AssistanceRequestBody {
        summary: "Two ICS analysts for the grid operator".into(),
        needs: vec![],
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_assistance_requests_outcomes_over_the_console_and_the_api_show_on_its_thread_and_in_the_duties()
 {
    let (node, clock) = node_at_start().await;
    let thread = Uuid::new_v4();
    let asked = message(&node, "EE", &["GB"], thread, assistance_request());
    assert_eq!(node.post_message(&asked).await.0, StatusCode::CREATED);

    // GB accepts through the console: the server prepares the payload, GB signs it with its own
    // key outside the server and pastes the envelope.
    let console = Session::sign_in(&node, "GB").await;
    let page = console.page(&format!("/console/threads/{thread}")).await;
    assert!(
        page.contains("id=\"requests\""),
        "the thread lists its request"
    );
    assert!(
        page.contains("id=\"action-request-outcome\""),
        "GB may give an outcome"
    );
    let csrf = attribute_of(&page, "name=\"csrf\" value");
    let request_id = asked.id.to_string();
    let (status, prepared) = console
        .post_form(
            &format!("/console/threads/{thread}/prepare"),
            &[
                ("csrf", &csrf),
                ("kind", "request-outcome"),
                ("request", &request_id),
                ("outcome", "accepted"),
                ("summary", "Two analysts from Monday."),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{prepared}");
    let payload = prepared["payload"].as_str().unwrap().as_bytes().to_vec();
    let envelope = Envelope::sign(MESSAGE_PAYLOAD_TYPE, payload, &support::key_of("GB"));
    let envelope_text = String::from_utf8(envelope.to_json_bytes()).unwrap();
    let thread_text = thread.to_string();
    let (status, sent) = console
        .post_form(
            "/console/messages",
            &[
                ("csrf", &csrf),
                ("thread", &thread_text),
                ("envelope", &envelope_text),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{sent}");

    // A console form that declines without a reason is refused before anything is signed.
    let (status, refused) = console
        .post_form(
            &format!("/console/threads/{thread}/prepare"),
            &[
                ("csrf", &csrf),
                ("kind", "request-outcome"),
                ("request", &request_id),
                ("outcome", "declined"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused["error"].as_str().unwrap().contains("body.reason"),
        "{refused}"
    );

    // GB has done part of it, through the API; declining now is a step the table lacks.
    wait_hours(&node, &clock, 2);
    let partly = MessageBody::RequestOutcome(RequestOutcomeBody {
        request: asked.id,
        outcome: RequestOutcomeKind::Partly,
        reason: None,
        done: Some("One analyst is on site.".into()),
        not_done: Some("The second has no visa yet.".into()),
        summary: None,
    });
    let (status, body) = node
        .post_message(&message(&node, "GB", &["EE"], thread, partly))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let declined = MessageBody::RequestOutcome(RequestOutcomeBody {
        request: asked.id,
        outcome: RequestOutcomeKind::Declined,
        reason: Some("Changed our mind.".into()),
        done: None,
        not_done: None,
        summary: None,
    });
    let (status, body) = node
        .post_message(&message(&node, "GB", &["EE"], thread, declined))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "refused-outcome");

    // The thread's JSON, as the requester reads it.
    let (status, view) = node
        .get_json(Some("EE"), &format!("/api/v1/threads/{thread}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let gb = &view["requests"][0]["recipients"][0];
    assert_eq!(gb["party"], "GB");
    assert_eq!(gb["outcome"], "partly");
    assert_eq!(gb["steps"][0]["summary"], "Two analysts from Monday.");
    assert_eq!(gb["steps"][1]["not_done"], "The second has no visa yet.");
    assert_eq!(gb["answer_duty"], "initial-reply");
    assert_eq!(gb["answered_at"], START);

    // The requester's console page shows where GB stands, and gives EE no outcome form.
    let requester = Session::sign_in(&node, "EE").await;
    let page = requester
        .page(&format!("/console/threads/{thread}?lang=en"))
        .await;
    assert!(page.contains("partly done"), "the latest outcome is shown");
    assert!(page.contains("The second has no visa yet."));
    assert!(page.contains("The norms document defines no assistance-answer duty"));
    assert!(!page.contains("id=\"action-request-outcome\""));

    // GB's duties: its answer was met, with the outcome it gave.
    wait_hours(&node, &clock, 100);
    let (status, duties) = node.get_json(Some("GB"), "/api/v1/parties/GB/duties").await;
    assert_eq!(status, StatusCode::OK);
    let answer = duties["duties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|duty| duty["duty"] == "assistance-answer")
        .unwrap();
    assert_eq!(answer["outcome"], "met");
    assert_eq!(answer["deadline_from"], "initial-reply");
    assert_eq!(answer["request_outcome"], "partly");
    assert_eq!(answer["counterpart"], "EE");

    // The public page draws GB's duties kept by kind.
    let page = reqwest::get(format!("{}/dashboard/commitments/GB?lang=en", node.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("aria-labelledby=\"duties-assistance-answer-title\""),
        "{page}"
    );
    assert!(page.contains("answer a request for assistance"));
    assert!(!page.contains(&request_id) && !page.contains(&thread_text));
}

/// The `<main>` of a page.
fn main_of(page: &str) -> String {
    let start = page.find("<main").unwrap();
    let end = page.find("</main>").unwrap() + "</main>".len();
    page[start..end].replace("><", ">\n<")
}

/// What people read on a party's commitments page once its duties fell due: the duties-kept
/// charts and the table beside them, in English and in Arabic (right to left; the charts keep
/// their left-to-right axes).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_party_commitments_page_with_its_duties_kept_reads_as_reviewed() {
    let (node, clock) = node_at_start().await;
    // The kit's threads: EE acknowledged UA's amber notification and asked about the red one,
    // and never replied to either. Ask EE for assistance too, which it declines.
    let thread = Uuid::new_v4();
    let asked = message(&node, "UA", &["EE"], thread, assistance_request());
    assert_eq!(node.post_message(&asked).await.0, StatusCode::CREATED);
    wait_hours(&node, &clock, 3);
    let declined = MessageBody::RequestOutcome(RequestOutcomeBody {
        request: asked.id,
        outcome: RequestOutcomeKind::Declined,
        reason: Some("Our team is deployed at home.".into()),
        done: None,
        not_done: None,
        summary: None,
    });
    assert_eq!(
        node.post_message(&message(&node, "EE", &["UA"], thread, declined))
            .await
            .0,
        StatusCode::CREATED
    );
    // Five days on, every first deadline has passed on the node's clock.
    wait_hours(&node, &clock, 120);
    for language in ["en", "ar"] {
        let page = reqwest::get(format!(
            "{}/dashboard/commitments/EE?lang={language}",
            node.base
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
        insta::assert_snapshot!(format!("commitments_party_ee_{language}"), main_of(&page));
    }
}

/// The OpenAPI document describes the hotline message's payload, the request outcome's body
/// among the kinds, with every reference resolving inside the document.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_describes_the_request_outcome_body() {
    let (node, _) = node_at_start().await;
    let (status, document) = node.get_json(None, "/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let schemas = &document["components"]["schemas"];
    let message = &schemas["HotlineMessage"];
    assert!(
        message["allOf"]
            .as_array()
            .unwrap()
            .iter()
            .any(
                |condition| condition["if"]["properties"]["kind"]["const"] == "request-outcome"
                    && condition["then"]["properties"]["body"]["$ref"]
                        == "#/components/schemas/RequestOutcomeBody"
            ),
        "{message}"
    );
    let outcomes = &schemas["RequestOutcomeKind"];
    assert!(outcomes.to_string().contains("declined"), "{outcomes}");
    let text = document.to_string();
    assert!(
        !text.contains("#/$defs/"),
        "every reference points into the document"
    );
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(
            schemas.get(name).is_some(),
            "{name} is referenced but not defined"
        );
    }
    let send = document["paths"]["/api/v1/messages"]["post"]["summary"]
        .as_str()
        .unwrap();
    assert!(send.contains("request-outcome"), "{send}");
}
