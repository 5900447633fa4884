#![allow(clippy::unwrap_used)]
//! The incident report contract: what parses, what is refused, and where the error points.

use proptest::prelude::*;
use redline_model::{
    EffectKind, IncidentReport, ModelError, Scale, Sector, Timestamp, Tlp,
    incident_report_json_schema, parse_incident_report,
};

const CONTRACT_EXAMPLE: &str = r#"{
  "id": "incident--3f2c5b1e-8a1d-4f63-9d4b-2a8d1e7f0c11",
  "title": "Power distribution outage in three oblasts",
  "description": "free text",
  "reported_by": "UA",
  "victim": "UA",
  "first_observed": "2015-12-23T14:00:00Z",
  "last_observed": "2015-12-23T20:00:00Z",
  "status": "confirmed",
  "tlp": "clear",
  "targets": [
    { "sector": "utilities", "country": "UA", "essential_service": true, "people_affected": 225000 }
  ],
  "effects": [
    { "kind": "disruption", "duration_hours": 6, "reversible": true, "scale": "regional" },
    { "kind": "physical-damage", "scale": "local" }
  ],
  "techniques": ["T0813", "T1485"],
  "access": "remote",
  "suspected_origin": { "state": "RU", "confidence": "likely", "basis": ["technical"] },
  "armed_conflict": false,
  "cross_border": false,
  "nciss": { "functional_impact": "denial-of-critical-services" }
}"#;

fn now() -> Timestamp {
    Timestamp::parse("2026-11-22T10:00:00Z").unwrap()
}

fn with(change: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let mut value: serde_json::Value = serde_json::from_str(CONTRACT_EXAMPLE).unwrap();
    change(&mut value);
    serde_json::to_vec(&value).unwrap()
}

type Change = Box<dyn Fn(&mut serde_json::Value)>;

fn first_issue(bytes: &[u8]) -> (String, String) {
    let error = parse_incident_report(bytes, now()).unwrap_err();
    let issue = error.issues().into_iter().next().unwrap();
    (issue.path, issue.message)
}

#[test]
fn the_contract_example_parses_and_round_trips() {
    let report = parse_incident_report(CONTRACT_EXAMPLE.as_bytes(), now()).unwrap();
    assert_eq!(report.targets[0].sector, Sector::Utilities);
    assert_eq!(report.effects[1].kind, EffectKind::PhysicalDamage);
    let again = parse_incident_report(&serde_json::to_vec(&report).unwrap(), now()).unwrap();
    assert_eq!(again, report);
}

#[test]
fn unknown_fields_are_refused_with_their_path() {
    let (path, message) = first_issue(&with(|v| v["targets"][0]["colour"] = "red".into()));
    assert_eq!(path, "targets[0].colour");
    assert!(message.contains("unknown field `colour`"), "{message}");
    let (path, _) = first_issue(&with(|v| v["severity"] = 3.into()));
    assert_eq!(path, "severity");
}

#[test]
fn missing_required_fields_are_named() {
    let (path, message) = first_issue(&with(|v| {
        v.as_object_mut().unwrap().remove("title");
    }));
    assert_eq!(path, "title");
    assert!(message.contains("missing field `title`"), "{message}");
    let (path, _) = first_issue(&with(|v| {
        v["effects"][0].as_object_mut().unwrap().remove("kind");
    }));
    assert_eq!(path, "effects[0].kind");
}

