//! NIST exports (issue 16): a station day over every contest kind, a test
//! export and an office merge, each exported as NIST SP 1500-103 cast vote
//! records and NIST SP 1500-100 election results, then validated against
//! the official JSON schemas (draft-04) read in place from the shared
//! folder beside the project. Each CVR equals its record, the ERR counts
//! equal the tally, and no voter code, receipt or storage id appears in
//! either file. A tampered result exports nothing, through the library
//! and the CLI.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use rand::SeedableRng;
use serde_json::Value;

use votekiosk::export::merge::{merge, MergeSettings};
use votekiosk::export::verify::{Anchor, Options as VerifyOptions};
use votekiosk::nist::{self, Format, Verified};
use votekiosk::tabulate::rctab::{ballots::ballots_from_cdf, read_cdf_cvrs};
use votekiosk::tabulate::{ContestResult, ElectionResult};
use votekiosk::{Ballot, ElectionDefinition, ManualClock, Options, SelectionsInput, Station};

use crate::export::{office_key, Trusted};
use crate::support::*;

const CVR_SCHEMA: &str = "NIST_V0_cast_vote_records.json";
const ERR_SCHEMA: &str = "NIST_V2_election_results_reporting.json";

/// The schemas folder: `<shared>/schemas` of the first shared folder that
/// holds both schemas, from `env` (`VOTEKIOSK_SHARED`), then
/// `<manifest>/../shared`, then `last`; else a message naming every place
/// looked in.
pub fn locate_schemas(env: Option<OsString>, manifest: &Path, last: &Path) -> Result<PathBuf, String> {
    let candidates = env
        .map(PathBuf::from)
        .into_iter()
        .chain([manifest.join("..").join("shared"), last.to_path_buf()]);
    let mut looked = Vec::new();
    for shared in candidates {
        let schemas = shared.join("schemas");
        if [CVR_SCHEMA, ERR_SCHEMA].iter().all(|f| schemas.join(f).is_file()) {
            return Ok(schemas);
        }
        looked.push(schemas.display().to_string());
    }
    Err(format!(
        "the official NIST schemas {CVR_SCHEMA} and {ERR_SCHEMA} are expected in the `schemas` folder of the \
         shared folder beside the project; looked in: {} (set VOTEKIOSK_SHARED to the shared folder)",
        looked.join(", ")
    ))
}

fn schemas() -> PathBuf {
    locate_schemas(
        std::env::var_os("VOTEKIOSK_SHARED"),
        Path::new(env!("CARGO_MANIFEST_DIR")),
        Path::new("/work/shared"),
    )
    .unwrap_or_else(|why| panic!("{why}"))
}

/// Every error of `doc` against the schema `file`, each with its JSON path.
fn schema_errors(file: &str, doc: &Value) -> Vec<String> {
    let path = schemas().join(file);
    let schema: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read schema")).expect("schema JSON");
    let validator = jsonschema::draft4::new(&schema).expect("the schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| {
            let mut message = e.to_string();
            message.truncate(300);
            format!("{} (schema {}): {message}", e.instance_path, e.schema_path)
        })
        .collect()
}

fn assert_valid(file: &str, doc: &Value) {
    let errors = schema_errors(file, doc);
    assert!(
        errors.is_empty(),
        "{} validation errors against {file}:\n{}",
        errors.len(),
        errors.join("\n")
    );
}

/// The test election with write-ins in a vote-for-two contest, and no
/// ballot cards (the card workflow is issue 14's).
fn nist_definition() -> ElectionDefinition {
    let mut v = definition_value();
    v["contests"][1]["write_ins"] = true.into();
    v["cards"] = serde_json::json!({"enabled": false});
    ElectionDefinition::parse(serde_json::to_string(&v).expect("json").as_bytes()).expect("definition")
}

/// A station of the NIST test election, every random value seeded.
fn station(seed: u64, station_id: &str) -> Fixture {
    station_of(seed, station_id, &nist_definition())
}

fn station_of(seed: u64, station_id: &str, definition: &ElectionDefinition) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("station.vks");
    let clock = Arc::new(ManualClock::new(election_noon()));
    let options = Options {
        clock: clock.clone(),
        rng: Box::new(rand::rngs::StdRng::seed_from_u64(seed)),
        printer: Some(Arc::new(Paper::default())),
    };
    let mut station = Station::create(
        &path,
        definition,
        station_id,
        PASSPHRASE,
        ADMIN,
        ADMIN_PASSWORD,
        options,
    )
    .expect("create station");
    let admin = station.login(ADMIN, ADMIN_PASSWORD).expect("admin");
    station
        .add_official(&admin, WORKER, votekiosk::Role::PollWorker, WORKER_PASSWORD)
        .expect("worker");
    Fixture {
        dir,
        path,
        clock,
        station,
        slips: Vec::new(),
    }
}

