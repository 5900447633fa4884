//! The NCISS (CISA National Cyber Incident Scoring System) categories and options a reporter can
//! set explicitly. Missing categories are derived from the report by the norms engine; the
//! weights and option values live in the norms document, not here.

use serde::{Deserialize, Serialize};

crate::vocabulary::vocabulary! {
    /// NCISS category 1, Functional Impact.
    FunctionalImpact {
        NoImpact => "no-impact",
        NoImpactToServices => "no-impact-to-services",
        MinimalImpactToNonCriticalServices => "minimal-impact-to-non-critical-services",
        MinimalImpactToCriticalServices => "minimal-impact-to-critical-services",
        SignificantImpactToNonCriticalServices => "significant-impact-to-non-critical-services",
        DenialOfNonCriticalServices => "denial-of-non-critical-services",
        SignificantImpactToCriticalServices => "significant-impact-to-critical-services",
        DenialOfCriticalServices => "denial-of-critical-services",
    }
}

crate::vocabulary::vocabulary! {
    /// NCISS category 2, Observed Activity (the ODNI Cyber Threat Framework stages).
    ObservedActivity {
        None => "none",
        Prepare => "prepare",
        Engage => "engage",
        Presence => "presence",
        Effect => "effect",
    }
}

crate::vocabulary::vocabulary! {
    /// NCISS category 3, Location of Observed Activity.
    LocationOfObservedActivity {
        BusinessDmz => "business-dmz",
        BusinessNetwork => "business-network",
        Unknown => "unknown",
        BusinessNetworkManagement => "business-network-management",
        CriticalSystemDmz => "critical-system-dmz",
        CriticalSystemManagement => "critical-system-management",
        CriticalSystems => "critical-systems",
        SafetySystems => "safety-systems",
    }
}

crate::vocabulary::vocabulary! {
    /// NCISS category 4, Actor Characterization.
    ActorCharacterization {
        Hacktivists => "hacktivists",
        UnwittingInsider => "unwitting-insider",
        Criminal => "criminal",
        Unknown => "unknown",
        WittingInsider => "witting-insider",
        Apt => "apt",
        AptTargeted => "apt-targeted",
    }
}

crate::vocabulary::vocabulary! {
    /// NCISS category 5, Information Impact.
    InformationImpact {
        NoImpact => "no-impact",
        SuspectedButNotIdentified => "suspected-but-not-identified",
        PrivacyDataBreach => "privacy-data-breach",
        ProprietaryInformationBreach => "proprietary-information-breach",
        DestructionOfNonCriticalSystem => "destruction-of-non-critical-system",
        CriticalSystemsDataBreach => "critical-systems-data-breach",
        CoreCredentialCompromise => "core-credential-compromise",
        DestructionOfCriticalSystem => "destruction-of-critical-system",
    }
}

crate::vocabulary::vocabulary! {
    /// NCISS category 6, Recoverability.
    Recoverability {
        Regular => "regular",
        Supplemented => "supplemented",
        Extended => "extended",
        NotRecoverable => "not-recoverable",
    }
}

crate::vocabulary::vocabulary! {
    /// NCISS category 7, Cross-Sector Dependency (the US critical-infrastructure sectors).
    CrossSectorDependency {
        AgricultureAndFood => "agriculture-and-food",
        BankingAndFinance => "banking-and-finance",
        Chemical => "chemical",
        CommercialFacilities => "commercial-facilities",
        Communications => "communications",
        CriticalManufacturing => "critical-manufacturing",
        Dams => "dams",
        DefenseIndustrialBase => "defense-industrial-base",
        EmergencyServices => "emergency-services",
        Energy => "energy",
        GovernmentFacilities => "government-facilities",
        HealthcareAndPublicHealth => "healthcare-and-public-health",
        InformationTechnology => "information-technology",
        Nuclear => "nuclear",
        TransportationSystems => "transportation-systems",
        Water => "water",
    }
}

crate::vocabulary::vocabulary! {
    /// NCISS category 8, Potential Impact.
    PotentialImpact {
        Minimal => "minimal",
        Low => "low",
        Moderate => "moderate",
        High => "high",
        Severe => "severe",
    }
}

/// Explicit NCISS choices; every category is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NcissOverrides {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub functional_impact: Option<FunctionalImpact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_activity: Option<ObservedActivity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_of_observed_activity: Option<LocationOfObservedActivity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_characterization: Option<ActorCharacterization>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub information_impact: Option<InformationImpact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recoverability: Option<Recoverability>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_sector_dependency: Option<CrossSectorDependency>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub potential_impact: Option<PotentialImpact>,
}

impl NcissOverrides {
    /// Each category's id (as a norms document names it) with the option chosen, if any, in
    /// NCISS order.
    pub fn chosen_options(&self) -> [(&'static str, Option<&'static str>); 8] {
        [
            (
                "functional_impact",
                self.functional_impact.map(|option| option.as_str()),
            ),
            (
                "observed_activity",
                self.observed_activity.map(|option| option.as_str()),
            ),
            (
                "location_of_observed_activity",
                self.location_of_observed_activity
                    .map(|option| option.as_str()),
            ),
            (
                "actor_characterization",
                self.actor_characterization.map(|option| option.as_str()),
            ),
            (
                "information_impact",
                self.information_impact.map(|option| option.as_str()),
            ),
            (
                "recoverability",
                self.recoverability.map(|option| option.as_str()),
            ),
            (
                "cross_sector_dependency",
                self.cross_sector_dependency.map(|option| option.as_str()),
            ),
            (
                "potential_impact",
                self.potential_impact.map(|option| option.as_str()),
            ),
        ]
    }
}
