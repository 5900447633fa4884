//! The words of the assessment: legal categories, certainty, what a rule concludes, kinds of
//! rung and of duty. Spelled in kebab-case exactly as documents and assessments write them.

use serde::{Deserialize, Serialize};

/// Legal categories from the lowest to the highest (`DESIGN.md`, Assessment).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum LegalCategory {
    NoStateNexus,
    BelowThreshold,
    SovereigntyViolation,
    ProhibitedIntervention,
    UseOfForce,
    ArmedAttack,
}

impl LegalCategory {
    pub const ALL: [LegalCategory; 6] = [
        LegalCategory::NoStateNexus,
        LegalCategory::BelowThreshold,
        LegalCategory::SovereigntyViolation,
        LegalCategory::ProhibitedIntervention,
        LegalCategory::UseOfForce,
        LegalCategory::ArmedAttack,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            LegalCategory::NoStateNexus => "no-state-nexus",
            LegalCategory::BelowThreshold => "below-threshold",
            LegalCategory::SovereigntyViolation => "sovereignty-violation",
            LegalCategory::ProhibitedIntervention => "prohibited-intervention",
            LegalCategory::UseOfForce => "use-of-force",
            LegalCategory::ArmedAttack => "armed-attack",
        }
    }

    /// Words for a reader: "a sovereignty violation".
    pub fn in_words(&self) -> &'static str {
        match self {
            LegalCategory::NoStateNexus => "no state nexus (not shown to be a state act)",
            LegalCategory::BelowThreshold => "a state act below every legal threshold",
            LegalCategory::SovereigntyViolation => "a violation of sovereignty",
            LegalCategory::ProhibitedIntervention => "a prohibited intervention",
            LegalCategory::UseOfForce => "a use of force",
            LegalCategory::ArmedAttack => "an armed attack",
        }
    }
}

/// How settled a legal conclusion is, from the weakest to the strongest.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Certainty {
    Contested,
    Majority,
    Settled,
}

impl Certainty {
    pub fn as_str(&self) -> &'static str {
        match self {
            Certainty::Contested => "contested",
            Certainty::Majority => "majority",
            Certainty::Settled => "settled",
        }
    }

    /// Settled and majority views are established; contested ones are reported, not relied on.
    pub fn is_established(&self) -> bool {
        *self >= Certainty::Majority
    }
}

/// What a legal rule concludes when its condition holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Conclusion {
    /// The operation is attributable to a state (Tallinn 2.0 Rules 14–18).
    StateNexus,
    /// The operation is not shown to be a state act.
    NoStateNexus,
    /// Peacetime espionage: not unlawful per se (Rule 32); caps the category at below-threshold.
    Espionage,
    BelowThreshold,
    SovereigntyViolation,
    ProhibitedIntervention,
    UseOfForce,
    ArmedAttack,
    /// A finding of the IHL overlay; applies only when `armed_conflict` is true.
    IhlFinding,
    /// Any other finding worth stating (due diligence, spill-over); changes no category.
    Finding,
}

impl Conclusion {
    pub fn as_str(&self) -> &'static str {
        match self {
            Conclusion::StateNexus => "state-nexus",
            Conclusion::NoStateNexus => "no-state-nexus",
            Conclusion::Espionage => "espionage",
            Conclusion::BelowThreshold => "below-threshold",
            Conclusion::SovereigntyViolation => "sovereignty-violation",
            Conclusion::ProhibitedIntervention => "prohibited-intervention",
            Conclusion::UseOfForce => "use-of-force",
            Conclusion::ArmedAttack => "armed-attack",
            Conclusion::IhlFinding => "ihl-finding",
            Conclusion::Finding => "finding",
        }
    }

    /// The legal category above the nexus level that this conclusion asserts, if any.
    pub fn category(&self) -> Option<LegalCategory> {
        match self {
            Conclusion::BelowThreshold | Conclusion::Espionage => {
                Some(LegalCategory::BelowThreshold)
            }
            Conclusion::SovereigntyViolation => Some(LegalCategory::SovereigntyViolation),
            Conclusion::ProhibitedIntervention => Some(LegalCategory::ProhibitedIntervention),
            Conclusion::UseOfForce => Some(LegalCategory::UseOfForce),
            Conclusion::ArmedAttack => Some(LegalCategory::ArmedAttack),
            _ => None,
        }
    }
}

/// The legal character of a rung of the ladder (`norms-and-escalation.md` §3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RungKind {
    None,
    Cooperative,
    /// Peaceful settlement under UN Charter Art. 33: negotiation, enquiry, mediation,
    /// conciliation, arbitration, judicial settlement.
    PeacefulSettlement,
    /// The injured state's demands: cessation, assurances, reparation (ILC ARSIWA Arts 30–31).
    Demand,
    /// Accountability under international humanitarian law (armed conflict).
    Ihl,
    Retorsion,
    DomesticJurisdiction,
    Countermeasure,
    Signalling,
    SelfDefence,
}

impl RungKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            RungKind::None => "none",
            RungKind::Cooperative => "cooperative",
            RungKind::PeacefulSettlement => "peaceful-settlement",
            RungKind::Demand => "demand",
            RungKind::Ihl => "ihl",
            RungKind::Retorsion => "retorsion",
            RungKind::DomesticJurisdiction => "domestic-jurisdiction",
            RungKind::Countermeasure => "countermeasure",
            RungKind::Signalling => "signalling",
            RungKind::SelfDefence => "self-defence",
        }
    }
}

/// The duty vocabulary is shared with the other crates through the model.
pub use redline_model::DutyKind;
