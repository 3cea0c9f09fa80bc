//! Combining several stations' result files into one (`votekiosk-merge/1`).
//!
//! Every input is verified first and refused if it fails. All must share
//! one definition hash; no signing key may appear twice (several kiosks of a
//! polling place may share a definition and so a station id, but each file
//! has its own key); no receipt and no record id may appear twice. Counts
//! are summed and every contest is recounted from the union of the cast
//! vote records (instant-runoff results cannot be summed).

use std::collections::BTreeSet;
use std::ops::Range;

use sha2::{Digest, Sha256};

use super::build::count;
use super::format::{MergeFile, MergeInput, ResultFile, MERGE_FILE_FORMAT};
use super::verify::{verify_keeping_ballots, Parsed};
use super::{canonical_list, canonical_record_texts, Members};
use crate::ballot::Ballot;
use crate::canonical::to_canonical_string;
use crate::definition::ElectionDefinition;
use crate::error::{Error, Result};
use crate::turnout::Turnout;

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
    // Every input's records in canonical form, one string per input (what
    // the combined file holds anyway, at a fraction of the memory of the
    // parsed records), and for every record: its id, the input and place
    // of its text, and the ballot its input's verification validated.
    let mut texts: Vec<String> = Vec::with_capacity(inputs.len());
    let mut records: Vec<(String, usize, Range<usize>, Ballot)> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let (report, parsed, ballots) = verify_keeping_ballots(&input.bytes, None, None);
        if !report.passed() {
            let why: Vec<String> = report.failures.iter().map(|f| f.to_string()).collect();
            return Err(refuse(format!(
                "{} fails verification: {}",
                input.name,
                why.join("; ")
            )));
        }
        let mut file = match parsed {
            Some(Parsed::Station(f)) => *f,
            _ => return Err(refuse(format!("{} is not a station's result file", input.name))),
        };
        if file.test {
            return Err(refuse(format!(
                "{} is a test export, not an official result",
                input.name
            )));
        }
        // A file that passed has every record valid, so one ballot per record.
        if ballots.len() != file.cast_vote_records.len() {
            return Err(refuse(format!("{}: a record is not a valid ballot", input.name)));
        }
        progress(i + 1, inputs.len(), &input.name);
        let cvrs = std::mem::take(&mut file.cast_vote_records);
        let (text, spans) = canonical_record_texts(&cvrs)?;
        records.reserve(cvrs.len());
        for ((cvr, span), ballot) in cvrs.into_iter().zip(spans).zip(ballots) {
            records.push((cvr.id, texts.len(), span, ballot));
        }
        texts.push(text);
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
    // Sorted by record id. Every input's definition has the one hash
    // checked above, so each ballot was validated against this election.
    records.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    if let Some(w) = records.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(refuse(format!(
            "cast vote record {} appears in two inputs",
            w[0].0
        )));
    }
    let (places, ballots): (Vec<(usize, Range<usize>)>, Vec<Ballot>) = records
        .into_iter()
        .map(|(_, input, span, b)| ((input, span), b))
        .unzip();
    let mut ids: Vec<String> = files
        .iter_mut()
        .flat_map(|(f, _)| std::mem::take(&mut f.receipts.ids))
        .collect();
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(refuse(format!("receipt {} appears in two inputs", w[0])));
    }
    let counts = files
        .iter()
        .try_fold(Turnout::default(), |sum, (f, _)| sum.checked_add(f.counts))
        .ok_or_else(|| refuse("the counts add up to more than a 64-bit number holds".into()))?;
    let def_text = to_canonical_string(&files[0].0.definition);
    let def =
        ElectionDefinition::parse(def_text.as_bytes()).map_err(|e| refuse(format!("definition: {e}")))?;
    let (result, receipts) = count(&def, "combined", "closed", false, counts, &ballots, ids);
    drop(ballots);
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
        receipts,
        cast_vote_records: Vec::new(),
    };
    // The records' canonical texts, the rest of the file around them: the
    // same bytes as the whole file as one `Value`, at a fraction of the memory.
    let value = serde_json::to_value(&merged).map_err(|e| refuse(format!("combined file: {e}")))?;
    let mut members = Members::of(&value)?;
    let list = canonical_list(places.iter().map(|(input, span)| &texts[*input][span.clone()]));
    drop(texts);
    members.set("cast_vote_records", list);
    Ok(members.text_without(&[]))
}
