//! The encrypted station file. Only this module (and its children) touches
//! rusqlite.
//!
//! Opening order: `PRAGMA key` (raw Argon2id key plus the file's salt),
//! `locking_mode = EXCLUSIVE`, then a read that proves the key, then the
//! other pragmas (WAL, `synchronous=FULL`, foreign keys, secure delete),
//! then migrations, then a write that takes the file's exclusive lock.
//!
//! One connection holds the file, exclusively, for as long as it is open:
//! another program (or a second `Store` in this one) gets
//! [`Error::StationInUse`] instead of reading pages between two casts. In
//! exclusive mode SQLite keeps the WAL index in memory, so no `-shm` file
//! (which is not encrypted) is ever written.
//!
//! The lock is a POSIX advisory lock, and POSIX drops every lock a process
//! holds on a file when the process closes *any* descriptor of that file.
//! So this process never opens a held station file again, not even to read
//! its salt: an in-process list of open files (by device and inode) answers
//! `StationInUse` first.

pub mod audit;
pub mod ballots;
pub mod cards;
pub mod closing;
pub mod codes;
pub mod election;
mod migrate;
pub mod officials;

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};
use zeroize::Zeroizing;

use crate::crypto::kdf::{self, KEY_LEN, SALT_LEN};
use crate::error::{Error, Result};

pub use migrate::SCHEMA_VERSION;

/// The file key with the salt it was derived with.
#[derive(Clone)]
pub struct FileKey {
    pub key: Zeroizing<[u8; KEY_LEN]>,
    pub salt: [u8; SALT_LEN],
}

impl FileKey {
    pub fn derive(passphrase: &str, salt: [u8; SALT_LEN]) -> Result<Self> {
        Ok(FileKey {
            key: kdf::derive_file_key(passphrase, &salt)?,
            salt,
        })
    }

    /// SQLCipher's raw-key form with explicit salt: `x'<key><salt>'`.
    fn pragma_value(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}{}'", hex::encode(*self.key), hex::encode(self.salt)))
    }
}

/// One open connection to a station file.
pub struct Store {
    conn: Connection,
    /// This file's place in the list of files open in this process.
    _held: Option<Held>,
}

/// The station files this process has open, by (device, inode).
static HELD: Mutex<BTreeSet<(u64, u64)>> = Mutex::new(BTreeSet::new());

/// A file's identity, read without opening it (`stat`): opening and
/// closing it would drop this process's lock on it.
fn identity(path: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Refuses a file this process already has open (`StationInUse`).
fn refuse_if_held(path: &Path) -> Result<()> {
    let held = HELD.lock().map_err(|_| Error::StationInUse)?;
    match identity(path) {
        Some(id) if held.contains(&id) => Err(Error::StationInUse),
        _ => Ok(()),
    }
}

/// A file's entry in [`HELD`], removed when the store closes.
struct Held((u64, u64));

impl Held {
    fn take(path: &Path) -> Result<Option<Held>> {
        let Some(id) = identity(path) else {
            return Ok(None);
        };
        let mut held = HELD.lock().map_err(|_| Error::StationInUse)?;
        if !held.insert(id) {
            return Err(Error::StationInUse);
        }
        Ok(Some(Held(id)))
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Ok(mut held) = HELD.lock() {
            held.remove(&self.0);
        }
    }
}

/// Reads SQLCipher's salt: the first 16 bytes of the file. A file this
/// process holds open is refused without being opened again.
pub fn read_salt(path: &Path) -> Result<[u8; SALT_LEN]> {
    refuse_if_held(path)?;
    let mut file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::FileNotFound(path.display().to_string()))
        }
        Err(e) => return Err(Error::io(path, e)),
    };
    let mut salt = [0u8; SALT_LEN];
    file.read_exact(&mut salt).map_err(|_| Error::WrongPassphrase)?;
    Ok(salt)
}

