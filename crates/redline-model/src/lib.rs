//! redline-model: the shared vocabulary of redline.
//!
//! Owns the parties, the incident report (the public JSON contract of `DESIGN.md`), the
//! controlled vocabularies (STIX 2.1 industry sectors plus `elections`, effect kinds, scales,
//! TLP 2.0, ICD 203 confidence words, NCISS options), identifiers, timestamps at a fixed precision,
//! the six UN languages (`Language`), CVE ids, the vulnerabilities a report names and the
//! disclosure policy (`vulnerability.rs`), and validation that names the JSON path of every problem.
//! It does no I/O and reads no clock.

pub mod attribution;
pub mod commitments;
pub mod country;
pub mod error;
pub mod implementation_survey;
pub mod incident;
pub mod language;
pub mod nciss;
pub mod party;
pub mod readership;
pub mod text;
pub mod time;
pub mod vocabulary;
pub mod vulnerability;

pub use attribution::{
    AnalyticConfidence, AttributionClaim, ClaimAction, ClaimCosignature, ClaimDecision, ClaimId,
    ClaimStatus, EvidenceReference, NamedState,
};
pub use country::CountryCode;
pub use error::{ModelError, ValidationIssue};
pub use incident::{
    AlternativeHypotheses, Casualties, Effect, ExternalReference, Incident, IncidentId,
    IncidentReport, SuspectedOrigin, Target, incident_report_json_schema, parse_incident_report,
};
pub use language::{Language, TextDirection};
pub use nciss::NcissOverrides;
pub use party::{Party, PartyId, PartyKey, PartyKind};
pub use readership::{Reader, Readership};
pub use time::Timestamp;
pub use vocabulary::{
    Access, AttributionBasis, AttributionRelationship, Confidence, DutyKind, EffectKind,
    IncidentStatus, Scale, Sector, Tlp,
};
pub use vulnerability::{
    CveId, DisclosurePolicy, ExploitedVulnerability, MAXIMUM_EMBARGO_DAYS,
    MAXIMUM_EXPLOITED_VULNERABILITIES,
};
