#![allow(clippy::unwrap_used)]
//! Coordinated vulnerability disclosure through the command line, on a local node: a CERT
//! party opens a case from a JSON file (the embargo defaults to 90 days after the report, or to
//! what the `[disclosure]` table of a norms document the coordinator adopted says; the CVSS 4.0
//! vector is stored canonical), contacts a vendor, records statuses, moves the
//! embargo; `show` and `csaf` (CSAF 2.0, and 2.1 with `--csaf-version`) read it back. A
//! mistake is named by its path before anything is signed, and changes nothing.

mod support;

use serde_json::{Value, json};
use support::{add_party_with_new_key, json_of, redline, stderr, stdout, succeeded};

#[test]
fn a_case_is_opened_worked_and_read_through_the_cli() {
    let directory = tempfile::tempdir().unwrap();
    let data = directory.path().join("data");
    let data = data.to_str().unwrap();
    let key = add_party_with_new_key(data, directory.path(), "cert-eu", "cert", "CERT-EU");
    let key = key.as_str();
    succeeded(redline(&[
        "--data",
        data,
        "party",
        "add",
        "--id",
        "vendor-acme",
        "--kind",
        "organisation",
        "--name",
        "Acme",
    ]));
    // Reported yesterday: the default embargo ends 89 days from now.
    let now = jiff::Timestamp::now();
    let reported_at = now - jiff::SignedDuration::from_hours(24);
    let default_end = reported_at + jiff::SignedDuration::from_hours(90 * 24);
    let moved_end = reported_at + jiff::SignedDuration::from_hours(120 * 24);
    let utc = |at: jiff::Timestamp| at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    let reported_at = jiff::Timestamp::from_second(reported_at.as_second()).unwrap();
    let default_end = jiff::Timestamp::from_second(default_end.as_second()).unwrap();
    let moved_end = jiff::Timestamp::from_second(moved_end.as_second()).unwrap();
    let moved_with_offset = moved_end
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(1)))
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string();
    let case = json!({
        "title": "Authentication bypass in the Acme gateway",
        "description": "An unauthenticated request reaches the management API.",
        "reporter": {"name": "Example Research Lab"},
        "vendors": [{"id": "acme", "name": "Acme", "party": "vendor-acme", "products": [
            {"id": "gw", "name": "Gateway 4.2.0", "identifier": {"purl": "pkg:generic/acme/gateway@4.2.0"}}]}],
        "cvss_v4": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/SC:N/VI:H/SI:N/VA:H/SA:N",
        "reported_at": utc(reported_at),
    });
    let file = directory.path().join("case.json");
    std::fs::write(&file, case.to_string()).unwrap();
    let file = file.to_str().unwrap();

    // A broken vector is named by its path, and nothing is stored.
    let mut broken = case.clone();
    broken["cvss_v4"] = json!("CVSS:4.0/AV:N");
    let broken_file = directory.path().join("broken.json");
    std::fs::write(&broken_file, broken.to_string()).unwrap();
    let refused = redline(&[
        "--data",
        data,
        "disclosure",
        "open",
        "--file",
        broken_file.to_str().unwrap(),
        "--key",
        key,
    ]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("cvss_v4"), "{}", stderr(&refused));

    let opened = json_of(redline(&[
        "--data",
        data,
        "disclosure",
        "open",
        "--file",
        file,
        "--key",
        key,
        "--format",
        "json",
    ]));
    let id = opened["id"].as_str().unwrap().to_string();
    assert_eq!(
        opened["cvss_v4"]["vector"],
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
    );
    assert_eq!(
        opened["embargo_end"],
        utc(default_end),
        "the 90-day default"
    );
    let listed = json_of(redline(&[
        "--data",
        data,
        "disclosure",
        "list",
        "--format",
        "json",
    ]));
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");

    succeeded(redline(&[
        "--data",
        data,
        "disclosure",
        "contact",
        "--case",
        &id,
        "--vendor",
        "acme",
        "--key",
        key,
    ]));
    let wrong = redline(&[
        "--data",
        data,
        "disclosure",
        "status",
        "--case",
        &id,
        "--vendor",
        "acme",
        "--product",
        "gw",
        "--status",
        "broken",
        "--key",
        key,
    ]);
    assert!(!wrong.status.success());
    assert!(stderr(&wrong).contains("--status"), "{}", stderr(&wrong));
    succeeded(redline(&[
        "--data",
        data,
        "disclosure",
        "status",
        "--case",
        &id,
        "--vendor",
        "acme",
        "--product",
        "gw",
        "--status",
        "fixed",
        "--statement",
        "Update to 4.2.1.",
        "--key",
        key,
    ]));
    succeeded(redline(&[
        "--data",
        data,
        "disclosure",
        "embargo",
        "--case",
        &id,
        "--until",
        &moved_with_offset,
        "--reason",
        "More time.",
        "--key",
        key,
    ]));
    let shown = json_of(redline(&[
        "--data",
        data,
        "disclosure",
        "show",
        "--case",
        &id,
        "--format",
        "json",
    ]));
    assert_eq!(shown["vendors"][0]["products"][0]["status"], "fixed");
    assert_eq!(shown["embargo_end"], utc(moved_end), "kept in UTC");
    assert_eq!(shown["embargo_changes"].as_array().unwrap().len(), 1);
    let table = stdout(&redline(&[
        "--data",
        data,
        "disclosure",
        "show",
        "--case",
        &id,
    ]));
    assert!(
        table.contains("fixed") && table.contains(&utc(moved_end)),
        "{table}"
    );
    let csaf: Value = serde_json::from_str(&succeeded(redline(&[
        "--data",
        data,
        "disclosure",
        "csaf",
        "--case",
        &id,
    ])))
    .unwrap();
    assert_eq!(csaf["document"]["category"], "csaf_security_advisory");
    assert_eq!(csaf["document"]["csaf_version"], "2.0");
    // CSAF 2.1 on request. The one product is fixed and none is known affected, which the 2.1
    // profile Security Advisory needs: CSAF Base, with the CVSS 4.0 vector in a note.
    let csaf_2_1: Value = serde_json::from_str(&succeeded(redline(&[
        "--data",
        data,
        "disclosure",
        "csaf",
        "--case",
        &id,
        "--csaf-version",
        "2.1",
    ])))
    .unwrap();
    assert_eq!(csaf_2_1["document"]["csaf_version"], "2.1");
    assert_eq!(csaf_2_1["document"]["category"], "csaf_base");
    assert_eq!(
        csaf_2_1["vulnerabilities"][0]["product_status"]["fixed"],
        json!(["CSAFPID-0001"])
    );
    assert!(
        csaf_2_1["vulnerabilities"][0]["notes"]
            .to_string()
            .contains("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
        "{csaf_2_1}"
    );
    let refused = redline(&[
        "--data",
        data,
        "disclosure",
        "csaf",
        "--case",
        &id,
        "--csaf-version",
        "3",
    ]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("--csaf-version")
            && stderr(&refused).contains("2.0 (the default) or 2.1"),
        "{}",
        stderr(&refused)
    );
    succeeded(redline(&[
        "--data",
        data,
        "disclosure",
        "cve",
        "--case",
        &id,
        "--cve",
        "CVE-2026-41234",
        "--key",
        key,
    ]));
    let record = json_of(redline(&[
        "--data",
        data,
        "disclosure",
        "cve-record",
        "--case",
        &id,
        "--org-id",
        "b3476cb9-2e3d-41a6-98d0-0f47421a65b6",
        "--short-name",
        "CERT-EU",
    ]));
    assert_eq!(record["cveMetadata"]["cveId"], "CVE-2026-41234");
    assert_eq!(
        csaf["vulnerabilities"][0]["product_status"]["fixed"],
        json!(["CSAFPID-0001"])
    );

    // A norms document whose [disclosure] table sets a 45-day embargo, adopted by the
    // coordinator: its next case's default embargo follows it.
    let baseline = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../norms/baseline.toml"),
    )
    .unwrap();
    let document = baseline
        .replace("id = \"baseline\"", "id = \"cert-eu-disclosure\"")
        .replace("embargo_days = 90", "embargo_days = 45");
    let document_file = directory.path().join("cert-eu-disclosure.toml");
    std::fs::write(&document_file, document).unwrap();
    let added = succeeded(redline(&[
        "--data",
        data,
        "norms",
        "add",
        document_file.to_str().unwrap(),
    ]));
    let sha256 = added.trim().rsplit(' ').next().unwrap().to_string();
    succeeded(redline(&[
        "--data", data, "norms", "adopt", &sha256, "--party", "cert-eu",
    ]));
    let second = json_of(redline(&[
        "--data",
        data,
        "disclosure",
        "open",
        "--file",
        file,
        "--key",
        key,
        "--format",
        "json",
    ]));
    let shorter_end = reported_at + jiff::SignedDuration::from_hours(45 * 24);
    assert_eq!(
        second["embargo_end"],
        utc(shorter_end),
        "the adopted document's 45 days"
    );
    assert_eq!(second["policy"]["embargo_days"], 45);
    assert_eq!(second["policy"]["document_id"], "cert-eu-disclosure");
}