#[test]
fn bad_values_name_their_path() {
    let cases: Vec<(Change, &str, &str)> = vec![
        (
            Box::new(|v| v["victim"] = "XX".into()),
            "victim",
            "not an assigned",
        ),
        (
            Box::new(|v| v["victim"] = "ua".into()),
            "victim",
            "ISO 3166-1",
        ),
        (
            Box::new(|v| v["targets"][0]["country"] = "UK".into()),
            "targets[0].country",
            "ISO 3166-1",
        ),
        (
            Box::new(|v| v["targets"][0]["sector"] = "power".into()),
            "targets[0].sector",
            "unknown variant",
        ),
        (
            Box::new(|v| v["tlp"] = "white".into()),
            "tlp",
            "unknown variant",
        ),
        (
            Box::new(|v| v["effects"][0]["duration_hours"] = (-1).into()),
            "effects[0].duration_hours",
            "between 0",
        ),
        (
            Box::new(|v| v["targets"][0]["people_affected"] = (-5).into()),
            "targets[0].people_affected",
            "invalid value",
        ),
        (
            Box::new(|v| v["first_observed"] = "2015-12-23".into()),
            "first_observed",
            "RFC 3339",
        ),
        (
            Box::new(|v| v["last_observed"] = "2015-12-22T00:00:00Z".into()),
            "last_observed",
            "before first_observed",
        ),
        (
            Box::new(|v| v["first_observed"] = "2027-01-01T00:00:00Z".into()),
            "first_observed",
            "in the future",
        ),
        (
            Box::new(|v| v["targets"] = serde_json::json!([])),
            "targets",
            "at least one",
        ),
        (
            Box::new(|v| v["effects"] = serde_json::json!([])),
            "effects",
            "at least one",
        ),
        (
            Box::new(|v| v["techniques"][1] = "T99".into()),
            "techniques[1]",
            "ATT&CK",
        ),
        (
            Box::new(|v| v["suspected_origin"]["confidence"] = "sure".into()),
            "suspected_origin.confidence",
            "unknown variant",
        ),
        (
            Box::new(|v| v["id"] = "incident--nope".into()),
            "id",
            "UUID",
        ),
        (
            Box::new(|v| v["reported_by"] = "Not A Party".into()),
            "reported_by",
            "party id",
        ),
        (Box::new(|v| v["title"] = " ".into()), "title", "1 to 300"),
        (
            Box::new(|v| v["nciss"]["recoverability"] = "eventually".into()),
            "nciss.recoverability",
            "unknown variant",
        ),
        (
            Box::new(|v| {
                v["exploited_vulnerabilities"] =
                    serde_json::json!([{"cve": "CVE-2024-3400"}, {"cve": "CVE-24-1"}])
            }),
            "exploited_vulnerabilities[1].cve",
            "not a CVE id",
        ),
        (
            Box::new(|v| v["exploited_vulnerabilities"] = serde_json::json!([{"case": "case-7"}])),
            "exploited_vulnerabilities[0].case",
            "UUID",
        ),
        (
            Box::new(|v| v["exploited_vulnerabilities"] = serde_json::json!([{}])),
            "exploited_vulnerabilities[0]",
            "name the vulnerability",
        ),
        (
            Box::new(|v| {
                v["exploited_vulnerabilities"] =
                    serde_json::json!([{"cve": "CVE-2024-3400", "vendor": "x"}])
            }),
            "exploited_vulnerabilities[0].vendor",
            "unknown field",
        ),
        (
            Box::new(|v| {
                v["exploited_vulnerabilities"] = serde_json::json!([
                    {"cve": "CVE-2024-3400"},
                    {"cve": "CVE-2024-3400", "case": "0b9e8f4c-3f1e-4a3b-9c55-2d6f7a8b9c01"}
                ])
            }),
            "exploited_vulnerabilities[1].cve",
            "listed twice",
        ),
        (
            Box::new(|v| {
                v["exploited_vulnerabilities"] = serde_json::json!([
                    {"case": "0b9e8f4c-3f1e-4a3b-9c55-2d6f7a8b9c01"},
                    {"case": "0b9e8f4c-3f1e-4a3b-9c55-2d6f7a8b9c01", "cve": "CVE-2021-44228"}
                ])
            }),
            "exploited_vulnerabilities[1].case",
            "listed twice",
        ),
        (
            Box::new(|v| {
                v["exploited_vulnerabilities"] = (0..101)
                    .map(|n| serde_json::json!({"cve": format!("CVE-2024-{:04}", 1000 + n)}))
                    .collect();
            }),
            "exploited_vulnerabilities",
            "at most 100",
        ),
    ];
    for (change, expected_path, expected_words) in cases {
        let (path, message) = first_issue(&with(change));
        assert_eq!(path, expected_path, "{message}");
        assert!(message.contains(expected_words), "{path}: {message}");
    }
}

