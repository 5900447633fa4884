//! The gold set (`testdata/gold/`): documented incidents beyond the eight demo ones, each a
//! report with labels written from public sources before the engine ran on it (category,
//! certainty, protected sectors, red lines, GGE norms engaged, severity range, ceiling range).
//! Every incident is assessed with the shipped baseline and every label checked; the test
//! prints the whole table (`cargo test -p redline-norms --test gold -- --nocapture`) and fails
//! listing every disagreement at once.
#![allow(clippy::unwrap_used)]

use std::{fmt::Write as _, path::Path};

use redline_model::{Timestamp, parse_incident_report};
use redline_norms::{Assessment, NormsDocument, assess};
use serde::Deserialize;

#[derive(Deserialize)]
struct ExpectationFile {
    incident: String,
    expected: Expected,
    #[serde(default)]
    source: Vec<Source>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    categories: Vec<String>,
    certainty: Vec<String>,
    #[serde(default)]
    protected_sectors: Vec<String>,
    #[serde(default)]
    red_lines: Vec<String>,
    #[serde(default)]
    red_lines_absent: Vec<String>,
    #[serde(default)]
    norms: Vec<String>,
    severity_level: [u8; 2],
    ceiling_at_least: String,
    ceiling_at_most: String,
}

#[derive(Deserialize)]
struct Source {
    label: String,
    url: String,
}

fn gold_directory() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/gold")
}

fn rung_number(document: &NormsDocument, id: &str) -> u32 {
    document
        .rungs
        .iter()
        .find(|rung| rung.id == id)
        .unwrap_or_else(|| panic!("`{id}` is not a rung of the baseline"))
        .number
}

/// Every way `assessment` disagrees with `expected`.
fn disagreements(
    assessment: &Assessment,
    expected: &Expected,
    document: &NormsDocument,
) -> Vec<String> {
    let mut found = Vec::new();
    let category = assessment.legal.category.as_str();
    if !expected.categories.iter().any(|wanted| wanted == category) {
        found.push(format!(
            "category {category}, expected one of {:?}",
            expected.categories
        ));
    }
    let certainty = assessment.legal.certainty.as_str();
    if !expected.certainty.iter().any(|wanted| wanted == certainty) {
        found.push(format!(
            "certainty {certainty}, expected one of {:?}",
            expected.certainty
        ));
    }
    for sector in &expected.protected_sectors {
        if !assessment
            .protected
            .iter()
            .any(|finding| &finding.sector == sector)
        {
            found.push(format!("protected sector {sector} not found"));
        }
    }
    for red_line in &expected.red_lines {
        if !assessment
            .red_lines
            .iter()
            .any(|crossed| &crossed.id == red_line)
        {
            found.push(format!("red line {red_line} not crossed"));
        }
    }
    for red_line in &expected.red_lines_absent {
        if assessment
            .red_lines
            .iter()
            .any(|crossed| &crossed.id == red_line)
        {
            found.push(format!("red line {red_line} crossed, expected absent"));
        }
    }
    for norm in &expected.norms {
        let tag = format!("13({norm})");
        if !assessment
            .gge_norms
            .iter()
            .any(|engaged| engaged.norm == tag)
        {
            found.push(format!("norm {tag} not engaged"));
        }
    }
    let [low, high] = expected.severity_level;
    let level = assessment.severity.level;
    if level < low || level > high {
        found.push(format!(
            "severity level {level} (score {}), expected {low}–{high}",
            assessment.severity.score
        ));
    }
    let least = rung_number(document, &expected.ceiling_at_least);
    let most = rung_number(document, &expected.ceiling_at_most);
    let ceiling = assessment.responses.ceiling;
    if ceiling < least || ceiling > most {
        found.push(format!(
            "ceiling {ceiling}, expected {least} ({}) – {most} ({})",
            expected.ceiling_at_least, expected.ceiling_at_most
        ));
    }
    found
}

#[test]
fn every_gold_incident_is_assessed_as_its_sources_say() {
    let document = NormsDocument::parse(redline_norms::baseline(), "norms/baseline.toml").unwrap();
    let now = Timestamp::parse("2026-12-07T00:00:00Z").unwrap();
    let mut files: Vec<_> = std::fs::read_dir(gold_directory())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "json")
        })
        .collect();
    files.sort();
    assert!(
        files.len() >= 40,
        "the gold set has {} incidents, expected at least 40",
        files.len()
    );
    let mut table = String::from(
        "| incident | category (certainty) | severity | ceiling | recommended | norms | agrees |\n| --- | --- | --- | --- | --- | --- | --- |\n",
    );
    let mut failures = Vec::new();
    for report_path in &files {
        let name = report_path
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let report = parse_incident_report(&std::fs::read(report_path).unwrap(), now)
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        let expectations: ExpectationFile = toml::from_str(
            &std::fs::read_to_string(report_path.with_extension("expected.toml")).unwrap(),
        )
        .unwrap_or_else(|error| panic!("{name}.expected.toml: {error}"));
        assert!(
            expectations
                .source
                .iter()
                .any(|source| source.label.contains("categories") && source.url.starts_with("http")),
            "{name}: no source for its category label"
        );
        let assessment = assess(&report, &document);
        let found = disagreements(&assessment, &expectations.expected, &document);
        let _ = writeln!(
            table,
            "| {} ({name}) | {} ({}) | {} ({}) | {} | {} | {} | {} |",
            expectations.incident,
            assessment.legal.category.as_str(),
            assessment.legal.certainty.as_str(),
            assessment.severity.level,
            assessment.severity.score,
            assessment.responses.ceiling,
            assessment
                .responses
                .recommended
                .iter()
                .map(|rung| rung.rung.to_string())
                .collect::<Vec<_>>()
                .join(" "),
            assessment
                .gge_norms
                .iter()
                .map(|engaged| engaged.norm.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            if found.is_empty() { "yes" } else { "NO" }
        );
        for disagreement in found {
            failures.push(format!("{name}: {disagreement}"));
        }
    }
    println!("{table}");
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
