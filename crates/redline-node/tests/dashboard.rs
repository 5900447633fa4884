#![allow(clippy::unwrap_used)]
//! The public dashboard's use cases on both databases: the SQL aggregates give the same figures
//! on SQLite and PostgreSQL, only TLP:CLEAR incidents are counted, listed or shown, and the cache
//! follows new incidents; the hotline's figures (acknowledged on time, median time to
//! acknowledge, communication checks answered) are the same on both, and the checkpoint shows the
//! log's size. PostgreSQL runs when `TEST_POSTGRES_URL` is set and fails instead of
//! skipping when `REQUIRE_POSTGRES=1`.

use std::{path::Path, sync::Arc};

use base64::Engine;
use ed25519_dalek::SigningKey;
use redline_hotline::message::{
    AcknowledgementBody, CheckReplyBody, CommunicationCheckBody, NotificationBody,
};
use redline_hotline::{HotlineMessage, MessageBody, sign_message};
use redline_model::{IncidentId, PartyId, PartyKind, Timestamp, Tlp};
use redline_node::{Caller, Clock, FixedClock, NewParty, Node, NodeError};
use redline_store::{SqlStore, SqlStoreOptions};
use uuid::Uuid;

const STATES: [&str; 7] = ["EE", "IR", "UA", "GB", "US", "RU", "KP"];

fn key_of(id: &str) -> SigningKey {
    let index = STATES.iter().position(|state| *state == id).unwrap();
    SigningKey::from_bytes(&[index as u8 + 1; 32])
}

fn start_time() -> Timestamp {
    Timestamp::parse("2026-11-22T10:00:00Z").unwrap()
}

async fn seed(node: &Node) -> (Vec<IncidentId>, Vec<IncidentId>) {
    node.load_norms().await.unwrap();
    for id in STATES {
        node.add_party(
            &Caller::Operator,
            NewParty {
                id: PartyId::parse(id).unwrap(),
                kind: PartyKind::State,
                name: format!("State {id}"),
                languages: vec![],
                public_keys: vec![
                    base64::engine::general_purpose::STANDARD
                        .encode(key_of(id).verifying_key().as_bytes()),
                ],
            },
        )
        .await
        .unwrap();
    }
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/incidents");
    let mut files: Vec<_> = std::fs::read_dir(demo)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut public = Vec::new();
    for file in files {
        let incident = node
            .submit_incident_json(&Caller::Operator, &std::fs::read(file).unwrap())
            .await
            .unwrap();
        public.push(incident.id);
    }
    let mut restricted = Vec::new();
    for tlp in ["green", "amber", "amber+strict", "red"] {
        let report = serde_json::json!({
            "title": format!("restricted {tlp}"), "reported_by": "UA", "victim": "UA",
            "first_observed": "2026-03-01T08:00:00Z", "status": "confirmed", "tlp": tlp,
            "targets": [{ "sector": "healthcare", "country": "UA", "essential_service": true }],
            "effects": [{ "kind": "destruction", "scale": "national" }],
            "suspected_origin": { "state": "RU", "confidence": "very-likely", "basis": ["technical"] }
        });
        let incident = node
            .submit_incident_json(&Caller::Operator, report.to_string().as_bytes())
            .await
            .unwrap();
        restricted.push(incident.id);
    }
    (public, restricted)
}

struct Hotline<'a> {
    node: &'a Node,
    clock: &'a FixedClock,
}

impl Hotline<'_> {
    async fn send(
        &self,
        from: &str,
        to: &[&str],
        thread: Uuid,
        incident: Option<&IncidentId>,
        tlp: Tlp,
        body: MessageBody,
    ) -> Uuid {
        let message = HotlineMessage {
            id: Uuid::new_v4(),
            thread,
            from: PartyId::parse(from).unwrap(),
            to: to.iter().map(|id| PartyId::parse(id).unwrap()).collect(),
            sent_at: self.clock.now(),
            incident: incident.cloned(),
            tlp,
            lang: "en".into(),
            exercise: false,
            body,
        };
        let bytes = sign_message(&message, &key_of(from));
        self.node
            .accept_message(&Caller::Party(message.from.clone()), &bytes)
            .await
            .unwrap();
        message.id
    }

    fn advance_minutes(&self, minutes: i64) {
        self.clock
            .set(self.clock.now().plus_seconds(minutes * 60).unwrap());
    }
}

