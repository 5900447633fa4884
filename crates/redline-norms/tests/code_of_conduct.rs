//! The code of conduct for public attribution, clause by clause: one row per case — a change to
//! a claim that meets every clause of the baseline, and the clauses that then fail.

use redline_model::{AttributionBasis, AttributionRelationship, Confidence, Tlp};
use redline_norms::NormsDocument;
use redline_norms::code_of_conduct::{
    ConductClaim, ConductConsultation, ConductCosigner, ConductInput,
};

fn baseline() -> NormsDocument {
    NormsDocument::parse(redline_norms::baseline(), "norms/baseline.toml").expect("baseline")
}

/// A claim that meets every clause: likely or better, technical basis, a state organ, one
/// digest, the named party consulted and answered.
fn publishable() -> ConductInput {
    ConductInput {
        claim: ConductClaim {
            confidence: Confidence::VeryLikely,
            analytic_confidence: Some("moderate".into()),
            basis: vec![AttributionBasis::Technical, AttributionBasis::Political],
            relationship: AttributionRelationship::StateOrgan,
            named_state: "RU".into(),
            named_is_party: true,
            actor: Some("APT28".into()),
            evidence_count: 1,
            digest_evidence_count: 1,
            tlp: Tlp::Clear,
            version: 1,
        },
        cosigners: Vec::new(),
        consultation: ConductConsultation {
            offered: true,
            answered: true,
            deadline_passed: false,
            reply_position: Some("deny".into()),
            outcome: None,
        },
    }
}

fn check(change: impl FnOnce(&mut ConductInput), expected_failures: &[&str]) {
    let document = baseline();
    let mut input = publishable();
    change(&mut input);
    let decision = document.code_of_conduct.decide(&input);
    let failed: Vec<&str> = decision
        .failed
        .iter()
        .map(|clause| clause.id.as_str())
        .collect();
    assert_eq!(failed, expected_failures, "for {input:?}");
    assert_eq!(decision.allows_publication(), expected_failures.is_empty());
}

#[test]
fn each_clause_of_the_baseline_code_refuses_what_it_names() {
    check(|_| {}, &[]);
    check(
        |input| input.claim.confidence = Confidence::RoughlyEven,
        &["confidence-at-least-likely"],
    );
    check(|input| input.claim.confidence = Confidence::Likely, &[]);
    check(
        |input| input.claim.basis = vec![AttributionBasis::Political],
        &["basis-beyond-political"],
    );
    check(
        |input| input.claim.basis = vec![AttributionBasis::SelfClaimed],
        &[],
    );
    check(
        |input| input.claim.relationship = AttributionRelationship::TerritoryOnly,
        &["territory-is-not-attribution"],
    );
    check(
        |input| input.claim.evidence_count = 0,
        &["evidence-to-corroborate"],
    );
    // Consultation: not offered, offered but unanswered and within its deadline, past it.
    check(
        |input| input.consultation = ConductConsultation::default(),
        &["consultation-before-naming"],
    );
    check(
        |input| {
            input.consultation.answered = false;
            input.consultation.reply_position = None;
        },
        &["consultation-before-naming"],
    );
    check(
        |input| {
            input.consultation.answered = false;
            input.consultation.reply_position = None;
            input.consultation.deadline_passed = true;
        },
        &[],
    );
    // A state that is not a party cannot be consulted on the node: the clause does not bind.
    check(
        |input| {
            input.claim.named_is_party = false;
            input.consultation = ConductConsultation::default();
        },
        &[],
    );
    // Several failures are all named, in document order.
    check(
        |input| {
            input.claim.confidence = Confidence::Unlikely;
            input.claim.basis = vec![AttributionBasis::Political];
            input.claim.evidence_count = 0;
        },
        &[
            "confidence-at-least-likely",
            "basis-beyond-political",
            "evidence-to-corroborate",
        ],
    );
}

#[test]
fn a_document_can_ask_for_joint_attribution() {
    let text = format!(
        "{}\n[[conduct]]\nid = \"joint\"\ntitle = \"Two co-signers, each at least likely\"\nwhen = 'cosigner_count >= 2 && cosigners.all(c, c.confidence_rank >= confidence_rank[\"likely\"])'\nrefusal = \"publication needs two co-signers\"\nbasis = \"adopted by the parties\"\n",
        redline_norms::baseline()
    );
    let document = NormsDocument::parse(&text, "joint.toml").expect("valid");
    let cosigner = |party: &str, confidence| ConductCosigner {
        party: party.into(),
        confidence,
    };
    let mut input = publishable();
    let failed = |input: &ConductInput| -> Vec<String> {
        document
            .code_of_conduct
            .decide(input)
            .failed
            .into_iter()
            .map(|clause| clause.id)
            .collect()
    };
    assert_eq!(failed(&input), vec!["joint"]);
    input.cosigners = vec![
        cosigner("LV", Confidence::Likely),
        cosigner("LT", Confidence::Unlikely),
    ];
    assert_eq!(failed(&input), vec!["joint"]);
    input.cosigners[1].confidence = Confidence::VeryLikely;
    assert!(failed(&input).is_empty());
}

#[test]
fn a_clause_that_names_what_a_claim_does_not_have_is_a_load_error() {
    let text = format!(
        "{}\n[[conduct]]\nid = \"bad\"\ntitle = \"t\"\nwhen = 'claim.confidense == \"likely\" && report.tlp == \"clear\"'\nrefusal = \"r\"\nbasis = \"b\"\n",
        redline_norms::baseline()
    );
    let error = NormsDocument::parse(&text, "bad.toml")
        .expect_err("refused")
        .to_string();
    assert!(error.contains("no field `confidense`"), "{error}");
    assert!(error.contains("unknown name `report`"), "{error}");
    assert!(error.contains("conduct clause `bad`"), "{error}");
}
