//! How a case names a product: a package URL (purl) or a CPE 2.3 formatted string.
//!
//! A purl is parsed by the `packageurl` crate and kept in its canonical form (what CSAF's
//! `product_identification_helper.purl` and CVE JSON 5 expect). A CPE is checked here against
//! the CPE 2.3 formatted-string binding (NISTIR 7695 §6.2, the grammar CSAF's schema encodes as
//! a regular expression): `cpe:2.3:` and eleven components split on unescaped colons, the part
//! one of `a`, `o`, `h`, `*`, `-`, each other component `*`, `-` or a value of unreserved
//! characters and backslash-escaped punctuation with optional leading `?`s or `*` and trailing
//! `?`s or `*`, the language a language tag. (The `cpe` crate prints debugging output while it
//! parses and slices strings without checking their length, so it is not used.)

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The longest identifier accepted.
pub const MAXIMUM_IDENTIFIER_CHARACTERS: usize = 1_000;

/// A product's identifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ProductIdentifier {
    /// A package URL, e.g. `pkg:npm/%40acme/gateway@4.2.0`.
    Purl(Purl),
    /// A CPE 2.3 formatted string, e.g. `cpe:2.3:a:acme:gateway:4.2.0:*:*:*:*:*:*:*`.
    Cpe(Cpe23),
}

impl ProductIdentifier {
    pub fn as_str(&self) -> &str {
        match self {
            ProductIdentifier::Purl(purl) => purl.as_str(),
            ProductIdentifier::Cpe(cpe) => cpe.as_str(),
        }
    }

    /// The product without its version: the package URL without `@version`, or a CPE's part,
    /// vendor and product. Two products of one line are versions of the same product.
    pub fn product_line(&self) -> String {
        match self {
            ProductIdentifier::Purl(purl) => format!("purl {}", purl.without_version()),
            ProductIdentifier::Cpe(cpe) => {
                let rest = cpe.as_str().strip_prefix("cpe:2.3:").unwrap_or_default();
                let components = split_unescaped_colons(rest);
                let component = |index: usize| components.get(index).copied().unwrap_or("*");
                format!("cpe {}:{}:{}", component(0), component(1), component(2))
            }
        }
    }
}

/// A package URL in canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Purl(String);

impl Purl {
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.len() > MAXIMUM_IDENTIFIER_CHARACTERS {
            return Err(format!(
                "a package URL has at most {MAXIMUM_IDENTIFIER_CHARACTERS} characters"
            ));
        }
        let parsed = packageurl::PackageUrl::from_str(text)
            .map_err(|error| format!("`{text}` is not a package URL: {error}"))?;
        parsed
            .validate()
            .map_err(|error| format!("`{text}` breaks the rules of its package type: {error}"))?;
        let canonical = parsed.to_string();
        // CSAF 2.0's pattern for a purl: a type, a slash, then something.
        if !canonical.starts_with("pkg:") || !canonical[4..].contains('/') {
            return Err(format!("`{text}` has no type and name"));
        }
        Ok(Self(canonical))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The package URL without its version (what CVE JSON 5.2's `packageURL` wants).
    pub fn without_version(&self) -> String {
        match packageurl::PackageUrl::from_str(&self.0) {
            Ok(mut parsed) => parsed.without_version().to_string(),
            Err(_) => self.0.clone(),
        }
    }

    /// The version, if the package URL names one.
    pub fn version(&self) -> Option<String> {
        packageurl::PackageUrl::from_str(&self.0)
            .ok()
            .and_then(|parsed| parsed.version().map(str::to_string))
    }
}

/// A CPE 2.3 formatted string, checked component by component.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cpe23 {
    text: String,
}

/// The eleven components' names, for error messages.
const CPE_COMPONENT_NAMES: [&str; 11] = [
    "part",
    "vendor",
    "product",
    "version",
    "update",
    "edition",
    "language",
    "sw_edition",
    "target_sw",
    "target_hw",
    "other",
];

/// Punctuation a CPE value may carry only escaped with a backslash.
const CPE_ESCAPABLE: &str = "\\*?!\"#$%&'()+,/:;<=>@[]^`{|}~-._";

