//! Federation between nodes: what one node signs for another, and the rules a receiving node
//! applies before it believes it.
//!
//! Every party has one **home node**. A node *vouches* for the parties homed on it with a
//! [`PartyStatement`] (the party and every key it ever had, revocations included), signed with
//! the node's key as a DSSE envelope of [`PARTY_STATEMENT_PAYLOAD_TYPE`]; a peer that holds the
//! node's key imports the party as homed there. A hotline message between parties homed on
//! different nodes is accepted by the sender's home node and then **relayed**: the home node
//! wraps the party's own envelope, byte for byte, in a [`RelayItem`] signed with its node key
//! ([`RELAY_PAYLOAD_TYPE`]). The receiving node checks the relay's signature *and* the party's
//! own signature, so a relay can delay a message but never alter or forge one. The relay also
//! carries the thread's times as the sender's home node set them (acceptance time and
//! deadlines), so both nodes keep the same deadlines; a [`RelayedDelivery`] carries the fact
//! that a recipient's home node delivered the message to it (the recipient's node is
//! authoritative for its own parties' delivery and acknowledgements).
//!
//! The node key is the Ed25519 key of the node's transparency log: a peer is configured with
//! the log's verifier key (C2SP `vkey`), which names the log's origin — the node's name in
//! federation — and carries the public key these envelopes are checked with.

use std::collections::BTreeSet;

use ed25519_dalek::{SigningKey, VerifyingKey};
use redline_model::{Party, PartyId, Timestamp};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::envelope::{Envelope, EnvelopeError, key_id_for, verifying_key_of};

/// The DSSE payload type of a node's statement that it is the home of a party.
pub const PARTY_STATEMENT_PAYLOAD_TYPE: &str = "application/vnd.redline.party-statement+json";

/// The DSSE payload type of an item one node relays to another.
pub const RELAY_PAYLOAD_TYPE: &str = "application/vnd.redline.relay+json";

/// A node's signed statement: `party` is homed here, with these keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyStatement {
    /// The home node's name: its log origin.
    pub node: String,
    /// The party, with every key it has had (revoked keys keep their revocation).
    pub party: Party,
    pub issued_at: Timestamp,
}

/// What one node relays to another, signed with the sending node's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "item", rename_all = "kebab-case", deny_unknown_fields)]
pub enum RelayItem {
    Message(RelayedMessage),
    Delivery(RelayedDelivery),
}

impl RelayItem {
    /// The node that sent the item.
    pub fn from_node(&self) -> &str {
        match self {
            RelayItem::Message(message) => &message.from_node,
            RelayItem::Delivery(delivery) => &delivery.from_node,
        }
    }

    /// The node the item is for.
    pub fn to_node(&self) -> &str {
        match self {
            RelayItem::Message(message) => &message.to_node,
            RelayItem::Delivery(delivery) => &delivery.to_node,
        }
    }

    /// What the item is idempotent by, on one link: `message:<id>` or
    /// `delivery:<message id>:<party>`.
    pub fn subject(&self) -> String {
        match self {
            RelayItem::Message(message) => format!("message:{}", message.message_id),
            RelayItem::Delivery(delivery) => {
                format!("delivery:{}:{}", delivery.message_id, delivery.party)
            }
        }
    }
}

/// A hotline message accepted by its sender's home node, for another node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelayedMessage {
    pub from_node: String,
    pub to_node: String,
    pub message_id: Uuid,
    pub thread_id: Uuid,
    /// The party's own DSSE envelope, exactly as it signed it.
    pub envelope: String,
    /// When the sender's home node accepted it: the time the thread rules use on every node.
    pub accepted_at: Timestamp,
    /// The thread as the sender's home node keeps it after this message.
    pub thread: RelayedThreadTimes,
}

/// The thread's times and duties as the node that opened it set them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelayedThreadTimes {
    /// The message that opened the thread: a node that does not have it waits for it.
    pub opening_message_id: Uuid,
    pub opened_at: Timestamp,
    pub severity_level: u8,
    pub norms_sha256: String,
    pub acknowledge_by: Option<Timestamp>,
    pub respond_by: Option<Timestamp>,
}

