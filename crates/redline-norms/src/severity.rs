//! The NCISS severity model: the eight categories and their option ids (the model crate's
//! vocabulary), the derivation of every category from the report when the reporter did not set
//! it, and the weighted score and level under a document's weights, values and bands.

use redline_model::{
    IncidentReport, Sector,
    nciss::{
        ActorCharacterization, CrossSectorDependency, FunctionalImpact, InformationImpact,
        LocationOfObservedActivity, ObservedActivity, PotentialImpact, Recoverability,
    },
};

use std::borrow::Cow;

use crate::facts::{ReportFacts, effect_rank};

/// The eight NCISS categories, in the order of `standards.md` §5.2.
pub const CATEGORY_IDS: [&str; 8] = [
    "functional_impact",
    "observed_activity",
    "location_of_observed_activity",
    "actor_characterization",
    "information_impact",
    "recoverability",
    "cross_sector_dependency",
    "potential_impact",
];

/// The option ids a category accepts, as the model spells them.
pub fn option_ids(category: &str) -> Vec<&'static str> {
    fn ids<T: Copy>(all: &[T], text: fn(&T) -> &'static str) -> Vec<&'static str> {
        all.iter().map(text).collect()
    }
    match category {
        "functional_impact" => ids(FunctionalImpact::ALL, FunctionalImpact::as_str),
        "observed_activity" => ids(ObservedActivity::ALL, ObservedActivity::as_str),
        "location_of_observed_activity" => ids(
            LocationOfObservedActivity::ALL,
            LocationOfObservedActivity::as_str,
        ),
        "actor_characterization" => ids(ActorCharacterization::ALL, ActorCharacterization::as_str),
        "information_impact" => ids(InformationImpact::ALL, InformationImpact::as_str),
        "recoverability" => ids(Recoverability::ALL, Recoverability::as_str),
        "cross_sector_dependency" => ids(CrossSectorDependency::ALL, CrossSectorDependency::as_str),
        "potential_impact" => ids(PotentialImpact::ALL, PotentialImpact::as_str),
        _ => Vec::new(),
    }
}

/// The option chosen for one category, and whether the reporter set it or the engine derived it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChosenOption {
    pub category: &'static str,
    pub option: &'static str,
    pub overridden: bool,
    pub why: Cow<'static, str>,
}

const DISRUPTION: i64 = 3;
const DATA_DESTRUCTION: i64 = 4;
const DESTRUCTION: i64 = 5;
const PHYSICAL_DAMAGE: i64 = 6;
const INJURY: i64 = 7;

/// The NCISS option of every category: the reporter's override where given, else derived.
pub fn choose_options(report: &IncidentReport, facts: &ReportFacts) -> [ChosenOption; 8] {
    let explicit = report.nciss.clone().unwrap_or_default().chosen_options();
    let chosen = |(category, explicit): (&'static str, Option<&'static str>),
                  derived: (&'static str, Cow<'static, str>)| {
        match explicit {
            Some(option) => ChosenOption {
                category,
                option,
                overridden: true,
                why: Cow::Borrowed("set by the reporter"),
            },
            None => ChosenOption {
                category,
                option: derived.0,
                overridden: false,
                why: derived.1,
            },
        }
    };
    [
        chosen(explicit[0], derive_functional_impact(facts)),
        chosen(explicit[1], derive_observed_activity(facts)),
        chosen(explicit[2], derive_location(facts)),
        chosen(explicit[3], derive_actor(facts)),
        chosen(explicit[4], derive_information_impact(report)),
        chosen(explicit[5], derive_recoverability(facts)),
        chosen(explicit[6], derive_cross_sector(facts)),
        chosen(explicit[7], derive_potential_impact(facts)),
    ]
}

fn derive_functional_impact(facts: &ReportFacts) -> (&'static str, Cow<'static, str>) {
    if facts.max_effect_rank < DISRUPTION {
        return (
            FunctionalImpact::NoImpactToServices.as_str(),
            "derived: no effect disrupts a service".into(),
        );
    }
    if facts.any_essential_service {
        let denial = facts.max_effect_rank >= DESTRUCTION
            || facts.people_affected_total >= 1_000_000
            || (facts.max_scale_rank >= 2 && facts.max_duration_hours >= 168.0);
        if denial {
            (
                FunctionalImpact::DenialOfCriticalServices.as_str(),
                "derived: an essential service destroyed, or impaired for a million people or more, or nationally for a week or more".into(),
            )
        } else {
            (
                FunctionalImpact::SignificantImpactToCriticalServices.as_str(),
                "derived: an essential service impaired".into(),
            )
        }
    } else if facts.max_effect_rank >= DATA_DESTRUCTION {
        (
            FunctionalImpact::DenialOfNonCriticalServices.as_str(),
            "derived: data or systems destroyed in services not marked essential".into(),
        )
    } else {
        (
            FunctionalImpact::SignificantImpactToNonCriticalServices.as_str(),
            "derived: services not marked essential disrupted".into(),
        )
    }
}

