//! Commitments and their record in the SQL store (SQLite 0013, PostgreSQL 0014): every signed
//! commitment record (adoptions and withdrawals, implementation report versions, peer-review
//! round openings, reviews, answers and closings) kept byte for byte in one append-only table
//! (`commitment_records`, unique by payload digest), the readers of a restricted record beside
//! it (`commitment_record_readers`, so lists filter in SQL), and the duties with deadlines
//! (`commitment_deadlines`) the scheduler reminds of and marks overdue, each stamp set once.
//! Also the timings of the hotline duties a party kept (SQLite 0016, PostgreSQL 0017): each
//! recipient's acknowledgement and own first reply per thread, the times of its status updates,
//! and the reporter's notify duty per incident and affected party (`incident_notify_duties`) —
//! timings only, never a message's content. What a record means, whether it may be stored and
//! whether a duty was kept is the node's (and the hotline core's) business.

use std::collections::BTreeSet;

use async_trait::async_trait;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use redline_model::{PartyId, Timestamp, Tlp};

use crate::StoreError;
use crate::sql_helpers::{classify, corrupt, timestamp_from_column};

redline_model::vocabulary! {
    /// What a stored commitment record is.
    CommitmentRecordKind {
        Adoption => "adoption",
        Withdrawal => "withdrawal",
        ImplementationReport => "implementation-report",
        RoundOpening => "round-opening",
        PeerReview => "peer-review",
        ReviewAnswer => "review-answer",
        RoundClosing => "round-closing",
        CapacityBuilding => "capacity-building",
    }
}

/// One signed commitment record as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitmentRecord {
    /// Assigned by the store; 0 when writing.
    pub sequence: i64,
    /// `sha256:<hex>` of the signed payload: a second copy of the same record is a conflict.
    pub payload_digest: String,
    pub kind: CommitmentRecordKind,
    /// What the record is about: a document's SHA-256, a report id, a round id.
    pub subject: String,
    /// The party that signed it.
    pub party: PartyId,
    pub recorded_at: Timestamp,
    pub tlp: Tlp,
    /// The parties a restricted record may be read by; empty for `clear` and `green`.
    pub readers: BTreeSet<PartyId>,
    /// The JSON of what a public page may show of a restricted record (a report's public
    /// summary), if its author gave one.
    pub public_summary: Option<String>,
    /// The DSSE envelope's JSON, byte for byte.
    pub envelope: String,
}

/// Which records to list.
#[derive(Debug, Clone, Default)]
pub struct CommitmentQuery {
    /// `None`: every record (the operator); `Some(None)`: `clear` records only (an anonymous
    /// visitor); `Some(Some(party))`: what that party may read.
    pub visible_to: Option<Option<PartyId>>,
    pub kinds: Vec<CommitmentRecordKind>,
    pub subject: Option<String>,
    pub party: Option<PartyId>,
    /// At most this many, oldest first.
    pub limit: u32,
}

/// A restricted report's public summary, without anything else of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicReportSummary {
    pub subject: String,
    pub party: PartyId,
    pub recorded_at: Timestamp,
    pub public_summary: String,
}

/// One duty with a deadline: a reviewer's review or a reviewed party's answer in a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitmentDeadline {
    pub subject: String,
    pub party: PartyId,
    /// `review` or `answer`.
    pub duty: String,
    pub remind_at: Timestamp,
    pub due_at: Timestamp,
    pub reminded_at: Option<Timestamp>,
    pub overdue_at: Option<Timestamp>,
    pub done_at: Option<Timestamp>,
}

/// One recipient's hotline duties in one thread (not an exercise): its acknowledgement and its
/// own first reply, with their deadlines and when each was done, and what its status-update
/// duty is computed from. Timing only — never content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotlineDutyRow {
    pub party: PartyId,
    pub thread_id: String,
    pub incident_id: Option<String>,
    /// The kind of the message that opened the thread (a communication check owes no status
    /// updates).
    pub opening_kind: String,
    pub severity_level: u8,
    /// The norms document whose duties set the thread's deadlines.
    pub norms_sha256: String,
    pub opened_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    pub acknowledge_by: Option<Timestamp>,
    pub acknowledged_at: Option<Timestamp>,
    pub respond_by: Option<Timestamp>,
    /// This recipient's own first substantive reply.
    pub answered_at: Option<Timestamp>,
}