fn map_open_error(e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => Error::WrongPassphrase,
        Some(ErrorCode::DatabaseCorrupt) => Error::Damaged(e.to_string()),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Error::StationInUse,
        _ => Error::Storage(e),
    }
}

/// What `PRAGMA wal_checkpoint(TRUNCATE)` answered: whether it could not
/// finish (`busy`), the frames in the WAL and the frames it moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    pub busy: bool,
    pub log: i64,
    pub checkpointed: i64,
}

impl Checkpoint {
    /// Everything left the WAL: not busy, and every frame was moved.
    pub fn complete(&self) -> bool {
        !self.busy && self.log == self.checkpointed
    }
}

impl Store {
    /// Opens an existing station file with its key. Never creates a file.
    pub fn open(path: &Path, key: &FileKey) -> Result<Store> {
        if !path.is_file() {
            return Err(Error::FileNotFound(path.display().to_string()));
        }
        let held = Held::take(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)?;
        let mut store = Self::configure(conn, key)?;
        store._held = held;
        Ok(store)
    }

    /// Creates a new station file at `path` atomically: the file is built
    /// under a temporary name, `init` runs in one transaction, and only a
    /// complete file is linked into place. An existing file is never touched.
    pub fn create(path: &Path, key: &FileKey, init: impl FnOnce(&Transaction) -> Result<()>) -> Result<()> {
        if path.exists() {
            return Err(Error::FileExists(path.display().to_string()));
        }
        let tmp = temp_sibling(path);
        let result = (|| {
            let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            let conn = Connection::open_with_flags(&tmp, flags)?;
            let mut store = Self::configure(conn, key)?;
            store.write(init)?;
            store.conn.close().map_err(|(_, e)| Error::Storage(e))?;
            // hard_link fails if `path` appeared meanwhile: never clobber.
            match fs::hard_link(&tmp, path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    Err(Error::FileExists(path.display().to_string()))
                }
                // File systems without hard links (FAT, exFAT): check, then rename.
                Err(_) if !path.exists() => fs::rename(&tmp, path).map_err(|e| Error::io(path, e)),
                Err(_) => Err(Error::FileExists(path.display().to_string())),
            }
        })();
        for suffix in ["", "-wal", "-shm"] {
            let _ = fs::remove_file(format!("{}{suffix}", tmp.display()));
        }
        result
    }

    fn configure(conn: Connection, key: &FileKey) -> Result<Store> {
        // SQLCipher would print HMAC failures (a wrong passphrase) on stderr.
        conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
        // Before anything touches the file: in exclusive mode no other
        // connection shares it, and a WAL file gets no (unencrypted) `-shm`
        // index. Nobody to wait for: a held file is refused at once.
        conn.busy_timeout(Duration::ZERO)?;
        conn.execute_batch("PRAGMA locking_mode = EXCLUSIVE;")?;
        conn.execute_batch(&format!("PRAGMA key = \"{}\";", key.pragma_value().as_str()))?;
        conn.execute_batch("PRAGMA cipher_compatibility = 4;")?;
        // The first read proves the key (SQLCipher checks page 1's HMAC).
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))
            .map_err(map_open_error)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA secure_delete = ON;
             PRAGMA temp_store = MEMORY;",
        )
        .map_err(map_open_error)?;
        let mut store = Store { conn, _held: None };
        migrate::apply(&mut store.conn).map_err(|e| match e {
            Error::Storage(se) => map_open_error(se),
            other => other,
        })?;
        // A write takes the exclusive lock, which the connection then keeps
        // until it closes: from here on no other program can read the file.
        store
            .conn
            .execute_batch("BEGIN EXCLUSIVE; COMMIT;")
            .map_err(map_open_error)?;
        Ok(store)
    }

    /// Checks every page's HMAC (SQLCipher) and SQLite's own structure.
    pub fn check_integrity(&self) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare("PRAGMA cipher_integrity_check")
            .map_err(map_open_error)?;
        let problems: Vec<String> = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(map_open_error)?
            .collect::<rusqlite::Result<_>>()
            .map_err(map_open_error)?;
        if let Some(p) = problems.first() {
            return Err(Error::Damaged(p.clone()));
        }
        let ok: String = self
            .conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(map_open_error)?;
        if ok != "ok" {
            return Err(Error::Damaged(ok));
        }
        Ok(())
    }

    /// Closes the connection (releasing the file's lock) and leaves this
    /// `Store` on an empty in-memory database, which holds no station.
    pub fn close(&mut self) -> Result<()> {
        let detached = Connection::open_in_memory()?;
        let conn = std::mem::replace(&mut self.conn, detached);
        let closed = conn.close().map_err(|(_, e)| Error::Storage(e));
        self._held = None;
        closed
    }

    /// Read access for queries.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction, committing only if it
    /// succeeds. The commit returns after SQLite's fsync (`synchronous=FULL`).
    pub fn write<T>(&mut self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Moves everything from the WAL into the main file and truncates the
    /// WAL, so the WAL no longer holds recent pages in write order. A
    /// checkpoint that could not finish (SQLite answers `busy`, or moved
    /// fewer frames than the WAL holds) is [`Error::CheckpointFailed`].
    pub fn checkpoint(&self) -> Result<()> {
        let done = self.checkpoint_status()?;
        if done.complete() {
            Ok(())
        } else {
            Err(Error::CheckpointFailed(format!(
                "busy {}, {} frames in the log, {} moved",
                u8::from(done.busy),
                done.log,
                done.checkpointed
            )))
        }
    }

    /// Runs `PRAGMA wal_checkpoint(TRUNCATE)` and returns its answer.
    pub fn checkpoint_status(&self) -> Result<Checkpoint> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                Ok(Checkpoint {
                    busy: r.get::<_, i64>(0)? != 0,
                    log: r.get(1)?,
                    checkpointed: r.get(2)?,
                })
            })
            .map_err(|e| Error::CheckpointFailed(e.to_string()))
    }

    /// Rewrites the whole file (`VACUUM`) and empties the WAL. B-tree pages
    /// are rebuilt in key order, so page numbers and the offsets of cells
    /// inside pages no longer follow insertion order, and no free page is
    /// left (`secure_delete` had already zeroed freed content).
    pub fn compact(&self) -> Result<()> {
        self.conn.execute_batch("VACUUM;")?;
        self.checkpoint()
    }
}

