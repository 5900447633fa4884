//! Federation's background work, run by the node that leads (the only process on SQLite, the
//! leader on PostgreSQL): one relay sender per peer — the peer's outbox rows in id order, the
//! head retried with backoff until the peer accepts it, so a link that is cut delays but never
//! reorders or drops — and one sync pass per peer every `sync_interval`: the peer's party
//! statements, its TAXII collections (resumable from the last `X-TAXII-Date-Added-Last`), its
//! public incidents, its log checkpoint (checked for rollback and fork against the last one
//! seen, with a consistency proof) and the checkpoints it has seen (split views). Every pass
//! records its outcome (last success, last error with its detail), which the status page shows:
//! no silent misses.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use redline_ledger::monitor::{CheckpointMonitor, SeenCheckpoint};
use redline_ledger::split_view::{compare_seen_checkpoints, open_gossiped_checkpoint};
use redline_model::Timestamp;
use redline_store::{
    FederationAlarm, FederationWrite, PeerCheckpoint, PeerIncident, PeerSyncState, RelayOutboxItem,
    StoreWrite,
};
use serde_json::Value;

use super::{
    LOG_CHECKPOINT_SYNC, PARTY_STATEMENTS_SYNC, PartyStatementsView, Peer, SeenCheckpointsView,
};
use crate::{Caller, Node, NodeError};

const TAXII_MEDIA_TYPE: &str = "application/taxii+json;version=2.1";
/// The sync row of a peer's public incidents.
const PUBLIC_INCIDENTS_SYNC: &str = "public-incidents";
/// How many objects one TAXII page asks for.
const SYNC_PAGE: u32 = 500;
/// The first wait before relaying again to a peer that did not answer.
const RELAY_RETRY_BASE: Duration = Duration::from_millis(250);

