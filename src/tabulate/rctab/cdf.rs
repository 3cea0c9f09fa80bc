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
//! The whole file is parsed at once (streaming is issue 17), but the `CVR`
//! list is converted one record at a time and the JSON dropped as it goes.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// One `CastVoteRecordReport` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdfReport {
    /// The file's name as given (for messages).
    pub source: String,
    pub elections: Vec<CdfElection>,
    pub cvrs: Vec<CdfCvr>,
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

/// One `CVR`, reduced to its current snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdfCvr {
    /// Position in the file's `CVR` list (0-based).
    pub index: usize,
    /// `UniqueId`, if given.
    pub unique_id: Option<String>,
    /// `BallotPrePrintedId`, if given.
    pub ballot_id: Option<String>,
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

    /// Where CVR `index` is, for messages: `file: CVR[index] (UniqueId "…")`.
    pub fn locate(&self, cvr: &CdfCvr) -> String {
        match &cvr.unique_id {
            Some(id) => format!("{}: CVR[{}] (UniqueId {id:?})", self.source, cvr.index),
            None => format!("{}: CVR[{}]", self.source, cvr.index),
        }
    }
}

/// Reads every file, refusing a `UniqueId` that appears twice anywhere.
pub fn read_cdf_cvrs<P: AsRef<Path>>(paths: &[P]) -> Result<Vec<CdfReport>> {
    let mut reports = Vec::new();
    for path in paths {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::FileNotFound(path.display().to_string())
            } else {
                Error::io(path, e)
            }
        })?;
        reports.push(parse_cdf_cvrs(&bytes, &path.display().to_string())?);
    }
    check_unique_ids(&reports)?;
    Ok(reports)
}

/// Refuses a `UniqueId` seen twice across `reports`, naming both places.
pub fn check_unique_ids(reports: &[CdfReport]) -> Result<()> {
    let mut seen: HashMap<&str, String> = HashMap::new();
    for report in reports {
        for cvr in &report.cvrs {
            if let Some(id) = &cvr.unique_id {
                let here = format!("{}: CVR[{}]", report.source, cvr.index);
                if let Some(first) = seen.insert(id, here.clone()) {
                    return Err(Error::CvrDuplicateId {
                        id: id.clone(),
                        first,
                        second: here,
                    });
                }
            }
        }
    }
    Ok(())
}

/// Parses one CDF JSON file; `source` names it in errors. Refuses a
/// `UniqueId` repeated inside the file.
pub fn parse_cdf_cvrs(bytes: &[u8], source: &str) -> Result<CdfReport> {
    let mut root: Value =
        serde_json::from_slice(bytes).map_err(|e| bad(source, "(file)", format!("not JSON: {e}")))?;
    let p = Parser { source };
    let obj = root
        .as_object_mut()
        .ok_or_else(|| bad(source, "(file)", "must be a JSON object (a CastVoteRecordReport)"))?;
    if let Some(t) = obj.get("@type") {
        if t.as_str() != Some("CVR.CastVoteRecordReport") {
            return Err(bad(
                source,
                "@type",
                format!("is {t}, not \"CVR.CastVoteRecordReport\""),
            ));
        }
    }
    let elections = match obj.get("Election") {
        Some(Value::Array(list)) if !list.is_empty() => list
            .iter()
            .enumerate()
            .map(|(i, e)| p.election(e, &format!("Election[{i}]")))
            .collect::<Result<Vec<_>>>()?,
        _ => return Err(bad(source, "Election", "must be a non-empty list")),
    };
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
    let cvr_list = match obj.get_mut("CVR").map(Value::take) {
        Some(Value::Array(list)) => list,
        Some(_) => return Err(bad(source, "CVR", "must be a list")),
        None => Vec::new(),
    };
    drop(root);
    let mut cvrs = Vec::with_capacity(cvr_list.len());
    for (i, cvr) in cvr_list.into_iter().enumerate() {
        cvrs.push(p.cvr(cvr, i, &elections, &ids)?);
    }
    let report = CdfReport {
        source: source.to_string(),
        elections,
        cvrs,
    };
    check_unique_ids(std::slice::from_ref(&report))?;
    Ok(report)
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

    fn cvr(
        &self,
        v: Value,
        index: usize,
        elections: &[CdfElection],
        ids: &HashMap<String, usize>,
    ) -> Result<CdfCvr> {
        let path = format!("CVR[{index}]");
        let obj = self.object(&v, &path)?;
        let unique_id = self.optional_string(obj, "UniqueId", &path)?;
        let ballot_id = self.optional_string(obj, "BallotPrePrintedId", &path)?;
        let election = match self.optional_string(obj, "ElectionId", &path)? {
            Some(eid) => *ids.get(&eid).ok_or_else(|| Error::CvrOtherElection {
                file: self.source.to_string(),
                path: format!("{path}.ElectionId"),
                message: format!("names election {eid:?}, which this file does not hold: this record belongs to another election"),
            })?,
            None if elections.len() == 1 => 0,
            None => return Err(bad(self.source, &format!("{path}.ElectionId"), "is missing (the file holds several elections)")),
        };
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
                found = Some((at, s));
            }
        }
        let (at, snapshot) = found.ok_or_else(|| {
            bad(
                self.source,
                &format!("{path}.CurrentSnapshotId"),
                format!("{current:?} names no snapshot in CVRSnapshot"),
            )
        })?;
        let e = &elections[election];
        let mut contests = Vec::new();
        for (i, c) in self.list(snapshot, "CVRContest", &at)?.iter().enumerate() {
            let cat = format!("{at}.CVRContest[{i}]");
            let c = self.object(c, &cat)?;
            let contest_id = self.string(c, "ContestId", &cat)?;
            let contest = e
                .contests
                .iter()
                .position(|x| x.id == contest_id)
                .ok_or_else(|| Error::CvrOtherElection {
                    file: self.source.to_string(),
                    path: format!("{cat}.ContestId"),
                    message: format!(
                        "names contest {contest_id:?}, which election {:?} does not hold",
                        e.id
                    ),
                })?;
            let mut marks = Vec::new();
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
                let selection = e.contests[contest]
                    .selections
                    .iter()
                    .position(|x| x.id == selection_id)
                    .ok_or_else(|| Error::CvrUnknownCandidate {
                        file: self.source.to_string(),
                        path: format!("{sat}.ContestSelectionId"),
                        candidate: selection_id.clone(),
                    })?;
                let outer_rank = match s.get("Rank") {
                    None | Some(Value::Null) => None,
                    Some(r) => Some(self.rank(r, &format!("{sat}.Rank"))?),
                };
                if let Some(rank) = outer_rank {
                    marks.push(CdfMark {
                        selection,
                        rank: Some(rank),
                        write_in: None,
                    });
                    continue;
                }
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
                    marks.push(CdfMark {
                        selection,
                        rank,
                        write_in,
                    });
                }
            }
            contests.push(CdfCvrContest { contest, marks });
        }
        Ok(CdfCvr {
            index,
            unique_id,
            ballot_id,
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