/// Ballot `i` of a day: every kind, blanks, write-ins (two in one
/// contest), rankings of one to three candidates.
fn ballot(i: usize) -> SelectionsInput {
    let mayor: &[&str] = match i % 4 {
        0 => &["alvarez"],
        1 => &["write-in:Zoë  Quist"],
        2 => &[],
        _ => &["brooks"],
    };
    let council: &[&str] = match i % 4 {
        0 => &["gupta", "diaz"],
        1 => &["write-in:Ann Lee", "evans"],
        2 => &[],
        _ => &["write-in:Bo Park", "write-in:Ann Lee"],
    };
    let bond: &[&str] = match i % 3 {
        0 => &["yes"],
        1 => &["no"],
        _ => &[],
    };
    let parks: &[&str] = match i % 4 {
        0 => &["jones", "hill"],
        1 => &["ito"],
        2 => &[],
        _ => &["hill", "ito", "jones"],
    };
    let school: &[&str] = match i % 7 {
        0 => &["lopez", "kim"],
        1 => &["lopez"],
        2 => &["kim", "lopez"],
        3 => &["moore", "kim"],
        4 => &["nguyen", "moore", "kim"],
        5 => &["moore", "nguyen", "lopez"],
        _ => &[],
    };
    sel(&[
        ("mayor", mayor),
        ("council", council),
        ("library-bond", bond),
        ("parks-board", parks),
        ("school-board", school),
    ])
}

/// A day at one station, exported into `dir`.
struct Day {
    fx: Fixture,
    result: PathBuf,
    codes: Vec<String>,
    receipts: Vec<String>,
    tally: ElectionResult,
}

fn day(seed: u64, station_id: &str, n: usize, test: bool, dir: &Path) -> Day {
    let mut fx = station(seed, station_id);
    if test {
        let admin = fx.admin();
        fx.station.enter_test_mode(&admin).expect("test mode");
    } else {
        fx.open();
    }
    let codes = fx.codes(n);
    let receipts = codes
        .iter()
        .enumerate()
        .map(|(i, code)| {
            fx.station
                .cast_ballot(code, &ballot(i), &key_for(i))
                .expect("cast")
                .receipt
                .as_str()
                .to_string()
        })
        .collect();
    if !test {
        let w = fx.worker();
        fx.station.close_polls(&w).expect("close");
    }
    fx.count();
    let tally = fx.station.tally().expect("tally");
    let w = fx.worker();
    let name = format!("results-{station_id}.jsonl");
    let export = fx.station.export(&w, test, &name).expect("export");
    let result = dir.join(&name);
    votekiosk::export::write_files(&result, &export, fx.station.definition()).expect("write");
    Day {
        fx,
        result,
        codes,
        receipts,
        tally,
    }
}

fn pinned(day: &Day) -> VerifyOptions<'static> {
    VerifyOptions {
        anchor: Anchor::PublicKey(day.fx.station.public_key().expect("key")),
        ..VerifyOptions::default()
    }
}

fn exports(verified: &Verified) -> (Vec<u8>, Value, Vec<u8>, Value) {
    let cvr = nist::export(Format::NistCvr, verified).expect("cvr");
    let err = nist::export(Format::NistErr, verified).expect("err");
    let cvr_doc = serde_json::from_slice(&cvr).expect("cvr json");
    let err_doc = serde_json::from_slice(&err).expect("err json");
    (cvr, cvr_doc, err, err_doc)
}

/// The records of a result or merged file, read from its lines: every
/// line `{"id", "selections"}`, in file order.
fn records_of(file: &Path) -> Vec<(String, BTreeMap<String, Vec<String>>)> {
    let text = std::fs::read_to_string(file).expect("read");
    text.lines()
        .skip(3)
        .filter_map(|line| {
            let v: Value = serde_json::from_str(line).ok()?;
            let object = v.as_object()?;
            if object.len() != 2 {
                return None;
            }
            let selections = serde_json::from_value(object.get("selections")?.clone()).ok()?;
            Some((object.get("id")?.as_str()?.to_string(), selections))
        })
        .collect()
}

/// A `Code`'s votekiosk id.
fn vk_id(object: &Value) -> Option<String> {
    object["Code"]
        .as_array()?
        .iter()
        .find(|c| c["OtherType"] == "votekiosk-id")
        .and_then(|c| c["Value"].as_str())
        .map(str::to_string)
}

/// Each CVR's `UniqueId` and its current snapshot's marks, read back as
/// votekiosk selections (write-ins `write-in:<Text>`, ranks in order).
fn cvr_records(doc: &Value) -> Vec<(String, BTreeMap<String, Vec<String>>)> {
    let election = &doc["Election"][0];
    let mut contests = BTreeMap::new();
    let mut selections = BTreeMap::new();
    for contest in election["Contest"].as_array().expect("contests") {
        let cid = vk_id(contest).expect("contest code");
        contests.insert(contest["@id"].as_str().expect("id").to_string(), cid.clone());
        for s in contest["ContestSelection"].as_array().expect("selections") {
            let choice = if s["IsWriteIn"] == true {
                None
            } else {
                Some(vk_id(s).expect("selection code"))
            };
            selections.insert(s["@id"].as_str().expect("id").to_string(), choice);
        }
    }
    let ranked: Vec<&str> = election["Contest"]
        .as_array()
        .expect("contests")
        .iter()
        .filter(|c| c["VoteVariation"] == "rcv")
        .map(|c| c["@id"].as_str().expect("id"))
        .collect();
    doc["CVR"]
        .as_array()
        .expect("CVR list")
        .iter()
        .map(|cvr| {
            let current = cvr["CurrentSnapshotId"].as_str().expect("current");
            let snapshot = cvr["CVRSnapshot"]
                .as_array()
                .expect("snapshots")
                .iter()
                .find(|s| s["@id"] == current)
                .expect("the current snapshot");
            let mut out = BTreeMap::new();
            for contest in snapshot["CVRContest"].as_array().expect("contests") {
                let contest_id = contest["ContestId"].as_str().expect("contest id");
                let mut marks: Vec<(u64, String)> = contest["CVRContestSelection"]
                    .as_array()
                    .expect("marks")
                    .iter()
                    .map(|m| {
                        let position = &m["SelectionPosition"][0];
                        assert_eq!(position["HasIndication"], "yes");
                        assert_eq!(position["NumberVotes"], 1);
                        let choice = match &selections[m["ContestSelectionId"].as_str().expect("selection")] {
                            Some(c) => c.clone(),
                            None => format!(
                                "write-in:{}",
                                position["CVRWriteIn"]["Text"].as_str().expect("write-in text")
                            ),
                        };
                        (position["Rank"].as_u64().unwrap_or(0), choice)
                    })
                    .collect();
                if ranked.contains(&contest_id) {
                    marks.sort_by_key(|(rank, _)| *rank);
                    let ranks: Vec<u64> = marks.iter().map(|(r, _)| *r).collect();
                    assert_eq!(
                        ranks,
                        (1..=ranks.len() as u64).collect::<Vec<_>>(),
                        "ranks 1, 2, …"
                    );
                }
                out.insert(
                    contests[contest_id].clone(),
                    marks.into_iter().map(|(_, c)| c).collect(),
                );
            }
            (cvr["UniqueId"].as_str().expect("UniqueId").to_string(), out)
        })
        .collect()
}

