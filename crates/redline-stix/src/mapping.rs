//! Incident ↔ STIX: exporting stored incidents as a bundle, and reading them back exactly.
//!
//! What an incident becomes:
//! - an `incident` SDO: `name` = title, `description`, `external_references` = the report's
//!   references, then one `{source_name: "cve", external_id: "CVE-…"}` per CVE id the
//!   operation exploited (the form STIX 2.1 gives CVE ids, §2.5; read back from the redline
//!   extension, which also keeps disclosure cases), `object_marking_refs` = its TLP 2.0 marking, the OASIS Incident Core extension
//!   (determination and investigation status from `status`, `incident_types` from the effects,
//!   `recoverability` from the NCISS override, `impacted_entity_counts.individual` = people
//!   affected) and the redline extension ([`crate::extension`]) with everything else;
//! - the reporting party and the victim state as `identity` objects with `identity_class`
//!   `organization` (the STIX vocabulary describes an organization as a formal group with
//!   governance "such as a company or country"; the territory is a separate `location`), states
//!   with `sectors: ["government-national"]`; the victim is linked by `incident targets identity`;
//! - each country as a `location` (`country` = ISO 3166-1 alpha-2), linked by
//!   `identity located-at location`;
//! - each ATT&CK technique as an `attack-pattern` with a `mitre-attack` external reference,
//!   linked by `incident related-to attack-pattern` (the core spec defines no `uses` for
//!   incidents);
//! - the suspected origin as a `threat-actor` of type `nation-state` for that state, with
//!   `threat-actor attributed-to identity` (state sponsorship) and `threat-actor located-at
//!   location`; the suspicion itself is `incident attributed-to threat-actor` (Incident Core
//!   §2.1.1: incidents are attributed to threat actors or intrusion sets, not to identities) with
//!   the ICD 203 word as a STIX confidence, plus the reporter's `opinion` on that relationship.
//!
//! Ids: the incident keeps its own; objects derived from one incident get ids derived from the
//! incident id; shared objects (a party, a country, a technique, a state actor) get ids derived
//! from what they stand for, so they are the same in every bundle. See
//! [`crate::common::derived_uuid`].

use std::collections::BTreeSet;

use redline_model::{
    Confidence, CountryCode, CveId, EffectKind, ExternalReference, Incident, IncidentId,
    IncidentReport, IncidentStatus, PartyId, SuspectedOrigin, Tlp,
};
use serde_json::{Map, Value, json};

use crate::{
    bundle::Bundle,
    common::{
        Extensions, SPEC_VERSION, StixExternalReference, StixIdentifier, StixTimestamp,
        derived_identifier,
    },
    extension::{
        INCIDENT_CORE_EXTENSION_ID, PROPERTY_EXTENSION, REDLINE_INCIDENT_EXTENSION_ID,
        RedlineIncidentExtension, definitions_created, redline_identity, redline_identity_id,
        redline_incident_extension_definition,
    },
    marking::{tlp_from_marking_id, tlp_marking_definition, tlp_marking_id},
    objects::{
        AttackPattern, Identity, Incident as StixIncident, Location, Opinion, Relationship,
        StixObject, ThreatActor,
    },
};

/// What an export needs besides the incidents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportContext {
    /// The bundle's UUID; `None` derives it from the incidents' ids and versions, so exporting
    /// the same incidents again gives a byte-identical bundle.
    pub bundle_uuid: Option<uuid::Uuid>,
}

/// Why an incident object could not be read back as a redline incident.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("{id}: the redline extension `{REDLINE_INCIDENT_EXTENSION_ID}` is missing")]
    MissingRedlineExtension { id: String },
    #[error("{id}: the redline extension is not valid: {reason}")]
    InvalidRedlineExtension { id: String, reason: String },
    #[error("{id}: expected exactly one TLP marking in object_marking_refs, found {found}")]
    TlpMarking { id: String, found: usize },
    #[error("{id}: not an incident id: {reason}")]
    InvalidIncidentId { id: String, reason: String },
}

