//! The after-action report of an exercise: the timeline (every inject, message, deadline and
//! decision with its time), each party's deadlines met and missed, and the rungs chosen against
//! the norms' recommendations; as a value (JSON), Markdown and a self-contained HTML page. The
//! building and the renderings are pure: the use case reads the records and passes them in.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;
use uuid::Uuid;

use redline_hotline::deadline::deadline_outcome;
use redline_model::{PartyId, Timestamp};
use redline_store::{StoredMessage, StoredThread};

use super::{Decision, ExerciseState, ExerciseView, InjectKind};

/// The banner every rendering starts with.
pub const EXERCISE_BANNER: &str = "EXERCISE — EXERCISE — EXERCISE: everything in this report was played in an exercise; no incident, message or decision in it is real.";

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEntry {
    pub at: Timestamp,
    /// Exercise minutes since the start (real minutes times the speed), rounded down.
    pub exercise_minute: i64,
    /// `inject`, `message`, `deadline` or `decision`.
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party: Option<PartyId>,
    pub text: String,
}

/// One duty of one party in one thread.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeadlineOutcome {
    pub thread: Uuid,
    pub party: PartyId,
    /// `acknowledgement` or `response`.
    pub duty: &'static str,
    pub due_by: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done_at: Option<Timestamp>,
    /// When the node stamped the thread overdue (the deadline scheduler fired).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue_at: Option<Timestamp>,
    /// `met`, `late` (done after the deadline), `missed` (not done, deadline passed) or
    /// `pending`: the hotline's `DeadlineOutcome`.
    pub outcome: &'static str,
}

/// A party's deadlines, counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartyDeadlines {
    pub party: PartyId,
    pub role: String,
    pub met: u32,
    pub late: u32,
    pub missed: u32,
    pub pending: u32,
}

/// The after-action report.
#[derive(Debug, Clone, Serialize)]
pub struct AfterActionReport {
    /// Always true.
    pub exercise: bool,
    pub banner: &'static str,
    pub generated_at: Timestamp,
    #[serde(rename = "exercise_details")]
    pub details: ExerciseView,
    pub timeline: Vec<TimelineEntry>,
    pub deadlines: Vec<DeadlineOutcome>,
    pub parties: Vec<PartyDeadlines>,
    pub decisions: Vec<Decision>,
}

fn verdict_text(verdict: &str) -> &'static str {
    match verdict {
        "recommended" => "within the recommendation",
        "within-ceiling" => "within the ceiling, but not a recommended rung",
        "above-ceiling" => "above the ceiling",
        _ => "not compared",
    }
}

