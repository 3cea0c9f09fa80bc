//! Merging stations (`votekiosk-merge/2`, design §7), and verifying a merge.
//!
//! `merge` verifies every input against the office's trusted-keys file
//! (a station's key must be trusted under its own station id), and
//! refuses test files and demo elections, another definition hash, a
//! station id or key seen twice, and a record id or receipt seen twice
//! (across levels too: a merge's inputs name its stations). It sums the
//! counts with checked arithmetic, recounts every contest from the union
//! of records (instant runoff cannot be summed), and signs with the
//! office signing key. Redone from the same inputs with the same
//! `merged_at`, it gives the same bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;
use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use serde_json::Value;
use sha2::{Digest, Sha256, Sha512};

use super::build::{receipt_lines, result_of, signed_file, to_value};
use super::format::{
    MergeCards, MergeHeader, MergeInput, SectionDigest, Software, COUNTED_BY_OFFICE, MERGE_FORMAT,
};
use super::lines::{self, Lines};
use super::verify::{
    check_counts, check_merge_cards, check_result_identity, check_signature, check_software, compare_tally,
    definition_anchored, end_of_file, is_hex, is_stamp, line_failure, next, read_sections,
    signature_and_definition, verify_path, Anchor, Options, Report, Sink, Stop, TrustedStations,
};
use crate::ballot::Ballot;
use crate::definition::ElectionDefinition;
use crate::error::{Error, Result};
use crate::turnout::Turnout;

fn refuse(msg: String) -> Error {
    Error::MergeRefused(msg)
}

/// What a merge needs beyond its inputs.
pub struct MergeSettings<'a> {
    pub trusted: &'a dyn TrustedStations,
    /// The office signing key (its public key must be the definition's).
    pub signing: &'a SigningKey,
    pub merged_at: String,
    pub software: Software,
}

/// Everything a verified input gave.
#[derive(Default)]
struct Gathered {
    receipts: Vec<String>,
    /// (record id, its line with LF, its ballot)
    records: Vec<(String, Vec<u8>, Ballot)>,
    /// The stations a merge input names.
    stations: Vec<(String, String)>,
}

impl Sink for Gathered {
    fn receipt(&mut self, id: &str) {
        self.receipts.push(id.to_string());
    }
    fn record(&mut self, line: &[u8], id: &str, ballot: &Ballot) {
        let mut l = line.to_vec();
        l.push(b'\n');
        self.records.push((id.to_string(), l, ballot.clone()));
    }
    fn input(&mut self, input: &MergeInput) {
        if let Some(station) = &input.station_id {
            self.stations.push((station.clone(), input.public_key.clone()));
        }
    }
}

