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

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    rename = "ExerciseFile",
    title = "redline tabletop exercise",
    description = "A tabletop exercise file (TOML): the exercise, its parties and the facilitator's injects (incident reports as JSON text, hotline notifications). This schema is the shape; `redline exercise run` also checks party ids, offsets and each inject's report. See scenarios/exercises/."
)]
struct RawFile {
    exercise: RawHeader,
    #[serde(default)]
    #[schemars(with = "Vec<RawParty>")]
    party: Vec<Spanned<RawParty>>,
    #[serde(default)]
    #[schemars(with = "Vec<RawInject>")]
    inject: Vec<Spanned<RawInject>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Header")]
struct RawHeader {
    #[schemars(with = "String")]
    id: Spanned<String>,
    #[schemars(with = "String")]
    title: Spanned<String>,
    #[serde(default)]
    description: String,
    /// The simulator scenario (`scenarios/<id>.toml`) this exercise plays out, if any.
    #[serde(default)]
    scenario: Option<String>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    facilitator: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    lang: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Party")]
struct RawParty {
    #[schemars(with = "String")]
    id: Spanned<String>,
    #[serde(default)]
    role: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Inject")]
struct RawInject {
    #[schemars(with = "String")]
    id: Spanned<String>,
    #[schemars(with = "i64")]
    at_minutes: Spanned<i64>,
    #[schemars(with = "String")]
    kind: Spanned<String>,
    #[schemars(with = "String")]
    text: Spanned<String>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    report: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    from: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    to: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    incident: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<i64>")]
    severity_level: Option<Spanned<i64>>,
    #[serde(default)]
    requested_actions: Vec<String>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    tlp: Option<Spanned<String>>,
}

/// The JSON Schema (draft 2020-12) of an exercise file's TOML, generated from the types the
/// parser reads it into. Party ids, offsets, inject kinds and the reports are checked by
/// [`ExerciseDefinition::parse`].
pub fn exercise_json_schema() -> serde_json::Value {
    schemars::schema_for!(RawFile).to_value()
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

/// The stages of [`ExerciseDefinition::parse`].
impl Located<'_> {
    /// `[exercise]`: a slug id and a title.
    fn check_header(&self, header: &RawHeader) -> Result<(), DefinitionError> {
        if !is_slug(header.id.get_ref()) {
            return Err(self.error_at(
                header.id.span().start,
                format!(
                    "exercise id `{}` must be a lower-case slug (letters, digits, hyphens)",
                    header.id.get_ref()
                ),
            ));
        }
        if header.title.get_ref().trim().is_empty() {
            return Err(self.error_at(header.title.span().start, "the title is empty"));
        }
        Ok(())
    }

    /// The language of the injects' free text: `en` unless the file names a BCP 47 tag.
    fn language(&self, lang: Option<&Spanned<String>>) -> Result<String, DefinitionError> {
        let Some(value) = lang else {
            return Ok("en".to_string());
        };
        let tag = value.get_ref();
        let looks_like_tag = (2..=35).contains(&tag.len())
            && tag
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-');
        if !looks_like_tag {
            return Err(self.error_at(
                value.span().start,
                format!("`{tag}` is not a BCP 47 language tag such as `en`"),
            ));
        }
        Ok(tag.clone())
    }

    /// `[[party]]`: at least two, each listed once.
    fn parties(&self, raw: &[Spanned<RawParty>]) -> Result<Vec<ExerciseParty>, DefinitionError> {
        let mut parties: Vec<ExerciseParty> = Vec::new();
        for entry in raw {
            let party = entry.get_ref();
            let id = self.party(&party.id, party.id.get_ref())?;
            if parties.iter().any(|known| known.id == id) {
                return Err(self.error_at(
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
            return Err(self.error_at(
                0,
                format!(
                    "an exercise needs at least two [[party]] tables, got {}",
                    parties.len()
                ),
            ));
        }
        Ok(parties)
    }

    /// `[[inject]]`: 1 to [`MAXIMUM_INJECTS`], in the file's order.
    fn injects(
        &self,
        raw: &[Spanned<RawInject>],
        parties: &[ExerciseParty],
    ) -> Result<Vec<Inject>, DefinitionError> {
        if raw.is_empty() || raw.len() > MAXIMUM_INJECTS {
            return Err(self.error_at(
                0,
                format!(
                    "an exercise needs between 1 and {MAXIMUM_INJECTS} [[inject]] tables, got {}",
                    raw.len()
                ),
            ));
        }
        let mut injects: Vec<Inject> = Vec::new();
        let mut seen_ids = BTreeSet::new();
        for entry in raw {
            let inject = self.inject(entry, parties, &injects, &mut seen_ids)?;
            injects.push(inject);
        }
        Ok(injects)
    }

    /// One inject: its id, offset and text, then what it becomes by its kind. `earlier` are
    /// the injects listed before it.
    fn inject(
        &self,
        entry: &Spanned<RawInject>,
        parties: &[ExerciseParty],
        earlier: &[Inject],
        seen_ids: &mut BTreeSet<String>,
    ) -> Result<Inject, DefinitionError> {
        let start = entry.span().start;
        let inject = entry.get_ref();
        let id = inject.id.get_ref().clone();
        if !is_slug(&id) {
            return Err(self.error_at(
                inject.id.span().start,
                format!("inject id `{id}` must be a lower-case slug"),
            ));
        }
        if !seen_ids.insert(id.clone()) {
            return Err(self.error_at(
                inject.id.span().start,
                format!("inject id `{id}` is used twice"),
            ));
        }
        let at_minutes = u32::try_from(*inject.at_minutes.get_ref())
            .ok()
            .filter(|minutes| *minutes <= MAXIMUM_OFFSET_MINUTES)
            .ok_or_else(|| {
                self.error_at(
                    inject.at_minutes.span().start,
                    format!(
                        "at_minutes must be between 0 and {MAXIMUM_OFFSET_MINUTES}, got {}",
                        inject.at_minutes.get_ref()
                    ),
                )
            })?;
        let text = inject.text.get_ref().trim().to_string();
        if text.is_empty() || text.chars().count() > 20_000 {
            return Err(self.error_at(
                inject.text.span().start,
                "the text must have 1 to 20,000 characters",
            ));
        }
        let kind = match inject.kind.get_ref().as_str() {
            "incident" => self.incident_inject(inject, start, &id, parties)?,
            "notification" => {
                self.notification_inject(inject, start, &id, at_minutes, parties, earlier)?
            }
            other => {
                return Err(self.error_at(
                    inject.kind.span().start,
                    format!("unknown inject kind `{other}`; expected `incident` or `notification`"),
                ));
            }
        };
        Ok(Inject {
            id,
            at_minutes,
            text,
            kind,
            location: line_and_column(self.text, start),
        })
    }

    /// The error for a field that an inject of `kind` does not take.
    fn not_for(&self, field: &str, value_start: usize, kind: &str) -> DefinitionError {
        self.error_at(
            value_start,
            format!("`{field}` does not belong in an inject of kind `{kind}`"),
        )
    }

    /// An incident inject: a report (JSON) by a party of the exercise, never `exercise: false`.
    fn incident_inject(
        &self,
        inject: &RawInject,
        start: usize,
        id: &str,
        parties: &[ExerciseParty],
    ) -> Result<InjectKind, DefinitionError> {
        if let Some(value) = &inject.from {
            return Err(self.not_for("from", value.span().start, "incident"));
        }
        if let Some(value) = &inject.to {
            return Err(self.not_for("to", value.span().start, "incident"));
        }
        if let Some(value) = &inject.incident {
            return Err(self.not_for("incident", value.span().start, "incident"));
        }
        let Some(report) = &inject.report else {
            return Err(self.error_at(
                start,
                format!("inject `{id}`: an incident inject needs a `report` (the incident report's JSON)"),
            ));
        };
        let value: serde_json::Value = serde_json::from_str(report.get_ref()).map_err(|error| {
            self.error_at(
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
                self.error_at(
                    report.span().start,
                    format!("inject `{id}`: report.reported_by: an exercise party is required"),
                )
            })?;
        let reported_by = self.party(report, reported_by)?;
        if !is_player(parties, &reported_by) {
            return Err(self.error_at(
                report.span().start,
                format!("inject `{id}`: report.reported_by: `{reported_by}` is not a party of this exercise"),
            ));
        }
        if value.get("exercise") == Some(&serde_json::Value::Bool(false)) {
            return Err(self.error_at(
                report.span().start,
                format!("inject `{id}`: report.exercise: an inject's report is always an exercise report"),
            ));
        }
        if let Some(value) = &inject.tlp {
            return Err(self.not_for("tlp", value.span().start, "incident"));
        }
        Ok(InjectKind::Incident {
            report_json: report.get_ref().clone(),
            reported_by,
        })
    }

    /// A notification inject: from a party to other parties of the exercise, perhaps about an
    /// incident inject listed earlier and due no later.
    fn notification_inject(
        &self,
        inject: &RawInject,
        start: usize,
        id: &str,
        at_minutes: u32,
        parties: &[ExerciseParty],
        earlier: &[Inject],
    ) -> Result<InjectKind, DefinitionError> {
        if let Some(value) = &inject.report {
            return Err(self.not_for("report", value.span().start, "notification"));
        }
        let Some(from_value) = &inject.from else {
            return Err(self.error_at(start, format!("inject `{id}`: a notification needs `from`")));
        };
        let from = self.party(from_value, from_value.get_ref())?;
        if !is_player(parties, &from) {
            return Err(self.error_at(
                from_value.span().start,
                format!("`{from}` is not a party of this exercise"),
            ));
        }
        let Some(to_value) = &inject.to else {
            return Err(self.error_at(start, format!("inject `{id}`: a notification needs `to`")));
        };
        let to = self.recipients(to_value, &from, parties)?;
        let incident = match &inject.incident {
            Some(value) => Some(self.earlier_incident(value, at_minutes, earlier)?),
            None => None,
        };
        let severity_level = match &inject.severity_level {
            Some(value) => Some(
                u8::try_from(*value.get_ref())
                    .ok()
                    .filter(|level| *level <= 5)
                    .ok_or_else(|| {
                        self.error_at(value.span().start, "severity_level runs from 0 to 5")
                    })?,
            ),
            None => None,
        };
        let tlp = match &inject.tlp {
            Some(value) => Tlp::parse(value.get_ref())
                .filter(|tlp| *tlp != Tlp::Clear)
                .ok_or_else(|| {
                    self.error_at(
                        value.span().start,
                        format!(
                            "`{}` is not a TLP label an exercise may use (green, amber, amber+strict, red)",
                            value.get_ref()
                        ),
                    )
                })?,
            None => Tlp::Green,
        };
        Ok(InjectKind::Notification {
            from,
            to,
            incident,
            severity_level,
            requested_actions: inject.requested_actions.clone(),
            tlp,
        })
    }

    /// A notification's recipients: at least one, each another party of the exercise, once.
    fn recipients(
        &self,
        to_value: &Spanned<Vec<String>>,
        from: &PartyId,
        parties: &[ExerciseParty],
    ) -> Result<Vec<PartyId>, DefinitionError> {
        let mut to = Vec::new();
        for recipient in to_value.get_ref() {
            let recipient = self.party(to_value, recipient)?;
            if !is_player(parties, &recipient) || &recipient == from || to.contains(&recipient) {
                return Err(self.error_at(
                    to_value.span().start,
                    format!("`{recipient}`: every recipient must be another party of this exercise, listed once"),
                ));
            }
            to.push(recipient);
        }
        if to.is_empty() {
            return Err(self.error_at(to_value.span().start, "at least one recipient is required"));
        }
        Ok(to)
    }

    /// The incident inject a notification is about: listed earlier and due no later.
    fn earlier_incident(
        &self,
        value: &Spanned<String>,
        at_minutes: u32,
        earlier: &[Inject],
    ) -> Result<String, DefinitionError> {
        let found = earlier.iter().find(|earlier| {
            &earlier.id == value.get_ref() && matches!(earlier.kind, InjectKind::Incident { .. })
        });
        match found {
            Some(found) if found.at_minutes <= at_minutes => Ok(value.get_ref().clone()),
            _ => Err(self.error_at(
                value.span().start,
                format!(
                    "`{}` is not an incident inject listed earlier and due no later than this one",
                    value.get_ref()
                ),
            )),
        }
    }
}

fn is_player(parties: &[ExerciseParty], id: &PartyId) -> bool {
    parties.iter().any(|party| &party.id == id)
}

impl ExerciseDefinition {
    /// Parses and checks an exercise file. `file` names it in errors.
    ///
    /// A pipeline: the TOML, the header (id, title, facilitator, language), the parties, then
    /// the injects in order; the first problem found is the error.
    pub fn parse(text: &str, file: &str) -> Result<ExerciseDefinition, DefinitionError> {
        let located = Located { file, text };
        let raw: RawFile = toml::from_str(text).map_err(|error| {
            let offset = error.span().map_or(0, |span| span.start);
            located.error_at(offset, error.message().trim_end())
        })?;
        let header = raw.exercise;
        located.check_header(&header)?;
        let facilitator = match &header.facilitator {
            Some(value) => Some(located.party(value, value.get_ref())?),
            None => None,
        };
        let lang = located.language(header.lang.as_ref())?;
        let parties = located.parties(&raw.party)?;
        if let (Some(facilitator), Some(value)) = (&facilitator, &header.facilitator)
            && parties.iter().any(|party| &party.id == facilitator)
        {
            return Err(located.error_at(
                value.span().start,
                format!("the facilitator `{facilitator}` cannot also be a player"),
            ));
        }
        let mut injects = located.injects(&raw.inject, &parties)?;
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
