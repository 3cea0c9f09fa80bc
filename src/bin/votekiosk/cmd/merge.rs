//! `merge`: combines several stations' result files into one, verifying
//! each first (a progress bar on a terminal).

use std::path::{Path, PathBuf};

use serde::Serialize;

use votekiosk::export::merge::{merge, Input};
use votekiosk::Result;

use super::{refuse_existing, Ctx};
use crate::output::Outcome;

#[derive(Serialize)]
struct Merged {
    out: String,
    inputs: usize,
}

pub fn run(ctx: &Ctx, inputs: &[PathBuf], out: &Path) -> Result<Outcome> {
    refuse_existing(out)?;
    let files: Vec<Input> = inputs
        .iter()
        .map(|p| {
            Ok(Input {
                name: p.display().to_string(),
                bytes: votekiosk::export::read_file(p)?,
            })
        })
        .collect::<Result<_>>()?;
    let bar = ctx.out.progress(files.len() as u64, "verified");
    let mut progress = |done: usize, _all: usize, name: &str| {
        bar.set_position(done as u64);
        bar.set_message(format!("verified {name:.40}"));
    };
    let text = merge(&files, &mut progress)?;
    bar.finish_and_clear();
    votekiosk::files::write_private(out, text.as_bytes())?;
    let merged = Merged {
        out: out.display().to_string(),
        inputs: files.len(),
    };
    ctx.out.emit(&merged, || {
        format!("Combined {} result files into {}.", merged.inputs, merged.out)
    });
    Ok(Outcome::Done)
}
