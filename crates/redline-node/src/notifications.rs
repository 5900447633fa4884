//! Notifications: a party's webhooks and e-mail addresses, and the sender that tells them of the
//! party's hotline events.
//!
//! Subscribing, listing and removing are use cases like any other: a party acts on its own
//! subscriptions only (another party's id is not found), the operator names the party. A
//! webhook's URL must be `http` or `https`, carry no credentials and reach neither the node itself
//! nor, unless the operator allows private targets, a loopback, private or link-local address;
//! the rule is checked when the webhook is added and again on every delivery, on the addresses
//! the name resolves to then, and the request goes to the address checked (no redirect is
//! followed), so a name that changes its answer cannot turn the node against its own network.
//!
//! The sender ([`Node::run_notification_sender`]; over PostgreSQL only on the leading process,
//! and safe with several anyway) works in passes: it turns each subscription's new events into
//! deliveries and moves the subscription's cursor in one commit, only from the cursor it read;
//! claims due deliveries with a conditional update; sends each (a webhook: the JSON body of
//! `redline_hotline::notification`, signed with HMAC-SHA256 over timestamp and body; a mail: a
//! short plain text over SMTP with `lettre`) and records the attempt. A failure is tried again
//! after 1 s, 2 s, 4 s… up to the configured ceiling and number of attempts. Nothing is lost
//! across a restart (the cursor and the deliveries are rows) and a delivery is sent by one claim
//! at a time; a sender that dies mid-send leaves its claim to lapse, so a receiver may see a
//! delivery twice then, and drops the repeat by `X-Redline-Delivery`.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use redline_hotline::notification::{
    DEFAULT_EVENT_KINDS, DELIVERY_HEADER, NOTIFIABLE_EVENT_KINDS, NotificationFacts,
    SIGNATURE_HEADER, TIMESTAMP_HEADER, check_webhook_address, notification_mail, retry_delay,
    webhook_body, webhook_signature,
};
use redline_model::{PartyId, Timestamp, ValidationIssue};
use redline_store::{
    AttemptRecord, ClaimedDelivery, DeliveryAttempt, DeliveryClaim, DeliveryFeed, NewDelivery,
    NotificationChannel, NotificationDelivery, NotificationSubscription,
};

use crate::paging::{MAXIMUM_PAGE_SIZE, checked_page_size};
use crate::{Caller, Node, NodeError};

/// How the node sends notifications.
#[derive(Debug, Clone)]
pub struct NotificationSettings {
    /// Whether webhooks may reach loopback, private and link-local addresses (a node inside a
    /// closed network, and tests). The node's own addresses stay refused.
    pub allow_private_targets: bool,
    /// The SMTP server for e-mail; without one, e-mail subscriptions are refused.
    pub smtp: Option<SmtpSettings>,
    /// The first retry's delay; each further one doubles it.
    pub retry_base: Duration,
    /// The longest delay between two attempts.
    pub retry_ceiling: Duration,
    /// Attempts before a delivery has failed for good.
    pub maximum_attempts: u32,
    /// How long one webhook request or SMTP session may take.
    pub send_timeout: Duration,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        Self {
            allow_private_targets: false,
            smtp: None,
            retry_base: Duration::from_secs(1),
            retry_ceiling: Duration::from_secs(3600),
            maximum_attempts: 10,
            send_timeout: Duration::from_secs(10),
        }
    }
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain SMTP (a relay on the same host or network only).
    None,
    /// STARTTLS, required.
    Starttls,
    /// TLS from the first byte (SMTPS).
    Tls,
}

/// The SMTP server notifications are sent through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// The sender address, such as `redline@secretariat.example.org`.
    pub from: String,
    pub username: Option<String>,
    pub password: Option<String>,
}

/// The notification state of a node.
#[derive(Default)]
pub(crate) struct NotificationRuntime {
    settings: Mutex<NotificationSettings>,
    /// Addresses the node listens on, and host names (with ports) it is reached by.
    own_addresses: Mutex<Vec<SocketAddr>>,
    own_hosts: Mutex<Vec<(String, u16)>>,
    /// Wakes the sender (a subscription was added).
    wakeup: tokio::sync::Notify,
}

