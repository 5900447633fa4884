//! The exercise file (`scenarios/exercises/*.toml`): who plays, and the facilitator's injects
//! with their offsets. Pure: text in, a checked definition or a `file:line:column` error out;
//! the incident reports of the injects are checked against the report contract when the
//! exercise is created, with the time each inject is due.

use std::collections::BTreeSet;

use redline_model::{IncidentReport, PartyId, Timestamp, Tlp, parse_incident_report};
use serde::Deserialize;
use toml::Spanned;

/// The longest an exercise may run, in exercise minutes (two weeks).
pub const MAXIMUM_OFFSET_MINUTES: u32 = 20_160;
/// The most injects one exercise may have.
pub const MAXIMUM_INJECTS: usize = 500;

/// Why an exercise file was refused: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct DefinitionError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    exercise: RawHeader,
    #[serde(default)]
    party: Vec<Spanned<RawParty>>,
    #[serde(default)]
    inject: Vec<Spanned<RawInject>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    id: Spanned<String>,
    title: Spanned<String>,
    #[serde(default)]
    description: String,
    /// The simulator scenario (`scenarios/<id>.toml`) this exercise plays out, if any.
    #[serde(default)]
    scenario: Option<String>,
    #[serde(default)]
    facilitator: Option<Spanned<String>>,
    #[serde(default)]
    lang: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParty {
    id: Spanned<String>,
    #[serde(default)]
    role: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInject {
    id: Spanned<String>,
    at_minutes: Spanned<i64>,
    kind: Spanned<String>,
    text: Spanned<String>,
    #[serde(default)]
    report: Option<Spanned<String>>,
    #[serde(default)]
    from: Option<Spanned<String>>,
    #[serde(default)]
    to: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    incident: Option<Spanned<String>>,
    #[serde(default)]
    severity_level: Option<Spanned<i64>>,
    #[serde(default)]
    requested_actions: Vec<String>,
    #[serde(default)]
    tlp: Option<Spanned<String>>,
}

/// A party of the exercise: a party of the node, and the part it plays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExerciseParty {
    pub id: PartyId,
    pub role: String,
}

/// What an inject becomes when it is delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InjectKind {
    /// An incident report (the JSON contract), reported by an exercise party.
    Incident {
        /// The report's JSON text as written; `exercise: true` is added on delivery, and
        /// `first_observed` defaults to the time the inject is due.
        report_json: String,
        reported_by: PartyId,
    },
    /// A hotline notification from one exercise party to others, signed with the sender's key.
    Notification {
        from: PartyId,
        to: Vec<PartyId>,
        /// The id of an earlier incident inject this notification is about.
        incident: Option<String>,
        severity_level: Option<u8>,
        requested_actions: Vec<String>,
        tlp: Tlp,
    },
}

impl InjectKind {
    pub fn name(&self) -> &'static str {
        match self {
            InjectKind::Incident { .. } => "incident",
            InjectKind::Notification { .. } => "notification",
        }
    }
}

/// One inject of the facilitator's script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inject {
    pub id: String,
    /// Exercise minutes from the start.
    pub at_minutes: u32,
    /// The facilitator's text; for a notification, its summary.
    pub text: String,
    pub kind: InjectKind,
    /// Line and column of the inject's table, for errors found later.
    pub location: (usize, usize),
}

/// A checked exercise file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExerciseDefinition {
    pub file: String,
    pub id: String,
    pub title: String,
    pub description: String,
    pub scenario: Option<String>,
    pub facilitator: Option<PartyId>,
    /// BCP 47 tag of the injects' free text.
    pub lang: String,
    pub parties: Vec<ExerciseParty>,
    /// In the order they are due (ties keep the file's order).
    pub injects: Vec<Inject>,
}

fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|byte| **byte == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|byte| *byte == b'\n')
        .map_or(0, |index| index + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

struct Located<'a> {
    file: &'a str,
    text: &'a str,
}

