#![allow(clippy::unwrap_used)]
//! The JSON Schemas of redline's TOML files (`schemas/`): the committed files are what the code
//! generates (`redline schema …`), every shipped norms document, scenario and exercise file
//! names its schema on its first line (taplo's `#:schema` directive, which the parsers read as
//! a comment) and validates against it with the `jsonschema` Python package, and broken files
//! fail.
//!
//! The validation needs a Python with `jsonschema`: `TAXII_PYTHON`, else the workspace's
//! `.venv/bin/python` (scripts/test makes it). With `REQUIRE_INTEROP=1` a missing Python fails
//! the test instead of skipping it.

#[path = "../../redline-http/tests/support/interop.rs"]
mod interop;
mod support;

use std::path::{Path, PathBuf};

use support::{redline, succeeded};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// (the `redline schema` word, the published file, the directory of the shipped files, the
/// directive their first line carries)
const SCHEMAS: [(&str, &str, &str, &str); 3] = [
    (
        "norms",
        "schemas/norms-document.schema.json",
        "norms",
        "#:schema ./../schemas/norms-document.schema.json",
    ),
    (
        "scenario",
        "schemas/scenario.schema.json",
        "scenarios",
        "#:schema ./../schemas/scenario.schema.json",
    ),
    (
        "exercise",
        "schemas/exercise.schema.json",
        "scenarios/exercises",
        "#:schema ./../../schemas/exercise.schema.json",
    ),
];

fn toml_files(directory: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(directory)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "toml")
        })
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no TOML files in {}",
        directory.display()
    );
    files
}

#[test]
fn the_published_schemas_are_what_the_code_generates() {
    for (word, file, _, _) in SCHEMAS.iter().copied().chain([
        ("incident", "schemas/incident-report.schema.json", "", ""),
        (
            "disclosure-case",
            "schemas/disclosure-case.schema.json",
            "",
            "",
        ),
        (
            "disclosure-action",
            "schemas/disclosure-action.schema.json",
            "",
            "",
        ),
        (
            "supply-chain-notice",
            "schemas/supply-chain-notice.schema.json",
            "",
            "",
        ),
        (
            "supply-chain-acknowledgement",
            "schemas/supply-chain-acknowledgement.schema.json",
            "",
            "",
        ),
        (
            "hotline-message",
            "schemas/hotline-message.schema.json",
            "",
            "",
        ),
    ]) {
        let generated = succeeded(redline(&["schema", word]));
        let published = std::fs::read_to_string(workspace().join(file)).unwrap();
        assert!(
            generated == published,
            "{file} is stale: run `redline schema {word} > {file}`"
        );
        let schema: serde_json::Value = serde_json::from_str(&generated).unwrap();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
    }
}

/// Every signed commitment payload's schema is published and current, and every payload name
/// the model knows has one.
#[test]
fn the_published_commitment_schemas_are_what_the_code_generates() {
    for payload in redline_model::commitments::CommitmentPayload::ALL {
        let name = payload.as_str();
        let file = format!("schemas/commitment-{name}.schema.json");
        let generated = succeeded(redline(&["schema", "commitment", name]));
        let published = std::fs::read_to_string(workspace().join(&file)).unwrap_or_else(|_| {
            panic!("{file} is missing: run `redline schema commitment {name} > {file}`")
        });
        assert!(
            generated == published,
            "{file} is stale: run `redline schema commitment {name} > {file}`"
        );
        let schema: serde_json::Value = serde_json::from_str(&generated).unwrap();
        assert_eq!(
            schema["$comment"]
                .as_str()
                .map(|text| text.contains(payload.payload_type())),
            Some(true)
        );
    }
}

#[test]
fn every_shipped_file_names_its_schema_on_its_first_line() {
    for (_, schema, directory, directive) in SCHEMAS {
        let directory = workspace().join(directory);
        for file in toml_files(&directory) {
            let text = std::fs::read_to_string(&file).unwrap();
            assert_eq!(
                text.lines().next(),
                Some(directive),
                "{} does not start with its schema directive",
                file.display()
            );
            // The directive's path, read from the file's directory, is the published schema.
            let target = directory.join(directive.trim_start_matches("#:schema "));
            assert_eq!(
                target.canonicalize().unwrap(),
                workspace().join(schema).canonicalize().unwrap()
            );
        }
    }
    // …and the parsers read it as the comment it is.
    let norms: Vec<String> = toml_files(&workspace().join("norms"))
        .iter()
        .map(|path| path.display().to_string())
        .collect();
    let mut arguments = vec!["norms", "check"];
    arguments.extend(norms.iter().map(String::as_str));
    succeeded(redline(&arguments));
}

fn schema_python() -> Option<PathBuf> {
    interop::interop_python(
        &["TAXII_PYTHON"],
        &["jsonschema", "tomllib"],
        "schema validation",
    )
}

