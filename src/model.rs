//! The names the station file stores: the lifecycle [`Mode`], an
//! official's [`Role`] and the kind of each audit entry ([`AuditEvent`]),
//! plus [`ChainReport`], the outcome of checking the audit chain.
//!
//! Each name is written into the file as it is, and an audit entry's kind
//! is hashed into the audit chain: renaming one would make existing files
//! unreadable or their chains unverifiable. One `strum` attribute gives
//! both directions (name to value and back); the tests below pin every
//! name, so a rename fails them.

use strum::{EnumString, IntoStaticStr, VariantArray};

use crate::error::{Error, Result};

/// Where the election is in its lifecycle (`election.mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumString, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Mode {
    Setup,
    Test,
    Open,
    Paused,
    Closed,
}

impl Mode {
    /// The stored name (`"setup"`, ...).
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// An official's role (`officials.role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumString, IntoStaticStr, VariantArray)]
pub enum Role {
    #[strum(to_string = "admin")]
    Admin,
    /// Also read as `poll-worker` (the command line's spelling).
    #[strum(to_string = "poll_worker", serialize = "poll-worker")]
    PollWorker,
}

impl Role {
    /// The stored name (`"admin"`, `"poll_worker"`).
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// A role an official typed (`admin`, `poll_worker` or `poll-worker`).
    pub fn parse(s: &str) -> Result<Role> {
        s.parse()
            .map_err(|_| Error::InvalidInput(format!("unknown role {s:?}: use admin or poll_worker")))
    }
}

/// The kind of an audit entry (`audit.kind`), hashed into the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumString, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum AuditEvent {
    /// The station file was created (its first entry).
    Setup,
    LoginOk,
    LoginFailed,
    /// A login attempt refused while the kiosk's login delay runs.
    LoginRefused,
    OfficialAdded,
    ModeChanged,
    /// An official's request the rules refused.
    Refused,
    /// Something failed after a committed change (e.g. compacting at close).
    Error,
    CodesIssued,
    CodeRevoked,
    CodeRefused,
    VotingUnlocked,
    BallotCast,
    SettingsChanged,
    PrinterSet,
    ReceiptReprinted,
    Exported,
    /// Written by versions that created a signing key on first export;
    /// no longer written (every station gets its key when it is created),
    /// kept so that the name stays reserved.
    SigningKeyCreated,
    // issue 13: sealed
    /// The station's closing key was made (or made again).
    ClosingKeyMade,
    /// The sealed ballots were unsealed in memory and counted.
    BallotsCounted,
    // issue 13: sessions
    /// An official logged out, or was logged out (idle, wrong passwords).
    LoggedOut,
    // issue 14: cards
    /// A ballot card was printed (never its id or content).
    CardPrinted,
    /// A ballot card was spoiled: by the voter, by a reprint, or abandoned.
    CardSpoiled,
    /// The poll workers entered the hand count of the cards in the boxes.
    HandCounted,
}

impl AuditEvent {
    /// The stored (and hashed) name (`"ballot_cast"`, ...).
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl std::fmt::Display for AuditEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of checking a whole audit chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub length: u64,
    /// Hash of the last entry (the chain head), hex.
    pub head: String,
    /// The first entry that fails, with the reason.
    pub first_broken: Option<(i64, String)>,
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    /// Every stored name, byte for byte. Existing station files hold these
    /// strings (and audit chains hash them): a change here is a format
    /// change, never a refactoring.
    const MODES: [(Mode, &str); 5] = [
        (Mode::Setup, "setup"),
        (Mode::Test, "test"),
        (Mode::Open, "open"),
        (Mode::Paused, "paused"),
        (Mode::Closed, "closed"),
    ];
    const ROLES: [(Role, &str); 2] = [(Role::Admin, "admin"), (Role::PollWorker, "poll_worker")];
    const EVENTS: [(AuditEvent, &str); 24] = [
        (AuditEvent::Setup, "setup"),
        (AuditEvent::LoginOk, "login_ok"),
        (AuditEvent::LoginFailed, "login_failed"),
        (AuditEvent::LoginRefused, "login_refused"),
        (AuditEvent::OfficialAdded, "official_added"),
        (AuditEvent::ModeChanged, "mode_changed"),
        (AuditEvent::Refused, "refused"),
        (AuditEvent::Error, "error"),
        (AuditEvent::CodesIssued, "codes_issued"),
        (AuditEvent::CodeRevoked, "code_revoked"),
        (AuditEvent::CodeRefused, "code_refused"),
        (AuditEvent::VotingUnlocked, "voting_unlocked"),
        (AuditEvent::BallotCast, "ballot_cast"),
        (AuditEvent::SettingsChanged, "settings_changed"),
        (AuditEvent::PrinterSet, "printer_set"),
        (AuditEvent::ReceiptReprinted, "receipt_reprinted"),
        (AuditEvent::Exported, "exported"),
        (AuditEvent::SigningKeyCreated, "signing_key_created"),
        // issue 13: sealed
        (AuditEvent::ClosingKeyMade, "closing_key_made"),
        (AuditEvent::BallotsCounted, "ballots_counted"),
        // issue 13: sessions
        (AuditEvent::LoggedOut, "logged_out"),
        // issue 14: cards
        (AuditEvent::CardPrinted, "card_printed"),
        (AuditEvent::CardSpoiled, "card_spoiled"),
        (AuditEvent::HandCounted, "hand_counted"),
    ];

    /// Checks that `golden` names every variant once, with its exact bytes,
    /// and that each name reads back as its variant.
    fn pinned<T>(golden: &[(T, &str)])
    where
        T: VariantArray + Copy + PartialEq + std::fmt::Debug + FromStr + Into<&'static str>,
    {
        assert_eq!(golden.len(), T::VARIANTS.len(), "a variant without a pinned name");
        for variant in T::VARIANTS {
            let (_, name) = golden
                .iter()
                .find(|(v, _)| v == variant)
                .unwrap_or_else(|| panic!("{variant:?} has no pinned name"));
            let stored: &'static str = (*variant).into();
            assert_eq!(stored.as_bytes(), name.as_bytes(), "{variant:?} was renamed");
            assert!(
                T::from_str(name).ok() == Some(*variant),
                "{name:?} does not read back as {variant:?}"
            );
        }
    }

    #[test]
    fn stored_names_never_change() {
        pinned(&MODES);
        pinned(&ROLES);
        pinned(&EVENTS);
        assert_eq!(Role::from_str("poll-worker").ok(), Some(Role::PollWorker));
        assert!(Mode::from_str("Open").is_err(), "names are exact");
    }
}