impl Located<'_> {
    fn error_at(&self, offset: usize, message: impl Into<String>) -> DefinitionError {
        let (line, column) = line_and_column(self.text, offset);
        DefinitionError {
            file: self.file.to_string(),
            line,
            column,
            message: message.into(),
        }
    }

    fn party<T>(&self, value: &Spanned<T>, text: &str) -> Result<PartyId, DefinitionError> {
        PartyId::parse(text).map_err(|message| self.error_at(value.span().start, message))
    }
}

fn is_slug(text: &str) -> bool {
    (1..=64).contains(&text.len())
        && text
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
        && text.as_bytes().first().is_some_and(u8::is_ascii_lowercase)
}

impl ExerciseDefinition {
    /// Parses and checks an exercise file. `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<ExerciseDefinition, DefinitionError> {
        let located = Located { file, text };
        let raw: RawFile = toml::from_str(text).map_err(|error| {
            let offset = error.span().map_or(0, |span| span.start);
            located.error_at(offset, error.message().trim_end())
        })?;
        let header = raw.exercise;
        if !is_slug(header.id.get_ref()) {
            return Err(located.error_at(
                header.id.span().start,
                format!(
                    "exercise id `{}` must be a lower-case slug (letters, digits, hyphens)",
                    header.id.get_ref()
                ),
            ));
        }
        if header.title.get_ref().trim().is_empty() {
            return Err(located.error_at(header.title.span().start, "the title is empty"));
        }
        let facilitator = match &header.facilitator {
            Some(value) => Some(located.party(value, value.get_ref())?),
            None => None,
        };
        let lang = match &header.lang {
            Some(value) => {
                let tag = value.get_ref();
                let looks_like_tag = (2..=35).contains(&tag.len())
                    && tag
                        .bytes()
                        .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-');
                if !looks_like_tag {
                    return Err(located.error_at(
                        value.span().start,
                        format!("`{tag}` is not a BCP 47 language tag such as `en`"),
                    ));
                }
                tag.clone()
            }
            None => "en".to_string(),
        };

        let mut parties: Vec<ExerciseParty> = Vec::new();
        for entry in &raw.party {
            let party = entry.get_ref();
            let id = located.party(&party.id, party.id.get_ref())?;
            if parties.iter().any(|known| known.id == id) {
                return Err(located.error_at(
                    party.id.span().start,
                    format!("party `{id}` is listed twice"),
                ));
            }
            parties.push(ExerciseParty {
                id,
                role: party.role.trim().to_string(),
            });
        }
        if parties.len() < 2 {
            return Err(located.error_at(
                0,
                format!(
                    "an exercise needs at least two [[party]] tables, got {}",
                    parties.len()
                ),
            ));
        }
        if let (Some(facilitator), Some(value)) = (&facilitator, &header.facilitator)
            && parties.iter().any(|party| &party.id == facilitator)
        {
            return Err(located.error_at(
                value.span().start,
                format!("the facilitator `{facilitator}` cannot also be a player"),
            ));
        }
        let is_player = |id: &PartyId| parties.iter().any(|party| &party.id == id);