/// When a recipient sent a status update (a response, an assistance offer or a request outcome)
/// in a thread that is not an exercise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusUpdateTime {
    pub party: PartyId,
    pub thread_id: String,
    pub at: Timestamp,
}

/// The reporter's duty to notify one affected party of an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyDutyRow {
    pub incident_id: String,
    /// The affected party to be notified.
    pub party: PartyId,
    /// The reporter, who owes the duty.
    pub reported_by: PartyId,
    pub reported_at: Timestamp,
    /// The severity the incident was assessed at when reported, which chose the duty's length.
    pub severity_level: u8,
    pub due_at: Timestamp,
    pub notified_at: Option<Timestamp>,
}

/// The signed commitments and their deadlines.
#[async_trait]
pub trait CommitmentStore: Send + Sync {
    /// Records oldest first, filtered by TLP in SQL.
    async fn list_commitment_records(
        &self,
        query: &CommitmentQuery,
    ) -> Result<Vec<CommitmentRecord>, StoreError>;
    /// The public summaries of restricted implementation reports (never their envelopes).
    async fn public_report_summaries(&self) -> Result<Vec<PublicReportSummary>, StoreError>;
    /// The duties of one subject (a round).
    async fn commitment_deadlines_of(
        &self,
        subject: &str,
    ) -> Result<Vec<CommitmentDeadline>, StoreError>;
    /// Duties not done whose reminder or deadline has come and not yet fired.
    async fn commitment_deadlines_due(
        &self,
        now: Timestamp,
    ) -> Result<Vec<CommitmentDeadline>, StoreError>;
    /// The earliest reminder or deadline still to fire.
    async fn earliest_commitment_deadline(&self) -> Result<Option<Timestamp>, StoreError>;
    /// Every recipient's hotline duties, per thread (for duties kept); `party` limits to one.
    async fn hotline_duty_rows(
        &self,
        party: Option<&PartyId>,
    ) -> Result<Vec<HotlineDutyRow>, StoreError>;
    /// Every recipient's status updates in threads that are not exercises, oldest first;
    /// `party` limits to one.
    async fn status_update_times(
        &self,
        party: Option<&PartyId>,
    ) -> Result<Vec<StatusUpdateTime>, StoreError>;
    /// Reporters' notify duties, oldest deadline first; `reported_by` limits to one reporter.
    async fn notify_duty_rows(
        &self,
        reported_by: Option<&PartyId>,
    ) -> Result<Vec<NotifyDutyRow>, StoreError>;
    /// Up to `limit` incidents with no notify duty recorded, after the incident row
    /// `after_sequence`, in the order stored: `(sequence, incident id)`.
    async fn incidents_without_notify_duties(
        &self,
        after_sequence: i64,
        limit: u32,
    ) -> Result<Vec<(i64, String)>, StoreError>;
}

