//! The append-only audit log with its hash chain (`crypto::chain`).

use rusqlite::{params, Connection, OptionalExtension};

use crate::crypto::chain::{entry_hash, EntryFields, GENESIS};
use crate::crypto::{hmac, mac_eq};
use crate::error::Result;
use crate::model::AuditEvent;
pub use crate::model::ChainReport;

/// One audit entry as read back. The kind stays the stored text: entries
/// are hashed as stored, whatever version wrote them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub kind: String,
    pub detail: String,
}

fn last_hash(conn: &Connection) -> Result<(i64, [u8; 32])> {
    let mut stmt = conn
        .prepare_cached("SELECT seq, at, actor, kind, detail, prev FROM audit ORDER BY seq DESC LIMIT 1")?;
    let last = stmt
        .query_row([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Vec<u8>>(5)?,
            ))
        })
        .optional()?;
    Ok(match last {
        None => (0, GENESIS),
        Some((seq, at, actor, kind, detail, prev)) => {
            let prev: [u8; 32] = prev.try_into().unwrap_or(GENESIS);
            (
                seq,
                entry_hash(
                    &prev,
                    &EntryFields {
                        seq,
                        at: &at,
                        actor: &actor,
                        kind: &kind,
                        detail: &detail,
                    },
                ),
            )
        }
    })
}

/// Appends one entry, chained to the last and MACed under `key`.
pub fn append_audit(
    conn: &Connection,
    key: &[u8],
    at: &str,
    actor: &str,
    kind: AuditEvent,
    detail: &str,
) -> Result<()> {
    let kind = kind.as_str();
    let (last_seq, prev) = last_hash(conn)?;
    let seq = last_seq + 1;
    let hash = entry_hash(
        &prev,
        &EntryFields {
            seq,
            at,
            actor,
            kind,
            detail,
        },
    );
    let mac = hmac(key, &[&hash]);
    let mut stmt = conn.prepare_cached(
        "INSERT INTO audit (seq, at, actor, kind, detail, prev, mac) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    stmt.execute(params![
        seq,
        at,
        actor,
        kind,
        detail,
        prev.as_slice(),
        mac.as_slice()
    ])?;
    Ok(())
}

/// Walks the whole chain and reports the first entry that does not verify.
pub fn verify_chain(conn: &Connection, key: &[u8]) -> Result<ChainReport> {
    let mut stmt = conn.prepare("SELECT seq, at, actor, kind, detail, prev, mac FROM audit ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    let mut expected_prev = GENESIS;
    let mut expected_seq = 1i64;
    let mut length = 0u64;
    let mut first_broken = None;
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let (at, actor, kind, detail): (String, String, String, String) =
            (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
        let prev: Vec<u8> = r.get(5)?;
        let mac: Vec<u8> = r.get(6)?;
        length += 1;
        let fields = EntryFields {
            seq,
            at: &at,
            actor: &actor,
            kind: &kind,
            detail: &detail,
        };
        let prev_arr: [u8; 32] = prev.as_slice().try_into().unwrap_or(GENESIS);
        let hash = entry_hash(&prev_arr, &fields);
        if first_broken.is_none() {
            if seq != expected_seq {
                first_broken = Some((seq, format!("entry {expected_seq} is missing")));
            } else if !mac_eq(&mac, &hmac(key, &[&hash])) {
                first_broken = Some((seq, "the entry was altered (its MAC does not match)".into()));
            } else if prev_arr != expected_prev {
                first_broken = Some((
                    seq,
                    format!(
                        "the entry does not follow entry {} (altered, inserted or removed)",
                        seq - 1
                    ),
                ));
            }
        }
        expected_prev = hash;
        expected_seq = seq + 1;
    }
    Ok(ChainReport {
        length,
        head: hex::encode(expected_prev),
        first_broken,
    })
}

/// The last `limit` entries, newest last.
pub fn recent_audit(conn: &Connection, limit: u32) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, kind, detail FROM (SELECT * FROM audit ORDER BY seq DESC LIMIT ?1) ORDER BY seq",
    )?;
    let rows = stmt.query_map([limit], |r| {
        Ok(AuditEntry {
            seq: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            kind: r.get(3)?,
            detail: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
