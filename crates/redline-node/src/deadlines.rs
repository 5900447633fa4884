//! The deadline scheduler: marks threads overdue, reminds the recipients and alerts the sender.
//!
//! Deadlines live in the store with the threads, so they survive a restart; a deadline that
//! passed while the node was down fires at the next start. Firing stamps the thread
//! (`acknowledgement_overdue_at`, `response_overdue_at`) in the same transaction as its
//! reminder and alert events, and only from the state the scheduler read, so nothing fires
//! twice — not after a restart, and not when a reply arrives at the same moment.
//!
//! Heartbeat: the loop wakes at least every [`Node::DEADLINE_SCHEDULER_HEARTBEAT_INTERVAL`] and
//! calls its heartbeat after each pass, so a watcher (`/readyz` under `redline serve`) can tell
//! a hung loop from an idle one by the heartbeat's age.

use std::{future::Future, sync::Arc, time::Duration};

use serde_json::json;

use redline_hotline::{ThreadDeadlines, ThreadEvent, due_deadline_event};
use redline_model::Timestamp;
use redline_store::{HotlineEvent, HotlineWrite, StoreError, ThreadChange};

use crate::hotline::apply_thread_event;
use crate::{Node, NodeError};

impl Node {
    /// The longest the scheduler sleeps without looking again and beating its heartbeat.
    pub const DEADLINE_SCHEDULER_HEARTBEAT_INTERVAL: Duration = Duration::from_secs(30);

    /// Applies every deadline that has passed, each once. Returns how many fired.
    pub async fn fire_due_deadlines(&self) -> Result<u32, NodeError> {
        let now = self.now();
        let mut fired = 0;
        for thread in self.store.threads_with_deadlines_due(now).await? {
            let state = thread.state;
            let deadlines = ThreadDeadlines {
                acknowledge_by: thread.acknowledge_by,
                respond_by: thread.respond_by,
            };
            let Some(event) = due_deadline_event(state, &deadlines, now) else {
                continue;
            };
            let already_fired = match event {
                ThreadEvent::AcknowledgementDeadlinePassed => {
                    thread.acknowledgement_overdue_at.is_some()
                }
                ThreadEvent::ResponseDeadlinePassed => thread.response_overdue_at.is_some(),
                _ => true,
            };
            if already_fired {
                continue;
            }
            let Ok(updated) = apply_thread_event(&thread, event, now) else {
                continue;
            };
            let (duty, due_at) = match event {
                ThreadEvent::AcknowledgementDeadlinePassed => {
                    ("acknowledgement", thread.acknowledge_by)
                }
                _ => ("response", thread.respond_by),
            };
            let detail = |role: &str| {
                json!({
                    "duty": duty,
                    "due_at": due_at,
                    "state": updated.state.as_str(),
                    "previous": thread.state.as_str(),
                    "role": role,
                    "opened_by": thread.opened_by,
                    "exercise": thread.exercise,
                })
                .to_string()
            };
            let mut events = Vec::new();
            for participant in &updated.participants {
                let (kind, role) = if participant == &thread.opened_by {
                    ("overdue-alert", "sender")
                } else {
                    ("reminder", "recipient")
                };
                events.push(HotlineEvent {
                    sequence: 0,
                    party: participant.clone(),
                    kind: kind.to_string(),
                    thread_id: thread.id,
                    message_id: None,
                    created_at: now,
                    detail: detail(role),
                });
            }
            let write = HotlineWrite::of(
                ThreadChange::Update {
                    thread: updated.clone(),
                    expected_state: thread.state,
                },
                events,
            );
            match self.store.apply_hotline_write(&write).await {
                Ok(()) => {
                    fired += 1;
                    tracing::info!(thread = %thread.id, duty, "deadline passed: thread overdue");
                    self.announce(updated.participants.clone()).await;
                }
                // The thread moved meanwhile (a reply came in); the next pass looks again.
                Err(StoreError::Conflict(_)) => {}
                Err(other) => return Err(other.into()),
            }
        }
        // Commitments: peer-review and review-clause reminders and deadlines.
        fired += self.fire_due_commitment_deadlines().await?;
        Ok(fired)
    }

    /// The next instant a deadline falls due, if any.
    pub async fn next_deadline(&self) -> Result<Option<Timestamp>, NodeError> {
        let hotline = self.store.earliest_awaited_deadline().await?;
        let commitments = self.next_commitment_deadline().await?;
        // Disclosure cases' vendor deadlines (`disclosure.rs`).
        let disclosure = self.next_disclosure_deadline().await?;
        // Supply-chain notices' acknowledgement deadlines (`supply_chain.rs`).
        let supply_chain = self.next_supply_chain_deadline().await?;
        Ok(hotline
            .into_iter()
            .chain(commitments)
            .chain(disclosure)
            .chain(supply_chain)
            .min())
    }

    /// Runs the scheduler until `shutdown` completes: fires what is due, then sleeps until the
    /// next deadline or until a new message may have set an earlier one.
    pub async fn run_deadline_scheduler(self: Arc<Self>, shutdown: impl Future<Output = ()>) {
        self.run_deadline_scheduler_with_heartbeat(shutdown, || {})
            .await;
    }

    /// [`Node::run_deadline_scheduler`], calling `heartbeat` after every pass; passes come at
    /// least every [`Node::DEADLINE_SCHEDULER_HEARTBEAT_INTERVAL`], so a heartbeat older than a
    /// few intervals means the loop is stuck.
    pub async fn run_deadline_scheduler_with_heartbeat(
        self: Arc<Self>,
        shutdown: impl Future<Output = ()>,
        heartbeat: impl Fn() + Send,
    ) {
        tokio::pin!(shutdown);
        let longest_sleep = Self::DEADLINE_SCHEDULER_HEARTBEAT_INTERVAL;
        loop {
            if let Err(error) = self.fire_due_deadlines().await {
                tracing::warn!(%error, "firing deadlines failed; trying again shortly");
            }
            if let Err(error) = self.fire_due_disclosure_deadlines().await {
                tracing::warn!(%error, "firing disclosure deadlines failed; trying again shortly");
            }
            if let Err(error) = self.fire_due_supply_chain_deadlines().await {
                tracing::warn!(%error, "firing supply-chain deadlines failed; trying again shortly");
            }
            let sleep_for = match self.next_deadline().await {
                Ok(Some(at)) => {
                    let remaining = at.as_jiff().duration_since(self.now().as_jiff());
                    // `is_overdue` is strict: wake just after the deadline instant.
                    Duration::try_from(remaining)
                        .unwrap_or(Duration::ZERO)
                        .saturating_add(Duration::from_millis(1))
                        .min(longest_sleep)
                }
                Ok(None) => longest_sleep,
                Err(error) => {
                    tracing::warn!(%error, "reading deadlines failed");
                    Duration::from_secs(1)
                }
            };
            heartbeat();
            tokio::select! {
                () = tokio::time::sleep(sleep_for) => {}
                () = self.hotline.scheduler_wakeup.notified() => {}
                () = &mut shutdown => return,
            }
        }
    }
}
