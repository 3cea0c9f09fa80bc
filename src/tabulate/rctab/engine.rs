//! RCTab's round-by-round count (its `Tabulator`), rule for rule: each
//! round every cast vote record goes to its highest-ranked continuing
//! candidate, or becomes inactive (overvote, skipped rankings, repeated
//! rankings, exhausted choices); then winners are declared (and, with
//! several seats, their surplus passes on at a truncated fraction of each
//! vote) or candidates are eliminated (undeclared write-ins first, then a
//! cut-off, a batch, or the lowest, with RCTab's tie-breaks). Plain-words
//! rules: `docs/tabulation.md`, "RCTab-compatible counting".
//!
//! Everything that RCTab computes with `BigDecimal` is computed here with
//! [`super::decimal`], scale for scale, so the report's numbers are the
//! same text.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};

use rust_decimal::Decimal;

use super::config::{OvervoteRule, RctabConfig, TiebreakMode, WinnerMode, UNDECLARED_WRITE_IN};
use super::decimal::{self as dec, Rounding};
use super::java::{self, JavaRandom};
use crate::error::{Error, Result};

/// What a mark on a record stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    /// A config candidate (index), named by `raw`, its name or an alias.
    Candidate(usize),
    /// The undeclared write-ins "candidate".
    WriteIn,
    /// An explicit overvote (the source's `overvoteLabel`).
    Overvote,
}

/// A distinct name found in the records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub raw: String,
    pub kind: TokenKind,
}

/// One cast vote record's rankings: the ranks that hold a mark, in rank
/// order, each with its tokens (several: an overvote).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rankings {
    pub ranks: Vec<(u32, Vec<usize>)>,
}

impl Rankings {
    /// From (rank, token) pairs in any order.
    pub fn from_marks(mut marks: Vec<(u32, usize)>) -> Self {
        marks.sort_by_key(|(rank, _)| *rank); // stable: file order within a rank
        let mut ranks: Vec<(u32, Vec<usize>)> = Vec::new();
        for (rank, token) in marks {
            match ranks.last_mut() {
                Some((r, tokens)) if *r == rank => tokens.push(token),
                _ => ranks.push((rank, vec![token])),
            }
        }
        Rankings { ranks }
    }

    /// The highest rank marked (RCTab's `maxRankingNumber`).
    pub fn max_rank(&self) -> u32 {
        self.ranks.last().map(|(r, _)| *r).unwrap_or(0)
    }
}

/// Why a record is not counting for a candidate (RCTab's `StatusForRound`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Active,
    DidNotRankAnyCandidates,
    ExhaustedChoice,
    Overvote,
    SkippedRanking,
    RepeatedRanking,
    FinalRoundSurplus,
}

const STATUSES: [Status; 7] = [
    Status::Active,
    Status::DidNotRankAnyCandidates,
    Status::ExhaustedChoice,
    Status::Overvote,
    Status::SkippedRanking,
    Status::RepeatedRanking,
    Status::FinalRoundSurplus,
];

impl Status {
    fn index(self) -> usize {
        STATUSES.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// Counted among inactive ballots (not `Active`, not `FinalRoundSurplus`).
    fn is_inactive(self) -> bool {
        !matches!(self, Status::Active | Status::FinalRoundSurplus)
    }
}

/// A side of a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Party {
    Candidate(usize),
    Exhausted,
    ResidualSurplus,
    Uncounted,
}

/// One round, as RCTab's `RoundTally` holds it.
#[derive(Debug, Clone)]
pub struct Round {
    pub number: u32,
    /// Candidate → votes, for the candidates in this round's tally
    /// (continuing ones, and earlier winners in multi-seat counts).
    pub tally: BTreeMap<usize, Decimal>,
    /// By status (`STATUSES` order).
    pub statuses: [Decimal; 7],
    pub threshold: Decimal,
}

impl Round {
    pub fn status(&self, s: Status) -> Decimal {
        self.statuses[s.index()]
    }

    fn active_sum(&self) -> Result<Decimal> {
        let mut sum = dec::zero();
        for s in STATUSES.iter().filter(|s| !s.is_inactive()) {
            sum = dec::add(sum, self.statuses[s.index()])?;
        }
        Ok(sum)
    }

