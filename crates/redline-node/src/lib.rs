//! redline-node: the use cases of a redline node, independent of HTTP and of the command line.
//!
//! Owns the [`Node`]: adding parties and their keys, issuing and checking API tokens, submitting,
//! updating, reading and listing incidents with TLP applied. It wires the store to the pure core
//! crates; the clock and the entropy it needs come from the outside ([`Clock`]) so tests can fix
//! them.

mod clock;
mod error;
mod parties;
mod tokens;

pub mod incidents;

use std::sync::Arc;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::NodeError;
pub use incidents::IncidentFilter;
pub use parties::NewParty;
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
}

impl Node {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            verified_tokens: tokens::VerifiedTokenCache::default(),
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn now(&self) -> redline_model::Timestamp {
        self.clock.now()
    }

    /// Waits for pending writes and closes the store.
    pub async fn close(&self) {
        self.store.close().await;
    }
}

/// Fills `buffer` from the operating system's random source.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], NodeError> {
    let mut buffer = [0u8; N];
    getrandom::fill(&mut buffer)
        .map_err(|error| NodeError::Internal(format!("no randomness from the OS: {error}")))?;
    Ok(buffer)
}
