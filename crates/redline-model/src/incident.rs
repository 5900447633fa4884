//! The incident report: the public JSON contract of `DESIGN.md`, its parsing with JSON paths,
//! its validation, and the stored incident with its version.

use crate::error::valid_or_invalid;
use std::{collections::BTreeSet, fmt};

use serde::{Deserialize, Serialize};

use crate::{
    country::CountryCode,
    error::{ModelError, ValidationIssue, parse_json_with_path},
    nciss::NcissOverrides,
    party::PartyId,
    readership::{Reader, Readership},
    time::Timestamp,
    vocabulary::{
        Access, AttributionBasis, AttributionRelationship, Confidence, EffectKind, IncidentStatus,
        Scale, Sector, Tlp,
    },
    vulnerability::{ExploitedVulnerability, MAXIMUM_EXPLOITED_VULNERABILITIES},
};

/// The largest number of people a target can be said to affect (more than live on Earth).
pub const MAXIMUM_PEOPLE_AFFECTED: u64 = 10_000_000_000;
/// The longest an effect can be said to last: about 114 years.
pub const MAXIMUM_DURATION_HOURS: f64 = 1_000_000.0;
/// How far in the future `first_observed` may lie, to absorb clock skew between parties.
pub const ALLOWED_FUTURE_SKEW_SECONDS: i64 = 300;

/// A STIX-form incident id: `incident--` followed by a lower-case UUID.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct IncidentId(String);

impl IncidentId {
    const PREFIX: &'static str = "incident--";

    /// A fresh id from 16 random bytes supplied by the caller (the model reads no entropy).
    pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
        let uuid = uuid::Builder::from_random_bytes(bytes).into_uuid();
        Self(format!("{}{}", Self::PREFIX, uuid.hyphenated()))
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let Some(uuid_text) = text.strip_prefix(Self::PREFIX) else {
            return Err(format!(
                "`{text}` is not an incident id: expected `incident--` followed by a UUID"
            ));
        };
        match uuid::Uuid::try_parse(uuid_text) {
            Ok(uuid) if uuid.hyphenated().to_string() == uuid_text => Ok(Self(text.to_string())),
            _ => Err(format!(
                "`{text}` is not an incident id: `{uuid_text}` is not a lower-case hyphenated UUID"
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IncidentId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

crate::text::checked_text_type!(IncidentId, {
    "pattern": "^incident--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
    "description": "STIX-form id; assigned by the node when omitted on submit."
});

/// Something the operation hit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub sector: Sector,
    pub country: CountryCode,
    /// Whether the target provides an essential service (NIS2 sense) to the public.
    #[serde(default)]
    pub essential_service: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people_affected: Option<u64>,
    /// The target is an authorised emergency response team, a CERT or CSIRT (GGE 2015 13(k)).
    #[serde(default, skip_serializing_if = "is_false")]
    pub cert: bool,
    /// The victim state designates the target's sector or operator as critical infrastructure
    /// in its own law (GGE 2015 13(g); GGE 2021, A/76/135, on states' own designation).
    #[serde(default, skip_serializing_if = "is_false")]
    pub designated_critical_infrastructure: bool,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// What the operation did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Effect {
    pub kind: EffectKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_hours: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reversible: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<Scale>,
}

/// The reporter's suspicion of which state is behind the operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspectedOrigin {
    pub state: CountryCode,
    pub confidence: Confidence,
    #[serde(default)]
    pub basis: Vec<AttributionBasis>,
    /// How the operation relates to the state (ILC ARSIWA Arts 4, 8, 11; GGE 2015 13(c)).
    /// `unknown` when not said; written only when known, so older reports keep their bytes.
    #[serde(default, skip_serializing_if = "AttributionRelationship::is_unknown")]
    pub relationship: AttributionRelationship,
}

/// People killed or injured by the operation, where known (not the users of a service, which
/// is `targets[].people_affected`).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Casualties {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deaths: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub injuries: Option<u64>,
}

impl Casualties {
    /// Deaths and injuries together, those not known counted as none.
    pub fn total(&self) -> u64 {
        self.deaths
            .unwrap_or(0)
            .saturating_add(self.injuries.unwrap_or(0))
    }
}

/// The explanations other than the suspected state that were weighed (GGE 2015 13(b): all
/// relevant information, the larger context, the origin, false flags).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlternativeHypotheses {
    /// Each hypothesis weighed, in a sentence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub considered: Vec<String>,
    /// Whether a false flag (another actor posing as the suspected one) was considered.
    #[serde(default, skip_serializing_if = "is_false")]
    pub false_flag_considered: bool,
}

/// A public source the report rests on (maps to a STIX external reference).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExternalReference {
    pub source_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// What happened, to whom, with what effects: the incident report of `DESIGN.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "redline incident report")]
