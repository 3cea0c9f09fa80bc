//! The demo election: a ready-made definition (all four contest kinds, in
//! English and Spanish) whose voting window is moved around "now", with
//! published demo credentials. For trying votekiosk out, never for real use.

use chrono::{DateTime, Duration, SecondsFormat, Utc};

use crate::definition::ElectionDefinition;
use crate::error::{Error, Result};

/// The demo's election passphrase (published: the demo protects nothing).
pub const PASSPHRASE: &str = "demo passphrase - not secret";
pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "demo-admin-password";

const DEFINITION: &str = include_str!("../examples/demo-election.json");

/// The demo definition with its window opened an hour before `now` and
/// closing 30 days after.
pub fn definition(now: DateTime<Utc>) -> Result<ElectionDefinition> {
    let mut doc: serde_json::Value =
        serde_json::from_str(DEFINITION).map_err(|e| Error::InvalidInput(format!("demo definition: {e}")))?;
    let opens = (now - Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let closes = (now + Duration::days(30)).to_rfc3339_opts(SecondsFormat::Secs, true);
    doc["date"] = now.format("%Y-%m-%d").to_string().into();
    doc["window"] = serde_json::json!({ "opens": opens, "closes": closes });
    let bytes = serde_json::to_vec(&doc).map_err(|e| Error::InvalidInput(format!("demo definition: {e}")))?;
    Ok(ElectionDefinition::parse(&bytes)?)
}
