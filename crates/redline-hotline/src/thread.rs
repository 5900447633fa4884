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
//!
//! Also who a reply in a thread goes to and which message it answers ([`draft_reply`]), the
//! one rule the console and the CLI draft replies by.

use redline_model::PartyId;
use uuid::Uuid;

use crate::message::MessageKind;

redline_model::vocabulary! {
    /// Where a thread stands.
    ThreadState {
        /// The opening message was accepted by the node.
        Sent => "sent",
        /// Its recipients' points of contact received it.
        Delivered => "delivered",
        /// A recipient acknowledged it; a substantive reply is still owed.
        Acknowledged => "acknowledged",
        /// A substantive reply arrived.
        Answered => "answered",
        /// Someone closed the thread; nothing more happens in it.
        Closed => "closed",
        /// The acknowledgement deadline passed without an acknowledgement.
        AcknowledgementOverdue => "acknowledgement-overdue",
        /// The first-reply deadline passed without a substantive reply.
        ResponseOverdue => "response-overdue",
    }
}

impl ThreadState {
    pub fn is_overdue(&self) -> bool {
        matches!(
            self,
            ThreadState::AcknowledgementOverdue | ThreadState::ResponseOverdue
        )
    }
}

redline_model::vocabulary! {
    /// What can happen to a thread.
    ThreadEvent {
        Delivery => "delivery",
        Acknowledgement => "acknowledgement",
        /// A substantive reply (response, check-reply, assistance-offer, request-outcome).
        Response => "response",
        Closure => "closure",
        AcknowledgementDeadlinePassed => "acknowledgement-deadline-passed",
        ResponseDeadlinePassed => "response-deadline-passed",
    }
}

impl ThreadEvent {
    /// The event a message of this kind causes in its thread, if any. A clarification request
    /// shows the message was read, so it counts as an acknowledgement; messages that open
    /// threads cause nothing when sent into an existing one.
    pub fn for_message_kind(kind: MessageKind) -> Option<ThreadEvent> {
        match kind {
            MessageKind::Acknowledgement | MessageKind::ClarificationRequest => {
                Some(ThreadEvent::Acknowledgement)
            }
            MessageKind::Response
            | MessageKind::CheckReply
            | MessageKind::AssistanceOffer
            | MessageKind::RequestOutcome => Some(ThreadEvent::Response),
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

/// What drafting a reply needs of a thread.
#[derive(Debug, Clone, Copy)]
pub struct ThreadFacts<'a> {
    pub opened_by: &'a PartyId,
    /// The kind of the message that opened it (`notification`, `communication-check`, …).
    pub opening_kind: &'a str,
    pub participants: &'a [PartyId],
}

/// What drafting a reply needs of one message of the thread.
#[derive(Debug, Clone, Copy)]
pub struct ThreadMessageFacts<'a> {
    pub id: Uuid,
    pub from: &'a PartyId,
    pub to: &'a [PartyId],
    pub kind: &'a str,
}

/// Who a reply goes to and which message it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyDraft {
    pub to: Vec<PartyId>,
    /// The message the reply refers to: the acknowledged message, the message a response
    /// answers, the assistance request an offer answers, the communication check a check-reply
    /// answers; `None` when the kind refers to none, or there is nothing to refer to.
    pub answers: Option<Uuid>,
}

