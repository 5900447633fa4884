//! [`LogOutboxStore`] for [`SqlStore`]: a commit is one writer request (all its writes and
//! its log entries in one transaction); forgetting durable entries is queued without waiting.

use async_trait::async_trait;

use super::SqlStore;
use crate::log_outbox::{self, LogOutboxStore};
use crate::writes::WriteCommand;
use crate::{StoreError, StoreWrite};

#[async_trait]
impl LogOutboxStore for SqlStore {
    async fn commit(
        &self,
        writes: Vec<StoreWrite>,
        log_entries: Vec<String>,
    ) -> Result<Vec<i64>, StoreError> {
        self.writer
            .submit_all(writes.into_iter().map(Into::into).collect(), log_entries)
            .await
    }

    async fn pending_log_entries(&self, after: i64) -> Result<Vec<(i64, String)>, StoreError> {
        log_outbox::pending_log_entries(&self.pool, after).await
    }

    fn forget_log_entries(&self, ids: Vec<i64>) -> bool {
        ids.is_empty()
            || self
                .writer
                .queue_detached(WriteCommand::ForgetLogEntries(ids))
    }
}
