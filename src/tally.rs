//! Simple counts per contest, enough to check an election day: marks per
//! choice (first choices for ranked contests) and blank contests. Full
//! tabulation (winners, thresholds, instant-runoff rounds) is a separate
//! module still to come.

use std::collections::BTreeMap;

use crate::ballot::{Ballot, Choice};
use crate::definition::{ContestKind, ElectionDefinition};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContestCounts {
    pub contest: String,
    pub kind: &'static str,
    /// Ballots that marked nothing in this contest.
    pub blank: u64,
    /// Marks per choice (candidate id, "yes"/"no", "write-in:<name>"), in
    /// definition order then write-ins. Ranked contests count first choices.
    pub marks: Vec<(String, u64)>,
}

pub fn count(definition: &ElectionDefinition, ballots: &[Ballot]) -> Vec<ContestCounts> {
    definition
        .contests
        .iter()
        .map(|contest| {
            let mut listed: Vec<(String, u64)> = match &contest.kind {
                ContestKind::YesNo { .. } => vec![("yes".into(), 0), ("no".into(), 0)],
                kind => kind
                    .candidates()
                    .iter()
                    .map(|c| (c.id.as_str().to_string(), 0))
                    .collect(),
            };
            let mut write_ins: BTreeMap<String, u64> = BTreeMap::new();
            let mut blank = 0;
            for ballot in ballots {
                let choices = ballot.contests.get(&contest.id).map(Vec::as_slice).unwrap_or(&[]);
                if choices.is_empty() {
                    blank += 1;
                }
                let counted = match contest.kind {
                    ContestKind::Ranked { .. } => &choices[..choices.len().min(1)],
                    _ => choices,
                };
                for choice in counted {
                    match choice {
                        Choice::WriteIn(_) => *write_ins.entry(choice.encode()).or_default() += 1,
                        other => {
                            let key = other.encode();
                            if let Some(entry) = listed.iter_mut().find(|(k, _)| *k == key) {
                                entry.1 += 1;
                            }
                        }
                    }
                }
            }
            listed.extend(write_ins);
            ContestCounts {
                contest: contest.id.as_str().to_string(),
                kind: contest.kind.name(),
                blank,
                marks: listed,
            }
        })
        .collect()
}
