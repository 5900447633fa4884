//! Duties kept: the rules that say, for each duty of the norms document a party owed in the
//! hotline, when it fell due, what counts as doing it, and whether it was kept — met, late,
//! missed once the deadline has passed on the clock passed in, or pending (`deadline_outcome`,
//! the one meaning of "on time"). The node gathers the times from its store; the rules are here.
//!
//! The five duties, each per party and incident (or thread):
//!
//! - **notify** — the reporting party notifies each affected party (`notify_deadline`): due the
//!   document's `notify` time after the incident was reported, at the severity it was assessed
//!   at then; done by the first notification about the incident addressed to that party.
//! - **acknowledge** — each recipient of a thread acknowledges it by the thread's
//!   acknowledgement deadline (an acknowledgement or a clarification request, or a substantive
//!   reply, which implies acknowledgement as the thread machine has it: `acknowledged_at`).
//! - **initial-reply** — each recipient gives its own first substantive reply (response,
//!   assistance offer, request outcome, check reply) by the thread's reply deadline.
//! - **status-update** — while a thread is open, each recipient gives an update every
//!   `status-update` period of the document at the thread's severity (`status_update_duties`):
//!   one duty per period.
//! - **assistance-answer** — each recipient of an assistance or mitigation request answers it
//!   with an outcome or an offer (`assistance_answer_duty`): within the document's
//!   `assistance-answer` time, or, where the document defines none (the shipped documents do
//!   not), its `initial-reply` time; the record says which duty set the deadline.

use jiff::SignedDuration;
use redline_model::{DutyKind, Timestamp};

use crate::deadline::{DeadlineOutcome, DutiesTable, deadline_for, deadline_outcome};
use crate::message::MessageKind;

/// At most this many status-update periods are counted per recipient and thread, so a tiny
/// period over a long-open thread cannot make the record unbounded.
pub const MAXIMUM_STATUS_UPDATE_PERIODS: usize = 1000;

/// The five duties kept, in the order pages show them.
pub const DUTIES_KEPT: [DutyKind; 5] = [
    DutyKind::Notify,
    DutyKind::Acknowledge,
    DutyKind::InitialReply,
    DutyKind::StatusUpdate,
    DutyKind::AssistanceAnswer,
];

/// One duty falling due: when, when it was done (if it was) and how it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DutyDue {
    pub due_at: Timestamp,
    pub done_at: Option<Timestamp>,
    pub outcome: DeadlineOutcome,
}

impl DutyDue {
    /// The duty due at `due_at`, done at `done_at`, seen at `now`.
    pub fn at(due_at: Timestamp, done_at: Option<Timestamp>, now: Timestamp) -> Self {
        Self {
            due_at,
            done_at,
            outcome: deadline_outcome(due_at, done_at, now),
        }
    }
}

/// When a recipient acknowledged a thread, for its acknowledge duty: its first acknowledgement
/// (or clarification request), or its first substantive reply if that came first — a reply
/// implies acknowledgement, as the thread machine has it (`thread.rs`).
pub fn acknowledged_at(
    acknowledged: Option<Timestamp>,
    answered: Option<Timestamp>,
) -> Option<Timestamp> {
    match (acknowledged, answered) {
        (Some(acknowledged), Some(answered)) => Some(acknowledged.min(answered)),
        (acknowledged, answered) => acknowledged.or(answered),
    }
}

/// When the reporter's notify duty for an incident reported at `reported_at` and assessed at
/// `severity_level` falls due, or `None` when the document sets no notify duty at that level.
pub fn notify_deadline(
    duties: &DutiesTable,
    reported_at: Timestamp,
    severity_level: u8,
) -> Option<Timestamp> {
    duties
        .duty_for(DutyKind::Notify, severity_level)
        .and_then(|within| deadline_for(reported_at, within))
}

