//! Receipts: random ids that prove a ballot was counted without saying what
//! it held, and the QR payload printed on the receipt slip.
//!
//! Payload v2 (what a station prints):
//! `VK2:<first 32 hex digits of the definition hash>:<32 hex station key fingerprint>:<receipt id>`,
//! or the definition's verification URL with that payload as its fragment
//! (`https://example.org/verify#VK2:...`). The fingerprint names the key
//! that must sign the result the receipt is looked up in, so `verify.html`
//! can tell a voter "this result was not signed by your kiosk". `parse`
//! also reads v1 payloads (`VK1:<16 hex>:<receipt id>`, no fingerprint),
//! in any case, with or without dashes.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::crypto::base32;
use crate::definition::DefinitionHash;
use crate::error::{Error, Result};

/// Symbols in a receipt id: 16 × 5 = 80 random bits.
pub const RECEIPT_SYMBOLS: usize = 16;
/// The length of a receipt id as shown: the symbols and a dash between
/// each group of four.
pub const GROUPED_LEN: usize = RECEIPT_SYMBOLS + RECEIPT_SYMBOLS / 4 - 1;
/// The prefix of the payload a station prints.
pub const PAYLOAD_PREFIX: &str = "VK2";
/// The prefix of version-1 payloads, still read.
pub const PAYLOAD_PREFIX_V1: &str = "VK1";
/// Hex digits of the definition hash in a v2 payload (128 bits).
pub const ELECTION_HEX: usize = 32;
/// Hex digits of the definition hash in a v1 payload (64 bits).
pub const ELECTION_HEX_V1: usize = 16;

/// What a voter gets after casting (`Station::cast_ballot`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CastReceipt {
    pub receipt: ReceiptId,
    /// The QR payload for the slip.
    pub payload: String,
    pub test: bool,
    /// The fingerprint of that station's signing key (printed on the slip,
    /// and carried by the payload).
    pub station_key: KeyFingerprint,
}

/// A 32-byte public key's fingerprint: the first 128 bits of its SHA-256.
/// Shown as 8 groups of 4 hex digits (`9f3a 1c2b …`), carried in a payload
/// as 32 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyFingerprint(pub [u8; 16]);

impl KeyFingerprint {
    /// The fingerprint of `public_key`.
    pub fn of(public_key: &[u8; 32]) -> KeyFingerprint {
        let digest = Sha256::digest(public_key);
        let mut out = [0u8; 16];
        out.copy_from_slice(&digest[..16]);
        KeyFingerprint(out)
    }

    /// 32 lowercase hex digits, as in a payload.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Eight groups of four hex digits, as printed and shown.
    pub fn grouped(&self) -> String {
        group_hex(&self.to_hex())
    }

    /// Reads 32 hex digits (any case).
    pub fn parse_hex(text: &str) -> Option<KeyFingerprint> {
        if text.len() != 32 {
            return None;
        }
        let mut out = [0u8; 16];
        hex::decode_to_slice(text.to_ascii_lowercase(), &mut out).ok()?;
        Some(KeyFingerprint(out))
    }
}

impl fmt::Display for KeyFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.grouped())
    }
}

