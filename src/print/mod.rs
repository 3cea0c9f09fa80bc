//! Everything a polling station prints, and the port to the printer.
//!
//! The document modules return PDF **bytes** and do no I/O:
//! [`receipt`] (the voter's 80 mm receipt slip), [`card`] (the voter's
//! 80 mm ballot card, the paper record an audit reads), [`codes`] (voter-code
//! slips, A4 with cut lines or 80 mm roll), [`reports`] (the polls-opened
//! zero report and the polls-closed results report), [`share_slip`] (a poll
//! worker's closing-key slip). [`pdf`] is the small
//! drawing kit they share (embedded fonts, top-down millimetre layout) and
//! [`qr`] draws QR symbols as vector rectangles.
//!
//! Printing is separate: a [`Printer`] takes finished bytes. [`LpPrinter`]
//! hands them to CUPS (`lp -d QUEUE -t NAME -`); [`FolderPrinter`] saves
//! them as new files when no printer is configured. Which one a station
//! uses is decided once, by `Station::print`.
//!
//! Whether a printer may take an official election's receipts and code
//! slips is [`Printer::readiness`]: a CUPS queue must exist, be enabled,
//! accept jobs, print on paper (not `cups-pdf:` or `file:`) and run under a
//! scheduler that keeps no job files or history ([`cups`]); a folder never
//! may.
//!
//! This module depends on nothing above it: it takes plain values (the
//! definition, an `IssuedBatch`, a `CastReceipt`, a [`StationSnapshot`]),
//! never the station. A failed print changes
//! nothing in the station: the caller still holds the receipt to show on
//! screen.

pub mod card;
pub mod codes;
pub mod cups;
pub mod labels;
pub mod pdf;
pub mod qr;
pub mod receipt;
pub mod reports;
pub mod share_slip;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::{Error, Result};
use crate::files::write_private;

pub use card::ballot_card;
pub use codes::{code_slips, code_slips_in, CodeSlipLayout};
pub use receipt::{receipt_slip, sample_receipt, SlipKind};
pub use reports::{
    station_keys_payload, CardsSnapshot, ResultIdentity, ResultsReport, SoftwareIdentity, StationSnapshot,
    ZeroReport,
};
pub use share_slip::{share_slip, ShareSlipView};

/// Where a document went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintOutcome {
    /// Accepted by a CUPS queue; `request` is lp's request id (`thermal-12`).
    Queued { queue: String, request: Option<String> },
    /// Saved as a new file.
    Saved { path: PathBuf },
}

impl std::fmt::Display for PrintOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PrintOutcome::Queued { queue, request } => match request {
                Some(id) => write!(f, "sent to printer {queue} (request {id})"),
                None => write!(f, "sent to printer {queue}"),
            },
            PrintOutcome::Saved { path } => write!(f, "saved to {}", path.display()),
        }
    }
}

/// The printing port: takes a finished PDF. A station holds one
/// (`Options::printer`, `Station::print`), so it must be shareable.
pub trait Printer: Send + Sync {
    /// Prints (or saves) `pdf` as a job called `job_name`. Job names are
    /// generic ("votekiosk receipt"): CUPS keeps them in its job history.
    fn print(&self, job_name: &str, pdf: &[u8]) -> Result<PrintOutcome>;

    /// Whether documents holding voter secrets may go to this printer in an
    /// official election (see [`Readiness`]). With `fix`, the printer may
    /// change what it is allowed to (CUPS's retention settings). A printer
    /// injected by the program that embeds the station (`Options::printer`)
    /// answers for itself; by default it is ready.
    fn readiness(&self, fix: bool) -> Readiness {
        let _ = fix;
        Readiness::ready("the program's printer")
    }
}

/// A printer's fitness for an official election: what it is, what is
/// wrong with it (each a sentence a poll worker or admin can act on; empty
/// when it is fit), and what the station changed to make it fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    pub printer: String,
    pub problems: Vec<String>,
    pub changed: Vec<String>,
}

impl Readiness {
    pub fn ready(printer: impl Into<String>) -> Readiness {
        Readiness {
            printer: printer.into(),
            problems: Vec::new(),
            changed: Vec::new(),
        }
    }

    pub fn is_ready(&self) -> bool {
        self.problems.is_empty()
    }
}

/// What an admin runs once so that CUPS keeps no printed document.
pub const CUPS_RETENTION_FIX: &str = "sudo cupsctl PreserveJobFiles=No PreserveJobHistory=No";

