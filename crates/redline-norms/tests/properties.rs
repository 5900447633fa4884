//! Property tests of the engine over generated reports: more harm never lowers severity or legal
//! category; more casualties never lower the category; a higher confidence never lowers the
//! ceiling; the attribution caps the certainty; remote espionage alone is below-threshold under
//! the baseline; no recommended rung violates its preconditions; `recommended` ⊆ `available`; a
//! crossed red line never leaves the recommendation empty; no countermeasure is recommended to
//! a state that is not the injured one; repeated runs give byte-identical output.
#![allow(clippy::unwrap_used)]

mod common;

use proptest::prelude::*;
use redline_model::{
    Access, AttributionBasis, AttributionRelationship, Casualties, Confidence, CountryCode, Effect,
    EffectKind, IncidentReport, IncidentStatus, PartyId, Scale, Sector, SuspectedOrigin, Target,
    Timestamp, Tlp,
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
        any::<bool>(),
    )
        .prop_map(
            |(sector, country, essential_service, people_affected, designated)| Target {
                sector,
                country: CountryCode::parse(country).unwrap(),
                essential_service,
                people_affected,
                cert: false,
                designated_critical_infrastructure: designated,
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

/// A suspected origin: confidence, relationship and basis.
fn origin()
-> impl Strategy<Value = Option<(Confidence, AttributionRelationship, Vec<AttributionBasis>)>> {
    prop::option::of((
        prop::sample::select(Confidence::ALL),
        prop::sample::select(AttributionRelationship::ALL),
        prop::sample::subsequence(AttributionBasis::ALL.to_vec(), 0..=4),
    ))
}

fn report_with(kinds: &'static [EffectKind]) -> impl Strategy<Value = IncidentReport> {
    (
        prop::collection::vec(target(), 1..4),
        prop::collection::vec(effect(kinds), 1..4),
        prop::option::of(prop::sample::select(Access::ALL)),
        origin(),
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(
            prop::sample::select(vec!["T0813", "T1485", "T1566.001", "T1190"]),
            0..2,
        ),
        prop::option::of((prop::option::of(0u64..200), prop::option::of(0u64..2_000))),
    )
        .prop_map(
            |(
                targets,
                effects,
                access,
                origin,
                armed_conflict,
                cross_border,
                techniques,
                casualties,
            )| {
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
                    exploited_vulnerabilities: Vec::new(),
                    access,
                    suspected_origin: origin.map(|(confidence, relationship, basis)| {
                        SuspectedOrigin {
                            state: CountryCode::parse("RU").unwrap(),
                            confidence,
                            basis,
                            relationship,
                        }
                    }),
                    alternative_hypotheses: None,
                    casualties: casualties
                        .map(|(deaths, injuries)| Casualties { deaths, injuries }),
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

    /// Remote espionage alone stays below threshold under the baseline and the UK profile
    /// (close access is judged by sovereignty; the French profile holds any intrusion a breach).
    #[test]
    fn remote_espionage_alone_is_never_above_below_threshold(report in report_with(ESPIONAGE_KINDS)) {
        let remote = !matches!(report.access, Some(Access::CloseAccess) | Some(Access::Insider));
        for document in documents().iter().filter(|document| document.id != "sovereignty-strict") {
            let assessment = assess(&report, document);
            if remote {
                prop_assert!(assessment.legal.category <= LegalCategory::BelowThreshold,
                    "{}: {:?}", document.id, assessment.legal.category);
            }
        }
    }

    #[test]
    fn the_attribution_caps_the_certainty(report in report_with(ALL_KINDS)) {
        for document in documents() {
            let assessment = assess(&report, &document);
            if let Some(allows) = assessment.legal.attribution_allows {
                prop_assert!(assessment.legal.certainty <= allows,
                    "{}: {:?} above {:?}", document.id, assessment.legal.certainty, allows);
            }
        }
    }

    #[test]
    fn a_higher_confidence_never_lowers_the_ceiling(report in report_with(ALL_KINDS), steps in 1usize..7) {
        let Some(origin) = &report.suspected_origin else { return Ok(()); };
        let index = Confidence::ALL.iter().position(|c| *c == origin.confidence).unwrap();
        let mut surer = report.clone();
        if let Some(origin) = &mut surer.suspected_origin {
            origin.confidence = Confidence::ALL[(index + steps).min(Confidence::ALL.len() - 1)];
        }
        for document in documents() {
            let before = assess(&report, &document).responses.ceiling;
            let after = assess(&surer, &document).responses.ceiling;
            prop_assert!(after >= before, "{}: ceiling {before} → {after}", document.id);
        }
    }

    #[test]
    fn more_casualties_never_lower_the_category(
        report in report_with(ALL_KINDS),
        extra_deaths in 0u64..100,
        extra_injuries in 0u64..1_000,
    ) {
        let mut worse = report.clone();
        let casualties = worse.casualties.get_or_insert_with(Casualties::default);
        casualties.deaths = Some(casualties.deaths.unwrap_or(0) + extra_deaths);
        casualties.injuries = Some(casualties.injuries.unwrap_or(0) + extra_injuries);
        for document in documents() {
            let before = assess(&report, &document).legal.category;
            let after = assess(&worse, &document).legal.category;
            prop_assert!(after >= before, "{}: {before:?} → {after:?}", document.id);
        }
    }

    #[test]
    fn the_recommendation_is_a_proportionate_subset_never_empty_after_a_red_line(
        report in report_with(ALL_KINDS),
        consulted in any::<bool>(),
    ) {
        for document in documents() {
            let assessment = assess_with(&report, &document, &Circumstances { prior_consultation: consulted, ..Circumstances::default() });
            let responses = &assessment.responses;
            for recommended in &responses.recommended {
                prop_assert!(responses.available.contains(recommended),
                    "{}: rung {} recommended but not available", document.id, recommended.rung);
            }
            if !assessment.red_lines.is_empty() {
                prop_assert!(!responses.recommended.is_empty(), "{}: a red line and nothing recommended", document.id);
            }
            for recommended in &responses.recommended_to_other_states {
                let rung = document.rungs.iter().find(|rung| rung.number == recommended.rung).unwrap();
                prop_assert!(!rung.injured_state_only(),
                    "{}: {} offered to a state that is not the injured one", document.id, rung.id);
            }
        }
    }

    #[test]
    fn no_recommended_rung_violates_its_preconditions(
        report in report_with(ALL_KINDS),
        consulted in any::<bool>(),
    ) {
        for document in documents() {
            let assessment = assess_with(&report, &document, &Circumstances { prior_consultation: consulted, ..Circumstances::default() });
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
