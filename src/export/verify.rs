//! The public verifier of v2 files (`votekiosk-result/2`,
//! `votekiosk-merge/2`; design §5.2 and §7): one pass over the file
//! through a `BufRead`, canonical bytes only, every failure by a stable
//! name, and a trust anchor required (no anchor, no PASS).
//!
//! It reads the header and the signature first and stops if the
//! signature does not hold, then streams each section once: receipts
//! (order, count, Merkle root), records (order, validity, normal form,
//! SHA-512), counting each contest as it goes (per contest, each distinct
//! choice list once with how many ballots hold it). It never calls the
//! builder (`build.rs`), so it does not share its bugs. A `Sink` sees every
//! receipt and record that passed, for `merge` and `receipt verify`.

use std::collections::BTreeSet;
use std::fmt;
use std::io::{BufRead, Read};
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256, Sha512};

use super::format::{
    Attachment, Cards, MergeCards, MergeHeader, MergeInput, Record, ResultHeader, SealedHeader,
    SectionDigest, Software, ATTACHMENT_SEALED, COUNTED_BY_OFFICE, COUNTED_BY_STATION, MERGE_FORMAT,
    RESULT_FORMAT, SEALED_FORMAT,
};
use super::in_place;
use super::lines::{self, LineError, Lines};
use super::{build, merkle};
use crate::ballot::Ballot;
use crate::definition::ElectionDefinition;
use crate::receipt::ReceiptId;
use crate::tabulate::{ContestResult, ElectionResult, WeightedBallots};
use crate::turnout::Turnout;

/// At most this many failures of one kind are listed (then a count).
const MAX_LISTED: usize = 20;

/// One thing wrong with a file, by its stable name (`name()`), with words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub name: &'static str,
    pub message: String,
}

impl Failure {
    pub fn new(name: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            name,
            message: message.into(),
        }
    }
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Every failure name the verifier uses, in the order of its steps.
pub const FAILURE_NAMES: &[&str] = &[
    "too_large",
    "not_canonical",
    "malformed",
    "unknown_format",
    "definition",
    "signature",
    "untrusted_key",
    "mode",
    "stamps",
    "counts",
    "cards",
    "software_hash",
    "inputs",
    "receipts",
    "merkle_root",
    "cvr_order",
    "cvr",
    "records_digest",
    "tally",
    "line_count",
    "attachment",
];

/// The station keys an office trusts (the keys slice's trusted-keys file
/// implements it): a verifier accepts a station's signature only under
/// the same station id.
pub trait TrustedStations: Sync {
    /// The definition hash the file is bound to.
    fn definition_hash(&self) -> [u8; 32];
    /// The signing key trusted for `station_id`.
    fn station_key(&self, station_id: &str) -> Option<[u8; 32]>;
}

impl TrustedStations for crate::keys::TrustedKeys {
    fn definition_hash(&self) -> [u8; 32] {
        self.definition_hash
    }
    fn station_key(&self, station_id: &str) -> Option<[u8; 32]> {
        self.station(station_id).map(|s| s.public_key)
    }
}

/// The definition a v2 file carries (its third line), read without
/// verifying anything else: to find the office key a trusted-keys file
/// must be signed by. Legacy v1 files have none to offer.
pub fn definition_of_file(path: &Path) -> crate::error::Result<ElectionDefinition> {
    let file = std::fs::File::open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            crate::error::Error::FileNotFound(path.display().to_string())
        } else {
            crate::error::Error::io(path, e)
        }
    })?;
    let mut lines = Lines::new(std::io::BufReader::new(file));
    let bad = |why: String| crate::error::Error::InvalidInput(format!("{}: {why}", path.display()));
    for n in 1..=3 {
        match lines.next_line() {
            Ok(Some(line)) if n == 3 => {
                return ElectionDefinition::parse(line).map_err(|e| bad(format!("its definition: {e}")));
            }
            Ok(Some(_)) => {}
            Ok(None) => return Err(bad("not a v2 result or merged file (fewer than 3 lines)".into())),
            Err(_) => {
                return Err(bad(
                    "not a v2 result or merged file (a v1 file verifies only with --public-key)".into(),
                ))
            }
        }
    }
    Err(bad("no definition line".into()))
}

/// What a verdict rests on.
#[derive(Clone, Copy, Default)]
pub enum Anchor<'a> {
    /// Nothing given: every file fails with `untrusted_key`.
    #[default]
    None,
    /// A pinned key: the station's (station-counted results), or the
    /// office signing key (merges).
    PublicKey([u8; 32]),
    /// A trusted-keys file (already checked against the office key).
    Trusted(&'a dyn TrustedStations),
}

/// What to check beyond the file itself.
#[derive(Clone, Copy, Default)]
pub struct Options<'a> {
    pub anchor: Anchor<'a>,
    /// Pins the election.
    pub definition_hash: Option<[u8; 32]>,
    /// Requires `software.binary_sha256`.
    pub software_hash: Option<[u8; 32]>,
    /// Checks the attachments found in this folder.
    pub attachments: Option<&'a Path>,
    /// For a merge: re-verifies every input found in this folder.
    pub inputs: Option<&'a Path>,
}

/// What the verifier found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// `votekiosk-result/2`, `votekiosk-merge/2`, or a legacy v1 format.
    pub format: String,
    /// A legacy `votekiosk-*/1` file (read-only verification).
    pub legacy: bool,
    pub station_id: Option<String>,
    /// The key that signed (64 hex).
    pub public_key: Option<String>,
    pub fingerprint: Option<String>,
    pub definition_hash: Option<String>,
    /// `station` or `office`.
    pub counted_by: Option<String>,
    pub ballots: u64,
    pub test: bool,
    pub demo: bool,
    pub software: Option<Software>,
    pub hand_count_difference: Option<i64>,
    /// The receipts' Merkle root (64 hex).
    pub merkle_root: Option<String>,
    /// The header's counts and cards (for `merge`; a station's boxes
    /// tagged with its id).
    pub counts: Option<Turnout>,
    pub cards: Option<MergeCards>,
    pub failures: Vec<Failure>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.failures.is_empty() && !self.format.is_empty()
    }

    /// Whether a failure of this name was found.
    pub fn failed(&self, name: &str) -> bool {
        self.failures.iter().any(|f| f.name == name)
    }

    pub(crate) fn fail(&mut self, name: &'static str, message: impl Into<String>) {
        let listed = self.failures.iter().filter(|f| f.name == name).count();
        if listed < MAX_LISTED {
            self.failures.push(Failure::new(name, message));
        } else if listed == MAX_LISTED {
            self.failures
                .push(Failure::new(name, "(more failures of this kind not listed)"));
        }
    }
}

