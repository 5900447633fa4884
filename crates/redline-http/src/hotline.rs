//! The hotline over HTTP: `POST /api/v1/messages` (a signed DSSE envelope), messages and their
//! standard forms, threads, the inbox, the per-party event stream (`/api/v1/stream`, server-sent
//! events resumable with `Last-Event-ID`, and `/api/v1/events` for polling), communication
//! checks, and key rotation. Every decision is the node's.

use std::{convert::Infallible, sync::Arc, time::Duration};

use axum::{
    Json,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
};
use futures::Stream;
use serde::Deserialize;

use redline_model::PartyId;
use redline_node::{Caller, EventView, Node};

use crate::{
    AppState,
    auth::SignedIn,
    error::ApiError,
    incidents::JsonBytes,
    openapi::TabledOperation,
    query::ApiQuery,
    signed_records::{created_at, parse_record_id},
};

pub(crate) async fn send_message(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let accepted = state.node.accept_message(&caller, &body).await?;
    let location = format!("/api/v1/messages/{}", accepted.id);
    Ok(created_at(&accepted, &location))
}

/// The body of `POST /api/v1/incidents/with-notification`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IncidentWithNotification {
    incident: serde_json::Value,
    notification: serde_json::Value,
}

pub(crate) async fn submit_incident_with_notification(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let request: IncidentWithNotification = serde_json::from_slice(&body).map_err(|error| {
        ApiError::bad_request(
            "malformed_json",
            format!("expected {{\"incident\": REPORT, \"notification\": ENVELOPE}}: {error}"),
        )
    })?;
    let report_bytes = serde_json::to_vec(&request.incident).unwrap_or_default();
    let envelope_bytes = serde_json::to_vec(&request.notification).unwrap_or_default();
    let (incident, accepted) = state
        .node
        .submit_incident_with_notification(&caller, &report_bytes, &envelope_bytes)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "incident": incident, "notification": accepted })),
    )
        .into_response())
}

pub(crate) async fn show_message(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_record_id(&id, "message")?;
    Ok(Json(state.node.get_message(&caller, id).await?).into_response())
}

#[derive(Deserialize)]
pub(crate) struct FormQuery {
    lang: Option<String>,
}

/// The standard form of a message in the reader's language (`?lang=` or `Accept-Language`).
pub(crate) async fn message_form(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<FormQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = parse_record_id(&id, "message")?;
    let mut preferred: Vec<String> = query.lang.into_iter().collect();
    if let Some(accept) = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
    {
        preferred.extend(
            accept
                .split(',')
                .filter_map(|part| part.split(';').next())
                .map(|tag| tag.trim().to_string())
                .filter(|tag| !tag.is_empty()),
        );
    }
    let form = state
        .node
        .render_message_form(&caller, id, &preferred)
        .await?;
    let free_text: Vec<serde_json::Value> = form
        .free_text
        .iter()
        .map(|field| serde_json::json!({ "label": field.label, "entries": field.entries }))
        .collect();
    Ok(Json(serde_json::json!({
        "language": form.language.tag(),
        "direction": form.direction.as_html_dir(),
        "exercise_banner": form.exercise_banner,
        "title": form.title,
        "headers": form.headers,
        "standard_text": form.standard_text,
        "free_text": free_text,
        "plain_text": form.to_plain_text(),
    }))
    .into_response())
}

pub(crate) async fn show_thread(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_record_id(&id, "thread")?;
    Ok(Json(state.node.get_thread_view(&caller, id).await?).into_response())
}

#[derive(Deserialize)]
pub(crate) struct LimitQuery {
    limit: Option<u32>,
}

pub(crate) async fn inbox(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    ApiQuery(query): ApiQuery<LimitQuery>,
) -> Result<Response, ApiError> {
    let threads = state
        .node
        .inbox(&caller, query.limit.unwrap_or(100))
        .await?;
    Ok(Json(serde_json::json!({ "threads": threads })).into_response())
}

fn signed_in_party(caller: &Caller) -> Result<PartyId, ApiError> {
    caller.party().cloned().ok_or_else(|| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "events belong to a party; sign in with a party token",
        )
    })
}