pub(crate) async fn insert_record(
    connection: &mut AnyConnection,
    record: &CommitmentRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO commitment_records (payload_digest, kind, subject, party_id, recorded_at_us, tlp, public_summary, envelope) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(record.payload_digest.as_str())
    .bind(record.kind.as_str())
    .bind(record.subject.as_str())
    .bind(record.party.as_str())
    .bind(record.recorded_at.as_microseconds())
    .bind(record.tlp.as_str())
    .bind(record.public_summary.clone())
    .bind(record.envelope.as_str())
    .execute(&mut *connection)
    .await
    .map_err(|error| {
        classify(error, || {
            format!("the commitment record {}", record.payload_digest)
        })
    })?;
    for reader in &record.readers {
        sqlx::query(
            "INSERT INTO commitment_record_readers (payload_digest, party_id) VALUES ($1, $2)",
        )
        .bind(record.payload_digest.as_str())
        .bind(reader.as_str())
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

pub(crate) async fn insert_notify_duties(
    connection: &mut AnyConnection,
    rows: &[NotifyDutyRow],
) -> Result<(), StoreError> {
    for row in rows {
        sqlx::query(
            "INSERT INTO incident_notify_duties (incident_id, party_id, reported_by, reported_at_us, severity_level, due_at_us, notified_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(row.incident_id.as_str())
        .bind(row.party.as_str())
        .bind(row.reported_by.as_str())
        .bind(row.reported_at.as_microseconds())
        .bind(i64::from(row.severity_level))
        .bind(row.due_at.as_microseconds())
        .bind(row.notified_at.map(|at| at.as_microseconds()))
        .execute(&mut *connection)
        .await
        .map_err(|error| {
            classify(error, || {
                format!("the notify duty of {} to {}", row.incident_id, row.party)
            })
        })?;
    }
    Ok(())
}

const UPSERT_DEADLINE: &str = "INSERT INTO commitment_deadlines (subject, party_id, duty, remind_at_us, due_at_us, reminded_at_us, overdue_at_us, done_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
    ON CONFLICT (subject, party_id, duty) DO UPDATE SET remind_at_us = excluded.remind_at_us, due_at_us = excluded.due_at_us, reminded_at_us = excluded.reminded_at_us, overdue_at_us = excluded.overdue_at_us, done_at_us = excluded.done_at_us";

pub(crate) async fn put_deadline(
    connection: &mut AnyConnection,
    deadline: &CommitmentDeadline,
) -> Result<(), StoreError> {
    let optional = |at: Option<Timestamp>| at.map(|at| at.as_microseconds());
    sqlx::query(UPSERT_DEADLINE)
        .bind(deadline.subject.as_str())
        .bind(deadline.party.as_str())
        .bind(deadline.duty.as_str())
        .bind(deadline.remind_at.as_microseconds())
        .bind(deadline.due_at.as_microseconds())
        .bind(optional(deadline.reminded_at))
        .bind(optional(deadline.overdue_at))
        .bind(optional(deadline.done_at))
        .execute(&mut *connection)
        .await
        .map_err(|error| {
            classify(error, || {
                format!(
                    "the deadline of {} for {}",
                    deadline.subject, deadline.party
                )
            })
        })?;
    Ok(())
}

/// Stamps a reminder or an overdue mark only if it was not stamped yet: conflict otherwise, so
/// two schedulers never both fire it.
pub(crate) async fn stamp_deadline(
    connection: &mut AnyConnection,
    deadline: &CommitmentDeadline,
    overdue: bool,
    at: Timestamp,
) -> Result<(), StoreError> {
    let statement = if overdue {
        "UPDATE commitment_deadlines SET overdue_at_us = $1 WHERE subject = $2 AND party_id = $3 AND duty = $4 AND overdue_at_us IS NULL AND done_at_us IS NULL"
    } else {
        "UPDATE commitment_deadlines SET reminded_at_us = $1 WHERE subject = $2 AND party_id = $3 AND duty = $4 AND reminded_at_us IS NULL AND done_at_us IS NULL"
    };
    let result = sqlx::query(statement)
        .bind(at.as_microseconds())
        .bind(deadline.subject.as_str())
        .bind(deadline.party.as_str())
        .bind(deadline.duty.as_str())
        .execute(&mut *connection)
        .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::Conflict(format!(
            "the {} deadline of {} for {} fired already or is done",
            deadline.duty, deadline.subject, deadline.party
        )));
    }
    Ok(())
}

const RECORD_COLUMNS: &str = "r.sequence, r.payload_digest, r.kind, r.subject, r.party_id, r.recorded_at_us, r.tlp, r.public_summary, r.envelope";

async fn record_from_row(
    pool: &sqlx::AnyPool,
    row: &sqlx::any::AnyRow,
) -> Result<CommitmentRecord, StoreError> {
    let what = "commitment record";
    let kind: String = row.try_get("kind")?;
    let party: String = row.try_get("party_id")?;
    let tlp: String = row.try_get("tlp")?;
    let tlp = Tlp::parse(&tlp).ok_or_else(|| corrupt(what, format!("unknown TLP `{tlp}`")))?;
    let payload_digest: String = row.try_get("payload_digest")?;
    let mut readers = BTreeSet::new();
    if tlp.is_restricted() {
        let rows = sqlx::query(
            "SELECT party_id FROM commitment_record_readers WHERE payload_digest = $1 ORDER BY party_id",
        )
        .bind(payload_digest.as_str())
        .fetch_all(pool)
        .await?;
        for reader in &rows {
            let text: String = reader.try_get("party_id")?;
            readers.insert(PartyId::parse(&text).map_err(|error| corrupt(what, error))?);
        }
    }
    Ok(CommitmentRecord {
        sequence: row.try_get("sequence")?,
        payload_digest,
        kind: CommitmentRecordKind::parse(&kind)
            .ok_or_else(|| corrupt(what, format!("unknown kind `{kind}`")))?,
        subject: row.try_get("subject")?,
        party: PartyId::parse(&party).map_err(|error| corrupt(what, error))?,
        recorded_at: timestamp_from_column(what, row.try_get("recorded_at_us")?)?,
        tlp,
        readers,
        public_summary: row.try_get("public_summary")?,
        envelope: row.try_get("envelope")?,
    })
}

pub(crate) async fn list_records(
    pool: &sqlx::AnyPool,
    query: &CommitmentQuery,
) -> Result<Vec<CommitmentRecord>, StoreError> {
    let mut conditions: Vec<String> = Vec::new();
    let mut parameters: Vec<String> = Vec::new();
    let parameter = |value: String, parameters: &mut Vec<String>| {
        parameters.push(value);
        format!("${}", parameters.len())
    };
    match &query.visible_to {
        None => {}
        Some(None) => conditions.push("r.tlp = 'clear'".to_string()),
        Some(Some(party)) => {
            let placeholder = parameter(party.as_str().to_string(), &mut parameters);
            conditions.push(format!(
                "(r.tlp IN ('clear', 'green') OR EXISTS (SELECT 1 FROM commitment_record_readers x WHERE x.payload_digest = r.payload_digest AND x.party_id = {placeholder}))"
            ));
        }
    }
    if !query.kinds.is_empty() {
        let placeholders: Vec<String> = query
            .kinds
            .iter()
            .map(|kind| parameter(kind.as_str().to_string(), &mut parameters))
            .collect();
        conditions.push(format!("r.kind IN ({})", placeholders.join(", ")));
    }
    if let Some(subject) = &query.subject {
        let placeholder = parameter(subject.clone(), &mut parameters);
        conditions.push(format!("r.subject = {placeholder}"));
    }
    if let Some(party) = &query.party {
        let placeholder = parameter(party.as_str().to_string(), &mut parameters);
        conditions.push(format!("r.party_id = {placeholder}"));
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let limit = query.limit.clamp(1, 100_000);
    let statement = format!(
        "SELECT {RECORD_COLUMNS} FROM commitment_records r {filter} ORDER BY r.sequence LIMIT {limit}"
    );
    // Built from constants and numbered placeholders; every value is bound.
    let mut select = sqlx::query(AssertSqlSafe(statement));
    for value in &parameters {
        select = select.bind(value.as_str());
    }
    let rows = select.fetch_all(pool).await?;
    let mut records = Vec::with_capacity(rows.len());
    for row in &rows {
        records.push(record_from_row(pool, row).await?);
    }
    Ok(records)
}

pub(crate) async fn public_report_summaries(
    pool: &sqlx::AnyPool,
) -> Result<Vec<PublicReportSummary>, StoreError> {
    let what = "report summary";
    let rows = sqlx::query(
        "SELECT subject, party_id, recorded_at_us, public_summary FROM commitment_records \
         WHERE kind = 'implementation-report' AND tlp <> 'clear' AND public_summary IS NOT NULL ORDER BY sequence",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let party: String = row.try_get("party_id")?;
            Ok(PublicReportSummary {
                subject: row.try_get("subject")?,
                party: PartyId::parse(&party).map_err(|error| corrupt(what, error))?,
                recorded_at: timestamp_from_column(what, row.try_get("recorded_at_us")?)?,
                public_summary: row.try_get("public_summary")?,
            })
        })
        .collect()
}

const DEADLINE_COLUMNS: &str =
    "subject, party_id, duty, remind_at_us, due_at_us, reminded_at_us, overdue_at_us, done_at_us";

fn deadline_from_row(row: &sqlx::any::AnyRow) -> Result<CommitmentDeadline, StoreError> {
    let what = "commitment deadline";
    let party: String = row.try_get("party_id")?;
    let optional = |column: &str| -> Result<Option<Timestamp>, StoreError> {
        let value: Option<i64> = row.try_get(column)?;
        value
            .map(|value| timestamp_from_column(what, value))
            .transpose()
    };
    Ok(CommitmentDeadline {
        subject: row.try_get("subject")?,
        party: PartyId::parse(&party).map_err(|error| corrupt(what, error))?,
        duty: row.try_get("duty")?,
        remind_at: timestamp_from_column(what, row.try_get("remind_at_us")?)?,
        due_at: timestamp_from_column(what, row.try_get("due_at_us")?)?,
        reminded_at: optional("reminded_at_us")?,
        overdue_at: optional("overdue_at_us")?,
        done_at: optional("done_at_us")?,
    })
}

pub(crate) async fn deadlines_of(
    pool: &sqlx::AnyPool,
    subject: &str,
) -> Result<Vec<CommitmentDeadline>, StoreError> {
    let statement = format!(
        "SELECT {DEADLINE_COLUMNS} FROM commitment_deadlines WHERE subject = $1 ORDER BY duty, party_id"
    );
    let rows = sqlx::query(AssertSqlSafe(statement))
        .bind(subject)
        .fetch_all(pool)
        .await?;
    rows.iter().map(deadline_from_row).collect()
}

pub(crate) async fn deadlines_due(
    pool: &sqlx::AnyPool,
    now: Timestamp,
) -> Result<Vec<CommitmentDeadline>, StoreError> {
    let statement = format!(
        "SELECT {DEADLINE_COLUMNS} FROM commitment_deadlines WHERE done_at_us IS NULL AND \
         ((reminded_at_us IS NULL AND remind_at_us <= $1) OR (overdue_at_us IS NULL AND due_at_us <= $1)) \
         ORDER BY due_at_us, subject, party_id, duty"
    );
    let rows = sqlx::query(AssertSqlSafe(statement))
        .bind(now.as_microseconds())
        .fetch_all(pool)
        .await?;
    rows.iter().map(deadline_from_row).collect()
}

pub(crate) async fn earliest_deadline(
    pool: &sqlx::AnyPool,
) -> Result<Option<Timestamp>, StoreError> {
    let row = sqlx::query(
        "SELECT MIN(CASE WHEN reminded_at_us IS NULL AND remind_at_us < due_at_us THEN remind_at_us ELSE due_at_us END) AS earliest \
         FROM commitment_deadlines WHERE done_at_us IS NULL AND overdue_at_us IS NULL",
    )
    .fetch_one(pool)
    .await?;
    let value: Option<i64> = row.try_get("earliest")?;
    value
        .map(|value| timestamp_from_column("commitment deadline", value))
        .transpose()
}

pub(crate) async fn hotline_duty_rows(
    pool: &sqlx::AnyPool,
    party: Option<&PartyId>,
) -> Result<Vec<HotlineDutyRow>, StoreError> {
    let what = "hotline duty";
    let filter = if party.is_some() {
        "AND p.party_id = $1"
    } else {
        ""
    };
    let statement = format!(
        "SELECT p.party_id, t.id AS thread_id, t.incident_id, t.opening_kind, t.severity_level, t.norms_sha256, \
         t.opened_at_us, t.closed_at_us, p.acknowledge_by_us, p.acknowledged_at_us, t.respond_by_us, p.answered_at_us \
         FROM hotline_thread_participants p JOIN hotline_threads t ON t.id = p.thread_id \
         WHERE t.exercise = 0 AND p.party_id <> t.opened_by {filter} ORDER BY t.opened_at_us, t.id, p.party_id"
    );
    let mut select = sqlx::query(AssertSqlSafe(statement));
    if let Some(party) = party {
        select = select.bind(party.as_str());
    }
    let rows = select.fetch_all(pool).await?;
    rows.iter()
        .map(|row| {
            let party: String = row.try_get("party_id")?;
            let severity_level: i64 = row.try_get("severity_level")?;
            let optional = |column: &str| -> Result<Option<Timestamp>, StoreError> {
                let value: Option<i64> = row.try_get(column)?;
                value
                    .map(|value| timestamp_from_column(what, value))
                    .transpose()
            };
            Ok(HotlineDutyRow {
                party: PartyId::parse(&party).map_err(|error| corrupt(what, error))?,
                thread_id: row.try_get("thread_id")?,
                incident_id: row.try_get("incident_id")?,
                opening_kind: row.try_get("opening_kind")?,
                severity_level: u8::try_from(severity_level)
                    .map_err(|error| corrupt(what, error))?,
                norms_sha256: row.try_get("norms_sha256")?,
                opened_at: timestamp_from_column(what, row.try_get("opened_at_us")?)?,
                closed_at: optional("closed_at_us")?,
                acknowledge_by: optional("acknowledge_by_us")?,
                acknowledged_at: optional("acknowledged_at_us")?,
                respond_by: optional("respond_by_us")?,
                answered_at: optional("answered_at_us")?,
            })
        })
        .collect()
}

/// The message kinds that are status updates (`redline_hotline::duties_kept`).
const STATUS_UPDATE_KINDS: &str = "'response', 'assistance-offer', 'request-outcome'";

pub(crate) async fn status_update_times(
    pool: &sqlx::AnyPool,
    party: Option<&PartyId>,
) -> Result<Vec<StatusUpdateTime>, StoreError> {
    let what = "status update";
    let filter = if party.is_some() {
        "AND m.from_party = $1"
    } else {
        ""
    };
    let statement = format!(
        "SELECT m.from_party, m.thread_id, m.received_at_us FROM hotline_messages m \
         JOIN hotline_threads t ON t.id = m.thread_id \
         WHERE t.exercise = 0 AND m.from_party <> t.opened_by AND m.kind IN ({STATUS_UPDATE_KINDS}) {filter} \
         ORDER BY m.sequence"
    );
    let mut select = sqlx::query(AssertSqlSafe(statement));
    if let Some(party) = party {
        select = select.bind(party.as_str());
    }
    let rows = select.fetch_all(pool).await?;
    rows.iter()
        .map(|row| {
            let party: String = row.try_get("from_party")?;
            Ok(StatusUpdateTime {
                party: PartyId::parse(&party).map_err(|error| corrupt(what, error))?,
                thread_id: row.try_get("thread_id")?,
                at: timestamp_from_column(what, row.try_get("received_at_us")?)?,
            })
        })
        .collect()
}

pub(crate) async fn incidents_without_notify_duties(
    pool: &sqlx::AnyPool,
    after_sequence: i64,
    limit: u32,
) -> Result<Vec<(i64, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT i.sequence, i.id FROM incidents i \
         WHERE i.sequence > $1 \
         AND NOT EXISTS (SELECT 1 FROM incident_notify_duties d WHERE d.incident_id = i.id) \
         ORDER BY i.sequence LIMIT $2",
    )
    .bind(after_sequence)
    .bind(i64::from(limit.clamp(1, 10_000)))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| Ok((row.try_get("sequence")?, row.try_get("id")?)))
        .collect()
}

