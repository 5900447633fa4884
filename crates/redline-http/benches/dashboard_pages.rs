#![allow(clippy::unwrap_used)]
//! Server time per dashboard page on a node with many incidents (10,000 by default; set
//! `DASHBOARD_BENCH_INCIDENTS`). The incidents are generated from the eight demo reports with
//! varied dates, labels (a quarter restricted), victims and suspected states, submitted through
//! the node (so each is assessed), on SQLite in a temporary directory. Then every page is
//! requested `DASHBOARD_BENCH_REQUESTS` times (default 50) over HTTP on 127.0.0.1, one at a
//! time, and the median and 95th percentile of the full request time are printed per page.
//!
//! Hotline messages (100,000 by default; `DASHBOARD_BENCH_MESSAGES`) are written straight to the
//! store, already signed (real DSSE envelopes, so thread pages render their standard forms):
//! threads of four messages (notification, acknowledgement — a fifth of them late —,
//! clarification request, response) between pairs of parties, and one check per 500 messages with
//! its reply. The console's inbox and a thread page are timed for a signed-in party, and the SQL
//! aggregate behind the hotline figures is timed on its own (the pages cache it).
//!
//! Attribution claims (one per incident by default; `DASHBOARD_BENCH_CLAIMS`) are filed,
//! co-signed and published through the node's use cases with real signed envelopes (so the code
//! of conduct is checked and each publication re-assesses its incident), all `TLP:CLEAR`, by the
//! incident's reporter, naming its suspected state; one in ten names that state's party, which is
//! consulted and replies before publication. The public claim pages and the scorecards (which
//! count published claims per named state) are timed, and the SQL behind the counts on its own.
//!
//! cargo bench -p redline-http --bench dashboard_pages

use std::{path::Path, sync::Arc, time::Instant};

use redline_hotline::consultation::{
    CONSULTATION_REPLY_PAYLOAD_TYPE, CONSULTATION_REQUEST_PAYLOAD_TYPE,
};
use redline_hotline::message::{
    AcknowledgementBody, CheckReplyBody, ClarificationRequestBody, CommunicationCheckBody,
    NotificationBody, ResponseBody,
};
use redline_hotline::{
    ConsultationReply, ConsultationRequest, HotlineMessage, MessageBody, Remedy, ReplyPosition,
    sign_message, sign_record,
};
use redline_http::HttpConfig;
use redline_model::attribution::{
    CLAIM_DECISION_PAYLOAD_TYPE, CLAIM_PAYLOAD_TYPE, COSIGNATURE_PAYLOAD_TYPE,
};
use redline_model::{
    AttributionBasis, AttributionClaim, AttributionRelationship, ClaimAction, ClaimCosignature,
    ClaimDecision, ClaimId, Confidence, CountryCode, EvidenceReference, IncidentId, NamedState,
    PartyId, PartyKind, Timestamp, Tlp,
};
use redline_node::{Caller, NewParty, Node, SystemClock};
use redline_store::{
    CheckChange, CheckTarget, CommunicationCheck, HotlineEvent, HotlineWrite, Store, StoredMessage,
    StoredThread, ThreadChange,
};
use redline_store::{SqlStore, SqlStoreOptions};
use uuid::Uuid;

const STATES: [&str; 10] = ["EE", "IR", "UA", "GB", "US", "RU", "KP", "FI", "FR", "CN"];
/// States named in claims without a consultation: not parties of the node (a state that is a
/// party must be named as the party, and is then offered consultation).
const NON_PARTY_STATES: [&str; 5] = ["BY", "SY", "VE", "MM", "ER"];
const LABELS: [&str; 4] = ["clear", "clear", "clear", "amber"];

fn party(id: &str) -> PartyId {
    PartyId::parse(id).unwrap()
}

fn key_of(index: usize) -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&[index as u8 + 1; 32])
}

fn at(microseconds: i64) -> Timestamp {
    Timestamp::from_microseconds(microseconds).unwrap()
}

