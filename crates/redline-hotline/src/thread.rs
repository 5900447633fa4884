//! The thread state machine: where a hotline matter stands.
//!
//! A thread starts `Sent` when its opening message is accepted and moves
//! sent → delivered → acknowledged → answered → closed, or to an overdue state when a deadline
//! passes first. Every allowed move is a row of `TRANSITIONS`; a pair that is not listed is
//! refused with `InvalidTransition`, so the table is the whole specification and tests iterate it.
//!
//! Shortcuts are deliberate: an acknowledgement implies delivery, and a substantive response
//! implies acknowledgement. A late acknowledgement or response still moves the thread on; the
//! lateness itself is recorded by the log and the dashboard, not lost here.

use crate::message::MessageKind;

/// Where a thread stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ThreadState {
    /// The opening message was accepted by the node.
    Sent,
    /// Its recipients' points of contact received it.
    Delivered,
    /// A recipient acknowledged it; a substantive reply is still owed.
    Acknowledged,
    /// A substantive reply arrived.
    Answered,
    /// Someone closed the thread; nothing more happens in it.
    Closed,
    /// The acknowledgement deadline passed without an acknowledgement.
    AcknowledgementOverdue,
    /// The first-reply deadline passed without a substantive reply.
    ResponseOverdue,
}

impl ThreadState {
    pub const ALL: [ThreadState; 7] = [
        ThreadState::Sent,
        ThreadState::Delivered,
        ThreadState::Acknowledged,
        ThreadState::Answered,
        ThreadState::Closed,
        ThreadState::AcknowledgementOverdue,
        ThreadState::ResponseOverdue,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            ThreadState::Sent => "sent",
            ThreadState::Delivered => "delivered",
            ThreadState::Acknowledged => "acknowledged",
            ThreadState::Answered => "answered",
            ThreadState::Closed => "closed",
            ThreadState::AcknowledgementOverdue => "acknowledgement-overdue",
            ThreadState::ResponseOverdue => "response-overdue",
        }
    }

    pub fn is_overdue(&self) -> bool {
        matches!(
            self,
            ThreadState::AcknowledgementOverdue | ThreadState::ResponseOverdue
        )
    }
}

/// What can happen to a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ThreadEvent {
    Delivery,
    Acknowledgement,
    /// A substantive reply (response, check-reply, assistance-offer).
    Response,
    Closure,
    AcknowledgementDeadlinePassed,
    ResponseDeadlinePassed,
}

impl ThreadEvent {
    pub const ALL: [ThreadEvent; 6] = [
        ThreadEvent::Delivery,
        ThreadEvent::Acknowledgement,
        ThreadEvent::Response,
        ThreadEvent::Closure,
        ThreadEvent::AcknowledgementDeadlinePassed,
        ThreadEvent::ResponseDeadlinePassed,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            ThreadEvent::Delivery => "delivery",
            ThreadEvent::Acknowledgement => "acknowledgement",
            ThreadEvent::Response => "response",
            ThreadEvent::Closure => "closure",
            ThreadEvent::AcknowledgementDeadlinePassed => "acknowledgement-deadline-passed",
            ThreadEvent::ResponseDeadlinePassed => "response-deadline-passed",
        }
    }

    /// The event a message of this kind causes in its thread, if any. A clarification request
    /// shows the message was read, so it counts as an acknowledgement; messages that open
    /// threads cause nothing when sent into an existing one.
    pub fn for_message_kind(kind: MessageKind) -> Option<ThreadEvent> {
        match kind {
            MessageKind::Acknowledgement | MessageKind::ClarificationRequest => {
                Some(ThreadEvent::Acknowledgement)
            }
            MessageKind::Response | MessageKind::CheckReply | MessageKind::AssistanceOffer => {
                Some(ThreadEvent::Response)
            }
            MessageKind::Closure => Some(ThreadEvent::Closure),
            MessageKind::Notification
            | MessageKind::AssistanceRequest
            | MessageKind::MitigationRequest
            | MessageKind::CommunicationCheck => None,
        }
    }
}

/// One allowed move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: ThreadState,
    pub event: ThreadEvent,
    pub to: ThreadState,
}

const fn row(from: ThreadState, event: ThreadEvent, to: ThreadState) -> Transition {
    Transition { from, event, to }
}

use ThreadEvent as E;
use ThreadState as S;

/// Every allowed move; anything else is refused.
pub const TRANSITIONS: &[Transition] = &[
    // Sent
    row(S::Sent, E::Delivery, S::Delivered),
    row(S::Sent, E::Acknowledgement, S::Acknowledged),
    row(S::Sent, E::Response, S::Answered),
    row(S::Sent, E::Closure, S::Closed),
    row(
        S::Sent,
        E::AcknowledgementDeadlinePassed,
        S::AcknowledgementOverdue,
    ),
    row(S::Sent, E::ResponseDeadlinePassed, S::ResponseOverdue),
    // Delivered
    row(S::Delivered, E::Acknowledgement, S::Acknowledged),
    row(S::Delivered, E::Response, S::Answered),
    row(S::Delivered, E::Closure, S::Closed),
    row(
        S::Delivered,
        E::AcknowledgementDeadlinePassed,
        S::AcknowledgementOverdue,
    ),
    row(S::Delivered, E::ResponseDeadlinePassed, S::ResponseOverdue),
    // Acknowledged
    row(S::Acknowledged, E::Delivery, S::Acknowledged),
    row(S::Acknowledged, E::Acknowledgement, S::Acknowledged),
    row(S::Acknowledged, E::Response, S::Answered),
    row(S::Acknowledged, E::Closure, S::Closed),
    row(
        S::Acknowledged,
        E::ResponseDeadlinePassed,
        S::ResponseOverdue,
    ),
    // Answered
    row(S::Answered, E::Delivery, S::Answered),
    row(S::Answered, E::Acknowledgement, S::Answered),
    row(S::Answered, E::Response, S::Answered),
    row(S::Answered, E::Closure, S::Closed),
    // AcknowledgementOverdue
    row(
        S::AcknowledgementOverdue,
        E::Delivery,
        S::AcknowledgementOverdue,
    ),
    row(
        S::AcknowledgementOverdue,
        E::Acknowledgement,
        S::Acknowledged,
    ),
    row(S::AcknowledgementOverdue, E::Response, S::Answered),
    row(S::AcknowledgementOverdue, E::Closure, S::Closed),
    row(
        S::AcknowledgementOverdue,
        E::ResponseDeadlinePassed,
        S::ResponseOverdue,
    ),
    // ResponseOverdue
    row(S::ResponseOverdue, E::Delivery, S::ResponseOverdue),
    row(S::ResponseOverdue, E::Acknowledgement, S::ResponseOverdue),
    row(S::ResponseOverdue, E::Response, S::Answered),
    row(S::ResponseOverdue, E::Closure, S::Closed),
    // Closed: nothing.
];

/// A move the table does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a thread that is {} cannot take a {}", state.as_str(), event.as_str())]
pub struct InvalidTransition {
    pub state: ThreadState,
    pub event: ThreadEvent,
}

/// The state after `event`, or why the event does not apply.
pub fn transition(
    state: ThreadState,
    event: ThreadEvent,
) -> Result<ThreadState, InvalidTransition> {
    TRANSITIONS
        .iter()
        .find(|candidate| candidate.from == state && candidate.event == event)
        .map(|found| found.to)
        .ok_or(InvalidTransition { state, event })
}
