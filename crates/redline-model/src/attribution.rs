//! Attribution claims: a party's signed statement that a state is responsible for an incident,
//! the co-signatures of parties who join it, and the claimant's decisions to publish or withdraw
//! it. These are the payloads of DSSE envelopes signed with each party's hotline key; this
//! module owns their shape, their parsing with a JSON path on every error, and the rules a
//! payload must meet on its own. Whether a claim may be published (the code of conduct) is
//! decided in `redline-norms`; who may read a claim is `Readership`.
//!
//! A state is named in public only through a claim: a reporter's `suspected_origin` stays with
//! the report's readers. A claim separates what is claimed (who is named, the relationship under
//! ILC ARSIWA Arts 4, 8 and 11, the ICD 203 likelihood and the basis) from the evidence that
//! lets a third party check it (digests of evidence shared under TLP, STIX ids), as Eichensehr
//! ("The Law and Politics of Cyberattack Attribution", 2020) and GGE 2015 para. 28(f) ("accusations
//! ... should be substantiated") ask.

use crate::error::valid_or_invalid;
use crate::text::check_text;
use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::parse_json_with_path;
use crate::{
    AttributionBasis, AttributionRelationship, Confidence, CountryCode, IncidentId, ModelError,
    PartyId, Readership, Timestamp, Tlp, ValidationIssue,
};

/// The payload version this crate reads and writes.
pub const ATTRIBUTION_PAYLOAD_VERSION: u8 = 1;
/// DSSE payload type of a claim version.
pub const CLAIM_PAYLOAD_TYPE: &str = "application/vnd.redline.attribution-claim+json";
/// DSSE payload type of a co-signature.
pub const COSIGNATURE_PAYLOAD_TYPE: &str = "application/vnd.redline.attribution-cosignature+json";
/// DSSE payload type of a publish or withdraw decision.
pub const CLAIM_DECISION_PAYLOAD_TYPE: &str = "application/vnd.redline.attribution-decision+json";
/// The longest statement, in characters.
pub const MAXIMUM_STATEMENT_CHARACTERS: usize = 20_000;
/// The most evidence references one claim may carry.
pub const MAXIMUM_EVIDENCE_REFERENCES: usize = 100;
/// The most parties a restricted claim may be shared with.
pub const MAXIMUM_SHARED_WITH: usize = 200;

/// A claim's id: a UUID, the same for every version of the claim.
pub type ClaimId = Uuid;

crate::vocabulary::vocabulary! {
    /// ICD 203 analytic confidence, kept apart from the likelihood (ICD 203 tells analysts not
    /// to combine them in one sentence; STIX `confidence` conflates them, so the STIX mapping
    /// derives its number from the likelihood alone).
    AnalyticConfidence {
        Low => "low",
        Moderate => "moderate",
        High => "high",
    }
}

crate::vocabulary::vocabulary! {
    /// What the claimant decides about a claim.
    ClaimAction {
        Publish => "publish",
        Withdraw => "withdraw",
    }
}

crate::vocabulary::vocabulary! {
    /// Where a claim stands, derived from its versions and decisions.
    /// `filed`: visible to its readers, not yet published; `published`: it passed the code of
    /// conduct (a `clear` claim is on the public pages); `withdrawn` by its claimant (it stays in
    /// the record, marked withdrawn).
    ClaimStatus {
        Filed => "filed",
        Published => "published",
        Withdrawn => "withdrawn",
    }
}

/// Who a claim names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NamedState {
    /// The state, by ISO 3166-1 alpha-2 code, whether or not it is a party of the node.
    pub state: CountryCode,
    /// The party that state is on this node, when it is one (it is then offered consultation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<PartyId>,
    /// An actor or intrusion-set name (`APT28`, `Sandworm Team`), when the claim names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
}

/// A reference a third party can follow to check a claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceReference {
    /// `sha256:<64 hex>` digest of evidence shared under TLP, or a STIX id (`indicator--<uuid>`).
    pub reference: String,
    /// What the evidence is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl EvidenceReference {
    /// Whether the reference is a SHA-256 digest (rather than a STIX id).
    pub fn is_digest(&self) -> bool {
        self.reference.starts_with("sha256:")
    }
}

