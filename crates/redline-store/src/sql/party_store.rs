//! [`PartyStore`] for [`SqlStore`]: reads from the pool, writes through the writer.

use async_trait::async_trait;

use super::SqlStore;
use crate::parties::{self, PartyStore};
use crate::{Credential, StoreError, StoreWrite};
use redline_model::{Party, PartyId, PartyKey, Timestamp};

#[async_trait]
impl PartyStore for SqlStore {
    async fn insert_party(&self, party: &Party) -> Result<(), StoreError> {
        self.write(StoreWrite::InsertParty(party.clone())).await
    }

    async fn get_party(&self, id: &PartyId) -> Result<Option<Party>, StoreError> {
        parties::get_party(&self.pool, id).await
    }

    async fn list_parties(&self) -> Result<Vec<Party>, StoreError> {
        parties::list_parties(&self.pool).await
    }

    async fn missing_parties(&self, ids: &[PartyId]) -> Result<Vec<PartyId>, StoreError> {
        parties::missing_parties(&self.pool, ids).await
    }

    async fn add_party_key(&self, party: &PartyId, key: &PartyKey) -> Result<(), StoreError> {
        self.write(StoreWrite::AddPartyKey {
            party: party.clone(),
            key: key.clone(),
        })
        .await
    }

    async fn revoke_party_key(
        &self,
        party: &PartyId,
        key_id: &str,
        at: Timestamp,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.write(StoreWrite::RevokePartyKey {
            party: party.clone(),
            key_id: key_id.to_string(),
            at,
            reason: reason.to_string(),
        })
        .await
    }

    async fn key_owner(&self, key_id: &str) -> Result<Option<PartyId>, StoreError> {
        parties::key_owner(&self.pool, key_id).await
    }

    async fn insert_credential(&self, credential: &Credential) -> Result<(), StoreError> {
        self.write(StoreWrite::InsertCredential(credential.clone()))
            .await
    }

    async fn get_credential(&self, token_id: &str) -> Result<Option<Credential>, StoreError> {
        parties::get_credential(&self.pool, token_id).await
    }

    async fn revoke_credential(&self, token_id: &str, at: Timestamp) -> Result<(), StoreError> {
        self.write(StoreWrite::RevokeCredential {
            token_id: token_id.to_string(),
            at,
        })
        .await
    }
}
