//! NIST SP 1500-103 cast vote records (CDF v1.0.0, JSON): one
//! `CastVoteRecordReport` per verified file, with the election (its
//! candidates, contests and their selections), the reporting devices and
//! units, and one `CVR` per record, in the file's order (by public record
//! id, a random value: the order owes nothing to when ballots were cast).
//!
//! A `CVR` carries the record's public id as `UniqueId` and nothing else
//! about the voter or the time: no time stamp, no storage key, code,
//! receipt or card id. Its one snapshot (`Type: original`) holds every
//! contest of the definition, each mark a `CVRContestSelection` with one
//! `SelectionPosition` (`HasIndication: yes`, `NumberVotes: 1`, `Rank` in
//! ranked contests, the name of a write-in as `CVRWriteIn.Text`).
//! The mapping, both ways, is `docs/formats.md` section 13.

use serde_json::{json, Value};

use super::{
    ids, nist_date_time, parties, party_id, vote_variation, votes_allowed, Origin, Verified, VOTEKIOSK_ID,
};
use crate::ballot::{Ballot, Choice};
use crate::definition::{Contest, ContestKind, ElectionDefinition, Text};

/// The report's `Version`: the only one the schema allows.
pub const VERSION: &str = "1.0.0";

/// The `CastVoteRecordReport` of a verified file.
pub fn report(v: &Verified) -> Value {
    let def = &v.definition;
    let lang = def.default_language();
    let parties = parties(def);
    let (devices, device_ids, units) = devices_and_units(v);
    let station = match &v.origin {
        Origin::Station { id, .. } => Some(id.as_str()),
        Origin::Merge { .. } => None,
    };
    let mut report_type = vec![match v.origin {
        Origin::Station { .. } => "originating-device-export",
        Origin::Merge { .. } => "aggregated",
    }];
    let mut out = json!({
        "@type": "CVR.CastVoteRecordReport",
        "CVR": v.records.iter().map(|(id, ballot)| cvr(def, id, ballot, station)).collect::<Vec<_>>(),
        "Election": [{
            "@id": ids::ELECTION,
            "@type": "CVR.Election",
            "Candidate": candidates(def, &parties),
            "Code": [code("votekiosk-definition-hash", &def.hash().to_hex())],
            "Contest": def.contests.iter().map(|c| contest(c, lang)).collect::<Vec<_>>(),
            "ElectionScopeId": ids::ELECTION_SCOPE,
            "Name": def.title.get(lang),
        }],
        "GeneratedDate": nist_date_time(&v.stamp),
        "GpUnit": units,
        "Notes": notes(v),
        "Party": parties.iter().enumerate().map(|(i, p)| json!({
            "@id": ids::party(i + 1),
            "@type": "CVR.Party",
            "Name": p.get(lang),
        })).collect::<Vec<_>>(),
        "ReportGeneratingDeviceIds": device_ids,
        "ReportingDevice": devices,
        "Version": VERSION,
    });
    if v.test {
        report_type.push("other");
        out["OtherReportType"] = json!("test");
    }
    out["ReportType"] = json!(report_type);
    out
}

/// A `Code` carrying one of votekiosk's ids or keys.
fn code(what: &str, value: &str) -> Value {
    json!({"@type": "CVR.Code", "Type": "other", "OtherType": what, "Value": value})
}

fn notes(v: &Verified) -> String {
    let mut notes = String::new();
    if v.test {
        notes.push_str(
            "TEST: logic-and-accuracy test ballots from a votekiosk test export, not an official result. ",
        );
    }
    notes.push_str(&format!(
        "Exported by votekiosk from {} {} (SHA-256 {}), signed by key {} and verified before export; {} cast vote records, one per ballot, in order of their public record id.",
        v.format,
        std::path::Path::new(&v.name)
            .file_name()
            .map_or(v.name.clone(), |n| n.to_string_lossy().into_owned()),
        v.sha256,
        v.signer_fingerprint,
        v.records.len()
    ));
    notes
}

