//! The station file key: Argon2id over the election passphrase.
//!
//! Parameters are fixed by the file format (`votekiosk-station/1`) and
//! documented in `docs/formats.md`: 256 MiB of memory, 3 passes, 1 lane,
//! 32-byte output; the 16-byte salt is SQLCipher's own file salt (the first
//! 16 bytes of the file), so the file alone plus the passphrase opens it.

use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

pub const MEMORY_KIB: u32 = 256 * 1024;
pub const PASSES: u32 = 3;
pub const LANES: u32 = 1;
pub const SALT_LEN: usize = 16;
pub const KEY_LEN: usize = 32;
/// The shortest election passphrase accepted when creating a station.
pub const MIN_PASSPHRASE_CHARS: usize = 12;

/// Derives the 32-byte SQLCipher key from the passphrase and the file salt.
pub fn derive_file_key(passphrase: &str, salt: &[u8; SALT_LEN]) -> Result<Zeroizing<[u8; KEY_LEN]>> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, Some(KEY_LEN))
        .map_err(|e| Error::InvalidInput(format!("key derivation parameters: {e}")))?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    argon
        .hash_password_into(passphrase.as_bytes(), salt, key.as_mut())
        .map_err(|e| Error::InvalidInput(format!("key derivation failed: {e}")))?;
    Ok(key)
}
