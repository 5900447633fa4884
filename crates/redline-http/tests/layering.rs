//! redline-http sees only the node: its `src/` never names `redline_store`, and the store is not
//! among its `[dependencies]` (the tests, benches and their kits may still build a store, so it
//! may stay a dev-dependency). What the HTTP layer needs of the store — rows, selections, the
//! readiness verdict — the node hands out as its own types.
//!
//! A failure names the file and line, or the manifest line.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

/// The crate's own directory.
fn crate_directory() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `directory`, recursively.
fn files_under(directory: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![directory.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).expect("reading a source directory") {
            let path = entry.expect("reading a directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The lines of one table of a manifest (`[dependencies]`), up to the next table header.
fn manifest_table<'a>(manifest: &'a str, table: &str) -> Vec<(usize, &'a str)> {
    let header = format!("[{table}]");
    manifest
        .lines()
        .enumerate()
        .skip_while(|(_, line)| line.trim() != header)
        .skip(1)
        .take_while(|(_, line)| !line.trim_start().starts_with('['))
        .map(|(index, line)| (index + 1, line))
        .collect()
}

#[test]
fn http_sources_never_name_the_store() {
    let source_directory = crate_directory().join("src");
    let offences: Vec<String> = files_under(&source_directory)
        .into_iter()
        .flat_map(|path| {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            text.lines()
                .enumerate()
                .filter(|(_, line)| line.contains("redline_store"))
                .map(|(index, line)| format!("{}:{}: {}", path.display(), index + 1, line.trim()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        offences.is_empty(),
        "redline-http names the store; use the node's types instead:\n{}",
        offences.join("\n")
    );
}

#[test]
fn http_does_not_depend_on_the_store() {
    let manifest_path = crate_directory().join("Cargo.toml");
    let manifest = std::fs::read_to_string(&manifest_path).expect("reading Cargo.toml");
    let offences: Vec<String> = manifest_table(&manifest, "dependencies")
        .into_iter()
        .filter(|(_, line)| {
            let name = line.split(['=', '.']).next().unwrap_or_default().trim();
            name == "redline-store" || name == "redline_store"
        })
        .map(|(number, line)| format!("{}:{number}: {}", manifest_path.display(), line.trim()))
        .collect();
    assert!(
        offences.is_empty(),
        "redline-store is a dependency of redline-http (a dev-dependency is fine):\n{}",
        offences.join("\n")
    );
}

#[test]
fn the_manifest_reader_finds_a_dependency() {
    let manifest = "[package]\nname = \"x\"\n[dependencies]\nredline-store.workspace = true\n\
                    axum.workspace = true\n[dev-dependencies]\ntempfile.workspace = true\n";
    let dependencies: Vec<&str> = manifest_table(manifest, "dependencies")
        .into_iter()
        .map(|(_, line)| line)
        .collect();
    assert_eq!(
        dependencies,
        ["redline-store.workspace = true", "axum.workspace = true"]
    );
}
