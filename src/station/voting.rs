//! Voting: issuing and revoking codes, the voting gate (mode, lock, time
//! window), the code check, the cast (the ballot sealed first, then one
//! transaction; with ballot cards, the ballot of the code's printed card,
//! sealed with its card id), receipt lookup and the reprint of the session's last
//! receipt.

use chrono::{DateTime, FixedOffset, Utc};
use rand::RngCore;

use super::{
    Audited, CastReceipt, IssuedBatch, Official, ReceiptStatus, Station, CODE_LOCKOUT_AFTER,
    MAX_CODES_PER_BATCH,
};
use crate::ballot::{Ballot, SelectionsInput};
use crate::codes::VoterCode;
use crate::crypto::hmac;
use crate::definition::LangCode;
use crate::error::{Error, Result};
use crate::export::normal_form;
use crate::model::{AuditEvent, Mode};
use crate::print::{self, CodeSlipLayout, PrintOutcome};
use crate::receipt::{self, KeyFingerprint, ReceiptId};
use crate::seal::CARD_ID_LEN;
use crate::store::{ballots, cards as card_store, codes as code_store, election};

/// The definition's voting window (official ballots only).
#[derive(Clone, Copy)]
pub(super) struct Window {
    opens: DateTime<FixedOffset>,
    closes: DateTime<FixedOffset>,
}

/// Whether voting is possible now; `Ok(true)` means ballots are test ballots.
pub(super) fn voting_gate(window: Window, now: DateTime<Utc>, row: &election::ElectionRow) -> Result<bool> {
    let test = match row.mode {
        Mode::Test => true,
        Mode::Open => false,
        other => {
            return Err(Error::WrongMode {
                action: "vote",
                mode: other.as_str(),
            })
        }
    };
    if row.locked {
        return Err(Error::KioskLocked);
    }
    // Test ballots (logic and accuracy testing) happen before election day.
    if !test && (now < window.opens || now >= window.closes) {
        return Err(Error::OutsideWindow {
            opens: window.opens.to_rfc3339(),
            closes: window.closes.to_rfc3339(),
        });
    }
    Ok(test)
}

impl Station {
    pub(super) fn window(&self) -> Window {
        Window {
            opens: self.definition.opens,
            closes: self.definition.closes,
        }
    }

    pub(super) fn code_mac(&self, code: &VoterCode) -> [u8; 32] {
        hmac(&self.code_key, &[b"voter-code", code.canonical().as_bytes()])
    }

    /// Issues `count` new codes. In test mode they are test codes.
    pub fn issue_codes(&mut self, by: &Official, count: usize) -> Result<IssuedBatch> {
        self.require_recent_password(by, "issue codes")?;
        if count == 0 || count > MAX_CODES_PER_BATCH {
            return Err(Error::BadCount(format!(
                "issue from 1 to {MAX_CODES_PER_BATCH} codes at a time, not {count}"
            )));
        }
        let mode = self.mode()?;
        if mode == Mode::Closed {
            self.audit(&by.username, AuditEvent::Refused, "issue codes: polls closed")?;
            return Err(Error::WrongMode {
                action: "issue codes",
                mode: mode.as_str(),
            });
        }
        let test = mode == Mode::Test;
        let codes: Vec<VoterCode> = (0..count).map(|_| VoterCode::random(&mut self.rng)).collect();
        let macs: Vec<[u8; 32]> = codes.iter().map(|c| self.code_mac(c)).collect();
        let batch = self.audited_write(&by.username, AuditEvent::CodesIssued, |tx, at| {
            let batch = code_store::record_batch(tx, at, &by.username, count, test)?;
            for mac in &macs {
                code_store::record_code(tx, mac, test, batch)?;
            }
            let kind = if test { "test codes" } else { "codes" };
            Ok(Audited::entry(batch, format!("batch {batch}: {count} {kind}")))
        })?;
        Ok(IssuedBatch { batch, test, codes })
    }