/// Runs `validate.py` on `files`; (whether all were valid, what it printed).
fn validate(python: &Path, schema: &Path, files: &[PathBuf]) -> (bool, String) {
    let output = std::process::Command::new(python)
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/validate.py"))
        .arg(schema)
        .args(files)
        .output()
        .unwrap();
    assert!(
        output.stderr.is_empty(),
        "validate.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn every_shipped_file_validates_against_its_schema_and_broken_ones_do_not() {
    let Some(python) = schema_python() else {
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    for (word, schema, directory, _) in SCHEMAS {
        let schema = workspace().join(schema);
        let files = toml_files(&workspace().join(directory));
        let (valid, printed) = validate(&python, &schema, &files);
        assert!(valid, "{word}: {printed}");
        assert_eq!(printed.matches(": valid").count(), files.len(), "{printed}");

        // Broken copies of the first shipped file: an unknown key at the top, and a wrong type.
        let text = std::fs::read_to_string(&files[0]).unwrap();
        let unknown_key = scratch.path().join(format!("{word}-unknown-key.toml"));
        std::fs::write(
            &unknown_key,
            format!("not_a_field_of_any_table = true\n{text}"),
        )
        .unwrap();
        let (valid, printed) = validate(&python, &schema, &[unknown_key]);
        assert!(!valid, "{word}: an unknown key passed: {printed}");
        assert!(printed.contains("not_a_field_of_any_table"), "{printed}");

        let wrong_type = scratch.path().join(format!("{word}-wrong-type.toml"));
        let table = match word {
            "norms" => "document",
            "scenario" => "scenario",
            _ => "exercise",
        };
        let broken = text.replacen(
            &format!("[{table}]\nid = "),
            &format!("[{table}]\nid = 42\n# was: id = "),
            1,
        );
        assert_ne!(
            broken, text,
            "{word}: the [{table}] table starts with its id"
        );
        std::fs::write(&wrong_type, broken).unwrap();
        let (valid, printed) = validate(&python, &schema, &[wrong_type]);
        assert!(!valid, "{word}: a number as the id passed: {printed}");
        assert!(printed.contains("is not of type 'string'"), "{printed}");
    }
}

#[test]
fn the_norms_template_passes_norms_check_and_its_schema_and_is_never_written_over() {
    let scratch = tempfile::tempdir().unwrap();
    let printed = succeeded(redline(&["norms", "new"]));
    let file = scratch.path().join("our-norms.toml");
    let path = file.to_str().unwrap();
    succeeded(redline(&["norms", "new", "--out", path]));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), printed);
    assert!(
        printed.contains("norms/baseline.toml"),
        "it points at the full version"
    );
    let checked = succeeded(redline(&["norms", "check", path]));
    assert!(checked.contains("valid (my-norms 0.1.0"), "{checked}");
    let assessed = succeeded(redline(&[
        "assess",
        workspace()
            .join("demo/incidents/03-ukraine-grid-2015.json")
            .to_str()
            .unwrap(),
        "--norms",
        path,
    ]));
    assert!(!assessed.is_empty());

    let again = redline(&["norms", "new", "--out", path]);
    assert_eq!(again.status.code(), Some(5), "a conflict: the file exists");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        printed,
        "untouched"
    );

    if let Some(python) = schema_python() {
        let (valid, printed) = validate(
            &python,
            &workspace().join("schemas/norms-document.schema.json"),
            &[file],
        );
        assert!(valid, "{printed}");
    }
}

/// The hotline message's schema accepts every kind's payload, a request outcome's among them,
/// and refuses an outcome the vocabulary lacks, an unknown body field, and a body of another
/// kind under `kind`.
#[test]
fn hotline_messages_validate_against_their_schema_and_broken_ones_do_not() {
    let Some(python) = schema_python() else {
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    let message = |kind: &str, body: &str| {
        format!(
            r#"{{"v":1,"id":"0192f3a4-7b1c-4d2e-9f00-000000000001","thread":"0192f3a4-7b1c-4d2e-9f00-000000000002","from":"EE","to":["RU"],"kind":"{kind}","sent_at":"2026-11-22T10:00:00Z","tlp":"amber","lang":"en","body":{body}}}"#
        )
    };
    let request = r#""request":"0192f3a4-7b1c-4d2e-9f00-000000000003""#;
    let cases = [
        (
            "notification",
            message("notification", r#"{"summary":"Wiper on the grid"}"#),
            true,
        ),
        (
            "outcome-declined",
            message(
                "request-outcome",
                &format!(r#"{{{request},"outcome":"declined","reason":"No capacity"}}"#),
            ),
            true,
        ),
        (
            "outcome-partly",
            message(
                "request-outcome",
                &format!(r#"{{{request},"outcome":"partly","done":"2 hosts","not_done":"1 CDN"}}"#),
            ),
            true,
        ),
        (
            "outcome-unknown",
            message(
                "request-outcome",
                &format!(r#"{{{request},"outcome":"rejected"}}"#),
            ),
            false,
        ),
        (
            "outcome-extra-field",
            message(
                "request-outcome",
                &format!(r#"{{{request},"outcome":"accepted","priority":1}}"#),
            ),
            false,
        ),
        (
            "outcome-with-a-notification-body",
            message("request-outcome", r#"{"summary":"Wiper on the grid"}"#),
            false,
        ),
    ];
    let schema = workspace().join("schemas/hotline-message.schema.json");
    for (name, payload, expected) in cases {
        let file = scratch.path().join(format!("{name}.json"));
        std::fs::write(&file, payload).unwrap();
        let (valid, printed) = validate(&python, &schema, &[file]);
        assert_eq!(valid, expected, "{name}: {printed}");
    }
}
