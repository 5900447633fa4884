//! The public security advisory of a case in CSAF.
//!
//! Two stages, so each CSAF version is one more renderer: [`AdvisoryFacts::of_case`] takes
//! what an advisory says from a case (products with their ids and identifiers, statuses,
//! scores, notes) without any CSAF spelling, and [`render_csaf`] writes them in a
//! [`CsafVersion`]. Both versions are written from the same facts; only the spelling differs.
//!
//! **CSAF 2.0** (OASIS Standard, 2022) is the default. It has no place for a CVSS 4.0 score
//! (`scores[]` holds `cvss_v2` and `cvss_v3`, and the strict schema refuses anything else), so
//! the 4.0 vector goes in a vulnerability note and the case's CVSS 3.1 vector, when it has one,
//! in `scores[]`. Statuses: affected → `known_affected`, not affected → `known_not_affected`,
//! fixed → `fixed`; under investigation, unresponsive and not contacted → `under_investigation`
//! (CSAF 2.0 has no "unknown"), with a note naming the unresponsive and never-contacted vendors
//! so a reader can tell them apart.
//!
//! **CSAF 2.1** is written as the OASIS CSAF TC's committee specification drafts define it; it
//! is not an OASIS Standard. Its status was checked in December 2026 with the project's search
//! of public sources: the front matter of the TC's draft (github.com/oasis-tcs/csaf,
//! `csaf_2.1/prose`, as of 17 August 2026) reads "Committee Specification Draft 03, 29 July
//! 2026" (the first draft was of 29 May 2024); a maintainer's answer of July 2026 calls what
//! OASIS has published "Committee Specification Draft 02"
//! (vulnerability-lookup/vulnerability-lookup#447); in September 2026 the TC was still
//! accepting changes into 2.1 (oasis-tcs/csaf#1589) and CSAF tools announced it as coming
//! (ISDuBA/ISDuBA#1588). No source found calls 2.1 a Committee Specification or an OASIS
//! Standard. The document is written to the 2.1 JSON
//! schema and tests as the BSI validator library bundles them (`@secvisogram/csaf-validator-lib`
//! 2.0.10, `csaf_2_1/`, which its README marks experimental; `$schema`
//! `https://docs.oasis-open.org/csaf/csaf/v2.1/schema/csaf.json`), which is what CI checks; where
//! the TC's later draft schema differs from it (product paths, extensions, SSVC 2) redline
//! writes none of the fields concerned. What 2.1 changes here:
//!
//! - the CVSS 4.0 vector natively, in `metrics[].content.cvss_v4` as FIRST's CVSS 4.0 JSON
//!   (`version`, `vectorString`, `baseScore`, `baseSeverity`), the case's CVSS 3.1 vector
//!   beside it in `cvss_v3`, for the affected products (a fixed product's CVSS would have to be
//!   0, recommended test 6.2.19); with no affected product the 4.0 vector stays in a note as in
//!   2.0. `baseScore` is the score of the base metrics alone (CVSS-B), as the validator computes
//!   it (test 6.1.9 with FIRST's CVSS 4.0 JSON of 16 February 2024). The TC has since moved to
//!   FIRST's revision 2 of that schema, which drops `threatScore` and `environmentalScore`, and
//!   its editor reads `baseScore` as the vector's overall score (oasis-tcs/csaf#1174); the two
//!   readings differ only for a vector with threat or environmental metrics, and no
//!   `threatScore` is written, which revision 2 would refuse;
//! - the CWE in `cwes[]` with the CWE list version [`CWE_LIST_VERSION`]; the purl in `purls[]`;
//!   TLP `CLEAR` (TLP 2.0); `disclosure_date` for 2.0's `release_date`;
//! - unresponsive and never-contacted vendors' products `unknown` (not known and not being
//!   investigated), still named in the note;
//! - the profile: 2.1's Security Advisory requires known-affected products and, for each fixed
//!   product, its affected version (mandatory tests 6.1.27.12 and 6.1.27.13), which a case may
//!   not have — nobody affected yet, or a vendor who reported one product line fixed without
//!   the affected version (redline's reading of "corresponding": the same vendor and product
//!   line, [`ProductIdentifier::product_line`]). Such an advisory is written in the profile CSAF
//!   Base, 2.1's catch-all for documents no other profile fits, with a document note saying
//!   why. (Deprecated Security Advisory, CSAF 2.0's profile, is meant for converted documents,
//!   and the validator's test 6.1.26, still 2.0's, refuses its category.)
//! - a vendor's statement on a fixed product is a note on that product: 2.1 forbids a
//!   `vendor_fix` remediation for a fixed product (mandatory test 6.1.36). A statement on a
//!   product under investigation or unknown, which 2.0 leaves out, is such a note too (2.1's
//!   notes name their products).
//!
//! In both, the reporter is acknowledged unless anonymous, and keys are written in alphabetical
//! order (optional test 6.2.13 of 2.0, recommended 6.2.13 of 2.1). Every advisory of the test
//! corpus is checked in both versions by the BSI validator (`tests/csaf_validator.rs`).

