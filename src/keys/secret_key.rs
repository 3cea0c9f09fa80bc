//! The office signing key file, `votekiosk-secret-key/2`
//! (`office-signing.vkkey`): the Ed25519 seed `LE32(t)` of the office
//! signing key, locked under Argon2id of the results officer's passphrase.
//! It signs merged results, office counts, trusted-keys files and
//! ceremony records; it never decrypts anything.

use std::path::Path;

use ed25519_dalek::SigningKey;
use serde_json::{json, Value};

use super::{argon2id, check_passphrase, read_small, Cipher, Fields, KdfParams, MAX_KEY_FILE_BYTES};
use crate::canonical::to_canonical_string;
use crate::error::{Error, Result};
use crate::signed::{fingerprint, line, parse_line, Lines};

pub const FORMAT: &str = "votekiosk-secret-key/2";
pub const PURPOSE: &str = "office-signing";

/// A locked office signing key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretKeyFile {
    pub public_key: [u8; 32],
    kdf: KdfParams,
    cipher: Cipher,
}

fn header(public_key: &[u8; 32], kdf: &KdfParams) -> Value {
    json!({
        "format": FORMAT,
        "purpose": PURPOSE,
        "public_key": hex::encode(public_key),
        "fingerprint": fingerprint(public_key),
        "kdf": kdf.to_json(),
    })
}

impl SecretKeyFile {
    /// Locks the seed under `passphrase` (at least 16 characters).
    pub fn create(
        seed: &[u8; 32],
        passphrase: &str,
        rng: &mut (impl rand_core::CryptoRngCore + ?Sized),
    ) -> Result<SecretKeyFile> {
        check_passphrase(passphrase)?;
        let public_key = super::signing_public_key(seed);
        let kdf = KdfParams::fresh(rng);
        let key = argon2id(passphrase.as_bytes(), &kdf.salt, &kdf)?;
        let aad = to_canonical_string(&header(&public_key, &kdf));
        let cipher = Cipher::seal(&key, aad.as_bytes(), seed, rng)?;
        Ok(SecretKeyFile {
            public_key,
            kdf,
            cipher,
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut value = header(&self.public_key, &self.kdf);
        value["cipher"] = self.cipher.to_json();
        line(&value)
    }

    pub fn read(path: &Path) -> Result<SecretKeyFile> {
        let bytes = read_small(path, MAX_KEY_FILE_BYTES)?;
        SecretKeyFile::parse(&bytes, &path.display().to_string())
    }

    pub fn parse(bytes: &[u8], name: &str) -> Result<SecretKeyFile> {
        let bad = |reason: String| Error::KeyFileInvalid {
            path: name.to_string(),
            reason,
        };
        let mut lines = Lines::new(bytes, MAX_KEY_FILE_BYTES as usize);
        let first = lines
            .next_line()?
            .ok_or_else(|| bad("the file is empty".into()))?;
        if lines.next_line()?.is_some() {
            return Err(bad("a key file is one line".into()));
        }
        let value = parse_line(&first, 1)?;
        let f = Fields::new(Some(&value), "key", &bad)?;
        if f.str("format").ok() != Some(FORMAT) {
            return Err(bad(format!("not a {FORMAT} file")));
        }
        f.exactly(&["cipher", "fingerprint", "format", "kdf", "public_key", "purpose"])?;
        if f.str("purpose")? != PURPOSE {
            return Err(bad(format!("the purpose must be {PURPOSE}")));
        }
        let public_key = f.hex("public_key")?;
        if f.str("fingerprint")? != fingerprint(&public_key) {
            return Err(bad("`fingerprint` is not the public key's".into()));
        }
        Ok(SecretKeyFile {
            public_key,
            kdf: KdfParams::from_json(f.get("kdf"), &bad)?,
            cipher: Cipher::from_json(f.get("cipher"), &bad)?,
        })
    }

    /// Unlocks the signing key; it must make the file's public key.
    pub fn unlock(&self, passphrase: &str, name: &str) -> Result<SigningKey> {
        let key = argon2id(passphrase.as_bytes(), &self.kdf.salt, &self.kdf)?;
        let aad = to_canonical_string(&header(&self.public_key, &self.kdf));
        let seed = self
            .cipher
            .open(&key, aad.as_bytes())
            .ok_or_else(|| Error::WrongKeyPassphrase(name.to_string()))?;
        let signing = SigningKey::from_bytes(&seed);
        if signing.verifying_key().to_bytes() != self.public_key {
            return Err(Error::KeyFileInvalid {
                path: name.to_string(),
                reason: "the seed does not make the file's public key".into(),
            });
        }
        Ok(signing)
    }
}
