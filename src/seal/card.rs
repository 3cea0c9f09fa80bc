//! Ballot cards (docs/formats.md, "Ballot cards"): the random card id
//! printed on each voter-verified card, and the QR an audit board scans.
//!
//! The card id is 80 random bits (the sealed plaintext's `card_id`
//! field), never all zeros: zeros mean "no card" in an election without
//! cards. It is printed as 16 Crockford base32 symbols and a Luhn mod 32
//! check symbol, grouped `XXXX-XXXX-XXXX-XXXX-C`.
//!
//! The QR holds `VKC2:` and the base32 of the ballot's sealed plaintext
//! (`plaintext::encode`: version byte, card id, one fixed-length block per
//! contest). Every symbol is in the QR alphanumeric set, so the code stays
//! small. It reveals nothing the printed text does not already show.

use std::fmt;

use rand_core::CryptoRngCore;

use super::plaintext::{self, CARD_ID_LEN};
use crate::ballot::Ballot;
use crate::crypto::base32;
use crate::definition::ElectionDefinition;
use crate::error::{Error, Result};

/// The prefix of a card's QR payload.
pub const QR_PREFIX: &str = "VKC2:";

/// Symbols of a card id (80 bits), before the check symbol.
const SYMBOLS: usize = CARD_ID_LEN * 8 / 5;

/// A ballot card's random id (80 bits, never all zeros).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CardId([u8; CARD_ID_LEN]);

impl CardId {
    /// A fresh random card id.
    pub fn random(rng: &mut (impl CryptoRngCore + ?Sized)) -> CardId {
        loop {
            let mut bytes = [0u8; CARD_ID_LEN];
            rng.fill_bytes(&mut bytes);
            if let Some(id) = CardId::from_bytes(bytes) {
                return id;
            }
        }
    }

    /// The id in these bytes; `None` for all zeros ("no card").
    pub fn from_bytes(bytes: [u8; CARD_ID_LEN]) -> Option<CardId> {
        (bytes != [0; CARD_ID_LEN]).then_some(CardId(bytes))
    }

    pub fn bytes(&self) -> &[u8; CARD_ID_LEN] {
        &self.0
    }

    /// `XXXX-XXXX-XXXX-XXXX-C`: 16 symbols and the check symbol.
    pub fn grouped(&self) -> String {
        let values = to_values(&self.0);
        let check = base32::luhn_check(&values);
        let text = base32::encode_values(&values);
        let mut out = String::with_capacity(SYMBOLS + 5);
        for (i, c) in text.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push('-');
            }
            out.push(c);
        }
        out.push('-');
        out.push_str(&base32::encode_values(&[check]));
        out
    }

    /// Reads a typed or scanned card id: any case, dashes and spaces
    /// optional, Crockford's readings (`O` as 0, `I`/`L` as 1); the check
    /// symbol must match.
    pub fn parse(text: &str) -> Result<CardId> {
        let bad = |why: &str| Error::InvalidInput(format!("card id {text:?}: {why}"));
        let mut values = Vec::with_capacity(SYMBOLS + 1);
        for c in text.chars().filter(|c| *c != '-' && !c.is_whitespace()) {
            values.push(base32::value(c).ok_or_else(|| bad(&format!("{c:?} is not a card id symbol")))?);
        }
        if values.len() != SYMBOLS + 1 {
            return Err(bad(&format!(
                "a card id has {} symbols (with its check symbol), this has {}",
                SYMBOLS + 1,
                values.len()
            )));
        }
        let check = values.pop().unwrap_or_default();
        if base32::luhn_check(&values) != check {
            return Err(bad("the check symbol does not match (a symbol was misread)"));
        }
        let bytes = from_values(&values).ok_or_else(|| bad("not a card id"))?;
        let bytes: [u8; CARD_ID_LEN] = bytes.try_into().map_err(|_| bad("not a card id"))?;
        CardId::from_bytes(bytes).ok_or_else(|| bad("the all-zero id is not a card"))
    }
}

impl fmt::Display for CardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.grouped())
    }
}

impl fmt::Debug for CardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardId({})", self.grouped())
    }
}

/// The QR payload of a card: `VKC2:` and the base32 of the ballot's
/// sealed plaintext with this card id.
pub fn qr_payload(definition: &ElectionDefinition, card: &CardId, ballot: &Ballot) -> Result<String> {
    let bytes = plaintext::encode(definition, ballot, card.bytes())
        .map_err(|e| Error::InvalidInput(format!("the ballot cannot go on a card: {}", e.0)))?;
    Ok(format!(
        "{QR_PREFIX}{}",
        base32::encode_values(&to_values(&bytes))
    ))
}