/// Exports stored incidents as one STIX 2.1 bundle. Pure: ids come from the incidents and the
/// context, times from the incidents.
pub fn export_incidents(incidents: &[Incident], context: &ExportContext) -> Bundle {
    let mut collector = ObjectCollector::default();
    for incident in incidents {
        for object in incident_to_stix_objects(incident) {
            collector.push(object);
        }
    }
    let bundle_uuid = context.bundle_uuid.unwrap_or_else(|| {
        let names: Vec<String> = incidents
            .iter()
            .map(|incident| format!("{}@{}", incident.id, incident.version))
            .collect();
        crate::common::derived_uuid(&format!("bundle:{}", names.join(",")))
    });
    Bundle::new(
        StixIdentifier::from_parts(Bundle::TYPE, bundle_uuid),
        collector.objects,
    )
}

#[derive(Default)]
struct ObjectCollector {
    seen: BTreeSet<String>,
    objects: Vec<StixObject>,
}

impl ObjectCollector {
    fn push(&mut self, object: StixObject) {
        if self.seen.insert(object.id_text().to_string()) {
            self.objects.push(object);
        }
    }
}

/// Every object one incident exports to, in a fixed order (definitions, parties and places,
/// the incident, then relationships), without duplicates across incidents removed.
pub fn incident_to_stix_objects(incident: &Incident) -> Vec<StixObject> {
    let report = &incident.report;
    let provenance = Provenance {
        created_by: party_identity_id(&report.reported_by),
        created: StixTimestamp(incident.received_at),
        modified: StixTimestamp(incident.updated_at.max(incident.received_at)),
        object_marking_refs: vec![tlp_identifier(report.tlp)],
    };
    let incident_id = stix_incident_id(&incident.id);
    let victim_id = party_identity_id(&PartyId::from(report.victim.clone()));
    let mut objects = definitions_parties_and_places(report);
    objects.push(StixObject::Incident(Box::new(stix_incident(
        incident,
        &incident_id,
        &provenance,
    ))));
    objects.push(StixObject::Relationship(Box::new(relationship(
        &incident_id,
        "targets",
        &victim_id,
        &provenance,
    ))));
    for technique in &report.techniques {
        let attack_pattern = technique_attack_pattern(technique);
        let attack_pattern_id = attack_pattern.id.clone();
        objects.push(StixObject::AttackPattern(Box::new(attack_pattern)));
        objects.push(StixObject::Relationship(Box::new(relationship(
            &incident_id,
            "related-to",
            &attack_pattern_id,
            &provenance,
        ))));
    }
    if let Some(origin) = &report.suspected_origin {
        objects.extend(suspected_origin_objects(
            report,
            origin,
            &incident_id,
            &provenance,
        ));
    }
    objects
}

/// Who made an object, when, and its markings: the reporting party and the incident's times
/// for an incident's own objects; redline and its definitions' time for shared ones.
struct Provenance {
    created_by: StixIdentifier,
    created: StixTimestamp,
    modified: StixTimestamp,
    object_marking_refs: Vec<StixIdentifier>,
}

impl Provenance {
    /// Objects every bundle shares: made by redline, unmarked.
    fn redline() -> Provenance {
        Provenance {
            created_by: redline_identity_id(),
            created: definitions_created(),
            modified: definitions_created(),
            object_marking_refs: Vec::new(),
        }
    }
}

/// The TLP marking, redline's own definitions, the reporting and victim parties, and the
/// countries they are located in.
fn definitions_parties_and_places(report: &IncidentReport) -> Vec<StixObject> {
    let reporter_id = party_identity_id(&report.reported_by);
    let victim_party = PartyId::from(report.victim.clone());
    let victim_id = party_identity_id(&victim_party);
    let mut objects = vec![
        StixObject::MarkingDefinition(Box::new(tlp_marking_definition(report.tlp))),
        StixObject::Identity(Box::new(redline_identity())),
        StixObject::ExtensionDefinition(Box::new(redline_incident_extension_definition())),
        StixObject::Identity(Box::new(party_identity(&report.reported_by))),
        StixObject::Identity(Box::new(party_identity(&victim_party))),
        StixObject::Location(Box::new(country_location(&report.victim))),
        StixObject::Relationship(Box::new(shared_relationship(
            &victim_id,
            "located-at",
            &country_location_id(&report.victim),
        ))),
    ];
    if let Some(reporter_country) = report.reported_by.as_country() {
        objects.push(StixObject::Location(Box::new(country_location(
            &reporter_country,
        ))));
        objects.push(StixObject::Relationship(Box::new(shared_relationship(
            &reporter_id,
            "located-at",
            &country_location_id(&reporter_country),
        ))));
    }
    objects
}