/// Sees every receipt and record of a file as the verifier reads it.
pub trait Sink {
    fn receipt(&mut self, _id: &str) {}
    /// A record line (without its LF), its id, and the ballot it holds.
    fn record(&mut self, _line: &[u8], _id: &str, _ballot: &Ballot) {}
    /// Whether `record` reads its ballot: if not, the common record is
    /// read in place and its ballot is not built (`export::in_place`).
    fn wants_ballots(&self) -> bool {
        true
    }
    /// A merge's input line.
    fn input(&mut self, _input: &MergeInput) {}
}

/// A sink that keeps nothing.
pub struct Discard;
impl Sink for Discard {
    fn wants_ballots(&self) -> bool {
        false
    }
}

/// Verifies a file on disk (v2, or a legacy v1 file read-only). A v2 file
/// is read as a stream, one line at a time, so no size bounds it (each
/// line is bounded by `lines::MAX_LINE`, the number of lines by the
/// header's counts): a national merge of 10 M ballots (~2.5 GB) verifies
/// in the memory of one line. Only a legacy v1 file, one JSON document
/// read whole, is refused (`too_large`) over `MAX_EXPORT_BYTES`.
pub fn verify_path(path: &Path, options: &Options<'_>, sink: &mut dyn Sink) -> crate::error::Result<Report> {
    let file = std::fs::File::open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            crate::error::Error::FileNotFound(path.display().to_string())
        } else {
            crate::error::Error::io(path, e)
        }
    })?;
    let size = file
        .metadata()
        .map_err(|e| crate::error::Error::io(path, e))?
        .len();
    let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
    if super::legacy::looks_legacy(&mut reader).map_err(|e| crate::error::Error::io(path, e))? {
        if let Some(failure) = whole_read_refused(size) {
            let mut report = Report::default();
            report.fail("too_large", failure);
            return Ok(report);
        }
        let bytes = super::read_file(path)?;
        return Ok(super::legacy::verify_legacy(&bytes, options, sink));
    }
    Ok(verify_reader(reader, options, sink))
}

/// Why a file of `size` bytes cannot be read whole (a legacy v1 file is
/// one JSON document): over `MAX_EXPORT_BYTES`. Streamed v2 files have
/// no such limit.
pub(crate) fn whole_read_refused(size: u64) -> Option<String> {
    (size > super::MAX_EXPORT_BYTES).then(|| {
        format!(
            "the file is too large to read whole: {size} bytes, the limit is {}",
            super::MAX_EXPORT_BYTES
        )
    })
}

/// Verifies v2 bytes in memory (tests, fuzzing, legacy detection included).
pub fn verify_bytes(bytes: &[u8], options: &Options<'_>, sink: &mut dyn Sink) -> Report {
    let mut probe = bytes;
    if super::legacy::looks_legacy(&mut probe).unwrap_or(false) {
        return super::legacy::verify_legacy(bytes, options, sink);
    }
    verify_reader(bytes, options, sink)
}

/// The one pass over a v2 file.
pub fn verify_reader<R: BufRead>(reader: R, options: &Options<'_>, sink: &mut dyn Sink) -> Report {
    let mut stream = Stream::new(reader, *options);
    if !sink.wants_ballots() {
        stream = stream.without_ballots();
    }
    for input in stream.inputs() {
        sink.input(input);
    }
    while let Some(id) = stream.next_receipt() {
        sink.receipt(id);
    }
    while stream.next_record() {
        sink.record(&stream.line, &stream.id, &stream.ballot);
    }
    stream.finish().report
}

/// What the sections are checked against once the header, the signature
/// and the definition hold (and, for a merge, its inputs section).
pub(crate) struct Body {
    pub(crate) definition: ElectionDefinition,
    pub(crate) receipts: u64,
    pub(crate) merkle_root: String,
    pub(crate) records: SectionDigest,
    pub(crate) result: ElectionResult,
    pub(crate) then: Then,
}

/// What is checked after the last line.
pub(crate) enum Then {
    /// A station's result: its attachments (with `--attachments`).
    Attachments(Box<ResultHeader>),
    /// A merge: its inputs (with `--inputs`).
    Inputs(Vec<MergeInput>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Receipts,
    Records,
    End,
}

/// The verifier as a stream a caller pulls from: the header, signature,
/// definition (and a merge's inputs) are checked by `new`; then each
/// `next_receipt` and `next_record` reads one more line and checks it, and
/// `finish` checks the digests, the recount and the end of the file. It
/// holds one line at a time and, per contest, each distinct choice list
/// once with its count: memory bounded by the election's shape, not by the
/// file. `merge` pulls from many inputs at once; `verify_reader` drains one.
/// A record or receipt it yields has passed its own checks, but the file
/// has passed only when `finish`'s report says so: nothing a stream
/// yields may be kept unless the report passes.
pub struct Stream<'o, R: BufRead> {
    lines: Lines<R>,
    options: Options<'o>,
    report: Report,
    body: Option<Body>,
    phase: Phase,
    stopped: bool,
    /// Lines left in the current section.
    left: u64,
    root: merkle::RootBuilder,
    digest: Sha512,
    tally: Option<WeightedBallots>,
    /// The last receipt or record id yielded (the previous, for order).
    id: String,
    /// The last record yielded: its line (without LF) and its ballot
    /// (built only when `ballots`).
    line: Vec<u8>,
    ballot: Ballot,
    buf: Vec<u8>,
    /// Whether each record's `Ballot` is built (a sink reads it); if not,
    /// the common record is read in place (`plan`, into `codes`).
    ballots: bool,
    plan: Option<in_place::Plan>,
    codes: in_place::Codes,
}

