//! Keys and who holds them (issue 13, `docs/formats.md` "Office keys"):
//! the trustees' share files of the office keys (`share`), the results
//! officer's signing key file (`secret_key`), the signed ceremony record
//! (`ceremony`), the office's trusted-keys file of station keys
//! (`trusted`), and the poll workers' PIN-protected share slips (`slip`).
//!
//! Every secret here is 32 bytes, locked under Argon2id of a passphrase
//! (or PIN) with ChaCha20-Poly1305, held in `Zeroizing` memory once
//! unlocked, and never written in clear. The office key pairs are made
//! from a secret scalar `s` (`crypto::seal::SealKeyPair::derive(LE32(s))`
//! for encryption, Ed25519 seed `LE32(t)` for signing) so that `s` and `t`
//! can be split with Feldman-verified shares (`crypto::shares`).

pub mod ceremony;
pub mod office;
pub mod secret_key;
pub mod share;
pub mod slip;
pub mod trusted;

#[cfg(test)]
mod tests;

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::ChaCha20Poly1305;
use serde_json::{json, Map, Value};
use zeroize::Zeroizing;

use crate::crypto::seal::SealKeyPair;
use crate::error::{Error, Result};
use crate::signed::lower_hex;

pub use ceremony::CeremonyRecord;
pub use secret_key::SecretKeyFile;
pub use share::{Purpose, ShareFile, ShareInfo};
pub use slip::{Slip, SlipHeader};
pub use trusted::{Evidence, TrustedKeys, TrustedStation};

/// Argon2id cost of share files, key files and slips: 256 MiB, 3 passes,
/// 1 lane. Readers refuse anything below (a weakened file), and above
/// `MAX_MEMORY_KIB` / `MAX_ITERATIONS` (a file that would stall the machine).
pub const MEMORY_KIB: u32 = 262_144;
pub const ITERATIONS: u32 = 3;
pub const PARALLELISM: u32 = 1;
const MAX_MEMORY_KIB: u32 = 4 * 1024 * 1024;
const MAX_ITERATIONS: u32 = 64;
const MAX_PARALLELISM: u32 = 16;

/// The shortest trustee or results-officer passphrase (diceware advised).
pub const MIN_PASSPHRASE_CHARS: usize = 16;

/// The largest share, key or trusted-keys file read (bytes).
pub const MAX_KEY_FILE_BYTES: u64 = 16 * 1024;

/// Argon2id with explicit parameters, 32-byte output.
pub(crate) fn argon2id(secret: &[u8], salt: &[u8; 16], kdf: &KdfParams) -> Result<Zeroizing<[u8; 32]>> {
    let params = Params::new(kdf.memory_kib, kdf.iterations, kdf.parallelism, Some(32))
        .map_err(|e| Error::InvalidInput(format!("key derivation parameters: {e}")))?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut key = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(secret, salt, key.as_mut())
        .map_err(|e| Error::InvalidInput(format!("key derivation failed: {e}")))?;
    Ok(key)
}

/// The `kdf` object of a share or key file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KdfParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    pub salt: [u8; 16],
}