/// One version of an attribution claim, as the claimant signs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributionClaim {
    pub v: u8,
    pub id: ClaimId,
    /// 1 for the first version; each update adds one.
    pub version: u32,
    pub incident: IncidentId,
    pub claimant: PartyId,
    pub named: NamedState,
    /// How the operation relates to the named state (ILC ARSIWA Arts 4, 8, 11).
    pub relationship: AttributionRelationship,
    /// ICD 203 likelihood that the named state is responsible.
    pub confidence: Confidence,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytic_confidence: Option<AnalyticConfidence>,
    pub basis: Vec<AttributionBasis>,
    #[serde(default)]
    pub evidence: Vec<EvidenceReference>,
    /// The claim in the claimant's words.
    pub statement: String,
    pub tlp: Tlp,
    /// The parties a restricted (`amber`, `amber+strict`, `red`) claim is addressed to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shared_with: Vec<PartyId>,
    pub signed_at: Timestamp,
}

/// A party joining a claim version: its own signature over the claim's digest and its own
/// likelihood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimCosignature {
    pub v: u8,
    pub claim: ClaimId,
    pub version: u32,
    /// `sha256:<hex>` of the claim version's signed payload bytes.
    pub claim_digest: String,
    pub party: PartyId,
    pub confidence: Confidence,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    pub signed_at: Timestamp,
}

/// The claimant's decision to publish a claim version or withdraw the claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimDecision {
    pub v: u8,
    pub claim: ClaimId,
    pub version: u32,
    pub claim_digest: String,
    pub party: PartyId,
    pub action: ClaimAction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub signed_at: Timestamp,
}

impl AttributionClaim {
    /// Parses a claim payload: its shape (with the JSON path of the first problem), then every
    /// rule it must meet on its own.
    pub fn parse(bytes: &[u8]) -> Result<Self, ModelError> {
        let claim: Self = parse_json_with_path(bytes)?;
        let issues = claim.validate();
        valid_or_invalid(claim, issues)
    }

    /// Every rule a claim version breaks on its own.
    pub fn validate(&self) -> Vec<ValidationIssue> {
        let mut issues = Vec::new();
        check_payload_version(self.v, &mut issues);
        if self.version == 0 {
            issues.push(ValidationIssue::new("version", "versions start at 1"));
        }
        check_text(
            "statement",
            &self.statement,
            1,
            MAXIMUM_STATEMENT_CHARACTERS,
            &mut issues,
        );
        if let Some(actor) = &self.named.actor {
            check_text("named.actor", actor, 1, 200, &mut issues);
        }
        if self.basis.is_empty() {
            issues.push(ValidationIssue::new(
                "basis",
                "name at least one basis (technical, intelligence, political, self-claimed)",
            ));
        }
        if has_duplicates(&self.basis) {
            issues.push(ValidationIssue::new("basis", "a basis is listed twice"));
        }
        if self.evidence.len() > MAXIMUM_EVIDENCE_REFERENCES {
            issues.push(ValidationIssue::new(
                "evidence",
                format!("at most {MAXIMUM_EVIDENCE_REFERENCES} evidence references"),
            ));
        }
        for (index, evidence) in self.evidence.iter().enumerate() {
            if let Some(problem) = evidence_reference_problem(&evidence.reference) {
                issues.push(ValidationIssue::new(
                    format!("evidence[{index}].reference"),
                    problem,
                ));
            }
            if let Some(description) = &evidence.description {
                check_text(
                    &format!("evidence[{index}].description"),
                    description,
                    1,
                    2_000,
                    &mut issues,
                );
            }
        }
        if self.shared_with.len() > MAXIMUM_SHARED_WITH {
            issues.push(ValidationIssue::new(
                "shared_with",
                format!("at most {MAXIMUM_SHARED_WITH} parties"),
            ));
        }
        if !self.tlp.is_restricted() && !self.shared_with.is_empty() {
            issues.push(ValidationIssue::new(
                "shared_with",
                format!(
                    "a {} claim is read by every party it allows; `shared_with` is only for amber, amber+strict and red",
                    self.tlp
                ),
            ));
        }
        if self.named.party.as_ref() == Some(&self.claimant) {
            issues.push(ValidationIssue::new(
                "named.party",
                "a party cannot name itself in an attribution claim",
            ));
        }
        issues
    }

    /// Who may read this version: the label, and for a restricted label the claimant, the
    /// parties it is shared with and the named party (who must be able to answer it).
    pub fn readership(&self) -> Readership {
        let mut readers: BTreeSet<PartyId> = self.shared_with.iter().cloned().collect();
        readers.insert(self.claimant.clone());
        if let Some(named_party) = &self.named.party {
            readers.insert(named_party.clone());
        }
        Readership::new(self.tlp, readers)
    }

