//! The integration tests of redline-sim, in one binary.
#![allow(clippy::unwrap_used)]

mod calibration;
mod determinism;
mod ladder;
mod levers;
mod report;
mod scenario;
mod statistics;

use std::path::PathBuf;

use redline_sim::{Scenario, parse_scenario};

/// The shipped scenarios folder at the workspace root.
pub fn scenarios_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

/// Loads one shipped scenario by file stem.
pub fn load(name: &str) -> Scenario {
    let path = scenarios_dir().join(format!("{name}.toml"));
    let text = std::fs::read_to_string(&path).unwrap();
    parse_scenario(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// Every shipped scenario, sorted by file name.
pub fn shipped_scenarios() -> Vec<Scenario> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(scenarios_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "toml")
        })
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            parse_scenario(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
        })
        .collect()
}