/// Whether `name` can be a CUPS queue name: 1-127 printable ASCII
/// characters, none of space, `/`, `\`, `#`, quotes, not starting with `-`.
pub fn valid_queue_name(name: &str) -> bool {
    (1..=127).contains(&name.len())
        && !name.starts_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"/\\#'\"".contains(&b))
}

/// A CUPS print queue, through the `lp` command.
#[derive(Debug, Clone)]
pub struct LpPrinter {
    queue: String,
    program: PathBuf,
}

impl LpPrinter {
    pub fn new(queue: &str) -> Result<LpPrinter> {
        LpPrinter::with_program(queue, Path::new("lp"))
    }

    /// Uses another `lp` executable (tests; unusual installations).
    pub fn with_program(queue: &str, program: &Path) -> Result<LpPrinter> {
        if !valid_queue_name(queue) {
            return Err(Error::InvalidInput(format!(
                "{queue:?} is not a printer queue name (letters, digits, '-', '_', '.'; no spaces)"
            )));
        }
        Ok(LpPrinter {
            queue: queue.to_string(),
            program: program.to_path_buf(),
        })
    }

    pub fn queue(&self) -> &str {
        &self.queue
    }

    fn failure(&self, status: std::process::ExitStatus, stderr: &str) -> Error {
        let message = stderr
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("")
            .trim_start_matches("lp:")
            .trim()
            .trim_start_matches("Error - ")
            .trim()
            .to_string();
        let lower = message.to_ascii_lowercase();
        if lower.contains("does not exist") || lower.contains("not found") {
            return Error::PrinterNotFound(self.queue.clone());
        }
        let reason = if lower.contains("scheduler not responding") || lower.contains("unable to connect") {
            format!("the print service (CUPS) is not running ({message}); start it or ask for help")
        } else if lower.contains("not accepting") {
            format!("{message}; an administrator can turn the printer back on (cupsenable / cupsaccept)")
        } else if message.is_empty() {
            format!("lp failed ({status})")
        } else {
            message
        };
        Error::PrintFailed {
            printer: self.queue.clone(),
            reason,
        }
    }
}

impl LpPrinter {
    /// The CUPS checks of [`Printer::readiness`].
    fn cups_readiness(&self, fix: bool) -> Readiness {
        let q = &self.queue;
        let mut ready = Readiness::ready(format!("CUPS queue {q}"));
        match cups::queue_info(q) {
            Err(e) => ready.problems.push(e.to_string()),
            Ok(info) => {
                if !info.enabled {
                    ready.problems.push(format!(
                        "printer {q} is stopped: an administrator turns it on (`cupsenable {q}`) once paper and power are checked"
                    ));
                }
                if !info.accepting {
                    ready.problems.push(format!(
                        "printer {q} is not accepting jobs: an administrator runs `cupsaccept {q}`"
                    ));
                }
                if info.prints_to_file() {
                    ready.problems.push(format!(
                        "printer {q} prints into files (device {}), which would keep receipts and voter codes on disk: set a real (thermal) printer's queue (docs/printing.md)",
                        info.device_uri.as_deref().unwrap_or("?")
                    ));
                }
            }
        }
        let retention = match cups::retention() {
            Ok(r) if r.keeps_anything() && fix => match cups::stop_retention() {
                Ok(after) => {
                    if !after.keeps_anything() {
                        ready.changed.push(
                            "CUPS set to keep no job files or job history (PreserveJobFiles No, PreserveJobHistory No)".into(),
                        );
                    }
                    Ok(after)
                }
                Err(_) => Ok(r),
            },
            other => other,
        };
        match retention {
            Ok(r) if r.keeps_anything() => {
                let what = match (r.job_files, r.job_history) {
                    (true, true) => "printed documents and job records",
                    (true, false) => "printed documents",
                    _ => "job records",
                };
                ready.problems.push(format!(
                    "CUPS keeps {what} after printing (PreserveJobFiles / PreserveJobHistory): an administrator runs once `{CUPS_RETENTION_FIX}`"
                ));
            }
            Ok(_) => {}
            Err(e) => ready.problems.push(format!(
                "cannot tell whether CUPS keeps printed documents ({e}): an administrator runs `{CUPS_RETENTION_FIX}`"
            )),
        }
        ready
    }
}

impl Printer for LpPrinter {
    fn readiness(&self, fix: bool) -> Readiness {
        self.cups_readiness(fix)
    }

