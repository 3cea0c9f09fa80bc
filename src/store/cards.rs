//! Ballot cards (migrations/0003_cards.sql): the card pending for a code,
//! the sealed spoiled cards, each code's number of spoils, the card
//! counters and the hand count per box. No card id is ever stored in
//! clear: the station hands in sealed card records (`seal`), and a
//! spoiled card keeps no link to its code.

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Error, Result};

/// The card counters of one kind (official or test).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CardCountRow {
    pub printed: u64,
    pub cast: u64,
    pub spoiled: u64,
    pub abandoned: u64,
    pub pending: u64,
}

/// The sealed card pending for a code, if any.
pub fn pending_card(conn: &Connection, code_mac: &[u8; 32], test: bool) -> Result<Option<Vec<u8>>> {
    let mut stmt =
        conn.prepare_cached("SELECT sealed FROM pending_cards WHERE code_mac = ?1 AND test = ?2")?;
    Ok(stmt
        .query_row(params![code_mac.as_slice(), test], |r| r.get(0))
        .optional()?)
}

/// Records a printed card as pending for its code (the code has none).
pub fn record_pending_card(conn: &Connection, code_mac: &[u8; 32], test: bool, sealed: &[u8]) -> Result<()> {
    let mut stmt =
        conn.prepare_cached("INSERT INTO pending_cards (code_mac, test, sealed) VALUES (?1, ?2, ?3)")?;
    stmt.execute(params![code_mac.as_slice(), test, sealed])?;
    bump(conn, test, "printed")
}

/// The pending card of a code is cast: its row goes, nothing of it stays.
pub fn record_card_cast(conn: &Connection, code_mac: &[u8; 32], test: bool) -> Result<()> {
    let n = conn.execute(
        "DELETE FROM pending_cards WHERE code_mac = ?1 AND test = ?2",
        params![code_mac.as_slice(), test],
    )?;
    if n != 1 {
        return Err(Error::Damaged("the printed card of this code is gone".into()));
    }
    bump(conn, test, "cast")
}

/// The pending card of a code is spoiled (by the voter, or replaced by a
/// reprint): its sealed card id moves, unlinked, to `sealed_spoils` under
/// `spoil_id`, and the code's spoils count one more. Returns that count.
pub fn record_card_spoiled(
    conn: &Connection,
    code_mac: &[u8; 32],
    test: bool,
    spoil_id: &[u8; 16],
) -> Result<u64> {
    let sealed = pending_card(conn, code_mac, test)?
        .ok_or_else(|| Error::Damaged("no printed card to spoil".into()))?;
    conn.execute(
        "DELETE FROM pending_cards WHERE code_mac = ?1 AND test = ?2",
        params![code_mac.as_slice(), test],
    )?;
    record_spoil(conn, test, spoil_id, &sealed)?;
    conn.execute(
        "INSERT INTO code_spoils (code_mac, test, spoiled) VALUES (?1, ?2, 1)
         ON CONFLICT (code_mac) DO UPDATE SET spoiled = spoiled + 1",
        params![code_mac.as_slice(), test],
    )?;
    code_spoils(conn, code_mac, test)
}

fn record_spoil(conn: &Connection, test: bool, spoil_id: &[u8; 16], sealed: &[u8]) -> Result<()> {
    let mut stmt = conn.prepare_cached("INSERT INTO sealed_spoils (id, test, sealed) VALUES (?1, ?2, ?3)")?;
    stmt.execute(params![spoil_id.as_slice(), test, sealed])?;
    bump(conn, test, "spoiled")
}

