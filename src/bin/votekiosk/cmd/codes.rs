//! `codes issue` and `codes revoke`. Issued codes go to stdout or to a new
//! file readable by its owner only; a code to revoke is read like a secret
//! (a file, standard input or a prompt), never from argv.

use std::path::Path;

use serde::Serialize;
use zeroize::Zeroize;

use votekiosk::{Error, Result};

use super::{login, refuse_existing, Ctx};
use crate::args::{CodesCommand, OfficialArg};
use crate::output::Outcome;
use crate::secrets::{refuse_code_on_argv, voter_code};

/// From this many codes up, issuing shows a spinner on a terminal.
pub(super) const SPINNER_FROM: usize = 1000;

/// A batch with its clear codes: printed, or written to the `--out` file
/// (fields in the sorted order the file has always had).
#[derive(Serialize)]
struct Batch {
    batch: i64,
    codes: Vec<String>,
    test: bool,
}

impl Drop for Batch {
    fn drop(&mut self) {
        self.codes.zeroize();
    }
}

/// What is printed when the codes went to a file.
#[derive(Serialize)]
struct BatchWritten {
    batch: i64,
    test: bool,
    count: usize,
    out: String,
}

#[derive(Serialize)]
struct Revoked {
    revoked: bool,
}

pub fn run(ctx: &Ctx, command: &CodesCommand) -> Result<Outcome> {
    match command {
        CodesCommand::Issue { count, out, by } => issue(ctx, *count, out.as_deref(), by),
        CodesCommand::Revoke {
            code_on_argv,
            code_file,
            by,
        } => {
            // Refuse a code on argv before asking for any secret; read the
            // code before logging in, so that a missing code records nothing.
            refuse_code_on_argv(code_on_argv.as_deref())?;
            let mut station = ctx.open()?;
            let code = voter_code(code_file.as_deref())?;
            let official = login(&mut station, by)?;
            station.revoke_code(&official, &code)?;
            ctx.out
                .emit(&Revoked { revoked: true }, || "Code revoked.".into());
            Ok(Outcome::Done)
        }
    }
}

fn issue(ctx: &Ctx, count: usize, out: Option<&Path>, by: &OfficialArg) -> Result<Outcome> {
    let mut station = ctx.open()?;
    let official = login(&mut station, by)?;
    if let Some(out) = out {
        // Official codes (not test mode, not the demo) never go into a file.
        let official_codes = station.mode()? != votekiosk::station::Mode::Test;
        if station.secrets_need_paper(official_codes)? {
            return Err(votekiosk::Error::PrinterNotReady(
                "official voter codes are never saved into a file: print their slips (`votekiosk print codes`) or show them here (without --out)".into(),
            ));
        }
        refuse_existing(out)?;
    }
    let spinner = (count >= SPINNER_FROM).then(|| ctx.out.spinner(&format!("issuing {count} codes")));
    let issued = station.issue_codes(&official, count)?;
    drop(spinner);
    let batch = Batch {
        batch: issued.batch,
        test: issued.test,
        codes: issued.codes.iter().map(|c| c.display()).collect(),
    };
    match out {
        Some(out) => {
            let text = serde_json::to_string_pretty(&batch)
                .map_err(|e| Error::InvalidInput(format!("codes file: {e}")))?;
            votekiosk::files::write_private(out, format!("{text}\n").as_bytes())?;
            let written = BatchWritten {
                batch: batch.batch,
                test: batch.test,
                count: batch.codes.len(),
                out: out.display().to_string(),
            };
            ctx.out.emit(&written, || {
                format!(
                    "Issued {} {}codes (batch {}) into {}.",
                    written.count,
                    if written.test { "test " } else { "" },
                    written.batch,
                    written.out
                )
            });
        }
        None => ctx.out.emit(&batch, || {
            batch
                .codes
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        }),
    }
    Ok(Outcome::Done)
}
