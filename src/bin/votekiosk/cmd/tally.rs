//! `tally`: the count of every contest, with instant-runoff rounds.

use votekiosk::Result;

use super::Ctx;
use crate::output::Outcome;

pub fn run(ctx: &Ctx) -> Result<Outcome> {
    let station = ctx.open()?;
    let result = station.tally()?;
    ctx.out.emit(&result, || {
        votekiosk::tabulate::text::render(station.definition(), &result)
    });
    Ok(Outcome::Done)
}
