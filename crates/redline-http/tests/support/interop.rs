//! The third-party tools the interop tests drive (Python's taxii2-client, stix2, feedparser,
//! jsonschema, prometheus_client; the OASIS STIX validator), found the way `scripts/test`
//! installs them. A test whose tool is missing prints SKIPPED, unless `REQUIRE_INTEROP=1`
//! (as CI sets), when the missing tool fails it. Shared by the tests of redline-http, redline
//! and redline-stix (included by path, as it needs nothing but std).
#![allow(dead_code)]

use std::{ffi::OsString, path::PathBuf};

/// A Python that can import every one of `modules`: the first of the environment variables
/// `settings` that is set, else the workspace's `.venv` (`scripts/test` makes it). `None` when
/// it cannot, so that `test` is skipped.
pub fn interop_python(settings: &[&str], modules: &[&str], test: &str) -> Option<PathBuf> {
    let candidate = settings
        .iter()
        .find_map(std::env::var_os)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python")
        });
    let usable = std::process::Command::new(&candidate)
        .args(["-c", &format!("import {}", modules.join(", "))])
        .output()
        .is_ok_and(|output| output.status.success());
    if usable {
        return Some(candidate);
    }
    skipped_unless_required(&format!(
        "{test}: {} cannot import {} (run scripts/test, or set {})",
        candidate.display(),
        modules.join(", "),
        settings.join(" or ")
    ));
    None
}

/// The tool the environment variable `setting` names, or `None` so that `test` is skipped.
pub fn interop_tool(setting: &str, test: &str) -> Option<OsString> {
    let tool = std::env::var_os(setting);
    if tool.is_none() {
        skipped_unless_required(&format!("{test}: {setting} is not set"));
    }
    tool
}

/// Fails with `why` under `REQUIRE_INTEROP=1`; otherwise prints that the test is skipped.
pub fn skipped_unless_required(why: &str) {
    assert!(
        std::env::var("REQUIRE_INTEROP").as_deref() != Ok("1"),
        "REQUIRE_INTEROP=1 but {why}"
    );
    println!("SKIPPED: {why}");
}
