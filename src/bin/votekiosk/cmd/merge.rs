//! `merge`: combines stations' result files into one merged file signed
//! by the office signing key, verifying each against the trusted-keys
//! file first (a progress bar on a terminal). Each input is read once, as
//! a stream; the output is written to a temporary file beside it and
//! renamed at the end, so a failed merge leaves nothing (no temporaries
//! either).

use std::path::{Path, PathBuf};

use serde::Serialize;

use votekiosk::export::merge::{merge_to, MergeSettings};
use votekiosk::Result;

use super::office::{load_signing_key, now_stamp};
use super::verify::load_trusted;
use super::{refuse_existing, Ctx};
use crate::output::Outcome;

#[derive(Serialize)]
struct Merged {
    out: String,
    inputs: usize,
}

pub fn run(
    ctx: &Ctx,
    inputs: &[PathBuf],
    trusted_keys: &Path,
    signing_key: &Path,
    out: &Path,
    merged_at: Option<&str>,
) -> Result<Outcome> {
    refuse_existing(out)?;
    for input in inputs {
        votekiosk::export::check_readable(input)?;
    }
    let first = inputs
        .first()
        .ok_or_else(|| votekiosk::Error::MergeRefused("give at least one result file".into()))?;
    let trusted = load_trusted(trusted_keys, first)?;
    let signing = load_signing_key(signing_key)?;
    let merged_at = match merged_at {
        Some(s) if votekiosk::export::verify::is_stamp(s) => s.to_string(),
        Some(s) => {
            return Err(votekiosk::Error::InvalidInput(format!(
                "--merged-at {s:?}: give a stamp like 2026-11-04T08:00:00.000Z"
            )))
        }
        None => now_stamp(),
    };
    let bar = ctx.out.progress(inputs.len() as u64, "verified");
    let progress = |done: usize, _all: usize, name: &str| {
        bar.set_position(done as u64);
        bar.set_message(format!("verified {name:.40}"));
    };
    let settings = MergeSettings {
        trusted: trusted.as_ref(),
        signing: &signing,
        merged_at,
        software: votekiosk::export::software(),
    };
    let result = merge_to(inputs, &settings, out, &progress);
    bar.finish_and_clear();
    result?;
    let merged = Merged {
        out: out.display().to_string(),
        inputs: inputs.len(),
    };
    ctx.out.emit(&merged, || {
        format!(
            "Merged {} result files into {}, signed by the office.",
            merged.inputs, merged.out
        )
    });
    Ok(Outcome::Done)
}
