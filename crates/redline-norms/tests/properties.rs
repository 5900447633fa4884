//! Property tests of the engine over generated reports: more harm never lowers severity or legal
//! category; espionage alone is never above below-threshold; no recommended rung violates its
//! preconditions; repeated runs give byte-identical output.
#![allow(clippy::unwrap_used)]

mod common;

use proptest::prelude::*;
use redline_model::{
    Access, Confidence, CountryCode, Effect, EffectKind, IncidentReport, IncidentStatus, PartyId,
    Scale, Sector, SuspectedOrigin, Target, Timestamp, Tlp,
};
use redline_norms::{Assessment, Circumstances, LegalCategory, NormsDocument, assess, assess_with};

fn documents() -> Vec<NormsDocument> {
    redline_norms::SHIPPED_DOCUMENTS
        .iter()
        .map(|shipped| NormsDocument::parse(shipped.text, shipped.file_name).unwrap())
        .collect()
}

fn target() -> impl Strategy<Value = Target> {
    (
        prop::sample::select(Sector::ALL),
        prop::sample::select(vec!["UA", "DE", "US"]),
        any::<bool>(),
        prop::option::of(0u64..5_000_000),
    )
        .prop_map(
            |(sector, country, essential_service, people_affected)| Target {
                sector,
                country: CountryCode::parse(country).unwrap(),
                essential_service,
                people_affected,
                cert: false,
            },
        )
}

