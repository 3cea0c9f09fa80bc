//! The lifecycle: setup → test → open ⇄ paused → closed, who may move it,
//! and what each move does (ARCHITECTURE.md's table). Every change is one
//! transaction with its `mode_changed` entry; a refused one is audited.

use rusqlite::Transaction;

use super::{Audited, Official, Station};
use crate::error::{Error, Result};
use crate::model::{AuditEvent, Mode};
use crate::store::{ballots, codes as code_store, election};

/// Set by the close's transaction, cleared once the file is compacted.
const SETTING_COMPACTION_PENDING: &str = "store.compaction_pending";

impl Station {
    fn change_mode(
        &mut self,
        by: &Official,
        action: &'static str,
        from: &[Mode],
        to: Mode,
        extra: impl FnOnce(&Transaction, &str) -> Result<String>,
    ) -> Result<()> {
        self.check_official(by)?;
        let result = self.audited_write(&by.username, AuditEvent::ModeChanged, |tx, at| {
            let current = election::load(tx)?.mode;
            if !from.contains(&current) {
                return Err(Error::WrongMode {
                    action,
                    mode: current.as_str(),
                });
            }
            let note = extra(tx, at)?;
            election::record_mode(tx, to)?;
            let detail = format!("{} -> {}{note}", current.as_str(), to.as_str());
            Ok(Audited::entry((), detail))
        });
        if let Err(e @ Error::WrongMode { .. }) = &result {
            self.audit(&by.username, AuditEvent::Refused, &e.to_string())?;
        }
        result
    }

    /// Enters logic-and-accuracy test mode (admins only).
    pub fn enter_test_mode(&mut self, by: &Official) -> Result<()> {
        self.check_official(by)?;
        by.require_admin()?;
        self.change_mode(by, "enter test mode", &[Mode::Setup], Mode::Test, |_, _| {
            Ok(String::new())
        })
    }

    /// Opens the polls for real: requires a closing key
    /// (`check_ready_to_open`), a ready printer (`check_printer_for_polls`)
    /// and zero official ballots, and deletes every test ballot, test
    /// receipt and test code.
    pub fn open_polls(&mut self, by: &Official) -> Result<()> {
        self.check_official(by)?;
        if let Err(e) = self.check_ready_to_open() {
            self.audit(&by.username, AuditEvent::Refused, &format!("open the polls: {e}"))?;
            return Err(e);
        }
        let printer_note = if matches!(self.mode()?, Mode::Setup | Mode::Test) {
            self.check_printer_for_polls(by)?
        } else {
            String::new() // change_mode refuses the mode
        };
        self.change_mode(by, "open the polls", &[Mode::Setup, Mode::Test], Mode::Open, |tx, at| {
            let official = ballots::count_ballots(tx, false)?;
            if official != 0 {
                return Err(Error::Damaged(format!("{official} official ballots exist before the polls opened")));
            }
            let test_ballots = ballots::delete_test_ballots(tx)?;
            let test_codes = code_store::delete_test_codes(tx)?;
            crate::store::cards::delete_test_cards(tx)?;
            election::record_opened(tx, at)?;
            election::record_code_streak(tx, 0, false)?;
            Ok(format!(
                "; zero official ballots; deleted {test_ballots} test ballots and {test_codes} test codes{printer_note}"
            ))
        })?;
        // The test ballots a test count unsealed are gone from the file:
        // gone from memory too (and the test cards).
        self.counted = None;
        self.pending_cards.clear();
        self.prepared_seal = None;
        Ok(())
    }

    /// The printer check of opening the polls (issue 13): receipts and code
    /// slips must go onto paper, on a CUPS queue that exists, is enabled,
    /// accepts jobs and is not a print-to-file backend, under a scheduler
    /// that keeps no job files or history (set here where this user may).
    /// An official election with a printer that is not ready is refused
    /// (audited), naming every problem; the demo election is told (the note
    /// goes into the open's audit entry) and opens.
    fn check_printer_for_polls(&mut self, by: &Official) -> Result<String> {
        let demo = self.is_demo();
        let ready = self.printer_readiness(!demo)?;
        let changed = if ready.changed.is_empty() {
            String::new()
        } else {
            format!(" ({})", ready.changed.join("; "))
        };
        if ready.is_ready() {
            return Ok(format!("; printer {}: ready{changed}", ready.printer));
        }
        let problems = ready.problems.join("; ");
        if demo {
            return Ok(format!(
                "; printer {}: allowed in the demo election only: {problems}",
                ready.printer
            ));
        }
        let error = Error::PrinterNotReady(problems);
        self.audit(
            &by.username,
            AuditEvent::Refused,
            &format!("open the polls: {error}"),
        )?;
        Err(error)
    }

    pub fn pause_polls(&mut self, by: &Official) -> Result<()> {
        self.change_mode(by, "pause the polls", &[Mode::Open], Mode::Paused, |_, _| {
            Ok(String::new())
        })
    }

    pub fn resume_polls(&mut self, by: &Official) -> Result<()> {
        self.change_mode(by, "resume the polls", &[Mode::Paused], Mode::Open, |_, _| {
            Ok(String::new())
        })
    }

    /// Closes the polls for good. The file is then compacted (`VACUUM`:
    /// every page rewritten in key order, so neither page numbers nor cell
    /// positions keep a trace of cast order) and the WAL emptied. The close
    /// records "compaction pending" in its own transaction and the
    /// compaction clears it, so a close cut short (power, a crash) is
    /// compacted when the file is next opened.
    pub fn close_polls(&mut self, by: &Official) -> Result<()> {
        self.require_recent_password(by, "close the polls")?;
        self.change_mode(
            by,
            "close the polls",
            &[Mode::Open, Mode::Paused],
            Mode::Closed,
            |tx, at| {
                election::record_closed(tx, at)?;
                ballots::forget_cast_requests(tx)?;
                election::record_setting(tx, SETTING_COMPACTION_PENDING, at)?;
                let n = ballots::count_ballots(tx, false)?;
                Ok(format!("; {n} ballots"))
            },
        )?;
        // The polls are closed (committed) whatever happens next. A card
        // still pending can no longer be cast: it counts as spoiled. A
        // failed compaction loses nothing; it is recorded for the officials
        // and tried again at the next open.
        self.abandon_pending_cards("when the polls closed")?;
        self.compact(&by.username, "after close")
    }

    /// Compacts the file and then clears "compaction pending". A failure
    /// is audited (the flag stays, so the next open tries again).
    fn compact(&mut self, actor: &str, when: &str) -> Result<()> {
        let done = self.store.compact().and_then(|()| {
            self.store
                .write(|tx| election::forget_setting(tx, SETTING_COMPACTION_PENDING))?;
            self.store.checkpoint()
        });
        if let Err(e) = done {
            self.audit(
                actor,
                AuditEvent::Error,
                &format!("compacting the file {when} failed: {}", e.code()),
            )?;
        }
        Ok(())
    }

    /// Redoes the compaction of a close that was cut short (the close
    /// committed, its `VACUUM` never finished). Called on every open.
    pub(super) fn finish_interrupted_close(&mut self) -> Result<()> {
        let pending = election::setting(self.store.conn(), SETTING_COMPACTION_PENDING)?;
        let Some(closed_at) = pending else {
            return Ok(());
        };
        self.audit(
            "kiosk",
            AuditEvent::Error,
            &format!(
                "the close of {closed_at} was interrupted before the file was compacted: compacting now"
            ),
        )?;
        self.compact("kiosk", "on open, after an interrupted close")
    }
}
