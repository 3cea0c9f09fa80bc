//! The station's closing key and the count.
//!
//! At setup an admin makes the closing key: the station draws a secret,
//! derives the HPKE key pair from it, splits the secret K-of-N among the
//! named poll workers (Feldman-verifiable shares), seals each share on a
//! slip under that worker's PIN and a per-slip pepper, prints the slips
//! and forgets the secret and the shares. Only the public key, the
//! commitments and the peppers stay in the file.
//!
//! After the polls close, K poll workers present their slips and PINs: the
//! station rebuilds the key (each share checked against the commitments,
//! the key against the stored public key), unseals every ballot in memory
//! and keeps the unsealed records for the tally, the results report and
//! the export. They are wiped from memory when the station is dropped. In
//! test mode the test key opens the test ballots and no slip is needed.

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use zeroize::Zeroizing;

use super::{Audited, Official, Station, LOGIN_LOCKOUT_AFTER, LOGIN_LOCKOUT_BASE_SECS};
use crate::clock::stamp;
use crate::crypto::seal::SealKeyPair;
use crate::crypto::shares::{self, Commitments};
use crate::error::{Error, Result};
use crate::keys::slip::{check_pin, station_tag, Slip, SlipHeader};
use crate::model::{AuditEvent, Mode};
use crate::print::share_slip;
use crate::seal::card::CardId;
use crate::seal::{self, Recipient, Scope, Sealer, UnsealedBallot};
use crate::store::closing::{self as closing_store, ClosingKeyRow};
use crate::store::{ballots, election};

/// The most poll workers a closing key is split among.
pub const MAX_SLIPS: u8 = 9;

/// One poll worker's printed slip, as made by `init_closing_key`.
pub struct ShareSlip {
    pub worker: String,
    pub index: u8,
    pub threshold: u8,
    pub count: u8,
    pub generation: u32,
    pub station_id: String,
    /// The QR payload `VKS2:…` (the share, sealed under the PIN).
    pub payload: Zeroizing<String>,
    /// The closing key's fingerprint (8 groups of 4 hex digits).
    pub fingerprint: String,
}

impl std::fmt::Debug for ShareSlip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ShareSlip {{ {} share {} of {} }}",
            self.worker, self.index, self.count
        )
    }
}

/// The closing key as the station holds it: public facts only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosingKeyInfo {
    pub public_key: [u8; 32],
    pub fingerprint: String,
    pub threshold: u8,
    pub slips: u8,
    pub generation: u32,
    /// (slip index, poll worker).
    pub workers: Vec<(u8, String)>,
    /// SHA-256 of C_0 ‖ … ‖ C_{K-1}, for comparing aloud.
    pub commitments_digest: [u8; 32],
    pub made_at: String,
}

/// One slip presented at the count: its payload (scanned or read from a
/// file) and the PIN its holder types.
pub struct SlipUnlock {
    pub payload: String,
    pub pin: Zeroizing<String>,
}

/// What a count did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountSummary {
    pub test: bool,
    pub ballots: usize,
    /// The slips that rebuilt the key (none in test mode).
    pub slips: Vec<u8>,
}

/// The unsealed records the station holds after a count.
pub(super) struct Counted {
    pub(super) test: bool,
    pub(super) records: Vec<UnsealedBallot>,
    /// The spoiled cards' ids (ballot cards), sorted.
    pub(super) spoiled: Vec<CardId>,
}

fn info_of(row: &ClosingKeyRow) -> ClosingKeyInfo {
    ClosingKeyInfo {
        public_key: row.public_key,
        fingerprint: crate::export::fingerprint(&row.public_key),
        threshold: row.threshold,
        slips: row.slips,
        generation: row.generation,
        workers: row.workers.clone(),
        commitments_digest: Commitments(row.commitments.clone()).digest(),
        made_at: row.made_at.clone(),
    }
}

fn slip_list(indices: &[u8]) -> String {
    indices.iter().map(u8::to_string).collect::<Vec<_>>().join(", ")
}

impl Station {
    /// The station id bound into every sealed record and printed on slips.
    pub(super) fn seal_station_id(&self) -> String {
        self.station_id.clone()
    }

    /// The office encryption key every official ballot is also sealed to.
    pub(super) fn office_public_key(&self) -> [u8; 32] {
        self.definition.office.encryption.public_key
    }