/// A finished stream: its verdict, and what it gathered.
pub struct Finished<R> {
    pub report: Report,
    /// The definition (when the file got that far).
    pub definition: Option<ElectionDefinition>,
    /// Per contest, each distinct choice list with its count.
    pub tally: Option<WeightedBallots>,
    /// A merge's inputs section.
    pub inputs: Vec<MergeInput>,
    /// The reader, at the end of the file when the report passed.
    pub reader: R,
}

impl<'o, R: BufRead> Stream<'o, R> {
    /// Reads and checks the header, the signature and the definition (and
    /// a merge's inputs): stops (the report says why) if the signature
    /// does not hold.
    pub fn new(reader: R, options: Options<'o>) -> Self {
        let mut lines = Lines::new(reader);
        let mut report = Report::default();
        let body = open(&mut lines, &options, &mut report).ok();
        let (phase, left) = match &body {
            Some(b) => {
                report.merkle_root = Some(b.merkle_root.clone());
                (Phase::Receipts, b.receipts)
            }
            None => (Phase::End, 0),
        };
        // Sized once from the ballots the header declares (at most the
        // election's shape allows): the same memory for every file of
        // that size, whichever rankings it holds.
        let tally = body.as_ref().map(|b| {
            let mut tally = WeightedBallots::new(&b.definition);
            tally.reserve_for(report.ballots);
            tally
        });
        Stream {
            lines,
            options,
            report,
            stopped: body.is_none(),
            body,
            phase,
            left,
            root: merkle::RootBuilder::default(),
            digest: Sha512::new(),
            tally,
            id: String::new(),
            line: Vec::new(),
            ballot: Ballot {
                contests: Default::default(),
            },
            buf: Vec::new(),
            ballots: true,
            plan: None,
            codes: Vec::new(),
        }
    }

    /// Reads the common record in place and builds no `Ballot` (for those
    /// who need the tally, the lines and the ids, not the ballots): the
    /// same verdicts, faster (`export::in_place`).
    pub fn without_ballots(mut self) -> Self {
        self.ballots = false;
        if let Some(body) = &self.body {
            let plan = in_place::Plan::new(&body.definition);
            self.codes = plan.codes();
            self.plan = Some(plan);
        }
        self
    }

    /// The report so far.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// The definition, once the header, signature and definition held.
    pub fn definition(&self) -> Option<&ElectionDefinition> {
        self.body.as_ref().map(|b| &b.definition)
    }

    /// A merge's inputs (empty for a station's result).
    pub fn inputs(&self) -> &[MergeInput] {
        match self.body.as_ref().map(|b| &b.then) {
            Some(Then::Inputs(inputs)) => inputs,
            _ => &[],
        }
    }

    fn stop(&mut self) {
        self.stopped = true;
        self.phase = Phase::End;
    }

    /// The next receipt that passed its checks (step 5), in file order;
    /// `None` after the last (or when the pass stopped).
    pub fn next_receipt(&mut self) -> Option<&str> {
        if self.phase != Phase::Receipts {
            return None;
        }
        loop {
            if self.left == 0 {
                let root = hex::encode(self.root.root());
                if let Some(body) = &self.body {
                    if root != body.merkle_root {
                        self.report.fail(
                            "merkle_root",
                            "the receipts' Merkle root does not match the header",
                        );
                    }
                    self.left = body.records.count;
                }
                self.phase = Phase::Records;
                self.id.clear();
                return None;
            }
            self.left -= 1;
            let no = self.lines.number + 1;
            let bytes = match next(&mut self.lines, &mut self.report, "the last receipt") {
                Ok(b) => b,
                Err(Stop) => {
                    self.stop();
                    return None;
                }
            };
            let id = match std::str::from_utf8(bytes)
                .ok()
                .and_then(|s| s.strip_prefix('"')?.strip_suffix('"'))
            {
                Some(id) if ReceiptId::is_grouped_form(id) => id,
                _ => {
                    self.report.fail(
                        "receipts",
                        format!("line {no} is not a receipt id in its grouped form"),
                    );
                    continue;
                }
            };
            if !self.id.is_empty() && self.id.as_str() >= id {
                self.report.fail(
                    "receipts",
                    format!("line {no}: receipts are not sorted, or one repeats"),
                );
            }
            self.root.push(id);
            self.id.clear();
            self.id.push_str(id);
            return Some(&self.id);
        }
    }

