//! [`NotificationStore`] for [`SqlStore`]: reads from the pool, writes through the writer.

use async_trait::async_trait;
use uuid::Uuid;

use redline_model::{PartyId, Timestamp};

use super::SqlStore;
use crate::StoreError;
use crate::notifications::{
    self, AttemptRecord, ClaimedDelivery, DeliveryClaim, DeliveryFeed, NotificationDelivery,
    NotificationStore, NotificationSubscription,
};
use crate::writes::{NotificationWrite, WriteCommand};

#[async_trait]
impl NotificationStore for SqlStore {
    async fn insert_notification_subscription(
        &self,
        subscription: &NotificationSubscription,
    ) -> Result<(), StoreError> {
        self.write_command(WriteCommand::Notification(NotificationWrite::Subscribe(
            subscription.clone(),
        )))
        .await
    }

    async fn remove_notification_subscription(
        &self,
        id: Uuid,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.write_command(WriteCommand::Notification(NotificationWrite::Remove {
            id,
            at,
        }))
        .await
    }

    async fn get_notification_subscription(
        &self,
        id: Uuid,
    ) -> Result<Option<NotificationSubscription>, StoreError> {
        notifications::get_subscription(&self.pool, id).await
    }

    async fn list_notification_subscriptions(
        &self,
        party: Option<&PartyId>,
    ) -> Result<Vec<NotificationSubscription>, StoreError> {
        notifications::list_subscriptions(&self.pool, party).await
    }

    async fn feed_notification_deliveries(&self, feed: &DeliveryFeed) -> Result<(), StoreError> {
        self.write_command(WriteCommand::Notification(NotificationWrite::Feed(
            feed.clone(),
        )))
        .await
    }

    async fn claim_notification_deliveries(
        &self,
        claim: &DeliveryClaim,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        self.write_command(WriteCommand::Notification(NotificationWrite::Claim(
            claim.clone(),
        )))
        .await?;
        notifications::claimed(&self.pool, &claim.claimed_by).await
    }

    async fn record_notification_attempt(&self, record: &AttemptRecord) -> Result<(), StoreError> {
        self.write_command(WriteCommand::Notification(NotificationWrite::Attempt(
            record.clone(),
        )))
        .await
    }

    async fn list_notification_deliveries(
        &self,
        party: Option<&PartyId>,
        limit: u32,
    ) -> Result<Vec<NotificationDelivery>, StoreError> {
        notifications::list_deliveries(&self.pool, party, limit).await
    }

    async fn next_notification_due(&self) -> Result<Option<Timestamp>, StoreError> {
        notifications::next_due(&self.pool).await
    }
}