#[derive(Deserialize)]
pub(crate) struct EventsQuery {
    after: Option<i64>,
    limit: Option<u32>,
}

/// Polling alternative to the stream: the caller's events after `after`.
pub(crate) async fn events(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    ApiQuery(query): ApiQuery<EventsQuery>,
) -> Result<Response, ApiError> {
    let party = signed_in_party(&caller)?;
    let events = state
        .node
        .list_events(&party, query.after.unwrap_or(0), query.limit.unwrap_or(100))
        .await?;
    Ok(Json(serde_json::json!({ "events": events })).into_response())
}

#[derive(Deserialize)]
pub(crate) struct StreamQuery {
    /// For clients that cannot set `Last-Event-ID` (a browser's first connection).
    last_event_id: Option<i64>,
}

fn sse_event(event: &EventView) -> Event {
    Event::default()
        .id(event.sequence.to_string())
        .event(event.kind.clone())
        .data(serde_json::to_string(event).unwrap_or_default())
}

/// The caller's events as server-sent events. A client that reconnects with `Last-Event-ID`
/// gets every event after that one, once, in order; then new events as they are stored.
pub(crate) async fn stream(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    ApiQuery(query): ApiQuery<StreamQuery>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let party = signed_in_party(&caller)?;
    let last_event_id = match headers.get("last-event-id") {
        Some(value) => value
            .to_str()
            .ok()
            .and_then(|text| text.trim().parse::<i64>().ok())
            .ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_last_event_id",
                    "Last-Event-ID must be the id of an event this stream sent",
                )
                .with_path("Last-Event-ID")
            })?,
        None => query.last_event_id.unwrap_or(0),
    };
    Ok(party_event_stream(
        Arc::clone(&state.node),
        party,
        last_event_id,
    ))
}

/// A party's events after `last_event_id` as server-sent events, then new ones as they are
/// stored: the API's `/api/v1/stream` and the console's stream behind its session cookie.
pub(crate) fn party_event_stream(
    node: Arc<Node>,
    party: PartyId,
    last_event_id: i64,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let (sender, receiver) = tokio::sync::mpsc::channel::<Event>(256);
    tokio::spawn(feed_stream(node, party, last_event_id, sender));
    let events = futures::stream::unfold(receiver, |mut receiver| async move {
        receiver
            .recv()
            .await
            .map(|event| (Ok::<Event, Infallible>(event), receiver))
    });
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// Sends a party's stored events after `last`, then waits for notices and sends what is new.
/// Events are always read from the store, so a notice that is missed or late loses nothing.
async fn feed_stream(
    node: Arc<Node>,
    party: PartyId,
    mut last: i64,
    sender: tokio::sync::mpsc::Sender<Event>,
) {
    let mut notices = node.subscribe_to_events();
    let mut closed = node.streams_closed();
    // Recording delivery is a durable write; it runs beside the stream so the next events
    // never wait for it, and a burst's deliveries are recorded together. When the stream
    // ends, what was handed over is still recorded.
    let (deliveries, mut delivered) = tokio::sync::mpsc::unbounded_channel::<Vec<EventView>>();
    {
        let (node, party) = (node.clone(), party.clone());
        tokio::spawn(async move {
            while let Some(mut events) = delivered.recv().await {
                while let Ok(more) = delivered.try_recv() {
                    events.extend(more);
                }
                if let Err(error) = node.record_delivery(&party, &events).await {
                    tracing::warn!(%error, %party, "recording delivery failed; the stream goes on");
                }
            }
        });
    }
    loop {
        // Drain everything stored after `last`: hand the events over, then have their
        // delivery recorded.
        loop {
            let batch = match node.read_events(&party, last, 500).await {
                Ok(batch) => batch,
                Err(error) => {
                    tracing::warn!(%error, %party, "reading events for a stream failed");
                    return;
                }
            };
            let full = batch.len() == 500;
            for event in &batch {
                if sender.send(sse_event(event)).await.is_err() {
                    return;
                }
                last = event.sequence;
            }
            let _ = deliveries.send(batch);
            if !full {
                break;
            }
        }
        // Wait for a notice that concerns this party (in a shared deployment, also look again
        // now and then: the events table is the truth, a notice only hurries the reader).
        let shared = node.is_shared();
        loop {
            tokio::select! {
                () = tokio::time::sleep(redline_node::Node::STREAM_RECHECK_INTERVAL), if shared => break,
                notice = notices.recv() => match notice {
                    Ok(notice) if notice.parties.contains(&party) => break,
                    Ok(_) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => break,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                },
                changed = closed.changed() => {
                    if changed.is_err() || *closed.borrow() {
                        return;
                    }
                }
                () = sender.closed() => return,
            }
        }
    }
}

pub(crate) async fn list_checks(
    State(state): State<AppState>,
    caller: crate::auth::MaybeSignedIn,
    ApiQuery(query): ApiQuery<LimitQuery>,
) -> Result<Response, ApiError> {
    let checks = state
        .node
        .list_communication_checks(caller.reader(), query.limit.unwrap_or(50))
        .await?;
    Ok(Json(serde_json::json!({ "checks": checks })).into_response())
}

pub(crate) async fn check_results(State(state): State<AppState>) -> Result<Response, ApiError> {
    let results = state.node.communication_check_results().await?;
    Ok(Json(serde_json::json!({ "parties": results })).into_response())
}

pub(crate) async fn show_check(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_record_id(&id, "communication check")?;
    Ok(Json(state.node.get_communication_check(&caller, id).await?).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RotateKey {
    public_key: String,
    old_key_id: String,
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RevokeKey {
    reason: String,
}

fn parse_party(text: &str) -> Result<PartyId, ApiError> {
    PartyId::parse(text).map_err(|message| {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message).with_path("id")
    })
}

fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|error| ApiError::bad_request("malformed_json", error.to_string()))
}

pub(crate) async fn rotate_key(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(party): Path<String>,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let party = parse_party(&party)?;
    let request: RotateKey = parse_body(&body)?;
    let key = state
        .node
        .rotate_party_key(
            &caller,
            &party,
            &request.public_key,
            &request.old_key_id,
            &request.reason,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(key)).into_response())
}

