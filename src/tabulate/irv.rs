//! Instant-runoff tabulation, round by round (the rules in plain words are
//! in `docs/tabulation.md`).
//!
//! Layout. Ballots are kept as one flat buffer of candidate indices (`u8`:
//! a definition has at most 200 candidates) with an end offset per ballot,
//! after the contest's rules for irregular rankings have been applied once,
//! when each ballot is added: what is left is, per ballot, the candidates
//! it can ever count for, in order, and the reason it will stop counting
//! when they are all eliminated. Counting then never re-reads a ballot that
//! has not moved: each candidate holds the list ("pile") of the ballots
//! counting for them, and eliminating a candidate walks only that pile,
//! advancing each ballot's cursor past eliminated candidates to its next
//! continuing one. The whole count costs one pass over the ballots plus one
//! step per transfer, whatever the number of rounds.

use sha2::{Digest, Sha256};

use crate::definition::{DefinitionHash, DuplicateRule, OvervoteRule, RankedRules, StopRule, TieBreak};

use super::result::{Draw, ExhaustedBy, RankedResult, Round, TieBreakRecord, Transfer, Votes};

/// Candidate indices are bytes.
pub const MAX_CANDIDATES: usize = 256;

/// Why a ballot stops counting once every candidate left on it is out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum End {
    NoMoreRankings = 0,
    Overvote = 1,
    SkippedRanks = 2,
    DuplicateRanking = 3,
}

/// The ballots of one ranked contest in the compact layout.
#[derive(Debug, Clone, Default)]
pub struct RankedBallots {
    candidates: usize,
    /// Candidate indices, ballot after ballot.
    marks: Vec<u8>,
    /// `ends[i]`: where ballot `i` ends in `marks` (it starts at `ends[i-1]`, or 0).
    ends: Vec<u32>,
    /// `End` of each ballot, as a byte.
    reasons: Vec<u8>,
    /// How many ballots each stored entry stands for; empty while every
    /// entry stands for one (the kiosk's unweighted count).
    weights: Vec<u64>,
    /// Ballots the stored entries stand for (the sum of their weights).
    stored: u64,
    /// Ballots that rank nobody (not stored).
    blank: u64,
}

impl RankedBallots {
    /// An empty set of ballots for a contest with `candidates` candidates.
    pub fn new(candidates: usize) -> Self {
        Self::with_capacity(candidates, 0, 0)
    }

    /// Same, with room for `ballots` ballots holding `marks` rankings in all.
    pub fn with_capacity(candidates: usize, ballots: usize, marks: usize) -> Self {
        assert!(
            (1..=MAX_CANDIDATES).contains(&candidates),
            "a ranked contest has 1 to {MAX_CANDIDATES} candidates, not {candidates}"
        );
        RankedBallots {
            candidates,
            marks: Vec::with_capacity(marks),
            ends: Vec::with_capacity(ballots),
            reasons: Vec::with_capacity(ballots),
            weights: Vec::new(),
            stored: 0,
            blank: 0,
        }
    }

