//! The sealed export `votekiosk-sealed/2` (design §6.1): every sealed
//! ballot record of a station, for the office, written beside every
//! result whether or not the station could count. Signed by the station
//! key. Sections: the definition, the receipts (public, so an office count
//! lists them like the station's), the sealed ballot records, the spoiled
//! card records; each record one JSON string of the blob in unpadded
//! base64url, sorted by the blob's bytes (an order that owes nothing to
//! storage or to cast order). Not published: only the office key opens it.

use ed25519_dalek::SigningKey;
use serde::Deserialize;
use sha2::{Digest, Sha256, Sha512};

use super::b64;
use super::build::{signed_file, to_value};
use super::format::{
    AuditHead, Cards, Polls, SealedHeader, SectionDigest, Software, StationHeader, SEALED_FORMAT,
};
use super::lines::{self, Lines};
use crate::definition::ElectionDefinition;
use crate::error::{Error, Result};
use crate::turnout::Turnout;

/// What a station's sealed export is made of.
pub struct SealedContent<'a> {
    pub definition: &'a ElectionDefinition,
    pub test: bool,
    pub station: StationHeader,
    pub polls: Polls,
    pub exported_at: String,
    pub counts: Turnout,
    pub cards: Cards,
    pub audit: AuditHead,
    pub software: Software,
    /// Every record's length (188 + L of the definition).
    pub record_length: u64,
    /// The sealed ballot records, any order.
    pub sealed: Vec<Vec<u8>>,
    /// The sealed spoiled-card records, any order.
    pub spoiled: Vec<Vec<u8>>,
    /// Every receipt id, any order (public: the office's count of this
    /// export lists them like the station's).
    pub receipts: Vec<String>,
}

fn section(mut blobs: Vec<Vec<u8>>) -> (Vec<u8>, SectionDigest) {
    blobs.sort_unstable();
    let mut out = Vec::new();
    for blob in &blobs {
        out.extend_from_slice(&lines::line(&serde_json::Value::String(b64::encode(blob))));
    }
    let digest = SectionDigest {
        count: blobs.len() as u64,
        sha512: hex::encode(Sha512::digest(&out)),
    };
    (out, digest)
}

/// Writes and signs a `votekiosk-sealed/2` (its exact bytes).
pub fn write_sealed(content: SealedContent<'_>, signing: &SigningKey) -> Result<Vec<u8>> {
    if let Some(bad) = content
        .sealed
        .iter()
        .find(|b| b.len() as u64 != content.record_length)
    {
        return Err(Error::Damaged(format!(
            "a sealed record is {} bytes, not {}",
            bad.len(),
            content.record_length
        )));
    }
    let mut receipts = content.receipts;
    receipts.sort_unstable();
    let (receipt_bytes, receipts_digest) = super::build::receipt_lines(&receipts);
    let (sealed_bytes, sealed) = section(content.sealed);
    let (spoiled_bytes, spoiled) = section(content.spoiled);
    let header = SealedHeader {
        format: SEALED_FORMAT.into(),
        test: content.test,
        definition_hash: content.definition.hash().to_hex(),
        station: content.station,
        polls: content.polls,
        exported_at: content.exported_at,
        counts: content.counts,
        cards: content.cards,
        audit: content.audit,
        software: content.software,
        record_length: content.record_length,
        receipts: receipts_digest,
        sealed,
        spoiled,
    };
    Ok(signed_file(
        &to_value(&header)?,
        signing,
        content.definition,
        &[&receipt_bytes, &sealed_bytes, &spoiled_bytes],
    ))
}

/// A sealed export, read and checked.
pub struct SealedExport {
    pub header: SealedHeader,
    pub definition: ElectionDefinition,
    /// The station's signing key, which signed it.
    pub station_key: [u8; 32],
    pub sealed: Vec<Vec<u8>>,
    pub spoiled: Vec<Vec<u8>>,
    /// Sorted.
    pub receipts: Vec<String>,
    /// SHA-256 of the file.
    pub sha256: [u8; 32],
}

fn refuse(why: impl Into<String>) -> Error {
    Error::OfficeCountRefused(format!("the sealed export: {}", why.into()))
}

