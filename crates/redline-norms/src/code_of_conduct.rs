//! The code of conduct for public attribution: the `[[conduct]]` clauses of a norms document,
//! each a CEL condition over an attribution claim, its co-signers and its consultation record,
//! and the one decision of whether a claim may be published — with every failed clause named.
//!
//! A clause holds when its `when` is true. A claim may be published only when every clause holds.
//! The variables a clause may name (checked at load time like the rules' conditions):
//!
//! - `claim`: `{confidence, confidence_rank, analytic_confidence, basis, relationship,
//!   named_state, named_is_party, actor, evidence_count, digest_evidence_count, tlp, version}`;
//! - `cosigners`: a list of `{party, confidence, confidence_rank}`, and `cosigner_count`;
//! - `consultation`: `{offered, answered, deadline_passed, reply_position, outcome}` (empty
//!   strings where there is no reply or outcome yet);
//! - `confidence_rank`: the ICD 203 words to their rank (`confidence_rank["likely"]` is 4).

use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::Arc;

use cel::{Context, Program, Value};
use redline_model::{AttributionBasis, AttributionRelationship, Confidence, Tlp};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::conditions::Shape;
use crate::facts::confidence_rank;

/// One clause of the code of conduct, as the TOML gives it.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "ConductClause")]
pub(crate) struct RawConductClause {
    #[schemars(with = "String")]
    pub(crate) id: Spanned<String>,
    pub(crate) title: String,
    #[schemars(with = "String")]
    pub(crate) when: Spanned<String>,
    /// What a refusal says when the clause fails.
    pub(crate) refusal: String,
    #[schemars(with = "String")]
    pub(crate) basis: Spanned<String>,
}

/// One compiled clause.
pub struct ConductClause {
    pub id: String,
    pub title: String,
    pub refusal: String,
    pub basis: String,
    pub condition_source: String,
    program: Program,
}

impl std::fmt::Debug for ConductClause {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ConductClause")
            .field("id", &self.id)
            .field("when", &self.condition_source)
            .finish_non_exhaustive()
    }
}

/// The code of conduct of a document; empty when the document has no `[[conduct]]` clause.
#[derive(Debug, Default)]
pub struct CodeOfConduct {
    pub clauses: Vec<ConductClause>,
}

/// The claim as the code of conduct reads it.
#[derive(Debug, Clone, Serialize)]
pub struct ConductClaim {
    pub confidence: Confidence,
    pub analytic_confidence: Option<String>,
    pub basis: Vec<AttributionBasis>,
    pub relationship: AttributionRelationship,
    pub named_state: String,
    pub named_is_party: bool,
    pub actor: Option<String>,
    pub evidence_count: usize,
    pub digest_evidence_count: usize,
    pub tlp: Tlp,
    pub version: u32,
}

/// One co-signer as the code of conduct reads it.
#[derive(Debug, Clone, Serialize)]
pub struct ConductCosigner {
    pub party: String,
    pub confidence: Confidence,
}

/// The consultation of the named state, as the code of conduct reads it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ConductConsultation {
    pub offered: bool,
    pub answered: bool,
    pub deadline_passed: bool,
    /// The reply's position word, if answered.
    pub reply_position: Option<String>,
    /// The latest outcome word, if any.
    pub outcome: Option<String>,
}

/// Everything a clause may read.
#[derive(Debug, Clone)]
pub struct ConductInput {
    pub claim: ConductClaim,
    pub cosigners: Vec<ConductCosigner>,
    pub consultation: ConductConsultation,
}

/// A clause that failed, with what the refusal says and its basis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedClause {
    pub id: String,
    pub title: String,
    pub refusal: String,
    pub basis: String,
}

/// The code of conduct's decision on one claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConductDecision {
    /// Clause ids that hold, in document order.
    pub held: Vec<String>,
    /// Clauses that failed, in document order (an evaluation error counts as failed).
    pub failed: Vec<FailedClause>,
}

impl ConductDecision {
    pub fn allows_publication(&self) -> bool {
        self.failed.is_empty()
    }
}

