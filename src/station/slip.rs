//! The closing-key share slip's QR payload (docs/formats.md, "Closing key
//! and PIN slips"): `VKS2:` then Crockford base32 (no check symbol) of 77
//! bytes: version 2, index, K, N, generation, the first 8 bytes of the
//! station key's fingerprint, a 16-byte Argon2id salt, and the share
//! sealed with ChaCha20-Poly1305 (nonce zero, AAD the 29 bytes before it)
//! under the slip key
//! `HKDF-SHA256(salt = pepper_i, IKM = Argon2id(PIN, salt), "votekiosk-slip/2" ‖ [i], 32)`.
//!
//! The same format as `keys::slip` (helper `keys`); the station keeps this
//! private copy until that module lands, and the two must give the same
//! bytes.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::ChaCha20Poly1305;
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::crypto::base32::{value, ALPHABET};
use crate::error::{Error, Result};

pub const PREFIX: &str = "VKS2:";
pub const VERSION: u8 = 2;
/// The header bound as AAD: version, index, K, N, generation, fingerprint, salt.
const HEADER: usize = 5 + 8 + 16;
const LEN: usize = HEADER + 48;
/// The fewest digits of a slip PIN.
pub const MIN_PIN_DIGITS: usize = 8;
const SLIP_INFO: &[u8] = b"votekiosk-slip/2";
/// Argon2id parameters of the PIN (as the station file key's).
const MEMORY_KIB: u32 = 256 * 1024;
const PASSES: u32 = 3;

/// A slip payload, parsed.
#[derive(Clone, PartialEq, Eq)]
pub struct Slip {
    pub index: u8,
    pub threshold: u8,
    pub count: u8,
    pub generation: u8,
    /// The first 8 bytes of SHA-256 of the station's signing key.
    pub station: [u8; 8],
    pub salt: [u8; 16],
    pub sealed: [u8; 48],
}

impl std::fmt::Debug for Slip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Slip {{ index: {}, {} of {} }}",
            self.index, self.threshold, self.count
        )
    }
}

/// Checks that a PIN is at least 8 digits and nothing else.
pub fn check_pin(pin: &str) -> Result<()> {
    if pin.len() >= MIN_PIN_DIGITS && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Error::WeakPin { min: MIN_PIN_DIGITS })
    }
}

fn slip_key(pin: &str, salt: &[u8; 16], pepper: &[u8; 32], index: u8) -> Result<Zeroizing<[u8; 32]>> {
    let params = Params::new(MEMORY_KIB, PASSES, 1, Some(32))
        .map_err(|e| Error::InvalidInput(format!("key derivation parameters: {e}")))?;
    let mut stretched = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(pin.as_bytes(), salt, stretched.as_mut())
        .map_err(|e| Error::InvalidInput(format!("key derivation failed: {e}")))?;
    let mut key = Zeroizing::new([0u8; 32]);
    let info = [SLIP_INFO, &[index]].concat();
    Hkdf::<Sha256>::new(Some(pepper), stretched.as_ref())
        .expand(&info, key.as_mut())
        .map_err(|_| Error::InvalidInput("slip key derivation failed".into()))?;
    Ok(key)
}

impl Slip {
    fn header(&self) -> [u8; HEADER] {
        let mut h = [0u8; HEADER];
        h[..5].copy_from_slice(&[VERSION, self.index, self.threshold, self.count, self.generation]);
        h[5..13].copy_from_slice(&self.station);
        h[13..].copy_from_slice(&self.salt);
        h
    }

    /// Seals `share` (32 bytes) under the PIN and the slip's pepper.
    #[allow(clippy::too_many_arguments)]
    pub fn seal(
        share: &[u8; 32],
        pin: &str,
        pepper: &[u8; 32],
        index: u8,
        threshold: u8,
        count: u8,
        generation: u8,
        station: [u8; 8],
        salt: [u8; 16],
    ) -> Result<Slip> {
        check_pin(pin)?;
        let mut slip = Slip {
            index,
            threshold,
            count,
            generation,
            station,
            salt,
            sealed: [0; 48],
        };
        let key = slip_key(pin, &salt, pepper, index)?;
        let sealed = ChaCha20Poly1305::new(key.as_ref().into())
            .encrypt(
                &[0u8; 12].into(),
                Payload {
                    msg: share,
                    aad: &slip.header(),
                },
            )
            .map_err(|_| Error::InvalidInput("cannot seal a slip".into()))?;
        slip.sealed.copy_from_slice(&sealed);
        Ok(slip)
    }