    /// Every ballot added, blank ones included.
    pub fn len(&self) -> u64 {
        self.stored + self.blank
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn candidates(&self) -> usize {
        self.candidates
    }

    /// Adds a kiosk ballot: distinct candidate indices in rank order, no
    /// gaps (the cast validation guarantees it; this checks it).
    pub fn push_ranking(&mut self, ranking: &[u8]) {
        self.push_ranking_weighted(ranking, 1);
    }

    /// Adds `weight` identical kiosk ballots at once (a distinct ranking
    /// with how many ballots hold it); a weight of 0 adds nothing.
    pub fn push_ranking_weighted(&mut self, ranking: &[u8], weight: u64) {
        if weight == 0 {
            return;
        }
        if ranking.is_empty() {
            self.blank += weight;
            return;
        }
        let mut seen = [0u64; 4];
        for &c in ranking {
            let c = usize::from(c);
            assert!(
                c < self.candidates,
                "ranking names candidate {c} of {}",
                self.candidates
            );
            let (word, bit) = (c / 64, 1u64 << (c % 64));
            assert!(
                seen[word] & bit == 0,
                "a kiosk ballot ranks a candidate twice: the cast validation must refuse it"
            );
            seen[word] |= bit;
        }
        self.marks.extend_from_slice(ranking);
        self.close_ballot(End::NoMoreRankings, weight);
    }

    /// Adds a ranked ballot from outside the kiosk: one entry per rank
    /// position, each holding 0, 1 or several candidate indices. `rules`
    /// decide what overvotes, skipped ranks and repeated candidates do.
    pub fn push_positions<P: AsRef<[u8]>>(&mut self, rules: &RankedRules, positions: &[P]) {
        self.push_positions_weighted(rules, positions, 1);
    }

    /// `push_positions` for `weight` identical ballots at once.
    pub fn push_positions_weighted<P: AsRef<[u8]>>(
        &mut self,
        rules: &RankedRules,
        positions: &[P],
        weight: u64,
    ) {
        if weight == 0 {
            return;
        }
        if positions.iter().all(|p| p.as_ref().is_empty()) {
            self.blank += weight;
            return;
        }
        let mut seen = [0u64; 4];
        let mut skipped: u64 = 0;
        let mut end = End::NoMoreRankings;
        for position in positions {
            let position = position.as_ref();
            let Some(&first) = position.first() else {
                skipped += 1;
                continue;
            };
            for &c in position {
                assert!(
                    usize::from(c) < self.candidates,
                    "ranking names candidate {c} of {}",
                    self.candidates
                );
            }
            // A marked rank after too many empty ones: the ballot stops here.
            if let Some(limit) = rules.skipped_rank_limit {
                if skipped > u64::from(limit) {
                    end = End::SkippedRanks;
                    break;
                }
            }
            skipped = 0;
            if position.iter().any(|&c| c != first) {
                match rules.overvote {
                    OvervoteRule::Exhaust => {
                        end = End::Overvote;
                        break;
                    }
                    OvervoteRule::SkipRank => continue,
                }
            }
            let (word, bit) = (usize::from(first) / 64, 1u64 << (first % 64));
            if seen[word] & bit != 0 {
                match rules.duplicate_ranking {
                    DuplicateRule::Exhaust => {
                        end = End::DuplicateRanking;
                        break;
                    }
                    DuplicateRule::SkipDuplicate => continue,
                }
            }
            seen[word] |= bit;
            self.marks.push(first);
        }
        self.close_ballot(end, weight);
    }

    fn close_ballot(&mut self, end: End, weight: u64) {
        let at = u32::try_from(self.marks.len()).expect("at most 4 billion rankings in one count");
        // Weights are kept from the first entry that is not 1 on (the
        // earlier ones are 1).
        if weight != 1 || !self.weights.is_empty() {
            self.weights.resize(self.ends.len(), 1);
            self.weights.push(weight);
        }
        self.ends.push(at);
        self.reasons.push(end as u8);
        self.stored += weight;
    }

    fn weight(&self, entry: usize) -> u64 {
        self.weights.get(entry).copied().unwrap_or(1)
    }
}

/// SHA-256 over length-prefixed parts (`LP` in `docs/formats.md`).
fn sha256_parts(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    h.finalize().into()
}

/// The canonical text of one ranked ballot for the draw seed: a JSON array
/// of rank positions, each an array of candidate ids (sorted bytewise), no
/// spaces: `[["kim"],[],["lopez","moore"]]`. A kiosk ballot has one id per
/// position; a blank kiosk ballot is `[]`. Ids need no escaping.
pub fn encode_positions<S: AsRef<str>, P: AsRef<[S]>>(positions: &[P]) -> String {
    let mut out = String::from("[");
    for (i, position) in positions.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let mut ids: Vec<&str> = position.as_ref().iter().map(AsRef::as_ref).collect();
        ids.sort_unstable();
        out.push('[');
        for (j, id) in ids.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(id);
            out.push('"');
        }
        out.push(']');
    }
    out.push(']');
    out
}

/// SHA-256 of every ballot's canonical text, sorted bytewise, each
/// length-prefixed: a digest of the ballots that does not depend on their order.
pub fn ballots_digest(mut encoded: Vec<String>) -> [u8; 32] {
    encoded.sort_unstable();
    let mut h = Sha256::new();
    for e in &encoded {
        h.update((e.len() as u64).to_be_bytes());
        h.update(e.as_bytes());
    }
    h.finalize().into()
}

/// `ballots_digest` of ballots given as distinct texts with how many
/// ballots hold each: the same digest as every ballot's text listed.
pub fn ballots_digest_weighted(mut encoded: Vec<(String, u64)>) -> [u8; 32] {
    encoded.sort_unstable();
    let mut h = Sha256::new();
    for (e, n) in &encoded {
        for _ in 0..*n {
            h.update((e.len() as u64).to_be_bytes());
            h.update(e.as_bytes());
        }
    }
    h.finalize().into()
}

