//! Voter codes, stored only as HMACs, their batches, and the turnout
//! (codes by state beside the ballots cast).

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Error, Result};
use crate::turnout::Turnout;

pub fn record_batch(conn: &Connection, at: &str, by: &str, count: usize, test: bool) -> Result<i64> {
    conn.execute(
        "INSERT INTO code_batches (issued_at, issued_by, count, test) VALUES (?1, ?2, ?3, ?4)",
        params![at, by, count as i64, test],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Stores one code's MAC. A collision (astronomically unlikely) is an error.
pub fn record_code(conn: &Connection, mac: &[u8; 32], test: bool, batch: i64) -> Result<()> {
    let mut stmt = conn
        .prepare_cached("INSERT INTO voter_codes (mac, state, test, batch) VALUES (?1, 'issued', ?2, ?3)")?;
    stmt.execute(params![mac.as_slice(), test, batch])?;
    Ok(())
}

/// The state and test flag of a code, if it exists.
pub fn code_state(conn: &Connection, mac: &[u8; 32]) -> Result<Option<(String, bool)>> {
    let mut stmt = conn.prepare_cached("SELECT state, test FROM voter_codes WHERE mac = ?1")?;
    Ok(stmt
        .query_row([mac.as_slice()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Marks an issued code used. This conditional update is what enforces
/// one ballot per code: it must touch exactly one row, inside the same
/// transaction as the ballot insert.
pub fn consume_code(conn: &Connection, mac: &[u8; 32], test: bool) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "UPDATE voter_codes SET state = 'used' WHERE mac = ?1 AND state = 'issued' AND test = ?2",
    )?;
    match stmt.execute(params![mac.as_slice(), test])? {
        1 => Ok(()),
        0 => Err(refusal(code_state(conn, mac)?, test)),
        n => Err(Error::Damaged(format!("{n} codes share one MAC"))),
    }
}

/// Why a code cannot be used now.
pub fn refusal(state: Option<(String, bool)>, test: bool) -> Error {
    match state {
        None => Error::CodeUnknown,
        Some((_, t)) if t != test => Error::CodeWrongKind,
        Some((s, _)) if s == "used" => Error::CodeUsed,
        Some((s, _)) if s == "revoked" => Error::CodeRevoked,
        Some(_) => Error::CodeUnknown,
    }
}

/// Revokes an issued code; a used or unknown code is refused.
pub fn revoke_code(conn: &Connection, mac: &[u8; 32]) -> Result<()> {
    let n = conn.execute(
        "UPDATE voter_codes SET state = 'revoked' WHERE mac = ?1 AND state = 'issued'",
        [mac.as_slice()],
    )?;
    if n == 1 {
        return Ok(());
    }
    Err(match code_state(conn, mac)? {
        None => Error::CodeUnknown,
        Some((s, _)) if s == "used" => Error::CodeUsed,
        Some(_) => Error::CodeRevoked,
    })
}

/// Revokes every still-issued code of a batch (its slips did not print);
/// returns how many.
pub fn revoke_batch(conn: &Connection, batch: i64) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE voter_codes SET state = 'revoked' WHERE batch = ?1 AND state = 'issued'",
        [batch],
    )?)
}

pub fn delete_test_codes(conn: &Connection) -> Result<usize> {
    let n = conn.execute("DELETE FROM voter_codes WHERE test = 1", [])?;
    conn.execute("DELETE FROM code_batches WHERE test = 1", [])?;
    Ok(n)
}

/// Codes by state and ballots cast, official or test (as `test` says).
pub fn turnout(conn: &Connection, test: bool) -> Result<Turnout> {
    let (mut used, mut revoked, mut unused) = (0, 0, 0);
    let mut stmt =
        conn.prepare_cached("SELECT state, count(*) FROM voter_codes WHERE test = ?1 GROUP BY state")?;
    let rows = stmt.query_map([test], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?)))?;
    for row in rows {
        let (state, n) = row?;
        match state.as_str() {
            "issued" => unused = n,
            "used" => used = n,
            "revoked" => revoked = n,
            _ => {}
        }
    }
    let ballots = super::ballots::count_ballots(conn, test)?;
    Ok(Turnout::from_states(used, revoked, unused, ballots))
}