impl Node {
    /// Runs the relay senders and the sync passes until `stop` resolves.
    pub async fn run_federation(self: Arc<Self>, stop: impl Future<Output = ()> + Send + 'static) {
        if self.peers().is_empty() {
            stop.await;
            return;
        }
        let (stopped_sender, stopped) = tokio::sync::watch::channel(false);
        let client = match reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(2))
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
        {
            Ok(client) => client,
            Err(error) => {
                tracing::error!(%error, "federation: no HTTP client");
                stop.await;
                return;
            }
        };
        let mut tasks = Vec::new();
        for peer in self.peers().to_vec() {
            tasks.push(tokio::spawn(Arc::clone(&self).relay_to(
                peer.clone(),
                client.clone(),
                stopped.clone(),
            )));
            tasks.push(tokio::spawn(Arc::clone(&self).sync_with(
                peer,
                client.clone(),
                stopped.clone(),
            )));
        }
        stop.await;
        stopped_sender.send_replace(true);
        for task in tasks {
            let _ = task.await;
        }
    }

    // --- relay --------------------------------------------------------------------------------

    async fn relay_to(
        self: Arc<Self>,
        peer: Peer,
        client: reqwest::Client,
        mut stopped: tokio::sync::watch::Receiver<bool>,
    ) {
        let ceiling = self.federation_settings().relay_retry_ceiling;
        let url = format!("{}/federation/v1/relay", peer.url);
        loop {
            if *stopped.borrow() {
                return;
            }
            let wait = match self.relay_pass(&peer, &client, &url, ceiling).await {
                Ok(wait) => wait,
                Err(error) => {
                    tracing::warn!(peer = %peer.node, %error, "federation: relay pass failed");
                    Duration::from_secs(1)
                }
            };
            tokio::select! {
                () = self.federation.relay_wakeup.notified() => {}
                () = tokio::time::sleep(wait) => {}
                _ = stopped.changed() => {}
            }
        }
    }

    /// Sends the peer's pending items, thread by thread in order: the first pending item of
    /// each thread, many threads at once (the receiving node commits them together); a thread's
    /// next item only once the one before it is accepted. Answers how long to wait before the
    /// next pass.
    async fn relay_pass(
        &self,
        peer: &Peer,
        client: &reqwest::Client,
        url: &str,
        ceiling: Duration,
    ) -> Result<Duration, NodeError> {
        loop {
            let items = self.store.pending_relay_items(&peer.node, 1024).await?;
            if items.is_empty() {
                return Ok(Duration::from_secs(1));
            }
            let (heads, soonest) = thread_heads(items, self.now());
            if heads.is_empty() {
                return Ok(soonest.unwrap_or(RELAY_RETRY_BASE));
            }
            let outcomes: Vec<RelayOutcome> = futures::stream::iter(heads)
                .map(|item| send_relay_item(client, url, item, ceiling))
                .buffer_unordered(RELAY_CONCURRENCY)
                .collect()
                .await;
            let at = self.now();
            let writes = outcomes
                .iter()
                .map(|outcome| {
                    let next_attempt_at = Timestamp::from_microseconds(
                        at.as_microseconds()
                            + i64::try_from(outcome.retry_in.as_micros()).unwrap_or(i64::MAX / 2),
                    )
                    .unwrap_or(at);
                    StoreWrite::Federation(Box::new(FederationWrite::RecordRelayAttempt {
                        id: outcome.item.id,
                        at,
                        delivered: outcome.delivered,
                        error: outcome.error.clone(),
                        next_attempt_at,
                    }))
                })
                .collect();
            self.store.commit(writes, Vec::new()).await?;
            for outcome in outcomes.iter().filter(|outcome| !outcome.delivered) {
                tracing::debug!(peer = %peer.node, subject = %outcome.item.subject, error = ?outcome.error, "federation: relay not accepted yet");
            }
            if outcomes.iter().all(|outcome| !outcome.delivered) {
                let wait = outcomes.iter().map(|outcome| outcome.retry_in).min();
                return Ok(wait.unwrap_or(RELAY_RETRY_BASE));
            }
        }
    }

    // --- sync -------------------------------------------------------------------------------------

    async fn sync_with(
        self: Arc<Self>,
        peer: Peer,
        client: reqwest::Client,
        mut stopped: tokio::sync::watch::Receiver<bool>,
    ) {
        let interval = self.federation_settings().sync_interval;
        loop {
            if *stopped.borrow() {
                return;
            }
            self.sync_pass(&peer, &client).await;
            tokio::select! {
                () = tokio::time::sleep(interval) => {}
                _ = stopped.changed() => {}
            }
        }
    }

    /// One pass over everything synced from `peer`; each part records its own outcome.
    pub(crate) async fn sync_pass(&self, peer: &Peer, client: &reqwest::Client) {
        let statements = self.sync_party_statements(peer, client).await;
        self.record_sync(peer, PARTY_STATEMENTS_SYNC, None, statements)
            .await;
        let checkpoint = self.sync_log_checkpoint(peer, client).await;
        self.record_sync(peer, LOG_CHECKPOINT_SYNC, None, checkpoint)
            .await;
        if peer.settings.public_incidents {
            self.sync_collection(
                peer,
                client,
                crate::sharing::PUBLIC_COLLECTION_ID,
                PUBLIC_INCIDENTS_SYNC,
                false,
            )
            .await;
        }
        for collection in peer.settings.collections.clone() {
            self.sync_collection(peer, client, &collection, &collection, true)
                .await;
        }
    }

    /// Records how one part of a pass went (the count of what it brought, or its error).
    async fn record_sync(
        &self,
        peer: &Peer,
        what: &str,
        added_after: Option<String>,
        outcome: Result<u64, String>,
    ) {
        let now = self.now();
        let previous = self.store.peer_sync_states().await.ok().and_then(|states| {
            states
                .into_iter()
                .find(|state| state.peer == peer.node && state.collection == what)
        });
        let mut state = previous.unwrap_or(PeerSyncState {
            peer: peer.node.clone(),
            collection: what.to_string(),
            added_after: None,
            objects: 0,
            last_attempt_at: None,
            last_success_at: None,
            last_error: None,
        });
        state.last_attempt_at = Some(now);
        if added_after.is_some() {
            state.added_after = added_after;
        }
        match outcome {
            Ok(count) => {
                state.objects = state.objects.saturating_add(count);
                state.last_success_at = Some(now);
                state.last_error = None;
            }
            Err(error) => {
                tracing::warn!(peer = %peer.node, what, %error, "federation: sync failed");
                state.last_error = Some(error);
            }
        }
        let write = StoreWrite::Federation(Box::new(FederationWrite::PutPeerSyncState(state)));
        if let Err(error) = self.store.commit(vec![write], Vec::new()).await {
            tracing::error!(%error, "federation: cannot record the sync state");
        }
    }

    async fn sync_party_statements(
        &self,
        peer: &Peer,
        client: &reqwest::Client,
    ) -> Result<u64, String> {
        let url = format!("{}/federation/v1/parties", peer.url);
        let view: PartyStatementsView = get_json(client, &url).await?;
        let changed = self
            .import_party_statements(peer, &view)
            .await
            .map_err(|error| format!("{url}: {error}"))?;
        Ok(changed as u64)
    }

    /// The peer's checkpoint, checked against the last one seen: never smaller, never another
    /// root at the same size, consistent by a proof the peer serves; then what the peer has
    /// seen, compared with what this node saw (split views). An alarm is kept with both notes.
    async fn sync_log_checkpoint(
        &self,
        peer: &Peer,
        client: &reqwest::Client,
    ) -> Result<u64, String> {
        let url = format!("{}/log/checkpoint", peer.url);
        let note = get_text(client, &url).await?;
        let fetched = open_gossiped_checkpoint(&note, &peer.verifier)
            .map_err(|error| format!("{url}: {error}"))?;
        let stored = self
            .store
            .peer_checkpoint(&peer.node)
            .await
            .map_err(|error| error.to_string())?;
        let this_node = self.node_name().unwrap_or_default();
        if let Some(stored) = &stored {
            let previous = open_gossiped_checkpoint(&stored.note, &peer.verifier)
                .map_err(|error| format!("the stored checkpoint of {}: {error}", peer.node))?;
            let mut monitor = CheckpointMonitor::new();
            monitor.record(&peer.node, SeenCheckpoint::from(&previous.checkpoint));
            let proof = if fetched.checkpoint.tree_size > previous.checkpoint.tree_size
                && previous.checkpoint.tree_size > 0
            {
                self.consistency_proof_from(
                    client,
                    peer,
                    previous.checkpoint.tree_size,
                    fetched.checkpoint.tree_size,
                )
                .await
                // No proof (the peer went away between the two requests) is no evidence of a
                // fork: the pass fails and the next one asks again.
                .map_err(|error| format!("the consistency proof of {}: {error}", peer.node))?
            } else {
                Vec::new()
            };
            if let Err(alarm) = monitor.check_consistency_proof(&fetched.checkpoint, &proof) {
                let kind = match alarm {
                    redline_ledger::monitor::MonitorAlarm::RolledBack { .. } => "rollback",
                    redline_ledger::monitor::MonitorAlarm::ForkedAtSameSize { .. } => "split-view",
                    _ => "fork",
                };
                self.raise_alarm(
                    &peer.node,
                    kind,
                    alarm.to_string(),
                    &stored.note,
                    &note,
                    &this_node,
                )
                .await;
                return Err(format!("{}: {alarm}", peer.node));
            }
        }
        if stored.as_ref().map(|stored| stored.note.as_str()) != Some(note.as_str()) {
            let write = StoreWrite::Federation(Box::new(FederationWrite::PutPeerCheckpoint(
                PeerCheckpoint {
                    origin: peer.node.clone(),
                    tree_size: fetched.checkpoint.tree_size,
                    note: note.clone(),
                    seen_at: self.now(),
                },
            )));
            self.store
                .commit(vec![write], Vec::new())
                .await
                .map_err(|error| error.to_string())?;
        }
        self.compare_gossip(peer, client).await?;
        // A checkpoint is no object brought: the size is on the status's checkpoint line.
        Ok(0)
    }

    /// What `peer` has seen of every log this node knows (its own and its peers'), compared at
    /// equal sizes with what this node saw.
    async fn compare_gossip(&self, peer: &Peer, client: &reqwest::Client) -> Result<(), String> {
        let url = format!("{}/federation/v1/checkpoints", peer.url);
        let seen: SeenCheckpointsView = get_json(client, &url).await?;
        let this_node = self.node_name().unwrap_or_default();
        for gossiped in seen.checkpoints.iter().take(64) {
            let origin = gossiped.lines().next().unwrap_or_default().to_string();
            let (verifier, ours) = if origin == this_node {
                let Some(log) = self.log.get() else { continue };
                (log.verifier().clone(), log.checkpoint_note().to_text())
            } else if let Some(known) = self.peers().iter().find(|known| known.node == origin) {
                let Ok(Some(stored)) = self.store.peer_checkpoint(&origin).await else {
                    continue;
                };
                (known.verifier.clone(), stored.note)
            } else {
                continue;
            };
            match compare_seen_checkpoints(&verifier, &ours, gossiped) {
                Ok(Some(evidence)) => {
                    let detail = format!(
                        "split view: {} showed {} a different tree of size {} than it showed {}",
                        evidence.origin, seen.node, evidence.tree_size, this_node
                    );
                    self.raise_alarm(
                        &origin,
                        "split-view",
                        detail,
                        &evidence.first_note,
                        &evidence.second_note,
                        &seen.node,
                    )
                    .await;
                }
                Ok(None) => {}
                Err(error) => {
                    tracing::warn!(peer = %peer.node, %error, "federation: a gossiped checkpoint is not signed by its log");
                }
            }
        }
        Ok(())
    }

    async fn consistency_proof_from(
        &self,
        client: &reqwest::Client,
        peer: &Peer,
        old_size: u64,
        new_size: u64,
    ) -> Result<Vec<redline_ledger::Hash>, String> {
        let url = format!(
            "{}/api/v1/log/consistency?old_size={old_size}&new_size={new_size}",
            peer.url
        );
        let answer: Value = get_json(client, &url).await?;
        answer
            .get("consistency_proof")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("{url}: no consistency_proof"))?
            .iter()
            .map(|hash| {
                hash.as_str()
                    .ok_or_else(|| format!("{url}: a proof hash is not a string"))
                    .and_then(|text| {
                        redline_ledger::Hash::from_base64(text)
                            .map_err(|error| format!("{url}: {error}"))
                    })
            })
            .collect()
    }

    async fn raise_alarm(
        &self,
        origin: &str,
        kind: &str,
        detail: String,
        first_note: &str,
        second_note: &str,
        reported_by: &str,
    ) {
        tracing::error!(origin, kind, %detail, "federation: a peer's log misbehaves");
        let write =
            StoreWrite::Federation(Box::new(FederationWrite::RaiseAlarm(FederationAlarm {
                origin: origin.to_string(),
                kind: kind.to_string(),
                detail,
                first_note: first_note.to_string(),
                second_note: second_note.to_string(),
                reported_by: reported_by.to_string(),
                detected_at: self.now(),
            })));
        if let Err(error) = self.store.commit(vec![write], Vec::new()).await {
            tracing::error!(%error, "federation: cannot keep the alarm");
        }
    }

    /// A resumable TAXII pull of one peer collection, page after page from the stored resume
    /// point. `into_shared`: objects go into this node's shared collection (their TLP markings
    /// decide who reads them); otherwise only public incidents are kept, with their origin.
    async fn sync_collection(
        &self,
        peer: &Peer,
        client: &reqwest::Client,
        collection: &str,
        what: &str,
        into_shared: bool,
    ) {
        let mut resume = self
            .store
            .peer_sync_states()
            .await
            .ok()
            .and_then(|states| {
                states
                    .into_iter()
                    .find(|state| state.peer == peer.node && state.collection == what)
            })
            .and_then(|state| state.added_after);
        let url = format!("{}/taxii2/api/collections/{collection}/objects/", peer.url);
        let mut brought = 0u64;
        for _ in 0..100 {
            match self
                .sync_page(peer, client, &url, resume.as_deref(), into_shared)
                .await
            {
                Ok(None) => break,
                Ok(Some((count, last, more))) => {
                    brought += count;
                    resume = Some(last);
                    // Keep the resume point after every page: a pull cut short resumes there.
                    self.record_sync(peer, what, resume.clone(), Ok(count))
                        .await;
                    if !more {
                        break;
                    }
                }
                Err(error) => {
                    self.record_sync(peer, what, None, Err(error)).await;
                    return;
                }
            }
        }
        if brought == 0 {
            self.record_sync(peer, what, None, Ok(0)).await;
        }
    }

    /// One page: `None` when there is nothing new, else (objects, the page's last added date,
    /// whether there is more).
    async fn sync_page(
        &self,
        peer: &Peer,
        client: &reqwest::Client,
        url: &str,
        added_after: Option<&str>,
        into_shared: bool,
    ) -> Result<Option<(u64, String, bool)>, String> {
        let mut request = client
            .get(url)
            .header(reqwest::header::ACCEPT, TAXII_MEDIA_TYPE)
            .query(&[("limit", SYNC_PAGE.to_string())]);
        if let Some(after) = added_after {
            request = request.query(&[("added_after", after)]);
        }
        if into_shared && let Some(token) = &peer.settings.taxii_token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .map_err(|error| format!("{url}: {}", error_chain(&error)))?;
        let status = response.status();
        let last = response
            .headers()
            .get("X-TAXII-Date-Added-Last")
            .and_then(|value| value.to_str().ok())
            .map(str::to_string);
        let text = response
            .text()
            .await
            .map_err(|error| format!("{url}: {}", error_chain(&error)))?;
        if !status.is_success() {
            return Err(format!("{url} answered {status}: {}", truncate(&text)));
        }
        let body: Value = serde_json::from_str(&text)
            .map_err(|error| format!("{url}: the answer is not JSON: {error}"))?;
        let objects = body
            .get("objects")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if objects.is_empty() {
            return Ok(None);
        }
        let Some(last) = last else {
            return Err(format!(
                "{url} sent objects without X-TAXII-Date-Added-Last, so the sync cannot resume"
            ));
        };
        let more = body.get("more").and_then(Value::as_bool).unwrap_or(false);
        let count = objects.len() as u64;
        if into_shared {
            let shared = self
                .ensure_shared_collection(&Caller::Operator, &[])
                .await
                .map_err(|error| error.to_string())?;
            let envelope = serde_json::json!({ "objects": objects });
            let bytes = serde_json::to_vec(&envelope).map_err(|error| error.to_string())?;
            self.add_objects(&Caller::Operator, &shared.id, &bytes)
                .await
                .map_err(|error| format!("storing what {url} sent: {error}"))?;
        } else {
            let incidents = public_incidents_of(&peer.node, &objects, self.now());
            if !incidents.is_empty() {
                let write =
                    StoreWrite::Federation(Box::new(FederationWrite::PutPeerIncidents(incidents)));
                self.store
                    .commit(vec![write], Vec::new())
                    .await
                    .map_err(|error| error.to_string())?;
            }
        }
        Ok(Some((count, last, more)))
    }
}

