//! Measures: yes, no, blank, and whether the measure passed.
//!
//! The rule, for a threshold n/d (1/2 ≤ n/d < 1): a measure passes when
//! the yes votes are at least n/d of the yes and no votes together *and*
//! more than the no votes, i.e. `yes·d ≥ n·(yes + no)` and `yes > no`.
//! For 1/2 that is a strict majority (a tie fails); for 2/3 exactly two
//! thirds passes. Blank ballots do not count either way.

use crate::definition::Threshold;

use super::result::{ThresholdRecord, YesNoResult};

/// Whether `yes` against `no` meets `threshold`.
pub fn passes(yes: u64, no: u64, threshold: Threshold) -> bool {
    let (yes, no) = (u128::from(yes), u128::from(no));
    let (n, d) = (u128::from(threshold.numerator), u128::from(threshold.denominator));
    yes * d >= n * (yes + no) && yes > no
}

/// Counts answers: `Some(true)` yes, `Some(false)` no, `None` blank.
pub fn tabulate(
    contest: &str,
    threshold: Threshold,
    answers: impl IntoIterator<Item = Option<bool>>,
) -> YesNoResult {
    tabulate_weighted(contest, threshold, answers.into_iter().map(|a| (a, 1)))
}

/// Counts answers, each with how many ballots give it.
pub fn tabulate_weighted(
    contest: &str,
    threshold: Threshold,
    answers: impl IntoIterator<Item = (Option<bool>, u64)>,
) -> YesNoResult {
    let (mut yes, mut no, mut blank) = (0u64, 0u64, 0u64);
    for (a, w) in answers {
        match a {
            Some(true) => yes += w,
            Some(false) => no += w,
            None => blank += w,
        }
    }
    YesNoResult {
        id: contest.to_string(),
        ballots: yes + no + blank,
        blank,
        yes,
        no,
        threshold: ThresholdRecord {
            numerator: threshold.numerator,
            denominator: threshold.denominator,
        },
        passed: passes(yes, no, threshold),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HALF: Threshold = Threshold {
        numerator: 1,
        denominator: 2,
    };
    const TWO_THIRDS: Threshold = Threshold {
        numerator: 2,
        denominator: 3,
    };

    #[test]
    fn a_simple_majority_is_strict() {
        assert!(passes(3, 2, HALF));
        assert!(!passes(2, 2, HALF), "a tie fails");
        assert!(!passes(0, 0, HALF), "no votes fails");
        assert!(passes(1, 0, HALF));
    }

    #[test]
    fn two_thirds_exactly_met_passes() {
        assert!(passes(2, 1, TWO_THIRDS));
        assert!(passes(200, 100, TWO_THIRDS));
        assert!(!passes(199, 100, TWO_THIRDS));
        assert!(!passes(0, 0, TWO_THIRDS));
    }

    #[test]
    fn blanks_count_for_nothing() {
        let r = tabulate(
            "m",
            TWO_THIRDS,
            [Some(true), Some(true), Some(false), None, None, None],
        );
        assert_eq!((r.yes, r.no, r.blank, r.ballots, r.passed), (2, 1, 3, 6, true));
    }

    #[test]
    fn large_counts_do_not_overflow() {
        assert!(passes(u64::MAX, u64::MAX / 2, TWO_THIRDS));
    }
}
