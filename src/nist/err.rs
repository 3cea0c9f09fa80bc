//! NIST SP 1500-100 election results (ERR, version 2, JSON): one
//! `ElectionReport` per verified file, with every contest's count as the
//! verified file holds it (the verifier recomputed it from the records).
//!
//! Counts sit on one reporting unit: the station's (`precinct-level`) for
//! a station's result, or the merged stations' unit (`summary-contest`)
//! for a merge. Each selection has a `VoteCounts` of `Type: total`; an
//! instant-runoff contest has one per round instead (`Round`: 1, 2, …;
//! a candidate has counts for the rounds it continued in). Under- and
//! over-votes and write-ins are the contest's `OtherCounts`; turnout is
//! the election's `BallotCounts`. A test export has `IsTest: true` and
//! `Status: pre-election`. The mapping is `docs/formats.md` section 13.

use serde_json::{json, Value};

use super::{
    ids, nist_date_time, parties, party_id, vote_variation, votes_allowed, Origin, Verified, VOTEKIOSK_ID,
};
use crate::definition::{Contest, ContestKind, ElectionDefinition, LangCode, Text};
use crate::tabulate::{ContestResult, Votes};

/// `InternationalizedText` of a definition text, in every language.
fn text(t: &Text) -> Value {
    json!({
        "@type": "ElectionResults.InternationalizedText",
        "Text": t.iter().map(|(lang, s)| json!({
            "@type": "ElectionResults.LanguageString",
            "Content": s,
            "Language": lang.as_str(),
        })).collect::<Vec<_>>(),
    })
}

/// `InternationalizedText` of one string in one language.
fn text_in(lang: &str, s: &str) -> Value {
    json!({
        "@type": "ElectionResults.InternationalizedText",
        "Text": [{"@type": "ElectionResults.LanguageString", "Content": s, "Language": lang}],
    })
}

fn external(what: &str, value: &str) -> Value {
    json!({"@type": "ElectionResults.ExternalIdentifier", "Type": "other", "OtherType": what, "Value": value})
}

/// The `ElectionReport` of a verified file.
pub fn report(v: &Verified) -> Value {
    let def = &v.definition;
    let parties = parties(def);
    let (units, unit) = units(v);
    let counts_at = |count: u64| json!({"@type": "ElectionResults.VoteCounts", "Count": count, "GpUnitId": unit, "Type": "total"});
    let mut candidates = Vec::new();
    let mut contests = Vec::new();
    for (n, result) in v.result.contests.iter().enumerate() {
        let Some(contest) = def.contest(result.id()) else {
            continue;
        };
        contests.push(contest_report(
            def,
            contest,
            result,
            n + 1,
            &unit,
            &counts_at,
            &parties,
            &mut candidates,
        ));
    }
    let (issuer, abbreviation) = match &v.origin {
        Origin::Station { id, .. } => (format!("votekiosk polling station {id}"), id.clone()),
        Origin::Merge { .. } => (
            "votekiosk election office (merged result)".to_string(),
            "office".to_string(),
        ),
    };
    let software = &v.software;
    let mut out = json!({
        "@type": "ElectionResults.ElectionReport",
        "Election": [{
            "@type": "ElectionResults.Election",
            "BallotCounts": [{
                "@type": "ElectionResults.BallotCounts",
                "BallotsCast": v.counts.ballots,
                "GpUnitId": unit,
                "Type": "total",
            }],
            "Candidate": candidates,
            "Contest": contests,
            "CountStatus": [{"@type": "ElectionResults.CountStatus", "Status": "completed", "Type": "total"}],
            "ElectionScopeId": ids::ELECTION_SCOPE,
            "EndDate": def.date.to_string(),
            "ExternalIdentifier": [external("votekiosk-definition-hash", &def.hash().to_hex())],
            "Name": text(&def.title),
            "OtherType": "not stated in a votekiosk definition",
            "StartDate": def.date.to_string(),
            "Type": "other",
        }],
        "Format": match v.origin {
            Origin::Station { .. } => "precinct-level",
            Origin::Merge { .. } => "summary-contest",
        },
        "GeneratedDate": nist_date_time(&v.stamp),
        "GpUnit": units,
        "IsTest": v.test,
        "Issuer": issuer,
        "IssuerAbbreviation": abbreviation,
        "Notes": notes(v),
        "Party": parties.iter().enumerate().map(|(i, p)| json!({
            "@id": ids::party(i + 1),
            "@type": "ElectionResults.Party",
            "Name": text(p),
        })).collect::<Vec<_>>(),
        "SequenceEnd": 1,
        "SequenceStart": 1,
        "Status": if v.test { "pre-election" } else { "unofficial-complete" },
        "VendorApplicationId": format!(
            "{} {} (commit {}, {}, binary SHA-256 {})",
            software.name, software.version, software.commit, software.target, software.binary_sha256
        ),
    });
    if v.test {
        out["TestType"] = json!("logic-and-accuracy");
    }
    out
}

