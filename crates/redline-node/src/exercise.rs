//! Tabletop exercises: a facilitator's script played on the node. Creating an
//! exercise stores its definition and start time; each inject, once due, becomes a real
//! incident report (marked `exercise: true`, never `TLP:CLEAR`) or a real signed hotline
//! notification between exercise parties (`exercise: true` in the payload, so the standard form
//! carries the exercise banner); players answer through the normal hotline and record the
//! response rung they choose; the after-action report puts the timeline, the deadlines met and
//! missed and the rungs chosen against the norms' recommendations side by side.
//!
//! Everything an exercise writes is marked: the incident reports, the messages and threads, and
//! every log entry (`LogEntry::exercise`). The exercise's own records (definition, delivered
//! injects, decisions) are an append-only list in the store (`exercise_records`).

pub mod report;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use redline_hotline::message::NotificationBody;
use redline_hotline::{
    HotlineMessage, MessageBody, MessageKind, Rejection, read_unverified_message,
};
use redline_model::{IncidentId, PartyId, Timestamp};
use redline_store::ExerciseRecord;

pub use redline_sim::exercise::{
    DefinitionError, ExerciseDefinition, ExerciseParty, Inject, InjectKind,
};
pub use report::{
    AfterActionReport, render_html, render_html_in, render_markdown, render_markdown_in,
};

use crate::log::{LogEntry, LogEntryKind};
use crate::{Caller, Node, NodeError};

const CREATED: &str = "created";
const INJECT: &str = "inject";
const DECISION: &str = "decision";

/// The most exercise-time minutes one real minute may stand for.
pub const MAXIMUM_SPEED: f64 = 10_000.0;

/// What the `created` record keeps.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct CreatedRecord {
    file: String,
    definition: String,
    started_at: Timestamp,
    speed: f64,
    #[serde(default)]
    created_by: Option<PartyId>,
}

/// What an `inject` record keeps: what the inject became.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveredInject {
    pub inject: String,
    pub kind: String,
    pub delivered_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<IncidentId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<Uuid>,
}

/// A player's decision: the after-action report's record, kept as the node stores it.
pub use redline_sim::after_action::Decision;

/// What a player sends to record a decision.
#[derive(Debug, Clone, Deserialize)]
pub struct NewDecision {
    /// Needed only when the operator records for a party; a signed-in party decides for itself.
    #[serde(default)]
    pub party: Option<PartyId>,
    pub incident: IncidentId,
    pub rung: u32,
    #[serde(default)]
    pub note: String,
}

/// One inject as the exercise stands.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InjectStatus {
    pub id: String,
    pub kind: String,
    pub at_minutes: u32,
    pub due_at: Timestamp,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivered: Option<DeliveredInject>,
}

/// An exercise party as the views show it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartyView {
    pub id: PartyId,
    pub role: String,
}

/// An exercise: definition, parties, start, and each inject with what it became.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExerciseView {
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
    pub parties: Vec<PartyView>,
    pub started_at: Timestamp,
    pub speed: f64,
    pub injects: Vec<InjectStatus>,
}

/// An inject that is due and not delivered yet. For a notification, `payload` is the hotline
/// message to sign with the sender's key and hand back to `deliver_exercise_inject`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DueInject {
    pub id: String,
    pub kind: String,
    pub due_at: Timestamp,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_as: Option<PartyId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<serde_json::Value>,
}

/// An exercise read back from its records.
pub(crate) struct ExerciseState {
    pub(crate) id: String,
    pub(crate) definition: ExerciseDefinition,
    pub(crate) started_at: Timestamp,
    pub(crate) speed: f64,
    pub(crate) created_by: Option<PartyId>,
    pub(crate) delivered: BTreeMap<String, DeliveredInject>,
    pub(crate) decisions: Vec<Decision>,
}

impl ExerciseState {
    pub(crate) fn due_at(&self, inject: &Inject) -> Timestamp {
        let offset = (f64::from(inject.at_minutes) * 60_000_000.0 / self.speed).round() as i64;
        Timestamp::from_microseconds(self.started_at.as_microseconds().saturating_add(offset))
            .unwrap_or(self.started_at)
    }

