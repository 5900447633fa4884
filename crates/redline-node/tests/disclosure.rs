#![allow(clippy::unwrap_used)]
//! Coordinated disclosure at the node, on a real SQLite store with real Ed25519 signatures and
//! the node's clock:
//! - the policy of a case comes from the `[disclosure]` table of the norms document its
//!   coordinator adopted (else the baseline's defaults), and drives the vendors' deadlines and
//!   the scheduler;
//! - an incident names a disclosure case only if its reporter may read the case (a missing case
//!   and an embargoed one it may not read get the same answer), and while the case is embargoed
//!   only in a report that no one outside the case may read; the 13(j) finding fires; the case
//!   lists the incidents that name it or its CVE id to readers who may read them, and the public
//!   incident page links only public cases.

use ed25519_dalek::SigningKey;
use redline_disclosure::{ACTION_PAYLOAD_TYPE, CASE_PAYLOAD_TYPE};
use redline_hotline::sign_record;
use redline_model::{PartyId, PartyKind, Timestamp};
use redline_node::{Caller, NodeError};
use serde_json::{Value, json};
use uuid::Uuid;

/// The coordinators, the vendor, the case's reporting state, and a state outside every case.
const PARTIES: [(&str, PartyKind); 5] = [
    ("cert-eu", PartyKind::Cert),
    ("cert-fi", PartyKind::Cert),
    ("vendor-acme", PartyKind::Organisation),
    ("EE", PartyKind::State),
    ("GB", PartyKind::State),
];

const START: &str = "2026-09-01T09:00:00Z";
const KEY_SEED: u8 = 70;

mod support;

use support::{PartyNode as World, at};

fn party(id: &str) -> Caller {
    Caller::Party(PartyId::parse(id).unwrap())
}

fn key_of(id: &str) -> SigningKey {
    let index = PARTIES.iter().position(|(party, _)| *party == id).unwrap();
    support::signing_key(KEY_SEED, index)
}

async fn world() -> World {
    World::start("disclosure.sqlite", START, &PARTIES, KEY_SEED).await
}

/// Version 1 of a case coordinated by `coordinator`, reported by EE, with Acme as its vendor.
fn case_payload(id: Uuid, coordinator: &str, embargo_end: &str, signed_at: Timestamp) -> Value {
    json!({
        "v": 1, "id": id, "version": 1,
        "title": "CASE-TITLE remote takeover of the Acme gateway",
        "description": "An unauthenticated request reaches the management API.",
        "coordinator": coordinator,
        "reporter": {"party": "EE"},
        "vendors": [{"id": "acme", "name": "Acme Networks", "party": "vendor-acme", "products": [
            {"id": "gw", "name": "Gateway 4.2", "identifier": {"purl": "pkg:generic/acme/gateway@4.2"}}]}],
        "cvss_v4": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        "reported_at": START,
        "embargo_end": embargo_end,
        "signed_at": signed_at,
    })
}

async fn file_case(world: &World, payload: &Value) {
    let coordinator = payload["coordinator"].as_str().unwrap();
    let envelope = sign_record(
        CASE_PAYLOAD_TYPE,
        serde_json::to_vec(payload).unwrap(),
        &key_of(coordinator),
    );
    world
        .node
        .file_disclosure_case(&party(coordinator), &envelope)
        .await
        .unwrap();
}

async fn act(world: &World, case: Uuid, author: &str, body: Value) {
    let payload = json!({"v": 1, "id": Uuid::new_v4(), "case": case, "author": author,
        "action": body, "signed_at": world.node.now()});
    let envelope = sign_record(
        ACTION_PAYLOAD_TYPE,
        serde_json::to_vec(&payload).unwrap(),
        &key_of(author),
    );
    world
        .node
        .record_disclosure_action(&party(author), case, &envelope)
        .await
        .unwrap();
}

