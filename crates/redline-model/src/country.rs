//! ISO 3166-1 alpha-2 country codes, checked against the real list (the `celes` crate).

use std::fmt;

use serde::Serialize;

/// An ISO 3166-1 alpha-2 code in upper case (`EE`, `UA`), known to be on the official list.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct CountryCode(String);

impl CountryCode {
    /// Accepts exactly two upper-case letters that are an assigned ISO 3166-1 alpha-2 code.
    pub fn parse(text: &str) -> Result<Self, String> {
        let well_formed = text.len() == 2 && text.bytes().all(|byte| byte.is_ascii_uppercase());
        if !well_formed {
            return Err(format!(
                "`{text}` is not an ISO 3166-1 alpha-2 country code (two upper-case letters, such as `EE`)"
            ));
        }
        match celes::Country::from_alpha2(text) {
            Ok(_) => Ok(Self(text.to_string())),
            Err(_) => Err(format!(
                "`{text}` is not an assigned ISO 3166-1 alpha-2 country code"
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The English short name of the country, for people reading a page.
    pub fn english_name(&self) -> &'static str {
        celes::Country::from_alpha2(&self.0)
            .map(|country| country.long_name)
            .unwrap_or("unknown country")
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

crate::text::checked_text_type!(CountryCode, {
    "pattern": "^[A-Z]{2}$",
    "description": "ISO 3166-1 alpha-2 country code, upper case; must be an assigned code."
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_assigned_codes_and_rejects_others() {
        for code in ["EE", "UA", "RU", "US", "GB", "IR", "KP", "CN", "FR", "DE"] {
            assert!(CountryCode::parse(code).is_ok(), "{code}");
        }
        for code in ["ee", "XX", "UK", "E", "EST", "", "ZZ", "É1"] {
            assert!(CountryCode::parse(code).is_err(), "{code}");
        }
    }
}