/// The `incident` object itself, with the redline extension.
fn stix_incident(
    incident: &Incident,
    incident_id: &StixIdentifier,
    provenance: &Provenance,
) -> StixIncident {
    let report = &incident.report;
    StixIncident {
        object_type: StixIncident::TYPE.to_string(),
        spec_version: SPEC_VERSION.to_string(),
        id: incident_id.clone(),
        created_by_ref: Some(provenance.created_by.clone()),
        created: provenance.created,
        modified: provenance.modified,
        name: report.title.clone(),
        description: report.description.clone(),
        kill_chain_phases: Vec::new(),
        revoked: None,
        labels: Vec::new(),
        confidence: None,
        lang: None,
        external_references: report
            .references
            .iter()
            .map(stix_reference)
            .chain(
                report
                    .exploited_vulnerabilities
                    .iter()
                    .filter_map(|entry| entry.cve.as_ref())
                    .map(cve_reference),
            )
            .collect(),
        object_marking_refs: provenance.object_marking_refs.clone(),
        granular_markings: Vec::new(),
        extensions: incident_extensions(incident),
        additional_properties: Map::new(),
    }
}

/// The reporter's suspicion: the suspected state's identity, location and threat actor, the
/// incident attributed to the actor with the reporter's confidence, and the reporter's opinion.
fn suspected_origin_objects(
    report: &IncidentReport,
    origin: &SuspectedOrigin,
    incident_id: &StixIdentifier,
    provenance: &Provenance,
) -> Vec<StixObject> {
    let origin_party = PartyId::from(origin.state.clone());
    let origin_identity_id = party_identity_id(&origin_party);
    let actor = state_threat_actor(&origin.state);
    let actor_id = actor.id.clone();
    let mut objects = vec![
        StixObject::Identity(Box::new(party_identity(&origin_party))),
        StixObject::Location(Box::new(country_location(&origin.state))),
        StixObject::Relationship(Box::new(shared_relationship(
            &origin_identity_id,
            "located-at",
            &country_location_id(&origin.state),
        ))),
        StixObject::ThreatActor(Box::new(actor)),
        StixObject::Relationship(Box::new(shared_relationship(
            &actor_id,
            "attributed-to",
            &origin_identity_id,
        ))),
        StixObject::Relationship(Box::new(shared_relationship(
            &actor_id,
            "located-at",
            &country_location_id(&origin.state),
        ))),
    ];
    let basis: Vec<&str> = origin.basis.iter().map(|basis| basis.as_str()).collect();
    let explanation = format!(
        "{} suspects {} ({}) is behind this incident: {} (ICD 203){}.",
        report.reported_by,
        origin.state.english_name(),
        origin.state,
        origin.confidence,
        if basis.is_empty() {
            String::new()
        } else {
            format!(", on {} grounds", basis.join(", "))
        }
    );
    let mut attribution = relationship(incident_id, "attributed-to", &actor_id, provenance);
    attribution.confidence = Some(stix_confidence(origin.confidence));
    attribution.description = Some(explanation.clone());
    let attribution_id = attribution.id.clone();
    objects.push(StixObject::Relationship(Box::new(attribution)));
    objects.push(StixObject::Opinion(Box::new(Opinion {
        object_type: Opinion::TYPE.to_string(),
        spec_version: SPEC_VERSION.to_string(),
        id: derived_identifier(Opinion::TYPE, &format!("{incident_id}:suspected-origin")),
        created_by_ref: Some(provenance.created_by.clone()),
        created: provenance.created,
        modified: provenance.modified,
        explanation: Some(explanation),
        authors: vec![report.reported_by.to_string()],
        opinion: opinion_for(origin.confidence).to_string(),
        object_refs: vec![attribution_id],
        revoked: None,
        labels: Vec::new(),
        confidence: None,
        lang: None,
        external_references: Vec::new(),
        object_marking_refs: provenance.object_marking_refs.clone(),
        granular_markings: Vec::new(),
        extensions: Extensions::new(),
        additional_properties: Map::new(),
    })));
    objects
}

