//! Numbered schema migrations from `migrations/`, embedded at compile time.
//! Each runs in its own transaction together with the `user_version` bump.
//! Shipped migrations are never edited; a change is a new file. A file
//! older than `votekiosk-station/2` (schema version 2) held ballots in
//! clear and is refused (`file_too_old`): there is no migration to sealed
//! ballots.

use rusqlite::Connection;

use crate::error::{Error, Result};

const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_sealed.sql"),
    include_str!("../../migrations/0003_cards.sql"),
];

/// The first schema version of `votekiosk-station/2` (sealed ballots).
/// An older file holds ballots in clear: it is refused, never migrated.
pub const FIRST_SEALED_VERSION: u32 = 2;

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

pub fn apply(conn: &mut Connection) -> Result<()> {
    let current: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(Error::NewerFile {
            found: current,
            known: SCHEMA_VERSION,
        });
    }
    if current != 0 && current < FIRST_SEALED_VERSION {
        return Err(Error::FileTooOld { found: current });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))?;
        tx.commit()?;
    }
    Ok(())
}
