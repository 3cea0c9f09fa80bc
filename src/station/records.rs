//! What the station shows: status and turnout (to anyone, at any time),
//! the count (test ballots in test mode; official ones once closed and
//! counted with the slips), the audit log, and the snapshot the printed
//! reports are made from. No ballot is ever read in clear from the file:
//! only from the records a count unsealed in memory.

use chrono::{DateTime, Utc};

use super::{Station, Status};
use crate::ballot::Ballot;
use crate::crypto::seal::SealKeyPair;
use crate::error::{Error, Result};
use crate::model::{ChainReport, Mode};
use crate::print::{CardsSnapshot, ResultsReport, StationSnapshot, ZeroReport};
use crate::seal::UnsealedBallot;
use crate::store::audit::{self as audit_store, AuditEntry};
use crate::store::{ballots, codes as code_store, election};
use crate::tabulate::{tabulate, ElectionResult};
use crate::turnout::Turnout;

/// The mode, whether the ballots are test ballots, and each ballot with
/// its public record id.
pub(super) type Countable = (Mode, bool, Vec<([u8; 16], Ballot)>);

impl Station {
    pub fn verify_audit_chain(&self) -> Result<ChainReport> {
        audit_store::verify_chain(self.store.conn(), &self.audit_key)
    }

    pub fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        audit_store::recent_audit(self.store.conn(), limit)
    }

    pub fn status(&self) -> Result<Status> {
        let conn = self.store.conn();
        let row = election::load(conn)?;
        Ok(Status {
            mode: row.mode,
            station_id: self.station_id.clone(),
            definition_hash: self.definition.hash(),
            opened_at: row.opened_at,
            closed_at: row.closed_at,
            voting_locked: row.locked,
            turnout: code_store::turnout(conn, false)?,
            test_turnout: code_store::turnout(conn, true)?,
            cards: self.card_counts_of(false)?,
            test_cards: self.card_counts_of(true)?,
            storage_alert: self.storage_alert.clone(),
        })
    }

    /// The ballots the count may show now, with their public record ids:
    /// in test mode the test ballots, unsealed afresh with the test key;
    /// once closed, the official ballots of the last `count` (else
    /// `Error::CountFirst`); in setup mode, none (the polls never opened).
    /// Never while voting (`Error::ResultsHidden`): sealed ballots are
    /// counted only after close.
    pub(super) fn countable(&self) -> Result<Countable> {
        let mode = self.mode()?;
        let take = |records: &[UnsealedBallot]| -> Vec<([u8; 16], Ballot)> {
            records.iter().map(|r| (r.record_id, r.ballot.clone())).collect()
        };
        let ballots = match mode {
            Mode::Test => take(&self.unseal_all(true, &SealKeyPair::test())?),
            Mode::Setup => Vec::new(),
            Mode::Closed => match &self.counted {
                Some(counted) if !counted.test => take(&counted.records),
                _ => return Err(Error::CountFirst),
            },
            Mode::Open | Mode::Paused => return Err(Error::ResultsHidden),
        };
        Ok((mode, mode == Mode::Test, ballots))
    }

    /// Receipts recorded (official or test).
    pub fn receipt_count(&self, test: bool) -> Result<u64> {
        ballots::count_receipts(self.store.conn(), test)
    }

    /// The full count of the ballots that may be shown now, with turnout
    /// (`countable`: test ballots in test mode, official ones after close
    /// and `count`). Turnout alone (`turnout`, `status`) is always visible.
    pub fn tally(&self) -> Result<ElectionResult> {
        let (mode, test, ballots) = self.countable()?;
        let ballots: Vec<Ballot> = ballots.into_iter().map(|(_, b)| b).collect();
        let contests = tabulate(&self.definition, &ballots);
        Ok(ElectionResult::new(
            &self.definition,
            &self.station_id,
            mode.as_str(),
            test,
            self.turnout(test)?,
            contests,
        ))
    }

    /// Codes and ballots, official or test: visible to anyone at any time.
    pub fn turnout(&self, test: bool) -> Result<Turnout> {
        code_store::turnout(self.store.conn(), test)
    }

    /// What both printed reports show about this station, read once, as
    /// printed at `printed_at`.
    pub fn report_snapshot(&self, printed_at: DateTime<Utc>) -> Result<StationSnapshot> {
        let row = election::load(self.store.conn())?;
        Ok(StationSnapshot {
            definition: self.definition.clone(),
            station_id: self.station_id.clone(),
            mode: row.mode,
            opened_at: row.opened_at,
            closed_at: row.closed_at,
            turnout: self.turnout(false)?,
            test_ballots: self.turnout(true)?.ballots,
            chain: self.verify_audit_chain()?,
            public_key: self.public_key()?,
            closing_public_key: self.closing_key()?.map(|k| k.public_key),
            printed_at,
            cards: self.cards_snapshot()?,
            software: {
                let sw = crate::export::software();
                crate::print::SoftwareIdentity {
                    version: format!("{} {}", sw.name, sw.version),
                    commit: sw.commit,
                    binary_sha256: sw.binary_sha256,
                    target: sw.target,
                }
            },
        })
    }

    /// The cards of the current kind for the reports, when there are cards.
    fn cards_snapshot(&self) -> Result<Option<CardsSnapshot>> {
        if !self.cards_enabled() {
            return Ok(None);
        }
        let c = self.card_counts()?;
        Ok(Some(CardsSnapshot {
            printed: c.printed,
            cast: c.cast,
            spoiled: c.spoiled,
            abandoned: c.abandoned,
            hand_count: self
                .hand_count()?
                .map(|r| r.boxes.into_iter().map(|b| (b.box_id, b.cards)).collect()),
        }))
    }

    /// The polls-opened zero report, as printed at `printed_at`.
    pub fn zero_report(&self, printed_at: DateTime<Utc>) -> Result<ZeroReport> {
        Ok(ZeroReport {
            station: self.report_snapshot(printed_at)?,
        })
    }

    /// The results report of the ballots that may be shown now (`tally`:
    /// after close, or test ballots in test mode), as printed at `printed_at`;
    /// after an export, with the result file's Merkle root and SHA-256.
    pub fn results_report(&self, printed_at: DateTime<Utc>) -> Result<ResultsReport> {
        Ok(ResultsReport {
            result: self.tally()?,
            station: self.report_snapshot(printed_at)?,
            // Printed once this instance has exported the result.
            identity: self.exported,
        })
    }
}