/// Reads every `incident` of a bundle that carries the redline extension back as a stored
/// incident; incidents from other producers (without it) give
/// [`ImportError::MissingRedlineExtension`].
pub fn import_incidents(objects: &[StixObject]) -> Vec<Result<Incident, ImportError>> {
    objects
        .iter()
        .filter_map(|object| match object {
            StixObject::Incident(incident) => Some(import_incident(incident)),
            _ => None,
        })
        .collect()
}

/// Reads one `incident` SDO written by [`export_incidents`] back as the stored incident. The
/// report's `id` comes back as the incident's id (a stored report always has it assigned).
pub fn import_incident(incident: &StixIncident) -> Result<Incident, ImportError> {
    let id_text = incident.id.to_string();
    let raw_extension = incident
        .extensions
        .get(REDLINE_INCIDENT_EXTENSION_ID)
        .ok_or_else(|| ImportError::MissingRedlineExtension {
            id: id_text.clone(),
        })?;
    let extension: RedlineIncidentExtension = serde_json::from_value(raw_extension.clone())
        .map_err(|error| ImportError::InvalidRedlineExtension {
            id: id_text.clone(),
            reason: error.to_string(),
        })?;
    if extension.extension_type != PROPERTY_EXTENSION {
        return Err(ImportError::InvalidRedlineExtension {
            id: id_text,
            reason: format!(
                "extension_type is `{}`, expected `{PROPERTY_EXTENSION}`",
                extension.extension_type
            ),
        });
    }
    let tlp_labels: Vec<Tlp> = incident
        .object_marking_refs
        .iter()
        .filter_map(|marking| tlp_from_marking_id(marking.as_str()))
        .collect();
    let [tlp] = tlp_labels.as_slice() else {
        return Err(ImportError::TlpMarking {
            id: id_text,
            found: tlp_labels.len(),
        });
    };
    let incident_id =
        IncidentId::parse(&id_text).map_err(|reason| ImportError::InvalidIncidentId {
            id: id_text.clone(),
            reason,
        })?;
    let report = IncidentReport {
        id: Some(incident_id.clone()),
        title: incident.name.clone(),
        description: incident.description.clone(),
        reported_by: extension.reported_by,
        victim: extension.victim,
        first_observed: extension.first_observed.0,
        last_observed: extension.last_observed.map(|time| time.0),
        status: extension.status,
        tlp: *tlp,
        targets: extension.targets,
        effects: extension.effects,
        techniques: extension.techniques,
        exploited_vulnerabilities: extension.exploited_vulnerabilities,
        access: extension.access,
        suspected_origin: extension.suspected_origin,
        alternative_hypotheses: extension.alternative_hypotheses,
        casualties: extension.casualties,
        armed_conflict: extension.armed_conflict,
        cross_border: extension.cross_border,
        nciss: extension.nciss,
        shared_with: extension.shared_with,
        exercise: extension.exercise,
        // The CVE references are the exploited vulnerabilities', kept in the extension.
        references: incident
            .external_references
            .iter()
            .filter(|reference| !is_cve_reference(reference))
            .map(|reference| ExternalReference {
                source_name: reference.source_name.clone(),
                url: reference.url.clone(),
                description: reference.description.clone(),
            })
            .collect(),
    };
    Ok(Incident {
        id: incident_id,
        version: extension.report_version,
        submitted_by: extension.submitted_by,
        received_at: incident.created.0,
        updated_at: incident.modified.0,
        report,
    })
}

