//! The facade: every rule of running an election at one station. The CLI,
//! the desktop shell and the tests all go through `Station`.
//!
//! This file holds the `Station` value, creating and opening a station
//! file, and the one way a change is recorded (`audited_write`: the write
//! and its audit entry in one transaction). The rules are split by subject:
//! `officials` (logins, accounts), `lifecycle` (the mode and who may change
//! it), `voting` (codes, the voting gate, casting, receipts), `settings`
//! (kiosk settings, the printer), `records` (status, counts, the audit log,
//! the reports' snapshot), `closing` (the closing key, its slips and the
//! count that unseals the ballots) and `export` (the signing key, the
//! signed result file). `types` holds the values the facade hands out.

mod cards;
mod closing;
mod export;
mod lifecycle;
mod officials;
mod records;
mod settings;
mod types;
mod voting;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rand::RngCore;
use rand_core::CryptoRngCore;
use rusqlite::Transaction;
use zeroize::Zeroizing;

use crate::clock::{stamp, Clock};
use crate::crypto::{kdf, password};
use crate::definition::ElectionDefinition;
use crate::error::{Error, Result};
use crate::model::AuditEvent;
use crate::print::Printer;
use crate::store::audit::append_audit;
use crate::store::{election, officials as official_store, FileKey, Store};

pub use crate::codes::IssuedBatch;
pub use crate::keys::slip::MIN_PIN_DIGITS;
pub use crate::model::{Mode, Role};
pub use crate::receipt::CastReceipt;
pub use cards::{BoxCount, CardCounts, PrintedCard, Reconciliation, MAX_BOXES, MAX_CARDS_PER_BOX};
pub use closing::{ClosingKeyInfo, CountSummary, ShareSlip, SlipUnlock, MAX_SLIPS};
pub use officials::{
    LOGIN_DELAY_BASE_SECS, LOGIN_DELAY_MAX_SECS, LOGIN_FREE_FAILURES, REAUTH_MAX_WRONG, REAUTH_VALID_SECS,
};
pub use settings::{DEFAULT_PIXEL_PITCH_UM, IDLE_TIMEOUT_RANGE, OFFICIAL_IDLE_RANGE, PIXEL_PITCH_RANGE_UM};
pub use types::{KioskSettings, Official, Options, ReceiptStatus, Status};

/// Invalid codes in a row that lock voting.
pub const CODE_LOCKOUT_AFTER: u32 = 5;
/// Wrong PINs in a row at the count that lock counting for a while (the
/// closing key's rule; logins have the kiosk-wide delay of `officials`).
pub const LOGIN_LOCKOUT_AFTER: u32 = 5;
/// The first such lock; each further failure doubles it (up to 2^10 times).
pub const LOGIN_LOCKOUT_BASE_SECS: i64 = 30;
/// The most codes one batch may hold.
pub const MAX_CODES_PER_BATCH: usize = 100_000;

const CODE_KEY: &str = "code_hmac_key";
const AUDIT_KEY: &str = "audit_hmac_key";
/// The 32-byte Ed25519 seed that signs this station's exports.
const SIGNING_KEY: &str = "signing_key";

/// One open election station.
pub struct Station {
    path: PathBuf,
    store: Store,
    key: FileKey,
    definition: ElectionDefinition,
    /// This station's id, given at `create` (not part of the definition).
    station_id: String,
    code_key: Zeroizing<Vec<u8>>,
    audit_key: Zeroizing<Vec<u8>>,
    clock: Arc<dyn Clock>,
    rng: Box<dyn CryptoRngCore + Send>,
    /// The injected printer; `None`: the one the station's settings name.
    printer: Option<Arc<dyn Printer>>,
    /// Random per open station: an `Official` acts only where they logged in.
    instance: u64,
    /// The last receipt cast through this instance (the kiosk session), for
    /// the poll worker's reprint. Memory only, never persisted.
    last_receipt: Option<CastReceipt>,
    /// The last failed WAL checkpoint after a cast (`Error::CheckpointFailed`'s
    /// message), until one succeeds: shown to officials in `Status`.
    storage_alert: Option<String>,
    /// The unsealed records of the last count (memory only; each record
    /// wipes its choices when dropped).
    counted: Option<closing::Counted>,
    /// What identifies the last result exported from this instance (its
    /// Merkle root and SHA-256), printed on the results report after it.
    exported: Option<crate::print::ResultIdentity>,
    /// The officials' live sessions (memory only).
    sessions: officials::Sessions,
    /// The ballot cards printed through this instance and not yet cast or
    /// spoiled: card id and ballot (memory only; `cards`).
    pending_cards: cards::PendingCards,
    /// The next ballot record, prepared when a code was last accepted
    /// (`check_code`, and so `print_card`) for that code's MAC: its data
    /// key and wraps, so that the cast only encrypts the body. Memory only,
    /// used for one cast at most, wiped when replaced or dropped.
    prepared_seal: Option<([u8; 32], crate::seal::Prepared)>,
    /// The station's Ed25519 public key (its signing key stays in the file).
    public_key: [u8; 32],
}

/// What a write inside [`Station::audited_write`] hands back: its value and
/// the detail of its audit entry, or no entry when it changed nothing.
struct Audited<T> {
    value: T,
    detail: Option<String>,
}

impl<T> Audited<T> {
    /// The write changed something: record `detail`.
    fn entry(value: T, detail: impl Into<String>) -> Self {
        Audited {
            value,
            detail: Some(detail.into()),
        }
    }

