//! DSSE envelopes: the signed wrapper of every hotline message.
//!
//! Owns the JSON envelope `{payload, payloadType, signatures: [{keyid, sig}]}` of the DSSE
//! specification (secure-systems-lab/dsse, `envelope.md` and `protocol.md` v1.0.0), the
//! pre-authentication encoding (PAE) that the signature covers, signing with an Ed25519
//! `SigningKey`, and checking one signature with `verify_strict`.
//!
//! The signature covers the exact payload bytes, so no JSON canonicalisation is needed.
//!
//! One deliberate narrowing of DSSE: the spec lets verifiers accept standard or URL-safe base64;
//! redline writes and accepts only standard, padded, canonical base64. Every redline signer is
//! redline, and a single spelling per byte string means no byte of a signed envelope can change
//! while the envelope still verifies (the property tests pin this down).
//!
//! Which keys may sign for whom, revocation and the rest of acceptance live in `verify`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64_STANDARD;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use redline_model::{PartyKey, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The DSSE payload type of a hotline message.
pub const MESSAGE_PAYLOAD_TYPE: &str = "application/vnd.redline.message+json";

/// The DSSE payload type of an exercise inject's incident report, signed by its reporter.
pub const EXERCISE_REPORT_PAYLOAD_TYPE: &str = "application/vnd.redline.exercise-report+json";

/// The largest envelope accepted, in bytes: generous for a message with free text, small enough
/// that a flood of envelopes cannot exhaust memory.
pub const MAXIMUM_ENVELOPE_BYTES: usize = 256 * 1024;

/// The most signatures one envelope may carry.
pub const MAXIMUM_SIGNATURES: usize = 4;

/// The length of an Ed25519 signature in bytes.
const SIGNATURE_LENGTH: usize = 64;

/// A parsed DSSE envelope, with its payload and signatures decoded from base64.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The exact payload bytes that were signed.
    pub payload: Vec<u8>,
    pub payload_type: String,
    pub signatures: Vec<EnvelopeSignature>,
}

/// One signature of an envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeSignature {
    /// DSSE `keyid`: an unauthenticated hint naming the key. Optional in DSSE; redline signers
    /// always set it to the `PartyKey::key_id` of the signing key.
    pub key_id: Option<String>,
    /// The raw 64-byte Ed25519 signature.
    pub signature: [u8; SIGNATURE_LENGTH],
}

/// Why bytes are not a DSSE envelope; each variant names the field (and signature) at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error("the envelope is {length} bytes, more than the {maximum} allowed")]
    TooLarge { length: usize, maximum: usize },
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    MalformedJson {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Shape { path: String, message: String },
    #[error("{field}: not standard padded base64: {reason}")]
    NotBase64 { field: String, reason: String },
    #[error("signatures[{signature_index}].sig: an Ed25519 signature is 64 bytes, not {length}")]
    WrongSignatureLength {
        signature_index: usize,
        length: usize,
    },
    #[error("signatures: an envelope needs at least one signature")]
    NoSignatures,
    #[error("signatures: {count} signatures, more than the {maximum} allowed")]
    TooManySignatures { count: usize, maximum: usize },
}

impl EnvelopeError {
    /// The envelope field at fault (`payload`, `signatures[1].sig`, `.` for the whole envelope).
    pub fn field(&self) -> String {
        match self {
            EnvelopeError::TooLarge { .. } | EnvelopeError::MalformedJson { .. } => ".".to_string(),
            EnvelopeError::Shape { path, .. } => path.clone(),
            EnvelopeError::NotBase64 { field, .. } => field.clone(),
            EnvelopeError::WrongSignatureLength {
                signature_index, ..
            } => format!("signatures[{signature_index}].sig"),
            EnvelopeError::NoSignatures | EnvelopeError::TooManySignatures { .. } => {
                "signatures".to_string()
            }
        }
    }
}

/// The DSSE wire form, exactly as the JSON envelope spells it.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireEnvelope {
    payload: String,
    #[serde(rename = "payloadType")]
    payload_type: String,
    signatures: Vec<WireSignature>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireSignature {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    keyid: Option<String>,
    sig: String,
}

