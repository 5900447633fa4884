//! The assessment engine: `assess(report, document) -> Assessment`. Severity (NCISS), protected
//! infrastructure, legal rules along the Tallinn pipeline (state nexus → espionage → sovereignty
//! → intervention → use of force → armed attack, plus the IHL overlay), red lines, the ladder
//! with its preconditions, and duties — every rule evaluated recorded in the trace with why.
//! Pure and deterministic: no clock, no I/O, no randomness, no hash-map iteration in output.

use cel::{Context, Value};
use redline_model::IncidentReport;

use crate::{
    assessment::{
        Assessment, DutyFinding, Legal, NormEngaged, NormsReference, ProtectedFinding,
        RecommendedRung, RedLineFinding, Responses, Severity, TraceEntry, TraceText, round2,
    },
    conditions::{AssessmentVariables, HelperInputs, helper_values},
    document::{Condition, Frame, LegalRule, NormsDocument, ResponsePolicy, Rung},
    facts::ReportFacts,
    schmitt::SchmittFactors,
    severity::{choose_options, sector_dependency},
    vocabulary::{Certainty, Conclusion, LegalCategory},
};

/// What the engine cannot read from the report itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Circumstances {
    /// The hotline consultation with the suspected state has taken place (a precondition of
    /// countermeasures: the call to comply, Tallinn 2.0 Rule 21 commentary).
    pub prior_consultation: bool,
    /// Write "the suspected state" where the explanations would name it: for a public page,
    /// since a reporter's suspicion is for the report's readers only and a state is named in
    /// public only through an attribution claim. Nothing else changes.
    pub withhold_suspected_state: bool,
    /// The published attribution claim the assessment rests on instead of the reporter's
    /// suspicion: who is named, how and how likely comes from the claim, and the trace says so.
    pub attribution_claim: Option<ClaimAttribution>,
}

/// The attribution a published claim makes, as the engine reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimAttribution {
    /// The claim's id and version, for the trace.
    pub claim: String,
    pub claimant: String,
    pub cosigners: Vec<String>,
    pub origin: redline_model::SuspectedOrigin,
}

/// What explanations that name the suspected state write in its place.
pub const SUSPECTED_STATE_PLACEHOLDER: &str = "{suspected_state}";

/// Assesses a report against a norms document, with no prior hotline consultation.
pub fn assess(report: &IncidentReport, document: &NormsDocument) -> Assessment {
    assess_with(report, document, &Circumstances::default())
}

fn evaluate(condition: &Condition, context: &Context<'_, '_>) -> Result<bool, String> {
    match condition.program.execute(context) {
        Ok(Value::Bool(value)) => Ok(value),
        Ok(other) => Err(format!("gave {other:?}, not a bool")),
        Err(error) => Err(error.to_string()),
    }
}

fn certainty_word(certainty: Certainty) -> &'static str {
    match certainty {
        Certainty::Settled => "settled",
        Certainty::Majority => "majority view",
        Certainty::Contested => "contested",
    }
}

/// Assesses a report against a norms document under the given circumstances: a pipeline of
/// named stages, each returning its part of the assessment and adding its trace.
pub fn assess_with(
    report: &IncidentReport,
    document: &NormsDocument,
    circumstances: &Circumstances,
) -> Assessment {
    let mut trace = Vec::new();
    let claimed_report = attribution_from_claim(report, circumstances, &mut trace);
    let report = claimed_report.as_ref().unwrap_or(report);
    let facts = ReportFacts::of(report);

    let (severity, options) = assess_severity(report, &facts, document, &mut trace);

    // The CEL variables every condition reads.
    let schmitt = SchmittFactors::rate(report, &facts);
    let nciss: Vec<(&'static str, &'static str)> = options
        .iter()
        .map(|chosen| (chosen.category, chosen.option))
        .collect();
    let values = helper_values(&HelperInputs {
        report,
        facts: &facts,
        schmitt: &schmitt,
        severity_score: severity.score,
        severity_level: severity.level,
        nciss: &nciss,
    });
    let variables = AssessmentVariables {
        constants: &document.tables,
        values,
        report,
        report_value: std::sync::OnceLock::new(),
    };
    let mut context = Context::with_env(document.environment.clone());
    context.set_variable_resolver(&variables);

    let protected = find_protected(report, document, &mut trace);
    let legal = characterise(
        report,
        &facts,
        document,
        &context,
        schmitt,
        circumstances,
        &mut trace,
    );
    let red_lines = find_red_lines(document, &context, &mut trace);
    let gge_norms = engaged_norms(document, &legal, &red_lines, &protected);
    let responses = choose_responses(
        report,
        &facts,
        document,
        &LadderInputs {
            legal: &legal.legal,
            severity_level: severity.level,
            harm_to_protected: !red_lines.is_empty() || !protected.is_empty(),
            prior_consultation: circumstances.prior_consultation,
        },
        &mut trace,
    );
    let duties = choose_duties(document, severity.level, &mut trace);

    Assessment {
        incident: report.id.as_ref().map(|id| id.as_str().to_string()),
        norms: NormsReference {
            id: document.id.clone(),
            version: document.version.clone(),
            sha256: document.sha256.clone(),
        },
        severity,
        protected,
        red_lines,
        legal: legal.legal,
        gge_norms,
        responses,
        duties,
        trace,
    }
}

