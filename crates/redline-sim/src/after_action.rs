//! The after-action report of a tabletop exercise: the timeline (every inject, message,
//! deadline and decision with its time), each party's deadlines met and missed, and the rungs
//! chosen against the norms' recommendations; as a value (JSON), Markdown and a self-contained
//! HTML page (askama templates `templates/after_action.md` and `templates/after_action.html`; the
//! page's template escapes every value, and loads nothing from outside), each in the six UN
//! languages (`render_markdown_in`, `render_html_in`: the fixed words from
//! `locales/*/after-action.ftl`, embedded; what was recorded — titles, roles, notes, the
//! timeline's entries — as recorded; the HTML page right to left in Arabic).
//!
//! Pure: the runner of the exercise (the node) reads its records, fills the plain input types
//! of this module ([`AfterActionInput`]) and calls [`after_action_report`]; this module orders,
//! counts, words and renders.

use std::collections::BTreeSet;

use askama::Template;
use serde::Serialize;
use uuid::Uuid;

use redline_model::{IncidentId, Language, PartyId, Timestamp};
use redline_norms::Words;

/// The banner every rendering starts with.
pub const EXERCISE_BANNER: &str = "EXERCISE — EXERCISE — EXERCISE: everything in this report was played in an exercise; no incident, message or decision in it is real.";

/// The exercise as it stands (the report's `exercise_details`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExerciseDetails {
    pub id: String,
    /// Always true: so a reader of this JSON never takes it for a real matter.
    pub exercise: bool,
    pub definition_id: String,
    pub title: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facilitator: Option<PartyId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<PartyId>,
    pub parties: Vec<ExercisePartyRole>,
    pub started_at: Timestamp,
    /// Exercise minutes per real minute.
    pub speed: f64,
    pub injects: Vec<InjectProgress>,
}

/// A party of the exercise and the role it plays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExercisePartyRole {
    pub id: PartyId,
    pub role: String,
}

/// One inject of the script and, once delivered, what it became.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InjectProgress {
    pub id: String,
    /// `incident` or `notification`.
    pub kind: String,
    pub at_minutes: u32,
    pub due_at: Timestamp,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivered: Option<InjectDelivery>,
}

/// What a delivered inject became.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InjectDelivery {
    pub inject: String,
    pub kind: String,
    pub delivered_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident: Option<IncidentId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread: Option<Uuid>,
}

/// A delivered inject, for the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveredInject {
    pub id: String,
    pub delivered_at: Timestamp,
    pub source: InjectSource,
    /// The inject's text in the script.
    pub text: String,
    /// The hotline message a notification inject became (not shown again as a message).
    pub message: Option<Uuid>,
}

/// Who an inject came from and what it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InjectSource {
    /// An incident report, and the incident it became.
    IncidentReport {
        reported_by: PartyId,
        incident: Option<IncidentId>,
    },
    /// A hotline notification.
    Notification { from: PartyId, to: Vec<PartyId> },
}

/// A hotline message of one of the exercise's threads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangedMessage {
    pub id: Uuid,
    pub received_at: Timestamp,
    /// The message kind (`acknowledgement`, `response`, …).
    pub kind: String,
    pub from: PartyId,
    pub recipients: Vec<PartyId>,
    pub thread: Uuid,
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

/// A player's decision, compared with the assessment's recommended responses.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Decision {
    pub id: Uuid,
    pub party: PartyId,
    pub incident: IncidentId,
    pub rung: u32,
    pub rung_id: String,
    pub rung_title: String,
    pub note: String,
    pub decided_at: Timestamp,
    /// The assessment's ceiling and recommended rungs when the decision was taken.
    pub ceiling: u32,
    pub recommended: Vec<u32>,
    /// `recommended`, `within-ceiling` (not recommended, but at or below the ceiling) or
    /// `above-ceiling`.
    pub verdict: String,
    pub norms_sha256: String,
}

