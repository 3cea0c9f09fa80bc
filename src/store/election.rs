//! The election row: definition, mode, lockout state; secrets and settings.

use rusqlite::{params, Connection, OptionalExtension};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::model::Mode;

/// The election's state: what every cast and code check reads.
pub struct ElectionRow {
    pub mode: Mode,
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

/// The stored definition and its hash (hex), read when the file opens.
pub fn definition(conn: &Connection) -> Result<(String, String)> {
    conn.query_row(
        "SELECT definition, definition_hash FROM election WHERE id = 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .ok_or_else(|| Error::Damaged("the file holds no election".into()))
}

/// The election row. Read in every cast and code check: the statement is
/// cached, not parsed again each time, and leaves the definition (several
/// KiB, read once at open) alone.
pub fn load(conn: &Connection) -> Result<ElectionRow> {
    let mut stmt = conn.prepare_cached(
        "SELECT mode, opened_at, closed_at, invalid_code_streak, locked FROM election WHERE id = 1",
    )?;
    let row = stmt
        .query_row([], |r| {
            Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    let Some((mode, opened_at, closed_at, invalid_code_streak, locked)) = row else {
        return Err(Error::Damaged("the file holds no election".into()));
    };
    Ok(ElectionRow {
        // The mode is read into its type here, once.
        mode: parse_name(&mode, "mode")?,
        opened_at,
        closed_at,
        invalid_code_streak,
        locked,
    })
}

/// A stored name (`model`) read into its type; an unknown one means a damaged file.
pub(crate) fn parse_name<T: std::str::FromStr>(name: &str, what: &str) -> Result<T> {
    name.parse()
        .map_err(|_| Error::Damaged(format!("unknown {what} {name:?}")))
}

pub fn record_mode(conn: &Connection, mode: Mode) -> Result<()> {
    conn.execute("UPDATE election SET mode = ?1 WHERE id = 1", [mode.as_str()])?;
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

/// The station's id, given at creation (`Station::create`).
pub fn record_station_id(conn: &Connection, id: &str) -> Result<()> {
    record_setting(conn, STATION_ID, id)
}

/// The station's id; a file without one is damaged.
pub fn station_id(conn: &Connection) -> Result<String> {
    setting(conn, STATION_ID)?.ok_or_else(|| Error::Damaged("the file names no station id".into()))
}

/// Where the station id is kept (a setting no command changes).
const STATION_ID: &str = "station_id";

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
