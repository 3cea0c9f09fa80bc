//! The facade: every rule of running an election at one station. The CLI,
//! the desktop shell and the tests all go through `Station`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use rand_core::CryptoRngCore;
use zeroize::Zeroizing;

use crate::ballot::{Ballot, SelectionsInput};
use crate::clock::{stamp, Clock, SystemClock};
use crate::codes::VoterCode;
use crate::crypto::{hmac, kdf, password};
use crate::definition::{DefinitionHash, ElectionDefinition};
use crate::error::{Error, Result};
use crate::receipt::{self, ReceiptId};
use crate::store::audit::{self as audit_store, AuditEntry, ChainReport};
use crate::store::codes as code_store;
use crate::store::{ballots, election, officials, FileKey, Store};
use crate::turnout::Turnout;

/// Invalid codes in a row that lock voting.
pub const CODE_LOCKOUT_AFTER: u32 = 5;
/// Wrong passwords in a row that lock an official's account.
pub const LOGIN_LOCKOUT_AFTER: u32 = 5;
/// The first login lockout; each further failure doubles it (up to 2^10 times).
pub const LOGIN_LOCKOUT_BASE_SECS: i64 = 30;
/// The most codes one batch may hold.
pub const MAX_CODES_PER_BATCH: usize = 100_000;

const CODE_KEY: &str = "code_hmac_key";
const AUDIT_KEY: &str = "audit_hmac_key";
/// The 32-byte Ed25519 seed that signs this station's exports.
const SIGNING_KEY: &str = "signing_key";

/// Where the election is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Setup,
    Test,
    Open,
    Paused,
    Closed,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Setup => "setup",
            Mode::Test => "test",
            Mode::Open => "open",
            Mode::Paused => "paused",
            Mode::Closed => "closed",
        }
    }
    fn parse(s: &str) -> Result<Mode> {
        Ok(match s {
            "setup" => Mode::Setup,
            "test" => Mode::Test,
            "open" => Mode::Open,
            "paused" => Mode::Paused,
            "closed" => Mode::Closed,
            other => return Err(Error::Damaged(format!("unknown mode {other:?}"))),
        })
    }
}

/// An official's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    PollWorker,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::PollWorker => "poll_worker",
        }
    }
    pub fn parse(s: &str) -> Result<Role> {
        match s {
            "admin" => Ok(Role::Admin),
            "poll_worker" | "poll-worker" => Ok(Role::PollWorker),
            other => Err(Error::InvalidInput(format!(
                "unknown role {other:?}: use admin or poll_worker"
            ))),
        }
    }
}

/// A logged-in official. Only `Station::login` makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Official {
    username: String,
    role: Role,
    /// The `Station` instance that logged this official in.
    station: u64,
}

impl Official {
    pub fn username(&self) -> &str {
        &self.username
    }
    pub fn role(&self) -> Role {
        self.role
    }
    fn require_admin(&self) -> Result<()> {
        match self.role {
            Role::Admin => Ok(()),
            Role::PollWorker => Err(Error::NotAllowed { required: "admin" }),
        }
    }
}

/// What the station injects: time and randomness.
pub struct Options {
    pub clock: Arc<dyn Clock>,
    pub rng: Box<dyn CryptoRngCore + Send>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            clock: Arc::new(SystemClock),
            rng: Box::new(rand::rngs::OsRng),
        }
    }
}

/// A batch of freshly issued codes: the only place the clear codes exist.
#[derive(Debug)]
pub struct IssuedBatch {
    pub batch: i64,
    pub test: bool,
    pub codes: Vec<VoterCode>,
}

/// What a voter gets after casting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CastReceipt {
    pub receipt: ReceiptId,
    /// The QR payload for the slip.
    pub payload: String,
    pub test: bool,
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
}

/// One open election station.
pub struct Station {
    path: PathBuf,
    store: Store,
    key: FileKey,
    definition: ElectionDefinition,
    code_key: Zeroizing<Vec<u8>>,
    audit_key: Zeroizing<Vec<u8>>,
    clock: Arc<dyn Clock>,
    rng: Box<dyn CryptoRngCore + Send>,
    /// Random per open station: an `Official` acts only where they logged in.
    instance: u64,
    /// The last receipt cast through this instance (the kiosk session), for
    /// the poll worker's reprint. Memory only, never persisted.
    last_receipt: Option<CastReceipt>,
}

