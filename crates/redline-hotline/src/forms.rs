//! Standard forms: each message kind rendered in the recipient's language with Fluent.
//!
//! Owns the six Fluent resources (`locales/{en,fr,es,ru,zh,ar}/hotline.ftl`, the six UN
//! languages, embedded with `include_str!`) and `render_form`. The languages themselves, the
//! choice of one from a party's preferences and the text direction (Arabic is right-to-left) are
//! `redline_model::Language`.
//!
//! The form is the standard part: title, headers (ids, times, TLP) and one or two fixed sentences
//! per kind, filled with the message's fields. Free text (summaries, questions, reasons) never
//! goes through Fluent: it is returned verbatim in `free_text`, under a translated label, in the
//! language the sender wrote it in.
//!
//! Unicode isolation is kept on (Fluent's default): every placeable is wrapped in FIRST STRONG
//! ISOLATE (U+2068) … POP DIRECTIONAL ISOLATE (U+2069). Placeables are party ids, UUIDs, RFC 3339
//! times and TLP labels, all left-to-right; inside an Arabic sentence, without isolation, the
//! bidi algorithm can pull neighbouring punctuation and digits into the Latin run and show the
//! sentence in the wrong order. We keep it on in every language so forms are uniform and a
//! copied id pasted into Arabic text stays intact; the marks are invisible in any bidi-aware
//! display. A display sets the direction of the whole form from `RenderedForm::direction`.

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

pub use redline_model::{Language, TextDirection};

use crate::message::{HotlineMessage, MessageBody};

/// The languages forms exist in: the six official languages of the United Nations, the
/// model's one `Language` type (the name is kept for the hotline's callers).
pub type FormLanguage = Language;

/// The Fluent resource of a language's forms.
fn resource_text(language: FormLanguage) -> &'static str {
    match language {
        Language::English => include_str!("../locales/en/hotline.ftl"),
        Language::French => include_str!("../locales/fr/hotline.ftl"),
        Language::Spanish => include_str!("../locales/es/hotline.ftl"),
        Language::Russian => include_str!("../locales/ru/hotline.ftl"),
        Language::Chinese => include_str!("../locales/zh/hotline.ftl"),
        Language::Arabic => include_str!("../locales/ar/hotline.ftl"),
    }
}

/// How a language separates the items of a list of parties.
fn list_separator(language: FormLanguage) -> &'static str {
    match language {
        Language::Chinese => "、",
        Language::Arabic => "، ",
        _ => ", ",
    }
}

/// A free-text field of the message, exactly as the sender wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeTextField {
    /// The translated label (`Questions (as written by the sender)`).
    pub label: String,
    /// One entry for a text field, one per item for a list.
    pub entries: Vec<String>,
}

/// A message rendered as its standard form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedForm {
    pub language: FormLanguage,
    pub direction: TextDirection,
    /// Set for messages marked `exercise`, to show above everything else.
    pub exercise_banner: Option<String>,
    pub title: String,
    /// From, to, sent, thread, message, incident, handling.
    pub headers: Vec<String>,
    /// The fixed sentences of the form, filled with the message's fields.
    pub standard_text: Vec<String>,
    /// Free text, untranslated and unchanged.
    pub free_text: Vec<FreeTextField>,
}

impl RenderedForm {
    /// The form as plain text, one line per item, for e-mail, logs and snapshots.
    pub fn to_plain_text(&self) -> String {
        let mut lines = Vec::new();
        if let Some(banner) = &self.exercise_banner {
            lines.push(banner.clone());
        }
        lines.push(self.title.clone());
        lines.extend(self.headers.iter().cloned());
        lines.push(String::new());
        lines.extend(self.standard_text.iter().cloned());
        for field in &self.free_text {
            lines.push(String::new());
            lines.push(field.label.clone());
            lines.extend(field.entries.iter().map(|entry| format!("- {entry}")));
        }
        lines.join("\n")
    }
}