/// `SHA-256(LP("votekiosk-tiebreak/1") ‖ LP(definition hash) ‖ LP(contest id) ‖ LP(ballots digest))`.
pub fn draw_seed(definition: &DefinitionHash, contest: &str, digest: &[u8; 32]) -> [u8; 32] {
    sha256_parts(&[b"votekiosk-tiebreak/1", &definition.0, contest.as_bytes(), digest])
}

/// A candidate's key in a draw: `SHA-256(LP(seed) ‖ LP(u32_be(round)) ‖ LP(candidate id))`.
/// The lowest key is eliminated.
pub fn draw_key(seed: &[u8; 32], round: u32, candidate: &str) -> [u8; 32] {
    sha256_parts(&[seed, &round.to_be_bytes(), candidate.as_bytes()])
}

/// Counts a ranked contest. `candidates` are the ids in definition order
/// (index = position); `seed` computes the draw seed, and is only called if
/// a draw is needed (it hashes every ballot).
pub fn tabulate(
    contest: &str,
    candidates: &[&str],
    rules: &RankedRules,
    ballots: &RankedBallots,
    seed: &dyn Fn() -> [u8; 32],
) -> RankedResult {
    let n = candidates.len();
    assert_eq!(
        n, ballots.candidates,
        "the ballots belong to a contest with {n} candidates"
    );
    let stored = ballots.ends.len();
    let mut exhausted = ExhaustedBy::default();

    // Round 1: every ballot on its first choice. Count first, so each pile
    // is allocated once at its final round-1 size.
    let mut first_counts = vec![0usize; n];
    let mut start = 0usize;
    for &end in &ballots.ends {
        if start < end as usize {
            first_counts[usize::from(ballots.marks[start])] += 1;
        }
        start = end as usize;
    }
    let mut piles: Vec<Vec<u32>> = first_counts.iter().map(|&k| Vec::with_capacity(k)).collect();
    // The ballots each pile stands for (its entries' weights).
    let mut pile_votes = vec![0u64; n];
    // Each ballot's position in `marks`: the candidate it counts for now.
    let mut cursor: Vec<u32> = Vec::with_capacity(stored);
    let mut start = 0u32;
    for (i, (&end, &reason)) in ballots.ends.iter().zip(&ballots.reasons).enumerate() {
        if start < end {
            let first = usize::from(ballots.marks[start as usize]);
            piles[first].push(i as u32);
            pile_votes[first] += ballots.weight(i);
        } else {
            exhaust(&mut exhausted, reason, ballots.weight(i));
        }
        cursor.push(start);
        start = end;
    }

    let mut continuing = vec![true; n];
    let mut history: Vec<Vec<u64>> = Vec::new();
    let mut rounds = Vec::new();
    let mut winner = None;
    let mut tie_breaks = 0;
    let mut seed_value: Option<[u8; 32]> = None;

    loop {
        let number = rounds.len() as u32 + 1;
        let votes: Vec<u64> = (0..n)
            .map(|c| if continuing[c] { pile_votes[c] } else { 0 })
            .collect();
        let alive: Vec<usize> = (0..n).filter(|&c| continuing[c]).collect();
        let total: u64 = votes.iter().sum();
        let mut round = Round {
            round: number,
            tallies: alive
                .iter()
                .map(|&c| Votes {
                    candidate: candidates[c].to_string(),
                    votes: votes[c],
                })
                .collect(),
            continuing: total,
            threshold: total / 2 + 1,
            exhausted: exhausted.total(),
            exhausted_by: exhausted,
            elected: None,
            eliminated: Vec::new(),
            tie_break: None,
            transfers: Vec::new(),
        };
        history.push(votes.clone());
        if total == 0 {
            // Nobody counts for anyone: no winner (see docs/tabulation.md).
            rounds.push(round);
            break;
        }
        let top = *alive
            .iter()
            .max_by_key(|&&c| votes[c])
            .expect("a continuing candidate");
        let top_unique = alive.iter().filter(|&&c| votes[c] == votes[top]).count() == 1;
        let elected = if alive.len() == 1 {
            Some(top)
        } else {
            match rules.stop {
                StopRule::Majority => (2 * votes[top] > total).then_some(top),
                StopRule::TwoRemaining => (alive.len() == 2 && top_unique).then_some(top),
            }
        };
        if let Some(w) = elected {
            round.elected = Some(candidates[w].to_string());
            winner = Some(candidates[w].to_string());
            rounds.push(round);
            break;
        }

        // Who goes out.
        let batch = if rules.batch_elimination {
            batch(&alive, &votes)
        } else {
            Vec::new()
        };
        let out: Vec<usize> = if batch.len() >= 2 {
            batch
        } else {
            let lowest = alive.iter().map(|&c| votes[c]).min().unwrap_or(0);
            let tied: Vec<usize> = alive.iter().copied().filter(|&c| votes[c] == lowest).collect();
            if tied.len() == 1 {
                tied
            } else {
                tie_breaks += 1;
                let (loser, record) = break_tie(&tied, rules.tie_break, &history, number, candidates, || {
                    *seed_value.get_or_insert_with(seed)
                });
                round.tie_break = Some(record);
                vec![loser]
            }
        };

        // Move their ballots on (eliminated candidates in definition order).
        let mut out = out;
        out.sort_unstable();
        for &c in &out {
            continuing[c] = false;
        }
        for &c in &out {
            let pile = std::mem::take(&mut piles[c]);
            pile_votes[c] = 0;
            let mut to = vec![0u64; n];
            let mut gone = 0;
            for &b in &pile {
                let bi = b as usize;
                let w = ballots.weight(bi);
                let end = ballots.ends[bi] as usize;
                let mut p = cursor[bi] as usize + 1;
                while p < end && !continuing[usize::from(ballots.marks[p])] {
                    p += 1;
                }
                if p < end {
                    let next = usize::from(ballots.marks[p]);
                    cursor[bi] = p as u32;
                    piles[next].push(b);
                    pile_votes[next] += w;
                    to[next] += w;
                } else {
                    exhaust(&mut exhausted, ballots.reasons[bi], w);
                    gone += w;
                }
            }
            round.transfers.push(Transfer {
                from: candidates[c].to_string(),
                to: (0..n)
                    .filter(|&d| to[d] > 0)
                    .map(|d| Votes {
                        candidate: candidates[d].to_string(),
                        votes: to[d],
                    })
                    .collect(),
                exhausted: gone,
            });
        }
        round.eliminated = out.iter().map(|&c| candidates[c].to_string()).collect();
        rounds.push(round);
    }

    RankedResult {
        id: contest.to_string(),
        ballots: ballots.len(),
        blank: ballots.blank,
        rules: rules.to_doc(),
        rounds,
        winner,
        tie_breaks,
    }
}

