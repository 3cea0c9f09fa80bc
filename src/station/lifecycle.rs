//! The lifecycle: setup → test → open ⇄ paused → closed, who may move it,
//! and what each move does (ARCHITECTURE.md's table). Every change is one
//! transaction with its `mode_changed` entry; a refused one is audited.

use rusqlite::Transaction;

use super::{Audited, Official, Station};
use crate::error::{Error, Result};
use crate::model::{AuditEvent, Mode};
use crate::store::{ballots, codes as code_store, election};

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
    /// (`check_ready_to_open`) and zero official ballots, and deletes
    /// every test ballot, test receipt and test code.
    pub fn open_polls(&mut self, by: &Official) -> Result<()> {
        self.check_official(by)?;
        if let Err(e) = self.check_ready_to_open() {
            self.audit(&by.username, AuditEvent::Refused, &format!("open the polls: {e}"))?;
            return Err(e);
        }
        self.change_mode(by, "open the polls", &[Mode::Setup, Mode::Test], Mode::Open, |tx, at| {
            let official = ballots::count_ballots(tx, false)?;
            if official != 0 {
                return Err(Error::Damaged(format!("{official} official ballots exist before the polls opened")));
            }
            let test_ballots = ballots::delete_test_ballots(tx)?;
            let test_codes = code_store::delete_test_codes(tx)?;
            election::record_opened(tx, at)?;
            election::record_code_streak(tx, 0, false)?;
            Ok(format!("; zero official ballots; deleted {test_ballots} test ballots and {test_codes} test codes"))
        })?;
        // The test ballots a test count unsealed are gone from the file:
        // gone from memory too.
        self.counted = None;
        Ok(())
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
    /// positions keep a trace of cast order) and the WAL emptied.
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
                let n = ballots::count_ballots(tx, false)?;
                Ok(format!("; {n} ballots"))
            },
        )?;
        // The polls are closed (committed) whatever happens next. A failed
        // compaction loses nothing; it is recorded for the officials.
        if let Err(e) = self.store.compact() {
            self.audit(
                &by.username,
                AuditEvent::Error,
                &format!("compacting the file after close failed: {}", e.code()),
            )?;
        }
        Ok(())
    }
}
