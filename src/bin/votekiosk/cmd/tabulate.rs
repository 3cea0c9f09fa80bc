//! `tabulate`: counts NIST SP 1500-103 cast vote records (CDF JSON) from
//! scanners or other systems: with `--rules`, exactly as RCTab would under
//! its config file, writing RCTab's round-by-round summary (URCVT JSON) to
//! `--out`; with `--definition`, by votekiosk's own rules, as `tally` does.
//! Everything is read and counted before anything is written: a refused
//! input leaves no `--out` file.

use std::path::{Path, PathBuf};

use serde::Serialize;

use votekiosk::tabulate::rctab;
use votekiosk::tabulate::{tabulate, ElectionResult};
use votekiosk::turnout::Turnout;
use votekiosk::{ElectionDefinition, Error, Result};

use super::office::write_atomically;
use super::{refuse_existing, Ctx};
use crate::output::Outcome;

#[derive(Serialize)]
struct RctabOut {
    contest: String,
    winners: Vec<String>,
    rounds: usize,
    records: String,
    out: Option<String>,
    report: serde_json::Value,
}

pub fn run(
    ctx: &Ctx,
    cvrs: &[PathBuf],
    rules: Option<&Path>,
    definition: Option<&Path>,
    out: Option<&Path>,
) -> Result<Outcome> {
    if let Some(out) = out {
        refuse_existing(out)?;
    }
    match (rules, definition) {
        (Some(rules), None) => with_rules(ctx, cvrs, rules, out),
        (None, Some(definition)) => with_definition(ctx, cvrs, definition, out),
        _ => Err(Error::InvalidInput(
            "give either --rules RCTAB-CONFIG.json or --definition DEFINITION.json".into(),
        )),
    }
}

fn with_rules(ctx: &Ctx, cvrs: &[PathBuf], rules: &Path, out: Option<&Path>) -> Result<Outcome> {
    let (config, tabulation) = rctab::tabulate_files(rules, cvrs)?;
    let report = rctab::report::urcvt_report(&config, &tabulation)?;
    if let Some(out) = out {
        write_atomically(out, report.as_bytes())?;
    }
    let value: serde_json::Value = serde_json::from_str(&report)
        .map_err(|e| Error::InvalidInput(format!("the report did not serialise: {e}")))?;
    let answer = RctabOut {
        contest: config.contest_name.clone(),
        winners: tabulation.winner_names().iter().map(|s| s.to_string()).collect(),
        rounds: tabulation.rounds.len(),
        records: value["summary"]["totalNumBallots"]
            .as_str()
            .unwrap_or("0")
            .to_string(),
        out: out.map(|p| p.display().to_string()),
        report: value,
    };
    ctx.out.emit(&answer, || {
        let mut text = rctab::report::summary_text(&config, &tabulation);
        if let Some(out) = &answer.out {
            text.push_str(&format!(
                "Round-by-round report (RCTab's JSON summary) written to {out}."
            ));
        }
        text.trim_end().to_string()
    });
    Ok(Outcome::Done)
}

fn with_definition(ctx: &Ctx, cvrs: &[PathBuf], definition: &Path, out: Option<&Path>) -> Result<Outcome> {
    if cvrs.is_empty() {
        return Err(Error::InvalidInput(
            "give the cast vote record files with --cvr FILE.json".into(),
        ));
    }
    let def = ElectionDefinition::from_file(definition)?;
    let reports = rctab::read_cdf_cvrs(cvrs)?;
    let ballots = rctab::ballots::ballots_from_cdf(&def, &reports)?;
    let turnout = Turnout {
        ballots: ballots.len() as u64,
        ..Turnout::default()
    };
    let contests = tabulate(&def, &ballots);
    let result = ElectionResult::new(&def, "nist-cdf", "closed", false, turnout, contests);
    if let Some(out) = out {
        let bytes = serde_json::to_vec_pretty(&result)
            .map_err(|e| Error::InvalidInput(format!("the result did not serialise: {e}")))?;
        write_atomically(out, &bytes)?;
    }
    ctx.out
        .emit(&result, || votekiosk::tabulate::text::render(&def, &result));
    Ok(Outcome::Done)
}
