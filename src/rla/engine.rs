//! The workflow's one door to the audit mathematics (`sampler`, `risk`,
//! `audit`): the workflow (`workflow.rs`) calls only these functions, so
//! the formulas live in their modules (docs/rla.md, "Method").

use crate::definition::Contest;
use crate::error::Result;

use super::assertion::{Assertion, Cand, Vote};
use super::audit::ContestAudit;
use super::risk;

/// One draw: (station, box, position), 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draw {
    pub station: String,
    pub box_id: String,
    pub position: u64,
    pub ticket: String,
}

/// The first `n` draws, with replacement, of Rivest's consistent sampler
/// over the ballot manifest (station, box, cards).
pub fn sample(seed: &str, manifest: &[(String, String, u64)], n: u64) -> Result<Vec<Draw>> {
    Ok(super::sampler::sample(seed, manifest, n)?
        .into_iter()
        .map(|d| Draw {
            station: d.station,
            box_id: d.box_id,
            position: d.position,
            ticket: d.ticket,
        })
        .collect())
}

/// Kaplan–Markov P-value; `overstatements` are `x = ω/u` per draw, in draw order.
pub fn km_p_value(overstatements: &[f64], diluted_margin: f64, gamma: f64) -> f64 {
    risk::km_p_value(overstatements, diluted_margin, gamma)
}

/// The initial sample size of one assertion (Arlo's expected
/// overstatement rates); `None`: no sample size confirms it.
pub fn initial_sample_size(diluted_margin: f64, risk_limit: f64, gamma: f64) -> Option<u64> {
    risk::initial_sample_size(diluted_margin, risk_limit, gamma, risk::O1_RATE, risk::O2_RATE)
}

/// The total draws to escalate to for an unconfirmed assertion, from the
/// overstatements seen so far; `None`: no sample size can confirm it.
pub fn escalation_size(
    overstatements: &[f64],
    diluted_margin: f64,
    risk_limit: f64,
    gamma: f64,
) -> Option<u64> {
    risk::escalation_size(overstatements, diluted_margin, risk_limit, gamma)
}

/// The discrepancy class of `x`: 2, 1, 0, −1, −2 (vote over/understatements).
pub fn class_of(x: f64) -> i8 {
    match risk::classify(x) {
        risk::Discrepancy::TwoVoteOver => 2,
        risk::Discrepancy::OneVoteOver => 1,
        risk::Discrepancy::None => 0,
        risk::Discrepancy::OneVoteUnder => -1,
        risk::Discrepancy::TwoVoteUnder => -2,
    }
}

/// A contest's audit from its cast vote records over `cards` cards.
pub struct ContestSetup {
    pub winners: Vec<Cand>,
    /// Each assertion with its assorter margin, and its sentence.
    pub assertions: Vec<(Assertion, f64, String)>,
    /// Why it needs a full hand count instead.
    pub hand_count: Option<String>,
}

/// The reported winners and the assertions that imply them, with their
/// margins (`audit::ContestAudit`); a contest no comparison audit can
/// confirm gets its reason for a full hand count.
pub fn setup(contest: &Contest, votes: &[Vec<Cand>], cards: u64) -> ContestSetup {
    let records: Vec<Vote<'_>> = votes.iter().map(|v| Some(v.as_slice())).collect();
    match ContestAudit::new(contest, &records, cards) {
        Ok(audit) => ContestSetup {
            winners: audit.winners.clone(),
            assertions: audit
                .assertions
                .iter()
                .map(|(a, v)| (a.clone(), *v, audit.describe(a)))
                .collect(),
            hand_count: audit.hand_count.clone(),
        },
        Err(e) => ContestSetup {
            winners: Vec::new(),
            assertions: Vec::new(),
            hand_count: Some(e.to_string()),
        },
    }
}
