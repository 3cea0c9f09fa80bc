//! A poll worker's share slip (`docs/formats.md`, "Share slips"): the QR
//! payload `VKS2:` + Crockford base32 (no check symbol) of 77 bytes, one
//! share of the station closing key locked under the slip key
//! `HKDF-SHA256(salt = pepper, IKM = Argon2id(PIN, salt), info =
//! "votekiosk-slip/2" ‖ [i])`. The pepper stays in the station file, so a
//! PIN can only be guessed with the slip, the file and its passphrase
//! together. This module is the codec and the key derivation; the station
//! makes and reads slips.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::ChaCha20Poly1305;
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::{argon2id, KdfParams, ITERATIONS, MEMORY_KIB, PARALLELISM};
use crate::crypto::base32::ALPHABET;
use crate::crypto::shares::Share;
use crate::error::{Error, Result};

/// The payload's prefix.
pub const PREFIX: &str = "VKS2:";
/// The payload's version byte.
pub const VERSION: u8 = 2;
/// Bytes in a slip: 29 of header (the AAD) and 48 of sealed share.
pub const SLIP_BYTES: usize = 77;
const HEADER_BYTES: usize = 29;
/// Base32 symbols after the prefix (ceil(77 · 8 / 5)).
pub const SYMBOLS: usize = (SLIP_BYTES * 8).div_ceil(5);
/// The shortest PIN: 8 digits.
pub const MIN_PIN_DIGITS: usize = 8;
/// The longest PIN accepted.
pub const MAX_PIN_DIGITS: usize = 32;
const INFO: &[u8] = b"votekiosk-slip/2";

/// The public part of a slip: readable without the PIN, so the station
/// can find the pepper of slip `index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlipHeader {
    pub index: u8,
    pub threshold: u8,
    pub count: u8,
    pub generation: u8,
    /// The first 8 bytes of the station signing key's fingerprint
    /// (`SHA-256(key)[0..8]`): which station the slip belongs to.
    pub station: [u8; 8],
}

impl SlipHeader {
    fn validate(&self) -> Result<()> {
        if self.index == 0 || self.index > self.count || self.threshold < 2 || self.threshold > self.count {
            return Err(Error::SlipMalformed(format!(
                "share {} of {} with threshold {} is not possible",
                self.index, self.count, self.threshold
            )));
        }
        Ok(())
    }
}

/// The first 8 bytes of a station key's fingerprint, as a slip holds them.
pub fn station_tag(station_public_key: &[u8; 32]) -> [u8; 8] {
    use sha2::Digest;
    let digest = Sha256::digest(station_public_key);
    let mut out = [0u8; 8];
    out.copy_from_slice(&digest[..8]);
    out
}

/// A parsed slip: header, Argon2id salt and the sealed share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slip {
    pub header: SlipHeader,
    salt: [u8; 16],
    sealed: [u8; 48],
}

/// Refuses a PIN that is not 8–32 ASCII digits.
pub fn check_pin(pin: &str) -> Result<()> {
    if pin.len() < MIN_PIN_DIGITS || pin.len() > MAX_PIN_DIGITS || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::WeakPin { min: MIN_PIN_DIGITS });
    }
    Ok(())
}

/// The slip key of slip `index`: `HKDF-SHA256(salt = pepper, IKM =
/// Argon2id(PIN, salt; 256 MiB, 3 passes, 1 lane), info = "votekiosk-slip/2" ‖ [index], 32)`.
pub fn slip_key(pepper: &[u8; 32], pin: &str, salt: &[u8; 16], index: u8) -> Result<Zeroizing<[u8; 32]>> {
    let kdf = KdfParams {
        memory_kib: MEMORY_KIB,
        iterations: ITERATIONS,
        parallelism: PARALLELISM,
        salt: *salt,
    };
    let stretched = argon2id(pin.as_bytes(), salt, &kdf)?;
    let hk = Hkdf::<Sha256>::new(Some(pepper), stretched.as_ref());
    let mut info = INFO.to_vec();
    info.push(index);
    let mut key = Zeroizing::new([0u8; 32]);
    hk.expand(&info, key.as_mut())
        .map_err(|_| Error::InvalidInput("HKDF output length".into()))?;
    Ok(key)
}

impl Slip {
    /// Locks `share` (whose index is `header.index`) under the slip key of
    /// `pepper` and `pin`. Returns the slip; `payload()` gives its QR text.
    pub fn seal(
        header: SlipHeader,
        share: &Share,
        pepper: &[u8; 32],
        pin: &str,
        rng: &mut (impl rand_core::CryptoRngCore + ?Sized),
    ) -> Result<Slip> {
        let mut salt = [0u8; 16];
        rng.fill_bytes(&mut salt);
        Slip::seal_with_salt(header, share, pepper, pin, salt)
    }