    pub fn inactive_sum(&self) -> Result<Decimal> {
        let mut sum = dec::zero();
        for s in STATUSES.iter().filter(|s| s.is_inactive()) {
            sum = dec::add(sum, self.statuses[s.index()])?;
        }
        Ok(sum)
    }

    /// Active and inactive together: every record counted this round.
    pub fn total(&self) -> Result<Decimal> {
        dec::add(self.active_sum()?, self.inactive_sum()?)
    }

    fn add_status(&mut self, s: Status, value: Decimal) -> Result<()> {
        let i = s.index();
        self.statuses[i] = dec::add(self.statuses[i], value)?;
        Ok(())
    }

    /// Tally → candidates with it, lowest first; within a tally in
    /// candidate order.
    fn by_tally(&self, include: impl Fn(usize) -> bool) -> BTreeMap<Decimal, Vec<usize>> {
        let mut map: BTreeMap<Decimal, Vec<usize>> = BTreeMap::new();
        for (c, v) in &self.tally {
            if include(*c) {
                map.entry(*v).or_default().push(*c);
            }
        }
        map
    }
}

/// What was decided about a candidate in a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Elected(usize),
    Eliminated(usize),
}

/// The whole count.
#[derive(Debug, Clone)]
pub struct Tabulation {
    /// Candidate names: the config's, then "Undeclared Write-ins" if allowed.
    pub names: Vec<String>,
    pub rounds: Vec<Round>,
    /// Per round (index 0 = round 1), in the order decided.
    pub decisions: Vec<Vec<Decision>>,
    /// Per round (index 0 = round 1): (from, to) → amount moved that round.
    pub transfers: Vec<BTreeMap<(Party, Party), Decimal>>,
    /// Winners in the order elected.
    pub winners: Vec<usize>,
    /// Tie-breaks: (round, explanation).
    pub tie_breaks: Vec<(u32, String)>,
    /// `numberOfWinners`.
    pub seats: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CandidateStatus {
    Continuing,
    Winner,
    Eliminated,
    Excluded,
}

struct Cvr {
    rankings: Rankings,
    status: Status,
    recipient: Option<usize>,
    /// Winner → value of this record allocated to them.
    allocated: Vec<(usize, Decimal)>,
}

impl Cvr {
    fn value(&self) -> Result<Decimal> {
        let mut v = dec::one();
        for (_, a) in &self.allocated {
            v = dec::sub(v, *a)?;
        }
        Ok(v)
    }

    fn exhausted(&self) -> bool {
        self.status != Status::Active
    }
}

enum Overvote {
    None,
    Exhaust,
    Skip,
}

struct Engine<'a> {
    config: &'a RctabConfig,
    tokens: &'a [Token],
    names: Vec<String>,
    excluded: Vec<bool>,
    write_in: Option<usize>,
    cvrs: Vec<Cvr>,
    rounds: Vec<Round>,
    decisions: Vec<Vec<Decision>>,
    transfers: Vec<BTreeMap<(Party, Party), Decimal>>,
    winner_round: HashMap<usize, u32>,
    winners: Vec<usize>,
    eliminated_round: HashMap<usize, u32>,
    residual: Vec<Decimal>,
    random: Option<JavaRandom>,
    permutation: Vec<usize>,
    tie_breaks: Vec<(u32, String)>,
    round: u32,
}

