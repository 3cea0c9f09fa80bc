//! RAIRE: the assertions that let a comparison risk-limiting audit check
//! the winner of an instant-runoff (IRV) contest (Blom, Stuckey & Teague,
//! "RAIRE: Risk-Limiting Audits for IRV Elections", arXiv:1903.08804,
//! 2019; Democracy Developers, "A Guide to RAIRE", parts 1 and 2, 2023).
//!
//! An IRV count is a sequence of eliminations; the audit does not check
//! that sequence, only that nobody but the reported winner can win. Two
//! kinds of assertion, each a two-candidate comparison that the SHANGRLA
//! assorters of [`Assertion`] audit like a plurality contest:
//! - `w NEB l` (not eliminated before): `w`'s first preferences beat every
//!   ballot that ranks `l` above `w` (or `l` and not `w`), so `w` can never
//!   be eliminated while `l` is still standing;
//! - `NEN w > l if only S remain` (not eliminated next): when exactly the
//!   candidates `S` are left, `w` has more votes than `l`, so `w` is not
//!   the one eliminated then.
//!
//! [`raire_assertions`] finds a set of true assertions (on the cast vote
//! records) that rules out every elimination order in which someone else
//! wins, choosing the set whose hardest assertion is as easy to audit as
//! possible: the paper's branch-and-bound over elimination-order *tails*
//! (the last candidates standing, the winner last), with the "diving"
//! heuristic of the guide's part 2, chapter 2. A filter then drops the
//! assertions the others make redundant. [`check_coverage`] verifies a set
//! independently: the elimination orders it leaves possible for another
//! winner (none, for a complete set). docs/rla.md, "Ranked contests
//! (RAIRE)", explains it for officials.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use crate::error::{Error, Result};
use crate::rla::assertion::{Assertion, Cand};

/// How hard an assertion is expected to be to audit, from its diluted
/// margin `μ` (its margin in votes over every card of the audit). Both
/// grow as `μ` shrinks, so both choose the same assertions; they differ in
/// the number reported.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Difficulty {
    /// `1/μ`, the measure the guide uses for ballot-comparison audits
    /// (part 2, §1.1: the guide's worked example reports these numbers).
    #[default]
    OneOnDilutedMargin,
    /// The Kaplan–Markov comparison audit's sample size when no
    /// discrepancy is found, `ln α / ln(1 − μ/(2γ))`, not rounded up
    /// (docs/rla.md, "Sample sizes").
    KaplanMarkov { risk_limit: f64, gamma: f64 },
}

impl Difficulty {
    /// The difficulty of an assertion with diluted margin `mu`; infinite
    /// when the assertion does not hold (`mu <= 0`).
    pub fn of(&self, mu: f64) -> f64 {
        if mu <= 0.0 {
            return f64::INFINITY;
        }
        match *self {
            Difficulty::OneOnDilutedMargin => 1.0 / mu,
            Difficulty::KaplanMarkov { risk_limit, gamma } => {
                risk_limit.ln() / (1.0 - mu / (2.0 * gamma)).ln()
            }
        }
    }

    fn check(&self) -> Result<()> {
        match *self {
            Difficulty::OneOnDilutedMargin => Ok(()),
            Difficulty::KaplanMarkov { risk_limit, gamma } => {
                if !(risk_limit > 0.0 && risk_limit < 1.0) {
                    return Err(Error::InvalidInput(format!(
                        "RAIRE difficulty: the risk limit must lie strictly between 0 and 1, not {risk_limit}"
                    )));
                }
                if !(gamma >= 1.0 && gamma.is_finite()) {
                    return Err(Error::InvalidInput(format!(
                        "RAIRE difficulty: the error inflation γ must be at least 1, not {gamma}"
                    )));
                }
                Ok(())
            }
        }
    }
}