/// DSSE v1 pre-authentication encoding:
/// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths in ASCII decimal.
pub fn pre_authentication_encoding(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let type_length = payload_type.len().to_string();
    let payload_length = payload.len().to_string();
    let mut encoded = Vec::with_capacity(
        10 + type_length.len() + payload_type.len() + payload_length.len() + payload.len(),
    );
    encoded.extend_from_slice(b"DSSEv1 ");
    encoded.extend_from_slice(type_length.as_bytes());
    encoded.push(b' ');
    encoded.extend_from_slice(payload_type.as_bytes());
    encoded.push(b' ');
    encoded.extend_from_slice(payload_length.as_bytes());
    encoded.push(b' ');
    encoded.extend_from_slice(payload);
    encoded
}

/// The key id redline uses for an Ed25519 public key: lower-case hex of the first 8 bytes of
/// SHA-256 of the raw 32-byte key (the rule of `PartyKey::key_id`).
pub fn key_id_for(verifying_key: &VerifyingKey) -> String {
    let digest = Sha256::digest(verifying_key.as_bytes());
    hex::encode(&digest[..8])
}

/// The `PartyKey` record of a public key, added at `added_at` and not revoked, for registering it.
pub fn party_key_for(verifying_key: &VerifyingKey, added_at: Timestamp) -> PartyKey {
    PartyKey {
        key_id: key_id_for(verifying_key),
        public_key: BASE64_STANDARD.encode(verifying_key.as_bytes()),
        added_at,
        revoked_at: None,
        revocation_reason: None,
    }
}

/// The Ed25519 public key of a registered `PartyKey`, or why its stored text is not one.
pub fn verifying_key_of(party_key: &PartyKey) -> Result<VerifyingKey, String> {
    let bytes = decode_standard_base64(&party_key.public_key)?;
    let array: [u8; 32] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| format!("an Ed25519 public key is 32 bytes, not {}", bytes.len()))?;
    VerifyingKey::from_bytes(&array).map_err(|error| error.to_string())
}

impl Envelope {
    /// Signs `payload` as `payload_type` with one key; `keyid` is the key's redline key id.
    pub fn sign(payload_type: &str, payload: Vec<u8>, signing_key: &SigningKey) -> Self {
        let encoded = pre_authentication_encoding(payload_type, &payload);
        let signature: Signature = signing_key.sign(&encoded);
        Self {
            payload,
            payload_type: payload_type.to_string(),
            signatures: vec![EnvelopeSignature {
                key_id: Some(key_id_for(&signing_key.verifying_key())),
                signature: signature.to_bytes(),
            }],
        }
    }

    /// Parses the DSSE JSON envelope. Every error names the field, and the signature by index.
    pub fn parse(bytes: &[u8]) -> Result<Self, EnvelopeError> {
        if bytes.len() > MAXIMUM_ENVELOPE_BYTES {
            return Err(EnvelopeError::TooLarge {
                length: bytes.len(),
                maximum: MAXIMUM_ENVELOPE_BYTES,
            });
        }
        let wire: WireEnvelope = parse_wire_envelope(bytes)?;
        if wire.signatures.is_empty() {
            return Err(EnvelopeError::NoSignatures);
        }
        if wire.signatures.len() > MAXIMUM_SIGNATURES {
            return Err(EnvelopeError::TooManySignatures {
                count: wire.signatures.len(),
                maximum: MAXIMUM_SIGNATURES,
            });
        }
        let payload =
            decode_standard_base64(&wire.payload).map_err(|reason| EnvelopeError::NotBase64 {
                field: "payload".to_string(),
                reason,
            })?;
        let mut signatures = Vec::with_capacity(wire.signatures.len());
        for (signature_index, wire_signature) in wire.signatures.into_iter().enumerate() {
            let bytes = decode_standard_base64(&wire_signature.sig).map_err(|reason| {
                EnvelopeError::NotBase64 {
                    field: format!("signatures[{signature_index}].sig"),
                    reason,
                }
            })?;
            let signature: [u8; SIGNATURE_LENGTH] =
                bytes
                    .as_slice()
                    .try_into()
                    .map_err(|_| EnvelopeError::WrongSignatureLength {
                        signature_index,
                        length: bytes.len(),
                    })?;
            signatures.push(EnvelopeSignature {
                key_id: wire_signature.keyid,
                signature,
            });
        }
        Ok(Self {
            payload,
            payload_type: wire.payload_type,
            signatures,
        })
    }

