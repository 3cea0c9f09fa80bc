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

use smallvec::SmallVec;

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
    count_contest(definition, contest, &|| {
        ballots.iter().map(|b| (choices(b, contest).iter(), 1u64))
    })
}

/// Counts one contest from its distinct choice lists, each with how many
/// ballots hold it (the weighted form `WeightedBallots` gathers): the same
/// result as counting every ballot, in memory bounded by the number of
/// distinct choice lists (a ranked contest of 8 candidates has at most
/// 109,601), not by the number of ballots.
pub fn tabulate_contest_weighted(
    definition: &ElectionDefinition,
    contest: &Contest,
    distinct: &[(Vec<Choice>, u64)],
) -> ContestResult {
    count_contest(definition, contest, &|| {
        distinct.iter().map(|(c, n)| (c.iter(), *n))
    })
}

/// Counts one contest over `ballots()`: (choices, how many ballots hold
/// them), each choice list read as an iterator (a ballot's slice, or a
/// tally's codes looked up in place). Called more than once (sizes, marks,
/// the draw seed).
fn count_contest<'a, I, C>(
    definition: &ElectionDefinition,
    contest: &Contest,
    ballots: &dyn Fn() -> I,
) -> ContestResult
where
    I: Iterator<Item = (C, u64)>,
    C: ExactSizeIterator<Item = &'a Choice>,
{
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
            let answers = ballots().map(|(mut c, n)| {
                assert!(c.len() <= 1, "{cid}: an over-voted measure reached the count");
                let answer = match c.next() {
                    None => None,
                    Some(Choice::Yes) => Some(true),
                    Some(Choice::No) => Some(false),
                    Some(other) => panic!("{cid}: a validated ballot answers {other:?}"),
                };
                (answer, n)
            });
            ContestResult::YesNo(yesno::tabulate_weighted(cid, *threshold, answers))
        }
        ContestKind::Ranked { rules, .. } => {
            let index = index_of(contest);
            let (entries, total) = ballots().fold((0usize, 0usize), |(e, t), (c, _)| (e + 1, t + c.len()));
            let mut ranked = irv::RankedBallots::with_capacity(ids.len(), entries, total);
            let mut ranking = Vec::new();
            for (c, n) in ballots() {
                ranking.clear();
                ranking.extend(c.map(|c| candidate_index(&index, contest, c)));
                ranked.push_ranking_weighted(&ranking, n);
            }
            let seed = || {
                let encoded = ballots()
                    .filter(|(_, n)| *n > 0)
                    .map(|(c, n)| {
                        let positions: Vec<[&str; 1]> = c
                            .map(|c| match c {
                                Choice::Candidate(id) => [id.as_str()],
                                other => panic!("{cid}: a validated ballot ranks {other:?}"),
                            })
                            .collect();
                        (irv::encode_positions(&positions), n)
                    })
                    .collect();
                irv::draw_seed(&definition.hash(), cid, &irv::ballots_digest_weighted(encoded))
            };
            ContestResult::Ranked(irv::tabulate(cid, &ids, rules, &ranked, &seed))
        }
    }
}

fn marked_ballots<'a, I, C>(contest: &Contest, ballots: &dyn Fn() -> I) -> plurality::MarkedBallots
where
    I: Iterator<Item = (C, u64)>,
    C: ExactSizeIterator<Item = &'a Choice>,
{
    let index = index_of(contest);
    let (entries, total) = ballots().fold((0usize, 0usize), |(e, t), (c, _)| (e + 1, t + c.len()));
    let mut marked = plurality::MarkedBallots::with_capacity(index.len(), entries, total);
    let (mut picked, mut names) = (Vec::new(), Vec::new());
    for (c, n) in ballots() {
        picked.clear();
        names.clear();
        for c in c {
            match c {
                Choice::WriteIn(name) => names.push(name.as_str()),
                other => picked.push(candidate_index(&index, contest, other)),
            }
        }
        marked.push_weighted(&picked, &names, n);
    }
    marked
}

