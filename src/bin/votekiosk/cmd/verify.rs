//! `verify`: checks a result or merged file against a trust anchor, in
//! one pass, naming every failure. No anchor is a FAIL (`untrusted_key`):
//! there is no flag to skip it. A failed check is a complete answer:
//! `Outcome::AnsweredNo`. Legacy v1 files verify read-only, marked LEGACY.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde::Serialize;

use votekiosk::export::format::Software;
use votekiosk::export::verify::{verify_path, Anchor, Discard, Options, Report, TrustedStations};
use votekiosk::{Error, Result};

use super::Ctx;
use crate::args::AnchorArgs;
use crate::output::Outcome;

#[derive(Serialize)]
struct Verified<'a> {
    passed: bool,
    format: &'a str,
    legacy: bool,
    station_id: Option<&'a str>,
    public_key: Option<&'a str>,
    fingerprint: Option<&'a str>,
    definition_hash: Option<&'a str>,
    counted_by: Option<&'a str>,
    ballots: u64,
    test: bool,
    software: Option<&'a Software>,
    hand_count_difference: Option<i64>,
    failures: Vec<FailureOut<'a>>,
}

#[derive(Serialize)]
struct FailureOut<'a> {
    name: &'static str,
    message: &'a str,
}

/// 32 bytes from 64 hex digits given on the command line.
pub fn hex32(what: &str, text: &str) -> Result<[u8; 32]> {
    let text = text.trim().to_ascii_lowercase();
    votekiosk::export::lines::lower_hex::<32>(&text)
        .ok_or_else(|| Error::InvalidInput(format!("{what}: give 64 hex digits")))
}

/// The trust anchors given on the command line, loaded.
pub struct Anchors {
    public_key: Option<[u8; 32]>,
    definition_hash: Option<[u8; 32]>,
    trusted: Option<Box<dyn TrustedStations>>,
}

impl Anchors {
    /// Reads the anchors; a trusted-keys file is checked against the
    /// office key of the definition `file` holds.
    pub fn load(args: &AnchorArgs, file: &Path) -> Result<Anchors> {
        let public_key = args
            .public_key
            .as_deref()
            .map(|k| hex32("--public-key", k))
            .transpose()?;
        let definition_hash = args
            .definition_hash
            .as_deref()
            .map(|h| hex32("--definition-hash", h))
            .transpose()?;
        let trusted = match &args.trusted_keys {
            Some(path) => Some(load_trusted(path, file)?),
            None => None,
        };
        Ok(Anchors {
            public_key,
            definition_hash,
            trusted,
        })
    }

    pub fn options(&self) -> Options<'_> {
        Options {
            anchor: match (&self.trusted, self.public_key) {
                (Some(t), _) => Anchor::Trusted(t.as_ref()),
                (None, Some(pk)) => Anchor::PublicKey(pk),
                (None, None) => Anchor::None,
            },
            definition_hash: self.definition_hash,
            ..Options::default()
        }
    }
}

/// Loads a trusted-keys file, checked against the office signing key of
/// the definition that `file` (a v2 result or merge) carries: a file
/// forged with another office key finds no trusted-keys file to match.
pub fn load_trusted(path: &Path, file: &Path) -> Result<Box<dyn TrustedStations>> {
    let definition = votekiosk::export::verify::definition_of_file(file)?;
    let trusted = votekiosk::keys::TrustedKeys::load(path, &definition.office.signing.public_key)?;
    trusted.require_definition(&definition.hash().0)?;
    Ok(Box::new(trusted))
}

pub fn run(
    ctx: &Ctx,
    files: &[PathBuf],
    anchor: &AnchorArgs,
    attachments: Option<&Path>,
    inputs: Option<&Path>,
    software_hash: Option<&str>,
) -> Result<Outcome> {
    let software_hash = software_hash.map(|h| hex32("--software-hash", h)).transpose()?;
    if let [file] = files {
        let spinner = ctx.out.spinner("verifying");
        let report = verify_one(file, anchor, attachments, inputs, software_hash);
        drop(spinner);
        let report = report?;
        emit(ctx, &report);
        return Ok(Outcome::yes_if(report.passed()));
    }
    if attachments.is_some() || inputs.is_some() {
        return Err(Error::InvalidInput(
            "--attachments and --inputs check the files of one result: give one FILE with them".into(),
        ));
    }
    let reports = verify_many(ctx, files, anchor, software_hash);
    let passed = reports.iter().all(|(_, r)| matches!(r, Ok(r) if r.passed()));
    let out = Many {
        passed,
        files: reports
            .iter()
            .map(|(path, r)| match r {
                Ok(report) => FileOut {
                    file: path.display().to_string(),
                    verified: Some(verified(report)),
                    error: None,
                },
                Err(e) => FileOut {
                    file: path.display().to_string(),
                    verified: None,
                    error: Some(e.to_string()),
                },
            })
            .collect(),
    };
    ctx.out.emit(&out, || {
        let mut text = String::new();
        for (path, r) in &reports {
            text.push_str(&format!("{}: ", path.display()));
            match r {
                Ok(report) => text.push_str(&self::text(report)),
                Err(e) => text.push_str(&format!("FAIL: {e}")),
            }
            text.push('\n');
        }
        let failed = out
            .files
            .iter()
            .filter(|f| !f.verified.as_ref().is_some_and(|v| v.passed))
            .count();
        if failed == 0 {
            text.push_str(&format!("PASS: all {} files", files.len()));
        } else {
            text.push_str(&format!("FAIL: {failed} of {} files", files.len()));
        }
        text
    });
    Ok(Outcome::yes_if(passed))
}

