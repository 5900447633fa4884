//! Supply-chain notices in the SQL store (migration sqlite 0017 / postgres 0018): the signed
//! notice and its acknowledgements go into `disclosure_records` like a case's records (kinds
//! `notice` and `notice-acknowledgement`); `supply_chain_notices` keeps one row per notice for
//! lists and the scheduler, `supply_chain_recipients` one per addressed party with its first
//! acknowledgement, its latest exposure and when its reminder fired. What a notice means and
//! who may read it are the core's and the node's business; the list query applies the one TLP
//! rule (`redline_model::Readership`) in SQL.

use async_trait::async_trait;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use uuid::Uuid;

use redline_model::{IncidentId, PartyId, Timestamp, Tlp};

use crate::StoreError;
use crate::sql_helpers::{Columns, classify, corrupt, timestamp_from_column};

/// One addressed party of a notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRecipientRow {
    pub party: PartyId,
    /// The first acknowledgement.
    pub acknowledged_at: Option<Timestamp>,
    /// The latest exposure said (`redline_disclosure::Exposure`'s spelling).
    pub exposure: Option<String>,
    /// When the missed-deadline reminder fired.
    pub reminded_at: Option<Timestamp>,
}

/// One notice's row, with its addressed parties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplyChainNoticeSummary {
    pub notice_id: Uuid,
    pub notifying_party: PartyId,
    pub title: String,
    /// `redline_disclosure::CompromiseKind`'s spelling.
    pub compromise: String,
    pub tlp: Tlp,
    pub issued_at: Timestamp,
    pub acknowledge_by: Timestamp,
    pub updated_at: Timestamp,
    /// In party order.
    pub recipients: Vec<NoticeRecipientRow>,
    /// The incidents the notice links to (written with the notice; read back only by
    /// [`SupplyChainStore::supply_chain_notices_linking`], empty otherwise).
    pub incidents: Vec<IncidentId>,
}

/// Which notices to list.
#[derive(Debug, Clone)]
pub struct SupplyChainNoticeQuery {
    /// `None`: every notice (the operator); `Some(None)`: an anonymous visitor (`clear` only);
    /// `Some(Some(party))`: what the TLP rule lets the party read.
    pub visible_to: Option<Option<PartyId>>,
    pub limit: u32,
}

/// Supply-chain notices.
#[async_trait]
pub trait SupplyChainStore: Send + Sync {
    async fn get_supply_chain_notice(
        &self,
        notice_id: Uuid,
    ) -> Result<Option<SupplyChainNoticeSummary>, StoreError>;
    /// Notices, latest first, filtered in SQL.
    async fn list_supply_chain_notices(
        &self,
        query: &SupplyChainNoticeQuery,
    ) -> Result<Vec<SupplyChainNoticeSummary>, StoreError>;
    /// Notices with an addressed party that has not acknowledged by `now` and was not reminded.
    async fn supply_chain_notices_due(&self, now: Timestamp) -> Result<Vec<Uuid>, StoreError>;
    /// The earliest acknowledgement deadline still to fire.
    async fn earliest_supply_chain_deadline(&self) -> Result<Option<Timestamp>, StoreError>;
    /// The notices that link to `incident`, latest first (the caller applies the TLP rule).
    async fn supply_chain_notices_linking(
        &self,
        incident: &IncidentId,
    ) -> Result<Vec<SupplyChainNoticeSummary>, StoreError>;
}

