//! The assessment engine: `assess(report, document) -> Assessment`. Severity (NCISS), protected
//! infrastructure, legal rules along the Tallinn pipeline (state nexus → espionage → sovereignty
//! → intervention → use of force → armed attack, plus the IHL overlay), red lines, the ladder
//! with its preconditions, and duties — every rule evaluated recorded in the trace with why.
//! Pure and deterministic: no clock, no I/O, no randomness, no hash-map iteration in output.

use cel::{Context, Value};
use redline_model::IncidentReport;

use crate::{
    assessment::{
        Assessment, DutyFinding, Legal, NormsReference, ProtectedFinding, RecommendedRung,
        RedLineFinding, Responses, Severity, TraceEntry, TraceText, round2,
    },
    conditions::{AssessmentVariables, HelperInputs, helper_values},
    document::{Condition, NormsDocument, Rung},
    facts::ReportFacts,
    schmitt::SchmittFactors,
    severity::{choose_options, sector_dependency},
    vocabulary::{Certainty, Conclusion, LegalCategory},
};

/// What the engine cannot read from the report itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Circumstances {
    /// The hotline consultation with the suspected state has taken place (a precondition of
    /// countermeasures: the call to comply, Tallinn 2.0 Rule 21 commentary).
    pub prior_consultation: bool,
}

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

