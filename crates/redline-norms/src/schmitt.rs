//! The Schmitt factors of Tallinn Manual 2.0, Rule 69 commentary, rated on the ordinal scales of
//! `norms-and-escalation.md` §2.6 from the facts of a report. The ratings are inputs for the
//! document's use-of-force rules (`schmitt.severity`, `schmitt.total`), never a verdict by
//! themselves; the assessment shows them so a reader can see why.

use serde::Serialize;

use crate::facts::ReportFacts;
use redline_model::{IncidentReport, Sector};

/// One rating per factor; `total` is their sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SchmittFactors {
    /// 0 none … 4 deaths or widespread destruction.
    pub severity: i64,
    /// 0 weeks or more … 3 immediate.
    pub immediacy: i64,
    /// 0 remote or indirect … 3 direct.
    pub directness: i64,
    /// 0 public site … 3 classified, military or control systems.
    pub invasiveness: i64,
    /// 0 vague … 3 precisely measurable.
    pub measurability: i64,
    /// 0 none … 3 military actor and target.
    pub military_character: i64,
    /// 0 none … 3 a state organ.
    pub state_involvement: i64,
    /// -2 presumptively lawful (espionage, propaganda) … 0.
    pub presumptive_legality: i64,
    pub total: i64,
}

const INFLUENCE: i64 = 2;
const DISRUPTION: i64 = 3;
const DATA_DESTRUCTION: i64 = 4;
const PHYSICAL_DAMAGE: i64 = 6;
const LOSS_OF_LIFE: i64 = 8;

impl SchmittFactors {
    pub const FIELD_NAMES: [&'static str; 9] = [
        "severity",
        "immediacy",
        "directness",
        "invasiveness",
        "measurability",
        "military_character",
        "state_involvement",
        "presumptive_legality",
        "total",
    ];

    pub fn values(&self) -> [i64; 9] {
        [
            self.severity,
            self.immediacy,
            self.directness,
            self.invasiveness,
            self.measurability,
            self.military_character,
            self.state_involvement,
            self.presumptive_legality,
            self.total,
        ]
    }

    pub fn rate(report: &IncidentReport, facts: &ReportFacts) -> Self {
        let rank = facts.max_effect_rank;
        let severity = if rank >= LOSS_OF_LIFE {
            4
        } else if rank >= PHYSICAL_DAMAGE {
            3
        } else if rank >= DATA_DESTRUCTION {
            2
        } else if rank >= DISRUPTION {
            let widespread = facts.any_essential_service
                && (facts.max_duration_hours >= 24.0
                    || facts.max_scale_rank >= 2
                    || facts.people_affected_total >= 100_000);
            if widespread { 2 } else { 1 }
        } else {
            0
        };
        let immediacy = if rank >= DISRUPTION {
            3
        } else if rank >= INFLUENCE {
            1
        } else {
            0
        };
        let supply_chain = matches!(report.access, Some(redline_model::Access::SupplyChain));
        let directness = if rank >= DISRUPTION {
            if supply_chain { 2 } else { 3 }
        } else if rank >= INFLUENCE {
            1
        } else {
            0
        };
        let sensitive_target = report.targets.iter().any(|target| {
            matches!(
                target.sector,
                Sector::GovernmentNational | Sector::Defense | Sector::Nuclear | Sector::Elections
            )
        });
        let invasiveness =
            if facts.ics_techniques || sensitive_target || ReportFacts::close_access(report) {
                3
            } else if facts.any_essential_service || facts.any_governmental_target {
                2
            } else {
                1
            };
        let measurability = if rank >= DISRUPTION {
            if facts.people_affected_total > 0
                || facts.max_duration_hours > 0.0
                || rank >= PHYSICAL_DAMAGE
            {
                3
            } else {
                2
            }
        } else {
            1
        };
        let military_target = report
            .targets
            .iter()
            .any(|target| target.sector == Sector::Defense);
        let military_character = i64::from(military_target) * 2 + i64::from(report.armed_conflict);
        let state_involvement = match facts.attribution_confidence_rank {
            0..=3 => 0,
            4 => 1,
            5 => 2,
            _ => 3,
        };
        let presumptive_legality = if rank <= INFLUENCE { -2 } else { 0 };
        let total = severity
            + immediacy
            + directness
            + invasiveness
            + measurability
            + military_character
            + state_involvement
            + presumptive_legality;
        Self {
            severity,
            immediacy,
            directness,
            invasiveness,
            measurability,
            military_character,
            state_involvement,
            presumptive_legality,
            total,
        }
    }
}