/// One assertion RAIRE chose, with the numbers an audit plan needs.
#[derive(Debug, Clone, PartialEq)]
pub struct RaireAssertion {
    pub assertion: Assertion,
    /// The assertion's margin in votes on the cast vote records (the
    /// guide's "assertion margin": the sum of the ±1/0 scores), > 0.
    pub margin: u64,
    /// `margin / total_cards`: the assorter margin `2·mean − 1` that the
    /// comparison audit works with.
    pub diluted_margin: f64,
    /// The chosen [`Difficulty`] of auditing it.
    pub difficulty: f64,
}

/// What [`raire_assertions`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct RaireResult {
    /// The reported winner, checked to be the IRV winner of the records.
    pub winner: Cand,
    /// The records' IRV elimination order, the winner last (ties between
    /// candidates whose order cannot change the winner resolved by index).
    pub elimination_order: Vec<Cand>,
    /// The assertions to audit, hardest first; together they rule out
    /// every elimination order in which another candidate wins.
    pub assertions: Vec<RaireAssertion>,
    /// Assertions the search chose that the others made redundant (not to
    /// be audited; listed so a report can say why they are absent).
    pub redundant: Vec<RaireAssertion>,
    /// The hardest assertion's difficulty (0 with a single candidate).
    pub difficulty: f64,
    /// The smallest margin in votes among the assertions (`None` with a
    /// single candidate: nothing to audit).
    pub margin: Option<u64>,
    /// The number of cards in the audit (the diluted margins' denominator).
    pub total_cards: u64,
}

impl RaireResult {
    /// The assertions with their assorter margins, as the comparison audit
    /// (`rla::audit`) takes them.
    pub fn audit_assertions(&self) -> Vec<(Assertion, f64)> {
        self.assertions
            .iter()
            .map(|a| (a.assertion.clone(), a.diluted_margin))
            .collect()
    }
}

/// More candidates than this and a set of candidates no longer fits the
/// bit masks used below (and the search would not finish anyway).
const MAX_CANDIDATES: usize = 64;

/// Tails evaluated before the search gives up (a contest this hard to
/// analyse gets a full hand count rather than an audit without end).
const SEARCH_BUDGET: u64 = 2_000_000;

/// Tree nodes one redundancy check may visit before the filter keeps the
/// assertion rather than spend longer proving it redundant.
const FILTER_BUDGET: u64 = 200_000;

/// Finds RAIRE assertions for a single-winner IRV contest.
///
/// `candidates` is the contest's number of candidates; `cvrs` holds each
/// cast vote record's ranking (candidate indices in rank order; an empty
/// ranking is a card of the contest with no valid preference); `winner`
/// is the reported winner; `total_cards` is the number of cards the audit
/// samples from, at least `cvrs.len()` (cards without the contest dilute
/// every margin). Errors: bad input (`InvalidInput`, naming the record),
/// a reported winner that is not the records' IRV winner
/// (`RaireWrongWinner`), and a contest that no set of assertions can audit
/// — a tie, a margin of 0, or too complex to analyse (`RaireNotAuditable`:
/// it needs a full hand count).
pub fn raire_assertions(
    candidates: usize,
    cvrs: &[Vec<Cand>],
    winner: Cand,
    total_cards: u64,
    difficulty: Difficulty,
) -> Result<RaireResult> {
    difficulty.check()?;
    let votes = Votes::new(candidates, cvrs)?;
    if usize::from(winner) >= candidates {
        return Err(Error::InvalidInput(format!(
            "RAIRE: the reported winner is candidate {winner}, but the contest has {candidates} candidates"
        )));
    }
    if total_cards < votes.total {
        return Err(Error::InvalidInput(format!(
            "RAIRE: the audit has {total_cards} cards but there are {} cast vote records of this contest; the ballot manifest must count every card",
            votes.total
        )));
    }
    let order = votes.irv_order(winner)?;
    let ctx = Search::new(&votes, total_cards, difficulty, winner, &order);
    let found = ctx.run()?;
    let (assertions, redundant) = filter_redundant(candidates, winner, found);
    if !check_complete(candidates, winner, &assertions) {
        return Err(Error::RaireNotAuditable(
            "the assertions found do not rule out every other winner (an internal error: please report it)"
                .into(),
        ));
    }
    let hardest = assertions.iter().map(|a| a.difficulty).fold(0.0, f64::max);
    let margin = assertions.iter().map(|a| a.margin).min();
    Ok(RaireResult {
        winner,
        elimination_order: order,
        assertions,
        redundant,
        difficulty: hardest,
        margin,
        total_cards,
    })
}

