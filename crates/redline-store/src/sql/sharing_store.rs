//! [`SharingStore`] for [`SqlStore`]: reads from the pool, writes through the writer.

use async_trait::async_trait;

use super::SqlStore;
use crate::stix::{self, InsertOutcome, SharingStore};
use crate::writes::WriteCommand;
use crate::{
    CollectionAccess, StixObjectPage, StixObjectQuery, StixObjectWrite, StoreError, StoreWrite,
    TaxiiCollection, TaxiiStatusRecord,
};
use redline_model::Timestamp;

#[async_trait]
impl SharingStore for SqlStore {
    async fn insert_taxii_collection(
        &self,
        collection: &TaxiiCollection,
    ) -> Result<(), StoreError> {
        self.write(StoreWrite::InsertTaxiiCollection(collection.clone()))
            .await
    }

    async fn get_taxii_collection(&self, id: &str) -> Result<Option<TaxiiCollection>, StoreError> {
        stix::get_taxii_collection(&self.pool, id).await
    }

    async fn list_taxii_collections(&self) -> Result<Vec<TaxiiCollection>, StoreError> {
        stix::list_taxii_collections(&self.pool).await
    }

    async fn put_collection_access(&self, access: &CollectionAccess) -> Result<(), StoreError> {
        self.write(StoreWrite::PutCollectionAccess(access.clone()))
            .await
    }

    async fn list_collection_access(
        &self,
        collection: Option<&str>,
    ) -> Result<Vec<CollectionAccess>, StoreError> {
        stix::list_collection_access(&self.pool, collection).await
    }

    async fn insert_stix_objects(
        &self,
        objects: &[StixObjectWrite],
    ) -> Result<Vec<bool>, StoreError> {
        if objects.is_empty() {
            return Ok(Vec::new());
        }
        let outcome = InsertOutcome::default();
        self.write_command(WriteCommand::InsertStixObjects {
            objects: objects.to_vec(),
            outcome: outcome.clone(),
        })
        .await?;
        Ok(outcome.take())
    }

    async fn list_stix_objects(
        &self,
        query: &StixObjectQuery,
    ) -> Result<StixObjectPage, StoreError> {
        stix::list_objects(&self.pool, query).await
    }

    async fn latest_stix_added_at(&self) -> Result<Option<Timestamp>, StoreError> {
        stix::latest_stix_added_at(&self.pool).await
    }

    async fn insert_taxii_status(&self, status: &TaxiiStatusRecord) -> Result<(), StoreError> {
        self.write(StoreWrite::InsertTaxiiStatus(status.clone()))
            .await
    }

    async fn get_taxii_status(&self, id: &str) -> Result<Option<TaxiiStatusRecord>, StoreError> {
        stix::get_taxii_status(&self.pool, id).await
    }
}