#[test]
fn exploited_vulnerabilities_are_optional_and_written_only_when_named() {
    // An older report keeps its exact bytes: no `exploited_vulnerabilities` key appears.
    let report = parse_incident_report(CONTRACT_EXAMPLE.as_bytes(), now()).unwrap();
    assert!(report.exploited_vulnerabilities.is_empty());
    let bytes = serde_json::to_string(&report).unwrap();
    assert!(!bytes.contains("exploited_vulnerabilities"), "{bytes}");
    // A CVE only, a case only, and both are each an entry.
    let named = parse_incident_report(
        &with(|v| {
            v["exploited_vulnerabilities"] = serde_json::json!([
                {"cve": "CVE-2024-3400"},
                {"case": "0b9e8f4c-3f1e-4a3b-9c55-2d6f7a8b9c01"},
                {"cve": "CVE-2021-44228", "case": "5d1c2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5"}
            ])
        }),
        now(),
    )
    .unwrap();
    let names: Vec<String> = named
        .exploited_vulnerabilities
        .iter()
        .flat_map(|entry| entry.names())
        .collect();
    assert_eq!(
        names,
        [
            "CVE-2024-3400",
            "0b9e8f4c-3f1e-4a3b-9c55-2d6f7a8b9c01",
            "CVE-2021-44228",
            "5d1c2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5"
        ]
    );
    let again = parse_incident_report(&serde_json::to_vec(&named).unwrap(), now()).unwrap();
    assert_eq!(again, named);
}

/// The fuzz target's seeds (`fuzz/seeds/incident_report/`) stay valid reports, and one names
/// exploited vulnerabilities, so the fuzzer starts inside the field.
#[test]
fn the_fuzz_seeds_are_reports_and_reach_exploited_vulnerabilities() {
    let directory =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/incident_report");
    let mut named = 0;
    for entry in std::fs::read_dir(&directory).unwrap() {
        let path = entry.unwrap().path();
        let report = parse_incident_report(&std::fs::read(&path).unwrap(), now())
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        named += report.exploited_vulnerabilities.len();
    }
    assert!(named >= 3, "{named}");
}

#[test]
fn malformed_json_gives_line_and_column() {
    let error = parse_incident_report(b"{\"title\": \"x\",\n  oops}", now()).unwrap_err();
    match error {
        ModelError::MalformedJson { line, column, .. } => {
            assert_eq!(line, 2);
            assert!(column > 0);
        }
        other => panic!("expected malformed JSON, got {other:?}"),
    }
    assert!(matches!(
        parse_incident_report(&CONTRACT_EXAMPLE.as_bytes()[..100], now()),
        Err(ModelError::MalformedJson { .. })
    ));
    assert!(matches!(
        parse_incident_report(format!("{CONTRACT_EXAMPLE} trailing").as_bytes(), now()),
        Err(ModelError::MalformedJson { .. })
    ));
}

#[test]
fn restricted_reports_are_visible_only_to_their_readers() {
    let report = parse_incident_report(
        &with(|v| {
            v["tlp"] = "red".into();
            v["shared_with"] = serde_json::json!(["EE"]);
        }),
        now(),
    )
    .unwrap();
    let party = |id: &str| redline_model::PartyId::parse(id).unwrap();
    assert!(report.is_visible_to(&party("UA")));
    assert!(report.is_visible_to(&party("EE")));
    assert!(!report.is_visible_to(&party("RU")));
    let clear = parse_incident_report(CONTRACT_EXAMPLE.as_bytes(), now()).unwrap();
    assert!(clear.is_visible_to(&party("RU")));
    assert_eq!(clear.tlp, Tlp::Clear);
}

#[test]
fn the_json_schema_is_generated_from_the_types() {
    let schema = incident_report_json_schema();
    insta::assert_json_snapshot!("incident_report_schema", schema);
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for field in [
        "title",
        "reported_by",
        "victim",
        "first_observed",
        "status",
        "tlp",
        "targets",
        "effects",
    ] {
        assert!(required.contains(&field), "{field}");
    }
    assert_eq!(schema["additionalProperties"], serde_json::json!(false));
}