    fn view(&self) -> ExerciseView {
        let definition = &self.definition;
        ExerciseView {
            id: self.id.clone(),
            exercise: true,
            definition_id: definition.id.clone(),
            title: definition.title.clone(),
            description: definition.description.clone(),
            scenario: definition.scenario.clone(),
            facilitator: definition.facilitator.clone(),
            created_by: self.created_by.clone(),
            parties: definition
                .parties
                .iter()
                .map(|party| PartyView {
                    id: party.id.clone(),
                    role: party.role.clone(),
                })
                .collect(),
            started_at: self.started_at,
            speed: self.speed,
            injects: definition
                .injects
                .iter()
                .map(|inject| InjectStatus {
                    id: inject.id.clone(),
                    kind: inject.kind.name().to_string(),
                    at_minutes: inject.at_minutes,
                    due_at: self.due_at(inject),
                    text: inject.text.clone(),
                    delivered: self.delivered.get(&inject.id).cloned(),
                })
                .collect(),
        }
    }

    fn incident_of(&self, inject_id: &str) -> Option<IncidentId> {
        self.delivered
            .get(inject_id)
            .and_then(|delivered| delivered.incident.clone())
    }

    pub(crate) fn incidents(&self) -> Vec<IncidentId> {
        self.delivered
            .values()
            .filter_map(|delivered| delivered.incident.clone())
            .collect()
    }

    /// The report an incident inject becomes when delivered at `due_at`, with its fixed id.
    pub(crate) fn inject_report(
        &self,
        inject: &Inject,
        due_at: Timestamp,
    ) -> Result<redline_model::IncidentReport, NodeError> {
        let mut report = self
            .definition
            .incident_report(inject, due_at)
            .map_err(|error| NodeError::invalid("definition", error.to_string()))?;
        report.id = Some(IncidentId::from_random_bytes(derived_bytes(
            &self.id, &inject.id, "incident",
        )));
        Ok(report)
    }

    fn may_run(&self, caller: &Caller) -> bool {
        match caller {
            Caller::Operator => true,
            Caller::Party(party) => {
                self.definition.facilitator.as_ref() == Some(party)
                    || self.created_by.as_ref() == Some(party)
            }
        }
    }

    fn may_read(&self, caller: &Caller) -> bool {
        self.may_run(caller)
            || caller
                .party()
                .is_some_and(|party| self.definition.is_player(party))
    }
}

/// 16 bytes derived from the exercise, the inject and a purpose: the ids of what an inject
/// becomes are fixed, so delivering twice (after a crash, or two facilitators) stores it once.
fn derived_bytes(exercise: &str, inject: &str, purpose: &str) -> [u8; 16] {
    let digest = Sha256::digest(format!(
        "redline exercise {exercise} inject {inject} {purpose}"
    ));
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes
}

fn derived_uuid(exercise: &str, inject: &str, purpose: &str) -> Uuid {
    uuid::Builder::from_random_bytes(derived_bytes(exercise, inject, purpose)).into_uuid()
}

impl Node {
    /// Stores one of an exercise's records with its log entry (by the party the record names,
    /// about `subject`, hashing the record; always marked `exercise`), in one transaction.
    async fn commit_exercise_record(
        &self,
        record: ExerciseRecord,
        kind: LogEntryKind,
        subject: String,
    ) -> Result<(), NodeError> {
        let entry = LogEntry::new(
            kind,
            record.party.as_ref().map(ToString::to_string),
            subject,
            record.recorded_at,
            record.record.as_bytes(),
        )
        .exercise(true);
        self.commit_logged(
            vec![redline_store::StoreWrite::InsertExerciseRecord(record)],
            vec![entry],
        )
        .await
    }