impl KdfParams {
    pub fn fresh(rng: &mut (impl rand_core::CryptoRngCore + ?Sized)) -> KdfParams {
        let mut salt = [0u8; 16];
        rng.fill_bytes(&mut salt);
        KdfParams {
            memory_kib: MEMORY_KIB,
            iterations: ITERATIONS,
            parallelism: PARALLELISM,
            salt,
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "algorithm": "argon2id",
            "version": 19,
            "memory_kib": self.memory_kib,
            "iterations": self.iterations,
            "parallelism": self.parallelism,
            "salt": hex::encode(self.salt),
        })
    }

    pub fn from_json(value: Option<&Value>, bad: &dyn Fn(String) -> Error) -> Result<KdfParams> {
        let object = Fields::new(value, "kdf", bad)?;
        object.exactly(&[
            "algorithm",
            "iterations",
            "memory_kib",
            "parallelism",
            "salt",
            "version",
        ])?;
        if object.str("algorithm")? != "argon2id" || object.uint("version")? != 19 {
            return Err(bad("`kdf` must be argon2id version 19".into()));
        }
        let memory_kib = object.uint("memory_kib")?;
        let iterations = object.uint("iterations")?;
        let parallelism = object.uint("parallelism")?;
        if memory_kib < MEMORY_KIB as u64
            || iterations < ITERATIONS as u64
            || parallelism < PARALLELISM as u64
        {
            return Err(bad(format!(
                "its key derivation is weaker than votekiosk/2 requires (at least {MEMORY_KIB} KiB, \
                 {ITERATIONS} passes): the file may have been tampered with"
            )));
        }
        if memory_kib > MAX_MEMORY_KIB as u64
            || iterations > MAX_ITERATIONS as u64
            || parallelism > MAX_PARALLELISM as u64
        {
            return Err(bad(
                "its key derivation parameters are beyond what votekiosk reads".into(),
            ));
        }
        Ok(KdfParams {
            memory_kib: memory_kib as u32,
            iterations: iterations as u32,
            parallelism: parallelism as u32,
            salt: object.hex("salt")?,
        })
    }
}

/// The `cipher` object: ChaCha20-Poly1305 of a 32-byte secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cipher {
    pub nonce: [u8; 12],
    pub ciphertext: [u8; 48],
}

impl Cipher {
    pub fn seal(
        key: &[u8; 32],
        aad: &[u8],
        secret: &[u8; 32],
        rng: &mut (impl rand_core::CryptoRngCore + ?Sized),
    ) -> Result<Cipher> {
        let mut nonce = [0u8; 12];
        rng.fill_bytes(&mut nonce);
        let out = ChaCha20Poly1305::new(key.into())
            .encrypt(&nonce.into(), Payload { msg: secret, aad })
            .map_err(|_| Error::InvalidInput("encryption failed".into()))?;
        let ciphertext: [u8; 48] = out
            .try_into()
            .map_err(|_| Error::InvalidInput("unexpected ciphertext length".into()))?;
        Ok(Cipher { nonce, ciphertext })
    }

    /// `None` when the key or the AAD is wrong (or a byte changed).
    pub fn open(&self, key: &[u8; 32], aad: &[u8]) -> Option<Zeroizing<[u8; 32]>> {
        let plain = Zeroizing::new(
            ChaCha20Poly1305::new(key.into())
                .decrypt(
                    &self.nonce.into(),
                    Payload {
                        msg: &self.ciphertext,
                        aad,
                    },
                )
                .ok()?,
        );
        let mut out = Zeroizing::new([0u8; 32]);
        out.copy_from_slice(plain.get(..32)?);
        Some(out)
    }

    pub fn to_json(&self) -> Value {
        json!({
            "algorithm": "chacha20-poly1305",
            "nonce": hex::encode(self.nonce),
            "ciphertext": hex::encode(self.ciphertext),
        })
    }

    pub fn from_json(value: Option<&Value>, bad: &dyn Fn(String) -> Error) -> Result<Cipher> {
        let object = Fields::new(value, "cipher", bad)?;
        object.exactly(&["algorithm", "ciphertext", "nonce"])?;
        if object.str("algorithm")? != "chacha20-poly1305" {
            return Err(bad("`cipher` must be chacha20-poly1305".into()));
        }
        Ok(Cipher {
            nonce: object.hex("nonce")?,
            ciphertext: object.hex("ciphertext")?,
        })
    }
}

/// Checks a trustee's or results officer's passphrase length.
pub fn check_passphrase(passphrase: &str) -> Result<()> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(Error::WeakPassphrase {
            min: MIN_PASSPHRASE_CHARS,
        });
    }
    Ok(())
}

/// The X25519 public key made from the secret scalar `s` (`LE32(s)` as IKM).
pub fn encryption_public_key(secret: &[u8; 32]) -> [u8; 32] {
    SealKeyPair::derive(secret).public()
}

