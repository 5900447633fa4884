//! The console's hotline: the inbox with its deadlines, a thread with each message's standard
//! form in the reader's language and each assistance or mitigation request with where every
//! recipient stands on it (its structured outcomes and answer deadline), the actions
//! (acknowledge, reply, clarification request, assistance request, and an outcome of a request
//! sent to the reader) and the live view of the signed-in party's event stream.
//!
//! Signing stays with the user. An action is first *prepared*: the server builds the message
//! payload (fresh id, the thread's recipients, the node's time) and hands it back; the browser
//! signs it with the party's key (WebCrypto Ed25519, from the PKCS#8 PEM file `redline keygen`
//! wrote, read in the browser and never uploaded), or the user signs it elsewhere with
//! `redline sign` and pastes the envelope. The envelope is then posted here and given to the
//! node's `accept_message` as the signed-in party, exactly as `POST /api/v1/messages` does. The
//! server never holds a party's private key: there is no server-held-key mode.
//!
//! The live view (`/console/stream`) is the node's event stream for the session's party as
//! server-sent events (the API's `/api/v1/stream` needs a bearer token, which the browser does
//! not have: the session cookie stands in for it).

use std::sync::Arc;

use askama::Template;
use axum::{
    Extension, Form, Json,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use base64::Engine;
use redline_hotline::{HotlineMessage, MessageBody, MessageKind, RequestOutcomeKind, message};
use redline_model::{DutyKind, PartyId};
use redline_node::{Awaiting, Caller, Node, NodeError, RequestView, ThreadSummary, ThreadView};
use uuid::Uuid;

use super::{
    Page, PageError, ShownTime,
    console::{Sessions, constant_time_equal, same_origin, signed_in},
    render,
};
use crate::AppState;

/// The label of a thread state in the reader's language.
fn state_label(page: &Page, state: &str) -> String {
    page.t(&format!("state-{state}"))
}

/// The deadline that matters in a thread's current state, with its label key.
fn current_deadline(thread: &ThreadSummary) -> Option<(&'static str, ShownTime)> {
    let shown = |at: redline_model::Timestamp| ShownTime::from_jiff(at.as_jiff());
    match thread.state.as_str() {
        "sent" | "delivered" | "acknowledgement-overdue" => thread
            .acknowledge_by
            .map(|at| ("acknowledge-by", shown(at))),
        "acknowledged" | "response-overdue" => {
            thread.respond_by.map(|at| ("respond-by", shown(at)))
        }
        _ => None,
    }
}

/// A thread as the inbox lists it.
pub(crate) struct InboxRow {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) incident: String,
    pub(crate) opened_by: String,
    pub(crate) state: String,
    pub(crate) state_label: String,
    pub(crate) updated: ShownTime,
    pub(crate) deadline: Option<(String, ShownTime)>,
    pub(crate) awaiting: Option<String>,
    pub(crate) exercise: bool,
}

pub(crate) fn inbox_row(page: &Page, thread: &ThreadSummary) -> InboxRow {
    InboxRow {
        id: thread.id.to_string(),
        kind: thread.opening_kind.clone(),
        incident: thread.incident.clone().unwrap_or_default(),
        opened_by: thread.opened_by.to_string(),
        state: thread.state.clone(),
        state_label: state_label(page, &thread.state),
        updated: ShownTime::from_jiff(thread.updated_at.as_jiff()),
        deadline: current_deadline(thread).map(|(key, at)| (page.t(key), at)),
        awaiting: thread
            .awaiting_from_you
            .map(|what| page.t(&format!("awaiting-{}", what.as_str()))),
        exercise: thread.exercise,
    }
}

/// One message of a thread, with its standard form.
pub(crate) struct MessageRow {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) received: ShownTime,
    pub(crate) title: String,
    pub(crate) direction: &'static str,
    pub(crate) language: &'static str,
    pub(crate) exercise_banner: Option<String>,
    pub(crate) headers: Vec<String>,
    pub(crate) standard_text: Vec<String>,
    pub(crate) free_text: Vec<(String, Vec<String>)>,
    pub(crate) envelope: String,
}

/// One outcome a recipient gave, with its free text as written.
pub(crate) struct OutcomeStepRow {
    pub(crate) outcome_code: &'static str,
    pub(crate) outcome: String,
    pub(crate) at: ShownTime,
    /// (label, text as written)
    pub(crate) texts: Vec<(String, String)>,
}

