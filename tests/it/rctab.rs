//! RCTab parity: every one of RCTab's own test sets (read in place from
//! `../shared/samples/rctab/`) counted from its CVR file and config alone
//! reproduces RCTab's round-by-round report; and bad inputs (malformed CVR
//! files, unknown candidates, unsupported rules, another election's
//! records, a UniqueId twice) are refused with an error naming the field,
//! writing nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use votekiosk::tabulate::rctab;
use votekiosk::Error;

/// `VOTEKIOSK_SHARED`, else `CARGO_MANIFEST_DIR/../shared`, else `/work/shared`.
fn shared() -> PathBuf {
    let mut tried = Vec::new();
    let candidates = std::env::var_os("VOTEKIOSK_SHARED")
        .map(PathBuf::from)
        .into_iter()
        .chain([
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"),
            PathBuf::from("/work/shared"),
        ]);
    for dir in candidates {
        if dir.join("samples/rctab").is_dir() {
            return dir;
        }
        tried.push(dir.display().to_string());
    }
    panic!(
        "RCTab's test sets are missing: looked for samples/rctab/ in {} (set VOTEKIOSK_SHARED to the shared folder)",
        tried.join(", ")
    );
}

/// The ten sets: (name, folder).
fn sets() -> Vec<(String, PathBuf)> {
    let root = shared().join("samples/rctab");
    let mut sets: Vec<(String, PathBuf)> = std::fs::read_dir(&root)
        .expect("samples/rctab is readable")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    sets.sort();
    assert_eq!(sets.len(), 10, "ten RCTab test sets in {}", root.display());
    sets
}

fn file(set: &(String, PathBuf), suffix: &str) -> PathBuf {
    set.1.join(format!("{}_{suffix}", set.0))
}

/// Fields that cannot match, removed from both sides before comparing:
/// - `config.generatedBy`: RCTab writes "RCTab 2.0.0", votekiosk writes
///   its own name and version (the counting is the same, the program not).
fn comparable(mut report: Value) -> Value {
    report["config"]
        .as_object_mut()
        .expect("a config block")
        .remove("generatedBy");
    report
}

/// The first difference, round by round, so a failure says where.
fn first_difference(ours: &Value, theirs: &Value) -> String {
    let (a, b) = (ours["results"].as_array(), theirs["results"].as_array());
    if let (Some(a), Some(b)) = (a, b) {
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            if x != y {
                return format!("round {}:\n ours:   {x}\n RCTab's: {y}", i + 1);
            }
        }
        if a.len() != b.len() {
            return format!("{} rounds, RCTab {}", a.len(), b.len());
        }
    }
    format!("ours: {ours}\nRCTab's: {theirs}")
}

#[test]
fn every_rctab_sample_reproduces_rctabs_report_round_by_round() {
    for set in sets() {
        let (config, tabulation) =
            rctab::tabulate_files(&file(&set, "config.json"), &[file(&set, "cvr.json")])
                .unwrap_or_else(|e| panic!("{}: {e}", set.0));
        let ours: Value =
            serde_json::from_str(&rctab::report::urcvt_report(&config, &tabulation).expect("a report"))
                .expect("our report is JSON");
        let theirs: Value = serde_json::from_slice(
            &std::fs::read(file(&set, "expected_detailed_report.json")).expect("expected report"),
        )
        .expect("RCTab's report is JSON");
        let (ours, theirs) = (comparable(ours), comparable(theirs));
        assert!(
            ours == theirs,
            "{}: differs from RCTab's report at {}",
            set.0,
            first_difference(&ours, &theirs)
        );
    }
}

#[test]
fn the_report_is_written_as_rctab_writes_it_byte_for_byte_but_its_generator() {
    for set in sets() {
        let (config, tabulation) =
            rctab::tabulate_files(&file(&set, "config.json"), &[file(&set, "cvr.json")]).expect("counts");
        let ours = rctab::report::urcvt_report(&config, &tabulation).expect("a report");
        let theirs =
            String::from_utf8(std::fs::read(file(&set, "expected_detailed_report.json")).expect("read"))
                .expect("utf-8");
        let generated = |s: &str| {
            s.lines()
                .find(|l| l.contains("\"generatedBy\""))
                .map(str::to_string)
        };
        let ours = ours.replace(&generated(&ours).expect("ours names its generator"), "");
        let theirs = theirs.replace(&generated(&theirs).expect("RCTab names itself"), "");
        assert_eq!(ours.trim_end(), theirs.trim_end(), "{}", set.0);
    }
}