    /// Creates an exercise from an exercise file's text, starting at `start` (now if `None`);
    /// `speed` exercise minutes pass per real minute (1 if `None`). The operator, or the party
    /// the file names as facilitator (or, if it names none, any party that is not a player),
    /// may create one. Every party must exist and every inject's report must meet the contract
    /// at the time it is due; nothing is stored otherwise.
    pub async fn create_exercise(
        &self,
        caller: &Caller,
        text: &str,
        file: &str,
        start: Option<Timestamp>,
        speed: Option<f64>,
    ) -> Result<ExerciseView, NodeError> {
        let definition = ExerciseDefinition::parse(text, file)
            .map_err(|error| NodeError::invalid("definition", error.to_string()))?;
        if let Caller::Party(party) = caller {
            if definition.is_player(party) {
                return Err(NodeError::Forbidden(format!(
                    "{party} is a player of this exercise and cannot run it"
                )));
            }
            if let Some(facilitator) = &definition.facilitator
                && facilitator != party
            {
                return Err(NodeError::Forbidden(format!(
                    "this exercise is run by {facilitator}, not {party}"
                )));
            }
        }
        let speed = speed.unwrap_or(1.0);
        if !(speed.is_finite() && speed > 0.0 && speed <= MAXIMUM_SPEED) {
            return Err(NodeError::invalid(
                "speed",
                format!("the speed must be above 0 and at most {MAXIMUM_SPEED}"),
            ));
        }
        let now = self.now();
        let started_at = start.unwrap_or(now);
        let mut wanted: Vec<PartyId> = definition
            .parties
            .iter()
            .map(|party| party.id.clone())
            .collect();
        wanted.extend(definition.facilitator.iter().cloned());
        let missing = self.missing_parties(&wanted).await?;
        if let Some(first) = missing.first() {
            return Err(NodeError::invalid(
                "definition",
                format!("{file}: `{first}` is not a party of this node"),
            ));
        }
        let id = format!(
            "exercise--{}",
            uuid::Builder::from_random_bytes(crate::random_bytes::<16>()?).into_uuid()
        );
        let created = CreatedRecord {
            file: file.to_string(),
            definition: text.to_string(),
            started_at,
            speed,
            created_by: caller.party().cloned(),
        };
        let state = ExerciseState {
            id: id.clone(),
            definition,
            started_at,
            speed,
            created_by: created.created_by.clone(),
            delivered: BTreeMap::new(),
            decisions: Vec::new(),
        };
        for inject in &state.definition.injects {
            if matches!(inject.kind, InjectKind::Incident { .. }) {
                state
                    .definition
                    .incident_report(inject, state.due_at(inject))
                    .map_err(|error| NodeError::invalid("definition", error.to_string()))?;
            }
        }
        let record = serde_json::to_string(&created)
            .map_err(|error| NodeError::Internal(format!("encoding an exercise: {error}")))?;
        self.commit_exercise_record(
            ExerciseRecord {
                sequence: 0,
                exercise_id: id.clone(),
                key: "exercise".into(),
                kind: CREATED.into(),
                party: caller.party().cloned(),
                recorded_at: now,
                record,
            },
            LogEntryKind::ExerciseStarted,
            id.clone(),
        )
        .await?;
        tracing::info!(exercise = %id, definition = %state.definition.id, "exercise created");
        Ok(state.view())
    }

    pub(crate) async fn exercise_state(&self, id: &str) -> Result<ExerciseState, NodeError> {
        let records = self.store.list_exercise_records(id).await?;
        let not_found = || NodeError::NotFound(format!("exercise {id}"));
        let created = records
            .iter()
            .find(|record| record.kind == CREATED)
            .ok_or_else(not_found)?;
        let created: CreatedRecord = serde_json::from_str(&created.record)
            .map_err(|error| NodeError::Internal(format!("stored exercise {id}: {error}")))?;
        let definition = ExerciseDefinition::parse(&created.definition, &created.file)
            .map_err(|error| NodeError::Internal(format!("stored exercise {id}: {error}")))?;
        let mut state = ExerciseState {
            id: id.to_string(),
            definition,
            started_at: created.started_at,
            speed: created.speed,
            created_by: created.created_by,
            delivered: BTreeMap::new(),
            decisions: Vec::new(),
        };
        for record in &records {
            match record.kind.as_str() {
                INJECT => {
                    let delivered: DeliveredInject =
                        serde_json::from_str(&record.record).map_err(|error| {
                            NodeError::Internal(format!("stored exercise {id}: {error}"))
                        })?;
                    state.delivered.insert(delivered.inject.clone(), delivered);
                }
                DECISION => {
                    let decision: Decision =
                        serde_json::from_str(&record.record).map_err(|error| {
                            NodeError::Internal(format!("stored exercise {id}: {error}"))
                        })?;
                    state.decisions.push(decision);
                }
                _ => {}
            }
        }
        Ok(state)
    }

