//! The common cast vote record read in place: no parsed document, no
//! owned strings, no `Ballot`. The office verifies and merges millions of
//! records, and building each one's `Record` and `Ballot` (a map of
//! strings, a string per choice) was most of its time (`BENCHMARKS.md`).
//!
//! `Plan::read` accepts only a line that is, byte for byte, the canonical
//! record of a valid ballot in normal form without write-ins: the id, then
//! every contest of the definition in key order, each choice spelt exactly
//! as a candidate id (or `yes` / `no`) needing no escape, no choice twice,
//! no more than the contest allows, and the choices of a candidate or
//! approval contest in definition order. Anything else, a write-in or any
//! fault, is left to the full reading (`verify::Stream::next_record`),
//! which gives the same verdict and words as before. So a record read here
//! is one the full reading accepts, with the same choices (a property test
//! below checks both on random and damaged records).

use smallvec::SmallVec;

use crate::definition::{ContestKind, ElectionDefinition};
use crate::tabulate::{candidate_code, Code, NO_CODE, YES_CODE};

/// One contest as the record spells it.
struct ContestPlan {
    /// Its index in the definition (the tally's order).
    index: usize,
    /// `"<id>":[` as it appears in the line.
    key: Vec<u8>,
    yes_no: bool,
    /// The candidates' ids, in definition order.
    candidates: Vec<Vec<u8>>,
    /// At most this many choices.
    limit: usize,
    /// Choices in definition order (candidate and approval contests).
    ordered: bool,
}

/// What a definition's records look like, worked out once per file.
pub(crate) struct Plan {
    /// In key order (the canonical order of the record's map).
    contests: Vec<ContestPlan>,
}

/// The codes of one record: per contest in definition order.
pub(crate) type Codes = Vec<SmallVec<[Code; 8]>>;

const HEAD: &[u8] = b"{\"id\":\"";
const SELECTIONS: &[u8] = b"\",\"selections\":{";
const TAIL: &[u8] = b"}}";

impl Plan {
    pub(crate) fn new(definition: &ElectionDefinition) -> Plan {
        let mut contests: Vec<ContestPlan> = definition
            .contests
            .iter()
            .enumerate()
            .map(|(index, contest)| {
                let mut key = Vec::with_capacity(contest.id.as_str().len() + 4);
                key.push(b'"');
                key.extend_from_slice(contest.id.as_str().as_bytes());
                key.extend_from_slice(b"\":[");
                let (yes_no, limit, ordered) = match &contest.kind {
                    ContestKind::Candidate { seats, .. } => (false, *seats as usize, true),
                    ContestKind::YesNo { .. } => (true, 1, false),
                    ContestKind::Approval {
                        max_approvals,
                        candidates,
                    } => (
                        false,
                        max_approvals.map(|m| m as usize).unwrap_or(candidates.len()),
                        true,
                    ),
                    ContestKind::Ranked { max_rankings, .. } => (false, *max_rankings as usize, false),
                };
                ContestPlan {
                    index,
                    key,
                    yes_no,
                    candidates: contest
                        .kind
                        .candidates()
                        .iter()
                        .map(|c| c.id.as_str().as_bytes().to_vec())
                        .collect(),
                    limit,
                    ordered,
                }
            })
            .collect();
        contests.sort_by(|a, b| {
            definition.contests[a.index]
                .id
                .as_str()
                .cmp(definition.contests[b.index].id.as_str())
        });
        Plan { contests }
    }

    /// Empty codes for this plan's records.
    pub(crate) fn codes(&self) -> Codes {
        vec![SmallVec::new(); self.contests.len()]
    }

    /// The record's id and its choices as codes in `codes`, when `line` is
    /// the canonical record of a valid ballot in normal form without
    /// write-ins; `None` leaves it to the full reading.
    pub(crate) fn read<'l>(&self, line: &'l [u8], codes: &mut Codes) -> Option<&'l str> {
        let rest = line.strip_prefix(HEAD)?;
        let (id, rest) = rest.split_at_checked(32)?;
        if !id.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return None;
        }
        let mut rest = rest.strip_prefix(SELECTIONS)?;
        for (n, contest) in self.contests.iter().enumerate() {
            if n > 0 {
                rest = rest.strip_prefix(b",")?;
            }
            rest = rest.strip_prefix(&contest.key[..])?;
            let picked = &mut codes[contest.index];
            picked.clear();
            loop {
                if let Some(after) = rest.strip_prefix(b"]") {
                    rest = after;
                    break;
                }
                if !picked.is_empty() {
                    rest = rest.strip_prefix(b",")?;
                }
                let (word, after) = plain_string(rest)?;
                rest = after;
                let code = if contest.yes_no {
                    match word {
                        b"yes" => YES_CODE,
                        b"no" => NO_CODE,
                        _ => return None,
                    }
                } else {
                    candidate_code(contest.candidates.iter().position(|c| c[..] == *word)?)
                };
                if picked.contains(&code) || picked.len() == contest.limit {
                    return None;
                }
                if contest.ordered && picked.last().is_some_and(|&last| last > code) {
                    return None;
                }
                picked.push(code);
            }
        }
        if rest != TAIL {
            return None;
        }
        // Only hex digits: UTF-8.
        std::str::from_utf8(id).ok()
    }
}