/// A subscription as its party sees it: never the secret.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SubscriptionView {
    pub id: Uuid,
    pub party: PartyId,
    /// `webhook` or `email`.
    pub channel: String,
    /// The webhook's URL or the e-mail address.
    pub target: String,
    pub events: Vec<String>,
    pub created_at: Timestamp,
}

/// A new subscription and, for a webhook, its secret: shown this once.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CreatedSubscription {
    pub subscription: SubscriptionView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// One attempt in the delivery log.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AttemptView {
    pub attempt: u32,
    pub at: Timestamp,
    /// `delivered` or `failed`.
    pub outcome: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One delivery in the log.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DeliveryView {
    pub id: i64,
    pub subscription: Uuid,
    /// The event's id on the party's stream.
    pub event: i64,
    pub kind: String,
    /// `pending`, `delivered`, `failed` or `cancelled`.
    pub status: String,
    pub attempts: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<Timestamp>,
    pub attempt_log: Vec<AttemptView>,
}

fn view_of(subscription: &NotificationSubscription) -> SubscriptionView {
    SubscriptionView {
        id: subscription.id,
        party: subscription.party.clone(),
        channel: subscription.channel.as_str().to_string(),
        target: subscription.target.clone(),
        events: subscription.event_kinds.clone(),
        created_at: subscription.created_at,
    }
}

fn delivery_view(delivery: NotificationDelivery) -> DeliveryView {
    DeliveryView {
        id: delivery.id,
        subscription: delivery.subscription_id,
        event: delivery.event_sequence,
        kind: delivery.event_kind,
        next_attempt_at: (delivery.status == "pending").then_some(delivery.next_attempt_at),
        status: delivery.status,
        attempts: delivery.attempts,
        last_error: delivery.last_error,
        created_at: delivery.created_at,
        delivered_at: delivery.delivered_at,
        attempt_log: delivery
            .attempt_log
            .into_iter()
            .map(|attempt| AttemptView {
                attempt: attempt.attempt,
                at: attempt.attempted_at,
                outcome: attempt.outcome,
                status_code: attempt.status_code,
                error: attempt.error,
            })
            .collect(),
    }
}

fn invalid(path: &str, message: impl Into<String>) -> NodeError {
    NodeError::Invalid(vec![ValidationIssue::new(path, message)])
}

