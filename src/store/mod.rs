//! The encrypted station file. Only this module (and its children) touches
//! rusqlite.
//!
//! Opening order: `PRAGMA key` (raw Argon2id key plus the file's salt), then
//! a read that proves the key, then the other pragmas (WAL,
//! `synchronous=FULL`, foreign keys, secure delete), then migrations.

pub mod audit;
pub mod ballots;
pub mod closing;
pub mod codes;
pub mod election;
mod migrate;
pub mod officials;

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
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
}

/// Reads SQLCipher's salt: the first 16 bytes of the file.
pub fn read_salt(path: &Path) -> Result<[u8; SALT_LEN]> {
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
        _ => Error::Storage(e),
    }
}

impl Store {
    /// Opens an existing station file with its key. Never creates a file.
    pub fn open(path: &Path, key: &FileKey) -> Result<Store> {
        if !path.is_file() {
            return Err(Error::FileNotFound(path.display().to_string()));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)?;
        Self::configure(conn, key)
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
        conn.execute_batch(&format!("PRAGMA key = \"{}\";", key.pragma_value().as_str()))?;
        conn.execute_batch("PRAGMA cipher_compatibility = 4;")?;
        // The first read proves the key (SQLCipher checks page 1's HMAC).
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))
            .map_err(map_open_error)?;
        conn.busy_timeout(Duration::from_secs(30))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA secure_delete = ON;
             PRAGMA temp_store = MEMORY;",
        )
        .map_err(map_open_error)?;
        let mut store = Store { conn };
        migrate::apply(&mut store.conn).map_err(|e| match e {
            Error::Storage(se) => map_open_error(se),
            other => other,
        })?;
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
    /// WAL, so the WAL no longer holds recent pages in write order.
    pub fn checkpoint(&self) -> Result<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
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
