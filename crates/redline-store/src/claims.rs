//! Attribution claims and their consultations in the SQL store (migration 0010): every signed
//! record kept byte for byte in one append-only table (`attribution_records`: claim versions,
//! co-signatures, publish and withdraw decisions, consultation requests, replies and outcomes),
//! and one summary row per claim (`attribution_claims`, with its readers in
//! `attribution_claim_readers`) that lists and counts read without opening envelopes. What a
//! record means and whether it may be stored is the node's business.

use std::collections::BTreeSet;

use async_trait::async_trait;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use uuid::Uuid;

use redline_model::{
    ClaimId, ClaimStatus, Confidence, CountryCode, IncidentId, PartyId, Timestamp, Tlp,
};

use crate::StoreError;
use crate::sql_helpers::{
    Columns, SqlFilter, classify, corrupt, readers_of, timestamp_from_column,
};

redline_model::vocabulary! {
    /// What a stored attribution record is.
    AttributionRecordKind {
        Claim => "claim",
        Cosignature => "cosignature",
        Decision => "decision",
        ConsultationRequest => "consultation-request",
        ConsultationReply => "consultation-reply",
        ConsultationOutcome => "consultation-outcome",
    }
}

/// One signed attribution record as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributionRecord {
    /// Assigned by the store; 0 when writing.
    pub sequence: i64,
    /// `sha256:<hex>` of the signed payload: a second copy of the same record is a conflict.
    pub payload_digest: String,
    pub claim_id: ClaimId,
    pub consultation_id: Option<Uuid>,
    pub kind: AttributionRecordKind,
    /// The party that signed it.
    pub party: PartyId,
    pub recorded_at: Timestamp,
    /// The DSSE envelope's JSON, byte for byte.
    pub envelope: String,
}

/// One claim's summary, kept beside its records for lists, counts and TLP filtering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimSummary {
    pub claim_id: ClaimId,
    pub incident_id: IncidentId,
    pub claimant: PartyId,
    pub named_state: CountryCode,
    pub named_party: Option<PartyId>,
    pub actor: Option<String>,
    pub latest_version: u32,
    pub confidence: Confidence,
    pub tlp: Tlp,
    /// The parties a restricted claim may be read by (claimant, named party, parties it is
    /// shared with, consultation mediators); empty for `clear` and `green`.
    pub readers: BTreeSet<PartyId>,
    pub status: ClaimStatus,
    pub published_at: Option<Timestamp>,
    pub cosigner_count: u32,
    pub updated_at: Timestamp,
}

/// Which claims to list.
#[derive(Debug, Clone, Default)]
pub struct ClaimQuery {
    /// `None`: every claim (the operator); `Some(None)`: what an anonymous visitor may read
    /// (published `clear` claims only); `Some(Some(party))`: what that party may read.
    pub visible_to: Option<Option<PartyId>>,
    pub incident: Option<IncidentId>,
    pub named_state: Option<CountryCode>,
    pub status: Option<ClaimStatus>,
    pub limit: u32,
}

/// A named state's count of published `clear` claims, for the public scorecards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedClaimCount {
    pub named_state: CountryCode,
    pub claims: u64,
    /// Claims with at least one co-signer.
    pub joint_claims: u64,
}

/// One consultation's timing, for the public timeliness figures (never its content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsultationSummary {
    pub consultation_id: Uuid,
    pub claim_id: ClaimId,
    pub requester: PartyId,
    pub named_party: PartyId,
    pub requested_at: Timestamp,
    pub reply_by: Option<Timestamp>,
    pub replied_at: Option<Timestamp>,
    /// The latest outcome's word, if any.
    pub outcome: Option<String>,
}

/// How a party answered the consultations it was asked for, at a given time.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PartyConsultationFigures {
    pub party: Option<PartyId>,
    /// Consultations it was asked for.
    pub requested: u64,
    /// Replies whose deadline has come (answered, or unanswered past the deadline).
    pub due: u64,
    /// Of those, answered by the deadline.
    pub answered_on_time: u64,
}