/// Merges verified inputs (files on disk) into signed bytes;
/// `progress(done, total, name)` after each input is verified.
pub fn merge(
    inputs: &[PathBuf],
    settings: &MergeSettings<'_>,
    progress: &mut dyn FnMut(usize, usize, &str),
) -> Result<Vec<u8>> {
    if inputs.is_empty() {
        return Err(refuse("give at least one result file".into()));
    }
    let options = Options {
        anchor: Anchor::Trusted(settings.trusted),
        definition_hash: Some(settings.trusted.definition_hash()),
        ..Options::default()
    };
    let mut input_lines: Vec<MergeInput> = Vec::new();
    let mut stations = BTreeSet::new();
    let mut keys = BTreeSet::new();
    let (mut receipts, mut records) = (Vec::new(), Vec::new());
    let mut counts = Turnout::default();
    let mut cards: Option<MergeCards> = None;
    let mut definition: Option<ElectionDefinition> = None;
    for (i, path) in inputs.iter().enumerate() {
        let name = path.display().to_string();
        let bytes = super::read_file(path)?;
        let mut got = Gathered::default();
        let report = super::verify::verify_bytes(&bytes, &options, &mut got);
        if report.legacy {
            return Err(refuse(format!(
                "{name} is a legacy {} file: merge reads v2 files only",
                report.format
            )));
        }
        if !report.passed() {
            let why: Vec<String> = report
                .failures
                .iter()
                .map(|f| format!("[{}] {f}", f.name))
                .collect();
            return Err(refuse(format!("{name} fails verification: {}", why.join("; "))));
        }
        if report.test {
            return Err(refuse(format!("{name} is a test export, not an official result")));
        }
        if report.demo {
            return Err(refuse(format!(
                "{name} is from the demo election, which is no real election"
            )));
        }
        let station = report.station_id.clone();
        let signer = report.public_key.clone().unwrap_or_default();
        // Every station once, by id and by key, at every level.
        let mut named: Vec<(String, String)> = got.stations.clone();
        if let Some(id) = &station {
            named.push((id.clone(), signer.clone()));
        }
        for (id, key) in named {
            if !stations.insert(id.clone()) || !keys.insert(key.clone()) {
                return Err(refuse(format!(
                    "{name}: station {id} (or its key) is already included"
                )));
            }
        }
        counts = counts
            .checked_add(report.counts.unwrap_or_default())
            .ok_or_else(|| refuse("the counts add up to more than a 64-bit number holds".into()))?;
        cards = Some(add_cards(cards, report.cards.clone().unwrap_or_default())?);
        if definition.is_none() {
            definition = Some(definition_of(&bytes)?);
        }
        input_lines.push(MergeInput {
            kind: if station.is_some() { "station" } else { "merge" }.into(),
            station_id: station,
            public_key: signer,
            counted_by: report
                .counted_by
                .clone()
                .unwrap_or_else(|| COUNTED_BY_OFFICE.into()),
            sha256: hex::encode(Sha256::digest(&bytes)),
            ballots: report.ballots,
        });
        receipts.append(&mut got.receipts);
        records.append(&mut got.records);
        progress(i + 1, inputs.len(), &name);
    }
    let definition = definition.ok_or_else(|| refuse("no input".into()))?;
    input_lines.sort_by(|a, b| a.sha256.cmp(&b.sha256));
    if let Some(w) = input_lines.windows(2).find(|w| w[0].sha256 == w[1].sha256) {
        return Err(refuse(format!(
            "the same file is given twice (sha256 {})",
            w[0].sha256
        )));
    }
    receipts.sort_unstable();
    if let Some(w) = receipts.windows(2).find(|w| w[0] == w[1]) {
        return Err(refuse(format!("receipt {} appears in two inputs", w[0])));
    }
    records.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    if let Some(w) = records.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(refuse(format!("record {} appears in two inputs", w[0].0)));
    }
    let mut input_bytes = Vec::new();
    for input in &input_lines {
        input_bytes.extend_from_slice(&lines::line(&to_value(input)?));
    }
    let inputs_digest = SectionDigest {
        count: input_lines.len() as u64,
        sha512: hex::encode(Sha512::digest(&input_bytes)),
    };
    let mut record_bytes = Vec::new();
    let mut ballots = Vec::with_capacity(records.len());
    for (_, line, ballot) in records {
        record_bytes.extend_from_slice(&line);
        ballots.push(ballot);
    }
    let records_digest = SectionDigest {
        count: ballots.len() as u64,
        sha512: hex::encode(Sha512::digest(&record_bytes)),
    };
    let result = result_of(&definition, "", false, counts, &ballots);
    drop(ballots);
    let (receipt_bytes, receipts_digest) = receipt_lines(&receipts);
    let header = MergeHeader {
        format: MERGE_FORMAT.into(),
        definition_hash: definition.hash().to_hex(),
        demo: false,
        inputs: inputs_digest,
        counts,
        cards: cards.unwrap_or_default(),
        result,
        receipts: receipts_digest,
        records: records_digest,
        merged_at: settings.merged_at.clone(),
        software: settings.software.clone(),
    };
    if settings.signing.verifying_key().to_bytes() != super::office_signing_key(&definition) {
        return Err(Error::WrongOfficeKey(
            "the signing key is not the office signing key of this election's definition".into(),
        ));
    }
    Ok(signed_file(
        &to_value(&header)?,
        settings.signing,
        &definition,
        &[&input_bytes, &receipt_bytes, &record_bytes],
    ))
}

