//! The v2 files that leave a station or the office, as their header lines
//! appear in JSON (design §5–§7, `docs/formats.md`): `votekiosk-result/2`,
//! `votekiosk-sealed/2` and `votekiosk-merge/2`, and the section lines
//! they share (a cast vote record, a merge input). Every header is one
//! canonical JSON line; these types refuse unknown fields, and a reader
//! also checks that a header re-serialises to exactly its bytes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ballot::Ballot;
use crate::tabulate::ElectionResult;
use crate::turnout::Turnout;

/// Adapter for `html.rs` (the receipts slice moves `verify.html` to v2):
/// the page still reads a v1-shaped file, which `verify::Parsed` makes.
pub use super::legacy_format::ResultFile;

pub const RESULT_FORMAT: &str = "votekiosk-result/2";
pub const SEALED_FORMAT: &str = "votekiosk-sealed/2";
pub const MERGE_FORMAT: &str = "votekiosk-merge/2";

/// The header of one station's result (`votekiosk-result/2`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultHeader {
    pub format: String,
    /// A logic-and-accuracy export of test ballots.
    pub test: bool,
    /// `closed` for an official result, `test` for a test export.
    pub mode: String,
    pub definition_hash: String,
    pub demo: bool,
    pub station: StationHeader,
    pub counted_by: CountedBy,
    pub polls: Polls,
    pub exported_at: String,
    pub counts: Turnout,
    pub cards: Cards,
    pub result: ElectionResult,
    pub receipts: ReceiptsDigest,
    pub records: SectionDigest,
    pub audit: AuditHead,
    /// Files written beside it, sorted by kind.
    pub attachments: Vec<Attachment>,
    pub software: Software,
}

/// Who the station is, and its keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StationHeader {
    pub id: String,
    /// Its Ed25519 signing key (64 hex).
    pub public_key: String,
    /// `fingerprint(public_key)`, 8 groups of 4 hex digits.
    pub fingerprint: String,
    /// Its closing key (X25519, 64 hex): the test key in test mode.
    pub closing_public_key: String,
    pub closing_threshold: Threshold,
}

/// K of N (both 0 in test mode, where no closing key is needed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    pub k: u8,
    pub n: u8,
}

/// Who unsealed and counted the ballots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountedBy {
    /// `station` or `office`.
    pub role: String,
    /// For `office`: SHA-256 of the sealed export it was counted from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed_sha256: Option<String>,
}

pub const COUNTED_BY_STATION: &str = "station";
pub const COUNTED_BY_OFFICE: &str = "office";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Polls {
    pub opened_at: Option<String>,
    pub closed_at: Option<String>,
}

/// Ballot cards (issue 14): the counts of a station's cards and the
/// ballot manifest (the hand count per box, what audits sample from).
/// Disabled: every count 0, no hand count, no box.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cards {
    pub enabled: bool,
    pub printed: u64,
    pub cast: u64,
    pub spoiled: u64,
    pub abandoned: u64,
    /// The number the poll workers counted by hand, if they entered one.
    pub hand_count: Option<u64>,
    /// `hand_count − cast`, reported and never adjusted.
    pub hand_count_difference: Option<i64>,
    /// The hand count per box, sorted by box id; their sum is `hand_count`.
    pub boxes: Vec<BoxCount>,
}

impl Cards {
    /// These cards as a merge holds them: each box tagged with `station`.
    pub fn tagged(&self, station: &str) -> MergeCards {
        MergeCards {
            enabled: self.enabled,
            printed: self.printed,
            cast: self.cast,
            spoiled: self.spoiled,
            abandoned: self.abandoned,
            hand_count: self.hand_count,
            hand_count_difference: self.hand_count_difference,
            boxes: self
                .boxes
                .iter()
                .map(|b| StationBox {
                    station: station.to_string(),
                    box_id: b.box_id.clone(),
                    cards: b.cards,
                })
                .collect(),
        }
    }
}