/// A signed message as the store keeps it, and the event its recipient gets.
fn stored(
    from: usize,
    to: usize,
    thread: Uuid,
    sent_us: i64,
    tlp: Tlp,
    body: MessageBody,
) -> (StoredMessage, HotlineEvent) {
    let message = HotlineMessage {
        id: Uuid::new_v4(),
        thread,
        from: party(STATES[from]),
        to: vec![party(STATES[to])],
        sent_at: at(sent_us),
        incident: None,
        tlp,
        lang: "en".into(),
        exercise: false,
        body,
    };
    let envelope = String::from_utf8(sign_message(&message, &key_of(from))).unwrap();
    let event = HotlineEvent {
        sequence: 0,
        party: party(STATES[to]),
        kind: "message".into(),
        thread_id: thread,
        message_id: Some(message.id),
        created_at: at(sent_us),
        detail: serde_json::json!({"kind": message.kind().as_str()}).to_string(),
    };
    (
        StoredMessage {
            sequence: 0,
            id: message.id,
            thread_id: thread,
            from: message.from.clone(),
            recipients: message.to.clone(),
            kind: message.kind().as_str().into(),
            sent_at: message.sent_at,
            received_at: message.sent_at,
            incident_id: None,
            tlp: tlp.as_str().into(),
            exercise: false,
            envelope,
        },
        event,
    )
}

/// One communication check (an exercise one, so it is not counted) to two parties, of which the
/// first answers.
async fn seed_one_check(store: &Arc<dyn Store>, index: usize, norms_sha256: &str) {
    let now = redline_node::Clock::now(&SystemClock).as_microseconds();
    let hour = 3_600_000_000i64;
    let starter = index % STATES.len();
    let (first, second) = ((starter + 1) % STATES.len(), (starter + 2) % STATES.len());
    let thread_id = Uuid::new_v4();
    let check_id = Uuid::new_v4();
    let started = now - 30 * 24 * hour + index as i64 * hour;
    let (message, event) = stored(
        starter,
        first,
        thread_id,
        started,
        Tlp::Clear,
        MessageBody::CommunicationCheck(CommunicationCheckBody { check_id }),
    );
    let mut participants = vec![
        party(STATES[starter]),
        party(STATES[first]),
        party(STATES[second]),
    ];
    participants.sort();
    let thread = StoredThread {
        id: thread_id,
        opened_by: party(STATES[starter]),
        opening_message_id: message.id,
        opening_kind: redline_hotline::MessageKind::CommunicationCheck,
        incident_id: None,
        tlp: Tlp::Clear,
        exercise: true,
        state: redline_hotline::ThreadState::Sent,
        severity_level: 0,
        norms_sha256: norms_sha256.into(),
        opened_at: at(started),
        updated_at: at(started),
        acknowledge_by: None,
        respond_by: Some(at(started + hour)),
        delivered_at: None,
        acknowledged_at: None,
        answered_at: None,
        closed_at: None,
        acknowledgement_overdue_at: None,
        response_overdue_at: None,
        participants,
    };
    store
        .apply_hotline_write(&HotlineWrite {
            check: Some(CheckChange::Start(CommunicationCheck {
                id: check_id,
                thread_id,
                started_by: party(STATES[starter]),
                started_at: at(started),
                reply_by: at(started + hour),
                exercise: true,
                targets: [first, second]
                    .iter()
                    .map(|target| CheckTarget {
                        party: party(STATES[*target]),
                        answered_at: None,
                    })
                    .collect(),
            })),
            ..HotlineWrite::of_message(message, ThreadChange::Open(thread.clone()), vec![event])
        })
        .await
        .unwrap();
    let answered = started + (index % 90) as i64 * 60_000_000;
    let (reply, event) = stored(
        first,
        starter,
        thread_id,
        answered,
        Tlp::Clear,
        MessageBody::CheckReply(CheckReplyBody { check_id }),
    );
    store
        .apply_hotline_write(&HotlineWrite {
            check: Some(CheckChange::Answer {
                check_id,
                party: party(STATES[first]),
                at: at(answered),
            }),
            ..HotlineWrite::of_message(
                reply,
                ThreadChange::Update {
                    thread: thread.clone(),
                    expected_state: redline_hotline::ThreadState::Sent,
                },
                vec![event],
            )
        })
        .await
        .unwrap();
}

