//! Plain-text renderings for people: an assessment explained rule by rule for a foreign-ministry
//! legal adviser, in any of the six UN languages (its words in `i18n.rs`), and a summary of a
//! norms document (`redline norms show`, English).

use std::fmt::Write as _;

use redline_model::Language;

use crate::{
    assessment::{Assessment, RecommendedRung},
    document::{NormsDocument, RungRequirements},
    i18n::Words,
};

/// The assessment as text a legal adviser can follow rule by rule, in English: a header, then
/// eight numbered sections. [`render_assessment_text_in`] for the other UN languages.
pub fn render_assessment_text(assessment: &Assessment, document: &NormsDocument) -> String {
    render_assessment_text_in(assessment, document, Language::English)
}

/// The assessment as text in `language` (one of the six UN languages): the fixed words come
/// from `locales/<language>/assessment.ftl`; the engine's explanations, the document's titles,
/// off-ramps and legal citations, and the vocabulary codes are placed as written (`i18n.rs`).
pub fn render_assessment_text_in(
    assessment: &Assessment,
    document: &NormsDocument,
    language: Language,
) -> String {
    let words = Words::new(language);
    let mut out = String::new();
    write_assessment_header(&mut out, &words, assessment, document);
    write_legal_characterisation(&mut out, &words, assessment);
    write_severity(&mut out, &words, assessment, document);
    write_protected_findings(&mut out, &words, assessment);
    write_red_lines_crossed(&mut out, &words, assessment);
    write_norms_engaged(&mut out, &words, assessment);
    write_responses(&mut out, &words, assessment);
    write_duties(&mut out, &words, assessment);
    write_rule_by_rule(&mut out, &words, assessment);
    out
}

/// One bullet line (`   - …`) per entry, or `   {when_empty}` when there is none.
fn write_bullets(out: &mut String, bullets: impl IntoIterator<Item = String>, when_empty: &str) {
    let mut written = 0;
    for bullet in bullets {
        let _ = writeln!(out, "   - {bullet}");
        written += 1;
    }
    if written == 0 {
        let _ = writeln!(out, "   {when_empty}");
    }
}