    /// Where this station's records are sealed (test or official).
    pub(super) fn seal_scope(&self, test: bool) -> Result<Scope> {
        Ok(Scope {
            definition_hash: self.definition.hash().0,
            station_id: self.seal_station_id(),
            station_public_key: self.public_key()?,
            test,
        })
    }

    /// The keys a ballot cast now is sealed to: in test mode the test key
    /// twice; otherwise the office key and the closing key.
    pub(super) fn sealer(&self, test: bool) -> Result<Sealer> {
        let scope = self.seal_scope(test)?;
        if test {
            return Ok(Sealer::new(scope, [0; 32], [0; 32]));
        }
        let closing = closing_store::closing_key(self.store.conn())?.ok_or(Error::NoClosingKey)?;
        Ok(Sealer::new(scope, self.office_public_key(), closing.public_key))
    }

    /// The closing key's public facts, if one was made.
    pub fn closing_key(&self) -> Result<Option<ClosingKeyInfo>> {
        Ok(closing_store::closing_key(self.store.conn())?
            .as_ref()
            .map(info_of))
    }

    /// Makes the station's closing key (admins, in setup or test mode,
    /// before the polls open) and splits it `threshold`-of-N among
    /// `workers` (name, PIN of at least 8 digits). Each worker's slip is
    /// printed on the station's printer, and returned. Making it again
    /// replaces the key and voids every earlier slip (generation + 1).
    /// The secret and the shares are wiped; the audit entry names the
    /// workers, K, N and the fingerprint, never a PIN.
    pub fn init_closing_key(
        &mut self,
        by: &Official,
        workers: &[(String, Zeroizing<String>)],
        threshold: u8,
    ) -> Result<Vec<ShareSlip>> {
        self.check_official(by)?;
        by.require_admin()?;
        let mode = self.mode()?;
        if !matches!(mode, Mode::Setup | Mode::Test) {
            let e = Error::WrongMode {
                action: "make the closing key",
                mode: mode.as_str(),
            };
            self.audit(&by.username, AuditEvent::Refused, &e.to_string())?;
            return Err(e);
        }
        let count = u8::try_from(workers.len()).unwrap_or(u8::MAX);
        if count > MAX_SLIPS || threshold < 2 || threshold > count {
            return Err(Error::BadClosingKey(format!(
                "name 2 to {MAX_SLIPS} poll workers and a threshold from 2 to their number (got {} workers, threshold {threshold})",
                workers.len()
            )));
        }
        for (i, (name, pin)) in workers.iter().enumerate() {
            if !super::officials::valid_username(name) {
                return Err(Error::BadOfficialName(name.clone()));
            }
            if workers[..i].iter().any(|(other, _)| other == name) {
                return Err(Error::BadClosingKey(format!("{name} is named twice")));
            }
            check_pin(pin)?;
        }
        let previous = closing_store::generation(self.store.conn())?;
        let generation = previous + 1;
        let slip_generation = u8::try_from(generation).map_err(|_| {
            Error::BadClosingKey("the closing key was made too many times; make a new station file".into())
        })?;
        let station_key = self.public_key()?;
        let station_id = self.seal_station_id();

        let secret = shares::random_secret(&mut self.rng);
        let pair = SealKeyPair::derive(&secret);
        let public_key = pair.public();
        drop(pair);
        let (split, commitments) = shares::split(&secret, threshold, count, &mut self.rng)?;
        drop(secret);
        let fingerprint = crate::export::fingerprint(&public_key);
        let mut peppers: Vec<(u8, Zeroizing<[u8; 32]>)> = Vec::new();
        let mut slips = Vec::new();
        for (share, (name, pin)) in split.iter().zip(workers) {
            let mut pepper = Zeroizing::new([0u8; 32]);
            self.rng.fill_bytes(pepper.as_mut());
            let header = SlipHeader {
                index: share.index,
                threshold,
                count,
                generation: slip_generation,
                station: station_tag(&station_key),
            };
            let slip = Slip::seal(header, share, &pepper, pin, &mut self.rng)?;
            peppers.push((share.index, pepper));
            slips.push(ShareSlip {
                worker: name.clone(),
                index: share.index,
                threshold,
                count,
                generation,
                station_id: station_id.clone(),
                payload: Zeroizing::new(slip.payload()),
                fingerprint: fingerprint.clone(),
            });
        }
        drop(split);

        // Print every slip before anything is recorded: a failed print
        // leaves the station as it was (and the slips printed so far void).
        for slip in &slips {
            let pdf = share_slip(&self.definition, &share_slip_view(slip))?;
            self.print("votekiosk closing key slip", &pdf)?;
        }

        let row = ClosingKeyRow {
            public_key,
            commitments: commitments.0.clone(),
            threshold,
            slips: count,
            generation,
            made_at: stamp(self.now()),
            workers: slips.iter().map(|s| (s.index, s.worker.clone())).collect(),
            failed_pins: 0,
            locked_until: None,
        };
        let names = slips
            .iter()
            .map(|s| format!("{} {}", s.index, s.worker))
            .collect::<Vec<_>>()
            .join(", ");
        let detail = format!(
            "closing key made: {threshold} of {count}, fingerprint {fingerprint}, generation {generation}{}; slips {names}",
            if previous > 0 {
                format!(" (slips of generation {previous} are void)")
            } else {
                String::new()
            }
        );
        self.audited_write(&by.username, AuditEvent::ClosingKeyMade, |tx, _| {
            closing_store::record_closing_key(tx, &row)?;
            let refs: Vec<(u8, &[u8; 32])> = peppers.iter().map(|(i, p)| (*i, &**p)).collect();
            closing_store::record_peppers(tx, &refs)?;
            Ok(Audited::entry((), detail))
        })?;
        Ok(slips)
    }

