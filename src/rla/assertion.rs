//! Assertions of a comparison risk-limiting audit and their assorters
//! (Stark, "Sets of Half-Average Nulls Generate Risk-Limiting Audits:
//! SHANGRLA", 2020): each assertion is "the mean of this assorter over
//! the cards is greater than 1/2"; together, the contest's assertions
//! imply its reported outcome. docs/rla.md has the formulas.
//!
//! A vote is one card's choices in one contest, as indices into the
//! contest's candidates in definition order (ranked: in rank order; a
//! measure: 0 = yes, 1 = no). `None` is a card that does not contain the
//! contest, or a phantom (a card that was never found).

/// Candidate index within a contest (definition order).
pub type Cand = u16;

/// One card's choices in one contest.
pub type Vote<'a> = Option<&'a [Cand]>;

/// One assertion about a contest's outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum Assertion {
    /// Vote-for-N, approval, or a yes/no measure by simple majority:
    /// reported winner `winner` has more votes than reported loser `loser`.
    Pairwise { winner: Cand, loser: Cand },
    /// A candidate or answer needs more than `fraction` of the valid votes
    /// (a measure's super-majority: SHANGRLA §2.3).
    SuperMajority { winner: Cand, fraction: f64 },
    /// IRV (RAIRE "NEB"): `winner` can never be eliminated before `loser`
    /// (its first preferences beat every ballot on which `loser` is
    /// preferred to it).
    NotEliminatedBefore { winner: Cand, loser: Cand },
    /// IRV (RAIRE "NEN"): when exactly `continuing` remain (sorted),
    /// `winner` is not the one eliminated next: it has more votes than
    /// `loser` counting each ballot for its first continuing choice.
    NotEliminatedNext {
        winner: Cand,
        loser: Cand,
        continuing: Vec<Cand>,
    },
}

impl Assertion {
    /// The assorter's upper bound `u` (every value lies in `[0, u]`).
    pub fn upper_bound(&self) -> f64 {
        match self {
            Assertion::SuperMajority { fraction, .. } => 1.0 / (2.0 * fraction),
            _ => 1.0,
        }
    }

    /// The assorter's value for one card. Ranked votes are read in rank
    /// order; for `Pairwise` and `SuperMajority` a vote is the set of
    /// marked candidates (an overvote is the contest's rules' business:
    /// pass the marks as counted, `SuperMajority` treats more than one
    /// mark as no valid vote).
    pub fn assort(&self, vote: Vote<'_>) -> f64 {
        let Some(marks) = vote else {
            return 0.5;
        };
        let has = |c: Cand| marks.contains(&c);
        match self {
            Assertion::Pairwise { winner, loser } => {
                (f64::from(u8::from(has(*winner))) - f64::from(u8::from(has(*loser))) + 1.0) / 2.0
            }
            Assertion::SuperMajority { winner, fraction } => match marks {
                [only] if only == winner => 1.0 / (2.0 * fraction),
                [_] => 0.0,
                _ => 0.5,
            },
            Assertion::NotEliminatedBefore { winner, loser } => {
                match marks.iter().find(|c| *c == winner || *c == loser) {
                    Some(c) if c == winner && marks.first() == Some(winner) => 1.0,
                    Some(c) if c == loser => 0.0,
                    _ => 0.5,
                }
            }
            Assertion::NotEliminatedNext {
                winner,
                loser,
                continuing,
            } => match marks.iter().find(|c| continuing.binary_search(c).is_ok()) {
                Some(c) if c == winner => 1.0,
                Some(c) if c == loser => 0.0,
                _ => 0.5,
            },
        }
    }
}
