//! `closing-key init|show` and `count`: the station's closing key, split
//! among poll workers' PIN slips at setup, and the count after close that
//! the slips unlock. PINs come from a prompt (typed twice when new) or one
//! line each on standard input, never from the command line. The counted
//! ballots live only in this process: `count` shows the tally and, on
//! request, exports the result and prints the results report from them.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use serde::Serialize;
use zeroize::Zeroizing;

use votekiosk::station::{SlipUnlock, MIN_PIN_DIGITS};
use votekiosk::{Error, Result};

use super::print::{deliver, Document};
use super::{login, refuse_existing, Ctx};
use crate::args::{ClosingKeyCommand, OfficialArg, PrintTarget};
use crate::output::Outcome;
use crate::secrets::io_error;

/// Reads PINs: on a terminal, a hidden prompt (twice when `confirm`);
/// otherwise one line of standard input each.
struct Pins {
    lines: Option<std::io::StdinLock<'static>>,
}

impl Pins {
    fn new() -> Pins {
        let stdin = std::io::stdin();
        let lines = (!stdin.is_terminal()).then(|| stdin.lock());
        Pins { lines }
    }

    fn read(&mut self, prompt: &str, confirm: bool) -> Result<Zeroizing<String>> {
        if let Some(lines) = &mut self.lines {
            let mut line = Zeroizing::new(String::new());
            lines
                .read_line(&mut line)
                .map_err(|e| Error::InvalidInput(format!("cannot read standard input: {e}")))?;
            let pin = line.trim_end_matches(['\r', '\n']);
            if pin.is_empty() {
                return Err(Error::InvalidInput(format!(
                    "{prompt}: standard input has no more lines (one PIN per line)"
                )));
            }
            return Ok(Zeroizing::new(pin.to_string()));
        }
        let ask = |p: &str| {
            rpassword::prompt_password(format!("{p}: "))
                .map(Zeroizing::new)
                .map_err(|e| Error::InvalidInput(format!("cannot read {p}: {e}")))
        };
        let first = ask(prompt)?;
        if confirm && *ask(&format!("{prompt} (again)"))? != *first {
            return Err(Error::InvalidInput("the two PINs differ".into()));
        }
        Ok(first)
    }
}

#[derive(Serialize)]
struct SlipMade {
    worker: String,
    index: u8,
    threshold: u8,
    count: u8,
    file: Option<String>,
}

#[derive(Serialize)]
struct ClosingKeyMade {
    fingerprint: String,
    generation: u32,
    threshold: u8,
    count: u8,
    slips: Vec<SlipMade>,
}

#[derive(Serialize)]
struct ClosingKeyShown {
    fingerprint: Option<String>,
    public_key: Option<String>,
    threshold: Option<u8>,
    count: Option<u8>,
    generation: Option<u32>,
    commitments_digest: Option<String>,
    workers: Vec<(u8, String)>,
}

pub fn key(ctx: &Ctx, command: &ClosingKeyCommand) -> Result<Outcome> {
    match command {
        ClosingKeyCommand::Init {
            workers,
            threshold,
            slips_out,
            by,
        } => init(ctx, workers, *threshold, slips_out.as_deref(), by),
        ClosingKeyCommand::Show => show(ctx),
    }
}

fn init(
    ctx: &Ctx,
    workers: &[String],
    threshold: u8,
    slips_out: Option<&Path>,
    by: &OfficialArg,
) -> Result<Outcome> {
    if let Some(dir) = slips_out {
        refuse_existing(dir)?;
    }
    let mut station = ctx.open()?;
    let official = login(&mut station, by)?;
    let mut pins = Pins::new();
    let mut named = Vec::with_capacity(workers.len());
    for worker in workers {
        let worker = worker.trim().to_string();
        let pin = pins.read(&format!("New PIN for {worker} ({MIN_PIN_DIGITS}+ digits)"), true)?;
        named.push((worker, pin));
    }
    let slips = station.init_closing_key(&official, &named, threshold)?;
    let mut made = Vec::with_capacity(slips.len());
    if let Some(dir) = slips_out {
        std::fs::create_dir(dir).map_err(|e| io_error(dir, e))?;
    }
    for slip in &slips {
        let file = match slips_out {
            Some(dir) => {
                let path: PathBuf = dir.join(format!("slip-{}-{}.txt", slip.index, slip.worker));
                votekiosk::files::write_private(&path, format!("{}\n", slip.payload.as_str()).as_bytes())?;
                Some(path.display().to_string())
            }
            None => None,
        };
        made.push(SlipMade {
            worker: slip.worker.clone(),
            index: slip.index,
            threshold: slip.threshold,
            count: slip.count,
            file,
        });
    }
    let first = slips.first();
    let out = ClosingKeyMade {
        fingerprint: first.map(|s| s.fingerprint.clone()).unwrap_or_default(),
        generation: first.map(|s| s.generation).unwrap_or_default(),
        threshold,
        count: made.len() as u8,
        slips: made,
    };
    ctx.out.emit(&out, || {
        let mut text = format!(
            "Closing key made: {} of {}, fingerprint {} (generation {}). One slip each was printed:\n",
            out.threshold, out.count, out.fingerprint, out.generation
        );
        for s in &out.slips {
            text.push_str(&format!("  {}: share {} of {}\n", s.worker, s.index, s.count));
        }
        text.push_str("Each worker keeps their slip on them and never leaves it at the kiosk.");
        text
    });
    Ok(Outcome::Done)
}