/// How many relays to one peer are in flight at once.
const RELAY_CONCURRENCY: usize = 32;

/// What became of one attempt to relay an item.
struct RelayOutcome {
    item: RelayOutboxItem,
    delivered: bool,
    error: Option<String>,
    retry_in: Duration,
}

/// The items to send now: the first pending item of each thread, if it is due; and how soon
/// the earliest of the others is due.
fn thread_heads(
    items: Vec<RelayOutboxItem>,
    now: Timestamp,
) -> (Vec<RelayOutboxItem>, Option<Duration>) {
    let mut threads_seen = std::collections::HashSet::new();
    let mut heads = Vec::new();
    let mut soonest: Option<Duration> = None;
    for item in items {
        // A thread's later items wait for its first (items come in id order).
        if !threads_seen.insert(item.thread_id) {
            continue;
        }
        if item.next_attempt_at > now {
            let micros = item.next_attempt_at.as_microseconds() - now.as_microseconds();
            let wait = Duration::from_micros(u64::try_from(micros).unwrap_or(0));
            soonest = Some(soonest.map_or(wait, |known| known.min(wait)));
            continue;
        }
        heads.push(item);
    }
    (heads, soonest)
}

/// One attempt: accepted (2xx), to retry soon (409: the peer waits for an earlier message of
/// the thread from elsewhere), or to retry with backoff (anything else).
async fn send_relay_item(
    client: &reqwest::Client,
    url: &str,
    item: RelayOutboxItem,
    ceiling: Duration,
) -> RelayOutcome {
    let outcome = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(item.body.clone())
        .send()
        .await;
    let (delivered, error, retry_in) = match outcome {
        Ok(response) if response.status().is_success() => (true, None, Duration::ZERO),
        Ok(response) => {
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            let retry_in = if status == reqwest::StatusCode::CONFLICT {
                RELAY_RETRY_BASE
            } else {
                backoff(item.attempts + 1, ceiling)
            };
            (
                false,
                Some(format!("{url} answered {status}: {}", truncate(&body))),
                retry_in,
            )
        }
        Err(error) => (
            false,
            Some(format!("{url}: {}", error_chain(&error))),
            backoff(item.attempts + 1, ceiling),
        ),
    };
    RelayOutcome {
        item,
        delivered,
        error,
        retry_in,
    }
}