/// Stage 0: the attribution — a published claim replaces the reporter's suspicion; the trace
/// names the claim and what it replaced, so a reader sees why the certainty and the ceiling
/// moved.
fn attribution_from_claim(
    report: &IncidentReport,
    circumstances: &Circumstances,
    trace: &mut Vec<TraceEntry>,
) -> Option<IncidentReport> {
    let claim = circumstances.attribution_claim.as_ref()?;
    let replaced = match &report.suspected_origin {
        Some(origin) if !circumstances.withhold_suspected_state => format!(
            "the reporter's suspicion ({}, {})",
            origin.state.as_str(),
            origin.confidence.as_str()
        ),
        Some(_) => "the reporter's suspicion".to_string(),
        None => "no attribution in the report".to_string(),
    };
    let cosigned = if claim.cosigners.is_empty() {
        String::new()
    } else {
        format!(", co-signed by {}", claim.cosigners.join(", "))
    };
    trace.push(TraceEntry {
        rule: TraceText::Owned(format!("attribution.claim {}", claim.claim)),
        fired: true,
        why: TraceText::Owned(format!(
            "published attribution claim {} by {} names {} ({}, {}{}); it replaces {}",
            claim.claim,
            claim.claimant,
            claim.origin.state.as_str(),
            claim.origin.confidence.as_str(),
            claim.origin.relationship.as_str(),
            cosigned,
            replaced
        )),
    });
    let mut claimed = report.clone();
    claimed.suspected_origin = Some(claim.origin.clone());
    Some(claimed)
}

/// Stage 1: the NCISS severity — options per category, the weighted score, its band.
fn assess_severity(
    report: &IncidentReport,
    facts: &ReportFacts,
    document: &NormsDocument,
    trace: &mut Vec<TraceEntry>,
) -> (Severity, [crate::severity::ChosenOption; 8]) {
    let mut options = choose_options(report, facts);
    if let (Some(category), false) = (
        document
            .severity
            .categories
            .iter()
            .find(|category| category.id == "cross_sector_dependency"),
        options[6].overridden,
    ) {
        let best = facts
            .sectors
            .iter()
            .map(|sector| sector_dependency(*sector).as_str())
            .fold(None::<&'static str>, |best, option| match best {
                Some(current) if category.value_of(current) >= category.value_of(option) => {
                    Some(current)
                }
                _ => Some(option),
            });
        if let Some(best) = best {
            options[6].option = best;
        }
    }
    let mut weighted = 0.0;
    let mut maximum = 0.0;
    for (category, chosen) in document.severity.categories.iter().zip(options.iter()) {
        let value = category.value_of(chosen.option);
        weighted += f64::from(category.weight) * f64::from(value);
        maximum += f64::from(category.weight) * f64::from(category.maximum());
        trace.push(TraceEntry {
            rule: (&category.trace_id).into(),
            fired: true,
            why: TraceText::Owned(format!(
                "{} = `{}` (value {value}, weight {}); {}",
                category.title, chosen.option, category.weight, chosen.why
            )),
        });
    }
    let score = if maximum > 0.0 {
        round2(weighted / maximum * 100.0)
    } else {
        0.0
    };
    let band = document
        .severity
        .bands
        .iter()
        .rev()
        .find(|band| band.from <= score)
        .or(document.severity.bands.first());
    let severity = match band {
        Some(band) => Severity {
            score,
            level: band.level,
            name: band.name.clone(),
            colour: band.colour.clone(),
        },
        None => Severity {
            score,
            level: 0,
            name: String::new(),
            colour: String::new(),
        },
    };
    trace.push(TraceEntry {
        rule: TraceText::Owned("severity.level".into()),
        fired: true,
        why: TraceText::Owned(format!(
            "score {score} (weighted mean of the eight categories) falls in the band from {} of this document: level {} `{}`",
            band.map_or(0.0, |band| band.from),
            severity.level,
            severity.name
        )),
    });
    (severity, options)
}

