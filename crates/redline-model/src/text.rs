//! Rules for free text that people will read: which characters a record may carry.
//!
//! Control characters (Unicode general category Cc) other than tab, line feed and carriage
//! return have no place in a title or a description: NUL truncates text in C-based tools and
//! databases, escape sequences drive terminals, and none of them is visible on a page.
//! Bidirectional formatting characters (U+202A–U+202E, U+2066–U+2069) are allowed, since Arabic
//! and Hebrew text may need them, and pages isolate every free-text field instead (`<bdi>`,
//! `dir="auto"`), so an override cannot reorder the text around it.
//!
//! Also what every checked text type (`CountryCode`, `PartyId`, `IncidentId`, `Timestamp`)
//! shares: deserialising only through its `parse`, and its JSON schema as a string.

/// Why `text` is refused, or `None` when it is acceptable.
pub fn control_character_problem(text: &str) -> Option<String> {
    let (position, character) = text
        .chars()
        .enumerate()
        .find(|(_, character)| is_refused_control_character(*character))?;
    Some(format!(
        "control character U+{:04X} at character {position} is not allowed (only tab and line breaks are)",
        u32::from(character)
    ))
}

/// The rule for a free-text field of a payload: `minimum` to `maximum` characters (the minimum
/// counted without surrounding white space) and no refused control character; a breach is one
/// issue at `path`.
pub fn check_text(
    path: &str,
    text: &str,
    minimum: usize,
    maximum: usize,
    issues: &mut Vec<crate::ValidationIssue>,
) {
    let length = text.trim().chars().count();
    if length < minimum || text.chars().count() > maximum {
        issues.push(crate::ValidationIssue::new(
            path,
            format!("expected {minimum} to {maximum} characters"),
        ));
    } else if let Some(problem) = control_character_problem(text) {
        issues.push(crate::ValidationIssue::new(path, problem));
    }
}

fn is_refused_control_character(character: char) -> bool {
    character.is_control() && !matches!(character, '\t' | '\n' | '\r')
}

/// Implements `Deserialize` through `$type::parse` (so no unchecked value can be read) and
/// `JsonSchema` as a string with the given further keywords, for a checked text type.
macro_rules! checked_text_type {
    ($type:ident, { $($schema:tt)* }) => {
        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text: std::borrow::Cow<'_, str> = serde::Deserialize::deserialize(deserializer)?;
                $type::parse(&text).map_err(serde::de::Error::custom)
            }
        }

        impl schemars::JsonSchema for $type {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($type).into()
            }

            fn json_schema(_generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string", $($schema)* })
            }
        }
    };
}
pub(crate) use checked_text_type;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_free_text_field_has_its_length_and_no_control_character() {
        fn check(text: &str, expect: Option<&str>) {
            let mut issues = Vec::new();
            check_text("statement", text, 2, 5, &mut issues);
            let found: Vec<String> = issues
                .iter()
                .map(|issue| format!("{}: {}", issue.path, issue.message))
                .collect();
            assert_eq!(
                found,
                expect.map(str::to_string).into_iter().collect::<Vec<_>>(),
                "{text:?}"
            );
        }
        check("ab", None);
        check("abcde", None);
        check("  ab  ", Some("statement: expected 2 to 5 characters"));
        check(" a ", Some("statement: expected 2 to 5 characters"));
        check("", Some("statement: expected 2 to 5 characters"));
        check("abcdef", Some("statement: expected 2 to 5 characters"));
        check("أهلا", None);
        check(
            "a\u{0}b",
            Some(
                "statement: control character U+0000 at character 1 is not allowed (only tab and line breaks are)",
            ),
        );
        check("a\tb", None);
    }

    fn check(text: &str, refused: bool) {
        assert_eq!(
            control_character_problem(text).is_some(),
            refused,
            "{text:?}"
        );
    }

    #[test]
    fn which_characters_free_text_may_carry() {
        check("Blackout in Tallinn", false);
        check("line one\nline two\r\n\tindented", false);
        check("انقطاع التيار الكهربائي", false);
        check(
            "right-to-left override \u{202E} is isolated on pages",
            false,
        );
        check("nul \u{0} inside", true);
        check("escape \u{1b}[31m red", true);
        check("delete \u{7f}", true);
        check("C1 control \u{85}", true);
    }
}