fn effect(kinds: &'static [EffectKind]) -> impl Strategy<Value = Effect> {
    (
        prop::sample::select(kinds),
        prop::option::of(0.0f64..2_000.0),
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

fn report_with(kinds: &'static [EffectKind]) -> impl Strategy<Value = IncidentReport> {
    (
        prop::collection::vec(target(), 1..4),
        prop::collection::vec(effect(kinds), 1..4),
        prop::option::of(prop::sample::select(Access::ALL)),
        prop::option::of(prop::sample::select(Confidence::ALL)),
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(
            prop::sample::select(vec!["T0813", "T1485", "T1566.001"]),
            0..2,
        ),
    )
        .prop_map(
            |(targets, effects, access, confidence, armed_conflict, cross_border, techniques)| {
                IncidentReport {
                    id: None,
                    title: "generated".into(),
                    description: None,
                    reported_by: PartyId::parse("UA").unwrap(),
                    victim: CountryCode::parse("UA").unwrap(),
                    first_observed: Timestamp::parse("2024-01-01T00:00:00Z").unwrap(),
                    last_observed: None,
                    status: IncidentStatus::Confirmed,
                    tlp: Tlp::Clear,
                    targets,
                    effects,
                    techniques: techniques.into_iter().map(String::from).collect(),
                    access,
                    suspected_origin: confidence.map(|confidence| SuspectedOrigin {
                        state: CountryCode::parse("RU").unwrap(),
                        confidence,
                        basis: Vec::new(),
                    }),
                    armed_conflict,
                    cross_border,
                    nciss: None,
                    shared_with: Vec::new(),
                    references: Vec::new(),
                    exercise: false,
                }
            },
        )
}

/// One way of making a report more harmful.
#[derive(Debug, Clone)]
enum MoreHarm {
    MorePeople { target: usize, extra: u64 },
    Longer { effect: usize, extra: f64 },
    Irreversible { effect: usize },
    WorseKind { effect: usize, steps: usize },
}

fn more_harm() -> impl Strategy<Value = MoreHarm> {
    prop_oneof![
        (0usize..4, 1u64..5_000_000)
            .prop_map(|(target, extra)| MoreHarm::MorePeople { target, extra }),
        (0usize..4, 0.5f64..2_000.0).prop_map(|(effect, extra)| MoreHarm::Longer { effect, extra }),
        (0usize..4).prop_map(|effect| MoreHarm::Irreversible { effect }),
        (0usize..4, 1usize..9).prop_map(|(effect, steps)| MoreHarm::WorseKind { effect, steps }),
    ]
}

fn apply(report: &IncidentReport, harm: &MoreHarm) -> IncidentReport {
    let mut worse = report.clone();
    match *harm {
        MoreHarm::MorePeople { target, extra } => {
            let index = target % worse.targets.len();
            let people = &mut worse.targets[index].people_affected;
            *people = Some(people.unwrap_or(0) + extra);
        }
        MoreHarm::Longer { effect, extra } => {
            let index = effect % worse.effects.len();
            let hours = &mut worse.effects[index].duration_hours;
            *hours = Some(hours.unwrap_or(0.0) + extra);
        }
        MoreHarm::Irreversible { effect } => {
            let index = effect % worse.effects.len();
            worse.effects[index].reversible = Some(false);
        }
        MoreHarm::WorseKind { effect, steps } => {
            let index = effect % worse.effects.len();
            let kind = worse.effects[index].kind;
            let rank = EffectKind::ALL.iter().position(|k| *k == kind).unwrap();
            let new_rank = (rank + steps).min(EffectKind::ALL.len() - 1);
            worse.effects[index].kind = EffectKind::ALL[new_rank];
        }
    }
    worse
}

fn check_preconditions(assessment: &Assessment, document: &NormsDocument, consulted: bool) {
    for recommended in &assessment.responses.recommended {
        let rung = document
            .rungs
            .iter()
            .find(|rung| rung.number == recommended.rung)
            .unwrap();
        assert!(rung.number <= assessment.responses.ceiling);
        if let Some(category) = rung.requires.category {
            assert!(assessment.legal.category >= category, "{}", rung.id);
        }
        if let Some(certainty) = rung.requires.certainty {
            assert!(assessment.legal.certainty >= certainty, "{}", rung.id);
        }
        if let Some(level) = rung.requires.severity_level {
            assert!(assessment.severity.level >= level, "{}", rung.id);
        }
        if rung.requires.prior_consultation {
            assert!(consulted, "{}", rung.id);
        }
    }
    // De-escalatory options first.
    let flags: Vec<bool> = assessment
        .responses
        .recommended
        .iter()
        .map(|recommended| {
            document
                .rungs
                .iter()
                .any(|rung| rung.number == recommended.rung && rung.de_escalatory)
        })
        .collect();
    assert!(
        flags.windows(2).all(|pair| pair[0] || !pair[1]),
        "{flags:?}"
    );
}

const ALL_KINDS: &[EffectKind] = EffectKind::ALL;
const ESPIONAGE_KINDS: &[EffectKind] = &[EffectKind::Espionage, EffectKind::DataTheft];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn more_harm_never_lowers_severity_or_legal_category(
        report in report_with(ALL_KINDS),
        harm in more_harm(),
    ) {
        let worse = apply(&report, &harm);
        for document in documents() {
            let before = assess(&report, &document);
            let after = assess(&worse, &document);
            prop_assert!(after.severity.score >= before.severity.score,
                "{}: score {} → {} after {harm:?}", document.id, before.severity.score, after.severity.score);
            prop_assert!(after.severity.level >= before.severity.level);
            prop_assert!(after.legal.category >= before.legal.category,
                "{}: {:?} → {:?} after {harm:?}", document.id, before.legal.category, after.legal.category);
        }
    }

    #[test]
    fn espionage_alone_is_never_above_below_threshold(report in report_with(ESPIONAGE_KINDS)) {
        for document in documents() {
            let assessment = assess(&report, &document);
            prop_assert!(assessment.legal.category <= LegalCategory::BelowThreshold,
                "{}: {:?}", document.id, assessment.legal.category);
        }
    }

    #[test]
    fn no_recommended_rung_violates_its_preconditions(
        report in report_with(ALL_KINDS),
        consulted in any::<bool>(),
    ) {
        for document in documents() {
            let assessment = assess_with(&report, &document, &Circumstances { prior_consultation: consulted });
            check_preconditions(&assessment, &document, consulted);
            if let Some(required) = document.rungs.iter().filter_map(|rung| rung.requires.confidence).min() {
                let confident = report.suspected_origin.as_ref().is_some_and(|origin| origin.confidence >= required);
                if !confident {
                    for recommended in &assessment.responses.recommended {
                        let rung = document.rungs.iter().find(|rung| rung.number == recommended.rung).unwrap();
                        prop_assert!(rung.requires.confidence.is_none());
                    }
                }
            }
        }
    }

    #[test]
    fn repeated_runs_give_byte_identical_output(report in report_with(ALL_KINDS)) {
        let first = documents();
        let second = documents();
        for (left, right) in first.iter().zip(second.iter()) {
            prop_assert_eq!(assess(&report, left).to_json_bytes(), assess(&report, right).to_json_bytes());
        }
    }
}