/// Counts `records` (their rankings over `tokens`) under `config`.
pub fn tabulate(config: &RctabConfig, tokens: &[Token], records: Vec<Rankings>) -> Result<Tabulation> {
    let mut names: Vec<String> = config.candidates.iter().map(|c| c.name.clone()).collect();
    let mut excluded: Vec<bool> = config.candidates.iter().map(|c| c.excluded).collect();
    let write_in = if config.undeclared_write_ins() {
        names.push(UNDECLARED_WRITE_IN.to_string());
        excluded.push(false);
        Some(names.len() - 1)
    } else {
        None
    };
    let rules = &config.rules;
    if let Some(max) = rules.max_rankings {
        if let Some((i, r)) = records.iter().enumerate().find(|(_, r)| r.max_rank() > max) {
            return Err(Error::TabulationStopped {
                round: 0,
                message: format!(
                    "record {} ranks a choice at rank {}, but maxRankingsAllowed is {max}",
                    i + 1,
                    r.max_rank()
                ),
            });
        }
    }
    let mut engine = Engine {
        config,
        tokens,
        permutation: (0..config.candidates.len()).collect(),
        names,
        excluded,
        write_in,
        cvrs: records
            .into_iter()
            .map(|rankings| Cvr {
                rankings,
                status: Status::Active,
                recipient: None,
                allocated: Vec::new(),
            })
            .collect(),
        rounds: Vec::new(),
        decisions: Vec::new(),
        transfers: Vec::new(),
        winner_round: HashMap::new(),
        winners: Vec::new(),
        eliminated_round: HashMap::new(),
        residual: Vec::new(),
        random: None,
        tie_breaks: Vec::new(),
        round: 0,
    };
    engine.run()?;
    Ok(Tabulation {
        names: engine.names,
        rounds: engine.rounds,
        decisions: engine.decisions,
        transfers: engine.transfers,
        winners: engine.winners,
        tie_breaks: engine.tie_breaks,
        seats: rules.number_of_winners,
    })
}

