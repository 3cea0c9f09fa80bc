//! One contest's ballot-comparison audit: from the contest and its cast
//! vote records, the reported winners and the assertions that imply them
//! (with their margins over every card of the ballot manifest); the
//! initial sample size (`plan`); and, from the pulled cards (record vote
//! against the audit board's reading of the paper), the measured risk and
//! what to do next (`measure`): stop, escalate, or count every card by
//! hand. docs/rla.md § Assertions, § Phantoms and zombies, § Escalation.
//!
//! A record or paper vote is a `Vote`: the marks as candidate indices
//! (`vote_of` maps a ballot's choices; every write-in name is the one
//! write-in line, as the count treats it).

use crate::ballot::Choice;
use crate::definition::{Contest, ContestKind};
use crate::error::{Error, Result};

use super::assertion::{Assertion, Cand, Vote};
use super::risk::{self, Discrepancy};

/// What the audit of a contest uses: the risk limit α, the error
/// inflation γ, the overstatement rates expected in the initial sample,
/// and the sample size at which escalating stops and every card is
/// counted by hand (`None`: the number of cards).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    pub risk_limit: f64,
    pub gamma: f64,
    pub o1_rate: f64,
    pub o2_rate: f64,
    pub escalation_limit: Option<u64>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            risk_limit: risk::RISK_LIMIT,
            gamma: risk::GAMMA,
            o1_rate: risk::O1_RATE,
            o2_rate: risk::O2_RATE,
            escalation_limit: None,
        }
    }
}

/// One contest, ready to audit.
#[derive(Debug, Clone, PartialEq)]
pub struct ContestAudit {
    pub contest: String,
    /// Choice names by index (`Cand`): candidate ids in definition order,
    /// then `"write-in"` if the contest takes write-ins; a measure's are
    /// `"yes"`, `"no"`.
    pub choices: Vec<String>,
    /// Cards in the sampling frame (the ballot manifest, phantom cards
    /// included): the denominator of every diluted margin.
    pub cards: u64,
    /// Cast vote records (at most `cards`).
    pub records: u64,
    /// The winners by the records (for a measure: `yes` passed, `no` failed).
    pub winners: Vec<Cand>,
    /// Each assertion with its assorter margin `v = 2·mean(A) − 1` over
    /// the `cards` (a card without a record counts 1/2).
    pub assertions: Vec<(Assertion, f64)>,
    /// Why no comparison audit can confirm this contest (a tie, a
    /// multi-winner ranked contest): it needs a full hand count.
    pub hand_count: Option<String>,
}

/// One pulled card, in draw order (a card drawn twice appears twice).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pulled<'a> {
    /// The card, its record found through the sealed audit manifest.
    Card { record: Vote<'a>, paper: Vote<'a> },
    /// Phantom: no card at the drawn position.
    NoCard,
    /// Zombie: a card with no record, or a spoiled card, in the box.
    NoRecord,
}

/// What to do next.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// Every assertion meets the risk limit: the audit stops, the
    /// reported outcome stands.
    Confirmed,
    /// Pull cards until the sample has this many draws (in all), then measure again.
    Sample(u64),
    /// Count every card of the contest by hand; the hand count's outcome is final.
    FullHandCount(String),
}

/// One assertion's plan.
#[derive(Debug, Clone, PartialEq)]
pub struct AssertionPlan {
    pub assertion: Assertion,
    /// Assorter margin `v`.
    pub margin: f64,
    /// `v/u`: the diluted margin the sample size depends on.
    pub diluted_margin: f64,
    /// `None`: no sample size can confirm it.
    pub sample_size: Option<u64>,
}

/// A contest's plan: the initial sample size is the largest of its assertions'.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub contest: String,
    /// The smallest diluted margin of its assertions (0 when none).
    pub diluted_margin: f64,
    pub assertions: Vec<AssertionPlan>,
    pub next: Next,
}

/// Discrepancy counts of one assertion over the draws.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub two_vote_over: u64,
    pub one_vote_over: u64,
    pub one_vote_under: u64,
    pub two_vote_under: u64,
    /// Draws that found no card (phantoms) or a card without record (zombies).
    pub phantoms_and_zombies: u64,
}

