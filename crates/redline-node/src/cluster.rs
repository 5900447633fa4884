//! Several node processes over one PostgreSQL database: what each process does besides serving
//! requests ([`Node::run_cluster_member`]).
//!
//! - **Every process** listens for notices (`redline_store::cluster`): new events wake its own
//!   event streams (the events table stays the source of truth, so a missed notice only delays:
//!   streams also look again every [`Node::STREAM_RECHECK_INTERVAL`], and a listener that lost
//!   its connection re-announces to every party); a moved log pointer moves its view of the log;
//!   changed norms documents are reloaded. Its own changes are announced the same way, coalesced
//!   by one sender task.
//! - **One process leads**, the one holding PostgreSQL's advisory lock: it runs the deadline
//!   scheduler, the notification sender and the log writer. The log writer's entries come from the outbox
//!   ([`Node::feed_log_from_outbox`]): every process commits entries there, and the leader reads
//!   them in id order (ids become visible in increasing order, see
//!   `redline_store::LogOutboxStore::pending_log_entries`), so no entry is missed or taken twice;
//!   on taking over, entries the dead leader logged but had not yet deleted are recognised in
//!   the log and only deleted. The others try for the lock every
//!   [`Node::LEADER_ELECTION_INTERVAL`], so when the leader dies (PostgreSQL frees its lock as
//!   its connection closes) another takes over within about that interval.
//! - **A leader that loses its lock** (its database connection failed) stops at once: the
//!   caller ends the process, and a supervisor starts it again as a follower. Nothing it wrote
//!   can fork the log meanwhile: checkpoints are published by compare-and-swap.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

use redline_model::PartyId;
use redline_store::Notice;

use crate::log::{DatabasePointer, LogRole};
use crate::{Node, NodeError};

/// A process's share of the cluster's state.
#[derive(Default)]
pub(crate) struct ClusterRuntime {
    /// The largest log outbox id this process committed: a reader that must see its own writes
    /// in the log waits until the outbox holds nothing up to it.
    pub(crate) last_committed_outbox_id: AtomicI64,
    /// Wakes the leader's outbox feeder after a local commit.
    pub(crate) outbox_wakeup: tokio::sync::Notify,
    /// Notices for the sender task (`None` until it runs: then notices are sent at once).
    pub(crate) notice_sender: std::sync::Mutex<Option<tokio::sync::mpsc::UnboundedSender<Notice>>>,
    /// Whether this process leads now.
    pub(crate) leading: AtomicBool,
}

impl Node {
    /// How often a process that does not lead tries for the leader's lock, and how often the
    /// leader confirms it still holds it.
    pub const LEADER_ELECTION_INTERVAL: Duration = Duration::from_millis(250);
    /// How often an event stream looks for new events without a notice (shared deployments).
    pub const STREAM_RECHECK_INTERVAL: Duration = Duration::from_secs(2);
    /// How often a follower reads the log's pointer without a notice.
    const POINTER_RECHECK_INTERVAL: Duration = Duration::from_secs(1);

    /// Whether other processes share this node's database (PostgreSQL).
    pub fn is_shared(&self) -> bool {
        self.store.is_shared()
    }

    /// Whether this process leads a shared deployment (always true on SQLite).
    pub fn is_leading(&self) -> bool {
        !self.is_shared() || self.cluster.leading.load(Ordering::SeqCst)
    }

