//! `polls test|open|pause|resume|close`: the lifecycle. Opening (or
//! resuming) warns when the definition's voting window has already ended
//! or is not today, since every official ballot would then be refused;
//! opening the demo election notes a printer an official one would refuse.

use serde::Serialize;

use votekiosk::definition::WindowPosition;
use votekiosk::Result;

use super::{login, Ctx};
use crate::args::{OfficialArg, PollsAction};
use crate::output::Outcome;

#[derive(Serialize)]
struct Mode {
    mode: &'static str,
}

pub fn run(ctx: &Ctx, action: PollsAction, by: &OfficialArg) -> Result<Outcome> {
    let mut station = ctx.open()?;
    let official = login(&mut station, by)?;
    match action {
        PollsAction::Test => station.enter_test_mode(&official)?,
        PollsAction::Open => station.open_polls(&official)?,
        PollsAction::Pause => station.pause_polls(&official)?,
        PollsAction::Resume => station.resume_polls(&official)?,
        PollsAction::Close => station.close_polls(&official)?,
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
