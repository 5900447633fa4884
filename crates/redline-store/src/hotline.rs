//! The hotline's records: messages as received, threads with their state and deadlines, the
//! per-party event stream, and communication checks.
//!
//! A [`HotlineWrite`] is one atomic change — a message with the thread it opens or moves, the
//! events it causes, the check it starts or answers, the assistance or mitigation request it
//! makes or answers (`hotline_requests`, migration SQLite 0016 / PostgreSQL 0017) and the
//! parties it notifies of the sender's incident; or a deadline firing with its reminders and
//! alerts. A thread moves only from the state the node read (`expected_state`), and a request's
//! outcome only from the outcome the node read, so two concurrent changes cannot both apply: the
//! second is a conflict the node retries.

use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use redline_hotline::{MessageKind, RequestOutcomeKind, ThreadState};
use redline_model::{DutyKind, PartyId, Reader, Timestamp, Tlp};

use async_trait::async_trait;

use crate::StoreError;
use crate::sql_helpers::{
    AnyQuery, Columns, SqlFilter, classify, corrupt, from_json_text, timestamp_from_column,
    to_json_text, value_placeholders,
};

/// The hotline's records: messages, threads, each party's event stream, communication checks.
#[async_trait]
pub trait HotlineStore: Send + Sync {
    /// Applies one hotline change atomically.
    async fn apply_hotline_write(&self, write: &HotlineWrite) -> Result<(), StoreError>;
    async fn hotline_message_exists(&self, id: Uuid) -> Result<bool, StoreError>;
    async fn get_hotline_message(&self, id: Uuid) -> Result<Option<StoredMessage>, StoreError>;
    /// The messages of a thread, in the order received.
    async fn list_thread_messages(&self, thread: Uuid) -> Result<Vec<StoredMessage>, StoreError>;
    /// The notifications `from` sent about `incident` outside exercises, in the order received.
    async fn notifications_about_incident(
        &self,
        incident: &str,
        from: &PartyId,
    ) -> Result<Vec<StoredMessage>, StoreError>;
    async fn get_thread(&self, id: Uuid) -> Result<Option<StoredThread>, StoreError>;
    /// Threads, newest activity first: those `party` takes part in, or all for `None`.
    async fn list_threads(
        &self,
        party: Option<&PartyId>,
        limit: u32,
    ) -> Result<Vec<StoredThread>, StoreError>;
    /// Threads with a deadline that still awaits firing and falls at or before `due_by`.
    async fn threads_with_deadlines_due(
        &self,
        due_by: Timestamp,
    ) -> Result<Vec<StoredThread>, StoreError>;
    /// The earliest deadline of any thread that still awaits firing.
    async fn earliest_awaited_deadline(&self) -> Result<Option<Timestamp>, StoreError>;
    /// A party's events after `after_sequence`, oldest first.
    async fn list_hotline_events(
        &self,
        party: &PartyId,
        after_sequence: i64,
        limit: u32,
    ) -> Result<Vec<HotlineEvent>, StoreError>;
    async fn get_communication_check(
        &self,
        id: Uuid,
    ) -> Result<Option<CommunicationCheck>, StoreError>;
    /// The newest checks `reader` may read first, each with its thread's label.
    async fn list_communication_checks(
        &self,
        reader: Reader<'_>,
        limit: u32,
    ) -> Result<Vec<(CommunicationCheck, Tlp)>, StoreError>;
    /// Assistance and mitigation requests, one row per request and recipient, oldest first:
    /// those of one thread, of one recipient, or every one; exercises only if asked.
    async fn list_hotline_requests(
        &self,
        query: &HotlineRequestQuery,
    ) -> Result<Vec<HotlineRequestRow>, StoreError>;
}

/// One recipient's row of an assistance or mitigation request: timings and the latest outcome,
/// never content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotlineRequestRow {
    /// The request message.
    pub request_id: Uuid,
    /// The recipient who owes the answer.
    pub party: PartyId,
    pub thread_id: Uuid,
    /// `assistance-request` or `mitigation-request`.
    pub kind: MessageKind,
    pub from: PartyId,
    pub exercise: bool,
    pub requested_at: Timestamp,
    /// By when the recipient must answer, if the document says.
    pub answer_by: Option<Timestamp>,
    /// The duty that set `answer_by`: `assistance-answer`, or `initial-reply` where the
    /// document has none.
    pub answer_duty: Option<DutyKind>,
    /// Its first answer: an outcome, or an offer naming the request.
    pub answered_at: Option<Timestamp>,
    pub outcome: Option<RequestOutcomeKind>,
    pub outcome_at: Option<Timestamp>,
}

/// Which request rows to read.
#[derive(Debug, Clone, Default)]
pub struct HotlineRequestQuery {
    pub thread: Option<Uuid>,
    pub party: Option<PartyId>,
    pub request: Option<Uuid>,
    pub include_exercises: bool,
}

/// A recipient's answer to a request, in a [`HotlineWrite`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestAnswer {
    pub request_id: Uuid,
    pub party: PartyId,
    pub at: Timestamp,
    /// For an outcome: the new outcome, and the recipient's latest outcome the node read, which
    /// the stored one must still be (else a conflict the node retries). `None` for an offer.
    pub outcome: Option<(RequestOutcomeKind, Option<RequestOutcomeKind>)>,
}

