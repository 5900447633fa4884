//! An estimate of how wide a label is drawn, from its characters and the font size, for laying
//! out a chart without a font at hand: wide (CJK, Hangul, full-width) characters take a whole em,
//! spaces a third, everything else (Latin, Cyrillic, Arabic, digits) about six tenths. It errs
//! on the wide side, so a label judged to fit does fit.

/// The estimated width of `text` at `font_size`, in the same units as `font_size`.
pub fn estimated_text_width(text: &str, font_size: f64) -> f64 {
    text.chars().map(character_width_in_ems).sum::<f64>() * font_size
}

/// The width of one character, in ems.
fn character_width_in_ems(character: char) -> f64 {
    match character {
        ' ' | '\u{00A0}' => 0.33,
        '\u{0300}'..='\u{036F}' | '\u{064B}'..='\u{065F}' | '\u{200B}'..='\u{200F}' => 0.0,
        '.' | ',' | ':' | ';' | '·' | '|' | 'i' | 'l' | 'j' | '\'' => 0.35,
        'm' | 'w' | 'M' | 'W' => 0.9,
        _ if is_wide(character) => 1.0,
        _ => 0.62,
    }
}

/// CJK ideographs, kana, Hangul and full-width forms, drawn a whole em wide.
fn is_wide(character: char) -> bool {
    matches!(character,
        '\u{1100}'..='\u{115F}'
        | '\u{2E80}'..='\u{A4CF}'
        | '\u{AC00}'..='\u{D7A3}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF00}'..='\u{FF60}'
        | '\u{FFE0}'..='\u{FFE6}'
        | '\u{20000}'..='\u{3FFFD}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, font_size: f64, expect: f64) {
        let width = estimated_text_width(text, font_size);
        assert!(
            (width - expect).abs() < 1e-9,
            "{text:?}: {width} ≠ {expect}"
        );
    }

    #[test]
    fn widths_follow_the_script() {
        check("", 11.0, 0.0);
        check("2021", 10.0, 24.8);
        check("a b", 10.0, 15.7);
        check("事件", 10.0, 20.0);
        check("حرج", 10.0, 18.6);
        check("Ж", 10.0, 6.2);
    }
}
