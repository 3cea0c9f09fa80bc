//! What the command line prints: each command's `--json` object is a typed
//! struct serialised with serde (docs/cli.md lists them), its text form a
//! sentence or table; `Outcome` says whether the answer was "no"; progress
//! bars go to stderr, only on a terminal and never under `--json`.

use std::io::{IsTerminal, Write};

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use votekiosk::Error;

/// How a command that ran to its end went. A complete negative answer (a
/// failed verification, a receipt not found) is printed like any other
/// and exits 1 without a second message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Outcome {
    Done,
    AnsweredNo,
}

impl Outcome {
    /// `Done` if `yes`, else `AnsweredNo`.
    pub fn yes_if(yes: bool) -> Outcome {
        if yes {
            Outcome::Done
        } else {
            Outcome::AnsweredNo
        }
    }
}

/// `value` as one line of JSON with every object's keys in sorted order
/// (as `docs/cli.md` shows them, and as earlier versions printed them),
/// whatever the order of the struct's fields.
pub fn sorted_json<T: Serialize>(value: &T) -> serde_json::Result<String> {
    serde_json::to_value(value).and_then(|v| serde_json::to_string(&v))
}

/// Where a command's answer goes: one JSON line, or text, on stdout.
#[derive(Clone, Copy)]
pub struct Out {
    pub json: bool,
}

impl Out {
    /// Prints `value` as one JSON line, or the text `human` makes; a closed
    /// pipe (e.g. `| head`) is not an error.
    pub fn emit<T: Serialize>(self, value: &T, human: impl FnOnce() -> String) {
        let text = if self.json {
            match sorted_json(value) {
                Ok(text) => text,
                Err(e) => panic!("CLI output must serialise: {e}"),
            }
        } else {
            human()
        };
        let _ = writeln!(std::io::stdout(), "{text}");
    }

    /// A progress bar on stderr of `len` steps, or a hidden one when stderr
    /// is not a terminal or the output is JSON.
    pub fn progress(self, len: u64, what: &str) -> ProgressBar {
        if self.json || !std::io::stderr().is_terminal() {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(len);
        if let Ok(style) = ProgressStyle::with_template("[{bar:30}] {pos}/{len} {msg}") {
            bar.set_style(style.progress_chars("#>-"));
        }
        bar.set_message(what.to_string());
        bar
    }

    /// A spinner on stderr for one long step with no steps to count
    /// (e.g. issuing a large batch of codes); hidden like `progress`. It
    /// clears itself when dropped, on success or error alike.
    pub fn spinner(self, what: &str) -> Spinner {
        if self.json || !std::io::stderr().is_terminal() {
            return Spinner(ProgressBar::hidden());
        }
        let spinner = ProgressBar::new_spinner();
        spinner.set_message(what.to_string());
        spinner.enable_steady_tick(std::time::Duration::from_millis(120));
        Spinner(spinner)
    }
}

/// A spinner that leaves no line behind once dropped.
pub struct Spinner(ProgressBar);

impl Drop for Spinner {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// `{"error": {"code", "message"}}`: every refused command under `--json`.
#[derive(Serialize)]
pub struct ErrorOut {
    pub error: ErrorBody,
}

#[derive(Serialize)]
pub struct ErrorBody {
    pub code: &'static str,
    pub message: String,
}

impl From<&Error> for ErrorBody {
    fn from(e: &Error) -> Self {
        ErrorBody {
            code: e.code(),
            message: e.to_string(),
        }
    }
}
