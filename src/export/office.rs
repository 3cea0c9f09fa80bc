//! The office count (design §6.1): a station's sealed export opened with
//! the office key its trustees rebuilt, counted, and written as a
//! `votekiosk-result/2` with `counted_by.role = "office"`, signed by the
//! office signing key. Its record ids are the station's (they come from
//! each record's data key), so when both exist the office compares them
//! record by record. The caller opens each record (`open`): rebuilding the
//! key and unsealing live in the keys and seal modules.

use ed25519_dalek::SigningKey;

use rand_core::CryptoRngCore;
use sha2::{Digest, Sha256};

use super::build::{records_sha512, write_result, ResultContent};
use super::format::{Attachment, CountedBy, Software, ATTACHMENT_MANIFEST, COUNTED_BY_OFFICE};
use super::manifest::{write_manifest, ManifestContent};
use super::sealed::SealedExport;
use crate::ballot::Ballot;
use crate::crypto::seal::SealKeyPair;
use crate::error::{Error, Result};
use crate::seal::card::CardId;
use crate::seal::{open_card, open_record, Recipient, Scope};

/// Opens record `position` of a sealed export into its record id and ballot.
pub type OpenRecord<'a> = dyn FnMut(usize, &[u8]) -> Result<([u8; 16], Ballot)> + 'a;

/// Counts a read and checked sealed export. `open(position, blob)` opens
/// record `position` (1-based, as the export lists it: never a storage
/// id) into its record id and ballot; any failure stops the whole count.
pub fn office_count(
    export: &SealedExport,
    open: &mut OpenRecord<'_>,
    signing: &SigningKey,
    exported_at: String,
    software: Software,
) -> Result<Vec<u8>> {
    check_countable(export, signing)?;
    let mut records = Vec::with_capacity(export.sealed.len());
    for (i, blob) in export.sealed.iter().enumerate() {
        records.push(open(i + 1, blob)?);
    }
    write_office_result(export, records, signing, exported_at, software, Vec::new())
}

/// An office count's files: the result, and with ballot cards the audit
/// manifest (its name and bytes) the result lists as an attachment.
pub struct OfficeCount {
    pub result: Vec<u8>,
    pub manifest: Option<(String, Vec<u8>)>,
}

/// Counts a read and checked sealed export with the office encryption key
/// pair the trustees rebuilt: opens every ballot record (and, with ballot
/// cards, every spoiled card) with the office wrap, and writes the result
/// and, with ballot cards, the audit manifest beside it (`manifest_name`),
/// which the office signs as it signs the result: the office holds the
/// records and their card ids exactly as the station would have.
pub fn office_count_sealed(
    export: &SealedExport,
    office: &SealKeyPair,
    signing: &SigningKey,
    exported_at: String,
    software: Software,
    manifest_name: &str,
    rng: &mut (impl CryptoRngCore + ?Sized),
) -> Result<OfficeCount> {
    check_countable(export, signing)?;
    let definition = &export.definition;
    let cards_enabled = definition.cards.enabled;
    let scope = Scope {
        definition_hash: definition.hash().0,
        station_id: export.header.station.id.clone(),
        station_public_key: export.station_key,
        test: false,
    };
    let mut records = Vec::with_capacity(export.sealed.len());
    let mut cards = Vec::new();
    for (i, blob) in export.sealed.iter().enumerate() {
        let opened =
            open_record(blob, definition, &scope, office, Recipient::Office).map_err(|f| f.at(i + 1))?;
        match (cards_enabled, CardId::from_bytes(opened.card_id)) {
            (true, Some(card)) => cards.push((card, opened.record_id)),
            (false, None) => {}
            (true, None) => {
                return Err(Error::SealedRecord {
                    position: i + 1,
                    reason: "it has no ballot card id, yet this election prints a card for every ballot"
                        .into(),
                })
            }
            (false, Some(_)) => {
                return Err(Error::SealedRecord {
                    position: i + 1,
                    reason: "it has a ballot card id, yet this election prints no cards".into(),
                })
            }
        }
        records.push((opened.record_id, opened.ballot.clone()));
    }
    if !cards_enabled {
        let result = write_office_result(export, records, signing, exported_at, software, Vec::new())?;
        return Ok(OfficeCount {
            result,
            manifest: None,
        });
    }
    let mut spoiled = Vec::with_capacity(export.spoiled.len());
    for (i, blob) in export.spoiled.iter().enumerate() {
        let card = open_card(blob, &scope, office, Recipient::Office).map_err(|f| match f.at(i + 1) {
            Error::SealedRecord { position, reason } => Error::SealedRecord {
                position,
                reason: format!("(spoiled card {position}) {reason}"),
            },
            other => other,
        })?;
        spoiled.push(card);
    }
    let manifest = write_manifest(
        ManifestContent {
            scope: &scope,
            counted_by: COUNTED_BY_OFFICE,
            records_sha512: records_sha512(definition, &records)?,
            boxes: export.header.cards.boxes.clone(),
            cards,
            spoiled,
            office_public_key: office.public(),
        },
        signing,
        rng,
    )?;
    let attachment = Attachment {
        kind: ATTACHMENT_MANIFEST.into(),
        name: manifest_name.to_string(),
        bytes: manifest.len() as u64,
        sha256: hex::encode(Sha256::digest(&manifest)),
    };
    let result = write_office_result(export, records, signing, exported_at, software, vec![attachment])?;
    Ok(OfficeCount {
        result,
        manifest: Some((manifest_name.to_string(), manifest)),
    })
}

/// An office count needs an official export and the election's office
/// signing key.
fn check_countable(export: &SealedExport, signing: &SigningKey) -> Result<()> {
    if export.header.test {
        return Err(Error::OfficeCountRefused(
            "this is a test export: it is counted at the station with the published test key".into(),
        ));
    }
    if signing.verifying_key().to_bytes() != super::office_signing_key(&export.definition) {
        return Err(Error::WrongOfficeKey(
            "the signing key is not the office signing key of this election's definition".into(),
        ));
    }
    Ok(())
}

fn write_office_result(
    export: &SealedExport,
    records: Vec<([u8; 16], Ballot)>,
    signing: &SigningKey,
    exported_at: String,
    software: Software,
    attachments: Vec<Attachment>,
) -> Result<Vec<u8>> {
    let header = &export.header;
    // The station's card counts, hand count and boxes, as its sealed export gives them.
    let cards = header.cards.clone();
    write_result(
        ResultContent {
            definition: &export.definition,
            test: false,
            station: header.station.clone(),
            counted_by: CountedBy {
                role: COUNTED_BY_OFFICE.into(),
                sealed_sha256: Some(hex::encode(export.sha256)),
            },
            polls: header.polls.clone(),
            exported_at,
            counts: header.counts,
            cards,
            records,
            receipts: export.receipts.clone(),
            audit: header.audit.clone(),
            attachments,
            software,
        },
        signing,
    )
}