fn notification(summary: &str) -> MessageBody {
    MessageBody::Notification(NotificationBody {
        summary: summary.into(),
        severity_level: Some(3),
        requested_actions: vec![],
    })
}

/// Three notifications (two acknowledged on time, one never) and a check one target answers;
/// one thread is about a restricted incident.
async fn seed_hotline(node: &Node, clock: &FixedClock, restricted: &IncidentId) -> String {
    let hotline = Hotline { node, clock };
    let (a, b, c, check_thread) = (
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
    );
    let to_ukraine = hotline
        .send(
            "EE",
            &["UA"],
            a,
            None,
            Tlp::Green,
            notification("grid outage"),
        )
        .await;
    hotline
        .send(
            "EE",
            &["RU"],
            b,
            None,
            Tlp::Green,
            notification("please stop"),
        )
        .await;
    let to_britain = hotline
        .send(
            "UA",
            &["GB"],
            c,
            Some(restricted),
            Tlp::Amber,
            notification("RESTRICTED-THREAD-SUBJECT"),
        )
        .await;
    // Two recipients: GB acknowledges, US never does.
    let group = Uuid::new_v4();
    let to_group = hotline
        .send(
            "EE",
            &["GB", "US"],
            group,
            None,
            Tlp::Green,
            notification("to two"),
        )
        .await;
    let check_id = Uuid::new_v4();
    hotline
        .send(
            "GB",
            &["EE", "UA"],
            check_thread,
            None,
            Tlp::Clear,
            MessageBody::CommunicationCheck(CommunicationCheckBody { check_id }),
        )
        .await;
    hotline.advance_minutes(10);
    hotline
        .send(
            "UA",
            &["EE"],
            a,
            None,
            Tlp::Green,
            MessageBody::Acknowledgement(AcknowledgementBody { of: to_ukraine }),
        )
        .await;
    hotline
        .send(
            "GB",
            &["EE", "US"],
            group,
            None,
            Tlp::Green,
            MessageBody::Acknowledgement(AcknowledgementBody { of: to_group }),
        )
        .await;
    hotline
        .send(
            "EE",
            &["GB"],
            check_thread,
            None,
            Tlp::Clear,
            MessageBody::CheckReply(CheckReplyBody { check_id }),
        )
        .await;
    hotline.advance_minutes(20);
    hotline
        .send(
            "GB",
            &["UA"],
            c,
            None,
            Tlp::Amber,
            MessageBody::Acknowledgement(AcknowledgementBody { of: to_britain }),
        )
        .await;
    // Every deadline passes.
    hotline.advance_minutes(3 * 24 * 60);
    node.fire_due_deadlines().await.unwrap();
    c.to_string()
}