    /// The payload bytes a claimant signs (compact JSON, fields in declaration order).
    pub fn to_payload_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

impl ClaimCosignature {
    pub fn parse(bytes: &[u8]) -> Result<Self, ModelError> {
        let cosignature: Self = parse_json_with_path(bytes)?;
        let mut issues = Vec::new();
        check_payload_version(cosignature.v, &mut issues);
        check_digest("claim_digest", &cosignature.claim_digest, &mut issues);
        if let Some(statement) = &cosignature.statement {
            check_text(
                "statement",
                statement,
                1,
                MAXIMUM_STATEMENT_CHARACTERS,
                &mut issues,
            );
        }
        valid_or_invalid(cosignature, issues)
    }

    pub fn to_payload_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

impl ClaimDecision {
    pub fn parse(bytes: &[u8]) -> Result<Self, ModelError> {
        let decision: Self = parse_json_with_path(bytes)?;
        let mut issues = Vec::new();
        check_payload_version(decision.v, &mut issues);
        check_digest("claim_digest", &decision.claim_digest, &mut issues);
        if let Some(reason) = &decision.reason {
            check_text("reason", reason, 1, 2_000, &mut issues);
        }
        valid_or_invalid(decision, issues)
    }

    pub fn to_payload_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

fn check_payload_version(version: u8, issues: &mut Vec<ValidationIssue>) {
    if version != ATTRIBUTION_PAYLOAD_VERSION {
        issues.push(ValidationIssue::new(
            "v",
            format!(
                "payload version {version} is not supported: expected {ATTRIBUTION_PAYLOAD_VERSION}"
            ),
        ));
    }
}

fn check_digest(path: &str, digest: &str, issues: &mut Vec<ValidationIssue>) {
    if !is_sha256_digest(digest) {
        issues.push(ValidationIssue::new(
            path,
            format!("`{digest}` is not a digest: expected `sha256:` and 64 lower-case hex digits"),
        ));
    }
}

/// Whether `text` is `sha256:` followed by 64 lower-case hex digits.
pub fn is_sha256_digest(text: &str) -> bool {
    text.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// Why an evidence reference is refused: it must be a SHA-256 digest or a STIX id of an object
/// that can carry evidence.
fn evidence_reference_problem(reference: &str) -> Option<String> {
    if is_sha256_digest(reference) {
        return None;
    }
    const STIX_TYPES: &[&str] = &[
        "indicator",
        "observed-data",
        "malware",
        "malware-analysis",
        "infrastructure",
        "intrusion-set",
        "campaign",
        "attack-pattern",
        "tool",
        "report",
        "note",
        "grouping",
        "incident",
        "vulnerability",
        "threat-actor",
    ];
    let stix_id = reference.split_once("--").and_then(|(kind, uuid)| {
        let uuid_ok =
            Uuid::try_parse(uuid).is_ok_and(|parsed| parsed.hyphenated().to_string() == uuid);
        (STIX_TYPES.contains(&kind) && uuid_ok).then_some(())
    });
    match stix_id {
        Some(()) => None,
        None => Some(format!(
            "`{reference}` is not an evidence reference: expected `sha256:` and 64 hex digits, or a STIX id such as `indicator--<uuid>`"
        )),
    }
}

fn has_duplicates<T: Ord>(items: &[T]) -> bool {
    let mut seen = BTreeSet::new();
    items.iter().any(|item| !seen.insert(item))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim_json() -> serde_json::Value {
        serde_json::json!({
            "v": 1,
            "id": "6f1c7e8a-3b9d-4c1e-8f2a-1d2e3f4a5b6c",
            "version": 1,
            "incident": "incident--0b1c7e8a-3b9d-4c1e-8f2a-1d2e3f4a5b6c",
            "claimant": "EE",
            "named": {"state": "RU", "party": "RU", "actor": "APT28"},
            "relationship": "state-organ",
            "confidence": "very-likely",
            "basis": ["technical", "intelligence"],
            "evidence": [{"reference": format!("sha256:{}", "a".repeat(64))}],
            "statement": "The operation was carried out by GRU unit 26165.",
            "tlp": "clear",
            "signed_at": "2026-12-01T10:00:00Z"
        })
    }

    fn parse(value: serde_json::Value) -> Result<AttributionClaim, ModelError> {
        AttributionClaim::parse(&serde_json::to_vec(&value).expect("test fixture"))
    }

    /// One row per case: a change to a valid claim, and the path of the problem it causes
    /// (`None`: still valid).
    fn check(change: impl FnOnce(&mut serde_json::Value), expected_path: Option<&str>) {
        let mut value = claim_json();
        change(&mut value);
        let result = parse(value);
        match (result, expected_path) {
            (Ok(_), None) => {}
            (Err(error), Some(path)) => {
                let issues = error.issues();
                assert!(
                    issues.iter().any(|issue| issue.path == path),
                    "expected a problem at {path}, got {issues:?}"
                );
            }
            (Ok(_), Some(path)) => panic!("expected a problem at {path}, the claim was accepted"),
            (Err(error), None) => panic!("expected a valid claim, got {error}"),
        }
    }

    #[test]
    fn the_claim_rules() {
        check(|_| {}, None);
        check(|value| value["v"] = 2.into(), Some("v"));
        check(|value| value["version"] = 0.into(), Some("version"));
        check(|value| value["statement"] = " ".into(), Some("statement"));
        check(
            |value| value["statement"] = "a\u{1b}[2J".into(),
            Some("statement"),
        );
        check(
            |value| value["basis"] = serde_json::json!([]),
            Some("basis"),
        );
        check(
            |value| value["basis"] = serde_json::json!(["technical", "technical"]),
            Some("basis"),
        );
        check(
            |value| value["evidence"][0]["reference"] = "sha256:XYZ".into(),
            Some("evidence[0].reference"),
        );
        check(
            |value| {
                value["evidence"][0]["reference"] =
                    "indicator--6f1c7e8a-3b9d-4c1e-8f2a-1d2e3f4a5b6c".into()
            },
            None,
        );
        check(
            |value| {
                value["evidence"][0]["reference"] =
                    "identity--6f1c7e8a-3b9d-4c1e-8f2a-1d2e3f4a5b6c".into()
            },
            Some("evidence[0].reference"),
        );
        check(
            |value| value["shared_with"] = serde_json::json!(["LV"]),
            Some("shared_with"),
        );
        check(
            |value| {
                value["tlp"] = "amber".into();
                value["shared_with"] = serde_json::json!(["LV"]);
            },
            None,
        );
        check(
            |value| value["named"]["party"] = "EE".into(),
            Some("named.party"),
        );
        check(
            |value| value["confidence"] = "sure".into(),
            Some("confidence"),
        );
        check(|value| value["extra"] = 1.into(), Some("extra"));
    }

    #[test]
    fn a_restricted_claim_is_read_by_its_claimant_the_named_party_and_whom_it_is_shared_with() {
        let mut value = claim_json();
        value["tlp"] = "amber".into();
        value["shared_with"] = serde_json::json!(["LV"]);
        let claim = parse(value).expect("valid");
        let readership = claim.readership();
        let reader = |id: &str| PartyId::parse(id).expect("party id");
        assert!(readership.admits(crate::Reader::Party(&reader("EE"))));
        assert!(readership.admits(crate::Reader::Party(&reader("RU"))));
        assert!(readership.admits(crate::Reader::Party(&reader("LV"))));
        assert!(!readership.admits(crate::Reader::Party(&reader("FR"))));
        assert!(!readership.admits(crate::Reader::Anonymous));
    }

    proptest::proptest! {
        /// Any bytes give a record or problems that name their path; never a panic.
        #[test]
        fn arbitrary_bytes_never_panic_and_every_problem_names_a_path(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            for result in [
                AttributionClaim::parse(&bytes).map(|_| ()),
                ClaimCosignature::parse(&bytes).map(|_| ()),
                ClaimDecision::parse(&bytes).map(|_| ()),
            ] {
                if let Err(error) = result {
                    proptest::prop_assert!(error.issues().iter().all(|issue| !issue.path.is_empty()));
                }
            }
        }

        /// A valid claim with one field replaced by arbitrary JSON text is read or refused
        /// with a path, never a panic.
        #[test]
        fn a_claim_with_any_field_replaced_never_panics(field in 0usize..14, text in ".{0,40}") {
            let mut value = claim_json();
            let keys: Vec<String> = value.as_object().map(|object| object.keys().cloned().collect()).unwrap_or_default();
            if let Some(key) = keys.get(field % keys.len().max(1)) {
                value[key.as_str()] = serde_json::Value::String(text);
            }
            let bytes = serde_json::to_vec(&value).unwrap_or_default();
            if let Err(error) = AttributionClaim::parse(&bytes) {
                proptest::prop_assert!(error.issues().iter().all(|issue| !issue.path.is_empty()));
            }
        }
    }

    #[test]
    fn a_claim_payload_round_trips_byte_for_byte() {
        let claim = parse(claim_json()).expect("valid");
        let bytes = claim.to_payload_bytes();
        let again = AttributionClaim::parse(&bytes).expect("valid");
        assert_eq!(again.to_payload_bytes(), bytes);
    }
}
