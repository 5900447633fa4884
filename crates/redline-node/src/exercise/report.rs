//! The after-action report of an exercise, gathered: the exercise's state, its threads and
//! their messages become the plain records of `redline_sim::after_action` (delivered injects,
//! messages, each recipient's deadlines with the hotline's outcome, decisions), which builds
//! and renders the report (JSON, Markdown, HTML).

use redline_hotline::deadline::deadline_outcome;
use redline_model::{PartyId, Timestamp};
use redline_sim::after_action::{
    AfterActionInput, DeadlineOutcome, DeliveredInject as DeliveredInjectRecord, ExchangedMessage,
    ExerciseDetails, ExercisePartyRole, InjectDelivery, InjectProgress, InjectSource,
    after_action_report,
};
use redline_store::{StoredMessage, StoredThread};

pub use redline_sim::after_action::{
    AfterActionReport, EXERCISE_BANNER, PartyDeadlines, TimelineEntry, render_html, render_html_in,
    render_json, render_markdown, render_markdown_in,
};

use super::{DeliveredInject, ExerciseState, ExerciseView, InjectKind};

/// The report of the exercise as of `now`, from its state and the records of its threads.
pub(crate) fn build(
    state: &ExerciseState,
    threads: &[StoredThread],
    messages: &[StoredMessage],
    now: Timestamp,
) -> AfterActionReport {
    after_action_report(AfterActionInput {
        details: exercise_details(state.view()),
        generated_at: now,
        injects: delivered_injects(state),
        messages: messages.iter().map(exchanged_message).collect(),
        deadlines: deadline_outcomes(threads, messages, now),
        decisions: state.decisions.clone(),
    })
}

fn exercise_details(view: ExerciseView) -> ExerciseDetails {
    ExerciseDetails {
        id: view.id,
        exercise: view.exercise,
        definition_id: view.definition_id,
        title: view.title,
        description: view.description,
        scenario: view.scenario,
        facilitator: view.facilitator,
        created_by: view.created_by,
        parties: view
            .parties
            .into_iter()
            .map(|party| ExercisePartyRole {
                id: party.id,
                role: party.role,
            })
            .collect(),
        started_at: view.started_at,
        speed: view.speed,
        injects: view
            .injects
            .into_iter()
            .map(|inject| InjectProgress {
                id: inject.id,
                kind: inject.kind.to_string(),
                at_minutes: inject.at_minutes,
                due_at: inject.due_at,
                text: inject.text,
                delivered: inject.delivered.map(inject_delivery),
            })
            .collect(),
    }
}

fn inject_delivery(delivered: DeliveredInject) -> InjectDelivery {
    InjectDelivery {
        inject: delivered.inject,
        kind: delivered.kind,
        delivered_at: delivered.delivered_at,
        incident: delivered.incident,
        message: delivered.message,
        thread: delivered.thread,
    }
}

/// The delivered injects, in the script's order.
fn delivered_injects(state: &ExerciseState) -> Vec<DeliveredInjectRecord> {
    state
        .definition
        .injects
        .iter()
        .filter_map(|inject| {
            let delivered = state.delivered.get(&inject.id)?;
            let source = match &inject.kind {
                InjectKind::Incident { reported_by, .. } => InjectSource::IncidentReport {
                    reported_by: reported_by.clone(),
                    incident: delivered.incident.clone(),
                },
                InjectKind::Notification { from, to, .. } => InjectSource::Notification {
                    from: from.clone(),
                    to: to.clone(),
                },
            };
            Some(DeliveredInjectRecord {
                id: inject.id.clone(),
                delivered_at: delivered.delivered_at,
                source,
                text: inject.text.clone(),
                message: delivered.message,
            })
        })
        .collect()
}

fn exchanged_message(message: &StoredMessage) -> ExchangedMessage {
    ExchangedMessage {
        id: message.id,
        received_at: message.received_at,
        kind: message.kind.to_string(),
        from: message.from.clone(),
        recipients: message.recipients.clone(),
        thread: message.thread_id,
    }
}

/// Each recipient's acknowledgement and response duties in each thread, with when they were
/// done (the recipient's first message of that kind) and the hotline's outcome as of `now`.
fn deadline_outcomes(
    threads: &[StoredThread],
    messages: &[StoredMessage],
    now: Timestamp,
) -> Vec<DeadlineOutcome> {
    let mut deadlines = Vec::new();
    for thread in threads {
        let recipients = thread
            .participants
            .iter()
            .filter(|party| **party != thread.opened_by);
        for party in recipients {
            let duties = [
                (
                    "acknowledgement",
                    thread.acknowledge_by,
                    thread.acknowledgement_overdue_at,
                ),
                ("response", thread.respond_by, thread.response_overdue_at),
            ];
            for (duty, due_by, overdue_at) in duties {
                let Some(due_by) = due_by else { continue };
                let done_at = first_message_of(messages, thread, party, duty);
                let outcome = deadline_outcome(due_by, done_at, now).as_str();
                deadlines.push(DeadlineOutcome {
                    thread: thread.id,
                    party: party.clone(),
                    duty,
                    due_by,
                    done_at,
                    overdue_at: if outcome == "met" { None } else { overdue_at },
                    outcome,
                });
            }
        }
    }
    deadlines
}

/// When `party` first sent a message of `kind` in `thread`.
fn first_message_of(
    messages: &[StoredMessage],
    thread: &StoredThread,
    party: &PartyId,
    kind: &str,
) -> Option<Timestamp> {
    messages
        .iter()
        .filter(|message| {
            message.thread_id == thread.id && &message.from == party && message.kind == kind
        })
        .map(|message| message.received_at)
        .min()
}