impl CodeOfConduct {
    /// Decides whether a claim may be published: every clause evaluated, every failure named.
    pub fn decide(&self, input: &ConductInput) -> ConductDecision {
        let context = conduct_context(input);
        let mut decision = ConductDecision {
            held: Vec::new(),
            failed: Vec::new(),
        };
        for clause in &self.clauses {
            let holds = matches!(clause.program.execute(&context), Ok(Value::Bool(true)));
            if holds {
                decision.held.push(clause.id.clone());
            } else {
                decision.failed.push(FailedClause {
                    id: clause.id.clone(),
                    title: clause.title.clone(),
                    refusal: clause.refusal.clone(),
                    basis: clause.basis.clone(),
                });
            }
        }
        decision
    }
}

/// The CEL values of one decision. Serialising plain structs of strings, numbers and lists
/// cannot fail; a value that did would read as absent, and the clause naming it would fail.
fn conduct_context(input: &ConductInput) -> Context<'static, 'static> {
    #[derive(Serialize)]
    struct ClaimValue<'a> {
        confidence: &'static str,
        confidence_rank: i64,
        analytic_confidence: &'a str,
        basis: Vec<&'static str>,
        relationship: &'static str,
        named_state: &'a str,
        named_is_party: bool,
        actor: &'a str,
        evidence_count: i64,
        digest_evidence_count: i64,
        tlp: &'static str,
        version: i64,
    }
    #[derive(Serialize)]
    struct CosignerValue<'a> {
        party: &'a str,
        confidence: &'static str,
        confidence_rank: i64,
    }
    #[derive(Serialize)]
    struct ConsultationValue<'a> {
        offered: bool,
        answered: bool,
        deadline_passed: bool,
        reply_position: &'a str,
        outcome: &'a str,
    }
    let claim = &input.claim;
    let claim_value = ClaimValue {
        confidence: claim.confidence.as_str(),
        confidence_rank: confidence_rank(claim.confidence),
        analytic_confidence: claim.analytic_confidence.as_deref().unwrap_or(""),
        basis: claim.basis.iter().map(AttributionBasis::as_str).collect(),
        relationship: claim.relationship.as_str(),
        named_state: &claim.named_state,
        named_is_party: claim.named_is_party,
        actor: claim.actor.as_deref().unwrap_or(""),
        evidence_count: saturating(claim.evidence_count),
        digest_evidence_count: saturating(claim.digest_evidence_count),
        tlp: claim.tlp.as_str(),
        version: i64::from(claim.version),
    };
    let cosigners: Vec<CosignerValue<'_>> = input
        .cosigners
        .iter()
        .map(|cosigner| CosignerValue {
            party: &cosigner.party,
            confidence: cosigner.confidence.as_str(),
            confidence_rank: confidence_rank(cosigner.confidence),
        })
        .collect();
    let consultation = &input.consultation;
    let consultation_value = ConsultationValue {
        offered: consultation.offered,
        answered: consultation.answered,
        deadline_passed: consultation.deadline_passed,
        reply_position: consultation.reply_position.as_deref().unwrap_or(""),
        outcome: consultation.outcome.as_deref().unwrap_or(""),
    };
    let ranks: std::collections::HashMap<&'static str, i64> = Confidence::ALL
        .iter()
        .map(|confidence| (confidence.as_str(), confidence_rank(*confidence)))
        .collect();
    let mut context = Context::default();
    let _ = context.add_variable("claim", &claim_value);
    let _ = context.add_variable("cosigners", &cosigners);
    let _ = context.add_variable("cosigner_count", saturating(cosigners.len()));
    let _ = context.add_variable("consultation", &consultation_value);
    let _ = context.add_variable("confidence_rank", &ranks);
    context
}

