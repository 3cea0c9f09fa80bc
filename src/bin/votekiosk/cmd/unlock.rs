//! `unlock`: lifts the voting lock set by too many unknown voter codes.

use serde::Serialize;

use votekiosk::Result;

use super::{login, Ctx};
use crate::args::OfficialArg;
use crate::output::Outcome;

#[derive(Serialize)]
struct Unlocked {
    unlocked: bool,
}

pub fn run(ctx: &Ctx, by: &OfficialArg) -> Result<Outcome> {
    let mut station = ctx.open()?;
    let official = login(&mut station, by)?;
    station.unlock_voting(&official)?;
    ctx.out
        .emit(&Unlocked { unlocked: true }, || "Voting unlocked.".into());
    Ok(Outcome::Done)
}