pub(crate) async fn insert_notice(
    connection: &mut AnyConnection,
    summary: &SupplyChainNoticeSummary,
) -> Result<(), StoreError> {
    let notice_id = summary.notice_id.to_string();
    sqlx::query(
        "INSERT INTO supply_chain_notices (notice_id, notifying_party, title, compromise, tlp, issued_at_us, acknowledge_by_us, updated_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(notice_id.as_str())
    .bind(summary.notifying_party.as_str())
    .bind(summary.title.as_str())
    .bind(summary.compromise.as_str())
    .bind(summary.tlp.as_str())
    .bind(summary.issued_at.as_microseconds())
    .bind(summary.acknowledge_by.as_microseconds())
    .bind(summary.updated_at.as_microseconds())
    .execute(&mut *connection)
    .await
    .map_err(|error| classify(error, || format!("the supply-chain notice {notice_id}")))?;
    for recipient in &summary.recipients {
        sqlx::query(
            "INSERT INTO supply_chain_recipients (notice_id, party_id, acknowledged_at_us, exposure, reminded_at_us) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(notice_id.as_str())
        .bind(recipient.party.as_str())
        .bind(recipient.acknowledged_at.map(|at| at.as_microseconds()))
        .bind(recipient.exposure.as_deref())
        .bind(recipient.reminded_at.map(|at| at.as_microseconds()))
        .execute(&mut *connection)
        .await
        .map_err(|error| {
            classify(error, || {
                format!("recipient {} of notice {notice_id}", recipient.party)
            })
        })?;
    }
    for incident in &summary.incidents {
        sqlx::query(
            "INSERT INTO supply_chain_notice_incidents (notice_id, incident_id) VALUES ($1, $2)",
        )
        .bind(notice_id.as_str())
        .bind(incident.as_str())
        .execute(&mut *connection)
        .await
        .map_err(|error| {
            classify(error, || {
                format!("incident {incident} of notice {notice_id}")
            })
        })?;
    }
    Ok(())
}

/// Records an acknowledgement: the first one's time stays, the exposure is the latest.
pub(crate) async fn record_acknowledgement(
    connection: &mut AnyConnection,
    notice_id: Uuid,
    party: &PartyId,
    exposure: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let notice = notice_id.to_string();
    let updated = sqlx::query(
        "UPDATE supply_chain_recipients SET acknowledged_at_us = COALESCE(acknowledged_at_us, $1), exposure = $2 WHERE notice_id = $3 AND party_id = $4",
    )
    .bind(at.as_microseconds())
    .bind(exposure)
    .bind(notice.as_str())
    .bind(party.as_str())
    .execute(&mut *connection)
    .await?;
    if updated.rows_affected() != 1 {
        return Err(StoreError::NotFound(format!(
            "{party} among the recipients of notice {notice}"
        )));
    }
    sqlx::query("UPDATE supply_chain_notices SET updated_at_us = $1 WHERE notice_id = $2")
        .bind(at.as_microseconds())
        .bind(notice.as_str())
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// Stamps the reminders of `parties` fired; a party reminded already is a conflict (the
/// reminder fires once, whichever process fires it).
pub(crate) async fn mark_reminded(
    connection: &mut AnyConnection,
    notice_id: Uuid,
    parties: &[PartyId],
    at: Timestamp,
) -> Result<(), StoreError> {
    let notice = notice_id.to_string();
    for party in parties {
        let updated = sqlx::query(
            "UPDATE supply_chain_recipients SET reminded_at_us = $1 WHERE notice_id = $2 AND party_id = $3 AND reminded_at_us IS NULL AND acknowledged_at_us IS NULL",
        )
        .bind(at.as_microseconds())
        .bind(notice.as_str())
        .bind(party.as_str())
        .execute(&mut *connection)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::Conflict(format!(
                "the reminder of {party} for notice {notice} fired already, or it acknowledged"
            )));
        }
    }
    Ok(())
}

const NOTICE_COLUMNS: &str = "n.notice_id, n.notifying_party, n.title, n.compromise, n.tlp, n.issued_at_us, n.acknowledge_by_us, n.updated_at_us";

async fn summary_from_row(
    pool: &sqlx::AnyPool,
    row: &sqlx::any::AnyRow,
) -> Result<SupplyChainNoticeSummary, StoreError> {
    let what = "supply-chain notice";
    let columns = Columns::of(row, what);
    let notice_id = columns.uuid("notice_id")?;
    let recipients = sqlx::query(
        "SELECT party_id, acknowledged_at_us, exposure, reminded_at_us FROM supply_chain_recipients WHERE notice_id = $1 ORDER BY party_id",
    )
    .bind(notice_id.to_string())
    .fetch_all(pool)
    .await?
    .iter()
    .map(|row| {
        let recipient = Columns::of(row, what);
        Ok(NoticeRecipientRow {
            party: recipient.party_id()?,
            acknowledged_at: recipient.optional_timestamp("acknowledged_at_us")?,
            exposure: recipient.get("exposure")?,
            reminded_at: recipient.optional_timestamp("reminded_at_us")?,
        })
    })
    .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(SupplyChainNoticeSummary {
        notice_id,
        notifying_party: columns.party("notifying_party")?,
        title: columns.get("title")?,
        compromise: columns.get("compromise")?,
        tlp: columns.tlp("tlp")?,
        issued_at: columns.timestamp("issued_at_us")?,
        acknowledge_by: columns.timestamp("acknowledge_by_us")?,
        updated_at: columns.timestamp("updated_at_us")?,
        recipients,
        incidents: Vec::new(),
    })
}

pub(crate) async fn get_notice(
    pool: &sqlx::AnyPool,
    notice_id: Uuid,
) -> Result<Option<SupplyChainNoticeSummary>, StoreError> {
    // Built from constants only; every value is bound.
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {NOTICE_COLUMNS} FROM supply_chain_notices n WHERE n.notice_id = $1"
    )))
    .bind(notice_id.to_string())
    .fetch_optional(pool)
    .await?;
    match row {
        Some(row) => Ok(Some(summary_from_row(pool, &row).await?)),
        None => Ok(None),
    }
}

