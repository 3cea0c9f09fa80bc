//! What leaves the station signed: the signing key (made at `create`),
//! and the export: the result (`votekiosk-result/2`) of the counted
//! ballots and, always beside it, the sealed export (`votekiosk-sealed/2`)
//! the office can count if the station could not. No MAC: the passphrase
//! derives nothing that leaves the station.

use super::{Official, Station, SIGNING_KEY};
use crate::ballot::Ballot;
use crate::clock::stamp;
use crate::error::{Error, Result};
use crate::export::format::{
    Attachment, AuditHead, BoxCount, CountedBy, Polls, StationHeader, Threshold, ATTACHMENT_MANIFEST,
    ATTACHMENT_SEALED, COUNTED_BY_STATION,
};
use crate::export::sealed::{write_sealed, SealedContent};
use crate::export::verify::Parsed;
use crate::export::{write_result, Export, ResultContent};
use crate::model::{AuditEvent, Mode};
use crate::store::{ballots, election};

/// The station's Ed25519 signing key, made with the station file.
pub(super) fn signing_key_in(conn: &rusqlite::Connection) -> Result<ed25519_dalek::SigningKey> {
    let stored = election::secret(conn, SIGNING_KEY)?;
    if stored.len() != 32 {
        return Err(Error::Damaged("the signing key is not 32 bytes".into()));
    }
    let mut seed = zeroize::Zeroizing::new([0u8; 32]);
    seed.copy_from_slice(&stored);
    Ok(ed25519_dalek::SigningKey::from_bytes(&seed))
}

impl Station {
    fn signing_key(&self) -> Result<ed25519_dalek::SigningKey> {
        signing_key_in(self.store.conn())
    }

    /// The station's public key (32 bytes), read when the file was opened.
    pub fn public_key(&self) -> Result<[u8; 32]> {
        Ok(self.public_key)
    }

    /// The public key's fingerprint, as printed on the reports.
    pub fn public_key_fingerprint(&self) -> Result<String> {
        Ok(crate::export::fingerprint(&self.public_key()?))
    }

