//! The node's clock, passed in so that tests can fix the time.

use std::sync::Mutex;

use redline_model::Timestamp;

pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// The real UTC clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_jiff(jiff::Timestamp::now())
    }
}

/// A clock that says what it is told, for tests.
pub struct FixedClock(Mutex<Timestamp>);

impl FixedClock {
    pub fn new(at: Timestamp) -> Self {
        Self(Mutex::new(at))
    }

    pub fn set(&self, at: Timestamp) {
        if let Ok(mut guard) = self.0.lock() {
            *guard = at;
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        match self.0.lock() {
            Ok(guard) => *guard,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }
}

/// A clock that runs with tokio's timer from a starting instant, so a test with tokio's paused
/// time moves the node's clock by advancing time.
pub struct TokioClock {
    start_time: Timestamp,
    start_instant: tokio::time::Instant,
}

impl TokioClock {
    pub fn starting_at(start_time: Timestamp) -> Self {
        Self {
            start_time,
            start_instant: tokio::time::Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> Timestamp {
        let elapsed = self.start_instant.elapsed();
        let elapsed = jiff::SignedDuration::try_from(elapsed).unwrap_or(jiff::SignedDuration::MAX);
        self.start_time
            .as_jiff()
            .checked_add(elapsed)
            .map(Timestamp::from_jiff)
            .unwrap_or(self.start_time)
    }
}
