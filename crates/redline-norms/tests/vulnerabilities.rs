#![allow(clippy::unwrap_used)]
//! GGE 2015 norm 13(j): the finding `norm.13j-vulnerabilities` fires when the report names an
//! exploited vulnerability — by its CVE id, by a coordinated-disclosure case, or both — or shows
//! an ATT&CK exploitation technique, in every shipped document; and not without any of them.

use redline_model::{Timestamp, parse_incident_report};
use redline_norms::{NormsDocument, SHIPPED_DOCUMENTS, assess};

const CASE: &str = "0b9e8f4c-3f1e-4a3b-9c55-2d6f7a8b9c01";

/// A report of data theft from a ministry with `extra` fields (JSON members, comma-led).
fn report(extra: &str) -> redline_model::IncidentReport {
    let json = format!(
        r#"{{"title":"Mail server breached","reported_by":"EE","victim":"EE",
            "first_observed":"2026-10-01T00:00:00Z","status":"confirmed","tlp":"amber",
            "targets":[{{"sector":"government-national","country":"EE"}}],
            "effects":[{{"kind":"data-theft","scale":"national"}}]{extra}}}"#
    );
    parse_incident_report(
        json.as_bytes(),
        Timestamp::parse("2026-11-22T00:00:00Z").unwrap(),
    )
    .unwrap()
}

/// Whether 13(j) is engaged, and by the 13(j) rule, for `extra` under `document`.
fn engages_13j(document: &NormsDocument, extra: &str) -> bool {
    let assessment = assess(&report(extra), document);
    let fired = assessment
        .trace
        .iter()
        .any(|entry| entry.rule.to_string() == "norm.13j-vulnerabilities" && entry.fired);
    let engaged = assessment.gge_norms.iter().any(|norm| {
        norm.norm == "13(j)"
            && norm
                .by
                .iter()
                .any(|rule| rule == "norm.13j-vulnerabilities")
    });
    assert_eq!(fired, engaged, "{}: {extra}", document.id);
    fired
}

#[test]
fn the_13j_finding_fires_on_a_named_vulnerability_or_an_exploitation_technique() {
    let cve_only = r#","exploited_vulnerabilities":[{"cve":"CVE-2024-3400"}]"#.to_string();
    let case_only = format!(r#","exploited_vulnerabilities":[{{"case":"{CASE}"}}]"#);
    let both =
        format!(r#","exploited_vulnerabilities":[{{"cve":"CVE-2024-3400","case":"{CASE}"}}]"#);
    let technique_only = r#","techniques":["T1190"]"#.to_string();
    let other_technique = r#","techniques":["T1566.001"]"#.to_string();
    let table: [(&str, &str, bool); 6] = [
        ("a CVE id only", &cve_only, true),
        ("a disclosure case only", &case_only, true),
        ("a CVE id and its case", &both, true),
        ("an exploitation technique only", &technique_only, true),
        ("a technique that exploits nothing", &other_technique, false),
        ("nothing", "", false),
    ];
    for shipped in SHIPPED_DOCUMENTS {
        let document = NormsDocument::parse(shipped.text, shipped.file_name).unwrap();
        for (what, extra, expected) in table {
            assert_eq!(
                engages_13j(&document, extra),
                expected,
                "{}: {what}",
                shipped.name
            );
        }
    }
}

#[test]
fn conditions_can_name_the_vulnerabilities_entry_by_entry_and_as_a_list() {
    let document = |when: &str| {
        let text = redline_norms::baseline().replace(
            "when = \"exploited_vulnerabilities.size() > 0 || report.techniques",
            &format!("when = \"{when} || report.techniques"),
        );
        NormsDocument::parse(&text, "test.toml").unwrap_or_else(|errors| panic!("{errors}"))
    };
    let case_named = document(&format!("\\\"{CASE}\\\" in exploited_vulnerabilities"));
    let cve_of_2024 =
        document("report.exploited_vulnerabilities.exists(v, v.cve.startsWith(\\\"CVE-2024-\\\"))");
    let with_case = format!(r#","exploited_vulnerabilities":[{{"case":"{CASE}"}}]"#);
    let with_cve = r#","exploited_vulnerabilities":[{"cve":"CVE-2024-3400"}]"#;
    let with_old_cve = r#","exploited_vulnerabilities":[{"cve":"CVE-2017-0144"}]"#;
    assert!(engages_13j(&case_named, &with_case));
    assert!(!engages_13j(&case_named, with_cve));
    assert!(engages_13j(&cve_of_2024, with_cve));
    assert!(!engages_13j(&cve_of_2024, with_old_cve));
    assert!(!engages_13j(&cve_of_2024, &with_case));
}

#[test]
fn a_misspelt_vulnerability_field_is_a_load_error() {
    let text = redline_norms::baseline().replace(
        "when = \"exploited_vulnerabilities.size() > 0",
        "when = \"report.exploited_vulnerabilities.exists(v, v.cwe != \\\"\\\")",
    );
    let errors = NormsDocument::parse(&text, "test.toml").unwrap_err();
    assert!(
        errors
            .to_string()
            .contains("no field `cwe` here: expected one of cve, case"),
        "{errors}"
    );
}