impl Cpe23 {
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.len() > MAXIMUM_IDENTIFIER_CHARACTERS {
            return Err(format!(
                "a CPE has at most {MAXIMUM_IDENTIFIER_CHARACTERS} characters"
            ));
        }
        let Some(rest) = text.strip_prefix("cpe:2.3:") else {
            return Err(format!(
                "`{text}` is not a CPE 2.3 formatted string: it must start with `cpe:2.3:`"
            ));
        };
        let components = split_unescaped_colons(rest);
        if components.len() != CPE_COMPONENT_NAMES.len() {
            return Err(format!(
                "`{text}` has {} components after `cpe:2.3:`; a CPE 2.3 formatted string has 11 (part, vendor, product, version, update, edition, language, sw_edition, target_sw, target_hw, other)",
                components.len()
            ));
        }
        for (component, name) in components.iter().zip(CPE_COMPONENT_NAMES) {
            let acceptable = match name {
                "part" => matches!(*component, "a" | "o" | "h" | "*" | "-"),
                "language" => is_cpe_language(component),
                _ => is_cpe_value(component),
            };
            if !acceptable {
                return Err(format!(
                    "`{text}`: the {name} component `{component}` is not valid in a CPE 2.3 formatted string"
                ));
            }
        }
        Ok(Self {
            text: text.to_string(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The vendor, product and version components as written (escapes kept).
    pub fn vendor_product_version(&self) -> (String, String, String) {
        let rest = self.text.strip_prefix("cpe:2.3:").unwrap_or_default();
        let components = split_unescaped_colons(rest);
        let component = |index: usize| components.get(index).copied().unwrap_or("*").to_string();
        (component(1), component(2), component(3))
    }
}

fn split_unescaped_colons(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (index, character) in text.char_indices() {
        if escaped {
            escaped = false;
        } else if character == '\\' {
            escaped = true;
        } else if character == ':' {
            parts.push(&text[start..index]);
            start = index + 1;
        }
    }
    parts.push(&text[start..]);
    parts
}

/// `*`, `-`, or `?`* / `*` + value characters + `?`* / `*`.
fn is_cpe_value(component: &str) -> bool {
    if component == "*" || component == "-" {
        return true;
    }
    let characters: Vec<char> = component.chars().collect();
    let mut index = 0;
    // Leading wildcards: any number of `?`, or one `*`.
    if characters.first() == Some(&'*') {
        index = 1;
    } else {
        while characters.get(index) == Some(&'?') {
            index += 1;
        }
    }
    let mut end = characters.len();
    if end > index && characters.get(end - 1) == Some(&'*') && !is_escaped_at(&characters, end - 1)
    {
        end -= 1;
    } else {
        while end > index
            && characters.get(end - 1) == Some(&'?')
            && !is_escaped_at(&characters, end - 1)
        {
            end -= 1;
        }
    }
    if index >= end {
        return false;
    }
    let mut position = index;
    while position < end {
        let character = characters[position];
        if character.is_ascii_alphanumeric() || matches!(character, '-' | '.' | '_') {
            position += 1;
        } else if character == '\\' {
            match characters.get(position + 1) {
                Some(next) if position + 1 < end && CPE_ESCAPABLE.contains(*next) => {
                    position += 2;
                }
                _ => return false,
            }
        } else {
            return false;
        }
    }
    true
}

/// Whether the character at `index` is preceded by an odd number of backslashes.
fn is_escaped_at(characters: &[char], index: usize) -> bool {
    let mut backslashes = 0;
    let mut position = index;
    while position > 0 && characters[position - 1] == '\\' {
        backslashes += 1;
        position -= 1;
    }
    backslashes % 2 == 1
}

/// `*`, `-`, or a language tag: two or three letters, optionally `-` and a region (two letters
/// or three digits). The hyphen is escaped in the formatted string (`en\-us`).
fn is_cpe_language(component: &str) -> bool {
    if component == "*" || component == "-" {
        return true;
    }
    let (language, region) = match component.split_once("\\-") {
        Some((language, region)) => (language, Some(region)),
        None => (component, None),
    };
    let language_fits =
        (2..=3).contains(&language.len()) && language.chars().all(|c| c.is_ascii_alphabetic());
    let region_fits = match region {
        None => true,
        Some(region) => {
            (region.len() == 2 && region.chars().all(|c| c.is_ascii_alphabetic()))
                || (region.len() == 3 && region.chars().all(|c| c.is_ascii_digit()))
        }
    };
    language_fits && region_fits
}

macro_rules! identifier_as_text {
    ($type:ident, $field:tt, $description:literal) => {
        impl fmt::Display for $type {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str(&self.$field)
            }
        }

        impl Serialize for $type {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.$field)
            }
        }

        impl<'de> Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text: std::borrow::Cow<'_, str> = Deserialize::deserialize(deserializer)?;
                $type::parse(&text).map_err(serde::de::Error::custom)
            }
        }

        impl schemars::JsonSchema for $type {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($type).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "type": "string",
                    "maxLength": MAXIMUM_IDENTIFIER_CHARACTERS,
                    "description": $description
                })
            }
        }
    };
}