    /// The next record that passed its checks (step 6: `record_line`,
    /// `record_id`, `ballot`), in file order; false after the last (or
    /// when the pass stopped). Reads past any receipts not yet read.
    pub fn next_record(&mut self) -> bool {
        while self.phase == Phase::Receipts {
            let _ = self.next_receipt();
        }
        if self.phase != Phase::Records {
            return false;
        }
        loop {
            if self.left == 0 {
                self.phase = Phase::End;
                return false;
            }
            self.left -= 1;
            let no = self.lines.number + 1;
            let bytes = match next(&mut self.lines, &mut self.report, "the last record") {
                Ok(b) => b,
                Err(Stop) => {
                    self.stop();
                    return false;
                }
            };
            self.digest.update(bytes);
            self.digest.update(b"\n");
            if let Some(id) = self.plan.as_ref().and_then(|p| p.read(bytes, &mut self.codes)) {
                // A canonical, valid record in normal form (the full
                // reading below would accept it with these choices).
                if !self.id.is_empty() && self.id.as_str() >= id {
                    self.report.fail(
                        "cvr_order",
                        format!("line {no}: record ids are not strictly increasing"),
                    );
                }
                if let Some(tally) = &mut self.tally {
                    for (i, codes) in self.codes.iter().enumerate() {
                        tally.add_codes(i, codes, 1);
                    }
                    tally.add_ballots(1);
                }
                self.id.clear();
                self.id.push_str(id);
                self.line.clear();
                self.line.extend_from_slice(bytes);
                return true;
            }
            let record: Record = match serde_json::from_slice(bytes) {
                Ok(r) => r,
                Err(e) => {
                    self.report
                        .fail("cvr", format!("line {no}: not a cast vote record: {e}"));
                    continue;
                }
            };
            self.buf.clear();
            if serde_json::to_writer(&mut self.buf, &record).is_err() || self.buf != bytes {
                self.report.fail(
                    "not_canonical",
                    format!("line {no}: the record is not in canonical form"),
                );
            }
            if !is_hex(&record.id, 32) {
                self.report
                    .fail("cvr", format!("line {no}: the id is not 32 lowercase hex digits"));
                continue;
            }
            if !self.id.is_empty() && self.id >= record.id {
                self.report.fail(
                    "cvr_order",
                    format!("line {no}: record ids are not strictly increasing"),
                );
            }
            let Some(body) = &self.body else {
                return false;
            };
            let definition = &body.definition;
            let mut yielded = false;
            match Ballot::validate(definition, &record.selections) {
                Ok(ballot) if build::is_normal_form(definition, &ballot, &record.selections) => {
                    if let Some(tally) = &mut self.tally {
                        tally.add(definition, &ballot);
                    }
                    self.line.clear();
                    self.line.extend_from_slice(bytes);
                    if self.ballots {
                        self.ballot = ballot;
                    }
                    yielded = true;
                }
                Ok(_) => self.report.fail(
                    "cvr",
                    format!(
                        "record {}: not in normal form (every contest; choices in definition order, write-ins after them)",
                        record.id
                    ),
                ),
                Err(e) => self.report.fail("cvr", format!("record {}: {e}", record.id)),
            }
            self.id = record.id;
            if yielded {
                return true;
            }
        }
    }

    /// The last record's line (canonical JSON, without its LF).
    pub fn record_line(&self) -> &[u8] {
        &self.line
    }

    /// The last record's id (32 hex).
    pub fn record_id(&self) -> &str {
        &self.id
    }

    /// Reads what is left, then 6–8: the records' digest, the recount, the
    /// end of the file, and the attachments or a merge's inputs.
    pub fn finish(mut self) -> Finished<R> {
        while self.next_record() {}
        let mut inputs = Vec::new();
        let mut definition = None;
        if let Some(body) = self.body.take() {
            if !self.stopped {
                let digest = std::mem::replace(&mut self.digest, Sha512::new());
                if hex::encode(digest.finalize()) != body.records.sha512 {
                    self.report
                        .fail("records_digest", "the records' SHA-512 does not match the header");
                }
                if let Some(tally) = &self.tally {
                    compare_tally(&body.definition, &body.result, tally, &mut self.report);
                }
                end_of_file(&mut self.lines, &mut self.report);
                match &body.then {
                    Then::Attachments(header) => {
                        if let Some(dir) = self.options.attachments {
                            check_attachments(dir, header, &mut self.report);
                        }
                    }
                    Then::Inputs(list) => {
                        if let Some(dir) = self.options.inputs {
                            super::merge::check_inputs(dir, list, &self.options, &mut self.report);
                        }
                    }
                }
            }
            if let Then::Inputs(list) = body.then {
                inputs = list;
            }
            definition = Some(body.definition);
        }
        Finished {
            report: self.report,
            definition,
            tally: self.tally,
            inputs,
            reader: self.lines.into_inner(),
        }
    }
}

/// Stops a pass: the failure is already in the report.
pub(crate) struct Stop;

pub(crate) fn line_failure(report: &mut Report, e: LineError) -> Stop {
    match e {
        LineError::NotCanonical(m) => report.fail("not_canonical", m),
        LineError::Malformed(m) => report.fail("malformed", m),
    }
    Stop
}

/// The next line's bytes, or a failure (`line_count` at the end of the file).
pub(crate) fn next<'l, R: BufRead>(
    lines: &'l mut Lines<R>,
    report: &mut Report,
    what: &str,
) -> Result<&'l [u8], Stop> {
    let number = lines.number;
    match lines.next_line() {
        Ok(Some(l)) => Ok(l),
        Ok(None) => {
            report.fail(
                "line_count",
                format!("the file ends before {what} (after line {number})"),
            );
            Err(Stop)
        }
        Err(e) => Err(line_failure(report, e)),
    }
}

/// A parsed, canonical line.
pub(crate) fn value_line<R: BufRead>(
    lines: &mut Lines<R>,
    report: &mut Report,
    what: &str,
) -> Result<(Vec<u8>, Value), Stop> {
    let bytes = next(lines, report, what)?.to_vec();
    let value = lines::parse_line(&bytes, lines.number).map_err(|e| line_failure(report, e))?;
    Ok((bytes, value))
}

/// Reads a header into its type; a header that parses but does not
/// re-serialise to the same bytes (a `null` for an absent field) is not
/// canonical.
fn header_of<T: serde::de::DeserializeOwned + serde::Serialize>(
    value: &Value,
    bytes: &[u8],
    report: &mut Report,
) -> Result<T, Stop> {
    let header = T::deserialize(value).map_err(|e| {
        report.fail("malformed", format!("the header: {e}"));
        Stop
    })?;
    match build::to_value(&header) {
        Ok(v) if crate::canonical::to_canonical_string(&v).as_bytes() == bytes => Ok(header),
        _ => {
            report.fail("not_canonical", "the header is not in its one canonical spelling");
            Err(Stop)
        }
    }
}

