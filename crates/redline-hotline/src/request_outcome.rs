//! Structured outcomes of assistance and mitigation requests (GGE 2015 norm 13(h): respond to
//! appropriate requests for assistance, and to requests to mitigate activity from one's
//! territory).
//!
//! Owns the four outcomes a recipient gives a request (`accepted`, `partly`, `declined`,
//! `completed`), the table of the steps allowed between them (`OUTCOME_TRANSITIONS`, the whole
//! specification: a step it does not list is refused with `InvalidOutcomeTransition`), and the
//! replay of a thread's messages into where each request stands for each of its recipients
//! (`requests_of_thread`), for the thread page, the API and the command line.
//!
//! An outcome is a message kind of its own (`request-outcome`, see `message.rs`), not a field of
//! the message answering the request: a request moves over days (accepted, then partly done,
//! then completed), each step a signed statement a party's record is built from. As a field of
//! `response` or `assistance-offer`, a free-text reply could silently move a request, those kinds
//! would mean two things, and a response may answer any message, not only a request. As a kind
//! of its own each message is one thing, its body one shape (a decline without a reason does not
//! parse), and the acceptance rules — only a recipient of the request, only a request of the same
//! thread, only a step of the table — apply to exactly these messages (`verify_message`, rules 9
//! and 10).
//!
//! Each recipient of a request answers for itself: the state is per request and recipient.

use std::collections::BTreeMap;

use redline_model::{PartyId, Timestamp};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::message::{HotlineMessage, MessageBody, MessageKind};

redline_model::vocabulary! {
    /// Where a recipient stands on a request it was sent.
    RequestOutcomeKind {
        /// The recipient will do what was asked.
        Accepted => "accepted",
        /// Part of it is done; the body says what is done and what is not.
        Partly => "partly",
        /// The recipient will not do it; the body says why. Final.
        Declined => "declined",
        /// It is done. Final.
        Completed => "completed",
    }
}

impl RequestOutcomeKind {
    /// Whether nothing may follow this outcome.
    pub fn is_final(&self) -> bool {
        !OUTCOME_TRANSITIONS
            .iter()
            .any(|step| step.from == Some(*self))
    }
}

/// One allowed step: from no outcome yet (`None`) or from an outcome, to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutcomeTransition {
    pub from: Option<RequestOutcomeKind>,
    pub to: RequestOutcomeKind,
}

const fn step(from: Option<RequestOutcomeKind>, to: RequestOutcomeKind) -> OutcomeTransition {
    OutcomeTransition { from, to }
}

use RequestOutcomeKind as O;

/// Every allowed step; anything else is refused. A first outcome accepts or declines; an
/// accepted request is then partly done or completed, a partly done one completed; declined and
/// completed are final.
pub const OUTCOME_TRANSITIONS: &[OutcomeTransition] = &[
    step(None, O::Accepted),
    step(None, O::Declined),
    step(Some(O::Accepted), O::Partly),
    step(Some(O::Accepted), O::Completed),
    step(Some(O::Partly), O::Completed),
];

/// A step the table does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{}", describe_refusal(*current, *next))]
pub struct InvalidOutcomeTransition {
    /// The recipient's latest outcome of the request, if it gave one.
    pub current: Option<RequestOutcomeKind>,
    pub next: RequestOutcomeKind,
}

fn describe_refusal(current: Option<RequestOutcomeKind>, next: RequestOutcomeKind) -> String {
    let allowed: Vec<&str> = OUTCOME_TRANSITIONS
        .iter()
        .filter(|step| step.from == current)
        .map(|step| step.to.as_str())
        .collect();
    match current {
        None => format!(
            "no outcome was given yet: the first outcome is {}, not {}",
            allowed.join(" or "),
            next.as_str()
        ),
        Some(current) if allowed.is_empty() => format!(
            "the request is {} already, which is final: no outcome follows it",
            current.as_str()
        ),
        Some(current) => format!(
            "the request is {}: the next outcome is {}, not {}",
            current.as_str(),
            allowed.join(" or "),
            next.as_str()
        ),
    }
}

/// The outcome after `next`, given the recipient's latest outcome `current`, or why the step is
/// refused.
pub fn next_outcome(
    current: Option<RequestOutcomeKind>,
    next: RequestOutcomeKind,
) -> Result<RequestOutcomeKind, InvalidOutcomeTransition> {
    OUTCOME_TRANSITIONS
        .iter()
        .find(|step| step.from == current && step.to == next)
        .map(|step| step.to)
        .ok_or(InvalidOutcomeTransition { current, next })
}

/// One outcome a recipient gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeStep {
    /// The `request-outcome` message.
    pub message: Uuid,
    pub outcome: RequestOutcomeKind,
    /// When the node received it.
    pub at: Timestamp,
    /// The declined outcome's reason, the partly one's done and not done, the accepted or
    /// completed one's summary: free text, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_done: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

/// Where one recipient stands on one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientOutcome {
    pub party: PartyId,
    /// Its latest outcome; `None` until it gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<RequestOutcomeKind>,
    /// Every outcome it gave, oldest first.
    pub steps: Vec<OutcomeStep>,
    /// The assistance offers it made in answer to the request.
    pub offers: Vec<Uuid>,
}

/// One assistance or mitigation request of a thread and where each recipient stands on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestStatus {
    /// The request message.
    pub request: Uuid,
    /// `assistance-request` or `mitigation-request`.
    pub kind: String,
    pub from: PartyId,
    pub requested_at: Timestamp,
    pub recipients: Vec<RecipientOutcome>,
}

