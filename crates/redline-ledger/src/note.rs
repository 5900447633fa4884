//! C2SP signed-note (<https://c2sp.org/signed-note@v1.0.0>): parsing, signing and verifying
//! notes, and the Ed25519 key formats.
//!
//! A note is UTF-8 text ending in a newline, one blank line, then one or more signature lines
//! `— <key name> <base64(4-byte key id || signature)>`. The key id of an Ed25519 key is the
//! first 4 bytes of `SHA-256(name || 0x0A || 0x01 || public key)`; a verifier key is written
//! `<name>+<8 hex digits of key id>+<base64(0x01 || public key)>`.
//!
//! Verification rules: signatures from unknown (name, key id) pairs are ignored; a signature
//! from a known key that fails rejects the whole note; at least one known key must verify.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64_STANDARD;
use ed25519_dalek::Signer as _;

use crate::hash::sha256;

/// Signature type byte of Ed25519 note signatures.
pub const ED25519_SIGNATURE_TYPE: u8 = 0x01;
/// Signature lines start with an em dash and a space.
pub const SIGNATURE_LINE_PREFIX: &str = "\u{2014} ";
/// More signatures than this make a note malformed (Go's limit; C2SP asks for at least 16).
pub const MAX_SIGNATURES: usize = 100;

/// A 4-byte key id.
pub type KeyId = [u8; 4];

/// Why a note could not be parsed. Line numbers count from 1 over the whole note.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteParseError {
    #[error("the note is not valid UTF-8 (first bad byte at offset {byte_offset}, line {line})")]
    InvalidUtf8 { byte_offset: usize, line: usize },
    #[error(
        "line {line} contains the control character U+{code_point:04X}; only newlines are allowed"
    )]
    ControlCharacter { line: usize, code_point: u32 },
    #[error("the note does not end with a newline")]
    MissingFinalNewline,
    #[error("the note has no blank line separating its text from its signatures")]
    MissingSignatureSeparator,
    #[error("the note has no signature lines after its blank line")]
    NoSignatures,
    #[error("the note has more than {MAX_SIGNATURES} signatures")]
    TooManySignatures,
    #[error("line {line} is not a signature line (it must start with an em dash and a space)")]
    NotASignatureLine { line: usize },
    #[error("line {line}: signature line has no space between key name and signature")]
    MissingSignature { line: usize },
    #[error("line {line}: key name {key_name:?} is invalid: {reason}")]
    InvalidKeyName {
        line: usize,
        key_name: String,
        reason: &'static str,
    },
    #[error("line {line}: signature of {key_name:?} is not standard base64: {reason}")]
    InvalidSignatureBase64 {
        line: usize,
        key_name: String,
        reason: String,
    },
    #[error(
        "line {line}: signature of {key_name:?} is {length} bytes, shorter than a key id and a signature"
    )]
    SignatureTooShort {
        line: usize,
        key_name: String,
        length: usize,
    },
    #[error("the note text must end with a newline and contain no blank line at its end")]
    InvalidText,
}

/// Why a note failed verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteVerifyError {
    #[error(
        "line {line}: the signature of known key {key_name:?} (key id {key_id_hex}) does not verify"
    )]
    InvalidSignature {
        line: usize,
        key_name: String,
        key_id_hex: String,
    },
    #[error("no signature from a known key ({unknown_signatures} signatures from unknown keys)")]
    NoKnownSignature { unknown_signatures: usize },
}

/// Why a verifier or signer key string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyParseError {
    #[error("the key string must have the form {expected_form}")]
    WrongForm { expected_form: &'static str },
    #[error("key name {key_name:?} is invalid: {reason}")]
    InvalidKeyName {
        key_name: String,
        reason: &'static str,
    },
    #[error("key id {key_id_text:?} must be 8 lowercase hex digits")]
    InvalidKeyId { key_id_text: String },
    #[error("the key material is not standard base64: {reason}")]
    InvalidBase64 { reason: String },
    #[error("the key material is empty")]
    EmptyKey,
    #[error("unsupported key type 0x{key_type:02x} (expected 0x{expected:02x})")]
    UnsupportedKeyType { key_type: u8, expected: u8 },
    #[error("an Ed25519 key is 32 bytes, got {length}")]
    WrongKeyLength { length: usize },
    #[error("the public key is not a valid Ed25519 point")]
    InvalidPublicKey,
    #[error("key id {stated} does not match the key, which has id {computed}")]
    KeyIdMismatch { stated: String, computed: String },
}

