//! The languages redline speaks: the six official languages of the United Nations (Arabic,
//! Chinese, English, French, Russian, Spanish), each with its code, its own name and its text
//! direction, and the choice of one from a tag, a list of preferences or an `Accept-Language`
//! header. The dashboard's pages and the hotline's standard forms both use this one type.

use serde::{Deserialize, Serialize};

/// One of the six official languages of the United Nations. Serialised as its code (`"en"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Language {
    #[serde(rename = "en")]
    English,
    #[serde(rename = "fr")]
    French,
    #[serde(rename = "es")]
    Spanish,
    #[serde(rename = "ru")]
    Russian,
    #[serde(rename = "zh")]
    Chinese,
    #[serde(rename = "ar")]
    Arabic,
}

/// Which way a language's lines run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextDirection {
    LeftToRight,
    RightToLeft,
}

impl TextDirection {
    /// The HTML `dir` value: `ltr` or `rtl`.
    pub fn as_html_dir(&self) -> &'static str {
        match self {
            TextDirection::LeftToRight => "ltr",
            TextDirection::RightToLeft => "rtl",
        }
    }
}

impl Language {
    /// Every language, in the order a language switcher lists them.
    pub const ALL: [Language; 6] = [
        Language::English,
        Language::French,
        Language::Spanish,
        Language::Russian,
        Language::Chinese,
        Language::Arabic,
    ];

    /// The ISO 639-1 code, which is also the BCP 47 tag of the resources (`en`, `zh`, `ar`).
    pub fn tag(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::French => "fr",
            Language::Spanish => "es",
            Language::Russian => "ru",
            Language::Chinese => "zh",
            Language::Arabic => "ar",
        }
    }

    /// The language's own name, as a language switcher shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::French => "Français",
            Language::Spanish => "Español",
            Language::Russian => "Русский",
            Language::Chinese => "中文",
            Language::Arabic => "العربية",
        }
    }

    /// Arabic runs right to left, the others left to right.
    pub fn direction(self) -> TextDirection {
        match self {
            Language::Arabic => TextDirection::RightToLeft,
            _ => TextDirection::LeftToRight,
        }
    }

    /// The language of a BCP 47 tag by its primary subtag, whatever its case and surrounding
    /// spaces: `en`, `fr-CA`, `zh-Hans-CN`, `AR`, `fr_CA`; `None` for any other language.
    pub fn from_tag(tag: &str) -> Option<Language> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Language::ALL
            .into_iter()
            .find(|language| language.tag() == primary)
    }

    /// The first of a list of preferred tags that is one of ours, else English.
    pub fn choose(preferred_tags: &[String]) -> Language {
        preferred_tags
            .iter()
            .find_map(|tag| Language::from_tag(tag))
            .unwrap_or(Language::English)
    }

    /// The first language of an HTTP `Accept-Language` header that is one of ours, by
    /// descending quality (ties keep the header's order); a quality of 0 refuses a language.
    pub fn from_accept_language(header: &str) -> Option<Language> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_read_by_their_primary_subtag() {
        assert_eq!(Language::from_tag("zh-Hans-CN"), Some(Language::Chinese));
        assert_eq!(Language::from_tag("fr_CA"), Some(Language::French));
        assert_eq!(Language::from_tag("AR"), Some(Language::Arabic));
        assert_eq!(Language::from_tag(" en "), Some(Language::English));
        assert_eq!(Language::from_tag("et"), None);
        for language in Language::ALL {
            assert_eq!(Language::from_tag(language.tag()), Some(language));
        }
    }

    #[test]
    fn preferences_fall_back_to_english() {
        let tags = |tags: &[&str]| tags.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(Language::choose(&tags(&["et", "ru"])), Language::Russian);
        assert_eq!(Language::choose(&tags(&["et"])), Language::English);
        assert_eq!(Language::choose(&[]), Language::English);
    }

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
    fn only_arabic_runs_right_to_left() {
        for language in Language::ALL {
            let expected = if language == Language::Arabic {
                "rtl"
            } else {
                "ltr"
            };
            assert_eq!(language.direction().as_html_dir(), expected);
        }
    }

    #[test]
    fn serialised_as_the_code() {
        let json = serde_json::to_string(&Language::ALL).unwrap_or_default();
        assert_eq!(json, r#"["en","fr","es","ru","zh","ar"]"#);
    }
}