/// Assesses a report against a norms document under the given circumstances.
pub fn assess_with(
    report: &IncidentReport,
    document: &NormsDocument,
    circumstances: &Circumstances,
) -> Assessment {
    let facts = ReportFacts::of(report);
    let mut trace = Vec::new();

    // Severity.
    let mut options = choose_options(report, &facts);
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

    // CEL variables.
    let schmitt = SchmittFactors::rate(report, &facts);
    let nciss: Vec<(&'static str, &'static str)> = options
        .iter()
        .map(|chosen| (chosen.category, chosen.option))
        .collect();
    let values = helper_values(&HelperInputs {
        report,
        facts: &facts,
        schmitt: &schmitt,
        severity_score: score,
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

    // Protected infrastructure.
    let mut protected = Vec::new();
    for class in &document.protected {
        let mut hit = Vec::new();
        for target in &report.targets {
            let applies = class.sectors.contains(&target.sector)
                && (!class.essential_service_only || target.essential_service)
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

    // Legal rules, in document order.
    let results: Vec<Result<bool, String>> = document
        .rules
        .iter()
        .map(|rule| evaluate(&rule.when, &context))
        .collect();
    let fired = |index: usize| matches!(results.get(index), Some(Ok(true)));
    let rules = &document.rules;

    let nexus_certainty = rules
        .iter()
        .enumerate()
        .filter(|(index, rule)| fired(*index) && rule.concludes == Conclusion::StateNexus)
        .map(|(_, rule)| rule.certainty)
        .max();
    let espionage_rule_fired = rules
        .iter()
        .enumerate()
        .any(|(index, rule)| fired(index) && rule.concludes == Conclusion::Espionage);
    let espionage_cap = espionage_rule_fired || facts.espionage_only;

    let mut because = Vec::new();
    let mut notes: Vec<(usize, String)> = Vec::new();
    let (category, certainty) = match nexus_certainty {
        None => {
            let certainty = rules
                .iter()
                .enumerate()
                .filter(|(index, rule)| fired(*index) && rule.concludes == Conclusion::NoStateNexus)
                .map(|(_, rule)| rule.certainty)
                .max()
                .unwrap_or(Certainty::Contested);
            for (index, rule) in rules.iter().enumerate() {
                if fired(index) && rule.concludes == Conclusion::NoStateNexus {
                    because.push(format!(
                        "No state nexus ({}): {} [{}]",
                        certainty_word(rule.certainty),
                        rule.explanation,
                        rule.basis
                    ));
                }
            }
            if !because
                .iter()
                .any(|line| line.starts_with("No state nexus"))
            {
                because.push(
                    "No state nexus: no rule of this document established that the operation is attributable to a state".into(),
                );
            }
            for (index, rule) in rules.iter().enumerate() {
                if let Some(conditional) = rule.concludes.category()
                    && fired(index)
                    && conditional > LegalCategory::BelowThreshold
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
        Some(nexus_certainty) => {
            for (index, rule) in rules.iter().enumerate() {
                if fired(index) && rule.concludes == Conclusion::StateNexus {
                    because.push(format!(
                        "State nexus ({}): {} [{}]",
                        certainty_word(rule.certainty),
                        rule.explanation,
                        rule.basis
                    ));
                }
            }
            let _ = nexus_certainty;
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
                        "not applied: espionage alone stays below-threshold (Tallinn 2.0 Rule 32; DESIGN contract)".into(),
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
                .filter(|(_, concluded, certainty)| {
                    *concluded > established && !certainty.is_established()
                })
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
            // Established findings, highest first, then the contested ones above them.
            let mut established_lines: Vec<(LegalCategory, usize)> = applicable
                .iter()
                .filter(|(_, _, certainty)| certainty.is_established())
                .map(|(index, concluded, _)| (*concluded, *index))
                .collect();
            established_lines
                .sort_by(|left, right| right.0.cmp(&left.0).then(left.1.cmp(&right.1)));
            for (concluded, index) in established_lines {
                let rule = &rules[index];
                because.push(format!(
                    "{} ({}): {} [{}]",
                    capitalise(concluded.in_words()),
                    certainty_word(rule.certainty),
                    rule.explanation,
                    rule.basis
                ));
            }
            for (index, concluded, _) in &contested_above {
                let rule = &rules[*index];
                because.push(format!(
                    "Contested, not relied on: {} — {} [{}]",
                    concluded.in_words(),
                    rule.explanation,
                    rule.basis
                ));
            }
            for (index, concluded, certainty) in &applicable {
                if !certainty.is_established() && *concluded <= established {
                    let rule = &rules[*index];
                    because.push(format!(
                        "Also argued (contested): {} — {} [{}]",
                        concluded.in_words(),
                        rule.explanation,
                        rule.basis
                    ));
                }
            }
            if !capped.is_empty() {
                because.push(
                    "Espionage alone is below-threshold: the findings above it were not applied (Tallinn 2.0 Rule 32)".into(),
                );
            }
            if applicable.is_empty() && capped.is_empty() {
                because.push(
                    "Below threshold: no rule of this document concluded a higher category".into(),
                );
            }
            (established, certainty)
        }
    };
    for (index, rule) in rules.iter().enumerate() {
        if !fired(index) {
            continue;
        }
        match rule.concludes {
            Conclusion::IhlFinding if report.armed_conflict => because.push(format!(
                "IHL overlay ({}): {} [{}]",
                certainty_word(rule.certainty),
                rule.explanation,
                rule.basis
            )),
            Conclusion::IhlFinding => notes.push((
                index,
                "not applied: the IHL overlay applies only in armed conflict".into(),
            )),
            Conclusion::Finding => because.push(format!(
                "Finding ({}): {} [{}]",
                certainty_word(rule.certainty),
                rule.explanation,
                rule.basis
            )),
            _ => {}
        }
    }
    for (index, (rule, result)) in rules.iter().zip(results.iter()).enumerate() {
        let note = notes
            .iter()
            .find(|(noted, _)| *noted == index)
            .map_or("", |(_, note)| note.as_str());
        let why: TraceText = match result {
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

    // Red lines.
    let mut red_lines = Vec::new();
    for red_line in &document.red_lines {
        let result = evaluate(&red_line.when, &context);
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

    // The ladder. Failure texts are composed at load time; the assessed values they are
    // compared with are in `legal`, `severity` and the report.
    let legal_failures = |rung: &'_ Rung| -> [bool; 3] {
        [
            rung.requires
                .category
                .is_some_and(|required| category < required),
            rung.requires
                .certainty
                .is_some_and(|required| certainty < required),
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
        .filter(|(_, failures)| !failures.contains(&true))
        .map(|(rung, _)| rung.number)
        .max()
        .unwrap_or(0);
    let mut recommended_rungs: Vec<&Rung> = Vec::new();
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
            .is_some_and(|required| severity.level < required)
        {
            failures.push(&texts[3]);
        }
        if rung.requires.prior_consultation && !circumstances.prior_consultation {
            failures.push("needs a prior hotline consultation with the suspected state");
        }
        let recommended = failures.is_empty();
        let why = if recommended {
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
            fired: recommended,
            why,
        });
        if recommended {
            recommended_rungs.push(rung);
        }
    }
    recommended_rungs.sort_by_key(|rung| (!rung.de_escalatory, rung.number));
    let mut de_escalation: Vec<String> = Vec::new();
    for rung in &recommended_rungs {
        if let Some(off_ramp) = &rung.off_ramp
            && !de_escalation.contains(off_ramp)
        {
            de_escalation.push(off_ramp.clone());
        }
    }
    let responses = Responses {
        ceiling,
        recommended: recommended_rungs
            .iter()
            .map(|rung| RecommendedRung {
                rung: rung.number,
                id: rung.id.clone(),
                title: rung.title.clone(),
            })
            .collect(),
        de_escalation,
    };

    // Duties: per kind, the most demanding one whose level the severity reaches.
    let mut kinds: Vec<_> = document.duties.iter().map(|duty| duty.kind).collect();
    kinds.sort();
    kinds.dedup();
    let mut duties = Vec::new();
    for kind in kinds {
        let chosen = document
            .duties
            .iter()
            .filter(|duty| duty.kind == kind && duty.from_level <= severity.level)
            .max_by_key(|duty| duty.from_level);
        match chosen {
            Some(duty) => {
                trace.push(TraceEntry {
                    rule: TraceText::Owned(format!("duty.{}", kind.as_str())),
                    fired: true,
                    why: TraceText::Owned(format!(
                        "severity level {} reaches the duty from level {}: within {} ({})",
                        severity.level, duty.from_level, duty.within, duty.basis
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
                    "severity level {} is below every `{}` duty of this document",
                    severity.level,
                    kind.as_str()
                )),
            }),
        }
    }

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
        legal: Legal {
            category,
            certainty,
            schmitt,
            because,
        },
        responses,
        duties,
        trace,
    }
}

fn capitalise(text: &str) -> String {
    let mut characters = text.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().collect::<String>() + characters.as_str(),
        None => String::new(),
    }
}