fn notes(v: &Verified) -> String {
    let c = &v.counts;
    let mut notes = String::new();
    if v.test {
        notes.push_str("TEST: logic-and-accuracy test ballots, not an official result. ");
    }
    notes.push_str(&format!(
        "Exported by votekiosk from {} {} (SHA-256 {}), signed by key {} and verified before export. \
         Voter codes: {} issued, {} used, {} revoked, {} unused; {} ballots.",
        v.format,
        std::path::Path::new(&v.name)
            .file_name()
            .map_or(v.name.clone(), |n| n.to_string_lossy().into_owned()),
        v.sha256,
        v.signer_fingerprint,
        c.codes_issued,
        c.codes_used,
        c.codes_revoked,
        c.codes_unused,
        c.ballots
    ));
    notes
}

/// The reporting units and devices, and the id of the unit the counts
/// belong to.
fn units(v: &Verified) -> (Vec<Value>, String) {
    let def = &v.definition;
    let lang = def.default_language().as_str();
    let station_unit = |id: &str, ballots: Option<u64>| {
        let mut unit = json!({
            "@id": ids::station_unit(id),
            "@type": "ElectionResults.ReportingUnit",
            "ComposingGpUnitIds": [ids::device(id)],
            "Name": text_in(lang, id),
            "Type": "polling-place",
        });
        if let Some(ballots) = ballots {
            unit["VotersParticipated"] = json!(ballots);
        }
        unit
    };
    let device = |id: &str, public_key: &str| {
        json!({
            "@id": ids::device(id),
            "@type": "ElectionResults.ReportingDevice",
            "DeviceClass": {
                "@type": "ElectionResults.DeviceClass",
                "Manufacturer": "votekiosk",
                "Model": "votekiosk polling-station kiosk",
                "Type": if v.cards.enabled { "bmd" } else { "dre" },
            },
            "ExternalIdentifier": [external("votekiosk-station-public-key", public_key)],
            "Name": text_in(lang, id),
            "SerialNumber": id,
        })
    };
    let scope = |composing: Vec<String>| {
        json!({
            "@id": ids::ELECTION_SCOPE,
            "@type": "ElectionResults.ReportingUnit",
            "ComposingGpUnitIds": composing,
            "Name": text(&def.title),
            "OtherType": "election-scope",
            "Type": "other",
        })
    };
    match &v.origin {
        Origin::Station { id, public_key, .. } => {
            let unit = ids::station_unit(id);
            (
                vec![
                    scope(vec![unit.clone()]),
                    station_unit(id, Some(v.counts.ballots)),
                    device(id, public_key),
                ],
                unit,
            )
        }
        Origin::Merge { inputs } => {
            let mut parts = Vec::new();
            let mut rest = Vec::new();
            for input in inputs {
                match &input.station_id {
                    Some(station) => {
                        parts.push(ids::station_unit(station));
                        rest.push(station_unit(station, Some(input.ballots)));
                        rest.push(device(station, &input.public_key));
                    }
                    None => {
                        let id = ids::merge_input_unit(&input.sha256);
                        parts.push(id.clone());
                        rest.push(json!({
                            "@id": id,
                            "@type": "ElectionResults.ReportingUnit",
                            "Name": text_in(lang, &format!("merged result {}", input.sha256)),
                            "OtherType": "votekiosk-merge",
                            "Type": "other",
                            "VotersParticipated": input.ballots,
                        }));
                    }
                }
            }
            let merged = json!({
                "@id": ids::MERGE_UNIT,
                "@type": "ElectionResults.ReportingUnit",
                "ComposingGpUnitIds": parts,
                "Name": text_in(lang, "merged stations"),
                "OtherType": "votekiosk-merge",
                "Type": "other",
                "VotersParticipated": v.counts.ballots,
            });
            let mut all = vec![scope(vec![ids::MERGE_UNIT.to_string()]), merged];
            all.append(&mut rest);
            (all, ids::MERGE_UNIT.to_string())
        }
    }
}

