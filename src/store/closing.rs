//! The station's closing key: its public key, Feldman commitments, K, N,
//! generation and the poll worker holding each slip, plus the wrong-PIN
//! lockout of counting. Never the private key nor its secret. The per-slip
//! peppers live in `secrets` (`election::record_secret`).

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Error, Result};

/// The stored closing key.
pub struct ClosingKeyRow {
    pub public_key: [u8; 32],
    /// C_0 ... C_{K-1}.
    pub commitments: Vec<[u8; 32]>,
    pub threshold: u8,
    pub slips: u8,
    pub generation: u32,
    pub made_at: String,
    /// Slip workers by index (1 ... N).
    pub workers: Vec<(u8, String)>,
    pub failed_pins: u32,
    pub locked_until: Option<String>,
}

/// Replaces the closing key (a redo voids the old slips), with its workers.
pub fn record_closing_key(conn: &Connection, key: &ClosingKeyRow) -> Result<()> {
    let commitments: Vec<u8> = key.commitments.concat();
    conn.execute("DELETE FROM closing_key", [])?;
    conn.execute("DELETE FROM closing_slips", [])?;
    conn.execute(
        "INSERT INTO closing_key (id, public_key, commitments, threshold, slips, generation, made_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            key.public_key.as_slice(),
            commitments,
            key.threshold,
            key.slips,
            key.generation,
            key.made_at
        ],
    )?;
    for (index, worker) in &key.workers {
        conn.execute(
            "INSERT INTO closing_slips (slip, worker) VALUES (?1, ?2)",
            params![index, worker],
        )?;
    }
    Ok(())
}

/// The closing key, if one was made.
pub fn closing_key(conn: &Connection) -> Result<Option<ClosingKeyRow>> {
    let row = conn
        .query_row(
            "SELECT public_key, commitments, threshold, slips, generation, made_at, failed_pins, locked_until
             FROM closing_key WHERE id = 1",
            [],
            |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, u8>(2)?,
                    r.get::<_, u8>(3)?,
                    r.get::<_, u32>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, u32>(6)?,
                    r.get::<_, Option<String>>(7)?,
                ))
            },
        )
        .optional()?;
    let Some((public_key, commitments, threshold, slips, generation, made_at, failed_pins, locked_until)) =
        row
    else {
        return Ok(None);
    };
    let damaged = |what: &str| Error::Damaged(format!("the closing key's {what} is malformed"));
    let public_key: [u8; 32] = public_key.try_into().map_err(|_| damaged("public key"))?;
    if commitments.len() != 32 * threshold as usize {
        return Err(damaged("commitments"));
    }
    let commitments = commitments
        .chunks_exact(32)
        .map(|c| c.try_into().map_err(|_| damaged("commitments")))
        .collect::<Result<Vec<[u8; 32]>>>()?;
    let mut stmt = conn.prepare("SELECT slip, worker FROM closing_slips ORDER BY slip")?;
    let workers = stmt
        .query_map([], |r| Ok((r.get::<_, u8>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some(ClosingKeyRow {
        public_key,
        commitments,
        threshold,
        slips,
        generation,
        made_at,
        workers,
        failed_pins,
        locked_until,
    }))
}

/// Records the wrong-PIN streak and lockout of counting.
pub fn record_pin_failures(conn: &Connection, failed: u32, locked_until: Option<&str>) -> Result<()> {
    conn.execute(
        "UPDATE closing_key SET failed_pins = ?1, locked_until = ?2 WHERE id = 1",
        params![failed, locked_until],
    )?;
    Ok(())
}

/// The generation of the closing key, 0 when none was ever made.
pub fn generation(conn: &Connection) -> Result<u32> {
    Ok(conn
        .query_row("SELECT generation FROM closing_key WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?
        .unwrap_or(0))
}

/// The `secrets` name of slip `index`'s pepper.
pub fn pepper_name(index: u8) -> String {
    format!("closing_pepper_{index}")
}

/// Replaces every slip pepper (a redo voids the old slips' peppers).
pub fn record_peppers(conn: &Connection, peppers: &[(u8, &[u8; 32])]) -> Result<()> {
    conn.execute("DELETE FROM secrets WHERE name LIKE 'closing_pepper_%'", [])?;
    for (index, pepper) in peppers {
        conn.execute(
            "INSERT INTO secrets (name, value) VALUES (?1, ?2)",
            params![pepper_name(*index), pepper.as_slice()],
        )?;
    }
    Ok(())
}