/// Everything the report is made of, as the runner of the exercise read it.
#[derive(Debug, Clone, PartialEq)]
pub struct AfterActionInput {
    pub details: ExerciseDetails,
    /// The time the report is as of.
    pub generated_at: Timestamp,
    /// The delivered injects, in the script's order.
    pub injects: Vec<DeliveredInject>,
    /// Every message of the exercise's threads, injects' own included.
    pub messages: Vec<ExchangedMessage>,
    /// Every duty of every recipient of the exercise's threads, with its outcome.
    pub deadlines: Vec<DeadlineOutcome>,
    /// The decisions the reader may see.
    pub decisions: Vec<Decision>,
}

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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AfterActionReport {
    /// Always true.
    pub exercise: bool,
    pub banner: &'static str,
    pub generated_at: Timestamp,
    #[serde(rename = "exercise_details")]
    pub details: ExerciseDetails,
    pub timeline: Vec<TimelineEntry>,
    pub deadlines: Vec<DeadlineOutcome>,
    pub parties: Vec<PartyDeadlines>,
    pub decisions: Vec<Decision>,
}

/// Builds the report: the deadlines in order of due time, the timeline of injects, messages,
/// deadlines and decisions, and each party's deadlines counted.
pub fn after_action_report(input: AfterActionInput) -> AfterActionReport {
    let AfterActionInput {
        details,
        generated_at,
        injects,
        messages,
        mut deadlines,
        decisions,
    } = input;
    deadlines.sort_by(|a, b| (a.due_by, &a.party, a.duty).cmp(&(b.due_by, &b.party, b.duty)));
    let minute = |at: Timestamp| exercise_minute(&details, at);
    let mut timeline: Vec<TimelineEntry> = Vec::new();
    timeline.extend(injects.iter().map(|inject| inject_entry(inject, minute)));
    timeline.extend(message_entries(&injects, &messages, minute));
    timeline.extend(
        deadlines
            .iter()
            .map(|deadline| deadline_entry(deadline, minute)),
    );
    timeline.extend(
        decisions
            .iter()
            .map(|decision| decision_entry(decision, minute)),
    );
    timeline.sort_by_key(|entry| (entry.at, kind_order(entry.kind)));
    let parties = party_deadlines(&details, &deadlines);
    AfterActionReport {
        exercise: true,
        banner: EXERCISE_BANNER,
        generated_at,
        details,
        timeline,
        deadlines,
        parties,
        decisions,
    }
}

/// Exercise minutes since the start (real minutes times the speed), rounded down.
fn exercise_minute(details: &ExerciseDetails, at: Timestamp) -> i64 {
    let real = (at.as_microseconds() - details.started_at.as_microseconds()) as f64;
    (real * details.speed / 60_000_000.0).floor() as i64
}

/// At the same time, injects come first, then messages, decisions and deadlines.
fn kind_order(kind: &str) -> u8 {
    match kind {
        "inject" => 0,
        "message" => 1,
        "decision" => 2,
        _ => 3,
    }
}