pub struct IncidentReport {
    /// Assigned by the node when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<IncidentId>,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub reported_by: PartyId,
    pub victim: CountryCode,
    pub first_observed: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_observed: Option<Timestamp>,
    pub status: IncidentStatus,
    pub tlp: Tlp,
    pub targets: Vec<Target>,
    pub effects: Vec<Effect>,
    /// MITRE ATT&CK technique ids (`T1485`, `T0813`, `T1566.001`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub techniques: Vec<String>,
    /// The vulnerabilities the operation exploited, each by its CVE id, by a disclosure case of
    /// this node, or both (GGE 2015 13(j)). Written only when there are some, so older reports
    /// keep their exact bytes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exploited_vulnerabilities: Vec<ExploitedVulnerability>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<Access>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspected_origin: Option<SuspectedOrigin>,
    /// The other explanations weighed before naming a state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternative_hypotheses: Option<AlternativeHypotheses>,
    /// People killed or injured, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub casualties: Option<Casualties>,
    #[serde(default)]
    pub armed_conflict: bool,
    #[serde(default)]
    pub cross_border: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nciss: Option<NcissOverrides>,
    /// Parties besides the reporter and the victim that may read a restricted (`amber`,
    /// `amber+strict`, `red`) report.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shared_with: Vec<PartyId>,
    /// Public sources the report rests on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<ExternalReference>,
    /// Marks a report made up for an exercise (a tabletop inject), so no one takes it for a
    /// real incident. Written only when true, so real reports keep their exact bytes. An
    /// exercise report is never `TLP:CLEAR`: it must not reach the public record.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exercise: bool,
}

/// Parses an incident report from JSON bytes: shape errors name their JSON path; then every
/// rule of [`IncidentReport::validate`] is checked against `now`.
pub fn parse_incident_report(bytes: &[u8], now: Timestamp) -> Result<IncidentReport, ModelError> {
    let report: IncidentReport = parse_json_with_path(bytes)?;
    let issues = report.validate(now);
    valid_or_invalid(report, issues)
}