fn incident_extensions(incident: &Incident) -> Extensions {
    let report = &incident.report;
    let mut extensions = Extensions::new();
    extensions.insert(
        INCIDENT_CORE_EXTENSION_ID.to_string(),
        incident_core_extension(report),
    );
    let redline = RedlineIncidentExtension {
        extension_type: PROPERTY_EXTENSION.to_string(),
        report_version: incident.version,
        submitted_by: incident.submitted_by.clone(),
        reported_by: report.reported_by.clone(),
        victim: report.victim.clone(),
        first_observed: StixTimestamp(report.first_observed),
        last_observed: report.last_observed.map(StixTimestamp),
        status: report.status,
        targets: report.targets.clone(),
        effects: report.effects.clone(),
        techniques: report.techniques.clone(),
        exploited_vulnerabilities: report.exploited_vulnerabilities.clone(),
        access: report.access,
        suspected_origin: report.suspected_origin.clone(),
        alternative_hypotheses: report.alternative_hypotheses.clone(),
        casualties: report.casualties,
        armed_conflict: report.armed_conflict,
        cross_border: report.cross_border,
        nciss: report.nciss.clone(),
        shared_with: report.shared_with.clone(),
        exercise: report.exercise,
    };
    // Plain data with string keys and finite numbers (the model validates durations) always
    // serialises; `Null` would be rejected by the shipped schema rather than pass silently.
    let redline_value = serde_json::to_value(&redline).unwrap_or(Value::Null);
    extensions.insert(REDLINE_INCIDENT_EXTENSION_ID.to_string(), redline_value);
    extensions
}

/// The Incident Core extension dictionary for a report (standards.md §1.8).
pub fn incident_core_extension(report: &IncidentReport) -> Value {
    let (determination, investigation_status) = match report.status {
        IncidentStatus::Suspected => ("suspected", "new"),
        IncidentStatus::Confirmed | IncidentStatus::Contained => ("successful-attempt", "open"),
        IncidentStatus::Resolved => ("successful-attempt", "closed"),
    };
    let mut core = Map::new();
    core.insert("extension_type".into(), json!(PROPERTY_EXTENSION));
    core.insert("determination".into(), json!(determination));
    core.insert("investigation_status".into(), json!(investigation_status));
    let mut incident_types: Vec<&str> = Vec::new();
    for effect in &report.effects {
        let incident_type = match effect.kind {
            EffectKind::Espionage | EffectKind::DataTheft => Some("data-exfiltration"),
            EffectKind::Disruption => Some("denial-of-service"),
            EffectKind::DataDestruction | EffectKind::Destruction | EffectKind::PhysicalDamage => {
                Some("destruction")
            }
            EffectKind::Influence | EffectKind::Injury | EffectKind::LossOfLife => None,
        };
        if let Some(incident_type) = incident_type
            && !incident_types.contains(&incident_type)
        {
            incident_types.push(incident_type);
        }
    }
    if !incident_types.is_empty() {
        core.insert("incident_types".into(), json!(incident_types));
    }
    if let Some(recoverability) = report.nciss.as_ref().and_then(|nciss| nciss.recoverability) {
        core.insert("recoverability".into(), json!(recoverability.as_str()));
    }
    let people: Option<u64> = report
        .targets
        .iter()
        .filter_map(|target| target.people_affected)
        .reduce(|total, people| total.saturating_add(people));
    if let Some(people) = people {
        core.insert(
            "impacted_entity_counts".into(),
            json!({ "individual": people }),
        );
    }
    Value::Object(core)
}

/// ICD 203 words as a STIX confidence (0–100): the middle of each word's probability range.
pub fn stix_confidence(confidence: Confidence) -> u8 {
    match confidence {
        Confidence::Remote => 3,
        Confidence::VeryUnlikely => 12,
        Confidence::Unlikely => 32,
        Confidence::RoughlyEven => 50,
        Confidence::Likely => 68,
        Confidence::VeryLikely => 88,
        Confidence::AlmostCertain => 97,
    }
}

