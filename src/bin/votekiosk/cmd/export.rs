//! `export`: the signed result, with the sealed export and `verify.html`
//! beside it.

use std::path::Path;

use serde::Serialize;

use votekiosk::{Error, Result};

use super::{login, refuse_existing, Ctx};
use crate::args::OfficialArg;
use crate::output::Outcome;

#[derive(Serialize)]
struct Exported {
    result: String,
    sealed: String,
    /// The audit manifest, when the election has ballot cards.
    #[serde(skip_serializing_if = "Option::is_none")]
    manifest: Option<String>,
    verify_html: String,
    public_key: String,
    fingerprint: String,
    test: bool,
}

pub fn run(ctx: &Ctx, out: &Path, test: bool, by: &OfficialArg) -> Result<Outcome> {
    let mut station = ctx.open()?;
    let official = login(&mut station, by)?;
    refuse_existing(out)?;
    let name = out
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Error::InvalidInput(format!("{}: not a file name", out.display())))?;
    let export = station.export(&official, test, name)?;
    let written = votekiosk::export::write_files(out, &export, station.definition())?;
    let key = station.public_key()?;
    let exported = Exported {
        result: written.result.display().to_string(),
        sealed: written.sealed.display().to_string(),
        manifest: written.manifest.as_ref().map(|p| p.display().to_string()),
        verify_html: written.verify_html.display().to_string(),
        public_key: hex::encode(key),
        fingerprint: votekiosk::export::fingerprint(&key),
        test,
    };
    ctx.out.emit(&exported, || {
        format!(
            "Wrote {}{}, the sealed export {}{} and {}.\nStation public key: {}\nFingerprint: {}",
            exported.result,
            if test { " (TEST export)" } else { "" },
            exported.sealed,
            exported
                .manifest
                .as_ref()
                .map(|m| format!(", the audit manifest {m} (sealed to the office key)"))
                .unwrap_or_default(),
            exported.verify_html,
            exported.public_key,
            exported.fingerprint
        )
    });
    Ok(Outcome::Done)
}