identifier_as_text!(
    Purl,
    0,
    "A package URL (`pkg:type/namespace/name@version`), kept canonical."
);
identifier_as_text!(
    Cpe23,
    text,
    "A CPE 2.3 formatted string (`cpe:2.3:a:vendor:product:…`)."
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_of_one_product_share_a_product_line() {
        let line = |identifier: ProductIdentifier| identifier.product_line();
        let purl = |text: &str| ProductIdentifier::Purl(Purl::parse(text).expect("valid"));
        let cpe = |text: &str| ProductIdentifier::Cpe(Cpe23::parse(text).expect("valid"));
        assert_eq!(
            line(purl("pkg:generic/acme/gateway@4.2.0")),
            line(purl("pkg:generic/acme/gateway@4.2.1"))
        );
        assert_ne!(
            line(purl("pkg:generic/acme/gateway@4.2.0")),
            line(purl("pkg:generic/acme/router@4.2.0"))
        );
        assert_eq!(
            line(cpe("cpe:2.3:a:contoso:server:1.0:*:*:*:*:*:*:*")),
            line(cpe("cpe:2.3:a:contoso:server:2.0:sp1:*:*:*:*:*:*"))
        );
        assert_ne!(
            line(cpe("cpe:2.3:a:contoso:server:1.0:*:*:*:*:*:*:*")),
            line(cpe("cpe:2.3:h:contoso:server:1.0:*:*:*:*:*:*:*"))
        );
        assert_ne!(
            line(cpe("cpe:2.3:a:acme:gateway:4.2.0:*:*:*:*:*:*:*")),
            line(purl("pkg:generic/acme/gateway@4.2.0"))
        );
    }

    #[test]
    fn purls_are_kept_canonical_and_bad_ones_say_why() {
        let purl = Purl::parse("pkg:npm/%40acme/gateway@4.2.0").expect("valid");
        assert_eq!(purl.as_str(), "pkg:npm/%40acme/gateway@4.2.0");
        assert_eq!(purl.without_version(), "pkg:npm/%40acme/gateway");
        assert_eq!(purl.version().as_deref(), Some("4.2.0"));
        let error = Purl::parse("npm/gateway").expect_err("no scheme");
        assert!(error.contains("npm/gateway"), "{error}");
    }

    #[test]
    fn cpes_follow_the_formatted_string_grammar() {
        for good in [
            "cpe:2.3:a:acme:gateway:4.2.0:*:*:*:*:*:*:*",
            "cpe:2.3:o:acme:router_os:1.0\\:beta:-:*:en\\-us:*:*:x64:*",
            "cpe:2.3:h:acme:*:*:*:*:*:*:*:*:*",
            "cpe:2.3:a:acme:gate*:4.?:*:*:*:*:*:*:*",
        ] {
            assert!(Cpe23::parse(good).is_ok(), "{good}");
        }
        for (bad, says) in [
            ("cpe:2.2:a:acme", "cpe:2.3:"),
            ("cpe:2.3:a:acme:gateway", "components"),
            ("cpe:2.3:x:acme:gateway:1:*:*:*:*:*:*:*", "part"),
            ("cpe:2.3:a:ac me:gateway:1:*:*:*:*:*:*:*", "vendor"),
            ("cpe:2.3:a:acme:gateway:1:*:*:english:*:*:*:*", "language"),
            ("cpe:2.3:a:acme:gateway:1\\:*:*:*:*:*:*:*", "components"),
        ] {
            let error = Cpe23::parse(bad).expect_err(bad);
            assert!(error.contains(says), "{bad}: {error}");
        }
        let cpe = Cpe23::parse("cpe:2.3:a:acme:gateway:4.2.0:*:*:*:*:*:*:*").expect("valid");
        assert_eq!(
            cpe.vendor_product_version(),
            ("acme".into(), "gateway".into(), "4.2.0".into())
        );
    }
}