/// The reporter's opinion of its own attribution, from its ICD 203 word.
pub fn opinion_for(confidence: Confidence) -> &'static str {
    match confidence {
        Confidence::Remote | Confidence::VeryUnlikely => "strongly-disagree",
        Confidence::Unlikely => "disagree",
        Confidence::RoughlyEven => "neutral",
        Confidence::Likely => "agree",
        Confidence::VeryLikely | Confidence::AlmostCertain => "strongly-agree",
    }
}

fn tlp_identifier(tlp: Tlp) -> StixIdentifier {
    StixIdentifier::parse(tlp_marking_id(tlp))
        .unwrap_or_else(|_| StixIdentifier::from_parts("marking-definition", uuid::Uuid::nil()))
}

fn stix_incident_id(id: &IncidentId) -> StixIdentifier {
    StixIdentifier::parse(id.as_str())
        .unwrap_or_else(|_| derived_identifier(StixIncident::TYPE, id.as_str()))
}

fn stix_reference(reference: &ExternalReference) -> StixExternalReference {
    StixExternalReference {
        source_name: reference.source_name.clone(),
        description: reference.description.clone(),
        url: reference.url.clone(),
        hashes: None,
        external_id: None,
    }
}

/// A CVE id as STIX names one: `source_name` `cve` and the id as `external_id` (STIX 2.1 §2.5;
/// no URL, which the spec would want hashed).
fn cve_reference(cve: &CveId) -> StixExternalReference {
    StixExternalReference {
        source_name: CVE_SOURCE_NAME.to_string(),
        description: None,
        url: None,
        hashes: None,
        external_id: Some(cve.to_string()),
    }
}

/// The `source_name` STIX gives CVE ids.
const CVE_SOURCE_NAME: &str = "cve";

/// An external reference written by [`cve_reference`] (a report's own references carry no
/// `external_id`).
fn is_cve_reference(reference: &StixExternalReference) -> bool {
    reference.source_name == CVE_SOURCE_NAME && reference.external_id.is_some()
}

/// The id of the `identity` of a party (the same in every bundle).
pub fn party_identity_id(party: &PartyId) -> StixIdentifier {
    derived_identifier(Identity::TYPE, &format!("party:{party}"))
}

/// Whether `object` is exactly one of the shared definitions redline derives and publishes under
/// its own identity ([`redline_identity_id`]) in every export: redline's identity and its
/// extension-definition, a party's `identity`, a country's `location`, a state's
/// `threat-actor`, an ATT&CK technique's `attack-pattern`, and the relationships between them
/// (`identity located-at location`, `threat-actor attributed-to identity`,
/// `threat-actor located-at location`, each for one and the same country). Equal means equal
/// in every property, so a party that posts one only repeats what any redline node derives; a
/// changed name, a relationship redline never derives (a state actor attributed to another
/// state) or anything else claiming redline's authorship is not one.
pub fn is_redline_definition(object: &StixObject) -> bool {
    match object {
        StixObject::AttackPattern(pattern) => pattern
            .external_references
            .iter()
            .filter_map(|reference| reference.external_id.as_deref())
            .any(|technique| technique_attack_pattern(technique) == **pattern),
        StixObject::Identity(identity)
            if PartyId::parse(&identity.name)
                .is_ok_and(|party| party_identity(&party) == **identity) =>
        {
            true
        }
        _ => shared_definitions()
            .get(object.id_text())
            .is_some_and(|definition| definition == object),
    }
}

/// Whether `object` has the id of one of redline's own definitions, of a shared definition that
/// depends on a country only (a state's identity, location, state actor and their
/// relationships), or of the `attack-pattern` of the ATT&CK technique it names. Such an id may
/// hold nothing but [`is_redline_definition`] objects, unless the party it stands for posts its
/// own identity. (An attack pattern that names no technique cannot be told from any other.)
pub fn has_redline_definition_id(object: &StixObject) -> bool {
    match object {
        StixObject::AttackPattern(pattern) => pattern
            .external_references
            .iter()
            .filter_map(|reference| reference.external_id.as_deref())
            .any(|technique| technique_attack_pattern(technique).id == pattern.id),
        _ => shared_definitions().contains_key(object.id_text()),
    }
}

