//! The CVE record of a case with an assigned CVE id, in the CVE JSON 5 record format
//! (`dataVersion` 5.1, a published record with its CNA container; CVE Services takes the
//! container alone, [`cve_record`]`["containers"]["cna"]`).
//!
//! Each product is one `affected` item (vendor and product names; the version from the purl or
//! the CPE where it names one, else the status as `defaultStatus`; a CPE also in `cpes`):
//! affected → `affected`; fixed and not affected → `unaffected`; under investigation,
//! unresponsive and never contacted → `unknown`. The CVSS 4.0 vector goes in `cvssV4_0` and the
//! 3.1 vector, where the case has one, in `cvssV3_1` (the FIRST schemas, whose regular
//! expressions accept only the canonical order this crate keeps); the CWE in `problemTypes`; the
//! reporter in `credits` unless anonymous; the public advisory as the reference. The record is
//! checked in CI against the CVE Program's bundled schema (`tests/cve_record_validator.rs`).

use redline_model::text::control_character_problem;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::csaf::sort_keys;
use crate::product_identifier::ProductIdentifier;
use crate::workflow::{CaseState, ProductStatus};

/// The CNA that assigns and publishes the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CveAssigner {
    org_id: Uuid,
    short_name: String,
}

impl CveAssigner {
    /// The CNA's organisation id at the CVE Program (a version-4 UUID, as the record format
    /// requires) and its short name (2 to 32 characters).
    pub fn new(org_id: Uuid, short_name: &str) -> Result<Self, String> {
        if org_id.get_version_num() != 4 {
            return Err(format!(
                "{org_id} is not a version-4 UUID, which a CVE organisation id is"
            ));
        }
        let length = short_name.chars().count();
        if !(2..=32).contains(&length) || control_character_problem(short_name).is_some() {
            return Err(format!(
                "`{short_name}` is not a CNA short name (2 to 32 characters)"
            ));
        }
        Ok(Self {
            org_id,
            short_name: short_name.to_string(),
        })
    }
}

/// The CVE status word of a product status.
pub fn cve_status(status: ProductStatus) -> &'static str {
    match status {
        ProductStatus::Affected => "affected",
        ProductStatus::Fixed | ProductStatus::NotAffected => "unaffected",
        ProductStatus::UnderInvestigation
        | ProductStatus::Unresponsive
        | ProductStatus::NotContacted => "unknown",
    }
}

/// The CVE record of `state`, or `None` while the case has no CVE id. `advisory_url` is where
/// the public advisory is.
pub fn cve_record(state: &CaseState, assigner: &CveAssigner, advisory_url: &str) -> Option<Value> {
    let cve = state.cve.as_ref()?;
    let case = &state.case;
    let mut affected = Vec::new();
    for (vendor, product) in case.products() {
        let status = state
            .products
            .get(&(vendor.id.clone(), product.id.clone()))
            .map_or(ProductStatus::NotContacted, |product| product.status);
        let (version, cpe) = match &product.identifier {
            ProductIdentifier::Purl(purl) => (purl.version(), None),
            ProductIdentifier::Cpe(cpe) => {
                let (_, _, version) = cpe.vendor_product_version();
                let version = (version != "*" && version != "-").then_some(version);
                (version, Some(cpe.as_str().to_string()))
            }
        };
        let mut item = json!({ "vendor": vendor.name, "product": product.name });
        match version {
            Some(version) => {
                item["versions"] = json!([{ "version": version, "status": cve_status(status) }]);
            }
            None => item["defaultStatus"] = json!(cve_status(status)),
        }
        if let Some(cpe) = cpe {
            item["cpes"] = json!([cpe]);
        }
        affected.push(item);
    }
    let mut metrics = vec![json!({
        "format": "CVSS",
        "cvssV4_0": {
            "version": "4.0",
            "vectorString": case.cvss_v4.as_str(),
            // FIRST's `baseScore` is the base metrics' score (CVSS-B), as in the CSAF 2.1
            // advisory; a vector with threat or environmental metrics scores otherwise.
            "baseScore": case.cvss_v4.base_score(),
            "baseSeverity": case.cvss_v4.base_severity(),
        },
    })];
    if let Some(vector) = &case.cvss_v3 {
        metrics.push(json!({
            "format": "CVSS",
            "cvssV3_1": {
                "version": "3.1",
                "vectorString": vector.as_str(),
                "baseScore": vector.score(),
                "baseSeverity": vector.severity(),
            },
        }));
    }
    let published = state.embargo_end.to_string();
    let mut cna = json!({
        "providerMetadata": { "orgId": assigner.org_id, "shortName": assigner.short_name },
        "title": case.title,
        "descriptions": [{ "lang": "en", "value": case.description }],
        "affected": affected,
        "metrics": metrics,
        "references": [{ "url": advisory_url, "tags": ["vendor-advisory"] }],
        "datePublic": published,
    });
    if let Some(cwe) = &case.cwe {
        cna["problemTypes"] = json!([{ "descriptions": [{
            "lang": "en", "type": "CWE", "cweId": cwe.id, "description": format!("{} {}", cwe.id, cwe.name),
        }] }]);
    }
    if !case.reporter.anonymous_to_vendors
        && let Some(name) = case
            .reporter
            .name
            .clone()
            .or_else(|| case.reporter.party.as_ref().map(ToString::to_string))
    {
        cna["credits"] = json!([{ "lang": "en", "value": name, "type": "finder" }]);
    }
    Some(sort_keys(json!({
        "dataType": "CVE_RECORD",
        "dataVersion": "5.1",
        "cveMetadata": {
            "cveId": cve.as_str(),
            "assignerOrgId": assigner.org_id,
            "assignerShortName": assigner.short_name,
            "state": "PUBLISHED",
            "datePublished": published,
        },
        "containers": { "cna": cna },
    })))
}