/// A recipient's home node delivered a relayed message to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelayedDelivery {
    pub from_node: String,
    pub to_node: String,
    pub thread_id: Uuid,
    pub message_id: Uuid,
    pub party: PartyId,
    pub delivered_at: Timestamp,
}

/// Why a federation envelope was refused. Each names what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FederationError {
    #[error("the envelope is not valid: {0}")]
    Envelope(#[from] EnvelopeError),
    #[error("the envelope's payloadType is `{found}`: expected `{expected}`")]
    WrongPayloadType { expected: String, found: String },
    #[error("no signature is valid under the key of node `{node}`")]
    NotSignedByNode { node: String },
    #[error("payload{path}: {message}")]
    Payload { path: String, message: String },
    #[error("the statement is by node `{found}`, but it came from node `{expected}`")]
    WrongNode { expected: String, found: String },
    #[error("the item is for node `{found}`, not this node (`{expected}`)")]
    NotForThisNode { expected: String, found: String },
    #[error("party.keys[{index}]: {message}")]
    BadKey { index: usize, message: String },
    #[error("party: {0}")]
    InvalidParty(String),
}

/// Signs a statement with the node's key; the envelope bytes to serve.
pub fn sign_party_statement(statement: &PartyStatement, node_key: &SigningKey) -> Vec<u8> {
    sign_node_envelope(PARTY_STATEMENT_PAYLOAD_TYPE, statement, node_key)
}

/// Signs a relay item with the node's key; the envelope bytes to send.
pub fn sign_relay_item(item: &RelayItem, node_key: &SigningKey) -> Vec<u8> {
    sign_node_envelope(RELAY_PAYLOAD_TYPE, item, node_key)
}

fn sign_node_envelope<T: Serialize>(
    payload_type: &str,
    payload: &T,
    node_key: &SigningKey,
) -> Vec<u8> {
    // Serialising these plain structures cannot fail.
    let bytes = serde_json::to_vec(payload).unwrap_or_default();
    Envelope::sign(payload_type, bytes, node_key).to_json_bytes()
}

/// Opens a party statement from `node` (whose key is `node_key`): the envelope, its type, the
/// node's signature, the payload's shape, that it is `node`'s own statement, that the party
/// meets the model's rules and every key's id is the id of its public key.
pub fn open_party_statement(
    bytes: &[u8],
    node: &str,
    node_key: &VerifyingKey,
) -> Result<PartyStatement, FederationError> {
    let payload = open_node_envelope(bytes, PARTY_STATEMENT_PAYLOAD_TYPE, node, node_key)?;
    let statement: PartyStatement = parse_payload(&payload)?;
    if statement.node != node {
        return Err(FederationError::WrongNode {
            expected: node.to_string(),
            found: statement.node,
        });
    }
    let issues = statement.party.validate();
    if let Some(issue) = issues.first() {
        return Err(FederationError::InvalidParty(format!(
            "{}: {}",
            issue.path, issue.message
        )));
    }
    for (index, key) in statement.party.keys.iter().enumerate() {
        let verifying_key =
            verifying_key_of(key).map_err(|message| FederationError::BadKey { index, message })?;
        if key_id_for(&verifying_key) != key.key_id {
            return Err(FederationError::BadKey {
                index,
                message: format!(
                    "key_id `{}` is not the id of its public key (`{}`)",
                    key.key_id,
                    key_id_for(&verifying_key)
                ),
            });
        }
    }
    Ok(statement)
}

/// Opens a relay item sent by `from_node` (whose key is `node_key`) to `this_node`.
pub fn open_relay_item(
    bytes: &[u8],
    from_node: &str,
    node_key: &VerifyingKey,
    this_node: &str,
) -> Result<RelayItem, FederationError> {
    let payload = open_node_envelope(bytes, RELAY_PAYLOAD_TYPE, from_node, node_key)?;
    let item: RelayItem = parse_payload(&payload)?;
    if item.from_node() != from_node {
        return Err(FederationError::WrongNode {
            expected: from_node.to_string(),
            found: item.from_node().to_string(),
        });
    }
    if item.to_node() != this_node {
        return Err(FederationError::NotForThisNode {
            expected: this_node.to_string(),
            found: item.to_node().to_string(),
        });
    }
    Ok(item)
}