/// How many cards a code has spoiled.
pub fn code_spoils(conn: &Connection, code_mac: &[u8; 32], test: bool) -> Result<u64> {
    let mut stmt =
        conn.prepare_cached("SELECT spoiled FROM code_spoils WHERE code_mac = ?1 AND test = ?2")?;
    Ok(stmt
        .query_row(params![code_mac.as_slice(), test], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

/// Every pending card becomes a spoiled card, counted as abandoned
/// (printed, never cast nor spoiled: a restart, a crash, the close).
/// `ids` gives each a fresh random id. Returns how many, by test flag.
pub fn abandon_pending(conn: &Connection, mut ids: impl FnMut() -> [u8; 16]) -> Result<(u64, u64)> {
    let mut stmt = conn.prepare("SELECT test, sealed FROM pending_cards")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, bool>(0)?, r.get::<_, Vec<u8>>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut sorted = rows;
    // An order owing nothing to the codes.
    sorted.sort_unstable_by(|a, b| a.1.cmp(&b.1));
    let (mut official, mut test_n) = (0, 0);
    for (test, sealed) in &sorted {
        record_spoil(conn, *test, &ids(), sealed)?;
        bump(conn, *test, "abandoned")?;
        if *test {
            test_n += 1;
        } else {
            official += 1;
        }
    }
    conn.execute("DELETE FROM pending_cards", [])?;
    Ok((official, test_n))
}

fn bump(conn: &Connection, test: bool, column: &'static str) -> Result<()> {
    let sql = match column {
        "printed" => "UPDATE card_counts SET printed = printed + 1 WHERE test = ?1",
        "cast" => "UPDATE card_counts SET cast_cards = cast_cards + 1 WHERE test = ?1",
        "spoiled" => "UPDATE card_counts SET spoiled = spoiled + 1 WHERE test = ?1",
        _ => "UPDATE card_counts SET abandoned = abandoned + 1 WHERE test = ?1",
    };
    let mut stmt = conn.prepare_cached(sql)?;
    if stmt.execute([test])? != 1 {
        return Err(Error::Damaged("the card counters are missing".into()));
    }
    Ok(())
}

/// The card counters of one kind, with the cards pending now.
pub fn card_counts(conn: &Connection, test: bool) -> Result<CardCountRow> {
    let mut stmt = conn
        .prepare_cached("SELECT printed, cast_cards, spoiled, abandoned FROM card_counts WHERE test = ?1")?;
    let (printed, cast, spoiled, abandoned) = stmt
        .query_row([test], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?
        .ok_or_else(|| Error::Damaged("the card counters are missing".into()))?;
    let mut stmt = conn.prepare_cached("SELECT count(*) FROM pending_cards WHERE test = ?1")?;
    let pending = stmt.query_row([test], |r| r.get(0))?;
    Ok(CardCountRow {
        printed,
        cast,
        spoiled,
        abandoned,
        pending,
    })
}

/// Every sealed spoiled card of one kind, sorted by its bytes.
pub fn sealed_spoils(conn: &Connection, test: bool) -> Result<Vec<Vec<u8>>> {
    let mut stmt = conn.prepare("SELECT sealed FROM sealed_spoils WHERE test = ?1")?;
    let rows = stmt.query_map([test], |r| r.get::<_, Vec<u8>>(0))?;
    let mut out = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    out.sort_unstable();
    Ok(out)
}

/// Replaces the hand count of one kind with these boxes.
pub fn record_hand_count(conn: &Connection, test: bool, boxes: &[(String, u64)]) -> Result<()> {
    conn.execute("DELETE FROM hand_count WHERE test = ?1", [test])?;
    let mut stmt = conn.prepare_cached("INSERT INTO hand_count (box_id, test, cards) VALUES (?1, ?2, ?3)")?;
    for (id, cards) in boxes {
        stmt.execute(params![id, test, cards])?;
    }
    Ok(())
}

/// The hand count of one kind, by box id; empty when none was entered.
pub fn hand_count(conn: &Connection, test: bool) -> Result<Vec<(String, u64)>> {
    let mut stmt =
        conn.prepare_cached("SELECT box_id, cards FROM hand_count WHERE test = ?1 ORDER BY box_id")?;
    let rows = stmt.query_map([test], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Removes every test card, spoil, counter and hand count (the polls open).
pub fn delete_test_cards(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM pending_cards WHERE test = 1", [])?;
    conn.execute("DELETE FROM sealed_spoils WHERE test = 1", [])?;
    conn.execute("DELETE FROM code_spoils WHERE test = 1", [])?;
    conn.execute("DELETE FROM hand_count WHERE test = 1", [])?;
    conn.execute(
        "UPDATE card_counts SET printed = 0, cast_cards = 0, spoiled = 0, abandoned = 0 WHERE test = 1",
        [],
    )?;
    Ok(())
}