use serde_json::{Map, Value, json};

use crate::product_identifier::ProductIdentifier;
use crate::workflow::{CaseState, ProductStatus};

/// The CWE list version a CSAF 2.1 advisory names for the case's CWE (`cwes[].version`, which
/// 2.1 requires). A case records a CWE's id and its catalogue name, not the list's version; 4.17
/// (3 April 2025) is the newest list the BSI validator knows, and mandatory test 6.1.11 checks
/// the id and name against it.
pub const CWE_LIST_VERSION: &str = "4.17";

/// Which CSAF version to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsafVersion {
    /// CSAF 2.0, OASIS Standard of 18 November 2022: the default.
    #[default]
    V2_0,
    /// CSAF 2.1 as the OASIS CSAF TC's committee specification drafts define it (not an OASIS
    /// Standard; see the module's notes on which text), as the BSI validator 2.0.10 checks it.
    V2_1,
}

impl CsafVersion {
    pub const ALL: [CsafVersion; 2] = [CsafVersion::V2_0, CsafVersion::V2_1];

    /// `2.0` or `2.1`, as `document.csaf_version` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            CsafVersion::V2_0 => "2.0",
            CsafVersion::V2_1 => "2.1",
        }
    }

    /// `2.0` or `2.1`; the error names the versions redline writes.
    pub fn parse(text: &str) -> Result<Self, String> {
        CsafVersion::ALL
            .into_iter()
            .find(|version| version.as_str() == text.trim())
            .ok_or_else(|| {
                format!("`{text}` is not a CSAF version redline writes: 2.0 (the default) or 2.1")
            })
    }
}

impl std::fmt::Display for CsafVersion {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// Who publishes the advisory: the coordinator's name and the node's public address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvisoryPublisher {
    pub name: String,
    /// An absolute `https://` (or `http://`) URL: the publisher's namespace.
    pub namespace: String,
}

/// One product as the advisory lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct AdvisoryProduct {
    pub product_id: String,
    pub vendor_name: String,
    pub product_name: String,
    pub identifier: ProductIdentifier,
    pub status: ProductStatus,
    pub statement: Option<String>,
}

/// The case's CVSS 4.0 vector with its scores.
#[derive(Debug, Clone, PartialEq)]
pub struct AdvisoryCvssV4 {
    /// In canonical order.
    pub vector: String,
    /// The vector's score, of every metric group it sets, its severity and the groups
    /// (`CVSS-B`, `CVSS-BT`, `CVSS-BE`, `CVSS-BTE`).
    pub score: f64,
    pub severity: &'static str,
    pub nomenclature: String,
    /// The base metrics' score (CVSS-B) and severity.
    pub base_score: f64,
    pub base_severity: &'static str,
}