/// Stage 2: protected infrastructure hit, per class and sector.
fn find_protected(
    report: &IncidentReport,
    document: &NormsDocument,
    trace: &mut Vec<TraceEntry>,
) -> Vec<ProtectedFinding> {
    let mut protected = Vec::new();
    for class in &document.protected {
        let mut hit = Vec::new();
        for target in &report.targets {
            let applies = class.sectors.contains(&target.sector)
                && (!class.essential_service_only
                    || target.essential_service
                    || target.designated_critical_infrastructure)
                && (!class.armed_conflict_only || report.armed_conflict);
            if applies && !hit.contains(&target.sector) {
                hit.push(target.sector);
            }
        }
        hit.sort();
        let why: TraceText = if !hit.is_empty() {
            TraceText::Owned(format!(
                "{}: {} hit ({})",
                class.title,
                crate::severity::sector_list(&hit),
                class.basis
            ))
        } else if class.armed_conflict_only && !report.armed_conflict {
            (&class.why_not_in_conflict).into()
        } else {
            (&class.why_not_hit).into()
        };
        trace.push(TraceEntry {
            rule: (&class.trace_id).into(),
            fired: !hit.is_empty(),
            why,
        });
        for sector in hit {
            protected.push(ProtectedFinding {
                sector: sector.as_str().to_string(),
                rule: class.id.clone(),
                basis: class.basis.clone(),
            });
        }
    }
    protected
}

/// The legal characterisation and which rules fired (for the norms they engage).
struct Characterisation {
    legal: Legal,
    fired_rules: Vec<usize>,
}

/// A `because` line for a rule: its explanation, basis and, when the document records them,
/// the published national positions behind its certainty.
fn rule_line(prefix: &str, rule: &LegalRule, suspected_state: &str) -> String {
    let explanation = rule
        .explanation
        .replace("{suspected_state}", suspected_state);
    match &rule.positions {
        Some(positions) => format!("{prefix}: {explanation} [{}] ({positions})", rule.basis),
        None => format!("{prefix}: {explanation} [{}]", rule.basis),
    }
}

/// Stage 3: the legal characterisation along the Tallinn pipeline — state nexus, espionage,
/// sovereignty, intervention, force, armed attack — then the attribution's cap on certainty,
/// the findings and the IHL frame.
fn characterise(
    report: &IncidentReport,
    facts: &ReportFacts,
    document: &NormsDocument,
    context: &Context<'_, '_>,
    schmitt: SchmittFactors,
    circumstances: &Circumstances,
    trace: &mut Vec<TraceEntry>,
) -> Characterisation {
    let rules = &document.rules;
    let results: Vec<Result<bool, String>> = rules
        .iter()
        .map(|rule| evaluate(&rule.when, context))
        .collect();
    let fired = |index: usize| matches!(results.get(index), Some(Ok(true)));
    let suspected_state = match &report.suspected_origin {
        Some(_) if circumstances.withhold_suspected_state => "the suspected state",
        Some(origin) => origin.state.as_str(),
        None => "another state",
    };

    let any_fired = |conclusion| fired_concluding(rules, &fired, conclusion).next().is_some();
    // A rule that denies the nexus (a political basis alone, territory only) prevails.
    let has_nexus = any_fired(Conclusion::StateNexus) && !any_fired(Conclusion::NoStateNexus);
    let close_access = ReportFacts::close_access(report);
    let espionage_rule_fired = any_fired(Conclusion::Espionage);
    // Where the document's espionage rule holds, remote espionage stays below threshold; close
    // access by agents on the victim's territory is judged by the sovereignty rules (Tallinn
    // 2.0 Rule 32 commentary; OPCW 2018). A document may hold otherwise (France 2019).
    let espionage_cap = espionage_rule_fired && !close_access;

    let mut because = Vec::new();
    let mut notes: Vec<(usize, String)> = Vec::new();
    let (category, legal_certainty) = if !has_nexus {
        category_without_a_nexus(
            rules,
            &fired,
            espionage_cap,
            suspected_state,
            &mut because,
            &mut notes,
        )
    } else {
        category_of_a_state_act(
            rules,
            &fired,
            espionage_cap,
            suspected_state,
            &mut because,
            &mut notes,
        )
    };

    // The attribution caps the certainty of a state's act.
    let (certainty, attribution_allows) = if has_nexus {
        let (capped, allows) =
            attribution_cap(document, facts, legal_certainty, trace, &mut because);
        (capped, Some(allows))
    } else {
        (legal_certainty, None)
    };

    // Findings and the IHL overlay.
    for (index, rule) in rules.iter().enumerate() {
        if !fired(index) {
            continue;
        }
        match rule.concludes {
            Conclusion::IhlFinding if report.armed_conflict => because.push(rule_line(
                &format!("IHL ({})", certainty_word(rule.certainty)),
                rule,
                suspected_state,
            )),
            Conclusion::IhlFinding => notes.push((
                index,
                "not applied: the IHL overlay applies only in armed conflict".into(),
            )),
            Conclusion::Finding => because.push(rule_line(
                &format!("Finding ({})", certainty_word(rule.certainty)),
                rule,
                suspected_state,
            )),
            _ => {}
        }
    }
    let frame = if report.armed_conflict {
        because.push(
            "Armed conflict: international humanitarian law governs the conduct of hostilities; the peacetime countermeasure rungs are not offered, and responses are framed by IHL and accountability (Tallinn 2.0 Rules 80–82; ICRC, International humanitarian law and cyber operations during armed conflicts, 2019)".into(),
        );
        "armed-conflict"
    } else {
        "peacetime"
    };

    trace_rules(rules, &results, &notes, suspected_state, trace);
    Characterisation {
        legal: Legal {
            category,
            certainty,
            attribution_allows,
            frame,
            schmitt,
            because,
        },
        fired_rules: (0..rules.len()).filter(|index| fired(*index)).collect(),
    }
}

