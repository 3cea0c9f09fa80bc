//! `audit verify` checks the hash chain; `audit show` lists the latest
//! entries.

use serde::Serialize;

use votekiosk::store::audit::AuditEntry;
use votekiosk::{Error, Result};

use super::Ctx;
use crate::args::AuditCommand;
use crate::output::Outcome;

#[derive(Serialize)]
struct ChainOut<'a> {
    ok: bool,
    length: u64,
    head: &'a str,
    first_broken: Option<Broken<'a>>,
}

#[derive(Serialize)]
struct Broken<'a> {
    entry: i64,
    reason: &'a str,
}

#[derive(Serialize)]
struct Entry<'a> {
    seq: i64,
    at: &'a str,
    actor: &'a str,
    kind: &'a str,
    detail: &'a str,
}

impl<'a> From<&'a AuditEntry> for Entry<'a> {
    fn from(e: &'a AuditEntry) -> Self {
        Entry {
            seq: e.seq,
            at: &e.at,
            actor: &e.actor,
            kind: &e.kind,
            detail: &e.detail,
        }
    }
}

pub fn run(ctx: &Ctx, command: &AuditCommand) -> Result<Outcome> {
    let station = ctx.open()?;
    match command {
        AuditCommand::Verify => {
            let report = station.verify_audit_chain()?;
            let out = ChainOut {
                ok: report.first_broken.is_none(),
                length: report.length,
                head: &report.head,
                first_broken: report.first_broken.as_ref().map(|(entry, reason)| Broken {
                    entry: *entry,
                    reason,
                }),
            };
            ctx.out.emit(&out, || match &out.first_broken {
                None => format!("Audit chain OK: {} entries, head {}", out.length, out.head),
                Some(b) => format!("AUDIT CHAIN BROKEN at entry {}: {}", b.entry, b.reason),
            });
            if let Some((entry, reason)) = &report.first_broken {
                return Err(Error::Damaged(format!("audit log entry {entry}: {reason}")));
            }
        }
        AuditCommand::Show { limit } => {
            let entries = station.audit_log(*limit)?;
            let out: Vec<Entry> = entries.iter().map(Entry::from).collect();
            ctx.out.emit(&out, || {
                out.iter()
                    .map(|e| {
                        format!(
                            "{:>6} {} {:<12} {:<15} {}",
                            e.seq, e.at, e.actor, e.kind, e.detail
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    Ok(Outcome::Done)
}
