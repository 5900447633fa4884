#![allow(clippy::unwrap_used)]
//! GGE 2015 norm 13(k): harming an authorised emergency response team crosses a red line in
//! every shipped document; espionage alone against one does not.

use redline_model::{Timestamp, parse_incident_report};
use redline_norms::{NormsDocument, SHIPPED_DOCUMENTS, assess};

fn report(effect: &str, cert: bool) -> redline_model::IncidentReport {
    let json = format!(
        r#"{{"title":"National CERT wiped","reported_by":"EE","victim":"EE",
            "first_observed":"2026-10-01T00:00:00Z","status":"confirmed","tlp":"clear",
            "targets":[{{"sector":"government-national","country":"EE","cert":{cert}}}],
            "effects":[{{"kind":"{effect}","scale":"national"}}],
            "suspected_origin":{{"state":"RU","confidence":"likely","basis":["technical"]}}}}"#
    );
    parse_incident_report(
        json.as_bytes(),
        Timestamp::parse("2026-11-22T00:00:00Z").unwrap(),
    )
    .unwrap()
}

#[test]
fn harming_a_cert_crosses_the_13k_red_line_in_every_shipped_document() {
    for shipped in SHIPPED_DOCUMENTS {
        let document = NormsDocument::parse(shipped.text, shipped.file_name).unwrap();
        let crossed = |effect: &str, cert: bool| {
            assess(&report(effect, cert), &document)
                .red_lines
                .iter()
                .any(|red_line| red_line.id == "rl.cert-harm")
        };
        assert!(crossed("data-destruction", true), "{}", shipped.name);
        assert!(crossed("data-theft", true), "{}", shipped.name);
        assert!(!crossed("espionage", true), "{}", shipped.name);
        assert!(!crossed("data-destruction", false), "{}", shipped.name);
    }
}
