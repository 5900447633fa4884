//! The public security advisory of a case in CSAF.
//!
//! Two stages, so another CSAF version is one more renderer: [`AdvisoryFacts::of_case`] takes
//! what an advisory says from a case (products with their ids and identifiers, statuses,
//! scores, notes) without any CSAF spelling, and [`render_csaf`] writes them in a
//! [`CsafVersion`]. Only CSAF 2.0 (OASIS Standard, 2022) is written today. CSAF 2.0 has no
//! place for a CVSS 4.0 score (`scores[]` holds `cvss_v2` and `cvss_v3`, and the strict schema
//! refuses anything else), so the 4.0 vector goes in a vulnerability note and the case's CVSS
//! 3.1 vector, when it has one, in `scores[]`; CSAF 2.1 (a committee draft) would put the 4.0
//! vector in `metrics[].content.cvss_v4`, `purl` into `purls[]` and `cwe` into `cwes[]` from
//! the same facts.
//!
//! Statuses: affected → `known_affected`, not affected → `known_not_affected`, fixed →
//! `fixed`; under investigation, unresponsive and not contacted → `under_investigation`
//! (CSAF 2.0 has no "unknown"), with a note naming the unresponsive and never-contacted
//! vendors so a reader can tell them apart. The reporter is acknowledged unless anonymous.
//! Keys are written in alphabetical order (optional test 6.2.13). The advisory is checked in CI
//! by the BSI validator (`tests/csaf_validator.rs`).

use serde_json::{Map, Value, json};

use crate::product_identifier::ProductIdentifier;
use crate::workflow::{CaseState, ProductStatus};

/// Which CSAF version to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsafVersion {
    /// CSAF 2.0, OASIS Standard of 18 November 2022.
    V2_0,
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
    pub cvss_v4: (String, f64, &'static str, String),
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
            cvss_v4: (
                case.cvss_v4.as_str().to_string(),
                case.cvss_v4.score(),
                case.cvss_v4.severity(),
                case.cvss_v4.nomenclature(),
            ),
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
    }
}

fn render_csaf_2_0(facts: &AdvisoryFacts) -> Value {
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
        "category": "csaf_security_advisory",
        "csaf_version": "2.0",
        "distribution": {"tlp": {"label": "WHITE", "url": "https://www.first.org/tlp/"}},
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

    // vendor → product_name → the product.
    let mut vendor_branches: Vec<(String, Vec<Value>)> = Vec::new();
    for product in &facts.products {
        let helper = match &product.identifier {
            ProductIdentifier::Purl(purl) => json!({"purl": purl.as_str()}),
            ProductIdentifier::Cpe(cpe) => json!({"cpe": cpe.as_str()}),
        };
        let leaf = json!({
            "category": "product_name",
            "name": product.product_name,
            "product": {
                "name": format!("{} {}", product.vendor_name, product.product_name),
                "product_id": product.product_id,
                "product_identification_helper": helper,
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

    let ids_with = |statuses: &[ProductStatus]| -> Vec<String> {
        facts
            .products
            .iter()
            .filter(|product| statuses.contains(&product.status))
            .map(|product| product.product_id.clone())
            .collect()
    };
    let mut product_status = Map::new();
    for (field, statuses) in [
        ("known_affected", vec![ProductStatus::Affected]),
        ("known_not_affected", vec![ProductStatus::NotAffected]),
        ("fixed", vec![ProductStatus::Fixed]),
        (
            "under_investigation",
            vec![
                ProductStatus::UnderInvestigation,
                ProductStatus::Unresponsive,
                ProductStatus::NotContacted,
            ],
        ),
    ] {
        let ids = ids_with(&statuses);
        if !ids.is_empty() {
            product_status.insert(field.to_string(), json!(ids));
        }
    }

    let (v4_vector, v4_score, v4_severity, v4_nomenclature) = &facts.cvss_v4;
    let mut notes = vec![
        json!({"category": "description", "title": "Description", "text": facts.description}),
        json!({
            "category": "other",
            "title": "CVSS v4.0",
            "text": format!("{v4_vector} (score {v4_score:.1}, {v4_severity}, {v4_nomenclature}). CSAF 2.0 has no field for CVSS 4.0; the vector is given here."),
        }),
    ];
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
    if !status_words.is_empty() {
        notes.push(json!({
            "category": "details",
            "title": "Vendors without a status",
            "text": format!("Products listed as under investigation include those of vendors who {}.", status_words.join("; and vendors who")),
        }));
    }

    let mut vulnerability = Map::new();
    vulnerability.insert("title".into(), json!(facts.title));
    vulnerability.insert("notes".into(), json!(notes));
    vulnerability.insert("product_status".into(), Value::Object(product_status));
    vulnerability.insert("release_date".into(), json!(facts.initial_release));
    if let Some(cve) = &facts.cve {
        vulnerability.insert("cve".into(), json!(cve));
    }
    if let Some((id, name)) = &facts.cwe {
        vulnerability.insert("cwe".into(), json!({"id": id, "name": name}));
    }
    if let Some(reporter) = &facts.acknowledged_reporter {
        vulnerability.insert(
            "acknowledgments".into(),
            json!([{"names": [reporter], "summary": "reported the vulnerability"}]),
        );
    }
    let affected = ids_with(&[ProductStatus::Affected]);
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
    let mut remediations = Vec::new();
    let mut threats = Vec::new();
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
        match product.status {
            ProductStatus::Fixed => remediations.push(json!({"category": "vendor_fix", "details": statement, "product_ids": [product.product_id]})),
            ProductStatus::Affected => remediations.push(json!({"category": "mitigation", "details": statement, "product_ids": [product.product_id]})),
            ProductStatus::UnderInvestigation | ProductStatus::Unresponsive | ProductStatus::NotContacted => {
                without_fix.push(product.product_id.clone());
            }
            ProductStatus::NotAffected => threats.push(json!({"category": "impact", "details": statement, "product_ids": [product.product_id]})),
        }
    }
    if !without_fix.is_empty() {
        remediations.push(json!({
            "category": "none_available",
            "details": "No fix or mitigation has been stated for these products.",
            "product_ids": without_fix,
        }));
    }
    if !remediations.is_empty() {
        vulnerability.insert("remediations".into(), json!(remediations));
    }
    if !threats.is_empty() {
        vulnerability.insert("threats".into(), json!(threats));
    }

    json!({
        "document": document,
        "product_tree": {"branches": branches},
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
