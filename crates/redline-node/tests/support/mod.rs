//! What the node's integration tests share: a node on a fresh SQLite file with a clock the
//! test moves, its parties registered with real Ed25519 keys, and the few helpers every test
//! reads with (`party`, `at`, a party's key, a payload signed by it).
//!
//! Each test file is its own crate and uses a part of this module, hence `dead_code` allowed.
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;

use base64::Engine;
use ed25519_dalek::SigningKey;
use redline_model::{PartyId, PartyKind, Timestamp};
use redline_node::{Caller, FixedClock, NewParty, Node};
use redline_store::{SqlStore, SqlStoreOptions};

/// A node with registered parties and their signing keys, on a fixed clock.
pub struct PartyNode {
    pub node: Arc<Node>,
    pub clock: Arc<FixedClock>,
    pub keys: Vec<(PartyId, SigningKey)>,
    pub directory: tempfile::TempDir,
}

pub fn party(id: &str) -> PartyId {
    PartyId::parse(id).unwrap()
}

pub fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

/// The signing key of the party at `index` in a node started with `key_seed`: the same party
/// gets the same key in every run, so signed payloads and their digests are stable.
pub fn signing_key(key_seed: u8, index: usize) -> SigningKey {
    SigningKey::from_bytes(&[key_seed + index as u8; 32])
}

impl PartyNode {
    /// A node in a fresh directory (`database` names its SQLite file), its clock at `start`,
    /// the shipped norms loaded, and `parties` registered by the operator, each with one key.
    pub async fn start(
        database: &str,
        start: &str,
        parties: &[(&str, PartyKind)],
        key_seed: u8,
    ) -> Self {
        let directory = tempfile::tempdir().unwrap();
        let store = SqlStore::open_sqlite_file(
            &directory.path().join(database),
            SqlStoreOptions::default(),
        )
        .await
        .unwrap();
        let clock = Arc::new(FixedClock::new(at(start)));
        let node = Arc::new(Node::new(Arc::new(store), clock.clone()));
        node.load_norms().await.unwrap();
        let mut keys = Vec::new();
        for (index, (id, kind)) in parties.iter().enumerate() {
            let key = signing_key(key_seed, index);
            node.add_party(
                &Caller::Operator,
                NewParty {
                    id: party(id),
                    kind: *kind,
                    name: format!("Party {id}"),
                    languages: vec![],
                    public_keys: vec![
                        base64::engine::general_purpose::STANDARD
                            .encode(key.verifying_key().as_bytes()),
                    ],
                },
            )
            .await
            .unwrap();
            keys.push((party(id), key));
        }
        Self {
            node,
            clock,
            keys,
            directory,
        }
    }

    /// States only, as most hotline tests have them.
    pub async fn of_states(database: &str, start: &str, states: &[&str], key_seed: u8) -> Self {
        let parties: Vec<(&str, PartyKind)> = states
            .iter()
            .map(|state| (*state, PartyKind::State))
            .collect();
        Self::start(database, start, &parties, key_seed).await
    }

    pub fn key_of(&self, id: &str) -> &SigningKey {
        &self
            .keys
            .iter()
            .find(|(party, _)| party.as_str() == id)
            .unwrap()
            .1
    }

    /// `payload` as JSON, signed by `signer` as a DSSE envelope of `payload_type`.
    pub fn signed(&self, payload_type: &str, signer: &str, payload: &serde_json::Value) -> Vec<u8> {
        redline_hotline::sign_record(
            payload_type,
            serde_json::to_vec(payload).unwrap(),
            self.key_of(signer),
        )
    }

    pub fn now(&self) -> Timestamp {
        self.node.now()
    }

    /// Moves the node's clock by `hours` (fractions allowed).
    pub fn wait_hours(&self, hours: f64) {
        let now = self.node.now().as_microseconds();
        let later = now + (hours * 3_600_000_000.0) as i64;
        self.clock.set(Timestamp::from_microseconds(later).unwrap());
    }
}