/// Every count of a tally, keyed as the ERR has them: (selection id,
/// round or 0) → votes; and the contest's undervotes / write-ins.
fn tally_counts(result: &ElectionResult) -> BTreeMap<(String, u64), u64> {
    let mut out = BTreeMap::new();
    let mut put = |contest: &str, option: &str, round: u64, votes: u64| {
        out.insert((format!("selection.{contest}.{option}"), round), votes);
    };
    for contest in &result.contests {
        match contest {
            ContestResult::Candidate(r) => {
                for t in &r.tallies {
                    put(&r.id, &t.candidate, 0, t.votes);
                }
                for (n, name) in r.write_ins.iter().flat_map(|w| w.names.iter()).enumerate() {
                    put(&r.id, &format!("write-in-name-{}", n + 1), 0, name.votes);
                }
            }
            ContestResult::Approval(r) => {
                for t in &r.tallies {
                    put(&r.id, &t.candidate, 0, t.votes);
                }
            }
            ContestResult::YesNo(r) => {
                put(&r.id, "yes", 0, r.yes);
                put(&r.id, "no", 0, r.no);
            }
            ContestResult::Ranked(r) => {
                for round in &r.rounds {
                    for t in &round.tallies {
                        put(&r.id, &t.candidate, u64::from(round.round), t.votes);
                    }
                }
            }
        }
    }
    out
}

fn err_counts(doc: &Value) -> BTreeMap<(String, u64), u64> {
    let mut out = BTreeMap::new();
    for contest in doc["Election"][0]["Contest"].as_array().expect("contests") {
        for s in contest["ContestSelection"].as_array().expect("selections") {
            for count in s["VoteCounts"].as_array().expect("counts") {
                assert_eq!(count["Type"], "total");
                let key = (
                    s["@id"].as_str().expect("id").to_string(),
                    count["Round"].as_u64().unwrap_or(0),
                );
                assert!(out.insert(key, count["Count"].as_u64().expect("count")).is_none());
            }
        }
    }
    out
}

/// What every export of a verified file must hold, whatever its origin.
fn check_exports(verified: &Verified, file: &Path, expected: &ElectionResult) -> (Vec<u8>, Vec<u8>) {
    let (cvr, cvr_doc, err, err_doc) = exports(verified);
    assert_valid(CVR_SCHEMA, &cvr_doc);
    assert_valid(ERR_SCHEMA, &err_doc);
    // One CVR per ballot, in the file's (random id) order, each with its
    // record's selections.
    let records = records_of(file);
    assert_eq!(records.len() as u64, verified.counts.ballots);
    assert_eq!(cvr_records(&cvr_doc), records);
    let ids: Vec<&String> = records.iter().map(|(id, _)| id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "records by increasing id");
    // The counts are the tally's, round by round, and the turnout.
    assert_eq!(err_counts(&err_doc), tally_counts(expected));
    assert_eq!(
        err_doc["Election"][0]["BallotCounts"][0]["BallotsCast"],
        verified.counts.ballots
    );
    for (contest, result) in err_doc["Election"][0]["Contest"]
        .as_array()
        .expect("contests")
        .iter()
        .zip(&expected.contests)
    {
        if let ContestResult::Candidate(r) = result {
            assert_eq!(contest["OtherCounts"][0]["Undervotes"], r.undervotes, "{}", r.id);
            if let Some(w) = &r.write_ins {
                assert_eq!(contest["OtherCounts"][0]["WriteIns"], w.votes);
            }
        }
    }
    // No time stamp on any CVR; the report's date is the file's, to the second.
    let cvrs = serde_json::to_string(&cvr_doc["CVR"]).expect("cvrs");
    assert!(
        !cvrs.contains("2026-") && !cvrs.contains("TimeStamp"),
        "a date in a CVR"
    );
    assert_eq!(
        cvr_doc["GeneratedDate"].as_str().expect("date"),
        nist::nist_date_time(&verified.stamp)
    );
    assert_eq!(err_doc["GeneratedDate"], cvr_doc["GeneratedDate"]);
    // The same file gives the same bytes.
    let (again_cvr, _, again_err, _) = exports(verified);
    assert_eq!((&cvr, &err), (&again_cvr, &again_err));
    (cvr, err)
}

