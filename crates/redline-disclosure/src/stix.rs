//! A public case as STIX 2.1: one `vulnerability` object (named by its CVE id once assigned,
//! with the CVE and CWE as external references and the public advisory's address as an
//! `external_id`: a URL would need a hash, and the advisory changes), created by
//! the coordinator's identity (`redline_stix::party_identity_id`, the one identity of a party in
//! every export), marked `TLP:CLEAR` with the OASIS TLP 2.0 marking-definition it refers to. Its
//! id is derived from the case, so every export of one case names the same object; `modified`
//! follows the case's last change. Only a case whose embargo has ended is exported (the node
//! checks; this module does not read a clock). Checked in CI by the OASIS validator
//! (`tests/stix_validator.rs`).

use redline_model::{Timestamp, Tlp};
use redline_stix::common::derived_identifier;
use redline_stix::mapping::party_identity_id;
use redline_stix::marking::{tlp_marking_definition, tlp_marking_id};
use serde_json::{Value, json};

use crate::workflow::CaseState;

/// STIX timestamps: UTC with milliseconds.
fn stix_time(at: Timestamp) -> String {
    at.as_jiff().strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The STIX id of a case's `vulnerability` object.
pub fn vulnerability_id(state: &CaseState) -> String {
    derived_identifier(
        "vulnerability",
        &format!("disclosure-case:{}", state.case.id),
    )
    .to_string()
}

/// The case's `vulnerability` object.
pub fn case_vulnerability(state: &CaseState, advisory_url: &str) -> Value {
    let case = &state.case;
    let mut references = Vec::new();
    if let Some(cve) = &state.cve {
        references.push(json!({ "source_name": "cve", "external_id": cve.as_str() }));
    }
    if let Some(cwe) = &case.cwe {
        references.push(json!({
            "source_name": "cwe",
            "external_id": cwe.id,
            "description": cwe.name,
        }));
    }
    references.push(json!({
        "source_name": "redline-advisory",
        // The advisory changes as vendors answer, so it is named, not linked with a hash.
        "external_id": advisory_url,
        "description": format!("CVSS 4.0 {} ({:.1} {})", case.cvss_v4.as_str(), case.cvss_v4.score(), case.cvss_v4.severity()),
    }));
    let modified = state.updated_at.max(state.embargo_end);
    json!({
        "type": "vulnerability",
        "spec_version": "2.1",
        "id": vulnerability_id(state),
        "created": stix_time(state.embargo_end),
        "modified": stix_time(modified),
        "created_by_ref": party_identity_id(&case.coordinator).to_string(),
        "name": state.cve.as_ref().map_or_else(|| case.title.clone(), |cve| cve.as_str().to_string()),
        "description": format!("{}\n\n{}", case.title, case.description),
        "external_references": references,
        "object_marking_refs": [tlp_marking_id(Tlp::Clear)],
    })
}

/// A STIX 2.1 bundle of the case's `vulnerability` and the TLP 2.0 marking it refers to.
pub fn case_bundle(state: &CaseState, advisory_url: &str) -> Value {
    let marking = serde_json::to_value(tlp_marking_definition(Tlp::Clear)).unwrap_or(Value::Null);
    json!({
        "type": "bundle",
        "id": derived_identifier("bundle", &format!("disclosure-case:{}:{}", state.case.id, state.updated_at)).to_string(),
        "objects": [marking, case_vulnerability(state, advisory_url)],
    })
}