/// The IRV winner of the cast vote records (rankings as for
/// [`raire_assertions`]), for a caller whose reported winner is the count
/// of these same records. `RaireNotAuditable` when a tie for last place
/// decides who wins (or there are no records).
pub fn irv_winner(candidates: usize, cvrs: &[Vec<Cand>]) -> Result<Cand> {
    let votes = Votes::new(candidates, cvrs)?;
    let mut memo = HashMap::new();
    let winners = votes.possible_winners(votes.all(), &mut memo)?;
    if winners.count_ones() != 1 {
        return Err(Error::RaireNotAuditable(
            "a tie for last place decides who wins (IRV elects a different candidate depending on how the tie is broken)".into(),
        ));
    }
    Ok(cand(winners.trailing_zeros()))
}

/// The elimination orders (the winner last) in which a candidate other
/// than `winner` wins and that no assertion in `assertions` rules out;
/// empty when the assertions imply that `winner` won (the guide's part 2,
/// appendix A, proposition 1). `Pairwise` and `SuperMajority` assertions
/// rule nothing out here. The work grows with the orders left possible:
/// meant for checking a set RAIRE produced, which leaves none.
pub fn check_coverage(candidates: usize, winner: Cand, assertions: &[Assertion]) -> Vec<Vec<Cand>> {
    let mut open = Vec::new();
    let mut walk = Walk {
        candidates,
        assertions,
        budget: u64::MAX,
        open: Some(&mut open),
    };
    for c in 0..candidates {
        let Ok(c) = Cand::try_from(c) else { break };
        if c != winner {
            walk.visit(&mut vec![c]);
        }
    }
    open
}

/// True when `assertions` rule out every other winner (stops at the first
/// order left open).
fn check_complete(candidates: usize, winner: Cand, assertions: &[RaireAssertion]) -> bool {
    let list: Vec<Assertion> = assertions.iter().map(|a| a.assertion.clone()).collect();
    complete_within(candidates, winner, &list, u64::MAX) == Some(true)
}

/// `Some(true)` when `assertions` rule out every other winner, `Some(false)`
/// when an order is left open, `None` when that took more than `budget`
/// tree nodes.
fn complete_within(candidates: usize, winner: Cand, assertions: &[Assertion], budget: u64) -> Option<bool> {
    let mut walk = Walk {
        candidates,
        assertions,
        budget,
        open: None,
    };
    for c in 0..candidates {
        let Ok(c) = Cand::try_from(c) else { break };
        if c != winner {
            match walk.visit(&mut vec![c]) {
                Visit::Covered => {}
                Visit::Open => return Some(false),
                Visit::OutOfBudget => return None,
            }
        }
    }
    Some(true)
}

#[derive(Debug, PartialEq)]
enum Visit {
    Covered,
    Open,
    OutOfBudget,
}

/// A depth-first walk over elimination-order tails (`tail[0]` eliminated
/// first, the alternative winner last), cut where an assertion rules the
/// tail out.
struct Walk<'a> {
    candidates: usize,
    assertions: &'a [Assertion],
    budget: u64,
    /// Collects every open complete order (else the walk stops at the
    /// first).
    open: Option<&'a mut Vec<Vec<Cand>>>,
}

impl Walk<'_> {
    fn visit(&mut self, tail: &mut Vec<Cand>) -> Visit {
        if self.budget == 0 {
            return Visit::OutOfBudget;
        }
        self.budget -= 1;
        if self.assertions.iter().any(|a| rules_out(a, tail)) {
            return Visit::Covered;
        }
        if tail.len() >= self.candidates {
            return match self.open.as_deref_mut() {
                Some(open) => {
                    open.push(tail.clone());
                    Visit::Covered
                }
                None => Visit::Open,
            };
        }
        for c in 0..self.candidates {
            let Ok(c) = Cand::try_from(c) else { break };
            if tail.contains(&c) {
                continue;
            }
            tail.insert(0, c);
            let result = self.visit(tail);
            tail.remove(0);
            if result != Visit::Covered {
                return result;
            }
        }
        Visit::Covered
    }
}

