//! [`IncidentStore`] for [`SqlStore`]: reads from the pool, writes through the writer.

use async_trait::async_trait;

use super::SqlStore;
use crate::incidents::{self, IncidentStore};
use crate::{
    IncidentPage, IncidentQuery, IncidentWrite, IncidentsNamingVulnerabilityQuery, NormsAdoption,
    StoreError, StoreWrite, StoredAssessment, StoredNormsDocument,
};
use redline_model::{Incident, IncidentId};

#[async_trait]
impl IncidentStore for SqlStore {
    async fn insert_incident(&self, write: &IncidentWrite) -> Result<(), StoreError> {
        self.write(StoreWrite::InsertIncident(write.clone())).await
    }

    async fn update_incident(
        &self,
        write: &IncidentWrite,
        expected_version: u32,
    ) -> Result<(), StoreError> {
        self.write(StoreWrite::UpdateIncident {
            write: write.clone(),
            expected_version,
        })
        .await
    }

    async fn get_incident(&self, id: &IncidentId) -> Result<Option<Incident>, StoreError> {
        incidents::get_incident(&self.pool, id).await
    }

    async fn list_incident_versions(&self, id: &IncidentId) -> Result<Vec<Incident>, StoreError> {
        incidents::list_incident_versions(&self.pool, id).await
    }

    async fn list_incidents(&self, query: &IncidentQuery) -> Result<IncidentPage, StoreError> {
        incidents::list_incidents(&self.pool, query).await
    }

    async fn count_incidents(&self) -> Result<u64, StoreError> {
        incidents::count_incidents(&self.pool).await
    }

    async fn list_incidents_naming_vulnerability(
        &self,
        query: &IncidentsNamingVulnerabilityQuery,
    ) -> Result<Vec<Incident>, StoreError> {
        incidents::list_incidents_naming_vulnerability(&self.pool, query).await
    }

    async fn insert_norms_document(
        &self,
        document: &StoredNormsDocument,
    ) -> Result<(), StoreError> {
        self.write(StoreWrite::InsertNormsDocument(document.clone()))
            .await
    }

    async fn get_norms_document(
        &self,
        sha256: &str,
    ) -> Result<Option<StoredNormsDocument>, StoreError> {
        incidents::get_norms_document(&self.pool, sha256).await
    }

    async fn list_norms_documents(&self) -> Result<Vec<StoredNormsDocument>, StoreError> {
        incidents::list_norms_documents(&self.pool).await
    }

    async fn insert_norms_adoption(&self, adoption: &NormsAdoption) -> Result<(), StoreError> {
        self.write(StoreWrite::InsertNormsAdoption(adoption.clone()))
            .await
    }

    async fn list_norms_adoptions(&self) -> Result<Vec<NormsAdoption>, StoreError> {
        incidents::list_norms_adoptions(&self.pool).await
    }

    async fn put_assessment(&self, assessment: &StoredAssessment) -> Result<(), StoreError> {
        self.write(StoreWrite::PutAssessment(assessment.clone()))
            .await
    }

    async fn get_latest_assessment(
        &self,
        incident: &IncidentId,
    ) -> Result<Option<StoredAssessment>, StoreError> {
        incidents::get_latest_assessment(&self.pool, incident).await
    }

    async fn get_first_assessment(
        &self,
        incident: &IncidentId,
        version: u32,
    ) -> Result<Option<StoredAssessment>, StoreError> {
        incidents::get_first_assessment(&self.pool, incident, version).await
    }
}
