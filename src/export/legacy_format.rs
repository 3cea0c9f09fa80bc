//! LEGACY: the v1 result file, `votekiosk-result/1`, and the combined
//! file, `votekiosk-merge/1`, as they appear in JSON, and the canonical
//! text of their members, for read-only verification (`legacy.rs`). See
//! `docs/formats.md` §10 ("Reading v1 files").

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::canonical::to_canonical_string;
use crate::error::{Error, Result};

use crate::ballot::Ballot;
use crate::tabulate::ElectionResult;
use crate::turnout::Turnout;

pub const RESULT_FILE_FORMAT: &str = "votekiosk-result/1";
pub const MERGE_FILE_FORMAT: &str = "votekiosk-merge/1";

/// One station's signed result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultFile {
    pub format: String,
    /// The software that wrote it, e.g. `votekiosk 0.1.0`.
    pub software: String,
    /// A logic-and-accuracy test export: never an official result.
    pub test: bool,
    /// The election definition in its canonical form.
    pub definition: serde_json::Value,
    pub definition_hash: String,
    pub station: StationInfo,
    pub polls: Polls,
    pub counts: Turnout,
    pub result: ElectionResult,
    /// Every ballot, sorted by its random id; no timestamps, no codes.
    pub cast_vote_records: Vec<Cvr>,
    /// Receipt ids, sorted, with their Merkle root; unlinked from the records.
    pub receipts: Receipts,
    pub audit: AuditHead,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<Mac>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StationInfo {
    pub id: String,
    /// Ed25519 public key, 64 hex digits.
    pub public_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Polls {
    pub opened_at: Option<String>,
    pub closed_at: Option<String>,
}

/// A cast vote record: a ballot's random id (32 hex digits) and its choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cvr {
    pub id: String,
    pub selections: BTreeMap<String, Vec<String>>,
}

impl Cvr {
    /// The record of a stored ballot: its random id, its choices in the
    /// wire form (`Ballot::selections`: every contest, encoded choices).
    pub fn new(id: &[u8; 16], ballot: &Ballot) -> Cvr {
        Cvr {
            id: hex::encode(id),
            selections: ballot.selections(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipts {
    /// 64 hex digits (see `export::merkle`).
    pub merkle_root: String,
    pub ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditHead {
    /// Hash of the last audit entry before the export (64 hex digits).
    pub head: String,
    pub length: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    /// Always `ed25519`.
    pub algorithm: String,
    /// 128 hex digits over the canonical document without `signature`
    /// (the MAC is signed too; see `export::seal`).
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mac {
    /// v1 files carry a MAC derived from the passphrase; it is read and
    /// ignored (nothing checks it any more).
    pub algorithm: String,
    pub salt: String,
    pub value: String,
}

/// Several stations combined (written by `votekiosk merge`; not signed:
/// anyone can redo it from the inputs it lists).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeFile {
    pub format: String,
    pub software: String,
    pub definition: serde_json::Value,
    pub definition_hash: String,
    pub inputs: Vec<MergeInput>,
    pub counts: Turnout,
    pub result: ElectionResult,
    pub cast_vote_records: Vec<Cvr>,
    pub receipts: Receipts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    pub station_id: String,
    pub public_key: String,
    /// SHA-256 of the input file's bytes.
    pub sha256: String,
    pub ballots: u64,
}

/// A JSON object's members, each value already in canonical form. The
/// canonical text of the object (or of the object without some members)
/// is then put together from them: the same bytes as `to_canonical_string`
/// of the whole object, without cloning a document of a million records
/// or building it as one `Value`.
pub(crate) struct Members(Vec<(String, String)>);

impl Members {
    pub(crate) fn of(doc: &serde_json::Value) -> Result<Members> {
        let obj = doc
            .as_object()
            .ok_or_else(|| Error::InvalidInput("a result file is a JSON object".into()))?;
        Ok(Members(
            obj.iter()
                .map(|(k, v)| (k.clone(), to_canonical_string(v)))
                .collect(),
        ))
    }

    /// Sets member `key` to a value given in canonical form.
    pub(crate) fn set(&mut self, key: &str, canonical: String) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some(member) => member.1 = canonical,
            None => self.0.push((key.to_string(), canonical)),
        }
    }

    /// The object's members in canonical order (sorted by the bytes of
    /// their key, as `canonical` sorts them), leaving out those in `skip`:
    /// each as the text before its value (`,` and the key) and its value.
    fn pieces(&self, skip: &[&str]) -> Vec<(String, &str)> {
        let mut kept: Vec<(&str, &str)> = self
            .0
            .iter()
            .filter(|(k, _)| !skip.contains(&k.as_str()))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        kept.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        kept.iter()
            .enumerate()
            .map(|(i, (key, value))| {
                let key = to_canonical_string(&serde_json::Value::String((*key).to_string()));
                (format!("{}{key}:", if i > 0 { "," } else { "" }), *value)
            })
            .collect()
    }

    /// The object's canonical text, leaving out the members in `skip`.
    pub(crate) fn text_without(&self, skip: &[&str]) -> String {
        let pieces = self.pieces(skip);
        let size: usize = pieces.iter().map(|(p, v)| p.len() + v.len()).sum();
        let mut out = String::with_capacity(size + 2);
        out.push('{');
        for (prefix, value) in pieces {
            out.push_str(&prefix);
            out.push_str(value);
        }
        out.push('}');
        out
    }

    /// Whether `bytes` are exactly the object's canonical text (without
    /// writing that text out: it can be as large as the file).
    pub(crate) fn is_text_of(&self, bytes: &[u8]) -> bool {
        let Some(mut rest) = bytes.strip_prefix(b"{") else {
            return false;
        };
        for (prefix, value) in self.pieces(&[]) {
            match rest
                .strip_prefix(prefix.as_bytes())
                .and_then(|r| r.strip_prefix(value.as_bytes()))
            {
                Some(r) => rest = r,
                None => return false,
            }
        }
        rest == b"}"
    }
}

/// The members of `doc` in canonical form, its records (`records(doc)`)
/// put in canonical form one by one rather than serialised with the rest.
pub(crate) fn members_around_records<T: serde::Serialize>(
    doc: &mut T,
    records: fn(&mut T) -> &mut Vec<Cvr>,
) -> Result<Members> {
    let taken = std::mem::take(records(doc));
    let value = serde_json::to_value(&*doc);
    *records(doc) = taken;
    let value = value.map_err(|e| Error::InvalidInput(format!("result file: {e}")))?;
    let mut members = Members::of(&value)?;
    members.set("cast_vote_records", canonical_records(records(doc))?);
    Ok(members)
}

/// The canonical text of a list of records. A record serialises straight
/// into its canonical form: its two fields are declared in key order (`id`
/// before `selections`), its selections are a `BTreeMap` (sorted by the
/// bytes of the key; serde_json's `preserve_order` only concerns `Value`
/// maps), it holds only strings, and serde_json escapes a string exactly
/// as `canonical` does. The test `records_serialise_canonically` holds the
/// two to the same bytes. A tenth of the cost of a `Value` per record.
pub(crate) fn canonical_records(records: &[Cvr]) -> Result<String> {
    let mut out = Vec::with_capacity(records.len() * 200 + 2);
    out.push(b'[');
    for (i, record) in records.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, record)
            .map_err(|e| Error::InvalidInput(format!("cast vote record: {e}")))?;
    }
    out.push(b']');
    String::from_utf8(out).map_err(|e| Error::InvalidInput(format!("cast vote records: {e}")))
}
