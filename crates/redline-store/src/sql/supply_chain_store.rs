//! [`SupplyChainStore`] for [`SqlStore`]: reads from the pool; writes go through the writer as
//! [`crate::StoreWrite`]s committed with their log entries by the node.

use async_trait::async_trait;
use uuid::Uuid;

use super::SqlStore;
use crate::StoreError;
use crate::supply_chain::{
    self, SupplyChainNoticeQuery, SupplyChainNoticeSummary, SupplyChainStore,
};
use redline_model::{IncidentId, Timestamp};

#[async_trait]
impl SupplyChainStore for SqlStore {
    async fn get_supply_chain_notice(
        &self,
        notice_id: Uuid,
    ) -> Result<Option<SupplyChainNoticeSummary>, StoreError> {
        supply_chain::get_notice(&self.pool, notice_id).await
    }

    async fn list_supply_chain_notices(
        &self,
        query: &SupplyChainNoticeQuery,
    ) -> Result<Vec<SupplyChainNoticeSummary>, StoreError> {
        supply_chain::list_notices(&self.pool, query).await
    }

    async fn supply_chain_notices_due(&self, now: Timestamp) -> Result<Vec<Uuid>, StoreError> {
        supply_chain::notices_due(&self.pool, now).await
    }

    async fn earliest_supply_chain_deadline(&self) -> Result<Option<Timestamp>, StoreError> {
        supply_chain::earliest_deadline(&self.pool).await
    }

    async fn supply_chain_notices_linking(
        &self,
        incident: &IncidentId,
    ) -> Result<Vec<SupplyChainNoticeSummary>, StoreError> {
        supply_chain::notices_linking(&self.pool, incident).await
    }
}