#[test]
fn nist_exports_of_an_official_station_day_validate_and_equal_its_records_and_tally() {
    let dir = tempfile::tempdir().expect("tmp");
    let day = day(161, "RIVERSIDE-01", 15, false, dir.path());
    let verified = nist::read_verified(&day.result, &pinned(&day)).expect("verified");
    assert_eq!(verified.result, day.tally);
    let (_, err) = check_exports(&verified, &day.result, &day.tally);
    let cvr_doc: Value =
        serde_json::from_slice(&nist::export(Format::NistCvr, &verified).expect("cvr")).expect("json");
    let err_doc: Value = serde_json::from_slice(&err).expect("json");
    // Official: no test marks anywhere.
    assert_eq!(
        cvr_doc["ReportType"],
        serde_json::json!(["originating-device-export"])
    );
    assert!(cvr_doc.get("OtherReportType").is_none());
    assert_eq!(err_doc["IsTest"], false);
    assert_eq!(err_doc["Status"], "unofficial-complete");
    // Each CVR names the station's device and unit.
    assert_eq!(cvr_doc["CVR"][0]["CreatingDeviceId"], "device.RIVERSIDE-01");
    assert_eq!(cvr_doc["CVR"][0]["CVRSnapshot"][0]["Type"], "original");
    // A ranked contest of several rounds, and write-ins by name.
    let school = day.tally.contest("school-board").expect("ranked");
    assert!(
        matches!(school, ContestResult::Ranked(r) if r.rounds.len() >= 2),
        "{school:?}"
    );
    assert!(String::from_utf8_lossy(&err).contains("Zoë Quist"));
    // The count's winners are the ERR's.
    let winners: Vec<&str> = err_doc["Election"][0]["Candidate"]
        .as_array()
        .expect("candidates")
        .iter()
        .filter(|c| c["PostElectionStatus"] == "winner")
        .map(|c| c["@id"].as_str().expect("id"))
        .collect();
    let mut expected = Vec::new();
    for contest in &day.tally.contests {
        match contest {
            ContestResult::Candidate(r) => {
                expected.extend(r.winners.iter().map(|w| format!("candidate.{}.{w}", r.id)))
            }
            ContestResult::Approval(r) => {
                expected.extend(r.winners.iter().map(|w| format!("candidate.{}.{w}", r.id)))
            }
            ContestResult::Ranked(r) => {
                expected.extend(r.winner.iter().map(|w| format!("candidate.{}.{w}", r.id)))
            }
            ContestResult::YesNo(_) => {}
        }
    }
    expected.retain(|w| !w.ends_with(".write-in"));
    assert_eq!(winners, expected);
}

#[test]
fn nist_exports_of_a_test_export_are_marked_test() {
    let dir = tempfile::tempdir().expect("tmp");
    let day = day(162, "RIVERSIDE-01", 7, true, dir.path());
    let verified = nist::read_verified(&day.result, &pinned(&day)).expect("verified");
    assert!(verified.test);
    let (cvr, err) = check_exports(&verified, &day.result, &day.tally);
    let cvr_doc: Value = serde_json::from_slice(&cvr).expect("json");
    let err_doc: Value = serde_json::from_slice(&err).expect("json");
    assert_eq!(
        cvr_doc["ReportType"],
        serde_json::json!(["originating-device-export", "other"])
    );
    assert_eq!(cvr_doc["OtherReportType"], "test");
    assert!(cvr_doc["Notes"].as_str().expect("notes").starts_with("TEST:"));
    assert_eq!(err_doc["IsTest"], true);
    assert_eq!(err_doc["TestType"], "logic-and-accuracy");
    assert_eq!(err_doc["Status"], "pre-election");
    assert!(err_doc["Notes"].as_str().expect("notes").starts_with("TEST:"));
}