    /// This process's part: `single-process` (SQLite), `leader` or `follower` (PostgreSQL), as
    /// `/readyz` shows it.
    pub fn cluster_role(&self) -> &'static str {
        if !self.is_shared() {
            "single-process"
        } else if self.cluster.leading.load(Ordering::SeqCst) {
            "leader"
        } else {
            "follower"
        }
    }

    /// Opens the log of a shared deployment as a follower at the pointer stored in the database
    /// (attach it with [`Node::attach_log`]; it writes once this process leads).
    pub async fn open_shared_log(
        &self,
        config: crate::log::LogConfig,
    ) -> Result<crate::log::NodeLog, NodeError> {
        let stored = self.store.log_checkpoint_note(&config.origin).await?;
        crate::log::NodeLog::open_shared(config, stored.as_deref())
            .map_err(|error| NodeError::Internal(error.to_string()))
    }

    /// Tells the other processes (and, through the listener, this one) what happened; after
    /// the commit it is about. Coalesced by the sender task when it runs.
    pub(crate) async fn publish_notice(&self, notice: Notice) {
        if !self.is_shared() {
            return;
        }
        let queued = match self.cluster.notice_sender.lock() {
            Ok(sender) => sender
                .as_ref()
                .is_some_and(|sender| sender.send(notice.clone()).is_ok()),
            Err(_) => false,
        };
        if !queued && let Err(error) = self.store.publish_notice(&notice).await {
            tracing::warn!(%error, "a notice was not sent; the other processes look again soon");
        }
    }

    /// Runs this process's part of a shared deployment until `shutdown` resolves: listening
    /// for notices, standing for election and, when elected, leading (the deadline scheduler
    /// and the log writer). `heartbeat` beats at every pass of the election loop and of the
    /// scheduler: a process beats it as long as it leads well or stands ready to.
    ///
    /// Returns an error when this process led and lost the leader's lock: the caller must end
    /// the process (another has taken over or will).
    pub async fn run_cluster_member(
        self: Arc<Self>,
        shutdown: tokio::sync::watch::Receiver<bool>,
        heartbeat: Arc<dyn Fn() + Send + Sync>,
    ) -> Result<(), NodeError> {
        if !self.is_shared() {
            return Err(NodeError::Internal(
                "a single-process node has no cluster to join".into(),
            ));
        }
        let sender_task = tokio::spawn(Arc::clone(&self).send_notices(shutdown.clone()));
        let listener_task = tokio::spawn(Arc::clone(&self).follow_notices(shutdown.clone()));
        let outcome = Arc::clone(&self)
            .stand_and_lead(shutdown.clone(), heartbeat)
            .await;
        listener_task.abort();
        sender_task.abort();
        outcome
    }

    /// Tries for the lock until elected, then leads until shutdown or until the lock is lost.
    async fn stand_and_lead(
        self: Arc<Self>,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
        heartbeat: Arc<dyn Fn() + Send + Sync>,
    ) -> Result<(), NodeError> {
        let mut lease = loop {
            if *shutdown.borrow() {
                return Ok(());
            }
            match self.store.try_lead().await {
                Ok(Some(lease)) => break lease,
                Ok(None) => {}
                Err(error) => tracing::warn!(%error, "trying for the leader's lock"),
            }
            heartbeat();
            tokio::select! {
                () = tokio::time::sleep(Self::LEADER_ELECTION_INTERVAL) => {}
                _ = shutdown.changed() => {}
            }
        };
        tracing::info!(
            "this process leads: it runs the deadline scheduler, the notification sender and the log writer"
        );
        self.take_over_the_log().await?;
        self.cluster.leading.store(true, Ordering::SeqCst);
        let (stop_duties, duties_stopped) = tokio::sync::watch::channel(false);
        let scheduler = {
            let node = Arc::clone(&self);
            let beat = Arc::clone(&heartbeat);
            let mut stop = duties_stopped.clone();
            tokio::spawn(async move {
                node.run_deadline_scheduler_with_heartbeat(
                    async move {
                        let _ = stop.wait_for(|stopped| *stopped).await;
                    },
                    move || beat(),
                )
                .await;
            })
        };
        // Notifications: the leader sends; deliveries are claimed in the database anyway, so a
        // second sender (a leader that has not yet noticed it lost) never sends one twice.
        let sender = {
            let node = Arc::clone(&self);
            let mut stop = duties_stopped.clone();
            tokio::spawn(async move {
                node.run_notification_sender(async move {
                    let _ = stop.wait_for(|stopped| *stopped).await;
                })
                .await;
            })
        };
        // Federation: the leader relays to peers and syncs from them.
        let federation = {
            let node = Arc::clone(&self);
            let mut stop = duties_stopped.clone();
            tokio::spawn(async move {
                node.run_federation(async move {
                    let _ = stop.wait_for(|stopped| *stopped).await;
                })
                .await;
            })
        };
        let feeder = tokio::spawn(Arc::clone(&self).feed_log_from_outbox(duties_stopped));
        let outcome = loop {
            tokio::select! {
                () = tokio::time::sleep(Self::LEADER_ELECTION_INTERVAL) => {}
                _ = shutdown.changed() => {}
            }
            if *shutdown.borrow() {
                break Ok(());
            }
            if let Err(error) = lease.confirm().await {
                tracing::error!(%error, "this process lost the leader's lock; it stops leading");
                break Err(NodeError::Internal(format!(
                    "lost the leader's lock ({error}); another process leads now"
                )));
            }
        };
        self.cluster.leading.store(false, Ordering::SeqCst);
        let _ = stop_duties.send(true);
        let _ = scheduler.await;
        let _ = sender.await;
        let _ = federation.await;
        feeder.abort();
        lease.release().await;
        outcome
    }

    /// Makes this process's log the writer, at the pointer stored in the database.
    async fn take_over_the_log(&self) -> Result<(), NodeError> {
        let Some(log) = self.log.get() else {
            return Ok(());
        };
        let stored = self.store.log_checkpoint_note(log.origin()).await?;
        let pointer = DatabasePointer {
            store: Arc::clone(&self.store),
            clock: Arc::clone(&self.clock),
            origin: log.origin().to_owned(),
            runtime: tokio::runtime::Handle::current(),
        };
        let log = Arc::clone(log);
        // Recovery reads the shared tiles and blocks on the database from a plain thread.
        tokio::task::spawn_blocking(move || log.lead(stored, pointer))
            .await
            .map_err(|error| NodeError::Internal(format!("taking over the log: {error}")))?
    }

    /// The leader's feed of its log writer: every outbox entry, once, in id order. On the first
    /// pass the entries the log already holds (logged by a leader that died before deleting
    /// them) are only deleted.
    async fn feed_log_from_outbox(self: Arc<Self>, mut stop: tokio::sync::watch::Receiver<bool>) {
        let Some(log) = self.log.get().cloned() else {
            return;
        };
        let mut last_fed = 0_i64;
        let mut first_pass = true;
        loop {
            match self.store.pending_log_entries(last_fed).await {
                Ok(pending) => {
                    let mut logged_already = Vec::new();
                    let mut to_append = Vec::new();
                    let mut unreadable = false;
                    for (outbox_id, entry) in pending {
                        let in_log = if first_pass {
                            match log.contains_entry(entry.as_bytes()) {
                                Ok(in_log) => in_log,
                                Err(error) => {
                                    // Appending now could log it twice: stop here, and look
                                    // at this entry again on the next pass.
                                    tracing::warn!(%error, outbox_id, "reading the shared log for an outbox entry");
                                    unreadable = true;
                                    break;
                                }
                            }
                        } else {
                            false
                        };
                        last_fed = last_fed.max(outbox_id);
                        if in_log {
                            logged_already.push(outbox_id);
                        } else {
                            to_append.push((outbox_id, entry.into_bytes()));
                        }
                    }
                    first_pass = unreadable;
                    log.forget_outbox_rows(logged_already);
                    if !to_append.is_empty()
                        && let Err(error) = log.enqueue_from_outbox(to_append)
                    {
                        tracing::error!(%error, "the log writer stopped; this process must restart");
                        return;
                    }
                }
                Err(error) => tracing::warn!(%error, "reading the log outbox"),
            }
            tokio::select! {
                () = self.cluster.outbox_wakeup.notified() => {}
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = stop.changed() => return,
            }
        }
    }

    /// Sends queued notices, merging what a burst holds into one notice of each kind.
    async fn send_notices(self: Arc<Self>, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<Notice>();
        if let Ok(mut slot) = self.cluster.notice_sender.lock() {
            *slot = Some(sender);
        }
        loop {
            let first = tokio::select! {
                received = receiver.recv() => match received {
                    Some(notice) => notice,
                    None => return,
                },
                _ = shutdown.changed() => return,
            };
            let mut burst = vec![first];
            while let Ok(more) = receiver.try_recv() {
                burst.push(more);
            }
            for notice in coalesce_notices(burst) {
                if let Err(error) = self.store.publish_notice(&notice).await {
                    tracing::warn!(%error, "a notice was not sent; the other processes look again soon");
                }
            }
        }
    }

    /// Acts on every notice: wakes streams, the scheduler and the outbox feeder, moves the
    /// log's view, reloads norms; re-reads everything after a reconnection. Also moves the
    /// log's view every second without a notice.
    async fn follow_notices(self: Arc<Self>, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        let mut listener = None;
        loop {
            if listener.is_none() {
                match self.store.listen_for_notices().await {
                    Ok(Some(opened)) => {
                        listener = Some(opened);
                        // Whatever happened before we listened.
                        self.act_on_notice(Notice::Resync).await;
                    }
                    Ok(None) => return,
                    Err(error) => tracing::warn!(%error, "listening for notices"),
                }
            }
            let next = async {
                match listener.as_mut() {
                    Some(listener) => Some(listener.next().await),
                    None => {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        None
                    }
                }
            };
            tokio::select! {
                received = next => match received {
                    Some(Ok(notice)) => self.act_on_notice(notice).await,
                    Some(Err(error)) => {
                        tracing::warn!(%error, "the notice listener failed; listening again");
                        listener = None;
                    }
                    None => {}
                },
                () = tokio::time::sleep(Self::POINTER_RECHECK_INTERVAL) => {
                    self.follow_log_pointer().await;
                }
                _ = shutdown.changed() => return,
            }
        }
    }

    async fn act_on_notice(&self, notice: Notice) {
        match notice {
            Notice::Events(parties) => {
                let parties = parties
                    .iter()
                    .filter_map(|party| PartyId::parse(party).ok())
                    .collect();
                self.announce_locally(parties);
                // A message may have set a deadline sooner than the scheduler's next.
                self.hotline.scheduler_wakeup.notify_one();
            }
            Notice::LogOutbox => self.cluster.outbox_wakeup.notify_one(),
            Notice::Checkpoint => self.follow_log_pointer().await,
            Notice::Norms => {
                if let Err(error) = self.load_norms().await {
                    tracing::warn!(%error, "reloading the norms documents");
                }
            }
            Notice::Resync => {
                self.cluster.outbox_wakeup.notify_one();
                self.hotline.scheduler_wakeup.notify_one();
                self.follow_log_pointer().await;
                match self.store.list_parties().await {
                    Ok(parties) => {
                        self.announce_locally(parties.into_iter().map(|party| party.id).collect());
                    }
                    Err(error) => tracing::warn!(%error, "listing parties to wake their streams"),
                }
                if let Err(error) = self.load_norms().await {
                    tracing::warn!(%error, "reloading the norms documents");
                }
            }
        }
    }

    /// Brings what this process serves of the log up to the pointer stored in the database
    /// now, whatever part it plays (a no-op on SQLite, whose one process writes the pointer):
    /// everything that serves the log's state calls it first, so that a client that reads from
    /// several processes never sees a checkpoint older than one it saw, nor misses a tile. A
    /// follower moves to the pointer; the leader serves it if its writer published it and has
    /// not served it yet ([`crate::log::NodeLog::follow_pointer`]).
    ///
    /// An error when the pointer cannot be read or this process cannot serve it: the caller
    /// must then not serve the log, which could be older than what another process served.
    pub async fn refresh_log_view(&self) -> Result<(), NodeError> {
        let Some(log) = self.log.get() else {
            return Ok(());
        };
        if !self.is_shared() || log.role() == LogRole::OnlyWriter {
            return Ok(());
        }
        let Some(stored) = self.store.log_checkpoint_note(log.origin()).await? else {
            return Ok(());
        };
        if !log.pointer_moves_what_is_served(&stored)? {
            return Ok(());
        }
        // Following takes the log's follow lock, which a takeover holds across a database
        // round-trip, and reads tiles: never on a runtime worker, whose blocking could stall the
        // very I/O the takeover waits for.
        let log = Arc::clone(log);
        tokio::task::spawn_blocking(move || log.follow_pointer(Some(&stored)))
            .await
            .map_err(|error| {
                NodeError::Internal(format!("following the log's pointer: {error}"))
            })??;
        Ok(())
    }

    /// [`Node::refresh_log_view`] for the notice listener: a failure is logged, and the next
    /// notice, recheck or reader tries again.
    pub(crate) async fn follow_log_pointer(&self) {
        if let Err(error) = self.refresh_log_view().await {
            tracing::warn!(%error, "following the log's pointer");
        }
    }

    /// Shared deployments: waits until the log holds every entry this process committed before
    /// the call (the outbox holds none of them), then moves a follower's view to the pointer.
    /// Gives up after `patience` (no leader, or a slow one) with an error naming the wait.
    pub(crate) async fn wait_for_shared_log(&self, patience: Duration) -> Result<(), NodeError> {
        if let Some(reason) = self.log.get().and_then(|log| log.failure()) {
            return Err(NodeError::Internal(format!(
                "the transparency log stopped: {reason}"
            )));
        }
        let through = self.cluster.last_committed_outbox_id.load(Ordering::SeqCst);
        let started = tokio::time::Instant::now();
        let mut pause = Duration::from_millis(2);
        while through > 0 && !self.store.log_outbox_settled_through(through).await? {
            if started.elapsed() >= patience {
                return Err(NodeError::Internal(format!(
                    "the log has not taken this process's entries within {} s: is a leader running?",
                    patience.as_secs()
                )));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(50));
        }
        self.refresh_log_view().await
    }
}

