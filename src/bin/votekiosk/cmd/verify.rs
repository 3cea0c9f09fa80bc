//! `verify`: checks a result file (or a combined file) with no secret, or
//! also its HMAC with the passphrase. A failed check is a complete answer:
//! `Outcome::AnsweredNo`.

use std::path::Path;

use serde::Serialize;

use votekiosk::export::verify::{verify, Failure, Report};
use votekiosk::Result;

use super::Ctx;
use crate::output::Outcome;

#[derive(Serialize)]
struct Verified<'a> {
    passed: bool,
    kind: &'static str,
    station_id: Option<&'a str>,
    public_key: Option<&'a str>,
    definition_hash: Option<&'a str>,
    ballots: u64,
    test: bool,
    mac_checked: bool,
    failures: Vec<FailureOut>,
}

#[derive(Serialize)]
struct FailureOut {
    name: &'static str,
    message: String,
}

impl From<&Failure> for FailureOut {
    fn from(f: &Failure) -> Self {
        FailureOut {
            name: f.name(),
            message: f.to_string(),
        }
    }
}

pub fn run(ctx: &Ctx, file: &Path, public_key: Option<&str>, with_passphrase: bool) -> Result<Outcome> {
    let bytes = votekiosk::export::read_file(file)?;
    let pass = if with_passphrase {
        Some(ctx.passphrase()?)
    } else {
        None
    };
    let (report, _) = verify(&bytes, public_key, pass.as_deref().map(|p| p.as_str()));
    let out = Verified {
        passed: report.passed(),
        kind: report.kind,
        station_id: report.station_id.as_deref(),
        public_key: report.public_key.as_deref(),
        definition_hash: report.definition_hash.as_deref(),
        ballots: report.ballots,
        test: report.test,
        mac_checked: report.mac_checked,
        failures: report.failures.iter().map(FailureOut::from).collect(),
    };
    ctx.out.emit(&out, || text(&report));
    Ok(Outcome::yes_if(out.passed))
}

fn text(report: &Report) -> String {
    let mut out = String::new();
    if report.passed() {
        out.push_str(&format!(
            "PASS: {} file{}, {} ballots{}{}",
            report.kind,
            report
                .station_id
                .as_ref()
                .map(|s| format!(" of station {s}"))
                .unwrap_or_default(),
            report.ballots,
            if report.test { " (TEST)" } else { "" },
            if report.mac_checked { "; HMAC checked" } else { "" }
        ));
        if let Some(k) = &report.public_key {
            out.push_str(&format!(
                "\nSigned by {k}: compare with the key the station published."
            ));
        }
    } else {
        out.push_str("FAIL:");
        for f in &report.failures {
            out.push_str(&format!("\n  [{}] {f}", f.name()));
        }
    }
    out
}
