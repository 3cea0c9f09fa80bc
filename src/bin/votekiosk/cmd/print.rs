//! `print ...`: a sample receipt slip, code slips, the zero and results
//! reports, and the station's printer setting. Each document goes to
//! `--out`, `--printer`, the station's printer, or the folder next to the
//! station file, and the answer says which.

use serde::Serialize;

use votekiosk::definition::LangCode;
use votekiosk::print::{self, CodeSlipLayout, LpPrinter, PrintOutcome, Printer, SlipKind};
use votekiosk::station::{Mode, Station};
use votekiosk::{Error, Result};

use super::{login, refuse_existing, Ctx};
use crate::args::{OfficialArg, PrintCommand, PrintTarget};
use crate::output::Outcome;

/// The documents the command line prints, named as in `--json`.
#[derive(Serialize, Clone, Copy)]
pub(super) enum Document {
    #[serde(rename = "sample receipt")]
    SampleReceipt,
    #[serde(rename = "voter codes")]
    VoterCodes,
    #[serde(rename = "zero report")]
    ZeroReport,
    #[serde(rename = "results report")]
    ResultsReport,
}

impl Document {
    /// The print job's name (CUPS keeps it in its history: nothing secret).
    fn job(self) -> &'static str {
        match self {
            Document::SampleReceipt => "votekiosk sample receipt",
            Document::VoterCodes => "votekiosk voter codes",
            Document::ZeroReport => "votekiosk zero report",
            Document::ResultsReport => "votekiosk results report",
        }
    }

    /// The sentence's subject.
    fn sentence_name(self) -> &'static str {
        match self {
            Document::SampleReceipt => "Sample receipt",
            Document::VoterCodes => "Voter codes",
            Document::ZeroReport => "Zero report",
            Document::ResultsReport => "Results report",
        }
    }
}

/// Where a document went: a CUPS queue (with lp's request id) or a file.
#[derive(Serialize)]
struct Delivered {
    queue: Option<String>,
    request: Option<String>,
    path: Option<String>,
}

impl From<&PrintOutcome> for Delivered {
    fn from(outcome: &PrintOutcome) -> Self {
        match outcome {
            PrintOutcome::Queued { queue, request } => Delivered {
                queue: Some(queue.clone()),
                request: request.clone(),
                path: None,
            },
            PrintOutcome::Saved { path } => Delivered {
                queue: None,
                request: None,
                path: Some(path.display().to_string()),
            },
        }
    }
}

/// The code batch whose slips were printed.
#[derive(Serialize)]
struct BatchPrinted {
    batch: i64,
    test: bool,
    count: usize,
}

#[derive(Serialize)]
struct Printed {
    document: Document,
    #[serde(flatten)]
    batch: Option<BatchPrinted>,
    #[serde(flatten)]
    delivered: Delivered,
}

#[derive(Serialize)]
struct PrinterSetting {
    printer: Option<String>,
    folder: Option<String>,
}

pub fn run(ctx: &Ctx, command: &PrintCommand) -> Result<Outcome> {
    let mut station = ctx.open()?;
    let (document, batch, outcome) = match command {
        PrintCommand::Receipt { language, target, .. } => {
            let def = station.definition();
            let lang = match language {
                None => def.default_language().clone(),
                Some(code) => def.require_language(code)?.clone(),
            };
            let key = votekiosk::receipt::KeyFingerprint::of(&station.public_key()?);
            let sample = print::sample_receipt(def, key, &mut rand::rngs::OsRng);
            let pdf = print::receipt_slip(def, station.station_id(), &lang, &sample, SlipKind::Sample)?;
            let document = Document::SampleReceipt;
            (document, None, deliver(&station, target, document, &pdf)?)
        }
        PrintCommand::Codes {
            count,
            roll,
            language,
            by,
            target,
        } => {
            let lang = match language {
                None => station.definition().default_language().clone(),
                Some(code) => station.definition().require_language(code)?.clone(),
            };
            let (batch, outcome) = codes(ctx, &mut station, *count, *roll, &lang, by, target)?;
            (Document::VoterCodes, Some(batch), outcome)
        }
        PrintCommand::ZeroReport { target } => {
            let pdf = station.zero_report(chrono::Utc::now())?.to_pdf()?;
            let document = Document::ZeroReport;
            (document, None, deliver(&station, target, document, &pdf)?)
        }
        PrintCommand::ResultsReport { target } => {
            let pdf = station.results_report(chrono::Utc::now())?.to_pdf()?;
            let document = Document::ResultsReport;
            (document, None, deliver(&station, target, document, &pdf)?)
        }
        PrintCommand::Printer { set, clear, official } => {
            return printer(ctx, &mut station, set.as_deref(), *clear, official.as_deref())
        }
    };
    let sentence = match &batch {
        Some(b) => format!(
            "Issued {} {}codes (batch {}); their slips were {outcome}.",
            b.count,
            if b.test { "test " } else { "" },
            b.batch
        ),
        None => format!("{} {outcome}.", document.sentence_name()),
    };
    let printed = Printed {
        document,
        batch,
        delivered: (&outcome).into(),
    };
    ctx.out.emit(&printed, || sentence);
    Ok(Outcome::Done)
}

