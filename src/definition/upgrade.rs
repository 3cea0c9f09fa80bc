//! `votekiosk definition upgrade`: a `votekiosk/1` definition made into a
//! `votekiosk/2` one. The only code that still reads v1.
//!
//! It drops `station_id` (handing it back, for `init --station-id`), drops
//! `results_visibility` (refusing `live`: a sealed ballot cannot be counted
//! while the polls are open), adds the office keys, and validates the
//! result as any v2 definition. It returns the new text and the list of
//! changes; writing the new file (never over the old one) is the caller's.

use serde_json::{Map, Value};

use super::format::OfficeDoc;
use super::office::Checks;
use super::{
    strict, DefinitionError, ElectionDefinition, Issue, OfficeKeys, FORMAT, MAX_DEFINITION_BYTES, V1_FORMAT,
};

/// The office keys the upgraded definition gets.
#[derive(Debug, Clone, Copy)]
pub enum Office {
    /// The office's own keys (from the key ceremony): a real election.
    Keys(OfficeKeys),
    /// The published test and demo signing keys, with `"demo": true`.
    Demo,
}

/// What an upgrade produced.
#[derive(Debug)]
pub struct Upgraded {
    /// The `votekiosk/2` definition, as JSON text to write to a new file.
    pub json: String,
    /// The same, validated.
    pub definition: ElectionDefinition,
    /// The v1 definition's `station_id`: give it to `init --station-id`.
    pub station_id: Option<String>,
    /// Every change, one sentence each.
    pub changes: Vec<String>,
}

fn issue(path: &str, message: impl Into<String>) -> DefinitionError {
    DefinitionError::one(path, message)
}

/// Upgrades the v1 definition `v1` (its bytes).
pub fn upgrade(v1: &[u8], office: Office) -> Result<Upgraded, DefinitionError> {
    if v1.len() as u64 > MAX_DEFINITION_BYTES {
        return Err(issue(
            "$",
            format!(
                "definition is {} bytes, the limit is {MAX_DEFINITION_BYTES}",
                v1.len()
            ),
        ));
    }
    let value = strict::parse(v1).map_err(|issues| DefinitionError {
        issues: issues
            .into_iter()
            .map(|i| Issue {
                message: format!(
                    "{} (votekiosk/1 kept the last of repeated keys; votekiosk/2 refuses them)",
                    i.message
                ),
                ..i
            })
            .collect(),
    })?;
    let Value::Object(mut doc) = value else {
        return Err(issue("$", "a definition is a JSON object"));
    };
    match doc.get("format").and_then(Value::as_str) {
        Some(V1_FORMAT) => {}
        Some(FORMAT) => return Err(issue("format", format!("this definition is already {FORMAT}"))),
        other => {
            return Err(issue(
                "format",
                format!("{other:?} is not {V1_FORMAT:?}: only a {V1_FORMAT} definition can be upgraded"),
            ))
        }
    }
    let mut changes = vec![format!("format: {V1_FORMAT} -> {FORMAT}")];
    doc.insert("format".into(), FORMAT.into());

    let station_id = match doc.remove("station_id") {
        Some(Value::String(id)) => {
            changes.push(format!(
                "station_id {id:?} removed: give it when you make the station file (`votekiosk init --station-id {id}`)"
            ));
            Some(id)
        }
        Some(_) => return Err(issue("station_id", "must be a string")),
        None => None,
    };
    match doc.remove("results_visibility") {
        None => {}
        Some(Value::String(v)) if v == "after_close" => changes
            .push("results_visibility removed: results are always counted only after the polls close".into()),
        Some(Value::String(v)) if v == "live" => {
            return Err(issue(
                "results_visibility",
                "is \"live\", which votekiosk/2 cannot keep: ballots are sealed when cast and counted only \
                 after the polls close (a running count at one kiosk shows each ballot as it changes). \
                 Remove the field (turnout stays visible all day) and upgrade again",
            ))
        }
        Some(other) => {
            return Err(issue(
                "results_visibility",
                format!("{other} is not \"after_close\" or \"live\""),
            ))
        }
    }

    let keys = match office {
        Office::Keys(keys) => {
            changes.push(format!(
                "office added: encryption key {}, signing key {}",
                keys.encryption.fingerprint(),
                keys.signing.fingerprint()
            ));
            keys
        }
        Office::Demo => {
            doc.insert("demo".into(), Value::Bool(true));
            changes.push(
                "office added: the published test key and demo signing key, with \"demo\": true (a demo election, never official)"
                    .into(),
            );
            OfficeKeys::demo()
        }
    };
    let office_value = serde_json::to_value(keys.to_doc()).map_err(|e| issue("office", e.to_string()))?;
    doc.insert("office".into(), office_value);

    let value = Value::Object(doc);
    let definition = ElectionDefinition::from_value(value.clone())?;
    changes.push(format!(
        "defaults are no longer part of the hash; the new definition hash is {}",
        definition.hash()
    ));
    let json = pretty(&value)?;
    Ok(Upgraded {
        json,
        definition,
        station_id,
        changes,
    })
}

/// The upgraded definition as indented JSON, `format` first.
fn pretty(value: &Value) -> Result<String, DefinitionError> {
    let mut ordered = Map::new();
    if let Value::Object(map) = value {
        if let Some(f) = map.get("format") {
            ordered.insert("format".into(), f.clone());
        }
        for (k, v) in map {
            ordered.insert(k.clone(), v.clone());
        }
    }
    let mut text =
        serde_json::to_string_pretty(&Value::Object(ordered)).map_err(|e| issue("$", e.to_string()))?;
    text.push('\n');
    Ok(text)
}

/// Reads the office keys from a JSON file's bytes: an object with an
/// `office` block, or the block itself (`{"encryption": …, "signing": …}`).
/// (The CLI also reads the key ceremony's signed record, through `keys`,
/// which sits above this module, and hands its block here.)
pub fn office_keys(json: &[u8]) -> Result<OfficeKeys, DefinitionError> {
    let value = strict::parse(json).map_err(|issues| DefinitionError { issues })?;
    let block = value.get("office").cloned().unwrap_or(value);
    let doc: OfficeDoc = serde_path_to_error::deserialize(block).map_err(|e| {
        issue(
            &format!("office.{}", e.path()),
            format!("{}: expected an office block {{\"encryption\": {{suite, public_key, fingerprint, commitment}}, \"signing\": {{public_key, fingerprint, commitment}}}}", e.into_inner()),
        )
    })?;
    let mut issues = Vec::new();
    let keys = Checks { issues: &mut issues }.office(&doc);
    match keys {
        Some(keys) if issues.is_empty() => Ok(keys),
        _ => Err(DefinitionError { issues }),
    }
}