/// The rules that fired and conclude `conclusion`, with their index in the document.
fn fired_concluding<'rules>(
    rules: &'rules [LegalRule],
    fired: &impl Fn(usize) -> bool,
    conclusion: Conclusion,
) -> impl Iterator<Item = (usize, &'rules LegalRule)> {
    rules
        .iter()
        .enumerate()
        .filter(move |(index, rule)| fired(*index) && rule.concludes == conclusion)
}

/// Legal characterisation, no state nexus: the category is `no-state-nexus`, as certain as the
/// strongest rule that denied the nexus; what a state nexus would have made of the operation is
/// noted, not applied.
fn category_without_a_nexus(
    rules: &[LegalRule],
    fired: &impl Fn(usize) -> bool,
    espionage_cap: bool,
    suspected_state: &str,
    because: &mut Vec<String>,
    notes: &mut Vec<(usize, String)>,
) -> (LegalCategory, Certainty) {
    let certainty = fired_concluding(rules, fired, Conclusion::NoStateNexus)
        .map(|(_, rule)| rule.certainty)
        .max()
        .unwrap_or(Certainty::Contested);
    let denials = because.len();
    for (_, rule) in fired_concluding(rules, fired, Conclusion::NoStateNexus) {
        because.push(rule_line(
            &format!("No state nexus ({})", certainty_word(rule.certainty)),
            rule,
            suspected_state,
        ));
    }
    if because.len() == denials {
        because.push(
            "No state nexus: no rule of this document established that the operation is attributable to a state".into(),
        );
    }
    for (index, rule) in rules.iter().enumerate() {
        if let Some(conditional) = rule.concludes.category()
            && fired(index)
            && conditional > LegalCategory::BelowThreshold
            && !espionage_cap
        {
            notes.push((
                index,
                format!(
                    "not applied: no state nexus; were one established, {} ({})",
                    conditional.as_str(),
                    certainty_word(rule.certainty)
                ),
            ));
            because.push(format!(
                "If a state nexus were established: {} ({}) — {}",
                conditional.in_words(),
                certainty_word(rule.certainty),
                rule.explanation
            ));
        }
    }
    (LegalCategory::NoStateNexus, certainty)
}