fn valid_username(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

impl Station {
    /// Creates a new station file for `definition`, with its first admin.
    pub fn create(
        path: &Path,
        definition: &ElectionDefinition,
        passphrase: &str,
        admin: &str,
        admin_password: &str,
        mut options: Options,
    ) -> Result<Station> {
        if passphrase.chars().count() < kdf::MIN_PASSPHRASE_CHARS {
            return Err(Error::WeakPassphrase {
                min: kdf::MIN_PASSPHRASE_CHARS,
            });
        }
        if !valid_username(admin) {
            return Err(Error::BadOfficialName(admin.to_string()));
        }
        let admin_hash = password::hash(admin_password, &mut options.rng)?;
        let mut salt = [0u8; kdf::SALT_LEN];
        options.rng.fill_bytes(&mut salt);
        let key = FileKey::derive(passphrase, salt)?;
        let mut code_key = Zeroizing::new(vec![0u8; 32]);
        let mut audit_key = Zeroizing::new(vec![0u8; 32]);
        options.rng.fill_bytes(&mut code_key);
        options.rng.fill_bytes(&mut audit_key);
        let mut seed = Zeroizing::new([0u8; 32]);
        options.rng.fill_bytes(seed.as_mut());
        let now = stamp(options.clock.now());
        Store::create(path, &key, |tx| {
            election::record_election(tx, definition.canonical_json(), &definition.hash().to_hex(), &now)?;
            election::record_secret(tx, CODE_KEY, &code_key)?;
            election::record_secret(tx, AUDIT_KEY, &audit_key)?;
            election::record_secret(tx, SIGNING_KEY, seed.as_ref())?;
            election::record_setting(tx, "format", "votekiosk-station/1")?;
            election::record_setting(
                tx,
                "kdf",
                &format!(
                    "argon2id m={} t={} p={} salt=sqlcipher-file-salt",
                    kdf::MEMORY_KIB,
                    kdf::PASSES,
                    kdf::LANES
                ),
            )?;
            officials::record_official(tx, admin, Role::Admin.as_str(), &admin_hash)?;
            let detail = format!(
                "station file created for {} (definition {}), first admin {admin}",
                definition.station_id,
                definition.hash().to_hex()
            );
            audit_store::append_audit(tx, &audit_key, &now, admin, "setup", &detail)
        })?;
        Self::open_with_key(path, key, options, false)
    }

    /// Opens a station file with the election passphrase, verifying the
    /// file's integrity and its audit chain.
    pub fn open(path: &Path, passphrase: &str, options: Options) -> Result<Station> {
        let salt = crate::store::read_salt(path)?;
        let key = FileKey::derive(passphrase, salt)?;
        Self::open_with_key(path, key, options, true)
    }

    /// Opens a station file with a key already derived from its passphrase
    /// (`FileKey::derive`), with the same checks as `open`: for a caller
    /// that holds the key (tests that reopen a file many times, e.g. after
    /// each kill of the crash test) without paying for Argon2 each time.
    pub fn open_with_file_key(path: &Path, key: FileKey, options: Options) -> Result<Station> {
        Self::open_with_key(path, key, options, true)
    }

    /// A second, independent connection to the same file (same key).
    pub fn reopen(&self, options: Options) -> Result<Station> {
        Self::open_with_key(&self.path, self.key.clone(), options, false)
    }

    fn open_with_key(path: &Path, key: FileKey, options: Options, check: bool) -> Result<Station> {
        let store = Store::open(path, &key)?;
        if check {
            store.check_integrity()?;
        }
        let row = election::load(store.conn())?;
        let definition = ElectionDefinition::parse(row.definition.as_bytes())
            .map_err(|e| Error::Damaged(format!("stored definition: {e}")))?;
        if definition.hash().to_hex() != row.definition_hash {
            return Err(Error::Damaged(
                "the stored definition does not match its hash".into(),
            ));
        }
        let code_key = election::secret(store.conn(), CODE_KEY)?;
        let audit_key = election::secret(store.conn(), AUDIT_KEY)?;
        let mut rng = options.rng;
        let instance = rng.next_u64();
        let station = Station {
            instance,
            path: path.to_path_buf(),
            store,
            key,
            definition,
            code_key,
            audit_key,
            clock: options.clock,
            rng,
            last_receipt: None,
        };
        if check {
            let report = station.verify_audit_chain()?;
            if let Some((seq, why)) = report.first_broken {
                return Err(Error::Damaged(format!("audit log entry {seq}: {why}")));
            }
        }
        Ok(station)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn definition(&self) -> &ElectionDefinition {
        &self.definition
    }

    pub fn mode(&self) -> Result<Mode> {
        Mode::parse(&election::load(self.store.conn())?.mode)
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// An official may act only on the station where they logged in.
    fn check_official(&self, by: &Official) -> Result<()> {
        if by.station == self.instance {
            Ok(())
        } else {
            Err(Error::NotLoggedInHere)
        }
    }

    /// Appends an audit entry in its own transaction.
    fn audit(&mut self, actor: &str, kind: &str, detail: &str) -> Result<()> {
        let (key, at) = (self.audit_key.clone(), stamp(self.now()));
        self.store
            .write(|tx| audit_store::append_audit(tx, &key, &at, actor, kind, detail))
    }

    // ---- officials -------------------------------------------------------

    /// Checks an official's password. Five failures in a row lock the
    /// account for 30 s, doubling with each further failure; every attempt
    /// is audited.
    pub fn login(&mut self, username: &str, password_text: &str) -> Result<Official> {
        let now = self.now();
        let row = officials::official(self.store.conn(), username)?;
        let Some(row) = row else {
            // Spend the same effort as a real check, so timing does not say
            // whether the account exists.
            let _ = password::verify(password_text, DUMMY_HASH);
            // The typed name is not recorded: it may be a password typed
            // into the wrong field.
            self.audit("-", "login_failed", "unknown account")?;
            return Err(Error::BadCredentials);
        };
        if let Some(until) = row
            .locked_until
            .as_deref()
            .and_then(|u| DateTime::parse_from_rfc3339(u).ok())
        {
            let until = until.with_timezone(&Utc);
            if now < until {
                // Whole seconds, rounded up: "0 seconds" while still locked would mislead.
                let left = ((until - now).num_milliseconds() + 999) / 1000;
                self.audit(
                    username,
                    "login_refused",
                    &format!("account locked for {left} more seconds"),
                )?;
                return Err(Error::AccountLocked { seconds: left });
            }
        }
        let key = self.audit_key.clone();
        let at = stamp(now);
        if password::verify(password_text, &row.password_hash) {
            self.store.write(|tx| {
                officials::record_login_result(tx, username, 0, None)?;
                audit_store::append_audit(tx, &key, &at, username, "login_ok", &format!("role {}", row.role))
            })?;
            return Ok(Official {
                username: row.username,
                role: Role::parse(&row.role)?,
                station: self.instance,
            });
        }
        let failed = row.failed_attempts + 1;
        let lock = (failed >= LOGIN_LOCKOUT_AFTER).then(|| {
            let secs = LOGIN_LOCKOUT_BASE_SECS << (failed - LOGIN_LOCKOUT_AFTER).min(10);
            (secs, stamp(now + Duration::seconds(secs)))
        });
        self.store.write(|tx| {
            officials::record_login_result(tx, username, failed, lock.as_ref().map(|l| l.1.as_str()))?;
            let detail = match &lock {
                Some((secs, _)) => format!("wrong password ({failed} in a row); locked for {secs} seconds"),
                None => format!("wrong password ({failed} in a row)"),
            };
            audit_store::append_audit(tx, &key, &at, username, "login_failed", &detail)
        })?;
        match lock {
            Some((secs, _)) => Err(Error::AccountLocked { seconds: secs }),
            None => Err(Error::BadCredentials),
        }
    }

    /// Adds an official account (admins only).
    pub fn add_official(
        &mut self,
        by: &Official,
        username: &str,
        role: Role,
        password_text: &str,
    ) -> Result<()> {
        self.check_official(by)?;
        by.require_admin()?;
        if !valid_username(username) {
            return Err(Error::BadOfficialName(username.to_string()));
        }
        let hash = password::hash(password_text, &mut self.rng)?;
        let (key, at) = (self.audit_key.clone(), stamp(self.now()));
        self.store.write(|tx| {
            officials::record_official(tx, username, role.as_str(), &hash)?;
            audit_store::append_audit(
                tx,
                &key,
                &at,
                &by.username,
                "official_added",
                &format!("{username} as {}", role.as_str()),
            )
        })
    }

    pub fn officials(&self) -> Result<Vec<(String, String)>> {
        officials::list_officials(self.store.conn())
    }

    // ---- lifecycle -------------------------------------------------------

    fn change_mode(
        &mut self,
        by: &Official,
        action: &'static str,
        from: &[Mode],
        to: Mode,
        extra: impl FnOnce(&rusqlite::Transaction, &str) -> Result<String>,
    ) -> Result<()> {
        self.check_official(by)?;
        let (key, at) = (self.audit_key.clone(), stamp(self.now()));
        let result = self.store.write(|tx| {
            let current = Mode::parse(&election::load(tx)?.mode)?;
            if !from.contains(&current) {
                return Err(Error::WrongMode {
                    action,
                    mode: current.as_str(),
                });
            }
            let note = extra(tx, &at)?;
            election::record_mode(tx, to.as_str())?;
            let detail = format!("{} -> {}{note}", current.as_str(), to.as_str());
            audit_store::append_audit(tx, &key, &at, &by.username, "mode_changed", &detail)
        });
        if let Err(e @ Error::WrongMode { .. }) = &result {
            self.audit(&by.username, "refused", &e.to_string())?;
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

    /// Opens the polls for real: requires zero official ballots, and deletes
    /// every test ballot, test receipt and test code.
    pub fn open_polls(&mut self, by: &Official) -> Result<()> {
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
        })
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
                "error",
                &format!("compacting the file after close failed: {}", e.code()),
            )?;
        }
        Ok(())
    }

    // ---- voter codes -----------------------------------------------------

    fn code_mac(&self, code: &VoterCode) -> [u8; 32] {
        hmac(&self.code_key, &[b"voter-code", code.canonical().as_bytes()])
    }

    /// Issues `count` new codes. In test mode they are test codes.
    pub fn issue_codes(&mut self, by: &Official, count: usize) -> Result<IssuedBatch> {
        self.check_official(by)?;
        if count == 0 || count > MAX_CODES_PER_BATCH {
            return Err(Error::BadCount(format!(
                "issue from 1 to {MAX_CODES_PER_BATCH} codes at a time, not {count}"
            )));
        }
        let mode = self.mode()?;
        if mode == Mode::Closed {
            self.audit(&by.username, "refused", "issue codes: polls closed")?;
            return Err(Error::WrongMode {
                action: "issue codes",
                mode: mode.as_str(),
            });
        }
        let test = mode == Mode::Test;
        let codes: Vec<VoterCode> = (0..count).map(|_| VoterCode::random(&mut self.rng)).collect();
        let macs: Vec<[u8; 32]> = codes.iter().map(|c| self.code_mac(c)).collect();
        let (key, at) = (self.audit_key.clone(), stamp(self.now()));
        let batch = self.store.write(|tx| {
            let batch = code_store::record_batch(tx, &at, &by.username, count, test)?;
            for mac in &macs {
                code_store::record_code(tx, mac, test, batch)?;
            }
            let kind = if test { "test codes" } else { "codes" };
            audit_store::append_audit(
                tx,
                &key,
                &at,
                &by.username,
                "codes_issued",
                &format!("batch {batch}: {count} {kind}"),
            )?;
            Ok(batch)
        })?;
        Ok(IssuedBatch { batch, test, codes })
    }

    /// Revokes an unused code (e.g. a spoiled slip).
    pub fn revoke_code(&mut self, by: &Official, code_text: &str) -> Result<()> {
        self.check_official(by)?;
        let code = VoterCode::parse(code_text)?;
        let mac = self.code_mac(&code);
        let (key, at) = (self.audit_key.clone(), stamp(self.now()));
        let result = self.store.write(|tx| {
            let mode = Mode::parse(&election::load(tx)?.mode)?;
            if mode == Mode::Closed {
                return Err(Error::WrongMode {
                    action: "revoke codes",
                    mode: mode.as_str(),
                });
            }
            code_store::revoke_code(tx, &mac)?;
            audit_store::append_audit(tx, &key, &at, &by.username, "code_revoked", "one code revoked")
        });
        if let Err(e) = &result {
            self.audit(&by.username, "refused", &format!("revoke code: {}", e.code()))?;
        }
        result
    }

    /// Lifts the invalid-code lock (poll workers and admins).
    pub fn unlock_voting(&mut self, by: &Official) -> Result<()> {
        self.check_official(by)?;
        let (key, at) = (self.audit_key.clone(), stamp(self.now()));
        self.store.write(|tx| {
            if !election::load(tx)?.locked {
                return Err(Error::NotLocked);
            }
            election::record_code_streak(tx, 0, false)?;
            audit_store::append_audit(
                tx,
                &key,
                &at,
                &by.username,
                "voting_unlocked",
                "kiosk unlocked after invalid codes",
            )
        })
    }

    // ---- voting ----------------------------------------------------------

    fn voting_gate(&self, row: &election::ElectionRow) -> Result<bool> {
        voting_gate(&self.definition, self.now(), row)
    }

    /// Records a refused voter code: audited; an unknown code also counts
    /// towards the lock (typos cannot hit a real code and do not count).
    fn record_code_refusal(&mut self, error: &Error) -> Result<()> {
        let (key, at) = (self.audit_key.clone(), stamp(self.now()));
        let counts = matches!(error, Error::CodeUnknown);
        self.store.write(|tx| {
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
            audit_store::append_audit(tx, &key, &at, "kiosk", "code_refused", &detail)
        })
    }

    fn refuse<T>(&mut self, error: Error) -> Result<T> {
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
        if let Err(e) = self.voting_gate(&row) {
            return self.refuse(e);
        }
        let code = match VoterCode::parse(code_text) {
            Ok(c) => c,
            Err(e) => return self.refuse(e),
        };
        let test = Mode::parse(&row.mode)? == Mode::Test;
        let state = code_store::code_state(self.store.conn(), &self.code_mac(&code))?;
        match state {
            // A valid code does not reset the unknown-code streak here:
            // only a cast (which uses the code up) does, so one code cannot
            // buy unlimited guesses between checks.
            Some((s, t)) if s == "issued" && t == test => Ok(()),
            other => self.refuse(code_store::refusal(other, test)),
        }
    }

    /// Casts one ballot with one code, in one transaction: the code is
    /// consumed (exactly one row), the ballot and an unlinked receipt are
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
        let code_mac = self.code_mac(&code);
        let request_mac = hmac(
            &self.code_key,
            &[
                b"cast-request",
                idempotency_key.as_bytes(),
                code.canonical().as_bytes(),
            ],
        );
        let mut ballot_id = [0u8; 16];
        self.rng.fill_bytes(&mut ballot_id);
        let receipt = ReceiptId::random(&mut self.rng);
        let (key, at) = (self.audit_key.clone(), stamp(self.now()));
        let selections_json = ballot.to_json();
        self.cast_in_transaction(
            &code_mac,
            &request_mac,
            &ballot_id,
            &receipt,
            &selections_json,
            &key,
            &at,
        )
        .or_else(|e| self.refuse(e))
    }

    #[allow(clippy::too_many_arguments)]
    fn cast_in_transaction(
        &mut self,
        code_mac: &[u8; 32],
        request_mac: &[u8; 32],
        ballot_id: &[u8; 16],
        receipt: &ReceiptId,
        selections_json: &str,
        key: &[u8],
        at: &str,
    ) -> Result<CastReceipt> {
        let definition = &self.definition;
        let clock = &self.clock;
        let (receipt_id, test) = self.store.write(|tx| {
            if let Some(previous) = ballots::cast_request(tx, request_mac)? {
                let test = ballots::receipt(tx, &previous)?.unwrap_or(false);
                return Ok((ReceiptId::parse(&previous)?, test));
            }
            let row = election::load(tx)?;
            let test = voting_gate(definition, clock.now(), &row)?;
            code_store::consume_code(tx, code_mac, test)?;
            ballots::record_ballot(tx, ballot_id, test, selections_json)?;
            ballots::record_receipt(tx, receipt.as_str(), test)?;
            ballots::record_cast_request(tx, request_mac, receipt.as_str())?;
            if row.invalid_code_streak != 0 {
                election::record_code_streak(tx, 0, false)?;
            }
            let detail = if test {
                "a test ballot was cast"
            } else {
                "a ballot was cast"
            };
            audit_store::append_audit(tx, key, at, "kiosk", "ballot_cast", detail)?;
            Ok((receipt.clone(), test))
        })?;
        // Committed. Now empty the WAL: it holds this commit's pages (ballot
        // and receipt together), and a copy of the file plus the WAL would
        // otherwise link receipts to ballots and reveal cast order. Best
        // effort: the ballot is durable whatever happens here.
        let _ = self.store.checkpoint();
        let payload = receipt_id.payload(
            self.definition.hash(),
            self.definition.receipt_verification_url.as_deref(),
        );
        let cast = CastReceipt {
            receipt: receipt_id,
            payload,
            test,
        };
        self.last_receipt = Some(cast.clone());
        Ok(cast)
    }

    // ---- receipts, audit, counts ----------------------------------------

    /// Looks a scanned or typed receipt up in this station.
    pub fn check_receipt(&self, text: &str) -> Result<ReceiptStatus> {
        let parsed = receipt::parse(text)?;
        let ours = self.definition.hash().short();
        if let Some(found) = parsed.definition_short {
            if found != ours {
                return Err(Error::ReceiptOtherElection {
                    found,
                    expected: ours,
                });
            }
        }
        Ok(match ballots::receipt(self.store.conn(), parsed.id.as_str())? {
            Some(test) => ReceiptStatus::Recorded { test },
            None => ReceiptStatus::NotFound,
        })
    }

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
            mode: Mode::parse(&row.mode)?,
            station_id: self.definition.station_id.clone(),
            definition_hash: self.definition.hash(),
            opened_at: row.opened_at,
            closed_at: row.closed_at,
            voting_locked: row.locked,
            turnout: code_store::turnout(conn, false)?,
            test_turnout: code_store::turnout(conn, true)?,
        })
    }

    /// Every stored ballot (official or test), in random-id order.
    pub fn ballots(&self, test: bool) -> Result<Vec<Ballot>> {
        ballots::ballot_selections(self.store.conn(), test)?
            .iter()
            .map(|json| Ballot::from_json(&self.definition, json))
            .collect()
    }

    /// Receipts recorded (official or test).
    pub fn receipt_count(&self, test: bool) -> Result<u64> {
        ballots::count_receipts(self.store.conn(), test)
    }
}