    /// Opens the share with the PIN; a wrong PIN (or a changed slip) is
    /// `Error::WrongPin`.
    pub fn open(&self, pin: &str, pepper: &[u8; 32]) -> Result<Zeroizing<[u8; 32]>> {
        let key = slip_key(pin, &self.salt, pepper, self.index)?;
        let plain = ChaCha20Poly1305::new(key.as_ref().into())
            .decrypt(
                &[0u8; 12].into(),
                Payload {
                    msg: &self.sealed,
                    aad: &self.header(),
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| Error::WrongPin { index: self.index })?;
        let mut share = Zeroizing::new([0u8; 32]);
        share.copy_from_slice(&plain);
        Ok(share)
    }

    fn to_bytes(&self) -> [u8; LEN] {
        let mut b = [0u8; LEN];
        b[..HEADER].copy_from_slice(&self.header());
        b[HEADER..].copy_from_slice(&self.sealed);
        b
    }

    /// The QR payload: `VKS2:` and 124 base32 symbols.
    pub fn payload(&self) -> String {
        let bytes = self.to_bytes();
        let mut out = String::from(PREFIX);
        let (mut acc, mut bits) = (0u32, 0u32);
        for byte in bytes {
            acc = (acc << 8) | u32::from(byte);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                out.push(char::from(ALPHABET[((acc >> bits) & 31) as usize]));
            }
        }
        if bits > 0 {
            out.push(char::from(ALPHABET[((acc << (5 - bits)) & 31) as usize]));
        }
        out
    }

    /// Reads a payload (as scanned or typed: case and surrounding space
    /// do not matter).
    pub fn parse(text: &str) -> Result<Slip> {
        let bad = |why: &str| Error::SlipMalformed(why.to_string());
        let text = text.trim();
        let body = text
            .get(..PREFIX.len())
            .filter(|p| p.eq_ignore_ascii_case(PREFIX))
            .map(|_| &text[PREFIX.len()..])
            .ok_or_else(|| bad("it does not start with VKS2:"))?;
        let symbols = (LEN * 8).div_ceil(5);
        if body.chars().count() != symbols {
            return Err(bad("it has the wrong length"));
        }
        let mut bytes = Vec::with_capacity(LEN);
        let (mut acc, mut bits) = (0u32, 0u32);
        for c in body.chars() {
            let v = value(c).ok_or_else(|| bad("it holds a character that is not base32"))?;
            acc = (acc << 5) | u32::from(v);
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                bytes.push((acc >> bits) as u8);
            }
        }
        if acc & ((1 << bits) - 1) != 0 {
            return Err(bad("its last symbol has stray bits"));
        }
        if bytes[0] != VERSION {
            return Err(bad("unknown slip version"));
        }
        let (index, threshold, count) = (bytes[1], bytes[2], bytes[3]);
        if index == 0 || index > count || threshold < 2 || threshold > count {
            return Err(bad("its share numbers are impossible"));
        }
        let mut slip = Slip {
            index,
            threshold,
            count,
            generation: bytes[4],
            station: [0; 8],
            salt: [0; 16],
            sealed: [0; 48],
        };
        slip.station.copy_from_slice(&bytes[5..13]);
        slip.salt.copy_from_slice(&bytes[13..HEADER]);
        slip.sealed.copy_from_slice(&bytes[HEADER..]);
        Ok(slip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_reads_back_and_opens_only_with_its_pin() {
        let share = [42u8; 32];
        let pepper = [9u8; 32];
        let slip = Slip::seal(&share, "12345678", &pepper, 2, 2, 3, 1, [1; 8], [5; 16]).expect("seal");
        let payload = slip.payload();
        assert!(payload.starts_with("VKS2:"));
        assert_eq!(
            payload.len(),
            129,
            "at most 129 characters in QR alphanumeric mode"
        );
        let back = Slip::parse(&payload.to_lowercase()).expect("parse");
        assert!(back == slip);
        assert_eq!(*back.open("12345678", &pepper).expect("open"), share);
        assert!(matches!(
            back.open("12345679", &pepper),
            Err(Error::WrongPin { index: 2 })
        ));
        assert!(matches!(
            back.open("12345678", &[8; 32]),
            Err(Error::WrongPin { index: 2 })
        ));
        assert!(matches!(check_pin("1234567"), Err(Error::WeakPin { .. })));
        assert!(matches!(check_pin("1234567a"), Err(Error::WeakPin { .. })));
        let mut garbled = payload.clone();
        garbled.replace_range(40..41, if &payload[40..41] == "0" { "1" } else { "0" });
        let g = Slip::parse(&garbled);
        assert!(g.is_err() || g.expect("parsed").open("12345678", &pepper).is_err());
        assert!(Slip::parse("VKS2:ABC").is_err());
        assert!(Slip::parse(&payload.replace("VKS2:", "VKS1:")).is_err());
    }
}