fn rungs_text(rungs: &[u32]) -> String {
    if rungs.is_empty() {
        "none".to_string()
    } else {
        rungs
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

pub(crate) fn build(
    state: &ExerciseState,
    threads: &[StoredThread],
    messages: &[StoredMessage],
    now: Timestamp,
) -> AfterActionReport {
    let exercise_minute = |at: Timestamp| {
        let real = (at.as_microseconds() - state.started_at.as_microseconds()) as f64;
        (real * state.speed / 60_000_000.0).floor() as i64
    };
    let mut timeline = Vec::new();
    let inject_messages: BTreeMap<Uuid, &str> = state
        .delivered
        .values()
        .filter_map(|delivered| Some((delivered.message?, delivered.inject.as_str())))
        .collect();
    for inject in &state.definition.injects {
        let Some(delivered) = state.delivered.get(&inject.id) else {
            continue;
        };
        let (party, text) = match &inject.kind {
            InjectKind::Incident { reported_by, .. } => (
                Some(reported_by.clone()),
                format!(
                    "inject `{}` (incident report by {reported_by}): {} → {}",
                    inject.id,
                    inject.text,
                    delivered
                        .incident
                        .as_ref()
                        .map_or("-".to_string(), ToString::to_string)
                ),
            ),
            InjectKind::Notification { from, to, .. } => (
                Some(from.clone()),
                format!(
                    "inject `{}` (notification {from} → {}): {}",
                    inject.id,
                    to.iter()
                        .map(PartyId::as_str)
                        .collect::<Vec<_>>()
                        .join(", "),
                    inject.text
                ),
            ),
        };
        timeline.push(TimelineEntry {
            at: delivered.delivered_at,
            exercise_minute: exercise_minute(delivered.delivered_at),
            kind: "inject",
            party,
            text,
        });
    }
    for message in messages {
        if inject_messages.contains_key(&message.id) {
            continue;
        }
        timeline.push(TimelineEntry {
            at: message.received_at,
            exercise_minute: exercise_minute(message.received_at),
            kind: "message",
            party: Some(message.from.clone()),
            text: format!(
                "{} {} → {} (thread {})",
                message.kind,
                message.from,
                message
                    .recipients
                    .iter()
                    .map(PartyId::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
                message.thread_id
            ),
        });
    }

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
                    "acknowledgement",
                    thread.acknowledgement_overdue_at,
                ),
                (
                    "response",
                    thread.respond_by,
                    "response",
                    thread.response_overdue_at,
                ),
            ];
            for (duty, due_by, kind, overdue_at) in duties {
                let Some(due_by) = due_by else { continue };
                let done_at = messages
                    .iter()
                    .filter(|message| {
                        message.thread_id == thread.id
                            && &message.from == party
                            && message.kind == kind
                    })
                    .map(|message| message.received_at)
                    .min();
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
    deadlines.sort_by(|a, b| (a.due_by, &a.party, a.duty).cmp(&(b.due_by, &b.party, b.duty)));
    for deadline in &deadlines {
        let when = |at: Option<Timestamp>| at.map_or("-".to_string(), |at| at.to_string());
        let text = match deadline.outcome {
            "met" => format!(
                "{} of {} due by {}: met at {} (thread {})",
                deadline.duty,
                deadline.party,
                deadline.due_by,
                when(deadline.done_at),
                deadline.thread
            ),
            "late" => format!(
                "{} of {} due by {}: missed, done late at {} (thread {})",
                deadline.duty,
                deadline.party,
                deadline.due_by,
                when(deadline.done_at),
                deadline.thread
            ),
            "missed" => format!(
                "{} of {} due by {}: missed{} (thread {})",
                deadline.duty,
                deadline.party,
                deadline.due_by,
                deadline
                    .overdue_at
                    .map_or(String::new(), |at| format!(", overdue since {at}")),
                deadline.thread
            ),
            _ => format!(
                "{} of {} due by {}: pending (thread {})",
                deadline.duty, deadline.party, deadline.due_by, deadline.thread
            ),
        };
        timeline.push(TimelineEntry {
            at: deadline.due_by,
            exercise_minute: exercise_minute(deadline.due_by),
            kind: "deadline",
            party: Some(deadline.party.clone()),
            text,
        });
    }
    for decision in &state.decisions {
        timeline.push(TimelineEntry {
            at: decision.decided_at,
            exercise_minute: exercise_minute(decision.decided_at),
            kind: "decision",
            party: Some(decision.party.clone()),
            text: format!(
                "{} chose rung {} ({}) for {}: {} (ceiling {}; recommended {})",
                decision.party,
                decision.rung,
                decision.rung_title,
                decision.incident,
                verdict_text(&decision.verdict),
                decision.ceiling,
                rungs_text(&decision.recommended)
            ),
        });
    }
    let order = |kind: &str| match kind {
        "inject" => 0,
        "message" => 1,
        "decision" => 2,
        _ => 3,
    };
    timeline.sort_by_key(|entry| (entry.at, order(entry.kind)));

    let parties = state
        .definition
        .parties
        .iter()
        .map(|party| {
            let mut counts = PartyDeadlines {
                party: party.id.clone(),
                role: party.role.clone(),
                met: 0,
                late: 0,
                missed: 0,
                pending: 0,
            };
            for deadline in deadlines
                .iter()
                .filter(|deadline| deadline.party == party.id)
            {
                match deadline.outcome {
                    "met" => counts.met += 1,
                    "late" => counts.late += 1,
                    "missed" => counts.missed += 1,
                    _ => counts.pending += 1,
                }
            }
            counts
        })
        .collect();
    AfterActionReport {
        exercise: true,
        banner: EXERCISE_BANNER,
        generated_at: now,
        details: state.view(),
        timeline,
        deadlines,
        parties,
        decisions: state.decisions.clone(),
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The report as Markdown.
pub fn render_markdown(report: &AfterActionReport) -> String {
    let details = &report.details;
    let mut out = String::new();
    let _ = writeln!(out, "# After-action report: {}\n", details.title);
    let _ = writeln!(out, "> **{}**\n", report.banner);
    let _ = writeln!(
        out,
        "- Exercise: `{}` (`{}`)",
        details.id, details.definition_id
    );
    if let Some(scenario) = &details.scenario {
        let _ = writeln!(out, "- Scenario: `{scenario}`");
    }
    if !details.description.is_empty() {
        let _ = writeln!(out, "- About: {}", cell(&details.description));
    }
    let _ = writeln!(
        out,
        "- Started: {} (speed {} exercise minutes per minute)",
        details.started_at, details.speed
    );
    let _ = writeln!(out, "- Report as of: {}", report.generated_at);
    let delivered = details
        .injects
        .iter()
        .filter(|inject| inject.delivered.is_some())
        .count();
    let _ = writeln!(
        out,
        "- Injects delivered: {delivered} of {}",
        details.injects.len()
    );
    let _ = writeln!(out, "- Parties:");
    for party in &details.parties {
        let _ = writeln!(out, "  - {}: {}", party.id, cell(&party.role));
    }

    let _ = writeln!(out, "\n## Timeline\n");
    let _ = writeln!(
        out,
        "| Time (UTC) | Exercise minute | Kind | Party | What |"
    );
    let _ = writeln!(out, "|---|---:|---|---|---|");
    for entry in &report.timeline {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            entry.at,
            entry.exercise_minute,
            entry.kind,
            entry.party.as_ref().map_or("", PartyId::as_str),
            cell(&entry.text)
        );
    }

    let _ = writeln!(out, "\n## Deadlines\n");
    if report.deadlines.is_empty() {
        let _ = writeln!(out, "No deadlines.");
    } else {
        let _ = writeln!(
            out,
            "| Party | Duty | Due by | Done at | Outcome | Thread |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|");
        for deadline in &report.deadlines {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                deadline.party,
                deadline.duty,
                deadline.due_by,
                deadline
                    .done_at
                    .map_or("-".to_string(), |at| at.to_string()),
                deadline.outcome,
                deadline.thread
            );
        }
    }
    let _ = writeln!(out, "\n### Per party\n");
    let _ = writeln!(out, "| Party | Role | Met | Late | Missed | Pending |");
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|");
    for party in &report.parties {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            party.party,
            cell(&party.role),
            party.met,
            party.late,
            party.missed,
            party.pending
        );
    }

    let _ = writeln!(out, "\n## Decisions against the norms' recommendations\n");
    if report.decisions.is_empty() {
        let _ = writeln!(out, "No decisions recorded.");
    } else {
        let _ = writeln!(
            out,
            "| Party | Incident | Rung chosen | Ceiling | Recommended rungs | Verdict | Note |"
        );
        let _ = writeln!(out, "|---|---|---|---:|---|---|---|");
        for decision in &report.decisions {
            let _ = writeln!(
                out,
                "| {} | {} | {} `{}` ({}) | {} | {} | {} | {} |",
                decision.party,
                decision.incident,
                decision.rung,
                decision.rung_id,
                cell(&decision.rung_title),
                decision.ceiling,
                rungs_text(&decision.recommended),
                verdict_text(&decision.verdict),
                cell(&decision.note)
            );
        }
    }
    out
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

fn html_table(out: &mut String, headers: &[&str], rows: &[Vec<String>]) {
    out.push_str("<table>\n<thead><tr>");
    for header in headers {
        let _ = write!(out, "<th>{}</th>", escape(header));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for value in row {
            let _ = write!(out, "<td>{}</td>", escape(value));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

/// The report as a self-contained HTML page (no scripts, no external resources).
pub fn render_html(report: &AfterActionReport) -> String {
    let details = &report.details;
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>After-action report: {}</title>\n<style>body{{font-family:sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem}}.banner{{background:#b00020;color:#fff;font-weight:bold;padding:.75rem;border-radius:.25rem}}table{{border-collapse:collapse;width:100%;margin:1rem 0}}th,td{{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}}</style>\n</head>\n<body>\n",
        escape(&details.title)
    );
    let _ = writeln!(out, "<p class=\"banner\">{}</p>", escape(report.banner));
    let _ = writeln!(
        out,
        "<h1>After-action report: {}</h1>\n<p>Exercise <code>{}</code> (<code>{}</code>), started {}, report as of {}.</p>",
        escape(&details.title),
        escape(&details.id),
        escape(&details.definition_id),
        details.started_at,
        report.generated_at
    );
    out.push_str("<h2>Timeline</h2>\n");
    let rows: Vec<Vec<String>> = report
        .timeline
        .iter()
        .map(|entry| {
            vec![
                entry.at.to_string(),
                entry.exercise_minute.to_string(),
                entry.kind.to_string(),
                entry
                    .party
                    .as_ref()
                    .map_or(String::new(), ToString::to_string),
                entry.text.clone(),
            ]
        })
        .collect();
    html_table(
        &mut out,
        &["Time (UTC)", "Exercise minute", "Kind", "Party", "What"],
        &rows,
    );
    out.push_str("<h2>Deadlines</h2>\n");
    let rows: Vec<Vec<String>> = report
        .deadlines
        .iter()
        .map(|deadline| {
            vec![
                deadline.party.to_string(),
                deadline.duty.to_string(),
                deadline.due_by.to_string(),
                deadline
                    .done_at
                    .map_or("-".to_string(), |at| at.to_string()),
                deadline.outcome.to_string(),
                deadline.thread.to_string(),
            ]
        })
        .collect();
    html_table(
        &mut out,
        &["Party", "Duty", "Due by", "Done at", "Outcome", "Thread"],
        &rows,
    );
    let rows: Vec<Vec<String>> = report
        .parties
        .iter()
        .map(|party| {
            vec![
                party.party.to_string(),
                party.role.clone(),
                party.met.to_string(),
                party.late.to_string(),
                party.missed.to_string(),
                party.pending.to_string(),
            ]
        })
        .collect();
    html_table(
        &mut out,
        &["Party", "Role", "Met", "Late", "Missed", "Pending"],
        &rows,
    );
    out.push_str("<h2>Decisions against the norms' recommendations</h2>\n");
    let rows: Vec<Vec<String>> = report
        .decisions
        .iter()
        .map(|decision| {
            vec![
                decision.party.to_string(),
                decision.incident.to_string(),
                format!(
                    "{} {} ({})",
                    decision.rung, decision.rung_id, decision.rung_title
                ),
                decision.ceiling.to_string(),
                rungs_text(&decision.recommended),
                verdict_text(&decision.verdict).to_string(),
                decision.note.clone(),
            ]
        })
        .collect();
    html_table(
        &mut out,
        &[
            "Party",
            "Incident",
            "Rung chosen",
            "Ceiling",
            "Recommended rungs",
            "Verdict",
            "Note",
        ],
        &rows,
    );
    out.push_str("</body>\n</html>\n");
    out
}