    /// Issues `count` codes and prints their slips on the station's printer
    /// (`Station::print`'s choice). The slips are never saved anywhere
    /// else: official code slips (not test, not the demo election) need a
    /// ready printer before any code is made (`Error::PrinterNotReady`),
    /// and a batch whose slips do not print is revoked at once (audited)
    /// and refused with `Error::SlipsNotPrinted`, so that the poll worker
    /// issues a new one once the printer works.
    pub fn issue_printed_codes(
        &mut self,
        by: &Official,
        count: usize,
        layout: CodeSlipLayout,
    ) -> Result<(IssuedBatch, PrintOutcome)> {
        let language = self.definition.default_language().clone();
        self.issue_printed_codes_in(by, count, layout, &language)
    }

    /// [`Station::issue_printed_codes`] with the slips' words in
    /// `language`, the official's choice (`print::code_slips_in`).
    pub fn issue_printed_codes_in(
        &mut self,
        by: &Official,
        count: usize,
        layout: CodeSlipLayout,
        language: &LangCode,
    ) -> Result<(IssuedBatch, PrintOutcome)> {
        self.check_official(by)?;
        let printer = self.printer()?;
        let mode = self.mode()?;
        // (Closed: `issue_codes` refuses, audited.)
        if mode != Mode::Closed && self.secrets_need_paper(mode != Mode::Test)? {
            let ready = printer.readiness(true);
            if !ready.is_ready() {
                let error = Error::PrinterNotReady(ready.problems.join("; "));
                self.audit(
                    &by.username,
                    AuditEvent::Refused,
                    &format!("issue codes: {error}"),
                )?;
                return Err(error);
            }
        }
        let batch = self.issue_codes(by, count)?;
        let printed = print::code_slips_in(&self.definition, self.station_id(), &batch, layout, language)
            .and_then(|pdf| printer.print("votekiosk voter codes", &pdf));
        match printed {
            Ok(outcome) => Ok((batch, outcome)),
            Err(e) => Err(self.revoke_unprinted(by, &batch, &e)?),
        }
    }

    /// Revokes the codes of a batch whose slips did not print (audited,
    /// with the reason and no code) and returns the error to show.
    pub fn revoke_unprinted(&mut self, by: &Official, batch: &IssuedBatch, reason: &Error) -> Result<Error> {
        self.check_official(by)?;
        let id = batch.batch;
        let revoked = self.audited_write(&by.username, AuditEvent::CodeRevoked, |tx, _| {
            let n = code_store::revoke_batch(tx, id)?;
            Ok(Audited::entry(
                n,
                format!(
                    "batch {id}: {n} codes revoked: their slips did not print ({})",
                    reason.code()
                ),
            ))
        })?;
        Ok(Error::SlipsNotPrinted {
            batch: id,
            count: revoked,
            reason: reason.to_string(),
        })
    }

    /// Revokes an unused code (e.g. a spoiled slip).
    pub fn revoke_code(&mut self, by: &Official, code_text: &str) -> Result<()> {
        self.check_official(by)?;
        let code = VoterCode::parse(code_text)?;
        let mac = self.code_mac(&code);
        let result = self.audited_write(&by.username, AuditEvent::CodeRevoked, |tx, _| {
            let mode = election::load(tx)?.mode;
            if mode == Mode::Closed {
                return Err(Error::WrongMode {
                    action: "revoke codes",
                    mode: mode.as_str(),
                });
            }
            code_store::revoke_code(tx, &mac)?;
            Ok(Audited::entry((), "one code revoked"))
        });
        if let Err(e) = &result {
            self.audit(
                &by.username,
                AuditEvent::Refused,
                &format!("revoke code: {}", e.code()),
            )?;
        }
        result
    }