        if raw.inject.is_empty() || raw.inject.len() > MAXIMUM_INJECTS {
            return Err(located.error_at(
                0,
                format!(
                    "an exercise needs between 1 and {MAXIMUM_INJECTS} [[inject]] tables, got {}",
                    raw.inject.len()
                ),
            ));
        }
        let mut injects: Vec<Inject> = Vec::new();
        let mut seen_ids = BTreeSet::new();
        for entry in &raw.inject {
            let start = entry.span().start;
            let inject = entry.get_ref();
            let id = inject.id.get_ref().clone();
            if !is_slug(&id) {
                return Err(located.error_at(
                    inject.id.span().start,
                    format!("inject id `{id}` must be a lower-case slug"),
                ));
            }
            if !seen_ids.insert(id.clone()) {
                return Err(located.error_at(
                    inject.id.span().start,
                    format!("inject id `{id}` is used twice"),
                ));
            }
            let at_minutes = u32::try_from(*inject.at_minutes.get_ref())
                .ok()
                .filter(|minutes| *minutes <= MAXIMUM_OFFSET_MINUTES)
                .ok_or_else(|| {
                    located.error_at(
                        inject.at_minutes.span().start,
                        format!(
                            "at_minutes must be between 0 and {MAXIMUM_OFFSET_MINUTES}, got {}",
                            inject.at_minutes.get_ref()
                        ),
                    )
                })?;
            let text = inject.text.get_ref().trim().to_string();
            if text.is_empty() || text.chars().count() > 20_000 {
                return Err(located.error_at(
                    inject.text.span().start,
                    "the text must have 1 to 20,000 characters",
                ));
            }
            let not_for = |field: &str, value_start: usize, kind: &str| {
                located.error_at(
                    value_start,
                    format!("`{field}` does not belong in an inject of kind `{kind}`"),
                )
            };
            let kind = match inject.kind.get_ref().as_str() {
                "incident" => {
                    if let Some(value) = &inject.from {
                        return Err(not_for("from", value.span().start, "incident"));
                    }
                    if let Some(value) = &inject.to {
                        return Err(not_for("to", value.span().start, "incident"));
                    }
                    if let Some(value) = &inject.incident {
                        return Err(not_for("incident", value.span().start, "incident"));
                    }
                    let Some(report) = &inject.report else {
                        return Err(located.error_at(
                            start,
                            format!("inject `{id}`: an incident inject needs a `report` (the incident report's JSON)"),
                        ));
                    };
                    let value: serde_json::Value = serde_json::from_str(report.get_ref())
                        .map_err(|error| {
                            located.error_at(
                                report.span().start,
                                format!(
                                    "inject `{id}`: report: malformed JSON at line {}, column {} of the report: {error}",
                                    error.line(),
                                    error.column()
                                ),
                            )
                        })?;
                    let reported_by = value
                        .get("reported_by")
                        .and_then(serde_json::Value::as_str)
                        .ok_or_else(|| {
                            located.error_at(
                                report.span().start,
                                format!("inject `{id}`: report.reported_by: an exercise party is required"),
                            )
                        })?;
                    let reported_by = located.party(report, reported_by)?;
                    if !is_player(&reported_by) {
                        return Err(located.error_at(
                            report.span().start,
                            format!("inject `{id}`: report.reported_by: `{reported_by}` is not a party of this exercise"),
                        ));
                    }
                    if value.get("exercise") == Some(&serde_json::Value::Bool(false)) {
                        return Err(located.error_at(
                            report.span().start,
                            format!("inject `{id}`: report.exercise: an inject's report is always an exercise report"),
                        ));
                    }
                    if let Some(value) = &inject.tlp {
                        return Err(not_for("tlp", value.span().start, "incident"));
                    }
                    InjectKind::Incident {
                        report_json: report.get_ref().clone(),
                        reported_by,
                    }
                }
                "notification" => {
                    if let Some(value) = &inject.report {
                        return Err(not_for("report", value.span().start, "notification"));
                    }
                    let Some(from_value) = &inject.from else {
                        return Err(located.error_at(
                            start,
                            format!("inject `{id}`: a notification needs `from`"),
                        ));
                    };
                    let from = located.party(from_value, from_value.get_ref())?;
                    if !is_player(&from) {
                        return Err(located.error_at(
                            from_value.span().start,
                            format!("`{from}` is not a party of this exercise"),
                        ));
                    }
                    let Some(to_value) = &inject.to else {
                        return Err(located
                            .error_at(start, format!("inject `{id}`: a notification needs `to`")));
                    };
                    let mut to = Vec::new();
                    for recipient in to_value.get_ref() {
                        let recipient = located.party(to_value, recipient)?;
                        if !is_player(&recipient) || recipient == from || to.contains(&recipient) {
                            return Err(located.error_at(
                                to_value.span().start,
                                format!("`{recipient}`: every recipient must be another party of this exercise, listed once"),
                            ));
                        }
                        to.push(recipient);
                    }
                    if to.is_empty() {
                        return Err(located.error_at(
                            to_value.span().start,
                            "at least one recipient is required",
                        ));
                    }
                    let incident = match &inject.incident {
                        Some(value) => {
                            let earlier = injects.iter().find(|earlier: &&Inject| {
                                &earlier.id == value.get_ref()
                                    && matches!(earlier.kind, InjectKind::Incident { .. })
                            });
                            match earlier {
                                Some(earlier) if earlier.at_minutes <= at_minutes => {}
                                _ => {
                                    return Err(located.error_at(
                                        value.span().start,
                                        format!(
                                            "`{}` is not an incident inject listed earlier and due no later than this one",
                                            value.get_ref()
                                        ),
                                    ));
                                }
                            }
                            Some(value.get_ref().clone())
                        }
                        None => None,
                    };
                    let severity_level = match &inject.severity_level {
                        Some(value) => Some(
                            u8::try_from(*value.get_ref())
                                .ok()
                                .filter(|level| *level <= 5)
                                .ok_or_else(|| {
                                    located.error_at(
                                        value.span().start,
                                        "severity_level runs from 0 to 5",
                                    )
                                })?,
                        ),
                        None => None,
                    };
                    let tlp = match &inject.tlp {
                        Some(value) => Tlp::parse(value.get_ref())
                            .filter(|tlp| *tlp != Tlp::Clear)
                            .ok_or_else(|| {
                                located.error_at(
                                    value.span().start,
                                    format!(
                                        "`{}` is not a TLP label an exercise may use (green, amber, amber+strict, red)",
                                        value.get_ref()
                                    ),
                                )
                            })?,
                        None => Tlp::Green,
                    };
                    InjectKind::Notification {
                        from,
                        to,
                        incident,
                        severity_level,
                        requested_actions: inject.requested_actions.clone(),
                        tlp,
                    }
                }
                other => {
                    return Err(located.error_at(
                        inject.kind.span().start,
                        format!(
                            "unknown inject kind `{other}`; expected `incident` or `notification`"
                        ),
                    ));
                }
            };
            injects.push(Inject {
                id,
                at_minutes,
                text,
                kind,
                location: line_and_column(located.text, start),
            });
        }
        injects.sort_by_key(|inject| inject.at_minutes);
        Ok(ExerciseDefinition {
            file: file.to_string(),
            id: header.id.into_inner(),
            title: header.title.into_inner(),
            description: header.description,
            scenario: header.scenario,
            facilitator,
            lang,
            parties,
            injects,
        })
    }

    /// The inject with this id.
    pub fn inject(&self, id: &str) -> Option<&Inject> {
        self.injects.iter().find(|inject| inject.id == id)
    }

    pub fn is_player(&self, party: &PartyId) -> bool {
        self.parties.iter().any(|known| &known.id == party)
    }

    /// The incident report an incident inject becomes when delivered at `due`: marked
    /// `exercise`, `first_observed` defaulting to `due`, checked against the contract at `due`.
    pub fn incident_report(
        &self,
        inject: &Inject,
        due: Timestamp,
    ) -> Result<IncidentReport, DefinitionError> {
        let InjectKind::Incident { report_json, .. } = &inject.kind else {
            return Err(self.error_of(inject, "this inject is not an incident report"));
        };
        let mut value: serde_json::Value = serde_json::from_str(report_json)
            .map_err(|error| self.error_of(inject, format!("report: {error}")))?;
        let Some(object) = value.as_object_mut() else {
            return Err(self.error_of(inject, "report: the report must be a JSON object"));
        };
        object.insert("exercise".into(), serde_json::Value::Bool(true));
        object
            .entry("first_observed")
            .or_insert_with(|| serde_json::Value::String(due.to_string()));
        let bytes = serde_json::to_vec(&value)
            .map_err(|error| self.error_of(inject, format!("report: {error}")))?;
        parse_incident_report(&bytes, due).map_err(|error| {
            let issues: Vec<String> = error
                .issues()
                .iter()
                .map(|issue| format!("report.{}: {}", issue.path, issue.message))
                .collect();
            self.error_of(inject, issues.join("; "))
        })
    }

    fn error_of(&self, inject: &Inject, message: impl Into<String>) -> DefinitionError {
        DefinitionError {
            file: self.file.clone(),
            line: inject.location.0,
            column: inject.location.1,
            message: format!("inject `{}`: {}", inject.id, message.into()),
        }
    }
}
