//! Shared helpers of the integration tests: the eight documented incidents and the shipped
//! documents.
#![allow(dead_code, clippy::unwrap_used)]

use redline_model::{IncidentReport, Timestamp, parse_incident_report};
use redline_norms::NormsDocument;

pub const INCIDENT_FILES: [&str; 8] = [
    "01-estonia-2007",
    "02-stuxnet-2010",
    "03-ukraine-grid-2015",
    "04-wannacry-2017",
    "05-notpetya-2017",
    "06-solarwinds-2020",
    "07-colonial-pipeline-2021",
    "08-viasat-2022",
];

pub fn incidents_directory() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/incidents")
}

pub fn now() -> Timestamp {
    Timestamp::parse("2026-11-22T00:00:00Z").unwrap()
}

pub fn incident(name: &str) -> IncidentReport {
    let path = incidents_directory().join(format!("{name}.json"));
    let bytes = std::fs::read(&path).unwrap();
    parse_incident_report(&bytes, now()).unwrap_or_else(|error| panic!("{name}: {error}"))
}

pub fn shipped(name: &str) -> NormsDocument {
    let shipped = redline_norms::shipped_document(name).unwrap();
    NormsDocument::parse(shipped.text, shipped.file_name)
        .unwrap_or_else(|errors| panic!("{errors}"))
}