/// Ballots gathered as they stream past, in memory bounded by the
/// election's shape: per contest, each distinct choice list once with how
/// many ballots hold it. `tabulate` counts them exactly as `tabulate`
/// (the free function) counts the ballots themselves.
///
/// A choice list is held as small numbers (`Code`), not as the choices'
/// strings: a full ranking of 8 candidates is 32 bytes inline, about 60
/// with the map's own share, where its `Vec<Choice>` took about 560. The
/// office holds one of these per file it has open (`export::merge`), so
/// this is what bounds its memory (`BENCHMARKS.md`).
#[derive(Debug, Clone, Default)]
pub struct WeightedBallots {
    contests: Vec<ContestTally>,
    ballots: u64,
}

/// A choice as a number in one contest's tally: `Yes` 0, `No` 1, then
/// the contest's candidates in definition order (`candidate_code`), then
/// each other choice (a write-in name) as it is first seen.
pub type Code = u32;
pub const YES_CODE: Code = 0;
pub const NO_CODE: Code = 1;

/// The code of a contest's `k`th candidate (definition order).
pub fn candidate_code(k: usize) -> Code {
    Code::try_from(k + 2).expect("fewer than 2^32 candidates")
}

/// A choice list as codes, inline up to 8 (a full ranking of 8).
type Key = SmallVec<[Code; 8]>;

#[derive(Debug, Clone, Default)]
struct ContestTally {
    /// Every choice by its code.
    choices: Vec<Choice>,
    /// Each choice but `Yes` and `No`, to its code.
    codes: HashMap<Choice, Code>,
    counts: HashMap<Key, u64>,
    /// The most distinct choice lists this contest's shape allows, when
    /// that is at most `SHAPE_ROOM` (`shape_bound`).
    bound: Option<usize>,
}

/// The most distinct choice lists a tally makes room for up front
/// (`WeightedBallots::reserve_for`): 2^17, which holds every ranking of
/// 8 candidates (109,601 with the empty one) at about 6.4 MB.
pub const SHAPE_ROOM: usize = 1 << 17;

/// How many distinct choice lists `contest` allows ballots from this
/// kiosk to hold (write-ins aside: each name is one more), if at most
/// `SHAPE_ROOM`: rankings of up to `max_rankings` of n candidates (the
/// sum of n!/(n−k)!), or sets of up to `seats` (`max_approvals`) of them
/// (the sum of C(n, k)); three for a measure. A hint for room, never a
/// limit: a tally holds whatever it is given.
fn shape_bound(contest: &Contest) -> Option<usize> {
    let n = contest.kind.candidates().len();
    let (most, ordered) = match &contest.kind {
        ContestKind::YesNo { .. } => return Some(3),
        ContestKind::Candidate { seats, .. } => (*seats as usize, false),
        ContestKind::Approval { max_approvals, .. } => (max_approvals.map_or(n, |m| m as usize), false),
        ContestKind::Ranked { max_rankings, .. } => (*max_rankings as usize, true),
    };
    let (mut total, mut lists) = (1usize, 1usize);
    for k in 1..=most.min(n) {
        // Lists of k: n!/(n−k)! ordered, C(n, k) = that ÷ k! unordered.
        lists = lists.checked_mul(n + 1 - k)?;
        if !ordered {
            lists /= k;
        }
        total = total.checked_add(lists)?;
        if total > SHAPE_ROOM {
            return None;
        }
    }
    Some(total)
}

impl ContestTally {
    fn new(contest: &Contest) -> Self {
        let mut tally = ContestTally {
            choices: vec![Choice::Yes, Choice::No],
            bound: shape_bound(contest),
            ..ContestTally::default()
        };
        for (k, candidate) in contest.kind.candidates().iter().enumerate() {
            let code = tally.code(&Choice::Candidate(candidate.id.as_str().to_string()));
            assert_eq!(
                code,
                candidate_code(k),
                "candidate ids are unique in a definition"
            );
        }
        tally
    }

    /// The code of `choice`, given one the first time it is seen.
    fn code(&mut self, choice: &Choice) -> Code {
        match choice {
            Choice::Yes => YES_CODE,
            Choice::No => NO_CODE,
            other => {
                if let Some(&code) = self.codes.get(other) {
                    return code;
                }
                let code = Code::try_from(self.choices.len()).expect("fewer than 2^32 distinct choices");
                self.choices.push(other.clone());
                self.codes.insert(other.clone(), code);
                code
            }
        }
    }