    /// Checks that the station may open the polls for real: it has a
    /// closing key. (Helper checks of the same kind, e.g. the printer,
    /// belong here too.)
    pub(super) fn check_ready_to_open(&self) -> Result<()> {
        if closing_store::closing_key(self.store.conn())?.is_none() {
            return Err(Error::NoClosingKey);
        }
        Ok(())
    }

    /// Counts: after the polls close, with `threshold` slips and their
    /// PINs, rebuilds the closing key and unseals every official ballot in
    /// memory; in test mode, unseals the test ballots with the test key
    /// (no slip needed). The tally, the results report and the export then
    /// use these records. A wrong PIN counts towards a lockout (like
    /// logins) and is audited by slip index; any failure changes nothing
    /// else. A test ballot among official ones stops the count, naming it.
    pub fn count(&mut self, by: &Official, slips: &[SlipUnlock]) -> Result<CountSummary> {
        self.check_official(by)?;
        let mode = self.mode()?;
        let result = match mode {
            Mode::Test => {
                let pair = SealKeyPair::test();
                self.unseal_all(true, &pair)
                    .and_then(|r| Ok(((r, self.unseal_spoils(true, &pair)?), Vec::new())))
            }
            Mode::Closed => self
                .unlock_closing_key(&by.username, slips)
                .and_then(|(pair, used)| {
                    let records = self.unseal_all(false, &pair)?;
                    let spoiled = self.unseal_spoils(false, &pair)?;
                    Ok(((records, spoiled), used))
                }),
            other => Err(Error::WrongMode {
                action: "count the ballots",
                mode: other.as_str(),
            }),
        };
        let ((records, spoiled), used) = match result {
            Ok(done) => done,
            Err(e) => {
                // A wrong PIN was already recorded with its streak.
                if !matches!(e, Error::WrongPin { .. } | Error::SlipsLocked { .. }) {
                    self.audit(&by.username, AuditEvent::Refused, &format!("count refused: {e}"))?;
                }
                return Err(e);
            }
        };
        let test = mode == Mode::Test;
        let ballots = records.len();
        let detail = if test {
            format!("test ballots counted with the test key: {ballots} ballots")
        } else {
            format!("counted by slips {}: {ballots} ballots", slip_list(&used))
        };
        self.audited_write(&by.username, AuditEvent::BallotsCounted, |tx, _| {
            if !test {
                closing_store::record_pin_failures(tx, 0, None)?;
            }
            Ok(Audited::entry((), detail))
        })?;
        self.counted = Some(Counted {
            test,
            records,
            spoiled,
        });
        Ok(CountSummary {
            test,
            ballots,
            slips: used,
        })
    }

    /// The unsealed records of the last count, if the station counted
    /// since it was opened (official after close, or test), in the order
    /// of `sealed_records` (the sealed blobs sorted by their bytes).
    pub fn counted(&self) -> Option<&[UnsealedBallot]> {
        self.counted.as_ref().map(|c| c.records.as_slice())
    }

