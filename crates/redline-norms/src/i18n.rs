//! The words of the assessment text in the six UN languages, with Fluent.
//!
//! Owns the resources `locales/{en,fr,es,ru,zh,ar}/assessment.ftl` (embedded with
//! `include_str!`: the crate stays pure) and [`Words`], which formats one message of them. Only
//! the fixed words go through Fluent: the engine's explanations (`legal.because`, the trace's
//! `why`, `responses.why`), the document's titles, off-ramps and legal citations, and the
//! vocabulary codes (`sovereignty-violation`, `majority`, rung ids) are placed as written.
//!
//! Unicode isolation (FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE around each placeable) is
//! on for right-to-left languages only: there it keeps ids, digits and Latin citations from
//! pulling Arabic punctuation into their run; in left-to-right text it would add invisible marks
//! to every line a terminal prints, so the English text stays byte for byte what it was.

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource};
use redline_model::{Language, TextDirection};
use unic_langid::LanguageIdentifier;

/// The Fluent resource of a language.
fn resource_text(language: Language) -> &'static str {
    match language {
        Language::English => include_str!("../locales/en/assessment.ftl"),
        Language::French => include_str!("../locales/fr/assessment.ftl"),
        Language::Spanish => include_str!("../locales/es/assessment.ftl"),
        Language::Russian => include_str!("../locales/ru/assessment.ftl"),
        Language::Chinese => include_str!("../locales/zh/assessment.ftl"),
        Language::Arabic => include_str!("../locales/ar/assessment.ftl"),
    }
}

/// Every message id the assessment text uses; `check_assessment_resources` holds each language
/// to all of them.
pub const ASSESSMENT_MESSAGE_IDS: &[&str] = &[
    "assessment-of",
    "assessment-incident-without-id",
    "assessment-under",
    "legal-heading",
    "legal-category",
    "legal-attribution-allows",
    "legal-frame",
    "legal-because",
    "legal-schmitt",
    "severity-heading",
    "severity-score",
    "severity-note",
    "protected-heading",
    "protected-finding",
    "protected-none",
    "red-lines-heading",
    "red-line-crossed",
    "red-lines-none",
    "norms-heading",
    "norm-engaged",
    "norms-none",
    "responses-heading",
    "responses-ceiling",
    "responses-proportionate",
    "responses-recommended",
    "recommended-rung",
    "responses-why",
    "responses-available",
    "responses-other-states",
    "responses-off-ramps",
    "duties-heading",
    "duty",
    "duties-none",
    "trace-heading",
];

/// A shipped resource is broken: the tests catch it before a release.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssessmentWordsError {
    #[error("locales/{language}/assessment.ftl does not parse: {message}")]
    ResourceDoesNotParse {
        language: &'static str,
        message: String,
    },
    #[error("locales/{language}/assessment.ftl has no message `{message_id}`")]
    MissingMessage {
        language: &'static str,
        message_id: &'static str,
    },
}

/// The words of one Fluent resource in one language: the assessment's ([`Words::new`]), or
/// another pure crate's (`redline-sim`'s after-action report, with [`Words::from_resource`]).
pub struct Words {
    bundle: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for Words {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Words").finish_non_exhaustive()
    }
}

impl Words {
    /// The assessment's words in `language`.
    pub fn new(language: Language) -> Words {
        Words::from_resource(resource_text(language), language)
    }

    /// The words of the Fluent resource `text`, written in `language`. A resource that fails to
    /// parse keeps the messages that did (Fluent recovers entry by entry); a missing message
    /// shows its id (see [`Words::text`]). Its caller checks its resources in a test.
    pub fn from_resource(text: &str, language: Language) -> Words {
        let resource =
            FluentResource::try_new(text.to_string()).unwrap_or_else(|(partial, _errors)| partial);
        let identifier: LanguageIdentifier = language.tag().parse().unwrap_or_default();
        let mut bundle = FluentBundle::new(vec![identifier]);
        bundle.set_use_isolating(language.direction() == TextDirection::RightToLeft);
        bundle.add_resource_overriding(resource);
        Words { bundle }
    }

    /// Whether the resource has message `id`.
    pub fn has(&self, id: &str) -> bool {
        self.bundle.has_message(id)
    }

    /// Message `id` filled with `arguments` (each a name and its text). A message the resource
    /// lacks comes out as its id, so a gap shows instead of failing the whole assessment.
    pub fn text(&self, id: &str, arguments: &[(&str, String)]) -> String {
        let Some(pattern) = self
            .bundle
            .get_message(id)
            .and_then(|message| message.value())
        else {
            return id.to_string();
        };
        let mut fluent_arguments = FluentArgs::new();
        for (name, value) in arguments {
            fluent_arguments.set(*name, value.clone());
        }
        let mut errors = Vec::new();
        self.bundle
            .format_pattern(pattern, Some(&fluent_arguments), &mut errors)
            .into_owned()
    }
}

/// Checks that every language's resource parses and has every message the assessment uses.
pub fn check_assessment_resources() -> Result<(), AssessmentWordsError> {
    for language in Language::ALL {
        let resource = FluentResource::try_new(resource_text(language).to_string()).map_err(
            |(_, errors)| AssessmentWordsError::ResourceDoesNotParse {
                language: language.tag(),
                message: format!("{errors:?}"),
            },
        )?;
        let mut bundle: FluentBundle<FluentResource> = FluentBundle::new(Vec::new());
        bundle.add_resource_overriding(resource);
        for message_id in ASSESSMENT_MESSAGE_IDS {
            if !bundle.has_message(message_id) {
                return Err(AssessmentWordsError::MissingMessage {
                    language: language.tag(),
                    message_id,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_message() {
        assert_eq!(check_assessment_resources(), Ok(()));
    }

    #[test]
    fn isolation_marks_only_in_right_to_left_text() {
        let argument = [("rung", "3".to_string())];
        assert_eq!(
            Words::new(Language::English).text("responses-proportionate", &argument),
            "Proportionate up to: rung 3"
        );
        assert!(
            Words::new(Language::Arabic)
                .text("responses-proportionate", &argument)
                .contains("\u{2068}3\u{2069}")
        );
        assert_eq!(
            Words::new(Language::French).text("no-such-message", &[]),
            "no-such-message"
        );
    }
}
