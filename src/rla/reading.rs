//! The audit board's reading of one pulled card, checked against the
//! ballot before anything is recorded: every contest named must be on the
//! ballot (`rla_contest_not_on_ballot` otherwise), every audited contest
//! must be read (a blank one as `CONTEST=`), and the choices must be a
//! ballot the kiosk could have printed. Also the one conversion of
//! wire-form choices into an assorter's `Vote` (candidate indices), used
//! for the records and the readings alike.

use std::collections::BTreeMap;

use crate::ballot::{parse_choice_args, Ballot, WRITE_IN_PREFIX};
use crate::definition::{Contest, ContestKind, ElectionDefinition};
use crate::error::{Error, Result};

use super::assertion::Cand;

/// Selections in wire form, contest id → choices.
pub type Choices = BTreeMap<String, Vec<String>>;

/// Reads `CONTEST=CHOICE[,CHOICE…]` arguments (the same form as `cast
/// --choice`) into the board's reading, in normal form, holding exactly
/// the contests read.
pub fn parse_reading(
    definition: &ElectionDefinition,
    args: &[String],
    audited: &[String],
) -> Result<Choices> {
    let input = parse_choice_args(args)?;
    check_reading(definition, &input, audited)
}

/// Checks a reading given as selections (from arguments or a card's QR).
pub fn check_reading(
    definition: &ElectionDefinition,
    input: &Choices,
    audited: &[String],
) -> Result<Choices> {
    for contest in input.keys() {
        if definition.contest(contest).is_none() {
            let on: Vec<&str> = definition.contests.iter().map(|c| c.id.as_str()).collect();
            return Err(Error::RlaContestNotOnBallot(format!(
                "{contest:?} (the ballot's contests are {}); nothing was recorded",
                on.join(", ")
            )));
        }
    }
    let missing: Vec<&str> = audited
        .iter()
        .filter(|c| !input.contains_key(c.as_str()))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(Error::InvalidInput(format!(
            "the reading lacks the audited contest(s) {}: read each from the card (CONTEST=CHOICE,…; \
             CONTEST= for no selection); nothing was recorded",
            missing.join(", ")
        )));
    }
    let ballot = Ballot::validate(definition, input)?;
    Ok(ballot
        .selections()
        .into_iter()
        .filter(|(contest, _)| input.contains_key(contest))
        .collect())
}

/// One contest's choices as candidate indices: candidates in definition
/// order, every write-in as one more index (the write-in line); a
/// measure's `yes` is 0 and `no` 1. Ranked choices keep their order.
pub fn vote(contest: &Contest, choices: &[String]) -> Vec<Cand> {
    let candidates = contest.kind.candidates();
    choices
        .iter()
        .filter_map(|choice| match (&contest.kind, choice.as_str()) {
            (ContestKind::YesNo { .. }, "yes") => Some(0),
            (ContestKind::YesNo { .. }, "no") => Some(1),
            (ContestKind::YesNo { .. }, _) => None,
            (_, c) if c.starts_with(WRITE_IN_PREFIX) => Some(candidates.len()),
            (_, c) => candidates.iter().position(|k| k.id.as_str() == c),
        })
        .map(|i| Cand::try_from(i).unwrap_or(Cand::MAX))
        .collect()
}

/// The name of candidate index `i` in `contest` (`vote`'s inverse).
pub fn name(contest: &Contest, i: Cand) -> String {
    let candidates = contest.kind.candidates();
    match &contest.kind {
        ContestKind::YesNo { .. } => if i == 0 { "yes" } else { "no" }.to_string(),
        _ => candidates
            .get(usize::from(i))
            .map(|c| c.id.as_str().to_string())
            .unwrap_or_else(|| "write-in".to_string()),
    }
}