fn is_attack_technique_id(text: &str) -> bool {
    let bytes = text.as_bytes();
    let base_ok =
        bytes.len() >= 5 && bytes[0] == b'T' && bytes[1..5].iter().all(u8::is_ascii_digit);
    match bytes.len() {
        5 => base_ok,
        9 => base_ok && bytes[5] == b'.' && bytes[6..9].iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

impl IncidentReport {
    /// Every rule the contract states beyond the shape, each problem with its JSON path. `now`
    /// is passed in: a report may not claim to have been observed in the future.
    pub fn validate(&self, now: Timestamp) -> Vec<ValidationIssue> {
        let mut issues = Issues::default();
        self.check_texts(&mut issues);
        self.check_observation_times(now, &mut issues);
        self.check_targets(&mut issues);
        self.check_effects(&mut issues);
        self.check_techniques(&mut issues);
        self.check_exploited_vulnerabilities(&mut issues);
        self.check_lists_without_repeats(&mut issues);
        self.check_exercise_label(&mut issues);
        self.check_references(&mut issues);
        issues.0
    }

    /// The title, the description, the alternative hypotheses and every free-text field's
    /// characters.
    fn check_texts(&self, issues: &mut Issues) {
        let title_length = self.title.trim().chars().count();
        if title_length == 0 || self.title.chars().count() > 300 {
            issues.add("title", "a title of 1 to 300 characters is required");
        }
        if let Some(description) = &self.description
            && description.chars().count() > 20_000
        {
            issues.add(
                "description",
                "the description is longer than 20,000 characters",
            );
        }
        if let Some(alternatives) = &self.alternative_hypotheses {
            for (index, hypothesis) in alternatives.considered.iter().enumerate() {
                let length = hypothesis.trim().chars().count();
                if length == 0 || length > 2_000 {
                    issues.add(
                        format!("alternative_hypotheses.considered[{index}]"),
                        "a hypothesis of 1 to 2,000 characters is expected",
                    );
                }
            }
            if alternatives.considered.len() > 50 {
                issues.add(
                    "alternative_hypotheses.considered",
                    "at most 50 hypotheses are accepted",
                );
            }
        }
        for (path, text) in self.free_text_fields() {
            if let Some(message) = crate::text::control_character_problem(text) {
                issues.add(path, message);
            }
        }
    }

    /// `first_observed` not in the future, `last_observed` not before it.
    fn check_observation_times(&self, now: Timestamp, issues: &mut Issues) {
        if let Some(latest_allowed) = now.plus_seconds(ALLOWED_FUTURE_SKEW_SECONDS)
            && self.first_observed > latest_allowed
        {
            issues.add(
                "first_observed",
                format!("{} is in the future (now is {now})", self.first_observed),
            );
        }
        if let Some(last_observed) = self.last_observed
            && last_observed < self.first_observed
        {
            issues.add(
                "last_observed",
                format!(
                    "{last_observed} is before first_observed ({})",
                    self.first_observed
                ),
            );
        }
    }

    /// 1 to 100 targets, each with a plausible number of people affected.
    fn check_targets(&self, issues: &mut Issues) {
        issues.check_count("targets", self.targets.len(), "target", 100);
        for (index, target) in self.targets.iter().enumerate() {
            if let Some(people) = target.people_affected
                && people > MAXIMUM_PEOPLE_AFFECTED
            {
                issues.add(
                    format!("targets[{index}].people_affected"),
                    format!("{people} is more than {MAXIMUM_PEOPLE_AFFECTED}"),
                );
            }
        }
    }

    /// 1 to 50 effects, each lasting a plausible number of hours.
    fn check_effects(&self, issues: &mut Issues) {
        issues.check_count("effects", self.effects.len(), "effect", 50);
        for (index, effect) in self.effects.iter().enumerate() {
            if let Some(hours) = effect.duration_hours
                && !(hours.is_finite() && (0.0..=MAXIMUM_DURATION_HOURS).contains(&hours))
            {
                issues.add(
                    format!("effects[{index}].duration_hours"),
                    format!("{hours} is not between 0 and {MAXIMUM_DURATION_HOURS} hours"),
                );
            }
        }
    }

    /// At most 200 techniques, each a MITRE ATT&CK technique id.
    fn check_techniques(&self, issues: &mut Issues) {
        if self.techniques.len() > 200 {
            issues.add("techniques", "at most 200 techniques");
        }
        for (index, technique) in self.techniques.iter().enumerate() {
            if !is_attack_technique_id(technique) {
                issues.add(
                    format!("techniques[{index}]"),
                    format!(
                        "`{technique}` is not a MITRE ATT&CK technique id such as `T1485` or `T1566.001`"
                    ),
                );
            }
        }
    }

    /// At most [`MAXIMUM_EXPLOITED_VULNERABILITIES`] vulnerabilities, each naming a CVE id, a
    /// disclosure case or both, and each CVE id and case named once.
    fn check_exploited_vulnerabilities(&self, issues: &mut Issues) {
        let entries = &self.exploited_vulnerabilities;
        if entries.len() > MAXIMUM_EXPLOITED_VULNERABILITIES {
            issues.add(
                "exploited_vulnerabilities",
                format!("at most {MAXIMUM_EXPLOITED_VULNERABILITIES} vulnerabilities"),
            );
        }
        let mut cves = BTreeSet::new();
        let mut cases = BTreeSet::new();
        for (index, entry) in entries.iter().enumerate() {
            let path = format!("exploited_vulnerabilities[{index}]");
            if entry.cve.is_none() && entry.case.is_none() {
                issues.add(
                    path.clone(),
                    "name the vulnerability: its `cve` id (such as `CVE-2024-3400`), the `case` id of a disclosure case on this node, or both",
                );
            }
            if let Some(cve) = &entry.cve
                && !cves.insert(cve)
            {
                issues.add(format!("{path}.cve"), format!("`{cve}` is listed twice"));
            }
            if let Some(case) = &entry.case
                && !cases.insert(case)
            {
                issues.add(
                    format!("{path}.case"),
                    format!("disclosure case `{case}` is listed twice"),
                );
            }
        }
    }

    /// The suspected origin's bases and the parties shared with, each listed once; at most 200
    /// parties.
    fn check_lists_without_repeats(&self, issues: &mut Issues) {
        if let Some(origin) = &self.suspected_origin {
            issues.check_listed_once("suspected_origin.basis", &origin.basis);
        }
        issues.check_listed_once("shared_with", &self.shared_with);
        if self.shared_with.len() > 200 {
            issues.add("shared_with", "at most 200 parties");
        }
    }

    /// An exercise report is never `TLP:CLEAR`.
    fn check_exercise_label(&self, issues: &mut Issues) {
        if self.exercise && self.tlp == Tlp::Clear {
            issues.add(
                "tlp",
                "an exercise report cannot be `clear`: TLP:CLEAR is the public record, and an exercise must never be taken for a real incident there; use `green` or a restricted label",
            );
        }
    }

    /// Each reference names its source; a URL is http(s).
    fn check_references(&self, issues: &mut Issues) {
        for (index, reference) in self.references.iter().enumerate() {
            if reference.source_name.trim().is_empty() {
                issues.add(
                    format!("references[{index}].source_name"),
                    "a source name is required",
                );
            }
            if let Some(url) = &reference.url
                && !(url.starts_with("https://") || url.starts_with("http://"))
            {
                issues.add(
                    format!("references[{index}].url"),
                    format!("`{url}` is not an http(s) URL"),
                );
            }
        }
    }

    /// Every free-text field with its JSON path: what people read on pages and in feeds.
    fn free_text_fields(&self) -> Vec<(String, &str)> {
        let mut fields = vec![("title".to_string(), self.title.as_str())];
        if let Some(description) = &self.description {
            fields.push(("description".into(), description));
        }
        for (index, reference) in self.references.iter().enumerate() {
            fields.push((
                format!("references[{index}].source_name"),
                &reference.source_name,
            ));
            if let Some(url) = &reference.url {
                fields.push((format!("references[{index}].url"), url));
            }
            if let Some(description) = &reference.description {
                fields.push((format!("references[{index}].description"), description));
            }
        }
        for (index, technique) in self.techniques.iter().enumerate() {
            fields.push((format!("techniques[{index}]"), technique));
        }
        if let Some(alternatives) = &self.alternative_hypotheses {
            for (index, hypothesis) in alternatives.considered.iter().enumerate() {
                fields.push((
                    format!("alternative_hypotheses.considered[{index}]"),
                    hypothesis,
                ));
            }
        }
        fields
    }

    /// Whether `party` may read this report: everyone for `clear` and `green`; for restricted
    /// labels only the reporter, the victim and the parties it was shared with.
    pub fn is_visible_to(&self, party: &PartyId) -> bool {
        self.readership().admits(Reader::Party(party))
    }

    /// Who may read this version of the report (the TLP rule of `crate::readership`): its
    /// label, and for a restricted label the reporter, the victim state and the parties it was
    /// shared with. Each version keeps its own readers.
    pub fn readership(&self) -> Readership {
        let mut addressed_to: BTreeSet<PartyId> = self.shared_with.iter().cloned().collect();
        addressed_to.insert(self.reported_by.clone());
        addressed_to.insert(PartyId::from(self.victim.clone()));
        Readership {
            tlp: self.tlp,
            addressed_to,
        }
    }

    /// Who may read this report: `None` means every signed-in party (`clear`, `green`); for a
    /// restricted label, the reporter, the victim state and the parties it was shared with.
    pub fn readers(&self) -> Option<BTreeSet<PartyId>> {
        self.readership().restricted_to().cloned()
    }

    /// The parties an incident affects, whom its reporter's notify duty is owed to: the victim
    /// state and every state a target is in, but not the reporter itself (a state reporting
    /// what happened only to itself owes no one a notification).
    pub fn affected_parties(&self) -> BTreeSet<PartyId> {
        std::iter::once(&self.victim)
            .chain(self.targets.iter().map(|target| &target.country))
            .map(|country| PartyId::from(country.clone()))
            .filter(|party| *party != self.reported_by)
            .collect()
    }

    /// The sectors hit, each once, in vocabulary order.
    pub fn sectors(&self) -> BTreeSet<Sector> {
        self.targets.iter().map(|target| target.sector).collect()
    }
}

/// The problems [`IncidentReport::validate`] finds, in the order its checks find them.
#[derive(Default)]
struct Issues(Vec<ValidationIssue>);

impl Issues {
    fn add(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(ValidationIssue::new(path, message));
    }

    /// At least one and at most `maximum` entries (`targets`, `target`).
    fn check_count(&mut self, path: &str, count: usize, singular: &str, maximum: usize) {
        if count == 0 {
            self.add(path, format!("at least one {singular} is required"));
        }
        if count > maximum {
            self.add(path, format!("at most {maximum} {path}"));
        }
    }

    /// Every entry of the list at `path` once: a repeat is named at its index.
    fn check_listed_once<T: Ord + fmt::Display>(&mut self, path: &str, entries: &[T]) {
        let mut seen = BTreeSet::new();
        for (index, entry) in entries.iter().enumerate() {
            if !seen.insert(entry) {
                self.add(
                    format!("{path}[{index}]"),
                    format!("`{entry}` is listed twice"),
                );
            }
        }
    }
}

/// A stored incident: the current report with its id assigned, and its version (1 on submit,
/// one more on every update; earlier versions are kept by the store).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    pub id: IncidentId,
    pub version: u32,
    pub submitted_by: PartyId,
    pub received_at: Timestamp,
    pub updated_at: Timestamp,
    pub report: IncidentReport,
}

impl Incident {
    pub fn is_visible_to(&self, party: &PartyId) -> bool {
        self.report.is_visible_to(party)
    }

    /// Whether `reader` may read this version (each version keeps its own readers).
    pub fn admits(&self, reader: Reader<'_>) -> bool {
        self.report.readership().admits(reader)
    }
}

/// The JSON Schema (draft 2020-12) of the incident report, generated from the types.
pub fn incident_report_json_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(IncidentReport);
    schema.to_value()
}