fn arbitrary_report() -> impl Strategy<Value = IncidentReport> {
    let sectors = proptest::sample::select(Sector::ALL.to_vec());
    let effects = proptest::sample::select(EffectKind::ALL.to_vec());
    let scales = proptest::sample::select(Scale::ALL.to_vec());
    let tlps = proptest::sample::select(Tlp::ALL.to_vec());
    (
        "[A-Za-z ]{1,40}",
        sectors,
        effects,
        scales,
        tlps,
        0u64..10_000_000,
        0u32..100_000,
        0i64..1_000_000_000_000_000,
    )
        .prop_map(
            |(title, sector, effect, scale, tlp, people, hours_tenths, micros)| {
                let mut value: serde_json::Value = serde_json::from_str(CONTRACT_EXAMPLE).unwrap();
                value["title"] = format!("x{title}").into();
                value["targets"][0]["sector"] = sector.as_str().into();
                value["targets"][0]["people_affected"] = people.into();
                value["effects"][0]["kind"] = effect.as_str().into();
                value["effects"][0]["scale"] = scale.as_str().into();
                value["effects"][0]["duration_hours"] = (f64::from(hours_tenths) / 10.0).into();
                value["tlp"] = tlp.as_str().into();
                let first = Timestamp::from_microseconds(micros).unwrap();
                value["first_observed"] = first.to_string().into();
                value["last_observed"] = first.plus_seconds(3600).unwrap().to_string().into();
                serde_json::from_value(value).unwrap()
            },
        )
}

proptest! {
    #[test]
    fn valid_reports_round_trip_through_json(report in arbitrary_report()) {
        let bytes = serde_json::to_vec(&report).unwrap();
        let parsed = parse_incident_report(&bytes, now()).unwrap();
        prop_assert_eq!(&parsed, &report);
        prop_assert_eq!(serde_json::to_vec(&parsed).unwrap(), bytes);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_incident_report(&bytes, now());
    }

    /// Whatever is written as a vulnerability entry (any CVE-looking text, any case text, any
    /// other key), the parser answers a report or problems naming a path under
    /// `exploited_vulnerabilities`, and never panics.
    #[test]
    fn any_exploited_vulnerability_entry_is_a_report_or_a_named_problem(
        cve in proptest::option::of("(CVE|cve)-[0-9]{0,5}-[0-9]{0,21}|\\PC{0,12}"),
        case in proptest::option::of("[0-9a-fA-F-]{0,40}|\\PC{0,12}"),
        other in proptest::option::of("[a-z]{1,8}"),
    ) {
        let bytes = with(|v| {
            let mut entry = serde_json::Map::new();
            if let Some(cve) = &cve {
                entry.insert("cve".into(), cve.clone().into());
            }
            if let Some(case) = &case {
                entry.insert("case".into(), case.clone().into());
            }
            if let Some(other) = &other {
                entry.insert(other.clone(), true.into());
            }
            v["exploited_vulnerabilities"] = serde_json::json!([entry]);
        });
        match parse_incident_report(&bytes, now()) {
            Ok(report) => prop_assert_eq!(report.exploited_vulnerabilities.len(), 1),
            Err(error) => {
                for issue in error.issues() {
                    prop_assert!(issue.path.starts_with("exploited_vulnerabilities"), "{}", issue);
                }
            }
        }
    }
}

/// Whom a reporter's notify duty is owed to, as a table: (reporter, victim, target countries) →
/// the affected parties.
#[test]
fn the_affected_parties_are_the_victim_and_the_targets_states_but_not_the_reporter() {
    fn check(reporter: &str, victim: &str, countries: &[&str], expect: &[&str]) {
        let report = parse_incident_report(
            &with(|v| {
                v["reported_by"] = reporter.into();
                v["victim"] = victim.into();
                let target = v["targets"][0].clone();
                v["targets"] = countries
                    .iter()
                    .map(|country| {
                        let mut target = target.clone();
                        target["country"] = (*country).into();
                        target
                    })
                    .collect();
            }),
            now(),
        )
        .unwrap();
        let affected: Vec<String> = report
            .affected_parties()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(affected, expect, "{reporter} on {victim} {countries:?}");
    }
    check("UA", "UA", &["UA"], &[]);
    check("EE", "UA", &["UA"], &["UA"]);
    check("UA", "UA", &["UA", "MD", "PL"], &["MD", "PL"]);
    check("cert-eu", "BE", &["BE", "FR"], &["BE", "FR"]);
}
