//! [`ExerciseStore`] for [`SqlStore`]: reads from the pool, writes through the writer.

use async_trait::async_trait;

use super::SqlStore;
use crate::exercise::{self, ExerciseStore};
use crate::{ExerciseRecord, StoreError, StoreWrite};

#[async_trait]
impl ExerciseStore for SqlStore {
    async fn insert_exercise_record(&self, record: &ExerciseRecord) -> Result<(), StoreError> {
        self.write(StoreWrite::InsertExerciseRecord(record.clone()))
            .await
    }

    async fn list_exercise_records(
        &self,
        exercise_id: &str,
    ) -> Result<Vec<ExerciseRecord>, StoreError> {
        exercise::list_records(&self.pool, exercise_id).await
    }

    async fn list_exercise_records_of_kind(
        &self,
        kind: &str,
        limit: u32,
    ) -> Result<Vec<ExerciseRecord>, StoreError> {
        exercise::list_records_of_kind(&self.pool, kind, limit).await
    }
}