/// A candidate of the report: its post-election status from the count.
fn candidate(id: String, name: Value, party: Option<String>, status: Option<&str>) -> Value {
    let mut c = json!({"@id": id, "@type": "ElectionResults.Candidate", "BallotName": name});
    if let Some(party) = party {
        c["PartyId"] = json!(party);
    }
    if let Some(status) = status {
        c["PostElectionStatus"] = json!(status);
    }
    c
}

/// `winner`, `defeated`, or none for a candidate tied for a seat (the
/// count never breaks such ties).
fn status<'a>(id: &str, winners: &[String], tied: &[String]) -> Option<&'a str> {
    if winners.iter().any(|w| w == id) {
        Some("winner")
    } else if tied.iter().any(|t| t == id) {
        None
    } else {
        Some("defeated")
    }
}

#[allow(clippy::too_many_arguments)]
fn contest_report(
    def: &ElectionDefinition,
    contest: &Contest,
    result: &ContestResult,
    sequence: usize,
    unit: &str,
    counts_at: &dyn Fn(u64) -> Value,
    parties: &[&Text],
    candidates: &mut Vec<Value>,
) -> Value {
    let cid = contest.id.as_str();
    let lang: &LangCode = def.default_language();
    let other_counts = |undervotes: Option<u64>, write_ins: Option<u64>| {
        let mut o = json!({"@type": "ElectionResults.OtherCounts", "GpUnitId": unit, "Overvotes": 0});
        if let Some(u) = undervotes {
            o["Undervotes"] = json!(u);
        }
        if let Some(w) = write_ins {
            o["WriteIns"] = json!(w);
        }
        o
    };
    // The listed candidates' selections, with their counts, and their
    // `Candidate` objects.
    let mut listed = |tallies: &[(String, Vec<Value>)], winners: &[String], tied: &[String]| {
        let mut selections = Vec::new();
        for (i, c) in contest.kind.candidates().iter().enumerate() {
            let id = c.id.as_str();
            candidates.push(candidate(
                ids::candidate(cid, id),
                text(&c.name),
                c.party.as_ref().and_then(|p| party_id(parties, p)),
                status(id, winners, tied),
            ));
            let counts = tallies
                .iter()
                .find(|(t, _)| t == id)
                .map(|(_, counts)| counts.clone())
                .unwrap_or_default();
            selections.push(json!({
                "@id": ids::selection(cid, id),
                "@type": "ElectionResults.CandidateSelection",
                "CandidateIds": [ids::candidate(cid, id)],
                "SequenceOrder": i + 1,
                "VoteCounts": counts,
            }));
        }
        selections
    };
    let totals = |tallies: &[Votes]| -> Vec<(String, Vec<Value>)> {
        tallies
            .iter()
            .map(|t| (t.candidate.clone(), vec![counts_at(t.votes)]))
            .collect()
    };
    let base = |kind: &str, selections: Vec<Value>, other: Value| {
        json!({
            "@id": ids::contest(cid),
            "@type": kind,
            "BallotTitle": text(&contest.title),
            "ContestSelection": selections,
            "CountStatus": [{"@type": "ElectionResults.CountStatus", "Status": "completed", "Type": "total"}],
            "ElectionDistrictId": ids::ELECTION_SCOPE,
            "ExternalIdentifier": [external(VOTEKIOSK_ID, cid)],
            "Name": contest.title.get(lang),
            "OtherCounts": [other],
            "SequenceOrder": sequence,
            "VoteVariation": vote_variation(&contest.kind),
        })
    };
    let mut out = match result {
        ContestResult::Candidate(r) => {
            let mut selections = listed(&totals(&r.tallies), &r.winners, &r.tied);
            let mut write_in_votes = None;
            if let Some(w) = &r.write_ins {
                write_in_votes = Some(w.votes);
                for (n, name) in w.names.iter().enumerate() {
                    let candidate_id = ids::write_in_candidate(cid, n + 1);
                    candidates.push(candidate(
                        candidate_id.clone(),
                        text_in(lang.as_str(), &name.name),
                        None,
                        None,
                    ));
                    selections.push(json!({
                        "@id": ids::write_in_name(cid, n + 1),
                        "@type": "ElectionResults.CandidateSelection",
                        "CandidateIds": [candidate_id],
                        "IsWriteIn": true,
                        "SequenceOrder": contest.kind.candidates().len() + n + 1,
                        "VoteCounts": [counts_at(name.votes)],
                    }));
                }
            }
            base(
                "ElectionResults.CandidateContest",
                selections,
                other_counts(Some(r.undervotes), write_in_votes),
            )
        }
        ContestResult::Approval(r) => base(
            "ElectionResults.CandidateContest",
            listed(&totals(&r.tallies), &r.winners, &r.tied),
            other_counts(None, None),
        ),
        ContestResult::Ranked(r) => {
            let mut rounds: Vec<(String, Vec<Value>)> = Vec::new();
            for round in &r.rounds {
                for t in &round.tallies {
                    let mut count = counts_at(t.votes);
                    count["Round"] = json!(round.round);
                    match rounds.iter_mut().find(|(c, _)| *c == t.candidate) {
                        Some((_, counts)) => counts.push(count),
                        None => rounds.push((t.candidate.clone(), vec![count])),
                    }
                }
            }
            let winners: Vec<String> = r.winner.iter().cloned().collect();
            // No winner (no ballot counted for anyone): no one is defeated either.
            let undecided: Vec<String> = match r.winner {
                Some(_) => Vec::new(),
                None => contest
                    .kind
                    .candidates()
                    .iter()
                    .map(|c| c.id.to_string())
                    .collect(),
            };
            base(
                "ElectionResults.CandidateContest",
                listed(&rounds, &winners, &undecided),
                other_counts(Some(r.blank), None),
            )
        }
        ContestResult::YesNo(r) => {
            let ContestKind::YesNo {
                yes_label,
                no_label,
                threshold,
            } = &contest.kind
            else {
                return json!({});
            };
            let answer = |option: &str, label: &Option<Text>, default: &str, count: u64, order: usize| {
                json!({
                    "@id": ids::selection(cid, option),
                    "@type": "ElectionResults.BallotMeasureSelection",
                    "ExternalIdentifier": [external(VOTEKIOSK_ID, option)],
                    "Selection": label.as_ref().map_or_else(|| text_in("en", default), text),
                    "SequenceOrder": order,
                    "VoteCounts": [counts_at(count)],
                })
            };
            let mut measure = base(
                "ElectionResults.BallotMeasureContest",
                vec![
                    answer("yes", yes_label, "Yes", r.yes, 1),
                    answer("no", no_label, "No", r.no, 2),
                ],
                other_counts(Some(r.blank), None),
            );
            measure["PassageThreshold"] = text_in(
                "en",
                &format!(
                    "{} of {} of the yes and no votes, and more yes than no",
                    threshold.numerator, threshold.denominator
                ),
            );
            measure["Type"] = json!("ballot-measure");
            if let Some(d) = &contest.description {
                measure["FullText"] = text(d);
            }
            measure
        }
    };
    if !matches!(contest.kind, ContestKind::YesNo { .. }) {
        out["VotesAllowed"] = json!(votes_allowed(&contest.kind));
        out["NumberElected"] = json!(match contest.kind {
            ContestKind::Candidate { seats, .. } => seats,
            _ => 1,
        });
    }
    out
}
