#![allow(clippy::unwrap_used)]
//! Several processes over one PostgreSQL database, with the real binary: three `redline serve`
//! processes on loopback share the database and the log's tile directory. Clients spread over
//! them submit incidents and signed hotline messages and hold event streams; the leader is
//! SIGKILLed under load, and once another leads and the first is back, the new leader too.
//!
//! Afterwards: a new leader within 5 s each time; every answered write present exactly once;
//! every stream client, reconnecting with `Last-Event-ID` to the next process, received every
//! event exactly once and in order; every acknowledgement deadline (4 s, from a norms document
//! adopted for the test) fired exactly once; `redline log verify`, run against a random process
//! every few hundred milliseconds throughout, clean and consistent with every checkpoint it saw.
//!
//! Needs PostgreSQL (`TEST_POSTGRES_URL`; with `REQUIRE_POSTGRES=1` its absence fails the test).

mod support;

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
    process::Command,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use redline_hotline::sign_message;
use serde_json::{Value, json};
use uuid::Uuid;

use support::cluster::{
    Cluster, SeenEvent, all_events, credentials, notification, read_events, redline,
    wait_for_leader, wait_until_healthy,
};
use support::free_port;

const PROCESSES: usize = 3;
const SENDERS: usize = 3;
const SUBMITTERS: usize = 2;
const STREAM_CLIENTS: usize = 3;
/// Every acknowledgement deadline of the test's norms document.
const ACKNOWLEDGE_WITHIN_SECONDS: u64 = 4;

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_redline"))
}

/// The shipped baseline with every acknowledgement due within a few seconds, under a version
/// of its own, adopted by every party: the deadlines fire during the test.
fn adopt_fast_deadlines(data: &Path, database: &str, parties: &[String]) {
    let baseline = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../norms/baseline.toml"),
    )
    .unwrap();
    let mut fast = String::new();
    let mut in_acknowledge_duty = false;
    for line in baseline.lines() {
        if line.starts_with("[[") || line.starts_with('[') {
            in_acknowledge_duty = false;
        }
        if line == "kind = \"acknowledge\"" {
            in_acknowledge_duty = true;
        }
        if in_acknowledge_duty && line.starts_with("within = ") {
            fast.push_str(&format!("within = \"PT{ACKNOWLEDGE_WITHIN_SECONDS}S\"\n"));
        } else if line.starts_with("version = \"") && !fast.contains("\nversion = ") {
            fast.push_str("version = \"99.0.0\"\n");
        } else {
            fast.push_str(line);
            fast.push('\n');
        }
    }
    let file = data.join("fast-deadlines.toml");
    std::fs::write(&file, fast).unwrap();
    let added = redline(
        &binary(),
        &["norms", "add", file.to_str().unwrap()],
        data,
        database,
    );
    let sha256 = added.split("sha256 ").nth(1).unwrap().trim().to_owned();
    let mut arguments = vec!["norms".to_owned(), "adopt".to_owned(), sha256];
    for party in parties {
        arguments.push("--party".into());
        arguments.push(party.clone());
    }
    let arguments: Vec<&str> = arguments.iter().map(String::as_str).collect();
    redline(&binary(), &arguments, data, database);
}

/// A documented incident (the demo's first) reported again under `marker` as its title.
fn incident_report(marker: &str) -> Value {
    let mut report: Value = serde_json::from_slice(
        &std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/incidents/01-estonia-2007.json"),
        )
        .unwrap(),
    )
    .unwrap();
    report["title"] = json!(marker);
    report["reported_by"] = json!("EE");
    report
}

