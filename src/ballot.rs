//! A voter's selections, validated against the election definition.
//!
//! On the wire (CLI, test decks, the desktop shell) selections are a JSON
//! object from contest id to a list of choices: candidate ids, `"yes"` /
//! `"no"`, or `"write-in:<name>"`. For ranked contests the list is in rank
//! order. A missing contest or an empty list is an under-vote (allowed and
//! recorded); an over-vote is refused.

use std::collections::{BTreeMap, BTreeSet};

use unicode_normalization::UnicodeNormalization;

use crate::definition::{ContestId, ContestKind, ElectionDefinition};
use crate::error::{Error, Result};

pub const WRITE_IN_PREFIX: &str = "write-in:";
pub const MAX_WRITE_IN_CHARS: usize = 60;

/// Raw selections as they arrive from a voter interface.
pub type SelectionsInput = BTreeMap<String, Vec<String>>;

/// One mark on a ballot.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Choice {
    Candidate(String),
    Yes,
    No,
    /// A normalised write-in name.
    WriteIn(String),
}

impl Choice {
    /// The wire form of this choice.
    /// Whether `wire` is this choice's wire form (`encode`), without
    /// allocating.
    pub fn is_encoded_as(&self, wire: &str) -> bool {
        match self {
            Choice::Candidate(id) => id == wire,
            Choice::Yes => wire == "yes",
            Choice::No => wire == "no",
            Choice::WriteIn(name) => wire.strip_prefix(WRITE_IN_PREFIX) == Some(name.as_str()),
        }
    }

    pub fn encode(&self) -> String {
        match self {
            Choice::Candidate(id) => id.clone(),
            Choice::Yes => "yes".into(),
            Choice::No => "no".into(),
            Choice::WriteIn(name) => format!("{WRITE_IN_PREFIX}{name}"),
        }
    }
}

/// A validated ballot: every contest of the definition, with its choices
/// (empty for an under-vote), ranked contests in rank order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ballot {
    pub contests: BTreeMap<ContestId, Vec<Choice>>,
}

impl Ballot {
    /// Validates `input` against `definition`.
    pub fn validate(definition: &ElectionDefinition, input: &SelectionsInput) -> Result<Self> {
        for id in input.keys() {
            if definition.contest(id).is_none() {
                return Err(bad(format!("there is no contest {id:?} in this election")));
            }
        }
        let mut contests = BTreeMap::new();
        for contest in &definition.contests {
            let raw = input.get(contest.id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
            let cid = contest.id.as_str();
            let mut choices = Vec::with_capacity(raw.len());
            for r in raw {
                let choice = if let Some(name) = r.strip_prefix(WRITE_IN_PREFIX) {
                    match &contest.kind {
                        ContestKind::Candidate { write_ins: true, .. } => {
                            Choice::WriteIn(normalise_write_in(cid, name)?)
                        }
                        _ => return Err(bad(format!("{cid}: this contest does not allow write-ins"))),
                    }
                } else {
                    match (&contest.kind, r.as_str()) {
                        (ContestKind::YesNo { .. }, "yes") => Choice::Yes,
                        (ContestKind::YesNo { .. }, "no") => Choice::No,
                        (ContestKind::YesNo { .. }, other) => {
                            return Err(bad(format!("{cid}: answer \"yes\" or \"no\", not {other:?}")))
                        }
                        (_, id) if contest.candidate(id).is_some() => Choice::Candidate(id.to_string()),
                        (_, id) => return Err(bad(format!("{cid}: there is no candidate {id:?}"))),
                    }
                };
                choices.push(choice);
            }
            // A few choices per contest: comparing each pair allocates
            // nothing (the office verifies millions of ballots this way).
            let repeated = if choices.len() <= 16 {
                choices.iter().enumerate().any(|(i, c)| choices[..i].contains(c))
            } else {
                choices.iter().collect::<BTreeSet<&Choice>>().len() != choices.len()
            };
            if repeated {
                return Err(bad(format!("{cid}: the same choice is marked twice")));
            }
            let limit = match &contest.kind {
                ContestKind::Candidate { seats, .. } => *seats as usize,
                ContestKind::YesNo { .. } => 1,
                ContestKind::Approval {
                    max_approvals,
                    candidates,
                } => max_approvals.map(|m| m as usize).unwrap_or(candidates.len()),
                ContestKind::Ranked { max_rankings, .. } => *max_rankings as usize,
            };
            if choices.len() > limit {
                return Err(bad(format!(
                    "{cid}: too many choices ({}); at most {limit} allowed",
                    choices.len()
                )));
            }
            contests.insert(contest.id.clone(), choices);
        }
        Ok(Ballot { contests })
    }

    /// The wire form: every contest, each choice as `Choice::encode`
    /// writes it (what `validate` reads back, and a cast vote record's
    /// `selections`).
    pub fn selections(&self) -> SelectionsInput {
        self.contests
            .iter()
            .map(|(id, choices)| {
                (
                    id.as_str().to_string(),
                    choices.iter().map(Choice::encode).collect(),
                )
            })
            .collect()
    }

    /// The stored form: canonical JSON of the wire form.
    pub fn to_json(&self) -> String {
        let map: serde_json::Map<String, serde_json::Value> = self
            .selections()
            .into_iter()
            .map(|(id, choices)| {
                let list = choices.into_iter().map(serde_json::Value::String).collect();
                (id, serde_json::Value::Array(list))
            })
            .collect();
        crate::canonical::to_canonical_string(&serde_json::Value::Object(map))
    }

    /// Reads a stored ballot back (already validated when it was cast).
    pub fn from_json(definition: &ElectionDefinition, json: &str) -> Result<Self> {
        let input: SelectionsInput = serde_json::from_str(json)
            .map_err(|e| Error::Damaged(format!("unreadable stored ballot: {e}")))?;
        Ballot::validate(definition, &input)
    }
}

fn bad(message: String) -> Error {
    Error::InvalidSelection(message)
}

/// NFC, trimmed, inner whitespace collapsed to single spaces, bounded.
pub fn normalise_write_in(contest: &str, name: &str) -> Result<String> {
    if name.chars().any(char::is_control) {
        return Err(bad(format!(
            "{contest}: a write-in name cannot contain control characters"
        )));
    }
    let nfc: String = name.nfc().collect();
    let normal = nfc.split_whitespace().collect::<Vec<_>>().join(" ");
    if normal.is_empty() {
        return Err(bad(format!("{contest}: the write-in name is empty")));
    }
    if normal.chars().count() > MAX_WRITE_IN_CHARS {
        return Err(bad(format!(
            "{contest}: a write-in name has at most {MAX_WRITE_IN_CHARS} characters"
        )));
    }
    Ok(normal)
}

/// Parses CLI `CONTEST=CHOICE[,CHOICE...]` arguments into selections.
pub fn parse_choice_args(args: &[String]) -> Result<SelectionsInput> {
    let mut out = SelectionsInput::new();
    for arg in args {
        let (contest, choices) = arg
            .split_once('=')
            .ok_or_else(|| Error::InvalidInput(format!("{arg:?}: expected CONTEST=CHOICE[,CHOICE...]")))?;
        let list: Vec<String> = choices
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        if out.insert(contest.trim().to_string(), list).is_some() {
            return Err(Error::InvalidInput(format!("contest {contest:?} is given twice")));
        }
    }
    Ok(out)
}
