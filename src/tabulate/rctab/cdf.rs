//! Reads NIST SP 1500-103 cast vote records in JSON (`CastVoteRecordReport`,
//! RCTab's "CDF"): the elections with their candidates and contests
//! (`Election[].Candidate`, `Election[].Contest[].ContestSelection`) and,
//! for each `CVR`, the marks of the snapshot that `CurrentSnapshotId`
//! names (the adjudicated one). Every reference is checked: a malformed
//! structure, a `CurrentSnapshotId` naming no snapshot, a contest or
//! selection or candidate the file does not declare, a CVR of an election
//! the file does not hold, a rank that is not a positive whole number, and
//! a `UniqueId` seen twice (in one file or across files) are each refused
//! with an error naming the file and the JSON path.
//!
//! Marks follow RCTab: a `SelectionPosition` with `HasIndication` "no" or
//! `IsAllocable` "no" is not a mark; `Rank` may sit on the
//! `CVRContestSelection` or on each `SelectionPosition`; a position with a
//! `CVRWriteIn` (or a selection with `IsWriteIn`) is a write-in.
//!
//! Each file is read once, as a stream (issue 17): the document is never
//! held whole. The root object's members are read in file order; the
//! `Election` list (small) is read as JSON, and the `CVR` list one record at
//! a time, each record checked for structure (with its JSON path) and
//! reduced to its current snapshot's marks, then dropped. Records that are
//! alike in everything but their ids (`UniqueId`, `BallotPrePrintedId`)
//! are kept once, with a count and the first such record's position and
//! ids for messages: memory is bounded by the election's shape (with 8
//! ranked candidates, at most 109,601 distinct rankings), not by the number
//! of records. References to the elections' contests, selections and
//! candidates are resolved once per distinct record after the file is read
//! (the `CVR` list may come before `Election`, as in files whose members
//! are sorted), so an error names the first record that has it.
//!
//! The one thing kept per record is what refuses a record counted twice: a
//! `UniqueId` may repeat in any file, at any distance, so every id seen
//! must be remembered; each is kept as the first 16 bytes of its SHA-256
//! and the record's position (20 bytes a record: 200 MB for ten million
//! records), sorted per file, and compared across files by a merge of the
//! sorted lists. The id's text, for the message, is read back from the
//! file only when a duplicate is found.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// One `CastVoteRecordReport` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdfReport {
    /// The file's name as given (for messages).
    pub source: String,
    pub elections: Vec<CdfElection>,
    /// The distinct records, in the order of their first appearance, each
    /// with how many records it stands for (`CdfCvr::count`).
    pub cvrs: Vec<CdfCvr>,
    /// Every record's `UniqueId` as a 128-bit hash with the record's
    /// position, sorted (see the module's notes).
    ids: Vec<([u8; 16], u32)>,
    /// The file it was read from, to read an id's text back for a message.
    path: Option<PathBuf>,
}

/// One `Election`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdfElection {
    /// `@id`.
    pub id: String,
    pub candidates: Vec<CdfCandidate>,
    pub contests: Vec<CdfContest>,
}

/// One `Election[].Candidate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdfCandidate {
    /// `@id`.
    pub id: String,
    /// `Name`.
    pub name: String,
}

/// One `Election[].Contest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdfContest {
    /// `@id`.
    pub id: String,
    /// `Name` (what RCTab's `contestId` matches).
    pub name: String,
    pub selections: Vec<CdfSelection>,
}

/// One `ContestSelection`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdfSelection {
    /// `@id`.
    pub id: String,
    /// The first of `CandidateIds`, as an index into the election's
    /// `candidates` (RCTab reads only the first); `None` for a write-in
    /// selection or one that names no candidate (e.g. a yes/no option).
    pub candidate: Option<usize>,
    /// `IsWriteIn`.
    pub write_in: bool,
    /// `Selection` (a ballot measure's option text, e.g. "yes"), if given.
    pub text: Option<String>,
}