#[test]
fn nist_exports_of_a_merge_validate_and_equal_the_union_of_its_stations() {
    let dir = tempfile::tempdir().expect("tmp");
    let a = day(163, "RIVERSIDE-01", 9, false, dir.path());
    let b = day(164, "RIVERSIDE-02", 6, false, dir.path());
    let definition = a.fx.station.definition().clone();
    let trusted = Trusted {
        hash: definition.hash().0,
        stations: [
            (
                "RIVERSIDE-01".to_string(),
                a.fx.station.public_key().expect("key"),
            ),
            (
                "RIVERSIDE-02".to_string(),
                b.fx.station.public_key().expect("key"),
            ),
        ]
        .into(),
    };
    let office = office_key();
    let settings = MergeSettings {
        trusted: &trusted,
        signing: &office,
        merged_at: "2026-11-04T08:00:00.000Z".into(),
        software: votekiosk::export::software(),
    };
    let merged = merge(
        &[a.result.clone(), b.result.clone()],
        &settings,
        &mut |_, _, _| {},
    )
    .expect("merge");
    let path = dir.path().join("merged.jsonl");
    std::fs::write(&path, &merged).expect("write");
    let pin = VerifyOptions {
        definition_hash: Some(definition.hash().0),
        ..VerifyOptions::default()
    };
    let verified = nist::read_verified(&path, &pin).expect("verified");
    assert_eq!(verified.records.len(), 15);
    // The expected count: the union of both stations' records, tabulated.
    let ballots: Vec<Ballot> = records_of(&a.result)
        .into_iter()
        .chain(records_of(&b.result))
        .map(|(_, s)| Ballot::validate(&definition, &s).expect("ballot"))
        .collect();
    let expected = ElectionResult {
        contests: votekiosk::tabulate::tabulate(&definition, &ballots),
        ..verified.result.clone()
    };
    let (cvr, err) = check_exports(&verified, &path, &expected);
    let cvr_doc: Value = serde_json::from_slice(&cvr).expect("json");
    let err_doc: Value = serde_json::from_slice(&err).expect("json");
    assert_eq!(cvr_doc["ReportType"], serde_json::json!(["aggregated"]));
    assert_eq!(cvr_doc["GeneratedDate"], "2026-11-04T08:00:00Z");
    assert_eq!(err_doc["Format"], "summary-contest");
    let mut devices: Vec<&str> = cvr_doc["ReportingDevice"]
        .as_array()
        .expect("devices")
        .iter()
        .map(|d| d["@id"].as_str().expect("id"))
        .collect();
    devices.sort();
    assert_eq!(
        devices,
        ["device.RIVERSIDE-01", "device.RIVERSIDE-02", "device.office"]
    );
    // A merge does not say which station a record came from.
    assert!(cvr_doc["CVR"][0].get("CreatingDeviceId").is_none());
    // Read back as cast vote records, the merge counts the same.
    let file = dir.path().join("merged-cvr.json");
    std::fs::write(&file, &cvr).expect("write");
    assert_eq!(reimported(&definition, &file), expected.contests);
}

/// A NIST CVR file read back by the CDF reader and counted by the
/// definition's rules (what `votekiosk tabulate --definition` does).
fn reimported(definition: &ElectionDefinition, file: &Path) -> Vec<ContestResult> {
    let reports = read_cdf_cvrs(&[file]).expect("the CDF reader reads it");
    let ballots = ballots_from_cdf(definition, &reports).expect("ballots of the definition");
    votekiosk::tabulate::tabulate(definition, &ballots)
}

#[test]
fn the_nist_cvr_export_of_a_day_reimports_and_tabulates_to_the_tally() {
    let dir = tempfile::tempdir().expect("tmp");
    let day = day(169, "RIVERSIDE-01", 15, false, dir.path());
    let key = hex::encode(day.fx.station.public_key().expect("key"));
    let cvr = dir.path().join("cvr.json");
    let run = Command::new(env!("CARGO_BIN_EXE_votekiosk"))
        .args(["export", "--format", "nist-cvr", "--from"])
        .arg(&day.result)
        .args(["--public-key", &key, "--out"])
        .arg(&cvr)
        .output()
        .expect("run");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let definition = day.fx.station.definition().clone();
    assert_eq!(reimported(&definition, &cvr), day.tally.contests);
    // The same through the command line: `tabulate --cvr --definition`.
    let def_file = dir.path().join("definition.json");
    std::fs::write(&def_file, definition.canonical_json()).expect("write");
    let run = Command::new(env!("CARGO_BIN_EXE_votekiosk"))
        .args(["--json", "tabulate", "--cvr"])
        .arg(&cvr)
        .arg("--definition")
        .arg(&def_file)
        .output()
        .expect("run");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let counted: ElectionResult = serde_json::from_slice(&run.stdout).expect("a tally");
    assert_eq!(counted.contests, day.tally.contests);
    assert_eq!(counted.turnout.ballots, day.tally.turnout.ballots);
}