fn derive_observed_activity(facts: &ReportFacts) -> (&'static str, Cow<'static, str>) {
    if facts.espionage_only {
        (
            ObservedActivity::Presence.as_str(),
            "derived: espionage or data theft only, the actor was present".into(),
        )
    } else {
        (
            ObservedActivity::Effect.as_str(),
            "derived: the operation had an effect beyond espionage".into(),
        )
    }
}

fn derive_location(facts: &ReportFacts) -> (&'static str, Cow<'static, str>) {
    if facts.ics_techniques || facts.max_effect_rank >= PHYSICAL_DAMAGE {
        (
            LocationOfObservedActivity::CriticalSystems.as_str(),
            "derived: ATT&CK for ICS techniques or physical effects reach critical systems".into(),
        )
    } else if facts.max_effect_rank >= DISRUPTION && facts.any_essential_service {
        (
            LocationOfObservedActivity::CriticalSystemManagement.as_str(),
            "derived: effects on an essential service".into(),
        )
    } else if facts.max_effect_rank >= DISRUPTION {
        (
            LocationOfObservedActivity::BusinessNetworkManagement.as_str(),
            "derived: effects on business networks".into(),
        )
    } else {
        (
            LocationOfObservedActivity::Unknown.as_str(),
            "derived: no effect shows where the actor was".into(),
        )
    }
}

fn derive_actor(facts: &ReportFacts) -> (&'static str, Cow<'static, str>) {
    if facts.attribution_confidence_rank >= 4 {
        (
            ActorCharacterization::Apt.as_str(),
            "derived: a state is suspected with at least roughly even confidence".into(),
        )
    } else {
        (
            ActorCharacterization::Unknown.as_str(),
            "derived: no state is suspected with at least roughly even confidence".into(),
        )
    }
}

fn derive_information_impact(report: &IncidentReport) -> (&'static str, Cow<'static, str>) {
    let mut best = (
        InformationImpact::NoImpact,
        Cow::Borrowed("derived: no effect on information"),
    );
    let essential = report.targets.iter().any(|target| target.essential_service);
    // A breach of government, defence or critical-infrastructure systems, at national scale, or
    // of a million people's records reaches critical systems' data (OPM 2015, Equifax 2017).
    let critical_breach = essential
        || report
            .targets
            .iter()
            .any(|target| crate::facts::GOVERNMENTAL_SECTORS.contains(&target.sector))
        || report.effects.iter().any(|effect| {
            effect
                .scale
                .is_some_and(|scale| crate::facts::scale_rank(scale) >= 2)
        })
        || report
            .targets
            .iter()
            .filter_map(|target| target.people_affected)
            .fold(0u64, u64::saturating_add)
            >= 1_000_000;
    let breach = if critical_breach {
        InformationImpact::CriticalSystemsDataBreach
    } else {
        InformationImpact::ProprietaryInformationBreach
    };
    for effect in &report.effects {
        let rank = effect_rank(effect.kind);
        // Every effect kind at least as harmful as espionage is assumed to expose what
        // espionage would, so that a worse effect never lowers the information impact.
        let candidate = if rank >= DATA_DESTRUCTION {
            let destruction = if essential {
                InformationImpact::DestructionOfCriticalSystem
            } else {
                InformationImpact::DestructionOfNonCriticalSystem
            };
            destruction.max(breach)
        } else {
            breach
        };
        if candidate > best.0 {
            best = (
                candidate,
                Cow::Borrowed(
                    if candidate == InformationImpact::CriticalSystemsDataBreach {
                        "derived: government, defence or critical-infrastructure systems breached, at national scale or for a million people or more"
                    } else if rank >= DATA_DESTRUCTION {
                        "derived: data or systems destroyed"
                    } else if rank <= 1 {
                        "derived: information taken"
                    } else {
                        "derived: access to the systems is assumed to expose information, as espionage would"
                    },
                ),
            );
        }
    }
    (best.0.as_str(), best.1)
}

fn derive_recoverability(facts: &ReportFacts) -> (&'static str, Cow<'static, str>) {
    if facts.any_irreversible {
        (
            Recoverability::NotRecoverable.as_str(),
            "derived: an effect is irreversible".into(),
        )
    } else if facts.max_effect_rank >= DESTRUCTION || facts.max_duration_hours >= 168.0 {
        (
            Recoverability::Extended.as_str(),
            "derived: destruction, or effects lasting a week or more".into(),
        )
    } else if facts.max_effect_rank >= DATA_DESTRUCTION || facts.max_duration_hours >= 24.0 {
        (
            Recoverability::Supplemented.as_str(),
            "derived: data destroyed, or effects lasting a day or more".into(),
        )
    } else {
        (
            Recoverability::Regular.as_str(),
            "derived: short, reversible effects".into(),
        )
    }
}

