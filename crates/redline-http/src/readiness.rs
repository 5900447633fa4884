//! `/readyz`: whether the node can do its work — the database answers and is sound, the log
//! writer (when a log is attached) answers a barrier within a few seconds, and every background
//! task registered with [`BackgroundTasks`] (the deadline scheduler under `redline serve`) is
//! still running — and, for a task registered with a heartbeat, has beaten recently (a hung
//! loop counts as failing once its heartbeat is older than the allowed age). 503 names each
//! part that is not, and the details go to the operator's log.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;

use crate::AppState;

/// How long the database may take to answer before it counts as not answering.
const DATABASE_ANSWER_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the log writer may take to answer a barrier before it counts as stuck.
const LOG_WRITER_ANSWER_TIMEOUT: Duration = Duration::from_secs(5);

/// The background tasks readiness watches. Clones share the same list.
#[derive(Debug, Clone, Default)]
pub struct BackgroundTasks {
    tasks: Arc<Mutex<Vec<Arc<BackgroundTask>>>>,
}

#[derive(Debug)]
struct BackgroundTask {
    name: String,
    running: AtomicBool,
    /// For a task with a heartbeat: the oldest its last beat may be, and when it last beat.
    heartbeat: Option<(Duration, Mutex<Instant>)>,
}

/// What readiness found of one background task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TaskState {
    Running,
    Stopped,
    /// Running, but its last heartbeat is older than allowed (the age in whole seconds).
    Stale {
        seconds_since_beat: u64,
    },
}

/// Held by a running background task: dropping it (the task ended, or panicked and unwound)
/// marks the task stopped, and `/readyz` answers 503 naming it.
#[derive(Debug)]
pub struct RunningTask(Arc<BackgroundTask>);

impl RunningTask {
    /// Records that the task is alive now (for a task registered with a heartbeat).
    pub fn beat(&self) {
        if let Some((_, last_beat)) = &self.0.heartbeat
            && let Ok(mut last_beat) = last_beat.lock()
        {
            *last_beat = Instant::now();
        }
    }
}

impl Drop for RunningTask {
    fn drop(&mut self) {
        self.0.running.store(false, Ordering::Release);
    }
}

impl BackgroundTasks {
    /// Registers a task called `name` (as `/readyz` will name it) as running.
    pub fn register(&self, name: impl Into<String>) -> RunningTask {
        self.add(name.into(), None)
    }

    /// Registers a task that calls [`RunningTask::beat`] regularly: `/readyz` also answers 503
    /// naming it when its last beat (or its registration) is older than `longest_silence`.
    pub fn register_with_heartbeat(
        &self,
        name: impl Into<String>,
        longest_silence: Duration,
    ) -> RunningTask {
        self.add(
            name.into(),
            Some((longest_silence, Mutex::new(Instant::now()))),
        )
    }

    fn add(&self, name: String, heartbeat: Option<(Duration, Mutex<Instant>)>) -> RunningTask {
        let task = Arc::new(BackgroundTask {
            name,
            running: AtomicBool::new(true),
            heartbeat,
        });
        if let Ok(mut tasks) = self.tasks.lock() {
            tasks.push(Arc::clone(&task));
        }
        RunningTask(task)
    }

    /// Each registered task with what readiness finds of it now.
    fn states(&self) -> Vec<(String, TaskState)> {
        self.tasks.lock().map_or_else(
            |_| Vec::new(),
            |tasks| {
                tasks
                    .iter()
                    .map(|task| (task.name.clone(), task_state(task)))
                    .collect()
            },
        )
    }
}

/// Stopped, stale (a heartbeat older than allowed) or running.
fn task_state(task: &BackgroundTask) -> TaskState {
    if !task.running.load(Ordering::Acquire) {
        return TaskState::Stopped;
    }
    let Some((longest_silence, last_beat)) = &task.heartbeat else {
        return TaskState::Running;
    };
    let since_beat = last_beat
        .lock()
        .map_or(Duration::ZERO, |last_beat| last_beat.elapsed());
    if since_beat > *longest_silence {
        TaskState::Stale {
            seconds_since_beat: since_beat.as_secs(),
        }
    } else {
        TaskState::Running
    }
}

/// One part of the node and what readiness found.
struct Check {
    name: String,
    healthy: bool,
    reason: String,
}