fn exhaust(exhausted: &mut ExhaustedBy, reason: u8, weight: u64) {
    match reason {
        0 => exhausted.no_more_rankings += weight,
        1 => exhausted.overvote += weight,
        2 => exhausted.skipped_ranks += weight,
        _ => exhausted.duplicate_ranking += weight,
    }
}

/// Batch elimination: the largest group of lowest candidates whose votes
/// together are fewer than the next candidate's, leaving at least two
/// candidates. Empty if there is no such group of two or more.
fn batch(alive: &[usize], votes: &[u64]) -> Vec<usize> {
    let mut sorted: Vec<usize> = alive.to_vec();
    sorted.sort_by_key(|&c| votes[c]);
    let mut sum = 0;
    let mut best = 0;
    for k in 1..=sorted.len().saturating_sub(2) {
        sum += votes[sorted[k - 1]];
        if sum < votes[sorted[k]] {
            best = k;
        }
    }
    if best >= 2 {
        sorted.truncate(best);
        sorted
    } else {
        Vec::new()
    }
}

/// Picks which of `tied` (tied for last place in round `round`) is
/// eliminated: fewest votes in the latest earlier round where they differ,
/// going back as far as round 1 (unless the rule is `draw`), then a draw.
fn break_tie(
    tied: &[usize],
    rule: TieBreak,
    history: &[Vec<u64>],
    round: u32,
    candidates: &[&str],
    mut seed: impl FnMut() -> [u8; 32],
) -> (usize, TieBreakRecord) {
    let mut remaining = tied.to_vec();
    if rule == TieBreak::PreviousRoundThenDraw {
        // history's last entry is this round; look at the ones before it.
        for earlier in history[..history.len() - 1].iter().rev() {
            let fewest = remaining.iter().map(|&c| earlier[c]).min().unwrap_or(0);
            remaining.retain(|&c| earlier[c] == fewest);
            if remaining.len() == 1 {
                break;
            }
        }
    }
    let names = |list: &[usize]| {
        list.iter()
            .map(|&c| candidates[c].to_string())
            .collect::<Vec<_>>()
    };
    let mut record = TieBreakRecord {
        tied: names(tied),
        after_previous_rounds: names(&remaining),
        draw: None,
    };
    if remaining.len() == 1 {
        return (remaining[0], record);
    }
    let seed = seed();
    let mut keyed: Vec<([u8; 32], usize)> = remaining
        .iter()
        .map(|&c| (draw_key(&seed, round, candidates[c]), c))
        .collect();
    keyed.sort_unstable();
    let order: Vec<usize> = keyed.iter().map(|&(_, c)| c).collect();
    record.draw = Some(Draw {
        seed: hex::encode(seed),
        order: names(&order),
    });
    (order[0], record)
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDS: [&str; 4] = ["a", "b", "c", "d"];

    fn no_seed() -> [u8; 32] {
        panic!("no draw expected")
    }

    fn count(candidates: usize, rules: &RankedRules, ballots: &[(u32, &[u8])]) -> RankedResult {
        let mut b = RankedBallots::new(candidates);
        for (times, ranking) in ballots {
            for _ in 0..*times {
                b.push_ranking(ranking);
            }
        }
        tabulate("x", &IDS[..candidates], rules, &b, &|| [7u8; 32])
    }

    fn tallies(round: &Round) -> Vec<(&str, u64)> {
        round
            .tallies
            .iter()
            .map(|v| (v.candidate.as_str(), v.votes))
            .collect()
    }

    #[test]
    fn majority_in_round_one_stops_at_once() {
        let r = count(3, &RankedRules::default(), &[(3, &[0]), (1, &[1, 0]), (1, &[2])]);
        assert_eq!(r.rounds.len(), 1);
        assert_eq!(r.winner.as_deref(), Some("a"));
        assert_eq!(r.rounds[0].threshold, 3);
        assert_eq!(r.rounds[0].elected.as_deref(), Some("a"));
    }

    #[test]
    fn transfers_follow_the_next_continuing_choice() {
        // a 4, b 3, c 2 (c's ballots: one to b, one exhausts).
        let r = count(
            3,
            &RankedRules::default(),
            &[(4, &[0]), (3, &[1]), (1, &[2, 1]), (1, &[2])],
        );
        assert_eq!(tallies(&r.rounds[0]), vec![("a", 4), ("b", 3), ("c", 2)]);
        assert_eq!(r.rounds[0].eliminated, vec!["c"]);
        let t = &r.rounds[0].transfers[0];
        assert_eq!((t.from.as_str(), t.exhausted), ("c", 1));
        assert_eq!(
            t.to,
            vec![Votes {
                candidate: "b".into(),
                votes: 1
            }]
        );
        assert_eq!(tallies(&r.rounds[1]), vec![("a", 4), ("b", 4)]);
        assert_eq!(r.rounds[1].exhausted, 1);
        // a and b tie 4-4: previous round (a 4, b 3) eliminates b.
        let tb = r.rounds[1].tie_break.as_ref().expect("tie break");
        assert_eq!(tb.after_previous_rounds, vec!["b"]);
        assert!(tb.draw.is_none());
        assert_eq!(r.winner.as_deref(), Some("a"));
        assert_eq!(r.tie_breaks, 1);
    }

    #[test]
    fn batch_elimination_removes_every_hopeless_candidate_at_once() {
        let rules = RankedRules {
            batch_elimination: true,
            ..RankedRules::default()
        };
        // d 1, c 2, b 5, a 6: d + c = 3 < 5, so both go together.
        let r = count(4, &rules, &[(6, &[0]), (5, &[1]), (2, &[2, 1]), (1, &[3, 2])]);
        assert_eq!(r.rounds[0].eliminated, vec!["c", "d"]);
        assert_eq!(tallies(&r.rounds[1]), vec![("a", 6), ("b", 7)]);
        assert_eq!(r.winner.as_deref(), Some("b"));
        // Without batch elimination: d first, then c.
        let r = count(
            4,
            &RankedRules::default(),
            &[(6, &[0]), (5, &[1]), (2, &[2, 1]), (1, &[3, 2])],
        );
        assert_eq!(r.rounds.len(), 3);
    }

    #[test]
    fn two_remaining_goes_on_past_a_majority() {
        let rules = RankedRules {
            stop: StopRule::TwoRemaining,
            ..RankedRules::default()
        };
        let r = count(3, &rules, &[(5, &[0]), (2, &[1]), (1, &[2])]);
        assert_eq!(r.rounds.len(), 2);
        assert_eq!(r.rounds[1].elected.as_deref(), Some("a"));
        let r = count(3, &RankedRules::default(), &[(5, &[0]), (2, &[1]), (1, &[2])]);
        assert_eq!(r.rounds.len(), 1);
    }

    #[test]
    fn a_draw_is_recorded_and_replayable() {
        let r = count(3, &RankedRules::default(), &[(2, &[0]), (1, &[1]), (1, &[2])]);
        let tb = r.rounds[0].tie_break.as_ref().expect("tie");
        let draw = tb.draw.as_ref().expect("draw in round 1");
        assert_eq!(draw.seed, hex::encode([7u8; 32]));
        let mut keyed: Vec<([u8; 32], &str)> = ["b", "c"]
            .iter()
            .map(|c| (draw_key(&[7u8; 32], 1, c), *c))
            .collect();
        keyed.sort();
        assert_eq!(
            draw.order,
            keyed.iter().map(|k| k.1.to_string()).collect::<Vec<_>>()
        );
        assert_eq!(r.rounds[0].eliminated, vec![draw.order[0].clone()]);
    }

    #[test]
    fn no_votes_means_no_winner() {
        let mut b = RankedBallots::new(2);
        b.push_ranking(&[]);
        let rules = RankedRules::default();
        let r = tabulate("x", &IDS[..2], &rules, &b, &no_seed);
        assert_eq!((r.ballots, r.blank, r.rounds.len()), (1, 1, 1));
        assert_eq!(r.winner, None);
    }

    #[test]
    fn irregular_rankings_follow_the_rules() {
        let ranks = |list: &[&[u8]]| list.iter().map(|p| p.to_vec()).collect::<Vec<_>>();
        let ballot = ranks(&[&[], &[0, 1], &[], &[], &[2], &[2], &[3]]);
        let strict = RankedRules {
            skipped_rank_limit: Some(1),
            ..RankedRules::default()
        };
        let lenient = RankedRules {
            overvote: OvervoteRule::SkipRank,
            duplicate_ranking: DuplicateRule::SkipDuplicate,
            ..RankedRules::default()
        };
        let dup_exhausts = RankedRules {
            overvote: OvervoteRule::SkipRank,
            duplicate_ranking: DuplicateRule::Exhaust,
            ..RankedRules::default()
        };
        let mut b = RankedBallots::new(4);
        b.push_positions(&strict, &ballot); // one skip, then an overvote: exhausts at once
        b.push_positions(&lenient, &ballot); // c, d
        b.push_positions(&dup_exhausts, &ballot); // c, then stops at the second c
        let skip_limit = RankedRules {
            overvote: OvervoteRule::SkipRank,
            skipped_rank_limit: Some(1),
            ..RankedRules::default()
        };
        b.push_positions(&skip_limit, &ballot); // overvote skipped, then two empty ranks: stops
        assert_eq!(b.marks, vec![2, 3, 2]);
        assert_eq!(b.reasons, vec![1, 0, 3, 2]);
        b.push_positions(&strict, &ranks(&[&[], &[]]));
        assert_eq!(b.blank, 1);
    }

    #[test]
    fn draw_test_vectors_of_formats_md() {
        let texts = vec![
            encode_positions(&[["kim"], ["lopez"]]),
            encode_positions::<&str, [&str; 0]>(&[]),
            encode_positions(&[vec!["lopez"], vec![], vec!["moore", "kim"]]),
        ];
        assert_eq!(texts[2], r#"[["lopez"],[],["kim","moore"]]"#);
        let digest = ballots_digest(texts);
        assert_eq!(
            hex::encode(digest),
            "7fe471983989a6b8e38a209c8a146db7eb8ffb8812dc2da258cdba773cd2b7ba"
        );
        let mut hash = [0u8; 32];
        for (i, b) in hash.iter_mut().enumerate() {
            *b = i as u8;
        }
        let seed = draw_seed(&DefinitionHash(hash), "school-board", &digest);
        assert_eq!(
            hex::encode(seed),
            "f63997576ec8e3966c761fe91a25003d5a77fb5526043195b10b537ebee9d4d4"
        );
        assert_eq!(
            hex::encode(draw_key(&seed, 2, "lopez")),
            "57b18a50ab4086032dc2f2b64d183489c488d1a0fb8654a5d04e522b0de7fbec"
        );
        assert_eq!(
            hex::encode(draw_key(&seed, 2, "kim")),
            "5a592f9505d64c380717ac529a1fe73fcce6d9cf592c225c4f51f7ce9af0a4a2"
        );
    }
}
