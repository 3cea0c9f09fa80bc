//! `status`: the mode and turnout, always visible.

use serde::Serialize;

use votekiosk::turnout::serialize_codes;
use votekiosk::{Result, Turnout};

use super::Ctx;
use crate::output::Outcome;

#[derive(Serialize)]
struct StatusOut<'a> {
    station_id: &'a str,
    title: &'a str,
    definition_hash: String,
    mode: &'static str,
    opened_at: Option<&'a str>,
    closed_at: Option<&'a str>,
    voting_locked: bool,
    #[serde(serialize_with = "serialize_codes")]
    codes: Turnout,
    ballots: u64,
    test: TestCounts,
    public_key: String,
    public_key_fingerprint: String,
}

#[derive(Serialize)]
struct TestCounts {
    #[serde(serialize_with = "serialize_codes")]
    codes: Turnout,
    ballots: u64,
}

pub fn run(ctx: &Ctx) -> Result<Outcome> {
    let station = ctx.open()?;
    let public_key = hex::encode(station.public_key()?);
    let public_key_fingerprint = station.public_key_fingerprint()?;
    let s = station.status()?;
    let def = station.definition();
    let out = StatusOut {
        station_id: &s.station_id,
        title: def.title.get(def.default_language()),
        definition_hash: s.definition_hash.to_hex(),
        mode: s.mode.as_str(),
        opened_at: s.opened_at.as_deref(),
        closed_at: s.closed_at.as_deref(),
        voting_locked: s.voting_locked,
        codes: s.turnout,
        ballots: s.turnout.ballots,
        test: TestCounts {
            codes: s.test_turnout,
            ballots: s.test_turnout.ballots,
        },
        public_key,
        public_key_fingerprint,
    };
    ctx.out.emit(&out, || {
        let mut text = format!(
            "{}\nStation {}  mode {}{}\nDefinition {}\nSigning key fingerprint {}\nCodes issued {}  used {}  revoked {}  unused {}\nBallots cast {}",
            out.title,
            out.station_id,
            out.mode,
            if out.voting_locked { "  VOTING LOCKED (invalid codes): a poll worker must unlock" } else { "" },
            s.definition_hash,
            out.public_key_fingerprint,
            out.codes.codes_issued,
            out.codes.codes_used,
            out.codes.codes_revoked,
            out.codes.codes_unused,
            out.ballots,
        );
        if out.test.ballots > 0 || out.test.codes.codes_issued > 0 {
            text.push_str(&format!(
                "\nTest ballots {} (test codes issued {})",
                out.test.ballots, out.test.codes.codes_issued
            ));
        }
        text
    });
    Ok(Outcome::Done)
}