/// Lines 1–3 (and a merge's inputs): everything before the receipts.
fn open<R: BufRead>(lines: &mut Lines<R>, options: &Options<'_>, report: &mut Report) -> Result<Body, Stop> {
    let (header_bytes, header) = value_line(lines, report, "the header")?;
    let format = header
        .get("format")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    match format.as_str() {
        RESULT_FORMAT => {
            let header: ResultHeader = header_of(&header, &header_bytes, report)?;
            report.format = format;
            open_result(lines, &header_bytes, header, options, report)
        }
        MERGE_FORMAT => {
            let header: MergeHeader = header_of(&header, &header_bytes, report)?;
            report.format = format;
            super::merge::open_merge(lines, &header_bytes, &header, options, report)
        }
        SEALED_FORMAT => {
            report.fail(
                "unknown_format",
                "a sealed export holds no result: the office counts it (`votekiosk office count`)",
            );
            Err(Stop)
        }
        other => {
            report.fail("unknown_format", format!("unknown format {other:?}"));
            Err(Stop)
        }
    }
}

/// Lines 2 and 3: the signature value and the definition, checked against
/// the header's hash and the pin. Returns the signature value and the definition.
pub(crate) fn signature_and_definition<R: BufRead>(
    lines: &mut Lines<R>,
    definition_hash: &str,
    demo: bool,
    options: &Options<'_>,
    report: &mut Report,
) -> Result<(Value, ElectionDefinition), Stop> {
    report.definition_hash = Some(definition_hash.to_string());
    let (_, signature) = value_line(lines, report, "the signature")?;
    let definition_bytes = next(lines, report, "the definition")?.to_vec();
    let hash = hex::encode(Sha256::digest(&definition_bytes));
    if hash != definition_hash {
        report.fail(
            "definition",
            format!("the definition's SHA-256 is {hash}, the header says {definition_hash}"),
        );
        return Err(Stop);
    }
    if let Some(pin) = options.definition_hash {
        if hex::encode(pin) != definition_hash {
            report.fail(
                "definition",
                format!(
                    "this is election {definition_hash}, not the one pinned ({})",
                    hex::encode(pin)
                ),
            );
        }
    }
    let definition = match ElectionDefinition::parse(&definition_bytes) {
        Ok(d) if d.canonical_json().as_bytes() == definition_bytes.as_slice() => d,
        Ok(_) => {
            report.fail("not_canonical", "the definition line is not its canonical form");
            return Err(Stop);
        }
        Err(e) => {
            report.fail("definition", format!("not a valid definition: {e}"));
            return Err(Stop);
        }
    };
    if super::is_demo(&definition) != demo {
        report.fail("definition", "the header's `demo` differs from the definition's");
    }
    report.demo = demo;
    Ok((signature, definition))
}

/// Checks the signature over the header by `signer`; stops if it fails.
pub(crate) fn check_signature(
    header: &[u8],
    signature: &Value,
    signer: &[u8; 32],
    report: &mut Report,
) -> Result<(), Stop> {
    match lines::verify(header, signature, Some(signer)) {
        Ok(key) => {
            report.public_key = Some(hex::encode(key));
            report.fingerprint = Some(super::fingerprint(&key));
            Ok(())
        }
        Err(why) => {
            report.fail("signature", why);
            Err(Stop)
        }
    }
}

/// Whether the definition is anchored: pinned by hash, or bound by a
/// trusted-keys file of this election.
pub(crate) fn definition_anchored(definition_hash: &str, options: &Options<'_>) -> bool {
    let pinned = options.definition_hash.map(hex::encode);
    let trusted = match options.anchor {
        Anchor::Trusted(t) => Some(hex::encode(t.definition_hash())),
        _ => None,
    };
    pinned.as_deref() == Some(definition_hash) || trusted.as_deref() == Some(definition_hash)
}

/// Whether a station's key is anchored: pinned, or trusted under its id.
fn station_anchored(
    station_id: &str,
    key: &[u8; 32],
    definition_hash: &str,
    options: &Options<'_>,
) -> Result<(), String> {
    match options.anchor {
        Anchor::None => Err(
            "no trust anchor: give the station's key (--public-key, from its zero report) or the office's --trusted-keys file"
                .into(),
        ),
        Anchor::PublicKey(pk) if &pk == key => Ok(()),
        Anchor::PublicKey(pk) => Err(format!(
            "signed by key {}, not the pinned key {}",
            super::fingerprint(key),
            super::fingerprint(&pk)
        )),
        Anchor::Trusted(t) => {
            if hex::encode(t.definition_hash()) != definition_hash {
                return Err("the trusted-keys file is for another election".into());
            }
            match t.station_key(station_id) {
                Some(k) if &k == key => Ok(()),
                Some(k) => Err(format!(
                    "station {station_id} is trusted with key {}, but this file is signed by {}",
                    super::fingerprint(&k),
                    super::fingerprint(key)
                )),
                None => Err(format!("station {station_id} is not in the trusted-keys file")),
            }
        }
    }
}

/// A stamp as the station writes them: RFC 3339, UTC, milliseconds, `Z`.
pub fn is_stamp(s: &str) -> bool {
    s.len() == 24
        && s.ends_with('Z')
        && chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| crate::clock::stamp(t.with_timezone(&chrono::Utc)) == s)
            .unwrap_or(false)
}

pub(crate) fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The software fields: well formed, and the pinned binary.
pub(crate) fn check_software(software: &Software, options: &Options<'_>, report: &mut Report) {
    if software.name != "votekiosk"
        || !(software.commit == "unknown" || is_hex(&software.commit, 40))
        || !is_hex(&software.binary_sha256, 64)
        || software.version.is_empty()
        || software.target.is_empty()
    {
        report.fail("malformed", "the software fields are not well formed");
    }
    if let Some(pin) = options.software_hash {
        if hex::encode(pin) != software.binary_sha256 {
            report.fail(
                "software_hash",
                format!(
                    "written by binary {}, not the one required",
                    software.binary_sha256
                ),
            );
        }
    }
    report.software = Some(software.clone());
}

