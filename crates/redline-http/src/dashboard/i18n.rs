//! The dashboard's languages: the six official languages of the United Nations
//! (`redline_model::Language`: codes, names, text direction — Arabic is right-to-left — and the
//! choice from `?lang=`, the `redline_lang` cookie or `Accept-Language`) and their Fluent
//! resources (`locales/{en,fr,es,ru,zh,ar}/dashboard.ftl`, embedded). A message missing from a
//! language falls back to English; a message missing from English shows its key, so a gap is
//! visible rather than silent.

use std::{collections::HashMap, sync::OnceLock};

use fluent_bundle::{FluentArgs, FluentResource, FluentValue, concurrent::FluentBundle};
use unic_langid::LanguageIdentifier;

/// A language of the interface: the model's one type for the six UN languages.
pub(crate) use redline_model::Language;

/// The dashboard's Fluent resource in a language.
fn resource(language: Language) -> &'static str {
    match language {
        Language::English => include_str!("../../locales/en/dashboard.ftl"),
        Language::French => include_str!("../../locales/fr/dashboard.ftl"),
        Language::Spanish => include_str!("../../locales/es/dashboard.ftl"),
        Language::Russian => include_str!("../../locales/ru/dashboard.ftl"),
        Language::Chinese => include_str!("../../locales/zh/dashboard.ftl"),
        Language::Arabic => include_str!("../../locales/ar/dashboard.ftl"),
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
                let resource = match FluentResource::try_new(resource(language).to_string()) {
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
    resource(language)
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
        assert_eq!(Language::Arabic.direction().as_html_dir(), "rtl");
        assert_eq!(Language::English.direction().as_html_dir(), "ltr");
        assert_ne!(translate(Language::Arabic, "nav-overview"), "Overview");
    }
}