    fn print(&self, job_name: &str, pdf: &[u8]) -> Result<PrintOutcome> {
        let mut child = Command::new(&self.program)
            .args(["-d", &self.queue, "-t", job_name, "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => Error::PrintUnavailable,
                _ => Error::PrintFailed {
                    printer: self.queue.clone(),
                    reason: format!("cannot run {}: {e}", self.program.display()),
                },
            })?;
        // Feed the document from another thread while lp's output is read,
        // then close stdin so lp sees its end. A write error (lp exited
        // early) is reported through lp's own message below.
        let stdin = child.stdin.take();
        let (written, output) = std::thread::scope(|scope| {
            let writer = scope.spawn(move || match stdin {
                Some(mut stdin) => stdin.write_all(pdf).and_then(|_| stdin.flush()),
                None => Ok(()),
            });
            let output = child.wait_with_output();
            let written = writer
                .join()
                .unwrap_or_else(|_| Err(std::io::Error::other("the writer thread failed")));
            (written, output)
        });
        let output = output.map_err(|e| Error::PrintFailed {
            printer: self.queue.clone(),
            reason: format!("lp did not finish: {e}"),
        })?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            return Err(self.failure(output.status, &stderr));
        }
        if let Err(e) = written {
            return Err(Error::PrintFailed {
                printer: self.queue.clone(),
                reason: format!("could not send the document to lp: {e}"),
            });
        }
        // "request id is thermal-12 (1 file(s))"
        let stdout = String::from_utf8_lossy(&output.stdout);
        let request = stdout
            .split_whitespace()
            .skip_while(|w| *w != "is")
            .nth(1)
            .map(str::to_string);
        Ok(PrintOutcome::Queued {
            queue: self.queue.clone(),
            request,
        })
    }
}

/// Saves each document as a new PDF file in a folder (created if needed).
/// Never overwrites: `receipt.pdf`, then `receipt-2.pdf`, ...
#[derive(Debug, Clone)]
pub struct FolderPrinter {
    dir: PathBuf,
}

impl FolderPrinter {
    pub fn new(dir: &Path) -> FolderPrinter {
        FolderPrinter {
            dir: dir.to_path_buf(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// A file-name stem from a job name: lowercase letters, digits and dashes.
fn file_stem(job_name: &str) -> String {
    let mut stem = String::new();
    for c in job_name.chars() {
        if c.is_ascii_alphanumeric() {
            stem.push(c.to_ascii_lowercase());
        } else if !stem.ends_with('-') && !stem.is_empty() {
            stem.push('-');
        }
    }
    let stem = stem.trim_end_matches('-');
    if stem.is_empty() {
        "document".to_string()
    } else {
        stem.chars().take(60).collect()
    }
}

impl Printer for FolderPrinter {
    /// Never ready: saved documents stay on disk in clear.
    fn readiness(&self, _fix: bool) -> Readiness {
        Readiness {
            printer: format!("the folder {}", self.dir.display()),
            problems: vec![format!(
                "no printer is set, so documents would be saved as files in {}, keeping receipts and voter codes on disk: an admin sets the printer's CUPS queue (settings, or `votekiosk print printer --set QUEUE`)",
                self.dir.display()
            )],
            changed: Vec::new(),
        }
    }

    fn print(&self, job_name: &str, pdf: &[u8]) -> Result<PrintOutcome> {
        fs::create_dir_all(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
        let stem = file_stem(job_name);
        for n in 1..=100_000u32 {
            let name = if n == 1 {
                format!("{stem}.pdf")
            } else {
                format!("{stem}-{n}.pdf")
            };
            let path = self.dir.join(name);
            match write_private(&path, pdf) {
                Ok(()) => return Ok(PrintOutcome::Saved { path }),
                Err(Error::FileExists(_)) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(Error::InvalidInput(format!(
            "{} holds too many documents named {stem}; empty it",
            self.dir.display()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_names() {
        for ok in ["thermal", "Kiosk_Printer-2", "votekiosk-test", "a.b@c"] {
            assert!(valid_queue_name(ok), "{ok}");
        }
        for bad in ["", "-d", "two words", "a/b", "x#", "q\"", "é", &"x".repeat(128)] {
            assert!(!valid_queue_name(bad), "{bad}");
        }
    }

    #[test]
    fn file_stems() {
        assert_eq!(file_stem("votekiosk receipt"), "votekiosk-receipt");
        assert_eq!(file_stem("Zero report (2026)"), "zero-report-2026");
        assert_eq!(file_stem("../.."), "document");
    }
}