    /// An exercise, for its facilitator, its players and the operator.
    pub async fn get_exercise(&self, caller: &Caller, id: &str) -> Result<ExerciseView, NodeError> {
        let state = self.exercise_state(id).await?;
        if !state.may_read(caller) {
            return Err(NodeError::NotFound(format!("exercise {id}")));
        }
        Ok(state.view())
    }

    /// The newest exercises the caller runs or plays in.
    pub async fn list_exercises(&self, caller: &Caller) -> Result<Vec<ExerciseView>, NodeError> {
        let created = self
            .store
            .list_exercise_records_of_kind(CREATED, 500)
            .await?;
        let mut views = Vec::new();
        for record in created {
            let state = self.exercise_state(&record.exercise_id).await?;
            if state.may_read(caller) {
                views.push(state.view());
            }
        }
        Ok(views)
    }

    /// The injects that are due (by the node's clock) and not delivered yet, in order. A
    /// notification about an incident inject waits until that incident is delivered.
    pub async fn exercise_due_injects(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<Vec<DueInject>, NodeError> {
        let state = self.exercise_state(id).await?;
        if !state.may_run(caller) {
            return Err(NodeError::NotFound(format!("exercise {id}")));
        }
        let now = self.now();
        let mut due = Vec::new();
        for inject in &state.definition.injects {
            let due_at = state.due_at(inject);
            if due_at > now || state.delivered.contains_key(&inject.id) {
                continue;
            }
            let (sign_as, payload) = match &inject.kind {
                InjectKind::Incident { .. } => {
                    let report = state.inject_report(inject, due_at)?;
                    if caller.party() == Some(&report.reported_by) || caller.party().is_none() {
                        (None, None)
                    } else {
                        let payload = serde_json::to_value(&report)
                            .map_err(|error| NodeError::Internal(error.to_string()))?;
                        (Some(report.reported_by.clone()), Some(payload))
                    }
                }
                InjectKind::Notification { from, .. } => {
                    let Some(message) = self.inject_message(&state, inject, now)? else {
                        continue;
                    };
                    let payload = serde_json::from_slice(&message.to_json_bytes())
                        .map_err(|error| NodeError::Internal(error.to_string()))?;
                    (Some(from.clone()), Some(payload))
                }
            };
            due.push(DueInject {
                id: inject.id.clone(),
                kind: inject.kind.name().to_string(),
                due_at,
                text: inject.text.clone(),
                sign_as,
                payload,
            });
        }
        Ok(due)
    }

    /// The hotline message a notification inject becomes, sent at `sent_at`; `None` while the
    /// incident it is about has not been delivered.
    fn inject_message(
        &self,
        state: &ExerciseState,
        inject: &Inject,
        sent_at: Timestamp,
    ) -> Result<Option<HotlineMessage>, NodeError> {
        let InjectKind::Notification {
            from,
            to,
            incident,
            severity_level,
            requested_actions,
            tlp,
        } = &inject.kind
        else {
            return Ok(None);
        };
        let incident = match incident {
            Some(inject_id) => match state.incident_of(inject_id) {
                Some(incident) => Some(incident),
                None => return Ok(None),
            },
            None => None,
        };
        Ok(Some(HotlineMessage {
            id: derived_uuid(&state.id, &inject.id, "message"),
            thread: derived_uuid(&state.id, &inject.id, "thread"),
            from: from.clone(),
            to: to.clone(),
            sent_at,
            incident,
            tlp: *tlp,
            lang: state.definition.lang.clone(),
            exercise: true,
            body: MessageBody::Notification(NotificationBody {
                summary: inject.text.clone(),
                severity_level: *severity_level,
                requested_actions: requested_actions.clone(),
            }),
        }))
    }

    /// Delivers one due inject: an incident inject is submitted as its reporter's exercise
    /// report; a notification inject needs `envelope`, the payload of `exercise_due_injects`
    /// signed with the sender's key (the facilitator plays that party's part), and goes through
    /// the hotline like any message. Delivering an inject twice stores it once.
    pub async fn deliver_exercise_inject(
        &self,
        caller: &Caller,
        id: &str,
        inject_id: &str,
        envelope: Option<&[u8]>,
    ) -> Result<DeliveredInject, NodeError> {
        let state = self.exercise_state(id).await?;
        if !state.may_run(caller) {
            return Err(NodeError::NotFound(format!("exercise {id}")));
        }
        let inject = state
            .definition
            .inject(inject_id)
            .ok_or_else(|| NodeError::NotFound(format!("inject {inject_id} of exercise {id}")))?
            .clone();
        if let Some(delivered) = state.delivered.get(inject_id) {
            return Err(NodeError::Conflict(format!(
                "inject {inject_id} was delivered at {}",
                delivered.delivered_at
            )));
        }
        let now = self.now();
        let due_at = state.due_at(&inject);
        if due_at > now {
            return Err(NodeError::Conflict(format!(
                "inject {inject_id} is not due until {due_at}"
            )));
        }
        let delivered = match &inject.kind {
            InjectKind::Incident { .. } => {
                let report = state.inject_report(&inject, due_at)?;
                let incident_id = report.id.clone().ok_or_else(|| {
                    NodeError::Internal(format!("inject {inject_id} has no incident id"))
                })?;
                let reporter = self
                    .inject_reporter(caller, &inject, &report, envelope)
                    .await?;
                match self.submit_incident(&reporter, report).await {
                    Ok(_) => {}
                    // Delivered before, but not recorded (a crash in between).
                    Err(NodeError::Conflict(_))
                        if self
                            .store
                            .get_incident(&incident_id)
                            .await?
                            .is_some_and(|incident| incident.report.exercise) => {}
                    Err(other) => return Err(other),
                }
                DeliveredInject {
                    inject: inject.id.clone(),
                    kind: "incident".into(),
                    delivered_at: now,
                    incident: Some(incident_id),
                    message: None,
                    thread: None,
                }
            }
            InjectKind::Notification { .. } => {
                let Some(envelope) = envelope else {
                    return Err(NodeError::invalid(
                        "envelope",
                        "a notification inject is delivered as a message signed by its sender",
                    ));
                };
                let message = read_unverified_message(envelope).map_err(NodeError::Rejected)?;
                let expected = self
                    .inject_message(&state, &inject, message.sent_at)?
                    .ok_or_else(|| {
                        NodeError::Conflict(format!(
                            "inject {inject_id} waits for the incident it is about"
                        ))
                    })?;
                if message != expected {
                    return Err(NodeError::invalid(
                        "envelope",
                        format!(
                            "the signed message is not the one inject {inject_id} prescribes; sign the payload of its due entry unchanged"
                        ),
                    ));
                }
                match self.accept_message(&Caller::Operator, envelope).await {
                    Ok(_) => {}
                    Err(NodeError::Rejected(Rejection::ReplayedMessage { .. })) => {}
                    Err(other) => return Err(other),
                }
                DeliveredInject {
                    inject: inject.id.clone(),
                    kind: MessageKind::Notification.as_str().into(),
                    delivered_at: now,
                    incident: message.incident.clone(),
                    message: Some(message.id),
                    thread: Some(message.thread),
                }
            }
        };
        let record = serde_json::to_string(&delivered)
            .map_err(|error| NodeError::Internal(format!("encoding an inject: {error}")))?;
        self.store
            .insert_exercise_record(&ExerciseRecord {
                sequence: 0,
                exercise_id: state.id.clone(),
                key: format!("inject:{}", inject.id),
                kind: INJECT.into(),
                party: caller.party().cloned(),
                recorded_at: now,
                record,
            })
            .await?;
        tracing::info!(exercise = %state.id, inject = %inject.id, "exercise inject delivered");
        Ok(delivered)
    }

    /// Who an incident inject is reported as. A party names only itself as reporter unless
    /// the reporter signed the report: the facilitator who plays another party's part hands
    /// back `envelope`, the due entry's payload signed with that party's key (DSSE, payload
    /// type `EXERCISE_REPORT_PAYLOAD_TYPE`). So no one can make a party "report" an incident it
    /// never saw, and the log entry names the reporter. The operator, on its own node, reports
    /// as the operator.
    async fn inject_reporter(
        &self,
        caller: &Caller,
        inject: &Inject,
        report: &redline_model::IncidentReport,
        envelope: Option<&[u8]>,
    ) -> Result<Caller, NodeError> {
        let Caller::Party(runner) = caller else {
            return Ok(Caller::Operator);
        };
        let reporter = &report.reported_by;
        if runner == reporter {
            return Ok(caller.clone());
        }
        let Some(envelope) = envelope else {
            return Err(NodeError::Forbidden(format!(
                "inject {} is reported by {reporter}: deliver it with the report signed by {reporter}'s key (the payload of its due entry), not as {runner}",
                inject.id
            )));
        };
        let envelope = redline_hotline::Envelope::parse(envelope)
            .map_err(|error| NodeError::invalid("envelope", error.to_string()))?;
        if envelope.payload_type != redline_hotline::EXERCISE_REPORT_PAYLOAD_TYPE {
            return Err(NodeError::invalid(
                "envelope.payloadType",
                format!(
                    "an incident inject is signed as `{}`, not `{}`",
                    redline_hotline::EXERCISE_REPORT_PAYLOAD_TYPE,
                    envelope.payload_type
                ),
            ));
        }
        let signed: redline_model::IncidentReport = serde_json::from_slice(&envelope.payload)
            .map_err(|error| NodeError::invalid("envelope.payload", error.to_string()))?;
        if &signed != report {
            return Err(NodeError::invalid(
                "envelope",
                format!(
                    "the signed report is not the one inject {} prescribes; sign the payload of its due entry unchanged",
                    inject.id
                ),
            ));
        }
        let keys = self
            .store
            .get_party(reporter)
            .await?
            .map(|party| party.keys)
            .unwrap_or_default();
        if !envelope.is_signed_by_one_of(&keys, self.now()) {
            return Err(NodeError::Forbidden(format!(
                "the report of inject {} is not signed by a current key of {reporter}",
                inject.id
            )));
        }
        Ok(Caller::Party(reporter.clone()))
    }

    /// Records the response rung a player chooses for an exercise incident, and how it compares
    /// with the latest assessment's recommendation.
    pub async fn record_exercise_decision(
        &self,
        caller: &Caller,
        id: &str,
        decision: NewDecision,
    ) -> Result<Decision, NodeError> {
        let state = self.exercise_state(id).await?;
        let party = match (caller, &decision.party) {
            (Caller::Party(party), None) => party.clone(),
            (Caller::Party(party), Some(named)) if named == party => party.clone(),
            (Caller::Party(party), Some(named)) => {
                return Err(NodeError::Forbidden(format!(
                    "{party} cannot record a decision for {named}"
                )));
            }
            (Caller::Operator, Some(named)) => named.clone(),
            (Caller::Operator, None) => {
                return Err(NodeError::invalid(
                    "party",
                    "say which party decides (the operator records for a player)",
                ));
            }
        };
        if !state.may_read(caller) {
            return Err(NodeError::NotFound(format!("exercise {id}")));
        }
        if !state.definition.is_player(&party) {
            return Err(NodeError::Forbidden(format!(
                "{party} is not a player of exercise {id}"
            )));
        }
        if !state.incidents().contains(&decision.incident) {
            return Err(NodeError::invalid(
                "incident",
                format!("{} is not an incident of exercise {id}", decision.incident),
            ));
        }
        // A player decides only on an incident it may read: the ceiling and the recommended
        // rungs come from its assessment, which is as restricted as the report.
        self.get_incident(&Caller::Party(party.clone()), &decision.incident)
            .await?;
        if decision.note.chars().count() > 20_000 {
            return Err(NodeError::invalid(
                "note",
                "at most 20,000 characters are allowed",
            ));
        }
        let assessment = self
            .store
            .get_latest_assessment(&decision.incident)
            .await?
            .ok_or_else(|| {
                NodeError::Conflict(format!("{} has no assessment yet", decision.incident))
            })?;
        let document = self
            .norms_document_by_sha(&assessment.norms_sha256)
            .await
            .ok_or_else(|| {
                NodeError::Internal(format!(
                    "norms document {} is not loaded",
                    assessment.norms_sha256
                ))
            })?;
        let Some(rung) = document
            .rungs
            .iter()
            .find(|rung| rung.number == decision.rung)
        else {
            let top = document.rungs.len().saturating_sub(1);
            return Err(NodeError::invalid(
                "rung",
                format!(
                    "rung {} is not on the ladder of {} (rungs 0 to {top})",
                    decision.rung, document.id
                ),
            ));
        };
        let responses: serde_json::Value = serde_json::from_str(&assessment.assessment_json)
            .ok()
            .and_then(|value: serde_json::Value| value.get("responses").cloned())
            .unwrap_or(serde_json::Value::Null);
        let ceiling = responses
            .get("ceiling")
            .and_then(serde_json::Value::as_u64)
            .and_then(|ceiling| u32::try_from(ceiling).ok())
            .unwrap_or(0);
        let recommended: Vec<u32> = responses
            .get("recommended")
            .and_then(serde_json::Value::as_array)
            .map(|rungs| {
                rungs
                    .iter()
                    .filter_map(|rung| rung.get("rung")?.as_u64())
                    .filter_map(|rung| u32::try_from(rung).ok())
                    .collect()
            })
            .unwrap_or_default();
        let verdict = if recommended.contains(&decision.rung) {
            "recommended"
        } else if decision.rung <= ceiling {
            "within-ceiling"
        } else {
            "above-ceiling"
        };
        let now = self.now();
        let recorded = Decision {
            id: uuid::Builder::from_random_bytes(crate::random_bytes::<16>()?).into_uuid(),
            party: party.clone(),
            incident: decision.incident,
            rung: decision.rung,
            rung_id: rung.id.clone(),
            rung_title: rung.title.clone(),
            note: decision.note.trim().to_string(),
            decided_at: now,
            ceiling,
            recommended,
            verdict: verdict.to_string(),
            norms_sha256: assessment.norms_sha256,
        };
        let record = serde_json::to_string(&recorded)
            .map_err(|error| NodeError::Internal(format!("encoding a decision: {error}")))?;
        self.commit_exercise_record(
            ExerciseRecord {
                sequence: 0,
                exercise_id: state.id.clone(),
                key: format!("decision:{}", recorded.id),
                kind: DECISION.into(),
                party: Some(party.clone()),
                recorded_at: now,
                record,
            },
            LogEntryKind::ExerciseDecision,
            recorded.id.to_string(),
        )
        .await?;
        tracing::info!(exercise = %state.id, %party, rung = recorded.rung, verdict, "exercise decision recorded");
        Ok(recorded)
    }

    /// The after-action report of an exercise as it stands now.
    pub async fn exercise_report(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<AfterActionReport, NodeError> {
        let mut state = self.exercise_state(id).await?;
        if !state.may_read(caller) {
            return Err(NodeError::NotFound(format!("exercise {id}")));
        }
        if !state.may_run(caller) {
            // A player sees the decisions (with their ceilings and recommended rungs) only on
            // the incidents it may read.
            let mut readable = Vec::with_capacity(state.decisions.len());
            for decision in std::mem::take(&mut state.decisions) {
                if self.get_incident(caller, &decision.incident).await.is_ok() {
                    readable.push(decision);
                }
            }
            state.decisions = readable;
        }
        let incidents = state.incidents();
        let inject_threads: Vec<Uuid> = state
            .delivered
            .values()
            .filter_map(|delivered| delivered.thread)
            .collect();
        let threads: Vec<_> = self
            .store
            .list_threads(None, 10_000)
            .await?
            .into_iter()
            .filter(|thread| {
                thread.exercise
                    && (inject_threads.contains(&thread.id)
                        || thread.incident_id.as_ref().is_some_and(|incident| {
                            incidents.iter().any(|known| known.as_str() == incident)
                        }))
            })
            .collect();
        let mut messages = Vec::new();
        for thread in &threads {
            messages.extend(self.store.list_thread_messages(thread.id).await?);
        }
        Ok(report::build(&state, &threads, &messages, self.now()))
    }
}
