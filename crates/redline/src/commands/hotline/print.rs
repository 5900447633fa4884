//! How hotline answers are shown to a duty officer: deadlines beside how far away they are,
//! threads as a table, a thread as its standard forms in order.

use redline_hotline::deadline::{DeadlineOutcome, deadline_outcome};
use redline_hotline::{MessageKind, ThreadEvent, ThreadState, transition};
use redline_model::Timestamp;
use serde_json::Value;
use uuid::Uuid;

use redline_hotline::HotlineMessage;
use redline_node::{
    AcceptedMessage, Awaiting, CheckStatus, MessageView, ThreadSummary, ThreadView,
};

/// A span of seconds for people: `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`.
pub fn span(seconds: f64) -> String {
    let seconds = seconds.abs();
    if seconds < 10.0 {
        return format!("{seconds:.1} s");
    }
    let whole = seconds.round() as u64;
    let (days, hours, minutes, rest) = (
        whole / 86_400,
        (whole % 86_400) / 3600,
        (whole % 3600) / 60,
        whole % 60,
    );
    if days > 0 {
        format!("{days} d {hours} h")
    } else if hours > 0 {
        format!("{hours} h {minutes} min")
    } else if minutes > 0 {
        format!("{minutes} min {rest} s")
    } else {
        format!("{rest} s")
    }
}

fn seconds_between(from: Timestamp, to: Timestamp) -> f64 {
    (to.as_microseconds() - from.as_microseconds()) as f64 / 1_000_000.0
}

/// `in 3 h 5 min` or `12 min ago`.
pub fn relative(at: Timestamp, now: Timestamp) -> String {
    let seconds = seconds_between(now, at);
    if seconds >= 0.0 {
        format!("in {}", span(seconds))
    } else {
        format!("{} ago", span(seconds))
    }
}

/// A duty not done by `at` is missed at `now`: the hotline's deadline outcome.
fn is_missed(at: Timestamp, now: Timestamp) -> bool {
    deadline_outcome(at, None, now) == DeadlineOutcome::Missed
}

/// A deadline with how far away it is, or when the duty was met.
fn deadline(at: Option<Timestamp>, met_at: Option<Timestamp>, now: Timestamp) -> String {
    match (at, met_at) {
        (_, Some(met)) => format!("met at {met}"),
        (Some(at), None) if is_missed(at, now) => format!("{at} (passed {})", relative(at, now)),
        (Some(at), None) => format!("{at} ({})", relative(at, now)),
        (None, None) => "-".to_string(),
    }
}

/// A deadline in a table cell: `in 3 h 5 min`, `overdue`, `done`, `-`.
fn deadline_cell(at: Option<Timestamp>, met_at: Option<Timestamp>, now: Timestamp) -> String {
    match (at, met_at) {
        (_, Some(_)) => "done".to_string(),
        (Some(at), None) if is_missed(at, now) => {
            format!("overdue {}", span(seconds_between(at, now)))
        }
        (Some(at), None) => relative(at, now),
        (None, None) => "-".to_string(),
    }
}

fn shorten(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let kept: String = text.chars().take(width.saturating_sub(1)).collect();
        format!("{kept}…")
    }
}