/// `GET /readyz`.
pub(crate) async fn ready(State(state): State<AppState>) -> Response {
    let mut checks = vec![check_database(&state).await];
    checks.extend(check_log_writer(&state).await);
    checks.extend(check_background_tasks(&state.background_tasks));
    let failing: Vec<&Check> = checks.iter().filter(|check| !check.healthy).collect();
    let parts: serde_json::Map<String, serde_json::Value> = checks
        .iter()
        .map(|check| {
            let verdict = if check.healthy { "ok" } else { "failing" };
            (check.name.clone(), json!(verdict))
        })
        .collect();
    let database = state.node.database_backend();
    let role = state.node.cluster_role();
    if failing.is_empty() {
        return Json(
            json!({ "status": "ready", "database": database, "role": role, "checks": parts }),
        )
        .into_response();
    }
    let reason = failing
        .iter()
        .map(|check| check.reason.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({
            "status": "unavailable",
            "database": database,
            "role": role,
            "checks": parts,
            "failing": failing.iter().map(|check| check.name.as_str()).collect::<Vec<_>>(),
            "reason": reason,
        })),
    )
        .into_response()
}

/// The database answers and, on SQLite, passes `PRAGMA quick_check` (a verdict is reused for a
/// few seconds).
async fn check_database(state: &AppState) -> Check {
    let answered = tokio::time::timeout(DATABASE_ANSWER_TIMEOUT, state.node.check_database()).await;
    match answered {
        Ok(Ok(())) => healthy("database"),
        Err(_elapsed) => {
            tracing::error!("the readiness check failed: the database did not answer in time");
            failing("database", "the database did not answer in time")
        }
        Ok(Err(error)) => {
            tracing::error!(%error, "the readiness check failed: database");
            let reason = if error.is_corrupt_database() {
                "the database failed its integrity check; the operator's log has the details"
            } else {
                "the database did not answer; the operator's log has the details"
            };
            failing("database", reason)
        }
    }
}

/// The log writer answers a barrier (it waits at most the sequencing interval for what is
/// pending); `None` when the node has no log.
async fn check_log_writer(state: &AppState) -> Option<Check> {
    state.node.log()?;
    let answered = tokio::time::timeout(
        LOG_WRITER_ANSWER_TIMEOUT,
        state.node.catch_up_log(LOG_WRITER_ANSWER_TIMEOUT),
    )
    .await;
    Some(match answered {
        Ok(Ok(())) => healthy("log_writer"),
        Ok(Err(error)) => {
            tracing::error!(%error, "the readiness check failed: log writer");
            failing(
                "log_writer",
                "the log writer has stopped; the operator's log has the details",
            )
        }
        Err(_elapsed) => {
            tracing::error!("the readiness check failed: the log writer did not answer in time");
            failing("log_writer", "the log writer did not answer in time")
        }
    })
}

fn check_background_tasks(tasks: &BackgroundTasks) -> Vec<Check> {
    tasks
        .states()
        .into_iter()
        .map(|(name, state)| match state {
            TaskState::Running => healthy(&name),
            TaskState::Stopped => {
                tracing::error!(task = %name, "the readiness check failed: a background task stopped");
                let reason = format!("the {} has stopped", name.replace('_', " "));
                failing(&name, &reason)
            }
            TaskState::Stale { seconds_since_beat } => {
                tracing::error!(
                    task = %name,
                    seconds_since_beat,
                    "the readiness check failed: a background task's heartbeat is stale"
                );
                let reason = format!(
                    "the {} has not run for {seconds_since_beat} s (stuck)",
                    name.replace('_', " ")
                );
                failing(&name, &reason)
            }
        })
        .collect()
}

fn healthy(name: &str) -> Check {
    Check {
        name: name.to_string(),
        healthy: true,
        reason: String::new(),
    }
}

fn failing(name: &str, reason: &str) -> Check {
    Check {
        name: name.to_string(),
        healthy: false,
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_is_running_until_its_guard_is_dropped() {
        let tasks = BackgroundTasks::default();
        let guard = tasks.register("deadline_scheduler");
        assert_eq!(
            tasks.states(),
            [("deadline_scheduler".to_string(), TaskState::Running)]
        );
        drop(guard);
        assert_eq!(
            tasks.states(),
            [("deadline_scheduler".to_string(), TaskState::Stopped)]
        );
        let checks = check_background_tasks(&tasks);
        assert_eq!(checks[0].reason, "the deadline scheduler has stopped");
    }

    #[test]
    fn a_task_whose_heartbeat_is_too_old_is_failing_until_it_beats_again() {
        let tasks = BackgroundTasks::default();
        let guard = tasks.register_with_heartbeat("deadline_scheduler", Duration::from_millis(50));
        assert_eq!(
            tasks.states(),
            [("deadline_scheduler".to_string(), TaskState::Running)]
        );
        std::thread::sleep(Duration::from_millis(120));
        let checks = check_background_tasks(&tasks);
        assert!(!checks[0].healthy);
        assert!(
            checks[0]
                .reason
                .starts_with("the deadline scheduler has not run for"),
            "{}",
            checks[0].reason
        );
        guard.beat();
        assert!(check_background_tasks(&tasks)[0].healthy);
    }
}