/// Legal characterisation of a state's act: the highest category an established (settled or
/// majority) rule concludes, at least `below-threshold`; contested findings above it are
/// reported, not relied on; remote espionage caps every finding above the threshold.
fn category_of_a_state_act(
    rules: &[LegalRule],
    fired: &impl Fn(usize) -> bool,
    espionage_cap: bool,
    suspected_state: &str,
    because: &mut Vec<String>,
    notes: &mut Vec<(usize, String)>,
) -> (LegalCategory, Certainty) {
    for (_, rule) in fired_concluding(rules, fired, Conclusion::StateNexus) {
        because.push(rule_line(
            &format!("State nexus ({})", certainty_word(rule.certainty)),
            rule,
            suspected_state,
        ));
    }
    let mut capped = Vec::new();
    let mut applicable: Vec<(usize, LegalCategory, Certainty)> = Vec::new();
    for (index, rule) in rules.iter().enumerate() {
        let Some(concluded) = rule.concludes.category() else {
            continue;
        };
        if !fired(index) {
            continue;
        }
        if espionage_cap && concluded > LegalCategory::BelowThreshold {
            capped.push(index);
            notes.push((
                index,
                "not applied: remote espionage alone stays below-threshold (Tallinn 2.0 Rule 32)"
                    .into(),
            ));
            continue;
        }
        applicable.push((index, concluded, rule.certainty));
    }
    let established = applicable
        .iter()
        .filter(|(_, _, certainty)| certainty.is_established())
        .map(|(_, concluded, _)| *concluded)
        .max()
        .unwrap_or(LegalCategory::BelowThreshold)
        .max(LegalCategory::BelowThreshold);
    let contested_above: Vec<&(usize, LegalCategory, Certainty)> = applicable
        .iter()
        .filter(|(_, concluded, certainty)| *concluded > established && !certainty.is_established())
        .collect();
    let certainty = if established > LegalCategory::BelowThreshold {
        applicable
            .iter()
            .filter(|(_, concluded, certainty)| {
                *concluded == established && certainty.is_established()
            })
            .map(|(_, _, certainty)| *certainty)
            .max()
            .unwrap_or(Certainty::Majority)
    } else if !contested_above.is_empty() {
        Certainty::Contested
    } else {
        applicable
            .iter()
            .filter(|(_, concluded, _)| *concluded == LegalCategory::BelowThreshold)
            .map(|(_, _, certainty)| *certainty)
            .max()
            .unwrap_or(Certainty::Majority)
    };
    let mut established_lines: Vec<(LegalCategory, usize)> = applicable
        .iter()
        .filter(|(_, _, certainty)| certainty.is_established())
        .map(|(index, concluded, _)| (*concluded, *index))
        .collect();
    established_lines.sort_by(|left, right| right.0.cmp(&left.0).then(left.1.cmp(&right.1)));
    for (concluded, index) in established_lines {
        let rule = &rules[index];
        because.push(rule_line(
            &format!(
                "{} ({})",
                capitalise(concluded.in_words()),
                certainty_word(rule.certainty)
            ),
            rule,
            suspected_state,
        ));
    }
    for (index, concluded, _) in &contested_above {
        let rule = &rules[*index];
        because.push(rule_line(
            &format!("Contested, not relied on: {}", concluded.in_words()),
            rule,
            suspected_state,
        ));
    }
    for (index, concluded, certainty) in &applicable {
        if !certainty.is_established() && *concluded <= established {
            let rule = &rules[*index];
            because.push(rule_line(
                &format!("Also argued (contested): {}", concluded.in_words()),
                rule,
                suspected_state,
            ));
        }
    }
    if !capped.is_empty() {
        because.push(
            "Remote espionage alone is below-threshold: the findings above it were not applied (Tallinn 2.0 Rule 32)".into(),
        );
    }
    if applicable.is_empty() && capped.is_empty() {
        because
            .push("Below threshold: no rule of this document concluded a higher category".into());
    }
    (established, certainty)
}