/// Whether voting is possible now; `Ok(true)` means ballots are test ballots.
fn voting_gate(
    definition: &ElectionDefinition,
    now: DateTime<Utc>,
    row: &election::ElectionRow,
) -> Result<bool> {
    let mode = Mode::parse(&row.mode)?;
    let test = match mode {
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
    if !test && (now < definition.opens || now >= definition.closes) {
        return Err(Error::OutsideWindow {
            opens: definition.opens.to_rfc3339(),
            closes: definition.closes.to_rfc3339(),
        });
    }
    Ok(test)
}

/// A valid Argon2id hash of a random password, checked against when an
/// account does not exist.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2x6N9mZ3yQ0rW8u6v8ZbVw4m8c0k8sKqzqv0G8mQW8s";

impl Station {
    /// The full count of the ballots that may be shown now, with turnout:
    /// test ballots in test mode; official ballots in setup and once
    /// closed, or while voting only when the definition makes results
    /// live (otherwise `Error::ResultsHidden`). Turnout alone
    /// (`turnout`, `status`) is always visible.
    pub fn tally(&self) -> Result<crate::tabulate::ElectionResult> {
        let mode = self.mode()?;
        let test = match mode {
            Mode::Test => true,
            Mode::Setup | Mode::Closed => false,
            Mode::Open | Mode::Paused => {
                if self.definition.results_visibility != crate::definition::ResultsVisibility::Live {
                    return Err(Error::ResultsHidden);
                }
                false
            }
        };
        let contests = crate::tabulate::tabulate(&self.definition, &self.ballots(test)?);
        Ok(crate::tabulate::ElectionResult::new(
            &self.definition,
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
}

/// How the kiosk behaves for voters (admin settings, kept in the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskSettings {
    /// Seconds without input before an unfinished ballot is discarded.
    pub idle_timeout_secs: u32,
    /// The language the welcome screen starts in.
    pub default_language: String,
}

/// The shortest and longest idle timeouts an admin may choose.
pub const IDLE_TIMEOUT_RANGE: std::ops::RangeInclusive<u32> = 30..=900;
const DEFAULT_IDLE_TIMEOUT_SECS: u32 = 120;
const SETTING_IDLE: &str = "kiosk.idle_timeout_secs";
const SETTING_LANGUAGE: &str = "kiosk.default_language";

impl Station {
    pub fn kiosk_settings(&self) -> Result<KioskSettings> {
        let conn = self.store.conn();
        let idle = election::setting(conn, SETTING_IDLE)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_IDLE_TIMEOUT_SECS);
        let language = election::setting(conn, SETTING_LANGUAGE)?
            .filter(|l| self.definition.languages.iter().any(|x| x.code.as_str() == l))
            .unwrap_or_else(|| self.definition.default_language().as_str().to_string());
        Ok(KioskSettings {
            idle_timeout_secs: idle,
            default_language: language,
        })
    }

    /// Changes the kiosk settings (admins only; audited).
    pub fn set_kiosk_settings(&mut self, by: &Official, settings: &KioskSettings) -> Result<()> {
        self.check_official(by)?;
        by.require_admin()?;
        if !IDLE_TIMEOUT_RANGE.contains(&settings.idle_timeout_secs) {
            return Err(Error::InvalidInput(format!(
                "the idle timeout must be from {} to {} seconds",
                IDLE_TIMEOUT_RANGE.start(),
                IDLE_TIMEOUT_RANGE.end()
            )));
        }
        if !self
            .definition
            .languages
            .iter()
            .any(|l| l.code.as_str() == settings.default_language)
        {
            return Err(Error::InvalidInput(format!(
                "{:?} is not a language of this election",
                settings.default_language
            )));
        }
        let (key, at) = (self.audit_key.clone(), stamp(self.now()));
        self.store.write(|tx| {
            election::record_setting(tx, SETTING_IDLE, &settings.idle_timeout_secs.to_string())?;
            election::record_setting(tx, SETTING_LANGUAGE, &settings.default_language)?;
            let detail = format!(
                "idle timeout {} s, default language {}",
                settings.idle_timeout_secs, settings.default_language
            );
            audit_store::append_audit(tx, &key, &at, &by.username, "settings_changed", &detail)
        })
    }
}

/// The station setting naming the CUPS printer queue.
const SETTING_PRINTER: &str = "print.queue";

impl Station {
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
        self.audit(&by.username, "receipt_reprinted", detail)?;
        Ok(last)
    }

    /// The CUPS queue documents are printed on; `None` means documents are
    /// saved to a folder instead.
    pub fn printer_queue(&self) -> Result<Option<String>> {
        Ok(election::setting(self.store.conn(), SETTING_PRINTER)?.filter(|q| !q.is_empty()))
    }

    /// Sets or clears the printer queue (admins only; audited).
    pub fn set_printer(&mut self, by: &Official, queue: Option<&str>) -> Result<()> {
        self.check_official(by)?;
        by.require_admin()?;
        if let Some(q) = queue {
            if !crate::print::valid_queue_name(q) {
                return Err(Error::InvalidInput(format!(
                    "{q:?} is not a printer queue name (letters, digits, '-', '_', '.'; no spaces)"
                )));
            }
        }
        let (key, at) = (self.audit_key.clone(), stamp(self.now()));
        self.store.write(|tx| {
            let detail = match queue {
                Some(q) => {
                    election::record_setting(tx, SETTING_PRINTER, q)?;
                    format!("printer queue {q}")
                }
                None => {
                    election::forget_setting(tx, SETTING_PRINTER)?;
                    "no printer: documents are saved to a folder".to_string()
                }
            };
            audit_store::append_audit(tx, &key, &at, &by.username, "printer_set", &detail)
        })
    }
}

impl Station {
    /// The station's Ed25519 signing key, created on first use for files
    /// made before signing existed (audited).
    fn signing_key(&mut self) -> Result<ed25519_dalek::SigningKey> {
        let existing = election::secret(self.store.conn(), SIGNING_KEY);
        let seed: Zeroizing<Vec<u8>> = match existing {
            Ok(seed) => seed,
            Err(Error::Damaged(_)) => {
                let mut seed = Zeroizing::new(vec![0u8; 32]);
                self.rng.fill_bytes(&mut seed);
                let (key, at) = (self.audit_key.clone(), stamp(self.now()));
                self.store.write(|tx| {
                    election::record_secret(tx, SIGNING_KEY, &seed)?;
                    audit_store::append_audit(
                        tx,
                        &key,
                        &at,
                        "kiosk",
                        "signing_key_created",
                        "station signing key created",
                    )
                })?;
                seed
            }
            Err(e) => return Err(e),
        };
        let seed: [u8; 32] = seed
            .as_slice()
            .try_into()
            .map_err(|_| Error::Damaged("the signing key is not 32 bytes".into()))?;
        Ok(ed25519_dalek::SigningKey::from_bytes(&seed))
    }

    /// The public key's fingerprint if the file has a signing key (every
    /// file made since signing existed), without creating one.
    pub fn existing_key_fingerprint(&self) -> Result<Option<String>> {
        match election::secret(self.store.conn(), SIGNING_KEY) {
            Ok(seed) => {
                let seed: [u8; 32] = seed
                    .as_slice()
                    .try_into()
                    .map_err(|_| Error::Damaged("the signing key is not 32 bytes".into()))?;
                let public = ed25519_dalek::SigningKey::from_bytes(&seed)
                    .verifying_key()
                    .to_bytes();
                Ok(Some(crate::export::fingerprint(&public)))
            }
            Err(Error::Damaged(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The station's public key (32 bytes).
    pub fn public_key(&mut self) -> Result<[u8; 32]> {
        Ok(self.signing_key()?.verifying_key().to_bytes())
    }

    /// The public key's fingerprint, as printed on the zero report.
    pub fn public_key_fingerprint(&mut self) -> Result<String> {
        Ok(crate::export::fingerprint(&self.public_key()?))
    }

    /// Builds the signed result file (canonical JSON text). Official
    /// results only after the polls close; with `test`, a test export of
    /// the test ballots, allowed only in test mode. Audited.
    pub fn export(&mut self, by: &Official, test: bool) -> Result<String> {
        use crate::export::format::{AuditHead, Polls};
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
        let conn = self.store.conn();
        let row = election::load(conn)?;
        let records = ballots::ballot_records(conn, test)?
            .into_iter()
            .map(|(id, json)| Ok((id, Ballot::from_json(&self.definition, &json)?)))
            .collect::<Result<Vec<_>>>()?;
        let turnout = self.turnout(test)?;
        let file = crate::export::build_result_file(crate::export::StationExport {
            definition: &self.definition,
            mode: mode.as_str(),
            test,
            public_key: signing.verifying_key().to_bytes(),
            polls: Polls {
                opened_at: row.opened_at,
                closed_at: row.closed_at,
            },
            turnout,
            ballots: records,
            receipts: ballots::receipt_ids(conn, test)?,
            audit: AuditHead {
                head: chain.head,
                length: chain.length,
            },
        })?;
        let mac_key = Zeroizing::new(crate::export::mac_key(&self.key.key));
        let text = crate::export::seal(file, &signing, &mac_key, &self.key.salt)?;
        let detail = format!(
            "{} exported: {} ballots, sha256 {}",
            if test { "test result" } else { "result" },
            turnout.ballots,
            hex::encode(<sha2::Sha256 as sha2::Digest>::digest(text.as_bytes()))
        );
        self.audit(&by.username, "exported", &detail)?;
        Ok(text)
    }
}