    /// Lifts the invalid-code lock (poll workers and admins).
    pub fn unlock_voting(&mut self, by: &Official) -> Result<()> {
        self.check_official(by)?;
        self.audited_write(&by.username, AuditEvent::VotingUnlocked, |tx, _| {
            if !election::load(tx)?.locked {
                return Err(Error::NotLocked);
            }
            election::record_code_streak(tx, 0, false)?;
            Ok(Audited::entry((), "kiosk unlocked after invalid codes"))
        })
    }

    /// Records a refused voter code: audited; an unknown code also counts
    /// towards the lock (typos cannot hit a real code and do not count).
    fn record_code_refusal(&mut self, error: &Error) -> Result<()> {
        let counts = matches!(error, Error::CodeUnknown);
        self.audited_write("kiosk", AuditEvent::CodeRefused, |tx, _| {
            let row = election::load(tx)?;
            let mut detail = format!("voter code refused: {}", error.code());
            if counts {
                let streak = row.invalid_code_streak + 1;
                let lock = streak >= CODE_LOCKOUT_AFTER;
                election::record_code_streak(tx, streak, row.locked || lock)?;
                if lock && !row.locked {
                    detail.push_str(&format!("; {streak} invalid codes in a row: voting locked"));
                }
            }
            Ok(Audited::entry((), detail))
        })
    }

    pub(super) fn refuse<T>(&mut self, error: Error) -> Result<T> {
        if matches!(
            error,
            Error::CodeTypo
                | Error::CodeMalformed
                | Error::CodeUnknown
                | Error::CodeUsed
                | Error::CodeRevoked
                | Error::CodeWrongKind
                | Error::KioskLocked
                | Error::WrongMode { .. }
                | Error::OutsideWindow { .. }
        ) {
            self.record_code_refusal(&error)?;
        }
        Err(error)
    }

    /// Checks a voter's code before the ballot is shown (does not use it up).
    pub fn check_code(&mut self, code_text: &str) -> Result<()> {
        let row = election::load(self.store.conn())?;
        if let Err(e) = voting_gate(self.window(), self.now(), &row) {
            return self.refuse(e);
        }
        let code = match VoterCode::parse(code_text) {
            Ok(c) => c,
            Err(e) => return self.refuse(e),
        };
        let test = row.mode == Mode::Test;
        let mac = self.code_mac(&code);
        let state = code_store::code_state(self.store.conn(), &mac)?;
        match state {
            // A valid code does not reset the unknown-code streak here:
            // only a cast (which uses the code up) does, so one code cannot
            // buy unlimited guesses between checks.
            Some((s, t)) if s == "issued" && t == test => {
                self.prepare_seal(mac, test);
                Ok(())
            }
            other => self.refuse(code_store::refusal(other, test)),
        }
    }

    /// Prepares the record this code's ballot will be sealed into (a fresh
    /// data key and its two wraps: `seal::Prepared`) while the voter still
    /// chooses, so that the cast only encrypts the body. It replaces (and
    /// wipes) any earlier prepared record. The cast uses it only for this
    /// code and only if the keys and the scope it was made for are still
    /// those of the moment; otherwise it seals afresh. Without the keys
    /// (no closing key yet) nothing is prepared: the cast seals, or refuses,
    /// as it would have.
    fn prepare_seal(&mut self, code_mac: [u8; 32], test: bool) {
        self.prepared_seal = None;
        let Ok(sealer) = self.sealer(test) else {
            return;
        };
        if let Ok(prepared) = sealer.prepare_ballot(&self.definition, &mut self.rng) {
            self.prepared_seal = Some((code_mac, prepared));
        }
    }