/// `SHA-256(name || 0x0A || key_type || public_key)[:4]`.
pub fn compute_key_id(key_name: &str, key_type: u8, public_key: &[u8]) -> KeyId {
    let mut input = Vec::with_capacity(key_name.len() + 2 + public_key.len());
    input.extend_from_slice(key_name.as_bytes());
    input.push(0x0A);
    input.push(key_type);
    input.extend_from_slice(public_key);
    let digest = sha256(&input);
    [digest[0], digest[1], digest[2], digest[3]]
}

/// Checks a key name: non-empty, no Unicode white space, no `+`.
pub fn check_key_name(key_name: &str) -> Result<(), &'static str> {
    if key_name.is_empty() {
        return Err("it is empty");
    }
    if key_name.chars().any(char::is_whitespace) {
        return Err("it contains white space");
    }
    if key_name.contains('+') {
        return Err("it contains '+'");
    }
    if key_name.chars().any(char::is_control) {
        return Err("it contains a control character");
    }
    Ok(())
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NoteSignature {
    pub key_name: String,
    pub key_id: KeyId,
    /// The signature bytes after the key id (for cosignatures, timestamp and signature).
    pub signature: Vec<u8>,
}

impl NoteSignature {
    /// The signature line, with its final newline.
    pub fn to_line(&self) -> String {
        let mut payload = Vec::with_capacity(4 + self.signature.len());
        payload.extend_from_slice(&self.key_id);
        payload.extend_from_slice(&self.signature);
        format!(
            "{SIGNATURE_LINE_PREFIX}{} {}\n",
            self.key_name,
            BASE64_STANDARD.encode(payload)
        )
    }
}

/// Something that can check one signature of a note.
pub trait NoteVerifier {
    fn key_name(&self) -> &str;
    fn key_id(&self) -> KeyId;
    /// Whether `signature` (the bytes after the key id) is valid for `text`.
    fn verify(&self, text: &[u8], signature: &[u8]) -> bool;
}

/// Something that can sign a note text.
pub trait NoteSigner {
    fn key_name(&self) -> &str;
    fn key_id(&self) -> KeyId;
    /// The signature bytes (without the key id) over `text`.
    fn sign(&self, text: &[u8]) -> Vec<u8>;
}

/// A signed note: text and signature lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    text: String,
    signatures: Vec<NoteSignature>,
}

/// The outcome of a successful verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerification {
    /// Signatures from known keys, all valid, without duplicates.
    pub verified: Vec<NoteSignature>,
    /// Signatures from unknown keys (not checked), without duplicates.
    pub unverified: Vec<NoteSignature>,
}

fn line_of_offset(bytes: &[u8], offset: usize) -> usize {
    1 + bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|byte| **byte == b'\n')
        .count()
}

fn check_text_characters(text: &str, first_line: usize) -> Result<(), NoteParseError> {
    let mut line = first_line;
    for character in text.chars() {
        if character == '\n' {
            line += 1;
        } else if character.is_ascii_control() {
            return Err(NoteParseError::ControlCharacter {
                line,
                code_point: u32::from(character),
            });
        }
    }
    Ok(())
}

impl Note {
    /// An unsigned note over `text`, which must end with a newline and contain no control
    /// characters other than newlines.
    pub fn new(text: impl Into<String>) -> Result<Note, NoteParseError> {
        let text = text.into();
        check_text_characters(&text, 1)?;
        if !text.ends_with('\n') {
            return Err(NoteParseError::InvalidText);
        }
        Ok(Note {
            text,
            signatures: Vec::new(),
        })
    }

    /// Parses a signed note.
    pub fn parse(bytes: &[u8]) -> Result<Note, NoteParseError> {
        let note = std::str::from_utf8(bytes).map_err(|error| {
            let byte_offset = error.valid_up_to();
            NoteParseError::InvalidUtf8 {
                byte_offset,
                line: line_of_offset(bytes, byte_offset),
            }
        })?;
        check_text_characters(note, 1)?;
        if !note.ends_with('\n') {
            return Err(NoteParseError::MissingFinalNewline);
        }
        let separator = note
            .rfind("\n\n")
            .ok_or(NoteParseError::MissingSignatureSeparator)?;
        let text = &note[..separator + 1];
        let signature_block = &note[separator + 2..];
        if signature_block.is_empty() {
            return Err(NoteParseError::NoSignatures);
        }
        let first_signature_line = line_of_offset(bytes, separator + 2);
        let mut signatures = Vec::new();
        for (position, line_text) in signature_block.split_terminator('\n').enumerate() {
            let line = first_signature_line + position;
            if signatures.len() == MAX_SIGNATURES {
                return Err(NoteParseError::TooManySignatures);
            }
            signatures.push(parse_signature_line(line_text, line)?);
        }
        Ok(Note {
            text: text.to_owned(),
            signatures,
        })
    }

