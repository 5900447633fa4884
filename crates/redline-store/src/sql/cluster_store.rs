//! [`ClusterStore`] for [`SqlStore`]: PostgreSQL's advisory lock, `LISTEN`/`NOTIFY` and the log's
//! pointer; on SQLite the one process leads and nothing is shared.

use async_trait::async_trait;

use super::SqlStore;
use crate::StoreError;
use crate::cluster::{self, ClusterStore, LeadershipLease, Notice, NoticeListener};
use crate::sql_helpers::Backend;

#[async_trait]
impl ClusterStore for SqlStore {
    fn is_shared(&self) -> bool {
        self.backend == Backend::Postgres
    }

    async fn try_lead(&self) -> Result<Option<LeadershipLease>, StoreError> {
        match self.backend {
            Backend::Sqlite => Ok(Some(cluster::single_process_lease())),
            Backend::Postgres => cluster::try_lead(&self.connect_url).await,
        }
    }

    async fn publish_notice(&self, notice: &Notice) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => Ok(()),
            Backend::Postgres => cluster::publish_notice(&self.pool, notice).await,
        }
    }

    async fn listen_for_notices(&self) -> Result<Option<NoticeListener>, StoreError> {
        match self.backend {
            Backend::Sqlite => Ok(None),
            Backend::Postgres => cluster::listen_for_notices(&self.connect_url)
                .await
                .map(Some),
        }
    }

    async fn log_checkpoint_note(&self, origin: &str) -> Result<Option<String>, StoreError> {
        match self.backend {
            Backend::Sqlite => Ok(None),
            Backend::Postgres => cluster::log_checkpoint_note(&self.pool, origin).await,
        }
    }

    async fn swap_log_checkpoint_note(
        &self,
        origin: &str,
        expected: Option<&str>,
        next: &str,
        tree_size: u64,
        now_microseconds: i64,
    ) -> Result<bool, StoreError> {
        match self.backend {
            Backend::Sqlite => Err(StoreError::Database(
                "a SQLite node keeps its log's checkpoint in its checkpoint file".into(),
            )),
            Backend::Postgres => {
                cluster::swap_log_checkpoint_note(
                    &self.pool,
                    origin,
                    expected,
                    next,
                    tree_size,
                    now_microseconds,
                )
                .await
            }
        }
    }

    async fn log_outbox_settled_through(&self, outbox_id: i64) -> Result<bool, StoreError> {
        cluster::log_outbox_settled_through(&self.pool, outbox_id).await
    }
}