/// The count rules: codes add up, and `ballots` = records = receipts.
pub(crate) fn check_counts(counts: &Turnout, records: u64, receipts: u64, report: &mut Report) {
    for d in counts.discrepancies() {
        report.fail("counts", d);
    }
    if counts.ballots != records || counts.ballots != receipts {
        report.fail(
            "counts",
            format!(
                "{} ballots, {records} records, {receipts} receipts",
                counts.ballots
            ),
        );
    }
    report.ballots = counts.ballots;
}

/// The card rules (issue 14), with checked arithmetic, of a station's
/// result or sealed export.
pub(crate) fn check_cards(cards: &Cards, ballots: u64, report: &mut Report) {
    if cards.enabled && cards.hand_count.is_none() && !cards.boxes.is_empty() {
        report.fail("cards", "boxes are given without a hand count");
    }
    check_merge_cards(&cards.tagged(""), ballots, report);
}

/// The card rules of a result or a merge: disabled, nothing; enabled,
/// printed = cast + spoiled, abandoned ≤ spoiled, cast = ballots, the
/// boxes valid and sorted (by station, then box), summing to the hand
/// count when there is one, and the difference = hand count − cast.
pub(crate) fn check_merge_cards(cards: &MergeCards, ballots: u64, report: &mut Report) {
    report.hand_count_difference = cards.hand_count_difference;
    if !cards.enabled {
        if *cards != MergeCards::default() {
            report.fail(
                "cards",
                "cards are disabled, yet card counts or a hand count are given",
            );
        }
        return;
    }
    if cards.cast.checked_add(cards.spoiled) != Some(cards.printed) {
        report.fail("cards", "printed is not cast + spoiled");
    }
    if cards.abandoned > cards.spoiled {
        report.fail("cards", "more abandoned than spoiled cards");
    }
    if cards.cast != ballots {
        report.fail("cards", format!("{} cards cast, {ballots} ballots", cards.cast));
    }
    let difference = cards.hand_count.and_then(|h| {
        i64::try_from(h)
            .ok()?
            .checked_sub(i64::try_from(cards.cast).ok()?)
    });
    if cards.hand_count.is_some() && difference.is_none() {
        report.fail("cards", "the hand count difference overflows");
    } else if difference != cards.hand_count_difference {
        report.fail("cards", "hand_count_difference is not hand_count − cast");
    }
    if cards
        .boxes
        .iter()
        .any(|b| !super::format::valid_box_id(&b.box_id))
        || !cards
            .boxes
            .windows(2)
            .all(|w| (&w[0].station, &w[0].box_id) < (&w[1].station, &w[1].box_id))
    {
        report.fail("cards", "boxes: a bad box id, or not sorted by station and box");
    }
    let sum = cards
        .boxes
        .iter()
        .try_fold(0u64, |sum, b| sum.checked_add(b.cards));
    if cards.hand_count.is_some() && sum != cards.hand_count {
        report.fail("cards", "the boxes do not add up to the hand count");
    }
}

/// The `result` object's identity against the header's.
pub(crate) fn check_result_identity(
    result: &ElectionResult,
    definition_hash: &str,
    station_id: &str,
    mode: &str,
    test: bool,
    counts: &Turnout,
    report: &mut Report,
) {
    if result.format != crate::tabulate::RESULT_FORMAT
        || result.definition_hash != definition_hash
        || result.station_id != station_id
    {
        report.fail("tally", "the result is for another election or station");
    }
    if result.mode != mode || result.test != test {
        report.fail("mode", "the result's mode or test flag differs from the header's");
    }
    if result.turnout != *counts {
        report.fail("counts", "the result's turnout differs from the header's counts");
    }
}

fn open_result<R: BufRead>(
    lines: &mut Lines<R>,
    header_bytes: &[u8],
    header: ResultHeader,
    options: &Options<'_>,
    report: &mut Report,
) -> Result<Body, Stop> {
    report.station_id = Some(header.station.id.clone());
    report.test = header.test;
    report.counts = Some(header.counts);
    report.cards = Some(header.cards.tagged(&header.station.id));
    report.counted_by = Some(header.counted_by.role.clone());
    let (signature, definition) =
        signature_and_definition(lines, &header.definition_hash, header.demo, options, report)?;
    // 3. The signature, by the signer the header names; then the anchor.
    let Some(station_key) = lines::lower_hex::<32>(&header.station.public_key) else {
        report.fail("malformed", "station.public_key is not 64 lowercase hex digits");
        return Err(Stop);
    };
    let office_key = super::office_signing_key(&definition);
    let signer = match (header.counted_by.role.as_str(), &header.counted_by.sealed_sha256) {
        (COUNTED_BY_STATION, None) => station_key,
        (COUNTED_BY_OFFICE, Some(sha)) if is_hex(sha, 64) => office_key,
        _ => {
            report.fail(
                "malformed",
                "counted_by is not {role: station} or {role: office, sealed_sha256}",
            );
            return Err(Stop);
        }
    };
    check_signature(header_bytes, &signature, &signer, report)?;
    if let Err(why) = station_anchored(&header.station.id, &station_key, &header.definition_hash, options) {
        report.fail("untrusted_key", why);
    } else if signer == office_key && !definition_anchored(&header.definition_hash, options) {
        report.fail(
            "untrusted_key",
            "an office-counted result: pin the election (--definition-hash) or give the --trusted-keys file",
        );
    }
    // 4. The header's rules.
    check_header(&header, options, report);
    // 5–8: the sections, streamed (`Stream`).
    Ok(Body {
        definition,
        receipts: header.receipts.count,
        merkle_root: header.receipts.merkle_root.clone(),
        records: header.records.clone(),
        result: header.result.clone(),
        then: Then::Attachments(Box::new(header)),
    })
}