/// Issues a batch and prints its slips. The slips are never kept: if they
/// do not print, the batch is revoked (audited) and the answer says to
/// issue new codes. Official code slips (not test mode, not the demo) go
/// only to a ready printer: never `--out`, nor a print-to-file queue.
fn codes(
    ctx: &Ctx,
    station: &mut Station,
    count: usize,
    roll: bool,
    language: &LangCode,
    by: &OfficialArg,
    target: &PrintTarget,
) -> Result<(BatchPrinted, PrintOutcome)> {
    let official = login(station, by)?;
    let official_codes = station.mode()? != Mode::Test;
    // Refuse a bad target before any code exists.
    if let Some(out) = &target.out {
        if station.secrets_need_paper(official_codes)? {
            return Err(Error::PrinterNotReady(
                "official code slips are never saved into a file: print them on the station's printer (without --out)"
                    .into(),
            ));
        }
        refuse_existing(out)?;
    }
    if let Some(queue) = &target.printer {
        let printer = LpPrinter::new(queue)?;
        if station.secrets_need_paper(official_codes)? {
            let ready = printer.readiness(true);
            if !ready.is_ready() {
                return Err(Error::PrinterNotReady(ready.problems.join("; ")));
            }
        }
    }
    let spinner = (count >= super::codes::SPINNER_FROM).then(|| {
        ctx.out
            .spinner(&format!("issuing {count} codes and laying out their slips"))
    });
    let layout = if roll {
        CodeSlipLayout::Roll
    } else {
        CodeSlipLayout::A4
    };
    let printed = if target.out.is_none() && target.printer.is_none() {
        station.issue_printed_codes_in(&official, count, layout, language)
    } else {
        station.issue_codes(&official, count).and_then(|batch| {
            let delivered = print::code_slips_in(
                station.definition(),
                station.station_id(),
                &batch,
                layout,
                language,
            )
            .and_then(|pdf| deliver(station, target, Document::VoterCodes, &pdf));
            match delivered {
                Ok(outcome) => Ok((batch, outcome)),
                Err(e) => Err(station.revoke_unprinted(&official, &batch, &e)?),
            }
        })
    };
    drop(spinner);
    let (batch, outcome) = printed?;
    Ok((
        BatchPrinted {
            batch: batch.batch,
            test: batch.test,
            count: batch.codes.len(),
        },
        outcome,
    ))
}

/// Sends `pdf` where `target` says.
pub(super) fn deliver(
    station: &Station,
    target: &PrintTarget,
    document: Document,
    pdf: &[u8],
) -> Result<PrintOutcome> {
    if let Some(out) = &target.out {
        votekiosk::files::write_private(out, pdf)?;
        return Ok(PrintOutcome::Saved { path: out.clone() });
    }
    match &target.printer {
        Some(queue) => LpPrinter::new(queue)?.print(document.job(), pdf),
        None => station.print(document.job(), pdf),
    }
}

/// `print printer`: shows the setting, or changes it (an admin).
fn printer(
    ctx: &Ctx,
    station: &mut Station,
    set: Option<&str>,
    clear: bool,
    official: Option<&str>,
) -> Result<Outcome> {
    if set.is_some() || clear {
        let by = OfficialArg {
            official: official.unwrap_or_default().to_string(),
        };
        let who = login(station, &by)?;
        station.set_printer(&who, set)?;
    }
    let queue = station.printer_queue()?;
    let folder = station.print_folder();
    let out = PrinterSetting {
        folder: queue.is_none().then(|| folder.display().to_string()),
        printer: queue,
    };
    ctx.out.emit(&out, || match &out.printer {
        Some(q) => format!("Documents print on CUPS queue {q}."),
        None => format!("No printer: documents are saved in {}.", folder.display()),
    });
    Ok(Outcome::Done)
}
