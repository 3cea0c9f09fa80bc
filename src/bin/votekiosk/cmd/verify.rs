//! `verify`: checks a result or merged file against a trust anchor, in
//! one pass, naming every failure. No anchor is a FAIL (`untrusted_key`):
//! there is no flag to skip it. A failed check is a complete answer:
//! `Outcome::AnsweredNo`. Legacy v1 files verify read-only, marked LEGACY.

use std::path::Path;

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
    file: &Path,
    anchor: &AnchorArgs,
    attachments: Option<&Path>,
    inputs: Option<&Path>,
    software_hash: Option<&str>,
) -> Result<Outcome> {
    let anchors = Anchors::load(anchor, file)?;
    let software_hash = software_hash.map(|h| hex32("--software-hash", h)).transpose()?;
    let options = Options {
        attachments,
        inputs,
        software_hash,
        ..anchors.options()
    };
    let spinner = ctx.out.spinner("verifying");
    let report = verify_path(file, &options, &mut Discard);
    drop(spinner);
    let report = report?;
    emit(ctx, &report);
    Ok(Outcome::yes_if(report.passed()))
}

/// Prints a verdict (also for `receipt verify` when the file fails).
pub fn emit(ctx: &Ctx, report: &Report) {
    let out = Verified {
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
    };
    ctx.out.emit(&out, || text(report));
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
