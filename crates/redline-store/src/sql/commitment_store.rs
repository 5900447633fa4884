//! [`CommitmentStore`] for [`SqlStore`]: reads from the pool; writes go through the writer as
//! [`crate::StoreWrite`]s committed with their log entries by the node.

use async_trait::async_trait;

use super::SqlStore;
use crate::StoreError;
use crate::commitments::{
    self, CommitmentDeadline, CommitmentQuery, CommitmentRecord, CommitmentStore,
    PublicReportSummary,
};
use redline_model::Timestamp;

#[async_trait]
impl CommitmentStore for SqlStore {
    async fn list_commitment_records(
        &self,
        query: &CommitmentQuery,
    ) -> Result<Vec<CommitmentRecord>, StoreError> {
        commitments::list_records(&self.pool, query).await
    }

    async fn public_report_summaries(&self) -> Result<Vec<PublicReportSummary>, StoreError> {
        commitments::public_report_summaries(&self.pool).await
    }

    async fn commitment_deadlines_of(
        &self,
        subject: &str,
    ) -> Result<Vec<CommitmentDeadline>, StoreError> {
        commitments::deadlines_of(&self.pool, subject).await
    }

    async fn commitment_deadlines_due(
        &self,
        now: Timestamp,
    ) -> Result<Vec<CommitmentDeadline>, StoreError> {
        commitments::deadlines_due(&self.pool, now).await
    }

    async fn earliest_commitment_deadline(&self) -> Result<Option<Timestamp>, StoreError> {
        commitments::earliest_deadline(&self.pool).await
    }

    async fn hotline_duty_rows(
        &self,
        party: Option<&redline_model::PartyId>,
    ) -> Result<Vec<commitments::HotlineDutyRow>, StoreError> {
        commitments::hotline_duty_rows(&self.pool, party).await
    }

    async fn status_update_times(
        &self,
        party: Option<&redline_model::PartyId>,
    ) -> Result<Vec<commitments::StatusUpdateTime>, StoreError> {
        commitments::status_update_times(&self.pool, party).await
    }

    async fn notify_duty_rows(
        &self,
        reported_by: Option<&redline_model::PartyId>,
    ) -> Result<Vec<commitments::NotifyDutyRow>, StoreError> {
        commitments::notify_duty_rows(&self.pool, reported_by).await
    }

    async fn incidents_without_notify_duties(
        &self,
        after_sequence: i64,
        limit: u32,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        commitments::incidents_without_notify_duties(&self.pool, after_sequence, limit).await
    }
}
