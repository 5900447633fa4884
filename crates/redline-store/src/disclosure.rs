//! Coordinated vulnerability disclosure in the SQL store (migration sqlite 0014 / postgres
//! 0015): every signed case version and action kept byte for byte in one append-only table
//! (`disclosure_records`), one summary row per case (`disclosure_cases`, its embargo readers in
//! `disclosure_case_readers`) for lists and the scheduler, and the deadlines that fired
//! (`disclosure_deadline_firings`), so each fires once. What a record means, who may read it
//! and when a case is public are the core's and the node's business; the list query only
//! applies the rule the node hands it (embargo end against the node's clock, readers).

use std::collections::BTreeSet;

use async_trait::async_trait;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use uuid::Uuid;

use redline_model::{PartyId, Timestamp};

use crate::StoreError;
use crate::sql_helpers::{Columns, classify, corrupt, readers_of, timestamp_from_column};

redline_model::vocabulary! {
    /// What a stored disclosure record is.
    DisclosureRecordKind {
        /// A version of the case, signed by its coordinator.
        Case => "case",
        /// An action on the case.
        Action => "action",
        /// A supply-chain notice, signed by its notifying party (its id in `case_id`).
        Notice => "notice",
        /// An acknowledgement of a supply-chain notice, signed by an addressed party.
        NoticeAcknowledgement => "notice-acknowledgement",
    }
}

/// One signed disclosure record as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureRecord {
    /// Assigned by the store; 0 when writing.
    pub sequence: i64,
    /// `sha256:<hex>` of the signed payload: a second copy is a conflict.
    pub payload_digest: String,
    pub case_id: Uuid,
    pub kind: DisclosureRecordKind,
    /// The party that signed it.
    pub party: PartyId,
    pub recorded_at: Timestamp,
    /// The DSSE envelope's JSON, byte for byte.
    pub envelope: String,
}

/// One case's summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureCaseSummary {
    pub case_id: Uuid,
    pub coordinator: PartyId,
    pub latest_version: u32,
    pub embargo_end: Timestamp,
    pub vendor_count: u32,
    pub product_count: u32,
    /// The parties that read the case while it is embargoed.
    pub readers: BTreeSet<PartyId>,
    /// The earliest vendor deadline not met and not yet fired, for the scheduler.
    pub next_deadline: Option<Timestamp>,
    pub updated_at: Timestamp,
}

/// Which cases to list.
#[derive(Debug, Clone)]
pub struct DisclosureCaseQuery {
    /// `None`: every case (the operator); `Some(None)`: an anonymous visitor (public cases
    /// only); `Some(Some(party))`: public cases and those the party reads under embargo.
    pub visible_to: Option<Option<PartyId>>,
    /// The node's clock: a case whose embargo ended by then is public.
    pub now: Timestamp,
    /// Only cases whose embargo ended (the public advisories), whoever asks.
    pub public_only: bool,
    pub limit: u32,
}

/// A vendor deadline that fired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureDeadlineFiring {
    pub case_id: Uuid,
    pub vendor_id: String,
    pub duty: String,
    pub due_at: Timestamp,
    pub fired_at: Timestamp,
}

/// Disclosure cases.
#[async_trait]
pub trait DisclosureStore: Send + Sync {
    /// Every record of a case, oldest first.
    async fn list_disclosure_records(
        &self,
        case_id: Uuid,
    ) -> Result<Vec<DisclosureRecord>, StoreError>;
    async fn get_disclosure_case_summary(
        &self,
        case_id: Uuid,
    ) -> Result<Option<DisclosureCaseSummary>, StoreError>;
    /// Cases, latest embargo end first, filtered in SQL.
    async fn list_disclosure_case_summaries(
        &self,
        query: &DisclosureCaseQuery,
    ) -> Result<Vec<DisclosureCaseSummary>, StoreError>;
    /// The deadlines of a case that fired.
    async fn disclosure_deadline_firings(
        &self,
        case_id: Uuid,
    ) -> Result<Vec<DisclosureDeadlineFiring>, StoreError>;
    /// Cases with a vendor deadline due by `now`.
    async fn disclosure_cases_with_deadlines_due(
        &self,
        now: Timestamp,
    ) -> Result<Vec<Uuid>, StoreError>;
    /// The earliest pending vendor deadline of any case.
    async fn earliest_disclosure_deadline(&self) -> Result<Option<Timestamp>, StoreError>;
}

