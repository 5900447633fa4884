//! [`DashboardStore`] for [`SqlStore`]: the aggregates are read from the pool (the queries live
//! in `dashboard.rs`).

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::SqlStore;
use crate::dashboard::{DashboardReads, DashboardStore};
use crate::{
    DashboardFingerprint, DashboardHotlineFigures, DashboardHotlineFingerprint,
    DashboardIncidentQuery, DashboardIncidentRow, PartyIncidentCounts, SeverityCount, StoreError,
};

impl SqlStore {
    fn dashboard_reads(&self) -> DashboardReads<'_> {
        DashboardReads {
            pool: &self.pool,
            backend: self.backend,
        }
    }
}

#[async_trait]
impl DashboardStore for SqlStore {
    async fn dashboard_fingerprint(&self) -> Result<DashboardFingerprint, StoreError> {
        self.dashboard_reads().dashboard_fingerprint_query().await
    }

    async fn dashboard_counts_by_severity(
        &self,
        tlp: &str,
    ) -> Result<Vec<SeverityCount>, StoreError> {
        self.dashboard_reads()
            .dashboard_counts_by_severity_query(tlp)
            .await
    }

    async fn dashboard_counts_by_month(&self, tlp: &str) -> Result<Vec<(String, u64)>, StoreError> {
        self.dashboard_reads()
            .dashboard_counts_by_month_query(tlp)
            .await
    }

    async fn dashboard_counts_by_party(
        &self,
        tlp: &str,
    ) -> Result<BTreeMap<String, PartyIncidentCounts>, StoreError> {
        self.dashboard_reads()
            .dashboard_counts_by_party_query(tlp)
            .await
    }

    async fn dashboard_list_incidents(
        &self,
        query: &DashboardIncidentQuery,
    ) -> Result<Vec<DashboardIncidentRow>, StoreError> {
        self.dashboard_reads()
            .dashboard_list_incidents_query(query)
            .await
    }

    async fn dashboard_hotline_fingerprint(
        &self,
    ) -> Result<DashboardHotlineFingerprint, StoreError> {
        self.dashboard_reads()
            .dashboard_hotline_fingerprint_query()
            .await
    }

    async fn dashboard_hotline_figures(
        &self,
        now_us: i64,
    ) -> Result<DashboardHotlineFigures, StoreError> {
        self.dashboard_reads()
            .dashboard_hotline_figures_query(now_us)
            .await
    }

    async fn dashboard_latest_event_sequence(&self, party: &str) -> Result<i64, StoreError> {
        self.dashboard_reads()
            .dashboard_latest_event_sequence_query(party)
            .await
    }
}
