//! Counting marks: `candidate` contests (vote for up to N, write-ins) and
//! `approval` contests. Winners are the top N by votes; a tie at the edge
//! of the winners is reported as a tie, never broken.
//!
//! Layout: one flat buffer of marks (candidate indices, `WRITE_IN` for a
//! write-in) with an end offset per ballot. Write-in names are tallied as
//! ballots are added, since only their counts matter.

use std::collections::BTreeMap;

use super::result::{ApprovalResult, CandidateResult, Votes, WriteInName, WriteIns, WRITE_IN_LINE};

/// The mark of a write-in (candidate indices are below it: at most 200).
pub const WRITE_IN: u8 = u8::MAX;

/// The ballots of one `candidate` or `approval` contest.
#[derive(Debug, Clone, Default)]
pub struct MarkedBallots {
    candidates: usize,
    marks: Vec<u8>,
    ends: Vec<u32>,
    /// How many ballots each stored entry stands for; empty while every
    /// entry stands for one (the kiosk's unweighted count).
    weights: Vec<u64>,
    /// Ballots in all (the sum of the weights).
    total: u64,
    write_in_names: BTreeMap<String, u64>,
}

impl MarkedBallots {
    pub fn new(candidates: usize) -> Self {
        Self::with_capacity(candidates, 0, 0)
    }

    pub fn with_capacity(candidates: usize, ballots: usize, marks: usize) -> Self {
        assert!(
            candidates < usize::from(WRITE_IN),
            "at most {} candidates, not {candidates}",
            WRITE_IN - 1
        );
        MarkedBallots {
            candidates,
            marks: Vec::with_capacity(marks),
            ends: Vec::with_capacity(ballots),
            weights: Vec::new(),
            total: 0,
            write_in_names: BTreeMap::new(),
        }
    }

    /// Adds one ballot: the candidates it marks, and its write-in names
    /// (already normalised).
    pub fn push(&mut self, candidates: &[u8], write_ins: &[&str]) {
        self.push_weighted(candidates, write_ins, 1);
    }

    /// Adds `weight` identical ballots at once (a distinct ballot with
    /// how many ballots hold it); a weight of 0 adds nothing.
    pub fn push_weighted(&mut self, candidates: &[u8], write_ins: &[&str], weight: u64) {
        if weight == 0 {
            return;
        }
        for &c in candidates {
            assert!(
                usize::from(c) < self.candidates,
                "mark for candidate {c} of {}",
                self.candidates
            );
        }
        self.marks.extend_from_slice(candidates);
        for name in write_ins {
            self.marks.push(WRITE_IN);
            match self.write_in_names.get_mut(*name) {
                Some(n) => *n += weight,
                None => {
                    self.write_in_names.insert((*name).to_string(), weight);
                }
            }
        }
        if weight != 1 && self.weights.is_empty() {
            self.weights = vec![1; self.ends.len()];
        }
        if !self.weights.is_empty() {
            self.weights.push(weight);
        }
        self.ends
            .push(u32::try_from(self.marks.len()).expect("at most 4 billion marks in one count"));
        self.total += weight;
    }

    /// Ballots in all (weights included).
    pub fn len(&self) -> u64 {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    fn weight(&self, entry: usize) -> u64 {
        self.weights.get(entry).copied().unwrap_or(1)
    }
}

/// What a pass over the marks finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkCounts {
    /// Per candidate, in definition order.
    pub votes: Vec<u64>,
    pub write_ins: u64,
    pub ballots: u64,
    pub blank: u64,
    /// Every mark made (write-ins included).
    pub marks: u64,
}

/// One pass over the ballots. Panics if a ballot has more than `limit`
/// marks: the cast validation refuses over-votes, so one reaching the
/// count means a broken invariant, and the count must not go on.
pub fn count(ballots: &MarkedBallots, limit: usize) -> MarkCounts {
    let mut per_mark = [0u64; 256];
    let (mut blank, mut marks) = (0u64, 0u64);
    let mut start = 0usize;
    for (i, &end) in ballots.ends.iter().enumerate() {
        let end = end as usize;
        let made = end - start;
        let w = ballots.weight(i);
        if made == 0 {
            blank += w;
        }
        assert!(
            made <= limit,
            "an over-voted ballot ({made} marks, at most {limit}) reached the count: the cast must refuse it"
        );
        for &m in &ballots.marks[start..end] {
            per_mark[usize::from(m)] += w;
        }
        marks += made as u64 * w;
        start = end;
    }
    MarkCounts {
        votes: per_mark[..ballots.candidates].to_vec(),
        write_ins: per_mark[usize::from(WRITE_IN)],
        ballots: ballots.len(),
        blank,
        marks,
    }
}