    /// Casts one ballot with one code. The ballot is sealed first (to the
    /// office and closing keys, or the test key in test mode); then, in
    /// one transaction, the code is consumed (exactly one row), the sealed
    /// ballot (under a random storage id) and an unlinked receipt are
    /// inserted, an audit entry is appended, and the receipt is returned
    /// only after the commit. Repeating the same `idempotency_key` with the
    /// same code returns the same receipt and casts nothing.
    pub fn cast_ballot(
        &mut self,
        code_text: &str,
        selections: &SelectionsInput,
        idempotency_key: &str,
    ) -> Result<CastReceipt> {
        if !(8..=128).contains(&idempotency_key.chars().count()) {
            return Err(Error::InvalidInput(
                "the request key must have 8 to 128 characters".into(),
            ));
        }
        let code = match VoterCode::parse(code_text) {
            Ok(c) => c,
            Err(e) => return self.refuse(e),
        };
        let ballot = Ballot::validate(&self.definition, selections)?;
        // Read before anything is written: the receipt carries it.
        let station_key = KeyFingerprint::of(&self.public_key()?);
        let code_mac = self.code_mac(&code);
        let request_mac = hmac(
            &self.code_key,
            &[
                b"cast-request",
                idempotency_key.as_bytes(),
                code.canonical().as_bytes(),
            ],
        );
        // Seal before the transaction (nothing to hold the database lock
        // for; the four X25519 operations were done when the code was
        // accepted, unless the keys changed since). The mode decides test
        // or official; the transaction checks it has not changed meanwhile.
        let sealed_test = election::load(self.store.conn())?.mode == Mode::Test;
        // With ballot cards, the ballot must be the one on the card this
        // code printed, and is sealed with that card's id.
        let cards = self.cards_enabled();
        let card_id = match self.pending_cards.get(&code_mac) {
            Some(pending) if cards => {
                if normal_form(&self.definition, &ballot) != pending.ballot {
                    self.audit(
                        "kiosk",
                        AuditEvent::Refused,
                        "cast refused: the choices are not those on the printed card (card_mismatch)",
                    )?;
                    return Err(Error::CardMismatch);
                }
                Some(*pending.card.bytes())
            }
            _ => None,
        };
        if cards && card_id.is_none() && ballots::cast_request(self.store.conn(), &request_mac)?.is_none() {
            // No card: the code's own refusal first (closed polls, a used
            // or unknown code), else "print the card".
            let row = election::load(self.store.conn())?;
            let test = match voting_gate(self.window(), self.now(), &row) {
                Ok(test) => test,
                Err(e) => return self.refuse(e),
            };
            return match code_store::code_state(self.store.conn(), &code_mac)? {
                Some((s, t)) if s == "issued" && t == test => Err(Error::CardNotPrinted),
                other => self.refuse(code_store::refusal(other, test)),
            };
        }
        // The record prepared when this code was accepted, if any: taken
        // (never used twice) and used only if made for the same keys.
        let prepared = match self.prepared_seal.take() {
            Some((mac, prepared)) if mac == code_mac => Some(prepared),
            _ => None,
        };
        let sealed = match self.sealer(sealed_test) {
            Ok(sealer) => sealer.seal_ballot_prepared(
                &self.definition,
                &ballot,
                &card_id.unwrap_or([0; CARD_ID_LEN]),
                prepared,
                &mut self.rng,
            )?,
            // Official ballots need the closing key, which opening the polls
            // requires: without it, the voting gate below refuses anyway.
            Err(Error::NoClosingKey) => Vec::new(),
            Err(e) => return Err(e),
        };
        drop(ballot);
        let mut storage_id = [0u8; 16];
        self.rng.fill_bytes(&mut storage_id);
        let receipt = ReceiptId::random(&mut self.rng);
        let (window, clock) = (self.window(), self.clock.clone());
        let cast = self.audited_write("kiosk", AuditEvent::BallotCast, |tx, _| {
            if let Some(previous) = ballots::cast_request(tx, &request_mac)? {
                // A repeated request: the same receipt, nothing cast, nothing audited.
                let test = ballots::receipt(tx, &previous)?.unwrap_or(false);
                return Ok(Audited::no_entry((ReceiptId::parse(&previous)?, test)));
            }
            let row = election::load(tx)?;
            let test = voting_gate(window, clock.now(), &row)?;
            if test != sealed_test || sealed.is_empty() {
                // The mode changed between sealing and now.
                return Err(Error::CodeWrongKind);
            }
            code_store::consume_code(tx, &code_mac, test)?;
            if cards {
                if card_id.is_none() {
                    return Err(Error::CardNotPrinted);
                }
                card_store::record_card_cast(tx, &code_mac, test)?;
            }
            ballots::record_sealed_ballot(tx, &storage_id, test, &sealed)?;
            ballots::record_receipt(tx, receipt.as_str(), test)?;
            ballots::record_cast_request(tx, &request_mac, receipt.as_str())?;
            if row.invalid_code_streak != 0 {
                election::record_code_streak(tx, 0, false)?;
            }
            let detail = if test {
                "a test ballot was cast"
            } else {
                "a ballot was cast"
            };
            Ok(Audited::entry((receipt.clone(), test), detail))
        });
        let (receipt_id, test) = match cast {
            Ok(cast) => cast,
            Err(e) => return self.refuse(e),
        };
        self.pending_cards.remove(&code_mac);
        // Committed. Now empty the WAL: it holds this commit's pages (ballot
        // and receipt together), and a copy of the file plus the WAL would
        // otherwise link receipts to ballots and reveal cast order. The
        // ballot is durable whatever happens here: a failure is audited and
        // shown to the officials (`Status::storage_alert`), not the voter.
        self.checkpoint_after_cast()?;
        let payload = receipt_id.payload(
            self.definition.hash(),
            &station_key,
            self.definition.receipt_verification_url.as_deref(),
        );
        let cast = CastReceipt {
            receipt: receipt_id,
            payload,
            test,
            station_key,
        };
        self.last_receipt = Some(cast.clone());
        Ok(cast)
    }