async fn check(node: &Node, clock: &FixedClock) -> String {
    let (public, restricted) = seed(node).await;
    let no_hotline = node.public_overview().await.unwrap();
    assert!(no_hotline.acknowledgements.is_none() && no_hotline.communication_checks.is_none());
    let restricted_thread = seed_hotline(node, clock, &restricted[2]).await;
    let overview = node.public_overview().await.unwrap();
    assert_eq!(overview.public_incidents, 8);
    let by_severity: u64 = overview.by_severity.iter().map(|count| count.count).sum();
    assert_eq!(by_severity, 8, "{:?}", overview.by_severity);
    assert!(
        overview
            .by_severity
            .iter()
            .all(|count| count.level.is_some()),
        "all assessed"
    );
    assert_eq!(overview.by_month.first().unwrap().0, "2007-04");
    assert_eq!(overview.by_month.last().unwrap().0, "2022-02");
    assert!(overview.checkpoint.is_none(), "no log attached");
    let acknowledgements = overview.acknowledgements.unwrap();
    assert_eq!(
        (acknowledgements.numerator, acknowledgements.denominator),
        (3, 4)
    );
    let checks = overview.communication_checks.unwrap();
    assert_eq!((checks.numerator, checks.denominator), (1, 2));
    // Counts and times only: nothing of a thread's subject is in the figures.
    let hotline = format!("{:?}", node.public_hotline_figures().await.unwrap());
    assert!(
        !hotline.contains("RESTRICTED-THREAD-SUBJECT") && !hotline.contains(&restricted_thread)
    );

    let page = node.public_incidents(None, Some(5)).await.unwrap();
    assert_eq!(page.incidents.len(), 5);
    let rest = node
        .public_incidents(page.next_before, Some(5))
        .await
        .unwrap();
    assert_eq!(rest.incidents.len(), 3);
    assert!(rest.next_before.is_none());
    let listed: Vec<String> = page
        .incidents
        .iter()
        .chain(&rest.incidents)
        .map(|row| row.id.clone())
        .collect();
    for id in &public {
        assert!(listed.contains(&id.to_string()));
        let shown = node.public_incident(id).await.unwrap();
        assert!(shown.assessment.is_some() && shown.document.is_some());
    }
    for id in &restricted {
        assert!(!listed.contains(&id.to_string()));
        assert!(matches!(
            node.public_incident(id).await,
            Err(NodeError::NotFound(_))
        ));
    }

    let scorecards = node.public_scorecards().await.unwrap();
    let russia = scorecards
        .iter()
        .find(|card| card.party.id.as_str() == "RU")
        .unwrap();
    // Five clear demo incidents suspect Russia; a reporter's suspicion is never counted or
    // shown in public (a state is named in public only through an attribution claim).
    assert_eq!(russia.counts.reported, 0);
    let listing = node.public_incidents(None, None).await.unwrap();
    assert!(
        listing
            .incidents
            .iter()
            .all(|row| row.suspected_state.is_none() && row.confidence.is_none())
    );
    let ukraine = scorecards
        .iter()
        .find(|card| card.party.id.as_str() == "UA")
        .unwrap();
    assert_eq!(
        ukraine.counts.reported, 3,
        "restricted reports are not counted"
    );
    let rate = |rate: Option<redline_node::dashboard::RateFigure>| {
        rate.map(|rate| (rate.numerator, rate.denominator))
    };
    let card = |id: &str| {
        scorecards
            .iter()
            .find(|card| card.party.id.as_str() == id)
            .unwrap()
    };
    assert_eq!(rate(ukraine.acknowledgements), Some((1, 1)));
    assert_eq!(ukraine.median_seconds_to_acknowledge, Some(600));
    assert_eq!(rate(ukraine.communication_checks), Some((0, 1)), "silent");
    assert_eq!(
        rate(russia.acknowledgements),
        Some((0, 1)),
        "never acknowledged"
    );
    assert_eq!(russia.median_seconds_to_acknowledge, None);
    assert_eq!(rate(card("GB").acknowledgements), Some((2, 2)));
    assert_eq!(
        card("GB").median_seconds_to_acknowledge,
        Some(600),
        "lower median"
    );
    assert_eq!(
        rate(card("US").acknowledgements),
        Some((0, 1)),
        "the silent co-recipient"
    );
    assert_eq!(rate(card("EE").communication_checks), Some((1, 1)));
    assert_eq!(
        rate(card("EE").acknowledgements),
        None,
        "nothing addressed to it"
    );
    let russia_alone = node
        .public_scorecard(&PartyId::parse("RU").unwrap())
        .await
        .unwrap();
    assert_eq!(&russia_alone.counts, &russia.counts);

    // The cache follows a new public incident.
    let mut report: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/incidents/01-estonia-2007.json"),
        )
        .unwrap(),
    )
    .unwrap();
    report["title"] = "Another public incident".into();
    node.submit_incident_json(&Caller::Operator, report.to_string().as_bytes())
        .await
        .unwrap();
    assert_eq!(node.public_overview().await.unwrap().public_incidents, 9);
    let hotline_figures: Vec<String> = scorecards
        .iter()
        .map(|card| {
            format!(
                "{} {:?} {:?} {:?}",
                card.party.id,
                card.acknowledgements,
                card.median_seconds_to_acknowledge,
                card.communication_checks
            )
        })
        .collect();
    format!(
        "{:?} {:?} {:?} {:?} {hotline_figures:?}",
        overview.by_severity,
        overview.by_month,
        overview.acknowledgements,
        overview.communication_checks
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_figures_on_sqlite_and_postgres_agree() {
    let directory = tempfile::tempdir().unwrap();
    let sqlite = SqlStore::open_sqlite_file(
        &directory.path().join("db.sqlite"),
        SqlStoreOptions::default(),
    )
    .await
    .unwrap();
    let clock = Arc::new(FixedClock::new(start_time()));
    let node = Node::new(Arc::new(sqlite), clock.clone());
    let sqlite_figures = check(&node, &clock).await;
    node.close().await;

    let Some(url) = redline_store::testing::fresh_postgres_database("redline_dashboard")
        .await
        .unwrap()
    else {
        println!("dashboard on PostgreSQL SKIPPED (set TEST_POSTGRES_URL)");
        return;
    };
    let postgres = SqlStore::open(&url, SqlStoreOptions::default())
        .await
        .unwrap();
    let clock = Arc::new(FixedClock::new(start_time()));
    let node = Node::new(Arc::new(postgres), clock.clone());
    let postgres_figures = check(&node, &clock).await;
    node.close().await;
    assert_eq!(sqlite_figures, postgres_figures);
}

/// The overview's checkpoint: the log's size and root, and the k-of-n witness decision from the
/// cosignatures attached to the current checkpoint.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkpoint_with_its_witnesses_and_the_quorum() {
    use redline_ledger::cosignature::CosignatureSigner;
    use redline_node::log::{LogConfig, NodeLog};
    use redline_node::log_witness::{ConfiguredWitness, WitnessConfig};

    let directory = tempfile::tempdir().unwrap();
    let sqlite = SqlStore::open_sqlite_file(
        &directory.path().join("db.sqlite"),
        SqlStoreOptions::default(),
    )
    .await
    .unwrap();
    let clock = Arc::new(FixedClock::new(start_time()));
    let node = Node::new(Arc::new(sqlite), clock.clone());
    node.attach_log(
        NodeLog::open(LogConfig::new(
            directory.path().join("log"),
            "test.redline.example/dashboard",
            [9; 32],
        ))
        .unwrap(),
    )
    .await
    .unwrap();
    let first = CosignatureSigner::from_seed("witness-one.example", &[1; 32]).unwrap();
    let second = CosignatureSigner::from_seed("witness-two.example", &[2; 32]).unwrap();
    node.attach_witness(WitnessConfig {
        directory: directory.path().join("witness"),
        cosigner: CosignatureSigner::from_seed("self.example", &[3; 32]).unwrap(),
        witnessed_logs: vec![],
        own_witnesses: [&first, &second]
            .iter()
            .map(|signer| ConfiguredWitness {
                url: "http://127.0.0.1:9".into(),
                verifier: signer.verifier(),
            })
            .collect(),
        quorum: 1,
    })
    .unwrap();
    seed(&node).await;
    node.settle_log().await.unwrap();
    let checkpoint = node.public_checkpoint().unwrap();
    assert!(
        checkpoint.size > 8,
        "parties, incidents and norms are logged"
    );
    assert_eq!(checkpoint.origin, "test.redline.example/dashboard");
    assert!(!checkpoint.root_hash.is_empty() && checkpoint.signed_at.is_some());
    assert_eq!(checkpoint.witnesses.len(), 2);
    assert!(!checkpoint.witnessed, "no cosignature yet");

    let log = node.log().unwrap();
    let note = log.checkpoint_note();
    log.add_cosignature(
        note.text(),
        first.cosign(note.text(), 1_790_000_000).unwrap(),
    );
    // A cosignature by a key that is not a configured witness counts for nothing.
    let stranger = CosignatureSigner::from_seed("witness-two.example", &[4; 32]).unwrap();
    log.add_cosignature(
        note.text(),
        stranger.cosign(note.text(), 1_790_000_000).unwrap(),
    );
    let checkpoint = node.public_checkpoint().unwrap();
    assert!(checkpoint.witnessed, "one of two meets the quorum of one");
    assert_eq!(
        checkpoint.witnesses[0].cosigned_at,
        Some(Timestamp::from_microseconds(1_790_000_000_000_000).unwrap())
    );
    assert_eq!(checkpoint.witnesses[1].cosigned_at, None);
    let overview = node.public_overview().await.unwrap();
    assert_eq!(overview.checkpoint.as_ref().unwrap().size, checkpoint.size);
    node.close().await;
}