    fn add(&mut self, key: Key, weight: u64) {
        let n = self.counts.entry(key).or_insert(0);
        *n = n.saturating_add(weight);
    }

    fn decode(&self, key: &Key) -> Vec<Choice> {
        key.iter().map(|&c| self.choices[c as usize].clone()).collect()
    }

    /// A held choice list's choices, in place.
    fn choices_of<'a>(&'a self, key: &'a Key) -> impl ExactSizeIterator<Item = &'a Choice> + 'a {
        key.iter().map(|&c| &self.choices[c as usize])
    }
}

impl WeightedBallots {
    /// Empty, for the contests of `definition`.
    pub fn new(definition: &ElectionDefinition) -> Self {
        WeightedBallots {
            contests: definition.contests.iter().map(ContestTally::new).collect(),
            ballots: 0,
        }
    }

    /// Adds one validated ballot of `definition`.
    pub fn add(&mut self, definition: &ElectionDefinition, ballot: &Ballot) {
        self.add_weighted(definition, ballot, 1);
    }

    /// Adds `weight` ballots alike to `ballot` (a validated ballot of
    /// `definition`), e.g. a distinct cast vote record with its count.
    pub fn add_weighted(&mut self, definition: &ElectionDefinition, ballot: &Ballot, weight: u64) {
        for (i, contest) in definition.contests.iter().enumerate() {
            self.add_choices(i, choices(ballot, contest), weight);
        }
        self.ballots = self.ballots.saturating_add(weight);
    }

    /// Adds `weight` ballots holding `choices` in the contest at `index`
    /// (definition order); `add_ballots` counts the ballots themselves.
    /// Allocates nothing for a choice list already held.
    pub fn add_choices(&mut self, index: usize, choices: &[Choice], weight: u64) {
        let tally = &mut self.contests[index];
        let key: Key = choices.iter().map(|c| tally.code(c)).collect();
        tally.add(key, weight);
    }

    /// Adds `weight` ballots holding the choices `codes` (`YES_CODE`,
    /// `NO_CODE`, `candidate_code`) in the contest at `index`: what
    /// `add_choices` adds for those choices, from a record read in place
    /// (`export::in_place`) without building its choices.
    pub fn add_codes(&mut self, index: usize, codes: &[Code], weight: u64) {
        let tally = &mut self.contests[index];
        assert!(
            codes.iter().all(|&c| (c as usize) < tally.choices.len()),
            "codes of choices this contest's tally knows"
        );
        tally.add(Key::from_slice(codes), weight);
    }

    /// Counts `n` more ballots (with `add_choices`, for callers that add
    /// contest by contest).
    pub fn add_ballots(&mut self, n: u64) {
        self.ballots = self.ballots.saturating_add(n);
    }

    /// Makes room, at once, for as many distinct choice lists as `ballots`
    /// ballots can hold in each contest whose shape bounds them
    /// (`shape_bound`): the fewer of the shape's bound and `ballots + 1`.
    /// A tally sized from a file's declared ballots then takes the memory
    /// that file's size and the election's shape say, whichever of the
    /// possible rankings its ballots happen to show, instead of stepping
    /// up as its table doubles. Never more than `SHAPE_ROOM` lists over
    /// all contests together (about 6.4 MB), in definition order, whatever
    /// `ballots` or the definition claim: a crafted file of 200 ranked
    /// contests cannot make a verifier reserve gigabytes before it has
    /// read a record (past the budget, tables grow as lists come).
    pub fn reserve_for(&mut self, ballots: u64) {
        let per_contest = usize::try_from(ballots.saturating_add(1)).unwrap_or(usize::MAX);
        let mut budget = SHAPE_ROOM;
        for tally in &mut self.contests {
            if let Some(bound) = tally.bound {
                let room = bound.min(per_contest).min(budget);
                budget -= room;
                tally.counts.reserve(room.saturating_sub(tally.counts.len()));
            }
        }
    }