    /// Empties the WAL after a cast. A checkpoint that fails or answers
    /// `busy` is audited (without anything about the ballot) and kept as
    /// the station's storage alert until a later checkpoint succeeds.
    fn checkpoint_after_cast(&mut self) -> Result<()> {
        match self.store.checkpoint() {
            Ok(()) => {
                self.storage_alert = None;
                Ok(())
            }
            Err(e) => {
                let message = e.to_string();
                self.audit("kiosk", AuditEvent::Error, &format!("after a cast: {message}"))?;
                self.storage_alert = Some(message);
                Ok(())
            }
        }
    }

    /// Looks a scanned or typed receipt up in this station.
    pub fn check_receipt(&self, text: &str) -> Result<ReceiptStatus> {
        let parsed = receipt::parse(text)?;
        if !parsed.matches_definition(self.definition.hash()) {
            let found = parsed.definition_short.unwrap_or_default();
            return Err(Error::ReceiptOtherElection {
                expected: self.definition.hash().to_hex()[..found.len()].to_string(),
                found,
            });
        }
        Ok(match ballots::receipt(self.store.conn(), parsed.id.as_str())? {
            Some(test) => ReceiptStatus::Recorded { test },
            None => ReceiptStatus::NotFound,
        })
    }

    /// The last receipt cast on this kiosk since it was opened, again, for a
    /// reprint (poll workers and admins; audited without the receipt id).
    /// No other receipt can be reprinted: the file cannot say which receipt
    /// belongs to which ballot, and only this session saw this one. Refused
    /// once its ballot is gone (test ballots, when the polls open).
    pub fn reprint_last_receipt(&mut self, by: &Official) -> Result<CastReceipt> {
        self.check_official(by)?;
        let Some(last) = self.last_receipt.clone() else {
            return Err(Error::NothingToReprint);
        };
        if ballots::receipt(self.store.conn(), last.receipt.as_str())? != Some(last.test) {
            self.last_receipt = None;
            return Err(Error::NothingToReprint);
        }
        let detail = if last.test {
            "the last test receipt was reprinted"
        } else {
            "the last receipt was reprinted"
        };
        self.audit(&by.username, AuditEvent::ReceiptReprinted, detail)?;
        Ok(last)
    }
}