impl Engine<'_> {
    fn places(&self) -> u32 {
        self.config.rules.decimal_places
    }

    /// Candidates not excluded (RCTab's `getNumCandidates`).
    fn num_candidates(&self) -> usize {
        self.names.len() - self.excluded.iter().filter(|e| **e).count()
    }

    /// Declared candidates (without the write-in line).
    fn num_declared(&self) -> usize {
        self.names.len() - usize::from(self.write_in.is_some())
    }

    fn status(&self, c: usize) -> CandidateStatus {
        if self.excluded[c] {
            CandidateStatus::Excluded
        } else if self.winner_round.contains_key(&c) {
            CandidateStatus::Winner
        } else if self.eliminated_round.contains_key(&c) {
            CandidateStatus::Eliminated
        } else {
            CandidateStatus::Continuing
        }
    }

    fn continuing(&self, c: usize) -> bool {
        match self.status(c) {
            CandidateStatus::Continuing => true,
            CandidateStatus::Winner => self.config.rules.continue_until_two,
            _ => false,
        }
    }

    /// `isCandidateContinuing` on a token as written: RCTab looks aliases
    /// up only when it selects, so an alias counts as continuing in its
    /// overvote test.
    fn token_continuing(&self, t: usize) -> bool {
        let token = &self.tokens[t];
        match token.kind {
            TokenKind::Candidate(c) if token.raw == self.names[c] => self.continuing(c),
            TokenKind::Candidate(_) => true,
            TokenKind::WriteIn => self.write_in.map(|w| self.continuing(w)).unwrap_or(true),
            TokenKind::Overvote => false,
        }
    }

    fn token_candidate(&self, t: usize) -> Option<usize> {
        match self.tokens[t].kind {
            TokenKind::Candidate(c) => Some(c),
            TokenKind::WriteIn => self.write_in,
            TokenKind::Overvote => None,
        }
    }

    fn stop(&self, message: impl Into<String>) -> Error {
        Error::TabulationStopped {
            round: self.round,
            message: message.into(),
        }
    }

    fn run(&mut self) -> Result<()> {
        let rules = &self.config.rules;
        if rules.tiebreak.needs_seed() {
            let mut random = JavaRandom::new(rules.random_seed.unwrap_or(0));
            if rules.tiebreak == TiebreakMode::GeneratePermutation {
                let names = &self.names;
                self.permutation
                    .sort_by(|a, b| java::compare(&names[*a], &names[*b]));
                random.shuffle(&mut self.permutation);
            }
            self.random = Some(random);
        }
        while self.should_continue() {
            self.round += 1;
            let tally = self.compute_tallies()?;
            self.rounds.push(tally);
            self.decisions.push(Vec::new());
            let previous_residual = self.residual.last().copied().unwrap_or_else(dec::zero);
            self.residual.push(previous_residual);
            let threshold = if self.should_recompute_threshold() {
                self.threshold()?
            } else {
                self.rounds[self.rounds.len() - 2].threshold
            };
            self.current_mut().threshold = threshold;
            let by_tally = self.current().by_tally(|_| true);
            let winners = self.identify_winners(&by_tally)?;
            if !winners.is_empty() {
                for w in &winners {
                    self.winner_round.insert(*w, self.round);
                    self.winners.push(*w);
                    self.decided(Decision::Elected(*w));
                }
                if rules.uses_surpluses() {
                    for w in winners {
                        let votes = self.current().tally[&w];
                        let extra = dec::sub(votes, self.current().threshold)?;
                        let fraction = if dec::signum(extra) == 1 {
                            dec::div(extra, votes, self.places(), Rounding::Down)?
                        } else {
                            dec::zero()
                        };
                        for i in 0..self.cvrs.len() {
                            if self.cvrs[i].recipient == Some(w) {
                                let value = self.cvrs[i].value()?;
                                let transfer = dec::mul_trunc(value, fraction, self.places())?;
                                let kept = dec::sub(value, transfer)?;
                                let cvr = &mut self.cvrs[i];
                                match cvr.allocated.iter_mut().find(|(c, _)| *c == w) {
                                    Some(entry) => entry.1 = kept,
                                    None => cvr.allocated.push((w, kept)),
                                }
                            }
                        }
                    }
                }
            } else if self.winner_round.len() < rules.number_of_winners as usize
                || (rules.continue_until_two && self.eliminated_round.len() + 2 < self.num_candidates())
                || rules.winner_mode == WinnerMode::BottomsUpPercentage
            {
                let mut eliminated = self.drop_write_ins();
                if eliminated.is_empty() {
                    eliminated = self.cutoff_elimination();
                }
                if eliminated.is_empty() {
                    eliminated = self.batch_elimination(&by_tally)?;
                }
                if eliminated.is_empty() {
                    eliminated = self.regular_elimination(&by_tally)?;
                }
                if eliminated.is_empty() {
                    return Err(self.stop("no candidate could be eliminated"));
                }
                for c in eliminated {
                    self.eliminated_round.insert(c, self.round);
                    self.decided(Decision::Eliminated(c));
                }
            }
            if rules.number_of_winners > 1 {
                self.update_winner_tallies()?;
            }
        }
        Ok(())
    }

    fn current(&self) -> &Round {
        &self.rounds[self.rounds.len() - 1]
    }

    fn current_mut(&mut self) -> &mut Round {
        let i = self.rounds.len() - 1;
        &mut self.rounds[i]
    }

    fn decided(&mut self, d: Decision) {
        let i = self.decisions.len() - 1;
        self.decisions[i].push(d);
    }

    fn should_continue(&self) -> bool {
        let rules = &self.config.rules;
        let eliminated = self.eliminated_round.len();
        let winners = self.winner_round.len();
        if self.round >= rules.stop_after_round.unwrap_or(u32::MAX) {
            false
        } else if winners == self.num_declared() && rules.number_of_winners as usize > self.num_candidates() {
            false
        } else if rules.continue_until_two {
            eliminated + winners + 1 < self.num_candidates()
                || self.eliminated_round.values().any(|r| *r == self.round)
        } else if rules.winner_mode == WinnerMode::BottomsUpPercentage {
            winners == 0
        } else {
            winners < rules.number_of_winners as usize
                || (rules.uses_surpluses() && self.winner_round.values().any(|r| *r == self.round))
        }
    }

    fn should_recompute_threshold(&self) -> bool {
        let rules = &self.config.rules;
        if rules.number_of_winners > 1 {
            return self.round == 1;
        }
        if self.round == 1 {
            return true;
        }
        if rules.first_round_determines_threshold {
            return false;
        }
        if rules.continue_until_two {
            return self.winner_round.is_empty();
        }
        true
    }

    fn threshold(&self) -> Result<Decimal> {
        let rules = &self.config.rules;
        let votes = self.current().active_sum()?;
        if let Some(pct) = rules.bottoms_up_percentage {
            return dec::mul_exact(votes, pct);
        }
        let seats = i64::from(rules.number_of_winners);
        let divisor = dec::whole(if rules.hare_quota { seats } else { seats + 1 });
        let places = if rules.non_integer_threshold {
            self.places()
        } else {
            0
        };
        if rules.hare_quota {
            dec::div(votes, divisor, places, Rounding::Up)
        } else {
            dec::add(
                dec::div(votes, divisor, places, Rounding::Down)?,
                dec::unit(places)?,
            )
        }
    }

    fn record(&mut self, i: usize, tally: &mut Round, selected: Option<usize>, status: Status) -> Result<()> {
        let value = self.cvrs[i].value()?;
        if dec::signum(value) == 1 {
            let from = self.cvrs[i]
                .recipient
                .map(Party::Candidate)
                .unwrap_or(Party::Uncounted);
            let to = selected.map(Party::Candidate).unwrap_or(Party::Exhausted);
            let round = self.transfers.len() - 1;
            let entry = self.transfers[round].entry((from, to)).or_insert_with(dec::zero);
            *entry = dec::add(*entry, value)?;
        }
        let cvr = &mut self.cvrs[i];
        cvr.recipient = selected;
        if selected.is_none() {
            cvr.status = status;
        }
        if status != Status::Active {
            tally.add_status(status, value)?;
        }
        Ok(())
    }

    fn count_for(&mut self, i: usize, tally: &mut Round, c: usize) -> Result<()> {
        let value = self.cvrs[i].value()?;
        tally.add_status(Status::Active, value)?;
        let v = tally.tally.entry(c).or_insert_with(dec::zero);
        *v = dec::add(*v, value)?;
        Ok(())
    }

    fn overvote(&self, tokens: &[usize]) -> Result<Overvote> {
        let rule = self.config.rules.overvote;
        if tokens.iter().any(|t| self.tokens[*t].kind == TokenKind::Overvote) {
            if tokens.len() != 1 {
                return Err(
                    self.stop("a record marks the overvote label together with candidates at one rank")
                );
            }
            return match rule {
                OvervoteRule::ExhaustImmediately => Ok(Overvote::Exhaust),
                OvervoteRule::AlwaysSkipToNextRank => Ok(Overvote::Skip),
                OvervoteRule::ExhaustIfMultipleContinuing => Err(self.stop(
                    "an explicit overvote needs overvoteRule exhaustImmediately or alwaysSkipToNextRank",
                )),
            };
        }
        if tokens.len() <= 1 {
            return Ok(Overvote::None);
        }
        Ok(match rule {
            OvervoteRule::ExhaustImmediately => Overvote::Exhaust,
            OvervoteRule::AlwaysSkipToNextRank => Overvote::Skip,
            OvervoteRule::ExhaustIfMultipleContinuing => {
                if tokens.iter().filter(|t| self.token_continuing(**t)).count() >= 2 {
                    Overvote::Exhaust
                } else {
                    Overvote::None
                }
            }
        })
    }

    fn compute_tallies(&mut self) -> Result<Round> {
        let mut tally = Round {
            number: self.round,
            tally: (0..self.names.len())
                .filter(|c| self.continuing(*c))
                .map(|c| (c, dec::zero()))
                .collect(),
            statuses: [dec::zero(); 7],
            threshold: dec::zero(),
        };
        self.transfers.push(BTreeMap::new());
        let rules = &self.config.rules;
        let final_surplus =
            rules.uses_surpluses() && rules.number_of_winners as usize == self.winner_round.len();
        for i in 0..self.cvrs.len() {
            if self.cvrs[i].exhausted() {
                let value = self.cvrs[i].value()?;
                tally.add_status(self.cvrs[i].status, value)?;
                continue;
            }
            if let Some(r) = self.cvrs[i].recipient {
                if self.continuing(r) {
                    self.count_for(i, &mut tally, r)?;
                    continue;
                }
            }
            if self.cvrs[i].rankings.ranks.is_empty() {
                self.record(i, &mut tally, None, Status::DidNotRankAnyCandidates)?;
            }
            let max_rank = self.cvrs[i].rankings.max_rank();
            let mut last_rank = 0u32;
            let mut seen: HashSet<&str> = HashSet::new();
            let ranks = std::mem::take(&mut self.cvrs[i].rankings.ranks);
            let mut outcome = Ok(());
            for (rank, tokens) in &ranks {
                if final_surplus {
                    outcome = self.record(i, &mut tally, None, Status::FinalRoundSurplus);
                    break;
                }
                if let Some(max) = rules.max_skipped_ranks {
                    if u64::from(*rank) - u64::from(last_rank) > u64::from(max) + 1 {
                        outcome = self.record(i, &mut tally, None, Status::SkippedRanking);
                        break;
                    }
                }
                last_rank = *rank;
                if rules.exhaust_on_duplicate {
                    let tokens_raw = tokens.iter().map(|t| self.tokens[*t].raw.as_str());
                    let mut duplicate = false;
                    for raw in tokens_raw {
                        if !seen.insert(raw) {
                            duplicate = true;
                            break;
                        }
                    }
                    if duplicate {
                        outcome = self.record(i, &mut tally, None, Status::RepeatedRanking);
                        break;
                    }
                }
                match self.overvote(tokens) {
                    Err(e) => {
                        outcome = Err(e);
                        break;
                    }
                    Ok(Overvote::Exhaust) => {
                        outcome = self.record(i, &mut tally, None, Status::Overvote);
                        break;
                    }
                    Ok(Overvote::Skip) => {
                        if *rank == max_rank {
                            outcome = self.record(i, &mut tally, None, Status::ExhaustedChoice);
                        }
                        continue;
                    }
                    Ok(Overvote::None) => {}
                }
                let selected = tokens
                    .iter()
                    .filter_map(|t| self.token_candidate(*t))
                    .find(|c| self.continuing(*c));
                if let Some(c) = selected {
                    outcome = self
                        .record(i, &mut tally, Some(c), Status::Active)
                        .and_then(|_| self.count_for(i, &mut tally, c));
                    break;
                }
                if *rank == max_rank {
                    outcome = self.record(i, &mut tally, None, Status::ExhaustedChoice);
                }
            }
            self.cvrs[i].rankings.ranks = ranks;
            outcome?;
        }
        Ok(tally)
    }

    fn identify_winners(&mut self, by_tally: &BTreeMap<Decimal, Vec<usize>>) -> Result<Vec<usize>> {
        let rules = &self.config.rules;
        let tally = self.current();
        if let Some(w) = self.write_in {
            if tally.tally.get(&w).map(|v| dec::signum(*v) != 0).unwrap_or(false) {
                return Ok(Vec::new());
            }
        }
        let mut selected: Vec<usize> = Vec::new();
        if rules.winner_mode == WinnerMode::BottomsUpPercentage {
            let above = tally.tally.values().filter(|v| **v > tally.threshold).count();
            if above == tally.tally.len() {
                selected.extend(tally.tally.keys());
            }
            return Ok(selected);
        }
        let unfilled = (rules.number_of_winners as usize).saturating_sub(self.winner_round.len());
        let active = tally.tally.len();
        if unfilled > 0 {
            if active <= unfilled {
                selected.extend(tally.tally.keys());
            } else if rules.first_round_determines_threshold && active - 1 == rules.number_of_winners as usize
            {
                if let Some((_, top)) = by_tally.iter().next_back() {
                    selected = top.clone();
                }
            } else if rules.winner_mode != WinnerMode::BottomsUp {
                for (votes, cands) in by_tally {
                    if *votes >= tally.threshold {
                        selected.extend(cands.iter().filter(|c| Some(**c) != self.write_in));
                    }
                }
            }
        }
        let tie_many = selected.len() > 1
            && (rules.winner_mode == WinnerMode::MultiWinnerOnlyOnePerRound
                || rules.first_round_determines_threshold);
        let tie_none = rules.number_of_winners == 1 && selected.is_empty() && active == 2 && unfilled == 1;
        if tie_many || tie_none {
            let Some((max, top)) = by_tally.iter().next_back() else {
                return Ok(Vec::new());
            };
            let (max, top) = (*max, top.clone());
            selected = if top.len() > 1 {
                vec![self.tie_break(true, top, max)?]
            } else {
                top
            };
        }
        Ok(selected)
    }

    fn drop_write_ins(&self) -> Vec<usize> {
        match self.write_in {
            Some(w)
                if self
                    .current()
                    .tally
                    .get(&w)
                    .map(|v| dec::signum(*v) == 1)
                    .unwrap_or(false) =>
            {
                vec![w]
            }
            _ => Vec::new(),
        }
    }

    fn cutoff_elimination(&self) -> Vec<usize> {
        if !self.config.rules.cutoff_elimination {
            return Vec::new();
        }
        let tally = self.current();
        tally
            .tally
            .iter()
            .filter(|(_, v)| **v < tally.threshold)
            .map(|(c, _)| *c)
            .collect()
    }

    fn batch_elimination(&self, by_tally: &BTreeMap<Decimal, Vec<usize>>) -> Result<Vec<usize>> {
        let rules = &self.config.rules;
        if !rules.batch_elimination {
            return Ok(Vec::new());
        }
        let mut running = dec::zero();
        let mut seen: Vec<usize> = Vec::new();
        let mut eliminated: HashSet<usize> = HashSet::new();
        let mut eliminations: Vec<usize> = Vec::new();
        let mut previous: Vec<usize> = Vec::new();
        for (votes, cands) in by_tally {
            let mut next = eliminations.clone();
            if running < *votes {
                for c in &seen {
                    if eliminated.insert(*c) {
                        next.push(*c);
                    }
                }
            }
            let count = dec::whole(cands.len() as i64);
            running = dec::add(running, dec::mul_trunc(*votes, count, self.places())?)?;
            seen.extend(cands);
            if next.len() > eliminations.len() {
                previous = std::mem::replace(&mut eliminations, next);
            }
        }
        if rules.continue_until_two
            && eliminations.len() + self.eliminated_round.len() + 1 == self.num_candidates()
        {
            eliminations = previous;
        }
        Ok(if eliminations.len() > 1 {
            eliminations
        } else {
            Vec::new()
        })
    }

    fn regular_elimination(&mut self, by_tally: &BTreeMap<Decimal, Vec<usize>>) -> Result<Vec<usize>> {
        let Some((min, last)) = by_tally.iter().next() else {
            return Ok(Vec::new());
        };
        let (min, last) = (*min, last.clone());
        if last.len() > 1 {
            Ok(vec![self.tie_break(false, last, min)?])
        } else {
            Ok(last)
        }
    }

    /// RCTab's `Tiebreak.selectCandidate`: the winner (`selecting_winner`)
    /// or loser among `tied`, who all have `votes`.
    fn tie_break(&mut self, selecting_winner: bool, mut tied: Vec<usize>, votes: Decimal) -> Result<usize> {
        let names = self.names.clone();
        tied.sort_by(|a, b| java::compare(&names[*a], &names[*b]));
        let list = |cs: &[usize]| {
            cs.iter()
                .map(|c| format!("{:?}", names[*c]))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mode = self.config.rules.tiebreak;
        let (choice, how) = match mode {
            TiebreakMode::Random => (
                self.random_pick(&tied)?,
                "drawn at random (randomSeed)".to_string(),
            ),
            TiebreakMode::UseCandidateOrder | TiebreakMode::GeneratePermutation => {
                let mut order = self.permutation.clone();
                if !selecting_winner {
                    order.reverse();
                }
                let pick = order.into_iter().find(|c| tied.contains(c)).ok_or_else(|| {
                    self.stop(format!(
                        "the tie between {} is not decided by the candidate order",
                        list(&tied)
                    ))
                })?;
                (
                    pick,
                    format!(
                        "{} in the tie-break order",
                        if selecting_winner { "earliest" } else { "latest" }
                    ),
                )
            }
            TiebreakMode::StopCountingAndAsk => {
                return Err(self.ask(&list(&tied), mode));
            }
            TiebreakMode::PreviousRoundCountsThenRandom | TiebreakMode::PreviousRoundCountsThenAsk => {
                let mut contention = tied.clone();
                let mut decided = None;
                for r in (1..self.round).rev() {
                    let round = &self.rounds[r as usize - 1];
                    let set: HashSet<usize> = contention.iter().copied().collect();
                    // RCTab iterates a new HashSet of the names here.
                    let order = java::hash_set_order(contention.iter().map(|c| names[*c].clone()).collect());
                    let mut groups: BTreeMap<Decimal, Vec<usize>> = BTreeMap::new();
                    for name in order {
                        let Some(c) = set.iter().copied().find(|c| names[*c] == name) else {
                            continue;
                        };
                        let v = round.tally.get(&c).copied().unwrap_or_else(dec::zero);
                        groups.entry(v).or_default().push(c);
                    }
                    let pick = if selecting_winner {
                        groups.into_iter().next_back()
                    } else {
                        groups.into_iter().next()
                    };
                    let Some((v, group)) = pick else { break };
                    contention = group;
                    if contention.len() == 1 {
                        decided = Some((
                            contention[0],
                            format!(
                                "{} votes ({}) in round {r}",
                                if selecting_winner { "most" } else { "fewest" },
                                dec::java_string(v)
                            ),
                        ));
                        break;
                    }
                }
                match decided {
                    Some(d) => d,
                    None if mode == TiebreakMode::PreviousRoundCountsThenRandom => (
                        self.random_pick(&contention)?,
                        "still tied in earlier rounds, then drawn at random (randomSeed)".to_string(),
                    ),
                    None => return Err(self.ask(&list(&contention), mode)),
                }
            }
        };
        self.tie_breaks.push((
            self.round,
            format!(
                "{:?} {} a tie at {} votes against {}: {how}",
                names[choice],
                if selecting_winner { "won" } else { "lost" },
                dec::java_string(votes),
                list(&tied.iter().copied().filter(|c| *c != choice).collect::<Vec<_>>())
            ),
        ));
        Ok(choice)
    }

    fn random_pick(&mut self, tied: &[usize]) -> Result<usize> {
        let r = self.random.as_mut().ok_or_else(|| Error::TabulationStopped {
            round: 0,
            message: "a random tie-break without a seed".into(),
        })?;
        let i = (r.next_double() * tied.len() as f64).floor() as usize;
        Ok(tied[i.min(tied.len() - 1)])
    }

    fn ask(&self, tied: &str, mode: TiebreakMode) -> Error {
        Error::RulesUnsupported {
            file: "(config)".into(),
            field: "rules.tiebreakMode".into(),
            value: format!("{:?}", mode.label()),
            reason: format!(
                "round {} has a tie between {tied} that needs an operator's choice; votekiosk counts without one (use previousRoundCountsThenRandom with a randomSeed, or useCandidateOrder)",
                self.round
            ),
        }
    }

    /// RCTab's `updateWinnerTallies`: earlier winners keep exactly the
    /// threshold in the tally; what truncation left over is the residual
    /// surplus.
    fn update_winner_tallies(&mut self) -> Result<()> {
        let round = self.round;
        let mut fresh: Vec<usize> = Vec::new();
        let mut older: Vec<usize> = Vec::new();
        for (w, r) in &self.winner_round {
            if *r == round {
                continue;
            }
            if *r + 1 == round {
                fresh.push(*w);
            } else {
                older.push(*w);
            }
        }
        let n = self.rounds.len();
        for w in &older {
            let v = self.rounds[n - 2].tally.get(w).copied().unwrap_or_else(dec::zero);
            self.rounds[n - 1].tally.insert(*w, v);
        }
        for w in &fresh {
            self.rounds[n - 1].tally.insert(*w, dec::zero());
        }
        if fresh.is_empty() {
            return Ok(());
        }
        for cvr in &self.cvrs {
            for (w, value) in &cvr.allocated {
                if fresh.contains(w) {
                    let t = self.rounds[n - 1].tally.entry(*w).or_insert_with(dec::zero);
                    *t = dec::add(*t, *value)?;
                }
            }
        }
        let threshold = self.rounds[n - 1].threshold;
        for w in fresh {
            let votes = self.rounds[n - 1].tally[&w];
            let residual = dec::sub(votes, threshold)?;
            if dec::signum(residual) == 1 {
                self.residual[n - 1] = dec::add(self.residual[n - 1], residual)?;
                self.rounds[n - 1].tally.insert(w, threshold);
                let entry = self.transfers[n - 1]
                    .entry((Party::Candidate(w), Party::ResidualSurplus))
                    .or_insert_with(dec::zero);
                *entry = dec::add(*entry, residual)?;
            }
        }
        Ok(())
    }
}

impl Tabulation {
    /// Winners in the order elected, by name.
    pub fn winner_names(&self) -> Vec<&str> {
        self.winners.iter().map(|w| self.names[*w].as_str()).collect()
    }
}

/// Java's order of candidate names (for reports).
pub fn name_order(a: &str, b: &str) -> Ordering {
    java::compare(a, b)
}