#[test]
fn tabulate_counts_a_kiosk_result_with_scanner_records_and_refuses_a_record_counted_twice() {
    let dir = tempfile::tempdir().expect("tmp");
    let day = day(171, "RIVERSIDE-01", 12, false, dir.path());
    let key = hex::encode(day.fx.station.public_key().expect("key"));
    let definition = day.fx.station.definition().clone();
    let def_file = dir.path().join("definition.json");
    std::fs::write(&def_file, definition.canonical_json()).expect("write");
    let tabulate = |extra: &[&std::ffi::OsStr]| {
        Command::new(env!("CARGO_BIN_EXE_votekiosk"))
            .args(["--json", "tabulate", "--definition"])
            .arg(&def_file)
            .args(extra)
            .output()
            .expect("run")
    };
    // The kiosk's signed result, verified and counted as it stands.
    let run = tabulate(&[
        "--result".as_ref(),
        day.result.as_os_str(),
        "--public-key".as_ref(),
        key.as_ref(),
    ]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let counted: ElectionResult = serde_json::from_slice(&run.stdout).expect("a tally");
    assert_eq!(counted.contests, day.tally.contests);
    assert_eq!(counted.turnout.ballots, day.tally.turnout.ballots);

    // Without its anchor the result is not counted.
    let run = tabulate(&["--result".as_ref(), day.result.as_os_str()]);
    assert!(!run.status.success());

    // The same records once as the result and once as its CVR export: refused.
    let cvr = dir.path().join("cvr.json");
    let export = Command::new(env!("CARGO_BIN_EXE_votekiosk"))
        .args(["export", "--format", "nist-cvr", "--from"])
        .arg(&day.result)
        .args(["--public-key", &key, "--out"])
        .arg(&cvr)
        .output()
        .expect("run");
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    let out = dir.path().join("twice.json");
    let run = tabulate(&[
        "--cvr".as_ref(),
        cvr.as_os_str(),
        "--result".as_ref(),
        day.result.as_os_str(),
        "--public-key".as_ref(),
        key.as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert!(!run.status.success());
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("appears twice"),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(!out.exists(), "a refused count writes nothing");
}

/// `tabulate --result` counts a result as it streams past the verifier
/// (issue 17): its report is the very document the count of its NIST CVR
/// export gives (what it did before, through the export in memory); a
/// result mixed with another station's CVR file counts both; a tampered
/// result is refused and nothing is written.
#[test]
fn tabulate_streams_a_result_to_the_report_of_its_cvr_export_and_refuses_a_tampered_one() {
    let dir = tempfile::tempdir().expect("tmp");
    let a = day(172, "RIVERSIDE-01", 14, false, dir.path());
    let b = day(173, "RIVERSIDE-02", 9, false, dir.path());
    let key_a = hex::encode(a.fx.station.public_key().expect("key"));
    let key_b = hex::encode(b.fx.station.public_key().expect("key"));
    let definition = a.fx.station.definition().clone();
    assert_eq!(definition.hash(), b.fx.station.definition().hash());
    let def_file = dir.path().join("definition.json");
    std::fs::write(&def_file, definition.canonical_json()).expect("write");
    let export = |day: &Day, key: &str, name: &str| {
        let cvr = dir.path().join(name);
        let run = Command::new(env!("CARGO_BIN_EXE_votekiosk"))
            .args(["export", "--format", "nist-cvr", "--from"])
            .arg(&day.result)
            .args(["--public-key", key, "--out"])
            .arg(&cvr)
            .output()
            .expect("run");
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        cvr
    };
    let cvr_a = export(&a, &key_a, "cvr-a.json");
    let cvr_b = export(&b, &key_b, "cvr-b.json");
    let tabulate = |extra: &[&std::ffi::OsStr], out: &Path| {
        let run = Command::new(env!("CARGO_BIN_EXE_votekiosk"))
            .args(["--json", "tabulate", "--definition"])
            .arg(&def_file)
            .args(extra)
            .arg("--out")
            .arg(out)
            .output()
            .expect("run");
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
        (run.status.success(), said)
    };
    let report = |name: &str| std::fs::read(dir.path().join(name)).expect("the report");

    // The same report, byte for byte, as the count of its CVR export.
    let (ok, said) = tabulate(
        &["--cvr".as_ref(), cvr_a.as_os_str()],
        &dir.path().join("via-cvr.json"),
    );
    assert!(ok, "{said}");
    let (ok, said) = tabulate(
        &[
            "--result".as_ref(),
            a.result.as_os_str(),
            "--public-key".as_ref(),
            key_a.as_ref(),
        ],
        &dir.path().join("streamed.json"),
    );
    assert!(ok, "{said}");
    assert_eq!(report("streamed.json"), report("via-cvr.json"));
    let streamed: ElectionResult = serde_json::from_slice(&report("streamed.json")).expect("a tally");
    assert_eq!(streamed.contests, a.tally.contests);
    assert_eq!(streamed.turnout.ballots, 14);

    // Mixed: one station's result, the other's CVR file: both counted,
    // the same report as the two CVR files.
    let (ok, said) = tabulate(
        &[
            "--cvr".as_ref(),
            cvr_b.as_os_str(),
            "--result".as_ref(),
            a.result.as_os_str(),
            "--public-key".as_ref(),
            key_a.as_ref(),
        ],
        &dir.path().join("mixed.json"),
    );
    assert!(ok, "{said}");
    let (ok, said) = tabulate(
        &[
            "--cvr".as_ref(),
            cvr_a.as_os_str(),
            "--cvr".as_ref(),
            cvr_b.as_os_str(),
        ],
        &dir.path().join("two-cvrs.json"),
    );
    assert!(ok, "{said}");
    assert_eq!(report("mixed.json"), report("two-cvrs.json"));
    let mixed: ElectionResult = serde_json::from_slice(&report("mixed.json")).expect("a tally");
    assert_eq!(mixed.turnout.ballots, 23);

    // A tampered result: refused with the verifier's reason, no --out
    // file, no temporary left.
    let text = std::fs::read_to_string(&a.result).expect("read");
    let forged = text.replacen("\"mayor\":[\"alvarez\"]", "\"mayor\":[\"brooks\"]", 1);
    assert_ne!(forged, text);
    let tampered = dir.path().join("tampered.jsonl");
    std::fs::write(&tampered, forged).expect("write");
    let before = listing(dir.path());
    let out = dir.path().join("tampered-count.json");
    let (ok, said) = tabulate(
        &[
            "--cvr".as_ref(),
            cvr_b.as_os_str(),
            "--result".as_ref(),
            tampered.as_os_str(),
            "--public-key".as_ref(),
            key_a.as_ref(),
        ],
        &out,
    );
    assert!(!ok, "{said}");
    assert!(said.contains("did not verify"), "{said}");
    assert!(
        said.contains("[records_digest]") || said.contains("[tally]"),
        "{said}"
    );
    assert!(!out.exists(), "a refused count writes nothing");
    assert_eq!(listing(dir.path()), before, "nothing else was written");
}

fn listing(dir: &Path) -> Vec<std::ffi::OsString> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    names.sort();
    names
}

/// The station file's storage ids of the sealed ballots, as a holder of
/// the passphrase reads them from a copy.
fn storage_ids(fx: &Fixture) -> Vec<String> {
    let copy = fx.dir.path().join("insider-copy.vks");
    std::fs::write(&copy, read_outside(&fx.path)).expect("copy");
    let key = file_key(&fx.path);
    let conn = rusqlite::Connection::open(&copy).expect("open copy");
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{}{}'\"; PRAGMA cipher_compatibility = 4;",
        hex::encode(*key.key),
        hex::encode(key.salt)
    ))
    .expect("key");
    let mut stmt = conn.prepare("SELECT id FROM sealed_ballots").expect("query");
    let rows = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0)).expect("rows");
    rows.map(|r| hex::encode(r.expect("id"))).collect()
}

