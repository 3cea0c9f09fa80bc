//! `votekiosk`: the officials' and auditors' command line. `args` is its
//! shape, `secrets` reads passphrases, passwords and voter codes (never
//! from argv), `cmd/` has one module per command, each calling the same
//! `Station` facade as the desktop app, and `output` prints text or
//! `--json`. `--version` identifies the binary (`version`);
//! `package_files` writes the man pages and completions.

mod args;
mod cmd;
mod output;
mod package_files;
mod secrets;
mod version;

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};

use args::Cli;
use output::{ErrorOut, Out, Outcome};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = Out { json: cli.json };
    if cli.version {
        version::print(out);
        return ExitCode::SUCCESS;
    }
    let Some(command) = &cli.command else {
        Cli::command()
            .error(
                ErrorKind::MissingSubcommand,
                "a command is required (votekiosk --help lists them)",
            )
            .exit()
    };
    match cmd::run(&cli, command) {
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
