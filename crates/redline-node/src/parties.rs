//! Parties and their keys.

use base64::Engine;
use sha2::{Digest, Sha256};

use redline_model::{Party, PartyId, PartyKey, PartyKind, ValidationIssue};

use crate::{Caller, Node, NodeError};

/// A party to add, as given by the operator.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewParty {
    pub id: PartyId,
    pub kind: PartyKind,
    pub name: String,
    #[serde(default)]
    pub languages: Vec<String>,
    /// Ed25519 public keys, 32 bytes each, standard base64.
    #[serde(default)]
    pub public_keys: Vec<String>,
}

/// The key id the node gives a public key: lower-case hex of the first 8 bytes of its SHA-256.
pub fn key_id_for(public_key: &[u8; 32]) -> String {
    let digest = Sha256::digest(public_key);
    hex::encode(&digest[..8])
}

pub(crate) fn decode_public_key(path: String, text: &str) -> Result<[u8; 32], ValidationIssue> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|error| ValidationIssue::new(path.clone(), format!("not base64: {error}")))?;
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
        ValidationIssue::new(
            path,
            format!(
                "an Ed25519 public key is 32 bytes, this one is {}",
                bytes.len()
            ),
        )
    })
}

impl Node {
    pub(crate) fn require_operator(caller: &Caller, action: &str) -> Result<(), NodeError> {
        match caller {
            Caller::Operator => Ok(()),
            Caller::Party(party) => Err(NodeError::Forbidden(format!(
                "only the node's operator may {action}; {party} is a party"
            ))),
        }
    }

    /// Adds a party (operator only).
    pub async fn add_party(
        &self,
        caller: &Caller,
        new_party: NewParty,
    ) -> Result<Party, NodeError> {
        Self::require_operator(caller, "add parties")?;
        let now = self.now();
        let mut issues = Vec::new();
        let mut keys = Vec::new();
        for (index, text) in new_party.public_keys.iter().enumerate() {
            match decode_public_key(format!("public_keys[{index}]"), text) {
                Ok(bytes) => keys.push(PartyKey {
                    key_id: key_id_for(&bytes),
                    public_key: text.clone(),
                    added_at: now,
                    revoked_at: None,
                    revocation_reason: None,
                }),
                Err(issue) => issues.push(issue),
            }
        }
        let party = Party {
            id: new_party.id,
            kind: new_party.kind,
            name: new_party.name,
            languages: new_party.languages,
            keys,
            created_at: now,
        };
        issues.extend(party.validate());
        for (index, key) in party.keys.iter().enumerate() {
            if let Err(error) = self.check_key_not_claimed(&party.id, &key.key_id).await? {
                issues.push(ValidationIssue::new(
                    format!("public_keys[{index}]"),
                    error.to_string(),
                ));
            }
        }
        if !issues.is_empty() {
            return Err(NodeError::Invalid(issues));
        }
        // Transparency log.
        let entry = crate::log::party_entry(&party);
        self.commit_logged(
            vec![redline_store::StoreWrite::InsertParty(party.clone())],
            vec![entry],
        )
        .await?;
        tracing::info!(party = %party.id, kind = party.kind.as_str(), "party added");
        Ok(party)
    }

    /// Registers another public key for a party (operator only).
    pub async fn add_party_key(
        &self,
        caller: &Caller,
        party: &PartyId,
        public_key_base64: &str,
    ) -> Result<PartyKey, NodeError> {
        Self::require_operator(caller, "add keys")?;
        let bytes = decode_public_key("public_key".into(), public_key_base64)
            .map_err(|issue| NodeError::Invalid(vec![issue]))?;
        let key = PartyKey {
            key_id: key_id_for(&bytes),
            public_key: public_key_base64.to_string(),
            added_at: self.now(),
            revoked_at: None,
            revocation_reason: None,
        };
        self.check_key_not_claimed(party, &key.key_id)
            .await?
            .map_err(|error| NodeError::invalid("public_key", error.to_string()))?;
        // Transparency log.
        self.commit_logged(
            vec![redline_store::StoreWrite::AddPartyKey {
                party: party.clone(),
                key: key.clone(),
            }],
            vec![crate::log::party_key_entry(party, &key)],
        )
        .await?;
        Ok(key)
    }

    /// Whether `party` may register `key_id` (the rule is `redline_hotline::check_key_not_claimed`;
    /// the node answers who holds the key now). The outer error is the store's.
    pub(crate) async fn check_key_not_claimed(
        &self,
        party: &PartyId,
        key_id: &str,
    ) -> Result<Result<(), redline_hotline::KeyChangeError>, NodeError> {
        let owner = self.store.key_owner(key_id).await?;
        Ok(redline_hotline::check_key_not_claimed(
            party,
            key_id,
            owner.as_ref(),
        ))
    }

    pub async fn list_parties(&self) -> Result<Vec<Party>, NodeError> {
        Ok(self.store.list_parties().await?)
    }

    pub async fn get_party(&self, id: &PartyId) -> Result<Party, NodeError> {
        self.store
            .get_party(id)
            .await?
            .ok_or_else(|| NodeError::NotFound(format!("party {id}")))
    }
}
