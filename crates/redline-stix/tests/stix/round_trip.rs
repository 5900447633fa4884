//! Report → STIX → report is exact: for the eight demo incidents and for generated ones.

use proptest::prelude::*;
use redline_model::{
    Access, AlternativeHypotheses, AttributionBasis, AttributionRelationship, Casualties,
    Confidence, CountryCode, CveId, Effect, EffectKind, ExploitedVulnerability, ExternalReference,
    Incident, IncidentId, IncidentReport, IncidentStatus, NcissOverrides, PartyId, Scale, Sector,
    SuspectedOrigin, Target, Timestamp, Tlp, nciss::Recoverability,
};
use redline_stix::{ExportContext, export_incidents, import_incidents, parse_bundle};

use crate::demo_incidents;

fn through_stix_bytes(incidents: &[Incident]) -> Vec<Incident> {
    let bundle = export_incidents(incidents, &ExportContext::default());
    let bytes = serde_json::to_vec(&bundle).unwrap();
    let parsed = parse_bundle(&bytes).unwrap();
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    import_incidents(&parsed.objects)
        .into_iter()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn the_eight_demo_incidents_survive_the_round_trip() {
    for (name, incident) in demo_incidents() {
        let back = through_stix_bytes(std::slice::from_ref(&incident));
        assert_eq!(back, vec![incident], "{name}");
    }
}

#[test]
fn a_report_without_an_id_comes_back_with_the_incident_id() {
    let (_, mut incident) = demo_incidents().remove(1);
    incident.report.id = None;
    let back = through_stix_bytes(std::slice::from_ref(&incident)).remove(0);
    assert_eq!(back.report.id.as_ref(), Some(&incident.id));
    incident.report.id = Some(incident.id.clone());
    assert_eq!(back, incident);
}

const COUNTRIES: &[&str] = &["EE", "UA", "RU", "US", "GB", "IR", "KP", "CN", "DE", "FR"];
const SLUGS: &[&str] = &["cert-eu", "osce-secretariat", "observer-1"];

fn country() -> impl Strategy<Value = CountryCode> {
    prop::sample::select(COUNTRIES).prop_map(|code| CountryCode::parse(code).unwrap())
}

fn party() -> impl Strategy<Value = PartyId> {
    prop_oneof![
        country().prop_map(PartyId::from),
        prop::sample::select(SLUGS).prop_map(|slug| PartyId::parse(slug).unwrap()),
    ]
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    // 1990 to 2030, any microsecond.
    (631_152_000_000_000i64..1_893_456_000_000_000i64)
        .prop_map(|microseconds| Timestamp::from_microseconds(microseconds).unwrap())
}

fn target() -> impl Strategy<Value = Target> {
    (
        prop::sample::select(Sector::ALL),
        country(),
        any::<bool>(),
        prop::option::of(0u64..=10_000_000_000),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(sector, country, essential_service, people_affected, cert, designated)| Target {
                sector,
                country,
                essential_service,
                people_affected,
                cert,
                designated_critical_infrastructure: designated,
            },
        )
}

fn effect() -> impl Strategy<Value = Effect> {
    (
        prop::sample::select(EffectKind::ALL),
        prop::option::of(0.0f64..=1_000_000.0),
        prop::option::of(any::<bool>()),
        prop::option::of(prop::sample::select(Scale::ALL)),
    )
        .prop_map(|(kind, duration_hours, reversible, scale)| Effect {
            kind,
            duration_hours,
            reversible,
            scale,
        })
}

fn technique() -> impl Strategy<Value = String> {
    (0u32..10_000, prop::option::of(0u32..1000)).prop_map(|(base, sub)| match sub {
        Some(sub) => format!("T{base:04}.{sub:03}"),
        None => format!("T{base:04}"),
    })
}

fn origin() -> impl Strategy<Value = SuspectedOrigin> {
    (
        country(),
        prop::sample::select(Confidence::ALL),
        prop::sample::subsequence(AttributionBasis::ALL.to_vec(), 0..=4),
        prop::sample::select(AttributionRelationship::ALL),
    )
        .prop_map(|(state, confidence, basis, relationship)| SuspectedOrigin {
            state,
            confidence,
            basis,
            relationship,
        })
}

fn reference() -> impl Strategy<Value = ExternalReference> {
    (
        "[A-Za-z0-9 ,.&'()-]{1,40}",
        prop::option::of("https://[a-z]{1,10}\\.example/[a-z0-9/-]{0,20}"),
        prop::option::of(".{0,40}"),
    )
        .prop_map(|(source_name, url, description)| ExternalReference {
            source_name,
            url,
            description,
        })
}

fn exploited_vulnerability() -> impl Strategy<Value = ExploitedVulnerability> {
    let cve = (1999u32..2100, 1u64..100_000_000)
        .prop_map(|(year, number)| CveId::parse(&format!("CVE-{year}-{number:04}")).unwrap());
    let case =
        any::<[u8; 16]>().prop_map(|bytes| uuid::Builder::from_random_bytes(bytes).into_uuid());
    prop_oneof![
        cve.clone().prop_map(|cve| ExploitedVulnerability {
            cve: Some(cve),
            case: None
        }),
        case.clone().prop_map(|case| ExploitedVulnerability {
            cve: None,
            case: Some(case)
        }),
        (cve, case).prop_map(|(cve, case)| ExploitedVulnerability {
            cve: Some(cve),
            case: Some(case)
        }),
    ]
}

prop_compose! {
    fn incident()(
        uuid_bytes in any::<[u8; 16]>(),
        title in "\\PC{1,80}",
        description in prop::option::of("\\PC{0,200}"),
        reported_by in party(),
        victim in country(),
        first_observed in timestamp(),
        extra_seconds in prop::option::of(0i64..10_000_000),
        status in prop::sample::select(IncidentStatus::ALL),
        tlp in prop::sample::select(Tlp::ALL),
        targets in prop::collection::vec(target(), 1..4),
        effects in prop::collection::vec(effect(), 1..4),
        techniques in prop::collection::vec(technique(), 0..4),
        exploited_vulnerabilities in prop::collection::vec(exploited_vulnerability(), 0..3),
        access in prop::option::of(prop::sample::select(Access::ALL)),
        suspected_origin in prop::option::of(origin()),
        alternative_hypotheses in prop::option::of((prop::collection::vec("[A-Za-z ,.]{1,60}", 0..3), any::<bool>())),
        casualties in prop::option::of((prop::option::of(0u64..10_000), prop::option::of(0u64..10_000))),
        armed_conflict in any::<bool>(),
        cross_border in any::<bool>(),
        recoverability in prop::option::of(prop::sample::select(Recoverability::ALL)),
        shared_with in prop::sample::subsequence(vec!["cert-eu", "DE", "FR"], 0..=3),
        references in prop::collection::vec(reference(), 0..3),
        version in 1u32..100,
        received_at in timestamp(),
        update_seconds in 0i64..100_000_000,
    ) -> Incident {
        let id = IncidentId::from_random_bytes(uuid_bytes);
        let report = IncidentReport {
            id: Some(id.clone()),
            title,
            description,
            reported_by: reported_by.clone(),
            victim,
            first_observed,
            last_observed: extra_seconds.and_then(|seconds| first_observed.plus_seconds(seconds)),
            status,
            tlp,
            targets,
            effects,
            techniques,
            exploited_vulnerabilities,
            access,
            suspected_origin,
            alternative_hypotheses: alternative_hypotheses.map(|(considered, false_flag_considered)| {
                AlternativeHypotheses { considered, false_flag_considered }
            }),
            casualties: casualties.map(|(deaths, injuries)| Casualties { deaths, injuries }),
            armed_conflict,
            cross_border,
            nciss: recoverability.map(|recoverability| NcissOverrides {
                recoverability: Some(recoverability),
                ..NcissOverrides::default()
            }),
            shared_with: shared_with.into_iter().map(|party| PartyId::parse(party).unwrap()).collect(),
            references,
            exercise: false,
        };
        Incident {
            id,
            version,
            submitted_by: reported_by,
            received_at,
            updated_at: received_at.plus_seconds(update_seconds).unwrap(),
            report,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn generated_incidents_survive_the_round_trip(incidents in prop::collection::vec(incident(), 1..3)) {
        let back = through_stix_bytes(&incidents);
        prop_assert_eq!(back, incidents);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The fuzz target's invariant on mutated exports: reading never panics, and every object
    /// that was read serialises and reads back equal.
    #[test]
    fn mutated_bundles_read_without_panics(
        mutations in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(
            vec![b'"', b'{', b'}', b'[', b']', b',', b':', b'0', b'9', b'-', b'.', b'Z', b'x', b' ', b'e', b'\\']
        )), 1..6)
    ) {
        let (_, incident) = demo_incidents().remove(4);
        let mut bytes = crate::export_one(&incident).to_json_pretty().into_bytes();
        for (index, byte) in mutations {
            let position = index.index(bytes.len());
            bytes[position] = byte;
        }
        if let Ok(bundle) = parse_bundle(&bytes) {
            for object in &bundle.objects {
                let value = serde_json::to_value(object).unwrap();
                let again = redline_stix::StixObject::from_json_value(value).unwrap();
                prop_assert_eq!(&again, object);
            }
            let _ = import_incidents(&bundle.objects);
        }
    }
}