/// One assertion's measured risk.
#[derive(Debug, Clone, PartialEq)]
pub struct AssertionRisk {
    pub assertion: Assertion,
    pub margin: f64,
    pub diluted_margin: f64,
    /// The Kaplan–Markov P-value: the measured risk.
    pub p_value: f64,
    pub counts: Counts,
    /// Total draws to escalate to (`risk::escalation_size`; `None`: no
    /// sample size can confirm).
    pub escalate_to: Option<u64>,
}

/// A contest's measured risk after some draws.
#[derive(Debug, Clone, PartialEq)]
pub struct Risk {
    pub contest: String,
    pub draws: u64,
    /// The contest's risk: the largest P-value of its assertions (1 when
    /// it has none to audit but needs a hand count; 0 when nothing needs auditing).
    pub p_value: f64,
    pub assertions: Vec<AssertionRisk>,
    pub next: Next,
}

/// A ballot's choices in `contest` as a `Vote`'s marks: candidates by
/// definition index, every write-in as the write-in line, `yes` 0, `no` 1.
/// A choice the contest does not offer is an error naming it.
pub fn vote_of(contest: &Contest, choices: &[Choice]) -> Result<Vec<Cand>> {
    let names = choice_names(contest);
    let cid = contest.id.as_str();
    choices
        .iter()
        .map(|choice| {
            let name = match choice {
                Choice::Candidate(id) => id.as_str(),
                Choice::Yes => "yes",
                Choice::No => "no",
                Choice::WriteIn(_) => WRITE_IN,
            };
            let found = match (choice, &contest.kind) {
                (Choice::WriteIn(_), ContestKind::Candidate { write_ins: true, .. }) => {
                    names.iter().position(|n| n == WRITE_IN)
                }
                (Choice::WriteIn(_), _) => None,
                _ => names.iter().position(|n| n == name),
            };
            found.map(|i| i as Cand).ok_or_else(|| {
                Error::InvalidInput(format!(
                    "contest {cid}: {:?} is not a choice of this contest",
                    choice.encode()
                ))
            })
        })
        .collect()
}

const WRITE_IN: &str = "write-in";

fn choice_names(contest: &Contest) -> Vec<String> {
    match &contest.kind {
        ContestKind::YesNo { .. } => vec!["yes".into(), "no".into()],
        ContestKind::Candidate {
            candidates,
            write_ins,
            ..
        } => {
            let mut names: Vec<String> = candidates.iter().map(|c| c.id.as_str().to_string()).collect();
            if *write_ins {
                names.push(WRITE_IN.into());
            }
            names
        }
        ContestKind::Approval { candidates, .. } | ContestKind::Ranked { candidates, .. } => {
            candidates.iter().map(|c| c.id.as_str().to_string()).collect()
        }
    }
}

