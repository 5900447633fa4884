//! Deadline arithmetic: how long a recipient has, and when that runs out. Time is passed in.
//!
//! Owns the duties of the hotline (acknowledge within, give a first substantive reply within,
//! send status updates every), a `DutiesTable` that picks each duty's length by the incident's
//! severity level (0–5) the way a norms document's `[[duty]]` rows do (the row with the highest
//! `from_level` not above the level wins), the defaults of norms-and-escalation.md §6, and the
//! UTC arithmetic. All times are UTC instants, so there is no daylight-saving edge to handle:
//! "within 24 h" is exactly 86,400 seconds.

use jiff::SignedDuration;
use redline_model::Timestamp;

use crate::thread::{ThreadEvent, ThreadState};

/// The highest NCISS severity level.
pub const MAXIMUM_SEVERITY_LEVEL: u8 = 5;

/// The duty vocabulary is shared with the other crates through the model.
pub use redline_model::DutyKind;

/// One row of a duties table: from this severity level up, the duty must be met within this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DutyRule {
    pub kind: DutyKind,
    pub from_level: u8,
    pub within: SignedDuration,
}

/// The duties of the adopted norms document. The norms crate builds one from `[[duty]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutiesTable {
    pub rules: Vec<DutyRule>,
}

impl DutiesTable {
    /// The defaults of norms-and-escalation.md §6 at every level: acknowledge within 1 h, a
    /// first substantive reply within 24 h, status updates every 72 h. No notify duty: whether
    /// and how fast to notify is for the norms document to say.
    pub fn section_six_defaults() -> Self {
        Self {
            rules: vec![
                DutyRule {
                    kind: DutyKind::Acknowledge,
                    from_level: 0,
                    within: SignedDuration::from_hours(1),
                },
                DutyRule {
                    kind: DutyKind::InitialReply,
                    from_level: 0,
                    within: SignedDuration::from_hours(24),
                },
                DutyRule {
                    kind: DutyKind::StatusUpdate,
                    from_level: 0,
                    within: SignedDuration::from_hours(72),
                },
            ],
        }
    }

    /// How long `kind` allows at `severity_level` (levels above 5 count as 5), or `None` when
    /// no row applies. Among the rows of that kind whose `from_level` is at most the level, the
    /// highest `from_level` wins; on a tie, the shorter time.
    pub fn duty_for(&self, kind: DutyKind, severity_level: u8) -> Option<SignedDuration> {
        let level = severity_level.min(MAXIMUM_SEVERITY_LEVEL);
        self.rules
            .iter()
            .filter(|rule| rule.kind == kind && rule.from_level <= level)
            .max_by(|left, right| {
                left.from_level
                    .cmp(&right.from_level)
                    .then(right.within.cmp(&left.within))
            })
            .map(|rule| rule.within)
    }

    /// The acknowledgement and first-reply deadlines of a message sent at `sent_at`.
    pub fn thread_deadlines(&self, sent_at: Timestamp, severity_level: u8) -> ThreadDeadlines {
        let deadline = |kind| {
            self.duty_for(kind, severity_level)
                .and_then(|within| deadline_for(sent_at, within))
        };
        ThreadDeadlines {
            acknowledge_by: deadline(DutyKind::Acknowledge),
            respond_by: deadline(DutyKind::InitialReply),
        }
    }
}

impl Default for DutiesTable {
    fn default() -> Self {
        Self::section_six_defaults()
    }
}

/// When `within` after `sent_at` ends, or `None` if that lies beyond the representable range.
pub fn deadline_for(sent_at: Timestamp, within: SignedDuration) -> Option<Timestamp> {
    sent_at
        .as_jiff()
        .checked_add(within)
        .ok()
        .map(Timestamp::from_jiff)
}

/// Whether a deadline has passed: the duty is met up to and including the deadline instant.
pub fn is_overdue(deadline: Timestamp, now: Timestamp) -> bool {
    now > deadline
}

