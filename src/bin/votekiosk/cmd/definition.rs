//! `definition upgrade`: a votekiosk/1 definition made into a new
//! votekiosk/2 file, with every change listed. The old file is only read.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use votekiosk::definition::upgrade::{self, Office};
use votekiosk::definition::{OfficeKeys, MAX_DEFINITION_BYTES};
use votekiosk::keys::{ceremony, CeremonyRecord};
use votekiosk::{Error, Result};

use super::{refuse_existing, Ctx};
use crate::args::DefinitionCommand;
use crate::output::Outcome;

#[derive(Serialize)]
struct Upgraded {
    definition: String,
    definition_hash: String,
    demo: bool,
    /// The v1 definition's station id, for `init --station-id`.
    station_id: Option<String>,
    changes: Vec<String>,
}

pub fn run(ctx: &Ctx, command: &DefinitionCommand) -> Result<Outcome> {
    match command {
        DefinitionCommand::Upgrade {
            v1,
            office,
            demo,
            out,
        } => upgrade(ctx, v1, office.as_deref(), *demo, out),
    }
}

/// Reads a small JSON input (a definition or an office-key file) whole,
/// refusing one over the definition limit.
pub(super) fn read_small(path: &Path) -> Result<Vec<u8>> {
    let size = std::fs::metadata(path).map_err(|e| io_error(path, e))?.len();
    if size > MAX_DEFINITION_BYTES {
        return Err(Error::TooLarge {
            what: path.display().to_string(),
            size,
            limit: MAX_DEFINITION_BYTES,
        });
    }
    std::fs::read(path).map_err(|e| io_error(path, e))
}

/// The office keys from `--office`: the key ceremony's signed record
/// (`office-key.json`, checked against the signing key it names), or a
/// JSON file holding the `office` block.
pub(super) fn office_keys(file: &Path) -> Result<OfficeKeys> {
    let bytes = read_small(file)?;
    let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let is_record = serde_json::from_slice::<serde_json::Value>(first_line)
        .is_ok_and(|header| header["format"] == ceremony::FORMAT);
    let block = if is_record {
        let record = CeremonyRecord::parse(&bytes, &file.display().to_string(), None)?;
        record.office_block().to_string().into_bytes()
    } else {
        bytes
    };
    upgrade::office_keys(&block)
        .map_err(|e| Error::InvalidInput(format!("office keys in {}: {e}", file.display())))
}

pub(super) fn io_error(path: &Path, e: std::io::Error) -> Error {
    match e.kind() {
        std::io::ErrorKind::NotFound => Error::FileNotFound(path.display().to_string()),
        _ => Error::Io {
            path: path.display().to_string(),
            source: e,
        },
    }
}

fn upgrade(ctx: &Ctx, v1: &Path, office: Option<&Path>, demo: bool, out: &Path) -> Result<Outcome> {
    refuse_existing(out)?;
    let keys = match office {
        Some(file) if !demo => Office::Keys(office_keys(file)?),
        _ => Office::Demo,
    };
    let done = upgrade::upgrade(&read_small(v1)?, keys)?;
    // A new file only: create_new never truncates, so the input (or any
    // other file) cannot be overwritten, even if --out names it.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(out)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => Error::FileExists(out.display().to_string()),
            _ => io_error(out, e),
        })?;
    file.write_all(done.json.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| io_error(out, e))?;
    let report = Upgraded {
        definition: out.display().to_string(),
        definition_hash: done.definition.hash().to_hex(),
        demo: done.definition.demo,
        station_id: done.station_id,
        changes: done.changes,
    };
    ctx.out.emit(&report, || {
        let mut text = format!(
            "Wrote {} (votekiosk/2, definition hash {}).\nChanges:\n",
            report.definition, report.definition_hash
        );
        for change in &report.changes {
            text.push_str(&format!("  - {change}\n"));
        }
        if let Some(id) = &report.station_id {
            text.push_str(&format!(
                "Make the station file with: votekiosk init --definition {} --station-id {id}",
                report.definition
            ));
        }
        text.trim_end().to_string()
    });
    Ok(Outcome::Done)
}