/// The attribution's cap on the certainty of a state's act (`[attribution]` of the document):
/// the certainty the confidence and relationship support, with its trace line; a certainty it
/// lowers is said in `because`. Returns the capped certainty and what the attribution allows.
fn attribution_cap(
    document: &NormsDocument,
    facts: &ReportFacts,
    legal_certainty: Certainty,
    trace: &mut Vec<TraceEntry>,
    because: &mut Vec<String>,
) -> (Certainty, Certainty) {
    let confidence = facts
        .confidence
        .unwrap_or(redline_model::Confidence::Remote);
    let (allows, row) = document.attribution.allows(facts.relationship, confidence);
    let why = match row {
        Some(row) => format!(
            "attribution `{}` with relationship `{}` reaches the row from `{}` for {}: it supports at most {} certainty [{}]",
            confidence.as_str(),
            facts.relationship.as_str(),
            row.confidence.as_str(),
            row.relationships
                .iter()
                .map(|relationship| relationship.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            allows.as_str(),
            document.attribution.basis
        ),
        None => format!(
            "attribution `{}` with relationship `{}` reaches no row of the attribution table: it supports at most contested certainty [{}]",
            confidence.as_str(),
            facts.relationship.as_str(),
            document.attribution.basis
        ),
    };
    trace.push(TraceEntry {
        rule: TraceText::Owned("attribution.cap".into()),
        fired: allows < legal_certainty,
        why: TraceText::Owned(why),
    });
    if allows < legal_certainty {
        because.push(format!(
            "Certainty lowered from {} to {}: the attribution (`{}`, relationship `{}`) supports no more [{}]",
            certainty_word(legal_certainty),
            certainty_word(allows),
            confidence.as_str(),
            facts.relationship.as_str(),
            document.attribution.basis
        ));
    }
    (legal_certainty.min(allows), allows)
}

/// One trace line per legal rule: fired or not, why, and the note of a fired rule that was not
/// applied.
fn trace_rules(
    rules: &[LegalRule],
    results: &[Result<bool, String>],
    notes: &[(usize, String)],
    suspected_state: &str,
    trace: &mut Vec<TraceEntry>,
) {
    for (index, (rule, result)) in rules.iter().zip(results.iter()).enumerate() {
        let note = notes
            .iter()
            .find(|(noted, _)| *noted == index)
            .map_or("", |(_, note)| note.as_str());
        let why: TraceText = match result {
            Ok(true) if rule.why_fired.contains(SUSPECTED_STATE_PLACEHOLDER) => {
                let why = rule
                    .why_fired
                    .replace(SUSPECTED_STATE_PLACEHOLDER, suspected_state);
                if note.is_empty() {
                    TraceText::Owned(why)
                } else {
                    TraceText::Owned(format!("{why} — {note}"))
                }
            }
            Ok(true) if note.is_empty() => (&rule.why_fired).into(),
            Ok(true) => TraceText::Owned(format!("{} — {note}", rule.why_fired)),
            Ok(false) => (&rule.why_not_met).into(),
            Err(error) => TraceText::Owned(format!(
                "condition could not be evaluated ({error}); treated as not met: {}",
                rule.when.source.trim()
            )),
        };
        trace.push(TraceEntry {
            rule: (&rule.trace_id).into(),
            fired: matches!(result, Ok(true)),
            why,
        });
    }
}

/// Stage 4: the red lines crossed.
fn find_red_lines(
    document: &NormsDocument,
    context: &Context<'_, '_>,
    trace: &mut Vec<TraceEntry>,
) -> Vec<RedLineFinding> {
    let mut red_lines = Vec::new();
    for red_line in &document.red_lines {
        let result = evaluate(&red_line.when, context);
        let why: TraceText = match &result {
            Ok(true) => (&red_line.why_fired).into(),
            Ok(false) => (&red_line.why_not_met).into(),
            Err(error) => TraceText::Owned(format!(
                "condition could not be evaluated ({error}); treated as not met: {}",
                red_line.when.source.trim()
            )),
        };
        let crossed = matches!(result, Ok(true));
        trace.push(TraceEntry {
            rule: (&red_line.trace_id).into(),
            fired: crossed,
            why,
        });
        if crossed {
            red_lines.push(RedLineFinding {
                id: red_line.id.clone(),
                title: red_line.title.clone(),
                rule: red_line.when.source.trim().to_string(),
                basis: red_line.basis.clone(),
            });
        }
    }
    red_lines
}

/// Stage 5: the GGE 2015 norms the fired rules, the red lines crossed and the protected
/// classes hit engage, in norm order.
fn engaged_norms(
    document: &NormsDocument,
    legal: &Characterisation,
    red_lines: &[RedLineFinding],
    protected: &[ProtectedFinding],
) -> Vec<NormEngaged> {
    let mut engaged: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    let mut note = |norm: &'static str, by: &str| {
        let list = engaged.entry(norm).or_default();
        if !list.iter().any(|known| known == by) {
            list.push(by.to_string());
        }
    };
    for index in &legal.fired_rules {
        let rule = &document.rules[*index];
        for norm in &rule.gge {
            note(norm_key(norm), &rule.id);
        }
    }
    for crossed in red_lines {
        if let Some(red_line) = document
            .red_lines
            .iter()
            .find(|red_line| red_line.id == crossed.id)
        {
            for norm in &red_line.gge {
                note(norm_key(norm), &red_line.id);
            }
        }
    }
    for finding in protected {
        if let Some(class) = document
            .protected
            .iter()
            .find(|class| class.id == finding.rule)
        {
            for norm in &class.gge {
                note(norm_key(norm), &class.id);
            }
        }
    }
    engaged
        .into_iter()
        .map(|(norm, by)| NormEngaged {
            norm: norm.to_string(),
            by,
        })
        .collect()
}

/// The eleven norm tags as static text (the document validated each tag).
fn norm_key(tag: &str) -> &'static str {
    const NORMS: [&str; 11] = [
        "13(a)", "13(b)", "13(c)", "13(d)", "13(e)", "13(f)", "13(g)", "13(h)", "13(i)", "13(j)",
        "13(k)",
    ];
    NORMS
        .iter()
        .find(|norm| **norm == tag)
        .copied()
        .unwrap_or("13(?)")
}

/// What the ladder stage reads of the legal and severity stages.
struct LadderInputs<'a> {
    legal: &'a Legal,
    severity_level: u8,
    harm_to_protected: bool,
    prior_consultation: bool,
}

fn recommended_rung(rung: &Rung) -> RecommendedRung {
    RecommendedRung {
        rung: rung.number,
        id: rung.id.clone(),
        title: rung.title.clone(),
    }
}