fn check_header(header: &ResultHeader, options: &Options<'_>, report: &mut Report) {
    let st = &header.station;
    if !is_hex(&st.closing_public_key, 64)
        || st.fingerprint
            != lines::lower_hex::<32>(&st.public_key)
                .map(|k| super::fingerprint(&k))
                .unwrap_or_default()
    {
        report.fail(
            "malformed",
            "station: the closing key or the fingerprint is not well formed",
        );
    }
    if !is_hex(&header.definition_hash, 64)
        || !is_hex(&header.audit.head, 64)
        || !is_hex(&header.receipts.merkle_root, 64)
        || !is_hex(&header.records.sha512, 128)
    {
        report.fail(
            "malformed",
            "a hash in the header is not lowercase hex of its length",
        );
    }
    // A final result: closed with both stamps, or a test export.
    match (header.test, header.mode.as_str()) {
        (false, "closed") => {
            let t = st.closing_threshold;
            if t.k == 0 || t.k > t.n {
                report.fail("mode", "an official result names no closing key threshold");
            }
            match (&header.polls.opened_at, &header.polls.closed_at) {
                (Some(o), Some(c)) if is_stamp(o) && is_stamp(c) && is_stamp(&header.exported_at) => {
                    if !(o <= c && c.as_str() <= header.exported_at.as_str()) {
                        report.fail("stamps", "not opened ≤ closed ≤ exported");
                    }
                }
                _ => report.fail(
                    "stamps",
                    "an official result needs the polls' opening and closing stamps",
                ),
            }
        }
        (true, "test") => {
            if header.polls.opened_at.is_some() || header.polls.closed_at.is_some() {
                report.fail("stamps", "a test export has no polls stamps");
            }
            if !is_stamp(&header.exported_at) {
                report.fail("stamps", "exported_at is not a stamp");
            }
            let t = st.closing_threshold;
            if (t.k, t.n) != (0, 0) {
                report.fail("mode", "a test export has no closing key threshold");
            }
        }
        (test, mode) => report.fail(
            "mode",
            format!(
                "mode {mode:?} with test = {test}: only a closed official result or a test export verifies"
            ),
        ),
    }
    check_result_identity(
        &header.result,
        &header.definition_hash,
        &st.id,
        &header.mode,
        header.test,
        &header.counts,
        report,
    );
    check_counts(
        &header.counts,
        header.records.count,
        header.receipts.count,
        report,
    );
    check_cards(&header.cards, header.counts.ballots, report);
    check_software(&header.software, options, report);
    let kinds: Vec<&str> = header.attachments.iter().map(|a| a.kind.as_str()).collect();
    if !kinds.windows(2).all(|w| w[0] <= w[1])
        || header
            .attachments
            .iter()
            .any(|a| !is_hex(&a.sha256, 64) || !is_plain_name(&a.name))
    {
        report.fail(
            "malformed",
            "attachments: not sorted by kind, or a bad name or hash",
        );
    }
}

fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

/// 7. Recounts each contest from its tally and compares it with `result`.
pub(crate) fn compare_tally(
    definition: &ElectionDefinition,
    result: &ElectionResult,
    tally: &WeightedBallots,
    report: &mut Report,
) {
    if report.failed("cvr") || report.failed("records_digest") {
        return; // the records are not what was signed: no recount means anything
    }
    if result.contests.len() != definition.contests.len() {
        report.fail("tally", "the result does not list every contest");
        return;
    }
    for (i, (contest, stated)) in definition.contests.iter().zip(&result.contests).enumerate() {
        // Each distinct choice list once, with how many ballots hold it
        // (the count does not depend on their order; the IRV draw seed
        // sorts the ballots itself).
        let recount: ContestResult = tally.count(definition, i);
        if &recount != stated {
            report.fail(
                "tally",
                format!(
                    "contest {:?} differs from a recount of the records",
                    contest.id.as_str()
                ),
            );
        }
    }
}

/// The stream must end exactly at the last LF.
pub(crate) fn end_of_file<R: BufRead>(lines: &mut Lines<R>, report: &mut Report) {
    match lines.next_line() {
        Ok(None) => {}
        Ok(Some(_)) | Err(LineError::NotCanonical(_)) => report.fail(
            "line_count",
            format!("line {} is past the last section the header counts", lines.number),
        ),
        Err(LineError::Malformed(m)) => report.fail("malformed", m),
    }
}

/// Size and SHA-256 of each attachment, and a sealed export that agrees.
fn check_attachments(dir: &Path, header: &ResultHeader, report: &mut Report) {
    if header.counted_by.role == COUNTED_BY_STATION
        && !header.attachments.iter().any(|a| a.kind == ATTACHMENT_SEALED)
    {
        report.fail("attachment", "the result lists no sealed export");
    }
    for a in &header.attachments {
        if let Err(why) = check_attachment(dir, a, header) {
            report.fail("attachment", format!("{}: {why}", a.name));
        }
    }
}

fn check_attachment(dir: &Path, a: &Attachment, header: &ResultHeader) -> Result<(), String> {
    if !is_plain_name(&a.name) {
        return Err("not a plain file name".into());
    }
    let path = dir.join(&a.name);
    let file = std::fs::File::open(&path).map_err(|e| format!("cannot open it ({e})"))?;
    let mut reader = std::io::BufReader::new(file);
    let mut hasher = Sha256::new();
    let mut first_line = Vec::new();
    reader
        .by_ref()
        .take(lines::MAX_LINE as u64)
        .read_until(b'\n', &mut first_line)
        .map_err(|e| e.to_string())?;
    hasher.update(&first_line);
    let mut size = first_line.len() as u64;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = reader.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    if size != a.bytes || hex::encode(hasher.finalize()) != a.sha256 {
        return Err("its size or SHA-256 differs from the result's header".into());
    }
    if a.kind == ATTACHMENT_SEALED {
        let line = first_line.strip_suffix(b"\n").ok_or("no header line")?;
        let value = lines::parse_line(line, 1).map_err(|_| "its header is not canonical")?;
        let sealed = SealedHeader::deserialize(&value).map_err(|e| format!("its header: {e}"))?;
        if sealed.format != SEALED_FORMAT
            || sealed.definition_hash != header.definition_hash
            || sealed.station != header.station
            || sealed.test != header.test
            || sealed.polls != header.polls
            || sealed.counts != header.counts
            || sealed.audit != header.audit
            || sealed.cards != header.cards
        {
            return Err("the sealed export's header does not agree with the result's".into());
        }
    }
    Ok(())
}