/// The `incident` objects whose TLP is `CLEAR` by the one TAXII rule
/// (`redline_stix::access::effective_tlp` over every object and granular marking): anything
/// else is not shown in public, whatever collection it came from.
fn public_incidents_of(peer: &str, objects: &[Value], now: Timestamp) -> Vec<PeerIncident> {
    let markings = redline_stix::marking::MarkingCatalogue::default();
    objects
        .iter()
        .filter(|object| object.get("type").and_then(Value::as_str) == Some("incident"))
        .filter(|object| {
            let facts = redline_stix::taxii::object_facts(object);
            redline_stix::access::effective_tlp(&facts.marking_refs, &markings)
                == Some(redline_model::Tlp::Clear)
        })
        .filter_map(|object| {
            Some(PeerIncident {
                peer: peer.to_string(),
                stix_id: object.get("id")?.as_str()?.to_string(),
                name: object.get("name")?.as_str()?.to_string(),
                modified: object
                    .get("modified")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                object: object.to_string(),
                synced_at: now,
            })
        })
        .collect()
}

fn backoff(attempts: u32, ceiling: Duration) -> Duration {
    redline_hotline::notification::retry_delay(attempts, u32::MAX, RELAY_RETRY_BASE, ceiling)
        .unwrap_or(ceiling)
}