/// Stage 6: the ladder. `available`: every rung whose preconditions hold; the ceiling: the
/// highest rung the category, certainty and confidence allow; `recommended`: the
/// de-escalatory options plus the strongest available measure within proportionality (raised
/// to the red-line floor when protected infrastructure was harmed).
fn choose_responses(
    report: &IncidentReport,
    facts: &ReportFacts,
    document: &NormsDocument,
    inputs: &LadderInputs<'_>,
    trace: &mut Vec<TraceEntry>,
) -> Responses {
    let legal = inputs.legal;
    let legal_failures = |rung: &Rung| -> [bool; 3] {
        [
            rung.requires
                .category
                .is_some_and(|required| legal.category < required),
            rung.requires
                .certainty
                .is_some_and(|required| legal.certainty < required),
            rung.requires.confidence.is_some_and(|required| {
                facts
                    .confidence
                    .is_none_or(|confidence| confidence < required)
            }),
        ]
    };
    let legal_results: Vec<[bool; 3]> = document.rungs.iter().map(legal_failures).collect();
    let ceiling = document
        .rungs
        .iter()
        .zip(legal_results.iter())
        .filter(|(rung, failures)| !failures.contains(&true) && frame_allows(rung, report))
        .map(|(rung, _)| rung.number)
        .max()
        .unwrap_or(0);
    let policy = &document.responses;
    let level = usize::from(inputs.severity_level.min(5));
    let mut proportionate_up_to = policy.proportionate[level];
    if inputs.harm_to_protected {
        proportionate_up_to = proportionate_up_to.max(policy.red_line_floor);
    }
    let proportionate_up_to = proportionate_up_to.min(ceiling);

    let available = available_rungs(report, document, inputs, &legal_results, ceiling, trace);

    // The proportionate subset: every de-escalatory option, and the strongest other measure
    // within proportionality.
    let strongest = available
        .iter()
        .filter(|rung| !rung.de_escalatory && rung.number <= proportionate_up_to)
        .max_by_key(|rung| rung.number);
    let mut recommended_rungs: Vec<&Rung> = available
        .iter()
        .copied()
        .filter(|rung| rung.de_escalatory && rung.number <= proportionate_up_to.max(ceiling))
        .collect();
    if let Some(strongest) = strongest {
        recommended_rungs.push(strongest);
    }
    recommended_rungs.sort_by_key(|rung| (!rung.de_escalatory, rung.number));
    recommended_rungs.dedup_by_key(|rung| rung.number);
    let higher_available: Vec<u32> = available
        .iter()
        .filter(|rung| !rung.de_escalatory && rung.number > proportionate_up_to)
        .map(|rung| rung.number)
        .collect();
    let why = proportionality_why(
        inputs,
        policy,
        ceiling,
        proportionate_up_to,
        strongest,
        &higher_available,
    );
    trace.push(TraceEntry {
        rule: TraceText::Owned("responses.proportionality".into()),
        fired: true,
        why: TraceText::Owned(why.clone()),
    });
    let mut de_escalation: Vec<String> = Vec::new();
    for rung in &recommended_rungs {
        if let Some(off_ramp) = &rung.off_ramp
            && !de_escalation.contains(off_ramp)
        {
            de_escalation.push(off_ramp.clone());
        }
    }
    Responses {
        ceiling,
        proportionate_up_to,
        recommended: recommended_rungs
            .iter()
            .map(|rung| recommended_rung(rung))
            .collect(),
        why,
        available: available
            .iter()
            .map(|rung| recommended_rung(rung))
            .collect(),
        recommended_to_other_states: recommended_rungs
            .iter()
            .filter(|rung| !rung.injured_state_only())
            .map(|rung| recommended_rung(rung))
            .collect(),
        de_escalation,
    }
}

/// The rungs the report may take, each with its trace line: a rung is available when the legal
/// characterisation meets its requirements (`legal_results`: category, certainty, attribution
/// confidence failed), it is at or under the ceiling, the severity and any prior consultation it
/// requires are there, and it belongs to the report's frame (peacetime or armed conflict).
fn available_rungs<'document>(
    report: &IncidentReport,
    document: &'document NormsDocument,
    inputs: &LadderInputs<'_>,
    legal_results: &[[bool; 3]],
    ceiling: u32,
    trace: &mut Vec<TraceEntry>,
) -> Vec<&'document Rung> {
    let mut available: Vec<&Rung> = Vec::new();
    for (rung, legal) in document.rungs.iter().zip(legal_results) {
        let texts = &rung.requires.failure_texts;
        let mut failures: Vec<&str> = Vec::new();
        for (failed, text) in legal.iter().zip(texts.iter()) {
            if *failed {
                failures.push(text);
            }
        }
        if rung.number > ceiling {
            failures.push("above the ceiling");
        }
        if rung
            .requires
            .severity_level
            .is_some_and(|required| inputs.severity_level < required)
        {
            failures.push(&texts[3]);
        }
        if rung.requires.prior_consultation && !inputs.prior_consultation {
            failures.push("needs a prior hotline consultation with the suspected state");
        }
        match (rung.frame, report.armed_conflict) {
            (Frame::Peacetime, true) => failures.push(
                "a peacetime measure: in armed conflict IHL governs, not the countermeasure logic",
            ),
            (Frame::ArmedConflict, false) => failures.push("applies only in armed conflict"),
            _ => {}
        }
        let is_available = failures.is_empty();
        let why = if is_available {
            (&rung.why_recommended).into()
        } else {
            let mut why = String::with_capacity(160);
            why.push_str(&rung.why_not_prefix);
            for (index, failure) in failures.iter().enumerate() {
                why.push_str(if index == 0 { " " } else { "; " });
                why.push_str(failure);
            }
            TraceText::Owned(why)
        };
        trace.push(TraceEntry {
            rule: (&rung.trace_id).into(),
            fired: is_available,
            why,
        });
        if is_available {
            available.push(rung);
        }
    }
    available
}

