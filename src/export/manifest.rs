//! The audit manifest `votekiosk-audit-manifest/2` (docs/formats.md
//! §10.8): the one place where each ballot card id meets the cast vote
//! record of its ballot, sealed to the office key, written beside a
//! result whose cards are enabled. An audit board that pulls a card from a
//! box reads its id and finds its record through the opened manifest;
//! nobody else can link a card (or its receipt) to a record.
//!
//! Layout: three lines. The header (canonical JSON: the election, the
//! station, `records_sha512` — the result's `records.sha512`, which links
//! the manifest to its result without a cycle —, the boxes of the hand
//! count, the counts, `sealed_to`, the payload's digest), the signature
//! (the station's key, or the office signing key for an office count),
//! and the sealed payload as one JSON string (base64url of `enc ‖
//! ciphertext`, HPKE to the office encryption key, or the test key in a
//! test export, with `info("audit-manifest", office)` and, as AAD, the
//! header without its `payload` member). The plaintext is JSON lines:
//! `{"card":<grouped id>,"record":<32 hex>}` sorted by card, then
//! `{"spoiled":<grouped id>}` sorted.

use ed25519_dalek::SigningKey;
use rand_core::CryptoRngCore;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha512};
use zeroize::Zeroizing;

use super::format::{BoxCount, ResultHeader};
use crate::canonical::to_canonical_string;
use crate::crypto::seal::{self as hpke_seal, SealKeyPair, TEST_PUBLIC_KEY};
use crate::error::{Error, Result};
use crate::seal::card::CardId;
use crate::seal::{info, Kind, Recipient, Scope};
use crate::signed;

pub const MANIFEST_FORMAT: &str = "votekiosk-audit-manifest/2";

/// The longest line a manifest may have (a million cards fit).
const MAX_LINE: usize = 256 * 1024 * 1024;

/// The header line of an audit manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestHeader {
    pub format: String,
    pub test: bool,
    pub definition_hash: String,
    pub station: ManifestStation,
    /// `station` or `office`: who counted, and so who signs.
    pub counted_by: String,
    /// The result's `records.sha512` (128 hex).
    pub records_sha512: String,
    /// The hand count per box (the ballot manifest), as in the result.
    pub boxes: Vec<BoxCount>,
    pub cards: ManifestCounts,
    /// The fingerprint of the key the payload is sealed to (the office
    /// encryption key, or the published test key).
    pub sealed_to: String,
    pub payload: PayloadDigest,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestStation {
    pub id: String,
    /// Its Ed25519 key (64 hex): part of the seal binding.
    pub public_key: String,
}

/// How many card lines and spoiled lines the payload holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestCounts {
    pub cast: u64,
    pub spoiled: u64,
}

/// The sealed payload's length and SHA-512 (over `enc ‖ ciphertext`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayloadDigest {
    pub bytes: u64,
    pub sha512: String,
}

/// What a manifest is made of.
pub struct ManifestContent<'a> {
    pub scope: &'a Scope,
    /// `station` or `office`.
    pub counted_by: &'a str,
    pub records_sha512: [u8; 64],
    pub boxes: Vec<BoxCount>,
    /// Each cast card with the public id of its ballot's record.
    pub cards: Vec<(CardId, [u8; 16])>,
    pub spoiled: Vec<CardId>,
    /// The office encryption key (ignored in a test scope: the test key).
    pub office_public_key: [u8; 32],
}

/// An opened audit manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedManifest {
    pub definition_hash: [u8; 32],
    pub station_id: String,
    pub station_public_key: [u8; 32],
    pub records_sha512: [u8; 64],
    pub boxes: Vec<BoxCount>,
    /// Sorted by card id.
    pub cards: Vec<(CardId, [u8; 16])>,
    /// Sorted.
    pub spoiled: Vec<CardId>,
}

impl OpenedManifest {
    /// The record of a card, if the card was cast.
    pub fn record_of(&self, card: &CardId) -> Option<[u8; 16]> {
        self.cards
            .binary_search_by(|(c, _)| c.cmp(card))
            .ok()
            .map(|i| self.cards[i].1)
    }

