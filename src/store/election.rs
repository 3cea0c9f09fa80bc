//! The election row: definition, mode, lockout state; secrets and settings.

use rusqlite::{params, Connection, OptionalExtension};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

pub struct ElectionRow {
    pub definition: String,
    pub definition_hash: String,
    pub mode: String,
    pub opened_at: Option<String>,
    pub closed_at: Option<String>,
    pub invalid_code_streak: u32,
    pub locked: bool,
}

pub fn record_election(conn: &Connection, definition: &str, hash: &str, created_at: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO election (id, definition, definition_hash, mode, created_at) VALUES (1, ?1, ?2, 'setup', ?3)",
        params![definition, hash, created_at],
    )?;
    Ok(())
}

/// The election row. Read in every cast and code check: the statement is
/// cached, not parsed again each time.
pub fn load(conn: &Connection) -> Result<ElectionRow> {
    let mut stmt = conn.prepare_cached(
        "SELECT definition, definition_hash, mode, opened_at, closed_at, invalid_code_streak, locked
         FROM election WHERE id = 1",
    )?;
    stmt.query_row([], |r| {
        Ok(ElectionRow {
            definition: r.get(0)?,
            definition_hash: r.get(1)?,
            mode: r.get(2)?,
            opened_at: r.get(3)?,
            closed_at: r.get(4)?,
            invalid_code_streak: r.get(5)?,
            locked: r.get(6)?,
        })
    })
    .optional()?
    .ok_or_else(|| Error::Damaged("the file holds no election".into()))
}

pub fn record_mode(conn: &Connection, mode: &str) -> Result<()> {
    conn.execute("UPDATE election SET mode = ?1 WHERE id = 1", [mode])?;
    Ok(())
}

pub fn record_opened(conn: &Connection, at: &str) -> Result<()> {
    conn.execute(
        "UPDATE election SET opened_at = coalesce(opened_at, ?1) WHERE id = 1",
        [at],
    )?;
    Ok(())
}

pub fn record_closed(conn: &Connection, at: &str) -> Result<()> {
    conn.execute("UPDATE election SET closed_at = ?1 WHERE id = 1", [at])?;
    Ok(())
}

/// Sets the invalid-code streak and lock flag; returns nothing.
pub fn record_code_streak(conn: &Connection, streak: u32, locked: bool) -> Result<()> {
    conn.execute(
        "UPDATE election SET invalid_code_streak = ?1, locked = ?2 WHERE id = 1",
        params![streak, locked],
    )?;
    Ok(())
}

pub fn record_secret(conn: &Connection, name: &str, value: &[u8]) -> Result<()> {
    conn.execute(
        "INSERT INTO secrets (name, value) VALUES (?1, ?2)",
        params![name, value],
    )?;
    Ok(())
}

pub fn secret(conn: &Connection, name: &str) -> Result<Zeroizing<Vec<u8>>> {
    let value: Option<Vec<u8>> = conn
        .query_row("SELECT value FROM secrets WHERE name = ?1", [name], |r| r.get(0))
        .optional()?;
    value
        .map(Zeroizing::new)
        .ok_or_else(|| Error::Damaged(format!("the file has no {name}")))
}

pub fn record_setting(conn: &Connection, name: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO settings (name, value) VALUES (?1, ?2)",
        params![name, value],
    )?;
    Ok(())
}

/// A setting's value, if set.
pub fn setting(conn: &Connection, name: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM settings WHERE name = ?1", [name], |r| r.get(0))
        .optional()?)
}

/// Removes a setting (nothing happens if it is not set).
pub fn forget_setting(conn: &Connection, name: &str) -> Result<()> {
    conn.execute("DELETE FROM settings WHERE name = ?1", [name])?;
    Ok(())
}
