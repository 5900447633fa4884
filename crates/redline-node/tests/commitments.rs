#![allow(clippy::unwrap_used)]
//! Commitments at the node, on a real SQLite store with real Ed25519 signatures and the node's
//! clock driving every deadline: signed adoptions and withdrawals move the applicable document
//! and show their signature; a review clause reminds before `review_by` and is overdue after
//! it; an implementation report is versioned, read under its TLP (only its public summary
//! reaches the public record) and refused when altered by one byte, signed by a revoked key or
//! sent in another party's name; a peer-review round runs from opening to its published summary
//! with reminders, overdue alerts and each duty's met, late or missed.

use base64::Engine;
use redline_model::PartyKind;
use redline_model::commitments::{
    ADOPTION_PAYLOAD_TYPE, IMPLEMENTATION_REPORT_PAYLOAD_TYPE, PEER_REVIEW_PAYLOAD_TYPE,
    REVIEW_ANSWER_PAYLOAD_TYPE, REVIEW_ROUND_CLOSING_PAYLOAD_TYPE,
    REVIEW_ROUND_OPENING_PAYLOAD_TYPE,
};
use redline_model::implementation_survey::GgeNorm;
use redline_node::{Caller, NodeError};
use serde_json::{Value, json};
use uuid::Uuid;

mod support;

use support::{PartyNode as World, at, party};

const START: &str = "2026-12-01T10:00:00Z";

async fn world() -> World {
    World::start(
        "commitments.sqlite",
        START,
        &[
            ("EE", PartyKind::State),
            ("FI", PartyKind::State),
            ("LV", PartyKind::State),
            ("UA", PartyKind::State),
            ("osce", PartyKind::Organisation),
        ],
        41,
    )
    .await
}

impl World {
    fn now_text(&self) -> String {
        self.node.now().to_string()
    }

    async fn event_kinds(&self, id: &str) -> Vec<String> {
        self.node
            .list_events(&party(id), 0, 1000)
            .await
            .unwrap()
            .into_iter()
            .map(|event| event.kind)
            .filter(|kind| kind.starts_with("commitment-"))
            .collect()
    }
}

fn report_payload(id: Uuid, version: u32, party: &str, tlp: &str, signed_at: &str) -> Value {
    let mut report = json!({
        "v": 1, "id": id, "version": version, "party": party, "period": "2025-2026",
        "survey": [
            {"item": "cert-mandate", "level": "implemented", "measures": "RESTRICTED-CERT-MEASURES", "evidence": ["https://example.org/cert-law"]}
        ],
        "norms": [
            {"norm": "13(j)", "level": "partly-implemented", "measures": "RESTRICTED-CVD-MEASURES"},
            {"norm": "13(f)", "level": "implemented", "measures": "RESTRICTED-CI-MEASURES"}
        ],
        "tlp": tlp,
        "signed_at": signed_at
    });
    if tlp != "clear" && tlp != "green" {
        report["shared_with"] = json!(["FI"]);
        report["public_summary"] = json!({
            "text": "Estonia reports every year.",
            "norms": [{"norm": "13(f)", "level": "implemented"}]
        });
    }
    report
}