/// One notice of each kind for a burst: the parties of every `Events` notice together.
fn coalesce_notices(burst: Vec<Notice>) -> Vec<Notice> {
    let mut parties: Vec<String> = Vec::new();
    let mut others: Vec<Notice> = Vec::new();
    for notice in burst {
        match notice {
            Notice::Events(more) => parties.extend(more),
            other => {
                if !others.contains(&other) {
                    others.push(other);
                }
            }
        }
    }
    parties.sort();
    parties.dedup();
    if !parties.is_empty() {
        // NOTIFY payloads are limited to 8000 bytes; a party id is a few characters.
        for chunk in parties.chunks(500) {
            others.push(Notice::Events(chunk.to_vec()));
        }
    }
    others
}

#[cfg(test)]
mod tests {
    use super::{Notice, coalesce_notices};

    #[test]
    fn a_burst_becomes_one_notice_of_each_kind() {
        let burst = vec![
            Notice::Events(vec!["UA".into(), "EE".into()]),
            Notice::LogOutbox,
            Notice::Events(vec!["EE".into(), "FR".into()]),
            Notice::LogOutbox,
            Notice::Norms,
        ];
        assert_eq!(
            coalesce_notices(burst),
            vec![
                Notice::LogOutbox,
                Notice::Norms,
                Notice::Events(vec!["EE".into(), "FR".into(), "UA".into()]),
            ]
        );
        assert!(coalesce_notices(Vec::new()).is_empty());
    }
}