/// The duty that sets how long a recipient has to answer an assistance or mitigation request at
/// `severity_level`, and that time: the document's `assistance-answer` duty, else its
/// `initial-reply` duty; `None` when it has neither at that level.
pub fn assistance_answer_duty(
    duties: &DutiesTable,
    severity_level: u8,
) -> Option<(DutyKind, SignedDuration)> {
    [DutyKind::AssistanceAnswer, DutyKind::InitialReply]
        .into_iter()
        .find_map(|kind| {
            duties
                .duty_for(kind, severity_level)
                .map(|within| (kind, within))
        })
}

/// Whether a message of this kind, sent by a recipient in a thread, is a status update: a
/// substantive message about the matter (a response, an assistance offer, a request outcome).
pub fn counts_as_status_update(kind: MessageKind) -> bool {
    matches!(
        kind,
        MessageKind::Response | MessageKind::AssistanceOffer | MessageKind::RequestOutcome
    )
}

/// The status updates one recipient owed in a thread opened at `opened_at`, one every `every`:
/// period `k` (k = 1, 2, …) falls due at `opened_at + k·every`, and its update is the first the
/// recipient sent after the previous period fell due (for the first period, after the opening).
/// A period is owed while the thread is open: a closed thread's periods are those that fell due
/// by its closing; an open thread's run to the period `now` is in (pending until it falls due).
/// `updates` are the times of the recipient's status updates, in any order.
///
/// So an update sent late counts late for the period it was owed in, and for the next period
/// too when it falls there — it is the update that period got.
pub fn status_update_duties(
    opened_at: Timestamp,
    every: SignedDuration,
    closed_at: Option<Timestamp>,
    updates: &[Timestamp],
    now: Timestamp,
) -> Vec<DutyDue> {
    if every <= SignedDuration::ZERO {
        return Vec::new();
    }
    let mut updates = updates.to_vec();
    updates.sort();
    let mut duties = Vec::new();
    let mut period_start = opened_at;
    while duties.len() < MAXIMUM_STATUS_UPDATE_PERIODS {
        let Some(due_at) = deadline_for(period_start, every) else {
            break;
        };
        let owed = match closed_at {
            Some(closed_at) => due_at <= closed_at,
            None => period_start < now,
        };
        if !owed {
            break;
        }
        let done_at = updates.iter().copied().find(|at| *at > period_start);
        duties.push(DutyDue::at(due_at, done_at, now));
        period_start = due_at;
    }
    duties
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::deadline::DutyRule;
    use DeadlineOutcome::{Late, Met, Missed, Pending};

    /// Hours after an arbitrary origin.
    fn at(hours: i64) -> Timestamp {
        Timestamp::from_microseconds(1_700_000_000_000_000 + hours * 3_600_000_000).unwrap()
    }

    /// One row: opened at 0, updates every 72 h, closed at, update times, now (hours) → each
    /// period's (due, done, outcome).
    fn check(
        closed_at: Option<i64>,
        updates: &[i64],
        now: i64,
        expect: &[(i64, Option<i64>, DeadlineOutcome)],
    ) {
        let updates: Vec<Timestamp> = updates.iter().map(|hours| at(*hours)).collect();
        let duties = status_update_duties(
            at(0),
            SignedDuration::from_hours(72),
            closed_at.map(at),
            &updates,
            at(now),
        );
        let expected: Vec<DutyDue> = expect
            .iter()
            .map(|(due, done, outcome)| DutyDue {
                due_at: at(*due),
                done_at: done.map(at),
                outcome: *outcome,
            })
            .collect();
        assert_eq!(
            duties, expected,
            "closed {closed_at:?}, updates {updates:?}, now {now}"
        );
    }

    #[test]
    fn status_update_table() {
        // Open, first period running: pending until it falls due.
        check(None, &[], 10, &[(72, None, Pending)]);
        check(None, &[20], 10, &[(72, Some(20), Met)]);
        // Updated within each period.
        check(
            None,
            &[20, 100],
            150,
            &[
                (72, Some(20), Met),
                (144, Some(100), Met),
                (216, None, Pending),
            ],
        );
        // No update in the second period: missed once it fell due.
        check(
            None,
            &[20],
            150,
            &[
                (72, Some(20), Met),
                (144, None, Missed),
                (216, None, Pending),
            ],
        );
        // An update sent late is late for its period, and the update the next one got.
        check(
            None,
            &[100],
            150,
            &[
                (72, Some(100), Late),
                (144, Some(100), Met),
                (216, None, Pending),
            ],
        );
        // The deadline instant itself is on time.
        check(
            None,
            &[72],
            80,
            &[(72, Some(72), Met), (144, None, Pending)],
        );
        // A closed thread owes the periods that fell due by its closing, no more.
        check(Some(100), &[], 500, &[(72, None, Missed)]);
        check(Some(50), &[], 500, &[]);
        check(
            Some(144),
            &[20],
            500,
            &[(72, Some(20), Met), (144, None, Missed)],
        );
        // Now at the opening instant: nothing owed yet.
        check(None, &[], 0, &[]);
    }

    #[test]
    fn a_period_of_zero_owes_nothing_and_a_tiny_one_is_bounded() {
        assert!(status_update_duties(at(0), SignedDuration::ZERO, None, &[], at(10)).is_empty());
        let many = status_update_duties(at(0), SignedDuration::from_secs(1), None, &[], at(1000));
        assert_eq!(many.len(), MAXIMUM_STATUS_UPDATE_PERIODS);
    }

    fn table(rows: &[(DutyKind, u8, i64)]) -> DutiesTable {
        DutiesTable {
            rules: rows
                .iter()
                .map(|(kind, from_level, hours)| DutyRule {
                    kind: *kind,
                    from_level: *from_level,
                    within: SignedDuration::from_hours(*hours),
                })
                .collect(),
        }
    }

    #[test]
    fn an_answer_to_a_request_takes_the_documents_duty_else_the_initial_reply() {
        let with = table(&[
            (DutyKind::InitialReply, 0, 72),
            (DutyKind::AssistanceAnswer, 3, 12),
        ]);
        assert_eq!(
            assistance_answer_duty(&with, 4),
            Some((DutyKind::AssistanceAnswer, SignedDuration::from_hours(12)))
        );
        // Below the level of its assistance-answer duty, the document's initial reply applies.
        assert_eq!(
            assistance_answer_duty(&with, 1),
            Some((DutyKind::InitialReply, SignedDuration::from_hours(72)))
        );
        let without = table(&[(DutyKind::Acknowledge, 0, 1)]);
        assert_eq!(assistance_answer_duty(&without, 5), None);
    }

    #[test]
    fn the_notify_duty_runs_from_the_report_at_its_severity() {
        let duties = table(&[(DutyKind::Notify, 2, 72), (DutyKind::Notify, 4, 6)]);
        assert_eq!(notify_deadline(&duties, at(0), 1), None);
        assert_eq!(notify_deadline(&duties, at(0), 3), Some(at(72)));
        assert_eq!(notify_deadline(&duties, at(0), 5), Some(at(6)));
    }

    #[test]
    fn a_reply_acknowledges_when_it_comes_first() {
        assert_eq!(acknowledged_at(None, None), None);
        assert_eq!(acknowledged_at(Some(at(2)), None), Some(at(2)));
        assert_eq!(acknowledged_at(None, Some(at(3))), Some(at(3)));
        assert_eq!(acknowledged_at(Some(at(2)), Some(at(1))), Some(at(1)));
        assert_eq!(acknowledged_at(Some(at(1)), Some(at(5))), Some(at(1)));
    }

    #[test]
    fn substantive_messages_are_status_updates() {
        let updates: Vec<&str> = MessageKind::ALL
            .iter()
            .copied()
            .filter(|kind| counts_as_status_update(*kind))
            .map(|kind| kind.as_str())
            .collect();
        assert_eq!(updates, ["response", "assistance-offer", "request-outcome"]);
    }
}