/// Hex digits in groups of four, separated by spaces.
pub fn group_hex(hex: &str) -> String {
    hex.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The election part of a v2 payload: the definition hash's first 32 hex digits.
pub fn election_part(definition: DefinitionHash) -> String {
    hex::encode(&definition.0[..ELECTION_HEX / 2])
}

/// A receipt id, stored and shown as four dash-separated groups of four.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReceiptId(String);

impl ReceiptId {
    pub fn random(rng: &mut dyn rand::RngCore) -> Self {
        ReceiptId(base32::group(&base32::encode_values(&base32::random_values(
            rng,
            RECEIPT_SYMBOLS,
        ))))
    }

    /// Parses a bare receipt id (any case, dashes optional, Crockford readings).
    pub fn parse(text: &str) -> Result<Self> {
        let values = base32::decode_lenient(text)
            .ok_or_else(|| Error::ReceiptMalformed("a receipt id uses only letters and digits".into()))?;
        if values.len() != RECEIPT_SYMBOLS {
            return Err(Error::ReceiptMalformed(format!(
                "a receipt id has {RECEIPT_SYMBOLS} characters, this has {}",
                values.len()
            )));
        }
        Ok(ReceiptId(base32::group(&base32::encode_values(&values))))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `text` is a receipt id exactly as `as_str` shows it (four
    /// groups of four symbols of the alphabet, dashes between), checked in
    /// place: what `parse(text)` then `as_str() == text` decides, without
    /// allocating (a merge checks millions).
    pub fn is_grouped_form(text: &str) -> bool {
        let bytes = text.as_bytes();
        bytes.len() == GROUPED_LEN
            && bytes.iter().enumerate().all(|(i, b)| {
                if i % 5 == 4 {
                    *b == b'-'
                } else {
                    base32::ALPHABET.contains(b)
                }
            })
    }

    /// The v2 QR payload for this receipt, cast at the station whose signing
    /// key has fingerprint `station_key`.
    pub fn payload(
        &self,
        definition: DefinitionHash,
        station_key: &KeyFingerprint,
        verification_url: Option<&str>,
    ) -> String {
        let core = format!(
            "{PAYLOAD_PREFIX}:{}:{}:{}",
            election_part(definition),
            station_key.to_hex(),
            self.0
        );
        match verification_url {
            Some(url) => format!("{url}#{core}"),
            None => core,
        }
    }
}

impl fmt::Display for ReceiptId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a scanned or typed receipt says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedReceipt {
    /// The election part, lowercase, when the payload had one: the first 16
    /// (`VK1`) or 32 (`VK2`) hex digits of the definition hash.
    pub definition_short: Option<String>,
    /// The station key's fingerprint (`VK2` payloads only).
    pub station_key: Option<KeyFingerprint>,
    pub id: ReceiptId,
}

impl ParsedReceipt {
    /// Whether the election part (if any) is a prefix of `definition`'s hash.
    pub fn matches_definition(&self, definition: DefinitionHash) -> bool {
        self.definition_short
            .as_deref()
            .is_none_or(|part| definition.to_hex().starts_with(part))
    }
}

/// Parses a QR payload (v2 or v1), a verification URL, or a bare receipt id.
pub fn parse(text: &str) -> Result<ParsedReceipt> {
    let text = text.trim();
    if text.len() > 2000 {
        return Err(Error::ReceiptMalformed("text too long".into()));
    }
    let core = match text.split_once('#') {
        Some((url, fragment)) => {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(Error::ReceiptMalformed(
                    "only an http(s) URL may carry a receipt fragment".into(),
                ));
            }
            fragment
        }
        None => text,
    };
    let election = |hash: &str, digits: usize| {
        let hash = hash.to_ascii_lowercase();
        if hash.len() != digits || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::ReceiptMalformed(format!(
                "the election part must be {digits} hex digits"
            )));
        }
        Ok(hash)
    };
    let parts: Vec<&str> = core.split(':').collect();
    match parts.as_slice() {
        [id] => Ok(ParsedReceipt {
            definition_short: None,
            station_key: None,
            id: ReceiptId::parse(id)?,
        }),
        [prefix, hash, key, id] if prefix.eq_ignore_ascii_case(PAYLOAD_PREFIX) => {
            let definition_short = Some(election(hash, ELECTION_HEX)?);
            let station_key = KeyFingerprint::parse_hex(key).ok_or_else(|| {
                Error::ReceiptMalformed("the station key part must be 32 hex digits".into())
            })?;
            Ok(ParsedReceipt {
                definition_short,
                station_key: Some(station_key),
                id: ReceiptId::parse(id)?,
            })
        }
        [prefix, hash, id] if prefix.eq_ignore_ascii_case(PAYLOAD_PREFIX_V1) => Ok(ParsedReceipt {
            definition_short: Some(election(hash, ELECTION_HEX_V1)?),
            station_key: None,
            id: ReceiptId::parse(id)?,
        }),
        _ => Err(Error::ReceiptMalformed(
            "expected VK2:<election>:<station key>:<receipt>, VK1:<election>:<receipt> or a receipt id"
                .into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    const KEY: KeyFingerprint =
        KeyFingerprint([0x9f, 0x3a, 0x1c, 0x2b, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xa, 0xb]);

    /// The in-place check agrees with parsing and showing again, on valid
    /// ids, their lower-case and ungrouped spellings, and damaged ones.
    #[test]
    fn the_grouped_form_check_agrees_with_parse_then_show() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let mut checked = 0;
        for _ in 0..5_000 {
            let id = ReceiptId::random(&mut rng).as_str().to_string();
            let mut variants = vec![
                id.clone(),
                id.to_lowercase(),
                id.replace('-', ""),
                format!("{id}-"),
            ];
            let mut bytes = id.clone().into_bytes();
            let at = rng.gen_range(0..bytes.len());
            bytes[at] = b"0OIL-uU ZzA9"[rng.gen_range(0..12)];
            variants.push(String::from_utf8(bytes).expect("ascii"));
            variants.push(id[..id.len() - 1].to_string());
            for text in variants {
                let by_parse = ReceiptId::parse(&text)
                    .map(|r| r.as_str() == text)
                    .unwrap_or(false);
                assert_eq!(ReceiptId::is_grouped_form(&text), by_parse, "{text:?}");
                checked += 1;
            }
        }
        assert!(ReceiptId::is_grouped_form(ReceiptId::random(&mut rng).as_str()));
        assert_eq!(checked, 30_000);
    }

    #[test]
    fn payload_round_trips_in_every_accepted_form() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let hash = DefinitionHash([0xab; 32]);
        for _ in 0..50 {
            let id = ReceiptId::random(&mut rng);
            let payload = id.payload(hash, &KEY, None);
            assert_eq!(
                payload,
                format!("VK2:{}:9f3a1c2b000102030405060708090a0b:{id}", "ab".repeat(16))
            );
            let bare = parse(&payload).expect("bare payload");
            assert_eq!(bare.id, id);
            assert_eq!(bare.definition_short, Some("ab".repeat(16)));
            assert_eq!(bare.station_key, Some(KEY));
            assert!(bare.matches_definition(hash));
            assert!(!bare.matches_definition(DefinitionHash([0xac; 32])));
            let url =
                parse(&id.payload(hash, &KEY, Some("https://example.org/verify"))).expect("url payload");
            assert_eq!(url, bare);
            let shouted = parse(&payload.to_uppercase()).expect("upper case");
            assert_eq!(shouted, bare);
            let sloppy = parse(&id.as_str().replace('-', "").to_lowercase()).expect("bare id");
            assert_eq!(sloppy.id, id);
            assert_eq!(sloppy.station_key, None);
            assert!(sloppy.matches_definition(DefinitionHash([0; 32])));
        }
    }

    #[test]
    fn version_one_payloads_still_read_without_a_fingerprint() {
        let v1 = parse("vk1:ABABABABABABABAB:5v96-0pzr-8z4t-kp9c").expect("v1");
        assert_eq!(v1.id.as_str(), "5V96-0PZR-8Z4T-KP9C");
        assert_eq!(v1.definition_short.as_deref(), Some("abababababababab"));
        assert_eq!(v1.station_key, None);
        assert!(v1.matches_definition(DefinitionHash([0xab; 32])));
        assert!(!v1.matches_definition(DefinitionHash([0xaa; 32])));
    }

    #[test]
    fn fingerprints_print_in_eight_groups() {
        // SHA-256 of 32 zero bytes starts 66687aadf862bd776c8fc18b8e9f8e20.
        let fp = KeyFingerprint::of(&[0; 32]);
        assert_eq!(fp.to_hex(), "66687aadf862bd776c8fc18b8e9f8e20");
        assert_eq!(fp.grouped(), "6668 7aad f862 bd77 6c8f c18b 8e9f 8e20");
        assert_eq!(
            KeyFingerprint::parse_hex("66687AADF862BD776C8FC18B8E9F8E20"),
            Some(fp)
        );
        assert_eq!(KeyFingerprint::parse_hex("66687aad"), None);
    }

    #[test]
    fn the_fingerprint_is_the_one_signed_files_and_reports_show() {
        for key in [[0u8; 32], [7; 32], [0xff; 32]] {
            assert_eq!(
                KeyFingerprint::of(&key).grouped(),
                crate::signed::fingerprint(&key)
            );
        }
    }

    #[test]
    fn rejects_malformed() {
        let hex32 = "ab".repeat(16);
        for bad in [
            "".to_string(),
            "VK1:zz:ABCD".into(),
            // A v1 prefix with a v2 election part, and the other way round.
            format!("VK1:{hex32}:0000-0000-0000-0000"),
            "VK2:abababababababab:9f3a1c2b000102030405060708090a0b:0000-0000-0000-0000".into(),
            // v2 without its fingerprint, or with a short or non-hex one.
            format!("VK2:{hex32}:0000-0000-0000-0000"),
            format!("VK2:{hex32}:9f3a1c2b:0000-0000-0000-0000"),
            format!("VK2:{hex32}:{}:0000-0000-0000-0000", "zz".repeat(16)),
            format!("VK3:{hex32}:9f3a1c2b000102030405060708090a0b:0000-0000-0000-0000"),
            "ftp://x#VK1".into(),
            "0000-0000-0000-000U".into(),
            "0000-0000".into(),
        ] {
            assert!(parse(&bad).is_err(), "{bad:?} accepted");
        }
    }
}
