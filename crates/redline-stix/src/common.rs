//! Building blocks shared by every STIX 2.1 object: identifiers (`type--uuid`), timestamps in
//! STIX form, external references, and the deterministic id derivation redline uses for objects
//! it derives from an incident.
//!
//! Timestamp precision: redline keeps every time at whole microseconds (`redline_model::Timestamp`),
//! so a STIX timestamp here is the same microsecond instant. It is written with three fractional
//! digits when the value has nothing finer than milliseconds (`2022-10-01T00:00:00.000Z`, the form
//! the OASIS TLP 2.0 objects and the `stix2` library use) and with six otherwise, so no microsecond
//! is ever dropped and `created`/`modified` always carry at least millisecond precision as the spec
//! asks. On input any number of fractional digits is accepted as long as nothing beyond the sixth
//! is non-zero: finer values cannot be represented by redline (nor by the Python `stix2` library),
//! and silently truncating a `modified` would change an object's version identity.

use std::{borrow::Cow, fmt};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use redline_model::Timestamp;

/// The specification version every object redline writes carries, and the only one it reads.
pub const SPEC_VERSION: &str = "2.1";

/// A STIX identifier: `<object type>--<UUID>`, kept exactly as written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StixIdentifier(String);

impl StixIdentifier {
    /// Checks the form the STIX 2.1 `identifier` schema requires: an object type of 3 to 250
    /// characters (`a-z`, `0-9`, `-`, starting with a letter, not ending with `-`), `--`, and an
    /// RFC 4122 UUID in its hyphenated form.
    pub fn parse(text: &str) -> Result<Self, String> {
        let Some((object_type, uuid_text)) = text.split_once("--") else {
            return Err(format!(
                "`{text}` is not a STIX identifier: expected `<type>--<uuid>`"
            ));
        };
        if !is_valid_object_type(object_type) {
            return Err(format!(
                "`{text}` is not a STIX identifier: `{object_type}` is not a valid object type"
            ));
        }
        let uuid_well_formed = uuid_text.len() == 36
            && uuid::Uuid::try_parse(uuid_text).is_ok_and(|uuid| {
                uuid.hyphenated()
                    .to_string()
                    .eq_ignore_ascii_case(uuid_text)
            });
        if !uuid_well_formed {
            return Err(format!(
                "`{text}` is not a STIX identifier: `{uuid_text}` is not a hyphenated UUID"
            ));
        }
        Ok(Self(text.to_string()))
    }