    /// The sealed records, official or test, sorted by their bytes (for
    /// the sealed export: an order owing nothing to storage or casting).
    pub fn sealed_records(&self, test: bool) -> Result<Vec<Vec<u8>>> {
        ballots::sealed_records(self.store.conn(), test)
    }

    /// Opens every sealed record of one kind with `pair` (the closing wrap).
    /// A fault names the record's position in byte order, from 1.
    pub(super) fn unseal_all(&self, test: bool, pair: &SealKeyPair) -> Result<Vec<UnsealedBallot>> {
        let scope = self.seal_scope(test)?;
        let records = self.sealed_records(test)?;
        let mut out = Vec::with_capacity(records.len());
        for (i, record) in records.iter().enumerate() {
            let opened = seal::open_record(record, &self.definition, &scope, pair, Recipient::Closing)
                .map_err(|fault| fault.at(i + 1))?;
            check_card_id(self.cards_enabled(), &opened, i + 1)?;
            out.push(opened);
        }
        Ok(out)
    }

    /// Opens every sealed spoiled card of one kind with `pair` (the closing
    /// wrap): their card ids, sorted. A fault names the spoiled card's
    /// position in byte order, from 1.
    pub(super) fn unseal_spoils(&self, test: bool, pair: &SealKeyPair) -> Result<Vec<CardId>> {
        let scope = self.seal_scope(test)?;
        let records = crate::store::cards::sealed_spoils(self.store.conn(), test)?;
        let mut out = Vec::with_capacity(records.len());
        for (i, record) in records.iter().enumerate() {
            let card = seal::open_card(record, &scope, pair, Recipient::Closing).map_err(|fault| {
                let position = i + 1;
                match fault.at(position) {
                    Error::SealedRecord { reason, .. } => Error::SealedRecord {
                        position,
                        reason: format!("(spoiled card {position}) {reason}"),
                    },
                    other => other,
                }
            })?;
            out.push(card);
        }
        out.sort_unstable();
        Ok(out)
    }

    /// The card ids the export's audit manifest maps: each counted
    /// record's card with its public id, and the spoiled cards. Test
    /// cards are unsealed afresh with the test key; official ones come
    /// from the last count (`Error::CountFirst` before it).
    #[allow(clippy::type_complexity)]
    pub(super) fn counted_cards(&self, test: bool) -> Result<(Vec<(CardId, [u8; 16])>, Vec<CardId>)> {
        let pairs = |records: &[UnsealedBallot]| -> Vec<(CardId, [u8; 16])> {
            records
                .iter()
                .filter_map(|r| CardId::from_bytes(r.card_id).map(|c| (c, r.record_id)))
                .collect()
        };
        if test {
            let pair = SealKeyPair::test();
            let records = self.unseal_all(true, &pair)?;
            return Ok((pairs(&records), self.unseal_spoils(true, &pair)?));
        }
        match &self.counted {
            Some(counted) if !counted.test => Ok((pairs(&counted.records), counted.spoiled.clone())),
            _ => Err(Error::CountFirst),
        }
    }