    /// The write changed nothing (a repeated cast request): no entry.
    fn no_entry(value: T) -> Self {
        Audited { value, detail: None }
    }
}

impl Station {
    /// Creates a new station file for `definition`, as station `station_id`
    /// (see `valid_station_id`), with its first admin. Every station gets
    /// its signing key here.
    pub fn create(
        path: &Path,
        definition: &ElectionDefinition,
        station_id: &str,
        passphrase: &str,
        admin: &str,
        admin_password: &str,
        mut options: Options,
    ) -> Result<Station> {
        if !valid_station_id(station_id) {
            return Err(Error::BadStationId(station_id.to_string()));
        }
        if passphrase.chars().count() < kdf::MIN_PASSPHRASE_CHARS {
            return Err(Error::WeakPassphrase {
                min: kdf::MIN_PASSPHRASE_CHARS,
            });
        }
        if !officials::valid_username(admin) {
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
            election::record_setting(tx, "format", "votekiosk-station/2")?;
            election::record_station_id(tx, station_id)?;
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
            official_store::record_official(tx, admin, Role::Admin, &admin_hash)?;
            let detail = format!(
                "station file created for {station_id} (definition {}), first admin {admin}",
                definition.hash().to_hex()
            );
            append_audit(tx, &audit_key, &now, admin, AuditEvent::Setup, &detail)
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

    /// Closes the file and opens it again, as a restarted kiosk program
    /// would (same key, the checks of `open`, a new session: earlier logins
    /// and the last receipt are gone). There is never a second connection:
    /// while one `Station` has the file open, another `open` gets
    /// `Error::StationInUse`. If opening again fails this station stays
    /// closed (every call then fails) and the error says why.
    pub fn restart(&mut self, options: Options) -> Result<()> {
        let (path, key) = (self.path.clone(), self.key.clone());
        self.store.close()?;
        *self = Self::open_with_key(&path, key, options, true)?;
        Ok(())
    }

    fn open_with_key(path: &Path, key: FileKey, options: Options, check: bool) -> Result<Station> {
        let store = Store::open(path, &key)?;
        if check {
            store.check_integrity()?;
        }
        let (stored, stored_hash) = election::definition(store.conn())?;
        let definition = ElectionDefinition::parse(stored.as_bytes())
            .map_err(|e| Error::Damaged(format!("stored definition: {e}")))?;
        if definition.hash().to_hex() != stored_hash {
            return Err(Error::Damaged(
                "the stored definition does not match its hash".into(),
            ));
        }
        let station_id = election::station_id(store.conn())?;
        let code_key = election::secret(store.conn(), CODE_KEY)?;
        let audit_key = election::secret(store.conn(), AUDIT_KEY)?;
        let public_key = export::signing_key_in(store.conn())?.verifying_key().to_bytes();
        let mut rng = options.rng;
        let instance = rng.next_u64();
        let station = Station {
            instance,
            path: path.to_path_buf(),
            store,
            key,
            definition,
            station_id,
            code_key,
            audit_key,
            clock: options.clock,
            rng,
            printer: options.printer,
            last_receipt: None,
            storage_alert: None,
            counted: None,
            exported: None,
            sessions: officials::Sessions::default(),
            pending_cards: cards::PendingCards::default(),
            prepared_seal: None,
            public_key,
        };
        if check {
            let report = station.verify_audit_chain()?;
            if let Some((seq, why)) = report.first_broken {
                return Err(Error::Damaged(format!("audit log entry {seq}: {why}")));
            }
        }
        let mut station = station;
        station.finish_interrupted_close()?;
        if check {
            station.abandon_pending_cards("found when the kiosk started")?;
        }
        Ok(station)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn definition(&self) -> &ElectionDefinition {
        &self.definition
    }

    /// This station's id (given at `create`): on receipts, reports and exports.
    pub fn station_id(&self) -> &str {
        &self.station_id
    }

    pub fn mode(&self) -> Result<Mode> {
        Ok(election::load(self.store.conn())?.mode)
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// An official may act only on the station where they logged in, and
    /// only while their session is live (`officials`: idle logout, logout).
    fn check_official(&mut self, by: &Official) -> Result<()> {
        if by.station != self.instance {
            return Err(Error::NotLoggedInHere);
        }
        self.touch_session(by)
    }

    /// Runs `write` and appends its audit entry (`event`, by `actor`) in
    /// the same transaction: the change and its record commit together or
    /// not at all. `write` gets the transaction and the entry's timestamp.
    fn audited_write<T>(
        &mut self,
        actor: &str,
        event: AuditEvent,
        write: impl FnOnce(&Transaction, &str) -> Result<Audited<T>>,
    ) -> Result<T> {
        let at = stamp(self.now());
        let key = &self.audit_key;
        self.store.write(|tx| {
            let done = write(tx, &at)?;
            if let Some(detail) = &done.detail {
                append_audit(tx, key, &at, actor, event, detail)?;
            }
            Ok(done.value)
        })
    }

    /// Appends an audit entry alone, in its own transaction (a refusal, a
    /// failed login, an export).
    fn audit(&mut self, actor: &str, event: AuditEvent, detail: &str) -> Result<()> {
        self.audited_write(actor, event, |_, _| Ok(Audited::entry((), detail)))
    }
}

/// A station id: 1-64 ASCII letters, digits, `.`, `_` or `-` (e.g.
/// `LAKEVIEW-2-K1`), one per station file.
pub fn valid_station_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}