#[tokio::test]
async fn signed_adoptions_and_withdrawals_move_the_applicable_document_and_show_their_signature() {
    let world = world().await;
    let variant = redline_norms::baseline()
        .replace("version = \"2.0.0\"", "version = \"2.0.9\"")
        .replace("review_by = \"2027-12-31\"", "review_by = \"2027-01-15\"");
    let document = world
        .node
        .add_norms_document(&Caller::Operator, &variant, "variant.toml")
        .await
        .unwrap();
    let adoption = |action: &str, signer: &str, as_party: &str| {
        world.signed(
            ADOPTION_PAYLOAD_TYPE,
            signer,
            &json!({"v": 1, "party": as_party, "document": document.sha256, "action": action, "signed_at": world.now_text()}),
        )
    };
    let ee = Caller::Party(party("EE"));

    // Another party's name, or another party's key: refused, nothing changes.
    let forged = world
        .node
        .record_adoption_statement(&Caller::Party(party("FI")), &adoption("adopt", "FI", "EE"))
        .await;
    assert!(matches!(forged, Err(NodeError::Forbidden(_))), "{forged:?}");
    let wrong_key = world
        .node
        .record_adoption_statement(&ee, &adoption("adopt", "FI", "EE"))
        .await;
    assert!(
        matches!(&wrong_key, Err(NodeError::Invalid(issues)) if issues[0].path == "envelope.signatures"),
        "{wrong_key:?}"
    );
    // Signed in the future: the error names the time it signed.
    let from_the_future = world.signed(
        ADOPTION_PAYLOAD_TYPE,
        "EE",
        &json!({"v": 1, "party": "EE", "document": document.sha256, "action": "adopt", "signed_at": "2030-01-01T00:00:00Z"}),
    );
    let refused = world
        .node
        .record_adoption_statement(&ee, &from_the_future)
        .await;
    assert!(
        matches!(&refused, Err(NodeError::Invalid(issues)) if issues[0].path == "signed_at"),
        "{refused:?}"
    );
    // Withdrawing what is not adopted is a conflict.
    assert!(matches!(
        world
            .node
            .record_adoption_statement(&ee, &adoption("withdraw", "EE", "EE"))
            .await,
        Err(NodeError::Conflict(_))
    ));
    assert!(world.node.list_adoptions().await.unwrap().is_empty());

    let signed_adoption = adoption("adopt", "EE", "EE");
    let view = world
        .node
        .record_adoption_statement(&ee, &signed_adoption)
        .await
        .unwrap();
    assert_eq!(view.signature, "signed");
    // The same signed adoption again (a replay) is refused.
    assert!(matches!(
        world
            .node
            .record_adoption_statement(&ee, &signed_adoption)
            .await,
        Err(NodeError::Conflict(_))
    ));
    let adoptions = world.node.list_adoptions().await.unwrap();
    assert_eq!(adoptions.len(), 1);
    assert!(adoptions[0].in_force);
    assert_eq!(adoptions[0].signature, "signed");
    assert!(adoptions[0].payload_digest.is_some());
    let listed = world.node.list_norms_documents().await.unwrap();
    let adopted = listed
        .iter()
        .find(|doc| doc.sha256 == document.sha256)
        .unwrap();
    assert_eq!(adopted.adopted_by, vec![party("EE")]);
    // The operator's unsigned adoption shows as unsigned.
    world
        .node
        .adopt_norms_document(&Caller::Operator, &document.sha256, &[party("LV")])
        .await
        .unwrap();
    let lv = world
        .node
        .list_adoptions()
        .await
        .unwrap()
        .into_iter()
        .find(|adoption| adoption.party == party("LV"))
        .unwrap();
    assert_eq!(lv.signature, "unsigned");

    // The review clause: a reminder 30 days before `review_by`, overdue after it, each once,
    // to the adopting party and to the node's secretariat (a party of the node).
    world
        .node
        .set_commitment_settings(redline_node::commitments::CommitmentSettings {
            secretariat: Some(party("osce")),
        });
    world.clock.set(at("2026-12-16T23:59:58Z"));
    assert_eq!(world.node.fire_due_deadlines().await.unwrap(), 0);
    assert_eq!(world.event_kinds("osce").await, Vec::<String>::new());
    world.clock.set(at("2026-12-17T00:00:00Z"));
    // EE (signed) and LV (the operator's record) adopted it: both owe the review.
    assert_eq!(world.node.fire_due_deadlines().await.unwrap(), 2);
    assert_eq!(world.node.fire_due_deadlines().await.unwrap(), 0);
    assert_eq!(world.event_kinds("EE").await, vec!["commitment-reminder"]);
    assert_eq!(world.event_kinds("LV").await, vec!["commitment-reminder"]);
    assert_eq!(
        world.event_kinds("osce").await,
        vec!["commitment-reminder", "commitment-reminder"]
    );
    let mut whose_review: Vec<(String, String, String)> = world
        .node
        .list_events(&party("osce"), 0, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|event| event.kind == "commitment-reminder")
        .map(|event| {
            let detail = event.detail;
            (
                detail["duty"].as_str().unwrap().to_string(),
                detail["party"].as_str().unwrap().to_string(),
                detail["due_at"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    whose_review.sort();
    assert_eq!(
        whose_review,
        ["EE", "LV"].map(|whose| (
            "review-clause".to_string(),
            whose.to_string(),
            "2027-01-15T23:59:59Z".to_string()
        )),
        "the secretariat learns whose review is due, and when"
    );
    // Parties that adopted nothing are not told.
    assert_eq!(world.event_kinds("FI").await, Vec::<String>::new());
    // The operator records LV's adoption again, with FI's: LV keeps its deadline (no second
    // reminder); FI, adopting after the reminder date, is reminded at the next pass.
    world
        .node
        .adopt_norms_document(
            &Caller::Operator,
            &document.sha256,
            &[party("LV"), party("FI")],
        )
        .await
        .unwrap();
    assert_eq!(world.node.fire_due_deadlines().await.unwrap(), 1);
    assert_eq!(world.event_kinds("LV").await, vec!["commitment-reminder"]);
    assert_eq!(world.event_kinds("FI").await, vec!["commitment-reminder"]);
    // LV withdraws before the review is due: it no longer owes it, and nobody is told.
    world
        .node
        .record_adoption_statement(
            &Caller::Party(party("LV")),
            &adoption("withdraw", "LV", "LV"),
        )
        .await
        .unwrap();
    world.clock.set(at("2027-01-16T00:00:00Z"));
    // EE's and FI's reviews are overdue; LV's is silent.
    assert_eq!(world.node.fire_due_deadlines().await.unwrap(), 2);
    assert_eq!(world.node.fire_due_deadlines().await.unwrap(), 0);
    assert_eq!(
        world.event_kinds("EE").await,
        vec!["commitment-reminder", "commitment-overdue"]
    );
    assert_eq!(world.event_kinds("LV").await, vec!["commitment-reminder"]);
    assert_eq!(
        world.event_kinds("osce").await,
        vec![
            "commitment-reminder",
            "commitment-reminder",
            "commitment-reminder",
            "commitment-overdue",
            "commitment-overdue"
        ]
    );
    let ee_adoption = world
        .node
        .list_adoptions()
        .await
        .unwrap()
        .into_iter()
        .find(|adoption| adoption.party == party("EE"))
        .unwrap();
    assert!(ee_adoption.review_overdue);

    // Withdrawn: no longer in force, no longer adopted, the record kept.
    world
        .node
        .record_adoption_statement(&ee, &adoption("withdraw", "EE", "EE"))
        .await
        .unwrap();
    let adoptions = world.node.list_adoptions().await.unwrap();
    let ee_adoption = adoptions
        .iter()
        .find(|adoption| adoption.party == party("EE"))
        .unwrap();
    assert!(!ee_adoption.in_force);
    assert!(ee_adoption.withdrawn_at.is_some());
    let listed = world.node.list_norms_documents().await.unwrap();
    let adopted = listed
        .iter()
        .find(|doc| doc.sha256 == document.sha256)
        .unwrap();
    assert_eq!(adopted.adopted_by, vec![party("FI")]);
    // The public record keeps the adoption, withdrawn.
    let comparison = world.node.commitments_comparison(None).await.unwrap();
    let ee_public = comparison
        .parties
        .iter()
        .find(|view| view.party == party("EE"))
        .unwrap();
    assert_eq!(ee_public.adoptions.len(), 1);
}

#[tokio::test]
async fn reports_are_signed_versioned_read_under_their_tlp_and_refused_when_altered_or_revoked() {
    let world = world().await;
    let ee = Caller::Party(party("EE"));
    let id = Uuid::new_v4();
    let first = world.signed(
        IMPLEMENTATION_REPORT_PAYLOAD_TYPE,
        "EE",
        &report_payload(id, 1, "EE", "amber", &world.now_text()),
    );

    // One byte altered in the signed payload: refused, nothing stored.
    let mut envelope: Value = serde_json::from_slice(&first).unwrap();
    let payload = envelope["payload"].as_str().unwrap().to_string();
    let mut bytes = base64::engine::general_purpose::STANDARD
        .decode(payload)
        .unwrap();
    let position = bytes
        .windows(4)
        .position(|window| window == b"2025")
        .unwrap();
    bytes[position] = b'3';
    envelope["payload"] = json!(base64::engine::general_purpose::STANDARD.encode(&bytes));
    let altered = serde_json::to_vec(&envelope).unwrap();
    let refused = world.node.file_implementation_report(&ee, &altered).await;
    assert!(
        matches!(&refused, Err(NodeError::Invalid(issues)) if issues[0].path == "envelope.signatures"),
        "{refused:?}"
    );
    // Sent in EE's name by FI: forbidden.
    assert!(matches!(
        world
            .node
            .file_implementation_report(&Caller::Party(party("FI")), &first)
            .await,
        Err(NodeError::Forbidden(_))
    ));
    // A first version must be 1.
    let skipped = world.signed(
        IMPLEMENTATION_REPORT_PAYLOAD_TYPE,
        "EE",
        &report_payload(id, 2, "EE", "amber", &world.now_text()),
    );
    assert!(matches!(
        world.node.file_implementation_report(&ee, &skipped).await,
        Err(NodeError::Invalid(issues)) if issues[0].path == "version"
    ));
    // A red line the document does not have is named with its path.
    let mut with_red_line = report_payload(Uuid::new_v4(), 1, "EE", "clear", &world.now_text());
    let baseline = world.node.list_norms_documents().await.unwrap()[0]
        .sha256
        .clone();
    with_red_line["document"] = json!(baseline);
    with_red_line["red_lines"] =
        json!([{"red_line": "no-such-line", "level": "implemented", "measures": "x"}]);
    let refused = world
        .node
        .file_implementation_report(
            &ee,
            &world.signed(IMPLEMENTATION_REPORT_PAYLOAD_TYPE, "EE", &with_red_line),
        )
        .await;
    assert!(
        matches!(&refused, Err(NodeError::Invalid(issues)) if issues[0].path == "red_lines[0].red_line"),
        "{refused:?}"
    );
    assert!(
        world
            .node
            .list_implementation_reports(&Caller::Operator, None)
            .await
            .unwrap()
            .is_empty()
    );

    // Filed: EE and FI (shared with) read it; LV and the public do not.
    let view = world
        .node
        .file_implementation_report(&ee, &first)
        .await
        .unwrap();
    assert_eq!(view.versions.len(), 1);
    assert_eq!(view.versions[0].signature, "verified");
    let fi_view = world
        .node
        .get_implementation_report(&Caller::Party(party("FI")), id)
        .await
        .unwrap();
    assert_eq!(fi_view.versions[0].record.norms.len(), 2);
    assert!(matches!(
        world
            .node
            .get_implementation_report(&Caller::Party(party("LV")), id)
            .await,
        Err(NodeError::NotFound(_))
    ));
    assert!(matches!(
        world.node.public_implementation_report(id).await,
        Err(NodeError::NotFound(_))
    ));
    // A replay of the same signed version is refused.
    assert!(
        world
            .node
            .file_implementation_report(&ee, &first)
            .await
            .is_err()
    );
    // The public record carries the public summary and its levels only.
    let public = world.node.commitments_comparison(None).await.unwrap();
    let public_json = serde_json::to_string(&public).unwrap();
    assert!(!public_json.contains("RESTRICTED-"), "{public_json}");
    let ee_public = public
        .parties
        .iter()
        .find(|view| view.party == party("EE"))
        .unwrap();
    assert_eq!(
        ee_public.public_summaries,
        vec!["Estonia reports every year."]
    );
    let level_of = |view: &redline_node::commitments::PartyCommitments, norm: GgeNorm| {
        view.norms
            .iter()
            .find(|entry| entry.norm == norm)
            .unwrap()
            .level
    };
    assert!(level_of(ee_public, GgeNorm::F).is_some());
    assert!(level_of(ee_public, GgeNorm::J).is_none());
    // FI, a reader, sees every level of the latest version it may read.
    let fi = world
        .node
        .party_commitments(Some(&Caller::Party(party("FI"))), &party("EE"))
        .await
        .unwrap();
    assert!(level_of(&fi, GgeNorm::J).is_some());
    assert_eq!(fi.reports[0].gaps, vec!["13(j)".to_string()]);

    // Version 2, `clear`: public in full; version 3 after EE's key is revoked: refused.
    let second = world.signed(
        IMPLEMENTATION_REPORT_PAYLOAD_TYPE,
        "EE",
        &report_payload(id, 2, "EE", "clear", &world.now_text()),
    );
    world
        .node
        .file_implementation_report(&ee, &second)
        .await
        .unwrap();
    let public = world.node.public_implementation_report(id).await.unwrap();
    assert_eq!(public.versions.len(), 1);
    assert_eq!(public.versions[0].record.version, 2);
    let ee_party = world.node.get_party(&party("EE")).await.unwrap();
    world
        .node
        .revoke_party_key(&ee, &party("EE"), &ee_party.keys[0].key_id, "compromised")
        .await
        .unwrap();
    world.clock.set(at("2026-12-01T10:00:05Z"));
    let third = world.signed(
        IMPLEMENTATION_REPORT_PAYLOAD_TYPE,
        "EE",
        &report_payload(id, 3, "EE", "clear", &world.now_text()),
    );
    let refused = world.node.file_implementation_report(&ee, &third).await;
    assert!(
        matches!(&refused, Err(NodeError::Invalid(issues)) if issues[0].path == "envelope.signatures"),
        "{refused:?}"
    );
    let versions = world
        .node
        .get_implementation_report(&Caller::Operator, id)
        .await
        .unwrap()
        .versions;
    assert_eq!(versions.len(), 2);
}

#[tokio::test]
async fn a_peer_review_round_runs_on_the_node_clock_from_opening_to_its_published_summary() {
    let world = world().await;
    let round = Uuid::new_v4();
    let caller = |id: &str| Caller::Party(party(id));
    let opening = json!({
        "v": 1, "round": round, "secretariat": "osce", "title": "2026 review of norms (f) and (j)",
        "reviewed": ["EE", "FI"], "reviewers": ["FI", "LV"], "norms": ["13(f)", "13(j)"],
        "deadline": "2026-12-08T10:00:00Z", "remind_hours_before": 48,
        "signed_at": world.now_text()
    });
    // Only the secretariat opens in its own name.
    assert!(matches!(
        world
            .node
            .open_review_round(
                &caller("EE"),
                &world.signed(REVIEW_ROUND_OPENING_PAYLOAD_TYPE, "osce", &opening)
            )
            .await,
        Err(NodeError::Forbidden(_))
    ));
    let view = world
        .node
        .open_review_round(
            &caller("osce"),
            &world.signed(REVIEW_ROUND_OPENING_PAYLOAD_TYPE, "osce", &opening),
        )
        .await
        .unwrap();
    assert_eq!(view.duties.len(), 4);
    // A non-participant is told "not found"; nothing is published before closing.
    assert!(matches!(
        world.node.get_review_round(&caller("UA"), round).await,
        Err(NodeError::NotFound(_))
    ));
    assert!(matches!(
        world.node.published_round(round).await,
        Err(NodeError::NotFound(_))
    ));

    let review = |reviewer: &str, reviewed: &str, rating: &str| {
        world.signed(
            PEER_REVIEW_PAYLOAD_TYPE,
            reviewer,
            &json!({"v": 1, "round": round, "reviewer": reviewer, "reviewed": reviewed,
                "ratings": [
                    {"norm": "13(f)", "rating": rating, "comment": "RESTRICTED-COMMENT"},
                    {"norm": "13(j)", "rating": "partly-meets", "comment": "RESTRICTED-COMMENT"}
                ],
                "signed_at": world.now_text()}),
        )
    };
    // UA reviews nothing here; a norm outside the round is named.
    assert!(matches!(
        world
            .node
            .submit_peer_review(&caller("UA"), &review("UA", "EE", "meets"))
            .await,
        Err(NodeError::NotFound(_))
    ));
    let outside = world.signed(
        PEER_REVIEW_PAYLOAD_TYPE,
        "FI",
        &json!({"v": 1, "round": round, "reviewer": "FI", "reviewed": "EE",
            "ratings": [{"norm": "13(a)", "rating": "meets", "comment": "x"}],
            "signed_at": world.now_text()}),
    );
    assert!(matches!(
        world.node.submit_peer_review(&caller("FI"), &outside).await,
        Err(NodeError::Invalid(issues)) if issues[0].path == "ratings[0].norm"
    ));
    // FI reviews EE (its whole duty: it does not review itself); LV reviews EE only.
    world
        .node
        .submit_peer_review(&caller("FI"), &review("FI", "EE", "meets"))
        .await
        .unwrap();
    world
        .node
        .submit_peer_review(&caller("LV"), &review("LV", "EE", "does-not-meet"))
        .await
        .unwrap();

    // 48 hours before the deadline: reminders to whoever still owes a duty, once.
    world.clock.set(at("2026-12-06T09:59:59Z"));
    assert_eq!(world.node.fire_due_deadlines().await.unwrap(), 0);
    world.clock.set(at("2026-12-06T10:00:00Z"));
    assert_eq!(world.node.fire_due_deadlines().await.unwrap(), 3);
    assert_eq!(world.node.fire_due_deadlines().await.unwrap(), 0);
    assert_eq!(world.event_kinds("LV").await, vec!["commitment-reminder"]);
    assert_eq!(world.event_kinds("EE").await, vec!["commitment-reminder"]);
    assert!(world.event_kinds("UA").await.is_empty());

    // EE answers in time.
    let answer = world.signed(
        REVIEW_ANSWER_PAYLOAD_TYPE,
        "EE",
        &json!({"v": 1, "round": round, "party": "EE",
            "answers": [{"norm": "13(f)", "text": "RESTRICTED-ANSWER"}],
            "signed_at": world.now_text()}),
    );
    world
        .node
        .answer_peer_review(&caller("EE"), &answer)
        .await
        .unwrap();

    // The deadline passes: LV's review and FI's answer are overdue; the secretariat is told.
    world.clock.set(at("2026-12-08T10:00:01Z"));
    assert_eq!(world.node.fire_due_deadlines().await.unwrap(), 2);
    assert_eq!(
        world.event_kinds("LV").await,
        vec!["commitment-reminder", "commitment-overdue"]
    );
    assert_eq!(
        world.event_kinds("osce").await,
        vec!["commitment-overdue", "commitment-overdue"]
    );
    // LV reviews FI late.
    world
        .node
        .submit_peer_review(&caller("LV"), &review("LV", "FI", "meets"))
        .await
        .unwrap();

    // Only the secretariat closes; then the summary is public, comments are not.
    let closing = |signer: &str| {
        world.signed(
            REVIEW_ROUND_CLOSING_PAYLOAD_TYPE,
            signer,
            &json!({"v": 1, "round": round, "secretariat": signer,
                "summary": "Both parties implement 13(f); 13(j) is partly implemented.",
                "signed_at": world.now_text()}),
        )
    };
    assert!(matches!(
        world
            .node
            .close_review_round(&caller("EE"), &closing("EE"))
            .await,
        Err(NodeError::Forbidden(_))
    ));
    let published = world
        .node
        .close_review_round(&caller("osce"), &closing("osce"))
        .await
        .unwrap();
    let outcome = |id: &str, duty: &str| {
        published
            .duties
            .iter()
            .find(|entry| entry.party == party(id) && entry.duty == duty)
            .unwrap()
            .outcome
            .clone()
    };
    assert_eq!(outcome("FI", "review"), "met");
    assert_eq!(outcome("LV", "review"), "late");
    assert_eq!(outcome("EE", "answer"), "met");
    assert_eq!(outcome("FI", "answer"), "missed");
    let ee_f = published
        .tally
        .iter()
        .find(|row| row.reviewed == party("EE") && row.norm == GgeNorm::F)
        .unwrap();
    assert_eq!((ee_f.meets, ee_f.does_not_meet), (1, 1));
    let text = serde_json::to_string(&world.node.published_round(round).await.unwrap()).unwrap();
    assert!(!text.contains("RESTRICTED-"), "{text}");
    let public =
        serde_json::to_string(&world.node.commitments_comparison(None).await.unwrap()).unwrap();
    assert!(!public.contains("RESTRICTED-"));
    assert!(public.contains("2026 review of norms (f) and (j)"));
    // Closed: nothing more is taken.
    assert!(matches!(
        world
            .node
            .answer_peer_review(
                &caller("FI"),
                &world.signed(
                    REVIEW_ANSWER_PAYLOAD_TYPE,
                    "FI",
                    &json!({"v": 1, "round": round, "party": "FI",
                "answers": [{"norm": "13(f)", "text": "late"}], "signed_at": world.now_text()}),
                )
            )
            .await,
        Err(NodeError::Conflict(_))
    ));
}

#[tokio::test]
async fn capacity_building_requests_answer_a_reports_gaps_and_are_tracked_to_completion() {
    use redline_model::commitments::CAPACITY_BUILDING_PAYLOAD_TYPE;
    let world = world().await;
    let ee = Caller::Party(party("EE"));
    let report = Uuid::new_v4();
    world
        .node
        .file_implementation_report(
            &ee,
            &world.signed(
                IMPLEMENTATION_REPORT_PAYLOAD_TYPE,
                "EE",
                &report_payload(report, 1, "EE", "amber", &world.now_text()),
            ),
        )
        .await
        .unwrap();
    let entry = Uuid::new_v4();
    let request = |version: u32, norm: &str, status: &str, counterpart: Option<&str>, tlp: &str| {
        let mut payload = json!({
            "v": 1, "id": entry, "version": version, "party": "EE", "kind": "request",
            "norms": [norm], "report": report, "description": "Training for a CVD desk",
            "status": status, "tlp": tlp, "signed_at": world.now_text()
        });
        if let Some(counterpart) = counterpart {
            payload["counterpart"] = json!(counterpart);
        }
        world.signed(CAPACITY_BUILDING_PAYLOAD_TYPE, "EE", &payload)
    };
    // 13(f) is implemented in the report: no gap to ask help for.
    let refused = world
        .node
        .record_capacity_building(&ee, &request(1, "13(f)", "open", None, "clear"))
        .await;
    assert!(
        matches!(&refused, Err(NodeError::Invalid(issues)) if issues[0].path == "norms"),
        "{refused:?}"
    );
    // 13(j) is partly implemented: a gap. Open, then matched with FI, then completed.
    world
        .node
        .record_capacity_building(&ee, &request(1, "13(j)", "open", None, "green"))
        .await
        .unwrap();
    assert!(
        world
            .node
            .list_capacity_building(None)
            .await
            .unwrap()
            .is_empty(),
        "green is not public"
    );
    assert!(matches!(
        world
            .node
            .record_capacity_building(&ee, &request(2, "13(j)", "matched", None, "clear"))
            .await,
        Err(NodeError::Invalid(issues)) if issues[0].path == "counterpart"
    ));
    world
        .node
        .record_capacity_building(&ee, &request(2, "13(j)", "matched", Some("FI"), "clear"))
        .await
        .unwrap();
    assert!(matches!(
        world
            .node
            .record_capacity_building(
                &Caller::Party(party("FI")),
                &request(3, "13(j)", "completed", Some("FI"), "clear")
            )
            .await,
        Err(NodeError::Forbidden(_))
    ));
    world
        .node
        .record_capacity_building(&ee, &request(3, "13(j)", "completed", Some("FI"), "clear"))
        .await
        .unwrap();
    let public = world.node.list_capacity_building(None).await.unwrap();
    assert_eq!(public.len(), 1);
    assert_eq!(public[0].record.version, 3);
    assert_eq!(public[0].record.status.as_str(), "completed");
    let ee_public = world
        .node
        .party_commitments(None, &party("EE"))
        .await
        .unwrap();
    assert_eq!(ee_public.capacity_building.len(), 1);
    // The amber report's content stays out of the public register.
    assert!(
        !serde_json::to_string(&ee_public)
            .unwrap()
            .contains("RESTRICTED-")
    );
}
