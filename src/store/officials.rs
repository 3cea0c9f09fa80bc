//! Official accounts and their login-failure counters.

use rusqlite::{params, Connection, OptionalExtension};

use super::election::parse_name;
use crate::error::{Error, Result};
use crate::model::Role;

pub struct OfficialRow {
    pub username: String,
    pub role: Role,
    pub password_hash: String,
    pub failed_attempts: u32,
    pub locked_until: Option<String>,
}

pub fn record_official(conn: &Connection, username: &str, role: Role, password_hash: &str) -> Result<()> {
    let exists: bool = conn.query_row(
        "SELECT count(*) FROM officials WHERE username = ?1",
        [username],
        |r| r.get(0),
    )?;
    if exists {
        return Err(Error::OfficialExists(username.to_string()));
    }
    conn.execute(
        "INSERT INTO officials (username, role, password_hash) VALUES (?1, ?2, ?3)",
        params![username, role.as_str(), password_hash],
    )?;
    Ok(())
}

pub fn official(conn: &Connection, username: &str) -> Result<Option<OfficialRow>> {
    let row = conn
        .query_row(
            "SELECT username, role, password_hash, failed_attempts, locked_until FROM officials WHERE username = ?1",
            [username],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get(3)?,
                    r.get(4)?,
                ))
            },
        )
        .optional()?;
    row.map(|(username, role, password_hash, failed_attempts, locked_until)| {
        Ok(OfficialRow {
            username,
            role: parse_name(&role, "role")?,
            password_hash,
            failed_attempts,
            locked_until,
        })
    })
    .transpose()
}

pub fn list_officials(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare("SELECT username, role FROM officials ORDER BY username")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
