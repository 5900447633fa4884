//! A disclosure case: the JSON contract a coordinator signs (`DisclosureCase`), one version at
//! a time, and the rules a version meets on its own.
//!
//! A case names its coordinator (a CERT party of the node, who signs every version), its
//! reporter (a party, or a named outside person or organisation, who may stay anonymous to the
//! vendors), the vendors (parties of the node, or outside organisations with a contact) and
//! their products (each with a purl or a CPE), the CVSS 4.0 vector (and a CVSS 3.1 one where
//! the coordinator has it), the CWE, the CVE id once assigned, and the embargo end in UTC. What
//! happens to the vendors and products later is recorded as signed actions (`workflow.rs`).

use redline_model::error::valid_or_invalid;
pub(crate) use redline_model::text::check_text;
use std::collections::BTreeSet;

use redline_model::error::parse_json_with_path;
use redline_model::{ModelError, PartyId, Timestamp, ValidationIssue};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::cvss_vector::{CvssV4, CvssV31};
use crate::product_identifier::ProductIdentifier;

/// The payload type of a signed case version.
pub const CASE_PAYLOAD_TYPE: &str = "application/vnd.redline.disclosure-case+json";
/// The payload version this build reads.
pub const DISCLOSURE_PAYLOAD_VERSION: u8 = 1;
/// The most vendors one case may name.
pub const MAXIMUM_VENDORS: usize = 1_000;
/// The most products one vendor may have in one case.
pub const MAXIMUM_PRODUCTS_PER_VENDOR: usize = 200;

/// One version of a case, as its coordinator signs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DisclosureCase {
    /// The payload version, 1.
    pub v: u8,
    pub id: Uuid,
    /// 1 for a new case; each update by the coordinator is the next number.
    pub version: u32,
    pub title: String,
    pub description: String,
    pub coordinator: PartyId,
    pub reporter: Reporter,
    pub vendors: Vec<Vendor>,
    pub cvss_v4: CvssV4,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss_v3: Option<CvssV31>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwe: Option<Cwe>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cve: Option<CveId>,
    /// When the reporter reported it (the start of the disclosure policy's clock).
    pub reported_at: Timestamp,
    /// The embargo's end in UTC; nothing of the case is public before it.
    pub embargo_end: Timestamp,
    pub signed_at: Timestamp,
}

/// Who reported the vulnerability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reporter {
    /// The reporting party, when a party reported it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<PartyId>,
    /// The reporter's name, when it is not a party (a researcher, a company).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Vendors (and the public advisory) never see who reported it.
    #[serde(default)]
    pub anonymous_to_vendors: bool,
}

/// A vendor of affected (or possibly affected) products.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vendor {
    /// A short id, unique in the case: lower-case letters, digits and `-`.
    pub id: String,
    pub name: String,
    /// The vendor's party, when it is a party of the node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<PartyId>,
    /// How to reach an outside vendor (an address or URL); never shown in public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    pub products: Vec<Product>,
}

/// One product (or product version) of a vendor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// A short id, unique within its vendor.
    pub id: String,
    pub name: String,
    pub identifier: ProductIdentifier,
}

/// A CWE entry: its id and its catalogue name (CSAF checks the pair against the catalogue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cwe {
    /// `CWE-` and a number.
    pub id: String,
    pub name: String,
}

/// A CVE id (one type with the incident report's: `redline_model::CveId`).
pub use redline_model::CveId;

impl DisclosureCase {
    /// Parses and checks one case version.
    pub fn parse(bytes: &[u8]) -> Result<Self, ModelError> {
        let case: Self = parse_json_with_path(bytes)?;
        let issues = case.validate();
        valid_or_invalid(case, issues)
    }