/// True when `assertion` rules out every elimination order that ends with
/// `tail` (`tail[0]` eliminated first among the tail's candidates, who are
/// the last ones standing; everyone else was eliminated before them).
pub(crate) fn rules_out(assertion: &Assertion, tail: &[Cand]) -> bool {
    let pos = |c: &Cand| tail.iter().position(|t| t == c);
    match assertion {
        // `winner` is eliminated before `loser`: it comes earlier in the
        // tail, or is not in it at all (eliminated before the tail began).
        Assertion::NotEliminatedBefore { winner, loser } => match (pos(winner), pos(loser)) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(w), Some(l)) => w < l,
        },
        // `winner` is the one eliminated when exactly `continuing` remain.
        Assertion::NotEliminatedNext {
            winner, continuing, ..
        } => {
            let Some(start) = tail.len().checked_sub(continuing.len()) else {
                return false;
            };
            let last = &tail[start..];
            last.first() == Some(winner)
                && last.len() == continuing.len()
                && last.iter().all(|c| continuing.contains(c))
        }
        Assertion::Pairwise { .. } | Assertion::SuperMajority { .. } => false,
    }
}

/// The cast vote records of one contest, identical rankings merged.
struct Votes {
    candidates: usize,
    /// Distinct rankings with their counts, in a fixed order.
    ballots: Vec<(Vec<Cand>, u64)>,
    /// Every record, blank ones included.
    total: u64,
}

impl Votes {
    fn new(candidates: usize, cvrs: &[Vec<Cand>]) -> Result<Votes> {
        if candidates == 0 {
            return Err(Error::InvalidInput("RAIRE: the contest has no candidates".into()));
        }
        if candidates > MAX_CANDIDATES {
            return Err(Error::RaireNotAuditable(format!(
                "it has {candidates} candidates, more than the {MAX_CANDIDATES} this implementation can analyse"
            )));
        }
        let mut counts: HashMap<&[Cand], u64> = HashMap::new();
        for (i, ranking) in cvrs.iter().enumerate() {
            for (r, c) in ranking.iter().enumerate() {
                if usize::from(*c) >= candidates {
                    return Err(Error::InvalidInput(format!(
                        "RAIRE: cast vote record {} ranks candidate {c}, but the contest has {candidates} candidates",
                        i + 1
                    )));
                }
                if ranking[..r].contains(c) {
                    return Err(Error::InvalidInput(format!(
                        "RAIRE: cast vote record {} ranks candidate {c} twice; apply the contest's ranking rules first",
                        i + 1
                    )));
                }
            }
            *counts.entry(ranking.as_slice()).or_default() += 1;
        }
        let mut ballots: Vec<(Vec<Cand>, u64)> = counts.into_iter().map(|(r, n)| (r.to_vec(), n)).collect();
        ballots.sort();
        Ok(Votes {
            candidates,
            ballots,
            total: cvrs.len() as u64,
        })
    }

    /// Each candidate's tally when exactly the candidates in `mask` remain
    /// (each ballot counts for its first choice among them).
    fn tallies(&self, mask: u64) -> Vec<u64> {
        let mut tally = vec![0; self.candidates];
        for (ranking, n) in &self.ballots {
            if let Some(c) = ranking.iter().find(|c| mask & bit(**c) != 0) {
                tally[usize::from(*c)] += n;
            }
        }
        tally
    }