pub(crate) async fn notify_duty_rows(
    pool: &sqlx::AnyPool,
    reported_by: Option<&PartyId>,
) -> Result<Vec<NotifyDutyRow>, StoreError> {
    let what = "notify duty";
    let filter = if reported_by.is_some() {
        "WHERE reported_by = $1"
    } else {
        ""
    };
    let statement = format!(
        "SELECT incident_id, party_id, reported_by, reported_at_us, severity_level, due_at_us, notified_at_us \
         FROM incident_notify_duties {filter} ORDER BY due_at_us, incident_id, party_id"
    );
    let mut select = sqlx::query(AssertSqlSafe(statement));
    if let Some(reported_by) = reported_by {
        select = select.bind(reported_by.as_str());
    }
    let rows = select.fetch_all(pool).await?;
    rows.iter()
        .map(|row| {
            let party: String = row.try_get("party_id")?;
            let reporter: String = row.try_get("reported_by")?;
            let severity_level: i64 = row.try_get("severity_level")?;
            let notified_at: Option<i64> = row.try_get("notified_at_us")?;
            Ok(NotifyDutyRow {
                incident_id: row.try_get("incident_id")?,
                party: PartyId::parse(&party).map_err(|error| corrupt(what, error))?,
                reported_by: PartyId::parse(&reporter).map_err(|error| corrupt(what, error))?,
                reported_at: timestamp_from_column(what, row.try_get("reported_at_us")?)?,
                severity_level: u8::try_from(severity_level)
                    .map_err(|error| corrupt(what, error))?,
                due_at: timestamp_from_column(what, row.try_get("due_at_us")?)?,
                notified_at: notified_at
                    .map(|value| timestamp_from_column(what, value))
                    .transpose()?,
            })
        })
        .collect()
}