/// Rung numbers, comma-separated.
fn rung_numbers(rungs: &[RecommendedRung]) -> String {
    rungs
        .iter()
        .map(|rung| rung.rung.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn write_assessment_header(
    out: &mut String,
    words: &Words,
    assessment: &Assessment,
    document: &NormsDocument,
) {
    let incident = match assessment.incident.as_deref() {
        Some(incident) => incident.to_string(),
        None => words.text("assessment-incident-without-id", &[]),
    };
    let _ = writeln!(
        out,
        "{}",
        words.text("assessment-of", &[("incident", incident)])
    );
    let _ = writeln!(
        out,
        "{}",
        words.text(
            "assessment-under",
            &[
                ("title", document.title.clone()),
                ("id", assessment.norms.id.clone()),
                ("version", assessment.norms.version.clone()),
                ("sha256", assessment.norms.sha256.clone()),
            ]
        )
    );
    let _ = writeln!(out);
}

fn write_legal_characterisation(out: &mut String, words: &Words, assessment: &Assessment) {
    let legal = &assessment.legal;
    let _ = writeln!(out, "{}", words.text("legal-heading", &[]));
    let _ = writeln!(
        out,
        "   {}",
        words.text(
            "legal-category",
            &[
                ("category", legal.category.as_str().to_string()),
                ("certainty", legal.certainty.as_str().to_string()),
            ]
        )
    );
    if let Some(allows) = legal.attribution_allows {
        let _ = writeln!(
            out,
            "   {}",
            words.text(
                "legal-attribution-allows",
                &[("allows", allows.as_str().to_string())]
            )
        );
    }
    let _ = writeln!(
        out,
        "   {}",
        words.text("legal-frame", &[("frame", legal.frame.to_string())])
    );
    let _ = writeln!(out, "   {}", words.text("legal-because", &[]));
    for line in &legal.because {
        let _ = writeln!(out, "   - {line}");
    }
    let schmitt = &legal.schmitt;
    let _ = writeln!(
        out,
        "   {}",
        words.text(
            "legal-schmitt",
            &[
                ("severity", schmitt.severity.to_string()),
                ("immediacy", schmitt.immediacy.to_string()),
                ("directness", schmitt.directness.to_string()),
                ("invasiveness", schmitt.invasiveness.to_string()),
                ("measurability", schmitt.measurability.to_string()),
                ("military", schmitt.military_character.to_string()),
                ("state", schmitt.state_involvement.to_string()),
                ("legality", schmitt.presumptive_legality.to_string()),
                ("total", schmitt.total.to_string()),
            ]
        )
    );
    let _ = writeln!(out);
}

fn write_severity(
    out: &mut String,
    words: &Words,
    assessment: &Assessment,
    document: &NormsDocument,
) {
    let severity = &assessment.severity;
    let _ = writeln!(out, "{}", words.text("severity-heading", &[]));
    let _ = writeln!(
        out,
        "   {}",
        words.text(
            "severity-score",
            &[
                ("score", severity.score.to_string()),
                ("level", severity.level.to_string()),
                ("name", severity.name.to_string()),
                ("colour", severity.colour.to_string()),
            ]
        )
    );
    if let Some(note) = &document.severity.note {
        let _ = writeln!(
            out,
            "   {}",
            words.text("severity-note", &[("note", note.clone())])
        );
    }
    let _ = writeln!(out);
}

fn write_protected_findings(out: &mut String, words: &Words, assessment: &Assessment) {
    let _ = writeln!(out, "{}", words.text("protected-heading", &[]));
    write_bullets(
        out,
        assessment.protected.iter().map(|finding| {
            words.text(
                "protected-finding",
                &[
                    ("sector", finding.sector.to_string()),
                    ("rule", finding.rule.to_string()),
                    ("basis", finding.basis.to_string()),
                ],
            )
        }),
        &words.text("protected-none", &[]),
    );
    let _ = writeln!(out);
}

fn write_red_lines_crossed(out: &mut String, words: &Words, assessment: &Assessment) {
    let _ = writeln!(out, "{}", words.text("red-lines-heading", &[]));
    write_bullets(
        out,
        assessment.red_lines.iter().map(|red_line| {
            words.text(
                "red-line-crossed",
                &[
                    ("id", red_line.id.to_string()),
                    ("title", red_line.title.to_string()),
                    ("basis", red_line.basis.to_string()),
                ],
            )
        }),
        &words.text("red-lines-none", &[]),
    );
    let _ = writeln!(out);
}

fn write_norms_engaged(out: &mut String, words: &Words, assessment: &Assessment) {
    let _ = writeln!(out, "{}", words.text("norms-heading", &[]));
    write_bullets(
        out,
        assessment.gge_norms.iter().map(|engaged| {
            words.text(
                "norm-engaged",
                &[
                    ("norm", engaged.norm.to_string()),
                    ("by", engaged.by.join(", ")),
                ],
            )
        }),
        &words.text("norms-none", &[]),
    );
    let _ = writeln!(out);
}

fn write_responses(out: &mut String, words: &Words, assessment: &Assessment) {
    let responses = &assessment.responses;
    let _ = writeln!(out, "{}", words.text("responses-heading", &[]));
    let _ = writeln!(
        out,
        "   {}",
        words.text(
            "responses-ceiling",
            &[("rung", responses.ceiling.to_string())]
        )
    );
    let _ = writeln!(
        out,
        "   {}",
        words.text(
            "responses-proportionate",
            &[("rung", responses.proportionate_up_to.to_string())]
        )
    );
    let _ = writeln!(out, "   {}", words.text("responses-recommended", &[]));
    for rung in &responses.recommended {
        let _ = writeln!(
            out,
            "   - {}",
            words.text(
                "recommended-rung",
                &[
                    ("number", format!("{:>2}", rung.rung)),
                    ("id", rung.id.to_string()),
                    ("title", rung.title.to_string()),
                ]
            )
        );
    }
    let _ = writeln!(
        out,
        "   {}",
        words.text("responses-why", &[("why", responses.why.to_string())])
    );
    let _ = writeln!(
        out,
        "   {}",
        words.text(
            "responses-available",
            &[("rungs", rung_numbers(&responses.available))]
        )
    );
    if responses.recommended_to_other_states.len() != responses.recommended.len() {
        let _ = writeln!(
            out,
            "   {}",
            words.text(
                "responses-other-states",
                &[(
                    "rungs",
                    rung_numbers(&responses.recommended_to_other_states)
                )]
            )
        );
    }
    if !responses.de_escalation.is_empty() {
        let _ = writeln!(out, "   {}", words.text("responses-off-ramps", &[]));
        for off_ramp in &responses.de_escalation {
            let _ = writeln!(out, "   - {off_ramp}");
        }
    }
    let _ = writeln!(out);
}

fn write_duties(out: &mut String, words: &Words, assessment: &Assessment) {
    let _ = writeln!(out, "{}", words.text("duties-heading", &[]));
    write_bullets(
        out,
        assessment.duties.iter().map(|duty| {
            words.text(
                "duty",
                &[
                    ("kind", duty.kind.as_str().to_string()),
                    ("within", duty.within.to_string()),
                ],
            )
        }),
        &words.text("duties-none", &[]),
    );
    let _ = writeln!(out);
}

fn write_rule_by_rule(out: &mut String, words: &Words, assessment: &Assessment) {
    let _ = writeln!(out, "{}", words.text("trace-heading", &[]));
    for entry in &assessment.trace {
        let mark = if entry.fired { "[x]" } else { "[ ]" };
        let _ = writeln!(out, "   {mark} {}: {}", entry.rule, entry.why);
    }
}

/// A summary of a norms document: what it protects, concludes, allows and demands, one
/// section after another.
pub fn render_document_summary(document: &NormsDocument) -> String {
    let mut out = String::new();
    write_document_header(&mut out, document);
    write_severity_model(&mut out, document);
    write_protected_classes(&mut out, document);
    write_legal_rules(&mut out, document);
    write_red_lines(&mut out, document);
    write_ladder(&mut out, document);
    write_condition_names(&mut out);
    write_document_duties(&mut out, document);
    write_disclosure_policy(&mut out, document);
    write_code_of_conduct(&mut out, document);
    out
}

/// Title, id, version, file and digest, adoption, review date and summary.
fn write_document_header(out: &mut String, document: &NormsDocument) {
    let _ = writeln!(
        out,
        "{} — {} {}",
        document.title, document.id, document.version
    );
    let _ = writeln!(
        out,
        "file {} sha256 {}",
        document.file_name, document.sha256
    );
    if !document.adopted_by.is_empty() {
        let _ = writeln!(out, "adopted by {}", document.adopted_by.join(", "));
    }
    if let Some(review_by) = &document.review_by {
        let _ = writeln!(out, "review by {review_by}");
    }
    if let Some(summary) = &document.summary {
        let _ = writeln!(out, "{}", summary.trim());
    }
    let _ = writeln!(out);
}

/// The NCISS categories with their weights, and the bands.
fn write_severity_model(out: &mut String, document: &NormsDocument) {
    let _ = writeln!(out, "Severity (NCISS weighted mean):");
    for category in &document.severity.categories {
        let _ = writeln!(
            out,
            "  {:<32} weight {:>3}, {} options",
            category.id,
            category.weight,
            category.options.len()
        );
    }
    for band in &document.severity.bands {
        let _ = writeln!(
            out,
            "  from {:>6.2}: level {} {} {}",
            band.from, band.level, band.name, band.colour
        );
    }
    let _ = writeln!(out);
}

/// Each protected class: its sectors, limits and basis.
fn write_protected_classes(out: &mut String, document: &NormsDocument) {
    let _ = writeln!(out, "Protected ({}):", document.protected.len());
    for class in &document.protected {
        let _ = writeln!(
            out,
            "  {} — {}{}{} [{}]",
            class.id,
            crate::severity::sector_list(&class.sectors),
            if class.essential_service_only {
                "; essential services only"
            } else {
                ""
            },
            if class.armed_conflict_only {
                "; in armed conflict"
            } else {
                ""
            },
            class.basis
        );
    }
    let _ = writeln!(out);
}

/// Each legal rule: what it concludes, how certainly, and when.
fn write_legal_rules(out: &mut String, document: &NormsDocument) {
    let _ = writeln!(out, "Legal rules ({}):", document.rules.len());
    for rule in &document.rules {
        let _ = writeln!(
            out,
            "  {} → {} ({}) [{}]",
            rule.id,
            rule.concludes.as_str(),
            rule.certainty.as_str(),
            rule.basis
        );
        let _ = writeln!(out, "      when {}", rule.when.source.trim());
    }
    let _ = writeln!(out);
}

/// Each red line and its condition.
fn write_red_lines(out: &mut String, document: &NormsDocument) {
    let _ = writeln!(out, "Red lines ({}):", document.red_lines.len());
    for red_line in &document.red_lines {
        let _ = writeln!(
            out,
            "  {} — {} [{}]",
            red_line.id, red_line.title, red_line.basis
        );
        let _ = writeln!(out, "      when {}", red_line.when.source.trim());
    }
    let _ = writeln!(out);
}

/// The ladder, rung by rung, with what each requires.
fn write_ladder(out: &mut String, document: &NormsDocument) {
    let _ = writeln!(out, "Ladder ({} rungs):", document.rungs.len());
    for rung in &document.rungs {
        let requires = requirements_in_words(&rung.requires);
        let _ = writeln!(
            out,
            "  {:>2} {} ({}{}) — {}{}",
            rung.number,
            rung.id,
            rung.kind.as_str(),
            if rung.de_escalatory {
                ", de-escalatory"
            } else {
                ""
            },
            rung.title,
            if requires.is_empty() {
                String::new()
            } else {
                format!("; requires {}", requires.join(", "))
            }
        );
    }
    let _ = writeln!(out);
}

/// A rung's preconditions, each in a few words (`certainty ≥ majority`).
fn requirements_in_words(requires: &RungRequirements) -> Vec<String> {
    let mut words = Vec::new();
    if let Some(category) = requires.category {
        words.push(format!("category ≥ {}", category.as_str()));
    }
    if let Some(certainty) = requires.certainty {
        words.push(format!("certainty ≥ {}", certainty.as_str()));
    }
    if let Some(confidence) = requires.confidence {
        words.push(format!("confidence ≥ {}", confidence.as_str()));
    }
    if let Some(level) = requires.severity_level {
        words.push(format!("severity ≥ {level}"));
    }
    if requires.prior_consultation {
        words.push("prior hotline consultation".to_string());
    }
    words
}

/// The names a condition can use.
fn write_condition_names(out: &mut String) {
    let _ = writeln!(
        out,
        "Conditions can name: {}",
        crate::conditions::condition_variables().join(", ")
    );
    let _ = writeln!(out);
}

/// Each duty: from which level, within how long.
fn write_document_duties(out: &mut String, document: &NormsDocument) {
    let _ = writeln!(out, "Duties ({}):", document.duties.len());
    for duty in &document.duties {
        let _ = writeln!(
            out,
            "  {} from level {} within {} [{}]",
            duty.kind.as_str(),
            duty.from_level,
            duty.within,
            duty.basis
        );
    }
}

/// The coordinated-disclosure policy: the vendors' deadlines and the default embargo.
fn write_disclosure_policy(out: &mut String, document: &NormsDocument) {
    let policy = &document.disclosure.policy;
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Disclosure policy: a vendor acknowledges within {} days and reports each product's status within {} days of being contacted; the embargo ends {} days after the report unless the coordinator sets it [{}]",
        policy.acknowledge_days, policy.status_days, policy.embargo_days, document.disclosure.basis
    );
}

/// The code of conduct for public attribution, clause by clause.
fn write_code_of_conduct(out: &mut String, document: &NormsDocument) {
    let clauses = &document.code_of_conduct.clauses;
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Code of conduct for public attribution ({} clauses; a claim is published only when all hold):",
        clauses.len()
    );
    for clause in clauses {
        let _ = writeln!(
            out,
            "  {}: {}\n    when {}\n    [{}]",
            clause.id, clause.title, clause.condition_source, clause.basis
        );
    }
    let _ = writeln!(
        out,
        "Clauses can name: claim, cosigners, cosigner_count, consultation, confidence_rank"
    );
}