/// Why the recommended rungs are the proportionate ones: the severity's reach, the red-line
/// floor, the strongest measure recommended and what is available above it, with the policy's
/// basis.
fn proportionality_why(
    inputs: &LadderInputs<'_>,
    policy: &ResponsePolicy,
    ceiling: u32,
    proportionate_up_to: u32,
    strongest: Option<&&Rung>,
    higher_available: &[u32],
) -> String {
    format!(
        "Severity level {} calls for measures up to rung {}{}{}; the de-escalatory options come first. {} [{}]",
        inputs.severity_level,
        proportionate_up_to,
        if inputs.harm_to_protected {
            format!(
                " (at least rung {}, since a red line was crossed or protected infrastructure harmed)",
                policy.red_line_floor.min(ceiling)
            )
        } else {
            String::new()
        },
        match strongest {
            Some(rung) => format!(
                ", so the strongest measure recommended is rung {} ({})",
                rung.number, rung.id
            ),
            None => String::new(),
        },
        if higher_available.is_empty() {
            "Nothing higher is available.".to_string()
        } else {
            format!(
                "{} {} {} available under the ceiling ({ceiling}) but not recommended: {} exceed what this severity makes proportionate.",
                if higher_available.len() == 1 {
                    "Rung"
                } else {
                    "Rungs"
                },
                higher_available
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                if higher_available.len() == 1 {
                    "is"
                } else {
                    "are"
                },
                if higher_available.len() == 1 {
                    "it would"
                } else {
                    "they would"
                },
            )
        },
        policy.basis
    )
}

/// Whether a rung belongs to the report's frame (peacetime or armed conflict).
fn frame_allows(rung: &Rung, report: &IncidentReport) -> bool {
    !matches!(
        (rung.frame, report.armed_conflict),
        (Frame::Peacetime, true) | (Frame::ArmedConflict, false)
    )
}

/// Stage 7: duties — per kind, the most demanding one whose level the severity reaches.
fn choose_duties(
    document: &NormsDocument,
    severity_level: u8,
    trace: &mut Vec<TraceEntry>,
) -> Vec<DutyFinding> {
    // The consultation-reply duty belongs to attribution claims, not to the incident's hotline.
    let mut kinds: Vec<_> = document
        .duties
        .iter()
        .map(|duty| duty.kind)
        .filter(|kind| *kind != redline_model::DutyKind::ConsultationReply)
        .collect();
    kinds.sort();
    kinds.dedup();
    let mut duties = Vec::new();
    for kind in kinds {
        let chosen = document
            .duties
            .iter()
            .filter(|duty| duty.kind == kind && duty.from_level <= severity_level)
            .max_by_key(|duty| duty.from_level);
        match chosen {
            Some(duty) => {
                trace.push(TraceEntry {
                    rule: TraceText::Owned(format!("duty.{}", kind.as_str())),
                    fired: true,
                    why: TraceText::Owned(format!(
                        "severity level {severity_level} reaches the duty from level {}: within {} ({})",
                        duty.from_level, duty.within, duty.basis
                    )),
                });
                duties.push(DutyFinding {
                    kind,
                    within: duty.within.clone(),
                });
            }
            None => trace.push(TraceEntry {
                rule: TraceText::Owned(format!("duty.{}", kind.as_str())),
                fired: false,
                why: TraceText::Owned(format!(
                    "severity level {severity_level} is below every `{}` duty of this document",
                    kind.as_str()
                )),
            }),
        }
    }
    duties
}

fn capitalise(text: &str) -> String {
    let mut characters = text.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().collect::<String>() + characters.as_str(),
        None => String::new(),
    }
}