/// One recipient of a request on the thread page.
pub(crate) struct RequestRecipientRow {
    pub(crate) party: String,
    pub(crate) outcome_code: &'static str,
    pub(crate) outcome: String,
    pub(crate) answer_by: Option<ShownTime>,
    pub(crate) answered: Option<ShownTime>,
    /// The answer is timed by the document's initial-reply duty (it has no assistance-answer
    /// duty): the page says so.
    pub(crate) timed_by_initial_reply: bool,
    pub(crate) offers: usize,
    pub(crate) steps: Vec<OutcomeStepRow>,
}

/// One request of the thread on its page.
pub(crate) struct RequestRow {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) from: String,
    pub(crate) requested: ShownTime,
    pub(crate) recipients: Vec<RequestRecipientRow>,
}

fn outcome_word(page: &Page, outcome: Option<RequestOutcomeKind>) -> (&'static str, String) {
    match outcome {
        Some(outcome) => (
            outcome.as_str(),
            page.t(&format!("request-outcome-{}", outcome.as_str())),
        ),
        None => ("none", page.t("request-no-outcome")),
    }
}

fn request_rows(page: &Page, requests: &[RequestView]) -> Vec<RequestRow> {
    let shown = |at: redline_model::Timestamp| ShownTime::from_jiff(at.as_jiff());
    requests
        .iter()
        .map(|request| RequestRow {
            id: request.request.to_string(),
            kind: page.t(&format!("request-kind-{}", request.kind)),
            from: request.from.to_string(),
            requested: shown(request.requested_at),
            recipients: request
                .recipients
                .iter()
                .map(|recipient| {
                    let (outcome_code, outcome) = outcome_word(page, recipient.outcome);
                    RequestRecipientRow {
                        party: recipient.party.to_string(),
                        outcome_code,
                        outcome,
                        answer_by: recipient.answer_by.map(shown),
                        answered: recipient.answered_at.map(shown),
                        timed_by_initial_reply: recipient.answer_duty
                            == Some(DutyKind::InitialReply),
                        offers: recipient.offers.len(),
                        steps: recipient
                            .steps
                            .iter()
                            .map(|step| {
                                let (outcome_code, outcome) =
                                    outcome_word(page, Some(step.outcome));
                                let texts = [
                                    ("request-reason", &step.reason),
                                    ("request-done", &step.done),
                                    ("request-not-done", &step.not_done),
                                    ("request-summary", &step.summary),
                                ]
                                .into_iter()
                                .filter_map(|(label, text)| {
                                    text.as_ref().map(|text| (page.t(label), text.clone()))
                                })
                                .collect();
                                OutcomeStepRow {
                                    outcome_code,
                                    outcome,
                                    at: shown(step.at),
                                    texts,
                                }
                            })
                            .collect(),
                    }
                })
                .collect(),
        })
        .collect()
}

/// The requests of the thread sent to `party` that may still take an outcome from it (no
/// outcome yet, or one that is not final): what its outcome form offers.
fn requests_awaiting_outcome(view: &ThreadView, party: &PartyId) -> Vec<String> {
    view.requests
        .iter()
        .filter(|request| {
            request.recipients.iter().any(|recipient| {
                &recipient.party == party
                    && !recipient.outcome.is_some_and(|outcome| outcome.is_final())
            })
        })
        .map(|request| request.request.to_string())
        .collect()
}

#[derive(Template)]
#[template(path = "dashboard/thread.html")]
struct ThreadTemplate {
    page: Page,
    csrf: String,
    thread: ThreadSummary,
    state_label: String,
    state_labels_json: String,
    opened: ShownTime,
    acknowledge_by: Option<ShownTime>,
    respond_by: Option<ShownTime>,
    participants: String,
    messages: Vec<MessageRow>,
    requests: Vec<RequestRow>,
    /// The requests the reader may give an outcome (its outcome form's choices).
    outcome_requests: Vec<String>,
    /// The outcomes, as (code, word in the reader's language).
    outcome_choices: Vec<(&'static str, String)>,
    actions: Vec<ActionView>,
    awaiting: Option<String>,
    last_event: i64,
    sent: bool,
}

fn parse_thread_id(text: &str) -> Option<Uuid> {
    Uuid::parse_str(text).ok()
}

#[derive(serde::Deserialize)]
pub(crate) struct ThreadQuery {
    sent: Option<String>,
}

/// Every thread state's label, as JSON for the live view's script.
pub(crate) fn state_labels_json(page: &Page) -> String {
    let labels: serde_json::Map<String, serde_json::Value> = redline_hotline::ThreadState::ALL
        .iter()
        .map(|state| {
            (
                state.as_str().to_string(),
                serde_json::Value::from(state_label(page, state.as_str())),
            )
        })
        .collect();
    serde_json::Value::Object(labels).to_string()
}

/// An action form of a thread page.
pub(crate) struct ActionView {
    pub(crate) kind: &'static str,
    pub(crate) label: String,
}

/// The actions the reader may take in a thread: an outcome only while a request sent to it
/// still takes one.
fn actions_for(thread: &ThreadSummary, awaiting_outcome: bool) -> Vec<&'static str> {
    if thread.state == "closed" {
        return Vec::new();
    }
    let mut actions = Vec::new();
    if thread.awaiting_from_you == Some(Awaiting::Acknowledgement) {
        actions.push("acknowledgement");
    }
    actions.extend(["response", "clarification-request", "assistance-request"]);
    if awaiting_outcome {
        actions.push("request-outcome");
    }
    actions
}