    /// An identifier from its parts; the type must be valid (callers pass constants).
    pub fn from_parts(object_type: &str, uuid: uuid::Uuid) -> Self {
        Self(format!("{object_type}--{}", uuid.hyphenated()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before `--`.
    pub fn object_type(&self) -> &str {
        self.0
            .split_once("--")
            .map_or("", |(object_type, _)| object_type)
    }

    /// The UUID after `--`.
    pub fn uuid(&self) -> Option<uuid::Uuid> {
        self.0
            .split_once("--")
            .and_then(|(_, uuid_text)| uuid::Uuid::try_parse(uuid_text).ok())
    }
}

/// Whether `text` is a valid STIX object type name (`incident`, `x-acme-widget`).
pub fn is_valid_object_type(text: &str) -> bool {
    let bytes = text.as_bytes();
    (3..=250).contains(&bytes.len())
        && bytes.first().is_some_and(u8::is_ascii_lowercase)
        && bytes
            .last()
            .is_some_and(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit())
        && bytes
            .iter()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || *byte == b'-')
        && !text.contains("--")
}

impl fmt::Display for StixIdentifier {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl Serialize for StixIdentifier {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for StixIdentifier {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Cow::<str>::deserialize(deserializer)?;
        StixIdentifier::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A STIX timestamp: RFC 3339 in UTC with `Z`, held at microsecond precision (see the module
/// header for why).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StixTimestamp(pub Timestamp);

impl StixTimestamp {
    pub fn parse(text: &str) -> Result<Self, String> {
        let well_formed = text.len() >= 20
            && text.ends_with('Z')
            && text.as_bytes().get(10) == Some(&b'T')
            && text.is_ascii();
        if !well_formed {
            return Err(format!(
                "`{text}` is not a STIX timestamp: expected RFC 3339 in UTC ending in `Z`, such as `2026-11-22T10:00:00.000Z`"
            ));
        }
        if let Some((_, fraction)) = text.trim_end_matches('Z').split_once('.') {
            if fraction.is_empty() || !fraction.bytes().all(|byte| byte.is_ascii_digit()) {
                return Err(format!(
                    "`{text}` is not a STIX timestamp: bad fractional seconds"
                ));
            }
            if fraction.bytes().skip(6).any(|byte| byte != b'0') {
                return Err(format!(
                    "`{text}` is finer than a microsecond, which redline cannot keep exactly"
                ));
            }
        }
        Timestamp::parse(text).map(Self)
    }

    pub fn as_timestamp(&self) -> Timestamp {
        self.0
    }
}

impl From<Timestamp> for StixTimestamp {
    fn from(timestamp: Timestamp) -> Self {
        Self(timestamp)
    }
}

impl fmt::Display for StixTimestamp {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let microseconds = self.0.as_microseconds();
        let whole_seconds = microseconds.div_euclid(1_000_000);
        let fraction = microseconds.rem_euclid(1_000_000);
        let seconds_text = jiff::Timestamp::from_second(whole_seconds)
            .map(|instant| instant.strftime("%Y-%m-%dT%H:%M:%S").to_string())
            .map_err(|_| fmt::Error)?;
        if fraction % 1000 == 0 {
            write!(formatter, "{seconds_text}.{:03}Z", fraction / 1000)
        } else {
            write!(formatter, "{seconds_text}.{fraction:06}Z")
        }
    }
}

impl Serialize for StixTimestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for StixTimestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Cow::<str>::deserialize(deserializer)?;
        StixTimestamp::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A STIX `external-reference`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StixExternalReference {
    pub source_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hashes: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

/// A STIX `kill-chain-phase`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KillChainPhase {
    pub kill_chain_name: String,
    pub phase_name: String,
}

/// A STIX `granular-marking`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GranularMarking {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marking_ref: Option<StixIdentifier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    pub selectors: Vec<String>,
}

/// Properties nobody here has a field for, kept in order so nothing read is lost on writing.
pub type AdditionalProperties = serde_json::Map<String, serde_json::Value>;

/// The `extensions` dictionary: extension-definition id (or a 2.0-style name) to its content,
/// kept verbatim.
pub type Extensions = std::collections::BTreeMap<String, serde_json::Value>;

/// The namespace of every id redline derives: UUIDv5 of the project URL in the URL namespace.
pub fn redline_namespace() -> uuid::Uuid {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        b"https://example.invalid/redline",
    )
}

/// A deterministic id for an object redline derives, named by `name` (for example
/// `relationship:attributed-to:incident--…`).
///
/// The 122 name-dependent bits are those of UUIDv5 (SHA-1 of the redline namespace and the
/// name), but the version nibble is set to 4. STIX 2.1 says SDO and SRO ids SHOULD be UUIDv4 and
/// `stix2-validator` warns (`uuid-check`) on any other version; a SHA-1-derived value is as
/// collision-resistant as a random one, and re-exporting the same incident gives the same ids.
pub fn derived_uuid(name: &str) -> uuid::Uuid {
    let name_based = uuid::Uuid::new_v5(&redline_namespace(), name.as_bytes());
    uuid::Builder::from_random_bytes(name_based.into_bytes()).into_uuid()
}

/// A deterministic identifier of type `object_type` for `name` (see [`derived_uuid`]).
pub fn derived_identifier(object_type: &str, name: &str) -> StixIdentifier {
    StixIdentifier::from_parts(object_type, derived_uuid(&format!("{object_type}:{name}")))
}
