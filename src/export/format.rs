//! The signed result file, `votekiosk-result/1`, and the combined file,
//! `votekiosk-merge/1`, as they appear in JSON. See `docs/formats.md`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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
    /// Always `hmac-sha256`.
    pub algorithm: String,
    /// The station file's salt (32 hex digits): the MAC key is
    /// HMAC-SHA256(Argon2id(passphrase, salt), "votekiosk-export-mac/1").
    pub salt: String,
    /// 64 hex digits over the canonical document without `signature`
    /// and `mac`.
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
