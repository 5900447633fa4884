#![allow(clippy::unwrap_used)]
//! `redline completions` and `redline man`: the scripts are valid for their shell and the
//! manual pages render (as UTF-8 through groff's preconv, `-k`, the way `man` reads them). Both
//! need real tools (bash, groff): missing tools fail the test rather
//! than skip it (`scripts/test` installs `groff-base`).

mod support;

use std::process::Command;

use support::{redline, succeeded};

#[test]
fn the_bash_completion_script_parses_and_completes_the_subcommands() {
    let script = succeeded(redline(&["completions", "bash"]));
    assert!(script.contains("_redline()"), "a bash completion function");
    for subcommand in ["norms", "assess", "exercise", "completions", "man"] {
        assert!(
            script.contains(subcommand),
            "completes `{subcommand}`:\n{script}"
        );
    }
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("redline.bash");
    std::fs::write(&file, &script).unwrap();
    let checked = Command::new("bash")
        .arg("-n")
        .arg(&file)
        .output()
        .expect("bash is needed to check the completion script");
    assert!(
        checked.status.success(),
        "bash -n refused the script: {}",
        String::from_utf8_lossy(&checked.stderr)
    );
    // Sourcing it registers the completion for `redline`.
    let registered = Command::new("bash")
        .arg("-c")
        .arg(format!("source {} && complete -p redline", file.display()))
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&registered.stdout).contains("redline"),
        "complete -p redline: {}",
        String::from_utf8_lossy(&registered.stderr)
    );
}

#[test]
fn every_shell_gets_a_script_and_an_unknown_shell_is_refused() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = succeeded(redline(&["completions", shell]));
        assert!(script.contains("redline"), "{shell}: {script}");
    }
    let refused = redline(&["completions", "tcsh"]);
    assert_eq!(refused.status.code(), Some(2), "a usage error");
}

#[test]
fn the_manual_pages_are_written_for_every_subcommand_and_render_with_groff() {
    let directory = tempfile::tempdir().unwrap();
    let out = directory.path().join("man1");
    let listed = succeeded(redline(&["man", "--out", out.to_str().unwrap()]));
    for page in [
        "redline.1",
        "redline-norms.1",
        "redline-norms-check.1",
        "redline-assess.1",
        "redline-exercise-report.1",
        "redline-completions.1",
        "redline-man.1",
    ] {
        assert!(
            out.join(page).is_file(),
            "{page} missing; listed:\n{listed}"
        );
    }
    let rendered = Command::new("groff")
        .args(["-k", "-man", "-Tutf8", "-ww", "-z"])
        .arg(out.join("redline-norms-check.1"))
        .output()
        .expect("groff is needed to render the manual pages (apt-get install groff-base)");
    assert!(
        rendered.status.success() && rendered.stderr.is_empty(),
        "groff warned: {}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    let rendered = Command::new("groff")
        .args(["-k", "-man", "-Tutf8", "-P-cbou"])
        .arg(out.join("redline.1"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&rendered.stdout);
    assert!(rendered.status.success(), "groff failed");
    for heading in ["NAME", "SYNOPSIS", "SUBCOMMANDS"] {
        assert!(text.contains(heading), "{heading} missing:\n{text}");
    }
    assert!(
        text.contains("redline-norms(1)"),
        "subcommands refer to their pages:\n{text}"
    );
}