/// Record ids and receipts seen, for tests and `receipt verify`.
#[derive(Default)]
pub struct Collect {
    pub receipts: Vec<String>,
    pub record_ids: BTreeSet<String>,
}

impl Sink for Collect {
    fn receipt(&mut self, id: &str) {
        self.receipts.push(id.to_string());
    }
    fn record(&mut self, _line: &[u8], id: &str, _ballot: &Ballot) {
        self.record_ids.insert(id.to_string());
    }
    fn wants_ballots(&self) -> bool {
        false
    }
}

/// What a receipt check needs from a verified file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub definition_hash: String,
    /// The station's id (empty for a merge).
    pub station_id: String,
    /// The key that signed (64 hex).
    pub public_key: String,
    pub test: bool,
    /// Sorted.
    pub receipts: Vec<String>,
    pub merkle_root: String,
}

impl Parsed {
    /// From a report that passed and the receipts a `Collect` gathered.
    pub fn from_report(report: &Report, receipts: Vec<String>) -> Parsed {
        Parsed {
            definition_hash: report.definition_hash.clone().unwrap_or_default(),
            station_id: report.station_id.clone().unwrap_or_default(),
            public_key: report.public_key.clone().unwrap_or_default(),
            test: report.test,
            receipts,
            merkle_root: report.merkle_root.clone().unwrap_or_default(),
        }
    }

    /// The v1-shaped file the v1 page read (adapter). Unused since
    /// `html::verify_page` reads the v2 file itself: to delete.
    #[allow(dead_code)]
    pub(crate) fn page_file(&self, definition: &ElectionDefinition) -> super::legacy_format::ResultFile {
        use super::legacy_format as v1;
        v1::ResultFile {
            format: RESULT_FORMAT.into(),
            software: String::new(),
            test: self.test,
            definition: serde_json::from_str(definition.canonical_json()).unwrap_or(Value::Null),
            definition_hash: self.definition_hash.clone(),
            station: v1::StationInfo {
                id: self.station_id.clone(),
                public_key: self.public_key.clone(),
            },
            polls: v1::Polls {
                opened_at: None,
                closed_at: None,
            },
            counts: Turnout::default(),
            result: ElectionResult::new(
                definition,
                &self.station_id,
                "closed",
                self.test,
                Turnout::default(),
                Vec::new(),
            ),
            cast_vote_records: Vec::new(),
            receipts: v1::Receipts {
                merkle_root: self.merkle_root.clone(),
                ids: self.receipts.clone(),
            },
            audit: v1::AuditHead {
                head: String::new(),
                length: 0,
            },
            signature: None,
            mac: None,
        }
    }
}

/// Where a receipt stands in a verified file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inclusion {
    Included { index: usize, path: Vec<merkle::Step> },
    NotFound,
    OtherElection { found: String, expected: String },
}

/// Looks a receipt (id, QR payload or URL) up as a file's receipts stream
/// past the verifier (a `Sink`), building its inclusion path in one pass
/// (`merkle::PathBuilder`): it keeps no receipt but the one sought, only
/// the log-many sibling hashes. `inclusion` answers once the file has
/// verified: the same answer as `find_receipt` over the whole list.
pub struct FindReceipt {
    id: String,
    definition_short: Option<String>,
    path: merkle::PathBuilder,
}

impl FindReceipt {
    /// Refuses a text that is no receipt before any file is read.
    pub fn new(text: &str) -> crate::error::Result<FindReceipt> {
        let r = crate::receipt::parse(text)?;
        Ok(FindReceipt {
            id: r.id.as_str().to_string(),
            definition_short: r.definition_short,
            path: merkle::PathBuilder::default(),
        })
    }

    /// Where the receipt stands in the file `report` describes (a file
    /// that passed).
    pub fn inclusion(self, report: &Report) -> Inclusion {
        let definition_hash = report.definition_hash.as_deref().unwrap_or_default();
        if let Some(found) = self.definition_short {
            let short = &definition_hash[..found.len().min(definition_hash.len())];
            if found != short {
                return Inclusion::OtherElection {
                    found,
                    expected: short.to_string(),
                };
            }
        }
        match self.path.finish() {
            Some((index, path)) => Inclusion::Included {
                index: usize::try_from(index).unwrap_or(usize::MAX),
                path,
            },
            None => Inclusion::NotFound,
        }
    }
}

impl Sink for FindReceipt {
    fn receipt(&mut self, id: &str) {
        let sought = id == self.id;
        self.path.push(id, sought);
    }
    fn wants_ballots(&self) -> bool {
        false
    }
}

/// Looks a receipt (id, QR payload or URL) up among a verified file's
/// sorted receipts.
pub fn find_receipt(parsed: &Parsed, text: &str) -> crate::error::Result<Inclusion> {
    let (receipts, definition_hash) = (&parsed.receipts, &parsed.definition_hash);
    let r = crate::receipt::parse(text)?;
    if let Some(found) = r.definition_short {
        let short = &definition_hash[..found.len().min(definition_hash.len())];
        if found != short {
            return Ok(Inclusion::OtherElection {
                found,
                expected: short.to_string(),
            });
        }
    }
    Ok(
        match receipts.binary_search_by(|x| x.as_str().cmp(r.id.as_str())) {
            Ok(index) => Inclusion::Included {
                index,
                path: merkle::inclusion_path(receipts, index),
            },
            Err(_) => Inclusion::NotFound,
        },
    )
}
