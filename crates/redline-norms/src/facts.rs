//! Facts derived once from an incident report and shared by the severity model, the Schmitt
//! factors and the CEL helpers: the worst effect, people affected, duration, scale,
//! reversibility, attribution confidence. Every derivation is monotone in harm: more people, a
//! longer or irreversible effect or a worse effect kind never lowers any of them.

use redline_model::{
    Access, AttributionBasis, AttributionRelationship, Casualties, Confidence, EffectKind,
    IncidentReport, Scale, Sector,
};

/// Rank of an effect kind in the model's harm order: 0 `espionage` … 8 `loss-of-life`.
pub fn effect_rank(kind: EffectKind) -> i64 {
    EffectKind::ALL
        .iter()
        .position(|candidate| *candidate == kind)
        .map_or(0, |index| index as i64)
}

/// Rank of a scale: 0 `local` … 3 `international`.
pub fn scale_rank(scale: Scale) -> i64 {
    Scale::ALL
        .iter()
        .position(|candidate| *candidate == scale)
        .map_or(0, |index| index as i64)
}

/// Rank of an ICD 203 word: 1 `remote` … 7 `almost-certain` (0 is kept for "no suspected state").
pub fn confidence_rank(confidence: Confidence) -> i64 {
    Confidence::ALL
        .iter()
        .position(|candidate| *candidate == confidence)
        .map_or(0, |index| index as i64 + 1)
}

/// Sectors whose targets are inherently governmental (Tallinn 2.0 Rule 4 commentary).
pub const GOVERNMENTAL_SECTORS: &[Sector] = &[
    Sector::Government,
    Sector::GovernmentNational,
    Sector::GovernmentRegional,
    Sector::GovernmentLocal,
    Sector::GovernmentPublicServices,
    Sector::Defense,
    Sector::Elections,
];

/// What the engine reads from a report, computed once per assessment.
#[derive(Debug, Clone)]
pub struct ReportFacts {
    pub max_effect: EffectKind,
    pub max_effect_rank: i64,
    /// Every effect is `espionage` or `data-theft`.
    pub espionage_only: bool,
    pub people_affected_total: u64,
    /// The longest stated duration of any effect, 0 when none is stated.
    pub max_duration_hours: f64,
    /// Some effect is stated to be irreversible.
    pub any_irreversible: bool,
    /// -1 when no effect states a scale.
    pub max_scale_rank: i64,
    pub any_essential_service: bool,
    pub any_governmental_target: bool,
    /// 0 when no state is suspected.
    pub attribution_confidence_rank: i64,
    pub confidence: Option<Confidence>,
    /// Some technique is an ATT&CK for ICS technique (`T0xxx`).
    pub ics_techniques: bool,
    pub sectors: Vec<Sector>,
    pub essential_sectors: Vec<Sector>,
    /// Countries of targets other than the victim, each once, sorted.
    pub foreign_target_countries: Vec<String>,
    /// How the operation relates to the suspected state (`unknown` when none is suspected).
    pub relationship: AttributionRelationship,
    /// The attribution rests on more than politics: technical or intelligence evidence, or
    /// the state's own acknowledgement (GGE 2015 para. 28(f): accusations should be
    /// substantiated).
    pub attribution_substantiated: bool,
    pub casualties: Casualties,
}

impl ReportFacts {
    pub fn of(report: &IncidentReport) -> Self {
        let max_effect = report
            .effects
            .iter()
            .map(|effect| effect.kind)
            .max()
            .unwrap_or(EffectKind::Espionage);
        let espionage_only = report
            .effects
            .iter()
            .all(|effect| matches!(effect.kind, EffectKind::Espionage | EffectKind::DataTheft));
        let people_affected_total = report
            .targets
            .iter()
            .filter_map(|target| target.people_affected)
            .fold(0u64, u64::saturating_add);
        let max_duration_hours = report
            .effects
            .iter()
            .filter_map(|effect| effect.duration_hours)
            .filter(|hours| hours.is_finite() && *hours >= 0.0)
            .fold(0.0f64, f64::max);
        let any_irreversible = report
            .effects
            .iter()
            .any(|effect| effect.reversible == Some(false));
        let max_scale_rank = report
            .effects
            .iter()
            .filter_map(|effect| effect.scale)
            .map(scale_rank)
            .max()
            .unwrap_or(-1);
        let any_essential_service = report.targets.iter().any(|target| target.essential_service);
        let any_governmental_target = report
            .targets
            .iter()
            .any(|target| GOVERNMENTAL_SECTORS.contains(&target.sector));
        let confidence = report
            .suspected_origin
            .as_ref()
            .map(|origin| origin.confidence);
        let attribution_confidence_rank = confidence.map_or(0, confidence_rank);
        let ics_techniques = report
            .techniques
            .iter()
            .any(|technique| technique.starts_with("T0"));
        let sectors: Vec<Sector> = report.sectors().into_iter().collect();
        let mut essential_sectors: Vec<Sector> = report
            .targets
            .iter()
            .filter(|target| target.essential_service)
            .map(|target| target.sector)
            .collect();
        essential_sectors.sort();
        essential_sectors.dedup();
        let mut foreign_target_countries: Vec<String> = report
            .targets
            .iter()
            .filter(|target| target.country != report.victim)
            .map(|target| target.country.as_str().to_string())
            .collect();
        foreign_target_countries.sort();
        foreign_target_countries.dedup();
        let relationship = report
            .suspected_origin
            .as_ref()
            .map_or(AttributionRelationship::Unknown, |origin| {
                origin.relationship
            });
        let attribution_substantiated = report.suspected_origin.as_ref().is_some_and(|origin| {
            origin.basis.iter().any(|basis| {
                matches!(
                    basis,
                    AttributionBasis::Technical | AttributionBasis::Intelligence
                )
            }) || (origin.relationship == AttributionRelationship::Acknowledged
                && origin.basis.contains(&AttributionBasis::SelfClaimed))
        });
        Self {
            relationship,
            attribution_substantiated,
            casualties: report.casualties.unwrap_or_default(),
            max_effect,
            max_effect_rank: effect_rank(max_effect),
            espionage_only,
            people_affected_total,
            max_duration_hours,
            any_irreversible,
            max_scale_rank,
            any_essential_service,
            any_governmental_target,
            attribution_confidence_rank,
            confidence,
            ics_techniques,
            sectors,
            essential_sectors,
            foreign_target_countries,
        }
    }

    pub fn close_access(report: &IncidentReport) -> bool {
        matches!(
            report.access,
            Some(Access::CloseAccess) | Some(Access::Insider)
        )
    }
}