/// The deadlines of vendor `acme` in the case as its coordinator reads it: (duty, due at).
async fn acme_deadlines(world: &World, case: Uuid, coordinator: &str) -> Vec<(String, String)> {
    let view = world
        .node
        .disclosure_case(Some(&party(coordinator)), case)
        .await
        .unwrap();
    view.vendors[0]
        .deadlines
        .iter()
        .map(|deadline| (deadline.duty.clone(), deadline.due_at.to_string()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_coordinators_norms_document_sets_the_deadlines_on_the_node_clock() {
    let world = world().await;
    // A document whose [disclosure] table gives vendors 3 days to acknowledge, 10 to report a
    // status and a 45-day embargo (CERT/CC's), adopted by cert-eu; cert-fi adopted nothing.
    let baseline = redline_norms::baseline();
    let start = baseline.find("[disclosure]").unwrap();
    let end = start + baseline[start..].find("\n\n").unwrap();
    let text = format!(
        "{}[disclosure]\nacknowledge_days = 3\nstatus_days = 10\nembargo_days = 45\nbasis = \"CERT/CC: 45 days after the first contact attempt\"{}",
        &baseline[..start],
        &baseline[end..]
    )
    .replace("id = \"baseline\"", "id = \"fast-disclosure\"");
    let added = world
        .node
        .add_norms_document(&Caller::Operator, &text, "fast-disclosure.toml")
        .await
        .unwrap();
    world
        .node
        .adopt_norms_document(
            &Caller::Operator,
            &added.sha256,
            &[PartyId::parse("cert-eu").unwrap()],
        )
        .await
        .unwrap();
    let policy = world
        .node
        .disclosure_policy(&PartyId::parse("cert-eu").unwrap())
        .await;
    assert_eq!(
        (
            policy.policy.acknowledge_days,
            policy.policy.status_days,
            policy.policy.embargo_days
        ),
        (3, 10, 45)
    );
    assert_eq!(policy.document_sha256, added.sha256);
    let baseline_policy = world
        .node
        .disclosure_policy(&PartyId::parse("cert-fi").unwrap())
        .await;
    assert_eq!(baseline_policy.document_id, "baseline");
    assert_eq!(
        baseline_policy.policy,
        redline_model::DisclosurePolicy::default()
    );

    let fast = Uuid::from_u128(0xFA57);
    let usual = Uuid::from_u128(0x05A1);
    file_case(
        &world,
        &case_payload(fast, "cert-eu", "2026-12-01T00:00:00Z", at(START)),
    )
    .await;
    file_case(
        &world,
        &case_payload(usual, "cert-fi", "2026-12-01T00:00:00Z", at(START)),
    )
    .await;
    world.clock.set(at("2026-09-02T09:00:00Z"));
    for (case, coordinator) in [(fast, "cert-eu"), (usual, "cert-fi")] {
        act(
            &world,
            case,
            coordinator,
            json!({"kind": "vendor-contacted", "vendor": "acme"}),
        )
        .await;
    }
    assert_eq!(
        acme_deadlines(&world, fast, "cert-eu").await,
        [
            ("acknowledgement".into(), "2026-09-05T09:00:00Z".into()),
            ("status".into(), "2026-09-12T09:00:00Z".into())
        ]
    );
    assert_eq!(
        acme_deadlines(&world, usual, "cert-fi").await,
        [
            ("acknowledgement".into(), "2026-09-09T09:00:00Z".into()),
            ("status".into(), "2026-10-02T09:00:00Z".into())
        ]
    );
    let view = world
        .node
        .disclosure_case(Some(&party("vendor-acme")), fast)
        .await
        .unwrap();
    assert_eq!(view.policy.document_id, "fast-disclosure");
    // The scheduler follows the document: the fast case's acknowledgement is due first and
    // fires once its deadline has passed on the node's clock, the usual one's not yet.
    assert_eq!(
        world.node.next_deadline().await.unwrap(),
        Some(at("2026-09-05T09:00:00Z"))
    );
    world.clock.set(at("2026-09-05T09:00:01Z"));
    assert_eq!(world.node.fire_due_disclosure_deadlines().await.unwrap(), 1);
    assert_eq!(world.node.fire_due_disclosure_deadlines().await.unwrap(), 0);
    assert_eq!(
        world.node.next_deadline().await.unwrap(),
        Some(at("2026-09-09T09:00:00Z"))
    );
}

/// A report by `reporter` with label `tlp`, shared with `shared_with`, naming `vulnerabilities`.
fn report(reporter: &str, tlp: &str, shared_with: &[&str], vulnerabilities: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "title": format!("Gateway exploited ({reporter}, {tlp})"),
        "reported_by": reporter, "victim": "EE",
        "first_observed": "2026-09-01T00:00:00Z", "status": "confirmed", "tlp": tlp,
        "targets": [{"sector": "government-national", "country": "EE"}],
        "effects": [{"kind": "data-theft", "scale": "national"}],
        "shared_with": shared_with,
        "exploited_vulnerabilities": vulnerabilities,
    }))
    .unwrap()
}