/// Writes `messages` hotline messages straight to the store, in rounds (every thread's first
/// message, then every thread's second, …) so each thread moves from the state just written.
async fn seed_hotline(store: &Arc<dyn Store>, messages: usize, norms_sha256: &str) -> Uuid {
    let now = redline_node::Clock::now(&SystemClock).as_microseconds();
    let checks = messages / 1000;
    let threads = (messages - 2 * checks) / 4;
    let hour = 3_600_000_000i64;
    let mut records: Vec<StoredThread> = (0..threads)
        .map(|index| {
            let opener = index % STATES.len();
            let recipient = (index * 3 + 1) % STATES.len();
            let recipient = if recipient == opener {
                (recipient + 1) % STATES.len()
            } else {
                recipient
            };
            let opened = now - 90 * 24 * hour + (index as i64 * 97 % (89 * 24)) * hour;
            let mut participants = vec![party(STATES[opener]), party(STATES[recipient])];
            participants.sort();
            StoredThread {
                id: Uuid::new_v4(),
                opened_by: party(STATES[opener]),
                opening_message_id: Uuid::nil(),
                opening_kind: redline_hotline::MessageKind::Notification,
                incident_id: None,
                tlp: Tlp::parse(LABELS[index % LABELS.len()]).unwrap(),
                exercise: false,
                state: redline_hotline::ThreadState::Sent,
                severity_level: 3,
                norms_sha256: norms_sha256.into(),
                opened_at: at(opened),
                updated_at: at(opened),
                acknowledge_by: Some(at(opened + hour)),
                respond_by: Some(at(opened + 24 * hour)),
                delivered_at: None,
                acknowledged_at: None,
                answered_at: None,
                closed_at: None,
                acknowledgement_overdue_at: None,
                response_overdue_at: None,
                participants,
            }
        })
        .collect();
    let ends = |thread: &StoredThread| {
        let opener = STATES
            .iter()
            .position(|s| *s == thread.opened_by.as_str())
            .unwrap();
        let other = thread
            .participants
            .iter()
            .find(|p| **p != thread.opened_by)
            .map(|p| STATES.iter().position(|s| *s == p.as_str()).unwrap())
            .unwrap();
        (opener, other)
    };
    let mut last_ids: Vec<Uuid> = vec![Uuid::nil(); threads];
    for round in 0..4 {
        let mut writes = Vec::with_capacity(threads);
        for (index, thread) in records.iter_mut().enumerate() {
            let (opener, other) = ends(thread);
            let opened = thread.opened_at.as_microseconds();
            // A fifth of the acknowledgements come after the hour.
            let delay = if index % 5 == 0 {
                90
            } else {
                5 + (index % 50) as i64
            } * 60_000_000;
            let tlp = thread.tlp;
            let (message, event) = match round {
                0 => stored(
                    opener,
                    other,
                    thread.id,
                    opened,
                    tlp,
                    MessageBody::Notification(NotificationBody {
                        summary: format!("Grid outage #{index}"),
                        severity_level: Some(3),
                        requested_actions: vec![],
                    }),
                ),
                1 => stored(
                    other,
                    opener,
                    thread.id,
                    opened + delay,
                    tlp,
                    MessageBody::Acknowledgement(AcknowledgementBody {
                        of: thread.opening_message_id,
                    }),
                ),
                2 => stored(
                    other,
                    opener,
                    thread.id,
                    opened + delay + 60_000_000,
                    tlp,
                    MessageBody::ClarificationRequest(ClarificationRequestBody {
                        questions: vec!["Which substations?".into()],
                    }),
                ),
                _ => stored(
                    opener,
                    other,
                    thread.id,
                    opened + delay + 120_000_000,
                    tlp,
                    MessageBody::Response(ResponseBody {
                        to: last_ids[index],
                        text: "Three in the north.".into(),
                    }),
                ),
            };
            last_ids[index] = message.id;
            let expected_state = thread.state;
            let change = if round == 0 {
                thread.opening_message_id = message.id;
                ThreadChange::Open(thread.clone())
            } else {
                thread.updated_at = message.received_at;
                if round == 1 {
                    thread.state = redline_hotline::ThreadState::Acknowledged;
                    thread.delivered_at = Some(at(opened));
                    thread.acknowledged_at = Some(message.received_at);
                }
                ThreadChange::Update {
                    thread: thread.clone(),
                    expected_state,
                }
            };
            if round == 0 {
                // The opening message must be in the thread record before it is written.
                let mut opened_thread = thread.clone();
                opened_thread.opening_message_id = message.id;
                writes.push(HotlineWrite::of_message(
                    message,
                    ThreadChange::Open(opened_thread),
                    vec![event],
                ));
            } else {
                // The acknowledgement and the clarification request come from the recipient;
                // only the first counts, as in the node.
                let acknowledged_by = (round == 1 || round == 2).then(|| message.from.clone());
                writes.push(HotlineWrite {
                    acknowledged_by,
                    ..HotlineWrite::of_message(message, change, vec![event])
                });
            }
        }
        for chunk in writes.chunks(512) {
            let results = futures::future::join_all(
                chunk.iter().map(|write| store.apply_hotline_write(write)),
            )
            .await;
            for result in results {
                result.unwrap();
            }
        }
    }
    // Communication checks: one to two parties, one of which answers.
    for index in 0..checks {
        seed_one_check(store, index, norms_sha256).await;
    }
    // A thread of the party the console benchmark signs in as (UA).
    records
        .iter()
        .find(|thread| thread.participants.iter().any(|p| p.as_str() == "UA"))
        .map(|thread| thread.id)
        .unwrap()
}

