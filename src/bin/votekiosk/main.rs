//! `votekiosk`: the officials' and auditors' command line. `args` is its
//! shape, `secrets` reads passphrases, passwords and voter codes (never
//! from argv), `cmd/` has one module per command, each calling the same
//! `Station` facade as the desktop app, and `output` prints text or
//! `--json`.

mod args;
mod cmd;
mod output;
mod secrets;

use std::process::ExitCode;

use clap::Parser;

use args::Cli;
use output::{ErrorOut, Out, Outcome};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = Out { json: cli.json };
    match cmd::run(&cli) {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::AnsweredNo) => ExitCode::FAILURE,
        Err(e) => {
            if out.json {
                out.emit(&ErrorOut { error: (&e).into() }, String::new);
            }
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
