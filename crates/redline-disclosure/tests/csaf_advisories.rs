//! The CSAF advisories of the corpus in both versions, without the external validator (that is
//! `csaf_validator.rs`): CSAF 2.0 and 2.1 say the same things, read once from the case; 2.1
//! carries the CVSS 4.0 vector and base score natively, CVSS 3.1 beside it, the CWE in
//! `cwes[]`, purls in `purls[]`; a case the 2.1 profile Security Advisory cannot describe is
//! written as CSAF Base; and two 2.1 advisories as reviewed (insta snapshots).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;

use redline_disclosure::{
    AdvisoryFacts, AdvisoryPublisher, CWE_LIST_VERSION, CaseState, CsafVersion, ProductIdentifier,
    ProductStatus, render_csaf,
};
use serde_json::Value;

fn publisher() -> AdvisoryPublisher {
    AdvisoryPublisher {
        name: "CERT-EU".into(),
        namespace: "https://redline.example.org".into(),
    }
}

fn render(state: &CaseState, version: CsafVersion) -> Value {
    render_csaf(&AdvisoryFacts::of_case(state, &publisher()), version)
}

/// The product ids a vulnerability lists under each of `fields`.
fn listed(advisory: &Value, fields: &[&str]) -> BTreeSet<String> {
    fields
        .iter()
        .flat_map(|field| {
            advisory["vulnerabilities"][0]["product_status"][field]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|id| id.as_str().unwrap().to_string())
        .collect()
}

/// Every `product` of the product tree: (id, name, identification helper).
fn products(advisory: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    for vendor in advisory["product_tree"]["branches"].as_array().unwrap() {
        for leaf in vendor["branches"].as_array().unwrap() {
            let product = &leaf["product"];
            found.push((
                product["product_id"].as_str().unwrap().to_string(),
                product["name"].as_str().unwrap().to_string(),
                product["product_identification_helper"].clone(),
            ));
        }
    }
    found
}

#[test]
fn csaf_2_0_and_2_1_say_the_same_of_every_corpus_case() {
    for state in support::corpus() {
        let old = render(&state, CsafVersion::V2_0);
        let new = render(&state, CsafVersion::V2_1);
        let case = &state.case;
        assert_eq!(old["document"]["csaf_version"], "2.0");
        assert_eq!(new["document"]["csaf_version"], "2.1");
        assert_eq!(
            new["$schema"],
            "https://docs.oasis-open.org/csaf/csaf/v2.1/schema/csaf.json"
        );
        assert_eq!(new["document"]["distribution"]["tlp"]["label"], "CLEAR");
        for field in ["title", "tracking", "publisher", "references", "lang"] {
            assert_eq!(old["document"][field], new["document"][field], "{field}");
        }
        for field in ["title", "cve", "acknowledgments"] {
            assert_eq!(
                old["vulnerabilities"][0][field], new["vulnerabilities"][0][field],
                "{field}"
            );
        }
        assert_eq!(
            old["vulnerabilities"][0]["release_date"],
            new["vulnerabilities"][0]["disclosure_date"]
        );

        // The same products with the same ids, a purl in purls[] and a CPE as it was.
        let old_products = products(&old);
        let new_products = products(&new);
        assert_eq!(old_products.len(), case.products().count());
        for ((old_id, old_name, old_helper), (new_id, new_name, new_helper)) in
            old_products.iter().zip(&new_products)
        {
            assert_eq!((old_id, old_name), (new_id, new_name));
            match (&old_helper["purl"], &old_helper["cpe"]) {
                (Value::String(purl), _) => {
                    assert_eq!(new_helper, &serde_json::json!({"purls": [purl]}))
                }
                (_, Value::String(_)) => assert_eq!(new_helper, old_helper),
                _ => panic!("a product without an identifier: {old_helper}"),
            }
        }

        // The same statuses; 2.1 tells "unknown" (unresponsive, never contacted) from "under
        // investigation", which 2.0 lists together.
        for field in ["known_affected", "known_not_affected", "fixed"] {
            assert_eq!(listed(&old, &[field]), listed(&new, &[field]), "{field}");
        }
        assert_eq!(
            listed(&old, &["under_investigation"]),
            listed(&new, &["under_investigation", "unknown"])
        );
        let facts = AdvisoryFacts::of_case(&state, &publisher());
        let ids_of = |statuses: &[ProductStatus]| -> BTreeSet<String> {
            facts.product_ids_with(statuses).into_iter().collect()
        };
        assert_eq!(
            listed(&new, &["unknown"]),
            ids_of(&[ProductStatus::Unresponsive, ProductStatus::NotContacted])
        );

        // CSAF 2.1 carries the CVSS 4.0 vector and its base score for the affected products,
        // and the CVSS 3.1 vector beside it; 2.0 only CVSS 3.1, the 4.0 vector in a note.
        let affected = listed(&new, &["known_affected"]);
        let metrics = &new["vulnerabilities"][0]["metrics"];
        let v4_note = |advisory: &Value| {
            advisory["vulnerabilities"][0]["notes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|note| note["title"] == "CVSS v4.0")
        };
        assert!(v4_note(&old));
        if affected.is_empty() {
            assert!(metrics.is_null(), "{metrics}");
            assert!(v4_note(&new), "with no metric the vector is in a note");
        } else {
            assert!(!v4_note(&new));
            assert_eq!(metrics.as_array().unwrap().len(), 1);
            let listed_products: BTreeSet<String> = metrics[0]["products"]
                .as_array()
                .unwrap()
                .iter()
                .map(|id| id.as_str().unwrap().to_string())
                .collect();
            assert_eq!(listed_products, affected);
            let v4 = &metrics[0]["content"]["cvss_v4"];
            assert_eq!(
                v4,
                &serde_json::json!({
                    "version": "4.0",
                    "vectorString": case.cvss_v4.as_str(),
                    "baseScore": case.cvss_v4.base_score(),
                    "baseSeverity": case.cvss_v4.base_severity(),
                })
            );
            match &case.cvss_v3 {
                Some(vector) => assert_eq!(
                    metrics[0]["content"]["cvss_v3"],
                    serde_json::json!({
                        "version": "3.1",
                        "vectorString": vector.as_str(),
                        "baseScore": vector.score(),
                        "baseSeverity": vector.severity(),
                    })
                ),
                None => assert!(metrics[0]["content"]["cvss_v3"].is_null()),
            }
            assert_eq!(
                old["vulnerabilities"][0]["scores"][0]["cvss_v3"],
                metrics[0]["content"]["cvss_v3"]
            );
        }

        // The CWE: 2.0's cwe, 2.1's cwes[] with the CWE list version.
        match &case.cwe {
            Some(cwe) => {
                assert_eq!(
                    old["vulnerabilities"][0]["cwe"],
                    serde_json::json!({"id": cwe.id, "name": cwe.name})
                );
                assert_eq!(
                    new["vulnerabilities"][0]["cwes"],
                    serde_json::json!([{"id": cwe.id, "name": cwe.name, "version": CWE_LIST_VERSION}])
                );
            }
            None => assert!(new["vulnerabilities"][0]["cwes"].is_null()),
        }

        // No CSAF 2.0 field in 2.1, and no vendor fix for a fixed product (test 6.1.36).
        let text = new.to_string();
        for field in ["\"scores\"", "\"release_date\"", "\"purl\"", "\"cwe\""] {
            assert!(!text.contains(field), "{field} in CSAF 2.1");
        }
        let fixed = listed(&new, &["fixed"]);
        for remediation in new["vulnerabilities"][0]["remediations"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            if remediation["category"] == "vendor_fix" {
                for id in remediation["product_ids"].as_array().unwrap() {
                    assert!(!fixed.contains(id.as_str().unwrap()));
                }
            }
        }
    }
}

#[test]
fn a_case_the_security_advisory_profile_cannot_describe_is_written_as_csaf_base() {
    let mut profiles = Vec::new();
    for state in support::corpus() {
        let facts = AdvisoryFacts::of_case(&state, &publisher());
        let advisory = render_csaf(&facts, CsafVersion::V2_1);
        let has_affected = !facts
            .product_ids_with(&[ProductStatus::Affected])
            .is_empty();
        let fixed_alone = facts.fixed_products_without_an_affected_version();
        let category = advisory["document"]["category"].as_str().unwrap();
        if has_affected && fixed_alone.is_empty() {
            assert_eq!(category, "csaf_security_advisory");
            assert!(advisory["document"]["notes"].is_null());
        } else {
            assert_eq!(category, "csaf_base");
            let note = &advisory["document"]["notes"][0];
            assert_eq!(note["title"], "Profile");
            let text = note["text"].as_str().unwrap();
            assert_eq!(
                text.contains("no product is known to be affected"),
                !has_affected
            );
            for product in &fixed_alone {
                assert!(text.contains(&product.product_name), "{text}");
            }
        }
        // CSAF 2.0 has the one profile for all of them.
        assert_eq!(
            render_csaf(&facts, CsafVersion::V2_0)["document"]["category"],
            "csaf_security_advisory"
        );
        profiles.push(category.to_string());
    }
    // The corpus has both kinds.
    assert!(
        profiles
            .iter()
            .any(|profile| profile == "csaf_security_advisory")
    );
    assert!(profiles.iter().any(|profile| profile == "csaf_base"));

    // A vendor's fixed version next to its affected one is a corresponding pair; a fixed
    // product of another line is not.
    let corpus = support::corpus();
    let gateway = AdvisoryFacts::of_case(&corpus[1], &publisher());
    assert!(
        gateway
            .fixed_products_without_an_affected_version()
            .is_empty()
    );
    let five_vendors = AdvisoryFacts::of_case(&corpus[6], &publisher());
    let alone: Vec<&ProductIdentifier> = five_vendors
        .fixed_products_without_an_affected_version()
        .iter()
        .map(|product| &product.identifier)
        .collect();
    assert_eq!(alone.len(), 1);
    assert_eq!(alone[0].as_str(), "pkg:deb/debian/openssl@3.0.11");
}

#[test]
fn the_csaf_version_is_read_from_its_number() {
    assert_eq!(CsafVersion::default(), CsafVersion::V2_0);
    assert_eq!(CsafVersion::parse("2.0"), Ok(CsafVersion::V2_0));
    assert_eq!(CsafVersion::parse("2.1"), Ok(CsafVersion::V2_1));
    assert_eq!(CsafVersion::parse(" 2.1 "), Ok(CsafVersion::V2_1));
    for wrong in ["3", "2", "2.10", "v2.1", ""] {
        let message = CsafVersion::parse(wrong).expect_err(wrong);
        assert!(
            message.contains(&format!("`{wrong}`"))
                && message.contains("2.0")
                && message.contains("2.1"),
            "{message}"
        );
    }
    for version in CsafVersion::ALL {
        assert_eq!(CsafVersion::parse(version.as_str()), Ok(version));
        assert_eq!(version.to_string(), version.as_str());
    }
}

/// The third case: two vendors, a purl and a CPE, one affected, one unresponsive; CVSS 4.0
/// and CWE-787 without CVSS 3.1.
#[test]
fn the_csaf_2_1_advisory_of_a_case_with_an_unresponsive_vendor_is_as_reviewed() {
    let corpus = support::corpus();
    insta::assert_json_snapshot!(
        "csaf_2_1_unresponsive_vendor",
        render(&corpus[2], CsafVersion::V2_1)
    );
}

/// The eleventh case: one vendor, three CPE-named versions (affected, fixed with a statement,
/// not affected); CVSS 4.0 and 3.1, CWE-306.
#[test]
fn the_csaf_2_1_advisory_of_a_case_with_a_fixed_version_is_as_reviewed() {
    let corpus = support::corpus();
    insta::assert_json_snapshot!(
        "csaf_2_1_fixed_version",
        render(&corpus[10], CsafVersion::V2_1)
    );
}
