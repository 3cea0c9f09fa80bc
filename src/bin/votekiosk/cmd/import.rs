//! `import vx`: a VotingWorks election.json, for one ballot style at one
//! precinct, made into a new votekiosk/2 definition. What the definition
//! cannot hold is listed on stderr and in the `--json` answer; nothing is
//! written unless the import and the new definition's validation succeed.

use std::io::{Read, Write};
use std::path::Path;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use votekiosk::definition::upgrade::Office;
use votekiosk::definition::vx::{self, Finding, ImportOptions, ImportedContest, Renamed, MAX_VX_BYTES};
use votekiosk::{Error, Result};

use super::definition::{io_error, office_keys};
use super::{refuse_existing, Ctx};
use crate::args::{ImportCommand, OnOff};
use crate::output::Outcome;

#[derive(Serialize)]
struct ImportedOut {
    definition: String,
    definition_hash: String,
    demo: bool,
    ballot_style: String,
    precinct: String,
    precinct_name: String,
    languages: Vec<String>,
    opens: String,
    closes: String,
    contests: Vec<ImportedContest>,
    lost: Vec<Finding>,
    ignored: Vec<Finding>,
    renamed: Vec<Renamed>,
    assumed: Vec<Finding>,
}

pub fn run(ctx: &Ctx, command: &ImportCommand) -> Result<Outcome> {
    let ImportCommand::Vx {
        election,
        ballot_style,
        precinct,
        office,
        demo,
        opens,
        closes,
        utc_offset,
        cards,
        strict,
        out,
    } = command;
    refuse_existing(out)?;
    let office = match office {
        Some(file) if !demo => Office::Keys(office_keys(file)?),
        _ => Office::Demo,
    };
    let options = ImportOptions {
        ballot_style: ballot_style.clone(),
        precinct: precinct.clone(),
        office,
        opens: opens.as_deref().map(|t| time("--opens", t)).transpose()?,
        closes: closes.as_deref().map(|t| time("--closes", t)).transpose()?,
        utc_offset: offset(utc_offset)?,
        cards: cards.map(|c| matches!(c, OnOff::On)),
        strict: *strict,
    };
    let done = vx::import(&read_vx(election)?, &options)?;
    write_new(out, done.json.as_bytes())?;
    let definition = &done.definition;
    let report = ImportedOut {
        definition: out.display().to_string(),
        definition_hash: definition.hash().to_hex(),
        demo: definition.demo,
        ballot_style: ballot_style.clone(),
        precinct: precinct.clone(),
        precinct_name: done.precinct_name.clone(),
        languages: definition.languages.iter().map(|l| l.code.to_string()).collect(),
        opens: definition.opens.to_rfc3339(),
        closes: definition.closes.to_rfc3339(),
        contests: done.contests,
        lost: done.lost,
        ignored: done.ignored,
        renamed: done.renamed,
        assumed: done.assumed,
    };
    // What was lost goes to stderr whatever the output form.
    let mut err = std::io::stderr();
    for f in &report.lost {
        let _ = writeln!(err, "not represented: {}: {}", f.field, f.message);
    }
    ctx.out.emit(&report, || {
        let mut text = format!(
            "Wrote {} (votekiosk/2, definition hash {}): ballot style {} at precinct {} ({}), {} contests, languages {}, polls {} to {}.\n",
            report.definition,
            report.definition_hash,
            report.ballot_style,
            report.precinct,
            report.precinct_name,
            report.contests.len(),
            report.languages.join(", "),
            report.opens,
            report.closes,
        );
        let sections: [(&str, Vec<String>); 4] = [
            (
                "Not represented (see above)",
                report.lost.iter().map(|f| f.field.clone()).collect(),
            ),
            (
                "Assumed",
                report.assumed.iter().map(|f| format!("{}: {}", f.field, f.message)).collect(),
            ),
            (
                "Ids changed",
                report.renamed.iter().map(|r| format!("{}: {} -> {}", r.field, r.from, r.to)).collect(),
            ),
            (
                "Ignored on purpose",
                report.ignored.iter().map(|f| format!("{}: {}", f.field, f.message)).collect(),
            ),
        ];
        for (title, lines) in sections {
            if lines.is_empty() {
                continue;
            }
            text.push_str(&format!("{title}:\n"));
            for line in lines {
                text.push_str(&format!("  - {line}\n"));
            }
        }
        text.push_str(&format!(
            "Make a station file with: votekiosk init --definition {} --station-id ID",
            report.definition
        ));
        text
    });
    Ok(Outcome::Done)
}

fn time(flag: &str, text: &str) -> Result<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text).map_err(|_| {
        Error::InvalidInput(format!(
            "{flag} {text:?} is not a time like 2026-11-03T07:00:00-05:00"
        ))
    })
}

fn offset(text: &str) -> Result<FixedOffset> {
    let bad = || Error::InvalidInput(format!("--utc-offset {text:?} is not an offset like -05:00"));
    let (sign, rest) = match text.as_bytes().first() {
        Some(b'+') => (1, &text[1..]),
        Some(b'-') => (-1, &text[1..]),
        _ => return Err(bad()),
    };
    let (h, m) = rest.split_once(':').ok_or_else(bad)?;
    let (h, m): (i32, i32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 14 || m > 59 || rest.len() != 5 {
        return Err(bad());
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60)).ok_or_else(bad)
}

/// The VX file, refused past `MAX_VX_BYTES` before or while reading.
fn read_vx(path: &Path) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    let mut bytes = Vec::new();
    file.take(MAX_VX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(path, e))?;
    if bytes.len() as u64 > MAX_VX_BYTES {
        return Err(Error::TooLarge {
            what: path.display().to_string(),
            size: bytes.len() as u64,
            limit: MAX_VX_BYTES,
        });
    }
    Ok(bytes)
}

/// Writes `bytes` to the new file `out`: a temporary file beside it,
/// synced, then linked to its name (which fails if the name exists, so no
/// file is ever replaced) and the temporary name removed. On any error
/// nothing is left at `out`.
fn write_new(out: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "definition.json".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", hex::encode(rand::random::<[u8; 6]>())));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| io_error(&tmp, e))?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(|e| io_error(&tmp, e))?;
        std::fs::hard_link(&tmp, out).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => Error::FileExists(out.display().to_string()),
            _ => io_error(out, e),
        })
    })();
    let _ = std::fs::remove_file(&tmp);
    result
}
