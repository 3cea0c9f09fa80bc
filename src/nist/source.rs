//! What a NIST export is made from: a `votekiosk-result/2` or
//! `votekiosk-merge/2` file read once into memory (the export is one JSON
//! document built in memory; `count_verified` is the streaming count
//! `tabulate --result` uses instead), passed through the
//! public verifier (`export::verify`) against the caller's trust anchor,
//! and only then read: its header, its definition and its records (public
//! record id and ballot, in the file's order, by increasing id). A file
//! that fails any check, or a legacy v1 file, is refused with the
//! verifier's failures; nothing of it is used.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::ballot::Ballot;
use crate::definition::ElectionDefinition;
use crate::error::{Error, Result};
use crate::export::format::{
    MergeCards, MergeHeader, MergeInput, ResultHeader, Software, MERGE_FORMAT, RESULT_FORMAT,
};
use crate::export::verify::{verify_bytes, Options, Sink, Stream};
use crate::tabulate::rctab::cdf::unique_id_hash;
use crate::tabulate::{ElectionResult, WeightedBallots};
use crate::turnout::Turnout;

/// Where the records were counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// One station's result (counted at the station or by the office).
    Station {
        id: String,
        /// Its signing key (64 hex) and fingerprint.
        public_key: String,
        fingerprint: String,
        /// `station` or `office`.
        counted_by: String,
    },
    /// The office's merge of stations (and earlier merges).
    Merge { inputs: Vec<MergeInput> },
}

/// A verified file's content.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The file's name as given (for notes and messages).
    pub name: String,
    /// SHA-256 of the file (64 hex).
    pub sha256: String,
    /// `votekiosk-result/2` or `votekiosk-merge/2`.
    pub format: String,
    pub definition: ElectionDefinition,
    pub origin: Origin,
    /// The key that signed the file (64 hex) and its fingerprint.
    pub signer: String,
    pub signer_fingerprint: String,
    pub test: bool,
    /// `exported_at` or `merged_at`.
    pub stamp: String,
    pub counts: Turnout,
    /// The ballot cards (a station's boxes tagged with its id).
    pub cards: MergeCards,
    /// The count the verifier recomputed and found equal to the header's.
    pub result: ElectionResult,
    pub software: Software,
    /// Every record: its public id (32 hex) and ballot, by increasing id.
    pub records: Vec<(String, Ballot)>,
}

#[derive(Default)]
struct Keep {
    records: Vec<(String, Ballot)>,
    inputs: Vec<MergeInput>,
}

impl Sink for Keep {
    fn record(&mut self, _line: &[u8], id: &str, ballot: &Ballot) {
        self.records.push((id.to_string(), ballot.clone()));
    }
    fn input(&mut self, input: &MergeInput) {
        self.inputs.push(input.clone());
    }
}

/// A verified file's ballots, counted as they streamed past
/// (`count_verified`).
#[derive(Debug, Clone)]
pub struct Counted {
    pub definition: ElectionDefinition,
    /// Per contest, each distinct choice list once with its count.
    pub tally: WeightedBallots,
    /// Each record's id as a CVR `UniqueId` hash
    /// (`tabulate::rctab::cdf::unique_id_hash`), in file order; empty
    /// unless asked for.
    pub unique_ids: Vec<[u8; 16]>,
}

