//! The STIX 2.1 domain and relationship objects redline exchanges, as serde types, and
//! [`StixObject`], the enum over them keyed by `type`.
//!
//! Every type keeps the properties it has no field for in `additional_properties` (a flattened
//! map), so an object read from a peer is written back with nothing lost. A `type` this module
//! does not know (a custom object, an extension's `new-sdo` such as `event`, an observable) is
//! kept whole as [`StixObject::Other`]: the spec asks consumers to tolerate such objects, not to
//! reject the bundle.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::{
    common::{
        AdditionalProperties, Extensions, GranularMarking, KillChainPhase, SPEC_VERSION,
        StixExternalReference, StixIdentifier, StixTimestamp, is_valid_object_type,
    },
    pattern,
};

macro_rules! stix_object {
    (
        $(#[$meta:meta])*
        $name:ident = $type_name:literal {
            $( $(#[$field_meta:meta])* $field:ident : $field_type:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub struct $name {
            #[doc = concat!("Always `", $type_name, "`.")]
            #[serde(rename = "type")]
            pub object_type: String,
            pub spec_version: String,
            pub id: StixIdentifier,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub created_by_ref: Option<StixIdentifier>,
            pub created: StixTimestamp,
            pub modified: StixTimestamp,
            $( $(#[$field_meta])* pub $field: $field_type, )*
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub revoked: Option<bool>,
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub labels: Vec<String>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub confidence: Option<u8>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub lang: Option<String>,
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub external_references: Vec<StixExternalReference>,
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub object_marking_refs: Vec<StixIdentifier>,
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub granular_markings: Vec<GranularMarking>,
            #[serde(default, skip_serializing_if = "Extensions::is_empty")]
            pub extensions: Extensions,
            /// Properties without a field here, kept verbatim.
            #[serde(flatten)]
            pub additional_properties: AdditionalProperties,
        }

        impl $name {
            pub const TYPE: &'static str = $type_name;
        }
    };
}

stix_object! {
    /// `incident`: in STIX 2.1 core a stub; the content lives in property extensions.
    Incident = "incident" {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        kill_chain_phases: Vec<KillChainPhase>,
    }
}

stix_object! {
    /// `identity`: a party, a victim organisation, or a class of entities (a sector).
    Identity = "identity" {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        roles: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        identity_class: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        sectors: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        contact_information: Option<String>,
    }
}

stix_object! {
    /// `location`: redline writes countries (ISO 3166-1 alpha-2 `country`).
    Location = "location" {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        latitude: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        longitude: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        precision: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        region: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        country: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        administrative_area: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        city: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        street_address: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        postal_code: Option<String>,
    }
}

stix_object! {
    /// `indicator`: a pattern; `stix` patterns are parsed by [`crate::pattern`] on input.
    Indicator = "indicator" {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        indicator_types: Vec<String>,
        pattern: String,
        pattern_type: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pattern_version: Option<String>,
        valid_from: StixTimestamp,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        valid_until: Option<StixTimestamp>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        kill_chain_phases: Vec<KillChainPhase>,
    }
}

stix_object! {
    /// `attack-pattern`: redline writes one per MITRE ATT&CK technique.
    AttackPattern = "attack-pattern" {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        aliases: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        kill_chain_phases: Vec<KillChainPhase>,
    }
}

stix_object! {
    /// `intrusion-set`: grouped adversary activity (an APT name).
    IntrusionSet = "intrusion-set" {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        aliases: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        first_seen: Option<StixTimestamp>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_seen: Option<StixTimestamp>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        goals: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resource_level: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        primary_motivation: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        secondary_motivations: Vec<String>,
    }
}

stix_object! {
    /// `threat-actor`: redline writes one per suspected state of origin.
    ThreatActor = "threat-actor" {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        threat_actor_types: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        aliases: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        first_seen: Option<StixTimestamp>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_seen: Option<StixTimestamp>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        roles: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        goals: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sophistication: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resource_level: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        primary_motivation: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        secondary_motivations: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        personal_motivations: Vec<String>,
    }
}

stix_object! {
    /// `infrastructure`: attack or command-and-control infrastructure.
    Infrastructure = "infrastructure" {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        infrastructure_types: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        aliases: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        kill_chain_phases: Vec<KillChainPhase>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        first_seen: Option<StixTimestamp>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_seen: Option<StixTimestamp>,
    }
}

stix_object! {
    /// `malware`: a family or an instance (`is_family`).
    Malware = "malware" {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        malware_types: Vec<String>,
        is_family: bool,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        aliases: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        kill_chain_phases: Vec<KillChainPhase>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        first_seen: Option<StixTimestamp>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_seen: Option<StixTimestamp>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        capabilities: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        sample_refs: Vec<StixIdentifier>,
    }
}

stix_object! {
    /// `report`: a published collection of objects (an attribution statement).
    Report = "report" {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        report_types: Vec<String>,
        published: StixTimestamp,
        object_refs: Vec<StixIdentifier>,
    }
}

stix_object! {
    /// `note`: commentary on other objects.
    Note = "note" {
        #[serde(default, rename = "abstract", skip_serializing_if = "Option::is_none")]
        abstract_text: Option<String>,
        content: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        authors: Vec<String>,
        object_refs: Vec<StixIdentifier>,
    }
}

stix_object! {
    /// `opinion`: (dis)agreement with other objects, such as an attribution.
    Opinion = "opinion" {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        explanation: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        authors: Vec<String>,
        opinion: String,
        object_refs: Vec<StixIdentifier>,
    }
}

/// The values of the STIX `opinion-enum`, from disagreement to agreement.
pub const OPINION_VALUES: [&str; 5] = [
    "strongly-disagree",
    "disagree",
    "neutral",
    "agree",
    "strongly-agree",
];

stix_object! {
    /// `grouping`: a working set of objects.
    Grouping = "grouping" {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        context: String,
        object_refs: Vec<StixIdentifier>,
    }
}

stix_object! {
    /// `relationship`: a typed edge between two objects.
    Relationship = "relationship" {
        relationship_type: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        source_ref: StixIdentifier,
        target_ref: StixIdentifier,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        start_time: Option<StixTimestamp>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stop_time: Option<StixTimestamp>,
    }
}

stix_object! {
    /// `sighting`: something was seen, by whom and where.
    Sighting = "sighting" {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        first_seen: Option<StixTimestamp>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_seen: Option<StixTimestamp>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        count: Option<u32>,
        sighting_of_ref: StixIdentifier,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        observed_data_refs: Vec<StixIdentifier>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        where_sighted_refs: Vec<StixIdentifier>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        summary: Option<bool>,
    }
}

stix_object! {
    /// `extension-definition`: declares an extension and its schema.
    ExtensionDefinition = "extension-definition" {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        schema: String,
        version: String,
        extension_types: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        extension_properties: Vec<String>,
    }
}

/// `marking-definition`: immutable, so it has `created` but no `modified`. TLP 2.0 markings use
/// the `extensions` form; TLP 1.0 and statements use `definition_type` + `definition`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarkingDefinition {
    #[serde(rename = "type")]
    pub object_type: String,
    pub spec_version: String,
    pub id: StixIdentifier,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by_ref: Option<StixIdentifier>,
    pub created: StixTimestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_references: Vec<StixExternalReference>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub object_marking_refs: Vec<StixIdentifier>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub granular_markings: Vec<GranularMarking>,
    #[serde(default, skip_serializing_if = "Extensions::is_empty")]
    pub extensions: Extensions,
    #[serde(flatten)]
    pub additional_properties: AdditionalProperties,
}

impl MarkingDefinition {
    pub const TYPE: &'static str = "marking-definition";
}

/// The STIX 2.1 cyber-observable types. For these `spec_version` is optional (STIX 2.1 §6);
/// for every other object its absence means STIX 2.0, which redline does not read.
pub const OBSERVABLE_TYPES: [&str; 18] = [
    "artifact",
    "autonomous-system",
    "directory",
    "domain-name",
    "email-addr",
    "email-message",
    "file",
    "ipv4-addr",
    "ipv6-addr",
    "mac-addr",
    "mutex",
    "network-traffic",
    "process",
    "software",
    "url",
    "user-account",
    "windows-registry-key",
    "x509-certificate",
];

/// Any STIX object, keyed by its `type`.
#[derive(Debug, Clone, PartialEq)]
pub enum StixObject {
    Incident(Box<Incident>),
    Identity(Box<Identity>),
    Location(Box<Location>),
    Indicator(Box<Indicator>),
    AttackPattern(Box<AttackPattern>),
    IntrusionSet(Box<IntrusionSet>),
    ThreatActor(Box<ThreatActor>),
    Infrastructure(Box<Infrastructure>),
    Malware(Box<Malware>),
    Report(Box<Report>),
    Note(Box<Note>),
    Opinion(Box<Opinion>),
    Grouping(Box<Grouping>),
    Relationship(Box<Relationship>),
    Sighting(Box<Sighting>),
    MarkingDefinition(Box<MarkingDefinition>),
    ExtensionDefinition(Box<ExtensionDefinition>),
    /// A type this crate has no struct for, kept as the JSON object it was.
    Other(AdditionalProperties),
}

/// Why one object could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ObjectError {
    #[error("not a JSON object")]
    NotAnObject,
    #[error("the `type` property is missing or not a string")]
    MissingType,
    #[error("`{0}` is not a valid STIX object type")]
    InvalidType(String),
    #[error("spec_version `{found}` is not supported (redline reads STIX 2.1 only)")]
    UnsupportedSpecVersion { found: String },
    #[error("the `spec_version` property is missing (STIX 2.1 requires it on every object)")]
    MissingSpecVersion,
    #[error("the `id` property is missing or not a string")]
    MissingId,
    #[error("{0}")]
    InvalidId(String),
    #[error("id `{id}` does not begin with the object's type `{object_type}--`")]
    IdTypeMismatch { id: String, object_type: String },
    #[error("{0}")]
    Shape(String),
    #[error("`modified` ({modified}) is before `created` ({created})")]
    ModifiedBeforeCreated { created: String, modified: String },
    #[error("invalid STIX pattern: {0}")]
    InvalidPattern(#[from] pattern::PatternError),
    #[error("`{value}` is not a valid value of `{property}`")]
    InvalidValue { property: String, value: String },
}

impl StixObject {
    /// Reads one object, checking the rules every object shares (a valid `type`, `spec_version`
    /// 2.1, an `id` of that type) and then the typed shape. Unknown types become `Other`.
    pub fn from_json_value(value: Value) -> Result<Self, ObjectError> {
        let Value::Object(map) = value else {
            return Err(ObjectError::NotAnObject);
        };
        let object_type = map
            .get("type")
            .and_then(Value::as_str)
            .ok_or(ObjectError::MissingType)?
            .to_string();
        if !is_valid_object_type(&object_type) {
            return Err(ObjectError::InvalidType(object_type));
        }
        match map.get("spec_version") {
            None if OBSERVABLE_TYPES.contains(&object_type.as_str()) => {}
            None => return Err(ObjectError::MissingSpecVersion),
            Some(Value::String(version)) if version == SPEC_VERSION => {}
            Some(other) => {
                let found = other
                    .as_str()
                    .map_or_else(|| other.to_string(), str::to_string);
                return Err(ObjectError::UnsupportedSpecVersion { found });
            }
        }
        let id_text = map
            .get("id")
            .and_then(Value::as_str)
            .ok_or(ObjectError::MissingId)?;
        let id = StixIdentifier::parse(id_text).map_err(ObjectError::InvalidId)?;
        if id.object_type() != object_type {
            return Err(ObjectError::IdTypeMismatch {
                id: id_text.to_string(),
                object_type,
            });
        }
        let value = Value::Object(map);
        let object = match object_type.as_str() {
            Incident::TYPE => StixObject::Incident(typed(value)?),
            Identity::TYPE => StixObject::Identity(typed(value)?),
            Location::TYPE => StixObject::Location(typed(value)?),
            Indicator::TYPE => StixObject::Indicator(typed(value)?),
            AttackPattern::TYPE => StixObject::AttackPattern(typed(value)?),
            IntrusionSet::TYPE => StixObject::IntrusionSet(typed(value)?),
            ThreatActor::TYPE => StixObject::ThreatActor(typed(value)?),
            Infrastructure::TYPE => StixObject::Infrastructure(typed(value)?),
            Malware::TYPE => StixObject::Malware(typed(value)?),
            Report::TYPE => StixObject::Report(typed(value)?),
            Note::TYPE => StixObject::Note(typed(value)?),
            Opinion::TYPE => StixObject::Opinion(typed(value)?),
            Grouping::TYPE => StixObject::Grouping(typed(value)?),
            Relationship::TYPE => StixObject::Relationship(typed(value)?),
            Sighting::TYPE => StixObject::Sighting(typed(value)?),
            MarkingDefinition::TYPE => StixObject::MarkingDefinition(typed(value)?),
            ExtensionDefinition::TYPE => StixObject::ExtensionDefinition(typed(value)?),
            _ => match value {
                Value::Object(map) => StixObject::Other(map),
                _ => return Err(ObjectError::NotAnObject),
            },
        };
        object.check_rules()?;
        Ok(object)
    }

    /// Rules beyond the shape: `modified` not before `created`, valid `stix` patterns, enums.
    fn check_rules(&self) -> Result<(), ObjectError> {
        if let (Some(created), Some(modified)) = (self.created(), self.modified())
            && modified < created
        {
            return Err(ObjectError::ModifiedBeforeCreated {
                created: created.to_string(),
                modified: modified.to_string(),
            });
        }
        if let Some(confidence) = self.confidence()
            && confidence > 100
        {
            return Err(ObjectError::InvalidValue {
                property: "confidence".into(),
                value: confidence.to_string(),
            });
        }
        match self {
            StixObject::Indicator(indicator) if indicator.pattern_type == "stix" => {
                pattern::parse_pattern(&indicator.pattern)?;
            }
            StixObject::Opinion(opinion) if !OPINION_VALUES.contains(&opinion.opinion.as_str()) => {
                return Err(ObjectError::InvalidValue {
                    property: "opinion".into(),
                    value: opinion.opinion.clone(),
                });
            }
            StixObject::Sighting(sighting)
                if sighting.count.is_some_and(|count| count > 999_999_999) =>
            {
                return Err(ObjectError::InvalidValue {
                    property: "count".into(),
                    value: sighting.count.unwrap_or_default().to_string(),
                });
            }
            _ => {}
        }
        Ok(())
    }

    /// The object's `type`.
    pub fn object_type(&self) -> &str {
        match self {
            StixObject::Other(map) => map.get("type").and_then(Value::as_str).unwrap_or(""),
            _ => self.id().map_or("", |id| id.object_type()),
        }
    }

    /// The object's `id` (`None` only for an `Other` without a valid one, which cannot be read).
    pub fn id(&self) -> Option<&StixIdentifier> {
        Some(match self {
            StixObject::Incident(object) => &object.id,
            StixObject::Identity(object) => &object.id,
            StixObject::Location(object) => &object.id,
            StixObject::Indicator(object) => &object.id,
            StixObject::AttackPattern(object) => &object.id,
            StixObject::IntrusionSet(object) => &object.id,
            StixObject::ThreatActor(object) => &object.id,
            StixObject::Infrastructure(object) => &object.id,
            StixObject::Malware(object) => &object.id,
            StixObject::Report(object) => &object.id,
            StixObject::Note(object) => &object.id,
            StixObject::Opinion(object) => &object.id,
            StixObject::Grouping(object) => &object.id,
            StixObject::Relationship(object) => &object.id,
            StixObject::Sighting(object) => &object.id,
            StixObject::MarkingDefinition(object) => &object.id,
            StixObject::ExtensionDefinition(object) => &object.id,
            StixObject::Other(_) => return None,
        })
    }

    /// The `id` as text, for every variant including `Other`.
    pub fn id_text(&self) -> &str {
        match self {
            StixObject::Other(map) => map.get("id").and_then(Value::as_str).unwrap_or(""),
            _ => self.id().map_or("", StixIdentifier::as_str),
        }
    }

    fn created(&self) -> Option<StixTimestamp> {
        self.timestamps().map(|(created, _)| created)
    }

    fn modified(&self) -> Option<StixTimestamp> {
        self.timestamps().and_then(|(_, modified)| modified)
    }

    fn timestamps(&self) -> Option<(StixTimestamp, Option<StixTimestamp>)> {
        macro_rules! pair {
            ($object:expr) => {
                Some(($object.created, Some($object.modified)))
            };
        }
        match self {
            StixObject::Incident(object) => pair!(object),
            StixObject::Identity(object) => pair!(object),
            StixObject::Location(object) => pair!(object),
            StixObject::Indicator(object) => pair!(object),
            StixObject::AttackPattern(object) => pair!(object),
            StixObject::IntrusionSet(object) => pair!(object),
            StixObject::ThreatActor(object) => pair!(object),
            StixObject::Infrastructure(object) => pair!(object),
            StixObject::Malware(object) => pair!(object),
            StixObject::Report(object) => pair!(object),
            StixObject::Note(object) => pair!(object),
            StixObject::Opinion(object) => pair!(object),
            StixObject::Grouping(object) => pair!(object),
            StixObject::Relationship(object) => pair!(object),
            StixObject::Sighting(object) => pair!(object),
            StixObject::ExtensionDefinition(object) => pair!(object),
            StixObject::MarkingDefinition(object) => Some((object.created, None)),
            StixObject::Other(_) => None,
        }
    }

    fn confidence(&self) -> Option<u8> {
        match self {
            StixObject::Incident(object) => object.confidence,
            StixObject::Identity(object) => object.confidence,
            StixObject::Location(object) => object.confidence,
            StixObject::Indicator(object) => object.confidence,
            StixObject::AttackPattern(object) => object.confidence,
            StixObject::IntrusionSet(object) => object.confidence,
            StixObject::ThreatActor(object) => object.confidence,
            StixObject::Infrastructure(object) => object.confidence,
            StixObject::Malware(object) => object.confidence,
            StixObject::Report(object) => object.confidence,
            StixObject::Note(object) => object.confidence,
            StixObject::Opinion(object) => object.confidence,
            StixObject::Grouping(object) => object.confidence,
            StixObject::Relationship(object) => object.confidence,
            StixObject::Sighting(object) => object.confidence,
            StixObject::ExtensionDefinition(object) => object.confidence,
            StixObject::MarkingDefinition(_) | StixObject::Other(_) => None,
        }
    }
}

fn typed<T: serde::de::DeserializeOwned>(value: Value) -> Result<Box<T>, ObjectError> {
    serde_json::from_value(value)
        .map(Box::new)
        .map_err(|error| ObjectError::Shape(error.to_string()))
}

impl Serialize for StixObject {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            StixObject::Incident(object) => object.serialize(serializer),
            StixObject::Identity(object) => object.serialize(serializer),
            StixObject::Location(object) => object.serialize(serializer),
            StixObject::Indicator(object) => object.serialize(serializer),
            StixObject::AttackPattern(object) => object.serialize(serializer),
            StixObject::IntrusionSet(object) => object.serialize(serializer),
            StixObject::ThreatActor(object) => object.serialize(serializer),
            StixObject::Infrastructure(object) => object.serialize(serializer),
            StixObject::Malware(object) => object.serialize(serializer),
            StixObject::Report(object) => object.serialize(serializer),
            StixObject::Note(object) => object.serialize(serializer),
            StixObject::Opinion(object) => object.serialize(serializer),
            StixObject::Grouping(object) => object.serialize(serializer),
            StixObject::Relationship(object) => object.serialize(serializer),
            StixObject::Sighting(object) => object.serialize(serializer),
            StixObject::MarkingDefinition(object) => object.serialize(serializer),
            StixObject::ExtensionDefinition(object) => object.serialize(serializer),
            StixObject::Other(map) => map.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for StixObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        StixObject::from_json_value(value).map_err(serde::de::Error::custom)
    }
}