    /// Adds another gathering of the same definition (a merge's inputs).
    /// Into an empty one it moves (no second table while both are held).
    pub fn absorb(&mut self, other: WeightedBallots) {
        if self.contests.is_empty() || (self.ballots == 0 && self.distinct_total() == 0) {
            *self = other;
            return;
        }
        for (mine, theirs) in self.contests.iter_mut().zip(other.contests) {
            // Their codes as mine (the same for the candidates; write-ins
            // may have been seen in another order).
            let map: Vec<Code> = theirs.choices.iter().map(|c| mine.code(c)).collect();
            let same = map.iter().enumerate().all(|(i, &c)| c as usize == i);
            for (key, n) in theirs.counts {
                let key = if same {
                    key
                } else {
                    key.iter().map(|&c| map[c as usize]).collect()
                };
                mine.add(key, n);
            }
        }
        self.ballots = self.ballots.saturating_add(other.ballots);
    }

    /// Ballots added.
    pub fn ballots(&self) -> u64 {
        self.ballots
    }

    /// The distinct choice lists of contest `index`, sorted, with their counts.
    pub fn distinct(&self, index: usize) -> Vec<(Vec<Choice>, u64)> {
        let mut list: Vec<(Vec<Choice>, u64)> = self
            .contests
            .get(index)
            .map(|t| t.counts.iter().map(|(k, n)| (t.decode(k), *n)).collect())
            .unwrap_or_default();
        list.sort_unstable();
        list
    }

    /// Distinct choice lists held, over every contest (what bounds the memory).
    pub fn distinct_total(&self) -> usize {
        self.contests.iter().map(|t| t.counts.len()).sum()
    }

    /// Counts every contest, in definition order.
    pub fn tabulate(&self, definition: &ElectionDefinition) -> Vec<ContestResult> {
        (0..definition.contests.len())
            .map(|i| self.count(definition, i))
            .collect()
    }

    /// Counts the contest at `index` (definition order): what
    /// `tabulate_contest_weighted` gives over `distinct(index)`, read from
    /// the held codes in place instead of building every choice list again
    /// as strings (16 bytes a distinct list, not a few hundred).
    pub fn count(&self, definition: &ElectionDefinition, index: usize) -> ContestResult {
        let contest = &definition.contests[index];
        let Some(tally) = self.contests.get(index) else {
            return tabulate_contest_weighted(definition, contest, &[]);
        };
        let mut lists: Vec<(&Key, u64)> = tally.counts.iter().map(|(k, n)| (k, *n)).collect();
        // In `distinct`'s order (the count does not depend on it; the same
        // order keeps every step the same).
        lists.sort_unstable_by(|a, b| {
            tally
                .choices_of(a.0)
                .cmp(tally.choices_of(b.0))
                .then(a.1.cmp(&b.1))
        });
        count_contest(definition, contest, &|| {
            lists.iter().map(|&(k, n)| (tally.choices_of(k), n))
        })
    }
}

/// Equal when they hold the same ballots (whatever order the write-ins
/// were first seen in).
impl PartialEq for WeightedBallots {
    fn eq(&self, other: &Self) -> bool {
        self.ballots == other.ballots
            && self.contests.len() == other.contests.len()
            && (0..self.contests.len()).all(|i| self.distinct(i) == other.distinct(i))
    }
}