/// Whether a message of this kind can be given an outcome.
pub fn takes_an_outcome(kind: MessageKind) -> bool {
    matches!(
        kind,
        MessageKind::AssistanceRequest | MessageKind::MitigationRequest
    )
}

/// Replays a thread's messages (oldest first, each with the time the node received it) into
/// where each of its requests stands for each recipient. The node accepted every outcome through
/// the table, so the replay only follows it; an outcome that names no request of the thread, or
/// comes from a party the request was not sent to, is not counted.
pub fn requests_of_thread(messages: &[(&HotlineMessage, Timestamp)]) -> Vec<RequestStatus> {
    let mut requests: Vec<RequestStatus> = Vec::new();
    let mut index_of: BTreeMap<Uuid, usize> = BTreeMap::new();
    for (message, received_at) in messages {
        match &message.body {
            body @ (MessageBody::AssistanceRequest(_) | MessageBody::MitigationRequest(_)) => {
                index_of.insert(message.id, requests.len());
                requests.push(RequestStatus {
                    request: message.id,
                    kind: body.kind().as_str().to_string(),
                    from: message.from.clone(),
                    requested_at: *received_at,
                    recipients: message
                        .to
                        .iter()
                        .map(|party| RecipientOutcome {
                            party: party.clone(),
                            outcome: None,
                            steps: Vec::new(),
                            offers: Vec::new(),
                        })
                        .collect(),
                });
            }
            MessageBody::RequestOutcome(body) => {
                let Some(recipient) = index_of.get(&body.request).and_then(|index| {
                    requests[*index]
                        .recipients
                        .iter_mut()
                        .find(|recipient| recipient.party == message.from)
                }) else {
                    continue;
                };
                if let Ok(next) = next_outcome(recipient.outcome, body.outcome) {
                    recipient.outcome = Some(next);
                    recipient.steps.push(OutcomeStep {
                        message: message.id,
                        outcome: next,
                        at: *received_at,
                        reason: body.reason.clone(),
                        done: body.done.clone(),
                        not_done: body.not_done.clone(),
                        summary: body.summary.clone(),
                    });
                }
            }
            MessageBody::AssistanceOffer(offer) => {
                if let Some(recipient) = offer
                    .request
                    .and_then(|request| index_of.get(&request))
                    .and_then(|index| {
                        requests[*index]
                            .recipients
                            .iter_mut()
                            .find(|recipient| recipient.party == message.from)
                    })
                {
                    recipient.offers.push(message.id);
                }
            }
            _ => {}
        }
    }
    requests
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One row: the latest outcome, the next one → accepted (`Some(result)`) or refused.
    fn check(
        current: Option<RequestOutcomeKind>,
        next: RequestOutcomeKind,
        expect: Option<RequestOutcomeKind>,
    ) {
        assert_eq!(
            next_outcome(current, next).ok(),
            expect,
            "{current:?} → {next:?}"
        );
    }

    #[test]
    fn outcome_transition_table() {
        use RequestOutcomeKind::{Accepted, Completed, Declined, Partly};
        // A first outcome accepts or declines.
        check(None, Accepted, Some(Accepted));
        check(None, Declined, Some(Declined));
        check(None, Partly, None);
        check(None, Completed, None);
        // Accepted: partly done or completed.
        check(Some(Accepted), Partly, Some(Partly));
        check(Some(Accepted), Completed, Some(Completed));
        check(Some(Accepted), Accepted, None);
        check(Some(Accepted), Declined, None);
        // Partly: completed.
        check(Some(Partly), Completed, Some(Completed));
        check(Some(Partly), Partly, None);
        check(Some(Partly), Accepted, None);
        check(Some(Partly), Declined, None);
        // Declined and completed are final.
        for &next in RequestOutcomeKind::ALL {
            check(Some(Declined), next, None);
            check(Some(Completed), next, None);
        }
    }

    #[test]
    fn every_pair_is_a_listed_step_or_refused_with_what_is_allowed() {
        let froms = std::iter::once(None).chain(RequestOutcomeKind::ALL.iter().copied().map(Some));
        for from in froms {
            for &to in RequestOutcomeKind::ALL {
                let listed = OUTCOME_TRANSITIONS
                    .iter()
                    .any(|step| step.from == from && step.to == to);
                match next_outcome(from, to) {
                    Ok(next) => assert!(listed && next == to),
                    Err(refusal) => {
                        assert!(!listed);
                        assert!(refusal.to_string().contains(to.as_str()) || from.is_some());
                    }
                }
            }
        }
        assert!(RequestOutcomeKind::Declined.is_final());
        assert!(RequestOutcomeKind::Completed.is_final());
        assert!(!RequestOutcomeKind::Accepted.is_final());
        assert!(!RequestOutcomeKind::Partly.is_final());
    }

    #[test]
    fn refusals_say_where_the_request_stands_and_what_may_follow() {
        use RequestOutcomeKind::{Accepted, Completed, Declined, Partly};
        let refusal = |current, next| {
            next_outcome(current, next)
                .err()
                .map(|refusal| refusal.to_string())
                .unwrap_or_default()
        };
        assert_eq!(
            refusal(None, Completed),
            "no outcome was given yet: the first outcome is accepted or declined, not completed"
        );
        assert_eq!(
            refusal(Some(Accepted), Declined),
            "the request is accepted: the next outcome is partly or completed, not declined"
        );
        assert_eq!(
            refusal(Some(Declined), Accepted),
            "the request is declined already, which is final: no outcome follows it"
        );
        assert_eq!(
            refusal(Some(Completed), Partly),
            "the request is completed already, which is final: no outcome follows it"
        );
    }
}
