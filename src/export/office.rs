//! The office count (design §6.1): a station's sealed export opened with
//! the office key its trustees rebuilt, counted, and written as a
//! `votekiosk-result/2` with `counted_by.role = "office"`, signed by the
//! office signing key. Its record ids are the station's (they come from
//! each record's data key), so when both exist the office compares them
//! record by record. The caller opens each record (`open`): rebuilding the
//! key and unsealing live in the keys and seal modules.

use ed25519_dalek::SigningKey;

use super::build::{write_result, ResultContent};
use super::format::{CountedBy, Software, COUNTED_BY_OFFICE};
use super::sealed::SealedExport;
use crate::ballot::Ballot;
use crate::error::{Error, Result};

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
    let header = &export.header;
    if header.test {
        return Err(Error::OfficeCountRefused(
            "this is a test export: it is counted at the station with the published test key".into(),
        ));
    }
    if signing.verifying_key().to_bytes() != super::office_signing_key(&export.definition) {
        return Err(Error::WrongOfficeKey(
            "the signing key is not the office signing key of this election's definition".into(),
        ));
    }
    let mut records = Vec::with_capacity(export.sealed.len());
    for (i, blob) in export.sealed.iter().enumerate() {
        records.push(open(i + 1, blob)?);
    }
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
            attachments: Vec::new(),
            software,
        },
        signing,
    )
}