    /// `seal` with a given Argon2id salt (for test vectors; a real slip
    /// takes a fresh random salt).
    pub fn seal_with_salt(
        header: SlipHeader,
        share: &Share,
        pepper: &[u8; 32],
        pin: &str,
        salt: [u8; 16],
    ) -> Result<Slip> {
        check_pin(pin)?;
        header.validate()?;
        if share.index != header.index {
            return Err(Error::InvalidInput(
                "the share's index differs from the slip's".into(),
            ));
        }
        let key = slip_key(pepper, pin, &salt, header.index)?;
        let aad = header_bytes(&header, &salt);
        // The nonce is zero: every slip key is used once (fresh salt).
        let out = ChaCha20Poly1305::new(key.as_ref().into())
            .encrypt(
                &[0u8; 12].into(),
                Payload {
                    msg: share.value.as_ref(),
                    aad: &aad,
                },
            )
            .map_err(|_| Error::InvalidInput("encryption failed".into()))?;
        let sealed: [u8; 48] = out
            .try_into()
            .map_err(|_| Error::InvalidInput("unexpected ciphertext length".into()))?;
        Ok(Slip { header, salt, sealed })
    }

    /// The 77 bytes.
    pub fn to_bytes(&self) -> [u8; SLIP_BYTES] {
        let mut out = [0u8; SLIP_BYTES];
        out[..HEADER_BYTES].copy_from_slice(&header_bytes(&self.header, &self.salt));
        out[HEADER_BYTES..].copy_from_slice(&self.sealed);
        out
    }

    /// The QR payload: `VKS2:` and 124 Crockford base32 symbols.
    pub fn payload(&self) -> String {
        format!("{PREFIX}{}", encode_base32(&self.to_bytes()))
    }

    /// Reads a payload (scanned or typed; case and Crockford's lenient
    /// readings accepted, spaces and dashes ignored). The PIN is not needed.
    pub fn parse(payload: &str) -> Result<Slip> {
        let text = payload.trim();
        let rest = text
            .get(..PREFIX.len())
            .filter(|p| p.eq_ignore_ascii_case(PREFIX))
            .and_then(|_| text.get(PREFIX.len()..))
            .ok_or_else(|| Error::SlipMalformed(format!("a slip's code starts with {PREFIX}")))?;
        let bytes = decode_base32(rest)?;
        if bytes[0] != VERSION {
            return Err(Error::SlipMalformed(format!("unknown slip version {}", bytes[0])));
        }
        let mut station = [0u8; 8];
        station.copy_from_slice(&bytes[5..13]);
        let header = SlipHeader {
            index: bytes[1],
            threshold: bytes[2],
            count: bytes[3],
            generation: bytes[4],
            station,
        };
        header.validate()?;
        let mut salt = [0u8; 16];
        salt.copy_from_slice(&bytes[13..29]);
        let mut sealed = [0u8; 48];
        sealed.copy_from_slice(&bytes[29..]);
        Ok(Slip { header, salt, sealed })
    }

    /// Opens the share with the slip's pepper and the worker's PIN. A wrong
    /// PIN (or pepper, or a changed byte) is `Error::WrongPin`.
    pub fn open(&self, pepper: &[u8; 32], pin: &str) -> Result<Share> {
        let key = slip_key(pepper, pin, &self.salt, self.header.index)?;
        let aad = header_bytes(&self.header, &self.salt);
        let plain = Zeroizing::new(
            ChaCha20Poly1305::new(key.as_ref().into())
                .decrypt(
                    &[0u8; 12].into(),
                    Payload {
                        msg: &self.sealed,
                        aad: &aad,
                    },
                )
                .map_err(|_| Error::WrongPin {
                    index: self.header.index,
                })?,
        );
        let mut value = Zeroizing::new([0u8; 32]);
        value.copy_from_slice(&plain[..32]);
        Ok(Share {
            index: self.header.index,
            value,
        })
    }
}

fn header_bytes(header: &SlipHeader, salt: &[u8; 16]) -> [u8; HEADER_BYTES] {
    let mut out = [0u8; HEADER_BYTES];
    out[0] = VERSION;
    out[1] = header.index;
    out[2] = header.threshold;
    out[3] = header.count;
    out[4] = header.generation;
    out[5..13].copy_from_slice(&header.station);
    out[13..].copy_from_slice(salt);
    out
}

