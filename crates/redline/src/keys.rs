//! Ed25519 key files: PKCS#8 PEM, written with mode 0600 and never overwritten.

use std::{io::Write, path::Path};

use anyhow::Context;
use base64::Engine;
use ed25519_dalek::{
    SigningKey,
    pkcs8::{DecodePrivateKey, EncodePrivateKey, spki::der::pem::LineEnding},
};

/// Creates a new key pair in `path` (which must not exist) and returns the public key in base64.
pub fn generate_key_file(path: &Path) -> anyhow::Result<String> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|error| anyhow::anyhow!("no randomness from the OS: {error}"))?;
    let signing_key = SigningKey::from_bytes(&seed);
    let pem = signing_key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|error| anyhow::anyhow!("encoding the key: {error}"))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("creating the key file {}", path.display()))?;
    file.write_all(pem.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing the key file {}", path.display()))?;
    Ok(public_key_base64(&signing_key))
}

/// Reads a key file written by [`generate_key_file`].
pub fn read_key_file(path: &Path) -> anyhow::Result<SigningKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the key file {}", path.display()))?;
    SigningKey::from_pkcs8_pem(&text).map_err(|error| {
        anyhow::anyhow!(
            "{} is not an Ed25519 PKCS#8 PEM key: {error}",
            path.display()
        )
    })
}

pub fn public_key_base64(signing_key: &SigningKey) -> String {
    base64::engine::general_purpose::STANDARD.encode(signing_key.verifying_key().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_files_are_private_and_round_trip() {
        let directory = tempfile::tempdir().expect("test fixture");
        let path = directory.path().join("key.pem");
        let public = generate_key_file(&path).expect("test fixture");
        let key = read_key_file(&path).expect("test fixture");
        assert_eq!(public_key_base64(&key), public);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .expect("test fixture")
                .permissions()
                .mode()
                & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert!(
            generate_key_file(&path).is_err(),
            "an existing key is never overwritten"
        );
    }
}