    /// Every rule the version breaks on its own.
    pub fn validate(&self) -> Vec<ValidationIssue> {
        let mut issues = Vec::new();
        if self.v != DISCLOSURE_PAYLOAD_VERSION {
            issues.push(ValidationIssue::new(
                "v",
                format!(
                    "payload version {} is not supported: expected {DISCLOSURE_PAYLOAD_VERSION}",
                    self.v
                ),
            ));
        }
        if self.version == 0 {
            issues.push(ValidationIssue::new("version", "versions start at 1"));
        }
        check_text("title", &self.title, 1, 300, &mut issues);
        check_text("description", &self.description, 1, 20_000, &mut issues);
        match (&self.reporter.party, &self.reporter.name) {
            (None, None) => issues.push(ValidationIssue::new(
                "reporter",
                "name the reporter: a `party` or a `name`",
            )),
            (_, Some(name)) => check_text("reporter.name", name, 1, 200, &mut issues),
            _ => {}
        }
        if self.vendors.is_empty() {
            issues.push(ValidationIssue::new(
                "vendors",
                "a case names at least one vendor",
            ));
        }
        if self.vendors.len() > MAXIMUM_VENDORS {
            issues.push(ValidationIssue::new(
                "vendors",
                format!("at most {MAXIMUM_VENDORS} vendors"),
            ));
        }
        let mut vendor_ids = BTreeSet::new();
        let mut vendor_parties = BTreeSet::new();
        for (index, vendor) in self.vendors.iter().enumerate() {
            let path = format!("vendors[{index}]");
            check_short_id(&format!("{path}.id"), &vendor.id, &mut issues);
            if !vendor_ids.insert(vendor.id.as_str()) {
                issues.push(ValidationIssue::new(
                    format!("{path}.id"),
                    format!("vendor id `{}` appears twice", vendor.id),
                ));
            }
            check_text(&format!("{path}.name"), &vendor.name, 1, 200, &mut issues);
            match (&vendor.party, &vendor.contact) {
                (Some(party), _) => {
                    if !vendor_parties.insert(party.clone()) {
                        issues.push(ValidationIssue::new(
                            format!("{path}.party"),
                            format!("party {party} is named as two vendors"),
                        ));
                    }
                    if party == &self.coordinator {
                        issues.push(ValidationIssue::new(
                            format!("{path}.party"),
                            "the coordinator cannot also be a vendor of its own case",
                        ));
                    }
                }
                (None, None) => issues.push(ValidationIssue::new(
                    format!("{path}.contact"),
                    "a vendor that is not a party needs a contact",
                )),
                (None, Some(_)) => {}
            }
            if let Some(contact) = &vendor.contact {
                check_text(&format!("{path}.contact"), contact, 3, 300, &mut issues);
            }
            if vendor.products.is_empty() {
                issues.push(ValidationIssue::new(
                    format!("{path}.products"),
                    "a vendor has at least one product",
                ));
            }
            if vendor.products.len() > MAXIMUM_PRODUCTS_PER_VENDOR {
                issues.push(ValidationIssue::new(
                    format!("{path}.products"),
                    format!("at most {MAXIMUM_PRODUCTS_PER_VENDOR} products per vendor"),
                ));
            }
            let mut product_ids = BTreeSet::new();
            for (product_index, product) in vendor.products.iter().enumerate() {
                let product_path = format!("{path}.products[{product_index}]");
                check_short_id(&format!("{product_path}.id"), &product.id, &mut issues);
                if !product_ids.insert(product.id.as_str()) {
                    issues.push(ValidationIssue::new(
                        format!("{product_path}.id"),
                        format!("product id `{}` appears twice for this vendor", product.id),
                    ));
                }
                check_text(
                    &format!("{product_path}.name"),
                    &product.name,
                    1,
                    200,
                    &mut issues,
                );
            }
        }
        if let Some(cwe) = &self.cwe {
            let number = cwe.id.strip_prefix("CWE-").unwrap_or_default();
            if number.is_empty()
                || number.len() > 9
                || !number.chars().all(|c| c.is_ascii_digit())
                || number.starts_with('0')
            {
                issues.push(ValidationIssue::new(
                    "cwe.id",
                    format!("`{}` is not a CWE id such as `CWE-287`", cwe.id),
                ));
            }
            check_text("cwe.name", &cwe.name, 1, 300, &mut issues);
        }
        if self.embargo_end <= self.reported_at {
            issues.push(ValidationIssue::new(
                "embargo_end",
                format!(
                    "the embargo ends at {}, not after the report at {}",
                    self.embargo_end, self.reported_at
                ),
            ));
        }
        issues
    }

    /// The vendor with this id.
    pub fn vendor(&self, vendor_id: &str) -> Option<&Vendor> {
        self.vendors.iter().find(|vendor| vendor.id == vendor_id)
    }

    /// The parties that may read the case while it is embargoed: the coordinator, the
    /// reporting party and the vendors that are parties.
    pub fn embargo_readers(&self) -> BTreeSet<PartyId> {
        let mut readers = BTreeSet::new();
        readers.insert(self.coordinator.clone());
        readers.extend(self.reporter.party.clone());
        readers.extend(
            self.vendors
                .iter()
                .filter_map(|vendor| vendor.party.clone()),
        );
        readers
    }

    /// Every product as `(vendor, product)`, in the case's order.
    pub fn products(&self) -> impl Iterator<Item = (&Vendor, &Product)> {
        self.vendors
            .iter()
            .flat_map(|vendor| vendor.products.iter().map(move |product| (vendor, product)))
    }
}

/// Vendor and product ids: 1–64 of `a-z`, `0-9`, `-`, starting with a letter or digit.
pub(crate) fn is_short_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && !text.starts_with('-')
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn check_short_id(path: &str, text: &str, issues: &mut Vec<ValidationIssue>) {
    if !is_short_id(text) {
        issues.push(ValidationIssue::new(
            path,
            format!(
                "`{text}` is not a short id: 1 to 64 of a-z, 0-9 and `-`, not starting with `-`"
            ),
        ));
    }
}

/// The JSON Schema (draft 2020-12) of a case version's payload
/// (`schemas/disclosure-case.schema.json`).
pub fn disclosure_case_json_schema() -> serde_json::Value {
    schemars::schema_for!(DisclosureCase).to_value()
}
