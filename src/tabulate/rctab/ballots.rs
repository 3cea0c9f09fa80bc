//! CDF cast vote records as votekiosk ballots of a definition, for
//! `votekiosk tabulate --definition`: each record's current snapshot
//! becomes the selections a voter would have made, validated as the kiosk
//! validates a cast ballot, then counted by votekiosk's own rules.
//!
//! A CDF contest matches the definition's contest whose id is its `@id`
//! or its `Name`; a candidate matches by `@id` or by `Name` (the
//! candidate's id, or its name in any language); a measure's selection by
//! its `@id` ending in "yes"/"no" (after `.`, `-` or `_`), or its `Selection`
//! text "yes"/"no" or the definition's own answer label; a write-in position
//! becomes a write-in of its text. A record the kiosk would refuse (an
//! overvote, an unknown name) stops the count, naming the record.

use std::collections::BTreeMap;

use super::cdf::{CdfContest, CdfReport, CdfSelection};
use crate::ballot::{Ballot, SelectionsInput, WRITE_IN_PREFIX};
use crate::definition::{Contest, ContestKind, ElectionDefinition};
use crate::error::{Error, Result};

fn contest_for<'d>(def: &'d ElectionDefinition, c: &CdfContest) -> Option<&'d Contest> {
    def.contests.iter().find(|x| x.id.as_str() == c.id).or_else(|| {
        def.contests
            .iter()
            .find(|x| x.id.as_str() == c.name || x.title.iter().any(|(_, t)| t == c.name))
    })
}

fn choice_for(
    contest: &Contest,
    report: &CdfReport,
    election: usize,
    s: &CdfSelection,
    write_in: Option<&str>,
) -> Option<String> {
    if s.write_in || write_in.is_some() {
        return Some(format!("{WRITE_IN_PREFIX}{}", write_in.unwrap_or("")));
    }
    if let ContestKind::YesNo {
        yes_label, no_label, ..
    } = &contest.kind
    {
        // The id first (votekiosk's own export: `selection.<contest>.yes`),
        // then the text, which may be the definition's own answer labels.
        let id = s.id.to_ascii_lowercase();
        let text = s.text.as_deref().unwrap_or(&s.id);
        let is = |answer: &str, label: &Option<crate::definition::Text>| {
            [".", "-", "_"]
                .iter()
                .any(|sep| id.ends_with(&format!("{sep}{answer}")))
                || text.eq_ignore_ascii_case(answer)
                || label.as_ref().is_some_and(|l| l.iter().any(|(_, t)| t == text))
        };
        return if is("yes", yes_label) {
            Some("yes".into())
        } else if is("no", no_label) {
            Some("no".into())
        } else {
            None
        };
    }
    let candidate = &report.elections[election].candidates[s.candidate?];
    contest
        .kind
        .candidates()
        .iter()
        .find(|c| c.id.as_str() == candidate.id)
        .or_else(|| {
            contest
                .kind
                .candidates()
                .iter()
                .find(|c| c.id.as_str() == candidate.name || c.name.iter().any(|(_, n)| n == candidate.name))
        })
        .map(|c| c.id.as_str().to_string())
}

/// Every record of `reports` as a validated ballot of `def`, one per
/// record (see `weighted_ballots_from_cdf` for each distinct one once).
pub fn ballots_from_cdf(def: &ElectionDefinition, reports: &[CdfReport]) -> Result<Vec<Ballot>> {
    let weighted = weighted_ballots_from_cdf(def, reports)?;
    let mut ballots = Vec::with_capacity(weighted.iter().map(|(_, n)| *n as usize).sum());
    for (ballot, n) in weighted {
        for _ in 1..n {
            ballots.push(ballot.clone());
        }
        ballots.push(ballot);
    }
    Ok(ballots)
}

/// Each distinct record of `reports` as a validated ballot of `def`, with
/// how many records it stands for: memory bounded by the election's shape.
pub fn weighted_ballots_from_cdf(
    def: &ElectionDefinition,
    reports: &[CdfReport],
) -> Result<Vec<(Ballot, u64)>> {
    let mut ballots = Vec::new();
    for report in reports {
        for cvr in &report.cvrs {
            let election = &report.elections[cvr.election];
            let mut input: SelectionsInput = BTreeMap::new();
            for cc in &cvr.contests {
                let cdf_contest = &election.contests[cc.contest];
                let contest = contest_for(def, cdf_contest).ok_or_else(|| Error::CvrOtherElection {
                    file: report.source.clone(),
                    path: format!("{}: contest {:?}", report.locate(cvr), cdf_contest.id),
                    message: format!(
                        "(named {:?}) is not a contest of the definition",
                        cdf_contest.name
                    ),
                })?;
                let mut marks: Vec<(u32, usize, String)> = Vec::new();
                for (j, mark) in cc.marks.iter().enumerate() {
                    let s = &cdf_contest.selections[mark.selection];
                    let choice = choice_for(contest, report, cvr.election, s, mark.write_in.as_deref())
                        .ok_or_else(|| Error::CvrUnknownCandidate {
                            file: report.source.clone(),
                            path: format!(
                                "{}: contest {:?} selection {:?}",
                                report.locate(cvr),
                                cdf_contest.id,
                                s.id
                            ),
                            candidate: s
                                .candidate
                                .map(|c| election.candidates[c].name.clone())
                                .unwrap_or_else(|| s.id.clone()),
                        })?;
                    marks.push((mark.rank.unwrap_or(0), j, choice));
                }
                if let ContestKind::Ranked { .. } = contest.kind {
                    marks.sort();
                }
                input.insert(
                    contest.id.as_str().to_string(),
                    marks.into_iter().map(|(_, _, c)| c).collect(),
                );
            }
            let ballot = Ballot::validate(def, &input).map_err(|e| Error::CvrInvalid {
                file: report.source.clone(),
                path: report.locate(cvr),
                message: format!("not a ballot the kiosk would accept: {e}"),
            })?;
            ballots.push((ballot, cvr.count));
        }
    }
    Ok(ballots)
}