fn votekiosk(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_votekiosk"))
        .current_dir(dir)
        .args(args)
        .env_remove("VOTEKIOSK_STATION")
        .output()
        .expect("run votekiosk")
}

#[test]
fn the_cli_writes_the_report_and_prints_the_winners() {
    let set = sets()
        .into_iter()
        .find(|s| s.0.contains("fractional"))
        .expect("the fractional set");
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("report.json");
    let (cvr, config) = (file(&set, "cvr.json"), file(&set, "config.json"));
    let run = votekiosk(
        dir.path(),
        &[
            "tabulate",
            "--cvr",
            cvr.to_str().unwrap(),
            "--rules",
            config.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(
        text.contains("Elected: Candidate C Name, Candidate A Name, Candidate B Name"),
        "{text}"
    );
    let ours: Value = serde_json::from_slice(&std::fs::read(&out).expect("report written")).expect("JSON");
    let theirs: Value =
        serde_json::from_slice(&std::fs::read(file(&set, "expected_detailed_report.json")).unwrap()).unwrap();
    assert_eq!(comparable(ours), comparable(theirs));
    // a second run refuses to overwrite the report
    let again = votekiosk(
        dir.path(),
        &[
            "tabulate",
            "--cvr",
            cvr.to_str().unwrap(),
            "--rules",
            config.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(!again.status.success());
    // --json: one line with the winners and the report
    let json = votekiosk(
        dir.path(),
        &[
            "--json",
            "tabulate",
            "--cvr",
            cvr.to_str().unwrap(),
            "--rules",
            config.to_str().unwrap(),
        ],
    );
    let v: Value = serde_json::from_slice(&json.stdout).expect("one JSON line");
    assert_eq!(
        v["winners"],
        serde_json::json!(["Candidate C Name", "Candidate A Name", "Candidate B Name"])
    );
    assert_eq!(v["report"]["summary"]["finalThreshold"], "7.2501");
}

// ---- bad inputs: each a clear error naming the field, nothing written ----

/// A one-contest CDF file: `cvrs` are (UniqueId, ElectionId, [(selection, rank)]).
fn cdf(cvrs: &[(&str, &str, &[(&str, u32)])]) -> Value {
    let records: Vec<Value> = cvrs
        .iter()
        .map(|(id, election, marks)| {
            let selections: Vec<Value> = marks
                .iter()
                .map(|(sel, rank)| {
                    serde_json::json!({"@type": "CVR.CVRContestSelection", "ContestSelectionId": sel,
                        "SelectionPosition": [{"@type": "CVR.SelectionPosition", "HasIndication": "yes", "IsAllocable": "yes", "NumberVotes": 1, "Rank": rank}]})
                })
                .collect();
            serde_json::json!({"@type": "CVR.CVR", "UniqueId": id, "ElectionId": election, "CurrentSnapshotId": format!("{id}-s"),
                "CVRSnapshot": [{"@id": format!("{id}-s"), "@type": "CVR.CVRSnapshot", "Type": "original",
                    "CVRContest": [{"@type": "CVR.CVRContest", "ContestId": "contest-1", "CVRContestSelection": selections}]}]})
        })
        .collect();
    serde_json::json!({"@type": "CVR.CastVoteRecordReport", "Version": "1.0.0",
        "Election": [{"@id": "election-1", "@type": "CVR.Election",
            "Candidate": [{"@id": "c-a", "Name": "Alice"}, {"@id": "c-b", "Name": "Bob"}, {"@id": "c-z", "Name": "Zed"}],
            "Contest": [{"@id": "contest-1", "@type": "CandidateContest", "Name": "Mayor", "ContestSelection": [
                {"@id": "s-a", "CandidateIds": ["c-a"]}, {"@id": "s-b", "CandidateIds": ["c-b"]}, {"@id": "s-z", "CandidateIds": ["c-z"]}]}]}],
        "CVR": records})
}

fn rctab_config(rules: &[(&str, Value)]) -> Value {
    let mut config = serde_json::json!({"tabulatorVersion": "TEST",
        "outputSettings": {"contestName": "Mayor", "contestDate": "2026-11-03", "contestJurisdiction": "Lakeview", "contestOffice": "Mayor"},
        "cvrFileSources": [{"filePath": "cvr.json", "contestId": "Mayor", "provider": "cdf"}],
        "candidates": [{"name": "Alice"}, {"name": "Bob"}],
        "rules": {"tiebreakMode": "useCandidateOrder", "overvoteRule": "exhaustImmediately", "winnerElectionMode": "singleWinnerMajority",
            "numberOfWinners": "1", "decimalPlacesForVoteArithmetic": "4", "maxSkippedRanksAllowed": "1", "maxRankingsAllowed": "max"}});
    for (k, v) in rules {
        config["rules"][*k] = v.clone();
    }
    config
}

/// Runs `tabulate` on the files in a fresh folder; asserts it failed with
/// `code` and a message containing `needle`, and that no report appeared.
fn refused(cvr: &[u8], config: &Value, code: &str, needle: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("cvr.json"), cvr).unwrap();
    std::fs::write(
        dir.path().join("config.json"),
        serde_json::to_vec(config).unwrap(),
    )
    .unwrap();
    let before: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let run = votekiosk(
        dir.path(),
        &[
            "--json",
            "tabulate",
            "--cvr",
            "cvr.json",
            "--rules",
            "config.json",
            "--out",
            "report.json",
        ],
    );
    assert!(
        !run.status.success(),
        "accepted: {}",
        String::from_utf8_lossy(&run.stdout)
    );
    let err = String::from_utf8_lossy(&run.stdout).to_string() + &String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains(&format!("\"code\":\"{code}\"")),
        "expected {code}: {err}"
    );
    assert!(err.contains(needle), "the message names {needle:?}: {err}");
    let after: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(before, after, "nothing written");
}

fn good_records() -> Vec<(&'static str, &'static str, &'static [(&'static str, u32)])> {
    vec![
        ("r1", "election-1", &[("s-a", 1), ("s-b", 2)]),
        ("r2", "election-1", &[("s-b", 1)]),
        ("r3", "election-1", &[("s-a", 1)]),
    ]
}

