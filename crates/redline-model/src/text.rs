//! Rules for free text that people will read: which characters a record may carry.
//!
//! Control characters (Unicode general category Cc) other than tab, line feed and carriage
//! return have no place in a title or a description: NUL truncates text in C-based tools and
//! databases, escape sequences drive terminals, and none of them is visible on a page.
//! Bidirectional formatting characters (U+202A–U+202E, U+2066–U+2069) are allowed, since Arabic
//! and Hebrew text may need them, and pages isolate every free-text field instead (`<bdi>`,
//! `dir="auto"`), so an override cannot reorder the text around it.

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

fn is_refused_control_character(character: char) -> bool {
    character.is_control() && !matches!(character, '\t' | '\n' | '\r')
}

#[cfg(test)]
mod tests {
    use super::*;

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