/// The top `seats` of `contenders` (in their listed order) by votes: those
/// elected outright, and those tied for the remaining seats.
pub fn top(seats: u32, contenders: &[(&str, u64)]) -> (Vec<String>, Vec<String>, u32) {
    let seats = seats as usize;
    let mut order: Vec<&(&str, u64)> = contenders.iter().collect();
    // Stable: equal votes keep the listed order.
    order.sort_by_key(|c| std::cmp::Reverse(c.1));
    let names = |list: &[&(&str, u64)]| list.iter().map(|c| c.0.to_string()).collect::<Vec<_>>();
    if order.len() <= seats || order[seats].1 < order[seats - 1].1 {
        return (names(&order[..seats.min(order.len())]), Vec::new(), 0);
    }
    let edge = order[seats - 1].1;
    let winners: Vec<&(&str, u64)> = order.iter().copied().filter(|c| c.1 > edge).collect();
    let tied: Vec<&(&str, u64)> = order.iter().copied().filter(|c| c.1 == edge).collect();
    let tied_seats = (seats - winners.len()) as u32;
    (names(&winners), names(&tied), tied_seats)
}

fn tallies(ids: &[&str], votes: &[u64]) -> Vec<Votes> {
    ids.iter()
        .zip(votes)
        .map(|(id, &v)| Votes {
            candidate: (*id).to_string(),
            votes: v,
        })
        .collect()
}

/// Vote for up to `seats`. The write-in line competes as one contender.
pub fn candidate(
    contest: &str,
    ids: &[&str],
    seats: u32,
    write_ins_allowed: bool,
    ballots: &MarkedBallots,
) -> CandidateResult {
    let c = count(ballots, seats as usize);
    let mut contenders: Vec<(&str, u64)> = ids.iter().copied().zip(c.votes.iter().copied()).collect();
    if write_ins_allowed {
        contenders.push((WRITE_IN_LINE, c.write_ins));
    }
    let (winners, tied, tied_seats) = top(seats, &contenders);
    let write_ins = write_ins_allowed.then(|| {
        let mut names: Vec<WriteInName> = ballots
            .write_in_names
            .iter()
            .map(|(name, &votes)| WriteInName {
                name: name.clone(),
                votes,
            })
            .collect();
        names.sort_by(|a, b| b.votes.cmp(&a.votes).then_with(|| a.name.cmp(&b.name)));
        WriteIns {
            votes: c.write_ins,
            names,
        }
    });
    CandidateResult {
        id: contest.to_string(),
        seats,
        ballots: c.ballots,
        blank: c.blank,
        undervotes: u64::from(seats) * c.ballots - c.marks,
        overvotes: 0,
        tallies: tallies(ids, &c.votes),
        write_ins,
        winners,
        tied,
        tied_seats,
    }
}

/// Approval: one seat, most approvals.
pub fn approval(
    contest: &str,
    ids: &[&str],
    max_approvals: usize,
    ballots: &MarkedBallots,
) -> ApprovalResult {
    let c = count(ballots, max_approvals);
    let contenders: Vec<(&str, u64)> = ids.iter().copied().zip(c.votes.iter().copied()).collect();
    let (winners, tied, tied_seats) = top(1, &contenders);
    ApprovalResult {
        id: contest.to_string(),
        ballots: c.ballots,
        blank: c.blank,
        tallies: tallies(ids, &c.votes),
        winners,
        tied,
        tied_seats,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(list: &[&str]) -> Vec<String> {
        list.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn top_n_reports_ties_at_the_edge() {
        let c = [("a", 5), ("b", 3), ("c", 3), ("d", 1)];
        assert_eq!(top(1, &c), (s(&["a"]), s(&[]), 0));
        assert_eq!(top(2, &c), (s(&["a"]), s(&["b", "c"]), 1));
        assert_eq!(top(3, &c), (s(&["a", "b", "c"]), s(&[]), 0));
        let all_zero = [("a", 0), ("b", 0)];
        assert_eq!(top(1, &all_zero), (s(&[]), s(&["a", "b"]), 1));
        assert_eq!(top(3, &[("a", 2), ("b", 1)]), (s(&["a", "b"]), s(&[]), 0));
    }

    #[test]
    fn vote_for_two_with_write_ins() {
        let mut b = MarkedBallots::new(3);
        b.push(&[0, 1], &[]);
        b.push(&[0], &["Jane Doe"]);
        b.push(&[], &["Jane Doe", "Zed"]);
        b.push(&[], &[]);
        let r = candidate("council", &["a", "b", "c"], 2, true, &b);
        assert_eq!(
            r.tallies.iter().map(|v| v.votes).collect::<Vec<_>>(),
            vec![2, 1, 0]
        );
        let w = r.write_ins.expect("write-ins allowed");
        assert_eq!(w.votes, 3);
        assert_eq!((w.names[0].name.as_str(), w.names[0].votes), ("Jane Doe", 2));
        assert_eq!((r.ballots, r.blank, r.undervotes, r.overvotes), (4, 1, 8 - 6, 0));
        // write-in line 3, a 2: both seats decided.
        assert_eq!(r.winners, s(&["write-in", "a"]));
    }

    #[test]
    #[should_panic(expected = "over-voted ballot")]
    fn an_over_vote_stops_the_count() {
        let mut b = MarkedBallots::new(3);
        b.push(&[0, 1], &[]);
        candidate("mayor", &["a", "b", "c"], 1, false, &b);
    }
}
