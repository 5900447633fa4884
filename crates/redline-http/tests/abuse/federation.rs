//! Abuse cases: federation (`/federation/v1/relay`, `/federation/v1/parties`,
//! `/api/v1/federation`). Two real nodes, "north" (party EE) and "south" (party GB), each with
//! its SQLite database and log, served on loopback and configured as each other's peers; south
//! learns EE from north's signed statement. Then hostile relays are sent to south: from a node
//! that is no peer, under a peer's name with another key, altered by one byte, meant for
//! another node, for a sender the peer does not home, signed by a revoked key, out of order,
//! and twice. Each must be refused (or, replayed, take effect once) and change nothing.

use std::sync::Arc;
use std::time::Duration;

use ed25519_dalek::SigningKey;
use redline_hotline::federation::{RelayItem, RelayedMessage, RelayedThreadTimes, sign_relay_item};
use redline_hotline::message::{AcknowledgementBody, NotificationBody};
use redline_hotline::{HotlineMessage, MessageBody, sign_message};
use redline_model::{PartyId, Timestamp, Tlp};
use redline_node::federation::{FederationSettings, PeerSettings};
use redline_node::log::{LogConfig, NodeLog};
use redline_node::{Caller, Node};
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use super::support::{self, kit};

struct FederatedNode {
    node: Arc<Node>,
    base: String,
    origin: String,
    seed: [u8; 32],
    token: String,
    _shutdown: tokio::sync::oneshot::Sender<()>,
    _stop: tokio::sync::oneshot::Sender<()>,
    _directory: tempfile::TempDir,
}

