//! The dashboard's languages: the six official languages of the United Nations, their Fluent
//! resources (`locales/{en,fr,es,ru,zh,ar}/dashboard.ftl`, embedded), choosing one from `?lang=`,
//! the `redline_lang` cookie or `Accept-Language`, and the text direction (Arabic is
//! right-to-left). A message missing from a language falls back to English; a message missing
//! from English shows its key, so a gap is visible rather than silent.

use std::{collections::HashMap, sync::OnceLock};

use fluent_bundle::{FluentArgs, FluentResource, FluentValue, concurrent::FluentBundle};
use unic_langid::LanguageIdentifier;

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Language {
    English,
    French,
    Spanish,
    Russian,
    Chinese,
    Arabic,
}

impl Language {
    pub(crate) const ALL: [Language; 6] = [
        Language::English,
        Language::French,
        Language::Spanish,
        Language::Russian,
        Language::Chinese,
        Language::Arabic,
    ];

    pub(crate) fn tag(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::French => "fr",
            Language::Spanish => "es",
            Language::Russian => "ru",
            Language::Chinese => "zh",
            Language::Arabic => "ar",
        }
    }

    /// The language's own name, as the switcher shows it.
    pub(crate) fn native_name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::French => "Français",
            Language::Spanish => "Español",
            Language::Russian => "Русский",
            Language::Chinese => "中文",
            Language::Arabic => "العربية",
        }
    }

    pub(crate) fn direction(self) -> &'static str {
        match self {
            Language::Arabic => "rtl",
            _ => "ltr",
        }
    }

    fn resource(self) -> &'static str {
        match self {
            Language::English => include_str!("../../locales/en/dashboard.ftl"),
            Language::French => include_str!("../../locales/fr/dashboard.ftl"),
            Language::Spanish => include_str!("../../locales/es/dashboard.ftl"),
            Language::Russian => include_str!("../../locales/ru/dashboard.ftl"),
            Language::Chinese => include_str!("../../locales/zh/dashboard.ftl"),
            Language::Arabic => include_str!("../../locales/ar/dashboard.ftl"),
        }
    }

    /// `en`, `fr-CA`, `zh-Hans-CN`, `AR`: the primary subtag decides.
    pub(crate) fn from_tag(tag: &str) -> Option<Language> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Language::ALL
            .into_iter()
            .find(|language| language.tag() == primary)
    }

    /// The first language of an `Accept-Language` header we have, by descending quality.
    pub(crate) fn from_accept_language(header: &str) -> Option<Language> {
        let mut candidates: Vec<(f32, usize, Language)> = header
            .split(',')
            .enumerate()
            .filter_map(|(position, part)| {
                let mut pieces = part.split(';');
                let language = Language::from_tag(pieces.next()?)?;
                let quality = pieces
                    .find_map(|piece| piece.trim().strip_prefix("q="))
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                (quality > 0.0).then_some((quality, position, language))
            })
            .collect();
        candidates.sort_by(|left, right| {
            right
                .0
                .partial_cmp(&left.0)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(left.1.cmp(&right.1))
        });
        candidates.first().map(|candidate| candidate.2)
    }
}

type Bundle = FluentBundle<FluentResource>;

fn bundles() -> &'static HashMap<Language, Bundle> {
    static BUNDLES: OnceLock<HashMap<Language, Bundle>> = OnceLock::new();
    BUNDLES.get_or_init(|| {
        Language::ALL
            .into_iter()
            .map(|language| {
                let identifier: LanguageIdentifier = language
                    .tag()
                    .parse()
                    .unwrap_or_else(|_| LanguageIdentifier::default());
                let mut bundle = FluentBundle::new_concurrent(vec![identifier]);
                let resource = match FluentResource::try_new(language.resource().to_string()) {
                    Ok(resource) => resource,
                    Err((resource, errors)) => {
                        tracing::error!(
                            language = language.tag(),
                            ?errors,
                            "dashboard locale has errors"
                        );
                        resource
                    }
                };
                if let Err(errors) = bundle.add_resource(resource) {
                    tracing::error!(
                        language = language.tag(),
                        ?errors,
                        "dashboard locale has duplicate messages"
                    );
                }
                (language, bundle)
            })
            .collect()
    })
}

fn format_in(language: Language, key: &str, args: Option<&FluentArgs>) -> Option<String> {
    let bundle = bundles().get(&language)?;
    let pattern = bundle.get_message(key)?.value()?;
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, args, &mut errors);
    Some(text.into_owned())
}

/// The message `key` in `language` (falling back to English, then to the key itself).
pub(crate) fn translate(language: Language, key: &str) -> String {
    format_in(language, key, None)
        .or_else(|| format_in(Language::English, key, None))
        .unwrap_or_else(|| key.to_string())
}

/// The message `key` with string arguments.
pub(crate) fn translate_with(language: Language, key: &str, arguments: &[(&str, &str)]) -> String {
    let mut args = FluentArgs::new();
    for (name, value) in arguments {
        args.set(*name, FluentValue::from(value.to_string()));
    }
    format_in(language, key, Some(&args))
        .or_else(|| format_in(Language::English, key, Some(&args)))
        .unwrap_or_else(|| key.to_string())
}

/// Every message key of the English resource (tests check the other languages have them all).
#[cfg(test)]
fn message_keys(language: Language) -> Vec<String> {
    language
        .resource()
        .lines()
        .filter_map(|line| {
            let (key, _) = line.split_once(" = ")?;
            (!key.starts_with(['#', ' '])).then(|| key.trim().to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_language_we_have() {
        assert_eq!(
            Language::from_accept_language("de-DE, ar;q=0.9, fr;q=0.95"),
            Some(Language::French)
        );
        assert_eq!(
            Language::from_accept_language("zh-Hans-CN,zh;q=0.9"),
            Some(Language::Chinese)
        );
        assert_eq!(Language::from_accept_language("de, it;q=0.5"), None);
        assert_eq!(
            Language::from_accept_language("fr;q=0, es"),
            Some(Language::Spanish)
        );
    }

    #[test]
    fn every_language_has_every_english_message() {
        let english = message_keys(Language::English);
        assert!(english.len() > 50);
        for language in Language::ALL {
            let keys = message_keys(language);
            let missing: Vec<&String> = english.iter().filter(|key| !keys.contains(key)).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", language.tag());
            for key in &keys {
                assert!(
                    format_in(language, key, None).is_some()
                        || translate_with(language, key, &[("x", "x")]) != *key,
                    "{}: {key} does not format",
                    language.tag()
                );
            }
        }
    }

    #[test]
    fn arabic_is_right_to_left() {
        assert_eq!(Language::Arabic.direction(), "rtl");
        assert_eq!(Language::English.direction(), "ltr");
        assert_ne!(translate(Language::Arabic, "nav-overview"), "Overview");
    }
}
