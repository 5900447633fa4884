//! The thread state machine, checked exhaustively against its table.

use std::collections::BTreeSet;

use redline_hotline::thread::Transition;
use redline_hotline::{
    InvalidTransition, MessageKind, TRANSITIONS, ThreadEvent, ThreadState, transition,
};

#[test]
fn every_pair_is_either_a_listed_transition_or_refused() {
    for &state in ThreadState::ALL {
        for &event in ThreadEvent::ALL {
            let listed: Vec<&Transition> = TRANSITIONS
                .iter()
                .filter(|row| row.from == state && row.event == event)
                .collect();
            assert!(listed.len() <= 1, "{state:?} + {event:?} is listed twice");
            match (listed.first(), transition(state, event)) {
                (Some(row), Ok(next)) => assert_eq!(next, row.to),
                (None, Err(refusal)) => assert_eq!(refusal, InvalidTransition { state, event }),
                (row, result) => panic!("{state:?} + {event:?}: table {row:?}, got {result:?}"),
            }
        }
    }
}

#[test]
fn the_table_reads_as_its_specification() {
    let mut lines = Vec::new();
    for &state in ThreadState::ALL {
        for &event in ThreadEvent::ALL {
            let outcome = match transition(state, event) {
                Ok(next) => next.as_str().to_string(),
                Err(_) => "refused".to_string(),
            };
            lines.push(format!(
                "{:<24} + {:<32} -> {outcome}",
                state.as_str(),
                event.as_str()
            ));
        }
    }
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn a_closed_thread_takes_no_event() {
    for &event in ThreadEvent::ALL {
        assert!(transition(ThreadState::Closed, event).is_err());
    }
}

#[test]
fn every_state_is_reachable_from_sent_and_every_open_state_can_close() {
    let mut reached = BTreeSet::from([ThreadState::Sent]);
    loop {
        let before = reached.len();
        for row in TRANSITIONS {
            if reached.contains(&row.from) {
                reached.insert(row.to);
            }
        }
        if reached.len() == before {
            break;
        }
    }
    assert_eq!(reached, ThreadState::ALL.iter().copied().collect());
    for &state in ThreadState::ALL {
        if state != ThreadState::Closed {
            assert_eq!(
                transition(state, ThreadEvent::Closure),
                Ok(ThreadState::Closed)
            );
        }
    }
}

#[test]
fn the_happy_path_runs_sent_delivered_acknowledged_answered_closed() {
    let events = [
        ThreadEvent::Delivery,
        ThreadEvent::Acknowledgement,
        ThreadEvent::Response,
        ThreadEvent::Closure,
    ];
    let mut state = ThreadState::Sent;
    let mut path = vec![state];
    for event in events {
        state = transition(state, event).unwrap();
        path.push(state);
    }
    assert_eq!(
        path,
        [
            ThreadState::Sent,
            ThreadState::Delivered,
            ThreadState::Acknowledged,
            ThreadState::Answered,
            ThreadState::Closed
        ]
    );
}

#[test]
fn deadlines_make_a_thread_overdue_and_late_replies_still_count() {
    let overdue = transition(
        ThreadState::Delivered,
        ThreadEvent::AcknowledgementDeadlinePassed,
    )
    .unwrap();
    assert!(overdue.is_overdue());
    let acknowledged = transition(overdue, ThreadEvent::Acknowledgement).unwrap();
    assert_eq!(acknowledged, ThreadState::Acknowledged);
    let response_overdue = transition(acknowledged, ThreadEvent::ResponseDeadlinePassed).unwrap();
    assert_eq!(response_overdue, ThreadState::ResponseOverdue);
    assert_eq!(
        transition(response_overdue, ThreadEvent::Response),
        Ok(ThreadState::Answered)
    );
}

#[test]
fn message_kinds_map_to_events() {
    let mapped: Vec<String> = MessageKind::ALL
        .iter()
        .map(|kind| {
            let event = ThreadEvent::for_message_kind(*kind)
                .map(|event| event.as_str())
                .unwrap_or("none");
            format!("{} -> {event}", kind.as_str())
        })
        .collect();
    insta::assert_snapshot!(mapped.join("\n"));
}
