//! The words of the assessment: legal categories, certainty, what a rule concludes, kinds of
//! rung and of duty. Spelled in kebab-case exactly as documents and assessments write them.

redline_model::vocabulary! {
    /// Legal categories from the lowest to the highest (`DESIGN.md`, Assessment).
    LegalCategory {
        NoStateNexus => "no-state-nexus",
        BelowThreshold => "below-threshold",
        SovereigntyViolation => "sovereignty-violation",
        ProhibitedIntervention => "prohibited-intervention",
        UseOfForce => "use-of-force",
        ArmedAttack => "armed-attack",
    }
}

impl LegalCategory {
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

redline_model::vocabulary! {
    /// How settled a legal conclusion is, from the weakest to the strongest.
    Certainty {
        Contested => "contested",
        Majority => "majority",
        Settled => "settled",
    }
}

impl Certainty {
    /// Settled and majority views are established; contested ones are reported, not relied on.
    pub fn is_established(&self) -> bool {
        *self >= Certainty::Majority
    }
}

redline_model::vocabulary! {
    /// What a legal rule concludes when its condition holds.
    Conclusion {
        /// The operation is attributable to a state (Tallinn 2.0 Rules 14–18).
        StateNexus => "state-nexus",
        /// The operation is not shown to be a state act.
        NoStateNexus => "no-state-nexus",
        /// Peacetime espionage: not unlawful per se (Rule 32); caps the category at below-threshold.
        Espionage => "espionage",
        BelowThreshold => "below-threshold",
        SovereigntyViolation => "sovereignty-violation",
        ProhibitedIntervention => "prohibited-intervention",
        UseOfForce => "use-of-force",
        ArmedAttack => "armed-attack",
        /// A finding of the IHL overlay; applies only when `armed_conflict` is true.
        IhlFinding => "ihl-finding",
        /// Any other finding worth stating (due diligence, spill-over); changes no category.
        Finding => "finding",
    }
}

impl Conclusion {
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

redline_model::vocabulary! {
    /// The legal character of a rung of the ladder (`norms-and-escalation.md` §3.4).
    RungKind {
        None => "none",
        Cooperative => "cooperative",
        /// Peaceful settlement under UN Charter Art. 33: negotiation, enquiry, mediation,
        /// conciliation, arbitration, judicial settlement.
        PeacefulSettlement => "peaceful-settlement",
        /// The injured state's demands: cessation, assurances, reparation (ILC ARSIWA Arts 30–31).
        Demand => "demand",
        /// Accountability under international humanitarian law (armed conflict).
        Ihl => "ihl",
        Retorsion => "retorsion",
        DomesticJurisdiction => "domestic-jurisdiction",
        Countermeasure => "countermeasure",
        Signalling => "signalling",
        SelfDefence => "self-defence",
    }
}

/// The duty vocabulary is shared with the other crates through the model.
pub use redline_model::DutyKind;