    /// Rebuilds the closing key from `threshold` slips: each payload must
    /// be of this station and generation, each PIN right (a wrong one is
    /// recorded towards the lockout), each share match the commitments,
    /// and the key match the stored public key.
    fn unlock_closing_key(&mut self, actor: &str, slips: &[SlipUnlock]) -> Result<(SealKeyPair, Vec<u8>)> {
        let row = closing_store::closing_key(self.store.conn())?.ok_or(Error::NoClosingKey)?;
        let now = self.now();
        if let Some(until) = row
            .locked_until
            .as_deref()
            .and_then(|u| DateTime::parse_from_rfc3339(u).ok())
        {
            let until = until.with_timezone(&Utc);
            if now < until {
                let left = ((until - now).num_milliseconds() + 999) / 1000;
                self.audit(
                    actor,
                    AuditEvent::Refused,
                    &format!("count refused: counting locked for {left} more seconds"),
                )?;
                return Err(Error::SlipsLocked { seconds: left });
            }
        }
        let tag = station_tag(&self.public_key()?);
        let mut parsed: Vec<(Slip, &SlipUnlock)> = Vec::new();
        for unlock in slips {
            let slip = Slip::parse(&unlock.payload)?;
            let h = slip.header;
            if h.station != tag {
                return Err(Error::SlipMismatch(format!(
                    "slip {} belongs to another station",
                    h.index
                )));
            }
            if u32::from(h.generation) != row.generation
                || h.threshold != row.threshold
                || h.count != row.slips
            {
                return Err(Error::SlipMismatch(format!(
                    "slip {} is of closing key generation {} ({} of {}); this station's slips are generation {} ({} of {})",
                    h.index, h.generation, h.threshold, h.count, row.generation, row.threshold, row.slips
                )));
            }
            if parsed.iter().any(|(s, _)| s.header.index == h.index) {
                return Err(Error::SlipMismatch(format!("slip {} is given twice", h.index)));
            }
            parsed.push((slip, unlock));
        }
        if parsed.len() < row.threshold as usize {
            return Err(Error::NotEnoughSlips {
                needed: row.threshold,
                given: parsed.len(),
            });
        }
        parsed.truncate(row.threshold as usize);
        let commitments = Commitments(row.commitments.clone());
        let mut shares_found = Vec::with_capacity(parsed.len());
        for (slip, unlock) in &parsed {
            let pepper = election::secret(self.store.conn(), &closing_store::pepper_name(slip.header.index))?;
            let pepper: [u8; 32] = pepper
                .as_slice()
                .try_into()
                .map_err(|_| Error::Damaged("a slip pepper is not 32 bytes".into()))?;
            let pepper = Zeroizing::new(pepper);
            let share = match slip.open(&pepper, &unlock.pin) {
                Ok(share) => share,
                Err(Error::WrongPin { index }) => return Err(self.wrong_pin(actor, &row, index, now)),
                Err(e) => return Err(e),
            };
            shares::check(&share, &commitments)?;
            shares_found.push(share);
        }
        let secret = shares::combine(&shares_found, &commitments)?;
        drop(shares_found);
        let pair = SealKeyPair::derive(&secret);
        if pair.public() != row.public_key {
            return Err(Error::KeyMismatch(
                "the slips rebuild another key than this station's closing key".into(),
            ));
        }
        Ok((pair, parsed.iter().map(|(s, _)| s.header.index).collect()))
    }

    /// Records a wrong PIN (audited by slip index, never the PIN) towards
    /// the lockout: five in a row lock counting for 30 s, doubling with
    /// each further failure, as for logins.
    fn wrong_pin(&mut self, actor: &str, row: &ClosingKeyRow, index: u8, now: DateTime<Utc>) -> Error {
        let failed = row.failed_pins + 1;
        let lock = (failed >= LOGIN_LOCKOUT_AFTER).then(|| {
            let secs = LOGIN_LOCKOUT_BASE_SECS << (failed - LOGIN_LOCKOUT_AFTER).min(10);
            (secs, stamp(now + Duration::seconds(secs)))
        });
        let recorded = self.audited_write(actor, AuditEvent::Refused, |tx, _| {
            closing_store::record_pin_failures(tx, failed, lock.as_ref().map(|l| l.1.as_str()))?;
            let detail = match &lock {
                Some((secs, _)) => {
                    format!("count refused: wrong PIN for slip {index} ({failed} in a row); counting locked for {secs} seconds")
                }
                None => format!("count refused: wrong PIN for slip {index} ({failed} in a row)"),
            };
            Ok(Audited::entry((), detail))
        });
        match (recorded, lock) {
            (Err(e), _) => e,
            (Ok(()), Some((secs, _))) => Error::SlipsLocked { seconds: secs },
            (Ok(()), None) => Error::WrongPin { index },
        }
    }
}

/// With ballot cards, every record holds a card id; without, none does:
/// anything else is a fault that stops the count, naming the record.
fn check_card_id(cards: bool, record: &UnsealedBallot, position: usize) -> Result<()> {
    let has_card = record.card_id != [0; crate::seal::CARD_ID_LEN];
    match (cards, has_card) {
        (true, false) => Err(Error::SealedRecord {
            position,
            reason: "it has no ballot card id, yet this election prints a card for every ballot".into(),
        }),
        (false, true) => Err(Error::SealedRecord {
            position,
            reason: "it has a ballot card id, yet this election prints no cards".into(),
        }),
        _ => Ok(()),
    }
}

/// What the printed slip shows (`print::share_slip`).
fn share_slip_view(slip: &ShareSlip) -> crate::print::ShareSlipView<'_> {
    crate::print::ShareSlipView {
        worker: &slip.worker,
        index: slip.index,
        count: slip.count,
        threshold: slip.threshold,
        station_id: &slip.station_id,
        fingerprint: &slip.fingerprint,
        payload: &slip.payload,
    }
}