fn joined_parties(parties: &[PartyId]) -> String {
    parties
        .iter()
        .map(PartyId::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

fn inject_entry(inject: &DeliveredInject, minute: impl Fn(Timestamp) -> i64) -> TimelineEntry {
    let (party, text) = match &inject.source {
        InjectSource::IncidentReport {
            reported_by,
            incident,
        } => (
            reported_by.clone(),
            format!(
                "inject `{}` (incident report by {reported_by}): {} → {}",
                inject.id,
                inject.text,
                incident
                    .as_ref()
                    .map_or("-".to_string(), ToString::to_string)
            ),
        ),
        InjectSource::Notification { from, to } => (
            from.clone(),
            format!(
                "inject `{}` (notification {from} → {}): {}",
                inject.id,
                joined_parties(to),
                inject.text
            ),
        ),
    };
    TimelineEntry {
        at: inject.delivered_at,
        exercise_minute: minute(inject.delivered_at),
        kind: "inject",
        party: Some(party),
        text,
    }
}

/// The messages players exchanged: every message but the injects' own.
fn message_entries(
    injects: &[DeliveredInject],
    messages: &[ExchangedMessage],
    minute: impl Fn(Timestamp) -> i64,
) -> Vec<TimelineEntry> {
    let inject_messages: BTreeSet<Uuid> =
        injects.iter().filter_map(|inject| inject.message).collect();
    messages
        .iter()
        .filter(|message| !inject_messages.contains(&message.id))
        .map(|message| TimelineEntry {
            at: message.received_at,
            exercise_minute: minute(message.received_at),
            kind: "message",
            party: Some(message.from.clone()),
            text: format!(
                "{} {} → {} (thread {})",
                message.kind,
                message.from,
                joined_parties(&message.recipients),
                message.thread
            ),
        })
        .collect()
}

fn deadline_entry(deadline: &DeadlineOutcome, minute: impl Fn(Timestamp) -> i64) -> TimelineEntry {
    let when = |at: Option<Timestamp>| at.map_or("-".to_string(), |at| at.to_string());
    let due = format!(
        "{} of {} due by {}",
        deadline.duty, deadline.party, deadline.due_by
    );
    let text = match deadline.outcome {
        "met" => format!(
            "{due}: met at {} (thread {})",
            when(deadline.done_at),
            deadline.thread
        ),
        "late" => format!(
            "{due}: missed, done late at {} (thread {})",
            when(deadline.done_at),
            deadline.thread
        ),
        "missed" => format!(
            "{due}: missed{} (thread {})",
            deadline
                .overdue_at
                .map_or(String::new(), |at| format!(", overdue since {at}")),
            deadline.thread
        ),
        _ => format!("{due}: pending (thread {})", deadline.thread),
    };
    TimelineEntry {
        at: deadline.due_by,
        exercise_minute: minute(deadline.due_by),
        kind: "deadline",
        party: Some(deadline.party.clone()),
        text,
    }
}

fn decision_entry(decision: &Decision, minute: impl Fn(Timestamp) -> i64) -> TimelineEntry {
    TimelineEntry {
        at: decision.decided_at,
        exercise_minute: minute(decision.decided_at),
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
    }
}

/// Each party of the exercise with its deadlines counted by outcome.
fn party_deadlines(
    details: &ExerciseDetails,
    deadlines: &[DeadlineOutcome],
) -> Vec<PartyDeadlines> {
    details
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
        .collect()
}

fn verdict_text(verdict: &str) -> &'static str {
    match verdict {
        "recommended" => "within the recommendation",
        "within-ceiling" => "within the ceiling, but not a recommended rung",
        "above-ceiling" => "above the ceiling",
        _ => "not compared",
    }
}

/// The message id of a verdict's words in `locales/*/after-action.ftl`.
fn verdict_message(verdict: &str) -> &'static str {
    match verdict {
        "recommended" => "verdict-recommended",
        "within-ceiling" => "verdict-within-ceiling",
        "above-ceiling" => "verdict-above-ceiling",
        _ => "verdict-not-compared",
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

// ------------------------------------------------------------------------------------------
// Renderings

/// The report's tables as text cells: the same rows for Markdown and HTML.
struct ReportTables {
    timeline: Vec<Vec<String>>,
    deadlines: Vec<Vec<String>>,
    parties: Vec<Vec<String>>,
    decisions: Vec<Vec<String>>,
}

impl ReportTables {
    /// `rung_chosen` words the chosen rung (Markdown puts its id in code); `words` the report's
    /// own words (kinds, outcomes, verdicts), in the reader's language.
    fn new(
        report: &AfterActionReport,
        words: &Labels,
        rung_chosen: impl Fn(&Decision) -> String,
    ) -> Self {
        let when = |at: Option<Timestamp>| at.map_or("-".to_string(), |at| at.to_string());
        let rungs = |rungs: &[u32]| {
            if rungs.is_empty() {
                words.t("rungs-none")
            } else {
                rungs_text(rungs)
            }
        };
        ReportTables {
            timeline: report
                .timeline
                .iter()
                .map(|entry| {
                    vec![
                        entry.at.to_string(),
                        entry.exercise_minute.to_string(),
                        words.t(&format!("kind-{}", entry.kind)),
                        entry
                            .party
                            .as_ref()
                            .map_or(String::new(), ToString::to_string),
                        entry.text.clone(),
                    ]
                })
                .collect(),
            deadlines: report
                .deadlines
                .iter()
                .map(|deadline| {
                    vec![
                        deadline.party.to_string(),
                        deadline.duty.to_string(),
                        deadline.due_by.to_string(),
                        when(deadline.done_at),
                        words.t(&format!("outcome-{}", deadline.outcome)),
                        deadline.thread.to_string(),
                    ]
                })
                .collect(),
            parties: report
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
                .collect(),
            decisions: report
                .decisions
                .iter()
                .map(|decision| {
                    vec![
                        decision.party.to_string(),
                        decision.incident.to_string(),
                        rung_chosen(decision),
                        decision.ceiling.to_string(),
                        rungs(&decision.recommended),
                        words.t(verdict_message(&decision.verdict)),
                        decision.note.clone(),
                    ]
                })
                .collect(),
        }
    }
}

/// The report's fixed words in one of the six UN languages (`locales/*/after-action.ftl`,
/// embedded; formatted by `redline_norms::Words`).
pub struct Labels {
    words: Words,
    language: Language,
}

impl Labels {
    pub fn new(language: Language) -> Labels {
        let text = match language {
            Language::English => include_str!("../locales/en/after-action.ftl"),
            Language::French => include_str!("../locales/fr/after-action.ftl"),
            Language::Spanish => include_str!("../locales/es/after-action.ftl"),
            Language::Russian => include_str!("../locales/ru/after-action.ftl"),
            Language::Chinese => include_str!("../locales/zh/after-action.ftl"),
            Language::Arabic => include_str!("../locales/ar/after-action.ftl"),
        };
        Labels {
            words: Words::from_resource(text, language),
            language,
        }
    }

    /// A message without arguments.
    pub fn t(&self, id: &str) -> String {
        self.words.text(id, &[])
    }

    /// A message with arguments.
    fn with(&self, id: &str, arguments: &[(&str, String)]) -> String {
        self.words.text(id, arguments)
    }

    /// Whether message `id` exists (for the tests of the resources).
    pub fn has(&self, id: &str) -> bool {
        self.words.has(id)
    }
}

/// Every message id the report's renderings use.
pub const AFTER_ACTION_MESSAGE_IDS: &[&str] = &[
    "banner",
    "title",
    "exercise",
    "scenario",
    "about",
    "started",
    "as-of",
    "delivered",
    "parties",
    "intro",
    "timeline",
    "deadlines",
    "no-deadlines",
    "per-party",
    "decisions",
    "no-decisions",
    "column-time",
    "column-minute",
    "column-kind",
    "column-party",
    "column-what",
    "column-duty",
    "column-due-by",
    "column-done-at",
    "column-outcome",
    "column-thread",
    "column-role",
    "column-met",
    "column-late",
    "column-missed",
    "column-pending",
    "column-incident",
    "column-rung-chosen",
    "column-ceiling",
    "column-recommended",
    "column-verdict",
    "column-note",
    "kind-inject",
    "kind-message",
    "kind-deadline",
    "kind-decision",
    "outcome-met",
    "outcome-late",
    "outcome-missed",
    "outcome-pending",
    "verdict-recommended",
    "verdict-within-ceiling",
    "verdict-above-ceiling",
    "verdict-not-compared",
    "rungs-none",
];

/// The lines of the report's head, filled in the reader's language.
struct Head {
    title: String,
    started: String,
    as_of: String,
    delivered: String,
    intro: String,
}

impl Head {
    fn new(report: &AfterActionReport, words: &Labels) -> Head {
        let delivered = report
            .details
            .injects
            .iter()
            .filter(|inject| inject.delivered.is_some())
            .count();
        Head {
            title: words.with("title", &[("title", report.details.title.clone())]),
            started: words.with(
                "started",
                &[
                    ("at", report.details.started_at.to_string()),
                    ("speed", report.details.speed.to_string()),
                ],
            ),
            as_of: words.with("as-of", &[("at", report.generated_at.to_string())]),
            delivered: words.with(
                "delivered",
                &[
                    ("delivered", delivered.to_string()),
                    ("total", report.details.injects.len().to_string()),
                ],
            ),
            intro: words.with(
                "intro",
                &[
                    ("at", report.details.started_at.to_string()),
                    ("as_of", report.generated_at.to_string()),
                ],
            ),
        }
    }
}

/// The report in Markdown.
#[derive(Template)]
#[template(path = "after_action.md", escape = "none")]
struct MarkdownReport<'a> {
    report: &'a AfterActionReport,
    words: &'a Labels,
    head: Head,
    /// The exercise's description, as a Markdown line.
    about: String,
    /// Each party of the exercise and its role, as Markdown lines.
    party_roles: Vec<(String, String)>,
    tables: ReportTables,
}

/// The report as a self-contained HTML page.
#[derive(Template)]
#[template(path = "after_action.html")]
struct HtmlReport<'a> {
    report: &'a AfterActionReport,
    words: &'a Labels,
    head: Head,
    /// `ltr` or `rtl`.
    direction: &'static str,
    tables: ReportTables,
}