/// Crockford base32 of bytes, most significant bit first, the last symbol
/// padded with zero bits.
pub fn encode_base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity((bytes.len() * 8).div_ceil(5));
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        acc = (acc << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((acc >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn decode_base32(text: &str) -> Result<[u8; SLIP_BYTES]> {
    let values = crate::crypto::base32::decode_lenient(text)
        .ok_or_else(|| Error::SlipMalformed("a character is not Crockford base32".into()))?;
    if values.len() != SYMBOLS {
        return Err(Error::SlipMalformed(format!(
            "a slip's code has {SYMBOLS} characters after {PREFIX}, this one {}",
            values.len()
        )));
    }
    let mut out = [0u8; SLIP_BYTES];
    let mut acc: u32 = 0;
    let mut bits = 0;
    let mut n = 0;
    for v in values {
        acc = (acc << 5) | v as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out[n] = (acc >> bits) as u8;
            n += 1;
        }
        acc &= (1 << bits) - 1;
    }
    if acc != 0 {
        return Err(Error::SlipMalformed(
            "the last character's padding bits are not zero".into(),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn base32_round_trip_and_length() {
        let bytes: Vec<u8> = (0..SLIP_BYTES as u8).map(|i| i.wrapping_mul(37)).collect();
        let text = encode_base32(&bytes);
        assert_eq!(text.len(), SYMBOLS);
        assert_eq!(SYMBOLS, 124);
        assert_eq!(decode_base32(&text).expect("decode").to_vec(), bytes);
        assert_eq!(encode_base32(&[0xff]), "ZW");
        assert_eq!(encode_base32(b"f"), "CR");
    }

    #[test]
    fn pins_are_eight_or_more_digits() {
        assert!(check_pin("12345678").is_ok());
        assert!(matches!(check_pin("1234567"), Err(Error::WeakPin { min: 8 })));
        assert!(check_pin("1234567a").is_err());
        assert!(check_pin("１２３４５６７８").is_err());
    }

    /// One Argon2id run per open: the right PIN opens, a wrong one is a
    /// typed error; the payload is 129 QR-alphanumeric characters.
    #[test]
    fn a_slip_opens_with_its_pin_and_pepper_only() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let header = SlipHeader {
            index: 2,
            threshold: 2,
            count: 3,
            generation: 1,
            station: station_tag(&[7u8; 32]),
        };
        let share = Share {
            index: 2,
            value: Zeroizing::new([9u8; 32]),
        };
        let pepper = [4u8; 32];
        let slip = Slip::seal(header, &share, &pepper, "20261103", &mut rng).expect("seal");
        let payload = slip.payload();
        assert_eq!(payload.len(), 129);
        assert!(payload
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b':'));
        let read = Slip::parse(&payload.to_lowercase()).expect("parse");
        assert_eq!(read, slip);
        assert!(matches!(
            read.open(&pepper, "20261104"),
            Err(Error::WrongPin { index: 2 })
        ));
        assert!(matches!(
            read.open(&[5u8; 32], "20261103"),
            Err(Error::WrongPin { index: 2 })
        ));
        let opened = read.open(&pepper, "20261103").expect("open");
        assert_eq!((opened.index, *opened.value), (2, [9u8; 32]));
        // A changed header byte (the index) breaks the AAD.
        let mut bytes = slip.to_bytes();
        bytes[2] = 3;
        let changed = Slip::parse(&format!("{PREFIX}{}", encode_base32(&bytes))).expect("parse");
        assert!(changed.open(&pepper, "20261103").is_err());
    }

    #[test]
    fn malformed_payloads_are_named() {
        assert!(matches!(Slip::parse("VK2:ABC"), Err(Error::SlipMalformed(_))));
        assert!(matches!(Slip::parse("VKS2:ABC"), Err(Error::SlipMalformed(_))));
        let mut bytes = [0u8; SLIP_BYTES];
        bytes[0] = 1;
        assert!(Slip::parse(&format!("VKS2:{}", encode_base32(&bytes))).is_err());
        bytes[0] = VERSION;
        bytes[1] = 1;
        bytes[2] = 2;
        bytes[3] = 3;
        assert!(Slip::parse(&format!("VKS2:{}", encode_base32(&bytes))).is_ok());
        let mut text = encode_base32(&bytes);
        text.pop();
        text.push('1'); // a padding bit set
        assert!(Slip::parse(&format!("VKS2:{text}")).is_err());
        text.pop();
        text.push('U');
        assert!(Slip::parse(&format!("VKS2:{text}")).is_err());
    }
}
