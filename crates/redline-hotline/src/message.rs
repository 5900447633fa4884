//! The hotline message: the signed payload of a DSSE envelope (DESIGN.md, "Hotline message").
//!
//! Owns the payload `{ v, id, thread, from, to[], kind, sent_at, incident?, tlp, lang,
//! exercise?, body }`, the eleven message kinds and the body schema of each, parsing with
//! `deny_unknown_fields` and a JSON path on every error (`body.questions[1]`), the rules a
//! message must meet beyond its shape, serialising it back to payload bytes, and the payload's
//! JSON Schema (`hotline_message_json_schema`, published as
//! `schemas/hotline-message.schema.json`).

use redline_model::error::parse_json_with_path;
use redline_model::error::valid_or_invalid;
use redline_model::{IncidentId, ModelError, PartyId, Timestamp, Tlp, ValidationIssue};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::envelope::{path_with_named_field, strip_position};
use crate::request_outcome::RequestOutcomeKind;

/// The payload version this crate reads and writes.
pub const MESSAGE_VERSION: u8 = 1;
/// The most recipients one message may have.
pub const MAXIMUM_RECIPIENTS: usize = 200;
/// The longest free-text field, in characters.
pub const MAXIMUM_FREE_TEXT_CHARACTERS: usize = 20_000;
/// The most items in a list of free-text entries (questions, requested actions, needs).
pub const MAXIMUM_LIST_ITEMS: usize = 50;

redline_model::vocabulary! {
    /// The eleven kinds of hotline message.
    MessageKind {
        Notification => "notification",
        Acknowledgement => "acknowledgement",
        ClarificationRequest => "clarification-request",
        Response => "response",
        AssistanceRequest => "assistance-request",
        AssistanceOffer => "assistance-offer",
        /// Stop malicious activity from your territory (GGE 2015 13(c) and 13(h)).
        MitigationRequest => "mitigation-request",
        CommunicationCheck => "communication-check",
        CheckReply => "check-reply",
        Closure => "closure",
        /// Where a recipient stands on an assistance or mitigation request it was sent
        /// (`request_outcome`).
        RequestOutcome => "request-outcome",
    }
}

impl MessageKind {
    /// Whether a message of this kind may start a new thread. Replies (acknowledgement,
    /// response, check-reply, closure, clarification-request, assistance-offer, request-outcome)
    /// must go into a thread that exists.
    pub fn opens_thread(&self) -> bool {
        matches!(
            self,
            MessageKind::Notification
                | MessageKind::AssistanceRequest
                | MessageKind::MitigationRequest
                | MessageKind::CommunicationCheck
        )
    }
}

/// `notification`: an incident the recipients should know about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationBody {
    /// Free text.
    pub summary: String,
    /// The assessed severity, 0 to 5 (NCISS levels), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_level: Option<u8>,
    /// Free text, one action per entry.
    #[serde(default)]
    pub requested_actions: Vec<String>,
}

/// A body's reference to another message of its thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageReference {
    /// The JSON path of the reference in the payload.
    pub field: &'static str,
    pub id: Uuid,
    /// Whether the referenced message must have been addressed to the sender (what one
    /// acknowledges or answers was sent to it).
    pub must_be_addressed_to_sender: bool,
}

/// `acknowledgement`: receipt of one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgementBody {
    /// The id of the message acknowledged.
    pub of: Uuid,
}

/// `clarification-request`: questions about a message of the thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClarificationRequestBody {
    /// Free text, one question per entry; at least one.
    pub questions: Vec<String>,
}

/// `response`: a substantive reply to one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseBody {
    /// The id of the message answered.
    pub to: Uuid,
    /// Free text.
    pub text: String,
}

/// `assistance-request`: help asked for (GGE 2015 13(h)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssistanceRequestBody {
    /// Free text.
    pub summary: String,
    /// Free text, one need per entry.
    #[serde(default)]
    pub needs: Vec<String>,
}

/// `assistance-offer`: help offered, in answer to a request or unprompted within a thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssistanceOfferBody {
    /// The id of the assistance request answered, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<Uuid>,
    /// Free text.
    pub offer: String,
}

/// `mitigation-request`: stop an activity coming from the recipient's territory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MitigationRequestBody {
    /// Free text describing the activity.
    pub activity: String,
    /// The party whose territory the activity comes from.
    pub from_territory_of: PartyId,
    /// Free text, one indicator per entry (addresses, domains, hashes).
    #[serde(default)]
    pub indicators: Vec<String>,
}