/// Attribution claims and consultations.
#[async_trait]
pub trait ClaimStore: Send + Sync {
    /// Every record of a claim and its consultations, oldest first.
    async fn list_attribution_records(
        &self,
        claim_id: ClaimId,
    ) -> Result<Vec<AttributionRecord>, StoreError>;
    /// The claim a consultation belongs to.
    async fn claim_of_consultation(
        &self,
        consultation_id: Uuid,
    ) -> Result<Option<ClaimId>, StoreError>;
    async fn get_claim_summary(
        &self,
        claim_id: ClaimId,
    ) -> Result<Option<ClaimSummary>, StoreError>;
    /// The reply deadline each consultation about a claim was given when it was requested (the
    /// duty as it stood then; `None` where the document set none).
    async fn consultation_reply_deadlines(
        &self,
        claim_id: ClaimId,
    ) -> Result<std::collections::HashMap<Uuid, Option<Timestamp>>, StoreError>;
    /// Claims newest first, filtered by TLP in SQL.
    async fn list_claim_summaries(
        &self,
        query: &ClaimQuery,
    ) -> Result<Vec<ClaimSummary>, StoreError>;
    /// Published `clear` claims per named state, for the public scorecards.
    async fn published_claim_counts(&self) -> Result<Vec<PublishedClaimCount>, StoreError>;
    /// Per named party, how its consultations were answered, as of `now`.
    async fn consultation_figures(
        &self,
        now: Timestamp,
    ) -> Result<Vec<PartyConsultationFigures>, StoreError>;
}

const UPSERT_CONSULTATION: &str = "INSERT INTO attribution_consultations (consultation_id, claim_id, requester, named_party, requested_at_us, reply_by_us, replied_at_us, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
    ON CONFLICT (consultation_id) DO UPDATE SET reply_by_us = excluded.reply_by_us, replied_at_us = excluded.replied_at_us, outcome = excluded.outcome";

pub(crate) async fn put_consultation(
    connection: &mut AnyConnection,
    summary: &ConsultationSummary,
) -> Result<(), StoreError> {
    sqlx::query(UPSERT_CONSULTATION)
        .bind(summary.consultation_id.to_string())
        .bind(summary.claim_id.to_string())
        .bind(summary.requester.as_str())
        .bind(summary.named_party.as_str())
        .bind(summary.requested_at.as_microseconds())
        .bind(summary.reply_by.map(|at| at.as_microseconds()))
        .bind(summary.replied_at.map(|at| at.as_microseconds()))
        .bind(summary.outcome.clone())
        .execute(&mut *connection)
        .await
        .map_err(|error| {
            classify(error, || {
                format!("the consultation {}", summary.consultation_id)
            })
        })?;
    Ok(())
}

pub(crate) async fn consultation_figures(
    pool: &sqlx::AnyPool,
    now: Timestamp,
) -> Result<Vec<PartyConsultationFigures>, StoreError> {
    let rows = sqlx::query(
        "SELECT named_party, COUNT(*) AS requested, \
         SUM(CASE WHEN replied_at_us IS NOT NULL OR (reply_by_us IS NOT NULL AND reply_by_us < $1) THEN 1 ELSE 0 END) AS due, \
         SUM(CASE WHEN replied_at_us IS NOT NULL AND (reply_by_us IS NULL OR replied_at_us <= reply_by_us) THEN 1 ELSE 0 END) AS answered_on_time \
         FROM attribution_consultations GROUP BY named_party ORDER BY named_party",
    )
    .bind(now.as_microseconds())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let party: String = row.try_get("named_party")?;
            let count = |column: &str| -> Result<u64, StoreError> {
                let value: i64 = row.try_get(column)?;
                Ok(u64::try_from(value).unwrap_or(0))
            };
            Ok(PartyConsultationFigures {
                party: Some(
                    PartyId::parse(&party).map_err(|error| corrupt("consultation", error))?,
                ),
                requested: count("requested")?,
                due: count("due")?,
                answered_on_time: count("answered_on_time")?,
            })
        })
        .collect()
}

pub(crate) async fn insert_record(
    connection: &mut AnyConnection,
    record: &AttributionRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO attribution_records (payload_digest, claim_id, consultation_id, kind, party_id, recorded_at_us, envelope) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(record.payload_digest.as_str())
    .bind(record.claim_id.to_string())
    .bind(record.consultation_id.map(|id| id.to_string()))
    .bind(record.kind.as_str())
    .bind(record.party.as_str())
    .bind(record.recorded_at.as_microseconds())
    .bind(record.envelope.as_str())
    .execute(&mut *connection)
    .await
    .map_err(|error| {
        classify(error, || {
            format!("the attribution record {}", record.payload_digest)
        })
    })?;
    Ok(())
}

const UPSERT_SUMMARY: &str = "INSERT INTO attribution_claims (claim_id, incident_id, claimant, named_state, named_party, actor, latest_version, confidence, tlp, status, published_at_us, cosigner_count, updated_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
    ON CONFLICT (claim_id) DO UPDATE SET named_state = excluded.named_state, named_party = excluded.named_party, actor = excluded.actor, latest_version = excluded.latest_version, confidence = excluded.confidence, tlp = excluded.tlp, status = excluded.status, published_at_us = excluded.published_at_us, cosigner_count = excluded.cosigner_count, updated_at_us = excluded.updated_at_us";