    /// The signed text, ending with a newline.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// The line number (from 1) of signature `position` in the serialised note.
    pub fn signature_line_number(&self, position: usize) -> usize {
        self.text.matches('\n').count() + 2 + position
    }

    /// Appends a signature line (duplicates are kept as given).
    pub fn add_signature(&mut self, signature: NoteSignature) {
        self.signatures.push(signature);
    }

    /// Signs the text with `signer` and appends the signature.
    pub fn sign(&mut self, signer: &dyn NoteSigner) {
        let signature = signer.sign(self.text.as_bytes());
        self.signatures.push(NoteSignature {
            key_name: signer.key_name().to_owned(),
            key_id: signer.key_id(),
            signature,
        });
    }

    /// The serialised note: text, blank line, signature lines.
    pub fn to_text(&self) -> String {
        let mut serialised = self.text.clone();
        serialised.push('\n');
        for signature in &self.signatures {
            serialised.push_str(&signature.to_line());
        }
        serialised
    }

    /// Verifies the note against the known keys `verifiers`.
    pub fn verify(
        &self,
        verifiers: &[&dyn NoteVerifier],
    ) -> Result<NoteVerification, NoteVerifyError> {
        let mut verification = NoteVerification {
            verified: Vec::new(),
            unverified: Vec::new(),
        };
        let mut seen: Vec<&NoteSignature> = Vec::new();
        for (position, signature) in self.signatures.iter().enumerate() {
            if seen.contains(&signature) {
                continue;
            }
            seen.push(signature);
            let mut known = verifiers.iter().filter(|verifier| {
                verifier.key_name() == signature.key_name && verifier.key_id() == signature.key_id
            });
            match known.next() {
                None => verification.unverified.push(signature.clone()),
                Some(verifier) => {
                    if verifier.verify(self.text.as_bytes(), &signature.signature) {
                        verification.verified.push(signature.clone());
                    } else {
                        return Err(NoteVerifyError::InvalidSignature {
                            line: self.signature_line_number(position),
                            key_name: signature.key_name.clone(),
                            key_id_hex: hex::encode(signature.key_id),
                        });
                    }
                }
            }
        }
        if verification.verified.is_empty() {
            return Err(NoteVerifyError::NoKnownSignature {
                unknown_signatures: verification.unverified.len(),
            });
        }
        Ok(verification)
    }
}

fn parse_signature_line(line_text: &str, line: usize) -> Result<NoteSignature, NoteParseError> {
    let rest = line_text
        .strip_prefix(SIGNATURE_LINE_PREFIX)
        .ok_or(NoteParseError::NotASignatureLine { line })?;
    let (key_name, encoded) = rest
        .split_once(' ')
        .ok_or(NoteParseError::MissingSignature { line })?;
    check_key_name(key_name).map_err(|reason| NoteParseError::InvalidKeyName {
        line,
        key_name: key_name.to_owned(),
        reason,
    })?;
    let payload = BASE64_STANDARD.decode(encoded).map_err(|error| {
        NoteParseError::InvalidSignatureBase64 {
            line,
            key_name: key_name.to_owned(),
            reason: error.to_string(),
        }
    })?;
    if payload.len() < 5 {
        return Err(NoteParseError::SignatureTooShort {
            line,
            key_name: key_name.to_owned(),
            length: payload.len(),
        });
    }
    Ok(NoteSignature {
        key_name: key_name.to_owned(),
        key_id: [payload[0], payload[1], payload[2], payload[3]],
        signature: payload[4..].to_vec(),
    })
}

/// The key id of an Ed25519 key of `key_type` under `key_name`, once the name is checked.
pub(crate) fn named_key_id(
    key_name: &str,
    key_type: u8,
    public_key: &[u8],
) -> Result<KeyId, KeyParseError> {
    check_key_name(key_name).map_err(|reason| KeyParseError::InvalidKeyName {
        key_name: key_name.to_owned(),
        reason,
    })?;
    Ok(compute_key_id(key_name, key_type, public_key))
}

/// An Ed25519 verifying key under its name and key id, for signatures of type `key_type`
/// (`0x01` note signatures, `0x04` cosignatures): what every Ed25519 verifier holds, read from
/// and written as the verifier key string `<name>+<hex id>+<base64(key_type || key)>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NamedEd25519Key {
    pub(crate) key_name: String,
    pub(crate) key_id: KeyId,
    pub(crate) verifying_key: ed25519_dalek::VerifyingKey,
}

