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
use crate::sql_helpers::{Columns, SqlFilter, classify, corrupt, timestamp_from_column};

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
    let columns = Columns::of(row, what);
    let kind: String = columns.get("kind")?;
    let tlp = columns.tlp("tlp")?;
    let payload_digest: String = columns.get("payload_digest")?;
    let mut readers = BTreeSet::new();
    if tlp.is_restricted() {
        let rows = sqlx::query(
            "SELECT party_id FROM commitment_record_readers WHERE payload_digest = $1 ORDER BY party_id",
        )
        .bind(payload_digest.as_str())
        .fetch_all(pool)
        .await?;
        for reader in &rows {
            readers.insert(Columns::of(reader, what).party("party_id")?);
        }
    }
    Ok(CommitmentRecord {
        sequence: columns.get("sequence")?,
        payload_digest,
        kind: CommitmentRecordKind::parse(&kind)
            .ok_or_else(|| corrupt(what, format!("unknown kind `{kind}`")))?,
        subject: columns.get("subject")?,
        party: columns.party("party_id")?,
        recorded_at: columns.timestamp("recorded_at_us")?,
        tlp,
        readers,
        public_summary: columns.get("public_summary")?,
        envelope: columns.get("envelope")?,
    })
}

pub(crate) async fn list_records(
    pool: &sqlx::AnyPool,
    query: &CommitmentQuery,
) -> Result<Vec<CommitmentRecord>, StoreError> {
    let mut filter = SqlFilter::default();
    match &query.visible_to {
        None => {}
        Some(None) => filter.condition("r.tlp = 'clear'"),
        Some(Some(party)) => filter.readable_by(party, "r.tlp", |placeholder| {
            format!("EXISTS (SELECT 1 FROM commitment_record_readers x WHERE x.payload_digest = r.payload_digest AND x.party_id = {placeholder})")
        }),
    }
    filter.one_of(
        "r.kind",
        query.kinds.iter().map(|kind| kind.as_str().to_string()),
    );
    if let Some(subject) = &query.subject {
        filter.equals("r.subject", subject.as_str());
    }
    if let Some(party) = &query.party {
        filter.equals("r.party_id", party.as_str());
    }
    let limit = query.limit.clamp(1, 100_000);
    let rows = filter
        .fetch_all(
            pool,
            format!(
                "SELECT {RECORD_COLUMNS} FROM commitment_records r {} ORDER BY r.sequence LIMIT {limit}",
                filter.where_clause()
            ),
        )
        .await?;
    let mut records = Vec::with_capacity(rows.len());
    for row in &rows {
        records.push(record_from_row(pool, row).await?);
    }
    Ok(records)
}

pub(crate) async fn public_report_summaries(
    pool: &sqlx::AnyPool,
) -> Result<Vec<PublicReportSummary>, StoreError> {
    let rows = sqlx::query(
        "SELECT subject, party_id, recorded_at_us, public_summary FROM commitment_records \
         WHERE kind = 'implementation-report' AND tlp <> 'clear' AND public_summary IS NOT NULL ORDER BY sequence",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let columns = Columns::of(row, "report summary");
            Ok(PublicReportSummary {
                subject: columns.get("subject")?,
                party: columns.party("party_id")?,
                recorded_at: columns.timestamp("recorded_at_us")?,
                public_summary: columns.get("public_summary")?,
            })
        })
        .collect()
}

const DEADLINE_COLUMNS: &str =
    "subject, party_id, duty, remind_at_us, due_at_us, reminded_at_us, overdue_at_us, done_at_us";