    /// The margin in votes of `w NEB l` (may be ≤ 0): `w`'s first
    /// preferences minus the ballots where `l` comes before `w` or `l` is
    /// ranked and `w` is not.
    fn neb_margins(&self) -> Vec<Vec<i64>> {
        let n = self.candidates;
        let mut first = vec![0i64; n];
        // mentions[w][l]: ballots ranking l with w not before it.
        let mut mentions = vec![vec![0i64; n]; n];
        for (ranking, count) in &self.ballots {
            let count = count_i64(*count);
            if let Some(c) = ranking.first() {
                first[usize::from(*c)] += count;
            }
            for (i, l) in ranking.iter().enumerate() {
                let l = usize::from(*l);
                for (w, row) in mentions.iter_mut().enumerate() {
                    let before = ranking[..i].iter().any(|c| usize::from(*c) == w);
                    if w != l && !before {
                        row[l] += count;
                    }
                }
            }
        }
        (0..n)
            .map(|w| (0..n).map(|l| first[w] - mentions[w][l]).collect())
            .collect()
    }

    /// The IRV elimination order (winner last) that ends with `winner`,
    /// after checking that `winner` is the IRV winner whichever way ties
    /// for last place are broken.
    /// Every candidate, as a mask.
    fn all(&self) -> u64 {
        if self.candidates == 64 {
            u64::MAX
        } else {
            (1u64 << self.candidates) - 1
        }
    }

    fn irv_order(&self, winner: Cand) -> Result<Vec<Cand>> {
        let all = self.all();
        let mut memo = HashMap::new();
        let winners = self.possible_winners(all, &mut memo)?;
        if winners & bit(winner) == 0 {
            let found: Vec<String> = (0..self.candidates)
                .filter(|c| winners & (1 << c) != 0)
                .map(|c| c.to_string())
                .collect();
            return Err(Error::RaireWrongWinner(format!(
                "the reported winner is candidate {winner}, but counting the cast vote records by IRV elects candidate {}",
                found.join(" or ")
            )));
        }
        if winners != bit(winner) {
            return Err(Error::RaireNotAuditable(
                "a tie for last place decides who wins (IRV elects a different candidate depending on how the tie is broken)".into(),
            ));
        }
        // Every tie-break leads to `winner`: follow the lowest index.
        let mut order = Vec::with_capacity(self.candidates);
        let mut mask = all;
        while mask.count_ones() > 1 {
            let lowest = self.lowest(mask);
            let c = lowest.trailing_zeros();
            order.push(cand(c));
            mask &= !(1u64 << c);
        }
        order.push(winner);
        Ok(order)
    }

    /// The candidates tied for the lowest tally among `mask`, as a mask.
    fn lowest(&self, mask: u64) -> u64 {
        let tally = self.tallies(mask);
        let members = (0..self.candidates).filter(|c| mask & (1 << c) != 0);
        let min = members.clone().map(|c| tally[c]).min().unwrap_or(0);
        members.filter(|c| tally[*c] == min).fold(0, |m, c| m | (1 << c))
    }

    /// Who can win from the standing candidates `mask`, over every way of
    /// breaking ties, as a mask.
    fn possible_winners(&self, mask: u64, memo: &mut HashMap<u64, u64>) -> Result<u64> {
        if mask.count_ones() <= 1 {
            return Ok(mask);
        }
        if let Some(w) = memo.get(&mask) {
            return Ok(*w);
        }
        if memo.len() > 100_000 {
            return Err(Error::RaireNotAuditable(
                "too many ties for last place to count every way of breaking them".into(),
            ));
        }
        let lowest = self.lowest(mask);
        let mut winners = 0;
        for c in 0..self.candidates {
            if lowest & (1 << c) != 0 {
                winners |= self.possible_winners(mask & !(1 << c), memo)?;
            }
        }
        memo.insert(mask, winners);
        Ok(winners)
    }
}

fn bit(c: Cand) -> u64 {
    1u64 << c
}

/// A candidate index below 64 (the masks' width) as a `Cand`.
fn cand(c: u32) -> Cand {
    Cand::try_from(c).unwrap_or(Cand::MAX)
}