    /// Whether the card was spoiled.
    pub fn is_spoiled(&self, card: &CardId) -> bool {
        self.spoiled.binary_search(card).is_ok()
    }

    /// Refuses a manifest that is not the one of this result: another
    /// election or station, other records (`records_sha512`), other boxes.
    pub fn check_matches(&self, result: &ResultHeader) -> Result<()> {
        let refuse = |why: &str| {
            Err(Error::ManifestRefused(format!(
                "it does not belong to this result: {why}"
            )))
        };
        if hex::encode(self.definition_hash) != result.definition_hash {
            return refuse("another election");
        }
        if self.station_id != result.station.id
            || hex::encode(self.station_public_key) != result.station.public_key
        {
            return refuse("another station");
        }
        if hex::encode(self.records_sha512) != result.records.sha512 {
            return refuse("its records_sha512 is not the result's records.sha512");
        }
        if self.boxes != result.cards.boxes {
            return refuse("its boxes are not the result's");
        }
        if self.cards.len() as u64 != result.cards.cast || self.spoiled.len() as u64 != result.cards.spoiled {
            return refuse("its card counts are not the result's");
        }
        Ok(())
    }
}

/// The key a scope's manifest is sealed to.
fn seal_key(scope: &Scope, office: &[u8; 32]) -> [u8; 32] {
    if scope.test {
        TEST_PUBLIC_KEY
    } else {
        *office
    }
}

/// The payload's AAD: the header's canonical JSON without `payload`.
fn aad_of(header: &Value) -> Result<Vec<u8>> {
    let mut without = header.clone();
    without
        .as_object_mut()
        .ok_or_else(|| Error::ManifestRefused("its header is not an object".into()))?
        .remove("payload");
    Ok(to_canonical_string(&without).into_bytes())
}

fn plaintext(cards: &mut [(CardId, [u8; 16])], spoiled: &mut [CardId]) -> Zeroizing<Vec<u8>> {
    cards.sort_unstable();
    spoiled.sort_unstable();
    let mut out = Zeroizing::new(Vec::with_capacity(cards.len() * 64 + spoiled.len() * 40));
    for (card, record) in cards.iter() {
        out.extend_from_slice(
            format!(
                "{{\"card\":\"{}\",\"record\":\"{}\"}}\n",
                card.grouped(),
                hex::encode(record)
            )
            .as_bytes(),
        );
    }
    for card in spoiled.iter() {
        out.extend_from_slice(format!("{{\"spoiled\":\"{}\"}}\n", card.grouped()).as_bytes());
    }
    out
}

/// Writes and signs an audit manifest (its exact bytes).
pub fn write_manifest(
    content: ManifestContent<'_>,
    signing: &SigningKey,
    rng: &mut (impl CryptoRngCore + ?Sized),
) -> Result<Vec<u8>> {
    let ManifestContent {
        scope,
        counted_by,
        records_sha512,
        mut boxes,
        mut cards,
        mut spoiled,
        office_public_key,
    } = content;
    boxes.sort();
    let key = seal_key(scope, &office_public_key);
    let pt = plaintext(&mut cards, &mut spoiled);
    let mut header = ManifestHeader {
        format: MANIFEST_FORMAT.into(),
        test: scope.test,
        definition_hash: hex::encode(scope.definition_hash),
        station: ManifestStation {
            id: scope.station_id.clone(),
            public_key: hex::encode(scope.station_public_key),
        },
        counted_by: counted_by.into(),
        records_sha512: hex::encode(records_sha512),
        boxes,
        cards: ManifestCounts {
            cast: cards.len() as u64,
            spoiled: spoiled.len() as u64,
        },
        sealed_to: super::fingerprint(&key),
        payload: PayloadDigest {
            bytes: 0,
            sha512: String::new(),
        },
    };
    let value =
        serde_json::to_value(&header).map_err(|e| Error::InvalidInput(format!("audit manifest: {e}")))?;
    let aad = aad_of(&value)?;
    let info = info(&scope.binding(Kind::AuditManifest), Recipient::Office);
    let (enc, ciphertext) = hpke_seal::seal(&key, &info, &aad, &pt, rng)?;
    let mut payload = Vec::with_capacity(32 + ciphertext.len());
    payload.extend_from_slice(&enc);
    payload.extend_from_slice(&ciphertext);
    header.payload = PayloadDigest {
        bytes: payload.len() as u64,
        sha512: hex::encode(Sha512::digest(&payload)),
    };
    let value =
        serde_json::to_value(&header).map_err(|e| Error::InvalidInput(format!("audit manifest: {e}")))?;
    let header_line = signed::line(&value);
    let signature = signed::line(&signed::sign(signing, &header_line));
    let body = signed::line(&Value::String(super::b64::encode(&payload)));
    let mut out = Vec::with_capacity(header_line.len() + signature.len() + body.len());
    out.extend_from_slice(&header_line);
    out.extend_from_slice(&signature);
    out.extend_from_slice(&body);
    Ok(out)
}