/// The event kinds asked for, checked; the default set when none.
fn checked_event_kinds(events: Option<Vec<String>>) -> Result<Vec<String>, NodeError> {
    let Some(events) = events else {
        return Ok(DEFAULT_EVENT_KINDS
            .iter()
            .map(ToString::to_string)
            .collect());
    };
    if events.is_empty() {
        return Err(invalid("events", "name at least one event kind"));
    }
    let mut kinds = Vec::new();
    for (index, kind) in events.into_iter().enumerate() {
        if !NOTIFIABLE_EVENT_KINDS.contains(&kind.as_str()) {
            return Err(invalid(
                &format!("events[{index}]"),
                format!(
                    "{kind:?} is not an event kind; one of {}",
                    NOTIFIABLE_EVENT_KINDS.join(", ")
                ),
            ));
        }
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Ok(kinds)
}

/// The longest webhook URL or e-mail address kept.
const MAXIMUM_TARGET_LENGTH: usize = 2048;
/// Live subscriptions a party may have.
const MAXIMUM_SUBSCRIPTIONS_PER_PARTY: usize = 20;
/// How long a sender's claim on a delivery lasts.
const CLAIM_LEASE: Duration = Duration::from_secs(120);
/// Deliveries claimed in one pass.
const DELIVERIES_PER_PASS: u32 = 32;
/// Events read per subscription per feed step.
const EVENTS_PER_FEED: u32 = 500;
/// The sender wakes at least this often.
const SENDER_POLL_INTERVAL: Duration = Duration::from_secs(1);

impl Node {
    pub fn notification_settings(&self) -> NotificationSettings {
        match self.notifications.settings.lock() {
            Ok(settings) => settings.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn set_notification_settings(&self, settings: NotificationSettings) {
        if let Ok(mut guard) = self.notifications.settings.lock() {
            *guard = settings;
        }
    }

    /// Records an address the node listens on: no webhook may point at it.
    pub fn note_own_address(&self, address: SocketAddr) {
        if let Ok(mut addresses) = self.notifications.own_addresses.lock() {
            addresses.push(address);
        }
    }

    /// Records the URL the node is reached at (its `public_url`): no webhook may point at it.
    pub fn note_own_url(&self, url: &str) {
        if let Ok(parsed) = reqwest::Url::parse(url)
            && let (Some(host), Some(port)) = (parsed.host_str(), parsed.port_or_known_default())
            && let Ok(mut hosts) = self.notifications.own_hosts.lock()
        {
            hosts.push((host.to_ascii_lowercase(), port));
        }
    }

    /// The party a caller acts for: a party for itself only, the operator for the party named.
    async fn subscriber(
        &self,
        caller: &Caller,
        party: Option<&PartyId>,
    ) -> Result<PartyId, NodeError> {
        match (caller, party) {
            (Caller::Party(own), None) => Ok(own.clone()),
            (Caller::Party(own), Some(named)) if named == own => Ok(own.clone()),
            (Caller::Party(_), Some(_)) => Err(NodeError::Forbidden(
                "a party manages its own notifications only".into(),
            )),
            (Caller::Operator, None) => Err(invalid("party", "name the party to act for")),
            (Caller::Operator, Some(named)) => {
                if !self
                    .missing_parties(std::slice::from_ref(named))
                    .await?
                    .is_empty()
                {
                    return Err(NodeError::NotFound(format!("party {named}")));
                }
                Ok(named.clone())
            }
        }
    }

    async fn store_subscription(
        &self,
        party: PartyId,
        channel: NotificationChannel,
        target: String,
        events: Vec<String>,
        secret: Option<String>,
    ) -> Result<CreatedSubscription, NodeError> {
        let live = self
            .store
            .list_notification_subscriptions(Some(&party))
            .await?;
        if live.len() >= MAXIMUM_SUBSCRIPTIONS_PER_PARTY {
            return Err(NodeError::Conflict(format!(
                "{party} has {MAXIMUM_SUBSCRIPTIONS_PER_PARTY} subscriptions, the most a party may have; remove one first"
            )));
        }
        let subscription = NotificationSubscription {
            id: Uuid::from_bytes(crate::random_bytes::<16>()?),
            party,
            channel,
            target,
            event_kinds: events,
            secret: secret.clone(),
            created_at: self.now(),
            // The store starts the cursor at the party's latest event: only new events notify.
            after_event: 0,
            removed_at: None,
        };
        self.store
            .insert_notification_subscription(&subscription)
            .await?;
        self.notifications.wakeup.notify_one();
        Ok(CreatedSubscription {
            subscription: view_of(&subscription),
            secret,
        })
    }

    /// Adds a webhook for `party` (a party: itself). Answers the secret it signs with, once.
    pub async fn add_webhook(
        &self,
        caller: &Caller,
        party: Option<&PartyId>,
        url: &str,
        events: Option<Vec<String>>,
    ) -> Result<CreatedSubscription, NodeError> {
        let party = self.subscriber(caller, party).await?;
        let events = checked_event_kinds(events)?;
        let url = self.checked_webhook_url(url).await?;
        let secret = hex::encode(crate::random_bytes::<32>()?);
        self.store_subscription(
            party,
            NotificationChannel::Webhook,
            url.to_string(),
            events,
            Some(secret),
        )
        .await
    }

    /// Adds an e-mail address for `party` (a party: itself).
    pub async fn add_email(
        &self,
        caller: &Caller,
        party: Option<&PartyId>,
        address: &str,
        events: Option<Vec<String>>,
    ) -> Result<CreatedSubscription, NodeError> {
        let party = self.subscriber(caller, party).await?;
        let events = checked_event_kinds(events)?;
        if address.len() > MAXIMUM_TARGET_LENGTH {
            return Err(invalid("address", "longer than 2048 bytes"));
        }
        let parsed: lettre::Address = address
            .parse()
            .map_err(|error| invalid("address", format!("not an e-mail address: {error}")))?;
        if self.notification_settings().smtp.is_none() {
            return Err(NodeError::Conflict(
                "this node sends no e-mail: no SMTP server is configured (`smtp_host`)".into(),
            ));
        }
        self.store_subscription(
            party,
            NotificationChannel::Email,
            parsed.to_string(),
            events,
            None,
        )
        .await
    }

    /// The live subscriptions of `party` (a party: its own), of one channel or all.
    pub async fn list_subscriptions(
        &self,
        caller: &Caller,
        party: Option<&PartyId>,
        channel: Option<NotificationChannel>,
    ) -> Result<Vec<SubscriptionView>, NodeError> {
        let party = match (caller, party) {
            (Caller::Operator, None) => None,
            _ => Some(self.subscriber(caller, party).await?),
        };
        let subscriptions = self
            .store
            .list_notification_subscriptions(party.as_ref())
            .await?;
        Ok(subscriptions
            .iter()
            .filter(|subscription| channel.is_none_or(|wanted| subscription.channel == wanted))
            .map(view_of)
            .collect())
    }

    /// Removes a subscription; its pending deliveries are cancelled, its log stays. Another
    /// party's subscription (or one of another channel) is not found.
    pub async fn remove_subscription(
        &self,
        caller: &Caller,
        id: Uuid,
        channel: Option<NotificationChannel>,
    ) -> Result<(), NodeError> {
        let not_found = || NodeError::NotFound(format!("subscription {id}"));
        let subscription = self
            .store
            .get_notification_subscription(id)
            .await?
            .filter(|subscription| subscription.removed_at.is_none())
            .filter(|subscription| channel.is_none_or(|wanted| subscription.channel == wanted))
            .ok_or_else(not_found)?;
        if let Caller::Party(party) = caller
            && &subscription.party != party
        {
            return Err(not_found());
        }
        self.store
            .remove_notification_subscription(id, self.now())
            .await?;
        Ok(())
    }

    /// The newest deliveries of `party` (a party: its own; the operator: all, or one party's),
    /// each with every attempt.
    pub async fn list_deliveries(
        &self,
        caller: &Caller,
        party: Option<&PartyId>,
        limit: u32,
    ) -> Result<Vec<DeliveryView>, NodeError> {
        let limit = checked_page_size(limit, MAXIMUM_PAGE_SIZE)?;
        let party = match (caller, party) {
            (Caller::Operator, None) => None,
            _ => Some(self.subscriber(caller, party).await?),
        };
        let deliveries = self
            .store
            .list_notification_deliveries(party.as_ref(), limit)
            .await?;
        Ok(deliveries.into_iter().map(delivery_view).collect())
    }

    /// Whether `address:port` is one the node listens on.
    fn is_own_address(&self, address: IpAddr, port: u16) -> bool {
        let Ok(own) = self.notifications.own_addresses.lock() else {
            return true;
        };
        own.iter().any(|listening| {
            listening.port() == port
                && (listening.ip() == address
                    || listening.ip().is_unspecified()
                    || address.is_loopback()
                    || address.is_unspecified())
        })
    }

    fn is_own_host(&self, host: &str, port: u16) -> bool {
        let host = host.to_ascii_lowercase();
        self.notifications
            .own_hosts
            .lock()
            .map(|hosts| hosts.iter().any(|own| own.0 == host && own.1 == port))
            .unwrap_or(true)
    }

    /// The URL parsed and checked: `http`/`https`, no credentials, a host that is not the node.
    async fn checked_webhook_url(&self, url: &str) -> Result<reqwest::Url, NodeError> {
        if url.len() > MAXIMUM_TARGET_LENGTH {
            return Err(invalid("url", "longer than 2048 bytes"));
        }
        let parsed = reqwest::Url::parse(url)
            .map_err(|error| invalid("url", format!("not a URL: {error}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(invalid(
                "url",
                format!(
                    "the scheme must be http or https, not {:?}",
                    parsed.scheme()
                ),
            ));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(invalid(
                "url",
                "a webhook URL carries no user name or password",
            ));
        }
        self.resolve_webhook(&parsed)
            .await
            .map_err(|message| invalid("url", message))?;
        Ok(parsed)
    }

    /// Resolves a webhook's host and checks every address it gives against the SSRF rule:
    /// the address to send to, or why not.
    async fn resolve_webhook(&self, url: &reqwest::Url) -> Result<SocketAddr, String> {
        let host = url
            .host_str()
            .ok_or_else(|| "the URL names no host".to_string())?;
        let port = url
            .port_or_known_default()
            .ok_or_else(|| "the URL names no port".to_string())?;
        if self.is_own_host(host, port) {
            return Err(format!("{host}:{port} is this node itself"));
        }
        let bare_host = host.trim_start_matches('[').trim_end_matches(']');
        let addresses: Vec<SocketAddr> = match bare_host.parse::<IpAddr>() {
            Ok(address) => vec![SocketAddr::new(address, port)],
            Err(_) => tokio::net::lookup_host((bare_host, port))
                .await
                .map_err(|error| format!("{host} does not resolve: {error}"))?
                .collect(),
        };
        let allow_private = self.notification_settings().allow_private_targets;
        let mut first = None;
        for address in addresses {
            if self.is_own_address(address.ip(), port) {
                return Err(format!("{host}:{port} is this node itself"));
            }
            check_webhook_address(address.ip(), allow_private)
                .map_err(|refusal| format!("{host} resolves to {refusal}"))?;
            first.get_or_insert(address);
        }
        first.ok_or_else(|| format!("{host} resolves to no address"))
    }
}

/// The outcome of one send.
struct SendOutcome {
    status_code: Option<u16>,
    error: Option<String>,
}

impl Node {
    /// Sends notifications until `shutdown` completes: passes of feed, claim and send, at least
    /// every second and at once when new events are announced.
    pub async fn run_notification_sender(self: Arc<Self>, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut notices = self.subscribe_to_events();
        loop {
            if let Err(error) = self.send_due_notifications().await {
                tracing::warn!(%error, "a notification pass failed; trying again shortly");
            }
            let sleep_for = match self.store.next_notification_due().await {
                Ok(Some(at)) => {
                    let remaining = at.as_jiff().duration_since(self.now().as_jiff());
                    Duration::try_from(remaining)
                        .unwrap_or(Duration::ZERO)
                        .min(SENDER_POLL_INTERVAL)
                }
                _ => SENDER_POLL_INTERVAL,
            };
            tokio::select! {
                () = tokio::time::sleep(sleep_for) => {}
                _ = notices.recv() => {}
                () = self.notifications.wakeup.notified() => {}
                () = &mut shutdown => return,
            }
        }
    }

    /// One pass: new events become deliveries, then every due delivery is tried once. Answers
    /// how many were tried.
    pub async fn send_due_notifications(&self) -> Result<usize, NodeError> {
        self.feed_deliveries().await?;
        let now = self.now();
        let until = Timestamp::from_jiff(
            now.as_jiff()
                .checked_add(CLAIM_LEASE)
                .map_err(|error| NodeError::Internal(error.to_string()))?,
        );
        let claim = DeliveryClaim {
            claimed_by: Uuid::from_bytes(crate::random_bytes::<16>()?).to_string(),
            now,
            until,
            limit: DELIVERIES_PER_PASS,
        };
        let claimed = self.store.claim_notification_deliveries(&claim).await?;
        let tried = claimed.len();
        let sends = claimed
            .into_iter()
            .map(|delivery| self.send_claimed(delivery, &claim.claimed_by));
        for outcome in futures::future::join_all(sends).await {
            if let Err(error) = outcome {
                tracing::warn!(%error, "recording a notification attempt failed");
            }
        }
        Ok(tried)
    }

    /// Turns the new events of every live subscription into deliveries.
    async fn feed_deliveries(&self) -> Result<(), NodeError> {
        for subscription in self.store.list_notification_subscriptions(None).await? {
            let mut after = subscription.after_event;
            loop {
                let events = self
                    .store
                    .list_hotline_events(&subscription.party, after, EVENTS_PER_FEED)
                    .await?;
                let Some(last) = events.last().map(|event| event.sequence) else {
                    break;
                };
                let deliveries = events
                    .iter()
                    .filter(|event| subscription.event_kinds.contains(&event.kind))
                    .map(|event| NewDelivery {
                        event_sequence: event.sequence,
                        event_kind: event.kind.clone(),
                    })
                    .collect();
                self.store
                    .feed_notification_deliveries(&DeliveryFeed {
                        subscription_id: subscription.id,
                        party: subscription.party.clone(),
                        expected_after: after,
                        new_after: last,
                        deliveries,
                        at: self.now(),
                    })
                    .await?;
                after = last;
                if events.len() < EVENTS_PER_FEED as usize {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Sends one claimed delivery and records the attempt.
    async fn send_claimed(
        &self,
        claimed: ClaimedDelivery,
        claimed_by: &str,
    ) -> Result<(), NodeError> {
        let ClaimedDelivery {
            delivery,
            subscription,
        } = claimed;
        let settings = self.notification_settings();
        let outcome = match self.facts_of(&delivery).await {
            Ok(facts) => match subscription.channel {
                NotificationChannel::Webhook => {
                    self.send_webhook(&subscription, &delivery, &facts, &settings)
                        .await
                }
                NotificationChannel::Email => {
                    send_mail(&subscription.target, &facts, &settings).await
                }
            },
            Err(error) => SendOutcome {
                status_code: None,
                error: Some(error.to_string()),
            },
        };
        let attempt_number = delivery.attempts.saturating_add(1);
        let now = self.now();
        let (status, next_attempt_at) = if outcome.error.is_none() {
            ("delivered", now)
        } else {
            match retry_delay(
                attempt_number,
                settings.maximum_attempts,
                settings.retry_base,
                settings.retry_ceiling,
            ) {
                Some(delay) => (
                    "pending",
                    now.as_jiff()
                        .checked_add(delay)
                        .map(Timestamp::from_jiff)
                        .unwrap_or(now),
                ),
                None => ("failed", now),
            }
        };
        if let Some(error) = &outcome.error {
            tracing::info!(
                delivery = delivery.id,
                attempt = attempt_number,
                status,
                %error,
                "a notification was not delivered"
            );
        }
        self.store
            .record_notification_attempt(&AttemptRecord {
                delivery_id: delivery.id,
                claimed_by: claimed_by.to_string(),
                attempt: DeliveryAttempt {
                    attempt: attempt_number,
                    attempted_at: now,
                    outcome: if outcome.error.is_none() {
                        "delivered".into()
                    } else {
                        "failed".into()
                    },
                    status_code: outcome.status_code,
                    error: outcome.error,
                },
                status: status.to_string(),
                next_attempt_at,
            })
            .await?;
        Ok(())
    }

    /// The facts of the event a delivery is about.
    async fn facts_of(
        &self,
        delivery: &NotificationDelivery,
    ) -> Result<NotificationFacts, NodeError> {
        let event = self
            .store
            .list_hotline_events(&delivery.party, delivery.event_sequence - 1, 1)
            .await?
            .into_iter()
            .find(|event| event.sequence == delivery.event_sequence)
            .ok_or_else(|| NodeError::NotFound(format!("event {}", delivery.event_sequence)))?;
        let detail: serde_json::Value =
            serde_json::from_str(&event.detail).unwrap_or(serde_json::Value::Null);
        Ok(NotificationFacts::from_event_detail(
            event.sequence,
            event.party,
            &event.kind,
            event.thread_id,
            event.message_id,
            event.created_at,
            &detail,
        ))
    }

    async fn send_webhook(
        &self,
        subscription: &NotificationSubscription,
        delivery: &NotificationDelivery,
        facts: &NotificationFacts,
        settings: &NotificationSettings,
    ) -> SendOutcome {
        let failed = |error: String| SendOutcome {
            status_code: None,
            error: Some(error),
        };
        let Ok(url) = reqwest::Url::parse(&subscription.target) else {
            return failed("the stored URL does not parse".into());
        };
        // Checked again now, on the addresses the name gives now; the request goes there.
        let address = match self.resolve_webhook(&url).await {
            Ok(address) => address,
            Err(refusal) => return failed(format!("refused: {refusal}")),
        };
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(settings.send_timeout)
            .user_agent(concat!("redline/", env!("CARGO_PKG_VERSION")));
        if let Some(host) = url.host_str()
            && host.parse::<IpAddr>().is_err()
            && !host.starts_with('[')
        {
            builder = builder.resolve(host, address);
        }
        let client = match builder.build() {
            Ok(client) => client,
            Err(error) => return failed(format!("no HTTP client: {error}")),
        };
        let body = webhook_body(facts);
        let timestamp = self.now().as_jiff().as_second();
        let secret = subscription.secret.clone().unwrap_or_default();
        let signature = webhook_signature(secret.as_bytes(), timestamp, &body);
        let sent = client
            .post(url)
            .header("content-type", "application/json")
            .header(SIGNATURE_HEADER, signature)
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(DELIVERY_HEADER, delivery.id.to_string())
            .header("X-Redline-Event", facts.kind.as_str())
            .body(body)
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => SendOutcome {
                status_code: Some(response.status().as_u16()),
                error: None,
            },
            Ok(response) => SendOutcome {
                status_code: Some(response.status().as_u16()),
                error: Some(format!("the receiver answered {}", response.status())),
            },
            Err(error) => failed(format!("sending failed: {error}")),
        }
    }
}

/// Sends the mail of `facts` to `to` through the configured SMTP server.
async fn send_mail(
    to: &str,
    facts: &NotificationFacts,
    settings: &NotificationSettings,
) -> SendOutcome {
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    let failed = |error: String| SendOutcome {
        status_code: None,
        error: Some(error),
    };
    let Some(smtp) = &settings.smtp else {
        return failed("no SMTP server is configured".into());
    };
    let mail = notification_mail(facts);
    let (Ok(from), Ok(to)) = (
        smtp.from.parse::<lettre::message::Mailbox>(),
        to.parse::<lettre::message::Mailbox>(),
    ) else {
        return failed("the sender or recipient address does not parse".into());
    };
    let message = match Message::builder()
        .from(from)
        .to(to)
        .subject(mail.subject)
        .header(lettre::message::header::ContentType::TEXT_PLAIN)
        .body(mail.text)
    {
        Ok(message) => message,
        Err(error) => return failed(format!("the mail could not be built: {error}")),
    };
    let builder = match smtp.security {
        SmtpSecurity::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
            smtp.host.as_str(),
        )),
        SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host),
        SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host),
    };
    let mut builder = match builder {
        Ok(builder) => builder.port(smtp.port).timeout(Some(settings.send_timeout)),
        Err(error) => {
            return failed(format!(
                "the SMTP server's TLS could not be set up: {error}"
            ));
        }
    };
    if let (Some(username), Some(password)) = (&smtp.username, &smtp.password) {
        builder = builder.credentials(lettre::transport::smtp::authentication::Credentials::new(
            username.clone(),
            password.clone(),
        ));
    }
    match builder.build().send(message).await {
        Ok(response) => SendOutcome {
            status_code: Some(response.code().into()),
            error: None,
        },
        Err(error) => failed(format!("SMTP: {error}")),
    }
}
