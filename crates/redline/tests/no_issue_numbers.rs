//! The code speaks of places, not of the tracker: no comment, locale file, manifest or script
//! names an issue by its number ("issue 23"), which says nothing to a reader who has not got the
//! tracker open and goes stale when the issue is closed. Applied migrations keep theirs: sqlx
//! checks their checksums, so they cannot change.
//!
//! A failure names every file and line.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Text files of ours under `directory`: sources, templates, locales, manifests, scripts;
/// not build output, vendored files or applied migrations.
fn files_to_read(directory: &Path, files: &mut Vec<PathBuf>) {
    const SKIPPED_DIRECTORIES: [&str; 5] = ["target", "migrations", "vendor", ".git", "snapshots"];
    const READ_EXTENSIONS: [&str; 8] = ["rs", "toml", "ftl", "html", "css", "js", "sh", "py"];
    let Ok(entries) = std::fs::read_dir(directory) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if path.is_dir() {
            if !SKIPPED_DIRECTORIES.contains(&name.as_str()) {
                files_to_read(&path, files);
            }
        } else {
            let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            let is_script = path
                .parent()
                .and_then(Path::file_name)
                .is_some_and(|parent| parent == "scripts" || parent == ".ci");
            if READ_EXTENSIONS.contains(&extension) || is_script {
                files.push(path);
            }
        }
    }
}

/// Where `line` names an issue by number: "issue 23", "Issue #23".
fn names_an_issue_number(line: &str) -> bool {
    let lower = line.to_lowercase();
    lower.match_indices("issue").any(|(at, word)| {
        let rest = lower[at + word.len()..]
            .trim_start_matches([' ', '#'])
            .trim_start_matches(' ');
        let spelled_apart = rest.len() < lower.len() - at - word.len();
        spelled_apart && rest.starts_with(|character: char| character.is_ascii_digit())
    })
}

#[test]
fn no_file_of_ours_names_an_issue_by_number() {
    let root = workspace_root();
    let mut files = Vec::new();
    for directory in ["crates", "scripts", ".ci", "packaging"] {
        let before = files.len();
        files_to_read(&root.join(directory), &mut files);
        assert!(
            files.len() > before,
            "no file read in {directory}/: the check would pass without looking"
        );
    }
    assert!(files.len() > 100, "read only {} files", files.len());
    let mut found = Vec::new();
    // This file names its examples.
    files.retain(|file| !file.ends_with(file!().rsplit('/').next().unwrap_or_default()));
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for (number, line) in text.lines().enumerate() {
            if names_an_issue_number(line) {
                found.push(format!(
                    "{}:{}: {}",
                    file.strip_prefix(&root).unwrap_or(&file).display(),
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "name the place, not the issue:\n{}",
        found.join("\n")
    );
}

#[test]
fn issue_numbers_are_found_and_other_numbers_are_not() {
    for (line, expected) in [
        ("// Coordinated disclosure (issue 23).", true),
        ("# Duties kept (Issue #22, part 4)", true),
        ("// see issue 7", true),
        ("// see issue#7 and issue  8", true),
        ("// an issue with 23 parties", false),
        ("// issues 2 and 3", false),
        ("let issue = 3;", false),
        ("let issue3 = 3;", false),
    ] {
        assert_eq!(names_an_issue_number(line), expected, "{line}");
    }
}
