//! Parties: the states, CERTs, organisations and observers that take part in a node.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{country::CountryCode, time::Timestamp};

/// A party id: an ISO 3166-1 alpha-2 code for a state (`EE`), or a short lower-case slug for
/// everyone else (`osce-secretariat`, `cert-eu`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct PartyId(String);

impl PartyId {
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.len() == 2 && text.bytes().all(|byte| byte.is_ascii_uppercase()) {
            return CountryCode::parse(text).map(|code| Self(code.as_str().to_string()));
        }
        let is_slug = (2..=40).contains(&text.len())
            && text
                .bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
            && text.as_bytes().first().is_some_and(u8::is_ascii_lowercase)
            && !text.ends_with('-');
        if is_slug {
            Ok(Self(text.to_string()))
        } else {
            Err(format!(
                "`{text}` is not a party id: use an ISO 3166-1 alpha-2 code for a state (`EE`) or a lower-case slug of 2 to 40 letters, digits and hyphens (`cert-eu`)"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The country code, when this party id is one.
    pub fn as_country(&self) -> Option<CountryCode> {
        CountryCode::parse(&self.0).ok()
    }
}

impl From<CountryCode> for PartyId {
    fn from(code: CountryCode) -> Self {
        Self(code.as_str().to_string())
    }
}

impl fmt::Display for PartyId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

crate::text::checked_text_type!(PartyId, {
    "pattern": "^([A-Z]{2}|[a-z][a-z0-9-]{0,38}[a-z0-9])$",
    "description": "ISO 3166-1 alpha-2 code for a state, or a lower-case slug for other parties."
});

crate::vocabulary::vocabulary! {
    /// What kind of participant a party is.
    PartyKind {
        State => "state",
        Cert => "cert",
        Organisation => "organisation",
        Observer => "observer",
    }
}

/// One Ed25519 public key of a party, as registered with the node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyKey {
    /// Lower-case hex of the first 8 bytes of SHA-256 of the raw public key.
    pub key_id: String,
    /// The 32-byte Ed25519 public key, standard base64.
    pub public_key: String,
    pub added_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_reason: Option<String>,
}

/// A participant of the node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Party {
    pub id: PartyId,
    pub kind: PartyKind,
    pub name: String,
    /// BCP 47 language tags the party reads, most preferred first (`en`, `fr`, `ar`).
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub keys: Vec<PartyKey>,
    pub created_at: Timestamp,
}

impl Party {
    /// Checks the rules a party must meet beyond its shape: a state's id is a country code, a
    /// name is given, languages look like language tags.
    pub fn validate(&self) -> Vec<crate::ValidationIssue> {
        let mut issues = Vec::new();
        if self.kind == PartyKind::State && self.id.as_country().is_none() {
            issues.push(crate::ValidationIssue::new(
                "id",
                format!(
                    "a state's id must be its ISO 3166-1 alpha-2 code, not `{}`",
                    self.id
                ),
            ));
        }
        if self.name.trim().is_empty() || self.name.len() > 200 {
            issues.push(crate::ValidationIssue::new(
                "name",
                "a name of 1 to 200 characters is required",
            ));
        }
        for (index, language) in self.languages.iter().enumerate() {
            let looks_like_tag = (2..=35).contains(&language.len())
                && language
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-');
            if !looks_like_tag {
                issues.push(crate::ValidationIssue::new(
                    format!("languages[{index}]"),
                    format!("`{language}` is not a BCP 47 language tag such as `en` or `zh-Hans`"),
                ));
            }
        }
        issues
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn party_ids_are_country_codes_or_slugs() {
        assert!(PartyId::parse("EE").is_ok());
        assert!(PartyId::parse("cert-eu").is_ok());
        assert!(PartyId::parse("osce").is_ok());
        for bad in ["XX", "Cert", "-a", "a-", "a", "with space", "über"] {
            assert!(PartyId::parse(bad).is_err(), "{bad}");
        }
    }
}