pub(crate) async fn thread(
    State(state): State<AppState>,
    Extension(sessions): Extension<Sessions>,
    mut page: Page,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<ThreadQuery>,
) -> Response {
    let Some(signed) = signed_in(&state, &sessions, &headers).await else {
        return Redirect::to("/console/sign-in").into_response();
    };
    page.signed_in = Some(signed.party.to_string());
    let Some(id) = parse_thread_id(&id) else {
        return PageError::not_found(page).into_response();
    };
    let caller = Caller::Party(signed.party.clone());
    // Read the event position first: anything after it reaches the page live.
    let last_event = match state.node.latest_event_sequence(&signed.party).await {
        Ok(sequence) => sequence,
        Err(error) => return PageError::new(page, error).into_response(),
    };
    let view = match state.node.get_thread_view(&caller, id).await {
        Ok(view) => view,
        Err(error) => return PageError::new(page, error).into_response(),
    };
    let preferred = vec![page.lang().to_string()];
    let mut messages = Vec::with_capacity(view.messages.len());
    for message in &view.messages {
        let form = match state
            .node
            .render_message_form(&caller, message.id, &preferred)
            .await
        {
            Ok(form) => form,
            Err(error) => return PageError::new(page, error).into_response(),
        };
        messages.push(MessageRow {
            id: message.id.to_string(),
            kind: message.kind.clone(),
            from: message.from.to_string(),
            to: message
                .to
                .iter()
                .map(PartyId::as_str)
                .collect::<Vec<_>>()
                .join(", "),
            received: ShownTime::from_jiff(message.received_at.as_jiff()),
            title: form.title.clone(),
            direction: form.direction.as_html_dir(),
            language: form.language.tag(),
            exercise_banner: form.exercise_banner.clone(),
            headers: form.headers.clone(),
            standard_text: form.standard_text.clone(),
            free_text: form
                .free_text
                .iter()
                .map(|field| (field.label.clone(), field.entries.clone()))
                .collect(),
            envelope: serde_json::to_string_pretty(&message.envelope).unwrap_or_default(),
        });
    }
    let requests = request_rows(&page, &view.requests);
    let outcome_requests = requests_awaiting_outcome(&view, &signed.party);
    let outcome_choices = RequestOutcomeKind::ALL
        .iter()
        .map(|outcome| {
            (
                outcome.as_str(),
                page.t(&format!("request-outcome-{}", outcome.as_str())),
            )
        })
        .collect();
    let thread = view.thread;
    render(&ThreadTemplate {
        csrf: signed.csrf,
        state_label: state_label(&page, &thread.state),
        state_labels_json: state_labels_json(&page),
        opened: ShownTime::from_jiff(thread.opened_at.as_jiff()),
        acknowledge_by: thread
            .acknowledge_by
            .map(|at| ShownTime::from_jiff(at.as_jiff())),
        respond_by: thread
            .respond_by
            .map(|at| ShownTime::from_jiff(at.as_jiff())),
        participants: thread
            .participants
            .iter()
            .map(PartyId::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        actions: actions_for(&thread, !outcome_requests.is_empty())
            .into_iter()
            .map(|kind| ActionView {
                kind,
                label: page.t(&format!("action-{kind}")),
            })
            .collect(),
        awaiting: thread
            .awaiting_from_you
            .map(|what| page.t(&format!("awaiting-{}", what.as_str()))),
        thread,
        messages,
        requests,
        outcome_requests,
        outcome_choices,
        last_event,
        sent: query.sent.is_some(),
        page,
    })
}

/// What an action form sends to be prepared.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct ActionForm {
    csrf: String,
    kind: String,
    text: String,
    questions: String,
    summary: String,
    needs: String,
    /// An outcome's request (its id) and outcome, and its free text.
    request: String,
    outcome: String,
    reason: String,
    done: String,
    not_done: String,
}

