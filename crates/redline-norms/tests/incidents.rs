//! The eight public incidents of `norms-and-escalation.md` §5 (`demo/incidents/*.json`) assessed
//! against the shipped baseline: expected legal category, certainty, protected findings and
//! ceiling, and snapshots of the JSON and the text output.
#![allow(clippy::unwrap_used)]

mod common;

use redline_norms::{Certainty, LegalCategory, assess, render_assessment_text};

struct Expected {
    file: &'static str,
    category: LegalCategory,
    certainty: Certainty,
    /// `(protected rule, sector)` pairs.
    protected: &'static [(&'static str, &'static str)],
    /// The ceiling, by rung id of the baseline ladder.
    ceiling: &'static str,
    /// The strongest response states actually took (§5.1 "max rung"), by rung id.
    observed_max_rung: &'static str,
}

use Certainty::{Contested, Majority, Settled};
use LegalCategory::{BelowThreshold, NoStateNexus, SovereigntyViolation};

const CRITICAL: &str = "protected.critical-infrastructure";
const INTERNET: &str = "protected.internet-public-core";

/// Gold labels: `norms-and-escalation.md` §5.1 and the incident cards of §5.2, revised for the
/// baseline 2.0 (the legal-accuracy revision): the attribution caps the certainty, a political basis alone gives
/// no state act, loss of functionality of critical infrastructure violates sovereignty (the
/// majority of published positions since 2019), and in armed conflict IHL governs. The engine
/// reports the highest *established* (settled or majority) category; contested higher tiers
/// appear in `legal.because`.
const EXPECTATIONS: &[Expected] = &[
    // Estonia 2007: Russia suspected only at `roughly-even` (political, self-claimed): the state
    // act is unproven (contested); the sovereignty finding is conditional in `because`. Banks
    // and the telecommunications core were hit (13(f), the internet's public core of 2021).
    Expected {
        file: "01-estonia-2007",
        category: NoStateNexus,
        certainty: Contested,
        protected: &[
            (CRITICAL, "financial-services"),
            (CRITICAL, "telecommunications"),
            (INTERNET, "telecommunications"),
        ],
        ceiling: "law-enforcement",
        observed_max_rung: "national-attribution",
    },
    // Stuxnet: the attribution to the US rests on press reports of officials' statements, marked
    // `political` — a political basis alone establishes no state act (GGE 2015 para. 28(f)). The
    // Tallinn experts' view that it was a use of force is kept as the conditional finding.
    Expected {
        file: "02-stuxnet-2010",
        category: NoStateNexus,
        certainty: Majority,
        protected: &[("protected.dangerous-forces", "nuclear")],
        ceiling: "law-enforcement",
        observed_max_rung: "cyber-countermeasure",
    },
    // Ukraine grid 2015: sovereignty violated (loss of functionality of critical
    // infrastructure, majority), but the attribution is only `likely`: the certainty falls to
    // contested and the ceiling stays below the measures that need a firmer attribution. IHL
    // frame (armed conflict).
    Expected {
        file: "03-ukraine-grid-2015",
        category: SovereigntyViolation,
        certainty: Contested,
        protected: &[(CRITICAL, "utilities")],
        ceiling: "law-enforcement",
        observed_max_rung: "targeted-sanctions",
    },
    // WannaCry: sovereignty violation (critical healthcare services, majority); attribution
    // `very-likely` with the relationship unstated supports majority: the band opens up to
    // countermeasures (which need a prior consultation).
    Expected {
        file: "04-wannacry-2017",
        category: SovereigntyViolation,
        certainty: Majority,
        protected: &[(CRITICAL, "healthcare")],
        ceiling: "cyber-countermeasure",
        observed_max_rung: "targeted-sanctions",
    },
    // NotPetya: sovereignty violation (majority); GRU (state organ) `almost-certain` would
    // support settled, the legal rule gives majority. It happened during the armed conflict in
    // eastern Ukraine (the fixture said otherwise before): IHL frame, so no countermeasure rung.
    Expected {
        file: "05-notpetya-2017",
        category: SovereigntyViolation,
        certainty: Majority,
        protected: &[
            (CRITICAL, "energy"),
            (CRITICAL, "financial-services"),
            (CRITICAL, "transportation"),
        ],
        ceiling: "downgrade-relations",
        observed_max_rung: "targeted-sanctions",
    },
    // SolarWinds: remote espionage, below threshold (majority), SVR `very-likely`. Severity now
    // high (a Cyber Unified Coordination Group was stood up), so targeted sanctions are the
    // proportionate measure — what the US did in April 2021.
    Expected {
        file: "06-solarwinds-2020",
        category: BelowThreshold,
        certainty: Majority,
        protected: &[],
        ceiling: "expulsions",
        observed_max_rung: "expulsions",
    },
    // Colonial Pipeline: no suspected state — no-state-nexus (settled); 13(c) and 13(d) for the
    // criminal group operating abroad. Observed: the ransom seizure (law enforcement).
    Expected {
        file: "07-colonial-pipeline-2021",
        category: NoStateNexus,
        certainty: Settled,
        protected: &[(CRITICAL, "energy")],
        ceiling: "law-enforcement",
        observed_max_rung: "law-enforcement",
    },
    // Viasat KA-SAT: bricked modems (hardware replacement) give sovereignty (majority); GRU
    // `almost-certain`; IHL frame (armed conflict), with the dual-use and neutrality findings.
    Expected {
        file: "08-viasat-2022",
        category: SovereigntyViolation,
        certainty: Majority,
        protected: &[
            (CRITICAL, "energy"),
            (CRITICAL, "telecommunications"),
            (INTERNET, "telecommunications"),
        ],
        ceiling: "downgrade-relations",
        observed_max_rung: "joint-attribution",
    },
];

