//! `init` creates a station file from a definition with its first admin;
//! `validate` checks a definition and creates nothing.

use std::path::Path;

use serde::Serialize;

use votekiosk::station::{valid_station_id, Options, Station};
use votekiosk::{ElectionDefinition, Error, Result};

use super::Ctx;
use crate::output::Outcome;
use crate::secrets::{new_secret, ENV_NEW_PASSWORD, ENV_PASSPHRASE};

#[derive(Serialize)]
struct Created {
    station: String,
    definition_hash: String,
    station_id: String,
}

#[derive(Serialize)]
struct Valid {
    valid: bool,
    definition_hash: String,
    contests: usize,
}

pub fn init(ctx: &Ctx, definition: &Path, station_id: &str, admin: &str) -> Result<Outcome> {
    let path = ctx.station_path()?;
    if path.exists() {
        return Err(Error::FileExists(path.display().to_string()));
    }
    // Refused before any prompt, like a bad definition.
    if !valid_station_id(station_id) {
        return Err(Error::BadStationId(station_id.to_string()));
    }
    let def = ElectionDefinition::from_file(definition)?;
    let pass = new_secret(ENV_PASSPHRASE, ctx.passphrase_file, "New election passphrase")?;
    let password = new_secret(ENV_NEW_PASSWORD, None, &format!("Password for admin {admin}"))?;
    let station = Station::create(
        &path,
        &def,
        station_id,
        &pass,
        admin,
        &password,
        Options::default(),
    )?;
    let created = Created {
        station: path.display().to_string(),
        definition_hash: station.definition().hash().to_hex(),
        station_id: station.station_id().to_string(),
    };
    ctx.out.emit(&created, || {
        format!(
            "Created {} for station {} (definition {}).\nFirst admin: {admin}.",
            created.station, created.station_id, created.definition_hash
        )
    });
    Ok(Outcome::Done)
}

pub fn validate(ctx: &Ctx, definition: &Path) -> Result<Outcome> {
    let def = ElectionDefinition::from_file(definition)?;
    let valid = Valid {
        valid: true,
        definition_hash: def.hash().to_hex(),
        contests: def.contests.len(),
    };
    ctx.out.emit(&valid, || {
        format!(
            "Valid: {} contests, definition hash {}",
            valid.contests, valid.definition_hash
        )
    });
    Ok(Outcome::Done)
}