/// The suspected state of the `index`th generated incident (never its reporter).
fn named_state_of(index: usize) -> usize {
    (index * 7 + 3) % STATES.len()
}

/// Signs a record as the party `signer` (an index into `STATES`).
fn signed_by(signer: usize, payload_type: &str, payload: Vec<u8>) -> Vec<u8> {
    sign_record(payload_type, payload, &key_of(signer))
}

/// One published `TLP:CLEAR` claim (the `index`th) on the `incident_index`th incident through
/// the node's use cases: the incident's reporter files it naming the incident's suspected
/// state (with `consult`: its party, which is offered consultation and replies first, as the code
/// of conduct requires; without: a state that is not a party), another party co-signs, and the
/// claimant publishes.
async fn seed_one_claim(
    node: &Node,
    index: usize,
    (incident_index, incident): (usize, &IncidentId),
    consult: bool,
) -> ClaimId {
    let claimant = incident_index % STATES.len();
    let named = named_state_of(incident_index);
    let cosigner = [
        (incident_index + 1) % STATES.len(),
        (incident_index + 2) % STATES.len(),
    ]
    .into_iter()
    .find(|candidate| *candidate != named)
    .unwrap();
    let as_party = |state: usize| Caller::Party(party(STATES[state]));
    let claim = AttributionClaim {
        v: 1,
        id: uuid::Uuid::new_v4(),
        version: 1,
        incident: incident.clone(),
        claimant: party(STATES[claimant]),
        named: NamedState {
            state: CountryCode::parse(if consult {
                STATES[named]
            } else {
                NON_PARTY_STATES[index % NON_PARTY_STATES.len()]
            })
            .unwrap(),
            party: consult.then(|| party(STATES[named])),
            actor: index
                .is_multiple_of(3)
                .then(|| format!("Actor {}", index % 40)),
        },
        relationship: AttributionRelationship::StateOrgan,
        confidence: Confidence::VeryLikely,
        analytic_confidence: None,
        basis: vec![AttributionBasis::Technical, AttributionBasis::Intelligence],
        evidence: vec![EvidenceReference {
            reference: format!("sha256:{:064x}", index),
            description: None,
        }],
        statement: format!("Claim #{index}: the operation was carried out by a state organ."),
        tlp: Tlp::Clear,
        shared_with: vec![],
        signed_at: node.now(),
    };
    let filed = node
        .file_claim(
            &as_party(claimant),
            &signed_by(claimant, CLAIM_PAYLOAD_TYPE, claim.to_payload_bytes()),
        )
        .await
        .unwrap();
    let digest = filed.versions[0].payload_digest.clone();
    let cosignature = ClaimCosignature {
        v: 1,
        claim: claim.id,
        version: 1,
        claim_digest: digest.clone(),
        party: party(STATES[cosigner]),
        confidence: Confidence::Likely,
        statement: None,
        signed_at: node.now(),
    };
    node.cosign_claim(
        &as_party(cosigner),
        &signed_by(
            cosigner,
            COSIGNATURE_PAYLOAD_TYPE,
            cosignature.to_payload_bytes(),
        ),
    )
    .await
    .unwrap();
    if consult {
        let request = ConsultationRequest {
            v: 1,
            id: uuid::Uuid::new_v4(),
            claim: claim.id,
            from: party(STATES[claimant]),
            to: party(STATES[named]),
            facts: "The wiper's infrastructure is the actor's.".into(),
            legal_view: "A breach of sovereignty.".into(),
            remedies: vec![Remedy::Cessation],
            mediator: None,
            sent_at: node.now(),
        };
        node.request_consultation(
            &as_party(claimant),
            &signed_by(
                claimant,
                CONSULTATION_REQUEST_PAYLOAD_TYPE,
                request.to_payload_bytes(),
            ),
        )
        .await
        .unwrap();
        let reply = ConsultationReply {
            v: 1,
            consultation: request.id,
            from: party(STATES[named]),
            position: ReplyPosition::Deny,
            statement: "Not ours.".into(),
            sent_at: node.now(),
        };
        node.reply_to_consultation(
            &as_party(named),
            &signed_by(
                named,
                CONSULTATION_REPLY_PAYLOAD_TYPE,
                reply.to_payload_bytes(),
            ),
        )
        .await
        .unwrap();
    }
    let decision = ClaimDecision {
        v: 1,
        claim: claim.id,
        version: 1,
        claim_digest: digest,
        party: party(STATES[claimant]),
        action: ClaimAction::Publish,
        reason: None,
        signed_at: node.now(),
    };
    node.decide_claim(
        &as_party(claimant),
        &signed_by(
            claimant,
            CLAIM_DECISION_PAYLOAD_TYPE,
            decision.to_payload_bytes(),
        ),
    )
    .await
    .unwrap();
    claim.id
}