/// Reads a sealed export: canonical lines, the station's signature over
/// its header, the definition's hash, each section's count, order and
/// SHA-512, every ballot record of the stated length, and one record per
/// ballot the header counts.
pub fn read_sealed(bytes: &[u8]) -> Result<SealedExport> {
    let mut lines = Lines::new(bytes);
    let mut next = |what: &str| -> Result<Vec<u8>> {
        match lines.next_line() {
            Ok(Some(l)) => Ok(l.to_vec()),
            Ok(None) => Err(refuse(format!("the file ends before {what}"))),
            Err(e) => Err(refuse(format!("{e:?}"))),
        }
    };
    let header_bytes = next("the header")?;
    let value = lines::parse_line(&header_bytes, 1).map_err(|e| refuse(format!("{e:?}")))?;
    if value.get("format").and_then(|f| f.as_str()) != Some(SEALED_FORMAT) {
        return Err(refuse(format!("not a {SEALED_FORMAT} file")));
    }
    let header = SealedHeader::deserialize(&value).map_err(|e| refuse(format!("header: {e}")))?;
    if to_value(&header)
        .map(|v| crate::canonical::to_canonical_string(&v).into_bytes())
        .ok()
        != Some(header_bytes.clone())
    {
        return Err(refuse("the header is not in canonical form"));
    }
    let station_key =
        lines::lower_hex::<32>(&header.station.public_key).ok_or_else(|| refuse("bad station key"))?;
    let signature = lines::parse_line(&next("the signature")?, 2).map_err(|e| refuse(format!("{e:?}")))?;
    lines::verify(&header_bytes, &signature, Some(&station_key))
        .map_err(|why| refuse(format!("the station's signature: {why}")))?;
    let definition_bytes = next("the definition")?;
    if hex::encode(Sha256::digest(&definition_bytes)) != header.definition_hash {
        return Err(refuse("the definition does not match its hash"));
    }
    let definition =
        ElectionDefinition::parse(&definition_bytes).map_err(|e| refuse(format!("definition: {e}")))?;
    let mut receipts: Vec<String> = Vec::new();
    let mut root = super::merkle::RootBuilder::default();
    for i in 0..header.receipts.count {
        let line = next("a receipt")?;
        let id = std::str::from_utf8(&line)
            .ok()
            .and_then(|s| s.strip_prefix('"')?.strip_suffix('"'))
            .filter(|id| {
                crate::receipt::ReceiptId::parse(id)
                    .map(|r| r.as_str() == *id)
                    .unwrap_or(false)
            })
            .ok_or_else(|| refuse(format!("receipt {} is not a receipt id", i + 1)))?;
        if receipts.last().is_some_and(|p| p.as_str() >= id) {
            return Err(refuse("the receipts are not sorted, or one repeats"));
        }
        root.push(id);
        receipts.push(id.to_string());
    }
    if hex::encode(root.root()) != header.receipts.merkle_root {
        return Err(refuse("the receipts' Merkle root does not match the header"));
    }
    let mut read_section =
        |digest: &SectionDigest, what: &str, length: Option<u64>| -> Result<Vec<Vec<u8>>> {
            let mut hasher = Sha512::new();
            let mut blobs: Vec<Vec<u8>> = Vec::new();
            for i in 0..digest.count {
                let line = next(what)?;
                hasher.update(&line);
                hasher.update(b"\n");
                let blob = std::str::from_utf8(&line)
                    .ok()
                    .and_then(|s| s.strip_prefix('"')?.strip_suffix('"'))
                    .and_then(b64::decode)
                    .ok_or_else(|| refuse(format!("{what} {} is not unpadded base64url", i + 1)))?;
                if length.is_some_and(|l| blob.len() as u64 != l) {
                    return Err(refuse(format!(
                        "{what} {} is {} bytes, not {}",
                        i + 1,
                        blob.len(),
                        header.record_length
                    )));
                }
                if blobs.last().is_some_and(|p| p >= &blob) {
                    return Err(refuse(format!("{what}s are not sorted, or one repeats")));
                }
                blobs.push(blob);
            }
            if hex::encode(hasher.finalize()) != digest.sha512 {
                return Err(refuse(format!("the {what}s' SHA-512 does not match the header")));
            }
            Ok(blobs)
        };
    let sealed = read_section(&header.sealed, "sealed record", Some(header.record_length))?;
    let spoiled = read_section(&header.spoiled, "spoiled-card record", None)?;
    if lines.next_line().map(|l| l.is_some()).unwrap_or(true) {
        return Err(refuse("lines past the last section"));
    }
    if header.counts.ballots != header.sealed.count
        || header.counts.ballots != header.receipts.count
        || !header.counts.adds_up()
    {
        return Err(refuse(format!(
            "{} ballots counted, {} sealed records",
            header.counts.ballots, header.sealed.count
        )));
    }
    Ok(SealedExport {
        header,
        definition,
        station_key,
        sealed,
        spoiled,
        receipts,
        sha256: Sha256::digest(bytes).into(),
    })
}
