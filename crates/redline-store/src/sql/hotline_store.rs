//! [`HotlineStore`] for [`SqlStore`]: reads from the pool, writes through the writer.

use async_trait::async_trait;
use uuid::Uuid;

use super::SqlStore;
use crate::hotline::{self, HotlineStore};
use crate::{
    CommunicationCheck, HotlineEvent, HotlineRequestQuery, HotlineRequestRow, HotlineWrite,
    StoreError, StoreWrite, StoredMessage, StoredThread,
};
use redline_model::{PartyId, Reader, Timestamp, Tlp};

#[async_trait]
impl HotlineStore for SqlStore {
    async fn apply_hotline_write(&self, write: &HotlineWrite) -> Result<(), StoreError> {
        self.write(StoreWrite::Hotline(Box::new(write.clone())))
            .await
    }

    async fn hotline_message_exists(&self, id: Uuid) -> Result<bool, StoreError> {
        hotline::hotline_message_exists(&self.pool, id).await
    }

    async fn get_hotline_message(&self, id: Uuid) -> Result<Option<StoredMessage>, StoreError> {
        hotline::get_hotline_message(&self.pool, id).await
    }

    async fn list_thread_messages(&self, thread: Uuid) -> Result<Vec<StoredMessage>, StoreError> {
        hotline::list_thread_messages(&self.pool, thread).await
    }

    async fn notifications_about_incident(
        &self,
        incident: &str,
        from: &redline_model::PartyId,
    ) -> Result<Vec<StoredMessage>, StoreError> {
        hotline::notifications_about_incident(&self.pool, incident, from).await
    }

    async fn get_thread(&self, id: Uuid) -> Result<Option<StoredThread>, StoreError> {
        hotline::get_thread(&self.pool, id).await
    }

    async fn list_threads(
        &self,
        party: Option<&PartyId>,
        limit: u32,
    ) -> Result<Vec<StoredThread>, StoreError> {
        hotline::list_threads(&self.pool, party, limit).await
    }

    async fn threads_with_deadlines_due(
        &self,
        due_by: Timestamp,
    ) -> Result<Vec<StoredThread>, StoreError> {
        hotline::threads_with_deadlines_due(&self.pool, due_by).await
    }

    async fn earliest_awaited_deadline(&self) -> Result<Option<Timestamp>, StoreError> {
        hotline::earliest_awaited_deadline(&self.pool).await
    }

    async fn list_hotline_events(
        &self,
        party: &PartyId,
        after_sequence: i64,
        limit: u32,
    ) -> Result<Vec<HotlineEvent>, StoreError> {
        hotline::list_hotline_events(&self.pool, party, after_sequence, limit).await
    }

    async fn get_communication_check(
        &self,
        id: Uuid,
    ) -> Result<Option<CommunicationCheck>, StoreError> {
        hotline::get_communication_check(&self.pool, id).await
    }

    async fn list_communication_checks(
        &self,
        reader: Reader<'_>,
        limit: u32,
    ) -> Result<Vec<(CommunicationCheck, Tlp)>, StoreError> {
        hotline::list_communication_checks(&self.pool, reader, limit).await
    }

    async fn list_hotline_requests(
        &self,
        query: &HotlineRequestQuery,
    ) -> Result<Vec<HotlineRequestRow>, StoreError> {
        hotline::list_hotline_requests(&self.pool, query).await
    }
}