fn parties(list: &[redline_model::PartyId]) -> String {
    list.iter()
        .map(|party| party.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

pub fn accepted(message: &HotlineMessage, accepted: &AcceptedMessage, now: Timestamp) {
    println!(
        "sent {} from {} to {}",
        message.kind().as_str(),
        message.from,
        parties(&message.to)
    );
    println!("thread:         {}", accepted.thread);
    println!("message:        {}", accepted.id);
    println!("thread state:   {}", accepted.thread_state);
    // Which duties the thread's state shows as met.
    let state = accepted.thread_state.as_str();
    let acknowledged = matches!(
        state,
        "acknowledged" | "answered" | "closed" | "response-overdue"
    );
    let answered = matches!(state, "answered" | "closed");
    let describe = |at: Timestamp, met: bool| {
        if met {
            format!("{at} (met)")
        } else if at < now {
            format!("{at} (passed {})", relative(at, now))
        } else {
            format!("{at} ({})", relative(at, now))
        }
    };
    if let Some(at) = accepted.acknowledge_by {
        println!("acknowledge by: {}", describe(at, acknowledged));
    }
    if let Some(at) = accepted.respond_by {
        println!("respond by:     {}", describe(at, answered));
    }
    if message.exercise {
        println!("EXERCISE: this message is marked as part of an exercise");
    }
}

pub fn inbox(threads: &[ThreadSummary], now: Timestamp, operator: bool) {
    if threads.is_empty() {
        println!("no threads");
        return;
    }
    println!(
        "{:<36} {:<23} {:<21} {:<9} {:<14} {:<18} {:<18} {:<8} FLAGS",
        "THREAD", "STATE", "OPENED WITH", "FROM", "WITH", "ACKNOWLEDGE", "RESPOND", "YOU OWE"
    );
    for thread in threads {
        let others: Vec<redline_model::PartyId> = thread
            .participants
            .iter()
            .filter(|party| **party != thread.opened_by)
            .cloned()
            .collect();
        let closed = thread.closed_at.is_some();
        let (acknowledge, respond) = if closed {
            ("-".to_string(), "-".to_string())
        } else {
            (
                deadline_cell(thread.acknowledge_by, thread.acknowledged_at, now),
                deadline_cell(thread.respond_by, thread.answered_at, now),
            )
        };
        let owed = match thread.awaiting_from_you {
            Some(Awaiting::Acknowledgement) => "ack",
            Some(Awaiting::Response) => "response",
            None => "-",
        };
        let mut flags = Vec::new();
        if thread.exercise {
            flags.push("EXERCISE".to_string());
        }
        flags.push(format!("tlp:{}", thread.tlp));
        if thread.incident.is_some() {
            flags.push("incident".to_string());
        }
        println!(
            "{:<36} {:<23} {:<21} {:<9} {:<14} {:<18} {:<18} {:<8} {}",
            thread.id,
            thread.state,
            thread.opening_kind,
            thread.opened_by.as_str(),
            shorten(&parties(&others), 14),
            acknowledge,
            respond,
            owed,
            flags.join(" ")
        );
    }
    if operator {
        println!("(every thread of the local node, as its operator)");
    }
}

/// The thread's state after each message, replayed with the thread state machine from the
/// messages and the times the thread records (delivery, deadlines passed), the way the node
/// moved it: only a recipient's acknowledgement or answer counts, a closure from anyone.
pub fn states_after_each_message(thread: &ThreadSummary, messages: &[MessageView]) -> Vec<String> {
    // (time, order, message index, event): recorded moments sort before messages of the same
    // instant, messages keep their order.
    let mut moments: Vec<(Timestamp, usize, Option<usize>, Option<ThreadEvent>)> = Vec::new();
    for (at, event) in [
        (thread.delivered_at, ThreadEvent::Delivery),
        (
            thread.acknowledgement_overdue_at,
            ThreadEvent::AcknowledgementDeadlinePassed,
        ),
        (
            thread.response_overdue_at,
            ThreadEvent::ResponseDeadlinePassed,
        ),
    ] {
        if let Some(at) = at {
            moments.push((at, 0, None, Some(event)));
        }
    }
    for (index, message) in messages.iter().enumerate().skip(1) {
        let kind = MessageKind::parse(&message.kind);
        let counts = kind == Some(MessageKind::Closure) || message.from != thread.opened_by;
        let event = kind
            .and_then(ThreadEvent::for_message_kind)
            .filter(|_| counts);
        moments.push((message.received_at, 1 + index, Some(index), event));
    }
    moments.sort_by_key(|(at, order, _, _)| (*at, *order));
    let mut states = vec![String::new(); messages.len()];
    let mut state = ThreadState::Sent;
    if let Some(first) = states.first_mut() {
        *first = state.as_str().to_string();
    }
    for (_, _, index, event) in moments {
        if let Some(event) = event
            && let Ok(next) = transition(state, event)
        {
            state = next;
        }
        if let Some(index) = index
            && let Some(slot) = states.get_mut(index)
        {
            *slot = state.as_str().to_string();
        }
    }
    states
}

pub fn thread(view: &ThreadView, forms: &[Value], states: &[String], now: Timestamp) {
    let thread = &view.thread;
    if thread.exercise {
        println!("*** EXERCISE ***");
    }
    println!("thread {}  state: {}", thread.id, thread.state);
    println!(
        "  opened by {} with a {} at {}; participants: {}",
        thread.opened_by,
        thread.opening_kind,
        thread.opened_at,
        parties(&thread.participants)
    );
    if let Some(incident) = &thread.incident {
        println!("  incident: {incident}");
    }
    println!(
        "  TLP:{}  severity level {}  norms document sha256 {}",
        thread.tlp,
        thread.severity_level,
        shorten(&thread.norms_sha256, 16)
    );
    println!(
        "  acknowledge by: {}",
        deadline(thread.acknowledge_by, thread.acknowledged_at, now)
    );
    println!(
        "  respond by:     {}",
        deadline(thread.respond_by, thread.answered_at, now)
    );
    for (label, at) in [
        ("delivered", thread.delivered_at),
        ("acknowledgement overdue", thread.acknowledgement_overdue_at),
        ("response overdue", thread.response_overdue_at),
        ("closed", thread.closed_at),
    ] {
        if let Some(at) = at {
            println!("  {label} at {at}");
        }
    }
    if let Some(owed) = &thread.awaiting_from_you {
        println!("  you owe: {owed}");
    }
    for (number, message) in view.messages.iter().enumerate() {
        println!();
        println!(
            "#{}  {}  {} -> {}  sent {}  received {}  thread state after: {}",
            number + 1,
            message.kind,
            message.from,
            parties(&message.to),
            message.sent_at,
            message.received_at,
            states.get(number).map_or("?", String::as_str)
        );
        println!("    message {}  TLP:{}", message.id, message.tlp);
        let text = forms
            .get(number)
            .and_then(|form| form["plain_text"].as_str())
            .unwrap_or("(no standard form)");
        for line in text.lines() {
            if line.is_empty() {
                println!();
            } else {
                println!("    {line}");
            }
        }
    }
    for request in &view.requests {
        println!();
        println!(
            "{} {} from {} at {}",
            request.kind, request.request, request.from, request.requested_at
        );
        for recipient in &request.recipients {
            let outcome = recipient
                .outcome
                .map_or("no outcome yet", |outcome| outcome.as_str());
            let answer_by = match (recipient.answer_by, recipient.answer_duty) {
                (Some(at), Some(redline_model::DutyKind::InitialReply)) => format!(
                    "answer by {}  (timed by the initial-reply duty: the document has no assistance-answer duty)",
                    deadline(Some(at), recipient.answered_at, now)
                ),
                (Some(at), _) => format!(
                    "answer by {}",
                    deadline(Some(at), recipient.answered_at, now)
                ),
                (None, _) => "no answer deadline".to_string(),
            };
            println!("  {}: {outcome}  {answer_by}", recipient.party);
            for step in &recipient.steps {
                println!("    {} at {}", step.outcome.as_str(), step.at);
                for (label, text) in [
                    ("reason", &step.reason),
                    ("done", &step.done),
                    ("not done", &step.not_done),
                    ("summary", &step.summary),
                ] {
                    if let Some(text) = text {
                        println!("      {label}: {text}");
                    }
                }
            }
            if !recipient.offers.is_empty() {
                println!("    offers: {}", recipient.offers.len());
            }
        }
    }
}

pub fn check_started(
    check_id: Uuid,
    message: &HotlineMessage,
    accepted: &AcceptedMessage,
    now: Timestamp,
) {
    println!(
        "communication check {check_id} sent by {} to {}",
        message.from,
        parties(&message.to)
    );
    println!("check:    {check_id}");
    println!("thread:   {}", accepted.thread);
    println!("message:  {}", accepted.id);
    if let Some(at) = accepted.respond_by {
        println!("reply by: {at} ({})", relative(at, now));
    }
    if message.exercise {
        println!("EXERCISE: this check is marked as part of an exercise");
    }
    println!("next:     redline check status {check_id}");
}

pub fn check_status(check: &CheckStatus, now: Timestamp) {
    println!(
        "communication check {}{}",
        check.id,
        if check.exercise { " (EXERCISE)" } else { "" }
    );
    println!(
        "  started by {} at {}; thread {}",
        check.started_by, check.started_at, check.thread
    );
    println!(
        "  reply by {} ({})",
        check.reply_by,
        relative(check.reply_by, now)
    );
    println!();
    println!(
        "{:<10} {:<10} {:<30} REPLY TIME",
        "PARTY", "OUTCOME", "ANSWERED AT"
    );
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for target in &check.targets {
        *counts.entry(target.outcome.as_str()).or_default() += 1;
        println!(
            "{:<10} {:<10} {:<30} {}",
            target.party.as_str(),
            target.outcome,
            target
                .answered_at
                .map_or_else(|| "-".to_string(), |at| at.to_string()),
            target.reply_seconds.map_or_else(|| "-".to_string(), span)
        );
    }
    let summary: Vec<String> = counts
        .iter()
        .map(|(outcome, count)| format!("{count} {outcome}"))
        .collect();
    println!();
    println!("{} targets: {}", check.targets.len(), summary.join(", "));
}