/// A Markdown table cell: pipes escaped, on one line.
fn markdown_cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// What is shown should rendering fail (askama fails only when a value cannot be displayed).
fn rendering_failed(format: &str, error: &askama::Error) -> String {
    format!("{EXERCISE_BANNER}\n\nThe {format} report could not be rendered: {error}\n")
}

/// The report as Markdown, in English.
pub fn render_markdown(report: &AfterActionReport) -> String {
    render_markdown_in(report, Language::English)
}

/// The report as Markdown in `language`: the fixed words translated; titles, descriptions,
/// roles, notes and the timeline's entries as recorded.
pub fn render_markdown_in(report: &AfterActionReport, language: Language) -> String {
    let words = Labels::new(language);
    let mut tables = ReportTables::new(report, &words, |decision| {
        format!(
            "{} `{}` ({})",
            decision.rung, decision.rung_id, decision.rung_title
        )
    });
    for rows in [
        &mut tables.timeline,
        &mut tables.deadlines,
        &mut tables.parties,
        &mut tables.decisions,
    ] {
        for cell in rows.iter_mut().flatten() {
            *cell = markdown_cell(cell);
        }
    }
    let page = MarkdownReport {
        report,
        words: &words,
        head: Head::new(report, &words),
        about: markdown_cell(&report.details.description),
        party_roles: report
            .details
            .parties
            .iter()
            .map(|party| (party.id.to_string(), markdown_cell(&party.role)))
            .collect(),
        tables,
    };
    page.render()
        .unwrap_or_else(|error| rendering_failed("Markdown", &error))
}

