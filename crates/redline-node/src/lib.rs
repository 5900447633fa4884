//! redline-node: the use cases of a redline node, independent of HTTP and of the command line.
//!
//! Owns the [`Node`]: adding parties and their keys, issuing and checking API tokens, submitting,
//! updating, reading and listing incidents with TLP applied. It wires the store to the pure core
//! crates; the clock and the entropy it needs come from the outside ([`Clock`]) so tests can fix
//! them.

pub mod attribution;
mod clock;
// Several processes over one PostgreSQL database.
mod cluster;
mod deadlines;
mod error;
// Federation between nodes: peers, party homes, relays, sync, cross-witnessing.
pub mod federation;
pub mod hotline;
mod norms;
// Webhooks and e-mail for a party's hotline events.
pub mod notifications;
pub mod paging;
mod parties;
pub mod sessions;
mod signed_records;
mod tokens;
// Transparency log.
pub mod log;
pub mod log_witness;

pub mod incidents;
// Tabletop exercises.
pub mod exercise;
// STIX and TAXII.
pub mod sharing;
// The public dashboard and the duty officer's console.
pub mod dashboard;
// Commitments: signed adoptions, implementation reports, peer review.
pub mod commitments;
// Coordinated vulnerability disclosure.
pub mod disclosure;
/// Supply-chain notices (GGE 13(i)) and their acknowledgements.
pub mod supply_chain;
// What an incident may name of the disclosure cases, and who sees the links.
pub mod vulnerability_links;

use std::sync::Arc;

pub use clock::{Clock, FixedClock, SystemClock, TokioClock};
pub use error::{NodeError, UnhealthyDatabase};
pub use hotline::{
    AcceptedMessage, Awaiting, CheckResults, CheckStatus, CheckTargetStatus, EventView,
    HotlineNotice, HotlineSettings, MessageView, RequestRecipientView, RequestView, ThreadSummary,
    ThreadView,
};
pub use incidents::IncidentFilter;
pub use norms::NormsDocumentSummary;
pub use notifications::{
    AttemptView, CreatedSubscription, DeliveryView, NotificationSettings, SmtpSecurity,
    SmtpSettings, SubscriptionView,
};
pub use parties::NewParty;
pub use redline_store::NotificationChannel;
pub use tokens::IssuedToken;

use redline_model::PartyId;
use redline_store::Store;

/// Who is asking. The operator of the node (the local command line on the node's own data)
/// may do everything; a party acts through its API token and sees what TLP lets it see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Operator,
    Party(PartyId),
}

impl Caller {
    /// The caller as a reader under the TLP rule (`redline_model::readership`).
    pub fn reader(&self) -> redline_model::Reader<'_> {
        match self {
            Caller::Operator => redline_model::Reader::Operator,
            Caller::Party(party) => redline_model::Reader::Party(party),
        }
    }

    pub fn party(&self) -> Option<&PartyId> {
        match self {
            Caller::Operator => None,
            Caller::Party(party) => Some(party),
        }
    }
}

/// A running node: the store plus the rules that guard it.
pub struct Node {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    verified_tokens: tokens::VerifiedTokenCache,
    /// Parties known to exist. Parties are never deleted, so a positive answer stays true.
    known_parties: std::sync::Mutex<std::collections::HashSet<PartyId>>,
    norms: tokio::sync::RwLock<norms::NormsState>,
    hotline: hotline::HotlineRuntime,
    // STIX and TAXII.
    sharing: sharing::SharingState,
    // Transparency log: attached once at start (`Node::attach_log`).
    log: std::sync::OnceLock<Arc<log::NodeLog>>,
    witness: std::sync::OnceLock<Arc<log_witness::Witness>>,
    // The dashboard's aggregates, until the store changes.
    dashboard_cache: dashboard::DashboardCache,
    // Several processes over one database: leadership, notices, the outbox's progress.
    cluster: cluster::ClusterRuntime,
    // Webhooks and e-mail: settings, the node's own addresses, the sender's wake-up.
    notifications: notifications::NotificationRuntime,
    // Federation: the peers, where remote parties are homed, the relay's wake-up.
    federation: federation::FederationRuntime,
    // Commitments: who the node's secretariat is.
    commitment_settings: std::sync::Mutex<commitments::CommitmentSettings>,
}

impl Node {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            verified_tokens: tokens::VerifiedTokenCache::default(),
            known_parties: std::sync::Mutex::default(),
            norms: tokio::sync::RwLock::default(),
            hotline: hotline::HotlineRuntime::default(),
            sharing: sharing::SharingState::default(),
            log: std::sync::OnceLock::new(),
            witness: std::sync::OnceLock::new(),
            dashboard_cache: dashboard::DashboardCache::default(),
            cluster: cluster::ClusterRuntime::default(),
            notifications: notifications::NotificationRuntime::default(),
            federation: federation::FederationRuntime::default(),
            commitment_settings: std::sync::Mutex::default(),
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Which database is behind the node (`sqlite` or `postgres`), for logs and health answers.
    pub fn database_backend(&self) -> &'static str {
        self.store.backend().as_str()
    }

    /// Whether the database answers and, on SQLite, passes `PRAGMA quick_check`: the node's
    /// readiness.
    pub async fn check_database(&self) -> Result<(), UnhealthyDatabase> {
        Ok(self.store.check_health().await?)
    }

    pub fn now(&self) -> redline_model::Timestamp {
        self.clock.now()
    }

    /// Waits for pending writes and closes the store.
    pub async fn close(&self) {
        self.close_streams();
        // Transparency log: write what is queued, stop the writer.
        if let Some(log) = self.log.get() {
            log.close();
        }
        self.store.close().await;
    }
}

impl Node {
    /// Which of `ids` are not parties of this node; remembers the ones that are.
    pub(crate) async fn missing_parties(&self, ids: &[PartyId]) -> Result<Vec<PartyId>, NodeError> {
        let unknown: Vec<PartyId> = match self.known_parties.lock() {
            Ok(known) => ids
                .iter()
                .filter(|id| !known.contains(*id))
                .cloned()
                .collect(),
            Err(_) => ids.to_vec(),
        };
        if unknown.is_empty() {
            return Ok(Vec::new());
        }
        let missing = self.store.missing_parties(&unknown).await?;
        if let Ok(mut known) = self.known_parties.lock() {
            known.extend(unknown.into_iter().filter(|id| !missing.contains(id)));
        }
        Ok(missing)
    }
}

/// Fills `buffer` from the operating system's random source.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], NodeError> {
    let mut buffer = [0u8; N];
    getrandom::fill(&mut buffer)
        .map_err(|error| NodeError::Internal(format!("no randomness from the OS: {error}")))?;
    Ok(buffer)
}