/// `communication-check`: a ping test of the points of contact (OSCE CBM 8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommunicationCheckBody {
    pub check_id: Uuid,
}

/// `check-reply`: the answer to a communication check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckReplyBody {
    pub check_id: Uuid,
}

/// `closure`: the thread is finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClosureBody {
    /// Free text.
    pub reason: String,
}

/// `request-outcome`: where the sender, a recipient of an assistance or mitigation request of
/// the thread, stands on it. `reason` is required for `declined` and only given there; `done`
/// and `not_done` are required for `partly` and only given there; `summary` may be given for
/// `accepted` and `completed`. Which outcome may follow which is
/// `request_outcome::OUTCOME_TRANSITIONS`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestOutcomeBody {
    /// The id of the assistance or mitigation request this outcome is of.
    pub request: Uuid,
    pub outcome: RequestOutcomeKind,
    /// Free text: why the request is declined (`declined` only, and required there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Free text: what is done (`partly` only, and required there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done: Option<String>,
    /// Free text: what is not done (`partly` only, and required there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_done: Option<String>,
    /// Free text: what will be or was done (`accepted` or `completed`, optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

/// The body of a message; the variant is the message's kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum MessageBody {
    Notification(NotificationBody),
    Acknowledgement(AcknowledgementBody),
    ClarificationRequest(ClarificationRequestBody),
    Response(ResponseBody),
    AssistanceRequest(AssistanceRequestBody),
    AssistanceOffer(AssistanceOfferBody),
    MitigationRequest(MitigationRequestBody),
    CommunicationCheck(CommunicationCheckBody),
    CheckReply(CheckReplyBody),
    Closure(ClosureBody),
    RequestOutcome(RequestOutcomeBody),
}

impl MessageBody {
    /// The message this body refers to, if any, and how (see `verify_message`, rule 9).
    pub fn reference(&self) -> Option<MessageReference> {
        match self {
            MessageBody::Acknowledgement(body) => Some(MessageReference {
                field: "body.of",
                id: body.of,
                must_be_addressed_to_sender: true,
            }),
            MessageBody::Response(body) => Some(MessageReference {
                field: "body.to",
                id: body.to,
                must_be_addressed_to_sender: true,
            }),
            MessageBody::AssistanceOffer(AssistanceOfferBody {
                request: Some(request),
                ..
            }) => Some(MessageReference {
                field: "body.request",
                id: *request,
                must_be_addressed_to_sender: false,
            }),
            // Only a recipient of the request gives it an outcome.
            MessageBody::RequestOutcome(body) => Some(MessageReference {
                field: "body.request",
                id: body.request,
                must_be_addressed_to_sender: true,
            }),
            _ => None,
        }
    }

    pub fn kind(&self) -> MessageKind {
        match self {
            MessageBody::Notification(_) => MessageKind::Notification,
            MessageBody::Acknowledgement(_) => MessageKind::Acknowledgement,
            MessageBody::ClarificationRequest(_) => MessageKind::ClarificationRequest,
            MessageBody::Response(_) => MessageKind::Response,
            MessageBody::AssistanceRequest(_) => MessageKind::AssistanceRequest,
            MessageBody::AssistanceOffer(_) => MessageKind::AssistanceOffer,
            MessageBody::MitigationRequest(_) => MessageKind::MitigationRequest,
            MessageBody::CommunicationCheck(_) => MessageKind::CommunicationCheck,
            MessageBody::CheckReply(_) => MessageKind::CheckReply,
            MessageBody::Closure(_) => MessageKind::Closure,
            MessageBody::RequestOutcome(_) => MessageKind::RequestOutcome,
        }
    }
}

/// One hotline message, parsed and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotlineMessage {
    /// A fresh UUID per message; the node refuses one it has seen.
    pub id: Uuid,
    /// The thread (the matter) the message belongs to.
    pub thread: Uuid,
    pub from: PartyId,
    /// At least one recipient, without duplicates and without the sender.
    pub to: Vec<PartyId>,
    pub sent_at: Timestamp,
    pub incident: Option<IncidentId>,
    pub tlp: Tlp,
    /// BCP 47 tag of the language the free text is written in.
    pub lang: String,
    /// Marks a message of an exercise, so no one mistakes it for a real one.
    pub exercise: bool,
    pub body: MessageBody,
}

impl HotlineMessage {
    pub fn kind(&self) -> MessageKind {
        self.body.kind()
    }