/// Verifies the file at `path` in one pass, as a stream, and counts its
/// records as they pass (what `tabulate --result` counts: the same
/// ballots its NIST CVR export holds, without building the export).
/// Memory: one line, and per contest each distinct choice list once;
/// with `keep_ids`, 16 bytes a record as well (to refuse a record also
/// given as a CVR file). Nothing is returned unless the whole file
/// verified. `progress(records read, records in the file)` is called as
/// it goes.
pub fn count_verified(
    path: &Path,
    options: &Options<'_>,
    keep_ids: bool,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Counted> {
    let name = path.display().to_string();
    crate::export::check_readable(path)?;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    if crate::export::legacy::looks_legacy(&mut reader).map_err(|e| Error::io(path, e))? {
        return Err(Error::NistExportRefused(format!(
            "{name} is a legacy v1 file: only votekiosk-result/2 or votekiosk-merge/2 files are counted"
        )));
    }
    let mut stream = Stream::new(reader, *options).without_ballots();
    let total = stream.report().ballots;
    let mut unique_ids = Vec::new();
    let mut read = 0u64;
    while stream.next_record() {
        if keep_ids {
            unique_ids.push(unique_id_hash(stream.record_id()));
        }
        read += 1;
        if read.is_multiple_of(4096) {
            progress(read, total);
        }
    }
    progress(read, total);
    let done = stream.finish();
    if !done.report.passed() {
        return Err(Error::NistExportRefused(format!(
            "{name} did not verify, so nothing of it was counted: {}",
            failures(&done.report)
        )));
    }
    if done.report.format != RESULT_FORMAT && done.report.format != MERGE_FORMAT {
        return Err(Error::NistExportRefused(format!(
            "{name}: a {} file holds no records to count",
            done.report.format
        )));
    }
    match (done.definition, done.tally) {
        (Some(definition), Some(tally)) => Ok(Counted {
            definition,
            tally,
            unique_ids,
        }),
        _ => Err(Error::NistExportRefused(format!(
            "{name} did not verify, so nothing of it was counted"
        ))),
    }
}

fn failures(report: &crate::export::verify::Report) -> String {
    report
        .failures
        .iter()
        .map(|f| format!("[{}] {}", f.name, f.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Reads and verifies the file at `path` (see the module docs).
pub fn read_verified(path: &Path, options: &Options<'_>) -> Result<Verified> {
    let bytes = crate::export::read_file(path)?;
    verified_from_bytes(&bytes, &path.display().to_string(), options)
}

/// Verifies `bytes` (a file named `name`) and reads what it holds.
pub fn verified_from_bytes(bytes: &[u8], name: &str, options: &Options<'_>) -> Result<Verified> {
    let mut keep = Keep::default();
    let report = verify_bytes(bytes, options, &mut keep);
    if report.legacy {
        return Err(Error::NistExportRefused(format!(
            "{name} is a legacy {} file: NIST exports are made from votekiosk-result/2 or votekiosk-merge/2 files",
            report.format
        )));
    }
    if !report.passed() {
        let failures: Vec<String> = report
            .failures
            .iter()
            .map(|f| format!("[{}] {}", f.name, f.message))
            .collect();
        return Err(Error::NistExportRefused(format!(
            "{name} did not verify, so nothing was exported: {}",
            failures.join("; ")
        )));
    }
    let mut lines = bytes.split(|b| *b == b'\n');
    let header = lines.next().unwrap_or_default();
    let _signature = lines.next();
    let definition_line = lines.next().unwrap_or_default();
    let unreadable = |what: &str, e: String| Error::NistExportRefused(format!("{name}: {what}: {e}"));
    let definition = ElectionDefinition::parse(definition_line)
        .map_err(|e| unreadable("its definition", e.to_string()))?;
    let head = match report.format.as_str() {
        RESULT_FORMAT => {
            let h: ResultHeader =
                serde_json::from_slice(header).map_err(|e| unreadable("its header", e.to_string()))?;
            Head {
                origin: Origin::Station {
                    id: h.station.id.clone(),
                    public_key: h.station.public_key.clone(),
                    fingerprint: h.station.fingerprint.clone(),
                    counted_by: h.counted_by.role.clone(),
                },
                test: h.test,
                stamp: h.exported_at,
                counts: h.counts,
                cards: h.cards.tagged(&h.station.id),
                result: h.result,
                software: h.software,
            }
        }
        MERGE_FORMAT => {
            let h: MergeHeader =
                serde_json::from_slice(header).map_err(|e| unreadable("its header", e.to_string()))?;
            Head {
                origin: Origin::Merge {
                    inputs: std::mem::take(&mut keep.inputs),
                },
                test: false,
                stamp: h.merged_at,
                counts: h.counts,
                cards: h.cards,
                result: h.result,
                software: h.software,
            }
        }
        other => {
            return Err(Error::NistExportRefused(format!(
                "{name}: a {other} file holds no records to export"
            )))
        }
    };
    Ok(Verified {
        name: name.to_string(),
        sha256: hex::encode(Sha256::digest(bytes)),
        format: report.format.clone(),
        definition,
        origin: head.origin,
        signer: report.public_key.clone().unwrap_or_default(),
        signer_fingerprint: report.fingerprint.clone().unwrap_or_default(),
        test: head.test,
        stamp: head.stamp,
        counts: head.counts,
        cards: head.cards,
        result: head.result,
        software: head.software,
        records: keep.records,
    })
}

/// The header fields both formats have.
struct Head {
    origin: Origin,
    test: bool,
    stamp: String,
    counts: Turnout,
    cards: MergeCards,
    result: ElectionResult,
    software: Software,
}