pub(crate) async fn list_notices(
    pool: &sqlx::AnyPool,
    query: &SupplyChainNoticeQuery,
) -> Result<Vec<SupplyChainNoticeSummary>, StoreError> {
    let limit = i64::from(query.limit.clamp(1, 1_000));
    // Built from constants only; every value is bound. The party filter is the TLP rule:
    // `clear` and `green` to every party, the others to the notifying and addressed parties.
    let rows = match &query.visible_to {
        None => {
            sqlx::query(AssertSqlSafe(format!(
                "SELECT {NOTICE_COLUMNS} FROM supply_chain_notices n ORDER BY n.issued_at_us DESC, n.notice_id LIMIT $1"
            )))
            .bind(limit)
            .fetch_all(pool)
            .await?
        }
        Some(None) => {
            sqlx::query(AssertSqlSafe(format!(
                "SELECT {NOTICE_COLUMNS} FROM supply_chain_notices n WHERE n.tlp = $1 ORDER BY n.issued_at_us DESC, n.notice_id LIMIT $2"
            )))
            .bind(Tlp::Clear.as_str())
            .bind(limit)
            .fetch_all(pool)
            .await?
        }
        Some(Some(party)) => {
            sqlx::query(AssertSqlSafe(format!(
                "SELECT {NOTICE_COLUMNS} FROM supply_chain_notices n WHERE n.tlp IN ($1, $2) OR n.notifying_party = $3 \
                 OR EXISTS (SELECT 1 FROM supply_chain_recipients r WHERE r.notice_id = n.notice_id AND r.party_id = $3) \
                 ORDER BY n.issued_at_us DESC, n.notice_id LIMIT $4"
            )))
            .bind(Tlp::Clear.as_str())
            .bind(Tlp::Green.as_str())
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

const PENDING: &str = "FROM supply_chain_notices n JOIN supply_chain_recipients r ON r.notice_id = n.notice_id WHERE r.acknowledged_at_us IS NULL AND r.reminded_at_us IS NULL";

pub(crate) async fn notices_due(
    pool: &sqlx::AnyPool,
    now: Timestamp,
) -> Result<Vec<Uuid>, StoreError> {
    // Built from constants only; every value is bound.
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT n.notice_id, MIN(n.acknowledge_by_us) AS due {PENDING} AND n.acknowledge_by_us <= $1 GROUP BY n.notice_id ORDER BY due, n.notice_id"
    )))
    .bind(now.as_microseconds())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let text: String = row.try_get("notice_id")?;
            Uuid::try_parse(&text).map_err(|error| corrupt("supply-chain notice", error))
        })
        .collect()
}

pub(crate) async fn earliest_deadline(
    pool: &sqlx::AnyPool,
) -> Result<Option<Timestamp>, StoreError> {
    // Built from constants only.
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT MIN(n.acknowledge_by_us) AS earliest {PENDING}"
    )))
    .fetch_one(pool)
    .await?;
    let earliest: Option<i64> = row.try_get("earliest")?;
    earliest
        .map(|at| timestamp_from_column("supply-chain notice", at))
        .transpose()
}

pub(crate) async fn notices_linking(
    pool: &sqlx::AnyPool,
    incident: &IncidentId,
) -> Result<Vec<SupplyChainNoticeSummary>, StoreError> {
    // Built from constants only; every value is bound.
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {NOTICE_COLUMNS} FROM supply_chain_notices n JOIN supply_chain_notice_incidents i ON i.notice_id = n.notice_id \
         WHERE i.incident_id = $1 ORDER BY n.issued_at_us DESC, n.notice_id LIMIT 1000"
    )))
    .bind(incident.as_str())
    .fetch_all(pool)
    .await?;
    let mut summaries = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut summary = summary_from_row(pool, row).await?;
        summary.incidents = vec![incident.clone()];
        summaries.push(summary);
    }
    Ok(summaries)
}
