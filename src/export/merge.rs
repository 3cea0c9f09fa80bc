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

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use ed25519_dalek::SigningKey;
use serde_json::Value;
use sha2::{Digest, Sha256, Sha512};
use tempfile::NamedTempFile;

use super::build::{signed_file, to_value};
use super::format::{
    MergeCards, MergeHeader, MergeInput, ReceiptsDigest, SectionDigest, Software, COUNTED_BY_OFFICE,
    MERGE_FORMAT,
};
use super::lines::{self, Lines};
use super::merkle;
use super::verify::{
    check_counts, check_merge_cards, check_result_identity, check_signature, check_software,
    definition_anchored, is_hex, is_stamp, line_failure, next, signature_and_definition, verify_path, Anchor,
    Body, Options, Report, Stop, Stream, Then, TrustedStations,
};
use crate::definition::ElectionDefinition;
use crate::error::{Error, Result};
use crate::receipt::GROUPED_LEN;
use crate::tabulate::{ElectionResult, WeightedBallots};
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

/// At most this many files one thread holds open while it merges (its
/// inputs, or the runs of a level below, plus two runs it writes): two
/// threads stay under a 256 open-file limit with room to spare.
pub const FAN_IN: usize = 50;

/// Each input's reading buffer.
const READ_BUFFER: usize = 64 * 1024;

/// Merges verified inputs (files on disk) into signed bytes in memory
/// (tests and benches; `merge_to` writes a file and holds no section).
pub fn merge(
    inputs: &[PathBuf],
    settings: &MergeSettings<'_>,
    progress: &mut dyn FnMut(usize, usize, &str),
) -> Result<Vec<u8>> {
    let dir = tempfile::tempdir().map_err(|e| Error::io(Path::new("a temporary folder"), e))?;
    let out = dir.path().join("merged.jsonl");
    // The callback need not be `Send`: what the threads report is told after.
    let seen = Mutex::new(Vec::new());
    merge_to(inputs, settings, &out, &|done, all, name| {
        if let Ok(mut s) = seen.lock() {
            s.push((done, all, name.to_string()));
        }
    })?;
    for (done, all, name) in seen.into_inner().unwrap_or_default() {
        progress(done, all, &name);
    }
    super::read_file(&out)
}

/// What `merge_to` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub inputs: usize,
    pub ballots: u64,
    /// Merge levels (1: the inputs were merged straight into the sections).
    pub levels: usize,
}

