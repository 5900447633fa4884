//! Fuzz the incident report parser: any bytes must give a report or an error, never a panic,
//! and a report that parses must survive a JSON round trip unchanged; every vulnerability it
//! names names a CVE id or a case. Seeds in `fuzz/seeds/incident_report/` (one names exploited
//! vulnerabilities), words in `fuzz/incident_report.dict`:
//! `cargo fuzz run --sanitizer none incident_report fuzz/corpus/incident_report fuzz/seeds/incident_report -- -dict=fuzz/incident_report.dict`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redline_model::{Timestamp, parse_incident_report};

fuzz_target!(|bytes: &[u8]| {
    let Ok(now) = Timestamp::parse("2026-11-22T10:00:00Z") else {
        return;
    };
    if let Ok(report) = parse_incident_report(bytes, now) {
        for entry in &report.exploited_vulnerabilities {
            assert!(entry.cve.is_some() || entry.case.is_some(), "{entry:?}");
        }
        let Ok(json) = serde_json::to_vec(&report) else {
            panic!("a parsed report must serialise");
        };
        match parse_incident_report(&json, now) {
            Ok(again) => assert_eq!(again, report),
            Err(error) => panic!("a serialised report must parse again: {error}"),
        }
    }
});
