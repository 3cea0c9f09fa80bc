//! The risk of a ballot-comparison audit: the Kaplan–Markov P-value
//! (P. B. Stark, "Risk-limiting postelection audits: conservative
//! P-values from common probability inequalities", IEEE Transactions on
//! Information Forensics and Security 4(4):1005–1014, 2009, §IV-B,
//! eq. (15) with the error bound inflated by γ as in Lindeman & Stark,
//! "A Gentle Introduction to Risk-Limiting Audits", IEEE Security &
//! Privacy 10(5), 2012), in the form Arlo's `supersimple.py` computes it,
//! and the sample sizes it implies. docs/rla.md § Method has the formulas.
//!
//! Units: an assertion's assorter takes values in `[0, u]`; a card's
//! overstatement is `ω = A(record) − A(paper)` in `[−u, u]`; here every
//! overstatement is given as `ω/u` in `[−1, 1]` and every margin as the
//! assorter margin over `u`, `m = v/u`, so that for a winner/loser pair
//! `m` is the diluted margin `(votes(w) − votes(l)) / cards`, `ω/u = 1/2`
//! is a one-vote overstatement and `ω/u = 1` a two-vote overstatement.

/// Error inflation γ (Stark's tool, Arlo, ColoradoRLA).
pub const GAMMA: f64 = 1.03905;
/// The default risk limit.
pub const RISK_LIMIT: f64 = 0.05;
/// Expected one-vote overstatements per card for the initial sample (Arlo's default).
pub const O1_RATE: f64 = 0.001;
/// Expected two-vote overstatements per card for the initial sample (Arlo's default).
pub const O2_RATE: f64 = 0.0001;

/// The Kaplan–Markov P-value of a sample: the product over the draws of
/// `(1 − m/(2γ)) / (1 − max(ω_i/u, 0)/γ)`, capped at 1 (understatements
/// count as no error, as in Arlo: conservative). `m ≤ 0` gives 1: a tied
/// or wrong reported outcome is never confirmed.
pub fn km_p_value(overstatements: &[f64], diluted_margin: f64, gamma: f64) -> f64 {
    log_km(overstatements, diluted_margin, gamma).exp().min(1.0)
}

/// ln of the uncapped Kaplan–Markov product (0 when `m ≤ 0`: no evidence).
fn log_km(overstatements: &[f64], diluted_margin: f64, gamma: f64) -> f64 {
    if diluted_margin <= 0.0 || diluted_margin.is_nan() {
        return 0.0;
    }
    let base = (1.0 - diluted_margin / (2.0 * gamma)).ln();
    overstatements
        .iter()
        .map(|x| base - (1.0 - x.clamp(0.0, 1.0) / gamma).ln())
        .sum()
}

/// A discrepancy's class, from `ω/u`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Discrepancy {
    /// `ω/u > 1/2`: the record favours the reported winner by two votes
    /// (paper shows the loser), a phantom or a zombie.
    TwoVoteOver,
    /// `0 < ω/u ≤ 1/2`.
    OneVoteOver,
    None,
    OneVoteUnder,
    TwoVoteUnder,
}

/// Tolerance for comparing assorter values computed in f64.
const EPS: f64 = 1e-9;

/// The class of one overstatement `ω/u`.
pub fn classify(x: f64) -> Discrepancy {
    if x > 0.5 + EPS {
        Discrepancy::TwoVoteOver
    } else if x > EPS {
        Discrepancy::OneVoteOver
    } else if x >= -EPS {
        Discrepancy::None
    } else if x >= -0.5 - EPS {
        Discrepancy::OneVoteUnder
    } else {
        Discrepancy::TwoVoteUnder
    }
}

/// ln of the KM term for `k` draws with the given one- and two-vote
/// overstatement rates, counts rounded as Arlo's `supersimple.py` does
/// (one-vote up, two-vote to nearest, half up).
fn log_projected(k: u64, m: f64, gamma: f64, o1_rate: f64, o2_rate: f64) -> f64 {
    let k_f = k as f64;
    let o1 = (o1_rate * k_f - EPS).ceil().max(0.0);
    let o2 = (o2_rate * k_f + 0.5).floor().max(0.0);
    k_f * (1.0 - m / (2.0 * gamma)).ln()
        - o1 * (1.0 - 1.0 / (2.0 * gamma)).ln()
        - o2 * (1.0 - 1.0 / gamma).ln()
}