/// Vote counts fit in i64 (there are fewer records than that).
fn count_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The cheapest assertion found for a tail (or an infinitely hard stand-in
/// when none holds).
#[derive(Debug, Clone)]
struct Best {
    assertion: Option<Assertion>,
    margin: i64,
    difficulty: f64,
}

impl Best {
    fn none() -> Best {
        Best {
            assertion: None,
            margin: 0,
            difficulty: f64::INFINITY,
        }
    }
}

/// A tail in the frontier, with the cheapest assertion that rules out
/// the tail or one of its suffixes ("best ancestor", the last `best_len`
/// candidates of `tail`).
#[derive(Debug, Clone)]
struct Node {
    tail: Vec<Cand>,
    best: Best,
    best_len: usize,
    /// The child already made by a dive (not to be made again).
    dived: Option<Cand>,
    /// Insertion number: among equally hard tails the older goes first.
    seq: u64,
}

impl Node {
    fn best_suffix(&self) -> &[Cand] {
        &self.tail[self.tail.len() - self.best_len..]
    }
}

impl PartialEq for Node {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Node {}
impl PartialOrd for Node {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Node {
    /// The max-heap pops the hardest tail first, then the oldest.
    fn cmp(&self, other: &Self) -> Ordering {
        self.best
            .difficulty
            .total_cmp(&other.best.difficulty)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

/// The branch-and-bound search of the paper's algorithm 1, with diving.
struct Search<'a> {
    votes: &'a Votes,
    total_cards: u64,
    difficulty: Difficulty,
    winner: Cand,
    /// The reported elimination order, winner last (dives follow it).
    order: &'a [Cand],
    neb: Vec<Vec<i64>>,
    tallies: HashMap<u64, Vec<u64>>,
    seq: u64,
    evaluated: u64,
    /// The assertions chosen so far.
    chosen: Vec<Best>,
    /// A lower bound on the difficulty of any complete set of assertions.
    bound: f64,
    frontier: BinaryHeap<Node>,
}

impl<'a> Search<'a> {
    fn new(
        votes: &'a Votes,
        total_cards: u64,
        difficulty: Difficulty,
        winner: Cand,
        order: &'a [Cand],
    ) -> Self {
        Search {
            votes,
            total_cards,
            difficulty,
            winner,
            order,
            neb: votes.neb_margins(),
            tallies: HashMap::new(),
            seq: 0,
            evaluated: 0,
            chosen: Vec::new(),
            bound: 0.0,
            frontier: BinaryHeap::new(),
        }
    }

    fn make(&mut self, margin: i64, assertion: Assertion) -> Best {
        let mu = if self.total_cards == 0 {
            0.0
        } else {
            margin as f64 / self.total_cards as f64
        };
        Best {
            assertion: Some(assertion),
            margin,
            difficulty: self.difficulty.of(mu),
        }
    }

    /// The cheapest true assertion that rules out `tail` through its first
    /// candidate `c` (the one eliminated when the tail's candidates
    /// remain): `c NEB c'` for a later `c'`, `c'' NEB c` for a `c''`
    /// eliminated earlier, or `NEN c > c'` among the tail's candidates.
    /// (Assertions about later candidates were tried on the suffixes.)
    fn best_for(&mut self, tail: &[Cand]) -> Result<Best> {
        self.evaluated += 1;
        if self.evaluated > SEARCH_BUDGET {
            return Err(Error::RaireNotAuditable(format!(
                "finding the assertions took more than {SEARCH_BUDGET} steps (too many candidates with close counts)"
            )));
        }
        let c = tail[0];
        let mut best = Best::none();
        let mut consider = |this: &mut Self, margin: i64, assertion: Assertion| {
            if margin > 0 {
                let b = this.make(margin, assertion);
                if b.difficulty < best.difficulty {
                    best = b;
                }
            }
        };
        for &later in &tail[1..] {
            let margin = self.neb[usize::from(c)][usize::from(later)];
            consider(
                self,
                margin,
                Assertion::NotEliminatedBefore {
                    winner: c,
                    loser: later,
                },
            );
        }
        for earlier in 0..self.votes.candidates {
            let earlier = cand(earlier as u32);
            if !tail.contains(&earlier) {
                let margin = self.neb[usize::from(earlier)][usize::from(c)];
                consider(
                    self,
                    margin,
                    Assertion::NotEliminatedBefore {
                        winner: earlier,
                        loser: c,
                    },
                );
            }
        }
        let mask = tail.iter().fold(0u64, |m, t| m | bit(*t));
        let tally = self
            .tallies
            .entry(mask)
            .or_insert_with(|| self.votes.tallies(mask))
            .clone();
        // The weakest other candidate standing is the easiest to beat.
        if let Some(&loser) = tail[1..].iter().min_by_key(|t| (tally[usize::from(**t)], **t)) {
            let margin = count_i64(tally[usize::from(c)]) - count_i64(tally[usize::from(loser)]);
            let mut continuing = tail.to_vec();
            continuing.sort_unstable();
            consider(
                self,
                margin,
                Assertion::NotEliminatedNext {
                    winner: c,
                    loser,
                    continuing,
                },
            );
        }
        Ok(best)
    }

    fn push(&mut self, mut node: Node) {
        node.seq = self.seq;
        self.seq += 1;
        self.frontier.push(node);
    }

    /// The child tail `[c] ++ parent.tail`, evaluated.
    fn extend(&mut self, parent: &Node, c: Cand) -> Result<Node> {
        let mut tail = Vec::with_capacity(parent.tail.len() + 1);
        tail.push(c);
        tail.extend_from_slice(&parent.tail);
        let own = self.best_for(&tail)?;
        let (best, best_len) = if own.difficulty < parent.best.difficulty {
            let len = tail.len();
            (own, len)
        } else {
            (parent.best.clone(), parent.best_len)
        };
        Ok(Node {
            tail,
            best,
            best_len,
            dived: None,
            seq: 0,
        })
    }

    /// Accepts `node`'s best assertion: every tail ending with the
    /// suffix it rules out leaves the frontier.
    fn take(&mut self, node: &Node) {
        let suffix = node.best_suffix().to_vec();
        self.frontier.retain(|n| !n.tail.ends_with(&suffix));
        let known = self.chosen.iter().any(|b| b.assertion == node.best.assertion);
        if !known {
            self.chosen.push(node.best.clone());
        }
    }

    /// A complete elimination order: its best assertion must be taken,
    /// and no audit can be easier than it.
    fn leaf(&mut self, node: &Node) -> Result<()> {
        if node.best.difficulty.is_infinite() {
            let order: Vec<String> = node.tail.iter().map(|c| c.to_string()).collect();
            return Err(Error::RaireNotAuditable(format!(
                "no assertion that holds on the cast vote records rules out the elimination order {} (in which candidate {} wins): a tie or a margin of 0",
                order.join(", "),
                node.tail.last().map_or(0, |c| *c)
            )));
        }
        self.bound = self.bound.max(node.best.difficulty);
        self.take(node);
        Ok(())
    }

    fn run(mut self) -> Result<Vec<RaireAssertion>> {
        let n = self.votes.candidates;
        for c in 0..n {
            let c = cand(c as u32);
            if c == self.winner {
                continue;
            }
            let tail = vec![c];
            let best = self.best_for(&tail)?;
            let node = Node {
                tail,
                best,
                best_len: 1,
                dived: None,
                seq: 0,
            };
            if n == 1 {
                self.leaf(&node)?;
            } else {
                self.push(node);
            }
        }
        while let Some(mut node) = self.frontier.pop() {
            if node.best.difficulty <= self.bound {
                self.take(&node);
                continue;
            }
            if node.dived.is_none() {
                self.dive(&mut node)?;
                if node.best.difficulty <= self.bound {
                    self.take(&node);
                    continue;
                }
            }
            for c in 0..n {
                let c = cand(c as u32);
                if node.tail.contains(&c) || node.dived == Some(c) {
                    continue;
                }
                let child = self.extend(&node, c)?;
                if child.tail.len() == n {
                    self.leaf(&child)?;
                } else {
                    self.push(child);
                }
            }
        }
        let total_cards = self.total_cards;
        Ok(self
            .chosen
            .into_iter()
            .filter_map(|b| {
                let assertion = b.assertion?;
                let margin = u64::try_from(b.margin).ok()?;
                Some(RaireAssertion {
                    assertion,
                    margin,
                    diluted_margin: margin as f64 / total_cards as f64,
                    difficulty: b.difficulty,
                })
            })
            .collect())
    }

    /// Runs down from `node` to a complete order, adding at each step the
    /// candidate who lasted longest in the reported count: the order most
    /// like the reported one is likely the hardest to rule out, and a leaf
    /// raises the bound early (guide, part 2, chapter 2). Stops early at a
    /// tail that an assertion within the bound rules out. The nodes passed
    /// on the way go into the frontier, marked so their dive child is not
    /// made twice.
    fn dive(&mut self, start: &mut Node) -> Result<()> {
        let n = self.votes.candidates;
        let mut current: Option<Node> = None;
        let order: Vec<Cand> = self.order.iter().rev().copied().collect();
        for c in order {
            let parent_tail = current.as_ref().map_or(&start.tail, |p| &p.tail);
            if parent_tail.contains(&c) {
                continue;
            }
            let child = match current.take() {
                None => {
                    start.dived = Some(c);
                    self.extend(start, c)?
                }
                Some(mut parent) => {
                    parent.dived = Some(c);
                    let child = self.extend(&parent, c)?;
                    self.push(parent);
                    child
                }
            };
            if child.best.difficulty <= self.bound {
                self.take(&child);
                return Ok(());
            }
            if child.tail.len() == n {
                return self.leaf(&child);
            }
            current = Some(child);
        }
        Ok(())
    }
}

/// Drops assertions the others make redundant, trying the hardest first
/// (dropping a hard one lowers the audit's work the most); an assertion
/// stays when proving it redundant takes too long. Returns the kept
/// assertions (hardest first) and the dropped ones.
fn filter_redundant(
    candidates: usize,
    winner: Cand,
    mut found: Vec<RaireAssertion>,
) -> (Vec<RaireAssertion>, Vec<RaireAssertion>) {
    found.sort_by(|a, b| {
        b.difficulty
            .total_cmp(&a.difficulty)
            .then_with(|| describe(&a.assertion).cmp(&describe(&b.assertion)))
    });
    let mut keep: Vec<RaireAssertion> = Vec::new();
    let mut dropped = Vec::new();
    let mut rest = found.into_iter().collect::<std::collections::VecDeque<_>>();
    while let Some(candidate) = rest.pop_front() {
        let others: Vec<Assertion> = keep
            .iter()
            .chain(rest.iter())
            .map(|a| a.assertion.clone())
            .collect();
        if complete_within(candidates, winner, &others, FILTER_BUDGET) == Some(true) {
            dropped.push(candidate);
        } else {
            keep.push(candidate);
        }
    }
    (keep, dropped)
}

/// A plain-words description of an assertion with candidate indices, e.g.
/// `2 NEB 1` or `NEN 0 > 3 if only {0, 2, 3} remain` (the CLI names the
/// candidates itself with [`describe_with`]).
pub fn describe(assertion: &Assertion) -> String {
    describe_with(assertion, |c| c.to_string())
}

/// As [`describe`], naming candidates with `name`.
pub fn describe_with(assertion: &Assertion, name: impl Fn(Cand) -> String) -> String {
    match assertion {
        Assertion::NotEliminatedBefore { winner, loser } => {
            format!("{} NEB {}", name(*winner), name(*loser))
        }
        Assertion::NotEliminatedNext {
            winner,
            loser,
            continuing,
        } => {
            let set: Vec<String> = continuing.iter().map(|c| name(*c)).collect();
            format!(
                "NEN {} > {} if only {{{}}} remain",
                name(*winner),
                name(*loser),
                set.join(", ")
            )
        }
        Assertion::Pairwise { winner, loser } => format!("{} beats {}", name(*winner), name(*loser)),
        Assertion::SuperMajority { winner, fraction } => {
            format!("{} has more than {fraction} of the valid votes", name(*winner))
        }
    }
}

#[cfg(test)]
#[path = "raire_tests.rs"]
mod tests;
