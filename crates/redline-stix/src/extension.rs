//! The redline incident extension: a STIX property-extension on `incident` carrying every field
//! of the redline incident report that STIX and the OASIS Incident Core extension have no exact
//! place for, so report → STIX → report is exact. Its JSON Schema ships at
//! `crates/redline-stix/schemas/redline-incident-extension.json`.
//!
//! The extension-definition id is stable forever: `derived_uuid("extension-definition:redline-incident-extension/1")`
//! of [`crate::common`] (SHA-1 name-based in the redline namespace, which is UUIDv5 of
//! `https://example.invalid/redline` in the URL namespace), checked by a test against
//! [`REDLINE_INCIDENT_EXTENSION_ID`].

use redline_model::{
    Access, AlternativeHypotheses, Casualties, CountryCode, Effect, ExploitedVulnerability,
    IncidentStatus, NcissOverrides, PartyId, SuspectedOrigin, Target, Timestamp,
};
use serde::{Deserialize, Serialize};

use crate::{
    common::{SPEC_VERSION, StixIdentifier, StixTimestamp, derived_identifier},
    objects::{ExtensionDefinition, Identity},
};

/// The id of the redline incident extension-definition.
pub const REDLINE_INCIDENT_EXTENSION_ID: &str =
    "extension-definition--65687f7f-39c0-4625-bbb1-11c59bd02f8f";

/// The name the id above is derived from.
pub const REDLINE_INCIDENT_EXTENSION_NAME: &str = "redline-incident-extension/1";

/// The version of the extension (semver); a breaking change gets a new definition id.
pub const REDLINE_INCIDENT_EXTENSION_VERSION: &str = "1.0.0";

/// The JSON Schema of the extension, as shipped (stix2-validator `--schemas` form: it constrains
/// the whole incident object and the extension dictionary inside it).
pub const REDLINE_INCIDENT_EXTENSION_SCHEMA: &str =
    include_str!("../schemas/redline-incident-extension.json");

/// `created`/`modified` of the objects redline publishes about itself and of shared derived
/// objects (party identities, country locations): fixed, so re-exports are byte-identical.
pub const REDLINE_DEFINITIONS_CREATED: &str = "2026-11-22T00:00:00.000Z";

/// The OASIS Incident Core extension-definition.
pub const INCIDENT_CORE_EXTENSION_ID: &str =
    "extension-definition--ef765651-680c-498d-9894-99799f2fa126";

/// The `extension_type` value of property extensions.
pub const PROPERTY_EXTENSION: &str = "property-extension";

/// What the redline extension carries on an `incident`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedlineIncidentExtension {
    /// Always `property-extension`.
    pub extension_type: String,
    /// The stored incident's version (1 on submit, one more per update).
    pub report_version: u32,
    pub submitted_by: PartyId,
    pub reported_by: PartyId,
    pub victim: CountryCode,
    pub first_observed: StixTimestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_observed: Option<StixTimestamp>,
    pub status: IncidentStatus,
    pub targets: Vec<Target>,
    pub effects: Vec<Effect>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub techniques: Vec<String>,
    /// The vulnerabilities exploited, exactly as reported (each CVE id is also an external
    /// reference `cve` of the incident, the STIX way to name one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exploited_vulnerabilities: Vec<ExploitedVulnerability>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<Access>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspected_origin: Option<SuspectedOrigin>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternative_hypotheses: Option<AlternativeHypotheses>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub casualties: Option<Casualties>,
    pub armed_conflict: bool,
    pub cross_border: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nciss: Option<NcissOverrides>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shared_with: Vec<PartyId>,
    /// The report is an exercise inject (see the incident report's `exercise`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exercise: bool,
}

/// The time written as `created`/`modified` of redline's own and shared derived objects.
pub fn definitions_created() -> StixTimestamp {
    StixTimestamp(
        Timestamp::parse(REDLINE_DEFINITIONS_CREATED)
            .unwrap_or_else(|_| Timestamp::from_jiff(jiff::Timestamp::UNIX_EPOCH)),
    )
}

/// The identity of the redline software, creator of the extension-definition.
pub fn redline_identity_id() -> StixIdentifier {
    derived_identifier("identity", "redline")
}

pub fn redline_identity() -> Identity {
    Identity {
        object_type: Identity::TYPE.to_string(),
        spec_version: SPEC_VERSION.to_string(),
        id: redline_identity_id(),
        created_by_ref: None,
        created: definitions_created(),
        modified: definitions_created(),
        name: "redline".to_string(),
        description: Some(
            "redline: incident reports between states, assessed against cyber norms.".to_string(),
        ),
        roles: Vec::new(),
        identity_class: Some("system".to_string()),
        sectors: Vec::new(),
        contact_information: None,
        revoked: None,
        labels: Vec::new(),
        confidence: None,
        lang: None,
        external_references: Vec::new(),
        object_marking_refs: Vec::new(),
        granular_markings: Vec::new(),
        extensions: Default::default(),
        additional_properties: Default::default(),
    }
}

/// The extension-definition object of the redline incident extension.
pub fn redline_incident_extension_definition() -> ExtensionDefinition {
    ExtensionDefinition {
        object_type: ExtensionDefinition::TYPE.to_string(),
        spec_version: SPEC_VERSION.to_string(),
        id: StixIdentifier::parse(REDLINE_INCIDENT_EXTENSION_ID)
            .unwrap_or_else(|_| derived_identifier("extension-definition", "invalid")),
        created_by_ref: Some(redline_identity_id()),
        created: definitions_created(),
        modified: definitions_created(),
        name: "redline incident extension".to_string(),
        description: Some(
            "The fields of a redline incident report that STIX 2.1 and the Incident Core extension do not carry exactly: reporting and victim parties, observation times, status, targets, effects, ATT&CK techniques, access, suspected origin, armed-conflict and cross-border flags, NCISS overrides and the parties a restricted report is shared with.".to_string(),
        ),
        schema: "https://example.invalid/redline/crates/redline-stix/schemas/redline-incident-extension.json".to_string(),
        version: REDLINE_INCIDENT_EXTENSION_VERSION.to_string(),
        extension_types: vec![PROPERTY_EXTENSION.to_string()],
        extension_properties: Vec::new(),
        revoked: None,
        labels: Vec::new(),
        confidence: None,
        lang: None,
        external_references: Vec::new(),
        object_marking_refs: Vec::new(),
        granular_markings: Vec::new(),
        extensions: Default::default(),
        additional_properties: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_definition_id_is_derived_from_its_name() {
        let derived = derived_identifier("extension-definition", REDLINE_INCIDENT_EXTENSION_NAME);
        assert_eq!(derived.as_str(), REDLINE_INCIDENT_EXTENSION_ID);
    }

    #[test]
    fn shipped_schema_names_the_extension() {
        let schema: serde_json::Value =
            serde_json::from_str(REDLINE_INCIDENT_EXTENSION_SCHEMA).expect("schema is JSON");
        assert!(
            schema["properties"]["extensions"]["properties"][REDLINE_INCIDENT_EXTENSION_ID]
                .is_object()
        );
    }
}
