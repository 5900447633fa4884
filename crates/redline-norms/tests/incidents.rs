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
    ceiling: u32,
    /// The highest rung of the observed responses in §5.1 ("max rung").
    observed_max_rung: u32,
}

use Certainty::{Contested, Majority, Settled};
use LegalCategory::{BelowThreshold, NoStateNexus, SovereigntyViolation, UseOfForce};

const CRITICAL: &str = "protected.critical-infrastructure";

/// Gold labels: `norms-and-escalation.md` §5.1 table ("Legal tier (certainty)" and "max rung")
/// and the incident cards of §5.2. The engine reports the highest *established* (settled or
/// majority) category; contested higher tiers appear in `legal.because`, not as the category.
const EXPECTATIONS: &[Expected] = &[
    // Estonia 2007. Gold: "below use of force (settled); state act unproven; sovereignty
    // contested". The report suspects Russia only at `roughly-even` (political, self-claimed):
    // the state act is unproven, so no-state-nexus, contested; the sovereignty finding is listed
    // as conditional in `because`. Ceiling 7: rungs 1, 2, 4, 7 of §3.4 for a non-state act.
    // Observed max rung 5 (Estonian accusations) lies under the ceiling but needs `likely`.
    Expected {
        file: "01-estonia-2007",
        category: NoStateNexus,
        certainty: Contested,
        protected: &[
            (CRITICAL, "financial-services"),
            (CRITICAL, "telecommunications"),
        ],
        ceiling: 7,
        observed_max_rung: 5,
    },
    // Stuxnet. Gold: "use of force (Tallinn experts unanimous); armed attack contested". The
    // contested armed attack is in `because`; self-defence rungs stay locked. Attribution only
    // `likely` (press reports) caps the ceiling at 7 (§3.4: likely → ≤ 7). Natanz: works
    // containing dangerous forces (nuclear), protected by policy in peacetime.
    Expected {
        file: "02-stuxnet-2010",
        category: UseOfForce,
        certainty: Settled,
        protected: &[("protected.dangerous-forces", "nuclear")],
        ceiling: 7,
        observed_max_rung: 12,
    },
    // Ukraine grid 2015. Gold: "IHL context; attack on civilian object (likely unlawful);
    // sovereignty violation; use of force contested". Physical damage on Ukrainian territory
    // gives sovereignty (settled among supporters of the rule, §2.4); the IHL overlay adds the
    // civilian-object finding; use of force is listed as contested. Attribution `likely` → 7.
    Expected {
        file: "03-ukraine-grid-2015",
        category: SovereigntyViolation,
        certainty: Settled,
        protected: &[(CRITICAL, "utilities")],
        ceiling: 7,
        observed_max_rung: 8,
    },
    // WannaCry. Gold: "sovereignty violation (majority, if state); not use of force; health CI".
    // Attribution `very-likely` opens the full band up to countermeasures (12).
    Expected {
        file: "04-wannacry-2017",
        category: SovereigntyViolation,
        certainty: Majority,
        protected: &[(CRITICAL, "healthcare")],
        ceiling: 12,
        observed_max_rung: 8,
    },
    // NotPetya. Gold: "sovereignty violation (majority); use of force contested; spill-over".
    Expected {
        file: "05-notpetya-2017",
        category: SovereigntyViolation,
        certainty: Majority,
        protected: &[
            (CRITICAL, "energy"),
            (CRITICAL, "financial-services"),
            (CRITICAL, "transportation"),
        ],
        ceiling: 12,
        observed_max_rung: 8,
    },
    // SolarWinds. Gold: "espionage — not illegal (majority scholarly view)"; §3.4: espionage
    // → 0–6, optionally 7–9 as retorsion (the SolarWinds precedent: sanctions, expulsions).
    Expected {
        file: "06-solarwinds-2020",
        category: BelowThreshold,
        certainty: Majority,
        protected: &[],
        ceiling: 9,
        observed_max_rung: 9,
    },
    // Colonial Pipeline. Gold: "not a state act; due diligence (Russia)". No suspected state:
    // no-state-nexus (settled); the due-diligence finding is in `because`. §3.4: not a state
    // act → rungs 1, 2, 4, 7; observed max rung 7 (ransom seizure).
    Expected {
        file: "07-colonial-pipeline-2021",
        category: NoStateNexus,
        certainty: Settled,
        protected: &[(CRITICAL, "energy")],
        ceiling: 7,
        observed_max_rung: 7,
    },
    // Viasat KA-SAT. Gold: "IHL context; dual-use target; spill-over/neutrality contested".
    // Bricked modems (hardware replacement) give sovereignty (majority); the IHL overlay adds
    // the dual-use and neutrality findings (contested).
    Expected {
        file: "08-viasat-2022",
        category: SovereigntyViolation,
        certainty: Majority,
        protected: &[(CRITICAL, "energy"), (CRITICAL, "telecommunications")],
        ceiling: 12,
        observed_max_rung: 6,
    },
];

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
        assert_eq!(assessment.responses.ceiling, expected.ceiling, "{name}");
        // §6 gold (e): no forcible rung (13 and above) in any of these cases.
        assert!(
            assessment
                .responses
                .recommended
                .iter()
                .all(|rung| rung.rung < 13),
            "{name}"
        );
        // De-escalatory options come first.
        assert_eq!(assessment.responses.recommended[0].rung, 0, "{name}");
        // In armed conflict the IHL overlay adds findings; outside it, never.
        let has_ihl = assessment
            .legal
            .because
            .iter()
            .any(|line| line.starts_with("IHL overlay"));
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
            expected.observed_max_rung <= assessment.responses.ceiling,
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