#[test]
fn a_plain_election_counts_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cvr.json"),
        serde_json::to_vec(&cdf(&good_records())).unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("config.json"),
        serde_json::to_vec(&rctab_config(&[])).unwrap(),
    )
    .unwrap();
    // no --cvr: the config's own cvrFileSources, relative to the config
    let run = votekiosk(dir.path(), &["tabulate", "--rules", "config.json"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(String::from_utf8_lossy(&run.stdout).contains("Elected: Alice"));
}

#[test]
fn malformed_cvr_files_are_refused_naming_the_json_path() {
    let config = rctab_config(&[]);
    refused(b"{not json", &config, "cvr_invalid", "not JSON");
    let mut no_snapshot = cdf(&good_records());
    no_snapshot["CVR"][1]["CurrentSnapshotId"] = "elsewhere".into();
    refused(
        &serde_json::to_vec(&no_snapshot).unwrap(),
        &config,
        "cvr_invalid",
        "CVR[1].CurrentSnapshotId",
    );
    let mut bad_rank = cdf(&good_records());
    bad_rank["CVR"][0]["CVRSnapshot"][0]["CVRContest"][0]["CVRContestSelection"][0]["SelectionPosition"][0]
        ["Rank"] = 0.into();
    refused(
        &serde_json::to_vec(&bad_rank).unwrap(),
        &config,
        "cvr_invalid",
        "CVR[0].CVRSnapshot[0].CVRContest[0].CVRContestSelection[0].SelectionPosition[0].Rank",
    );
    let mut no_election = cdf(&good_records());
    no_election["Election"] = serde_json::json!("x");
    refused(
        &serde_json::to_vec(&no_election).unwrap(),
        &config,
        "cvr_invalid",
        "Election",
    );
    let mut unknown_selection = cdf(&good_records());
    unknown_selection["CVR"][2]["CVRSnapshot"][0]["CVRContest"][0]["CVRContestSelection"][0]
        ["ContestSelectionId"] = "s-q".into();
    refused(
        &serde_json::to_vec(&unknown_selection).unwrap(),
        &config,
        "cvr_unknown_candidate",
        "ContestSelectionId",
    );
}

#[test]
fn an_unknown_candidate_is_refused_naming_it() {
    // Zed is declared in the file but not among the config's candidates
    let records: Vec<(&str, &str, &[(&str, u32)])> = vec![("r1", "election-1", &[("s-z", 1)])];
    refused(
        &serde_json::to_vec(&cdf(&records)).unwrap(),
        &rctab_config(&[]),
        "cvr_unknown_candidate",
        "\"Zed\"",
    );
}

#[test]
fn a_config_with_an_unsupported_rule_is_refused_naming_the_field() {
    let cvr = serde_json::to_vec(&cdf(&good_records())).unwrap();
    refused(
        &cvr,
        &rctab_config(&[("winnerElectionMode", "multiPassIrv".into())]),
        "rules_unsupported",
        "rules.winnerElectionMode",
    );
    refused(
        &cvr,
        &rctab_config(&[("tiebreakMode", "coinToss".into())]),
        "rules_invalid",
        "rules.tiebreakMode",
    );
    refused(
        &cvr,
        &rctab_config(&[("decimalPlacesForVoteArithmetic", "20".into())]),
        "rules_unsupported",
        "rules.decimalPlacesForVoteArithmetic",
    );
    let mut provider = rctab_config(&[]);
    provider["cvrFileSources"][0]["provider"] = "ess".into();
    refused(&cvr, &provider, "rules_unsupported", "cvrFileSources[0].provider");
}

#[test]
fn records_of_another_election_are_refused() {
    // a record naming an election the file does not hold
    let records: Vec<(&str, &str, &[(&str, u32)])> = vec![
        ("r1", "election-1", &[("s-a", 1)]),
        ("r2", "election-2", &[("s-b", 1)]),
    ];
    refused(
        &serde_json::to_vec(&cdf(&records)).unwrap(),
        &rctab_config(&[]),
        "cvr_other_election",
        "CVR[1].ElectionId",
    );
    // a file without the config's contest
    let mut config = rctab_config(&[]);
    config["cvrFileSources"][0]["contestId"] = "Sheriff".into();
    refused(
        &serde_json::to_vec(&cdf(&good_records())).unwrap(),
        &config,
        "cvr_other_election",
        "\"Sheriff\"",
    );
}

#[test]
fn a_unique_id_seen_twice_is_refused_naming_both_records() {
    // the attack: one scanner record submitted twice to count it twice
    let records: Vec<(&str, &str, &[(&str, u32)])> = vec![
        ("r1", "election-1", &[("s-a", 1)]),
        ("r2", "election-1", &[("s-b", 1)]),
        ("r1", "election-1", &[("s-a", 1)]),
    ];
    refused(
        &serde_json::to_vec(&cdf(&records)).unwrap(),
        &rctab_config(&[]),
        "cvr_duplicate_id",
        "CVR[2]",
    );
    // across two files
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    std::fs::write(&a, serde_json::to_vec(&cdf(&good_records())).unwrap()).unwrap();
    std::fs::write(&b, serde_json::to_vec(&cdf(&good_records()[..1])).unwrap()).unwrap();
    let err = rctab::read_cdf_cvrs(&[&a, &b]).expect_err("a repeated UniqueId");
    assert!(matches!(err, Error::CvrDuplicateId { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("a.json: CVR[0]") && text.contains("b.json: CVR[0]"),
        "{text}"
    );
}
