//! The workflow's one door to the audit mathematics (`sampler`, `risk`,
//! `audit`, `raire`) and to the stations' audit manifests: the workflow
//! (`workflow.rs`) calls only these functions, so the formulas live in one
//! place (docs/rla.md, "Formulas").
//!
//! INTERIM: until the math and manifest modules land on main, the bodies
//! below are small stand-ins with the same contracts (Kaplan–Markov with
//! error inflation γ; SHA-256 draws from the seed; pairwise and
//! super-majority assertions). Each is replaced by a call into its
//! module when it lands.

use sha2::{Digest, Sha256};

use super::assertion::{Assertion, Cand};

/// One draw: (station, box, position), 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draw {
    pub station: String,
    pub box_id: String,
    pub position: u64,
    pub ticket: String,
}

/// The first `n` draws, with replacement, from the ballot manifest
/// (station, box, cards), by SHA-256 tickets from the seed.
pub fn sample(seed: &str, manifest: &[(String, String, u64)], n: u64) -> Vec<Draw> {
    let total: u64 = manifest.iter().map(|m| m.2).sum();
    if total == 0 {
        return Vec::new();
    }
    (1..=n)
        .map(|k| {
            let digest = Sha256::digest(format!("{seed},{k}").as_bytes());
            let mut wide = [0u8; 16];
            wide.copy_from_slice(&digest[..16]);
            let value = u128::from_be_bytes(wide);
            let mut index = (value % u128::from(total)) as u64;
            let mut draw = None;
            for (station, box_id, cards) in manifest {
                if index < *cards {
                    draw = Some(Draw {
                        station: station.clone(),
                        box_id: box_id.clone(),
                        position: index + 1,
                        ticket: hex::encode(&digest[..8]),
                    });
                    break;
                }
                index -= cards;
            }
            draw.unwrap_or_else(|| unreachable!("an index below the total lies in a box"))
        })
        .collect()
}

/// Kaplan–Markov P-value of a comparison audit: `overstatements` are
/// `ω_i/u` per draw, in draw order.
pub fn km_p_value(overstatements: &[f64], diluted_margin: f64, gamma: f64) -> f64 {
    let mut p = 1.0f64;
    for w in overstatements {
        p *= (1.0 - diluted_margin / (2.0 * gamma)) / (1.0 - w / gamma);
    }
    p.min(1.0)
}

/// The smallest sample with zero discrepancies whose P-value meets the risk limit.
pub fn initial_sample_size(diluted_margin: f64, risk_limit: f64, gamma: f64) -> u64 {
    if diluted_margin <= 0.0 {
        return u64::MAX;
    }
    let n = risk_limit.ln() / (1.0 - diluted_margin / (2.0 * gamma)).ln();
    n.ceil().max(1.0) as u64
}

/// A contest's reported winners and the assertions that imply them, from
/// the cast vote records (`votes`, candidate indices per record);
/// `Err(reason)` when no risk-limiting method applies.
pub fn assertions(
    kind: &crate::definition::ContestKind,
    candidates: usize,
    votes: &[Vec<Cand>],
) -> std::result::Result<(Vec<Cand>, Vec<Assertion>), String> {
    use crate::definition::ContestKind;
    let mut tally = vec![0u64; candidates + 1];
    for vote in votes {
        for c in vote {
            if let Some(t) = tally.get_mut(usize::from(*c)) {
                *t += 1;
            }
        }
    }
    let seats = match kind {
        ContestKind::Candidate { seats, .. } => *seats as usize,
        ContestKind::Approval { .. } => 1,
        ContestKind::YesNo { threshold, .. } => {
            let (yes, no) = (tally[0], tally[1]);
            let fraction = f64::from(threshold.numerator) / f64::from(threshold.denominator);
            let passed = yes * u64::from(threshold.denominator)
                >= u64::from(threshold.numerator) * (yes + no)
                && yes > no;
            if fraction > 0.5 {
                let winner = if passed { 0 } else { 1 };
                if passed {
                    return Ok((vec![0], vec![Assertion::SuperMajority { winner: 0, fraction }]));
                }
                // Failed: "no" holds more than 1 − fraction of the valid votes.
                return Ok((
                    vec![winner],
                    vec![Assertion::SuperMajority {
                        winner: 1,
                        fraction: 1.0 - fraction,
                    }],
                ));
            }
            let winner: Cand = if passed { 0 } else { 1 };
            return Ok((
                vec![winner],
                vec![Assertion::Pairwise {
                    winner,
                    loser: 1 - winner,
                }],
            ));
        }
        ContestKind::Ranked { .. } => {
            return Err(
                "ranked contests are audited through RAIRE assertions (not yet available here)".into(),
            )
        }
    };
    let mut order: Vec<Cand> = (0..=candidates).filter_map(|c| Cand::try_from(c).ok()).collect();
    order.sort_by(|a, b| tally[usize::from(*b)].cmp(&tally[usize::from(*a)]).then(a.cmp(b)));
    let winners: Vec<Cand> = order.iter().take(seats).copied().collect();
    let losers: Vec<Cand> = order.iter().skip(seats).copied().collect();
    if let (Some(last), Some(first)) = (winners.last(), losers.first()) {
        if tally[usize::from(*last)] == tally[usize::from(*first)] {
            return Err("a tie for the last seat: no audit can confirm a tied outcome".into());
        }
    }
    let mut out = Vec::new();
    for w in &winners {
        for l in &losers {
            out.push(Assertion::Pairwise {
                winner: *w,
                loser: *l,
            });
        }
    }
    Ok((winners, out))
}
