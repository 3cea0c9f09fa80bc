//! Sealed ballots, receipts and cast requests: three tables with no link
//! between them (see migrations/0001_init.sql and 0002_sealed.sql). The
//! store never holds a ballot in clear: it keeps sealed records (`seal`)
//! and hands them out as bytes.

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::Result;

/// Stores one sealed ballot under its random storage id.
pub fn record_sealed_ballot(conn: &Connection, id: &[u8; 16], test: bool, blob: &[u8]) -> Result<()> {
    let mut stmt = conn.prepare_cached("INSERT INTO sealed_ballots (id, test, blob) VALUES (?1, ?2, ?3)")?;
    stmt.execute(params![id.as_slice(), test, blob])?;
    Ok(())
}

pub fn record_receipt(conn: &Connection, id: &str, test: bool) -> Result<()> {
    let mut stmt = conn.prepare_cached("INSERT INTO receipts (id, test) VALUES (?1, ?2)")?;
    stmt.execute(params![id, test])?;
    Ok(())
}

/// Whether a receipt is recorded, and whether it is a test receipt.
pub fn receipt(conn: &Connection, id: &str) -> Result<Option<bool>> {
    let mut stmt = conn.prepare_cached("SELECT test FROM receipts WHERE id = ?1")?;
    Ok(stmt.query_row([id], |r| r.get(0)).optional()?)
}

pub fn record_cast_request(conn: &Connection, mac: &[u8; 32], receipt: &str) -> Result<()> {
    let mut stmt = conn.prepare_cached("INSERT INTO cast_requests (mac, receipt) VALUES (?1, ?2)")?;
    stmt.execute(params![mac.as_slice(), receipt])?;
    Ok(())
}

pub fn cast_request(conn: &Connection, mac: &[u8; 32]) -> Result<Option<String>> {
    let mut stmt = conn.prepare_cached("SELECT receipt FROM cast_requests WHERE mac = ?1")?;
    Ok(stmt.query_row([mac.as_slice()], |r| r.get(0)).optional()?)
}

/// Removes test ballots, test receipts and all cast requests.
pub fn delete_test_ballots(conn: &Connection) -> Result<usize> {
    let n = conn.execute("DELETE FROM sealed_ballots WHERE test = 1", [])?;
    conn.execute("DELETE FROM receipts WHERE test = 1", [])?;
    conn.execute("DELETE FROM cast_requests", [])?;
    Ok(n)
}

/// Forgets cast requests (idempotency is only needed while voting).
pub fn forget_cast_requests(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM cast_requests", [])?;
    Ok(())
}

pub fn count_ballots(conn: &Connection, test: bool) -> Result<u64> {
    let mut stmt = conn.prepare_cached("SELECT count(*) FROM sealed_ballots WHERE test = ?1")?;
    Ok(stmt.query_row([test], |r| r.get(0))?)
}

pub fn count_receipts(conn: &Connection, test: bool) -> Result<u64> {
    let mut stmt = conn.prepare_cached("SELECT count(*) FROM receipts WHERE test = ?1")?;
    Ok(stmt.query_row([test], |r| r.get(0))?)
}

/// Every sealed record (official or test), sorted by its bytes: an order
/// that owes nothing to storage ids or to cast order.
pub fn sealed_records(conn: &Connection, test: bool) -> Result<Vec<Vec<u8>>> {
    let mut stmt = conn.prepare("SELECT blob FROM sealed_ballots WHERE test = ?1")?;
    let rows = stmt.query_map([test], |r| r.get::<_, Vec<u8>>(0))?;
    let mut out = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    out.sort_unstable();
    Ok(out)
}

/// Every receipt id, sorted (for the export).
pub fn receipt_ids(conn: &Connection, test: bool) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT id FROM receipts WHERE test = ?1 ORDER BY id")?;
    let rows = stmt.query_map([test], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