/// The deadlines of one thread's opening message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThreadDeadlines {
    pub acknowledge_by: Option<Timestamp>,
    pub respond_by: Option<Timestamp>,
}

/// The deadline event the scheduler should apply to a thread in `state` at `now`, if any: the
/// response deadline first (it is the later and the more serious), then the acknowledgement one.
pub fn due_deadline_event(
    state: ThreadState,
    deadlines: &ThreadDeadlines,
    now: Timestamp,
) -> Option<ThreadEvent> {
    let passed = |deadline: Option<Timestamp>| deadline.is_some_and(|at| is_overdue(at, now));
    let awaiting_response = matches!(
        state,
        ThreadState::Sent
            | ThreadState::Delivered
            | ThreadState::Acknowledged
            | ThreadState::AcknowledgementOverdue
    );
    let awaiting_acknowledgement = matches!(state, ThreadState::Sent | ThreadState::Delivered);
    if awaiting_response && passed(deadlines.respond_by) {
        Some(ThreadEvent::ResponseDeadlinePassed)
    } else if awaiting_acknowledgement && passed(deadlines.acknowledge_by) {
        Some(ThreadEvent::AcknowledgementDeadlinePassed)
    } else {
        None
    }
}

redline_model::vocabulary! {
    /// How a duty with a deadline stands: the one definition of "on time" for acknowledgements,
    /// replies and communication checks, in the node, the exercise report and the dashboard's SQL.
    DeadlineOutcome {
        /// Done at or before the deadline.
        Met => "met",
        /// Done after the deadline.
        Late => "late",
        /// Not done, and the deadline has passed.
        Missed => "missed",
        /// Not done, and the deadline has not passed yet.
        Pending => "pending",
    }
}

impl DeadlineOutcome {
    /// Whether the matter is settled: done, or its deadline has passed (what the public figures
    /// count as "due").
    pub fn is_due(&self) -> bool {
        !matches!(self, DeadlineOutcome::Pending)
    }

    /// Whether the duty was done at all, on time or late.
    pub fn is_done(&self) -> bool {
        matches!(self, DeadlineOutcome::Met | DeadlineOutcome::Late)
    }
}

/// The outcome of a duty due by `deadline`, done at `done_at` (if it was), seen at `now`. The
/// deadline instant itself is still on time ([`is_overdue`]).
pub fn deadline_outcome(
    deadline: Timestamp,
    done_at: Option<Timestamp>,
    now: Timestamp,
) -> DeadlineOutcome {
    match done_at {
        Some(at) if !is_overdue(deadline, at) => DeadlineOutcome::Met,
        Some(_) => DeadlineOutcome::Late,
        None if is_overdue(deadline, now) => DeadlineOutcome::Missed,
        None => DeadlineOutcome::Pending,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// Seconds after an arbitrary origin.
    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_microseconds(1_700_000_000_000_000 + seconds * 1_000_000).unwrap()
    }

    /// One row: deadline, done at, now (seconds) → outcome.
    fn check(deadline: i64, done_at: Option<i64>, now: i64, expect: DeadlineOutcome) {
        assert_eq!(
            deadline_outcome(at(deadline), done_at.map(at), at(now)),
            expect,
            "deadline {deadline}, done at {done_at:?}, now {now}"
        );
    }

    #[test]
    fn deadline_outcome_table() {
        use DeadlineOutcome::{Late, Met, Missed, Pending};
        check(100, Some(50), 60, Met);
        check(100, Some(100), 200, Met); // the deadline instant is on time
        check(100, Some(101), 200, Late);
        check(100, Some(50), 500, Met); // what happened, not when we look
        check(100, None, 99, Pending);
        check(100, None, 100, Pending); // not yet passed at the deadline instant
        check(100, None, 101, Missed);
        check(100, Some(150), 120, Late); // done "after now": the record decides
    }
}
