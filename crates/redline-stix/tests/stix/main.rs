//! Integration tests of redline-stix: round trips, bundles, markings, patterns, the exported
//! bundle's snapshot, and (when `STIX_VALIDATOR` is set) the OASIS stix2-validator.
#![allow(clippy::unwrap_used)]

mod access;
mod attribution;
mod interop;
#[path = "../../../redline-http/tests/support/interop.rs"]
mod interop_tools;
mod patterns;
mod round_trip;

use std::path::{Path, PathBuf};

use redline_model::{Incident, IncidentId, PartyId, Timestamp, parse_incident_report};
use redline_stix::{
    Bundle, ExportContext, ObjectError, StixObject, export_incidents, import_incidents,
    marking::{TLP_2_0_EXTENSION_DEFINITION_ID, tlp_marking_definition, tlp_marking_id},
    parse_bundle,
};
use serde_json::json;

pub fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The eight demo incidents as stored incidents with fixed ids and times.
pub fn demo_incidents() -> Vec<(String, Incident)> {
    let directory = repository_root().join("demo/incidents");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&directory)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "json")
        })
        .collect();
    paths.sort();
    assert_eq!(paths.len(), 8, "eight demo incidents");
    let now = Timestamp::parse("2026-11-22T10:00:00Z").unwrap();
    paths
        .iter()
        .enumerate()
        .map(|(index, path)| {
            let bytes = std::fs::read(path).unwrap();
            let mut report = parse_incident_report(&bytes, now).unwrap();
            let id = IncidentId::from_random_bytes([index as u8 + 1; 16]);
            report.id = Some(id.clone());
            let incident = Incident {
                id,
                version: 2,
                submitted_by: report.reported_by.clone(),
                received_at: Timestamp::parse("2026-11-20T09:30:00.123456Z").unwrap(),
                updated_at: Timestamp::parse("2026-11-21T08:00:00.250Z").unwrap(),
                report,
            };
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            (name, incident)
        })
        .collect()
}

pub fn export_one(incident: &Incident) -> Bundle {
    export_incidents(std::slice::from_ref(incident), &ExportContext::default())
}

#[test]
fn exported_bundle_snapshot_for_the_ukraine_grid_incident() {
    let (_, incident) = demo_incidents()
        .into_iter()
        .find(|(name, _)| name == "03-ukraine-grid-2015")
        .unwrap();
    let bundle = export_one(&incident);
    insta::assert_json_snapshot!("ukraine_grid_bundle", bundle);
}

#[test]
fn exporting_twice_gives_identical_bytes() {
    let incidents: Vec<Incident> = demo_incidents().into_iter().map(|(_, i)| i).collect();
    let first = export_incidents(&incidents, &ExportContext::default()).to_json_pretty();
    let second = export_incidents(&incidents, &ExportContext::default()).to_json_pretty();
    assert_eq!(first, second);
    let bundle = parse_bundle(first.as_bytes()).unwrap();
    assert!(bundle.errors.is_empty(), "{:?}", bundle.errors);
    let mut ids: Vec<&str> = bundle.objects.iter().map(StixObject::id_text).collect();
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "no object twice in one bundle");
    let imported: Vec<Incident> = import_incidents(&bundle.objects)
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(imported, incidents);
}