    /// The export: the signed result of the counted ballots, and the
    /// sealed export beside it (`result_name` names the result file; the
    /// sealed export's name follows from it). Official results only after
    /// the polls close; with `test`, a test export, only in test mode.
    /// The same station state at the same time gives the same bytes.
    /// Audited.
    pub fn export(&mut self, by: &Official, test: bool, result_name: &str) -> Result<Export> {
        self.check_official(by)?;
        let mode = self.mode()?;
        match (test, mode) {
            (false, Mode::Closed) | (true, Mode::Test) => {}
            (false, m) => {
                return Err(Error::ExportRefused(format!(
                    "the official result can be exported only after the polls close (now {})",
                    m.as_str()
                )))
            }
            (true, m) => {
                return Err(Error::ExportRefused(format!(
                    "a test export needs test mode (now {})",
                    m.as_str()
                )))
            }
        }
        let chain = self.verify_audit_chain()?;
        if let Some((seq, why)) = chain.first_broken {
            return Err(Error::Damaged(format!("audit log entry {seq}: {why}")));
        }
        let signing = self.signing_key()?;
        let row = election::load(self.store.conn())?;
        let counts = self.turnout(test)?;
        let receipts = ballots::receipt_ids(self.store.conn(), test)?;
        let software = crate::export::software();
        let exported_at = stamp(self.now());
        let public_key = signing.verifying_key().to_bytes();
        let (closing_public_key, closing_threshold) = self.export_closing_key(test)?;
        let station = StationHeader {
            id: self.export_station_id(),
            public_key: hex::encode(public_key),
            fingerprint: crate::export::fingerprint(&public_key),
            closing_public_key: hex::encode(closing_public_key),
            closing_threshold,
        };
        let polls = if test {
            Polls {
                opened_at: None,
                closed_at: None,
            }
        } else {
            Polls {
                opened_at: row.opened_at,
                closed_at: row.closed_at,
            }
        };
        let audit = AuditHead {
            head: chain.head,
            length: chain.length,
        };
        let cards = self.export_cards(test)?;
        let sealed_name = crate::export::sealed_name_for(result_name);
        let sealed = write_sealed(
            SealedContent {
                definition: &self.definition,
                test,
                station: station.clone(),
                polls: polls.clone(),
                exported_at: exported_at.clone(),
                counts,
                cards: cards.clone(),
                audit: audit.clone(),
                software: software.clone(),
                record_length: self.export_record_length(),
                sealed: self.export_sealed_records(test)?,
                spoiled: crate::store::cards::sealed_spoils(self.store.conn(), test)?,
                receipts: receipts.clone(),
            },
            &signing,
        )?;
        let attachment = Attachment {
            kind: ATTACHMENT_SEALED.into(),
            name: sealed_name.clone(),
            bytes: sealed.len() as u64,
            sha256: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&sealed)),
        };
        let records = self.export_counted_records(test)?;
        let manifest = if cards.enabled {
            let name = crate::export::manifest_name_for(result_name);
            let bytes = self.export_manifest(test, &records, cards.boxes.clone(), &signing)?;
            Some((name, bytes))
        } else {
            None
        };
        let mut attachments = vec![attachment];
        if let Some((name, bytes)) = &manifest {
            attachments.insert(
                0,
                Attachment {
                    kind: ATTACHMENT_MANIFEST.into(),
                    name: name.clone(),
                    bytes: bytes.len() as u64,
                    sha256: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes)),
                },
            );
        }
        let mut sorted_receipts = receipts.clone();
        sorted_receipts.sort_unstable();
        let result = write_result(
            ResultContent {
                definition: &self.definition,
                test,
                station: station.clone(),
                counted_by: CountedBy {
                    role: COUNTED_BY_STATION.into(),
                    sealed_sha256: None,
                },
                polls,
                exported_at,
                counts,
                cards,
                records,
                receipts,
                audit,
                attachments,
                software,
            },
            &signing,
        )?;
        let detail = format!(
            "{} exported: {} ballots, sha256 {}; sealed export sha256 {}",
            if test { "test result" } else { "result" },
            counts.ballots,
            hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&result)),
            hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&sealed)),
        );
        self.audit(&by.username, AuditEvent::Exported, &detail)?;
        let merkle_root = crate::export::merkle::root(&sorted_receipts);
        self.exported = Some(crate::print::ResultIdentity {
            merkle_root,
            file_sha256: <sha2::Sha256 as sha2::Digest>::digest(&result).into(),
        });
        let receipts = Parsed {
            definition_hash: self.definition.hash().to_hex(),
            station_id: station.id,
            public_key: station.public_key,
            test,
            merkle_root: hex::encode(merkle_root),
            receipts: sorted_receipts,
        };
        Ok(Export {
            result,
            sealed,
            sealed_name,
            manifest,
            receipts,
        })
    }

    /// The station's id.
    fn export_station_id(&self) -> String {
        self.station_id().to_string()
    }

    /// The closing key and its K of N; in test mode the published test
    /// key and 0 of 0 (test ballots need no slips).
    fn export_closing_key(&self, test: bool) -> Result<([u8; 32], Threshold)> {
        if test {
            return Ok((crate::crypto::seal::TEST_PUBLIC_KEY, Threshold { k: 0, n: 0 }));
        }
        let info = self
            .closing_key()?
            .ok_or_else(|| Error::ExportRefused("this station has no closing key".into()))?;
        Ok((
            info.public_key,
            Threshold {
                k: info.threshold,
                n: info.slips,
            },
        ))
    }

    /// The length of every sealed record of this election.
    fn export_record_length(&self) -> u64 {
        crate::seal::record_length(&self.definition) as u64
    }

    /// The sealed records, sorted by bytes.
    fn export_sealed_records(&self, test: bool) -> Result<Vec<Vec<u8>>> {
        self.sealed_records(test)
    }

    /// The audit manifest of this export: each counted record's card id
    /// with its public record id, and the spoiled cards' ids, sealed to
    /// the office key (the test key in a test export), signed by the
    /// station, linked to the result by its records' SHA-512.
    fn export_manifest(
        &mut self,
        test: bool,
        records: &[([u8; 16], Ballot)],
        boxes: Vec<BoxCount>,
        signing: &ed25519_dalek::SigningKey,
    ) -> Result<Vec<u8>> {
        let (cards, spoiled) = self.counted_cards(test)?;
        let scope = self.seal_scope(test)?;
        let records_sha512 = crate::export::records_sha512(&self.definition, records)?;
        let office_public_key = self.office_public_key();
        crate::export::manifest::write_manifest(
            crate::export::manifest::ManifestContent {
                scope: &scope,
                counted_by: COUNTED_BY_STATION,
                records_sha512,
                boxes,
                cards,
                spoiled,
                office_public_key,
            },
            signing,
            &mut self.rng,
        )
    }

    /// The counted ballots with their public record ids (from unsealing:
    /// never a storage id); `count_first` until the station has counted.
    fn export_counted_records(&self, _test: bool) -> Result<Vec<([u8; 16], Ballot)>> {
        Ok(self.countable()?.2)
    }
}