fn refusal(error: NodeError) -> Vec<(String, String)> {
    match error {
        NodeError::Invalid(issues) => issues
            .into_iter()
            .map(|issue| (issue.path, issue.message))
            .collect(),
        other => panic!("expected a refusal with paths, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incident_names_a_case_only_as_the_cases_readers_may_and_the_case_lists_it() {
    let world = world().await;
    let case = Uuid::from_u128(0xCA5E);
    file_case(
        &world,
        &case_payload(case, "cert-eu", "2026-10-01T00:00:00Z", at(START)),
    )
    .await;
    let node = &world.node;
    let names_case = json!([{"case": case}]);

    // GB may not read the embargoed case: the same answer as for a case that does not exist.
    let missing = Uuid::from_u128(0x0155);
    for (named, reporter) in [(case, "GB"), (missing, "GB"), (missing, "EE")] {
        let refused = node
            .submit_incident_json(
                &party(reporter),
                &report(reporter, "red", &[], json!([{"case": named}])),
            )
            .await
            .unwrap_err();
        assert_eq!(
            refusal(refused),
            [(
                "exploited_vulnerabilities[0].case".to_string(),
                format!("no disclosure case {named} you can read")
            )]
        );
    }
    // EE reported the case: it may name it, but not where parties outside the case would read
    // it while the embargo lasts — a clear or green report, or one shared with GB.
    for (tlp, shared_with, words) in [
        (
            "clear",
            vec![],
            "a `clear` report would show it to every party",
        ),
        (
            "green",
            vec![],
            "a `green` report would show it to every party",
        ),
        (
            "amber",
            vec!["GB"],
            "GB would read this report but may not read the case",
        ),
    ] {
        let refused = node
            .submit_incident_json(
                &party("EE"),
                &report("EE", tlp, &shared_with, names_case.clone()),
            )
            .await
            .unwrap_err();
        let issues = refusal(refused);
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(issues[0].0, "exploited_vulnerabilities[0].case");
        assert!(issues[0].1.contains("is under embargo until"), "{issues:?}");
        assert!(issues[0].1.contains(words), "{issues:?}");
    }
    // Shared with the case's coordinator and vendor only: accepted, and 13(j) fires.
    let accepted = node
        .submit_incident_json(
            &party("EE"),
            &report(
                "EE",
                "amber",
                &["cert-eu", "vendor-acme"],
                names_case.clone(),
            ),
        )
        .await
        .unwrap();
    let assessment: Value = serde_json::from_str(
        &node
            .get_assessment_json(&party("EE"), &accepted.id)
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(
        assessment["gge_norms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|norm| norm["norm"] == "13(j)"),
        "{assessment}"
    );
    // GB reports a CVE id only (its own statement): nothing is refused for it.
    node.submit_incident_json(
        &party("GB"),
        &report("GB", "green", &[], json!([{"cve": "CVE-2026-4242"}])),
    )
    .await
    .unwrap();

    // The case lists the incidents its reader may read: the vendor reads the amber one.
    let listed = |view: redline_node::disclosure::DisclosureCaseView| -> Vec<String> {
        view.incidents
            .into_iter()
            .map(|incident| incident.title)
            .collect()
    };
    assert_eq!(
        listed(
            node.disclosure_case(Some(&party("vendor-acme")), case)
                .await
                .unwrap()
        ),
        ["Gateway exploited (EE, amber)"]
    );
    // Once the CVE id is recorded, the incident naming the CVE is listed too (green: every
    // party reads it).
    act(
        &world,
        case,
        "cert-eu",
        json!({"kind": "cve-assigned", "cve": "CVE-2026-4242"}),
    )
    .await;
    assert_eq!(
        listed(
            node.disclosure_case(Some(&party("vendor-acme")), case)
                .await
                .unwrap()
        ),
        [
            "Gateway exploited (GB, green)",
            "Gateway exploited (EE, amber)"
        ]
    );
    // A CVE id named with the case must be the case's.
    let refused = node
        .submit_incident_json(
            &party("EE"),
            &report(
                "EE",
                "red",
                &["cert-eu"],
                json!([{"case": case, "cve": "CVE-2026-9999"}]),
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(
        refusal(refused),
        [(
            "exploited_vulnerabilities[0].cve".to_string(),
            format!("disclosure case {case} records CVE-2026-4242, not CVE-2026-9999")
        )]
    );

    // After the embargo: anybody may name the case, and the public sees public incidents
    // and the case linked both ways.
    world.clock.set(at("2026-10-01T00:00:00Z"));
    let public = node
        .submit_incident_json(
            &party("GB"),
            &report("GB", "clear", &[], names_case.clone()),
        )
        .await
        .unwrap();
    let page = node.public_incident(&public.id).await.unwrap();
    assert_eq!(page.vulnerabilities.len(), 1);
    let linked = page.vulnerabilities[0].case.as_ref().unwrap();
    assert_eq!(linked.id, case);
    assert!(linked.public);
    assert!(linked.title.starts_with("CASE-TITLE"));
    assert_eq!(
        listed(node.disclosure_case(None, case).await.unwrap()),
        ["Gateway exploited (GB, clear)"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_page_names_no_case_its_visitor_may_not_read() {
    let world = world().await;
    let node = &world.node;
    let case = Uuid::from_u128(0xE3BA);
    file_case(
        &world,
        &case_payload(case, "cert-eu", "2026-12-01T00:00:00Z", at(START)),
    )
    .await;
    // A clear report naming a CVE id: the public page shows the id as written and links no
    // case (the CVE is the case's only later, and the case is embargoed).
    let incident = node
        .submit_incident_json(
            &party("GB"),
            &report("GB", "clear", &[], json!([{"cve": "CVE-2026-0101"}])),
        )
        .await
        .unwrap();
    act(
        &world,
        case,
        "cert-eu",
        json!({"kind": "cve-assigned", "cve": "CVE-2026-0101"}),
    )
    .await;
    let page = node.public_incident(&incident.id).await.unwrap();
    assert_eq!(page.vulnerabilities.len(), 1);
    assert_eq!(
        page.vulnerabilities[0].cve.as_deref(),
        Some("CVE-2026-0101")
    );
    assert!(page.vulnerabilities[0].case.is_none());
    // The case's readers see the public incident in the case; the public sees no case.
    let view = node
        .disclosure_case(Some(&party("EE")), case)
        .await
        .unwrap();
    assert_eq!(view.incidents.len(), 1);
    assert!(matches!(
        node.disclosure_case(None, case).await,
        Err(NodeError::NotFound(_))
    ));
}