pub(crate) async fn revoke_key(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path((party, key_id)): Path<(String, String)>,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let party = parse_party(&party)?;
    let request: RevokeKey = parse_body(&body)?;
    let key = state
        .node
        .revoke_party_key(&caller, &party, &key_id, &request.reason)
        .await?;
    Ok(Json(key).into_response())
}

const HOTLINE_OPERATIONS: &[TabledOperation] = {
    use utoipa::openapi::HttpMethod::{Get, Post};
    const REFUSED: (&str, &str) = (
        "422",
        "refused: bad signature, unknown or revoked key, sent_at outside the allowed skew, unknown recipient, malformed payload (error.code names the rule, error.path the field)",
    );
    &[
        TabledOperation::new(Post, "/api/v1/messages", "sendMessage", "Send a signed hotline message: a DSSE envelope (payloadType application/vnd.redline.message+json, Ed25519) whose payload is a HotlineMessage (components/schemas/HotlineMessage; schemas/hotline-message.schema.json): one of eleven kinds, among them request-outcome — where a recipient stands on an assistance or mitigation request of the thread (accepted, partly with what is done and not, declined with a reason, completed), only after its previous outcome by an allowed step. Stored durably and delivered before the answer.", &[
                (
                    "201",
                    "accepted: id, thread, thread_state, acknowledge_by, respond_by",
                ),
                ("400", "malformed JSON"),
                ("401", "no or wrong token"),
                (
                    "403",
                    "the signer or sender is not the signed-in party, or the sender is not in the thread",
                ),
                (
                    "409",
                    "a message with this id was already accepted (replay), or the thread is closed",
                ),
                ("413", "body over the limit"),
                REFUSED,
            ]),
        TabledOperation::new(Post, "/api/v1/incidents/with-notification", "submitIncidentWithNotification", "Submit an incident report and open its notification thread to the affected states in one request: {\"incident\": REPORT, \"notification\": ENVELOPE}", &[
                ("201", "the incident and the accepted notification"),
                ("400", "malformed JSON"),
                ("401", "no or wrong token"),
                REFUSED,
            ]),
        TabledOperation::new(Get, "/api/v1/messages/{id}", "showMessage", "One message with its envelope, as its sender or a recipient sees it", &[
                ("200", "the message"),
                ("404", "no such message, or not yours to read"),
            ]),
        TabledOperation::new(Get, "/api/v1/messages/{id}/form", "messageForm", "The message's standard form in the reader's language (en, fr, es, ru, zh, ar; `lang` or Accept-Language); free text stays as written", &[
                (
                    "200",
                    "the form: language, direction (ltr/rtl), title, headers, standard text, free text",
                ),
                ("404", "no such message"),
            ]).query(&[("lang", "BCP 47 language tag")]).headers(&[("Accept-Language", "preferred languages")]),
        TabledOperation::new(Get, "/api/v1/threads/{id}", "showThread", "A thread: its state (sent, delivered, acknowledged, answered, closed, or overdue), deadlines and messages in order, and each assistance or mitigation request with each recipient's outcomes (accepted, partly, declined, completed) and answer deadline", &[
                ("200", "the thread"),
                ("404", "no such thread, or not a participant"),
            ]),
        TabledOperation::new(Get, "/api/v1/inbox", "inbox", "The signed-in party's threads, newest first, with deadlines and what is awaited from it", &[
                ("200", "{\"threads\": [...]}"),
                ("401", "no or wrong token"),
            ]).query(&[("limit", "at most this many threads (default 100)")]),
        TabledOperation::new(Get, "/api/v1/events", "listEvents", "The signed-in party's events after a sequence number (polling alternative to the stream)", &[
                ("200", "{\"events\": [...]}"),
                ("403", "operators have no stream"),
            ]).query(&[
                ("after", "the last event sequence seen (default 0)"),
                ("limit", "at most this many (default 100)"),
            ]),
        TabledOperation::new(Get, "/api/v1/stream", "eventStream", "The signed-in party's events as server-sent events (text/event-stream): messages, thread state changes, reminders, overdue alerts. Reconnect with Last-Event-ID to get every later event exactly once.", &[
                ("200", "text/event-stream"),
                ("400", "Last-Event-ID is not an event id"),
                ("401", "no or wrong token"),
            ]).query(&[("last_event_id", "for clients that cannot set the header")]).headers(&[("Last-Event-ID", "the id of the last event received")]),
        TabledOperation::new(Get, "/api/v1/checks", "listCommunicationChecks", "Communication checks the caller may read, newest first: `clear` ones without a token, `green` ones for every party, restricted ones for their participants", &[("200", "{\"checks\": [...]}")]).public().query(&[("limit", "at most this many (default 50)")]),
        TabledOperation::new(Get, "/api/v1/checks/results", "communicationCheckResults", "Per party: checks received, answered in time, late, silent, median reply time", &[("200", "{\"parties\": [...]}")]).public(),
        TabledOperation::new(Get, "/api/v1/checks/{id}", "showCommunicationCheck", "One communication check: each target answered, late or silent, and how fast", &[("200", "the check"), ("404", "no such check")]),
        TabledOperation::new(Post, "/api/v1/parties/{id}/keys/rotate", "rotatePartyKey", "Register a new public key and revoke an old one: {\"public_key\", \"old_key_id\", \"reason\"}. Messages signed by the old key after now are refused.", &[
                ("201", "the new key"),
                ("403", "not your party"),
                ("404", "no such party or key"),
            ]),
        TabledOperation::new(Post, "/api/v1/parties/{id}/keys/{key_id}/revoke", "revokePartyKey", "Revoke a key with a reason: {\"reason\"}", &[
                ("200", "the revoked key"),
                ("403", "not your party"),
                ("404", "no such party or key"),
            ]),
    ]
};

/// The hotline's paths for `/api/openapi.json`.
pub(crate) fn openapi_paths() -> Vec<(String, utoipa::openapi::PathItem)> {
    crate::openapi::tabled_paths("hotline", HOTLINE_OPERATIONS)
}