/// Two processes of one deployment in one test: nodes over one PostgreSQL database sharing one
/// tile directory, driven through the node's own APIs. A reader going from one to the other
/// must never see the log go back, whatever the writer is doing.
#[cfg(test)]
mod serving_the_log {
    use std::sync::{Arc, Mutex, mpsc};
    use std::time::Duration;

    use redline_ledger::checkpoint::Checkpoint;
    use redline_model::{PartyId, PartyKind};
    use redline_store::{SqlStore, SqlStoreOptions};

    use crate::log::{LogConfig, LogRole};
    use crate::{Caller, NewParty, Node, SystemClock};

    const ORIGIN: &str = "cluster.test/log";
    const SEED: [u8; 32] = [9; 32];

    /// A process of the deployment: its log opened as a follower at the pointer.
    async fn process(database: &str, directory: &std::path::Path) -> Arc<Node> {
        let store = SqlStore::open(database, SqlStoreOptions::default())
            .await
            .unwrap();
        let node = Arc::new(Node::new(Arc::new(store), Arc::new(SystemClock)));
        let log = node
            .open_shared_log(LogConfig::new(directory, ORIGIN, SEED))
            .await
            .unwrap();
        node.attach_log(log).await.unwrap();
        node
    }

    /// Runs `node`'s part of the deployment until the returned sender says stop; answers once
    /// it leads.
    async fn lead(node: &Arc<Node>) -> tokio::sync::watch::Sender<bool> {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(Arc::clone(node).run_cluster_member(stopped, Arc::new(|| {})));
        for _ in 0..400 {
            if node.is_leading() && node.log().unwrap().role() == LogRole::Leader {
                return stop;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the process did not come to lead");
    }

    /// A logged write on `node` (the leader takes its entry from the outbox).
    async fn add_party(node: &Node, id: &str) {
        node.add_party(
            &Caller::Operator,
            NewParty {
                id: PartyId::parse(id).unwrap(),
                kind: PartyKind::State,
                name: format!("State {id}"),
                languages: vec![],
                public_keys: vec![],
            },
        )
        .await
        .unwrap();
    }

    /// The size of the checkpoint `node` serves, read the way the HTTP routes read it.
    async fn served_size(node: &Node) -> Result<u64, crate::NodeError> {
        node.refresh_log_view().await?;
        Ok(
            Checkpoint::parse_body(node.log().unwrap().checkpoint_note().text())
                .unwrap()
                .tree_size,
        )
    }

    /// Two processes of one node on a fresh PostgreSQL database, sharing one tile directory
    /// (held by the returned guard); `None` (skipped) without PostgreSQL, unless
    /// `REQUIRE_POSTGRES=1`, when that fails.
    async fn two_processes() -> Option<(tempfile::TempDir, Arc<Node>, Arc<Node>)> {
        let Some(database) = redline_store::testing::fresh_postgres_database("served_log")
            .await
            .unwrap()
        else {
            eprintln!("skipped: no PostgreSQL (set TEST_POSTGRES_URL)");
            return None;
        };
        let directory = tempfile::tempdir().unwrap();
        let first = process(&database, directory.path()).await;
        let second = process(&database, directory.path()).await;
        Some((directory, first, second))
    }

    /// The leader's writer serves a checkpoint only after its compare-and-swap commits; in
    /// between, a follower already serves the new pointer. Held in that window, the leader
    /// must serve the pointer too, not its older checkpoint.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_leader_serves_the_pointer_its_writer_published_but_has_not_served_yet() {
        let Some((_directory, leader, follower)) = two_processes().await else {
            return;
        };
        let stop = lead(&leader).await;
        add_party(&leader, "EE").await;
        leader.settle_log().await.unwrap();
        let before = served_size(&leader).await.unwrap();

        // Hold the writer between publishing its next checkpoint and serving it.
        let (published, in_the_window) = mpsc::channel::<()>();
        let (release, released) = mpsc::channel::<()>();
        let (published, released) = (Mutex::new(published), Mutex::new(released));
        leader
            .log()
            .unwrap()
            .pause_between_publishing_and_serving(Box::new(move || {
                let _ = published.lock().unwrap().send(());
                let _ = released.lock().unwrap().recv();
            }));
        add_party(&leader, "UA").await;
        let in_the_window = tokio::task::spawn_blocking(move || in_the_window.recv())
            .await
            .unwrap();

        // A reader asks the follower, then the leader.
        let seen_on_the_follower = served_size(&follower).await;
        let then_on_the_leader = served_size(&leader).await;
        release.send(()).unwrap();
        leader.settle_log().await.unwrap();
        let after = served_size(&leader).await.unwrap();
        let _ = stop.send(true);

        in_the_window.unwrap();
        let seen_on_the_follower = seen_on_the_follower.unwrap();
        assert!(
            seen_on_the_follower > before,
            "the follower serves the published pointer ({seen_on_the_follower} after {before})"
        );
        assert_eq!(
            then_on_the_leader.unwrap(),
            seen_on_the_follower,
            "the leader served less than the pointer a follower served"
        );
        assert_eq!(after, seen_on_the_follower);
        assert_eq!(leader.log().unwrap().failure(), None);
    }

    /// Two reads of the pointer that finish out of order: the older one is ignored; it neither
    /// moves the served checkpoint back nor stops the follower's view.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_pointer_read_that_lost_a_race_with_a_newer_one_is_ignored() {
        let Some((_directory, leader, follower)) = two_processes().await else {
            return;
        };
        let stop = lead(&leader).await;
        add_party(&leader, "EE").await;
        leader.settle_log().await.unwrap();
        let older_pointer = leader.log().unwrap().checkpoint_note().to_text();
        add_party(&leader, "UA").await;
        leader.settle_log().await.unwrap();
        let newer = served_size(&follower).await.unwrap();

        let moved = follower
            .log()
            .unwrap()
            .follow_pointer(Some(&older_pointer))
            .unwrap();
        let _ = stop.send(true);

        assert!(!moved);
        assert_eq!(served_size(&follower).await.unwrap(), newer);
        assert_eq!(follower.log().unwrap().failure(), None);
    }

    /// A leader that lost the lead (its process has not stopped yet) while another published:
    /// it cannot serve the new pointer, so it serves nothing rather than an older log.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_leader_that_lost_the_lead_serves_nothing_rather_than_an_older_log() {
        let Some((_directory, first, second)) = two_processes().await else {
            return;
        };
        let stop_first = lead(&first).await;
        add_party(&first, "EE").await;
        first.settle_log().await.unwrap();
        let _ = stop_first.send(true);
        let stop_second = lead(&second).await;
        add_party(&second, "UA").await;
        second.settle_log().await.unwrap();
        let published = served_size(&second).await.unwrap();

        let on_the_first = served_size(&first).await;
        let _ = stop_second.send(true);

        assert_eq!(first.log().unwrap().role(), LogRole::Leader);
        match on_the_first {
            Ok(size) => assert!(size >= published, "served {size} after {published}"),
            Err(error) => assert!(error.to_string().contains("no longer writes"), "{error}"),
        }
    }
}