/// One `CVR`, reduced to its current snapshot: the first of `count`
/// records with the same election and marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdfCvr {
    /// Position in the file's `CVR` list (0-based) of the first such record.
    pub index: usize,
    /// `UniqueId` of the first such record, if given.
    pub unique_id: Option<String>,
    /// `BallotPrePrintedId` of the first such record, if given.
    pub ballot_id: Option<String>,
    /// How many records of the file have this election and these marks.
    pub count: u64,
    /// Index into the report's `elections` (`ElectionId`).
    pub election: usize,
    /// The current snapshot's `CVRContest`s.
    pub contests: Vec<CdfCvrContest>,
}

/// One `CVRContest` of the current snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdfCvrContest {
    /// Index into the election's `contests`.
    pub contest: usize,
    pub marks: Vec<CdfMark>,
}

/// One mark: a selection at a rank (ranked contests) or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdfMark {
    /// Index into the contest's `selections`.
    pub selection: usize,
    pub rank: Option<u32>,
    /// `CVRWriteIn.Text` ("" when the write-in has no text); `None` if
    /// this position is no write-in (see `CdfSelection::write_in` too).
    pub write_in: Option<String>,
}

impl CdfReport {
    /// How many records the file holds.
    pub fn records(&self) -> u64 {
        self.cvrs.iter().map(|c| c.count).sum()
    }

    /// The election and contest whose `Name` is `name` (first found).
    pub fn contest_named(&self, name: &str) -> Option<(usize, usize)> {
        self.elections.iter().enumerate().find_map(|(e, election)| {
            election
                .contests
                .iter()
                .position(|c| c.name == name)
                .map(|c| (e, c))
        })
    }

    /// Records read elsewhere, known here only by their `UniqueId`s (each
    /// as `unique_id_hash` gives it, in the records' order): a kiosk
    /// result counted as it streams past, so that `check_unique_ids` still
    /// refuses a record counted twice, in it and in a CVR file made from
    /// it. It holds no distinct records (`cvrs` is empty).
    pub fn from_unique_ids(source: &str, hashes: Vec<[u8; 16]>) -> CdfReport {
        let mut ids: Vec<([u8; 16], u32)> = hashes
            .into_iter()
            .enumerate()
            .map(|(i, h)| (h, u32::try_from(i).unwrap_or(u32::MAX)))
            .collect();
        ids.sort_unstable();
        CdfReport {
            source: source.to_string(),
            elections: Vec::new(),
            cvrs: Vec::new(),
            ids,
            path: None,
        }
    }

    /// Where CVR `index` is, for messages: `file: CVR[index] (UniqueId "…")`.
    pub fn locate(&self, cvr: &CdfCvr) -> String {
        match &cvr.unique_id {
            Some(id) => format!("{}: CVR[{}] (UniqueId {id:?})", self.source, cvr.index),
            None => format!("{}: CVR[{}]", self.source, cvr.index),
        }
    }
}

/// Reads every file (each once, as a stream), refusing a `UniqueId` that
/// appears twice anywhere.
pub fn read_cdf_cvrs<P: AsRef<Path>>(paths: &[P]) -> Result<Vec<CdfReport>> {
    let mut reports = Vec::new();
    for path in paths {
        reports.push(read_cdf_file(path.as_ref())?);
    }
    check_unique_ids(&reports)?;
    Ok(reports)
}

/// Reads one CDF JSON file as a stream. Refuses a `UniqueId` repeated
/// inside the file.
pub fn read_cdf_file(path: &Path) -> Result<CdfReport> {
    let meta = std::fs::metadata(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::FileNotFound(path.display().to_string())
        } else {
            Error::io(path, e)
        }
    })?;
    if !meta.is_file() {
        return Err(Error::InvalidInput(format!(
            "{}: not a file (the cast vote record file expected)",
            path.display()
        )));
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let reader = std::io::BufReader::with_capacity(1 << 20, file);
    let source = path.display().to_string();
    let mut report = read(&mut serde_json::Deserializer::from_reader(reader), &source)?;
    report.path = Some(path.to_path_buf());
    check_unique_ids(std::slice::from_ref(&report))?;
    Ok(report)
}