/// The node a relay envelope says it comes from, read before its signature is checked (to
/// find the key to check it with). Never trust it further than that.
pub fn claimed_relay_sender(bytes: &[u8]) -> Result<String, FederationError> {
    let envelope = Envelope::parse(bytes)?;
    let item: RelayItem = parse_payload(&envelope.payload)?;
    Ok(item.from_node().to_string())
}

fn open_node_envelope(
    bytes: &[u8],
    expected_payload_type: &str,
    node: &str,
    node_key: &VerifyingKey,
) -> Result<Vec<u8>, FederationError> {
    let envelope = Envelope::parse(bytes)?;
    if envelope.payload_type != expected_payload_type {
        return Err(FederationError::WrongPayloadType {
            expected: expected_payload_type.to_string(),
            found: envelope.payload_type,
        });
    }
    let signed =
        (0..envelope.signatures.len()).any(|index| envelope.signature_is_valid(index, node_key));
    if !signed {
        return Err(FederationError::NotSignedByNode {
            node: node.to_string(),
        });
    }
    Ok(envelope.payload)
}

fn parse_payload<T: for<'de> Deserialize<'de>>(payload: &[u8]) -> Result<T, FederationError> {
    let mut deserializer = serde_json::Deserializer::from_slice(payload);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        FederationError::Payload {
            path: if path == "." {
                String::new()
            } else {
                format!(".{path}")
            },
            message: error.into_inner().to_string(),
        }
    })
}