impl NamedEd25519Key {
    /// `verifying_key` under `key_name`, once the name is checked.
    pub(crate) fn new(
        key_name: &str,
        key_type: u8,
        verifying_key: ed25519_dalek::VerifyingKey,
    ) -> Result<Self, KeyParseError> {
        Ok(NamedEd25519Key {
            key_id: named_key_id(key_name, key_type, verifying_key.as_bytes())?,
            key_name: key_name.to_owned(),
            verifying_key,
        })
    }

    /// Parses a verifier key string that must be of signature type `key_type`.
    pub(crate) fn from_vkey(vkey: &str, key_type: u8) -> Result<Self, KeyParseError> {
        let parts = parse_verifier_key(vkey)?;
        if parts.key_type != key_type {
            return Err(KeyParseError::UnsupportedKeyType {
                key_type: parts.key_type,
                expected: key_type,
            });
        }
        Ok(NamedEd25519Key {
            verifying_key: ed25519_verifying_key(&parts.public_key)?,
            key_name: parts.key_name,
            key_id: parts.key_id,
        })
    }

    /// The verifier key string, of signature type `key_type`.
    pub(crate) fn to_vkey(&self, key_type: u8) -> String {
        let mut material = vec![key_type];
        material.extend_from_slice(self.verifying_key.as_bytes());
        format!(
            "{}+{}+{}",
            self.key_name,
            hex::encode(self.key_id),
            BASE64_STANDARD.encode(material)
        )
    }
}

/// Key material in standard base64.
fn decode_key_material(encoded: &str) -> Result<Vec<u8>, KeyParseError> {
    BASE64_STANDARD
        .decode(encoded)
        .map_err(|error| KeyParseError::InvalidBase64 {
            reason: error.to_string(),
        })
}

/// A verifier key string split into its parts, not yet tied to a key type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierKeyParts {
    pub key_name: String,
    pub key_id: KeyId,
    pub key_type: u8,
    pub public_key: Vec<u8>,
}

fn parse_key_id_hex(text: &str) -> Result<KeyId, KeyParseError> {
    let invalid = || KeyParseError::InvalidKeyId {
        key_id_text: text.to_owned(),
    };
    let bytes = text.as_bytes();
    if bytes.len() != 8
        || !bytes
            .iter()
            .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(invalid());
    }
    let mut key_id = [0u8; 4];
    hex::decode_to_slice(text, &mut key_id).map_err(|_| invalid())?;
    Ok(key_id)
}

/// Splits `<name>+<hex key id>+<base64(type || key)>` and checks that the key id matches.
pub fn parse_verifier_key(vkey: &str) -> Result<VerifierKeyParts, KeyParseError> {
    const FORM: &str = "<name>+<8 hex digits>+<base64 key>";
    let mut parts = vkey.splitn(3, '+');
    let (Some(key_name), Some(key_id_text), Some(encoded)) =
        (parts.next(), parts.next(), parts.next())
    else {
        return Err(KeyParseError::WrongForm {
            expected_form: FORM,
        });
    };
    check_key_name(key_name).map_err(|reason| KeyParseError::InvalidKeyName {
        key_name: key_name.to_owned(),
        reason,
    })?;
    let key_id = parse_key_id_hex(key_id_text)?;
    let material = decode_key_material(encoded)?;
    let (&key_type, public_key) = material.split_first().ok_or(KeyParseError::EmptyKey)?;
    let computed = compute_key_id(key_name, key_type, public_key);
    if computed != key_id {
        return Err(KeyParseError::KeyIdMismatch {
            stated: hex::encode(key_id),
            computed: hex::encode(computed),
        });
    }
    Ok(VerifierKeyParts {
        key_name: key_name.to_owned(),
        key_id,
        key_type,
        public_key: public_key.to_vec(),
    })
}

/// Reads a 32-byte Ed25519 public key.
pub fn ed25519_verifying_key(
    public_key: &[u8],
) -> Result<ed25519_dalek::VerifyingKey, KeyParseError> {
    let bytes: [u8; 32] = public_key
        .try_into()
        .map_err(|_| KeyParseError::WrongKeyLength {
            length: public_key.len(),
        })?;
    ed25519_dalek::VerifyingKey::from_bytes(&bytes).map_err(|_| KeyParseError::InvalidPublicKey)
}

/// Verifies Ed25519 (`0x01`) note signatures, with `verify_strict`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ed25519NoteVerifier {
    key: NamedEd25519Key,
}

