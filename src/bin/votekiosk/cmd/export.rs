//! `export`: the signed result, with the sealed export and `verify.html`
//! beside it (`--format votekiosk`, at the station); or a NIST cast vote
//! record or election results file (`--format nist-cvr|nist-err`) made
//! from a result or merged file that verifies against the trust anchor
//! given, written to a temporary file renamed at the end: a file that does
//! not verify, or any other failure, leaves nothing.

use std::path::Path;

use serde::Serialize;

use votekiosk::nist::{self, Format};
use votekiosk::{Error, Result};

use super::office::write_atomically;
use super::verify::Anchors;
use super::{login, refuse_existing, Ctx};
use crate::args::{AnchorArgs, ExportFormat, OfficialArg};
use crate::output::Outcome;

/// Picks the export by `--format`, refusing options of the other kind.
pub fn dispatch(
    ctx: &Ctx,
    format: ExportFormat,
    out: &Path,
    from: Option<&Path>,
    anchor: &AnchorArgs,
    test: bool,
    official: Option<&str>,
) -> Result<Outcome> {
    let anchored =
        anchor.public_key.is_some() || anchor.trusted_keys.is_some() || anchor.definition_hash.is_some();
    let format = match format {
        ExportFormat::Votekiosk => {
            if from.is_some() || anchored {
                return Err(Error::InvalidInput(
                    "--from, --public-key, --trusted-keys and --definition-hash go with --format nist-cvr or nist-err; \
                     --format votekiosk exports this station's own result"
                        .into(),
                ));
            }
            let official = official.ok_or_else(|| {
                Error::InvalidInput(
                    "--format votekiosk needs --official NAME (the official exporting)".into(),
                )
            })?;
            let by = OfficialArg {
                official: official.to_string(),
            };
            return run(ctx, out, test, &by);
        }
        ExportFormat::NistCvr => Format::NistCvr,
        ExportFormat::NistErr => Format::NistErr,
    };
    if test || official.is_some() {
        return Err(Error::InvalidInput(
            "--test and --official go with --format votekiosk: a NIST export is made from a result or merged file (--from)"
                .into(),
        ));
    }
    let from = from.ok_or_else(|| {
        Error::InvalidInput(
            "a NIST export needs --from FILE: the votekiosk-result/2 or votekiosk-merge/2 to export".into(),
        )
    })?;
    to_nist(ctx, format, from, anchor, out)
}

#[derive(Serialize)]
struct NistExported {
    out: String,
    format: &'static str,
    from: String,
    cvrs: usize,
    test: bool,
}

fn to_nist(ctx: &Ctx, format: Format, from: &Path, anchor: &AnchorArgs, out: &Path) -> Result<Outcome> {
    refuse_existing(out)?;
    votekiosk::export::check_readable(from)?;
    let anchors = Anchors::load(anchor, from)?;
    let verified = nist::read_verified(from, &anchors.options())?;
    let bytes = nist::export(format, &verified)?;
    write_atomically(out, &bytes)?;
    let done = NistExported {
        out: out.display().to_string(),
        format: match format {
            Format::NistCvr => "nist-cvr",
            _ => "nist-err",
        },
        from: from.display().to_string(),
        cvrs: if format == Format::NistCvr {
            verified.records.len()
        } else {
            0
        },
        test: verified.test,
    };
    ctx.out.emit(&done, || {
        format!(
            "Verified {} and wrote {}{} ({}).",
            done.from,
            done.out,
            if done.test { " (TEST)" } else { "" },
            match format {
                Format::NistCvr => format!("NIST SP 1500-103 cast vote records, {} CVRs", done.cvrs),
                _ => "NIST SP 1500-100 election results".to_string(),
            }
        )
    });
    Ok(Outcome::Done)
}

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
