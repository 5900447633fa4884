//! [`SessionStore`] for [`SqlStore`]: reads from the pool, writes through the writer.

use async_trait::async_trait;

use redline_model::{PartyId, Timestamp};

use super::SqlStore;
use crate::StoreError;
use crate::sessions::{self, LiveSessionCounts, SessionOpening, SessionStore, StoredSession};
use crate::writes::{SessionWrite, WriteCommand};

#[async_trait]
impl SessionStore for SqlStore {
    async fn open_session(&self, opening: &SessionOpening) -> Result<(), StoreError> {
        self.write_command(WriteCommand::Session(SessionWrite::Open(opening.clone())))
            .await
    }

    async fn get_session(&self, secret_sha256: &str) -> Result<Option<StoredSession>, StoreError> {
        sessions::get(&self.pool, secret_sha256).await
    }

    async fn count_live_sessions(
        &self,
        client_address: Option<&str>,
        now: Timestamp,
    ) -> Result<LiveSessionCounts, StoreError> {
        sessions::count_live(&self.pool, client_address, now).await
    }

    async fn list_live_sessions_of_party(
        &self,
        party: &PartyId,
        now: Timestamp,
    ) -> Result<Vec<String>, StoreError> {
        sessions::list_live_of_party(&self.pool, party, now).await
    }

    async fn touch_session(&self, secret_sha256: &str, at: Timestamp) -> Result<(), StoreError> {
        self.write_command(WriteCommand::Session(SessionWrite::Touch {
            secret_sha256: secret_sha256.to_string(),
            at,
        }))
        .await
    }

    async fn close_sessions(&self, secret_sha256s: &[String]) -> Result<(), StoreError> {
        if secret_sha256s.is_empty() {
            return Ok(());
        }
        self.write_command(WriteCommand::Session(SessionWrite::Close(
            secret_sha256s.to_vec(),
        )))
        .await
    }

    async fn close_sessions_of_token(&self, token_id: &str) -> Result<(), StoreError> {
        self.write_command(WriteCommand::Session(SessionWrite::CloseOfToken(
            token_id.to_string(),
        )))
        .await
    }
}
