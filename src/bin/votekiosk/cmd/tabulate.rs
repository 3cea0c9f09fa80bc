//! `tabulate`: counts NIST SP 1500-103 cast vote records (CDF JSON) from
//! scanners or other systems: with `--rules`, exactly as RCTab would under
//! its config file, writing RCTab's round-by-round summary (URCVT JSON) to
//! `--out`; with `--definition`, by votekiosk's own rules, as `tally` does,
//! together with kiosk results and merges (`--result`, each verified
//! against the anchor in one pass and counted as it streams past, as its
//! NIST CVR export would be, so a record counted twice, in a result and in
//! a CVR file made from it, is refused as a `UniqueId` seen twice).
//! Memory is bounded by the election's shape (each distinct choice list
//! once with its count), not by the number of ballots. Everything is read
//! and counted before anything is written: a refused input leaves no
//! `--out` file.

use std::path::{Path, PathBuf};

use serde::Serialize;

use votekiosk::nist;
use votekiosk::tabulate::rctab;
use votekiosk::tabulate::{ElectionResult, WeightedBallots};
use votekiosk::turnout::Turnout;
use votekiosk::{ElectionDefinition, Error, Result};

use super::office::write_atomically;
use super::verify::Anchors;
use super::{refuse_existing, Ctx};
use crate::args::AnchorArgs;
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

/// What to count: NIST CVR files, and kiosk results or merges with the
/// anchor they are verified against.
pub struct Inputs<'a> {
    pub cvrs: &'a [PathBuf],
    pub results: &'a [PathBuf],
    pub anchor: &'a AnchorArgs,
}

pub fn run(
    ctx: &Ctx,
    inputs: &Inputs<'_>,
    rules: Option<&Path>,
    definition: Option<&Path>,
    out: Option<&Path>,
) -> Result<Outcome> {
    if let Some(out) = out {
        refuse_existing(out)?;
    }
    let cvrs = inputs.cvrs;
    match (rules, definition) {
        (Some(rules), None) => with_rules(ctx, cvrs, rules, out),
        (None, Some(definition)) => with_definition(ctx, inputs, definition, out),
        _ => Err(Error::InvalidInput(
            "give either --rules RCTAB-CONFIG.json or --definition DEFINITION.json".into(),
        )),
    }
}

fn with_rules(ctx: &Ctx, cvrs: &[PathBuf], rules: &Path, out: Option<&Path>) -> Result<Outcome> {
    let spinner = ctx.out.spinner("reading and counting the cast vote records");
    let counted = rctab::tabulate_files(rules, cvrs);
    drop(spinner);
    let (config, tabulation) = counted?;
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

fn with_definition(ctx: &Ctx, inputs: &Inputs<'_>, definition: &Path, out: Option<&Path>) -> Result<Outcome> {
    if inputs.cvrs.is_empty() && inputs.results.is_empty() {
        return Err(Error::InvalidInput(
            "give the cast vote record files with --cvr FILE.json (or kiosk results with --result FILE)"
                .into(),
        ));
    }
    let def = ElectionDefinition::from_file(definition)?;
    let spinner = ctx.out.spinner("reading the cast vote record files");
    let reports = rctab::read_cdf_cvrs(inputs.cvrs);
    drop(spinner);
    let mut reports = reports?;
    // A record given twice can only be in two inputs: with one input, its
    // own checks (a result's strictly increasing ids, a CDF file's own
    // duplicate check) suffice, and a result keeps no id at all.
    let keep_ids = inputs.cvrs.len() + inputs.results.len() > 1;
    let mut weighted = WeightedBallots::new(&def);
    for result in inputs.results {
        let counted = count_result(ctx, result, inputs.anchor, &def, keep_ids)?;
        weighted.absorb(counted.tally);
        if keep_ids {
            reports.push(rctab::CdfReport::from_unique_ids(
                &result.display().to_string(),
                counted.unique_ids,
            ));
        }
    }
    rctab::cdf::check_unique_ids(&reports)?;
    for (ballot, n) in rctab::ballots::weighted_ballots_from_cdf(&def, &reports)? {
        weighted.add_weighted(&def, &ballot, n);
    }
    let turnout = Turnout {
        ballots: weighted.ballots(),
        ..Turnout::default()
    };
    let contests = weighted.tabulate(&def);
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

/// A kiosk result or merge, verified against the anchor and made of this
/// definition, counted in one pass as it streams past: the ballots its
/// NIST CVR export would hold, each distinct choice list once with its
/// count (memory bounded by the election's shape; with `keep_ids`, 16
/// bytes a record for the duplicate check across inputs). A progress bar
/// on a terminal.
fn count_result(
    ctx: &Ctx,
    path: &Path,
    anchor: &AnchorArgs,
    def: &ElectionDefinition,
    keep_ids: bool,
) -> Result<nist::Counted> {
    votekiosk::export::check_readable(path)?;
    let anchors = Anchors::load(anchor, path)?;
    let bar = ctx.out.progress(0, "records verified and counted");
    let mut progress = |read: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(read);
    };
    let counted = nist::count_verified(path, &anchors.options(), keep_ids, &mut progress);
    bar.finish_and_clear();
    let counted = counted?;
    if counted.definition.hash() != def.hash() {
        return Err(Error::InvalidInput(format!(
            "{}: its election definition is not the one given with --definition (definition hashes {} and {})",
            path.display(),
            counted.definition.hash(),
            def.hash()
        )));
    }
    Ok(counted)
}
