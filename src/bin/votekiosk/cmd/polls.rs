//! `polls test|open|pause|resume|close`: the lifecycle, and `polls
//! hand-count --box ID=N …`: the ballot cards counted by hand in each box
//! after close (or test cards in test mode). Opening (or
//! resuming) warns when the definition's voting window has already ended
//! or is not today, since every official ballot would then be refused;
//! opening the demo election notes a printer an official one would refuse.

use serde::Serialize;

use votekiosk::definition::WindowPosition;
use votekiosk::station::BoxCount;
use votekiosk::{Error, Result};

use super::{login, Ctx};
use crate::args::{OfficialArg, PollsAction};
use crate::output::Outcome;

#[derive(Serialize)]
struct Mode {
    mode: &'static str,
}

/// `polls hand-count`'s answer.
#[derive(Serialize)]
struct HandCount {
    boxes: Vec<HandCountBox>,
    hand_count: u64,
    cast: u64,
    difference: i64,
}

#[derive(Serialize)]
struct HandCountBox {
    #[serde(rename = "box")]
    box_id: String,
    cards: u64,
}

/// Reads `--box ID=N` arguments (the station checks the ids).
fn parse_boxes(boxes: &[String]) -> Result<Vec<BoxCount>> {
    boxes
        .iter()
        .map(|arg| {
            let bad = || Error::BadHandCount(format!("--box {arg:?}: write ID=N, e.g. --box A=120"));
            let (id, n) = arg.split_once('=').ok_or_else(bad)?;
            let cards = n.trim().parse::<u64>().map_err(|_| bad())?;
            Ok(BoxCount {
                box_id: id.trim().to_string(),
                cards,
            })
        })
        .collect()
}

pub fn run(ctx: &Ctx, action: PollsAction, boxes: &[String], by: &OfficialArg) -> Result<Outcome> {
    let hand_count = matches!(action, PollsAction::HandCount);
    if hand_count == boxes.is_empty() {
        return Err(Error::InvalidInput(if hand_count {
            "give each box's hand count: --box ID=N (repeat for each box)".into()
        } else {
            "--box goes with `polls hand-count` only".into()
        }));
    }
    let boxes = parse_boxes(boxes)?;
    let mut station = ctx.open()?;
    let official = login(&mut station, by)?;
    if hand_count {
        let r = station.record_hand_count(&official, &boxes)?;
        let answer = HandCount {
            boxes: r
                .boxes
                .iter()
                .map(|b| HandCountBox {
                    box_id: b.box_id.clone(),
                    cards: b.cards,
                })
                .collect(),
            hand_count: r.hand_count,
            cast: r.cast,
            difference: r.difference,
        };
        ctx.out.emit(&answer, || {
            let listed: Vec<String> = answer
                .boxes
                .iter()
                .map(|b| format!("box {} {}", b.box_id, b.cards))
                .collect();
            let verdict = if answer.difference == 0 {
                "they agree".to_string()
            } else {
                format!(
                    "difference {:+}: reported, never adjusted; write down why on the closing record",
                    answer.difference
                )
            };
            format!(
                "Hand count recorded: {} ({} cards). Ballots cast: {}; {verdict}.",
                listed.join(", "),
                answer.hand_count,
                answer.cast
            )
        });
        return Ok(Outcome::Done);
    }
    match action {
        PollsAction::Test => station.enter_test_mode(&official)?,
        PollsAction::Open => station.open_polls(&official)?,
        PollsAction::Pause => station.pause_polls(&official)?,
        PollsAction::Resume => station.resume_polls(&official)?,
        PollsAction::Close => station.close_polls(&official)?,
        PollsAction::HandCount => {}
    }
    if matches!(action, PollsAction::Open | PollsAction::Resume) {
        warn_about_window(station.definition());
    }
    if matches!(action, PollsAction::Open) && station.is_demo() {
        // Official elections were refused above; the demo is only told.
        let ready = station.printer_readiness(false)?;
        if !ready.is_ready() {
            eprintln!(
                "note: {} would not do for an official election ({}); the demo election allows it",
                ready.printer,
                ready.problems.join("; ")
            );
        }
    }
    let mode = Mode {
        mode: station.mode()?.as_str(),
    };
    ctx.out
        .emit(&mode, || format!("The station is now in {} mode.", mode.mode));
    Ok(Outcome::Done)
}

/// Says on stderr when no official ballot can be cast today.
fn warn_about_window(definition: &votekiosk::ElectionDefinition) {
    let window = format!(
        "{} to {}",
        definition.opens.to_rfc3339(),
        definition.closes.to_rfc3339()
    );
    match definition.window_position(chrono::Utc::now()) {
        WindowPosition::Ended => eprintln!(
            "warning: the election's voting window ({window}) has already ended: every ballot will be refused"
        ),
        WindowPosition::LaterDay => eprintln!(
            "warning: the election's voting window ({window}) does not include today: ballots will be refused until it opens"
        ),
        WindowPosition::Today => {}
    }
}