fn temp_sibling(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tag: u64 = rand::random();
    path.with_file_name(format!(".{name}.creating-{tag:016x}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The checkpoint's answer is read, not ignored: a reader holding a
    /// snapshot (only possible outside the station's exclusive mode) keeps
    /// frames in the WAL, SQLite answers `busy`, and that is
    /// `CheckpointFailed`; once it lets go, the checkpoint completes.
    #[test]
    fn a_busy_checkpoint_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("wal.db");
        let conn = Connection::open(&path).expect("open");
        conn.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .expect("setup");
        let store = Store { conn, _held: None };
        store.checkpoint().expect("nothing holds the WAL");

        let reader = Connection::open(&path).expect("reader");
        reader
            .execute_batch("BEGIN; SELECT count(*) FROM t;")
            .expect("hold a snapshot");
        store
            .conn
            .execute_batch("INSERT INTO t VALUES (2);")
            .expect("write");
        let answer = store.checkpoint_status().expect("answer");
        assert!(!answer.complete(), "{answer:?}");
        let err = store.checkpoint().expect_err("busy");
        assert_eq!(err.code(), "checkpoint_failed");
        assert!(err.to_string().contains("busy 1"), "{err}");

        reader.execute_batch("COMMIT;").expect("let go");
        store.checkpoint().expect("complete once the reader is gone");
        assert_eq!(
            fs::metadata(format!("{}-wal", path.display()))
                .map(|m| m.len())
                .unwrap_or(0),
            0
        );
    }
}