fn rung_number(id: &str) -> u32 {
    common::shipped("baseline")
        .rungs
        .iter()
        .find(|rung| rung.id == id)
        .unwrap()
        .number
}

#[test]
fn the_eight_incidents_match_their_gold_labels() {
    let document = common::shipped("baseline");
    assert_eq!(EXPECTATIONS.len(), common::INCIDENT_FILES.len());
    for expected in EXPECTATIONS {
        let report = common::incident(expected.file);
        let assessment = assess(&report, &document);
        let name = expected.file;
        assert_eq!(assessment.legal.category, expected.category, "{name}");
        assert_eq!(assessment.legal.certainty, expected.certainty, "{name}");
        let protected: Vec<(&str, &str)> = assessment
            .protected
            .iter()
            .map(|finding| (finding.rule.as_str(), finding.sector.as_str()))
            .collect();
        assert_eq!(protected, expected.protected, "{name}");
        assert_eq!(
            assessment.responses.ceiling,
            rung_number(expected.ceiling),
            "{name}"
        );
        // §6 gold (e): no forcible rung (military signalling and above) in any of these cases.
        assert!(
            assessment
                .responses
                .recommended
                .iter()
                .all(|rung| rung.rung < rung_number("military-signalling")),
            "{name}"
        );
        // De-escalatory options come first.
        assert_eq!(assessment.responses.recommended[0].rung, 0, "{name}");
        // In armed conflict the IHL overlay adds findings; outside it, never.
        let has_ihl = assessment
            .legal
            .because
            .iter()
            .any(|line| line.starts_with("IHL ("));
        assert_eq!(has_ihl, report.armed_conflict, "{name}");
    }
}

#[test]
fn observed_responses_fall_within_the_ceiling_where_attribution_allowed_them() {
    let document = common::shipped("baseline");
    // Incidents where the reporter's attribution confidence matches what states had when they
    // responded; Stuxnet, Ukraine and Estonia responses came with stronger later attribution or
    // were unacknowledged covert acts.
    for file in [
        "04-wannacry-2017",
        "05-notpetya-2017",
        "06-solarwinds-2020",
        "07-colonial-pipeline-2021",
        "08-viasat-2022",
    ] {
        let expected = EXPECTATIONS.iter().find(|e| e.file == file).unwrap();
        let assessment = assess(&common::incident(file), &document);
        assert!(
            rung_number(expected.observed_max_rung) <= assessment.responses.ceiling,
            "{file}: observed {} above ceiling {}",
            expected.observed_max_rung,
            assessment.responses.ceiling
        );
    }
}

