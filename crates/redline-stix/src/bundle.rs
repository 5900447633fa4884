//! STIX 2.1 bundles: writing them, and reading them object by object so that one bad object is
//! reported with its index, id and reason while the others are still read.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{
    common::StixIdentifier,
    objects::{ObjectError, StixObject},
};

/// A bundle as redline writes it: `type`, `id` and `objects` (no `spec_version` in STIX 2.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    #[serde(rename = "type")]
    pub object_type: String,
    pub id: StixIdentifier,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<StixObject>,
}

impl Bundle {
    pub const TYPE: &'static str = "bundle";

    pub fn new(id: StixIdentifier, objects: Vec<StixObject>) -> Self {
        Self {
            object_type: Self::TYPE.to_string(),
            id,
            objects,
        }
    }

    /// The bundle as pretty JSON (what `scripts/validate-stix` and the snapshots read).
    pub fn to_json_pretty(&self) -> String {
        // Serialising plain data with string keys cannot fail; an empty string is never valid
        // STIX, so a failure would still be caught by any consumer.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Why a bundle as a whole could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    MalformedJson {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("the document is not a JSON object")]
    NotAnObject,
    #[error("`type` is {found}, expected \"bundle\"")]
    NotABundle { found: String },
    #[error("bundle id: {0}")]
    InvalidId(String),
    #[error("`objects` is not an array")]
    ObjectsNotAnArray,
}

/// One object of a bundle that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("objects[{index}]{}: {reason}", id.as_deref().map(|id| format!(" ({id})")).unwrap_or_default())]
pub struct BundleObjectError {
    /// Position in `objects`, from 0.
    pub index: usize,
    /// The object's `id` when it had a string one.
    pub id: Option<String>,
    pub reason: ObjectError,
}

/// A bundle read object by object.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedBundle {
    pub id: StixIdentifier,
    /// Every object that was read, in bundle order.
    pub objects: Vec<StixObject>,
    /// Every object that was not, with why.
    pub errors: Vec<BundleObjectError>,
}

impl ParsedBundle {
    /// The bundle of the objects that were read.
    pub fn into_bundle(self) -> Bundle {
        Bundle::new(self.id, self.objects)
    }
}

/// Reads a bundle from JSON bytes. Fails only when the document is not a bundle at all; each
/// object that cannot be read lands in [`ParsedBundle::errors`] and the rest are kept.
pub fn parse_bundle(bytes: &[u8]) -> Result<ParsedBundle, BundleError> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|error| BundleError::MalformedJson {
            line: error.line(),
            column: error.column(),
            message: strip_position(&error.to_string()),
        })?;
    parse_bundle_value(value)
}

/// Reads a bundle already parsed as JSON; see [`parse_bundle`].
pub fn parse_bundle_value(value: Value) -> Result<ParsedBundle, BundleError> {
    let Value::Object(mut map) = value else {
        return Err(BundleError::NotAnObject);
    };
    match map.get("type") {
        Some(Value::String(found)) if found == Bundle::TYPE => {}
        other => {
            return Err(BundleError::NotABundle {
                found: other.map_or_else(|| "missing".to_string(), Value::to_string),
            });
        }
    }
    let id_text = map.get("id").and_then(Value::as_str).unwrap_or_default();
    let id = StixIdentifier::parse(id_text).map_err(BundleError::InvalidId)?;
    if id.object_type() != Bundle::TYPE {
        return Err(BundleError::InvalidId(format!(
            "`{id_text}` is not a bundle id"
        )));
    }
    let raw_objects = match map.remove("objects") {
        None => Vec::new(),
        Some(Value::Array(objects)) => objects,
        Some(_) => return Err(BundleError::ObjectsNotAnArray),
    };
    let mut objects = Vec::with_capacity(raw_objects.len());
    let mut errors = Vec::new();
    for (index, raw_object) in raw_objects.into_iter().enumerate() {
        let object_id = raw_object
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_string);
        match StixObject::from_json_value(raw_object) {
            Ok(object) => objects.push(object),
            Err(reason) => errors.push(BundleObjectError {
                index,
                id: object_id,
                reason,
            }),
        }
    }
    Ok(ParsedBundle {
        id,
        objects,
        errors,
    })
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}