    /// Parses payload bytes: shape first (unknown fields and bad values named by JSON path),
    /// then the body by its kind, then the rules of `validate`.
    pub fn parse(bytes: &[u8]) -> Result<Self, ModelError> {
        let wire: WireMessage = parse_json_with_path(bytes)?;
        if wire.v != MESSAGE_VERSION {
            return Err(ModelError::Shape {
                path: "v".to_string(),
                message: format!(
                    "version {} is not supported; this node reads version {MESSAGE_VERSION}",
                    wire.v
                ),
            });
        }
        let body = parse_body(wire.kind, wire.body)?;
        let message = Self {
            id: wire.id,
            thread: wire.thread,
            from: wire.from,
            to: wire.to,
            sent_at: wire.sent_at,
            incident: wire.incident,
            tlp: wire.tlp,
            lang: wire.lang,
            exercise: wire.exercise,
            body,
        };
        let issues = message.validate();
        valid_or_invalid(message, issues)
    }

    /// The payload bytes: compact JSON, fields in the order of DESIGN.md.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        let wire = WireMessageOut {
            v: MESSAGE_VERSION,
            id: self.id,
            thread: self.thread,
            from: &self.from,
            to: &self.to,
            kind: self.kind(),
            sent_at: self.sent_at,
            incident: self.incident.as_ref(),
            tlp: self.tlp,
            lang: &self.lang,
            exercise: self.exercise,
            body: &self.body,
        };
        // Every field serialises infallibly (strings, ids, numbers); an empty vector never leaves.
        serde_json::to_vec(&wire).unwrap_or_default()
    }

    /// The rules beyond shape, each problem with its JSON path.
    pub fn validate(&self) -> Vec<ValidationIssue> {
        let mut issues = Vec::new();
        if self.to.is_empty() {
            issues.push(ValidationIssue::new(
                "to",
                "at least one recipient is required",
            ));
        }
        if self.to.len() > MAXIMUM_RECIPIENTS {
            issues.push(ValidationIssue::new(
                "to",
                format!("at most {MAXIMUM_RECIPIENTS} recipients are allowed"),
            ));
        }
        for (index, recipient) in self.to.iter().enumerate() {
            if *recipient == self.from {
                issues.push(ValidationIssue::new(
                    format!("to[{index}]"),
                    "a party cannot send a message to itself",
                ));
            }
            if self.to[..index].contains(recipient) {
                issues.push(ValidationIssue::new(
                    format!("to[{index}]"),
                    format!("`{recipient}` is listed twice"),
                ));
            }
        }
        let looks_like_language_tag = (2..=35).contains(&self.lang.len())
            && self
                .lang
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-');
        if !looks_like_language_tag {
            issues.push(ValidationIssue::new(
                "lang",
                format!(
                    "`{}` is not a BCP 47 language tag such as `en` or `zh-Hans`",
                    self.lang
                ),
            ));
        }
        validate_body(&self.body, &mut issues);
        issues
    }
}

fn validate_body(body: &MessageBody, issues: &mut Vec<ValidationIssue>) {
    match body {
        MessageBody::Notification(notification) => {
            check_free_text("body.summary", &notification.summary, issues);
            if let Some(level) = notification.severity_level
                && level > 5
            {
                issues.push(ValidationIssue::new(
                    "body.severity_level",
                    format!("severity levels run from 0 to 5, not {level}"),
                ));
            }
            check_free_text_list(
                "body.requested_actions",
                &notification.requested_actions,
                false,
                issues,
            );
        }
        MessageBody::ClarificationRequest(request) => {
            check_free_text_list("body.questions", &request.questions, true, issues);
        }
        MessageBody::Response(response) => check_free_text("body.text", &response.text, issues),
        MessageBody::AssistanceRequest(request) => {
            check_free_text("body.summary", &request.summary, issues);
            check_free_text_list("body.needs", &request.needs, false, issues);
        }
        MessageBody::AssistanceOffer(offer) => check_free_text("body.offer", &offer.offer, issues),
        MessageBody::MitigationRequest(request) => {
            check_free_text("body.activity", &request.activity, issues);
            check_free_text_list("body.indicators", &request.indicators, false, issues);
        }
        MessageBody::Closure(closure) => check_free_text("body.reason", &closure.reason, issues),
        MessageBody::RequestOutcome(outcome) => validate_request_outcome(outcome, issues),
        MessageBody::Acknowledgement(_)
        | MessageBody::CommunicationCheck(_)
        | MessageBody::CheckReply(_) => {}
    }
}