impl Eq for WeightedBallots {}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::seq::SliceRandom;
    use rand::{Rng, SeedableRng};

    use super::*;
    use crate::definition::{StopRule, TieBreak};

    fn random_choices(rng: &mut StdRng, contest: &Contest) -> Vec<Choice> {
        let ids: Vec<Choice> = contest
            .kind
            .candidates()
            .iter()
            .map(|c| Choice::Candidate(c.id.as_str().to_string()))
            .collect();
        match &contest.kind {
            ContestKind::Candidate { seats, write_ins, .. } => {
                let k = rng.gen_range(0..=*seats as usize).min(ids.len());
                let mut picks: Vec<Choice> = ids.choose_multiple(rng, k).cloned().collect();
                if *write_ins && !picks.is_empty() && rng.gen_bool(0.3) {
                    picks.pop();
                    picks.push(Choice::WriteIn(["Ana", "Bo", "Cy"][rng.gen_range(0..3)].into()));
                }
                picks
            }
            ContestKind::Approval { max_approvals, .. } => {
                let most = max_approvals.map(|m| m as usize).unwrap_or(ids.len());
                let k = rng.gen_range(0..=most.min(ids.len()));
                ids.choose_multiple(rng, k).cloned().collect()
            }
            ContestKind::YesNo { .. } => match rng.gen_range(0..3) {
                0 => vec![],
                1 => vec![Choice::Yes],
                _ => vec![Choice::No],
            },
            ContestKind::Ranked { max_rankings, .. } => {
                let k = rng.gen_range(0..=(*max_rankings as usize).min(ids.len()));
                ids.choose_multiple(rng, k).cloned().collect()
            }
        }
    }

    /// `n` ballots of random valid choices in every contest.
    fn random_ballots(rng: &mut StdRng, definition: &ElectionDefinition, n: usize) -> Vec<Ballot> {
        (0..n)
            .map(|_| Ballot {
                contests: definition
                    .contests
                    .iter()
                    .map(|c| (c.id.clone(), random_choices(rng, c)))
                    .collect(),
            })
            .collect()
    }

    /// Weighted (each distinct choice list once, with its count) and
    /// unweighted (every ballot) counts agree, on seeded random elections
    /// small enough for ties, draws and every ranked rule.
    #[test]
    fn weighted_and_unweighted_counts_agree() {
        // The demo election's contests (read from the file here: `demo`
        // sits above `tabulate` in the layers).
        let base =
            crate::definition::ElectionDefinition::parse(include_bytes!("../../examples/demo-election.json"))
                .expect("demo definition");
        let variants: Vec<RankedRulesEdit> = vec![
            |_| {},
            |r| r.batch_elimination = true,
            |r| r.stop = StopRule::TwoRemaining,
            |r| r.tie_break = TieBreak::Draw,
        ];
        let mut draws = 0;
        for seed in 0..240u64 {
            let mut definition = base.clone();
            for contest in &mut definition.contests {
                if let ContestKind::Ranked { rules, .. } = &mut contest.kind {
                    variants[(seed % 4) as usize](rules);
                }
            }
            let mut rng = StdRng::seed_from_u64(seed);
            let n = match seed % 3 {
                0 => rng.gen_range(0..8),
                1 => rng.gen_range(0..40),
                _ => rng.gen_range(0..400),
            };
            let ballots = random_ballots(&mut rng, &definition, n);
            let mut weighted = WeightedBallots::new(&definition);
            for b in &ballots {
                weighted.add(&definition, b);
            }
            // Gathered in two halves and absorbed: the same.
            let (a, b) = ballots.split_at(ballots.len() / 2);
            let mut halves = WeightedBallots::new(&definition);
            let mut other = WeightedBallots::new(&definition);
            a.iter().for_each(|x| halves.add(&definition, x));
            b.iter().for_each(|x| other.add(&definition, x));
            halves.absorb(other);
            assert_eq!(halves, weighted, "seed {seed}");
            let expected = tabulate(&definition, &ballots);
            assert_eq!(weighted.tabulate(&definition), expected, "seed {seed}");
            assert_eq!(weighted.ballots(), n as u64);
            draws += expected
                .iter()
                .filter(|r| matches!(r, ContestResult::Ranked(r) if r.rounds.iter().any(|x| x.tie_break.as_ref().is_some_and(|t| t.draw.is_some()))))
                .count();
        }
        assert!(
            draws > 0,
            "some seeded elections need a draw (the seed digest is compared too)"
        );
    }

    /// The office holds a tally per open file: a full ranking of 8
    /// candidates is held inline, as 8 small numbers, not as strings.
    #[test]
    fn a_full_ranking_of_eight_is_held_inline_in_a_few_dozen_bytes() {
        let key: Key = (2..10).collect();
        assert!(!key.spilled(), "8 codes fit inline");
        assert!(
            std::mem::size_of::<Key>() <= 40,
            "{} bytes",
            std::mem::size_of::<Key>()
        );
        let longer: Key = (2..11).collect();
        assert!(longer.spilled(), "a longer list still works, on the heap");
        assert_eq!(longer.len(), 9);
    }

    /// The room a tally makes for a contest is every choice list the
    /// contest allows, counted by hand here; none past `SHAPE_ROOM`.
    #[test]
    fn the_shape_bound_counts_every_list_a_contest_allows() {
        let demo =
            crate::definition::ElectionDefinition::parse(include_bytes!("../../examples/demo-election.json"))
                .expect("demo definition");
        let bounds: Vec<Option<usize>> = demo.contests.iter().map(shape_bound).collect();
        // mayor: none or one of 3; council: up to 2 of 4 (1 + 4 + 6); the
        // measure: none, yes, no; parks: any set of 3; school board:
        // rankings of up to 3 of 4 (1 + 4 + 12 + 24).
        assert_eq!(bounds, [Some(4), Some(11), Some(3), Some(8), Some(41)]);
        let mut ranked = demo.contests[4].clone();
        let ContestKind::Ranked {
            candidates,
            max_rankings,
            ..
        } = &mut ranked.kind
        else {
            panic!("the school board is ranked");
        };
        let one = candidates[0].clone();
        candidates.resize(8, one.clone());
        *max_rankings = 8;
        assert_eq!(shape_bound(&ranked), Some(109_601));
        if let ContestKind::Ranked { candidates, .. } = &mut ranked.kind {
            candidates.push(one);
        }
        // 9 candidates: 986,410 rankings, past the room made up front.
        assert_eq!(shape_bound(&ranked), None);
    }

    /// A definition of 200 contests each allowing 109,601 rankings (a
    /// crafted file's, say) gets room for `SHAPE_ROOM` lists in all, not
    /// 200 times that: the first contest its whole shape, the second the
    /// rest, the others nothing up front.
    #[test]
    fn the_room_made_up_front_is_bounded_over_all_contests() {
        let demo =
            crate::definition::ElectionDefinition::parse(include_bytes!("../../examples/demo-election.json"))
                .expect("demo definition");
        let mut ranked = demo.contests[4].clone();
        if let ContestKind::Ranked {
            candidates,
            max_rankings,
            ..
        } = &mut ranked.kind
        {
            let one = candidates[0].clone();
            candidates.resize(8, one);
            *max_rankings = 8;
        }
        let mut tallies = WeightedBallots {
            contests: (0..200)
                .map(|_| ContestTally {
                    bound: shape_bound(&ranked),
                    ..ContestTally::default()
                })
                .collect(),
            ballots: 0,
        };
        tallies.reserve_for(u64::MAX);
        let room: Vec<usize> = tallies.contests.iter().map(|t| t.counts.capacity()).collect();
        assert!(room[0] >= 109_601);
        assert!(room[1] >= SHAPE_ROOM - 109_601);
        assert!(room[2..].iter().all(|&c| c == 0), "{:?}", &room[2..5]);
        let held: usize = room.iter().sum();
        assert!(held < 2 * SHAPE_ROOM, "{held} lists of room");
    }

    /// A tally made room for its ballots holds the fewer of them and the
    /// shape's lists; for the whole shape, every ranking without growing,
    /// counting as before; absorbed into an empty sum, it is moved as it is.
    #[test]
    fn a_tally_with_room_for_the_whole_shape_counts_the_same() {
        let definition =
            crate::definition::ElectionDefinition::parse(include_bytes!("../../examples/demo-election.json"))
                .expect("demo definition");
        let ballots = random_ballots(&mut StdRng::seed_from_u64(7), &definition, 60);
        // Room for 10 ballots: 11 lists at most (the empty one too).
        let mut small = WeightedBallots::new(&definition);
        small.reserve_for(10);
        let capacity = small.contests[4].counts.capacity();
        assert!((11..41).contains(&capacity), "{capacity}");
        let mut whole = WeightedBallots::new(&definition);
        assert!(whole.contests[4].counts.capacity() < 41);
        whole.reserve_for(u64::MAX);
        let room = whole.contests[4].counts.capacity();
        assert!(room >= 41, "room for every ranking of the school board");
        ballots.iter().for_each(|b| whole.add(&definition, b));
        assert_eq!(whole.contests[4].counts.capacity(), room, "no growth");
        assert_eq!(whole.tabulate(&definition), tabulate(&definition, &ballots));
        let mut sum = WeightedBallots::new(&definition);
        sum.absorb(whole);
        assert_eq!(sum.contests[4].counts.capacity(), room, "moved as it was");
        assert_eq!(sum.tabulate(&definition), tabulate(&definition, &ballots));
        assert_eq!(sum.ballots(), 60);
    }

    type RankedRulesEdit = fn(&mut crate::definition::RankedRules);
}
