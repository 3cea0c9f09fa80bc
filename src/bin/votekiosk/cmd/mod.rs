//! One module per command; `run` dispatches. Each command reads its
//! arguments, calls the `Station` facade and prints one answer through
//! `Out`. `Ctx` holds what every command shares: the global options, and
//! opening the station file and logging in.

mod audit;
mod cast;
mod closing;
mod codes;
mod definition;
mod demo;
mod export;
mod import;
mod init;
mod merge;
mod office;
mod office_keys;
mod official;
mod polls;
mod print;
mod receipt;
mod rla;
mod status;
mod tabulate;
mod tally;
mod unlock;
mod verify;

use std::path::{Path, PathBuf};

use votekiosk::station::{Options, Station};
use votekiosk::{Error, Official, Result};

use crate::args::{Cli, Command, OfficialArg};
use crate::output::{Out, Outcome};
use crate::secrets::{secret, ENV_OFFICIAL_PASSWORD, ENV_PASSPHRASE};

/// The global options every command may use.
pub struct Ctx<'a> {
    pub station: Option<&'a Path>,
    pub passphrase_file: Option<&'a Path>,
    pub out: Out,
}

impl Ctx<'_> {
    /// The station file named by `--station` or `VOTEKIOSK_STATION`.
    pub fn station_path(&self) -> Result<PathBuf> {
        self.station.map(Path::to_path_buf).ok_or_else(|| {
            Error::InvalidInput("no station file: pass --station PATH or set VOTEKIOSK_STATION".into())
        })
    }

    /// The election passphrase (file, environment or prompt).
    pub fn passphrase(&self) -> Result<zeroize::Zeroizing<String>> {
        secret(ENV_PASSPHRASE, self.passphrase_file, "Election passphrase")
    }

    /// Opens the existing station file with the election passphrase.
    pub fn open(&self) -> Result<Station> {
        let path = self.station_path()?;
        if !path.is_file() {
            return Err(Error::FileNotFound(path.display().to_string()));
        }
        let pass = self.passphrase()?;
        Station::open(&path, &pass, Options::default())
    }
}

/// Logs `by` in, with the password from the environment or a prompt.
pub fn login(station: &mut Station, by: &OfficialArg) -> Result<Official> {
    let password = secret(
        ENV_OFFICIAL_PASSWORD,
        None,
        &format!("Password for {}", by.official),
    )?;
    station.login(&by.official, &password)
}

/// A fresh idempotency key for one cast.
pub fn request_key() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// Refuses to write over an existing file, before anything is done.
pub fn refuse_existing(path: &Path) -> Result<()> {
    if path.exists() {
        return Err(Error::FileExists(path.display().to_string()));
    }
    Ok(())
}

pub fn run(cli: &Cli, command: &Command) -> Result<Outcome> {
    let ctx = Ctx {
        station: cli.station.as_deref(),
        passphrase_file: cli.passphrase_file.as_deref(),
        out: Out { json: cli.json },
    };
    match command {
        Command::Init {
            definition,
            station_id,
            admin,
        } => init::init(&ctx, definition, station_id, admin),
        Command::Validate { definition } => init::validate(&ctx, definition),
        Command::Definition { command } => definition::run(&ctx, command),
        Command::Official { command } => official::run(&ctx, command),
        Command::Polls { action, boxes, by } => polls::run(&ctx, *action, boxes, by),
        Command::Codes { command } => codes::run(&ctx, command),
        Command::Unlock { by } => unlock::run(&ctx, by),
        Command::Cast {
            code,
            choices,
            deck,
            receipts_out,
        } => match deck {
            Some(deck) => cast::deck(&ctx, deck, receipts_out.as_deref()),
            None => cast::one(&ctx, code, choices),
        },
        Command::Status => status::run(&ctx),
        Command::Tally => tally::run(&ctx),
        Command::Tabulate {
            cvrs,
            rules,
            definition,
            results,
            anchor,
            out,
        } => tabulate::run(
            &ctx,
            &tabulate::Inputs {
                cvrs,
                results,
                anchor,
            },
            rules.as_deref(),
            definition.as_deref(),
            out.as_deref(),
        ),
        Command::Audit { command } => audit::run(&ctx, command),
        Command::Receipt { command } => receipt::run(&ctx, command),
        Command::Print { command } => print::run(&ctx, command),
        Command::Demo { definition_out } => match definition_out {
            Some(out) => demo::definition(&ctx, out),
            None => demo::station(&ctx),
        },
        Command::Export {
            out,
            format,
            from,
            anchor,
            test,
            official,
        } => export::dispatch(
            &ctx,
            *format,
            out,
            from.as_deref(),
            anchor,
            *test,
            official.as_deref(),
        ),
        Command::Verify {
            files,
            anchor,
            attachments,
            inputs,
            software_hash,
        } => verify::run(
            &ctx,
            files,
            anchor,
            attachments.as_deref(),
            inputs.as_deref(),
            software_hash.as_deref(),
        ),
        Command::Merge {
            inputs,
            trusted_keys,
            signing_key,
            out,
            merged_at,
        } => merge::run(&ctx, inputs, trusted_keys, signing_key, out, merged_at.as_deref()),
        Command::ClosingKey { command } => closing::key(&ctx, command),
        Command::Count {
            slip_files,
            export,
            report,
            target,
            by,
        } => closing::count(&ctx, slip_files, export.as_deref(), *report, target, by),
        Command::Office { command } => office_keys::run(&ctx, command),
        Command::Rla { command } => rla::run(&ctx, command),
        Command::Import { command } => import::run(&ctx, command),
        Command::PackageFiles { out } => crate::package_files::write(&ctx, out),
    }
}