/// One ballot box and the cards counted in it by hand.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoxCount {
    /// 1–16 ASCII letters, digits or `-`.
    #[serde(rename = "box")]
    pub box_id: String,
    pub cards: u64,
}

/// Whether a box id is valid: 1–16 ASCII letters, digits or `-`.
pub fn valid_box_id(id: &str) -> bool {
    (1..=16).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The cards of a merge: the inputs' sums, and every station's boxes,
/// each tagged with its station.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeCards {
    pub enabled: bool,
    pub printed: u64,
    pub cast: u64,
    pub spoiled: u64,
    pub abandoned: u64,
    pub hand_count: Option<u64>,
    pub hand_count_difference: Option<i64>,
    /// Sorted by station, then box.
    pub boxes: Vec<StationBox>,
}

/// A box of a merge: its station, its id, its cards.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StationBox {
    pub station: String,
    #[serde(rename = "box")]
    pub box_id: String,
    pub cards: u64,
}

/// The receipts section: how many, and their Merkle root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptsDigest {
    pub count: u64,
    pub merkle_root: String,
}

/// A section of lines: how many, and SHA-512 over its bytes (every LF included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionDigest {
    pub count: u64,
    pub sha512: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditHead {
    /// Hash of the last audit entry before the export (64 hex digits).
    pub head: String,
    pub length: u64,
}

/// A file written beside a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    /// `sealed-records` or `audit-manifest`.
    pub kind: String,
    /// Its file name (no folder).
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

pub const ATTACHMENT_SEALED: &str = "sealed-records";
pub const ATTACHMENT_MANIFEST: &str = "audit-manifest";

/// The binary that counted and signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Software {
    /// `votekiosk`.
    pub name: String,
    pub version: String,
    /// 40 hex digits, or `unknown`.
    pub commit: String,
    /// SHA-256 of the running executable.
    pub binary_sha256: String,
    /// The target triple it was built for.
    pub target: String,
}

/// A cast vote record line: the public record id and the ballot in v2
/// normal form. Its two fields are declared in key order and its
/// selections are a `BTreeMap`, so `serde_json` writes it canonically
/// (`records_serialise_canonically` holds that).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// 32 lowercase hex digits, from the data key (never a storage id).
    pub id: String,
    pub selections: BTreeMap<String, Vec<String>>,
}

impl Record {
    /// The record of an unsealed ballot (already in normal form).
    pub fn new(id: &[u8; 16], ballot: &Ballot) -> Record {
        Record {
            id: hex::encode(id),
            selections: ballot.selections(),
        }
    }
}

/// The header of a sealed export (`votekiosk-sealed/2`), for the office.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedHeader {
    pub format: String,
    pub test: bool,
    pub definition_hash: String,
    pub station: StationHeader,
    pub polls: Polls,
    pub exported_at: String,
    pub counts: Turnout,
    pub cards: Cards,
    pub audit: AuditHead,
    pub software: Software,
    /// Every sealed record's length (188 + L of the definition).
    pub record_length: u64,
    /// The receipts section, as in a result.
    pub receipts: ReceiptsDigest,
    pub sealed: SectionDigest,
    pub spoiled: SectionDigest,
}

/// The header of a merge of stations (`votekiosk-merge/2`), signed by the
/// office signing key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeHeader {
    pub format: String,
    pub definition_hash: String,
    pub demo: bool,
    pub inputs: SectionDigest,
    pub counts: Turnout,
    pub cards: MergeCards,
    pub result: ElectionResult,
    pub receipts: ReceiptsDigest,
    pub records: SectionDigest,
    pub merged_at: String,
    pub software: Software,
}

/// One line of a merge's inputs section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    /// `station` or `merge`.
    pub kind: String,
    /// A station input's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub station_id: Option<String>,
    /// Its signer's key (64 hex).
    pub public_key: String,
    pub counted_by: String,
    /// SHA-256 of the input file.
    pub sha256: String,
    pub ballots: u64,
}
