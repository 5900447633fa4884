//! [`DisclosureStore`] for [`SqlStore`]: reads from the pool; writes go through the writer as
//! [`crate::StoreWrite`]s committed with their log entries by the node.

use async_trait::async_trait;
use uuid::Uuid;

use super::SqlStore;
use crate::StoreError;
use crate::disclosure::{
    self, DisclosureCaseQuery, DisclosureCaseSummary, DisclosureDeadlineFiring, DisclosureRecord,
    DisclosureStore,
};
use redline_model::Timestamp;

#[async_trait]
impl DisclosureStore for SqlStore {
    async fn list_disclosure_records(
        &self,
        case_id: Uuid,
    ) -> Result<Vec<DisclosureRecord>, StoreError> {
        disclosure::list_records(&self.pool, case_id).await
    }

    async fn get_disclosure_case_summary(
        &self,
        case_id: Uuid,
    ) -> Result<Option<DisclosureCaseSummary>, StoreError> {
        disclosure::get_summary(&self.pool, case_id).await
    }

    async fn list_disclosure_case_summaries(
        &self,
        query: &DisclosureCaseQuery,
    ) -> Result<Vec<DisclosureCaseSummary>, StoreError> {
        disclosure::list_summaries(&self.pool, query).await
    }

    async fn disclosure_deadline_firings(
        &self,
        case_id: Uuid,
    ) -> Result<Vec<DisclosureDeadlineFiring>, StoreError> {
        disclosure::firings(&self.pool, case_id).await
    }

    async fn disclosure_cases_with_deadlines_due(
        &self,
        now: Timestamp,
    ) -> Result<Vec<Uuid>, StoreError> {
        disclosure::cases_with_deadlines_due(&self.pool, now).await
    }

    async fn earliest_disclosure_deadline(&self) -> Result<Option<Timestamp>, StoreError> {
        disclosure::earliest_deadline(&self.pool).await
    }
}