/// Drafts a reply of `kind` by `replying_party` in a thread whose messages are `messages`
/// (oldest first):
///
/// - it goes to every other participant, except a check-reply, which goes to whoever started
///   the check (the thread's opener);
/// - an acknowledgement acknowledges the opening message (the first of the opening kind, else
///   the first message);
/// - a response answers the newest message someone else sent to the replying party (what it
///   answers must have been addressed to it), else the opening message;
/// - an assistance offer answers the newest assistance request someone else sent;
/// - a request outcome answers the newest assistance or mitigation request someone else sent
///   to the replying party (only a recipient gives one);
/// - a check-reply answers the thread's communication check;
/// - other kinds answer nothing.
pub fn draft_reply(
    thread: &ThreadFacts<'_>,
    messages: &[ThreadMessageFacts<'_>],
    replying_party: &PartyId,
    kind: MessageKind,
) -> ReplyDraft {
    let to = if kind == MessageKind::CheckReply {
        vec![thread.opened_by.clone()]
    } else {
        thread
            .participants
            .iter()
            .filter(|participant| *participant != replying_party)
            .cloned()
            .collect()
    };
    let opening = || {
        messages
            .iter()
            .find(|message| message.kind == thread.opening_kind)
            .or_else(|| messages.first())
            .map(|message| message.id)
    };
    let newest_received = |of_kinds: &[MessageKind], addressed_to_replier: bool| {
        messages
            .iter()
            .rev()
            .find(|message| {
                message.from != replying_party
                    && (of_kinds.is_empty()
                        || of_kinds
                            .iter()
                            .any(|of_kind| message.kind == of_kind.as_str()))
                    && (!addressed_to_replier || message.to.contains(replying_party))
            })
            .map(|message| message.id)
    };
    let answers = match kind {
        MessageKind::Acknowledgement => opening(),
        MessageKind::Response => newest_received(&[], true).or_else(opening),
        MessageKind::AssistanceOffer => newest_received(&[MessageKind::AssistanceRequest], false),
        MessageKind::RequestOutcome => newest_received(
            &[
                MessageKind::AssistanceRequest,
                MessageKind::MitigationRequest,
            ],
            true,
        ),
        MessageKind::CheckReply => messages
            .iter()
            .find(|message| message.kind == MessageKind::CommunicationCheck.as_str())
            .map(|message| message.id),
        _ => None,
    };
    ReplyDraft { to, answers }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn party(name: &str) -> PartyId {
        PartyId::parse(name).unwrap()
    }

    fn id(number: u128) -> Uuid {
        Uuid::from_u128(number)
    }

    /// One row: the thread's participants (the first opened it with `opening_kind`), its
    /// messages as (id, from, to, kind), who replies and with what → (recipients, answered id).
    fn check(
        participants: &[&str],
        opening_kind: &str,
        messages: &[(u128, &str, &[&str], &str)],
        replying: &str,
        kind: MessageKind,
        expect: (&[&str], Option<u128>),
    ) {
        let participants: Vec<PartyId> = participants.iter().map(|name| party(name)).collect();
        let owned: Vec<(Uuid, PartyId, Vec<PartyId>, &str)> = messages
            .iter()
            .map(|(number, from, to, kind)| {
                (
                    id(*number),
                    party(from),
                    to.iter().map(|name| party(name)).collect(),
                    *kind,
                )
            })
            .collect();
        let facts: Vec<ThreadMessageFacts<'_>> = owned
            .iter()
            .map(|(id, from, to, kind)| ThreadMessageFacts {
                id: *id,
                from,
                to,
                kind,
            })
            .collect();
        let thread = ThreadFacts {
            opened_by: &participants[0],
            opening_kind,
            participants: &participants,
        };
        let draft = draft_reply(&thread, &facts, &party(replying), kind);
        let expected = ReplyDraft {
            to: expect.0.iter().map(|name| party(name)).collect(),
            answers: expect.1.map(id),
        };
        assert_eq!(draft, expected, "{replying} sends a {}", kind.as_str());
    }

    #[test]
    fn reply_draft_table() {
        use MessageKind::*;
        let notified: &[(u128, &str, &[&str], &str)] = &[(1, "EE", &["LV", "LT"], "notification")];
        // The recipients acknowledge the opening message and answer it.
        check(
            &["EE", "LV", "LT"],
            "notification",
            notified,
            "LV",
            Acknowledgement,
            (&["EE", "LT"], Some(1)),
        );
        check(
            &["EE", "LV", "LT"],
            "notification",
            notified,
            "LV",
            Response,
            (&["EE", "LT"], Some(1)),
        );
        // A response answers the newest message someone else sent to the replier.
        let talked: &[(u128, &str, &[&str], &str)] = &[
            (1, "EE", &["LV", "LT"], "notification"),
            (2, "LV", &["EE", "LT"], "clarification-request"),
            (3, "LT", &["EE"], "check-reply"),
            (4, "EE", &["LV", "LT"], "response"),
        ];
        check(
            &["EE", "LV", "LT"],
            "notification",
            talked,
            "LV",
            Response,
            (&["EE", "LT"], Some(4)),
        );
        check(
            &["EE", "LV", "LT"],
            "notification",
            talked,
            "EE",
            Response,
            (&["LV", "LT"], Some(3)),
        );
        // The opener alone so far: its response answers its own opening message.
        check(
            &["EE", "LV"],
            "notification",
            &notified[..1],
            "EE",
            Response,
            (&["LV"], Some(1)),
        );
        // An assistance offer answers the newest request by someone else, or nothing.
        let asked: &[(u128, &str, &[&str], &str)] = &[
            (1, "EE", &["LV"], "notification"),
            (2, "EE", &["LV"], "assistance-request"),
            (3, "EE", &["LV"], "response"),
        ];
        check(
            &["EE", "LV"],
            "notification",
            asked,
            "LV",
            AssistanceOffer,
            (&["EE"], Some(2)),
        );
        check(
            &["EE", "LV"],
            "notification",
            notified,
            "LV",
            AssistanceOffer,
            (&["EE"], None),
        );
        // A request outcome answers the newest assistance or mitigation request sent to the
        // replier, or nothing.
        let requested: &[(u128, &str, &[&str], &str)] = &[
            (1, "EE", &["LV", "LT"], "assistance-request"),
            (2, "EE", &["LT"], "mitigation-request"),
            (3, "LT", &["EE"], "response"),
        ];
        check(
            &["EE", "LV", "LT"],
            "assistance-request",
            requested,
            "LT",
            RequestOutcome,
            (&["EE", "LV"], Some(2)),
        );
        check(
            &["EE", "LV", "LT"],
            "assistance-request",
            requested,
            "LV",
            RequestOutcome,
            (&["EE", "LT"], Some(1)),
        );
        check(
            &["EE", "LV"],
            "notification",
            notified,
            "LV",
            RequestOutcome,
            (&["EE"], None),
        );
        // A check-reply goes to the check's starter and answers the check.
        let checked: &[(u128, &str, &[&str], &str)] = &[
            (7, "EE", &["LV", "LT"], "communication-check"),
            (8, "LV", &["EE"], "check-reply"),
        ];
        check(
            &["EE", "LV", "LT"],
            "communication-check",
            checked,
            "LT",
            CheckReply,
            (&["EE"], Some(7)),
        );
        check(
            &["EE", "LV", "LT"],
            "communication-check",
            checked,
            "LT",
            Response,
            (&["EE", "LV"], Some(7)),
        );
        // Kinds that refer to nothing.
        check(
            &["EE", "LV"],
            "notification",
            notified,
            "LV",
            ClarificationRequest,
            (&["EE"], None),
        );
        check(
            &["EE", "LV"],
            "notification",
            notified,
            "LV",
            Closure,
            (&["EE"], None),
        );
        // An empty thread: nothing to answer.
        check(
            &["EE", "LV"],
            "notification",
            &[],
            "LV",
            Response,
            (&["EE"], None),
        );
    }
}