pub(crate) async fn insert_record(
    connection: &mut AnyConnection,
    record: &DisclosureRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO disclosure_records (payload_digest, case_id, kind, party_id, recorded_at_us, envelope) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(record.payload_digest.as_str())
    .bind(record.case_id.to_string())
    .bind(record.kind.as_str())
    .bind(record.party.as_str())
    .bind(record.recorded_at.as_microseconds())
    .bind(record.envelope.as_str())
    .execute(&mut *connection)
    .await
    .map_err(|error| classify(error, || format!("the disclosure record {}", record.payload_digest)))?;
    Ok(())
}

const UPSERT_SUMMARY: &str = "INSERT INTO disclosure_cases (case_id, coordinator, latest_version, embargo_end_us, vendor_count, product_count, next_deadline_us, updated_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
    ON CONFLICT (case_id) DO UPDATE SET latest_version = excluded.latest_version, embargo_end_us = excluded.embargo_end_us, vendor_count = excluded.vendor_count, product_count = excluded.product_count, next_deadline_us = excluded.next_deadline_us, updated_at_us = excluded.updated_at_us";

pub(crate) async fn put_summary(
    connection: &mut AnyConnection,
    summary: &DisclosureCaseSummary,
) -> Result<(), StoreError> {
    let case_id = summary.case_id.to_string();
    sqlx::query(UPSERT_SUMMARY)
        .bind(case_id.as_str())
        .bind(summary.coordinator.as_str())
        .bind(i64::from(summary.latest_version))
        .bind(summary.embargo_end.as_microseconds())
        .bind(i64::from(summary.vendor_count))
        .bind(i64::from(summary.product_count))
        .bind(summary.next_deadline.map(|at| at.as_microseconds()))
        .bind(summary.updated_at.as_microseconds())
        .execute(&mut *connection)
        .await
        .map_err(|error| classify(error, || format!("the disclosure case {case_id}")))?;
    sqlx::query("DELETE FROM disclosure_case_readers WHERE case_id = $1")
        .bind(case_id.as_str())
        .execute(&mut *connection)
        .await?;
    for reader in &summary.readers {
        sqlx::query("INSERT INTO disclosure_case_readers (case_id, party_id) VALUES ($1, $2)")
            .bind(case_id.as_str())
            .bind(reader.as_str())
            .execute(&mut *connection)
            .await?;
    }
    Ok(())
}

pub(crate) async fn insert_firing(
    connection: &mut AnyConnection,
    firing: &DisclosureDeadlineFiring,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO disclosure_deadline_firings (case_id, vendor_id, duty, due_at_us, fired_at_us) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(firing.case_id.to_string())
    .bind(firing.vendor_id.as_str())
    .bind(firing.duty.as_str())
    .bind(firing.due_at.as_microseconds())
    .bind(firing.fired_at.as_microseconds())
    .execute(&mut *connection)
    .await
    .map_err(|error| classify(error, || format!("the {} deadline of vendor {} in case {}", firing.duty, firing.vendor_id, firing.case_id)))?;
    Ok(())
}

const RECORD_COLUMNS: &str =
    "sequence, payload_digest, case_id, kind, party_id, recorded_at_us, envelope";

fn record_from_row(row: &sqlx::any::AnyRow) -> Result<DisclosureRecord, StoreError> {
    let columns = Columns::of(row, "disclosure record");
    Ok(DisclosureRecord {
        sequence: columns.get("sequence")?,
        payload_digest: columns.get("payload_digest")?,
        case_id: columns.uuid("case_id")?,
        kind: columns.word("kind", "kind", DisclosureRecordKind::parse)?,
        party: columns.party_id()?,
        recorded_at: columns.timestamp("recorded_at_us")?,
        envelope: columns.get("envelope")?,
    })
}

pub(crate) async fn list_records(
    pool: &sqlx::AnyPool,
    case_id: Uuid,
) -> Result<Vec<DisclosureRecord>, StoreError> {
    // Built from constants only; every value is bound.
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {RECORD_COLUMNS} FROM disclosure_records WHERE case_id = $1 ORDER BY sequence"
    )))
    .bind(case_id.to_string())
    .fetch_all(pool)
    .await?;
    rows.iter().map(record_from_row).collect()
}

const SUMMARY_COLUMNS: &str = "c.case_id, c.coordinator, c.latest_version, c.embargo_end_us, c.vendor_count, c.product_count, c.next_deadline_us, c.updated_at_us";

async fn summary_from_row(
    pool: &sqlx::AnyPool,
    row: &sqlx::any::AnyRow,
) -> Result<DisclosureCaseSummary, StoreError> {
    let what = "disclosure case";
    let columns = Columns::of(row, what);
    let case_id = columns.uuid("case_id")?;
    let readers = readers_of(
        pool,
        what,
        "SELECT party_id FROM disclosure_case_readers WHERE case_id = $1",
        &case_id.to_string(),
    )
    .await?;
    Ok(DisclosureCaseSummary {
        case_id,
        coordinator: columns.party("coordinator")?,
        latest_version: columns.count("latest_version")?,
        embargo_end: columns.timestamp("embargo_end_us")?,
        vendor_count: columns.count("vendor_count")?,
        product_count: columns.count("product_count")?,
        readers,
        next_deadline: columns.optional_timestamp("next_deadline_us")?,
        updated_at: columns.timestamp("updated_at_us")?,
    })
}