impl ContestAudit {
    /// The audit of `contest` from its cast vote records (`None`: a record
    /// without this contest) over a sampling frame of `cards` cards.
    ///
    /// Errors (a clear message, nothing made): more records than cards (add
    /// phantom cards to the manifest for the difference first), a mark
    /// that is not a choice of the contest, a ranked contest (its
    /// assertions come from RAIRE, not yet in this build).
    pub fn new(contest: &Contest, records: &[Vote<'_>], cards: u64) -> Result<ContestAudit> {
        let cid = contest.id.as_str().to_string();
        let choices = choice_names(contest);
        let n_records = records.len() as u64;
        if n_records > cards {
            return Err(Error::InvalidInput(format!(
                "contest {cid}: {n_records} cast vote records but only {cards} cards in the ballot manifest; add {} phantom cards to the manifest (pulled, they count against the reported outcome)",
                n_records - cards
            )));
        }
        let mut tally = vec![0u64; choices.len()];
        for marks in records.iter().flatten() {
            for &c in *marks {
                let Some(t) = tally.get_mut(usize::from(c)) else {
                    return Err(Error::InvalidInput(format!(
                        "contest {cid}: a record marks choice {c}, but the contest has {} choices",
                        choices.len()
                    )));
                };
                *t += 1;
            }
        }
        let mut audit = ContestAudit {
            contest: cid.clone(),
            choices,
            cards,
            records: n_records,
            winners: Vec::new(),
            assertions: Vec::new(),
            hand_count: None,
        };
        let assertions = match &contest.kind {
            ContestKind::Candidate { seats, .. } => audit.pairwise(&tally, *seats as usize),
            ContestKind::Approval { .. } => audit.pairwise(&tally, 1),
            ContestKind::YesNo { threshold, .. } => {
                let (yes, no) = (tally[0], tally[1]);
                let (num, den) = (u64::from(threshold.numerator), u64::from(threshold.denominator));
                let passed = yes * den >= num * (yes + no) && yes > no;
                let (winner, loser) = if passed { (0, 1) } else { (1, 0) };
                audit.winners = vec![winner];
                let f = f64::from(threshold.numerator) / f64::from(threshold.denominator);
                if f <= 0.5 {
                    vec![Assertion::Pairwise { winner, loser }]
                } else {
                    let fraction = if passed { f } else { 1.0 - f };
                    vec![Assertion::SuperMajority { winner, fraction }]
                }
            }
            ContestKind::Ranked { .. } => {
                return Err(Error::InvalidInput(format!(
                    "contest {cid}: a ranked contest is audited through RAIRE assertions, which this build does not have yet (needs RAIRE); count it by hand"
                )))
            }
        };
        audit.assertions = assertions
            .into_iter()
            .map(|a| {
                let margin = margin(&a, records, cards);
                (a, margin)
            })
            .collect();
        if audit.hand_count.is_none() {
            if let Some((a, _)) = audit.assertions.iter().find(|(_, v)| *v <= 0.0) {
                audit.hand_count = Some(format!(
                    "the records give assertion {} no margin (a tie or a lost threshold): only a full hand count can decide",
                    audit.describe(a)
                ));
            }
        }
        Ok(audit)
    }

    /// Vote-for-`seats` and approval: the `seats` most voted win; every
    /// winner/loser pair is an assertion. A tie across the last seat needs a hand count.
    fn pairwise(&mut self, tally: &[u64], seats: usize) -> Vec<Assertion> {
        let mut order: Vec<Cand> = (0..tally.len() as Cand).collect();
        order.sort_by_key(|c| std::cmp::Reverse(tally[usize::from(*c)]));
        if order.len() <= seats {
            self.winners = order;
            return Vec::new();
        }
        let (winners, losers) = order.split_at(seats);
        if let (Some(last), Some(first)) = (winners.last(), losers.first()) {
            if tally[usize::from(*last)] == tally[usize::from(*first)] {
                self.hand_count = Some(format!(
                    "{} and {} are tied for the last seat in the records: only a full hand count can decide",
                    self.choices[usize::from(*last)],
                    self.choices[usize::from(*first)]
                ));
            }
        }
        self.winners = winners.to_vec();
        winners
            .iter()
            .flat_map(|&winner| {
                losers
                    .iter()
                    .map(move |&loser| Assertion::Pairwise { winner, loser })
            })
            .collect()
    }

    /// An assertion in words, with choice names.
    pub fn describe(&self, assertion: &Assertion) -> String {
        let name = |c: &Cand| {
            self.choices
                .get(usize::from(*c))
                .cloned()
                .unwrap_or_else(|| format!("#{c}"))
        };
        match assertion {
            Assertion::Pairwise { winner, loser } => format!("{} beats {}", name(winner), name(loser)),
            Assertion::SuperMajority { winner, fraction } => {
                format!(
                    "{} has more than {:.4} of the valid votes",
                    name(winner),
                    fraction
                )
            }
            Assertion::NotEliminatedBefore { winner, loser } => {
                format!("{} is not eliminated before {}", name(winner), name(loser))
            }
            Assertion::NotEliminatedNext {
                winner,
                loser,
                continuing,
            } => format!(
                "{} is not eliminated next, {} is, when {} remain",
                name(winner),
                name(loser),
                continuing.iter().map(name).collect::<Vec<_>>().join(", ")
            ),
        }
    }

    /// The initial sample size: the largest of its assertions' (or a full
    /// hand count when one has none or reaches the escalation limit).
    pub fn plan(&self, params: &Params) -> Plan {
        let assertions: Vec<AssertionPlan> = self
            .assertions
            .iter()
            .map(|(a, v)| {
                let m = v / a.upper_bound();
                AssertionPlan {
                    assertion: a.clone(),
                    margin: *v,
                    diluted_margin: m,
                    sample_size: risk::initial_sample_size(
                        m,
                        params.risk_limit,
                        params.gamma,
                        params.o1_rate,
                        params.o2_rate,
                    ),
                }
            })
            .collect();
        let sizes: Option<Vec<u64>> = assertions.iter().map(|a| a.sample_size).collect();
        let next = self.next(sizes.map(|s| s.into_iter().max()), params);
        Plan {
            contest: self.contest.clone(),
            diluted_margin: assertions
                .iter()
                .map(|a| a.diluted_margin)
                .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.min(d))))
                .unwrap_or(0.0),
            assertions,
            next,
        }
    }

    /// What to do with the largest sample size the assertions need
    /// (`Some(None)`: none needs a sample; `None`: one cannot be confirmed).
    fn next(&self, size: Option<Option<u64>>, params: &Params) -> Next {
        if let Some(reason) = &self.hand_count {
            return Next::FullHandCount(reason.clone());
        }
        let limit = params.escalation_limit.unwrap_or(self.cards).min(self.cards);
        match size {
            Some(None) => Next::Confirmed,
            None => Next::FullHandCount(
                "the discrepancies found leave no sample size that can confirm the outcome at the risk limit: count every card by hand".into(),
            ),
            Some(Some(n)) if n >= limit => Next::FullHandCount(format!(
                "the sample would need {n} draws, at or past the escalation limit of {limit}: count every card by hand"
            )),
            Some(Some(n)) => Next::Sample(n),
        }
    }

    /// The measured risk after `pulled` (every draw so far, in draw
    /// order): each assertion's Kaplan–Markov P-value, and what to do
    /// next. `Confirmed` only when every assertion's P-value is at most
    /// the risk limit.
    pub fn measure(&self, pulled: &[Pulled<'_>], params: &Params) -> Risk {
        let draws = pulled.len() as u64;
        let assertions: Vec<AssertionRisk> = self
            .assertions
            .iter()
            .map(|(a, v)| {
                let u = a.upper_bound();
                let m = v / u;
                let mut counts = Counts::default();
                let xs: Vec<f64> = pulled
                    .iter()
                    .map(|p| {
                        let x = match p {
                            Pulled::Card { record, paper } => (a.assort(*record) - a.assort(*paper)) / u,
                            Pulled::NoCard | Pulled::NoRecord => {
                                counts.phantoms_and_zombies += 1;
                                1.0
                            }
                        };
                        match risk::classify(x) {
                            Discrepancy::TwoVoteOver => counts.two_vote_over += 1,
                            Discrepancy::OneVoteOver => counts.one_vote_over += 1,
                            Discrepancy::None => {}
                            Discrepancy::OneVoteUnder => counts.one_vote_under += 1,
                            Discrepancy::TwoVoteUnder => counts.two_vote_under += 1,
                        }
                        x
                    })
                    .collect();
                AssertionRisk {
                    assertion: a.clone(),
                    margin: *v,
                    diluted_margin: m,
                    p_value: risk::km_p_value(&xs, m, params.gamma),
                    counts,
                    escalate_to: risk::escalation_size(&xs, m, params.risk_limit, params.gamma),
                }
            })
            .collect();
        let p_value = if self.hand_count.is_some() {
            1.0
        } else {
            assertions.iter().map(|a| a.p_value).fold(0.0, f64::max)
        };
        let next = if self.hand_count.is_none() && assertions.iter().all(|a| a.p_value <= params.risk_limit) {
            Next::Confirmed
        } else {
            let sizes: Option<Vec<u64>> = assertions
                .iter()
                .filter(|a| a.p_value > params.risk_limit)
                .map(|a| a.escalate_to.map(|n| n.max(draws + 1)))
                .collect();
            self.next(sizes.map(|s| s.into_iter().max()), params)
        };
        Risk {
            contest: self.contest.clone(),
            draws,
            p_value,
            assertions,
            next,
        }
    }
}

/// The assorter margin `v = 2·Ā − 1` over `cards` cards: the records'
/// assorter values, and 1/2 for each card without a record.
fn margin(assertion: &Assertion, records: &[Vote<'_>], cards: u64) -> f64 {
    if cards == 0 {
        return 0.0;
    }
    let sum: f64 = records.iter().map(|r| 2.0 * assertion.assort(*r) - 1.0).sum();
    sum / cards as f64
}