fn truncate(text: &str) -> String {
    let mut end = text.len().min(400);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

/// An HTTP client error with its causes (connection refused, timed out, …).
fn error_chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

async fn get_text(client: &reqwest::Client, url: &str) -> Result<String, String> {
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|error| format!("{url}: {}", error_chain(&error)))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|error| format!("{url}: {}", error_chain(&error)))?;
    if !status.is_success() {
        return Err(format!("{url} answered {status}: {}", truncate(&text)));
    }
    Ok(text)
}

async fn get_json<T: serde::de::DeserializeOwned>(
    client: &reqwest::Client,
    url: &str,
) -> Result<T, String> {
    let text = get_text(client, url).await?;
    serde_json::from_str(&text)
        .map_err(|error| format!("{url}: the answer is not what was expected: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn item(id: i64, thread: u128, due_in_seconds: i64) -> RelayOutboxItem {
        let now =
            Timestamp::from_microseconds(1_800_000_000_000_000).unwrap_or_else(|_| unreachable!());
        RelayOutboxItem {
            id,
            peer: "south/log".into(),
            subject: format!("message:{id}"),
            thread_id: Uuid::from_u128(thread),
            body: String::new(),
            enqueued_at: now,
            attempts: 0,
            next_attempt_at: Timestamp::from_microseconds(
                now.as_microseconds() + due_in_seconds * 1_000_000,
            )
            .unwrap_or(now),
            last_error: None,
            delivered_at: None,
        }
    }

    /// Only incidents whose effective TLP is CLEAR are public: a granular RED marking, an
    /// unknown marking or no marking keeps an incident out.
    #[test]
    fn only_clear_incidents_of_a_peer_are_public() {
        let clear = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
        let red = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
        let incident = |extra: serde_json::Value| {
            let mut object = serde_json::json!({
                "type": "incident", "id": "incident--1", "name": "n", "modified": "2026-01-01T00:00:00Z"
            });
            if let (Some(object), Some(extra)) = (object.as_object_mut(), extra.as_object()) {
                object.extend(extra.clone());
            }
            object
        };
        let table = [
            (serde_json::json!({ "object_marking_refs": [clear] }), true),
            (serde_json::json!({}), false),
            (serde_json::json!({ "object_marking_refs": [red] }), false),
            (
                serde_json::json!({ "object_marking_refs": [clear], "granular_markings": [{ "marking_ref": red, "selectors": ["name"] }] }),
                false,
            ),
            (
                serde_json::json!({ "object_marking_refs": ["marking-definition--00000000-0000-4000-8000-000000000009"] }),
                false,
            ),
        ];
        let now =
            Timestamp::from_microseconds(1_800_000_000_000_000).unwrap_or_else(|_| unreachable!());
        for (extra, public) in table {
            let object = incident(extra.clone());
            assert_eq!(
                public_incidents_of("north/log", &[object], now).len() == 1,
                public,
                "{extra}"
            );
        }
    }

    /// Items as (id, thread, due in seconds), the ids sent now, the wait for the others.
    type Case<'a> = (&'a [(i64, u128, i64)], &'a [i64], Option<u64>);

    #[test]
    fn each_thread_sends_its_first_pending_item_when_it_is_due() {
        let now =
            Timestamp::from_microseconds(1_800_000_000_000_000).unwrap_or_else(|_| unreachable!());
        let table: [Case<'_>; 4] = [
            (&[(1, 1, 0), (2, 1, 0), (3, 2, 0)], &[1, 3], None),
            (&[(1, 1, 5), (2, 1, 0), (3, 2, 0)], &[3], Some(5)),
            (&[(1, 1, 5), (2, 2, 2)], &[], Some(2)),
            (&[], &[], None),
        ];
        for (items, sent, wait) in table {
            let (heads, soonest) = thread_heads(
                items
                    .iter()
                    .map(|(id, thread, due)| item(*id, *thread, *due))
                    .collect(),
                now,
            );
            let ids: Vec<i64> = heads.iter().map(|head| head.id).collect();
            assert_eq!(ids, sent, "{items:?}");
            assert_eq!(soonest.map(|wait| wait.as_secs()), wait, "{items:?}");
        }
    }
}
