//! The core crates stay pure. `redline-model`, `-norms`, `-hotline`, `-ledger`, `-stix`, `-sim`
//! and `-charts` do no I/O and read no clock; this test keeps it so, in two ways:
//!
//! - their dependency graph (from `cargo metadata`, normal dependencies only, transitively)
//!   holds no async runtime, database, HTTP, socket or file crate, and no shell crate of ours;
//! - their `src/` names no file system, network, process or environment API, no clock and no
//!   tokio.
//!
//! A failure names the crate and the path to the offending dependency, or the file and line.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The pure core.
const CORE_CRATES: [&str; 8] = [
    "redline-model",
    "redline-norms",
    "redline-hotline",
    "redline-ledger",
    "redline-stix",
    "redline-sim",
    "redline-charts",
    "redline-disclosure",
];

/// Crates a core crate must never depend on, directly or through others: a name, or a prefix
/// ending in `-` or `_` for a family (`sqlx-core`, `hyper-util`, `tower_governor`).
const FORBIDDEN_CRATES: [&str; 20] = [
    "tokio",
    "tokio-",
    "mio",
    "socket2",
    "sqlx",
    "sqlx-",
    "reqwest",
    "hyper",
    "hyper-",
    "axum",
    "axum-",
    "tower",
    "tower-",
    "tower_",
    "tempfile",
    "rustix",
    "notify",
    "redline-store",
    "redline-node",
    "redline-http",
];

/// Text a core crate's source must not contain (outside comments): file system, network,
/// processes, environment, clocks, tokio.
const FORBIDDEN_SOURCE: [&str; 11] = [
    "std::fs",
    "std::net",
    "std::process",
    "std::env",
    "SystemTime::now",
    "Instant::now",
    "Timestamp::now",
    "Zoned::now",
    "tokio",
    "File::open",
    "File::create",
];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn is_forbidden(name: &str) -> bool {
    FORBIDDEN_CRATES.iter().any(|forbidden| {
        if forbidden.ends_with('-') || forbidden.ends_with('_') {
            name.starts_with(forbidden)
        } else {
            name == *forbidden
        }
    })
}

/// The host triple, so `cargo metadata --offline` resolves only what this platform builds.
fn host_triple() -> String {
    let output = Command::new("rustc")
        .arg("-vV")
        .output()
        .expect("run rustc -vV");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .expect("rustc -vV names the host")
        .to_owned()
}

fn cargo_metadata() -> Value {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(workspace_root())
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--locked",
            "--filter-platform",
            &host_triple(),
        ])
        .output()
        .expect("run cargo metadata");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// For each core crate, every forbidden crate it reaches through normal dependencies, with the
/// path that reaches it (`redline-ledger -> tokio`).
fn forbidden_dependencies(metadata: &Value) -> Vec<String> {
    let names: BTreeMap<&str, &str> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|package| {
            (
                package["id"].as_str().unwrap(),
                package["name"].as_str().unwrap(),
            )
        })
        .collect();
    // Package id → the ids of its normal (not dev, not build) dependencies.
    let normal_dependencies: BTreeMap<&str, Vec<&str>> = metadata["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| {
            let dependencies = node["deps"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|dependency| {
                    dependency["dep_kinds"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|kind| kind["kind"].is_null())
                })
                .map(|dependency| dependency["pkg"].as_str().unwrap())
                .collect();
            (node["id"].as_str().unwrap(), dependencies)
        })
        .collect();
    let mut problems = Vec::new();
    for core in CORE_CRATES {
        let root = names
            .iter()
            .find(|(_, name)| **name == core)
            .map(|(id, _)| *id)
            .unwrap_or_else(|| panic!("{core} is not in the workspace"));
        // Breadth first, remembering how each package was reached, for the message.
        let mut reached_from: BTreeMap<&str, &str> = BTreeMap::new();
        let mut visited = BTreeSet::from([root]);
        let mut queue = std::collections::VecDeque::from([root]);
        while let Some(id) = queue.pop_front() {
            for dependency in normal_dependencies.get(id).into_iter().flatten() {
                if visited.insert(dependency) {
                    reached_from.insert(dependency, id);
                    queue.push_back(dependency);
                }
            }
        }
        for id in &visited {
            if is_forbidden(names[id]) {
                let mut path = vec![names[id]];
                let mut current = *id;
                while let Some(parent) = reached_from.get(current) {
                    path.push(names[parent]);
                    current = parent;
                }
                path.reverse();
                problems.push(path);
            }
        }
    }
    // The nearest first: the dependency that was added, then what it brought along.
    problems.sort_by(|left, right| (left.len(), left).cmp(&(right.len(), right)));
    problems.iter().map(|path| path.join(" -> ")).collect()
}