/// Where a message accepted on `this_node` must be relayed: the home nodes of its recipients
/// and of the thread's other participants, other than this node — and nowhere when the
/// sender is not homed here (only the sender's home node relays a message). `home_of` answers
/// a party's home node (`None` for a party homed here).
pub fn relay_targets<'a>(
    sender_home: Option<&str>,
    parties: impl IntoIterator<Item = &'a PartyId>,
    home_of: impl Fn(&PartyId) -> Option<String>,
) -> BTreeSet<String> {
    if sender_home.is_some() {
        return BTreeSet::new();
    }
    parties.into_iter().filter_map(home_of).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::party_key_for;
    use redline_model::PartyKind;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).expect("timestamp")
    }

    fn node_key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn statement() -> PartyStatement {
        let party_key = SigningKey::from_bytes(&[9; 32]);
        PartyStatement {
            node: "north.example/log".into(),
            party: Party {
                id: PartyId::parse("EE").expect("id"),
                kind: PartyKind::State,
                name: "Estonia".into(),
                languages: vec!["en".into()],
                keys: vec![party_key_for(
                    &party_key.verifying_key(),
                    at("2026-01-01T00:00:00Z"),
                )],
                created_at: at("2026-01-01T00:00:00Z"),
            },
            issued_at: at("2026-02-01T00:00:00Z"),
        }
    }

    #[test]
    fn a_statement_opens_only_under_its_nodes_key_and_name() {
        let key = node_key(1);
        let bytes = sign_party_statement(&statement(), &key);
        let opened =
            open_party_statement(&bytes, "north.example/log", &key.verifying_key()).expect("opens");
        assert_eq!(opened, statement());
        let other = node_key(2);
        assert!(matches!(
            open_party_statement(&bytes, "north.example/log", &other.verifying_key()),
            Err(FederationError::NotSignedByNode { .. })
        ));
        // A peer's key vouching for a party "of" another node is refused.
        assert!(matches!(
            open_party_statement(&bytes, "south.example/log", &key.verifying_key()),
            Err(FederationError::WrongNode { .. })
        ));
    }

    #[test]
    fn a_statement_with_a_key_id_that_is_not_its_keys_is_refused() {
        let mut wrong = statement();
        wrong.party.keys[0].key_id = "0011223344556677".into();
        let key = node_key(1);
        let bytes = sign_party_statement(&wrong, &key);
        let error = open_party_statement(&bytes, "north.example/log", &key.verifying_key())
            .expect_err("refused");
        assert!(
            error.to_string().starts_with("party.keys[0]: key_id"),
            "{error}"
        );
    }

    #[test]
    fn one_altered_byte_of_a_relay_is_refused() {
        let key = node_key(1);
        let item = RelayItem::Delivery(RelayedDelivery {
            from_node: "north.example/log".into(),
            to_node: "south.example/log".into(),
            thread_id: Uuid::nil(),
            message_id: Uuid::nil(),
            party: PartyId::parse("EE").expect("id"),
            delivered_at: at("2026-02-01T00:00:00Z"),
        });
        let bytes = sign_relay_item(&item, &key);
        let opened = open_relay_item(
            &bytes,
            "north.example/log",
            &key.verifying_key(),
            "south.example/log",
        )
        .expect("opens");
        assert_eq!(opened, item);
        assert_eq!(opened.subject(), format!("delivery:{}:EE", Uuid::nil()));
        assert!(matches!(
            open_relay_item(
                &bytes,
                "north.example/log",
                &key.verifying_key(),
                "west.example/log"
            ),
            Err(FederationError::NotForThisNode { .. })
        ));
        let mut envelope = Envelope::parse(&bytes).expect("envelope");
        let last = envelope.payload.len() - 2;
        envelope.payload[last] ^= 1;
        let altered = envelope.to_json_bytes();
        assert!(
            open_relay_item(
                &altered,
                "north.example/log",
                &key.verifying_key(),
                "south.example/log"
            )
            .is_err()
        );
    }

    proptest::proptest! {
        /// Any bytes: a typed refusal, never a panic, never an item under a key not used.
        #[test]
        fn arbitrary_bytes_never_open(data in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let key = node_key(1).verifying_key();
            proptest::prop_assert!(open_relay_item(&data, "north.example/log", &key, "south.example/log").is_err());
            proptest::prop_assert!(open_party_statement(&data, "north.example/log", &key).is_err());
        }

        /// A signed item with any one byte changed opens to nothing, or to exactly the item
        /// signed (a change in the envelope's JSON layout the signature does not cover).
        #[test]
        fn one_changed_byte_never_opens_to_another_item(position in 0usize..4096, bit in 0u8..8) {
            let key = node_key(1);
            let item = RelayItem::Delivery(RelayedDelivery {
                from_node: "north.example/log".into(),
                to_node: "south.example/log".into(),
                thread_id: Uuid::nil(),
                message_id: Uuid::nil(),
                party: PartyId::parse("EE").expect("id"),
                delivered_at: at("2026-02-01T00:00:00Z"),
            });
            let mut bytes = sign_relay_item(&item, &key);
            let position = position % bytes.len();
            bytes[position] ^= 1 << bit;
            if let Ok(opened) = open_relay_item(&bytes, "north.example/log", &key.verifying_key(), "south.example/log") {
                proptest::prop_assert_eq!(opened, item);
            }
        }
    }

    #[test]
    fn only_the_senders_home_relays_and_only_to_other_homes() {
        let ee = PartyId::parse("EE").expect("id");
        let fi = PartyId::parse("FI").expect("id");
        let lv = PartyId::parse("LV").expect("id");
        let home_of = |party: &PartyId| match party.as_str() {
            "FI" => Some("south/log".to_string()),
            "LV" => Some("west/log".to_string()),
            _ => None,
        };
        let targets = relay_targets(None, [&ee, &fi, &lv, &fi], home_of);
        assert_eq!(
            targets.into_iter().collect::<Vec<_>>(),
            vec!["south/log".to_string(), "west/log".to_string()]
        );
        assert!(relay_targets(Some("south/log"), [&ee, &lv], home_of).is_empty());
    }
}