/// Parses one CDF JSON document held in memory; `source` names it in
/// errors. Refuses a `UniqueId` repeated inside it.
pub fn parse_cdf_cvrs(bytes: &[u8], source: &str) -> Result<CdfReport> {
    let report = read(&mut serde_json::Deserializer::from_slice(bytes), source)?;
    if let Some((first, second)) = first_duplicate(std::slice::from_ref(&report)) {
        let id = unique_id_at(bytes, second.1).unwrap_or_default();
        return Err(duplicate(&report, first.1, &report, second.1, id));
    }
    Ok(report)
}

/// Refuses a `UniqueId` seen twice across `reports`, naming both places
/// (the earlier first).
pub fn check_unique_ids(reports: &[CdfReport]) -> Result<()> {
    let Some(((ra, ia), (rb, ib))) = first_duplicate(reports) else {
        return Ok(());
    };
    let (a, b) = (&reports[ra], &reports[rb]);
    let read_back = |r: &CdfReport, i: u32| {
        let path = r.path.as_ref()?;
        let file = std::fs::File::open(path).ok()?;
        unique_id_at(std::io::BufReader::new(file), i)
    };
    let id = read_back(b, ib)
        .or_else(|| read_back(a, ia))
        .unwrap_or_else(|| "(the same id)".into());
    Err(duplicate(a, ia, b, ib, id))
}

fn duplicate(a: &CdfReport, ia: u32, b: &CdfReport, ib: u32, id: String) -> Error {
    Error::CvrDuplicateId {
        id,
        first: format!("{}: CVR[{ia}]", a.source),
        second: format!("{}: CVR[{ib}]", b.source),
    }
}

/// The first pair of records (report, position) with the same `UniqueId`
/// hash, in the order of a merge of the reports' sorted lists.
fn first_duplicate(reports: &[CdfReport]) -> Option<((usize, u32), (usize, u32))> {
    let mut heap = BinaryHeap::new();
    for (r, report) in reports.iter().enumerate() {
        if let Some((hash, _)) = report.ids.first() {
            heap.push(Reverse((*hash, r, 0usize)));
        }
    }
    let mut last: Option<([u8; 16], usize, u32)> = None;
    while let Some(Reverse((hash, r, k))) = heap.pop() {
        let index = reports[r].ids[k].1;
        if let Some((h, lr, li)) = last {
            if h == hash {
                return Some(((lr, li), (r, index)));
            }
        }
        last = Some((hash, r, index));
        if let Some((next, _)) = reports[r].ids.get(k + 1) {
            heap.push(Reverse((*next, r, k + 1)));
        }
    }
    None
}

/// A `UniqueId` as the duplicate check keeps it: the first 16 bytes of
/// its SHA-256.
pub fn unique_id_hash(id: &str) -> [u8; 16] {
    id_hash(id)
}