/// The reporting devices (the stations, and the office for a merge),
/// the ids of those that generated this report, and the units.
fn devices_and_units(v: &Verified) -> (Vec<Value>, Vec<String>, Vec<Value>) {
    let def = &v.definition;
    let lang = def.default_language();
    let software = &v.software;
    let application = format!(
        "{} {} (commit {}, {}, binary SHA-256 {})",
        software.name, software.version, software.commit, software.target, software.binary_sha256
    );
    let station_device = |id: &str, public_key: &str, notes: Vec<String>| {
        json!({
            "@id": ids::device(id),
            "@type": "CVR.ReportingDevice",
            "Code": [code("votekiosk-station-id", id), code("votekiosk-station-public-key", public_key)],
            "Manufacturer": "votekiosk",
            "Model": "votekiosk polling-station kiosk",
            "Notes": notes,
            "SerialNumber": id,
        })
    };
    let station_unit = |id: &str| {
        json!({
            "@id": ids::station_unit(id),
            "@type": "CVR.GpUnit",
            "Name": id,
            "ReportingDeviceIds": [ids::device(id)],
            "Type": "polling-place",
        })
    };
    let scope = |devices: Vec<String>| {
        json!({
            "@id": ids::ELECTION_SCOPE,
            "@type": "CVR.GpUnit",
            "Name": def.title.get(lang),
            "OtherType": "election-scope",
            "ReportingDeviceIds": devices,
            "Type": "other",
        })
    };
    match &v.origin {
        Origin::Station {
            id,
            public_key,
            counted_by,
            ..
        } => {
            let mut device = station_device(
                id,
                public_key,
                vec![
                    format!("counted by the {counted_by}"),
                    format!("software: {application}"),
                ],
            );
            device["Application"] = json!(application);
            (
                vec![device],
                vec![ids::device(id)],
                vec![scope(vec![ids::device(id)]), station_unit(id)],
            )
        }
        Origin::Merge { inputs } => {
            let office = json!({
                "@id": ids::OFFICE_DEVICE,
                "@type": "CVR.ReportingDevice",
                "Application": application,
                "Code": [code("votekiosk-office-signing-key", &v.signer)],
                "Manufacturer": "votekiosk",
                "Model": "votekiosk election office (merge)",
                "Notes": [format!("merged {} inputs", inputs.len())],
            });
            let mut devices = vec![office];
            let mut units = vec![scope(vec![ids::OFFICE_DEVICE.to_string()])];
            for input in inputs {
                if let Some(station) = &input.station_id {
                    devices.push(station_device(
                        station,
                        &input.public_key,
                        vec![
                            format!("counted by the {}", input.counted_by),
                            format!("{} ballots; result file SHA-256 {}", input.ballots, input.sha256),
                        ],
                    ));
                    units.push(station_unit(station));
                }
            }
            (devices, vec![ids::OFFICE_DEVICE.to_string()], units)
        }
    }
}

fn candidates(def: &ElectionDefinition, parties: &[&Text]) -> Vec<Value> {
    let lang = def.default_language();
    let mut out = Vec::new();
    for contest in &def.contests {
        for c in contest.kind.candidates() {
            let mut candidate = json!({
                "@id": ids::candidate(contest.id.as_str(), c.id.as_str()),
                "@type": "CVR.Candidate",
                "Code": [code(VOTEKIOSK_ID, c.id.as_str())],
                "Name": c.name.get(lang),
            });
            if let Some(party) = c.party.as_ref().and_then(|p| party_id(parties, p)) {
                candidate["PartyId"] = json!(party);
            }
            out.push(candidate);
        }
    }
    out
}

