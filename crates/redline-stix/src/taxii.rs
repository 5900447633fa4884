//! TAXII 2.1 bodies without I/O: reading the envelope of a TAXII "add objects" request, or a
//! STIX bundle given to `redline stix import`, into its raw objects (each error names the JSON
//! path it is about), and the facts the node needs of a raw object before it reads it fully
//! ([`object_facts`]).
//!
//! The objects come back as JSON values, not yet read as [`crate::StixObject`]s: a bad object is
//! a failure of that object in the TAXII status resource, never of the whole request.

use serde_json::{Map, Value};

use crate::common::StixIdentifier;

/// Why a whole body was refused, with the JSON path it is about (`.` for the document).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct EnvelopeError {
    /// `.`, `objects`, `type` or `id`.
    pub path: String,
    pub message: String,
}

impl EnvelopeError {
    fn new(path: &str, message: impl Into<String>) -> Self {
        Self {
            path: path.to_string(),
            message: message.into(),
        }
    }
}

fn json_object(bytes: &[u8], not_an_object: &str) -> Result<Map<String, Value>, EnvelopeError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|error| {
        EnvelopeError::new(
            ".",
            format!(
                "malformed JSON at line {}, column {}: {error}",
                error.line(),
                error.column()
            ),
        )
    })?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(EnvelopeError::new(".", not_an_object)),
    }
}

/// The objects of a TAXII 2.1 envelope `{"objects": [...]}`. A bundle is tolerated in its place
/// (its `type` must then be `bundle`; its `id` is not checked), since clients post either.
pub fn parse_taxii_envelope(bytes: &[u8]) -> Result<Vec<Value>, EnvelopeError> {
    let mut envelope = json_object(bytes, "the body must be a JSON object")?;
    let objects = match envelope.remove("objects") {
        Some(Value::Array(objects)) => objects,
        Some(_) => return Err(EnvelopeError::new("objects", "must be an array")),
        None => {
            return Err(EnvelopeError::new(
                "objects",
                "missing: the body is a TAXII envelope {\"objects\": [...]}",
            ));
        }
    };
    if let Some(kind) = envelope.get("type")
        && kind.as_str() != Some("bundle")
    {
        return Err(EnvelopeError::new(
            "type",
            format!("{kind} is not a bundle; send a TAXII envelope"),
        ));
    }
    Ok(objects)
}

/// The objects of a STIX 2.1 bundle (`type` `bundle`, an `id` `bundle--<uuid>`, `objects`
/// optional).
pub fn parse_bundle_objects(bytes: &[u8]) -> Result<Vec<Value>, EnvelopeError> {
    let mut bundle = json_object(bytes, "a bundle is a JSON object")?;
    if bundle.get("type").and_then(Value::as_str) != Some("bundle") {
        return Err(EnvelopeError::new(
            "type",
            "not a STIX bundle (`type` must be \"bundle\")",
        ));
    }
    let bundle_id = bundle.get("id").and_then(Value::as_str).unwrap_or_default();
    match StixIdentifier::parse(bundle_id) {
        Ok(id) if id.object_type() == "bundle" => {}
        _ => {
            return Err(EnvelopeError::new(
                "id",
                format!("`{bundle_id}` is not a bundle id (bundle--<uuid>)"),
            ));
        }
    }
    match bundle.remove("objects") {
        None => Ok(Vec::new()),
        Some(Value::Array(objects)) => Ok(objects),
        Some(_) => Err(EnvelopeError::new("objects", "must be an array")),
    }
}

/// What the node needs to know of a raw object before reading it fully.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectFacts {
    /// `id`, when it is a string.
    pub id: Option<String>,
    /// `modified`, else `created`, as written.
    pub version_text: Option<String>,
    /// `created_by_ref`, when it is a string.
    pub created_by: Option<String>,
    /// Every marking the object refers to, each once, in order: `object_marking_refs`, then the
    /// `marking_ref` of every `granular_markings` entry whatever its selectors. A reference that
    /// is present but not a string is kept as `""`, which no definition has: it can only count
    /// as an unknown marking, never vanish.
    pub marking_refs: Vec<String>,
}