    /// The compact JSON envelope, payload and signatures in standard padded base64.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        let wire = WireEnvelope {
            payload: BASE64_STANDARD.encode(&self.payload),
            payload_type: self.payload_type.clone(),
            signatures: self
                .signatures
                .iter()
                .map(|signature| WireSignature {
                    keyid: signature.key_id.clone(),
                    sig: BASE64_STANDARD.encode(signature.signature),
                })
                .collect(),
        };
        // Serialising a struct of strings to JSON cannot fail; an empty vector is never sent.
        serde_json::to_vec(&wire).unwrap_or_default()
    }

    /// The bytes the signatures cover.
    pub fn pre_authentication_encoding(&self) -> Vec<u8> {
        pre_authentication_encoding(&self.payload_type, &self.payload)
    }

    /// Whether signature `signature_index` is a valid strict Ed25519 signature by `key` over the
    /// PAE of this envelope. An index out of range is `false`.
    pub fn signature_is_valid(&self, signature_index: usize, key: &VerifyingKey) -> bool {
        let Some(envelope_signature) = self.signatures.get(signature_index) else {
            return false;
        };
        let signature = Signature::from_bytes(&envelope_signature.signature);
        key.verify_strict(&self.pre_authentication_encoding(), &signature)
            .is_ok()
    }

    /// Whether some signature of this envelope is valid under one of `keys` that may sign at
    /// `at` (added by then, not revoked by then): the check for a record a party signs outside
    /// the hotline's message flow (an exercise inject's report, say).
    pub fn is_signed_by_one_of(&self, keys: &[PartyKey], at: Timestamp) -> bool {
        let current_keys: Vec<VerifyingKey> = keys
            .iter()
            .filter(|key| crate::keys::key_is_current_at(key, at))
            .filter_map(|key| verifying_key_of(key).ok())
            .collect();
        (0..self.signatures.len()).any(|index| {
            current_keys
                .iter()
                .any(|key| self.signature_is_valid(index, key))
        })
    }
}

fn parse_wire_envelope(bytes: &[u8]) -> Result<WireEnvelope, EnvelopeError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let wire = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        json_error(path, error.into_inner())
    })?;
    deserializer
        .end()
        .map_err(|inner| json_error(".".to_string(), inner))?;
    Ok(wire)
}

fn json_error(path: String, inner: serde_json::Error) -> EnvelopeError {
    use serde_json::error::Category;
    let message = strip_position(&inner.to_string());
    match inner.classify() {
        Category::Syntax | Category::Eof | Category::Io => EnvelopeError::MalformedJson {
            line: inner.line(),
            column: inner.column(),
            message,
        },
        Category::Data => EnvelopeError::Shape {
            path: path_with_named_field(&path, &message),
            message,
        },
    }
}

/// serde_json appends " at line L column C" to its messages; the path says where instead.
pub(crate) fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}

/// serde reports a missing or unknown field at the object that holds it; the path should end at
/// the field itself (`signatures[0].keyid`, not `signatures[0]`).
pub(crate) fn path_with_named_field(path: &str, message: &str) -> String {
    let field = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next());
    let path = if path.is_empty() { "." } else { path };
    match field {
        Some(field) if path == "." => field.to_string(),
        Some(field) if !path.ends_with(field) => format!("{path}.{field}"),
        _ => path.to_string(),
    }
}

fn decode_standard_base64(text: &str) -> Result<Vec<u8>, String> {
    BASE64_STANDARD
        .decode(text)
        .map_err(|error| error.to_string())
}
