//! Combining several stations' result files into one (`votekiosk-merge/1`).
//!
//! Every input is verified first and refused if it fails. All must share
//! one definition hash; no signing key may appear twice (several kiosks of a
//! polling place may share a definition and so a station id, but each file
//! has its own key); no receipt and no record id may appear twice. Counts
//! are summed and every contest is recounted from the union of the cast
//! vote records (instant-runoff results cannot be summed).

use std::collections::BTreeSet;

use sha2::{Digest, Sha256};

use super::format::{Counts, Cvr, MergeFile, MergeInput, Receipts, ResultFile, MERGE_FILE_FORMAT};
use super::merkle;
use super::verify::{verify, Parsed};
use crate::ballot::Ballot;
use crate::canonical::to_canonical_string;
use crate::definition::ElectionDefinition;
use crate::error::{Error, Result};
use crate::tabulate::{tabulate, ElectionResult, Turnout};

/// One input: a name for messages (e.g. its path) and its bytes.
pub struct Input {
    pub name: String,
    pub bytes: Vec<u8>,
}

fn refuse(msg: String) -> Error {
    Error::MergeRefused(msg)
}

/// Merges verified station files; `progress(done, total, name)` is called
/// after each input is verified.
pub fn merge(inputs: &[Input], progress: &mut dyn FnMut(usize, usize, &str)) -> Result<String> {
    if inputs.is_empty() {
        return Err(refuse("give at least one result file".into()));
    }
    let mut files: Vec<(ResultFile, String)> = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.iter().enumerate() {
        let (report, parsed) = verify(&input.bytes, None, None);
        if !report.passed() {
            let why: Vec<String> = report.failures.iter().map(|f| f.to_string()).collect();
            return Err(refuse(format!(
                "{} fails verification: {}",
                input.name,
                why.join("; ")
            )));
        }
        let file = match parsed {
            Some(Parsed::Station(f)) => *f,
            _ => return Err(refuse(format!("{} is not a station's result file", input.name))),
        };
        if file.test {
            return Err(refuse(format!(
                "{} is a test export, not an official result",
                input.name
            )));
        }
        progress(i + 1, inputs.len(), &input.name);
        files.push((file, hex::encode(Sha256::digest(&input.bytes))));
    }
    let hash = files[0].0.definition_hash.clone();
    let mut keys = BTreeSet::new();
    for (i, (f, _)) in files.iter().enumerate() {
        if f.definition_hash != hash {
            return Err(refuse(format!(
                "{} is for another election (definition {}, not {hash})",
                inputs[i].name, f.definition_hash
            )));
        }
        if !keys.insert(f.station.public_key.clone()) {
            return Err(refuse(format!(
                "{}: station {} (key {}) is already included",
                inputs[i].name, f.station.id, f.station.public_key
            )));
        }
    }
    let mut cvrs: Vec<Cvr> = files
        .iter()
        .flat_map(|(f, _)| f.cast_vote_records.iter().cloned())
        .collect();
    cvrs.sort_by(|a, b| a.id.cmp(&b.id));
    if let Some(w) = cvrs.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(refuse(format!(
            "cast vote record {} appears in two inputs",
            w[0].id
        )));
    }
    let mut ids: Vec<String> = files
        .iter()
        .flat_map(|(f, _)| f.receipts.ids.iter().cloned())
        .collect();
    ids.sort();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(refuse(format!("receipt {} appears in two inputs", w[0])));
    }
    let mut counts = Counts::default();
    for (f, _) in &files {
        counts.codes_issued += f.counts.codes_issued;
        counts.codes_used += f.counts.codes_used;
        counts.codes_revoked += f.counts.codes_revoked;
        counts.codes_unused += f.counts.codes_unused;
        counts.ballots += f.counts.ballots;
    }
    let def_text = to_canonical_string(&files[0].0.definition);
    let def =
        ElectionDefinition::parse(def_text.as_bytes()).map_err(|e| refuse(format!("definition: {e}")))?;
    let ballots: Vec<Ballot> = cvrs
        .iter()
        .map(|c| Ballot::validate(&def, &c.selections))
        .collect::<Result<_>>()?;
    let turnout = Turnout {
        codes_issued: counts.codes_issued,
        codes_used: counts.codes_used,
        codes_revoked: counts.codes_revoked,
        codes_unused: counts.codes_unused,
        ballots: counts.ballots,
    };
    let result = ElectionResult::new(&def, "closed", false, turnout, tabulate(&def, &ballots));
    let merged = MergeFile {
        format: MERGE_FILE_FORMAT.into(),
        software: super::software(),
        definition: files[0].0.definition.clone(),
        definition_hash: hash,
        inputs: files
            .iter()
            .map(|(f, sha)| MergeInput {
                station_id: f.station.id.clone(),
                public_key: f.station.public_key.clone(),
                sha256: sha.clone(),
                ballots: f.counts.ballots,
            })
            .collect(),
        counts,
        result,
        receipts: Receipts {
            merkle_root: hex::encode(merkle::root(&ids)),
            ids,
        },
        cast_vote_records: cvrs,
    };
    let value = serde_json::to_value(&merged).map_err(|e| refuse(format!("combined file: {e}")))?;
    Ok(to_canonical_string(&value))
}