/// Which free-text fields each outcome requires, allows or refuses.
fn validate_request_outcome(body: &RequestOutcomeBody, issues: &mut Vec<ValidationIssue>) {
    use RequestOutcomeKind::{Accepted, Completed, Declined, Partly};
    let outcome = body.outcome;
    let fields: [(&str, &Option<String>, &[RequestOutcomeKind], bool); 4] = [
        ("body.reason", &body.reason, &[Declined], true),
        ("body.done", &body.done, &[Partly], true),
        ("body.not_done", &body.not_done, &[Partly], true),
        ("body.summary", &body.summary, &[Accepted, Completed], false),
    ];
    for (path, value, outcomes, required) in fields {
        let belongs = outcomes.contains(&outcome);
        match value {
            Some(text) if belongs => check_free_text(path, text, issues),
            Some(_) => {
                let owners: Vec<&str> = outcomes.iter().map(|kind| kind.as_str()).collect();
                issues.push(ValidationIssue::new(
                    path,
                    format!(
                        "only a {} outcome gives this field, not a {} one",
                        owners.join(" or "),
                        outcome.as_str()
                    ),
                ));
            }
            None if belongs && required => issues.push(ValidationIssue::new(
                path,
                format!("a {} outcome must give this field", outcome.as_str()),
            )),
            None => {}
        }
    }
}

fn check_free_text(path: &str, text: &str, issues: &mut Vec<ValidationIssue>) {
    if text.trim().is_empty() {
        issues.push(ValidationIssue::new(path, "must not be empty"));
    } else if text.chars().count() > MAXIMUM_FREE_TEXT_CHARACTERS {
        issues.push(ValidationIssue::new(
            path,
            format!("at most {MAXIMUM_FREE_TEXT_CHARACTERS} characters are allowed"),
        ));
    }
}

fn check_free_text_list(
    path: &str,
    items: &[String],
    at_least_one: bool,
    issues: &mut Vec<ValidationIssue>,
) {
    if at_least_one && items.is_empty() {
        issues.push(ValidationIssue::new(path, "at least one entry is required"));
    }
    if items.len() > MAXIMUM_LIST_ITEMS {
        issues.push(ValidationIssue::new(
            path,
            format!("at most {MAXIMUM_LIST_ITEMS} entries are allowed"),
        ));
    }
    for (index, item) in items.iter().enumerate() {
        check_free_text(&format!("{path}[{index}]"), item, issues);
    }
}

/// The payload as it arrives; `body` is read by `kind` afterwards so its errors carry
/// `body.`-prefixed paths.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireMessage {
    v: u8,
    id: Uuid,
    thread: Uuid,
    from: PartyId,
    to: Vec<PartyId>,
    kind: MessageKind,
    sent_at: Timestamp,
    #[serde(default)]
    incident: Option<IncidentId>,
    tlp: Tlp,
    lang: String,
    #[serde(default)]
    exercise: bool,
    body: serde_json::Value,
}

#[derive(Serialize)]
struct WireMessageOut<'message> {
    v: u8,
    id: Uuid,
    thread: Uuid,
    from: &'message PartyId,
    to: &'message [PartyId],
    kind: MessageKind,
    sent_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    incident: Option<&'message IncidentId>,
    tlp: Tlp,
    lang: &'message str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    exercise: bool,
    body: &'message MessageBody,
}

// The payload's shape for its JSON Schema: `WireMessage`, with every field described; the doc
// comment below is the schema's description.
/// A hotline message: the signed payload of a DSSE envelope whose payloadType is
/// `application/vnd.redline.message+json`. `body` is the body of its `kind`.
#[derive(schemars::JsonSchema)]
#[schemars(rename = "HotlineMessage")]
#[serde(deny_unknown_fields)]
// Never built: only its schema is read.
#[allow(dead_code)]
struct PayloadShape {
    /// The payload version; 1.
    v: u8,
    /// A fresh UUID per message; the node refuses one it has seen.
    id: Uuid,
    /// The thread (the matter) the message belongs to.
    thread: Uuid,
    /// The sending party; must be the party whose credentials send it.
    from: PartyId,
    /// At least one recipient, without duplicates and without the sender.
    to: Vec<PartyId>,
    /// What the message is; `body` is read by it.
    kind: MessageKind,
    /// When the sender sent it (UTC); within the node's allowed clock skew of its reception.
    sent_at: Timestamp,
    /// The incident the message is about, if any.
    #[serde(default)]
    incident: Option<IncidentId>,
    tlp: Tlp,
    /// BCP 47 tag of the language the free text is written in.
    lang: String,
    /// Marks a message of an exercise.
    #[serde(default)]
    exercise: bool,
    /// The body of the message's kind (see the conditions below).
    body: serde_json::Map<String, serde_json::Value>,
}