/// Merges verified inputs into `out` (which must not exist): each input
/// read once, as a stream, verified as it is merged; the sections written
/// to temporary files beside `out` while they are hashed, then the header,
/// signature, definition and sections to a temporary file renamed to `out`
/// at the end. On any error nothing is left: no `out`, no temporary file.
/// `progress(done, total, name)` after each input is read (from any thread).
pub fn merge_to(
    inputs: &[PathBuf],
    settings: &MergeSettings<'_>,
    out: &Path,
    progress: &(dyn Fn(usize, usize, &str) + Sync),
) -> Result<Merged> {
    if inputs.is_empty() {
        return Err(refuse("give at least one result file".into()));
    }
    let options = Options {
        anchor: Anchor::Trusted(settings.trusted),
        definition_hash: Some(settings.trusted.definition_hash()),
        ..Options::default()
    };
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let name = out
        .file_name()
        .ok_or_else(|| Error::InvalidInput(format!("{}: not a file name", out.display())))?
        .to_string_lossy()
        .to_string();
    let temps = Temps {
        dir: &dir,
        prefix: format!(".{name}.merge-"),
    };
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 2);
    // Level 1: groups of inputs, each merged into a sorted run (or, when
    // one group holds them all, straight into the hashed sections).
    let groups = group_count(inputs.len(), threads);
    let single = groups == 1;
    let chunk = inputs.len().div_ceil(groups);
    let indexed: Vec<(usize, &PathBuf)> = inputs.iter().enumerate().collect();
    let jobs: Vec<&[(usize, &PathBuf)]> = indexed.chunks(chunk).collect();
    let cancel = AtomicBool::new(false);
    let done = AtomicUsize::new(0);
    let next_job = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<GroupOut>>>> = Mutex::new((0..jobs.len()).map(|_| None).collect());
    let total: Mutex<Option<WeightedBallots>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..threads.min(jobs.len()) {
            scope.spawn(|| loop {
                let j = next_job.fetch_add(1, Ordering::SeqCst);
                let Some(job) = jobs.get(j) else { break };
                let result = if cancel.load(Ordering::SeqCst) {
                    Err(cancelled())
                } else {
                    merge_inputs(job, &options, &temps, single, &cancel, &|name| {
                        let d = done.fetch_add(1, Ordering::SeqCst) + 1;
                        progress(d, inputs.len(), name);
                    })
                };
                if result.is_err() {
                    cancel.store(true, Ordering::SeqCst);
                }
                // The group's tally joins the running sum now, so finished
                // groups hold no tally while the others are read.
                let mut result = result;
                if let Ok(group) = &mut result {
                    if let (Some(t), Ok(mut sum)) = (group.tally.take(), total.lock()) {
                        match &mut *sum {
                            Some(sum) => sum.absorb(t),
                            none => *none = Some(t),
                        }
                    }
                }
                if let Ok(mut r) = results.lock() {
                    r[j] = Some(result);
                }
            });
        }
    });
    let results = results
        .into_inner()
        .map_err(|_| refuse("a merge thread failed".into()))?;
    let mut verified: Vec<Option<Verified>> = (0..inputs.len()).map(|_| None).collect();
    let mut runs = Vec::new();
    let mut duplicates: Vec<String> = Vec::new();
    let mut first_error: Option<Error> = None;
    let tally = total
        .into_inner()
        .map_err(|_| refuse("a merge thread failed".into()))?;
    for result in results {
        match result {
            Some(Ok(group)) => {
                for v in group.verified {
                    let i = v.index;
                    verified[i] = Some(v);
                }
                duplicates.extend(group.duplicate);
                runs.push(group.run);
            }
            Some(Err(e)) if first_error.is_none() && !is_cancelled(&e) => first_error = Some(e),
            _ => {}
        }
    }
    // The inputs' own verdicts first, in the order given (as each input
    // was refused when they were merged one by one).
    let mut input_lines: Vec<MergeInput> = Vec::new();
    let mut stations = BTreeSet::new();
    let mut keys = BTreeSet::new();
    let mut counts = Turnout::default();
    let mut cards: Option<MergeCards> = None;
    let mut definition: Option<ElectionDefinition> = None;
    for v in verified.iter_mut() {
        let Some(v) = v else { continue };
        let name = &v.name;
        let report = &v.report;
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
        let mut named: Vec<(String, String)> = v
            .inputs
            .iter()
            .filter_map(|i| Some((i.station_id.clone()?, i.public_key.clone())))
            .collect();
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
            definition = v.definition.take();
        }
        input_lines.push(MergeInput {
            kind: if station.is_some() { "station" } else { "merge" }.into(),
            station_id: station,
            public_key: signer,
            counted_by: report
                .counted_by
                .clone()
                .unwrap_or_else(|| COUNTED_BY_OFFICE.into()),
            sha256: v.sha256.clone(),
            ballots: report.ballots,
        });
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    if verified.iter().any(Option::is_none) {
        return Err(refuse("the merge stopped before reading every input".into()));
    }
    let definition = definition.ok_or_else(|| refuse("no input".into()))?;
    input_lines.sort_by(|a, b| a.sha256.cmp(&b.sha256));
    if let Some(w) = input_lines.windows(2).find(|w| w[0].sha256 == w[1].sha256) {
        return Err(refuse(format!(
            "the same file is given twice (sha256 {})",
            w[0].sha256
        )));
    }
    // Level 2 and up: the runs merged (in levels of at most 2 × FAN_IN
    // open runs) into the hashed sections.
    let mut levels = 1;
    let sections = if single {
        runs.pop().ok_or_else(|| refuse("no input".into()))?
    } else {
        let mut runs = runs;
        while runs.len() > 2 * FAN_IN {
            levels += 1;
            let mut next = Vec::new();
            for chunk in runs.chunks(2 * FAN_IN) {
                let (run, dup) = merge_runs(chunk, &temps, false)?;
                duplicates.extend(dup);
                next.push(run);
            }
            runs = next;
        }
        levels += 1;
        let (run, dup) = merge_runs(&runs, &temps, true)?;
        duplicates.extend(dup);
        run
    };
    if let Some(d) = duplicates.into_iter().min_by_key(|d| !d.starts_with("receipt")) {
        return Err(refuse(d));
    }
    let tally = tally.unwrap_or_else(|| WeightedBallots::new(&definition));
    let mut input_bytes = Vec::new();
    for input in &input_lines {
        input_bytes.extend_from_slice(&lines::line(&to_value(input)?));
    }
    let inputs_digest = SectionDigest {
        count: input_lines.len() as u64,
        sha512: hex::encode(Sha512::digest(&input_bytes)),
    };
    let result = ElectionResult::new(
        &definition,
        "",
        "closed",
        false,
        counts,
        tally.tabulate(&definition),
    );
    let header = MergeHeader {
        format: MERGE_FORMAT.into(),
        definition_hash: definition.hash().to_hex(),
        demo: false,
        inputs: inputs_digest,
        counts,
        cards: cards.unwrap_or_default(),
        result,
        receipts: ReceiptsDigest {
            count: sections.receipts.count,
            merkle_root: hex::encode(
                sections
                    .receipts
                    .root
                    .as_ref()
                    .map(|r| r.root())
                    .unwrap_or_default(),
            ),
        },
        records: SectionDigest {
            count: sections.records.count,
            sha512: hex::encode(
                sections
                    .records
                    .sha512
                    .clone()
                    .map(|h| h.finalize().to_vec())
                    .unwrap_or_default(),
            ),
        },
        merged_at: settings.merged_at.clone(),
        software: settings.software.clone(),
    };
    if settings.signing.verifying_key().to_bytes() != super::office_signing_key(&definition) {
        return Err(Error::WrongOfficeKey(
            "the signing key is not the office signing key of this election's definition".into(),
        ));
    }
    let head = signed_file(
        &to_value(&header)?,
        settings.signing,
        &definition,
        &[&input_bytes],
    );
    let mut file = temps.file()?;
    let io = |e: std::io::Error| Error::io(out, e);
    {
        let mut w = BufWriter::with_capacity(1 << 20, file.as_file_mut());
        w.write_all(&head).map_err(io)?;
        for section in [sections.receipts, sections.records] {
            let mut r = section.file.reopen().map_err(io)?;
            std::io::copy(&mut r, &mut w).map_err(io)?;
        }
        w.flush().map_err(io)?;
    }
    file.as_file().sync_all().map_err(io)?;
    file.persist_noclobber(out).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            Error::FileExists(out.display().to_string())
        } else {
            Error::InvalidInput(format!("cannot write {}: {}", out.display(), e.error))
        }
    })?;
    Ok(Merged {
        inputs: inputs.len(),
        ballots: counts.ballots,
        levels,
    })
}