/// The Ed25519 public key whose seed is `LE32(t)`.
pub fn signing_public_key(secret: &[u8; 32]) -> [u8; 32] {
    ed25519_dalek::SigningKey::from_bytes(secret)
        .verifying_key()
        .to_bytes()
}

/// A JSON object read field by field, each failure through `bad`.
pub(crate) struct Fields<'a> {
    map: &'a Map<String, Value>,
    name: &'a str,
    bad: &'a dyn Fn(String) -> Error,
}

impl<'a> Fields<'a> {
    pub fn new(
        value: Option<&'a Value>,
        name: &'a str,
        bad: &'a dyn Fn(String) -> Error,
    ) -> Result<Fields<'a>> {
        let map = value
            .and_then(Value::as_object)
            .ok_or_else(|| bad(format!("`{name}` is missing or not an object")))?;
        Ok(Fields { map, name, bad })
    }

    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    /// The object has exactly these members (sorted), no other.
    pub fn exactly(&self, keys: &[&str]) -> Result<()> {
        let found: Vec<&str> = self.map.keys().map(String::as_str).collect();
        let mut found_sorted = found.clone();
        found_sorted.sort_unstable();
        let mut expected = keys.to_vec();
        expected.sort_unstable();
        if found_sorted != expected {
            return Err((self.bad)(format!(
                "`{}` must have exactly the fields {expected:?}, it has {found_sorted:?}",
                self.name
            )));
        }
        Ok(())
    }

    pub fn str(&self, key: &str) -> Result<&'a str> {
        self.map
            .get(key)
            .and_then(Value::as_str)
            .ok_or_else(|| (self.bad)(format!("`{}.{key}` is missing or not a string", self.name)))
    }

    pub fn uint(&self, key: &str) -> Result<u64> {
        self.map.get(key).and_then(Value::as_u64).ok_or_else(|| {
            (self.bad)(format!(
                "`{}.{key}` is missing or not a non-negative integer",
                self.name
            ))
        })
    }

    pub fn u8(&self, key: &str) -> Result<u8> {
        u8::try_from(self.uint(key)?)
            .map_err(|_| (self.bad)(format!("`{}.{key}` is out of range", self.name)))
    }

    pub fn hex<const N: usize>(&self, key: &str) -> Result<[u8; N]> {
        lower_hex(self.map.get(key)).ok_or_else(|| {
            (self.bad)(format!(
                "`{}.{key}` is not {} lowercase hex digits",
                self.name,
                2 * N
            ))
        })
    }

    pub fn stamp(&self, key: &str) -> Result<String> {
        let text = self.str(key)?;
        let ok = chrono::DateTime::parse_from_rfc3339(text)
            .map(|t| crate::clock::stamp(t.with_timezone(&chrono::Utc)) == text)
            .unwrap_or(false);
        if !ok {
            return Err((self.bad)(format!(
                "`{}.{key}` is not a timestamp like 2026-11-03T12:00:00.000Z",
                self.name
            )));
        }
        Ok(text.to_string())
    }

    pub fn hex_list(&self, key: &str) -> Result<Vec<[u8; 32]>> {
        let items = self
            .map
            .get(key)
            .and_then(Value::as_array)
            .ok_or_else(|| (self.bad)(format!("`{}.{key}` is missing or not a list", self.name)))?;
        items
            .iter()
            .map(|v| {
                lower_hex(Some(v)).ok_or_else(|| {
                    (self.bad)(format!(
                        "`{}.{key}` holds an entry that is not 64 lowercase hex digits",
                        self.name
                    ))
                })
            })
            .collect()
    }
}

/// Reads a small key-related file whole, refusing one over the limit
/// (from its size, or, for a pipe, once reading passes the limit).
pub(crate) fn read_small(path: &std::path::Path, limit: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::FileNotFound(path.display().to_string()),
        _ => Error::io(path, e),
    })?;
    let too_large = |size: u64| Error::TooLarge {
        what: path.display().to_string(),
        size,
        limit,
    };
    let size = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if size > limit {
        return Err(too_large(size));
    }
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}
