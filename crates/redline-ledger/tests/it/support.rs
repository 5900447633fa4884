//! Helpers shared by the tests: locating and reading the known-answer vectors.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64_STANDARD;

pub fn testdata_directory() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/tlog")
}

pub fn read_json(relative_path: &str) -> serde_json::Value {
    let path = testdata_directory().join(relative_path);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("parsing {}: {error}", path.display()))
}

/// Every `.json` file below `relative_directory`, sorted, at any depth.
pub fn json_files_below(relative_directory: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![testdata_directory().join(relative_directory)];
    while let Some(directory) = pending.pop() {
        for entry in std::fs::read_dir(&directory).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path
                .extension()
                .is_some_and(|extension| extension == "json")
            {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(!files.is_empty(), "no vectors below {relative_directory}");
    files
}

pub fn read_json_file(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn base64_decode(text: &str) -> Vec<u8> {
    BASE64_STANDARD.decode(text).unwrap()
}

pub fn base64_field(value: &serde_json::Value, field: &str) -> Vec<u8> {
    base64_decode(
        value[field]
            .as_str()
            .unwrap_or_else(|| panic!("field {field} missing")),
    )
}

/// A list of base64 hashes; `null` means empty.
pub fn base64_list(value: &serde_json::Value, field: &str) -> Vec<Vec<u8>> {
    match &value[field] {
        serde_json::Value::Null => Vec::new(),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|item| base64_decode(item.as_str().unwrap()))
            .collect(),
        other => panic!("field {field} is not a list: {other}"),
    }
}

pub fn hex_list(value: &serde_json::Value) -> Vec<Vec<u8>> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|item| hex::decode(item.as_str().unwrap()).unwrap())
        .collect()
}

pub fn u64_field(value: &serde_json::Value, field: &str) -> u64 {
    value[field]
        .as_u64()
        .unwrap_or_else(|| panic!("field {field} is not a u64: {}", value[field]))
}

pub fn str_field<'a>(value: &'a serde_json::Value, field: &str) -> &'a str {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("field {field} is not a string"))
}

/// Asserts that no case failed, listing every failure.
pub fn assert_no_failures(failures: &[String], case_count: usize) {
    assert!(case_count > 0, "no cases ran");
    assert!(
        failures.is_empty(),
        "{} of {case_count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