/// How many level-1 groups: one when few inputs fit one thread's share of
/// open files, else enough for `FAN_IN` inputs each and one per thread.
fn group_count(inputs: usize, threads: usize) -> usize {
    if inputs <= FAN_IN && (threads == 1 || inputs < 8) {
        1
    } else {
        inputs.div_ceil(FAN_IN).max(threads).min(inputs)
    }
}

fn cancelled() -> Error {
    Error::MergeRefused("cancelled".into())
}

fn is_cancelled(e: &Error) -> bool {
    matches!(e, Error::MergeRefused(m) if m == "cancelled")
}

/// Where temporary files go: beside the output, hidden, removed when
/// dropped (every error path included).
struct Temps<'a> {
    dir: &'a Path,
    prefix: String,
}

impl Temps<'_> {
    fn file(&self) -> Result<NamedTempFile> {
        tempfile::Builder::new()
            .prefix(&self.prefix)
            .suffix(".tmp")
            .tempfile_in(self.dir)
            .map_err(|e| Error::io(self.dir, e))
    }
}

/// One sorted section in a temporary file; the final ones hashed as written.
struct Section {
    file: NamedTempFile,
    count: u64,
    /// The receipts' Merkle root (final receipts only).
    root: Option<merkle::RootBuilder>,
    /// The records' SHA-512 (final records only).
    sha512: Option<Sha512>,
}

/// A sorted run: receipts and records.
struct Run {
    receipts: Section,
    records: Section,
}

/// Writes lines into a section, hashing when it is final.
struct SectionWriter {
    out: BufWriter<NamedTempFile>,
    count: u64,
    root: Option<merkle::RootBuilder>,
    sha512: Option<Sha512>,
    path: PathBuf,
}