#[test]
fn a_reader_of_the_nist_files_finds_no_voter_code_receipt_or_storage_id() {
    let dir = tempfile::tempdir().expect("tmp");
    let day = day(165, "RIVERSIDE-01", 6, false, dir.path());
    let verified = nist::read_verified(&day.result, &pinned(&day)).expect("verified");
    let (cvr, _, err, _) = exports(&verified);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&cvr),
        String::from_utf8_lossy(&err)
    )
    .to_lowercase();
    let ids = storage_ids(&day.fx);
    assert_eq!(ids.len(), 6, "one sealed ballot per cast");
    let needles = day
        .codes
        .iter()
        .chain(&day.receipts)
        .flat_map(|s| [s.to_lowercase(), s.replace('-', "").to_lowercase()])
        .chain(ids.iter().flat_map(|id| [id.clone(), id[..16].to_string()]));
    for needle in needles {
        assert!(!text.contains(&needle), "{needle} appears in a NIST export");
    }
    // What identifies a CVR is its record's public id, and only that.
    let cvr_doc: Value = serde_json::from_slice(&cvr).expect("json");
    for (c, (id, _)) in cvr_doc["CVR"]
        .as_array()
        .expect("cvrs")
        .iter()
        .zip(&verified.records)
    {
        assert_eq!(c["UniqueId"], id.as_str());
        assert!(c.get("BallotPrePrintedId").is_none() && c.get("BallotAuditId").is_none());
    }
}

#[test]
fn a_reader_of_the_nist_files_of_a_day_with_ballot_cards_finds_no_card_id() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut v = definition_value();
    v["cards"] = serde_json::json!({"enabled": true, "max_spoils_per_code": 2});
    let definition =
        ElectionDefinition::parse(serde_json::to_string(&v).expect("json").as_bytes()).expect("def");
    let mut fx = station_of(170, "RIVERSIDE-01", &definition);
    fx.open();
    let codes = fx.codes(4);
    let mut cards = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        let mut ballot = ballot(i);
        ballot.remove("council");
        // The first voter finds the card wrong once: spoiled, printed again.
        if i == 0 {
            cards.push(fx.station.print_card(code, &ballot).expect("print").card);
            fx.station.spoil_card(code).expect("spoil");
        }
        cards.push(fx.station.print_card(code, &ballot).expect("print").card);
        fx.station.cast_ballot(code, &ballot, &key_for(i)).expect("cast");
    }
    let w = fx.worker();
    fx.station.close_polls(&w).expect("close");
    fx.count();
    let w = fx.worker();
    let export = fx.station.export(&w, false, "results.jsonl").expect("export");
    let result = dir.path().join("results.jsonl");
    votekiosk::export::write_files(&result, &export, fx.station.definition()).expect("write");
    let options = VerifyOptions {
        anchor: Anchor::PublicKey(fx.station.public_key().expect("key")),
        ..VerifyOptions::default()
    };
    let verified = nist::read_verified(&result, &options).expect("verified");
    let tally = fx.station.tally().expect("tally");
    let (cvr, err) = check_exports(&verified, &result, &tally);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&cvr),
        String::from_utf8_lossy(&err)
    )
    .to_lowercase();
    assert_eq!(cards.len(), 5);
    for card in &cards {
        for needle in [
            card.grouped().to_lowercase(),
            card.grouped().replace('-', "").to_lowercase(),
            hex::encode(card.bytes()),
        ] {
            assert!(
                !text.contains(&needle),
                "card id {needle} appears in a NIST export"
            );
        }
    }
    // A kiosk that prints ballot cards is a ballot-marking device.
    let err_doc: Value = serde_json::from_slice(&err).expect("json");
    assert_eq!(err_doc["GpUnit"][2]["DeviceClass"]["Type"], "bmd");
}

