//! [`ClaimStore`] for [`SqlStore`]: reads from the pool; writes go through the writer as
//! [`crate::StoreWrite`]s committed with their log entries by the node.

use async_trait::async_trait;
use uuid::Uuid;

use super::SqlStore;
use crate::StoreError;
use crate::claims::{
    self, AttributionRecord, ClaimQuery, ClaimStore, ClaimSummary, PublishedClaimCount,
};
use redline_model::{ClaimId, Timestamp};

#[async_trait]
impl ClaimStore for SqlStore {
    async fn list_attribution_records(
        &self,
        claim_id: ClaimId,
    ) -> Result<Vec<AttributionRecord>, StoreError> {
        claims::list_records(&self.pool, claim_id).await
    }

    async fn claim_of_consultation(
        &self,
        consultation_id: Uuid,
    ) -> Result<Option<ClaimId>, StoreError> {
        claims::claim_of_consultation(&self.pool, consultation_id).await
    }

    async fn consultation_reply_deadlines(
        &self,
        claim_id: ClaimId,
    ) -> Result<std::collections::HashMap<Uuid, Option<Timestamp>>, StoreError> {
        claims::consultation_reply_deadlines(&self.pool, claim_id).await
    }

    async fn get_claim_summary(
        &self,
        claim_id: ClaimId,
    ) -> Result<Option<ClaimSummary>, StoreError> {
        claims::get_summary(&self.pool, claim_id).await
    }

    async fn list_claim_summaries(
        &self,
        query: &ClaimQuery,
    ) -> Result<Vec<ClaimSummary>, StoreError> {
        claims::list_summaries(&self.pool, query).await
    }

    async fn published_claim_counts(&self) -> Result<Vec<PublishedClaimCount>, StoreError> {
        claims::published_counts(&self.pool).await
    }

    async fn consultation_figures(
        &self,
        now: redline_model::Timestamp,
    ) -> Result<Vec<claims::PartyConsultationFigures>, StoreError> {
        claims::consultation_figures(&self.pool, now).await
    }
}