/// `claims` published claims over the incidents (the `index`th on incident `index` modulo
/// their number), 64 claims in flight at a time; one in ten with a consultation. Returns the
/// first claim, if any.
async fn seed_claims(node: &Arc<Node>, incidents: &[IncidentId], claims: usize) -> Option<ClaimId> {
    let mut first = None;
    for chunk_start in (0..claims).step_by(64) {
        let batch = (chunk_start..(chunk_start + 64).min(claims)).map(|index| {
            let node = node.clone();
            let incident_index = index % incidents.len();
            let incident = incidents[incident_index].clone();
            async move {
                seed_one_claim(
                    &node,
                    index,
                    (incident_index, &incident),
                    index.is_multiple_of(10),
                )
                .await
            }
        });
        let seeded = futures::future::join_all(batch).await;
        first = first.or_else(|| seeded.first().copied());
    }
    first
}

/// The median of `runs` timings of `operation`, in milliseconds.
async fn median_milliseconds<F, Fut>(runs: usize, mut operation: F) -> f64
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        operation().await;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    times[times.len() / 2]
}

fn environment_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let incidents = environment_number("DASHBOARD_BENCH_INCIDENTS", 10_000);
    let requests = environment_number("DASHBOARD_BENCH_REQUESTS", 50);
    let messages = environment_number("DASHBOARD_BENCH_MESSAGES", 100_000);
    let claims = environment_number("DASHBOARD_BENCH_CLAIMS", incidents);
    let directory = tempfile::tempdir().unwrap();
    let store = SqlStore::open_sqlite_file(
        &directory.path().join("db.sqlite"),
        SqlStoreOptions::default(),
    )
    .await
    .unwrap();
    let store: Arc<dyn Store> = Arc::new(store);
    let node = Arc::new(Node::new(store.clone(), Arc::new(SystemClock)));
    node.load_norms().await.unwrap();
    for (index, id) in STATES.into_iter().enumerate() {
        node.add_party(
            &Caller::Operator,
            NewParty {
                id: PartyId::parse(id).unwrap(),
                kind: PartyKind::State,
                name: format!("State {id}"),
                languages: vec!["en".into()],
                public_keys: vec![{
                    use base64::Engine;
                    base64::engine::general_purpose::STANDARD
                        .encode(key_of(index).verifying_key().as_bytes())
                }],
            },
        )
        .await
        .unwrap();
    }
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/incidents");
    let mut templates: Vec<serde_json::Value> = std::fs::read_dir(&demo)
        .unwrap()
        .map(|entry| {
            serde_json::from_slice(&std::fs::read(entry.unwrap().path()).unwrap()).unwrap()
        })
        .collect();
    templates.sort_by_key(|report: &serde_json::Value| {
        report["title"].as_str().unwrap_or("").to_string()
    });

    let started = Instant::now();
    let mut first_clear = None;
    let mut seeded_incidents: Vec<IncidentId> = Vec::with_capacity(incidents);
    for chunk_start in (0..incidents).step_by(256) {
        let mut batch = Vec::new();
        for index in chunk_start..(chunk_start + 256).min(incidents) {
            let mut report = templates[index % templates.len()].clone();
            let state = STATES[index % STATES.len()];
            report["reported_by"] = state.into();
            report["victim"] = state.into();
            report["tlp"] = LABELS[index % LABELS.len()].into();
            report["title"] = format!("{} #{index}", report["title"].as_str().unwrap_or("")).into();
            let year = 2015 + (index / 12) % 11;
            let month = 1 + index % 12;
            report["first_observed"] = format!("{year}-{month:02}-15T12:00:00Z").into();
            report.as_object_mut().unwrap().remove("last_observed");
            if let Some(origin) = report.get_mut("suspected_origin") {
                origin["state"] = STATES[(index * 7 + 3) % STATES.len()].into();
            }
            if let Some(targets) = report["targets"].as_array_mut() {
                for target in targets {
                    target["country"] = state.into();
                }
            }
            let node = node.clone();
            batch.push(async move {
                node.submit_incident_json(&Caller::Operator, report.to_string().as_bytes())
                    .await
            });
        }
        for result in futures::future::join_all(batch).await {
            let incident = result.unwrap();
            seeded_incidents.push(incident.id.clone());
            if first_clear.is_none() && incident.report.tlp == redline_model::Tlp::Clear {
                first_clear = Some(incident.id.to_string());
            }
        }
    }
    eprintln!(
        "seeded {incidents} incidents in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let first_claim = seed_claims(&node, &seeded_incidents, claims).await;
    eprintln!(
        "seeded {claims} published claims ({} with a consultation) in {:.1} s",
        claims.div_ceil(10),
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let baseline_sha = node.list_norms_documents().await.unwrap()[0].sha256.clone();
    let ua_thread = seed_hotline(&store, messages, &baseline_sha).await;
    eprintln!(
        "seeded {messages} hotline messages in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let now_us = node.now().as_microseconds();
    let mut aggregate = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        store.dashboard_hotline_figures(now_us).await.unwrap();
        aggregate.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    aggregate.sort_by(|a, b| a.partial_cmp(b).unwrap());
    eprintln!(
        "hotline figures SQL (uncached) over {messages} messages: median {:.1} ms",
        aggregate[aggregate.len() / 2]
    );
    let counts = median_milliseconds(5, || async {
        store.published_claim_counts().await.unwrap();
    })
    .await;
    let consultations = median_milliseconds(5, || async {
        store.consultation_figures(node.now()).await.unwrap();
    })
    .await;
    eprintln!(
        "published claim counts SQL over {claims} claims: median {counts:.1} ms; consultation figures SQL: median {consultations:.1} ms"
    );
    let token = node
        .issue_token(&Caller::Operator, &party("UA"), "bench")
        .await
        .unwrap()
        .token;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (_shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let config = HttpConfig {
        rate_limit_per_second: 0,
        ..HttpConfig::default()
    };
    tokio::spawn(redline_http::run(
        listener,
        node.clone(),
        config,
        async move {
            let _ = stopped.await;
        },
    ));
    let baseline = node.list_norms_documents().await.unwrap()[0].sha256.clone();
    let mut pages = vec![
        "/dashboard".to_string(),
        "/dashboard?lang=ar".to_string(),
        "/dashboard/incidents".to_string(),
        format!("/dashboard/incidents/{}", first_clear.unwrap()),
        "/dashboard/parties".to_string(),
        "/dashboard/parties/RU".to_string(),
        "/dashboard/claims".to_string(),
        "/api/v1/public/claims".to_string(),
        "/dashboard/norms".to_string(),
        format!("/dashboard/norms/{baseline}"),
        "/dashboard/verify".to_string(),
        "/console".to_string(),
        format!("/console/threads/{ua_thread}"),
    ];
    if let Some(claim) = first_claim {
        pages.push(format!("/dashboard/claims/{claim}"));
    }
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let signed = http
        .post(format!("{base}/console/sign-in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={token}"))
        .send()
        .await
        .unwrap();
    let cookie = signed
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("redline_session="))
        .and_then(|value| value.split(';').next())
        .unwrap()
        .to_string();
    println!("| page | median ms | p95 ms | first request ms |");
    println!("| --- | ---: | ---: | ---: |");
    for page in pages {
        let mut times = Vec::with_capacity(requests);
        let mut first = 0.0;
        for attempt in 0..requests.max(1) {
            let started = Instant::now();
            let response = http
                .get(format!("{base}{page}"))
                .header("cookie", &cookie)
                .send()
                .await
                .unwrap();
            assert!(
                response.status().is_success(),
                "{page}: {}",
                response.status()
            );
            let _ = response.bytes().await.unwrap();
            let milliseconds = started.elapsed().as_secs_f64() * 1000.0;
            if attempt == 0 {
                first = milliseconds;
            }
            times.push(milliseconds);
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let median = times[times.len() / 2];
        let p95 = times[(times.len() * 95 / 100).min(times.len() - 1)];
        println!("| `{page}` | {median:.1} | {p95:.1} | {first:.1} |");
    }

    // A write invalidates the cached aggregates: time the pages that show them right after one
    // (an incident submitted, or a hotline message stored), so the rebuild is in the figure.
    let report = std::fs::read_to_string("../../demo/incidents/04-wannacry-2017.json").unwrap();
    println!();
    println!("| page, right after a write | median ms | p95 ms | slowest ms |");
    println!("| --- | ---: | ---: | ---: |");
    for (page, write) in [
        ("/dashboard", "incident"),
        ("/dashboard/parties", "incident"),
        ("/dashboard", "hotline message"),
        ("/dashboard/parties", "hotline message"),
        ("/dashboard/parties", "published claim"),
        ("/dashboard/claims", "published claim"),
    ] {
        let mut times = Vec::with_capacity(requests);
        for attempt in 0..requests.max(1) {
            match write {
                "incident" => {
                    node.submit_incident_json(&Caller::Operator, report.as_bytes())
                        .await
                        .unwrap();
                }
                "hotline message" => seed_one_check(&store, attempt, &baseline_sha).await,
                _ => {
                    let index = claims + attempt;
                    let incident_index = index % seeded_incidents.len();
                    let incident = &seeded_incidents[incident_index];
                    seed_one_claim(&node, index, (incident_index, incident), false).await;
                }
            }
            let started = Instant::now();
            let response = http.get(format!("{base}{page}")).send().await.unwrap();
            assert!(response.status().is_success(), "{page}");
            let _ = response.bytes().await.unwrap();
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let median = times[times.len() / 2];
        let p95 = times[(times.len() * 95 / 100).min(times.len() - 1)];
        let slowest = times[times.len() - 1];
        println!("| `{page}` after a new {write} | {median:.1} | {p95:.1} | {slowest:.1} |");
    }
    node.close().await;
}