#[test]
fn core_crates_depend_on_no_runtime_database_network_or_file_crate() {
    let problems = forbidden_dependencies(&cargo_metadata());
    assert!(
        problems.is_empty(),
        "the pure core gained a dependency that does I/O (see ARCHITECTURE.md, Invariants):\n  {}",
        problems.join("\n  ")
    );
}

fn rust_files(directory: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(directory).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
}

/// The first-level names of a grouped import: `{fs, io::{self, Write}}` → `fs, io`.
fn grouped_import(text: &str) -> String {
    let mut depth = 0;
    let mut names = String::new();
    for character in text.chars() {
        match character {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ if depth == 1 => names.push(character),
            _ => {}
        }
    }
    names
}

#[test]
fn core_crates_sources_use_no_file_network_clock_or_tokio() {
    let root = workspace_root();
    let mut problems = Vec::new();
    for core in CORE_CRATES {
        let mut files = Vec::new();
        rust_files(&root.join("crates").join(core).join("src"), &mut files);
        assert!(!files.is_empty(), "{core} has no sources");
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let shown = file.strip_prefix(&root).unwrap_or(&file).display();
            let code_lines: Vec<&str> = text
                .lines()
                .map(|line| line.split("//").next().unwrap_or(""))
                .collect();
            for (number, code) in code_lines.iter().enumerate() {
                for forbidden in FORBIDDEN_SOURCE {
                    if code.contains(forbidden) {
                        problems.push(format!(
                            "{shown}:{}: `{forbidden}` in `{}`",
                            number + 1,
                            code.trim()
                        ));
                    }
                }
            }
            // Grouped imports: `use std::{fs, io};` names `std::fs` too.
            let code = code_lines.join("\n");
            for (offset, _) in code.match_indices("std::{") {
                let group = grouped_import(&code[offset + "std::".len()..]);
                for module in ["fs", "net", "process", "env"] {
                    if group
                        .split(|character: char| !character.is_alphanumeric() && character != '_')
                        .any(|word| word == module)
                    {
                        let line = code[..offset].matches('\n').count() + 1;
                        problems.push(format!(
                            "{shown}:{line}: `std::{module}` in a grouped import"
                        ));
                    }
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the pure core does I/O or reads a clock (see ARCHITECTURE.md, Invariants):\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn grouped_imports_are_read_at_their_first_level() {
    assert_eq!(grouped_import("{fs, io::{self, Write}};"), "fs, io::");
    assert_eq!(
        grouped_import("{collections::BTreeMap, fmt}"),
        "collections::BTreeMap, fmt"
    );
}

#[test]
fn the_forbidden_crate_rule_matches_families_and_exact_names() {
    for name in [
        "tokio",
        "tokio-util",
        "sqlx-core",
        "hyper-util",
        "tower_governor",
    ] {
        assert!(is_forbidden(name), "{name}");
    }
    for name in ["tokio_like", "hyperx", "towers", "serde", "redline-model"] {
        assert!(!is_forbidden(name), "{name}");
    }
}