/// Reads a manifest's header without opening it (no key needed).
pub fn manifest_header(bytes: &[u8]) -> Result<ManifestHeader> {
    let first = bytes
        .split(|&b| b == b'\n')
        .next()
        .ok_or_else(|| Error::ManifestRefused("the file is empty".into()))?;
    let value = signed::parse_line(first, 1)?;
    serde_json::from_value(value).map_err(|e| Error::ManifestRefused(format!("its header: {e}")))
}

/// Checks the signature (by `station_key`: the station's key, or the
/// office signing key for an office count), the header, the payload's
/// digest and binding, and opens the payload with the office encryption
/// key pair (the test key pair for a test export).
pub fn open_manifest(bytes: &[u8], station_key: &[u8; 32], office: &SealKeyPair) -> Result<OpenedManifest> {
    let refuse = |why: String| Error::ManifestRefused(why);
    let mut lines = signed::Lines::new(bytes, MAX_LINE);
    let mut next = |what: &str| -> Result<(Vec<u8>, Value)> {
        lines
            .next_value()?
            .ok_or_else(|| Error::ManifestRefused(format!("the file ends before its {what}")))
    };
    let (header_line, header_value) = next("header")?;
    let (_, signature) = next("signature")?;
    let (_, payload_value) = next("payload")?;
    if lines.next_line().map_or(true, |l| l.is_some()) {
        return Err(refuse("it has lines after its payload".into()));
    }
    let header: ManifestHeader =
        serde_json::from_value(header_value.clone()).map_err(|e| refuse(format!("its header: {e}")))?;
    if header.format != MANIFEST_FORMAT {
        return Err(refuse(format!("it is not a {MANIFEST_FORMAT} file")));
    }
    signed::verify(&header_line, &signature, Some(station_key))
        .map_err(|e| refuse(format!("its signature: {e}")))?;
    let hex32 = |text: &str, what: &str| -> Result<[u8; 32]> {
        super::lines::lower_hex::<32>(text).ok_or_else(|| refuse(format!("{what} is not 64 hex digits")))
    };
    let definition_hash = hex32(&header.definition_hash, "definition_hash")?;
    let station_public_key = hex32(&header.station.public_key, "station.public_key")?;
    let records_sha512 = super::lines::lower_hex::<64>(&header.records_sha512)
        .ok_or_else(|| refuse("records_sha512 is not 128 hex digits".into()))?;
    let scope = Scope {
        definition_hash,
        station_id: header.station.id.clone(),
        station_public_key,
        test: header.test,
    };
    let expected_to = super::fingerprint(&if header.test {
        TEST_PUBLIC_KEY
    } else {
        office.public()
    });
    if header.sealed_to != expected_to {
        return Err(refuse(format!(
            "it is sealed to the key {}, not to this office key ({expected_to})",
            header.sealed_to
        )));
    }
    let payload = payload_value
        .as_str()
        .and_then(super::b64::decode)
        .ok_or_else(|| refuse("its payload line is not base64url".into()))?;
    if payload.len() as u64 != header.payload.bytes
        || hex::encode(Sha512::digest(&payload)) != header.payload.sha512
        || payload.len() < 32 + 16
    {
        return Err(refuse(
            "its payload's length or SHA-512 differs from its header".into(),
        ));
    }
    let mut enc = [0u8; 32];
    enc.copy_from_slice(&payload[..32]);
    let test_pair;
    let pair = if header.test {
        test_pair = SealKeyPair::test();
        &test_pair
    } else {
        office
    };
    let info = info(&scope.binding(Kind::AuditManifest), Recipient::Office);
    let aad = aad_of(&header_value)?;
    let plaintext = hpke_seal::open(pair, &enc, &info, &aad, &payload[32..]).map_err(|_| {
        refuse(
            "it does not open with this office key (another key, election or station, or a changed byte)"
                .into(),
        )
    })?;
    let (cards, spoiled) = parse_plaintext(&plaintext)?;
    if cards.len() as u64 != header.cards.cast || spoiled.len() as u64 != header.cards.spoiled {
        return Err(refuse("its counts differ from its contents".into()));
    }
    Ok(OpenedManifest {
        definition_hash,
        station_id: header.station.id,
        station_public_key,
        records_sha512,
        boxes: header.boxes,
        cards,
        spoiled,
    })
}

