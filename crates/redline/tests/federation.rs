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
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use ed25519_dalek::SigningKey;
use redline_hotline::message::{AcknowledgementBody, NotificationBody};
use redline_hotline::{HotlineMessage, MessageBody, sign_message};
use redline_model::{PartyId, Timestamp, Tlp};
use serde_json::Value;
use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};
use uuid::Uuid;

use support::free_port;

const NODES: [(&str, &str, &str); 3] = [
    ("north", "EE", "Estonia"),
    ("south", "FI", "Finland"),
    ("west", "LV", "Latvia"),
];
const THREADS: usize = 24;

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_redline"))
}

struct TestNode {
    name: &'static str,
    data: PathBuf,
    config: PathBuf,
    port: u16,
    child: Option<Child>,
    token: String,
    key: SigningKey,
    log_key: String,
    witness_key: String,
}

impl TestNode {
    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn command(&self, arguments: &[&str]) -> String {
        let output = Command::new(binary())
            .arg("--config")
            .arg(&self.config)
            .args(arguments)
            .env("REDLINE_LOG", "warn")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{} redline {arguments:?}: {}",
            self.name,
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    fn start(&mut self) {
        let child = Command::new(binary())
            .arg("--config")
            .arg(&self.config)
            .arg("serve")
            .env("REDLINE_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        self.child = Some(child);
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }
}

impl Drop for TestNode {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A TCP proxy for one direction of a link: `cut` drops every connection and refuses new
/// ones until it is healed.
struct Link {
    port: u16,
    cut: tokio::sync::watch::Sender<bool>,
}

async fn start_link(target: u16) -> Link {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (cut, cut_receiver) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        loop {
            let Ok((mut inbound, _)) = listener.accept().await else {
                return;
            };
            if *cut_receiver.borrow() {
                drop(inbound);
                continue;
            }
            let mut cut_receiver = cut_receiver.clone();
            tokio::spawn(async move {
                let Ok(mut outbound) = TcpStream::connect(("127.0.0.1", target)).await else {
                    return;
                };
                tokio::select! {
                    _ = copy_bidirectional(&mut inbound, &mut outbound) => {}
                    _ = cut_receiver.wait_for(|cut| *cut) => {}
                }
            });
        }
    });
    Link { port, cut }
}

fn write_config(node: &TestNode, peers: &[(String, String, String)]) {
    let mut text = format!(
        "data = {:?}\nlisten = \"127.0.0.1:{}\"\nlog_origin = \"{}.test/log\"\nrate_limit_per_second = 0\nfederation_sync_interval_seconds = 1\nfederation_relay_retry_ceiling_seconds = 1\nlog_witness_quorum = 1\n",
        node.data.display(),
        node.port,
        node.name
    );
    for (url, log_key, witness_key) in peers {
        text.push_str(&format!(
            "\n[[peers]]\nurl = \"{url}\"\nlog_key = \"{log_key}\"\nwitness_key = \"{witness_key}\"\n"
        ));
    }
    std::fs::write(&node.config, text).unwrap();
}

fn set_up_node(root: &Path, index: usize) -> TestNode {
    let (name, party, party_name) = NODES[index];
    let data = root.join(name);
    std::fs::create_dir_all(&data).unwrap();
    let mut node = TestNode {
        name,
        config: root.join(format!("{name}.toml")),
        data,
        port: free_port(),
        child: None,
        token: String::new(),
        key: SigningKey::from_bytes(&[index as u8 + 11; 32]),
        log_key: String::new(),
        witness_key: String::new(),
    };
    write_config(&node, &[]);
    node.command(&["init"]);
    let public_key = base64_of(node.key.verifying_key().as_bytes());
    let added = node.command(&[
        "party",
        "add",
        "--id",
        party,
        "--name",
        party_name,
        "--public-key",
        &public_key,
        "--token",
    ]);
    node.token = added
        .lines()
        .find_map(|line| line.strip_prefix("API token (shown once): "))
        .unwrap()
        .trim()
        .to_string();
    let keys = node.command(&["log", "key"]);
    let mut lines = keys.lines();
    node.log_key = lines.next().unwrap().trim().to_string();
    node.witness_key = lines.next().unwrap().trim().to_string();
    node
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn now() -> Timestamp {
    Timestamp::from_jiff(jiff::Timestamp::now())
}

fn party(id: &str) -> PartyId {
    PartyId::parse(id).unwrap()
}

async fn get_json(http: &reqwest::Client, url: &str, token: Option<&str>) -> Option<Value> {
    let mut request = http.get(url).timeout(Duration::from_secs(5));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.ok()?;
    if !response.status().is_success() {
        return None;
    }
    response.json().await.ok()
}

/// Sends a signed message to the sender's home node until it is accepted (the node may be
/// down meanwhile); a 409 "replayed" after a lost answer counts as accepted.
async fn send_until_accepted(http: &reqwest::Client, base: &str, token: &str, envelope: Vec<u8>) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(90) {
        let sent = http
            .post(format!("{base}/api/v1/messages"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(envelope.clone())
            .timeout(Duration::from_secs(10))
            .send()
            .await;
        match sent {
            Ok(response) if response.status().as_u16() == 201 => return,
            Ok(response) if response.status().as_u16() == 409 => {
                let body = response.text().await.unwrap_or_default();
                assert!(body.contains("replay"), "refused: {body}");
                return;
            }
            Ok(response) if response.status().is_client_error() => {
                panic!(
                    "{base} refused a message: {}",
                    response.text().await.unwrap_or_default()
                );
            }
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    panic!("{base} did not accept a message within 90 s");
}

/// Every event of the token's party (reading them also records delivery).
async fn events_of(http: &reqwest::Client, base: &str, token: &str) -> Vec<Value> {
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let Some(page) = get_json(
            http,
            &format!("{base}/api/v1/events?after={after}&limit=1000"),
            Some(token),
        )
        .await
        else {
            return all;
        };
        let batch = page["events"].as_array().cloned().unwrap_or_default();
        if batch.is_empty() {
            return all;
        }
        after = batch.last().unwrap()["sequence"].as_i64().unwrap();
        all.extend(batch);
    }
}

async fn wait_for<F, Fut>(what: &str, within: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while started.elapsed() < within {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{what}: not within {within:?}");
}

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
        wait_for("the peers' parties", Duration::from_secs(60), || {
            let http = http.clone();
            let base = base.clone();
            async move {
                let Some(status) =
                    get_json(&http, &format!("{base}/api/v1/federation"), None).await
                else {
                    return false;
                };
                status["peers"].as_array().is_some_and(|peers| {
                    peers.len() == 2 && peers.iter().all(|peer| peer["parties_homed"] == 1)
                })
            }
        })
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
        wait_for("every relay delivered", Duration::from_secs(90), || {
            let http = http.clone();
            let base = base.clone();
            async move {
                let Some(status) =
                    get_json(&http, &format!("{base}/api/v1/federation"), None).await
                else {
                    return false;
                };
                status["peers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|peer| peer["relay"]["pending"] == 0)
            }
        })
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
        wait_for(
            "north's public incident synced",
            Duration::from_secs(30),
            || {
                let http = http.clone();
                let base = base.clone();
                async move {
                    let Some(status) =
                        get_json(&http, &format!("{base}/api/v1/federation"), None).await
                    else {
                        return false;
                    };
                    status["peer_incidents"]
                        .as_array()
                        .is_some_and(|incidents| {
                            incidents
                                .iter()
                                .any(|incident| incident["origin_node"] == "north.test/log")
                        })
                }
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
    }

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
        wait_for(
            "an alarm about north's log",
            Duration::from_secs(30),
            || {
                let http = http.clone();
                let base = base.clone();
                async move {
                    let Some(status) =
                        get_json(&http, &format!("{base}/api/v1/federation"), None).await
                    else {
                        return false;
                    };
                    status["alarms"].as_array().is_some_and(|alarms| {
                        alarms
                            .iter()
                            .any(|alarm| alarm["origin"] == "north.test/log")
                    })
                }
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
        wait_for(
            "a fork alarm about north's log",
            Duration::from_secs(30),
            || {
                let http = http.clone();
                let base = base.clone();
                async move {
                    let Some(status) =
                        get_json(&http, &format!("{base}/api/v1/federation"), None).await
                    else {
                        return false;
                    };
                    status["alarms"].as_array().is_some_and(|alarms| {
                        alarms.iter().any(|alarm| {
                            alarm["origin"] == "north.test/log" && alarm["kind"] == "fork"
                        })
                    })
                }
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

fn copy_directory(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_directory(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