fn id_hash(id: &str) -> [u8; 16] {
    let digest = Sha256::digest(id.as_bytes());
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

/// The `UniqueId` of `CVR[index]` in a CDF document, read again as a
/// stream (only to name a duplicate).
fn unique_id_at(reader: impl Read, index: u32) -> Option<String> {
    struct Root(u32);
    struct List(u32);
    impl<'de> Visitor<'de> for Root {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a CastVoteRecordReport")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self::Value, A::Error> {
            let mut found = None;
            while let Some(key) = map.next_key::<String>()? {
                if key == "CVR" && found.is_none() {
                    found = map.next_value_seed(List(self.0))?;
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(found)
        }
    }
    impl<'de> DeserializeSeed<'de> for List {
        type Value = Option<String>;
        fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
            d.deserialize_seq(self)
        }
    }
    impl<'de> Visitor<'de> for List {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Self::Value, A::Error> {
            let mut found = None;
            let mut i = 0u32;
            loop {
                if i == self.0 {
                    let Some(v) = seq.next_element::<Value>()? else {
                        break;
                    };
                    found = v.get("UniqueId").and_then(Value::as_str).map(str::to_string);
                } else if seq.next_element::<IgnoredAny>()?.is_none() {
                    break;
                }
                i = i.saturating_add(1);
            }
            Ok(found)
        }
    }
    let mut d = serde_json::Deserializer::from_reader(reader);
    de::Deserializer::deserialize_map(&mut d, Root(index))
        .ok()
        .flatten()
}

/// One record as read, before its references are resolved: the current
/// snapshot's contests and selections by id, in file order (their
/// positions make the JSON paths of messages). Records with the same
/// `Shape` are counted once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Shape {
    election: Option<String>,
    /// The current snapshot's position in `CVRSnapshot`.
    snapshot: usize,
    contests: Vec<(String, Vec<ShapeSelection>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ShapeSelection {
    id: String,
    /// Its marks: rank and write-in text.
    marks: Vec<(Option<u32>, Option<String>)>,
}

/// The first record of a shape, and how many there are.
struct First {
    index: usize,
    unique_id: Option<String>,
    ballot_id: Option<String>,
    count: u64,
}

/// The state of one file's read.
struct Reading<'a> {
    p: Parser<'a>,
    elections: Option<Vec<CdfElection>>,
    shapes: HashMap<Shape, usize>,
    firsts: Vec<First>,
    ids: Vec<([u8; 16], u32)>,
    /// Our own refusal, when the deserializer is stopped for it.
    failure: Option<Error>,
}

/// Reads a CDF document from `d`, in one pass.
fn read<'de, R: serde_json::de::Read<'de>>(
    d: &mut serde_json::Deserializer<R>,
    source: &str,
) -> Result<CdfReport> {
    let mut r = Reading {
        p: Parser { source },
        elections: None,
        shapes: HashMap::new(),
        firsts: Vec::new(),
        ids: Vec::new(),
        failure: None,
    };
    let parsed = de::Deserializer::deserialize_any(&mut *d, Root(&mut r)).and_then(|()| d.end());
    if let Some(e) = r.failure.take() {
        return Err(e);
    }
    parsed.map_err(|e| bad(source, "(file)", format!("not JSON: {e}")))?;
    let elections = r
        .elections
        .take()
        .ok_or_else(|| bad(source, "Election", "must be a non-empty list"))?;
    let mut election_ids = HashMap::new();
    for (i, e) in elections.iter().enumerate() {
        election_ids.insert(e.id.clone(), i);
    }
    let mut shapes: Vec<(usize, Shape)> = std::mem::take(&mut r.shapes)
        .into_iter()
        .map(|(s, i)| (i, s))
        .collect();
    shapes.sort_unstable_by_key(|(i, _)| *i);
    let mut cvrs = Vec::with_capacity(shapes.len());
    for (i, shape) in shapes {
        cvrs.push(r.p.resolve(&shape, &r.firsts[i], &elections, &election_ids)?);
    }
    let mut ids = std::mem::take(&mut r.ids);
    ids.sort_unstable();
    ids.shrink_to_fit();
    Ok(CdfReport {
        source: source.to_string(),
        elections,
        cvrs,
        ids,
        path: None,
    })
}

impl Reading<'_> {
    fn stop<E: de::Error>(&mut self, e: Error) -> E {
        self.failure = Some(e);
        E::custom("refused")
    }

    fn elections(&mut self, v: &Value) -> Result<()> {
        let source = self.p.source;
        let list = match v {
            Value::Array(list) if !list.is_empty() => list,
            _ => return Err(bad(source, "Election", "must be a non-empty list")),
        };
        let elections = list
            .iter()
            .enumerate()
            .map(|(i, e)| self.p.election(e, &format!("Election[{i}]")))
            .collect::<Result<Vec<_>>>()?;
        let mut ids = HashMap::new();
        for (i, e) in elections.iter().enumerate() {
            if ids.insert(e.id.clone(), i).is_some() {
                return Err(bad(
                    source,
                    &format!("Election[{i}].@id"),
                    format!("{:?} is used by two elections", e.id),
                ));
            }
        }
        self.elections = Some(elections);
        Ok(())
    }

    fn record(&mut self, v: Value, index: usize) -> Result<()> {
        let (shape, unique_id, ballot_id) = self.p.cvr(v, index)?;
        if let Some(id) = &unique_id {
            let position = u32::try_from(index).map_err(|_| {
                bad(
                    self.p.source,
                    &format!("CVR[{index}]"),
                    "more than 4,294,967,295 records in one file",
                )
            })?;
            self.ids.push((id_hash(id), position));
        }
        match self.shapes.get(&shape) {
            Some(&i) => self.firsts[i].count += 1,
            None => {
                self.shapes.insert(shape, self.firsts.len());
                self.firsts.push(First {
                    index,
                    unique_id,
                    ballot_id,
                    count: 1,
                });
            }
        }
        Ok(())
    }
}