/// Every shared definition that depends on a country only, and redline's own, by id (built once).
fn shared_definitions() -> &'static std::collections::HashMap<String, StixObject> {
    static DEFINITIONS: std::sync::LazyLock<std::collections::HashMap<String, StixObject>> =
        std::sync::LazyLock::new(|| {
            let mut definitions = std::collections::HashMap::new();
            let mut add = |object: StixObject| {
                definitions.insert(object.id_text().to_string(), object);
            };
            add(StixObject::Identity(Box::new(redline_identity())));
            add(StixObject::ExtensionDefinition(Box::new(
                redline_incident_extension_definition(),
            )));
            for country in every_country() {
                let identity_id = party_identity_id(&PartyId::from(country.clone()));
                let location_id = country_location_id(&country);
                let actor = state_threat_actor(&country);
                let actor_id = actor.id.clone();
                add(StixObject::Identity(Box::new(party_identity(
                    &PartyId::from(country.clone()),
                ))));
                add(StixObject::Location(Box::new(country_location(&country))));
                add(StixObject::ThreatActor(Box::new(actor)));
                for (source, relationship_type, target) in [
                    (&identity_id, "located-at", &location_id),
                    (&actor_id, "attributed-to", &identity_id),
                    (&actor_id, "located-at", &location_id),
                ] {
                    add(StixObject::Relationship(Box::new(shared_relationship(
                        source,
                        relationship_type,
                        target,
                    ))));
                }
            }
            definitions
        });
    &DEFINITIONS
}

/// Every assigned ISO 3166-1 alpha-2 code.
fn every_country() -> impl Iterator<Item = CountryCode> {
    (b'A'..=b'Z')
        .flat_map(|first| (b'A'..=b'Z').map(move |second| [first, second]))
        .filter_map(|letters| {
            std::str::from_utf8(&letters)
                .ok()
                .and_then(|code| CountryCode::parse(code).ok())
        })
}

/// The id of the `location` of a country (the same in every bundle).
pub fn country_location_id(country: &CountryCode) -> StixIdentifier {
    derived_identifier(Location::TYPE, &format!("country:{country}"))
}

/// A party's `identity`: a state by its English name, any other party by its id; the same
/// object wherever the party appears (incident exports, attribution claims).
pub(crate) fn party_identity(party: &PartyId) -> Identity {
    let country = party.as_country();
    let (name, sectors, description) = match &country {
        Some(country) => (
            country.english_name().to_string(),
            vec!["government-national".to_string()],
            format!(
                "The state {} ({country}) as a redline party.",
                country.english_name()
            ),
        ),
        None => (
            party.to_string(),
            Vec::new(),
            format!("The redline party `{party}`."),
        ),
    };
    Identity {
        object_type: Identity::TYPE.to_string(),
        spec_version: SPEC_VERSION.to_string(),
        id: party_identity_id(party),
        created_by_ref: Some(redline_identity_id()),
        created: definitions_created(),
        modified: definitions_created(),
        name,
        description: Some(description),
        roles: Vec::new(),
        identity_class: Some("organization".to_string()),
        sectors,
        contact_information: None,
        revoked: None,
        labels: Vec::new(),
        confidence: None,
        lang: None,
        external_references: Vec::new(),
        object_marking_refs: Vec::new(),
        granular_markings: Vec::new(),
        extensions: Extensions::new(),
        additional_properties: Map::new(),
    }
}

fn country_location(country: &CountryCode) -> Location {
    Location {
        object_type: Location::TYPE.to_string(),
        spec_version: SPEC_VERSION.to_string(),
        id: country_location_id(country),
        created_by_ref: Some(redline_identity_id()),
        created: definitions_created(),
        modified: definitions_created(),
        name: Some(country.english_name().to_string()),
        description: None,
        latitude: None,
        longitude: None,
        precision: None,
        region: None,
        country: Some(country.to_string()),
        administrative_area: None,
        city: None,
        street_address: None,
        postal_code: None,
        revoked: None,
        labels: Vec::new(),
        confidence: None,
        lang: None,
        external_references: Vec::new(),
        object_marking_refs: Vec::new(),
        granular_markings: Vec::new(),
        extensions: Extensions::new(),
        additional_properties: Map::new(),
    }
}

