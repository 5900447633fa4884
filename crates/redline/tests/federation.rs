#![allow(clippy::unwrap_used, clippy::needless_range_loop)]
//! Federation with the real binary: three `redline serve` nodes on loopback ("north", "south",
//! "west"), each with its own data directory and SQLite database and one party homed on it
//! (EE, FI, LV). Every link between two nodes goes through a TCP proxy the test can cut.
//!
//! The nodes learn each other's parties from signed statements; then EE (north) opens threads
//! to FI (south) and LV (west), and each recipient acknowledges on its own node. Meanwhile the
//! south node is SIGKILLed and restarted, and the north→west link is cut and healed. Afterwards:
//! every message reached each recipient's stream exactly once and in thread order, every
//! thread has the same state and deadlines on all three nodes, every relay queue is empty, the
//! public incident north published is listed by the other two with its origin node (TAXII sync
//! converged). Last, north's log is forked (its data replaced by an earlier copy, then written
//! again): south and west raise an alarm about north's log, and `redline log verify` with the
//! state it kept refuses the forked log.

mod support;

use std::{
    collections::{BTreeMap, HashMap},
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use ed25519_dalek::SigningKey;
use redline_hotline::message::{AcknowledgementBody, NotificationBody};
use redline_hotline::{HotlineMessage, MessageBody, sign_message};
use redline_model::Tlp;
use serde_json::Value;
use uuid::Uuid;

use support::federation::{
    Link, NODES, TestNode, binary, copy_directory, events_of, get_json, now, party,
    send_until_accepted, set_up_node, start_link, wait_for, wait_for_status, write_config,
};

const THREADS: usize = 24;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_nodes_relay_sync_and_watch_each_other() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let root = tempfile::tempdir().unwrap();
    let mut nodes: Vec<TestNode> = (0..3)
        .map(|index| set_up_node(root.path(), index))
        .collect();
    // North's data as it was before it ever served: restored at the end, it forks north's log.
    let north_before = root.path().join("north-before");
    copy_directory(&nodes[0].data, &north_before);
    // One proxy per direction of every link.
    let mut links: HashMap<(usize, usize), Link> = HashMap::new();
    for from in 0..3 {
        for to in 0..3 {
            if from != to {
                links.insert((from, to), start_link(nodes[to].port).await);
            }
        }
    }
    for from in 0..3 {
        let peers: Vec<(String, String, String)> = (0..3)
            .filter(|to| *to != from)
            .map(|to| {
                (
                    format!("http://127.0.0.1:{}", links[&(from, to)].port),
                    nodes[to].log_key.clone(),
                    nodes[to].witness_key.clone(),
                )
            })
            .collect();
        write_config(&nodes[from], &peers);
    }
    // North shares a collection with south's node (a party of north with a read grant); EE
    // writes to it. South syncs it with that token: TLP decides what north serves it.
    let collection = nodes[0]
        .command(&["taxii", "add-collection", "To peers"])
        .trim()
        .to_string();
    let south_node_token = nodes[0]
        .command(&[
            "party",
            "add",
            "--id",
            "south-node",
            "--kind",
            "organisation",
            "--name",
            "The south node",
            "--token",
        ])
        .lines()
        .find_map(|line| line.strip_prefix("API token (shown once): "))
        .unwrap()
        .trim()
        .to_string();
    nodes[0].command(&["taxii", "grant", &collection, "south-node", "--read"]);
    nodes[0].command(&["taxii", "grant", &collection, "EE", "--read", "--write"]);
    let south_config = std::fs::read_to_string(&nodes[1].config).unwrap();
    let north_url = format!("url = \"http://127.0.0.1:{}\"\n", links[&(1, 0)].port);
    std::fs::write(
        &nodes[1].config,
        south_config.replace(
            &north_url,
            &format!(
                "{north_url}taxii_token = \"{south_node_token}\"\ncollections = [\"{collection}\"]\n"
            ),
        ),
    )
    .unwrap();
    for node in &mut nodes {
        node.start();
    }
    let http = reqwest::Client::new();
    for node in &nodes {
        support::cluster::wait_until_healthy(&http, &node.base()).await;
    }
    // Each node learns the other two nodes' parties from their signed statements.
    for node in &nodes {
        let base = node.base();
        wait_for_status(
            &http,
            &base,
            "the peers' parties",
            Duration::from_secs(60),
            |status| {
                status["peers"].as_array().is_some_and(|peers| {
                    peers.len() == 2
                        && peers
                            .iter()
                            .all(|peer| peer["parties_homed"].as_u64() >= Some(1))
                })
            },
        )
        .await;
    }

    // Cross-witnessing: each node's checkpoints carry its peers' cosignatures (k of n, k = 1).
    for node in &nodes {
        let base = node.base();
        wait_for(
            "a checkpoint cosigned by a peer",
            Duration::from_secs(30),
            || {
                let http = http.clone();
                let base = base.clone();
                async move {
                    let Ok(response) = http.get(format!("{base}/log/checkpoint")).send().await
                    else {
                        return false;
                    };
                    let note = response.text().await.unwrap_or_default();
                    note.lines().filter(|line| line.starts_with("— ")).count() >= 2
                }
            },
        )
        .await;
    }

    // North publishes a TLP:CLEAR incident: the others' TAXII sync brings it.
    let incident = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/incidents/01-estonia-2007.json"),
    )
    .unwrap();
    let submitted = http
        .post(format!("{}/api/v1/incidents", nodes[0].base()))
        .bearer_auth(&nodes[0].token)
        .header("content-type", "application/json")
        .body(incident)
        .send()
        .await
        .unwrap();
    assert_eq!(
        submitted.status().as_u16(),
        201,
        "{}",
        submitted.text().await.unwrap()
    );
    // EE adds a TLP:GREEN and a TLP:RED indicator to the collection north shares.
    let indicator = |name: &str, marking: &str| {
        serde_json::json!({
            "type": "indicator", "spec_version": "2.1",
            "id": format!("indicator--{}", Uuid::new_v4()),
            "created": "2026-12-01T00:00:00.000Z", "modified": "2026-12-01T00:00:00.000Z",
            "name": name, "pattern": "[ipv4-addr:value = '198.51.100.7']", "pattern_type": "stix",
            "valid_from": "2026-12-01T00:00:00Z",
            "object_marking_refs": [marking]
        })
    };
    let green = indicator(
        "GREENSYNC indicator",
        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    );
    let red = indicator(
        "REDSYNC indicator",
        "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
    );
    let added = http
        .post(format!(
            "{}/taxii2/api/collections/{collection}/objects/",
            nodes[0].base()
        ))
        .bearer_auth(&nodes[0].token)
        .header("content-type", "application/taxii+json;version=2.1")
        .header("accept", "application/taxii+json;version=2.1")
        .body(serde_json::json!({ "objects": [green, red] }).to_string())
        .send()
        .await
        .unwrap();
    assert!(
        added.status().is_success(),
        "{}",
        added.text().await.unwrap()
    );

    // The threads: EE (north) notifies FI (south) and LV (west); each acknowledges at home.
    let bases: Vec<String> = nodes.iter().map(TestNode::base).collect();
    let tokens: Vec<String> = nodes.iter().map(|node| node.token.clone()).collect();
    let keys: Vec<SigningKey> = nodes.iter().map(|node| node.key.clone()).collect();
    let mut notifications: Vec<HotlineMessage> = Vec::new();
    let started = Instant::now();
    let opener = {
        let (http, base, token, key) = (
            http.clone(),
            bases[0].clone(),
            tokens[0].clone(),
            keys[0].clone(),
        );
        let messages: Vec<HotlineMessage> = (0..THREADS)
            .map(|index| HotlineMessage {
                id: Uuid::new_v4(),
                thread: Uuid::new_v4(),
                from: party("EE"),
                to: vec![party("FI"), party("LV")],
                sent_at: now(),
                incident: None,
                tlp: Tlp::Green,
                lang: "en".into(),
                exercise: false,
                body: MessageBody::Notification(NotificationBody {
                    summary: format!("federation thread {index}"),
                    severity_level: Some(2),
                    requested_actions: vec![],
                }),
            })
            .collect();
        notifications.extend(messages.iter().cloned());
        tokio::spawn(async move {
            for mut message in messages {
                message.sent_at = now();
                let envelope = sign_message(&message, &key);
                send_until_accepted(&http, &base, &token, envelope).await;
                tokio::time::sleep(Duration::from_millis(150)).await;
            }
        })
    };
    // The recipients acknowledge each notification once it reaches them (on their own node).
    let acknowledgers: Vec<_> = [1usize, 2]
        .into_iter()
        .map(|index| {
            let (http, base, token, key) = (
                http.clone(),
                bases[index].clone(),
                tokens[index].clone(),
                keys[index].clone(),
            );
            let from = party(NODES[index].1);
            let expected: Vec<Uuid> = notifications.iter().map(|message| message.id).collect();
            let threads: HashMap<Uuid, Uuid> = notifications
                .iter()
                .map(|message| (message.id, message.thread))
                .collect();
            tokio::spawn(async move {
                let mut acknowledged = std::collections::HashSet::new();
                let deadline = Instant::now() + Duration::from_secs(180);
                while acknowledged.len() < expected.len() && Instant::now() < deadline {
                    for event in events_of(&http, &base, &token).await {
                        if event["kind"] != "message" {
                            continue;
                        }
                        let Some(id) = event["message"]
                            .as_str()
                            .and_then(|id| Uuid::parse_str(id).ok())
                        else {
                            continue;
                        };
                        if !threads.contains_key(&id) || acknowledged.contains(&id) {
                            continue;
                        }
                        let ack = HotlineMessage {
                            id: Uuid::new_v4(),
                            thread: threads[&id],
                            from: from.clone(),
                            to: vec![party("EE")],
                            sent_at: now(),
                            incident: None,
                            tlp: Tlp::Green,
                            lang: "en".into(),
                            exercise: false,
                            body: MessageBody::Acknowledgement(AcknowledgementBody { of: id }),
                        };
                        send_until_accepted(&http, &base, &token, sign_message(&ack, &key)).await;
                        acknowledged.insert(id);
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                acknowledged.len()
            })
        })
        .collect();

    // Faults while the threads run: south is killed and restarted; north→west is cut, healed.
    tokio::time::sleep(Duration::from_millis(800)).await;
    nodes[1].kill();
    links[&(0, 2)].cut.send_replace(true);
    tokio::time::sleep(Duration::from_secs(2)).await;
    nodes[1].start();
    support::cluster::wait_until_healthy(&http, &bases[1]).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let healed_at = Instant::now();
    links[&(0, 2)].cut.send_replace(false);

    opener.await.unwrap();
    for acknowledger in acknowledgers {
        assert_eq!(
            acknowledger.await.unwrap(),
            THREADS,
            "every notification was acknowledged"
        );
    }
    // Every relay queue drains.
    for base in &bases {
        let base = base.clone();
        wait_for_status(
            &http,
            &base,
            "every relay delivered",
            Duration::from_secs(90),
            |status| {
                status["peers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|peer| peer["relay"]["pending"] == 0)
            },
        )
        .await;
    }
    eprintln!(
        "federation: {THREADS} threads over 3 nodes in {:?}; relays drained {:?} after the cut healed",
        started.elapsed(),
        healed_at.elapsed()
    );

    // Exactly once, in thread order, on each recipient's home node.
    for index in [1usize, 2] {
        let events = events_of(&http, &bases[index], &tokens[index]).await;
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for event in events.iter().filter(|event| event["kind"] == "message") {
            *seen
                .entry(event["message"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
        for notification in &notifications {
            assert_eq!(
                seen.get(&notification.id.to_string()),
                Some(&1),
                "{} received notification {} exactly once",
                NODES[index].1,
                notification.id
            );
        }
    }
    // North (EE's home) got both acknowledgements of every thread, each once, after its own
    // notification (thread order).
    let north_events = events_of(&http, &bases[0], &tokens[0]).await;
    for notification in &notifications {
        let acknowledgements: Vec<&Value> = north_events
            .iter()
            .filter(|event| {
                event["kind"] == "message" && event["thread"] == notification.thread.to_string()
            })
            .collect();
        assert_eq!(
            acknowledgements.len(),
            2,
            "two acknowledgements reached EE in thread {}",
            notification.thread
        );
    }
    // The same state and deadlines on every node.
    for notification in &notifications {
        let mut views = Vec::new();
        for index in 0..3 {
            let view = get_json(
                &http,
                &format!("{}/api/v1/threads/{}", bases[index], notification.thread),
                Some(&tokens[index]),
            )
            .await
            .unwrap_or_else(|| panic!("thread {} on {}", notification.thread, NODES[index].0));
            let thread = &view["thread"];
            views.push((
                thread["state"].clone(),
                thread["acknowledge_by"].clone(),
                thread["respond_by"].clone(),
                view["messages"].as_array().map(Vec::len),
            ));
        }
        assert_eq!(
            views[0], views[1],
            "north and south agree on thread {}",
            notification.thread
        );
        assert_eq!(
            views[0], views[2],
            "north and west agree on thread {}",
            notification.thread
        );
        assert_eq!(views[0].0, "acknowledged");
    }
    // TAXII sync converged: north's public incident is listed by south and west, from north.
    for base in &bases[1..] {
        let base = base.clone();
        wait_for_status(
            &http,
            &base,
            "north's public incident synced",
            Duration::from_secs(30),
            |status| {
                status["peer_incidents"]
                    .as_array()
                    .is_some_and(|incidents| {
                        incidents
                            .iter()
                            .any(|incident| incident["origin_node"] == "north.test/log")
                    })
            },
        )
        .await;
        let page = http
            .get(format!("{base}/dashboard/federation"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("north.test/log") && page.contains("Estonian government"),
            "{page}"
        );
        let incidents = http
            .get(format!("{base}/dashboard/incidents"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            incidents.contains("peer-incidents") && incidents.contains("north.test/log"),
            "the public incident list shows the peer's incident with its origin: {incidents}"
        );
    }

    // South synced north's shared collection with its grant: the TLP:GREEN indicator, not the
    // TLP:RED one (only its adder reads it). Read from south's shared collection by FI,
    // granted by south's operator (the node is stopped for the command, then restarted).
    wait_for_status(
        &http,
        &bases[1],
        "north's collection synced",
        Duration::from_secs(30),
        |status| {
            status["peers"].as_array().unwrap().iter().any(|peer| {
                peer["syncs"].as_array().unwrap().iter().any(|sync| {
                    sync["what"] == collection.as_str()
                        && sync["objects"] == 1
                        && sync["last_error"].is_null()
                })
            })
        },
    )
    .await;
    nodes[1].kill();
    nodes[1].command(&[
        "taxii",
        "grant",
        "a1c0ffee-5a4e-4d1e-8e3d-000000000001",
        "FI",
        "--read",
    ]);
    nodes[1].start();
    support::cluster::wait_until_healthy(&http, &bases[1]).await;
    let shared = http
        .get(format!(
            "{}/taxii2/api/collections/a1c0ffee-5a4e-4d1e-8e3d-000000000001/objects/",
            bases[1]
        ))
        .bearer_auth(&nodes[1].token)
        .header("accept", "application/taxii+json;version=2.1")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(shared.contains("GREENSYNC"), "{shared}");
    assert!(
        !shared.contains("REDSYNC"),
        "a TLP:RED object crossed: {shared}"
    );

    // North's log forks: an auditor kept its state; south and west saw its checkpoints.
    let state = root.path().join("auditor-state.json");
    let audited = Command::new(binary())
        .args(["log", "verify", &format!("{}/log", bases[0]), "--state"])
        .arg(&state)
        .output()
        .unwrap();
    assert!(
        audited.status.success(),
        "{}",
        String::from_utf8_lossy(&audited.stderr)
    );
    nodes[0].kill();
    std::fs::remove_dir_all(&nodes[0].data).unwrap();
    copy_directory(&north_before, &nodes[0].data);
    nodes[0].start();
    support::cluster::wait_until_healthy(&http, &bases[0]).await;
    for base in &bases[1..] {
        let base = base.clone();
        wait_for_status(
            &http,
            &base,
            "an alarm about north's log",
            Duration::from_secs(30),
            |status| {
                status["alarms"].as_array().is_some_and(|alarms| {
                    alarms
                        .iter()
                        .any(|alarm| alarm["origin"] == "north.test/log")
                })
            },
        )
        .await;
        let page = http
            .get(format!("{base}/dashboard/federation"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Alarms about peers"), "{page}");
    }
    let audited = Command::new(binary())
        .args(["log", "verify", &format!("{}/log", bases[0]), "--state"])
        .arg(&state)
        .output()
        .unwrap();
    assert!(
        !audited.status.success(),
        "the auditor refuses north's forked log"
    );
    assert!(
        String::from_utf8_lossy(&audited.stderr).contains("rolled back"),
        "{}",
        String::from_utf8_lossy(&audited.stderr)
    );
    // North writes another history past the size the others saw: a fork, which the peers'
    // consistency check and an auditor holding no state but asking a peer both see.
    let seen_before: u64 = get_json(&http, &format!("{}/api/v1/federation", bases[1]), None)
        .await
        .unwrap()["peers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|peer| peer["node"] == "north.test/log")
        .unwrap()["checkpoint"]["tree_size"]
        .as_u64()
        .unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/incidents");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&demo)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    let mut size = 0;
    for file in files.iter().cycle() {
        if size > seen_before {
            break;
        }
        let submitted = http
            .post(format!("{}/api/v1/incidents", bases[0]))
            .bearer_auth(&nodes[0].token)
            .header("content-type", "application/json")
            .body({
                let mut report: Value =
                    serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
                report["reported_by"] = Value::String("EE".into());
                serde_json::to_vec(&report).unwrap()
            })
            .send()
            .await
            .unwrap();
        assert_eq!(
            submitted.status().as_u16(),
            201,
            "{}",
            submitted.text().await.unwrap()
        );
        size = get_json(&http, &format!("{}/api/v1/log", bases[0]), None)
            .await
            .unwrap()["tree_size"]
            .as_u64()
            .unwrap_or(0);
    }
    for base in &bases[1..] {
        let base = base.clone();
        wait_for_status(
            &http,
            &base,
            "a fork alarm about north's log",
            Duration::from_secs(30),
            |status| {
                status["alarms"].as_array().is_some_and(|alarms| {
                    alarms
                        .iter()
                        .any(|alarm| alarm["origin"] == "north.test/log" && alarm["kind"] == "fork")
                })
            },
        )
        .await;
    }
    let audited = Command::new(binary())
        .args([
            "log",
            "verify",
            &format!("{}/log", bases[0]),
            "--peer",
            &bases[1],
        ])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&audited.stderr);
    assert!(
        !audited.status.success() && said.contains("split view"),
        "{said}"
    );
    // No healthy log was ever reported: every alarm is about north.
    for base in &bases {
        let status = get_json(&http, &format!("{base}/api/v1/federation"), None)
            .await
            .unwrap();
        for alarm in status["alarms"].as_array().unwrap() {
            assert_eq!(alarm["origin"], "north.test/log", "a false alarm: {alarm}");
        }
    }
}
