//! Deadline arithmetic: duties by severity band, UTC instants, overdue at the boundary.

use jiff::SignedDuration;
use redline_hotline::{
    DutiesTable, DutyKind, DutyRule, ThreadDeadlines, ThreadEvent, ThreadState, deadline_for,
    due_deadline_event, is_overdue,
};

use crate::support::time;

fn hours(count: i64) -> SignedDuration {
    SignedDuration::from_hours(count)
}

/// The `[[duty]]` rows of `norms/baseline.toml`, as the norms crate will hand them over.
fn baseline_duties() -> DutiesTable {
    let rule = |kind, from_level, within| DutyRule {
        kind,
        from_level,
        within,
    };
    DutiesTable {
        rules: vec![
            rule(DutyKind::Acknowledge, 0, hours(24)),
            rule(DutyKind::Acknowledge, 2, hours(4)),
            rule(DutyKind::Acknowledge, 3, hours(2)),
            rule(DutyKind::Acknowledge, 4, hours(1)),
            rule(DutyKind::InitialReply, 0, hours(72)),
            rule(DutyKind::InitialReply, 3, hours(24)),
            rule(DutyKind::StatusUpdate, 3, hours(72)),
        ],
    }
}

#[test]
fn the_section_six_defaults_apply_at_every_level() {
    let table = DutiesTable::default();
    for level in 0..=5 {
        assert_eq!(table.duty_for(DutyKind::Acknowledge, level), Some(hours(1)));
        assert_eq!(
            table.duty_for(DutyKind::InitialReply, level),
            Some(hours(24))
        );
        assert_eq!(
            table.duty_for(DutyKind::StatusUpdate, level),
            Some(hours(72))
        );
        assert_eq!(table.duty_for(DutyKind::Notify, level), None);
    }
}

#[test]
fn duties_follow_the_severity_bands() {
    let table = baseline_duties();
    let acknowledge: Vec<_> = (0..=5)
        .map(|level| table.duty_for(DutyKind::Acknowledge, level))
        .collect();
    assert_eq!(
        acknowledge,
        [
            Some(hours(24)),
            Some(hours(24)),
            Some(hours(4)),
            Some(hours(2)),
            Some(hours(1)),
            Some(hours(1))
        ]
    );
    assert_eq!(table.duty_for(DutyKind::InitialReply, 2), Some(hours(72)));
    assert_eq!(table.duty_for(DutyKind::InitialReply, 3), Some(hours(24)));
    assert_eq!(table.duty_for(DutyKind::StatusUpdate, 2), None);
    assert_eq!(table.duty_for(DutyKind::StatusUpdate, 3), Some(hours(72)));
    assert_eq!(
        table.duty_for(DutyKind::Acknowledge, 200),
        Some(hours(1)),
        "levels above 5 count as 5"
    );
}

#[test]
fn the_shorter_time_wins_when_two_rows_share_a_level() {
    let mut table = baseline_duties();
    table.rules.push(DutyRule {
        kind: DutyKind::Acknowledge,
        from_level: 4,
        within: SignedDuration::from_mins(30),
    });
    assert_eq!(
        table.duty_for(DutyKind::Acknowledge, 5),
        Some(SignedDuration::from_mins(30))
    );
}

#[test]
fn deadlines_are_exact_utc_arithmetic() {
    let cases = [
        // The night European clocks go forward: UTC does not notice.
        ("2026-03-29T00:30:00Z", hours(1), "2026-03-29T01:30:00Z"),
        // And the night they go back.
        ("2026-10-25T00:30:00Z", hours(2), "2026-10-25T02:30:00Z"),
        // Across a leap day and a year end.
        ("2028-02-28T12:00:00Z", hours(24), "2028-02-29T12:00:00Z"),
        ("2026-12-31T23:00:00Z", hours(72), "2027-01-03T23:00:00Z"),
        // Offsets are normalised to UTC on the way in; microseconds are kept.
        (
            "2026-11-22T12:00:00.123456+02:00",
            hours(1),
            "2026-11-22T11:00:00.123456Z",
        ),
    ];
    for (sent_at, within, expected) in cases {
        assert_eq!(
            deadline_for(time(sent_at), within),
            Some(time(expected)),
            "{sent_at} + {within}"
        );
    }
    assert_eq!(
        deadline_for(time("9999-12-30T12:00:00Z"), hours(72)),
        None,
        "beyond the representable range"
    );
}

#[test]
fn a_deadline_is_met_up_to_and_including_its_instant() {
    let deadline = time("2026-11-22T11:00:00Z");
    assert!(!is_overdue(deadline, time("2026-11-22T10:59:59.999999Z")));
    assert!(!is_overdue(deadline, deadline));
    assert!(is_overdue(deadline, time("2026-11-22T11:00:00.000001Z")));
}

#[test]
fn thread_deadlines_come_from_the_severity_band() {
    let sent_at = time("2026-11-22T10:00:00Z");
    assert_eq!(
        baseline_duties().thread_deadlines(sent_at, 4),
        ThreadDeadlines {
            acknowledge_by: Some(time("2026-11-22T11:00:00Z")),
            respond_by: Some(time("2026-11-23T10:00:00Z")),
        }
    );
    assert_eq!(
        baseline_duties().thread_deadlines(sent_at, 1),
        ThreadDeadlines {
            acknowledge_by: Some(time("2026-11-23T10:00:00Z")),
            respond_by: Some(time("2026-11-25T10:00:00Z")),
        }
    );
}

#[test]
fn the_scheduler_is_told_which_deadline_event_is_due() {
    let deadlines = DutiesTable::default().thread_deadlines(time("2026-11-22T10:00:00Z"), 3);
    let at = |text| time(text);
    let cases = [
        (ThreadState::Delivered, "2026-11-22T10:30:00Z", None),
        (
            ThreadState::Delivered,
            "2026-11-22T11:00:01Z",
            Some(ThreadEvent::AcknowledgementDeadlinePassed),
        ),
        (ThreadState::Acknowledged, "2026-11-22T11:00:01Z", None),
        (
            ThreadState::AcknowledgementOverdue,
            "2026-11-23T10:00:01Z",
            Some(ThreadEvent::ResponseDeadlinePassed),
        ),
        (
            ThreadState::Sent,
            "2026-11-24T00:00:00Z",
            Some(ThreadEvent::ResponseDeadlinePassed),
        ),
        (ThreadState::Answered, "2026-12-01T00:00:00Z", None),
        (ThreadState::ResponseOverdue, "2026-12-01T00:00:00Z", None),
        (ThreadState::Closed, "2026-12-01T00:00:00Z", None),
    ];
    for (state, now, expected) in cases {
        let event = due_deadline_event(state, &deadlines, at(now));
        assert_eq!(event, expected, "{state:?} at {now}");
        if let Some(event) = event {
            assert!(redline_hotline::transition(state, event).is_ok());
        }
    }
}