pub(crate) async fn put_summary(
    connection: &mut AnyConnection,
    summary: &ClaimSummary,
) -> Result<(), StoreError> {
    let claim_id = summary.claim_id.to_string();
    sqlx::query(UPSERT_SUMMARY)
        .bind(claim_id.as_str())
        .bind(summary.incident_id.as_str())
        .bind(summary.claimant.as_str())
        .bind(summary.named_state.as_str())
        .bind(
            summary
                .named_party
                .as_ref()
                .map(|party| party.as_str().to_string()),
        )
        .bind(summary.actor.clone())
        .bind(i64::from(summary.latest_version))
        .bind(summary.confidence.as_str())
        .bind(summary.tlp.as_str())
        .bind(summary.status.as_str())
        .bind(summary.published_at.map(|at| at.as_microseconds()))
        .bind(i64::from(summary.cosigner_count))
        .bind(summary.updated_at.as_microseconds())
        .execute(&mut *connection)
        .await
        .map_err(|error| classify(error, || format!("the claim {claim_id}")))?;
    sqlx::query("DELETE FROM attribution_claim_readers WHERE claim_id = $1")
        .bind(claim_id.as_str())
        .execute(&mut *connection)
        .await?;
    for reader in &summary.readers {
        sqlx::query("INSERT INTO attribution_claim_readers (claim_id, party_id) VALUES ($1, $2)")
            .bind(claim_id.as_str())
            .bind(reader.as_str())
            .execute(&mut *connection)
            .await?;
    }
    Ok(())
}

const RECORD_COLUMNS: &str =
    "sequence, payload_digest, claim_id, consultation_id, kind, party_id, recorded_at_us, envelope";

fn record_from_row(row: &sqlx::any::AnyRow) -> Result<AttributionRecord, StoreError> {
    let columns = Columns::of(row, "attribution record");
    Ok(AttributionRecord {
        sequence: columns.get("sequence")?,
        payload_digest: columns.get("payload_digest")?,
        claim_id: columns.uuid("claim_id")?,
        consultation_id: columns.optional_parsed("consultation_id", Uuid::try_parse)?,
        kind: columns.word("kind", "kind", AttributionRecordKind::parse)?,
        party: columns.party_id()?,
        recorded_at: columns.timestamp("recorded_at_us")?,
        envelope: columns.get("envelope")?,
    })
}

pub(crate) async fn list_records(
    pool: &sqlx::AnyPool,
    claim_id: ClaimId,
) -> Result<Vec<AttributionRecord>, StoreError> {
    // Built from constants only; every value is bound.
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {RECORD_COLUMNS} FROM attribution_records WHERE claim_id = $1 ORDER BY sequence"
    )))
    .bind(claim_id.to_string())
    .fetch_all(pool)
    .await?;
    rows.iter().map(record_from_row).collect()
}

pub(crate) async fn claim_of_consultation(
    pool: &sqlx::AnyPool,
    consultation_id: Uuid,
) -> Result<Option<ClaimId>, StoreError> {
    let row = sqlx::query(
        "SELECT claim_id FROM attribution_records WHERE consultation_id = $1 ORDER BY sequence LIMIT 1",
    )
    .bind(consultation_id.to_string())
    .fetch_optional(pool)
    .await?;
    row.map(|row| {
        let text: String = row.try_get("claim_id")?;
        Uuid::try_parse(&text).map_err(|error| corrupt("attribution record", error))
    })
    .transpose()
}

pub(crate) async fn consultation_reply_deadlines(
    pool: &sqlx::AnyPool,
    claim_id: ClaimId,
) -> Result<std::collections::HashMap<Uuid, Option<Timestamp>>, StoreError> {
    let rows = sqlx::query(
        "SELECT consultation_id, reply_by_us FROM attribution_consultations WHERE claim_id = $1",
    )
    .bind(claim_id.to_string())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let text: String = row.try_get("consultation_id")?;
            let consultation = Uuid::try_parse(&text)
                .map_err(|error| corrupt("attribution consultation", error))?;
            let reply_by: Option<i64> = row.try_get("reply_by_us")?;
            let reply_by = reply_by
                .map(|microseconds| timestamp_from_column("attribution consultation", microseconds))
                .transpose()?;
            Ok((consultation, reply_by))
        })
        .collect()
}