fn deadline_from_row(row: &sqlx::any::AnyRow) -> Result<CommitmentDeadline, StoreError> {
    let columns = Columns::of(row, "commitment deadline");
    Ok(CommitmentDeadline {
        subject: columns.get("subject")?,
        party: columns.party("party_id")?,
        duty: columns.get("duty")?,
        remind_at: columns.timestamp("remind_at_us")?,
        due_at: columns.timestamp("due_at_us")?,
        reminded_at: columns.optional_timestamp("reminded_at_us")?,
        overdue_at: columns.optional_timestamp("overdue_at_us")?,
        done_at: columns.optional_timestamp("done_at_us")?,
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
    let mut filter = SqlFilter::default();
    filter.condition("t.exercise = 0 AND p.party_id <> t.opened_by");
    if let Some(party) = party {
        filter.equals("p.party_id", party.as_str());
    }
    let statement = format!(
        "SELECT p.party_id, t.id AS thread_id, t.incident_id, t.opening_kind, t.severity_level, t.norms_sha256, \
         t.opened_at_us, t.closed_at_us, p.acknowledge_by_us, p.acknowledged_at_us, t.respond_by_us, p.answered_at_us \
         FROM hotline_thread_participants p JOIN hotline_threads t ON t.id = p.thread_id \
         {} ORDER BY t.opened_at_us, t.id, p.party_id",
        filter.where_clause()
    );
    let rows = filter.fetch_all(pool, statement).await?;
    rows.iter()
        .map(|row| {
            let columns = Columns::of(row, "hotline duty");
            Ok(HotlineDutyRow {
                party: columns.party("party_id")?,
                thread_id: columns.get("thread_id")?,
                incident_id: columns.get("incident_id")?,
                opening_kind: columns.get("opening_kind")?,
                severity_level: columns.severity_level("severity_level")?,
                norms_sha256: columns.get("norms_sha256")?,
                opened_at: columns.timestamp("opened_at_us")?,
                closed_at: columns.optional_timestamp("closed_at_us")?,
                acknowledge_by: columns.optional_timestamp("acknowledge_by_us")?,
                acknowledged_at: columns.optional_timestamp("acknowledged_at_us")?,
                respond_by: columns.optional_timestamp("respond_by_us")?,
                answered_at: columns.optional_timestamp("answered_at_us")?,
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
    let mut filter = SqlFilter::default();
    filter.condition(format!(
        "t.exercise = 0 AND m.from_party <> t.opened_by AND m.kind IN ({STATUS_UPDATE_KINDS})"
    ));
    if let Some(party) = party {
        filter.equals("m.from_party", party.as_str());
    }
    let statement = format!(
        "SELECT m.from_party, m.thread_id, m.received_at_us FROM hotline_messages m \
         JOIN hotline_threads t ON t.id = m.thread_id \
         {} ORDER BY m.sequence",
        filter.where_clause()
    );
    let rows = filter.fetch_all(pool, statement).await?;
    rows.iter()
        .map(|row| {
            let columns = Columns::of(row, "status update");
            Ok(StatusUpdateTime {
                party: columns.party("from_party")?,
                thread_id: columns.get("thread_id")?,
                at: columns.timestamp("received_at_us")?,
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
    let mut filter = SqlFilter::default();
    if let Some(reported_by) = reported_by {
        filter.equals("reported_by", reported_by.as_str());
    }
    let statement = format!(
        "SELECT incident_id, party_id, reported_by, reported_at_us, severity_level, due_at_us, notified_at_us \
         FROM incident_notify_duties {} ORDER BY due_at_us, incident_id, party_id",
        filter.where_clause()
    );
    let rows = filter.fetch_all(pool, statement).await?;
    rows.iter()
        .map(|row| {
            let columns = Columns::of(row, "notify duty");
            Ok(NotifyDutyRow {
                incident_id: columns.get("incident_id")?,
                party: columns.party("party_id")?,
                reported_by: columns.party("reported_by")?,
                reported_at: columns.timestamp("reported_at_us")?,
                severity_level: columns.severity_level("severity_level")?,
                due_at: columns.timestamp("due_at_us")?,
                notified_at: columns.optional_timestamp("notified_at_us")?,
            })
        })
        .collect()
}