/// The smallest number of further draws `k ≥ 1` after which the KM
/// P-value, from `ln p` = `log_now`, reaches `risk_limit` if the further
/// draws show one- and two-vote overstatements at the given rates; `None`
/// when it never does (the rates eat the margin).
fn draws_to_limit(
    log_now: f64,
    m: f64,
    risk_limit: f64,
    gamma: f64,
    o1_rate: f64,
    o2_rate: f64,
) -> Option<u64> {
    if !(m > 0.0 && risk_limit > 0.0 && risk_limit < 1.0 && gamma >= 1.0) {
        return None;
    }
    let l1 = (1.0 - 1.0 / (2.0 * gamma)).ln();
    let l2 = (1.0 - 1.0 / gamma).ln();
    let drift = (1.0 - m / (2.0 * gamma)).ln() - o1_rate * l1 - o2_rate * l2;
    if drift >= 0.0 {
        return None;
    }
    let target = risk_limit.ln() - log_now;
    // Rounding adds at most one of each kind: past this bound it holds.
    let bound = ((target + l1 + l2) / drift).ceil().max(1.0);
    if bound > 1e12 {
        return None;
    }
    (1..=bound as u64 + 1).find(|&k| log_projected(k, m, gamma, o1_rate, o2_rate) <= target)
}

/// The initial sample size for one assertion: the fewest draws whose KM
/// P-value is at most `risk_limit` when the sample shows the expected
/// rates of one- and two-vote overstatements. With both rates 0 this is
/// the closed form `⌈ln α / ln(1 − m/(2γ))⌉`. `None`: no sample can
/// confirm the outcome (`m ≤ 0`, or the rates eat the margin): a full
/// hand count.
pub fn initial_sample_size(
    diluted_margin: f64,
    risk_limit: f64,
    gamma: f64,
    o1_rate: f64,
    o2_rate: f64,
) -> Option<u64> {
    draws_to_limit(0.0, diluted_margin, risk_limit, gamma, o1_rate, o2_rate)
}