/// One contest of the election, with every selection a CVR may name.
fn contest(contest: &Contest, lang: &crate::definition::LangCode) -> Value {
    let cid = contest.id.as_str();
    let candidate_selection = |candidate: &str| {
        json!({
            "@id": ids::selection(cid, candidate),
            "@type": "CVR.CandidateSelection",
            "CandidateIds": [ids::candidate(cid, candidate)],
            "Code": [code(VOTEKIOSK_ID, candidate)],
        })
    };
    let mut selections: Vec<Value> = contest
        .kind
        .candidates()
        .iter()
        .map(|c| candidate_selection(c.id.as_str()))
        .collect();
    let (kind, seats) = match &contest.kind {
        ContestKind::Candidate { seats, write_ins, .. } => {
            if *write_ins {
                for n in 1..=*seats as usize {
                    selections.push(json!({
                        "@id": ids::write_in_slot(cid, n),
                        "@type": "CVR.CandidateSelection",
                        "IsWriteIn": true,
                    }));
                }
            }
            ("CVR.CandidateContest", Some(*seats))
        }
        ContestKind::YesNo {
            yes_label, no_label, ..
        } => {
            let answer = |option: &str, label: &Option<Text>, default: &str| {
                json!({
                    "@id": ids::selection(cid, option),
                    "@type": "CVR.BallotMeasureSelection",
                    "Code": [code(VOTEKIOSK_ID, option)],
                    "Selection": label.as_ref().map_or(default, |l| l.get(lang)),
                })
            };
            selections = vec![answer("yes", yes_label, "Yes"), answer("no", no_label, "No")];
            ("CVR.BallotMeasureContest", None)
        }
        ContestKind::Approval { .. } => ("CVR.CandidateContest", Some(1)),
        ContestKind::Ranked { .. } => ("CVR.CandidateContest", Some(1)),
    };
    let mut out = json!({
        "@id": ids::contest(cid),
        "@type": kind,
        "Code": [code(VOTEKIOSK_ID, cid)],
        "ContestSelection": selections,
        "Name": contest.title.get(lang),
        "VoteVariation": vote_variation(&contest.kind),
    });
    if let Some(seats) = seats {
        out["NumberElected"] = json!(seats);
        out["VotesAllowed"] = json!(votes_allowed(&contest.kind));
    }
    out
}

/// One record as a `CVR`.
fn cvr(def: &ElectionDefinition, id: &str, ballot: &Ballot, station: Option<&str>) -> Value {
    let contests: Vec<Value> = def
        .contests
        .iter()
        .map(|c| {
            let choices = ballot.contests.get(&c.id).map(Vec::as_slice).unwrap_or(&[]);
            cvr_contest(c, choices)
        })
        .collect();
    let mut out = json!({
        "@type": "CVR.CVR",
        "CVRSnapshot": [{
            "@id": ids::snapshot(id),
            "@type": "CVR.CVRSnapshot",
            "CVRContest": contests,
            "Type": "original",
        }],
        "CurrentSnapshotId": ids::snapshot(id),
        "ElectionId": ids::ELECTION,
        "UniqueId": id,
    });
    if let Some(station) = station {
        out["BallotStyleUnitId"] = json!(ids::station_unit(station));
        out["CreatingDeviceId"] = json!(ids::device(station));
    }
    out
}

/// One contest of a record: its marks, in the record's order (rank order
/// in a ranked contest), and how many votes it left unused.
fn cvr_contest(contest: &Contest, choices: &[Choice]) -> Value {
    let cid = contest.id.as_str();
    let ranked = matches!(contest.kind, ContestKind::Ranked { .. });
    let mut write_ins = 0usize;
    let selections: Vec<Value> = choices
        .iter()
        .enumerate()
        .map(|(i, choice)| {
            let mut position = json!({
                "@type": "CVR.SelectionPosition",
                "HasIndication": "yes",
                "IsAllocable": "yes",
                "NumberVotes": 1,
            });
            if ranked {
                position["Rank"] = json!(i + 1);
            }
            let selection = match choice {
                Choice::Candidate(c) => ids::selection(cid, c),
                Choice::Yes => ids::selection(cid, "yes"),
                Choice::No => ids::selection(cid, "no"),
                Choice::WriteIn(name) => {
                    write_ins += 1;
                    position["CVRWriteIn"] = json!({"@type": "CVR.CVRWriteIn", "Text": name});
                    ids::write_in_slot(cid, write_ins)
                }
            };
            json!({
                "@type": "CVR.CVRContestSelection",
                "ContestSelectionId": selection,
                "SelectionPosition": [position],
            })
        })
        .collect();
    let marks = choices.len() as u64;
    let mut out = json!({
        "@type": "CVR.CVRContest",
        "CVRContestSelection": selections,
        "ContestId": ids::contest(cid),
        "Selections": marks,
    });
    let limited = matches!(
        contest.kind,
        ContestKind::Candidate { .. } | ContestKind::YesNo { .. }
    );
    if limited {
        let allowed = votes_allowed(&contest.kind);
        out["Undervotes"] = json!(allowed.saturating_sub(marks));
        out["Overvotes"] = json!(0);
    }
    if let ContestKind::Candidate { write_ins: true, .. } = contest.kind {
        out["WriteIns"] = json!(write_ins);
    }
    if marks == 0 {
        out["Status"] = json!(["not-indicated"]);
    } else if limited && marks < votes_allowed(&contest.kind) {
        out["Status"] = json!(["undervoted"]);
    }
    out
}