#[test]
fn tlp_markings_have_the_oasis_ids() {
    use redline_model::Tlp;
    let expected = [
        (
            Tlp::Clear,
            "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
        ),
        (
            Tlp::Green,
            "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        ),
        (
            Tlp::Amber,
            "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
        ),
        (
            Tlp::AmberStrict,
            "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        ),
        (
            Tlp::Red,
            "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
        ),
    ];
    assert_eq!(
        TLP_2_0_EXTENSION_DEFINITION_ID,
        "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
    );
    for (tlp, id) in expected {
        assert_eq!(tlp_marking_id(tlp), id);
        let json = serde_json::to_value(tlp_marking_definition(tlp)).unwrap();
        let name = format!("TLP:{}", tlp.as_str().to_uppercase());
        assert_eq!(
            json,
            json!({
                "type": "marking-definition",
                "spec_version": "2.1",
                "id": id,
                "created": "2022-10-01T00:00:00.000Z",
                "name": name,
                "extensions": {
                    "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
                        "extension_type": "property-extension",
                        "tlp_2_0": tlp.as_str()
                    }
                }
            })
        );
    }
    assert_eq!(
        redline_stix::marking::tlp_from_marking_id(
            "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
        ),
        Some(Tlp::Clear),
        "TLP 1.0 WHITE reads as CLEAR"
    );
}

fn identity_json(id: &str) -> serde_json::Value {
    json!({
        "type": "identity", "spec_version": "2.1", "id": id,
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "name": "CERT-A", "identity_class": "organization"
    })
}

#[test]
fn one_bad_object_is_reported_and_the_others_are_read() {
    let bundle = json!({
        "type": "bundle",
        "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
        "objects": [
            identity_json("identity--023d105b-752e-4e3c-941c-7d3f3cb15e9e"),
            { "type": "indicator", "spec_version": "2.1",
              "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
              "created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z",
              "pattern": "[ipv4-addr:value = '198.51.100.7'", "pattern_type": "stix",
              "valid_from": "2026-01-01T00:00:00Z" },
            identity_json("identity--b2a9a3a5-5f2c-4d0e-8d3c-3a0f6f0d1c44"),
            { "type": "identity", "spec_version": "2.1", "id": "identity--not-a-uuid" },
            { "type": "identity", "spec_version": "2.1",
              "id": "identity--6a6f0a4e-2b64-4f4e-a3b8-0d2b3f1a5c11",
              "created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z" },
            "not an object",
        ]
    });
    let parsed = parse_bundle(bundle.to_string().as_bytes()).unwrap();
    assert_eq!(parsed.objects.len(), 2);
    let indexes: Vec<usize> = parsed.errors.iter().map(|error| error.index).collect();
    assert_eq!(indexes, vec![1, 3, 4, 5]);
    assert!(matches!(
        parsed.errors[0].reason,
        ObjectError::InvalidPattern(ref error) if error.column == 34
    ));
    assert_eq!(
        parsed.errors[0].id.as_deref(),
        Some("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f")
    );
    assert!(matches!(parsed.errors[1].reason, ObjectError::InvalidId(_)));
    assert!(
        parsed.errors[2]
            .to_string()
            .contains("missing field `name`"),
        "{}",
        parsed.errors[2]
    );
    assert_eq!(parsed.errors[3].reason, ObjectError::NotAnObject);
}

#[test]
fn malformed_bundles_are_rejected_whole() {
    use redline_stix::BundleError;
    assert!(matches!(
        parse_bundle(b"{\"type\": \"bundle\", "),
        Err(BundleError::MalformedJson { .. })
    ));
    assert!(matches!(parse_bundle(b"[]"), Err(BundleError::NotAnObject)));
    assert!(matches!(
        parse_bundle(br#"{"type":"report","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d"}"#),
        Err(BundleError::NotABundle { .. })
    ));
    assert!(matches!(
        parse_bundle(br#"{"type":"bundle","id":"identity--5d0092c5-5f74-4287-9642-33f4c354e56d"}"#),
        Err(BundleError::InvalidId(_))
    ));
    assert!(matches!(
        parse_bundle(br#"{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":{}}"#),
        Err(BundleError::ObjectsNotAnArray)
    ));
}

#[test]
fn wrong_spec_version_is_an_object_error() {
    for (spec_version, expected) in [
        (json!("2.0"), "2.0"),
        (json!(2.1), "2.1"),
        (json!("2.2"), "2.2"),
    ] {
        let mut identity = identity_json("identity--023d105b-752e-4e3c-941c-7d3f3cb15e9e");
        identity["spec_version"] = spec_version;
        let bundle = json!({
            "type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
            "objects": [identity]
        });
        let parsed = parse_bundle(bundle.to_string().as_bytes()).unwrap();
        assert_eq!(
            parsed.errors[0].reason,
            ObjectError::UnsupportedSpecVersion {
                found: expected.to_string()
            }
        );
    }
    let mut identity = identity_json("identity--023d105b-752e-4e3c-941c-7d3f3cb15e9e");
    identity.as_object_mut().unwrap().remove("spec_version");
    assert_eq!(
        StixObject::from_json_value(identity).unwrap_err(),
        ObjectError::MissingSpecVersion
    );
    // Observables may omit it (STIX 2.1 §6); they are kept as `Other`.
    let address = json!({ "type": "ipv4-addr", "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd", "value": "198.51.100.3" });
    let read = StixObject::from_json_value(address.clone()).unwrap();
    assert_eq!(serde_json::to_value(&read).unwrap(), address);
}

#[test]
fn unknown_types_and_properties_are_kept_verbatim() {
    let event = json!({
        "type": "event", "spec_version": "2.1",
        "id": "event--1f0c4b1e-2d9a-4e7b-9f1c-0a2b3c4d5e6f",
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "status": "occurred",
        "extensions": { "extension-definition--4ca6de00-5b0d-45ef-a1dc-ea7279ea910e": { "extension_type": "new-sdo" } }
    });
    let mut identity = identity_json("identity--023d105b-752e-4e3c-941c-7d3f3cb15e9e");
    identity["x_acme_rating"] = json!({ "stars": 5 });
    identity["extensions"] = json!({ "extension-definition--00000000-0000-4000-8000-000000000000": { "extension_type": "property-extension", "anything": [1, 2] } });
    let bundle = json!({
        "type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
        "objects": [event.clone(), identity.clone()]
    });
    let parsed = parse_bundle(bundle.to_string().as_bytes()).unwrap();
    assert!(parsed.errors.is_empty());
    assert!(matches!(parsed.objects[0], StixObject::Other(_)));
    assert_eq!(parsed.objects[0].object_type(), "event");
    assert!(matches!(parsed.objects[1], StixObject::Identity(_)));
    assert_eq!(serde_json::to_value(&parsed.objects[0]).unwrap(), event);
    assert_eq!(serde_json::to_value(&parsed.objects[1]).unwrap(), identity);
}

#[test]
fn timestamps_keep_microseconds_and_write_milliseconds_when_they_suffice() {
    use redline_stix::StixTimestamp;
    for (input, output) in [
        ("2026-01-01T00:00:00Z", "2026-01-01T00:00:00.000Z"),
        ("2026-01-01T00:00:00.5Z", "2026-01-01T00:00:00.500Z"),
        ("2026-01-01T00:00:00.123456Z", "2026-01-01T00:00:00.123456Z"),
        (
            "2026-01-01T00:00:00.123456000Z",
            "2026-01-01T00:00:00.123456Z",
        ),
        ("1969-12-31T23:59:59.999999Z", "1969-12-31T23:59:59.999999Z"),
    ] {
        assert_eq!(StixTimestamp::parse(input).unwrap().to_string(), output);
    }
    for bad in [
        "2026-01-01T00:00:00.1234567Z",
        "2026-01-01T00:00:00+00:00",
        "2026-01-01 00:00:00Z",
        "2026-01-01T00:00:00.Z",
        "yesterday",
    ] {
        assert!(StixTimestamp::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn identifiers_are_checked() {
    use redline_stix::StixIdentifier;
    assert!(StixIdentifier::parse("incident--3f2c5b1e-8a1d-4f63-9d4b-2a8d1e7f0c11").is_ok());
    assert!(StixIdentifier::parse("x-acme-widget--3f2c5b1e-8a1d-4f63-9d4b-2a8d1e7f0c11").is_ok());
    for bad in [
        "incident-3f2c5b1e-8a1d-4f63-9d4b-2a8d1e7f0c11",
        "Incident--3f2c5b1e-8a1d-4f63-9d4b-2a8d1e7f0c11",
        "incident--3f2c5b1e8a1d4f639d4b2a8d1e7f0c11",
        "in--3f2c5b1e-8a1d-4f63-9d4b-2a8d1e7f0c11",
        "incident--",
    ] {
        assert!(StixIdentifier::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn incidents_from_other_producers_are_refused_with_a_reason() {
    let (_, incident) = demo_incidents().remove(0);
    let bundle = export_one(&incident);
    let mut objects = bundle.objects;
    for object in &mut objects {
        if let StixObject::Incident(stix_incident) = object {
            stix_incident
                .extensions
                .remove(redline_stix::extension::REDLINE_INCIDENT_EXTENSION_ID);
        }
    }
    let results = import_incidents(&objects);
    assert_eq!(results.len(), 1);
    assert!(matches!(
        results[0],
        Err(redline_stix::ImportError::MissingRedlineExtension { .. })
    ));
    let _ = PartyId::parse("EE").unwrap();
}

#[test]
fn the_shipped_schema_lists_exactly_the_model_vocabularies() {
    use redline_model::{
        Access, AttributionBasis, Confidence, EffectKind, IncidentStatus, Scale, Sector,
    };
    use redline_stix::extension::{
        REDLINE_INCIDENT_EXTENSION_ID, REDLINE_INCIDENT_EXTENSION_SCHEMA,
    };
    let schema: serde_json::Value =
        serde_json::from_str(REDLINE_INCIDENT_EXTENSION_SCHEMA).unwrap();
    let file: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            repository_root().join("crates/redline-stix/schemas/redline-incident-extension.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(schema, file);
    assert_eq!(
        schema["properties"]["extensions"]["required"],
        json!([REDLINE_INCIDENT_EXTENSION_ID])
    );
    let properties = &schema["$defs"]["redline_incident_extension"]["properties"];
    let enumeration = |value: &serde_json::Value| -> Vec<String> {
        value["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item.as_str().unwrap().to_string())
            .collect()
    };
    fn names<T: std::fmt::Display>(all: &[T]) -> Vec<String> {
        all.iter().map(ToString::to_string).collect()
    }
    assert_eq!(
        enumeration(&properties["status"]),
        names(IncidentStatus::ALL)
    );
    assert_eq!(enumeration(&properties["access"]), names(Access::ALL));
    assert_eq!(
        enumeration(&properties["targets"]["items"]["properties"]["sector"]),
        names(Sector::ALL)
    );
    assert_eq!(
        enumeration(&properties["effects"]["items"]["properties"]["kind"]),
        names(EffectKind::ALL)
    );
    assert_eq!(
        enumeration(&properties["effects"]["items"]["properties"]["scale"]),
        names(Scale::ALL)
    );
    assert_eq!(
        enumeration(&properties["suspected_origin"]["properties"]["confidence"]),
        names(Confidence::ALL)
    );
    assert_eq!(
        enumeration(&properties["suspected_origin"]["properties"]["basis"]["items"]),
        names(AttributionBasis::ALL)
    );
    let recoverability: Vec<String> = redline_model::nciss::Recoverability::ALL
        .iter()
        .map(|value| value.as_str().to_string())
        .collect();
    assert_eq!(
        enumeration(&properties["nciss"]["properties"]["recoverability"]),
        recoverability
    );
}

#[test]
fn an_incident_needs_exactly_one_tlp_marking() {
    let (_, incident) = demo_incidents().remove(2);
    let mut objects = export_one(&incident).objects;
    for object in &mut objects {
        if let StixObject::Incident(stix_incident) = object {
            let amber =
                redline_stix::StixIdentifier::parse(tlp_marking_id(redline_model::Tlp::Amber))
                    .unwrap();
            stix_incident.object_marking_refs.push(amber);
        }
    }
    assert!(matches!(
        import_incidents(&objects)[0],
        Err(redline_stix::ImportError::TlpMarking { found: 2, .. })
    ));
}

#[test]
fn the_bundle_id_can_be_given() {
    let (_, incident) = demo_incidents().remove(0);
    let uuid = uuid_from_text("6ba7b810-9dad-41d1-80b4-00c04fd430c8");
    let bundle = export_incidents(
        std::slice::from_ref(&incident),
        &ExportContext {
            bundle_uuid: Some(uuid),
        },
    );
    assert_eq!(
        bundle.id.as_str(),
        "bundle--6ba7b810-9dad-41d1-80b4-00c04fd430c8"
    );
}

fn uuid_from_text(text: &str) -> uuid::Uuid {
    uuid::Uuid::parse_str(text).unwrap()
}