/// A shipped resource is broken: a test catches this before release.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("locales/{language}/hotline.ftl does not parse: {message}")]
    ResourceDoesNotParse {
        language: &'static str,
        message: String,
    },
    #[error("locales/{language}/hotline.ftl has no message `{message_id}`")]
    MissingMessage {
        language: &'static str,
        message_id: String,
    },
    #[error("locales/{language}/hotline.ftl, message `{message_id}`: {message}")]
    FormattingFailed {
        language: &'static str,
        message_id: String,
        message: String,
    },
}

/// Renders `message` as its standard form in `language`.
pub fn render_form(
    message: &HotlineMessage,
    language: FormLanguage,
) -> Result<RenderedForm, FormError> {
    let bundle = load_bundle(language)?;
    let format = |message_id: &str, arguments: &FluentArgs| {
        format_message(&bundle, language, message_id, arguments)
    };
    let mut arguments = FluentArgs::new();
    arguments.set("from", message.from.as_str().to_string());
    let recipients: Vec<&str> = message.to.iter().map(|party| party.as_str()).collect();
    arguments.set("to", recipients.join(list_separator(language)));
    arguments.set("sent_at", message.sent_at.to_string());
    arguments.set("thread", message.thread.hyphenated().to_string());
    arguments.set("message_id", message.id.hyphenated().to_string());
    arguments.set(
        "tlp",
        format!("TLP:{}", message.tlp.as_str().to_uppercase()),
    );
    if let Some(incident) = &message.incident {
        arguments.set("incident", incident.as_str().to_string());
    }

    let mut headers = vec![
        format("header-from", &arguments)?,
        format("header-to", &arguments)?,
        format("header-sent-at", &arguments)?,
        format("header-thread", &arguments)?,
        format("header-message", &arguments)?,
    ];
    if message.incident.is_some() {
        headers.push(format("header-incident", &arguments)?);
    }
    headers.push(format("header-tlp", &arguments)?);

    let kind = message.kind().as_str();
    let mut standard_text = Vec::new();
    let mut free_text = Vec::new();
    let mut body_message_id = format!("{kind}-body");
    let mut free = |label_id: &str, entries: &[String]| -> Result<(), FormError> {
        if !entries.is_empty() {
            free_text.push(FreeTextField {
                label: format(label_id, &FluentArgs::new())?,
                entries: entries.to_vec(),
            });
        }
        Ok(())
    };
    match &message.body {
        MessageBody::Notification(body) => {
            free("label-summary", std::slice::from_ref(&body.summary))?;
            free("label-requested-actions", &body.requested_actions)?;
        }
        MessageBody::Acknowledgement(body) => {
            arguments.set("of", body.of.hyphenated().to_string());
        }
        MessageBody::ClarificationRequest(body) => free("label-questions", &body.questions)?,
        MessageBody::Response(body) => {
            arguments.set("of", body.to.hyphenated().to_string());
            free("label-text", std::slice::from_ref(&body.text))?;
        }
        MessageBody::AssistanceRequest(body) => {
            free("label-summary", std::slice::from_ref(&body.summary))?;
            free("label-needs", &body.needs)?;
        }
        MessageBody::AssistanceOffer(body) => {
            if let Some(request) = body.request {
                arguments.set("of", request.hyphenated().to_string());
                body_message_id = "assistance-offer-body-to-request".to_string();
            }
            free("label-offer", std::slice::from_ref(&body.offer))?;
        }
        MessageBody::MitigationRequest(body) => {
            arguments.set("territory", body.from_territory_of.as_str().to_string());
            free("label-activity", std::slice::from_ref(&body.activity))?;
            free("label-indicators", &body.indicators)?;
        }
        MessageBody::CommunicationCheck(body) => {
            arguments.set("check_id", body.check_id.hyphenated().to_string());
        }
        MessageBody::CheckReply(body) => {
            arguments.set("check_id", body.check_id.hyphenated().to_string());
        }
        MessageBody::Closure(body) => free("label-reason", std::slice::from_ref(&body.reason))?,
        MessageBody::RequestOutcome(body) => {
            arguments.set("of", body.request.hyphenated().to_string());
            body_message_id = format!("request-outcome-body-{}", body.outcome.as_str());
            for (label, text) in [
                ("label-reason", &body.reason),
                ("label-done", &body.done),
                ("label-not-done", &body.not_done),
                ("label-summary", &body.summary),
            ] {
                if let Some(text) = text {
                    free(label, std::slice::from_ref(text))?;
                }
            }
        }
    }
    standard_text.push(format(&body_message_id, &arguments)?);
    if let MessageBody::Notification(body) = &message.body
        && let Some(level) = body.severity_level
    {
        arguments.set("level", FluentValue::from(level));
        standard_text.push(format("notification-severity", &arguments)?);
    }

    Ok(RenderedForm {
        language,
        direction: language.direction(),
        exercise_banner: if message.exercise {
            Some(format("exercise-banner", &FluentArgs::new())?)
        } else {
            None
        },
        title: format(&format!("{kind}-title"), &FluentArgs::new())?,
        headers,
        standard_text,
        free_text,
    })
}