/// Reads a scanned card QR of this definition: the card id and the ballot
/// (in normal form).
pub fn parse_qr(definition: &ElectionDefinition, text: &str) -> Result<(CardId, Ballot)> {
    let bad = |why: String| Error::InvalidInput(format!("this is not a ballot card of this election: {why}"));
    let body = text
        .trim()
        .strip_prefix(QR_PREFIX)
        .ok_or_else(|| bad(format!("a card's QR starts with {QR_PREFIX}")))?;
    let values = body
        .chars()
        .map(|c| base32::value(c).ok_or_else(|| bad(format!("{c:?} is not a base32 symbol"))))
        .collect::<Result<Vec<u8>>>()?;
    let bytes =
        from_values(&values).ok_or_else(|| bad("its length is not a whole number of bytes".into()))?;
    let decoded = plaintext::decode(definition, &bytes).map_err(|e| bad(e.0))?;
    let card = CardId::from_bytes(decoded.card_id).ok_or_else(|| bad("it has no card id".into()))?;
    Ok((card, decoded.ballot))
}

/// Bytes as 5-bit values, most significant bit first, the last value
/// padded with zero bits.
fn to_values(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(((acc >> bits) & 31) as u8);
        }
    }
    if bits > 0 {
        out.push(((acc << (5 - bits)) & 31) as u8);
    }
    out
}

/// The inverse of `to_values`; `None` when the padding bits are not zero
/// or the values do not make whole bytes.
fn from_values(values: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(values.len() * 5 / 8);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &v in values {
        acc = ((acc << 5) | u32::from(v & 31)) & 0xFFFF;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xFF) as u8);
        }
    }
    // Fewer than 5 padding bits, all zero.
    (bits < 5 && acc & ((1 << bits) - 1) == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ballot::{Choice, SelectionsInput};
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    #[test]
    fn a_card_id_reads_back_from_its_grouped_form_in_any_case() {
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..200 {
            let id = CardId::random(&mut rng);
            let text = id.grouped();
            assert_eq!(text.len(), 16 + 4 + 1);
            assert_eq!(CardId::parse(&text).expect("parse"), id);
            assert_eq!(
                CardId::parse(&text.to_lowercase().replace('-', " ")).expect("parse"),
                id
            );
        }
    }

    #[test]
    fn a_misread_symbol_or_a_short_id_is_refused() {
        let id = CardId::random(&mut StdRng::seed_from_u64(1));
        let text = id.grouped();
        let first = text.chars().next().expect("a symbol");
        let other = if first == 'A' { 'B' } else { 'A' };
        let misread = format!("{other}{}", &text[1..]);
        assert!(CardId::parse(&misread).is_err());
        assert!(CardId::parse(&text[..text.len() - 2]).is_err());
        assert!(
            CardId::parse("0000-0000-0000-0000-0").is_err(),
            "the zero id is no card"
        );
    }

    #[test]
    fn bytes_survive_base32_of_every_length() {
        for n in 0..40usize {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(from_values(&to_values(&bytes)).expect("whole bytes"), bytes);
        }
    }

    #[test]
    fn a_card_qr_gives_back_its_card_id_and_ballot() {
        let definition = ElectionDefinition::parse(include_bytes!("../../examples/demo-election.json"))
            .expect("demo definition");
        let mut input = SelectionsInput::new();
        for contest in &definition.contests {
            if let Some(first) = contest.kind.candidates().first() {
                input.insert(contest.id.to_string(), vec![first.id.to_string()]);
            }
        }
        assert!(!input.is_empty());
        let ballot = Ballot::validate(&definition, &input).expect("valid");
        let card = CardId::random(&mut StdRng::seed_from_u64(3));
        let qr = qr_payload(&definition, &card, &ballot).expect("payload");
        assert!(qr.starts_with(QR_PREFIX));
        let (back_card, back) = parse_qr(&definition, &qr).expect("parse");
        assert_eq!(back_card, card);
        for (contest, choices) in &back.contests {
            let expected: Vec<&Choice> = ballot
                .contests
                .get(contest)
                .map(|c| c.iter().collect())
                .unwrap_or_default();
            assert_eq!(choices.iter().collect::<Vec<_>>(), expected, "{contest}");
        }
        assert!(parse_qr(&definition, &qr.replace("VKC2:", "VKX2:")).is_err());
        assert!(parse_qr(&definition, &qr[..qr.len() - 3]).is_err());
    }
}
