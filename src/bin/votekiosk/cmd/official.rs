//! `official add` and `official list`: the station's accounts.

use serde::Serialize;

use votekiosk::station::Role;
use votekiosk::Result;

use super::{login, Ctx};
use crate::args::{OfficialCommand, RoleArg};
use crate::output::Outcome;
use crate::secrets::{new_secret, ENV_NEW_PASSWORD};

#[derive(Serialize)]
struct Added<'a> {
    added: &'a str,
    role: &'static str,
}

#[derive(Serialize)]
struct Listed<'a> {
    name: &'a str,
    role: &'a str,
}

pub fn run(ctx: &Ctx, command: &OfficialCommand) -> Result<Outcome> {
    let mut station = ctx.open()?;
    match command {
        OfficialCommand::Add { name, role, by } => {
            let official = login(&mut station, by)?;
            let role = match role {
                RoleArg::Admin => Role::Admin,
                RoleArg::PollWorker => Role::PollWorker,
            };
            let password = new_secret(ENV_NEW_PASSWORD, None, &format!("Password for {name}"))?;
            station.add_official(&official, name, role, &password)?;
            let added = Added {
                added: name,
                role: role.as_str(),
            };
            ctx.out
                .emit(&added, || format!("Added {name} as {}.", added.role));
        }
        OfficialCommand::List => {
            let list = station.officials()?;
            let listed: Vec<Listed> = list.iter().map(|(name, role)| Listed { name, role }).collect();
            ctx.out.emit(&listed, || {
                listed
                    .iter()
                    .map(|o| format!("{}\t{}", o.name, o.role))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    Ok(Outcome::Done)
}