pub(crate) async fn get_summary(
    pool: &sqlx::AnyPool,
    case_id: Uuid,
) -> Result<Option<DisclosureCaseSummary>, StoreError> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {SUMMARY_COLUMNS} FROM disclosure_cases c WHERE c.case_id = $1"
    )))
    .bind(case_id.to_string())
    .fetch_optional(pool)
    .await?;
    match row {
        Some(row) => Ok(Some(summary_from_row(pool, &row).await?)),
        None => Ok(None),
    }
}

pub(crate) async fn list_summaries(
    pool: &sqlx::AnyPool,
    query: &DisclosureCaseQuery,
) -> Result<Vec<DisclosureCaseSummary>, StoreError> {
    let limit = i64::from(query.limit.clamp(1, 1_000));
    let now = query.now.as_microseconds();
    // Built from constants only; every value is bound.
    let rows = match (&query.visible_to, query.public_only) {
        (None, false) => {
            sqlx::query(AssertSqlSafe(format!(
                "SELECT {SUMMARY_COLUMNS} FROM disclosure_cases c ORDER BY c.embargo_end_us DESC, c.case_id LIMIT $1"
            )))
            .bind(limit)
            .fetch_all(pool)
            .await?
        }
        (Some(None), _) | (_, true) => {
            sqlx::query(AssertSqlSafe(format!(
                "SELECT {SUMMARY_COLUMNS} FROM disclosure_cases c WHERE c.embargo_end_us <= $1 ORDER BY c.embargo_end_us DESC, c.case_id LIMIT $2"
            )))
            .bind(now)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }
        (Some(Some(party)), false) => {
            sqlx::query(AssertSqlSafe(format!(
                "SELECT {SUMMARY_COLUMNS} FROM disclosure_cases c WHERE c.embargo_end_us <= $1 \
                 OR EXISTS (SELECT 1 FROM disclosure_case_readers r WHERE r.case_id = c.case_id AND r.party_id = $2) \
                 ORDER BY c.embargo_end_us DESC, c.case_id LIMIT $3"
            )))
            .bind(now)
            .bind(party.as_str())
            .bind(limit)
            .fetch_all(pool)
            .await?
        }
    };
    let mut summaries = Vec::with_capacity(rows.len());
    for row in &rows {
        summaries.push(summary_from_row(pool, row).await?);
    }
    Ok(summaries)
}

pub(crate) async fn firings(
    pool: &sqlx::AnyPool,
    case_id: Uuid,
) -> Result<Vec<DisclosureDeadlineFiring>, StoreError> {
    let rows = sqlx::query(
        "SELECT vendor_id, duty, due_at_us, fired_at_us FROM disclosure_deadline_firings WHERE case_id = $1 ORDER BY fired_at_us, vendor_id, duty",
    )
    .bind(case_id.to_string())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let columns = Columns::of(row, "disclosure deadline");
            Ok(DisclosureDeadlineFiring {
                case_id,
                vendor_id: columns.get("vendor_id")?,
                duty: columns.get("duty")?,
                due_at: columns.timestamp("due_at_us")?,
                fired_at: columns.timestamp("fired_at_us")?,
            })
        })
        .collect()
}

pub(crate) async fn cases_with_deadlines_due(
    pool: &sqlx::AnyPool,
    now: Timestamp,
) -> Result<Vec<Uuid>, StoreError> {
    let rows = sqlx::query(
        "SELECT case_id FROM disclosure_cases WHERE next_deadline_us IS NOT NULL AND next_deadline_us < $1 ORDER BY next_deadline_us",
    )
    .bind(now.as_microseconds())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let text: String = row.try_get("case_id")?;
            Uuid::try_parse(&text).map_err(|error| corrupt("disclosure case", error))
        })
        .collect()
}

pub(crate) async fn earliest_deadline(
    pool: &sqlx::AnyPool,
) -> Result<Option<Timestamp>, StoreError> {
    let row = sqlx::query("SELECT MIN(next_deadline_us) AS earliest FROM disclosure_cases")
        .fetch_one(pool)
        .await?;
    let earliest: Option<i64> = row.try_get("earliest")?;
    earliest
        .map(|at| timestamp_from_column("disclosure case", at))
        .transpose()
}