/// One file against the anchors (loaded for this file: a trusted-keys
/// file is checked against the definition the file carries).
fn verify_one(
    file: &Path,
    anchor: &AnchorArgs,
    attachments: Option<&Path>,
    inputs: Option<&Path>,
    software_hash: Option<[u8; 32]>,
) -> Result<Report> {
    let anchors = Anchors::load(anchor, file)?;
    let options = Options {
        attachments,
        inputs,
        software_hash,
        ..anchors.options()
    };
    verify_path(file, &options, &mut Discard)
}

/// Several files, each verified on its own (a failure in one says nothing
/// of the others), on up to two threads: the files are independent and
/// each is read once, so two cores verify twice the bytes. Reports come
/// back in the order the files were given.
fn verify_many(
    ctx: &Ctx,
    files: &[PathBuf],
    anchor: &AnchorArgs,
    software_hash: Option<[u8; 32]>,
) -> Vec<(PathBuf, Result<Report>)> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 2)
        .min(files.len());
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<Result<Report>>>> = files.iter().map(|_| Mutex::new(None)).collect();
    let bar = ctx.out.progress(files.len() as u64, "verified");
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(file) = files.get(i) else { break };
                let report = verify_one(file, anchor, None, None, software_hash);
                if let Ok(mut slot) = slots[i].lock() {
                    *slot = Some(report);
                }
                bar.inc(1);
            });
        }
    });
    bar.finish_and_clear();
    files
        .iter()
        .cloned()
        .zip(slots)
        .map(|(file, slot)| {
            let report = slot.into_inner().ok().flatten().unwrap_or_else(|| {
                Err(Error::InvalidInput(
                    "the file was not verified (a worker thread stopped)".into(),
                ))
            });
            (file, report)
        })
        .collect()
}

#[derive(Serialize)]
struct Many<'a> {
    passed: bool,
    files: Vec<FileOut<'a>>,
}

#[derive(Serialize)]
struct FileOut<'a> {
    file: String,
    #[serde(flatten)]
    verified: Option<Verified<'a>>,
    error: Option<String>,
}

/// Prints a verdict (also for `receipt verify` when the file fails).
pub fn emit(ctx: &Ctx, report: &Report) {
    ctx.out.emit(&verified(report), || text(report));
}

fn verified(report: &Report) -> Verified<'_> {
    Verified {
        passed: report.passed(),
        format: &report.format,
        legacy: report.legacy,
        station_id: report.station_id.as_deref(),
        public_key: report.public_key.as_deref(),
        fingerprint: report.fingerprint.as_deref(),
        definition_hash: report.definition_hash.as_deref(),
        counted_by: report.counted_by.as_deref(),
        ballots: report.ballots,
        test: report.test,
        software: report.software.as_ref(),
        hand_count_difference: report.hand_count_difference,
        failures: report
            .failures
            .iter()
            .map(|f| FailureOut {
                name: f.name,
                message: &f.message,
            })
            .collect(),
    }
}

fn text(report: &Report) -> String {
    let mut out = String::new();
    if report.legacy {
        out.push_str(&format!(
            "LEGACY {}: read-only verification of an old file, against the pinned key.\n",
            report.format
        ));
    }
    if report.passed() {
        let what = match report.station_id.as_deref() {
            Some(s) => format!("result of station {s}"),
            None => "merged result".to_string(),
        };
        out.push_str(&format!(
            "PASS: {what}, {} ballots{}{}",
            report.ballots,
            if report.test { " (TEST)" } else { "" },
            match report.counted_by.as_deref() {
                Some("office") if report.station_id.is_some() => ", counted by the office",
                _ => "",
            }
        ));
        if let Some(f) = &report.fingerprint {
            out.push_str(&format!("\nSigned by key {f}"));
        }
        if let Some(h) = &report.definition_hash {
            out.push_str(&format!("\nElection (definition hash) {h}"));
        }
        if let Some(s) = &report.software {
            out.push_str(&format!(
                "\nWritten by {} {} (commit {}, {}), binary sha256 {}",
                s.name, s.version, s.commit, s.target, s.binary_sha256
            ));
        }
        if let Some(d) = report.hand_count_difference {
            out.push_str(&format!(
                "\nNotice: the hand count differs from the cards cast by {d} (reported, not adjusted)."
            ));
        }
    } else {
        out.push_str("FAIL:");
        for f in &report.failures {
            out.push_str(&format!("\n  [{}] {f}", f.name));
        }
    }
    out
}