fn state_threat_actor(state: &CountryCode) -> ThreatActor {
    ThreatActor {
        object_type: ThreatActor::TYPE.to_string(),
        spec_version: SPEC_VERSION.to_string(),
        id: derived_identifier(ThreatActor::TYPE, &format!("state:{state}")),
        created_by_ref: Some(redline_identity_id()),
        created: definitions_created(),
        modified: definitions_created(),
        name: format!("{} (state actor)", state.english_name()),
        description: Some(format!(
            "State organs or agents of {} ({state}), as suspected by redline reports.",
            state.english_name()
        )),
        threat_actor_types: vec!["nation-state".to_string()],
        aliases: Vec::new(),
        first_seen: None,
        last_seen: None,
        roles: Vec::new(),
        goals: Vec::new(),
        sophistication: None,
        resource_level: Some("government".to_string()),
        primary_motivation: None,
        secondary_motivations: Vec::new(),
        personal_motivations: Vec::new(),
        revoked: None,
        labels: Vec::new(),
        confidence: None,
        lang: None,
        external_references: Vec::new(),
        object_marking_refs: Vec::new(),
        granular_markings: Vec::new(),
        extensions: Extensions::new(),
        additional_properties: Map::new(),
    }
}

fn technique_attack_pattern(technique: &str) -> AttackPattern {
    let url_path = technique.replace('.', "/");
    AttackPattern {
        object_type: AttackPattern::TYPE.to_string(),
        spec_version: SPEC_VERSION.to_string(),
        id: derived_identifier(AttackPattern::TYPE, &format!("mitre-attack:{technique}")),
        created_by_ref: Some(redline_identity_id()),
        created: definitions_created(),
        modified: definitions_created(),
        name: format!("MITRE ATT&CK {technique}"),
        description: None,
        aliases: Vec::new(),
        kill_chain_phases: Vec::new(),
        revoked: None,
        labels: Vec::new(),
        confidence: None,
        lang: None,
        external_references: vec![StixExternalReference {
            source_name: "mitre-attack".to_string(),
            description: None,
            url: Some(format!("https://attack.mitre.org/techniques/{url_path}/")),
            hashes: None,
            external_id: Some(technique.to_string()),
        }],
        object_marking_refs: Vec::new(),
        granular_markings: Vec::new(),
        extensions: Extensions::new(),
        additional_properties: Map::new(),
    }
}

fn shared_relationship(
    source: &StixIdentifier,
    relationship_type: &str,
    target: &StixIdentifier,
) -> Relationship {
    relationship(source, relationship_type, target, &Provenance::redline())
}

/// A relationship whose id is derived from its source, type and target, so that exporting the
/// same thing twice gives the same object.
fn relationship(
    source: &StixIdentifier,
    relationship_type: &str,
    target: &StixIdentifier,
    provenance: &Provenance,
) -> Relationship {
    Relationship {
        object_type: Relationship::TYPE.to_string(),
        spec_version: SPEC_VERSION.to_string(),
        id: derived_identifier(
            Relationship::TYPE,
            &format!("{source}:{relationship_type}:{target}"),
        ),
        created_by_ref: Some(provenance.created_by.clone()),
        created: provenance.created,
        modified: provenance.modified,
        relationship_type: relationship_type.to_string(),
        description: None,
        source_ref: source.clone(),
        target_ref: target.clone(),
        start_time: None,
        stop_time: None,
        revoked: None,
        labels: Vec::new(),
        confidence: None,
        lang: None,
        external_references: Vec::new(),
        object_marking_refs: provenance.object_marking_refs.clone(),
        granular_markings: Vec::new(),
        extensions: Extensions::new(),
        additional_properties: Map::new(),
    }
}
