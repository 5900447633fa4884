#![allow(clippy::unwrap_used)]
//! The `[disclosure]` table of a norms document: the policy of the disclosure cases it governs,
//! redline's defaults when absent (or for each key not written), and every broken policy refused
//! at load time naming the key, its line and column.

use redline_model::DisclosurePolicy;
use redline_norms::NormsDocument;

/// The baseline with its `[disclosure]` table replaced by `table` (empty: no table at all).
fn with_disclosure(table: &str) -> String {
    let baseline = redline_norms::baseline();
    let start = baseline.find("[disclosure]").unwrap();
    let end = start + baseline[start..].find("\n\n").unwrap();
    format!("{}{table}{}", &baseline[..start], &baseline[end..])
}

#[test]
fn the_baseline_states_the_default_policy() {
    let document = NormsDocument::parse(redline_norms::baseline(), "norms/baseline.toml").unwrap();
    assert_eq!(document.disclosure.policy, DisclosurePolicy::default());
    assert!(document.disclosure.basis.contains("Project Zero"));
    for profile in ["sovereignty-as-principle", "sovereignty-strict"] {
        let shipped = redline_norms::shipped_document(profile).unwrap();
        let document = NormsDocument::parse(shipped.text, shipped.file_name).unwrap();
        assert_eq!(document.disclosure.policy, DisclosurePolicy::default());
    }
}

#[test]
fn a_document_sets_its_own_policy_and_keys_not_written_take_the_defaults() {
    let policy = |table: &str| {
        NormsDocument::parse(&with_disclosure(table), "test.toml")
            .unwrap_or_else(|errors| panic!("{errors}"))
            .disclosure
    };
    let cert_cc = policy(
        "[disclosure]\nacknowledge_days = 5\nstatus_days = 20\nembargo_days = 45\nbasis = \"CERT/CC: 45 days after the first contact attempt\"",
    );
    assert_eq!(
        cert_cc.policy,
        DisclosurePolicy {
            acknowledge_days: 5,
            status_days: 20,
            embargo_days: 45
        }
    );
    assert_eq!(
        cert_cc.basis,
        "CERT/CC: 45 days after the first contact attempt"
    );
    assert_eq!(
        policy("[disclosure]\nembargo_days = 120").policy,
        DisclosurePolicy {
            embargo_days: 120,
            ..DisclosurePolicy::default()
        }
    );
    let absent = policy("");
    assert_eq!(absent.policy, DisclosurePolicy::default());
    assert!(
        absent.basis.starts_with("redline default"),
        "{}",
        absent.basis
    );
}

#[test]
fn a_broken_policy_is_refused_naming_the_key() {
    // (the table, the message's words, the line of the error relative to `[disclosure]`)
    let table: [(&str, &str, usize); 7] = [
        (
            "[disclosure]\nacknowledge_days = 0",
            "`disclosure.acknowledge_days`: acknowledge_days is 0",
            1,
        ),
        (
            "[disclosure]\nstatus_days = -3",
            "`disclosure.status_days`: status_days is -3",
            1,
        ),
        (
            "[disclosure]\nembargo_days = 400",
            "`disclosure.embargo_days`: embargo_days is 400: expected at most 365 days",
            1,
        ),
        (
            "[disclosure]\nacknowledge_days = 14\nstatus_days = 7",
            "`disclosure.status_days`: status_days (7) is shorter than acknowledge_days (14)",
            2,
        ),
        (
            "[disclosure]\nstatus_days = 60\nembargo_days = 45",
            "`disclosure.embargo_days`: embargo_days (45) is shorter than status_days (60)",
            2,
        ),
        (
            // The status key is not written: the error is at the table.
            "[disclosure]\nembargo_days = 20",
            "`disclosure.embargo_days`: embargo_days (20) is shorter than status_days (30)",
            1,
        ),
        (
            "[disclosure]\nembargo_days = 90\nbasis = \" \"",
            "`disclosure.basis` is empty",
            2,
        ),
    ];
    let table_line = redline_norms::baseline()
        .lines()
        .position(|line| line == "[disclosure]")
        .unwrap()
        + 1;
    for (written, words, line_offset) in table {
        let errors = NormsDocument::parse(&with_disclosure(written), "test.toml").unwrap_err();
        assert_eq!(errors.errors.len(), 1, "{written}: {errors}");
        let error = &errors.errors[0];
        assert!(error.message.contains(words), "{written}: {error}");
        assert_eq!(error.line, table_line + line_offset, "{written}: {error}");
        assert_eq!(error.file, "test.toml");
    }
    let unknown = NormsDocument::parse(
        &with_disclosure("[disclosure]\nembargo_weeks = 13"),
        "test.toml",
    )
    .unwrap_err();
    assert!(
        unknown
            .to_string()
            .contains("unknown field `embargo_weeks`"),
        "{unknown}"
    );
    let not_a_number = NormsDocument::parse(
        &with_disclosure("[disclosure]\nembargo_days = \"90\""),
        "test.toml",
    )
    .unwrap_err();
    assert!(
        not_a_number.to_string().contains("expected i64"),
        "{not_a_number}"
    );
}