/// A stream client of `party`: reads from one process; when the connection breaks, resumes
/// from the last event seen on the next process with `Last-Event-ID`, until `stop`.
async fn hold_stream(
    http: reqwest::Client,
    bases: Vec<String>,
    first: usize,
    token: String,
    seen: Arc<Mutex<Vec<SeenEvent>>>,
    stop: Arc<AtomicBool>,
    reconnections: Arc<AtomicUsize>,
) {
    let mut target = first;
    while !stop.load(Ordering::SeqCst) {
        let last = seen.lock().unwrap().last().map(|event| event.id);
        let mut request = http
            .get(format!("{}/api/v1/stream", bases[target % bases.len()]))
            .bearer_auth(&token)
            .header("accept", "text/event-stream");
        if let Some(last) = last {
            request = request.header("last-event-id", last.to_string());
        }
        if let Ok(response) = request.send().await
            && response.status().is_success()
        {
            let reading = read_events(response, &seen);
            tokio::select! {
                () = reading => {}
                () = async {
                    while !stop.load(Ordering::SeqCst) {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                } => return,
            }
        }
        reconnections.fetch_add(1, Ordering::SeqCst);
        target += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Runs `redline log verify` against `base` with the state file that remembers every
/// checkpoint seen so far; panics with its output when it does not hold.
fn verify_log(base: &str, state: &Path, data: &Path, database: &str) {
    let output = Command::new(env!("CARGO_BIN_EXE_redline"))
        .args(["log", "verify", &format!("{base}/log"), "--state"])
        .arg(state)
        .arg("--data")
        .arg(data)
        .args(["--database", database])
        .env("REDLINE_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "log verify against {base}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn three_processes_over_postgresql_survive_leader_kills_without_losing_or_doubling_anything() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(database) = runtime
        .block_on(redline_store::testing::fresh_postgres_database("failover"))
        .unwrap()
    else {
        eprintln!("skipped: no PostgreSQL (set TEST_POSTGRES_URL)");
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    redline(&binary(), &["demo", "--no-serve"], &data, &database);
    let parties = Arc::new(credentials(&data));
    adopt_fast_deadlines(
        &data,
        &database,
        &parties.keys().cloned().collect::<Vec<_>>(),
    );

    let mut cluster = Cluster {
        data: data.clone(),
        database: database.clone(),
        ports: (0..PROCESSES).map(|_| free_port()).collect(),
        children: (0..PROCESSES).map(|_| None).collect(),
        binary: binary(),
    };
    for index in 0..PROCESSES {
        cluster.start(index);
    }
    let bases: Vec<String> = (0..PROCESSES).map(|index| cluster.base(index)).collect();
    let http = reqwest::Client::new();
    let verify_state = root.path().join("verifier-state.json");

    runtime.block_on(async {
        for base in &bases {
            wait_until_healthy(&http, base).await;
        }
        let all: Vec<usize> = (0..PROCESSES).collect();
        let (first_leader, _) = wait_for_leader(&http, &bases, &all, Duration::from_secs(10))
            .await
            .expect("no process leads");
        // Exactly one process says so in /metrics too.
        let mut leaders = 0;
        for base in &bases {
            let text = http
                .get(format!("{base}/metrics"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let gauge = text
                .lines()
                .find(|line| line.starts_with("redline_cluster_leader "))
                .unwrap_or_else(|| panic!("no leader gauge in {text}"));
            match gauge {
                "redline_cluster_leader 1" => leaders += 1,
                "redline_cluster_leader 0" => {}
                other => panic!("{other}"),
            }
        }
        assert_eq!(leaders, 1);

        let stop = Arc::new(AtomicBool::new(false));
        let stop_streams = Arc::new(AtomicBool::new(false));
        let reconnections = Arc::new(AtomicUsize::new(0));
        // Stream clients of the recipient, one starting on each process.
        let streams: Vec<Arc<Mutex<Vec<SeenEvent>>>> =
            (0..STREAM_CLIENTS).map(|_| Arc::default()).collect();
        let stream_tasks: Vec<_> = streams
            .iter()
            .enumerate()
            .map(|(index, seen)| {
                tokio::spawn(hold_stream(
                    http.clone(),
                    bases.clone(),
                    index,
                    parties["UA"].token.clone(),
                    seen.clone(),
                    stop_streams.clone(),
                    reconnections.clone(),
                ))
            })
            .collect();

        // Senders: signed notifications, each tried on the next process until one answers
        // (a message id is accepted once, so a retry cannot double it).
        let answered_messages = Arc::new(Mutex::new(Vec::<Uuid>::new()));
        let sender_tasks: Vec<_> = (0..SENDERS)
            .map(|sender| {
                let (http, bases, parties, answered, stop) = (
                    http.clone(),
                    bases.clone(),
                    parties.clone(),
                    answered_messages.clone(),
                    stop.clone(),
                );
                tokio::spawn(async move {
                    let mut target = sender;
                    let mut index = 0;
                    while !stop.load(Ordering::SeqCst) {
                        index += 1;
                        let message = notification(format!("failover {sender}/{index}"));
                        let envelope = sign_message(&message, &parties["EE"].key);
                        for _attempt in 0..20 {
                            target += 1;
                            let sent = http
                                .post(format!("{}/api/v1/messages", bases[target % bases.len()]))
                                .bearer_auth(&parties["EE"].token)
                                .header("content-type", "application/json")
                                .body(envelope.clone())
                                .timeout(Duration::from_secs(10))
                                .send()
                                .await;
                            match sent.map(|response| response.status().as_u16()) {
                                Ok(201) => {
                                    answered.lock().unwrap().push(message.id);
                                    break;
                                }
                                // Accepted by a process that died before answering.
                                Ok(409) => break,
                                Ok(status) if status < 500 => {
                                    panic!("message refused with {status}")
                                }
                                _ => tokio::time::sleep(Duration::from_millis(50)).await,
                            }
                        }
                    }
                })
            })
            .collect();

        // Submitters: incident reports, each with a marker of its own; an unanswered one is
        // not retried (the node names incidents, so a retry would be a second report).
        let answered_incidents = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
        let attempted_markers = Arc::new(Mutex::new(Vec::<String>::new()));
        let submitter_tasks: Vec<_> = (0..SUBMITTERS)
            .map(|submitter| {
                let (http, bases, parties, answered, attempted, stop) = (
                    http.clone(),
                    bases.clone(),
                    parties.clone(),
                    answered_incidents.clone(),
                    attempted_markers.clone(),
                    stop.clone(),
                );
                tokio::spawn(async move {
                    let mut index = 0;
                    while !stop.load(Ordering::SeqCst) {
                        index += 1;
                        let marker = format!("failover report {submitter}/{index}");
                        attempted.lock().unwrap().push(marker.clone());
                        let sent = http
                            .post(format!(
                                "{}/api/v1/incidents",
                                bases[(submitter + index) % bases.len()]
                            ))
                            .bearer_auth(&parties["EE"].token)
                            .json(&incident_report(&marker))
                            .timeout(Duration::from_secs(10))
                            .send()
                            .await;
                        if let Ok(response) = sent {
                            let status = response.status().as_u16();
                            if status == 201 {
                                let body: Value = response.json().await.unwrap();
                                let id = body["id"].as_str().unwrap().to_owned();
                                answered.lock().unwrap().push((marker, id));
                            } else if status < 500 {
                                panic!(
                                    "report refused with {status}: {}",
                                    response.text().await.unwrap_or_default()
                                );
                            }
                        } else {
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    }
                })
            })
            .collect();

        // A reader of checkpoints going from process to process, one request after another:
        // the size it is shown never goes back (a follower moves to the pointer first).
        let checkpoint_reader = {
            let (http, bases, stop) = (http.clone(), bases.clone(), stop_streams.clone());
            tokio::spawn(async move {
                let mut largest = 0_u64;
                let mut reads = 0_usize;
                let mut round = 0_usize;
                while !stop.load(Ordering::SeqCst) {
                    round += 1;
                    let base = &bases[round % bases.len()];
                    let fetched = http
                        .get(format!("{base}/log/checkpoint"))
                        .timeout(Duration::from_secs(2))
                        .send()
                        .await;
                    if let Ok(response) = fetched
                        && response.status().is_success()
                        && let Ok(text) = response.text().await
                    {
                        let size: u64 = text.lines().nth(1).unwrap().parse().unwrap();
                        assert!(
                            size >= largest,
                            "{base} served size {size} after size {largest} was seen"
                        );
                        largest = size;
                        reads += 1;
                    }
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                reads
            })
        };

        // The auditor: `redline log verify` against a random process, again and again.
        let auditor = {
            let (bases, stop, state, data, database) = (
                bases.clone(),
                stop_streams.clone(),
                verify_state.clone(),
                data.clone(),
                database.clone(),
            );
            tokio::task::spawn_blocking(move || {
                let mut runs = 0;
                let mut round = 0;
                while !stop.load(Ordering::SeqCst) {
                    round += 1;
                    let base = &bases[round % bases.len()];
                    // A killed process does not answer; its turn passes.
                    if std::net::TcpStream::connect(base.trim_start_matches("http://")).is_ok() {
                        let output = Command::new(env!("CARGO_BIN_EXE_redline"))
                            .args(["log", "verify", &format!("{base}/log"), "--state"])
                            .arg(&state)
                            .arg("--data")
                            .arg(&data)
                            .args(["--database", &database])
                            .env("REDLINE_LOG", "warn")
                            .output()
                            .unwrap();
                        let said = format!(
                            "{}{}",
                            String::from_utf8_lossy(&output.stdout),
                            String::from_utf8_lossy(&output.stderr)
                        );
                        // A process killed mid-run is a failed fetch, not a failed log.
                        let fetch_failed = said.contains("error sending request")
                            || said.contains("connection")
                            || said.contains("Connection");
                        assert!(
                            output.status.success() || fetch_failed,
                            "log verify against {base} during the test: {said}"
                        );
                        if output.status.success() {
                            runs += 1;
                        }
                    }
                    std::thread::sleep(Duration::from_millis(300));
                }
                runs
            })
        };

        // Load, then kill the leader; once another leads, start the killed one again, then
        // kill the new leader.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let mut leader = first_leader;
        let mut failovers = Vec::new();
        for _kill in 0..2 {
            cluster.kill(leader);
            let alive: Vec<usize> = (0..PROCESSES).filter(|index| *index != leader).collect();
            let (next, took) = wait_for_leader(&http, &bases, &alive, Duration::from_secs(15))
                .await
                .expect("no process took over within 15 s");
            failovers.push(took);
            cluster.start(leader);
            wait_until_healthy(&http, &bases[leader]).await;
            tokio::time::sleep(Duration::from_secs(2)).await;
            leader = next;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        stop.store(true, Ordering::SeqCst);
        for task in sender_tasks.into_iter().chain(submitter_tasks) {
            task.await.unwrap();
        }

        // Every deadline falls due; give the leader's scheduler a moment after the last.
        tokio::time::sleep(Duration::from_secs(ACKNOWLEDGE_WITHIN_SECONDS + 3)).await;
        let base = &bases[leader];
        let recipient_events = all_events(&http, base, &parties["UA"].token, 0).await;
        let sender_events = all_events(&http, base, &parties["EE"].token, 0).await;
        // The streams catch up with the stored events, then stop.
        let last_stored = recipient_events.last().unwrap()["sequence"]
            .as_i64()
            .unwrap();
        let started = Instant::now();
        for seen in &streams {
            while seen.lock().unwrap().last().map(|event| event.id) < Some(last_stored) {
                assert!(
                    started.elapsed() < Duration::from_secs(30),
                    "a stream client did not catch up with event {last_stored}"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        // Give a duplicate the chance to show up.
        tokio::time::sleep(Duration::from_millis(500)).await;
        stop_streams.store(true, Ordering::SeqCst);
        for task in stream_tasks {
            task.await.unwrap();
        }
        let audits = auditor.await.unwrap();
        let checkpoint_reads = checkpoint_reader.await.unwrap();
        assert!(
            checkpoint_reads > 100,
            "{checkpoint_reads} checkpoint reads"
        );

        // A new leader within 5 s each time.
        for took in &failovers {
            assert!(*took < Duration::from_secs(5), "a failover took {took:?}");
        }

        // Every answered message is stored exactly once: readable, and exactly one `message`
        // event each for its recipient.
        let answered_messages = answered_messages.lock().unwrap().clone();
        assert!(
            answered_messages.len() > 30,
            "too little load: {answered_messages:?}"
        );
        let mut message_events: BTreeMap<String, usize> = BTreeMap::new();
        let mut reminders: BTreeMap<String, usize> = BTreeMap::new();
        for event in &recipient_events {
            let thread = event["thread"].as_str().unwrap_or_default().to_owned();
            match event["kind"].as_str().unwrap() {
                "message" => {
                    *message_events
                        .entry(event["message"].as_str().unwrap().to_owned())
                        .or_default() += 1
                }
                "reminder" => *reminders.entry(thread).or_default() += 1,
                _ => {}
            }
        }
        let mut alerts: BTreeMap<String, usize> = BTreeMap::new();
        for event in &sender_events {
            if event["kind"] == "overdue-alert" {
                *alerts
                    .entry(event["thread"].as_str().unwrap().to_owned())
                    .or_default() += 1;
            }
        }
        for id in &answered_messages {
            assert_eq!(
                message_events.get(&id.to_string()),
                Some(&1),
                "message {id}: events for the recipient"
            );
        }
        assert!(message_events.values().all(|count| *count == 1));

        // Every deadline fired exactly once: one reminder to the recipient and one alert to
        // the sender per thread opened by a stored message.
        for event in recipient_events
            .iter()
            .filter(|event| event["kind"] == "message")
        {
            let thread = event["thread"].as_str().unwrap();
            assert_eq!(
                reminders.get(thread),
                Some(&1),
                "reminders of thread {thread}"
            );
            assert_eq!(
                alerts.get(thread),
                Some(&1),
                "overdue alerts of thread {thread}"
            );
        }
        assert!(reminders.values().all(|count| *count == 1));

        // Every answered report is stored exactly once; an unanswered one at most once.
        let answered_incidents = answered_incidents.lock().unwrap().clone();
        assert!(answered_incidents.len() > 10, "too little load");
        let mut stored_titles: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut url = format!("{base}/api/v1/incidents?limit=500");
            if let Some(cursor) = &cursor {
                url.push_str(&format!("&cursor={cursor}"));
            }
            let page: Value = http
                .get(url)
                .bearer_auth(&parties["EE"].token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            for incident in page["incidents"].as_array().unwrap() {
                stored_titles
                    .entry(incident["report"]["title"].as_str().unwrap().to_owned())
                    .or_default()
                    .push(incident["id"].as_str().unwrap().to_owned());
            }
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        for (marker, id) in &answered_incidents {
            assert_eq!(
                stored_titles.get(marker),
                Some(&vec![id.clone()]),
                "{marker}"
            );
        }
        for marker in attempted_markers.lock().unwrap().iter() {
            assert!(stored_titles.get(marker).is_none_or(|ids| ids.len() == 1));
        }

        // Every stream client received every event exactly once, in order.
        let stored_ids: Vec<i64> = recipient_events
            .iter()
            .map(|event| event["sequence"].as_i64().unwrap())
            .collect();
        for (client, seen) in streams.iter().enumerate() {
            let seen: Vec<i64> = seen.lock().unwrap().iter().map(|event| event.id).collect();
            let unique: BTreeSet<i64> = seen.iter().copied().collect();
            assert_eq!(
                unique.len(),
                seen.len(),
                "stream client {client} saw an event twice"
            );
            assert_eq!(seen, stored_ids, "stream client {client} missed events");
        }

        // The log: clean, and consistent with every checkpoint the auditor saw.
        verify_log(base, &verify_state, &data, &database);
        let checkpoints_seen: Value =
            serde_json::from_slice(&std::fs::read(&verify_state).unwrap()).unwrap();
        println!(
            "failovers {failovers:?}; {} messages and {} reports answered; {} stream \
             reconnections; {audits} audits, {} checkpoints seen, {checkpoint_reads} checkpoint \
             reads never going back",
            answered_messages.len(),
            answered_incidents.len(),
            reconnections.load(Ordering::SeqCst),
            checkpoints_seen["checkpoints"]
                .as_array()
                .map_or(0, Vec::len),
        );
        assert!(audits >= 5, "the auditor ran {audits} times");
    });
}
