//! The demo election: a ready-made definition (all four contest kinds, in
//! English and Spanish) whose voting window is moved around "now", with
//! published demo credentials, and where its station file lives. Its
//! ballots are sealed to the published test key and its office signing key
//! is the published demo key (`"demo": true`), so it is no real election:
//! for trying votekiosk out, never for real use. The CLI (`votekiosk demo`)
//! and the app (started with no file) both create it through `ensure`.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, SecondsFormat, Utc};

use crate::definition::ElectionDefinition;
use crate::error::{Error, Result};
use crate::station::{Options, Station};

/// The demo's election passphrase (published: the demo protects nothing).
pub const PASSPHRASE: &str = "demo passphrase - not secret";
pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "demo-admin-password";
/// The demo station's id.
pub const STATION_ID: &str = "RIVERSIDE-01";

const DEFINITION: &str = include_str!("../examples/demo-election.json");

/// The demo definition as JSON, with its window opened an hour before
/// `now` and closing 30 days after.
pub fn definition_json(now: DateTime<Utc>) -> Result<String> {
    let mut doc: serde_json::Value =
        serde_json::from_str(DEFINITION).map_err(|e| Error::InvalidInput(format!("demo definition: {e}")))?;
    let opens = (now - Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let closes = (now + Duration::days(30)).to_rfc3339_opts(SecondsFormat::Secs, true);
    doc["date"] = now.format("%Y-%m-%d").to_string().into();
    doc["window"] = serde_json::json!({ "opens": opens, "closes": closes });
    serde_json::to_string_pretty(&doc).map_err(|e| Error::InvalidInput(format!("demo definition: {e}")))
}

/// The demo definition, validated (see `definition_json`).
pub fn definition(now: DateTime<Utc>) -> Result<ElectionDefinition> {
    Ok(ElectionDefinition::parse(definition_json(now)?.as_bytes())?)
}

/// Where the demo election lives: `demo.vkstation` in the user's data
/// folder (`$XDG_DATA_HOME/votekiosk/` or `~/.local/share/votekiosk/` on
/// Linux); `None` when the system names no home folder.
pub fn default_path() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "votekiosk")?;
    Some(dirs.data_dir().join("demo.vkstation"))
}

/// Creates the demo station file at `path` (and its folder) unless a file
/// is already there, its window around `options.clock`'s now. Returns
/// whether it created the file.
pub fn ensure(path: &Path, options: Options) -> Result<bool> {
    if path.exists() {
        return Ok(false);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let definition = definition(options.clock.now())?;
    Station::create(
        path,
        &definition,
        STATION_ID,
        PASSPHRASE,
        ADMIN,
        ADMIN_PASSWORD,
        options,
    )?;
    Ok(true)
}