#[test]
fn json_snapshots() {
    let document = common::shipped("baseline");
    for file in common::INCIDENT_FILES {
        let assessment = assess(&common::incident(file), &document);
        let json = String::from_utf8(assessment.to_json_bytes()).unwrap();
        insta::assert_snapshot!(format!("{file}.json"), json);
    }
}

#[test]
fn text_snapshots() {
    let document = common::shipped("baseline");
    for file in common::INCIDENT_FILES {
        let assessment = assess(&common::incident(file), &document);
        insta::assert_snapshot!(
            format!("{file}.txt"),
            render_assessment_text(&assessment, &document)
        );
    }
}

#[test]
fn document_summary_snapshot() {
    let document = common::shipped("baseline");
    insta::assert_snapshot!(redline_norms::render_document_summary(&document));
}

#[test]
fn repeated_runs_are_byte_identical() {
    for shipped in redline_norms::SHIPPED_DOCUMENTS {
        let first_document = common::shipped(shipped.name);
        let second_document = common::shipped(shipped.name);
        for file in common::INCIDENT_FILES {
            let report = common::incident(file);
            let first = assess(&report, &first_document).to_json_bytes();
            for _ in 0..3 {
                assert_eq!(
                    first,
                    assess(&report, &second_document).to_json_bytes(),
                    "{file}"
                );
            }
        }
    }
}

#[test]
fn the_engine_follows_the_document_not_a_hard_coded_law() {
    let baseline = common::shipped("baseline");
    let principle = common::shipped("sovereignty-as-principle");
    let strict = common::shipped("sovereignty-strict");
    // NotPetya: a sovereignty violation for the majority; for the UK position, sovereignty is no
    // standalone rule, so the category falls to below-threshold with a contested use of force.
    let notpetya = common::incident("05-notpetya-2017");
    assert_eq!(
        assess(&notpetya, &baseline).legal.category,
        SovereigntyViolation
    );
    let under_principle = assess(&notpetya, &principle);
    assert_eq!(under_principle.legal.category, BelowThreshold);
    assert_eq!(under_principle.legal.certainty, Contested);
    // A short disruption of a private company's services, attributed `very-likely`: contested
    // at most under the baseline (no essential service, so not even that), a violation under
    // the French position.
    let mut minor = common::incident("04-wannacry-2017");
    minor.targets[0].sector = redline_model::Sector::Retail;
    minor.targets[0].essential_service = false;
    minor.effects[0].scale = Some(redline_model::Scale::Local);
    assert_eq!(assess(&minor, &baseline).legal.category, BelowThreshold);
    let under_strict = assess(&minor, &strict);
    assert_eq!(under_strict.legal.category, SovereigntyViolation);
    assert_eq!(under_strict.legal.certainty, Majority);
    // Each document is named, with its hash, in the assessment.
    assert_ne!(
        assess(&minor, &baseline).norms.sha256,
        under_strict.norms.sha256
    );
}

/// The assessment text in the other UN languages: the fixed words translated, everything the
/// engine and the document wrote (explanations, titles, citations, off-ramps) as written.
#[test]
fn text_snapshots_in_every_un_language() {
    use redline_model::Language;
    let document = common::shipped("baseline");
    let file = "03-ukraine-grid-2015";
    let assessment = assess(&common::incident(file), &document);
    for language in Language::ALL {
        let text = redline_norms::render_assessment_text_in(&assessment, &document, language);
        let written: Vec<String> = assessment
            .legal
            .because
            .iter()
            .cloned()
            .chain(assessment.trace.iter().map(|entry| entry.why.to_string()))
            .chain(assessment.responses.de_escalation.iter().cloned())
            .chain([assessment.responses.why.to_string(), document.title.clone()])
            .collect();
        for verbatim in &written {
            assert!(
                text.contains(verbatim.as_str()),
                "{}: `{verbatim}` is not in the text as written",
                language.tag()
            );
        }
        if language == Language::English {
            assert_eq!(text, render_assessment_text(&assessment, &document));
            continue;
        }
        insta::assert_snapshot!(format!("{file}.{}.txt", language.tag()), text);
    }
}