/// The JSON Schema (draft 2020-12) of a hotline message's payload, the body of each kind tied to
/// its `kind` (`schemas/hotline-message.schema.json`, and the OpenAPI document's
/// `HotlineMessage`). The rules beyond shape (`validate`: a declined outcome's reason, no
/// message to oneself, …) are the parser's.
pub fn hotline_message_json_schema() -> serde_json::Value {
    let mut generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let mut schema = generator.root_schema_for::<PayloadShape>().to_value();
    let conditions: Vec<serde_json::Value> = MessageKind::ALL
        .iter()
        .map(|kind| {
            let body = body_schema(&mut generator, *kind).to_value();
            serde_json::json!({
                "if": { "properties": { "kind": { "const": kind.as_str() } }, "required": ["kind"] },
                "then": { "properties": { "body": body } }
            })
        })
        .collect();
    let definitions = generator.take_definitions(true);
    if let Some(object) = schema.as_object_mut() {
        let defs = object
            .entry("$defs")
            .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
        if let Some(defs) = defs.as_object_mut() {
            for (name, definition) in definitions {
                defs.entry(name).or_insert(definition);
            }
        }
        object.insert("allOf".to_string(), serde_json::Value::Array(conditions));
    }
    schema
}

fn body_schema(
    generator: &mut schemars::generate::SchemaGenerator,
    kind: MessageKind,
) -> schemars::Schema {
    match kind {
        MessageKind::Notification => generator.subschema_for::<NotificationBody>(),
        MessageKind::Acknowledgement => generator.subschema_for::<AcknowledgementBody>(),
        MessageKind::ClarificationRequest => generator.subschema_for::<ClarificationRequestBody>(),
        MessageKind::Response => generator.subschema_for::<ResponseBody>(),
        MessageKind::AssistanceRequest => generator.subschema_for::<AssistanceRequestBody>(),
        MessageKind::AssistanceOffer => generator.subschema_for::<AssistanceOfferBody>(),
        MessageKind::MitigationRequest => generator.subschema_for::<MitigationRequestBody>(),
        MessageKind::CommunicationCheck => generator.subschema_for::<CommunicationCheckBody>(),
        MessageKind::CheckReply => generator.subschema_for::<CheckReplyBody>(),
        MessageKind::Closure => generator.subschema_for::<ClosureBody>(),
        MessageKind::RequestOutcome => generator.subschema_for::<RequestOutcomeBody>(),
    }
}

fn parse_body(kind: MessageKind, body: serde_json::Value) -> Result<MessageBody, ModelError> {
    Ok(match kind {
        MessageKind::Notification => MessageBody::Notification(parse_body_as(body)?),
        MessageKind::Acknowledgement => MessageBody::Acknowledgement(parse_body_as(body)?),
        MessageKind::ClarificationRequest => {
            MessageBody::ClarificationRequest(parse_body_as(body)?)
        }
        MessageKind::Response => MessageBody::Response(parse_body_as(body)?),
        MessageKind::AssistanceRequest => MessageBody::AssistanceRequest(parse_body_as(body)?),
        MessageKind::AssistanceOffer => MessageBody::AssistanceOffer(parse_body_as(body)?),
        MessageKind::MitigationRequest => MessageBody::MitigationRequest(parse_body_as(body)?),
        MessageKind::CommunicationCheck => MessageBody::CommunicationCheck(parse_body_as(body)?),
        MessageKind::CheckReply => MessageBody::CheckReply(parse_body_as(body)?),
        MessageKind::Closure => MessageBody::Closure(parse_body_as(body)?),
        MessageKind::RequestOutcome => MessageBody::RequestOutcome(parse_body_as(body)?),
    })
}

fn parse_body_as<T: DeserializeOwned>(body: serde_json::Value) -> Result<T, ModelError> {
    serde_path_to_error::deserialize(body).map_err(|error| {
        let inner_path = error.path().to_string();
        let message = strip_position(&error.into_inner().to_string());
        let body_path = if inner_path.is_empty() || inner_path == "." {
            "body".to_string()
        } else {
            format!("body.{inner_path}")
        };
        ModelError::Shape {
            path: path_with_named_field(&body_path, &message),
            message,
        }
    })
}