impl Ed25519NoteVerifier {
    pub fn new(
        key_name: &str,
        verifying_key: ed25519_dalek::VerifyingKey,
    ) -> Result<Self, KeyParseError> {
        Ok(Ed25519NoteVerifier {
            key: NamedEd25519Key::new(key_name, ED25519_SIGNATURE_TYPE, verifying_key)?,
        })
    }

    /// Parses a verifier key string `<name>+<hex id>+<base64(0x01 || key)>`.
    pub fn from_vkey(vkey: &str) -> Result<Self, KeyParseError> {
        Ok(Ed25519NoteVerifier {
            key: NamedEd25519Key::from_vkey(vkey, ED25519_SIGNATURE_TYPE)?,
        })
    }

    /// The verifier key string.
    pub fn to_vkey(&self) -> String {
        self.key.to_vkey(ED25519_SIGNATURE_TYPE)
    }

    pub fn verifying_key(&self) -> &ed25519_dalek::VerifyingKey {
        &self.key.verifying_key
    }
}

impl NoteVerifier for Ed25519NoteVerifier {
    fn key_name(&self) -> &str {
        &self.key.key_name
    }
    fn key_id(&self) -> KeyId {
        self.key.key_id
    }
    fn verify(&self, text: &[u8], signature: &[u8]) -> bool {
        match ed25519_dalek::Signature::from_slice(signature) {
            Ok(signature) => self
                .key
                .verifying_key
                .verify_strict(text, &signature)
                .is_ok(),
            Err(_) => false,
        }
    }
}

/// Signs notes with an Ed25519 key (type `0x01`).
#[derive(Clone)]
pub struct Ed25519NoteSigner {
    key_name: String,
    key_id: KeyId,
    signing_key: ed25519_dalek::SigningKey,
}

impl std::fmt::Debug for Ed25519NoteSigner {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Ed25519NoteSigner")
            .field("key_name", &self.key_name)
            .field("key_id", &hex::encode(self.key_id))
            .finish_non_exhaustive()
    }
}

impl Ed25519NoteSigner {
    /// A signer from a 32-byte Ed25519 seed.
    pub fn from_seed(key_name: &str, seed: &[u8; 32]) -> Result<Self, KeyParseError> {
        let signing_key = ed25519_dalek::SigningKey::from_bytes(seed);
        let key_id = named_key_id(
            key_name,
            ED25519_SIGNATURE_TYPE,
            signing_key.verifying_key().as_bytes(),
        )?;
        Ok(Ed25519NoteSigner {
            key_name: key_name.to_owned(),
            key_id,
            signing_key,
        })
    }

    /// Parses Go's signer key string `PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>`.
    pub fn from_go_signer_key(skey: &str) -> Result<Self, KeyParseError> {
        const FORM: &str = "PRIVATE+KEY+<name>+<8 hex digits>+<base64 seed>";
        let mut parts = skey.splitn(5, '+');
        let (Some("PRIVATE"), Some("KEY"), Some(key_name), Some(key_id_text), Some(encoded)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(KeyParseError::WrongForm {
                expected_form: FORM,
            });
        };
        let key_id = parse_key_id_hex(key_id_text)?;
        let material = decode_key_material(encoded)?;
        let (&key_type, seed) = material.split_first().ok_or(KeyParseError::EmptyKey)?;
        if key_type != ED25519_SIGNATURE_TYPE {
            return Err(KeyParseError::UnsupportedKeyType {
                key_type,
                expected: ED25519_SIGNATURE_TYPE,
            });
        }
        let seed: [u8; 32] = seed
            .try_into()
            .map_err(|_| KeyParseError::WrongKeyLength { length: seed.len() })?;
        let signer = Ed25519NoteSigner::from_seed(key_name, &seed)?;
        if signer.key_id != key_id {
            return Err(KeyParseError::KeyIdMismatch {
                stated: hex::encode(key_id),
                computed: hex::encode(signer.key_id),
            });
        }
        Ok(signer)
    }

    /// The matching verifier.
    pub fn verifier(&self) -> Ed25519NoteVerifier {
        Ed25519NoteVerifier {
            key: NamedEd25519Key {
                key_name: self.key_name.clone(),
                key_id: self.key_id,
                verifying_key: self.signing_key.verifying_key(),
            },
        }
    }
}

impl NoteSigner for Ed25519NoteSigner {
    fn key_name(&self) -> &str {
        &self.key_name
    }
    fn key_id(&self) -> KeyId {
        self.key_id
    }
    fn sign(&self, text: &[u8]) -> Vec<u8> {
        self.signing_key.sign(text).to_bytes().to_vec()
    }
}