/// The definition line of a verified v2 file.
fn definition_of(bytes: &[u8]) -> Result<ElectionDefinition> {
    let line = bytes
        .split(|&b| b == b'\n')
        .nth(2)
        .ok_or_else(|| refuse("an input has no definition line".into()))?;
    ElectionDefinition::parse(line).map_err(|e| refuse(format!("definition: {e}")))
}

/// Sums cards: counts add (checked); a hand count only when every input
/// has one; the boxes of every input, each tagged with its station,
/// sorted by station and box.
fn add_cards(sum: Option<MergeCards>, c: MergeCards) -> Result<MergeCards> {
    let Some(s) = sum else {
        return Ok(c);
    };
    let overflow = || refuse("the card counts add up to more than a 64-bit number holds".into());
    let add = |a: u64, b: u64| a.checked_add(b).ok_or_else(overflow);
    let hand_count = match (s.hand_count, c.hand_count) {
        (Some(a), Some(b)) => Some(add(a, b)?),
        _ => None,
    };
    let cast = add(s.cast, c.cast)?;
    let hand_count_difference = match hand_count {
        Some(h) => Some(
            i64::try_from(h)
                .ok()
                .zip(i64::try_from(cast).ok())
                .and_then(|(h, c)| h.checked_sub(c))
                .ok_or_else(overflow)?,
        ),
        None => None,
    };
    let mut boxes = s.boxes;
    boxes.extend(c.boxes);
    boxes.sort();
    Ok(MergeCards {
        enabled: s.enabled || c.enabled,
        printed: add(s.printed, c.printed)?,
        cast,
        spoiled: add(s.spoiled, c.spoiled)?,
        abandoned: add(s.abandoned, c.abandoned)?,
        hand_count,
        hand_count_difference,
        boxes,
    })
}

