//! `verify`: checks a result or merged file against a trust anchor, in
//! one pass, naming every failure. No anchor is a FAIL (`untrusted_key`):
//! there is no flag to skip it. A failed check is a complete answer:
//! `Outcome::AnsweredNo`. Legacy v1 files verify read-only, marked LEGACY.

use std::collections::BTreeMap;
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
    let mut out = ManyOut::start(ctx);
    verify_many(ctx, files, anchor, software_hash, &mut |path, report| {
        out.file(path, &report)
    });
    Ok(out.finish())
}

/// The answer for several files, written as each file's verdict comes (in
/// the order the files were given), so that memory does not grow with the
/// number of files: as JSON the same line `Out::emit` would print for
/// `{"files": [...], "passed": ...}` (keys sorted), as text one line per
/// file and the verdict.
struct ManyOut {
    out: crate::output::Out,
    files: usize,
    failed: usize,
}

impl ManyOut {
    fn start(ctx: &Ctx) -> ManyOut {
        ManyOut {
            out: ctx.out,
            files: 0,
            failed: 0,
        }
    }

    /// Prints `text` on stdout; a closed pipe is not an error, as in
    /// `Out::emit`.
    fn print(&self, text: &str) {
        use std::io::Write;
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
    }

    fn file(&mut self, path: &Path, report: &Result<Report>) {
        if !matches!(report, Ok(r) if r.passed()) {
            self.failed += 1;
        }
        let text = if self.out.json {
            let one = match report {
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
            };
            let one =
                crate::output::sorted_json(&one).unwrap_or_else(|e| panic!("CLI output must serialise: {e}"));
            let open = if self.files == 0 { "{\"files\":[" } else { "," };
            format!("{open}{one}")
        } else {
            match report {
                Ok(report) => format!("{}: {}\n", path.display(), self::text(report)),
                Err(e) => format!("{}: FAIL: {e}\n", path.display()),
            }
        };
        self.files += 1;
        self.print(&text);
    }

    fn finish(self) -> Outcome {
        let passed = self.failed == 0;
        let text = if self.out.json {
            let open = if self.files == 0 { "{\"files\":[" } else { "" };
            format!("{open}],\"passed\":{passed}}}\n")
        } else if passed {
            format!("PASS: all {} files\n", self.files)
        } else {
            format!("FAIL: {} of {} files\n", self.failed, self.files)
        };
        self.print(&text);
        Outcome::yes_if(passed)
    }
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
/// each is read once, so two cores verify twice the bytes. Each report
/// goes to `done` in the order the files were given, as soon as it and
/// those before it are ready (held meanwhile: at most one per thread
/// ahead of the next one due).
fn verify_many(
    ctx: &Ctx,
    files: &[PathBuf],
    anchor: &AnchorArgs,
    software_hash: Option<[u8; 32]>,
    done: &mut (dyn FnMut(&Path, Result<Report>) + Send),
) {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 2)
        .min(files.len());
    let next = AtomicUsize::new(0);
    let bar = ctx.out.progress(files.len() as u64, "verified");
    // The reports ready but not yet due, and the index of the next due.
    let ready = Mutex::new((BTreeMap::<usize, Result<Report>>::new(), 0usize, done));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(file) = files.get(i) else { break };
                let report = verify_one(file, anchor, None, None, software_hash);
                if let Ok(mut guard) = ready.lock() {
                    let (waiting, due, done) = &mut *guard;
                    waiting.insert(i, report);
                    while let Some(report) = waiting.remove(due) {
                        bar.suspend(|| done(&files[*due], report));
                        *due += 1;
                    }
                }
                bar.inc(1);
            });
        }
    });
    bar.finish_and_clear();
    // A worker that stopped (a panic) left its file unreported: said so,
    // in order, so that every file has its line.
    let (mut waiting, due, done) = ready
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    for (i, file) in files.iter().enumerate().skip(due) {
        let report = waiting.remove(&i).unwrap_or_else(|| {
            Err(Error::InvalidInput(
                "the file was not verified (a worker thread stopped)".into(),
            ))
        });
        done(file, report);
    }
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
