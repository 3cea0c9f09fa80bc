//! What CUPS says about a print queue and about itself, read with its own
//! tools: whether a queue exists, is enabled and accepts jobs (`lpstat -p`,
//! `lpstat -a`), which backend it prints through (`lpstat -v`: a `cups-pdf:`
//! or `file:` device writes every document into a file), and whether the
//! scheduler keeps job files and job history after printing (`cupsctl`, or
//! `cupsd.conf` when `cupsctl` is refused to a non-administrator).
//!
//! CUPS keeps each document in its spool (`/var/spool/cups/d…`) until it
//! has printed; with `PreserveJobFiles` (default: one day) it keeps it
//! after that too, and with `PreserveJobHistory` (default: yes) the job's
//! control file. The one change the station may make is
//! [`stop_retention`]: `cupsctl PreserveJobFiles=No PreserveJobHistory=No`,
//! which CUPS allows to root and to its `SystemGroup` (`lpadmin`).

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use crate::error::{Error, Result};

/// One queue, as `lpstat` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueInfo {
    pub queue: String,
    /// `socket://10.0.0.5:9100`, `usb://…`, `cups-pdf:/`, `file:/dev/null`.
    pub device_uri: Option<String>,
    pub enabled: bool,
    pub accepting: bool,
}

impl QueueInfo {
    /// Whether the queue's backend writes each document into a file
    /// instead of onto paper (`cups-pdf:`, `file:`).
    pub fn prints_to_file(&self) -> bool {
        self.device_uri.as_deref().is_some_and(prints_to_file)
    }
}

/// Whether a device URI names a backend that writes documents to files.
pub fn prints_to_file(device_uri: &str) -> bool {
    let scheme = device_uri.split(':').next().unwrap_or("").to_ascii_lowercase();
    matches!(scheme.as_str(), "cups-pdf" | "file" | "pdf")
}

/// Runs a CUPS tool in the C locale (its output is parsed), with no input.
fn run(program: &str, args: &[&str]) -> Result<Output> {
    Command::new(program)
        .args(args)
        .env("LC_ALL", "C")
        .env("LANG", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::PrintUnavailable,
            _ => Error::PrintFailed {
                printer: String::new(),
                reason: format!("cannot run {program}: {e}"),
            },
        })
}

/// The first line of a tool's error output, without the tool's name.
fn complaint(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    match line.split_once(": ") {
        Some((tool, rest)) if !tool.contains(' ') => rest.to_string(),
        _ => line.to_string(),
    }
}

/// Reads one queue with `lpstat -p`, `-a` and `-v`.
pub fn queue_info(queue: &str) -> Result<QueueInfo> {
    let state = run("lpstat", &["-p", queue])?;
    let text = String::from_utf8_lossy(&state.stdout).to_string();
    if !state.status.success() || text.trim().is_empty() {
        let why = complaint(&state);
        let lower = why.to_ascii_lowercase();
        if lower.contains("scheduler is not running") || lower.contains("unable to connect") {
            return Err(Error::PrintFailed {
                printer: queue.to_string(),
                reason: format!("the print service (CUPS) is not running ({why}); start it or ask for help"),
            });
        }
        return Err(Error::PrinterNotFound(queue.to_string()));
    }
    // "printer Q is idle.  enabled since …" / "printer Q disabled since …"
    let enabled = !text.contains(" disabled since");
    let accept = run("lpstat", &["-a", queue])?;
    let accepting = String::from_utf8_lossy(&accept.stdout)
        .lines()
        .any(|l| l.starts_with(&format!("{queue} accepting requests")));
    let device = run("lpstat", &["-v", queue])?;
    // "device for Q: cups-pdf:/"
    let device_uri = String::from_utf8_lossy(&device.stdout)
        .lines()
        .find_map(|l| l.split_once(": ").map(|(_, uri)| uri.trim().to_string()))
        .filter(|uri| !uri.is_empty());
    Ok(QueueInfo {
        queue: queue.to_string(),
        device_uri,
        enabled,
        accepting,
    })
}

/// Whether the scheduler keeps documents and job records after printing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// `PreserveJobFiles` is not `No`: printed documents stay in the spool.
    pub job_files: bool,
    /// `PreserveJobHistory` is not `No`: job records stay in the spool.
    pub job_history: bool,
}

impl Retention {
    pub fn keeps_anything(&self) -> bool {
        self.job_files || self.job_history
    }