/// A free-text field of a form: `None` when left empty.
fn optional_text(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

fn lines_of(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"))
}

fn json_error(status: StatusCode, message: String) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

#[derive(Template)]
#[template(path = "dashboard/prepare.html")]
struct PrepareTemplate {
    page: Page,
    csrf: String,
    thread: String,
    kind: String,
    payload: String,
    payload_base64: String,
    refused: Option<String>,
}

/// Builds the message an action sends in `thread` as `party`, or the problems with the form.
fn build_message(
    node: &Node,
    party: &PartyId,
    view: &redline_node::ThreadView,
    form: &ActionForm,
    language: &str,
) -> Result<HotlineMessage, String> {
    let thread = &view.thread;
    if view.messages.is_empty() {
        return Err("the thread has no messages".to_string());
    }
    let kind = MessageKind::parse(&form.kind)
        .ok_or_else(|| format!("`{}` is not an action of the console", form.kind))?;
    let draft = view.draft_reply(party, kind);
    let answered = draft
        .answers
        .ok_or_else(|| "the thread has no message to answer".to_string());
    let body = match form.kind.as_str() {
        "acknowledgement" => {
            MessageBody::Acknowledgement(message::AcknowledgementBody { of: answered? })
        }
        "response" => MessageBody::Response(message::ResponseBody {
            to: answered?,
            text: form.text.trim().to_string(),
        }),
        "clarification-request" => {
            MessageBody::ClarificationRequest(message::ClarificationRequestBody {
                questions: lines_of(&form.questions),
            })
        }
        "assistance-request" => MessageBody::AssistanceRequest(message::AssistanceRequestBody {
            summary: form.summary.trim().to_string(),
            needs: lines_of(&form.needs),
        }),
        "request-outcome" => {
            // The request chosen, else the one the thread's rule drafts.
            let request = if form.request.trim().is_empty() {
                answered?
            } else {
                Uuid::parse_str(form.request.trim())
                    .map_err(|_| format!("body.request: `{}` is not a request id", form.request))?
            };
            let outcome = RequestOutcomeKind::parse(form.outcome.trim()).ok_or_else(|| {
                format!(
                    "body.outcome: `{}` is not accepted, partly, declined or completed",
                    form.outcome
                )
            })?;
            MessageBody::RequestOutcome(message::RequestOutcomeBody {
                request,
                outcome,
                reason: optional_text(&form.reason),
                done: optional_text(&form.done),
                not_done: optional_text(&form.not_done),
                summary: optional_text(&form.summary),
            })
        }
        other => return Err(format!("`{other}` is not an action of the console")),
    };
    let message = HotlineMessage {
        id: Uuid::new_v4(),
        thread: thread.id,
        from: party.clone(),
        to: draft.to,
        sent_at: node.now(),
        incident: None,
        tlp: thread.tlp,
        lang: language.to_string(),
        exercise: thread.exercise,
        body,
    };
    let issues = message.validate();
    if issues.is_empty() {
        Ok(message)
    } else {
        Err(issues
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "))
    }
}

/// Prepares an action's message for signing: JSON for the page's script, or a page with the
/// payload, the `redline sign` command and a field to paste the envelope.
pub(crate) async fn prepare(
    State(state): State<AppState>,
    Extension(sessions): Extension<Sessions>,
    mut page: Page,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> Response {
    let json = wants_json(&headers);
    let Some(signed) = signed_in(&state, &sessions, &headers).await else {
        return if json {
            json_error(StatusCode::UNAUTHORIZED, "sign in again".into())
        } else {
            Redirect::to("/console/sign-in").into_response()
        };
    };
    if !same_origin(&headers) || !constant_time_equal(&signed.csrf, &form.csrf) {
        return (
            StatusCode::FORBIDDEN,
            "the form's CSRF token is missing or wrong",
        )
            .into_response();
    }
    page.signed_in = Some(signed.party.to_string());
    let Some(id) = parse_thread_id(&id) else {
        return PageError::not_found(page).into_response();
    };
    let caller = Caller::Party(signed.party.clone());
    let view = match state.node.get_thread_view(&caller, id).await {
        Ok(view) => view,
        Err(error) => return PageError::new(page, error).into_response(),
    };
    let message = match build_message(&state.node, &signed.party, &view, &form, page.lang()) {
        Ok(message) => message,
        Err(problem) => {
            return if json {
                json_error(StatusCode::UNPROCESSABLE_ENTITY, problem)
            } else {
                PageError::new(page, NodeError::invalid("body", problem)).into_response()
            };
        }
    };
    let payload = message.to_json_bytes();
    let payload_base64 = base64::engine::general_purpose::STANDARD.encode(&payload);
    let payload_text = String::from_utf8_lossy(&payload).into_owned();
    if json {
        return Json(serde_json::json!({
            "id": message.id,
            "payload": payload_text,
            "payload_base64": payload_base64,
            "payload_type": redline_hotline::MESSAGE_PAYLOAD_TYPE,
        }))
        .into_response();
    }
    render(&PrepareTemplate {
        page,
        csrf: signed.csrf,
        thread: id.to_string(),
        kind: form.kind,
        payload: payload_text,
        payload_base64,
        refused: None,
    })
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct SendForm {
    csrf: String,
    envelope: String,
    thread: String,
}

/// Sends a signed envelope as the signed-in party (the node checks the signature, the sender,
/// the thread and every other rule, as for `POST /api/v1/messages`).
pub(crate) async fn send(
    State(state): State<AppState>,
    Extension(sessions): Extension<Sessions>,
    mut page: Page,
    headers: HeaderMap,
    Form(form): Form<SendForm>,
) -> Response {
    let json = wants_json(&headers);
    let Some(signed) = signed_in(&state, &sessions, &headers).await else {
        return if json {
            json_error(StatusCode::UNAUTHORIZED, "sign in again".into())
        } else {
            Redirect::to("/console/sign-in").into_response()
        };
    };
    if !same_origin(&headers) || !constant_time_equal(&signed.csrf, &form.csrf) {
        return (
            StatusCode::FORBIDDEN,
            "the form's CSRF token is missing or wrong",
        )
            .into_response();
    }
    page.signed_in = Some(signed.party.to_string());
    let caller = Caller::Party(signed.party.clone());
    let envelope = form.envelope.trim();
    match state
        .node
        .accept_message(&caller, envelope.as_bytes())
        .await
    {
        Ok(accepted) => {
            if json {
                Json(serde_json::json!({ "accepted": accepted })).into_response()
            } else {
                Redirect::to(&format!("/console/threads/{}?sent=1", accepted.thread))
                    .into_response()
            }
        }
        Err(error) => {
            let message = error.to_string();
            if json {
                return json_error(StatusCode::UNPROCESSABLE_ENTITY, message);
            }
            let mut response = render(&PrepareTemplate {
                page,
                csrf: signed.csrf,
                thread: parse_thread_id(&form.thread)
                    .map(|id| id.to_string())
                    .unwrap_or_default(),
                kind: String::new(),
                payload: String::new(),
                payload_base64: String::new(),
                refused: Some(message),
            });
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            response
        }
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct StreamQuery {
    after: Option<i64>,
}

/// The session party's events after `after` (or `Last-Event-ID`), then new ones as they are
/// stored: the node's stream, behind the session cookie.
pub(crate) async fn stream(
    State(state): State<AppState>,
    Extension(sessions): Extension<Sessions>,
    headers: HeaderMap,
    Query(query): Query<StreamQuery>,
) -> Response {
    let Some(signed) = signed_in(&state, &sessions, &headers).await else {
        return (StatusCode::UNAUTHORIZED, "sign in to follow the hotline").into_response();
    };
    let last = headers
        .get("last-event-id")
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.trim().parse::<i64>().ok())
        .or(query.after)
        .unwrap_or(0);
    crate::hotline::party_event_stream(Arc::clone(&state.node), signed.party, last).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use redline_hotline::MessageKind;

    #[test]
    fn lines_drop_blank_ones() {
        assert_eq!(
            lines_of(" a \n\n b\n"),
            vec!["a".to_string(), "b".to_string()]
        );
    }

    #[test]
    fn every_kind_the_console_offers_is_a_message_kind() {
        for kind in [
            "acknowledgement",
            "response",
            "clarification-request",
            "assistance-request",
            "request-outcome",
        ] {
            assert!(MessageKind::ALL.iter().any(|known| known.as_str() == kind));
        }
    }
}
