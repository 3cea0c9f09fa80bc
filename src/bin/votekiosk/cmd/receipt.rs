//! `receipt check` looks a receipt up in the station file; `receipt
//! verify` looks it up in a signed result file, with its Merkle path.
//! "Not found" is a complete answer: `Outcome::AnsweredNo`.

use std::path::Path;

use serde::Serialize;

use votekiosk::export::verify::{verify_path, FindReceipt, Inclusion, Options};
use votekiosk::station::ReceiptStatus;
use votekiosk::{Error, Result};

use super::verify::Anchors;
use super::Ctx;
use crate::args::{AnchorArgs, ReceiptCommand};
use crate::output::Outcome;

#[derive(Serialize)]
struct Recorded {
    recorded: bool,
    test: bool,
}

#[derive(Serialize)]
struct Included<'a> {
    included: bool,
    station_id: &'a str,
    index: usize,
    merkle_root: &'a str,
    path: Vec<StepOut>,
}

#[derive(Serialize)]
struct NotIncluded<'a> {
    included: bool,
    station_id: &'a str,
}

#[derive(Serialize)]
struct StepOut {
    sibling: String,
    side: Side,
}

/// Which side of the path's node the sibling hash is on.
#[derive(Serialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Side {
    Left,
    Right,
}

pub fn run(ctx: &Ctx, command: &ReceiptCommand) -> Result<Outcome> {
    match command {
        ReceiptCommand::Check { receipt } => check(ctx, receipt),
        ReceiptCommand::Verify {
            file,
            receipt,
            anchor,
            path,
        } => included(ctx, file, receipt, anchor, *path),
    }
}

fn check(ctx: &Ctx, receipt: &str) -> Result<Outcome> {
    let station = ctx.open()?;
    let out = match station.check_receipt(receipt)? {
        ReceiptStatus::Recorded { test } => Recorded { recorded: true, test },
        ReceiptStatus::NotFound => Recorded {
            recorded: false,
            test: false,
        },
    };
    ctx.out.emit(&out, || match (out.recorded, out.test) {
        (true, false) => "Recorded: this receipt's ballot is in this station.".into(),
        (true, true) => "Recorded as a TEST ballot (not counted in the election).".into(),
        (false, _) => "Not found in this station.".into(),
    });
    Ok(Outcome::yes_if(out.recorded))
}

/// `receipt verify FILE RECEIPT`: the file verified against the anchor
/// (v2, or LEGACY v1 with --public-key), then included, or not.
fn included(ctx: &Ctx, file: &Path, receipt: &str, anchor: &AnchorArgs, show_path: bool) -> Result<Outcome> {
    let anchors = Anchors::load(anchor, file)?;
    let options: Options<'_> = anchors.options();
    // One pass: the receipts stream past and only the sought one's path
    // (log-many sibling hashes) is kept, never the list of receipts.
    let mut find = FindReceipt::new(receipt)?;
    let spinner = ctx.out.spinner("verifying the result file");
    let report = verify_path(file, &options, &mut find);
    drop(spinner);
    let report = report?;
    if !report.passed() {
        let why: Vec<String> = report
            .failures
            .iter()
            .map(|f| format!("[{}] {f}", f.name))
            .collect();
        return Err(Error::InvalidInput(format!(
            "the result file does not verify, so it answers nothing: {}",
            why.join("; ")
        )));
    }
    let merkle_root = report.merkle_root.clone().unwrap_or_default();
    let station = report.station_id.as_deref().unwrap_or("(merged)");
    match find.inclusion(&report) {
        Inclusion::Included { index, path } => {
            let root = &merkle_root;
            let steps: Vec<StepOut> = path
                .iter()
                .map(|s| StepOut {
                    sibling: hex::encode(s.sibling),
                    side: if s.sibling_on_left {
                        Side::Left
                    } else {
                        Side::Right
                    },
                })
                .collect();
            let out = Included {
                included: true,
                station_id: station,
                index,
                merkle_root: root,
                path: steps,
            };
            ctx.out.emit(&out, || {
                let mut text = format!(
                    "{}Included in the signed result of station {station}.",
                    if report.legacy {
                        "LEGACY votekiosk-result/1 file. "
                    } else {
                        ""
                    }
                );
                if show_path {
                    text.push_str(&format!(
                        "\nLeaf {index}; Merkle root {root}\nPath (leaf to root):"
                    ));
                    for s in &out.path {
                        let side = match s.side {
                            Side::Left => "left ",
                            Side::Right => "right",
                        };
                        text.push_str(&format!("\n  {side} {}", s.sibling));
                    }
                }
                text
            });
            Ok(Outcome::Done)
        }
        Inclusion::NotFound => {
            ctx.out.emit(
                &NotIncluded {
                    included: false,
                    station_id: station,
                },
                || format!("Not found in the signed result of station {station}."),
            );
            Ok(Outcome::AnsweredNo)
        }
        Inclusion::OtherElection { found, expected } => Err(Error::ReceiptOtherElection { found, expected }),
    }
}