/// Checks that every resource parses and has every message the forms use, in every language.
pub fn check_resources() -> Result<(), FormError> {
    for language in FormLanguage::ALL {
        let bundle = load_bundle(language)?;
        for message_id in REQUIRED_MESSAGE_IDS {
            if bundle.get_message(message_id).is_none() {
                return Err(FormError::MissingMessage {
                    language: language.tag(),
                    message_id: (*message_id).to_string(),
                });
            }
        }
    }
    Ok(())
}

/// Every message id `render_form` may ask for.
pub const REQUIRED_MESSAGE_IDS: &[&str] = &[
    "exercise-banner",
    "header-from",
    "header-to",
    "header-sent-at",
    "header-thread",
    "header-message",
    "header-incident",
    "header-tlp",
    "label-summary",
    "label-requested-actions",
    "label-questions",
    "label-text",
    "label-needs",
    "label-offer",
    "label-activity",
    "label-indicators",
    "label-reason",
    "label-done",
    "label-not-done",
    "notification-title",
    "notification-body",
    "notification-severity",
    "acknowledgement-title",
    "acknowledgement-body",
    "clarification-request-title",
    "clarification-request-body",
    "response-title",
    "response-body",
    "assistance-request-title",
    "assistance-request-body",
    "assistance-offer-title",
    "assistance-offer-body",
    "assistance-offer-body-to-request",
    "mitigation-request-title",
    "mitigation-request-body",
    "communication-check-title",
    "communication-check-body",
    "check-reply-title",
    "check-reply-body",
    "closure-title",
    "closure-body",
    "request-outcome-title",
    "request-outcome-body-accepted",
    "request-outcome-body-partly",
    "request-outcome-body-declined",
    "request-outcome-body-completed",
];

fn load_bundle(language: FormLanguage) -> Result<FluentBundle<FluentResource>, FormError> {
    let resource =
        FluentResource::try_new(resource_text(language).to_string()).map_err(|(_, errors)| {
            FormError::ResourceDoesNotParse {
                language: language.tag(),
                message: format!("{errors:?}"),
            }
        })?;
    let identifier: LanguageIdentifier =
        language
            .tag()
            .parse()
            .map_err(|error| FormError::ResourceDoesNotParse {
                language: language.tag(),
                message: format!("{error}"),
            })?;
    let mut bundle = FluentBundle::new(vec![identifier]);
    // Kept on deliberately; see the module header.
    bundle.set_use_isolating(true);
    bundle
        .add_resource(resource)
        .map_err(|errors| FormError::ResourceDoesNotParse {
            language: language.tag(),
            message: format!("{errors:?}"),
        })?;
    Ok(bundle)
}

fn format_message(
    bundle: &FluentBundle<FluentResource>,
    language: FormLanguage,
    message_id: &str,
    arguments: &FluentArgs,
) -> Result<String, FormError> {
    let pattern = bundle
        .get_message(message_id)
        .and_then(|message| message.value())
        .ok_or_else(|| FormError::MissingMessage {
            language: language.tag(),
            message_id: message_id.to_string(),
        })?;
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(arguments), &mut errors);
    if let Some(error) = errors.first() {
        return Err(FormError::FormattingFailed {
            language: language.tag(),
            message_id: message_id.to_string(),
            message: error.to_string(),
        });
    }
    Ok(text.into_owned())
}