/// Reads [`ObjectFacts`] from a raw object (anything: a non-object gives empty facts).
pub fn object_facts(value: &Value) -> ObjectFacts {
    let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
    let mut marking_refs: Vec<String> = Vec::new();
    let mut add = |reference: &Value| {
        let reference = reference.as_str().unwrap_or_default().to_string();
        if !marking_refs.contains(&reference) {
            marking_refs.push(reference);
        }
    };
    match value.get("object_marking_refs") {
        None => {}
        Some(Value::Array(references)) => references.iter().for_each(&mut add),
        Some(other) => add(other),
    }
    match value.get("granular_markings") {
        None => {}
        Some(Value::Array(markings)) => {
            for marking in markings {
                match marking {
                    Value::Object(fields) => {
                        if let Some(reference) = fields.get("marking_ref") {
                            add(reference);
                        }
                    }
                    other => add(other),
                }
            }
        }
        Some(other) => add(other),
    }
    ObjectFacts {
        id: text("id"),
        version_text: text("modified").or_else(|| text("created")),
        created_by: text("created_by_ref"),
        marking_refs,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn refused(result: Result<Vec<Value>, EnvelopeError>) -> EnvelopeError {
        match result {
            Ok(objects) => panic!("expected a refusal, read {} objects", objects.len()),
            Err(error) => error,
        }
    }

    #[test]
    fn envelopes_and_their_errors_name_the_path() {
        assert_eq!(
            parse_taxii_envelope(br#"{"objects": [{"a": 1}, 2]}"#),
            Ok(vec![json!({"a": 1}), json!(2)])
        );
        assert_eq!(
            parse_taxii_envelope(br#"{"type": "bundle", "id": "x", "objects": []}"#),
            Ok(Vec::new())
        );
        let error = refused(parse_taxii_envelope(b"{\"objects\": ["));
        assert_eq!(error.path, ".");
        assert!(error.message.contains("line 1"), "{error}");
        assert_eq!(refused(parse_taxii_envelope(b"[1, 2]")).path, ".");
        assert_eq!(
            refused(parse_taxii_envelope(br#"{"objects": 5}"#)).path,
            "objects"
        );
        assert_eq!(refused(parse_taxii_envelope(b"{}")).path, "objects");
        assert_eq!(
            refused(parse_taxii_envelope(
                br#"{"type": "indicator", "objects": []}"#
            ))
            .path,
            "type"
        );
    }

    #[test]
    fn bundles_and_their_errors_name_the_path() {
        let id = "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d";
        let good = json!({"type": "bundle", "id": id, "objects": [{"a": 1}]});
        assert_eq!(
            parse_bundle_objects(good.to_string().as_bytes()),
            Ok(vec![json!({"a": 1})])
        );
        let empty = json!({"type": "bundle", "id": id});
        assert_eq!(
            parse_bundle_objects(empty.to_string().as_bytes()),
            Ok(Vec::new())
        );
        assert_eq!(refused(parse_bundle_objects(b"{")).path, ".");
        assert_eq!(refused(parse_bundle_objects(b"5")).path, ".");
        assert_eq!(
            refused(parse_bundle_objects(br#"{"objects": []}"#)).path,
            "type"
        );
        let wrong_id =
            json!({"type": "bundle", "id": "indicator--5d0092c5-5f74-4287-9642-33f4c354e56d"});
        assert_eq!(
            refused(parse_bundle_objects(wrong_id.to_string().as_bytes())).path,
            "id"
        );
        let not_array = json!({"type": "bundle", "id": id, "objects": {}});
        assert_eq!(
            refused(parse_bundle_objects(not_array.to_string().as_bytes())).path,
            "objects"
        );
    }

    #[test]
    fn facts_gather_every_marking_reference() {
        let facts = object_facts(&json!({
            "id": "indicator--1", "created": "c", "modified": "m", "created_by_ref": "identity--2",
            "object_marking_refs": ["marking-definition--a", "marking-definition--b"],
            "granular_markings": [
                {"marking_ref": "marking-definition--c", "selectors": ["name"]},
                {"lang": "en", "selectors": ["description"]},
                {"marking_ref": "marking-definition--a", "selectors": ["pattern"]},
                {"marking_ref": 7, "selectors": ["pattern"]}
            ]
        }));
        assert_eq!(facts.id.as_deref(), Some("indicator--1"));
        assert_eq!(facts.version_text.as_deref(), Some("m"));
        assert_eq!(facts.created_by.as_deref(), Some("identity--2"));
        assert_eq!(
            facts.marking_refs,
            vec![
                "marking-definition--a",
                "marking-definition--b",
                "marking-definition--c",
                ""
            ]
        );
        let malformed = object_facts(&json!({"object_marking_refs": 5}));
        assert_eq!(malformed.marking_refs, vec![""]);
        assert_eq!(object_facts(&json!(3)), ObjectFacts::default());
        assert_eq!(
            object_facts(&json!({"created": "c"}))
                .version_text
                .as_deref(),
            Some("c")
        );
    }
}