/// What an advisory says, independent of the CSAF version.
#[derive(Debug, Clone, PartialEq)]
pub struct AdvisoryFacts {
    pub tracking_id: String,
    pub title: String,
    pub description: String,
    pub publisher: AdvisoryPublisher,
    pub initial_release: String,
    /// Each revision's date and summary, oldest first.
    pub revisions: Vec<(String, String)>,
    pub products: Vec<AdvisoryProduct>,
    pub cve: Option<String>,
    pub cwe: Option<(String, String)>,
    pub cvss_v4: AdvisoryCvssV4,
    /// The CVSS 3.1 base vector, its score and severity, when the case has one.
    pub cvss_v31: Option<(String, f64, &'static str)>,
    /// The reporter to acknowledge, unless anonymous.
    pub acknowledged_reporter: Option<String>,
    pub unresponsive_vendors: Vec<String>,
    pub never_contacted_vendors: Vec<String>,
}

impl AdvisoryFacts {
    /// The facts of a case's advisory. The advisory's first release is the embargo's end; a
    /// change recorded after it is a second revision.
    pub fn of_case(state: &CaseState, publisher: &AdvisoryPublisher) -> Self {
        let case = &state.case;
        let mut products = Vec::new();
        for (vendor, product) in case.products() {
            let key = (vendor.id.clone(), product.id.clone());
            let product_state = state.products.get(&key);
            products.push(AdvisoryProduct {
                product_id: format!("CSAFPID-{:04}", products.len() + 1),
                vendor_name: vendor.name.clone(),
                product_name: product.name.clone(),
                identifier: product.identifier.clone(),
                status: product_state.map_or(ProductStatus::NotContacted, |state| state.status),
                statement: product_state.and_then(|state| state.statement.clone()),
            });
        }
        let vendors_where = |wanted: ProductStatus| -> Vec<String> {
            case.vendors
                .iter()
                .filter(|vendor| {
                    vendor.products.iter().any(|product| {
                        state
                            .products
                            .get(&(vendor.id.clone(), product.id.clone()))
                            .is_some_and(|product| product.status == wanted)
                    })
                })
                .map(|vendor| vendor.name.clone())
                .collect()
        };
        let initial_release = state.embargo_end.to_string();
        let mut revisions = vec![(
            initial_release.clone(),
            "Initial public release at the end of the embargo.".to_string(),
        )];
        if state.updated_at > state.embargo_end {
            revisions.push((
                state.updated_at.to_string(),
                "Vendor statuses updated after publication.".to_string(),
            ));
        }
        let acknowledged_reporter = if case.reporter.anonymous_to_vendors {
            None
        } else {
            case.reporter.name.clone().or_else(|| {
                case.reporter
                    .party
                    .as_ref()
                    .map(|party| party.as_str().to_string())
            })
        };
        AdvisoryFacts {
            tracking_id: format!("REDLINE-CVD-{}", case.id),
            title: case.title.clone(),
            description: case.description.clone(),
            publisher: publisher.clone(),
            initial_release,
            revisions,
            products,
            cve: state.cve.as_ref().map(|cve| cve.as_str().to_string()),
            cwe: case
                .cwe
                .as_ref()
                .map(|cwe| (cwe.id.clone(), cwe.name.clone())),
            cvss_v4: AdvisoryCvssV4 {
                vector: case.cvss_v4.as_str().to_string(),
                score: case.cvss_v4.score(),
                severity: case.cvss_v4.severity(),
                nomenclature: case.cvss_v4.nomenclature(),
                base_score: case.cvss_v4.base_score(),
                base_severity: case.cvss_v4.base_severity(),
            },
            cvss_v31: case.cvss_v3.as_ref().map(|vector| {
                (
                    vector.as_str().to_string(),
                    vector.score(),
                    vector.severity(),
                )
            }),
            acknowledged_reporter,
            unresponsive_vendors: vendors_where(ProductStatus::Unresponsive),
            never_contacted_vendors: vendors_where(ProductStatus::NotContacted),
        }
    }

    /// The ids of the products whose status is one of `statuses`, in product order.
    pub fn product_ids_with(&self, statuses: &[ProductStatus]) -> Vec<String> {
        self.products
            .iter()
            .filter(|product| statuses.contains(&product.status))
            .map(|product| product.product_id.clone())
            .collect()
    }