/// The total sample size to escalate to after `overstatements` (draw
/// order) did not reach the risk limit: the draws so far plus the fewest
/// further draws that would, if they show one- and two-vote overstatements
/// at the rates observed so far (as Arlo's `supersimple.py` estimates).
/// When those rates would never reach it (Arlo then counts by hand), the
/// sample doubles instead: the decision rests on the P-value alone, so
/// any sample size keeps the risk limit, and the escalation limit of the
/// audit ends it in a hand count. The sample size so far when the limit
/// is already met; `None` only when the margin is not positive.
pub fn escalation_size(
    overstatements: &[f64],
    diluted_margin: f64,
    risk_limit: f64,
    gamma: f64,
) -> Option<u64> {
    if diluted_margin.is_nan() || diluted_margin <= 0.0 {
        return None;
    }
    let n = overstatements.len() as u64;
    let log_now = log_km(overstatements, diluted_margin, gamma);
    if log_now <= risk_limit.ln() {
        return Some(n);
    }
    let count = |d: Discrepancy| overstatements.iter().filter(|x| classify(**x) == d).count() as f64;
    let (o1, o2) = if n == 0 {
        (O1_RATE, O2_RATE)
    } else {
        (
            count(Discrepancy::OneVoteOver) / n as f64,
            count(Discrepancy::TwoVoteOver) / n as f64,
        )
    };
    Some(
        match draws_to_limit(log_now, diluted_margin, risk_limit, gamma, o1, o2) {
            Some(k) => n + k,
            None => (2 * n).max(n + 1),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Done-when: with no expected discrepancies the sample size is the
    /// closed form, computed here independently, for the table of
    /// docs/rla.md § Sample sizes.
    #[test]
    fn zero_discrepancy_sizes_are_the_closed_form() {
        let table = [
            (0.20, 0.05, 30),
            (0.10, 0.05, 61),
            (0.05, 0.05, 124),
            (0.05, 0.10, 95),
            (0.02, 0.05, 310),
            (0.02, 0.01, 477),
            (0.01, 0.05, 622),
            (0.01, 0.10, 478),
            (0.005, 0.05, 1244),
        ];
        for (margin, risk, documented) in table {
            let closed = (f64::ln(risk) / f64::ln(1.0 - margin / (2.0 * 1.03905))).ceil() as u64;
            assert_eq!(
                initial_sample_size(margin, risk, GAMMA, 0.0, 0.0),
                Some(closed),
                "{margin} {risk}"
            );
            assert_eq!(
                closed, documented,
                "docs/rla.md's table: margin {margin}, risk {risk}"
            );
            // The sample of that size with no discrepancy meets the limit, one fewer does not.
            assert!(km_p_value(&vec![0.0; closed as usize], margin, GAMMA) <= risk);
            assert!(km_p_value(&vec![0.0; closed as usize - 1], margin, GAMMA) > risk);
        }
    }

    /// The example: 124 with Kaplan–Markov, 125 with the
    /// super-simple bound ⌈2γ·ln(1/α)/m⌉ at a 5 % margin and 5 % risk.
    #[test]
    fn kaplan_markov_gives_124_where_super_simple_gives_125() {
        assert_eq!(initial_sample_size(0.05, 0.05, GAMMA, 0.0, 0.0), Some(124));
        let super_simple = (2.0 * GAMMA * (1.0f64 / 0.05).ln() / 0.05).ceil();
        assert_eq!(super_simple, 125.0);
    }

    #[test]
    fn the_p_value_follows_stark_2009() {
        let m = 0.1;
        let base = 1.0 - m / (2.0 * GAMMA);
        // One one-vote and one two-vote overstatement among 3 draws.
        let p = km_p_value(&[0.5, 0.0, 1.0], m, GAMMA);
        let want = base.powi(3) / ((1.0 - 1.0 / (2.0 * GAMMA)) * (1.0 - 1.0 / GAMMA));
        assert!((p - want.min(1.0)).abs() < 1e-12, "{p} {want}");
        // Understatements count as none (conservative, as Arlo).
        assert_eq!(
            km_p_value(&[-1.0, -0.5], m, GAMMA),
            km_p_value(&[0.0, 0.0], m, GAMMA)
        );
        // No margin, no confirmation however large the sample.
        assert_eq!(km_p_value(&[0.0; 10_000], 0.0, GAMMA), 1.0);
        assert_eq!(km_p_value(&[0.0; 10_000], -0.1, GAMMA), 1.0);
        assert_eq!(km_p_value(&[], m, GAMMA), 1.0);
    }

    #[test]
    fn expected_discrepancies_raise_the_sample_size() {
        let none = initial_sample_size(0.05, 0.05, GAMMA, 0.0, 0.0).unwrap();
        let arlo = initial_sample_size(0.05, 0.05, GAMMA, O1_RATE, O2_RATE).unwrap();
        assert!(arlo > none, "{arlo} {none}");
        // The size found meets the limit with its rounded discrepancy counts.
        let o1 = (O1_RATE * arlo as f64).ceil() as usize;
        let mut sample = vec![0.0; arlo as usize];
        sample[..o1].fill(0.5);
        assert!(km_p_value(&sample, 0.05, GAMMA) <= 0.05);
        // Rates that eat the margin: no sample size.
        assert_eq!(initial_sample_size(0.01, 0.05, GAMMA, 0.02, 0.0), None);
        assert_eq!(initial_sample_size(0.0, 0.05, GAMMA, 0.0, 0.0), None);
    }

    #[test]
    fn escalation_grows_with_observed_overstatements() {
        let m = 0.05;
        let mut sample = vec![0.0; 124];
        assert_eq!(escalation_size(&sample, m, 0.05, GAMMA), Some(124), "already met");
        sample[3] = 0.5;
        let one = escalation_size(&sample, m, 0.05, GAMMA).unwrap();
        sample[7] = 0.5;
        let two = escalation_size(&sample, m, 0.05, GAMMA).unwrap();
        assert!(124 < one && one < two, "{one} {two}");
        // Going on to that size with the observed rates meets the limit.
        let mut longer = sample.clone();
        longer.resize(two as usize, 0.0);
        let o1 = ((2.0 / 124.0) * (two - 124) as f64).ceil() as usize;
        longer[124..124 + o1].fill(0.5);
        assert!(km_p_value(&longer, m, GAMMA) <= 0.05);
        // A two-vote overstatement rate that eats the margin: the sample doubles.
        sample[9] = 1.0;
        assert_eq!(escalation_size(&sample, m, 0.05, GAMMA), Some(248));
        assert_eq!(escalation_size(&[1.0; 50], m, 0.05, GAMMA), Some(100));
        assert_eq!(escalation_size(&[0.0; 50], 0.0, 0.05, GAMMA), None);
    }

    #[test]
    fn discrepancies_are_classified_in_votes() {
        assert_eq!(classify(1.0), Discrepancy::TwoVoteOver);
        assert_eq!(classify(0.5), Discrepancy::OneVoteOver);
        assert_eq!(classify(0.0), Discrepancy::None);
        assert_eq!(classify(-0.5), Discrepancy::OneVoteUnder);
        assert_eq!(classify(-1.0), Discrepancy::TwoVoteUnder);
        // A super-majority assorter's in-between values round up in size.
        assert_eq!(classify(2.0 / 3.0), Discrepancy::TwoVoteOver);
        assert_eq!(classify(1.0 / 3.0), Discrepancy::OneVoteOver);
    }
}