    /// From `PreserveJobFiles` / `PreserveJobHistory` values (`None`: the
    /// directive is absent, so CUPS's default applies: one day of job
    /// files, job history kept).
    fn from_values(files: Option<&str>, history: Option<&str>) -> Retention {
        Retention {
            job_files: files.is_none_or(keeps),
            job_history: history.is_none_or(keeps),
        }
    }
}

/// `No`, `Off`, `False` or `0` keep nothing; `Yes` or a number of seconds do.
fn keeps(value: &str) -> bool {
    !matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "no" | "off" | "false" | "0"
    )
}

/// The scheduler's configuration file: `$CUPS_SERVERROOT/cupsd.conf`, or
/// Debian's `/etc/cups/cupsd.conf`.
fn cupsd_conf() -> PathBuf {
    let root = std::env::var_os("CUPS_SERVERROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/etc/cups"));
    root.join("cupsd.conf")
}

/// A top-level directive's value in `cupsd.conf`'s text.
fn directive<'a>(conf: &'a str, name: &str) -> Option<&'a str> {
    let mut depth = 0usize;
    let mut found = None;
    for line in conf.lines().map(str::trim) {
        if line.starts_with("</") {
            depth = depth.saturating_sub(1);
        } else if line.starts_with('<') {
            depth += 1;
        } else if depth == 0 {
            if let Some((key, value)) = line.split_once(char::is_whitespace) {
                if key.eq_ignore_ascii_case(name) {
                    found = Some(value.trim());
                }
            }
        }
    }
    found
}

/// Reads the scheduler's retention settings: `cupsctl`'s answer, or (when
/// it refuses a non-administrator) `cupsd.conf`, which anyone may read.
pub fn retention() -> Result<Retention> {
    let out = run("cupsctl", &[])?;
    if out.status.success() {
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let value = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix('=')))
                .map(str::to_string)
        };
        let (files, history) = (value("PreserveJobFiles"), value("PreserveJobHistory"));
        return Ok(Retention::from_values(files.as_deref(), history.as_deref()));
    }
    let path = cupsd_conf();
    let conf = std::fs::read_to_string(&path).map_err(|e| Error::PrintFailed {
        printer: String::new(),
        reason: format!(
            "cannot read CUPS's settings (cupsctl: {}; {}: {e})",
            complaint(&out),
            path.display()
        ),
    })?;
    Ok(Retention::from_values(
        directive(&conf, "PreserveJobFiles"),
        directive(&conf, "PreserveJobHistory"),
    ))
}

/// `cupsctl PreserveJobFiles=No PreserveJobHistory=No`: CUPS then deletes a
/// job's document and record once it has printed. CUPS restarts to apply
/// it; this waits (up to 10 s) until the new settings read back.
pub fn stop_retention() -> Result<Retention> {
    let out = run("cupsctl", &["PreserveJobFiles=No", "PreserveJobHistory=No"])?;
    if !out.status.success() {
        return Err(Error::PrintFailed {
            printer: String::new(),
            reason: format!("cupsctl refused ({})", complaint(&out)),
        });
    }
    let mut last = retention();
    for _ in 0..50 {
        if matches!(&last, Ok(r) if !r.keeps_anything()) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
        last = retention();
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_backends() {
        for uri in ["cups-pdf:/", "file:/tmp/out", "CUPS-PDF:/"] {
            assert!(prints_to_file(uri), "{uri}");
        }
        for uri in [
            "socket://10.0.0.5:9100",
            "usb://Epson/TM-T20",
            "ipp://p.local/ipp/print",
            "lpd://h/q",
        ] {
            assert!(!prints_to_file(uri), "{uri}");
        }
    }

    #[test]
    fn retention_values_and_defaults() {
        assert_eq!(
            Retention::from_values(None, None),
            Retention {
                job_files: true,
                job_history: true
            },
            "CUPS's defaults keep both"
        );
        assert!(!Retention::from_values(Some("No"), Some("off")).keeps_anything());
        assert!(Retention::from_values(Some("0"), Some("86400")).job_history);
        assert!(!Retention::from_values(Some("0"), Some("86400")).job_files);
    }

    #[test]
    fn top_level_directives_only() {
        let conf = "LogLevel warn\nPreserveJobFiles Yes\n<Policy x>\n  PreserveJobFiles No\n</Policy>\nPreserveJobHistory No\n";
        assert_eq!(directive(conf, "PreserveJobFiles"), Some("Yes"));
        assert_eq!(directive(conf, "preservejobhistory"), Some("No"));
        assert_eq!(directive(conf, "MaxJobs"), None);
    }
}