/// The report as a self-contained HTML page (no scripts, no external resources), in English.
pub fn render_html(report: &AfterActionReport) -> String {
    render_html_in(report, Language::English)
}

/// The report as a self-contained HTML page in `language`, with `lang` and `dir` set (Arabic
/// right to left).
pub fn render_html_in(report: &AfterActionReport, language: Language) -> String {
    let words = Labels::new(language);
    let tables = ReportTables::new(report, &words, |decision| {
        format!(
            "{} {} ({})",
            decision.rung, decision.rung_id, decision.rung_title
        )
    });
    let page = HtmlReport {
        report,
        words: &words,
        head: Head::new(report, &words),
        direction: language.direction().as_html_dir(),
        tables,
    };
    match page.render() {
        Ok(mut html) => {
            html.push('\n');
            html
        }
        Err(error) => rendering_failed("HTML", &error),
    }
}

/// The report as pretty-printed JSON (the value's own serialisation).
pub fn render_json(report: &AfterActionReport) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_message_of_the_report() {
        for language in Language::ALL {
            let labels = Labels::new(language);
            for message_id in AFTER_ACTION_MESSAGE_IDS {
                assert!(
                    labels.has(message_id),
                    "locales/{}/after-action.ftl has no `{message_id}`",
                    language.tag()
                );
            }
        }
    }

    #[test]
    fn the_english_banner_is_the_reports_own() {
        assert_eq!(Labels::new(Language::English).t("banner"), EXERCISE_BANNER);
    }
}