/// Verifies a merge after its header line: the office signature, the
/// inputs section (digest, order, sum of ballots), then as a result.
pub(crate) fn verify_merge<R: BufRead>(
    lines: &mut Lines<R>,
    header_bytes: &[u8],
    header: &MergeHeader,
    options: &Options<'_>,
    sink: &mut dyn Sink,
    report: &mut Report,
) -> std::result::Result<(), Stop> {
    report.counted_by = Some(COUNTED_BY_OFFICE.into());
    report.counts = Some(header.counts);
    report.cards = Some(header.cards.clone());
    let (signature, definition) =
        signature_and_definition(lines, &header.definition_hash, header.demo, options, report)?;
    let office = super::office_signing_key(&definition);
    check_signature(header_bytes, &signature, &office, report)?;
    let pinned = matches!(options.anchor, Anchor::PublicKey(pk) if pk == office);
    if !pinned && !definition_anchored(&header.definition_hash, options) {
        report.fail(
            "untrusted_key",
            match options.anchor {
                Anchor::None => "no trust anchor: pin the election (--definition-hash), the office key (--public-key) or give --trusted-keys",
                _ => "the merge's office key is not the pinned key, and its election is not the pinned one",
            },
        );
    }
    if header.demo {
        report.fail("definition", "a merge of the demo election");
    }
    if !is_stamp(&header.merged_at) {
        report.fail("stamps", "merged_at is not a stamp");
    }
    check_result_identity(
        &header.result,
        &header.definition_hash,
        "",
        "closed",
        false,
        &header.counts,
        report,
    );
    check_counts(
        &header.counts,
        header.records.count,
        header.receipts.count,
        report,
    );
    check_merge_cards(&header.cards, header.counts.ballots, report);
    check_software(&header.software, options, report);
    // The inputs section.
    let mut digest = Sha512::new();
    let mut previous: Option<String> = None;
    let mut sum: Option<u64> = Some(0);
    let mut inputs = Vec::new();
    for _ in 0..header.inputs.count {
        let no = lines.number + 1;
        let bytes = next(lines, report, "the last input")?.to_vec();
        digest.update(&bytes);
        digest.update(b"\n");
        let value: Value = lines::parse_line(&bytes, no).map_err(|e| line_failure(report, e))?;
        let input: MergeInput = match serde_json::from_value(value) {
            Ok(i) => i,
            Err(e) => {
                report.fail("inputs", format!("line {no}: {e}"));
                continue;
            }
        };
        let well_formed = is_hex(&input.sha256, 64)
            && is_hex(&input.public_key, 64)
            && matches!(
                (input.kind.as_str(), &input.station_id),
                ("station", Some(_)) | ("merge", None)
            );
        if !well_formed
            || to_value(&input).map(|v| lines::line(&v)).ok().as_deref()
                != Some(&[&bytes[..], b"\n"].concat()[..])
        {
            report.fail("inputs", format!("line {no}: not a well-formed input"));
        }
        if previous.as_ref().is_some_and(|p| p >= &input.sha256) {
            report.fail(
                "inputs",
                format!("line {no}: inputs are not sorted by sha256, or one repeats"),
            );
        }
        sum = sum.and_then(|s| s.checked_add(input.ballots));
        sink.input(&input);
        previous = Some(input.sha256.clone());
        inputs.push(input);
    }
    if hex::encode(digest.finalize()) != header.inputs.sha512 {
        report.fail("inputs", "the inputs' SHA-512 does not match the header");
    }
    if sum != Some(header.counts.ballots) {
        report.fail("counts", "the inputs' ballots do not add up to the merge's");
    }
    let tally = read_sections(
        lines,
        &definition,
        header.receipts.count,
        &header.receipts.merkle_root,
        &header.records,
        sink,
        report,
    )?;
    compare_tally(&definition, &header.result, tally, report);
    end_of_file(lines, report);
    if let Some(dir) = options.inputs {
        check_inputs(dir, &inputs, options, report);
    }
    Ok(())
}

/// `--inputs DIR`: each input found by its SHA-256 and verified again.
fn check_inputs(dir: &Path, inputs: &[MergeInput], options: &Options<'_>, report: &mut Report) {
    let mut by_hash: BTreeMap<String, PathBuf> = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_file() {
                if let Ok(bytes) = super::read_file(&path) {
                    by_hash.insert(hex::encode(Sha256::digest(&bytes)), path);
                }
            }
        }
    }
    for input in inputs {
        let label = input.station_id.clone().unwrap_or_else(|| "a merge".into());
        let Some(path) = by_hash.get(&input.sha256) else {
            report.fail(
                "inputs",
                format!(
                    "input {label} (sha256 {}) is not in {}",
                    input.sha256,
                    dir.display()
                ),
            );
            continue;
        };
        let inner = Options {
            attachments: None,
            ..*options
        };
        match verify_path(path, &inner, &mut super::verify::Discard) {
            Ok(r)
                if r.passed()
                    && r.station_id == input.station_id
                    && r.public_key.as_deref() == Some(input.public_key.as_str())
                    && r.ballots == input.ballots => {}
            Ok(r) => {
                let why: Vec<String> = r.failures.iter().map(|f| format!("[{}] {f}", f.name)).collect();
                report.fail(
                    "inputs",
                    format!(
                        "input {} does not verify as listed: {}",
                        path.display(),
                        why.join("; ")
                    ),
                );
            }
            Err(e) => report.fail("inputs", format!("input {}: {e}", path.display())),
        }
    }
}