/// The payload's lines: cards (strictly increasing), then spoiled cards
/// (strictly increasing); no card twice.
#[allow(clippy::type_complexity)]
fn parse_plaintext(bytes: &[u8]) -> Result<(Vec<(CardId, [u8; 16])>, Vec<CardId>)> {
    let refuse = |line: usize, why: &str| Error::ManifestRefused(format!("payload line {line}: {why}"));
    let text = std::str::from_utf8(bytes).map_err(|_| refuse(0, "not UTF-8"))?;
    let body = text.strip_suffix('\n').unwrap_or(text);
    let (mut cards, mut spoiled): (Vec<(CardId, [u8; 16])>, Vec<CardId>) = (Vec::new(), Vec::new());
    if body.is_empty() {
        return Ok((cards, spoiled));
    }
    for (i, line) in body.split('\n').enumerate() {
        let n = i + 1;
        let value =
            signed::parse_line(line.as_bytes(), n as u64).map_err(|_| refuse(n, "not canonical JSON"))?;
        let object = value.as_object().ok_or_else(|| refuse(n, "not an object"))?;
        let card_of = |v: Option<&Value>| -> Result<CardId> {
            let text = v.and_then(Value::as_str).ok_or_else(|| refuse(n, "no card id"))?;
            let card = CardId::parse(text).map_err(|_| refuse(n, "not a card id"))?;
            if card.grouped() != text {
                return Err(refuse(n, "a card id not in its grouped form"));
            }
            Ok(card)
        };
        if object.len() == 2 && object.contains_key("card") && object.contains_key("record") {
            if !spoiled.is_empty() {
                return Err(refuse(n, "a cast card after the spoiled cards"));
            }
            let card = card_of(object.get("card"))?;
            let record = object
                .get("record")
                .and_then(Value::as_str)
                .and_then(super::lines::lower_hex::<16>)
                .ok_or_else(|| refuse(n, "the record is not 32 hex digits"))?;
            if cards.last().is_some_and(|(last, _)| *last >= card) {
                return Err(refuse(n, "cards not in increasing order"));
            }
            cards.push((card, record));
        } else if object.len() == 1 && object.contains_key("spoiled") {
            let card = card_of(object.get("spoiled"))?;
            if spoiled.last().is_some_and(|last| *last >= card) {
                return Err(refuse(n, "spoiled cards not in increasing order"));
            }
            spoiled.push(card);
        } else {
            return Err(refuse(n, "neither a card nor a spoiled card"));
        }
    }
    if let Some(card) = spoiled
        .iter()
        .find(|c| cards.binary_search_by(|(k, _)| k.cmp(c)).is_ok())
    {
        return Err(Error::ManifestRefused(format!(
            "a card is both cast and spoiled ({})",
            card.grouped()
        )));
    }
    Ok((cards, spoiled))
}