/// A JSON string at the start of `bytes` that needs no escape (no `"`,
/// `\` or control character inside): its contents and what follows it.
fn plain_string(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let body = bytes.strip_prefix(b"\"")?;
    let end = body.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
    if body[end] != b'"' {
        return None;
    }
    Some((&body[..end], &body[end + 1..]))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use rand::rngs::StdRng;
    use rand::seq::SliceRandom;
    use rand::{Rng, SeedableRng};

    use super::*;
    use crate::ballot::{Ballot, SelectionsInput};
    use crate::export::build::is_normal_form;
    use crate::export::format::Record;
    use crate::tabulate::WeightedBallots;

    fn demo() -> ElectionDefinition {
        ElectionDefinition::parse(include_bytes!("../../examples/demo-election.json"))
            .expect("demo definition")
    }

    /// What the full reading (`verify::Stream::next_record`) accepts: the
    /// line is a record, in canonical form, its id 32 lowercase hex, its
    /// ballot valid and in normal form. Returns the id and the ballot.
    fn full_reading(definition: &ElectionDefinition, line: &[u8]) -> Option<(String, Ballot)> {
        let record: Record = serde_json::from_slice(line).ok()?;
        let canonical = serde_json::to_vec(&record).ok()?;
        if canonical != line || !crate::export::verify::is_hex(&record.id, 32) {
            return None;
        }
        let ballot = Ballot::validate(definition, &record.selections).ok()?;
        is_normal_form(definition, &ballot, &record.selections).then_some((record.id, ballot))
    }

    /// A random ballot's wire form, valid or not, in or out of order.
    fn random_selections(rng: &mut StdRng, definition: &ElectionDefinition) -> SelectionsInput {
        let mut s = BTreeMap::new();
        for contest in &definition.contests {
            let mut words: Vec<String> = contest
                .kind
                .candidates()
                .iter()
                .map(|c| c.id.as_str().to_string())
                .collect();
            if words.is_empty() {
                words = vec!["yes".into(), "no".into()];
            }
            let k = rng.gen_range(0..=words.len().min(4));
            let mut picked: Vec<String> = words.choose_multiple(rng, k).cloned().collect();
            if rng.gen_bool(0.5) {
                // Definition order (the normal form of most kinds).
                picked.sort_by_key(|w| words.iter().position(|x| x == w));
            }
            if rng.gen_bool(0.05) {
                picked.push("write-in:ANA".into());
            }
            s.insert(contest.id.as_str().to_string(), picked);
        }
        s
    }

    /// A few ways a line goes wrong: a byte changed, removed or doubled,
    /// an escape, a space.
    fn damage(rng: &mut StdRng, line: &mut Vec<u8>) {
        let at = rng.gen_range(0..line.len());
        match rng.gen_range(0..6) {
            0 => line[at] = b"\"\\ ,:[]{}aZ0-"[rng.gen_range(0..13)],
            1 => {
                line.remove(at);
            }
            2 => line.insert(at, line[at]),
            3 => line.insert(at, b' '),
            4 => {
                let text = String::from_utf8_lossy(line).replacen("\"kim\"", "\"\\u006bim\"", 1);
                *line = text.into_bytes();
            }
            _ => {
                let text = String::from_utf8_lossy(line).replacen("\"no\"", "\"yes\"", 1);
                *line = text.into_bytes();
            }
        }
    }

    /// Whatever is read in place is what the full reading accepts, with
    /// the same id and the same choices (the same tally); and every valid
    /// record without a write-in is read in place (else the office would
    /// not be faster).
    #[test]
    fn a_record_read_in_place_is_one_the_full_reading_accepts_with_the_same_choices() {
        let definition = demo();
        let plan = Plan::new(&definition);
        let mut codes = plan.codes();
        let mut rng = StdRng::seed_from_u64(17);
        let (mut in_place, mut valid, mut damaged) = (0, 0, 0);
        for n in 0..20_000u32 {
            let selections = random_selections(&mut rng, &definition);
            let mut id = [0u8; 16];
            rng.fill(&mut id);
            let record = Record {
                id: hex::encode(id),
                selections,
            };
            let mut line = serde_json::to_vec(&record).expect("json");
            if n % 2 == 1 {
                damage(&mut rng, &mut line);
                damaged += 1;
            }
            let full = full_reading(&definition, &line);
            let fast = plan.read(&line, &mut codes);
            if let Some(fast_id) = fast {
                in_place += 1;
                let (full_id, ballot) = full.clone().unwrap_or_else(|| {
                    panic!(
                        "read in place, refused by the full reading: {}",
                        String::from_utf8_lossy(&line)
                    )
                });
                assert_eq!(fast_id, full_id);
                let mut a = WeightedBallots::new(&definition);
                a.add(&definition, &ballot);
                let mut b = WeightedBallots::new(&definition);
                for (i, c) in codes.iter().enumerate() {
                    b.add_codes(i, c, 1);
                }
                b.add_ballots(1);
                assert_eq!(a, b, "{}", String::from_utf8_lossy(&line));
            }
            if let Some((_, ballot)) = &full {
                valid += 1;
                let written_in = ballot
                    .contests
                    .values()
                    .flatten()
                    .any(|c| matches!(c, crate::ballot::Choice::WriteIn(_)));
                assert!(
                    written_in || fast.is_some(),
                    "a valid record without a write-in is read in place: {}",
                    String::from_utf8_lossy(&line)
                );
            }
        }
        assert!(
            in_place > 1_000 && valid >= in_place && damaged == 10_000,
            "{in_place} read in place, {valid} valid, {damaged} damaged"
        );
    }
}