#[test]
fn a_tampered_result_exports_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let day = day(166, "RIVERSIDE-01", 4, false, dir.path());
    let key = hex::encode(day.fx.station.public_key().expect("key"));
    // An attacker turns one vote for Alvarez into a vote for Brooks.
    let text = std::fs::read_to_string(&day.result).expect("read");
    let forged = text.replacen("\"mayor\":[\"alvarez\"]", "\"mayor\":[\"brooks\"]", 1);
    assert_ne!(forged, text);
    let tampered = dir.path().join("tampered.jsonl");
    std::fs::write(&tampered, forged).expect("write");
    let err = nist::read_verified(&tampered, &pinned(&day)).expect_err("refused");
    assert_eq!(err.code(), "nist_export_refused");
    assert!(err.to_string().contains("did not verify"), "{err}");
    assert!(
        err.to_string().contains("[records_digest]") || err.to_string().contains("[tally]"),
        "{err}"
    );
    // Through the CLI: exit 1, the reason, and no file.
    let out = dir.path().join("cvr.json");
    let run = Command::new(env!("CARGO_BIN_EXE_votekiosk"))
        .args(["export", "--format", "nist-cvr", "--from"])
        .arg(&tampered)
        .args(["--public-key", &key, "--out"])
        .arg(&out)
        .output()
        .expect("run");
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("did not verify"));
    assert!(!out.exists());
    // Without a trust anchor: refused too, nothing written.
    let run = Command::new(env!("CARGO_BIN_EXE_votekiosk"))
        .args(["export", "--format", "nist-err", "--from"])
        .arg(&day.result)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run");
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("untrusted_key"));
    assert!(!out.exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .filter(|n| n.to_string_lossy().contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn the_cli_writes_both_nist_files_from_a_verified_result() {
    let dir = tempfile::tempdir().expect("tmp");
    let day = day(167, "RIVERSIDE-01", 5, false, dir.path());
    let key = hex::encode(day.fx.station.public_key().expect("key"));
    let verified = nist::read_verified(&day.result, &pinned(&day)).expect("verified");
    for (format, library) in [("nist-cvr", Format::NistCvr), ("nist-err", Format::NistErr)] {
        let out = dir.path().join(format!("{format}.json"));
        let run = Command::new(env!("CARGO_BIN_EXE_votekiosk"))
            .args(["--json", "export", "--format", format, "--from"])
            .arg(&day.result)
            .args(["--public-key", &key, "--out"])
            .arg(&out)
            .output()
            .expect("run");
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        let answer: Value = serde_json::from_slice(&run.stdout).expect("json answer");
        assert_eq!(answer["format"], format);
        assert_eq!(
            std::fs::read(&out).expect("written"),
            nist::export(library, &verified).expect("library")
        );
        // Never over an existing file.
        let again = Command::new(env!("CARGO_BIN_EXE_votekiosk"))
            .args(["export", "--format", format, "--from"])
            .arg(&day.result)
            .args(["--public-key", &key, "--out"])
            .arg(&out)
            .output()
            .expect("run");
        assert_eq!(again.status.code(), Some(1));
    }
    // The options of one kind are refused with the other.
    for (args, says) in [
        (
            vec!["export", "--format", "nist-cvr", "--out", "x.json"],
            "--from",
        ),
        (
            vec![
                "export", "--format", "nist-cvr", "--from", "r.jsonl", "--test", "--out", "x.json",
            ],
            "--test",
        ),
        (
            vec!["export", "--from", "r.jsonl", "--out", "x.json"],
            "--format nist-cvr",
        ),
        (vec!["export", "--out", "x.json"], "--official"),
    ] {
        let run = Command::new(env!("CARGO_BIN_EXE_votekiosk"))
            .current_dir(dir.path())
            .args(&args)
            .env("VOTEKIOSK_STATION", day.fx.path.as_os_str())
            .output()
            .expect("run");
        assert_eq!(run.status.code(), Some(1), "{args:?}");
        assert!(
            String::from_utf8_lossy(&run.stderr).contains(says),
            "{args:?}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(!dir.path().join("x.json").exists());
    }
}

#[test]
fn the_schema_folder_is_found_or_the_failure_says_where_it_was_expected() {
    // The real one is found (this is what every test above relies on).
    assert!(schemas().join(CVR_SCHEMA).is_file());
    // Nowhere: the message names each place looked in and the files.
    let why = locate_schemas(
        Some("/nonexistent/from-env".into()),
        Path::new("/nonexistent/project"),
        Path::new("/nonexistent/last"),
    )
    .expect_err("no schemas");
    for place in [
        "/nonexistent/from-env/schemas",
        "/nonexistent/project/../shared/schemas",
        "/nonexistent/last/schemas",
        CVR_SCHEMA,
        ERR_SCHEMA,
        "VOTEKIOSK_SHARED",
    ] {
        assert!(why.contains(place), "{place} not in: {why}");
    }
    // The validator is not vacuous: a CVR without its snapshot id, and an
    // ERR without its issuer, are refused at their paths.
    let dir = tempfile::tempdir().expect("tmp");
    let day = day(168, "RIVERSIDE-01", 2, true, dir.path());
    let verified = nist::read_verified(&day.result, &pinned(&day)).expect("verified");
    let (_, mut cvr, _, mut err) = exports(&verified);
    cvr["CVR"][1]
        .as_object_mut()
        .expect("cvr")
        .remove("CurrentSnapshotId");
    err.as_object_mut().expect("report").remove("Issuer");
    err["Election"][0]["Contest"][2]["ContestSelection"][0]["VoteCounts"][0]["Type"] = "sum".into();
    let errors = schema_errors(CVR_SCHEMA, &cvr);
    assert!(errors.iter().any(|e| e.starts_with("/CVR/1 ")), "{errors:?}");
    let errors = schema_errors(ERR_SCHEMA, &err);
    assert!(
        errors.iter().any(|e| e.starts_with(" ") || e.contains("Issuer")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.starts_with("/Election/0/Contest/2")),
        "{errors:?}"
    );
}
