//! Tabulation: the numbers officials sign and publish. Pure functions, no
//! I/O: a validated definition and its ballots in, a typed
//! [`ElectionResult`] out. Every rule is stated in plain words in
//! `docs/tabulation.md`; the result format is in `docs/formats.md`.
//!
//! - `plurality`: `candidate` (vote for N, write-ins) and `approval`;
//! - `yesno`: measures with a threshold;
//! - `irv`: instant runoff, round by round, with the contest's rules;
//! - `result`: the serialisable result types;
//! - `text`: a result as a plain-text table (the CLI's `tally`);
//! - `rctab`: RCTab-identical ranked-choice counting of NIST CDF cast vote
//!   records under an RCTab config (`votekiosk tabulate --rules`).
//!
//! Each kind first turns the ballots into a compact layout (flat arrays of
//! candidate indices) and counts over that, so a million ballots take
//! milliseconds (see `BENCHMARKS.md`).

pub mod irv;
pub mod plurality;
pub mod rctab;
pub mod result;
pub mod text;
pub mod yesno;

use std::collections::HashMap;

pub use result::{
    ApprovalResult, CandidateResult, ContestResult, Draw, ElectionResult, ExhaustedBy, RankedResult, Round,
    TieBreakRecord, Transfer, Votes, WriteInName, WriteIns, YesNoResult, RESULT_FORMAT, WRITE_IN_LINE,
};

use crate::ballot::{Ballot, Choice};
use crate::definition::{Contest, ContestKind, ElectionDefinition};
use crate::turnout::Turnout;

impl ElectionResult {
    /// Wraps contest results with the election's identity, the station's
    /// id and turnout.
    pub fn new(
        definition: &ElectionDefinition,
        station_id: &str,
        mode: &str,
        test: bool,
        turnout: Turnout,
        contests: Vec<ContestResult>,
    ) -> Self {
        ElectionResult {
            format: RESULT_FORMAT.to_string(),
            definition_hash: definition.hash().to_hex(),
            station_id: station_id.to_string(),
            mode: mode.to_string(),
            test,
            turnout,
            contests,
        }
    }

    pub fn contest(&self, id: &str) -> Option<&ContestResult> {
        self.contests.iter().find(|c| c.id() == id)
    }
}

/// Counts every contest of `definition` over `ballots` (validated ballots
/// of this definition), in definition order.
pub fn tabulate(definition: &ElectionDefinition, ballots: &[Ballot]) -> Vec<ContestResult> {
    definition
        .contests
        .iter()
        .map(|contest| tabulate_contest(definition, contest, ballots))
        .collect()
}

/// The choices a ballot makes in `contest` (none if it is not there).
fn choices<'a>(ballot: &'a Ballot, contest: &Contest) -> &'a [Choice] {
    ballot.contests.get(&contest.id).map(Vec::as_slice).unwrap_or(&[])
}

/// Candidate id → index, for the compact layouts.
fn index_of(contest: &Contest) -> HashMap<&str, u8> {
    contest
        .kind
        .candidates()
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), u8::try_from(i).expect("at most 200 candidates")))
        .collect()
}

fn candidate_index(index: &HashMap<&str, u8>, contest: &Contest, choice: &Choice) -> u8 {
    match choice {
        Choice::Candidate(id) => *index.get(id.as_str()).unwrap_or_else(|| {
            panic!(
                "{}: a validated ballot names unknown candidate {id:?}",
                contest.id
            )
        }),
        other => panic!("{}: a validated ballot holds {other:?} here", contest.id),
    }
}

/// Counts one contest.
pub fn tabulate_contest(
    definition: &ElectionDefinition,
    contest: &Contest,
    ballots: &[Ballot],
) -> ContestResult {
    let ids: Vec<&str> = contest.kind.candidates().iter().map(|c| c.id.as_str()).collect();
    let cid = contest.id.as_str();
    match &contest.kind {
        ContestKind::Candidate { seats, write_ins, .. } => {
            let marked = marked_ballots(contest, ballots);
            ContestResult::Candidate(plurality::candidate(cid, &ids, *seats, *write_ins, &marked))
        }
        ContestKind::Approval { max_approvals, .. } => {
            let marked = marked_ballots(contest, ballots);
            let limit = max_approvals.map(|m| m as usize).unwrap_or(ids.len());
            ContestResult::Approval(plurality::approval(cid, &ids, limit, &marked))
        }
        ContestKind::YesNo { threshold, .. } => {
            let answers = ballots.iter().map(|b| {
                let c = choices(b, contest);
                assert!(c.len() <= 1, "{cid}: an over-voted measure reached the count");
                match c.first() {
                    None => None,
                    Some(Choice::Yes) => Some(true),
                    Some(Choice::No) => Some(false),
                    Some(other) => panic!("{cid}: a validated ballot answers {other:?}"),
                }
            });
            ContestResult::YesNo(yesno::tabulate(cid, *threshold, answers))
        }
        ContestKind::Ranked { rules, .. } => {
            let index = index_of(contest);
            let total: usize = ballots.iter().map(|b| choices(b, contest).len()).sum();
            let mut ranked = irv::RankedBallots::with_capacity(ids.len(), ballots.len(), total);
            let mut ranking = Vec::new();
            for b in ballots {
                ranking.clear();
                ranking.extend(
                    choices(b, contest)
                        .iter()
                        .map(|c| candidate_index(&index, contest, c)),
                );
                ranked.push_ranking(&ranking);
            }
            let seed = || {
                let encoded = ballots
                    .iter()
                    .map(|b| {
                        let positions: Vec<[&str; 1]> = choices(b, contest)
                            .iter()
                            .map(|c| match c {
                                Choice::Candidate(id) => [id.as_str()],
                                other => panic!("{cid}: a validated ballot ranks {other:?}"),
                            })
                            .collect();
                        irv::encode_positions(&positions)
                    })
                    .collect();
                irv::draw_seed(&definition.hash(), cid, &irv::ballots_digest(encoded))
            };
            ContestResult::Ranked(irv::tabulate(cid, &ids, rules, &ranked, &seed))
        }
    }
}

fn marked_ballots(contest: &Contest, ballots: &[Ballot]) -> plurality::MarkedBallots {
    let index = index_of(contest);
    let total: usize = ballots.iter().map(|b| choices(b, contest).len()).sum();
    let mut marked = plurality::MarkedBallots::with_capacity(index.len(), ballots.len(), total);
    let (mut picked, mut names) = (Vec::new(), Vec::new());
    for b in ballots {
        picked.clear();
        names.clear();
        for c in choices(b, contest) {
            match c {
                Choice::WriteIn(name) => names.push(name.as_str()),
                other => picked.push(candidate_index(&index, contest, other)),
            }
        }
        marked.push(&picked, &names);
    }
    marked
}