fn saturating(count: usize) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// The names a clause may use, with their shapes, for the load-time check.
pub(crate) fn conduct_variable_shapes() -> Vec<(&'static str, Shape)> {
    let word = |all: Vec<&'static str>| Shape::Word(Arc::new(all));
    let confidence = || word(Confidence::ALL.iter().map(Confidence::as_str).collect());
    let claim = Shape::Record(Arc::new(vec![
        ("confidence", confidence()),
        ("confidence_rank", Shape::Int),
        (
            "analytic_confidence",
            word(vec!["", "low", "moderate", "high"]),
        ),
        (
            "basis",
            Shape::List(Box::new(word(
                AttributionBasis::ALL
                    .iter()
                    .map(AttributionBasis::as_str)
                    .collect(),
            ))),
        ),
        (
            "relationship",
            word(
                AttributionRelationship::ALL
                    .iter()
                    .map(AttributionRelationship::as_str)
                    .collect(),
            ),
        ),
        ("named_state", Shape::Text),
        ("named_is_party", Shape::Bool),
        ("actor", Shape::Text),
        ("evidence_count", Shape::Int),
        ("digest_evidence_count", Shape::Int),
        ("tlp", word(Tlp::ALL.iter().map(Tlp::as_str).collect())),
        ("version", Shape::Int),
    ]));
    let cosigner = Shape::Record(Arc::new(vec![
        ("party", Shape::Text),
        ("confidence", confidence()),
        ("confidence_rank", Shape::Int),
    ]));
    let consultation = Shape::Record(Arc::new(vec![
        ("offered", Shape::Bool),
        ("answered", Shape::Bool),
        ("deadline_passed", Shape::Bool),
        (
            "reply_position",
            word(vec![
                "",
                "deny",
                "acknowledge",
                "explain",
                "offer-joint-investigation",
                "cooperate",
            ]),
        ),
        (
            "outcome",
            word(vec![
                "",
                "resolved",
                "joint-investigation-agreed",
                "referred-to-mediation",
                "failed",
            ]),
        ),
    ]));
    vec![
        ("claim", claim),
        ("cosigners", Shape::List(Box::new(cosigner))),
        ("cosigner_count", Shape::Int),
        ("consultation", consultation),
        (
            "confidence_rank",
            Shape::Lookup(Arc::new(
                Confidence::ALL.iter().map(Confidence::as_str).collect(),
            )),
        ),
    ]
}

/// What the document's validator lends this module: its error list and CEL compiler.
pub(crate) trait ConductCompiler {
    fn report(&mut self, span: Range<usize>, message: String);
    fn require_slug(&mut self, value: &Spanned<String>, what: &str);
    fn require_text(&mut self, value: &Spanned<String>, what: &str);
    /// Compiles and checks `when` against `globals`; `None` after reporting its problems.
    fn compile_condition(
        &mut self,
        when: &Spanned<String>,
        owner: &str,
        globals: Vec<(&'static str, Shape)>,
    ) -> Option<(String, Program)>;
}

/// The `[[conduct]]` stage of the document's parse: every clause checked, ids unique.
pub(crate) fn code_of_conduct(
    compiler: &mut dyn ConductCompiler,
    raw: Vec<Spanned<RawConductClause>>,
) -> CodeOfConduct {
    let mut seen = BTreeSet::new();
    let mut clauses = Vec::new();
    for spanned in raw {
        let clause = spanned.into_inner();
        compiler.require_slug(&clause.id, "conduct clause id");
        compiler.require_text(&clause.basis, "the basis of a conduct clause");
        if !seen.insert(clause.id.get_ref().clone()) {
            compiler.report(
                clause.id.span(),
                format!("conduct clause `{}` is defined twice", clause.id.get_ref()),
            );
        }
        let owner = format!("conduct clause `{}`", clause.id.get_ref());
        if let Some((condition_source, program)) =
            compiler.compile_condition(&clause.when, &owner, conduct_variable_shapes())
        {
            clauses.push(ConductClause {
                id: clause.id.into_inner(),
                title: clause.title,
                refusal: clause.refusal,
                basis: clause.basis.into_inner(),
                condition_source,
                program,
            });
        }
    }
    CodeOfConduct { clauses }
}
