//! [`FederationStore`] for [`SqlStore`]: reads from the pool; writes are
//! [`crate::StoreWrite::Federation`], through the writer like every other.

use async_trait::async_trait;

use super::SqlStore;
use crate::StoreError;
use crate::federation::{
    self, FederationAlarm, FederationStore, PartyHome, PeerCheckpoint, PeerIncident, PeerSyncState,
    RelayFigures, RelayOutboxItem,
};

#[async_trait]
impl FederationStore for SqlStore {
    async fn party_homes(&self) -> Result<Vec<PartyHome>, StoreError> {
        federation::party_homes(&self.pool).await
    }

    async fn pending_relay_items(
        &self,
        peer: &str,
        limit: u32,
    ) -> Result<Vec<RelayOutboxItem>, StoreError> {
        federation::pending_relay_items(&self.pool, peer, limit).await
    }

    async fn relay_inbox_contains(&self, peer: &str, subject: &str) -> Result<bool, StoreError> {
        federation::relay_inbox_contains(&self.pool, peer, subject).await
    }

    async fn relay_figures(&self, recent: u32) -> Result<Vec<RelayFigures>, StoreError> {
        federation::relay_figures(&self.pool, recent).await
    }

    async fn peer_sync_states(&self) -> Result<Vec<PeerSyncState>, StoreError> {
        federation::peer_sync_states(&self.pool).await
    }

    async fn peer_incidents(&self, limit: u32) -> Result<Vec<PeerIncident>, StoreError> {
        federation::peer_incidents(&self.pool, limit).await
    }

    async fn peer_checkpoint(&self, origin: &str) -> Result<Option<PeerCheckpoint>, StoreError> {
        federation::peer_checkpoint(&self.pool, origin).await
    }

    async fn peer_checkpoints(&self) -> Result<Vec<PeerCheckpoint>, StoreError> {
        federation::peer_checkpoints(&self.pool).await
    }

    async fn federation_alarms(&self) -> Result<Vec<FederationAlarm>, StoreError> {
        federation::federation_alarms(&self.pool).await
    }
}