fn party_key(id: &str) -> SigningKey {
    support::key_of(id)
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Two nodes, each the other's peer, each with one state party; south has imported EE.
async fn two_nodes() -> (FederatedNode, FederatedNode) {
    two_nodes_with(Vec::new()).await
}

/// The same, with more peers for south.
async fn two_nodes_with(extra_south_peers: Vec<PeerSettings>) -> (FederatedNode, FederatedNode) {
    let mut prepared = Vec::new();
    for (name, party, seed) in [("north", "EE", [41u8; 32]), ("south", "GB", [42u8; 32])] {
        let directory = tempfile::tempdir().unwrap();
        let node = kit::sqlite_node(directory.path()).await;
        let origin = format!("{name}.abuse.test/log");
        let log = NodeLog::open(LogConfig::new(
            directory.path().join("log"),
            origin.clone(),
            seed,
        ))
        .unwrap();
        node.attach_log(log).await.unwrap();
        let token = kit::add_state(
            &node,
            party,
            vec![base64_of(party_key(party).verifying_key().as_bytes())],
        )
        .await;
        let (base, shutdown) = kit::serve(node.clone(), redline_http::HttpConfig::default()).await;
        prepared.push((node, base, origin, seed, token, shutdown, directory));
    }
    let vkeys: Vec<String> = prepared
        .iter()
        .map(|(node, ..)| node.log().unwrap().verifier_key())
        .collect();
    let mut nodes = Vec::new();
    for (index, (node, base, origin, seed, token, shutdown, directory)) in
        prepared.into_iter().enumerate()
    {
        let other = 1 - index;
        let _ = &extra_south_peers;
        nodes.push((node, base, origin, seed, token, shutdown, directory, other));
    }
    let bases: Vec<String> = nodes.iter().map(|entry| entry.1.clone()).collect();
    let mut federated = Vec::new();
    for (node, base, origin, seed, token, shutdown, directory, other) in nodes {
        let mut peers = vec![PeerSettings {
            url: bases[other].clone(),
            log_key: vkeys[other].clone(),
            taxii_token: None,
            collections: Vec::new(),
            public_incidents: true,
        }];
        if other == 0 {
            peers.extend(extra_south_peers.iter().cloned());
        }
        node.attach_federation(FederationSettings {
            peers,
            sync_interval: Duration::from_millis(200),
            relay_retry_ceiling: Duration::from_millis(500),
        })
        .unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(node.clone().run_federation(async move {
            let _ = stopped.await;
        }));
        federated.push(FederatedNode {
            node,
            base,
            origin,
            seed,
            token,
            _shutdown: shutdown,
            _stop: stop,
            _directory: directory,
        });
    }
    let south = federated.pop().unwrap();
    let north = federated.pop().unwrap();
    for node in [&north, &south] {
        let mut homed = false;
        for _ in 0..300 {
            let status = node.node.federation_status().await.unwrap();
            homed = status.peers.iter().any(|peer| peer.parties_homed == 1);
            if homed {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(
            homed,
            "{} never imported its peer's party: {}",
            node.origin,
            serde_json::to_string(&node.node.federation_status().await.unwrap()).unwrap()
        );
    }
    (north, south)
}

async fn wait_until<F, Fut>(mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..300 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("not within 30 s");
}

fn now() -> Timestamp {
    Timestamp::from_jiff(jiff::Timestamp::now())
}

fn notification(from: &str, to: &str) -> HotlineMessage {
    HotlineMessage {
        id: Uuid::new_v4(),
        thread: Uuid::new_v4(),
        from: PartyId::parse(from).unwrap(),
        to: vec![PartyId::parse(to).unwrap()],
        sent_at: now(),
        incident: None,
        tlp: Tlp::Green,
        lang: "en".into(),
        exercise: false,
        body: MessageBody::Notification(NotificationBody {
            summary: "RELAYSECRET7Q a federation abuse case".into(),
            severity_level: Some(1),
            requested_actions: vec![],
        }),
    }
}

fn relay_of(
    message: &HotlineMessage,
    envelope: &[u8],
    from_node: &str,
    to_node: &str,
    opening: Uuid,
) -> RelayItem {
    RelayItem::Message(RelayedMessage {
        from_node: from_node.into(),
        to_node: to_node.into(),
        message_id: message.id,
        thread_id: message.thread,
        envelope: String::from_utf8(envelope.to_vec()).unwrap(),
        accepted_at: now(),
        thread: RelayedThreadTimes {
            opening_message_id: opening,
            opened_at: now(),
            severity_level: 1,
            norms_sha256: String::new(),
            acknowledge_by: None,
            respond_by: None,
        },
    })
}

async fn post_relay(base: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}/federation/v1/relay"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn stored(node: &Node, message: Uuid) -> bool {
    node.store().hotline_message_exists(message).await.unwrap()
}

/// Rule: only a configured peer relays, under its own node key, items meant for this node,
/// unaltered; anything else is refused and stores nothing.
#[tokio::test]
async fn a_relay_from_no_peer_under_another_key_altered_or_misaddressed_is_refused() {
    let (north, south) = two_nodes().await;
    let message = notification("EE", "GB");
    let envelope = sign_message(&message, &party_key("EE"));
    let north_key = SigningKey::from_bytes(&north.seed);
    let impostor = SigningKey::from_bytes(&[99; 32]);

    // A node that is no peer of south.
    let item = relay_of(
        &message,
        &envelope,
        "evil.abuse.test/log",
        &south.origin,
        message.id,
    );
    let (status, answer) = post_relay(&south.base, sign_relay_item(&item, &impostor)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    // North's name, another key.
    let item = relay_of(
        &message,
        &envelope,
        &north.origin,
        &south.origin,
        message.id,
    );
    let (status, answer) = post_relay(&south.base, sign_relay_item(&item, &impostor)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        answer.to_string().contains("no signature is valid"),
        "{answer}"
    );
    // North's key, one byte of the payload altered.
    let signed = sign_relay_item(&item, &north_key);
    let mut parsed: Value = serde_json::from_slice(&signed).unwrap();
    let payload = parsed["payload"].as_str().unwrap().to_string();
    let mut decoded = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(payload)
            .unwrap()
    };
    let position = decoded.len() / 2;
    decoded[position] ^= 0x01;
    parsed["payload"] = Value::String(base64_of(&decoded));
    let (status, answer) = post_relay(&south.base, serde_json::to_vec(&parsed).unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    // North's key, meant for another node.
    let misaddressed = relay_of(
        &message,
        &envelope,
        &north.origin,
        "west.abuse.test/log",
        message.id,
    );
    let (status, answer) =
        post_relay(&south.base, sign_relay_item(&misaddressed, &north_key)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(answer.to_string().contains("not this node"), "{answer}");
    assert!(
        !stored(&south.node, message.id).await,
        "nothing refused was stored"
    );
}

/// Rule: a peer relays only the messages of parties homed on it, each signed by its author's
/// current key: north cannot relay a message "from" GB (homed on south), nor one signed by a
/// key that is not EE's, nor one signed by EE's key after north revoked it.
#[tokio::test]
async fn a_peer_cannot_relay_for_a_party_it_does_not_home_or_with_a_key_not_current() {
    let (north, south) = two_nodes().await;
    let north_key = SigningKey::from_bytes(&north.seed);
    // "From" GB, which south homes itself.
    let forged = notification("GB", "EE");
    let envelope = sign_message(&forged, &party_key("GB"));
    let item = relay_of(&forged, &envelope, &north.origin, &south.origin, forged.id);
    let (status, answer) = post_relay(&south.base, sign_relay_item(&item, &north_key)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    assert!(!stored(&south.node, forged.id).await);
    // From EE, signed by a key that is not EE's.
    let message = notification("EE", "GB");
    let envelope = sign_message(&message, &SigningKey::from_bytes(&[77; 32]));
    let item = relay_of(
        &message,
        &envelope,
        &north.origin,
        &south.origin,
        message.id,
    );
    let (status, answer) = post_relay(&south.base, sign_relay_item(&item, &north_key)).await;
    assert!(status.is_client_error(), "{status} {answer}");
    assert!(!stored(&south.node, message.id).await);
    // EE's key revoked at home: south learns it from north's statement, then refuses it.
    let ee = PartyId::parse("EE").unwrap();
    let key_id = north
        .node
        .store()
        .get_party(&ee)
        .await
        .unwrap()
        .unwrap()
        .keys[0]
        .key_id
        .clone();
    north
        .node
        .revoke_party_key(&Caller::Operator, &ee, &key_id, "compromised")
        .await
        .unwrap();
    wait_until(|| async {
        let party = south.node.store().get_party(&ee).await.unwrap().unwrap();
        party.keys.iter().all(|key| key.revoked_at.is_some())
    })
    .await;
    let late = notification("EE", "GB");
    let envelope = sign_message(&late, &party_key("EE"));
    let item = relay_of(&late, &envelope, &north.origin, &south.origin, late.id);
    let (status, answer) = post_relay(&south.base, sign_relay_item(&item, &north_key)).await;
    assert!(status.is_client_error(), "{status} {answer}");
    assert!(
        !stored(&south.node, late.id).await,
        "a revoked key's message was refused"
    );
}

/// Rule: a party homed on a peer speaks only through its home node: its signed message,
/// submitted here directly (even by this node's operator), is refused and not stored.
#[tokio::test]
async fn a_party_homed_on_a_peer_cannot_bypass_its_home_node() {
    let (_north, south) = two_nodes().await;
    let message = notification("EE", "GB");
    let envelope = sign_message(&message, &party_key("EE"));
    let refused = south
        .node
        .accept_message(&Caller::Operator, &envelope)
        .await
        .expect_err("refused");
    assert!(refused.to_string().contains("homed on"), "{refused}");
    assert!(!stored(&south.node, message.id).await);
}

/// Rule: a relayed item takes effect once (a replay is a `duplicate`), and an answer relayed
/// before the message it answers waits (409) instead of opening a thread of its own.
#[tokio::test]
async fn a_replayed_relay_takes_effect_once_and_an_early_answer_waits() {
    let (north, south) = two_nodes().await;
    let north_key = SigningKey::from_bytes(&north.seed);
    // GB's acknowledgement of a notification south has not received (relayed by south to
    // north first: north must wait for it).
    let message = notification("EE", "GB");
    let envelope = sign_message(&message, &party_key("EE"));
    let item = sign_relay_item(
        &relay_of(
            &message,
            &envelope,
            &north.origin,
            &south.origin,
            message.id,
        ),
        &north_key,
    );
    let south_key = SigningKey::from_bytes(&south.seed);
    let acknowledgement = HotlineMessage {
        id: Uuid::new_v4(),
        thread: message.thread,
        from: PartyId::parse("GB").unwrap(),
        to: vec![PartyId::parse("EE").unwrap()],
        sent_at: now(),
        incident: None,
        tlp: Tlp::Green,
        lang: "en".into(),
        exercise: false,
        body: MessageBody::Acknowledgement(AcknowledgementBody { of: message.id }),
    };
    let acknowledgement_envelope = sign_message(&acknowledgement, &party_key("GB"));
    let early = sign_relay_item(
        &relay_of(
            &acknowledgement,
            &acknowledgement_envelope,
            &south.origin,
            &north.origin,
            message.id,
        ),
        &south_key,
    );
    let (status, answer) = post_relay(&north.base, early.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert!(!stored(&north.node, acknowledgement.id).await);
    // The notification, relayed twice: accepted once.
    let (status, answer) = post_relay(&south.base, item.clone()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    let (status, answer) = post_relay(&south.base, item).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["outcome"], "duplicate");
    let events = south
        .node
        .list_events(&PartyId::parse("GB").unwrap(), 0, 100)
        .await
        .unwrap();
    let copies = events
        .iter()
        .filter(|event| event.message == Some(message.id))
        .count();
    assert_eq!(copies, 1, "one event for one relayed message");
}

/// Rule: a peer may not vouch for a party homed here (its statement is refused, the party's
/// keys stay as they are), and the public federation status and page carry no message content.
#[tokio::test]
async fn a_peer_cannot_take_over_a_local_party_and_the_status_shows_no_content() {
    let (north, south) = two_nodes().await;
    // North (hostile) signs a statement saying GB, with another key, is homed on north.
    let north_key = SigningKey::from_bytes(&north.seed);
    let fi = south
        .node
        .store()
        .get_party(&PartyId::parse("GB").unwrap())
        .await
        .unwrap()
        .unwrap();
    let mut stolen = fi.clone();
    stolen.keys = vec![redline_hotline::party_key_for(
        &SigningKey::from_bytes(&[5; 32]).verifying_key(),
        now(),
    )];
    let statement = redline_hotline::federation::PartyStatement {
        node: north.origin.clone(),
        party: stolen,
        issued_at: now(),
    };
    let signed = redline_hotline::federation::sign_party_statement(&statement, &north_key);
    let view = redline_node::federation::PartyStatementsView {
        node: north.origin.clone(),
        statements: vec![serde_json::from_slice(&signed).unwrap()],
    };
    let refused = south
        .node
        .import_statements_from(&north.origin, &view)
        .await;
    assert!(refused.is_err(), "south refused north's claim on GB");
    let after = south
        .node
        .store()
        .get_party(&PartyId::parse("GB").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.keys, fi.keys, "GB's keys are unchanged");
    // A relayed message's content is never on the public status.
    let message = notification("EE", "GB");
    let envelope = sign_message(&message, &party_key("EE"));
    let (status, _) = post_relay(
        &south.base,
        sign_relay_item(
            &relay_of(
                &message,
                &envelope,
                &north.origin,
                &south.origin,
                message.id,
            ),
            &north_key,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    for path in [
        "/api/v1/federation",
        "/dashboard/federation",
        "/federation/v1/parties",
        "/federation/v1/checkpoints",
    ] {
        let text = reqwest::get(format!("{}{path}", south.base))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !text.contains("RELAYSECRET7Q"),
            "{path} shows a relayed message's content"
        );
        assert!(!text.contains(&south.token), "{path} shows a token");
    }
}

/// A peer that gossips what it was shown: answers `/federation/v1/checkpoints` with `notes`,
/// and otherwise is a quiet node with no parties and an empty log of its own.
async fn gossiping_peer(
    origin: &'static str,
    seed: [u8; 32],
    notes: Arc<std::sync::Mutex<Vec<String>>>,
) -> (String, String) {
    use axum::routing::get;
    use redline_ledger::note::Ed25519NoteSigner;
    let signer = Ed25519NoteSigner::from_seed(origin, &seed).unwrap();
    let vkey = signer.verifier().to_vkey();
    let empty = redline_ledger::checkpoint::Checkpoint::new(
        origin,
        0,
        redline_ledger::tree::MerkleTree::new().root(),
    )
    .sign(&signer)
    .unwrap()
    .to_text();
    let app = axum::Router::new()
        .route(
            "/federation/v1/parties",
            get(move || async move {
                axum::Json(serde_json::json!({ "node": origin, "statements": [] }))
            }),
        )
        .route("/log/checkpoint", get(move || async move { empty }))
        .route(
            "/federation/v1/checkpoints",
            get(move || async move {
                let checkpoints = notes.lock().unwrap().clone();
                axum::Json(serde_json::json!({ "node": origin, "checkpoints": checkpoints }))
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, vkey)
}

/// Signs a checkpoint of `origin` at `size` with another root: what a log that shows two
/// histories signs.
fn other_view(origin: &str, seed: [u8; 32], size: u64) -> String {
    let signer = redline_ledger::note::Ed25519NoteSigner::from_seed(origin, &seed).unwrap();
    redline_ledger::checkpoint::Checkpoint::new(origin, size, redline_ledger::Hash([0xAB; 32]))
        .sign(&signer)
        .unwrap()
        .to_text()
}

/// Rule: a log may not show two histories. When a peer gossips a checkpoint of north's log (or
/// of south's own) at the size south saw, signed by that log, with another root, south raises a
/// split-view alarm kept with both notes, shown on the status and the dashboard; a gossiped note
/// not signed by the log raises nothing.
#[tokio::test]
async fn a_split_view_gossiped_by_a_peer_is_caught_and_a_forged_one_is_not_evidence() {
    let notes = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (west_base, west_vkey) =
        gossiping_peer("west.abuse.test/log", [43; 32], notes.clone()).await;
    let west = PeerSettings {
        url: west_base,
        log_key: west_vkey,
        taxii_token: None,
        collections: Vec::new(),
        public_incidents: false,
    };
    let (north, south) = two_nodes_with(vec![west]).await;
    // Once south has seen north's latest checkpoint.
    wait_until(|| async {
        let latest = north.node.log().unwrap().checkpoint().unwrap().tree_size;
        south
            .node
            .store()
            .peer_checkpoint(&north.origin)
            .await
            .unwrap()
            .is_some_and(|seen| seen.tree_size == latest)
    })
    .await;
    let seen_north = south
        .node
        .store()
        .peer_checkpoint(&north.origin)
        .await
        .unwrap()
        .unwrap();
    // First a note "of north" that north did not sign: no evidence.
    notes
        .lock()
        .unwrap()
        .push(other_view(&north.origin, [66; 32], seen_north.tree_size));
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(
        south
            .node
            .federation_status()
            .await
            .unwrap()
            .alarms
            .is_empty()
    );
    // Then north's and south's own keys, each at the size south last saw, another root (the
    // notes follow the sizes, which a busy machine may move between two passes).
    wait_until(|| async {
        let seen_north = south
            .node
            .store()
            .peer_checkpoint(&north.origin)
            .await
            .unwrap()
            .unwrap();
        let own_size = south.node.log().unwrap().checkpoint().unwrap().tree_size;
        *notes.lock().unwrap() = vec![
            other_view(&north.origin, [66; 32], seen_north.tree_size),
            other_view(&north.origin, north.seed, seen_north.tree_size),
            other_view(&south.origin, south.seed, own_size),
        ];
        let alarms = south.node.federation_status().await.unwrap().alarms;
        alarms
            .iter()
            .any(|alarm| alarm.origin == north.origin && alarm.kind == "split-view")
            && alarms
                .iter()
                .any(|alarm| alarm.origin == south.origin && alarm.kind == "split-view")
    })
    .await;
    let alarms = south.node.federation_status().await.unwrap().alarms;
    let about_north = alarms
        .iter()
        .find(|alarm| alarm.origin == north.origin)
        .unwrap();
    assert_eq!(about_north.reported_by, "west.abuse.test/log");
    assert!(about_north.first_note.starts_with(&north.origin));
    assert_ne!(about_north.first_note, about_north.second_note);
    let page = reqwest::get(format!("{}/dashboard/federation", south.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("split-view") && page.contains(&north.origin),
        "{page}"
    );
}