impl SectionWriter {
    fn new(file: NamedTempFile, receipts: bool, hashed: bool) -> Self {
        SectionWriter {
            path: file.path().to_path_buf(),
            out: BufWriter::with_capacity(1 << 20, file),
            count: 0,
            root: (hashed && receipts).then(merkle::RootBuilder::default),
            sha512: (hashed && !receipts).then(Sha512::new),
        }
    }

    /// A line without its LF.
    fn line(&mut self, line: &[u8]) -> Result<()> {
        let io = |e| Error::io(&self.path, e);
        self.out.write_all(line).map_err(io)?;
        self.out.write_all(b"\n").map_err(io)?;
        if let Some(h) = &mut self.sha512 {
            h.update(line);
            h.update(b"\n");
        }
        if let Some(root) = &mut self.root {
            // A receipt line is its id in quotes.
            let id = std::str::from_utf8(&line[1..line.len() - 1]).unwrap_or_default();
            root.push(id);
        }
        self.count += 1;
        Ok(())
    }

    fn finish(self) -> Result<Section> {
        let path = self.path;
        let file = self
            .out
            .into_inner()
            .map_err(|e| Error::io(&path, e.into_error()))?;
        Ok(Section {
            file,
            count: self.count,
            root: self.root,
            sha512: self.sha512,
        })
    }
}

/// The SHA-256 of every byte read through it.
struct HashRead<R> {
    inner: R,
    hash: Sha256,
}

impl<R: Read> Read for HashRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

/// What one input gave.
struct Verified {
    index: usize,
    name: String,
    report: Report,
    sha256: String,
    definition: Option<ElectionDefinition>,
    inputs: Vec<MergeInput>,
}

/// What a level-1 group gave.
struct GroupOut {
    verified: Vec<Verified>,
    /// The group's inputs' tallies, summed as each input ended: an
    /// input's tally (up to every distinct ranking it holds) is not kept
    /// past its own end, so memory holds the open inputs' tallies and one
    /// sum per group, not one per input of the whole merge.
    tally: Option<WeightedBallots>,
    run: Run,
    duplicate: Option<String>,
}

type Input<'o> = Stream<'o, BufReader<HashRead<File>>>;

/// The key of a record line: its id (`{"id":"<32 hex>",…`, canonical).
fn record_key(line: &[u8]) -> [u8; 32] {
    let mut key = [0u8; 32];
    if let Some(id) = line.get(7..39) {
        key.copy_from_slice(id);
    }
    key
}