/// The NCISS cross-sector dependency option closest to a STIX sector.
pub fn sector_dependency(sector: Sector) -> CrossSectorDependency {
    use CrossSectorDependency as Dependency;
    match sector {
        Sector::Agriculture => Dependency::AgricultureAndFood,
        Sector::Aerospace
        | Sector::Automotive
        | Sector::Construction
        | Sector::Manufacturing
        | Sector::Mining => Dependency::CriticalManufacturing,
        Sector::Chemical => Dependency::Chemical,
        Sector::Commercial
        | Sector::Education
        | Sector::Entertainment
        | Sector::HospitalityLeisure
        | Sector::NonProfit
        | Sector::Retail => Dependency::CommercialFacilities,
        Sector::Communications | Sector::Telecommunications => Dependency::Communications,
        Sector::Defense => Dependency::DefenseIndustrialBase,
        Sector::Energy | Sector::Utilities => Dependency::Energy,
        Sector::FinancialServices | Sector::Insurance => Dependency::BankingAndFinance,
        Sector::Government
        | Sector::GovernmentNational
        | Sector::GovernmentRegional
        | Sector::GovernmentLocal
        | Sector::GovernmentPublicServices
        | Sector::Elections => Dependency::GovernmentFacilities,
        Sector::EmergencyServices => Dependency::EmergencyServices,
        Sector::Healthcare | Sector::Pharmaceuticals => Dependency::HealthcareAndPublicHealth,
        Sector::Infrastructure | Sector::Technology => Dependency::InformationTechnology,
        Sector::Dams => Dependency::Dams,
        Sector::Nuclear => Dependency::Nuclear,
        Sector::Water => Dependency::Water,
        Sector::Transportation => Dependency::TransportationSystems,
    }
}

/// Derived per target; the scorer takes the option of highest value under the document.
fn derive_cross_sector(facts: &ReportFacts) -> (&'static str, Cow<'static, str>) {
    // The scorer re-resolves this to the highest-valued sector; keep the first for the record.
    match facts.sectors.first() {
        Some(sector) => (
            sector_dependency(*sector).as_str(),
            "derived: the sector hit with the highest dependency value".into(),
        ),
        None => (
            CrossSectorDependency::CommercialFacilities.as_str(),
            "derived: no sector given".into(),
        ),
    }
}

pub(crate) fn sector_list(sectors: &[Sector]) -> String {
    sectors
        .iter()
        .map(|sector| sector.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn derive_potential_impact(facts: &ReportFacts) -> (&'static str, Cow<'static, str>) {
    let mut step: usize = if facts.max_effect_rank >= INJURY {
        4
    } else if facts.max_effect_rank >= DESTRUCTION {
        3
    } else if facts.max_effect_rank >= DISRUPTION {
        2
    } else {
        1
    };
    let national_essential = facts.any_essential_service
        && (facts.max_scale_rank >= 2 || facts.people_affected_total >= 100_000);
    // A campaign at national scale or beyond weighs as much, even when it only collects
    // information: governments treated the largest espionage campaigns (OPM 2015, Exchange
    // 2021, SolarWinds 2020, Salt Typhoon 2024) as significant incidents (docs/severity-calibration.md).
    let national_campaign = facts.max_scale_rank >= 2;
    let million = facts.people_affected_total >= 1_000_000;
    if national_essential || national_campaign {
        step += 1;
    }
    // An operation against electoral processes touches the state's political independence
    // whatever its technical effect (GGE 2021 on 13(f); the 2016 US election).
    if facts.sectors.contains(&Sector::Elections) {
        step += 1;
    }
    // International reach (the Exchange compromise of 2021, NotPetya) adds one step more.
    let international = facts.max_scale_rank >= 3;
    if international {
        step += 1;
    }
    if million {
        step += 1;
    }
    let why = match (national_essential || national_campaign, million) {
        _ if international => {
            "derived: the worst effect; national scale or essential services; international reach"
        }
        (false, false) => "derived: the worst effect",
        (true, false) => {
            "derived: the worst effect; an essential service at national scale or 100,000 people or more, or a campaign at national scale"
        }
        (false, true) => "derived: the worst effect; a million people or more",
        (true, true) => {
            "derived: the worst effect; an essential service at national scale or 100,000 people or more, or a campaign at national scale; a million people or more"
        }
    };
    let options = PotentialImpact::ALL;
    let option = options[step.min(options.len() - 1)];
    (option.as_str(), Cow::Borrowed(why))
}