fn show(ctx: &Ctx) -> Result<Outcome> {
    let station = ctx.open()?;
    let key = station.closing_key()?;
    let out = ClosingKeyShown {
        fingerprint: key.as_ref().map(|k| k.fingerprint.clone()),
        public_key: key.as_ref().map(|k| hex::encode(k.public_key)),
        threshold: key.as_ref().map(|k| k.threshold),
        count: key.as_ref().map(|k| k.slips),
        generation: key.as_ref().map(|k| k.generation),
        commitments_digest: key.as_ref().map(|k| hex::encode(k.commitments_digest)),
        workers: key.as_ref().map(|k| k.workers.clone()).unwrap_or_default(),
    };
    ctx.out.emit(&out, || match &key {
        None => "No closing key yet: an admin makes one with `votekiosk closing-key init`.".into(),
        Some(k) => {
            let holders: Vec<String> = k.workers.iter().map(|(i, w)| format!("{i} {w}")).collect();
            format!(
                "Closing key {} ({} of {}, generation {}); commitments digest {}; slips: {}",
                k.fingerprint,
                k.threshold,
                k.slips,
                k.generation,
                hex::encode(k.commitments_digest),
                holders.join(", ")
            )
        }
    });
    Ok(Outcome::Done)
}

#[derive(Serialize)]
struct Counted {
    test: bool,
    ballots: usize,
    slips: Vec<u8>,
    result: votekiosk::tabulate::ElectionResult,
    export: Option<String>,
    /// The audit manifest beside the export, when the election has ballot cards.
    #[serde(skip_serializing_if = "Option::is_none")]
    manifest: Option<String>,
    verify_html: Option<String>,
    public_key: String,
    report: Option<String>,
}

pub fn count(
    ctx: &Ctx,
    slip_files: &[PathBuf],
    export: Option<&Path>,
    report: bool,
    target: &PrintTarget,
    by: &OfficialArg,
) -> Result<Outcome> {
    if let Some(out) = export {
        refuse_existing(out)?;
    }
    let mut station = ctx.open()?;
    let official = login(&mut station, by)?;
    let mut unlocks = Vec::with_capacity(slip_files.len());
    let mut pins = Pins::new();
    for file in slip_files {
        let text = Zeroizing::new(std::fs::read_to_string(file).map_err(|e| io_error(file, e))?);
        let payload = text.lines().next().unwrap_or("").trim().to_string();
        let pin = pins.read(&format!("PIN for the slip in {}", file.display()), false)?;
        unlocks.push(SlipUnlock { payload, pin });
    }
    let summary = station.count(&official, &unlocks)?;
    drop(unlocks);
    let result = station.tally()?;
    let (mut export_path, mut verify_html, mut report_where, mut manifest) = (None, None, None, None);
    if let Some(out) = export {
        let name = out
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| votekiosk::Error::InvalidInput(format!("{}: not a file name", out.display())))?;
        let export = station.export(&official, summary.test, name)?;
        let written = votekiosk::export::write_files(out, &export, station.definition())?;
        export_path = Some(written.result.display().to_string());
        verify_html = Some(written.verify_html.display().to_string());
        manifest = written.manifest.as_ref().map(|p| p.display().to_string());
    }
    if report {
        let pdf = station.results_report(chrono::Utc::now())?.to_pdf()?;
        report_where = Some(deliver(&station, target, Document::ResultsReport, &pdf)?.to_string());
    }
    let out = Counted {
        test: summary.test,
        ballots: summary.ballots,
        slips: summary.slips.clone(),
        result,
        export: export_path,
        manifest,
        verify_html,
        public_key: hex::encode(station.public_key()?),
        report: report_where,
    };
    ctx.out.emit(&out, || {
        let slips: Vec<String> = out.slips.iter().map(u8::to_string).collect();
        let mut text = if out.test {
            format!("Counted {} test ballots with the test key.\n", out.ballots)
        } else {
            format!(
                "Counted {} ballots, unsealed with slips {}.\n",
                out.ballots,
                slips.join(", ")
            )
        };
        text.push_str(&votekiosk::tabulate::text::render(
            station.definition(),
            &out.result,
        ));
        if let (Some(r), Some(v)) = (&out.export, &out.verify_html) {
            text.push_str(&format!(
                "\nWrote {r}{} and {v}.\nStation public key: {}",
                out.manifest
                    .as_ref()
                    .map(|m| format!(", the audit manifest {m}"))
                    .unwrap_or_default(),
                out.public_key
            ));
        }
        if let Some(r) = &out.report {
            text.push_str(&format!("\nResults report {r}."));
        }
        text
    });
    Ok(Outcome::Done)
}