/// The root object, member by member.
struct Root<'r, 'a>(&'r mut Reading<'a>);

macro_rules! not_this {
    ($($method:ident: $t:ty),*) => {
        $(fn $method<E: de::Error>(self, _: $t) -> std::result::Result<Self::Value, E> {
            Err(self.wrong())
        })*
    };
}

impl Root<'_, '_> {
    fn wrong<E: de::Error>(self) -> E {
        let source = self.0.p.source;
        self.0.stop(bad(
            source,
            "(file)",
            "must be a JSON object (a CastVoteRecordReport)",
        ))
    }
}

impl<'de> Visitor<'de> for Root<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object (a CastVoteRecordReport)")
    }

    not_this!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);

    fn visit_unit<E: de::Error>(self) -> std::result::Result<(), E> {
        Err(self.wrong())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> std::result::Result<(), A::Error> {
        Err(self.wrong())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let r = self.0;
        let source = r.p.source;
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(r.stop(bad(source, &key, "appears twice in the report")));
            }
            match key.as_str() {
                "@type" => {
                    let t: Value = map.next_value()?;
                    if t.as_str() != Some("CVR.CastVoteRecordReport") {
                        return Err(r.stop(bad(
                            source,
                            "@type",
                            format!("is {t}, not \"CVR.CastVoteRecordReport\""),
                        )));
                    }
                }
                "Election" => {
                    let v: Value = map.next_value()?;
                    if let Err(e) = r.elections(&v) {
                        return Err(r.stop(e));
                    }
                }
                "CVR" => map.next_value_seed(Cvrs(&mut *r))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// The `CVR` list, record by record.
struct Cvrs<'r, 'a>(&'r mut Reading<'a>);

impl Cvrs<'_, '_> {
    fn wrong<E: de::Error>(self) -> E {
        let source = self.0.p.source;
        self.0.stop(bad(source, "CVR", "must be a list"))
    }
}

impl<'de> DeserializeSeed<'de> for Cvrs<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Cvrs<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of CVRs")
    }

    not_this!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);

    fn visit_unit<E: de::Error>(self) -> std::result::Result<(), E> {
        Err(self.wrong())
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> std::result::Result<(), A::Error> {
        Err(self.wrong())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let r = self.0;
        let mut index = 0;
        while let Some(v) = seq.next_element::<Value>()? {
            if let Err(e) = r.record(v, index) {
                return Err(r.stop(e));
            }
            index += 1;
        }
        Ok(())
    }
}