/// The reporter's notification of an incident reached these parties, in a [`HotlineWrite`]:
/// their notify duties are done (the first time only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifiedParties {
    pub incident_id: String,
    pub reported_by: PartyId,
    pub parties: Vec<PartyId>,
    pub at: Timestamp,
}

/// A message accepted by the node: its envelope bytes exactly as received, and the fields the
/// node indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    /// Assigned by the store; ignored on insert.
    pub sequence: i64,
    pub id: Uuid,
    pub thread_id: Uuid,
    pub from: PartyId,
    pub recipients: Vec<PartyId>,
    pub kind: String,
    pub sent_at: Timestamp,
    pub received_at: Timestamp,
    pub incident_id: Option<String>,
    pub tlp: String,
    pub exercise: bool,
    /// The DSSE envelope, UTF-8 JSON, byte for byte as the sender sent it.
    pub envelope: String,
}

/// A thread: where a matter stands, its deadlines and when each step happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredThread {
    pub id: Uuid,
    pub opened_by: PartyId,
    pub opening_message_id: Uuid,
    pub opening_kind: MessageKind,
    pub incident_id: Option<String>,
    pub tlp: Tlp,
    pub exercise: bool,
    pub state: ThreadState,
    pub severity_level: u8,
    /// The norms document whose duties set the deadlines.
    pub norms_sha256: String,
    pub opened_at: Timestamp,
    pub updated_at: Timestamp,
    pub acknowledge_by: Option<Timestamp>,
    pub respond_by: Option<Timestamp>,
    pub delivered_at: Option<Timestamp>,
    pub acknowledged_at: Option<Timestamp>,
    pub answered_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub acknowledgement_overdue_at: Option<Timestamp>,
    pub response_overdue_at: Option<Timestamp>,
    /// The opener and every party addressed in the thread.
    pub participants: Vec<PartyId>,
}

/// One entry of a party's event stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotlineEvent {
    /// Assigned by the store; the stream's event id. Ignored on insert.
    pub sequence: i64,
    pub party: PartyId,
    /// `message`, `thread-state`, `reminder` or `overdue-alert`.
    pub kind: String,
    pub thread_id: Uuid,
    pub message_id: Option<Uuid>,
    pub created_at: Timestamp,
    /// JSON object with what the event says.
    pub detail: String,
}

/// A communication check and each target's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommunicationCheck {
    pub id: Uuid,
    pub thread_id: Uuid,
    pub started_by: PartyId,
    pub started_at: Timestamp,
    pub reply_by: Timestamp,
    pub exercise: bool,
    pub targets: Vec<CheckTarget>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckTarget {
    pub party: PartyId,
    pub answered_at: Option<Timestamp>,
}

/// What happens to a thread in a [`HotlineWrite`].
#[derive(Debug, Clone)]
pub enum ThreadChange {
    /// A new thread; conflict if the id exists.
    Open(StoredThread),
    /// The thread's new record, applied only if its stored state is still `expected_state`;
    /// participants are added, never removed.
    Update {
        thread: StoredThread,
        expected_state: ThreadState,
    },
}

/// What happens to a communication check in a [`HotlineWrite`].
#[derive(Debug, Clone)]
pub enum CheckChange {
    Start(CommunicationCheck),
    /// A target answered; only its first answer counts.
    Answer {
        check_id: Uuid,
        party: PartyId,
        at: Timestamp,
    },
}

/// One atomic hotline change.
#[derive(Debug, Clone)]
pub struct HotlineWrite {
    pub message: Option<StoredMessage>,
    pub thread: ThreadChange,
    pub events: Vec<HotlineEvent>,
    pub check: Option<CheckChange>,
    /// The recipient whose acknowledgement of the thread `message` is (the node decides, by
    /// the thread machine); only a recipient's first one is kept, at the message's time.
    pub acknowledged_by: Option<PartyId>,
    /// The recipient whose first substantive reply `message` is (the initial-reply duty, kept
    /// per recipient); only its first one is kept, at the message's time.
    pub answered_by: Option<PartyId>,
    /// The rows of the request `message` makes, one per recipient.
    pub requests: Vec<HotlineRequestRow>,
    /// The answer to a request `message` is (an outcome, or an offer naming the request).
    pub request_answer: Option<RequestAnswer>,
    /// The notify duties `message` (a notification about the sender's incident) fulfils.
    pub notified: Option<NotifiedParties>,
}

impl HotlineWrite {
    /// `thread`'s change and `events`, and nothing else: no message, check, duty or request.
    /// Every other write starts from it (`HotlineWrite { check, ..HotlineWrite::of(…) }`).
    pub fn of(thread: ThreadChange, events: Vec<HotlineEvent>) -> HotlineWrite {
        HotlineWrite {
            message: None,
            thread,
            events,
            check: None,
            acknowledged_by: None,
            answered_by: None,
            requests: Vec::new(),
            request_answer: None,
            notified: None,
        }
    }