const SUMMARY_COLUMNS: &str = "c.claim_id, c.incident_id, c.claimant, c.named_state, c.named_party, c.actor, c.latest_version, c.confidence, c.tlp, c.status, c.published_at_us, c.cosigner_count, c.updated_at_us";

async fn summary_from_row(
    pool: &sqlx::AnyPool,
    row: &sqlx::any::AnyRow,
) -> Result<ClaimSummary, StoreError> {
    let what = "attribution claim";
    let columns = Columns::of(row, what);
    let claim_id = columns.uuid("claim_id")?;
    let tlp = columns.tlp("tlp")?;
    // Only a restricted claim has readers of its own: clear and green ones skip the query.
    let readers = if tlp.is_restricted() {
        readers_of(
            pool,
            what,
            "SELECT party_id FROM attribution_claim_readers WHERE claim_id = $1",
            &claim_id.to_string(),
        )
        .await?
    } else {
        BTreeSet::new()
    };
    Ok(ClaimSummary {
        claim_id,
        incident_id: columns.parsed("incident_id", IncidentId::parse)?,
        claimant: columns.party("claimant")?,
        named_state: columns.parsed("named_state", CountryCode::parse)?,
        named_party: columns.optional_parsed("named_party", PartyId::parse)?,
        actor: columns.get("actor")?,
        latest_version: columns.count("latest_version")?,
        confidence: columns.word("confidence", "confidence", Confidence::parse)?,
        tlp,
        readers,
        status: columns.word("status", "status", ClaimStatus::parse)?,
        published_at: columns.optional_timestamp("published_at_us")?,
        cosigner_count: columns.count("cosigner_count")?,
        updated_at: columns.timestamp("updated_at_us")?,
    })
}

pub(crate) async fn get_summary(
    pool: &sqlx::AnyPool,
    claim_id: ClaimId,
) -> Result<Option<ClaimSummary>, StoreError> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {SUMMARY_COLUMNS} FROM attribution_claims c WHERE c.claim_id = $1"
    )))
    .bind(claim_id.to_string())
    .fetch_optional(pool)
    .await?;
    match row {
        Some(row) => Ok(Some(summary_from_row(pool, &row).await?)),
        None => Ok(None),
    }
}

pub(crate) async fn list_summaries(
    pool: &sqlx::AnyPool,
    query: &ClaimQuery,
) -> Result<Vec<ClaimSummary>, StoreError> {
    let mut filter = SqlFilter::default();
    match &query.visible_to {
        None => {}
        Some(None) => filter.condition("c.tlp = 'clear' AND c.published_at_us IS NOT NULL"),
        Some(Some(party)) => filter.readable_by(party, "c.tlp", |placeholder| {
            format!("EXISTS (SELECT 1 FROM attribution_claim_readers r WHERE r.claim_id = c.claim_id AND r.party_id = {placeholder})")
        }),
    }
    if let Some(incident) = &query.incident {
        filter.equals("c.incident_id", incident.as_str());
    }
    if let Some(state) = &query.named_state {
        filter.equals("c.named_state", state.as_str());
    }
    if let Some(status) = query.status {
        filter.equals("c.status", status.as_str());
    }
    let limit = query.limit.clamp(1, 1_000);
    let rows = filter
        .fetch_all(
            pool,
            format!(
                "SELECT {SUMMARY_COLUMNS} FROM attribution_claims c {} ORDER BY c.updated_at_us DESC, c.claim_id LIMIT {limit}",
                filter.where_clause()
            ),
        )
        .await?;
    let mut summaries = Vec::with_capacity(rows.len());
    for row in &rows {
        summaries.push(summary_from_row(pool, row).await?);
    }
    Ok(summaries)
}

pub(crate) async fn published_counts(
    pool: &sqlx::AnyPool,
) -> Result<Vec<PublishedClaimCount>, StoreError> {
    let rows = sqlx::query(
        "SELECT named_state, COUNT(*) AS claims, SUM(CASE WHEN cosigner_count > 0 THEN 1 ELSE 0 END) AS joint_claims \
         FROM attribution_claims WHERE status = 'published' AND tlp = 'clear' GROUP BY named_state ORDER BY named_state",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let state: String = row.try_get("named_state")?;
            let claims: i64 = row.try_get("claims")?;
            let joint_claims: i64 = row.try_get("joint_claims")?;
            Ok(PublishedClaimCount {
                named_state: CountryCode::parse(&state)
                    .map_err(|error| corrupt("attribution claim", error))?,
                claims: u64::try_from(claims).unwrap_or(0),
                joint_claims: u64::try_from(joint_claims).unwrap_or(0),
            })
        })
        .collect()
}