    /// The fixed products no affected version of which the advisory lists: no affected product
    /// of the same vendor and product line (the identifier without its version).
    pub fn fixed_products_without_an_affected_version(&self) -> Vec<&AdvisoryProduct> {
        // Each line once (a purl's is parsed): a 400-product case stays linear.
        let affected_lines: std::collections::BTreeSet<(&str, String)> = self
            .products
            .iter()
            .filter(|product| product.status == ProductStatus::Affected)
            .map(|product| {
                (
                    product.vendor_name.as_str(),
                    product.identifier.product_line(),
                )
            })
            .collect();
        self.products
            .iter()
            .filter(|fixed| fixed.status == ProductStatus::Fixed)
            .filter(|fixed| {
                !affected_lines
                    .contains(&(fixed.vendor_name.as_str(), fixed.identifier.product_line()))
            })
            .collect()
    }

    /// The file name CSAF §5.1 gives the advisory: the lower-case tracking id with every run
    /// of other characters than `+`, `-`, `a-z`, `0-9` replaced by `_`, and `.json`.
    pub fn file_name(&self) -> String {
        csaf_file_name(&self.tracking_id)
    }
}

/// CSAF §5.1's file name for a tracking id.
pub fn csaf_file_name(tracking_id: &str) -> String {
    let mut name = String::new();
    let mut in_run = false;
    for character in tracking_id.to_lowercase().chars() {
        if character.is_ascii_lowercase()
            || character.is_ascii_digit()
            || matches!(character, '+' | '-')
        {
            name.push(character);
            in_run = false;
        } else if !in_run {
            name.push('_');
            in_run = true;
        }
    }
    name.push_str(".json");
    name
}

/// The advisory in `version`, keys sorted.
pub fn render_csaf(facts: &AdvisoryFacts, version: CsafVersion) -> Value {
    match version {
        CsafVersion::V2_0 => sort_keys(render_csaf_2_0(facts)),
        CsafVersion::V2_1 => sort_keys(render_csaf_2_1(facts)),
    }
}

/// `document` without its category and its version's spelling of the TLP label.
fn document_common(
    facts: &AdvisoryFacts,
    version: CsafVersion,
    tlp_label: &str,
) -> Map<String, Value> {
    let revision_history: Vec<Value> = facts
        .revisions
        .iter()
        .enumerate()
        .map(|(index, (date, summary))| json!({"date": date, "number": (index + 1).to_string(), "summary": summary}))
        .collect();
    let current_release = facts
        .revisions
        .last()
        .map_or(facts.initial_release.clone(), |(date, _)| date.clone());
    let self_url = format!(
        "{}/advisories/{}",
        facts.publisher.namespace.trim_end_matches('/'),
        facts.file_name()
    );
    let document = json!({
        "csaf_version": version.as_str(),
        "distribution": {"tlp": {"label": tlp_label, "url": "https://www.first.org/tlp/"}},
        "lang": "en",
        "publisher": {
            "category": "coordinator",
            "name": facts.publisher.name,
            "namespace": facts.publisher.namespace,
        },
        "references": [{"category": "self", "summary": "This advisory", "url": self_url}],
        "title": facts.title,
        "tracking": {
            "current_release_date": current_release,
            "generator": {"engine": {"name": "redline"}},
            "id": facts.tracking_id,
            "initial_release_date": facts.initial_release,
            "revision_history": revision_history,
            "status": "final",
            "version": facts.revisions.len().to_string(),
        },
    });
    match document {
        Value::Object(document) => document,
        _ => Map::new(),
    }
}

/// The product tree: vendor → product name → the product, identified by `helper`.
fn product_tree(facts: &AdvisoryFacts, helper: impl Fn(&ProductIdentifier) -> Value) -> Value {
    let mut vendor_branches: Vec<(String, Vec<Value>)> = Vec::new();
    for product in &facts.products {
        let leaf = json!({
            "category": "product_name",
            "name": product.product_name,
            "product": {
                "name": format!("{} {}", product.vendor_name, product.product_name),
                "product_id": product.product_id,
                "product_identification_helper": helper(&product.identifier),
            },
        });
        match vendor_branches
            .iter_mut()
            .find(|(vendor, _)| vendor == &product.vendor_name)
        {
            Some((_, leaves)) => leaves.push(leaf),
            None => vendor_branches.push((product.vendor_name.clone(), vec![leaf])),
        }
    }
    let branches: Vec<Value> = vendor_branches
        .into_iter()
        .map(|(vendor, leaves)| json!({"category": "vendor", "name": vendor, "branches": leaves}))
        .collect();
    json!({"branches": branches})
}

/// `product_status`: each CSAF status with the products of the case's statuses it stands for.
fn product_status(facts: &AdvisoryFacts, mapping: &[(&str, &[ProductStatus])]) -> Value {
    let mut product_status = Map::new();
    for (field, statuses) in mapping {
        let ids = facts.product_ids_with(statuses);
        if !ids.is_empty() {
            product_status.insert((*field).to_string(), json!(ids));
        }
    }
    Value::Object(product_status)
}

/// The note naming the vendors whose products have no status; `opening` says under which
/// status they are listed ("Products listed as … include those of").
fn vendors_without_a_status_note(facts: &AdvisoryFacts, opening: &str) -> Option<Value> {
    let mut status_words = Vec::new();
    if !facts.unresponsive_vendors.is_empty() {
        status_words.push(format!(
            "did not answer the coordinator by the deadline (status unknown): {}",
            facts.unresponsive_vendors.join(", ")
        ));
    }
    if !facts.never_contacted_vendors.is_empty() {
        status_words.push(format!(
            "were never contacted (status unknown): {}",
            facts.never_contacted_vendors.join(", ")
        ));
    }
    (!status_words.is_empty()).then(|| {
        json!({
            "category": "details",
            "title": "Vendors without a status",
            "text": format!("{opening} vendors who {}.", status_words.join("; and vendors who")),
        })
    })
}

/// The vulnerability's fields every version spells the same way.
fn vulnerability_common(facts: &AdvisoryFacts) -> Map<String, Value> {
    let mut vulnerability = Map::new();
    vulnerability.insert("title".into(), json!(facts.title));
    if let Some(cve) = &facts.cve {
        vulnerability.insert("cve".into(), json!(cve));
    }
    if let Some(reporter) = &facts.acknowledged_reporter {
        vulnerability.insert(
            "acknowledgments".into(),
            json!([{"names": [reporter], "summary": "reported the vulnerability"}]),
        );
    }
    vulnerability
}

/// What the vendors said per product: remediations (a mitigation for an affected product, a
/// vendor fix for a fixed one where the version allows it, "none available" for a product
/// without a fix or mitigation), threats (why a product is not affected), and the statements
/// left over, for notes.
struct VendorStatements {
    remediations: Vec<Value>,
    threats: Vec<Value>,
    /// Statements no remediation or threat carries: (product id, product name, statement).
    left_over: Vec<(String, String, String)>,
}

fn vendor_statements(facts: &AdvisoryFacts, version: CsafVersion) -> VendorStatements {
    let mut remediations = Vec::new();
    let mut threats = Vec::new();
    let mut left_over = Vec::new();
    let mut without_fix = Vec::new();
    for product in &facts.products {
        let Some(statement) = &product.statement else {
            if !matches!(
                product.status,
                ProductStatus::Fixed | ProductStatus::NotAffected
            ) {
                without_fix.push(product.product_id.clone());
            }
            continue;
        };
        let product_name = format!("{} {}", product.vendor_name, product.product_name);
        match (product.status, version) {
            (ProductStatus::Fixed, CsafVersion::V2_0) => remediations.push(json!({"category": "vendor_fix", "details": statement, "product_ids": [product.product_id]})),
            // CSAF 2.1 forbids a vendor fix for a product that is fixed (mandatory test 6.1.36).
            (ProductStatus::Fixed, CsafVersion::V2_1) => {
                left_over.push((product.product_id.clone(), product_name, statement.clone()));
            }
            (ProductStatus::Affected, _) => remediations.push(json!({"category": "mitigation", "details": statement, "product_ids": [product.product_id]})),
            (ProductStatus::UnderInvestigation | ProductStatus::Unresponsive | ProductStatus::NotContacted, version) => {
                without_fix.push(product.product_id.clone());
                if version == CsafVersion::V2_1 {
                    left_over.push((product.product_id.clone(), product_name, statement.clone()));
                }
            }
            (ProductStatus::NotAffected, _) => threats.push(json!({"category": "impact", "details": statement, "product_ids": [product.product_id]})),
        }
    }
    if !without_fix.is_empty() {
        remediations.push(json!({
            "category": "none_available",
            "details": "No fix or mitigation has been stated for these products.",
            "product_ids": without_fix,
        }));
    }
    VendorStatements {
        remediations,
        threats,
        left_over,
    }
}

fn render_csaf_2_0(facts: &AdvisoryFacts) -> Value {
    let mut document = document_common(facts, CsafVersion::V2_0, "WHITE");
    document.insert("category".into(), json!("csaf_security_advisory"));

    let cvss_v4 = &facts.cvss_v4;
    let mut notes = vec![
        json!({"category": "description", "title": "Description", "text": facts.description}),
        json!({
            "category": "other",
            "title": "CVSS v4.0",
            "text": format!("{} (score {:.1}, {}, {}). CSAF 2.0 has no field for CVSS 4.0; the vector is given here.", cvss_v4.vector, cvss_v4.score, cvss_v4.severity, cvss_v4.nomenclature),
        }),
    ];
    notes.extend(vendors_without_a_status_note(
        facts,
        "Products listed as under investigation include those of",
    ));

    let mut vulnerability = vulnerability_common(facts);
    vulnerability.insert("notes".into(), json!(notes));
    vulnerability.insert(
        "product_status".into(),
        product_status(
            facts,
            &[
                ("known_affected", &[ProductStatus::Affected]),
                ("known_not_affected", &[ProductStatus::NotAffected]),
                ("fixed", &[ProductStatus::Fixed]),
                (
                    "under_investigation",
                    &[
                        ProductStatus::UnderInvestigation,
                        ProductStatus::Unresponsive,
                        ProductStatus::NotContacted,
                    ],
                ),
            ],
        ),
    );
    vulnerability.insert("release_date".into(), json!(facts.initial_release));
    if let Some((id, name)) = &facts.cwe {
        vulnerability.insert("cwe".into(), json!({"id": id, "name": name}));
    }
    let affected = facts.product_ids_with(&[ProductStatus::Affected]);
    if let Some((vector, score, severity)) = &facts.cvss_v31
        && !affected.is_empty()
    {
        vulnerability.insert(
            "scores".into(),
            json!([{
                "products": affected,
                "cvss_v3": {"version": "3.1", "vectorString": vector, "baseScore": score, "baseSeverity": severity},
            }]),
        );
    }
    let statements = vendor_statements(facts, CsafVersion::V2_0);
    if !statements.remediations.is_empty() {
        vulnerability.insert("remediations".into(), json!(statements.remediations));
    }
    if !statements.threats.is_empty() {
        vulnerability.insert("threats".into(), json!(statements.threats));
    }

    json!({
        "document": Value::Object(document),
        "product_tree": product_tree(facts, |identifier| match identifier {
            ProductIdentifier::Purl(purl) => json!({"purl": purl.as_str()}),
            ProductIdentifier::Cpe(cpe) => json!({"cpe": cpe.as_str()}),
        }),
        "vulnerabilities": [Value::Object(vulnerability)],
    })
}

fn render_csaf_2_1(facts: &AdvisoryFacts) -> Value {
    let affected = facts.product_ids_with(&[ProductStatus::Affected]);
    let fixed_without_an_affected_version = facts.fixed_products_without_an_affected_version();

    let mut document = document_common(facts, CsafVersion::V2_1, "CLEAR");
    // The profile Security Advisory needs known-affected products and, for each fixed product,
    // its affected version (mandatory tests 6.1.27.12 and 6.1.27.13); an advisory without them
    // meets the profile CSAF Base, the catch-all for documents no other profile fits.
    let mut reasons = Vec::new();
    if affected.is_empty() {
        reasons.push("no product is known to be affected".to_string());
    }
    if !fixed_without_an_affected_version.is_empty() {
        let names: Vec<String> = fixed_without_an_affected_version
            .iter()
            .map(|product| format!("{} {}", product.vendor_name, product.product_name))
            .collect();
        reasons.push(format!(
            "no affected version is listed of {}, which {} fixed",
            names.join(", "),
            if names.len() == 1 { "is" } else { "are" }
        ));
    }
    if reasons.is_empty() {
        document.insert("category".into(), json!("csaf_security_advisory"));
    } else {
        document.insert("category".into(), json!("csaf_base"));
        document.insert(
            "notes".into(),
            json!([{
                "category": "general",
                "title": "Profile",
                "text": format!("This advisory uses the CSAF profile CSAF Base, as the CSAF 2.1 profile Security Advisory requires known-affected products and an affected version of each fixed product: {}.", reasons.join("; ")),
            }]),
        );
    }

    let cvss_v4 = &facts.cvss_v4;
    let mut notes =
        vec![json!({"category": "description", "title": "Description", "text": facts.description})];
    if affected.is_empty() {
        notes.push(json!({
            "category": "other",
            "title": "CVSS v4.0",
            "text": format!("{} (score {:.1}, {}, {}). No product is known to be affected, so no metric gives it.", cvss_v4.vector, cvss_v4.score, cvss_v4.severity, cvss_v4.nomenclature),
        }));
    }
    notes.extend(vendors_without_a_status_note(
        facts,
        "Products listed as unknown are those of",
    ));
    let statements = vendor_statements(facts, CsafVersion::V2_1);
    for (product_id, product_name, statement) in &statements.left_over {
        notes.push(json!({
            "category": "details",
            "title": format!("Statement on {product_name}"),
            "text": statement,
            "product_ids": [product_id],
        }));
    }

    let mut vulnerability = vulnerability_common(facts);
    vulnerability.insert("notes".into(), json!(notes));
    vulnerability.insert(
        "product_status".into(),
        product_status(
            facts,
            &[
                ("known_affected", &[ProductStatus::Affected]),
                ("known_not_affected", &[ProductStatus::NotAffected]),
                ("fixed", &[ProductStatus::Fixed]),
                ("under_investigation", &[ProductStatus::UnderInvestigation]),
                (
                    "unknown",
                    &[ProductStatus::Unresponsive, ProductStatus::NotContacted],
                ),
            ],
        ),
    );
    vulnerability.insert("disclosure_date".into(), json!(facts.initial_release));
    if let Some((id, name)) = &facts.cwe {
        vulnerability.insert(
            "cwes".into(),
            json!([{"id": id, "name": name, "version": CWE_LIST_VERSION}]),
        );
    }
    if !affected.is_empty() {
        let mut content = Map::new();
        content.insert(
            "cvss_v4".into(),
            json!({
                "version": "4.0",
                "vectorString": cvss_v4.vector,
                "baseScore": cvss_v4.base_score,
                "baseSeverity": cvss_v4.base_severity,
            }),
        );
        if let Some((vector, score, severity)) = &facts.cvss_v31 {
            content.insert(
                "cvss_v3".into(),
                json!({"version": "3.1", "vectorString": vector, "baseScore": score, "baseSeverity": severity}),
            );
        }
        vulnerability.insert(
            "metrics".into(),
            json!([{"content": Value::Object(content), "products": affected}]),
        );
    }
    if !statements.remediations.is_empty() {
        vulnerability.insert("remediations".into(), json!(statements.remediations));
    }
    if !statements.threats.is_empty() {
        vulnerability.insert("threats".into(), json!(statements.threats));
    }

    json!({
        "$schema": "https://docs.oasis-open.org/csaf/csaf/v2.1/schema/csaf.json",
        "document": Value::Object(document),
        "product_tree": product_tree(facts, |identifier| match identifier {
            ProductIdentifier::Purl(purl) => json!({"purls": [purl.as_str()]}),
            ProductIdentifier::Cpe(cpe) => json!({"cpe": cpe.as_str()}),
        }),
        "vulnerabilities": [Value::Object(vulnerability)],
    })
}

/// The same JSON with every object's keys in alphabetical order.
pub fn sort_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|left, right| left.0.cmp(&right.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(key, value)| (key, sort_keys(value)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sort_keys).collect()),
        other => other,
    }
}