fn bad(file: &str, path: &str, message: impl Into<String>) -> Error {
    Error::CvrInvalid {
        file: file.to_string(),
        path: path.to_string(),
        message: message.into(),
    }
}

struct Parser<'a> {
    source: &'a str,
}

impl Parser<'_> {
    fn object<'v>(&self, v: &'v Value, path: &str) -> Result<&'v Map<String, Value>> {
        v.as_object()
            .ok_or_else(|| bad(self.source, path, "must be a JSON object"))
    }

    fn string(&self, obj: &Map<String, Value>, key: &str, path: &str) -> Result<String> {
        match obj.get(key) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(bad(self.source, &format!("{path}.{key}"), "must be a string")),
            None => Err(bad(self.source, &format!("{path}.{key}"), "is missing")),
        }
    }

    fn optional_string(&self, obj: &Map<String, Value>, key: &str, path: &str) -> Result<Option<String>> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(bad(self.source, &format!("{path}.{key}"), "must be a string")),
        }
    }

    fn list<'v>(&self, obj: &'v Map<String, Value>, key: &str, path: &str) -> Result<&'v [Value]> {
        match obj.get(key) {
            Some(Value::Array(list)) => Ok(list),
            None | Some(Value::Null) => Ok(&[]),
            Some(_) => Err(bad(self.source, &format!("{path}.{key}"), "must be a list")),
        }
    }

    fn election(&self, v: &Value, path: &str) -> Result<CdfElection> {
        let obj = self.object(v, path)?;
        let id = self.string(obj, "@id", path)?;
        let mut candidates = Vec::new();
        let mut candidate_index = HashMap::new();
        for (i, c) in self.list(obj, "Candidate", path)?.iter().enumerate() {
            let at = format!("{path}.Candidate[{i}]");
            let c = self.object(c, &at)?;
            let cid = self.string(c, "@id", &at)?;
            let name = self.string(c, "Name", &at)?;
            if candidate_index.insert(cid.clone(), candidates.len()).is_some() {
                return Err(bad(
                    self.source,
                    &format!("{at}.@id"),
                    format!("candidate id {cid:?} appears twice"),
                ));
            }
            candidates.push(CdfCandidate { id: cid, name });
        }
        let mut contests = Vec::new();
        let mut contest_ids = HashMap::new();
        for (i, c) in self.list(obj, "Contest", path)?.iter().enumerate() {
            let at = format!("{path}.Contest[{i}]");
            let c = self.object(c, &at)?;
            let cid = self.string(c, "@id", &at)?;
            let name = self.optional_string(c, "Name", &at)?.unwrap_or_default();
            if contest_ids.insert(cid.clone(), ()).is_some() {
                return Err(bad(
                    self.source,
                    &format!("{at}.@id"),
                    format!("contest id {cid:?} appears twice"),
                ));
            }
            let mut selections = Vec::new();
            let mut selection_ids = HashMap::new();
            for (j, s) in self.list(c, "ContestSelection", &at)?.iter().enumerate() {
                let sat = format!("{at}.ContestSelection[{j}]");
                let s = self.object(s, &sat)?;
                let sid = self.string(s, "@id", &sat)?;
                if selection_ids.insert(sid.clone(), ()).is_some() {
                    return Err(bad(
                        self.source,
                        &format!("{sat}.@id"),
                        format!("contest selection id {sid:?} appears twice"),
                    ));
                }
                let write_in = matches!(s.get("IsWriteIn"), Some(Value::Bool(true)))
                    || s.get("IsWriteIn").and_then(Value::as_str) == Some("true");
                let candidate =
                    match self.list(s, "CandidateIds", &sat)?.first() {
                        None => None,
                        Some(Value::String(ref_id)) => Some(*candidate_index.get(ref_id).ok_or_else(
                            || Error::CvrUnknownCandidate {
                                file: self.source.to_string(),
                                path: format!("{sat}.CandidateIds[0]"),
                                candidate: ref_id.clone(),
                            },
                        )?),
                        Some(_) => {
                            return Err(bad(
                                self.source,
                                &format!("{sat}.CandidateIds[0]"),
                                "must be a string",
                            ))
                        }
                    };
                let text = self.optional_string(s, "Selection", &sat)?;
                selections.push(CdfSelection {
                    id: sid,
                    candidate,
                    write_in,
                    text,
                });
            }
            contests.push(CdfContest {
                id: cid,
                name,
                selections,
            });
        }
        Ok(CdfElection {
            id,
            candidates,
            contests,
        })
    }

    /// A record's structure, checked, as its `Shape` and its ids.
    fn cvr(&self, v: Value, index: usize) -> Result<(Shape, Option<String>, Option<String>)> {
        let path = format!("CVR[{index}]");
        let obj = self.object(&v, &path)?;
        let unique_id = self.optional_string(obj, "UniqueId", &path)?;
        let ballot_id = self.optional_string(obj, "BallotPrePrintedId", &path)?;
        let election = self.optional_string(obj, "ElectionId", &path)?;
        let current = self.string(obj, "CurrentSnapshotId", &path)?;
        let snapshots = self.list(obj, "CVRSnapshot", &path)?;
        let mut found = None;
        for (i, s) in snapshots.iter().enumerate() {
            let at = format!("{path}.CVRSnapshot[{i}]");
            let s = self.object(s, &at)?;
            if self.string(s, "@id", &at)? == current {
                if found.is_some() {
                    return Err(bad(
                        self.source,
                        &format!("{at}.@id"),
                        format!("two snapshots have the id {current:?}"),
                    ));
                }
                found = Some((i, at, s));
            }
        }
        let (snapshot_index, at, snapshot) = found.ok_or_else(|| {
            bad(
                self.source,
                &format!("{path}.CurrentSnapshotId"),
                format!("{current:?} names no snapshot in CVRSnapshot"),
            )
        })?;
        let mut contests = Vec::new();
        for (i, c) in self.list(snapshot, "CVRContest", &at)?.iter().enumerate() {
            let cat = format!("{at}.CVRContest[{i}]");
            let c = self.object(c, &cat)?;
            let contest_id = self.string(c, "ContestId", &cat)?;
            let mut selections = Vec::new();
            for (j, s) in self.list(c, "CVRContestSelection", &cat)?.iter().enumerate() {
                let sat = format!("{cat}.CVRContestSelection[{j}]");
                let s = self.object(s, &sat)?;
                if s.get("Status").and_then(Value::as_str) == Some("needs-adjudication") {
                    return Err(bad(
                        self.source,
                        &format!("{sat}.Status"),
                        "\"needs-adjudication\": adjudicate the record before counting it",
                    ));
                }
                let selection_id = self.string(s, "ContestSelectionId", &sat)?;
                let mut marks = Vec::new();
                let outer_rank = match s.get("Rank") {
                    None | Some(Value::Null) => None,
                    Some(r) => Some(self.rank(r, &format!("{sat}.Rank"))?),
                };
                if let Some(rank) = outer_rank {
                    marks.push((Some(rank), None));
                } else {
                    for (k, pos) in self.list(s, "SelectionPosition", &sat)?.iter().enumerate() {
                        let pat = format!("{sat}.SelectionPosition[{k}]");
                        let pos = self.object(pos, &pat)?;
                        let write_in = match pos.get("CVRWriteIn") {
                            None | Some(Value::Null) => None,
                            Some(Value::Object(w)) => {
                                Some(w.get("Text").and_then(Value::as_str).unwrap_or("").to_string())
                            }
                            Some(_) => {
                                return Err(bad(
                                    self.source,
                                    &format!("{pat}.CVRWriteIn"),
                                    "must be a JSON object",
                                ))
                            }
                        };
                        let no = |key: &str| -> Result<bool> {
                            match pos.get(key) {
                                None | Some(Value::Null) => Ok(false),
                                Some(Value::String(s)) => Ok(s == "no"),
                                Some(_) => Err(bad(
                                    self.source,
                                    &format!("{pat}.{key}"),
                                    "must be \"yes\", \"no\" or \"unknown\"",
                                )),
                            }
                        };
                        if no("HasIndication")? || no("IsAllocable")? {
                            continue;
                        }
                        let rank = match pos.get("Rank") {
                            None | Some(Value::Null) => None,
                            Some(r) => Some(self.rank(r, &format!("{pat}.Rank"))?),
                        };
                        marks.push((rank, write_in));
                    }
                }
                selections.push(ShapeSelection {
                    id: selection_id,
                    marks,
                });
            }
            contests.push((contest_id, selections));
        }
        let shape = Shape {
            election,
            snapshot: snapshot_index,
            contests,
        };
        Ok((shape, unique_id, ballot_id))
    }

    /// A distinct record's references against the file's elections; an
    /// error names the first record of the shape.
    fn resolve(
        &self,
        shape: &Shape,
        first: &First,
        elections: &[CdfElection],
        ids: &HashMap<String, usize>,
    ) -> Result<CdfCvr> {
        let path = format!("CVR[{}]", first.index);
        let election = match &shape.election {
            Some(eid) => *ids.get(eid).ok_or_else(|| Error::CvrOtherElection {
                file: self.source.to_string(),
                path: format!("{path}.ElectionId"),
                message: format!("names election {eid:?}, which this file does not hold: this record belongs to another election"),
            })?,
            None if elections.len() == 1 => 0,
            None => return Err(bad(self.source, &format!("{path}.ElectionId"), "is missing (the file holds several elections)")),
        };
        let at = format!("{path}.CVRSnapshot[{}]", shape.snapshot);
        let e = &elections[election];
        let mut contests = Vec::with_capacity(shape.contests.len());
        for (i, (contest_id, selections)) in shape.contests.iter().enumerate() {
            let cat = format!("{at}.CVRContest[{i}]");
            let contest = e
                .contests
                .iter()
                .position(|x| x.id == *contest_id)
                .ok_or_else(|| Error::CvrOtherElection {
                    file: self.source.to_string(),
                    path: format!("{cat}.ContestId"),
                    message: format!(
                        "names contest {contest_id:?}, which election {:?} does not hold",
                        e.id
                    ),
                })?;
            let mut marks = Vec::new();
            for (j, s) in selections.iter().enumerate() {
                let sat = format!("{cat}.CVRContestSelection[{j}]");
                let selection = e.contests[contest]
                    .selections
                    .iter()
                    .position(|x| x.id == s.id)
                    .ok_or_else(|| Error::CvrUnknownCandidate {
                        file: self.source.to_string(),
                        path: format!("{sat}.ContestSelectionId"),
                        candidate: s.id.clone(),
                    })?;
                for (rank, write_in) in &s.marks {
                    marks.push(CdfMark {
                        selection,
                        rank: *rank,
                        write_in: write_in.clone(),
                    });
                }
            }
            contests.push(CdfCvrContest { contest, marks });
        }
        Ok(CdfCvr {
            index: first.index,
            unique_id: first.unique_id.clone(),
            ballot_id: first.ballot_id.clone(),
            count: first.count,
            election,
            contests,
        })
    }

    fn rank(&self, v: &Value, path: &str) -> Result<u32> {
        v.as_u64()
            .filter(|r| *r >= 1)
            .and_then(|r| u32::try_from(r).ok())
            .filter(|r| i32::try_from(*r).is_ok())
            .ok_or_else(|| {
                bad(
                    self.source,
                    path,
                    format!("{v} is not a rank (a whole number from 1)"),
                )
            })
    }
}