/// Level 1: verifies a group of inputs while merging them, each read once:
/// every input's receipts merged in order into one sorted run, then its
/// records; then each input finished (digests, recount, end of file).
fn merge_inputs(
    group: &[(usize, &PathBuf)],
    options: &Options<'_>,
    temps: &Temps<'_>,
    hashed: bool,
    cancel: &AtomicBool,
    progress: &dyn Fn(&str),
) -> Result<GroupOut> {
    let mut streams: Vec<(usize, String, Input<'_>)> = Vec::with_capacity(group.len());
    let mut verified = Vec::with_capacity(group.len());
    for &(index, path) in group {
        let name = path.display().to_string();
        super::check_readable(path)?;
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let mut reader = BufReader::with_capacity(
            READ_BUFFER,
            HashRead {
                inner: file,
                hash: Sha256::new(),
            },
        );
        if super::legacy::looks_legacy(&mut reader).map_err(|e| Error::io(path, e))? {
            cancel.store(true, Ordering::SeqCst);
            return Err(refuse(format!(
                "{name} is a legacy {} file: merge reads v2 files only",
                legacy_format(&mut reader)
            )));
        }
        let stream = Stream::new(reader, *options).without_ballots();
        if stream.definition().is_none() {
            // Stopped before its sections (signature, header): refused now.
            let done = stream.finish();
            cancel.store(true, Ordering::SeqCst);
            let why: Vec<String> = done
                .report
                .failures
                .iter()
                .map(|f| format!("[{}] {f}", f.name))
                .collect();
            return Err(refuse(format!("{name} fails verification: {}", why.join("; "))));
        }
        streams.push((index, name, stream));
    }
    let receipts_file = temps.file()?;
    let records_file = temps.file()?;
    let mut duplicate: Option<String> = None;
    // Receipts.
    let mut w = SectionWriter::new(receipts_file, true, hashed);
    // A receipt the stream yields is in its grouped form: GROUPED_LEN bytes.
    let key = |id: &str| -> [u8; GROUPED_LEN] {
        id.as_bytes()
            .try_into()
            .expect("a receipt id in its grouped form")
    };
    let mut heap: BinaryHeap<Reverse<([u8; GROUPED_LEN], usize)>> = BinaryHeap::new();
    for (i, (_, _, s)) in streams.iter_mut().enumerate() {
        if let Some(id) = s.next_receipt() {
            heap.push(Reverse((key(id), i)));
        }
    }
    let mut last: Option<[u8; GROUPED_LEN]> = None;
    let mut line = Vec::with_capacity(24);
    let mut steps = 0u32;
    while let Some(Reverse((id, i))) = heap.pop() {
        if last == Some(id) {
            duplicate.get_or_insert_with(|| {
                format!("receipt {} appears in two inputs", String::from_utf8_lossy(&id))
            });
        } else {
            line.clear();
            line.push(b'"');
            line.extend_from_slice(&id);
            line.push(b'"');
            w.line(&line)?;
        }
        if let Some(next) = streams[i].2.next_receipt() {
            heap.push(Reverse((key(next), i)));
        }
        last = Some(id);
        steps = steps.wrapping_add(1);
        if steps.is_multiple_of(4096) && cancel.load(Ordering::Relaxed) {
            return Err(cancelled());
        }
    }
    let receipts = w.finish()?;
    // Records: each input's head line kept until it is written.
    let mut w = SectionWriter::new(records_file, false, hashed);
    let mut heads: Vec<Vec<u8>> = vec![Vec::new(); streams.len()];
    let mut heap: BinaryHeap<Reverse<([u8; 32], usize)>> = BinaryHeap::new();
    for (i, (_, _, s)) in streams.iter_mut().enumerate() {
        if s.next_record() {
            heads[i].extend_from_slice(s.record_line());
            heap.push(Reverse((record_key(&heads[i]), i)));
        }
    }
    let mut last: Option<[u8; 32]> = None;
    while let Some(Reverse((key, i))) = heap.pop() {
        if last == Some(key) {
            duplicate.get_or_insert_with(|| {
                format!("record {} appears in two inputs", String::from_utf8_lossy(&key))
            });
        } else {
            w.line(&heads[i])?;
        }
        last = Some(key);
        let s = &mut streams[i].2;
        if s.next_record() {
            heads[i].clear();
            heads[i].extend_from_slice(s.record_line());
            heap.push(Reverse((record_key(&heads[i]), i)));
        }
        steps = steps.wrapping_add(1);
        if steps.is_multiple_of(4096) && cancel.load(Ordering::Relaxed) {
            return Err(cancelled());
        }
    }
    let records = w.finish()?;
    let mut tally: Option<WeightedBallots> = None;
    for (index, name, stream) in streams {
        let mut done = stream.finish();
        match (&mut tally, done.tally.take()) {
            (Some(sum), Some(t)) => sum.absorb(t),
            (sum @ None, t) => *sum = t,
            _ => {}
        }
        // One definition is enough (every input was checked against the
        // trusted definition hash).
        let definition = if verified.is_empty() {
            done.definition.take()
        } else {
            None
        };
        let sha256 = hex::encode(done.reader.into_inner().hash.finalize());
        progress(&name);
        if !done.report.passed() {
            cancel.store(true, Ordering::SeqCst);
        }
        verified.push(Verified {
            index,
            name,
            report: done.report,
            sha256,
            definition,
            inputs: done.inputs,
        });
    }
    Ok(GroupOut {
        verified,
        tally,
        run: Run { receipts, records },
        duplicate,
    })
}

/// The format a legacy file names (for the refusal's words).
fn legacy_format(reader: &mut impl BufRead) -> String {
    let head = reader.fill_buf().map(|b| b.to_vec()).unwrap_or_default();
    let text = String::from_utf8_lossy(&head[..head.len().min(1 << 16)]).to_string();
    text.split("\"format\":\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .unwrap_or("v1")
        .to_string()
}

/// Merges sorted runs (our own temporary files, already verified) into
/// one: a receipt or record seen in two runs is reported, not written.
fn merge_runs(runs: &[Run], temps: &Temps<'_>, hashed: bool) -> Result<(Run, Option<String>)> {
    let mut duplicate = None;
    let receipts_file = temps.file()?;
    let mut w = SectionWriter::new(receipts_file, true, hashed);
    merge_sorted(
        runs.iter().map(|r| &r.receipts),
        &mut w,
        |line: &[u8]| {
            let mut key = [0u8; 32];
            let n = line.len().min(32);
            key[..n].copy_from_slice(&line[..n]);
            key
        },
        |key| {
            let id = String::from_utf8_lossy(key).trim_end_matches('\0').to_string();
            format!("receipt {} appears in two inputs", id.trim_matches('"'))
        },
        &mut duplicate,
    )?;
    let receipts = w.finish()?;
    let records_file = temps.file()?;
    let mut w = SectionWriter::new(records_file, false, hashed);
    merge_sorted(
        runs.iter().map(|r| &r.records),
        &mut w,
        record_key,
        |key| format!("record {} appears in two inputs", String::from_utf8_lossy(key)),
        &mut duplicate,
    )?;
    let records = w.finish()?;
    Ok((Run { receipts, records }, duplicate))
}

/// A k-way merge of sorted line files by `key`.
fn merge_sorted<'s>(
    sections: impl Iterator<Item = &'s Section>,
    w: &mut SectionWriter,
    key: impl Fn(&[u8]) -> [u8; 32],
    duplicate_words: impl Fn(&[u8; 32]) -> String,
    duplicate: &mut Option<String>,
) -> Result<()> {
    let mut readers = Vec::new();
    for s in sections {
        let file = s.file.reopen().map_err(|e| Error::io(s.file.path(), e))?;
        readers.push((
            BufReader::with_capacity(READ_BUFFER, file),
            s.file.path().to_path_buf(),
        ));
    }
    let mut heads: Vec<Vec<u8>> = vec![Vec::new(); readers.len()];
    let read = |r: &mut (BufReader<File>, PathBuf), buf: &mut Vec<u8>| -> Result<bool> {
        buf.clear();
        let n = r.0.read_until(b'\n', buf).map_err(|e| Error::io(&r.1, e))?;
        if n > 0 && buf.last() == Some(&b'\n') {
            buf.pop();
        }
        Ok(n > 0)
    };
    let mut heap: BinaryHeap<Reverse<([u8; 32], usize)>> = BinaryHeap::new();
    for (i, r) in readers.iter_mut().enumerate() {
        if read(r, &mut heads[i])? {
            heap.push(Reverse((key(&heads[i]), i)));
        }
    }
    let mut last: Option<[u8; 32]> = None;
    while let Some(Reverse((k, i))) = heap.pop() {
        if last == Some(k) {
            duplicate.get_or_insert_with(|| duplicate_words(&k));
        } else {
            w.line(&heads[i])?;
        }
        last = Some(k);
        if read(&mut readers[i], &mut heads[i])? {
            heap.push(Reverse((key(&heads[i]), i)));
        }
    }
    Ok(())
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

/// Opens a merge after its header line: the office signature, the
/// inputs section (digest, order, sum of ballots); its sections are then
/// streamed as a result's (`Stream`).
pub(crate) fn open_merge<R: BufRead>(
    lines: &mut Lines<R>,
    header_bytes: &[u8],
    header: &MergeHeader,
    options: &Options<'_>,
    report: &mut Report,
) -> std::result::Result<Body, Stop> {
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
        previous = Some(input.sha256.clone());
        inputs.push(input);
    }
    if hex::encode(digest.finalize()) != header.inputs.sha512 {
        report.fail("inputs", "the inputs' SHA-512 does not match the header");
    }
    if sum != Some(header.counts.ballots) {
        report.fail("counts", "the inputs' ballots do not add up to the merge's");
    }
    Ok(Body {
        definition,
        receipts: header.receipts.count,
        merkle_root: header.receipts.merkle_root.clone(),
        records: header.records.clone(),
        result: header.result.clone(),
        then: Then::Inputs(inputs),
    })
}

/// `--inputs DIR`: each input found by its SHA-256 and verified again.
pub(crate) fn check_inputs(dir: &Path, inputs: &[MergeInput], options: &Options<'_>, report: &mut Report) {
    let mut by_hash: BTreeMap<String, PathBuf> = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_file() {
                if let Ok(sha256) = sha256_of(&path) {
                    by_hash.insert(sha256, path);
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

/// A file's SHA-256, read as a stream.
fn sha256_of(path: &Path) -> std::io::Result<String> {
    let mut reader = HashRead {
        inner: File::open(path)?,
        hash: Sha256::new(),
    };
    std::io::copy(&mut reader, &mut std::io::sink())?;
    Ok(hex::encode(reader.hash.finalize()))
}