    /// The same, storing `message`.
    pub fn of_message(
        message: StoredMessage,
        thread: ThreadChange,
        events: Vec<HotlineEvent>,
    ) -> HotlineWrite {
        HotlineWrite {
            message: Some(message),
            ..HotlineWrite::of(thread, events)
        }
    }
}

const THREAD_COLUMNS: &str = "id, opened_by, opening_message_id, opening_kind, incident_id, tlp, exercise, state, severity_level, norms_sha256, opened_at_us, updated_at_us, acknowledge_by_us, respond_by_us, delivered_at_us, acknowledged_at_us, answered_at_us, closed_at_us, acknowledgement_overdue_at_us, response_overdue_at_us";

const MESSAGE_COLUMNS: &str = "sequence, id, thread_id, from_party, recipients, kind, sent_at_us, received_at_us, incident_id, tlp, exercise, envelope";

const EVENT_COLUMNS: &str =
    "sequence, party_id, kind, thread_id, message_id, created_at_us, detail";

fn optional_microseconds(at: Option<Timestamp>) -> Option<i64> {
    at.map(|at| at.as_microseconds())
}

pub(crate) async fn apply(
    connection: &mut AnyConnection,
    write: &HotlineWrite,
) -> Result<(), StoreError> {
    match &write.thread {
        ThreadChange::Open(thread) => {
            let statement = format!(
                "INSERT INTO hotline_threads ({THREAD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)"
            );
            bind_thread(sqlx::query(sqlx::AssertSqlSafe(statement)), thread)
                .execute(&mut *connection)
                .await
                .map_err(|error| classify(error, || format!("thread {}", thread.id)))?;
            add_participants(connection, thread).await?;
        }
        ThreadChange::Update {
            thread,
            expected_state,
        } => {
            let result = sqlx::query(
                "UPDATE hotline_threads SET state = $2, updated_at_us = $3, delivered_at_us = $4, acknowledged_at_us = $5, answered_at_us = $6, closed_at_us = $7, acknowledgement_overdue_at_us = $8, response_overdue_at_us = $9 WHERE id = $1 AND state = $10",
            )
            .bind(thread.id.to_string())
            .bind(thread.state.as_str())
            .bind(thread.updated_at.as_microseconds())
            .bind(optional_microseconds(thread.delivered_at))
            .bind(optional_microseconds(thread.acknowledged_at))
            .bind(optional_microseconds(thread.answered_at))
            .bind(optional_microseconds(thread.closed_at))
            .bind(optional_microseconds(thread.acknowledgement_overdue_at))
            .bind(optional_microseconds(thread.response_overdue_at))
            .bind(expected_state.as_str())
            .execute(&mut *connection)
            .await?;
            if result.rows_affected() == 0 {
                return Err(StoreError::Conflict(format!(
                    "thread {} is no longer {}",
                    thread.id,
                    expected_state.as_str()
                )));
            }
            add_participants(connection, thread).await?;
        }
    }
    if let Some(message) = &write.message {
        let statement = "INSERT INTO hotline_messages (id, thread_id, from_party, recipients, kind, sent_at_us, received_at_us, incident_id, tlp, exercise, envelope) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
        sqlx::query(statement)
            .bind(message.id.to_string())
            .bind(message.thread_id.to_string())
            .bind(message.from.as_str())
            .bind(to_json_text("message recipients", &message.recipients)?)
            .bind(message.kind.as_str())
            .bind(message.sent_at.as_microseconds())
            .bind(message.received_at.as_microseconds())
            .bind(message.incident_id.as_deref())
            .bind(message.tlp.as_str())
            .bind(i64::from(message.exercise))
            .bind(message.envelope.as_str())
            .execute(&mut *connection)
            .await
            .map_err(|error| classify(error, || format!("message {}", message.id)))?;
        if let Some(party) = &write.acknowledged_by {
            sqlx::query(
                "UPDATE hotline_thread_participants SET acknowledged_at_us = $3, \
                   acknowledgement_delay_us = $3 - (SELECT t.opened_at_us FROM hotline_threads t WHERE t.id = $1) \
                 WHERE thread_id = $1 AND party_id = $2 AND acknowledged_at_us IS NULL",
            )
            .bind(message.thread_id.to_string())
            .bind(party.as_str())
            .bind(message.received_at.as_microseconds())
            .execute(&mut *connection)
            .await?;
        }
        if let Some(party) = &write.answered_by {
            sqlx::query(
                "UPDATE hotline_thread_participants SET answered_at_us = $3 \
                 WHERE thread_id = $1 AND party_id = $2 AND answered_at_us IS NULL",
            )
            .bind(message.thread_id.to_string())
            .bind(party.as_str())
            .bind(message.received_at.as_microseconds())
            .execute(&mut *connection)
            .await?;
        }
    }
    insert_requests(connection, &write.requests).await?;
    if let Some(answer) = &write.request_answer {
        answer_request(connection, answer).await?;
    }
    if let Some(notified) = &write.notified {
        mark_notified(connection, notified).await?;
    }
    insert_events(connection, &write.events).await?;
    match &write.check {
        None => {}
        Some(CheckChange::Start(check)) => {
            sqlx::query(
                "INSERT INTO communication_checks (id, thread_id, started_by, started_at_us, reply_by_us, exercise) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(check.id.to_string())
            .bind(check.thread_id.to_string())
            .bind(check.started_by.as_str())
            .bind(check.started_at.as_microseconds())
            .bind(check.reply_by.as_microseconds())
            .bind(i64::from(check.exercise))
            .execute(&mut *connection)
            .await
            .map_err(|error| classify(error, || format!("communication check {}", check.id)))?;
            for target in &check.targets {
                sqlx::query(
                    "INSERT INTO communication_check_targets (check_id, party_id, answered_at_us) VALUES ($1, $2, $3)",
                )
                .bind(check.id.to_string())
                .bind(target.party.as_str())
                .bind(optional_microseconds(target.answered_at))
                .execute(&mut *connection)
                .await
                .map_err(|error| classify(error, || format!("target {} of check {}", target.party, check.id)))?;
            }
        }
        Some(CheckChange::Answer {
            check_id,
            party,
            at,
        }) => {
            sqlx::query(
                "UPDATE communication_check_targets SET answered_at_us = $3 WHERE check_id = $1 AND party_id = $2 AND answered_at_us IS NULL",
            )
            .bind(check_id.to_string())
            .bind(party.as_str())
            .bind(at.as_microseconds())
            .execute(&mut *connection)
            .await?;
        }
    }
    Ok(())
}

async fn insert_requests(
    connection: &mut AnyConnection,
    requests: &[HotlineRequestRow],
) -> Result<(), StoreError> {
    for request in requests {
        sqlx::query(
            "INSERT INTO hotline_requests (request_id, party_id, thread_id, kind, from_party, exercise, requested_at_us, answer_by_us, answer_duty, answered_at_us, outcome, outcome_at_us) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(request.request_id.to_string())
        .bind(request.party.as_str())
        .bind(request.thread_id.to_string())
        .bind(request.kind.as_str())
        .bind(request.from.as_str())
        .bind(i64::from(request.exercise))
        .bind(request.requested_at.as_microseconds())
        .bind(optional_microseconds(request.answer_by))
        .bind(request.answer_duty.map(|duty| duty.as_str()))
        .bind(optional_microseconds(request.answered_at))
        .bind(request.outcome.map(|outcome| outcome.as_str()))
        .bind(optional_microseconds(request.outcome_at))
        .execute(&mut *connection)
        .await
        .map_err(|error| {
            classify(error, || {
                format!("request {} to {}", request.request_id, request.party)
            })
        })?;
    }
    Ok(())
}

/// Records a recipient's answer: its first answer's time, and an outcome only from the one the
/// node read (a conflict otherwise, which the node retries from a fresh read).
async fn answer_request(
    connection: &mut AnyConnection,
    answer: &RequestAnswer,
) -> Result<(), StoreError> {
    let at = answer.at.as_microseconds();
    let Some((outcome, expected)) = answer.outcome else {
        sqlx::query(
            "UPDATE hotline_requests SET answered_at_us = $3 \
             WHERE request_id = $1 AND party_id = $2 AND answered_at_us IS NULL",
        )
        .bind(answer.request_id.to_string())
        .bind(answer.party.as_str())
        .bind(at)
        .execute(&mut *connection)
        .await?;
        return Ok(());
    };
    let update = "UPDATE hotline_requests SET outcome = $3, outcome_at_us = $4, \
         answered_at_us = COALESCE(answered_at_us, $4) WHERE request_id = $1 AND party_id = $2";
    let result = match expected {
        Some(expected) => {
            sqlx::query(sqlx::AssertSqlSafe(format!("{update} AND outcome = $5")))
                .bind(answer.request_id.to_string())
                .bind(answer.party.as_str())
                .bind(outcome.as_str())
                .bind(at)
                .bind(expected.as_str())
                .execute(&mut *connection)
                .await?
        }
        None => {
            sqlx::query(sqlx::AssertSqlSafe(format!("{update} AND outcome IS NULL")))
                .bind(answer.request_id.to_string())
                .bind(answer.party.as_str())
                .bind(outcome.as_str())
                .bind(at)
                .execute(&mut *connection)
                .await?
        }
    };
    if result.rows_affected() == 0 {
        return Err(StoreError::Conflict(format!(
            "the outcome of request {} by {} is no longer {}",
            answer.request_id,
            answer.party,
            expected.map_or("unanswered", |expected| expected.as_str())
        )));
    }
    Ok(())
}

async fn mark_notified(
    connection: &mut AnyConnection,
    notified: &NotifiedParties,
) -> Result<(), StoreError> {
    for party in &notified.parties {
        sqlx::query(
            "UPDATE incident_notify_duties SET notified_at_us = $4 \
             WHERE incident_id = $1 AND reported_by = $2 AND party_id = $3 AND notified_at_us IS NULL",
        )
        .bind(notified.incident_id.as_str())
        .bind(notified.reported_by.as_str())
        .bind(party.as_str())
        .bind(notified.at.as_microseconds())
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

const REQUEST_COLUMNS: &str = "request_id, party_id, thread_id, kind, from_party, exercise, requested_at_us, answer_by_us, answer_duty, answered_at_us, outcome, outcome_at_us";

fn request_from_row(row: &sqlx::any::AnyRow) -> Result<HotlineRequestRow, StoreError> {
    let what = "hotline request";
    let columns = Columns::of(row, what);
    let exercise: i64 = row.try_get("exercise")?;
    let answer_duty: Option<String> = row.try_get("answer_duty")?;
    let outcome: Option<String> = row.try_get("outcome")?;
    Ok(HotlineRequestRow {
        request_id: columns.uuid("request_id")?,
        party: columns.party("party_id")?,
        thread_id: columns.uuid("thread_id")?,
        kind: columns.word("kind", "kind", MessageKind::parse)?,
        from: columns.party("from_party")?,
        exercise: exercise != 0,
        requested_at: timestamp_from_column(what, row.try_get("requested_at_us")?)?,
        answer_by: columns.optional_timestamp("answer_by_us")?,
        answer_duty: answer_duty
            .map(|text| {
                DutyKind::parse(&text)
                    .ok_or_else(|| corrupt(what, format!("unknown answer_duty `{text}`")))
            })
            .transpose()?,
        answered_at: columns.optional_timestamp("answered_at_us")?,
        outcome: outcome
            .map(|text| {
                RequestOutcomeKind::parse(&text)
                    .ok_or_else(|| corrupt(what, format!("unknown outcome `{text}`")))
            })
            .transpose()?,
        outcome_at: columns.optional_timestamp("outcome_at_us")?,
    })
}

pub(crate) async fn list_hotline_requests(
    pool: &sqlx::AnyPool,
    query: &HotlineRequestQuery,
) -> Result<Vec<HotlineRequestRow>, StoreError> {
    let mut conditions: Vec<String> = Vec::new();
    let mut values: Vec<String> = Vec::new();
    let mut bind = |column: &str, value: String| {
        values.push(value);
        conditions.push(format!("{column} = ${}", values.len()));
    };
    if let Some(thread) = query.thread {
        bind("thread_id", thread.to_string());
    }
    if let Some(party) = &query.party {
        bind("party_id", party.as_str().to_string());
    }
    if let Some(request) = query.request {
        bind("request_id", request.to_string());
    }
    if !query.include_exercises {
        conditions.push("exercise = 0".to_string());
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let statement = format!(
        "SELECT {REQUEST_COLUMNS} FROM hotline_requests {filter} ORDER BY requested_at_us, request_id, party_id"
    );
    // Built from constants and numbered placeholders; every value is bound.
    let mut select = sqlx::query(sqlx::AssertSqlSafe(statement));
    for value in &values {
        select = select.bind(value.as_str());
    }
    let rows = select.fetch_all(pool).await?;
    rows.iter().map(request_from_row).collect()
}

/// Adds the thread's participants that are not in it yet (one statement). A recipient of a
/// thread that asks for an acknowledgement and is not an exercise carries the deadline, so the
/// public figures count it (migration 0009); the opener does not acknowledge its own thread.
async fn add_participants(
    connection: &mut AnyConnection,
    thread: &StoredThread,
) -> Result<(), StoreError> {
    if thread.participants.is_empty() {
        return Ok(());
    }
    let statement = format!(
        "INSERT INTO hotline_thread_participants (thread_id, party_id, acknowledge_by_us) VALUES {} ON CONFLICT DO NOTHING",
        value_placeholders(connection, thread.participants.len(), 3)
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(statement));
    for participant in &thread.participants {
        let counted = !thread.exercise && participant != &thread.opened_by;
        query = query
            .bind(thread.id.to_string())
            .bind(participant.as_str())
            .bind(
                thread
                    .acknowledge_by
                    .filter(|_| counted)
                    .map(|deadline| deadline.as_microseconds()),
            );
    }
    query
        .execute(&mut *connection)
        .await
        .map_err(|error| classify(error, || format!("a participant of thread {}", thread.id)))?;
    Ok(())
}

fn bind_thread<'q>(query: AnyQuery<'q>, thread: &'q StoredThread) -> AnyQuery<'q> {
    query
        .bind(thread.id.to_string())
        .bind(thread.opened_by.as_str())
        .bind(thread.opening_message_id.to_string())
        .bind(thread.opening_kind.as_str())
        .bind(thread.incident_id.as_deref())
        .bind(thread.tlp.as_str())
        .bind(i64::from(thread.exercise))
        .bind(thread.state.as_str())
        .bind(i64::from(thread.severity_level))
        .bind(thread.norms_sha256.as_str())
        .bind(thread.opened_at.as_microseconds())
        .bind(thread.updated_at.as_microseconds())
        .bind(optional_microseconds(thread.acknowledge_by))
        .bind(optional_microseconds(thread.respond_by))
        .bind(optional_microseconds(thread.delivered_at))
        .bind(optional_microseconds(thread.acknowledged_at))
        .bind(optional_microseconds(thread.answered_at))
        .bind(optional_microseconds(thread.closed_at))
        .bind(optional_microseconds(thread.acknowledgement_overdue_at))
        .bind(optional_microseconds(thread.response_overdue_at))
}

fn thread_from_row(
    row: &sqlx::any::AnyRow,
    participants: Vec<PartyId>,
) -> Result<StoredThread, StoreError> {
    let what = "hotline thread";
    let columns = Columns::of(row, what);
    let exercise: i64 = row.try_get("exercise")?;
    let severity_level: i64 = row.try_get("severity_level")?;
    Ok(StoredThread {
        id: columns.uuid("id")?,
        opened_by: columns.party("opened_by")?,
        opening_message_id: columns.uuid("opening_message_id")?,
        opening_kind: columns.word("opening_kind", "opening_kind", MessageKind::parse)?,
        incident_id: row.try_get("incident_id")?,
        tlp: columns.word("tlp", "tlp", Tlp::parse)?,
        exercise: exercise != 0,
        state: columns.word("state", "state", ThreadState::parse)?,
        severity_level: u8::try_from(severity_level).map_err(|error| corrupt(what, error))?,
        norms_sha256: row.try_get("norms_sha256")?,
        opened_at: timestamp_from_column(what, row.try_get("opened_at_us")?)?,
        updated_at: timestamp_from_column(what, row.try_get("updated_at_us")?)?,
        acknowledge_by: columns.optional_timestamp("acknowledge_by_us")?,
        respond_by: columns.optional_timestamp("respond_by_us")?,
        delivered_at: columns.optional_timestamp("delivered_at_us")?,
        acknowledged_at: columns.optional_timestamp("acknowledged_at_us")?,
        answered_at: columns.optional_timestamp("answered_at_us")?,
        closed_at: columns.optional_timestamp("closed_at_us")?,
        acknowledgement_overdue_at: columns.optional_timestamp("acknowledgement_overdue_at_us")?,
        response_overdue_at: columns.optional_timestamp("response_overdue_at_us")?,
        participants,
    })
}

fn message_from_row(row: &sqlx::any::AnyRow) -> Result<StoredMessage, StoreError> {
    let what = "hotline message";
    let columns = Columns::of(row, what);
    let exercise: i64 = row.try_get("exercise")?;
    let recipients_text: String = row.try_get("recipients")?;
    Ok(StoredMessage {
        sequence: row.try_get("sequence")?,
        id: columns.uuid("id")?,
        thread_id: columns.uuid("thread_id")?,
        from: columns.party("from_party")?,
        recipients: from_json_text(what, &recipients_text)?,
        kind: row.try_get("kind")?,
        sent_at: timestamp_from_column(what, row.try_get("sent_at_us")?)?,
        received_at: timestamp_from_column(what, row.try_get("received_at_us")?)?,
        incident_id: row.try_get("incident_id")?,
        tlp: row.try_get("tlp")?,
        exercise: exercise != 0,
        envelope: row.try_get("envelope")?,
    })
}

fn event_from_row(row: &sqlx::any::AnyRow) -> Result<HotlineEvent, StoreError> {
    let what = "hotline event";
    let columns = Columns::of(row, what);
    Ok(HotlineEvent {
        sequence: row.try_get("sequence")?,
        party: columns.party("party_id")?,
        kind: row.try_get("kind")?,
        thread_id: columns.uuid("thread_id")?,
        message_id: columns.optional_parsed("message_id", Uuid::try_parse)?,
        created_at: timestamp_from_column(what, row.try_get("created_at_us")?)?,
        detail: row.try_get("detail")?,
    })
}

/// Reads a thread with its participants.
pub(crate) async fn get_thread(
    pool: &sqlx::AnyPool,
    id: Uuid,
) -> Result<Option<StoredThread>, StoreError> {
    let statement = format!("SELECT {THREAD_COLUMNS} FROM hotline_threads WHERE id = $1");
    let Some(row) = sqlx::query(sqlx::AssertSqlSafe(statement))
        .bind(id.to_string())
        .fetch_optional(pool)
        .await?
    else {
        return Ok(None);
    };
    let participants = thread_participants(pool, id).await?;
    thread_from_row(&row, participants).map(Some)
}

async fn thread_participants(pool: &sqlx::AnyPool, id: Uuid) -> Result<Vec<PartyId>, StoreError> {
    let rows = sqlx::query(
        "SELECT party_id FROM hotline_thread_participants WHERE thread_id = $1 ORDER BY party_id",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| Columns::of(row, "thread participant").party("party_id"))
        .collect()
}

/// Threads from their rows, with every thread's participants read in one query per hundred
/// threads (not one per thread: the console's inbox lists a hundred).
async fn threads_from_rows(
    pool: &sqlx::AnyPool,
    rows: &[sqlx::any::AnyRow],
) -> Result<Vec<StoredThread>, StoreError> {
    let ids = rows
        .iter()
        .map(|row| Columns::of(row, "hotline thread").uuid("id"))
        .collect::<Result<Vec<Uuid>, StoreError>>()?;
    let mut participants: std::collections::HashMap<Uuid, Vec<PartyId>> =
        std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(100) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
        let statement = format!(
            "SELECT thread_id, party_id FROM hotline_thread_participants WHERE thread_id IN ({}) ORDER BY thread_id, party_id",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(statement));
        for id in chunk {
            query = query.bind(id.to_string());
        }
        for row in query.fetch_all(pool).await? {
            let thread = Columns::of(&row, "thread participant").uuid("thread_id")?;
            let party = Columns::of(&row, "thread participant").party("party_id")?;
            participants.entry(thread).or_default().push(party);
        }
    }
    rows.iter()
        .zip(&ids)
        .map(|(row, id)| thread_from_row(row, participants.remove(id).unwrap_or_default()))
        .collect()
}

/// Threads, newest activity first: those `party` takes part in, or every thread for `None`.
pub(crate) async fn list_threads(
    pool: &sqlx::AnyPool,
    party: Option<&PartyId>,
    limit: u32,
) -> Result<Vec<StoredThread>, StoreError> {
    let prefixed: Vec<String> = THREAD_COLUMNS
        .split(", ")
        .map(|column| format!("t.{column}"))
        .collect();
    let columns = prefixed.join(", ");
    let rows = match party {
        Some(party) => {
            let statement = format!(
                "SELECT {columns} FROM hotline_threads t JOIN hotline_thread_participants p ON p.thread_id = t.id WHERE p.party_id = $1 ORDER BY t.updated_at_us DESC, t.id LIMIT $2"
            );
            sqlx::query(sqlx::AssertSqlSafe(statement))
                .bind(party.as_str())
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
        }
        None => {
            let statement = format!(
                "SELECT {columns} FROM hotline_threads t ORDER BY t.updated_at_us DESC, t.id LIMIT $1"
            );
            sqlx::query(sqlx::AssertSqlSafe(statement))
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
        }
    };
    threads_from_rows(pool, &rows).await
}

/// Which thread rows still await a deadline, as SQL: the acknowledgement deadline while the
/// thread is `sent` or `delivered`, the response deadline until it is answered or closed, each
/// until it has fired. The node's scheduler decides what fires; this only narrows the rows.
const AWAITING_ACKNOWLEDGEMENT: &str = "acknowledge_by_us IS NOT NULL AND acknowledgement_overdue_at_us IS NULL \
     AND state IN ('sent', 'delivered')";
const AWAITING_RESPONSE: &str = "respond_by_us IS NOT NULL AND response_overdue_at_us IS NULL \
     AND state IN ('sent', 'delivered', 'acknowledged', 'acknowledgement-overdue')";

/// Threads with a deadline that still awaits firing and falls at or before `due_by`: the
/// scheduler reads only these, not every open thread.
pub(crate) async fn threads_with_deadlines_due(
    pool: &sqlx::AnyPool,
    due_by: Timestamp,
) -> Result<Vec<StoredThread>, StoreError> {
    let statement = format!(
        "SELECT {THREAD_COLUMNS} FROM hotline_threads \
         WHERE ({AWAITING_ACKNOWLEDGEMENT} AND acknowledge_by_us <= $1) \
            OR ({AWAITING_RESPONSE} AND respond_by_us <= $1)"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(statement))
        .bind(due_by.as_microseconds())
        .fetch_all(pool)
        .await?;
    threads_from_rows(pool, &rows).await
}

/// The earliest deadline that still awaits firing, if any (one aggregate, no rows read out).
pub(crate) async fn earliest_awaited_deadline(
    pool: &sqlx::AnyPool,
) -> Result<Option<Timestamp>, StoreError> {
    let statement = format!(
        "SELECT MIN(deadline) AS earliest FROM ( \
           SELECT acknowledge_by_us AS deadline FROM hotline_threads WHERE {AWAITING_ACKNOWLEDGEMENT} \
           UNION ALL \
           SELECT respond_by_us AS deadline FROM hotline_threads WHERE {AWAITING_RESPONSE} \
         ) AS awaited"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(statement))
        .fetch_one(pool)
        .await?;
    let earliest: Option<i64> = row
        .try_get("earliest")
        .map_err(|error| StoreError::Database(error.to_string()))?;
    earliest
        .map(|microseconds| {
            Timestamp::from_microseconds(microseconds)
                .map_err(|error| StoreError::Database(format!("a stored deadline: {error}")))
        })
        .transpose()
}

pub(crate) async fn get_communication_check(
    pool: &sqlx::AnyPool,
    id: Uuid,
) -> Result<Option<CommunicationCheck>, StoreError> {
    let Some(row) = sqlx::query(
        "SELECT id, thread_id, started_by, started_at_us, reply_by_us, exercise FROM communication_checks WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    check_from_row(pool, &row).await.map(Some)
}

/// The newest checks `reader` may read, each with its thread's label. The filter is the TLP
/// rule of `redline_model::readership` written in SQL so the limit counts readable checks
/// only (a check's readers are its thread's participants: the starter and the targets); the
/// node checks each answer again with the rule itself.
pub(crate) async fn list_communication_checks(
    pool: &sqlx::AnyPool,
    reader: Reader<'_>,
    limit: u32,
) -> Result<Vec<(CommunicationCheck, Tlp)>, StoreError> {
    let mut filter = SqlFilter::default();
    match reader {
        Reader::Operator => {}
        Reader::Anonymous => filter.condition("t.tlp = 'clear'"),
        Reader::Party(party) => filter.readable_by(party, "t.tlp", |placeholder| {
            format!(
                "c.started_by = {placeholder} OR EXISTS (SELECT 1 FROM communication_check_targets x \
                 WHERE x.check_id = c.id AND x.party_id = {placeholder})"
            )
        }),
    }
    let statement = format!(
        "SELECT c.id, c.thread_id, c.started_by, c.started_at_us, c.reply_by_us, c.exercise, t.tlp \
         FROM communication_checks c JOIN hotline_threads t ON t.id = c.thread_id \
         {} ORDER BY c.started_at_us DESC, c.id LIMIT {}",
        filter.where_clause(),
        limit
    );
    let rows = filter.fetch_all(pool, statement).await?;
    let mut checks = Vec::with_capacity(rows.len());
    for row in &rows {
        let tlp = Columns::of(row, "communication check").tlp("tlp")?;
        checks.push((check_from_row(pool, row).await?, tlp));
    }
    Ok(checks)
}

async fn check_from_row(
    pool: &sqlx::AnyPool,
    row: &sqlx::any::AnyRow,
) -> Result<CommunicationCheck, StoreError> {
    let what = "communication check";
    let id = Columns::of(row, what).uuid("id")?;
    let exercise: i64 = row.try_get("exercise")?;
    let target_rows = sqlx::query(
        "SELECT party_id, answered_at_us FROM communication_check_targets WHERE check_id = $1 ORDER BY party_id",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await?;
    let targets = target_rows
        .iter()
        .map(|target| {
            Ok(CheckTarget {
                party: Columns::of(target, what).party("party_id")?,
                answered_at: Columns::of(target, what).optional_timestamp("answered_at_us")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(CommunicationCheck {
        id,
        thread_id: Columns::of(row, what).uuid("thread_id")?,
        started_by: Columns::of(row, what).party("started_by")?,
        started_at: timestamp_from_column(what, row.try_get("started_at_us")?)?,
        reply_by: timestamp_from_column(what, row.try_get("reply_by_us")?)?,
        exercise: exercise != 0,
        targets,
    })
}

pub(crate) async fn hotline_message_exists(
    pool: &sqlx::AnyPool,
    id: Uuid,
) -> Result<bool, StoreError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT sequence FROM hotline_messages WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(pool)
            .await?;
    Ok(found.is_some())
}

pub(crate) async fn get_hotline_message(
    pool: &sqlx::AnyPool,
    id: Uuid,
) -> Result<Option<StoredMessage>, StoreError> {
    let statement = format!(
        "SELECT {} FROM hotline_messages WHERE id = $1",
        MESSAGE_COLUMNS
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(statement))
        .bind(id.to_string())
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(message_from_row).transpose()
}

pub(crate) async fn notifications_about_incident(
    pool: &sqlx::AnyPool,
    incident: &str,
    from: &PartyId,
) -> Result<Vec<StoredMessage>, StoreError> {
    // Built from constants only; every value is bound.
    let statement = format!(
        "SELECT {MESSAGE_COLUMNS} FROM hotline_messages \
         WHERE incident_id = $1 AND from_party = $2 AND kind = 'notification' AND exercise = 0 \
         ORDER BY sequence"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(statement))
        .bind(incident)
        .bind(from.as_str())
        .fetch_all(pool)
        .await?;
    rows.iter().map(message_from_row).collect()
}

pub(crate) async fn list_thread_messages(
    pool: &sqlx::AnyPool,
    thread: Uuid,
) -> Result<Vec<StoredMessage>, StoreError> {
    let statement = format!(
        "SELECT {} FROM hotline_messages WHERE thread_id = $1 ORDER BY sequence",
        MESSAGE_COLUMNS
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(statement))
        .bind(thread.to_string())
        .fetch_all(pool)
        .await?;
    rows.iter().map(message_from_row).collect()
}

pub(crate) async fn list_hotline_events(
    pool: &sqlx::AnyPool,
    party: &PartyId,
    after_sequence: i64,
    limit: u32,
) -> Result<Vec<HotlineEvent>, StoreError> {
    let statement = format!(
        "SELECT {} FROM hotline_events WHERE party_id = $1 AND sequence > $2 ORDER BY sequence LIMIT $3",
        EVENT_COLUMNS
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(statement))
        .bind(party.as_str())
        .bind(after_sequence)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?;
    rows.iter().map(event_from_row).collect()
}

/// Appends events to parties' streams: the hotline's own, and a consultation's (its request,
/// reply and outcome reach the participants' duty officers the same way).
pub(crate) async fn insert_events(
    connection: &mut AnyConnection,
    events: &[HotlineEvent],
) -> Result<(), StoreError> {
    for event in events {
        sqlx::query(
            "INSERT INTO hotline_events (party_id, kind, thread_id, message_id, created_at_us, detail) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(event.party.as_str())
        .bind(event.kind.as_str())
        .bind(event.thread_id.to_string())
        .bind(event.message_id.map(|id| id.to_string()))
        .bind(event.created_at.as_microseconds())
        .bind(event.detail.as_str())
        .execute(&mut *connection)
        .await
        .map_err(|error| classify(error, || format!("event for {}", event.party)))?;
    }
    Ok(())
}
