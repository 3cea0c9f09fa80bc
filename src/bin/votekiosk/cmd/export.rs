//! `export`: the signed result file, with `verify.html` next to it.

use std::path::Path;

use serde::Serialize;

use votekiosk::Result;

use super::{login, refuse_existing, Ctx};
use crate::args::OfficialArg;
use crate::output::Outcome;

#[derive(Serialize)]
struct Exported {
    result: String,
    verify_html: String,
    public_key: String,
    test: bool,
}

pub fn run(ctx: &Ctx, out: &Path, test: bool, by: &OfficialArg) -> Result<Outcome> {
    let mut station = ctx.open()?;
    let official = login(&mut station, by)?;
    refuse_existing(out)?;
    let text = station.export(&official, test)?;
    let written = votekiosk::export::write_files(out, &text)?;
    let exported = Exported {
        result: written.result.display().to_string(),
        verify_html: written.verify_html.display().to_string(),
        public_key: hex::encode(station.public_key()?),
        test,
    };
    ctx.out.emit(&exported, || {
        format!(
            "Wrote {}{} and {}.\nStation public key: {}",
            exported.result,
            if test { " (TEST export)" } else { "" },
            exported.verify_html,
            exported.public_key
        )
    });
    Ok(Outcome::Done)
}
