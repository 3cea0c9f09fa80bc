//! Receipts: random ids that prove a ballot was counted without saying what
//! it held, and the QR payload printed on the receipt slip.
//!
//! Payload: `VK1:<first 16 hex digits of the definition hash>:<receipt id>`,
//! or the definition's verification URL with that payload as its fragment
//! (`https://example.org/verify#VK1:...`). `parse` accepts both, in any
//! case, with or without dashes.

use std::fmt;

use crate::crypto::base32;
use crate::definition::DefinitionHash;
use crate::error::{Error, Result};

/// Symbols in a receipt id: 16 × 5 = 80 random bits.
pub const RECEIPT_SYMBOLS: usize = 16;
pub const PAYLOAD_PREFIX: &str = "VK1";

/// What a voter gets after casting (`Station::cast_ballot`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CastReceipt {
    pub receipt: ReceiptId,
    /// The QR payload for the slip.
    pub payload: String,
    pub test: bool,
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

    /// The QR payload for this receipt.
    pub fn payload(&self, definition: DefinitionHash, verification_url: Option<&str>) -> String {
        let core = format!("{PAYLOAD_PREFIX}:{}:{}", definition.short(), self.0);
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
    /// First 16 hex digits of the definition hash, when the payload had them.
    pub definition_short: Option<String>,
    pub id: ReceiptId,
}

/// Parses a QR payload, a verification URL, or a bare receipt id.
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
    let parts: Vec<&str> = core.split(':').collect();
    match parts.as_slice() {
        [id] => Ok(ParsedReceipt {
            definition_short: None,
            id: ReceiptId::parse(id)?,
        }),
        [prefix, hash, id] if prefix.eq_ignore_ascii_case(PAYLOAD_PREFIX) => {
            let hash = hash.to_ascii_lowercase();
            if hash.len() != 16 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(Error::ReceiptMalformed(
                    "the election part must be 16 hex digits".into(),
                ));
            }
            Ok(ParsedReceipt {
                definition_short: Some(hash),
                id: ReceiptId::parse(id)?,
            })
        }
        _ => Err(Error::ReceiptMalformed(
            "expected VK1:<election>:<receipt> or a receipt id".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn payload_round_trips_in_every_accepted_form() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let hash = DefinitionHash([0xab; 32]);
        for _ in 0..50 {
            let id = ReceiptId::random(&mut rng);
            let bare = parse(&id.payload(hash, None)).expect("bare payload");
            assert_eq!(bare.id, id);
            assert_eq!(bare.definition_short.as_deref(), Some("abababababababab"));
            let url = parse(&id.payload(hash, Some("https://example.org/verify"))).expect("url payload");
            assert_eq!(url.id, id);
            let sloppy = parse(&id.as_str().replace('-', "").to_lowercase()).expect("bare id");
            assert_eq!(sloppy.id, id);
        }
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "VK1:zz:ABCD",
            "VK2:abababababababab:0000-0000-0000-0000",
            "ftp://x#VK1",
            "0000-0000-0000-000U",
            "0000-0000",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
