//! The values the facade takes and hands out: what a station injects
//! (`Options`), a logged-in `Official`, its `Status`, a receipt's status,
//! the kiosk settings. The stored names (`Mode`, `Role`) are in `model`;
//! `IssuedBatch` is beside the codes and `CastReceipt` beside receipts.

use std::sync::Arc;

use rand_core::CryptoRngCore;

use crate::clock::{Clock, SystemClock};
use crate::definition::DefinitionHash;
use crate::error::{Error, Result};
use crate::model::{Mode, Role};
use crate::print::Printer;
use crate::turnout::Turnout;

/// A logged-in official. Only `Station::login` makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Official {
    pub(super) username: String,
    pub(super) role: Role,
    /// The `Station` instance that logged this official in.
    pub(super) station: u64,
    /// Their session on it (idle logout, logout: `station::officials`).
    pub(super) session: u64,
}

impl Official {
    pub fn username(&self) -> &str {
        &self.username
    }
    pub fn role(&self) -> Role {
        self.role
    }
    pub(super) fn require_admin(&self) -> Result<()> {
        match self.role {
            Role::Admin => Ok(()),
            Role::PollWorker => Err(Error::NotAllowed { required: "admin" }),
        }
    }
}

/// What the station injects: time, randomness and the printer.
pub struct Options {
    pub clock: Arc<dyn Clock>,
    pub rng: Box<dyn CryptoRngCore + Send>,
    /// Where `Station::print` sends documents. `None` (the default): the
    /// CUPS queue the station's settings name, or else the station's print
    /// folder (`Station::print_folder`).
    pub printer: Option<Arc<dyn Printer>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            clock: Arc::new(SystemClock),
            rng: Box::new(rand::rngs::OsRng),
            printer: None,
        }
    }
}

/// The answer to "is my receipt recorded here?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptStatus {
    Recorded { test: bool },
    NotFound,
}

/// Turnout and state, safe to show to anyone at any time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub mode: Mode,
    pub station_id: String,
    pub definition_hash: DefinitionHash,
    pub opened_at: Option<String>,
    pub closed_at: Option<String>,
    pub voting_locked: bool,
    /// Official codes and ballots.
    pub turnout: Turnout,
    /// Test codes and ballots (logic and accuracy testing).
    pub test_turnout: Turnout,
    /// Official ballot cards (all zero when cards are disabled).
    pub cards: super::CardCounts,
    /// Test ballot cards.
    pub test_cards: super::CardCounts,
    /// Set when the WAL could not be emptied after a cast
    /// (`Error::CheckpointFailed`, audited): officials must see it.
    pub storage_alert: Option<String>,
}

/// How the kiosk behaves for voters (admin settings, kept in the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskSettings {
    /// Seconds without input before an unfinished ballot is discarded.
    pub idle_timeout_secs: u32,
    /// The language the welcome screen starts in.
    pub default_language: String,
    /// Seconds without activity after which an official is logged out
    /// (`OFFICIAL_IDLE_RANGE`).
    pub official_idle_logout_secs: u32,
    /// The kiosk panel's pixel pitch, in micrometres per pixel
    /// (`PIXEL_PITCH_RANGE_UM`): CSS millimetres are not physical, so the
    /// voter's text sizes (`limits::text_sizes`) are computed from it.
    pub pixel_pitch_um: u32,
}
